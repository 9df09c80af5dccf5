# SPDX-License-Identifier: BSD-2-Clause
# test_ekcert.sh — tpm2_getekcertificate reads EK certificates from the TCG
# NV indices (EK Credential Profile §2.2.1.4: RSA 2048 at 0x01c00002, ECC
# P-256 at 0x01c0000a) when no server address is given: certificates written
# there by the platform come back byte for byte.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
for alg in rsa ecc; do
    run tpm2_createek -c ek.$alg.ctx -G $alg -u ek.$alg.pub -f pem >/dev/null
    run tpm2_flushcontext -t
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.$alg.key -subj "/CN=qtpm interop EK $alg" \
        -days 1 -outform der -out ek.$alg.der 2>/dev/null
done
size_rsa=$(wc -c <ek.rsa.der)
size_ecc=$(wc -c <ek.ecc.der)
run tpm2_nvdefine 0x1c00002 -C p -s "$size_rsa" -a "ppwrite|ppread|ownerread|authread|no_da|platformcreate" >/dev/null
run tpm2_nvwrite 0x1c00002 -C p -i ek.rsa.der
run tpm2_nvdefine 0x1c0000a -C p -s "$size_ecc" -a "ppwrite|ppread|ownerread|authread|no_da|platformcreate" >/dev/null
run tpm2_nvwrite 0x1c0000a -C p -i ek.ecc.der
run tpm2_getekcertificate -o out.rsa.der -o out.ecc.der
cmp ek.rsa.der out.rsa.der
cmp ek.ecc.der out.ecc.der
