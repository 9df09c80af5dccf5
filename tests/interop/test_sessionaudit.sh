# SPDX-License-Identifier: BSD-2-Clause
# test_sessionaudit.sh — session audit (Part 1 §18.7, Part 3 §18.5): the
# audit digest of a session used for one TPM2_GetRandom is rebuilt here as
# H(0^32 || cpHash || rpHash), and the signed TPMS_ATTEST is checked by OpenSSL.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
zeros=0000000000000000000000000000000000000000000000000000000000000000
run tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
run tpm2_flushcontext -t
run tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -f pem -n ak.name >/dev/null
run tpm2_flushcontext -t
# tpm2_createak -f pem -u writes the PEM public key.
cp ak.pub ak.pem

run tpm2_startauthsession --audit-session -S audit.ctx
r=$(run tpm2_getrandom -S audit.ctx --hex 8)
run tpm2_getsessionauditdigest -c ak.ctx -g sha256 -f plain -s sa.sig -m sa.attest -S audit.ctx >/dev/null
run tpm2_flushcontext audit.ctx
run tpm2_flushcontext -t
openssl dgst -sha256 -verify ak.pem -signature sa.sig sa.attest >/dev/null
check "session audit attestation type" "$(hexof sa.attest | cut -c1-12)" = ff5443478016
cp_hash=$(sha256hex 0000017b 0008)
rp_hash=$(sha256hex 00000000 0000017b 0008 "$r")
expected=$(sha256hex "$zeros" "$cp_hash" "$rp_hash")
case $(hexof sa.attest) in *"0020$expected") ;;
    *) echo "session audit digest is not H(0 || cpHash || rpHash) of GetRandom" >&2; exit 1 ;; esac
