/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_policy_ext.c — PolicyTicket (with the tickets PolicySecret
 * and PolicySigned return for a negative expiration), PolicyTemplate and
 * PolicyAuthorizeNV through qtpm_tpm_execute, with their negative cases;
 * and the typed parameters of the Policy commands and TestParms (issue 11):
 *  - each malformed parameter answers with its Part 2 code and its number
 *    (Part 2 §6.6.3), bytes after the last one are TPM_RC_SIZE (Part 3 §5.6);
 *  - the responses (TPM2B_TIMEOUT, TPMT_TK_AUTH) marshalled from the Out
 *    structs redeem with PolicyTicket;
 *  - handles are checked before parameters (Part 3 §5.6): a bad policy
 *    session handle wins over a malformed parameter, for Policy commands
 *    and for PCR_Reset.
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

#define P TPM_RC_P
#define H TPM_RC_H

/* An ECC P-256 ECDSA-SHA256 signing key, primary under the owner; its
 * Name (nameAlg SHA-256, 34 bytes) in name. */
static uint32_t signing_key(qtpm_tpm *tpm, uint8_t name[34])
{
    cmdbuf t;
    t.n = 0;
    cb_u16(&t, TPM_ALG_ECC);
    cb_u16(&t, TPM_ALG_SHA256);
    cb_u32(&t, 0x00040072); /* fixedTPM fixedParent sensitiveDataOrigin userWithAuth sign */
    cb_u16(&t, 0);          /* authPolicy */
    cb_u16(&t, TPM_ALG_NULL);
    cb_u16(&t, TPM_ALG_ECDSA);
    cb_u16(&t, TPM_ALG_SHA256);
    cb_u16(&t, TPM_ECC_NIST_P256);
    cb_u16(&t, TPM_ALG_NULL);
    cb_u16(&t, 0);
    cb_u16(&t, 0);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u16(&c, 4);
    cb_u16(&c, 0);
    cb_u16(&c, 0);
    cb_2b(&c, t.b, (uint16_t)t.n);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t h = rb_u32(&r);
    rb_u32(&r); /* parameterSize */
    uint16_t n;
    rb_2b(&r, &n); /* outPublic */
    rb_2b(&r, &n); /* creationData */
    rb_2b(&r, &n); /* creationHash */
    rb_u16(&r);
    rb_u32(&r);
    rb_2b(&r, &n); /* creationTicket */
    const uint8_t *nm = rb_2b(&r, &n);
    assert_int_equal(n, 34);
    memcpy(name, nm, 34);
    return h;
}

/* PolicySigned's first four parameters; sig (sl bytes) after them, then
 * extra trailing bytes. */
static uint32_t policy_signed(qtpm_tpm *tpm, uint32_t key, uint32_t sess, const uint8_t *nonce,
                              const char *ref, int32_t exp, const uint8_t *sig, size_t sl,
                              size_t extra, rspbuf *r)
{
    cmdbuf c;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicySigned);
    cb_u32(&c, key);
    cb_u32(&c, sess);
    cb_2b(&c, nonce, nonce ? 32 : 0);
    cb_u16(&c, 0);
    cb_2b(&c, ref, (uint16_t)strlen(ref));
    cb_u32(&c, (uint32_t)exp);
    cb_bytes(&c, sig, sl);
    for (size_t i = 0; i < extra; i++)
        cb_u8(&c, 0);
    return run(tpm, &c, r);
}

/* aHash = SHA-256(nonceTPM || expiration || cpHashA (empty) || policyRef) */
static void signed_ahash(const uint8_t nonce[32], int32_t exp, const char *ref, uint8_t out[32])
{
    uint8_t buf[32 + 4 + 64];
    memcpy(buf, nonce, 32);
    uint32_t e = (uint32_t)exp;
    buf[32] = (uint8_t)(e >> 24);
    buf[33] = (uint8_t)(e >> 16);
    buf[34] = (uint8_t)(e >> 8);
    buf[35] = (uint8_t)e;
    size_t rl = strlen(ref);
    memcpy(buf + 36, ref, rl);
    qtpm_hash(QTPM_HASH_SHA256, buf, 36 + rl, out);
}

