/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * poly.h — polynomials of R_q = Z_q[X]/(X^256 + 1), q = 8380417, and the
 * number-theoretic transform that makes their products cheap (FIPS 204 §7.5).
 *
 * Coefficients are signed 32-bit; most functions keep them in a "loose"
 * signed range and reduce only where a later step needs it. Products use
 * Montgomery reduction with R = 2^32, so a pointwise product carries a factor
 * R^-1 that the inverse transform (or a pre-scaled operand) removes.
 * Everything is written so that gcc/clang vectorise it with baseline SSE2.
 */
#ifndef QTPM_MLDSA_POLY_H
#define QTPM_MLDSA_POLY_H

#include <stdint.h>

#include "params.h"

#define MLDSA_MONT 4193792       /* R mod q = 2^32 mod q */

typedef struct {
    int32_t coeffs[MLDSA_N];
} mldsa_poly;

/* Unsigned Montgomery reduction, the form SSE2 can vectorise (only unsigned
 * 32x32->64 products): for 0 <= a < 28·q^2 returns r ≡ a·2^-32 (mod q) with
 * -q <= r < q. With m = -a·q^-1 mod 2^32, a + m·q is divisible by 2^32 and
 * 0 <= (a + m·q)/2^32 < 28q^2/2^32 + q < 1.06q; subtracting q centres it. */
#define MLDSA_QINV_NEG 4236238847u /* -q^-1 mod 2^32 */
static inline int32_t mldsa_montgomery_reduce_u(uint64_t a)
{
    uint32_t m = (uint32_t)a * MLDSA_QINV_NEG;
    return (int32_t)((a + (uint64_t)m * MLDSA_Q) >> 32) - MLDSA_Q;
}

/* For a <= 2^31 - 2^22 - 1 returns r ≡ a (mod q) with -6283008 <= r <= 6283008. */
static inline int32_t mldsa_reduce32(int32_t a)
{
    int32_t t = (a + (1 << 22)) >> 23;
    return a - t * MLDSA_Q;
}

/* Adds q when a is negative: [-q, q) in, [0, q) out. Branch-free. */
static inline int32_t mldsa_caddq(int32_t a)
{
    return a + ((a >> 31) & MLDSA_Q);
}

/* Coefficient-wise reduce32: a > -2^31 + 2^22 in, |r| <= 6283008 out. */
void mldsa_poly_reduce(mldsa_poly *a);
/* Coefficient-wise caddq: [-q, q) in, [0, q) out. */
void mldsa_poly_caddq(mldsa_poly *a);
/* r = a + b and r = a - b, no reduction (callers bound the sum). */
void mldsa_poly_add(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b);
void mldsa_poly_sub(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b);
/* a = a · 2^d; [0, 2^10) in, [0, 2^23) out (t1 · 2^13 of FIPS 204 Alg. 8). */
void mldsa_poly_shiftl(mldsa_poly *a);

/* FIPS 204 Algorithm 41, NTT(w): |a| < q in, [0, 4q) out. */
void mldsa_poly_ntt(mldsa_poly *a);
/* FIPS 204 Algorithm 42, NTT^-1, times R: [-q, q) in and out; output is
 * NTT^-1(a)·2^32 — it cancels the R^-1 of one pointwise Montgomery product. */
void mldsa_poly_invntt_tomont(mldsa_poly *a);
/* The same without the factor 2^32: output NTT^-1(a); [-q, q) in and out. */
void mldsa_poly_invntt(mldsa_poly *a);

/* r = a ∘ b · 2^-32 (FIPS 204 Algorithm 45 with Montgomery reduction);
 * a, b in [0, 4q) (NTT outputs) in, [-q, q) out. */
void mldsa_poly_pointwise_montgomery(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b);

/* Returns 1 if some |a_i| >= bound, else 0, for |a_i| < 2^31 and
 * 0 < bound <= (q-1)/8. Constant time: every coefficient is examined and
 * nothing branches on a coefficient. */
int mldsa_poly_chknorm(const mldsa_poly *a, int32_t bound);

#endif
