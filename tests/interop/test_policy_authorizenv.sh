# SPDX-License-Identifier: BSD-2-Clause
# test_policy_authorizenv.sh — PolicyAuthorizeNV (Part 3 §23.23): the policy
# digest held in an NV index (PolicyPassword) authorizes a sealed object whose
# policy is H(0 || TPM_CC_PolicyAuthorizeNV || NV Name), rebuilt here.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000
run tpm2_nvdefine 0x1500070 -C o -p nvpass -a "authread|authwrite" -s 34 >/dev/null
run tpm2_startauthsession -S t.ctx
run tpm2_policypassword -S t.ctx -L pw.policy >/dev/null
run tpm2_flushcontext t.ctx
{ printf '\000\013'; cat pw.policy; } >nvpolicy.bin
run tpm2_nvwrite 0x1500070 -C 0x1500070 -P nvpass -i nvpolicy.bin
nvname=$(run tpm2_nvreadpublic 0x1500070 | sed -n 's/^ *name: *//p')
run tpm2_startauthsession -S t.ctx
run tpm2_policyauthorizenv -S t.ctx -C 0x1500070 -P nvpass -L anv.policy 0x1500070 >/dev/null
run tpm2_flushcontext t.ctx
check -t tpm2_policyauthorizenv "PolicyAuthorizeNV digest" "$(hexof anv.policy)" = \
    "$(sha256hex $zeros 00000192 "$nvname")"
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'nv authorized' >secret.dat
run tpm2_create -C primary.ctx -a "fixedtpm|fixedparent|adminwithpolicy" -p objpw -L anv.policy \
    -i secret.dat -u k.pub -r k.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypassword -S p.ctx >/dev/null
run tpm2_policyauthorizenv -S p.ctx -C 0x1500070 -P nvpass 0x1500070 >/dev/null
run tpm2_unseal -c k.ctx -p session:p.ctx+objpw -o out.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out.dat
