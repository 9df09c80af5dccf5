/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_mldsa.c — ML-DSA (FIPS 204) against every Wycheproof vector of the
 * shared vectors directory (sign with seed keys, sign with expanded keys,
 * verify; all three parameter sets), plus round trips, hedged signing,
 * HashML-DSA with each pre-hash, external μ and negative cases.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "qtpm/mldsa.h"
#include "qtpm/rand.h"
#include <openssl/evp.h>

#include "crypto/mldsa/arch.h"
#include "crypto/mldsa/poly.h"
#include "crypto/mldsa/polyvec.h"

static const qtpm_mldsa_set all_sets[3] = {QTPM_MLDSA_44, QTPM_MLDSA_65, QTPM_MLDSA_87};

typedef struct {
    size_t valid, invalid, acceptable;
} counts;

static void count_result(counts *c, int result)
{
    if (result == 1)
        c->valid++;
    else if (result == 0)
        c->invalid++;
    else
        c->acceptable++;
}

/* Runs one sign test vector with private key material `key` (seed or
 * expanded, as the file provides) and the group's public key (may be empty). */
static void run_sign_vector(qtpm_mldsa_set set, json_t *t, const uint8_t *key, size_t key_len,
                            const uint8_t *pk, size_t pk_len, counts *cnt)
{
    uint8_t *msg, *ctx, *rnd, *mu, *sig;
    size_t msg_len, ctx_len, rnd_len, mu_len, sig_len;
    int has_msg, has_rnd, has_mu;
    uint8_t out[QTPM_MLDSA_MAX_SIG_BYTES], mu2[QTPM_MLDSA_MU_BYTES];
    const size_t sig_bytes = qtpm_mldsa_sig_bytes(set);
    int result = tu_result(t);
    long tc = (long)json_integer_value(json_object_get(t, "tcId"));

    tu_json_hex(t, "msg", &msg, &msg_len, &has_msg);
    tu_json_hex(t, "ctx", &ctx, &ctx_len, NULL);
    tu_json_hex(t, "rnd", &rnd, &rnd_len, &has_rnd);
    tu_json_hex(t, "mu", &mu, &mu_len, &has_mu);
    tu_json_hex(t, "sig", &sig, &sig_len, NULL);
    const uint8_t *r = has_rnd ? rnd : QTPM_MLDSA_DETERMINISTIC;
    if (has_rnd)
        assert_int_equal(rnd_len, QTPM_MLDSA_RND_BYTES);
    count_result(cnt, result);

    /* The expanded-key path must agree: the same signature for a valid
     * vector, a refusal (at expansion or at signing) for an invalid one. */
    qtpm_mldsa_expanded *esk = malloc(qtpm_mldsa_expanded_bytes(set));
    assert_non_null(esk);
    int erc = qtpm_mldsa_expand(set, key, key_len, esk, qtpm_mldsa_expanded_bytes(set));
    if (result == 1 || result == 2) {
        int ok = 1;
        if (erc == QTPM_OK && has_msg) {
            int rc = qtpm_mldsa_sign_expanded(esk, msg, msg_len, ctx, ctx_len, r, out);
            ok &= rc == QTPM_OK && memcmp(out, sig, sig_len) == 0;
        }
        if (erc == QTPM_OK && has_mu)
            ok &= qtpm_mldsa_sign_mu_expanded(esk, mu, r, out) == QTPM_OK &&
                  memcmp(out, sig, sig_len) == 0;
        ok &= erc == QTPM_OK;
        if (has_msg) {
            int rc = qtpm_mldsa_sign(set, key, key_len, msg, msg_len, ctx, ctx_len, r, out);
            ok &= rc == QTPM_OK && sig_len == sig_bytes && memcmp(out, sig, sig_len) == 0;
            if (has_mu && pk_len) {
                assert_int_equal(qtpm_mldsa_compute_mu(set, pk, pk_len, msg, msg_len, ctx,
                                                       ctx_len, mu2), QTPM_OK);
                assert_memory_equal(mu2, mu, QTPM_MLDSA_MU_BYTES);
            }
            if (pk_len)
                ok &= qtpm_mldsa_verify(set, pk, pk_len, msg, msg_len, ctx, ctx_len, sig,
                                        sig_len) == QTPM_OK;
        }
        if (has_mu) {
            assert_int_equal(mu_len, QTPM_MLDSA_MU_BYTES);
            int rc = qtpm_mldsa_sign_mu(set, key, key_len, mu, r, out);
            ok &= rc == QTPM_OK && sig_len == sig_bytes && memcmp(out, sig, sig_len) == 0;
            if (pk_len)
                ok &= qtpm_mldsa_verify_mu(set, pk, pk_len, mu, sig, sig_len) == QTPM_OK;
        }
        if (result == 1 && !ok)
            fail_msg("tcId %ld: valid vector not reproduced", tc);
    } else {
        /* Invalid: too-long context, wrong key length or out-of-range key. */
        if (has_msg) {
            int rc = qtpm_mldsa_sign(set, key, key_len, msg, msg_len, ctx, ctx_len, r, out);
            if (rc == QTPM_OK)
                fail_msg("tcId %ld: invalid vector was signed", tc);
            if (ctx_len > QTPM_MLDSA_MAX_CTX_BYTES && pk_len)
                assert_int_not_equal(qtpm_mldsa_compute_mu(set, pk, pk_len, msg, msg_len,
                                                           ctx, ctx_len, mu2), QTPM_OK);
        }
        if (has_mu) {
            int rc = qtpm_mldsa_sign_mu(set, key, key_len, mu, r, out);
            if (rc == QTPM_OK)
                fail_msg("tcId %ld: invalid vector was signed (mu)", tc);
        }
        if (erc == QTPM_OK && has_msg &&
            qtpm_mldsa_sign_expanded(esk, msg, msg_len, ctx, ctx_len, r, out) == QTPM_OK)
            fail_msg("tcId %ld: invalid vector was signed (expanded)", tc);
        if (erc == QTPM_OK && has_mu && !has_msg &&
            qtpm_mldsa_sign_mu_expanded(esk, mu, r, out) == QTPM_OK)
            fail_msg("tcId %ld: invalid vector was signed (expanded mu)", tc);
    }
    qtpm_memzero(esk, qtpm_mldsa_expanded_bytes(set));
    free(esk);
    free(msg);
    free(ctx);
    free(rnd);
    free(mu);
    free(sig);
}

