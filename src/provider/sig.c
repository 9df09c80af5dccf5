/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sig.c — signatures with TPM-resident keys (tpmkey.c): "RSA" (RSASSA-PSS,
 * RSASSA-PKCS1-v1_5) and "ECDSA", made by TPM2_Sign (Part 3 §20.2).
 *
 * The message is hashed here (OpenSSL's digests, child library context) and
 * the TPM signs the digest with the key, which may be an unrestricted key
 * only (tpmkey.c checks). TLS 1.3 signs CertificateVerify with
 * DigestSign: RSA keys with RSA-PSS and a salt as long as the hash
 * (RFC 8446 §4.2.3), which is the salt TPM2_Sign's RSAPSS scheme uses
 * (Part 1 §B.7, salt size = digest size where the key allows it); a caller
 * asking for another salt length gets an error rather than a signature of
 * another kind. ECDSA signatures leave the TPM as (r, s) and leave here DER
 * encoded (RFC 3279 §2.2.3, as X.509 and TLS carry them).
 *
 * Verification is not offered: it needs no secret, and OpenSSL's default
 * provider does it with the certificate's key.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/rsa.h>

#include "tpmkey.h"

typedef struct {
    qp_provctx *prov;
    qp_tpmkey *key;
    int ecdsa;   /* the algorithm: 0 RSA, 1 ECDSA */
    EVP_MD *md;  /* NULL until set */
    EVP_MD_CTX *mdctx;
    int pad;     /* RSA_PKCS1_PSS_PADDING or RSA_PKCS1_PADDING */
    int saltlen; /* RSA_PSS_SALTLEN_DIGEST or a byte count */
} qp_sigctx;

static OSSL_FUNC_signature_newctx_fn sig_rsa_newctx, sig_ecdsa_newctx;
static OSSL_FUNC_signature_freectx_fn sig_freectx;
static OSSL_FUNC_signature_dupctx_fn sig_dupctx;
static OSSL_FUNC_signature_sign_init_fn sig_sign_init;
static OSSL_FUNC_signature_sign_fn sig_sign;
static OSSL_FUNC_signature_digest_sign_init_fn sig_digest_sign_init;
static OSSL_FUNC_signature_digest_sign_update_fn sig_digest_sign_update;
static OSSL_FUNC_signature_digest_sign_final_fn sig_digest_sign_final;
static OSSL_FUNC_signature_get_ctx_params_fn sig_get_ctx_params;
static OSSL_FUNC_signature_gettable_ctx_params_fn sig_gettable_ctx_params;
static OSSL_FUNC_signature_set_ctx_params_fn sig_set_ctx_params;
static OSSL_FUNC_signature_settable_ctx_params_fn sig_settable_ctx_params;

static void *sig_newctx(void *provctx, int ecdsa)
{
    qp_sigctx *c = OPENSSL_zalloc(sizeof(*c));

    if (c == NULL)
        return NULL;
    c->prov = provctx;
    c->ecdsa = ecdsa;
    c->pad = RSA_PKCS1_PADDING;
    c->saltlen = RSA_PSS_SALTLEN_DIGEST;
    return c;
}

static void *sig_rsa_newctx(void *provctx, const char *propq)
{
    (void)propq;
    return sig_newctx(provctx, 0);
}

static void *sig_ecdsa_newctx(void *provctx, const char *propq)
{
    (void)propq;
    return sig_newctx(provctx, 1);
}

static void sig_freectx(void *vctx)
{
    qp_sigctx *c = vctx;

    if (c == NULL)
        return;
    EVP_MD_CTX_free(c->mdctx);
    EVP_MD_free(c->md);
    qp_tpmkey_free(c->key);
    OPENSSL_free(c);
}

static void *sig_dupctx(void *vctx)
{
    qp_sigctx *src = vctx, *c = OPENSSL_memdup(src, sizeof(*src));

    if (c == NULL)
        return NULL;
    c->md = NULL;
    c->mdctx = NULL;
    c->key = NULL;
    if ((src->md != NULL && !EVP_MD_up_ref(src->md)) ||
        (src->mdctx != NULL && ((c->mdctx = EVP_MD_CTX_new()) == NULL ||
                                !EVP_MD_CTX_copy_ex(c->mdctx, src->mdctx)))) {
        sig_freectx(c);
        return NULL;
    }
    c->md = src->md;
    if (src->key != NULL) {
        qp_tpmkey_up(src->key);
        c->key = src->key;
    }
    return c;
}

static TPM_ALG_ID md_to_tpm(const EVP_MD *md)
{
    if (EVP_MD_is_a(md, "SHA256"))
        return TPM_ALG_SHA256;
    if (EVP_MD_is_a(md, "SHA384"))
        return TPM_ALG_SHA384;
    if (EVP_MD_is_a(md, "SHA512"))
        return TPM_ALG_SHA512;
    if (EVP_MD_is_a(md, "SHA1"))
        return TPM_ALG_SHA1;
    return TPM_ALG_NULL;
}

static int set_md(qp_sigctx *c, const char *name)
{
    EVP_MD *md = EVP_MD_fetch(c->prov->libctx, name, NULL);

    if (md == NULL || md_to_tpm(md) == TPM_ALG_NULL) {
        qp_error(ERR_R_UNSUPPORTED, "qtpm: digest %s is not one the TPM signs with "
                 "(SHA-1, SHA-256, SHA-384, SHA-512)", name);
        EVP_MD_free(md);
        return 0;
    }
    EVP_MD_free(c->md);
    c->md = md;
    return 1;
}

static int sig_init(qp_sigctx *c, void *provkey, const OSSL_PARAM params[])
{
    qp_tpmkey *k = provkey;

    if (k == NULL || k->is_ec != c->ecdsa) {
        qp_error(ERR_R_PASSED_INVALID_ARGUMENT, "qtpm: key and signature algorithm differ");
        return 0;
    }
    qp_tpmkey_up(k);
    qp_tpmkey_free(c->key);
    c->key = k;
    return sig_set_ctx_params(c, params);
}

static int sig_sign_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    return sig_init(vctx, provkey, params);
}

