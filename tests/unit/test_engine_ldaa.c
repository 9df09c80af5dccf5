/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_ldaa.c — the vendor-specific LDAA commands (src/engine/ldaa.c,
 * docs/DAA.md "LDAA in the engine") through libqtss and the in-process
 * "engine:" TCTI.
 *
 * An LDAA key (restricted keyedHash signing key, TPM-generated, authValue
 * "ldaa") is created under an ECC SRK, loaded from its private blob, and
 * asked for a join request, which the issuer (qtpm_ldaa_join_issue) must
 * accept — the proof is checked by the same code that checks software
 * requests. Then the bad cases, each with the response code docs/DAA.md
 * lists: a wrong authValue, a key of the wrong type (the SRK), a keyedHash
 * key without the LDAA attributes, rho and nonce of the wrong size, an
 * offset past the end, trailing bytes; and a request bound to one nonce
 * that the issuer refuses for another. Signing: Commit, CommitRead and
 * Respond with a counter never given, a reused counter (answered already:
 * TPM_RC_VALUE, parameter 3, as ECDAA's spent counter), a forged or
 * mismatched ticket (TPM_RC_TICKET, parameter 5), an offset past the end,
 * and a Startup that voids outstanding commitments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qtpm/engine.h"
#include "qtpm/ldaa.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tcti.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

#define RC_P_(rc, n) ((rc) | 0x040u | ((uint32_t)(n) << 8))
#define RC_H_(rc, n) ((rc) | ((uint32_t)(n) << 8))

typedef struct {
    qtpm_tss *t;
    qtpm_tss_key srk;
    TPM_HANDLE key;       /* the LDAA key */
    TPM_HANDLE plain;     /* a keyedHash signing key without restricted */
    uint8_t isk[QTPM_LDAA_ISK_SIZE];
    uint8_t *ipk;
    qtpm_ldaa_issuer *iss;
    TPM2B_PRIVATE priv; /* the LDAA key's blob, to load it again */
    TPM2B_PUBLIC pub;
} fixture;

static TPM2B_AUTH key_auth = {4, {'l', 'd', 'a', 'a'}};

static TPM_HANDLE make_key(fixture *f, uint32_t attrs, const TPM2B_AUTH *auth)
{
    TPM2B_PUBLIC in;
    memset(&in, 0, sizeof in);
    in.publicArea.type = TPM_ALG_KEYEDHASH;
    in.publicArea.nameAlg = TPM_ALG_SHA256;
    in.publicArea.objectAttributes = attrs;
    in.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_HMAC;
    in.publicArea.parameters.keyedHashDetail.scheme.details.hmac.hashAlg = TPM_ALG_SHA256;
    TPM2B_SENSITIVE_CREATE sens;
    memset(&sens, 0, sizeof sens);
    if (auth != NULL)
        sens.sensitive.userAuth = *auth;
    const qtpm_tss_auths pw = {1, {{NULL, NULL}}};
    TPM2B_PRIVATE priv;
    TPM2B_PUBLIC pub;
    assert_int_equal(qtpm_tss_Create(f->t, &pw, f->srk.handle, &sens, &in, NULL, NULL, &priv,
                                     &pub, NULL, NULL, NULL),
                     0);
    TPM_HANDLE h = 0;
    assert_int_equal(qtpm_tss_Load(f->t, &pw, f->srk.handle, &priv, &pub, &h, NULL), 0);
    f->priv = priv;
    f->pub = pub;
    return h;
}

#define LDAA_ATTRS                                                                           \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |      \
     TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED |                  \
     TPMA_OBJECT_SIGN_ENCRYPT)

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(qtpm_tss_new("engine:", &f->t), 0);
    assert_int_equal(qtpm_tss_Startup(f->t, TPM_SU_CLEAR), 0);
    assert_int_equal(qtpm_tss_create_srk(f->t, TPM_ALG_ECC, NULL, &f->srk), 0);
    f->plain = make_key(f, LDAA_ATTRS & ~TPMA_OBJECT_RESTRICTED, &key_auth);
    f->key = make_key(f, LDAA_ATTRS, &key_auth);
    f->ipk = malloc(QTPM_LDAA_IPK_SIZE);
    assert_non_null(f->ipk);
    assert_int_equal(qtpm_ldaa_issuer_keygen(f->isk, f->ipk, QTPM_LDAA_IPK_SIZE), 0);
    assert_int_equal(qtpm_ldaa_issuer_load(&f->iss, f->isk, sizeof f->isk), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    qtpm_ldaa_issuer_free(f->iss);
    free(f->ipk);
    qtpm_tss_free(f->t);
    free(f);
    return 0;
}

