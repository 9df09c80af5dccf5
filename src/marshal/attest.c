/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attest.c — PCR selections, tickets, clock and time, the attestation
 * structure TPMS_ATTEST with every TPMU_ATTEST member, and creation data
 * (Part 2 §10.5, §10.6, §10.11, §10.12, §15).
 *
 * These are what TPM2_Quote, Certify, CertifyCreation, GetTime,
 * GetSessionAuditDigest, GetCommandAuditDigest and NV_Certify sign, so the
 * TSS's verifier and the engine's signer must produce the same bytes.
 */
#include "marshal_internal.h"

/* ---- §10.5 PCR selection ------------------------------------------------ */

/* sizeofSelect beyond PCR_SELECT_MAX would overflow pcrSelect[]: it is
 * rejected with TPM_RC_PCR before any select byte is read. */
static TPM_RC pcr_select_bytes_unmarshal(UINT8 *sizeof_select, BYTE *select,
                                         const uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    UINT8 n;
    TRY(qtpm_UINT8_unmarshal(&n, buf, size, &o));
    if (n > PCR_SELECT_MAX)
        return TPM_RC_PCR;
    TRY(qtpm_BYTE_array_unmarshal(select, n, buf, size, &o));
    *sizeof_select = n;
    *offset = o;
    return TPM_RC_SUCCESS;
}

