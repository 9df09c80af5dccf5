/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cipher.c — AES through OpenSSL's EVP ciphers in the modes a TPM uses: CFB
 * (parameter encryption and symmetric storage keys, Part 1 §21.3 and §22),
 * CTR, OFB, CBC and ECB for TPM2_EncryptDecrypt, a single-block permutation,
 * and GCM for callers above the TPM (sealed tokens, transport).
 */
#include <string.h>

#include <openssl/evp.h>

#include "qtpm/classic.h"
#include "qtpm/common.h"

static const EVP_CIPHER *aes_cipher(qtpm_sym_mode mode, size_t key_len)
{
    int k = key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
    if (k < 0)
        return NULL;
    switch (mode) {
    case QTPM_SYM_CFB:
        return k == 0 ? EVP_aes_128_cfb128() : k == 1 ? EVP_aes_192_cfb128() : EVP_aes_256_cfb128();
    case QTPM_SYM_CTR:
        return k == 0 ? EVP_aes_128_ctr() : k == 1 ? EVP_aes_192_ctr() : EVP_aes_256_ctr();
    case QTPM_SYM_OFB:
        return k == 0 ? EVP_aes_128_ofb() : k == 1 ? EVP_aes_192_ofb() : EVP_aes_256_ofb();
    case QTPM_SYM_CBC:
        return k == 0 ? EVP_aes_128_cbc() : k == 1 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
    case QTPM_SYM_ECB:
        return k == 0 ? EVP_aes_128_ecb() : k == 1 ? EVP_aes_192_ecb() : EVP_aes_256_ecb();
    default:
        return NULL;
    }
}

/* One pass of a non-AEAD mode. The updated IV is read back from the context
 * (EVP_CIPHER_CTX_get_updated_iv): OpenSSL keeps exactly the chaining value
 * the TPM reference returns as ivOut — the feedback register for CFB/OFB, the
 * next counter for CTR, the last ciphertext block for CBC. */
static int aes_crypt(int enc, qtpm_sym_mode mode, const uint8_t *key, size_t key_len,
                     uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len)
{
    const EVP_CIPHER *cipher = aes_cipher(mode, key_len);
    EVP_CIPHER_CTX *ctx;
    int outl = 0, rc = QTPM_E_CRYPTO;

    if (cipher == NULL)
        return QTPM_E_PARAM;
    if ((mode == QTPM_SYM_CBC || mode == QTPM_SYM_ECB) && len % QTPM_AES_BLOCK != 0)
        return QTPM_E_LENGTH;
    if (mode != QTPM_SYM_ECB && iv == NULL)
        return QTPM_E_PARAM;
    if (len > (size_t)INT32_MAX)
        return QTPM_E_LENGTH;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return QTPM_E_NOMEM;
    if (EVP_CipherInit_ex(ctx, cipher, NULL, key, mode == QTPM_SYM_ECB ? NULL : iv, enc) != 1)
        goto done;
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    if (len > 0 && EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1)
        goto done;
    if ((size_t)outl != len)
        goto done;
    if (mode != QTPM_SYM_ECB &&
        EVP_CIPHER_CTX_get_updated_iv(ctx, iv, QTPM_AES_BLOCK) != 1)
        goto done;
    rc = QTPM_OK;
done:
    EVP_CIPHER_CTX_free(ctx); /* cleanses the key schedule */
    return rc;
}

int qtpm_aes_encrypt(qtpm_sym_mode mode, const uint8_t *key, size_t key_len,
                     uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len)
{
    return aes_crypt(1, mode, key, key_len, iv, in, out, len);
}

int qtpm_aes_decrypt(qtpm_sym_mode mode, const uint8_t *key, size_t key_len,
                     uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len)
{
    return aes_crypt(0, mode, key, key_len, iv, in, out, len);
}

int qtpm_aes_block_encrypt(const uint8_t *key, size_t key_len,
                           const uint8_t in[16], uint8_t out[16])
{
    return aes_crypt(1, QTPM_SYM_ECB, key, key_len, NULL, in, out, QTPM_AES_BLOCK);
}

int qtpm_aes_block_decrypt(const uint8_t *key, size_t key_len,
                           const uint8_t in[16], uint8_t out[16])
{
    return aes_crypt(0, QTPM_SYM_ECB, key, key_len, NULL, in, out, QTPM_AES_BLOCK);
}

