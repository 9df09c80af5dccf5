/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_drbg.c — HMAC_DRBG (drbg.h) against OpenSSL's EVP_RAND "HMAC-DRBG",
 * an independent SP 800-90A implementation, fed from a "TEST-RAND" parent so
 * that its entropy and nonce are ours; then the DRBG's own rules
 * (determinism, reseed, additional input, limits), the per-thread
 * deterministic mode of qtpm_random_bytes(), and its buffered mode (bytes
 * used once, a forked child never repeating its parent's).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "testutil.h"
#include "qtpm/drbg.h"
#include "qtpm/rand.h"

static void fill(uint8_t *b, size_t n, unsigned salt)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 37 + salt);
}

typedef struct {
    EVP_RAND_CTX *parent, *drbg;
} ossl_drbg;

/* OpenSSL HMAC-DRBG(SHA-256) whose instantiate takes exactly entropy and
 * nonce from the test parent, without prediction resistance. pers must not
 * be NULL even when empty: OpenSSL 3.0 substitutes its own default
 * personalization string for a NULL one. */
static void ossl_instantiate(ossl_drbg *o, const uint8_t *entropy, size_t entropy_len,
                             const uint8_t *nonce, size_t nonce_len, const uint8_t *pers,
                             size_t pers_len)
{
    EVP_RAND *test = EVP_RAND_fetch(NULL, "TEST-RAND", NULL);
    EVP_RAND *hmac = EVP_RAND_fetch(NULL, "HMAC-DRBG", NULL);
    unsigned int strength = 256;
    OSSL_PARAM p[4];
    assert_non_null(test);
    assert_non_null(hmac);
    o->parent = EVP_RAND_CTX_new(test, NULL);
    assert_non_null(o->parent);
    p[0] = OSSL_PARAM_construct_uint(OSSL_RAND_PARAM_STRENGTH, &strength);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_RAND_PARAM_TEST_ENTROPY, (void *)entropy,
                                             entropy_len);
    p[2] = OSSL_PARAM_construct_octet_string(OSSL_RAND_PARAM_TEST_NONCE, (void *)nonce, nonce_len);
    p[3] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_RAND_CTX_set_params(o->parent, p), 1);
    assert_int_equal(EVP_RAND_instantiate(o->parent, strength, 0, NULL, 0, NULL), 1);
    o->drbg = EVP_RAND_CTX_new(hmac, o->parent);
    assert_non_null(o->drbg);
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_MAC, (char *)"HMAC", 0);
    p[1] = OSSL_PARAM_construct_utf8_string(OSSL_DRBG_PARAM_DIGEST, (char *)"SHA256", 0);
    p[2] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_RAND_instantiate(o->drbg, strength, 0, pers, pers_len, p), 1);
    EVP_RAND_free(test);
    EVP_RAND_free(hmac);
}

/* The entropy the parent hands out next. (EVP_RAND_reseed given entropy
 * directly would reseed a second time from the parent, so a reseed is
 * compared by refilling the parent instead.) */
static void ossl_set_entropy(ossl_drbg *o, const uint8_t *entropy, size_t len)
{
    OSSL_PARAM p[2];
    p[0] = OSSL_PARAM_construct_octet_string(OSSL_RAND_PARAM_TEST_ENTROPY, (void *)entropy, len);
    p[1] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_RAND_CTX_set_params(o->parent, p), 1);
}

static void ossl_free(ossl_drbg *o)
{
    EVP_RAND_CTX_free(o->drbg);
    EVP_RAND_CTX_free(o->parent);
}

/* Instantiate, generate twice (with and without additional input), reseed
 * with additional input, generate again — every output equal to OpenSSL's. */
