/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpmkey.c — TPM-resident RSA and EC keys in qtpm-provider: the TPM
 * connection, the key object and its KEYMGMT ("RSA", "EC").
 *
 * The connection is libqtss's (qtpm/tss.h). Its TCTI string is the provider
 * configuration's "tcti" (openssl.cnf, the provider's section), else
 * $QTPM_TCTI, else $TPM2TOOLS_TCTI, else libqtss's default device. With
 * "connection = per-operation" (or $QTPM_PROVIDER_CONNECTION=per-operation)
 * the provider connects for each TPM operation and disconnects after it, so
 * that several processes can share a TPM that serves one client at a time
 * (swtpm); otherwise it keeps one connection. One lock serialises the TPM.
 *
 * The keymgmt is after tpm2-openssl's design: the key data is a reference to
 * the TPM object plus its public part. It has no new/import/gen (so OpenSSL
 * never picks it to make a software key), loads only references from
 * store.c, and exports only the public parameters — enough for libssl to
 * match a certificate (EVP_PKEY_eq exports our public half to the default
 * provider) and for `openssl pkey -pubout`. A request for the private
 * parameters gets nothing: they are not outside the TPM. The signature it
 * names for its keys is sig.c's "QTPM-RSA" / "QTPM-ECDSA", so that
 * EVP_DigestSignInit finds ours and never a software signer with a copy
 * of the public half.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/param_build.h>

#include "tpmkey.h"

struct qp_tpm {
    CRYPTO_RWLOCK *lock;
    char tcti[512]; /* empty: libqtss's default */
    int per_op;
    qtpm_tss *tss;
};

void qp_error(int reason, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    ERR_new();
    ERR_set_debug(OPENSSL_FILE, OPENSSL_LINE, "qtpm-provider");
    ERR_vset_error(ERR_LIB_PROV, reason, fmt, ap);
    va_end(ap);
}

/* ---- the connection ----------------------------------------------------------- */

int qp_tpm_setup(qp_provctx *prov, const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in)
{
    OSSL_FUNC_core_get_params_fn *get_params = NULL;
    struct qp_tpm *tpm = OPENSSL_zalloc(sizeof(*tpm));
    const char *tcti = NULL, *conn = NULL;

    if (tpm == NULL)
        return 0;
    tpm->lock = CRYPTO_THREAD_lock_new();
    if (tpm->lock == NULL) {
        OPENSSL_free(tpm);
        return 0;
    }
    for (; in != NULL && in->function_id != 0; in++)
        if (in->function_id == OSSL_FUNC_CORE_GET_PARAMS)
            get_params = OSSL_FUNC_core_get_params(in);
    if (get_params != NULL) {
        OSSL_PARAM p[] = {
            OSSL_PARAM_utf8_ptr("tcti", (char **)&tcti, 0),
            OSSL_PARAM_utf8_ptr("connection", (char **)&conn, 0),
            OSSL_PARAM_END,
        };
        if (!get_params(handle, p))
            tcti = conn = NULL;
    }
    if (tcti == NULL)
        tcti = getenv("QTPM_TCTI");
    if (tcti == NULL)
        tcti = getenv("TPM2TOOLS_TCTI");
    if (tcti != NULL)
        snprintf(tpm->tcti, sizeof tpm->tcti, "%s", tcti);
    if (conn == NULL)
        conn = getenv("QTPM_PROVIDER_CONNECTION");
    tpm->per_op = conn != NULL && strcmp(conn, "per-operation") == 0;
    prov->tpm = tpm;
    return 1;
}

void qp_tpm_teardown(qp_provctx *prov)
{
    if (prov->tpm == NULL)
        return;
    qtpm_tss_free(prov->tpm->tss);
    CRYPTO_THREAD_lock_free(prov->tpm->lock);
    OPENSSL_free(prov->tpm);
    prov->tpm = NULL;
}

/* Locks the TPM and connects if needed; NULL (unlocked, error raised) when
 * the TPM cannot be reached. */
static qtpm_tss *tpm_acquire(qp_provctx *prov)
{
    struct qp_tpm *tpm = prov->tpm;

    if (tpm == NULL || !CRYPTO_THREAD_write_lock(tpm->lock))
        return NULL;
    if (tpm->tss == NULL) {
        int rc = qtpm_tss_new(tpm->tcti[0] ? tpm->tcti : NULL, &tpm->tss);
        if (rc) {
            tpm->tss = NULL;
            qp_error(ERR_R_OPERATION_FAIL, "qtpm: cannot reach the TPM (TCTI \"%s\"): %s",
                     tpm->tcti[0] ? tpm->tcti : "device:/dev/tpmrm0", qtpm_tss_strerror(rc));
            CRYPTO_THREAD_unlock(tpm->lock);
            return NULL;
        }
    }
    return tpm->tss;
}

