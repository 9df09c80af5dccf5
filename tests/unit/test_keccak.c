/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_keccak.c — Keccak/SHA-3/SHAKE against OpenSSL's implementation (an
 * independent one) for many lengths, and incremental absorb/squeeze in uneven
 * pieces against the one-shot functions, and the four-way permutation and
 * sponge (every implementation this CPU can run) lane by lane against the
 * single-state code.
 */
#include <string.h>
#include <openssl/evp.h>

#include "testutil.h"
#include "qtpm/common.h"
#include "qtpm/keccak.h"

static void openssl_digest(const char *name, const uint8_t *in, size_t len,
                           uint8_t *out, size_t outlen)
{
    EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    assert_non_null(md);
    assert_non_null(c);
    assert_int_equal(EVP_DigestInit_ex(c, md, NULL), 1);
    assert_int_equal(EVP_DigestUpdate(c, in, len), 1);
    if (EVP_MD_get_flags(md) & EVP_MD_FLAG_XOF)
        assert_int_equal(EVP_DigestFinalXOF(c, out, outlen), 1);
    else
        assert_int_equal(EVP_DigestFinal_ex(c, out, NULL), 1);
    EVP_MD_CTX_free(c);
    EVP_MD_free(md);
}

static void test_sha3_lengths(void **state)
{
    (void)state;
    uint8_t in[600], a[64], b[64];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 7 + 3);
    for (size_t len = 0; len <= sizeof(in); len += (len < 300 ? 1 : 37)) {
        qtpm_sha3_256(a, in, len);
        openssl_digest("SHA3-256", in, len, b, 32);
        assert_memory_equal(a, b, 32);
        qtpm_sha3_384(a, in, len);
        openssl_digest("SHA3-384", in, len, b, 48);
        assert_memory_equal(a, b, 48);
        qtpm_sha3_512(a, in, len);
        openssl_digest("SHA3-512", in, len, b, 64);
        assert_memory_equal(a, b, 64);
    }
}

static void test_shake_lengths(void **state)
{
    (void)state;
    uint8_t in[400], a[700], b[700];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i ^ 0x5a);
    for (size_t len = 0; len <= sizeof(in); len += 13) {
        size_t outlen = 1 + (len * 3) % sizeof(a);
        qtpm_shake128(a, outlen, in, len);
        openssl_digest("SHAKE128", in, len, b, outlen);
        assert_memory_equal(a, b, outlen);
        qtpm_shake256(a, outlen, in, len);
        openssl_digest("SHAKE256", in, len, b, outlen);
        assert_memory_equal(a, b, outlen);
    }
}

/* Known answer independent of OpenSSL: SHA3-256("abc") from FIPS 202 examples. */
static void test_sha3_abc(void **state)
{
    (void)state;
    static const uint8_t want[32] = {
        0x3a, 0x98, 0x5d, 0xa7, 0x4f, 0xe2, 0x25, 0xb2, 0x04, 0x5c, 0x17, 0x2d, 0x6b, 0xd3, 0x90, 0xbd,
        0x85, 0x5f, 0x08, 0x6e, 0x3e, 0x9d, 0x52, 0x5b, 0x46, 0xbf, 0xe2, 0x45, 0x11, 0x43, 0x15, 0x32};
    uint8_t got[32];
    qtpm_sha3_256(got, (const uint8_t *)"abc", 3);
    assert_memory_equal(got, want, 32);
}

static void test_incremental(void **state)
{
    (void)state;
    uint8_t in[1000], one[1500], inc[1500];
    for (size_t i = 0; i < sizeof(in); i++)
        in[i] = (uint8_t)(i * 31);
    qtpm_shake128(one, sizeof(one), in, sizeof(in));

    static const size_t pieces[] = {1, 7, 0, 168, 169, 3, 200, 77};
    qtpm_keccak_ctx c;
    qtpm_shake128_init(&c);
    size_t off = 0, k = 0;
    while (off < sizeof(in)) {
        size_t n = pieces[k++ % 8];
        if (n > sizeof(in) - off)
            n = sizeof(in) - off;
        qtpm_keccak_absorb(&c, in + off, n);
        off += n;
    }
    off = 0, k = 0;
    while (off < sizeof(inc)) {
        size_t n = pieces[(k++ + 3) % 8];
        if (n > sizeof(inc) - off)
            n = sizeof(inc) - off;
        qtpm_keccak_squeeze(&c, inc + off, n);
        off += n;
    }
    assert_memory_equal(one, inc, sizeof(one));

    /* whole-block squeezing gives the same stream */
    uint8_t blocks[3 * QTPM_SHAKE128_RATE];
    qtpm_shake128_init(&c);
    qtpm_keccak_absorb(&c, in, sizeof(in));
    qtpm_keccak_squeezeblocks(&c, blocks, 3);
    assert_memory_equal(one, blocks, sizeof(blocks));
}

