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
run tpm2_dictionarylockout -c
run tpm2_clear -c l
run tpm2_createprimary -C o -G ecc -c p3.ctx >/dev/null
run tpm2_readpublic -c p3.ctx -o p3.pub >/dev/null
run tpm2_flushcontext -t
if cmp -s p1.pub p3.pub; then
    echo "owner primary unchanged by TPM2_Clear" >&2
    exit 1
fi
