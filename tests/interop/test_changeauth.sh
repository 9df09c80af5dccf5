# SPDX-License-Identifier: BSD-2-Clause
# test_changeauth.sh — TPM2_ObjectChangeAuth (Part 3 §12.4) through
# tpm2_changeauth: a new private blob carries the new password, the old blob
# keeps the old one; and NV_ChangeAuth for an index with a policy allowing it.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G ecc -p oldpw -u k.pub -r k.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_changeauth -c k.ctx -C primary.ctx -p oldpw -r k.new newpw
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u k.pub -r k.new -c knew.ctx >/dev/null
run tpm2_flushcontext -t
printf 'msg' >msg.dat
run tpm2_sign -c knew.ctx -p newpw -g sha256 -o s1.sig msg.dat
run tpm2_flushcontext -t
must_fail tpm2_sign -c knew.ctx -p oldpw -g sha256 -o s2.sig msg.dat
run tpm2_flushcontext -t
run tpm2_sign -c k.ctx -p oldpw -g sha256 -o s3.sig msg.dat
run tpm2_flushcontext -t

# NV index whose ADMIN role is PolicyCommandCode(NV_ChangeAuth).
run tpm2_startauthsession -S t.ctx
run tpm2_policycommandcode -S t.ctx -L nvca.policy TPM2_CC_NV_ChangeAuth >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_nvdefine 0x1500040 -C o -s 8 -p nvold -L nvca.policy -a "authread|authwrite" >/dev/null
printf '12345678' >d.dat
run tpm2_nvwrite 0x1500040 -P nvold -i d.dat
run tpm2_startauthsession --policy-session -S s.ctx
run tpm2_policycommandcode -S s.ctx TPM2_CC_NV_ChangeAuth >/dev/null
run tpm2_changeauth -c 0x1500040 -p session:s.ctx nvnew
run tpm2_flushcontext s.ctx
run tpm2_nvread 0x1500040 -P nvnew -s 8 -o r.dat
cmp d.dat r.dat
must_fail tpm2_nvread 0x1500040 -P nvold -s 8
