/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hash.c — hashes and HMAC for the rest of qtpm: SHA-1 and SHA-2 through
 * OpenSSL's EVP digests and EVP_MAC "HMAC", SHA-3 through our own Keccak
 * (keccak.c) with RFC 2104 HMAC built on it here.
 *
 * The TPM engine uses these for hash sequences, PCR banks, HMAC sessions and
 * object names; the KDFs (kdf.c) and the DRBG (drbg.c) sit on the HMAC.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "classic_internal.h"
#include "qtpm/common.h"

static int is_sha3(qtpm_hash_alg alg)
{
    return alg == QTPM_HASH_SHA3_256 || alg == QTPM_HASH_SHA3_384 || alg == QTPM_HASH_SHA3_512;
}

const EVP_MD *classic_evp_md(qtpm_hash_alg alg)
{
    switch (alg) {
    case QTPM_HASH_SHA1: return EVP_sha1();
    case QTPM_HASH_SHA256: return EVP_sha256();
    case QTPM_HASH_SHA384: return EVP_sha384();
    case QTPM_HASH_SHA512: return EVP_sha512();
    case QTPM_HASH_SHA3_256: return EVP_sha3_256();
    case QTPM_HASH_SHA3_384: return EVP_sha3_384();
    case QTPM_HASH_SHA3_512: return EVP_sha3_512();
    default: return NULL;
    }
}

const char *classic_md_name(qtpm_hash_alg alg)
{
    switch (alg) {
    case QTPM_HASH_SHA1: return "SHA1";
    case QTPM_HASH_SHA256: return "SHA2-256";
    case QTPM_HASH_SHA384: return "SHA2-384";
    case QTPM_HASH_SHA512: return "SHA2-512";
    case QTPM_HASH_SHA3_256: return "SHA3-256";
    case QTPM_HASH_SHA3_384: return "SHA3-384";
    case QTPM_HASH_SHA3_512: return "SHA3-512";
    default: return NULL;
    }
}

size_t qtpm_hash_size(qtpm_hash_alg alg)
{
    switch (alg) {
    case QTPM_HASH_SHA1: return 20;
    case QTPM_HASH_SHA256: return 32;
    case QTPM_HASH_SHA384: return 48;
    case QTPM_HASH_SHA512: return 64;
    case QTPM_HASH_SHA3_256: return 32;
    case QTPM_HASH_SHA3_384: return 48;
    case QTPM_HASH_SHA3_512: return 64;
    default: return 0;
    }
}

size_t qtpm_hash_block_size(qtpm_hash_alg alg)
{
    switch (alg) {
    case QTPM_HASH_SHA1: return 64;
    case QTPM_HASH_SHA256: return 64;
    case QTPM_HASH_SHA384: return 128;
    case QTPM_HASH_SHA512: return 128;
    case QTPM_HASH_SHA3_256: return QTPM_SHA3_256_RATE;
    case QTPM_HASH_SHA3_384: return QTPM_SHA3_384_RATE;
    case QTPM_HASH_SHA3_512: return QTPM_SHA3_512_RATE;
    default: return 0;
    }
}

/* FIPS 202 names SHA3-d by its digest length d in bits. */
static unsigned sha3_bits(qtpm_hash_alg alg)
{
    return (unsigned)qtpm_hash_size(alg) * 8;
}

int qtpm_hash_init(qtpm_hash_ctx *c, qtpm_hash_alg alg)
{
    memset(c, 0, sizeof(*c));
    if (qtpm_hash_size(alg) == 0)
        return QTPM_E_PARAM;
    c->alg = alg;
    if (is_sha3(alg)) {
        qtpm_sha3_init(&c->keccak, sha3_bits(alg));
        return QTPM_OK;
    }
    c->md = EVP_MD_CTX_new();
    if (c->md == NULL)
        return QTPM_E_NOMEM;
    if (EVP_DigestInit_ex(c->md, classic_evp_md(alg), NULL) != 1) {
        qtpm_hash_free(c);
        return QTPM_E_CRYPTO;
    }
    return QTPM_OK;
}

