# SPDX-License-Identifier: BSD-2-Clause
# test_policy_nvwritten.sh — PolicyNvWritten (Part 3 §23.22): the trial
# digest of PolicyNvWritten(NO) + PolicyCommandCode(NV_Write) rebuilt here,
# and an index with that write policy is write-once: the first write through
# the policy passes, a second one is refused (TPM_RC_POLICY_FAIL).
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000
printf '\000\000\000\000\000\000\000\005' >five.dat
printf '\000\000\000\000\000\000\000\006' >six.dat
run tpm2_startauthsession -S t.ctx
run tpm2_policynvwritten -S t.ctx c >/dev/null
run tpm2_policycommandcode -S t.ctx -L once.policy TPM2_CC_NV_Write >/dev/null
run tpm2_flushcontext t.ctx
check -t tpm2_policynvwritten "PolicyNvWritten(NO) + PolicyCommandCode(NV_Write) digest" \
    "$(hexof once.policy)" = "$(sha256hex "$(sha256hex $zeros 0000018f 00)" 0000016c 00000137)"
run tpm2_nvdefine 0x1500051 -C o -s 8 -L once.policy -a "policywrite|authread|ownerread" >/dev/null
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policynvwritten -S p.ctx c >/dev/null
run tpm2_policycommandcode -S p.ctx TPM2_CC_NV_Write >/dev/null
run tpm2_nvwrite 0x1500051 -P session:p.ctx -i five.dat
run tpm2_flushcontext p.ctx
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policynvwritten -S p.ctx c >/dev/null
run tpm2_policycommandcode -S p.ctx TPM2_CC_NV_Write >/dev/null
must_fail -t tpm2_policynvwritten tpm2_nvwrite 0x1500051 -P session:p.ctx -i six.dat
run tpm2_flushcontext p.ctx
run tpm2_nvread 0x1500051 -C o -s 8 -o once.dat
cmp five.dat once.dat
