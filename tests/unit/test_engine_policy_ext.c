/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_policy_ext.c — PolicyTicket (with the tickets PolicySecret
 * returns for a negative expiration), PolicyTemplate and PolicyAuthorizeNV
 * through qtpm_tpm_execute, with their negative cases.
 */
#include <stdlib.h>

#include "engine_test.h"
#include "qtpm/classic.h"

static uint32_t start_policy(qtpm_tpm *tpm, uint8_t type, uint8_t nonce_tpm[32])
{
    cmdbuf c;
    rspbuf r;
    uint8_t nc[16] = {1, 2, 3};
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&c, TPM_RH_NULL);
    cb_u32(&c, TPM_RH_NULL);
    cb_2b(&c, nc, 16);
    cb_u16(&c, 0);
    cb_u8(&c, type);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t h = rb_u32(&r);
    uint16_t n;
    const uint8_t *p = rb_2b(&r, &n);
    if (nonce_tpm)
        memcpy(nonce_tpm, p, 32);
    return h;
}

static void get_digest(qtpm_tpm *tpm, uint32_t sess, uint8_t out[32])
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyGetDigest);
    cb_u32(&c, sess);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    memcpy(out, rb_2b(&r, &n), 32);
}

typedef struct {
    uint8_t timeout[8];
    uint16_t timeout_len;
    uint16_t tag;
    uint32_t hier;
    uint8_t digest[64];
    uint16_t dlen;
} ticket;

/* PolicySecret with the owner's (empty) password. */
static uint32_t policy_secret(qtpm_tpm *tpm, uint32_t sess, const uint8_t *nonce, int32_t exp,
                              const char *ref, ticket *t)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, sess);
    cb_pw(&c, "");
    cb_2b(&c, nonce, nonce ? 32 : 0);
    cb_u16(&c, 0); /* cpHashA */
    cb_2b(&c, ref, (uint16_t)strlen(ref));
    cb_u32(&c, (uint32_t)exp);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    rb_u32(&r);
    const uint8_t *p = rb_2b(&r, &t->timeout_len);
    memcpy(t->timeout, p, t->timeout_len);
    t->tag = rb_u16(&r);
    t->hier = rb_u32(&r);
    p = rb_2b(&r, &t->dlen);
    memcpy(t->digest, p, t->dlen);
    return 0;
}

static uint32_t policy_ticket(qtpm_tpm *tpm, uint32_t sess, const ticket *t, const char *ref,
                              const uint8_t *name, uint16_t nlen)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTicket);
    cb_u32(&c, sess);
    cb_2b(&c, t->timeout, t->timeout_len);
    cb_u16(&c, 0);
    cb_2b(&c, ref, (uint16_t)strlen(ref));
    cb_2b(&c, name, nlen);
    cb_u16(&c, t->tag);
    cb_u32(&c, t->hier);
    cb_2b(&c, t->digest, t->dlen);
    return run(tpm, &c, &r);
}

static void test_policy_ticket(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t nonce[32], d1[32], d2[32];
    uint8_t owner_name[4] = {0x40, 0x00, 0x00, 0x01};
    uint32_t s1 = start_policy(tpm, TPM_SE_POLICY, nonce);
    ticket t;
    /* expiration >= 0: no ticket */
    assert_int_equal(policy_secret(tpm, s1, nonce, 0, "ref", &t), 0);
    assert_int_equal(t.timeout_len, 0);
    assert_int_equal(t.hier, TPM_RH_NULL);
    assert_int_equal(t.dlen, 0);
    /* expiration < 0: a ticket for the owner hierarchy */
    uint32_t s2 = start_policy(tpm, TPM_SE_POLICY, nonce);
    assert_int_equal(policy_secret(tpm, s2, nonce, -600, "ref", &t), 0);
    assert_int_equal(t.timeout_len, 8);
    assert_int_equal(t.tag, TPM_ST_AUTH_SECRET);
    assert_int_equal(t.hier, TPM_RH_OWNER);
    assert_int_equal(t.dlen, 32);
    get_digest(tpm, s2, d1);

    /* redeemed in a new session, it gives the same policy digest */
    uint32_t s3 = start_policy(tpm, TPM_SE_POLICY, NULL);
    assert_int_equal(policy_ticket(tpm, s3, &t, "ref", owner_name, 4), 0);
    get_digest(tpm, s3, d2);
    assert_memory_equal(d1, d2, 32);

    /* anything changed: the ticket does not verify */
    uint32_t s4 = start_policy(tpm, TPM_SE_POLICY, NULL);
    assert_int_equal(policy_ticket(tpm, s4, &t, "fer", owner_name, 4),
                     TPM_RC_TICKET | TPM_RC_P | TPM_RC_5);
    uint8_t other[4] = {0x40, 0x00, 0x00, 0x0B};
    assert_int_equal(policy_ticket(tpm, s4, &t, "ref", other, 4), TPM_RC_TICKET | TPM_RC_P | TPM_RC_5);
    ticket bad = t;
    bad.timeout[7] ^= 1;
    assert_int_equal(policy_ticket(tpm, s4, &bad, "ref", owner_name, 4),
                     TPM_RC_TICKET | TPM_RC_P | TPM_RC_5);
    bad = t;
    bad.tag = TPM_ST_AUTH_SIGNED;
    assert_int_equal(policy_ticket(tpm, s4, &bad, "ref", owner_name, 4),
                     TPM_RC_TICKET | TPM_RC_P | TPM_RC_5);
    bad.tag = TPM_ST_VERIFIED;
    assert_int_equal(policy_ticket(tpm, s4, &bad, "ref", owner_name, 4), TPM_RC_TAG | TPM_RC_P | TPM_RC_5);
    bad = t;
    bad.timeout_len = 4;
    assert_int_equal(policy_ticket(tpm, s4, &bad, "ref", owner_name, 4), TPM_RC_SIZE | TPM_RC_P | TPM_RC_1);

    /* a TPM Reset voids the ticket */
    assert_int_equal(shutdown(tpm, TPM_SU_CLEAR), 0);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    uint32_t s5 = start_policy(tpm, TPM_SE_POLICY, NULL);
    assert_int_equal(policy_ticket(tpm, s5, &t, "ref", owner_name, 4), TPM_RC_TICKET | TPM_RC_P | TPM_RC_5);
    qtpm_tpm_free(tpm);
}

