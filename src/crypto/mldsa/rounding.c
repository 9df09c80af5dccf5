/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rounding.c — FIPS 204 §7.4: splitting a coefficient into high and low
 * parts (Power2Round for t, Decompose for w) and the hint bits that let the
 * verifier recover HighBits(w) from public data.
 *
 * Decompose divides by the constant 2γ2; with γ2 fixed per call site the
 * compiler turns the division into a multiply-and-shift, so the code stays
 * constant time (no hardware divide, whose latency depends on the operand).
 */
#include "rounding.h"

#define GAMMA2_88 ((MLDSA_Q - 1) / 88) /* ML-DSA-44 */
#define GAMMA2_32 ((MLDSA_Q - 1) / 32) /* ML-DSA-65 and -87 */

void mldsa_poly_power2round(mldsa_poly *a1, mldsa_poly *a0, const mldsa_poly *a)
{
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, MLDSA_Q);
    for (unsigned i = 0; i < MLDSA_N; i++) {
        int32_t r = a->coeffs[i];
        /* r1 = ceil-ish (r - r0)/2^13 with r0 = r mod± 2^13 in (-2^12, 2^12]. */
        int32_t r1 = (r + (1 << (MLDSA_D - 1)) - 1) >> MLDSA_D;
        a1->coeffs[i] = r1;
        a0->coeffs[i] = r - (r1 << MLDSA_D);
    }
    MLDSA_ASSERT_BOUND(a1->coeffs, MLDSA_N, 0, 1 << 10);
    MLDSA_ASSERT_BOUND(a0->coeffs, MLDSA_N, -(1 << 12) + 1, (1 << 12) + 1);
}

/* Algorithm 36 for one coefficient r in [0, q). r1 = floor((r + γ2 - 1)/(2γ2))
 * is the quotient that leaves r0 = r - r1·2γ2 in (-γ2, γ2]; the top quotient
 * (q-1)/(2γ2) marks r - r0 = q - 1 and is folded to r1 = 0, r0 - 1. */
static inline int32_t decompose_88(int32_t r, int32_t *r0)
{
    uint32_t r1 = ((uint32_t)r + GAMMA2_88 - 1) / (2 * GAMMA2_88);
    int32_t low = r - (int32_t)r1 * 2 * GAMMA2_88;
    int32_t wrap = ((int32_t)43 - (int32_t)r1) >> 31; /* -1 iff r1 == 44 */
    *r0 = low + wrap;
    return (int32_t)r1 & ~wrap;
}

static inline int32_t decompose_32(int32_t r, int32_t *r0)
{
    uint32_t r1 = ((uint32_t)r + GAMMA2_32 - 1) / (2 * GAMMA2_32);
    int32_t low = r - (int32_t)r1 * 2 * GAMMA2_32;
    int32_t wrap = ((int32_t)15 - (int32_t)r1) >> 31; /* -1 iff r1 == 16 */
    *r0 = low + wrap;
    return (int32_t)r1 & ~wrap;
}

void mldsa_poly_decompose(uint8_t a1[MLDSA_N], mldsa_poly *a0, const mldsa_poly *a,
                          int32_t gamma2)
{
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, MLDSA_Q);
    if (gamma2 == GAMMA2_88) {
        for (unsigned i = 0; i < MLDSA_N; i++)
            a1[i] = (uint8_t)decompose_88(a->coeffs[i], &a0->coeffs[i]);
    } else {
        for (unsigned i = 0; i < MLDSA_N; i++)
            a1[i] = (uint8_t)decompose_32(a->coeffs[i], &a0->coeffs[i]);
    }
    MLDSA_ASSERT_ABS_BOUND(a0->coeffs, MLDSA_N, gamma2 + 1);
}

unsigned mldsa_poly_make_hint(uint8_t h_a1[MLDSA_N], const mldsa_poly *a0, int32_t gamma2)
{
    /* With r = w1·2γ2 + a0, HighBits(r) differs from w1 exactly when a0 lies
     * outside (-γ2, γ2], except a0 = -γ2 with w1 = 0, where Decompose's
     * wrap-around gives high bits 0 again (FIPS 204 Algorithms 36 and 39). */
    unsigned count = 0;
    MLDSA_ASSERT_ABS_BOUND(a0->coeffs, MLDSA_N, MLDSA_Q);
    for (unsigned i = 0; i < MLDSA_N; i++) {
        int32_t c = a0->coeffs[i];
        uint32_t above = (uint32_t)(gamma2 - c) >> 31;        /* c > γ2 */
        uint32_t below = (uint32_t)(c + gamma2) >> 31;        /* c < -γ2 */
        uint32_t eq = 1u ^ (((uint32_t)(c + gamma2) | (uint32_t)-(c + gamma2)) >> 31);
        uint32_t nz = ((uint32_t)h_a1[i] | (uint32_t)-(int32_t)h_a1[i]) >> 31;
        uint32_t h = above | below | (eq & nz);
        h_a1[i] = (uint8_t)h;
        count += h;
    }
    return count;
}

void mldsa_poly_use_hint(mldsa_poly *out, const mldsa_poly *a, const uint8_t h[MLDSA_N],
                         int32_t gamma2)
{
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, MLDSA_Q);
    for (unsigned i = 0; i < MLDSA_N; i++) {
        int32_t r0, r1, m;
        if (gamma2 == GAMMA2_88) {
            r1 = decompose_88(a->coeffs[i], &r0);
            m = 44;
        } else {
            r1 = decompose_32(a->coeffs[i], &r0);
            m = 16;
        }
        /* h = 1: step r1 up when r0 > 0, down otherwise, modulo m. */
        int32_t hm = -(int32_t)h[i];
        int32_t up = (-r0) >> 31; /* -1 iff r0 > 0 */
        int32_t step = hm & ((up & 1) | (~up & -1));
        r1 += step;
        r1 += (r1 >> 31) & m;         /* -1 -> m - 1 */
        r1 -= ((m - 1 - r1) >> 31) & m; /* m -> 0 */
        out->coeffs[i] = r1;
    }
}