/* sig: the signature, DER for ECDSA; NULL asks for the size. */
static int sign_digest(qp_sigctx *c, unsigned char *sig, size_t *siglen, size_t sigsize,
                       const unsigned char *dig, size_t dig_len)
{
    size_t max = (size_t)EVP_PKEY_get_size(c->key->pubkey);
    TPMT_SIGNATURE ts;
    TPM_ALG_ID hash, scheme;

    if (sig == NULL) {
        *siglen = max;
        return 1;
    }
    if (sigsize < max) {
        qp_error(ERR_R_PASSED_INVALID_ARGUMENT, "qtpm: signature buffer too small");
        return 0;
    }
    if (c->md != NULL) {
        hash = md_to_tpm(c->md);
        if ((size_t)EVP_MD_get_size(c->md) != dig_len) {
            qp_error(ERR_R_PASSED_INVALID_ARGUMENT, "qtpm: the digest's length is not its hash's");
            return 0;
        }
    } else {
        hash = dig_len == 32 ? TPM_ALG_SHA256 : dig_len == 48 ? TPM_ALG_SHA384
             : dig_len == 64 ? TPM_ALG_SHA512 : dig_len == 20 ? TPM_ALG_SHA1 : TPM_ALG_NULL;
        if (hash == TPM_ALG_NULL) {
            qp_error(ERR_R_PASSED_INVALID_ARGUMENT, "qtpm: %zu bytes is no digest length", dig_len);
            return 0;
        }
    }
    if (c->ecdsa) {
        scheme = TPM_ALG_ECDSA;
    } else if (c->pad == RSA_PKCS1_PSS_PADDING) {
        if (c->saltlen != RSA_PSS_SALTLEN_DIGEST && c->saltlen != (int)dig_len) {
            qp_error(ERR_R_UNSUPPORTED, "qtpm: the TPM's RSA-PSS salt is as long as the digest "
                     "(%zu), not %d", dig_len, c->saltlen);
            return 0;
        }
        scheme = TPM_ALG_RSAPSS;
    } else if (c->pad == RSA_PKCS1_PADDING) {
        scheme = TPM_ALG_RSASSA;
    } else {
        qp_error(ERR_R_UNSUPPORTED, "qtpm: RSA padding mode %d (only PSS and PKCS #1 v1.5)",
                 c->pad);
        return 0;
    }
    if (!qp_tpmkey_sign(c->key, scheme, hash, dig, dig_len, &ts))
        return 0;
    if (!c->ecdsa) {
        const TPM2B_PUBLIC_KEY_RSA *s = &ts.signature.rsassa.sig;
        if (s->size > sigsize)
            return 0;
        memcpy(sig, s->buffer, s->size);
        *siglen = s->size;
        return 1;
    }
    ECDSA_SIG *es = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(ts.signature.ecdsa.signatureR.buffer,
                          ts.signature.ecdsa.signatureR.size, NULL);
    BIGNUM *s = BN_bin2bn(ts.signature.ecdsa.signatureS.buffer,
                          ts.signature.ecdsa.signatureS.size, NULL);
    int len, ok = 0;
    if (es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s)) {
        r = s = NULL;
        len = i2d_ECDSA_SIG(es, NULL);
        if (len > 0 && (size_t)len <= sigsize) {
            unsigned char *p = sig;
            *siglen = (size_t)i2d_ECDSA_SIG(es, &p);
            ok = 1;
        }
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(es);
    return ok;
}

