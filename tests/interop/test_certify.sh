# SPDX-License-Identifier: BSD-2-Clause
# test_certify.sh — a TPM key certifying another (implicit attestation of the
# TLS key in seed D6.3 §4.3.1): certify, verify the attestation signature.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G ecc -u signer.pub -r signer.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u signer.pub -r signer.priv -c signer.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G rsa2048 -u tls.pub -r tls.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u tls.pub -r tls.priv -c tls.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_certify -C signer.ctx -c tls.ctx -g sha256 -o attest.bin -s attest.sig -f plain >/dev/null
run tpm2_flushcontext -t
run tpm2_readpublic -c signer.ctx -f pem -o signer.pem >/dev/null
run tpm2_flushcontext -t
blame tpm2_certify
openssl dgst -sha256 -verify signer.pem -signature attest.sig attest.bin >/dev/null
