/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attest.h — the attestation and audit commands (attest.c; Part 3 §18,
 * §21.2, §31.16): their typed parameters (params.h), and command audit
 * (Part 1 §33), which dispatch.c extends after every successful audited
 * command.
 *
 * Each list follows Part 3's table of the command (field names as there).
 * inScheme is TPMT_SIG_SCHEME+ with the engine's checks of tmarshal.h
 * (TPMT_SIG_SCHEME_CHECKED_NULL: a scheme or hash this TPM does not offer is
 * refused as it is unmarshalled); PCRselect goes through the adapter with
 * the profile's hashes (params.c). Every response is a TPM2B_ATTEST (the
 * marshalled TPMS_ATTEST) and the TPMT_SIGNATURE over it.
 */
#ifndef QTPM_ENGINE_ATTEST_H
#define QTPM_ENGINE_ATTEST_H

#include "cmd.h"
#include "params.h"
#include "tmarshal.h"

void audit_command(qtpm_tpm *tpm, tpm_cmd *c);

/* Part 3 §18.2 - §18.7. Every attestation command answers the TPMS_ATTEST
 * as a TPM2B_ATTEST (named as Part 3 names it there) and the signature over
 * it; most take only qualifyingData and inScheme. */
#define ATTEST_IN(P) P(TPM2B_DATA, qualifyingData) P(TPMT_SIG_SCHEME_CHECKED_NULL, inScheme)
#define ATTEST_OUT(P, info) P(TPM2B_ATTEST, info) P(TPMT_SIGNATURE, signature)

#define Certify_IN(P) ATTEST_IN(P)
#define Certify_OUT(P) ATTEST_OUT(P, certifyInfo)
PRM_COMMAND(Certify)
#define CertifyCreation_IN(P)                                                           \
    P(TPM2B_DATA, qualifyingData) P(TPM2B_DIGEST, creationHash)                         \
    P(TPMT_SIG_SCHEME_CHECKED_NULL, inScheme) P(TPMT_TK_CREATION, creationTicket)
#define CertifyCreation_OUT(P) ATTEST_OUT(P, certifyInfo)
PRM_COMMAND(CertifyCreation)
#define Quote_IN(P) ATTEST_IN(P) P(TPML_PCR_SELECTION, PCRselect)
#define Quote_OUT(P) ATTEST_OUT(P, quoted)
PRM_COMMAND(Quote)
#define GetSessionAuditDigest_IN(P) ATTEST_IN(P)
#define GetSessionAuditDigest_OUT(P) ATTEST_OUT(P, auditInfo)
PRM_COMMAND(GetSessionAuditDigest)
#define GetCommandAuditDigest_IN(P) ATTEST_IN(P)
#define GetCommandAuditDigest_OUT(P) ATTEST_OUT(P, auditInfo)
PRM_COMMAND(GetCommandAuditDigest)
#define GetTime_IN(P) ATTEST_IN(P)
#define GetTime_OUT(P) ATTEST_OUT(P, timeInfo)
PRM_COMMAND(GetTime)

/* Part 3 §21.2 */
#define SetCommandCodeAuditStatus_IN(P)                                                 \
    P(TPMI_ALG_HASH_NULL, auditAlg) P(TPML_CC, setList) P(TPML_CC, clearList)
#define SetCommandCodeAuditStatus_OUT(P)
PRM_COMMAND(SetCommandCodeAuditStatus)

/* Part 3 §31.16 */
#define NV_Certify_IN(P) ATTEST_IN(P) P(UINT16, size) P(UINT16, offset)
#define NV_Certify_OUT(P) ATTEST_OUT(P, certifyInfo)
PRM_COMMAND(NV_Certify)

#endif
