/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.c — the OSSL_STORE loader of qtpm-provider for keys in the TPM
 * (provider-storemgmt(7)). Its scheme is "qtpm":
 *
 *   qtpm:handle:0x81000001       a persistent key
 *   qtpm:file:PATH               a tpm2-tools / qtpm context file (`qtpm create
 *                                -c`, `tpm2_contextsave`; ContextLoad, flushed
 *                                when the key is freed) or the serialized
 *                                handle that `tpm2_evictcontrol -o` writes
 *   ...?pass=VALUE               the key's authValue (otherwise empty)
 *
 * tpm2-openssl spells the same "handle:0x81000001" and "object:PATH"; ours
 * are prefixed with the scheme so that OpenSSL routes them here. The files
 * are parsed by libqtss (qtpm/tss_keyfile.h), as the qtpm CLI reads them.
 * A load yields one PKEY object by reference (the qp_tpmkey pointer, which
 * tpmkey.c's keymgmt takes); there is no export_object, so libcrypto falls
 * back to our keymgmt rather than copying the key to another provider.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include "qtpm/tss_keyfile.h"
#include "tpmkey.h"

#define MAX_KEYFILE (1U << 16)

typedef struct {
    qp_provctx *prov;
    qp_tpmkey *key;
    int done;
} qp_storectx;

static OSSL_FUNC_store_open_fn st_open;
static OSSL_FUNC_store_load_fn st_load;
static OSSL_FUNC_store_eof_fn st_eof;
static OSSL_FUNC_store_close_fn st_close;
static OSSL_FUNC_store_set_ctx_params_fn st_set_ctx_params;
static OSSL_FUNC_store_settable_ctx_params_fn st_settable_ctx_params;

static int parse_handle(const char *s, TPM_HANDLE *h)
{
    char *end;
    unsigned long v;

    if (s[0] == 0 || s[0] == '-')
        return 0;
    v = strtoul(s, &end, 0);
    if (*end != 0 || v > 0xFFFFFFFFUL)
        return 0;
    *h = (TPM_HANDLE)v;
    return 1;
}

/* A file: a context file, or a serialized persistent handle. */
static qp_tpmkey *open_file(qp_provctx *prov, const char *path, const TPM2B_AUTH *auth)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d = NULL;
    size_t n;
    qp_tpmkey *k = NULL;
    TPMS_CONTEXT ctx;
    TPM_HANDLE h;
    int rc;

    if (f == NULL) {
        qp_error(ERR_R_PASSED_INVALID_ARGUMENT, "qtpm: cannot open the key file %s", path);
        return NULL;
    }
    d = OPENSSL_malloc(MAX_KEYFILE + 1);
    n = d != NULL ? fread(d, 1, MAX_KEYFILE + 1, f) : 0;
    fclose(f);
    if (d == NULL)
        return NULL;
    if (n > MAX_KEYFILE) {
        qp_error(ERR_R_PASSED_INVALID_ARGUMENT, "qtpm: %s is too large for a key file", path);
    } else if (qtpm_keyfile_is_context(d, n)) {
        rc = qtpm_keyfile_context_parse(d, n, &ctx, NULL, NULL);
        if (rc)
            qp_error(ERR_R_PASSED_INVALID_ARGUMENT, "qtpm: %s is not a valid context file (%s)",
                     path, rc == QTPM_KEYFILE_E_VERSION ? "version not 1" : "malformed");
        else
            k = qp_tpmkey_open(prov, 0, &ctx, auth);
        OPENSSL_cleanse(&ctx, sizeof ctx);
    } else if (qtpm_keyfile_serialized_tr_parse(d, n, &h, NULL) == 0 &&
               (h >> 24) == TPM_HT_PERSISTENT) {
        k = qp_tpmkey_open(prov, h, NULL, auth);
    } else {
        qp_error(ERR_R_PASSED_INVALID_ARGUMENT,
                 "qtpm: %s is neither a context file (0xBADCC0DE) nor a serialized persistent "
                 "handle", path);
    }
    OPENSSL_free(d);
    return k;
}

