# SPDX-License-Identifier: BSD-2-Clause
# test_profile_rc.sh — the compat-tss3 profile (issue 10 item 9): the TPM
# advertises no SHA-3 hash or PCR bank, and a SHA-3 algorithm ID sent
# anyway gets the answer of a TPM built without SHA-3. The reference is
# swtpm 0.7 (libtpms 0.9, no SHA-3 at all), which this same script runs
# against (interop_reference_profile_rc); the codes are those Part 2 §6.6
# gives for a TPMI_ALG_HASH outside the implemented set, TPM_RC_HASH, with
# the number of the parameter that holds it (Part 2 §6.6.3):
#   PCR_Read        Part 3 §22.4  pcrSelectionIn   (1)  0x1C3
#   PCR_Extend      Part 3 §22.2  digests          (1)  0x1C3
#   PCR_Allocate    Part 3 §22.5  pcrAllocation    (1)  0x1C3
#   TestParms       Part 3 §10.3  parameters       (1)  0x1C3
#   Hash            Part 3 §15.4  hashAlg          (2)  0x2C3
#   HashSequenceStart Part 3 §17.3 hashAlg         (2)  0x2C3
#   CreatePrimary   Part 3 §24.1  inPublic.nameAlg (2)  0x2C3
#   StartAuthSession Part 3 §11.1 authHash         (5)  0x5C3
# Each command is sent with SHA-256 too and must then succeed, so a code is
# never the answer to a malformed command. tpm2-tools cannot build these
# (tpm2-tss 3.2.1 has no SHA-3): rawcmd.py builds them, tpm2_send sends them
# through the TCTI of the run (tpm2-abrmd included).
. "$QTPM_INTEROP_LIB"
raw=$(dirname "$QTPM_INTEROP_LIB")/rawcmd.py
run tpm2_startup -c

# Nothing SHA-3 is advertised (Part 3 §30.2, TPM_CAP_ALGS and TPM_CAP_PCRS).
run tpm2_getcap algorithms >algs.yaml
check -t tpm2_getcap "no SHA-3 algorithm is listed" -z "$(grep -i '^sha3_' algs.yaml || true)"
run tpm2_getcap pcrs >pcrs.yaml
check -t tpm2_getcap "no SHA-3 PCR bank is listed" -z "$(grep -i 'sha3_' pcrs.yaml || true)"
check -t tpm2_getcap "the SHA-256 bank is listed" -n "$(grep 'sha256:' pcrs.yaml || true)"

expect() {
    _name=$1 _want=$2
    python3 "$raw" cmd "$_name" 0x0027 >cmd.bin
    run -t tpm2_send tpm2_send <cmd.bin >rsp.bin
    _got=$(python3 "$raw" rc rsp.bin)
    check -t tpm2_send "$_name with SHA3-256 answers $_want (got $_got)" "$_got" = "$_want"
    python3 "$raw" cmd "$_name" 0x000B >cmd.bin
    run -t tpm2_send tpm2_send <cmd.bin >rsp.bin
    _got=$(python3 "$raw" rc rsp.bin)
    check -t tpm2_send "$_name with SHA-256 succeeds (got $_got)" "$_got" = 0x000
    # what it made goes (FlushContext, Part 3 §28.4); tpm2-abrmd flushes
    # the handles of a client when it disconnects, so there is none left
    case $QTPM_INTEROP_TCTI:$_name in
    abrmd:*) ;;
    *:hash_sequence|*:start_session)
        python3 "$raw" flush rsp.bin >cmd.bin
        run -t tpm2_send tpm2_send <cmd.bin >rsp.bin
        check -t tpm2_send "FlushContext after $_name" "$(python3 "$raw" rc rsp.bin)" = 0x000 ;;
    esac
}
expect pcr_read 0x1C3
expect pcr_extend 0x1C3
expect pcr_allocate 0x1C3
expect test_parms 0x1C3
expect hash 0x2C3
expect hash_sequence 0x2C3
expect create_primary 0x2C3
expect start_session 0x5C3
