/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa_tpm.c — THE TPM PART of the lattice DAA (qtpm/ldaa.h, docs/DAA.md):
 * everything that touches the TPM's secret s. The host never sees s, y_s,
 * y_e or e; it gets t = D·s at Join, and per signature the commitment
 * shares w_T = -D·y_s, w_nym = h·y_s - y_e, the pseudonym nym and, after
 * it sends the challenge, the responses z_s = y_s + c·s, z_e = y_e + c·e
 * (or an abort). The interface is four calls — join_request, commit,
 * respond, discard — the shape a vendor-specific TPM command set would
 * have. Here they run in the host's process and s lives in a key blob
 * (qtpm_ldaa_tpm_save); the engine's vendor commands (src/engine/ldaa.c)
 * run the same code inside the TPM on an s derived from a TPM key
 * (ldaa_tpm_derive), and a handle opened over libqtss (ldaa_host.c) sends
 * commit, respond and discard there (tpm->ops).
 *
 * A commitment answers one challenge only (two responses to one y_s would
 * give s away): respond and discard wipe the masks, and commit refuses to
 * leave an old one behind: a new commit wipes it first.
 *
 * Constant time: the products, the rejection test (every coefficient is
 * examined, ldaa_spoly_exceeds) and Power2Round are branch-free; whether a
 * response is kept is revealed, as in every Fiat-Shamir-with-aborts
 * scheme: the number of tries is public and independent of s
 * (Lyubashevsky, "Lattice Signatures Without Trapdoors", EUROCRYPT 2012).
 */
#include <stdlib.h>
#include <string.h>

#include "ldaa_internal.h"
#include "qtpm/common.h"
#include "qtpm/rand.h"

static void tpm_wipe_commit(qtpm_ldaa_tpm *tpm)
{
    qtpm_memzero(tpm->ys, sizeof tpm->ys);
    qtpm_memzero(&tpm->ye, sizeof tpm->ye);
    qtpm_memzero(&tpm->e, sizeof tpm->e);
    tpm->committed = 0;
}

static int tpm_new(qtpm_ldaa_tpm **out, const uint8_t rho[32])
{
    qtpm_ldaa_tpm *tpm = calloc(1, sizeof *tpm);
    if (tpm == NULL)
        return QTPM_DAA_E_PARAM;
    tpm->pub = calloc(1, sizeof *tpm->pub);
    if (tpm->pub == NULL) {
        free(tpm);
        return QTPM_DAA_E_PARAM;
    }
    memcpy(tpm->rho, rho, 32);
    memcpy(tpm->pub->rho, rho, 32);
    ldaa_expand_public(tpm->pub);
    *out = tpm;
    return QTPM_DAA_OK;
}

static void tpm_finish_key(qtpm_ldaa_tpm *tpm)
{
    for (unsigned i = 0; i < LDAA_MS; i++) {
        ldaa_from_short(&tpm->s_hat[i], &tpm->s[i]);
        ldaa_ntt(&tpm->s_hat[i]);
    }
}

int qtpm_ldaa_tpm_create(qtpm_ldaa_tpm **out, const uint8_t *ipk, size_t ipk_len)
{
    if (out == NULL || ipk == NULL || ipk_len < 33 || ipk[0] != 'P')
        return QTPM_DAA_E_FORMAT;
    int rc = tpm_new(out, ipk + 1);
    if (rc != QTPM_DAA_OK)
        return rc;
    qtpm_ldaa_tpm *tpm = *out;
    /* s uniform in [-256, 255]: 9 random bits per coefficient */
    uint8_t buf[2 * LDAA_N];
    for (unsigned i = 0; i < LDAA_MS; i++) {
        if (qtpm_random_bytes(buf, sizeof buf) != 0) {
            qtpm_ldaa_tpm_free(tpm);
            *out = NULL;
            return QTPM_DAA_E_RNG;
        }
        for (unsigned j = 0; j < LDAA_N; j++)
            tpm->s[i].c[j] = (int64_t)((buf[2 * j] | (unsigned)buf[2 * j + 1] << 8) & 511) - 256;
    }
    qtpm_memzero(buf, sizeof buf);
    tpm_finish_key(tpm);
    return QTPM_DAA_OK;
}

