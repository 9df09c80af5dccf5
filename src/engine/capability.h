/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capability.h — the parameters of GetCapability (Part 3 §30.2; params.h).
 */
#ifndef QTPM_ENGINE_CAPABILITY_H
#define QTPM_ENGINE_CAPABILITY_H

#include "params.h"

#define GetCapability_IN(P) P(TPM_CAP, capability) P(UINT32, property) P(UINT32, propertyCount)
#define GetCapability_OUT(P) P(TPMI_YES_NO, moreData) P(TPMS_CAPABILITY_DATA, capabilityData)
PRM_COMMAND(GetCapability)

#endif
