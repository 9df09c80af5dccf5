/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa.c — the lattice DAA's issuer, host and verifier (qtpm/ldaa.h,
 * docs/DAA.md "Lattice DAA"); the TPM's share is ldaa_tpm.c, the ring
 * ldaa_poly.c, the parameters ldaa_internal.h.
 *
 *  issuer keygen   Ā' D' u from a seed rho; R ternary from a seed sigma;
 *                  B = G - Ā R (MP12's trapdoor; B is pseudorandom under
 *                  M-LWE), published in the NTT domain.
 *  join            the TPM proves knowledge of s for t = D s (Fiat-Shamir
 *                  with aborts, bound to the issuer's nonce); the issuer
 *                  samples x with Ā x1 + B x2 = u + t by Lyubashevsky-Wichs
 *                  (PKC 2015) rejection sampling: y uniform, x2 = G^-1(v - Ā y),
 *                  x1 = y + R x2, kept when x1 lies in the smaller box — then
 *                  (x1, x2) is uniform over the preimages with those bounds,
 *                  whatever R is.
 *  sign            host masks y1, y2 and the TPM's y_s, y_e; the challenge
 *                  c~ = H(tag, ipk, basename value, nym, w, w_nym, msg);
 *                  responses z = y + c·witness, each block kept only inside
 *                  its smaller box (Lyubashevsky 2012): the signature is
 *                  (c~, basename value, nym, z1, z2, z_s, z_e).
 *  verify          recomputes w = Ā z1 + B z2 - D z_s - c u and
 *                  w_nym = h z_s - z_e - c 2^d nym and the hash.
 *
 * Host-side secrets (the credential and its masks) are wiped; the products
 * and bound checks are branch-free; the rejection loops reveal how many
 * tries were needed, which is independent of the secrets (see ldaa_tpm.c).
 */
#include <stdlib.h>
#include <string.h>

#include "ldaa_internal.h"
#include "qtpm/common.h"
#include "qtpm/rand.h"

#define POLYQ_BYTES (LDAA_N * LDAA_QBITS / 8)

struct qtpm_ldaa_issuer {
    uint8_t sigma[32];
    struct qtpm_ldaa_ipk pk;
    ldaa_poly r[LDAA_M1][LDAA_M2]; /* NTT domain, scaled */
    ldaa_poly u_plain[LDAA_K];     /* u in the normal domain */
};

const uint8_t *ldaa_issuer_rho(const struct qtpm_ldaa_issuer *iss)
{
    return iss->pk.rho;
}

void ldaa_expand_public(struct qtpm_ldaa_ipk *pk)
{
    for (unsigned i = 0; i < LDAA_K; i++) {
        for (unsigned j = 0; j < LDAA_L; j++) {
            ldaa_expand_uniform(&pk->a[i][j], pk->rho, 'A', (uint16_t)i, (uint16_t)j);
            ldaa_tomont(&pk->a[i][j]);
        }
        for (unsigned j = 0; j < LDAA_LS; j++) {
            ldaa_expand_uniform(&pk->d[i][j], pk->rho, 'D', (uint16_t)i, (uint16_t)j);
            ldaa_tomont(&pk->d[i][j]);
        }
        ldaa_expand_uniform(&pk->u[i], pk->rho, 'u', (uint16_t)i, 0);
    }
}

void ldaa_expand_h(ldaa_poly h[LDAA_MS], const uint8_t rho[32], const uint8_t bsnval[32])
{
    uint8_t seed[32];
    qtpm_keccak_ctx x;
    qtpm_sha3_init(&x, 256);
    qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-h", 11);
    qtpm_keccak_absorb(&x, rho, 32);
    qtpm_keccak_absorb(&x, bsnval, 32);
    qtpm_sha3_final(&x, seed);
    for (unsigned j = 0; j < LDAA_MS; j++) {
        ldaa_expand_uniform(&h[j], seed, 'H', 0, (uint16_t)j);
        ldaa_tomont(&h[j]);
    }
}

void ldaa_mul_d(ldaa_poly t[LDAA_K], const struct qtpm_ldaa_ipk *pk, const ldaa_poly s_hat[LDAA_MS])
{
    for (unsigned i = 0; i < LDAA_K; i++) {
        t[i] = s_hat[LDAA_LS + i]; /* the identity block of D = [D' | I] */
        for (unsigned j = 0; j < LDAA_LS; j++)
            ldaa_pointwise_acc(&t[i], &pk->d[i][j], &s_hat[j]);
        ldaa_invntt(&t[i]);
    }
}

/* out[i] = Ā x1 + B x2 (normal domain) for x1_hat, x2_hat (NTT, plain) and
 * x1_top (normal domain, mod q). sub_hat: NULL or K polys (NTT, plain) to
 * subtract before the inverse transform. */
static void mul_ab(ldaa_poly out[LDAA_K], const struct qtpm_ldaa_ipk *pk, const ldaa_poly *x1_top,
                   const ldaa_poly *x1_hat, const ldaa_poly *x2_hat, const ldaa_poly *sub_hat)
{
    for (unsigned i = 0; i < LDAA_K; i++) {
        ldaa_poly acc;
        memset(&acc, 0, sizeof acc);
        for (unsigned j = 0; j < LDAA_L; j++)
            ldaa_pointwise_acc(&acc, &pk->a[i][j], &x1_hat[LDAA_K + j]);
        if (x2_hat != NULL)
            for (unsigned j = 0; j < LDAA_M2; j++)
                ldaa_pointwise_acc(&acc, &pk->b[i][j], &x2_hat[j]);
        if (sub_hat != NULL)
            ldaa_sub(&acc, &acc, &sub_hat[i]);
        ldaa_invntt(&acc);
        ldaa_add(&out[i], &acc, &x1_top[i]);
    }
}

static void to_hat(ldaa_poly *hat, const ldaa_spoly *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ldaa_from_short(&hat[i], &s[i]);
        ldaa_ntt(&hat[i]);
    }
}