/* ---------------------------------------------------------------------- GCM */

static const EVP_CIPHER *gcm_cipher(size_t key_len)
{
    switch (key_len) {
    case 16: return EVP_aes_128_gcm();
    case 24: return EVP_aes_192_gcm();
    case 32: return EVP_aes_256_gcm();
    default: return NULL;
    }
}

/* SP 800-38D §5.2.1.2 allows tags of 128, 120, 112, 104 and 96 bits, and 64
 * or 32 bits for special uses. */
static int gcm_tag_len_ok(size_t tag_len)
{
    return tag_len == 4 || tag_len == 8 || (tag_len >= 12 && tag_len <= 16);
}

static int gcm_setup(EVP_CIPHER_CTX *ctx, int enc, const uint8_t *key, size_t key_len,
                     const uint8_t *iv, size_t iv_len, const uint8_t *aad, size_t aad_len)
{
    int outl = 0;
    if (EVP_CipherInit_ex(ctx, gcm_cipher(key_len), NULL, NULL, NULL, enc) != 1)
        return 0;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, (int)iv_len, NULL) != 1)
        return 0;
    if (EVP_CipherInit_ex(ctx, NULL, NULL, key, iv, enc) != 1)
        return 0;
    if (aad_len > 0 && EVP_CipherUpdate(ctx, NULL, &outl, aad, (int)aad_len) != 1)
        return 0;
    return 1;
}

static int gcm_args_ok(size_t key_len, size_t iv_len, size_t aad_len, size_t len,
                       size_t tag_len)
{
    return gcm_cipher(key_len) != NULL && iv_len > 0 && iv_len <= 1024 &&
           aad_len <= (size_t)INT32_MAX && len <= (size_t)INT32_MAX && gcm_tag_len_ok(tag_len);
}

int qtpm_aes_gcm_encrypt(const uint8_t *key, size_t key_len,
                         const uint8_t *iv, size_t iv_len,
                         const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, uint8_t *out, size_t len,
                         uint8_t *tag, size_t tag_len)
{
    EVP_CIPHER_CTX *ctx;
    uint8_t fin[QTPM_AES_BLOCK]; /* GCM's final step emits nothing */
    int outl = 0, rc = QTPM_E_CRYPTO;

    if (!gcm_args_ok(key_len, iv_len, aad_len, len, tag_len))
        return QTPM_E_PARAM;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return QTPM_E_NOMEM;
    if (!gcm_setup(ctx, 1, key, key_len, iv, iv_len, aad, aad_len))
        goto done;
    if (len > 0 && (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 || (size_t)outl != len))
        goto done;
    if (EVP_CipherFinal_ex(ctx, fin, &outl) != 1)
        goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)tag_len, tag) != 1)
        goto done;
    rc = QTPM_OK;
done:
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

int qtpm_aes_gcm_decrypt(const uint8_t *key, size_t key_len,
                         const uint8_t *iv, size_t iv_len,
                         const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, uint8_t *out, size_t len,
                         const uint8_t *tag, size_t tag_len)
{
    EVP_CIPHER_CTX *ctx;
    uint8_t tagbuf[16], fin[QTPM_AES_BLOCK];
    int outl = 0, rc = QTPM_E_CRYPTO;

    if (!gcm_args_ok(key_len, iv_len, aad_len, len, tag_len))
        return QTPM_E_PARAM;
    ctx = EVP_CIPHER_CTX_new();
    if (ctx == NULL)
        return QTPM_E_NOMEM;
    memcpy(tagbuf, tag, tag_len); /* the ctrl takes a non-const pointer */
    if (!gcm_setup(ctx, 0, key, key_len, iv, iv_len, aad, aad_len))
        goto done;
    if (len > 0 && (EVP_CipherUpdate(ctx, out, &outl, in, (int)len) != 1 || (size_t)outl != len))
        goto done;
    if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, (int)tag_len, tagbuf) != 1)
        goto done;
    /* The final step compares the tag (in constant time inside OpenSSL). */
    if (EVP_CipherFinal_ex(ctx, fin, &outl) != 1) {
        rc = QTPM_E_VERIFY;
        goto done;
    }
    rc = QTPM_OK;
done:
    if (rc != QTPM_OK && len > 0)
        qtpm_memzero(out, len); /* never hand out unauthenticated plaintext */
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}
