/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tower.c — the extension fields of the pairing: Fp2 = Fp[i]/(i^2 + 1)
 * (p ≡ 3 mod 4, so -1 is no square) and Fp12 = Fp2[w]/(w^6 - ξ) with
 * ξ = 2 + i, which is neither a square nor a cube in Fp2 (so w^6 - ξ is
 * irreducible). Fp12 elements are kept on the basis 1, w, ..., w^5: the
 * Frobenius map is then a conjugation and one constant per coefficient,
 * (Σ c_k w^k)^p = Σ conj(c_k) ξ^(k(p-1)/6) w^k, and the lines of the
 * Miller loop, which have three non-zero coefficients, multiply cheaply.
 * Inversion goes down the tower: f = g + h·w with g, h in Fp6 = Fp2[v]/(v^3 - ξ),
 * v = w^2, and f^-1 = (g - h·w) / (g^2 - h^2·v).
 */
#include "bn.h"

#define L(a, b, c, d) {{a, b, c, d}}
/* ξ^(k(p-1)/6) for k = 0..5, Montgomery form (tests recompute them) */
const fe2 bn_gamma[6] = {
    {L(0x2cd6d224512ccfedULL, 0xf3239a04ed67f57dULL, 0xb91a0da1118e5b60ULL, 0x0000000000030f32ULL),
     L(0, 0, 0, 0)},
    {L(0x42829ff25907497cULL, 0x4185347fc4646523ULL, 0xcd6ab10e1d76caf4ULL, 0xb6eb443aea11d05fULL),
     L(0xe838a3ed044e9867ULL, 0x879608d2abe28077ULL, 0x006c6ce02b5f25e9ULL, 0x532ff73213a0645aULL)},
    {L(0x3c369186a339e47fULL, 0x946de9fd68f77f46ULL, 0x8b499e185e4bd147ULL, 0xf0288ffb6cead27cULL),
     L(0x4299fb1b955b3bccULL, 0x52ef82807800fd9cULL, 0xfff219498846a2d0ULL, 0xf0325820c38be834ULL)},
    {L(0x9e007a7e0919f782ULL, 0xe4cd2de0abf5c895ULL, 0xb6944fa55d9219f5ULL, 0xa601d3a722ab8f81ULL),
     L(0x68d7c7206360bef1ULL, 0xbcbdf5c6455386a8ULL, 0x2642acebccb28f4cULL, 0x4c03a74e455a2e36ULL)},
    {L(0x441e33cadb1f73edULL, 0xdbd045966b71a7c9ULL, 0xa41406a1c7520352ULL, 0xb3ff5b7fd832462fULL),
     L(0x921881b5b01462fcULL, 0x3146c1d404c54f45ULL, 0x64b1a6e38287c050ULL, 0xa4ca8f451a40ea3eULL)},
    {L(0x3e5e3c05578a9d18ULL, 0xb1b0536bd8c6a885ULL, 0xa944cbc866765cacULL, 0x9dad003f2ffdd862ULL),
     L(0x6ed01ba53a405278ULL, 0x7129962b002a0aebULL, 0x1015c86d1241573bULL, 0x904b954480d1b7a1ULL)},
};
/* 3/ξ, Montgomery form */
const fe2 bn_twist_b = {
    L(0xdebc540e86deb992ULL, 0xc7a7d7352bc32efeULL, 0x4a0a6bda0705be26ULL, 0xccccccccccce0614ULL),
    L(0x63cb03d46b63d34aULL, 0xa9087a607cb67303ULL, 0x21e0bc71eaeec58bULL, 0x999999999995edc3ULL)};

/* ------------------------------------------------------------------ Fp2 */

void fp2_add(fe2 *r, const fe2 *a, const fe2 *b)
{
    fp_add(&r->a, &a->a, &b->a);
    fp_add(&r->b, &a->b, &b->b);
}

void fp2_sub(fe2 *r, const fe2 *a, const fe2 *b)
{
    fp_sub(&r->a, &a->a, &b->a);
    fp_sub(&r->b, &a->b, &b->b);
}

void fp2_neg(fe2 *r, const fe2 *a)
{
    fp_neg(&r->a, &a->a);
    fp_neg(&r->b, &a->b);
}

void fp2_conj(fe2 *r, const fe2 *a)
{
    r->a = a->a;
    fp_neg(&r->b, &a->b);
}