static void challenge_hat(ldaa_poly *ch, const uint8_t ctilde[32])
{
    ldaa_spoly c;
    ldaa_challenge(&c, ctilde);
    ldaa_from_short(ch, &c);
    ldaa_ntt(ch);
    ldaa_tomont(ch);
}

/* z = y + c·x (c scaled NTT, x_hat plain NTT); 1 when ||z||_inf > bound. */
static int respond(ldaa_spoly *z, const ldaa_spoly *y, const ldaa_poly *ch, const ldaa_poly *x_hat,
                   int64_t bound)
{
    ldaa_poly p;
    ldaa_pointwise(&p, ch, x_hat);
    ldaa_invntt(&p);
    ldaa_to_short(z, &p);
    for (unsigned j = 0; j < LDAA_N; j++)
        z->c[j] += y->c[j];
    qtpm_memzero(&p, sizeof p);
    return ldaa_spoly_exceeds(z, bound);
}

/* ---------------------------------------------------------------- issuer */

static void pack_polyq(uint8_t *out, const ldaa_poly *p)
{
    int64_t v[LDAA_N];
    for (unsigned j = 0; j < LDAA_N; j++)
        v[j] = (int64_t)p->c[j];
    ldaa_pack(out, v, LDAA_N, LDAA_QBITS, 0);
}

static int unpack_polyq(ldaa_poly *p, const uint8_t *in)
{
    int64_t v[LDAA_N];
    int bad = ldaa_unpack(v, in, LDAA_N, LDAA_QBITS, 0, (int64_t)LDAA_Q - 1);
    for (unsigned j = 0; j < LDAA_N; j++)
        p->c[j] = (uint64_t)v[j];
    return bad;
}

static void ipk_hash(struct qtpm_ldaa_ipk *pk, const uint8_t *ipk)
{
    qtpm_sha3_256(pk->hash, ipk, QTPM_LDAA_IPK_SIZE);
}

/* Builds R, B and the ipk encoding from the two seeds. */
static void issuer_build(qtpm_ldaa_issuer *iss, uint8_t *ipk)
{
    struct qtpm_ldaa_ipk *pk = &iss->pk;
    ldaa_expand_public(pk);
    for (unsigned i = 0; i < LDAA_K; i++) {
        iss->u_plain[i] = pk->u[i];
        ldaa_invntt(&iss->u_plain[i]);
    }
    for (unsigned m = 0; m < LDAA_M1; m++)
        for (unsigned col = 0; col < LDAA_M2; col++) {
            ldaa_spoly r;
            ldaa_expand_ternary(&r, iss->sigma, (uint16_t)m, (uint16_t)col);
            ldaa_from_short(&iss->r[m][col], &r);
            ldaa_ntt(&iss->r[m][col]);
            qtpm_memzero(&r, sizeof r);
        }
    ipk[0] = 'P';
    memcpy(ipk + 1, pk->rho, 32);
    uint8_t *p = ipk + 33;
    for (unsigned i = 0; i < LDAA_K; i++)
        for (unsigned col = 0; col < LDAA_M2; col++, p += POLYQ_BYTES) {
            /* B = G - (R_top + Ā' R_bot); G's entry is 16^j on its row */
            ldaa_poly acc = iss->r[i][col];
            for (unsigned j = 0; j < LDAA_L; j++)
                ldaa_pointwise_acc(&acc, &pk->a[i][j], &iss->r[LDAA_K + j][col]);
            ldaa_poly g;
            uint64_t gv = (col / LDAA_T == i) ? 1ull << (LDAA_LOGB * (col % LDAA_T)) : 0;
            for (unsigned c = 0; c < LDAA_N; c++)
                g.c[c] = gv; /* the NTT of a constant is that constant everywhere */
            ldaa_sub(&pk->b[i][col], &g, &acc);
            pack_polyq(p, &pk->b[i][col]);
            ldaa_tomont(&pk->b[i][col]);
        }
    for (unsigned m = 0; m < LDAA_M1; m++)
        for (unsigned col = 0; col < LDAA_M2; col++)
            ldaa_tomont(&iss->r[m][col]);
    ipk_hash(pk, ipk);
}

/* A new issuer from its isk; the ipk encoding into ipk (QTPM_LDAA_IPK_SIZE). */
static int issuer_new(qtpm_ldaa_issuer **out, const uint8_t *isk, size_t len, uint8_t *ipk)
{
    if (len != QTPM_LDAA_ISK_SIZE || isk[0] != 'p')
        return QTPM_DAA_E_FORMAT;
    qtpm_ldaa_issuer *iss = calloc(1, sizeof *iss);
    if (iss == NULL)
        return QTPM_DAA_E_PARAM;
    memcpy(iss->pk.rho, isk + 1, 32);
    memcpy(iss->sigma, isk + 33, 32);
    issuer_build(iss, ipk);
    *out = iss;
    return QTPM_DAA_OK;
}

