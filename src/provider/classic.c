/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * classic.c — the classic halves of the hybrid groups (X25519, RFC 7748; ECDH
 * on P-256, RFC 8446 §4.2.8.2 and §7.4.2), done by OpenSSL's own code: the
 * key management and key exchange of the provider that serves "X25519" /
 * "EC" and "ECDH" in the provider's child library context (OpenSSL's default
 * provider), called through that provider's dispatch tables.
 *
 * Why not EVP_PKEY_CTX and EVP_PKEY for each operation, as before: in
 * OpenSSL 3.0 every EVP_PKEY_CTX_new_* and every EVP_PKEY made from a
 * provider key walks the whole name map (EVP_KEYMGMT_names_do_all →
 * OPENSSL_LH_doall_arg, to find a legacy NID), every *_init fetches its
 * method again (name lookup, property match, read locks), and keygen caches
 * key information through three more OSSL_PARAM round trips. A hybrid
 * handshake did that for its X25519 half on top of what libssl already does
 * for the outer key (tls_groups_profile.md). Here the methods are fetched
 * once per provider context (the first time a classic half is needed, so the
 * application may load the default provider after ours), the EVP_KEYMGMT and
 * EVP_KEYEXCH stay held — they keep the implementing provider loaded, so its
 * function pointers and context stay valid — and each operation is the
 * provider call EVP itself would end in: gen_init/gen for a key pair, import
 * of the peer's public value (for P-256 with the group, which makes the
 * import check the point is on the curve), the public-key validation that
 * EVP_PKEY_derive_set_peer runs (OSSL_KEYMGMT_VALIDATE_FULL_CHECK), and
 * newctx/init/set_peer/derive (X25519: OpenSSL refuses the all-zero result,
 * RFC 7748 §6.1 / RFC 8446 §7.4.2). So the checks are the same ones, by the
 * same code; only EVP's bookkeeping is gone.
 *
 * A classic key here is the implementing provider's own key object (void *);
 * it is freed through that provider's free function, which wipes its private
 * key.
 */
#include <stdatomic.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "provider_internal.h"

struct qp_classic_impl {
    qp_classic which;
    /* key management ("X25519" or "EC") */
    OSSL_FUNC_keymgmt_new_fn *km_new;
    OSSL_FUNC_keymgmt_free_fn *km_free;
    OSSL_FUNC_keymgmt_gen_init_fn *gen_init;
    OSSL_FUNC_keymgmt_gen_set_params_fn *gen_set_params;
    OSSL_FUNC_keymgmt_gen_fn *gen;
    OSSL_FUNC_keymgmt_gen_cleanup_fn *gen_cleanup;
    OSSL_FUNC_keymgmt_import_fn *import;
    OSSL_FUNC_keymgmt_export_fn *export;
    OSSL_FUNC_keymgmt_get_params_fn *get_params;
    OSSL_FUNC_keymgmt_validate_fn *validate;
    OSSL_FUNC_keymgmt_dup_fn *dup;
    /* key exchange ("X25519" or "ECDH") */
    OSSL_FUNC_keyexch_newctx_fn *kx_newctx;
    OSSL_FUNC_keyexch_init_fn *kx_init;
    OSSL_FUNC_keyexch_set_peer_fn *kx_set_peer;
    OSSL_FUNC_keyexch_derive_fn *kx_derive;
    OSSL_FUNC_keyexch_freectx_fn *kx_freectx;
    /* the implementing provider: its context, and what keeps it loaded */
    void *provctx;
    OSSL_PROVIDER *prov;
    const OSSL_ALGORITHM *km_algs, *kx_algs; /* handed back at teardown */
    EVP_KEYMGMT *km;
    EVP_KEYEXCH *kx;
};

/* One per classic algorithm and provider context (qp_provctx.classic). */
struct qp_classic_cache {
    CRYPTO_RWLOCK *lock;
    atomic_int ready[3];
    struct qp_classic_impl impl[3]; /* indexed by qp_classic */
};

