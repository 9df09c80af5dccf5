/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rsa.c — RSA keys and operations over OpenSSL's EVP_PKEY: key generation,
 * import from the TPM's stored form (modulus plus one prime, Part 2
 * §11.2.4.7) with the rest of the private key rebuilt here, export of the
 * components as fixed-size big-endian strings, and the TPM's schemes: raw
 * RSA, OAEP and PKCS#1 v1.5 encryption, PKCS#1 v1.5 and PSS signatures.
 *
 * Private values pass through BIGNUMs marked secure and constant-time, and
 * are freed with BN_clear_free; the OSSL_PARAM blocks built from them are
 * cleansed when freed because they come from secure BIGNUMs.
 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "classic_internal.h"
#include "qtpm/common.h"

struct qtpm_rsa_key {
    EVP_PKEY *pkey;
    unsigned bits;
    int priv; /* 1 when the key holds d (and, unless imported from d, p and q) */
};

/* Import accepts what OpenSSL accepts for use; generation is limited to the
 * sizes TPM profiles name. */
#define RSA_MIN_BITS 512
#define RSA_MAX_BITS 16384

static BIGNUM *secret_bn_from_bytes(const uint8_t *b, size_t len)
{
    BIGNUM *bn = BN_secure_new();
    if (bn == NULL)
        return NULL;
    BN_set_flags(bn, BN_FLG_CONSTTIME);
    if (BN_bin2bn(b, (int)len, bn) == NULL) {
        BN_clear_free(bn);
        return NULL;
    }
    return bn;
}

static BIGNUM *secret_bn_new(void)
{
    BIGNUM *bn = BN_secure_new();
    if (bn != NULL)
        BN_set_flags(bn, BN_FLG_CONSTTIME);
    return bn;
}

static int key_from_pkey(EVP_PKEY *pkey, int priv, qtpm_rsa_key **out)
{
    qtpm_rsa_key *k = OPENSSL_zalloc(sizeof(*k));
    if (k == NULL) {
        EVP_PKEY_free(pkey);
        return QTPM_E_NOMEM;
    }
    k->pkey = pkey;
    k->bits = (unsigned)EVP_PKEY_get_bits(pkey);
    k->priv = priv;
    *out = k;
    return QTPM_OK;
}

/* Builds an EVP_PKEY from the components present (n and e always; the
 * private ones when non-NULL). */
static int pkey_from_bns(const BIGNUM *n, const BIGNUM *e, const BIGNUM *d,
                         const BIGNUM *p, const BIGNUM *q, const BIGNUM *dp,
                         const BIGNUM *dq, const BIGNUM *qinv, qtpm_rsa_key **out)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    int rc = QTPM_E_CRYPTO, priv = d != NULL;

    if (bld == NULL)
        return QTPM_E_NOMEM;
    if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
        !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
        goto done;
    if (priv && !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_D, d))
        goto done;
    if (p != NULL &&
        (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR1, p) ||
         !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_FACTOR2, q) ||
         !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp) ||
         !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq) ||
         !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qinv)))
        goto done;
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (params == NULL || ctx == NULL)
        goto done;
    if (EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, params) != 1)
        goto done;
    rc = key_from_pkey(pkey, priv, out);
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    return rc;
}

/* The public half every import shares: n of a sane size, odd, and e (0 means
 * 65537) odd and at least 3. */
static int public_bns(const uint8_t *n_bytes, size_t n_len, uint32_t e_word,
                      BIGNUM **n, BIGNUM **e)
{
    int bits;
    if (e_word == 0)
        e_word = QTPM_RSA_DEFAULT_EXPONENT;
    if (e_word < 3 || (e_word & 1) == 0 || n_len > RSA_MAX_BITS / 8)
        return QTPM_E_INVALID;
    *n = BN_bin2bn(n_bytes, (int)n_len, NULL);
    *e = BN_new();
    if (*n == NULL || *e == NULL || !BN_set_word(*e, e_word))
        return QTPM_E_NOMEM;
    bits = BN_num_bits(*n);
    if (bits < RSA_MIN_BITS || !BN_is_odd(*n))
        return QTPM_E_INVALID;
    return QTPM_OK;
}

