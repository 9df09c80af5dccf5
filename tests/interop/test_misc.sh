# SPDX-License-Identifier: BSD-2-Clause
# test_misc.sh — the remaining administrative tools: raw command passthrough,
# incremental self test, ECC parameters, clock setting, hierarchy control,
# command audit, orderly shutdown.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
# tpm2_send: a raw TPM2_GetRandom(8) in, a 20-byte success response out.
printf '\200\001\000\000\000\014\000\000\001\173\000\010' >getrandom.cmd
run tpm2_send -o getrandom.rsp <getrandom.cmd
check "raw GetRandom answered" "$(od -v -An -tx1 -N10 getrandom.rsp | tr -d ' \n')" = "80010000001400000000"
run tpm2_incrementalselftest rsa ecc sha256 >/dev/null
run tpm2_geteccparameters ecc256 -o ecc.params
run tpm2_readclock >clock.yaml
run tpm2_setclock -c o 99999999999
clock=$(run tpm2_readclock | sed -n 's/^ *clock: //p')
check "clock moved forward to the value set" "$clock" -ge 99999999999
run tpm2_clockrateadjust -c o s
run tpm2_hierarchycontrol -C p shEnable clear
must_fail tpm2_createprimary -C o -c p.ctx
run tpm2_flushcontext -t
run tpm2_hierarchycontrol -C p shEnable set
run tpm2_createprimary -C o -c p.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_clearcontrol -C p s
must_fail tpm2_clear -c l
run tpm2_clearcontrol -C p c
run tpm2_setcommandauditstatus -C o -g sha256 TPM2_CC_GetRandom
run tpm2_getrandom 4 >/dev/null
run tpm2_createprimary -C o -G ecc:ecdsa -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" -c signer.ctx >/dev/null
run tpm2_getcommandauditdigest -c signer.ctx -g sha256 -m audit.attest -s audit.sig >/dev/null
run tpm2_flushcontext -t
run tpm2_shutdown -c
