/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/keccak.h — Keccak-f[1600] and the FIPS 202 functions built on it:
 * SHA3-256/384/512 and SHAKE128/256, one-shot and incremental (absorb any
 * number of times, then squeeze any number of times).
 *
 * A qtpm_keccak_ctx is a plain value: no heap, no global state. Wipe it with
 * qtpm_memzero when it has absorbed secrets.
 */
#ifndef QTPM_KECCAK_H
#define QTPM_KECCAK_H

#include <stddef.h>
#include <stdint.h>

#define QTPM_SHAKE128_RATE 168
#define QTPM_SHAKE256_RATE 136
#define QTPM_SHA3_256_RATE 136
#define QTPM_SHA3_384_RATE 104
#define QTPM_SHA3_512_RATE 72

typedef struct {
    uint64_t s[25];    /* the 1600-bit state, lanes little-endian */
    unsigned pos;      /* byte position inside the current rate block */
    unsigned rate;     /* bytes per block */
    uint8_t dsep;      /* domain separation + first pad bit: 0x06 SHA-3, 0x1F SHAKE */
    uint8_t squeezing; /* 0 while absorbing, 1 after finalisation */
} qtpm_keccak_ctx;

/* The Keccak-f[1600] permutation (FIPS 202, Algorithm 7 with 24 rounds),
 * with the fastest implementation this CPU supports. */
void qtpm_keccak_f1600(uint64_t s[25]);

void qtpm_shake128_init(qtpm_keccak_ctx *c);
void qtpm_shake256_init(qtpm_keccak_ctx *c);
/* bits is 256, 384 or 512. */
void qtpm_sha3_init(qtpm_keccak_ctx *c, unsigned bits);

/* Absorbs len bytes; may be called any number of times before squeezing. */
void qtpm_keccak_absorb(qtpm_keccak_ctx *c, const uint8_t *in, size_t len);
/* Squeezes len bytes; the first call pads and finalises. May be repeated. */
void qtpm_keccak_squeeze(qtpm_keccak_ctx *c, uint8_t *out, size_t len);
/* Squeezes whole rate blocks straight from the permutation (nblocks * rate
 * bytes); only valid right after init+absorb (finalises) or after previous
 * whole-block squeezes. The fast path for rejection sampling. */
void qtpm_keccak_squeezeblocks(qtpm_keccak_ctx *c, uint8_t *out, size_t nblocks);
/* SHA-3 finish: squeezes the digest (bits/8 bytes) and wipes the context. */
void qtpm_sha3_final(qtpm_keccak_ctx *c, uint8_t *out);

/*
 * Four independent instances at once. Hashing four inputs side by side lets
 * the permutation run on 4-lane vectors; ML-KEM and ML-DSA use it for their
 * matrix and noise sampling. The four states are stored lane-interleaved:
 * lane i (0..24) of instance j (0..3) is s[4 i + j].
 */
typedef struct {
    uint64_t s[4 * 25];
    unsigned rate; /* bytes per block, the same for all four */
} qtpm_keccak_x4_ctx;

/* Keccak-f[1600] on four lane-interleaved states, with the fastest
 * implementation this CPU supports. */
void qtpm_keccak_f1600_x4(uint64_t s[4 * 25]);

/* The implementations behind qtpm_keccak_f1600 and qtpm_keccak_f1600_x4,
 * named so that tests can run each one the CPU supports: portable C (always
 * available; GNU vector extensions for four states), and on x86 AVX2 and
 * AVX-512VL. Single-state code exists for portable and AVX-512VL only; AVX2
 * runs the portable one there. */
typedef enum {
    QTPM_KECCAK_PORTABLE = 0,
    QTPM_KECCAK_AVX2 = 1,
    QTPM_KECCAK_AVX512 = 2,
} qtpm_keccak_impl;

/* 1 if impl can run on this CPU and OS, else 0. */
int qtpm_keccak_impl_available(qtpm_keccak_impl impl);
/* The implementation the dispatching functions use here. */
qtpm_keccak_impl qtpm_keccak_best_impl(void);
/* Run the given implementation; QTPM_E_PARAM (state untouched) when it is
 * not available. */
int qtpm_keccak_f1600_using(qtpm_keccak_impl impl, uint64_t s[25]);
int qtpm_keccak_f1600_x4_using(qtpm_keccak_impl impl, uint64_t s[4 * 25]);

/* Starts four SHAKE128 (SHAKE256) instances, absorbs in[j] (len bytes, the
 * same length for all) into instance j and finalises them: ready for
 * qtpm_keccak_x4_squeezeblocks. The inputs may alias each other. */
void qtpm_shake128_x4_absorb_once(qtpm_keccak_x4_ctx *c, const uint8_t *const in[4],
                                  size_t len);
void qtpm_shake256_x4_absorb_once(qtpm_keccak_x4_ctx *c, const uint8_t *const in[4],
                                  size_t len);
/* Squeezes nblocks whole blocks (nblocks * rate bytes) of each instance j
 * into out[j]; a NULL out[j] discards that instance's output. May be
 * repeated; the streams continue as with qtpm_keccak_squeezeblocks. */
void qtpm_keccak_x4_squeezeblocks(qtpm_keccak_x4_ctx *c, uint8_t *const out[4], size_t nblocks);

void qtpm_sha3_256(uint8_t out[32], const uint8_t *in, size_t len);
void qtpm_sha3_384(uint8_t out[48], const uint8_t *in, size_t len);
void qtpm_sha3_512(uint8_t out[64], const uint8_t *in, size_t len);
void qtpm_shake128(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen);
void qtpm_shake256(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen);

#endif