/* Four different starting states, lane-interleaved, and the same four as
 * separate single states. */
static void x4_fill(uint64_t x4[100], uint64_t one[4][25], uint64_t seed)
{
    for (unsigned i = 0; i < 25; i++) {
        for (unsigned j = 0; j < 4; j++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            x4[4 * i + j] = seed ^ (seed >> 29);
            one[j][i] = x4[4 * i + j];
        }
    }
}

static const char *const impl_names[] = {"portable", "AVX2", "AVX-512VL"};

/* Each implementation of the four-way permutation, lane by lane, over a few
 * chained permutations, equals four runs of qtpm_keccak_f1600. */
static void test_f1600_x4_impls(void **state)
{
    (void)state;
    unsigned tested = 0;
    for (int impl = QTPM_KECCAK_PORTABLE; impl <= QTPM_KECCAK_AVX512; impl++) {
        uint64_t x4[100], one[4][25];
        x4_fill(x4, one, 0x1234 + (uint64_t)impl);
        if (!qtpm_keccak_impl_available((qtpm_keccak_impl)impl)) {
            uint64_t before[100];
            memcpy(before, x4, sizeof(x4));
            assert_int_equal(qtpm_keccak_f1600_x4_using((qtpm_keccak_impl)impl, x4),
                             QTPM_E_PARAM);
            assert_memory_equal(before, x4, sizeof(x4));
            print_message("keccak x4 %s: not available on this CPU\n", impl_names[impl]);
            continue;
        }
        for (int rep = 0; rep < 3; rep++) {
            assert_int_equal(qtpm_keccak_f1600_x4_using((qtpm_keccak_impl)impl, x4), QTPM_OK);
            for (unsigned j = 0; j < 4; j++) {
                qtpm_keccak_f1600(one[j]);
                for (unsigned i = 0; i < 25; i++)
                    assert_true(x4[4 * i + j] == one[j][i]);
            }
        }
        print_message("keccak x4 %s: checked\n", impl_names[impl]);
        tested++;
    }
    assert_true(tested >= 1);
    for (int impl = QTPM_KECCAK_PORTABLE; impl <= QTPM_KECCAK_AVX512; impl++) {
        int avail = qtpm_keccak_impl_available((qtpm_keccak_impl)impl);
        assert_true(avail == 0 || avail == 1);
    }
    assert_int_equal(qtpm_keccak_impl_available((qtpm_keccak_impl)7), 0);
    assert_true(qtpm_keccak_impl_available(QTPM_KECCAK_PORTABLE));
    assert_true(qtpm_keccak_impl_available(qtpm_keccak_best_impl()));

    /* The dispatching entry point agrees too. */
    uint64_t x4[100], one[4][25];
    x4_fill(x4, one, 99);
    qtpm_keccak_f1600_x4(x4);
    for (unsigned j = 0; j < 4; j++) {
        qtpm_keccak_f1600(one[j]);
        for (unsigned i = 0; i < 25; i++)
            assert_true(x4[4 * i + j] == one[j][i]);
    }
}

/* Each single-state implementation agrees with the dispatching one (which
 * the SHA-3 and SHAKE tests above check against OpenSSL) over a chain of
 * permutations, and an unavailable one refuses to run. */