int ldaa_tpm_derive(qtpm_ldaa_tpm **out, const uint8_t rho[32], const uint8_t *bits,
                    size_t bits_len)
{
    if (out == NULL || rho == NULL || bits == NULL || bits_len == 0)
        return QTPM_DAA_E_PARAM;
    int rc = tpm_new(out, rho);
    if (rc != QTPM_DAA_OK)
        return rc;
    qtpm_ldaa_tpm *tpm = *out;
    qtpm_keccak_ctx x;
    qtpm_shake256_init(&x);
    qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-mask-key", 18);
    qtpm_keccak_absorb(&x, bits, bits_len);
    qtpm_keccak_absorb(&x, rho, 32);
    qtpm_keccak_squeeze(&x, tpm->mask_key, 32);
    /* s: 9 bits of the stream per coefficient, as in create */
    qtpm_shake256_init(&x);
    qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-s", 11);
    qtpm_keccak_absorb(&x, bits, bits_len);
    qtpm_keccak_absorb(&x, rho, 32);
    uint8_t buf[2 * LDAA_N];
    for (unsigned i = 0; i < LDAA_MS; i++) {
        qtpm_keccak_squeeze(&x, buf, sizeof buf);
        for (unsigned j = 0; j < LDAA_N; j++)
            tpm->s[i].c[j] = (int64_t)((buf[2 * j] | (unsigned)buf[2 * j + 1] << 8) & 511) - 256;
    }
    qtpm_memzero(buf, sizeof buf);
    qtpm_memzero(&x, sizeof x);
    tpm->derived = 1;
    tpm_finish_key(tpm);
    return QTPM_DAA_OK;
}

void qtpm_ldaa_t_digest(const uint8_t rho[32], const uint8_t t[QTPM_LDAA_T_SIZE],
                        uint8_t out[32])
{
    qtpm_keccak_ctx x;
    qtpm_shake256_init(&x);
    qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-t", 11);
    qtpm_keccak_absorb(&x, rho, 32);
    qtpm_keccak_absorb(&x, t, QTPM_LDAA_T_SIZE);
    qtpm_keccak_squeeze(&x, out, 32);
}

int qtpm_ldaa_tpm_t_digest(const qtpm_ldaa_tpm *tpm, uint8_t out[32])
{
    if (tpm == NULL || out == NULL)
        return QTPM_DAA_E_PARAM;
    ldaa_poly *tk = calloc(LDAA_K, sizeof(ldaa_poly));
    uint8_t *tb = malloc(QTPM_LDAA_T_SIZE);
    if (tk == NULL || tb == NULL) {
        free(tk);
        free(tb);
        return QTPM_DAA_E_PARAM;
    }
    if (tpm->ops != NULL)
        memcpy(tk, tpm->t, LDAA_K * sizeof(ldaa_poly));
    else
        ldaa_mul_d(tk, tpm->pub, tpm->s_hat);
    int64_t tv[LDAA_N];
    for (unsigned i = 0; i < LDAA_K; i++) {
        for (unsigned j = 0; j < LDAA_N; j++)
            tv[j] = (int64_t)tk[i].c[j];
        ldaa_pack(tb + (size_t)i * LDAA_N * LDAA_QBITS / 8, tv, LDAA_N, LDAA_QBITS, 0);
    }
    qtpm_ldaa_t_digest(tpm->rho, tb, out);
    free(tk); /* t is public */
    free(tb);
    return QTPM_DAA_OK;
}

int qtpm_ldaa_tpm_save(const qtpm_ldaa_tpm *tpm, uint8_t key[QTPM_LDAA_TPMKEY_SIZE])
{
    if (tpm == NULL || key == NULL || tpm->ops != NULL)
        return QTPM_DAA_E_PARAM;
    key[0] = 'T';
    memcpy(key + 1, tpm->rho, 32);
    return qtpm_ldaa_tpm_export_secret(tpm, key + 33);
}

