/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ecc.c — elliptic-curve operations on raw big-endian values, over OpenSSL's
 * EC_GROUP/EC_POINT/BIGNUM (not deprecated in 3.0) for point and scalar
 * arithmetic and over EVP_PKEY for ECDSA.
 *
 * The TPM engine keeps ECC keys as bytes (TPMS_ECC_POINT and
 * TPM2B_ECC_PARAMETER) and needs more than sign/verify: TPM2_Commit,
 * ECDAA and ECSchnorr compute with points and scalars directly (Part 1
 * §C.2-C.5), ZGen returns the whole shared point. So this file offers the
 * group operations themselves; every point that comes in is validated before
 * use, and every secret scalar lives in a constant-time BIGNUM that is
 * cleared when freed.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>

#include "classic_internal.h"
#include "qtpm/common.h"
#include "qtpm/rand.h"

/* BN_P256 (ISO/IEC 15946-5; TCG Algorithm Registry TPM_ECC_BN_P256): the
 * Barreto-Naehrig curve y^2 = x^3 + 3 with parameter u = -0x6882F5C030B0A801,
 * p = 36u^4 + 36u^3 + 24u^2 + 6u + 1, n = 36u^4 + 36u^3 + 18u^2 + 6u + 1,
 * generator (1, 2), cofactor 1. */
static const char BN_P256_P[] =
    "FFFFFFFFFFFCF0CD46E5F25EEE71A49F0CDC65FB12980A82D3292DDBAED33013";
static const char BN_P256_N[] =
    "FFFFFFFFFFFCF0CD46E5F25EEE71A49E0CDC65FB1299921AF62D536CD10B500D";

static EC_GROUP *bn_p256_group(BN_CTX *ctx)
{
    BIGNUM *p = NULL, *n = NULL, *a = BN_new(), *b = BN_new(), *one = BN_new(), *two = BN_new();
    EC_GROUP *group = NULL;
    EC_POINT *g = NULL;

    if (a == NULL || b == NULL || one == NULL || two == NULL ||
        !BN_hex2bn(&p, BN_P256_P) || !BN_hex2bn(&n, BN_P256_N) ||
        !BN_set_word(a, 0) || !BN_set_word(b, 3) || !BN_set_word(one, 1) || !BN_set_word(two, 2))
        goto done;
    group = EC_GROUP_new_curve_GFp(p, a, b, ctx);
    if (group == NULL)
        goto done;
    g = EC_POINT_new(group);
    if (g == NULL || !EC_POINT_set_affine_coordinates(group, g, one, two, ctx) ||
        !EC_GROUP_set_generator(group, g, n, one)) {
        EC_GROUP_free(group);
        group = NULL;
    }
done:
    EC_POINT_free(g);
    BN_free(p);
    BN_free(n);
    BN_free(a);
    BN_free(b);
    BN_free(one);
    BN_free(two);
    return group;
}

static const char *curve_group_name(qtpm_ecc_curve curve)
{
    switch (curve) {
    case QTPM_ECC_P256: return "P-256";
    case QTPM_ECC_P384: return "P-384";
    case QTPM_ECC_P521: return "P-521";
    default: return NULL;
    }
}

static EC_GROUP *curve_group(qtpm_ecc_curve curve, BN_CTX *ctx)
{
    switch (curve) {
    case QTPM_ECC_P256: return EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    case QTPM_ECC_P384: return EC_GROUP_new_by_curve_name(NID_secp384r1);
    case QTPM_ECC_P521: return EC_GROUP_new_by_curve_name(NID_secp521r1);
    case QTPM_ECC_BN_P256: return bn_p256_group(ctx);
    default: return NULL;
    }
}

size_t qtpm_ecc_size(qtpm_ecc_curve curve)
{
    switch (curve) {
    case QTPM_ECC_P256: return 32;
    case QTPM_ECC_P384: return 48;
    case QTPM_ECC_P521: return 66;
    case QTPM_ECC_BN_P256: return 32;
    default: return 0;
    }
}

