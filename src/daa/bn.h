/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bn.h — private to libqtpm-daa: the arithmetic of the Barreto-Naehrig curve
 * BN_P256 (ISO/IEC 15946-5, TCG Algorithm Registry TPM_ECC_BN_P256) and its
 * optimal ate pairing, on which ecdaa.c builds the DAA scheme.
 *
 *   u = -0x6882F5C030B0A801,  p = 36u^4+36u^3+24u^2+6u+1,
 *   n = 36u^4+36u^3+18u^2+6u+1 (both 256 bits, p ≡ 3 mod 4)
 *   G1 = E(Fp):      y^2 = x^3 + 3,            generator P1 = (1, 2), cofactor 1
 *   G2 ⊂ E'(Fp2):    y^2 = x^3 + 3/ξ, ξ = 2+i  (D-type sextic twist),
 *                    generator P2 of ISO/IEC 20008-2 mechanism 4
 *   Fp2 = Fp[i]/(i^2+1),  Fp12 = Fp2[w]/(w^6 - ξ)
 *   e: G1 × G2 → μ_n ⊂ Fp12*, e(P, Q) = f_{6u+2,Q}(P) · lines ... ^((p^12-1)/n)
 *
 * Field elements are four 64-bit limbs, least significant first, in
 * Montgomery form (a·2^256 mod m). Every field operation is constant time:
 * no branch and no memory address depends on a value (selections are masks).
 * Group operations use the complete projective addition formulas of
 * Renes, Costello and Batina (EUROCRYPT 2016, Algorithm 7, a = 0), which are
 * correct for every pair of inputs on a curve of odd order (both E(Fp) and
 * E'(Fp2) have odd order), so a scalar multiplication with a fixed number of
 * doublings and additions has no exceptional case and no secret branch.
 */
#ifndef QTPM_DAA_BN_H
#define QTPM_DAA_BN_H

#include <stddef.h>
#include <stdint.h>

typedef struct { uint64_t v[4]; } fe;        /* Fp or Zn, Montgomery form */
typedef struct { fe a, b; } fe2;              /* a + b·i */
typedef struct { fe2 c[6]; } fe12;            /* Σ c_k w^k */
typedef struct { fe x, y, z; } g1;            /* projective (X:Y:Z), Z = 0 at infinity */
typedef struct { fe2 x, y, z; } g2;

typedef struct {
    uint64_t m[4];   /* the modulus */
    uint64_t inv;    /* -m^-1 mod 2^64 */
    uint64_t r2[4];  /* 2^512 mod m */
    uint64_t one[4]; /* 2^256 mod m (1 in Montgomery form) */
} bn_modulus;

extern const bn_modulus bn_fp, bn_fn;

/* ------------------------------------------------ Fp and Zn (field.c) */
void mod_mul(fe *r, const fe *a, const fe *b, const bn_modulus *m);
void mod_add(fe *r, const fe *a, const fe *b, const bn_modulus *m);
void mod_sub(fe *r, const fe *a, const fe *b, const bn_modulus *m);
/* 32 big-endian bytes → Montgomery form; -1 when the value is ≥ m. */
int mod_from_bytes(fe *r, const uint8_t in[32], const bn_modulus *m);
/* any 32 bytes → Montgomery form of (value mod m) (m > 2^255, so one
 * conditional subtraction reduces). */
void mod_from_bytes_reduce(fe *r, const uint8_t in[32], const bn_modulus *m);
void mod_to_bytes(uint8_t out[32], const fe *a, const bn_modulus *m);
void mod_set_one(fe *r, const bn_modulus *m);
/* 1 when a ≡ 0, as a mask-free 0/1 computed without branches */
int fe_is_zero(const fe *a);
int fe_equal(const fe *a, const fe *b);
/* r = c ? b : a, c ∈ {0, 1}, without a branch */
void fe_select(fe *r, const fe *a, const fe *b, unsigned c);

#define fp_mul(r, a, b) mod_mul((r), (a), (b), &bn_fp)
#define fp_add(r, a, b) mod_add((r), (a), (b), &bn_fp)
#define fp_sub(r, a, b) mod_sub((r), (a), (b), &bn_fp)
void fp_neg(fe *r, const fe *a);
void fp_sqr(fe *r, const fe *a);
void fp_inv(fe *r, const fe *a);              /* a^(p-2); 0 ↦ 0 */
int fp_sqrt(fe *r, const fe *a);              /* a^((p+1)/4); -1 when a is no square */
void fp_from_u64(fe *r, uint64_t v);

/* ------------------------------------------------ Fp2 and Fp12 (tower.c) */
void fp2_add(fe2 *r, const fe2 *a, const fe2 *b);
void fp2_sub(fe2 *r, const fe2 *a, const fe2 *b);
void fp2_neg(fe2 *r, const fe2 *a);
void fp2_conj(fe2 *r, const fe2 *a);
void fp2_mul(fe2 *r, const fe2 *a, const fe2 *b);
void fp2_mul_fp(fe2 *r, const fe2 *a, const fe *b);
void fp2_sqr(fe2 *r, const fe2 *a);
void fp2_mul_xi(fe2 *r, const fe2 *a);       /* a·(2+i) */
void fp2_inv(fe2 *r, const fe2 *a);
int fp2_is_zero(const fe2 *a);
int fp2_equal(const fe2 *a, const fe2 *b);
void fp2_select(fe2 *r, const fe2 *a, const fe2 *b, unsigned c);
void fp2_set_one(fe2 *r);
void fp2_set_zero(fe2 *r);

void fp12_set_one(fe12 *r);
void fp12_mul(fe12 *r, const fe12 *a, const fe12 *b);
void fp12_mul_schoolbook(fe12 *r, const fe12 *a, const fe12 *b); /* for tests */
void fp12_sqr(fe12 *r, const fe12 *a);
void fp12_conj(fe12 *r, const fe12 *a);      /* a^(p^6): w ↦ -w */
void fp12_frob(fe12 *r, const fe12 *a);      /* a^p */
void fp12_inv(fe12 *r, const fe12 *a);
int fp12_is_one(const fe12 *a);
int fp12_equal(const fe12 *a, const fe12 *b);
/* the Frobenius constants ξ^(k(p-1)/6), k = 0..5 (tests recompute them) */
extern const fe2 bn_gamma[6];
/* the twist's b' = 3/ξ */
extern const fe2 bn_twist_b;

/* ------------------------------------------------ G1 and G2 (curve.c) */
void g1_generator(g1 *r);
void g1_set_infinity(g1 *r);
void g1_add(g1 *r, const g1 *a, const g1 *b); /* complete */
void g1_neg(g1 *r, const g1 *a);
/* r = [k]a, k 32 big-endian bytes (any value), constant time in k and a */
void g1_mul(g1 *r, const g1 *a, const uint8_t k[32]);
int g1_is_infinity(const g1 *a);
int g1_equal(const g1 *a, const g1 *b);
/* affine x ‖ y, 64 bytes; -1 at infinity */
int g1_to_bytes(uint8_t out[64], const g1 *a);
/* -1 unless the 64 bytes are a point of E(Fp) other than infinity */
int g1_from_bytes(g1 *r, const uint8_t in[64]);
void g1_affine(fe *x, fe *y, const g1 *a);   /* a not at infinity */

void g2_generator(g2 *r);
void g2_set_infinity(g2 *r);
void g2_add(g2 *r, const g2 *a, const g2 *b);
void g2_neg(g2 *r, const g2 *a);
void g2_mul(g2 *r, const g2 *a, const uint8_t k[32]);
int g2_is_infinity(const g2 *a);
int g2_equal(const g2 *a, const g2 *b);
/* x.a ‖ x.b ‖ y.a ‖ y.b (x = x.a + x.b·i), 128 bytes, as ISO/IEC 20008-2
 * prints P2 */
int g2_to_bytes(uint8_t out[128], const g2 *a);
/* -1 unless a point of E'(Fp2) in the order-n subgroup G2, not infinity */
int g2_from_bytes(g2 *r, const uint8_t in[128]);
void g2_affine(fe2 *x, fe2 *y, const g2 *a);

/* ------------------------------------------------ pairing (pairing.c) */
/* the optimal ate pairing e(P, Q), P ∈ G1, Q ∈ G2 (neither at infinity) */
void bn_pairing(fe12 *r, const g1 *p, const g2 *q);
/* 1 when Π e(P_k, Q_k) = 1 (one shared Miller loop and final
 * exponentiation); every P_k, Q_k not at infinity */
int bn_pairing_product_is_one(const g1 *p, const g2 *q, size_t k);
void bn_miller(fe12 *f, const g1 *p, const g2 *q, size_t k);
/* The Miller loop's lines depend on Q alone: a prepared Q (its 89 slopes
 * λ' and constants λ'·xT - yT) makes every later pairing with it cheaper.
 * The issuer's public key (P2, X, Y) is prepared once when it is loaded. */
#define BN_MAX_PAIRS 4
#define BN_PREP_STEPS 96
typedef struct {
    size_t n;
    fe2 lam[BN_PREP_STEPS], c3[BN_PREP_STEPS];
} bn_g2_prep;
void bn_g2_prepare(bn_g2_prep *pr, const g2 *q);
void bn_miller_prepared(fe12 *f, const g1 *p, const bn_g2_prep *const *q, size_t k);
int bn_pairing_product_is_one_prepared(const g1 *p, const bn_g2_prep *const *q, size_t k);
void bn_final_exp(fe12 *r, const fe12 *f);
/* z^2 for z in the cyclotomic subgroup (z^(p^6+1) = 1), for tests */
void bn_cyclotomic_sqr(fe12 *r, const fe12 *z);

#endif