int qtpm_ldaa_tpm_export_secret(const qtpm_ldaa_tpm *tpm, uint8_t out[QTPM_LDAA_REVOKED_SIZE])
{
    /* a TPM elsewhere keeps s to itself */
    if (tpm == NULL || out == NULL || tpm->ops != NULL)
        return QTPM_DAA_E_PARAM;
    ldaa_pack(out, &tpm->s[0].c[0], (size_t)LDAA_MS * LDAA_N, 9, LDAA_ETA_S);
    return QTPM_DAA_OK;
}

int qtpm_ldaa_tpm_load(qtpm_ldaa_tpm **out, const uint8_t *key, size_t len)
{
    if (out == NULL || key == NULL || len != QTPM_LDAA_TPMKEY_SIZE || key[0] != 'T')
        return QTPM_DAA_E_FORMAT;
    int rc = tpm_new(out, key + 1);
    if (rc != QTPM_DAA_OK)
        return rc;
    /* 9-bit fields hold s + 256 in [0, 511]: always in range */
    (void)ldaa_unpack(&(*out)->s[0].c[0], key + 33, (size_t)LDAA_MS * LDAA_N, 9, LDAA_ETA_S, 511);
    tpm_finish_key(*out);
    return QTPM_DAA_OK;
}

void qtpm_ldaa_tpm_free(qtpm_ldaa_tpm *tpm)
{
    if (tpm == NULL)
        return;
    if (tpm->ops != NULL && tpm->ops->free != NULL)
        tpm->ops->free(tpm->ops_ctx);
    free(tpm->pub);
    qtpm_memzero(tpm, sizeof *tpm);
    free(tpm);
}

/* The XOF for masks is ldaa_mask_xof (64 random bytes), or, for a derived
 * key's join request, keyed with mask_key ‖ nonce ‖ try (ldaa_tpm_derive). */

int qtpm_ldaa_tpm_join_request(qtpm_ldaa_tpm *tpm, const uint8_t nonce[QTPM_LDAA_NONCE_SIZE],
                               uint8_t req[QTPM_LDAA_JOINREQ_SIZE])
{
    if (tpm == NULL || nonce == NULL || req == NULL)
        return QTPM_DAA_E_PARAM;
    if (tpm->ops != NULL)
        return tpm->ops->join(tpm->ops_ctx, nonce, req);
    ldaa_poly *tt = calloc(3 * LDAA_MS + 2 * LDAA_K, sizeof(ldaa_poly));
    ldaa_spoly *zs = calloc(2 * LDAA_MS + 1, sizeof(ldaa_spoly));
    if (tt == NULL || zs == NULL) {
        free(tt);
        free(zs);
        return QTPM_DAA_E_PARAM;
    }
    ldaa_poly *tk = tt, *w = tt + LDAA_K, *yh = tt + 2 * LDAA_K;
    ldaa_spoly *ys = zs + LDAA_MS, *c = zs + 2 * LDAA_MS;
    ldaa_mul_d(tk, tpm->pub, tpm->s_hat);
    int rc = QTPM_DAA_E_PROOF;
    uint8_t ct[32];
    for (unsigned tries = 0; tries < LDAA_MAX_TRIES; tries++) {
        qtpm_keccak_ctx x;
        if (tpm->derived) {
            uint8_t tb[2] = {(uint8_t)(tries >> 8), (uint8_t)tries};
            qtpm_shake256_init(&x);
            qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-join-mask-derived", 27);
            qtpm_keccak_absorb(&x, tpm->mask_key, 32);
            qtpm_keccak_absorb(&x, nonce, 32);
            qtpm_keccak_absorb(&x, tb, 2);
        } else if (ldaa_mask_xof(&x, "qtpm-ldaa-join-mask") != QTPM_DAA_OK) {
            rc = QTPM_DAA_E_RNG;
            break;
        }
        for (unsigned i = 0; i < LDAA_MS; i++) {
            ldaa_sample_mask(&ys[i], &x, LDAA_GS);
            ldaa_from_short(&yh[i], &ys[i]);
            ldaa_ntt(&yh[i]);
        }
        qtpm_memzero(&x, sizeof x);
        ldaa_mul_d(w, tpm->pub, yh);
        /* c~ = SHAKE256("qtpm-ldaa-join" ‖ rho ‖ nonce ‖ t ‖ w) */
        qtpm_keccak_ctx h;
        qtpm_shake256_init(&h);
        qtpm_keccak_absorb(&h, (const uint8_t *)"qtpm-ldaa-join", 14);
        qtpm_keccak_absorb(&h, tpm->rho, 32);
        qtpm_keccak_absorb(&h, nonce, 32);
        ldaa_absorb_polys(&h, tk, LDAA_K);
        ldaa_absorb_polys(&h, w, LDAA_K);
        qtpm_keccak_squeeze(&h, ct, 32);
        ldaa_challenge(c, ct);
        ldaa_poly ch;
        ldaa_from_short(&ch, c);
        ldaa_ntt(&ch);
        ldaa_tomont(&ch);
        int bad = 0;
        for (unsigned i = 0; i < LDAA_MS; i++) {
            ldaa_poly p;
            ldaa_pointwise(&p, &ch, &tpm->s_hat[i]);
            ldaa_invntt(&p);
            ldaa_to_short(&zs[i], &p);
            for (unsigned j = 0; j < LDAA_N; j++)
                zs[i].c[j] += ys[i].c[j];
            bad |= ldaa_spoly_exceeds(&zs[i], ((int64_t)1 << LDAA_GS) - LDAA_BS);
            qtpm_memzero(&p, sizeof p);
        }
        qtpm_memzero(&ch, sizeof ch);
        if (!bad) {
            rc = QTPM_DAA_OK;
            break;
        }
    }
    if (rc == QTPM_DAA_OK) {
        uint8_t *p = req;
        *p++ = 'J';
        int64_t tv[LDAA_N];
        for (unsigned i = 0; i < LDAA_K; i++, p += LDAA_N * LDAA_QBITS / 8) {
            for (unsigned j = 0; j < LDAA_N; j++)
                tv[j] = (int64_t)tk[i].c[j];
            ldaa_pack(p, tv, LDAA_N, LDAA_QBITS, 0);
        }
        memcpy(p, ct, 32);
        p += 32;
        ldaa_pack(p, &zs[0].c[0], (size_t)LDAA_MS * LDAA_N, LDAA_GS + 1, (int64_t)1 << LDAA_GS);
    }
    qtpm_memzero(zs, (2 * LDAA_MS + 1) * sizeof(ldaa_spoly));
    qtpm_memzero(tt, (3 * LDAA_MS + 2 * LDAA_K) * sizeof(ldaa_poly));
    free(zs);
    free(tt);
    return rc;
}