/* Is name one of the colon-separated names of an OSSL_ALGORITHM? */
static int names_have(const char *names, const char *name)
{
    size_t n = strlen(name);

    for (const char *p = names; p != NULL && *p != '\0';) {
        const char *e = strchr(p, ':');
        size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
        if (len == n && strncasecmp(p, name, n) == 0)
            return 1;
        p = e != NULL ? e + 1 : NULL;
    }
    return 0;
}

static const OSSL_DISPATCH *find_alg(const OSSL_ALGORITHM *algs, const char *name)
{
    for (; algs != NULL && algs->algorithm_names != NULL; algs++)
        if (names_have(algs->algorithm_names, name))
            return algs->implementation;
    return NULL;
}

static void impl_release(struct qp_classic_impl *im)
{
    if (im->prov != NULL && im->km_algs != NULL)
        OSSL_PROVIDER_unquery_operation(im->prov, OSSL_OP_KEYMGMT, im->km_algs);
    if (im->prov != NULL && im->kx_algs != NULL)
        OSSL_PROVIDER_unquery_operation(im->prov, OSSL_OP_KEYEXCH, im->kx_algs);
    EVP_KEYMGMT_free(im->km);
    EVP_KEYEXCH_free(im->kx);
    memset(im, 0, sizeof(*im));
}

/* Fetch km_name/kx_name in libctx and take their implementations' dispatch
 * tables. Both must come from one provider (a key object of one provider
 * means nothing to another's key exchange). */
