/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * clock.h — the TPMS_TIME_INFO of now (clock.c), as a structure and
 * marshalled, for ReadClock, the attestation structures and PolicyCounterTimer.
 */
#ifndef QTPM_ENGINE_CLOCK_H
#define QTPM_ENGINE_CLOCK_H

#include "cursor.h"
#include "tpm.h"

void clock_time_info(const qtpm_tpm *tpm, TPMS_TIME_INFO *t);
void clock_write_time_info(const qtpm_tpm *tpm, tpm_wr *w);

#endif