static const qtpm_tss_auths *auths_for(const TPM2B_AUTH *a, qtpm_tss_auths *buf)
{
    buf->count = 1;
    buf->item[0].session = NULL;
    buf->item[0].auth = a;
    return buf;
}

/* The join request of the TPM key verifies at the issuer, is the same when
 * asked again (deterministic masks), and is bound to its nonce. */
static void test_join_through_tpm(void **state)
{
    fixture *f = *state;
    qtpm_tss_auths a;
    uint8_t nonce[QTPM_LDAA_NONCE_SIZE], nonce2[QTPM_LDAA_NONCE_SIZE];
    assert_int_equal(qtpm_ldaa_join_nonce(nonce), 0);
    assert_int_equal(qtpm_ldaa_join_nonce(nonce2), 0);
    uint8_t *req = malloc(QTPM_LDAA_JOINREQ_SIZE), *req2 = malloc(QTPM_LDAA_JOINREQ_SIZE);
    uint8_t *cred = malloc(QTPM_LDAA_CRED_SIZE);
    assert_non_null(req);
    assert_non_null(req2);
    assert_non_null(cred);
    assert_int_equal(qtpm_tss_LDAA_JoinRequest(f->t, auths_for(&key_auth, &a), f->key,
                                               f->ipk + 1, nonce, req),
                     0);
    assert_int_equal(qtpm_ldaa_join_issue(f->iss, nonce, req, QTPM_LDAA_JOINREQ_SIZE, cred,
                                          QTPM_LDAA_CRED_SIZE),
                     0);
    /* the proof is bound to the nonce */
    assert_int_equal(qtpm_ldaa_join_issue(f->iss, nonce2, req, QTPM_LDAA_JOINREQ_SIZE, cred,
                                          QTPM_LDAA_CRED_SIZE),
                     QTPM_DAA_E_PROOF);
    /* same inputs, same request; another nonce, the same t but a new proof */
    assert_int_equal(qtpm_tss_LDAA_JoinRequest(f->t, auths_for(&key_auth, &a), f->key,
                                               f->ipk + 1, nonce, req2),
                     0);
    assert_memory_equal(req, req2, QTPM_LDAA_JOINREQ_SIZE);
    assert_int_equal(qtpm_tss_LDAA_JoinRequest(f->t, auths_for(&key_auth, &a), f->key,
                                               f->ipk + 1, nonce2, req2),
                     0);
    size_t tlen = 8 * 256 * 61 / 8;
    assert_memory_equal(req + 1, req2 + 1, tlen);
    assert_memory_not_equal(req + 1 + tlen, req2 + 1 + tlen, 32);
    /* another issuer (rho): another s, so another t */
    uint8_t rho2[32];
    memcpy(rho2, f->ipk + 1, 32);
    rho2[0] ^= 1;
    assert_int_equal(qtpm_tss_LDAA_JoinRequest(f->t, auths_for(&key_auth, &a), f->key, rho2,
                                               nonce, req2),
                     0);
    assert_memory_not_equal(req + 1, req2 + 1, tlen);
    free(req);
    free(req2);
    free(cred);
}

/* An EK-bound key (src/engine/ldaa_key.c): the template's unique is rho ‖
 * 32 bytes; the TPM keeps rho and puts SHAKE256("qtpm-ldaa-t" ‖ rho ‖ t)
 * in the second half, recomputed when the key is loaded again; the key
 * serves that issuer only (TPM_RC_VALUE, parameter 1, for another rho). */
