/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pem.c — the OpenSSL side of the qtpm CLI: TPM public areas (RSA and NIST
 * ECC) to and from PEM SubjectPublicKeyInfo, TPMT_SIGNATURE to the "plain"
 * form openssl dgst -verify takes (RSA: the raw signature; ECDSA: DER
 * Ecdsa-Sig-Value), and software digests. Post-quantum keys have no PEM
 * form in OpenSSL 3.0, so they stay in TPM2B_PUBLIC files or are written as
 * their raw key bytes (-f raw); the output formats of public keys are here
 * too.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include "cli.h"

static const char *curve_group(TPM_ECC_CURVE c)
{
    switch (c) {
    case TPM_ECC_NIST_P256: return "prime256v1";
    case TPM_ECC_NIST_P384: return "secp384r1";
    case TPM_ECC_NIST_P521: return "secp521r1";
    default: return NULL;
    }
}

static EVP_PKEY *public_to_pkey(const TPMT_PUBLIC *pub)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *pkey = NULL;
    BIGNUM *n = NULL, *e = NULL;
    uint8_t point[1 + 2 * MAX_ECC_KEY_BYTES];
    const char *type = NULL;
    if (!bld)
        return NULL;
    if (pub->type == TPM_ALG_RSA) {
        type = "RSA";
        UINT32 exp = pub->parameters.rsaDetail.exponent ? pub->parameters.rsaDetail.exponent
                                                        : 65537;
        n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
        e = BN_new();
        if (!n || !e || !BN_set_word(e, exp) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
            goto done;
    } else if (pub->type == TPM_ALG_ECC) {
        type = "EC";
        const char *group = curve_group(pub->parameters.eccDetail.curveID);
        size_t kb = qtpm_curve_key_bytes(pub->parameters.eccDetail.curveID);
        const TPMS_ECC_POINT *p = &pub->unique.ecc;
        if (!group || !kb || p->x.size > kb || p->y.size > kb)
            goto done;
        /* uncompressed point 04 ‖ x ‖ y, coordinates left-padded */
        memset(point, 0, sizeof point);
        point[0] = 4;
        memcpy(point + 1 + kb - p->x.size, p->x.buffer, p->x.size);
        memcpy(point + 1 + 2 * kb - p->y.size, p->y.buffer, p->y.size);
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * kb))
            goto done;
    } else {
        goto done;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
    if (!params || !ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pkey = NULL;
done:
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    return pkey;
}

int cli_public_to_pem(const TPMT_PUBLIC *pub, char **pem, size_t *len)
{
    EVP_PKEY *pkey = public_to_pkey(pub);
    if (!pkey)
        return QTPM_E_PARAM;
    BIO *bio = BIO_new(BIO_s_mem());
    int rc = QTPM_E_CRYPTO;
    char *data;
    if (bio && PEM_write_bio_PUBKEY(bio, pkey)) {
        long n = BIO_get_mem_data(bio, &data);
        *pem = malloc((size_t)n + 1);
        if (*pem) {
            memcpy(*pem, data, (size_t)n);
            (*pem)[n] = 0;
            *len = (size_t)n;
            rc = QTPM_OK;
        }
    }
    BIO_free(bio);
    EVP_PKEY_free(pkey);
    return rc;
}

int cli_pem_to_public(const uint8_t *pem, size_t len, TPMT_PUBLIC *pub)
{
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    EVP_PKEY *pkey = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
    BIGNUM *n = NULL, *e = NULL, *x = NULL, *y = NULL;
    int rc = QTPM_E_INVALID;
    BIO_free(bio);
    if (!pkey)
        return rc;
    memset(pub, 0, sizeof *pub);
    pub->nameAlg = TPM_ALG_SHA256;
    pub->objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT |
                            TPMA_OBJECT_USERWITHAUTH;
    if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_RSA) {
        if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &n) ||
            !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e))
            goto done;
        int nb = BN_num_bytes(n);
        if (nb > (int)sizeof pub->unique.rsa.buffer || BN_num_bits(e) > 32)
            goto done;
        pub->type = TPM_ALG_RSA;
        pub->parameters.rsaDetail.symmetric.algorithm = TPM_ALG_NULL;
        pub->parameters.rsaDetail.scheme.scheme = TPM_ALG_NULL;
        pub->parameters.rsaDetail.keyBits = (TPMI_RSA_KEY_BITS)(nb * 8);
        BN_ULONG ev = BN_get_word(e);
        pub->parameters.rsaDetail.exponent = ev == 65537 ? 0 : (UINT32)ev;
        pub->unique.rsa.size = (UINT16)BN_bn2bin(n, pub->unique.rsa.buffer);
        rc = QTPM_OK;
    } else if (EVP_PKEY_get_base_id(pkey) == EVP_PKEY_EC) {
        char group[64];
        if (!EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                            sizeof group, NULL) ||
            !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
            !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y))
            goto done;
        TPM_ECC_CURVE curve;
        if (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"))
            curve = TPM_ECC_NIST_P256;
        else if (!strcmp(group, "secp384r1") || !strcmp(group, "P-384"))
            curve = TPM_ECC_NIST_P384;
        else if (!strcmp(group, "secp521r1") || !strcmp(group, "P-521"))
            curve = TPM_ECC_NIST_P521;
        else
            goto done;
        int kb = qtpm_curve_key_bytes(curve);
        pub->type = TPM_ALG_ECC;
        pub->parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
        pub->parameters.eccDetail.scheme.scheme = TPM_ALG_NULL;
        pub->parameters.eccDetail.curveID = curve;
        pub->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
        if (BN_bn2binpad(x, pub->unique.ecc.x.buffer, kb) != kb ||
            BN_bn2binpad(y, pub->unique.ecc.y.buffer, kb) != kb)
            goto done;
        pub->unique.ecc.x.size = pub->unique.ecc.y.size = (UINT16)kb;
        rc = QTPM_OK;
    }
