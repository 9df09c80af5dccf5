/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rand.c — qtpm_random_bytes: the kernel's getrandom() normally, or, for a
 * thread that asked for it, a deterministic HMAC_DRBG (drbg.c) so that tests
 * of randomized algorithms are reproducible.
 *
 * The mode and the DRBG state are C11 thread-local, so a test switching its
 * own thread cannot disturb another thread (or another TPM instance running
 * elsewhere in the process).
 */
#include <errno.h>
#include <sys/random.h>

#include "qtpm/common.h"
#include "qtpm/drbg.h"
#include "qtpm/rand.h"

static _Thread_local qtpm_drbg test_drbg;
static _Thread_local int test_mode;

static int system_random(uint8_t *out, size_t len)
{
    while (len > 0) {
        ssize_t n = getrandom(out, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return QTPM_E_RNG;
        }
        out += n;
        len -= (size_t)n;
    }
    return QTPM_OK;
}

/* One generate request per call, split only where SP 800-90A's per-request
 * limit forces it, so the stream is a function of the seed and the sequence
 * of requested lengths. */
static int test_random(uint8_t *out, size_t len)
{
    while (len > 0) {
        size_t n = len < QTPM_DRBG_MAX_REQUEST ? len : QTPM_DRBG_MAX_REQUEST;
        int rc = qtpm_drbg_generate(&test_drbg, out, n, NULL, 0);
        if (rc != QTPM_OK)
            return QTPM_E_RNG;
        out += n;
        len -= n;
    }
    return QTPM_OK;
}

int qtpm_random_bytes(uint8_t *out, size_t len)
{
    return test_mode ? test_random(out, len) : system_random(out, len);
}

int qtpm_random_set_deterministic(const uint8_t *seed, size_t seed_len)
{
    /* The seed is the entropy input; no nonce, no personalization string. */
    int rc = qtpm_drbg_instantiate(&test_drbg, seed, seed_len, NULL, 0, NULL, 0);
    if (rc != QTPM_OK) {
        qtpm_random_set_system();
        return rc;
    }
    test_mode = 1;
    return QTPM_OK;
}

void qtpm_random_set_system(void)
{
    qtpm_drbg_uninstantiate(&test_drbg);
    test_mode = 0;
}