static void test_drbg_vs_openssl(void **state)
{
    (void)state;
    uint8_t entropy[48], nonce[16], pers[32], addin[32], reseed_ent[32];
    uint8_t ours[1024], theirs[1024];
    static const size_t out_lens[] = {1, 32, 64, 100, 1024};
    static const size_t pers_lens[] = {0, 32};
    size_t count = 0;
    for (size_t e = 32; e <= 48; e += 16) {
        for (size_t pi = 0; pi < 2; pi++) {
            for (size_t oi = 0; oi < sizeof(out_lens) / sizeof(out_lens[0]); oi++) {
                size_t n = out_lens[oi];
                qtpm_drbg d;
                ossl_drbg o;
                fill(entropy, e, (unsigned)(e + oi));
                fill(nonce, 16, (unsigned)(3 + pi));
                fill(pers, 32, 5);
                fill(addin, 32, 7);
                fill(reseed_ent, 32, 11);
                assert_int_equal(qtpm_drbg_instantiate(&d, entropy, e, nonce, 16, pers,
                                                       pers_lens[pi]), QTPM_OK);
                ossl_instantiate(&o, entropy, e, nonce, 16, pers, pers_lens[pi]);

                assert_int_equal(qtpm_drbg_generate(&d, ours, n, NULL, 0), QTPM_OK);
                assert_int_equal(EVP_RAND_generate(o.drbg, theirs, n, 256, 0, NULL, 0), 1);
                assert_memory_equal(ours, theirs, n);

                assert_int_equal(qtpm_drbg_generate(&d, ours, n, addin, 32), QTPM_OK);
                assert_int_equal(EVP_RAND_generate(o.drbg, theirs, n, 256, 0, addin, 32), 1);
                assert_memory_equal(ours, theirs, n);

                assert_int_equal(qtpm_drbg_reseed(&d, reseed_ent, 32, addin, 16), QTPM_OK);
                ossl_set_entropy(&o, reseed_ent, 32);
                assert_int_equal(EVP_RAND_reseed(o.drbg, 0, NULL, 0, addin, 16), 1);
                assert_int_equal(qtpm_drbg_generate(&d, ours, n, NULL, 0), QTPM_OK);
                assert_int_equal(EVP_RAND_generate(o.drbg, theirs, n, 256, 0, NULL, 0), 1);
                assert_memory_equal(ours, theirs, n);

                qtpm_drbg_uninstantiate(&d);
                ossl_free(&o);
                count++;
            }
        }
    }
    print_message("HMAC_DRBG: %zu scenarios agree with OpenSSL HMAC-DRBG\n", count);
}

/* Empty nonce and personalization, which OpenSSL cannot express: pinned to
 * the output of an independent transcription of §10.1.2 (Python's hmac
 * module) for entropy bytes (37·i + 1) mod 256, i = 0..31. */
static void test_drbg_pinned(void **state)
{
    (void)state;
    uint8_t ent[32], out[32], *want;
    size_t want_len;
    qtpm_drbg d;
    fill(ent, 32, 1);
    tu_hex("b104f62e41950db73498b2496edda342cc070e7c09e03049f9cf64a3cac20a26", &want, &want_len);
    assert_int_equal(qtpm_drbg_instantiate(&d, ent, 32, NULL, 0, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d, out, 32, NULL, 0), QTPM_OK);
    assert_memory_equal(out, want, 32);
    qtpm_drbg_uninstantiate(&d);
    free(want);
}

