# SPDX-License-Identifier: BSD-2-Clause
# test_ecdh.sh — ECDH with a TPM key (Part 3 §14.5-14.6): ECDH_KeyGen makes an
# ephemeral point Q = r·G and Z = r·P; ECDH_ZGen with the key's private part
# d must give the same Z = d·Q. Also ECC_Parameters of NIST P-256.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G ecc256:ecdh \
    -a "decrypt|fixedtpm|fixedparent|sensitivedataorigin|userwithauth" -u ecdh.pub -r ecdh.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u ecdh.pub -r ecdh.priv -c ecdh.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_ecdhkeygen -c ecdh.ctx -u q.bin -o z1.bin
run tpm2_flushcontext -t
run tpm2_ecdhzgen -c ecdh.ctx -u q.bin -o z2.bin
run tpm2_flushcontext -t
check "ZGen(d, Q) equals KeyGen's Z" "$(hexof z1.bin)" = "$(hexof z2.bin)"
check "Z is a P-256 point (TPM2B_ECC_POINT: 2 + 2 + 32 + 2 + 32 bytes)" "$(wc -c <z1.bin)" -eq 70
run tpm2_ecdhkeygen -c ecdh.ctx -u q2.bin -o z3.bin
run tpm2_flushcontext -t
check "a second KeyGen draws a new ephemeral key" "$(hexof q.bin)" != "$(hexof q2.bin)"
run tpm2_geteccparameters ecc256 -o p256.bin >/dev/null
p=$(hexof p256.bin)
# SEC 2 / FIPS 186-4 P-256: p, b, Gx and n must all be in the structure.
for v in ffffffff00000001000000000000000000000000ffffffffffffffffffffffff \
         5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b \
         6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296 \
         ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551; do
    case $p in *$v*) ;; *) echo "P-256 parameter $v missing" >&2; exit 1 ;; esac
done