int qtpm_rsa_import_public(const uint8_t *n, size_t n_len, uint32_t e, qtpm_rsa_key **out)
{
    BIGNUM *bn_n = NULL, *bn_e = NULL;
    int rc;
    *out = NULL;
    rc = public_bns(n, n_len, e, &bn_n, &bn_e);
    if (rc == QTPM_OK)
        rc = pkey_from_bns(bn_n, bn_e, NULL, NULL, NULL, NULL, NULL, NULL, out);
    BN_free(bn_n);
    BN_free(bn_e);
    return rc;
}

int qtpm_rsa_import_prime(const uint8_t *n, size_t n_len, uint32_t e,
                          const uint8_t *p, size_t p_len, qtpm_rsa_key **out)
{
    BIGNUM *bn_n = NULL, *bn_e = NULL, *bp = NULL, *bq = NULL, *rem = NULL;
    BIGNUM *p1 = NULL, *q1 = NULL, *lcm = NULL, *gcd = NULL, *d = NULL;
    BIGNUM *dp = NULL, *dq = NULL, *qinv = NULL;
    BN_CTX *bnctx = NULL;
    int rc;

    *out = NULL;
    rc = public_bns(n, n_len, e, &bn_n, &bn_e);
    if (rc != QTPM_OK)
        goto done;
    rc = QTPM_E_NOMEM;
    bnctx = BN_CTX_secure_new();
    bp = secret_bn_from_bytes(p, p_len);
    bq = secret_bn_new();
    rem = secret_bn_new();
    p1 = secret_bn_new();
    q1 = secret_bn_new();
    lcm = secret_bn_new();
    gcd = secret_bn_new();
    d = secret_bn_new();
    dp = secret_bn_new();
    dq = secret_bn_new();
    qinv = secret_bn_new();
    if (bnctx == NULL || bp == NULL || bq == NULL || rem == NULL || p1 == NULL ||
        q1 == NULL || lcm == NULL || gcd == NULL || d == NULL || dp == NULL ||
        dq == NULL || qinv == NULL)
        goto done;

    /* q = n / p must be exact, with both factors above 1. */
    rc = QTPM_E_INVALID;
    if (BN_cmp(bp, BN_value_one()) <= 0 || BN_cmp(bp, bn_n) >= 0)
        goto done;
    rc = QTPM_E_CRYPTO;
    if (!BN_div(bq, rem, bn_n, bp, bnctx))
        goto done;
    rc = QTPM_E_INVALID;
    if (!BN_is_zero(rem) || BN_cmp(bq, BN_value_one()) <= 0)
        goto done;

    /* d = e^-1 mod lcm(p-1, q-1) (FIPS 186-4 §B.3.1 uses the lcm), then the
     * CRT exponents d mod (p-1), d mod (q-1) and qInv = q^-1 mod p
     * (RFC 8017 §3.2). An e sharing a factor with p-1 or q-1 has no inverse. */
    rc = QTPM_E_CRYPTO;
    if (!BN_sub(p1, bp, BN_value_one()) || !BN_sub(q1, bq, BN_value_one()) ||
        !BN_gcd(gcd, p1, q1, bnctx) || !BN_mul(lcm, p1, q1, bnctx) ||
        !BN_div(lcm, NULL, lcm, gcd, bnctx))
        goto done;
    rc = QTPM_E_INVALID;
    if (BN_mod_inverse(d, bn_e, lcm, bnctx) == NULL)
        goto done;
    if (BN_mod_inverse(qinv, bq, bp, bnctx) == NULL)
        goto done;
    rc = QTPM_E_CRYPTO;
    if (!BN_mod(dp, d, p1, bnctx) || !BN_mod(dq, d, q1, bnctx))
        goto done;
    rc = pkey_from_bns(bn_n, bn_e, d, bp, bq, dp, dq, qinv, out);
done:
    BN_free(bn_n);
    BN_free(bn_e);
    BN_clear_free(bp);
    BN_clear_free(bq);
    BN_clear_free(rem);
    BN_clear_free(p1);
    BN_clear_free(q1);
    BN_clear_free(lcm);
    BN_clear_free(gcd);
    BN_clear_free(d);
    BN_clear_free(dp);
    BN_clear_free(dq);
    BN_clear_free(qinv);
    BN_CTX_free(bnctx);
    return rc;
}