int qtpm_ldaa_issuer_keygen(uint8_t isk[QTPM_LDAA_ISK_SIZE], uint8_t *ipk, size_t ipk_size)
{
    if (isk == NULL || ipk == NULL || ipk_size < QTPM_LDAA_IPK_SIZE)
        return QTPM_DAA_E_PARAM;
    isk[0] = 'p';
    if (qtpm_random_bytes(isk + 1, 64) != 0)
        return QTPM_DAA_E_RNG;
    qtpm_ldaa_issuer *iss;
    int rc = issuer_new(&iss, isk, QTPM_LDAA_ISK_SIZE, ipk);
    if (rc == QTPM_DAA_OK)
        qtpm_ldaa_issuer_free(iss);
    return rc;
}

int qtpm_ldaa_issuer_load(qtpm_ldaa_issuer **out, const uint8_t *isk, size_t len)
{
    if (out == NULL || isk == NULL)
        return QTPM_DAA_E_PARAM;
    uint8_t *ipk = malloc(QTPM_LDAA_IPK_SIZE);
    if (ipk == NULL)
        return QTPM_DAA_E_PARAM;
    int rc = issuer_new(out, isk, len, ipk);
    free(ipk);
    return rc;
}

void qtpm_ldaa_issuer_free(qtpm_ldaa_issuer *iss)
{
    if (iss == NULL)
        return;
    qtpm_memzero(iss, sizeof *iss);
    free(iss);
}

int qtpm_ldaa_join_nonce(uint8_t nonce[QTPM_LDAA_NONCE_SIZE])
{
    if (nonce == NULL)
        return QTPM_DAA_E_PARAM;
    return qtpm_random_bytes(nonce, QTPM_LDAA_NONCE_SIZE) == 0 ? QTPM_DAA_OK : QTPM_DAA_E_RNG;
}

/* Checks the join request; t out (normal domain). */
static int join_check(const struct qtpm_ldaa_ipk *pk, const uint8_t nonce[32], const uint8_t *req,
                      size_t len, ldaa_poly t[LDAA_K], ldaa_poly *work)
{
    if (len != QTPM_LDAA_JOINREQ_SIZE || req[0] != 'J')
        return QTPM_DAA_E_FORMAT;
    const uint8_t *p = req + 1;
    int bad = 0;
    for (unsigned i = 0; i < LDAA_K; i++, p += POLYQ_BYTES)
        bad |= unpack_polyq(&t[i], p);
    const uint8_t *ct = p;
    p += 32;
    ldaa_spoly *zs = (ldaa_spoly *)(work + 2 * LDAA_MS + 2 * LDAA_K);
    bad |= ldaa_unpack(&zs[0].c[0], p, (size_t)LDAA_MS * LDAA_N, LDAA_GS + 1,
                       (int64_t)1 << LDAA_GS, ((int64_t)2 << LDAA_GS) - 1);
    if (bad)
        return QTPM_DAA_E_FORMAT;
    for (unsigned i = 0; i < LDAA_MS; i++)
        if (ldaa_spoly_exceeds(&zs[i], ((int64_t)1 << LDAA_GS) - LDAA_BS))
            return QTPM_DAA_E_PROOF;
    ldaa_poly *zh = work, *w = work + LDAA_MS, *ch = work + LDAA_MS + LDAA_K;
    to_hat(zh, zs, LDAA_MS);
    ldaa_mul_d(w, pk, zh); /* D z = D y + c t */
    challenge_hat(ch, ct);
    for (unsigned i = 0; i < LDAA_K; i++) {
        ldaa_poly ct_i = t[i];
        ldaa_ntt(&ct_i);
        ldaa_pointwise(&ct_i, ch, &ct_i);
        ldaa_invntt(&ct_i);
        ldaa_sub(&w[i], &w[i], &ct_i);
    }
    uint8_t ct2[32];
    qtpm_keccak_ctx h;
    qtpm_shake256_init(&h);
    qtpm_keccak_absorb(&h, (const uint8_t *)"qtpm-ldaa-join", 14);
    qtpm_keccak_absorb(&h, pk->rho, 32);
    qtpm_keccak_absorb(&h, nonce, 32);
    ldaa_absorb_polys(&h, t, LDAA_K);
    ldaa_absorb_polys(&h, w, LDAA_K);
    qtpm_keccak_squeeze(&h, ct2, 32);
    return memcmp(ct, ct2, 32) == 0 ? QTPM_DAA_OK : QTPM_DAA_E_PROOF;
}

/* The work area of one credential sample. */
typedef struct {
    ldaa_spoly y[LDAA_M1], x2[LDAA_M2], rx[LDAA_M1];
    ldaa_poly yh[LDAA_M1], x2h[LDAA_M2], ay[LDAA_K];
} cred_work;

