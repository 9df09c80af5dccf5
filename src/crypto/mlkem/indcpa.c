/*
 * indcpa.c — K-PKE (FIPS 203 §5, Algorithms 13, 14 and 15).
 *
 * The matrix Â is never stored: each row is generated entry by entry and
 * folded straight into an int32 accumulator (one Montgomery reduction per
 * row, see poly.h), so the stack holds one matrix polynomial instead of k^2.
 * The vector the rows multiply (ŝ in KeyGen, r̂ in Encrypt, û in Decrypt)
 * gets its mulcache computed once and reused for every row.
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

/* r = Σ_j Â[row, j] ∘ v̂[j] (transposed: Σ_j Â[j, row] ∘ v̂[j]), times 2^-16.
 * v̂ in [0, q) with its mulcaches; output |c| < q. Â comes from SampleNTT:
 * entry Â[i, j] = SampleNTT(ρ ‖ j ‖ i) (Algorithm 13 line 6, Algorithm 14
 * line 6). */
static void matrix_row_mul(const mlkem_params *prm, mlkem_poly *r, const uint8_t rho[32],
                           unsigned row, int transposed, const mlkem_poly *v,
                           const mlkem_poly_mulcache *vc)
{
    int32_t acc[MLKEM_N] = {0};
    mlkem_poly a;
    for (unsigned j = 0; j < prm->k; j++) {
        if (transposed) /* Â[j, row] */
            mlkem_poly_sample_ntt(&a, rho, (uint8_t)row, (uint8_t)j);
        else /* Â[row, j] */
            mlkem_poly_sample_ntt(&a, rho, (uint8_t)j, (uint8_t)row);
        mlkem_poly_basemul_acc(acc, &a, &v[j], &vc[j]);
    }
    mlkem_poly_from_acc(r, acc);
    qtpm_memzero(acc, sizeof(acc));
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
    mlkem_poly s[MLKEM_K_MAX], e, t;
    mlkem_poly_mulcache sc[MLKEM_K_MAX];
    uint8_t nonce = 0;

    /* Line 1: the rank k is appended to d (FIPS 203 final; domain
     * separation between the parameter sets). */
    memcpy(seed_in, d, MLKEM_SYMBYTES);
    seed_in[MLKEM_SYMBYTES] = (uint8_t)prm->k;
    qtpm_sha3_512(rho_sigma, seed_in, sizeof(seed_in));
    /* ρ is published in ek: sampling A from it may branch on it. */
    QTPM_CT_DECLASSIFY(rho_sigma, MLKEM_SYMBYTES);

    /* Lines 8-11: s ← CBD_η1(PRF(σ, N)), then ŝ = NTT(s) in [0, q) */
    for (unsigned i = 0; i < prm->k; i++) {
        mlkem_poly_sample_cbd(&s[i], prm->eta1, sigma, nonce++);
        mlkem_poly_ntt(&s[i]);
        mlkem_poly_reduce(&s[i]);
        mlkem_poly_mulcache_compute(&sc[i], &s[i]);
    }
    /* Lines 12-19: t̂ = Â ∘ ŝ + ê, one row at a time; e[i] uses nonce k + i */
    for (unsigned i = 0; i < prm->k; i++) {
        matrix_row_mul(prm, &t, rho, i, 0, s, sc);
        mlkem_poly_tomont(&t); /* |t| < q, 2^-16 factor removed */
        mlkem_poly_sample_cbd(&e, prm->eta1, sigma, nonce++);
        mlkem_poly_ntt(&e); /* |ê| < 8q */
        mlkem_poly_add(&t, &e); /* |t| < 9q < 2^15 */
        mlkem_poly_reduce(&t);
        mlkem_poly_tobytes(ek + (size_t)i * MLKEM_POLYBYTES, &t);
    }
    memcpy(ek + prm->pke_dk_bytes, rho, MLKEM_SYMBYTES);
    /* Line 21: dk_PKE = ByteEncode_12(ŝ) */
    for (unsigned i = 0; i < prm->k; i++)
        mlkem_poly_tobytes(dk_pke + (size_t)i * MLKEM_POLYBYTES, &s[i]);

    qtpm_memzero(seed_in, sizeof(seed_in));
    qtpm_memzero(rho_sigma, sizeof(rho_sigma));
    qtpm_memzero(s, sizeof(s));
    qtpm_memzero(sc, sizeof(sc));
    qtpm_memzero(&e, sizeof(e));
    qtpm_memzero(&t, sizeof(t));
}

void mlkem_indcpa_enc(const mlkem_params *prm, const uint8_t *ek,
                      const uint8_t m[MLKEM_SYMBYTES], const uint8_t r[MLKEM_SYMBYTES],
                      uint8_t *ct)
{
    const uint8_t *rho = ek + prm->pke_dk_bytes;
    mlkem_poly rv[MLKEM_K_MAX], that[MLKEM_K_MAX], u, v, e;
    mlkem_poly_mulcache rc[MLKEM_K_MAX];
    uint8_t nonce = 0;

    /* Lines 2-3: t̂ = ByteDecode_12(ek[0 : 384k]), in [0, q) */
    for (unsigned i = 0; i < prm->k; i++)
        mlkem_poly_frombytes(&that[i], ek + (size_t)i * MLKEM_POLYBYTES);
    /* Lines 9-12 and 18: r̂ = NTT(CBD_η1(PRF(r, N))), in [0, q) */
    for (unsigned i = 0; i < prm->k; i++) {
        mlkem_poly_sample_cbd(&rv[i], prm->eta1, r, nonce++);
        mlkem_poly_ntt(&rv[i]);
        mlkem_poly_reduce(&rv[i]);
        mlkem_poly_mulcache_compute(&rc[i], &rv[i]);
    }
    /* Lines 13-16 and 19: u = NTT^-1(Âᵀ ∘ r̂) + e1, then c1 = Encode_du(Compress_du(u)) */
    for (unsigned i = 0; i < prm->k; i++) {
        matrix_row_mul(prm, &u, rho, i, 1, rv, rc);
        mlkem_poly_invntt_tomont(&u);                             /* |u| < q */
        mlkem_poly_sample_cbd(&e, MLKEM_ETA2, r, nonce++);        /* |e1| <= 2 */
        mlkem_poly_add(&u, &e);                                   /* |u| < q + 2 */
        mlkem_poly_reduce(&u);
        mlkem_poly_compress(ct + (size_t)i * 32 * prm->du, &u, prm->du);
    }
    /* Lines 17, 20-21: v = NTT^-1(t̂ᵀ ∘ r̂) + e2 + μ, c2 = Encode_dv(Compress_dv(v)) */
    vector_dot(prm, &v, that, rv, rc);
    mlkem_poly_invntt_tomont(&v);                  /* |v| < q */
    mlkem_poly_sample_cbd(&e, MLKEM_ETA2, r, nonce); /* e2, |.| <= 2 */
    mlkem_poly_add(&v, &e);
    mlkem_poly_frommsg(&u, m);                     /* μ in [0, q) */
    mlkem_poly_add(&v, &u);                        /* |v| < 2q + 2 */
    mlkem_poly_reduce(&v);
    mlkem_poly_compress(ct + prm->ct_u_bytes, &v, prm->dv);

    qtpm_memzero(rv, sizeof(rv));
    qtpm_memzero(rc, sizeof(rc));
    qtpm_memzero(&u, sizeof(u));
    qtpm_memzero(&v, sizeof(v));
    qtpm_memzero(&e, sizeof(e));
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
