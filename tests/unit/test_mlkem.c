/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_mlkem.c — ML-KEM-512/768/1024 (FIPS 203) against every Wycheproof
 * vector we have (seeded KeyGen + Decaps, KeyGen from seed, Encaps with the
 * §7.2 modulus check, Decaps on expanded keys with the §7.3 checks), plus
 * round trips, the seed form of the decapsulation key, implicit rejection
 * recomputed independently with Keccak, the negative cases of the API, and
 * the arithmetic (NTT multiplication against a schoolbook product, Compress
 * against its defining formula). The AVX2 functions (crypto/mlkem/avx2.c)
 * are compared bit for bit with the portable ones; CTest runs the whole
 * program a second time with QTPM_MLKEM_FORCE_SCALAR=1 (test_mlkem_scalar),
 * so every vector is checked on both paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "qtpm/mlkem.h"
#include "crypto/mlkem/compress.h"
#include "crypto/mlkem/arch.h"
#include "crypto/mlkem/poly.h"
#include "crypto/mlkem/sampling.h"

static const qtpm_mlkem_set all_sets[3] = {QTPM_MLKEM_512, QTPM_MLKEM_768, QTPM_MLKEM_1024};
static const char *const set_names[3] = {"512", "768", "1024"};

static qtpm_mlkem_set set_of_group(json_t *group)
{
    const char *ps = json_string_value(json_object_get(group, "parameterSet"));
    assert_non_null(ps);
    if (strcmp(ps, "ML-KEM-512") == 0) return QTPM_MLKEM_512;
    if (strcmp(ps, "ML-KEM-768") == 0) return QTPM_MLKEM_768;
    if (strcmp(ps, "ML-KEM-1024") == 0) return QTPM_MLKEM_1024;
    fail_msg("unknown parameter set %s", ps);
    return QTPM_MLKEM_512;
}

/* Counts per result and checks the file's numberOfTests at the end. */
typedef struct {
    size_t n[3]; /* invalid, valid, acceptable (indexed by tu_result) */
} counts;

static void finish_file(const char *file, json_t *root, const counts *c)
{
    size_t total = c->n[0] + c->n[1] + c->n[2];
    json_int_t expected = json_integer_value(json_object_get(root, "numberOfTests"));
    assert_int_equal(total, (size_t)expected);
    tu_report(file, c->n[1], c->n[0], c->n[2]);
}

/* Shared-secret check for a result: valid -> ok and equal; invalid -> an
 * error; acceptable -> either. */
static void expect_result(int result, int rc, const uint8_t *got, const uint8_t *want,
                          size_t want_len, long tc)
{
    if (result == 1) {
        if (rc != QTPM_OK)
            fail_msg("tcId %ld: expected success, got %d", tc, rc);
        assert_int_equal(want_len, QTPM_MLKEM_SS_BYTES);
        assert_memory_equal(got, want, QTPM_MLKEM_SS_BYTES);
    } else if (result == 0) {
        if (rc == QTPM_OK)
            fail_msg("tcId %ld: invalid vector accepted", tc);
    } else if (rc == QTPM_OK && want_len == QTPM_MLKEM_SS_BYTES) {
        assert_memory_equal(got, want, QTPM_MLKEM_SS_BYTES);
    }
}

/* mlkem_<set>_test.json: seed d‖z, ek, c, K. KeyGen from the seed must give
 * ek; decapsulating c with the seed form and with the expanded key must give
 * K (including the implicit-rejection cases, which are "valid" with the
 * rejection key as K). Invalid ones have a bad seed or ciphertext length. */
static void run_mlkem_test(const char *file)
{
    json_t *root = tu_wycheproof_load(file);
    counts cnt = {{0, 0, 0}};
    size_t gi, ti;
    json_t *group, *test;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group) {
        qtpm_mlkem_set set = set_of_group(group);
        size_t ek_bytes = qtpm_mlkem_ek_bytes(set), dk_bytes = qtpm_mlkem_dk_bytes(set);
        json_array_foreach(json_object_get(group, "tests"), ti, test) {
            long tc = (long)json_integer_value(json_object_get(test, "tcId"));
            int result = tu_result(test);
            uint8_t *seed, *ek, *c, *k;
            size_t seed_len, ek_len, c_len, k_len;
            int ek_present;
            uint8_t ek_out[QTPM_MLKEM_MAX_EK_BYTES], dk_out[QTPM_MLKEM_MAX_DK_BYTES];
            uint8_t ss[QTPM_MLKEM_SS_BYTES] = {0};
            tu_json_hex(test, "seed", &seed, &seed_len, NULL);
            tu_json_hex(test, "ek", &ek, &ek_len, &ek_present);
            tu_json_hex(test, "c", &c, &c_len, NULL);
            tu_json_hex(test, "K", &k, &k_len, NULL);

            if (seed_len == QTPM_MLKEM_SEED_BYTES) {
                assert_int_equal(qtpm_mlkem_keygen_from_seed(set, seed, ek_out, dk_out), QTPM_OK);
                if (ek_present) {
                    assert_int_equal(ek_len, ek_bytes);
                    assert_memory_equal(ek_out, ek, ek_bytes);
                }
                /* the expanded key must behave exactly like the seed */
                int rc2 = qtpm_mlkem_decaps(set, dk_out, dk_bytes, c, c_len, ss);
                expect_result(result, rc2, ss, k, k_len, tc);
                memset(ss, 0, sizeof(ss));
            } else {
                /* a wrong seed length must not be mistaken for an expanded key */
                assert_true(seed_len != dk_bytes);
            }
            int rc = qtpm_mlkem_decaps(set, seed, seed_len, c, c_len, ss);
            expect_result(result, rc, ss, k, k_len, tc);
            if (result == 0)
                assert_int_equal(rc, QTPM_E_LENGTH); /* every invalid one is a length error */
            cnt.n[result]++;
            free(seed);
            free(ek);
            free(c);
            free(k);
        }
    }
    finish_file(file, root, &cnt);
    json_decref(root);
}

