/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * poly.c — arithmetic on single polynomials of R_q: the number-theoretic
 * transform and its inverse (FIPS 203 Algorithms 9 and 10), multiplication
 * in the NTT domain (Algorithms 11 and 12) and the reductions they need.
 *
 * Representation: plain int16_t coefficients, reduced lazily. The NTT lets
 * the butterflies grow by at most q per layer (so < 8q after seven layers,
 * far inside int16); the NTT-domain products of a dot product are summed as
 * int32 and reduced once (Montgomery), which stays inside Montgomery's input
 * range for k <= 4. Constants are kept in Montgomery form (times 2^16 mod q,
 * centred) so a multiplication by a constant is one Montgomery reduction.
 */
#include "poly.h"

#include "arch.h"
#include "debug.h"

#ifdef MLKEM_HAVE_AVX2_CODE
/* Hands the call to avx2.c when the CPU has AVX2 (arch.h). */
#define MLKEM_DISPATCH_AVX2(call)  \
    do {                           \
        if (mlkem_use_avx2()) {    \
            call;                  \
            return;                \
        }                          \
    } while (0)
#else
#define MLKEM_DISPATCH_AVX2(call) ((void)0)
#endif

/* zetas[i] = ζ^BitRev7(i) · 2^16 mod q, centred, with ζ = 17 the primitive
 * 256th root of unity of FIPS 203 §4.3. Entry 0 is unused by the NTT (its
 * loop starts at i = 1); entries 64..127 are also the γ of BaseCaseMultiply:
 * γ_{2i} = zetas[64 + i], γ_{2i+1} = -zetas[64 + i]. Computed offline from
 * the definition. */
static const int16_t zetas[128] = {
    -1044, -758,  -359,  -1517, 1493,  1422,  287,   202,   -171,  622,   1577,  182,   962,
    -1202, -1474, 1468,  573,   -1325, 264,   383,   -829,  1458,  -1602, -130,  -681,  1017,
    732,   608,   -1542, 411,   -205,  -1571, 1223,  652,   -552,  1015,  -1293, 1491,  -282,
    -1544, 516,   -8,    -320,  -666,  -1618, -1162, 126,   1469,  -853,  -90,   -271,  830,
    107,   -1421, -247,  -951,  -398,  961,   -1508, -725,  448,   -1065, 677,   -1275, -1103,
    430,   555,   843,   -1251, 871,   1550,  105,   422,   587,   177,   -235,  -291,  -460,
    1574,  1653,  -246,  778,   1159,  -147,  -777,  1483,  -602,  1119,  -1590, 644,   -872,
    349,   418,   329,   -156,  -75,   817,   1097,  603,   610,   1322,  -1285, -1465, 384,
    -1215, -136,  1218,  -1335, -874,  220,   -1187, -1659, -1185, -1530, -1278, 794,   -1510,
    -854,  -870,  478,   -108,  -308,  996,   991,   958,   -1460, 1522,  1628,
};

/* The same table read backwards, zetas_rev[i] = zetas[127 - i], for the
 * inverse NTT: a forward-order table lets its per-block loops vectorise
 * (SSE2 has no cheap reversed load). */
static const int16_t zetas_rev[128] = {
    1628, 1522, -1460, 958, 991, 996, -308, -108, 478, -870, -854, -1510, 794,
    -1278, -1530, -1185, -1659, -1187, 220, -874, -1335, 1218, -136, -1215, 384, -1465,
    -1285, 1322, 610, 603, 1097, 817, -75, -156, 329, 418, 349, -872, 644,
    -1590, 1119, -602, 1483, -777, -147, 1159, 778, -246, 1653, 1574, -460, -291,
    -235, 177, 587, 422, 105, 1550, 871, -1251, 843, 555, 430, -1103, -1275,
    677, -1065, 448, -725, -1508, 961, -398, -951, -247, -1421, 107, 830, -271,
    -90, -853, 1469, 126, -1162, -1618, -666, -320, -8, 516, -1544, -282, 1491,
    -1293, 1015, -552, 652, 1223, -1571, -205, 411, -1542, 608, 732, 1017, -681,
    -130, -1602, 1458, -829, 383, 264, -1325, 573, 1468, -1474, -1202, 962, 182,
    1577, 622, -171, 202, 287, 1422, 1493, -1517, -359, -758, -1044,
};

/* One Cooley-Tukey butterfly of Algorithm 9 (lines 8-10). */
static inline void ct_butterfly(int16_t *lo, int16_t *hi, int16_t zeta)
{
    int16_t t = mlkem_fqmul(*hi, zeta);
    *hi = (int16_t)(*lo - t);
    *lo = (int16_t)(*lo + t);
}

