/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clock.c — Clock and Time (Part 1 §37, Part 3 §29): TPM2_ReadClock,
 * TPM2_ClockSet and TPM2_ClockRateAdjust.
 *
 * Clock counts milliseconds the TPM has been powered over its whole life and
 * is kept in the state blob; Time counts milliseconds since the last
 * _TPM_Init. Both advance from the host's monotonic clock (tpm.c). The rate
 * adjustment is accepted and recorded but the host clock is the time base, so
 * it does not change the speed.
 */
#include "clock.h"
#include "cmd.h"
#include "commands.h"

/* TPMS_TIME_INFO: time, then TPMS_CLOCK_INFO (clock, resetCount,
 * restartCount, safe). */
void clock_time_info(const qtpm_tpm *tpm, TPMS_TIME_INFO *t)
{
    t->time = tpm->time_ms;
    t->clockInfo.clock = tpm->ps.clock;
    t->clockInfo.resetCount = tpm->ps.reset_count;
    t->clockInfo.restartCount = tpm->ps.restart_count;
    t->clockInfo.safe = tpm->ps.clock_safe;
}

/* Part 3 §29.1 TPM2_ReadClock */
TPM_RC cmd_ReadClock(qtpm_tpm *tpm, tpm_cmd *c, const ReadClock_In *in, ReadClock_Out *out)
{
    (void)c, (void)in;
    clock_time_info(tpm, &out->currentTime);
    return TPM_RC_SUCCESS;
}

/* Part 3 §29.2 TPM2_ClockSet: Clock may only move forward, and not past
 * the largest value (TPM_RC_VALUE). */
TPM_RC cmd_ClockSet(qtpm_tpm *tpm, tpm_cmd *c, const ClockSet_In *in, ClockSet_Out *out)
{
    (void)c, (void)out;
    uint64_t v = in->newTime;
    if (v < tpm->ps.clock || v == UINT64_MAX)
        return RC_P(TPM_RC_VALUE, PN_ClockSet_newTime);
    tpm->ps.clock = v;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §29.3 TPM2_ClockRateAdjust: TPM_CLOCK_ADJUST in -3..3. */
TPM_RC cmd_ClockRateAdjust(qtpm_tpm *tpm, tpm_cmd *c, const ClockRateAdjust_In *in,
                           ClockRateAdjust_Out *out)
{
    (void)c, (void)out; /* rateAdjust is in -3..3 (TPM_CLOCK_ADJUST) */
    tpm->rate_adjust = in->rateAdjust;
    return TPM_RC_SUCCESS;
}
