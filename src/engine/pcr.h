/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcr.h — the PCR banks (pcr.c): bank indices, the allocation, extending and
 * the digest of a PCR selection (Quote, PolicyPCR, creation data).
 */
#ifndef QTPM_ENGINE_PCR_H
#define QTPM_ENGINE_PCR_H

#include "cursor.h"
#include "tpm.h"

int pcr_bank_index(TPM_ALG_ID alg);
TPM_ALG_ID pcr_bank_alg(int idx);
/* 1 if bank idx is allocated now; event digests are returned for these. */
int pcr_bank_allocated(const qtpm_tpm *tpm, int idx);
void pcr_init_values(qtpm_tpm *tpm, int on_resume);
void pcr_write_allocation(const qtpm_tpm *tpm, tpm_wr *w);
void pcr_extend_digests(qtpm_tpm *tpm, TPM_HANDLE h, uint8_t digests[PCR_BANK_COUNT][MAX_DIGEST]);
TPM_RC pcr_compute_digest(qtpm_tpm *tpm, tpm_rd *in, unsigned param_no, TPM_ALG_ID alg,
                          uint8_t *digest, TPML_PCR_SELECTION *sel);

#endif