/* FIPS 203 Algorithm 9. Input |c| < q; after layer l (1..7) |c| < (l+1) q,
 * because each butterfly adds or subtracts t = ζ·c with |t| < q.
 * The five layers with len >= 8 run over contiguous runs of one ζ, which
 * the compiler vectorises. The last two layers (len 4 and 2) are written
 * block by block, with ζ changing per block, so they too become straight
 * vector code over interleaved data instead of short scalar loops. */
void mlkem_poly_ntt(mlkem_poly *p)
{
    MLKEM_DISPATCH_AVX2(mlkem_ntt_avx2(p));
    int16_t *r = p->c;
    unsigned i = 1;
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, MLKEM_Q);
    for (unsigned len = 128; len >= 8; len >>= 1) {
        for (unsigned start = 0; start < MLKEM_N; start += 2 * len) {
            const int16_t zeta = zetas[i++];
            for (unsigned j = start; j < start + len; j++)
                ct_butterfly(&r[j], &r[j + len], zeta);
        }
    }
    /* len = 4: 32 blocks of 8, ζ = zetas[32 + b] */
    for (unsigned b = 0; b < 32; b++) {
        const int16_t zeta = zetas[32 + b];
        for (unsigned j = 0; j < 4; j++)
            ct_butterfly(&r[8 * b + j], &r[8 * b + j + 4], zeta);
    }
    /* len = 2: 64 blocks of 4, ζ = zetas[64 + b] */
    for (unsigned b = 0; b < 64; b++) {
        const int16_t zeta = zetas[64 + b];
        for (unsigned j = 0; j < 2; j++)
            ct_butterfly(&r[4 * b + j], &r[4 * b + j + 2], zeta);
    }
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, 8 * MLKEM_Q);
}

/* One Gentleman-Sande butterfly of Algorithm 10 (lines 8-10), the sum left
 * unreduced: for inputs |.| < M (M <= 4q) the outputs are |lo| < 2M and
 * |hi| < q (Montgomery bound), so neither the sum nor the difference can
 * overflow int16. */
static inline void gs_butterfly(int16_t *lo, int16_t *hi, int16_t zeta)
{
    int16_t t = *lo;
    *lo = (int16_t)(t + *hi);
    *hi = mlkem_fqmul((int16_t)(*hi - t), zeta);
}

/* The same with the sum Barrett-reduced: |lo| <= q/2, |hi| < q. */
static inline void gs_butterfly_reduce(int16_t *lo, int16_t *hi, int16_t zeta)
{
    int16_t t = *lo;
    *lo = mlkem_barrett_reduce((int16_t)(t + *hi));
    *hi = mlkem_fqmul((int16_t)(*hi - t), zeta);
}

/* FIPS 203 Algorithm 10 with the final scaling by 128^-1 folded together
 * with the Montgomery factor: f = 2^32 / 128 mod q = 1441. Input |c| < q.
 *
 * Lazy reduction: both inputs of a butterfly played the same role (sum or
 * product) in the previous layer, so the bound M of all coefficients at most
 * doubles per layer: q, 2q, 4q after layers 1-2; layer 3 reduces its sums
 * (M = q), layers 4-5 give 2q, 4q, layer 6 reduces again (M = q), layer 7
 * gives 2q, and the final Montgomery multiplication accepts any int16. Two
 * Barrett layers instead of seven. The first two layers (len 2 and 4) are
 * written per block for vectorisation, as in mlkem_poly_ntt. */
void mlkem_poly_invntt_tomont(mlkem_poly *p)
{
    MLKEM_DISPATCH_AVX2(mlkem_invntt_tomont_avx2(p));
    const int16_t f = 1441;
    int16_t *r = p->c;
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, MLKEM_Q);
    /* layer 1, len = 2: ζ = zetas[127 - b] = zetas_rev[b] for block b of 4 */
    for (unsigned b = 0; b < 64; b++) {
        const int16_t zeta = zetas_rev[b];
        for (unsigned j = 0; j < 2; j++)
            gs_butterfly(&r[4 * b + j], &r[4 * b + j + 2], zeta);
    }
    /* layer 2, len = 4: ζ = zetas[63 - b] = zetas_rev[64 + b] for block b of 8 */
    for (unsigned b = 0; b < 32; b++) {
        const int16_t zeta = zetas_rev[64 + b];
        for (unsigned j = 0; j < 4; j++)
            gs_butterfly(&r[8 * b + j], &r[8 * b + j + 4], zeta);
    }
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, 4 * MLKEM_Q);
    /* layers 3-7, len = 8 .. 128 */
    unsigned i = 96; /* zetas_rev[96] = zetas[31], counting down zetas */
    for (unsigned len = 8; len <= 128; len <<= 1) {
        const int reduce = (len == 8 || len == 64); /* layers 3 and 6 */
        for (unsigned start = 0; start < MLKEM_N; start += 2 * len) {
            const int16_t zeta = zetas_rev[i++];
            int16_t *lo = r + start, *hi = r + start + len;
            if (reduce) {
                for (unsigned j = 0; j < len; j++)
                    gs_butterfly_reduce(&lo[j], &hi[j], zeta);
            } else {
                for (unsigned j = 0; j < len; j++)
                    gs_butterfly(&lo[j], &hi[j], zeta);
            }
        }
    }
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, 2 * MLKEM_Q);
    for (unsigned j = 0; j < MLKEM_N; j++)
        r[j] = mlkem_fqmul(r[j], f);
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, MLKEM_Q);
}

