# SPDX-License-Identifier: BSD-2-Clause
# test_power.sh — Shutdown and Startup across a power cycle (_TPM_Init
# through the platform port, see lib.sh tpm_reset): Shutdown(STATE) then
# Startup(STATE) keeps PCR 0 (Part 1 §36.5, TPM Resume); Shutdown(CLEAR)
# refuses Startup(STATE) and Startup(CLEAR) resets PCR 0 (TPM Reset).
. "$QTPM_INTEROP_LIB"
zeros=0000000000000000000000000000000000000000000000000000000000000000
run tpm2_startup -c
run tpm2_pcrread sha256:0 -o pcr0.start >/dev/null
check "PCR 0 starts at zero" "$(hexof pcr0.start)" = "$zeros"
run tpm2_pcrextend "0:sha256=$(printf resume | sha256sum | cut -d' ' -f1)"
run tpm2_pcrread sha256:0 -o pcr0.before >/dev/null
check "PCR 0 extended" "$(hexof pcr0.before)" != "$zeros"
run tpm2_shutdown
tpm_reset
run tpm2_startup
run tpm2_pcrread sha256:0 -o pcr0.resumed >/dev/null
check "Startup(STATE) after Shutdown(STATE) keeps PCR 0" \
    "$(hexof pcr0.resumed)" = "$(hexof pcr0.before)"
run tpm2_shutdown -c
tpm_reset
must_fail tpm2_startup
run tpm2_startup -c
run tpm2_pcrread sha256:0 -o pcr0.reset >/dev/null
check "Startup(CLEAR) resets PCR 0" "$(hexof pcr0.reset)" = "$zeros"
