/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_ecdaa.c — Commit, ECDAA signing, EC_Ephemeral, ZGen_2Phase
 * and EC-Schnorr (src/engine/ecdaa.c) through qtpm_tpm_execute.
 *
 * The commands are built byte by byte; the results are checked with the
 * group equations they must satisfy, computed here with qtpm's classic ECC:
 *   ECDAA:   [s]G = E + [H(k ‖ digest)]Q   (E = [r]G from Commit)
 *            [s]P2 = L + [H(k ‖ digest)]K  (K = [d]P2, L = [r]P2)
 *   Schnorr: H(([s]G − [e]Q).x ‖ digest) = e
 *   ZGen:    Z1 = [dsB]QsA, Z2 = [deB]QeA
 * and the negative cases: a spent or unknown commit counter, a point off
 * the curve, s2 without y2, a key without the ECDAA scheme, a wrong scheme,
 * a tampered Schnorr signature.
 */
#include <stdlib.h>

#include <openssl/ec.h>
#include <openssl/obj_mac.h>

#include "engine_test.h"
#include "qtpm/classic.h"

#define A_FIXEDTPM 0x2u
#define A_FIXEDPARENT 0x10u
#define A_SDO 0x20u
#define A_USERWITHAUTH 0x40u
#define A_NODA 0x400u
#define A_DECRYPT 0x20000u
#define A_SIGN 0x40000u
#define KEY_ATTRS (A_FIXEDTPM | A_FIXEDPARENT | A_SDO | A_USERWITHAUTH | A_NODA)

typedef struct {
    uint32_t handle;
    uint8_t x[32], y[32];
} ecc_key;

/* CreatePrimary of a 256-bit ECC key (owner hierarchy) with a scheme. */
static uint32_t ecc_primary(qtpm_tpm *tpm, uint16_t curve, uint32_t attrs, uint16_t scheme,
                            uint16_t count, ecc_key *k)
{
    uint8_t t[64];
    size_t n = 0;
#define T16(v) (t[n++] = (uint8_t)((v) >> 8), t[n++] = (uint8_t)(v))
    T16(TPM_ALG_ECC);
    T16(TPM_ALG_SHA256);
    T16(attrs >> 16);
    T16(attrs & 0xFFFF);
    T16(0);              /* authPolicy */
    T16(TPM_ALG_NULL);   /* symmetric */
    T16(scheme);
    if (scheme != TPM_ALG_NULL)
        T16(TPM_ALG_SHA256);
    if (scheme == TPM_ALG_ECDAA)
        T16(count);
    T16(curve);
    T16(TPM_ALG_NULL);   /* kdf */
    T16(0);
    T16(0);              /* unique */
#undef T16
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u16(&c, 4);
    cb_u16(&c, 0);
    cb_u16(&c, 0);
    cb_2b(&c, t, (uint16_t)n);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    k->handle = rb_u32(&r);
    rb_u32(&r);
    rb_u16(&r);
    rb_bytes(&r, n - 4);
    uint16_t l;
    memcpy(k->x, rb_2b(&r, &l), 32);
    assert_int_equal(l, 32);
    memcpy(k->y, rb_2b(&r, &l), 32);
    assert_int_equal(l, 32);
    return 0;
}

static void cb_point(cmdbuf *c, const uint8_t *x, const uint8_t *y)
{
    if (x == NULL) {
        cb_u16(c, 0);
        return;
    }
    cb_u16(c, 2 + 32 + 2 + 32);
    cb_2b(c, x, 32);
    cb_2b(c, y, 32);
}

/* Reads a TPM2B_ECC_POINT of 32-byte coordinates; returns 0 when empty. */
static int rb_point(rspbuf *r, uint8_t *x, uint8_t *y)
{
    uint16_t size = rb_u16(r), l;
    if (size == 4) { /* the Empty Point: two empty coordinates */
        assert_int_equal(rb_u16(r), 0);
        assert_int_equal(rb_u16(r), 0);
        return 0;
    }
    assert_int_equal(size, 68);
    memcpy(x, rb_2b(r, &l), 32);
    assert_int_equal(l, 32);
    memcpy(y, rb_2b(r, &l), 32);
    assert_int_equal(l, 32);
    return 1;
}

