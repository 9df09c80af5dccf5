/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcr.h — the PCR banks (pcr.c): bank indices, the allocation, extending and
 * the digest of a PCR selection (Quote, PolicyPCR, creation data).
 */
#ifndef QTPM_ENGINE_PCR_H
#define QTPM_ENGINE_PCR_H

#include "params.h"
#include "tpm.h"

int pcr_bank_index(TPM_ALG_ID alg);
TPM_ALG_ID pcr_bank_alg(int idx);
/* 1 if bank idx is allocated now; event digests are returned for these. */
int pcr_bank_allocated(const qtpm_tpm *tpm, int idx);
void pcr_init_values(qtpm_tpm *tpm, int on_resume);
/* The allocation as a TPML_PCR_SELECTION (GetCapability(TPM_CAP_PCRS)). */
void pcr_allocation(const qtpm_tpm *tpm, TPML_PCR_SELECTION *l);
void pcr_extend_digests(qtpm_tpm *tpm, TPM_HANDLE h, uint8_t digests[PCR_BANK_COUNT][MAX_DIGEST]);
/* The digest of the selected PCRs of an unmarshalled selection (typed
 * commands: Quote, PolicyPCR, creation data); TPM_RC_HASH (bare: the
 * caller numbers it) if it names no bank of this TPM. */
TPM_RC pcr_selection_digest(qtpm_tpm *tpm, const TPML_PCR_SELECTION *sel, TPM_ALG_ID alg,
                            uint8_t *digest);

/* the parameters of the PCR commands (Part 3 §22; params.h) */
#define PCR_Extend_IN(P) P(TPML_DIGEST_VALUES, digests)
#define PCR_Extend_OUT(P)
PRM_COMMAND(PCR_Extend)
#define PCR_Event_IN(P) P(TPM2B_EVENT, eventData)
#define PCR_Event_OUT(P) P(TPML_DIGEST_VALUES, digests)
PRM_COMMAND(PCR_Event)
#define PCR_Read_IN(P) P(TPML_PCR_SELECTION, pcrSelectionIn)
#define PCR_Read_OUT(P)                                                                 \
    P(UINT32, pcrUpdateCounter) P(TPML_PCR_SELECTION, pcrSelectionOut)                 \
    P(TPML_DIGEST, pcrValues)
PRM_COMMAND(PCR_Read)
#define PCR_Allocate_IN(P) P(TPML_PCR_SELECTION, pcrAllocation)
#define PCR_Allocate_OUT(P)                                                             \
    P(TPMI_YES_NO, allocationSuccess) P(UINT32, maxPCR) P(UINT32, sizeNeeded)          \
    P(UINT32, sizeAvailable)
PRM_COMMAND(PCR_Allocate)
#define PCR_Reset_IN(P)
#define PCR_Reset_OUT(P)
PRM_COMMAND(PCR_Reset)

#endif
