# SPDX-License-Identifier: BSD-2-Clause
# test_nv_extra.sh — the other NV index types and locks: extend index, bit
# field, write lock, read lock.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_nvdefine 0x1500030 -C o -s 32 -g sha256 -a "ownerread|ownerwrite|authread|authwrite|nt=extend" >/dev/null
printf 'event' >ev.dat
run tpm2_nvextend 0x1500030 -C o -i ev.dat
run tpm2_nvread 0x1500030 -C o -s 32 -o ext.bin
expected=$(python3 -c 'import hashlib, sys
print(hashlib.sha256(bytes(32) + b"event").hexdigest())')
check "extend index is SHA-256(zeros || data)" "$(od -v -An -tx1 ext.bin | tr -d ' \n')" = "$expected"
run tpm2_nvundefine 0x1500030 -C o
run tpm2_nvdefine 0x1500031 -C o -a "ownerread|ownerwrite|authread|authwrite|nt=bits" >/dev/null
run tpm2_nvsetbits 0x1500031 -C o -i 0x5
run tpm2_nvsetbits 0x1500031 -C o -i 0x100
run tpm2_nvread 0x1500031 -C o -s 8 -o bits.bin
check "bit field ORs the bits" "$(od -v -An -tx1 bits.bin | tr -d ' \n')" = "0000000000000105"
run tpm2_nvundefine 0x1500031 -C o
run tpm2_nvdefine 0x1500032 -C o -s 8 -a "ownerread|ownerwrite|authread|authwrite|writedefine|read_stclear" >/dev/null
printf '12345678' >d.dat
run tpm2_nvwrite 0x1500032 -C o -i d.dat
run tpm2_nvwritelock 0x1500032 -C o
must_fail tpm2_nvwrite 0x1500032 -C o -i d.dat
run tpm2_nvreadlock 0x1500032 -C o
must_fail tpm2_nvread 0x1500032 -C o -s 8
run tpm2_nvundefine 0x1500032 -C o
