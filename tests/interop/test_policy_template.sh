# SPDX-License-Identifier: BSD-2-Clause
# test_policy_template.sh — PolicyTemplate (Part 3 §23.21) as the owner
# policy: digest H(0 || TPM_CC_PolicyTemplate || templateHash) rebuilt here; a
# primary with that template is created through the policy, another
# template is refused.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000
run tpm2_createprimary -C o -c p.ctx --template-data template.data >/dev/null
run tpm2_flushcontext -t
openssl dgst -sha256 -binary -out template.hash template.data
run tpm2_startauthsession -S t.ctx
run tpm2_policytemplate -S t.ctx -L template.policy --template-hash template.hash >/dev/null
run tpm2_flushcontext t.ctx
check -t tpm2_policytemplate "PolicyTemplate digest" "$(hexof template.policy)" = \
    "$(sha256hex $zeros 00000190 "$(hexof template.hash)")"
run tpm2_setprimarypolicy -C o -g sha256 -L template.policy
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policytemplate -S p.ctx --template-hash template.hash >/dev/null
run tpm2_createprimary -C o -c p2.ctx -P session:p.ctx >/dev/null
run tpm2_flushcontext p.ctx
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policytemplate -S p.ctx --template-hash template.hash >/dev/null
must_fail -t tpm2_policytemplate tpm2_createprimary -C o -G ecc -c p3.ctx -P session:p.ctx
run tpm2_flushcontext p.ctx
