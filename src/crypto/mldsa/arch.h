/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arch.h — the AVX2 versions of ML-DSA's polynomial arithmetic (avx2.c) and
 * the run-time choice between them and the portable C of poly.c and
 * polyvec.c, in the manner of ML-KEM's crypto/mlkem/arch.h.
 *
 * mldsa_use_avx2() is true when the code was built with the x86 paths (not
 * cmake -DQTPM_PORTABLE=ON), the CPU and OS support AVX2 (cpuid and xgetbv
 * through __builtin_cpu_supports) and the portable path has not been
 * forced: QTPM_MLDSA_FORCE_SCALAR=1 in the environment (read at the first
 * call) or qtpm_mldsa_force_portable(1). The choice is cached in one
 * relaxed atomic int; every thread computes the same value.
 *
 * Each AVX2 function computes exactly the values of its portable
 * counterpart (the same unsigned lazy butterflies, Shoup products and
 * Montgomery reductions at the same places), so the two are compared bit
 * for bit by tests/unit/test_mldsa.c and the bounds of poly.h hold as they
 * are.
 */
#ifndef QTPM_MLDSA_ARCH_H
#define QTPM_MLDSA_ARCH_H

#include <stdint.h>

#include "poly.h"

#if defined(__x86_64__) && !defined(QTPM_PORTABLE_ONLY)
#define MLDSA_HAVE_AVX2_CODE 1
#endif

/* 1 when the dispatching functions take the AVX2 path. */
int mldsa_use_avx2(void);

/* The twiddles of poly.c: ζ^brv8(k), q - ζ^brv8(k), and their Shoup
 * companions floor(w·2^32/q). */
extern const uint32_t mldsa_zetas[MLDSA_N], mldsa_zetas_shoup[MLDSA_N];
extern const uint32_t mldsa_zetas_inv[MLDSA_N], mldsa_zetas_inv_shoup[MLDSA_N];

#ifdef MLDSA_HAVE_AVX2_CODE
/* poly.c's ntt_layer sequence on u = coeffs + q: [0, 2q) in, [0, 4q) out. */
void mldsa_ntt_avx2(uint32_t u[MLDSA_N]);
/* poly.c's invntt_scaled after its shift: u in [0, 2q), result in [-q, q). */
void mldsa_invntt_avx2(uint32_t u[MLDSA_N], uint32_t f, uint32_t fp);
/* mldsa_poly_pointwise_montgomery. */
void mldsa_pointwise_avx2(int32_t r[MLDSA_N], const int32_t a[MLDSA_N],
                          const int32_t b[MLDSA_N]);
/* mldsa_matrix_row_mul (l >= 1 terms). */
void mldsa_row_mul_avx2(int32_t r[MLDSA_N], const mldsa_poly *row, const mldsa_poly *v,
                        unsigned l);
#endif

#endif
