/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_pqc.c — the engine's v1.85 post-quantum objects and commands
 * through qtpm_tpm_execute: ML-KEM / ML-DSA / HashML-DSA primaries (all
 * parameter sets, deterministic), template errors, Create/Load/ReadPublic/
 * LoadExternal, Encapsulate/Decapsulate, SignDigest/VerifyDigestSignature
 * (external mu and HashML-DSA), the sign/verify sequences, and TPM2_Sign /
 * VerifySignature with HashML-DSA. Every signature the TPM makes is also
 * checked with the ML-DSA module directly (qtpm/mldsa.h), and every shared
 * secret against ML-KEM run here on the caller's side (qtpm/mlkem.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine_pqc_test.h"
#include "qtpm/classic.h"
#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"

static const uint16_t kem_pk_size[4] = {0, 800, 1184, 1568};
static const uint16_t dsa_pk_size[4] = {0, 1312, 1952, 2592};

static void test_primaries(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
    uint16_t n;
    for (uint16_t set = 1; set <= 3; set++) {
        /* ML-KEM storage key: deterministic from the owner seed */
        tmpl t = mlkem_template(STORAGE, 128, set);
        uint32_t h1 = primary(tpm, TPM_RH_OWNER, &t, a);
        uint32_t h2 = primary(tpm, TPM_RH_OWNER, &t, b);
        pub_key(a, &t, &n);
        assert_int_equal(n, kem_pk_size[set]);
        assert_int_equal(a->n, b->n);
        assert_memory_equal(a->b, b->b, a->n);
        assert_memory_equal(a->name, b->name, 34);
        assert_int_equal(qtpm_mlkem_check_ek((qtpm_mlkem_set)set, pub_key(a, &t, &n), n), 0);
        /* another hierarchy, another key */
        uint32_t h3 = primary(tpm, TPM_RH_ENDORSEMENT, &t, b);
        assert_memory_not_equal(a->b + t.n, b->b + t.n, 64);
        flush(tpm, h1);
        flush(tpm, h2);
        flush(tpm, h3);

        /* ML-DSA restricted signing key and HashML-DSA key */
        t = mldsa_template(A_KEY | A_SIGN | A_RESTRICTED, set, 0);
        h1 = primary(tpm, TPM_RH_OWNER, &t, a);
        h2 = primary(tpm, TPM_RH_OWNER, &t, b);
        pub_key(a, &t, &n);
        assert_int_equal(n, dsa_pk_size[set]);
        assert_memory_equal(a->b, b->b, a->n);
        /* ReadPublic gives the same area and Name */
        cmdbuf c;
        rspbuf r;
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
        cb_u32(&c, h1);
        assert_int_equal(run(tpm, &c, &r), 0);
        const uint8_t *p = rb_2b(&r, &n);
        assert_int_equal(n, a->n);
        assert_memory_equal(p, a->b, n);
        p = rb_2b(&r, &n);
        assert_memory_equal(p, a->name, 34);
        flush(tpm, h1);
        flush(tpm, h2);

        t = hmldsa_template(A_KEY | A_SIGN, set, TPM_ALG_SHA384);
        h1 = primary(tpm, TPM_RH_PLATFORM, &t, a);
        pub_key(a, &t, &n);
        assert_int_equal(n, dsa_pk_size[set]);
        flush(tpm, h1);
    }
    free(a);
    free(b);
    qtpm_tpm_free(tpm);
}

static void test_template_errors(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint32_t h;
    tmpl t = mlkem_template(STORAGE, 128, 4); /* no such parameter set */
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL), RC_PARAM(TPM_RC_PARMS, 2));
    t = mlkem_template(STORAGE, 128, 0);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL), RC_PARAM(TPM_RC_PARMS, 2));
    t = mldsa_template(A_KEY | A_SIGN, 7, 0);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL), RC_PARAM(TPM_RC_PARMS, 2));
    t = hmldsa_template(A_KEY | A_SIGN, 0, TPM_ALG_SHA256);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL), RC_PARAM(TPM_RC_PARMS, 2));
    /* an ML-KEM key decrypts; a restricted one needs AES-CFB, an
     * unrestricted one none */
    t = mlkem_template(A_KEY | A_SIGN, 0, 2);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL),
                     RC_PARAM(TPM_RC_ATTRIBUTES, 2));
    t = mlkem_template(STORAGE, 0, 2);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL),
                     RC_PARAM(TPM_RC_SYMMETRIC, 2));
    t = mlkem_template(A_KEY | A_DECRYPT, 128, 2);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL),
                     RC_PARAM(TPM_RC_SYMMETRIC, 2));
    /* an ML-DSA key signs; a restricted one takes no external mu */
    t = mldsa_template(A_KEY | A_DECRYPT, 2, 0);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL),
                     RC_PARAM(TPM_RC_ATTRIBUTES, 2));
    t = mldsa_template(A_KEY | A_SIGN | A_RESTRICTED, 2, 1);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL),
                     RC_PARAM(TPM_RC_ATTRIBUTES, 2));
    t = mldsa_template(A_KEY | A_SIGN, 2, 2); /* allowExternalMu is a YES/NO */
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL), RC_PARAM(TPM_RC_VALUE, 2));
    /* HashML-DSA needs a pre-hash it implements */
    t = hmldsa_template(A_KEY | A_SIGN, 2, TPM_ALG_SHA1);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL), RC_PARAM(TPM_RC_HASH, 2));
    t = hmldsa_template(A_KEY | A_SIGN, 2, TPM_ALG_NULL);
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL), RC_PARAM(TPM_RC_HASH, 2));
    /* the prototype's private Kyber/Dilithium IDs are not types here */
    t = mlkem_template(STORAGE, 128, 2);
    t.b[1] = 0x2C;
    assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "", &h, NULL), RC_PARAM(TPM_RC_TYPE, 2));
    /* TestParms says the same */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
    cb_u16(&c, TPM_ALG_MLDSA);
    cb_u16(&c, TPM_MLDSA_87);
    cb_u8(&c, 1);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_TestParms);
    cb_u16(&c, TPM_ALG_MLKEM);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, 9);
    assert_int_equal(run(tpm, &c, &r), RC_PARAM(TPM_RC_PARMS, 1));
    qtpm_tpm_free(tpm);
}