typedef struct {
    uint8_t kx[32], ky[32], lx[32], ly[32], ex[32], ey[32];
    int has_k;
    uint16_t counter;
} commit_out;

static uint32_t commit(qtpm_tpm *tpm, uint32_t key, const uint8_t *p1x, const uint8_t *p1y,
                       const uint8_t *s2, uint16_t s2l, const uint8_t *y2, uint16_t y2l,
                       commit_out *o)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Commit);
    cb_u32(&c, key);
    cb_pw(&c, "");
    cb_point(&c, p1x, p1y);
    cb_2b(&c, s2, s2l);
    cb_2b(&c, y2, y2l);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    rb_u32(&r);
    o->has_k = rb_point(&r, o->kx, o->ky);
    assert_int_equal(rb_point(&r, o->lx, o->ly), o->has_k);
    assert_int_equal(rb_point(&r, o->ex, o->ey), 1);
    o->counter = rb_u16(&r);
    return 0;
}

/* Sign with an explicit scheme (ECDAA carries the counter); the signature's
 * r and s come back. */
static uint32_t sign(qtpm_tpm *tpm, uint32_t key, uint16_t scheme, uint16_t count,
                     const uint8_t digest[32], uint8_t *sr, uint16_t *srl, uint8_t s_out[32])
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, key);
    cb_pw(&c, "");
    cb_2b(&c, digest, 32);
    cb_u16(&c, scheme);
    if (scheme != TPM_ALG_NULL)
        cb_u16(&c, TPM_ALG_SHA256);
    if (scheme == TPM_ALG_ECDAA)
        cb_u16(&c, count);
    cb_u16(&c, TPM_ST_HASHCHECK);
    cb_u32(&c, TPM_RH_NULL);
    cb_u16(&c, 0);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    rb_u32(&r);
    assert_int_equal(rb_u16(&r), scheme);
    assert_int_equal(rb_u16(&r), TPM_ALG_SHA256);
    uint16_t l;
    const uint8_t *p = rb_2b(&r, &l);
    memcpy(sr, p, l);
    *srl = l;
    memcpy(s_out, rb_2b(&r, &l), 32);
    assert_int_equal(l, 32);
    return 0;
}

static uint32_t flush(qtpm_tpm *tpm, uint32_t h)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
    cb_u32(&c, h);
    return run(tpm, &c, &r);
}

/* [s]P == A + [t]B, all on curve cv. */
static void check_relation(qtpm_ecc_curve cv, const uint8_t *s, const uint8_t *px,
                           const uint8_t *py, const uint8_t *ax, const uint8_t *ay,
                           const uint8_t *t, size_t tl, const uint8_t *bx, const uint8_t *by)
{
    uint8_t lx[32], ly[32], tx[32], ty[32];
    assert_int_equal(qtpm_ecc_mul(cv, s, 32, px, py, lx, ly), 0);
    assert_int_equal(qtpm_ecc_mul(cv, t, tl, bx, by, tx, ty), 0);
    assert_int_equal(qtpm_ecc_add(cv, ax, ay, tx, ty, tx, ty), 0);
    assert_memory_equal(lx, tx, 32);
    assert_memory_equal(ly, ty, 32);
}

