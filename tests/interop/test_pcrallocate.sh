# SPDX-License-Identifier: BSD-2-Clause
# test_pcrallocate.sh — TPM2_PCR_Allocate (platform auth) takes effect at the
# next _TPM_Init (Part 3 §22.5): drop the SHA-1 bank, power cycle, and the
# SHA-1 bank is gone from the capability while SHA-256 keeps all 24 PCRs.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_getcap pcrs >before.yaml
grep -q 'sha1: \[ 0, 1, 2' before.yaml || { echo "SHA-1 bank not allocated at start" >&2; exit 1; }
run tpm2_pcrallocate sha1:none+sha256:all >alloc.yaml
grep -q 'sha256: \[ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 \]' \
    alloc.yaml || { echo "pcrallocate did not report the new SHA-256 bank" >&2; exit 1; }
# Not yet in effect: the SHA-1 bank is still readable.
run tpm2_pcrread sha1:0 | grep -q '0 : 0x'
run tpm2_shutdown -c
tpm_reset
run tpm2_startup -c
run tpm2_getcap pcrs >after.yaml
grep -q 'sha1: \[ \]' after.yaml || { echo "SHA-1 bank still allocated after _TPM_Init" >&2; cat after.yaml >&2; exit 1; }
grep -q 'sha256: \[ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23 \]' \
    after.yaml || { echo "SHA-256 bank lost" >&2; exit 1; }