/* Create/Load under an ML-KEM storage parent, CreateLoaded, LoadExternal
 * of a public key and of a key with its seed. */
static void test_create_load(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    tmpl st = mlkem_template(STORAGE, 256, TPM_MLKEM_1024);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &st, NULL);
    keyblob *k = malloc(sizeof(*k));
    tmpl t = mldsa_template(A_KEY | A_SIGN, TPM_MLDSA_87, 1);
    assert_int_equal(create(tpm, srk, &t, "pw", k), 0);
    uint16_t n;
    pub_key(&k->pub, &t, &n);
    assert_int_equal(n, 2592);
    uint32_t h;
    assert_int_equal(load(tpm, srk, k, &h), 0);
    /* an ML-KEM child of an ML-KEM parent, and a storage key under it */
    tmpl kt = mlkem_template(A_KEY | A_DECRYPT, 0, TPM_MLKEM_512);
    keyblob *k2 = malloc(sizeof(*k2));
    assert_int_equal(create(tpm, srk, &kt, "", k2), 0);
    uint32_t h2;
    assert_int_equal(load(tpm, srk, k2, &h2), 0);
    tmpl st2 = mlkem_template(STORAGE, 128, TPM_MLKEM_768);
    assert_int_equal(create(tpm, srk, &st2, "", k2), 0);
    uint32_t srk2;
    assert_int_equal(load(tpm, srk, k2, &srk2), 0);
    keyblob *k3 = malloc(sizeof(*k3));
    tmpl ht = hmldsa_template(A_KEY | A_SIGN, TPM_MLDSA_44, TPM_ALG_SHA512);
    assert_int_equal(create(tpm, srk2, &ht, "", k3), 0);
    uint32_t h3;
    assert_int_equal(load(tpm, srk2, k3, &h3), 0);
    /* a private blob changed on the way fails its integrity check */
    k3->priv[k3->priv_len - 1] ^= 1;
    assert_int_equal(load(tpm, srk2, k3, &h3), RC_PARAM(TPM_RC_INTEGRITY, 1));
    /* the wrong parent also */
    k3->priv[k3->priv_len - 1] ^= 1;
    assert_int_equal(load(tpm, srk, k3, &h3), RC_PARAM(TPM_RC_INTEGRITY, 1));
    /* a public area whose key was swapped no longer matches the seed */
    keyblob *k4 = malloc(sizeof(*k4));
    memcpy(k4, k, sizeof(*k4));
    k4->pub.b[t.n + 5] ^= 1;
    uint32_t bad;
    assert_int_equal(load(tpm, srk, k4, &bad), RC_PARAM(TPM_RC_INTEGRITY, 1)); /* the Name changed */

    /* CreateLoaded under the ML-KEM parent */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreateLoaded);
    cb_u32(&c, srk);
    cb_pw(&c, "");
    cb_sensitive(&c, "");
    tmpl t65 = mldsa_template(A_KEY | A_SIGN | A_RESTRICTED, TPM_MLDSA_65, 0);
    cb_2b(&c, t65.b, (uint16_t)t65.n);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t hl = rb_u32(&r);
    flush(tpm, hl);

    /* LoadExternal: the public key alone (the one Create returned) */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_LoadExternal);
    cb_u16(&c, 0);
    cb_2b(&c, k->pub.b, k->pub.n);
    cb_u32(&c, TPM_RH_OWNER);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t ext = rb_u32(&r);
    flush(tpm, ext);
    /* a public key of the wrong length for its set */
    tmpl sh = mldsa_template(A_USERWITHAUTH | A_SIGN, TPM_MLDSA_65, 0);
    sh.n -= 2;
    t16(&sh, 100);
    memset(sh.b + sh.n, 7, 100);
    sh.n += 100;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_LoadExternal);
    cb_u16(&c, 0);
    cb_2b(&c, sh.b, (uint16_t)sh.n);
    cb_u32(&c, TPM_RH_OWNER);
    assert_int_equal(run(tpm, &c, &r), RC_PARAM(TPM_RC_KEY, 2));
    /* a key with its seed in the clear (NULL hierarchy): the seed must
     * give the public key */
    uint8_t xi[32], pk[1312];
    for (int i = 0; i < 32; i++)
        xi[i] = (uint8_t)i;
    assert_int_equal(qtpm_mldsa_keygen_internal(QTPM_MLDSA_44, xi, pk, NULL), 0);
    tmpl ep = mldsa_template(A_USERWITHAUTH | A_SIGN, TPM_MLDSA_44, 1);
    ep.n -= 2;
    for (int pass = 0; pass < 2; pass++) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_LoadExternal);
        cb_u16(&c, 2 + 2 + 2 + 2 + 32);
        cb_u16(&c, TPM_ALG_MLDSA);
        cb_u16(&c, 0);
        cb_u16(&c, 0);
        xi[0] ^= (uint8_t)pass; /* second pass: a seed that does not match */
        cb_2b(&c, xi, 32);
        cb_u16(&c, (uint16_t)(ep.n + 2 + sizeof(pk)));
        cb_bytes(&c, ep.b, ep.n);
        cb_2b(&c, pk, sizeof(pk));
        cb_u32(&c, TPM_RH_NULL);
        if (pass == 0) {
            assert_int_equal(run(tpm, &c, &r), 0);
            flush(tpm, rb_u32(&r));
        } else {
            assert_int_equal(run(tpm, &c, &r), RC_PARAM(TPM_RC_BINDING, 2));
        }
    }
    free(k);
    free(k2);
    free(k3);
    free(k4);
    qtpm_tpm_free(tpm);
}

