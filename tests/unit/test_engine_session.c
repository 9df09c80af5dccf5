/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_session.c — HMAC and policy sessions end to end, with the
 * caller's side computed independently here (KDFa from qtpm/kdf.h, HMAC and
 * AES from qtpm/classic.h): unsalted and RSA-salted, bound sessions, command
 * and response HMACs (Part 1 §19.6), AES-CFB parameter encryption (§21),
 * policies (PCR, password, auth value, command code, OR, secret), session
 * context save/load, MakeCredential/ActivateCredential and Quote.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine_test.h"
#include "qtpm/classic.h"
#include "qtpm/kdf.h"

#define A_FIXEDTPM 0x2u
#define A_FIXEDPARENT 0x10u
#define A_SDO 0x20u
#define A_USERWITHAUTH 0x40u
#define A_ADMINWITHPOLICY 0x80u
#define A_NODA 0x400u
#define A_RESTRICTED 0x10000u
#define A_DECRYPT 0x20000u
#define A_SIGN 0x40000u
#define STORAGE (A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_RESTRICTED | A_DECRYPT | A_NODA)

/* ---- the caller's half of a session ---- */
typedef struct {
    uint32_t handle;
    uint8_t key[32];
    size_t key_len;
    uint8_t nonce_tpm[32];
    uint8_t nonce_caller[32];
    int aes;
} client_session;

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* StartAuthSession; salt (if any) was encrypted to tpm_key already. */
static void start_session(qtpm_tpm *tpm, client_session *s, uint8_t type, uint32_t tpm_key,
                          const uint8_t *enc_salt, uint16_t enc_len, const uint8_t *salt,
                          size_t salt_len, uint32_t bind, const char *bind_auth, int aes)
{
    memset(s, 0, sizeof(*s));
    cmdbuf c;
    rspbuf r;
    for (int i = 0; i < 32; i++)
        s->nonce_caller[i] = (uint8_t)(0xA0 + i);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&c, tpm_key);
    cb_u32(&c, bind);
    cb_2b(&c, s->nonce_caller, 32);
    cb_2b(&c, enc_salt, enc_len);
    cb_u8(&c, type);
    if (aes) {
        cb_u16(&c, TPM_ALG_AES);
        cb_u16(&c, 128);
        cb_u16(&c, TPM_ALG_CFB);
    } else {
        cb_u16(&c, TPM_ALG_NULL);
    }
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), 0);
    s->handle = rb_u32(&r);
    uint16_t n;
    memcpy(s->nonce_tpm, rb_2b(&r, &n), 32);
    assert_int_equal(n, 32);
    s->aes = aes;
    uint8_t kin[96];
    size_t kl = 0;
    if (bind_auth) {
        memcpy(kin, bind_auth, strlen(bind_auth));
        kl = strlen(bind_auth);
    }
    if (salt_len) {
        memcpy(kin + kl, salt, salt_len);
        kl += salt_len;
    }
    if (kl) {
        assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, kin, kl, (const uint8_t *)"ATH", 3,
                                   s->nonce_tpm, 32, s->nonce_caller, 32, 256, s->key),
                         0);
        s->key_len = 32;
    }
}

/* Appends an HMAC authorization for session s to c. Call after all
 * parameters are known: params/plen are the (possibly encrypted) parameter
 * bytes, names the handle names. */
static void cb_hmac_auth(cmdbuf *c, client_session *s, uint32_t cc, const uint8_t *names,
                         size_t names_len, const uint8_t *params, size_t plen, const char *auth,
                         uint8_t attrs)
{
    uint8_t cp[32], ccb[4];
    put32(ccb, cc);
    qtpm_hash_ctx h;
    qtpm_hash_init(&h, QTPM_HASH_SHA256);
    qtpm_hash_update(&h, ccb, 4);
    qtpm_hash_update(&h, names, names_len);
    qtpm_hash_update(&h, params, plen);
    qtpm_hash_final(&h, cp);
    uint8_t key[96];
    size_t kl = s->key_len;
    memcpy(key, s->key, kl);
    if (auth) {
        memcpy(key + kl, auth, strlen(auth));
        kl += strlen(auth);
    }
    uint8_t msg[32 + 32 + 32 + 1], mac[32];
    memcpy(msg, cp, 32);
    memcpy(msg + 32, s->nonce_caller, 32);
    memcpy(msg + 64, s->nonce_tpm, 32);
    msg[96] = attrs;
    qtpm_hmac(QTPM_HASH_SHA256, key, kl, msg, sizeof(msg), mac);
    c->auth_at = c->n;
    cb_u32(c, 4 + 2 + 32 + 1 + 2 + 32);
    cb_u32(c, s->handle);
    cb_2b(c, s->nonce_caller, 32);
    cb_u8(c, attrs);
    cb_2b(c, mac, 32);
}

/* Checks the response HMAC and takes the new nonceTPM. r must be positioned
 * at the start of the parameters (after parameterSize). */
static void check_rsp_auth(rspbuf *r, client_session *s, uint32_t cc, size_t param_start,
                           size_t param_len, const char *auth)
{
    uint8_t rp[32], hdr[8];
    put32(hdr, 0);
    put32(hdr + 4, cc);
    qtpm_hash_ctx h;
    qtpm_hash_init(&h, QTPM_HASH_SHA256);
    qtpm_hash_update(&h, hdr, 8);
    qtpm_hash_update(&h, r->b + param_start, param_len);
    qtpm_hash_final(&h, rp);
    r->off = param_start + param_len;
    uint16_t n;
    memcpy(s->nonce_tpm, rb_2b(r, &n), 32);
    uint8_t attrs = rb_u8(r);
    const uint8_t *mac = rb_2b(r, &n);
    assert_int_equal(n, 32);
    uint8_t key[96];
    size_t kl = s->key_len;
    memcpy(key, s->key, kl);
    if (auth) {
        memcpy(key + kl, auth, strlen(auth));
        kl += strlen(auth);
    }
    uint8_t msg[97], expect[32];
    memcpy(msg, rp, 32);
    memcpy(msg + 32, s->nonce_tpm, 32);
    memcpy(msg + 64, s->nonce_caller, 32);
    msg[96] = attrs;
    qtpm_hmac(QTPM_HASH_SHA256, key, kl, msg, sizeof(msg), expect);
    assert_memory_equal(mac, expect, 32);
}

