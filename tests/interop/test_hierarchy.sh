# SPDX-License-Identifier: BSD-2-Clause
# test_hierarchy.sh — primary keys are derived from the hierarchy seed: the
# same template gives the same key, and TPM2_Clear (lockout) changes the owner
# seed so the key changes. Also dictionary-attack parameters.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_createprimary -C o -G ecc -c p1.ctx >/dev/null
run tpm2_readpublic -c p1.ctx -o p1.pub >/dev/null
run tpm2_flushcontext -t
run tpm2_createprimary -C o -G ecc -c p2.ctx >/dev/null
run tpm2_readpublic -c p2.ctx -o p2.pub >/dev/null
run tpm2_flushcontext -t
cmp p1.pub p2.pub
run tpm2_dictionarylockout -s -n 5 -t 60 -l 120
# The parameters must be the TPM's now (Part 1 §19.8.6; TPM_PT_* of Part 2 §6.13).
run tpm2_getcap properties-variable >props.txt
blame tpm2_dictionarylockout
grep -Eq '^TPM2_PT_MAX_AUTH_FAIL: 0x0*5$' props.txt
grep -Eq '^TPM2_PT_LOCKOUT_INTERVAL: 0x0*3[Cc]$' props.txt
grep -Eq '^TPM2_PT_LOCKOUT_RECOVERY: 0x0*78$' props.txt
run tpm2_dictionarylockout -c
run tpm2_clear -c l
run tpm2_createprimary -C o -G ecc -c p3.ctx >/dev/null
run tpm2_readpublic -c p3.ctx -o p3.pub >/dev/null
run tpm2_flushcontext -t
if cmp -s p1.pub p3.pub; then
    echo "owner primary unchanged by TPM2_Clear" >&2
    exit 1
fi