static void test_bound_key(void **state)
{
    fixture *f = *state;
    const qtpm_tss_auths pw = {1, {{NULL, NULL}}};
    TPM2B_PUBLIC in, pub;
    memset(&in, 0, sizeof in);
    in.publicArea.type = TPM_ALG_KEYEDHASH;
    in.publicArea.nameAlg = TPM_ALG_SHA256;
    in.publicArea.objectAttributes = LDAA_ATTRS;
    in.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_HMAC;
    in.publicArea.parameters.keyedHashDetail.scheme.details.hmac.hashAlg = TPM_ALG_SHA256;
    in.publicArea.unique.keyedHash.size = 64;
    memcpy(in.publicArea.unique.keyedHash.buffer, f->ipk + 1, 32);
    memset(in.publicArea.unique.keyedHash.buffer + 32, 0xA5, 32);
    TPM2B_SENSITIVE_CREATE sens;
    memset(&sens, 0, sizeof sens);
    TPM2B_PRIVATE priv;
    assert_int_equal(qtpm_tss_Create(f->t, &pw, f->srk.handle, &sens, &in, NULL, NULL, &priv,
                                     &pub, NULL, NULL, NULL),
                     0);
    assert_int_equal(pub.publicArea.unique.keyedHash.size, 64);
    assert_memory_equal(pub.publicArea.unique.keyedHash.buffer, f->ipk + 1, 32);
    TPM_HANDLE h = 0;
    assert_int_equal(qtpm_tss_Load(f->t, &pw, f->srk.handle, &priv, &pub, &h, NULL), 0);
    uint8_t nonce[QTPM_LDAA_NONCE_SIZE] = {7}, d[32], rho2[32];
    uint8_t *req = malloc(QTPM_LDAA_JOINREQ_SIZE);
    assert_non_null(req);
    qtpm_tss_auths a;
    assert_int_equal(qtpm_tss_LDAA_JoinRequest(f->t, auths_for(NULL, &a), h, f->ipk + 1, nonce,
                                               req),
                     0);
    qtpm_ldaa_t_digest(f->ipk + 1, req + 1, d);
    assert_memory_equal(pub.publicArea.unique.keyedHash.buffer + 32, d, 32);
    /* another issuer's rho */
    memcpy(rho2, f->ipk + 1, 32);
    rho2[31] ^= 0x80;
    assert_int_equal(qtpm_tss_LDAA_JoinRequest(f->t, auths_for(NULL, &a), h, rho2, nonce, req),
                     RC_P_(TPM_RC_VALUE, 1));
    uint16_t counter;
    uint8_t bsn[32] = {0};
    uint8_t *cm = malloc(QTPM_LDAA_COMMIT_SIZE);
    assert_non_null(cm);
    assert_int_equal(qtpm_tss_LDAA_Commit(f->t, auths_for(NULL, &a), h, rho2, bsn, &counter, cm),
                     RC_P_(TPM_RC_VALUE, 1));
    free(cm);
    qtpm_tss_FlushContext(f->t, h);
    /* the public area changed (the digest): the blob no longer loads */
    pub.publicArea.unique.keyedHash.buffer[40] ^= 1;
    assert_int_not_equal(qtpm_tss_Load(f->t, &pw, f->srk.handle, &priv, &pub, &h, NULL), 0);
    free(req);
}

/* A raw Vendor_LDAA_JoinRequest with the parameters given. */
static int raw_join(fixture *f, TPM_HANDLE key, const TPM2B_AUTH *auth, uint16_t rho_len,
                    uint16_t nonce_len, uint32_t offset, int trailing)
{
    uint8_t p[200];
    size_t o = 0;
    memset(p, 0x5A, sizeof p);
    p[o++] = (uint8_t)(rho_len >> 8);
    p[o++] = (uint8_t)rho_len;
    o += rho_len;
    p[o++] = (uint8_t)(nonce_len >> 8);
    p[o++] = (uint8_t)nonce_len;
    o += nonce_len;
    assert_int_equal(qtpm_UINT32_marshal(&offset, p, sizeof p, &o), 0);
    if (trailing)
        o++;
    qtpm_tss_auths a;
    qtpm_tss_command c = {TPM_CC_Vendor_LDAA_JoinRequest, 1, {key, 0, 0}, 1,
                          auths_for(auth, &a), p, o, 0};
    qtpm_tss_response r;
    int rc = qtpm_tss_execute(f->t, &c, &r);
    return rc != 0 ? rc : (int)r.rc;
}

