/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_object.c — objects through qtpm_tpm_execute: deterministic
 * primaries (RSA-2048, ECC P-256), Create/Load, Sign/VerifySignature
 * (RSASSA, RSAPSS, ECDSA, HMAC), RSA_Encrypt/Decrypt, sealing and Unseal,
 * ECDH, symmetric encryption, Hash/HMAC and sequences, ContextSave/Load
 * (sequence objects included),
 * EvictControl across qtpm_tpm_free/new, NV indices, and the authorization
 * failures that count against dictionary-attack protection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine_test.h"
#include "qtpm/classic.h"

#define A_FIXEDTPM 0x2u
#define A_FIXEDPARENT 0x10u
#define A_SDO 0x20u
#define A_USERWITHAUTH 0x40u
#define A_NODA 0x400u
#define A_RESTRICTED 0x10000u
#define A_DECRYPT 0x20000u
#define A_SIGN 0x40000u

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

static blob rsa_template(uint32_t attrs, uint16_t sym_bits, uint16_t scheme, uint16_t hash)
{
    blob t = {.n = 0};
    t16(&t, TPM_ALG_RSA);
    t16(&t, TPM_ALG_SHA256);
    t32(&t, attrs);
    t16(&t, 0); /* authPolicy */
    if (sym_bits) {
        t16(&t, TPM_ALG_AES);
        t16(&t, sym_bits);
        t16(&t, TPM_ALG_CFB);
    } else {
        t16(&t, TPM_ALG_NULL);
    }
    t16(&t, scheme);
    if (scheme != TPM_ALG_NULL)
        t16(&t, hash);
    t16(&t, 2048);
    t32(&t, 0);
    t16(&t, 0); /* unique */
    return t;
}

static blob ecc_template(uint32_t attrs, uint16_t sym_bits, uint16_t scheme, uint16_t hash)
{
    blob t = {.n = 0};
    t16(&t, TPM_ALG_ECC);
    t16(&t, TPM_ALG_SHA256);
    t32(&t, attrs);
    t16(&t, 0);
    if (sym_bits) {
        t16(&t, TPM_ALG_AES);
        t16(&t, sym_bits);
        t16(&t, TPM_ALG_CFB);
    } else {
        t16(&t, TPM_ALG_NULL);
    }
    t16(&t, scheme);
    if (scheme != TPM_ALG_NULL)
        t16(&t, hash);
    t16(&t, TPM_ECC_NIST_P256);
    t16(&t, TPM_ALG_NULL);
    t16(&t, 0);
    t16(&t, 0);
    return t;
}

static blob keyedhash_template(uint32_t attrs, uint16_t scheme, uint16_t hash)
{
    blob t = {.n = 0};
    t16(&t, TPM_ALG_KEYEDHASH);
    t16(&t, TPM_ALG_SHA256);
    t32(&t, attrs);
    t16(&t, 0);
    t16(&t, scheme);
    if (scheme != TPM_ALG_NULL)
        t16(&t, hash);
    t16(&t, 0);
    return t;
}

static blob aes_template(uint32_t attrs)
{
    blob t = {.n = 0};
    t16(&t, TPM_ALG_SYMCIPHER);
    t16(&t, TPM_ALG_SHA256);
    t32(&t, attrs);
    t16(&t, 0);
    t16(&t, TPM_ALG_AES);
    t16(&t, 128);
    t16(&t, TPM_ALG_NULL);
    t16(&t, 0);
    return t;
}

#define STORAGE (A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_RESTRICTED | A_DECRYPT | A_NODA)

/* TPM2B_SENSITIVE_CREATE with userAuth and data. */
static void cb_sensitive(cmdbuf *c, const char *auth, const void *data, uint16_t dlen)
{
    uint16_t al = auth ? (uint16_t)strlen(auth) : 0;
    cb_u16(c, (uint16_t)(4 + al + dlen));
    cb_2b(c, auth, al);
    cb_2b(c, data, dlen);
}

static void cb_empty_creation(cmdbuf *c)
{
    cb_u16(c, 0); /* outsideInfo */
    cb_u32(c, 0); /* creationPCR */
}

/* CreatePrimary; returns the handle and copies the public area out. */
static uint32_t create_primary(qtpm_tpm *tpm, uint32_t hier, const blob *t, uint8_t *pub,
                               uint16_t *pub_len, uint32_t *rc_out)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, hier);
    cb_pw(&c, "");
    cb_sensitive(&c, "", NULL, 0);
    cb_2b(&c, t->b, (uint16_t)t->n);
    cb_empty_creation(&c);
    uint32_t rc = run(tpm, &c, &r);
    if (rc_out)
        *rc_out = rc;
    if (rc)
        return 0;
    uint32_t h = rb_u32(&r);
    rb_u32(&r);
    uint16_t n;
    const uint8_t *p = rb_2b(&r, &n);
    if (pub) {
        memcpy(pub, p, n);
        *pub_len = n;
    }
    rb_2b(&r, &n); /* creationData */
    rb_2b(&r, &n); /* creationHash */
    assert_int_equal(rb_u16(&r), TPM_ST_CREATION);
    assert_int_equal(rb_u32(&r), hier);
    rb_2b(&r, &n);
    rb_2b(&r, &n); /* name */
    assert_int_equal(n, 34);
    return h;
}

static uint32_t flush(qtpm_tpm *tpm, uint32_t h)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
    cb_u32(&c, h);
    return run(tpm, &c, &r);
}