/* What each operation needs: the group, a BIGNUM context and the curve's
 * byte size. The context comes from the secure heap since it will hold
 * intermediate values derived from secret scalars. */
typedef struct {
    EC_GROUP *group;
    BN_CTX *bn;
    size_t size;
} ecc_env;

static int env_open(ecc_env *env, qtpm_ecc_curve curve)
{
    memset(env, 0, sizeof(*env));
    env->size = qtpm_ecc_size(curve);
    if (env->size == 0)
        return QTPM_E_PARAM;
    env->bn = BN_CTX_secure_new();
    if (env->bn == NULL)
        return QTPM_E_NOMEM;
    env->group = curve_group(curve, env->bn);
    if (env->group == NULL) {
        BN_CTX_free(env->bn);
        return QTPM_E_CRYPTO;
    }
    return QTPM_OK;
}

static void env_close(ecc_env *env)
{
    EC_GROUP_free(env->group);
    BN_CTX_free(env->bn);
}

static BIGNUM *secret_bn(const uint8_t *b, size_t len)
{
    BIGNUM *bn = BN_secure_new();
    if (bn == NULL)
        return NULL;
    BN_set_flags(bn, BN_FLG_CONSTTIME);
    if (b != NULL && BN_bin2bn(b, (int)len, bn) == NULL) {
        BN_clear_free(bn);
        return NULL;
    }
    return bn;
}

/* A validated point from (x, y): both coordinates below p and the point on
 * the curve. Every supported curve has cofactor 1, so such a point is in the
 * prime-order group (SP 800-56A §5.6.2.3.4 partial validation suffices). */
static int point_in(const ecc_env *env, const uint8_t *x, const uint8_t *y, EC_POINT **out)
{
    BIGNUM *bx = BN_bin2bn(x, (int)env->size, NULL);
    BIGNUM *by = BN_bin2bn(y, (int)env->size, NULL);
    BIGNUM *p = BN_new();
    EC_POINT *pt = EC_POINT_new(env->group);
    int rc = QTPM_E_NOMEM;

    *out = NULL;
    if (bx == NULL || by == NULL || p == NULL || pt == NULL)
        goto done;
    rc = QTPM_E_CRYPTO;
    if (!EC_GROUP_get_curve(env->group, p, NULL, NULL, env->bn))
        goto done;
    rc = QTPM_E_INVALID;
    if (BN_cmp(bx, p) >= 0 || BN_cmp(by, p) >= 0)
        goto done;
    if (!EC_POINT_set_affine_coordinates(env->group, pt, bx, by, env->bn) ||
        EC_POINT_is_on_curve(env->group, pt, env->bn) != 1)
        goto done;
    *out = pt;
    pt = NULL;
    rc = QTPM_OK;
done:
    EC_POINT_free(pt);
    BN_free(bx);
    BN_free(by);
    BN_free(p);
    return rc;
}

/* Writes the affine coordinates of pt; the point at infinity has none. */
static int point_out(const ecc_env *env, const EC_POINT *pt, uint8_t *x, uint8_t *y)
{
    BIGNUM *bx = BN_new(), *by = BN_new();
    int rc = QTPM_E_NOMEM;
    if (bx == NULL || by == NULL)
        goto done;
    rc = QTPM_E_INVALID;
    if (EC_POINT_is_at_infinity(env->group, pt))
        goto done;
    rc = QTPM_E_CRYPTO;
    if (!EC_POINT_get_affine_coordinates(env->group, pt, bx, by, env->bn))
        goto done;
    if ((x != NULL && BN_bn2binpad(bx, x, (int)env->size) != (int)env->size) ||
        (y != NULL && BN_bn2binpad(by, y, (int)env->size) != (int)env->size))
        goto done;
    rc = QTPM_OK;
done:
    BN_clear_free(bx);
    BN_clear_free(by);
    return rc;
}

