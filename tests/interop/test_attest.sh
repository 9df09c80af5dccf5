# SPDX-License-Identifier: BSD-2-Clause
# test_attest.sh — signed attestation structures (Part 3 §18): CertifyCreation,
# GetTime and NV_Certify with an RSA signing key; each signature is checked
# by OpenSSL over the TPMS_ATTEST and each structure's content is checked
# (magic, type, and the certified creation hash / clock / NV contents).
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx --creation-data cdata.bin -d chash.bin -t ctkt.bin >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G rsa2048:rsassa-sha256 -u signer.pub -r signer.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u signer.pub -r signer.priv -c signer.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_readpublic -c signer.ctx -f pem -o signer.pem >/dev/null
run tpm2_flushcontext -t
run tpm2_readpublic -c primary.ctx -n primary.name >/dev/null
run tpm2_flushcontext -t

# TPMS_ATTEST opens with TPM_GENERATED_VALUE (0xff544347) and the type.
attest_ok() {
    openssl dgst -sha256 -verify signer.pem -signature "$2.sig" "$2.attest" >/dev/null
    check "$2: magic and type $1" "$(hexof "$2.attest" | cut -c1-12)" = "ff544347$1"
}

run tpm2_certifycreation -C signer.ctx -c primary.ctx -d chash.bin -t ctkt.bin -g sha256 \
    -s rsassa -f plain -o cc.sig --attestation cc.attest -q 0badcafe >/dev/null
run tpm2_flushcontext -t
attest_ok 801a cc
a=$(hexof cc.attest)
case $a in *"$(hexof primary.name)"*"$(hexof chash.bin)"*) ;;
    *) echo "creation attestation lacks the object name and creation hash" >&2; exit 1 ;; esac
case $a in *0004"0badcafe"*) ;; *) echo "qualifying data missing" >&2; exit 1 ;; esac
check -t tpm2_createprimary "creation hash is SHA-256 of the creation data" \
    "$(hexof chash.bin | cut -c5-)" = "$(tail -c +3 cdata.bin | sha256sum | cut -d' ' -f1)"

run tpm2_gettime -c signer.ctx -g sha256 -s rsassa -f plain -o time.sig --attestation time.attest >time.yaml
run tpm2_flushcontext -t
attest_ok 8019 time
grep -q 'clock' time.yaml || { echo "gettime printed no clock" >&2; exit 1; }

printf 'certified NV data' >nv.dat
run tpm2_nvdefine 0x1500030 -C o -s 17 -a "ownerread|ownerwrite|authread|authwrite" >/dev/null
run tpm2_nvwrite 0x1500030 -C o -i nv.dat
run tpm2_nvcertify -C signer.ctx -g sha256 -s rsassa -f plain -o nv.sig --attestation nv.attest \
    --size 17 --offset 0 0x1500030 >/dev/null
run tpm2_flushcontext -t
attest_ok 8014 nv
case $(hexof nv.attest) in *"0011$(hexof nv.dat)") ;;
    *) echo "NV attestation does not end with the NV contents" >&2; exit 1 ;; esac