/* ---- templates and helpers (as in test_engine_object.c) ---- */
typedef struct {
    uint8_t b[1024];
    size_t n;
} blob;

static void t16(blob *t, uint16_t v)
{
    t->b[t->n++] = (uint8_t)(v >> 8);
    t->b[t->n++] = (uint8_t)v;
}
static void t32(blob *t, uint32_t v)
{
    t16(t, (uint16_t)(v >> 16));
    t16(t, (uint16_t)v);
}

static blob rsa_template(uint32_t attrs, int sym, uint16_t scheme, const uint8_t *policy)
{
    blob t = {.n = 0};
    t16(&t, TPM_ALG_RSA);
    t16(&t, TPM_ALG_SHA256);
    t32(&t, attrs);
    t16(&t, policy ? 32 : 0);
    if (policy) {
        memcpy(t.b + t.n, policy, 32);
        t.n += 32;
    }
    if (sym) {
        t16(&t, TPM_ALG_AES);
        t16(&t, 128);
        t16(&t, TPM_ALG_CFB);
    } else {
        t16(&t, TPM_ALG_NULL);
    }
    t16(&t, scheme);
    if (scheme != TPM_ALG_NULL)
        t16(&t, TPM_ALG_SHA256);
    t16(&t, 2048);
    t32(&t, 0);
    t16(&t, 0);
    return t;
}

static blob seal_template(const uint8_t *policy, uint32_t extra)
{
    blob t = {.n = 0};
    t16(&t, TPM_ALG_KEYEDHASH);
    t16(&t, TPM_ALG_SHA256);
    t32(&t, A_FIXEDTPM | A_FIXEDPARENT | extra);
    t16(&t, policy ? 32 : 0);
    if (policy) {
        memcpy(t.b + t.n, policy, 32);
        t.n += 32;
    }
    t16(&t, TPM_ALG_NULL);
    t16(&t, 0);
    return t;
}

static void cb_sensitive(cmdbuf *c, const char *auth, const void *data, uint16_t dlen)
{
    uint16_t al = auth ? (uint16_t)strlen(auth) : 0;
    cb_u16(c, (uint16_t)(4 + al + dlen));
    cb_2b(c, auth, al);
    cb_2b(c, data, dlen);
}

static uint32_t primary(qtpm_tpm *tpm, uint32_t hier, const blob *t, uint8_t *pub, uint16_t *pl)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, hier);
    cb_pw(&c, "");
    cb_sensitive(&c, "", NULL, 0);
    cb_2b(&c, t->b, (uint16_t)t->n);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t h = rb_u32(&r);
    rb_u32(&r);
    uint16_t n;
    const uint8_t *p = rb_2b(&r, &n);
    if (pub) {
        memcpy(pub, p, n);
        *pl = n;
    }
    return h;
}

static uint32_t create_load(qtpm_tpm *tpm, uint32_t parent, const blob *t, const char *auth,
                            const void *data, uint16_t dlen, uint8_t *name)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Create);
    cb_u32(&c, parent);
    cb_pw(&c, "");
    cb_sensitive(&c, auth, data, dlen);
    cb_2b(&c, t->b, (uint16_t)t->n);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint16_t pl, ul;
    uint8_t pv[2048], pb[1024];
    const uint8_t *q = rb_2b(&r, &pl);
    memcpy(pv, q, pl);
    q = rb_2b(&r, &ul);
    memcpy(pb, q, ul);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Load);
    cb_u32(&c, parent);
    cb_pw(&c, "");
    cb_2b(&c, pv, pl);
    cb_2b(&c, pb, ul);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t h = rb_u32(&r);
    rb_u32(&r);
    uint16_t nl;
    const uint8_t *nm = rb_2b(&r, &nl);
    if (name)
        memcpy(name, nm, 34);
    return h;
}

/* ---- tests ---- */

static void test_hmac_session(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    client_session s;
    start_session(tpm, &s, TPM_SE_HMAC, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    /* HierarchyChangeAuth(owner) authorized by the HMAC session */
    cmdbuf c;
    rspbuf r;
    uint8_t name[4];
    put32(name, TPM_RH_OWNER);
    uint8_t params[] = {0, 3, 'a', 'b', 'c'};
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    cb_hmac_auth(&c, &s, TPM_CC_HierarchyChangeAuth, name, 4, params, sizeof(params), "", 1);
    cb_bytes(&c, params, sizeof(params));
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t plen = rb_u32(&r);
    assert_int_equal(plen, 0);
    /* the response HMAC already uses the new authValue (Part 1 §19.6.5) */
    check_rsp_auth(&r, &s, TPM_CC_HierarchyChangeAuth, r.off, 0, "abc");

    /* the owner auth is now "abc": the HMAC must include it */
    uint8_t params2[] = {0, 0};
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    cb_hmac_auth(&c, &s, TPM_CC_HierarchyChangeAuth, name, 4, params2, 2, "", 1);
    cb_bytes(&c, params2, 2);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    cb_hmac_auth(&c, &s, TPM_CC_HierarchyChangeAuth, name, 4, params2, 2, "abc", 1);
    cb_bytes(&c, params2, 2);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    check_rsp_auth(&r, &s, TPM_CC_HierarchyChangeAuth, r.off, 0, "");

    /* a nonce replayed from before is refused: nonceTPM moved on */
    uint8_t old[32];
    memcpy(old, s.nonce_tpm, 32);
    s.nonce_tpm[0] ^= 1;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    cb_hmac_auth(&c, &s, TPM_CC_HierarchyChangeAuth, name, 4, params2, 2, "", 1);
    cb_bytes(&c, params2, 2);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
    memcpy(s.nonce_tpm, old, 32);

    /* without continueSession the session ends after the command */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    cb_u32(&c, TPM_RH_OWNER);
    cb_hmac_auth(&c, &s, TPM_CC_HierarchyChangeAuth, name, 4, params2, 2, "", 0);
    cb_bytes(&c, params2, 2);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
    cb_u32(&c, s.handle);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HANDLE | TPM_RC_P | TPM_RC_1);
    qtpm_tpm_free(tpm);
}