static uint32_t policy_template(qtpm_tpm *tpm, uint32_t sess, const uint8_t h[32])
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTemplate);
    cb_u32(&c, sess);
    cb_2b(&c, h, 32);
    return run(tpm, &c, &r);
}

/* A symmetric storage-less key: the smallest template. */
static size_t hmac_template(uint8_t *t, uint8_t unique_byte)
{
    const uint8_t tmpl[] = {0x00, 0x08, 0x00, 0x0B, 0x00, 0x04, 0x00, 0x72, /* keyedhash, sign|... */
                            0x00, 0x00, 0x00, 0x05, 0x00, 0x0B,             /* HMAC SHA-256 */
                            0x00, 0x01, 0x00};
    memcpy(t, tmpl, sizeof(tmpl));
    t[sizeof(tmpl) - 1] = unique_byte;
    return sizeof(tmpl);
}

/* CreatePrimary(owner) authorized by policy session sess, whose nonceTPM is
 * nonce: the HMAC is keyed with the empty sessionKey (no PolicyAuthValue). */
static uint32_t create_primary_policy(qtpm_tpm *tpm, uint32_t sess, const uint8_t nonce[32],
                                      const uint8_t *t, size_t tl)
{
    cmdbuf c, p;
    rspbuf r;
    p.n = 0;
    cb_u16(&p, 4);
    cb_u16(&p, 0);
    cb_u16(&p, 0);
    cb_2b(&p, t, (uint16_t)tl);
    cb_u16(&p, 0);
    cb_u32(&p, 0);
    uint8_t cp_in[8 + 256], cp[32], mac_in[32 + 32 + 1], mac[32];
    uint8_t head[8] = {0x00, 0x00, 0x01, 0x31, 0x40, 0x00, 0x00, 0x01}; /* CC, owner's Name */
    memcpy(cp_in, head, 8);
    memcpy(cp_in + 8, p.b, p.n);
    qtpm_hash(QTPM_HASH_SHA256, cp_in, 8 + p.n, cp);
    memcpy(mac_in, cp, 32);
    memcpy(mac_in + 32, nonce, 32); /* nonceCaller is empty */
    mac_in[64] = 1;
    qtpm_hmac(QTPM_HASH_SHA256, NULL, 0, mac_in, sizeof(mac_in), mac);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 4 + 2 + 1 + 2 + 32);
    cb_u32(&c, sess);
    cb_u16(&c, 0);
    cb_u8(&c, 1);
    cb_2b(&c, mac, 32);
    cb_bytes(&c, p.b, p.n);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        uint32_t h = rb_u32(&r);
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
        cb_u32(&c, h);
        assert_int_equal(run(tpm, &c, &r), 0);
    }
    return rc;
}