/* d as a secret BIGNUM, checked to lie in [1, n-1]. */
static int private_in(const ecc_env *env, const uint8_t *d, BIGNUM **out)
{
    BIGNUM *bd = secret_bn(d, env->size);
    *out = NULL;
    if (bd == NULL)
        return QTPM_E_NOMEM;
    if (BN_is_zero(bd) || BN_cmp(bd, EC_GROUP_get0_order(env->group)) >= 0) {
        BN_clear_free(bd);
        return QTPM_E_INVALID;
    }
    *out = bd;
    return QTPM_OK;
}

int qtpm_ecc_parameters(qtpm_ecc_curve curve, uint8_t *p, uint8_t *a, uint8_t *b,
                        uint8_t *gx, uint8_t *gy, uint8_t *n, uint32_t *h)
{
    BIGNUM *bp = BN_new(), *ba = BN_new(), *bb = BN_new();
    int size, rc;
    ecc_env env;

    rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        goto out;
    size = (int)env.size;
    rc = QTPM_E_CRYPTO;
    if (bp == NULL || ba == NULL || bb == NULL ||
        !EC_GROUP_get_curve(env.group, bp, ba, bb, env.bn))
        goto done;
    if ((p != NULL && BN_bn2binpad(bp, p, size) != size) ||
        (a != NULL && BN_bn2binpad(ba, a, size) != size) ||
        (b != NULL && BN_bn2binpad(bb, b, size) != size) ||
        (n != NULL && BN_bn2binpad(EC_GROUP_get0_order(env.group), n, size) != size))
        goto done;
    if (gx != NULL || gy != NULL) {
        rc = point_out(&env, EC_GROUP_get0_generator(env.group), gx, gy);
        if (rc != QTPM_OK)
            goto done;
    }
    if (h != NULL)
        *h = (uint32_t)BN_get_word(EC_GROUP_get0_cofactor(env.group));
    rc = QTPM_OK;
done:
    env_close(&env);
out:
    BN_free(bp);
    BN_free(ba);
    BN_free(bb);
    return rc;
}

int qtpm_ecc_private_from_bytes(qtpm_ecc_curve curve, const uint8_t *c, size_t c_len,
                                uint8_t *d)
{
    BIGNUM *bc = NULL, *nm1 = NULL;
    ecc_env env;
    int rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        return rc;
    rc = QTPM_E_LENGTH;
    if (c_len < env.size + 8)
        goto done;
    /* FIPS 186-4 §B.4.1: with c at least 64 bits longer than n, c mod (n-1)
     * is statistically close to uniform; adding 1 lands in [1, n-1]. */
    rc = QTPM_E_NOMEM;
    bc = secret_bn(c, c_len);
    nm1 = BN_dup(EC_GROUP_get0_order(env.group));
    if (bc == NULL || nm1 == NULL)
        goto done;
    rc = QTPM_E_CRYPTO;
    if (!BN_sub_word(nm1, 1) || !BN_mod(bc, bc, nm1, env.bn) || !BN_add_word(bc, 1) ||
        BN_bn2binpad(bc, d, (int)env.size) != (int)env.size)
        goto done;
    rc = QTPM_OK;
done:
    BN_clear_free(bc);
    BN_free(nm1);
    env_close(&env);
    return rc;
}

int qtpm_ecc_check_private(qtpm_ecc_curve curve, const uint8_t *d)
{
    BIGNUM *bd = NULL;
    ecc_env env;
    int rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        return rc;
    rc = private_in(&env, d, &bd);
    BN_clear_free(bd);
    env_close(&env);
    return rc;
}

int qtpm_ecc_check_point(qtpm_ecc_curve curve, const uint8_t *x, const uint8_t *y)
{
    EC_POINT *pt = NULL;
    ecc_env env;
    int rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        return rc;
    rc = point_in(&env, x, y, &pt);
    EC_POINT_free(pt);
    env_close(&env);
    return rc;
}

/* R = k·P (P = NULL: the generator) with k already a secret BIGNUM. For a
 * single point and for the generator OpenSSL 3 uses a constant-time
 * Montgomery ladder (or the fixed-window P-256 code). */
