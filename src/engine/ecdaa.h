/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ecdaa.h — commitments and the ECDAA and EC-Schnorr schemes (ecdaa.c), which
 * asym.c's Sign and VerifySignature call, and the commit nonce of Startup.
 */
#ifndef QTPM_ENGINE_ECDAA_H
#define QTPM_ENGINE_ECDAA_H

#include "object.h"

/* a fresh commit nonce; every earlier commitment is void */
void ecc_commit_startup(qtpm_tpm *tpm);
/* The commit counter (Part 3 §19.2 Commit), shared with the LDAA vendor
 * commands (ldaa.c): take marks the next value outstanding and returns its
 * low 16 bits; lookup gives the full value of an outstanding c (-1: never
 * committed, used or too old); end makes c used. */
uint16_t commit_take(qtpm_tpm *tpm);
int commit_lookup(const qtpm_tpm *tpm, uint16_t c, uint64_t *cnt64);
void commit_end(qtpm_tpm *tpm, uint16_t c);
TPM_RC ecdaa_sign(qtpm_tpm *tpm, const tpm_object *key, const TPMT_SIG_SCHEME *scheme,
                  const uint8_t *digest, size_t dlen, TPMT_SIGNATURE *sig);
TPM_RC ecschnorr_sign(const tpm_object *key, TPM_ALG_ID h, const uint8_t *digest, size_t dlen,
                      TPMT_SIGNATURE *sig);
TPM_RC ecschnorr_verify(const tpm_object *key, const uint8_t *digest, size_t dlen,
                        const TPMT_SIGNATURE *sig);

#endif
