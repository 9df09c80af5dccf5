/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * avx2.c — ML-DSA's polynomial arithmetic on x86-64 with AVX2, eight
 * unsigned 32-bit coefficients per 256-bit register: the NTT and its
 * inverse (FIPS 204 Algorithms 41 and 42), the pointwise product
 * (Algorithm 45) and the row-times-vector product of Â. arch.h chooses
 * between these and the portable code at run time.
 *
 * Each function is the portable one of poly.c / polyvec.c with the same
 * arithmetic in vector form, so the results are identical coefficient for
 * coefficient: Harvey's lazy butterflies on values below 4q, the Shoup
 * product x·w - q·hi32(x·w') (hi32 from two _mm256_mul_epu32, on the even
 * and on the odd lanes), the conditional subtraction as an unsigned
 * minimum (min(x, x - m) equals poly.c's csub for x < 2m < 2^31), and the
 * unsigned Montgomery reduction of 64-bit sums.
 *
 * Layout of the NTT. Layers with len >= 8 pair whole registers with one
 * broadcast twiddle, three layers (len 128, 64, 32: eight registers at
 * stride 32) or two (len 16, 8: the four registers of a 32-block) per pass
 * over the polynomial, the inverse's scaling folded into its last pass. The last three layers (len 4, 2, 1) work on a pair of
 * registers A, B (16 coefficients) rearranged so that each butterfly pairs
 * a lane of X with the same lane of Y: 128-bit halves exchanged for len 4,
 * 64-bit pairs (unpack) for len 2, even/odd 32-bit elements (shuffle) for
 * len 1; the inverse rearrangement restores natural order. The twiddle of
 * each lane is read from poly.c's tables with a fixed permutation (the
 * lane's block number is a function of its position only). The inverse
 * transform runs the same three layers first, then len 8 ... 128.
 *
 * Constant time: no branch and no address depends on a coefficient; the
 * permutation indices and twiddles are constants.
 *
 * The functions carry __attribute__((target("avx2"))) as keccak.c and
 * crypto/mlkem/avx2.c do: the rest of the library keeps the baseline
 * instruction set and these run only after mldsa_use_avx2() said yes.
 */
#include "arch.h"

#ifdef MLDSA_HAVE_AVX2_CODE
#include <immintrin.h>

#define AVX2_FN __attribute__((target("avx2")))
#define AVX2_INLINE static inline __attribute__((target("avx2"), always_inline))

/* x·w mod q in [0, 2q) for x < 2^32, w < q, wp = floor(w·2^32/q). */
AVX2_INLINE __m256i mul_shoup(__m256i x, __m256i w, __m256i wp)
{
    const __m256i q = _mm256_set1_epi32(MLDSA_Q);
    __m256i pe = _mm256_mul_epu32(x, wp);
    __m256i po = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(wp, 32));
    __m256i qhat = _mm256_blend_epi32(_mm256_srli_epi64(pe, 32), po, 0xAA);
    return _mm256_sub_epi32(_mm256_mullo_epi32(x, w), _mm256_mullo_epi32(qhat, q));
}

/* x - m when x >= m, for x < 2m <= 2^31 (poly.c's csub). */
AVX2_INLINE __m256i csub(__m256i x, __m256i m)
{
    return _mm256_min_epu32(x, _mm256_sub_epi32(x, m));
}

/* poly.c's ntt_layer butterfly: [0, 4q) in and out. */
AVX2_INLINE void ct_bfly(__m256i *x, __m256i *y, __m256i w, __m256i wp)
{
    const __m256i q2 = _mm256_set1_epi32(2 * MLDSA_Q);
    __m256i a = csub(*x, q2);
    __m256i t = mul_shoup(*y, w, wp);
    *x = _mm256_add_epi32(a, t);
    *y = _mm256_add_epi32(_mm256_sub_epi32(a, t), q2);
}

/* poly.c's invntt_layer butterfly: [0, 2q) in and out. */
AVX2_INLINE void gs_bfly(__m256i *x, __m256i *y, __m256i w, __m256i wp)
{
    const __m256i q2 = _mm256_set1_epi32(2 * MLDSA_Q);
    __m256i s = _mm256_add_epi32(*x, *y);
    __m256i d = _mm256_add_epi32(_mm256_sub_epi32(*x, *y), q2);
    *x = csub(s, q2);
    *y = mul_shoup(d, w, wp);
}

