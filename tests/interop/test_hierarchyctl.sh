# SPDX-License-Identifier: BSD-2-Clause
# test_hierarchyctl.sh — hierarchy controls with platform and lockout auth
# (Part 3 §24): HierarchyControl disables and re-enables the storage
# hierarchy, SetPrimaryPolicy lets a policy session stand for owner auth,
# ChangeEPS/ChangePPS change the endorsement/platform primary keys, and
# ClearControl disables and re-enables TPM2_Clear.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_hierarchycontrol -C p shEnable clear
run tpm2_getcap properties-variable | grep -Eq 'shEnable: *0'
must_fail tpm2_createprimary -C o -c x.ctx
run tpm2_hierarchycontrol -C p shEnable set
run tpm2_getcap properties-variable | grep -Eq 'shEnable: *1'
run tpm2_createprimary -C o -c x.ctx >/dev/null
run tpm2_flushcontext -t

# Owner policy: PolicyCommandCode(CreatePrimary); owner auth is "ownerpw".
run tpm2_startauthsession -S t.ctx
run tpm2_policycommandcode -S t.ctx -L owner.policy TPM2_CC_CreatePrimary >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_changeauth -c o ownerpw
run tpm2_setprimarypolicy -C o -P ownerpw -L owner.policy -g sha256
run tpm2_startauthsession --policy-session -S s.ctx
run tpm2_policycommandcode -S s.ctx TPM2_CC_CreatePrimary >/dev/null
run tpm2_createprimary -C o -P session:s.ctx -c y.ctx >/dev/null
run tpm2_flushcontext s.ctx
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S s.ctx
run tpm2_policycommandcode -S s.ctx TPM2_CC_Create >/dev/null
must_fail tpm2_createprimary -C o -P session:s.ctx -c z.ctx
run tpm2_flushcontext s.ctx
run tpm2_flushcontext -t

for h in e p; do
    run tpm2_createprimary -C $h -G ecc -c $h.1.ctx >/dev/null
    run tpm2_readpublic -c $h.1.ctx -o $h.1.pub >/dev/null
    run tpm2_flushcontext -t
done
run tpm2_changeeps
run tpm2_changepps
for h in e p; do
    run tpm2_createprimary -C $h -G ecc -c $h.2.ctx >/dev/null
    run tpm2_readpublic -c $h.2.ctx -o $h.2.pub >/dev/null
    run tpm2_flushcontext -t
    if cmp -s $h.1.pub $h.2.pub; then echo "primary key of hierarchy $h unchanged by its seed change" >&2; exit 1; fi
done

run tpm2_clearcontrol -C l s
run tpm2_getcap properties-variable | grep -Eq 'disableClear: *1'
must_fail tpm2_clear -c l
run tpm2_clearcontrol -C p c
run tpm2_getcap properties-variable | grep -Eq 'disableClear: *0'
run tpm2_clear -c l
