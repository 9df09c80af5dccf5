# SPDX-License-Identifier: BSD-2-Clause
# test_seal.sh — the wallet flow (seed D6.3 §2): seal a token under a PCR
# policy, unseal it while the PCR holds, fail after the PCR changes.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_pcrreset 23
run tpm2_createpolicy --policy-pcr -l sha256:23 -L pcr.policy >/dev/null
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
printf 'payment token 42' >token.dat
run tpm2_create -C primary.ctx -L pcr.policy -i token.dat -u seal.pub -r seal.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u seal.pub -r seal.priv -c seal.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_unseal -c seal.ctx -p pcr:sha256:23 -o out.dat
run tpm2_flushcontext -t
cmp token.dat out.dat
run tpm2_pcrextend "23:sha256=$(printf x | sha256sum | cut -d' ' -f1)"
must_fail tpm2_unseal -c seal.ctx -p pcr:sha256:23 -o out2.dat
