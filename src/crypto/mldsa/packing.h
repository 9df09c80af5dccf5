/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * packing.h — byte encodings of FIPS 204 §7.1-7.2: keys (pkEncode/pkDecode,
 * skEncode/skDecode), signatures (sigEncode/sigDecode with HintBitPack and
 * HintBitUnpack) and w1Encode.
 */
#ifndef QTPM_MLDSA_PACKING_H
#define QTPM_MLDSA_PACKING_H

#include <stdint.h>

#include "params.h"
#include "poly.h"

/* FIPS 204 Algorithm 22, pkEncode(ρ, t1): t1 in [0, 2^10). */
void mldsa_pack_pk(uint8_t *pk, const uint8_t rho[MLDSA_SEEDBYTES], const mldsa_poly *t1,
                   const mldsa_params *p);
/* FIPS 204 Algorithm 23, pkDecode: t1 in [0, 2^10) out. Row i only. */
void mldsa_unpack_pk_t1(mldsa_poly *t1, const uint8_t *pk, unsigned i);

/* FIPS 204 Algorithm 24, skEncode(ρ, K, tr, s1, s2, t0): s in [-η, η],
 * t0 in (-2^12, 2^12]. */
void mldsa_pack_sk(uint8_t *sk, const uint8_t rho[MLDSA_SEEDBYTES],
                   const uint8_t key[MLDSA_SEEDBYTES], const uint8_t tr[MLDSA_TRBYTES],
                   const mldsa_poly *s1, const mldsa_poly *s2, const mldsa_poly *t0,
                   const mldsa_params *p);
/* One polynomial of s1 (i < l) or s2 (l <= i < l + k) of an encoded sk;
 * returns 0, or -1 when a coefficient is outside [-η, η] (the encoding has
 * room for values FIPS 204 Algorithm 25 could never produce). The range test
 * is accumulated without early exit. Output in [-η, η] when 0 is returned. */
int mldsa_unpack_sk_s(mldsa_poly *s, const uint8_t *sk, unsigned i, const mldsa_params *p);
/* Polynomial i of t0 of an encoded sk; output in (-2^12, 2^12]. */
void mldsa_unpack_sk_t0(mldsa_poly *t0, const uint8_t *sk, unsigned i, const mldsa_params *p);

/* BitPack(z, γ1-1, γ1) and its inverse (FIPS 204 Algorithms 17, 19).
 * z in (-γ1, γ1]. */
void mldsa_polyz_pack(uint8_t *out, const mldsa_poly *z, int32_t gamma1);
void mldsa_polyz_unpack(mldsa_poly *z, const uint8_t *in, int32_t gamma1);

/* SimpleBitPack(w1, (q-1)/(2γ2) - 1), one polynomial of w1Encode (Alg. 28). */
void mldsa_polyw1_pack(uint8_t *out, const uint8_t w1[MLDSA_N], int32_t gamma2);

/* FIPS 204 Algorithm 20 (HintBitPack) into y[ω + k]; h has at most ω ones. */
void mldsa_pack_hint(uint8_t *y, const uint8_t h[][MLDSA_N], const mldsa_params *p);
/* FIPS 204 Algorithm 21 (HintBitUnpack): -1 when y is malformed (counts
 * decreasing or above ω, indices not strictly increasing within a row, or
 * non-zero padding), else 0 with h_i in {0, 1}. */
int mldsa_unpack_hint(uint8_t h[][MLDSA_N], const uint8_t *y, const mldsa_params *p);

#endif
