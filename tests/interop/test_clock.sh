# SPDX-License-Identifier: BSD-2-Clause
# test_clock.sh — the TPM clock (Part 3 §29): ReadClock, ClockSet forward
# only (a value below the current Clock is TPM_RC_VALUE), ClockRateAdjust.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
clock() { run tpm2_readclock | sed -n 's/^ *clock: *\([0-9]*\).*/\1/p'; }
c1=$(clock)
check "readclock reports a clock" -n "$c1"
target=$((c1 + 3600000))
run tpm2_setclock "$target"
c2=$(clock)
check "setclock moved the clock forward to $target" "$c2" -ge "$target" -a "$c2" -lt $((target + 60000))
must_fail tpm2_setclock "$c1"
c3=$(clock)
check "a refused setclock leaves the clock alone" "$c3" -ge "$c2"
run tpm2_clockrateadjust s
run tpm2_clockrateadjust f
run tpm2_clockrateadjust fff
run tpm2_clockrateadjust sss
sleep 1
c4=$(clock)
check "the clock still advances after rate adjustments" "$c4" -gt "$c3"
