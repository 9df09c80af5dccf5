# SPDX-License-Identifier: BSD-2-Clause
# test_keys.sh — primary and child keys: createprimary, create, load, sign,
# verifysignature (ECC P-256 and RSA 2048), and an OpenSSL check of a TPM
# signature over the exported public key.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -g sha256 -G ecc -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'message to sign' >msg.dat
printf 'another message' >bad.dat
for alg in ecc:ecdsa rsa2048:rsassa; do
    key=${alg%%:*}
    run tpm2_create -C primary.ctx -G "$key" -u "$key.pub" -r "$key.priv" >/dev/null
    run tpm2_flushcontext -t
    run tpm2_load -C primary.ctx -u "$key.pub" -r "$key.priv" -c "$key.ctx" >/dev/null
    run tpm2_flushcontext -t
    run tpm2_sign -c "$key.ctx" -g sha256 -o "$key.sig" msg.dat
    run tpm2_flushcontext -t
    run tpm2_verifysignature -c "$key.ctx" -g sha256 -m msg.dat -s "$key.sig"
    run tpm2_flushcontext -t
    must_fail tpm2_verifysignature -c "$key.ctx" -g sha256 -m bad.dat -s "$key.sig"
    run tpm2_flushcontext -t
    # The same signature checked by OpenSSL against the exported key.
    run tpm2_readpublic -c "$key.ctx" -f pem -o "$key.pem" >/dev/null
    run tpm2_flushcontext -t
    run tpm2_sign -c "$key.ctx" -g sha256 -f plain -o "$key.plain" msg.dat
    run tpm2_flushcontext -t
    openssl dgst -sha256 -verify "$key.pem" -signature "$key.plain" msg.dat >/dev/null
done
