# SPDX-License-Identifier: BSD-2-Clause
# test_quote.sh — explicit attestation: EK, AK, quote over PCRs with a nonce,
# checkquote (and a wrong nonce must be rejected).
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createek -c ek.ctx -G ecc -u ek.pub
run tpm2_flushcontext -t
run tpm2_createak -C ek.ctx -c ak.ctx -G ecc -g sha256 -s ecdsa -u ak.pem -f pem -n ak.name >/dev/null
run tpm2_flushcontext -t
run tpm2_quote -c ak.ctx -l sha256:0,1,2,16 -q abcdef0123 -m quote.msg -s quote.sig \
    -o quote.pcrs -g sha256 >/dev/null
run tpm2_flushcontext -t
run tpm2_checkquote -u ak.pem -m quote.msg -s quote.sig -f quote.pcrs -g sha256 -q abcdef0123 >/dev/null
must_fail tpm2_checkquote -u ak.pem -m quote.msg -s quote.sig -f quote.pcrs -g sha256 -q 00
