/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ecdaa.c — the ECDAA scheme of qtpm/daa.h on BN_P256 (ISO/IEC 20008-2
 * mechanism 4 with the TPM 2.0 split of Part 1 Annex C: the TPM holds sk
 * and answers TPM2_Commit / TPM2_Sign(ECDAA); the host does the rest).
 *
 * Notation: P1 = (1, 2) generates G1, P2 (ISO's) generates G2, n is the
 * group order, H is SHA-256 and H_n its output reduced mod n. The TPM's
 * ECDAA signature over a digest c is (k, s) with s = r + H_n(k ‖ c)·sk for
 * the committed r; so a proof "c1, k, s" for the statements W = [sk]S
 * (and K = [sk]J) verifies by recomputing E = [s]S - [H_n(k ‖ c1)]W (and
 * L = [s]J - [H_n(k ‖ c1)]K) and the hash c1 over them.
 *
 * Byte formats (docs/DAA.md "Encodings"), points uncompressed, numbers
 * big-endian, each object starting with a tag byte:
 *   isk   'i' x y                                         65 bytes
 *   ipk   'I' X Y c sx sy                                353 bytes
 *   cred  'C' A B C D c s                                321 bytes
 *   sig   'S' c2 k s R S T W                             353 bytes
 *         'L' c2 k s R S T W H(bsn) K                    449 bytes
 *   join proof  c1 k s                                    96 bytes
 * Hash inputs start with a label naming the object and the version.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "bn.h"
#include "ct.h"
#include "qtpm/classic.h"
#include "qtpm/common.h"
#include "qtpm/daa.h"
#include "qtpm/rand.h"

#define TAG_ISK 'i'
#define TAG_IPK 'I'
#define TAG_CRED 'C'
#define TAG_SIG 'S'
#define TAG_SIG_BSN 'L'
/* Commit + Sign attempts when the TPM's nonce is ambiguous (qtpm/daa.h) */
#define SIGN_ATTEMPTS 8

static const char LABEL_IPK[] = "qtpm ECDAA v1 issuer key";
static const char LABEL_JOIN[] = "qtpm ECDAA v1 join";
static const char LABEL_CRED[] = "qtpm ECDAA v1 credential";
static const char LABEL_SIGN[] = "qtpm ECDAA v1 sign";

const char *qtpm_daa_strerror(int rc)
{
    switch (rc) {
    case QTPM_DAA_OK: return "success";
    case QTPM_DAA_E_FORMAT: return "malformed encoding (size, tag or range)";
    case QTPM_DAA_E_POINT: return "not a valid group element";
    case QTPM_DAA_E_PROOF: return "proof of knowledge does not verify";
    case QTPM_DAA_E_CREDENTIAL: return "credential not issued by this issuer";
    case QTPM_DAA_E_BASENAME: return "basename mismatch";
    case QTPM_DAA_E_TPM: return "TPM operation failed";
    case QTPM_DAA_E_PARAM: return "bad argument";
    case QTPM_DAA_E_RNG: return "random source failed";
    case QTPM_DAA_E_REVOKED: return "signed with a revoked (rogue) DAA key";
    case QTPM_DAA_E_BINDING: return "the LDAA key's Name does not commit to its t for this issuer";
    default: return "unknown error";
    }
}

/* ------------------------------------------------------------- helpers */

typedef struct {
    EVP_MD_CTX *md;
} hasher;

static int h_start(hasher *h, const char *label)
{
    h->md = EVP_MD_CTX_new();
    if (h->md == NULL || EVP_DigestInit_ex(h->md, EVP_sha256(), NULL) != 1) {
        EVP_MD_CTX_free(h->md);
        h->md = NULL;
        return -1;
    }
    return label ? (EVP_DigestUpdate(h->md, label, strlen(label) + 1) == 1 ? 0 : -1) : 0;
}

static void h_put(hasher *h, const void *p, size_t n)
{
    if (h->md && n && EVP_DigestUpdate(h->md, p, n) != 1) {
        EVP_MD_CTX_free(h->md);
        h->md = NULL;
    }
}

static int h_end(hasher *h, uint8_t out[32])
{
    unsigned len = 0;
    int ok = h->md && EVP_DigestFinal_ex(h->md, out, &len) == 1 && len == 32;
    EVP_MD_CTX_free(h->md);
    h->md = NULL;
    return ok ? 0 : -1;
}

static int sha256(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen, uint8_t out[32])
{
    hasher h;
    if (h_start(&h, NULL))
        return -1;
    h_put(&h, a, alen);
    h_put(&h, b, blen);
    return h_end(&h, out);
}

/* a uniformly random scalar in [1, n-1] (FIPS 186-4 §B.4.1 via
 * qtpm_ecc_private_from_bytes: 40 random bytes reduced) */
static int random_scalar(uint8_t k[32])
{
    uint8_t buf[40];
    int rc = qtpm_random_bytes(buf, sizeof buf) != QTPM_OK ||
             qtpm_ecc_private_from_bytes(QTPM_ECC_BN_P256, buf, sizeof buf, k) != QTPM_OK;
    qtpm_memzero(buf, sizeof buf);
    return rc ? QTPM_DAA_E_RNG : 0;
}

/* out = a + b·c mod n, all 32-byte big-endian; b may be ≥ n (a hash) */
static void scalar_muladd(uint8_t out[32], const uint8_t a[32], const uint8_t b[32],
                          const uint8_t c[32])
{
    fe fa, fb, fc, t;
    mod_from_bytes_reduce(&fa, a, &bn_fn);
    mod_from_bytes_reduce(&fb, b, &bn_fn);
    mod_from_bytes_reduce(&fc, c, &bn_fn);
    mod_mul(&t, &fb, &fc, &bn_fn);
    mod_add(&t, &t, &fa, &bn_fn);
    mod_to_bytes(out, &t, &bn_fn);
    qtpm_memzero(&fa, sizeof fa);
    qtpm_memzero(&fc, sizeof fc);
    qtpm_memzero(&t, sizeof t);
}

/* out = a·b mod n */
static void scalar_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
    uint8_t zero[32] = {0};
    scalar_muladd(out, zero, a, b);
}