/* (a0 + a1 i)(b0 + b1 i) with three products (Karatsuba) */
void fp2_mul(fe2 *r, const fe2 *a, const fe2 *b)
{
    fe t0, t1, s0, s1, t2;
    fp_mul(&t0, &a->a, &b->a);
    fp_mul(&t1, &a->b, &b->b);
    fp_add(&s0, &a->a, &a->b);
    fp_add(&s1, &b->a, &b->b);
    fp_mul(&t2, &s0, &s1);
    fp_sub(&r->a, &t0, &t1);
    fp_sub(&t2, &t2, &t0);
    fp_sub(&r->b, &t2, &t1);
}

void fp2_mul_fp(fe2 *r, const fe2 *a, const fe *b)
{
    fp_mul(&r->a, &a->a, b);
    fp_mul(&r->b, &a->b, b);
}

/* (a + b i)^2 = (a+b)(a-b) + 2ab i */
void fp2_sqr(fe2 *r, const fe2 *a)
{
    fe s, d, m;
    fp_add(&s, &a->a, &a->b);
    fp_sub(&d, &a->a, &a->b);
    fp_mul(&m, &a->a, &a->b);
    fp_mul(&r->a, &s, &d);
    fp_add(&r->b, &m, &m);
}

/* (a + b i)(2 + i) = (2a - b) + (a + 2b) i */
void fp2_mul_xi(fe2 *r, const fe2 *x)
{
    fe a2, b2, ra, rb;
    fp_add(&a2, &x->a, &x->a);
    fp_add(&b2, &x->b, &x->b);
    fp_sub(&ra, &a2, &x->b);
    fp_add(&rb, &x->a, &b2);
    r->a = ra;
    r->b = rb;
}

/* (a + b i)^-1 = (a - b i)/(a^2 + b^2); 0 ↦ 0 */
void fp2_inv(fe2 *r, const fe2 *x)
{
    fe n, t;
    fp_sqr(&n, &x->a);
    fp_sqr(&t, &x->b);
    fp_add(&n, &n, &t);
    fp_inv(&n, &n);
    fp_mul(&r->a, &x->a, &n);
    fp_mul(&t, &x->b, &n);
    fp_neg(&r->b, &t);
}

int fp2_is_zero(const fe2 *a)
{
    return fe_is_zero(&a->a) & fe_is_zero(&a->b);
}

int fp2_equal(const fe2 *a, const fe2 *b)
{
    return fe_equal(&a->a, &b->a) & fe_equal(&a->b, &b->b);
}

void fp2_select(fe2 *r, const fe2 *a, const fe2 *b, unsigned c)
{
    fe_select(&r->a, &a->a, &b->a, c);
    fe_select(&r->b, &a->b, &b->b, c);
}

void fp2_set_one(fe2 *r)
{
    mod_set_one(&r->a, &bn_fp);
    r->b = (fe){{0}};
}

void fp2_set_zero(fe2 *r)
{
    r->a = r->b = (fe){{0}};
}

/* ----------------------------------------------------------------- Fp12 */

void fp12_set_one(fe12 *r)
{
    fp2_set_one(&r->c[0]);
    for (int k = 1; k < 6; k++)
        fp2_set_zero(&r->c[k]);
}

/* Fp4 = Fp2[s]/(s^2 - ξ), s = w^3, an element as (x, y) = x + y s */
typedef struct {
    fe2 x, y;
} fe4;

static void fp4_add(fe4 *r, const fe4 *a, const fe4 *b)
{
    fp2_add(&r->x, &a->x, &b->x);
    fp2_add(&r->y, &a->y, &b->y);
}

static void fp4_sub(fe4 *r, const fe4 *a, const fe4 *b)
{
    fp2_sub(&r->x, &a->x, &b->x);
    fp2_sub(&r->y, &a->y, &b->y);
}

/* (a + b s)(c + d s) = (ac + ξ bd) + ((a+b)(c+d) - ac - bd) s */
static void fp4_mul(fe4 *r, const fe4 *u, const fe4 *v)
{
    fe2 ac, bd, t, w2;
    fp2_mul(&ac, &u->x, &v->x);
    fp2_mul(&bd, &u->y, &v->y);
    fp2_add(&t, &u->x, &u->y);
    fp2_add(&w2, &v->x, &v->y);
    fp2_mul(&t, &t, &w2);
    fp2_sub(&t, &t, &ac);
    fp2_sub(&r->y, &t, &bd);
    fp2_mul_xi(&bd, &bd);
    fp2_add(&r->x, &ac, &bd);
}

