/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sampling.c — FIPS 204 §7.3: how ML-DSA turns seeds into polynomials.
 * SHAKE128 (G) expands ρ into the matrix A, given directly in the NTT domain;
 * SHAKE256 (H) expands ρ' into the short secrets s1, s2, ρ'' into the masking
 * vector y, and c~ into the challenge c.
 *
 * Rejection sampling consumes a data-dependent number of bytes. For A this is
 * public. For s1/s2 and c the decision "accept this candidate" is taken on a
 * value that is then either discarded or kept, so the number of rejections
 * reveals nothing about kept values; the code still keeps the accept step
 * arithmetic (store unconditionally, advance the counter by the accept bit)
 * so no branch depends on a secret sample.
 *
 * ExpandA, ExpandS and ExpandMask hash many independent inputs, so each has a
 * batched form that runs up to four of them side by side with the four-way
 * Keccak of keccak.c (qtpm_keccak_x4_*); a batch of one uses the
 * single-state code. The parsing is shared between the two forms.
 */
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "ct.h"
#include "packing.h"
#include "sampling.h"

/* 5 SHAKE128 blocks (840 bytes, 280 candidates) suffice with probability
 * about 1 - 2^-50; more are squeezed one at a time when they do not. */
#define UNIFORM_NBLOCKS 5

/* CoeffFromThreeBytes (Algorithm 14) over the first UNIFORM_NBLOCKS blocks:
 * 23 bits, accepted if < q. Every candidate is stored and the count advanced
 * by the accept bit (a tight loop with no unpredictable branch); the first
 * 256 accepted go to a. Returns how many of a's coefficients are set. */
static unsigned rej_ntt_first(mldsa_poly *a, const uint8_t buf[UNIFORM_NBLOCKS * QTPM_SHAKE128_RATE])
{
    int32_t cand[UNIFORM_NBLOCKS * QTPM_SHAKE128_RATE / 3 + 1];
    unsigned ctr = 0;
    for (size_t pos = 0; pos < UNIFORM_NBLOCKS * QTPM_SHAKE128_RATE; pos += 3) {
        uint32_t t = (uint32_t)buf[pos] | (uint32_t)buf[pos + 1] << 8 |
                     (uint32_t)(buf[pos + 2] & 0x7F) << 16;
        cand[ctr] = (int32_t)t;
        ctr += (uint32_t)(t - MLDSA_Q) >> 31;
    }
    if (ctr > MLDSA_N)
        ctr = MLDSA_N;
    memcpy(a->coeffs, cand, ctr * sizeof(int32_t));
    return ctr;
}

/* The rare continuation (about 2^-50): one more block, accepted candidates
 * appended while there is room. The rate (168) is a multiple of 3, so no
 * candidate spans blocks. */
static unsigned rej_ntt_more(mldsa_poly *a, unsigned ctr, const uint8_t buf[QTPM_SHAKE128_RATE])
{
    for (size_t pos = 0; pos < QTPM_SHAKE128_RATE && ctr < MLDSA_N; pos += 3) {
        uint32_t t = (uint32_t)buf[pos] | (uint32_t)buf[pos + 1] << 8 |
                     (uint32_t)(buf[pos + 2] & 0x7F) << 16;
        if (t < MLDSA_Q)
            a->coeffs[ctr++] = (int32_t)t;
    }
    return ctr;
}

void mldsa_poly_uniform(mldsa_poly *a, const uint8_t rho[MLDSA_SEEDBYTES], uint8_t s,
                        uint8_t r)
{
    uint8_t buf[UNIFORM_NBLOCKS * QTPM_SHAKE128_RATE];
    uint8_t ext[2] = {s, r};
    qtpm_keccak_ctx g;

    qtpm_shake128_init(&g);
    qtpm_keccak_absorb(&g, rho, MLDSA_SEEDBYTES);
    qtpm_keccak_absorb(&g, ext, 2);
    qtpm_keccak_squeezeblocks(&g, buf, UNIFORM_NBLOCKS);
    unsigned ctr = rej_ntt_first(a, buf);
    while (ctr < MLDSA_N) {
        qtpm_keccak_squeezeblocks(&g, buf, 1);
        ctr = rej_ntt_more(a, ctr, buf);
    }
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, MLDSA_Q);
}