#define LD(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define ST(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define BCAST(t, k) _mm256_set1_epi32((int)(t)[k])

/* Twiddles of two 4-lane blocks: lanes 0-3 t[i], lanes 4-7 t[j]. */
AVX2_INLINE __m256i two_halves(const uint32_t *t, unsigned i, unsigned j)
{
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_set1_epi32((int)t[i])),
                                   _mm_set1_epi32((int)t[j]), 1);
}

/* Four twiddles t[base..base+3] spread by idx (entries 0..3). */
AVX2_INLINE __m256i four_spread(const uint32_t *t, unsigned base, __m256i idx)
{
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + base));
    return _mm256_permutevar8x32_epi32(_mm256_castsi128_si256(v), idx);
}

/* The three rearrangements and their inverses (see the header). */
#define SPLIT4(A, B, X, Y)                                                    \
    do {                                                                      \
        (X) = _mm256_permute2x128_si256((A), (B), 0x20);                      \
        (Y) = _mm256_permute2x128_si256((A), (B), 0x31);                      \
    } while (0)
#define SPLIT2(A, B, X, Y)                                                    \
    do {                                                                      \
        (X) = _mm256_unpacklo_epi64((A), (B));                                \
        (Y) = _mm256_unpackhi_epi64((A), (B));                                \
    } while (0)
#define SPLIT1(A, B, X, Y)                                                    \
    do {                                                                      \
        (X) = _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(A),   \
                                                    _mm256_castsi256_ps(B), 0x88)); \
        (Y) = _mm256_castps_si256(_mm256_shuffle_ps(_mm256_castsi256_ps(A),   \
                                                    _mm256_castsi256_ps(B), 0xDD)); \
    } while (0)
#define JOIN1(X, Y, A, B)                                                     \
    do {                                                                      \
        (A) = _mm256_unpacklo_epi32((X), (Y));                                \
        (B) = _mm256_unpackhi_epi32((X), (Y));                                \
    } while (0)

AVX2_FN void mldsa_ntt_avx2(uint32_t u[MLDSA_N])
{
    /* Layers len = 128, 64, 32 (twiddles k = 1, 2-3, 4-7) in registers:
     * eight vectors v_i = u[j + 32i] hold every butterfly of the three
     * layers for the coefficients j ... j+7 of each 32-block. */
    for (unsigned j = 0; j < 32; j += 8) {
        __m256i v[8];
        for (unsigned i = 0; i < 8; i++)
            v[i] = LD(u + j + 32 * i);
        const __m256i w1 = BCAST(mldsa_zetas, 1), w1p = BCAST(mldsa_zetas_shoup, 1);
        for (unsigned i = 0; i < 4; i++)
            ct_bfly(&v[i], &v[i + 4], w1, w1p);
        for (unsigned h = 0; h < 2; h++) {
            const __m256i w = BCAST(mldsa_zetas, 2 + h), wp = BCAST(mldsa_zetas_shoup, 2 + h);
            ct_bfly(&v[4 * h], &v[4 * h + 2], w, wp);
            ct_bfly(&v[4 * h + 1], &v[4 * h + 3], w, wp);
        }
        for (unsigned m = 0; m < 4; m++)
            ct_bfly(&v[2 * m], &v[2 * m + 1], BCAST(mldsa_zetas, 4 + m),
                    BCAST(mldsa_zetas_shoup, 4 + m));
        for (unsigned i = 0; i < 8; i++)
            ST(u + j + 32 * i, v[i]);
    }
    /* len 16 (k = 8 + b) and 8 (k = 16 + 2b, 17 + 2b) inside 32-block b. */
    for (unsigned b = 0; b < 8; b++) {
        uint32_t *p = u + 32 * b;
        __m256i v0 = LD(p), v1 = LD(p + 8), v2 = LD(p + 16), v3 = LD(p + 24);
        const __m256i w = BCAST(mldsa_zetas, 8 + b), wp = BCAST(mldsa_zetas_shoup, 8 + b);
        ct_bfly(&v0, &v2, w, wp);
        ct_bfly(&v1, &v3, w, wp);
        ct_bfly(&v0, &v1, BCAST(mldsa_zetas, 16 + 2 * b), BCAST(mldsa_zetas_shoup, 16 + 2 * b));
        ct_bfly(&v2, &v3, BCAST(mldsa_zetas, 17 + 2 * b), BCAST(mldsa_zetas_shoup, 17 + 2 * b));
        ST(p, v0);
        ST(p + 8, v1);
        ST(p + 16, v2);
        ST(p + 24, v3);
    }
    /* len 4 (k = 32 + block), 2 (k = 64 + block), 1 (k = 128 + block) on
     * 16 coefficients at a time: blocks 2m..2m+1, 4m..4m+3, 8m..8m+7. */
    const __m256i idx2 = _mm256_setr_epi32(0, 0, 2, 2, 1, 1, 3, 3);
    const __m256i idx1 = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    for (unsigned m = 0; m < MLDSA_N / 16; m++) {
        __m256i a = LD(u + 16 * m), b = LD(u + 16 * m + 8), x, y;
        SPLIT4(a, b, x, y);
        ct_bfly(&x, &y, two_halves(mldsa_zetas, 32 + 2 * m, 33 + 2 * m),
                two_halves(mldsa_zetas_shoup, 32 + 2 * m, 33 + 2 * m));
        SPLIT4(x, y, a, b);
        SPLIT2(a, b, x, y);
        ct_bfly(&x, &y, four_spread(mldsa_zetas, 64 + 4 * m, idx2),
                four_spread(mldsa_zetas_shoup, 64 + 4 * m, idx2));
        SPLIT2(x, y, a, b);
        SPLIT1(a, b, x, y);
        ct_bfly(&x, &y, _mm256_permutevar8x32_epi32(LD(mldsa_zetas + 128 + 8 * m), idx1),
                _mm256_permutevar8x32_epi32(LD(mldsa_zetas_shoup + 128 + 8 * m), idx1));
        JOIN1(x, y, a, b);
        ST(u + 16 * m, a);
        ST(u + 16 * m + 8, b);
    }
}

