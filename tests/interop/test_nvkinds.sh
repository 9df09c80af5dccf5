# SPDX-License-Identifier: BSD-2-Clause
# test_nvkinds.sh — the other NV index types and locks (Part 3 §31): an
# extend index (NV_Extend is H(old || data)), a bit field (NV_SetBits ORs),
# read lock until the next Startup, write lock, global write lock.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000
run tpm2_nvdefine 0x1500020 -C o -g sha256 -a "nt=extend|ownerread|ownerwrite|authread|authwrite" >/dev/null
printf 'first' >e1.dat
printf 'second' >e2.dat
run tpm2_nvextend 0x1500020 -C o -i e1.dat
run tpm2_nvextend 0x1500020 -C o -i e2.dat
run tpm2_nvread 0x1500020 -C o -o ext.dat
h1=$(sha256hex "$zeros" "$(hexof e1.dat)")
check "NV_Extend twice is H(H(0 || e1) || e2)" "$(hexof ext.dat)" = "$(sha256hex "$h1" "$(hexof e2.dat)")"

run tpm2_nvdefine 0x1500021 -C o -a "nt=bits|ownerread|ownerwrite|authread|authwrite" >/dev/null
run tpm2_nvsetbits 0x1500021 -C o -i 0x5
run tpm2_nvsetbits 0x1500021 -C o -i 0x8000000000000010
run tpm2_nvread 0x1500021 -C o -o bits.dat
check "NV_SetBits ORs the bits" "$(hexof bits.dat)" = 8000000000000015

printf '01234567' >d.dat
run tpm2_nvdefine 0x1500022 -C o -s 8 -a "ownerread|ownerwrite|authread|authwrite|read_stclear" >/dev/null
run tpm2_nvwrite 0x1500022 -C o -i d.dat
run tpm2_nvreadlock 0x1500022 -C o
must_fail tpm2_nvread 0x1500022 -C o -s 8
run tpm2_nvreadpublic 0x1500022 | grep -q readlocked

run tpm2_nvdefine 0x1500023 -C o -s 8 -a "ownerread|ownerwrite|authread|authwrite|writedefine" >/dev/null
run tpm2_nvwrite 0x1500023 -C o -i d.dat
run tpm2_nvwritelock 0x1500023 -C o
must_fail tpm2_nvwrite 0x1500023 -C o -i d.dat
run tpm2_nvread 0x1500023 -C o -s 8 -o d2.dat
cmp d.dat d2.dat

run tpm2_nvdefine 0x1500024 -C o -s 8 -a "ownerread|ownerwrite|authread|authwrite|globallock" >/dev/null
run tpm2_nvwrite 0x1500024 -C o -i d.dat
run tpm2_nvwritelock --global -C o
must_fail tpm2_nvwrite 0x1500024 -C o -i d.dat
run tpm2_nvreadpublic 0x1500024 | grep -q writelocked