static void test_bad_input(void **state)
{
    fixture *f = *state;
    TPM2B_AUTH wrong = {4, {'l', 'd', 'a', 'b'}};
    /* a well-formed call at the last piece works */
    assert_int_equal(raw_join(f, f->key, &key_auth, 32, 32, QTPM_LDAA_JOINREQ_SIZE - 1, 0), 0);
    /* authorization: a wrong authValue of a noDA key (TPM_RC_BAD_AUTH,
     * session 1; Part 1 §19.8.2) */
    assert_int_equal(raw_join(f, f->key, &wrong, 32, 32, 0, 0), 0x9A2u);
    /* the SRK is no LDAA key: TPM_RC_KEY, handle 1 */
    assert_int_equal(raw_join(f, f->srk.handle, NULL, 32, 32, 0, 0),
                     RC_H_(TPM_RC_KEY, 1));
    /* an unrestricted keyedHash signing key: TPM_RC_ATTRIBUTES, handle 1 */
    assert_int_equal(raw_join(f, f->plain, &key_auth, 32, 32, 0, 0),
                     RC_H_(TPM_RC_ATTRIBUTES, 1));
    /* sizes: rho (parameter 1) and nonce (parameter 2) must be 32 bytes */
    assert_int_equal(raw_join(f, f->key, &key_auth, 31, 32, 0, 0), RC_P_(TPM_RC_SIZE, 1));
    assert_int_equal(raw_join(f, f->key, &key_auth, 33, 32, 0, 0), RC_P_(TPM_RC_SIZE, 1));
    assert_int_equal(raw_join(f, f->key, &key_auth, 32, 0, 0, 0), RC_P_(TPM_RC_SIZE, 2));
    assert_int_equal(raw_join(f, f->key, &key_auth, 32, 65, 0, 0), RC_P_(TPM_RC_SIZE, 2));
    /* offset at or past the end: TPM_RC_VALUE, parameter 3 */
    assert_int_equal(raw_join(f, f->key, &key_auth, 32, 32, QTPM_LDAA_JOINREQ_SIZE, 0),
                     RC_P_(TPM_RC_VALUE, 3));
    assert_int_equal(raw_join(f, f->key, &key_auth, 32, 32, 0xFFFFFFFFu, 0),
                     RC_P_(TPM_RC_VALUE, 3));
    /* a byte after the last parameter: TPM_RC_SIZE */
    assert_int_equal(raw_join(f, f->key, &key_auth, 32, 32, 0, 1), TPM_RC_SIZE);
}

/* A raw command with params; returns the TPM's code, response in *r. */
static int raw(fixture *f, TPM_CC cc, TPM_HANDLE key, const uint8_t *p, size_t n,
               qtpm_tss_response *r)
{
    qtpm_tss_auths a;
    qtpm_tss_command c = {cc, 1, {key, 0, 0}, 1, auths_for(&key_auth, &a), p, n, 0};
    int rc = qtpm_tss_execute(f->t, &c, r);
    return rc != 0 ? rc : (int)r->rc;
}

static size_t put32b(uint8_t *p, size_t o, const uint8_t *v)
{
    p[o] = 0;
    p[o + 1] = 32;
    memcpy(p + o + 2, v, 32);
    return o + 34;
}

static size_t put16(uint8_t *p, size_t o, uint16_t v)
{
    p[o] = (uint8_t)(v >> 8);
    p[o + 1] = (uint8_t)v;
    return o + 2;
}

static size_t put32(uint8_t *p, size_t o, uint32_t v)
{
    o = put16(p, o, (uint16_t)(v >> 16));
    return put16(p, o, (uint16_t)v);
}

