/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rounding.h — the rounding functions of FIPS 204 §7.4: Power2Round,
 * Decompose (HighBits/LowBits), MakeHint and UseHint, on whole polynomials.
 */
#ifndef QTPM_MLDSA_ROUNDING_H
#define QTPM_MLDSA_ROUNDING_H

#include <stdint.h>

#include "poly.h"

/* FIPS 204 Algorithm 35, Power2Round, coefficient-wise: a in [0, q) in;
 * a1 in [0, 2^10), a0 in (-2^12, 2^12] out, a = a1·2^13 + a0. */
void mldsa_poly_power2round(mldsa_poly *a1, mldsa_poly *a0, const mldsa_poly *a);

/* FIPS 204 Algorithm 36, Decompose, coefficient-wise: a in [0, q) in;
 * a1 in [0, (q-1)/(2γ2)), a0 in [-γ2, γ2] out (a0 = -γ2 only in the
 * wrap-around case r - r0 = q - 1). a1 is written as bytes (at most 43). */
void mldsa_poly_decompose(uint8_t a1[MLDSA_N], mldsa_poly *a0, const mldsa_poly *a,
                          int32_t gamma2);

/* Hints of FIPS 204 Algorithm 7 line 26, h = MakeHint(-ct0, w - cs2 + ct0),
 * computed from a0 = w0 - cs2 + ct0 and a1 = w1 (valid once the r0 check of
 * line 23 has passed, which makes w1 the high bits of w - cs2). Writes
 * h_i in {0, 1} over a1 and returns the number of ones. Constant time.
 * |a0| < q in. */
unsigned mldsa_poly_make_hint(uint8_t h_a1[MLDSA_N], const mldsa_poly *a0, int32_t gamma2);

/* FIPS 204 Algorithm 40, UseHint, coefficient-wise: a in [0, q), h in {0,1}
 * in; out in [0, (q-1)/(2γ2)) as a polynomial. Used by verification only
 * (public data), yet branch-free anyway. */
void mldsa_poly_use_hint(mldsa_poly *out, const mldsa_poly *a, const uint8_t h[MLDSA_N],
                         int32_t gamma2);

#endif