int qtpm_rsa_import_private_exponent(const uint8_t *n, size_t n_len, uint32_t e,
                                     const uint8_t *d, size_t d_len, qtpm_rsa_key **out)
{
    BIGNUM *bn_n = NULL, *bn_e = NULL, *bn_d = NULL;
    int rc;
    *out = NULL;
    rc = public_bns(n, n_len, e, &bn_n, &bn_e);
    if (rc == QTPM_OK) {
        bn_d = secret_bn_from_bytes(d, d_len);
        if (bn_d == NULL)
            rc = QTPM_E_NOMEM;
        else if (BN_is_zero(bn_d) || BN_cmp(bn_d, bn_n) >= 0)
            rc = QTPM_E_INVALID;
    }
    if (rc == QTPM_OK)
        rc = pkey_from_bns(bn_n, bn_e, bn_d, NULL, NULL, NULL, NULL, NULL, out);
    BN_free(bn_n);
    BN_free(bn_e);
    BN_clear_free(bn_d);
    return rc;
}

int qtpm_rsa_generate(unsigned bits, uint32_t e, qtpm_rsa_key **out)
{
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    BIGNUM *bn_e = NULL;
    int rc = QTPM_E_CRYPTO;

    *out = NULL;
    if (bits != 1024 && bits != 2048 && bits != 3072 && bits != 4096)
        return QTPM_E_PARAM;
    if (e == 0)
        e = QTPM_RSA_DEFAULT_EXPONENT;
    if (e < 3 || (e & 1) == 0)
        return QTPM_E_PARAM;
    bn_e = BN_new();
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (bn_e == NULL || ctx == NULL || !BN_set_word(bn_e, e)) {
        rc = QTPM_E_NOMEM;
        goto done;
    }
    if (EVP_PKEY_keygen_init(ctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, (int)bits) != 1 ||
        EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn_e) != 1 ||
        EVP_PKEY_generate(ctx, &pkey) != 1)
        goto done;
    rc = key_from_pkey(pkey, 1, out);
done:
    BN_free(bn_e);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

void qtpm_rsa_free(qtpm_rsa_key *key)
{
    if (key == NULL)
        return;
    EVP_PKEY_free(key->pkey); /* OpenSSL clears the private BIGNUMs */
    OPENSSL_clear_free(key, sizeof(*key));
}

unsigned qtpm_rsa_bits(const qtpm_rsa_key *key)
{
    return key->bits;
}

size_t qtpm_rsa_size(const qtpm_rsa_key *key)
{
    return (key->bits + 7) / 8;
}

int qtpm_rsa_is_private(const qtpm_rsa_key *key)
{
    return key->priv;
}

/* Writes one key component as exactly len bytes. */
static int export_bn(const qtpm_rsa_key *key, const char *name, size_t len,
                     uint8_t *out, size_t cap, size_t *out_len)
{
    BIGNUM *bn = NULL;
    int rc = QTPM_OK;
    if (cap < len)
        return QTPM_E_BUFFER;
    if (EVP_PKEY_get_bn_param(key->pkey, name, &bn) != 1)
        return QTPM_E_PARAM; /* the key lacks this component */
    if (BN_bn2binpad(bn, out, (int)len) != (int)len)
        rc = QTPM_E_CRYPTO;
    else
        *out_len = len;
    BN_clear_free(bn);
    return rc;
}

int qtpm_rsa_export_public(const qtpm_rsa_key *key, uint8_t *n, size_t n_cap,
                           size_t *n_len, uint32_t *e)
{
    BIGNUM *bn_e = NULL;
    int rc = export_bn(key, OSSL_PKEY_PARAM_RSA_N, qtpm_rsa_size(key), n, n_cap, n_len);
    if (rc != QTPM_OK || e == NULL)
        return rc;
    if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_E, &bn_e) != 1)
        return QTPM_E_CRYPTO;
    if (BN_num_bits(bn_e) > 32)
        rc = QTPM_E_INVALID; /* not representable in TPMS_RSA_PARMS.exponent */
    else
        *e = (uint32_t)BN_get_word(bn_e);
    BN_free(bn_e);
    return rc;
}

int qtpm_rsa_export_prime(const qtpm_rsa_key *key, int want_q, uint8_t *p,
                          size_t p_cap, size_t *p_len)
{
    if (!key->priv)
        return QTPM_E_PARAM;
    return export_bn(key, want_q ? OSSL_PKEY_PARAM_RSA_FACTOR2 : OSSL_PKEY_PARAM_RSA_FACTOR1,
                     qtpm_rsa_size(key) / 2, p, p_cap, p_len);
}