/* Respond's parameters: rho, bsnval, counter, ctilde, ticket, offset. */
static size_t respond_params(uint8_t *p, const uint8_t *rho, const uint8_t *bsn, uint16_t ctr,
                             const uint8_t *ct, const uint8_t *tk, uint16_t tlen, uint32_t off)
{
    size_t o = put32b(p, put32b(p, 0, rho), bsn);
    o = put16(p, o, ctr);
    o = put32b(p, o, ct);
    o = put16(p, o, tlen);
    memcpy(p + o, tk, tlen);
    return put32(p, o + tlen, off);
}

static void test_commit_respond(void **state)
{
    fixture *f = *state;
    const uint8_t *rho = f->ipk + 1;
    uint8_t bsn[32], ct[32], p[256], tk[QTPM_LDAA_TICKET_SIZE];
    memset(bsn, 0x42, sizeof bsn);
    memset(ct, 0x17, sizeof ct);
    qtpm_tss_response r;
    /* Commit: wrong key type, wrong sizes */
    size_t n = put32b(p, put32b(p, 0, rho), bsn);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Commit, f->plain, p, n, &r),
                     RC_H_(TPM_RC_ATTRIBUTES, 1));
    p[35] = 31; /* bsnval's size */
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Commit, f->key, p, n - 1, &r),
                     RC_P_(TPM_RC_SIZE, 2));
    /* a commitment: counter, totalSize, first piece */
    n = put32b(p, put32b(p, 0, rho), bsn);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Commit, f->key, p, n, &r), 0);
    assert_true(r.params_len > 8);
    uint16_t ctr = (uint16_t)(r.params[0] << 8 | r.params[1]);
    uint32_t total = (uint32_t)r.params[2] << 24 | (uint32_t)r.params[3] << 16 |
                     (uint32_t)r.params[4] << 8 | r.params[5];
    assert_int_equal(total, QTPM_LDAA_COMMIT_SIZE);
    static uint8_t first[8192];
    size_t first_len = r.params_len - 8;
    memcpy(first, r.params + 8, first_len);
    /* CommitRead at 0 repeats the first piece; unknown counter; offset past the end */
    n = put32(p, put16(p, put32b(p, put32b(p, 0, rho), bsn), ctr), 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_CommitRead, f->key, p, n, &r), 0);
    assert_int_equal(r.params_len - 6, first_len);
    assert_memory_equal(r.params + 6, first, first_len);
    n = put32(p, put16(p, put32b(p, put32b(p, 0, rho), bsn), (uint16_t)(ctr + 1)), 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_CommitRead, f->key, p, n, &r),
                     RC_P_(TPM_RC_VALUE, 3));
    n = put32(p, put16(p, put32b(p, put32b(p, 0, rho), bsn), ctr), QTPM_LDAA_COMMIT_SIZE);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_CommitRead, f->key, p, n, &r),
                     RC_P_(TPM_RC_VALUE, 4));
    /* Respond: never-committed counter; first answer not at 0; bad ticket size */
    n = respond_params(p, rho, bsn, (uint16_t)(ctr + 1), ct, tk, 0, 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                     RC_P_(TPM_RC_VALUE, 3));
    n = respond_params(p, rho, bsn, ctr, ct, tk, 0, 100);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                     RC_P_(TPM_RC_VALUE, 6));
    n = respond_params(p, rho, bsn, ctr, ct, tk, 7, 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                     RC_P_(TPM_RC_SIZE, 5));
    /* the answer: totalSize, ticket, piece */
    n = respond_params(p, rho, bsn, ctr, ct, tk, 0, 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r), 0);
    total = (uint32_t)r.params[0] << 24 | (uint32_t)r.params[1] << 16 |
            (uint32_t)r.params[2] << 8 | r.params[3];
    assert_true(total == QTPM_LDAA_RESPONSE_SIZE || total == 1);
    assert_int_equal(r.params[4] << 8 | r.params[5], QTPM_LDAA_TICKET_SIZE);
    memcpy(tk, r.params + 6, sizeof tk);
    /* used up: a second answer, to this or another challenge, is refused */
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                     RC_P_(TPM_RC_VALUE, 3));
    uint8_t ct2[32];
    memset(ct2, 0x18, sizeof ct2);
    n = respond_params(p, rho, bsn, ctr, ct2, tk, 0, 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                     RC_P_(TPM_RC_VALUE, 3));
    /* and its commitment can no longer be read */
    n = put32(p, put16(p, put32b(p, put32b(p, 0, rho), bsn), ctr), 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_CommitRead, f->key, p, n, &r),
                     RC_P_(TPM_RC_VALUE, 3));
    /* the ticket reads the same answer on, for the same challenge only */
    if (total > 1) {
        n = respond_params(p, rho, bsn, ctr, ct, tk, sizeof tk, 7680);
        assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r), 0);
        n = respond_params(p, rho, bsn, ctr, ct2, tk, sizeof tk, 7680);
        assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                         RC_P_(TPM_RC_TICKET, 5));
    }
    uint8_t bad[QTPM_LDAA_TICKET_SIZE];
    memcpy(bad, tk, sizeof bad);
    bad[20] ^= 1;
    n = respond_params(p, rho, bsn, ctr, ct, bad, sizeof bad, 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                     RC_P_(TPM_RC_TICKET, 5));
    /* a ticket of another counter value */
    n = respond_params(p, rho, bsn, (uint16_t)(ctr + 5), ct, tk, sizeof tk, 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                     RC_P_(TPM_RC_TICKET, 5));
    /* the SRK as the key */
    n = respond_params(p, rho, bsn, ctr, ct, tk, 0, 0);
    qtpm_tss_auths a;
    qtpm_tss_command c = {TPM_CC_Vendor_LDAA_Respond, 1, {f->srk.handle, 0, 0}, 1,
                          auths_for(NULL, &a), p, n, 0};
    assert_int_equal(qtpm_tss_execute(f->t, &c, &r), RC_H_(TPM_RC_KEY, 1));
    /* a Startup voids an outstanding commitment */
    n = put32b(p, put32b(p, 0, rho), bsn);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Commit, f->key, p, n, &r), 0);
    ctr = (uint16_t)(r.params[0] << 8 | r.params[1]);
    /* power cycle: the SRK (a primary, the same again) and the key reloaded */
    qtpm_tpm *tpm = qtpm_tcti_engine_tpm(qtpm_tss_tcti(f->t));
    assert_non_null(tpm);
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(qtpm_tss_Startup(f->t, TPM_SU_CLEAR), 0);
    assert_int_equal(qtpm_tss_create_srk(f->t, TPM_ALG_ECC, NULL, &f->srk), 0);
    const qtpm_tss_auths pw = {1, {{NULL, NULL}}};
    assert_int_equal(qtpm_tss_Load(f->t, &pw, f->srk.handle, &f->priv, &f->pub, &f->key, NULL),
                     0);
    n = respond_params(p, rho, bsn, ctr, ct, tk, 0, 0);
    assert_int_equal(raw(f, TPM_CC_Vendor_LDAA_Respond, f->key, p, n, &r),
                     RC_P_(TPM_RC_VALUE, 3));
}

/* The command reports itself as a vendor command (TPMA_CC V bit). */
static void test_capability(void **state)
{
    fixture *f = *state;
    TPMI_YES_NO more;
    TPMS_CAPABILITY_DATA cd;
    assert_int_equal(qtpm_tss_GetCapability(f->t, TPM_CAP_COMMANDS,
                                            TPM_CC_Vendor_LDAA_JoinRequest, 1, &more, &cd),
                     0);
    assert_true(cd.data.command.count >= 1);
    uint32_t a = cd.data.command.commandAttributes[0];
    assert_int_equal(a & 0xFFFFu, TPM_CC_Vendor_LDAA_JoinRequest & 0xFFFFu);
    assert_true(a & TPMA_CC_V);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_through_tpm),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_bound_key),
        cmocka_unit_test(test_capability),
        cmocka_unit_test(test_commit_respond), /* last: it power-cycles the TPM */
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
