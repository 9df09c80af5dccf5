/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_core.c — the engine's command framework and first commands:
 * Startup/Shutdown (reset, restart, resume), header and size errors,
 * GetCapability, GetRandom, the self tests, PCR_Read/Extend/Event/Reset,
 * ReadClock, password authorization, several TPMs in one process, and state
 * surviving qtpm_tpm_free + qtpm_tpm_new on the same directory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine_test.h"
#include "qtpm/classic.h"

static void test_needs_startup(void **state)
{
    (void)state;
    qtpm_tpm *tpm = new_mem_tpm();
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u16(&c, 8);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INITIALIZE);
    /* Startup(STATE) without a Shutdown(STATE) before it: value error on parameter 1 */
    assert_int_equal(startup(tpm, TPM_SU_STATE), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    assert_int_equal(startup(tpm, 7), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), TPM_RC_SUCCESS);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), TPM_RC_INITIALIZE);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SUCCESS);
    qtpm_tpm_free(tpm);
}

static void test_malformed_headers(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t rsp[QTPM_MAX_RESPONSE_SIZE];
    /* too short to be a header */
    uint8_t tiny[4] = {0x80, 0x01, 0, 0};
    size_t n = qtpm_tpm_execute(tpm, 0, tiny, sizeof(tiny), rsp, sizeof(rsp));
    assert_int_equal(n, 10);
    assert_int_equal((rsp[6] << 24) | (rsp[7] << 16) | (rsp[8] << 8) | rsp[9], TPM_RC_COMMAND_SIZE);

    cmdbuf c;
    rspbuf r;
    /* bad tag */
    cb_start(&c, 0x1234, TPM_CC_GetRandom);
    cb_u16(&c, 8);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_BAD_TAG);
    /* size field disagrees with the buffer */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u16(&c, 8);
    cb_finish(&c);
    c.b[5]++;
    n = qtpm_tpm_execute(tpm, 0, c.b, c.n, rsp, sizeof(rsp));
    assert_int_equal(n, 10);
    assert_int_equal(rsp[9] | (rsp[8] << 8), TPM_RC_COMMAND_SIZE);
    /* unknown command */
    cb_start(&c, TPM_ST_NO_SESSIONS, 0x00000999);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_COMMAND_CODE);
    /* parameter area too short, then too long */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT | TPM_RC_P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u16(&c, 8);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE);
    /* authorization missing for a command that needs it */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&c, 0);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_AUTH_MISSING);
    /* authorizationSize larger than what follows */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&c, 0);
    cb_u32(&c, 100);
    cb_u32(&c, TPM_RS_PW);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_AUTHSIZE);
    /* truncated handle area */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT);
    /* every prefix of a valid command gets a well-formed error */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&c, 3);
    cb_pw(&c, "");
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    for (int i = 0; i < 32; i++)
        cb_u8(&c, (uint8_t)i);
    cb_finish(&c);
    for (size_t len = 0; len < c.n; len++) {
        uint8_t tmp[QTPM_MAX_COMMAND_SIZE];
        memcpy(tmp, c.b, len);
        if (len >= 6) {
            tmp[2] = 0;
            tmp[3] = 0;
            tmp[4] = (uint8_t)(len >> 8);
            tmp[5] = (uint8_t)len;
        }
        n = qtpm_tpm_execute(tpm, 0, tmp, len, rsp, sizeof(rsp));
        assert_int_equal(n, 10);
        assert_int_not_equal(rsp[9] | (rsp[8] << 8), 0);
    }
    qtpm_tpm_free(tpm);
}

static void test_get_random(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u16(&c, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    const uint8_t *a = rb_2b(&r, &n);
    assert_int_equal(n, 32);
    uint8_t first[32];
    memcpy(first, a, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    const uint8_t *b = rb_2b(&r, &n);
    assert_memory_not_equal(first, b, 32);
    /* more than a digest is cut to 64 bytes */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u16(&c, 1000);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_2b(&r, &n);
    assert_int_equal(n, 64);
    qtpm_tpm_free(tpm);
}

static void test_self_test(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_SelfTest);
    cb_u8(&c, 1);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_SelfTest);
    cb_u8(&c, 2);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_IncrementalSelfTest);
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(rb_u32(&r), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetTestResult);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    rb_2b(&r, &n);
    assert_int_equal(rb_u32(&r), 0);
    qtpm_tpm_free(tpm);
}

/* GetCapability(TPM_PROPERTIES) for one property; returns its value. */
static uint32_t get_property(qtpm_tpm *tpm, uint32_t pt)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_TPM_PROPERTIES);
    cb_u32(&c, pt);
    cb_u32(&c, 1);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    assert_int_equal(rb_u32(&r), TPM_CAP_TPM_PROPERTIES);
    assert_int_equal(rb_u32(&r), 1);
    assert_int_equal(rb_u32(&r), pt);
    return rb_u32(&r);
}

