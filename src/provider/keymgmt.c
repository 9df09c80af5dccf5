/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keymgmt.c — the KEYMGMT operation of qtpm-provider: one algorithm per TLS
 * group (X25519MLKEM768, SecP256r1MLKEM768, MLKEM768, MLKEM1024), sharing the
 * functions below; only new and gen_init know their group.
 *
 * How OpenSSL 3.0's libssl uses it (ssl/s3_lib.c, ssl/statem/extensions_*.c):
 *   client  ssl_generate_pkey_group: keygen with OSSL_PKEY_PARAM_GROUP_NAME,
 *           then EVP_PKEY_get1_encoded_public_key (get_params,
 *           OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY) for its key_share;
 *   server  ssl_generate_param_group: paramgen (a key with no key material),
 *           then EVP_PKEY_set1_encoded_public_key (set_params) with the
 *           client's share — our decoding: a failure there makes libssl send
 *           an illegal_parameter alert;
 *   both    the KEM operation (kem.c) on these keys.
 * The public key's import/export form is the client share (the encoded public
 * key); the private form is qtpm's own (groups.c, qp_private_encode).
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "provider_internal.h"

static OSSL_FUNC_keymgmt_free_fn km_free;
static OSSL_FUNC_keymgmt_has_fn km_has;
static OSSL_FUNC_keymgmt_match_fn km_match;
static OSSL_FUNC_keymgmt_import_fn km_import;
static OSSL_FUNC_keymgmt_import_types_fn km_io_types;
static OSSL_FUNC_keymgmt_export_fn km_export;
static OSSL_FUNC_keymgmt_get_params_fn km_get_params;
static OSSL_FUNC_keymgmt_gettable_params_fn km_gettable_params;
static OSSL_FUNC_keymgmt_set_params_fn km_set_params;
static OSSL_FUNC_keymgmt_settable_params_fn km_settable_params;
static OSSL_FUNC_keymgmt_gen_set_params_fn km_gen_set_params;
static OSSL_FUNC_keymgmt_gen_settable_params_fn km_gen_settable_params;
static OSSL_FUNC_keymgmt_gen_fn km_gen;
static OSSL_FUNC_keymgmt_gen_cleanup_fn km_gen_cleanup;
static OSSL_FUNC_keymgmt_dup_fn km_dup;

typedef struct {
    qp_provctx *prov;
    const qp_group *g;
    int selection;
} qp_genctx;

static void km_free(void *keydata)
{
    qp_key_free(keydata);
}

static int km_has(const void *keydata, int selection)
{
    const qp_key *k = keydata;

    if (k == NULL)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0 && !k->has_pub)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 && !k->has_priv)
        return 0;
    return 1;
}

static int km_match(const void *a, const void *b, int selection)
{
    const qp_key *x = a, *y = b;

    if (x->g != y->g)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0)
        return 1;
    /* Public keys are public: a plain comparison. A private-only match
     * compares the public keys too (they are derived from the private). */
    if (!x->has_pub || !y->has_pub || memcmp(x->ek, y->ek, x->g->ek_len) != 0)
        return 0;
    if (x->g->classic != QP_CLASSIC_NONE &&
        memcmp(x->ec_pub, y->ec_pub, x->g->ecdh_pub_len) != 0)
        return 0;
    return 1;
}

static const OSSL_PARAM km_io_params[] = {
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PUB_KEY, NULL, 0),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_io_types(int selection)
{
    (void)selection;
    return km_io_params;
}

static int km_import(void *keydata, int selection, const OSSL_PARAM params[])
{
    qp_key *k = keydata;
    const OSSL_PARAM *p;
    const void *buf = NULL;
    size_t len = 0;

    if (k == NULL || (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) {
        p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY);
        if (p != NULL) {
            if (!OSSL_PARAM_get_octet_string_ptr(p, &buf, &len))
                return 0;
            return qp_key_from_private(k, buf, len);
        }
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) == 0)
        return 0;
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
    if (p == NULL)
        p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PUB_KEY);
    if (p == NULL || !OSSL_PARAM_get_octet_string_ptr(p, &buf, &len))
        return 0;
    return qp_share_decode(k, buf, len);
}