/* Create + Load under parent; returns the loaded handle. */
static uint32_t create_load(qtpm_tpm *tpm, uint32_t parent, const blob *t, const char *auth,
                            const void *data, uint16_t dlen, uint8_t *priv, uint16_t *priv_len,
                            uint8_t *pub, uint16_t *pub_len)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Create);
    cb_u32(&c, parent);
    cb_pw(&c, "");
    cb_sensitive(&c, auth, data, dlen);
    cb_2b(&c, t->b, (uint16_t)t->n);
    cb_empty_creation(&c);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint16_t pl, ul;
    const uint8_t *p = rb_2b(&r, &pl);
    uint8_t pv[2048], pb[1024];
    memcpy(pv, p, pl);
    p = rb_2b(&r, &ul);
    memcpy(pb, p, ul);
    if (priv) {
        memcpy(priv, pv, pl);
        *priv_len = pl;
    }
    if (pub) {
        memcpy(pub, pb, ul);
        *pub_len = ul;
    }
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Load);
    cb_u32(&c, parent);
    cb_pw(&c, "");
    cb_2b(&c, pv, pl);
    cb_2b(&c, pb, ul);
    assert_int_equal(run(tpm, &c, &r), 0);
    return rb_u32(&r);
}

static uint32_t sign(qtpm_tpm *tpm, uint32_t key, const char *auth, uint16_t scheme,
                     const uint8_t digest[32], rspbuf *r)
{
    cmdbuf c;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, key);
    cb_pw(&c, auth);
    cb_2b(&c, digest, 32);
    cb_u16(&c, scheme);
    if (scheme != TPM_ALG_NULL)
        cb_u16(&c, TPM_ALG_SHA256);
    cb_u16(&c, TPM_ST_HASHCHECK);
    cb_u32(&c, TPM_RH_NULL);
    cb_u16(&c, 0);
    return run(tpm, &c, r);
}

static uint32_t verify(qtpm_tpm *tpm, uint32_t key, const uint8_t digest[32], const uint8_t *sig,
                       size_t sig_len)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
    cb_u32(&c, key);
    cb_2b(&c, digest, 32);
    cb_bytes(&c, sig, sig_len);
    return run(tpm, &c, &r);
}

static void test_primary_deterministic(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob t = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint8_t p1[1024], p2[1024];
    uint16_t l1, l2;
    uint32_t h1 = create_primary(tpm, TPM_RH_OWNER, &t, p1, &l1, NULL);
    uint32_t h2 = create_primary(tpm, TPM_RH_OWNER, &t, p2, &l2, NULL);
    assert_int_not_equal(h1, h2);
    assert_int_equal(l1, l2);
    assert_memory_equal(p1, p2, l1);
    /* another hierarchy has another seed */
    uint32_t h3 = create_primary(tpm, TPM_RH_ENDORSEMENT, &t, p2, &l2, NULL);
    assert_memory_not_equal(p1, p2, l1);
    assert_int_equal(flush(tpm, h1), 0);
    assert_int_equal(flush(tpm, h2), 0);
    assert_int_equal(flush(tpm, h3), 0);
    assert_int_equal(flush(tpm, h3), TPM_RC_HANDLE | TPM_RC_P | TPM_RC_1);

    blob e = ecc_template(STORAGE, 128, TPM_ALG_NULL, 0);
    h1 = create_primary(tpm, TPM_RH_OWNER, &e, p1, &l1, NULL);
    h2 = create_primary(tpm, TPM_RH_OWNER, &e, p2, &l2, NULL);
    assert_memory_equal(p1, p2, l1);
    flush(tpm, h1);
    flush(tpm, h2);

    /* bad templates: unknown type, restricted without sign/decrypt, a
     * storage key without a symmetric algorithm */
    blob bad = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    bad.b[1] = 0x77;
    uint32_t rc;
    create_primary(tpm, TPM_RH_OWNER, &bad, NULL, NULL, &rc);
    assert_int_equal(rc, TPM_RC_TYPE | TPM_RC_P | TPM_RC_2);
    bad = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_RESTRICTED, 0, TPM_ALG_NULL, 0);
    create_primary(tpm, TPM_RH_OWNER, &bad, NULL, NULL, &rc);
    assert_int_equal(rc, TPM_RC_ATTRIBUTES | TPM_RC_P | TPM_RC_2);
    bad = rsa_template(STORAGE, 0, TPM_ALG_NULL, 0);
    create_primary(tpm, TPM_RH_OWNER, &bad, NULL, NULL, &rc);
    assert_int_equal(rc, TPM_RC_SYMMETRIC | TPM_RC_P | TPM_RC_2);
    qtpm_tpm_free(tpm);
}

