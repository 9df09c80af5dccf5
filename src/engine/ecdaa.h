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
TPM_RC ecdaa_sign(qtpm_tpm *tpm, const tpm_object *key, const TPMT_SIG_SCHEME *scheme,
                  const uint8_t *digest, size_t dlen, TPMT_SIGNATURE *sig);
TPM_RC ecschnorr_sign(const tpm_object *key, TPM_ALG_ID h, const uint8_t *digest, size_t dlen,
                      TPMT_SIGNATURE *sig);
TPM_RC ecschnorr_verify(const tpm_object *key, const uint8_t *digest, size_t dlen,
                        const TPMT_SIGNATURE *sig);

#endif
