/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wallet_cbor_test.c — the wallet's strict CBOR reader (src/wallet/cbor.c):
 * RFC 8949 Appendix A examples it must accept and read back, and the
 * encodings it must refuse (truncation, non-shortest heads, indefinite
 * lengths, reserved additional information, tags, floats, lengths beyond
 * the buffer, trailing bytes, nesting deeper than CBOR_MAX_DEPTH), plus a
 * COSE_Key-shaped map read field by field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cbor.h"

#define CHECK(rc, ...)                                                                         \
    do {                                                                                       \
        static const uint8_t b_[] = { __VA_ARGS__ };                                           \
        assert_int_equal(cbor_check(b_, sizeof b_), rc);                                       \
    } while (0)

static void test_accept(void **state)
{
    (void)state;
    CHECK(0, 0x00);
    CHECK(0, 0x17);
    CHECK(0, 0x18, 0x18);
    CHECK(0, 0x19, 0x03, 0xe8);                                     /* 1000 */
    CHECK(0, 0x1b, 0x00, 0x00, 0x00, 0xe8, 0xd4, 0xa5, 0x10, 0x00); /* 1000000000000 */
    CHECK(0, 0x20);                                                 /* -1 */
    CHECK(0, 0x39, 0x03, 0xe7);                                     /* -1000 */
    CHECK(0, 0x40);
    CHECK(0, 0x44, 0x01, 0x02, 0x03, 0x04);
    CHECK(0, 0x64, 0x49, 0x45, 0x54, 0x46);                         /* "IETF" */
    CHECK(0, 0x83, 0x01, 0x82, 0x02, 0x03, 0x82, 0x04, 0x05);       /* [1,[2,3],[4,5]] */
    CHECK(0, 0xa2, 0x01, 0x02, 0x03, 0x04);                         /* {1:2,3:4} */
    CHECK(0, 0xf4);
    CHECK(0, 0xf5);
    CHECK(0, 0xf6);
}

static void test_reject(void **state)
{
    (void)state;
    assert_int_equal(cbor_check(NULL, 0), CBOR_E_MALFORMED);
    CHECK(CBOR_E_MALFORMED, 0x18);                         /* truncated argument */
    CHECK(CBOR_E_MALFORMED, 0x18, 0x17);                   /* 23 in two bytes */
    CHECK(CBOR_E_MALFORMED, 0x19, 0x00, 0xff);             /* 255 in three */
    CHECK(CBOR_E_MALFORMED, 0x1a, 0x00, 0x00, 0xff, 0xff);
    CHECK(CBOR_E_MALFORMED, 0x1b, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff);
    CHECK(CBOR_E_MALFORMED, 0x1c);                         /* reserved */
    CHECK(CBOR_E_MALFORMED, 0x5f, 0x41, 0x00, 0xff);       /* indefinite bytes */
    CHECK(CBOR_E_MALFORMED, 0x9f, 0xff);                   /* indefinite array */
    CHECK(CBOR_E_MALFORMED, 0x44, 0x01, 0x02);             /* string beyond the buffer */
    CHECK(CBOR_E_MALFORMED, 0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    CHECK(CBOR_E_MALFORMED, 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    CHECK(CBOR_E_MALFORMED, 0xa1, 0x01);                   /* map value missing */
    CHECK(CBOR_E_MALFORMED, 0x00, 0x00);                   /* trailing byte */
    CHECK(CBOR_E_UNSUPPORTED, 0xc2, 0x41, 0x01);           /* tag */
    CHECK(CBOR_E_UNSUPPORTED, 0xf9, 0x3c, 0x00);           /* half float */
    CHECK(CBOR_E_UNSUPPORTED, 0xfb, 0x3f, 0xf1, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a);
    CHECK(CBOR_E_UNSUPPORTED, 0xf7);                       /* undefined */
    CHECK(CBOR_E_UNSUPPORTED, 0xe0);                       /* simple(0) */
    /* nesting: 16 levels are fine, 17 are not */
    uint8_t deep[40];
    memset(deep, 0x81, sizeof deep);
    deep[CBOR_MAX_DEPTH] = 0x00;
    assert_int_equal(cbor_check(deep, CBOR_MAX_DEPTH + 1), 0);
    deep[CBOR_MAX_DEPTH] = 0x81;
    deep[CBOR_MAX_DEPTH + 1] = 0x00;
    assert_int_equal(cbor_check(deep, CBOR_MAX_DEPTH + 2), CBOR_E_DEPTH);
}

/* A COSE_Key (RFC 9053 §7.1.1, EC2 P-256): {1: 2, 3: -7, -1: 1, -2: x, -3: y} */
static void test_cose_key(void **state)
{
    (void)state;
    static const uint8_t h1[] = { 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20 };
    static const uint8_t h2[] = { 0x22, 0x58, 0x20 };
    uint8_t k[10 + 32 + 3 + 32];
    memcpy(k, h1, 10);
    memset(k + 10, 0xaa, 32);
    memcpy(k + 42, h2, 3);
    memset(k + 45, 0xbb, 32);
    cbor_reader r;
    size_t pairs = 0, len = 0;
    int64_t key, v;
    const uint8_t *p;
    assert_int_equal(cbor_check(k, sizeof k), 0);
    cbor_init(&r, k, sizeof k);
    assert_int_equal(cbor_read_map(&r, &pairs), 0);
    assert_int_equal(pairs, 5);
    assert_int_equal(cbor_read_int(&r, &key), 0);
    assert_int_equal(key, 1);
    assert_int_equal(cbor_read_int(&r, &v), 0);
    assert_int_equal(v, 2);
    assert_int_equal(cbor_read_int(&r, &key), 0);
    assert_int_equal(cbor_read_int(&r, &v), 0);
    assert_int_equal(v, -7);
    assert_int_equal(cbor_read_int(&r, &key), 0);
    assert_int_equal(key, -1);
    /* wrong type asked: refused, nothing consumed */
    assert_int_equal(cbor_read_bytes(&r, &p, &len), CBOR_E_TYPE);
    assert_int_equal(cbor_read_int(&r, &v), 0);
    assert_int_equal(v, 1);
    assert_int_equal(cbor_read_int(&r, &key), 0);
    assert_int_equal(key, -2);
    assert_int_equal(cbor_read_bytes(&r, &p, &len), 0);
    assert_int_equal(len, 32);
    assert_int_equal(p[0], 0xaa);
    assert_int_equal(cbor_read_int(&r, &key), 0);
    assert_int_equal(key, -3);
    assert_int_equal(cbor_skip(&r), 0);
    assert_int_equal(r.off, sizeof k);
    assert_int_equal(cbor_skip(&r), CBOR_E_MALFORMED); /* nothing left */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept),
        cmocka_unit_test(test_reject),
        cmocka_unit_test(test_cose_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
