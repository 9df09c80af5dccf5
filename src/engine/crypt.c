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

#include "qtpm/rand.h"

static const struct {
    TPM_ALG_ID tpm;
    qtpm_hash_alg alg;
} hash_map[] = {
    {TPM_ALG_SHA1, QTPM_HASH_SHA1},
    {TPM_ALG_SHA256, QTPM_HASH_SHA256},
    {TPM_ALG_SHA384, QTPM_HASH_SHA384},
    {TPM_ALG_SHA512, QTPM_HASH_SHA512},
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

/* KDFa (Part 1 §11.4.10.2, SP 800-108 counter mode with HMAC):
 *   K(i) = HMAC(key, [i]32 || label || 0x00 || contextU || contextV || [bits]32)
 * concatenated until bits are produced; surplus high-order bits of the first
 * byte are cleared when bits is not a multiple of 8. The label's terminating
 * zero is added here (labels are passed without it). */
int crypt_kdfa(TPM_ALG_ID alg, const uint8_t *key, size_t key_len, const char *label,
               const uint8_t *ctx_u, size_t u_len, const uint8_t *ctx_v, size_t v_len,
               uint32_t bits, uint8_t *out)
{
    size_t hlen = crypt_hash_size(alg);
    size_t need = (bits + 7) / 8;
    if (hlen == 0 || bits == 0)
        return QTPM_E_PARAM;
    uint8_t block[MAX_DIGEST], ctr[4], nbits[4];
    wr_put_u32(nbits, bits);
    size_t done = 0;
    for (uint32_t i = 1; done < need; i++) {
        wr_put_u32(ctr, i);
        crypt_part parts[] = {{ctr, 4},
                              {(const uint8_t *)label, strlen(label) + 1},
                              {ctx_u, u_len},
                              {ctx_v, v_len},
                              {nbits, 4}};
        int rc = crypt_hmac_parts(alg, key, key_len, block, parts, 5);
        if (rc)
            return rc;
        size_t take = need - done < hlen ? need - done : hlen;
        memcpy(out + done, block, take);
        done += take;
    }
    if (bits % 8)
        out[0] &= (uint8_t)((1u << (bits % 8)) - 1);
    qtpm_memzero(block, sizeof(block));
    return QTPM_OK;
}