/* RSA-salted, bound session with AES-CFB response encryption on Unseal. */
static void test_salted_bound_encrypted(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = rsa_template(STORAGE, 1, TPM_ALG_NULL, NULL);
    uint8_t pub[1024];
    uint16_t pl;
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &st, pub, &pl);
    /* modulus: last TPM2B of the public area */
    const uint8_t *n = pub + pl - 256;
    qtpm_rsa_key *k;
    assert_int_equal(qtpm_rsa_import_public(n, 256, 0, &k), 0);
    uint8_t salt[32], enc[256];
    for (int i = 0; i < 32; i++)
        salt[i] = (uint8_t)(i * 7);
    size_t el;
    assert_int_equal(qtpm_rsa_oaep_encrypt(k, QTPM_HASH_SHA256, (const uint8_t *)"SECRET", 7, salt, 32,
                                           enc, sizeof(enc), &el),
                     0);
    qtpm_rsa_free(k);

    uint8_t seal_name[34];
    blob sealt = seal_template(NULL, A_USERWITHAUTH);
    uint32_t obj = create_load(tpm, srk, &sealt, "pw", "sealed-secret", 13, seal_name);

    client_session s;
    /* bound to the sealed object (bind auth "pw") and salted */
    start_session(tpm, &s, TPM_SE_HMAC, srk, enc, (uint16_t)el, salt, 32, obj, "pw", 1);
    cmdbuf c;
    rspbuf r;
    /* bound to obj: its authValue is not in the HMAC key */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj);
    cb_hmac_auth(&c, &s, TPM_CC_Unseal, seal_name, 34, NULL, 0, NULL, 0x41);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t plen = rb_u32(&r);
    size_t pstart = r.off;
    uint8_t data[13];
    uint16_t dl;
    memcpy(data, rb_2b(&r, &dl), 13);
    assert_int_equal(dl, 13);
    check_rsp_auth(&r, &s, TPM_CC_Unseal, pstart, plen, NULL);
    /* the response was encrypted: decrypt with KDFa(sessionKey ‖ authValue,
     * "CFB", nonceTPM, nonceCaller) — unlike the HMAC key, the encryption
     * key keeps the bind entity's authValue (Part 1 §21), as the
     * reference TPM (swtpm) does */
    assert_memory_not_equal(data, "sealed-secret", 13);
    uint8_t kiv[32], ckey[34];
    memcpy(ckey, s.key, 32);
    memcpy(ckey + 32, "pw", 2);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, ckey, 34, (const uint8_t *)"CFB", 3, s.nonce_tpm, 32,
                               s.nonce_caller, 32, 256, kiv),
                     0);
    assert_int_equal(qtpm_aes_decrypt(QTPM_SYM_CFB, kiv, 16, kiv + 16, data, data, 13), 0);
    assert_memory_equal(data, "sealed-secret", 13);

    /* a wrong salt gives a wrong session key: the HMAC fails */
    client_session bad;
    start_session(tpm, &bad, TPM_SE_HMAC, srk, enc, (uint16_t)el, salt, 32, TPM_RH_NULL, NULL, 0);
    bad.key[0] ^= 1;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj);
    cb_hmac_auth(&c, &bad, TPM_CC_Unseal, seal_name, 34, NULL, 0, "pw", 1);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_AUTH_FAIL | TPM_RC_S | TPM_RC_1);
    /* a corrupted encrypted salt is refused */
    enc[5] ^= 1;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&c, srk);
    cb_u32(&c, TPM_RH_NULL);
    cb_2b(&c, s.nonce_caller, 32);
    cb_2b(&c, enc, (uint16_t)el);
    cb_u8(&c, TPM_SE_HMAC);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | TPM_RC_P | TPM_RC_2);
    qtpm_tpm_free(tpm);
}

static void policy_cmd0(qtpm_tpm *tpm, uint32_t sess, uint32_t cc)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, cc);
    cb_u32(&c, sess);
    assert_int_equal(run(tpm, &c, &r), 0);
}

static uint32_t policy_pcr(qtpm_tpm *tpm, uint32_t sess, unsigned pcr)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyPCR);
    cb_u32(&c, sess);
    cb_u16(&c, 0);
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u8(&c, 3);
    uint8_t sel[3] = {0};
    sel[pcr / 8] = (uint8_t)(1u << (pcr % 8));
    cb_bytes(&c, sel, 3);
    return run(tpm, &c, &r);
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
    assert_int_equal(n, 32);
}

static uint32_t pcr_extend(qtpm_tpm *tpm, unsigned pcr)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&c, pcr);
    cb_pw(&c, "");
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    uint8_t d[32];
    memset(d, 0x11, 32);
    cb_bytes(&c, d, 32);
    return run(tpm, &c, &r);
}