/* mlkem_<set>_keygen_seed_test.json: seed -> (ek, dk). */
static void run_keygen_seed_test(const char *file)
{
    json_t *root = tu_wycheproof_load(file);
    counts cnt = {{0, 0, 0}};
    size_t gi, ti;
    json_t *group, *test;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group) {
        qtpm_mlkem_set set = set_of_group(group);
        size_t ek_bytes = qtpm_mlkem_ek_bytes(set), dk_bytes = qtpm_mlkem_dk_bytes(set);
        json_array_foreach(json_object_get(group, "tests"), ti, test) {
            int result = tu_result(test);
            uint8_t *seed, *ek, *dk;
            size_t seed_len, ek_len, dk_len;
            uint8_t ek_out[QTPM_MLKEM_MAX_EK_BYTES], dk_out[QTPM_MLKEM_MAX_DK_BYTES];
            tu_json_hex(test, "seed", &seed, &seed_len, NULL);
            tu_json_hex(test, "ek", &ek, &ek_len, NULL);
            tu_json_hex(test, "dk", &dk, &dk_len, NULL);
            if (result == 0) {
                /* the only way a seed can be invalid is its length */
                assert_true(seed_len != QTPM_MLKEM_SEED_BYTES);
            } else {
                assert_int_equal(seed_len, QTPM_MLKEM_SEED_BYTES);
                assert_int_equal(qtpm_mlkem_keygen_from_seed(set, seed, ek_out, dk_out), QTPM_OK);
                assert_int_equal(ek_len, ek_bytes);
                assert_int_equal(dk_len, dk_bytes);
                assert_memory_equal(ek_out, ek, ek_bytes);
                assert_memory_equal(dk_out, dk, dk_bytes);
                assert_int_equal(qtpm_mlkem_check_ek(set, ek, ek_len), QTPM_OK);
                assert_int_equal(qtpm_mlkem_check_dk(set, dk, dk_len), QTPM_OK);
            }
            cnt.n[result]++;
            free(seed);
            free(ek);
            free(dk);
        }
    }
    finish_file(file, root, &cnt);
    json_decref(root);
}

/* mlkem_<set>_encaps_test.json: (ek, m) -> (c, K); invalid ones have a wrong
 * ek length or coefficients >= q (the §7.2 modulus check). */
static void run_encaps_test(const char *file)
{
    json_t *root = tu_wycheproof_load(file);
    counts cnt = {{0, 0, 0}};
    size_t gi, ti;
    json_t *group, *test;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group) {
        qtpm_mlkem_set set = set_of_group(group);
        size_t ek_bytes = qtpm_mlkem_ek_bytes(set), ct_bytes = qtpm_mlkem_ct_bytes(set);
        json_array_foreach(json_object_get(group, "tests"), ti, test) {
            long tc = (long)json_integer_value(json_object_get(test, "tcId"));
            int result = tu_result(test);
            uint8_t *ek, *m, *c, *k;
            size_t ek_len, m_len, c_len, k_len;
            uint8_t ct[QTPM_MLKEM_MAX_CT_BYTES], ss[QTPM_MLKEM_SS_BYTES];
            tu_json_hex(test, "ek", &ek, &ek_len, NULL);
            tu_json_hex(test, "m", &m, &m_len, NULL);
            tu_json_hex(test, "c", &c, &c_len, NULL);
            tu_json_hex(test, "K", &k, &k_len, NULL);
            assert_int_equal(m_len, 32);
            int rc = qtpm_mlkem_encaps_internal(set, ek, ek_len, m, ct, ss);
            assert_int_equal(qtpm_mlkem_check_ek(set, ek, ek_len), rc);
            expect_result(result, rc, ss, k, k_len, tc);
            if (result == 1) {
                assert_int_equal(c_len, ct_bytes);
                assert_memory_equal(ct, c, ct_bytes);
            } else if (result == 0) {
                /* the reason must be the right one */
                assert_int_equal(rc, ek_len != ek_bytes ? QTPM_E_LENGTH : QTPM_E_INVALID);
                if (tu_has_flag(test, "ModulusOverflow"))
                    assert_int_equal(rc, QTPM_E_INVALID);
            }
            cnt.n[result]++;
            free(ek);
            free(m);
            free(c);
            free(k);
        }
    }
    finish_file(file, root, &cnt);
    json_decref(root);
}