static void test_policy_template(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t t[32], t2[32], th[32], d[32];
    size_t tl = hmac_template(t, 0x11);
    hmac_template(t2, 0x22);
    qtpm_hash(QTPM_HASH_SHA256, t, tl, th);
    /* the policy: H(0^32 || TPM_CC_PolicyTemplate || templateHash) */
    uint8_t buf[32 + 4 + 32] = {0};
    buf[32] = 0x00, buf[33] = 0x00, buf[34] = 0x01, buf[35] = 0x90;
    memcpy(buf + 36, th, 32);
    uint8_t want[32];
    qtpm_hash(QTPM_HASH_SHA256, buf, sizeof(buf), want);
    uint32_t trial = start_policy(tpm, TPM_SE_TRIAL, NULL);
    assert_int_equal(policy_template(tpm, trial, th), 0);
    get_digest(tpm, trial, d);
    assert_memory_equal(d, want, 32);
    /* a second, different template hash is refused; the same one is fine */
    assert_int_equal(policy_template(tpm, trial, th), 0);
    th[0] ^= 1;
    assert_int_equal(policy_template(tpm, trial, th), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    th[0] ^= 1;

    /* the owner hierarchy's policy becomes this digest */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SetPrimaryPolicy);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_2b(&c, want, 32);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), 0);

    uint8_t nonce[32];
    uint32_t s = start_policy(tpm, TPM_SE_POLICY, nonce);
    assert_int_equal(policy_template(tpm, s, th), 0);
    assert_int_equal(create_primary_policy(tpm, s, nonce, t, tl), 0);
    s = start_policy(tpm, TPM_SE_POLICY, nonce);
    assert_int_equal(policy_template(tpm, s, th), 0);
    assert_int_equal(create_primary_policy(tpm, s, nonce, t2, tl),
                     TPM_RC_POLICY_FAIL | TPM_RC_S | TPM_RC_1);

    /* PolicyTemplate and PolicyCpHash exclude each other */
    s = start_policy(tpm, TPM_SE_POLICY, NULL);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCpHash);
    cb_u32(&c, s);
    cb_2b(&c, th, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(policy_template(tpm, s, th), TPM_RC_CPHASH);
    qtpm_tpm_free(tpm);
}

#define NV_INDEX 0x01500020u

static uint32_t policy_authorize_nv(qtpm_tpm *tpm, uint32_t sess)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PolicyAuthorizeNV);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, NV_INDEX);
    cb_u32(&c, sess);
    cb_pw(&c, "");
    return run(tpm, &c, &r);
}

static void policy_cc(qtpm_tpm *tpm, uint32_t sess, uint32_t cc)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCommandCode);
    cb_u32(&c, sess);
    cb_u32(&c, cc);
    assert_int_equal(run(tpm, &c, &r), 0);
}

static void test_policy_authorize_nv(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    /* an ordinary index, owner read/write */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u16(&c, 0);
    cb_u16(&c, 4 + 2 + 4 + 2 + 2);
    cb_u32(&c, NV_INDEX);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, 0x00020002u); /* OWNERWRITE | OWNERREAD */
    cb_u16(&c, 0);
    cb_u16(&c, 34);
    assert_int_equal(run(tpm, &c, &r), 0);

    /* the session is not written yet */
    uint32_t s = start_policy(tpm, TPM_SE_POLICY, NULL);
    assert_int_equal(policy_authorize_nv(tpm, s), TPM_RC_NV_UNINITIALIZED);

    /* approved policy: PolicyCommandCode(Unseal) */
    uint8_t approved[32], d[32];
    uint32_t trial = start_policy(tpm, TPM_SE_TRIAL, NULL);
    policy_cc(tpm, trial, TPM_CC_Unseal);
    get_digest(tpm, trial, approved);
    uint8_t ha[34] = {0x00, 0x0B};
    memcpy(ha + 2, approved, 32);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, NV_INDEX);
    cb_pw(&c, "");
    cb_2b(&c, ha, 34);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);

    /* the index's Name, from NV_ReadPublic */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_NV_ReadPublic);
    cb_u32(&c, NV_INDEX);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    rb_2b(&r, &n);
    uint8_t name[34];
    memcpy(name, rb_2b(&r, &n), 34);
    assert_int_equal(n, 34);
    uint8_t buf[32 + 4 + 34] = {0}, want[32];
    buf[34] = 0x01, buf[35] = 0x92;
    memcpy(buf + 36, name, 34);
    qtpm_hash(QTPM_HASH_SHA256, buf, sizeof(buf), want);

    policy_cc(tpm, s, TPM_CC_Unseal);
    assert_int_equal(policy_authorize_nv(tpm, s), 0);
    get_digest(tpm, s, d);
    assert_memory_equal(d, want, 32);
    /* a trial session computes the same without checking */
    trial = start_policy(tpm, TPM_SE_TRIAL, NULL);
    assert_int_equal(policy_authorize_nv(tpm, trial), 0);
    get_digest(tpm, trial, d);
    assert_memory_equal(d, want, 32);
    /* another policy is not the approved one */
    s = start_policy(tpm, TPM_SE_POLICY, NULL);
    policy_cc(tpm, s, TPM_CC_Sign);
    assert_int_equal(policy_authorize_nv(tpm, s), TPM_RC_VALUE);
    /* a hash other than the session's */
    ha[1] = 0x0C;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, NV_INDEX);
    cb_pw(&c, "");
    cb_2b(&c, ha, 34);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    s = start_policy(tpm, TPM_SE_POLICY, NULL);
    policy_cc(tpm, s, TPM_CC_Unseal);
    assert_int_equal(policy_authorize_nv(tpm, s), TPM_RC_HASH);
    qtpm_tpm_free(tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_ticket),
        cmocka_unit_test(test_policy_template),
        cmocka_unit_test(test_policy_authorize_nv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