AVX2_FN void mldsa_invntt_avx2(uint32_t u[MLDSA_N], uint32_t f, uint32_t fp)
{
    /* len 1 (k = 255 - block), 2 (k = 127 - block), 4 (k = 63 - block):
     * the lane order of the forward transform, read from the other end. */
    const __m256i idx1 = _mm256_setr_epi32(7, 6, 3, 2, 5, 4, 1, 0);
    const __m256i idx2 = _mm256_setr_epi32(3, 3, 1, 1, 2, 2, 0, 0);
    for (unsigned m = 0; m < MLDSA_N / 16; m++) {
        __m256i a = LD(u + 16 * m), b = LD(u + 16 * m + 8), x, y;
        SPLIT1(a, b, x, y);
        gs_bfly(&x, &y, _mm256_permutevar8x32_epi32(LD(mldsa_zetas_inv + 248 - 8 * m), idx1),
                _mm256_permutevar8x32_epi32(LD(mldsa_zetas_inv_shoup + 248 - 8 * m), idx1));
        JOIN1(x, y, a, b);
        SPLIT2(a, b, x, y);
        gs_bfly(&x, &y, four_spread(mldsa_zetas_inv, 124 - 4 * m, idx2),
                four_spread(mldsa_zetas_inv_shoup, 124 - 4 * m, idx2));
        SPLIT2(x, y, a, b);
        SPLIT4(a, b, x, y);
        gs_bfly(&x, &y, two_halves(mldsa_zetas_inv, 63 - 2 * m, 62 - 2 * m),
                two_halves(mldsa_zetas_inv_shoup, 63 - 2 * m, 62 - 2 * m));
        SPLIT4(x, y, a, b);
        ST(u + 16 * m, a);
        ST(u + 16 * m + 8, b);
    }
    /* len 8 (k = 31 - 2b, 30 - 2b) and 16 (k = 15 - b) inside 32-block b. */
    for (unsigned b = 0; b < 8; b++) {
        uint32_t *p = u + 32 * b;
        __m256i v0 = LD(p), v1 = LD(p + 8), v2 = LD(p + 16), v3 = LD(p + 24);
        gs_bfly(&v0, &v1, BCAST(mldsa_zetas_inv, 31 - 2 * b),
                BCAST(mldsa_zetas_inv_shoup, 31 - 2 * b));
        gs_bfly(&v2, &v3, BCAST(mldsa_zetas_inv, 30 - 2 * b),
                BCAST(mldsa_zetas_inv_shoup, 30 - 2 * b));
        const __m256i w = BCAST(mldsa_zetas_inv, 15 - b), wp = BCAST(mldsa_zetas_inv_shoup, 15 - b);
        gs_bfly(&v0, &v2, w, wp);
        gs_bfly(&v1, &v3, w, wp);
        ST(p, v0);
        ST(p + 8, v1);
        ST(p + 16, v2);
        ST(p + 24, v3);
    }
    /* len 32 (k = 7 - m), 64 (k = 3, 2), 128 (k = 1) and the scaling by f,
     * moving [0, 2q) to [-q, q), on v_i = u[j + 32i] in registers. */
    const __m256i vf = _mm256_set1_epi32((int)f), vfp = _mm256_set1_epi32((int)fp);
    const __m256i q = _mm256_set1_epi32(MLDSA_Q);
    for (unsigned j = 0; j < 32; j += 8) {
        __m256i v[8];
        for (unsigned i = 0; i < 8; i++)
            v[i] = LD(u + j + 32 * i);
        for (unsigned m = 0; m < 4; m++)
            gs_bfly(&v[2 * m], &v[2 * m + 1], BCAST(mldsa_zetas_inv, 7 - m),
                    BCAST(mldsa_zetas_inv_shoup, 7 - m));
        for (unsigned h = 0; h < 2; h++) {
            const __m256i w = BCAST(mldsa_zetas_inv, 3 - h), wp = BCAST(mldsa_zetas_inv_shoup, 3 - h);
            gs_bfly(&v[4 * h], &v[4 * h + 2], w, wp);
            gs_bfly(&v[4 * h + 1], &v[4 * h + 3], w, wp);
        }
        const __m256i w1 = BCAST(mldsa_zetas_inv, 1), w1p = BCAST(mldsa_zetas_inv_shoup, 1);
        for (unsigned i = 0; i < 4; i++)
            gs_bfly(&v[i], &v[i + 4], w1, w1p);
        for (unsigned i = 0; i < 8; i++)
            ST(u + j + 32 * i, _mm256_sub_epi32(mul_shoup(v[i], vf, vfp), q));
    }
}

