/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ct_engine.c — the constant-time test of the engine's secret-keyed checks
 * (issue 11 item 3), with the ctgrind technique of ct_pqc.c: the engine,
 * crypto and marshalling sources are compiled again with QTPM_CT_TESTING, a
 * TPM is started in memory, and its hierarchy proofs and the owner's
 * authValue are marked undefined for valgrind memcheck. Then every command
 * that computes or checks something keyed by them runs, with a right and a
 * wrong input each:
 *   - password and HMAC-session authorization of the owner (authValue),
 *   - Sign of a restricted key with TPM2_Hash's hash-check ticket,
 *   - VerifySignature's verified ticket, checked by PolicyAuthorize,
 *   - PolicySecret's authorization ticket, checked by PolicyTicket,
 *   - CreatePrimary's creation ticket, checked by CertifyCreation,
 *   - ContextSave / ContextLoad (integrity HMAC under the proof),
 *   - SignDigest of a restricted HashML-DSA key with a hash-check ticket,
 *   - an HMAC key with secret key bits and authValue: its password
 *     authorization, TPM2_HMAC and VerifySignature of an HMAC signature.
 * Memcheck reports any branch or memory address computed from the undefined
 * bytes: a memcmp on a ticket, an early exit in a MAC check. The one place a
 * secret-derived value becomes public is the verdict of ct_equal() (ct.h),
 * which declassifies its result: equal or not is what the response code says.
 * Responses are declassified after qtpm_tpm_execute returns (they go to the
 * caller), before this program reads them. CTest runs it under
 * `valgrind --error-exitcode=1`, so any report fails the test; the checks
 * of right/wrong results make sure the paths really ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <valgrind/memcheck.h>

#include "tpm.h"
#include "object.h"
#include "qtpm/engine.h"
#include "qtpm/tpm2_types.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int failures;

static uint32_t last_rc;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "ct_engine: (last response code 0x%03x)\n", (unsigned)last_rc);
        fprintf(stderr, "ct_engine: %s failed\n", what);
        failures++;
    }
}

/* ---- command building (big-endian, as a TSS sends it) ---- */

typedef struct {
    uint8_t b[QTPM_MAX_COMMAND_SIZE];
    size_t n, auth_at, param_at;
} cmd;

typedef struct {
    uint8_t b[QTPM_MAX_RESPONSE_SIZE];
    size_t n, off;
    int bad; /* a read ran past the end */
} rsp;

static void c_u8(cmd *c, uint8_t v) { c->b[c->n++] = v; }
static void c_u16(cmd *c, uint16_t v)
{
    c_u8(c, (uint8_t)(v >> 8));
    c_u8(c, (uint8_t)v);
}
static void c_u32(cmd *c, uint32_t v)
{
    c_u16(c, (uint16_t)(v >> 16));
    c_u16(c, (uint16_t)v);
}
static void c_bytes(cmd *c, const void *p, size_t n)
{
    if (n)
        memcpy(c->b + c->n, p, n);
    c->n += n;
}
static void c_2b(cmd *c, const void *p, size_t n)
{
    c_u16(c, (uint16_t)n);
    c_bytes(c, p, n);
}
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void c_start(cmd *c, uint16_t tag, uint32_t cc)
{
    c->n = c->auth_at = c->param_at = 0;
    c_u16(c, tag);
    c_u32(c, 0);
    c_u32(c, cc);
}

/* A password authorization area (after the handles). */
static void c_pw(cmd *c, const char *pw)
{
    c_u32(c, (uint32_t)(4 + 2 + 1 + 2 + strlen(pw)));
    c_u32(c, TPM_RS_PW);
    c_u16(c, 0);
    c_u8(c, 1);
    c_2b(c, pw, strlen(pw));
}