/* Encapsulate returns sharedSecret then ciphertext. */
static void encapsulate(qtpm_tpm *tpm, uint32_t key, uint8_t ss[32], uint8_t *ct, uint16_t *ct_len)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Encapsulate);
    cb_u32(&c, key);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    memcpy(ss, rb_2b(&r, &n), 32);
    assert_int_equal(n, 32);
    const uint8_t *p = rb_2b(&r, ct_len);
    memcpy(ct, p, *ct_len);
    assert_int_equal(r.off, r.n);
}

static uint32_t decapsulate(qtpm_tpm *tpm, uint32_t key, const char *auth, const uint8_t *ct,
                            uint16_t ct_len, uint8_t ss[32])
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Decapsulate);
    cb_u32(&c, key);
    cb_pw(&c, auth);
    cb_2b(&c, ct, ct_len);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        rb_u32(&r);
        uint16_t n;
        memcpy(ss, rb_2b(&r, &n), 32);
        assert_int_equal(n, 32);
    }
    return rc;
}

static void test_kem(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    static const uint16_t ct_size[4] = {0, 768, 1088, 1568};
    pubarea *pub = malloc(sizeof(*pub));
    for (uint16_t set = 1; set <= 3; set++) {
        tmpl t = mlkem_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_DECRYPT, 0,
                                set);
        uint32_t h = 0;
        assert_int_equal(create_primary(tpm, TPM_RH_OWNER, &t, "kempw", &h, pub), 0);
        uint8_t ss1[32], ss2[32], ct[1568];
        uint16_t ctl;
        encapsulate(tpm, h, ss1, ct, &ctl);
        assert_int_equal(ctl, ct_size[set]);
        assert_int_equal(decapsulate(tpm, h, "kempw", ct, ctl, ss2), 0);
        assert_memory_equal(ss1, ss2, 32);
        /* the caller encapsulates with the public key; the TPM agrees */
        uint16_t n;
        const uint8_t *ek = pub_key(pub, &t, &n);
        assert_int_equal(qtpm_mlkem_encaps((qtpm_mlkem_set)set, ek, n, ct, ss1), 0);
        assert_int_equal(decapsulate(tpm, h, "kempw", ct, ctl, ss2), 0);
        assert_memory_equal(ss1, ss2, 32);
        /* implicit rejection: a changed ciphertext gives another secret */
        ct[10] ^= 1;
        assert_int_equal(decapsulate(tpm, h, "kempw", ct, ctl, ss2), 0);
        assert_memory_not_equal(ss1, ss2, 32);
        /* a ciphertext of the wrong size */
        assert_int_equal(decapsulate(tpm, h, "kempw", ct, (uint16_t)(ctl - 1), ss2),
                         RC_PARAM(TPM_RC_SIZE, 1));
        /* a wrong password */
        assert_int_equal(decapsulate(tpm, h, "nope", ct, ctl, ss2),
                         TPM_RC_AUTH_FAIL | TPM_RC_S | TPM_RC_1);
        flush(tpm, h);
    }
    /* a storage key decapsulates only inside the TPM; a signing key not at all */
    tmpl st = mlkem_template(STORAGE, 128, TPM_MLKEM_768);
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &st, NULL);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Encapsulate);
    cb_u32(&c, srk);
    assert_int_equal(run(tpm, &c, &r), RC_HANDLE1(TPM_RC_ATTRIBUTES));
    uint8_t ct[1088] = {0}, ss[32];
    assert_int_equal(decapsulate(tpm, srk, "", ct, sizeof(ct), ss), RC_HANDLE1(TPM_RC_ATTRIBUTES));
    tmpl dt = mldsa_template(A_KEY | A_SIGN, TPM_MLDSA_44, 0);
    uint32_t dk = primary(tpm, TPM_RH_OWNER, &dt, NULL);
    assert_int_equal(decapsulate(tpm, dk, "", ct, sizeof(ct), ss), RC_HANDLE1(TPM_RC_KEY));
    free(pub);
    qtpm_tpm_free(tpm);
}

/* SignDigest: context, digest, validation (NULL hash-check ticket). */
static uint32_t sign_digest(qtpm_tpm *tpm, uint32_t key, const char *ctx, const uint8_t *d,
                            uint16_t dlen, dsasig *sig)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SignDigest);
    cb_u32(&c, key);
    cb_pw(&c, "");
    cb_2b(&c, ctx, (uint16_t)strlen(ctx));
    cb_2b(&c, d, dlen);
    cb_u16(&c, TPM_ST_HASHCHECK);
    cb_u32(&c, TPM_RH_NULL);
    cb_u16(&c, 0);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        uint32_t psize = rb_u32(&r);
        size_t start = r.off;
        rb_dsasig(&r, sig);
        assert_int_equal(r.off - start, psize);
    }
    return rc;
}

/* The hmac of the last ticket verify_digest / verify_complete read. */
static uint8_t last_ticket[64];