static void *st_open(void *provctx, const char *uri)
{
    qp_provctx *prov = provctx;
    qp_storectx *c = NULL;
    char *spec = NULL, *q;
    TPM2B_AUTH auth;
    TPM_HANDLE h;
    qp_tpmkey *k = NULL;

    memset(&auth, 0, sizeof auth);
    if (strncmp(uri, "qtpm:", 5) != 0)
        return NULL;
    spec = OPENSSL_strdup(uri + 5);
    if (spec == NULL)
        return NULL;
    /* the authValue, when given, is the last "?pass=" */
    q = NULL;
    for (char *s = strstr(spec, "?pass="); s != NULL; s = strstr(s + 1, "?pass="))
        q = s;
    if (q != NULL) {
        size_t pl = strlen(q + 6);
        if (pl > sizeof auth.buffer) {
            qp_error(ERR_R_PASSED_INVALID_ARGUMENT, "qtpm: the key's password is longer than "
                     "%zu bytes", sizeof auth.buffer);
            goto end;
        }
        auth.size = (UINT16)pl;
        memcpy(auth.buffer, q + 6, pl);
        OPENSSL_cleanse(q, pl + 6);
        *q = 0;
    }
    if (strncmp(spec, "handle:", 7) == 0) {
        if (!parse_handle(spec + 7, &h) || (h >> 24) != TPM_HT_PERSISTENT) {
            qp_error(ERR_R_PASSED_INVALID_ARGUMENT,
                     "qtpm: \"%s\" is not a persistent handle (0x81000000..0x81ffffff)", spec + 7);
            goto end;
        }
        k = qp_tpmkey_open(prov, h, NULL, &auth);
    } else if (strncmp(spec, "file:", 5) == 0 && spec[5] != 0) {
        k = open_file(prov, spec + 5, &auth);
    } else {
        qp_error(ERR_R_PASSED_INVALID_ARGUMENT,
                 "qtpm: unknown key URI \"qtpm:%s\" (qtpm:handle:0x81..., qtpm:file:PATH)", spec);
        goto end;
    }
    if (k == NULL)
        goto end;
    c = OPENSSL_zalloc(sizeof(*c));
    if (c == NULL) {
        qp_tpmkey_free(k);
        goto end;
    }
    c->prov = prov;
    c->key = k;
end:
    OPENSSL_cleanse(&auth, sizeof auth);
    OPENSSL_clear_free(spec, strlen(uri + 5));
    return c;
}

static int st_load(void *vctx, OSSL_CALLBACK *object_cb, void *object_cbarg,
                   OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    qp_storectx *c = vctx;
    int type = OSSL_OBJECT_PKEY;
    OSSL_PARAM p[4];

    (void)pw_cb;
    (void)pw_cbarg;
    if (c->done)
        return 0;
    c->done = 1;
    p[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type);
    p[1] = OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE,
                                            (char *)(c->key->is_ec ? "EC" : "RSA"), 0);
    p[2] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE, &c->key,
                                             sizeof(c->key));
    p[3] = OSSL_PARAM_construct_end();
    return object_cb(p, object_cbarg);
}

static int st_eof(void *vctx)
{
    return ((qp_storectx *)vctx)->done;
}

static int st_close(void *vctx)
{
    qp_storectx *c = vctx;

    if (c == NULL)
        return 1;
    qp_tpmkey_free(c->key);
    OPENSSL_free(c);
    return 1;
}

/* OSSL_STORE_expect and the like: there is one kind of object here. */
static int st_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    (void)vctx;
    (void)params;
    return 1;
}

static const OSSL_PARAM *st_settable_ctx_params(void *provctx)
{
    static const OSSL_PARAM known[] = {
        OSSL_PARAM_int(OSSL_STORE_PARAM_EXPECT, NULL),
        OSSL_PARAM_END,
    };
    (void)provctx;
    return known;
}

const OSSL_DISPATCH qp_tpm_store_functions[] = {
    {OSSL_FUNC_STORE_OPEN, (void (*)(void))st_open},
    {OSSL_FUNC_STORE_LOAD, (void (*)(void))st_load},
    {OSSL_FUNC_STORE_EOF, (void (*)(void))st_eof},
    {OSSL_FUNC_STORE_CLOSE, (void (*)(void))st_close},
    {OSSL_FUNC_STORE_SET_CTX_PARAMS, (void (*)(void))st_set_ctx_params},
    {OSSL_FUNC_STORE_SETTABLE_CTX_PARAMS, (void (*)(void))st_settable_ctx_params},
    {0, NULL},
};
