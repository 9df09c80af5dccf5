# test_policy_or.sh — compound policies: PolicyOR over two branches (PCR
# state or password), PolicyAuthorize with a signed policy (the flow that lets
# a verifier update the good PCR values without resealing).
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_pcrreset 23
run tpm2_startauthsession -S t.ctx
run tpm2_policypcr -S t.ctx -l sha256:23 -L pcr.policy >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_startauthsession -S t.ctx
run tpm2_policypassword -S t.ctx -L pw.policy >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_startauthsession -S t.ctx
run tpm2_policyor -S t.ctx -L or.policy -l sha256:pcr.policy,pw.policy >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'either branch' >secret.dat
run tpm2_create -C primary.ctx -L or.policy -p pw -i secret.dat -u s.pub -r s.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u s.pub -r s.priv -c s.ctx >/dev/null
run tpm2_flushcontext -t
# Branch 1: the PCR.
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypcr -S p.ctx -l sha256:23 >/dev/null
run tpm2_policyor -S p.ctx -l sha256:pcr.policy,pw.policy >/dev/null
run tpm2_unseal -c s.ctx -p session:p.ctx -o out1.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out1.dat
# Branch 2: the password, after the PCR changed.
run tpm2_pcrextend "23:sha256=$(printf y | sha256sum | cut -d' ' -f1)"
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypassword -S p.ctx >/dev/null
run tpm2_policyor -S p.ctx -l sha256:pcr.policy,pw.policy >/dev/null
run tpm2_unseal -c s.ctx -p session:p.ctx+pw -o out2.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out2.dat

# PolicyAuthorize: an authority key signs the PCR policy.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out authority.pem 2>/dev/null
openssl pkey -in authority.pem -pubout -out authority.pub.pem 2>/dev/null
run tpm2_loadexternal -G ecc -C o -u authority.pub.pem -c authority.ctx -n authority.name >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession -S t.ctx
run tpm2_policyauthorize -S t.ctx -L authorize.policy -n authority.name >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_startauthsession -S t.ctx
run tpm2_policypcr -S t.ctx -l sha256:23 -L pcr2.policy >/dev/null
run tpm2_flushcontext t.ctx
openssl dgst -sha256 -sign authority.pem -out pcr2.sig pcr2.policy
run tpm2_create -C primary.ctx -L authorize.policy -i secret.dat -u a.pub -r a.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u a.pub -r a.priv -c a.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_verifysignature -c authority.ctx -g sha256 -m pcr2.policy -s pcr2.sig -f ecdsa -t verified.ticket >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypcr -S p.ctx -l sha256:23 >/dev/null
run tpm2_policyauthorize -S p.ctx -i pcr2.policy -n authority.name -t verified.ticket >/dev/null
run tpm2_unseal -c a.ctx -p session:p.ctx -o out3.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out3.dat
