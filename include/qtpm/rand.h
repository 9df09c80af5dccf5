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

/* Buffered mode for this thread (on != 0): small requests are served from a
 * pool of getrandom() output filled QTPM_RANDOM_POOL bytes at a time, so a
 * TPM command asking for a nonce costs no system call (qtpm-server turns it
 * on for its one thread). Bytes leave the pool once and are wiped from it
 * as they are handed out. The pool lives in its own page marked
 * MADV_WIPEONFORK: a forked child finds it empty and refills it from the
 * kernel, so parent and child never hand out the same bytes. Returns QTPM_OK,
 * or QTPM_E_RNG when the page cannot be had (the thread stays unbuffered).
 * on == 0 wipes and releases the pool. Test mode, when set, still wins. */
#define QTPM_RANDOM_POOL 2048
int qtpm_random_set_buffered(int on);

#endif
