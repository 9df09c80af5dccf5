/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa_poly.c — the ring of the lattice DAA, R_q = Z_q[X]/(X^256 + 1) with
 * the 61-bit prime q = 2^61 - 6655 (= 1 mod 512, so X^256 + 1 splits into
 * linear factors and the negacyclic NTT exists), and its samplers and
 * packing.
 *
 * Why not ML-DSA's q = 8380417 (src/crypto/mldsa): the credential's masks
 * reach 2^43 and the M-SIS bound of the proof must stay far below q, so
 * the DAA needs a 61-bit modulus (docs/DAA.md, "Parameters"). The NTT is
 * the same algorithm as FIPS 204 Algorithms 41/42 (Cooley-Tukey forward,
 * Gentleman-Sande inverse, zetas in bit-reversed order), here with 64-bit
 * Montgomery reduction (R = 2^64) on unsigned __int128 products. SHAKE is
 * qtpm's (src/crypto/keccak.c), SampleInBall ML-DSA's.
 *
 * Constant time: additions, reductions and the centring are branch-free;
 * the NTT's loops depend on nothing but N. Rejection in the uniform
 * samplers of public matrices branches on public XOF output only.
 */
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/daa.h"
#include "qtpm/rand.h"

#include "ldaa_internal.h"
#include "ldaa_zetas.h"
#include "sampling.h" /* mldsa_poly_challenge (src/crypto/mldsa) */

/* a·b·2^-64 mod q for a, b < 2^64 with a·b < q·2^64: result in [0, q).
 * m = (ab mod 2^64)·(-q^-1) makes ab + mq divisible by 2^64; the quotient is
 * < 2q and one masked subtraction brings it into [0, q). */
static inline uint64_t montmul(uint64_t a, uint64_t b)
{
    unsigned __int128 t = (unsigned __int128)a * b;
    uint64_t m = (uint64_t)t * LDAA_QINV_NEG;
    uint64_t r = (uint64_t)((t + (unsigned __int128)m * LDAA_Q) >> 64);
    r -= LDAA_Q;
    r += LDAA_Q & (uint64_t)((int64_t)r >> 63);
    return r;
}

/* [0, q) in: a + b, a - b in [0, q). q < 2^61 so nothing overflows. */
static inline uint64_t addq(uint64_t a, uint64_t b)
{
    uint64_t r = a + b - LDAA_Q;
    return r + (LDAA_Q & (uint64_t)((int64_t)r >> 63));
}

static inline uint64_t subq(uint64_t a, uint64_t b)
{
    uint64_t r = a - b;
    return r + (LDAA_Q & (uint64_t)((int64_t)r >> 63));
}

void ldaa_ntt(ldaa_poly *a)
{
    unsigned k = 0;
    for (unsigned len = 128; len > 0; len >>= 1) {
        for (unsigned start = 0; start < LDAA_N; start += 2 * len) {
            uint64_t zeta = ldaa_zetas[++k];
            for (unsigned j = start; j < start + len; j++) {
                uint64_t t = montmul(zeta, a->c[j + len]);
                a->c[j + len] = subq(a->c[j], t);
                a->c[j] = addq(a->c[j], t);
            }
        }
    }
}

void ldaa_invntt(ldaa_poly *a)
{
    unsigned k = 256;
    for (unsigned len = 1; len < LDAA_N; len <<= 1) {
        for (unsigned start = 0; start < LDAA_N; start += 2 * len) {
            uint64_t zeta = LDAA_Q - ldaa_zetas[--k];
            for (unsigned j = start; j < start + len; j++) {
                uint64_t t = a->c[j];
                a->c[j] = addq(t, a->c[j + len]);
                a->c[j + len] = montmul(zeta, subq(t, a->c[j + len]));
            }
        }
    }
    for (unsigned j = 0; j < LDAA_N; j++)
        a->c[j] = montmul(LDAA_INV_F, a->c[j]);
}

