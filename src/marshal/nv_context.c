/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nv_context.c — NV index public areas (Part 2 §13.5-§13.6), saved
 * contexts (§14) and the per-session authorization structures of the
 * command and response session areas (§10.13).
 */
#include "marshal_internal.h"

TPM_RC qtpm_TPMS_NV_PUBLIC_marshal(const TPMS_NV_PUBLIC *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_RH_NV_INDEX_marshal(&src->nvIndex, buf, size, &o));
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->nameAlg, buf, size, &o));
    TRY(qtpm_TPMA_NV_marshal(&src->attributes, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->authPolicy, buf, size, &o));
    TRY(qtpm_UINT16_marshal(&src->dataSize, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* dataSize above MAX_NV_INDEX_SIZE is TPM_RC_SIZE (Part 2 §13.5). */
TPM_RC qtpm_TPMS_NV_PUBLIC_unmarshal(TPMS_NV_PUBLIC *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_RH_NV_INDEX_unmarshal(&dst->nvIndex, buf, size, &o));
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->nameAlg, buf, size, &o, NO));
    TRY(qtpm_TPMA_NV_unmarshal(&dst->attributes, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->authPolicy, buf, size, &o));
    TRY(qtpm_UINT16_unmarshal(&dst->dataSize, buf, size, &o));
    if (dst->dataSize > MAX_NV_INDEX_SIZE)
        return TPM_RC_SIZE;
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_NV_PUBLIC_marshal(const TPM2B_NV_PUBLIC *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset, at;
    TRY(qtpm_m_sized_begin(buf, size, &o, &at));
    TRY(qtpm_TPMS_NV_PUBLIC_marshal(&src->nvPublic, buf, size, &o));
    TRY(qtpm_m_sized_end(buf, at, o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_NV_PUBLIC_unmarshal(TPM2B_NV_PUBLIC *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset, end;
    TRY(qtpm_m_sized_open(buf, size, &o, &end));
    TPM_RC inner = qtpm_TPMS_NV_PUBLIC_unmarshal(&dst->nvPublic, buf, end, &o);
    TRY(qtpm_m_sized_close(inner, o, end));
    dst->size = (UINT16)(end - *offset - 2);
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CONTEXT_DATA_marshal(const TPMS_CONTEXT_DATA *src, uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->integrity, buf, size, &o));
    TRY(qtpm_TPM2B_CONTEXT_SENSITIVE_marshal(&src->encrypted, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CONTEXT_DATA_unmarshal(TPMS_CONTEXT_DATA *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->integrity, buf, size, &o));
    TRY(qtpm_TPM2B_CONTEXT_SENSITIVE_unmarshal(&dst->encrypted, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CONTEXT_marshal(const TPMS_CONTEXT *src, uint8_t buf[], size_t size,
                                 size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT64_marshal(&src->sequence, buf, size, &o));
    TRY(qtpm_TPMI_DH_SAVED_marshal(&src->savedHandle, buf, size, &o));
    TRY(qtpm_TPMI_RH_HIERARCHY_marshal(&src->hierarchy, buf, size, &o));
    TRY(qtpm_TPM2B_CONTEXT_DATA_marshal(&src->contextBlob, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CONTEXT_unmarshal(TPMS_CONTEXT *dst, const uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT64_unmarshal(&dst->sequence, buf, size, &o));
    TRY(qtpm_TPMI_DH_SAVED_unmarshal(&dst->savedHandle, buf, size, &o));
    TRY(qtpm_TPMI_RH_HIERARCHY_unmarshal(&dst->hierarchy, buf, size, &o, YES));
    TRY(qtpm_TPM2B_CONTEXT_DATA_unmarshal(&dst->contextBlob, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_AUTH_COMMAND_marshal(const TPMS_AUTH_COMMAND *src, uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_SH_AUTH_SESSION_marshal(&src->sessionHandle, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->nonce, buf, size, &o));
    TRY(qtpm_TPMA_SESSION_marshal(&src->sessionAttributes, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->hmac, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* The session handle may be TPM_RS_PW (a password authorization). */
TPM_RC qtpm_TPMS_AUTH_COMMAND_unmarshal(TPMS_AUTH_COMMAND *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_SH_AUTH_SESSION_unmarshal(&dst->sessionHandle, buf, size, &o, YES));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->nonce, buf, size, &o));
    TRY(qtpm_TPMA_SESSION_unmarshal(&dst->sessionAttributes, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->hmac, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_AUTH_RESPONSE_marshal(const TPMS_AUTH_RESPONSE *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->nonce, buf, size, &o));
    TRY(qtpm_TPMA_SESSION_marshal(&src->sessionAttributes, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->hmac, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_AUTH_RESPONSE_unmarshal(TPMS_AUTH_RESPONSE *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->nonce, buf, size, &o));
    TRY(qtpm_TPMA_SESSION_unmarshal(&dst->sessionAttributes, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->hmac, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}
