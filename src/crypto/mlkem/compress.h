/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compress.h — the byte encodings of FIPS 203 §4.2.1: ByteEncode_d and
 * ByteDecode_d (Algorithms 5 and 6) combined with Compress_d and
 * Decompress_d ((4.7), (4.8)) as K-PKE uses them: d = 12 for keys, du and
 * dv for the two ciphertext parts, d = 1 for the message.
 */
#ifndef QTPM_MLKEM_COMPRESS_H
#define QTPM_MLKEM_COMPRESS_H

#include <stdint.h>

#include "poly.h"

/* ByteEncode_12. Input in [0, q); writes 384 bytes. */
void mlkem_poly_tobytes(uint8_t r[MLKEM_POLYBYTES], const mlkem_poly *p);

/* ByteDecode_12, including its reduction mod q (Algorithm 6 with m = q).
 * Output in [0, q). */
void mlkem_poly_frombytes(mlkem_poly *p, const uint8_t a[MLKEM_POLYBYTES]);

/* FIPS 203 §7.2 modulus check on one ByteEncode_12 block:
 * ByteEncode_12(ByteDecode_12(a)) == a, i.e. every 12-bit value is below q.
 * Returns 1 if it holds, 0 if not. */
int mlkem_poly_check_modulus(const uint8_t a[MLKEM_POLYBYTES]);

/* Compress_d (FIPS 203 (4.7)) of one value x in [0, q), d <= 11:
 * round(2^d x / q) mod 2^d = floor((2^d x + (q-1)/2) / q) mod 2^d (q is odd,
 * so there is no tie). A division instruction would take data-dependent time
 * on many CPUs ("KyberSlash"), so floor(t / q) for t < 2^24 is a
 * multiplication by M = ceil(2^36 / q) = 20642679: the error
 * t (M q - 2^36) / 2^36 < 1/q cannot change the floor. */
static inline uint16_t mlkem_compress_d_inline(uint16_t x, unsigned d)
{
    uint32_t t = ((uint32_t)x << d) + (MLKEM_Q - 1) / 2;
    uint32_t quot = (uint32_t)(((uint64_t)t * 20642679u) >> 36);
    return (uint16_t)(quot & ((1u << d) - 1));
}

/* Decompress_d (FIPS 203 (4.8)) of y in [0, 2^d): round(q y / 2^d), in [0, q). */
static inline uint16_t mlkem_decompress_d_inline(uint16_t y, unsigned d)
{
    return (uint16_t)(((uint32_t)y * MLKEM_Q + (1u << (d - 1))) >> d);
}

/* Out-of-line versions of the two, for tests. */
uint16_t mlkem_compress_d(uint16_t x, unsigned d);
uint16_t mlkem_decompress_d(uint16_t y, unsigned d);

/* ByteEncode_d(Compress_d(p)) for d ∈ {4, 5, 10, 11}: 32 d bytes.
 * Input in [0, q). */
void mlkem_poly_compress(uint8_t *r, const mlkem_poly *p, unsigned d);
/* Decompress_d(ByteDecode_d(a)) for d ∈ {4, 5, 10, 11}. Output in [0, q). */
void mlkem_poly_decompress(mlkem_poly *p, const uint8_t *a, unsigned d);

/* Decompress_1(ByteDecode_1(m)): the message as a polynomial, bit i giving
 * coefficient 0 or (q+1)/2. Secret; branch-free. Output in [0, q). */
void mlkem_poly_frommsg(mlkem_poly *p, const uint8_t m[MLKEM_SYMBYTES]);
/* ByteEncode_1(Compress_1(p)). Secret; branch-free. Input in [0, q). */
void mlkem_poly_tomsg(uint8_t m[MLKEM_SYMBYTES], const mlkem_poly *p);

#endif
