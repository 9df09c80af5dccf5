/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/rand.h — where qtpm's randomness comes from.
 *
 * qtpm_random_bytes() reads the kernel's getrandom(). Tests may switch the
 * calling thread to a deterministic HMAC-DRBG (SP 800-90A, HMAC with SHA-256)
 * seeded from a given value, so randomized algorithms become reproducible;
 * the switch is per thread, so one test cannot disturb another.
 */
#ifndef QTPM_RAND_H
#define QTPM_RAND_H

#include <stddef.h>
#include <stdint.h>

/* Fills out with len random bytes. Returns QTPM_OK or QTPM_E_RNG. */
int qtpm_random_bytes(uint8_t *out, size_t len);

/* Test mode: this thread's qtpm_random_bytes() comes from an HMAC-DRBG
 * (qtpm/drbg.h) instantiated with seed as entropy input and no nonce or
 * personalization — deterministic. Each qtpm_random_bytes() call is one
 * generate request (split at QTPM_DRBG_MAX_REQUEST bytes), so the stream
 * depends on the seed and on the sequence of requested lengths. Calling it
 * again restarts the stream. Randomness drawn inside OpenSSL (RSA key
 * generation, ECDSA nonces, RSA padding) is not affected. */
int qtpm_random_set_deterministic(const uint8_t *seed, size_t seed_len);
/* Back to getrandom() for this thread; wipes the test DRBG. */
void qtpm_random_set_system(void);

#endif