/* h reduced mod n, as 32 bytes */
static void scalar_reduce(uint8_t out[32], const uint8_t h[32])
{
    fe t;
    mod_from_bytes_reduce(&t, h, &bn_fn);
    mod_to_bytes(out, &t, &bn_fn);
}

/* a scalar field of an encoding: must be < n */
static int scalar_check(const uint8_t s[32])
{
    fe t;
    return mod_from_bytes(&t, s, &bn_fn) ? QTPM_DAA_E_FORMAT : 0;
}

/* [a]P - [b]Q in G1 (public values) */
static void g1_mul_sub(g1 *r, const g1 *p, const uint8_t a[32], const g1 *q, const uint8_t b[32])
{
    g1 t, u;
    g1_mul(&t, p, a);
    g1_mul(&u, q, b);
    g1_neg(&u, &u);
    g1_add(r, &t, &u);
}

static void g2_mul_sub(g2 *r, const g2 *p, const uint8_t a[32], const g2 *q, const uint8_t b[32])
{
    g2 t, u;
    g2_mul(&t, p, a);
    g2_mul(&u, q, b);
    g2_neg(&u, &u);
    g2_add(r, &t, &u);
}

/* a point into a hash; infinity hashes as 64 zero bytes (never a valid
 * affine encoding) */
static void h_g1(hasher *h, const g1 *p)
{
    uint8_t b[64];
    if (g1_to_bytes(b, p))
        memset(b, 0, sizeof b);
    h_put(h, b, sizeof b);
}

static void h_g2(hasher *h, const g2 *p)
{
    uint8_t b[128];
    if (g2_to_bytes(b, p))
        memset(b, 0, sizeof b);
    h_put(h, b, sizeof b);
}

static const uint8_t *p1_bytes(void)
{
    static const uint8_t b[64] = {[31] = 1, [63] = 2};
    return b;
}

int qtpm_daa_g1_check(const uint8_t p[64])
{
    g1 t;
    return p == NULL ? QTPM_DAA_E_PARAM : g1_from_bytes(&t, p) ? QTPM_DAA_E_POINT : 0;
}

/* ------------------------------------------------------------- issuer key */

typedef struct {
    g2 x, y;
} ipk_points;

static int ipk_proof(const uint8_t x[32], const uint8_t y[32], const g2 *X, const g2 *Y,
                     uint8_t c[32], uint8_t sx[32], uint8_t sy[32])
{
    uint8_t rx[32], ry[32], hc[32];
    g2 P2, Ux, Uy;
    int rc = random_scalar(rx);
    if (rc == 0)
        rc = random_scalar(ry);
    if (rc)
        goto out;
    g2_generator(&P2);
    g2_mul(&Ux, &P2, rx);
    g2_mul(&Uy, &P2, ry);
    hasher h;
    if (h_start(&h, LABEL_IPK)) {
        rc = QTPM_DAA_E_PARAM;
        goto out;
    }
    h_g2(&h, &P2);
    h_g2(&h, X);
    h_g2(&h, Y);
    h_g2(&h, &Ux);
    h_g2(&h, &Uy);
    if (h_end(&h, hc)) {
        rc = QTPM_DAA_E_PARAM;
        goto out;
    }
    scalar_reduce(c, hc);
    scalar_muladd(sx, rx, c, x);
    scalar_muladd(sy, ry, c, y);
out:
    qtpm_memzero(rx, sizeof rx);
    qtpm_memzero(ry, sizeof ry);
    return rc;
}

