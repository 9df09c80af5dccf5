/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ekcert.c — EK certificates (TCG EK Credential Profile for TPM Family 2.0,
 * §3 "EK Certificate"): the EK kinds with their templates and NV indices, the
 * SubjectPublicKeyInfo of a TPM public key, building a certificate signed by
 * the vendor CA, and verifying one against the CA and the EK a TPM reports.
 *
 * RSA and ECC keys go through OpenSSL's EVP_PKEY. OpenSSL 3.0 has no ML-KEM,
 * so an ML-KEM EK's SubjectPublicKeyInfo is written by der.c and put into
 * the certificate as raw algorithm identifier and key bits; OpenSSL still
 * encodes and signs the rest of the certificate, and parses it (keeping an
 * unknown key algorithm's bits as they are) when it is verified.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/x509v3.h>

#include "mfg_internal.h"
#include "qtpm/mlkem.h"
#include "qtpm/tss_tasks.h"

/* ------------------------------------------------------------ EK kinds */

static const struct {
    qtpm_ek_alg alg;
    const char *name;
    TPM_HANDLE index;
} ek_kinds[] = {
    /* EK Credential Profile §2.2.1.4, "Low Range" */
    { QTPM_EK_RSA2048, "rsa2048", 0x01C00002U },
    { QTPM_EK_ECCP256, "ecc256", 0x01C0000AU }, /* qtpm -G and tpm2-tools' name */
    { QTPM_EK_MLKEM768, "mlkem768", QTPM_EK_CERT_NV_MLKEM768 },
};

qtpm_ek_alg qtpm_ek_alg_from_name(const char *name)
{
    if (strcmp(name, "eccp256") == 0) /* the name before 0.2.0, still accepted */
        return QTPM_EK_ECCP256;
    for (size_t i = 0; i < sizeof ek_kinds / sizeof ek_kinds[0]; i++)
        if (strcmp(name, ek_kinds[i].name) == 0)
            return ek_kinds[i].alg;
    return (qtpm_ek_alg)0;
}

const char *qtpm_ek_alg_name(qtpm_ek_alg alg)
{
    for (size_t i = 0; i < sizeof ek_kinds / sizeof ek_kinds[0]; i++)
        if (ek_kinds[i].alg == alg)
            return ek_kinds[i].name;
    return "unknown";
}

TPM_HANDLE qtpm_ek_cert_nv_index(qtpm_ek_alg alg)
{
    for (size_t i = 0; i < sizeof ek_kinds / sizeof ek_kinds[0]; i++)
        if (ek_kinds[i].alg == alg)
            return ek_kinds[i].index;
    return 0;
}

int qtpm_ek_template(qtpm_ek_alg alg, TPMT_PUBLIC *out)
{
    switch (alg) {
    case QTPM_EK_RSA2048:
        return qtpm_tss_template_ek(TPM_ALG_RSA, out);
    case QTPM_EK_ECCP256:
        return qtpm_tss_template_ek(TPM_ALG_ECC, out);
    case QTPM_EK_MLKEM768:
        /* libqtss's ML-KEM-768 EK template: the low-range EK's attributes
         * and policy, AES-128-CFB, empty unique (docs/PQC.md, Manufacture). */
        return qtpm_tss_template_ek(TPM_ALG_MLKEM, out);
    }
    return QTPM_E_PARAM;
}

/* ------------------------------------------------------------ public keys */

static const char *curve_group(TPMI_ECC_CURVE curve)
{
    switch (curve) {
    case TPM_ECC_NIST_P256:
        return "P-256";
    case TPM_ECC_NIST_P384:
        return "P-384";
    case TPM_ECC_NIST_P521:
        return "P-521";
    default:
        return NULL;
    }
}

static size_t curve_bytes(TPMI_ECC_CURVE curve)
{
    return curve == TPM_ECC_NIST_P256 ? 32 : curve == TPM_ECC_NIST_P384 ? 48 : 66;
}

EVP_PKEY *mfg_tpm_pkey(const TPMT_PUBLIC *pub)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    BIGNUM *n = NULL, *e = NULL;
    uint8_t point[1 + 2 * 66];
    if (!bld)
        return NULL;
    if (pub->type == TPM_ALG_RSA) {
        uint32_t exp = pub->parameters.rsaDetail.exponent ? pub->parameters.rsaDetail.exponent
                                                          : 65537U; /* Part 2 §12.2.3.5 */
        n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
        e = BN_new();
        if (!n || !e || !BN_set_word(e, exp) || pub->unique.rsa.size == 0 ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
            goto out;
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    } else if (pub->type == TPM_ALG_ECC) {
        const char *group = curve_group(pub->parameters.eccDetail.curveID);
        size_t cb = curve_bytes(pub->parameters.eccDetail.curveID);
        const TPMS_ECC_POINT *q = &pub->unique.ecc;
        if (!group || q->x.size > cb || q->y.size > cb)
            goto out;
        /* SEC 1 §2.3.3 uncompressed point; TPM coordinates may be shorter
         * than the field when they have leading zeros */
        memset(point, 0, sizeof point);
        point[0] = 0x04;
        memcpy(point + 1 + cb - q->x.size, q->x.buffer, q->x.size);
        memcpy(point + 1 + 2 * cb - q->y.size, q->y.buffer, q->y.size);
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * cb))
            goto out;
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    } else {
        goto out;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    if (!ctx || !params || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1)
        key = NULL;
out:
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(ctx);
    BN_free(n);
    BN_free(e);
    return key;
}