/* (x + y s)·s = ξ y + x s */
static void fp4_mul_s(fe4 *r, const fe4 *a)
{
    fe2 t;
    fp2_mul_xi(&t, &a->y);
    r->y = a->x;
    r->x = t;
}

/* Fp12 = Fp4[w]/(w^3 - s): a = a0 + a1 w + a2 w^2 with a_j = c_j + c_(j+3) s.
 * Karatsuba on three terms: six Fp4 products, 18 Fp2 products. */
void fp12_mul(fe12 *r, const fe12 *a, const fe12 *b)
{
    fe4 A[3], B[3], v0, v1, v2, t, u, c0, c1, c2;
    for (int j = 0; j < 3; j++) {
        A[j].x = a->c[j];
        A[j].y = a->c[j + 3];
        B[j].x = b->c[j];
        B[j].y = b->c[j + 3];
    }
    fp4_mul(&v0, &A[0], &B[0]);
    fp4_mul(&v1, &A[1], &B[1]);
    fp4_mul(&v2, &A[2], &B[2]);
    /* c0 = v0 + s((a1 + a2)(b1 + b2) - v1 - v2) */
    fp4_add(&t, &A[1], &A[2]);
    fp4_add(&u, &B[1], &B[2]);
    fp4_mul(&t, &t, &u);
    fp4_sub(&t, &t, &v1);
    fp4_sub(&t, &t, &v2);
    fp4_mul_s(&t, &t);
    fp4_add(&c0, &v0, &t);
    /* c1 = (a0 + a1)(b0 + b1) - v0 - v1 + s v2 */
    fp4_add(&t, &A[0], &A[1]);
    fp4_add(&u, &B[0], &B[1]);
    fp4_mul(&t, &t, &u);
    fp4_sub(&t, &t, &v0);
    fp4_sub(&t, &t, &v1);
    fp4_mul_s(&u, &v2);
    fp4_add(&c1, &t, &u);
    /* c2 = (a0 + a2)(b0 + b2) - v0 - v2 + v1 */
    fp4_add(&t, &A[0], &A[2]);
    fp4_add(&u, &B[0], &B[2]);
    fp4_mul(&t, &t, &u);
    fp4_sub(&t, &t, &v0);
    fp4_sub(&t, &t, &v2);
    fp4_add(&c2, &t, &v1);
    r->c[0] = c0.x;
    r->c[3] = c0.y;
    r->c[1] = c1.x;
    r->c[4] = c1.y;
    r->c[2] = c2.x;
    r->c[5] = c2.y;
}

/* schoolbook on the w basis, then w^(6+k) = ξ·w^k (the reference the
 * tests compare fp12_mul with) */
void fp12_mul_schoolbook(fe12 *r, const fe12 *a, const fe12 *b)
{
    fe2 t[11], m;
    for (int k = 0; k < 11; k++)
        fp2_set_zero(&t[k]);
    for (int i = 0; i < 6; i++)
        for (int j = 0; j < 6; j++) {
            fp2_mul(&m, &a->c[i], &b->c[j]);
            fp2_add(&t[i + j], &t[i + j], &m);
        }
    for (int k = 0; k < 5; k++) {
        fp2_mul_xi(&m, &t[k + 6]);
        fp2_add(&r->c[k], &t[k], &m);
    }
    r->c[5] = t[5];
}

void fp12_sqr(fe12 *r, const fe12 *a)
{
    /* the cross terms once, doubled */
    fe2 t[11], m;
    for (int k = 0; k < 11; k++)
        fp2_set_zero(&t[k]);
    for (int i = 0; i < 6; i++)
        for (int j = i + 1; j < 6; j++) {
            fp2_mul(&m, &a->c[i], &a->c[j]);
            fp2_add(&t[i + j], &t[i + j], &m);
        }
    for (int k = 0; k < 11; k++)
        fp2_add(&t[k], &t[k], &t[k]);
    for (int i = 0; i < 6; i++) {
        fp2_sqr(&m, &a->c[i]);
        fp2_add(&t[2 * i], &t[2 * i], &m);
    }
    for (int k = 0; k < 5; k++) {
        fp2_mul_xi(&m, &t[k + 6]);
        fp2_add(&r->c[k], &t[k], &m);
    }
    r->c[5] = t[5];
}

