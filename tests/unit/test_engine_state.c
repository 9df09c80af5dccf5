/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_state.c — the engine's state blob and its storage failures
 * (issue 8), through a test store that wraps the memory store and can be made
 * to fail its saves:
 *  - a blob that does not load (garbage, every truncation, every single
 *    flipped byte) is refused and never saved over;
 *  - a failed save answers TPM_RC_NV_UNAVAILABLE and the in-memory state goes
 *    back to what the store holds, DA failures excepted;
 *  - the dictionary-attack rules of Part 1 §19.8.6 at the engine level;
 *  - persistent counters of issue 10: NV counters never go backwards (also
 *    from a version-3 file without the counter maximum), PIN Pass / PIN
 *    Fail counts, resetCount/restartCount across Resume and Clear;
 *  - NV commands that change nothing write nothing, and the Clock the store
 *    holds moves only at its update points (issue 10, performance).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>

#include "engine_test.h"
#include "qtpm/common.h"

typedef struct {
    qtpm_store inner;
    int fail_saves;
    int saves;
} test_store;

static int ts_load(void *ctx, const char *name, uint8_t **data, size_t *len)
{
    test_store *t = ctx;
    return t->inner.load(t->inner.ctx, name, data, len);
}

static int ts_save(void *ctx, const char *name, const uint8_t *data, size_t len)
{
    test_store *t = ctx;
    t->saves++;
    if (t->fail_saves)
        return QTPM_E_INVALID;
    return t->inner.save(t->inner.ctx, name, data, len);
}

static int ts_remove(void *ctx, const char *name)
{
    test_store *t = ctx;
    return t->inner.remove(t->inner.ctx, name);
}

static void ts_close(void *ctx) { (void)ctx; /* the test closes the inner store */ }

static qtpm_store ts_wrap(test_store *t)
{
    qtpm_store s = {t, ts_load, ts_save, ts_remove, ts_close};
    return s;
}

static qtpm_tpm *ts_tpm(test_store *t, char *err, size_t err_size, int *rc)
{
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.store = ts_wrap(t);
    cfg.powered_on = 1;
    cfg.err = err;
    cfg.err_size = err_size;
    qtpm_tpm *tpm = NULL;
    *rc = qtpm_tpm_new(&tpm, &cfg);
    return tpm;
}

static void blob(test_store *t, uint8_t **data, size_t *len)
{
    assert_int_equal(t->inner.load(t->inner.ctx, "state", data, len), 0);
}

static uint32_t nv_define(qtpm_tpm *tpm, uint32_t index, uint32_t attrs, const char *auth)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_2b(&c, auth, (uint16_t)strlen(auth));
    cb_u16(&c, 14);
    cb_u32(&c, index);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, attrs);
    cb_u16(&c, 0);
    cb_u16(&c, 8);
    return run(tpm, &c, &r);
}

static uint32_t nv_read_pw(qtpm_tpm *tpm, uint32_t index, const char *pw)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
    cb_u32(&c, index);
    cb_u32(&c, index);
    cb_pw(&c, pw);
    cb_u16(&c, 1);
    cb_u16(&c, 0);
    return run(tpm, &c, &r);
}

static uint32_t nv_read_public(qtpm_tpm *tpm, uint32_t index)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_NV_ReadPublic);
    cb_u32(&c, index);
    return run(tpm, &c, &r);
}

static uint32_t lockout_counter(qtpm_tpm *tpm)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_TPM_PROPERTIES);
    cb_u32(&c, TPM_PT_LOCKOUT_COUNTER);
    cb_u32(&c, 1);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);                          /* moreData */
    assert_int_equal(rb_u32(&r), TPM_CAP_TPM_PROPERTIES);
    assert_int_equal(rb_u32(&r), 1);
    assert_int_equal(rb_u32(&r), TPM_PT_LOCKOUT_COUNTER);
    return rb_u32(&r);
}

#define NV_AUTH_ATTRS (TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE)
#define NV_OWNER_ATTRS (TPMA_NV_OWNERREAD | TPMA_NV_OWNERWRITE)