/* The engine's hierarchy proof (src/engine/object.h): the HMAC key of
 * tickets, which only the TPM knows; the test recomputes tickets with it. */
const uint8_t *hierarchy_proof(qtpm_tpm *tpm, uint32_t hierarchy);

/* A TPMT_TK_VERIFIED hmac as v1.85 Part 2 §10.6.5 Equation 5 gives it:
 * HMAC_SHA256(proof, tag ‖ digestOrMessage ‖ keyName ‖ metadata), metadata
 * (a TPM_ALG_ID) only for TPM_ST_DIGEST_VERIFIED. The keys here have
 * nameAlg SHA-256. */
static void expected_ticket(qtpm_tpm *tpm, uint32_t hier, uint16_t tag, const uint8_t *m, size_t mlen,
                            const uint8_t name[34], int meta, uint8_t out[32])
{
    uint8_t *buf = malloc(2 + mlen + 34 + 2);
    size_t n = 0;
    buf[n++] = (uint8_t)(tag >> 8);
    buf[n++] = (uint8_t)tag;
    memcpy(buf + n, m, mlen);
    n += mlen;
    memcpy(buf + n, name, 34);
    n += 34;
    if (meta >= 0) {
        buf[n++] = (uint8_t)(meta >> 8);
        buf[n++] = (uint8_t)meta;
    }
    assert_int_equal(qtpm_hmac(QTPM_HASH_SHA256, hierarchy_proof(tpm, hier), 64, buf, n, out), 0);
    free(buf);
}

/* VerifyDigestSignature; on success the ticket fields are returned. */
static uint32_t verify_digest(qtpm_tpm *tpm, uint32_t key, const char *ctx, const uint8_t *d,
                              uint16_t dlen, const dsasig *sig, uint32_t *hier, uint16_t *meta,
                              uint16_t *hmac_len)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifyDigestSignature);
    cb_u32(&c, key);
    cb_2b(&c, ctx, (uint16_t)strlen(ctx));
    cb_2b(&c, d, dlen);
    cb_dsasig(&c, sig);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        assert_int_equal(rb_u16(&r), TPM_ST_DIGEST_VERIFIED);
        *hier = rb_u32(&r);
        *meta = rb_u16(&r);
        const uint8_t *h = rb_2b(&r, hmac_len);
        assert_true(*hmac_len <= sizeof(last_ticket));
        memcpy(last_ticket, h, *hmac_len);
        assert_int_equal(r.off, r.n);
    }
    return rc;
}

static void test_sign_digest(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *pub = malloc(sizeof(*pub));
    dsasig *sig = malloc(sizeof(*sig));
    const uint8_t msg[] = "the message whose mu the caller computed";
    uint32_t hier;
    uint16_t meta, hl, n;

    /* pure ML-DSA-65 with external mu */
    tmpl t = mldsa_template(A_KEY | A_SIGN, TPM_MLDSA_65, 1);
    uint32_t k = primary(tpm, TPM_RH_OWNER, &t, pub);
    const uint8_t *pk = pub_key(pub, &t, &n);
    uint8_t mu[64];
    assert_int_equal(qtpm_mldsa_compute_mu(QTPM_MLDSA_65, pk, n, msg, sizeof(msg), (const uint8_t *)"ctx",
                                           3, mu),
                     0);
    assert_int_equal(sign_digest(tpm, k, "", mu, 64, sig), 0);
    assert_int_equal(sig->alg, TPM_ALG_MLDSA);
    assert_int_equal(sig->len, 3309);
    /* it is an ordinary ML-DSA signature of msg with context "ctx" */
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_65, pk, n, msg, sizeof(msg), (const uint8_t *)"ctx", 3,
                                       sig->sig, sig->len),
                     0);
    assert_int_equal(verify_digest(tpm, k, "", mu, 64, sig, &hier, &meta, &hl), 0);
    assert_int_equal(hier, TPM_RH_NULL); /* external mu: NULL ticket */
    assert_int_equal(hl, 0);
    /* a changed mu does not verify; nor a changed signature */
    mu[0] ^= 1;
    assert_int_equal(verify_digest(tpm, k, "", mu, 64, sig, &hier, &meta, &hl),
                     RC_PARAM(TPM_RC_SIGNATURE, 3));
    mu[0] ^= 1;
    sig->sig[100] ^= 4;
    assert_int_equal(verify_digest(tpm, k, "", mu, 64, sig, &hier, &meta, &hl),
                     RC_PARAM(TPM_RC_SIGNATURE, 3));
    /* mu is 64 bytes, and carries the context itself */
    assert_int_equal(sign_digest(tpm, k, "", mu, 32, sig), RC_PARAM(TPM_RC_SIZE, 2));
    assert_int_equal(sign_digest(tpm, k, "ctx", mu, 64, sig), RC_PARAM(TPM_RC_VALUE, 1));
    flush(tpm, k);
    /* without allowExternalMu the key signs no mu */
    t = mldsa_template(A_KEY | A_SIGN, TPM_MLDSA_44, 0);
    k = primary(tpm, TPM_RH_OWNER, &t, pub);
    assert_int_equal(sign_digest(tpm, k, "", mu, 64, sig), RC_HANDLE1(TPM_RC_EXT_MU));
    flush(tpm, k);

    /* HashML-DSA-44 / SHA-256: the digest is PH(M), the context applies */
    t = hmldsa_template(A_KEY | A_SIGN, TPM_MLDSA_44, TPM_ALG_SHA256);
    k = primary(tpm, TPM_RH_OWNER, &t, pub);
    pk = pub_key(pub, &t, &n);
    uint8_t d[64] = {0}; /* 64: room for the wrong-size digest below */
    qtpm_hash(QTPM_HASH_SHA256, msg, sizeof(msg), d);
    assert_int_equal(sign_digest(tpm, k, "app", d, 32, sig), 0);
    assert_int_equal(sig->alg, TPM_ALG_HASH_MLDSA);
    assert_int_equal(sig->hash, TPM_ALG_SHA256);
    assert_int_equal(sig->len, 2420);
    assert_int_equal(qtpm_hashmldsa_verify(QTPM_MLDSA_44, pk, n, QTPM_PH_SHA256, msg, sizeof(msg),
                                           (const uint8_t *)"app", 3, sig->sig, sig->len),
                     0);
    assert_int_equal(verify_digest(tpm, k, "app", d, 32, sig, &hier, &meta, &hl), 0);
    assert_int_equal(hier, TPM_RH_OWNER);
    assert_int_equal(meta, TPM_ALG_SHA256);
    assert_int_equal(hl, 32);
    /* hmac = HMAC(proof, TPM_ST_DIGEST_VERIFIED ‖ digest ‖ keyName ‖ hashAlg) */
    uint8_t want[32];
    expected_ticket(tpm, TPM_RH_OWNER, TPM_ST_DIGEST_VERIFIED, d, 32, pub->name, TPM_ALG_SHA256, want);
    assert_memory_equal(last_ticket, want, 32);
    /* another context, another digest: TPM_RC_SIGNATURE */
    assert_int_equal(verify_digest(tpm, k, "xyz", d, 32, sig, &hier, &meta, &hl),
                     RC_PARAM(TPM_RC_SIGNATURE, 3));
    d[31] ^= 1;
    assert_int_equal(verify_digest(tpm, k, "app", d, 32, sig, &hier, &meta, &hl),
                     RC_PARAM(TPM_RC_SIGNATURE, 3));
    assert_int_equal(sign_digest(tpm, k, "", d, 48, sig), RC_PARAM(TPM_RC_SIZE, 2));
    /* a pure ML-DSA signature is not a HashML-DSA one */
    sig->alg = TPM_ALG_MLDSA;
    assert_int_equal(verify_digest(tpm, k, "app", d, 32, sig, &hier, &meta, &hl),
                     RC_PARAM(TPM_RC_SCHEME, 3));
    /* an ML-KEM key signs nothing */
    tmpl kt = mlkem_template(A_KEY | A_DECRYPT, 0, TPM_MLKEM_512);
    uint32_t kk = primary(tpm, TPM_RH_OWNER, &kt, NULL);
    assert_int_equal(sign_digest(tpm, kk, "", d, 32, sig), RC_HANDLE1(TPM_RC_KEY));
    free(pub);
    free(sig);
    qtpm_tpm_free(tpm);
}