static void test_get_capability(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    assert_int_equal(get_property(tpm, TPM_PT_MANUFACTURER), 0x5154504D);
    assert_int_equal(get_property(tpm, TPM_PT_VENDOR_STRING_1), 0x7174706D); /* "qtpm" */
    assert_int_equal(get_property(tpm, TPM_PT_MAX_COMMAND_SIZE), 8192);
    assert_int_equal(get_property(tpm, TPM_PT_MAX_RESPONSE_SIZE), 8192);
    assert_int_equal(get_property(tpm, TPM_PT_PCR_COUNT), 24);
    assert_int_equal(get_property(tpm, TPM_PT_FAMILY_INDICATOR), 0x322E3000);

    cmdbuf c;
    rspbuf r;
    /* all fixed properties in one go: moreData = 1 when cut short */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_TPM_PROPERTIES);
    cb_u32(&c, TPM_PT_FAMILY_INDICATOR);
    cb_u32(&c, 3);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(rb_u8(&r), 1);
    rb_u32(&r);
    assert_int_equal(rb_u32(&r), 3);

    /* algorithms: SHA-256 and RSA are there */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_ALGS);
    cb_u32(&c, 0);
    cb_u32(&c, 100);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(rb_u8(&r), 0);
    assert_int_equal(rb_u32(&r), TPM_CAP_ALGS);
    uint32_t n = rb_u32(&r);
    int sha256 = 0, rsa = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t alg = rb_u16(&r);
        rb_u32(&r);
        sha256 |= alg == TPM_ALG_SHA256;
        rsa |= alg == TPM_ALG_RSA;
    }
    assert_true(sha256 && rsa);

    /* commands: ascending (by code: the vendor-specific ones, V set, after
     * the library's), Startup among them, attributes carry the code */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_COMMANDS);
    cb_u32(&c, TPM_CC_FIRST);
    cb_u32(&c, 200);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    rb_u32(&r);
    n = rb_u32(&r);
    assert_true(n > 20);
    uint32_t prev = 0;
    int has_startup = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ra = rb_u32(&r);
        uint32_t a = (ra & TPMA_CC_V ? 0x10000u : 0) | (ra & 0xFFFF);
        assert_true(a > prev);
        prev = a;
        has_startup |= a == TPM_CC_Startup;
    }
    assert_true(has_startup);

    /* PCR allocation lists the seven banks (SHA-1, SHA-2, SHA-3) */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_PCRS);
    cb_u32(&c, 0);
    cb_u32(&c, 1);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    rb_u32(&r);
    assert_int_equal(rb_u32(&r), 7);
    assert_int_equal(rb_u16(&r), TPM_ALG_SHA1);

    /* handles: the PCRs as handles, permanent handles */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_HANDLES);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 10);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    rb_u32(&r);
    assert_true(rb_u32(&r) >= 4);
    assert_int_equal(rb_u32(&r), TPM_RH_OWNER);

    /* unknown capability */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, 0x77);
    cb_u32(&c, 0);
    cb_u32(&c, 1);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    qtpm_tpm_free(tpm);
}

/* The TPM_PT_HR_* counts follow what is loaded: sequences (transient
 * slots), HMAC and policy sessions, NV indices. */
static void test_handle_counts(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    assert_int_equal(get_property(tpm, TPM_PT_HR_TRANSIENT_AVAIL), 16);
    assert_int_equal(get_property(tpm, TPM_PT_HR_LOADED), 0);
    assert_int_equal(get_property(tpm, TPM_PT_HR_NV_INDEX), 0);
    assert_int_equal(get_property(tpm, TPM_PT_HR_PERSISTENT), 0);
    assert_int_equal(get_property(tpm, TPM_PT_HR_PERSISTENT_AVAIL), 16);
    for (int i = 0; i < 3; i++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
        cb_2b(&c, "pw", 2);
        cb_u16(&c, TPM_ALG_SHA256);
        assert_int_equal(run(tpm, &c, &r), 0);
    }
    assert_int_equal(get_property(tpm, TPM_PT_HR_TRANSIENT_AVAIL), 13);
    const uint8_t types[] = {TPM_SE_HMAC, TPM_SE_POLICY, TPM_SE_TRIAL};
    for (int i = 0; i < 3; i++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
        cb_u32(&c, TPM_RH_NULL);
        cb_u32(&c, TPM_RH_NULL);
        cb_u16(&c, 16);
        for (int j = 0; j < 16; j++)
            cb_u8(&c, (uint8_t)j);
        cb_u16(&c, 0);
        cb_u8(&c, types[i]);
        cb_u16(&c, TPM_ALG_NULL);
        cb_u16(&c, TPM_ALG_SHA256);
        assert_int_equal(run(tpm, &c, &r), 0);
    }
    assert_int_equal(get_property(tpm, TPM_PT_HR_LOADED), 3);
    assert_int_equal(get_property(tpm, TPM_PT_HR_LOADED_AVAIL), 13);
    assert_int_equal(get_property(tpm, TPM_PT_HR_ACTIVE), 3);
    for (uint32_t i = 0; i < 2; i++) {
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
        cb_u32(&c, TPM_RH_OWNER);
        cb_pw(&c, "");
        cb_u16(&c, 0);
        cb_u16(&c, 14);
        cb_u32(&c, 0x01500000 + i);
        cb_u16(&c, TPM_ALG_SHA256);
        cb_u32(&c, TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD);
        cb_u16(&c, 0);
        cb_u16(&c, 8);
        assert_int_equal(run(tpm, &c, &r), 0);
    }
    assert_int_equal(get_property(tpm, TPM_PT_HR_NV_INDEX), 2);
    assert_int_equal(get_property(tpm, TPM_PT_NV_COUNTERS_AVAIL), 30);
    assert_int_equal(get_property(tpm, TPM_PT_HR_TRANSIENT_AVAIL), 13);
    qtpm_tpm_free(tpm);
}