/* A manufactured TPM's blob, and a store that holds it. */
static void make_state(test_store *t, uint8_t **data, size_t *len)
{
    char err[128];
    int rc;
    memset(t, 0, sizeof(*t));
    qtpm_store_memory(&t->inner);
    qtpm_tpm *tpm = ts_tpm(t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(nv_define(tpm, 0x01500001, NV_OWNER_ATTRS, ""), 0);
    qtpm_tpm_free(tpm);
    blob(t, data, len);
}

static void test_damaged_blob_refused_and_untouched(void **state)
{
    (void)state;
    test_store t;
    uint8_t *good;
    size_t len;
    make_state(&t, &good, &len);
    uint8_t *bad = malloc(len + 1);
    assert_non_null(bad);
    char err[128];
    int rc;
    size_t refused = 0;

    /* every single flipped byte */
    for (size_t off = 0; off < len; off++) {
        memcpy(bad, good, len);
        bad[off] ^= 0x5A;
        assert_int_equal(t.inner.save(t.inner.ctx, "state", bad, len), 0);
        t.saves = 0;
        qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
        assert_null(tpm);
        assert_true(rc < 0);
        assert_true(err[0] != '\0');
        assert_int_equal(t.saves, 0); /* never written */
        refused++;
    }
    /* every truncation */
    for (size_t cut = 0; cut < len; cut++) {
        assert_int_equal(t.inner.save(t.inner.ctx, "state", good, cut), 0);
        t.saves = 0;
        assert_null(ts_tpm(&t, err, sizeof(err), &rc));
        assert_int_equal(t.saves, 0);
        refused++;
    }
    assert_int_equal(t.inner.save(t.inner.ctx, "state", good, 0), 0);
    assert_null(ts_tpm(&t, err, sizeof(err), &rc));
    assert_string_equal(err, "the file is empty");
    memcpy(bad, good, len);
    bad[len] = 0;
    assert_int_equal(t.inner.save(t.inner.ctx, "state", bad, len + 1), 0);
    assert_null(ts_tpm(&t, err, sizeof(err), &rc));
    assert_string_equal(err, "trailing bytes after the checksum");
    memcpy(bad, good, len);
    bad[100] ^= 1;
    assert_int_equal(t.inner.save(t.inner.ctx, "state", bad, len), 0);
    assert_null(ts_tpm(&t, err, sizeof(err), &rc));
    assert_string_equal(err, "checksum mismatch (the file is damaged)");
    printf("# %zu damaged blobs of a %zu-byte state refused, none written\n", refused, len);

    /* the good blob loads and keeps its NV index; loading writes nothing */
    assert_int_equal(t.inner.save(t.inner.ctx, "state", good, len), 0);
    t.saves = 0;
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_non_null(tpm);
    assert_int_equal(t.saves, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(nv_read_public(tpm, 0x01500001), 0);
    qtpm_tpm_free(tpm);
    qtpm_memzero(good, len);
    free(good);
    free(bad);
    t.inner.close(t.inner.ctx);
}

/* A blob with an intact checksum whose endorsement seed is all zeros (a state
 * that never came from manufacture, e.g. the zero-seed file earlier qtpm
 * wrote on a failed load): refused at load, never written. The body starts
 * with the EPS right after the 16-byte header (tpm.c state_visit). */
static void test_zero_seed_refused(void **state)
{
    (void)state;
    test_store t;
    uint8_t *good;
    size_t len;
    make_state(&t, &good, &len);
    assert_true(len > 16 + 64 + 32);
    memset(good + 16, 0, 64);
    unsigned int dl = 0;
    assert_int_equal(EVP_Digest(good, len - 32, good + len - 32, &dl, EVP_sha256(), NULL), 1);
    assert_int_equal(dl, 32);
    assert_int_equal(t.inner.save(t.inner.ctx, "state", good, len), 0);
    char err[128];
    int rc;
    t.saves = 0;
    assert_null(ts_tpm(&t, err, sizeof(err), &rc));
    assert_true(rc < 0);
    assert_string_equal(err, "the state holds seeds that were never generated");
    assert_int_equal(t.saves, 0);
    uint8_t *now;
    size_t now_len;
    blob(&t, &now, &now_len);
    assert_int_equal(now_len, len);
    assert_memory_equal(now, good, len);
    free(now);
    free(good);
    t.inner.close(t.inner.ctx);
}

/* A state of a newer format says so, and what to do; format 1 says it cannot
 * be migrated. Neither is ever saved over. */
static void test_other_format_versions(void **state)
{
    (void)state;
    test_store t;
    uint8_t *good;
    size_t len;
    make_state(&t, &good, &len);
    good[8] = 0, good[9] = 0, good[10] = 0, good[11] = 4; /* u32 version, big-endian */
    unsigned int dl = 0;
    assert_int_equal(EVP_Digest(good, len - 32, good + len - 32, &dl, EVP_sha256(), NULL), 1);
    assert_int_equal(t.inner.save(t.inner.ctx, "state", good, len), 0);
    char err[256];
    int rc;
    t.saves = 0;
    assert_null(ts_tpm(&t, err, sizeof(err), &rc));
    assert_true(rc < 0);
    assert_non_null(strstr(err, "state format version 4 was written by a newer qtpm"));
    assert_non_null(strstr(err, "upgrade qtpm"));
    memcpy(good, "QTPMST01", 8);
    assert_int_equal(t.inner.save(t.inner.ctx, "state", good, len), 0);
    assert_null(ts_tpm(&t, err, sizeof(err), &rc));
    assert_non_null(strstr(err, "version 1"));
    assert_non_null(strstr(err, "cannot be migrated: start a new TPM with --rm"));
    assert_int_equal(t.saves, 0);
    free(good);
    t.inner.close(t.inner.ctx);
}

static void test_failed_save_not_acknowledged(void **state)
{
    (void)state;
    test_store t;
    uint8_t *good;
    size_t len;
    make_state(&t, &good, &len);
    free(good);
    char err[128];
    int rc;
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_non_null(tpm);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(nv_define(tpm, 0x01500002, NV_AUTH_ATTRS, "pw"), 0);

    t.fail_saves = 1;
    /* the first DA-protected use of the cycle must reach the disk before
     * the authorization is checked: without it, nothing is checked */
    assert_int_equal(nv_read_pw(tpm, 0x01500002, "wrong"), TPM_RC_NV_UNAVAILABLE);
    assert_int_equal(lockout_counter(tpm), 0);
    t.fail_saves = 0;
    assert_int_equal(nv_read_pw(tpm, 0x01500002, "wrong"), TPM_RC_AUTH_FAIL | TPM_RC_S | TPM_RC_1);
    assert_int_equal(lockout_counter(tpm), 1);
    t.fail_saves = 1;
    assert_int_equal(nv_define(tpm, 0x01500003, NV_OWNER_ATTRS, ""), TPM_RC_NV_UNAVAILABLE);
    /* memory is the disk: the index does not exist */
    assert_int_equal(nv_read_public(tpm, 0x01500003), TPM_RC_HANDLE | TPM_RC_H | TPM_RC_1);
    /* reads change nothing and still work */
    assert_int_equal(nv_read_public(tpm, 0x01500001), 0);
    /* a DA failure that cannot be saved still counts in memory */
    uint32_t before = lockout_counter(tpm);
    assert_int_equal(nv_read_pw(tpm, 0x01500002, "wrong"), TPM_RC_NV_UNAVAILABLE);
    assert_int_equal(lockout_counter(tpm), before + 1);
    t.fail_saves = 0;
    assert_int_equal(nv_define(tpm, 0x01500003, NV_OWNER_ATTRS, ""), 0);
    qtpm_tpm_free(tpm);

    /* after a restart: what was acknowledged, and the DA failure */
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_non_null(tpm);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(nv_read_public(tpm, 0x01500003), 0);
    assert_true(lockout_counter(tpm) >= before + 1);
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

/* A Startup whose state could not be saved did not happen. */
static void test_failed_startup_save(void **state)
{
    (void)state;
    test_store t;
    uint8_t *good;
    size_t len;
    make_state(&t, &good, &len);
    free(good);
    char err[128];
    int rc;
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_non_null(tpm);
    t.fail_saves = 1;
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), TPM_RC_NV_UNAVAILABLE);
    t.fail_saves = 0;
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

/* ---- NV counters never go backwards (Part 3 §31.8 NV_Increment, Part 1
 * §37 NV counter index; issue 10 item 3) ---- */

#define NV_COUNTER_ATTRS (NV_OWNER_ATTRS | ((uint32_t)TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT))

static uint32_t nv_owner_cmd(qtpm_tpm *tpm, uint32_t cc, uint32_t index)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, cc);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, index);
    cb_pw(&c, "");
    return run(tpm, &c, &r);
}