int qtpm_daa_issuer_public(const uint8_t isk[QTPM_DAA_ISK_SIZE], uint8_t ipk[QTPM_DAA_IPK_SIZE])
{
    if (isk == NULL || ipk == NULL)
        return QTPM_DAA_E_PARAM;
    if (isk[0] != TAG_ISK || scalar_check(isk + 1) || scalar_check(isk + 33))
        return QTPM_DAA_E_FORMAT;
    g2 P2, X, Y;
    g2_generator(&P2);
    g2_mul(&X, &P2, isk + 1);
    g2_mul(&Y, &P2, isk + 33);
    if (g2_is_infinity(&X) || g2_is_infinity(&Y))
        return QTPM_DAA_E_FORMAT; /* a zero secret */
    ipk[0] = TAG_IPK;
    g2_to_bytes(ipk + 1, &X);
    g2_to_bytes(ipk + 129, &Y);
    return ipk_proof(isk + 1, isk + 33, &X, &Y, ipk + 257, ipk + 289, ipk + 321);
}

int qtpm_daa_issuer_keygen(uint8_t isk[QTPM_DAA_ISK_SIZE], uint8_t ipk[QTPM_DAA_IPK_SIZE])
{
    if (isk == NULL || ipk == NULL)
        return QTPM_DAA_E_PARAM;
    isk[0] = TAG_ISK;
    int rc = random_scalar(isk + 1);
    if (rc == 0)
        rc = random_scalar(isk + 33);
    if (rc == 0)
        rc = qtpm_daa_issuer_public(isk, ipk);
    if (rc)
        qtpm_memzero(isk, QTPM_DAA_ISK_SIZE);
    return rc;
}

static int ipk_decode(const uint8_t *ipk, size_t len, ipk_points *k)
{
    if (ipk == NULL || len != QTPM_DAA_IPK_SIZE || ipk[0] != TAG_IPK)
        return QTPM_DAA_E_FORMAT;
    if (scalar_check(ipk + 257) || scalar_check(ipk + 289) || scalar_check(ipk + 321))
        return QTPM_DAA_E_FORMAT;
    if (g2_from_bytes(&k->x, ipk + 1) || g2_from_bytes(&k->y, ipk + 129))
        return QTPM_DAA_E_POINT;
    g2 P2, Ux, Uy;
    g2_generator(&P2);
    g2_mul_sub(&Ux, &P2, ipk + 289, &k->x, ipk + 257);
    g2_mul_sub(&Uy, &P2, ipk + 321, &k->y, ipk + 257);
    hasher h;
    uint8_t hc[32], c[32];
    if (h_start(&h, LABEL_IPK))
        return QTPM_DAA_E_PARAM;
    h_g2(&h, &P2);
    h_g2(&h, &k->x);
    h_g2(&h, &k->y);
    h_g2(&h, &Ux);
    h_g2(&h, &Uy);
    if (h_end(&h, hc))
        return QTPM_DAA_E_PARAM;
    scalar_reduce(c, hc);
    return public_equal(c, ipk + 257, 32) ? 0 : QTPM_DAA_E_PROOF;
}

int qtpm_daa_ipk_check(const uint8_t *ipk, size_t len)
{
    ipk_points k;
    return ipk_decode(ipk, len, &k);
}

/* -------------------------------------------------------------------- join */

static int join_hash(const g1 *Q, const g1 *U, const uint8_t nonce[32], uint8_t c1[32])
{
    hasher h;
    if (h_start(&h, LABEL_JOIN))
        return QTPM_DAA_E_PARAM;
    h_put(&h, p1_bytes(), 64);
    h_g1(&h, Q);
    h_g1(&h, U);
    h_put(&h, nonce, 32);
    return h_end(&h, c1) ? QTPM_DAA_E_PARAM : 0;
}

/* c = H_n(k ‖ c1): the TPM's challenge (src/engine/ecdaa.c, T = H(k ‖ digest)) */
static int tpm_challenge(const uint8_t k[32], const uint8_t c1[32], uint8_t c[32])
{
    uint8_t t[32];
    if (sha256(k, 32, c1, 32, t))
        return QTPM_DAA_E_PARAM;
    scalar_reduce(c, t);
    return 0;
}

int qtpm_daa_join_prove(const qtpm_daa_tpm *tpm, const uint8_t q[64], const uint8_t nonce[32],
                        uint8_t proof[QTPM_DAA_JOIN_PROOF_SIZE])
{
    if (tpm == NULL || q == NULL || nonce == NULL || proof == NULL)
        return QTPM_DAA_E_PARAM;
    g1 Q, U;
    if (g1_from_bytes(&Q, q))
        return QTPM_DAA_E_POINT;
    for (int attempt = 0; attempt < SIGN_ATTEMPTS; attempt++) {
        uint8_t e[64];
        uint16_t counter;
        if (tpm->commit(tpm->ctx, NULL, NULL, 0, NULL, e, NULL, NULL, &counter))
            return QTPM_DAA_E_TPM;
        if (g1_from_bytes(&U, e))
            return QTPM_DAA_E_TPM;
        int rc = join_hash(&Q, &U, nonce, proof);
        if (rc)
            return rc;
        rc = tpm->sign(tpm->ctx, counter, proof, proof + 32, proof + 64);
        if (rc == 0)
            return 0;
        if (rc != 1)
            return QTPM_DAA_E_TPM;
    }
    return QTPM_DAA_E_TPM;
}

