/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * lists.c — the TPML_* lists of Part 2 §10.8-§10.9 and the capability data
 * of TPM2_GetCapability (§10.10).
 *
 * A list is a UINT32 count and that many elements. A count larger than the
 * list's array is TPM_RC_SIZE on both marshal and unmarshal, checked before
 * any element is touched (Part 2 §10.9: "count ... {:MAX}").
 */
#include "marshal_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static TPM_RC count_marshal(UINT32 count, size_t max, uint8_t buf[], size_t size,
                            size_t *offset)
{
    if (count > max)
        return TPM_RC_SIZE;
    return qtpm_UINT32_marshal(&count, buf, size, offset);
}

static TPM_RC count_unmarshal(UINT32 *count, size_t max, const uint8_t buf[], size_t size,
                              size_t *offset)
{
    UINT32 n;
    TRY(qtpm_UINT32_unmarshal(&n, buf, size, offset));
    if (n > max)
        return TPM_RC_SIZE;
    *count = n;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_CC_marshal(const TPML_CC *src, uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->commandCodes), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_UINT32_marshal(&src->commandCodes[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_CC_unmarshal(TPML_CC *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->commandCodes), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_UINT32_unmarshal(&dst->commandCodes[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_CCA_marshal(const TPML_CCA *src, uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->commandAttributes), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPMA_CC_marshal(&src->commandAttributes[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_CCA_unmarshal(TPML_CCA *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->commandAttributes), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPMA_CC_unmarshal(&dst->commandAttributes[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_ALG_marshal(const TPML_ALG *src, uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->algorithms), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_UINT16_marshal(&src->algorithms[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_ALG_unmarshal(TPML_ALG *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->algorithms), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_UINT16_unmarshal(&dst->algorithms[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_HANDLE_marshal(const TPML_HANDLE *src, uint8_t buf[], size_t size,
                                size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->handle), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_UINT32_marshal(&src->handle[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_HANDLE_unmarshal(TPML_HANDLE *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->handle), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_UINT32_unmarshal(&dst->handle[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* TPML_DIGEST: up to 8 digests; PolicyOR's minimum of 2 is the engine's
 * check, since PCR_Read responses legitimately hold fewer. */
TPM_RC qtpm_TPML_DIGEST_marshal(const TPML_DIGEST *src, uint8_t buf[], size_t size,
                                size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->digests), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPM2B_DIGEST_marshal(&src->digests[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_DIGEST_unmarshal(TPML_DIGEST *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->digests), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->digests[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_DIGEST_VALUES_marshal(const TPML_DIGEST_VALUES *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->digests), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPMT_HA_marshal(&src->digests[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_DIGEST_VALUES_unmarshal(TPML_DIGEST_VALUES *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->digests), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPMT_HA_unmarshal(&dst->digests[i], buf, size, &o, NO));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_PCR_SELECTION_marshal(const TPML_PCR_SELECTION *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->pcrSelections), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPMS_PCR_SELECTION_marshal(&src->pcrSelections[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_PCR_SELECTION_unmarshal(TPML_PCR_SELECTION *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->pcrSelections), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPMS_PCR_SELECTION_unmarshal(&dst->pcrSelections[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ALG_PROPERTY_marshal(const TPMS_ALG_PROPERTY *src, uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_marshal(&src->alg, buf, size, &o));
    TRY(qtpm_TPMA_ALGORITHM_marshal(&src->algProperties, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ALG_PROPERTY_unmarshal(TPMS_ALG_PROPERTY *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_unmarshal(&dst->alg, buf, size, &o));
    TRY(qtpm_TPMA_ALGORITHM_unmarshal(&dst->algProperties, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_ALG_PROPERTY_marshal(const TPML_ALG_PROPERTY *src, uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->algProperties), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPMS_ALG_PROPERTY_marshal(&src->algProperties[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_ALG_PROPERTY_unmarshal(TPML_ALG_PROPERTY *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->algProperties), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPMS_ALG_PROPERTY_unmarshal(&dst->algProperties[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_TAGGED_PROPERTY_marshal(const TPMS_TAGGED_PROPERTY *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT32_marshal(&src->property, buf, size, &o));
    TRY(qtpm_UINT32_marshal(&src->value, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_TAGGED_PROPERTY_unmarshal(TPMS_TAGGED_PROPERTY *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT32_unmarshal(&dst->property, buf, size, &o));
    TRY(qtpm_UINT32_unmarshal(&dst->value, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_TAGGED_TPM_PROPERTY_marshal(const TPML_TAGGED_TPM_PROPERTY *src, uint8_t buf[],
                                             size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->tpmProperty), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPMS_TAGGED_PROPERTY_marshal(&src->tpmProperty[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_TAGGED_TPM_PROPERTY_unmarshal(TPML_TAGGED_TPM_PROPERTY *dst,
                                               const uint8_t buf[], size_t size,
                                               size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->tpmProperty), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPMS_TAGGED_PROPERTY_unmarshal(&dst->tpmProperty[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_TAGGED_PCR_PROPERTY_marshal(const TPML_TAGGED_PCR_PROPERTY *src, uint8_t buf[],
                                             size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->pcrProperty), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPMS_TAGGED_PCR_SELECT_marshal(&src->pcrProperty[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_TAGGED_PCR_PROPERTY_unmarshal(TPML_TAGGED_PCR_PROPERTY *dst,
                                               const uint8_t buf[], size_t size,
                                               size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->pcrProperty), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPMS_TAGGED_PCR_SELECT_unmarshal(&dst->pcrProperty[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_ECC_CURVE_marshal(const TPML_ECC_CURVE *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->eccCurves), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_UINT16_marshal(&src->eccCurves[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_ECC_CURVE_unmarshal(TPML_ECC_CURVE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->eccCurves), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_UINT16_unmarshal(&dst->eccCurves[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* TPMS_TAGGED_POLICY: a hierarchy without a policy reports TPM_ALG_NULL. */
TPM_RC qtpm_TPMS_TAGGED_POLICY_marshal(const TPMS_TAGGED_POLICY *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT32_marshal(&src->handle, buf, size, &o));
    TRY(qtpm_TPMT_HA_marshal(&src->policyHash, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_TAGGED_POLICY_unmarshal(TPMS_TAGGED_POLICY *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT32_unmarshal(&dst->handle, buf, size, &o));
    TRY(qtpm_TPMT_HA_unmarshal(&dst->policyHash, buf, size, &o, YES));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_TAGGED_POLICY_marshal(const TPML_TAGGED_POLICY *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->policies), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPMS_TAGGED_POLICY_marshal(&src->policies[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_TAGGED_POLICY_unmarshal(TPML_TAGGED_POLICY *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->policies), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPMS_TAGGED_POLICY_unmarshal(&dst->policies[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ACT_DATA_marshal(const TPMS_ACT_DATA *src, uint8_t buf[], size_t size,
                                  size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT32_marshal(&src->handle, buf, size, &o));
    TRY(qtpm_UINT32_marshal(&src->timeout, buf, size, &o));
    TRY(qtpm_UINT32_marshal(&src->attributes, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ACT_DATA_unmarshal(TPMS_ACT_DATA *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT32_unmarshal(&dst->handle, buf, size, &o));
    TRY(qtpm_UINT32_unmarshal(&dst->timeout, buf, size, &o));
    TRY(qtpm_UINT32_unmarshal(&dst->attributes, buf, size, &o));
    if (dst->attributes & TPMA_ACT_RESERVED)
        return TPM_RC_RESERVED_BITS;
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_ACT_DATA_marshal(const TPML_ACT_DATA *src, uint8_t buf[], size_t size,
                                  size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->actData), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_TPMS_ACT_DATA_marshal(&src->actData[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_ACT_DATA_unmarshal(TPML_ACT_DATA *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->actData), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_TPMS_ACT_DATA_unmarshal(&dst->actData[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* TPM_CAP_VENDOR_PROPERTY's list (tpm2_types.h): count, then UINT32s. */
TPM_RC qtpm_TPML_INTEL_PTT_PROPERTY_marshal(const TPML_INTEL_PTT_PROPERTY *src, uint8_t buf[],
                                            size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_marshal(src->count, COUNT(src->property), buf, size, &o));
    for (UINT32 i = 0; i < src->count; i++)
        TRY(qtpm_UINT32_marshal(&src->property[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPML_INTEL_PTT_PROPERTY_unmarshal(TPML_INTEL_PTT_PROPERTY *dst, const uint8_t buf[],
                                              size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(count_unmarshal(&dst->count, COUNT(dst->property), buf, size, &o));
    for (UINT32 i = 0; i < dst->count; i++)
        TRY(qtpm_UINT32_unmarshal(&dst->property[i], buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §10.10 capabilities ----------------------------------------------- */

TPM_RC qtpm_TPMU_CAPABILITIES_marshal(const TPMU_CAPABILITIES *src, uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_CAP_ALGS:
        return qtpm_TPML_ALG_PROPERTY_marshal(&src->algorithms, buf, size, offset);
    case TPM_CAP_HANDLES:
        return qtpm_TPML_HANDLE_marshal(&src->handles, buf, size, offset);
    case TPM_CAP_COMMANDS:
        return qtpm_TPML_CCA_marshal(&src->command, buf, size, offset);
    case TPM_CAP_PP_COMMANDS:
        return qtpm_TPML_CC_marshal(&src->ppCommands, buf, size, offset);
    case TPM_CAP_AUDIT_COMMANDS:
        return qtpm_TPML_CC_marshal(&src->auditCommands, buf, size, offset);
    case TPM_CAP_PCRS:
        return qtpm_TPML_PCR_SELECTION_marshal(&src->assignedPCR, buf, size, offset);
    case TPM_CAP_TPM_PROPERTIES:
        return qtpm_TPML_TAGGED_TPM_PROPERTY_marshal(&src->tpmProperties, buf, size, offset);
    case TPM_CAP_PCR_PROPERTIES:
        return qtpm_TPML_TAGGED_PCR_PROPERTY_marshal(&src->pcrProperties, buf, size, offset);
    case TPM_CAP_ECC_CURVES:
        return qtpm_TPML_ECC_CURVE_marshal(&src->eccCurves, buf, size, offset);
    case TPM_CAP_AUTH_POLICIES:
        return qtpm_TPML_TAGGED_POLICY_marshal(&src->authPolicies, buf, size, offset);
    case TPM_CAP_ACT:
        return qtpm_TPML_ACT_DATA_marshal(&src->actData, buf, size, offset);
    case TPM_CAP_VENDOR_PROPERTY:
        return qtpm_TPML_INTEL_PTT_PROPERTY_marshal(&src->intelPttProperty, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_CAPABILITIES_unmarshal(TPMU_CAPABILITIES *dst, const uint8_t buf[],
                                        size_t size, size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_CAP_ALGS:
        return qtpm_TPML_ALG_PROPERTY_unmarshal(&dst->algorithms, buf, size, offset);
    case TPM_CAP_HANDLES:
        return qtpm_TPML_HANDLE_unmarshal(&dst->handles, buf, size, offset);
    case TPM_CAP_COMMANDS:
        return qtpm_TPML_CCA_unmarshal(&dst->command, buf, size, offset);
    case TPM_CAP_PP_COMMANDS:
        return qtpm_TPML_CC_unmarshal(&dst->ppCommands, buf, size, offset);
    case TPM_CAP_AUDIT_COMMANDS:
        return qtpm_TPML_CC_unmarshal(&dst->auditCommands, buf, size, offset);
    case TPM_CAP_PCRS:
        return qtpm_TPML_PCR_SELECTION_unmarshal(&dst->assignedPCR, buf, size, offset);
    case TPM_CAP_TPM_PROPERTIES:
        return qtpm_TPML_TAGGED_TPM_PROPERTY_unmarshal(&dst->tpmProperties, buf, size, offset);
    case TPM_CAP_PCR_PROPERTIES:
        return qtpm_TPML_TAGGED_PCR_PROPERTY_unmarshal(&dst->pcrProperties, buf, size, offset);
    case TPM_CAP_ECC_CURVES:
        return qtpm_TPML_ECC_CURVE_unmarshal(&dst->eccCurves, buf, size, offset);
    case TPM_CAP_AUTH_POLICIES:
        return qtpm_TPML_TAGGED_POLICY_unmarshal(&dst->authPolicies, buf, size, offset);
    case TPM_CAP_ACT:
        return qtpm_TPML_ACT_DATA_unmarshal(&dst->actData, buf, size, offset);
    case TPM_CAP_VENDOR_PROPERTY:
        return qtpm_TPML_INTEL_PTT_PROPERTY_unmarshal(&dst->intelPttProperty, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMS_CAPABILITY_DATA_marshal(const TPMS_CAPABILITY_DATA *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM_CAP_marshal(&src->capability, buf, size, &o));
    TRY(qtpm_TPMU_CAPABILITIES_marshal(&src->data, buf, size, &o, src->capability));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_CAPABILITY_DATA_unmarshal(TPMS_CAPABILITY_DATA *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM_CAP_unmarshal(&dst->capability, buf, size, &o));
    TRY(qtpm_TPMU_CAPABILITIES_unmarshal(&dst->data, buf, size, &o, dst->capability));
    *offset = o;
    return TPM_RC_SUCCESS;
}