static uint32_t unseal_policy(qtpm_tpm *tpm, client_session *s, uint32_t obj, const uint8_t *name,
                              const char *auth, int password)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj);
    if (password) {
        size_t al = strlen(auth);
        cb_u32(&c, (uint32_t)(4 + 2 + 32 + 1 + 2 + al));
        cb_u32(&c, s->handle);
        cb_2b(&c, s->nonce_caller, 32);
        cb_u8(&c, 1);
        cb_2b(&c, auth, (uint16_t)al);
    } else {
        cb_hmac_auth(&c, s, TPM_CC_Unseal, name, 34, NULL, 0, auth, 1);
    }
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        uint32_t pl = rb_u32(&r);
        size_t ps = r.off;
        if (!password)
            check_rsp_auth(&r, s, TPM_CC_Unseal, ps, pl, auth);
        else {
            r.off = ps + pl;
            uint16_t n;
            memcpy(s->nonce_tpm, rb_2b(&r, &n), 32);
        }
    }
    return rc;
}

static void test_policy_pcr_seal(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = rsa_template(STORAGE, 1, TPM_ALG_NULL, NULL);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &st, NULL, NULL);

    /* trial session: the policy digest of PolicyPCR(sha256:7) */
    client_session t;
    start_session(tpm, &t, TPM_SE_TRIAL, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    assert_int_equal(policy_pcr(tpm, t.handle, 7), 0);
    uint8_t policy[32];
    get_digest(tpm, t.handle, policy);
    /* the same digest computed here: H(0 || CC || selection || H(PCR7)) */
    uint8_t pcrval[32] = {0}, pcrd[32], expect[32];
    qtpm_hash(QTPM_HASH_SHA256, pcrval, 32, pcrd);
    uint8_t buf[32 + 4 + 10 + 32], *p = buf;
    memset(p, 0, 32);
    p += 32;
    put32(p, TPM_CC_PolicyPCR);
    p += 4;
    uint8_t sel[] = {0, 0, 0, 1, 0, 0x0B, 3, 0x80, 0, 0};
    memcpy(p, sel, 10);
    p += 10;
    memcpy(p, pcrd, 32);
    qtpm_hash(QTPM_HASH_SHA256, buf, sizeof(buf), expect);
    assert_memory_equal(policy, expect, 32);

    uint8_t name[34];
    blob sealt = seal_template(policy, 0);
    uint32_t obj = create_load(tpm, srk, &sealt, "", "pcr-bound", 9, name);
    /* a password does not work: userWithAuth is clear */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), TPM_RC_AUTH_UNAVAILABLE); /* format 0, no session number */

    client_session s;
    start_session(tpm, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    assert_int_equal(policy_pcr(tpm, s.handle, 7), 0);
    assert_int_equal(unseal_policy(tpm, &s, obj, name, NULL, 0), 0);
    /* the policy was used up: the session starts afresh (Part 1 §19.7.1) */
    assert_int_equal(unseal_policy(tpm, &s, obj, name, NULL, 0), TPM_RC_POLICY_FAIL | TPM_RC_S | TPM_RC_1);
    assert_int_equal(policy_pcr(tpm, s.handle, 7), 0);
    /* PCR changes after the assertion: TPM_RC_PCR_CHANGED */
    assert_int_equal(pcr_extend(tpm, 1), 0);
    assert_int_equal(unseal_policy(tpm, &s, obj, name, NULL, 0), TPM_RC_PCR_CHANGED);
    /* restart the policy with PCR 7 changed: digest mismatch */
    policy_cmd0(tpm, s.handle, TPM_CC_PolicyRestart);
    assert_int_equal(pcr_extend(tpm, 7), 0);
    assert_int_equal(policy_pcr(tpm, s.handle, 7), 0);
    assert_int_equal(unseal_policy(tpm, &s, obj, name, NULL, 0), TPM_RC_POLICY_FAIL | TPM_RC_S | TPM_RC_1);
    qtpm_tpm_free(tpm);
}

static void test_policy_password_cc_or(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = rsa_template(STORAGE, 1, TPM_ALG_NULL, NULL);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &st, NULL, NULL);
    /* branch A: PolicyPassword + PolicyCommandCode(Unseal);
     * branch B: PolicyAuthValue; policy = PolicyOR(A, B) */
    client_session t;
    start_session(tpm, &t, TPM_SE_TRIAL, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    policy_cmd0(tpm, t.handle, TPM_CC_PolicyPassword);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCommandCode);
    cb_u32(&c, t.handle);
    cb_u32(&c, TPM_CC_Unseal);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint8_t a[32], b[32], policy[32];
    get_digest(tpm, t.handle, a);
    policy_cmd0(tpm, t.handle, TPM_CC_PolicyRestart);
    policy_cmd0(tpm, t.handle, TPM_CC_PolicyAuthValue);
    get_digest(tpm, t.handle, b);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyOR);
    cb_u32(&c, t.handle);
    cb_u32(&c, 2);
    cb_2b(&c, a, 32);
    cb_2b(&c, b, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    get_digest(tpm, t.handle, policy);

    uint8_t name[34];
    blob sealt = seal_template(policy, 0);
    uint32_t obj = create_load(tpm, srk, &sealt, "objpw", "or-sealed", 9, name);

    /* branch A with the plain password in the hmac field */
    client_session s;
    start_session(tpm, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    policy_cmd0(tpm, s.handle, TPM_CC_PolicyPassword);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCommandCode);
    cb_u32(&c, s.handle);
    cb_u32(&c, TPM_CC_Unseal);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyOR);
    cb_u32(&c, s.handle);
    cb_u32(&c, 2);
    cb_2b(&c, a, 32);
    cb_2b(&c, b, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(unseal_policy(tpm, &s, obj, name, "objpwX", 1), TPM_RC_AUTH_FAIL | TPM_RC_S | TPM_RC_1);
    assert_int_equal(unseal_policy(tpm, &s, obj, name, "objpw", 1), 0);

    /* branch B: the HMAC includes the authValue */
    policy_cmd0(tpm, s.handle, TPM_CC_PolicyRestart);
    policy_cmd0(tpm, s.handle, TPM_CC_PolicyAuthValue);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyOR);
    cb_u32(&c, s.handle);
    cb_u32(&c, 2);
    cb_2b(&c, a, 32);
    cb_2b(&c, b, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(unseal_policy(tpm, &s, obj, name, "objpw", 0), 0);

    /* PolicyOR with a digest not in the list */
    policy_cmd0(tpm, s.handle, TPM_CC_PolicyRestart);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyOR);
    cb_u32(&c, s.handle);
    cb_u32(&c, 2);
    cb_2b(&c, a, 32);
    cb_2b(&c, b, 32);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    /* a wrong command code */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCommandCode);
    cb_u32(&c, s.handle);
    cb_u32(&c, TPM_CC_Sign);
    assert_int_equal(run(tpm, &c, &r), 0);
    /* a policy for another command fails the policy check: POLICY_FAIL, as
     * swtpm (the reference implementation) answers (0x99D) */
    assert_int_equal(unseal_policy(tpm, &s, obj, name, "objpw", 1), TPM_RC_POLICY_FAIL | TPM_RC_S | TPM_RC_1);

    /* the policy session survives ContextSave / ContextLoad */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
    cb_u32(&c, s.handle);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint8_t ctx[2048];
    size_t cl = r.n - 10;
    memcpy(ctx, r.b + 10, cl);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyRestart);
    cb_u32(&c, s.handle);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HANDLE | TPM_RC_1);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
    cb_bytes(&c, ctx, cl);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(rb_u32(&r), s.handle);
    /* but only once */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
    cb_bytes(&c, ctx, cl);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HANDLE | TPM_RC_P | TPM_RC_1);
    policy_cmd0(tpm, s.handle, TPM_CC_PolicyRestart);
    qtpm_tpm_free(tpm);
}