static uint64_t counter_value(qtpm_tpm *tpm, uint32_t index)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, index);
    cb_pw(&c, "");
    cb_u16(&c, 8);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_param_size(&r);
    assert_int_equal(rb_u16(&r), 8);
    return rb_u64(&r);
}

/* defines index, increments it n times, returns its value */
static uint64_t counter_new(qtpm_tpm *tpm, uint32_t index, int n)
{
    assert_int_equal(nv_define(tpm, index, NV_COUNTER_ATTRS, ""), 0);
    for (int i = 0; i < n; i++)
        assert_int_equal(nv_owner_cmd(tpm, TPM_CC_NV_Increment, index), 0);
    return counter_value(tpm, index);
}

static void test_counter_never_goes_backwards(void **state)
{
    (void)state;
    test_store t;
    char err[128];
    int rc;
    memset(&t, 0, sizeof(t));
    qtpm_store_memory(&t.inner);
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(counter_new(tpm, 0x01500010, 2), 2);
    assert_int_equal(nv_owner_cmd(tpm, TPM_CC_NV_UndefineSpace, 0x01500010), 0);
    /* swtpm: 3; before the fix qtpm answered 1 */
    assert_int_equal(counter_new(tpm, 0x01500011, 1), 3);
    /* a counter still defined counts too */
    assert_int_equal(counter_new(tpm, 0x01500012, 1), 4);
    assert_int_equal(nv_owner_cmd(tpm, TPM_CC_NV_UndefineSpace, 0x01500011), 0);
    assert_int_equal(nv_owner_cmd(tpm, TPM_CC_NV_UndefineSpace, 0x01500012), 0);
    /* the maximum is persistent: a new TPM object on the same store */
    qtpm_tpm_free(tpm);
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(counter_new(tpm, 0x01500013, 1), 5);
    /* TPM2_Clear removes owner indices; the maximum survives it */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Clear);
    cb_u32(&c, TPM_RH_LOCKOUT);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(counter_new(tpm, 0x01500014, 1), 6);
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

