/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * curve.c — the groups G1 = E(Fp): y^2 = x^3 + 3 and G2 ⊂ E'(Fp2):
 * y^2 = x^3 + 3/ξ, in homogeneous projective coordinates (X : Y : Z),
 * x = X/Z, y = Y/Z, infinity (0 : 1 : 0).
 *
 * One addition formula serves every case, doubling and infinity included:
 * Renes, Costello, Batina, "Complete addition formulas for prime order
 * elliptic curves" (EUROCRYPT 2016), Algorithm 7 (a = 0, b3 = 3b). It is
 * complete on any short Weierstrass curve without points of order 2, and
 * both groups here have odd order (#E(Fp) = n, #E'(Fp2) = n(2p - n)).
 * Scalar multiplication uses fixed 4-bit windows over all 256 bits of the
 * scalar with masked table reads, so its time and memory accesses depend on
 * neither the scalar nor the point: it serves the issuer's secret key, the
 * host's randomisers and every public computation alike.
 *
 * Encodings are uncompressed affine coordinates, big-endian, 32 bytes per
 * Fp element: G1 x ‖ y (64 bytes), G2 x0 ‖ x1 ‖ y0 ‖ y1 with x = x0 + x1·i
 * (128 bytes), the order ISO/IEC 20008-2 uses to print P2. Decoding checks
 * range, the curve equation and, for G2, membership in the order-n subgroup.
 */
#include "bn.h"

/* 1 when a == b, else 0, without a branch (a, b < 2^31) */
static unsigned ct_eq_u(unsigned a, unsigned b)
{
    unsigned x = a ^ b;
    return 1u ^ ((x | (0u - x)) >> 31);
}

#define L(a, b, c, d) {{a, b, c, d}}
/* 9 = 3·3 (G1's b3), Montgomery form */
static const fe g1_b3 = L(0x938d6346da934f55ULL, 0x8c406a2c58a7a166ULL, 0x81ea7aa99e013668ULL,
                          0x00000000001b88c8ULL);
/* 3·(3/ξ) (G2's b3), Montgomery form */
static const fe2 g2_b3 = {
    L(0xf5e2a07436f5cc90ULL, 0x3d3eb9a95e1977f6ULL, 0x50535ed0382df136ULL, 0x66666666667030a2ULL),
    L(0x5837dda1935849cbULL, 0xee3d0926638b4e87ULL, 0x1ebc42f6d25aac03ULL, 0xccccccccccc4d87cULL)};

/* ISO/IEC 20008-2 mechanism 4's P2 (plain big-endian hex) */
static const uint8_t p2_bytes[128] = {
    0xE2, 0x01, 0x71, 0xC5, 0x4A, 0xA3, 0xDA, 0x05, 0x21, 0x67, 0x04, 0x13, 0x74, 0x3C, 0xCF, 0x22,
    0xD2, 0x5D, 0x52, 0x68, 0x3D, 0x32, 0x47, 0x0E, 0xF6, 0x02, 0x13, 0x43, 0xBF, 0x28, 0x23, 0x94,
    0x59, 0x2D, 0x1E, 0xF6, 0x53, 0xA8, 0x5A, 0x80, 0x46, 0xCC, 0xDC, 0x25, 0x4F, 0xBB, 0x56, 0x56,
    0x43, 0x43, 0x3B, 0xF6, 0x28, 0x96, 0x53, 0xE2, 0x7D, 0xF7, 0xB2, 0x12, 0xBA, 0xA1, 0x89, 0xBE,
    0xAE, 0x60, 0xA4, 0xE7, 0x51, 0xFF, 0xD3, 0x50, 0xC6, 0x21, 0xE7, 0x03, 0x31, 0x28, 0x26, 0xBD,
    0x55, 0xE8, 0xB5, 0x9A, 0x4D, 0x91, 0x68, 0x38, 0x41, 0x4D, 0xB8, 0x22, 0xDD, 0x23, 0x35, 0xAE,
    0x1A, 0xB4, 0x42, 0xF9, 0x89, 0xAF, 0xE5, 0xAD, 0xF8, 0x02, 0x74, 0xF8, 0x76, 0x45, 0xE2, 0x53,
    0x2C, 0xDC, 0x61, 0x81, 0x90, 0x93, 0xD6, 0x13, 0x2C, 0x90, 0xFE, 0x89, 0x51, 0xB9, 0x24, 0x21};

/* n as 32 big-endian bytes, for the subgroup check */
static const uint8_t order_bytes[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFC, 0xF0, 0xCD, 0x46, 0xE5, 0xF2, 0x5E, 0xEE, 0x71, 0xA4, 0x9E,
    0x0C, 0xDC, 0x65, 0xFB, 0x12, 0x99, 0x92, 0x1A, 0xF6, 0x2D, 0x53, 0x6C, 0xD1, 0x0B, 0x50, 0x0D};

/* ------------------------------------------------------------------- G1 */

void g1_set_infinity(g1 *r)
{
    r->x = r->z = (fe){{0}};
    mod_set_one(&r->y, &bn_fp);
}

void g1_generator(g1 *r)
{
    fp_from_u64(&r->x, 1);
    fp_from_u64(&r->y, 2);
    mod_set_one(&r->z, &bn_fp);
}

void g1_add(g1 *r, const g1 *p, const g1 *q)
{
    fe t0, t1, t2, t3, t4, x3, y3, z3;
    fp_mul(&t0, &p->x, &q->x);
    fp_mul(&t1, &p->y, &q->y);
    fp_mul(&t2, &p->z, &q->z);
    fp_add(&t3, &p->x, &p->y);
    fp_add(&t4, &q->x, &q->y);
    fp_mul(&t3, &t3, &t4);
    fp_add(&t4, &t0, &t1);
    fp_sub(&t3, &t3, &t4);
    fp_add(&t4, &p->y, &p->z);
    fp_add(&x3, &q->y, &q->z);
    fp_mul(&t4, &t4, &x3);
    fp_add(&x3, &t1, &t2);
    fp_sub(&t4, &t4, &x3);
    fp_add(&x3, &p->x, &p->z);
    fp_add(&y3, &q->x, &q->z);
    fp_mul(&x3, &x3, &y3);
    fp_add(&y3, &t0, &t2);
    fp_sub(&y3, &x3, &y3);
    fp_add(&x3, &t0, &t0);
    fp_add(&t0, &x3, &t0);
    fp_mul(&t2, &g1_b3, &t2);
    fp_add(&z3, &t1, &t2);
    fp_sub(&t1, &t1, &t2);
    fp_mul(&y3, &g1_b3, &y3);
    fp_mul(&x3, &t4, &y3);
    fp_mul(&t2, &t3, &t1);
    fp_sub(&x3, &t2, &x3);
    fp_mul(&y3, &y3, &t0);
    fp_mul(&t1, &t1, &z3);
    fp_add(&y3, &t1, &y3);
    fp_mul(&t0, &t0, &t3);
    fp_mul(&z3, &z3, &t4);
    fp_add(&z3, &z3, &t0);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

void g1_neg(g1 *r, const g1 *a)
{
    r->x = a->x;
    fp_neg(&r->y, &a->y);
    r->z = a->z;
}

static void g1_select(g1 *r, const g1 *a, const g1 *b, unsigned c)
{
    fe_select(&r->x, &a->x, &b->x, c);
    fe_select(&r->y, &a->y, &b->y, c);
    fe_select(&r->z, &a->z, &b->z, c);
}

/* Fixed 4-bit windows: a table [0]a .. [15]a, then per nibble of k (from
 * the top) four doublings and the addition of the table entry, which is
 * read by scanning all sixteen with masked selections; 334 additions for
 * every k, none depending on k's value. */
void g1_mul(g1 *r, const g1 *a, const uint8_t k[32])
{
    g1 tab[16], acc, t;
    g1_set_infinity(&tab[0]);
    tab[1] = *a;
    for (int i = 2; i < 16; i++)
        g1_add(&tab[i], &tab[i - 1], a);
    g1_set_infinity(&acc);
    for (int i = 0; i < 64; i++) {
        unsigned nib = (k[i / 2] >> (i % 2 ? 0 : 4)) & 0xF;
        for (int d = 0; d < 4; d++)
            g1_add(&acc, &acc, &acc);
        t = tab[0];
        for (unsigned j = 1; j < 16; j++)
            g1_select(&t, &t, &tab[j], ct_eq_u(j, nib));
        g1_add(&acc, &acc, &t);
    }
    *r = acc;
}

int g1_is_infinity(const g1 *a)
{
    return fe_is_zero(&a->z);
}

int g1_equal(const g1 *a, const g1 *b)
{
    fe l, r, l2, r2;
    fp_mul(&l, &a->x, &b->z);
    fp_mul(&r, &b->x, &a->z);
    fp_mul(&l2, &a->y, &b->z);
    fp_mul(&r2, &b->y, &a->z);
    return fe_equal(&l, &r) & fe_equal(&l2, &r2);
}

void g1_affine(fe *x, fe *y, const g1 *a)
{
    fe zi;
    fp_inv(&zi, &a->z);
    fp_mul(x, &a->x, &zi);
    fp_mul(y, &a->y, &zi);
}

int g1_to_bytes(uint8_t out[64], const g1 *a)
{
    if (g1_is_infinity(a))
        return -1;
    fe x, y;
    g1_affine(&x, &y, a);
    mod_to_bytes(out, &x, &bn_fp);
    mod_to_bytes(out + 32, &y, &bn_fp);
    return 0;
}

int g1_from_bytes(g1 *r, const uint8_t in[64])
{
    fe x, y, lhs, rhs, three;
    if (mod_from_bytes(&x, in, &bn_fp) || mod_from_bytes(&y, in + 32, &bn_fp))
        return -1;
    fp_sqr(&lhs, &y);
    fp_sqr(&rhs, &x);
    fp_mul(&rhs, &rhs, &x);
    fp_from_u64(&three, 3);
    fp_add(&rhs, &rhs, &three);
    if (!fe_equal(&lhs, &rhs))
        return -1;
    r->x = x;
    r->y = y;
    mod_set_one(&r->z, &bn_fp);
    return 0;
}

/* ------------------------------------------------------------------- G2 */

void g2_set_infinity(g2 *r)
{
    fp2_set_zero(&r->x);
    fp2_set_one(&r->y);
    fp2_set_zero(&r->z);
}

void g2_generator(g2 *r)
{
    /* P2 is a valid encoding: this cannot fail */
    if (g2_from_bytes(r, p2_bytes))
        g2_set_infinity(r);
}

void g2_add(g2 *r, const g2 *p, const g2 *q)
{
    fe2 t0, t1, t2, t3, t4, x3, y3, z3;
    fp2_mul(&t0, &p->x, &q->x);
    fp2_mul(&t1, &p->y, &q->y);
    fp2_mul(&t2, &p->z, &q->z);
    fp2_add(&t3, &p->x, &p->y);
    fp2_add(&t4, &q->x, &q->y);
    fp2_mul(&t3, &t3, &t4);
    fp2_add(&t4, &t0, &t1);
    fp2_sub(&t3, &t3, &t4);
    fp2_add(&t4, &p->y, &p->z);
    fp2_add(&x3, &q->y, &q->z);
    fp2_mul(&t4, &t4, &x3);
    fp2_add(&x3, &t1, &t2);
    fp2_sub(&t4, &t4, &x3);
    fp2_add(&x3, &p->x, &p->z);
    fp2_add(&y3, &q->x, &q->z);
    fp2_mul(&x3, &x3, &y3);
    fp2_add(&y3, &t0, &t2);
    fp2_sub(&y3, &x3, &y3);
    fp2_add(&x3, &t0, &t0);
    fp2_add(&t0, &x3, &t0);
    fp2_mul(&t2, &g2_b3, &t2);
    fp2_add(&z3, &t1, &t2);
    fp2_sub(&t1, &t1, &t2);
    fp2_mul(&y3, &g2_b3, &y3);
    fp2_mul(&x3, &t4, &y3);
    fp2_mul(&t2, &t3, &t1);
    fp2_sub(&x3, &t2, &x3);
    fp2_mul(&y3, &y3, &t0);
    fp2_mul(&t1, &t1, &z3);
    fp2_add(&y3, &t1, &y3);
    fp2_mul(&t0, &t0, &t3);
    fp2_mul(&z3, &z3, &t4);
    fp2_add(&z3, &z3, &t0);
    r->x = x3;
    r->y = y3;
    r->z = z3;
}

void g2_neg(g2 *r, const g2 *a)
{
    r->x = a->x;
    fp2_neg(&r->y, &a->y);
    r->z = a->z;
}

static void g2_select(g2 *r, const g2 *a, const g2 *b, unsigned c)
{
    fp2_select(&r->x, &a->x, &b->x, c);
    fp2_select(&r->y, &a->y, &b->y, c);
    fp2_select(&r->z, &a->z, &b->z, c);
}

void g2_mul(g2 *r, const g2 *a, const uint8_t k[32])
{
    g2 tab[16], acc, t;
    g2_set_infinity(&tab[0]);
    tab[1] = *a;
    for (int i = 2; i < 16; i++)
        g2_add(&tab[i], &tab[i - 1], a);
    g2_set_infinity(&acc);
    for (int i = 0; i < 64; i++) {
        unsigned nib = (k[i / 2] >> (i % 2 ? 0 : 4)) & 0xF;
        for (int d = 0; d < 4; d++)
            g2_add(&acc, &acc, &acc);
        t = tab[0];
        for (unsigned j = 1; j < 16; j++)
            g2_select(&t, &t, &tab[j], ct_eq_u(j, nib));
        g2_add(&acc, &acc, &t);
    }
    *r = acc;
}

int g2_is_infinity(const g2 *a)
{
    return fp2_is_zero(&a->z);
}

int g2_equal(const g2 *a, const g2 *b)
{
    fe2 l, r, l2, r2;
    fp2_mul(&l, &a->x, &b->z);
    fp2_mul(&r, &b->x, &a->z);
    fp2_mul(&l2, &a->y, &b->z);
    fp2_mul(&r2, &b->y, &a->z);
    return fp2_equal(&l, &r) & fp2_equal(&l2, &r2);
}

void g2_affine(fe2 *x, fe2 *y, const g2 *a)
{
    fe2 zi;
    fp2_inv(&zi, &a->z);
    fp2_mul(x, &a->x, &zi);
    fp2_mul(y, &a->y, &zi);
}

int g2_to_bytes(uint8_t out[128], const g2 *a)
{
    if (g2_is_infinity(a))
        return -1;
    fe2 x, y;
    g2_affine(&x, &y, a);
    mod_to_bytes(out, &x.a, &bn_fp);
    mod_to_bytes(out + 32, &x.b, &bn_fp);
    mod_to_bytes(out + 64, &y.a, &bn_fp);
    mod_to_bytes(out + 96, &y.b, &bn_fp);
    return 0;
}

int g2_from_bytes(g2 *r, const uint8_t in[128])
{
    g2 pt, t;
    if (mod_from_bytes(&pt.x.a, in, &bn_fp) || mod_from_bytes(&pt.x.b, in + 32, &bn_fp) ||
        mod_from_bytes(&pt.y.a, in + 64, &bn_fp) || mod_from_bytes(&pt.y.b, in + 96, &bn_fp))
        return -1;
    fe2 lhs, rhs;
    fp2_sqr(&lhs, &pt.y);
    fp2_sqr(&rhs, &pt.x);
    fp2_mul(&rhs, &rhs, &pt.x);
    fp2_add(&rhs, &rhs, &bn_twist_b);
    if (!fp2_equal(&lhs, &rhs))
        return -1;
    fp2_set_one(&pt.z);
    /* E'(Fp2) has cofactor 2p - n over G2: [n]Q must vanish */
    g2_mul(&t, &pt, order_bytes);
    if (!g2_is_infinity(&t))
        return -1;
    *r = pt;
    return 0;
}
