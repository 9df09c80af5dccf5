# test_ecdh.sh — ECDH in the TPM: ecdhkeygen makes an ephemeral point and the
# shared secret, ecdhzgen recomputes it from the point with the private key.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G ecc256:ecdh -u k.pub -r k.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u k.pub -r k.priv -c k.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_ecdhkeygen -u ephemeral.pub -o z1.bin -c k.ctx
run tpm2_flushcontext -t
run tpm2_ecdhzgen -u ephemeral.pub -o z2.bin -c k.ctx
run tpm2_flushcontext -t
cmp z1.bin z2.bin