/* PolicySecret with the endorsement hierarchy — the EK policy. */
static void test_policy_secret_and_credential(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    client_session t;
    start_session(tpm, &t, TPM_SE_TRIAL, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
    cb_u32(&c, TPM_RH_ENDORSEMENT);
    cb_u32(&c, t.handle);
    cb_pw(&c, "");
    cb_u16(&c, 0);
    cb_u16(&c, 0);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint8_t ek_policy[32];
    get_digest(tpm, t.handle, ek_policy);
    /* the well-known EK policy (TCG EK Credential Profile, template L-1) */
    static const uint8_t known[32] = {0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC,
                                      0x8D, 0x46, 0xA5, 0xD7, 0x24, 0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52,
                                      0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA};
    assert_memory_equal(ek_policy, known, 32);

    blob ekt = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_ADMINWITHPOLICY | A_RESTRICTED |
                                A_DECRYPT,
                            1, TPM_ALG_NULL, ek_policy);
    uint32_t ek = primary(tpm, TPM_RH_ENDORSEMENT, &ekt, NULL, NULL);
    blob srkt = rsa_template(STORAGE, 1, TPM_ALG_NULL, NULL);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &srkt, NULL, NULL);
    blob akt = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_RESTRICTED | A_SIGN |
                                A_NODA,
                            0, TPM_ALG_RSASSA, NULL);
    uint8_t ak_name[34];
    uint32_t ak = create_load(tpm, srk, &akt, "", NULL, 0, ak_name);

    /* MakeCredential (as a CA would, here by the TPM itself) */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_MakeCredential);
    cb_u32(&c, ek);
    cb_2b(&c, "credential-secret", 17);
    cb_2b(&c, ak_name, 34);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t bl, sl;
    uint8_t blobb[256], secret[512];
    const uint8_t *q = rb_2b(&r, &bl);
    memcpy(blobb, q, bl);
    q = rb_2b(&r, &sl);
    memcpy(secret, q, sl);

    /* ActivateCredential: AK by password, EK by PolicySecret(endorsement) */
    client_session s;
    start_session(tpm, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
    cb_u32(&c, TPM_RH_ENDORSEMENT);
    cb_u32(&c, s.handle);
    cb_pw(&c, "");
    cb_u16(&c, 0);
    cb_u16(&c, 0);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);

    /* names: AK, EK */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
    cb_u32(&c, ek);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    rb_2b(&r, &n);
    uint8_t names[68];
    memcpy(names, ak_name, 34);
    memcpy(names + 34, rb_2b(&r, &n), 34);
    uint8_t params[600];
    size_t pl = 0;
    params[pl++] = (uint8_t)(bl >> 8);
    params[pl++] = (uint8_t)bl;
    memcpy(params + pl, blobb, bl);
    pl += bl;
    params[pl++] = (uint8_t)(sl >> 8);
    params[pl++] = (uint8_t)sl;
    memcpy(params + pl, secret, sl);
    pl += sl;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ActivateCredential);
    cb_u32(&c, ak);
    cb_u32(&c, ek);
    /* two authorizations: password for AK, policy HMAC for EK */
    size_t auth_at = c.n;
    cb_u32(&c, 0);
    cb_u32(&c, TPM_RS_PW);
    cb_u16(&c, 0);
    cb_u8(&c, 1);
    cb_u16(&c, 0);
    size_t before = c.n;
    cb_hmac_auth(&c, &s, TPM_CC_ActivateCredential, names, 68, params, pl, NULL, 1);
    /* cb_hmac_auth wrote its own size word; fold it into one area */
    memmove(c.b + before, c.b + before + 4, c.n - before - 4);
    c.n -= 4;
    uint32_t asz = (uint32_t)(c.n - auth_at - 4);
    put32(c.b + auth_at, asz);
    c.auth_at = 0;
    cb_bytes(&c, params, pl);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    const uint8_t *cert = rb_2b(&r, &n);
    assert_int_equal(n, 17);
    assert_memory_equal(cert, "credential-secret", 17);
    qtpm_tpm_free(tpm);
}

