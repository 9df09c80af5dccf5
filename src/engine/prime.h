/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prime.h — deterministic RSA prime search for primary keys (prime.c).
 */
#ifndef QTPM_ENGINE_PRIME_H
#define QTPM_ENGINE_PRIME_H

#include <openssl/bn.h>

#include "tpm.h"

/* The odd primes below 2^16, for the sieve; one table serves both primes of
 * a key. */
typedef struct prime_table prime_table;
prime_table *prime_table_new(void);
void prime_table_free(prime_table *t);

/* p := the prime of bits bits (a multiple of 8) that the KDFa stream
 * (alg, seed, label, ctx) selects, with gcd(p-1, e) = 1 (e = 0 means 65537).
 * Returns 1 on success, 0 on failure. */
int prime_derive_rsa(const prime_table *t, TPM_ALG_ID alg, const uint8_t *seed, size_t seed_len,
                     const char *label, const uint8_t *ctx, size_t ctx_len, unsigned bits,
                     uint32_t e, BIGNUM *p, BN_CTX *bc);

/* The cache of recently derived primary RSA keys (prime.c): id is
 * prime_cache_id() of the derivation inputs; p and q are prime_bytes each. */
void prime_cache_id(TPM_ALG_ID alg, const uint8_t *seed, size_t seed_len, const uint8_t *ctx,
                    size_t ctx_len, unsigned bits, uint32_t e, uint8_t id[32]);
int prime_cache_get(qtpm_tpm *tpm, const uint8_t id[32], size_t prime_bytes, uint8_t *p,
                    uint8_t *q);
void prime_cache_put(qtpm_tpm *tpm, const uint8_t id[32], size_t prime_bytes, const uint8_t *p,
                     const uint8_t *q);

/* forgets every cached primary RSA key (a seed changed) */
void prime_cache_wipe(qtpm_tpm *tpm);

#endif