/* OpenSSL's DER copied into a malloc'd buffer, so callers use free(). */
static int to_malloc(unsigned char *ossl, int n, uint8_t **der, size_t *len)
{
    if (n <= 0)
        return QTPM_E_CRYPTO;
    *der = malloc((size_t)n);
    if (!*der) {
        OPENSSL_free(ossl);
        return QTPM_E_NOMEM;
    }
    memcpy(*der, ossl, (size_t)n);
    *len = (size_t)n;
    OPENSSL_free(ossl);
    return QTPM_OK;
}

int qtpm_ek_spki_der(const TPMT_PUBLIC *ek, uint8_t **der, size_t *len)
{
    if (ek->type == TPM_ALG_MLKEM)
        return mfg_mlkem_spki(ek->parameters.mlkemDetail.parameterSet, ek->unique.mlkem.buffer,
                              ek->unique.mlkem.size, der, len);
    EVP_PKEY *key = mfg_tpm_pkey(ek);
    if (!key)
        return QTPM_E_INVALID;
    unsigned char *buf = NULL;
    int n = i2d_PUBKEY(key, &buf);
    EVP_PKEY_free(key);
    return to_malloc(buf, n, der, len);
}

/* Puts a SubjectPublicKeyInfo that OpenSSL cannot make (ML-KEM) into x:
 * parse our DER into an X509_PUBKEY (OpenSSL keeps an unknown algorithm's
 * identifier and bits as they are) and copy its algorithm and key bits into
 * the certificate's own X509_PUBKEY. */
static int set_raw_spki(X509 *x, const uint8_t *spki, size_t len)
{
    const unsigned char *p = spki;
    X509_PUBKEY *src = d2i_X509_PUBKEY(NULL, &p, (long)len);
    ASN1_OBJECT *alg;
    const unsigned char *bits;
    int bits_len, ptype;
    const void *pval;
    X509_ALGOR *algor;
    int ok = 0;
    if (!src || p != spki + len)
        goto out;
    if (!X509_PUBKEY_get0_param(&alg, &bits, &bits_len, &algor, src))
        goto out;
    X509_ALGOR_get0(NULL, &ptype, &pval, algor);
    if (ptype != V_ASN1_UNDEF) /* ML-KEM identifiers have no parameters */
        goto out;
    ASN1_OBJECT *alg_copy = OBJ_dup(alg);
    unsigned char *bits_copy = OPENSSL_memdup(bits, (size_t)bits_len);
    if (alg_copy && bits_copy &&
        X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), alg_copy, V_ASN1_UNDEF, NULL, bits_copy,
                               bits_len)) {
        ok = 1;
    } else {
        ASN1_OBJECT_free(alg_copy);
        OPENSSL_free(bits_copy);
    }