static void test_sign_verify(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = ecc_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, NULL, NULL, NULL);
    uint8_t digest[32];
    qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"message", 7, digest);
    rspbuf r;

    /* RSA key without a scheme: RSASSA and RSAPSS chosen by the caller */
    blob rt = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_SIGN, 0,
                           TPM_ALG_NULL, 0);
    uint32_t rk = create_load(tpm, srk, &rt, "rsapw", NULL, 0, NULL, NULL, NULL, NULL);
    uint16_t schemes[] = {TPM_ALG_RSASSA, TPM_ALG_RSAPSS};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(sign(tpm, rk, "rsapw", schemes[i], digest, &r), 0);
        rb_u32(&r);
        size_t start = r.off;
        assert_int_equal(rb_u16(&r), schemes[i]);
        assert_int_equal(rb_u16(&r), TPM_ALG_SHA256);
        uint16_t n;
        rb_2b(&r, &n);
        assert_int_equal(n, 256);
        uint8_t sig[600];
        size_t sl = r.off - start;
        memcpy(sig, r.b + start, sl);
        assert_int_equal(verify(tpm, rk, digest, sig, sl), 0);
        sig[sl - 1] ^= 1;
        assert_int_equal(verify(tpm, rk, digest, sig, sl), TPM_RC_SIGNATURE | TPM_RC_P | TPM_RC_2);
    }
    /* no scheme anywhere */
    assert_int_equal(sign(tpm, rk, "rsapw", TPM_ALG_NULL, digest, &r),
                     TPM_RC_SCHEME | TPM_RC_P | TPM_RC_2);
    /* wrong password on a DA-protected key: TPM_RC_AUTH_FAIL, session 1 */
    assert_int_equal(sign(tpm, rk, "nope", TPM_ALG_RSASSA, digest, &r),
                     TPM_RC_AUTH_FAIL | TPM_RC_S | TPM_RC_1);

    /* ECDSA key with its own scheme */
    blob et = ecc_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_SIGN | A_NODA, 0,
                           TPM_ALG_ECDSA, TPM_ALG_SHA256);
    uint32_t ek = create_load(tpm, srk, &et, "", NULL, 0, NULL, NULL, NULL, NULL);
    assert_int_equal(sign(tpm, ek, "", TPM_ALG_NULL, digest, &r), 0);
    rb_u32(&r);
    size_t start = r.off;
    assert_int_equal(rb_u16(&r), TPM_ALG_ECDSA);
    rb_u16(&r);
    uint16_t n;
    rb_2b(&r, &n);
    assert_int_equal(n, 32);
    rb_2b(&r, &n);
    uint8_t sig[200];
    size_t sl = r.off - start;
    memcpy(sig, r.b + start, sl);
    assert_int_equal(verify(tpm, ek, digest, sig, sl), 0);
    uint8_t other[32];
    memcpy(other, digest, 32);
    other[0] ^= 0x80;
    assert_int_equal(verify(tpm, ek, other, sig, sl), TPM_RC_SIGNATURE | TPM_RC_P | TPM_RC_2);
    /* a different scheme than the key's is refused */
    assert_int_equal(sign(tpm, ek, "", TPM_ALG_RSASSA, digest, &r),
                     TPM_RC_SCHEME | TPM_RC_P | TPM_RC_2);
    /* a storage key does not sign */
    assert_int_equal(sign(tpm, srk, "", TPM_ALG_ECDSA, digest, &r), TPM_RC_KEY | TPM_RC_1);

    /* restricted signing key needs a hashcheck ticket from TPM2_Hash */
    blob at = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_SIGN |
                               A_RESTRICTED | A_NODA,
                           0, TPM_ALG_RSASSA, TPM_ALG_SHA256);
    uint32_t ak = create_load(tpm, srk, &at, "", NULL, 0, NULL, NULL, NULL, NULL);
    assert_int_equal(sign(tpm, ak, "", TPM_ALG_NULL, digest, &r), TPM_RC_TICKET | TPM_RC_P | TPM_RC_3);
    cmdbuf c;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "message", 7);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPM_RH_OWNER);
    assert_int_equal(run(tpm, &c, &r), 0);
    const uint8_t *h = rb_2b(&r, &n);
    assert_memory_equal(h, digest, 32);
    uint8_t ticket[64];
    size_t tl = r.n - r.off;
    memcpy(ticket, r.b + r.off, tl);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_2b(&c, digest, 32);
    cb_u16(&c, TPM_ALG_NULL);
    cb_bytes(&c, ticket, tl);
    assert_int_equal(run(tpm, &c, &r), 0);
    /* data that looks like an attestation gets no ticket */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "\xFFTCGxx", 6);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPM_RH_OWNER);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_2b(&r, &n);
    assert_int_equal(rb_u16(&r), TPM_ST_HASHCHECK);
    assert_int_equal(rb_u32(&r), TPM_RH_NULL);
    qtpm_tpm_free(tpm);
}

static void test_seal_unseal(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, NULL, NULL, NULL);
    blob kt = keyedhash_template(A_FIXEDTPM | A_FIXEDPARENT | A_USERWITHAUTH, TPM_ALG_NULL, 0);
    uint8_t priv[2048], pub[1024];
    uint16_t pl, ul;
    uint32_t obj = create_load(tpm, srk, &kt, "sealpw", "token-42", 8, priv, &pl, pub, &ul);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj);
    cb_pw(&c, "sealpw");
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint16_t n;
    const uint8_t *d = rb_2b(&r, &n);
    assert_int_equal(n, 8);
    assert_memory_equal(d, "token-42", 8);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj);
    cb_pw(&c, "sealpx");
    assert_int_equal(run(tpm, &c, &r), TPM_RC_AUTH_FAIL | TPM_RC_S | TPM_RC_1);

    /* a tampered private blob fails its integrity check */
    priv[pl - 1] ^= 1;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Load);
    cb_u32(&c, srk);
    cb_pw(&c, "");
    cb_2b(&c, priv, pl);
    cb_2b(&c, pub, ul);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_1);
    priv[pl - 1] ^= 1;
    /* a public area that does not match */
    pub[ul - 1] ^= 1;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Load);
    cb_u32(&c, srk);
    cb_pw(&c, "");
    cb_2b(&c, priv, pl);
    cb_2b(&c, pub, ul);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_1);
    pub[ul - 1] ^= 1;

    /* ObjectChangeAuth gives a new private blob with the new password */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ObjectChangeAuth);
    cb_u32(&c, obj);
    cb_u32(&c, srk);
    cb_pw(&c, "sealpw");
    cb_2b(&c, "newpw", 5);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    const uint8_t *np = rb_2b(&r, &n);
    uint8_t newpriv[2048];
    memcpy(newpriv, np, n);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Load);
    cb_u32(&c, srk);
    cb_pw(&c, "");
    cb_2b(&c, newpriv, n);
    cb_2b(&c, pub, ul);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t obj2 = rb_u32(&r);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj2);
    cb_pw(&c, "newpw");
    assert_int_equal(run(tpm, &c, &r), 0);

    /* ReadPublic returns the public area and the names */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
    cb_u32(&c, obj);
    assert_int_equal(run(tpm, &c, &r), 0);
    d = rb_2b(&r, &n);
    assert_int_equal(n, ul);
    assert_memory_equal(d, pub, n);
    rb_2b(&r, &n);
    assert_int_equal(n, 34);
    qtpm_tpm_free(tpm);
}