void mldsa_poly_uniform_many(mldsa_poly *const a[], const uint8_t rho[MLDSA_SEEDBYTES],
                             const uint8_t sr[][2], unsigned count)
{
    uint8_t buf[4][UNIFORM_NBLOCKS * QTPM_SHAKE128_RATE];
    uint8_t ext[4][MLDSA_SEEDBYTES + 2];
    uint8_t *const out[4] = {buf[0], buf[1], buf[2], buf[3]};
    const uint8_t *const in[4] = {ext[0], ext[1], ext[2], ext[3]};
    qtpm_keccak_x4_ctx g;

    for (unsigned done = 0; done < count;) {
        const unsigned n = count - done >= 4 ? 4 : count - done;
        unsigned ctr[4], more = 0;
        if (n == 1) {
            mldsa_poly_uniform(a[done], rho, sr[done][0], sr[done][1]);
            break;
        }
        /* Unused lanes of a short batch hash a copy of the first entry. */
        for (unsigned j = 0; j < 4; j++) {
            const unsigned e = done + (j < n ? j : 0);
            memcpy(ext[j], rho, MLDSA_SEEDBYTES);
            ext[j][MLDSA_SEEDBYTES] = sr[e][0];
            ext[j][MLDSA_SEEDBYTES + 1] = sr[e][1];
        }
        qtpm_shake128_x4_absorb_once(&g, in, sizeof(ext[0]));
        qtpm_keccak_x4_squeezeblocks(&g, out, UNIFORM_NBLOCKS);
        for (unsigned j = 0; j < n; j++) {
            ctr[j] = rej_ntt_first(a[done + j], buf[j]);
            more |= ctr[j] < MLDSA_N;
        }
        /* A is public: branching on how many candidates it rejected is fine. */
        while (more) {
            more = 0;
            qtpm_keccak_x4_squeezeblocks(&g, out, 1);
            for (unsigned j = 0; j < n; j++) {
                ctr[j] = rej_ntt_more(a[done + j], ctr[j], buf[j]);
                more |= ctr[j] < MLDSA_N;
            }
        }
        for (unsigned j = 0; j < n; j++)
            MLDSA_ASSERT_BOUND(a[done + j]->coeffs, MLDSA_N, 0, MLDSA_Q);
        done += n;
    }
}

/* CoeffFromHalfByte (FIPS 204 Algorithm 15), branch-free: returns the
 * coefficient and sets *ok to 1 when the nibble b is accepted. */
static inline int32_t coeff_from_half_byte(uint32_t b, unsigned eta, uint32_t *ok)
{
    if (eta == 2) {
        /* b < 15: 2 - (b mod 5); b mod 5 = b - 5·floor(b·13 >> 6) for b < 16. */
        uint32_t q5 = (b * 13) >> 6;
        *ok = (b - 15) >> 31;
        return 2 - (int32_t)(b - 5 * q5);
    }
    *ok = (b - 9) >> 31; /* b < 9 */
    return 4 - (int32_t)b;
}

/* RejBoundedPoly (Algorithm 31) lines 4-15 over len bytes of H's output:
 * both nibbles of each byte through CoeffFromHalfByte; out has one spare
 * slot where rejected candidates land. Returns the new count. */
static unsigned rej_eta(int32_t out[MLDSA_N + 1], unsigned ctr, const uint8_t *buf, size_t len,
                        unsigned eta)
{
    for (size_t pos = 0; pos < len && ctr < MLDSA_N; pos++) {
        uint32_t ok0, ok1;
        int32_t v0 = coeff_from_half_byte(buf[pos] & 0x0F, eta, &ok0);
        int32_t v1 = coeff_from_half_byte(buf[pos] >> 4, eta, &ok1);
        /* Which candidates are rejected is independent of the accepted
         * coefficients, so the accept bits may leak (FIPS 204 §3.6.3). */
        QTPM_CT_DECLASSIFY(&ok0, sizeof(ok0));
        QTPM_CT_DECLASSIFY(&ok1, sizeof(ok1));
        out[ctr] = v0;
        ctr += ok0;
        out[ctr] = v1;
        ctr += ok1 & (uint32_t)(ctr < MLDSA_N);
    }
    return ctr;
}

/* Two blocks (272 bytes, 544 nibbles) nearly always hold 256 accepted
 * nibbles (η = 2 accepts 15/16, η = 4 accepts 9/16). */
#define ETA_NBLOCKS 2

