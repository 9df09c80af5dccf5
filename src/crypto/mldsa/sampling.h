/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sampling.h — the pseudorandom sampling of FIPS 204 §7.3: RejNTTPoly and
 * ExpandA, RejBoundedPoly and ExpandS, SampleInBall, ExpandMask.
 */
#ifndef QTPM_MLDSA_SAMPLING_H
#define QTPM_MLDSA_SAMPLING_H

#include <stdint.h>

#include "poly.h"

/* FIPS 204 Algorithm 30, RejNTTPoly(ρ ‖ s ‖ r) — entry A[r][s] of ExpandA
 * (Algorithm 32). Output in [0, q), already in the NTT domain. */
void mldsa_poly_uniform(mldsa_poly *a, const uint8_t rho[MLDSA_SEEDBYTES], uint8_t s,
                        uint8_t r);

/* RejNTTPoly for count entries, four at a time: *a[i] = RejNTTPoly(ρ ‖
 * sr[i][0] ‖ sr[i][1]). Output in [0, q). */
void mldsa_poly_uniform_many(mldsa_poly *const a[], const uint8_t rho[MLDSA_SEEDBYTES],
                             const uint8_t sr[][2], unsigned count);

/* FIPS 204 Algorithm 31, RejBoundedPoly(ρ' ‖ IntegerToBytes(nonce, 2)), as
 * used by ExpandS (Algorithm 33). Output in [-η, η]. */
void mldsa_poly_uniform_eta(mldsa_poly *a, const uint8_t rhoprime[MLDSA_CRHBYTES],
                            uint16_t nonce, unsigned eta);

/* The same for count polynomials with consecutive nonces, four at a time:
 * *a[i] = RejBoundedPoly(ρ' ‖ IntegerToBytes(nonce0 + i, 2)). */
void mldsa_poly_uniform_eta_many(mldsa_poly *const a[], const uint8_t rhoprime[MLDSA_CRHBYTES],
                                 uint16_t nonce0, unsigned count, unsigned eta);

/* One polynomial of ExpandMask (FIPS 204 Algorithm 34): the bits of
 * H(ρ'' ‖ IntegerToBytes(nonce, 2)) unpacked with BitUnpack(·, γ1-1, γ1).
 * Output in (-γ1, γ1]. */
void mldsa_poly_uniform_gamma1(mldsa_poly *a, const uint8_t rhopp[MLDSA_CRHBYTES],
                               uint16_t nonce, int32_t gamma1);

/* ExpandMask's count polynomials at once (four-way Keccak): a[i] is the
 * polynomial for nonce0 + i. Output in (-γ1, γ1]. */
void mldsa_poly_uniform_gamma1_many(mldsa_poly *a, const uint8_t rhopp[MLDSA_CRHBYTES],
                                    uint16_t nonce0, unsigned count, int32_t gamma1);

/* FIPS 204 Algorithm 29, SampleInBall(c~): τ coefficients ±1, the rest 0.
 * The challenge of a rejected signing attempt is secret, so the swap of
 * line 7 is done by scanning every position with masks rather than by
 * indexing with the sampled j. */
void mldsa_poly_challenge(mldsa_poly *c, const uint8_t *ctilde, size_t ctilde_len,
                          unsigned tau);

#endif