static uint8_t r_u8(rsp *r)
{
    if (r->off + 1 > r->n) {
        r->bad = 1;
        return 0;
    }
    return r->b[r->off++];
}
static uint16_t r_u16(rsp *r)
{
    uint16_t v = (uint16_t)(r_u8(r) << 8);
    return (uint16_t)(v | r_u8(r));
}
static uint32_t r_u32(rsp *r)
{
    uint32_t v = (uint32_t)r_u16(r) << 16;
    return v | r_u16(r);
}
static const uint8_t *r_bytes(rsp *r, size_t n)
{
    if (r->off + n > r->n) {
        r->bad = 1;
        return r->b;
    }
    const uint8_t *p = r->b + r->off;
    r->off += n;
    return p;
}
static const uint8_t *r_2b(rsp *r, uint16_t *n)
{
    *n = r_u16(r);
    return r_bytes(r, *n);
}

/* Runs a command; the response is public once it leaves the TPM. Returns the
 * response code; the cursor is after the header. */
static uint32_t run(qtpm_tpm *tpm, cmd *c, rsp *r)
{
    put32(c->b + 2, (uint32_t)c->n);
    r->n = qtpm_tpm_execute(tpm, 0, c->b, c->n, r->b, sizeof r->b);
    PUBLIC(r->b, r->n);
    r->off = 0;
    r->bad = 0;
    r_u16(r);
    r_u32(r);
    last_rc = r_u32(r);
    return last_rc;
}

/* ---- objects ---- */

#define A_FIXEDTPM 0x00000002U
#define A_FIXEDPARENT 0x00000010U
#define A_SDO 0x00000020U
#define A_USERWITHAUTH 0x00000040U
#define A_NODA 0x00000400U
#define A_RESTRICTED 0x00010000U
#define A_SIGN 0x00040000U

typedef struct {
    uint32_t handle;
    uint8_t name[66];
    uint16_t name_len;
    uint8_t creation_hash[64];
    uint16_t creation_hash_len;
    uint8_t ticket[80]; /* TPMT_TK_CREATION as marshalled */
    size_t ticket_len;
} object;

/* TPMT_PUBLIC templates: ECC P-256 ECDSA, HashML-DSA-65 (SHA-256), HMAC. */
typedef struct {
    uint8_t b[128];
    size_t n;
} tmpl;

static void t16(tmpl *t, uint16_t v)
{
    t->b[t->n++] = (uint8_t)(v >> 8);
    t->b[t->n++] = (uint8_t)v;
}

static void t_head(tmpl *t, uint16_t type, uint32_t attrs)
{
    t->n = 0;
    t16(t, type);
    t16(t, TPM_ALG_SHA256);
    t16(t, (uint16_t)(attrs >> 16));
    t16(t, (uint16_t)attrs);
    t16(t, 0); /* authPolicy */
}

static tmpl ecc_template(uint32_t attrs)
{
    tmpl t;
    t_head(&t, TPM_ALG_ECC, attrs);
    t16(&t, TPM_ALG_NULL);
    t16(&t, TPM_ALG_ECDSA);
    t16(&t, TPM_ALG_SHA256);
    t16(&t, TPM_ECC_NIST_P256);
    t16(&t, TPM_ALG_NULL);
    t16(&t, 0);
    t16(&t, 0);
    return t;
}

static tmpl hmldsa_template(uint32_t attrs)
{
    tmpl t;
    t_head(&t, TPM_ALG_HASH_MLDSA, attrs);
    t16(&t, TPM_MLDSA_65);
    t16(&t, TPM_ALG_SHA256);
    t16(&t, 0);
    return t;
}

static tmpl hmac_template(uint32_t attrs)
{
    tmpl t;
    t_head(&t, TPM_ALG_KEYEDHASH, attrs);
    t16(&t, TPM_ALG_HMAC);
    t16(&t, TPM_ALG_SHA256);
    t16(&t, 0);
    return t;
}