/* mlkem_<set>_semi_expanded_decaps_test.json: (dk, c) -> K with the §7.3
 * checks: wrong lengths -> QTPM_E_LENGTH, bad hash / corrupted ek inside dk
 * -> QTPM_E_INVALID. */
static void run_semi_expanded_decaps_test(const char *file)
{
    json_t *root = tu_wycheproof_load(file);
    counts cnt = {{0, 0, 0}};
    size_t gi, ti;
    json_t *group, *test;
    json_array_foreach(json_object_get(root, "testGroups"), gi, group) {
        qtpm_mlkem_set set = set_of_group(group);
        json_array_foreach(json_object_get(group, "tests"), ti, test) {
            long tc = (long)json_integer_value(json_object_get(test, "tcId"));
            int result = tu_result(test);
            uint8_t *dk, *c, *k;
            size_t dk_len, c_len, k_len;
            uint8_t ss[QTPM_MLKEM_SS_BYTES] = {0};
            tu_json_hex(test, "dk", &dk, &dk_len, NULL);
            tu_json_hex(test, "c", &c, &c_len, NULL);
            tu_json_hex(test, "K", &k, &k_len, NULL);
            int rc = qtpm_mlkem_decaps(set, dk, dk_len, c, c_len, ss);
            expect_result(result, rc, ss, k, k_len, tc);
            if (tu_has_flag(test, "IncorrectCiphertextLength") ||
                tu_has_flag(test, "IncorrectDecapsulationKeyLength"))
                assert_int_equal(rc, QTPM_E_LENGTH);
            if (tu_has_flag(test, "InvalidDecapsulationKey"))
                assert_int_equal(rc, QTPM_E_INVALID);
            cnt.n[result]++;
            free(dk);
            free(c);
            free(k);
        }
    }
    finish_file(file, root, &cnt);
    json_decref(root);
}

static void test_wycheproof_mlkem(void **state)
{
    (void)state;
    char name[64];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "mlkem_%s_test.json", set_names[i]);
        run_mlkem_test(name);
    }
}

static void test_wycheproof_keygen_seed(void **state)
{
    (void)state;
    char name[64];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "mlkem_%s_keygen_seed_test.json", set_names[i]);
        run_keygen_seed_test(name);
    }
}

static void test_wycheproof_encaps(void **state)
{
    (void)state;
    char name[64];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "mlkem_%s_encaps_test.json", set_names[i]);
        run_encaps_test(name);
    }
}

static void test_wycheproof_semi_expanded_decaps(void **state)
{
    (void)state;
    char name[64];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "mlkem_%s_semi_expanded_decaps_test.json", set_names[i]);
        run_semi_expanded_decaps_test(name);
    }
}

static void test_sizes(void **state)
{
    (void)state;
    /* FIPS 203 Table 3 */
    assert_int_equal(qtpm_mlkem_ek_bytes(QTPM_MLKEM_512), 800);
    assert_int_equal(qtpm_mlkem_dk_bytes(QTPM_MLKEM_512), 1632);
    assert_int_equal(qtpm_mlkem_ct_bytes(QTPM_MLKEM_512), 768);
    assert_int_equal(qtpm_mlkem_ek_bytes(QTPM_MLKEM_768), 1184);
    assert_int_equal(qtpm_mlkem_dk_bytes(QTPM_MLKEM_768), 2400);
    assert_int_equal(qtpm_mlkem_ct_bytes(QTPM_MLKEM_768), 1088);
    assert_int_equal(qtpm_mlkem_ek_bytes(QTPM_MLKEM_1024), 1568);
    assert_int_equal(qtpm_mlkem_dk_bytes(QTPM_MLKEM_1024), 3168);
    assert_int_equal(qtpm_mlkem_ct_bytes(QTPM_MLKEM_1024), 1568);
    assert_int_equal(qtpm_mlkem_ek_bytes((qtpm_mlkem_set)0), 0);
    assert_int_equal(qtpm_mlkem_dk_bytes((qtpm_mlkem_set)4), 0);
    assert_int_equal(qtpm_mlkem_ct_bytes((qtpm_mlkem_set)99), 0);
}

/* Fresh keys, encapsulation and decapsulation agree, for every set, with the
 * expanded key and with the seed the keygen handed out. */