/* The NV record of the state blob, byte for byte (issue 11: the public
 * area now goes through the shared module's TPMS_NV_PUBLIC, the bytes of
 * states written before must stay the same): TPMS_NV_PUBLIC (nvIndex,
 * nameAlg, attributes, authPolicy as a TPM2B, dataSize), then the authValue
 * as a TPM2B and the data. The blob loads again and the index's Name is
 * nameAlg || SHA-256 of those public bytes (Part 1 §16). */
static void test_nv_record_bytes(void **state)
{
    (void)state;
    test_store t;
    char err[128];
    int rc;
    memset(&t, 0, sizeof(t));
    qtpm_store_memory(&t.inner);
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    const uint32_t index = 0x01500030, attrs = NV_AUTH_ATTRS | TPMA_NV_NO_DA;
    uint8_t policy[32];
    memset(policy, 0xA5, sizeof(policy));
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_2b(&c, "pw", 2);
    cb_u16(&c, 14 + sizeof(policy));
    cb_u32(&c, index);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, attrs);
    cb_2b(&c, policy, sizeof(policy));
    cb_u16(&c, 8);
    assert_int_equal(run(tpm, &c, &r), 0);
    qtpm_tpm_free(tpm);

    uint8_t want[14 + sizeof(policy) + 4 + 8] = {
        0x01, 0x50, 0x00, 0x30, 0x00, 0x0B, (uint8_t)(attrs >> 24), (uint8_t)(attrs >> 16),
        (uint8_t)(attrs >> 8), (uint8_t)attrs, 0x00, (uint8_t)sizeof(policy)};
    size_t pub_len = 12 + sizeof(policy) + 2;
    memcpy(want + 12, policy, sizeof(policy));
    memcpy(want + pub_len - 2, "\x00\x08\x00\x02pw", 6); /* dataSize 8; auth "pw"; 8 zeros */
    uint8_t *b;
    size_t len, hits = 0;
    blob(&t, &b, &len);
    for (size_t i = 0; i + sizeof(want) <= len; i++)
        hits += memcmp(b + i, want, sizeof(want)) == 0;
    free(b);
    assert_int_equal(hits, 1);

    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_NV_ReadPublic);
    cb_u32(&c, index);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    const uint8_t *pub = rb_2b(&r, &n);
    assert_int_equal(n, pub_len);
    assert_memory_equal(pub, want, pub_len);
    const uint8_t *name = rb_2b(&r, &n);
    uint8_t h[32];
    unsigned int dl = 0;
    assert_int_equal(EVP_Digest(want, pub_len, h, &dl, EVP_sha256(), NULL), 1);
    assert_int_equal(n, 34);
    assert_memory_equal(name, "\x00\x0B", 2);
    assert_memory_equal(name + 2, h, 32);
    assert_int_equal(nv_read_pw(tpm, index, "pw"), TPM_RC_NV_UNINITIALIZED);
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

/* A version-3 state written before the counter maximum existed (the
 * optional trailing field absent) still loads; the counters still defined
 * then set the floor. */