static uint32_t create_primary_t(qtpm_tpm *tpm, const char *owner_pw, const tmpl *t,
                                 const char *user_auth, object *o)
{
    cmd c;
    rsp r;
    c_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    c_u32(&c, TPM_RH_OWNER);
    c_pw(&c, owner_pw);
    c_u16(&c, (uint16_t)(4 + strlen(user_auth)));
    c_2b(&c, user_auth, strlen(user_auth));
    c_u16(&c, 0);
    c_2b(&c, t->b, t->n);
    c_u16(&c, 0); /* outsideInfo */
    c_u32(&c, 0); /* creationPCR: none */
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    uint16_t n;
    o->handle = r_u32(&r);
    r_u32(&r);
    r_2b(&r, &n); /* outPublic */
    r_2b(&r, &n); /* creationData */
    const uint8_t *p = r_2b(&r, &o->creation_hash_len);
    memcpy(o->creation_hash, p, o->creation_hash_len);
    size_t t0 = r.off;
    r_u16(&r);
    r_u32(&r);
    r_2b(&r, &n);
    o->ticket_len = r.off - t0;
    memcpy(o->ticket, r.b + t0, o->ticket_len);
    p = r_2b(&r, &o->name_len);
    memcpy(o->name, p, o->name_len);
    return r.bad ? 1 : 0;
}

static uint32_t create_primary(qtpm_tpm *tpm, const char *owner_pw, uint32_t attrs, object *o)
{
    tmpl t = ecc_template(attrs);
    return create_primary_t(tpm, owner_pw, &t, "", o);
}

/* The engine's copy of a loaded object (to mark its secrets). */
static tpm_object *loaded(qtpm_tpm *tpm, uint32_t handle)
{
    for (int i = 0; i < MAX_LOADED_OBJECTS; i++)
        if (tpm->objects[i] && tpm->objects[i]->handle == handle)
            return tpm->objects[i];
    return NULL;
}

/* Sign(digest) with an optional hash-check ticket; the TPMT_SIGNATURE out. */
static uint32_t sign(qtpm_tpm *tpm, uint32_t key, const uint8_t digest[32], const uint8_t *ticket,
                     size_t ticket_len, uint8_t *sig, size_t *sig_len)
{
    cmd c;
    rsp r;
    c_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    c_u32(&c, key);
    c_pw(&c, "");
    c_2b(&c, digest, 32);
    c_u16(&c, TPM_ALG_NULL);
    if (ticket) {
        c_bytes(&c, ticket, ticket_len);
    } else {
        c_u16(&c, TPM_ST_HASHCHECK);
        c_u32(&c, TPM_RH_NULL);
        c_u16(&c, 0);
    }
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    *sig_len = r_u32(&r); /* parameterSize: the signature, before the auth area */
    memcpy(sig, r_bytes(&r, *sig_len), *sig_len);
    return r.bad ? 1 : 0;
}

static void sha256(const void *a, size_t an, const void *b, size_t bn, uint8_t out[32])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 32;
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    EVP_DigestUpdate(ctx, a, an);
    if (bn)
        EVP_DigestUpdate(ctx, b, bn);
    EVP_DigestFinal_ex(ctx, out, &len);
    EVP_MD_CTX_free(ctx);
}

static uint32_t start_session(qtpm_tpm *tpm, uint8_t type, uint8_t nonce_tpm[32])
{
    cmd c;
    rsp r;
    uint8_t nc[32] = {7};
    c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    c_u32(&c, TPM_RH_NULL);
    c_u32(&c, TPM_RH_NULL);
    c_2b(&c, nc, sizeof nc);
    c_u16(&c, 0);
    c_u8(&c, type);
    c_u16(&c, TPM_ALG_NULL);
    c_u16(&c, TPM_ALG_SHA256);
    if (run(tpm, &c, &r))
        return 0;
    uint32_t h = r_u32(&r);
    uint16_t n;
    const uint8_t *p = r_2b(&r, &n);
    if (nonce_tpm && n == 32)
        memcpy(nonce_tpm, p, 32);
    return h;
}

/* ---- the checks ---- */

#define OWNER_PW "owner-secret-7"

