/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sampling.h — turning hash output into polynomials: SampleNTT (FIPS 203
 * Algorithm 7), uniform polynomials of the matrix Â, and SamplePolyCBD
 * (Algorithm 8) over PRF_η (§4.1, SHAKE256), for the secret and noise
 * polynomials.
 */
#ifndef QTPM_MLKEM_SAMPLING_H
#define QTPM_MLKEM_SAMPLING_H

#include <stdint.h>

#include "poly.h"

/* FIPS 203 Algorithm 7, SampleNTT(ρ ‖ x ‖ y) with XOF = SHAKE128: the matrix
 * entry Â[y, x] of Algorithms 13/14 (which feed ρ‖j‖i for Â[i, j]).
 * Public input and output; output coefficients in [0, q). */
void mlkem_poly_sample_ntt(mlkem_poly *p, const uint8_t rho[MLKEM_SYMBYTES], uint8_t x,
                           uint8_t y);

/* SampleNTT for count (1..4) entries at once: p[i] = SampleNTT(ρ ‖ xy[i][0]
 * ‖ xy[i][1]), hashed side by side with the four-way Keccak. Public input
 * and output; output coefficients in [0, q). */
void mlkem_poly_sample_ntt_many(mlkem_poly *p, const uint8_t rho[MLKEM_SYMBYTES],
                                const uint8_t xy[][2], unsigned count);

/* SamplePolyCBD_η(PRF_η(σ, nonce)) (FIPS 203 Algorithm 8 and §4.1) for
 * η ∈ {2, 3}. Secret input and output; output |c| <= η. */
void mlkem_poly_sample_cbd(mlkem_poly *p, unsigned eta, const uint8_t sigma[MLKEM_SYMBYTES],
                           uint8_t nonce);

/* The same for count polynomials with consecutive nonces: p[i] =
 * SamplePolyCBD_eta[i](PRF_eta[i](σ, nonce0 + i)), eta[i] ∈ {2, 3}, four at a
 * time with the four-way Keccak. Secret input and output; |c| <= eta[i]. */
void mlkem_poly_sample_cbd_many(mlkem_poly *const p[], const unsigned eta[], unsigned count,
                                const uint8_t sigma[MLKEM_SYMBYTES], uint8_t nonce0);

#endif
