/*
 * poly.c — arithmetic in R_q = Z_q[X]/(X^256 + 1) for ML-DSA: reductions,
 * the forward and inverse NTT (FIPS 204 §7.5, Algorithms 41 and 42) and the
 * pointwise product in the NTT domain (Algorithm 45), plus the constant-time
 * infinity-norm check the signer needs.
 *
 * Twiddle factors are ζ^brv8(k) · 2^32 mod q (ζ = 1753, a primitive 512th root
 * of unity, FIPS 204 Appendix B), centred in (-q/2, q/2), so one Montgomery
 * multiplication by a table entry is a plain multiplication by ζ^brv8(k).
 * Nothing here branches on or indexes by coefficient values.
 */
#include "poly.h"

/* zetas[k] = 1753^brv8(k) · 2^32 mod q, centred; zetas[0] is unused. */
static const int32_t zetas[MLDSA_N] = {
    0, 25847, -2608894, -518909, 237124, -777960, -876248, 466468,
    1826347, 2353451, -359251, -2091905, 3119733, -2884855, 3111497, 2680103,
    2725464, 1024112, -1079900, 3585928, -549488, -1119584, 2619752, -2108549,
    -2118186, -3859737, -1399561, -3277672, 1757237, -19422, 4010497, 280005,
    2706023, 95776, 3077325, 3530437, -1661693, -3592148, -2537516, 3915439,
    -3861115, -3043716, 3574422, -2867647, 3539968, -300467, 2348700, -539299,
    -1699267, -1643818, 3505694, -3821735, 3507263, -2140649, -1600420, 3699596,
    811944, 531354, 954230, 3881043, 3900724, -2556880, 2071892, -2797779,
    -3930395, -1528703, -3677745, -3041255, -1452451, 3475950, 2176455, -1585221,
    -1257611, 1939314, -4083598, -1000202, -3190144, -3157330, -3632928, 126922,
    3412210, -983419, 2147896, 2715295, -2967645, -3693493, -411027, -2477047,
    -671102, -1228525, -22981, -1308169, -381987, 1349076, 1852771, -1430430,
    -3343383, 264944, 508951, 3097992, 44288, -1100098, 904516, 3958618,
    -3724342, -8578, 1653064, -3249728, 2389356, -210977, 759969, -1316856,
    189548, -3553272, 3159746, -1851402, -2409325, -177440, 1315589, 1341330,
    1285669, -1584928, -812732, -1439742, -3019102, -3881060, -3628969, 3839961,
    2091667, 3407706, 2316500, 3817976, -3342478, 2244091, -2446433, -3562462,
    266997, 2434439, -1235728, 3513181, -3520352, -3759364, -1197226, -3193378,
    900702, 1859098, 909542, 819034, 495491, -1613174, -43260, -522500,
    -655327, -3122442, 2031748, 3207046, -3556995, -525098, -768622, -3595838,
    342297, 286988, -2437823, 4108315, 3437287, -3342277, 1735879, 203044,
    2842341, 2691481, -2590150, 1265009, 4055324, 1247620, 2486353, 1595974,
    -3767016, 1250494, 2635921, -3548272, -2994039, 1869119, 1903435, -1050970,
    -1333058, 1237275, -3318210, -1430225, -451100, 1312455, 3306115, -1962642,
    -1279661, 1917081, -2546312, -1374803, 1500165, 777191, 2235880, 3406031,
    -542412, -2831860, -1671176, -1846953, -2584293, -3724270, 594136, -3776993,
    -2013608, 2432395, 2454455, -164721, 1957272, 3369112, 185531, -1207385,
    -3183426, 162844, 1616392, 3014001, 810149, 1652634, -3694233, -1799107,
    -3038916, 3523897, 3866901, 269760, 2213111, -975884, 1717735, 472078,
    -426683, 1723600, -1803090, 1910376, -1667432, -1104333, -260646, -3833893,
    -2939036, -2235985, -420899, -2286327, 183443, -976891, 1612842, -3545687,
    -554416, 3919660, -48306, -1362209, 3937738, 1400424, -846154, 1976782,
};

void mldsa_poly_reduce(mldsa_poly *a)
{
    for (unsigned i = 0; i < MLDSA_N; i++)
        a->coeffs[i] = mldsa_reduce32(a->coeffs[i]);
    MLDSA_ASSERT_ABS_BOUND(a->coeffs, MLDSA_N, 6283009);
}

void mldsa_poly_caddq(mldsa_poly *a)
{
    MLDSA_ASSERT_ABS_BOUND(a->coeffs, MLDSA_N, MLDSA_Q);
    for (unsigned i = 0; i < MLDSA_N; i++)
        a->coeffs[i] = mldsa_caddq(a->coeffs[i]);
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, MLDSA_Q);
}

void mldsa_poly_add(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b)
{
    for (unsigned i = 0; i < MLDSA_N; i++)
        r->coeffs[i] = a->coeffs[i] + b->coeffs[i];
}