/* The expanded signing key a loaded ML-DSA object caches (pqc_keys.c):
 * repeated signatures verify, and after a flush the handle's next key signs
 * with its own key, not a stale cache. ASan runs check the wipe and free. */
static void test_cached_key(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *pub = malloc(sizeof(*pub)), *pub2 = malloc(sizeof(*pub2));
    dsasig *sig = malloc(sizeof(*sig));
    const uint8_t msg[] = "signed again and again";
    uint8_t pk1[2592], mu[64];
    uint16_t n, n2;

    tmpl t = mldsa_template(A_KEY | A_SIGN, TPM_MLDSA_44, 1);
    uint32_t k = primary(tpm, TPM_RH_OWNER, &t, pub);
    const uint8_t *pk = pub_key(pub, &t, &n);
    memcpy(pk1, pk, n);
    assert_int_equal(qtpm_mldsa_compute_mu(QTPM_MLDSA_44, pk1, n, msg, sizeof(msg), NULL, 0, mu), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sign_digest(tpm, k, "", mu, 64, sig), 0);
        assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_44, pk1, n, msg, sizeof(msg), NULL, 0,
                                           sig->sig, sig->len), 0);
    }
    flush(tpm, k);
    /* another key (endorsement hierarchy) gets the same transient handle */
    uint32_t k2 = primary(tpm, TPM_RH_ENDORSEMENT, &t, pub2);
    assert_int_equal(k2, k);
    const uint8_t *pk2 = pub_key(pub2, &t, &n2);
    assert_int_equal(n2, n);
    assert_memory_not_equal(pk1, pk2, n);
    uint8_t mu2[64];
    assert_int_equal(qtpm_mldsa_compute_mu(QTPM_MLDSA_44, pk2, n2, msg, sizeof(msg), NULL, 0, mu2), 0);
    assert_int_equal(sign_digest(tpm, k2, "", mu2, 64, sig), 0);
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_44, pk2, n2, msg, sizeof(msg), NULL, 0, sig->sig,
                                       sig->len), 0);
    assert_int_not_equal(qtpm_mldsa_verify(QTPM_MLDSA_44, pk1, n, msg, sizeof(msg), NULL, 0,
                                           sig->sig, sig->len), 0);
    /* the TPM is freed with a cached key still loaded */
    free(pub);
    free(pub2);
    free(sig);
    qtpm_tpm_free(tpm);
}

/* SignSequenceStart / VerifySequenceStart: returns the sequence handle. */
static uint32_t seq_start(qtpm_tpm *tpm, uint32_t cc, uint32_t key, const char *auth,
                          const char *ctx, uint16_t hint_len, uint32_t *seq)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, cc);
    cb_u32(&c, key);
    cb_2b(&c, auth, (uint16_t)strlen(auth));
    if (cc == TPM_CC_VerifySequenceStart) {
        uint8_t hint[8] = {0};
        cb_2b(&c, hint, hint_len);
    }
    cb_2b(&c, ctx, (uint16_t)strlen(ctx));
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0)
        *seq = rb_u32(&r);
    return rc;
}

