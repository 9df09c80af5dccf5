/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * packing.c — FIPS 204 §7.1-7.2: how ML-DSA's keys and signatures become
 * bytes. Every field is a sequence of 256 fixed-width little-endian bit
 * strings (SimpleBitPack: the value itself; BitPack: b minus the value), so
 * one pair of bit-stream helpers serves all widths (4 to 20 bits).
 *
 * The bit-stream loops depend only on the width, never on the values, so
 * packing secret polynomials (s1, s2, t0, y) is constant time.
 */
#include <string.h>

#include "packing.h"

/* Writes 256 values of `bits` bits: u_i = b + sign·c_i (sign = +1 for
 * SimpleBitPack with b = 0, -1 for BitPack(·, a, b)). */
static void pack_bits(uint8_t *out, const int32_t *c, unsigned bits, int32_t b, int32_t sign)
{
    uint64_t acc = 0;
    unsigned nacc = 0;
    const uint32_t mask = (1u << bits) - 1;
    for (unsigned i = 0; i < MLDSA_N; i++) {
        uint32_t u = (uint32_t)(b + sign * c[i]) & mask;
        acc |= (uint64_t)u << nacc;
        nacc += bits;
        while (nacc >= 8) {
            *out++ = (uint8_t)acc;
            acc >>= 8;
            nacc -= 8;
        }
    }
}

/* Reads 256 values of `bits` bits and returns c_i = b - u_i (BitUnpack) or
 * c_i = u_i when b = 0 and sign = +1 (SimpleBitUnpack). */
static void unpack_bits(int32_t *c, const uint8_t *in, unsigned bits, int32_t b, int32_t sign)
{
    /* z and ExpandMask's y (18 or 20 bits, FIPS 204 Algorithms 34 and 27)
     * are the hot cases: whole groups of bytes at a time, no inner loop. */
    if (bits == 18) { /* 4 values in 9 bytes */
        for (unsigned i = 0; i < MLDSA_N; i += 4, in += 9) {
            uint64_t v = 0;
            for (unsigned j = 0; j < 8; j++)
                v |= (uint64_t)in[j] << (8 * j);
            c[i] = sign * ((int32_t)(v & 0x3FFFF) - b);
            c[i + 1] = sign * ((int32_t)((v >> 18) & 0x3FFFF) - b);
            c[i + 2] = sign * ((int32_t)((v >> 36) & 0x3FFFF) - b);
            c[i + 3] = sign * ((int32_t)(((v >> 54) | (uint64_t)in[8] << 10) & 0x3FFFF) - b);
        }
        return;
    }
    if (bits == 20) { /* 2 values in 5 bytes */
        for (unsigned i = 0; i < MLDSA_N; i += 2, in += 5) {
            uint64_t v = 0;
            for (unsigned j = 0; j < 5; j++)
                v |= (uint64_t)in[j] << (8 * j);
            c[i] = sign * ((int32_t)(v & 0xFFFFF) - b);
            c[i + 1] = sign * ((int32_t)(v >> 20) - b);
        }
        return;
    }
    uint64_t acc = 0;
    unsigned nacc = 0;
    const uint32_t mask = (1u << bits) - 1;
    for (unsigned i = 0; i < MLDSA_N; i++) {
        while (nacc < bits) {
            acc |= (uint64_t)*in++ << nacc;
            nacc += 8;
        }
        int32_t u = (int32_t)(acc & mask);
        acc >>= bits;
        nacc -= bits;
        c[i] = sign * (u - b);
    }
}

static unsigned eta_bits(unsigned eta)
{
    return eta == 2 ? 3 : 4;
}

void mldsa_pack_pk(uint8_t *pk, const uint8_t rho[MLDSA_SEEDBYTES], const mldsa_poly *t1,
                   const mldsa_params *p)
{
    memcpy(pk, rho, MLDSA_SEEDBYTES);
    for (unsigned i = 0; i < p->k; i++) {
        MLDSA_ASSERT_BOUND(t1[i].coeffs, MLDSA_N, 0, 1 << 10);
        pack_bits(pk + MLDSA_SEEDBYTES + i * MLDSA_POLYT1_BYTES, t1[i].coeffs, 10, 0, 1);
    }
}

void mldsa_unpack_pk_t1(mldsa_poly *t1, const uint8_t *pk, unsigned i)
{
    unpack_bits(t1->coeffs, pk + MLDSA_SEEDBYTES + i * MLDSA_POLYT1_BYTES, 10, 0, 1);
}

/* Offsets inside skEncode: ρ ‖ K ‖ tr ‖ s1 (l polys) ‖ s2 (k polys) ‖ t0. */
#define SK_S_OFFSET (2 * MLDSA_SEEDBYTES + MLDSA_TRBYTES)