void mlkem_poly_reduce(mlkem_poly *p)
{
    MLKEM_DISPATCH_AVX2(mlkem_poly_reduce_avx2(p));
    for (unsigned j = 0; j < MLKEM_N; j++)
        p->c[j] = mlkem_to_unsigned(mlkem_barrett_reduce(p->c[j]));
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
}

void mlkem_poly_tomont(mlkem_poly *p)
{
    MLKEM_DISPATCH_AVX2(mlkem_poly_tomont_avx2(p));
    const int16_t r2 = 1353; /* 2^32 mod q */
    for (unsigned j = 0; j < MLKEM_N; j++)
        p->c[j] = mlkem_fqmul(p->c[j], r2);
    MLKEM_ASSERT_ABS_BOUND(p->c, MLKEM_N, MLKEM_Q);
}

void mlkem_poly_add(mlkem_poly *r, const mlkem_poly *a)
{
    for (unsigned j = 0; j < MLKEM_N; j++)
        r->c[j] = (int16_t)(r->c[j] + a->c[j]);
}

void mlkem_poly_sub(mlkem_poly *r, const mlkem_poly *a)
{
    for (unsigned j = 0; j < MLKEM_N; j++)
        r->c[j] = (int16_t)(r->c[j] - a->c[j]);
}

void mlkem_poly_mulcache_compute(mlkem_poly_mulcache *cache, const mlkem_poly *b)
{
    MLKEM_ASSERT_BOUND(b->c, MLKEM_N, 0, MLKEM_Q);
    for (unsigned i = 0; i < MLKEM_N / 4; i++) {
        cache->c[2 * i] = mlkem_fqmul(b->c[4 * i + 1], zetas[64 + i]);
        cache->c[2 * i + 1] = mlkem_fqmul(b->c[4 * i + 3], (int16_t)-zetas[64 + i]);
    }
    MLKEM_ASSERT_ABS_BOUND(cache->c, MLKEM_N / 2, MLKEM_Q);
}

/* FIPS 203 Algorithm 12 for all 128 pairs: (a0 + a1 X)(b0 + b1 X) mod
 * (X^2 - γ) = (a0 b0 + a1 b1 γ) + (a0 b1 + a1 b0) X, with b1 γ read from the
 * cache. Each product is < q^2 in absolute value, each sum of two < 2 q^2. */
void mlkem_poly_basemul_acc(int32_t acc[MLKEM_N], const mlkem_poly *a, const mlkem_poly *b,
                            const mlkem_poly_mulcache *cache)
{
    MLKEM_DISPATCH_AVX2(mlkem_basemul_acc_avx2(acc, a, b, cache));
    MLKEM_ASSERT_BOUND(a->c, MLKEM_N, 0, MLKEM_Q);
    MLKEM_ASSERT_BOUND(b->c, MLKEM_N, 0, MLKEM_Q);
    MLKEM_ASSERT_ABS_BOUND(cache->c, MLKEM_N / 2, MLKEM_Q);
    for (unsigned i = 0; i < MLKEM_N / 2; i++) {
        const int32_t a0 = a->c[2 * i], a1 = a->c[2 * i + 1];
        const int32_t b0 = b->c[2 * i], b1 = b->c[2 * i + 1];
        acc[2 * i] += a0 * b0 + a1 * (int32_t)cache->c[i];
        acc[2 * i + 1] += a0 * b1 + a1 * b0;
    }
}

void mlkem_poly_from_acc(mlkem_poly *r, const int32_t acc[MLKEM_N])
{
    MLKEM_DISPATCH_AVX2(mlkem_poly_from_acc_avx2(r, acc));
    MLKEM_ASSERT_ABS_BOUND32(acc, MLKEM_N, (int64_t)MLKEM_Q << 15);
    for (unsigned j = 0; j < MLKEM_N; j++)
        r->c[j] = mlkem_montgomery_reduce(acc[j]);
    MLKEM_ASSERT_ABS_BOUND(r->c, MLKEM_N, MLKEM_Q);
}