int qtpm_ldaa_join_issue(const qtpm_ldaa_issuer *iss, const uint8_t nonce[QTPM_LDAA_NONCE_SIZE],
                         const uint8_t *req, size_t req_len, uint8_t *cred, size_t cred_size)
{
    if (iss == NULL || nonce == NULL || req == NULL || cred == NULL ||
        cred_size < QTPM_LDAA_CRED_SIZE)
        return QTPM_DAA_E_PARAM;
    const struct qtpm_ldaa_ipk *pk = &iss->pk;
    ldaa_poly t[LDAA_K];
    ldaa_poly *work = calloc(3 * LDAA_MS + 2 * LDAA_K + LDAA_MS, sizeof(ldaa_poly));
    cred_work *cw = calloc(1, sizeof *cw);
    if (work == NULL || cw == NULL) {
        free(work);
        free(cw);
        return QTPM_DAA_E_PARAM;
    }
    int rc = join_check(pk, nonce, req, req_len, t, work);
    free(work);
    if (rc != QTPM_DAA_OK) {
        free(cw);
        return rc;
    }
    ldaa_poly v[LDAA_K];
    for (unsigned i = 0; i < LDAA_K; i++)
        ldaa_add(&v[i], &iss->u_plain[i], &t[i]);
    rc = QTPM_DAA_E_CREDENTIAL;
    for (unsigned tries = 0; tries < LDAA_MAX_TRIES; tries++) {
        qtpm_keccak_ctx x;
        if (ldaa_mask_xof(&x, "qtpm-ldaa-cred") != QTPM_DAA_OK) {
            rc = QTPM_DAA_E_RNG;
            break;
        }
        for (unsigned m = 0; m < LDAA_M1; m++)
            ldaa_sample_mask(&cw->y[m], &x, 25);
        qtpm_memzero(&x, sizeof x);
        to_hat(cw->yh, cw->y, LDAA_M1);
        ldaa_poly ytop[LDAA_K];
        for (unsigned i = 0; i < LDAA_K; i++)
            ldaa_from_short(&ytop[i], &cw->y[i]);
        mul_ab(cw->ay, pk, ytop, cw->yh, NULL, NULL);
        /* x2 = G^-1(v - Ā y): balanced base-16 digits of the centred value */
        for (unsigned i = 0; i < LDAA_K; i++) {
            ldaa_poly r;
            ldaa_spoly rs;
            ldaa_sub(&r, &v[i], &cw->ay[i]);
            ldaa_to_short(&rs, &r);
            qtpm_memzero(&r, sizeof r);
            for (unsigned c = 0; c < LDAA_N; c++) {
                int64_t val = rs.c[c];
                for (unsigned j = 0; j < LDAA_T; j++) {
                    int64_t dg = ((val + 8) & 15) - 8;
                    cw->x2[i * LDAA_T + j].c[c] = dg;
                    val = (val - dg) >> LDAA_LOGB;
                }
            }
            qtpm_memzero(&rs, sizeof rs);
        }
        qtpm_memzero(ytop, sizeof ytop);
        to_hat(cw->x2h, cw->x2, LDAA_M2);
        /* R x2, then x1 = y + R x2 kept inside the smaller box */
        int bad = 0;
        for (unsigned m = 0; m < LDAA_M1; m++) {
            ldaa_poly acc;
            memset(&acc, 0, sizeof acc);
            for (unsigned col = 0; col < LDAA_M2; col++)
                ldaa_pointwise_acc(&acc, &iss->r[m][col], &cw->x2h[col]);
            ldaa_invntt(&acc);
            ldaa_to_short(&cw->rx[m], &acc);
            qtpm_memzero(&acc, sizeof acc);
            bad |= ldaa_spoly_exceeds(&cw->rx[m], LDAA_BETA_R);
            for (unsigned c = 0; c < LDAA_N; c++)
                cw->rx[m].c[c] += cw->y[m].c[c];
            bad |= ldaa_spoly_exceeds(&cw->rx[m], LDAA_X1MAX);
        }
        if (!bad) {
            cred[0] = 'C';
            ldaa_pack(cred + 1, &cw->rx[0].c[0], (size_t)LDAA_M1 * LDAA_N, 26, (int64_t)1 << 25);
            ldaa_pack(cred + 1 + LDAA_M1 * LDAA_N * 26 / 8, &cw->x2[0].c[0],
                      (size_t)LDAA_M2 * LDAA_N, 4, 8);
            rc = QTPM_DAA_OK;
            break;
        }
    }
    qtpm_memzero(cw, sizeof *cw);
    free(cw);
    return rc;
}

/* ------------------------------------------------------------- public key */

int qtpm_ldaa_ipk_load(qtpm_ldaa_ipk **out, const uint8_t *ipk, size_t len)
{
    if (out == NULL || ipk == NULL)
        return QTPM_DAA_E_PARAM;
    if (len != QTPM_LDAA_IPK_SIZE || ipk[0] != 'P')
        return QTPM_DAA_E_FORMAT;
    qtpm_ldaa_ipk *pk = calloc(1, sizeof *pk);
    if (pk == NULL)
        return QTPM_DAA_E_PARAM;
    memcpy(pk->rho, ipk + 1, 32);
    const uint8_t *p = ipk + 33;
    int bad = 0;
    for (unsigned i = 0; i < LDAA_K; i++)
        for (unsigned col = 0; col < LDAA_M2; col++, p += POLYQ_BYTES) {
            bad |= unpack_polyq(&pk->b[i][col], p);
            ldaa_tomont(&pk->b[i][col]);
        }
    if (bad) {
        free(pk);
        return QTPM_DAA_E_FORMAT;
    }
    ldaa_expand_public(pk);
    ipk_hash(pk, ipk);
    *out = pk;
    return QTPM_DAA_OK;
}