/* Reads one PCR of one bank; returns the digest size. */
static size_t pcr_read(qtpm_tpm *tpm, uint16_t alg, unsigned pcr, uint8_t *out)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&c, 1);
    cb_u16(&c, alg);
    cb_u8(&c, 3);
    uint8_t sel[3] = {0};
    sel[pcr / 8] = (uint8_t)(1u << (pcr % 8));
    cb_bytes(&c, sel, 3);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r); /* update counter */
    assert_int_equal(rb_u32(&r), 1);
    assert_int_equal(rb_u16(&r), alg);
    assert_int_equal(rb_u8(&r), 3);
    assert_memory_equal(rb_bytes(&r, 3), sel, 3);
    assert_int_equal(rb_u32(&r), 1);
    uint16_t n;
    const uint8_t *d = rb_2b(&r, &n);
    memcpy(out, d, n);
    return n;
}

static uint32_t pcr_extend(qtpm_tpm *tpm, unsigned pcr, const uint8_t digest[32])
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&c, pcr);
    cb_pw(&c, "");
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_bytes(&c, digest, 32);
    return run(tpm, &c, &r);
}

static void test_pcr_extend_read(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t v[64], expect[32], d[32];
    assert_int_equal(pcr_read(tpm, TPM_ALG_SHA256, 0, v), 32);
    memset(expect, 0, 32);
    assert_memory_equal(v, expect, 32);
    /* PCR 17 starts as all ones (locality-4 PCR) */
    assert_int_equal(pcr_read(tpm, TPM_ALG_SHA1, 17, v), 20);
    memset(expect, 0xFF, 20);
    assert_memory_equal(v, expect, 20);

    for (int i = 0; i < 32; i++)
        d[i] = (uint8_t)i;
    assert_int_equal(pcr_extend(tpm, 0, d), 0);
    uint8_t cat[64];
    memset(cat, 0, 32);
    memcpy(cat + 32, d, 32);
    qtpm_hash(QTPM_HASH_SHA256, cat, 64, expect);
    pcr_read(tpm, TPM_ALG_SHA256, 0, v);
    assert_memory_equal(v, expect, 32);
    /* the SHA-1 bank was not named, so it is unchanged */
    pcr_read(tpm, TPM_ALG_SHA1, 0, v);
    memset(cat, 0, 20);
    assert_memory_equal(v, cat, 20);

    /* PCR_Event extends every allocated bank (four by default) with H(event)
     * and returns those four digests. */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
    cb_u32(&c, 5);
    cb_pw(&c, "");
    cb_2b(&c, "event", 5);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r); /* parameterSize */
    assert_int_equal(rb_u32(&r), 4);
    assert_int_equal(rb_u16(&r), TPM_ALG_SHA1);
    uint8_t h1[20], zero[20] = {0}, x[40];
    qtpm_hash(QTPM_HASH_SHA1, (const uint8_t *)"event", 5, h1);
    assert_memory_equal(rb_bytes(&r, 20), h1, 20);
    memcpy(x, zero, 20);
    memcpy(x + 20, h1, 20);
    qtpm_hash(QTPM_HASH_SHA1, x, 40, expect);
    pcr_read(tpm, TPM_ALG_SHA1, 5, v);
    assert_memory_equal(v, expect, 20);

    /* PCR handle out of range */
    assert_int_equal(pcr_extend(tpm, 24, d), TPM_RC_VALUE | TPM_RC_1);
    /* unknown hash in the digest list */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&c, 1);
    cb_pw(&c, "");
    cb_u32(&c, 1);
    cb_u16(&c, 0x0099);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | TPM_RC_P | TPM_RC_1);

    /* reset: 16 may be reset, 0 may not */
    assert_int_equal(pcr_extend(tpm, 16, d), 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Reset);
    cb_u32(&c, 16);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), 0);
    pcr_read(tpm, TPM_ALG_SHA256, 16, v);
    memset(expect, 0, 32);
    assert_memory_equal(v, expect, 32);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Reset);
    cb_u32(&c, 0);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), TPM_RC_LOCALITY);
    qtpm_tpm_free(tpm);
}

/* Shutdown(STATE) + Startup(STATE) keeps PCRs; Startup(CLEAR) resets them. */
static void test_resume(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t d[32], before[32], after[32], zero[32] = {0};
    memset(d, 0xAB, 32);
    assert_int_equal(pcr_extend(tpm, 3, d), 0);
    assert_int_equal(pcr_extend(tpm, 16, d), 0);
    pcr_read(tpm, TPM_ALG_SHA256, 3, before);
    assert_int_equal(shutdown(tpm, TPM_SU_STATE), 0);
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_STATE), 0);
    pcr_read(tpm, TPM_ALG_SHA256, 3, after);
    assert_memory_equal(before, after, 32);
    /* PCR 16 is not saved */
    pcr_read(tpm, TPM_ALG_SHA256, 16, after);
    assert_memory_equal(after, zero, 32);

    /* a second Startup(STATE) needs another Shutdown(STATE) */
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_STATE), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    pcr_read(tpm, TPM_ALG_SHA256, 3, after);
    assert_memory_equal(after, zero, 32);
    qtpm_tpm_free(tpm);
}

