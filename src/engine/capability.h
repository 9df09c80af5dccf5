/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capability.h — the parameters of GetCapability (Part 3 §30.2) and
 * TestParms (§30.3; params.h).
 */
#ifndef QTPM_ENGINE_CAPABILITY_H
#define QTPM_ENGINE_CAPABILITY_H

#include "params.h"
#include "tmarshal.h"

#define GetCapability_IN(P) P(TPM_CAP, capability) P(UINT32, property) P(UINT32, propertyCount)
#define GetCapability_OUT(P) P(TPMI_YES_NO, moreData) P(TPMS_CAPABILITY_DATA, capabilityData)
PRM_COMMAND(GetCapability)
/* a TPMT_PUBLIC_PARMS is supported iff it unmarshals with the checks a
 * key's parameters get (tmarshal.h) */
#define TestParms_IN(P) P(TPMT_PUBLIC_PARMS_CHECKED, parameters)
#define TestParms_OUT(P)
PRM_COMMAND(TestParms)

#endif