static void test_quote(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob srkt = rsa_template(STORAGE, 1, TPM_ALG_NULL, NULL);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &srkt, NULL, NULL);
    blob akt = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_RESTRICTED | A_SIGN |
                                A_NODA,
                            0, TPM_ALG_RSASSA, NULL);
    uint32_t ak = create_load(tpm, srk, &akt, "", NULL, 0, NULL);
    assert_int_equal(pcr_extend(tpm, 0), 0);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Quote);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_2b(&c, "nonce123", 8);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u8(&c, 3);
    cb_u8(&c, 0x01);
    cb_u8(&c, 0);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint16_t al;
    const uint8_t *att = rb_2b(&r, &al);
    uint8_t attest[1024];
    memcpy(attest, att, al);
    assert_int_equal(attest[0], 0xFF);
    assert_memory_equal(attest + 1, "TCG", 3);
    assert_int_equal((attest[4] << 8) | attest[5], TPM_ST_ATTEST_QUOTE);
    size_t sig_start = r.off;
    assert_int_equal(rb_u16(&r), TPM_ALG_RSASSA);
    rb_u16(&r);
    uint16_t sl;
    rb_2b(&r, &sl);
    assert_int_equal(sl, 256);
    uint8_t sig[300];
    size_t sigl = r.off - sig_start;
    memcpy(sig, r.b + sig_start, sigl);
    /* the TPM verifies its own quote */
    uint8_t d[32];
    qtpm_hash(QTPM_HASH_SHA256, attest, al, d);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
    cb_u32(&c, ak);
    cb_2b(&c, d, 32);
    cb_bytes(&c, sig, sigl);
    assert_int_equal(run(tpm, &c, &r), 0);
    /* the attested PCR digest is H(PCR0) */
    uint8_t pcr0[32], pd[32];
    uint8_t cat[64] = {0};
    memset(cat + 32, 0x11, 32);
    qtpm_hash(QTPM_HASH_SHA256, cat, 64, pcr0);
    qtpm_hash(QTPM_HASH_SHA256, pcr0, 32, pd);
    assert_memory_equal(attest + al - 32, pd, 32);
    qtpm_tpm_free(tpm);
}

/* CertifyCreation's creationTicket (parameter 4) is unmarshalled as a
 * TPMT_TK_CREATION (issue 11): a hierarchy that is no TPMI_RH_HIERARCHY+ is
 * TPM_RC_VALUE, another tag TPM_RC_TAG, and a well-formed ticket that does
 * not verify TPM_RC_TICKET, each with the number 4. Unsigned (signHandle
 * NULL), so no key is needed. */
static void test_certify_creation_ticket(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob srkt = rsa_template(STORAGE, 1, TPM_ALG_NULL, NULL);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &srkt, NULL, NULL);
    const TPM_RC P = TPM_RC_P;
    const struct {
        uint16_t tag;
        uint32_t hier;
        TPM_RC want;
    } cases[] = {
        {TPM_ST_CREATION, 0x40000099u, TPM_RC_VALUE | P | TPM_RC_4},
        {TPM_ST_HASHCHECK, TPM_RH_OWNER, TPM_RC_TAG | P | TPM_RC_4},
        {TPM_ST_CREATION, TPM_RH_OWNER, TPM_RC_TICKET | P | TPM_RC_4},
    };
    uint8_t zero[32] = {0};
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        cmdbuf c;
        rspbuf r;
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CertifyCreation);
        cb_u32(&c, TPM_RH_NULL);
        cb_u32(&c, srk);
        cb_pw(&c, "");
        cb_2b(&c, "", 0);
        cb_2b(&c, zero, 32);
        cb_u16(&c, TPM_ALG_NULL);
        cb_u16(&c, cases[k].tag);
        cb_u32(&c, cases[k].hier);
        cb_2b(&c, zero, 32);
        assert_int_equal(run(tpm, &c, &r), cases[k].want);
    }
    qtpm_tpm_free(tpm);
}

/* Duplicate under an inner and an outer wrapper, Import elsewhere, and
 * the imported key signs like the original. */
