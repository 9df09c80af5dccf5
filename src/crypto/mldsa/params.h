/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * params.h — the constants of ML-DSA (FIPS 204, §4 Table 1 and Table 2) and the
 * private interface shared by the files of src/crypto/mldsa/.
 *
 * One library serves all three parameter sets, so the set-dependent values
 * (k, l, η, τ, β, γ1, γ2, ω, λ) live in a small table looked up at run time;
 * buffers are sized for the largest set (ML-DSA-87: k = 8, l = 7). The layout
 * of the folder follows the standard: poly.c (Z_q[X]/(X^256+1) and its NTT),
 * polyvec.c (vectors and the matrix product), rounding.c (§7.4), sampling.c
 * (§7.3), packing.c (§7.1-7.2) and sign.c (§5-6, the algorithms themselves).
 *
 * Bounds: every arithmetic function states the range of its inputs and
 * outputs; with QTPM_DEBUG_BOUNDS defined those statements are asserted.
 */
#ifndef QTPM_MLDSA_PARAMS_H
#define QTPM_MLDSA_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/mldsa.h"

#define MLDSA_N 256
#define MLDSA_Q 8380417
#define MLDSA_D 13                 /* dropped bits of t (Table 1) */
#define MLDSA_KMAX 8
#define MLDSA_LMAX 7
#define MLDSA_SEEDBYTES 32         /* ξ, ρ, K, rnd */
#define MLDSA_CRHBYTES 64          /* ρ', ρ'', μ */
#define MLDSA_TRBYTES 64           /* tr = H(pk, 64) (FIPS 204 final) */
#define MLDSA_CTILDE_MAX 64        /* λ/4 for ML-DSA-87 */
#define MLDSA_POLYT1_BYTES 320     /* 256 × 10 bits */
#define MLDSA_POLYT0_BYTES 416     /* 256 × 13 bits */

typedef struct {
    unsigned k, l;          /* rows and columns of A */
    unsigned eta;           /* secret coefficient bound η */
    unsigned tau;           /* number of ±1 in c */
    unsigned beta;          /* τ·η */
    int32_t gamma1;         /* y coefficient range */
    int32_t gamma2;         /* low-order rounding range */
    unsigned omega;         /* maximum number of hint ones */
    unsigned ctilde_bytes;  /* λ/4 */
    unsigned poly_eta_bytes, poly_z_bytes, poly_w1_bytes;
    size_t pk_bytes, sk_bytes, sig_bytes;
} mldsa_params;

/* NULL for an unknown set. */
const mldsa_params *mldsa_params_get(qtpm_mldsa_set set);

#ifdef QTPM_DEBUG_BOUNDS
#include <assert.h>
#include <stdlib.h>
/* Asserts |a[i]| < bound for i < n (bound exclusive). */
#define MLDSA_ASSERT_ABS_BOUND(a, n, bound)                                       \
    do {                                                                           \
        for (size_t bnd_i_ = 0; bnd_i_ < (size_t)(n); bnd_i_++)                    \
            assert((int64_t)llabs((long long)(a)[bnd_i_]) < (int64_t)(bound));     \
    } while (0)
/* Asserts lo <= a[i] < hi. */
#define MLDSA_ASSERT_BOUND(a, n, lo, hi)                                           \
    do {                                                                           \
        for (size_t bnd_i_ = 0; bnd_i_ < (size_t)(n); bnd_i_++)                    \
            assert((int64_t)(a)[bnd_i_] >= (int64_t)(lo) &&                       \
                   (int64_t)(a)[bnd_i_] < (int64_t)(hi));                          \
    } while (0)
#else
#define MLDSA_ASSERT_ABS_BOUND(a, n, bound) do { } while (0)
#define MLDSA_ASSERT_BOUND(a, n, lo, hi) do { } while (0)
#endif

#endif
