# SPDX-License-Identifier: BSD-2-Clause
# test_credential.sh — AK certification by credential activation (seed D6.3
# §4.3.1): createek, createak, makecredential (offline, -T none),
# activatecredential with a PolicySecret(endorsement) session for the EK.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createek -c ek.ctx -G rsa -u ek.pub
run tpm2_flushcontext -t
run tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -n ak.name >/dev/null
run tpm2_flushcontext -t
printf '0123456789abcdef' >secret.dat
name=$(od -v -An -tx1 ak.name | tr -d ' \n')
run tpm2_makecredential -T none -e ek.pub -s secret.dat -n "$name" -o cred.out
# The same credential made by the TPM (LoadExternal + MakeCredential).
run tpm2_makecredential -e ek.pub -s secret.dat -n "$name" -o cred.tpm
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S session.ctx
run tpm2_policysecret -S session.ctx -c e >/dev/null
run tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred.out -o recovered.dat -P session:session.ctx
run tpm2_flushcontext session.ctx
run tpm2_flushcontext -t
cmp secret.dat recovered.dat
run tpm2_startauthsession --policy-session -S session.ctx
run tpm2_policysecret -S session.ctx -c e >/dev/null
run tpm2_activatecredential -c ak.ctx -C ek.ctx -i cred.tpm -o recovered2.dat -P session:session.ctx
run tpm2_flushcontext session.ctx
run tpm2_flushcontext -t
blame tpm2_makecredential
cmp secret.dat recovered2.dat
