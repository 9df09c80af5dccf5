/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine_pqc_test.h — templates and command helpers for the engine's
 * post-quantum tests (test_engine_pqc*.c): ML-KEM, ML-DSA and HashML-DSA
 * templates in their v1.85 byte layouts, CreatePrimary/Create/Load, and
 * reading a public key back out of a returned public area. Built on
 * engine_test.h; everything static so each test program has its own copy.
 */
#ifndef QTPM_ENGINE_PQC_TEST_H
#define QTPM_ENGINE_PQC_TEST_H

#include "engine_test.h"

#define A_FIXEDTPM 0x2u
#define A_FIXEDPARENT 0x10u
#define A_SDO 0x20u
#define A_USERWITHAUTH 0x40u
#define A_NODA 0x400u
#define A_RESTRICTED 0x10000u
#define A_DECRYPT 0x20000u
#define A_SIGN 0x40000u
#define A_KEY (A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_NODA)
#define STORAGE (A_KEY | A_RESTRICTED | A_DECRYPT)

typedef struct {
    uint8_t b[256];
    size_t n;
} tmpl;

static inline void t16(tmpl *t, uint16_t v)
{
    t->b[t->n++] = (uint8_t)(v >> 8);
    t->b[t->n++] = (uint8_t)v;
}
static inline void t32(tmpl *t, uint32_t v)
{
    t16(t, (uint16_t)(v >> 16));
    t16(t, (uint16_t)v);
}

static inline void t_head(tmpl *t, uint16_t type, uint32_t attrs)
{
    t->n = 0;
    t16(t, type);
    t16(t, TPM_ALG_SHA256);
    t32(t, attrs);
    t16(t, 0); /* authPolicy */
}

/* TPMS_MLKEM_PARMS: symmetric (AES-CFB of sym_bits, or NULL), parameterSet. */
static inline tmpl mlkem_template(uint32_t attrs, uint16_t sym_bits, uint16_t set)
{
    tmpl t;
    t_head(&t, TPM_ALG_MLKEM, attrs);
    if (sym_bits) {
        t16(&t, TPM_ALG_AES);
        t16(&t, sym_bits);
        t16(&t, TPM_ALG_CFB);
    } else {
        t16(&t, TPM_ALG_NULL);
    }
    t16(&t, set);
    t16(&t, 0); /* unique */
    return t;
}

/* TPMS_MLDSA_PARMS: parameterSet, allowExternalMu. */
static inline tmpl mldsa_template(uint32_t attrs, uint16_t set, uint8_t ext_mu)
{
    tmpl t;
    t_head(&t, TPM_ALG_MLDSA, attrs);
    t16(&t, set);
    t.b[t.n++] = ext_mu;
    t16(&t, 0);
    return t;
}

/* TPMS_HASH_MLDSA_PARMS: parameterSet, hashAlg. */
static inline tmpl hmldsa_template(uint32_t attrs, uint16_t set, uint16_t hash)
{
    tmpl t;
    t_head(&t, TPM_ALG_HASH_MLDSA, attrs);
    t16(&t, set);
    t16(&t, hash);
    t16(&t, 0);
    return t;
}

/* A public area as returned (up to an ML-DSA-87 one). */
typedef struct {
    uint8_t b[3072];
    uint16_t n;
    uint8_t name[34];
} pubarea;

/* The public key (unique) of a public area made from template t: the
 * template's bytes are its prefix, unique was empty there. */
static inline const uint8_t *pub_key(const pubarea *p, const tmpl *t, uint16_t *len)
{
    *len = (uint16_t)((p->b[t->n - 2] << 8) | p->b[t->n - 1]);
    assert_int_equal(p->n, t->n + *len);
    return p->b + t->n;
}

static inline void cb_sensitive(cmdbuf *c, const char *auth)
{
    uint16_t al = auth ? (uint16_t)strlen(auth) : 0;
    cb_u16(c, (uint16_t)(4 + al));
    cb_2b(c, auth, al);
    cb_u16(c, 0);
}

/* CreatePrimary with an empty creation PCR list; returns the response code
 * and, on success, the handle and the public area and Name. */
static inline uint32_t create_primary(qtpm_tpm *tpm, uint32_t hier, const tmpl *t, const char *auth,
                               uint32_t *h, pubarea *pub)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, hier);
    cb_pw(&c, "");
    cb_sensitive(&c, auth);
    cb_2b(&c, t->b, (uint16_t)t->n);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    *h = rb_u32(&r);
    rb_u32(&r);
    uint16_t n;
    const uint8_t *p = rb_2b(&r, &n);
    if (pub) {
        memcpy(pub->b, p, n);
        pub->n = n;
    }
    rb_2b(&r, &n); /* creationData */
    rb_2b(&r, &n); /* creationHash */
    rb_u16(&r);
    rb_u32(&r);
    rb_2b(&r, &n); /* ticket */
    p = rb_2b(&r, &n);
    assert_int_equal(n, 34);
    if (pub)
        memcpy(pub->name, p, 34);
    return 0;
}

static inline uint32_t primary(qtpm_tpm *tpm, uint32_t hier, const tmpl *t, pubarea *pub)
{
    uint32_t h = 0;
    assert_int_equal(create_primary(tpm, hier, t, "", &h, pub), 0);
    return h;
}

/* Create under parent: the private and public blobs. */
typedef struct {
    uint8_t priv[2048];
    uint16_t priv_len;
    pubarea pub;
} keyblob;

static inline uint32_t create(qtpm_tpm *tpm, uint32_t parent, const tmpl *t, const char *auth,
                       keyblob *k)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Create);
    cb_u32(&c, parent);
    cb_pw(&c, "");
    cb_sensitive(&c, auth);
    cb_2b(&c, t->b, (uint16_t)t->n);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    rb_u32(&r);
    const uint8_t *p = rb_2b(&r, &k->priv_len);
    memcpy(k->priv, p, k->priv_len);
    p = rb_2b(&r, &k->pub.n);
    memcpy(k->pub.b, p, k->pub.n);
    return 0;
}

static inline uint32_t load(qtpm_tpm *tpm, uint32_t parent, const keyblob *k, uint32_t *h)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Load);
    cb_u32(&c, parent);
    cb_pw(&c, "");
    cb_2b(&c, k->priv, k->priv_len);
    cb_2b(&c, k->pub.b, k->pub.n);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    *h = rb_u32(&r);
    return 0;
}

static inline uint32_t flush(qtpm_tpm *tpm, uint32_t h)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
    cb_u32(&c, h);
    return run(tpm, &c, &r);
}

/* Reads a TPMT_SIGNATURE of ML-DSA or HashML-DSA from r. */
typedef struct {
    uint16_t alg, hash;
    uint8_t sig[4627];
    uint16_t len;
} dsasig;

static inline void rb_dsasig(rspbuf *r, dsasig *s)
{
    s->alg = rb_u16(r);
    s->hash = s->alg == TPM_ALG_HASH_MLDSA ? rb_u16(r) : 0;
    const uint8_t *p = rb_2b(r, &s->len);
    memcpy(s->sig, p, s->len);
}

static inline void cb_dsasig(cmdbuf *c, const dsasig *s)
{
    cb_u16(c, s->alg);
    if (s->alg == TPM_ALG_HASH_MLDSA)
        cb_u16(c, s->hash);
    cb_2b(c, s->sig, s->len);
}

#define RC_HANDLE1(rc) ((rc) | TPM_RC_1)
#define RC_HANDLE2(rc) ((rc) | TPM_RC_2)
#define RC_PARAM(rc, n) ((rc) | TPM_RC_P | ((uint32_t)(n) << 8))

#endif