/* Typed parameters of the object/key/crypto families (issue 11): dispatch
 * unmarshals them with the shared module and numbers the failing one; the
 * handler's own checks use the PN_ numbers. Each case is a malformed
 * parameter at a position other than 1, so a wrong number shows. */
static void test_typed_key_params(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    const TPM_RC P = TPM_RC_P;
    cmdbuf c;
    rspbuf r;
    /* Hash: hashAlg (2) the TPM lacks; a hierarchy (3) that is none */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, 0x7777);
    cb_u32(&c, TPM_RH_NULL);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | P | TPM_RC_2);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, 0x40000099u);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | P | TPM_RC_3);
    /* ... and bytes after the last parameter */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPM_RH_NULL);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE);
    /* HashSequenceStart: auth (1) larger than TPM2B_AUTH */
    uint8_t big[80] = {0};
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
    cb_2b(&c, big, 65);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | P | TPM_RC_1);
    /* keys for the handle-bearing commands */
    blob st = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, NULL, NULL, NULL);
    assert_true(srk != 0);
    blob kt = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_DECRYPT | A_NODA, 0,
                           TPM_ALG_NULL, 0);
    uint32_t k = create_load(tpm, srk, &kt, "", NULL, 0, NULL, NULL, NULL, NULL);
    /* RSA_Encrypt: a scheme (2) that is no decryption scheme; a label (3)
     * longer than TPM2B_DATA (Part 2: sizeof(TPMT_HA) = 66 bytes) */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_RSA_Encrypt);
    cb_u32(&c, k);
    cb_2b(&c, "m", 1);
    cb_u16(&c, TPM_ALG_RSASSA);
    cb_2b(&c, "", 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | P | TPM_RC_2);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_RSA_Encrypt);
    cb_u32(&c, k);
    cb_2b(&c, "m", 1);
    cb_u16(&c, TPM_ALG_NULL);
    cb_2b(&c, big, 67);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | P | TPM_RC_3);
    /* Create: creationPCR (4) with a hash the TPM lacks */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Create);
    cb_u32(&c, srk);
    cb_pw(&c, "");
    cb_sensitive(&c, "", NULL, 0);
    cb_2b(&c, kt.b, (uint16_t)kt.n);
    cb_u16(&c, 0);
    cb_u32(&c, 1);
    cb_u16(&c, 0x7777);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HASH | P | TPM_RC_4);
    /* Sign: the ticket (3) with another tag */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, k);
    cb_pw(&c, "");
    cb_2b(&c, big, 32);
    cb_u16(&c, TPM_ALG_RSASSA);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u16(&c, TPM_ST_CREATION);
    cb_u32(&c, TPM_RH_NULL);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_TAG | P | TPM_RC_3);
    /* EncryptDecrypt2: decrypt (2) is not a TPMI_YES_NO */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt2);
    cb_u32(&c, k);
    cb_pw(&c, "");
    cb_2b(&c, big, 16);
    cb_u8(&c, 2);
    cb_u16(&c, TPM_ALG_CFB);
    cb_2b(&c, big, 16);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | P | TPM_RC_2);
    qtpm_tpm_free(tpm);
}

static void test_rsa_encrypt_decrypt(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, NULL, NULL, NULL);
    blob kt = rsa_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_DECRYPT | A_NODA, 0,
                           TPM_ALG_NULL, 0);
    uint32_t k = create_load(tpm, srk, &kt, "", NULL, 0, NULL, NULL, NULL, NULL);
    uint16_t schemes[] = {TPM_ALG_OAEP, TPM_ALG_RSAES};
    for (int i = 0; i < 2; i++) {
        cmdbuf c;
        rspbuf r;
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_RSA_Encrypt);
        cb_u32(&c, k);
        cb_2b(&c, "secret message", 14);
        cb_u16(&c, schemes[i]);
        if (schemes[i] == TPM_ALG_OAEP)
            cb_u16(&c, TPM_ALG_SHA256);
        cb_2b(&c, "label", 5);
        assert_int_equal(run(tpm, &c, &r), 0);
        uint16_t n;
        const uint8_t *ct = rb_2b(&r, &n);
        assert_int_equal(n, 256);
        uint8_t ctb[256];
        memcpy(ctb, ct, 256);
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_RSA_Decrypt);
        cb_u32(&c, k);
        cb_pw(&c, "");
        cb_2b(&c, ctb, 256);
        cb_u16(&c, schemes[i]);
        if (schemes[i] == TPM_ALG_OAEP)
            cb_u16(&c, TPM_ALG_SHA256);
        cb_2b(&c, "label", 5);
        assert_int_equal(run(tpm, &c, &r), 0);
        rb_u32(&r);
        const uint8_t *pt = rb_2b(&r, &n);
        assert_int_equal(n, 14);
        assert_memory_equal(pt, "secret message", 14);
        /* corrupted ciphertext is refused */
        ctb[10] ^= 1;
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_RSA_Decrypt);
        cb_u32(&c, k);
        cb_pw(&c, "");
        cb_2b(&c, ctb, 256);
        cb_u16(&c, schemes[i]);
        if (schemes[i] == TPM_ALG_OAEP)
            cb_u16(&c, TPM_ALG_SHA256);
        cb_2b(&c, "label", 5);
        assert_int_equal(run(tpm, &c, &r), TPM_RC_VALUE | TPM_RC_P | TPM_RC_1);
    }
    qtpm_tpm_free(tpm);
}