/* Password and HMAC-session authorization of the owner, right and wrong. */
static void auth_checks(qtpm_tpm *tpm)
{
    object o;
    check(create_primary(tpm, OWNER_PW, A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH |
                                            A_NODA | A_SIGN, &o) == 0,
          "owner password accepted");
    check(create_primary(tpm, "owner-secret-8", A_FIXEDTPM | A_FIXEDPARENT | A_SDO |
                                                    A_USERWITHAUTH | A_NODA | A_SIGN, &o) ==
              (TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1),
          "wrong owner password refused (TPM_RC_BAD_AUTH: the owner is not DA-protected)");

    /* An unbound, unsalted HMAC session: the HMAC key is the owner's
     * authValue alone (Part 1 §19.6.5, §19.6.11). The command is
     * HierarchyChangeAuth(owner, newAuth = the same value). */
    for (int wrong = 0; wrong < 2; wrong++) {
        uint8_t nonce_tpm[32], nonce_caller[32] = {3, 1, 4};
        uint32_t s = start_session(tpm, TPM_SE_HMAC, nonce_tpm);
        check(s != 0, "HMAC session started");
        cmd c;
        rsp r;
        c_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
        c_u32(&c, TPM_RH_OWNER);
        size_t auth_at = c.n;
        c_u32(&c, 0);
        c_u32(&c, s);
        c_2b(&c, nonce_caller, sizeof nonce_caller);
        c_u8(&c, 0);
        c_u16(&c, 32);
        size_t hmac_at = c.n;
        c.n += 32;
        put32(c.b + auth_at, (uint32_t)(c.n - auth_at - 4));
        size_t param_at = c.n;
        c_2b(&c, OWNER_PW, strlen(OWNER_PW));
        /* cpHash = H(commandCode ‖ Name(owner) ‖ parameters) */
        uint8_t pre[8 + 64], cp[32], msg[32 + 32 + 32 + 1], key[] = OWNER_PW;
        put32(pre, TPM_CC_HierarchyChangeAuth);
        put32(pre + 4, TPM_RH_OWNER);
        sha256(pre, 8, c.b + param_at, c.n - param_at, cp);
        memcpy(msg, cp, 32);
        memcpy(msg + 32, nonce_caller, 32);
        memcpy(msg + 64, nonce_tpm, 32);
        msg[96] = 0;
        unsigned int hl = 32;
        HMAC(EVP_sha256(), key, (int)strlen(OWNER_PW), msg, sizeof msg, c.b + hmac_at, &hl);
        if (wrong)
            c.b[hmac_at + 5] ^= 0x01;
        uint32_t rc = run(tpm, &c, &r);
        if (wrong)
            check(rc == (TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1), "wrong session HMAC refused");
        else
            check(rc == 0, "session HMAC accepted");
        if (!rc) {
            /* newAuth came from the command: defined again; it is secret */
            SECRET(tpm->ps.owner_auth.b, tpm->ps.owner_auth.size);
        }
    }
}

/* Sign of a restricted key with TPM2_Hash's hash-check ticket (asym.c). */
static void hashcheck_checks(qtpm_tpm *tpm)
{
    object ak;
    check(create_primary(tpm, OWNER_PW, A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH |
                                            A_NODA | A_SIGN | A_RESTRICTED, &ak) == 0,
          "restricted key created");
    cmd c;
    rsp r;
    c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    c_2b(&c, "the message", 11);
    c_u16(&c, TPM_ALG_SHA256);
    c_u32(&c, TPM_RH_OWNER);
    check(run(tpm, &c, &r) == 0, "Hash");
    uint16_t n;
    uint8_t digest[32], ticket[80], sig[200];
    const uint8_t *d = r_2b(&r, &n);
    check(n == 32, "Hash's digest");
    memcpy(digest, d, 32);
    size_t tl = r.n - r.off, sl;
    memcpy(ticket, r.b + r.off, tl);
    check(sign(tpm, ak.handle, digest, ticket, tl, sig, &sl) == 0, "Sign with the ticket");
    ticket[tl - 1] ^= 0x40;
    check(sign(tpm, ak.handle, digest, ticket, tl, sig, &sl) ==
              (TPM_RC_TICKET | TPM_RC_P | TPM_RC_3),
          "Sign with a forged ticket refused");
}

