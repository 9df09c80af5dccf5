# SPDX-License-Identifier: BSD-2-Clause
# test_multicall.sh — the `tpm2` multi-call binary runs the same tools as the
# tpm2_* names: getrandom, pcrread, hash and the capability list.
. "$QTPM_INTEROP_LIB"
run tpm2 startup -c
r=$(run tpm2 getrandom --hex 12)
check "tpm2 getrandom returns 12 bytes" ${#r} -eq 24
printf 'multicall' >m.dat
run tpm2 hash -g sha256 -o m.hash m.dat
check "tpm2 hash equals sha256sum" "$(hexof m.hash)" = "$(sha256sum m.dat | cut -d' ' -f1)"
run tpm2 pcrread sha256:16 | grep -q '16: 0x'
run tpm2 getcap commands | grep -q TPM2_CC_PCR_Read