static void seq_update(qtpm_tpm *tpm, uint32_t seq, const char *pw, const char *data)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
    cb_u32(&c, seq);
    cb_pw(&c, pw);
    cb_2b(&c, data, (uint16_t)strlen(data));
    assert_int_equal(run(tpm, &c, &r), 0);
}

static void seq_complete(qtpm_tpm *tpm, uint32_t seq, const char *pw, const char *data,
                         uint8_t *out, uint16_t want_len)
{
    cmdbuf c;
    rspbuf r;
    uint16_t n;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SequenceComplete);
    cb_u32(&c, seq);
    cb_pw(&c, pw);
    cb_2b(&c, data, (uint16_t)strlen(data));
    cb_u32(&c, TPM_RH_NULL);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    const uint8_t *d = rb_2b(&r, &n);
    assert_int_equal(n, want_len);
    memcpy(out, d, n);
}

/* TPM2_HMAC of data with the HMAC key hk (empty authValue); mac gets its 32 bytes. */
static void hmac_once(qtpm_tpm *tpm, uint32_t hk, const char *data, uint8_t mac[32])
{
    cmdbuf c;
    rspbuf r;
    uint16_t n;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HMAC);
    cb_u32(&c, hk);
    cb_pw(&c, "");
    cb_2b(&c, data, (uint16_t)strlen(data));
    cb_u16(&c, TPM_ALG_NULL);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    memcpy(mac, rb_2b(&r, &n), 32);
}

/* TPM2_HMAC_Start with the HMAC key hk (empty authValue), the sequence's authValue
 * pw; the sequence's handle. */
static uint32_t hmac_seq_start(qtpm_tpm *tpm, uint32_t hk, const char *pw)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_HMAC_Start);
    cb_u32(&c, hk);
    cb_pw(&c, "");
    cb_2b(&c, pw, (uint16_t)strlen(pw));
    cb_u16(&c, TPM_ALG_NULL);
    assert_int_equal(run(tpm, &c, &r), 0);
    return rb_u32(&r);
}

/* TPM2_HashSequenceStart with authValue pw; the sequence's handle. */
static uint32_t hash_seq_start(qtpm_tpm *tpm, const char *pw, uint16_t alg)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
    cb_2b(&c, pw, (uint16_t)strlen(pw));
    cb_u16(&c, alg);
    assert_int_equal(run(tpm, &c, &r), 0);
    return rb_u32(&r);
}

static void test_symmetric_and_hmac(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, NULL, NULL, NULL);
    blob at = aes_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_DECRYPT | A_SIGN | A_NODA);
    uint32_t ak = create_load(tpm, srk, &at, "", NULL, 0, NULL, NULL, NULL, NULL);
    uint8_t iv[16] = {0}, data[32];
    memset(data, 0x5A, sizeof(data));
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt2);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_2b(&c, data, 32);
    cb_u8(&c, 0);
    cb_u16(&c, TPM_ALG_CBC);
    cb_2b(&c, iv, 16);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint16_t n;
    uint8_t ct[32];
    memcpy(ct, rb_2b(&r, &n), 32);
    assert_memory_not_equal(ct, data, 32);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_u8(&c, 1);
    cb_u16(&c, TPM_ALG_CBC);
    cb_2b(&c, iv, 16);
    cb_2b(&c, ct, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    assert_memory_equal(rb_2b(&r, &n), data, 32);
    /* CBC needs whole blocks */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EncryptDecrypt2);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_2b(&c, data, 31);
    cb_u8(&c, 0);
    cb_u16(&c, TPM_ALG_CBC);
    cb_2b(&c, iv, 16);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_SIZE | TPM_RC_P | TPM_RC_1);

    /* HMAC key: one-shot and sequence agree */
    blob ht = keyedhash_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_SIGN | A_NODA,
                                 TPM_ALG_HMAC, TPM_ALG_SHA256);
    uint32_t hk = create_load(tpm, srk, &ht, "", NULL, 0, NULL, NULL, NULL, NULL);
    uint8_t mac1[32], mac2[32];
    hmac_once(tpm, hk, "abcdef", mac1);
    uint32_t seq = hmac_seq_start(tpm, hk, "seqpw");
    seq_update(tpm, seq, "seqpw", "abc");
    seq_complete(tpm, seq, "seqpw", "def", mac2, 32);
    assert_memory_equal(mac2, mac1, 32);
    /* the sequence is gone */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
    cb_u32(&c, seq);
    cb_pw(&c, "seqpw");
    cb_2b(&c, "abc", 3);
    /* a transient handle that is not loaded: the warning REFERENCE_H0
     * (Part 2 §6.6.3), as the reference implementation and libtpms answer */
    assert_int_equal(run(tpm, &c, &r), TPM_RC_REFERENCE_H0);

    /* hash sequence agrees with qtpm_hash */
    seq = hash_seq_start(tpm, "", TPM_ALG_SHA384);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SequenceComplete);
    cb_u32(&c, seq);
    cb_pw(&c, "");
    cb_2b(&c, "hello", 5);
    cb_u32(&c, TPM_RH_OWNER);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint8_t h384[48];
    qtpm_hash(QTPM_HASH_SHA384, (const uint8_t *)"hello", 5, h384);
    assert_memory_equal(rb_2b(&r, &n), h384, 48);
    assert_int_equal(rb_u16(&r), TPM_ST_HASHCHECK);
    assert_int_equal(rb_u32(&r), TPM_RH_OWNER);
    qtpm_tpm_free(tpm);
}