void qtpm_ldaa_ipk_free(qtpm_ldaa_ipk *pk)
{
    free(pk);
}

/* ------------------------------------------------------------ credential */

#define CRED_X2_OFF (1 + LDAA_M1 * LDAA_N * 26 / 8)

static int cred_decode(ldaa_spoly x1[LDAA_M1], ldaa_spoly x2[LDAA_M2], const uint8_t *cred,
                       size_t len)
{
    if (cred == NULL || len != QTPM_LDAA_CRED_SIZE || cred[0] != 'C')
        return QTPM_DAA_E_FORMAT;
    if (ldaa_unpack(&x1[0].c[0], cred + 1, (size_t)LDAA_M1 * LDAA_N, 26, (int64_t)1 << 25,
                    ((int64_t)2 << 25) - 1))
        return QTPM_DAA_E_FORMAT;
    (void)ldaa_unpack(&x2[0].c[0], cred + CRED_X2_OFF, (size_t)LDAA_M2 * LDAA_N, 4, 8, 15);
    for (unsigned m = 0; m < LDAA_M1; m++)
        if (ldaa_spoly_exceeds(&x1[m], LDAA_X1MAX))
            return QTPM_DAA_E_FORMAT;
    return QTPM_DAA_OK;
}

typedef struct {
    ldaa_spoly x1[LDAA_M1], x2[LDAA_M2];
    ldaa_poly x1h[LDAA_M1], x2h[LDAA_M2];
    ldaa_spoly y1[LDAA_M1], y2[LDAA_M2], z1[LDAA_M1], z2[LDAA_M2], zs[LDAA_MS];
    ldaa_poly y1h[LDAA_M1], y2h[LDAA_M2], zsh[LDAA_MS], h[LDAA_MS];
    ldaa_poly w[LDAA_K + 1], wt[LDAA_K], top[LDAA_K];
    ldaa_spoly nym, ze;
} sign_work;

int qtpm_ldaa_cred_check(const qtpm_ldaa_ipk *pk, qtpm_ldaa_tpm *tpm, const uint8_t *cred,
                         size_t len)
{
    if (pk == NULL || tpm == NULL)
        return QTPM_DAA_E_PARAM;
    if (memcmp(pk->rho, tpm->rho, 32) != 0)
        return QTPM_DAA_E_CREDENTIAL; /* the TPM key belongs to another issuer */
    sign_work *sw = calloc(1, sizeof *sw);
    if (sw == NULL)
        return QTPM_DAA_E_PARAM;
    int rc = cred_decode(sw->x1, sw->x2, cred, len);
    if (rc == QTPM_DAA_OK) {
        to_hat(sw->x1h, sw->x1, LDAA_M1);
        to_hat(sw->x2h, sw->x2, LDAA_M2);
        for (unsigned i = 0; i < LDAA_K; i++)
            ldaa_from_short(&sw->top[i], &sw->x1[i]);
        mul_ab(sw->w, pk, sw->top, sw->x1h, sw->x2h, pk->u);
        /* t = D s from the TPM part (a TPM elsewhere: its join request's t) */
        if (tpm->ops != NULL)
            memcpy(sw->wt, tpm->t, sizeof sw->wt);
        else
            ldaa_mul_d(sw->wt, tpm->pub, tpm->s_hat);
        uint64_t diff = 0; /* constant time: both sides derive from secrets */
        for (unsigned i = 0; i < LDAA_K; i++)
            for (unsigned j = 0; j < LDAA_N; j++)
                diff |= sw->w[i].c[j] ^ sw->wt[i].c[j];
        if (diff != 0)
            rc = QTPM_DAA_E_CREDENTIAL;
    }
    qtpm_memzero(sw, sizeof *sw);
    free(sw);
    return rc;
}

/* ------------------------------------------------------------- signature */

#define SIG_NYM_OFF (1 + 32 + 32)
#define SIG_Z1_OFF (SIG_NYM_OFF + LDAA_N * LDAA_NYMBITS / 8)
#define SIG_Z2_OFF (SIG_Z1_OFF + LDAA_M1 * LDAA_N * (LDAA_G1 + 1) / 8)
#define SIG_ZS_OFF (SIG_Z2_OFF + LDAA_M2 * LDAA_N * (LDAA_G2 + 1) / 8)
#define SIG_ZE_OFF (SIG_ZS_OFF + LDAA_MS * LDAA_N * (LDAA_GS + 1) / 8)
_Static_assert(SIG_ZE_OFF + LDAA_N * (LDAA_GE + 1) / 8 == QTPM_LDAA_SIG_SIZE, "signature layout");
_Static_assert(CRED_X2_OFF + LDAA_M2 * LDAA_N * 4 / 8 == QTPM_LDAA_CRED_SIZE, "credential layout");

static void bsn_value(uint8_t out[32], const uint8_t *bsn, size_t len)
{
    qtpm_keccak_ctx x;
    qtpm_sha3_init(&x, 256);
    qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-bsn", 13);
    qtpm_keccak_absorb(&x, bsn, len);
    qtpm_sha3_final(&x, out);
}

