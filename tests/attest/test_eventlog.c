/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_eventlog.c — unit tests of libqtpm-attest's TCG PC Client event log
 * parser and replay (src/attest/eventlog.c, qtpm/eventlog.h). The logs are
 * built here field by field (little-endian, PFP §10.2); the expected PCRs
 * are computed with qtpm_hash independently of the replay code. The CLI
 * test (tests/cli/cli_eventlog.sh) compares the same parser with
 * tpm2_eventlog; this one pins the error codes and every truncation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qtpm/classic.h"
#include "qtpm/eventlog.h"

typedef struct {
    uint8_t b[4096];
    size_t n;
} blob;

static void put(blob *l, const void *p, size_t n)
{
    assert_true(l->n + n <= sizeof l->b);
    memcpy(l->b + l->n, p, n);
    l->n += n;
}

static void put32(blob *l, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
    put(l, b, 4);
}

static void put16(blob *l, uint16_t v)
{
    uint8_t b[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
    put(l, b, 2);
}

/* The Spec ID Event03 header event listing algs[] with sizes[]. */
static void spec_id(blob *l, const uint16_t *algs, const uint16_t *sizes, uint32_t n)
{
    blob body = { .n = 0 };
    put(&body, "Spec ID Event03", 16);
    put32(&body, 0);
    uint8_t v[4] = { 0, 2, 0, 2 };
    put(&body, v, 4);
    put32(&body, n);
    for (uint32_t i = 0; i < n; i++) {
        put16(&body, algs[i]);
        put16(&body, sizes[i]);
    }
    uint8_t vendor = 0;
    put(&body, &vendor, 1);
    put32(l, 0);
    put32(l, QTPM_EV_NO_ACTION);
    uint8_t zero[20] = { 0 };
    put(l, zero, 20);
    put32(l, (uint32_t)body.n);
    put(l, body.b, body.n);
}

/* A TCG_PCR_EVENT2 of data with SHA-1 and SHA-256 digests of it. */
static void event2(blob *l, uint32_t pcr, uint32_t type, const char *data)
{
    uint8_t d1[20], d2[32];
    size_t n = strlen(data);
    assert_int_equal(qtpm_hash(QTPM_HASH_SHA1, (const uint8_t *)data, n, d1), 0);
    assert_int_equal(qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)data, n, d2), 0);
    put32(l, pcr);
    put32(l, type);
    put32(l, 2);
    put16(l, TPM_ALG_SHA1);
    put(l, d1, 20);
    put16(l, TPM_ALG_SHA256);
    put(l, d2, 32);
    put32(l, (uint32_t)n);
    put(l, data, n);
}

static const uint16_t two_algs[] = { TPM_ALG_SHA1, TPM_ALG_SHA256 };
static const uint16_t two_sizes[] = { 20, 32 };

/* PCR value after extending start with H(data) for each data (SHA-256). */
static void expect256(uint8_t start_last, const char *const *data, size_t n, uint8_t out[32])
{
    memset(out, 0, 32);
    out[31] = start_last;
    for (size_t i = 0; i < n; i++) {
        uint8_t buf[64];
        memcpy(buf, out, 32);
        assert_int_equal(qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)data[i], strlen(data[i]),
                                   buf + 32), 0);
        assert_int_equal(qtpm_hash(QTPM_HASH_SHA256, buf, 64, out), 0);
    }
}

static void agile_replay(void **state)
{
    (void)state;
    blob l = { .n = 0 };
    spec_id(&l, two_algs, two_sizes, 2);
    event2(&l, 0, QTPM_EV_S_CRTM_VERSION, "v1");
    event2(&l, 0, QTPM_EV_SEPARATOR, "sep");
    event2(&l, 7, QTPM_EV_SEPARATOR, "sep");
    qtpm_eventlog log;
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), 0);
    assert_true(log.agile);
    assert_int_equal(log.n_algs, 2);
    assert_int_equal(log.n_events, 4);
    assert_int_equal(log.events[3].pcr, 7);
    assert_int_equal(log.events[3].digest_count, 2);
    qtpm_evlog_pcrs p;
    assert_int_equal(qtpm_eventlog_replay(&log, &p), 0);
    assert_int_equal(p.n_banks, 2);
    assert_int_equal(p.banks[1].alg, TPM_ALG_SHA256);
    assert_int_equal(p.banks[1].used, 0x81);
    const char *pcr0[] = { "v1", "sep" }, *pcr7[] = { "sep" };
    uint8_t want[32];
    expect256(0, pcr0, 2, want);
    assert_memory_equal(p.banks[1].pcr[0], want, 32);
    expect256(0, pcr7, 1, want);
    assert_memory_equal(p.banks[1].pcr[7], want, 32);
    qtpm_eventlog_free(&log);
}

