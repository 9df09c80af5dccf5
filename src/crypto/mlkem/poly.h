/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * poly.h — polynomials of R_q = Z_q[X]/(X^256 + 1) and their arithmetic:
 * modular reduction (Montgomery and Barrett), the NTT and its inverse (FIPS
 * 203 Algorithms 9 and 10), and multiplication in the NTT domain (Algorithms
 * 11 and 12), with lazy reduction across the k products of a vector dot
 * product.
 *
 * Coefficients are int16_t. Each function states the range its inputs must
 * lie in and the range it guarantees for its outputs; debug.h checks both
 * when QTPM_DEBUG_BOUNDS is defined. Nothing here branches on or indexes by
 * coefficient values, which are secret for s, e, r and m.
 */
#ifndef QTPM_MLKEM_POLY_H
#define QTPM_MLKEM_POLY_H

#include <stdint.h>

#include "params.h"

typedef struct {
    int16_t c[MLKEM_N];
} mlkem_poly;

/* For a polynomial b in the NTT domain, c[i] = b[2i+1] · γ_i (γ_i =
 * ζ^(2 BitRev7(i) + 1), FIPS 203 (4.13)), the one product of
 * BaseCaseMultiply that depends on b alone. Computed once per vector entry
 * and reused for every row it is multiplied with (mlkem-native's mulcache). */
typedef struct {
    int16_t c[MLKEM_N / 2];
} mlkem_poly_mulcache;

/* Montgomery factor R = 2^16; q^-1 mod 2^16. */
#define MLKEM_QINV 62209u

/* Montgomery reduction: for |a| < 2^15 q returns r ≡ a · 2^-16 (mod q) with
 * |r| < q (precisely |r| <= (|a| + 2^15 q) / 2^16). Used where a is a sum of
 * products (the int32 accumulators of a dot product). */
static inline int16_t mlkem_montgomery_reduce(int32_t a)
{
    /* t = a · q^-1 mod 2^16, taken as a signed 16-bit value, so a - t q is a
     * multiple of 2^16 and |t q| <= 2^15 q. Unsigned arithmetic keeps the
     * low-half product free of signed overflow. */
    int16_t t = (int16_t)(uint16_t)((uint32_t)a * MLKEM_QINV);
    return (int16_t)((a - (int32_t)t * MLKEM_Q) >> 16);
}

/* High and low 16 bits of a signed 16x16-bit product. Written this way the
 * compiler maps them onto the SIMD multiply-high/low instructions (SSE2
 * pmulhw/pmullw, NEON sqdmulh-style sequences) when it vectorises a loop. */
static inline int16_t mlkem_mulhi(int16_t a, int16_t b)
{
    return (int16_t)(((int32_t)a * b) >> 16);
}

static inline int16_t mlkem_mullo(int16_t a, int16_t b)
{
    return (int16_t)(uint16_t)((uint32_t)(uint16_t)a * (uint16_t)b);
}

/* Barrett reduction: for any int16 a returns r ≡ a (mod q) with
 * -(q-1)/2 <= r <= (q-1)/2. */
static inline int16_t mlkem_barrett_reduce(int16_t a)
{
    /* v = round(2^26 / q); t = round(a v / 2^26) = (floor(a v / 2^16) + 2^9) >> 10
     * is the quotient rounded to nearest, so a - t q is centred. */
    const int16_t v = ((1 << 26) + MLKEM_Q / 2) / MLKEM_Q;
    int16_t t = (int16_t)((mlkem_mulhi(a, v) + (1 << 9)) >> 10);
    return (int16_t)(a - mlkem_mullo(t, MLKEM_Q));
}

/* Maps a centred representative -(q-1)/2 .. (q-1)/2 to [0, q) without a branch. */
static inline int16_t mlkem_to_unsigned(int16_t a)
{
    return (int16_t)(a + ((a >> 15) & MLKEM_Q));
}

/* Montgomery multiplication by a constant: for any int16 a and |b| <= q/2
 * returns r ≡ a b 2^-16 with |r| < q. With t = (a b mod 2^16) q^-1 mod 2^16,
 * a b - t q is divisible by 2^16, and its quotient is the difference of the
 * two high halves because the low halves agree. b_qinv = b q^-1 mod 2^16
 * is precomputed by the callers' tables (or derived here for constants). */
static inline int16_t mlkem_fqmul_pre(int16_t a, int16_t b, int16_t b_qinv)
{
    int16_t t = mlkem_mullo(a, b_qinv);
    return (int16_t)(mlkem_mulhi(a, b) - mlkem_mulhi(t, MLKEM_Q));
}

static inline int16_t mlkem_fqmul(int16_t a, int16_t b)
{
    return mlkem_fqmul_pre(a, b, mlkem_mullo(b, (int16_t)MLKEM_QINV));
}

/* FIPS 203 Algorithm 9, NTT. In place, output in bit-reversed order.
 * Input |c| < q; output |c| < 8q (one q per layer, unreduced). */
void mlkem_poly_ntt(mlkem_poly *p);

/* FIPS 203 Algorithm 10, NTT^-1, multiplied in addition by the Montgomery
 * factor 2^16 (which cancels the 2^-16 left by mlkem_poly_basemul_acc).
 * Input |c| < q; output |c| < q. */
void mlkem_poly_invntt_tomont(mlkem_poly *p);

/* Canonical representatives: any int16 input; output in [0, q). */
void mlkem_poly_reduce(mlkem_poly *p);

/* Multiplies every coefficient by 2^16 (Montgomery form) mod q.
 * Any int16 input; output |c| < q. */
void mlkem_poly_tomont(mlkem_poly *p);

/* r += a. |r| + |a| must stay below 2^15 (callers state why). */
void mlkem_poly_add(mlkem_poly *r, const mlkem_poly *a);
/* r -= a. |r| + |a| must stay below 2^15. */
void mlkem_poly_sub(mlkem_poly *r, const mlkem_poly *a);

/* Fills the mulcache of b. Input b in [0, q) (NTT domain); output |c| < q. */
void mlkem_poly_mulcache_compute(mlkem_poly_mulcache *cache, const mlkem_poly *b);

/* FIPS 203 Algorithms 11 and 12 (MultiplyNTTs / BaseCaseMultiply) without
 * the final reduction: acc += a ∘ b as unreduced int32 products.
 * a in [0, q), b in [0, q), cache = mulcache of b (|c| < q); every call adds
 * less than 2 q^2 in absolute value to each accumulator entry. */
void mlkem_poly_basemul_acc(int32_t acc[MLKEM_N], const mlkem_poly *a, const mlkem_poly *b,
                            const mlkem_poly_mulcache *cache);

/* Ends a dot product: r = acc · 2^-16 mod q. Input |acc| < 2^15 q (true for
 * up to 4 basemul_acc calls: 8 q^2 < 2^15 q); output |c| < q. */
void mlkem_poly_from_acc(mlkem_poly *r, const int32_t acc[MLKEM_N]);

#endif
