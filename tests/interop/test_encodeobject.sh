# SPDX-License-Identifier: BSD-2-Clause
# test_encodeobject.sh — tpm2_encodeobject writes a TPM key as a "TSS2
# PRIVATE KEY" PEM (the ASN.1 format of the tpm2 OpenSSL provider): it loads
# the persistent parent from the TPM; the PEM must carry the loadable-key OID
# (2.23.133.10.1.3), the parent handle 0x81000001 and the key's public and
# private blobs.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_evictcontrol -C o -c primary.ctx 0x81000001 >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C 0x81000001 -G ecc -u k.pub -r k.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_encodeobject -C 0x81000001 -u k.pub -r k.priv -o k.pem
head -1 k.pem | grep -q 'BEGIN TSS2 PRIVATE KEY'
openssl asn1parse -in k.pem >k.asn1
grep -q '2.23.133.10.1.3' k.asn1 || { echo "loadable-key OID missing" >&2; exit 1; }
grep -Eq 'INTEGER *:81000001' k.asn1 || { echo "parent handle missing" >&2; cat k.asn1 >&2; exit 1; }
der=$(openssl asn1parse -in k.pem -noout -out k.der >/dev/null && hexof k.der)
case $der in *"$(hexof k.pub)"*"$(hexof k.priv)"*) ;;
    *) echo "public/private blobs not in the PEM" >&2; exit 1 ;; esac