static void test_ecdh(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, NULL, NULL, NULL);
    blob kt = ecc_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_DECRYPT | A_NODA, 0,
                           TPM_ALG_ECDH, TPM_ALG_SHA256);
    uint32_t k = create_load(tpm, srk, &kt, "", NULL, 0, NULL, NULL, NULL, NULL);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ECDH_KeyGen);
    cb_u32(&c, k);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    rb_u16(&r);
    uint8_t zx[32], px[32], py[32];
    memcpy(zx, rb_2b(&r, &n), 32);
    rb_2b(&r, &n);
    rb_u16(&r);
    memcpy(px, rb_2b(&r, &n), 32);
    memcpy(py, rb_2b(&r, &n), 32);
    /* ZGen with the ephemeral public point gives the same shared point */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ECDH_ZGen);
    cb_u32(&c, k);
    cb_pw(&c, "");
    cb_u16(&c, 68);
    cb_2b(&c, px, 32);
    cb_2b(&c, py, 32);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    rb_u16(&r);
    assert_memory_equal(rb_2b(&r, &n), zx, 32);
    /* a point off the curve */
    py[5] ^= 1;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ECDH_ZGen);
    cb_u32(&c, k);
    cb_pw(&c, "");
    cb_u16(&c, 68);
    cb_2b(&c, px, 32);
    cb_2b(&c, py, 32);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_ECC_POINT | TPM_RC_P | TPM_RC_1);
    qtpm_tpm_free(tpm);
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

static void test_context_and_evict(void **state)
{
    (void)state;
    char dir[] = "/tmp/qtpm-engine-obj-XXXXXX";
    assert_non_null(mkdtemp(dir));
    qtpm_tpm *tpm = dir_tpm(dir);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    blob st = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint8_t pub[1024];
    uint16_t ul;
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, pub, &ul, NULL);

    /* ContextSave + Flush + ContextLoad gives the same object back */
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
    cb_u32(&c, srk);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint8_t ctx[4096];
    size_t cl = r.n - 10;
    memcpy(ctx, r.b + 10, cl);
    assert_int_equal(flush(tpm, srk), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
    cb_bytes(&c, ctx, cl);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t srk2 = rb_u32(&r);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
    cb_u32(&c, srk2);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint16_t n;
    assert_memory_equal(rb_2b(&r, &n), pub, ul);
    /* a modified context fails its integrity check */
    ctx[cl - 1] ^= 1;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
    cb_bytes(&c, ctx, cl);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_1);

    /* EvictControl: persistent across free/new */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, srk2);
    cb_pw(&c, "");
    cb_u32(&c, 0x81000001);
    assert_int_equal(run(tpm, &c, &r), 0);
    /* twice: already defined */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, srk2);
    cb_pw(&c, "");
    cb_u32(&c, 0x81000001);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_NV_DEFINED);
    /* owner may not use the platform range */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, srk2);
    cb_pw(&c, "");
    cb_u32(&c, 0x81800001);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_RANGE | TPM_RC_P | TPM_RC_1);

    /* an NV index with data */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_DefineSpace);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_2b(&c, "nvpw", 4);
    cb_u16(&c, 14);
    cb_u32(&c, 0x01000010);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD | TPMA_NV_OWNERREAD);
    cb_u16(&c, 0);
    cb_u16(&c, 16);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
    cb_u32(&c, 0x01000010);
    cb_u32(&c, 0x01000010);
    cb_pw(&c, "nvpw");
    cb_u16(&c, 4);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_NV_UNINITIALIZED);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
    cb_u32(&c, 0x01000010);
    cb_u32(&c, 0x01000010);
    cb_pw(&c, "nvpw");
    cb_2b(&c, "persist!", 8);
    cb_u16(&c, 4);
    assert_int_equal(run(tpm, &c, &r), 0);
    /* owner may not write: OWNERWRITE is clear */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 0x01000010);
    cb_pw(&c, "");
    cb_2b(&c, "x", 1);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_NV_AUTHORIZATION);
    /* out of range */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Write);
    cb_u32(&c, 0x01000010);
    cb_u32(&c, 0x01000010);
    cb_pw(&c, "nvpw");
    cb_2b(&c, "0123456789", 10);
    cb_u16(&c, 10);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_NV_RANGE);
    qtpm_tpm_free(tpm);

    tpm = dir_tpm(dir);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
    cb_u32(&c, 0x81000001);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_memory_equal(rb_2b(&r, &n), pub, ul);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_Read);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 0x01000010);
    cb_pw(&c, "");
    cb_u16(&c, 8);
    cb_u16(&c, 4);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    assert_memory_equal(rb_2b(&r, &n), "persist!", 8);
    /* the persistent key still works as a parent */
    blob kt = keyedhash_template(A_FIXEDTPM | A_FIXEDPARENT | A_USERWITHAUTH, TPM_ALG_NULL, 0);
    create_load(tpm, 0x81000001, &kt, "", "x", 1, NULL, NULL, NULL, NULL);
    /* evict it again, and undefine the index */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EvictControl);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 0x81000001);
    cb_pw(&c, "");
    cb_u32(&c, 0x81000001);
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_NV_UndefineSpace);
    cb_u32(&c, TPM_RH_OWNER);
    cb_u32(&c, 0x01000010);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadPublic);
    cb_u32(&c, 0x81000001);
    assert_int_equal(run(tpm, &c, &r), TPM_RC_HANDLE | TPM_RC_1);
    qtpm_tpm_free(tpm);
    char path[256];
    snprintf(path, sizeof(path), "%s/state", dir);
    unlink(path);
    rmdir(dir);
}