void mldsa_poly_sub(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b)
{
    for (unsigned i = 0; i < MLDSA_N; i++)
        r->coeffs[i] = a->coeffs[i] - b->coeffs[i];
}

void mldsa_poly_shiftl(mldsa_poly *a)
{
    MLDSA_ASSERT_BOUND(a->coeffs, MLDSA_N, 0, 1 << 10);
    for (unsigned i = 0; i < MLDSA_N; i++)
        a->coeffs[i] = (int32_t)((uint32_t)a->coeffs[i] << MLDSA_D);
}

/* One Cooley-Tukey layer: pairs (j, j + len) inside blocks of 2·len share a
 * twiddle. The Montgomery product is < q in magnitude, so each layer grows
 * the bound by at most q. */
static inline void ntt_layer(int32_t a[MLDSA_N], unsigned len, unsigned *k)
{
    for (unsigned start = 0; start < MLDSA_N; start += 2 * len) {
        const int64_t zeta = zetas[++*k];
        for (unsigned j = start; j < start + len; j++) {
            int32_t t = mldsa_montgomery_reduce(zeta * a[j + len]);
            a[j + len] = a[j] - t;
            a[j] = a[j] + t;
        }
    }
}

void mldsa_poly_ntt(mldsa_poly *a)
{
    unsigned k = 0;
    /* Eight layers, len = 128 ... 1 (FIPS 204 Algorithm 41, lines 5-13). */
    ntt_layer(a->coeffs, 128, &k);
    ntt_layer(a->coeffs, 64, &k);
    ntt_layer(a->coeffs, 32, &k);
    ntt_layer(a->coeffs, 16, &k);
    ntt_layer(a->coeffs, 8, &k);
    ntt_layer(a->coeffs, 4, &k);
    ntt_layer(a->coeffs, 2, &k);
    ntt_layer(a->coeffs, 1, &k);
}

/* One Gentleman-Sande layer with twiddles -ζ^brv8(k) walked backwards. The
 * sum path doubles the bound per layer: after 8 layers |a| < 256·q < 2^31
 * for |a| < q on input, which is why the input bound is q. */
static inline void invntt_layer(int32_t a[MLDSA_N], unsigned len, unsigned *k)
{
    for (unsigned start = 0; start < MLDSA_N; start += 2 * len) {
        const int64_t zeta = -zetas[--*k];
        for (unsigned j = start; j < start + len; j++) {
            int32_t t = a[j];
            a[j] = t + a[j + len];
            a[j + len] = mldsa_montgomery_reduce(zeta * (t - a[j + len]));
        }
    }
}

static void invntt_scaled(mldsa_poly *a, int64_t f)
{
    unsigned k = MLDSA_N;
    MLDSA_ASSERT_ABS_BOUND(a->coeffs, MLDSA_N, MLDSA_Q);
    invntt_layer(a->coeffs, 1, &k);
    invntt_layer(a->coeffs, 2, &k);
    invntt_layer(a->coeffs, 4, &k);
    invntt_layer(a->coeffs, 8, &k);
    invntt_layer(a->coeffs, 16, &k);
    invntt_layer(a->coeffs, 32, &k);
    invntt_layer(a->coeffs, 64, &k);
    invntt_layer(a->coeffs, 128, &k);
    /* The factor 256^-1 of Algorithm 42 line 21, folded with the requested
     * power of R; |a| < 256·q < 2^31 so the reduction is exact. */
    for (unsigned j = 0; j < MLDSA_N; j++)
        a->coeffs[j] = mldsa_montgomery_reduce(f * a->coeffs[j]);
    MLDSA_ASSERT_ABS_BOUND(a->coeffs, MLDSA_N, MLDSA_Q);
}

void mldsa_poly_invntt_tomont(mldsa_poly *a)
{
    invntt_scaled(a, 41978); /* 2^64 / 256 mod q */
}

void mldsa_poly_invntt(mldsa_poly *a)
{
    invntt_scaled(a, 16382); /* 2^32 / 256 mod q */
}

void mldsa_poly_pointwise_montgomery(mldsa_poly *r, const mldsa_poly *a, const mldsa_poly *b)
{
    for (unsigned i = 0; i < MLDSA_N; i++)
        r->coeffs[i] = mldsa_montgomery_reduce((int64_t)a->coeffs[i] * b->coeffs[i]);
    MLDSA_ASSERT_ABS_BOUND(r->coeffs, MLDSA_N, MLDSA_Q);
}

int mldsa_poly_chknorm(const mldsa_poly *a, int32_t bound)
{
    /* |a_i| >= bound  <=>  bound - 1 - |a_i| < 0; the sign bits are OR-ed
     * together so the time does not depend on where (or whether) it fails. */
    uint32_t bad = 0;
    for (unsigned i = 0; i < MLDSA_N; i++) {
        int32_t c = a->coeffs[i];
        int32_t m = c >> 31;
        int32_t absc = (c ^ m) - m;
        bad |= (uint32_t)(bound - 1 - absc);
    }
    return (int)(bad >> 31);
}