static void ecdaa_round(qtpm_tpm *tpm, uint16_t curve, qtpm_ecc_curve cv)
{
    ecc_key k;
    assert_int_equal(ecc_primary(tpm, curve, KEY_ATTRS | A_SIGN, TPM_ALG_ECDAA, 0, &k), 0);
    commit_out o;
    assert_int_equal(commit(tpm, k.handle, NULL, NULL, NULL, 0, NULL, 0, &o), 0);
    assert_false(o.has_k);
    uint8_t digest[32], sr[64], s[32], t[32];
    uint16_t srl;
    qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"ecdaa", 5, digest);
    assert_int_equal(sign(tpm, k.handle, TPM_ALG_ECDAA, o.counter, digest, sr, &srl, s), 0);
    assert_int_equal(srl, 32);
    /* T = H(k ‖ digest); [s]G = E + [T]Q */
    uint8_t kd[64];
    memcpy(kd, sr, 32);
    memcpy(kd + 32, digest, 32);
    qtpm_hash(QTPM_HASH_SHA256, kd, 64, t);
    check_relation(cv, s, NULL, NULL, o.ex, o.ey, t, 32, k.x, k.y);
    /* the commitment is spent; an unknown counter is no better */
    assert_int_equal(sign(tpm, k.handle, TPM_ALG_ECDAA, o.counter, digest, sr, &srl, s),
                     TPM_RC_VALUE);
    assert_int_equal(sign(tpm, k.handle, TPM_ALG_ECDAA, (uint16_t)(o.counter + 7), digest, sr,
                          &srl, s),
                     TPM_RC_VALUE);
    /* two commitments, used out of order */
    commit_out o1, o2;
    assert_int_equal(commit(tpm, k.handle, NULL, NULL, NULL, 0, NULL, 0, &o1), 0);
    assert_int_equal(commit(tpm, k.handle, NULL, NULL, NULL, 0, NULL, 0, &o2), 0);
    assert_int_equal(o2.counter, (uint16_t)(o1.counter + 1));
    assert_int_equal(sign(tpm, k.handle, TPM_ALG_ECDAA, o2.counter, digest, sr, &srl, s), 0);
    memcpy(kd, sr, 32);
    qtpm_hash(QTPM_HASH_SHA256, kd, 64, t);
    check_relation(cv, s, NULL, NULL, o2.ex, o2.ey, t, 32, k.x, k.y);
    assert_int_equal(sign(tpm, k.handle, TPM_ALG_ECDAA, o1.counter, digest, sr, &srl, s), 0);
    memcpy(kd, sr, 32);
    qtpm_hash(QTPM_HASH_SHA256, kd, 64, t);
    check_relation(cv, s, NULL, NULL, o1.ex, o1.ey, t, 32, k.x, k.y);
    /* ECDSA is not available on BN_P256 */
    if (curve == TPM_ECC_BN_P256) {
        ecc_key e;
        assert_int_equal(ecc_primary(tpm, curve, KEY_ATTRS | A_SIGN, TPM_ALG_NULL, 0, &e), 0);
        assert_int_equal(sign(tpm, e.handle, TPM_ALG_ECDSA, 0, digest, sr, &srl, s),
                         TPM_RC_SCHEME | TPM_RC_P | TPM_RC_2);
        flush(tpm, e.handle);
    }
    flush(tpm, k.handle);
}

static void test_commit_ecdaa_sign(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    ecdaa_round(tpm, TPM_ECC_BN_P256, QTPM_ECC_BN_P256);
    ecdaa_round(tpm, TPM_ECC_NIST_P256, QTPM_ECC_P256);
    qtpm_tpm_free(tpm);
}

/* Commit with P1 and (s2, y2): x2 = SHA-256(s2) mod p must be on the curve;
 * the test finds such an s2 and its y2 with OpenSSL (P-256). */