/* DA: failures on DA-protected objects lock the TPM out after maxTries. */
static void test_dictionary_attack(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    blob st = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, NULL, NULL, NULL);
    blob kt = keyedhash_template(A_FIXEDTPM | A_FIXEDPARENT | A_USERWITHAUTH, TPM_ALG_NULL, 0);
    uint32_t obj = create_load(tpm, srk, &kt, "right", "x", 1, NULL, NULL, NULL, NULL);
    cmdbuf c;
    rspbuf r;
    /* a sequence object has noDA SET (the reference implementation's
     * AllocateSequenceSlot): wrong passwords on it are BAD_AUTH and do not
     * count towards the lockout below */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_HashSequenceStart);
    cb_2b(&c, "seqpw", 5);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t seq = rb_u32(&r);
    for (int i = 0; i < 5; i++) {
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
        cb_u32(&c, seq);
        cb_pw(&c, "wrong");
        cb_2b(&c, "abc", 3);
        assert_int_equal(run(tpm, &c, &r), TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
    }
    assert_int_equal(flush(tpm, seq), 0);
    for (int i = 0; i < 3; i++) {
        cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
        cb_u32(&c, obj);
        cb_pw(&c, "wrong");
        assert_int_equal(run(tpm, &c, &r), TPM_RC_AUTH_FAIL | TPM_RC_S | TPM_RC_1);
    }
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj);
    cb_pw(&c, "right");
    assert_int_equal(run(tpm, &c, &r), TPM_RC_LOCKOUT);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_DictionaryAttackLockReset);
    cb_u32(&c, TPM_RH_LOCKOUT);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, obj);
    cb_pw(&c, "right");
    assert_int_equal(run(tpm, &c, &r), 0);
    qtpm_tpm_free(tpm);
}

/* ---- sequence objects through ContextSave / ContextLoad (issue 10 item
 * 8): a resource manager saves and flushes every transient object between
 * commands (Part 1 §30; tpm2-abrmd, /dev/tpmrm0), sequences included. */

static size_t context_save(qtpm_tpm *tpm, uint32_t h, uint8_t *ctx, size_t cap)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextSave);
    cb_u32(&c, h);
    assert_int_equal(run(tpm, &c, &r), 0);
    size_t cl = r.n - 10;
    assert_true(cl <= cap);
    memcpy(ctx, r.b + 10, cl);
    /* TPMS_CONTEXT.savedHandle: 0x80000001 for a sequence (Part 2 §14.6) */
    assert_int_equal(((uint32_t)ctx[8] << 24 | (uint32_t)ctx[9] << 16 | (uint32_t)ctx[10] << 8 | ctx[11]),
                     0x80000001u);
    return cl;
}

static uint32_t context_load(qtpm_tpm *tpm, const uint8_t *ctx, size_t cl, uint32_t *h)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ContextLoad);
    cb_bytes(&c, ctx, cl);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0)
        *h = rb_u32(&r);
    return rc;
}

/* Saves the sequence seq into ctx and flushes it, as a resource manager does. */
static size_t save_and_flush(qtpm_tpm *tpm, uint32_t seq, uint8_t *ctx, size_t cap)
{
    size_t cl = context_save(tpm, seq, ctx, cap);
    assert_int_equal(flush(tpm, seq), 0);
    return cl;
}