static uint32_t seq_update(qtpm_tpm *tpm, uint32_t seq, const char *auth, const uint8_t *d,
                           uint16_t n)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
    cb_u32(&c, seq);
    cb_pw(&c, auth);
    cb_2b(&c, d, n);
    return run(tpm, &c, &r);
}

/* SequenceUpdate in TPM2B_MAX_BUFFER-sized chunks (1024 bytes). */
static void seq_update_all(qtpm_tpm *tpm, uint32_t seq, const char *auth, const uint8_t *d,
                           size_t n)
{
    for (size_t off = 0; off < n; off += 1024)
        assert_int_equal(seq_update(tpm, seq, auth, d + off, (uint16_t)(n - off < 1024 ? n - off : 1024)),
                         0);
}

static uint32_t sign_complete(qtpm_tpm *tpm, uint32_t seq, uint32_t key, const char *auth,
                              const uint8_t *d, uint16_t n, dsasig *sig)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SignSequenceComplete);
    cb_u32(&c, seq);
    cb_u32(&c, key);
    cb_pw(&c, auth);
    cb_pw(&c, "");
    cb_2b(&c, d, n);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        rb_u32(&r);
        rb_dsasig(&r, sig);
    }
    return rc;
}

static uint32_t verify_complete(qtpm_tpm *tpm, uint32_t seq, uint32_t key, const char *auth,
                                const dsasig *sig, uint32_t *hier, uint16_t *hmac_len)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_VerifySequenceComplete);
    cb_u32(&c, seq);
    cb_u32(&c, key);
    cb_pw(&c, auth);
    cb_dsasig(&c, sig);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        rb_u32(&r);
        assert_int_equal(rb_u16(&r), TPM_ST_MESSAGE_VERIFIED);
        *hier = rb_u32(&r);
        const uint8_t *h = rb_2b(&r, hmac_len);
        assert_true(*hmac_len <= sizeof(last_ticket));
        memcpy(last_ticket, h, *hmac_len);
    }
    return rc;
}

