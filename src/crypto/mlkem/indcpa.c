/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * indcpa.c — K-PKE (FIPS 203 §5, Algorithms 13, 14 and 15).
 *
 * The matrix Â is never stored: its k^2 entries are generated four at a time
 * (four-way SHAKE128, sampling.c) and each is folded straight into the int32
 * accumulator of its row (one Montgomery reduction per row at the end, see
 * poly.h), so the stack holds four matrix polynomials instead of k^2. The
 * vector the matrix multiplies (ŝ in KeyGen, r̂ in Encrypt) gets its mulcache
 * computed once and reused for every row; the noise polynomials are likewise
 * sampled four at a time (four-way SHAKE256).
 *
 * Domains: polynomials in the NTT domain are kept in [0, q) whenever they
 * enter a product; the products carry a factor 2^-16 that either
 * mlkem_poly_tomont (KeyGen) or mlkem_poly_invntt_tomont (Encrypt, Decrypt)
 * removes. Secret polynomials on the stack are wiped before returning.
 */
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "ct.h"
#include "compress.h"
#include "indcpa.h"
#include "sampling.h"

#include "debug.h"

/* r[i] = Σ_j Â[i, j] ∘ v̂[j] for every row i (transposed: Σ_j Â[j, i] ∘
 * v̂[j]), times 2^-16. v̂ in [0, q) with its mulcaches; output |c| < q. Â
 * comes from SampleNTT: entry Â[i, j] = SampleNTT(ρ ‖ j ‖ i) (Algorithm 13
 * line 6, Algorithm 14 line 6). Entries are produced in batches of four in
 * row-major order; acc[i] collects row i. */
static void matrix_mul(const mlkem_params *prm, mlkem_poly *r, const uint8_t rho[32],
                       int transposed, const mlkem_poly *v, const mlkem_poly_mulcache *vc)
{
    int32_t acc[MLKEM_K_MAX][MLKEM_N];
    mlkem_poly a[4];
    uint8_t xy[4][2];
    const unsigned k = prm->k, entries = k * k;

    memset(acc, 0, sizeof(acc[0]) * k);
    for (unsigned t = 0; t < entries; t += 4) {
        const unsigned n = entries - t < 4 ? entries - t : 4;
        for (unsigned e = 0; e < n; e++) {
            const unsigned i = (t + e) / k, j = (t + e) % k;
            /* SampleNTT(ρ ‖ x ‖ y) gives Â[y, x]: Â[i, j] or, transposed, Â[j, i] */
            xy[e][0] = (uint8_t)(transposed ? i : j);
            xy[e][1] = (uint8_t)(transposed ? j : i);
        }
        mlkem_poly_sample_ntt_many(a, rho, (const uint8_t(*)[2])xy, n);
        for (unsigned e = 0; e < n; e++) {
            const unsigned i = (t + e) / k, j = (t + e) % k;
            mlkem_poly_basemul_acc(acc[i], &a[e], &v[j], &vc[j]);
        }
    }
    for (unsigned i = 0; i < k; i++)
        mlkem_poly_from_acc(&r[i], acc[i]);
    qtpm_memzero(acc, sizeof(acc[0]) * k);
}

/* r = Σ_j a[j] ∘ v̂[j] times 2^-16 for a vector a in [0, q); output |c| < q. */
static void vector_dot(const mlkem_params *prm, mlkem_poly *r, const mlkem_poly *a,
                       const mlkem_poly *v, const mlkem_poly_mulcache *vc)
{
    int32_t acc[MLKEM_N] = {0};
    for (unsigned j = 0; j < prm->k; j++)
        mlkem_poly_basemul_acc(acc, &a[j], &v[j], &vc[j]);
    mlkem_poly_from_acc(r, acc);
    qtpm_memzero(acc, sizeof(acc));
}