/* broken: a transport error, so the connection is dropped */
static void tpm_release(qp_provctx *prov, int broken)
{
    struct qp_tpm *tpm = prov->tpm;

    if (tpm->per_op || broken) {
        qtpm_tss_free(tpm->tss);
        tpm->tss = NULL;
    }
    CRYPTO_THREAD_unlock(tpm->lock);
}

/* A libqtss error below zero is the transport's; at or above, the TPM's. */
#define TPM_BROKEN(rc) ((rc) < 0)

/* ---- the key object ----------------------------------------------------------- */

static EVP_PKEY *public_to_pkey(qp_provctx *prov, const TPMT_PUBLIC *pub, int *is_ec)
{
    OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *pctx = NULL;
    EVP_PKEY *pk = NULL;
    BIGNUM *n = NULL, *e = NULL;
    unsigned char point[1 + 2 * 48];
    const char *type;

    if (bld == NULL)
        return NULL;
    if (pub->type == TPM_ALG_RSA) {
        uint32_t exp = pub->parameters.rsaDetail.exponent ? pub->parameters.rsaDetail.exponent
                                                         : 65537;
        type = "RSA";
        *is_ec = 0;
        n = BN_bin2bn(pub->unique.rsa.buffer, pub->unique.rsa.size, NULL);
        e = BN_new();
        if (n == NULL || e == NULL || !BN_set_word(e, exp) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
            !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e))
            goto end;
    } else {
        const char *curve;
        size_t cs;
        const TPMS_ECC_POINT *q = &pub->unique.ecc;

        type = "EC";
        *is_ec = 1;
        if (pub->parameters.eccDetail.curveID == TPM_ECC_NIST_P256)
            curve = "P-256", cs = 32;
        else
            curve = "P-384", cs = 48;
        if (q->x.size > cs || q->y.size > cs)
            goto end;
        /* uncompressed point, coordinates left-padded to the field size */
        memset(point, 0, sizeof point);
        point[0] = 0x04;
        memcpy(point + 1 + cs - q->x.size, q->x.buffer, q->x.size);
        memcpy(point + 1 + 2 * cs - q->y.size, q->y.buffer, q->y.size);
        if (!OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, curve, 0) ||
            !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * cs))
            goto end;
    }
    params = OSSL_PARAM_BLD_to_param(bld);
    pctx = EVP_PKEY_CTX_new_from_name(prov->libctx, type, "provider=default");
    if (params == NULL || pctx == NULL || EVP_PKEY_fromdata_init(pctx) <= 0 ||
        EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
        pk = NULL;
end:
    BN_free(n);
    BN_free(e);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(pctx);
    return pk;
}

/* What the provider signs with: an unrestricted signing key (a restricted
 * one signs only digests the TPM computed itself, Part 1 §25.3.5), RSA or
 * NIST P-256/P-384. */
static int check_public(const TPMT_PUBLIC *pub, TPM_HANDLE h)
{
    if (pub->type != TPM_ALG_RSA && pub->type != TPM_ALG_ECC) {
        qp_error(ERR_R_UNSUPPORTED, "qtpm: key 0x%08x is neither RSA nor EC", h);
        return 0;
    }
    if (pub->type == TPM_ALG_ECC && pub->parameters.eccDetail.curveID != TPM_ECC_NIST_P256 &&
        pub->parameters.eccDetail.curveID != TPM_ECC_NIST_P384) {
        qp_error(ERR_R_UNSUPPORTED, "qtpm: key 0x%08x: only NIST P-256 and P-384 curves", h);
        return 0;
    }
    if (!(pub->objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT) ||
        (pub->objectAttributes & TPMA_OBJECT_RESTRICTED)) {
        qp_error(ERR_R_UNSUPPORTED,
                 "qtpm: key 0x%08x is not an unrestricted signing key (sign set, restricted "
                 "clear)", h);
        return 0;
    }
    return 1;
}