void ldaa_pointwise(ldaa_poly *r, const ldaa_poly *a, const ldaa_poly *b)
{
    for (unsigned i = 0; i < LDAA_N; i++)
        r->c[i] = montmul(a->c[i], b->c[i]);
}

void ldaa_pointwise_acc(ldaa_poly *r, const ldaa_poly *a, const ldaa_poly *b)
{
    for (unsigned i = 0; i < LDAA_N; i++)
        r->c[i] = addq(r->c[i], montmul(a->c[i], b->c[i]));
}

void ldaa_tomont(ldaa_poly *a)
{
    for (unsigned i = 0; i < LDAA_N; i++)
        a->c[i] = montmul(a->c[i], LDAA_R2);
}

void ldaa_add(ldaa_poly *r, const ldaa_poly *a, const ldaa_poly *b)
{
    for (unsigned i = 0; i < LDAA_N; i++)
        r->c[i] = addq(a->c[i], b->c[i]);
}

void ldaa_sub(ldaa_poly *r, const ldaa_poly *a, const ldaa_poly *b)
{
    for (unsigned i = 0; i < LDAA_N; i++)
        r->c[i] = subq(a->c[i], b->c[i]);
}

void ldaa_from_short(ldaa_poly *r, const ldaa_spoly *a)
{
    for (unsigned i = 0; i < LDAA_N; i++) {
        int64_t v = a->c[i];
        r->c[i] = (uint64_t)v + (LDAA_Q & (uint64_t)(v >> 63));
    }
}

void ldaa_to_short(ldaa_spoly *r, const ldaa_poly *a)
{
    for (unsigned i = 0; i < LDAA_N; i++) {
        int64_t v = (int64_t)a->c[i];
        int64_t big = ((int64_t)(LDAA_Q >> 1) - v) >> 63; /* -1 when v > (q-1)/2 */
        r->c[i] = v - (int64_t)(LDAA_Q & (uint64_t)big);
    }
}

int ldaa_spoly_exceeds(const ldaa_spoly *a, int64_t bound)
{
    uint64_t bad = 0;
    for (unsigned i = 0; i < LDAA_N; i++) {
        int64_t v = a->c[i];
        int64_t abs = v ^ (v >> 63);
        abs -= v >> 63;
        bad |= (uint64_t)(bound - abs); /* top bit set when abs > bound */
    }
    return (int)(bad >> 63);
}

void ldaa_expand_uniform(ldaa_poly *r, const uint8_t seed[32], uint8_t domain, uint16_t i,
                         uint16_t j)
{
    uint8_t in[37], buf[QTPM_SHAKE128_RATE];
    memcpy(in, seed, 32);
    in[32] = domain;
    in[33] = (uint8_t)i;
    in[34] = (uint8_t)(i >> 8);
    in[35] = (uint8_t)j;
    in[36] = (uint8_t)(j >> 8);
    qtpm_keccak_ctx x;
    qtpm_shake128_init(&x);
    qtpm_keccak_absorb(&x, in, sizeof in);
    unsigned n = 0;
    while (n < LDAA_N) {
        qtpm_keccak_squeezeblocks(&x, buf, 1);
        for (unsigned p = 0; p + 8 <= sizeof buf && n < LDAA_N; p += 8) {
            uint64_t v = 0;
            for (unsigned b = 0; b < 8; b++)
                v |= (uint64_t)buf[p + b] << (8 * b);
            v &= (1ull << 61) - 1;
            if (v < LDAA_Q) /* public: rejects with probability 2^-48 */
                r->c[n++] = v;
        }
    }
}