out:
    X509_PUBKEY_free(src);
    return ok;
}

/* ------------------------------------------------------------ building */

/* subjectAltName = directoryName { tpmManufacturer, tpmModel, tpmVersion },
 * each its own RDN (EK Credential Profile §3.2.9); critical, because the
 * subject is empty (RFC 5280 §4.2.1.6). */
static int add_tpm_san(X509 *x, const qtpm_tpm_identity *id)
{
    static const char *const oids[3] = { "2.23.133.2.1", "2.23.133.2.2", "2.23.133.2.3" };
    const char *values[3] = { id->manufacturer, id->model, id->version };
    X509_NAME *dn = X509_NAME_new();
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    int ok = dn && gens && gn;
    for (int i = 0; ok && i < 3; i++) {
        ASN1_OBJECT *obj = OBJ_txt2obj(oids[i], 1);
        ok = obj && X509_NAME_add_entry_by_OBJ(dn, obj, MBSTRING_UTF8,
                                               (const unsigned char *)values[i], -1, -1, 0);
        ASN1_OBJECT_free(obj);
    }
    if (ok) {
        GENERAL_NAME_set0_value(gn, GEN_DIRNAME, dn);
        dn = NULL;
        ok = sk_GENERAL_NAME_push(gens, gn) > 0;
        if (ok)
            gn = NULL;
    }
    ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 1, X509V3_ADD_DEFAULT) == 1;
    X509_NAME_free(dn);
    GENERAL_NAME_free(gn);
    GENERAL_NAMES_free(gens);
    return ok;
}

int qtpm_ek_cert_build(const qtpm_vendor_ca *ca, const TPMT_PUBLIC *ek,
                       const qtpm_tpm_identity *id, uint8_t **der, size_t *len)
{
    X509 *x = X509_new();
    X509_NAME *empty = X509_NAME_new();
    EVP_PKEY *key = NULL;
    uint8_t *spki = NULL;
    size_t spki_len = 0;
    X509V3_CTX ctx;
    int rc = QTPM_E_CRYPTO;
    if (!x || !empty)
        goto out;
    if (!X509_set_version(x, 2) || mfg_random_serial(x) != QTPM_OK ||
        !X509_set_issuer_name(x, X509_get_subject_name(ca->cert)) ||
        !X509_set_subject_name(x, empty) || !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
        /* RFC 5280 §4.1.2.5: 99991231235959Z = no well-defined expiration;
         * an EK lives as long as its TPM */
        !ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "99991231235959Z"))
        goto out;
    if (ek->type == TPM_ALG_MLKEM) {
        if ((rc = qtpm_ek_spki_der(ek, &spki, &spki_len)) != QTPM_OK)
            goto out;
        rc = QTPM_E_CRYPTO;
        if (!set_raw_spki(x, spki, spki_len))
            goto out;
    } else {
        key = mfg_tpm_pkey(ek);
        if (!key) {
            rc = QTPM_E_INVALID;
            goto out;
        }
        if (!X509_set_pubkey(x, key))
            goto out;
    }
    X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
    /* an ECC EK agrees keys (ECDH), the others encipher (RSA-OAEP, ML-KEM) */
    const char *usage = ek->type == TPM_ALG_ECC ? "critical,keyAgreement"
                                                : "critical,keyEncipherment";
    if (!add_tpm_san(x, id) ||
        mfg_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") != QTPM_OK ||
        mfg_add_ext(x, &ctx, NID_key_usage, usage) != QTPM_OK ||
        /* tcg-kp-EKCertificate (EK Credential Profile §3.2.14) */
        mfg_add_ext(x, &ctx, NID_ext_key_usage, "2.23.133.8.1") != QTPM_OK ||
        mfg_add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") != QTPM_OK)
        goto out;
    if (X509_sign(x, ca->key, EVP_sha384()) <= 0)
        goto out;
    unsigned char *buf = NULL;
    int n = i2d_X509(x, &buf);
    rc = to_malloc(buf, n, der, len);
out:
    free(spki);
    EVP_PKEY_free(key);
    X509_NAME_free(empty);
    X509_free(x);
    return rc;
}

