# SPDX-License-Identifier: BSD-2-Clause
# test_send.sh — raw command bytes through tpm2_send: TPM2_GetRandom(8) must
# answer TPM_ST_NO_SESSIONS, size 20, TPM_RC_SUCCESS and a TPM2B of 8 bytes;
# an unknown command code must answer TPM_RC_COMMAND_CODE (0x143).
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
printf '\200\001\000\000\000\014\000\000\001\173\000\010' >getrandom.cmd
run tpm2_send -o getrandom.rsp <getrandom.cmd
r=$(hexof getrandom.rsp)
check "GetRandom response is 20 bytes" ${#r} -eq 40
check "GetRandom response header and TPM2B size" "$(echo "$r" | cut -c1-24)" = 800100000014000000000008
printf '\200\001\000\000\000\012\040\000\000\000' >unknown.cmd
tpm2_send -o unknown.rsp <unknown.cmd >/dev/null 2>&1 || true
check "an unknown command answers TPM_RC_COMMAND_CODE" "$(hexof unknown.rsp)" = 80010000000a00000143