static void run_sign_file(const char *file, qtpm_mldsa_set set, int seeded)
{
    json_t *root = tu_wycheproof_load(file);
    json_t *groups = json_object_get(root, "testGroups"), *g;
    size_t gi;
    counts cnt = {0, 0, 0};
    const size_t pk_bytes = qtpm_mldsa_pk_bytes(set), sk_bytes = qtpm_mldsa_sk_bytes(set);

    json_array_foreach(groups, gi, g) {
        uint8_t *key, *pk;
        size_t key_len, pk_len;
        int has_pk;
        uint8_t pk2[QTPM_MLDSA_MAX_PK_BYTES], sk2[QTPM_MLDSA_MAX_SK_BYTES];
        tu_json_hex(g, seeded ? "privateSeed" : "privateKey", &key, &key_len, NULL);
        tu_json_hex(g, "publicKey", &pk, &pk_len, &has_pk);
        if (seeded && key_len == QTPM_MLDSA_SEED_BYTES) {
            /* KeyGen_internal(ξ) must give the group's public key. */
            assert_true(has_pk);
            assert_int_equal(qtpm_mldsa_keygen_internal(set, key, pk2, sk2), QTPM_OK);
            assert_int_equal(pk_len, pk_bytes);
            assert_memory_equal(pk2, pk, pk_bytes);
        }
        if (!seeded && has_pk && key_len == sk_bytes) {
            /* The expanded key carries tr = H(pk, 64) (FIPS 204 Algorithm 6). */
            uint8_t tr[64];
            qtpm_shake256(tr, sizeof(tr), pk, pk_len);
            assert_memory_equal(tr, key + 64, 64);
        }
        json_t *tests = json_object_get(g, "tests"), *t;
        size_t ti;
        json_array_foreach(tests, ti, t) {
            run_sign_vector(set, t, key, key_len, has_pk ? pk : NULL, has_pk ? pk_len : 0,
                            &cnt);
            /* With a seed key, the expanded form must sign identically. */
            if (seeded && key_len == QTPM_MLDSA_SEED_BYTES)
                run_sign_vector(set, t, sk2, sk_bytes, pk, pk_len, &(counts){0, 0, 0});
        }
        free(key);
        free(pk);
    }
    size_t expected = (size_t)json_integer_value(json_object_get(root, "numberOfTests"));
    tu_report(file, cnt.valid, cnt.invalid, cnt.acceptable);
    assert_int_equal(cnt.valid + cnt.invalid + cnt.acceptable, expected);
    json_decref(root);
}