/* A PolicySigned with a real signature and expiration < 0 answers a
 * timeout and an AUTH_SIGNED ticket (both through the shared module), which
 * PolicyTicket redeems to the same policy digest; each malformed parameter
 * of PolicySigned has its code and number. */
static void test_policy_signed_params(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t kname[34], nonce[32], ah[32], sig[200], d1[32], d2[32];
    uint32_t k = signing_key(tpm, kname);
    uint32_t s = start_policy(tpm, TPM_SE_POLICY, nonce);
    signed_ahash(nonce, -300, "r", ah);
    size_t sl = tpm_sign_sha256(tpm, k, ah, sig);
    rspbuf r;

    /* malformed parameters, one at a time (the session is unchanged by a
     * failing command) */
    uint8_t big[70] = {0};
    cmdbuf c;
    for (int kcase = 0; kcase < 9; kcase++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicySigned);
        cb_u32(&c, k);
        cb_u32(&c, s);
        cb_2b(&c, kcase == 0 ? big : nonce, kcase == 0 ? 65 : 32); /* 1 nonceTPM */
        if (kcase == 1) {
            cb_u16(&c, 32); /* 2 cpHashA, cut short */
            cb_bytes(&c, big, 4);
        } else {
            cb_u16(&c, 0);
        }
        if (kcase == 2)
            cb_2b(&c, big, 65); /* 3 policyRef */
        else if (kcase != 1)
            cb_2b(&c, "r", 1);
        if (kcase == 3) {
            cb_u16(&c, 0xFFFF); /* 4 expiration, two bytes of four */
        } else if (kcase > 3) {
            cb_u32(&c, (uint32_t)-300);
            if (kcase == 4) { /* 5 auth: a hash the TPM lacks */
                cb_u16(&c, TPM_ALG_ECDSA);
                cb_u16(&c, 0x7777);
            } else if (kcase == 5) { /* 5 auth: cut after sigAlg */
                cb_u16(&c, TPM_ALG_ECDSA);
            } else if (kcase == 6) { /* a scheme that is no signature scheme */
                cb_u16(&c, TPM_ALG_AES);
            } else {
                cb_bytes(&c, sig, sl);
                if (kcase == 7)
                    cb_u8(&c, 0); /* trailing */
                else
                    c.b[c.n - 1] ^= 1; /* 8: the signature does not verify */
            }
        }
        TPM_RC want[] = {TPM_RC_SIZE | P | TPM_RC_1,   TPM_RC_INSUFFICIENT | P | TPM_RC_2,
                         TPM_RC_SIZE | P | TPM_RC_3,   TPM_RC_INSUFFICIENT | P | TPM_RC_4,
                         TPM_RC_HASH | P | TPM_RC_5,   TPM_RC_INSUFFICIENT | P | TPM_RC_5,
                         TPM_RC_SCHEME | P | TPM_RC_5, TPM_RC_SIZE,
                         TPM_RC_SIGNATURE | P | TPM_RC_5};
        uint32_t rc = run(tpm, &c, &r);
        if (rc != want[kcase])
            print_error("PolicySigned case %d: 0x%x, want 0x%x\n", kcase, rc, want[kcase]);
        assert_int_equal(rc, want[kcase]);
    }

    /* the real one */
    assert_int_equal(policy_signed(tpm, k, s, nonce, "r", -300, sig, sl, 0, &r), 0);
    uint16_t tl, dl;
    const uint8_t *tb = rb_2b(&r, &tl);
    uint8_t timeout[8];
    assert_int_equal(tl, 8);
    memcpy(timeout, tb, 8);
    assert_int_equal(rb_u16(&r), TPM_ST_AUTH_SIGNED);
    assert_int_equal(rb_u32(&r), TPM_RH_OWNER);
    uint8_t tdig[32];
    memcpy(tdig, rb_2b(&r, &dl), 32);
    assert_int_equal(dl, 32);
    assert_int_equal(r.off, r.n);
    get_digest(tpm, s, d1);

    /* redeemed in a new session: the same digest */
    uint32_t s2 = start_policy(tpm, TPM_SE_POLICY, NULL);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTicket);
    cb_u32(&c, s2);
    cb_2b(&c, timeout, 8);
    cb_u16(&c, 0);
    cb_2b(&c, "r", 1);
    cb_2b(&c, kname, 34);
    cb_u16(&c, TPM_ST_AUTH_SIGNED);
    cb_u32(&c, TPM_RH_OWNER);
    cb_2b(&c, tdig, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    get_digest(tpm, s2, d2);
    assert_memory_equal(d1, d2, 32);

    /* expiration >= 0: an empty timeout and a NULL ticket */
    uint32_t s3 = start_policy(tpm, TPM_SE_POLICY, nonce);
    signed_ahash(nonce, 0, "r", ah);
    sl = tpm_sign_sha256(tpm, k, ah, sig);
    assert_int_equal(policy_signed(tpm, k, s3, nonce, "r", 0, sig, sl, 0, &r), 0);
    rb_2b(&r, &tl);
    assert_int_equal(tl, 0);
    assert_int_equal(rb_u16(&r), TPM_ST_AUTH_SIGNED);
    assert_int_equal(rb_u32(&r), TPM_RH_NULL);
    rb_2b(&r, &dl);
    assert_int_equal(dl, 0);
    assert_int_equal(r.off, r.n);
    qtpm_tpm_free(tpm);
}