/* c~ = SHAKE256("qtpm-ldaa-sign" ‖ tag ‖ H(ipk) ‖ bsnval ‖ nym ‖ w ‖ w_nym ‖ mu). */
static void sign_hash(uint8_t ct[32], uint8_t tag, const struct qtpm_ldaa_ipk *pk,
                      const uint8_t bsnval[32], const ldaa_spoly *nym, const ldaa_poly w[LDAA_K + 1],
                      const uint8_t mu[64])
{
    qtpm_keccak_ctx h;
    qtpm_shake256_init(&h);
    qtpm_keccak_absorb(&h, (const uint8_t *)"qtpm-ldaa-sign", 14);
    qtpm_keccak_absorb(&h, &tag, 1);
    qtpm_keccak_absorb(&h, pk->hash, 32);
    qtpm_keccak_absorb(&h, bsnval, 32);
    ldaa_poly np;
    for (unsigned j = 0; j < LDAA_N; j++)
        np.c[j] = (uint64_t)nym->c[j];
    ldaa_absorb_polys(&h, &np, 1);
    ldaa_absorb_polys(&h, w, LDAA_K + 1);
    qtpm_keccak_absorb(&h, mu, 64);
    qtpm_keccak_squeeze(&h, ct, 32);
}

static void msg_digest(uint8_t mu[64], const uint8_t *msg, size_t len)
{
    qtpm_keccak_ctx h;
    qtpm_shake256_init(&h);
    qtpm_keccak_absorb(&h, (const uint8_t *)"qtpm-ldaa-msg", 13);
    if (len)
        qtpm_keccak_absorb(&h, msg, len);
    qtpm_keccak_squeeze(&h, mu, 64);
}

int qtpm_ldaa_sign(const qtpm_ldaa_ipk *pk, qtpm_ldaa_tpm *tpm, const uint8_t *cred,
                   size_t cred_len, const uint8_t *msg, size_t msg_len, const uint8_t *bsn,
                   size_t bsn_len, uint8_t *sig, size_t sig_size)
{
    if (pk == NULL || tpm == NULL || sig == NULL || sig_size < QTPM_LDAA_SIG_SIZE ||
        (msg == NULL && msg_len) || (bsn == NULL && bsn_len) || bsn_len > QTPM_DAA_MAX_BASENAME)
        return QTPM_DAA_E_PARAM;
    sign_work *sw = calloc(1, sizeof *sw);
    if (sw == NULL)
        return QTPM_DAA_E_PARAM;
    int rc = cred_decode(sw->x1, sw->x2, cred, cred_len);
    uint8_t tag = bsn ? 'B' : 'A', bsnval[32], mu[64], ct[32];
    if (rc == QTPM_DAA_OK) {
        if (bsn)
            bsn_value(bsnval, bsn, bsn_len);
        else if (qtpm_random_bytes(bsnval, 32) != 0)
            rc = QTPM_DAA_E_RNG;
    }
    if (rc != QTPM_DAA_OK)
        goto out;
    msg_digest(mu, msg, msg_len);
    to_hat(sw->x1h, sw->x1, LDAA_M1);
    to_hat(sw->x2h, sw->x2, LDAA_M2);
    rc = QTPM_DAA_E_PROOF;
    for (unsigned tries = 0; tries < LDAA_MAX_TRIES; tries++) {
        int r = ldaa_tpm_commit(tpm, bsnval, sw->wt, &sw->w[LDAA_K], &sw->nym);
        if (r != QTPM_DAA_OK) {
            rc = r;
            break;
        }
        qtpm_keccak_ctx x;
        if (ldaa_mask_xof(&x, "qtpm-ldaa-sign-mask-host") != QTPM_DAA_OK) {
            rc = QTPM_DAA_E_RNG;
            break;
        }
        for (unsigned m = 0; m < LDAA_M1; m++)
            ldaa_sample_mask(&sw->y1[m], &x, LDAA_G1);
        for (unsigned m = 0; m < LDAA_M2; m++)
            ldaa_sample_mask(&sw->y2[m], &x, LDAA_G2);
        qtpm_memzero(&x, sizeof x);
        to_hat(sw->y1h, sw->y1, LDAA_M1);
        to_hat(sw->y2h, sw->y2, LDAA_M2);
        for (unsigned i = 0; i < LDAA_K; i++)
            ldaa_from_short(&sw->top[i], &sw->y1[i]);
        ldaa_poly wh[LDAA_K];
        mul_ab(wh, pk, sw->top, sw->y1h, sw->y2h, NULL);
        for (unsigned i = 0; i < LDAA_K; i++)
            ldaa_add(&sw->w[i], &wh[i], &sw->wt[i]);
        sign_hash(ct, tag, pk, bsnval, &sw->nym, sw->w, mu);
        ldaa_poly ch;
        challenge_hat(&ch, ct);
        int bad = 0;
        for (unsigned m = 0; m < LDAA_M1; m++)
            bad |= respond(&sw->z1[m], &sw->y1[m], &ch, &sw->x1h[m],
                           ((int64_t)1 << LDAA_G1) - LDAA_B1);
        for (unsigned m = 0; m < LDAA_M2; m++)
            bad |= respond(&sw->z2[m], &sw->y2[m], &ch, &sw->x2h[m],
                           ((int64_t)1 << LDAA_G2) - LDAA_B2);
        /* a rejected try's w and challenge stay private (as in ML-DSA) */
        qtpm_memzero(wh, sizeof wh);
        qtpm_memzero(&ch, sizeof ch);
        if (bad) {
            ldaa_tpm_discard(tpm);
            continue;
        }
        r = ldaa_tpm_respond(tpm, ct, sw->zs, &sw->ze);
        if (r == 1)
            continue;
        if (r != 0) {
            rc = r;
            break;
        }
        rc = QTPM_DAA_OK;
        break;
    }
    if (rc == QTPM_DAA_OK) {
        sig[0] = tag;
        memcpy(sig + 1, ct, 32);
        memcpy(sig + 33, bsnval, 32);
        ldaa_pack(sig + SIG_NYM_OFF, sw->nym.c, LDAA_N, LDAA_NYMBITS, 0);
        ldaa_pack(sig + SIG_Z1_OFF, &sw->z1[0].c[0], (size_t)LDAA_M1 * LDAA_N, LDAA_G1 + 1,
                  (int64_t)1 << LDAA_G1);
        ldaa_pack(sig + SIG_Z2_OFF, &sw->z2[0].c[0], (size_t)LDAA_M2 * LDAA_N, LDAA_G2 + 1,
                  (int64_t)1 << LDAA_G2);
        ldaa_pack(sig + SIG_ZS_OFF, &sw->zs[0].c[0], (size_t)LDAA_MS * LDAA_N, LDAA_GS + 1,
                  (int64_t)1 << LDAA_GS);
        ldaa_pack(sig + SIG_ZE_OFF, sw->ze.c, LDAA_N, LDAA_GE + 1, (int64_t)1 << LDAA_GE);
    }
out:
    ldaa_tpm_discard(tpm);
    qtpm_memzero(sw, sizeof *sw);
    free(sw);
    return rc;
}