static void test_state_without_counter_max(void **state)
{
    (void)state;
    test_store t;
    char err[128];
    int rc;
    memset(&t, 0, sizeof(t));
    qtpm_store_memory(&t.inner);
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(counter_new(tpm, 0x01500020, 7), 7);
    qtpm_tpm_free(tpm);
    uint8_t *b;
    size_t len;
    blob(&t, &b, &len);
    /* magic | u32 version | u32 body length | body | SHA-256: drop the
     * body's last fields (the u64 maximum, the profile: u16 7 "default",
     * the pending PCR allocation: u8 0 and 7 banks) and reseal */
    uint32_t body = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | b[15];
    assert_int_equal(16 + body + 32, len);
    assert_int_equal(b[16 + body - 8], 0); /* no PCR_Allocate pending, last */
    body -= 8;
    assert_memory_equal(b + 16 + body - 9, "\0\7default", 9); /* the profile */
    body -= 9;
    uint64_t tail = 0;
    for (int i = 0; i < 8; i++)
        tail = (tail << 8) | b[16 + body - 8 + i];
    assert_int_equal(tail, 7); /* the field is written, before the profile */
    body -= 8;
    b[12] = (uint8_t)(body >> 24), b[13] = (uint8_t)(body >> 16), b[14] = (uint8_t)(body >> 8),
    b[15] = (uint8_t)body;
    size_t nlen = 16 + body + 32;
    unsigned int dl = 0;
    assert_int_equal(EVP_Digest(b, 16 + body, b + 16 + body, &dl, EVP_sha256(), NULL), 1);
    assert_int_equal(t.inner.save(t.inner.ctx, "state", b, nlen), 0);
    free(b);
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(counter_value(tpm, 0x01500020), 7);
    assert_int_equal(counter_new(tpm, 0x01500021, 1), 8);
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

/* ---- PIN Pass / PIN Fail indices (Part 3 §31.3 NV_DefineSpace, Part 1
 * "PIN Pass / PIN Fail index"; issue 10 item 2): the counters are kept in
 * the index data and persist like any NV write ---- */

#define NV_PIN_FAIL_ATTRS                                                                      \
    (NV_OWNER_ATTRS | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA |                                       \
     ((uint32_t)TPM_NT_PIN_FAIL << TPMA_NV_TPM_NT_SHIFT))
#define NV_PIN_PASS_ATTRS                                                                      \
    (NV_OWNER_ATTRS | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA |                                       \
     ((uint32_t)TPM_NT_PIN_PASS << TPMA_NV_TPM_NT_SHIFT))
#define RC_BAD_AUTH_S1 (TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1)

static uint32_t pin_write(qtpm_tpm *tpm, uint32_t index, uint32_t count, uint32_t limit)
{
    cmdbuf c;
    rspbuf r;
    uint8_t d[8] = {(uint8_t)(count >> 24), (uint8_t)(count >> 16), (uint8_t)(count >> 8),
                    (uint8_t)count,         (uint8_t)(limit >> 24), (uint8_t)(limit >> 16),
                    (uint8_t)(limit >> 8),  (uint8_t)limit};
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, index);
    cb_pw(&c, "");
    cb_2b(&c, d, 8);
    cb_u16(&c, 0);
    return run(tpm, &c, &r);
}

static void test_pin_fail_index(void **state)
{
    (void)state;
    test_store t;
    char err[128];
    int rc;
    memset(&t, 0, sizeof(t));
    qtpm_store_memory(&t.inner);
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    const uint32_t ix = 0x01500030;
    /* PIN Fail needs NO_DA; AUTHWRITE is refused for PIN indices */
    assert_int_equal(nv_define(tpm, ix, NV_PIN_FAIL_ATTRS & ~TPMA_NV_NO_DA, "pin"),
                     TPM_RC_ATTRIBUTES | TPM_RC_P | TPM_RC_2);
    assert_int_equal(nv_define(tpm, ix, NV_PIN_FAIL_ATTRS | TPMA_NV_AUTHWRITE, "pin"),
                     TPM_RC_ATTRIBUTES | TPM_RC_P | TPM_RC_2);
    assert_int_equal(nv_define(tpm, ix, NV_PIN_FAIL_ATTRS, "pin"), 0);
    /* not written yet: the PIN is not available */
    assert_int_equal(nv_read_pw(tpm, ix, "pin"), TPM_RC_AUTH_UNAVAILABLE);
    assert_int_equal(pin_write(tpm, ix, 0, 2), 0);
    assert_int_equal(counter_value(tpm, ix), 0x0000000000000002ull);
    assert_int_equal(nv_read_pw(tpm, ix, "bad"), RC_BAD_AUTH_S1);
    assert_int_equal(counter_value(tpm, ix), 0x0000000100000002ull);
    assert_int_equal(nv_read_pw(tpm, ix, "pin"), 0);
    assert_int_equal(counter_value(tpm, ix), 0x0000000000000002ull); /* success clears */
    assert_int_equal(nv_read_pw(tpm, ix, "bad"), RC_BAD_AUTH_S1);
    assert_int_equal(nv_read_pw(tpm, ix, "bad"), RC_BAD_AUTH_S1);
    assert_int_equal(nv_read_pw(tpm, ix, "pin"), TPM_RC_AUTH_UNAVAILABLE);
    assert_int_equal(lockout_counter(tpm), 0); /* NO_DA: no DA failures */
    /* the count is persistent */
    qtpm_tpm_free(tpm);
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(counter_value(tpm, ix), 0x0000000200000002ull);
    assert_int_equal(nv_read_pw(tpm, ix, "pin"), TPM_RC_AUTH_UNAVAILABLE);
    /* the owner resets it */
    assert_int_equal(pin_write(tpm, ix, 0, 2), 0);
    assert_int_equal(nv_read_pw(tpm, ix, "pin"), 0);
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

static void test_pin_pass_index(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    const uint32_t ix = 0x01500031;
    assert_int_equal(nv_define(tpm, ix, NV_PIN_PASS_ATTRS | TPMA_NV_WRITEDEFINE, "pin"),
                     TPM_RC_ATTRIBUTES | TPM_RC_P | TPM_RC_2);
    assert_int_equal(nv_define(tpm, ix, NV_PIN_PASS_ATTRS, "pin"), 0);
    assert_int_equal(pin_write(tpm, ix, 0, 2), 0);
    assert_int_equal(nv_read_pw(tpm, ix, "bad"), RC_BAD_AUTH_S1);
    assert_int_equal(counter_value(tpm, ix), 0x0000000000000002ull); /* failures do not count */
    assert_int_equal(nv_read_pw(tpm, ix, "pin"), 0);
    assert_int_equal(nv_read_pw(tpm, ix, "pin"), 0);
    assert_int_equal(counter_value(tpm, ix), 0x0000000200000002ull);
    assert_int_equal(nv_read_pw(tpm, ix, "pin"), TPM_RC_AUTH_UNAVAILABLE);
    qtpm_tpm_free(tpm);
}

/* ---- PCR_Allocate across a restart of the TPM's process (issue 16): the
 * allocation waits for the next TPM Reset (Part 3 §22.5) and must survive a
 * reload of the state in between; before the fix it was RAM only, and a
 * SHA3-256 bank allocated with tpm2_pcrallocate never appeared ---- */

/* TPM_CAP_PCRS: bit b set when bank b (in the engine's order) has PCRs. */
static unsigned allocated_banks(qtpm_tpm *tpm, TPM_ALG_ID *sha3_alg_seen)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_PCRS);
    cb_u32(&c, 0);
    cb_u32(&c, 1);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r); /* moreData */
    assert_int_equal(rb_u32(&r), TPM_CAP_PCRS);
    uint32_t n = rb_u32(&r);
    unsigned mask = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint16_t alg = rb_u16(&r);
        uint8_t sz = rb_u8(&r);
        const uint8_t *sel = rb_bytes(&r, sz);
        int any = 0;
        for (unsigned k = 0; k < sz; k++)
            any |= sel[k];
        if (any)
            mask |= 1u << i;
        if (alg == TPM_ALG_SHA3_256 && sha3_alg_seen)
            *sha3_alg_seen = alg;
    }
    return mask;
}

