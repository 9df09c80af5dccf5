# SPDX-License-Identifier: BSD-2-Clause
# test_encrypt.sh — RSA encryption (RSAES and OAEP) with a TPM key, AES
# encryption and decryption in CFB mode.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'secret message!!' >msg.dat
run tpm2_create -C primary.ctx -G rsa2048 -a "decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth" \
    -u rsa.pub -r rsa.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u rsa.pub -r rsa.priv -c rsa.ctx >/dev/null
run tpm2_flushcontext -t
for scheme in oaep rsaes; do
    run tpm2_rsaencrypt -c rsa.ctx -s $scheme -o enc.$scheme msg.dat
    run tpm2_flushcontext -t
    run tpm2_rsadecrypt -c rsa.ctx -s $scheme -o dec.$scheme enc.$scheme
    run tpm2_flushcontext -t
    cmp msg.dat dec.$scheme
done
run tpm2_create -C primary.ctx -G aes128cfb -u aes.pub -r aes.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u aes.pub -r aes.priv -c aes.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_encryptdecrypt -c aes.ctx -o aes.enc msg.dat
run tpm2_flushcontext -t
run tpm2_encryptdecrypt -d -c aes.ctx -o aes.dec aes.enc
run tpm2_flushcontext -t
cmp msg.dat aes.dec
check "AES output differs from input" "$(od -v -An -tx1 aes.enc)" != "$(od -v -An -tx1 msg.dat)"