/* PolicyTicket: each malformed parameter with its code and number. */
static void test_policy_ticket_params(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint32_t s = start_policy(tpm, TPM_SE_POLICY, NULL);
    uint8_t big[70] = {0}, name[4] = {0x40, 0x00, 0x00, 0x01};
    cmdbuf c;
    rspbuf r;
    enum { NCASES = 11 };
    for (int k = 0; k < NCASES; k++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTicket);
        cb_u32(&c, s);
        cb_2b(&c, big, k == 0 ? 9 : k == 1 ? 4 : 8); /* 1 timeout */
        cb_2b(&c, big, k == 2 ? 65 : 0);                 /* 2 cpHashA */
        cb_2b(&c, big, k == 3 ? 65 : 0);                 /* 3 policyRef */
        cb_2b(&c, k == 4 ? big : name, k == 4 ? 67 : 4); /* 4 authName */
        cb_u16(&c, k == 5 ? TPM_ST_VERIFIED : TPM_ST_AUTH_SECRET); /* 5 ticket */
        if (k == 9) /* cut inside the hierarchy */
            cb_u16(&c, 0x4000);
        else
            cb_u32(&c, k == 6 ? 0x40000005u : TPM_RH_OWNER);
        if (k == 7)
            cb_2b(&c, big, 65);
        else if (k != 9)
            cb_2b(&c, big, 32);
        if (k == 8)
            cb_u8(&c, 0); /* trailing */
        TPM_RC want[NCASES] = {
            TPM_RC_SIZE | P | TPM_RC_1,   TPM_RC_SIZE | P | TPM_RC_1, TPM_RC_SIZE | P | TPM_RC_2,
            TPM_RC_SIZE | P | TPM_RC_3,   TPM_RC_SIZE | P | TPM_RC_4, TPM_RC_TAG | P | TPM_RC_5,
            TPM_RC_VALUE | P | TPM_RC_5,  TPM_RC_SIZE | P | TPM_RC_5, TPM_RC_SIZE,
            TPM_RC_INSUFFICIENT | P | TPM_RC_5,
            TPM_RC_TICKET | P | TPM_RC_5, /* well-formed, but not this TPM's */
        };
        uint32_t rc = run(tpm, &c, &r);
        if (rc != want[k])
            print_error("PolicyTicket case %d: 0x%x, want 0x%x\n", k, rc, want[k]);
        assert_int_equal(rc, want[k]);
    }
    qtpm_tpm_free(tpm);
}

