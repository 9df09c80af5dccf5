/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * asym.h — signing and verification with a loaded key, and tickets
 * (asym.c): what the attestation, policy, sequence and PQC commands sign
 * and verify with.
 */
#ifndef QTPM_ENGINE_ASYM_H
#define QTPM_ENGINE_ASYM_H

#include "object.h"

void ticket_hmac(qtpm_tpm *tpm, TPM_ALG_ID alg, TPM_HANDLE hier, TPM_ST tag, const uint8_t *a,
                 size_t alen, const uint8_t *b, size_t blen, uint8_t *out);
TPM_RC asym_pick_scheme(const tpm_object *key, const TPMT_SIG_SCHEME *in, TPMT_SIG_SCHEME *out,
                        unsigned pnum);
TPM_RC asym_sign(qtpm_tpm *tpm, const tpm_object *key, const TPMT_SIG_SCHEME *scheme,
                 const uint8_t *digest, size_t dlen, TPMT_SIGNATURE *sig);
TPM_RC asym_signing_key(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out);
TPM_RC asym_verify(const tpm_object *key, const uint8_t *digest, size_t dlen,
                   const TPMT_SIGNATURE *sig);

#endif