static int impl_load(struct qp_classic_impl *im, OSSL_LIB_CTX *libctx, qp_classic which,
                     const char *km_name, const char *kx_name)
{
    const OSSL_DISPATCH *d;
    int no_store = 0;

    memset(im, 0, sizeof(*im));
    im->which = which;
    im->km = EVP_KEYMGMT_fetch(libctx, km_name, NULL);
    im->kx = EVP_KEYEXCH_fetch(libctx, kx_name, NULL);
    if (im->km == NULL || im->kx == NULL) {
        ERR_raise_data(ERR_LIB_PROV, ERR_R_UNSUPPORTED,
                       "qtpm-provider: no %s key management or %s key exchange in this library "
                       "context (load OpenSSL's default provider too)",
                       km_name, kx_name);
        goto fail;
    }
    im->prov = (OSSL_PROVIDER *)EVP_KEYMGMT_get0_provider(im->km);
    if (EVP_KEYEXCH_get0_provider(im->kx) != im->prov) {
        ERR_raise_data(ERR_LIB_PROV, ERR_R_UNSUPPORTED,
                       "qtpm-provider: %s key management and %s key exchange come from "
                       "different providers",
                       km_name, kx_name);
        goto fail;
    }
    im->provctx = OSSL_PROVIDER_get0_provider_ctx(im->prov);
    im->km_algs = OSSL_PROVIDER_query_operation(im->prov, OSSL_OP_KEYMGMT, &no_store);
    im->kx_algs = OSSL_PROVIDER_query_operation(im->prov, OSSL_OP_KEYEXCH, &no_store);
    d = find_alg(im->km_algs, km_name);
    for (; d != NULL && d->function_id != 0; d++) {
        switch (d->function_id) {
        case OSSL_FUNC_KEYMGMT_NEW: im->km_new = OSSL_FUNC_keymgmt_new(d); break;
        case OSSL_FUNC_KEYMGMT_FREE: im->km_free = OSSL_FUNC_keymgmt_free(d); break;
        case OSSL_FUNC_KEYMGMT_GEN_INIT: im->gen_init = OSSL_FUNC_keymgmt_gen_init(d); break;
        case OSSL_FUNC_KEYMGMT_GEN_SET_PARAMS:
            im->gen_set_params = OSSL_FUNC_keymgmt_gen_set_params(d);
            break;
        case OSSL_FUNC_KEYMGMT_GEN: im->gen = OSSL_FUNC_keymgmt_gen(d); break;
        case OSSL_FUNC_KEYMGMT_GEN_CLEANUP:
            im->gen_cleanup = OSSL_FUNC_keymgmt_gen_cleanup(d);
            break;
        case OSSL_FUNC_KEYMGMT_IMPORT: im->import = OSSL_FUNC_keymgmt_import(d); break;
        case OSSL_FUNC_KEYMGMT_EXPORT: im->export = OSSL_FUNC_keymgmt_export(d); break;
        case OSSL_FUNC_KEYMGMT_GET_PARAMS: im->get_params = OSSL_FUNC_keymgmt_get_params(d); break;
        case OSSL_FUNC_KEYMGMT_VALIDATE: im->validate = OSSL_FUNC_keymgmt_validate(d); break;
        case OSSL_FUNC_KEYMGMT_DUP: im->dup = OSSL_FUNC_keymgmt_dup(d); break;
        default: break;
        }
    }
    d = find_alg(im->kx_algs, kx_name);
    for (; d != NULL && d->function_id != 0; d++) {
        switch (d->function_id) {
        case OSSL_FUNC_KEYEXCH_NEWCTX: im->kx_newctx = OSSL_FUNC_keyexch_newctx(d); break;
        case OSSL_FUNC_KEYEXCH_INIT: im->kx_init = OSSL_FUNC_keyexch_init(d); break;
        case OSSL_FUNC_KEYEXCH_SET_PEER: im->kx_set_peer = OSSL_FUNC_keyexch_set_peer(d); break;
        case OSSL_FUNC_KEYEXCH_DERIVE: im->kx_derive = OSSL_FUNC_keyexch_derive(d); break;
        case OSSL_FUNC_KEYEXCH_FREECTX: im->kx_freectx = OSSL_FUNC_keyexch_freectx(d); break;
        default: break;
        }
    }
    /* dup and validate are optional in a provider; these are not. */
    if (im->km_new == NULL || im->km_free == NULL || im->gen_init == NULL || im->gen == NULL ||
        im->gen_cleanup == NULL || im->import == NULL || im->export == NULL ||
        im->get_params == NULL || im->kx_newctx == NULL || im->kx_init == NULL ||
        im->kx_set_peer == NULL || im->kx_derive == NULL || im->kx_freectx == NULL ||
        (which == QP_CLASSIC_P256 && im->gen_set_params == NULL)) {
        ERR_raise_data(ERR_LIB_PROV, ERR_R_UNSUPPORTED,
                       "qtpm-provider: the %s/%s implementation lacks a needed function",
                       km_name, kx_name);
        goto fail;
    }
    return 1;
fail:
    impl_release(im);
    return 0;
}

int qp_classic_setup(qp_provctx *prov)
{
    prov->classic = OPENSSL_zalloc(sizeof(*prov->classic));
    if (prov->classic == NULL)
        return 0;
    prov->classic->lock = CRYPTO_THREAD_lock_new();
    if (prov->classic->lock == NULL) {
        OPENSSL_free(prov->classic);
        prov->classic = NULL;
        return 0;
    }
    return 1;
}

void qp_classic_teardown(qp_provctx *prov)
{
    struct qp_classic_cache *c = prov->classic;

    if (c == NULL)
        return;
    for (size_t i = 0; i < 3; i++)
        if (atomic_load(&c->ready[i]))
            impl_release(&c->impl[i]);
    CRYPTO_THREAD_lock_free(c->lock);
    OPENSSL_free(c);
    prov->classic = NULL;
}

/* The implementation of classic half `which`, fetched at the first call of
 * this provider context (under the write lock; later calls read a flag). A
 * failure is not remembered: the default provider may be loaded later. */
