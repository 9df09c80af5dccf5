/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sampling.c — FIPS 203 Algorithms 7 (SampleNTT) and 8 (SamplePolyCBD) with
 * the XOF and PRF of §4.1.
 *
 * SampleNTT is rejection sampling on public data, so its loop may depend on
 * the bytes it reads. It squeezes three SHAKE128 blocks (504 bytes, 336
 * candidates for 256 slots with acceptance 3329/4096) before parsing, which
 * almost always suffices, and only then falls back to single blocks; squeezing
 * whole blocks avoids the byte-wise squeeze path of keccak.c.
 *
 * SamplePolyCBD handles secret data: it is branch-free bit counting, 4 or 6
 * bits per coefficient read from little-endian words.
 *
 * Both come in a batched form too, which hashes up to four independent
 * inputs with the four-way Keccak of keccak.c (qtpm_keccak_x4_*): the k^2
 * matrix entries and the 2k or 2k+1 noise polynomials of one operation are
 * independent, and four permutations side by side cost about as much as one
 * or two single ones. A batch of one falls back to the single-state code.
 */
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "sampling.h"

#include "arch.h"
#include "debug.h"

#define SAMPLE_NTT_FIRST_BLOCKS 3

/* The rejection step of Algorithm 7 (lines 5-15) over buf: each 3 bytes give
 * two 12-bit candidates, kept when below q. Returns the new count.
 * The data is public, but an unpredictable branch per candidate costs more
 * than the sampling itself, so while there is room for four more entries each
 * candidate is stored unconditionally and the count advanced by the
 * comparison result; only the last few slots take the careful path. With
 * AVX2 (arch.h) the bulk of the buffer goes through avx2.c first. */