static TPM_RC pcr_select_bytes_marshal(UINT8 sizeof_select, const BYTE *select, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    if (sizeof_select > PCR_SELECT_MAX)
        return TPM_RC_PCR;
    size_t o = *offset;
    TRY(qtpm_UINT8_marshal(&sizeof_select, buf, size, &o));
    TRY(qtpm_BYTE_array_marshal(select, sizeof_select, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_PCR_SELECT_marshal(const TPMS_PCR_SELECT *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return pcr_select_bytes_marshal(src->sizeofSelect, src->pcrSelect, buf, size, offset);
}

TPM_RC qtpm_TPMS_PCR_SELECT_unmarshal(TPMS_PCR_SELECT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    return pcr_select_bytes_unmarshal(&dst->sizeofSelect, dst->pcrSelect, buf, size, offset);
}

TPM_RC qtpm_TPMS_PCR_SELECTION_marshal(const TPMS_PCR_SELECTION *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->hash, buf, size, &o));
    TRY(pcr_select_bytes_marshal(src->sizeofSelect, src->pcrSelect, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_PCR_SELECTION_unmarshal(TPMS_PCR_SELECTION *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->hash, buf, size, &o, NO));
    TRY(pcr_select_bytes_unmarshal(&dst->sizeofSelect, dst->pcrSelect, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_TAGGED_PCR_SELECT_marshal(const TPMS_TAGGED_PCR_SELECT *src, uint8_t buf[],
                                           size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT32_marshal(&src->tag, buf, size, &o));
    TRY(pcr_select_bytes_marshal(src->sizeofSelect, src->pcrSelect, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_TAGGED_PCR_SELECT_unmarshal(TPMS_TAGGED_PCR_SELECT *dst, const uint8_t buf[],
                                             size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT32_unmarshal(&dst->tag, buf, size, &o));
    TRY(pcr_select_bytes_unmarshal(&dst->sizeofSelect, dst->pcrSelect, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §10.6 tickets: a wrong tag is TPM_RC_TAG ------------------------------ */

static TPM_RC ticket_marshal(TPM_ST tag, TPMI_RH_HIERARCHY hierarchy, const TPM2B_DIGEST *digest,
                             uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_marshal(&tag, buf, size, &o));
    TRY(qtpm_UINT32_marshal(&hierarchy, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(digest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

static TPM_RC ticket_unmarshal(TPM_ST *tag, TPMI_RH_HIERARCHY *hierarchy, TPM2B_DIGEST *digest,
                               TPM_ST want1, TPM_ST want2, const uint8_t buf[], size_t size,
                               size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_unmarshal(tag, buf, size, &o));
    if (*tag != want1 && *tag != want2)
        return TPM_RC_TAG;
    TRY(qtpm_TPMI_RH_HIERARCHY_unmarshal(hierarchy, buf, size, &o, YES));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(digest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_TK_CREATION_marshal(const TPMT_TK_CREATION *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return ticket_marshal(src->tag, src->hierarchy, &src->digest, buf, size, offset);
}

TPM_RC qtpm_TPMT_TK_CREATION_unmarshal(TPMT_TK_CREATION *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    return ticket_unmarshal(&dst->tag, &dst->hierarchy, &dst->digest, TPM_ST_CREATION,
                            TPM_ST_CREATION, buf, size, offset);
}

TPM_RC qtpm_TPMT_TK_AUTH_marshal(const TPMT_TK_AUTH *src, uint8_t buf[], size_t size,
                                 size_t *offset)
{
    return ticket_marshal(src->tag, src->hierarchy, &src->digest, buf, size, offset);
}

TPM_RC qtpm_TPMT_TK_AUTH_unmarshal(TPMT_TK_AUTH *dst, const uint8_t buf[], size_t size,
                                   size_t *offset)
{
    return ticket_unmarshal(&dst->tag, &dst->hierarchy, &dst->digest, TPM_ST_AUTH_SIGNED,
                            TPM_ST_AUTH_SECRET, buf, size, offset);
}

TPM_RC qtpm_TPMT_TK_HASHCHECK_marshal(const TPMT_TK_HASHCHECK *src, uint8_t buf[], size_t size,
                                      size_t *offset)
{
    return ticket_marshal(src->tag, src->hierarchy, &src->digest, buf, size, offset);
}

TPM_RC qtpm_TPMT_TK_HASHCHECK_unmarshal(TPMT_TK_HASHCHECK *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    return ticket_unmarshal(&dst->tag, &dst->hierarchy, &dst->digest, TPM_ST_HASHCHECK,
                            TPM_ST_HASHCHECK, buf, size, offset);
}

TPM_RC qtpm_TPMU_TK_VERIFIED_META_marshal(const TPMU_TK_VERIFIED_META *src, uint8_t buf[],
                                          size_t size, size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ST_VERIFIED:
    case TPM_ST_MESSAGE_VERIFIED:
        return TPM_RC_SUCCESS;
    case TPM_ST_DIGEST_VERIFIED:
        return qtpm_UINT16_marshal(&src->digestVerified, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_TK_VERIFIED_META_unmarshal(TPMU_TK_VERIFIED_META *dst, const uint8_t buf[],
                                            size_t size, size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ST_VERIFIED:
    case TPM_ST_MESSAGE_VERIFIED:
        return TPM_RC_SUCCESS;
    case TPM_ST_DIGEST_VERIFIED:
        return qtpm_UINT16_unmarshal(&dst->digestVerified, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

/* v1.85 §10.6.5: tag, hierarchy, metadata selected by the tag, hmac. */
TPM_RC qtpm_TPMT_TK_VERIFIED_marshal(const TPMT_TK_VERIFIED *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_marshal(&src->tag, buf, size, &o));
    TRY(qtpm_UINT32_marshal(&src->hierarchy, buf, size, &o));
    TRY(qtpm_TPMU_TK_VERIFIED_META_marshal(&src->metadata, buf, size, &o, src->tag));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->hmac, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_TK_VERIFIED_unmarshal(TPMT_TK_VERIFIED *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_unmarshal(&dst->tag, buf, size, &o));
    if (dst->tag != TPM_ST_VERIFIED && dst->tag != TPM_ST_MESSAGE_VERIFIED &&
        dst->tag != TPM_ST_DIGEST_VERIFIED)
        return TPM_RC_TAG;
    TRY(qtpm_TPMI_RH_HIERARCHY_unmarshal(&dst->hierarchy, buf, size, &o, YES));
    TRY(qtpm_TPMU_TK_VERIFIED_META_unmarshal(&dst->metadata, buf, size, &o, dst->tag));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->hmac, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §10.11 clock and time --------------------------------------------- */

TPM_RC qtpm_TPMS_CLOCK_INFO_marshal(const TPMS_CLOCK_INFO *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT64_marshal(&src->clock, buf, size, &o));
    TRY(qtpm_UINT32_marshal(&src->resetCount, buf, size, &o));
    TRY(qtpm_UINT32_marshal(&src->restartCount, buf, size, &o));
    TRY(qtpm_TPMI_YES_NO_marshal(&src->safe, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CLOCK_INFO_unmarshal(TPMS_CLOCK_INFO *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT64_unmarshal(&dst->clock, buf, size, &o));
    TRY(qtpm_UINT32_unmarshal(&dst->resetCount, buf, size, &o));
    TRY(qtpm_UINT32_unmarshal(&dst->restartCount, buf, size, &o));
    TRY(qtpm_TPMI_YES_NO_unmarshal(&dst->safe, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_TIME_INFO_marshal(const TPMS_TIME_INFO *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT64_marshal(&src->time, buf, size, &o));
    TRY(qtpm_TPMS_CLOCK_INFO_marshal(&src->clockInfo, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_TIME_INFO_unmarshal(TPMS_TIME_INFO *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT64_unmarshal(&dst->time, buf, size, &o));
    TRY(qtpm_TPMS_CLOCK_INFO_unmarshal(&dst->clockInfo, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §10.12 attestation information -------------------------------------- */

TPM_RC qtpm_TPMS_TIME_ATTEST_INFO_marshal(const TPMS_TIME_ATTEST_INFO *src, uint8_t buf[],
                                          size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMS_TIME_INFO_marshal(&src->time, buf, size, &o));
    TRY(qtpm_UINT64_marshal(&src->firmwareVersion, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_TIME_ATTEST_INFO_unmarshal(TPMS_TIME_ATTEST_INFO *dst, const uint8_t buf[],
                                            size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMS_TIME_INFO_unmarshal(&dst->time, buf, size, &o));
    TRY(qtpm_UINT64_unmarshal(&dst->firmwareVersion, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CERTIFY_INFO_marshal(const TPMS_CERTIFY_INFO *src, uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_NAME_marshal(&src->name, buf, size, &o));
    TRY(qtpm_TPM2B_NAME_marshal(&src->qualifiedName, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CERTIFY_INFO_unmarshal(TPMS_CERTIFY_INFO *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_NAME_unmarshal(&dst->name, buf, size, &o));
    TRY(qtpm_TPM2B_NAME_unmarshal(&dst->qualifiedName, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_QUOTE_INFO_marshal(const TPMS_QUOTE_INFO *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPML_PCR_SELECTION_marshal(&src->pcrSelect, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->pcrDigest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_QUOTE_INFO_unmarshal(TPMS_QUOTE_INFO *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPML_PCR_SELECTION_unmarshal(&dst->pcrSelect, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->pcrDigest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_COMMAND_AUDIT_INFO_marshal(const TPMS_COMMAND_AUDIT_INFO *src, uint8_t buf[],
                                            size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT64_marshal(&src->auditCounter, buf, size, &o));
    TRY(qtpm_UINT16_marshal(&src->digestAlg, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->auditDigest, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->commandDigest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_COMMAND_AUDIT_INFO_unmarshal(TPMS_COMMAND_AUDIT_INFO *dst, const uint8_t buf[],
                                              size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT64_unmarshal(&dst->auditCounter, buf, size, &o));
    TRY(qtpm_UINT16_unmarshal(&dst->digestAlg, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->auditDigest, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->commandDigest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SESSION_AUDIT_INFO_marshal(const TPMS_SESSION_AUDIT_INFO *src, uint8_t buf[],
                                            size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_YES_NO_marshal(&src->exclusiveSession, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->sessionDigest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SESSION_AUDIT_INFO_unmarshal(TPMS_SESSION_AUDIT_INFO *dst, const uint8_t buf[],
                                              size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_YES_NO_unmarshal(&dst->exclusiveSession, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->sessionDigest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CREATION_INFO_marshal(const TPMS_CREATION_INFO *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_NAME_marshal(&src->objectName, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->creationHash, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CREATION_INFO_unmarshal(TPMS_CREATION_INFO *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_NAME_unmarshal(&dst->objectName, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->creationHash, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_NV_CERTIFY_INFO_marshal(const TPMS_NV_CERTIFY_INFO *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_NAME_marshal(&src->indexName, buf, size, &o));
    TRY(qtpm_UINT16_marshal(&src->offset, buf, size, &o));
    TRY(qtpm_TPM2B_MAX_NV_BUFFER_marshal(&src->nvContents, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_NV_CERTIFY_INFO_unmarshal(TPMS_NV_CERTIFY_INFO *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_NAME_unmarshal(&dst->indexName, buf, size, &o));
    TRY(qtpm_UINT16_unmarshal(&dst->offset, buf, size, &o));
    TRY(qtpm_TPM2B_MAX_NV_BUFFER_unmarshal(&dst->nvContents, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_NV_DIGEST_CERTIFY_INFO_marshal(const TPMS_NV_DIGEST_CERTIFY_INFO *src,
                                                uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_NAME_marshal(&src->indexName, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->nvDigest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_NV_DIGEST_CERTIFY_INFO_unmarshal(TPMS_NV_DIGEST_CERTIFY_INFO *dst,
                                                  const uint8_t buf[], size_t size,
                                                  size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_NAME_unmarshal(&dst->indexName, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->nvDigest, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMU_ATTEST_marshal(const TPMU_ATTEST *src, uint8_t buf[], size_t size,
                                size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ST_ATTEST_CERTIFY:
        return qtpm_TPMS_CERTIFY_INFO_marshal(&src->certify, buf, size, offset);
    case TPM_ST_ATTEST_CREATION:
        return qtpm_TPMS_CREATION_INFO_marshal(&src->creation, buf, size, offset);
    case TPM_ST_ATTEST_QUOTE:
        return qtpm_TPMS_QUOTE_INFO_marshal(&src->quote, buf, size, offset);
    case TPM_ST_ATTEST_COMMAND_AUDIT:
        return qtpm_TPMS_COMMAND_AUDIT_INFO_marshal(&src->commandAudit, buf, size, offset);
    case TPM_ST_ATTEST_SESSION_AUDIT:
        return qtpm_TPMS_SESSION_AUDIT_INFO_marshal(&src->sessionAudit, buf, size, offset);
    case TPM_ST_ATTEST_TIME:
        return qtpm_TPMS_TIME_ATTEST_INFO_marshal(&src->time, buf, size, offset);
    case TPM_ST_ATTEST_NV:
        return qtpm_TPMS_NV_CERTIFY_INFO_marshal(&src->nv, buf, size, offset);
    case TPM_ST_ATTEST_NV_DIGEST:
        return qtpm_TPMS_NV_DIGEST_CERTIFY_INFO_marshal(&src->nvDigest, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_ATTEST_unmarshal(TPMU_ATTEST *dst, const uint8_t buf[], size_t size,
                                  size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ST_ATTEST_CERTIFY:
        return qtpm_TPMS_CERTIFY_INFO_unmarshal(&dst->certify, buf, size, offset);
    case TPM_ST_ATTEST_CREATION:
        return qtpm_TPMS_CREATION_INFO_unmarshal(&dst->creation, buf, size, offset);
    case TPM_ST_ATTEST_QUOTE:
        return qtpm_TPMS_QUOTE_INFO_unmarshal(&dst->quote, buf, size, offset);
    case TPM_ST_ATTEST_COMMAND_AUDIT:
        return qtpm_TPMS_COMMAND_AUDIT_INFO_unmarshal(&dst->commandAudit, buf, size, offset);
    case TPM_ST_ATTEST_SESSION_AUDIT:
        return qtpm_TPMS_SESSION_AUDIT_INFO_unmarshal(&dst->sessionAudit, buf, size, offset);
    case TPM_ST_ATTEST_TIME:
        return qtpm_TPMS_TIME_ATTEST_INFO_unmarshal(&dst->time, buf, size, offset);
    case TPM_ST_ATTEST_NV:
        return qtpm_TPMS_NV_CERTIFY_INFO_unmarshal(&dst->nv, buf, size, offset);
    case TPM_ST_ATTEST_NV_DIGEST:
        return qtpm_TPMS_NV_DIGEST_CERTIFY_INFO_unmarshal(&dst->nvDigest, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMS_ATTEST_marshal(const TPMS_ATTEST *src, uint8_t buf[], size_t size,
                                size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM_GENERATED_marshal(&src->magic, buf, size, &o));
    TRY(qtpm_TPMI_ST_ATTEST_marshal(&src->type, buf, size, &o));
    TRY(qtpm_TPM2B_NAME_marshal(&src->qualifiedSigner, buf, size, &o));
    TRY(qtpm_TPM2B_DATA_marshal(&src->extraData, buf, size, &o));
    TRY(qtpm_TPMS_CLOCK_INFO_marshal(&src->clockInfo, buf, size, &o));
    TRY(qtpm_UINT64_marshal(&src->firmwareVersion, buf, size, &o));
    TRY(qtpm_TPMU_ATTEST_marshal(&src->attested, buf, size, &o, src->type));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ATTEST_unmarshal(TPMS_ATTEST *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM_GENERATED_unmarshal(&dst->magic, buf, size, &o));
    TRY(qtpm_TPMI_ST_ATTEST_unmarshal(&dst->type, buf, size, &o));
    TRY(qtpm_TPM2B_NAME_unmarshal(&dst->qualifiedSigner, buf, size, &o));
    TRY(qtpm_TPM2B_DATA_unmarshal(&dst->extraData, buf, size, &o));
    TRY(qtpm_TPMS_CLOCK_INFO_unmarshal(&dst->clockInfo, buf, size, &o));
    TRY(qtpm_UINT64_unmarshal(&dst->firmwareVersion, buf, size, &o));
    TRY(qtpm_TPMU_ATTEST_unmarshal(&dst->attested, buf, size, &o, dst->type));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §15 creation data --------------------------------------------------- */

TPM_RC qtpm_TPMS_CREATION_DATA_marshal(const TPMS_CREATION_DATA *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPML_PCR_SELECTION_marshal(&src->pcrSelect, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->pcrDigest, buf, size, &o));
    TRY(qtpm_TPMA_LOCALITY_marshal(&src->locality, buf, size, &o));
    TRY(qtpm_UINT16_marshal(&src->parentNameAlg, buf, size, &o));
    TRY(qtpm_TPM2B_NAME_marshal(&src->parentName, buf, size, &o));
    TRY(qtpm_TPM2B_NAME_marshal(&src->parentQualifiedName, buf, size, &o));
    TRY(qtpm_TPM2B_DATA_marshal(&src->outsideInfo, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CREATION_DATA_unmarshal(TPMS_CREATION_DATA *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPML_PCR_SELECTION_unmarshal(&dst->pcrSelect, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->pcrDigest, buf, size, &o));
    TRY(qtpm_TPMA_LOCALITY_unmarshal(&dst->locality, buf, size, &o));
    TRY(qtpm_UINT16_unmarshal(&dst->parentNameAlg, buf, size, &o));
    TRY(qtpm_TPM2B_NAME_unmarshal(&dst->parentName, buf, size, &o));
    TRY(qtpm_TPM2B_NAME_unmarshal(&dst->parentQualifiedName, buf, size, &o));
    TRY(qtpm_TPM2B_DATA_unmarshal(&dst->outsideInfo, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_CREATION_DATA_marshal(const TPM2B_CREATION_DATA *src, uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset, at;
    TRY(qtpm_m_sized_begin(buf, size, &o, &at));
    TRY(qtpm_TPMS_CREATION_DATA_marshal(&src->creationData, buf, size, &o));
    TRY(qtpm_m_sized_end(buf, at, o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_CREATION_DATA_unmarshal(TPM2B_CREATION_DATA *dst, const uint8_t buf[],
                                          size_t size, size_t *offset)
{
    size_t o = *offset, end;
    TRY(qtpm_m_sized_open(buf, size, &o, &end));
    TPM_RC inner = qtpm_TPMS_CREATION_DATA_unmarshal(&dst->creationData, buf, end, &o);
    TRY(qtpm_m_sized_close(inner, o, end));
    dst->size = (UINT16)(end - *offset - 2);
    *offset = o;
    return TPM_RC_SUCCESS;
}
