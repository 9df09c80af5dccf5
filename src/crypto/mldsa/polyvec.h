/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * polyvec.h — vectors of polynomials and the matrix A of ML-DSA (FIPS 204
 * §7.3 ExpandA and the matrix-vector product of Algorithms 6-8, computed as
 * NTT^-1(Â ∘ NTT(v)) per §7.5).
 */
#ifndef QTPM_MLDSA_POLYVEC_H
#define QTPM_MLDSA_POLYVEC_H

#include "params.h"
#include "poly.h"

/* NTT of n polynomials: |v| < q in, [0, 4q) out. */
void mldsa_polyvec_ntt(mldsa_poly *v, unsigned n);

/* Returns 1 if some coefficient of the n polynomials has |c| >= bound.
 * Constant time over all n·256 coefficients. */
int mldsa_polyvec_chknorm(const mldsa_poly *v, unsigned n, int32_t bound);

/* Rows i0 .. i0+nrows-1 of ExpandA (FIPS 204 Algorithm 32): rows[r][s] =
 * RejNTTPoly(ρ ‖ s ‖ i0+r) for s < l, sampled four entries at a time.
 * Output in [0, q), NTT domain. */
void mldsa_expand_a_rows(mldsa_poly rows[][MLDSA_LMAX], const uint8_t rho[MLDSA_SEEDBYTES],
                         unsigned i0, unsigned nrows, unsigned l);

/* The whole matrix, packed: mat[i·l + j] = Â[i][j] (k·l entries, row stride l), the
 * layout of the expanded signing key. */
void mldsa_expand_a_flat(mldsa_poly *mat, const uint8_t rho[MLDSA_SEEDBYTES],
                         const mldsa_params *p);

/* r = Σ_j row[j] ∘ v[j] · 2^-32 over j < l, with one Montgomery reduction
 * per coefficient (the products are summed in 64 bits first).
 * Bounds: row in [0, q), v in [0, 4q) (an NTT output) in, so the sum is
 * below 7 · q · 4q < 2^31·q; |r| < q out. */
void mldsa_matrix_row_mul(mldsa_poly *r, const mldsa_poly row[MLDSA_LMAX],
                          const mldsa_poly *v, unsigned l);

#endif