const qp_classic_impl *qp_classic_get(qp_provctx *prov, qp_classic which)
{
    struct qp_classic_cache *c;
    const qp_classic_impl *im = NULL;

    if (prov == NULL || prov->classic == NULL ||
        (which != QP_CLASSIC_X25519 && which != QP_CLASSIC_P256))
        return NULL;
    c = prov->classic;
    if (atomic_load_explicit(&c->ready[which], memory_order_acquire))
        return &c->impl[which];
    if (!CRYPTO_THREAD_write_lock(c->lock))
        return NULL;
    if (atomic_load_explicit(&c->ready[which], memory_order_relaxed)) {
        im = &c->impl[which];
    } else if (which == QP_CLASSIC_X25519 ? impl_load(&c->impl[which], prov->libctx, which,
                                                      "X25519", "X25519")
                                          : impl_load(&c->impl[which], prov->libctx, which,
                                                      "EC", "ECDH")) {
        atomic_store_explicit(&c->ready[which], 1, memory_order_release);
        im = &c->impl[which];
    }
    CRYPTO_THREAD_unlock(c->lock);
    return im;
}

void qp_classic_free(const qp_classic_impl *im, void *kd)
{
    if (im != NULL && kd != NULL)
        im->km_free(kd);
}

/* A fresh key pair (what EVP_PKEY_keygen does: gen_init for a key pair,
 * the group for EC, gen). */
void *qp_classic_generate(const qp_classic_impl *im)
{
    OSSL_PARAM p[2] = {OSSL_PARAM_END, OSSL_PARAM_END};
    void *gctx, *kd = NULL;

    gctx = im->gen_init(im->provctx, OSSL_KEYMGMT_SELECT_KEYPAIR, NULL);
    if (gctx == NULL)
        return NULL;
    if (im->which == QP_CLASSIC_P256) {
        p[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0);
        if (!im->gen_set_params(gctx, p))
            goto out;
    }
    kd = im->gen(gctx, NULL, NULL);
out:
    im->gen_cleanup(gctx);
    return kd;
}

/* The public value on the wire: 32 raw bytes (RFC 7748) or the uncompressed
 * point (RFC 8446 §4.2.8.2; OpenSSL's default form). Exactly len or fail. */
int qp_classic_public(const qp_classic_impl *im, void *kd, uint8_t *out, size_t len)
{
    OSSL_PARAM p[2] = {
        OSSL_PARAM_octet_string(OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, out, len),
        OSSL_PARAM_END,
    };

    if (!im->get_params(kd, p) || !OSSL_PARAM_modified(&p[0]) || p[0].return_size != len)
        return 0;
    return 1;
}

/* A key from its public value (and, for qp_classic_from_private, its private
 * one): a new key object and an import of the same parameters that
 * EVP_PKEY_fromdata / EVP_PKEY_new_raw_*_key_ex pass. P-256's import decodes
 * the point on the group and so refuses one that is not on the curve. */
static void *classic_import(const qp_classic_impl *im, const uint8_t *pub, size_t pub_len,
                            const uint8_t *priv, size_t priv_len)
{
    OSSL_PARAM p[4];
    BIGNUM *d = NULL;
    uint8_t dbuf[32];
    size_t n = 0;
    int selection = OSSL_KEYMGMT_SELECT_PUBLIC_KEY;
    void *kd;

    /* RFC 8446 §4.2.8.2: P-256 points only in the uncompressed form (OpenSSL
     * would also take the "hybrid" form 0x06/0x07 of the same length). */
    if (im->which == QP_CLASSIC_P256 && pub != NULL && (pub_len != 65 || pub[0] != 0x04))
        return NULL;
    kd = im->km_new(im->provctx);
    if (kd == NULL)
        return NULL;
    if (im->which == QP_CLASSIC_P256) {
        selection |= OSSL_KEYMGMT_SELECT_ALL_PARAMETERS;
        p[n++] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)"P-256", 0);
    }
    if (pub != NULL)
        p[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)pub, pub_len);
    if (priv != NULL) {
        selection |= OSSL_KEYMGMT_SELECT_PRIVATE_KEY;
        if (im->which == QP_CLASSIC_P256) {
            /* OSSL_PARAM integers are native-endian: the scalar as a BN. */
            d = BN_secure_new();
            if (d == NULL || priv_len > sizeof(dbuf) || BN_bin2bn(priv, (int)priv_len, d) == NULL ||
                BN_bn2nativepad(d, dbuf, (int)priv_len) != (int)priv_len)
                goto fail;
            p[n++] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, dbuf, priv_len);
        } else {
            p[n++] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, (void *)priv,
                                                       priv_len);
        }
    }
    p[n] = OSSL_PARAM_construct_end();
    if (!im->import(kd, selection, p))
        goto fail;
    BN_clear_free(d);
    OPENSSL_cleanse(dbuf, sizeof(dbuf));
    return kd;
