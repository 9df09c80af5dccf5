# test_attest.sh — more attestation structures: CertifyCreation (a key's
# creation data signed by another key), GetTime, NV_Certify; each signature
# checked with OpenSSL over the exported signer key.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G ecc -u signer.pub -r signer.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u signer.pub -r signer.priv -c signer.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_readpublic -c signer.ctx -f pem -o signer.pem >/dev/null
run tpm2_flushcontext -t
run tpm2_createprimary -C o -G rsa2048 -c created.ctx --creation-data creation.dat \
    -d creation.digest -t creation.ticket >/dev/null
run tpm2_certifycreation -C signer.ctx -c created.ctx -d creation.digest -t creation.ticket \
    -g sha256 -o cc.sig -f plain --attestation cc.attest
run tpm2_flushcontext -t
openssl dgst -sha256 -verify signer.pem -signature cc.sig cc.attest >/dev/null
run tpm2_gettime -c signer.ctx -q 1234 -g sha256 -o time.sig -f plain --attestation time.attest >/dev/null
run tpm2_flushcontext -t
openssl dgst -sha256 -verify signer.pem -signature time.sig time.attest >/dev/null
run tpm2_nvdefine 0x1500020 -C o -s 16 -a "ownerread|ownerwrite|authread|authwrite" >/dev/null
printf 'certified bytes!' >nv.dat
run tpm2_nvwrite 0x1500020 -C o -i nv.dat
run tpm2_nvcertify -C signer.ctx -g sha256 -f plain -o nv.sig --attestation nv.attest \
    --size 16 --offset 0 0x1500020
run tpm2_flushcontext -t
openssl dgst -sha256 -verify signer.pem -signature nv.sig nv.attest >/dev/null
run tpm2_nvundefine 0x1500020 -C o