static void run_verify_file(const char *file, qtpm_mldsa_set set)
{
    json_t *root = tu_wycheproof_load(file);
    json_t *groups = json_object_get(root, "testGroups"), *g;
    size_t gi;
    counts cnt = {0, 0, 0};

    json_array_foreach(groups, gi, g) {
        uint8_t *pk;
        size_t pk_len;
        tu_json_hex(g, "publicKey", &pk, &pk_len, NULL);
        json_t *tests = json_object_get(g, "tests"), *t;
        size_t ti;
        json_array_foreach(tests, ti, t) {
            uint8_t *msg, *ctx, *sig;
            size_t msg_len, ctx_len, sig_len;
            int result = tu_result(t);
            long tc = (long)json_integer_value(json_object_get(t, "tcId"));
            tu_json_hex(t, "msg", &msg, &msg_len, NULL);
            tu_json_hex(t, "ctx", &ctx, &ctx_len, NULL);
            tu_json_hex(t, "sig", &sig, &sig_len, NULL);
            int rc = qtpm_mldsa_verify(set, pk, pk_len, msg, msg_len, ctx, ctx_len, sig,
                                       sig_len);
            count_result(&cnt, result);
            if (result == 1 && rc != QTPM_OK)
                fail_msg("tcId %ld: valid signature rejected (%d)", tc, rc);
            if (result == 0 && rc == QTPM_OK)
                fail_msg("tcId %ld: invalid signature accepted", tc);
            /* The external-μ path must agree wherever μ is computable. */
            uint8_t mu[QTPM_MLDSA_MU_BYTES];
            if (qtpm_mldsa_compute_mu(set, pk, pk_len, msg, msg_len, ctx, ctx_len, mu) ==
                QTPM_OK) {
                int rc2 = qtpm_mldsa_verify_mu(set, pk, pk_len, mu, sig, sig_len);
                assert_int_equal(rc2 == QTPM_OK, rc == QTPM_OK);
            }
            free(msg);
            free(ctx);
            free(sig);
        }
        free(pk);
    }
    size_t expected = (size_t)json_integer_value(json_object_get(root, "numberOfTests"));
    tu_report(file, cnt.valid, cnt.invalid, cnt.acceptable);
    assert_int_equal(cnt.valid + cnt.invalid + cnt.acceptable, expected);
    json_decref(root);
}

#define WYCHEPROOF_TESTS(kl)                                                          \
    static void test_wycheproof_##kl##_sign_seed(void **state)                        \
    {                                                                                 \
        (void)state;                                                                  \
        run_sign_file("mldsa_" #kl "_sign_seed_test.json", QTPM_MLDSA_##kl, 1);       \
    }                                                                                 \
    static void test_wycheproof_##kl##_sign_noseed(void **state)                      \
    {                                                                                 \
        (void)state;                                                                  \
        run_sign_file("mldsa_" #kl "_sign_noseed_test.json", QTPM_MLDSA_##kl, 0);     \
    }                                                                                 \
    static void test_wycheproof_##kl##_verify(void **state)                           \
    {                                                                                 \
        (void)state;                                                                  \
        run_verify_file("mldsa_" #kl "_verify_test.json", QTPM_MLDSA_##kl);           \
    }

WYCHEPROOF_TESTS(44)
WYCHEPROOF_TESTS(65)
WYCHEPROOF_TESTS(87)

/* Keys, messages and signatures large enough for every set. */
typedef struct {
    uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES];
    uint8_t sk[QTPM_MLDSA_MAX_SK_BYTES];
    uint8_t seed[QTPM_MLDSA_SEED_BYTES];
    uint8_t sig[QTPM_MLDSA_MAX_SIG_BYTES];
    uint8_t sig2[QTPM_MLDSA_MAX_SIG_BYTES];
} keybuf;

static void test_roundtrip(void **state)
{
    (void)state;
    static keybuf kb;
    const uint8_t msg[] = "attest: PCR 0-7 good";
    const uint8_t ctx[] = "qtpm";
    for (unsigned s = 0; s < 3; s++) {
        qtpm_mldsa_set set = all_sets[s];
        size_t pkb = qtpm_mldsa_pk_bytes(set), skb = qtpm_mldsa_sk_bytes(set),
               sigb = qtpm_mldsa_sig_bytes(set);
        uint8_t pk2[QTPM_MLDSA_MAX_PK_BYTES], sk2[QTPM_MLDSA_MAX_SK_BYTES];
        assert_int_equal(qtpm_mldsa_keygen(set, kb.pk, kb.sk, kb.seed), QTPM_OK);
        /* The seed reproduces the key pair; sk may be omitted. */
        assert_int_equal(qtpm_mldsa_keygen_internal(set, kb.seed, pk2, sk2), QTPM_OK);
        assert_memory_equal(pk2, kb.pk, pkb);
        assert_memory_equal(sk2, kb.sk, skb);
        memset(pk2, 0, sizeof(pk2));
        assert_int_equal(qtpm_mldsa_keygen_internal(set, kb.seed, pk2, NULL), QTPM_OK);
        assert_memory_equal(pk2, kb.pk, pkb);

        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), ctx, 4, NULL,
                                         kb.sig), QTPM_OK);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 4, kb.sig,
                                           sigb), QTPM_OK);
        /* Deterministic signing from the seed and from the expanded key agree. */
        assert_int_equal(qtpm_mldsa_sign(set, kb.seed, 32, msg, sizeof(msg), NULL, 0,
                                         QTPM_MLDSA_DETERMINISTIC, kb.sig), QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), NULL, 0,
                                         QTPM_MLDSA_DETERMINISTIC, kb.sig2), QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), NULL, 0, kb.sig,
                                           sigb), QTPM_OK);
        /* Empty message. */
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, NULL, 0, NULL, 0, NULL, kb.sig),
                         QTPM_OK);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, NULL, 0, NULL, 0, kb.sig, sigb),
                         QTPM_OK);
        assert_int_equal(qtpm_mldsa_pk_bytes((qtpm_mldsa_set)9), 0);
    }
}