/* ReadClock: restartCount counts restarts and resumes, resetCount resets. */
static void test_read_clock(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u64(&r);
    uint64_t clock1 = rb_u64(&r);
    uint32_t resets = rb_u32(&r);
    assert_int_equal(rb_u32(&r), 0);
    assert_int_equal(rb_u8(&r), 1);
    usleep(20000);
    assert_int_equal(shutdown(tpm, TPM_SU_STATE), 0);
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0); /* TPM Restart */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u64(&r);
    assert_true(rb_u64(&r) >= clock1 + 15);
    assert_int_equal(rb_u32(&r), resets);
    assert_int_equal(rb_u32(&r), 1);

    /* ClockSet may not go backwards */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ClockSet);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u64(&c, 1);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ClockSet);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u64(&c, 1ull << 40);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u64(&r);
    assert_true(rb_u64(&r) >= 1ull << 40);
    rb_u32(&r);
    rb_u32(&r);
    assert_int_equal(rb_u8(&r), 1);

    /* A cycle without Shutdown: Clock may resume below a value already
     * reported, so safe is NO (Part 2 §10.11.1) until Clock is stored at
     * its next update point (here ClockSet jumps past it). */
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u64(&r);
    rb_u64(&r);
    rb_u32(&r);
    rb_u32(&r);
    assert_int_equal(rb_u8(&r), 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ClockSet);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u64(&c, (1ull << 40) + 10000);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u64(&r);
    rb_u64(&r);
    rb_u32(&r);
    rb_u32(&r);
    assert_int_equal(rb_u8(&r), 1);
    qtpm_tpm_free(tpm);
}

static uint32_t change_owner_auth(qtpm_tpm *tpm, const char *old, const char *new_auth)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, old);
    cb_2b(&c, new_auth, (uint16_t)strlen(new_auth));
    return run(tpm, &c, &r);
}