static int sig_sign(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize,
                    const unsigned char *tbs, size_t tbslen)
{
    return sign_digest(vctx, sig, siglen, sigsize, tbs, tbslen);
}

static int sig_digest_sign_init(void *vctx, const char *mdname, void *provkey,
                                const OSSL_PARAM params[])
{
    qp_sigctx *c = vctx;

    if (!sig_init(c, provkey, NULL))
        return 0;
    if (!set_md(c, mdname != NULL && mdname[0] ? mdname : "SHA256"))
        return 0;
    if (c->mdctx == NULL && (c->mdctx = EVP_MD_CTX_new()) == NULL)
        return 0;
    if (!EVP_DigestInit_ex2(c->mdctx, c->md, NULL))
        return 0;
    return sig_set_ctx_params(c, params);
}

static int sig_digest_sign_update(void *vctx, const unsigned char *data, size_t datalen)
{
    qp_sigctx *c = vctx;

    return c->mdctx != NULL && EVP_DigestUpdate(c->mdctx, data, datalen);
}

static int sig_digest_sign_final(void *vctx, unsigned char *sig, size_t *siglen, size_t sigsize)
{
    qp_sigctx *c = vctx;
    unsigned char dig[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    int ok;

    if (c->mdctx == NULL)
        return 0;
    if (sig == NULL)
        return sign_digest(c, NULL, siglen, 0, NULL, 0);
    if (!EVP_DigestFinal_ex(c->mdctx, dig, &dl))
        return 0;
    ok = sign_digest(c, sig, siglen, sigsize, dig, dl);
    OPENSSL_cleanse(dig, sizeof dig);
    return ok;
}

static int sig_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    qp_sigctx *c = vctx;
    OSSL_PARAM *p;

    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL && !OSSL_PARAM_set_utf8_string(p, c->md != NULL ? EVP_MD_get0_name(c->md) : ""))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL && !c->ecdsa) {
        if (p->data_type == OSSL_PARAM_INTEGER) {
            if (!OSSL_PARAM_set_int(p, c->pad))
                return 0;
        } else if (!OSSL_PARAM_set_utf8_string(p, c->pad == RSA_PKCS1_PSS_PADDING ? "pss" : "pkcs1")) {
            return 0;
        }
    }
    return 1;
}

static const OSSL_PARAM *sig_gettable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM known[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)vctx;
    (void)provctx;
    return known;
}