static void test_hedged_differs(void **state)
{
    (void)state;
    static keybuf kb;
    const uint8_t msg[] = "same message";
    for (unsigned s = 0; s < 3; s++) {
        qtpm_mldsa_set set = all_sets[s];
        size_t pkb = qtpm_mldsa_pk_bytes(set), skb = qtpm_mldsa_sk_bytes(set),
               sigb = qtpm_mldsa_sig_bytes(set);
        assert_int_equal(qtpm_mldsa_keygen(set, kb.pk, kb.sk, NULL), QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), NULL, 0, NULL,
                                         kb.sig), QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), NULL, 0, NULL,
                                         kb.sig2), QTPM_OK);
        assert_memory_not_equal(kb.sig, kb.sig2, sigb);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), NULL, 0, kb.sig,
                                           sigb), QTPM_OK);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), NULL, 0, kb.sig2,
                                           sigb), QTPM_OK);
        /* Deterministic signing repeats itself. */
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), NULL, 0,
                                         QTPM_MLDSA_DETERMINISTIC, kb.sig), QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), NULL, 0,
                                         QTPM_MLDSA_DETERMINISTIC, kb.sig2), QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
    }
}

static void test_hashmldsa(void **state)
{
    (void)state;
    static keybuf kb;
    static const struct {
        qtpm_mldsa_prehash ph;
        const char *evp; /* NULL: SHAKE, computed with our Keccak */
        size_t len;
    } phs[5] = {
        {QTPM_PH_SHA256, "SHA256", 32}, {QTPM_PH_SHA384, "SHA384", 48},
        {QTPM_PH_SHA512, "SHA512", 64}, {QTPM_PH_SHAKE128, NULL, 32},
        {QTPM_PH_SHAKE256, NULL, 64},
    };
    const uint8_t msg[] = "firmware image 1.2.3";
    const uint8_t ctx[] = {0x01, 0x02, 0x03};
    for (unsigned s = 0; s < 3; s++) {
        qtpm_mldsa_set set = all_sets[s];
        size_t pkb = qtpm_mldsa_pk_bytes(set), skb = qtpm_mldsa_sk_bytes(set),
               sigb = qtpm_mldsa_sig_bytes(set);
        assert_int_equal(qtpm_mldsa_keygen(set, kb.pk, kb.sk, kb.seed), QTPM_OK);
        for (unsigned i = 0; i < 5; i++) {
            uint8_t d[64];
            unsigned dl = 0;
            if (phs[i].evp) {
                assert_int_equal(EVP_Digest(msg, sizeof(msg), d, &dl,
                                            EVP_get_digestbyname(phs[i].evp), NULL), 1);
                assert_int_equal(dl, phs[i].len);
            } else if (phs[i].ph == QTPM_PH_SHAKE128) {
                qtpm_shake128(d, 32, msg, sizeof(msg));
            } else {
                qtpm_shake256(d, 64, msg, sizeof(msg));
            }
            /* Hedged sign, verify over the message and over the digest. */
            assert_int_equal(qtpm_hashmldsa_sign(set, kb.sk, skb, phs[i].ph, msg, sizeof(msg),
                                                 ctx, 3, NULL, kb.sig), QTPM_OK);
            assert_int_equal(qtpm_hashmldsa_verify(set, kb.pk, pkb, phs[i].ph, msg,
                                                   sizeof(msg), ctx, 3, kb.sig, sigb), QTPM_OK);
            assert_int_equal(qtpm_hashmldsa_verify_digest(set, kb.pk, pkb, phs[i].ph, d,
                                                          phs[i].len, ctx, 3, kb.sig, sigb),
                             QTPM_OK);
            /* Not a pure ML-DSA signature, nor one under another pre-hash. */
            assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 3,
                                               kb.sig, sigb), QTPM_E_VERIFY);
            assert_int_equal(qtpm_hashmldsa_verify(set, kb.pk, pkb, phs[(i + 1) % 5].ph, msg,
                                                   sizeof(msg), ctx, 3, kb.sig, sigb),
                             QTPM_E_VERIFY);
            assert_int_equal(qtpm_hashmldsa_verify(set, kb.pk, pkb, phs[i].ph, msg,
                                                   sizeof(msg) - 1, ctx, 3, kb.sig, sigb),
                             QTPM_E_VERIFY);
            /* sign_digest(PH(M)) == sign(M), deterministically; seed key too. */
            assert_int_equal(qtpm_hashmldsa_sign(set, kb.sk, skb, phs[i].ph, msg, sizeof(msg),
                                                 ctx, 3, QTPM_MLDSA_DETERMINISTIC, kb.sig),
                             QTPM_OK);
            assert_int_equal(qtpm_hashmldsa_sign_digest(set, kb.seed, 32, phs[i].ph, d,
                                                        phs[i].len, ctx, 3,
                                                        QTPM_MLDSA_DETERMINISTIC, kb.sig2),
                             QTPM_OK);
            assert_memory_equal(kb.sig, kb.sig2, sigb);
            /* Wrong digest length. */
            assert_int_equal(qtpm_hashmldsa_sign_digest(set, kb.sk, skb, phs[i].ph, d,
                                                        phs[i].len - 1, ctx, 3, NULL, kb.sig2),
                             QTPM_E_LENGTH);
        }
        assert_int_equal(qtpm_hashmldsa_sign(set, kb.sk, skb, (qtpm_mldsa_prehash)42, msg,
                                             sizeof(msg), NULL, 0, NULL, kb.sig),
                         QTPM_E_PARAM);
    }
}