static void test_password_auth(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    assert_int_equal(change_owner_auth(tpm, "", "secret"), 0);
    /* hierarchies are not DA-protected: TPM_RC_BAD_AUTH for session 1 */
    assert_int_equal(change_owner_auth(tpm, "wrong", "x"), TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
    assert_int_equal(change_owner_auth(tpm, "", "x"), TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
    /* trailing zeros do not matter (Part 1 §19.6.4) */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    c.auth_at = c.n;
    cb_u32(&c, 4 + 2 + 1 + 2 + 8);
    cb_u32(&c, TPM_RS_PW);
    cb_u16(&c, 0);
    cb_u8(&c, 1);
    cb_2b(&c, "secret\0\0", 8);
    cb_2b(&c, "", 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(change_owner_auth(tpm, "", ""), 0);
    /* The answer to a password session always has continueSession SET,
     * whatever the caller sent (the password session is never closed; the
     * reference code, libtpms and so swtpm answer 01 for a command's 00). */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    c.auth_at = c.n;
    cb_u32(&c, 4 + 2 + 1 + 2);
    cb_u32(&c, TPM_RS_PW);
    cb_u16(&c, 0);
    cb_u8(&c, 0);
    cb_u16(&c, 0);
    cb_2b(&c, "", 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    /* header, parameterSize 0, then TPMS_AUTH_RESPONSE: nonce, attributes, hmac */
    assert_int_equal(r.n, 10 + 4 + 2 + 1 + 2);
    assert_int_equal(r.b[16], 0x01);
    /* a password session may not carry a nonce */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 4 + 2 + 4 + 1 + 2);
    cb_u32(&c, TPM_RS_PW);
    cb_2b(&c, "abcd", 4);
    cb_u8(&c, 1);
    cb_u16(&c, 0);
    cb_2b(&c, "", 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_NONCE | TPM_RC_S | TPM_RC_1);
    /* an unloaded session handle */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 4 + 2 + 1 + 2);
    cb_u32(&c, 0x02000055);
    cb_u16(&c, 0);
    cb_u8(&c, 1);
    cb_u16(&c, 0);
    cb_2b(&c, "", 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_REFERENCE_S0);
    qtpm_tpm_free(tpm);
}

/* Two TPMs in one process do not share anything. */
static void test_two_instances(void **state)
{
    (void)state;
    qtpm_tpm *a = started_tpm();
    qtpm_tpm *b = started_tpm();
    uint8_t d[32], va[32], vb[32], zero[32] = {0};
    memset(d, 1, 32);
    assert_int_equal(pcr_extend(a, 7, d), 0);
    pcr_read(a, TPM_ALG_SHA256, 7, va);
    pcr_read(b, TPM_ALG_SHA256, 7, vb);
    assert_memory_not_equal(va, vb, 32);
    assert_memory_equal(vb, zero, 32);
    assert_int_equal(change_owner_auth(a, "", "pa"), 0);
    assert_int_equal(change_owner_auth(b, "", "pb"), 0);
    assert_int_equal(change_owner_auth(a, "pb", "x"), TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
    assert_int_equal(change_owner_auth(b, "pb", ""), 0);
    qtpm_tpm_free(a);
    qtpm_tpm_free(b);
}

static qtpm_tpm *dir_tpm(const char *dir)
{
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(qtpm_store_dir(&cfg.store, dir), 0);
    cfg.powered_on = 1;
    qtpm_tpm *tpm = NULL;
    assert_int_equal(qtpm_tpm_new(&tpm, &cfg), 0);
    return tpm;
}

/* State survives qtpm_tpm_free + qtpm_tpm_new on the same directory. */
static void test_persistence(void **state)
{
    (void)state;
    char dir[] = "/tmp/qtpm-engine-test-XXXXXX";
    assert_non_null(mkdtemp(dir));
    qtpm_tpm *tpm = dir_tpm(dir);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(change_owner_auth(tpm, "", "kept"), 0);
    uint8_t d[32], before[32], after[32];
    memset(d, 7, 32);
    assert_int_equal(pcr_extend(tpm, 2, d), 0);
    pcr_read(tpm, TPM_ALG_SHA256, 2, before);
    assert_int_equal(shutdown(tpm, TPM_SU_STATE), 0);
    qtpm_tpm_free(tpm);

    tpm = dir_tpm(dir);
    /* the owner password survived; so did the saved PCRs */
    assert_int_equal(startup(tpm, TPM_SU_STATE), 0);
    pcr_read(tpm, TPM_ALG_SHA256, 2, after);
    assert_memory_equal(before, after, 32);
    assert_int_equal(change_owner_auth(tpm, "", "x"), TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
    assert_int_equal(change_owner_auth(tpm, "kept", ""), 0);
    qtpm_tpm_free(tpm);

    /* no temp file left behind; the state blob is there */
    char path[256];
    snprintf(path, sizeof(path), "%s/state.tmp", dir);
    assert_int_not_equal(access(path, F_OK), 0);
    snprintf(path, sizeof(path), "%s/state", dir);
    assert_int_equal(access(path, F_OK), 0);
    /* a corrupted state blob is refused rather than half-loaded */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fputs("XXXX", f);
    fclose(f);
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    assert_int_equal(qtpm_store_dir(&cfg.store, dir), 0);
    qtpm_tpm *bad = NULL;
    assert_true(qtpm_tpm_new(&bad, &cfg) < 0);
    assert_null(bad);
    cfg.store.close(cfg.store.ctx);
    unlink(path);
    rmdir(dir);
}

/* Malformed input: valid commands with random bytes changed, truncated or
 * extended must each get one well-formed response, and the TPM must keep
 * working (under ASan this also shows nothing is over-read). */
static uint32_t xorshift(uint32_t *st)
{
    uint32_t x = *st;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *st = x;
}

static void test_mutated_commands(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf seeds[6];
    cb_start(&seeds[0], TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&seeds[0], TPM_CAP_TPM_PROPERTIES);
    cb_u32(&seeds[0], TPM_PT_FAMILY_INDICATOR);
    cb_u32(&seeds[0], 50);
    cb_start(&seeds[1], TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&seeds[1], 4);
    cb_pw(&seeds[1], "");
    cb_u32(&seeds[1], 2);
    cb_u16(&seeds[1], TPM_ALG_SHA1);
    for (int i = 0; i < 20; i++)
        cb_u8(&seeds[1], (uint8_t)i);
    cb_u16(&seeds[1], TPM_ALG_SHA256);
    for (int i = 0; i < 32; i++)
        cb_u8(&seeds[1], (uint8_t)i);
    cb_start(&seeds[2], TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&seeds[2], 2);
    cb_u16(&seeds[2], TPM_ALG_SHA256);
    cb_u8(&seeds[2], 3);
    cb_u8(&seeds[2], 0xFF);
    cb_u8(&seeds[2], 0xFF);
    cb_u8(&seeds[2], 0xFF);
    cb_u16(&seeds[2], TPM_ALG_SHA1);
    cb_u8(&seeds[2], 3);
    cb_u8(&seeds[2], 1);
    cb_u8(&seeds[2], 0);
    cb_u8(&seeds[2], 0);
    /* CreatePrimary of an ECC key (cheap to generate) */
    cb_start(&seeds[3], TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&seeds[3], TPM_RH_NULL);
    cb_pw(&seeds[3], "");
    cb_u16(&seeds[3], 4);
    cb_u16(&seeds[3], 0);
    cb_u16(&seeds[3], 0);
    static const uint8_t ecc_tmpl[] = {0x00, 0x23, 0x00, 0x0B, 0x00, 0x03, 0x00, 0x72, 0x00, 0x00,
                                       0x00, 0x06, 0x00, 0x80, 0x00, 0x43, 0x00, 0x10, 0x00, 0x03,
                                       0x00, 0x10, 0x00, 0x00, 0x00, 0x00};
    cb_2b(&seeds[3], ecc_tmpl, sizeof(ecc_tmpl));
    cb_u16(&seeds[3], 0);
    cb_u32(&seeds[3], 0);
    cb_start(&seeds[4], TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&seeds[4], TPM_RH_NULL);
    cb_u32(&seeds[4], TPM_RH_NULL);
    cb_u16(&seeds[4], 16);
    for (int i = 0; i < 16; i++)
        cb_u8(&seeds[4], (uint8_t)i);
    cb_u16(&seeds[4], 0);
    cb_u8(&seeds[4], TPM_SE_POLICY);
    cb_u16(&seeds[4], TPM_ALG_AES);
    cb_u16(&seeds[4], 128);
    cb_u16(&seeds[4], TPM_ALG_CFB);
    cb_u16(&seeds[4], TPM_ALG_SHA256);
    cb_start(&seeds[5], TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
    cb_u32(&seeds[5], TPM_RH_OWNER);
    cb_pw(&seeds[5], "");
    cb_2b(&seeds[5], "pw", 2);
    cb_u16(&seeds[5], 14);
    cb_u32(&seeds[5], 0x01000001);
    cb_u16(&seeds[5], TPM_ALG_SHA256);
    cb_u32(&seeds[5], 0x00060006);
    cb_u16(&seeds[5], 0);
    cb_u16(&seeds[5], 8);
    /* every seed is a valid command */
    for (int i = 0; i < 6; i++) {
        rspbuf r;
        cmdbuf copy = seeds[i];
        assert_int_equal(run(tpm, &copy, &r), 0);
        seeds[i] = copy;
    }

    uint32_t st = 0x12345678;
    uint8_t buf[QTPM_MAX_COMMAND_SIZE + 16], rsp[QTPM_MAX_RESPONSE_SIZE];
    for (int iter = 0; iter < 3000; iter++) {
        const cmdbuf *s = &seeds[xorshift(&st) % 6];
        size_t n = s->n;
        memcpy(buf, s->b, n);
        unsigned kind = xorshift(&st) % 4;
        unsigned flips = 1 + xorshift(&st) % 4;
        for (unsigned f = 0; f < flips; f++) {
            size_t at = 6 + xorshift(&st) % (n - 6); /* keep tag and size mostly */
            buf[at] ^= (uint8_t)(1u << (xorshift(&st) % 8));
        }
        if (kind == 1 && n > 11)
            n = 10 + xorshift(&st) % (n - 10); /* truncate */
        else if (kind == 2)
            for (unsigned k = xorshift(&st) % 8; k > 0; k--)
                buf[n++] = (uint8_t)xorshift(&st); /* extend */
        if (kind != 3) {
            buf[2] = (uint8_t)(n >> 24);
            buf[3] = (uint8_t)(n >> 16);
            buf[4] = (uint8_t)(n >> 8);
            buf[5] = (uint8_t)n;
        }
        size_t rn = qtpm_tpm_execute(tpm, 0, buf, n, rsp, sizeof(rsp));
        assert_true(rn >= 10 && rn <= QTPM_MAX_RESPONSE_SIZE);
        size_t said = ((size_t)rsp[2] << 24) | ((size_t)rsp[3] << 16) | ((size_t)rsp[4] << 8) | rsp[5];
        assert_int_equal(said, rn);
        /* flush whatever a mutated command may have created */
        if (iter % 50 == 0) {
            cmdbuf c;
            rspbuf r;
            for (uint32_t h = 0; h < 16; h++) {
                cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
                cb_u32(&c, 0x80000000u + h);
                run(tpm, &c, &r);
            }
        }
    }
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u16(&c, 8);
    assert_int_equal(run(tpm, &c, &r), 0);
    qtpm_tpm_free(tpm);
}

/* Command audit: the digest chains H(cpHash || rpHash) of each audited
 * command (Part 1 §33.2), recomputed here independently. */
static void audit_extend(uint8_t digest[32], uint32_t cc, const uint8_t *names, size_t nl,
                         const uint8_t *params, size_t pl, const uint8_t *rsp_params, size_t rl)
{
    uint8_t buf[1024], cp[32], rp[32];
    size_t n = 0;
    buf[n++] = (uint8_t)(cc >> 24);
    buf[n++] = (uint8_t)(cc >> 16);
    buf[n++] = (uint8_t)(cc >> 8);
    buf[n++] = (uint8_t)cc;
    if (nl)
        memcpy(buf + n, names, nl);
    n += nl;
    if (pl)
        memcpy(buf + n, params, pl);
    n += pl;
    qtpm_hash(QTPM_HASH_SHA256, buf, n, cp);
    n = 0;
    memset(buf, 0, 4);
    n = 4;
    buf[n++] = (uint8_t)(cc >> 24);
    buf[n++] = (uint8_t)(cc >> 16);
    buf[n++] = (uint8_t)(cc >> 8);
    buf[n++] = (uint8_t)cc;
    if (rl)
        memcpy(buf + n, rsp_params, rl);
    n += rl;
    qtpm_hash(QTPM_HASH_SHA256, buf, n, rp);
    memcpy(buf, digest, 32);
    memcpy(buf + 32, cp, 32);
    memcpy(buf + 64, rp, 32);
    qtpm_hash(QTPM_HASH_SHA256, buf, 96, digest);
}

static void test_command_audit(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    uint8_t expect[32] = {0};
    uint8_t owner[4] = {0x40, 0, 0, 1};
    /* choose SHA-256: this command is itself audited with the new algorithm */
    uint8_t p1[] = {0x00, 0x0B, 0, 0, 0, 0, 0, 0, 0, 0};
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SetCommandCodeAuditStatus);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_bytes(&c, p1, sizeof(p1));
    assert_int_equal(run(tpm, &c, &r), 0);
    audit_extend(expect, TPM_CC_SetCommandCodeAuditStatus, owner, 4, p1, sizeof(p1), NULL, 0);
    /* add GetRandom to the audited list */
    uint8_t p2[] = {0x00, 0x10, 0, 0, 0, 1, 0, 0, 0x01, 0x7B, 0, 0, 0, 0};
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SetCommandCodeAuditStatus);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_bytes(&c, p2, sizeof(p2));
    assert_int_equal(run(tpm, &c, &r), 0);
    audit_extend(expect, TPM_CC_SetCommandCodeAuditStatus, owner, 4, p2, sizeof(p2), NULL, 0);
    uint8_t p3[] = {0, 8};
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_bytes(&c, p3, 2);
    assert_int_equal(run(tpm, &c, &r), 0);
    audit_extend(expect, TPM_CC_GetRandom, NULL, 0, p3, 2, r.b + 10, r.n - 10);

    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_GetCommandAuditDigest);
    cb_u32(&c, TPM_RH_ENDORSEMENT);
    cb_u32(&c, TPM_RH_NULL);
    cb_pw(&c, "");
    cb_pw(&c, "");
    cb_u16(&c, 0);
    cb_u16(&c, TPM_ALG_NULL);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    rb_u16(&r);
    assert_int_equal(rb_u32(&r), 0xFF544347);
    assert_int_equal(rb_u16(&r), TPM_ST_ATTEST_COMMAND_AUDIT);
    uint16_t n;
    rb_2b(&r, &n);
    rb_2b(&r, &n);
    rb_bytes(&r, 17 + 8);
    assert_int_equal(rb_u64(&r), 1);
    assert_int_equal(rb_u16(&r), TPM_ALG_SHA256);
    const uint8_t *d = rb_2b(&r, &n);
    assert_int_equal(n, 32);
    assert_memory_equal(d, expect, 32);
    uint8_t list[8] = {0, 0, 0x01, 0x40, 0, 0, 0x01, 0x7B}, cd[32];
    qtpm_hash(QTPM_HASH_SHA256, list, 8, cd);
    d = rb_2b(&r, &n);
    assert_memory_equal(d, cd, 32);
    /* the list is visible through GetCapability */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_AUDIT_COMMANDS);
    cb_u32(&c, TPM_CC_FIRST);
    cb_u32(&c, 10);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    rb_u32(&r);
    assert_int_equal(rb_u32(&r), 1);
    assert_int_equal(rb_u32(&r), TPM_CC_GetRandom);
    qtpm_tpm_free(tpm);
}

/* Parameter numbers in the response codes of Hash and HashSequenceStart
 * (Part 2 §6.6.3), which sym.c now numbers as it reads (tpm_params): each
 * malformed parameter names itself, and a value check between two reads
 * fires before the next parameter is read. */
static void test_param_numbers(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    const TPM_RC P = TPM_RC_P;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT | P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_u16(&c, MAX_DIGEST_BUFFER + 1);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT | P | TPM_RC_2);
    /* an unknown hash is reported before the missing hierarchy */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, 0x7777);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | P | TPM_RC_2);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u16(&c, 0x4000);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT | P | TPM_RC_3);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPM_RH_LOCKOUT);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | P | TPM_RC_3);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPM_RH_OWNER);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SUCCESS);

    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
    cb_u16(&c, 65);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
    cb_2b(&c, "pw", 2);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT | P | TPM_RC_2);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
    cb_2b(&c, "pw", 2);
    cb_u16(&c, 0x7777);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | P | TPM_RC_2);
    qtpm_tpm_free(tpm);
}

