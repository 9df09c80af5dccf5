/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kem.c — the KEM operation of qtpm-provider, one implementation for the
 * four groups (the key says which).
 *
 * OpenSSL 3.0's libssl treats a group whose capability says "is KEM" this way
 * (ssl/s3_lib.c ssl_encapsulate / ssl_decapsulate): the server encapsulates
 * to the client's key (its key_share reply is our output, the premaster
 * secret our secret), the client decapsulates the reply. Both first ask for
 * the sizes (output buffer NULL). A reply of any length but the group's is
 * refused before it is read; libssl then aborts the handshake with an alert
 * (internal_error in 3.0's ssl_decapsulate; draft-ietf-tls-ecdhe-mlkem
 * §3.1.2 asks for illegal_parameter, which 3.0's libssl does not let a
 * provider choose).
 */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "provider_internal.h"

static OSSL_FUNC_kem_newctx_fn kem_newctx;
static OSSL_FUNC_kem_freectx_fn kem_freectx;
static OSSL_FUNC_kem_dupctx_fn kem_dupctx;
static OSSL_FUNC_kem_encapsulate_init_fn kem_encapsulate_init;
static OSSL_FUNC_kem_encapsulate_fn kem_encapsulate;
static OSSL_FUNC_kem_decapsulate_init_fn kem_decapsulate_init;
static OSSL_FUNC_kem_decapsulate_fn kem_decapsulate;
static OSSL_FUNC_kem_get_ctx_params_fn kem_get_ctx_params;
static OSSL_FUNC_kem_gettable_ctx_params_fn kem_gettable_ctx_params;
static OSSL_FUNC_kem_set_ctx_params_fn kem_set_ctx_params;
static OSSL_FUNC_kem_settable_ctx_params_fn kem_settable_ctx_params;

typedef struct {
    qp_provctx *prov;
    qp_key *key; /* not owned: libssl's EVP_PKEY holds it */
    int op;      /* 1 encapsulate, 2 decapsulate */
} qp_kemctx;

static void *kem_newctx(void *provctx)
{
    qp_kemctx *c = OPENSSL_zalloc(sizeof(*c));

    if (c != NULL)
        c->prov = provctx;
    return c;
}

static void kem_freectx(void *vctx)
{
    OPENSSL_free(vctx);
}

static void *kem_dupctx(void *vctx)
{
    qp_kemctx *src = vctx, *c = OPENSSL_malloc(sizeof(*c));

    if (c != NULL)
        *c = *src;
    return c;
}

static int kem_init(qp_kemctx *c, void *provkey, int op)
{
    qp_key *k = provkey;

    if (c == NULL || k == NULL)
        return 0;
    if (op == 1 && !k->has_pub)
        return 0;
    if (op == 2 && !k->has_priv)
        return 0;
    c->key = k;
    c->op = op;
    return 1;
}

static int kem_encapsulate_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    (void)params;
    return kem_init(vctx, provkey, 1);
}

static int kem_decapsulate_init(void *vctx, void *provkey, const OSSL_PARAM params[])
{
    (void)params;
    return kem_init(vctx, provkey, 2);
}

static int kem_encapsulate(void *vctx, unsigned char *out, size_t *outlen, unsigned char *secret,
                           size_t *secretlen)
{
    qp_kemctx *c = vctx;
    const qp_group *g;

    if (c == NULL || c->op != 1)
        return 0;
    g = c->key->g;
    if (out == NULL) {
        if (outlen != NULL)
            *outlen = g->reply_len;
        if (secretlen != NULL)
            *secretlen = g->ss_len;
        return 1;
    }
    if (secret == NULL || outlen == NULL || secretlen == NULL || *outlen < g->reply_len ||
        *secretlen < g->ss_len)
        return 0;
    if (!qp_encapsulate(c->key, out, secret))
        return 0;
    *outlen = g->reply_len;
    *secretlen = g->ss_len;
    return 1;
}

static int kem_decapsulate(void *vctx, unsigned char *out, size_t *outlen,
                           const unsigned char *in, size_t inlen)
{
    qp_kemctx *c = vctx;
    const qp_group *g;

    if (c == NULL || c->op != 2 || outlen == NULL)
        return 0;
    g = c->key->g;
    /* The length is checked on the size query too: a bad reply fails at the
     * first call, before libssl allocates anything. */
    if (in == NULL || inlen != g->reply_len)
        return 0;
    if (out == NULL) {
        *outlen = g->ss_len;
        return 1;
    }
    if (*outlen < g->ss_len || !qp_decapsulate(c->key, in, inlen, out))
        return 0;
    *outlen = g->ss_len;
    return 1;
}

static const OSSL_PARAM kem_no_params[] = {OSSL_PARAM_END};

static int kem_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
    (void)vctx;
    (void)params;
    return 1;
}

static const OSSL_PARAM *kem_gettable_ctx_params(void *vctx, void *provctx)
{
    (void)vctx;
    (void)provctx;
    return kem_no_params;
}

static int kem_set_ctx_params(void *vctx, const OSSL_PARAM params[])
{
    (void)vctx;
    (void)params;
    return 1;
}

static const OSSL_PARAM *kem_settable_ctx_params(void *vctx, void *provctx)
{
    (void)vctx;
    (void)provctx;
    return kem_no_params;
}

const OSSL_DISPATCH qp_kem_functions[] = {
    {OSSL_FUNC_KEM_NEWCTX, (void (*)(void))kem_newctx},
    {OSSL_FUNC_KEM_FREECTX, (void (*)(void))kem_freectx},
    {OSSL_FUNC_KEM_DUPCTX, (void (*)(void))kem_dupctx},
    {OSSL_FUNC_KEM_ENCAPSULATE_INIT, (void (*)(void))kem_encapsulate_init},
    {OSSL_FUNC_KEM_ENCAPSULATE, (void (*)(void))kem_encapsulate},
    {OSSL_FUNC_KEM_DECAPSULATE_INIT, (void (*)(void))kem_decapsulate_init},
    {OSSL_FUNC_KEM_DECAPSULATE, (void (*)(void))kem_decapsulate},
    {OSSL_FUNC_KEM_GET_CTX_PARAMS, (void (*)(void))kem_get_ctx_params},
    {OSSL_FUNC_KEM_GETTABLE_CTX_PARAMS, (void (*)(void))kem_gettable_ctx_params},
    {OSSL_FUNC_KEM_SET_CTX_PARAMS, (void (*)(void))kem_set_ctx_params},
    {OSSL_FUNC_KEM_SETTABLE_CTX_PARAMS, (void (*)(void))kem_settable_ctx_params},
    {0, NULL},
};
