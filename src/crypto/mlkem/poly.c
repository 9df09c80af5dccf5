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

#include "debug.h"

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

/* FIPS 203 Algorithm 9. Input |c| < q; after layer l (1..7) |c| < (l+1) q,
 * because each butterfly adds or subtracts t = ζ·c with |t| < q. */
void mlkem_poly_ntt(mlkem_poly *p)
{
    int16_t *r = p->c;
    unsigned i = 1;
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, MLKEM_Q);
    for (unsigned len = 128; len >= 2; len >>= 1) {
        for (unsigned start = 0; start < MLKEM_N; start += 2 * len) {
            const int16_t zeta = zetas[i++];
            for (unsigned j = start; j < start + len; j++) {
                int16_t t = mlkem_fqmul(r[j + len], zeta);
                r[j + len] = (int16_t)(r[j] - t);
                r[j] = (int16_t)(r[j] + t);
            }
        }
    }
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, 8 * MLKEM_Q);
}

/* FIPS 203 Algorithm 10 with the final scaling by 128^-1 folded together
 * with the Montgomery factor: f = 2^32 / 128 mod q = 1441. Input |c| < q.
 * Each layer keeps |c| < q: the sum is Barrett-reduced (|.| <= q/2) and the
 * difference multiplied by ζ (|.| < q by Montgomery's bound). */
void mlkem_poly_invntt_tomont(mlkem_poly *p)
{
    const int16_t f = 1441;
    int16_t *r = p->c;
    unsigned i = 127;
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, MLKEM_Q);
    for (unsigned len = 2; len <= 128; len <<= 1) {
        for (unsigned start = 0; start < MLKEM_N; start += 2 * len) {
            const int16_t zeta = zetas[i--];
            for (unsigned j = start; j < start + len; j++) {
                int16_t t = r[j];
                r[j] = mlkem_barrett_reduce((int16_t)(t + r[j + len]));
                r[j + len] = mlkem_fqmul((int16_t)(r[j + len] - t), zeta);
            }
        }
    }
    for (unsigned j = 0; j < MLKEM_N; j++)
        r[j] = mlkem_fqmul(r[j], f);
    MLKEM_ASSERT_ABS_BOUND(r, MLKEM_N, MLKEM_Q);
}

void mlkem_poly_reduce(mlkem_poly *p)
{
    for (unsigned j = 0; j < MLKEM_N; j++)
        p->c[j] = mlkem_to_unsigned(mlkem_barrett_reduce(p->c[j]));
    MLKEM_ASSERT_BOUND(p->c, MLKEM_N, 0, MLKEM_Q);
}

void mlkem_poly_tomont(mlkem_poly *p)
{
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
    MLKEM_ASSERT_ABS_BOUND32(acc, MLKEM_N, (int64_t)MLKEM_Q << 15);
    for (unsigned j = 0; j < MLKEM_N; j++)
        r->c[j] = mlkem_montgomery_reduce(acc[j]);
    MLKEM_ASSERT_ABS_BOUND(r->c, MLKEM_N, MLKEM_Q);
}
