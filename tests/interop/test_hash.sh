# SPDX-License-Identifier: BSD-2-Clause
# test_hash.sh — hashing and HMAC in the TPM, PCR events, the random number
# generator's stir input, TestParms and ReadClock.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
printf 'abc' >abc.dat
run tpm2_hash -g sha256 -o hash.bin -t ticket.bin abc.dat
check "TPM2_Hash equals sha256sum" "$(od -v -An -tx1 hash.bin | tr -d ' \n')" = \
    "$(sha256sum abc.dat | cut -d' ' -f1)"
run tpm2_createprimary -C o -c primary.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C primary.ctx -G hmac -u hmac.pub -r hmac.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C primary.ctx -u hmac.pub -r hmac.priv -c hmac.ctx >/dev/null
run tpm2_flushcontext -t
mac1=$(run tpm2_hmac -c hmac.ctx --hex abc.dat)
run tpm2_flushcontext -t
mac2=$(run tpm2_hmac -c hmac.ctx --hex abc.dat)
run tpm2_flushcontext -t
check "HMAC is 32 bytes and repeatable" ${#mac1} -eq 64 -a "$mac1" = "$mac2"
run tpm2_pcrevent 16 abc.dat | grep -q sha256
run tpm2_stirrandom abc.dat
run tpm2_testparms rsa2048
run tpm2_testparms ecc256
must_fail tpm2_testparms rsa1000
run tpm2_readclock | grep -q clock