static void test_external_mu(void **state)
{
    (void)state;
    static keybuf kb;
    const uint8_t msg[] = "external mu";
    const uint8_t ctx[] = "ctx";
    for (unsigned s = 0; s < 3; s++) {
        qtpm_mldsa_set set = all_sets[s];
        size_t pkb = qtpm_mldsa_pk_bytes(set), skb = qtpm_mldsa_sk_bytes(set),
               sigb = qtpm_mldsa_sig_bytes(set);
        uint8_t mu[QTPM_MLDSA_MU_BYTES];
        assert_int_equal(qtpm_mldsa_keygen(set, kb.pk, kb.sk, kb.seed), QTPM_OK);
        assert_int_equal(qtpm_mldsa_compute_mu(set, kb.pk, pkb, msg, sizeof(msg), ctx, 3, mu),
                         QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign_mu(set, kb.sk, skb, mu, NULL, kb.sig), QTPM_OK);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 3, kb.sig,
                                           sigb), QTPM_OK);
        assert_int_equal(qtpm_mldsa_verify_mu(set, kb.pk, pkb, mu, kb.sig, sigb), QTPM_OK);
        /* Deterministic μ-signing equals deterministic message signing. */
        assert_int_equal(qtpm_mldsa_sign_mu(set, kb.seed, 32, mu, QTPM_MLDSA_DETERMINISTIC,
                                            kb.sig), QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), ctx, 3,
                                         QTPM_MLDSA_DETERMINISTIC, kb.sig2), QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
        mu[5] ^= 1;
        assert_int_equal(qtpm_mldsa_verify_mu(set, kb.pk, pkb, mu, kb.sig, sigb),
                         QTPM_E_VERIFY);
    }
}