int ldaa_tpm_commit(qtpm_ldaa_tpm *tpm, const uint8_t bsnval[32], ldaa_poly w_t[LDAA_K],
                    ldaa_poly *w_nym, ldaa_spoly *nym)
{
    if (tpm->ops != NULL)
        return tpm->ops->commit(tpm->ops_ctx, bsnval, w_t, w_nym, nym);
    return ldaa_tpm_commit_seeded(tpm, bsnval, NULL, w_t, w_nym, nym);
}

int ldaa_tpm_commit_seeded(qtpm_ldaa_tpm *tpm, const uint8_t bsnval[32], const uint8_t seed[32],
                           ldaa_poly w_t[LDAA_K], ldaa_poly *w_nym, ldaa_spoly *nym)
{
    tpm_wipe_commit(tpm);
    ldaa_poly *h = calloc(2 * LDAA_MS, sizeof(ldaa_poly));
    if (h == NULL)
        return QTPM_DAA_E_PARAM;
    ldaa_poly *yh = h + LDAA_MS;
    ldaa_expand_h(h, tpm->rho, bsnval);
    qtpm_keccak_ctx x;
    int rc = QTPM_DAA_OK;
    if (seed != NULL) {
        qtpm_shake256_init(&x);
        qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-sign-mask-tpm-seeded", 30);
        qtpm_keccak_absorb(&x, seed, 32);
    } else {
        rc = ldaa_mask_xof(&x, "qtpm-ldaa-sign-mask-tpm");
    }
    if (rc != QTPM_DAA_OK) {
        free(h);
        return rc;
    }
    for (unsigned i = 0; i < LDAA_MS; i++) {
        ldaa_sample_mask(&tpm->ys[i], &x, LDAA_GS);
        ldaa_from_short(&yh[i], &tpm->ys[i]);
        ldaa_ntt(&yh[i]);
    }
    ldaa_sample_mask(&tpm->ye, &x, LDAA_GE);
    qtpm_memzero(&x, sizeof x);
    /* w_T = -D y_s */
    ldaa_mul_d(w_t, tpm->pub, yh);
    ldaa_poly zero;
    memset(&zero, 0, sizeof zero);
    for (unsigned i = 0; i < LDAA_K; i++)
        ldaa_sub(&w_t[i], &zero, &w_t[i]);
    /* h·s -> nym, e;  h·y_s - y_e -> w_nym */
    ldaa_poly hs, hy, ye;
    memset(&hs, 0, sizeof hs);
    memset(&hy, 0, sizeof hy);
    for (unsigned i = 0; i < LDAA_MS; i++) {
        ldaa_pointwise_acc(&hs, &h[i], &tpm->s_hat[i]);
        ldaa_pointwise_acc(&hy, &h[i], &yh[i]);
    }
    ldaa_invntt(&hs);
    ldaa_invntt(&hy);
    for (unsigned j = 0; j < LDAA_N; j++)
        ldaa_power2round(&nym->c[j], &tpm->e.c[j], hs.c[j]);
    ldaa_from_short(&ye, &tpm->ye);
    ldaa_sub(w_nym, &hy, &ye);
    memcpy(tpm->bsnval, bsnval, 32);
    tpm->committed = 1;
    qtpm_memzero(&hs, sizeof hs);
    qtpm_memzero(&hy, sizeof hy);
    qtpm_memzero(&ye, sizeof ye);
    qtpm_memzero(h, 2 * LDAA_MS * sizeof(ldaa_poly));
    free(h);
    return QTPM_DAA_OK;
}

