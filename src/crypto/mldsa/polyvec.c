/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * polyvec.c — vectors of polynomials and the matrix A (FIPS 204 §7.3,
 * Algorithm 32 ExpandA; §7.5 for computing A·v in the NTT domain).
 *
 * A is sampled straight into the NTT domain, so A·v costs l forward
 * transforms of v, k·l pointwise products and k inverse transforms. Its
 * entries are sampled four at a time (sampling.c, four-way SHAKE128).
 */
#include "arch.h"
#include "polyvec.h"
#include "sampling.h"

void mldsa_polyvec_ntt(mldsa_poly *v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        mldsa_poly_ntt(&v[i]);
}

int mldsa_polyvec_chknorm(const mldsa_poly *v, unsigned n, int32_t bound)
{
    int bad = 0;
    for (unsigned i = 0; i < n; i++)
        bad |= mldsa_poly_chknorm(&v[i], bound);
    return bad;
}

void mldsa_expand_a_rows(mldsa_poly rows[][MLDSA_LMAX], const uint8_t rho[MLDSA_SEEDBYTES],
                         unsigned i0, unsigned nrows, unsigned l)
{
    /* The nrows·l entries in row-major order, four at a time across row
     * ends, so only the very last batch can be short. */
    mldsa_poly *a[4];
    uint8_t sr[4][2];
    const unsigned entries = nrows * l;
    for (unsigned t = 0; t < entries; t += 4) {
        const unsigned n = entries - t < 4 ? entries - t : 4;
        for (unsigned e = 0; e < n; e++) {
            const unsigned r = (t + e) / l, s = (t + e) % l;
            a[e] = &rows[r][s];
            sr[e][0] = (uint8_t)s;        /* column */
            sr[e][1] = (uint8_t)(i0 + r); /* row */
        }
        mldsa_poly_uniform_many(a, rho, (const uint8_t(*)[2])sr, n);
    }
}

void mldsa_expand_a_flat(mldsa_poly *mat, const uint8_t rho[MLDSA_SEEDBYTES],
                         const mldsa_params *p)
{
    mldsa_poly *a[4];
    uint8_t sr[4][2];
    const unsigned entries = p->k * p->l;
    for (unsigned t = 0; t < entries; t += 4) {
        const unsigned n = entries - t < 4 ? entries - t : 4;
        for (unsigned e = 0; e < n; e++) {
            a[e] = &mat[t + e];
            sr[e][0] = (uint8_t)((t + e) % p->l); /* column */
            sr[e][1] = (uint8_t)((t + e) / p->l); /* row */
        }
        mldsa_poly_uniform_many(a, rho, (const uint8_t(*)[2])sr, n);
    }
}

void mldsa_matrix_row_mul(mldsa_poly *r, const mldsa_poly row[MLDSA_LMAX],
                          const mldsa_poly *v, unsigned l)
{
    uint64_t acc[MLDSA_N];
#ifdef MLDSA_HAVE_AVX2_CODE
    if (mldsa_use_avx2()) {
        mldsa_row_mul_avx2(r->coeffs, row, v, l);
        MLDSA_ASSERT_BOUND(r->coeffs, MLDSA_N, -MLDSA_Q, MLDSA_Q);
        return;
    }
#endif
    for (unsigned n = 0; n < MLDSA_N; n++)
        acc[n] = (uint64_t)(uint32_t)row[0].coeffs[n] * (uint32_t)v[0].coeffs[n];
    for (unsigned j = 1; j < l; j++) {
        for (unsigned n = 0; n < MLDSA_N; n++)
            acc[n] += (uint64_t)(uint32_t)row[j].coeffs[n] * (uint32_t)v[j].coeffs[n];
    }
    for (unsigned n = 0; n < MLDSA_N; n++)
        r->coeffs[n] = mldsa_montgomery_reduce_u(acc[n]);
    MLDSA_ASSERT_BOUND(r->coeffs, MLDSA_N, -MLDSA_Q, MLDSA_Q);
}
