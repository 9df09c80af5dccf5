# SPDX-License-Identifier: BSD-2-Clause
# test_policy_or.sh — PolicyPassword, PolicyPCR and PolicyOR (Part 3 §23):
# trial digests rebuilt here, a sealed object reachable by either branch,
# PolicyGetDigest of a real session, PolicyRestart back to zero, and the PCR
# branch refused once the PCR changes.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000
run tpm2_pcrreset 16
run tpm2_pcrread sha256:16 -o pcr16.bin >/dev/null
run tpm2_startauthsession -S t.ctx
run tpm2_policypassword -S t.ctx -L pw.policy >/dev/null
run tpm2_flushcontext t.ctx
# PolicyPassword extends like PolicyAuthValue: H(0 || TPM_CC_PolicyAuthValue).
check -t tpm2_policypassword "PolicyPassword digest" "$(hexof pw.policy)" = "$(sha256hex $zeros 0000016b)"
run tpm2_startauthsession -S t.ctx
run tpm2_policypcr -S t.ctx -l sha256:16 -L pcr.policy >/dev/null
run tpm2_flushcontext t.ctx
# TPML_PCR_SELECTION {1, {SHA-256, 3, 00 00 01}} and H(PCR 16).
check -t tpm2_policypcr "PolicyPCR digest" "$(hexof pcr.policy)" = \
    "$(sha256hex $zeros 0000017f 00000001000b03000001 "$(sha256hex "$(hexof pcr16.bin)")")"
run tpm2_startauthsession -S t.ctx
run tpm2_policyor -S t.ctx -L or.policy -l sha256:pw.policy,pcr.policy >/dev/null
run tpm2_flushcontext t.ctx
check -t tpm2_policyor "PolicyOR digest" "$(hexof or.policy)" = \
    "$(sha256hex $zeros 00000171 "$(hexof pw.policy)" "$(hexof pcr.policy)")"

run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'either branch' >secret.dat
run tpm2_create -C primary.ctx -L or.policy -p objpw -i secret.dat -u s.pub -r s.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u s.pub -r s.priv -c s.ctx >/dev/null
run tpm2_flushcontext -t

run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypcr -S p.ctx -l sha256:16 >/dev/null
run tpm2_policyor -S p.ctx -l sha256:pw.policy,pcr.policy >/dev/null
run tpm2_getpolicydigest -S p.ctx -o p.digest >/dev/null
check -t tpm2_getpolicydigest "PolicyGetDigest equals the trial digest" "$(hexof p.digest)" = "$(hexof or.policy)"
run tpm2_unseal -c s.ctx -p session:p.ctx -o out1.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out1.dat

run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypassword -S p.ctx >/dev/null
run tpm2_policyrestart -S p.ctx >/dev/null
run tpm2_getpolicydigest -S p.ctx -o r.digest >/dev/null
check -t tpm2_policyrestart "PolicyRestart resets the digest" "$(hexof r.digest)" = "$zeros"
run tpm2_policypassword -S p.ctx >/dev/null
run tpm2_policyor -S p.ctx -l sha256:pw.policy,pcr.policy >/dev/null
run tpm2_unseal -c s.ctx -p session:p.ctx+objpw -o out2.dat
cmp secret.dat out2.dat
must_fail tpm2_unseal -c s.ctx -p session:p.ctx+wrongpw -o out3.dat
run tpm2_flushcontext p.ctx

run tpm2_pcrextend "16:sha256=$zeros"
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypcr -S p.ctx -l sha256:16 >/dev/null
must_fail tpm2_policyor -S p.ctx -l sha256:pw.policy,pcr.policy
run tpm2_flushcontext p.ctx
