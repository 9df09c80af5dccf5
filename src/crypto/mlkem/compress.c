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

#include "debug.h"

/* floor(t / q) for 0 <= t < 2^24: with M = ceil(2^36 / q) the error
 * t (M q - 2^36) / 2^36 stays below 1/q, too small to change the floor. */
static inline uint32_t div_q(uint32_t t)
{
    return (uint32_t)(((uint64_t)t * 20642679u) >> 36);
}

uint16_t mlkem_compress_d(uint16_t x, unsigned d)
{
    /* round(2^d x / q) = floor((2^d x + (q-1)/2) / q): q is odd, so no tie */
    uint32_t t = ((uint32_t)x << d) + (MLKEM_Q - 1) / 2;
    return (uint16_t)(div_q(t) & ((1u << d) - 1));
}

uint16_t mlkem_decompress_d(uint16_t y, unsigned d)
{
    return (uint16_t)(((uint32_t)y * MLKEM_Q + (1u << (d - 1))) >> d);
}

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

void mlkem_poly_compress(uint8_t *r, const mlkem_poly *p, unsigned d)
{
    uint16_t t[8];
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
    for (unsigned i = 0; i < MLKEM_N / 8; i++) {
        for (unsigned j = 0; j < 8; j++)
            t[j] = mlkem_compress_d((uint16_t)p->c[8 * i + j], d);
        switch (d) {
        case 4: /* 8 values -> 4 bytes */
            for (unsigned j = 0; j < 4; j++)
                r[4 * i + j] = (uint8_t)(t[2 * j] | (t[2 * j + 1] << 4));
            break;
        case 5: /* 8 values -> 5 bytes */
            r[5 * i + 0] = (uint8_t)(t[0] | (t[1] << 5));
            r[5 * i + 1] = (uint8_t)((t[1] >> 3) | (t[2] << 2) | (t[3] << 7));
            r[5 * i + 2] = (uint8_t)((t[3] >> 1) | (t[4] << 4));
            r[5 * i + 3] = (uint8_t)((t[4] >> 4) | (t[5] << 1) | (t[6] << 6));
            r[5 * i + 4] = (uint8_t)((t[6] >> 2) | (t[7] << 3));
            break;
        case 10: /* 8 values -> 10 bytes, as two groups of 4 -> 5 */
            for (unsigned h = 0; h < 2; h++) {
                const uint16_t *u = t + 4 * h;
                uint8_t *o = r + 10 * i + 5 * h;
                o[0] = (uint8_t)u[0];
                o[1] = (uint8_t)((u[0] >> 8) | (u[1] << 2));
                o[2] = (uint8_t)((u[1] >> 6) | (u[2] << 4));
                o[3] = (uint8_t)((u[2] >> 4) | (u[3] << 6));
                o[4] = (uint8_t)(u[3] >> 2);
            }
            break;
        default: /* 11: 8 values -> 11 bytes */
            r[11 * i + 0] = (uint8_t)t[0];
            r[11 * i + 1] = (uint8_t)((t[0] >> 8) | (t[1] << 3));
            r[11 * i + 2] = (uint8_t)((t[1] >> 5) | (t[2] << 6));
            r[11 * i + 3] = (uint8_t)(t[2] >> 2);
            r[11 * i + 4] = (uint8_t)((t[2] >> 10) | (t[3] << 1));
            r[11 * i + 5] = (uint8_t)((t[3] >> 7) | (t[4] << 4));
            r[11 * i + 6] = (uint8_t)((t[4] >> 4) | (t[5] << 7));
            r[11 * i + 7] = (uint8_t)(t[5] >> 1);
            r[11 * i + 8] = (uint8_t)((t[5] >> 9) | (t[6] << 2));
            r[11 * i + 9] = (uint8_t)((t[6] >> 6) | (t[7] << 5));
            r[11 * i + 10] = (uint8_t)(t[7] >> 3);
            break;
        }
    }
}

void mlkem_poly_decompress(mlkem_poly *p, const uint8_t *a, unsigned d)
{
    uint16_t t[8];
    for (unsigned i = 0; i < MLKEM_N / 8; i++) {
        switch (d) {
        case 4:
            for (unsigned j = 0; j < 4; j++) {
                t[2 * j] = a[4 * i + j] & 0x0F;
                t[2 * j + 1] = a[4 * i + j] >> 4;
            }
            break;
        case 5: {
            const uint8_t *b = a + 5 * i;
            t[0] = b[0] & 0x1F;
            t[1] = (uint16_t)(((b[0] >> 5) | (b[1] << 3)) & 0x1F);
            t[2] = (b[1] >> 2) & 0x1F;
            t[3] = (uint16_t)(((b[1] >> 7) | (b[2] << 1)) & 0x1F);
            t[4] = (uint16_t)(((b[2] >> 4) | (b[3] << 4)) & 0x1F);
            t[5] = (b[3] >> 1) & 0x1F;
            t[6] = (uint16_t)(((b[3] >> 6) | (b[4] << 2)) & 0x1F);
            t[7] = b[4] >> 3;
            break;
        }
        case 10:
            for (unsigned h = 0; h < 2; h++) {
                const uint8_t *b = a + 10 * i + 5 * h;
                uint16_t *u = t + 4 * h;
                u[0] = (uint16_t)((b[0] | (b[1] << 8)) & 0x3FF);
                u[1] = (uint16_t)(((b[1] >> 2) | (b[2] << 6)) & 0x3FF);
                u[2] = (uint16_t)(((b[2] >> 4) | (b[3] << 4)) & 0x3FF);
                u[3] = (uint16_t)(((b[3] >> 6) | (b[4] << 2)) & 0x3FF);
            }
            break;
        default: { /* 11 */
            const uint8_t *b = a + 11 * i;
            t[0] = (uint16_t)((b[0] | (b[1] << 8)) & 0x7FF);
            t[1] = (uint16_t)(((b[1] >> 3) | (b[2] << 5)) & 0x7FF);
            t[2] = (uint16_t)(((b[2] >> 6) | (b[3] << 2) | (b[4] << 10)) & 0x7FF);
            t[3] = (uint16_t)(((b[4] >> 1) | (b[5] << 7)) & 0x7FF);
            t[4] = (uint16_t)(((b[5] >> 4) | (b[6] << 4)) & 0x7FF);
            t[5] = (uint16_t)(((b[6] >> 7) | (b[7] << 1) | (b[8] << 9)) & 0x7FF);
            t[6] = (uint16_t)(((b[8] >> 2) | (b[9] << 6)) & 0x7FF);
            t[7] = (uint16_t)(((b[9] >> 5) | (b[10] << 3)) & 0x7FF);
            break;
        }
        }
        for (unsigned j = 0; j < 8; j++)
            p->c[8 * i + j] = (int16_t)mlkem_decompress_d(t[j], d);
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
            byte |= (uint8_t)(mlkem_compress_d((uint16_t)p->c[8 * i + j], 1) << j);
        m[i] = byte;
    }
}