/* Montgomery reduction (poly.h's mldsa_montgomery_reduce_u) of the 64-bit
 * values in the even lanes (ev) and odd lanes (od) of eight coefficients. */
AVX2_INLINE __m256i mont_reduce(__m256i ev, __m256i od)
{
    const __m256i q = _mm256_set1_epi32(MLDSA_Q);
    const __m256i qinv = _mm256_set1_epi32((int)MLDSA_QINV_NEG);
    __m256i me = _mm256_mul_epu32(ev, qinv), mo = _mm256_mul_epu32(od, qinv);
    ev = _mm256_add_epi64(ev, _mm256_mul_epu32(me, q));
    od = _mm256_add_epi64(od, _mm256_mul_epu32(mo, q));
    return _mm256_sub_epi32(_mm256_blend_epi32(_mm256_srli_epi64(ev, 32), od, 0xAA), q);
}

AVX2_FN void mldsa_pointwise_avx2(int32_t r[MLDSA_N], const int32_t a[MLDSA_N],
                                  const int32_t b[MLDSA_N])
{
    for (unsigned j = 0; j < MLDSA_N; j += 8) {
        __m256i x = LD(a + j), y = LD(b + j);
        __m256i ev = _mm256_mul_epu32(x, y);
        __m256i od = _mm256_mul_epu32(_mm256_srli_epi64(x, 32), _mm256_srli_epi64(y, 32));
        ST(r + j, mont_reduce(ev, od));
    }
}

AVX2_FN void mldsa_row_mul_avx2(int32_t r[MLDSA_N], const mldsa_poly *row, const mldsa_poly *v,
                                unsigned l)
{
    for (unsigned j = 0; j < MLDSA_N; j += 8) {
        __m256i ev = _mm256_setzero_si256(), od = _mm256_setzero_si256();
        for (unsigned c = 0; c < l; c++) {
            __m256i x = LD(row[c].coeffs + j), y = LD(v[c].coeffs + j);
            ev = _mm256_add_epi64(ev, _mm256_mul_epu32(x, y));
            od = _mm256_add_epi64(od, _mm256_mul_epu32(_mm256_srli_epi64(x, 32),
                                                       _mm256_srli_epi64(y, 32)));
        }
        ST(r + j, mont_reduce(ev, od));
    }
}
#else
typedef int mldsa_avx2_unused; /* ISO C wants something in a translation unit */
#endif