/* Unpacks block n·N values of w+1 bits at off, then checks ||z||_inf <= bound. */
static int unpack_z(ldaa_spoly *z, size_t n, const uint8_t *in, unsigned g, int64_t beta)
{
    if (ldaa_unpack(&z[0].c[0], in, n * LDAA_N, g + 1, (int64_t)1 << g, ((int64_t)2 << g) - 1))
        return QTPM_DAA_E_FORMAT;
    for (size_t i = 0; i < n; i++)
        if (ldaa_spoly_exceeds(&z[i], ((int64_t)1 << g) - beta))
            return QTPM_DAA_E_PROOF;
    return QTPM_DAA_OK;
}

/* 1 when h·s* - 2^d·nym is within LDAA_LINK_BOUND for the revoked s* in rev. */
static int revoked_match(const ldaa_poly h[LDAA_MS], const ldaa_spoly *nym, const uint8_t *rev,
                         ldaa_spoly *s, ldaa_poly *sh)
{
    (void)ldaa_unpack(&s[0].c[0], rev, (size_t)LDAA_MS * LDAA_N, 9, LDAA_ETA_S, 511);
    to_hat(sh, s, LDAA_MS);
    ldaa_poly acc, t;
    memset(&acc, 0, sizeof acc);
    for (unsigned i = 0; i < LDAA_MS; i++)
        ldaa_pointwise_acc(&acc, &h[i], &sh[i]);
    ldaa_invntt(&acc);
    for (unsigned j = 0; j < LDAA_N; j++)
        t.c[j] = ((uint64_t)nym->c[j] << LDAA_D) % LDAA_Q;
    ldaa_sub(&acc, &acc, &t);
    ldaa_spoly e;
    ldaa_to_short(&e, &acc);
    return !ldaa_spoly_exceeds(&e, LDAA_LINK_BOUND);
}