void ldaa_expand_ternary(ldaa_spoly *r, const uint8_t seed[32], uint16_t i, uint16_t j)
{
    uint8_t in[36], buf[QTPM_SHAKE256_RATE];
    memcpy(in, seed, 32);
    in[32] = (uint8_t)i;
    in[33] = (uint8_t)(i >> 8);
    in[34] = (uint8_t)j;
    in[35] = (uint8_t)(j >> 8);
    qtpm_keccak_ctx x;
    qtpm_shake256_init(&x);
    qtpm_keccak_absorb(&x, in, sizeof in);
    unsigned n = 0;
    while (n < LDAA_N) {
        qtpm_keccak_squeezeblocks(&x, buf, 1);
        for (unsigned p = 0; p < sizeof buf && n < LDAA_N; p++) {
            /* rejection of 255 only (leaks the position of discarded bytes,
             * which are independent of the kept values); 255 = 3 · 85 */
            uint32_t v = buf[p];
            if (v < 255)
                r->c[n++] = (int64_t)(v % 3) - 1;
        }
    }
    qtpm_memzero(buf, sizeof buf);
    qtpm_memzero(&x, sizeof x);
}

void ldaa_sample_mask(ldaa_spoly *r, qtpm_keccak_ctx *xof, unsigned g)
{
    uint8_t buf[LDAA_N * 6];
    qtpm_keccak_squeeze(xof, buf, sizeof buf);
    uint64_t mask = (2ull << g) - 1;
    int64_t gamma = (int64_t)1 << g;
    for (unsigned i = 0; i < LDAA_N; i++) {
        uint64_t v = 0;
        for (unsigned b = 0; b < 6; b++)
            v |= (uint64_t)buf[6 * i + b] << (8 * b);
        r->c[i] = gamma - (int64_t)(v & mask); /* (-gamma, gamma] */
    }
    qtpm_memzero(buf, sizeof buf);
}

/* A mask XOF: SHAKE256 over a domain label and 64 fresh random bytes, the
 * seed wiped once absorbed. */
int ldaa_mask_xof(qtpm_keccak_ctx *x, const char *label)
{
    uint8_t seed[64];
    if (qtpm_random_bytes(seed, sizeof seed) != 0)
        return QTPM_DAA_E_RNG;
    qtpm_shake256_init(x);
    qtpm_keccak_absorb(x, (const uint8_t *)label, strlen(label));
    qtpm_keccak_absorb(x, seed, sizeof seed);
    qtpm_memzero(seed, sizeof seed);
    return QTPM_DAA_OK;
}

void ldaa_challenge(ldaa_spoly *c, const uint8_t ctilde[32])
{
    mldsa_poly p;
    mldsa_poly_challenge(&p, ctilde, 32, LDAA_TAU);
    for (unsigned i = 0; i < LDAA_N; i++)
        c->c[i] = p.coeffs[i];
}

void ldaa_pack(uint8_t *out, const int64_t *v, size_t n, unsigned w, int64_t off)
{
    size_t bytes = (n * w + 7) / 8;
    memset(out, 0, bytes);
    size_t bit = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = (uint64_t)(v[i] + off);
        for (unsigned b = 0; b < w; b++, bit++)
            out[bit >> 3] |= (uint8_t)(((x >> b) & 1) << (bit & 7));
    }
}

int ldaa_unpack(int64_t *v, const uint8_t *in, size_t n, unsigned w, int64_t off, int64_t maxv)
{
    size_t bit = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = 0;
        for (unsigned b = 0; b < w; b++, bit++)
            x |= (uint64_t)((in[bit >> 3] >> (bit & 7)) & 1) << b;
        bad |= (int64_t)x > maxv;
        v[i] = (int64_t)x - off;
    }
    return bad;
}

void ldaa_power2round(int64_t *a1, int64_t *a0, uint64_t a)
{
    int64_t v = (int64_t)a;
    int64_t hi = (v + (1ll << (LDAA_D - 1)) - 1) >> LDAA_D;
    *a1 = hi;
    *a0 = v - (hi << LDAA_D);
}

void ldaa_absorb_polys(qtpm_keccak_ctx *h, const ldaa_poly *p, size_t n)
{
    uint8_t buf[8 * LDAA_N];
    for (size_t i = 0; i < n; i++) {
        for (unsigned j = 0; j < LDAA_N; j++)
            for (unsigned b = 0; b < 8; b++)
                buf[8 * j + b] = (uint8_t)(p[i].c[j] >> (8 * b));
        qtpm_keccak_absorb(h, buf, sizeof buf);
    }
}
