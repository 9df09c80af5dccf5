/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * compress.c — FIPS 203 §4.2.1: ByteEncode_d / ByteDecode_d (Algorithms 5
 * and 6) and Compress_d / Decompress_d ((4.7), (4.8)).
 *
 * Compress_d divides by q. Division instructions take data-dependent time on
 * many CPUs (the "KyberSlash" timing leak), and a compiler may emit one for
 * `/ q` at low optimisation, so the quotient is computed as a multiplication
 * by a 2^36-scaled reciprocal, exact for every dividend that occurs (< 2^24).
 * The packers are written out per width so each group of coefficients becomes
 * a fixed run of shifts and ORs.
 */
#include "compress.h"

#include "qtpm/common.h"

#include "arch.h"
#include "debug.h"

uint16_t mlkem_compress_d(uint16_t x, unsigned d) { return mlkem_compress_d_inline(x, d); }
uint16_t mlkem_decompress_d(uint16_t y, unsigned d) { return mlkem_decompress_d_inline(y, d); }

void mlkem_poly_tobytes(uint8_t r[MLKEM_POLYBYTES], const mlkem_poly *p)
{
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
    for (unsigned i = 0; i < MLKEM_N / 2; i++) {
        uint16_t a = (uint16_t)p->c[2 * i], b = (uint16_t)p->c[2 * i + 1];
        r[3 * i] = (uint8_t)a;
        r[3 * i + 1] = (uint8_t)((a >> 8) | (b << 4));
        r[3 * i + 2] = (uint8_t)(b >> 4);
    }
}

void mlkem_poly_frombytes(mlkem_poly *p, const uint8_t a[MLKEM_POLYBYTES])
{
#ifdef MLKEM_HAVE_AVX2_CODE
    if (mlkem_use_avx2()) {
        mlkem_poly_frombytes_avx2(p, a);
        return;
    }
#endif
    for (unsigned i = 0; i < MLKEM_N / 2; i++) {
        int16_t x = (int16_t)(a[3 * i] | ((a[3 * i + 1] & 0x0F) << 8));
        int16_t y = (int16_t)((a[3 * i + 1] >> 4) | (a[3 * i + 2] << 4));
        /* values are < 4096 < 2q: one conditional subtraction, as a mask */
        x = (int16_t)(x - MLKEM_Q);
        y = (int16_t)(y - MLKEM_Q);
        p->c[2 * i] = mlkem_to_unsigned(x);
        p->c[2 * i + 1] = mlkem_to_unsigned(y);
    }
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
}

int mlkem_poly_check_modulus(const uint8_t a[MLKEM_POLYBYTES])
{
    /* The encapsulation key is public, but the check is cheap to keep
     * arithmetic: collect the "too large" bit of every value. */
    uint32_t bad = 0;
    for (unsigned i = 0; i < MLKEM_N / 2; i++) {
        uint32_t x = (uint32_t)(a[3 * i] | ((a[3 * i + 1] & 0x0F) << 8));
        uint32_t y = (uint32_t)((a[3 * i + 1] >> 4) | (a[3 * i + 2] << 4));
        bad |= ((MLKEM_Q - 1) - x) >> 31; /* 1 iff x >= q */
        bad |= ((MLKEM_Q - 1) - y) >> 31;
    }
    return bad == 0;
}

/* Compress_d of all 256 coefficients into t. A separate straight loop
 * (d fixed per call site) so the compiler can vectorise it. */
static void compress_all(uint16_t t[MLKEM_N], const mlkem_poly *p, unsigned d)
{
    for (unsigned j = 0; j < MLKEM_N; j++)
        t[j] = mlkem_compress_d_inline((uint16_t)p->c[j], d);
}

void mlkem_poly_compress(uint8_t *r, const mlkem_poly *p, unsigned d)
{
    uint16_t t[MLKEM_N];
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
    switch (d) {
    case 4: /* 2 values -> 1 byte */
        compress_all(t, p, 4);
        for (unsigned i = 0; i < MLKEM_N / 2; i++)
            r[i] = (uint8_t)(t[2 * i] | (t[2 * i + 1] << 4));
        break;
    case 5: /* 8 values -> 5 bytes */
        compress_all(t, p, 5);
        for (unsigned i = 0; i < MLKEM_N / 8; i++) {
            const uint16_t *u = t + 8 * i;
            uint8_t *o = r + 5 * i;
            o[0] = (uint8_t)(u[0] | (u[1] << 5));
            o[1] = (uint8_t)((u[1] >> 3) | (u[2] << 2) | (u[3] << 7));
            o[2] = (uint8_t)((u[3] >> 1) | (u[4] << 4));
            o[3] = (uint8_t)((u[4] >> 4) | (u[5] << 1) | (u[6] << 6));
            o[4] = (uint8_t)((u[6] >> 2) | (u[7] << 3));
        }
        break;
    case 10: /* 4 values -> 5 bytes */
        compress_all(t, p, 10);
        for (unsigned i = 0; i < MLKEM_N / 4; i++) {
            const uint16_t *u = t + 4 * i;
            uint8_t *o = r + 5 * i;
            o[0] = (uint8_t)u[0];
            o[1] = (uint8_t)((u[0] >> 8) | (u[1] << 2));
            o[2] = (uint8_t)((u[1] >> 6) | (u[2] << 4));
            o[3] = (uint8_t)((u[2] >> 4) | (u[3] << 6));
            o[4] = (uint8_t)(u[3] >> 2);
        }
        break;
    default: /* 11: 8 values -> 11 bytes */
        compress_all(t, p, 11);
        for (unsigned i = 0; i < MLKEM_N / 8; i++) {
            const uint16_t *u = t + 8 * i;
            uint8_t *o = r + 11 * i;
            o[0] = (uint8_t)u[0];
            o[1] = (uint8_t)((u[0] >> 8) | (u[1] << 3));
            o[2] = (uint8_t)((u[1] >> 5) | (u[2] << 6));
            o[3] = (uint8_t)(u[2] >> 2);
            o[4] = (uint8_t)((u[2] >> 10) | (u[3] << 1));
            o[5] = (uint8_t)((u[3] >> 7) | (u[4] << 4));
            o[6] = (uint8_t)((u[4] >> 4) | (u[5] << 7));
            o[7] = (uint8_t)(u[5] >> 1);
            o[8] = (uint8_t)((u[5] >> 9) | (u[6] << 2));
            o[9] = (uint8_t)((u[6] >> 6) | (u[7] << 5));
            o[10] = (uint8_t)(u[7] >> 3);
        }
        break;
    }
    qtpm_memzero(t, sizeof(t));
}