static void test_duplicate_import(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob srkt = rsa_template(STORAGE, 1, TPM_ALG_NULL, NULL);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &srkt, NULL, NULL);
    uint32_t np = primary(tpm, TPM_RH_ENDORSEMENT, &srkt, NULL, NULL);
    /* policy: PolicyCommandCode(Duplicate) */
    uint8_t pol_in[32 + 8] = {0}, policy[32];
    put32(pol_in + 32, TPM_CC_PolicyCommandCode);
    put32(pol_in + 36, TPM_CC_Duplicate);
    qtpm_hash(QTPM_HASH_SHA256, pol_in, sizeof(pol_in), policy);
    blob kt = rsa_template(A_SDO | A_USERWITHAUTH | A_SIGN | A_NODA, 0, TPM_ALG_RSASSA, policy);
    uint8_t kname[34];
    uint32_t key = create_load(tpm, srk, &kt, "", NULL, 0, kname);

    client_session s;
    start_session(tpm, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCommandCode);
    cb_u32(&c, s.handle);
    cb_u32(&c, TPM_CC_Duplicate);
    assert_int_equal(run(tpm, &c, &r), 0);
    /* names of object and new parent */
    uint8_t names[68];
    memcpy(names, kname, 34);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
    cb_u32(&c, np);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    rb_2b(&r, &n);
    memcpy(names + 34, rb_2b(&r, &n), 34);
    uint8_t params[] = {0, 0, 0x00, 0x06, 0x00, 0x80, 0x00, 0x43};
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Duplicate);
    cb_u32(&c, key);
    cb_u32(&c, np);
    cb_hmac_auth(&c, &s, TPM_CC_Duplicate, names, 68, params, sizeof(params), NULL, 1);
    cb_bytes(&c, params, sizeof(params));
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint8_t ekey[16], dup[2048], seed[512];
    uint16_t kl, dl, sl;
    const uint8_t *q = rb_2b(&r, &kl);
    assert_int_equal(kl, 16);
    memcpy(ekey, q, 16);
    q = rb_2b(&r, &dl);
    memcpy(dup, q, dl);
    q = rb_2b(&r, &sl);
    memcpy(seed, q, sl);
    assert_int_equal(sl, 256);

    /* the key's public area, for Import */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
    cb_u32(&c, key);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t pl;
    uint8_t pub[1024];
    q = rb_2b(&r, &pl);
    memcpy(pub, q, pl);

    /* Import with a wrong inner key fails the inner integrity check */
    for (int round = 0; round < 2; round++) {
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Import);
        cb_u32(&c, np);
        cb_pw(&c, "");
        uint8_t k2[16];
        memcpy(k2, ekey, 16);
        if (round == 0)
            k2[0] ^= 1;
        cb_2b(&c, k2, 16);
        cb_2b(&c, pub, pl);
        cb_2b(&c, dup, dl);
        cb_2b(&c, seed, sl);
        cb_u16(&c, TPM_ALG_AES);
        cb_u16(&c, 128);
        cb_u16(&c, TPM_ALG_CFB);
        uint32_t rc = run(tpm, &c, &r);
        if (round == 0) {
            assert_int_equal(rc, TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_3);
            continue;
        }
        assert_int_equal(rc, 0);
    }
    rb_u32(&r);
    uint16_t ipl;
    uint8_t ipriv[2048];
    q = rb_2b(&r, &ipl);
    memcpy(ipriv, q, ipl);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Load);
    cb_u32(&c, np);
    cb_pw(&c, "");
    cb_2b(&c, ipriv, ipl);
    cb_2b(&c, pub, pl);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t imported = rb_u32(&r);
    /* sign with the imported copy, verify with the original */
    uint8_t digest[32];
    qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"dup", 3, digest);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, imported);
    cb_pw(&c, "");
    cb_2b(&c, digest, 32);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ST_HASHCHECK);
    cb_u32(&c, TPM_RH_NULL);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint8_t sig[400];
    size_t sigl = r.n - r.off - 5; /* minus the password response area */
    memcpy(sig, r.b + r.off, sigl);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
    cb_u32(&c, key);
    cb_2b(&c, digest, 32);
    cb_bytes(&c, sig, sigl);
    assert_int_equal(run(tpm, &c, &r), 0);

    /* a fixedParent object cannot be duplicated */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Duplicate);
    cb_u32(&c, srk);
    cb_u32(&c, np);
    cb_pw(&c, "");
    cb_bytes(&c, params, sizeof(params));
    assert_int_equal(run(tpm, &c, &r), TPM_RC_AUTH_UNAVAILABLE); /* format 0, no session number */
    qtpm_tpm_free(tpm);
}

static uint32_t policy_nv(qtpm_tpm *tpm, uint32_t sess, const char *operand, uint16_t op)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PolicyNV);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 0x01000020);
    cb_u32(&c, sess);
    cb_pw(&c, "");
    cb_2b(&c, operand, (uint16_t)strlen(operand));
    cb_u16(&c, 2);
    cb_u16(&c, op);
    return run(tpm, &c, &r);
}

/* PolicyNV and PolicyCounterTimer: trial and real sessions agree when the
 * comparison holds; TPM_RC_POLICY when it does not. */
static void test_policy_nv_counter_timer(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u16(&c, 0);
    cb_u16(&c, 14);
    cb_u32(&c, 0x01000020);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD);
    cb_u16(&c, 0);
    cb_u16(&c, 8);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 0x01000020);
    cb_pw(&c, "");
    cb_2b(&c, "abcdefgh", 8);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);

    client_session t, s;
    start_session(tpm, &t, TPM_SE_TRIAL, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    start_session(tpm, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    assert_int_equal(policy_nv(tpm, t.handle, "cd", TPM_EO_EQ), 0);
    assert_int_equal(policy_nv(tpm, s.handle, "cd", TPM_EO_EQ), 0);
    uint8_t dt[32], ds[32];
    get_digest(tpm, t.handle, dt);
    get_digest(tpm, s.handle, ds);
    assert_memory_equal(dt, ds, 32);
    assert_int_equal(policy_nv(tpm, s.handle, "cc", TPM_EO_EQ), TPM_RC_POLICY);
    assert_int_equal(policy_nv(tpm, s.handle, "cc", TPM_EO_UNSIGNED_GT), 0);
    assert_int_equal(policy_nv(tpm, s.handle, "ce", TPM_EO_UNSIGNED_LT), 0);
    assert_int_equal(policy_nv(tpm, s.handle, "ce", TPM_EO_UNSIGNED_GE), TPM_RC_POLICY);
    assert_int_equal(policy_nv(tpm, s.handle, "cd", 0x77), TPM_RC_VALUE | TPM_RC_P | TPM_RC_3);

    /* resetCount (offset 16 of TPMS_TIME_INFO) equals the one ReadClock gives */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u64(&r);
    rb_u64(&r);
    uint32_t resets = rb_u32(&r);
    uint8_t operand[4];
    put32(operand, resets);
    for (int k = 0; k < 2; k++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCounterTimer);
        cb_u32(&c, s.handle);
        cb_2b(&c, operand, 4);
        cb_u16(&c, 16);
        cb_u16(&c, TPM_EO_EQ);
        assert_int_equal(run(tpm, &c, &r), k == 0 ? 0 : TPM_RC_POLICY);
        operand[3] ^= 1;
    }
    qtpm_tpm_free(tpm);
}