static void test_commit_points(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    ecc_key k;
    assert_int_equal(ecc_primary(tpm, TPM_ECC_NIST_P256, KEY_ATTRS | A_SIGN, TPM_ALG_ECDAA, 0, &k), 0);
    EC_GROUP *g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *pt = EC_POINT_new(g);
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *bx = BN_new(), *by = BN_new(), *p = BN_new();
    EC_GROUP_get_curve(g, p, NULL, NULL, bc);
    uint8_t s2[4] = {'b', 's', 'n', 0}, h[32], x2[32], y2[32];
    for (;; s2[3]++) {
        qtpm_hash(QTPM_HASH_SHA256, s2, 4, h);
        BN_bin2bn(h, 32, bx);
        BN_mod(bx, bx, p, bc);
        if (EC_POINT_set_compressed_coordinates(g, pt, bx, 0, bc) == 1)
            break;
    }
    EC_POINT_get_affine_coordinates(g, pt, bx, by, bc);
    BN_bn2binpad(bx, x2, 32);
    BN_bn2binpad(by, y2, 32);
    /* P1 = P2: then E = [r]P1 = L */
    commit_out o;
    assert_int_equal(commit(tpm, k.handle, x2, y2, s2, 4, y2, 32, &o), 0);
    assert_true(o.has_k);
    assert_memory_equal(o.ex, o.lx, 32);
    assert_memory_equal(o.ey, o.ly, 32);
    /* the signature ties K = [d]P2 and L = [r]P2: [s]P2 = L + [T]K */
    uint8_t digest[32] = {1, 2, 3}, sr[64], s[32], t[32], kd[64];
    uint16_t srl;
    assert_int_equal(sign(tpm, k.handle, TPM_ALG_ECDAA, o.counter, digest, sr, &srl, s), 0);
    memcpy(kd, sr, 32);
    memcpy(kd + 32, digest, 32);
    qtpm_hash(QTPM_HASH_SHA256, kd, 64, t);
    check_relation(QTPM_ECC_P256, s, x2, y2, o.lx, o.ly, t, 32, o.kx, o.ky);

    /* negative cases */
    uint8_t bad_y[32];
    memcpy(bad_y, y2, 32);
    bad_y[31] ^= 1;
    assert_int_equal(commit(tpm, k.handle, NULL, NULL, s2, 4, bad_y, 32, &o),
                     TPM_RC_ECC_POINT | TPM_RC_P | TPM_RC_2);
    assert_int_equal(commit(tpm, k.handle, x2, bad_y, NULL, 0, NULL, 0, &o),
                     TPM_RC_ECC_POINT | TPM_RC_P | TPM_RC_1);
    assert_int_equal(commit(tpm, k.handle, NULL, NULL, s2, 4, NULL, 0, &o),
                     TPM_RC_SIZE | TPM_RC_P | TPM_RC_3);
    ecc_key plain;
    assert_int_equal(ecc_primary(tpm, TPM_ECC_NIST_P256, KEY_ATTRS | A_SIGN, TPM_ALG_ECDSA, 0, &plain), 0);
    assert_int_equal(commit(tpm, plain.handle, NULL, NULL, NULL, 0, NULL, 0, &o),
                     TPM_RC_SCHEME | TPM_RC_H | TPM_RC_1);
    BN_free(bx);
    BN_free(by);
    BN_free(p);
    BN_CTX_free(bc);
    EC_POINT_free(pt);
    EC_GROUP_free(g);
    qtpm_tpm_free(tpm);
}

static uint32_t ec_ephemeral(qtpm_tpm *tpm, uint16_t curve, uint8_t *x, uint8_t *y, uint16_t *ctr)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_EC_Ephemeral);
    cb_u16(&c, curve);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    assert_int_equal(rb_point(&r, x, y), 1);
    *ctr = rb_u16(&r);
    return 0;
}

static uint32_t zgen_2phase(qtpm_tpm *tpm, uint32_t key, const uint8_t *sx, const uint8_t *sy,
                            const uint8_t *ex, const uint8_t *ey, uint16_t scheme, uint16_t ctr,
                            uint8_t z1[32], uint8_t z2[32])
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ZGen_2Phase);
    cb_u32(&c, key);
    cb_pw(&c, "");
    cb_point(&c, sx, sy);
    cb_point(&c, ex, ey);
    cb_u16(&c, scheme);
    cb_u16(&c, ctr);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    rb_u32(&r);
    uint8_t y[32];
    assert_int_equal(rb_point(&r, z1, y), 1);
    assert_int_equal(rb_point(&r, z2, y), 1);
    return 0;
}