static void test_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < 3; s++) {
        qtpm_mlkem_set set = all_sets[s];
        size_t ekn = qtpm_mlkem_ek_bytes(set), dkn = qtpm_mlkem_dk_bytes(set);
        size_t ctn = qtpm_mlkem_ct_bytes(set);
        for (int iter = 0; iter < 20; iter++) {
            uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES], dk[QTPM_MLKEM_MAX_DK_BYTES];
            uint8_t seed[QTPM_MLKEM_SEED_BYTES], ct[QTPM_MLKEM_MAX_CT_BYTES];
            uint8_t ss1[32], ss2[32], ss3[32];
            assert_int_equal(qtpm_mlkem_keygen(set, ek, dk, seed), QTPM_OK);
            assert_int_equal(qtpm_mlkem_check_ek(set, ek, ekn), QTPM_OK);
            assert_int_equal(qtpm_mlkem_check_dk(set, dk, dkn), QTPM_OK);
            assert_int_equal(qtpm_mlkem_encaps(set, ek, ekn, ct, ss1), QTPM_OK);
            assert_int_equal(qtpm_mlkem_decaps(set, dk, dkn, ct, ctn, ss2), QTPM_OK);
            assert_memory_equal(ss1, ss2, 32);
            assert_int_equal(qtpm_mlkem_decaps(set, seed, sizeof(seed), ct, ctn, ss3), QTPM_OK);
            assert_memory_equal(ss1, ss3, 32);

            /* the seed reproduces the same key pair */
            uint8_t ek2[QTPM_MLKEM_MAX_EK_BYTES], dk2[QTPM_MLKEM_MAX_DK_BYTES];
            assert_int_equal(qtpm_mlkem_keygen_from_seed(set, seed, ek2, dk2), QTPM_OK);
            assert_memory_equal(ek, ek2, ekn);
            assert_memory_equal(dk, dk2, dkn);
            /* keygen_internal(d, z) is the same as from_seed(d ‖ z) */
            assert_int_equal(qtpm_mlkem_keygen_internal(set, seed, seed + 32, ek2, dk2), QTPM_OK);
            assert_memory_equal(dk, dk2, dkn);
        }
        /* keygen may hand out only the seed */
        uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES], ek2[QTPM_MLKEM_MAX_EK_BYTES];
        uint8_t dk2[QTPM_MLKEM_MAX_DK_BYTES], seed[QTPM_MLKEM_SEED_BYTES];
        assert_int_equal(qtpm_mlkem_keygen(set, ek, NULL, seed), QTPM_OK);
        assert_int_equal(qtpm_mlkem_keygen_from_seed(set, seed, ek2, dk2), QTPM_OK);
        assert_memory_equal(ek, ek2, ekn);
    }
}

/* Deterministic variant: Encaps_internal with a fixed m, decapsulated with
 * both key forms, for every set. */
static void test_seed_form_equals_expanded(void **state)
{
    (void)state;
    for (int s = 0; s < 3; s++) {
        qtpm_mlkem_set set = all_sets[s];
        size_t ekn = qtpm_mlkem_ek_bytes(set), dkn = qtpm_mlkem_dk_bytes(set);
        size_t ctn = qtpm_mlkem_ct_bytes(set);
        uint8_t seed[64], m[32], ek[QTPM_MLKEM_MAX_EK_BYTES], dk[QTPM_MLKEM_MAX_DK_BYTES];
        uint8_t ct[QTPM_MLKEM_MAX_CT_BYTES], ss[32], a[32], b[32];
        for (int iter = 0; iter < 8; iter++) {
            for (size_t i = 0; i < sizeof(seed); i++)
                seed[i] = (uint8_t)(i * 29 + iter * 7 + s);
            for (size_t i = 0; i < sizeof(m); i++)
                m[i] = (uint8_t)(i * 13 + iter);
            assert_int_equal(qtpm_mlkem_keygen_from_seed(set, seed, ek, dk), QTPM_OK);
            assert_int_equal(qtpm_mlkem_encaps_internal(set, ek, ekn, m, ct, ss), QTPM_OK);
            /* a valid and, on odd iterations, a tampered ciphertext */
            if (iter & 1)
                ct[(size_t)iter * 97 % ctn] ^= 0x10;
            assert_int_equal(qtpm_mlkem_decaps(set, dk, dkn, ct, ctn, a), QTPM_OK);
            assert_int_equal(qtpm_mlkem_decaps(set, seed, 64, ct, ctn, b), QTPM_OK);
            assert_memory_equal(a, b, 32);
            if (iter & 1)
                assert_memory_not_equal(a, ss, 32);
            else
                assert_memory_equal(a, ss, 32);
        }
    }
}

/* A tampered ciphertext yields K̄ = J(z ‖ c) = SHAKE256(z ‖ c, 32), computed
 * here from the key bytes, never the real key. Every byte position class is
 * exercised: c1 start, c1 end, c2. */
