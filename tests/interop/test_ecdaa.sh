# SPDX-License-Identifier: BSD-2-Clause
# test_ecdaa.sh — the ECC commitment commands and the signatures and
# policies that use them: Commit + Sign(ECDAA) with the commit counter (a
# counter is spent once), EC_Ephemeral + ZGen_2Phase, Sign(ECSchnorr) checked
# by VerifySignature, a PolicySecret ticket redeemed by PolicyTicket,
# PolicyTemplate's digest, and PolicyAuthorizeNV against an approved policy
# kept in an NV index.
. "$QTPM_INTEROP_LIB"
u16() { od -An -tu1 "$1" | awk '{ print $1 * 256 + $2 }'; }
run tpm2_startup -c
run tpm2_createprimary -C o -c prim.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s
run tpm2_create -C prim.ctx -G ecc256:ecdaa -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" \
    -u d.pub -r d.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s
run tpm2_load -C prim.ctx -u d.pub -r d.priv -c d.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s
printf 'anonymous message' >msg.dat
run tpm2_commit -c d.ctx -t counter.bin --eccpoint-K K.bin --eccpoint-L L.bin -u E.bin
check "commit counter is a UINT16" "$(stat -c %s counter.bin)" -eq 2
n=$(u16 counter.bin)
run tpm2_sign -c d.ctx -g sha256 -s ecdaa --commit-index="$n" -o daa.sig msg.dat
must_fail tpm2_sign -c d.ctx -g sha256 -s ecdaa --commit-index="$n" -o daa2.sig msg.dat
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s

# two-phase key exchange with an ephemeral key from EC_Ephemeral
run tpm2_ecephemeral -u qe.bin -t ectr.bin ecc256
run tpm2_create -C prim.ctx -G ecc256:ecdh -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|decrypt" \
    -u x.pub -r x.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s
run tpm2_load -C prim.ctx -u x.pub -r x.priv -c x.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s
run tpm2_ecephemeral -u qb.bin -t bctr.bin ecc256
run tpm2_zgen2phase -c x.ctx -t "$(u16 ectr.bin)" --static-public qb.bin --ephemeral-public qb.bin \
    --output-Z1 z1.bin --output-Z2 z2.bin
must_fail tpm2_zgen2phase -c x.ctx -t "$(u16 ectr.bin)" --static-public qb.bin \
    --ephemeral-public qb.bin --output-Z1 z1.bin --output-Z2 z2.bin
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s

# EC-Schnorr
run tpm2_create -C prim.ctx -G ecc256 -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" \
    -u s.pub -r s.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s
run tpm2_load -C prim.ctx -u s.pub -r s.priv -c s.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s
run tpm2_sign -c s.ctx -g sha256 -s ecschnorr -o schnorr.sig msg.dat
run tpm2_verifysignature -c s.ctx -g sha256 -m msg.dat -s schnorr.sig -t verified.tk
printf 'another message' >other.dat
must_fail tpm2_verifysignature -c s.ctx -g sha256 -m other.dat -s schnorr.sig
run tpm2_flushcontext -t
run tpm2_flushcontext -l
run tpm2_flushcontext -s

# PolicySecret with a negative expiration returns a ticket; PolicyTicket
# redeems it in another session for the same digest
run tpm2_startauthsession --policy-session -S ps.ctx
run tpm2_policysecret -S ps.ctx -c o -t -300 --ticket secret.tk --timeout secret.to -L secret.policy >/dev/null
run tpm2_flushcontext ps.ctx
printf '\100\000\000\001' >owner.name
run tpm2_startauthsession --policy-session -S pt.ctx
run tpm2_policyticket -S pt.ctx -n owner.name --ticket secret.tk --timeout secret.to -L ticket.policy
run tpm2_flushcontext pt.ctx
cmp secret.policy ticket.policy
printf 'other' >other.name
run tpm2_startauthsession --policy-session -S pu.ctx
must_fail tpm2_policyticket -S pu.ctx -n other.name --ticket secret.tk --timeout secret.to
run tpm2_flushcontext pu.ctx

# PolicyTemplate: H(0^32 || TPM_CC_PolicyTemplate || templateHash)
printf 'template bytes' | openssl dgst -sha256 -binary >th.bin
run tpm2_startauthsession -S tt.ctx
run tpm2_policytemplate -S tt.ctx --template-hash th.bin -L template.policy
run tpm2_flushcontext tt.ctx
{ head -c 32 /dev/zero; printf '\000\000\001\220'; cat th.bin; } | openssl dgst -sha256 -binary >want.policy
cmp template.policy want.policy

# PolicyAuthorizeNV: the index holds TPMT_HA of the approved policy
run tpm2_nvdefine -C o -s 34 -a "ownerread|ownerwrite" 0x1500020
run tpm2_startauthsession -S ta.ctx
run tpm2_policycommandcode -S ta.ctx -L approved.policy TPM2_CC_Unseal >/dev/null
run tpm2_flushcontext ta.ctx
{ printf '\000\013'; cat approved.policy; } >approved.ha
run tpm2_nvwrite -C o -i approved.ha 0x1500020
run tpm2_startauthsession --policy-session -S pa.ctx
run tpm2_policycommandcode -S pa.ctx TPM2_CC_Unseal >/dev/null
run tpm2_policyauthorizenv -S pa.ctx -C o -L nv.policy 0x1500020
run tpm2_flushcontext pa.ctx
run tpm2_startauthsession --policy-session -S pb.ctx
run tpm2_policycommandcode -S pb.ctx TPM2_CC_Sign >/dev/null
must_fail tpm2_policyauthorizenv -S pb.ctx -C o 0x1500020
run tpm2_flushcontext pb.ctx
run tpm2_nvundefine -C o 0x1500020