static void test_ephemeral_zgen(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    ecc_key a;
    assert_int_equal(ecc_primary(tpm, TPM_ECC_NIST_P256, KEY_ATTRS | A_DECRYPT, TPM_ALG_ECDH, 0, &a), 0);
    uint8_t qex[32], qey[32];
    uint16_t ctr, ctr2;
    assert_int_equal(ec_ephemeral(tpm, TPM_ECC_NIST_P256, qex, qey, &ctr), 0);
    assert_int_equal(qtpm_ecc_check_point(QTPM_ECC_P256, qex, qey), 0);
    assert_int_equal(ec_ephemeral(tpm, TPM_ECC_NIST_P256, qex + 0, qey, &ctr2), 0);
    assert_int_equal(ctr2, (uint16_t)(ctr + 1));
    assert_int_equal(ec_ephemeral(tpm, 0x0099, qex, qey, &ctr2), TPM_RC_CURVE | TPM_RC_P | TPM_RC_1);
    /* redo the first one: its point is needed */
    assert_int_equal(ec_ephemeral(tpm, TPM_ECC_NIST_P256, qex, qey, &ctr), 0);

    /* party B */
    uint8_t dsb[32], qsbx[32], qsby[32], deb[32], qebx[32], qeby[32];
    assert_int_equal(qtpm_ecc_generate(QTPM_ECC_P256, dsb, qsbx, qsby), 0);
    assert_int_equal(qtpm_ecc_generate(QTPM_ECC_P256, deb, qebx, qeby), 0);
    uint8_t z1[32], z2[32], w1[32], w2[32];
    assert_int_equal(zgen_2phase(tpm, a.handle, qsbx, qsby, qebx, qeby, TPM_ALG_ECDH, ctr, z1, z2), 0);
    assert_int_equal(qtpm_ecdh(QTPM_ECC_P256, dsb, a.x, a.y, w1, NULL), 0);
    assert_int_equal(qtpm_ecdh(QTPM_ECC_P256, deb, qex, qey, w2, NULL), 0);
    assert_memory_equal(z1, w1, 32);
    assert_memory_equal(z2, w2, 32);
    /* the ephemeral key is used once */
    assert_int_equal(zgen_2phase(tpm, a.handle, qsbx, qsby, qebx, qeby, TPM_ALG_ECDH, ctr, z1, z2),
                     TPM_RC_VALUE | TPM_RC_P | TPM_RC_4);
    assert_int_equal(zgen_2phase(tpm, a.handle, qsbx, qsby, qebx, qeby, TPM_ALG_ECMQV, ctr2, z1, z2),
                     TPM_RC_SCHEME | TPM_RC_P | TPM_RC_3);
    qsby[5] ^= 1;
    assert_int_equal(zgen_2phase(tpm, a.handle, qsbx, qsby, qebx, qeby, TPM_ALG_ECDH, ctr2, z1, z2),
                     TPM_RC_ECC_POINT | TPM_RC_P | TPM_RC_1);
    ecc_key signer;
    assert_int_equal(ecc_primary(tpm, TPM_ECC_NIST_P256, KEY_ATTRS | A_SIGN, TPM_ALG_NULL, 0, &signer), 0);
    assert_int_equal(zgen_2phase(tpm, signer.handle, qsbx, qsby, qebx, qeby, TPM_ALG_ECDH, ctr2, z1, z2),
                     TPM_RC_ATTRIBUTES | TPM_RC_H | TPM_RC_1);
    qtpm_tpm_free(tpm);
}