static void test_negative(void **state)
{
    (void)state;
    static keybuf kb;
    uint8_t msg[64], ctx[256];
    memset(msg, 0x61, sizeof(msg));
    memset(ctx, 0x63, sizeof(ctx));
    for (unsigned s = 0; s < 3; s++) {
        qtpm_mldsa_set set = all_sets[s];
        size_t pkb = qtpm_mldsa_pk_bytes(set), skb = qtpm_mldsa_sk_bytes(set),
               sigb = qtpm_mldsa_sig_bytes(set);
        uint8_t mu[QTPM_MLDSA_MU_BYTES];
        assert_int_equal(qtpm_mldsa_keygen(set, kb.pk, kb.sk, NULL), QTPM_OK);
        /* A 255-byte context is the maximum; 256 is refused everywhere. */
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), ctx, 255, NULL,
                                         kb.sig), QTPM_OK);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 255, kb.sig,
                                           sigb), QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), ctx, 256, NULL,
                                         kb.sig2), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 256, kb.sig,
                                           sigb), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mldsa_compute_mu(set, kb.pk, pkb, msg, sizeof(msg), ctx, 256, mu),
                         QTPM_E_LENGTH);
        assert_int_equal(qtpm_hashmldsa_sign(set, kb.sk, skb, QTPM_PH_SHA256, msg, sizeof(msg),
                                             ctx, 256, NULL, kb.sig2), QTPM_E_LENGTH);
        /* Tampered message, context, signature. */
        msg[10] ^= 0x01;
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 255, kb.sig,
                                           sigb), QTPM_E_VERIFY);
        msg[10] ^= 0x01;
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 254, kb.sig,
                                           sigb), QTPM_E_VERIFY);
        ctx[0] ^= 0x80;
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 255, kb.sig,
                                           sigb), QTPM_E_VERIFY);
        ctx[0] ^= 0x80;
        for (size_t pos = 0; pos < sigb; pos += 97) {
            memcpy(kb.sig2, kb.sig, sigb);
            kb.sig2[pos] ^= 0x10;
            assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 255,
                                               kb.sig2, sigb), QTPM_E_VERIFY);
        }
        /* Hint section: too many hints (a count above ω) is malformed. */
        memcpy(kb.sig2, kb.sig, sigb);
        kb.sig2[sigb - 1] = 0xFF;
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 255,
                                           kb.sig2, sigb), QTPM_E_VERIFY);
        /* Wrong lengths. */
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), ctx, 255, kb.sig,
                                           sigb - 1), QTPM_E_VERIFY);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb - 1, msg, sizeof(msg), ctx, 255,
                                           kb.sig, sigb), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb - 1, msg, sizeof(msg), NULL, 0, NULL,
                                         kb.sig2), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, 31, msg, sizeof(msg), NULL, 0, NULL,
                                         kb.sig2), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mldsa_sign((qtpm_mldsa_set)0, kb.sk, skb, msg, sizeof(msg), NULL,
                                         0, NULL, kb.sig2), QTPM_E_PARAM);
        /* Another set's key or signature does not verify. */
        qtpm_mldsa_set other = all_sets[(s + 1) % 3];
        assert_int_not_equal(qtpm_mldsa_verify(other, kb.pk, pkb, msg, sizeof(msg), ctx, 255,
                                               kb.sig, sigb), QTPM_OK);
        /* An s1 coefficient outside [-η, η] makes the key invalid: all-ones
         * bits encode η - 7 (η = 2) or η - 15 (η = 4). */
        memcpy(kb.sk + 128, (const uint8_t[]){0xFF, 0xFF, 0xFF}, 3);
        assert_int_equal(qtpm_mldsa_sign(set, kb.sk, skb, msg, sizeof(msg), NULL, 0, NULL,
                                         kb.sig2), QTPM_E_INVALID);
    }
}

/* The expanded key signs exactly as the seed and skEncode forms do, for all
 * four signing interfaces, and refuses what they refuse. */
