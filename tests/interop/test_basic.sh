# SPDX-License-Identifier: BSD-2-Clause
# test_basic.sh — the tools every client runs first: startup, self test,
# capabilities, random numbers, PCR read/extend/reset.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_selftest --fulltest
run tpm2_gettestresult >/dev/null
run tpm2_getcap properties-fixed | grep -q TPM2_PT_FAMILY_INDICATOR
run tpm2_getcap algorithms | grep -q sha256
run tpm2_getcap commands | grep -q TPM2_CC_GetRandom
run tpm2_getcap pcrs | grep -q sha256
r1=$(run tpm2_getrandom --hex 16)
r2=$(run tpm2_getrandom --hex 16)
check "getrandom returns 16 bytes" ${#r1} -eq 32
check "two draws differ" "$r1" != "$r2"

# PCR 16 (debug PCR, resettable at locality 0): extend, read back, compare
# with SHA-256(old || digest) (Part 1 §17.2), reset.
digest=$(printf 'qtpm interop' | sha256sum | cut -d' ' -f1)
run tpm2_pcrreset 16
run tpm2_pcrread sha256:16 -o before.bin >/dev/null
run tpm2_pcrextend "16:sha256=$digest"
run tpm2_pcrread sha256:16 -o after.bin >/dev/null
expected=$(python3 -c 'import hashlib, sys
print(hashlib.sha256(open(sys.argv[1], "rb").read() + bytes.fromhex(sys.argv[2])).hexdigest())' \
    before.bin "$digest")
actual=$(od -v -An -tx1 after.bin | tr -d ' \n')
check "PCR extend is SHA-256(old || digest)" "$expected" = "$actual"
run tpm2_pcrreset 16
run tpm2_pcrread sha256:16 -o reset.bin >/dev/null
check "PCR 16 reset to zeros" "$(od -v -An -tx1 reset.bin | tr -d ' \n')" = \
    "0000000000000000000000000000000000000000000000000000000000000000"
