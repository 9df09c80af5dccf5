/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/drbg.h — HMAC_DRBG with SHA-256 (NIST SP 800-90A Rev. 1, §10.1.2),
 * a deterministic random bit generator held as a plain value.
 *
 * The caller supplies all entropy: the DRBG has no source of its own, so the
 * same inputs always give the same outputs. That is what the per-thread test
 * mode of qtpm/rand.h is built on, and what a TPM needs for a DRBG seeded
 * from its entropy at start-up. Security strength is 256 bits: give at least
 * 32 bytes of full-entropy input on instantiate and reseed (the functions
 * accept shorter inputs, since they cannot measure entropy, and test seeds
 * are often short). Prediction resistance is the caller's business: reseed
 * before generate when it is wanted.
 */
#ifndef QTPM_DRBG_H
#define QTPM_DRBG_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/common.h"

#define QTPM_DRBG_OUTLEN 32                     /* SHA-256 output, the V and Key size */
#define QTPM_DRBG_MAX_REQUEST 65536             /* 2^19 bits per generate (Table 2) */
#define QTPM_DRBG_RESEED_INTERVAL (1ull << 48)  /* generate calls between reseeds */
#define QTPM_DRBG_MAX_INPUT (1ull << 32)        /* bytes; Table 2 allows 2^35 bits */

typedef struct {
    uint8_t key[QTPM_DRBG_OUTLEN];
    uint8_t v[QTPM_DRBG_OUTLEN];
    uint64_t reseed_counter;
    int instantiated;
} qtpm_drbg;

/* §10.1.2.3: seed_material = entropy || nonce || personalization. Any input
 * may be empty. */
int qtpm_drbg_instantiate(qtpm_drbg *d, const uint8_t *entropy, size_t entropy_len,
                          const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *pers, size_t pers_len);

/* §10.1.2.4: seed_material = entropy || additional input. */
int qtpm_drbg_reseed(qtpm_drbg *d, const uint8_t *entropy, size_t entropy_len,
                     const uint8_t *addin, size_t addin_len);

/* §10.1.2.5: len bytes (at most QTPM_DRBG_MAX_REQUEST) with optional
 * additional input. Returns QTPM_E_RNG when a reseed is required (after
 * QTPM_DRBG_RESEED_INTERVAL requests) or the DRBG is not instantiated. */
int qtpm_drbg_generate(qtpm_drbg *d, uint8_t *out, size_t len,
                       const uint8_t *addin, size_t addin_len);

/* §9.4: wipes the state. */
void qtpm_drbg_uninstantiate(qtpm_drbg *d);

#endif