static void test_drbg_rules(void **state)
{
    (void)state;
    uint8_t ent[32], a[64], b[64], c[64];
    qtpm_drbg d1, d2;
    fill(ent, 32, 1);
    /* Same inputs, same outputs. */
    assert_int_equal(qtpm_drbg_instantiate(&d1, ent, 32, NULL, 0, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_instantiate(&d2, ent, 32, NULL, 0, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d1, a, 64, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d2, b, 64, NULL, 0), QTPM_OK);
    assert_memory_equal(a, b, 64);
    /* Successive outputs differ; additional input changes the output; a
     * reseed changes the following output. */
    assert_int_equal(qtpm_drbg_generate(&d1, a, 64, NULL, 0), QTPM_OK);
    assert_memory_not_equal(a, b, 64);
    assert_int_equal(qtpm_drbg_generate(&d2, b, 64, (const uint8_t *)"x", 1), QTPM_OK);
    assert_memory_not_equal(a, b, 64);
    assert_int_equal(qtpm_drbg_instantiate(&d1, ent, 32, NULL, 0, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_instantiate(&d2, ent, 32, NULL, 0, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_reseed(&d2, ent, 32, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d1, a, 64, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d2, b, 64, NULL, 0), QTPM_OK);
    assert_memory_not_equal(a, b, 64);
    /* Nonce and personalization are part of the seed. */
    assert_int_equal(qtpm_drbg_instantiate(&d2, ent, 32, (const uint8_t *)"n", 1, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d2, c, 64, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_instantiate(&d1, ent, 32, NULL, 0, (const uint8_t *)"n", 1), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d1, b, 64, NULL, 0), QTPM_OK);
    assert_memory_not_equal(a, c, 64);
    /* (entropy || nonce || pers is one string, so moving a byte between nonce
     * and personalization does not change it — a property of §10.1.2.3.) */
    assert_memory_equal(b, c, 64);

    /* Limits: request size, reseed interval, use before instantiate/after wipe. */
    static uint8_t big[QTPM_DRBG_MAX_REQUEST + 1];
    assert_int_equal(qtpm_drbg_generate(&d1, big, QTPM_DRBG_MAX_REQUEST + 1, NULL, 0), QTPM_E_LENGTH);
    assert_int_equal(qtpm_drbg_generate(&d1, big, QTPM_DRBG_MAX_REQUEST, NULL, 0), QTPM_OK);
    d1.reseed_counter = QTPM_DRBG_RESEED_INTERVAL;
    assert_int_equal(qtpm_drbg_generate(&d1, a, 16, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d1, a, 16, NULL, 0), QTPM_E_RNG);
    assert_int_equal(qtpm_drbg_reseed(&d1, ent, 32, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d1, a, 16, NULL, 0), QTPM_OK);
    qtpm_drbg_uninstantiate(&d1);
    assert_int_equal(d1.instantiated, 0);
    for (size_t i = 0; i < sizeof(d1.key); i++)
        assert_int_equal(d1.key[i], 0);
    assert_int_equal(qtpm_drbg_generate(&d1, a, 16, NULL, 0), QTPM_E_RNG);
    assert_int_equal(qtpm_drbg_reseed(&d1, ent, 32, NULL, 0), QTPM_E_RNG);
    qtpm_drbg_uninstantiate(&d2);
}

/* qtpm_random_bytes in deterministic mode is the DRBG instantiated with the
 * seed alone, one generate request per call. */
static void test_random_deterministic(void **state)
{
    (void)state;
    static const uint8_t seed[] = "qtpm deterministic seed, 32+ bytes";
    uint8_t a[100], b[100], c[100];
    qtpm_drbg d;
    assert_int_equal(qtpm_random_set_deterministic(seed, sizeof(seed)), QTPM_OK);
    assert_int_equal(qtpm_random_bytes(a, 40), QTPM_OK);
    assert_int_equal(qtpm_random_bytes(a + 40, 60), QTPM_OK);
    assert_int_equal(qtpm_drbg_instantiate(&d, seed, sizeof(seed), NULL, 0, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d, b, 40, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d, b + 40, 60, NULL, 0), QTPM_OK);
    assert_memory_equal(a, b, 100);
    qtpm_drbg_uninstantiate(&d);
    /* Switching again restarts the stream. */
    assert_int_equal(qtpm_random_set_deterministic(seed, sizeof(seed)), QTPM_OK);
    assert_int_equal(qtpm_random_bytes(c, 40), QTPM_OK);
    assert_memory_equal(c, a, 40);
    /* More than one request's worth is split, not refused. */
    static uint8_t big[QTPM_DRBG_MAX_REQUEST * 2 + 5];
    assert_int_equal(qtpm_random_bytes(big, sizeof(big)), QTPM_OK);
    /* Back to the system: two reads differ from each other and from the
     * deterministic stream. */
    qtpm_random_set_system();
    assert_int_equal(qtpm_random_bytes(b, 100), QTPM_OK);
    assert_int_equal(qtpm_random_bytes(c, 100), QTPM_OK);
    assert_memory_not_equal(b, c, 100);
    assert_memory_not_equal(a, b, 100);
}

/* The mode is per thread: a thread switched to deterministic mode does not
 * change what another thread reads, and vice versa. */
typedef struct {
    uint8_t out[64];
    int rc;
} thread_result;

static void *deterministic_thread(void *arg)
{
    thread_result *r = arg;
    static const uint8_t seed[] = "thread seed";
    r->rc = qtpm_random_set_deterministic(seed, sizeof(seed));
    if (r->rc == QTPM_OK)
        r->rc = qtpm_random_bytes(r->out, sizeof(r->out));
    qtpm_random_set_system();
    return NULL;
}

static void test_random_per_thread(void **state)
{
    (void)state;
    static const uint8_t seed[] = "main seed";
    uint8_t main_a[64], main_b[64], want[64];
    thread_result t1, t2;
    pthread_t th;
    qtpm_drbg d;

    assert_int_equal(qtpm_random_set_deterministic(seed, sizeof(seed)), QTPM_OK);
    assert_int_equal(qtpm_random_bytes(main_a, 32), QTPM_OK);
    assert_int_equal(pthread_create(&th, NULL, deterministic_thread, &t1), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(pthread_create(&th, NULL, deterministic_thread, &t2), 0);
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_int_equal(qtpm_random_bytes(main_b, 32), QTPM_OK);
    qtpm_random_set_system();
    assert_int_equal(t1.rc, QTPM_OK);
    assert_int_equal(t2.rc, QTPM_OK);
    /* Each thread saw its own seed's stream, identically both times. */
    assert_memory_equal(t1.out, t2.out, 64);
    /* The main thread's stream went on undisturbed by the threads' switches. */
    assert_int_equal(qtpm_drbg_instantiate(&d, seed, sizeof(seed), NULL, 0, NULL, 0), QTPM_OK);
    assert_int_equal(qtpm_drbg_generate(&d, want, 32, NULL, 0), QTPM_OK);
    assert_memory_equal(main_a, want, 32);
    assert_int_equal(qtpm_drbg_generate(&d, want, 32, NULL, 0), QTPM_OK);
    assert_memory_equal(main_b, want, 32);
    qtpm_drbg_uninstantiate(&d);
}

/* Buffered mode: distinct draws across refills, large requests, test mode
 * still first, and after fork() parent and child draw different bytes (the
 * pool is not empty at the fork, so without MADV_WIPEONFORK both would cut
 * the same bytes from its end). */
static void test_random_buffered(void **state)
{
    (void)state;
    uint8_t prev[32] = {0}, cur[32], big[1000], parent[32], child[32];
    static const uint8_t seed[] = "buffered seed";
    uint8_t d1[32], d2[32];
    int fds[2];

    assert_int_equal(qtpm_random_set_buffered(1), QTPM_OK);
    assert_int_equal(qtpm_random_set_buffered(1), QTPM_OK); /* idempotent */
    for (int i = 0; i < 3 * QTPM_RANDOM_POOL / 32; i++) { /* crosses refills */
        assert_int_equal(qtpm_random_bytes(cur, sizeof(cur)), QTPM_OK);
        assert_memory_not_equal(cur, prev, sizeof(cur));
        memcpy(prev, cur, sizeof(cur));
    }
    assert_int_equal(qtpm_random_bytes(big, sizeof(big)), QTPM_OK);
    assert_memory_not_equal(big, big + 500, 32);

    assert_int_equal(qtpm_random_set_deterministic(seed, sizeof(seed)), QTPM_OK);
    assert_int_equal(qtpm_random_bytes(d1, sizeof(d1)), QTPM_OK);
    assert_int_equal(qtpm_random_set_deterministic(seed, sizeof(seed)), QTPM_OK);
    assert_int_equal(qtpm_random_bytes(d2, sizeof(d2)), QTPM_OK);
    assert_memory_equal(d1, d2, sizeof(d1));
    qtpm_random_set_system();

    assert_int_equal(qtpm_random_bytes(cur, 8), QTPM_OK); /* the pool holds bytes */
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ssize_t w = -1;
        if (qtpm_random_bytes(child, sizeof(child)) == QTPM_OK)
            w = write(fds[1], child, sizeof(child));
        _exit(w == (ssize_t)sizeof(child) ? 0 : 1);
    }
    close(fds[1]);
    assert_int_equal(qtpm_random_bytes(parent, sizeof(parent)), QTPM_OK);
    assert_int_equal(read(fds[0], child, sizeof(child)), (ssize_t)sizeof(child));
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_memory_not_equal(parent, child, sizeof(parent));

    assert_int_equal(qtpm_random_set_buffered(0), QTPM_OK);
    assert_int_equal(qtpm_random_bytes(cur, sizeof(cur)), QTPM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_drbg_vs_openssl),
        cmocka_unit_test(test_drbg_pinned),
        cmocka_unit_test(test_drbg_rules),
        cmocka_unit_test(test_random_deterministic),
        cmocka_unit_test(test_random_per_thread),
        cmocka_unit_test(test_random_buffered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