/* VerifySignature → verified ticket → PolicyAuthorize (asym.c, policy.c). */
static void verified_checks(qtpm_tpm *tpm, const object *key)
{
    uint8_t approved[32] = {0}, ahash[32], sig[200];
    const char *ref = "ref";
    sha256(approved, 32, ref, 3, ahash);
    size_t sl;
    check(sign(tpm, key->handle, ahash, NULL, 0, sig, &sl) == 0, "Sign aHash");
    cmd c;
    rsp r;
    c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
    c_u32(&c, key->handle);
    c_2b(&c, ahash, 32);
    c_bytes(&c, sig, sl);
    check(run(tpm, &c, &r) == 0, "VerifySignature");
    uint8_t ticket[80];
    size_t tl = r.n - r.off;
    memcpy(ticket, r.b + r.off, tl);
    for (int wrong = 0; wrong < 2; wrong++) {
        uint32_t s = start_session(tpm, TPM_SE_POLICY, NULL);
        if (wrong)
            ticket[tl - 2] ^= 0x10;
        c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyAuthorize);
        c_u32(&c, s);
        c_2b(&c, approved, 32);
        c_2b(&c, ref, 3);
        c_2b(&c, key->name, key->name_len);
        c_bytes(&c, ticket, tl);
        uint32_t rc = run(tpm, &c, &r);
        if (wrong)
            check(rc != 0, "PolicyAuthorize with a forged ticket refused");
        else
            check(rc == 0, "PolicyAuthorize with the ticket");
    }
}

/* PolicySecret's ticket (expiration < 0) → PolicyTicket (policy.c). */
static void auth_ticket_checks(qtpm_tpm *tpm)
{
    uint8_t nonce[32];
    uint32_t s = start_session(tpm, TPM_SE_POLICY, nonce);
    cmd c;
    rsp r;
    c_start(&c, TPM_ST_SESSIONS, TPM_CC_PolicySecret);
    c_u32(&c, TPM_RH_OWNER);
    c_u32(&c, s);
    c_pw(&c, OWNER_PW);
    c_2b(&c, nonce, 32);
    c_u16(&c, 0);
    c_2b(&c, "r", 1);
    c_u32(&c, (uint32_t)-60);
    check(run(tpm, &c, &r) == 0, "PolicySecret");
    r_u32(&r);
    uint16_t tlen, dlen, tag;
    uint8_t timeout[16], digest[64];
    const uint8_t *p = r_2b(&r, &tlen);
    check(tlen == 8 && !r.bad, "PolicySecret's ticket timeout");
    memcpy(timeout, p, 8);
    tag = r_u16(&r);
    uint32_t hier = r_u32(&r);
    p = r_2b(&r, &dlen);
    check(dlen == 32 && !r.bad, "PolicySecret's ticket");
    memcpy(digest, p, 32);
    for (int wrong = 0; wrong < 2; wrong++) {
        uint32_t s2 = start_session(tpm, TPM_SE_POLICY, NULL);
        if (wrong)
            digest[0] ^= 0x01;
        c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyTicket);
        c_u32(&c, s2);
        c_2b(&c, timeout, 8);
        c_u16(&c, 0);
        c_2b(&c, "r", 1);
        uint8_t owner_name[4];
        put32(owner_name, TPM_RH_OWNER);
        c_2b(&c, owner_name, 4);
        c_u16(&c, tag);
        c_u32(&c, hier);
        c_2b(&c, digest, 32);
        uint32_t rc = run(tpm, &c, &r);
        if (wrong)
            check(rc == (TPM_RC_TICKET | TPM_RC_P | TPM_RC_5), "PolicyTicket forged refused");
        else
            check(rc == 0, "PolicyTicket");
    }
}