static void test_implicit_rejection(void **state)
{
    (void)state;
    for (int s = 0; s < 3; s++) {
        qtpm_mlkem_set set = all_sets[s];
        size_t ekn = qtpm_mlkem_ek_bytes(set), dkn = qtpm_mlkem_dk_bytes(set);
        size_t ctn = qtpm_mlkem_ct_bytes(set);
        uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES], dk[QTPM_MLKEM_MAX_DK_BYTES];
        uint8_t ct[QTPM_MLKEM_MAX_CT_BYTES], ss[32], got[32], want[32];
        uint8_t seed[64];
        assert_int_equal(qtpm_mlkem_keygen(set, ek, dk, seed), QTPM_OK);
        assert_int_equal(qtpm_mlkem_encaps(set, ek, ekn, ct, ss), QTPM_OK);
        const uint8_t *z = dk + dkn - 32;
        assert_memory_equal(z, seed + 32, 32); /* z is the tail of dk */
        size_t positions[4] = {0, ctn / 2, ctn - 33, ctn - 1};
        for (int p = 0; p < 4; p++) {
            uint8_t bad[QTPM_MLKEM_MAX_CT_BYTES];
            memcpy(bad, ct, ctn);
            bad[positions[p]] ^= 0x01;
            assert_int_equal(qtpm_mlkem_decaps(set, dk, dkn, bad, ctn, got), QTPM_OK);
            assert_memory_not_equal(got, ss, 32);
            qtpm_keccak_ctx j;
            qtpm_shake256_init(&j);
            qtpm_keccak_absorb(&j, z, 32);
            qtpm_keccak_absorb(&j, bad, ctn);
            qtpm_keccak_squeeze(&j, want, 32);
            assert_memory_equal(got, want, 32);
            /* the seed form rejects identically */
            assert_int_equal(qtpm_mlkem_decaps(set, seed, 64, bad, ctn, got), QTPM_OK);
            assert_memory_equal(got, want, 32);
        }
    }
}

static void test_bad_lengths_and_keys(void **state)
{
    (void)state;
    for (int s = 0; s < 3; s++) {
        qtpm_mlkem_set set = all_sets[s];
        size_t ekn = qtpm_mlkem_ek_bytes(set), dkn = qtpm_mlkem_dk_bytes(set);
        size_t ctn = qtpm_mlkem_ct_bytes(set);
        uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES + 1], dk[QTPM_MLKEM_MAX_DK_BYTES + 1];
        uint8_t ct[QTPM_MLKEM_MAX_CT_BYTES + 1], ss[32], m[32] = {1};
        assert_int_equal(qtpm_mlkem_keygen(set, ek, dk, NULL), QTPM_OK);
        assert_int_equal(qtpm_mlkem_encaps(set, ek, ekn, ct, ss), QTPM_OK);

        /* wrong lengths */
        assert_int_equal(qtpm_mlkem_check_ek(set, ek, ekn - 1), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_check_ek(set, ek, ekn + 1), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_encaps(set, ek, ekn - 1, ct, ss), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_encaps_internal(set, ek, ekn + 1, m, ct, ss), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_check_dk(set, dk, dkn - 1), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_check_dk(set, dk, 63), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_check_dk(set, dk, 65), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_decaps(set, dk, dkn + 1, ct, ctn, ss), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_decaps(set, dk, dkn, ct, ctn - 1, ss), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_decaps(set, dk, dkn, ct, ctn + 1, ss), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_decaps(set, dk, 64, ct, 0, ss), QTPM_E_LENGTH);

        /* a coefficient of q in ek fails the modulus check: value 3329 =
         * 0xD01 in the first 12-bit slot */
        uint8_t ek_bad[QTPM_MLKEM_MAX_EK_BYTES];
        memcpy(ek_bad, ek, ekn);
        ek_bad[0] = 0x01;
        ek_bad[1] = (uint8_t)((ek_bad[1] & 0xF0) | 0x0D);
        assert_int_equal(qtpm_mlkem_check_ek(set, ek_bad, ekn), QTPM_E_INVALID);
        assert_int_equal(qtpm_mlkem_encaps(set, ek_bad, ekn, ct, ss), QTPM_E_INVALID);
        /* q - 1 in the same slot is fine */
        ek_bad[0] = 0x00;
        assert_int_equal(qtpm_mlkem_check_ek(set, ek_bad, ekn), QTPM_OK);
        /* the last 12-bit value of the last polynomial: 0xFFF */
        memcpy(ek_bad, ek, ekn);
        ek_bad[ekn - 33] = 0xFF;
        ek_bad[ekn - 34] |= 0xF0;
        assert_int_equal(qtpm_mlkem_check_ek(set, ek_bad, ekn), QTPM_E_INVALID);

        /* a dk whose stored H(ek) does not match: rejected, not rejection-sampled */
        uint8_t dk_bad[QTPM_MLKEM_MAX_DK_BYTES];
        memcpy(dk_bad, dk, dkn);
        dk_bad[dkn - 64] ^= 0x80; /* first byte of H(ek) */
        assert_int_equal(qtpm_mlkem_check_dk(set, dk_bad, dkn), QTPM_E_INVALID);
        assert_int_equal(qtpm_mlkem_decaps(set, dk_bad, dkn, ct, ctn, ss), QTPM_E_INVALID);
        memcpy(dk_bad, dk, dkn);
        dk_bad[(ekn - 32) + 5] ^= 0x01; /* a byte of the embedded ek */
        assert_int_equal(qtpm_mlkem_check_dk(set, dk_bad, dkn), QTPM_E_INVALID);
        /* a change in z or in ŝ is not detectable by §7.3 and is accepted */
        memcpy(dk_bad, dk, dkn);
        dk_bad[dkn - 1] ^= 0x01;
        assert_int_equal(qtpm_mlkem_check_dk(set, dk_bad, dkn), QTPM_OK);
    }
}