/* The typed commands (issue 11): dispatch unmarshals their parameters into
 * NAME_In with the shared module, so each malformed parameter carries its
 * number, a type's rule (TPMI_YES_NO, TPM_CLOCK_ADJUST, TPMI_ALG_HASH of the
 * profile, TPMA_NV reserved bits) answers as Part 2 says, and bytes after the
 * last parameter are TPM_RC_SIZE (Part 3 §5.6) with no number. */
static void test_typed_params(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    const TPM_RC P = TPM_RC_P;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT | P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u16(&c, 8);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_SelfTest);
    cb_u8(&c, 2);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StirRandom);
    cb_u16(&c, MAX_SYM_DATA + 1);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | P | TPM_RC_1);
    /* PCR_Read: a hash the TPM lacks, a sizeofSelect below the minimum */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&c, 1);
    cb_u16(&c, 0x7777);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | P | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&c, HASH_COUNT + 1);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | P | TPM_RC_1);
    /* ClockRateAdjust(4) is outside TPM_CLOCK_ADJUST */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ClockRateAdjust);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u8(&c, 4);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | P | TPM_RC_1);
    /* NV_DefineSpace: auth too long (1), reserved TPMA_NV bits (2), a
     * public area that is not an NV index (2), trailing bytes */
    uint8_t pub[64];
    size_t np;
    for (int k = 0; k < 4; k++) {
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
        cb_u32(&c, TPM_RH_OWNER);
        cb_pw(&c, "");
        uint8_t auth[65] = {0};
        cb_2b(&c, auth, k == 0 ? 65 : 4);
        cmdbuf t;
        t.n = 0;
        cb_u32(&t, k == 2 ? 0x81000001u : 0x01500001u);
        cb_u16(&t, TPM_ALG_SHA256);
        cb_u32(&t, TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | (k == 1 ? 0x00000100u : 0));
        cb_u16(&t, 0);
        cb_u16(&t, 8);
        np = t.n;
        memcpy(pub, t.b, np);
        cb_2b(&c, pub, (uint16_t)np);
        if (k == 3)
            cb_u8(&c, 0);
        TPM_RC want[] = {TPM_RC_SIZE | P | TPM_RC_1, TPM_RC_RESERVED_BITS | P | TPM_RC_2,
                         TPM_RC_VALUE | P | TPM_RC_2, TPM_RC_SIZE};
        assert_int_equal(run(tpm, &c, &r), want[k]);
    }
    qtpm_tpm_free(tpm);
}