/* ------------------------------------------------------------ verifying */

static X509 *parse_cert(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    if (!der || len == 0 || len > 65536)
        return NULL;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x && p != der + len) { /* trailing bytes are not part of a certificate */
        X509_free(x);
        return NULL;
    }
    return x;
}

static int valid_at(const X509 *x, time_t now)
{
    /* X509_cmp_time: -1 if the time is before or equal to now, 1 if after */
    return X509_cmp_time(X509_get0_notBefore(x), &now) == -1 &&
           X509_cmp_time(X509_get0_notAfter(x), &now) == 1;
}

/* The certificate's public key equals the TPM's: for RSA and ECC compared
 * as keys (n and e; curve and point) by OpenSSL, for ML-KEM the algorithm
 * identifier (the parameter set) and the ek bytes. */
static int same_key(X509 *cert, const TPMT_PUBLIC *ek)
{
    if (ek->type == TPM_ALG_MLKEM) {
        uint8_t oid[MFG_MLKEM_OID_LEN];
        ASN1_OBJECT *alg;
        const unsigned char *bits;
        int bits_len, ptype;
        X509_ALGOR *algor;
        if (mfg_mlkem_oid(ek->parameters.mlkemDetail.parameterSet, oid) != QTPM_OK ||
            !X509_PUBKEY_get0_param(&alg, &bits, &bits_len, &algor,
                                    X509_get_X509_PUBKEY(cert)))
            return 0;
        X509_ALGOR_get0(NULL, &ptype, NULL, algor);
        return ptype == V_ASN1_UNDEF && OBJ_length(alg) == sizeof oid &&
               memcmp(OBJ_get0_data(alg), oid, sizeof oid) == 0 &&
               (size_t)bits_len == ek->unique.mlkem.size &&
               memcmp(bits, ek->unique.mlkem.buffer, ek->unique.mlkem.size) == 0;
    }
    EVP_PKEY *want = mfg_tpm_pkey(ek);
    EVP_PKEY *have = X509_get0_pubkey(cert);
    int eq = want && have && EVP_PKEY_eq(have, want) == 1;
    EVP_PKEY_free(want);
    return eq;
}

int qtpm_ek_cert_verify_at(const uint8_t *cert_der, size_t cert_len, const uint8_t *ca_der,
                           size_t ca_len, const TPMT_PUBLIC *ek, time_t now)
{
    X509 *cert = parse_cert(cert_der, cert_len);
    X509 *ca = parse_cert(ca_der, ca_len);
    int rc = QTPM_E_VERIFY;
    if (!cert || !ca) {
        rc = QTPM_E_INVALID;
        goto out;
    }
    EVP_PKEY *ca_key = X509_get0_pubkey(ca);
    if (!ca_key ||
        /* the CA: a CA certificate, self-signed (it is the trust anchor), valid now */
        X509_check_ca(ca) != 1 || X509_verify(ca, ca_key) != 1 || !valid_at(ca, now) ||
        /* issuer name and authority key identifier match the CA */
        X509_check_issued(ca, cert) != X509_V_OK ||
        /* the signature over the certificate's own TBS bytes */
        X509_verify(cert, ca_key) != 1 || !valid_at(cert, now) ||
        /* an EK certificate is an end entity */
        X509_check_ca(cert) != 0 || !same_key(cert, ek))
        goto out;
    rc = QTPM_OK;
out:
    /* parsing an unknown key algorithm, or a failed check, leaves OpenSSL
     * errors behind; they are answered by rc, not by the error queue */
    ERR_clear_error();
    X509_free(cert);
    X509_free(ca);
    return rc;
}

int qtpm_ek_cert_verify(const uint8_t *cert, size_t cert_len, const uint8_t *ca_cert,
                        size_t ca_len, const TPMT_PUBLIC *ek)
{
    return qtpm_ek_cert_verify_at(cert, cert_len, ca_cert, ca_len, ek, time(NULL));
}
