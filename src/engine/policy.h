/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h — the parameters of policy.c's typed commands (Part 3 §23;
 * params.h). The policy commands not listed here (PolicySecret,
 * PolicySigned, PolicyAuthorize, PolicyTicket) still read their parameters
 * themselves.
 */
#ifndef QTPM_ENGINE_POLICY_H
#define QTPM_ENGINE_POLICY_H

#include "params.h"

#define PolicyPCR_IN(P) P(TPM2B_DIGEST, pcrDigest) P(TPML_PCR_SELECTION, pcrs)
#define PolicyPCR_OUT(P)
PRM_COMMAND(PolicyPCR)
#define PolicyPassword_IN(P)
#define PolicyPassword_OUT(P)
PRM_COMMAND(PolicyPassword)
#define PolicyAuthValue_IN(P)
#define PolicyAuthValue_OUT(P)
PRM_COMMAND(PolicyAuthValue)
#define PolicyCommandCode_IN(P) P(TPM_CC, code)
#define PolicyCommandCode_OUT(P)
PRM_COMMAND(PolicyCommandCode)
#define PolicyOR_IN(P) P(TPML_DIGEST, pHashList)
#define PolicyOR_OUT(P)
PRM_COMMAND(PolicyOR)
#define PolicyLocality_IN(P) P(TPMA_LOCALITY, locality)
#define PolicyLocality_OUT(P)
PRM_COMMAND(PolicyLocality)
#define PolicyCpHash_IN(P) P(TPM2B_DIGEST, cpHashA)
#define PolicyCpHash_OUT(P)
PRM_COMMAND(PolicyCpHash)
#define PolicyNameHash_IN(P) P(TPM2B_DIGEST, nameHash)
#define PolicyNameHash_OUT(P)
PRM_COMMAND(PolicyNameHash)
#define PolicyNvWritten_IN(P) P(TPMI_YES_NO, writtenSet)
#define PolicyNvWritten_OUT(P)
PRM_COMMAND(PolicyNvWritten)
#define PolicyDuplicationSelect_IN(P)                                                   \
    P(TPM2B_NAME, objectName) P(TPM2B_NAME, newParentName) P(TPMI_YES_NO, includeObject)
#define PolicyDuplicationSelect_OUT(P)
PRM_COMMAND(PolicyDuplicationSelect)
#define PolicyNV_IN(P) P(TPM2B_OPERAND, operandB) P(UINT16, offset) P(TPM_EO, operation)
#define PolicyNV_OUT(P)
PRM_COMMAND(PolicyNV)
#define PolicyCounterTimer_IN(P) P(TPM2B_OPERAND, operandB) P(UINT16, offset) P(TPM_EO, operation)
#define PolicyCounterTimer_OUT(P)
PRM_COMMAND(PolicyCounterTimer)
#define PolicyAuthorizeNV_IN(P)
#define PolicyAuthorizeNV_OUT(P)
PRM_COMMAND(PolicyAuthorizeNV)
#define PolicyTemplate_IN(P) P(TPM2B_DIGEST, templateHash)
#define PolicyTemplate_OUT(P)
PRM_COMMAND(PolicyTemplate)

#endif