fail:
    BN_clear_free(d);
    OPENSSL_cleanse(dbuf, sizeof(dbuf));
    im->km_free(kd);
    return NULL;
}

void *qp_classic_from_public(const qp_classic_impl *im, const uint8_t *pub, size_t len)
{
    return classic_import(im, pub, len, NULL, 0);
}

void *qp_classic_from_private(const qp_classic_impl *im, const uint8_t *priv, size_t priv_len,
                              const uint8_t *pub, size_t pub_len)
{
    return classic_import(im, pub, pub_len, priv, priv_len);
}

typedef struct {
    uint8_t *out;
    size_t len;
    int ok;
} priv_out;

static int take_private(const OSSL_PARAM params[], void *arg)
{
    priv_out *o = arg;
    const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY);
    BIGNUM *d = NULL;
    size_t got = 0;

    if (p == NULL)
        return 0;
    if (p->data_type == OSSL_PARAM_OCTET_STRING) {
        o->ok = OSSL_PARAM_get_octet_string(p, (void **)&o->out, o->len, &got) && got == o->len;
    } else if (p->data_type == OSSL_PARAM_UNSIGNED_INTEGER) {
        o->ok = OSSL_PARAM_get_BN(p, &d) && BN_bn2binpad(d, o->out, (int)o->len) == (int)o->len;
        BN_clear_free(d);
    }
    return o->ok;
}

/* The private key as bytes: X25519's 32, P-256's big-endian 32-byte scalar. */
int qp_classic_private(const qp_classic_impl *im, void *kd, uint8_t *out, size_t len)
{
    priv_out o = {out, len, 0};

    if (!im->export(kd, OSSL_KEYMGMT_SELECT_ALL, take_private, &o) || !o.ok) {
        OPENSSL_cleanse(out, len);
        return 0;
    }
    return 1;
}

/* A copy (for KEYMGMT dup), or NULL where the provider cannot. */
void *qp_classic_dup(const qp_classic_impl *im, const void *kd, int selection)
{
    if (im->dup == NULL)
        return NULL;
    return im->dup(kd, selection);
}

/* ECDH of priv with peer into exactly len bytes: the peer's public-key check
 * that EVP_PKEY_derive_set_peer runs, then the provider's derive. */
int qp_classic_derive(const qp_classic_impl *im, void *priv, void *peer, uint8_t *out,
                      size_t len)
{
    void *ctx = NULL;
    size_t got = 0;
    int ok = 0;

    if (im->validate != NULL &&
        !im->validate(peer, OSSL_KEYMGMT_SELECT_PUBLIC_KEY, OSSL_KEYMGMT_VALIDATE_FULL_CHECK))
        goto out;
    ctx = im->kx_newctx(im->provctx);
    if (ctx == NULL || !im->kx_init(ctx, priv, NULL) || !im->kx_set_peer(ctx, peer) ||
        !im->kx_derive(ctx, out, &got, len) || got != len)
        goto out;
    ok = 1;
out:
    if (ctx != NULL)
        im->kx_freectx(ctx);
    if (!ok)
        OPENSSL_cleanse(out, len);
    return ok;
}