qp_tpmkey *qp_tpmkey_open(qp_provctx *prov, TPM_HANDLE handle, const TPMS_CONTEXT *ctx,
                          const TPM2B_AUTH *auth)
{
    qp_tpmkey *k = OPENSSL_zalloc(sizeof(*k));
    qtpm_tss *t;
    TPM2B_PUBLIC pub;
    int rc;

    if (k == NULL)
        return NULL;
    k->prov = prov;
    k->refs = 1;
    if (auth != NULL)
        k->auth = *auth;
    if ((t = tpm_acquire(prov)) == NULL)
        goto fail;
    if (ctx != NULL) {
        rc = qtpm_tss_ContextLoad(t, ctx, &handle);
        if (rc) {
            qp_error(ERR_R_OPERATION_FAIL, "qtpm: the TPM refused the key's context (ContextLoad): %s",
                     qtpm_tss_strerror(rc));
            tpm_release(prov, TPM_BROKEN(rc));
            goto fail;
        }
        k->flush = (handle >> 24) == TPM_HT_TRANSIENT;
    }
    k->handle = handle;
    rc = qtpm_tss_ReadPublic(t, NULL, handle, &pub, NULL, NULL);
    if (rc) {
        qp_error(ERR_R_OPERATION_FAIL, "qtpm: no key at handle 0x%08x (ReadPublic: %s)", handle,
                 qtpm_tss_strerror(rc));
        if (k->flush)
            (void)qtpm_tss_FlushContext(t, handle);
        k->flush = 0;
        tpm_release(prov, TPM_BROKEN(rc));
        goto fail;
    }
    tpm_release(prov, 0);
    k->pub = pub.publicArea;
    if (!check_public(&k->pub, handle))
        goto fail;
    k->pubkey = public_to_pkey(prov, &k->pub, &k->is_ec);
    if (k->pubkey == NULL) {
        qp_error(ERR_R_OPERATION_FAIL, "qtpm: key 0x%08x: its public area is not a valid key "
                 "(OpenSSL's default provider loaded?)", handle);
        goto fail;
    }
    return k;
fail:
    qp_tpmkey_free(k);
    return NULL;
}

void qp_tpmkey_up(qp_tpmkey *k)
{
    __atomic_add_fetch(&k->refs, 1, __ATOMIC_ACQ_REL);
}

void qp_tpmkey_free(qp_tpmkey *k)
{
    if (k == NULL || __atomic_sub_fetch(&k->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    if (k->flush) {
        qtpm_tss *t = tpm_acquire(k->prov);
        if (t != NULL) {
            int rc = qtpm_tss_FlushContext(t, k->handle);
            tpm_release(k->prov, TPM_BROKEN(rc));
        }
    }
    EVP_PKEY_free(k->pubkey);
    OPENSSL_cleanse(&k->auth, sizeof k->auth);
    OPENSSL_free(k);
}

int qp_tpmkey_sign(qp_tpmkey *k, TPM_ALG_ID scheme, TPM_ALG_ID hash, const unsigned char *dig,
                   size_t dig_len, TPMT_SIGNATURE *sig)
{
    TPM2B_DIGEST d;
    TPMT_SIG_SCHEME s;
    /* an unrestricted key signs an external digest: the NULL ticket
     * (Part 3 §20.2.1) */
    TPMT_TK_HASHCHECK nt = { TPM_ST_HASHCHECK, TPM_RH_NULL, { 0 } };
    qtpm_tss_auths auths;
    qtpm_tss *t;
    int rc;

    if (dig_len > sizeof d.buffer)
        return 0;
    d.size = (UINT16)dig_len;
    memcpy(d.buffer, dig, dig_len);
    memset(&s, 0, sizeof s);
    s.scheme = scheme;
    s.details.any.hashAlg = hash;
    memset(&auths, 0, sizeof auths);
    auths.count = 1;
    auths.item[0].auth = &k->auth;
    if ((t = tpm_acquire(k->prov)) == NULL)
        return 0;
    rc = qtpm_tss_Sign(t, &auths, k->handle, &d, &s, &nt, sig);
    tpm_release(k->prov, TPM_BROKEN(rc));
    if (rc) {
        qp_error(ERR_R_OPERATION_FAIL, "qtpm: TPM2_Sign with key 0x%08x failed: %s", k->handle,
                 qtpm_tss_strerror(rc));
        return 0;
    }
    return 1;
}

/* ---- KEYMGMT ---------------------------------------------------------------------- */

static OSSL_FUNC_keymgmt_load_fn km_load;
static OSSL_FUNC_keymgmt_free_fn km_free;
static OSSL_FUNC_keymgmt_has_fn km_has;
static OSSL_FUNC_keymgmt_match_fn km_match;
static OSSL_FUNC_keymgmt_get_params_fn km_get_params;
static OSSL_FUNC_keymgmt_export_fn km_export;
static OSSL_FUNC_keymgmt_dup_fn km_dup;
static OSSL_FUNC_keymgmt_query_operation_name_fn km_rsa_opname;
static OSSL_FUNC_keymgmt_query_operation_name_fn km_ec_opname;

/* The reference is the qp_tpmkey pointer's bytes (store.c); the keymgmt
 * takes a reference of its own. */
static void *km_load(const void *reference, size_t reference_sz)
{
    qp_tpmkey *k;

    if (reference == NULL || reference_sz != sizeof(k))
        return NULL;
    memcpy(&k, reference, sizeof(k));
    qp_tpmkey_up(k);
    return k;
}

static void km_free(void *kd)
{
    qp_tpmkey_free(kd);
}

static void *km_dup(const void *kd, int selection)
{
    qp_tpmkey *k = (qp_tpmkey *)kd;

    (void)selection;
    qp_tpmkey_up(k);
    return k;
}

static int km_has(const void *kd, int selection)
{
    /* public part, domain parameters, and a private key (in the TPM) */
    return kd != NULL || selection == 0;
}

static int km_match(const void *a, const void *b, int selection)
{
    const qp_tpmkey *x = a, *y = b;

    (void)selection;
    return EVP_PKEY_eq(x->pubkey, y->pubkey) == 1;
}

static int km_get_params(void *kd, OSSL_PARAM params[])
{
    qp_tpmkey *k = kd;
    OSSL_PARAM *p;

    /* No private parameter is there to give (RSA d, primes, EC priv): the
     * default provider's public key answers the rest. */
    for (p = params; p->key != NULL; p++)
        if (strcmp(p->key, OSSL_PKEY_PARAM_RSA_D) == 0 ||
            strcmp(p->key, OSSL_PKEY_PARAM_PRIV_KEY) == 0)
            return 0;
    if ((p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_DEFAULT_DIGEST)) != NULL &&
        !OSSL_PARAM_set_utf8_string(p, "SHA256"))
        return 0;
    return EVP_PKEY_get_params(k->pubkey, params);
}

static const OSSL_PARAM rsa_gettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM ec_gettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_DEFAULT_DIGEST, NULL, 0),
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_rsa_gettable_params(void *provctx)
{
    (void)provctx;
    return rsa_gettable;
}

