/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * groups.c — the four TLS 1.3 groups of qtpm-provider and their wire layouts.
 *
 * Hybrid groups, draft-ietf-tls-ecdhe-mlkem (-04) §3.1:
 *   §3.1.1 client share, §3.1.2 server share, §3.1.3 shared secret.
 *   X25519MLKEM768 (0x11EC): ML-KEM FIRST everywhere —
 *     client share  = ek (1184) ‖ X25519 public (32)            = 1216
 *     server share  = ct (1088) ‖ X25519 public (32)            = 1120
 *     shared secret = ML-KEM ss (32) ‖ X25519 ss (32)           = 64
 *   SecP256r1MLKEM768 (0x11EB): ECDHE FIRST everywhere —
 *     client share  = P-256 uncompressed point (65) ‖ ek (1184) = 1249
 *     server share  = P-256 uncompressed point (65) ‖ ct (1088) = 1153
 *     shared secret = ECDH x-coordinate (32) ‖ ML-KEM ss (32)   = 64
 *   (The order differs so that the FIPS-approved part comes first, §3.)
 * ML-KEM alone, draft-ietf-tls-mlkem §3: MLKEM768 (0x0201), MLKEM1024 (0x0202);
 *   client share = ek, server share = ct, shared secret = ML-KEM ss.
 *
 * ML-KEM is ours (qtpm/mlkem.h, constant time, tests/ct). The classic halves
 * are OpenSSL's (the default provider's implementations in the provider's
 * child library context, classic.c); their checks are RFC 8446 §4.2.8.2
 * (P-256 points: uncompressed, on the curve — OpenSSL's import checks it) and
 * §7.4.2 (X25519: OpenSSL refuses an all-zero result). Every length is checked
 * before a byte is read; every secret intermediate is wiped.
 */
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "provider_internal.h"
#include "qtpm/common.h"

#define X25519_LEN 32
#define P256_POINT_LEN 65
#define P256_SCALAR_LEN 32

const qp_group qp_groups[QP_NGROUPS] = {
    {"X25519MLKEM768", 0x11EC, 192, QTPM_MLKEM_768, QP_CLASSIC_X25519, QP_ORDER_MLKEM_FIRST,
     1184, 1088, X25519_LEN, 32, 1184 + X25519_LEN, 1088 + X25519_LEN, 64},
    {"SecP256r1MLKEM768", 0x11EB, 192, QTPM_MLKEM_768, QP_CLASSIC_P256, QP_ORDER_ECDH_FIRST,
     1184, 1088, P256_POINT_LEN, 32, P256_POINT_LEN + 1184, P256_POINT_LEN + 1088, 64},
    {"MLKEM768", 0x0201, 192, QTPM_MLKEM_768, QP_CLASSIC_NONE, QP_ORDER_MLKEM_FIRST,
     1184, 1088, 0, 0, 1184, 1088, 32},
    {"MLKEM1024", 0x0202, 256, QTPM_MLKEM_1024, QP_CLASSIC_NONE, QP_ORDER_MLKEM_FIRST,
     1568, 1568, 0, 0, 1568, 1568, 32},
};

const qp_group *qp_group_by_name(const char *name)
{
    if (name == NULL)
        return NULL;
    for (size_t i = 0; i < QP_NGROUPS; i++)
        if (strcasecmp(qp_groups[i].name, name) == 0)
            return &qp_groups[i];
    return NULL;
}

/* Offsets of the ML-KEM and ECDH parts in a share (client or server) whose
 * ML-KEM part is mlkem_len bytes. */
static size_t mlkem_off(const qp_group *g)
{
    return g->order == QP_ORDER_ECDH_FIRST ? g->ecdh_pub_len : 0;
}

static size_t ecdh_off(const qp_group *g, size_t mlkem_len)
{
    return g->order == QP_ORDER_ECDH_FIRST ? 0 : mlkem_len;
}

qp_key *qp_key_new(qp_provctx *prov, const qp_group *g)
{
    qp_key *k = OPENSSL_zalloc(sizeof(*k));

    if (k == NULL)
        return NULL;
    k->g = g;
    k->prov = prov;
    return k;
}

/* The secrets are the seed and the expanded dk (the classic private key is
 * wiped by OpenSSL when ec goes); the public ek needs no wiping. Every path
 * that drops has_priv wipes them itself (qp_share_decode, failed generation),
 * so a key without has_priv holds none. */
void qp_key_free(qp_key *k)
{
    if (k == NULL)
        return;
    qp_classic_free(k->ec_impl, k->ec);
    if (k->has_priv) {
        OPENSSL_cleanse(k->seed, sizeof(k->seed));
        OPENSSL_cleanse(k->dk, qtpm_mlkem_dk_bytes(k->g->mlkem));
    }
    OPENSSL_free(k);
}

/* Drops the classic half (its object wipes its private key). */
static void drop_classic(qp_key *k)
{
    qp_classic_free(k->ec_impl, k->ec);
    k->ec = NULL;
    k->ec_impl = NULL;
}

/* ---- keys ---------------------------------------------------------------- */

static void wipe_secrets(qp_key *k)
{
    OPENSSL_cleanse(k->seed, sizeof(k->seed));
    OPENSSL_cleanse(k->dk, sizeof(k->dk));
}

/* Ends the making of a key pair: made (ok), it holds both halves; failed, its
 * secrets are wiped and it holds none. Returns ok. */
static int key_made(qp_key *k, int ok)
{
    if (!ok) {
        wipe_secrets(k);
        drop_classic(k);
        k->has_pub = k->has_priv = 0;
        return 0;
    }
    k->has_pub = k->has_priv = 1;
    return 1;
}

int qp_key_generate(qp_key *k)
{
    const qp_group *g = k->g;

    drop_classic(k);
    if (qtpm_mlkem_keygen(g->mlkem, k->ek, k->dk, k->seed) != QTPM_OK)
        goto fail;
    if (g->classic != QP_CLASSIC_NONE) {
        k->ec_impl = qp_classic_get(k->prov, g->classic);
        if (k->ec_impl == NULL)
            goto fail;
        k->ec = qp_classic_generate(k->ec_impl);
        /* The public value is encoded once, here: every share copies it. */
        if (k->ec == NULL || !qp_classic_public(k->ec_impl, k->ec, k->ec_pub, g->ecdh_pub_len))
            goto fail;
    }
    return key_made(k, 1);
fail:
    return key_made(k, 0);
}

size_t qp_private_len(const qp_group *g)
{
    switch (g->classic) {
    case QP_CLASSIC_X25519:
        return QTPM_MLKEM_SEED_BYTES + X25519_LEN;
    case QP_CLASSIC_P256:
        return QTPM_MLKEM_SEED_BYTES + P256_SCALAR_LEN;
    default:
        return QTPM_MLKEM_SEED_BYTES;
    }
}

/* Private encoding (qtpm's own, for export/import and the known-answer
 * tests): the ML-KEM seed d ‖ z, then the classic private key (X25519: 32 raw
 * bytes, RFC 7748; P-256: the 32-byte big-endian scalar). */
int qp_private_encode(const qp_key *k, uint8_t *out, size_t out_len)
{
    const qp_group *g = k->g;
    uint8_t *c = out + QTPM_MLKEM_SEED_BYTES;
    size_t clen = out_len - QTPM_MLKEM_SEED_BYTES;
    int ok = 0;

    if (!k->has_priv || out_len != qp_private_len(g))
        return 0;
    memcpy(out, k->seed, QTPM_MLKEM_SEED_BYTES);
    if (g->classic != QP_CLASSIC_NONE)
        ok = k->ec != NULL && qp_classic_private(k->ec_impl, k->ec, c, clen);
    else
        ok = 1;
    if (!ok)
        OPENSSL_cleanse(out, out_len);
    return ok;
}

/* The P-256 public point of scalar priv (for import from the private form). */
static int p256_point_of(const uint8_t *priv, uint8_t pt[P256_POINT_LEN])
{
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *p = NULL;
    BIGNUM *d = BN_secure_new();
    int ok = 0;

    if (grp == NULL || d == NULL || BN_bin2bn(priv, P256_SCALAR_LEN, d) == NULL || BN_is_zero(d) ||
        BN_cmp(d, EC_GROUP_get0_order(grp)) >= 0)
        goto out;
    p = EC_POINT_new(grp);
    if (p == NULL || !EC_POINT_mul(grp, p, d, NULL, NULL, NULL))
        goto out;
    ok = EC_POINT_point2oct(grp, p, POINT_CONVERSION_UNCOMPRESSED, pt, P256_POINT_LEN, NULL) ==
         P256_POINT_LEN;
out:
    EC_POINT_free(p);
    EC_GROUP_free(grp);
    BN_clear_free(d);
    return ok;
}

int qp_key_from_private(qp_key *k, const uint8_t *in, size_t in_len)
{
    const qp_group *g = k->g;
    const uint8_t *c = in + QTPM_MLKEM_SEED_BYTES;
    uint8_t pt[P256_POINT_LEN];

    if (in_len != qp_private_len(g))
        return 0;
    drop_classic(k);
    memcpy(k->seed, in, QTPM_MLKEM_SEED_BYTES);
    if (qtpm_mlkem_keygen_from_seed(g->mlkem, k->seed, k->ek, k->dk) != QTPM_OK)
        goto fail;
    if (g->classic != QP_CLASSIC_NONE) {
        k->ec_impl = qp_classic_get(k->prov, g->classic);
        if (k->ec_impl == NULL)
            goto fail;
    }
    if (g->classic == QP_CLASSIC_X25519) {
        k->ec = qp_classic_from_private(k->ec_impl, c, X25519_LEN, NULL, 0);
    } else if (g->classic == QP_CLASSIC_P256) {
        if (!p256_point_of(c, pt))
            goto fail;
        k->ec = qp_classic_from_private(k->ec_impl, c, P256_SCALAR_LEN, pt, P256_POINT_LEN);
    }
    if (g->classic != QP_CLASSIC_NONE &&
        (k->ec == NULL || !qp_classic_public(k->ec_impl, k->ec, k->ec_pub, g->ecdh_pub_len)))
        goto fail;
    return key_made(k, 1);
fail:
    return key_made(k, 0);
}

/* ---- client share -------------------------------------------------------- */

int qp_share_encode(const qp_key *k, uint8_t *out, size_t out_len)
{
    const qp_group *g = k->g;

    if (!k->has_pub || out_len != g->share_len)
        return 0;
    memcpy(out + mlkem_off(g), k->ek, g->ek_len);
    if (g->classic != QP_CLASSIC_NONE)
        memcpy(out + ecdh_off(g, g->ek_len), k->ec_pub, g->ecdh_pub_len);
    return 1;
}

int qp_share_decode(qp_key *k, const uint8_t *in, size_t in_len)
{
    const qp_group *g = k->g;
    const qp_classic_impl *im = NULL;
    const uint8_t *pub = in + ecdh_off(g, g->ek_len);
    void *ec = NULL;

    if (in == NULL || in_len != g->share_len)
        return 0;
    /* FIPS 203 §7.2, required by draft-ietf-tls-ecdhe-mlkem §3.1.2. */
    if (qtpm_mlkem_check_ek(g->mlkem, in + mlkem_off(g), g->ek_len) != QTPM_OK)
        return 0;
    if (g->classic != QP_CLASSIC_NONE) {
        im = qp_classic_get(k->prov, g->classic);
        ec = im != NULL ? qp_classic_from_public(im, pub, g->ecdh_pub_len) : NULL;
        if (ec == NULL)
            return 0;
    }
    /* A key is either a fresh peer key or replaced whole (the server's is a
     * parameters-only key, with no secrets to wipe). */
    drop_classic(k);
    if (k->has_priv)
        wipe_secrets(k);
    k->ec = ec;
    k->ec_impl = im;
    if (ec != NULL)
        memcpy(k->ec_pub, pub, g->ecdh_pub_len);
    memcpy(k->ek, in + mlkem_off(g), g->ek_len);
    k->has_pub = 1;
    k->has_priv = 0;
    return 1;
}

/* ---- the KEM ------------------------------------------------------------- */

/* ss of the layout from the two parts. */
static void join_secret(const qp_group *g, const uint8_t *ss_k, const uint8_t *ss_e, uint8_t *ss)
{
    if (g->classic == QP_CLASSIC_NONE) {
        memcpy(ss, ss_k, QTPM_MLKEM_SS_BYTES);
    } else if (g->order == QP_ORDER_ECDH_FIRST) {
        memcpy(ss, ss_e, g->ecdh_ss_len);
        memcpy(ss + g->ecdh_ss_len, ss_k, QTPM_MLKEM_SS_BYTES);
    } else {
        memcpy(ss, ss_k, QTPM_MLKEM_SS_BYTES);
        memcpy(ss + QTPM_MLKEM_SS_BYTES, ss_e, g->ecdh_ss_len);
    }
}

int qp_encapsulate(const qp_key *peer, uint8_t *reply, uint8_t *ss)
{
    const qp_group *g = peer->g;
    uint8_t ss_k[QTPM_MLKEM_SS_BYTES], ss_e[32];
    const qp_classic_impl *im = peer->ec_impl;
    void *eph = NULL;
    int ok = 0;

    if (!peer->has_pub || (g->classic != QP_CLASSIC_NONE && (im == NULL || peer->ec == NULL)))
        return 0;
    /* peer->ek passed the §7.2 modulus check when the share was decoded
     * (qp_share_decode, the only way a key gets a public part without its
     * private one); a generated key's ek is well formed by construction. */
    if (qtpm_mlkem_encaps_checked(g->mlkem, peer->ek, g->ek_len, reply + mlkem_off(g), ss_k) !=
        QTPM_OK)
        goto out;
    if (g->classic != QP_CLASSIC_NONE) {
        eph = qp_classic_generate(im);
        if (eph == NULL ||
            !qp_classic_public(im, eph, reply + ecdh_off(g, g->ct_len), g->ecdh_pub_len) ||
            !qp_classic_derive(im, eph, peer->ec, ss_e, g->ecdh_ss_len))
            goto out;
    }
    join_secret(g, ss_k, ss_e, ss);
    ok = 1;
out:
    qp_classic_free(im, eph);
    OPENSSL_cleanse(ss_k, sizeof(ss_k));
    OPENSSL_cleanse(ss_e, sizeof(ss_e));
    if (!ok) {
        OPENSSL_cleanse(reply, g->reply_len);
        OPENSSL_cleanse(ss, g->ss_len);
    }
    return ok;
}

int qp_decapsulate(const qp_key *k, const uint8_t *reply, size_t reply_len, uint8_t *ss)
{
    const qp_group *g = k->g;
    uint8_t ss_k[QTPM_MLKEM_SS_BYTES], ss_e[32];
    const qp_classic_impl *im = k->ec_impl;
    void *peer = NULL;
    int ok = 0;

    /* A ciphertext of the wrong length for the group is refused before any
     * byte of it is read (draft-ietf-tls-ecdhe-mlkem §3.1.2). */
    if (!k->has_priv || reply == NULL || reply_len != g->reply_len ||
        (g->classic != QP_CLASSIC_NONE && (im == NULL || k->ec == NULL)))
        return 0;
    if (g->classic != QP_CLASSIC_NONE) {
        peer = qp_classic_from_public(im, reply + ecdh_off(g, g->ct_len), g->ecdh_pub_len);
        if (peer == NULL || !qp_classic_derive(im, k->ec, peer, ss_e, g->ecdh_ss_len))
            goto out;
    }
    /* Implicit rejection (FIPS 203 Algorithm 18): a wrong ciphertext of the
     * right length gives a pseudo-random secret, in constant time.
     * k->dk was written by qtpm_mlkem_keygen / _keygen_from_seed in
     * qp_key_generate / qp_key_from_private and never comes from outside (the
     * private import form is the seed), so the §7.3 hash check is left out
     * (FIPS 203 §7.3: the decapsulating party need not check at every
     * execution when assurance comes otherwise; docs/PROVIDER.md). */
    if (qtpm_mlkem_decaps_generated(g->mlkem, k->dk, qtpm_mlkem_dk_bytes(g->mlkem),
                                    reply + mlkem_off(g), g->ct_len, ss_k) != QTPM_OK)
        goto out;
    join_secret(g, ss_k, ss_e, ss);
    ok = 1;
out:
    qp_classic_free(im, peer);
    OPENSSL_cleanse(ss_k, sizeof(ss_k));
    OPENSSL_cleanse(ss_e, sizeof(ss_e));
    if (!ok)
        OPENSSL_cleanse(ss, g->ss_len);
    return ok;
}
