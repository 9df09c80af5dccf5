# SPDX-License-Identifier: BSD-2-Clause
# test_commandaudit.sh — command audit (Part 3 §18.6, §21.2):
# SetCommandCodeAuditStatus adds GetRandom to the audited list (read with a
# raw GetCapability), the signed command audit attestation is checked by
# OpenSSL and its audit digest changes after an audited command; clearing the
# list removes GetRandom.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createek -c ek.ctx -G rsa -u ek.pub >/dev/null
run tpm2_flushcontext -t
run tpm2_createak -C ek.ctx -c ak.ctx -G rsa -g sha256 -s rsassa -u ak.pub -f pem -n ak.name >/dev/null
run tpm2_flushcontext -t
# tpm2_createak -f pem -u writes the PEM public key.
cp ak.pub ak.pem

# tpm2_getcap has no audit list: GetCapability(TPM_CAP_AUDIT_COMMANDS,
# TPM_CC_FIRST, 256) through tpm2_send; answers the TPML_CC of audited codes.
audited() {
    printf '\200\001\000\000\000\026\000\000\001\172\000\000\000\004\000\000\001\037\000\000\001\000' |
        tpm2_send -o audit.rsp && hexof audit.rsp | cut -c39- | fold -w8
}
run tpm2_setcommandauditstatus -C o -g sha256 TPM2_CC_GetRandom
audited | grep -q '^0000017b$' || { echo "GetRandom not in the audit list" >&2; exit 1; }
run tpm2_getcommandauditdigest -c ak.ctx -g sha256 -f plain -s ca1.sig -m ca1.attest >/dev/null
run tpm2_flushcontext -t
openssl dgst -sha256 -verify ak.pem -signature ca1.sig ca1.attest >/dev/null
check "command audit attestation type" "$(hexof ca1.attest | cut -c1-12)" = ff5443478015
run tpm2_getrandom 8 >/dev/null
run tpm2_getcommandauditdigest -c ak.ctx -g sha256 -f plain -s ca2.sig -m ca2.attest >/dev/null
run tpm2_flushcontext -t
openssl dgst -sha256 -verify ak.pem -signature ca2.sig ca2.attest >/dev/null
# TPMS_COMMAND_AUDIT_INFO ends with digestAlg, auditDigest, commandDigest; the
# audit digest changed because an audited GetRandom ran in between.
d1=$(hexof ca1.attest | tail -c 136 | cut -c1-68)
d2=$(hexof ca2.attest | tail -c 136 | cut -c1-68)
check "command audit digest changes after an audited command" "$d1" != "$d2"
run tpm2_setcommandauditstatus -C o -g sha256 -c TPM2_CC_GetRandom
if audited | grep -q '^0000017b$'; then
    echo "GetRandom still audited after clearing" >&2; exit 1
fi