static const OSSL_PARAM *km_ec_gettable_params(void *provctx)
{
    (void)provctx;
    return ec_gettable;
}

static int km_export(void *kd, int selection, OSSL_CALLBACK *cb, void *cbarg)
{
    qp_tpmkey *k = kd;
    OSSL_PARAM *params = NULL;
    int ok;

    /* Only the public key and the domain parameters, whatever the
     * selection asks: libcrypto asks for everything when it moves a key to
     * another provider (EVP_PKEY_eq); the private half stays in the TPM. */
    if ((selection & (OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS)) == 0) {
        qp_error(ERR_R_UNSUPPORTED, "qtpm: the private key is in the TPM and cannot be exported");
        return 0;
    }
    if (EVP_PKEY_todata(k->pubkey, EVP_PKEY_PUBLIC_KEY, &params) <= 0)
        return 0;
    ok = cb(params, cbarg);
    OSSL_PARAM_free(params);
    return ok;
}

static const OSSL_PARAM rsa_export_types[] = {
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_N, NULL, 0),
    OSSL_PARAM_BN(OSSL_PKEY_PARAM_RSA_E, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM ec_export_types[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_rsa_export_types(int selection)
{
    return (selection & (OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS))
               ? rsa_export_types : NULL;
}

static const OSSL_PARAM *km_ec_export_types(int selection)
{
    return (selection & (OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_ALL_PARAMETERS))
               ? ec_export_types : NULL;
}

static const char *km_rsa_opname(int operation_id)
{
    return operation_id == OSSL_OP_SIGNATURE ? "QTPM-RSA" : NULL;
}

static const char *km_ec_opname(int operation_id)
{
    return operation_id == OSSL_OP_SIGNATURE ? "QTPM-ECDSA" : NULL;
}

#define KM_COMMON                                                                     \
    {OSSL_FUNC_KEYMGMT_LOAD, (void (*)(void))km_load},                                \
        {OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))km_free},                            \
        {OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))km_dup},                              \
        {OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))km_has},                              \
        {OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))km_match},                          \
        {OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))km_get_params},                \
        {OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))km_export}

const OSSL_DISPATCH qp_tpm_rsa_keymgmt_functions[] = {
    KM_COMMON,
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))km_rsa_gettable_params},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))km_rsa_export_types},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, (void (*)(void))km_rsa_opname},
    {0, NULL},
};

const OSSL_DISPATCH qp_tpm_ec_keymgmt_functions[] = {
    KM_COMMON,
    {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))km_ec_gettable_params},
    {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))km_ec_export_types},
    {OSSL_FUNC_KEYMGMT_QUERY_OPERATION_NAME, (void (*)(void))km_ec_opname},
    {0, NULL},
};
