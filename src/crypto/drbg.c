/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * drbg.c — HMAC_DRBG (SP 800-90A Rev. 1, §10.1.2) with HMAC-SHA-256 from
 * hash.c. The state (Key, V, reseed counter) is a plain struct owned by the
 * caller; rand.c keeps one per thread for the deterministic test mode.
 */
#include <string.h>

#include "qtpm/classic.h"
#include "qtpm/common.h"
#include "qtpm/drbg.h"

/* HMAC(Key, V || [sep] || a || b || c) into out; sep < 0 means none. */
static int hmac_kv(const qtpm_drbg *d, int sep, const uint8_t *a, size_t a_len,
                   const uint8_t *b, size_t b_len, const uint8_t *c, size_t c_len,
                   uint8_t out[QTPM_DRBG_OUTLEN])
{
    qtpm_hmac_ctx h;
    uint8_t s = (uint8_t)sep;
    int rc = qtpm_hmac_init(&h, QTPM_HASH_SHA256, d->key, sizeof(d->key));
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hmac_update(&h, d->v, sizeof(d->v));
    if (rc == QTPM_OK && sep >= 0)
        rc = qtpm_hmac_update(&h, &s, 1);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&h, a, a_len);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&h, b, b_len);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&h, c, c_len);
    if (rc == QTPM_OK)
        return qtpm_hmac_final(&h, out);
    qtpm_hmac_free(&h);
    return rc;
}

/* HMAC_DRBG_Update (§10.1.2.2), with provided_data = a || b || c given in
 * pieces so that callers need not concatenate secrets into a buffer:
 *   Key = HMAC(Key, V || 0x00 || data); V = HMAC(Key, V);
 *   if data is non-empty: Key = HMAC(Key, V || 0x01 || data); V = HMAC(Key, V). */
static int drbg_update(qtpm_drbg *d, const uint8_t *a, size_t a_len, const uint8_t *b,
                       size_t b_len, const uint8_t *c, size_t c_len)
{
    int rc;
    for (int round = 0; round < 2; round++) {
        rc = hmac_kv(d, round, a, a_len, b, b_len, c, c_len, d->key);
        if (rc == QTPM_OK)
            rc = hmac_kv(d, -1, NULL, 0, NULL, 0, NULL, 0, d->v);
        if (rc != QTPM_OK)
            return rc;
        if (a_len + b_len + c_len == 0)
            break;
    }
    return QTPM_OK;
}

int qtpm_drbg_instantiate(qtpm_drbg *d, const uint8_t *entropy, size_t entropy_len,
                          const uint8_t *nonce, size_t nonce_len,
                          const uint8_t *pers, size_t pers_len)
{
    int rc;
    qtpm_memzero(d, sizeof(*d));
    if (entropy_len > QTPM_DRBG_MAX_INPUT || nonce_len > QTPM_DRBG_MAX_INPUT ||
        pers_len > QTPM_DRBG_MAX_INPUT)
        return QTPM_E_LENGTH;
    /* §10.1.2.3: Key = 0x00...00, V = 0x01...01, then Update(seed_material). */
    memset(d->v, 0x01, sizeof(d->v));
    rc = drbg_update(d, entropy, entropy_len, nonce, nonce_len, pers, pers_len);
    if (rc != QTPM_OK) {
        qtpm_memzero(d, sizeof(*d));
        return rc;
    }
    d->reseed_counter = 1;
    d->instantiated = 1;
    return QTPM_OK;
}

int qtpm_drbg_reseed(qtpm_drbg *d, const uint8_t *entropy, size_t entropy_len,
                     const uint8_t *addin, size_t addin_len)
{
    int rc;
    if (!d->instantiated)
        return QTPM_E_RNG;
    if (entropy_len > QTPM_DRBG_MAX_INPUT || addin_len > QTPM_DRBG_MAX_INPUT)
        return QTPM_E_LENGTH;
    rc = drbg_update(d, entropy, entropy_len, addin, addin_len, NULL, 0);
    if (rc != QTPM_OK) {
        qtpm_drbg_uninstantiate(d);
        return rc;
    }
    d->reseed_counter = 1;
    return QTPM_OK;
}

int qtpm_drbg_generate(qtpm_drbg *d, uint8_t *out, size_t len,
                       const uint8_t *addin, size_t addin_len)
{
    int rc = QTPM_OK;
    if (!d->instantiated || d->reseed_counter > QTPM_DRBG_RESEED_INTERVAL)
        return QTPM_E_RNG;
    if (len > QTPM_DRBG_MAX_REQUEST || addin_len > QTPM_DRBG_MAX_INPUT)
        return QTPM_E_LENGTH;
    /* §10.1.2.5 steps 2-6. */
    if (addin_len > 0)
        rc = drbg_update(d, addin, addin_len, NULL, 0, NULL, 0);
    for (size_t done = 0; rc == QTPM_OK && done < len;) {
        size_t n = len - done < QTPM_DRBG_OUTLEN ? len - done : QTPM_DRBG_OUTLEN;
        rc = hmac_kv(d, -1, NULL, 0, NULL, 0, NULL, 0, d->v);
        if (rc == QTPM_OK) {
            memcpy(out + done, d->v, n);
            done += n;
        }
    }
    if (rc == QTPM_OK)
        rc = drbg_update(d, addin, addin_len, NULL, 0, NULL, 0);
    if (rc != QTPM_OK) {
        /* A failed HMAC leaves Key/V half-updated; refuse further use. */
        qtpm_drbg_uninstantiate(d);
        if (len > 0)
            qtpm_memzero(out, len);
        return rc;
    }
    d->reseed_counter++;
    return QTPM_OK;
}

void qtpm_drbg_uninstantiate(qtpm_drbg *d)
{
    qtpm_memzero(d, sizeof(*d));
}