static int km_export(void *keydata, int selection, OSSL_CALLBACK *cb, void *cbarg)
{
    qp_key *k = keydata;
    uint8_t share[QTPM_MLKEM_MAX_EK_BYTES + 65];
    uint8_t priv[QTPM_MLKEM_SEED_BYTES + 32];
    OSSL_PARAM params[4];
    size_t n = 0;
    int ok = 0;

    if (k == NULL || (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0)
        return 0;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0 && k->has_pub) {
        if (!qp_share_encode(k, share, k->g->share_len))
            goto out;
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, share,
                                                        k->g->share_len);
        params[n++] =
            OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, share, k->g->share_len);
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 && k->has_priv) {
        size_t plen = qp_private_len(k->g);
        if (!qp_private_encode(k, priv, plen))
            goto out;
        params[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, priv, plen);
    }
    params[n] = OSSL_PARAM_construct_end();
    ok = n > 0 && cb(params, cbarg);
out:
    OPENSSL_cleanse(priv, sizeof(priv));
    return ok;
}

static const OSSL_PARAM km_gettable[] = {
    OSSL_PARAM_int(OSSL_PKEY_PARAM_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_SECURITY_BITS, NULL),
    OSSL_PARAM_int(OSSL_PKEY_PARAM_MAX_SIZE, NULL),
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_gettable_params(void *provctx)
{
    (void)provctx;
    return km_gettable;
}

/* bits: the size of the public key (the client share) in bits; secbits:
 * the group's announced strength; max-size: the largest KEM output (the
 * server share). */
static int km_get_params(void *keydata, OSSL_PARAM params[])
{
    qp_key *k = keydata;
    OSSL_PARAM *p;

    if (k == NULL)
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_BITS);
    if (p != NULL && !OSSL_PARAM_set_int(p, (int)(8 * k->g->share_len)))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_SECURITY_BITS);
    if (p != NULL && !OSSL_PARAM_set_int(p, (int)k->g->secbits))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_MAX_SIZE);
    if (p != NULL && !OSSL_PARAM_set_int(p, (int)k->g->reply_len))
        return 0;
    p = OSSL_PARAM_locate(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
    if (p != NULL) {
        if (!k->has_pub || p->data_type != OSSL_PARAM_OCTET_STRING)
            return 0;
        p->return_size = k->g->share_len;
        if (p->data != NULL) {
            if (p->data_size < k->g->share_len || !qp_share_encode(k, p->data, k->g->share_len))
                return 0;
        }
    }
    return 1;
}

static const OSSL_PARAM km_settable[] = {
    OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_settable_params(void *provctx)
{
    (void)provctx;
    return km_settable;
}

/* The server's path: the client's share into a parameters-only key. */
static int km_set_params(void *keydata, const OSSL_PARAM params[])
{
    qp_key *k = keydata;
    const OSSL_PARAM *p;
    const void *buf = NULL;
    size_t len = 0;

    if (k == NULL)
        return 0;
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY);
    if (p == NULL)
        return 1;
    if (!OSSL_PARAM_get_octet_string_ptr(p, &buf, &len))
        return 0;
    return qp_share_decode(k, buf, len);
}

/* ---- generation ------------------------------------------------------------ */

static void *gen_init(qp_provctx *prov, const qp_group *g, int selection,
                      const OSSL_PARAM params[])
{
    qp_genctx *gc;

    if ((selection & (OSSL_KEYMGMT_SELECT_KEYPAIR | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS)) == 0)
        return NULL;
    gc = OPENSSL_zalloc(sizeof(*gc));
    if (gc == NULL)
        return NULL;
    gc->prov = prov;
    gc->g = g;
    gc->selection = selection;
    if (!km_gen_set_params(gc, params)) {
        OPENSSL_free(gc);
        return NULL;
    }
    return gc;
}

/* libssl passes the group's internal name, which is the algorithm's name:
 * anything else is refused rather than ignored. */
static int km_gen_set_params(void *genctx, const OSSL_PARAM params[])
{
    qp_genctx *gc = genctx;
    const OSSL_PARAM *p;
    const char *name = NULL;

    if (params == NULL)
        return 1;
    p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_GROUP_NAME);
    if (p == NULL)
        return 1;
    if (!OSSL_PARAM_get_utf8_string_ptr(p, &name))
        return 0;
    return qp_group_by_name(name) == gc->g;
}

static const OSSL_PARAM km_gen_settable[] = {
    OSSL_PARAM_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, NULL, 0),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *km_gen_settable_params(void *genctx, void *provctx)
{
    (void)genctx;
    (void)provctx;
    return km_gen_settable;
}

static void *km_gen(void *genctx, OSSL_CALLBACK *cb, void *cbarg)
{
    qp_genctx *gc = genctx;
    qp_key *k;

    (void)cb;
    (void)cbarg;
    k = qp_key_new(gc->prov, gc->g);
    if (k == NULL)
        return NULL;
    /* Parameters only (the server's paramgen): the group is the parameter. */
    if ((gc->selection & OSSL_KEYMGMT_SELECT_KEYPAIR) == 0)
        return k;
    if (!qp_key_generate(k)) {
        qp_key_free(k);
        return NULL;
    }
    return k;
}

