/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * startup.h — the parameters of tpm.c's commands, Startup and Shutdown
 * (Part 3 §9.3, §9.4; params.h).
 */
#ifndef QTPM_ENGINE_STARTUP_H
#define QTPM_ENGINE_STARTUP_H

#include "params.h"

#define Startup_IN(P) P(TPM_SU, startupType)
#define Startup_OUT(P)
PRM_COMMAND(Startup)
#define Shutdown_IN(P) P(TPM_SU, shutdownType)
#define Shutdown_OUT(P)
PRM_COMMAND(Shutdown)

#endif