/* Starts a Quote or SetCommandCodeAuditStatus with one empty password
 * authorization for handle h (test_typed_attest_params). */
static void cb_auth_one(cmdbuf *c, uint32_t cc, uint32_t h)
{
    cb_start(c, TPM_ST_SESSIONS, cc);
    cb_u32(c, h);
    cb_pw(c, "");
}

/* A TPML_PCR_SELECTION of one bank: hash, sizeofSelect, PCR 0 selected. */
static void cb_pcr_select(cmdbuf *c, uint16_t hash, uint8_t sizeof_select)
{
    cb_u32(c, 1);
    cb_u16(c, hash);
    cb_u8(c, sizeof_select);
    for (uint8_t i = 0; i < sizeof_select; i++)
        cb_u8(c, i == 0 ? 0x01 : 0);
}

/* The attestation family typed (issue 11): Quote's and
 * SetCommandCodeAuditStatus's parameters are unmarshalled by dispatch, so a
 * malformed one carries its own number, including the last of each list;
 * bytes after the last are TPM_RC_SIZE. With a NULL signing handle Quote
 * answers an unsigned TPMS_ATTEST (signature TPM_ALG_NULL). A vendor code
 * in setList is ignored (the audit bitmap covers TPM_CC_FIRST..LAST). */
