# test_duplicate.sh — moving a key between parents: a key whose policy allows
# TPM2_Duplicate is duplicated to a new parent (unencrypted inner wrapper,
# outer wrapper by the new parent's seed) and imported there, then used.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_startauthsession -S trial.ctx
run tpm2_policycommandcode -S trial.ctx -L dup.policy TPM2_CC_Duplicate >/dev/null
run tpm2_flushcontext trial.ctx
run tpm2_createprimary -C o -g sha256 -G ecc -c src.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_createprimary -C o -g sha256 -G rsa2048 -c dst.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C src.ctx -g sha256 -G ecc -L dup.policy -a "sensitivedataorigin|userwithauth|sign" \
    -u key.pub -r key.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C src.ctx -u key.pub -r key.priv -c key.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_readpublic -c dst.ctx -o dst.pub >/dev/null
run tpm2_flushcontext -t
run tpm2_loadexternal -C o -u dst.pub -c dst_ext.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_startauthsession --policy-session -S p.ctx
run tpm2_policycommandcode -S p.ctx TPM2_CC_Duplicate >/dev/null
run tpm2_duplicate -C dst_ext.ctx -c key.ctx -G null -p session:p.ctx -r dup.priv -s dup.seed
run tpm2_flushcontext p.ctx
run tpm2_flushcontext -t
run tpm2_import -C dst.ctx -u key.pub -r imported.priv -i dup.priv -s dup.seed
run tpm2_flushcontext -t
run tpm2_load -C dst.ctx -u key.pub -r imported.priv -c imported.ctx >/dev/null
run tpm2_flushcontext -t
printf 'moved key signs' >msg.dat
run tpm2_sign -c imported.ctx -g sha256 -o sig.bin msg.dat
run tpm2_flushcontext -t
run tpm2_verifysignature -c imported.ctx -g sha256 -m msg.dat -s sig.bin
