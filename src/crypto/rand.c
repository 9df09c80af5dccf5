/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rand.c — qtpm_random_bytes: the kernel's getrandom() normally, or, for a
 * thread that asked for it, a deterministic HMAC_DRBG (drbg.c) so that tests
 * of randomized algorithms are reproducible.
 *
 * The mode and the DRBG state are C11 thread-local, so a test switching its
 * own thread cannot disturb another thread (or another TPM instance running
 * elsewhere in the process).
 *
 * A thread may also ask for buffered kernel randomness
 * (qtpm_random_set_buffered): getrandom() fills a pool of QTPM_RANDOM_POOL
 * bytes and small requests are cut from its end, each cut wiped from the pool
 * as it is handed out, so only bytes nobody has seen yet stay in memory. The
 * bytes are the kernel's own CSPRNG output, used once each. Fork safety: the
 * pool is a private anonymous page with MADV_WIPEONFORK (Linux 4.14,
 * madvise(2)), so a child of fork() sees the page zero-filled — its count of
 * available bytes is 0 — and refills from the kernel; without that advice the
 * mode is refused. (A whole-VM snapshot restored twice repeats the pool, as it
 * repeats any user-space DRBG state; the kernel's own reseeding cannot help
 * bytes already drawn.)
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "qtpm/common.h"
#include "qtpm/drbg.h"
#include "qtpm/rand.h"

static _Thread_local qtpm_drbg test_drbg;
static _Thread_local int test_mode;

/* The buffered mode's page: `avail` bytes at the start of `bytes` are unused
 * kernel output; a fork wipes the whole page, so avail reads 0 in a child. */
typedef struct {
    size_t avail;
    uint8_t bytes[QTPM_RANDOM_POOL];
} rand_pool;
/* Requests above this go to the kernel directly and leave the pool alone. */
#define POOL_MAX_REQUEST 256u

static _Thread_local rand_pool *pool;
static _Thread_local size_t pool_map_len;

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

static int pool_random(uint8_t *out, size_t len)
{
    if (len > POOL_MAX_REQUEST)
        return system_random(out, len);
    if (pool->avail < len) {
        /* Refill whole; what was left is overwritten, never handed out. */
        pool->avail = 0;
        if (system_random(pool->bytes, sizeof(pool->bytes)) != QTPM_OK)
            return QTPM_E_RNG;
        pool->avail = sizeof(pool->bytes);
    }
    uint8_t *src = pool->bytes + pool->avail - len;
    memcpy(out, src, len);
    qtpm_memzero(src, len);
    pool->avail -= len;
    return QTPM_OK;
}

int qtpm_random_bytes(uint8_t *out, size_t len)
{
    if (test_mode)
        return test_random(out, len);
    return pool != NULL ? pool_random(out, len) : system_random(out, len);
}

int qtpm_random_set_buffered(int on)
{
    if (!on) {
        if (pool != NULL) {
            qtpm_memzero(pool, sizeof(*pool));
            munmap(pool, pool_map_len);
        }
        pool = NULL;
        pool_map_len = 0;
        return QTPM_OK;
    }
    if (pool != NULL)
        return QTPM_OK;
    long page = sysconf(_SC_PAGESIZE);
    size_t len = sizeof(rand_pool);
    if (page > 0)
        len = (len + (size_t)page - 1) / (size_t)page * (size_t)page;
#ifdef MADV_WIPEONFORK
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return QTPM_E_RNG;
    if (madvise(p, len, MADV_WIPEONFORK) != 0) {
        munmap(p, len);
        return QTPM_E_RNG;
    }
    pool = p; /* fresh anonymous memory: avail is 0 */
    pool_map_len = len;
    return QTPM_OK;
#else
    (void)len;
    return QTPM_E_RNG;
#endif
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