void fp12_conj(fe12 *r, const fe12 *a)
{
    for (int k = 0; k < 6; k++) {
        if (k & 1)
            fp2_neg(&r->c[k], &a->c[k]);
        else
            r->c[k] = a->c[k];
    }
}

void fp12_frob(fe12 *r, const fe12 *a)
{
    for (int k = 0; k < 6; k++) {
        fe2 c;
        fp2_conj(&c, &a->c[k]);
        fp2_mul(&r->c[k], &c, &bn_gamma[k]);
    }
}

/* Fp6 = Fp2[v]/(v^3 - ξ), an element as (a0, a1, a2) */
static void fp6_mul(fe2 r[3], const fe2 a[3], const fe2 b[3])
{
    fe2 t[5], m;
    for (int k = 0; k < 5; k++)
        fp2_set_zero(&t[k]);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            fp2_mul(&m, &a[i], &b[j]);
            fp2_add(&t[i + j], &t[i + j], &m);
        }
    fp2_mul_xi(&m, &t[3]);
    fp2_add(&r[0], &t[0], &m);
    fp2_mul_xi(&m, &t[4]);
    fp2_add(&r[1], &t[1], &m);
    r[2] = t[2];
}

static void fp6_inv(fe2 r[3], const fe2 a[3])
{
    fe2 t0, t1, t2, m, nrm;
    /* t0 = a0^2 - ξ a1 a2, t1 = ξ a2^2 - a0 a1, t2 = a1^2 - a0 a2 */
    fp2_sqr(&t0, &a[0]);
    fp2_mul(&m, &a[1], &a[2]);
    fp2_mul_xi(&m, &m);
    fp2_sub(&t0, &t0, &m);
    fp2_sqr(&t1, &a[2]);
    fp2_mul_xi(&t1, &t1);
    fp2_mul(&m, &a[0], &a[1]);
    fp2_sub(&t1, &t1, &m);
    fp2_sqr(&t2, &a[1]);
    fp2_mul(&m, &a[0], &a[2]);
    fp2_sub(&t2, &t2, &m);
    /* norm = a0 t0 + ξ (a2 t1 + a1 t2) */
    fp2_mul(&nrm, &a[2], &t1);
    fp2_mul(&m, &a[1], &t2);
    fp2_add(&nrm, &nrm, &m);
    fp2_mul_xi(&nrm, &nrm);
    fp2_mul(&m, &a[0], &t0);
    fp2_add(&nrm, &nrm, &m);
    fp2_inv(&nrm, &nrm);
    fp2_mul(&r[0], &t0, &nrm);
    fp2_mul(&r[1], &t1, &nrm);
    fp2_mul(&r[2], &t2, &nrm);
}

void fp12_inv(fe12 *r, const fe12 *a)
{
    /* g = c0 + c2 v + c4 v^2, h = c1 + c3 v + c5 v^2, a = g + h w */
    fe2 g[3] = {a->c[0], a->c[2], a->c[4]}, h[3] = {a->c[1], a->c[3], a->c[5]};
    fe2 gg[3], hh[3], d[3];
    fp6_mul(gg, g, g);
    fp6_mul(hh, h, h);
    /* h^2·v: (x0, x1, x2)·v = (ξ x2, x0, x1) */
    fe2 hv0;
    fp2_mul_xi(&hv0, &hh[2]);
    fp2_sub(&d[0], &gg[0], &hv0);
    fp2_sub(&d[1], &gg[1], &hh[0]);
    fp2_sub(&d[2], &gg[2], &hh[1]);
    fp6_inv(d, d);
    fe2 rg[3], rh[3];
    fp6_mul(rg, g, d);
    fp6_mul(rh, h, d);
    for (int k = 0; k < 3; k++) {
        r->c[2 * k] = rg[k];
        fp2_neg(&r->c[2 * k + 1], &rh[k]);
    }
}

int fp12_equal(const fe12 *a, const fe12 *b)
{
    int eq = 1;
    for (int k = 0; k < 6; k++)
        eq &= fp2_equal(&a->c[k], &b->c[k]);
    return eq;
}

int fp12_is_one(const fe12 *a)
{
    fe12 one;
    fp12_set_one(&one);
    return fp12_equal(a, &one);
}