void mldsa_pack_sk(uint8_t *sk, const uint8_t rho[MLDSA_SEEDBYTES],
                   const uint8_t key[MLDSA_SEEDBYTES], const uint8_t tr[MLDSA_TRBYTES],
                   const mldsa_poly *s1, const mldsa_poly *s2, const mldsa_poly *t0,
                   const mldsa_params *p)
{
    const unsigned eb = eta_bits(p->eta);
    uint8_t *o = sk;
    memcpy(o, rho, MLDSA_SEEDBYTES);
    o += MLDSA_SEEDBYTES;
    memcpy(o, key, MLDSA_SEEDBYTES);
    o += MLDSA_SEEDBYTES;
    memcpy(o, tr, MLDSA_TRBYTES);
    o += MLDSA_TRBYTES;
    for (unsigned i = 0; i < p->l; i++, o += p->poly_eta_bytes) {
        MLDSA_ASSERT_ABS_BOUND(s1[i].coeffs, MLDSA_N, p->eta + 1);
        pack_bits(o, s1[i].coeffs, eb, (int32_t)p->eta, -1);
    }
    for (unsigned i = 0; i < p->k; i++, o += p->poly_eta_bytes) {
        MLDSA_ASSERT_ABS_BOUND(s2[i].coeffs, MLDSA_N, p->eta + 1);
        pack_bits(o, s2[i].coeffs, eb, (int32_t)p->eta, -1);
    }
    for (unsigned i = 0; i < p->k; i++, o += MLDSA_POLYT0_BYTES) {
        MLDSA_ASSERT_BOUND(t0[i].coeffs, MLDSA_N, -(1 << 12) + 1, (1 << 12) + 1);
        pack_bits(o, t0[i].coeffs, MLDSA_D, 1 << (MLDSA_D - 1), -1);
    }
}

int mldsa_unpack_sk_s(mldsa_poly *s, const uint8_t *sk, unsigned i, const mldsa_params *p)
{
    const int32_t eta = (int32_t)p->eta;
    uint32_t bad = 0;
    unpack_bits(s->coeffs, sk + SK_S_OFFSET + i * p->poly_eta_bytes, eta_bits(p->eta), eta,
                -1);
    /* Encoded u = η - s lies in [0, 2η] for a valid key, i.e. s >= -η; s <= η
     * always holds since u >= 0. */
    for (unsigned j = 0; j < MLDSA_N; j++)
        bad |= (uint32_t)(s->coeffs[j] + eta);
    return -(int)(bad >> 31);
}

void mldsa_unpack_sk_t0(mldsa_poly *t0, const uint8_t *sk, unsigned i, const mldsa_params *p)
{
    size_t off = SK_S_OFFSET + (p->l + p->k) * p->poly_eta_bytes + i * MLDSA_POLYT0_BYTES;
    unpack_bits(t0->coeffs, sk + off, MLDSA_D, 1 << (MLDSA_D - 1), -1);
}

void mldsa_polyz_pack(uint8_t *out, const mldsa_poly *z, int32_t gamma1)
{
    MLDSA_ASSERT_ABS_BOUND(z->coeffs, MLDSA_N, gamma1 + 1);
    pack_bits(out, z->coeffs, gamma1 == (1 << 17) ? 18 : 20, gamma1, -1);
}

void mldsa_polyz_unpack(mldsa_poly *z, const uint8_t *in, int32_t gamma1)
{
    unpack_bits(z->coeffs, in, gamma1 == (1 << 17) ? 18 : 20, gamma1, -1);
    MLDSA_ASSERT_ABS_BOUND(z->coeffs, MLDSA_N, gamma1 + 1);
}

void mldsa_polyw1_pack(uint8_t *out, const uint8_t w1[MLDSA_N], int32_t gamma2)
{
    if (gamma2 == (MLDSA_Q - 1) / 88) {
        /* 6 bits, 4 values in 3 bytes */
        for (unsigned i = 0; i < MLDSA_N; i += 4, out += 3) {
            out[0] = (uint8_t)(w1[i] | w1[i + 1] << 6);
            out[1] = (uint8_t)(w1[i + 1] >> 2 | w1[i + 2] << 4);
            out[2] = (uint8_t)(w1[i + 2] >> 4 | w1[i + 3] << 2);
        }
    } else {
        /* 4 bits, 2 values per byte */
        for (unsigned i = 0; i < MLDSA_N; i += 2)
            *out++ = (uint8_t)(w1[i] | w1[i + 1] << 4);
    }
}

void mldsa_pack_hint(uint8_t *y, const uint8_t h[][MLDSA_N], const mldsa_params *p)
{
    unsigned index = 0;
    memset(y, 0, p->omega + p->k);
    for (unsigned i = 0; i < p->k; i++) {
        for (unsigned j = 0; j < MLDSA_N; j++) {
            if (h[i][j] != 0)
                y[index++] = (uint8_t)j;
        }
        y[p->omega + i] = (uint8_t)index;
    }
}

int mldsa_unpack_hint(uint8_t h[][MLDSA_N], const uint8_t *y, const mldsa_params *p)
{
    unsigned index = 0;
    for (unsigned i = 0; i < p->k; i++) {
        unsigned end = y[p->omega + i];
        memset(h[i], 0, MLDSA_N);
        if (end < index || end > p->omega)
            return -1;
        for (unsigned first = index; index < end; index++) {
            /* Line 7: positions must be strictly increasing within a row, so
             * each hint vector has exactly one encoding. */
            if (index > first && y[index - 1] >= y[index])
                return -1;
            h[i][y[index]] = 1;
        }
    }
    for (unsigned i = index; i < p->omega; i++) {
        if (y[i] != 0)
            return -1;
    }
    return 0;
}