void mldsa_poly_uniform_eta(mldsa_poly *a, const uint8_t rhoprime[MLDSA_CRHBYTES],
                            uint16_t nonce, unsigned eta)
{
    uint8_t buf[ETA_NBLOCKS * QTPM_SHAKE256_RATE];
    int32_t out[MLDSA_N + 1];
    uint8_t ext[2] = {(uint8_t)nonce, (uint8_t)(nonce >> 8)};
    qtpm_keccak_ctx h;

    qtpm_shake256_init(&h);
    qtpm_keccak_absorb(&h, rhoprime, MLDSA_CRHBYTES);
    qtpm_keccak_absorb(&h, ext, 2);
    qtpm_keccak_squeezeblocks(&h, buf, ETA_NBLOCKS);
    unsigned ctr = rej_eta(out, 0, buf, sizeof(buf), eta);
    while (ctr < MLDSA_N) {
        qtpm_keccak_squeezeblocks(&h, buf, 1);
        ctr = rej_eta(out, ctr, buf, QTPM_SHAKE256_RATE, eta);
    }
    memcpy(a->coeffs, out, sizeof(a->coeffs));
    qtpm_memzero(out, sizeof(out));
    qtpm_memzero(buf, sizeof(buf));
    qtpm_memzero(&h, sizeof(h));
    MLDSA_ASSERT_ABS_BOUND(a->coeffs, MLDSA_N, (int32_t)eta + 1);
}

void mldsa_poly_uniform_eta_many(mldsa_poly *const a[], const uint8_t rhoprime[MLDSA_CRHBYTES],
                                 uint16_t nonce0, unsigned count, unsigned eta)
{
    uint8_t buf[4][ETA_NBLOCKS * QTPM_SHAKE256_RATE];
    int32_t out[4][MLDSA_N + 1];
    uint8_t ext[4][MLDSA_CRHBYTES + 2];
    uint8_t *const outp[4] = {buf[0], buf[1], buf[2], buf[3]};
    const uint8_t *const in[4] = {ext[0], ext[1], ext[2], ext[3]};
    qtpm_keccak_x4_ctx h;
    unsigned done = 0;

    while (count - done >= 2) {
        const unsigned n = count - done >= 4 ? 4 : count - done;
        unsigned ctr[4], more = 0;
        /* H(ρ' ‖ IntegerToBytes(nonce, 2)); unused lanes repeat the first. */
        for (unsigned j = 0; j < 4; j++) {
            const uint16_t nonce = (uint16_t)(nonce0 + done + (j < n ? j : 0));
            memcpy(ext[j], rhoprime, MLDSA_CRHBYTES);
            ext[j][MLDSA_CRHBYTES] = (uint8_t)nonce;
            ext[j][MLDSA_CRHBYTES + 1] = (uint8_t)(nonce >> 8);
        }
        qtpm_shake256_x4_absorb_once(&h, in, sizeof(ext[0]));
        qtpm_keccak_x4_squeezeblocks(&h, outp, ETA_NBLOCKS);
        for (unsigned j = 0; j < n; j++) {
            ctr[j] = rej_eta(out[j], 0, buf[j], sizeof(buf[j]), eta);
            more |= ctr[j] < MLDSA_N;
        }
        /* The counts depend only on rejected candidates (see rej_eta). */
        while (more) {
            more = 0;
            qtpm_keccak_x4_squeezeblocks(&h, outp, 1);
            for (unsigned j = 0; j < n; j++) {
                ctr[j] = rej_eta(out[j], ctr[j], buf[j], QTPM_SHAKE256_RATE, eta);
                more |= ctr[j] < MLDSA_N;
            }
        }
        for (unsigned j = 0; j < n; j++) {
            memcpy(a[done + j]->coeffs, out[j], sizeof(a[done + j]->coeffs));
            MLDSA_ASSERT_ABS_BOUND(a[done + j]->coeffs, MLDSA_N, (int32_t)eta + 1);
        }
        done += n;
    }
    if (done < count)
        mldsa_poly_uniform_eta(a[done], rhoprime, (uint16_t)(nonce0 + done), eta);
    qtpm_memzero(out, sizeof(out));
    qtpm_memzero(buf, sizeof(buf));
    qtpm_memzero(ext, sizeof(ext));
    qtpm_memzero(&h, sizeof(h));
}

void mldsa_poly_uniform_gamma1(mldsa_poly *a, const uint8_t rhopp[MLDSA_CRHBYTES],
                               uint16_t nonce, int32_t gamma1)
{
    uint8_t buf[640]; /* 32 · (1 + bitlen(γ1 - 1)) bytes: 576 or 640 */
    uint8_t ext[2] = {(uint8_t)nonce, (uint8_t)(nonce >> 8)};
    size_t len = gamma1 == (1 << 17) ? 576 : 640;
    qtpm_keccak_ctx h;

    qtpm_shake256_init(&h);
    qtpm_keccak_absorb(&h, rhopp, MLDSA_CRHBYTES);
    qtpm_keccak_absorb(&h, ext, 2);
    qtpm_keccak_squeeze(&h, buf, len);
    mldsa_polyz_unpack(a, buf, gamma1);
    qtpm_memzero(buf, sizeof(buf));
    qtpm_memzero(&h, sizeof(h));
}