static unsigned rej_uniform(int16_t *r, unsigned ctr, const uint8_t *buf, size_t len)
{
    size_t pos = 0;
#ifdef MLKEM_HAVE_AVX2_CODE
    /* sixteen candidates per step with AVX2; the loops below finish */
    if (mlkem_use_avx2())
        ctr = mlkem_rej_uniform_avx2(r, ctr, buf, len, &pos);
#endif
    /* 6 bytes -> 4 candidates at a time, read as one 48-bit little-endian
     * word (the compiler merges the byte loads). */
    while (ctr + 4 <= MLKEM_N && pos + 6 <= len) {
        const uint8_t *b = buf + pos;
        uint64_t w = (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 |
                     (uint64_t)b[3] << 24 | (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40;
        for (unsigned i = 0; i < 4; i++) {
            uint16_t d = (uint16_t)((w >> (12 * i)) & 0xFFF);
            r[ctr] = (int16_t)d;
            ctr += d < MLKEM_Q;
        }
        pos += 6;
    }
    for (; ctr < MLKEM_N && pos + 3 <= len; pos += 3) {
        uint16_t d1 = (uint16_t)(buf[pos] | ((uint16_t)(buf[pos + 1] & 0x0F) << 8));
        uint16_t d2 = (uint16_t)((buf[pos + 1] >> 4) | ((uint16_t)buf[pos + 2] << 4));
        if (d1 < MLKEM_Q)
            r[ctr++] = (int16_t)d1;
        if (d2 < MLKEM_Q && ctr < MLKEM_N)
            r[ctr++] = (int16_t)d2;
    }
    return ctr;
}

void mlkem_poly_sample_ntt(mlkem_poly *p, const uint8_t rho[MLKEM_SYMBYTES], uint8_t x,
                           uint8_t y)
{
    uint8_t buf[SAMPLE_NTT_FIRST_BLOCKS * QTPM_SHAKE128_RATE];
    uint8_t ext[MLKEM_SYMBYTES + 2];
    qtpm_keccak_ctx xof;

    memcpy(ext, rho, MLKEM_SYMBYTES);
    ext[MLKEM_SYMBYTES] = x;
    ext[MLKEM_SYMBYTES + 1] = y;
    qtpm_shake128_init(&xof);
    qtpm_keccak_absorb(&xof, ext, sizeof(ext));
    qtpm_keccak_squeezeblocks(&xof, buf, SAMPLE_NTT_FIRST_BLOCKS);
    unsigned ctr = rej_uniform(p->c, 0, buf, sizeof(buf));
    while (ctr < MLKEM_N) {
        qtpm_keccak_squeezeblocks(&xof, buf, 1);
        ctr = rej_uniform(p->c, ctr, buf, QTPM_SHAKE128_RATE);
    }
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
}

void mlkem_poly_sample_ntt_many(mlkem_poly *p, const uint8_t rho[MLKEM_SYMBYTES],
                                const uint8_t xy[][2], unsigned count)
{
    uint8_t buf[4][SAMPLE_NTT_FIRST_BLOCKS * QTPM_SHAKE128_RATE];
    uint8_t ext[4][MLKEM_SYMBYTES + 2];
    qtpm_keccak_x4_ctx xof;
    unsigned ctr[4] = {0, 0, 0, 0};

    if (count == 1) {
        mlkem_poly_sample_ntt(p, rho, xy[0][0], xy[0][1]);
        return;
    }
    /* Unused lanes of a short batch hash a copy of entry 0 and are ignored. */
    for (unsigned j = 0; j < 4; j++) {
        const unsigned e = j < count ? j : 0;
        memcpy(ext[j], rho, MLKEM_SYMBYTES);
        ext[j][MLKEM_SYMBYTES] = xy[e][0];
        ext[j][MLKEM_SYMBYTES + 1] = xy[e][1];
    }
    const uint8_t *const in[4] = {ext[0], ext[1], ext[2], ext[3]};
    uint8_t *const out[4] = {buf[0], buf[1], buf[2], buf[3]};
    qtpm_shake128_x4_absorb_once(&xof, in, sizeof(ext[0]));
    qtpm_keccak_x4_squeezeblocks(&xof, out, SAMPLE_NTT_FIRST_BLOCKS);
    unsigned more = 0;
    for (unsigned j = 0; j < count; j++) {
        ctr[j] = rej_uniform(p[j].c, 0, buf[j], sizeof(buf[j]));
        more |= ctr[j] < MLKEM_N;
    }
    /* Rare: some entry needs more blocks; all four streams advance together
     * (the data is public, so branching on it is fine). */
    while (more) {
        more = 0;
        qtpm_keccak_x4_squeezeblocks(&xof, out, 1);
        for (unsigned j = 0; j < count; j++) {
            if (ctr[j] < MLKEM_N)
                ctr[j] = rej_uniform(p[j].c, ctr[j], buf[j], QTPM_SHAKE128_RATE);
            more |= ctr[j] < MLKEM_N;
        }
    }
    for (unsigned j = 0; j < count; j++)
        MLKEM_ASSERT_BOUND(p[j].c, MLKEM_N, 0, MLKEM_Q);
}

static uint32_t load32_le(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint32_t load24_le(const uint8_t *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
}

/* Algorithm 8 for η = 2: coefficient i is (b[4i] + b[4i+1]) - (b[4i+2] +
 * b[4i+3]) over the bit string b. Summing adjacent bits of a 32-bit word in
 * parallel gives eight 4-bit fields, each holding the two 2-bit sums. */
static void cbd2(mlkem_poly *p, const uint8_t buf[2 * MLKEM_N / 4])
{
#ifdef MLKEM_HAVE_AVX2_CODE
    if (mlkem_use_avx2()) {
        mlkem_cbd2_avx2(p, buf);
        return;
    }
#endif
    for (unsigned i = 0; i < MLKEM_N / 8; i++) {
        uint32_t t = load32_le(buf + 4 * i);
        uint32_t d = (t & 0x55555555u) + ((t >> 1) & 0x55555555u);
        for (unsigned j = 0; j < 8; j++) {
            int16_t a = (int16_t)((d >> (4 * j)) & 3);
            int16_t b = (int16_t)((d >> (4 * j + 2)) & 3);
            p->c[8 * i + j] = (int16_t)(a - b);
        }
    }
}

/* Algorithm 8 for η = 3: six bits per coefficient, three summed against
 * three; 24-bit groups give four coefficients. */
static void cbd3(mlkem_poly *p, const uint8_t buf[3 * MLKEM_N / 4])
{
    for (unsigned i = 0; i < MLKEM_N / 4; i++) {
        uint32_t t = load24_le(buf + 3 * i);
        uint32_t d = (t & 0x00249249u) + ((t >> 1) & 0x00249249u) + ((t >> 2) & 0x00249249u);
        for (unsigned j = 0; j < 4; j++) {
            int16_t a = (int16_t)((d >> (6 * j)) & 7);
            int16_t b = (int16_t)((d >> (6 * j + 3)) & 7);
            p->c[4 * i + j] = (int16_t)(a - b);
        }
    }
}

void mlkem_poly_sample_cbd(mlkem_poly *p, unsigned eta, const uint8_t sigma[MLKEM_SYMBYTES],
                           uint8_t nonce)
{
    uint8_t buf[3 * MLKEM_N / 4]; /* 64 η bytes for η <= 3 */
    qtpm_keccak_ctx prf;

    /* PRF_η(σ, N) = SHAKE256(σ ‖ N, 64 η), FIPS 203 (4.3) */
    qtpm_shake256_init(&prf);
    qtpm_keccak_absorb(&prf, sigma, MLKEM_SYMBYTES);
    qtpm_keccak_absorb(&prf, &nonce, 1);
    qtpm_keccak_squeeze(&prf, buf, 64 * eta);
    if (eta == 2)
        cbd2(p, buf);
    else
        cbd3(p, buf);
    MLKEM_ASSERT_ABS_BOUND(p->c, MLKEM_N, (int32_t)eta + 1);
    qtpm_memzero(buf, sizeof(buf));
    qtpm_memzero(&prf, sizeof(prf));
}

void mlkem_poly_sample_cbd_many(mlkem_poly *const p[], const unsigned eta[], unsigned count,
                                const uint8_t sigma[MLKEM_SYMBYTES], uint8_t nonce0)
{
    /* 64 η bytes per polynomial: one SHAKE256 block for η = 2, two for η = 3 */
    uint8_t buf[4][2 * QTPM_SHAKE256_RATE];
    uint8_t ext[4][MLKEM_SYMBYTES + 1];
    qtpm_keccak_x4_ctx prf;
    unsigned done = 0;

    while (count - done >= 2) {
        const unsigned n = count - done >= 4 ? 4 : count - done;
        unsigned max_eta = 2;
        /* PRF_η(σ, N) = SHAKE256(σ ‖ N, 64 η), FIPS 203 (4.3), for the
         * nonces N = nonce0 + done + j; unused lanes repeat the first. */
        for (unsigned j = 0; j < 4; j++) {
            const unsigned e = j < n ? j : 0;
            memcpy(ext[j], sigma, MLKEM_SYMBYTES);
            ext[j][MLKEM_SYMBYTES] = (uint8_t)(nonce0 + done + e);
            if (j < n && eta[done + j] > max_eta)
                max_eta = eta[done + j];
        }
        const uint8_t *const in[4] = {ext[0], ext[1], ext[2], ext[3]};
        uint8_t *const out[4] = {buf[0], buf[1], buf[2], buf[3]};
        qtpm_shake256_x4_absorb_once(&prf, in, sizeof(ext[0]));
        qtpm_keccak_x4_squeezeblocks(&prf, out, max_eta == 2 ? 1 : 2);
        for (unsigned j = 0; j < n; j++) {
            if (eta[done + j] == 2)
                cbd2(p[done + j], buf[j]);
            else
                cbd3(p[done + j], buf[j]);
            MLKEM_ASSERT_ABS_BOUND(p[done + j]->c, MLKEM_N, (int32_t)eta[done + j] + 1);
        }
        done += n;
    }
    if (done < count)
        mlkem_poly_sample_cbd(p[done], eta[done], sigma, (uint8_t)(nonce0 + done));
    qtpm_memzero(buf, sizeof(buf));
    qtpm_memzero(ext, sizeof(ext));
    qtpm_memzero(&prf, sizeof(prf));
}