/* CreatePrimary's creation ticket → CertifyCreation (attest.c). */
static void creation_checks(qtpm_tpm *tpm, const object *signer)
{
    object o;
    check(create_primary(tpm, OWNER_PW, A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH |
                                            A_NODA | A_SIGN, &o) == 0,
          "object to certify");
    for (int wrong = 0; wrong < 2; wrong++) {
        if (wrong)
            o.ticket[o.ticket_len - 3] ^= 0x08;
        cmd c;
        rsp r;
        c_start(&c, TPM_ST_SESSIONS, TPM_CC_CertifyCreation);
        c_u32(&c, signer->handle);
        c_u32(&c, o.handle);
        c_pw(&c, "");
        c_2b(&c, "q", 1);
        c_2b(&c, o.creation_hash, o.creation_hash_len);
        c_u16(&c, TPM_ALG_NULL);
        c_bytes(&c, o.ticket, o.ticket_len);
        uint32_t rc = run(tpm, &c, &r);
        if (wrong)
            check(rc == (TPM_RC_TICKET | TPM_RC_P | TPM_RC_4), "CertifyCreation forged refused");
        else
            check(rc == 0, "CertifyCreation");
    }
}

/* ContextSave / ContextLoad: integrity HMAC keyed by the proof (context.c). */
static void context_checks(qtpm_tpm *tpm, const object *o)
{
    cmd c;
    rsp r;
    c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
    c_u32(&c, o->handle);
    check(run(tpm, &c, &r) == 0, "ContextSave");
    uint8_t ctx[QTPM_MAX_RESPONSE_SIZE];
    size_t cl = r.n - r.off;
    memcpy(ctx, r.b + r.off, cl);
    for (int wrong = 0; wrong < 2; wrong++) {
        if (wrong)
            ctx[8 + 4 + 4 + 2 + 1] ^= 0x20; /* inside the integrity HMAC */
        c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
        c_bytes(&c, ctx, cl);
        uint32_t rc = run(tpm, &c, &r);
        if (wrong) {
            check(rc == (TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_1), "tampered context refused");
        } else {
            check(rc == 0, "ContextLoad");
            uint32_t h = r_u32(&r);
            c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
            c_u32(&c, h);
            check(run(tpm, &c, &r) == 0, "FlushContext");
        }
    }
}

/* SignDigest of a restricted HashML-DSA key with the hash-check ticket (pqc.c). */
static void signdigest_checks(qtpm_tpm *tpm)
{
    object k;
    tmpl t = hmldsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_NODA |
                             A_SIGN | A_RESTRICTED);
    check(create_primary_t(tpm, OWNER_PW, &t, "", &k) == 0, "HashML-DSA key created");
    cmd c;
    rsp r;
    c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    c_2b(&c, "attest me", 9);
    c_u16(&c, TPM_ALG_SHA256);
    c_u32(&c, TPM_RH_OWNER);
    check(run(tpm, &c, &r) == 0, "Hash");
    uint16_t n;
    uint8_t digest[32], ticket[80];
    const uint8_t *d = r_2b(&r, &n);
    check(n == 32, "Hash's digest");
    memcpy(digest, d, 32);
    size_t tl = r.n - r.off;
    memcpy(ticket, r.b + r.off, tl);
    for (int wrong = 0; wrong < 2; wrong++) {
        if (wrong)
            ticket[tl - 7] ^= 0x02;
        c_start(&c, TPM_ST_SESSIONS, TPM_CC_SignDigest);
        c_u32(&c, k.handle);
        c_pw(&c, "");
        c_u16(&c, 0); /* context */
        c_2b(&c, digest, 32);
        c_bytes(&c, ticket, tl);
        uint32_t rc = run(tpm, &c, &r);
        if (wrong)
            check(rc == (TPM_RC_TICKET | TPM_RC_P | TPM_RC_3), "SignDigest forged ticket refused");
        else
            check(rc == 0, "SignDigest with the ticket");
    }
}

/* An HMAC key whose key bits and authValue are secret: its password
 * authorization, TPM2_HMAC, and VerifySignature of an HMAC signature
 * (asym.c), right and wrong. */