/* PolicyAuthorize with a VerifySignature ticket, and PolicySigned. */
static void test_policy_authorize_signed(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob srkt = rsa_template(STORAGE, 1, TPM_ALG_NULL, NULL);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &srkt, NULL, NULL);
    blob kt = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_SIGN | A_NODA, 0,
                           TPM_ALG_RSASSA, NULL);
    uint8_t kname[34];
    uint32_t k = create_load(tpm, srk, &kt, "", NULL, 0, kname);

    /* approvedPolicy = PolicyPassword's digest */
    client_session t;
    start_session(tpm, &t, TPM_SE_TRIAL, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    policy_cmd0(tpm, t.handle, TPM_CC_PolicyPassword);
    uint8_t approved[32];
    get_digest(tpm, t.handle, approved);
    /* the authority signs aHash = H(approvedPolicy || policyRef) */
    uint8_t ahash[32], sig[400];
    qtpm_hash(QTPM_HASH_SHA256, approved, 32, ahash);
    size_t sl = tpm_sign_sha256(tpm, k, ahash, sig);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
    cb_u32(&c, k);
    cb_2b(&c, ahash, 32);
    cb_bytes(&c, sig, sl);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint8_t ticket[80];
    size_t tl = r.n - r.off;
    memcpy(ticket, r.b + r.off, tl);

    /* trial: PolicyAuthorize checks nothing */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
    cb_u32(&c, t.handle);
    cb_2b(&c, approved, 32);
    cb_u16(&c, 0);
    cb_2b(&c, kname, 34);
    cb_bytes(&c, ticket, tl);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint8_t dt[32], ds[32];
    get_digest(tpm, t.handle, dt);

    client_session s;
    start_session(tpm, &s, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    policy_cmd0(tpm, s.handle, TPM_CC_PolicyPassword);
    /* a forged ticket */
    ticket[tl - 1] ^= 1;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
    cb_u32(&c, s.handle);
    cb_2b(&c, approved, 32);
    cb_u16(&c, 0);
    cb_2b(&c, kname, 34);
    cb_bytes(&c, ticket, tl);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_TICKET | TPM_RC_P | TPM_RC_4);
    ticket[tl - 1] ^= 1;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
    cb_u32(&c, s.handle);
    cb_2b(&c, approved, 32);
    cb_u16(&c, 0);
    cb_2b(&c, kname, 34);
    cb_bytes(&c, ticket, tl);
    assert_int_equal(run(tpm, &c, &r), 0);
    get_digest(tpm, s.handle, ds);
    assert_memory_equal(dt, ds, 32);
    /* the session's digest must be the approved one */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
    cb_u32(&c, s.handle);
    cb_2b(&c, approved, 32);
    cb_u16(&c, 0);
    cb_2b(&c, kname, 34);
    cb_bytes(&c, ticket, tl);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    /* a v1.85 TPM_ST_DIGEST_VERIFIED ticket (metadata before the hmac) is
     * read whole and refused by its tag */
    client_session s2;
    start_session(tpm, &s2, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    policy_cmd0(tpm, s2.handle, TPM_CC_PolicyPassword);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
    cb_u32(&c, s2.handle);
    cb_2b(&c, approved, 32);
    cb_u16(&c, 0);
    cb_2b(&c, kname, 34);
    cb_u16(&c, TPM_ST_DIGEST_VERIFIED);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_2b(&c, ticket + tl - 32, 32);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_TAG | TPM_RC_P | TPM_RC_4);

    /* PolicySigned: the authority signs H(nonceTPM || expiration || cpHashA || policyRef) */
    client_session p;
    start_session(tpm, &p, TPM_SE_POLICY, TPM_RH_NULL, NULL, 0, NULL, 0, TPM_RH_NULL, NULL, 0);
    uint8_t msg[36] = {0};
    memcpy(msg, p.nonce_tpm, 32);
    qtpm_hash(QTPM_HASH_SHA256, msg, 36, ahash);
    sl = tpm_sign_sha256(tpm, k, ahash, sig);
    for (int round = 0; round < 2; round++) {
        if (round == 0)
            sig[sl - 1] ^= 1;
        else
            sig[sl - 1] ^= 1;
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicySigned);
        cb_u32(&c, k);
        cb_u32(&c, p.handle);
        cb_2b(&c, p.nonce_tpm, 32);
        cb_u16(&c, 0);
        cb_u16(&c, 0);
        cb_u32(&c, 0);
        cb_bytes(&c, sig, sl);
        assert_int_equal(run(tpm, &c, &r), round == 0 ? (TPM_RC_SIGNATURE | TPM_RC_P | TPM_RC_5) : 0);
    }
    /* digest = H(H(0 || CC_PolicySigned || keyName) || policyRef) */
    uint8_t buf[70] = {0}, expect[32];
    put32(buf + 32, TPM_CC_PolicySigned);
    memcpy(buf + 36, kname, 34);
    qtpm_hash(QTPM_HASH_SHA256, buf, 70, expect);
    qtpm_hash(QTPM_HASH_SHA256, expect, 32, expect);
    get_digest(tpm, p.handle, ds);
    assert_memory_equal(ds, expect, 32);
    qtpm_tpm_free(tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hmac_session),
        cmocka_unit_test(test_salted_bound_encrypted),
        cmocka_unit_test(test_policy_pcr_seal),
        cmocka_unit_test(test_policy_password_cc_or),
        cmocka_unit_test(test_policy_secret_and_credential),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_certify_creation_ticket),
        cmocka_unit_test(test_duplicate_import),
        cmocka_unit_test(test_policy_nv_counter_timer),
        cmocka_unit_test(test_policy_authorize_signed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