/* Decompress_d of all 256 unpacked values, in place into p. */
static void decompress_all(mlkem_poly *p, const uint16_t t[MLKEM_N], unsigned d)
{
    for (unsigned j = 0; j < MLKEM_N; j++)
        p->c[j] = (int16_t)mlkem_decompress_d_inline(t[j], d);
}

void mlkem_poly_decompress(mlkem_poly *p, const uint8_t *a, unsigned d)
{
    uint16_t t[MLKEM_N];
    switch (d) {
    case 4:
        for (unsigned i = 0; i < MLKEM_N / 2; i++) {
            t[2 * i] = a[i] & 0x0F;
            t[2 * i + 1] = a[i] >> 4;
        }
        decompress_all(p, t, 4);
        break;
    case 5:
        for (unsigned i = 0; i < MLKEM_N / 8; i++) {
            const uint8_t *b = a + 5 * i;
            uint16_t *u = t + 8 * i;
            u[0] = b[0] & 0x1F;
            u[1] = (uint16_t)(((b[0] >> 5) | (b[1] << 3)) & 0x1F);
            u[2] = (b[1] >> 2) & 0x1F;
            u[3] = (uint16_t)(((b[1] >> 7) | (b[2] << 1)) & 0x1F);
            u[4] = (uint16_t)(((b[2] >> 4) | (b[3] << 4)) & 0x1F);
            u[5] = (b[3] >> 1) & 0x1F;
            u[6] = (uint16_t)(((b[3] >> 6) | (b[4] << 2)) & 0x1F);
            u[7] = b[4] >> 3;
        }
        decompress_all(p, t, 5);
        break;
    case 10:
        for (unsigned i = 0; i < MLKEM_N / 4; i++) {
            const uint8_t *b = a + 5 * i;
            uint16_t *u = t + 4 * i;
            u[0] = (uint16_t)((b[0] | (b[1] << 8)) & 0x3FF);
            u[1] = (uint16_t)(((b[1] >> 2) | (b[2] << 6)) & 0x3FF);
            u[2] = (uint16_t)(((b[2] >> 4) | (b[3] << 4)) & 0x3FF);
            u[3] = (uint16_t)(((b[3] >> 6) | (b[4] << 2)) & 0x3FF);
        }
        decompress_all(p, t, 10);
        break;
    default: /* 11 */
        for (unsigned i = 0; i < MLKEM_N / 8; i++) {
            const uint8_t *b = a + 11 * i;
            uint16_t *u = t + 8 * i;
            u[0] = (uint16_t)((b[0] | (b[1] << 8)) & 0x7FF);
            u[1] = (uint16_t)(((b[1] >> 3) | (b[2] << 5)) & 0x7FF);
            u[2] = (uint16_t)(((b[2] >> 6) | (b[3] << 2) | (b[4] << 10)) & 0x7FF);
            u[3] = (uint16_t)(((b[4] >> 1) | (b[5] << 7)) & 0x7FF);
            u[4] = (uint16_t)(((b[5] >> 4) | (b[6] << 4)) & 0x7FF);
            u[5] = (uint16_t)(((b[6] >> 7) | (b[7] << 1) | (b[8] << 9)) & 0x7FF);
            u[6] = (uint16_t)(((b[8] >> 2) | (b[9] << 6)) & 0x7FF);
            u[7] = (uint16_t)(((b[9] >> 5) | (b[10] << 3)) & 0x7FF);
        }
        decompress_all(p, t, 11);
        break;
    }
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
}

void mlkem_poly_frommsg(mlkem_poly *p, const uint8_t m[MLKEM_SYMBYTES])
{
    for (unsigned i = 0; i < MLKEM_SYMBYTES; i++) {
        for (unsigned j = 0; j < 8; j++) {
            /* mask is 0 or 0xFFFF from the bit, never a branch */
            uint16_t mask = (uint16_t)(0u - ((m[i] >> j) & 1u));
            p->c[8 * i + j] = (int16_t)(mask & ((MLKEM_Q + 1) / 2));
        }
    }
}

void mlkem_poly_tomsg(uint8_t m[MLKEM_SYMBYTES], const mlkem_poly *p)
{
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
    for (unsigned i = 0; i < MLKEM_SYMBYTES; i++) {
        uint8_t byte = 0;
        for (unsigned j = 0; j < 8; j++)
            byte |= (uint8_t)(mlkem_compress_d_inline((uint16_t)p->c[8 * i + j], 1) << j);
        m[i] = byte;
    }
}