static void test_f1600_impls(void **state)
{
    (void)state;
    unsigned tested = 0;
    for (int impl = QTPM_KECCAK_PORTABLE; impl <= QTPM_KECCAK_AVX512; impl++) {
        uint64_t x4[100], one[4][25], ref[25];
        x4_fill(x4, one, 0x777 + (uint64_t)impl);
        memcpy(ref, one[0], sizeof(ref));
        if (!qtpm_keccak_impl_available((qtpm_keccak_impl)impl)) {
            assert_int_equal(qtpm_keccak_f1600_using((qtpm_keccak_impl)impl, one[0]),
                             QTPM_E_PARAM);
            assert_memory_equal(ref, one[0], sizeof(ref));
            continue;
        }
        for (int rep = 0; rep < 5; rep++) {
            assert_int_equal(qtpm_keccak_f1600_using((qtpm_keccak_impl)impl, one[0]), QTPM_OK);
            qtpm_keccak_f1600(ref);
            assert_memory_equal(ref, one[0], sizeof(ref));
        }
        print_message("keccak x1 %s: checked\n", impl_names[impl]);
        tested++;
    }
    assert_true(tested >= 1);

    /* The portable code against the all-zero-state permutation's first lane,
     * a well-known value independent of this library. */
    uint64_t z[25] = {0};
    assert_int_equal(qtpm_keccak_f1600_using(QTPM_KECCAK_PORTABLE, z), QTPM_OK);
    assert_true(z[0] == 0xF1258F7940E1DDE7ULL);
}

/* The four-way SHAKE sponge equals four single SHAKE computations, for input
 * lengths around and beyond one block and output in two squeeze calls. */
static void test_shake_x4(void **state)
{
    (void)state;
    uint8_t in[4][400];
    uint8_t got[4][4 * QTPM_SHAKE128_RATE], want[4 * QTPM_SHAKE128_RATE];
    for (unsigned j = 0; j < 4; j++)
        for (size_t i = 0; i < sizeof(in[j]); i++)
            in[j][i] = (uint8_t)(i * (2 * j + 3) + j);
    const uint8_t *const ins[4] = {in[0], in[1], in[2], in[3]};

    for (int variant = 0; variant < 2; variant++) {
        const size_t rate = variant ? QTPM_SHAKE256_RATE : QTPM_SHAKE128_RATE;
        for (size_t len = 0; len <= sizeof(in[0]); len += (len < 180 ? 1 : 23)) {
            qtpm_keccak_x4_ctx c;
            uint8_t *const first[4] = {got[0], got[1], got[2], got[3]};
            uint8_t *const rest[4] = {got[0] + rate, got[1] + rate, got[2] + rate, got[3] + rate};
            if (variant)
                qtpm_shake256_x4_absorb_once(&c, ins, len);
            else
                qtpm_shake128_x4_absorb_once(&c, ins, len);
            qtpm_keccak_x4_squeezeblocks(&c, first, 1);
            qtpm_keccak_x4_squeezeblocks(&c, rest, 2);
            for (unsigned j = 0; j < 4; j++) {
                if (variant)
                    qtpm_shake256(want, 3 * rate, in[j], len);
                else
                    qtpm_shake128(want, 3 * rate, in[j], len);
                assert_memory_equal(got[j], want, 3 * rate);
            }
        }
    }

    /* A NULL output discards that instance; the others are unaffected, and
     * aliased inputs give equal streams. */
    qtpm_keccak_x4_ctx c;
    const uint8_t *const same[4] = {in[1], in[1], in[1], in[1]};
    uint8_t *const outs[4] = {NULL, got[1], NULL, got[3]};
    memset(got[0], 0xAA, sizeof(got[0]));
    qtpm_shake128_x4_absorb_once(&c, same, 34);
    qtpm_keccak_x4_squeezeblocks(&c, outs, 2);
    qtpm_shake128(want, 2 * QTPM_SHAKE128_RATE, in[1], 34);
    assert_memory_equal(got[1], want, 2 * QTPM_SHAKE128_RATE);
    assert_memory_equal(got[3], want, 2 * QTPM_SHAKE128_RATE);
    for (size_t i = 0; i < sizeof(got[0]); i++)
        assert_int_equal(got[0][i], 0xAA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha3_abc),
        cmocka_unit_test(test_sha3_lengths),
        cmocka_unit_test(test_shake_lengths),
        cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_f1600_impls),
        cmocka_unit_test(test_f1600_x4_impls),
        cmocka_unit_test(test_shake_x4),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