static uint32_t pcr_allocate_sha3_256(qtpm_tpm *tpm)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
    cb_u32(&c, TPM_RH_PLATFORM);
    cb_pw(&c, "");
    cb_u32(&c, 1); /* the banks not named keep their allocation */
    cb_u16(&c, TPM_ALG_SHA3_256);
    cb_u8(&c, 3);
    cb_u8(&c, 0xFF), cb_u8(&c, 0xFF), cb_u8(&c, 0xFF);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        rb_param_size(&r);
        assert_int_equal(rb_u8(&r), 1); /* allocationSuccess */
    }
    return rc;
}

static void test_pcr_allocate_survives_reload(void **state)
{
    (void)state;
    test_store t;
    char err[128];
    int rc;
    memset(&t, 0, sizeof(t));
    qtpm_store_memory(&t.inner);
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    TPM_ALG_ID seen = 0;
    unsigned before = allocated_banks(tpm, &seen);
    assert_int_equal(seen, TPM_ALG_SHA3_256);
    assert_int_equal(before & (1u << 4), 0); /* SHA3-256 not allocated at manufacture */
    assert_int_equal(pcr_allocate_sha3_256(tpm), 0);
    assert_int_equal(allocated_banks(tpm, NULL), before); /* not yet */
    assert_int_equal(shutdown(tpm, TPM_SU_CLEAR), 0);
    qtpm_tpm_free(tpm); /* the process ends */
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    /* Startup(CLEAR) after Shutdown(CLEAR): a TPM Reset, the allocation applies */
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    unsigned after = allocated_banks(tpm, NULL);
    assert_int_equal(after, before | (1u << 4));
    /* PCR 0 of the new bank reads as 32 zero bytes */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA3_256);
    cb_u8(&c, 3);
    cb_u8(&c, 1), cb_u8(&c, 0), cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);                    /* updateCounter */
    assert_int_equal(rb_u32(&r), 1); /* pcrSelectionOut */
    assert_int_equal(rb_u16(&r), TPM_ALG_SHA3_256);
    rb_bytes(&r, 1 + 3);
    assert_int_equal(rb_u32(&r), 1); /* one digest */
    uint16_t dl = 0;
    rb_2b(&r, &dl);
    assert_int_equal(dl, 32);
    qtpm_tpm_free(tpm);
    /* and a damaged pending field (a value other than 0/1) is refused */
    uint8_t *b;
    size_t len;
    blob(&t, &b, &len);
    uint32_t body = ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | b[15];
    b[16 + body - 8] = 2;
    unsigned int hl = 0;
    assert_int_equal(EVP_Digest(b, 16 + body, b + 16 + body, &hl, EVP_sha256(), NULL), 1);
    assert_int_equal(t.inner.save(t.inner.ctx, "state", b, len), 0);
    free(b);
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_not_equal(rc, 0);
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

/* ---- resetCount / restartCount (Part 1 §36, Part 3 §24.6 Clear) ---- */

static void clock_counts(qtpm_tpm *tpm, uint32_t *resets, uint32_t *restarts)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u64(&r); /* time */
    rb_u64(&r); /* clock */
    *resets = rb_u32(&r);
    *restarts = rb_u32(&r);
}