static int mul_bn(const ecc_env *env, const BIGNUM *k, const EC_POINT *p, uint8_t *rx,
                  uint8_t *ry)
{
    EC_POINT *r = EC_POINT_new(env->group);
    int rc;
    if (r == NULL)
        return QTPM_E_NOMEM;
    if (p == NULL)
        rc = EC_POINT_mul(env->group, r, k, NULL, NULL, env->bn);
    else
        rc = EC_POINT_mul(env->group, r, NULL, p, k, env->bn);
    rc = rc == 1 ? point_out(env, r, rx, ry) : QTPM_E_CRYPTO;
    EC_POINT_clear_free(r);
    return rc;
}

int qtpm_ecc_public_from_private(qtpm_ecc_curve curve, const uint8_t *d,
                                 uint8_t *x, uint8_t *y)
{
    BIGNUM *bd = NULL;
    ecc_env env;
    int rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        return rc;
    rc = private_in(&env, d, &bd);
    if (rc == QTPM_OK)
        rc = mul_bn(&env, bd, NULL, x, y);
    BN_clear_free(bd);
    env_close(&env);
    return rc;
}

int qtpm_ecc_generate(qtpm_ecc_curve curve, uint8_t *d, uint8_t *x, uint8_t *y)
{
    uint8_t c[QTPM_ECC_MAX_SIZE + 8];
    size_t size = qtpm_ecc_size(curve);
    int rc;
    if (size == 0)
        return QTPM_E_PARAM;
    rc = qtpm_random_bytes(c, size + 8);
    if (rc == QTPM_OK)
        rc = qtpm_ecc_private_from_bytes(curve, c, size + 8, d);
    if (rc == QTPM_OK)
        rc = qtpm_ecc_public_from_private(curve, d, x, y);
    if (rc != QTPM_OK)
        qtpm_memzero(d, size);
    qtpm_memzero(c, sizeof(c));
    return rc;
}

int qtpm_ecc_mul(qtpm_ecc_curve curve, const uint8_t *k, size_t k_len,
                 const uint8_t *px, const uint8_t *py, uint8_t *rx, uint8_t *ry)
{
    BIGNUM *bk = NULL;
    EC_POINT *p = NULL;
    ecc_env env;
    int rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        return rc;
    if ((px == NULL) != (py == NULL)) {
        rc = QTPM_E_PARAM;
        goto done;
    }
    if (px != NULL) {
        rc = point_in(&env, px, py, &p);
        if (rc != QTPM_OK)
            goto done;
    }
    rc = QTPM_E_NOMEM;
    bk = secret_bn(k_len > 0 ? k : NULL, k_len);
    if (bk == NULL)
        goto done;
    rc = QTPM_E_CRYPTO;
    if (!BN_nnmod(bk, bk, EC_GROUP_get0_order(env.group), env.bn))
        goto done;
    rc = mul_bn(&env, bk, p, rx, ry); /* k ≡ 0 gives infinity: QTPM_E_INVALID */
done:
    BN_clear_free(bk);
    EC_POINT_free(p);
    env_close(&env);
    return rc;
}

int qtpm_ecc_add(qtpm_ecc_curve curve, const uint8_t *px, const uint8_t *py,
                 const uint8_t *qx, const uint8_t *qy, uint8_t *rx, uint8_t *ry)
{
    EC_POINT *p = NULL, *q = NULL, *r = NULL;
    ecc_env env;
    int rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        return rc;
    rc = point_in(&env, px, py, &p);
    if (rc == QTPM_OK)
        rc = point_in(&env, qx, qy, &q);
    if (rc != QTPM_OK)
        goto done;
    r = EC_POINT_new(env.group);
    if (r == NULL)
        rc = QTPM_E_NOMEM;
    else if (!EC_POINT_add(env.group, r, p, q, env.bn))
        rc = QTPM_E_CRYPTO;
    else
        rc = point_out(&env, r, rx, ry);
done:
    EC_POINT_clear_free(r);
    EC_POINT_free(p);
    EC_POINT_free(q);
    env_close(&env);
    return rc;
}