int qtpm_daa_join_verify(const uint8_t q[64], const uint8_t nonce[32],
                         const uint8_t proof[QTPM_DAA_JOIN_PROOF_SIZE])
{
    if (q == NULL || nonce == NULL || proof == NULL)
        return QTPM_DAA_E_PARAM;
    g1 Q, P1, U;
    uint8_t c[32], c1[32];
    if (g1_from_bytes(&Q, q))
        return QTPM_DAA_E_POINT;
    if (scalar_check(proof + 64))
        return QTPM_DAA_E_FORMAT;
    int rc = tpm_challenge(proof + 32, proof, c);
    if (rc)
        return rc;
    g1_generator(&P1);
    g1_mul_sub(&U, &P1, proof + 64, &Q, c);
    if ((rc = join_hash(&Q, &U, nonce, c1)) != 0)
        return rc;
    return public_equal(c1, proof, 32) ? 0 : QTPM_DAA_E_PROOF;
}

/* -------------------------------------------------------------- credential */

static int cred_hash(const g1 *Q, const g1 *B, const g1 *D, const g1 *U1, const g1 *U2,
                     uint8_t c[32])
{
    hasher h;
    uint8_t hc[32];
    if (h_start(&h, LABEL_CRED))
        return QTPM_DAA_E_PARAM;
    h_put(&h, p1_bytes(), 64);
    h_g1(&h, Q);
    h_g1(&h, B);
    h_g1(&h, D);
    h_g1(&h, U1);
    h_g1(&h, U2);
    if (h_end(&h, hc))
        return QTPM_DAA_E_PARAM;
    scalar_reduce(c, hc);
    return 0;
}

int qtpm_daa_issue(const uint8_t isk[QTPM_DAA_ISK_SIZE], const uint8_t q[64],
                   uint8_t cred[QTPM_DAA_CRED_SIZE])
{
    if (isk == NULL || q == NULL || cred == NULL)
        return QTPM_DAA_E_PARAM;
    if (isk[0] != TAG_ISK || scalar_check(isk + 1) || scalar_check(isk + 33))
        return QTPM_DAA_E_FORMAT;
    g1 Q, P1, A, B, C, D, U1, U2, AD;
    if (g1_from_bytes(&Q, q))
        return QTPM_DAA_E_POINT;
    uint8_t r[32], ry[32], rp[32];
    int rc = random_scalar(r);
    if (rc == 0)
        rc = random_scalar(rp);
    if (rc)
        goto out;
    g1_generator(&P1);
    scalar_mul(ry, r, isk + 33);
    g1_mul(&A, &P1, r);          /* A = [r]P1 */
    g1_mul(&B, &A, isk + 33);    /* B = [y]A */
    g1_mul(&D, &Q, ry);          /* D = [ry]Q */
    g1_add(&AD, &A, &D);
    g1_mul(&C, &AD, isk + 1);    /* C = [x](A + D) */
    g1_mul(&U1, &P1, rp);
    g1_mul(&U2, &Q, rp);
    cred[0] = TAG_CRED;
    if (g1_to_bytes(cred + 1, &A) || g1_to_bytes(cred + 65, &B) || g1_to_bytes(cred + 129, &C) ||
        g1_to_bytes(cred + 193, &D)) {
        rc = QTPM_DAA_E_POINT;
        goto out;
    }
    if ((rc = cred_hash(&Q, &B, &D, &U1, &U2, cred + 257)) != 0)
        goto out;
    scalar_muladd(cred + 289, rp, cred + 257, ry);
out:
    qtpm_memzero(r, sizeof r);
    qtpm_memzero(ry, sizeof ry);
    qtpm_memzero(rp, sizeof rp);
    return rc;
}

typedef struct {
    g1 a, b, c, d;
} cred_points;

static int cred_decode(const uint8_t *cred, size_t len, cred_points *k)
{
    if (cred == NULL || len != QTPM_DAA_CRED_SIZE || cred[0] != TAG_CRED)
        return QTPM_DAA_E_FORMAT;
    if (scalar_check(cred + 257) || scalar_check(cred + 289))
        return QTPM_DAA_E_FORMAT;
    if (g1_from_bytes(&k->a, cred + 1) || g1_from_bytes(&k->b, cred + 65) ||
        g1_from_bytes(&k->c, cred + 129) || g1_from_bytes(&k->d, cred + 193))
        return QTPM_DAA_E_POINT;
    return 0;
}

