/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * provider.c — qtpm-provider's entry point and dispatch: the algorithms it
 * offers (KEYMGMT and KEM for each group of groups.c), the TLS-GROUP
 * capability through which OpenSSL 3.0's libssl learns the groups
 * (provider-base(7), "Capabilities"; libssl's add_provider_groups in
 * ssl/t1_lib.c reads exactly these parameters), and the provider's
 * parameters (name, version, status).
 *
 * The classic halves of the hybrid groups run in a child library context
 * (OSSL_LIB_CTX_new_child): it sees the providers the application loaded
 * into its own context, so X25519 and P-256 come from OpenSSL's default
 * provider — the application must load it too (openssl.cnf, or
 * `-provider default -provider qtpm`), as any TLS use needs it for ciphers.
 * Their methods are fetched once per provider context, at first use
 * (classic.c).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/prov_ssl.h>

#include "provider_internal.h"
#include "tpmkey.h"
#include "qtpm/version.h"

/* ---- the TLS-GROUP capability -------------------------------------------- */

/* Constant tables, so that any number of library contexts may load the
 * provider at once, from any thread. The values repeat groups.c's table
 * (qp_groups); test_provider_kem checks what libssl reads against the
 * drafts. TLS 1.3 only (the groups are KEMs, which TLS 1.2 cannot carry); no
 * DTLS (-1: libssl's convention for "not usable"). */
typedef struct {
    unsigned int id, secbits, is_kem;
    int min_tls, max_tls, min_dtls, max_dtls;
} qp_group_caps;

static const qp_group_caps caps[QP_NGROUPS] = {
    {0x11EC, 192, 1, TLS1_3_VERSION, 0, -1, -1},
    {0x11EB, 192, 1, TLS1_3_VERSION, 0, -1, -1},
    {0x0201, 192, 1, TLS1_3_VERSION, 0, -1, -1},
    {0x0202, 256, 1, TLS1_3_VERSION, 0, -1, -1},
};

#define QP_GROUP_PARAMS(i, name)                                                              \
    {                                                                                         \
        OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME, (char *)name, sizeof(name)),   \
            OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_NAME_INTERNAL, (char *)name,     \
                                   sizeof(name)),                                             \
            OSSL_PARAM_utf8_string(OSSL_CAPABILITY_TLS_GROUP_ALG, (char *)name, sizeof(name)), \
            OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_ID, (unsigned int *)&caps[i].id),       \
            OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS,                          \
                            (unsigned int *)&caps[i].secbits),                                \
            OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_TLS, (int *)&caps[i].min_tls),       \
            OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_TLS, (int *)&caps[i].max_tls),       \
            OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS, (int *)&caps[i].min_dtls),     \
            OSSL_PARAM_int(OSSL_CAPABILITY_TLS_GROUP_MAX_DTLS, (int *)&caps[i].max_dtls),     \
            OSSL_PARAM_uint(OSSL_CAPABILITY_TLS_GROUP_IS_KEM, (unsigned int *)&caps[i].is_kem), \
            OSSL_PARAM_END                                                                    \
    }

static const OSSL_PARAM cap_params[QP_NGROUPS][11] = {
    QP_GROUP_PARAMS(0, "X25519MLKEM768"),
    QP_GROUP_PARAMS(1, "SecP256r1MLKEM768"),
    QP_GROUP_PARAMS(2, "MLKEM768"),
    QP_GROUP_PARAMS(3, "MLKEM1024"),
};

static int qp_get_capabilities(void *provctx, const char *capability, OSSL_CALLBACK *cb,
                               void *arg)
{
    (void)provctx;
    if (OPENSSL_strcasecmp(capability, "TLS-GROUP") != 0)
        return 0;
    for (size_t i = 0; i < QP_NGROUPS; i++)
        if (!cb(cap_params[i], arg))
            return 0;
    return 1;
}

/* ---- algorithms --------------------------------------------------------------- */

