/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpm2b.c — the TPM2B byte buffers of Part 2 §10.3 and their relatives
 * (§11.2 key material, v1.85 ML-KEM/ML-DSA buffers).
 *
 * Each is a 2-byte size and that many bytes. Unmarshalling a size larger
 * than the type's buffer is TPM_RC_SIZE, a buffer shorter than the size is
 * TPM_RC_INSUFFICIENT (base.c). TPM2B_NONCE, TPM2B_AUTH and TPM2B_OPERAND
 * are TPM2B_DIGEST and share its functions.
 */
#include "marshal_internal.h"

TPM_RC qtpm_TPM2B_DIGEST_marshal(const TPM2B_DIGEST *src, uint8_t buf[], size_t size,
                                 size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_DIGEST_unmarshal(TPM2B_DIGEST *dst, const uint8_t buf[], size_t size,
                                   size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_DATA_marshal(const TPM2B_DATA *src, uint8_t buf[], size_t size,
                               size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_DATA_unmarshal(TPM2B_DATA *dst, const uint8_t buf[], size_t size,
                                 size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_EVENT_marshal(const TPM2B_EVENT *src, uint8_t buf[], size_t size,
                                size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_EVENT_unmarshal(TPM2B_EVENT *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_MAX_BUFFER_marshal(const TPM2B_MAX_BUFFER *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_MAX_BUFFER_unmarshal(TPM2B_MAX_BUFFER *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_MAX_NV_BUFFER_marshal(const TPM2B_MAX_NV_BUFFER *src, uint8_t buf[],
                                        size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_MAX_NV_BUFFER_unmarshal(TPM2B_MAX_NV_BUFFER *dst, const uint8_t buf[],
                                          size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_TIMEOUT_marshal(const TPM2B_TIMEOUT *src, uint8_t buf[], size_t size,
                                  size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_TIMEOUT_unmarshal(TPM2B_TIMEOUT *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_IV_marshal(const TPM2B_IV *src, uint8_t buf[], size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_IV_unmarshal(TPM2B_IV *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_NAME_marshal(const TPM2B_NAME *src, uint8_t buf[], size_t size,
                               size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_NAME_unmarshal(TPM2B_NAME *dst, const uint8_t buf[], size_t size,
                                 size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_SENSITIVE_DATA_marshal(const TPM2B_SENSITIVE_DATA *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_SENSITIVE_DATA_unmarshal(TPM2B_SENSITIVE_DATA *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_PUBLIC_KEY_RSA_marshal(const TPM2B_PUBLIC_KEY_RSA *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_PUBLIC_KEY_RSA_unmarshal(TPM2B_PUBLIC_KEY_RSA *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_PRIVATE_KEY_RSA_marshal(const TPM2B_PRIVATE_KEY_RSA *src, uint8_t buf[],
                                          size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_PRIVATE_KEY_RSA_unmarshal(TPM2B_PRIVATE_KEY_RSA *dst, const uint8_t buf[],
                                            size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_ECC_PARAMETER_marshal(const TPM2B_ECC_PARAMETER *src, uint8_t buf[],
                                        size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_ECC_PARAMETER_unmarshal(TPM2B_ECC_PARAMETER *dst, const uint8_t buf[],
                                          size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_ENCRYPTED_SECRET_marshal(const TPM2B_ENCRYPTED_SECRET *src, uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(TPM2B_ENCRYPTED_SECRET *dst, const uint8_t buf[],
                                             size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_ID_OBJECT_marshal(const TPM2B_ID_OBJECT *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_ID_OBJECT_unmarshal(TPM2B_ID_OBJECT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_PRIVATE_marshal(const TPM2B_PRIVATE *src, uint8_t buf[], size_t size,
                                  size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_PRIVATE_unmarshal(TPM2B_PRIVATE *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_ATTEST_marshal(const TPM2B_ATTEST *src, uint8_t buf[], size_t size,
                                 size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_ATTEST_unmarshal(TPM2B_ATTEST *dst, const uint8_t buf[], size_t size,
                                   size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_CONTEXT_DATA_marshal(const TPM2B_CONTEXT_DATA *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_CONTEXT_DATA_unmarshal(TPM2B_CONTEXT_DATA *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_CONTEXT_SENSITIVE_marshal(const TPM2B_CONTEXT_SENSITIVE *src, uint8_t buf[],
                                            size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_CONTEXT_SENSITIVE_unmarshal(TPM2B_CONTEXT_SENSITIVE *dst, const uint8_t buf[],
                                              size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_SYM_KEY_marshal(const TPM2B_SYM_KEY *src, uint8_t buf[], size_t size,
                                  size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_SYM_KEY_unmarshal(TPM2B_SYM_KEY *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_DERIVE_marshal(const TPM2B_DERIVE *src, uint8_t buf[], size_t size,
                                 size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_DERIVE_unmarshal(TPM2B_DERIVE *dst, const uint8_t buf[], size_t size,
                                   size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_TEMPLATE_marshal(const TPM2B_TEMPLATE *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_TEMPLATE_unmarshal(TPM2B_TEMPLATE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_LABEL_marshal(const TPM2B_LABEL *src, uint8_t buf[], size_t size,
                                size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_LABEL_unmarshal(TPM2B_LABEL *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_PUBLIC_KEY_MLKEM_marshal(const TPM2B_PUBLIC_KEY_MLKEM *src, uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_PUBLIC_KEY_MLKEM_unmarshal(TPM2B_PUBLIC_KEY_MLKEM *dst, const uint8_t buf[],
                                             size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_PRIVATE_KEY_MLKEM_marshal(const TPM2B_PRIVATE_KEY_MLKEM *src, uint8_t buf[],
                                            size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_PRIVATE_KEY_MLKEM_unmarshal(TPM2B_PRIVATE_KEY_MLKEM *dst, const uint8_t buf[],
                                              size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_PUBLIC_KEY_MLDSA_marshal(const TPM2B_PUBLIC_KEY_MLDSA *src, uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_PUBLIC_KEY_MLDSA_unmarshal(TPM2B_PUBLIC_KEY_MLDSA *dst, const uint8_t buf[],
                                             size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_PRIVATE_KEY_MLDSA_marshal(const TPM2B_PRIVATE_KEY_MLDSA *src, uint8_t buf[],
                                            size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_PRIVATE_KEY_MLDSA_unmarshal(TPM2B_PRIVATE_KEY_MLDSA *dst, const uint8_t buf[],
                                              size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_SIGNATURE_MLDSA_marshal(const TPM2B_SIGNATURE_MLDSA *src, uint8_t buf[],
                                          size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_SIGNATURE_MLDSA_unmarshal(TPM2B_SIGNATURE_MLDSA *dst, const uint8_t buf[],
                                            size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_SHARED_SECRET_marshal(const TPM2B_SHARED_SECRET *src, uint8_t buf[],
                                        size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_SHARED_SECRET_unmarshal(TPM2B_SHARED_SECRET *dst, const uint8_t buf[],
                                          size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_KEM_CIPHERTEXT_marshal(const TPM2B_KEM_CIPHERTEXT *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_KEM_CIPHERTEXT_unmarshal(TPM2B_KEM_CIPHERTEXT *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_SIGNATURE_CTX_marshal(const TPM2B_SIGNATURE_CTX *src, uint8_t buf[],
                                        size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_SIGNATURE_CTX_unmarshal(TPM2B_SIGNATURE_CTX *dst, const uint8_t buf[],
                                          size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_SIGNATURE_HINT_marshal(const TPM2B_SIGNATURE_HINT *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_SIGNATURE_HINT_unmarshal(TPM2B_SIGNATURE_HINT *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}

TPM_RC qtpm_TPM2B_VENDOR_LDAA_PIECE_marshal(const TPM2B_VENDOR_LDAA_PIECE *src, uint8_t buf[],
                                            size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_marshal(src->size, src->buffer, sizeof src->buffer, buf, size,
                                offset);
}

TPM_RC qtpm_TPM2B_VENDOR_LDAA_PIECE_unmarshal(TPM2B_VENDOR_LDAA_PIECE *dst, const uint8_t buf[],
                                              size_t size, size_t *offset)
{
    return qtpm_m_tpm2b_unmarshal(&dst->size, dst->buffer, sizeof dst->buffer, buf, size,
                                  offset);
}