/* PolicySecret and PolicyAuthorize: a malformed parameter of each kind. */
static void test_policy_secret_authorize_params(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t nonce[32], big[70] = {0}, kname[34] = {0x00, 0x0B};
    uint32_t s = start_policy(tpm, TPM_SE_POLICY, nonce);
    uint32_t trial = start_policy(tpm, TPM_SE_TRIAL, NULL);
    cmdbuf c;
    rspbuf r;
    for (int k = 0; k < 3; k++) {
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
        cb_u32(&c, TPM_RH_OWNER);
        cb_u32(&c, s);
        cb_pw(&c, "");
        cb_2b(&c, k == 0 ? big : nonce, k == 0 ? 65 : 32);
        cb_u16(&c, 0);
        cb_u16(&c, 0);
        if (k == 1)
            cb_u8(&c, 0); /* expiration, one byte of four */
        else
            cb_u32(&c, 0);
        if (k == 2)
            cb_u8(&c, 0);
        TPM_RC want[] = {TPM_RC_SIZE | P | TPM_RC_1, TPM_RC_INSUFFICIENT | P | TPM_RC_4,
                         TPM_RC_SIZE};
        assert_int_equal(run(tpm, &c, &r), want[k]);
    }
    /* PolicyAuthorize, in a trial session (which checks no ticket): keySign
     * larger than a Name, a Name of no hash, then checkTicket with a tag of
     * no TPMT_TK_VERIFIED and with a hierarchy of none */
    for (int k = 0; k < 5; k++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
        cb_u32(&c, trial);
        cb_2b(&c, big, 32);
        cb_u16(&c, 0);
        if (k == 0)
            cb_2b(&c, big, 67);
        else
            cb_2b(&c, kname, k == 1 ? 20 : 34);
        cb_u16(&c, k == 2 ? TPM_ST_AUTH_SECRET : TPM_ST_VERIFIED);
        cb_u32(&c, k == 3 ? 0x40000005u : TPM_RH_NULL); /* TPM_RH_ADMIN */
        cb_u16(&c, 0);
        TPM_RC want[] = {TPM_RC_SIZE | P | TPM_RC_3, TPM_RC_HASH | P | TPM_RC_3,
                         TPM_RC_TAG | P | TPM_RC_4, TPM_RC_VALUE | P | TPM_RC_4, 0};
        assert_int_equal(run(tpm, &c, &r), want[k]);
    }
    qtpm_tpm_free(tpm);
}

/* TestParms: TPMT_PUBLIC_PARMS checked as it is unmarshalled (parameter 1). */
static void test_test_parms(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    for (int k = 0; k < 6; k++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
        if (k == 0) {
            cb_u8(&c, 0x00); /* half a type */
        } else if (k == 1) {
            cb_u16(&c, TPM_ALG_SHA256); /* no public type */
        } else {
            cb_u16(&c, TPM_ALG_ECC);
            cb_u16(&c, TPM_ALG_NULL);
            cb_u16(&c, TPM_ALG_ECDSA);
            cb_u16(&c, k == 3 ? 0x7777 : TPM_ALG_SHA256);
            cb_u16(&c, k == 4 ? 0x0099 : TPM_ECC_NIST_P256);
            cb_u16(&c, TPM_ALG_NULL);
            if (k == 5)
                cb_u8(&c, 0);
        }
        TPM_RC want[] = {TPM_RC_INSUFFICIENT | P | TPM_RC_1, TPM_RC_TYPE | P | TPM_RC_1, 0,
                         TPM_RC_HASH | P | TPM_RC_1, TPM_RC_CURVE | P | TPM_RC_1, TPM_RC_SIZE};
        uint32_t rc = run(tpm, &c, &r);
        if (rc != want[k])
            print_error("TestParms case %d: 0x%x, want 0x%x\n", k, rc, want[k]);
        assert_int_equal(rc, want[k]);
    }
    qtpm_tpm_free(tpm);
}

/* Part 3 §5.6: the handle area is checked before any parameter is read, so
 * a command with a bad handle and a malformed parameter reports the handle.
 * A policy session slot (TPMI_SH_POLICY) wants a loaded policy or trial
 * session: a policy session handle nothing holds is TPM_RC_HANDLE, an HMAC
 * session's handle TPM_RC_VALUE (the TPMI type's code). */
