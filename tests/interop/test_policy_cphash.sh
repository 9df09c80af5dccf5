# SPDX-License-Identifier: BSD-2-Clause
# test_policy_cphash.sh — deferred policy assertions (Part 3 §23.12, §23.14,
# §23.7): PolicyCpHash and PolicyNameHash as owner-hierarchy policies (the
# owner's Name is its handle, so no circular Name), the cpHash printed by
# tpm2_nvdefine --cphash rebuilt here; PolicyLocality on sealed objects.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000

# cpHash of NV_DefineSpace(owner, auth "", {0x1500061, SHA-256,
# OWNERWRITE|OWNERREAD, no policy, 8 bytes}).
run tpm2_nvdefine 0x1500061 -C o -s 8 -a "ownerread|ownerwrite" --cphash cp.bin >/dev/null
check -t tpm2_nvdefine "cpHash of NV_DefineSpace" "$(hexof cp.bin)" = \
    "0020$(sha256hex 0000012a 40000001 0000 000e 01500061 000b 00020002 0000 0008)"
run tpm2_startauthsession -S t.ctx
run tpm2_policycphash -S t.ctx --cphash-input cp.bin -L cp.policy >/dev/null
run tpm2_flushcontext t.ctx
check -t tpm2_policycphash "PolicyCpHash digest" "$(hexof cp.policy)" = \
    "$(sha256hex $zeros 0000016e "$(hexof cp.bin | cut -c5-)")"
run tpm2_setprimarypolicy -C o -L cp.policy -g sha256
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policycphash -S p.ctx --cphash-input cp.bin >/dev/null
must_fail tpm2_nvdefine 0x1500062 -C o -P session:p.ctx -s 8 -a "ownerread|ownerwrite"
run tpm2_flushcontext p.ctx
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policycphash -S p.ctx --cphash-input cp.bin >/dev/null
run tpm2_nvdefine 0x1500061 -C o -P session:p.ctx -s 8 -a "ownerread|ownerwrite" >/dev/null
run tpm2_flushcontext p.ctx
run tpm2_nvreadpublic 0x1500061 | grep -q 'size: 8'

# nameHash of NV_UndefineSpace(owner, 0x1500063) is H(owner Name || NV Name).
run tpm2_nvdefine 0x1500063 -C o -s 8 -a "ownerread|ownerwrite" >/dev/null
run tpm2_nvdefine 0x1500064 -C o -s 8 -a "ownerread|ownerwrite" >/dev/null
nvname=$(run tpm2_nvreadpublic 0x1500063 | sed -n 's/^ *name: *//p')
sha256hex 40000001 "$nvname" | xxd -r -p >namehash.bin
run tpm2_startauthsession -S t.ctx
run tpm2_policynamehash -S t.ctx -n namehash.bin -L nh.policy >/dev/null
run tpm2_flushcontext t.ctx
check -t tpm2_policynamehash "PolicyNameHash digest" "$(hexof nh.policy)" = \
    "$(sha256hex $zeros 00000170 "$(hexof namehash.bin)")"
run tpm2_setprimarypolicy -C o -L nh.policy -g sha256
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policynamehash -S p.ctx -n namehash.bin >/dev/null
must_fail tpm2_nvundefine 0x1500064 -C o -P session:p.ctx
run tpm2_flushcontext p.ctx
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policynamehash -S p.ctx -n namehash.bin >/dev/null
run tpm2_nvundefine 0x1500063 -C o -P session:p.ctx
run tpm2_flushcontext p.ctx
must_fail tpm2_nvreadpublic 0x1500063

# PolicyLocality: locality zero is TPMA_LOCALITY 0x01, three is 0x08; the
# tools talk at locality 0.
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'local secret' >secret.dat
for loc in zero:01 three:08; do
    name=${loc%%:*}
    run tpm2_startauthsession -S t.ctx
    run tpm2_policylocality -S t.ctx -L $name.policy $name >/dev/null
    run tpm2_flushcontext t.ctx
    check -t tpm2_policylocality "PolicyLocality($name) digest" "$(hexof $name.policy)" = \
        "$(sha256hex $zeros 0000016f ${loc#*:})"
    run tpm2_create -C primary.ctx -L $name.policy -i secret.dat -u $name.pub -r $name.priv >/dev/null
    run tpm2_flushcontext -t
    run tpm2_load -C primary.ctx -u $name.pub -r $name.priv -c $name.ctx >/dev/null
    run tpm2_flushcontext -t
done
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policylocality -S p.ctx zero >/dev/null
run tpm2_unseal -c zero.ctx -p session:p.ctx -o out.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out.dat
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policylocality -S p.ctx three >/dev/null
must_fail tpm2_unseal -c three.ctx -p session:p.ctx -o out2.dat
run tpm2_flushcontext p.ctx