/* e(A, Y) = e(B, P2) and e(C, P2) = e(A + D, X), checked together as one
 * product with a random 128-bit ρ (the small-exponent batch test, Bellare,
 * Garay, Rabin, EUROCRYPT 1998):
 *   e(A, Y) · e([ρ]C - B, P2) · e(-[ρ](A + D), X) = 1.
 * When both equations hold the product is 1; when either fails it is 1 for
 * at most one ρ mod n (the target group has prime order n), so a bad
 * credential passes with probability ≤ 2^-128. One Miller loop over three
 * pairs and one final exponentiation instead of two of each. Pairs whose G1
 * point is infinity contribute 1 and are left out. */
static int cred_pairings(const bn_g2_prep *p2, const bn_g2_prep *x, const bn_g2_prep *y,
                         const g1 *a, const g1 *b, const g1 *c, const g1 *d)
{
    uint8_t rho[32] = {0};
    if (qtpm_random_bytes(rho + 16, 16) != QTPM_OK)
        return QTPM_DAA_E_RNG;
    g1 cand[3], ps[3], t, u;
    const bn_g2_prep *cq[3] = {y, p2, x}, *qs[3];
    cand[0] = *a;
    g1_mul(&t, c, rho);
    g1_neg(&u, b);
    g1_add(&cand[1], &t, &u);
    g1_add(&t, a, d);
    g1_mul(&t, &t, rho);
    g1_neg(&cand[2], &t);
    size_t k = 0;
    for (size_t i = 0; i < 3; i++)
        if (!g1_is_infinity(&cand[i])) { /* public values */
            ps[k] = cand[i];
            qs[k++] = cq[i];
        }
    if (k == 0 || !bn_pairing_product_is_one_prepared(ps, qs, k))
        return QTPM_DAA_E_CREDENTIAL;
    return 0;
}

struct qtpm_daa_verifier {
    ipk_points k;
    bn_g2_prep p2, x, y;
};

int qtpm_daa_verifier_new(const uint8_t *ipk, size_t ipk_len, qtpm_daa_verifier **out)
{
    if (out == NULL)
        return QTPM_DAA_E_PARAM;
    *out = NULL;
    qtpm_daa_verifier *v = calloc(1, sizeof *v);
    if (v == NULL)
        return QTPM_DAA_E_PARAM;
    int rc = ipk_decode(ipk, ipk_len, &v->k);
    if (rc) {
        free(v);
        return rc;
    }
    g2 P2;
    g2_generator(&P2);
    bn_g2_prepare(&v->p2, &P2);
    bn_g2_prepare(&v->x, &v->k.x);
    bn_g2_prepare(&v->y, &v->k.y);
    *out = v;
    return 0;
}

void qtpm_daa_verifier_free(qtpm_daa_verifier *v)
{
    free(v);
}

int qtpm_daa_cred_check(const uint8_t *ipk, size_t ipk_len, const uint8_t q[64],
                        const uint8_t *cred, size_t cred_len)
{
    if (q == NULL)
        return QTPM_DAA_E_PARAM;
    cred_points k;
    g1 Q, P1, U1, U2;
    uint8_t c[32];
    if (g1_from_bytes(&Q, q))
        return QTPM_DAA_E_POINT;
    int rc = cred_decode(cred, cred_len, &k);
    if (rc)
        return rc;
    qtpm_daa_verifier *v;
    if ((rc = qtpm_daa_verifier_new(ipk, ipk_len, &v)) != 0)
        return rc;
    /* the issuer's proof that B = [ry]P1 and D = [ry]Q */
    g1_generator(&P1);
    g1_mul_sub(&U1, &P1, cred + 289, &k.b, cred + 257);
    g1_mul_sub(&U2, &Q, cred + 289, &k.d, cred + 257);
    rc = cred_hash(&Q, &k.b, &k.d, &U1, &U2, c);
    if (rc == 0 && !public_equal(c, cred + 257, 32))
        rc = QTPM_DAA_E_PROOF;
    if (rc == 0)
        rc = cred_pairings(&v->p2, &v->x, &v->y, &k.a, &k.b, &k.c, &k.d);
    qtpm_daa_verifier_free(v);
    qtpm_memzero(&k, sizeof k);
    return rc;
}

/* ---------------------------------------------------------------- basename */

/* J = (H(i ‖ bsn) mod p, y) for the first i = 0, 1, ... that gives a point,
 * y the smaller square root; s2 = i ‖ bsn is what TPM2_Commit hashes
 * (x2 = H_nameAlg(s2) mod p, Part 3 §19.2), so the DAA key's nameAlg must be
 * SHA-256. About half of all x are on the curve: 256 tries fail with
 * probability 2^-256. */
