# SPDX-License-Identifier: BSD-2-Clause
# test_policy_signed.sh — PolicySigned and PolicyAuthorize (Part 3 §23.3,
# §23.16) with OpenSSL authorities loaded by LoadExternal: trial digests
# rebuilt here; a signature over the session's nonceTPM unseals, a signature
# by another key does not; an approved PolicyPCR digest signed by the
# authority, checked by VerifySignature into a ticket, satisfies
# PolicyAuthorize.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out signer.pem 2>/dev/null
openssl pkey -in signer.pem -pubout -out signer.pub.pem
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.pem 2>/dev/null
run tpm2_loadexternal -C o -G rsa -u signer.pub.pem -c signer.ctx -n signer.name >/dev/null
run tpm2_flushcontext -t
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'signed policy' >secret.dat

# PolicySigned: H(H(0 || TPM_CC_PolicySigned || authObject name) || policyRef).
printf '\000\000\000\000' >zero.exp
openssl dgst -sha256 -sign signer.pem -out trial.sig zero.exp
run tpm2_startauthsession -S t.ctx
run tpm2_policysigned -S t.ctx -g sha256 -s trial.sig -f rsassa -c signer.ctx -L signed.policy >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext t.ctx
check -t tpm2_policysigned "PolicySigned digest" "$(hexof signed.policy)" = \
    "$(sha256hex "$(sha256hex $zeros 00000160 "$(hexof signer.name)")")"
run tpm2_create -C primary.ctx -L signed.policy -i secret.dat -u s.pub -r s.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u s.pub -r s.priv -c s.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policysigned -S p.ctx -c signer.ctx -x --raw-data tosign.bin >/dev/null
run tpm2_flushcontext -t
openssl dgst -sha256 -sign signer.pem -out nonce.sig tosign.bin
run tpm2_policysigned -S p.ctx -g sha256 -s nonce.sig -f rsassa -c signer.ctx -x >/dev/null
run tpm2_flushcontext -t
run tpm2_unseal -c s.ctx -p session:p.ctx -o out1.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out1.dat
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policysigned -S p.ctx -c signer.ctx -x --raw-data tosign2.bin >/dev/null
run tpm2_flushcontext -t
openssl dgst -sha256 -sign other.pem -out bad.sig tosign2.bin
must_fail tpm2_policysigned -S p.ctx -g sha256 -s bad.sig -f rsassa -c signer.ctx -x
run tpm2_flushcontext -t
run tpm2_flushcontext p.ctx

# PolicyAuthorize: H(H(0 || TPM_CC_PolicyAuthorize || keySign name) || policyRef).
run tpm2_pcrreset 16
run tpm2_startauthsession -S t.ctx
run tpm2_policyauthorize -S t.ctx -L authz.policy -n signer.name >/dev/null
run tpm2_flushcontext t.ctx
check -t tpm2_policyauthorize "PolicyAuthorize digest" "$(hexof authz.policy)" = \
    "$(sha256hex "$(sha256hex $zeros 0000016a "$(hexof signer.name)")")"
run tpm2_startauthsession -S t.ctx
run tpm2_policypcr -S t.ctx -l sha256:16 -L pcr.policy >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_create -C primary.ctx -L authz.policy -i secret.dat -u a.pub -r a.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u a.pub -r a.priv -c a.ctx >/dev/null
run tpm2_flushcontext -t
# The authority signs aHash = H(approvedPolicy || policyRef), policyRef empty.
openssl dgst -sha256 -sign signer.pem -out pcr.policy.sig pcr.policy
run tpm2_verifysignature -c signer.ctx -g sha256 -m pcr.policy -s pcr.policy.sig -f rsassa -t verified.ticket
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypcr -S p.ctx -l sha256:16 >/dev/null
run tpm2_policyauthorize -S p.ctx -i pcr.policy -n signer.name -t verified.ticket >/dev/null
run tpm2_unseal -c a.ctx -p session:p.ctx -o out2.dat
run tpm2_flushcontext p.ctx
cmp secret.dat out2.dat
# A session whose digest is not the approved policy is refused.
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policypassword -S p.ctx >/dev/null
must_fail tpm2_policyauthorize -S p.ctx -i pcr.policy -n signer.name -t verified.ticket
run tpm2_flushcontext p.ctx
