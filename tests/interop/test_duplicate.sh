# SPDX-License-Identifier: BSD-2-Clause
# test_duplicate.sh — moving a key to a new parent (Part 3 §13.1, §13.3):
# a key whose policy is PolicyCommandCode(Duplicate) is duplicated without
# an inner wrapper, and one whose policy is PolicyDuplicationSelect(new
# parent) with an AES inner wrapper; both are imported and loaded under the
# new parent and sign messages OpenSSL verifies with the original public key.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -G rsa -c src.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_createprimary -C o -G ecc -c dst.ctx >/dev/null
run tpm2_readpublic -c dst.ctx -o dst.pub -n dst.name >/dev/null
run tpm2_flushcontext -t
run tpm2_loadexternal -C o -u dst.pub -c dstpub.ctx >/dev/null
run tpm2_flushcontext -t
printf 'duplicated key' >msg.dat

# Key 1: PolicyCommandCode(TPM2_CC_Duplicate), no inner wrapper.
run tpm2_startauthsession -S t.ctx
run tpm2_policycommandcode -S t.ctx -L cc.policy TPM2_CC_Duplicate >/dev/null
run tpm2_flushcontext t.ctx
run tpm2_create -C src.ctx -G ecc -L cc.policy -a "sensitivedataorigin|userwithauth|sign" \
    -u k1.pub -r k1.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C src.ctx -u k1.pub -r k1.priv -c k1.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S s.ctx
run tpm2_policycommandcode -S s.ctx TPM2_CC_Duplicate >/dev/null
run tpm2_duplicate -C dstpub.ctx -c k1.ctx -G null -p session:s.ctx -r k1.dup -s k1.seed
run tpm2_flushcontext s.ctx
run tpm2_flushcontext -t

# Key 2: PolicyDuplicationSelect(dst) and an AES-128 inner wrapper.
run tpm2_startauthsession -S t.ctx
run tpm2_policyduplicationselect -S t.ctx -n dst.name -N dst.name -L ds.policy >/dev/null
run tpm2_flushcontext t.ctx
check "PolicyDuplicationSelect digest" "$(hexof ds.policy)" = \
    "$(sha256hex 0000000000000000000000000000000000000000000000000000000000000000 00000188 "$(hexof dst.name)" 00)"
run tpm2_create -C src.ctx -G ecc -L ds.policy -a "sensitivedataorigin|userwithauth|sign|encryptedduplication" \
    -u k2.pub -r k2.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C src.ctx -u k2.pub -r k2.priv -c k2.ctx -n k2.name >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S s.ctx
run tpm2_policyduplicationselect -S s.ctx -n k2.name -N dst.name >/dev/null
run tpm2_duplicate -C dstpub.ctx -c k2.ctx -G aes -o k2.sym -p session:s.ctx -r k2.dup -s k2.seed
run tpm2_flushcontext s.ctx
run tpm2_flushcontext -t
# Duplicating to another parent does not satisfy the policy.
run tpm2_startauthsession --policy-session -S s.ctx
run tpm2_policyduplicationselect -S s.ctx -n k2.name -N dst.name >/dev/null
must_fail tpm2_duplicate -C src.ctx -c k2.ctx -G aes -o k2b.sym -p session:s.ctx -r k2b.dup -s k2b.seed
run tpm2_flushcontext s.ctx
run tpm2_flushcontext -t

run tpm2_import -C dst.ctx -u k1.pub -i k1.dup -s k1.seed -r k1.new >/dev/null
run tpm2_flushcontext -t
run tpm2_import -C dst.ctx -u k2.pub -i k2.dup -s k2.seed -k k2.sym -r k2.new >/dev/null
run tpm2_flushcontext -t
for k in k1 k2; do
    run tpm2_readpublic -c $k.ctx -f pem -o $k.pem >/dev/null
    run tpm2_flushcontext -t
    run tpm2_load -C dst.ctx -u $k.pub -r $k.new -c $k.moved.ctx >/dev/null
    run tpm2_flushcontext -t
    run tpm2_sign -c $k.moved.ctx -g sha256 -f plain -o $k.sig msg.dat
    run tpm2_flushcontext -t
    openssl dgst -sha256 -verify $k.pem -signature $k.sig msg.dat >/dev/null
done