static const OSSL_ALGORITHM keymgmt_algs[] = {
    {"X25519MLKEM768", "provider=qtpm", qp_km_x25519mlkem768_functions, "qtpm TLS 1.3 group key"},
    {"SecP256r1MLKEM768", "provider=qtpm", qp_km_p256mlkem768_functions, "qtpm TLS 1.3 group key"},
    {"MLKEM768", "provider=qtpm", qp_km_mlkem768_functions, "qtpm TLS 1.3 group key"},
    {"MLKEM1024", "provider=qtpm", qp_km_mlkem1024_functions, "qtpm TLS 1.3 group key"},
    /* keys in the TPM (tpmkey.c), loaded through the store below */
    {"RSA", "provider=qtpm", qp_tpm_rsa_keymgmt_functions, "qtpm TPM-resident RSA key"},
    {"EC", "provider=qtpm", qp_tpm_ec_keymgmt_functions, "qtpm TPM-resident EC key"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM signature_algs[] = {
    /* Names of their own (tpmkey.c's keymgmt names them for its keys): under
     * "RSA"/"ECDSA", OpenSSL 3.0 would fetch the default provider's first and
     * hand it a copy of the public half (crypto/evp/m_sigver.c). */
    {"QTPM-RSA", "provider=qtpm", qp_tpm_rsa_signature_functions, "RSA signature in the TPM"},
    {"QTPM-ECDSA", "provider=qtpm", qp_tpm_ecdsa_signature_functions, "ECDSA in the TPM"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM store_algs[] = {
    {"qtpm", "provider=qtpm", qp_tpm_store_functions, "qtpm:handle:/qtpm:file: TPM keys"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM kem_algs[] = {
    {"X25519MLKEM768", "provider=qtpm", qp_kem_functions, "qtpm TLS 1.3 group KEM"},
    {"SecP256r1MLKEM768", "provider=qtpm", qp_kem_functions, "qtpm TLS 1.3 group KEM"},
    {"MLKEM768", "provider=qtpm", qp_kem_functions, "qtpm TLS 1.3 group KEM"},
    {"MLKEM1024", "provider=qtpm", qp_kem_functions, "qtpm TLS 1.3 group KEM"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM *qp_query(void *provctx, int operation_id, int *no_cache)
{
    (void)provctx;
    *no_cache = 0;
    switch (operation_id) {
    case OSSL_OP_KEYMGMT:
        return keymgmt_algs;
    case OSSL_OP_KEM:
        return kem_algs;
    case OSSL_OP_SIGNATURE:
        return signature_algs;
    case OSSL_OP_STORE:
        return store_algs;
    default:
        return NULL;
    }
}

/* ---- provider parameters ------------------------------------------------------ */

static const OSSL_PARAM qp_param_types[] = {
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_NAME, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_VERSION, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_BUILDINFO, OSSL_PARAM_UTF8_PTR, NULL, 0),
    OSSL_PARAM_DEFN(OSSL_PROV_PARAM_STATUS, OSSL_PARAM_INTEGER, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *qp_gettable_params(void *provctx)
{
    (void)provctx;
    return qp_param_types;
}

static int qp_get_params(void *provctx, OSSL_PARAM params[])
{
    OSSL_PARAM *p;

    (void)provctx;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_NAME);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, "qtpm-provider (ML-KEM TLS 1.3 groups)"))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_VERSION);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, QTPM_VERSION))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_BUILDINFO);
    if (p != NULL && !OSSL_PARAM_set_utf8_ptr(p, "qtpm " QTPM_VERSION))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PROV_PARAM_STATUS);
    if (p != NULL && !OSSL_PARAM_set_int(p, 1))
        return 0;
    return 1;
}

static void qp_teardown(void *vprov)
{
    qp_provctx *prov = vprov;

    if (prov == NULL)
        return;
    qp_tpm_teardown(prov);
    /* The classic methods hold references into the child context: first. */
    qp_classic_teardown(prov);
    OSSL_LIB_CTX_free(prov->libctx);
    OPENSSL_free(prov);
}

static const OSSL_DISPATCH qp_dispatch[] = {
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))qp_teardown},
    {OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, (void (*)(void))qp_gettable_params},
    {OSSL_FUNC_PROVIDER_GET_PARAMS, (void (*)(void))qp_get_params},
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))qp_query},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))qp_get_capabilities},
    {0, NULL},
};

int qtpm_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx)
{
    qp_provctx *prov = OPENSSL_zalloc(sizeof(*prov));

    if (prov == NULL)
        return 0;
    prov->handle = handle;
    prov->libctx = OSSL_LIB_CTX_new_child(handle, in);
    if (prov->libctx == NULL || !qp_classic_setup(prov) || !qp_tpm_setup(prov, handle, in)) {
        qp_classic_teardown(prov);
        OSSL_LIB_CTX_free(prov->libctx);
        OPENSSL_free(prov);
        return 0;
    }
    *out = qp_dispatch;
    *provctx = prov;
    return 1;
}
