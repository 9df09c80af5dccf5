# SPDX-License-Identifier: BSD-2-Clause
# test_policy_nv.sh — policies on NV contents and on the clock (Part 3
# §23.9, §23.10): PolicyNV and PolicyCounterTimer trial digests
# rebuilt here (operation codes TPM_EO_EQ 0, UNSIGNED_GT 3, UNSIGNED_LT 5),
# true comparisons pass and false ones are refused in a real session;
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000
printf '\000\000\000\000\000\000\000\005' >five.dat
printf '\000\000\000\000\000\000\000\006' >six.dat
run tpm2_nvdefine 0x1500050 -C o -s 8 -a "ownerread|ownerwrite|authread|authwrite" >/dev/null
run tpm2_nvwrite 0x1500050 -C o -i five.dat
nvname=$(run tpm2_nvreadpublic 0x1500050 | sed -n 's/^ *name: *//p')
check -t tpm2_nvreadpublic "NV name read" ${#nvname} -eq 68

run tpm2_startauthsession -S t.ctx
run tpm2_policynv -S t.ctx -i five.dat -L nv.policy 0x1500050 eq >/dev/null
run tpm2_flushcontext t.ctx
check -t tpm2_policynv "PolicyNV digest" "$(hexof nv.policy)" = \
    "$(sha256hex $zeros 00000149 "$(sha256hex "$(hexof five.dat)" 0000 0000)" "$nvname")"
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policynv -S p.ctx -i five.dat 0x1500050 eq >/dev/null
run tpm2_getpolicydigest -S p.ctx -o p.digest >/dev/null
check -t tpm2_policynv "real session digest equals the trial" "$(hexof p.digest)" = "$(hexof nv.policy)"
run tpm2_policynv -S p.ctx -i six.dat 0x1500050 ult >/dev/null
must_fail tpm2_policynv -S p.ctx -i six.dat 0x1500050 eq
must_fail tpm2_policynv -S p.ctx -i six.dat 0x1500050 ugt
run tpm2_flushcontext p.ctx

big=1000000000000
run tpm2_startauthsession -S t.ctx
run tpm2_policycountertimer -S t.ctx -L ct.policy --ult clock=$big >/dev/null
run tpm2_flushcontext t.ctx
# operandB is the u64 value, offset 8 is TPMS_TIME_INFO.clockInfo.clock.
check -t tpm2_policycountertimer "PolicyCounterTimer digest" "$(hexof ct.policy)" = \
    "$(sha256hex $zeros 0000016d "$(sha256hex "$(printf '%016x' $big)" 0008 0005)")"
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policycountertimer -S p.ctx --ult clock=$big >/dev/null
must_fail tpm2_policycountertimer -S p.ctx --ugt clock=$big
run tpm2_flushcontext p.ctx