void mlkem_indcpa_keypair(const mlkem_params *prm, const uint8_t d[MLKEM_SYMBYTES], uint8_t *ek,
                          uint8_t *dk_pke)
{
    uint8_t seed_in[MLKEM_SYMBYTES + 1];
    uint8_t rho_sigma[2 * MLKEM_SYMBYTES]; /* (ρ, σ) = G(d ‖ k) */
    const uint8_t *rho = rho_sigma, *sigma = rho_sigma + MLKEM_SYMBYTES;
    mlkem_poly s[MLKEM_K_MAX], e[MLKEM_K_MAX], t[MLKEM_K_MAX];
    mlkem_poly *noise[2 * MLKEM_K_MAX];
    unsigned eta[2 * MLKEM_K_MAX];
    mlkem_poly_mulcache sc[MLKEM_K_MAX];

    /* Line 1: the rank k is appended to d (FIPS 203 final; domain
     * separation between the parameter sets). */
    memcpy(seed_in, d, MLKEM_SYMBYTES);
    seed_in[MLKEM_SYMBYTES] = (uint8_t)prm->k;
    qtpm_sha3_512(rho_sigma, seed_in, sizeof(seed_in));
    /* ρ is published in ek: sampling A from it may branch on it. */
    QTPM_CT_DECLASSIFY(rho_sigma, MLKEM_SYMBYTES);

    /* Lines 8-15: s[i] ← CBD_η1(PRF(σ, i)), e[i] ← CBD_η1(PRF(σ, k + i)),
     * all 2k in one batch */
    for (unsigned i = 0; i < prm->k; i++) {
        noise[i] = &s[i];
        noise[prm->k + i] = &e[i];
        eta[i] = eta[prm->k + i] = prm->eta1;
    }
    mlkem_poly_sample_cbd_many(noise, eta, 2 * prm->k, sigma, 0);
    /* Lines 16-17: ŝ = NTT(s) in [0, q), ê = NTT(e) with |ê| < 8q */
    for (unsigned i = 0; i < prm->k; i++) {
        mlkem_poly_ntt(&s[i]);
        mlkem_poly_reduce(&s[i]);
        mlkem_poly_mulcache_compute(&sc[i], &s[i]);
        mlkem_poly_ntt(&e[i]);
    }
    /* Line 18: t̂ = Â ∘ ŝ + ê */
    matrix_mul(prm, t, rho, 0, s, sc);
    for (unsigned i = 0; i < prm->k; i++) {
        mlkem_poly_tomont(&t[i]);     /* |t| < q, 2^-16 factor removed */
        mlkem_poly_add(&t[i], &e[i]); /* |t| < 9q < 2^15 */
        mlkem_poly_reduce(&t[i]);
        mlkem_poly_tobytes(ek + (size_t)i * MLKEM_POLYBYTES, &t[i]);
    }
    memcpy(ek + prm->pke_dk_bytes, rho, MLKEM_SYMBYTES);
    /* Line 21: dk_PKE = ByteEncode_12(ŝ) */
    for (unsigned i = 0; i < prm->k; i++)
        mlkem_poly_tobytes(dk_pke + (size_t)i * MLKEM_POLYBYTES, &s[i]);

    qtpm_memzero(seed_in, sizeof(seed_in));
    qtpm_memzero(rho_sigma, sizeof(rho_sigma));
    qtpm_memzero(s, sizeof(s));
    qtpm_memzero(sc, sizeof(sc));
    qtpm_memzero(e, sizeof(e));
    qtpm_memzero(t, sizeof(t));
}

