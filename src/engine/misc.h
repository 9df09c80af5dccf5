/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * misc.h — the parameters of misc.c's commands (params.h): GetRandom,
 * StirRandom (Part 3 §16) and the self tests (Part 3 §10).
 */
#ifndef QTPM_ENGINE_MISC_H
#define QTPM_ENGINE_MISC_H

#include "params.h"

#define GetRandom_IN(P) P(UINT16, bytesRequested)
#define GetRandom_OUT(P) P(TPM2B_DIGEST, randomBytes)
PRM_COMMAND(GetRandom)
#define StirRandom_IN(P) P(TPM2B_SENSITIVE_DATA, inData)
#define StirRandom_OUT(P)
PRM_COMMAND(StirRandom)
#define SelfTest_IN(P) P(TPMI_YES_NO, fullTest)
#define SelfTest_OUT(P)
PRM_COMMAND(SelfTest)
#define IncrementalSelfTest_IN(P) P(TPML_ALG, toTest)
#define IncrementalSelfTest_OUT(P) P(TPML_ALG, toDoList)
PRM_COMMAND(IncrementalSelfTest)
#define GetTestResult_IN(P)
#define GetTestResult_OUT(P) P(TPM2B_MAX_BUFFER, outData) P(TPM_RC, testResult)
PRM_COMMAND(GetTestResult)

#endif