static void startup_locality_and_hcrtm(void **state)
{
    (void)state;
    blob l = { .n = 0 };
    spec_id(&l, two_algs, two_sizes, 2);
    /* StartupLocality 3: zero digests, not extended */
    put32(&l, 0);
    put32(&l, QTPM_EV_NO_ACTION);
    put32(&l, 2);
    uint8_t zero[32] = { 0 };
    put16(&l, TPM_ALG_SHA1);
    put(&l, zero, 20);
    put16(&l, TPM_ALG_SHA256);
    put(&l, zero, 32);
    put32(&l, 17);
    put(&l, "StartupLocality\0\3", 17);
    event2(&l, 0, QTPM_EV_POST_CODE, "post");
    qtpm_eventlog log;
    qtpm_evlog_pcrs p;
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), 0);
    assert_int_equal(qtpm_eventlog_replay(&log, &p), 0);
    const char *d[] = { "post" };
    uint8_t want[32];
    expect256(3, d, 1, want);
    assert_memory_equal(p.banks[1].pcr[0], want, 32);
    qtpm_eventlog_free(&log);

    /* an H-CRTM event starts PCR 0 at 4 */
    blob h = { .n = 0 };
    spec_id(&h, two_algs, two_sizes, 2);
    event2(&h, 0, QTPM_EV_EFI_HCRTM_EVENT, "HCRTM");
    assert_int_equal(qtpm_eventlog_parse(h.b, h.n, &log), 0);
    assert_int_equal(qtpm_eventlog_replay(&log, &p), 0);
    const char *hd[] = { "HCRTM" };
    expect256(4, hd, 1, want);
    assert_memory_equal(p.banks[1].pcr[0], want, 32);
    qtpm_eventlog_free(&log);
}

static void sha1_format(void **state)
{
    (void)state;
    blob l = { .n = 0 };
    for (int i = 0; i < 3; i++) {
        uint8_t d[20];
        assert_int_equal(qtpm_hash(QTPM_HASH_SHA1, (const uint8_t *)"x", 1, d), 0);
        put32(&l, (uint32_t)i);
        put32(&l, QTPM_EV_POST_CODE);
        put(&l, d, 20);
        put32(&l, 1);
        put(&l, "x", 1);
    }
    qtpm_eventlog log;
    qtpm_evlog_pcrs p;
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), 0);
    assert_false(log.agile);
    assert_int_equal(log.n_events, 3);
    assert_int_equal(qtpm_eventlog_replay(&log, &p), 0);
    assert_int_equal(p.n_banks, 1);
    assert_int_equal(p.banks[0].alg, TPM_ALG_SHA1);
    assert_int_equal(p.banks[0].used, 0x7);
    qtpm_eventlog_free(&log);
}

/* Every prefix of a good log parses only at an event boundary; elsewhere
 * it is EINVAL with a message, never a read past the end (ASan build). */
static void every_truncation(void **state)
{
    (void)state;
    blob l = { .n = 0 };
    spec_id(&l, two_algs, two_sizes, 2);
    size_t bounds[4];
    bounds[0] = l.n;
    event2(&l, 0, QTPM_EV_POST_CODE, "a");
    bounds[1] = l.n;
    event2(&l, 1, QTPM_EV_POST_CODE, "bcd");
    bounds[2] = l.n;
    event2(&l, 2, QTPM_EV_SEPARATOR, "");
    bounds[3] = l.n;
    for (size_t n = 0; n < l.n; n++) {
        uint8_t *copy = test_malloc(n ? n : 1);
        memcpy(copy, l.b, n);
        qtpm_eventlog log;
        int rc = qtpm_eventlog_parse(copy, n, &log);
        int boundary = n == bounds[0] || n == bounds[1] || n == bounds[2];
        if (boundary) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, QTPM_ATTEST_EINVAL);
            assert_true(log.error[0] != 0);
        }
        qtpm_eventlog_free(&log);
        test_free(copy);
    }
}