static void test_typed_attest_params(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    const TPM_RC P = TPM_RC_P;
    uint8_t big[80] = {0};
    /* Quote: qualifyingData (1) larger than TPM2B_DATA */
    cb_auth_one(&c, TPM_CC_Quote, TPM_RH_NULL);
    cb_2b(&c, big, sizeof(TPMU_HA) + 3);
    cb_u16(&c, TPM_ALG_NULL);
    cb_pcr_select(&c, TPM_ALG_SHA256, 3);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | P | TPM_RC_1);
    /* inScheme (2): a hash the TPM lacks, then a scheme it lacks */
    cb_auth_one(&c, TPM_CC_Quote, TPM_RH_NULL);
    cb_2b(&c, "n", 1);
    cb_u16(&c, TPM_ALG_RSASSA);
    cb_u16(&c, 0x7777);
    cb_pcr_select(&c, TPM_ALG_SHA256, 3);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | P | TPM_RC_2);
    cb_auth_one(&c, TPM_CC_Quote, TPM_RH_NULL);
    cb_2b(&c, "n", 1);
    cb_u16(&c, TPM_ALG_AES);
    cb_pcr_select(&c, TPM_ALG_SHA256, 3);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SCHEME | P | TPM_RC_2);
    /* PCRselect (3): a hash the TPM lacks, a sizeofSelect below the
     * minimum, a selection cut short */
    cb_auth_one(&c, TPM_CC_Quote, TPM_RH_NULL);
    cb_2b(&c, "n", 1);
    cb_u16(&c, TPM_ALG_NULL);
    cb_pcr_select(&c, 0x7777, 3);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | P | TPM_RC_3);
    cb_auth_one(&c, TPM_CC_Quote, TPM_RH_NULL);
    cb_2b(&c, "n", 1);
    cb_u16(&c, TPM_ALG_NULL);
    cb_pcr_select(&c, TPM_ALG_SHA256, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | P | TPM_RC_3);
    cb_auth_one(&c, TPM_CC_Quote, TPM_RH_NULL);
    cb_2b(&c, "n", 1);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT | P | TPM_RC_3);
    /* ... a byte after the last parameter */
    cb_auth_one(&c, TPM_CC_Quote, TPM_RH_NULL);
    cb_2b(&c, "n", 1);
    cb_u16(&c, TPM_ALG_NULL);
    cb_pcr_select(&c, TPM_ALG_SHA256, 3);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE);
    /* ... and the well-formed command: quoted, then a NULL signature */
    cb_auth_one(&c, TPM_CC_Quote, TPM_RH_NULL);
    cb_2b(&c, "n", 1);
    cb_u16(&c, TPM_ALG_NULL);
    cb_pcr_select(&c, TPM_ALG_SHA256, 3);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SUCCESS);
    uint32_t psize = rb_u32(&r);
    uint16_t n;
    const uint8_t *att = rb_2b(&r, &n);
    assert_int_equal((att[4] << 8) | att[5], TPM_ST_ATTEST_QUOTE);
    assert_int_equal(rb_u16(&r), TPM_ALG_NULL);
    assert_int_equal(psize, 2 + n + 2);

    /* SetCommandCodeAuditStatus: auditAlg (1) the TPM lacks; setList (2)
     * longer than MAX_CAP_CC; clearList (3) shorter than its count */
    cb_auth_one(&c, TPM_CC_SetCommandCodeAuditStatus, TPM_RH_OWNER);
    cb_u16(&c, 0x7777);
    cb_u32(&c, 0);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | P | TPM_RC_1);
    cb_auth_one(&c, TPM_CC_SetCommandCodeAuditStatus, TPM_RH_OWNER);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u32(&c, MAX_CAP_CC + 1);
    for (unsigned i = 0; i <= MAX_CAP_CC; i++)
        cb_u32(&c, TPM_CC_GetRandom);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | P | TPM_RC_2);
    cb_auth_one(&c, TPM_CC_SetCommandCodeAuditStatus, TPM_RH_OWNER);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u32(&c, 0);
    cb_u32(&c, 2);
    cb_u32(&c, TPM_CC_GetRandom);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INSUFFICIENT | P | TPM_RC_3);
    cb_auth_one(&c, TPM_CC_SetCommandCodeAuditStatus, TPM_RH_OWNER);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u32(&c, 0);
    cb_u32(&c, 0);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE);
    /* a vendor code and GetRandom: only GetRandom joins the list */
    cb_auth_one(&c, TPM_CC_SetCommandCodeAuditStatus, TPM_RH_OWNER);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u32(&c, 2);
    cb_u32(&c, TPM_CC_Vendor_LDAA_JoinRequest);
    cb_u32(&c, TPM_CC_GetRandom);
    cb_u32(&c, 1);
    cb_u32(&c, TPM_CC_Vendor_LDAA_Commit);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SUCCESS);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_AUDIT_COMMANDS);
    cb_u32(&c, TPM_CC_FIRST);
    cb_u32(&c, 10);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    rb_u32(&r);
    assert_int_equal(rb_u32(&r), 1);
    assert_int_equal(rb_u32(&r), TPM_CC_GetRandom);
    qtpm_tpm_free(tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_needs_startup),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_get_random),
        cmocka_unit_test(test_self_test),
        cmocka_unit_test(test_get_capability),
        cmocka_unit_test(test_handle_counts),
        cmocka_unit_test(test_pcr_extend_read),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_read_clock),
        cmocka_unit_test(test_password_auth),
        cmocka_unit_test(test_two_instances),
        cmocka_unit_test(test_persistence),
        cmocka_unit_test(test_mutated_commands),
        cmocka_unit_test(test_command_audit),
        cmocka_unit_test(test_param_numbers),
        cmocka_unit_test(test_typed_params),
        cmocka_unit_test(test_typed_attest_params),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
