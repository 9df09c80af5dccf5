# SPDX-License-Identifier: BSD-2-Clause
# test_conformance.sh — everyday tpm2-tools commands typed with tpm2-tools'
# DEFAULT options, as a new user types them (issue 10 items 1, 2, 3, 4, 7).
# Each step runs unchanged against swtpm (the reference, interop_reference_*)
# and against qtpm-server; the section of the TCG Library spec that decides
# is named at each step.
. "$QTPM_INTEROP_LIB"

# clockfield NAME      reset_count / restart_count from tpm2_readclock.
clockfield() {
    run -t tpm2_readclock tpm2_readclock | sed -n "s/^ *$1: *//p"
}

run tpm2_startup -c

# ---- item 4: resetCount / restartCount (Part 1 §36 "TPM Reset / Restart /
# Resume", Part 2 §10.11.1 TPMS_CLOCK_INFO, Part 3 §9.3 Startup and §24.6
# Clear). The first Startup(CLEAR) of a new TPM is a TPM Reset: swtpm 0.7.1
# reports resetCount 1 then, and so does qtpm. resetCount counts the TPM
# Resets since the last TPM2_Clear, which sets both counters to 0: after
# tpm2_clear `tpm2_policycountertimer resets=0` holds (swtpm: it does).
check "resetCount after the first Startup" "$(clockfield reset_count)" = 1
check "restartCount after the first Startup" "$(clockfield restart_count)" = 0
run tpm2_clear
check "Clear zeroes resetCount" "$(clockfield reset_count)" = 0
check "Clear zeroes restartCount" "$(clockfield restart_count)" = 0
run tpm2_startauthsession -S pct.ctx --policy-session
run tpm2_policycountertimer -S pct.ctx resets=0 >/dev/null
run tpm2_flushcontext pct.ctx
# TPM Resume: Shutdown(STATE), Startup(STATE): restartCount + 1
run tpm2_shutdown
tpm_reset
run tpm2_startup
check "Resume keeps resetCount" "$(clockfield reset_count)" = 0
check "Resume counts a restart" "$(clockfield restart_count)" = 1
run tpm2_startauthsession -S pct.ctx --policy-session
run tpm2_policycountertimer -S pct.ctx restarts=1 >/dev/null
run tpm2_flushcontext pct.ctx
# TPM Restart: Shutdown(STATE), Startup(CLEAR): restartCount + 1
run tpm2_shutdown
tpm_reset
run tpm2_startup -c
check "Restart keeps resetCount" "$(clockfield reset_count)" = 0
check "Restart counts a restart" "$(clockfield restart_count)" = 2
# TPM Reset: Shutdown(CLEAR), Startup(CLEAR): resetCount + 1, restartCount 0
run tpm2_shutdown -c
tpm_reset
run tpm2_startup -c
check "Reset counts a reset" "$(clockfield reset_count)" = 1
check "Reset clears restartCount" "$(clockfield restart_count)" = 0
# a power loss without Shutdown, then Startup(CLEAR): a TPM Reset as well
tpm_reset
run tpm2_startup -c
check "unorderly Reset counts a reset" "$(clockfield reset_count)" = 2
run tpm2_startauthsession -S pct.ctx --policy-session
fail_rc 0x126 tpm2_policycountertimer -S pct.ctx resets=0
run tpm2_flushcontext pct.ctx
run tpm2_startauthsession -S pct.ctx --policy-session
run tpm2_policycountertimer -S pct.ctx resets=2 >/dev/null
run tpm2_flushcontext pct.ctx

# ---- item 1: keyedHash objects with both sign and decrypt SET and scheme
# NULL (tpm2-tools' defaults) are general-purpose HMAC/XOR keys: legal
# (Part 2 §12.2.3.6 TPMS_KEYEDHASH_PARMS, Part 3 §12.1 object creation
# checks; swtpm accepts them).
run tpm2_createprimary -C o -c prim.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_create -C prim.ctx -G keyedhash -u kh.pub -r kh.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C prim.ctx -u kh.pub -r kh.priv -c kh.ctx >/dev/null
run tpm2_flushcontext -t
printf 'hmac me' >msg.dat
run tpm2_hmac -c kh.ctx -g sha256 -o mac.bin msg.dat >/dev/null
check "HMAC with a general-purpose keyedHash key" "$(wc -c <mac.bin)" -eq 32

