/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpmx.c — TPM2_EncryptDecrypt2 for the wallet, marshalled here and sent
 * through libqtss's qtpm_tss_execute (which adds the authorization area, the
 * session HMACs and the response checks), and the PolicyNV and
 * PolicyCounterTimer digests computed in software (Part 3 §23.9.1, §23.10.1).
 * The commands themselves are libqtss's qtpm_tss_PolicyNV and
 * qtpm_tss_PolicyCounterTimer.
 */
#include <string.h>

#include <openssl/evp.h>

#include "qtpm/marshal.h"
#include "qtpm/tpm2_types.h"
#include "tpmx.h"

static int sha256_parts(const uint8_t *const *parts, const size_t *lens, size_t n, uint8_t out[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int ol = 0;
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < n; i++)
        ok = EVP_DigestUpdate(c, parts[i], lens[i]);
    ok = ok && EVP_DigestFinal_ex(c, out, &ol) && ol == 32;
    EVP_MD_CTX_free(c);
    return ok ? QTPM_OK : QTPM_E_PARAM;
}

int wallet_policy_nv(TPM2B_DIGEST *digest, const TPM2B_DIGEST *operand_b, UINT16 offset,
                     TPM_EO operation, const TPM2B_NAME *nv_name)
{
    uint8_t tail[4] = { (uint8_t)(offset >> 8), (uint8_t)offset, (uint8_t)(operation >> 8),
                        (uint8_t)operation };
    uint8_t args[32];
    uint8_t cc[4] = { (uint8_t)(TPM_CC_PolicyNV >> 24), (uint8_t)(TPM_CC_PolicyNV >> 16),
                      (uint8_t)(TPM_CC_PolicyNV >> 8), (uint8_t)TPM_CC_PolicyNV };
    if (digest->size != 32)
        return QTPM_E_PARAM;
    const uint8_t *a[2] = { operand_b->buffer, tail };
    size_t al[2] = { operand_b->size, 4 };
    int rc = sha256_parts(a, al, 2, args);
    if (rc)
        return rc;
    const uint8_t *b[4] = { digest->buffer, cc, args, nv_name->buffer };
    size_t bl[4] = { 32, 4, 32, nv_name->size };
    return sha256_parts(b, bl, 4, digest->buffer);
}

/* Part 3 §23.10.1: like PolicyNV's, without a Name (the operand is
 * compared with the TPM's TPMS_TIME_INFO, not an index). */
int wallet_policy_counter_timer(TPM2B_DIGEST *digest, const TPM2B_DIGEST *operand_b,
                                UINT16 offset, TPM_EO operation)
{
    uint8_t tail[4] = { (uint8_t)(offset >> 8), (uint8_t)offset, (uint8_t)(operation >> 8),
                        (uint8_t)operation };
    uint8_t args[32];
    uint8_t cc[4] = { (uint8_t)(TPM_CC_PolicyCounterTimer >> 24),
                      (uint8_t)(TPM_CC_PolicyCounterTimer >> 16),
                      (uint8_t)(TPM_CC_PolicyCounterTimer >> 8), (uint8_t)TPM_CC_PolicyCounterTimer };
    if (digest->size != 32)
        return QTPM_E_PARAM;
    const uint8_t *a[2] = { operand_b->buffer, tail };
    size_t al[2] = { operand_b->size, 4 };
    int rc = sha256_parts(a, al, 2, args);
    if (rc)
        return rc;
    const uint8_t *b[3] = { digest->buffer, cc, args };
    size_t bl[3] = { 32, 4, 32 };
    return sha256_parts(b, bl, 3, digest->buffer);
}

int wallet_EncryptDecrypt2(qtpm_tss *t, const qtpm_tss_auths *auths, TPM_HANDLE key,
                           const TPM2B_MAX_BUFFER *in, TPMI_YES_NO decrypt, TPM_ALG_ID mode,
                           const TPM2B_IV *iv_in, TPM2B_MAX_BUFFER *out, TPM2B_IV *iv_out)
{
    uint8_t p[sizeof(TPM2B_MAX_BUFFER) + sizeof(TPM2B_IV) + 8];
    size_t o = 0;
    TPM_RC m = qtpm_TPM2B_MAX_BUFFER_marshal(in, p, sizeof p, &o);
    m |= qtpm_UINT8_marshal(&decrypt, p, sizeof p, &o);
    m |= qtpm_UINT16_marshal(&mode, p, sizeof p, &o);
    m |= qtpm_TPM2B_IV_marshal(iv_in, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    qtpm_tss_command c = { .cc = TPM_CC_EncryptDecrypt2, .n_handles = 1, .handles = { key },
                           .n_auth = 1, .auths = auths, .params = p, .params_len = o };
    qtpm_tss_response r;
    int rc = qtpm_tss_execute(t, &c, &r);
    if (rc)
        return rc;
    o = 0;
    if (qtpm_TPM2B_MAX_BUFFER_unmarshal(out, r.params, r.params_len, &o) ||
        qtpm_TPM2B_IV_unmarshal(iv_out, r.params, r.params_len, &o) || o != r.params_len)
        return QTPM_E_PARAM;
    return QTPM_OK;
}
