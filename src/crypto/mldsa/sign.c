/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sign.c — ML-DSA itself (FIPS 204): the internal algorithms KeyGen_internal,
 * Sign_internal and Verify_internal (§6, Algorithms 6-8) and the external
 * interface around them (§5, Algorithms 1-5: pure ML-DSA and HashML-DSA with
 * a context string), plus the external-μ entry points.
 *
 * Memory: no heap. Key generation and verification compute A two rows at a
 * time; signing keeps Â (public, up to 56 KiB for ML-DSA-87) and the NTT forms
 * of s1, s2, t0 across rejection iterations, so each iteration pays only for
 * y, w, c and the three products. Stack: sign_core needs about 100 KiB for
 * ML-DSA-87 (56 KiB of it Â), about 110 KiB for the whole signing path.
 *
 * Secrets (s1, s2, t0, K, ρ', ρ'', y, w0, c of rejected attempts) never
 * choose a branch or an address; they live in one struct that is wiped on
 * every exit. The rejection loop ends on the outcome of the norm and hint
 * checks, which FIPS 204 allows to be observable; each check scans every
 * coefficient with no early exit.
 */
#include <string.h>

#include <openssl/evp.h>

#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "qtpm/mldsa.h"
#include "qtpm/rand.h"
#include "ct.h"
#include "packing.h"
#include "params.h"
#include "poly.h"
#include "polyvec.h"
#include "rounding.h"
#include "sampling.h"

const uint8_t QTPM_MLDSA_DETERMINISTIC[QTPM_MLDSA_RND_BYTES] = {0};

/* FIPS 204 Table 1 and Table 2. */
static const mldsa_params param_sets[3] = {
    {.k = 4, .l = 4, .eta = 2, .tau = 39, .beta = 78, .gamma1 = 1 << 17,
     .gamma2 = (MLDSA_Q - 1) / 88, .omega = 80, .ctilde_bytes = 32,
     .poly_eta_bytes = 96, .poly_z_bytes = 576, .poly_w1_bytes = 192,
     .pk_bytes = 1312, .sk_bytes = 2560, .sig_bytes = 2420},
    {.k = 6, .l = 5, .eta = 4, .tau = 49, .beta = 196, .gamma1 = 1 << 19,
     .gamma2 = (MLDSA_Q - 1) / 32, .omega = 55, .ctilde_bytes = 48,
     .poly_eta_bytes = 128, .poly_z_bytes = 640, .poly_w1_bytes = 128,
     .pk_bytes = 1952, .sk_bytes = 4032, .sig_bytes = 3309},
    {.k = 8, .l = 7, .eta = 2, .tau = 60, .beta = 120, .gamma1 = 1 << 19,
     .gamma2 = (MLDSA_Q - 1) / 32, .omega = 75, .ctilde_bytes = 64,
     .poly_eta_bytes = 96, .poly_z_bytes = 640, .poly_w1_bytes = 128,
     .pk_bytes = 2592, .sk_bytes = 4896, .sig_bytes = 4627},
};

const mldsa_params *mldsa_params_get(qtpm_mldsa_set set)
{
    switch (set) {
    case QTPM_MLDSA_44: return &param_sets[0];
    case QTPM_MLDSA_65: return &param_sets[1];
    case QTPM_MLDSA_87: return &param_sets[2];
    default: return NULL;
    }
}

size_t qtpm_mldsa_pk_bytes(qtpm_mldsa_set set)
{
    const mldsa_params *p = mldsa_params_get(set);
    return p ? p->pk_bytes : 0;
}

size_t qtpm_mldsa_sk_bytes(qtpm_mldsa_set set)
{
    const mldsa_params *p = mldsa_params_get(set);
    return p ? p->sk_bytes : 0;
}

size_t qtpm_mldsa_sig_bytes(qtpm_mldsa_set set)
{
    const mldsa_params *p = mldsa_params_get(set);
    return p ? p->sig_bytes : 0;
}

/* H = SHAKE256 over up to three pieces (FIPS 204 §3.7). */
static void shake256_3(uint8_t *out, size_t outlen, const uint8_t *a, size_t alen,
                       const uint8_t *b, size_t blen, const uint8_t *c, size_t clen)
{
    qtpm_keccak_ctx h;
    qtpm_shake256_init(&h);
    qtpm_keccak_absorb(&h, a, alen);
    qtpm_keccak_absorb(&h, b, blen);
    qtpm_keccak_absorb(&h, c, clen);
    qtpm_keccak_squeeze(&h, out, outlen);
    qtpm_memzero(&h, sizeof(h));
}

/* ------------------------------------------------------------------------ */
/* FIPS 204 Algorithm 6, ML-DSA.KeyGen_internal(ξ)                           */
/* ------------------------------------------------------------------------ */

struct keygen_secrets {
    uint8_t seedbuf[2 * MLDSA_SEEDBYTES + MLDSA_CRHBYTES]; /* ρ ‖ ρ' ‖ K */
    mldsa_poly s1[MLDSA_LMAX], s1hat[MLDSA_LMAX], s2[MLDSA_KMAX], t0[MLDSA_KMAX];
    mldsa_poly t;
};

static void keygen_core(const mldsa_params *p, const uint8_t xi[MLDSA_SEEDBYTES],
                        uint8_t *pk, uint8_t *sk)
{
    struct keygen_secrets s;
    mldsa_poly rows[2][MLDSA_LMAX], t1[MLDSA_KMAX];
    uint8_t dims[2] = {(uint8_t)p->k, (uint8_t)p->l};
    uint8_t tr[MLDSA_TRBYTES];
    const uint8_t *rho = s.seedbuf;
    const uint8_t *rhoprime = s.seedbuf + MLDSA_SEEDBYTES;
    const uint8_t *key = s.seedbuf + MLDSA_SEEDBYTES + MLDSA_CRHBYTES;

    /* Line 1: (ρ, ρ', K) = H(ξ ‖ IntegerToBytes(k,1) ‖ IntegerToBytes(l,1), 128). */
    shake256_3(s.seedbuf, sizeof(s.seedbuf), xi, MLDSA_SEEDBYTES, dims, 2, NULL, 0);
    /* ρ is published in pk: expanding Â from it may branch on it. */
    QTPM_CT_DECLASSIFY(s.seedbuf, MLDSA_SEEDBYTES);
    /* Line 4: ExpandS (Algorithm 33): s1 with nonces 0..l-1, s2 with l..l+k-1,
     * sampled as one batch. */
    mldsa_poly *sv[MLDSA_LMAX + MLDSA_KMAX];
    for (unsigned r = 0; r < p->l; r++)
        sv[r] = &s.s1[r];
    for (unsigned r = 0; r < p->k; r++)
        sv[p->l + r] = &s.s2[r];
    mldsa_poly_uniform_eta_many(sv, rhoprime, 0, p->l + p->k, p->eta);
    /* Line 5: t = NTT^-1(Â ∘ NTT(s1)) + s2, two rows of Â at a time (for
     * odd l a pair fills the four-way batches of ExpandA better). */
    memcpy(s.s1hat, s.s1, sizeof(s.s1));
    mldsa_polyvec_ntt(s.s1hat, p->l);
    for (unsigned i = 0; i < p->k; i++) {
        if (i % 2 == 0)
            mldsa_expand_a_rows(rows, rho, i, p->k - i < 2 ? 1 : 2, p->l);
        mldsa_matrix_row_mul(&s.t, rows[i % 2], s.s1hat, p->l);
        mldsa_poly_invntt_tomont(&s.t);       /* [-q, q) */
        mldsa_poly_add(&s.t, &s.t, &s.s2[i]); /* |t| < q + η */
        mldsa_poly_reduce(&s.t);
        mldsa_poly_caddq(&s.t);                /* [0, q) */
        /* Line 6: Power2Round. */
        mldsa_poly_power2round(&t1[i], &s.t0[i], &s.t);
    }
    /* Lines 8-10: pk, tr = H(pk, 64), sk. */
    mldsa_pack_pk(pk, rho, t1, p);
    qtpm_shake256(tr, sizeof(tr), pk, p->pk_bytes);
    mldsa_pack_sk(sk, rho, key, tr, s.s1, s.s2, s.t0, p);
    qtpm_memzero(&s, sizeof(s));
}

/* ------------------------------------------------------------------------ */
/* FIPS 204 Algorithm 7, ML-DSA.Sign_internal(sk, M', rnd) from μ (line 6)   */
/* ------------------------------------------------------------------------ */

/* What Sign_internal needs once skDecode is done (lines 1-5 and K, tr):
 * Â, ŝ1, ŝ2, t̂0 in the NTT domain. Either on sign_core's stack or in a
 * caller's qtpm_mldsa_expanded (computed once per key). */
typedef struct {
    const mldsa_poly *mat; /* k·l entries, row-major, row stride l */
    const mldsa_poly *s1hat, *s2hat, *t0hat;
    const uint8_t *key;    /* K */
} sign_key_view;

struct sign_secrets {
    mldsa_poly y[MLDSA_LMAX];  /* y, then NTT(y), then z */
    mldsa_poly w0[MLDSA_KMAX]; /* w, then w0, then r0 = w0 - cs2, then + ct0 */
    mldsa_poly cp, tmp;        /* NTT(c)·2^32, scratch */
    uint8_t w1[MLDSA_KMAX][MLDSA_N]; /* w1, then the hint h */
    uint8_t w1enc[MLDSA_KMAX * 192];
    uint8_t ctilde[MLDSA_CTILDE_MAX];
    uint8_t rhopp[MLDSA_CRHBYTES];
};

/* Lines 1-4 of Algorithm 7 for the secret vectors: skDecode (refusing
 * coefficients outside [-η, η]) and the NTT forms. Returns QTPM_OK or
 * QTPM_E_INVALID; s1hat, s2hat, t0hat are written either way (the caller
 * wipes them). */
static int decode_secrets(const mldsa_params *p, const uint8_t *sk, mldsa_poly *s1hat,
                          mldsa_poly *s2hat, mldsa_poly *t0hat)
{
    int bad = 0;
    for (unsigned i = 0; i < p->l; i++)
        bad |= mldsa_unpack_sk_s(&s1hat[i], sk, i, p);
    for (unsigned i = 0; i < p->k; i++) {
        bad |= mldsa_unpack_sk_s(&s2hat[i], sk, p->l + i, p);
        mldsa_unpack_sk_t0(&t0hat[i], sk, i, p);
    }
    /* Whether the key is well formed is not a secret of the key. */
    QTPM_CT_DECLASSIFY(&bad, sizeof(bad));
    if (bad)
        return QTPM_E_INVALID;
    /* Lines 2-4: the NTT forms are computed once for all iterations. */
    mldsa_polyvec_ntt(s1hat, p->l);
    mldsa_polyvec_ntt(s2hat, p->k);
    mldsa_polyvec_ntt(t0hat, p->k);
    return QTPM_OK;
}

/* Lines 7-33 of Algorithm 7: ρ'' and the rejection loop. */
static void sign_loop(const mldsa_params *p, const sign_key_view *kv,
                      const uint8_t mu[MLDSA_CRHBYTES], const uint8_t rnd[MLDSA_SEEDBYTES],
                      uint8_t *sig)
{
    struct sign_secrets s;
    const int32_t gamma1 = p->gamma1, gamma2 = p->gamma2;
    const size_t w1_bytes = p->k * p->poly_w1_bytes;

    /* Line 7: ρ'' = H(K ‖ rnd ‖ μ, 64). */
    shake256_3(s.rhopp, MLDSA_CRHBYTES, kv->key, MLDSA_SEEDBYTES, rnd, MLDSA_SEEDBYTES, mu,
               MLDSA_CRHBYTES);

    for (uint16_t kappa = 0;; kappa = (uint16_t)(kappa + p->l)) {
        int reject;
        unsigned hints = 0;

        /* Line 11: y = ExpandMask(ρ'', κ); |y| <= γ1. */
        mldsa_poly_uniform_gamma1_many(s.y, s.rhopp, kappa, p->l, gamma1);
        /* Line 12: w = NTT^-1(Â ∘ NTT(y)); y is transformed in place and
         * kept only in the NTT domain (ŷ in [0, 4q)). */
        mldsa_polyvec_ntt(s.y, p->l);
        for (unsigned i = 0; i < p->k; i++) {
            mldsa_matrix_row_mul(&s.w0[i], kv->mat + i * p->l, s.y, p->l);
            mldsa_poly_invntt_tomont(&s.w0[i]);
            mldsa_poly_caddq(&s.w0[i]); /* [0, q) */
            /* Line 13: w1 = HighBits(w), keeping w0 = LowBits(w) too. */
            mldsa_poly_decompose(s.w1[i], &s.w0[i], &s.w0[i], gamma2);
            mldsa_polyw1_pack(s.w1enc + i * p->poly_w1_bytes, s.w1[i], gamma2);
        }
        /* Line 15: c~ = H(μ ‖ w1Encode(w1), λ/4). */
        shake256_3(s.ctilde, p->ctilde_bytes, mu, MLDSA_CRHBYTES, s.w1enc, w1_bytes, NULL, 0);
        /* c~ is published when this attempt is accepted; a rejected attempt's
         * c~ hides w1 behind H, so SampleInBall may branch on it (the same
         * reasoning as the FIPS 204 reference and mldsa-native). */
        QTPM_CT_DECLASSIFY(s.ctilde, p->ctilde_bytes);
        /* Lines 16-17: c = SampleInBall(c~), NTT(c). Scaling c by 2^32 first
         * makes each Montgomery product with ĉ an exact product. */
        mldsa_poly_challenge(&s.cp, s.ctilde, p->ctilde_bytes, p->tau);
        for (unsigned n = 0; n < MLDSA_N; n++)
            s.cp.coeffs[n] *= MLDSA_MONT; /* {-1,0,1}·(2^32 mod q), |.| < q */
        mldsa_poly_ntt(&s.cp);        /* ĉ in [0, 4q) */

        /* Lines 18-20: z = y + cs1 = NTT^-1(ŷ + ĉ∘ŝ1). */
        for (unsigned r = 0; r < p->l; r++) {
            mldsa_poly_pointwise_montgomery(&s.tmp, &s.cp, &kv->s1hat[r]); /* |.| < q */
            mldsa_poly_add(&s.y[r], &s.y[r], &s.tmp); /* (-q, 5q) */
            mldsa_poly_reduce(&s.y[r]);
            mldsa_poly_invntt(&s.y[r]);
            /* The true value is below γ1 + β < 2^22 in magnitude; reduce32
             * picks exactly that representative. */
            mldsa_poly_reduce(&s.y[r]);
        }
        /* Line 23, first half: ||z||∞ >= γ1 - β rejects. */
        reject = mldsa_polyvec_chknorm(s.y, p->l, gamma1 - (int32_t)p->beta);
        /* The accept/reject decision of an attempt is public (FIPS 204 §3.4). */
        QTPM_CT_DECLASSIFY(&reject, sizeof(reject));
        if (reject)
            continue;

        /* Lines 19, 21, 23: r0 = LowBits(w - cs2) = w0 - cs2 (exact while
         * ||w0 - cs2||∞ < γ2 - β, which is what is checked). */
        for (unsigned i = 0; i < p->k; i++) {
            mldsa_poly_pointwise_montgomery(&s.tmp, &s.cp, &kv->s2hat[i]);
            mldsa_poly_invntt(&s.tmp);                 /* cs2 up to ±q */
            mldsa_poly_sub(&s.w0[i], &s.w0[i], &s.tmp); /* |.| < γ2 + q */
            mldsa_poly_reduce(&s.w0[i]);                /* exact: |w0 - cs2| < 2^22 */
        }
        reject = mldsa_polyvec_chknorm(s.w0, p->k, gamma2 - (int32_t)p->beta);
        QTPM_CT_DECLASSIFY(&reject, sizeof(reject));
        if (reject)
            continue;

        /* Lines 25-28: ct0, its norm, and the hints. */
        for (unsigned i = 0; i < p->k; i++) {
            mldsa_poly_pointwise_montgomery(&s.tmp, &s.cp, &kv->t0hat[i]);
            mldsa_poly_invntt(&s.tmp);
            mldsa_poly_reduce(&s.tmp); /* exact: |ct0| <= τ·2^12 */
            reject |= mldsa_poly_chknorm(&s.tmp, gamma2);
            mldsa_poly_add(&s.w0[i], &s.w0[i], &s.tmp); /* w0 - cs2 + ct0 */
            hints += mldsa_poly_make_hint(s.w1[i], &s.w0[i], gamma2);
        }
        QTPM_CT_DECLASSIFY(&reject, sizeof(reject));
        QTPM_CT_DECLASSIFY(&hints, sizeof(hints));
        if (reject || hints > p->omega)
            continue;
        /* Accepted: z and the hints are the signature, public from here on. */
        QTPM_CT_DECLASSIFY(s.y, sizeof(s.y[0]) * p->l);
        QTPM_CT_DECLASSIFY(s.w1, sizeof(s.w1[0]) * p->k);

        /* Line 33: sigEncode(c~, z mod± q, h). */
        memcpy(sig, s.ctilde, p->ctilde_bytes);
        for (unsigned r = 0; r < p->l; r++)
            mldsa_polyz_pack(sig + p->ctilde_bytes + r * p->poly_z_bytes, &s.y[r], gamma1);
        mldsa_pack_hint(sig + p->ctilde_bytes + p->l * p->poly_z_bytes,
                        (const uint8_t(*)[MLDSA_N])s.w1, p);
        break;
    }
    qtpm_memzero(&s, sizeof(s));
}

/* Algorithm 7 from skEncode bytes: decode, Â, then the loop. */
static int sign_core(const mldsa_params *p, const uint8_t *sk, const uint8_t mu[MLDSA_CRHBYTES],
                     const uint8_t rnd[MLDSA_SEEDBYTES], uint8_t *sig)
{
    struct {
        mldsa_poly s1hat[MLDSA_LMAX], s2hat[MLDSA_KMAX], t0hat[MLDSA_KMAX];
    } sec;
    mldsa_poly mat[MLDSA_KMAX * MLDSA_LMAX];
    int rc = decode_secrets(p, sk, sec.s1hat, sec.s2hat, sec.t0hat);
    if (rc == QTPM_OK) {
        /* Line 5: Â = ExpandA(ρ), stored with row stride l. */
        mldsa_expand_a_flat(mat, sk, p);
        sign_key_view kv = {mat, sec.s1hat, sec.s2hat, sec.t0hat, sk + MLDSA_SEEDBYTES};
        sign_loop(p, &kv, mu, rnd, sig);
    }
    qtpm_memzero(&sec, sizeof(sec));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* FIPS 204 Algorithm 8, ML-DSA.Verify_internal(pk, M', σ) from μ (line 7)   */
/* ------------------------------------------------------------------------ */

static int verify_core(const mldsa_params *p, const uint8_t *pk, const uint8_t mu[MLDSA_CRHBYTES],
                       const uint8_t *sig)
{
    mldsa_poly z[MLDSA_LMAX], rows[2][MLDSA_LMAX], c, w, t1;
    uint8_t h[MLDSA_KMAX][MLDSA_N];
    uint8_t w1[MLDSA_N];
    uint8_t w1enc[MLDSA_KMAX * 192];
    uint8_t ctilde2[MLDSA_CTILDE_MAX];
    const uint8_t *ctilde = sig;

    /* Line 2: sigDecode; a malformed hint encoding is ⊥ (line 4). */
    for (unsigned r = 0; r < p->l; r++)
        mldsa_polyz_unpack(&z[r], sig + p->ctilde_bytes + r * p->poly_z_bytes, p->gamma1);
    if (mldsa_unpack_hint(h, sig + p->ctilde_bytes + p->l * p->poly_z_bytes, p) != 0)
        return QTPM_E_VERIFY;
    /* Line 13's norm condition, checked early: everything here is public. */
    if (mldsa_polyvec_chknorm(z, p->l, p->gamma1 - (int32_t)p->beta))
        return QTPM_E_VERIFY;

    /* Lines 8-9: c = SampleInBall(c~); w'approx = NTT^-1(Â∘NTT(z) - NTT(c)∘NTT(t1·2^d)). */
    mldsa_poly_challenge(&c, ctilde, p->ctilde_bytes, p->tau);
    mldsa_poly_ntt(&c);
    mldsa_polyvec_ntt(z, p->l);
    for (unsigned i = 0; i < p->k; i++) {
        if (i % 2 == 0) /* two rows of Â at a time, as in keygen_core */
            mldsa_expand_a_rows(rows, pk, i, p->k - i < 2 ? 1 : 2, p->l);
        mldsa_matrix_row_mul(&w, rows[i % 2], z, p->l);  /* |w| < q */
        mldsa_unpack_pk_t1(&t1, pk, i);
        mldsa_poly_shiftl(&t1);                           /* [0, 2^23) */
        mldsa_poly_ntt(&t1);                              /* [0, 4q) */
        mldsa_poly_pointwise_montgomery(&t1, &c, &t1);    /* |.| < q */
        mldsa_poly_sub(&w, &w, &t1);                      /* |.| < 2q */
        mldsa_poly_reduce(&w);
        mldsa_poly_invntt_tomont(&w);
        mldsa_poly_caddq(&w);                             /* [0, q) */
        /* Line 10: w1' = UseHint(h, w'approx). */
        mldsa_poly_use_hint(&w, &w, h[i], p->gamma2);
        for (unsigned n = 0; n < MLDSA_N; n++)
            w1[n] = (uint8_t)w.coeffs[n];
        mldsa_polyw1_pack(w1enc + i * p->poly_w1_bytes, w1, p->gamma2);
    }
    /* Lines 12-13: c~' = H(μ ‖ w1Encode(w1'), λ/4) must equal c~. */
    shake256_3(ctilde2, p->ctilde_bytes, mu, MLDSA_CRHBYTES, w1enc,
               p->k * p->poly_w1_bytes, NULL, 0);
    return ct_memneq(ctilde, ctilde2, p->ctilde_bytes) ? QTPM_E_VERIFY : QTPM_OK;
}

/* ------------------------------------------------------------------------ */
/* External interface (FIPS 204 §5)                                         */
/* ------------------------------------------------------------------------ */

int qtpm_mldsa_keygen_internal(qtpm_mldsa_set set, const uint8_t xi[QTPM_MLDSA_SEED_BYTES],
                               uint8_t *pk, uint8_t *sk)
{
    const mldsa_params *p = mldsa_params_get(set);
    uint8_t sk_local[QTPM_MLDSA_MAX_SK_BYTES];
    if (!p || !xi || !pk)
        return QTPM_E_PARAM;
    keygen_core(p, xi, pk, sk ? sk : sk_local);
    qtpm_memzero(sk_local, sizeof(sk_local));
    return QTPM_OK;
}

/* FIPS 204 Algorithm 1, ML-DSA.KeyGen(). */
int qtpm_mldsa_keygen(qtpm_mldsa_set set, uint8_t *pk, uint8_t *sk,
                      uint8_t seed_out[QTPM_MLDSA_SEED_BYTES])
{
    uint8_t xi[QTPM_MLDSA_SEED_BYTES];
    int rc;
    if (!mldsa_params_get(set) || !pk)
        return QTPM_E_PARAM;
    if (qtpm_random_bytes(xi, sizeof(xi)) != QTPM_OK)
        return QTPM_E_RNG;
    rc = qtpm_mldsa_keygen_internal(set, xi, pk, sk);
    if (rc == QTPM_OK && seed_out)
        memcpy(seed_out, xi, sizeof(xi));
    qtpm_memzero(xi, sizeof(xi));
    return rc;
}

/* A private key is either skEncode's output or the 32-byte seed ξ; the
 * latter is expanded into buf (FIPS 204 Algorithm 6) and the expanded form
 * used. Returns the expanded key or NULL (with *rc set). */
static const uint8_t *expanded_sk(const mldsa_params *p, const uint8_t *sk, size_t sk_len,
                                  uint8_t buf[QTPM_MLDSA_MAX_SK_BYTES], int *rc)
{
    uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES];
    if (!sk) {
        *rc = QTPM_E_PARAM;
        return NULL;
    }
    if (sk_len == p->sk_bytes)
        return sk;
    if (sk_len != QTPM_MLDSA_SEED_BYTES) {
        *rc = QTPM_E_LENGTH;
        return NULL;
    }
    keygen_core(p, sk, pk, buf);
    return buf;
}

/* ------------------------------------------------------------------------ */
/* M' and μ (FIPS 204 Algorithm 2 line 10, Algorithm 4 lines 10-23)          */
/* ------------------------------------------------------------------------ */

/* HashML-DSA pre-hash functions: DER of the NIST OIDs 2.16.840.1.101.3.4.2.x
 * (FIPS 204 §5.4.1) and digest lengths (SHAKE128: 256 bits, SHAKE256: 512). */
static const uint8_t oid_prefix[10] = {0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02};
#define OID_BYTES 11
#define PH_MAX_BYTES 64

static int prehash_info(qtpm_mldsa_prehash ph, uint8_t oid[OID_BYTES], size_t *digest_len)
{
    uint8_t arc;
    switch (ph) {
    case QTPM_PH_SHA256: arc = 0x01; *digest_len = 32; break;
    case QTPM_PH_SHA384: arc = 0x02; *digest_len = 48; break;
    case QTPM_PH_SHA512: arc = 0x03; *digest_len = 64; break;
    case QTPM_PH_SHAKE128: arc = 0x0B; *digest_len = 32; break;
    case QTPM_PH_SHAKE256: arc = 0x0C; *digest_len = 64; break;
    default: return QTPM_E_PARAM;
    }
    memcpy(oid, oid_prefix, sizeof(oid_prefix));
    oid[10] = arc;
    return QTPM_OK;
}

/* PH(M) of Algorithm 4 lines 10-22: SHA-2 through OpenSSL, SHAKE ours. */
static int prehash(qtpm_mldsa_prehash ph, const uint8_t *msg, size_t msg_len,
                   uint8_t out[PH_MAX_BYTES])
{
    const EVP_MD *md = NULL;
    unsigned int outlen = 0;
    switch (ph) {
    case QTPM_PH_SHA256: md = EVP_sha256(); break;
    case QTPM_PH_SHA384: md = EVP_sha384(); break;
    case QTPM_PH_SHA512: md = EVP_sha512(); break;
    case QTPM_PH_SHAKE128: qtpm_shake128(out, 32, msg, msg_len); return QTPM_OK;
    case QTPM_PH_SHAKE256: qtpm_shake256(out, 64, msg, msg_len); return QTPM_OK;
    default: return QTPM_E_PARAM;
    }
    if (!md || EVP_Digest(msg_len ? msg : (const uint8_t *)"", msg_len, out, &outlen, md,
                          NULL) != 1)
        return QTPM_E_CRYPTO;
    return QTPM_OK;
}

/* The pieces of M' (Algorithm 2 line 10, Algorithm 4 line 23):
 * domain ‖ |ctx| ‖ ctx ‖ oid ‖ data, with domain 0 (pure ML-DSA: data is M,
 * no oid) or 1 (HashML-DSA: data is PH(M)). When PH(M) is computed here it
 * lives in digest and data points to it, so an M' is passed by pointer and
 * never copied. */
typedef struct {
    uint8_t domain;
    const uint8_t *ctx;
    size_t ctx_len;
    uint8_t oid[OID_BYTES];
    size_t oid_len;
    const uint8_t *data;
    size_t data_len;
    uint8_t digest[PH_MAX_BYTES];
} message_prime;

/* M' of pure ML-DSA. Nothing is refused here: check_message does that,
 * after the key's own checks. */
static void message_pure(message_prime *m, const uint8_t *msg, size_t msg_len,
                         const uint8_t *ctx, size_t ctx_len)
{
    m->domain = 0;
    m->ctx = ctx;
    m->ctx_len = ctx_len;
    m->oid_len = 0;
    m->data = msg;
    m->data_len = msg_len;
}

/* What the data of a HashML-DSA call is: M, to be hashed here, or PH(M). */
typedef enum { HASHML_MESSAGE, HASHML_DIGEST } hashml_data;

/* M' of HashML-DSA, the part of Algorithm 4 that comes before any key is
 * looked at: PH must be known (else QTPM_E_PARAM). A HASHML_DIGEST must be
 * there with PH's output length (QTPM_E_PARAM, QTPM_E_LENGTH); a
 * HASHML_MESSAGE may be NULL only when empty, and PH(M) is computed into
 * m->digest. Every signing and verifying entry point of HashML-DSA, for an
 * encoded key, a seed or an expanded key, starts here. */
static int message_hashml(message_prime *m, qtpm_mldsa_prehash ph, hashml_data kind,
                          const uint8_t *data, size_t data_len, const uint8_t *ctx,
                          size_t ctx_len)
{
    size_t digest_len;
    int rc;
    if ((rc = prehash_info(ph, m->oid, &digest_len)) != QTPM_OK)
        return rc;
    if (kind == HASHML_DIGEST) {
        if (!data)
            return QTPM_E_PARAM;
        if (data_len != digest_len)
            return QTPM_E_LENGTH;
        m->data = data;
    } else {
        if (data_len > 0 && !data)
            return QTPM_E_PARAM;
        if ((rc = prehash(ph, data, data_len, m->digest)) != QTPM_OK)
            return rc;
        m->data = m->digest;
    }
    m->domain = 1;
    m->ctx = ctx;
    m->ctx_len = ctx_len;
    m->oid_len = OID_BYTES;
    m->data_len = digest_len;
    return QTPM_OK;
}

/* The checks every M' gets, after the key's: a context of at most 255
 * bytes (Algorithm 2 line 1, Algorithm 4 line 1), and no NULL pointer
 * behind a non-empty piece. */
static int check_message(const message_prime *m)
{
    if (m->ctx_len > QTPM_MLDSA_MAX_CTX_BYTES)
        return QTPM_E_LENGTH;
    if (m->ctx_len > 0 && !m->ctx)
        return QTPM_E_PARAM;
    if (m->data_len > 0 && !m->data)
        return QTPM_E_PARAM;
    return QTPM_OK;
}

/* μ = H(tr ‖ M', 64) (Algorithm 7 line 6, Algorithm 8 line 7). */
static void compute_mu(const uint8_t tr[MLDSA_TRBYTES], const message_prime *m,
                       uint8_t mu[MLDSA_CRHBYTES])
{
    qtpm_keccak_ctx h;
    uint8_t head[2] = {m->domain, (uint8_t)m->ctx_len};
    qtpm_shake256_init(&h);
    qtpm_keccak_absorb(&h, tr, MLDSA_TRBYTES);
    qtpm_keccak_absorb(&h, head, 2);
    qtpm_keccak_absorb(&h, m->ctx, m->ctx_len);
    qtpm_keccak_absorb(&h, m->oid, m->oid_len);
    qtpm_keccak_absorb(&h, m->data, m->data_len);
    qtpm_keccak_squeeze(&h, mu, MLDSA_CRHBYTES);
    qtpm_memzero(&h, sizeof(h));
}

/* ------------------------------------------------------------------------ */
/* Signing keys: encoded, seed, expanded                                    */
/* ------------------------------------------------------------------------ */

/* The expanded signing key (qtpm/mldsa.h): Algorithm 7 lines 1-5 done
 * once. magic is MLDSA_ESK_MAGIC + set, so a buffer that was never filled
 * (or was wiped) and a key of another set are refused. */
#define MLDSA_ESK_MAGIC 0x6d6c6473u /* "mlds" */
struct qtpm_mldsa_expanded {
    uint32_t magic;
    uint32_t set;
    uint8_t key[MLDSA_SEEDBYTES];
    uint8_t tr[MLDSA_TRBYTES];
    mldsa_poly polys[]; /* Â (k·l, row-major), ŝ1 (l), ŝ2 (k), t̂0 (k) */
};

static size_t esk_polys(const mldsa_params *p)
{
    return p->k * p->l + p->l + 2 * p->k;
}

size_t qtpm_mldsa_expanded_bytes(qtpm_mldsa_set set)
{
    const mldsa_params *p = mldsa_params_get(set);
    return p ? sizeof(qtpm_mldsa_expanded) + esk_polys(p) * sizeof(mldsa_poly) : 0;
}

static sign_key_view esk_view(const mldsa_params *p, const qtpm_mldsa_expanded *e)
{
    const mldsa_poly *mat = e->polys, *s1 = mat + p->k * p->l;
    sign_key_view kv = {mat, s1, s1 + p->l, s1 + p->l + p->k, e->key};
    return kv;
}

/* The parameters of a filled expanded key, or NULL. */
static const mldsa_params *esk_params(const qtpm_mldsa_expanded *e)
{
    if (!e)
        return NULL;
    const mldsa_params *p = mldsa_params_get((qtpm_mldsa_set)e->set);
    return p && e->magic == MLDSA_ESK_MAGIC + e->set ? p : NULL;
}

/* A private key as the caller gives it: skEncode bytes or the seed ξ of a
 * parameter set, or an expanded key. p is NULL for an unknown set or for a
 * buffer qtpm_mldsa_expand did not fill. */
typedef struct {
    const mldsa_params *p;
    const uint8_t *sk; /* skEncode bytes or ξ, sk_len bytes; or NULL */
    size_t sk_len;
    const qtpm_mldsa_expanded *esk; /* or this */
} signing_key;

static signing_key encoded_key(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len)
{
    signing_key k = {mldsa_params_get(set), sk, sk_len, NULL};
    return k;
}

static signing_key expanded_key(const qtpm_mldsa_expanded *esk)
{
    signing_key k = {esk_params(esk), NULL, 0, esk};
    return k;
}

/* The one signing body: Algorithms 2 and 4 (m is M', mu NULL) or external μ
 * (m NULL, mu given), for any key form. In order: the key and output are
 * there (QTPM_E_PARAM), M' passes check_message, an encoded key has a
 * valid length (a seed is expanded here, Algorithm 6), μ = H(tr ‖ M'), then
 * Sign_internal with fresh randomness when rnd is NULL (hedged, Algorithm
 * 2 lines 5-8) or the caller's rnd. The expanded seed, μ and the fresh rnd
 * are wiped on every exit after they exist. */
static int sign_key(const signing_key *k, const message_prime *m, const uint8_t *mu,
                    const uint8_t *rnd, uint8_t *sig)
{
    uint8_t buf[QTPM_MLDSA_MAX_SK_BYTES];
    uint8_t mu_m[MLDSA_CRHBYTES], fresh[MLDSA_SEEDBYTES];
    const uint8_t *enc = NULL;
    int rc = QTPM_OK;
    if (!k->p || !sig || (!m && !mu))
        return QTPM_E_PARAM;
    if (m && (rc = check_message(m)) != QTPM_OK)
        return rc;
    if (!k->esk && !(enc = expanded_sk(k->p, k->sk, k->sk_len, buf, &rc)))
        return rc;
    if (m) {
        compute_mu(k->esk ? k->esk->tr : enc + 2 * MLDSA_SEEDBYTES, m, mu_m);
        mu = mu_m;
    }
    if (!rnd) {
        if (qtpm_random_bytes(fresh, sizeof(fresh)) != QTPM_OK) {
            rc = QTPM_E_RNG;
            goto out;
        }
        rnd = fresh;
    }
    if (k->esk) {
        sign_key_view kv = esk_view(k->p, k->esk);
        sign_loop(k->p, &kv, mu, rnd, sig);
    } else {
        rc = sign_core(k->p, enc, mu, rnd, sig);
    }
out:
    qtpm_memzero(fresh, sizeof(fresh));
    qtpm_memzero(mu_m, sizeof(mu_m));
    if (!k->esk)
        qtpm_memzero(buf, sizeof(buf));
    return rc;
}

int qtpm_mldsa_expand(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                      qtpm_mldsa_expanded *esk, size_t esk_len)
{
    const mldsa_params *p = mldsa_params_get(set);
    uint8_t buf[QTPM_MLDSA_MAX_SK_BYTES];
    const uint8_t *enc;
    int rc;
    if (!p || !esk)
        return QTPM_E_PARAM;
    if (esk_len < qtpm_mldsa_expanded_bytes(set))
        return QTPM_E_LENGTH;
    esk->magic = 0;
    if (!(enc = expanded_sk(p, sk, sk_len, buf, &rc)))
        return rc;
    mldsa_poly *mat = esk->polys, *s1 = mat + p->k * p->l;
    rc = decode_secrets(p, enc, s1, s1 + p->l, s1 + p->l + p->k);
    if (rc == QTPM_OK) {
        mldsa_expand_a_flat(mat, enc, p); /* ρ is the first field of sk */
        memcpy(esk->key, enc + MLDSA_SEEDBYTES, MLDSA_SEEDBYTES);
        memcpy(esk->tr, enc + 2 * MLDSA_SEEDBYTES, MLDSA_TRBYTES);
        esk->set = (uint32_t)set;
        esk->magic = MLDSA_ESK_MAGIC + (uint32_t)set;
    } else {
        qtpm_memzero(esk, qtpm_mldsa_expanded_bytes(set));
    }
    qtpm_memzero(buf, sizeof(buf));
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Verification body                                                        */
/* ------------------------------------------------------------------------ */

/* Algorithms 3 and 5 after M' is built. */
static int verify_message(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                          const message_prime *m, const uint8_t *sig, size_t sig_len)
{
    const mldsa_params *p = mldsa_params_get(set);
    uint8_t tr[MLDSA_TRBYTES], mu[MLDSA_CRHBYTES];
    int rc;
    if (!p || !pk || !sig)
        return QTPM_E_PARAM;
    if ((rc = check_message(m)) != QTPM_OK)
        return rc;
    if (pk_len != p->pk_bytes)
        return QTPM_E_LENGTH;
    if (sig_len != p->sig_bytes)
        return QTPM_E_VERIFY;
    qtpm_shake256(tr, sizeof(tr), pk, pk_len);
    compute_mu(tr, m, mu);
    return verify_core(p, pk, mu, sig);
}

/* ------------------------------------------------------------------------ */
/* Entry points: pure ML-DSA (Algorithms 2, 3)                              */
/* ------------------------------------------------------------------------ */

int qtpm_mldsa_sign(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                    const uint8_t *msg, size_t msg_len, const uint8_t *ctx, size_t ctx_len,
                    const uint8_t *rnd, uint8_t *sig)
{
    signing_key k = encoded_key(set, sk, sk_len);
    message_prime m;
    message_pure(&m, msg, msg_len, ctx, ctx_len);
    return sign_key(&k, &m, NULL, rnd, sig);
}

int qtpm_mldsa_sign_expanded(const qtpm_mldsa_expanded *esk, const uint8_t *msg,
                             size_t msg_len, const uint8_t *ctx, size_t ctx_len,
                             const uint8_t *rnd, uint8_t *sig)
{
    signing_key k = expanded_key(esk);
    message_prime m;
    message_pure(&m, msg, msg_len, ctx, ctx_len);
    return sign_key(&k, &m, NULL, rnd, sig);
}

int qtpm_mldsa_verify(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                      const uint8_t *msg, size_t msg_len, const uint8_t *ctx, size_t ctx_len,
                      const uint8_t *sig, size_t sig_len)
{
    message_prime m;
    message_pure(&m, msg, msg_len, ctx, ctx_len);
    return verify_message(set, pk, pk_len, &m, sig, sig_len);
}

/* ------------------------------------------------------------------------ */
/* Entry points: HashML-DSA (Algorithms 4, 5), from M or from PH(M)         */
/* ------------------------------------------------------------------------ */

/* FIPS 204 Algorithm 4, HashML-DSA.Sign. */
int qtpm_hashmldsa_sign(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                        qtpm_mldsa_prehash ph, const uint8_t *msg, size_t msg_len,
                        const uint8_t *ctx, size_t ctx_len, const uint8_t *rnd, uint8_t *sig)
{
    signing_key k = encoded_key(set, sk, sk_len);
    message_prime m;
    int rc = message_hashml(&m, ph, HASHML_MESSAGE, msg, msg_len, ctx, ctx_len);
    return rc == QTPM_OK ? sign_key(&k, &m, NULL, rnd, sig) : rc;
}

int qtpm_hashmldsa_sign_digest(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                               qtpm_mldsa_prehash ph, const uint8_t *digest, size_t digest_len,
                               const uint8_t *ctx, size_t ctx_len, const uint8_t *rnd,
                               uint8_t *sig)
{
    signing_key k = encoded_key(set, sk, sk_len);
    message_prime m;
    int rc = message_hashml(&m, ph, HASHML_DIGEST, digest, digest_len, ctx, ctx_len);
    return rc == QTPM_OK ? sign_key(&k, &m, NULL, rnd, sig) : rc;
}

int qtpm_hashmldsa_sign_expanded(const qtpm_mldsa_expanded *esk, qtpm_mldsa_prehash ph,
                                 const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
                                 size_t ctx_len, const uint8_t *rnd, uint8_t *sig)
{
    signing_key k = expanded_key(esk);
    message_prime m;
    int rc = message_hashml(&m, ph, HASHML_MESSAGE, msg, msg_len, ctx, ctx_len);
    return rc == QTPM_OK ? sign_key(&k, &m, NULL, rnd, sig) : rc;
}

int qtpm_hashmldsa_sign_digest_expanded(const qtpm_mldsa_expanded *esk, qtpm_mldsa_prehash ph,
                                        const uint8_t *digest, size_t digest_len,
                                        const uint8_t *ctx, size_t ctx_len, const uint8_t *rnd,
                                        uint8_t *sig)
{
    signing_key k = expanded_key(esk);
    message_prime m;
    int rc = message_hashml(&m, ph, HASHML_DIGEST, digest, digest_len, ctx, ctx_len);
    return rc == QTPM_OK ? sign_key(&k, &m, NULL, rnd, sig) : rc;
}

/* FIPS 204 Algorithm 5, HashML-DSA.Verify. */
int qtpm_hashmldsa_verify(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                          qtpm_mldsa_prehash ph, const uint8_t *msg, size_t msg_len,
                          const uint8_t *ctx, size_t ctx_len, const uint8_t *sig, size_t sig_len)
{
    message_prime m;
    int rc = message_hashml(&m, ph, HASHML_MESSAGE, msg, msg_len, ctx, ctx_len);
    return rc == QTPM_OK ? verify_message(set, pk, pk_len, &m, sig, sig_len) : rc;
}

int qtpm_hashmldsa_verify_digest(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                                 qtpm_mldsa_prehash ph, const uint8_t *digest,
                                 size_t digest_len, const uint8_t *ctx, size_t ctx_len,
                                 const uint8_t *sig, size_t sig_len)
{
    message_prime m;
    int rc = message_hashml(&m, ph, HASHML_DIGEST, digest, digest_len, ctx, ctx_len);
    return rc == QTPM_OK ? verify_message(set, pk, pk_len, &m, sig, sig_len) : rc;
}

/* ------------------------------------------------------------------------ */
/* Entry points: external μ (FIPS 204 §6.2)                                 */
/* ------------------------------------------------------------------------ */

int qtpm_mldsa_compute_mu(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                          const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
                          size_t ctx_len, uint8_t mu[QTPM_MLDSA_MU_BYTES])
{
    const mldsa_params *p = mldsa_params_get(set);
    uint8_t tr[MLDSA_TRBYTES];
    message_prime m;
    int rc;
    message_pure(&m, msg, msg_len, ctx, ctx_len);
    if (!p || !pk || !mu)
        return QTPM_E_PARAM;
    if ((rc = check_message(&m)) != QTPM_OK)
        return rc;
    if (pk_len != p->pk_bytes)
        return QTPM_E_LENGTH;
    qtpm_shake256(tr, sizeof(tr), pk, pk_len);
    compute_mu(tr, &m, mu);
    return QTPM_OK;
}

int qtpm_mldsa_sign_mu(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                       const uint8_t mu[QTPM_MLDSA_MU_BYTES], const uint8_t *rnd, uint8_t *sig)
{
    signing_key k = encoded_key(set, sk, sk_len);
    return sign_key(&k, NULL, mu, rnd, sig);
}

int qtpm_mldsa_sign_mu_expanded(const qtpm_mldsa_expanded *esk,
                                const uint8_t mu[QTPM_MLDSA_MU_BYTES], const uint8_t *rnd,
                                uint8_t *sig)
{
    signing_key k = expanded_key(esk);
    return sign_key(&k, NULL, mu, rnd, sig);
}

int qtpm_mldsa_verify_mu(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                         const uint8_t mu[QTPM_MLDSA_MU_BYTES], const uint8_t *sig,
                         size_t sig_len)
{
    const mldsa_params *p = mldsa_params_get(set);
    if (!p || !pk || !mu || !sig)
        return QTPM_E_PARAM;
    if (pk_len != p->pk_bytes)
        return QTPM_E_LENGTH;
    if (sig_len != p->sig_bytes)
        return QTPM_E_VERIFY;
    return verify_core(p, pk, mu, sig);
}