static void test_handles_before_parameters(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint32_t hmac = start_policy(tpm, TPM_SE_HMAC, NULL);
    uint32_t pol = start_policy(tpm, TPM_SE_POLICY, NULL);
    uint32_t gone = pol + 1;
    uint8_t big[70] = {0};
    cmdbuf c;
    rspbuf r;
    /* PolicyPCR: pcrDigest larger than a digest (parameter 1) */
    uint32_t sess[] = {gone, hmac, pol};
    TPM_RC want_pcr[] = {TPM_RC_HANDLE | H | TPM_RC_1, TPM_RC_VALUE | H | TPM_RC_1,
                         TPM_RC_SIZE | P | TPM_RC_1};
    for (int k = 0; k < 3; k++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyPCR);
        cb_u32(&c, sess[k]);
        cb_2b(&c, big, 65);
        cb_u32(&c, 0);
        assert_int_equal(run(tpm, &c, &r), want_pcr[k]);
    }
    /* PolicySecret: the policy session is the second handle; nonceTPM too
     * large */
    TPM_RC want_secret[] = {TPM_RC_HANDLE | H | TPM_RC_2, TPM_RC_VALUE | H | TPM_RC_2,
                            TPM_RC_SIZE | P | TPM_RC_1};
    for (int k = 0; k < 3; k++) {
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
        cb_u32(&c, TPM_RH_OWNER);
        cb_u32(&c, sess[k]);
        cb_pw(&c, "");
        cb_2b(&c, big, 65);
        assert_int_equal(run(tpm, &c, &r), want_secret[k]);
    }
    /* PolicyTicket with a truncated ticket; PolicyGetDigest with a stray byte */
    for (int k = 0; k < 3; k++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTicket);
        cb_u32(&c, sess[k]);
        cb_u16(&c, 0);
        cb_u16(&c, 0);
        cb_u16(&c, 0);
        cb_u16(&c, 0);
        cb_u16(&c, TPM_ST_AUTH_SECRET);
        TPM_RC want[] = {TPM_RC_HANDLE | H | TPM_RC_1, TPM_RC_VALUE | H | TPM_RC_1,
                         TPM_RC_INSUFFICIENT | P | TPM_RC_5};
        assert_int_equal(run(tpm, &c, &r), want[k]);
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyGetDigest);
        cb_u32(&c, sess[k]);
        cb_u8(&c, 0);
        TPM_RC want_gd[] = {TPM_RC_HANDLE | H | TPM_RC_1, TPM_RC_VALUE | H | TPM_RC_1, TPM_RC_SIZE};
        assert_int_equal(run(tpm, &c, &r), want_gd[k]);
    }
    /* PCR_Reset has no parameters: a PCR beyond the last with a stray byte
     * is the handle's TPM_RC_VALUE; a PCR this locality may not reset with
     * a stray byte is TPM_RC_SIZE (the locality is the command's own check,
     * after the parameters); PCR 16 resets. */
    uint32_t pcrs[] = {0x00000020, 0, 16, 16};
    TPM_RC want_reset[] = {TPM_RC_VALUE | H | TPM_RC_1, TPM_RC_SIZE, TPM_RC_SIZE, 0};
    for (int k = 0; k < 4; k++) {
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Reset);
        cb_u32(&c, pcrs[k]);
        cb_pw(&c, "");
        if (k < 3)
            cb_u8(&c, 0);
        assert_int_equal(run(tpm, &c, &r), want_reset[k]);
    }
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Reset);
    cb_u32(&c, 0);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), TPM_RC_LOCALITY);
    qtpm_tpm_free(tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_ticket),
        cmocka_unit_test(test_policy_template),
        cmocka_unit_test(test_policy_authorize_nv),
        cmocka_unit_test(test_policy_signed_params),
        cmocka_unit_test(test_policy_ticket_params),
        cmocka_unit_test(test_policy_secret_authorize_params),
        cmocka_unit_test(test_test_parms),
        cmocka_unit_test(test_handles_before_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
