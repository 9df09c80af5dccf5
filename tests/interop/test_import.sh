# SPDX-License-Identifier: BSD-2-Clause
# test_import.sh — keys made by OpenSSL imported under a TPM parent (Part 3
# §13.3, outer wrapper made by the tool): RSA and P-256 signing keys (TPM
# signature checked by OpenSSL with the original key), an AES key (TPM CFB
# output equal to OpenSSL's) and an HMAC key (equal MACs).
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'imported key test' >msg.dat
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ecc.pem 2>/dev/null
for key in rsa ecc; do
    run tpm2_import -C primary.ctx -G $key -i $key.pem -u $key.pub -r $key.priv >/dev/null
    run tpm2_flushcontext -t
    run tpm2_load -C primary.ctx -u $key.pub -r $key.priv -c $key.ctx >/dev/null
    run tpm2_flushcontext -t
    run tpm2_sign -c $key.ctx -g sha256 -f plain -o $key.sig msg.dat
    run tpm2_flushcontext -t
    openssl pkey -in $key.pem -pubout -out $key.pubkey.pem
    openssl dgst -sha256 -verify $key.pubkey.pem -signature $key.sig msg.dat >/dev/null
done
# The TPM's idea of the imported public key equals OpenSSL's.
run tpm2_readpublic -c rsa.ctx -f pem -o rsa.tpm.pem >/dev/null
run tpm2_flushcontext -t
check "imported RSA public key unchanged" \
    "$(openssl pkey -pubin -in rsa.tpm.pem -outform der | od -An -tx1 | tr -d ' \n')" = \
    "$(openssl pkey -pubin -in rsa.pubkey.pem -outform der | od -An -tx1 | tr -d ' \n')"

head -c 16 /dev/urandom >aes.key
head -c 16 /dev/urandom >iv.bin
run tpm2_import -C primary.ctx -G aes -i aes.key -u aes.pub -r aes.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u aes.pub -r aes.priv -c aes.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_encryptdecrypt -c aes.ctx -G cfb -t iv.bin -o aes.enc msg.dat
run tpm2_flushcontext -t
openssl enc -aes-128-cfb -K "$(hexof aes.key)" -iv "$(hexof iv.bin)" -in msg.dat -out ossl.enc
cmp aes.enc ossl.enc

head -c 32 /dev/urandom >hmac.key
run tpm2_import -C primary.ctx -G hmac -i hmac.key -u hmac.pub -r hmac.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u hmac.pub -r hmac.priv -c hmac.ctx >/dev/null
run tpm2_flushcontext -t
mac=$(run tpm2_hmac -c hmac.ctx -g sha256 --hex msg.dat)
run tpm2_flushcontext -t
check "TPM HMAC equals OpenSSL's" "$mac" = \
    "$(openssl dgst -sha256 -mac HMAC -macopt hexkey:"$(hexof hmac.key)" msg.dat | sed 's/.*= //')"
