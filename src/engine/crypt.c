/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * crypt.c — the engine's bridge from TPM algorithm identifiers to the classic
 * crypto module (qtpm/classic.h): digest sizes, one-shot hashes and HMACs
 * named by TPM_ALG_ID, and the engine's random numbers.
 *
 * Every other engine file names algorithms by TPM_ALG_ID only; this is the
 * one place that knows the classic module's enums, so adding a hash is one
 * line in hash_map below.
 */
#include "crypt.h"

#include "qtpm/kdf.h"
#include "qtpm/rand.h"

static const struct {
    TPM_ALG_ID tpm;
    qtpm_hash_alg alg;
} hash_map[] = {
    {TPM_ALG_SHA1, QTPM_HASH_SHA1},
    {TPM_ALG_SHA256, QTPM_HASH_SHA256},
    {TPM_ALG_SHA384, QTPM_HASH_SHA384},
    {TPM_ALG_SHA512, QTPM_HASH_SHA512},
    {TPM_ALG_SHA3_256, QTPM_HASH_SHA3_256},
    {TPM_ALG_SHA3_384, QTPM_HASH_SHA3_384},
    {TPM_ALG_SHA3_512, QTPM_HASH_SHA3_512},
};

qtpm_hash_alg crypt_hash_alg(TPM_ALG_ID alg)
{
    for (size_t i = 0; i < sizeof(hash_map) / sizeof(hash_map[0]); i++)
        if (hash_map[i].tpm == alg)
            return hash_map[i].alg;
    return QTPM_HASH_NONE;
}

size_t crypt_hash_size(TPM_ALG_ID alg)
{
    qtpm_hash_alg h = crypt_hash_alg(alg);
    return h == QTPM_HASH_NONE ? 0 : qtpm_hash_size(h);
}

int crypt_hash(TPM_ALG_ID alg, const uint8_t *in, size_t len, uint8_t *out)
{
    qtpm_hash_alg h = crypt_hash_alg(alg);
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    return qtpm_hash(h, in, len, out);
}

int crypt_hash_parts(TPM_ALG_ID alg, uint8_t *out, const crypt_part *parts, size_t nparts)
{
    qtpm_hash_ctx ctx;
    qtpm_hash_alg h = crypt_hash_alg(alg);
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    int rc = qtpm_hash_init(&ctx, h);
    for (size_t i = 0; rc == QTPM_OK && i < nparts; i++)
        if (parts[i].len)
            rc = qtpm_hash_update(&ctx, parts[i].p, parts[i].len);
    if (rc == QTPM_OK)
        return qtpm_hash_final(&ctx, out);
    qtpm_hash_free(&ctx);
    return rc;
}

int crypt_hmac_parts(TPM_ALG_ID alg, const uint8_t *key, size_t key_len, uint8_t *out,
                     const crypt_part *parts, size_t nparts)
{
    qtpm_hmac_ctx ctx;
    qtpm_hash_alg h = crypt_hash_alg(alg);
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    int rc = qtpm_hmac_init(&ctx, h, key, key_len);
    for (size_t i = 0; rc == QTPM_OK && i < nparts; i++)
        if (parts[i].len)
            rc = qtpm_hmac_update(&ctx, parts[i].p, parts[i].len);
    if (rc == QTPM_OK)
        return qtpm_hmac_final(&ctx, out);
    qtpm_hmac_free(&ctx);
    return rc;
}

int crypt_random(uint8_t *out, size_t len)
{
    return qtpm_random_bytes(out, len);
}

/* KDFa (Part 1 §11.4.10.2) by the shared KDF module; labels are passed
 * without their terminating zero, which qtpm_kdfa() adds. */
int crypt_kdfa(TPM_ALG_ID alg, const uint8_t *key, size_t key_len, const char *label,
               const uint8_t *ctx_u, size_t u_len, const uint8_t *ctx_v, size_t v_len,
               uint32_t bits, uint8_t *out)
{
    qtpm_hash_alg h = crypt_hash_alg(alg);
    if (h == QTPM_HASH_NONE || bits == 0)
        return QTPM_E_PARAM;
    return qtpm_kdfa(h, key, key_len, (const uint8_t *)label, strlen(label), ctx_u, u_len, ctx_v,
                     v_len, bits, out);
}

/* The crypto curve of a TPM_ECC_CURVE (QTPM_ECC_NONE: not implemented). */
qtpm_ecc_curve crypt_ecc_curve(TPM_ECC_CURVE id)
{
    switch (id) {
    case TPM_ECC_NIST_P256: return QTPM_ECC_P256;
    case TPM_ECC_NIST_P384: return QTPM_ECC_P384;
    case TPM_ECC_BN_P256: return QTPM_ECC_BN_P256; /* ECDAA's curve: no ECDSA */
    default: return QTPM_ECC_NONE;
    }
}