/* ExpandMask for l polynomials at once: a[i] from H(ρ'' ‖ IntegerToBytes(
 * nonce0 + i, 2)), four at a time; 5 SHAKE256 blocks (680 bytes) cover the
 * 576 or 640 bytes one polynomial needs. */
void mldsa_poly_uniform_gamma1_many(mldsa_poly *a, const uint8_t rhopp[MLDSA_CRHBYTES],
                                    uint16_t nonce0, unsigned count, int32_t gamma1)
{
    uint8_t buf[4][5 * QTPM_SHAKE256_RATE];
    uint8_t ext[4][MLDSA_CRHBYTES + 2];
    uint8_t *const out[4] = {buf[0], buf[1], buf[2], buf[3]};
    const uint8_t *const in[4] = {ext[0], ext[1], ext[2], ext[3]};
    qtpm_keccak_x4_ctx h;
    unsigned done = 0;

    while (count - done >= 2) {
        const unsigned n = count - done >= 4 ? 4 : count - done;
        for (unsigned j = 0; j < 4; j++) {
            const uint16_t nonce = (uint16_t)(nonce0 + done + (j < n ? j : 0));
            memcpy(ext[j], rhopp, MLDSA_CRHBYTES);
            ext[j][MLDSA_CRHBYTES] = (uint8_t)nonce;
            ext[j][MLDSA_CRHBYTES + 1] = (uint8_t)(nonce >> 8);
        }
        qtpm_shake256_x4_absorb_once(&h, in, sizeof(ext[0]));
        qtpm_keccak_x4_squeezeblocks(&h, out, 5);
        for (unsigned j = 0; j < n; j++)
            mldsa_polyz_unpack(&a[done + j], buf[j], gamma1);
        done += n;
    }
    if (done < count)
        mldsa_poly_uniform_gamma1(&a[done], rhopp, (uint16_t)(nonce0 + done), gamma1);
    qtpm_memzero(buf, sizeof(buf));
    qtpm_memzero(ext, sizeof(ext));
    qtpm_memzero(&h, sizeof(h));
}

void mldsa_poly_challenge(mldsa_poly *c, const uint8_t *ctilde, size_t ctilde_len,
                          unsigned tau)
{
    uint8_t buf[QTPM_SHAKE256_RATE];
    int8_t cc[MLDSA_N]; /* the challenge while it is built: bytes, so the masked scan is cheap */
    qtpm_keccak_ctx h;
    uint64_t signs = 0;
    unsigned pos;

    qtpm_shake256_init(&h);
    qtpm_keccak_absorb(&h, ctilde, ctilde_len);
    qtpm_keccak_squeezeblocks(&h, buf, 1);
    for (unsigned i = 0; i < 8; i++)
        signs |= (uint64_t)buf[i] << (8 * i);
    pos = 8;

    memset(cc, 0, sizeof(cc));
    for (unsigned i = MLDSA_N - tau; i < MLDSA_N; i++) {
        uint32_t j;
        /* Lines 5-6: draw bytes until one is <= i. Rejected bytes are thrown
         * away, so the loop count says nothing about the accepted j. */
        do {
            if (pos >= QTPM_SHAKE256_RATE) {
                qtpm_keccak_squeezeblocks(&h, buf, 1);
                pos = 0;
            }
            j = buf[pos++];
        } while (j > i);
        /* Lines 7-8: c_i = c_j; c_j = (-1)^h. Every position is visited with
         * a mask instead of indexing by j. Positions above i are still 0
         * and j <= i, so scanning all 256 is harmless; the fixed bound lets
         * the compiler run the scan 16 bytes at a time. */
        const int8_t sign = (int8_t)(1 - 2 * (int32_t)(signs & 1));
        const uint8_t jb = (uint8_t)j;
        int8_t cj = 0;
        signs >>= 1;
        for (unsigned k = 0; k < MLDSA_N; k++) {
            int8_t m = (int8_t)-(int8_t)((uint8_t)k == jb); /* -1 iff k == j */
            cj |= (int8_t)(cc[k] & m);
            cc[k] = (int8_t)((cc[k] & ~m) | (sign & m));
        }
        /* If j == i the sign just written is c_i; otherwise c_i (still 0)
         * takes the old c_j. */
        cc[i] = (int8_t)(cc[i] | (cj & (int8_t)-(int8_t)(i != j)));
    }
    for (unsigned k = 0; k < MLDSA_N; k++)
        c->coeffs[k] = cc[k];
    qtpm_memzero(cc, sizeof(cc));
    qtpm_memzero(buf, sizeof(buf));
    qtpm_memzero(&h, sizeof(h));
    MLDSA_ASSERT_ABS_BOUND(c->coeffs, MLDSA_N, 2);
}