int qtpm_ecc_scalar_muladd(qtpm_ecc_curve curve, const uint8_t *a, size_t a_len,
                           const uint8_t *b, size_t b_len, const uint8_t *c, size_t c_len,
                           uint8_t *r)
{
    BIGNUM *ba = NULL, *bb = NULL, *bc = NULL, *br = NULL;
    const BIGNUM *n;
    ecc_env env;
    int rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        return rc;
    n = EC_GROUP_get0_order(env.group);
    rc = QTPM_E_NOMEM;
    ba = secret_bn(a_len > 0 ? a : NULL, a_len);
    bb = secret_bn(b_len > 0 ? b : NULL, b_len);
    bc = secret_bn(c_len > 0 ? c : NULL, c_len);
    br = secret_bn(NULL, 0);
    if (ba == NULL || bb == NULL || bc == NULL || br == NULL)
        goto done;
    rc = QTPM_E_CRYPTO;
    if (!BN_nnmod(ba, ba, n, env.bn) || !BN_nnmod(bb, bb, n, env.bn) ||
        !BN_nnmod(bc, bc, n, env.bn) || !BN_mod_mul(br, bb, bc, n, env.bn) ||
        !BN_mod_add(br, br, ba, n, env.bn) ||
        BN_bn2binpad(br, r, (int)env.size) != (int)env.size)
        goto done;
    rc = QTPM_OK;
done:
    BN_clear_free(ba);
    BN_clear_free(bb);
    BN_clear_free(bc);
    BN_clear_free(br);
    env_close(&env);
    return rc;
}

int qtpm_ecdh(qtpm_ecc_curve curve, const uint8_t *d, const uint8_t *peer_x,
              const uint8_t *peer_y, uint8_t *zx, uint8_t *zy)
{
    BIGNUM *bd = NULL;
    EC_POINT *q = NULL;
    ecc_env env;
    int rc = env_open(&env, curve);
    if (rc != QTPM_OK)
        return rc;
    /* SP 800-56A §5.7.1.2: validate the peer's public key, compute d·Q, and
     * fail if the result is the point at infinity (point_out refuses it). */
    rc = point_in(&env, peer_x, peer_y, &q);
    if (rc == QTPM_OK)
        rc = private_in(&env, d, &bd);
    if (rc == QTPM_OK)
        rc = mul_bn(&env, bd, q, zx, zy);
    BN_clear_free(bd);
    EC_POINT_free(q);
    env_close(&env);
    return rc;
}

/* ------------------------------------------------------------------ ECDSA */

/* An EVP_PKEY for a NIST curve: the public point always, the private scalar
 * when d is given. */
static int ecdsa_pkey(qtpm_ecc_curve curve, const uint8_t *d, const uint8_t *x,
                      const uint8_t *y, EVP_PKEY **out)
{
    const char *name = curve_group_name(curve);
    size_t size = qtpm_ecc_size(curve);
    uint8_t pub[1 + 2 * QTPM_ECC_MAX_SIZE];
    OSSL_PARAM_BLD *bld = NULL;
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    BIGNUM *bd = NULL;
    int rc = QTPM_E_NOMEM;

    *out = NULL;
    if (name == NULL)
        return QTPM_E_PARAM;
    /* SEC 1 §2.3.3 uncompressed encoding 04 || x || y. */
    pub[0] = 0x04;
    memcpy(pub + 1, x, size);
    memcpy(pub + 1 + size, y, size);
    bld = OSSL_PARAM_BLD_new();
    if (bld == NULL)
        goto done;
    if (d != NULL && (bd = secret_bn(d, size)) == NULL)
        goto done;
    rc = QTPM_E_CRYPTO;
    if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, name, 0) ||
        !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, 1 + 2 * size) ||
        (bd != NULL && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bd)))
        goto done;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (params == NULL || ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1)
        goto done;
    rc = QTPM_E_INVALID;
    if (EVP_PKEY_fromdata(ctx, out, bd != NULL ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY,
                          params) != 1)
        goto done;
    rc = QTPM_OK;
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_clear_free(bd);
    return rc;
}

