# SPDX-License-Identifier: BSD-2-Clause
# test_nv.sh — NV indices: define, write, read, read public, undefine; and a
# counter index incremented twice.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_nvdefine 0x1500016 -C o -s 32 -a "ownerread|ownerwrite|authread|authwrite" >/dev/null
printf '0123456789abcdef' >data.dat
run tpm2_nvwrite 0x1500016 -C o -i data.dat
run tpm2_nvread 0x1500016 -C o -s 16 -o out.dat
cmp data.dat out.dat
run tpm2_nvreadpublic | grep -q 0x1500016
run tpm2_nvundefine 0x1500016 -C o
must_fail tpm2_nvread 0x1500016 -C o -s 16
run tpm2_nvdefine 0x1500017 -C o -s 8 -a "ownerread|ownerwrite|authread|authwrite|nt=counter" >/dev/null
run tpm2_nvincrement 0x1500017 -C o
run tpm2_nvread 0x1500017 -C o -s 8 -o c1.dat
run tpm2_nvincrement 0x1500017 -C o
run tpm2_nvread 0x1500017 -C o -s 8 -o c2.dat
c1=$(od -v -An -tu8 --endian=big c1.dat | tr -d ' ')
c2=$(od -v -An -tu8 --endian=big c2.dat | tr -d ' ')
check "counter increments by one" "$c2" -eq $((c1 + 1))
run tpm2_nvundefine 0x1500017 -C o