static int basename_point(const uint8_t *bsn, size_t len, g1 *J, uint8_t *s2, size_t *s2_len,
                          uint8_t y2[32])
{
    if (len == 0 || len > QTPM_DAA_MAX_BASENAME)
        return QTPM_DAA_E_PARAM;
    memcpy(s2 + 1, bsn, len);
    for (unsigned i = 0; i < 256; i++) {
        uint8_t hx[32], pb[64];
        s2[0] = (uint8_t)i;
        if (sha256(s2, len + 1, NULL, 0, hx))
            return QTPM_DAA_E_PARAM;
        fe x, rhs, y, three, ny;
        mod_from_bytes_reduce(&x, hx, &bn_fp);
        fp_sqr(&rhs, &x);
        fp_mul(&rhs, &rhs, &x);
        fp_from_u64(&three, 3);
        fp_add(&rhs, &rhs, &three);
        if (fp_sqrt(&y, &rhs))
            continue; /* public basename: branching is fine */
        fp_neg(&ny, &y);
        uint8_t yb[32], nyb[32];
        mod_to_bytes(yb, &y, &bn_fp);
        mod_to_bytes(nyb, &ny, &bn_fp);
        const uint8_t *ysel = memcmp(yb, nyb, 32) <= 0 ? yb : nyb;
        mod_to_bytes(pb, &x, &bn_fp);
        memcpy(pb + 32, ysel, 32);
        memcpy(y2, ysel, 32);
        *s2_len = len + 1;
        return g1_from_bytes(J, pb) ? QTPM_DAA_E_PARAM : 0;
    }
    return QTPM_DAA_E_PARAM;
}

/* ------------------------------------------------------------------- sign */

/* c2 = H(label ‖ tag ‖ R ‖ S ‖ T ‖ W ‖ E [‖ J ‖ K ‖ L ‖ H(bsn)] ‖ H(msg)) */
static int sign_hash(uint8_t tag, const uint8_t rstw[256], const g1 *E, const g1 *J, const g1 *K,
                     const g1 *L, const uint8_t *bsn_hash, const uint8_t msg_hash[32],
                     uint8_t c2[32])
{
    hasher h;
    if (h_start(&h, LABEL_SIGN))
        return QTPM_DAA_E_PARAM;
    h_put(&h, &tag, 1);
    h_put(&h, rstw, 256);
    h_g1(&h, E);
    if (J) {
        h_g1(&h, J);
        h_g1(&h, K);
        h_g1(&h, L);
        h_put(&h, bsn_hash, 32);
    }
    h_put(&h, msg_hash, 32);
    return h_end(&h, c2) ? QTPM_DAA_E_PARAM : 0;
}

int qtpm_daa_sign(const qtpm_daa_tpm *tpm, const uint8_t *cred, size_t cred_len,
                  const uint8_t *bsn, size_t bsn_len, const uint8_t *msg, size_t msg_len,
                  uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    if (tpm == NULL || sig == NULL || sig_len == NULL || (msg == NULL && msg_len))
        return QTPM_DAA_E_PARAM;
    int linkable = bsn != NULL && bsn_len > 0;
    size_t need = linkable ? QTPM_DAA_SIG_BSN_SIZE : QTPM_DAA_SIG_SIZE;
    if (sig_cap < need || (linkable && bsn_len > QTPM_DAA_MAX_BASENAME))
        return QTPM_DAA_E_PARAM;
    cred_points k;
    int rc = cred_decode(cred, cred_len, &k);
    if (rc)
        return rc;
    uint8_t l[32], msg_hash[32], bsn_hash[32], s2[QTPM_DAA_MAX_BASENAME + 1], y2[32];
    size_t s2_len = 0;
    g1 R, S, T, W, E, J, K, L;
    if ((rc = random_scalar(l)) != 0)
        goto out;
    /* the randomised credential */
    g1_mul(&R, &k.a, l);
    g1_mul(&S, &k.b, l);
    g1_mul(&T, &k.c, l);
    g1_mul(&W, &k.d, l);
    uint8_t *body = sig + 97;
    if (g1_to_bytes(body, &R) || g1_to_bytes(body + 64, &S) || g1_to_bytes(body + 128, &T) ||
        g1_to_bytes(body + 192, &W)) {
        rc = QTPM_DAA_E_POINT;
        goto out;
    }
    if (linkable) {
        if ((rc = basename_point(bsn, bsn_len, &J, s2, &s2_len, y2)) != 0)
            goto out;
        if (sha256(bsn, bsn_len, NULL, 0, bsn_hash)) {
            rc = QTPM_DAA_E_PARAM;
            goto out;
        }
    }
    if (sha256(msg, msg_len, NULL, 0, msg_hash)) {
        rc = QTPM_DAA_E_PARAM;
        goto out;
    }
    uint8_t eb[64], kb[64], lb[64];
    sig[0] = linkable ? TAG_SIG_BSN : TAG_SIG;
    rc = QTPM_DAA_E_TPM;
    for (int attempt = 0; attempt < SIGN_ATTEMPTS && rc == QTPM_DAA_E_TPM; attempt++) {
        uint16_t counter;
        if (tpm->commit(tpm->ctx, body + 64, linkable ? s2 : NULL, s2_len, linkable ? y2 : NULL,
                        eb, linkable ? kb : NULL, linkable ? lb : NULL, &counter) ||
            g1_from_bytes(&E, eb) ||
            (linkable && (g1_from_bytes(&K, kb) || g1_from_bytes(&L, lb))))
            goto out;
        if ((rc = sign_hash(sig[0], body, &E, linkable ? &J : NULL, &K, &L, bsn_hash, msg_hash,
                            sig + 1)) != 0)
            goto out;
        int src = tpm->sign(tpm->ctx, counter, sig + 1, sig + 33, sig + 65);
        rc = QTPM_DAA_E_TPM;
        if (src != 0 && src != 1)
            goto out;
        if (src == 0)
            rc = 0; /* 1: an ambiguous nonce, commit again */
    }
    if (rc)
        goto out;
    if (linkable) {
        memcpy(sig + QTPM_DAA_SIG_SIZE, bsn_hash, 32);
        memcpy(sig + QTPM_DAA_SIG_SIZE + 32, kb, 64);
    }
    *sig_len = need;
out:
    qtpm_memzero(l, sizeof l);
    qtpm_memzero(&k, sizeof k);
    return rc;
}