int qtpm_ecdsa_sign(qtpm_ecc_curve curve, const uint8_t *d,
                    const uint8_t *digest, size_t digest_len, uint8_t *r, uint8_t *s)
{
    uint8_t x[QTPM_ECC_MAX_SIZE], y[QTPM_ECC_MAX_SIZE];
    uint8_t der[2 * QTPM_ECC_MAX_SIZE + 16];
    size_t size = qtpm_ecc_size(curve), der_len = sizeof(der);
    const BIGNUM *br, *bs;
    const unsigned char *pp = der;
    ECDSA_SIG *sig = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    int rc;

    if (curve_group_name(curve) == NULL)
        return QTPM_E_PARAM;
    if (digest_len == 0)
        return QTPM_E_LENGTH;
    /* The EVP key wants the public point next to the scalar; deriving it
     * also checks d. */
    rc = qtpm_ecc_public_from_private(curve, d, x, y);
    if (rc == QTPM_OK)
        rc = ecdsa_pkey(curve, d, x, y, &pkey);
    if (rc != QTPM_OK)
        return rc;
    rc = QTPM_E_CRYPTO;
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1 ||
        EVP_PKEY_sign(ctx, der, &der_len, digest, digest_len) != 1)
        goto done;
    sig = d2i_ECDSA_SIG(NULL, &pp, (long)der_len);
    if (sig == NULL)
        goto done;
    ECDSA_SIG_get0(sig, &br, &bs);
    if (BN_bn2binpad(br, r, (int)size) != (int)size || BN_bn2binpad(bs, s, (int)size) != (int)size)
        goto done;
    rc = QTPM_OK;
done:
    ECDSA_SIG_free(sig);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}

int qtpm_ecdsa_verify(qtpm_ecc_curve curve, const uint8_t *x, const uint8_t *y,
                      const uint8_t *digest, size_t digest_len,
                      const uint8_t *r, const uint8_t *s)
{
    size_t size = qtpm_ecc_size(curve);
    BIGNUM *br = NULL, *bs = NULL;
    ECDSA_SIG *sig = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    unsigned char *der = NULL;
    int der_len, rc;

    if (curve_group_name(curve) == NULL)
        return QTPM_E_PARAM;
    if (digest_len == 0)
        return QTPM_E_LENGTH;
    rc = qtpm_ecc_check_point(curve, x, y);
    if (rc == QTPM_OK)
        rc = ecdsa_pkey(curve, NULL, x, y, &pkey);
    if (rc != QTPM_OK)
        return rc;
    rc = QTPM_E_NOMEM;
    sig = ECDSA_SIG_new();
    br = BN_bin2bn(r, (int)size, NULL);
    bs = BN_bin2bn(s, (int)size, NULL);
    if (sig == NULL || br == NULL || bs == NULL)
        goto done;
    if (!ECDSA_SIG_set0(sig, br, bs))
        goto done;
    br = bs = NULL; /* owned by sig now */
    der_len = i2d_ECDSA_SIG(sig, &der);
    if (der_len <= 0)
        goto done;
    rc = QTPM_E_CRYPTO;
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    if (ctx == NULL || EVP_PKEY_verify_init(ctx) != 1)
        goto done;
    /* OpenSSL rejects r or s outside [1, n-1] as part of verification. */
    rc = EVP_PKEY_verify(ctx, der, (size_t)der_len, digest, digest_len) == 1 ? QTPM_OK
                                                                             : QTPM_E_VERIFY;
done:
    OPENSSL_free(der);
    BN_free(br);
    BN_free(bs);
    ECDSA_SIG_free(sig);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
    return rc;
}