static void header_and_event_errors(void **state)
{
    (void)state;
    qtpm_eventlog log;
    blob l;
    /* an unknown algorithm (SM3 is not replayable either) */
    static const uint16_t unk[] = { TPM_ALG_SHA256, 0x7777 }, unk_sizes[] = { 32, 32 };
    l.n = 0;
    spec_id(&l, unk, unk_sizes, 2);
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), QTPM_ATTEST_EUNSUPP);
    assert_non_null(strstr(log.error, "0x7777"));
    qtpm_eventlog_free(&log);
    /* a wrong digest size */
    static const uint16_t bad_sizes[] = { 20, 20 };
    l.n = 0;
    spec_id(&l, two_algs, bad_sizes, 2);
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), QTPM_ATTEST_EUNSUPP);
    qtpm_eventlog_free(&log);
    /* nine algorithms */
    static const uint16_t nine[9] = { 4, 0xB, 0xC, 0xD, 0x27, 0x28, 0x29, 4, 0xB };
    static const uint16_t nine_sizes[9] = { 20, 32, 48, 64, 32, 48, 64, 20, 32 };
    l.n = 0;
    spec_id(&l, nine, nine_sizes, 9);
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), QTPM_ATTEST_ERANGE);
    qtpm_eventlog_free(&log);
    /* the same algorithm twice */
    static const uint16_t twice[] = { 0xB, 0xB }, twice_sizes[] = { 32, 32 };
    l.n = 0;
    spec_id(&l, twice, twice_sizes, 2);
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), QTPM_ATTEST_EINVAL);
    qtpm_eventlog_free(&log);
    /* a digest count other than the header's */
    l.n = 0;
    spec_id(&l, two_algs, two_sizes, 2);
    put32(&l, 0);
    put32(&l, QTPM_EV_POST_CODE);
    put32(&l, 1);
    uint8_t z[32] = { 0 };
    put16(&l, TPM_ALG_SHA256);
    put(&l, z, 32);
    put32(&l, 0);
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), QTPM_ATTEST_EINVAL);
    assert_non_null(strstr(log.error, "has 1 digests"));
    qtpm_eventlog_free(&log);
    /* a PCR index above 23 */
    l.n = 0;
    spec_id(&l, two_algs, two_sizes, 2);
    event2(&l, 24, QTPM_EV_POST_CODE, "x");
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), QTPM_ATTEST_EINVAL);
    qtpm_eventlog_free(&log);
    /* an event size of 4 GiB - 1 */
    l.n = 0;
    spec_id(&l, two_algs, two_sizes, 2);
    event2(&l, 0, QTPM_EV_POST_CODE, "x");
    memset(l.b + l.n - 5, 0xFF, 4);
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), QTPM_ATTEST_EINVAL);
    assert_non_null(strstr(log.error, "runs past the end"));
    qtpm_eventlog_free(&log);
    assert_int_equal(qtpm_eventlog_parse(NULL, 0, &log), QTPM_ATTEST_EINVAL);
    qtpm_eventlog_free(&log);
}

/* A log area padded with zeros after the last event parses; a non-zero
 * byte in the padding is an error. */
static void zero_padding(void **state)
{
    (void)state;
    blob l = { .n = 0 };
    spec_id(&l, two_algs, two_sizes, 2);
    event2(&l, 0, QTPM_EV_POST_CODE, "a");
    size_t end = l.n;
    uint8_t zero[100] = { 0 };
    put(&l, zero, sizeof zero);
    qtpm_eventlog log;
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), 0);
    assert_int_equal(log.n_events, 2);
    assert_int_equal(log.padding, 100);
    qtpm_eventlog_free(&log);
    l.b[end + 50] = 1;
    assert_int_equal(qtpm_eventlog_parse(l.b, l.n, &log), QTPM_ATTEST_EINVAL);
    qtpm_eventlog_free(&log);
    /* fewer than 8 zero bytes are a cut event header, not padding */
    assert_int_equal(qtpm_eventlog_parse(l.b, end + 7, &log), QTPM_ATTEST_EINVAL);
    qtpm_eventlog_free(&log);
    assert_int_equal(qtpm_eventlog_parse(l.b, end + 8, &log), 0);
    assert_int_equal(log.padding, 8);
    qtpm_eventlog_free(&log);
}

static void type_names(void **state)
{
    (void)state;
    assert_string_equal(qtpm_eventlog_type_name(QTPM_EV_SEPARATOR), "EV_SEPARATOR");
    assert_string_equal(qtpm_eventlog_type_name(0x80000002U), "EV_EFI_VARIABLE_BOOT");
    assert_null(qtpm_eventlog_type_name(0x12345678U));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(agile_replay),
        cmocka_unit_test(startup_locality_and_hcrtm),
        cmocka_unit_test(sha1_format),
        cmocka_unit_test(every_truncation),
        cmocka_unit_test(header_and_event_errors),
        cmocka_unit_test(zero_padding),
        cmocka_unit_test(type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
