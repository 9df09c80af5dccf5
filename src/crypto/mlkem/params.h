/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * params.h — the constants of ML-KEM (FIPS 203 §8, Table 2) and the small
 * per-parameter-set record every other file of this folder is driven by.
 *
 * The code is written once for all three sets: k, η1, du and dv are run-time
 * values taken from a mlkem_params, while the ring constants (n = 256,
 * q = 3329) are compile-time. Fixed-size buffers are sized for the largest
 * set (k = 4), so nothing here needs the heap.
 */
#ifndef QTPM_MLKEM_PARAMS_H
#define QTPM_MLKEM_PARAMS_H

#include <stddef.h>

#include "qtpm/mlkem.h"

#define MLKEM_N 256          /* degree of the ring R_q = Z_q[X]/(X^256 + 1) */
#define MLKEM_Q 3329         /* the prime modulus q = 13 * 2^8 + 1 */
#define MLKEM_K_MAX 4        /* largest module rank (ML-KEM-1024) */
#define MLKEM_SYMBYTES 32    /* size of seeds, messages, hashes and shared keys */
#define MLKEM_POLYBYTES 384  /* ByteEncode_12 of one polynomial */
#define MLKEM_ETA2 2         /* η2 is 2 for every set */

typedef struct {
    unsigned k;          /* module rank */
    unsigned eta1;       /* CBD parameter of s, e (keygen) and r (encrypt) */
    unsigned du, dv;     /* compression widths of the ciphertext parts u and v */
    size_t ek_bytes;     /* 384k + 32 */
    size_t dk_bytes;     /* 768k + 96 */
    size_t ct_bytes;     /* 32(du k + dv) */
    size_t pke_dk_bytes; /* 384k: ByteEncode_12(ŝ) */
    size_t ct_u_bytes;   /* 32 du k */
} mlkem_params;

/* The record of a set, or NULL for an unknown set. */
const mlkem_params *mlkem_params_of(qtpm_mlkem_set set);

#endif