static void test_reset_restart_counts(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint32_t rs, rt;
    clock_counts(tpm, &rs, &rt);
    assert_int_equal(rs, 1); /* the first Startup is a TPM Reset (swtpm: 1) */
    assert_int_equal(rt, 0);
    assert_int_equal(shutdown(tpm, TPM_SU_STATE), 0);
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_STATE), 0); /* Resume */
    clock_counts(tpm, &rs, &rt);
    assert_int_equal(rs, 1);
    assert_int_equal(rt, 1);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Clear);
    cb_u32(&c, TPM_RH_PLATFORM);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), 0);
    clock_counts(tpm, &rs, &rt);
    assert_int_equal(rs, 0); /* before the fix: 1 */
    assert_int_equal(rt, 0);
    qtpm_tpm_free(tpm);
}

/* ---- NV commands that change nothing, and Clock in the store (issue 10,
 * performance): no state write for NV_Write of the bytes an index holds,
 * NV_SetBits of bits already set, a lock already set (the reference
 * implementation's NvConditionallyWrite); between Clock's update points a
 * save carries the Clock the store holds, so a blob is a function of the
 * TPM's state, not of the time; TPM2_Shutdown and a Clock that is due put
 * the current Clock in the store ---- */

/* TPM_PT_CLOCK_UPDATE of the engine (tpm.h CLOCK_SAVE_MS) */
#define CLOCK_SAVE_MS_TEST 4096

#define NV_BITS_ATTRS (NV_OWNER_ATTRS | ((uint32_t)TPM_NT_BITS << TPMA_NV_TPM_NT_SHIFT))
#define NV_LOCK_ATTRS (NV_OWNER_ATTRS | TPMA_NV_WRITEDEFINE | TPMA_NV_READ_STCLEAR)

static uint32_t nv_write8(qtpm_tpm *tpm, uint32_t index, uint8_t fill)
{
    cmdbuf c;
    rspbuf r;
    uint8_t d[8];
    memset(d, fill, sizeof(d));
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, index);
    cb_pw(&c, "");
    cb_2b(&c, d, 8);
    cb_u16(&c, 0);
    return run(tpm, &c, &r);
}

static uint32_t nv_setbits(qtpm_tpm *tpm, uint32_t index, uint64_t bits)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_SetBits);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, index);
    cb_pw(&c, "");
    cb_u64(&c, bits);
    return run(tpm, &c, &r);
}

static uint64_t read_clock(qtpm_tpm *tpm)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u64(&r); /* time */
    return rb_u64(&r);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* The store's blob, copied (the caller frees). */
static uint8_t *blob_copy(test_store *t, size_t *len)
{
    uint8_t *b;
    blob(t, &b, len);
    return b;
}