int qtpm_rsa_export_private_exponent(const qtpm_rsa_key *key, uint8_t *d,
                                     size_t d_cap, size_t *d_len)
{
    if (!key->priv)
        return QTPM_E_PARAM;
    return export_bn(key, OSSL_PKEY_PARAM_RSA_D, qtpm_rsa_size(key), d, d_cap, d_len);
}

/* ------------------------------------------------------------ operations */

enum rsa_op { OP_ENCRYPT, OP_DECRYPT, OP_SIGN, OP_VERIFY };

/* A context for one operation with its padding and hashes set. label (OAEP
 * only) is copied. pss_salt is used for PSS only. */
static EVP_PKEY_CTX *op_ctx(const qtpm_rsa_key *key, enum rsa_op op, int padding,
                            qtpm_hash_alg hash, const uint8_t *label, size_t label_len,
                            int pss_salt)
{
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
    const EVP_MD *md = NULL;
    int ok;

    if (ctx == NULL)
        return NULL;
    switch (op) {
    case OP_ENCRYPT: ok = EVP_PKEY_encrypt_init(ctx); break;
    case OP_DECRYPT: ok = EVP_PKEY_decrypt_init(ctx); break;
    case OP_SIGN: ok = EVP_PKEY_sign_init(ctx); break;
    default: ok = EVP_PKEY_verify_init(ctx); break;
    }
    ok = ok == 1 && EVP_PKEY_CTX_set_rsa_padding(ctx, padding) == 1;
    if (ok && hash != QTPM_HASH_NONE) {
        md = classic_evp_md(hash);
        ok = md != NULL;
    }
    if (ok && padding == RSA_PKCS1_OAEP_PADDING) {
        ok = EVP_PKEY_CTX_set_rsa_oaep_md(ctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1;
        if (ok && label_len > 0) {
            /* set0 takes ownership of a heap copy */
            void *copy = OPENSSL_memdup(label, label_len);
            ok = copy != NULL && EVP_PKEY_CTX_set0_rsa_oaep_label(ctx, copy, (int)label_len) == 1;
            if (!ok)
                OPENSSL_free(copy);
        }
    }
    if (ok && (op == OP_SIGN || op == OP_VERIFY))
        ok = EVP_PKEY_CTX_set_signature_md(ctx, md) == 1;
    if (ok && padding == RSA_PKCS1_PSS_PADDING)
        ok = EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, md) == 1 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, pss_salt) == 1;
    if (!ok) {
        EVP_PKEY_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

static int encrypt_with(const qtpm_rsa_key *key, int padding, qtpm_hash_alg hash,
                        const uint8_t *label, size_t label_len,
                        const uint8_t *in, size_t in_len,
                        uint8_t *out, size_t out_cap, size_t *out_len)
{
    EVP_PKEY_CTX *ctx;
    size_t len = out_cap;
    int rc = QTPM_OK;

    if (out_cap < qtpm_rsa_size(key))
        return QTPM_E_BUFFER;
    ctx = op_ctx(key, OP_ENCRYPT, padding, hash, label, label_len, 0);
    if (ctx == NULL)
        return QTPM_E_CRYPTO;
    /* OpenSSL rejects a message too long for the padding; that is the
     * caller's input, not a back-end failure. */
    if (EVP_PKEY_encrypt(ctx, out, &len, in, in_len) != 1)
        rc = QTPM_E_LENGTH;
    else
        *out_len = len;
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

static int decrypt_with(const qtpm_rsa_key *key, int padding, qtpm_hash_alg hash,
                        const uint8_t *label, size_t label_len,
                        const uint8_t *in, size_t in_len,
                        uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t k = qtpm_rsa_size(key), len = k;
    EVP_PKEY_CTX *ctx;
    uint8_t *tmp;
    int rc = QTPM_OK;

    if (!key->priv)
        return QTPM_E_PARAM;
    if (in_len != k)
        return QTPM_E_LENGTH;
    ctx = op_ctx(key, OP_DECRYPT, padding, hash, label, label_len, 0);
    if (ctx == NULL)
        return QTPM_E_CRYPTO;
    /* Decrypt into a full-size scratch buffer so that a short caller buffer
     * is reported as such rather than as a padding error. */
    tmp = OPENSSL_malloc(k);
    if (tmp == NULL) {
        EVP_PKEY_CTX_free(ctx);
        return QTPM_E_NOMEM;
    }
    if (EVP_PKEY_decrypt(ctx, tmp, &len, in, in_len) != 1) {
        rc = QTPM_E_INVALID;
    } else if (len > out_cap) {
        rc = QTPM_E_BUFFER;
    } else {
        memcpy(out, tmp, len);
        *out_len = len;
    }
    OPENSSL_clear_free(tmp, k);
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

/* Left-pads a raw RSA input to the modulus size and checks it is below n
 * (the input is not secret, so a plain comparison is fine). */
static int raw_input(const qtpm_rsa_key *key, const uint8_t *in, size_t in_len, uint8_t *buf)
{
    size_t k = qtpm_rsa_size(key), n_len;
    uint8_t *n;
    int rc;

    if (in_len > k)
        return QTPM_E_LENGTH;
    memset(buf, 0, k - in_len);
    if (in_len > 0)
        memcpy(buf + (k - in_len), in, in_len);
    n = OPENSSL_malloc(k);
    if (n == NULL)
        return QTPM_E_NOMEM;
    rc = qtpm_rsa_export_public(key, n, k, &n_len, NULL);
    if (rc == QTPM_OK && memcmp(buf, n, k) >= 0)
        rc = QTPM_E_INVALID;
    OPENSSL_free(n);
    return rc;
}

int qtpm_rsa_raw_public(const qtpm_rsa_key *key, const uint8_t *in, size_t in_len,
                        uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t k = qtpm_rsa_size(key);
    uint8_t *buf;
    int rc;
    if (out_cap < k)
        return QTPM_E_BUFFER;
    buf = OPENSSL_malloc(k);
    if (buf == NULL)
        return QTPM_E_NOMEM;
    rc = raw_input(key, in, in_len, buf);
    if (rc == QTPM_OK)
        rc = encrypt_with(key, RSA_NO_PADDING, QTPM_HASH_NONE, NULL, 0, buf, k,
                          out, out_cap, out_len);
    OPENSSL_clear_free(buf, k);
    return rc;
}

int qtpm_rsa_raw_private(const qtpm_rsa_key *key, const uint8_t *in, size_t in_len,
                         uint8_t *out, size_t out_cap, size_t *out_len)
{
    size_t k = qtpm_rsa_size(key);
    uint8_t *buf;
    int rc;
    if (!key->priv)
        return QTPM_E_PARAM;
    if (out_cap < k)
        return QTPM_E_BUFFER;
    buf = OPENSSL_malloc(k);
    if (buf == NULL)
        return QTPM_E_NOMEM;
    rc = raw_input(key, in, in_len, buf);
    if (rc == QTPM_OK) {
        rc = decrypt_with(key, RSA_NO_PADDING, QTPM_HASH_NONE, NULL, 0, buf, k,
                          out, out_cap, out_len);
        if (rc == QTPM_OK && *out_len != k)
            rc = QTPM_E_CRYPTO;
    }
    OPENSSL_clear_free(buf, k);
    return rc;
}

int qtpm_rsa_oaep_encrypt(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                          const uint8_t *label, size_t label_len,
                          const uint8_t *msg, size_t msg_len,
                          uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (classic_evp_md(hash) == NULL)
        return QTPM_E_PARAM;
    return encrypt_with(key, RSA_PKCS1_OAEP_PADDING, hash, label, label_len, msg, msg_len,
                        out, out_cap, out_len);
}

int qtpm_rsa_oaep_decrypt(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                          const uint8_t *label, size_t label_len,
                          const uint8_t *in, size_t in_len,
                          uint8_t *out, size_t out_cap, size_t *out_len)
{
    if (classic_evp_md(hash) == NULL)
        return QTPM_E_PARAM;
    return decrypt_with(key, RSA_PKCS1_OAEP_PADDING, hash, label, label_len, in, in_len,
                        out, out_cap, out_len);
}

int qtpm_rsa_pkcs1_encrypt(const qtpm_rsa_key *key, const uint8_t *msg, size_t msg_len,
                           uint8_t *out, size_t out_cap, size_t *out_len)
{
    return encrypt_with(key, RSA_PKCS1_PADDING, QTPM_HASH_NONE, NULL, 0, msg, msg_len,
                        out, out_cap, out_len);
}

int qtpm_rsa_pkcs1_decrypt(const qtpm_rsa_key *key, const uint8_t *in, size_t in_len,
                           uint8_t *out, size_t out_cap, size_t *out_len)
{
    return decrypt_with(key, RSA_PKCS1_PADDING, QTPM_HASH_NONE, NULL, 0, in, in_len,
                        out, out_cap, out_len);
}

static int sign_with(const qtpm_rsa_key *key, int padding, qtpm_hash_alg hash, int salt,
                     const uint8_t *digest, size_t digest_len,
                     uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    EVP_PKEY_CTX *ctx;
    size_t len = sig_cap;
    int rc = QTPM_OK;

    if (!key->priv)
        return QTPM_E_PARAM;
    if (classic_evp_md(hash) == NULL)
        return QTPM_E_PARAM;
    if (digest_len != qtpm_hash_size(hash))
        return QTPM_E_LENGTH;
    if (sig_cap < qtpm_rsa_size(key))
        return QTPM_E_BUFFER;
    ctx = op_ctx(key, OP_SIGN, padding, hash, NULL, 0, salt);
    if (ctx == NULL)
        return QTPM_E_CRYPTO;
    if (EVP_PKEY_sign(ctx, sig, &len, digest, digest_len) != 1)
        rc = QTPM_E_CRYPTO;
    else
        *sig_len = len;
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

static int verify_with(const qtpm_rsa_key *key, int padding, qtpm_hash_alg hash, int salt,
                       const uint8_t *digest, size_t digest_len,
                       const uint8_t *sig, size_t sig_len)
{
    EVP_PKEY_CTX *ctx;
    int rc;

    if (classic_evp_md(hash) == NULL)
        return QTPM_E_PARAM;
    if (digest_len != qtpm_hash_size(hash))
        return QTPM_E_LENGTH;
    if (sig_len != qtpm_rsa_size(key))
        return QTPM_E_VERIFY;
    ctx = op_ctx(key, OP_VERIFY, padding, hash, NULL, 0, salt);
    if (ctx == NULL)
        return QTPM_E_CRYPTO;
    rc = EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1 ? QTPM_OK : QTPM_E_VERIFY;
    EVP_PKEY_CTX_free(ctx);
    return rc;
}

int qtpm_rsa_pkcs1_sign(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                        const uint8_t *digest, size_t digest_len,
                        uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    return sign_with(key, RSA_PKCS1_PADDING, hash, 0, digest, digest_len, sig, sig_cap, sig_len);
}

int qtpm_rsa_pkcs1_verify(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                          const uint8_t *digest, size_t digest_len,
                          const uint8_t *sig, size_t sig_len)
{
    return verify_with(key, RSA_PKCS1_PADDING, hash, 0, digest, digest_len, sig, sig_len);
}

int qtpm_rsa_pss_sign(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                      const uint8_t *digest, size_t digest_len,
                      uint8_t *sig, size_t sig_cap, size_t *sig_len)
{
    /* RFC 8017 §9.1.1: emLen = ceil((modBits-1)/8) must hold hLen + sLen + 2.
     * The salt is hLen bytes, shrunk to what fits for small keys. */
    size_t hlen = qtpm_hash_size(hash);
    size_t em_len = (key->bits - 1 + 7) / 8;
    size_t salt = hlen;
    if (hlen == 0)
        return QTPM_E_PARAM;
    if (em_len < hlen + 2)
        return QTPM_E_PARAM;
    if (em_len < hlen + salt + 2)
        salt = em_len - hlen - 2;
    return sign_with(key, RSA_PKCS1_PSS_PADDING, hash, (int)salt, digest, digest_len,
                     sig, sig_cap, sig_len);
}

int qtpm_rsa_pss_verify(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                        const uint8_t *digest, size_t digest_len,
                        const uint8_t *sig, size_t sig_len)
{
    return verify_with(key, RSA_PKCS1_PSS_PADDING, hash, RSA_PSS_SALTLEN_AUTO, digest,
                       digest_len, sig, sig_len);
}
