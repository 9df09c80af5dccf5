/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_prime.c — the deterministic RSA prime search of primary keys
 * (src/engine/prime.c) and the cache of derived primary keys.
 *
 * The known answers pin the search itself: the same seed, label and context
 * must give the same prime in every build and after every restart, since a
 * primary key (an EK whose certificate was issued once) is recreated from
 * them. Changing the search changes every RSA primary key, and these tests
 * say so. The engine tests check that recreating a primary (from the cache or
 * not) gives the same key, and that Clear and ChangeEPS give new ones.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine/crypt.h"
#include "engine/prime.h"
#include "engine_test.h"
#include "testutil.h"

static void derive(unsigned bits, uint32_t e, const char *label, BIGNUM *p)
{
    uint8_t seed[64];
    for (int i = 0; i < 64; i++)
        seed[i] = (uint8_t)i;
    prime_table *t = prime_table_new();
    assert_non_null(t);
    BN_CTX *bc = BN_CTX_new();
    assert_int_equal(prime_derive_rsa(t, TPM_ALG_SHA256, seed, 64, label,
                                      (const uint8_t *)"qtpm", 4, bits, e, p, bc),
                     1);
    BN_CTX_free(bc);
    prime_table_free(t);
}

static void check_prime(const BIGNUM *p, unsigned bits, uint32_t e)
{
    BN_CTX *bc = BN_CTX_new();
    assert_int_equal(BN_num_bits(p), (int)bits);
    assert_true(BN_is_bit_set(p, (int)bits - 2)); /* top two bits */
    assert_int_equal(BN_check_prime(p, bc, NULL), 1);
    BIGNUM *pm1 = BN_dup(p), *g = BN_new(), *be = BN_new();
    BN_sub_word(pm1, 1);
    BN_set_word(be, e ? e : 65537);
    BN_gcd(g, pm1, be, bc);
    assert_true(BN_is_one(g));
    BN_free(pm1);
    BN_free(g);
    BN_free(be);
    BN_CTX_free(bc);
}

static void check_known(const BIGNUM *p, unsigned bits, const char *sha256_hex)
{
    uint8_t b[256], h[32], *want;
    size_t wl;
    int n = BN_bn2binpad(p, b, (int)bits / 8);
    assert_int_equal(n, (int)bits / 8);
    assert_int_equal(crypt_hash(TPM_ALG_SHA256, b, (size_t)n, h), 0);
    tu_hex(sha256_hex, &want, &wl);
    assert_int_equal(wl, 32);
    assert_memory_equal(h, want, 32);
    free(want);
}

static void test_known_primes(void **state)
{
    (void)state;
    BIGNUM *p = BN_new();
    derive(512, 0, "RSA p", p);
    check_prime(p, 512, 0);
    check_known(p, 512, "6072ad7842dfa463ac2693f25ea22fbf95766b88b77ec8c741214831e52a3dfd");
    derive(1024, 0, "RSA p", p);
    check_prime(p, 1024, 0);
    check_known(p, 1024, "b2f1dfa6455e8844c62d0dd87ebf1237ddb3e2cc89abe9099b54e91a2521a62f");
    /* the label separates p from q */
    BIGNUM *q = BN_new();
    derive(1024, 0, "RSA q", q);
    check_prime(q, 1024, 0);
    assert_int_not_equal(BN_cmp(p, q), 0);
    BN_free(p);
    BN_free(q);
}

/* e = 3 rules out every candidate ≡ 1 (mod 3); the search must skip them. */
static void test_exponent_three(void **state)
{
    (void)state;
    BIGNUM *p = BN_new();
    for (int i = 0; i < 4; i++) {
        char label[16];
        snprintf(label, sizeof(label), "RSA p%d", i);
        derive(512, 3, label, p);
        check_prime(p, 512, 3);
        assert_int_equal(BN_mod_word(p, 3), 2);
    }
    BN_free(p);
}

/* ------------------------------------------------------------ through the engine */

static size_t rsa_template(uint8_t *t, uint16_t unique_len)
{
    size_t n = 0;
    const uint8_t head[] = {
        0x00, 0x01, 0x00, 0x0B,       /* RSA, SHA-256 */
        0x00, 0x03, 0x04, 0x72,       /* fixedTPM|fixedParent|sdo|userWithAuth|noDA|restricted|decrypt */
        0x00, 0x00,                   /* authPolicy */
        0x00, 0x06, 0x00, 0x80, 0x00, 0x43, /* AES-128-CFB */
        0x00, 0x10,                   /* scheme NULL */
        0x08, 0x00,                   /* 2048 bits */
        0x00, 0x00, 0x00, 0x00,       /* exponent */
    };
    memcpy(t, head, sizeof(head));
    n = sizeof(head);
    t[n++] = (uint8_t)(unique_len >> 8);
    t[n++] = (uint8_t)unique_len;
    memset(t + n, 0x5A, unique_len);
    return n + unique_len;
}