static void hmac_key_checks(qtpm_tpm *tpm)
{
    object k;
    tmpl t = hmac_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_NODA | A_SIGN);
    check(create_primary_t(tpm, OWNER_PW, &t, "key-pw", &k) == 0, "HMAC key created");
    tpm_object *o = loaded(tpm, k.handle);
    check(o != NULL, "HMAC key loaded");
    if (!o)
        return;
    SECRET(o->sens.authValue.buffer, o->sens.authValue.size);
    SECRET(o->sens.sensitive.bits.buffer, o->sens.sensitive.bits.size);
    uint8_t digest[32] = {9, 8, 7}, mac[32];
    cmd c;
    rsp r;
    for (int wrong = 0; wrong < 2; wrong++) {
        c_start(&c, TPM_ST_SESSIONS, TPM_CC_HMAC);
        c_u32(&c, k.handle);
        c_pw(&c, wrong ? "key-pX" : "key-pw");
        c_2b(&c, digest, 32);
        c_u16(&c, TPM_ALG_SHA256);
        uint32_t rc = run(tpm, &c, &r);
        if (wrong) {
            check(rc == (TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1), "wrong key password refused");
        } else {
            check(rc == 0, "TPM2_HMAC");
            r_u32(&r);
            uint16_t n;
            const uint8_t *p = r_2b(&r, &n);
            check(n == 32, "HMAC size");
            memcpy(mac, p, 32);
        }
    }
    for (int wrong = 0; wrong < 2; wrong++) {
        if (wrong)
            mac[31] ^= 0x80;
        c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
        c_u32(&c, k.handle);
        c_2b(&c, digest, 32);
        c_u16(&c, TPM_ALG_HMAC);
        c_u16(&c, TPM_ALG_SHA256);
        c_bytes(&c, mac, 32);
        uint32_t rc = run(tpm, &c, &r);
        if (wrong)
            check(rc == (TPM_RC_SIGNATURE | TPM_RC_P | TPM_RC_2), "forged HMAC signature refused");
        else
            check(rc == 0, "HMAC signature verified");
    }
}

int main(void)
{
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    qtpm_store_memory(&cfg.store);
    cfg.powered_on = 1;
    qtpm_tpm *tpm = NULL;
    if (qtpm_tpm_new(&tpm, &cfg)) {
        fprintf(stderr, "ct_engine: no TPM\n");
        return 1;
    }
    cmd c;
    rsp r;
    c_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
    c_u16(&c, TPM_SU_CLEAR);
    check(run(tpm, &c, &r) == 0, "Startup");
    c_start(&c, TPM_ST_SESSIONS, TPM_CC_HierarchyChangeAuth);
    c_u32(&c, TPM_RH_OWNER);
    c_pw(&c, "");
    c_2b(&c, OWNER_PW, strlen(OWNER_PW));
    check(run(tpm, &c, &r) == 0, "owner authValue set");

    /* From here on the proofs and the owner's authValue are secret. */
    SECRET(tpm->ps.eh_proof, sizeof tpm->ps.eh_proof);
    SECRET(tpm->ps.sh_proof, sizeof tpm->ps.sh_proof);
    SECRET(tpm->ps.ph_proof, sizeof tpm->ps.ph_proof);
    SECRET(tpm->ps.null_proof, sizeof tpm->ps.null_proof);
    SECRET(tpm->ps.owner_auth.b, tpm->ps.owner_auth.size);

    auth_checks(tpm);
    hashcheck_checks(tpm);
    object signer;
    check(create_primary(tpm, OWNER_PW, A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH |
                                            A_NODA | A_SIGN, &signer) == 0,
          "signing key");
    verified_checks(tpm, &signer);
    auth_ticket_checks(tpm);
    creation_checks(tpm, &signer);
    context_checks(tpm, &signer);
    signdigest_checks(tpm);
    hmac_key_checks(tpm);

    PUBLIC(&tpm->ps, sizeof tpm->ps);
    qtpm_tpm_free(tpm);
    if (failures) {
        fprintf(stderr, "ct_engine: %d check(s) failed\n", failures);
        return 1;
    }
    printf("ct_engine: authorizations, tickets (hash-check, verified, auth, creation, "
           "SignDigest), contexts and HMAC keys checked with their secrets undefined\n");
    return 0;
}