static void test_unknown_set(void **state)
{
    (void)state;
    uint8_t buf[QTPM_MLKEM_MAX_DK_BYTES] = {0}, ct[QTPM_MLKEM_MAX_CT_BYTES] = {0};
    uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES] = {0}, seed[64] = {0}, ss[32];
    const qtpm_mlkem_set bad[3] = {(qtpm_mlkem_set)0, (qtpm_mlkem_set)4, (qtpm_mlkem_set)-1};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(qtpm_mlkem_keygen(bad[i], ek, buf, seed), QTPM_E_PARAM);
        assert_int_equal(qtpm_mlkem_keygen_internal(bad[i], seed, seed + 32, ek, buf),
                         QTPM_E_PARAM);
        assert_int_equal(qtpm_mlkem_keygen_from_seed(bad[i], seed, ek, buf), QTPM_E_PARAM);
        assert_int_equal(qtpm_mlkem_check_ek(bad[i], ek, 1184), QTPM_E_PARAM);
        assert_int_equal(qtpm_mlkem_check_dk(bad[i], buf, 2400), QTPM_E_PARAM);
        assert_int_equal(qtpm_mlkem_encaps(bad[i], ek, 1184, ct, ss), QTPM_E_PARAM);
        assert_int_equal(qtpm_mlkem_encaps_internal(bad[i], ek, 1184, seed, ct, ss),
                         QTPM_E_PARAM);
        assert_int_equal(qtpm_mlkem_decaps(bad[i], buf, 2400, ct, 1088, ss), QTPM_E_PARAM);
        assert_int_equal(qtpm_mlkem_decaps(bad[i], seed, 64, ct, 1088, ss), QTPM_E_PARAM);
    }
}

/* Compress_d and Decompress_d against their definitions (FIPS 203 (4.7),
 * (4.8)) with exact rational rounding, for every x and every d used. */
static void test_compress_exhaustive(void **state)
{
    (void)state;
    const unsigned ds[6] = {1, 4, 5, 10, 11, 12};
    for (int k = 0; k < 6; k++) {
        unsigned d = ds[k];
        if (d < 12) {
            for (uint32_t x = 0; x < 3329; x++) {
                /* round(2^d x / q) with ties impossible (q odd) */
                uint32_t want = (uint32_t)(((2u * (x << d)) + 3329u) / (2u * 3329u)) &
                                ((1u << d) - 1);
                assert_int_equal(mlkem_compress_d((uint16_t)x, d), want);
            }
        }
        for (uint32_t y = 0; y < (1u << d) && d < 12; y++) {
            /* round(q y / 2^d), ties up */
            uint32_t want = (2u * 3329u * y + (1u << d)) / (2u << d);
            assert_int_equal(mlkem_decompress_d((uint16_t)y, d), want);
        }
    }
}

/* Packing round trips: ByteDecode_d(ByteEncode_d(x)) = x for d = 4, 5, 10, 11
 * through the compressed forms, and ByteEncode_12 / ByteDecode_12. */
static void test_encode_round_trip(void **state)
{
    (void)state;
    const unsigned ds[4] = {4, 5, 10, 11};
    mlkem_poly p, q;
    uint8_t buf[MLKEM_POLYBYTES];
    for (unsigned i = 0; i < MLKEM_N; i++)
        p.c[i] = (int16_t)((i * 2749u + 17u) % 3329u);
    mlkem_poly_tobytes(buf, &p);
    mlkem_poly_frombytes(&q, buf);
    assert_memory_equal(p.c, q.c, sizeof(p.c));
    assert_int_equal(mlkem_poly_check_modulus(buf), 1);
    for (int k = 0; k < 4; k++) {
        unsigned d = ds[k];
        mlkem_poly_compress(buf, &p, d);
        mlkem_poly_decompress(&q, buf, d);
        for (unsigned i = 0; i < MLKEM_N; i++) {
            uint16_t c = mlkem_compress_d((uint16_t)p.c[i], d);
            assert_int_equal(q.c[i], mlkem_decompress_d(c, d));
        }
    }
    uint8_t m[32], m2[32];
    for (int i = 0; i < 32; i++)
        m[i] = (uint8_t)(i * 37 + 5);
    mlkem_poly_frommsg(&p, m);
    mlkem_poly_tomsg(m2, &p);
    assert_memory_equal(m, m2, 32);
}