void mlkem_indcpa_enc(const mlkem_params *prm, const uint8_t *ek,
                      const uint8_t m[MLKEM_SYMBYTES], const uint8_t r[MLKEM_SYMBYTES],
                      uint8_t *ct)
{
    const uint8_t *rho = ek + prm->pke_dk_bytes;
    mlkem_poly rv[MLKEM_K_MAX], that[MLKEM_K_MAX], u[MLKEM_K_MAX], e1[MLKEM_K_MAX], v, e2, mu;
    mlkem_poly *noise[2 * MLKEM_K_MAX + 1];
    unsigned eta[2 * MLKEM_K_MAX + 1];
    mlkem_poly_mulcache rc[MLKEM_K_MAX];
    const unsigned k = prm->k;

    /* Lines 2-3: t̂ = ByteDecode_12(ek[0 : 384k]), in [0, q) */
    for (unsigned i = 0; i < k; i++)
        mlkem_poly_frombytes(&that[i], ek + (size_t)i * MLKEM_POLYBYTES);
    /* Lines 9-17: r[i] ← CBD_η1(PRF(r, i)), e1[i] ← CBD_η2(PRF(r, k + i)),
     * e2 ← CBD_η2(PRF(r, 2k)), all 2k + 1 in one batch */
    for (unsigned i = 0; i < k; i++) {
        noise[i] = &rv[i];
        eta[i] = prm->eta1;
        noise[k + i] = &e1[i];
        eta[k + i] = MLKEM_ETA2;
    }
    noise[2 * k] = &e2;
    eta[2 * k] = MLKEM_ETA2;
    mlkem_poly_sample_cbd_many(noise, eta, 2 * k + 1, r, 0);
    /* Line 18: r̂ = NTT(r), in [0, q) */
    for (unsigned i = 0; i < k; i++) {
        mlkem_poly_ntt(&rv[i]);
        mlkem_poly_reduce(&rv[i]);
        mlkem_poly_mulcache_compute(&rc[i], &rv[i]);
    }
    /* Lines 19, 22: u = NTT^-1(Âᵀ ∘ r̂) + e1, then c1 = Encode_du(Compress_du(u)) */
    matrix_mul(prm, u, rho, 1, rv, rc);
    for (unsigned i = 0; i < k; i++) {
        mlkem_poly_invntt_tomont(&u[i]);                          /* |u| < q */
        mlkem_poly_add(&u[i], &e1[i]);                            /* |u| < q + 2 */
        mlkem_poly_reduce(&u[i]);
        mlkem_poly_compress(ct + (size_t)i * 32 * prm->du, &u[i], prm->du);
    }
    /* Lines 20-21, 23: v = NTT^-1(t̂ᵀ ∘ r̂) + e2 + μ, c2 = Encode_dv(Compress_dv(v)) */
    vector_dot(prm, &v, that, rv, rc);
    mlkem_poly_invntt_tomont(&v);                  /* |v| < q */
    mlkem_poly_add(&v, &e2);                       /* e2, |.| <= 2 */
    mlkem_poly_frommsg(&mu, m);                    /* μ in [0, q) */
    mlkem_poly_add(&v, &mu);                       /* |v| < 2q + 2 */
    mlkem_poly_reduce(&v);
    mlkem_poly_compress(ct + prm->ct_u_bytes, &v, prm->dv);

    qtpm_memzero(rv, sizeof(rv));
    qtpm_memzero(rc, sizeof(rc));
    qtpm_memzero(u, sizeof(u));
    qtpm_memzero(e1, sizeof(e1));
    qtpm_memzero(&v, sizeof(v));
    qtpm_memzero(&e2, sizeof(e2));
    qtpm_memzero(&mu, sizeof(mu));
}

void mlkem_indcpa_dec(const mlkem_params *prm, const uint8_t *dk_pke, const uint8_t *ct,
                      uint8_t m[MLKEM_SYMBYTES])
{
    mlkem_poly u[MLKEM_K_MAX], s[MLKEM_K_MAX], v, w;
    mlkem_poly_mulcache uc[MLKEM_K_MAX];

    /* Lines 3-4: u' = Decompress_du(c1), v' = Decompress_dv(c2), both in [0, q) */
    for (unsigned i = 0; i < prm->k; i++) {
        mlkem_poly_decompress(&u[i], ct + (size_t)i * 32 * prm->du, prm->du);
        mlkem_poly_ntt(&u[i]);
        mlkem_poly_reduce(&u[i]);
        mlkem_poly_mulcache_compute(&uc[i], &u[i]);
        /* Line 5: ŝ = ByteDecode_12(dk_PKE), reduced mod q */
        mlkem_poly_frombytes(&s[i], dk_pke + (size_t)i * MLKEM_POLYBYTES);
    }
    mlkem_poly_decompress(&v, ct + prm->ct_u_bytes, prm->dv);
    /* Line 6: w = v' - NTT^-1(ŝᵀ ∘ NTT(u')) */
    vector_dot(prm, &w, s, u, uc);
    mlkem_poly_invntt_tomont(&w); /* |w| < q */
    mlkem_poly_sub(&v, &w);       /* |v| < 2q */
    mlkem_poly_reduce(&v);
    /* Line 7: m = ByteEncode_1(Compress_1(w)) */
    mlkem_poly_tomsg(m, &v);

    qtpm_memzero(s, sizeof(s));
    qtpm_memzero(u, sizeof(u));
    qtpm_memzero(uc, sizeof(uc));
    qtpm_memzero(&v, sizeof(v));
    qtpm_memzero(&w, sizeof(w));
}