int qtpm_hash_update(qtpm_hash_ctx *c, const uint8_t *in, size_t len)
{
    if (c->alg == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    if (len == 0)
        return QTPM_OK;
    if (is_sha3(c->alg)) {
        qtpm_keccak_absorb(&c->keccak, in, len);
        return QTPM_OK;
    }
    return EVP_DigestUpdate(c->md, in, len) == 1 ? QTPM_OK : QTPM_E_CRYPTO;
}

int qtpm_hash_final(qtpm_hash_ctx *c, uint8_t *out)
{
    int rc = QTPM_OK;
    if (c->alg == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    if (is_sha3(c->alg))
        qtpm_sha3_final(&c->keccak, out);
    else if (EVP_DigestFinal_ex(c->md, out, NULL) != 1)
        rc = QTPM_E_CRYPTO;
    qtpm_hash_free(c);
    return rc;
}

int qtpm_hash_copy(qtpm_hash_ctx *dst, const qtpm_hash_ctx *src)
{
    memset(dst, 0, sizeof(*dst));
    if (src->alg == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    if (is_sha3(src->alg)) {
        *dst = *src;
        return QTPM_OK;
    }
    dst->md = EVP_MD_CTX_new();
    if (dst->md == NULL)
        return QTPM_E_NOMEM;
    if (EVP_MD_CTX_copy_ex(dst->md, src->md) != 1) {
        qtpm_hash_free(dst);
        return QTPM_E_CRYPTO;
    }
    dst->alg = src->alg;
    return QTPM_OK;
}

void qtpm_hash_free(qtpm_hash_ctx *c)
{
    /* EVP_MD_CTX_free cleanses the digest state before releasing it. */
    EVP_MD_CTX_free(c->md);
    qtpm_memzero(c, sizeof(*c));
}

int qtpm_hash(qtpm_hash_alg alg, const uint8_t *in, size_t len, uint8_t *out)
{
    qtpm_hash_ctx c;
    int rc = qtpm_hash_init(&c, alg);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hash_update(&c, in, len);
    if (rc != QTPM_OK) {
        qtpm_hash_free(&c);
        return rc;
    }
    return qtpm_hash_final(&c, out);
}

/* --------------------------------------------------------------------- HMAC */

/* RFC 2104 over a qtpm_hash_ctx: the key is hashed if longer than a block,
 * zero-padded to a block, and XORed with ipad (0x36) and opad (0x5C) to seed
 * the inner and outer hashes. Used for SHA-3, whose rate is its block. */
static int sha3_hmac_init(qtpm_hmac_ctx *c, const uint8_t *key, size_t key_len)
{
    size_t block = qtpm_hash_block_size(c->alg);
    uint8_t k[QTPM_HASH_MAX_BLOCK], pad[QTPM_HASH_MAX_BLOCK];
    int rc;

    memset(k, 0, sizeof(k));
    if (key_len > block) {
        rc = qtpm_hash(c->alg, key, key_len, k);
        if (rc != QTPM_OK)
            return rc;
    } else if (key_len > 0) {
        memcpy(k, key, key_len);
    }
    for (size_t i = 0; i < block; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x36);
    rc = qtpm_hash_init(&c->inner, c->alg);
    if (rc == QTPM_OK)
        rc = qtpm_hash_update(&c->inner, pad, block);
    for (size_t i = 0; i < block; i++)
        pad[i] = (uint8_t)(k[i] ^ 0x5C);
    if (rc == QTPM_OK)
        rc = qtpm_hash_init(&c->outer, c->alg);
    if (rc == QTPM_OK)
        rc = qtpm_hash_update(&c->outer, pad, block);
    qtpm_memzero(k, sizeof(k));
    qtpm_memzero(pad, sizeof(pad));
    return rc;
}

int qtpm_hmac_init(qtpm_hmac_ctx *c, qtpm_hash_alg alg, const uint8_t *key, size_t key_len)
{
    /* OpenSSL's HMAC treats a NULL key as "keep the previous key"; an empty
     * key (common in TPM sessions with empty authValue) needs a real pointer. */
    static const uint8_t empty_key[1] = {0};
    OSSL_PARAM params[2];
    EVP_MAC *mac;
    int rc;

    memset(c, 0, sizeof(*c));
    if (qtpm_hash_size(alg) == 0)
        return QTPM_E_PARAM;
    c->alg = alg;
    if (is_sha3(alg)) {
        rc = sha3_hmac_init(c, key, key_len);
        if (rc != QTPM_OK)
            qtpm_hmac_free(c);
        return rc;
    }
    mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) {
        qtpm_hmac_free(c);
        return QTPM_E_CRYPTO;
    }
    c->mac = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac); /* the context holds its own reference */
    if (c->mac == NULL) {
        qtpm_hmac_free(c);
        return QTPM_E_NOMEM;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
                                                 (char *)classic_md_name(alg), 0);
    params[1] = OSSL_PARAM_construct_end();
    if (EVP_MAC_init(c->mac, key_len > 0 ? key : empty_key, key_len, params) != 1) {
        qtpm_hmac_free(c);
        return QTPM_E_CRYPTO;
    }
    return QTPM_OK;
}

int qtpm_hmac_update(qtpm_hmac_ctx *c, const uint8_t *in, size_t len)
{
    if (c->alg == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    if (len == 0)
        return QTPM_OK;
    if (is_sha3(c->alg))
        return qtpm_hash_update(&c->inner, in, len);
    return EVP_MAC_update(c->mac, in, len) == 1 ? QTPM_OK : QTPM_E_CRYPTO;
}

int qtpm_hmac_final(qtpm_hmac_ctx *c, uint8_t *out)
{
    size_t n = qtpm_hash_size(c->alg), outl = 0;
    uint8_t inner[QTPM_HASH_MAX_SIZE];
    int rc = QTPM_OK;

    if (c->alg == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    if (is_sha3(c->alg)) {
        rc = qtpm_hash_final(&c->inner, inner);
        if (rc == QTPM_OK)
            rc = qtpm_hash_update(&c->outer, inner, n);
        if (rc == QTPM_OK)
            rc = qtpm_hash_final(&c->outer, out);
        qtpm_memzero(inner, sizeof(inner));
    } else if (EVP_MAC_final(c->mac, out, &outl, n) != 1 || outl != n) {
        rc = QTPM_E_CRYPTO;
    }
    qtpm_hmac_free(c);
    return rc;
}

int qtpm_hmac_copy(qtpm_hmac_ctx *dst, const qtpm_hmac_ctx *src)
{
    int rc;
    memset(dst, 0, sizeof(*dst));
    if (src->alg == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    dst->alg = src->alg;
    if (is_sha3(src->alg)) {
        rc = qtpm_hash_copy(&dst->inner, &src->inner);
        if (rc == QTPM_OK)
            rc = qtpm_hash_copy(&dst->outer, &src->outer);
        if (rc != QTPM_OK)
            qtpm_hmac_free(dst);
        return rc;
    }
    dst->mac = EVP_MAC_CTX_dup(src->mac);
    if (dst->mac == NULL) {
        qtpm_hmac_free(dst);
        return QTPM_E_NOMEM;
    }
    return QTPM_OK;
}

void qtpm_hmac_free(qtpm_hmac_ctx *c)
{
    EVP_MAC_CTX_free(c->mac);
    qtpm_hash_free(&c->inner);
    qtpm_hash_free(&c->outer);
    qtpm_memzero(c, sizeof(*c));
}

int qtpm_hmac(qtpm_hash_alg alg, const uint8_t *key, size_t key_len,
              const uint8_t *in, size_t len, uint8_t *out)
{
    qtpm_hmac_ctx c;
    int rc = qtpm_hmac_init(&c, alg, key, key_len);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hmac_update(&c, in, len);
    if (rc != QTPM_OK) {
        qtpm_hmac_free(&c);
        return rc;
    }
    return qtpm_hmac_final(&c, out);
}