# the createprimary default (restricted|decrypt, scheme NULL) is no general-purpose
# key: a decrypt-only keyedHash needs XOR (TPM_RC_SCHEME, 0x2D2, on swtpm too)
fail_rc 0x2D2 tpm2_createprimary -C o -G keyedhash -c khp.ctx
run tpm2_flushcontext -t

# a sign-only keyedHash key names HMAC, a decrypt-only one XOR: with scheme
# NULL both are TPM_RC_SCHEME (0x2D2) on swtpm and qtpm
fail_rc 0x2D2 tpm2_create -C prim.ctx -G keyedhash -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign" -u k1.pub -r k1.priv
run tpm2_flushcontext -t
fail_rc 0x2D2 tpm2_create -C prim.ctx -G keyedhash -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|decrypt" -u k1.pub -r k1.priv
run tpm2_flushcontext -t
# restricted with sign and decrypt both SET: TPM_RC_ATTRIBUTES (Part 1 §27.2)
fail_rc 0x2C2 tpm2_create -C prim.ctx -G keyedhash -a "fixedtpm|fixedparent|sensitivedataorigin|userwithauth|sign|decrypt|restricted" -u k1.pub -r k1.priv
run tpm2_flushcontext -t
# tpm2_createprimary -G xor: a restricted decrypt keyedHash with XOR (swtpm: accepted)
run tpm2_createprimary -C o -G xor -c xorp.ctx >/dev/null
run tpm2_flushcontext -t


# ---- item 7: ECDH_KeyGen needs only the public point of an ECC key (Part 3
# §14.4: TPM_RC_KEY when keyHandle is not an ECC key; no attribute or
# scheme requirement). tpm2-tools' own ECDAA sample does this; swtpm accepts.
run tpm2_create -C prim.ctx -G ecc256:ecdaa -u daa.pub -r daa.priv >/dev/null
run tpm2_flushcontext -t
run tpm2_load -C prim.ctx -u daa.pub -r daa.priv -c daa.ctx >/dev/null
run tpm2_flushcontext -t
run tpm2_ecdhkeygen -c daa.ctx -u ecdh.pub -o ecdh.priv
check "ECDH_KeyGen gives a Z point" "$(wc -c <ecdh.priv)" -gt 4



# ---- item 3: NV counters never go backwards (Part 3 §31.8 NV_Increment,
# Part 1 §37 NV counter index: a new counter starts from at least the
# largest count of any counter the TPM ever had). swtpm: 3.
run tpm2_nvdefine 0x1500040 -C o -a "nt=counter|ownerread|ownerwrite" >/dev/null
run tpm2_nvincrement 0x1500040 -C o
run tpm2_nvincrement 0x1500040 -C o
run tpm2_nvread 0x1500040 -C o -o c1.dat
check "counter at 2" "$(hexof c1.dat)" = 0000000000000002
run tpm2_nvundefine 0x1500040 -C o
run tpm2_nvdefine 0x1500041 -C o -a "nt=counter|ownerread|ownerwrite" >/dev/null
run tpm2_nvincrement 0x1500041 -C o
run tpm2_nvread 0x1500041 -C o -o c2.dat
check "a new counter starts above every earlier one" "$(( 0x$(hexof c2.dat) ))" -ge 3
run tpm2_nvundefine 0x1500041 -C o