/* ----------------------------------------------------------------- verify */

typedef struct {
    int linkable;
    g1 r, s, t, w, k;
} sig_points;

static int sig_decode(const uint8_t *sig, size_t len, sig_points *p)
{
    if (sig == NULL || len == 0)
        return QTPM_DAA_E_FORMAT;
    if (sig[0] == TAG_SIG && len == QTPM_DAA_SIG_SIZE)
        p->linkable = 0;
    else if (sig[0] == TAG_SIG_BSN && len == QTPM_DAA_SIG_BSN_SIZE)
        p->linkable = 1;
    else
        return QTPM_DAA_E_FORMAT;
    if (scalar_check(sig + 65))
        return QTPM_DAA_E_FORMAT;
    const uint8_t *b = sig + 97;
    if (g1_from_bytes(&p->r, b) || g1_from_bytes(&p->s, b + 64) || g1_from_bytes(&p->t, b + 128) ||
        g1_from_bytes(&p->w, b + 192))
        return QTPM_DAA_E_POINT;
    if (p->linkable && g1_from_bytes(&p->k, sig + QTPM_DAA_SIG_SIZE + 32))
        return QTPM_DAA_E_POINT;
    return 0;
}

int qtpm_daa_verify(const qtpm_daa_verifier *v, const uint8_t *bsn, size_t bsn_len,
                    const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len)
{
    if (v == NULL || (msg == NULL && msg_len) || (bsn == NULL && bsn_len))
        return QTPM_DAA_E_PARAM;
    sig_points p;
    int rc = sig_decode(sig, sig_len, &p);
    if (rc)
        return rc;
    uint8_t bsn_hash[32], msg_hash[32], c[32], c2[32], s2[QTPM_DAA_MAX_BASENAME + 1], y2[32];
    size_t s2_len;
    g1 J, E, L;
    if (p.linkable != (bsn_len > 0))
        return QTPM_DAA_E_BASENAME;
    if (p.linkable) {
        if (bsn_len > QTPM_DAA_MAX_BASENAME)
            return QTPM_DAA_E_BASENAME;
        if (sha256(bsn, bsn_len, NULL, 0, bsn_hash))
            return QTPM_DAA_E_PARAM;
        if (!public_equal(bsn_hash, sig + QTPM_DAA_SIG_SIZE, 32))
            return QTPM_DAA_E_BASENAME;
        if ((rc = basename_point(bsn, bsn_len, &J, s2, &s2_len, y2)) != 0)
            return rc;
    }
    if (sha256(msg, msg_len, NULL, 0, msg_hash))
        return QTPM_DAA_E_PARAM;
    /* the TPM's proof: E = [s]S - [c]W (, L = [s]J - [c]K) */
    if ((rc = tpm_challenge(sig + 33, sig + 1, c)) != 0)
        return rc;
    g1_mul_sub(&E, &p.s, sig + 65, &p.w, c);
    if (p.linkable)
        g1_mul_sub(&L, &J, sig + 65, &p.k, c);
    if ((rc = sign_hash(sig[0], sig + 97, &E, p.linkable ? &J : NULL, &p.k, &L, bsn_hash,
                        msg_hash, c2)) != 0)
        return rc;
    if (!public_equal(c2, sig + 1, 32))
        return QTPM_DAA_E_PROOF;
    /* the randomised credential */
    return cred_pairings(&v->p2, &v->x, &v->y, &p.r, &p.s, &p.t, &p.w);
}