int qtpm_ldaa_verify(const qtpm_ldaa_ipk *pk, const uint8_t *sig, size_t sig_len,
                     const uint8_t *msg, size_t msg_len, const uint8_t *bsn, size_t bsn_len,
                     const uint8_t *revoked, size_t n_revoked)
{
    if (pk == NULL || sig == NULL || (msg == NULL && msg_len) || (bsn == NULL && bsn_len) ||
        (revoked == NULL && n_revoked))
        return QTPM_DAA_E_PARAM;
    if (sig_len != QTPM_LDAA_SIG_SIZE || (sig[0] != 'A' && sig[0] != 'B'))
        return QTPM_DAA_E_FORMAT;
    uint8_t tag = sig[0], bsnval[32], mu[64], ct[32];
    if (tag == 'B') {
        if (bsn == NULL)
            return QTPM_DAA_E_BASENAME;
        bsn_value(bsnval, bsn, bsn_len);
        if (memcmp(bsnval, sig + 33, 32) != 0)
            return QTPM_DAA_E_BASENAME;
    } else if (bsn != NULL) {
        return QTPM_DAA_E_BASENAME;
    }
    memcpy(bsnval, sig + 33, 32);
    sign_work *sw = calloc(1, sizeof *sw);
    if (sw == NULL)
        return QTPM_DAA_E_PARAM;
    int rc;
    (void)ldaa_unpack(sw->nym.c, sig + SIG_NYM_OFF, LDAA_N, LDAA_NYMBITS, 0, ((int64_t)1 << 31) - 1);
    if ((rc = unpack_z(sw->z1, LDAA_M1, sig + SIG_Z1_OFF, LDAA_G1, LDAA_B1)) != QTPM_DAA_OK ||
        (rc = unpack_z(sw->z2, LDAA_M2, sig + SIG_Z2_OFF, LDAA_G2, LDAA_B2)) != QTPM_DAA_OK ||
        (rc = unpack_z(sw->zs, LDAA_MS, sig + SIG_ZS_OFF, LDAA_GS, LDAA_BS)) != QTPM_DAA_OK ||
        (rc = unpack_z(&sw->ze, 1, sig + SIG_ZE_OFF, LDAA_GE, LDAA_BE)) != QTPM_DAA_OK)
        goto out;
    ldaa_poly ch;
    challenge_hat(&ch, sig + 1);
    to_hat(sw->y1h, sw->z1, LDAA_M1); /* the y*h buffers hold the z's transforms */
    to_hat(sw->y2h, sw->z2, LDAA_M2);
    to_hat(sw->zsh, sw->zs, LDAA_MS);
    /* sub = D z_s + c u (NTT domain) */
    ldaa_poly sub[LDAA_K];
    for (unsigned i = 0; i < LDAA_K; i++) {
        ldaa_pointwise(&sub[i], &ch, &pk->u[i]);
        ldaa_add(&sub[i], &sub[i], &sw->zsh[LDAA_LS + i]);
        for (unsigned j = 0; j < LDAA_LS; j++)
            ldaa_pointwise_acc(&sub[i], &pk->d[i][j], &sw->zsh[j]);
        ldaa_from_short(&sw->top[i], &sw->z1[i]);
    }
    mul_ab(sw->w, pk, sw->top, sw->y1h, sw->y2h, sub);
    /* w_nym = h z_s - z_e - c 2^d nym */
    ldaa_expand_h(sw->h, pk->rho, bsnval);
    ldaa_poly acc, t;
    memset(&acc, 0, sizeof acc);
    for (unsigned i = 0; i < LDAA_MS; i++)
        ldaa_pointwise_acc(&acc, &sw->h[i], &sw->zsh[i]);
    for (unsigned j = 0; j < LDAA_N; j++) {
        uint64_t v = (uint64_t)sw->nym.c[j] << LDAA_D;
        t.c[j] = v >= LDAA_Q ? v - LDAA_Q : v; /* public */
    }
    ldaa_ntt(&t);
    ldaa_pointwise(&t, &ch, &t);
    ldaa_sub(&acc, &acc, &t);
    ldaa_invntt(&acc);
    ldaa_from_short(&t, &sw->ze);
    ldaa_sub(&sw->w[LDAA_K], &acc, &t);
    msg_digest(mu, msg, msg_len);
    sign_hash(ct, tag, pk, bsnval, &sw->nym, sw->w, mu);
    if (memcmp(ct, sig + 1, 32) != 0) {
        rc = QTPM_DAA_E_PROOF;
        goto out;
    }
    for (size_t r = 0; r < n_revoked; r++) {
        if (revoked_match(sw->h, &sw->nym, revoked + r * QTPM_LDAA_REVOKED_SIZE, sw->z1,
                          sw->y1h)) {
            rc = QTPM_DAA_E_REVOKED;
            goto out;
        }
    }
    rc = QTPM_DAA_OK;
out:
    free(sw);
    return rc;
}

int qtpm_ldaa_link(const uint8_t *sig1, size_t len1, const uint8_t *sig2, size_t len2)
{
    if (sig1 == NULL || sig2 == NULL)
        return QTPM_DAA_E_PARAM;
    if (len1 != QTPM_LDAA_SIG_SIZE || len2 != QTPM_LDAA_SIG_SIZE ||
        (sig1[0] != 'A' && sig1[0] != 'B') || (sig2[0] != 'A' && sig2[0] != 'B'))
        return QTPM_DAA_E_FORMAT;
    if (sig1[0] != 'B' || sig2[0] != 'B' || memcmp(sig1 + 33, sig2 + 33, 32) != 0)
        return QTPM_DAA_E_BASENAME;
    /* linked when 2^d·(nym1 - nym2) mod q is within LDAA_LINK_BOUND (equal
     * for an honest TPM; see LDAA_LINK_BOUND) */
    int64_t n1[LDAA_N], n2[LDAA_N];
    (void)ldaa_unpack(n1, sig1 + SIG_NYM_OFF, LDAA_N, LDAA_NYMBITS, 0, ((int64_t)1 << 31) - 1);
    (void)ldaa_unpack(n2, sig2 + SIG_NYM_OFF, LDAA_N, LDAA_NYMBITS, 0, ((int64_t)1 << 31) - 1);
    ldaa_poly a, b;
    for (unsigned j = 0; j < LDAA_N; j++) {
        a.c[j] = ((uint64_t)n1[j] << LDAA_D) % LDAA_Q;
        b.c[j] = ((uint64_t)n2[j] << LDAA_D) % LDAA_Q;
    }
    ldaa_sub(&a, &a, &b);
    ldaa_spoly e;
    ldaa_to_short(&e, &a);
    return !ldaa_spoly_exceeds(&e, LDAA_LINK_BOUND);
}
