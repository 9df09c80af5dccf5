/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arch.h — the AVX2 versions of ML-KEM's hot functions (avx2.c) and the
 * run-time choice between them and the portable C of poly.c, sampling.c
 * and compress.c.
 *
 * mlkem_use_avx2() is true when the code was built with the x86 paths (not
 * cmake -DQTPM_PORTABLE=ON), the CPU and OS support AVX2 (cpuid and xgetbv
 * through __builtin_cpu_supports) and the scalar path has not been forced.
 * Forcing exists so the vector tests and the constant-time test can run
 * both paths on one machine: set QTPM_MLKEM_FORCE_SCALAR=1 in the
 * environment (read once, at the first call) or call
 * mlkem_arch_force_scalar() before any ML-KEM operation. The choice is
 * cached in one relaxed atomic int; every thread computes the same value.
 *
 * Each AVX2 function computes exactly the values of its portable
 * counterpart (same reductions at the same places), so the two are
 * compared bit for bit by tests/unit/test_mlkem.c.
 */
#ifndef QTPM_MLKEM_ARCH_H
#define QTPM_MLKEM_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "poly.h"

#if defined(__x86_64__) && !defined(QTPM_PORTABLE_ONLY)
#define MLKEM_HAVE_AVX2_CODE 1
#endif

/* 1 when the dispatching functions take the AVX2 path. */
int mlkem_use_avx2(void);
/* on = 1 forces the portable path from now on, 0 returns to the CPU's best
 * (or to the portable path again when QTPM_MLKEM_FORCE_SCALAR is set). For
 * tests. Safe at any time: both paths compute the same values, so an
 * operation that sees the switch half-way still gives the right result. */
void mlkem_arch_force_scalar(int on);

#ifdef MLKEM_HAVE_AVX2_CODE
/* Same contracts (bounds, results) as the portable functions of poly.h. */
void mlkem_ntt_avx2(mlkem_poly *p);
void mlkem_invntt_tomont_avx2(mlkem_poly *p);
void mlkem_poly_reduce_avx2(mlkem_poly *p);
void mlkem_poly_tomont_avx2(mlkem_poly *p);
void mlkem_basemul_acc_avx2(int32_t acc[MLKEM_N], const mlkem_poly *a, const mlkem_poly *b,
                            const mlkem_poly_mulcache *cache);
void mlkem_poly_from_acc_avx2(mlkem_poly *r, const int32_t acc[MLKEM_N]);
/* SamplePolyCBD_2 of 128 PRF bytes (sampling.c's cbd2): |c| <= 2. */
void mlkem_cbd2_avx2(mlkem_poly *p, const uint8_t buf[2 * MLKEM_N / 4]);
/* ByteDecode_12 followed by one conditional subtraction of q, as
 * mlkem_poly_frombytes: output in [0, q). */
void mlkem_poly_frombytes_avx2(mlkem_poly *p, const uint8_t a[MLKEM_POLYBYTES]);
/* The rejection step of SampleNTT (FIPS 203 Algorithm 7) over public bytes:
 * parses buf from *pos, 24 bytes (16 candidates) at a time while at least
 * 32 bytes are readable and 16 slots free, appends the candidates below q to
 * r[ctr..] and returns the new count; *pos is where the caller's scalar
 * loop must continue. */
unsigned mlkem_rej_uniform_avx2(int16_t *r, unsigned ctr, const uint8_t *buf, size_t len,
                                size_t *pos);
#endif

#endif
