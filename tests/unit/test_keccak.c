/*
 * test_keccak.c — Keccak/SHA-3/SHAKE against OpenSSL's implementation (an
 * independent one) for many lengths, and incremental absorb/squeeze in uneven
 * pieces against the one-shot functions.
 */
#include <string.h>
#include <openssl/evp.h>

#include "testutil.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha3_abc),
        cmocka_unit_test(test_sha3_lengths),
        cmocka_unit_test(test_shake_lengths),
        cmocka_unit_test(test_incremental),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
