/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kdf.c — TPM 2.0 KDFa and KDFe (Part 1 §11.4.10) on top of hash.c, and the
 * XOR parameter obfuscation that is KDFa applied as a key stream.
 *
 * Both KDFs produce the output one hash-sized block at a time; a block is
 * built by a function of the counter i so that KDFa can be used either to
 * fill a buffer or, block by block, as a mask without a second buffer.
 */
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/kdf.h"

static void put_u32be(uint8_t b[4], uint32_t v)
{
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
}

/* Part 1 §11.4.10: the label is followed by a 0x00 octet unless it already
 * ends with one (which is how the reference implementation treats labels that
 * carry their C terminator); an empty label contributes just the 0x00. */
static int label_needs_zero(const uint8_t *label, size_t label_len)
{
    return label_len == 0 || label[label_len - 1] != 0;
}

typedef struct {
    qtpm_hash_alg hash;
    const uint8_t *secret;
    size_t secret_len;
    const uint8_t *label;
    size_t label_len;
    const uint8_t *u;
    size_t u_len;
    const uint8_t *v;
    size_t v_len;
    uint32_t bits;
} kdf_args;

static const uint8_t zero_octet[1] = {0};

/* K(i) of KDFa: HMAC(key, [i]_32 || Label || 00 || Context-U || Context-V || [L]_32). */
static int kdfa_block(const kdf_args *a, uint32_t i, uint8_t *block)
{
    qtpm_hmac_ctx c;
    uint8_t ctr[4], len[4];
    int rc;

    put_u32be(ctr, i);
    put_u32be(len, a->bits);
    rc = qtpm_hmac_init(&c, a->hash, a->secret, a->secret_len);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hmac_update(&c, ctr, 4);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&c, a->label, a->label_len);
    if (rc == QTPM_OK && label_needs_zero(a->label, a->label_len))
        rc = qtpm_hmac_update(&c, zero_octet, 1);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&c, a->u, a->u_len);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&c, a->v, a->v_len);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&c, len, 4);
    if (rc == QTPM_OK)
        return qtpm_hmac_final(&c, block);
    qtpm_hmac_free(&c);
    return rc;
}

/* K(i) of KDFe: H([i]_32 || Z || Label || 00 || PartyUInfo || PartyVInfo). */
static int kdfe_block(const kdf_args *a, uint32_t i, uint8_t *block)
{
    qtpm_hash_ctx c;
    uint8_t ctr[4];
    int rc;

    put_u32be(ctr, i);
    rc = qtpm_hash_init(&c, a->hash);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hash_update(&c, ctr, 4);
    if (rc == QTPM_OK)
        rc = qtpm_hash_update(&c, a->secret, a->secret_len);
    if (rc == QTPM_OK)
        rc = qtpm_hash_update(&c, a->label, a->label_len);
    if (rc == QTPM_OK && label_needs_zero(a->label, a->label_len))
        rc = qtpm_hash_update(&c, zero_octet, 1);
    if (rc == QTPM_OK)
        rc = qtpm_hash_update(&c, a->u, a->u_len);
    if (rc == QTPM_OK)
        rc = qtpm_hash_update(&c, a->v, a->v_len);
    if (rc == QTPM_OK)
        return qtpm_hash_final(&c, block);
    qtpm_hash_free(&c);
    return rc;
}

typedef int (*kdf_block_fn)(const kdf_args *a, uint32_t i, uint8_t *block);

/* Concatenates K(1), K(2), ... into out, (bits+7)/8 bytes. When xor is set
 * out is XORed with the stream instead of overwritten. */
static int kdf_run(const kdf_args *a, kdf_block_fn block_fn, uint8_t *out, int xor)
{
    size_t hlen = qtpm_hash_size(a->hash);
    size_t total = ((size_t)a->bits + 7) / 8;
    uint8_t block[QTPM_HASH_MAX_SIZE];
    int rc = QTPM_OK;

    if (hlen == 0)
        return QTPM_E_PARAM;
    if (a->bits == 0)
        return QTPM_E_LENGTH;
    for (size_t done = 0, i = 1; done < total; i++) {
        size_t n = total - done < hlen ? total - done : hlen;
        rc = block_fn(a, (uint32_t)i, block);
        if (rc != QTPM_OK)
            break;
        if (xor) {
            for (size_t j = 0; j < n; j++)
                out[done + j] ^= block[j];
        } else {
            memcpy(out + done, block, n);
        }
        done += n;
    }
    qtpm_memzero(block, sizeof(block));
    if (rc != QTPM_OK) {
        if (!xor)
            qtpm_memzero(out, total);
        return rc;
    }
    /* Part 1 §11.4.10.2: a bit count that is not a whole number of octets
     * keeps the low-order bits; the excess high bits of the first octet go. */
    if (!xor && a->bits % 8 != 0)
        out[0] &= (uint8_t)((1u << (a->bits % 8)) - 1);
    return QTPM_OK;
}

int qtpm_kdfa(qtpm_hash_alg hash, const uint8_t *key, size_t key_len,
              const uint8_t *label, size_t label_len,
              const uint8_t *context_u, size_t context_u_len,
              const uint8_t *context_v, size_t context_v_len,
              uint32_t bits, uint8_t *out)
{
    kdf_args a = {hash, key, key_len, label, label_len, context_u, context_u_len,
                  context_v, context_v_len, bits};
    return kdf_run(&a, kdfa_block, out, 0);
}

int qtpm_kdfe(qtpm_hash_alg hash, const uint8_t *z, size_t z_len,
              const uint8_t *label, size_t label_len,
              const uint8_t *party_u, size_t party_u_len,
              const uint8_t *party_v, size_t party_v_len,
              uint32_t bits, uint8_t *out)
{
    kdf_args a = {hash, z, z_len, label, label_len, party_u, party_u_len,
                  party_v, party_v_len, bits};
    return kdf_run(&a, kdfe_block, out, 0);
}

int qtpm_kdfa_xor(qtpm_hash_alg hash, const uint8_t *key, size_t key_len,
                  const uint8_t *context_u, size_t context_u_len,
                  const uint8_t *context_v, size_t context_v_len,
                  uint8_t *data, size_t len)
{
    static const uint8_t xor_label[] = {'X', 'O', 'R'};
    kdf_args a = {hash, key, key_len, xor_label, sizeof(xor_label), context_u,
                  context_u_len, context_v, context_v_len, 0};
    if (len == 0)
        return QTPM_OK;
    if (len > UINT32_MAX / 8)
        return QTPM_E_LENGTH;
    a.bits = (uint32_t)(len * 8);
    return kdf_run(&a, kdfa_block, data, 1);
}