static void test_unchanged_nv_not_saved(void **state)
{
    (void)state;
    test_store t;
    char err[128];
    int rc;
    memset(&t, 0, sizeof(t));
    qtpm_store_memory(&t.inner);
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(nv_define(tpm, 0x01500030, NV_BITS_ATTRS, ""), 0);
    assert_int_equal(nv_define(tpm, 0x01500031, NV_OWNER_ATTRS, ""), 0);
    assert_int_equal(nv_define(tpm, 0x01500032, NV_LOCK_ATTRS, ""), 0);

    /* SetBits: the first (even of no bit) writes the index, new bits
     * write, bits already set do not */
    t.saves = 0;
    assert_int_equal(nv_setbits(tpm, 0x01500030, 0), 0);
    assert_int_equal(t.saves, 1);
    assert_int_equal(nv_setbits(tpm, 0x01500030, 0x5), 0);
    assert_int_equal(t.saves, 2);
    assert_int_equal(nv_setbits(tpm, 0x01500030, 0x1), 0);
    assert_int_equal(nv_setbits(tpm, 0x01500030, 0x4), 0);
    assert_int_equal(nv_setbits(tpm, 0x01500030, 0), 0);
    assert_int_equal(t.saves, 2);
    assert_int_equal(counter_value(tpm, 0x01500030), 0x5);
    assert_int_equal(nv_setbits(tpm, 0x01500030, 0x3), 0);
    assert_int_equal(t.saves, 3);
    assert_int_equal(counter_value(tpm, 0x01500030), 0x7);

    /* Write: the first write of an index writes even its zero bytes (it
     * becomes WRITTEN); the same bytes again do not; other bytes do */
    t.saves = 0;
    assert_int_equal(nv_write8(tpm, 0x01500031, 0), 0);
    assert_int_equal(t.saves, 1);
    assert_int_equal(nv_write8(tpm, 0x01500031, 0), 0);
    assert_int_equal(t.saves, 1);
    assert_int_equal(nv_write8(tpm, 0x01500031, 0xa5), 0);
    assert_int_equal(nv_write8(tpm, 0x01500031, 0xa5), 0);
    assert_int_equal(t.saves, 2);
    assert_int_equal(counter_value(tpm, 0x01500031), 0xa5a5a5a5a5a5a5a5ull);

    /* locks: the second WriteLock / ReadLock is no change */
    assert_int_equal(nv_write8(tpm, 0x01500032, 1), 0);
    t.saves = 0;
    assert_int_equal(nv_owner_cmd(tpm, TPM_CC_NV_WriteLock, 0x01500032), 0);
    assert_int_equal(t.saves, 1);
    assert_int_equal(nv_write8(tpm, 0x01500032, 1), TPM_RC_NV_LOCKED);
    assert_int_equal(nv_owner_cmd(tpm, TPM_CC_NV_WriteLock, 0x01500032), 0);
    assert_int_equal(t.saves, 1);
    assert_int_equal(nv_owner_cmd(tpm, TPM_CC_NV_ReadLock, 0x01500032), 0);
    assert_int_equal(t.saves, 2);
    assert_int_equal(nv_owner_cmd(tpm, TPM_CC_NV_ReadLock, 0x01500032), 0);
    assert_int_equal(t.saves, 2);

    /* what was skipped was no loss: a new TPM on the store holds it all */
    t.fail_saves = 1; /* the first TPM "crashes": writes nothing more */
    qtpm_tpm_free(tpm);
    t.fail_saves = 0;
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(counter_value(tpm, 0x01500030), 0x7);
    assert_int_equal(counter_value(tpm, 0x01500031), 0xa5a5a5a5a5a5a5a5ull);
    assert_int_equal(nv_write8(tpm, 0x01500032, 1), TPM_RC_NV_LOCKED); /* WRITEDEFINE */
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

static void test_clock_in_store(void **state)
{
    (void)state;
    test_store t;
    char err[128];
    int rc;
    memset(&t, 0, sizeof(t));
    qtpm_store_memory(&t.inner);
    qtpm_tpm *tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(nv_define(tpm, 0x01500040, NV_OWNER_ATTRS, ""), 0);

    /* Within the update interval, the state after X, Y, X is the state
     * after X, byte for byte, though Clock moved on meanwhile (before:
     * every save carried the current Clock). */
    size_t l1, l3;
    assert_int_equal(nv_write8(tpm, 0x01500040, 0x11), 0);
    uint8_t *b1 = blob_copy(&t, &l1);
    sleep_ms(30);
    assert_int_equal(nv_write8(tpm, 0x01500040, 0x22), 0);
    assert_int_equal(nv_write8(tpm, 0x01500040, 0x11), 0);
    uint8_t *b3 = blob_copy(&t, &l3);
    assert_int_equal(l1, l3);
    assert_memory_equal(b1, b3, l1);
    free(b1);
    free(b3);

    /* A Clock set forward past the interval is due: it reaches the store
     * with the command, and a TPM that "crashes" then keeps it. */
    uint64_t set = read_clock(tpm) + 10 * CLOCK_SAVE_MS_TEST;
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ClockSet);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u64(&c, set);
    assert_int_equal(run(tpm, &c, &r), 0);
    t.fail_saves = 1;
    qtpm_tpm_free(tpm);
    t.fail_saves = 0;
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_true(read_clock(tpm) >= set);

    /* TPM2_Shutdown puts the current Clock in the store: after a crash
     * right after it, Clock is not behind what the TPM reported before. */
    sleep_ms(30);
    uint64_t before = read_clock(tpm);
    assert_int_equal(shutdown(tpm, TPM_SU_CLEAR), 0);
    t.fail_saves = 1;
    qtpm_tpm_free(tpm);
    t.fail_saves = 0;
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_true(read_clock(tpm) >= before);

    /* and a clean end (qtpm_tpm_free) stores the current Clock too */
    sleep_ms(30);
    before = read_clock(tpm);
    qtpm_tpm_free(tpm);
    tpm = ts_tpm(&t, err, sizeof(err), &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_true(read_clock(tpm) >= before);
    qtpm_tpm_free(tpm);
    t.inner.close(t.inner.ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_damaged_blob_refused_and_untouched),
        cmocka_unit_test(test_zero_seed_refused),
        cmocka_unit_test(test_other_format_versions),
        cmocka_unit_test(test_failed_save_not_acknowledged),
        cmocka_unit_test(test_failed_startup_save),
        cmocka_unit_test(test_counter_never_goes_backwards),
        cmocka_unit_test(test_state_without_counter_max),
        cmocka_unit_test(test_nv_record_bytes),
        cmocka_unit_test(test_pin_fail_index),
        cmocka_unit_test(test_pin_pass_index),
        cmocka_unit_test(test_reset_restart_counts),
        cmocka_unit_test(test_pcr_allocate_survives_reload),
        cmocka_unit_test(test_unchanged_nv_not_saved),
        cmocka_unit_test(test_clock_in_store),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