int ldaa_tpm_respond(qtpm_ldaa_tpm *tpm, const uint8_t ctilde[32], ldaa_spoly zs[LDAA_MS],
                     ldaa_spoly *ze)
{
    if (tpm->ops != NULL)
        return tpm->ops->respond(tpm->ops_ctx, ctilde, zs, ze);
    if (!tpm->committed)
        return QTPM_DAA_E_TPM;
    ldaa_spoly c;
    ldaa_challenge(&c, ctilde);
    ldaa_poly ch, p;
    ldaa_from_short(&ch, &c);
    ldaa_ntt(&ch);
    ldaa_tomont(&ch);
    int bad = 0;
    for (unsigned i = 0; i < LDAA_MS; i++) {
        ldaa_pointwise(&p, &ch, &tpm->s_hat[i]);
        ldaa_invntt(&p);
        ldaa_to_short(&zs[i], &p);
        for (unsigned j = 0; j < LDAA_N; j++)
            zs[i].c[j] += tpm->ys[i].c[j];
        bad |= ldaa_spoly_exceeds(&zs[i], ((int64_t)1 << LDAA_GS) - LDAA_BS);
    }
    ldaa_from_short(&p, &tpm->e);
    ldaa_ntt(&p);
    ldaa_pointwise(&p, &ch, &p);
    ldaa_invntt(&p);
    ldaa_to_short(ze, &p);
    for (unsigned j = 0; j < LDAA_N; j++)
        ze->c[j] += tpm->ye.c[j];
    bad |= ldaa_spoly_exceeds(ze, ((int64_t)1 << LDAA_GE) - LDAA_BE);
    qtpm_memzero(&p, sizeof p);
    qtpm_memzero(&ch, sizeof ch);
    qtpm_memzero(&c, sizeof c);
    tpm_wipe_commit(tpm);
    if (bad) {
        qtpm_memzero(zs, LDAA_MS * sizeof(ldaa_spoly));
        qtpm_memzero(ze, sizeof *ze);
        return 1;
    }
    return 0;
}

void ldaa_tpm_discard(qtpm_ldaa_tpm *tpm)
{
    if (tpm->ops != NULL && tpm->ops->discard != NULL)
        tpm->ops->discard(tpm->ops_ctx);
    tpm_wipe_commit(tpm);
}