static void test_sequences(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *pub = malloc(sizeof(*pub));
    dsasig *sig = malloc(sizeof(*sig));
    uint8_t *msg = malloc(3000);
    for (int i = 0; i < 3000; i++)
        msg[i] = (uint8_t)(i * 7);
    uint16_t n;
    uint32_t seq, hier;

    for (int kind = 0; kind < 2; kind++) {
        /* ML-DSA-87 (the largest signature) and HashML-DSA-65/SHA-512 */
        tmpl t = kind == 0 ? mldsa_template(A_KEY | A_SIGN, TPM_MLDSA_87, 0)
                           : hmldsa_template(A_KEY | A_SIGN, TPM_MLDSA_65, TPM_ALG_SHA512);
        uint32_t k = primary(tpm, TPM_RH_OWNER, &t, pub);
        const uint8_t *pk = pub_key(pub, &t, &n);
        uint16_t pkn = n;
        assert_int_equal(seq_start(tpm, TPM_CC_SignSequenceStart, k, "seqpw", "my-ctx", 0, &seq), 0);
        assert_int_equal(seq_update(tpm, seq, "seqpw", msg, 1000), 0);
        assert_int_equal(seq_update(tpm, seq, "seqpw", msg + 1000, 1), 0);
        assert_int_equal(seq_update(tpm, seq, "seqpw", msg + 1001, 999), 0);
        /* a sequence has noDA SET: BAD_AUTH, not a DA failure */
        assert_int_equal(seq_update(tpm, seq, "wrong", msg, 1), TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
        assert_int_equal(sign_complete(tpm, seq, k, "seqpw", msg + 2000, 1000, sig), 0);
        if (kind == 0) {
            assert_int_equal(sig->alg, TPM_ALG_MLDSA);
            assert_int_equal(sig->len, 4627);
            assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_87, pk, pkn, msg, 3000,
                                               (const uint8_t *)"my-ctx", 6, sig->sig, sig->len),
                             0);
        } else {
            assert_int_equal(sig->alg, TPM_ALG_HASH_MLDSA);
            assert_int_equal(sig->hash, TPM_ALG_SHA512);
            assert_int_equal(qtpm_hashmldsa_verify(QTPM_MLDSA_65, pk, pkn, QTPM_PH_SHA512, msg, 3000,
                                                   (const uint8_t *)"my-ctx", 6, sig->sig,
                                                   sig->len),
                             0);
        }
        /* more than a TPM2B_MAX_BUFFER in one update */
        assert_int_equal(seq_start(tpm, TPM_CC_SignSequenceStart, k, "", "", 0, &seq), 0);
        assert_int_equal(seq_update(tpm, seq, "", msg, 1025), RC_PARAM(TPM_RC_SIZE, 1));
        flush(tpm, seq);
        /* the sequence is gone: not loaded, TPM_RC_REFERENCE_H0 */
        assert_int_equal(seq_update(tpm, seq, "seqpw", msg, 1), TPM_RC_REFERENCE_H0);

        /* verify the same message in other chunks: MESSAGE_VERIFIED ticket */
        assert_int_equal(seq_start(tpm, TPM_CC_VerifySequenceStart, k, "", "my-ctx", 0, &seq), 0);
        seq_update_all(tpm, seq, "", msg, 1500);
        seq_update_all(tpm, seq, "", msg + 1500, 1500);
        uint16_t hl;
        assert_int_equal(verify_complete(tpm, seq, k, "", sig, &hier, &hl), 0);
        assert_int_equal(hier, TPM_RH_OWNER);
        assert_int_equal(hl, 32);
        /* hmac = HMAC(proof, TPM_ST_MESSAGE_VERIFIED ‖ message ‖ keyName) */
        uint8_t want[32];
        expected_ticket(tpm, TPM_RH_OWNER, TPM_ST_MESSAGE_VERIFIED, msg, 3000, pub->name, -1, want);
        assert_memory_equal(last_ticket, want, 32);
        /* a changed message: TPM_RC_SIGNATURE (signature is parameter 1) */
        assert_int_equal(seq_start(tpm, TPM_CC_VerifySequenceStart, k, "", "my-ctx", 0, &seq), 0);
        msg[5] ^= 1;
        seq_update_all(tpm, seq, "", msg, 3000);
        msg[5] ^= 1;
        assert_int_equal(verify_complete(tpm, seq, k, "", sig, &hier, &hl),
                         RC_PARAM(TPM_RC_SIGNATURE, 1));
        /* another context: TPM_RC_SIGNATURE */
        assert_int_equal(seq_start(tpm, TPM_CC_VerifySequenceStart, k, "", "other", 0, &seq), 0);
        seq_update_all(tpm, seq, "", msg, 3000);
        assert_int_equal(verify_complete(tpm, seq, k, "", sig, &hier, &hl),
                         RC_PARAM(TPM_RC_SIGNATURE, 1));
        flush(tpm, k);
    }

    /* errors: a hint for ML-DSA, the wrong key at Complete, a hash
     * SequenceComplete on a sign sequence, a restricted key and a message
     * that looks like an attestation */
    tmpl t = mldsa_template(A_KEY | A_SIGN | A_RESTRICTED, TPM_MLDSA_44, 0);
    uint32_t k = primary(tpm, TPM_RH_OWNER, &t, pub);
    tmpl t2 = mldsa_template(A_KEY | A_SIGN, TPM_MLDSA_44, 0);
    uint32_t k2 = primary(tpm, TPM_RH_OWNER, &t2, NULL);
    assert_int_equal(seq_start(tpm, TPM_CC_VerifySequenceStart, k, "", "", 4, &seq),
                     RC_PARAM(TPM_RC_VALUE, 2));
    assert_int_equal(seq_start(tpm, TPM_CC_SignSequenceStart, k, "", "", 0, &seq), 0);
    assert_int_equal(sign_complete(tpm, seq, k2, "", msg, 10, sig), RC_HANDLE2(TPM_RC_SIGN_CONTEXT_KEY));
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SequenceComplete);
    cb_u32(&c, seq);
    cb_pw(&c, "");
    cb_2b(&c, msg, 10);
    cb_u32(&c, TPM_RH_OWNER);
    assert_int_equal(run(tpm, &c, &r), RC_HANDLE1(TPM_RC_MODE));
    assert_int_equal(seq_update(tpm, seq, "", (const uint8_t *)"\xFFT", 2), 0);
    assert_int_equal(sign_complete(tpm, seq, k, "", (const uint8_t *)"CG...", 5, sig),
                     RC_PARAM(TPM_RC_VALUE, 1));
    /* the refused chunk was not taken: the sequence still signs "\xFFT" + other data */
    assert_int_equal(sign_complete(tpm, seq, k, "", (const uint8_t *)"xx", 2, sig), 0);
    const uint8_t *pk44 = pub_key(pub, &t, &n);
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_44, pk44, n,
                                       (const uint8_t *)"\xFFTxx", 4, NULL, 0, sig->sig, sig->len),
                     0);
    /* an ML-KEM key starts no signing sequence */
    tmpl kt = mlkem_template(A_KEY | A_DECRYPT, 0, TPM_MLKEM_512);
    uint32_t kk = primary(tpm, TPM_RH_OWNER, &kt, NULL);
    assert_int_equal(seq_start(tpm, TPM_CC_SignSequenceStart, kk, "", "", 0, &seq),
                     RC_HANDLE1(TPM_RC_KEY));
    free(pub);
    free(sig);
    free(msg);
    qtpm_tpm_free(tpm);
}

