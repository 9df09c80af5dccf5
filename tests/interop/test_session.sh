# SPDX-License-Identifier: BSD-2-Clause
# test_session.sh — authorization: HMAC sessions (unsalted and salted, with
# parameter encryption), object passwords, hierarchy auth change.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_startauthsession --hmac-session -S hmac.ctx
run tpm2_sessionconfig hmac.ctx --enable-encrypt
r=$(run tpm2_getrandom -S hmac.ctx --hex 16)
check "getrandom in an unsalted HMAC session, response encrypted" ${#r} -eq 32
run tpm2_flushcontext hmac.ctx
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --hmac-session -c primary.ctx -S salted.ctx
run tpm2_flushcontext -t
run tpm2_sessionconfig salted.ctx --enable-encrypt
r=$(run tpm2_getrandom -S salted.ctx --hex 16)
check "getrandom in a salted session, response encrypted" ${#r} -eq 32
run tpm2_flushcontext salted.ctx
run tpm2_create -C primary.ctx -G ecc -p keypass -u key.pub -r key.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u key.pub -r key.priv -c key.ctx >/dev/null
run tpm2_flushcontext -t
printf 'msg' >msg.dat
run tpm2_sign -c key.ctx -p keypass -g sha256 -o sig.bin msg.dat
run tpm2_flushcontext -t
must_fail tpm2_sign -c key.ctx -p wrongpass -g sha256 -o sig2.bin msg.dat
run tpm2_flushcontext -t
run tpm2_changeauth -c o ownerpass
must_fail tpm2_createprimary -C o -c p2.ctx
run tpm2_flushcontext -t
run tpm2_createprimary -C o -P ownerpass -c p2.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_changeauth -c o -p ownerpass
run tpm2_createprimary -C o -c p3.ctx >/dev/null
run tpm2_flushcontext -t