static void test_expanded(void **state)
{
    (void)state;
    static keybuf kb;
    uint8_t msg[100], mu[QTPM_MLDSA_MU_BYTES], dig[32];
    const uint8_t rnd[QTPM_MLDSA_RND_BYTES] = {7};
    memset(msg, 0x5a, sizeof(msg));
    memset(dig, 0x11, sizeof(dig));
    for (unsigned s = 0; s < 3; s++) {
        qtpm_mldsa_set set = all_sets[s];
        size_t pkb = qtpm_mldsa_pk_bytes(set), skb = qtpm_mldsa_sk_bytes(set),
               sigb = qtpm_mldsa_sig_bytes(set), eb = qtpm_mldsa_expanded_bytes(set);
        assert_true(eb > 0);
        qtpm_mldsa_expanded *e1 = malloc(eb), *e2 = malloc(eb);
        assert_non_null(e1);
        assert_non_null(e2);
        assert_int_equal(qtpm_mldsa_keygen(set, kb.pk, kb.sk, kb.seed), QTPM_OK);
        assert_int_equal(qtpm_mldsa_expand(set, kb.seed, 32, e1, eb), QTPM_OK);
        assert_int_equal(qtpm_mldsa_expand(set, kb.sk, skb, e2, eb), QTPM_OK);
        /* pure, with a context */
        assert_int_equal(qtpm_mldsa_sign(set, kb.seed, 32, msg, sizeof(msg), msg, 9, rnd, kb.sig),
                         QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign_expanded(e1, msg, sizeof(msg), msg, 9, rnd, kb.sig2),
                         QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
        assert_int_equal(qtpm_mldsa_sign_expanded(e2, msg, sizeof(msg), msg, 9, rnd, kb.sig2),
                         QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
        /* hedged signatures verify */
        assert_int_equal(qtpm_mldsa_sign_expanded(e1, msg, sizeof(msg), NULL, 0, NULL, kb.sig2),
                         QTPM_OK);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), NULL, 0, kb.sig2,
                                           sigb), QTPM_OK);
        /* external mu */
        assert_int_equal(qtpm_mldsa_compute_mu(set, kb.pk, pkb, msg, sizeof(msg), NULL, 0, mu),
                         QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign_mu(set, kb.seed, 32, mu, rnd, kb.sig), QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign_mu_expanded(e1, mu, rnd, kb.sig2), QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
        /* HashML-DSA over a message and over a digest */
        assert_int_equal(qtpm_hashmldsa_sign(set, kb.sk, skb, QTPM_PH_SHA512, msg, sizeof(msg),
                                             NULL, 0, rnd, kb.sig), QTPM_OK);
        assert_int_equal(qtpm_hashmldsa_sign_expanded(e2, QTPM_PH_SHA512, msg, sizeof(msg), NULL,
                                                      0, rnd, kb.sig2), QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
        assert_int_equal(qtpm_hashmldsa_sign_digest(set, kb.seed, 32, QTPM_PH_SHA256, dig, 32,
                                                    msg, 3, rnd, kb.sig), QTPM_OK);
        assert_int_equal(qtpm_hashmldsa_sign_digest_expanded(e1, QTPM_PH_SHA256, dig, 32, msg, 3,
                                                             rnd, kb.sig2), QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
        /* refusals: bad context, digest length, buffer size, key forms */
        assert_int_equal(qtpm_mldsa_sign_expanded(e1, msg, sizeof(msg), msg, 256, rnd, kb.sig2),
                         QTPM_E_LENGTH);
        assert_int_equal(qtpm_hashmldsa_sign_digest_expanded(e1, QTPM_PH_SHA256, dig, 31, NULL, 0,
                                                             rnd, kb.sig2), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mldsa_expand(set, kb.seed, 32, e2, eb - 1), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mldsa_expand(set, kb.seed, 31, e2, eb), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mldsa_expand(set, NULL, 32, e2, eb), QTPM_E_PARAM);
        assert_int_equal(qtpm_mldsa_expand((qtpm_mldsa_set)0, kb.seed, 32, e2, eb), QTPM_E_PARAM);
        assert_int_equal(qtpm_mldsa_sign_mu_expanded(NULL, mu, rnd, kb.sig2), QTPM_E_PARAM);
        /* a wiped (or never filled) buffer is not a key */
        qtpm_memzero(e2, eb);
        assert_int_equal(qtpm_mldsa_sign_mu_expanded(e2, mu, rnd, kb.sig2), QTPM_E_PARAM);
        assert_int_equal(qtpm_mldsa_sign_expanded(e2, msg, 1, NULL, 0, rnd, kb.sig2), QTPM_E_PARAM);
        /* an s1 coefficient outside [-η, η] is refused at expansion */
        memcpy(kb.sk + 128, (const uint8_t[]){0xFF, 0xFF, 0xFF}, 3);
        assert_int_equal(qtpm_mldsa_expand(set, kb.sk, skb, e2, eb), QTPM_E_INVALID);
        assert_int_equal(qtpm_mldsa_sign_mu_expanded(e2, mu, rnd, kb.sig2), QTPM_E_PARAM);
        qtpm_memzero(e1, eb);
        free(e1);
        free(e2);
    }
}

/* The AVX2 arithmetic (avx2.c) against the portable C, bit for bit, on
 * random inputs over each function's whole input range. On a CPU without
 * AVX2 (or a portable build) both runs take the portable path. */
static uint32_t rnd_below(uint32_t n)
{
    uint32_t x;
    assert_int_equal(qtpm_random_bytes((uint8_t *)&x, sizeof(x)), QTPM_OK);
    return (uint32_t)(((uint64_t)x * n) >> 32);
}

static void fill(mldsa_poly *a, int32_t lo, int32_t hi)
{
    for (unsigned i = 0; i < MLDSA_N; i++)
        a->coeffs[i] = lo + (int32_t)rnd_below((uint32_t)(hi - lo));
    /* the extremes too */
    a->coeffs[0] = lo;
    a->coeffs[1] = hi - 1;
}

/* op on a copy of a with the portable arithmetic and on another with the
 * vector one: the two results must be equal bit for bit. */
static void check_in_place_op(void (*op)(mldsa_poly *), const mldsa_poly *a)
{
    mldsa_poly ra = *a, rb = *a;
    qtpm_mldsa_force_portable(1);
    op(&ra);
    qtpm_mldsa_force_portable(0);
    op(&rb);
    assert_memory_equal(&ra, &rb, sizeof(ra));
}

static void test_vector_arith_matches_portable(void **state)
{
    (void)state;
    int vec = qtpm_mldsa_force_portable(0);
    print_message("ML-DSA arithmetic: %s vs portable\n", vec ? "AVX2" : "portable");
    for (int it = 0; it < 200; it++) {
        mldsa_poly a, b, c, ra, rb, row[MLDSA_LMAX], v[MLDSA_LMAX];
        /* NTT: |a| < q */
        fill(&a, -MLDSA_Q + 1, MLDSA_Q);
        check_in_place_op(mldsa_poly_ntt, &a);
        /* inverse NTTs: [-q, q) */
        fill(&a, -MLDSA_Q, MLDSA_Q);
        check_in_place_op(mldsa_poly_invntt_tomont, &a);
        check_in_place_op(mldsa_poly_invntt, &a);
        /* NTT then inverse is the identity (times 2^32 for _tomont) */
        fill(&a, -MLDSA_Q + 1, MLDSA_Q);
        rb = a;
        mldsa_poly_ntt(&rb);
        mldsa_poly_reduce(&rb);
        mldsa_poly_invntt(&rb);
        for (unsigned i = 0; i < MLDSA_N; i++)
            assert_int_equal(((int64_t)rb.coeffs[i] - a.coeffs[i]) % MLDSA_Q, 0);
        /* pointwise: [0, 4q) */
        fill(&a, 0, 4 * MLDSA_Q);
        fill(&b, 0, 4 * MLDSA_Q);
        qtpm_mldsa_force_portable(1);
        mldsa_poly_pointwise_montgomery(&ra, &a, &b);
        qtpm_mldsa_force_portable(0);
        mldsa_poly_pointwise_montgomery(&rb, &a, &b);
        assert_memory_equal(&ra, &rb, sizeof(ra));
        /* row product: row in [0, q), v in [0, 4q), l = 1 ... 7 */
        unsigned l = 1 + (unsigned)it % MLDSA_LMAX;
        for (unsigned j = 0; j < l; j++) {
            fill(&row[j], 0, MLDSA_Q);
            fill(&v[j], 0, 4 * MLDSA_Q);
        }
        qtpm_mldsa_force_portable(1);
        mldsa_matrix_row_mul(&c, row, v, l);
        qtpm_mldsa_force_portable(0);
        mldsa_matrix_row_mul(&rb, row, v, l);
        assert_memory_equal(&c, &rb, sizeof(c));
    }
    /* And whole signatures: deterministic signing and verification agree. */
    static keybuf kb;
    uint8_t msg[33] = {1, 2, 3};
    for (unsigned s = 0; s < 3; s++) {
        qtpm_mldsa_set set = all_sets[s];
        size_t sigb = qtpm_mldsa_sig_bytes(set), pkb = qtpm_mldsa_pk_bytes(set);
        qtpm_mldsa_force_portable(1);
        assert_int_equal(qtpm_mldsa_keygen(set, kb.pk, kb.sk, kb.seed), QTPM_OK);
        assert_int_equal(qtpm_mldsa_sign(set, kb.seed, 32, msg, sizeof(msg), NULL, 0,
                                         QTPM_MLDSA_DETERMINISTIC, kb.sig), QTPM_OK);
        qtpm_mldsa_force_portable(0);
        uint8_t pk2[QTPM_MLDSA_MAX_PK_BYTES];
        assert_int_equal(qtpm_mldsa_keygen_internal(set, kb.seed, pk2, NULL), QTPM_OK);
        assert_memory_equal(kb.pk, pk2, pkb);
        assert_int_equal(qtpm_mldsa_sign(set, kb.seed, 32, msg, sizeof(msg), NULL, 0,
                                         QTPM_MLDSA_DETERMINISTIC, kb.sig2), QTPM_OK);
        assert_memory_equal(kb.sig, kb.sig2, sigb);
        assert_int_equal(qtpm_mldsa_verify(set, kb.pk, pkb, msg, sizeof(msg), NULL, 0, kb.sig,
                                           sigb), QTPM_OK);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wycheproof_44_sign_seed),
        cmocka_unit_test(test_wycheproof_44_sign_noseed),
        cmocka_unit_test(test_wycheproof_44_verify),
        cmocka_unit_test(test_wycheproof_65_sign_seed),
        cmocka_unit_test(test_wycheproof_65_sign_noseed),
        cmocka_unit_test(test_wycheproof_65_verify),
        cmocka_unit_test(test_wycheproof_87_sign_seed),
        cmocka_unit_test(test_wycheproof_87_sign_noseed),
        cmocka_unit_test(test_wycheproof_87_verify),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_hedged_differs),
        cmocka_unit_test(test_hashmldsa),
        cmocka_unit_test(test_external_mu),
        cmocka_unit_test(test_negative),
        cmocka_unit_test(test_expanded),
        cmocka_unit_test(test_vector_arith_matches_portable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
