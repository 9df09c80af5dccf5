/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pairing.c — the optimal ate pairing on BN_P256 (Vercauteren, "Optimal
 * pairings", IEEE Trans. IT 2010, §IV BN curves):
 *
 *   e(P, Q) = ( f_{6u+2,Q}(P) · l_{[6u+2]Q, π(Q)}(P) · l_{[6u+2]Q+π(Q), -π²(Q)}(P) )^((p^12-1)/n)
 *
 * The Miller loop runs over the bits of |6u+2| (66 bits, public) in affine
 * coordinates on the twist: each step is one Fp2 inversion and a line with
 * three non-zero coefficients. With Q' = (x', y') on E' and the untwisting
 * ψ(x', y') = (x' w^2, y' w^3), the line through T and Q (or the tangent
 * at T) of slope λ' evaluated at P = (xP, yP) is
 *     l(P) = yP - λ'·xP·w + (λ'·xT - yT)·w^3.
 * u < 0, so f_{6u+2} = 1/(f_{|6u+2|}·v) with a vertical v that the final
 * exponentiation kills; 1/f becomes conj(f) there, and T becomes -T.
 * π is the p-power Frobenius on the twist, π(x', y') = (conj(x')·ξ^((p-1)/3),
 * conj(y')·ξ^((p-1)/2)).
 *
 * Final exponentiation: the easy part f^((p^6-1)(p^2+1)), then the hard part
 * (p^4 - p^2 + 1)/n = λ0 + λ1 p + λ2 p^2 + p^3 with
 *   λ0 = -36u^3 - 30u^2 - 18u - 2,  λ1 = -36u^3 - 18u^2 - 12u + 1,  λ2 = 6u^2 + 1
 * (the decomposition of Devegili, Scott, Dahab, "Implementing cryptographic
 * pairings over Barreto-Naehrig curves", Pairing 2007), using f^u and
 * Frobenius maps; after the easy part f is unitary, so f^-1 = conj(f).
 *
 * Every loop bound and branch depends on public constants only; the field
 * arithmetic is constant time, so the pairing is too. The Miller loop meets no
 * exceptional case for P ∈ G1 \ {O} and Q ∈ G2 \ {O}: the multiples of Q it
 * forms are neither O nor ±Q.
 */
#include "bn.h"

/* |6u+2| = 0x2_7311C281_2423F004 (66 bits): bit 65 set, bit 64 clear, and
 * the low 64 bits */
static const uint64_t ate_loop = 0x7311C2812423F004ULL;
#define ATE_LOOP_BITS 66
static unsigned ate_bit(int i)
{
    if (i == 65)
        return 1;
    if (i == 64)
        return 0;
    return (unsigned)((ate_loop >> i) & 1);
}

/* |u| */
static const uint64_t bn_u_abs = 0x6882F5C030B0A801ULL;

typedef struct {
    fe2 x, y;
} aff2;

/* f = f · (c0 + c1 w + c3 w^3), c0 ∈ Fp */
static void mul_by_line(fe12 *f, const fe *c0, const fe2 *c1, const fe2 *c3)
{
    fe2 t[9], m;
    for (int k = 0; k < 9; k++)
        fp2_set_zero(&t[k]);
    for (int i = 0; i < 6; i++) {
        fp2_mul_fp(&m, &f->c[i], c0);
        fp2_add(&t[i], &t[i], &m);
        fp2_mul(&m, &f->c[i], c1);
        fp2_add(&t[i + 1], &t[i + 1], &m);
        fp2_mul(&m, &f->c[i], c3);
        fp2_add(&t[i + 3], &t[i + 3], &m);
    }
    for (int k = 0; k < 3; k++) {
        fp2_mul_xi(&m, &t[k + 6]);
        fp2_add(&t[k], &t[k], &m);
    }
    for (int k = 0; k < 6; k++)
        f->c[k] = t[k];
}

/* Records the line of slope lam through T (λ' and λ'·xT - yT, which depend
 * on Q only) and moves T to T + (xq, ·): x3 = λ'^2 - xT - xq. */
static void line_step(bn_g2_prep *pr, aff2 *t, const fe2 *lam, const fe2 *xq)
{
    fe2 x3, y3, m;
    pr->lam[pr->n] = *lam;
    fp2_mul(&pr->c3[pr->n], lam, &t->x);
    fp2_sub(&pr->c3[pr->n], &pr->c3[pr->n], &t->y);
    pr->n++;
    fp2_sqr(&x3, lam);
    fp2_sub(&x3, &x3, &t->x);
    fp2_sub(&x3, &x3, xq);
    fp2_sub(&m, &t->x, &x3);
    fp2_mul(&y3, lam, &m);
    fp2_sub(&y3, &y3, &t->y);
    t->x = x3;
    t->y = y3;
}

/* tangent at T: λ' = 3 xT^2 / (2 yT) */
static void dbl_step(bn_g2_prep *pr, aff2 *t)
{
    fe2 num, den, lam, three_x2;
    fp2_sqr(&num, &t->x);
    fp2_add(&three_x2, &num, &num);
    fp2_add(&num, &three_x2, &num);
    fp2_add(&den, &t->y, &t->y);
    fp2_inv(&den, &den);
    fp2_mul(&lam, &num, &den);
    fe2 xq = t->x;
    line_step(pr, t, &lam, &xq);
}

/* chord through T and Q: λ' = (yQ - yT)/(xQ - xT) */
static void add_step(bn_g2_prep *pr, aff2 *t, const aff2 *q)
{
    fe2 num, den, lam;
    fp2_sub(&num, &q->y, &t->y);
    fp2_sub(&den, &q->x, &t->x);
    fp2_inv(&den, &den);
    fp2_mul(&lam, &num, &den);
    line_step(pr, t, &lam, &q->x);
}

static void twist_frob(aff2 *r, const aff2 *q)
{
    fe2 c;
    fp2_conj(&c, &q->x);
    fp2_mul(&r->x, &c, &bn_gamma[2]);
    fp2_conj(&c, &q->y);
    fp2_mul(&r->y, &c, &bn_gamma[3]);
}

void bn_g2_prepare(bn_g2_prep *pr, const g2 *q)
{
    aff2 qa, t, q1, q2;
    g2_affine(&qa.x, &qa.y, q);
    t = qa;
    pr->n = 0;
    for (int i = ATE_LOOP_BITS - 2; i >= 0; i--) {
        dbl_step(pr, &t);
        if (ate_bit(i)) /* public loop constant */
            add_step(pr, &t, &qa);
    }
    /* 6u + 2 < 0: T = -[|6u+2|]Q */
    fp2_neg(&t.y, &t.y);
    twist_frob(&q1, &qa);
    twist_frob(&q2, &q1);
    fp2_neg(&q2.y, &q2.y);
    add_step(pr, &t, &q1);
    add_step(pr, &t, &q2);
}

void bn_miller_prepared(fe12 *f, const g1 *p, const bn_g2_prep *const *q, size_t k)
{
    fe xp[BN_MAX_PAIRS], yp[BN_MAX_PAIRS];
    if (k > BN_MAX_PAIRS)
        k = BN_MAX_PAIRS;
    for (size_t j = 0; j < k; j++)
        g1_affine(&xp[j], &yp[j], &p[j]);
    size_t s = 0;
    fp12_set_one(f);
    for (int i = ATE_LOOP_BITS - 2; i >= 0; i--) {
        unsigned steps = 1 + ate_bit(i);
        fp12_sqr(f, f);
        for (unsigned d = 0; d < steps; d++, s++)
            for (size_t j = 0; j < k; j++) {
                fe2 c1;
                fp2_mul_fp(&c1, &q[j]->lam[s], &xp[j]);
                fp2_neg(&c1, &c1);
                mul_by_line(f, &yp[j], &c1, &q[j]->c3[s]);
            }
    }
    fp12_conj(f, f); /* 6u + 2 < 0 */
    for (; s < q[0]->n; s++)
        for (size_t j = 0; j < k; j++) {
            fe2 c1;
            fp2_mul_fp(&c1, &q[j]->lam[s], &xp[j]);
            fp2_neg(&c1, &c1);
            mul_by_line(f, &yp[j], &c1, &q[j]->c3[s]);
        }
}

void bn_miller(fe12 *f, const g1 *p, const g2 *q, size_t k)
{
    bn_g2_prep pr[BN_MAX_PAIRS];
    const bn_g2_prep *pp[BN_MAX_PAIRS];
    if (k > BN_MAX_PAIRS)
        k = BN_MAX_PAIRS;
    for (size_t j = 0; j < k; j++) {
        bn_g2_prepare(&pr[j], &q[j]);
        pp[j] = &pr[j];
    }
    bn_miller_prepared(f, p, pp, k);
}

/* Fp4 = Fp2[s]/(s^2 - ξ) with s = w^3: (a + b s)^2 = (a^2 + ξ b^2) + 2ab s */
static void fp4_sqr(fe2 *ra, fe2 *rb, const fe2 *a, const fe2 *b)
{
    fe2 t0, t1, t2;
    fp2_sqr(&t0, a);
    fp2_sqr(&t1, b);
    fp2_add(&t2, a, b);
    fp2_sqr(&t2, &t2);
    fp2_sub(&t2, &t2, &t0);
    fp2_sub(rb, &t2, &t1);
    fp2_mul_xi(&t1, &t1);
    fp2_add(ra, &t0, &t1);
}

/* 3x - 2y and 3x + 2y */
static void three_minus_two(fe2 *r, const fe2 *x, const fe2 *y)
{
    fe2 t;
    fp2_add(&t, x, x);
    fp2_add(&t, &t, x);
    fp2_sub(&t, &t, y);
    fp2_sub(r, &t, y);
}

static void three_plus_two(fe2 *r, const fe2 *x, const fe2 *y)
{
    fe2 t;
    fp2_add(&t, x, x);
    fp2_add(&t, &t, x);
    fp2_add(&t, &t, y);
    fp2_add(r, &t, y);
}

/* Squaring in the cyclotomic subgroup (Granger, Scott, "Faster squaring in
 * the cyclotomic subgroup of sixth degree extensions", PKC 2010, §3.1):
 * on Fp12 = Fp4[w]/(w^3 - s), z = z0 + z1 w + z2 w^2,
 *   z^2 = (3 z0^2 - 2 conj(z0)) + (3 s z2^2 + 2 conj(z1)) w + (3 z1^2 - 2 conj(z2)) w^2,
 * conj the Fp4/Fp2 conjugation; valid for z^(p^6 + 1) = 1, i.e. after the
 * easy part. Here z_j = c_j + c_(j+3) s. */
static void cyclo_sqr(fe12 *r, const fe12 *z)
{
    fe2 a0, b0, a1, b1, a2, b2, t;
    fp4_sqr(&a0, &b0, &z->c[0], &z->c[3]);
    fp4_sqr(&a1, &b1, &z->c[1], &z->c[4]);
    fp4_sqr(&a2, &b2, &z->c[2], &z->c[5]);
    fe12 o;
    /* 3 z0^2 - 2 conj(z0): conj(z0) = c0 - c3 s */
    three_minus_two(&o.c[0], &a0, &z->c[0]);
    three_plus_two(&o.c[3], &b0, &z->c[3]);
    /* 3 s z2^2 + 2 conj(z1): s (a2 + b2 s) = ξ b2 + a2 s */
    fp2_mul_xi(&t, &b2);
    three_plus_two(&o.c[1], &t, &z->c[1]);
    three_minus_two(&o.c[4], &a2, &z->c[4]);
    /* 3 z1^2 - 2 conj(z2) */
    three_minus_two(&o.c[2], &a1, &z->c[2]);
    three_plus_two(&o.c[5], &b1, &z->c[5]);
    *r = o;
}

void bn_cyclotomic_sqr(fe12 *r, const fe12 *z)
{
    cyclo_sqr(r, z);
}

/* r = a^e for a small public e, a in the cyclotomic subgroup */
static void pow_small(fe12 *r, const fe12 *a, unsigned e)
{
    fe12 acc;
    fp12_set_one(&acc);
    for (int b = 7; b >= 0; b--) {
        cyclo_sqr(&acc, &acc);
        if ((e >> b) & 1)
            fp12_mul(&acc, &acc, a);
    }
    *r = acc;
}

/* r = a^u = conj(a^|u|) for a unitary a */
static void pow_u(fe12 *r, const fe12 *a)
{
    fe12 acc = *a;
    for (int b = 61; b >= 0; b--) { /* |u| has 63 bits, the top one set */
        cyclo_sqr(&acc, &acc);
        if ((bn_u_abs >> b) & 1)
            fp12_mul(&acc, &acc, a);
    }
    fp12_conj(r, &acc);
}

void bn_final_exp(fe12 *r, const fe12 *fin)
{
    fe12 f, t, fu, fu2, fu3, a, b, l0, l1, l2;
    /* easy part: f^(p^6 - 1), then ^(p^2 + 1) */
    fp12_inv(&t, fin);
    fp12_conj(&f, fin);
    fp12_mul(&f, &f, &t);
    fp12_frob(&t, &f);
    fp12_frob(&t, &t);
    fp12_mul(&f, &f, &t);
    /* hard part */
    pow_u(&fu, &f);
    pow_u(&fu2, &fu);
    pow_u(&fu3, &fu2);
    fe12 fu3_36;
    pow_small(&fu3_36, &fu3, 36);
    /* λ0 */
    pow_small(&a, &fu2, 30);
    fp12_mul(&a, &a, &fu3_36);
    pow_small(&b, &fu, 18);
    fp12_mul(&a, &a, &b);
    cyclo_sqr(&b, &f);
    fp12_mul(&a, &a, &b);
    fp12_conj(&l0, &a);
    /* λ1 */
    pow_small(&a, &fu2, 18);
    fp12_mul(&a, &a, &fu3_36);
    pow_small(&b, &fu, 12);
    fp12_mul(&a, &a, &b);
    fp12_conj(&a, &a);
    fp12_mul(&l1, &a, &f);
    /* λ2 */
    pow_small(&a, &fu2, 6);
    fp12_mul(&l2, &a, &f);
    /* l0 · l1^p · l2^(p^2) · f^(p^3) */
    fp12_frob(&a, &l1);
    fp12_mul(&t, &l0, &a);
    fp12_frob(&a, &l2);
    fp12_frob(&a, &a);
    fp12_mul(&t, &t, &a);
    fp12_frob(&a, &f);
    fp12_frob(&a, &a);
    fp12_frob(&a, &a);
    fp12_mul(r, &t, &a);
}

void bn_pairing(fe12 *r, const g1 *p, const g2 *q)
{
    fe12 f;
    bn_miller(&f, p, q, 1);
    bn_final_exp(r, &f);
}

int bn_pairing_product_is_one(const g1 *p, const g2 *q, size_t k)
{
    fe12 f, r;
    bn_miller(&f, p, q, k);
    bn_final_exp(&r, &f);
    return fp12_is_one(&r);
}

int bn_pairing_product_is_one_prepared(const g1 *p, const bn_g2_prep *const *q, size_t k)
{
    fe12 f, r;
    bn_miller_prepared(&f, p, q, k);
    bn_final_exp(&r, &f);
    return fp12_is_one(&r);
}