static uint32_t verify(qtpm_tpm *tpm, uint32_t key, const uint8_t digest[32], const uint8_t *e,
                       uint16_t el, const uint8_t s[32])
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_VerifySignature);
    cb_u32(&c, key);
    cb_2b(&c, digest, 32);
    cb_u16(&c, TPM_ALG_ECSCHNORR);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_2b(&c, e, el);
    cb_2b(&c, s, 32);
    return run(tpm, &c, &r);
}

static void schnorr_round(qtpm_tpm *tpm, uint16_t curve, qtpm_ecc_curve cv)
{
    ecc_key k;
    assert_int_equal(ecc_primary(tpm, curve, KEY_ATTRS | A_SIGN, TPM_ALG_NULL, 0, &k), 0);
    uint8_t digest[32], e[64], s[32];
    uint16_t el;
    qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"schnorr", 7, digest);
    assert_int_equal(sign(tpm, k.handle, TPM_ALG_ECSCHNORR, 0, digest, e, &el, s), 0);
    assert_int_equal(el, 32);
    /* independent check: R' = [s]G + [n - e]Q, e = H(R'.x ‖ digest) */
    uint8_t n[32], ne[32], ax[32], ay[32], bx[32], by[32], buf[64], h[32];
    assert_int_equal(qtpm_ecc_parameters(cv, NULL, NULL, NULL, NULL, NULL, n, NULL), 0);
    n[31] &= 0xFE; /* n - 1 */
    assert_int_equal(qtpm_ecc_scalar_muladd(cv, NULL, 0, e, 32, n, 32, ne), 0);
    assert_int_equal(qtpm_ecc_mul(cv, s, 32, NULL, NULL, ax, ay), 0);
    assert_int_equal(qtpm_ecc_mul(cv, ne, 32, k.x, k.y, bx, by), 0);
    assert_int_equal(qtpm_ecc_add(cv, ax, ay, bx, by, ax, ay), 0);
    memcpy(buf, ax, 32);
    memcpy(buf + 32, digest, 32);
    qtpm_hash(QTPM_HASH_SHA256, buf, 64, h);
    assert_memory_equal(h, e, 32);
    /* the TPM verifies its own signature, and no tampered one */
    assert_int_equal(verify(tpm, k.handle, digest, e, el, s), 0);
    digest[0] ^= 1;
    assert_int_equal(verify(tpm, k.handle, digest, e, el, s), TPM_RC_SIGNATURE | TPM_RC_P | TPM_RC_2);
    digest[0] ^= 1;
    s[31] ^= 1;
    assert_int_equal(verify(tpm, k.handle, digest, e, el, s), TPM_RC_SIGNATURE | TPM_RC_P | TPM_RC_2);
    flush(tpm, k.handle);
}

static void test_schnorr(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    schnorr_round(tpm, TPM_ECC_NIST_P256, QTPM_ECC_P256);
    schnorr_round(tpm, TPM_ECC_BN_P256, QTPM_ECC_BN_P256);
    qtpm_tpm_free(tpm);
}

/* ECC_Parameters and the curve capability include BN_P256. */
static void test_bn_curve_reported(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ECC_Parameters);
    cb_u16(&c, TPM_ECC_BN_P256);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(rb_u16(&r), TPM_ECC_BN_P256);
    assert_int_equal(rb_u16(&r), 256);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_ECC_CURVES);
    cb_u32(&c, 0);
    cb_u32(&c, 16);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    assert_int_equal(rb_u32(&r), TPM_CAP_ECC_CURVES);
    uint32_t count = rb_u32(&r);
    int found = 0;
    for (uint32_t i = 0; i < count; i++)
        found |= rb_u16(&r) == TPM_ECC_BN_P256;
    assert_true(found);
    qtpm_tpm_free(tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commit_ecdaa_sign),
        cmocka_unit_test(test_commit_points),
        cmocka_unit_test(test_ephemeral_zgen),
        cmocka_unit_test(test_schnorr),
        cmocka_unit_test(test_bn_curve_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
