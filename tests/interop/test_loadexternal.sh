# SPDX-License-Identifier: BSD-2-Clause
# test_loadexternal.sh — keys from outside into the TPM (Part 3 §12.3): an
# OpenSSL public key verifies an OpenSSL signature (and rejects another
# message); a full OpenSSL P-256 key in the null hierarchy signs, and OpenSSL
# verifies the signature; the Name equals nameAlg || H(TPMT_PUBLIC).
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
printf 'external key' >msg.dat
printf 'other message' >bad.dat
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.pem 2>/dev/null
openssl pkey -in rsa.pem -pubout -out rsa.pub.pem
openssl dgst -sha256 -sign rsa.pem -out msg.sig msg.dat
run tpm2_loadexternal -C o -G rsa -u rsa.pub.pem -c rsa.ctx -n rsa.name >/dev/null
run tpm2_readpublic -c rsa.ctx -o rsa.tpmt >/dev/null
# tpm2_readpublic -o writes the TPM2B_PUBLIC: skip the 2-byte size.
tail -c +3 rsa.tpmt >rsa.tpmt.body
check "Name is 000b || SHA-256(TPMT_PUBLIC)" "$(hexof rsa.name)" = "000b$(sha256sum rsa.tpmt.body | cut -d' ' -f1)"
run tpm2_verifysignature -c rsa.ctx -g sha256 -m msg.dat -s msg.sig -f rsassa -t ticket.bin
must_fail tpm2_verifysignature -c rsa.ctx -g sha256 -m bad.dat -s msg.sig -f rsassa
run tpm2_flushcontext -t
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ecc.pem 2>/dev/null
openssl pkey -in ecc.pem -pubout -out ecc.pub.pem
run tpm2_loadexternal -C n -G ecc -r ecc.pem -c ecc.ctx >/dev/null
run tpm2_sign -c ecc.ctx -g sha256 -f plain -o ecc.sig msg.dat
openssl dgst -sha256 -verify ecc.pub.pem -signature ecc.sig msg.dat >/dev/null
