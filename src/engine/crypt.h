/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * crypt.h — TPM_ALG_ID-named hashing, HMAC and randomness for the engine
 * (see crypt.c), over the classic crypto module.
 */
#ifndef QTPM_ENGINE_CRYPT_H
#define QTPM_ENGINE_CRYPT_H

#include "tpm.h"
#include "qtpm/classic.h"

/* One piece of a message hashed or MACed in several parts. */
typedef struct {
    const uint8_t *p;
    size_t len;
} crypt_part;

qtpm_hash_alg crypt_hash_alg(TPM_ALG_ID alg);
/* Digest size of a TPM hash algorithm; 0 if the engine does not implement it. */
size_t crypt_hash_size(TPM_ALG_ID alg);
int crypt_hash(TPM_ALG_ID alg, const uint8_t *in, size_t len, uint8_t *out);
int crypt_hash_parts(TPM_ALG_ID alg, uint8_t *out, const crypt_part *parts, size_t nparts);
int crypt_hmac_parts(TPM_ALG_ID alg, const uint8_t *key, size_t key_len, uint8_t *out,
                     const crypt_part *parts, size_t nparts);
int crypt_random(uint8_t *out, size_t len);



int crypt_kdfa(TPM_ALG_ID alg, const uint8_t *key, size_t key_len, const char *label,
               const uint8_t *ctx_u, size_t u_len, const uint8_t *ctx_v, size_t v_len,
               uint32_t bits, uint8_t *out);
qtpm_ecc_curve crypt_ecc_curve(TPM_ECC_CURVE id);

#endif