int qtpm_daa_check_rogue(const uint8_t *sig, size_t sig_len, const uint8_t *sks, size_t n)
{
    if (sks == NULL && n)
        return QTPM_DAA_E_PARAM;
    sig_points p;
    int rc = sig_decode(sig, sig_len, &p);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        g1 t;
        g1_mul(&t, &p.s, sks + 32 * i);
        if (g1_equal(&t, &p.w)) /* public: the rogue key was published */
            return QTPM_DAA_E_REVOKED;
    }
    return 0;
}

int qtpm_daa_sig_basename_hash(const uint8_t *sig, size_t len, uint8_t hash[32])
{
    if (sig == NULL || hash == NULL)
        return QTPM_DAA_E_PARAM;
    if (len == QTPM_DAA_SIG_SIZE && sig[0] == TAG_SIG)
        return QTPM_DAA_E_BASENAME;
    if (len != QTPM_DAA_SIG_BSN_SIZE || sig[0] != TAG_SIG_BSN)
        return QTPM_DAA_E_FORMAT;
    memcpy(hash, sig + QTPM_DAA_SIG_SIZE, 32);
    return 0;
}

int qtpm_daa_link(const uint8_t *sig1, size_t len1, const uint8_t *sig2, size_t len2)
{
    uint8_t h1[32], h2[32];
    int rc = qtpm_daa_sig_basename_hash(sig1, len1, h1);
    if (rc == 0)
        rc = qtpm_daa_sig_basename_hash(sig2, len2, h2);
    if (rc)
        return rc;
    if (!public_equal(h1, h2, 32))
        return QTPM_DAA_E_BASENAME;
    /* K is canonical (affine, reduced): equal points have equal bytes */
    return public_equal(sig1 + QTPM_DAA_SIG_SIZE + 32, sig2 + QTPM_DAA_SIG_SIZE + 32, 64);
}

/* ----------------------------------------------------------- software TPM */

int qtpm_daa_soft_init(qtpm_daa_soft *s, const uint8_t *sk, uint8_t q[64])
{
    if (s == NULL || q == NULL)
        return QTPM_DAA_E_PARAM;
    memset(s, 0, sizeof *s);
    if (sk)
        memcpy(s->sk, sk, 32);
    else if (random_scalar(s->sk))
        return QTPM_DAA_E_RNG;
    if (scalar_check(s->sk))
        return QTPM_DAA_E_PARAM;
    g1 P1, Q;
    g1_generator(&P1);
    g1_mul(&Q, &P1, s->sk);
    return g1_to_bytes(q, &Q) ? QTPM_DAA_E_PARAM : 0;
}

static int soft_commit(void *ctx, const uint8_t *p1, const uint8_t *s2, size_t s2_len,
                       const uint8_t *y2, uint8_t e[64], uint8_t k[64], uint8_t l[64],
                       uint16_t *counter)
{
    qtpm_daa_soft *s = ctx;
    g1 P, E;
    if (p1) {
        if (g1_from_bytes(&P, p1))
            return -1;
    } else
        g1_generator(&P);
    if (random_scalar(s->r))
        return -1;
    g1_mul(&E, &P, s->r);
    if (g1_to_bytes(e, &E))
        return -1;
    if (s2) {
        /* (H(s2) mod p, y2) as TPM2_Commit forms it */
        uint8_t pb[64], hx[32];
        fe x;
        g1 J, K, L;
        if (sha256(s2, s2_len, NULL, 0, hx))
            return -1;
        mod_from_bytes_reduce(&x, hx, &bn_fp);
        mod_to_bytes(pb, &x, &bn_fp);
        memcpy(pb + 32, y2, 32);
        if (g1_from_bytes(&J, pb))
            return -1;
        g1_mul(&K, &J, s->sk);
        g1_mul(&L, &J, s->r);
        if (g1_to_bytes(k, &K) || g1_to_bytes(l, &L))
            return -1;
    }
    s->committed = 1;
    *counter = ++s->counter;
    return 0;
}

static int soft_sign(void *ctx, uint16_t counter, const uint8_t digest[32], uint8_t nonce[32],
                     uint8_t sig_s[32])
{
    qtpm_daa_soft *s = ctx;
    uint8_t c[32];
    if (!s->committed || counter != s->counter)
        return -1;
    if (random_scalar(nonce) || tpm_challenge(nonce, digest, c))
        return -1;
    scalar_muladd(sig_s, s->r, c, s->sk);
    qtpm_memzero(s->r, sizeof s->r);
    s->committed = 0;
    return 0;
}

qtpm_daa_tpm qtpm_daa_soft_tpm(qtpm_daa_soft *s)
{
    qtpm_daa_tpm t = {s, soft_commit, soft_sign};
    return t;
}