done:
    BN_free(n);
    BN_free(e);
    BN_free(x);
    BN_free(y);
    EVP_PKEY_free(pkey);
    return rc;
}

int cli_signature_plain(const TPMT_SIGNATURE *sig, uint8_t *out, size_t cap, size_t *len)
{
    const TPM2B_SIGNATURE_MLDSA *m = NULL;
    if (sig->sigAlg == TPM_ALG_MLDSA)
        m = &sig->signature.mldsa;
    else if (sig->sigAlg == TPM_ALG_HASH_MLDSA)
        m = &sig->signature.hash_mldsa.signature;
    if (m) { /* the FIPS 204 signature bytes as they are */
        if (m->size > cap)
            return QTPM_E_BUFFER;
        memcpy(out, m->buffer, m->size);
        *len = m->size;
        return QTPM_OK;
    }
    switch (sig->sigAlg) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
        if (sig->signature.rsassa.sig.size > cap)
            return QTPM_E_BUFFER;
        memcpy(out, sig->signature.rsassa.sig.buffer, sig->signature.rsassa.sig.size);
        *len = sig->signature.rsassa.sig.size;
        return QTPM_OK;
    case TPM_ALG_ECDSA: {
        ECDSA_SIG *es = ECDSA_SIG_new();
        BIGNUM *r = BN_bin2bn(sig->signature.ecdsa.signatureR.buffer,
                              sig->signature.ecdsa.signatureR.size, NULL);
        BIGNUM *s = BN_bin2bn(sig->signature.ecdsa.signatureS.buffer,
                              sig->signature.ecdsa.signatureS.size, NULL);
        int rc = QTPM_E_CRYPTO;
        if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
            r = s = NULL;
            int n = i2d_ECDSA_SIG(es, NULL);
            if (n > 0 && (size_t)n <= cap) {
                uint8_t *p = out;
                i2d_ECDSA_SIG(es, &p);
                *len = (size_t)n;
                rc = QTPM_OK;
            } else {
                rc = QTPM_E_BUFFER;
            }
        }
        BN_free(r);
        BN_free(s);
        ECDSA_SIG_free(es);
        return rc;
    }
    case TPM_ALG_HMAC: {
        size_t n = qtpm_hash_digest_size(sig->signature.hmac.hashAlg);
        if (n > cap)
            return QTPM_E_BUFFER;
        memcpy(out, (const uint8_t *)&sig->signature.hmac.digest, n);
        *len = n;
        return QTPM_OK;
    }
    default:
        return QTPM_E_PARAM;
    }
}