static int sig_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    qp_sigctx *c = vctx;
    const OSSL_PARAM *p;
    const char *s;

    if (params == NULL)
        return 1;
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_DIGEST);
    if (p != NULL) {
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &s) || !set_md(c, s))
            return 0;
    }
    if (c->ecdsa)
        return 1;
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PAD_MODE);
    if (p != NULL) {
        if (p->data_type == OSSL_PARAM_INTEGER) {
            if (!OSSL_PARAM_get_int(p, &c->pad))
                return 0;
        } else if (OSSL_PARAM_get_utf8_string_ptr(p, &s)) {
            if (strcmp(s, OSSL_PKEY_RSA_PAD_MODE_PSS) == 0)
                c->pad = RSA_PKCS1_PSS_PADDING;
            else if (strcmp(s, OSSL_PKEY_RSA_PAD_MODE_PKCSV15) == 0)
                c->pad = RSA_PKCS1_PADDING;
            else
                c->pad = -1; /* refused when signing */
        } else {
            return 0;
        }
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_PSS_SALTLEN);
    if (p != NULL) {
        if (p->data_type == OSSL_PARAM_INTEGER) {
            if (!OSSL_PARAM_get_int(p, &c->saltlen))
                return 0;
        } else if (OSSL_PARAM_get_utf8_string_ptr(p, &s)) {
            if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_DIGEST) == 0)
                c->saltlen = RSA_PSS_SALTLEN_DIGEST;
            else if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_MAX) == 0)
                c->saltlen = RSA_PSS_SALTLEN_MAX;
            else if (strcmp(s, OSSL_PKEY_RSA_PSS_SALT_LEN_AUTO) == 0)
                c->saltlen = RSA_PSS_SALTLEN_AUTO;
            else
                c->saltlen = atoi(s);
        } else {
            return 0;
        }
    }
    p = OSSL_PARAM_locate_const(params, OSSL_SIGNATURE_PARAM_MGF1_DIGEST);
    if (p != NULL) {
        /* the TPM's MGF1 uses the signature's hash */
        if (!OSSL_PARAM_get_utf8_string_ptr(p, &s) ||
            (c->md != NULL && !EVP_MD_is_a(c->md, s))) {
            qp_error(ERR_R_UNSUPPORTED, "qtpm: the TPM's MGF1 hash is the signature's hash");
            return 0;
        }
    }
    return 1;
}

static const OSSL_PARAM *sig_settable_ctx_params(void *vctx, void *provctx)
{
    static const OSSL_PARAM known[] = {
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_DIGEST, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PAD_MODE, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_PSS_SALTLEN, NULL, 0),
        OSSL_PARAM_utf8_string(OSSL_SIGNATURE_PARAM_MGF1_DIGEST, NULL, 0),
        OSSL_PARAM_END,
    };
    (void)vctx;
    (void)provctx;
    return known;
}

#define SIG_COMMON                                                                            \
    {OSSL_FUNC_SIGNATURE_FREECTX, (void (*)(void))sig_freectx},                               \
        {OSSL_FUNC_SIGNATURE_DUPCTX, (void (*)(void))sig_dupctx},                             \
        {OSSL_FUNC_SIGNATURE_SIGN_INIT, (void (*)(void))sig_sign_init},                       \
        {OSSL_FUNC_SIGNATURE_SIGN, (void (*)(void))sig_sign},                                 \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_INIT, (void (*)(void))sig_digest_sign_init},         \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_UPDATE, (void (*)(void))sig_digest_sign_update},     \
        {OSSL_FUNC_SIGNATURE_DIGEST_SIGN_FINAL, (void (*)(void))sig_digest_sign_final},       \
        {OSSL_FUNC_SIGNATURE_GET_CTX_PARAMS, (void (*)(void))sig_get_ctx_params},             \
        {OSSL_FUNC_SIGNATURE_GETTABLE_CTX_PARAMS, (void (*)(void))sig_gettable_ctx_params},   \
        {OSSL_FUNC_SIGNATURE_SET_CTX_PARAMS, (void (*)(void))sig_set_ctx_params},             \
        {OSSL_FUNC_SIGNATURE_SETTABLE_CTX_PARAMS, (void (*)(void))sig_settable_ctx_params}

const OSSL_DISPATCH qp_tpm_rsa_signature_functions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))sig_rsa_newctx},
    SIG_COMMON,
    {0, NULL},
};

const OSSL_DISPATCH qp_tpm_ecdsa_signature_functions[] = {
    {OSSL_FUNC_SIGNATURE_NEWCTX, (void (*)(void))sig_ecdsa_newctx},
    SIG_COMMON,
    {0, NULL},
};