# ---- item 2: PIN Fail and PIN Pass indices (Part 3 §31.3 NV_DefineSpace:
# TPM_NT_PIN_FAIL 8 needs TPMA_NV_NO_DA, data is TPMS_NV_PIN_COUNTER_PARAMETERS,
# 8 bytes; Part 1 "PIN Pass / PIN Fail index": the index's authValue is
# usable while pinCount < pinLimit; pinfail counts failures and a success
# clears pinCount, pinpass counts successes).
run tpm2_nvdefine 0x1500050 -C o -p pin1 -a "nt=pinfail|ownerread|ownerwrite|no_da" >/dev/null
run tpm2_nvreadpublic 0x1500050 >/dev/null
# the authValue is not available before the index is written
run tpm2_startauthsession -S ps.ctx --policy-session
fail_rc 0x12F tpm2_policysecret -S ps.ctx -c 0x1500050 pin1
run tpm2_flushcontext ps.ctx
printf '\000\000\000\000\000\000\000\002' >pin.dat   # pinCount 0, pinLimit 2
run tpm2_nvwrite 0x1500050 -C o -i pin.dat
run tpm2_nvread 0x1500050 -C o -o pin.rd
check "NV_Read returns the PIN parameters" "$(hexof pin.rd)" = 0000000000000002
run tpm2_startauthsession -S ps.ctx --policy-session
fail_rc 0x9A2 tpm2_policysecret -S ps.ctx -c 0x1500050 wrong
run tpm2_flushcontext ps.ctx
run tpm2_nvread 0x1500050 -C o -o pin.rd
check "a failure counts in pinCount" "$(hexof pin.rd)" = 0000000100000002
run tpm2_startauthsession -S ps.ctx --policy-session
run tpm2_policysecret -S ps.ctx -c 0x1500050 pin1 >/dev/null
run tpm2_flushcontext ps.ctx
run tpm2_nvread 0x1500050 -C o -o pin.rd
check "a success clears pinCount" "$(hexof pin.rd)" = 0000000000000002
for i in 1 2; do
    run tpm2_startauthsession -S ps.ctx --policy-session
    fail_rc 0x9A2 tpm2_policysecret -S ps.ctx -c 0x1500050 wrong
    run tpm2_flushcontext ps.ctx
done
run tpm2_nvread 0x1500050 -C o -o pin.rd
check "two failures" "$(hexof pin.rd)" = 0000000200000002
run tpm2_startauthsession -S ps.ctx --policy-session
fail_rc 0x12F tpm2_policysecret -S ps.ctx -c 0x1500050 pin1
run tpm2_flushcontext ps.ctx
# the owner resets pinCount with NV_Write: the PIN is usable again
printf '\000\000\000\000\000\000\000\002' >pin.dat
run tpm2_nvwrite 0x1500050 -C o -i pin.dat
run tpm2_startauthsession -S ps.ctx --policy-session
run tpm2_policysecret -S ps.ctx -c 0x1500050 pin1 >/dev/null
run tpm2_flushcontext ps.ctx
# the PIN is no way to write the index (AUTHWRITE is refused for PIN
# indices; Part 3 §31.3, the authValue is unavailable for a write)
fail_rc 0x12F tpm2_nvwrite 0x1500050 -C 0x1500050 -P pin1 -i pin.dat
# PIN Fail without NO_DA, with AUTHWRITE, or not 8 bytes is refused
# (Part 3 §31.3.1; the size rule tpm2-tools checks itself)
fail_rc 0x2C2 tpm2_nvdefine 0x1500051 -C o -a "nt=pinfail|ownerread|ownerwrite"
fail_rc 0x2C2 tpm2_nvdefine 0x1500051 -C o -a "nt=pinfail|ownerread|ownerwrite|authwrite|no_da"
fail_rc 0x2C2 tpm2_nvdefine 0x1500051 -C o -a "nt=pinpass|ownerread|ownerwrite|writedefine"
run tpm2_nvundefine 0x1500050 -C o

run tpm2_nvdefine 0x1500052 -C o -p pin2 -a "nt=pinpass|ownerread|ownerwrite|no_da" >/dev/null
printf '\000\000\000\000\000\000\000\002' >pin.dat
run tpm2_nvwrite 0x1500052 -C o -i pin.dat
# a wrong PIN does not count on a PIN Pass index
run tpm2_startauthsession -S ps.ctx --policy-session
fail_rc 0x9A2 tpm2_policysecret -S ps.ctx -c 0x1500052 wrong
run tpm2_flushcontext ps.ctx
run tpm2_nvread 0x1500052 -C o -o pin.rd
check "pinpass ignores failures" "$(hexof pin.rd)" = 0000000000000002
for i in 1 2; do
    run tpm2_startauthsession -S ps.ctx --policy-session
    run tpm2_policysecret -S ps.ctx -c 0x1500052 pin2 >/dev/null
    run tpm2_flushcontext ps.ctx
done
run tpm2_nvread 0x1500052 -C o -o pin.rd
check "pinpass counts each use" "$(hexof pin.rd)" = 0000000200000002
run tpm2_startauthsession -S ps.ctx --policy-session
fail_rc 0x12F tpm2_policysecret -S ps.ctx -c 0x1500052 pin2
run tpm2_flushcontext ps.ctx
run tpm2_nvundefine 0x1500052 -C o