/* NTT-domain multiplication (Algorithms 9-12 with the Montgomery bookkeeping
 * of indcpa.c) equals the schoolbook product in Z_q[X]/(X^256 + 1). */
static void test_ntt_multiplication(void **state)
{
    (void)state;
    for (int iter = 0; iter < 4; iter++) {
        mlkem_poly a, b, r;
        int32_t want[MLKEM_N] = {0};
        uint32_t x = 12345u + (uint32_t)iter;
        for (unsigned i = 0; i < MLKEM_N; i++) {
            x = x * 1103515245u + 12345u;
            a.c[i] = (int16_t)((x >> 8) % 3329u);
            x = x * 1103515245u + 12345u;
            /* b small and signed, like a noise polynomial, in the first rounds */
            b.c[i] = iter < 2 ? (int16_t)((int)((x >> 8) % 7u) - 3)
                              : (int16_t)((x >> 8) % 3329u);
        }
        for (unsigned i = 0; i < MLKEM_N; i++) {
            for (unsigned j = 0; j < MLKEM_N; j++) {
                int64_t prod = (int64_t)a.c[i] * b.c[j];
                unsigned idx = (i + j) % MLKEM_N;
                int64_t v = (i + j < MLKEM_N) ? prod : -prod; /* X^256 = -1 */
                want[idx] = (int32_t)(((int64_t)want[idx] + v) % 3329);
            }
        }
        mlkem_poly_mulcache cache;
        int32_t acc[MLKEM_N] = {0};
        mlkem_poly_ntt(&a);
        mlkem_poly_reduce(&a);
        mlkem_poly_ntt(&b);
        mlkem_poly_reduce(&b);
        mlkem_poly_mulcache_compute(&cache, &b);
        mlkem_poly_basemul_acc(acc, &a, &b, &cache);
        mlkem_poly_from_acc(&r, acc);
        mlkem_poly_invntt_tomont(&r);
        mlkem_poly_reduce(&r);
        for (unsigned i = 0; i < MLKEM_N; i++)
            assert_int_equal(r.c[i], (want[i] % 3329 + 3329) % 3329);
    }
}

/* Fills n coefficients uniformly in [lo, hi] (xorshift; reproducible). */
static void fill_range(int16_t *c, unsigned n, int32_t lo, int32_t hi, uint32_t *x)
{
    for (unsigned i = 0; i < n; i++) {
        *x ^= *x << 13;
        *x ^= *x >> 17;
        *x ^= *x << 5;
        c[i] = (int16_t)(lo + (int32_t)(*x % (uint32_t)(hi - lo + 1)));
    }
}

/* The AVX2 path against the portable one, function by function, on random
 * inputs over each function's whole stated input range plus its extremes.
 * Skipped (passes trivially, says so) where the CPU has no AVX2 or the build
 * is portable. */