/* CreatePrimary; copies the modulus out and flushes the object. */
static void primary_modulus(qtpm_tpm *tpm, uint32_t hier, uint16_t unique_len, uint8_t n_out[256])
{
    cmdbuf c;
    rspbuf r;
    uint8_t t[128];
    size_t tl = rsa_template(t, unique_len);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, hier);
    cb_pw(&c, "");
    cb_u16(&c, 4); /* inSensitive: empty auth and data */
    cb_u16(&c, 0);
    cb_u16(&c, 0);
    cb_2b(&c, t, (uint16_t)tl);
    cb_u16(&c, 0); /* outsideInfo */
    cb_u32(&c, 0); /* creationPCR */
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t h = rb_u32(&r);
    rb_u32(&r); /* parameterSize */
    rb_u16(&r); /* outPublic size */
    rb_bytes(&r, tl - 2 - unique_len);
    assert_int_equal(rb_u16(&r), 256);
    memcpy(n_out, rb_bytes(&r, 256), 256);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
    cb_u32(&c, h);
    assert_int_equal(run(tpm, &c, &r), 0);
}

static void hierarchy_command(qtpm_tpm *tpm, uint32_t cc, uint32_t auth_handle)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, cc);
    cb_u32(&c, auth_handle);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), 0);
}

static void test_primary_cache(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t a[256], b[256], d[256], e1[256], e2[256];
    primary_modulus(tpm, TPM_RH_OWNER, 0, a);
    primary_modulus(tpm, TPM_RH_OWNER, 0, b); /* from the cache */
    assert_memory_equal(a, b, 256);
    /* another template (unique) is another key; the first is still cached */
    primary_modulus(tpm, TPM_RH_OWNER, 8, d);
    assert_memory_not_equal(a, d, 256);
    primary_modulus(tpm, TPM_RH_OWNER, 0, b);
    assert_memory_equal(a, b, 256);

    primary_modulus(tpm, TPM_RH_ENDORSEMENT, 0, e1);
    assert_memory_not_equal(a, e1, 256);

    /* the endorsement key comes back the same too */
    primary_modulus(tpm, TPM_RH_ENDORSEMENT, 0, e2);
    assert_memory_equal(e1, e2, 256);

    /* ChangeEPS: new endorsement seed, new key; the owner key stays */
    hierarchy_command(tpm, TPM_CC_ChangeEPS, TPM_RH_PLATFORM);
    primary_modulus(tpm, TPM_RH_ENDORSEMENT, 0, e2);
    assert_memory_not_equal(e1, e2, 256);
    primary_modulus(tpm, TPM_RH_OWNER, 0, b);
    assert_memory_equal(a, b, 256);

    /* Clear: new storage seed */
    hierarchy_command(tpm, TPM_CC_Clear, TPM_RH_LOCKOUT);
    primary_modulus(tpm, TPM_RH_OWNER, 0, b);
    assert_memory_not_equal(a, b, 256);
    qtpm_tpm_free(tpm);
}

/* The key survives a power cycle of a TPM whose state lives in a directory:
 * the cache is gone, the search gives the same primes again. */
static void test_primary_across_restart(void **state)
{
    (void)state;
    char dir[] = "/tmp/qtpm-prime-XXXXXX";
    assert_non_null(mkdtemp(dir));
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(qtpm_store_dir(&cfg.store, dir), 0);
    cfg.powered_on = 1;
    qtpm_tpm *tpm = NULL;
    assert_int_equal(qtpm_tpm_new(&tpm, &cfg), 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    uint8_t a[256], b[256];
    primary_modulus(tpm, TPM_RH_OWNER, 3, a);
    qtpm_tpm_free(tpm);

    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(qtpm_store_dir(&cfg.store, dir), 0);
    cfg.powered_on = 1;
    assert_int_equal(qtpm_tpm_new(&tpm, &cfg), 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    primary_modulus(tpm, TPM_RH_OWNER, 3, b);
    assert_memory_equal(a, b, 256);
    qtpm_tpm_free(tpm);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_primes),
        cmocka_unit_test(test_exponent_three),
        cmocka_unit_test(test_primary_cache),
        cmocka_unit_test(test_primary_across_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