static void test_sequence_contexts(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    uint8_t ctx[4096], got[64], want[64];

    /* a hash sequence: saved mid-way, flushed, loaded twice (two
     * independent copies, Part 1 §30.2: an object context loads any number
     * of times), each finishes the same digest */
    uint32_t seq = hash_seq_start(tpm, "spw", TPM_ALG_SHA256), s1, s2;
    seq_update(tpm, seq, "spw", "abc");
    size_t cl = save_and_flush(tpm, seq, ctx, sizeof(ctx));
    assert_int_equal(context_load(tpm, ctx, cl, &s1), 0);
    assert_int_equal(context_load(tpm, ctx, cl, &s2), 0);
    assert_int_not_equal(s1, s2);
    seq_update(tpm, s1, "spw", "def");
    seq_complete(tpm, s1, "spw", "ghi", got, 32);
    qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"abcdefghi", 9, want);
    assert_memory_equal(got, want, 32);
    /* the second copy did not see "def" */
    seq_complete(tpm, s2, "spw", "xyz", got, 32);
    qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"abcxyz", 6, want);
    assert_memory_equal(got, want, 32);
    /* the sequence's authValue travels with it */
    assert_int_equal(context_load(tpm, ctx, cl, &s1), 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SequenceUpdate);
    cb_u32(&c, s1);
    cb_pw(&c, "wrong");
    cb_2b(&c, "x", 1);
    assert_int_not_equal(run(tpm, &c, &r), 0);
    assert_int_equal(flush(tpm, s1), 0);
    /* a modified context still fails its integrity check */
    ctx[cl - 1] ^= 1;
    assert_int_equal(context_load(tpm, ctx, cl, &s1), TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_1);
    ctx[cl - 1] ^= 1;

    /* SHA3-384 (our Keccak state) the same way */
    seq = hash_seq_start(tpm, "", TPM_ALG_SHA3_384);
    seq_update(tpm, seq, "", "abc");
    cl = save_and_flush(tpm, seq, ctx, sizeof(ctx));
    assert_int_equal(context_load(tpm, ctx, cl, &s1), 0);
    seq_complete(tpm, s1, "", "def", got, 48);
    qtpm_hash(QTPM_HASH_SHA3_384, (const uint8_t *)"abcdef", 6, want);
    assert_memory_equal(got, want, 48);

    /* an HMAC sequence agrees with the one-shot HMAC after a save/load */
    blob st = rsa_template(STORAGE, 128, TPM_ALG_NULL, 0);
    uint32_t srk = create_primary(tpm, TPM_RH_OWNER, &st, NULL, NULL, NULL);
    blob ht = keyedhash_template(A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_SIGN | A_NODA,
                                 TPM_ALG_HMAC, TPM_ALG_SHA256);
    uint32_t hk = create_load(tpm, srk, &ht, "", NULL, 0, NULL, NULL, NULL, NULL);
    hmac_once(tpm, hk, "abcdef", want);
    seq = hmac_seq_start(tpm, hk, "");
    seq_update(tpm, seq, "", "abc");
    cl = save_and_flush(tpm, seq, ctx, sizeof(ctx));
    assert_int_equal(context_load(tpm, ctx, cl, &s1), 0);
    seq_complete(tpm, s1, "", "def", got, 32);
    assert_memory_equal(got, want, 32);

    /* an event sequence (every bank) through save/load: the SHA-256
     * digest of EventSequenceComplete is H(data) */
    seq = hash_seq_start(tpm, "", TPM_ALG_NULL);
    seq_update(tpm, seq, "", "event ");
    cl = save_and_flush(tpm, seq, ctx, sizeof(ctx));
    assert_int_equal(context_load(tpm, ctx, cl, &s1), 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_EventSequenceComplete);
    cb_u32(&c, TPM_RH_NULL);
    cb_u32(&c, s1);
    cb_pw(&c, "");
    cb_pw(&c, "");
    cb_2b(&c, "data", 4);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint32_t count = rb_u32(&r), found = 0;
    qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"event data", 10, want);
    for (uint32_t i = 0; i < count; i++) {
        uint16_t alg = rb_u16(&r);
        size_t dl = alg == TPM_ALG_SHA1 ? 20 : alg == TPM_ALG_SHA256 || alg == TPM_ALG_SHA3_256 ? 32
                  : alg == TPM_ALG_SHA384 || alg == TPM_ALG_SHA3_384 ? 48 : 64;
        const uint8_t *d = rb_bytes(&r, dl);
        if (alg == TPM_ALG_SHA256) {
            assert_memory_equal(d, want, 32);
            found = 1;
        }
    }
    assert_true(found);

    /* TPM Resume keeps a saved sequence loadable; TPM Reset (a new null
     * proof, Part 1 §30.3) does not */
    seq = hash_seq_start(tpm, "", TPM_ALG_SHA256);
    seq_update(tpm, seq, "", "abc");
    cl = context_save(tpm, seq, ctx, sizeof(ctx));
    assert_int_equal(shutdown(tpm, TPM_SU_STATE), 0);
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_STATE), 0);
    assert_int_equal(context_load(tpm, ctx, cl, &s1), 0);
    seq_complete(tpm, s1, "", "def", got, 32);
    qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"abcdef", 6, want);
    assert_memory_equal(got, want, 32);
    assert_int_equal(shutdown(tpm, TPM_SU_CLEAR), 0);
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(context_load(tpm, ctx, cl, &s1), TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_1);

    /* more saves than the TPM keeps: the oldest state is forgotten (an
     * integrity failure), the newest loads */
    seq = hash_seq_start(tpm, "", TPM_ALG_SHA256);
    cl = context_save(tpm, seq, ctx, sizeof(ctx));
    uint8_t last[4096];
    size_t ll = 0;
    for (int i = 0; i < 40; i++)
        ll = context_save(tpm, seq, last, sizeof(last));
    assert_int_equal(context_load(tpm, ctx, cl, &s1), TPM_RC_INTEGRITY | TPM_RC_P | TPM_RC_1);
    assert_int_equal(context_load(tpm, last, ll, &s1), 0);
    qtpm_tpm_free(tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primary_deterministic),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_seal_unseal),
        cmocka_unit_test(test_rsa_encrypt_decrypt),
        cmocka_unit_test(test_typed_key_params),
        cmocka_unit_test(test_symmetric_and_hmac),
        cmocka_unit_test(test_ecdh),
        cmocka_unit_test(test_context_and_evict),
        cmocka_unit_test(test_dictionary_attack),
        cmocka_unit_test(test_sequence_contexts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