static void test_avx2_matches_scalar(void **state)
{
    (void)state;
    mlkem_arch_force_scalar(0);
    if (!mlkem_use_avx2()) {
        printf("  (no AVX2 path on this CPU/build: nothing to compare)\n");
        return;
    }
    uint32_t x = 0x9e3779b9u;
    for (int iter = 0; iter < 200; iter++) {
        mlkem_poly in, s, v, b;
        mlkem_poly_mulcache cache;
        int32_t acc_s[MLKEM_N], acc_v[MLKEM_N];
        uint8_t bytes[MLKEM_POLYBYTES], rho[32];

        /* NTT and inverse NTT: |c| < q; the first rounds at the bounds */
        if (iter == 0)
            for (unsigned i = 0; i < MLKEM_N; i++) in.c[i] = (int16_t)(i & 1 ? 3328 : -3328);
        else
            fill_range(in.c, MLKEM_N, -3328, 3328, &x);
        s = in, v = in;
        mlkem_arch_force_scalar(1);
        mlkem_poly_ntt(&s);
        mlkem_arch_force_scalar(0);
        mlkem_poly_ntt(&v);
        assert_memory_equal(s.c, v.c, sizeof(s.c));
        s = in, v = in;
        mlkem_arch_force_scalar(1);
        mlkem_poly_invntt_tomont(&s);
        mlkem_arch_force_scalar(0);
        mlkem_poly_invntt_tomont(&v);
        assert_memory_equal(s.c, v.c, sizeof(s.c));

        /* reduce and tomont: any int16 */
        fill_range(in.c, MLKEM_N, -32768, 32767, &x);
        in.c[0] = -32768, in.c[1] = 32767;
        s = in, v = in;
        mlkem_arch_force_scalar(1);
        mlkem_poly_reduce(&s);
        mlkem_arch_force_scalar(0);
        mlkem_poly_reduce(&v);
        assert_memory_equal(s.c, v.c, sizeof(s.c));
        s = in, v = in;
        mlkem_arch_force_scalar(1);
        mlkem_poly_tomont(&s);
        mlkem_arch_force_scalar(0);
        mlkem_poly_tomont(&v);
        assert_memory_equal(s.c, v.c, sizeof(s.c));

        /* basemul: a, b in [0, q), accumulating onto a nonzero start */
        fill_range(in.c, MLKEM_N, iter == 1 ? 3328 : 0, 3328, &x);
        fill_range(b.c, MLKEM_N, iter == 1 ? 3328 : 0, 3328, &x);
        mlkem_poly_mulcache_compute(&cache, &b);
        for (unsigned i = 0; i < MLKEM_N; i++)
            acc_s[i] = acc_v[i] = (int32_t)(i * 1000003u % 40000000u) - 20000000;
        mlkem_arch_force_scalar(1);
        mlkem_poly_basemul_acc(acc_s, &in, &b, &cache);
        mlkem_arch_force_scalar(0);
        mlkem_poly_basemul_acc(acc_v, &in, &b, &cache);
        assert_memory_equal(acc_s, acc_v, sizeof(acc_s));

        /* the final Montgomery reduction of a dot product: |acc| < 2^15 q */
        for (unsigned i = 0; i < MLKEM_N; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            acc_s[i] = (int32_t)(x % (2u * 3329u * 32768u - 1u)) - (3329 * 32768 - 1);
        }
        acc_s[0] = 3329 * 32768 - 1, acc_s[1] = -(3329 * 32768 - 1);
        mlkem_arch_force_scalar(1);
        mlkem_poly_from_acc(&s, acc_s);
        mlkem_arch_force_scalar(0);
        mlkem_poly_from_acc(&v, acc_s);
        assert_memory_equal(s.c, v.c, sizeof(s.c));

        /* SamplePolyCBD_2, single and batched (the batch mixes η 2 and 3) */
        {
            uint8_t sigma[32];
            mlkem_poly cs[3], cv[3];
            mlkem_poly *ps[3] = {&cs[0], &cs[1], &cs[2]}, *pv[3] = {&cv[0], &cv[1], &cv[2]};
            const unsigned etas[3] = {2, 3, 2};
            for (unsigned i = 0; i < 32; i++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                sigma[i] = (uint8_t)x;
            }
            mlkem_arch_force_scalar(1);
            mlkem_poly_sample_cbd(&s, 2, sigma, (uint8_t)iter);
            mlkem_poly_sample_cbd_many(ps, etas, 3, sigma, (uint8_t)iter);
            mlkem_arch_force_scalar(0);
            mlkem_poly_sample_cbd(&v, 2, sigma, (uint8_t)iter);
            mlkem_poly_sample_cbd_many(pv, etas, 3, sigma, (uint8_t)iter);
            assert_memory_equal(s.c, v.c, sizeof(s.c));
            assert_memory_equal(cs, cv, sizeof(cs));
        }

        /* ByteDecode_12 of arbitrary bytes (values up to 4095) */
        for (unsigned i = 0; i < sizeof(bytes); i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            bytes[i] = (uint8_t)(iter == 2 ? 0xFF : x);
        }
        mlkem_arch_force_scalar(1);
        mlkem_poly_frombytes(&s, bytes);
        mlkem_arch_force_scalar(0);
        mlkem_poly_frombytes(&v, bytes);
        assert_memory_equal(s.c, v.c, sizeof(s.c));

        /* SampleNTT (the rejection loop) for a random ρ, single and batched */
        for (unsigned i = 0; i < 32; i++) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            rho[i] = (uint8_t)x;
        }
        mlkem_poly as[4], av[4];
        const uint8_t xy[4][2] = {{0, 0}, {1, 0}, {0, 1}, {(uint8_t)iter, 2}};
        mlkem_arch_force_scalar(1);
        mlkem_poly_sample_ntt(&s, rho, (uint8_t)iter, 1);
        mlkem_poly_sample_ntt_many(as, rho, xy, 4);
        mlkem_arch_force_scalar(0);
        mlkem_poly_sample_ntt(&v, rho, (uint8_t)iter, 1);
        mlkem_poly_sample_ntt_many(av, rho, xy, 4);
        assert_memory_equal(s.c, v.c, sizeof(s.c));
        assert_memory_equal(as, av, sizeof(as));
    }
    mlkem_arch_force_scalar(0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_compress_exhaustive),
        cmocka_unit_test(test_encode_round_trip),
        cmocka_unit_test(test_ntt_multiplication),
        cmocka_unit_test(test_avx2_matches_scalar),
        cmocka_unit_test(test_wycheproof_keygen_seed),
        cmocka_unit_test(test_wycheproof_mlkem),
        cmocka_unit_test(test_wycheproof_encaps),
        cmocka_unit_test(test_wycheproof_semi_expanded_decaps),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_seed_form_equals_expanded),
        cmocka_unit_test(test_implicit_rejection),
        cmocka_unit_test(test_bad_lengths_and_keys),
        cmocka_unit_test(test_unknown_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