static void km_gen_cleanup(void *genctx)
{
    OPENSSL_free(genctx);
}

static void *km_dup(const void *keydata, int selection)
{
    const qp_key *src = keydata;
    qp_key *k;

    if (src == NULL)
        return NULL;
    k = qp_key_new(src->prov, src->g);
    if (k == NULL)
        return NULL;
    if ((selection & OSSL_KEYMGMT_SELECT_PUBLIC_KEY) != 0 && src->has_pub) {
        memcpy(k->ek, src->ek, sizeof(k->ek));
        k->has_pub = 1;
    }
    if ((selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0 && src->has_priv) {
        memcpy(k->seed, src->seed, sizeof(k->seed));
        memcpy(k->dk, src->dk, sizeof(k->dk));
        k->has_priv = 1;
    }
    if (src->ec != NULL && (k->has_pub || k->has_priv)) {
        /* The classic half is copied by its provider, with the same parts. */
        k->ec = qp_classic_dup(src->ec_impl, src->ec,
                               (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) |
                                   OSSL_KEYMGMT_SELECT_ALL_PARAMETERS);
        if (k->ec == NULL) {
            qp_key_free(k);
            return NULL;
        }
        k->ec_impl = src->ec_impl;
        memcpy(k->ec_pub, src->ec_pub, sizeof(k->ec_pub));
    }
    return k;
}

/* ---- one dispatch table per group ------------------------------------------- */

#define QP_KEYMGMT(idx, sym)                                                                  \
    static void *sym##_new(void *provctx)                                                     \
    {                                                                                         \
        return qp_key_new(provctx, &qp_groups[idx]);                                          \
    }                                                                                         \
    static void *sym##_gen_init(void *provctx, int selection, const OSSL_PARAM params[])      \
    {                                                                                         \
        return gen_init(provctx, &qp_groups[idx], selection, params);                         \
    }                                                                                         \
    const OSSL_DISPATCH qp_##sym##_functions[] = {                                            \
        {OSSL_FUNC_KEYMGMT_NEW, (void (*)(void))sym##_new},                                   \
        {OSSL_FUNC_KEYMGMT_FREE, (void (*)(void))km_free},                                    \
        {OSSL_FUNC_KEYMGMT_HAS, (void (*)(void))km_has},                                      \
        {OSSL_FUNC_KEYMGMT_MATCH, (void (*)(void))km_match},                                  \
        {OSSL_FUNC_KEYMGMT_IMPORT, (void (*)(void))km_import},                                \
        {OSSL_FUNC_KEYMGMT_IMPORT_TYPES, (void (*)(void))km_io_types},                        \
        {OSSL_FUNC_KEYMGMT_EXPORT, (void (*)(void))km_export},                                \
        {OSSL_FUNC_KEYMGMT_EXPORT_TYPES, (void (*)(void))km_io_types},                        \
        {OSSL_FUNC_KEYMGMT_GET_PARAMS, (void (*)(void))km_get_params},                        \
        {OSSL_FUNC_KEYMGMT_GETTABLE_PARAMS, (void (*)(void))km_gettable_params},              \
        {OSSL_FUNC_KEYMGMT_SET_PARAMS, (void (*)(void))km_set_params},                        \
        {OSSL_FUNC_KEYMGMT_SETTABLE_PARAMS, (void (*)(void))km_settable_params},              \
        {OSSL_FUNC_KEYMGMT_GEN_INIT, (void (*)(void))sym##_gen_init},                         \
        {OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS, (void (*)(void))km_gen_set_params},                \
        {OSSL_FUNC_KEYMGMT_GEN_SETTABLE_PARAMS, (void (*)(void))km_gen_settable_params},      \
        {OSSL_FUNC_KEYMGMT_GEN, (void (*)(void))km_gen},                                      \
        {OSSL_FUNC_KEYMGMT_GEN_CLEANUP, (void (*)(void))km_gen_cleanup},                      \
        {OSSL_FUNC_KEYMGMT_DUP, (void (*)(void))km_dup},                                      \
        {0, NULL},                                                                            \
    };

QP_KEYMGMT(0, km_x25519mlkem768)
QP_KEYMGMT(1, km_p256mlkem768)
QP_KEYMGMT(2, km_mlkem768)
QP_KEYMGMT(3, km_mlkem1024)

