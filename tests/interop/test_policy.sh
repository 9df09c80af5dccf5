# SPDX-License-Identifier: BSD-2-Clause
# test_policy.sh — policy sessions: a trial session computes a policy
# (PolicyCommandCode + PolicyAuthValue), a sealed object uses it, a real
# policy session satisfies it; a session missing a step is refused.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_startauthsession -S trial.ctx
run tpm2_policycommandcode -S trial.ctx TPM2_CC_Unseal >/dev/null
run tpm2_policyauthvalue -S trial.ctx -L policy.bin >/dev/null
run tpm2_flushcontext trial.ctx
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'sealed by policy' >secret.dat
run tpm2_create -C primary.ctx -L policy.bin -p objpass -i secret.dat -u s.pub -r s.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u s.pub -r s.priv -c s.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policycommandcode -S p.ctx TPM2_CC_Unseal >/dev/null
run tpm2_policyauthvalue -S p.ctx >/dev/null
run tpm2_unseal -c s.ctx -p session:p.ctx+objpass -o out.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out.dat
run tpm2_startauthsession --policy-session -S q.ctx
run tpm2_policycommandcode -S q.ctx TPM2_CC_Unseal >/dev/null
must_fail tpm2_unseal -c s.ctx -p session:q.ctx+objpass -o out2.dat
run tpm2_flushcontext q.ctx
