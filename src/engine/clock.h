/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clock.h — the TPMS_TIME_INFO of now (clock.c), for ReadClock, the
 * attestation structures and PolicyCounterTimer, and the clock commands'
 * parameters.
 */
#ifndef QTPM_ENGINE_CLOCK_H
#define QTPM_ENGINE_CLOCK_H

#include "params.h"
#include "tpm.h"

void clock_time_info(const qtpm_tpm *tpm, TPMS_TIME_INFO *t);

/* the parameters of the clock commands (Part 3 §29; params.h) */
#define ReadClock_IN(P)
#define ReadClock_OUT(P) P(TPMS_TIME_INFO, currentTime)
PRM_COMMAND(ReadClock)
#define ClockSet_IN(P) P(UINT64, newTime)
#define ClockSet_OUT(P)
PRM_COMMAND(ClockSet)
#define ClockRateAdjust_IN(P) P(TPM_CLOCK_ADJUST, rateAdjust)
#define ClockRateAdjust_OUT(P)
PRM_COMMAND(ClockRateAdjust)

#endif