int cli_digest(TPMI_ALG_HASH alg, const uint8_t *data, size_t len, TPM2B_DIGEST *out)
{
    const char *name;
    switch (alg) {
    case TPM_ALG_SHA1: name = "SHA1"; break;
    case TPM_ALG_SHA256: name = "SHA256"; break;
    case TPM_ALG_SHA384: name = "SHA384"; break;
    case TPM_ALG_SHA512: name = "SHA512"; break;
    case TPM_ALG_SHA3_256: name = "SHA3-256"; break;
    case TPM_ALG_SHA3_384: name = "SHA3-384"; break;
    case TPM_ALG_SHA3_512: name = "SHA3-512"; break;
    default: return QTPM_E_PARAM;
    }
    EVP_MD *md = EVP_MD_fetch(NULL, name, NULL);
    unsigned n = 0;
    int ok = md && EVP_Digest(data, len, out->buffer, &n, md, NULL);
    EVP_MD_free(md);
    if (!ok)
        return QTPM_E_CRYPTO;
    out->size = (UINT16)n;
    return QTPM_OK;
}

/* ------------------------------------------------- public key file formats */

int cli_parse_pub_format(cli_ctx *c, const char *s, int *fmt)
{
    if (!strcasecmp(s, "tss"))
        *fmt = CLI_PUB_TSS;
    else if (!strcasecmp(s, "pem"))
        *fmt = CLI_PUB_PEM;
    else if (!strcasecmp(s, "raw"))
        *fmt = CLI_PUB_RAW;
    else {
        cli_err(c, "unknown format \"%s\" (tss, pem or raw)", s);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* The bare public key: FIPS 203 encapsulation key, FIPS 204 pkEncode, the
 * RSA modulus, or the ECC point as x || y. */
static int public_raw(const TPMT_PUBLIC *p, const uint8_t **a, size_t *an, const uint8_t **b,
                      size_t *bn)
{
    *b = NULL;
    *bn = 0;
    switch (p->type) {
    case TPM_ALG_MLKEM: *a = p->unique.mlkem.buffer; *an = p->unique.mlkem.size; return 0;
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA: *a = p->unique.mldsa.buffer; *an = p->unique.mldsa.size; return 0;
    case TPM_ALG_RSA: *a = p->unique.rsa.buffer; *an = p->unique.rsa.size; return 0;
    case TPM_ALG_ECC:
        *a = p->unique.ecc.x.buffer;
        *an = p->unique.ecc.x.size;
        *b = p->unique.ecc.y.buffer;
        *bn = p->unique.ecc.y.size;
        return 0;
    default: return -1;
    }
}

int cli_write_public_fmt(cli_ctx *c, const char *path, const TPM2B_PUBLIC *pub, int fmt)
{
    if (fmt == CLI_PUB_TSS)
        return cli_save_public(c, path, pub);
    if (fmt == CLI_PUB_RAW) {
        const uint8_t *a, *b;
        size_t an, bn;
        static uint8_t buf[sizeof(TPMU_PUBLIC_ID)];
        if (public_raw(&pub->publicArea, &a, &an, &b, &bn) || an + bn > sizeof buf) {
            cli_err(c, "a %s key has no raw public key form",
                    cli_alg_name(pub->publicArea.type));
            return CLI_EXIT_USAGE;
        }
        memcpy(buf, a, an);
        if (bn)
            memcpy(buf + an, b, bn);
        return cli_write_file(c, path, buf, an + bn);
    }
    char *s;
    size_t n;
    if (cli_public_to_pem(&pub->publicArea, &s, &n)) {
        cli_err(c, "a %s key has no PEM form (RSA and NIST ECC only: OpenSSL 3.0 has no "
                   "ML-DSA / ML-KEM); use -f tss or -f raw",
                cli_alg_name(pub->publicArea.type));
        return CLI_EXIT_USAGE;
    }
    int e = cli_write_file(c, path, s, n);
    free(s);
    return e;
}

const char *cli_pqc_set_name(const TPMT_PUBLIC *p)
{
    static const char *const kem[] = { "unknown", "mlkem512", "mlkem768", "mlkem1024" };
    static const char *const dsa[] = { "unknown", "mldsa44", "mldsa65", "mldsa87" };
    unsigned set;
    switch (p->type) {
    case TPM_ALG_MLKEM:
        set = p->parameters.mlkemDetail.parameterSet;
        return set <= 3 ? kem[set] : kem[0];
    case TPM_ALG_MLDSA:
        set = p->parameters.mldsaDetail.parameterSet;
        return set <= 3 ? dsa[set] : dsa[0];
    case TPM_ALG_HASH_MLDSA:
        set = p->parameters.hashMldsaDetail.parameterSet;
        return set <= 3 ? dsa[set] : dsa[0];
    default: return "none";
    }
}
