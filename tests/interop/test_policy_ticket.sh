# SPDX-License-Identifier: BSD-2-Clause
# test_policy_ticket.sh — PolicyTicket (Part 3 §23.5): a PolicySigned with an
# expiration returns a ticket; in a new session the ticket alone satisfies the
# same PolicySigned policy and unseals.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out signer.pem 2>/dev/null
openssl pkey -in signer.pem -pubout -out signer.pub.pem
run tpm2_loadexternal -C o -G rsa -u signer.pub.pem -c signer.ctx -n signer.name >/dev/null
run tpm2_flushcontext -t
# expiration -500 s (negative: a ticket is returned), as INT32 0xfffffe0c.
expiry=FFFFFE0C
printf "$expiry" | xxd -r -p >expiry.bin
openssl dgst -sha256 -sign signer.pem -out trial.sig expiry.bin
run tpm2_startauthsession -S t.ctx
run tpm2_policysigned -S t.ctx -g sha256 -s trial.sig -f rsassa -c signer.ctx -L signed.policy >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_flushcontext -t
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'ticketed secret' >secret.dat
run tpm2_create -C primary.ctx -L signed.policy -i secret.dat -u s.pub -r s.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u s.pub -r s.priv -c s.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policysigned -S p.ctx -c signer.ctx -x -t -500 --raw-data tosign.bin >/dev/null
run tpm2_flushcontext -t
openssl dgst -sha256 -sign signer.pem -out nonce.sig tosign.bin
run tpm2_policysigned -S p.ctx -g sha256 -s nonce.sig -f rsassa -c signer.ctx -x -t -500 \
    --ticket signed.ticket --timeout signed.timeout >/dev/null
run tpm2_flushcontext -t
run tpm2_flushcontext p.ctx
run tpm2_startauthsession --policy-session -S q.ctx
run tpm2_policyticket -S q.ctx -n signer.name --ticket signed.ticket --timeout signed.timeout >/dev/null
run tpm2_unseal -c s.ctx -p session:q.ctx -o out.dat
run tpm2_flushcontext q.ctx
cmp secret.dat out.dat