/* TPM2_Sign / VerifySignature with HashML-DSA; pure ML-DSA signs no digest. */
static void test_sign_hashmldsa(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *pub = malloc(sizeof(*pub));
    dsasig *sig = malloc(sizeof(*sig));
    tmpl t = hmldsa_template(A_KEY | A_SIGN | A_RESTRICTED, TPM_MLDSA_65, TPM_ALG_SHA256);
    uint32_t k = primary(tpm, TPM_RH_OWNER, &t, pub);
    uint16_t n;
    const uint8_t *pk = pub_key(pub, &t, &n);
    cmdbuf c;
    rspbuf r;
    /* TPM2_Hash gives the digest and the ticket the restricted key needs */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "attest me", 9);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPM_RH_OWNER);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint8_t d[32], ticket[64];
    memcpy(d, rb_2b(&r, &n), 32);
    size_t tl = r.n - r.off;
    memcpy(ticket, r.b + r.off, tl);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, k);
    cb_pw(&c, "");
    cb_2b(&c, d, 32);
    cb_u16(&c, TPM_ALG_HASH_MLDSA);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_bytes(&c, ticket, tl);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    rb_dsasig(&r, sig);
    assert_int_equal(sig->alg, TPM_ALG_HASH_MLDSA);
    assert_int_equal(qtpm_hashmldsa_verify(QTPM_MLDSA_65, pk, 1952, QTPM_PH_SHA256,
                                           (const uint8_t *)"attest me", 9, NULL, 0, sig->sig,
                                           sig->len),
                     0);
    /* the same through SignDigest with the ticket */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SignDigest);
    cb_u32(&c, k);
    cb_pw(&c, "");
    cb_u16(&c, 0);
    cb_2b(&c, d, 32);
    cb_bytes(&c, ticket, tl);
    assert_int_equal(run(tpm, &c, &r), 0);
    /* ...but not without it */
    assert_int_equal(sign_digest(tpm, k, "", d, 32, sig), RC_PARAM(TPM_RC_TICKET, 3));
    /* VerifySignature: TPM_ST_VERIFIED ticket; a changed digest fails */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
    cb_u32(&c, k);
    cb_2b(&c, d, 32);
    rb_u32(&r);
    rb_dsasig(&r, sig);
    cb_dsasig(&c, sig);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(rb_u16(&r), TPM_ST_VERIFIED);
    d[0] ^= 1;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
    cb_u32(&c, k);
    cb_2b(&c, d, 32);
    cb_dsasig(&c, sig);
    assert_int_equal(run(tpm, &c, &r), RC_PARAM(TPM_RC_SIGNATURE, 2));
    /* a scheme other than the key's */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, k);
    cb_pw(&c, "");
    cb_2b(&c, d, 32);
    cb_u16(&c, TPM_ALG_HASH_MLDSA);
    cb_u16(&c, TPM_ALG_SHA384);
    cb_bytes(&c, ticket, tl);
    assert_int_equal(run(tpm, &c, &r), RC_PARAM(TPM_RC_SCHEME, 2));
    flush(tpm, k);
    /* pure ML-DSA: TPM2_Sign refuses (the message, not a digest, is signed) */
    tmpl pt = mldsa_template(A_KEY | A_SIGN, TPM_MLDSA_44, 0);
    k = primary(tpm, TPM_RH_OWNER, &pt, NULL);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, k);
    cb_pw(&c, "");
    cb_2b(&c, d, 32);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ST_HASHCHECK);
    cb_u32(&c, TPM_RH_NULL);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), RC_PARAM(TPM_RC_SCHEME, 2));
    free(pub);
    free(sig);
    qtpm_tpm_free(tpm);
}

/* Object contexts of ML-KEM / ML-DSA keys leave the public key out and
 * recompute it from the private seed at ContextLoad (context.c), so that an
 * EK and an AK fit Linux's /dev/tpmrm0 together (its 4,096-byte buffer for
 * all of a client's saved objects). The loaded copy is the same key: same
 * public area, and it still signs. */
static void test_context_compact(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *pub = malloc(sizeof(*pub));
    dsasig *sig = malloc(sizeof(*sig));
    static const struct {
        int kem;
        uint16_t set;
    } keys[] = {{1, TPM_MLKEM_768}, {1, TPM_MLKEM_1024}, {0, TPM_MLDSA_65}, {0, TPM_MLDSA_87}};
    size_t total = 0;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        tmpl t = keys[i].kem ? mlkem_template(STORAGE, 128, keys[i].set)
                             : mldsa_template(A_KEY | A_SIGN, keys[i].set, 1);
        uint32_t k = primary(tpm, TPM_RH_OWNER, &t, pub);
        cmdbuf c;
        rspbuf r;
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
        cb_u32(&c, k);
        assert_int_equal(run(tpm, &c, &r), 0);
        static uint8_t ctx[6000];
        size_t cl = r.n - 10;
        memcpy(ctx, r.b + 10, cl);
        /* sequence 8, savedHandle 4, hierarchy 4, blob size 2, blob:
         * integrity + a few hundred bytes, not the kilobytes of the key */
        uint16_t blob = (uint16_t)((ctx[16] << 8) | ctx[17]);
        assert_true(blob < 400);
        total += 18 + blob;
        assert_int_equal(flush(tpm, k), 0);
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
        cb_bytes(&c, ctx, cl);
        assert_int_equal(run(tpm, &c, &r), 0);
        uint32_t k2 = rb_u32(&r);
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
        cb_u32(&c, k2);
        assert_int_equal(run(tpm, &c, &r), 0);
        uint16_t n;
        const uint8_t *p = rb_2b(&r, &n);
        assert_int_equal(n, pub->n);
        assert_memory_equal(p, pub->b, n);
        p = rb_2b(&r, &n); /* the Name: the same object */
        assert_int_equal(n, 34);
        assert_memory_equal(p, pub->name, 34);
        if (!keys[i].kem) {
            uint8_t mu[64] = {1, 2, 3};
            assert_int_equal(sign_digest(tpm, k2, "", mu, 64, sig), 0);
            uint32_t hier;
            uint16_t meta, hl;
            assert_int_equal(verify_digest(tpm, k2, "", mu, 64, sig, &hier, &meta, &hl), 0);
        }
        /* a tampered compact context fails its integrity check */
        ctx[cl - 1] ^= 1;
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
        cb_bytes(&c, ctx, cl);
        assert_int_equal(run(tpm, &c, &r), TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_1);
        flush(tpm, k2);
    }
    /* all four keys' contexts together fit one 4,096-byte buffer */
    assert_true(total < 4096);
    free(sig);
    free(pub);
    qtpm_tpm_free(tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primaries),      cmocka_unit_test(test_template_errors),
        cmocka_unit_test(test_create_load),    cmocka_unit_test(test_kem),
        cmocka_unit_test(test_sign_digest),    cmocka_unit_test(test_sequences),
        cmocka_unit_test(test_sign_hashmldsa), cmocka_unit_test(test_context_compact),
        cmocka_unit_test(test_cached_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
