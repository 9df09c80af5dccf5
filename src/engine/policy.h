/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h — the parameters of policy.c's commands (Part 3 §23; params.h),
 * each list in Part 3 order. The policy session of every one is checked
 * with the handles (a slot of class HC_POLICY_SESSION, dispatch.c), so a
 * handler finds it loaded.
 */
#ifndef QTPM_ENGINE_POLICY_H
#define QTPM_ENGINE_POLICY_H

#include "params.h"
#include "tmarshal.h"

/* PolicySigned (§23.3) and PolicySecret (§23.4) begin with the same four
 * parameters (so the same numbers) and answer the same two. The signature
 * is read with the engine's scheme checks (tmarshal.h). */
#define POLICY_AUTH_IN_(P)                                                              \
    P(TPM2B_NONCE, nonceTPM) P(TPM2B_DIGEST, cpHashA) P(TPM2B_NONCE, policyRef)          \
    P(INT32, expiration)
#define POLICY_AUTH_OUT_(P) P(TPM2B_TIMEOUT, timeout) P(TPMT_TK_AUTH, policyTicket)
#define PolicySigned_IN(P) POLICY_AUTH_IN_(P) P(TPMT_SIGNATURE_CHECKED_NULL, auth)
#define PolicySigned_OUT(P) POLICY_AUTH_OUT_(P)
PRM_COMMAND(PolicySigned)
#define PolicySecret_IN(P) POLICY_AUTH_IN_(P)
#define PolicySecret_OUT(P) POLICY_AUTH_OUT_(P)
PRM_COMMAND(PolicySecret)
#define PolicyTicket_IN(P)                                                              \
    P(TPM2B_TIMEOUT, timeout) P(TPM2B_DIGEST, cpHashA) P(TPM2B_NONCE, policyRef)         \
    P(TPM2B_NAME, authName) P(TPMT_TK_AUTH, ticket)
#define PolicyTicket_OUT(P)
PRM_COMMAND(PolicyTicket)
#define PolicyAuthorize_IN(P)                                                           \
    P(TPM2B_DIGEST, approvedPolicy) P(TPM2B_NONCE, policyRef) P(TPM2B_NAME, keySign)     \
    P(TPMT_TK_VERIFIED, checkTicket)
#define PolicyAuthorize_OUT(P)
PRM_COMMAND(PolicyAuthorize)

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
