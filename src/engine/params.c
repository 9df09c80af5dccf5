/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * params.c — the adapters of the typed command parameters (params.h): one
 * prm_un_T / prm_m_T pair per Part 2 type a command parameter or response
 * parameter can have, over the shared marshalling module (qtpm/marshal.h).
 *
 * Most adapters only give qtpm_T_unmarshal / qtpm_T_marshal the one shape
 * dispatch.c's descriptors call. The others add what depends on this TPM,
 * so a handler sees only values the TPM accepts:
 *  - TPMI_ALG_HASH(+): a hash the TPM's profile disables is TPM_RC_HASH, as
 *    one the engine never implemented (profile.h);
 *  - TPM2B_MAX_NV_BUFFER: at most NV_BUFFER_MAX bytes (TPM_PT_NV_BUFFER_MAX),
 *    more is TPM_RC_SIZE as for any TPM2B larger than its buffer (Part 2
 *    §10.4.1);
 *  - TPML_PCR_SELECTION, TPML_DIGEST_VALUES: each hash through the profile
 *    as TPMI_ALG_HASH above, element by element, so the first bad field
 *    decides the code; sizeofSelect outside [PCR_SELECT_MIN, PCR_SELECT_MAX]
 *    is TPM_RC_VALUE (the reference implementation's TPMS_PCR_SELECTION
 *    rule; the shared module says TPM_RC_PCR only above the maximum).
 * On failure the offset stays where it was (the module's rule) and the code
 * is bare: dispatch.c adds the parameter's number.
 */
#include "params.h"

#define PRM_DEFINE_PLAIN_(T)                                                              \
    TPM_RC prm_un_##T(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,     \
                      size_t *off)                                                         \
    {                                                                                      \
        (void)tpm;                                                                         \
        return qtpm_##T##_unmarshal((T *)dst, buf, size, off);                             \
    }                                                                                      \
    TPM_RC prm_m_##T(const void *src, uint8_t *buf, size_t cap, size_t *off)               \
    {                                                                                      \
        return qtpm_##T##_marshal((const T *)src, buf, cap, off);                          \
    }

#define PRM_DEFINE_NULL_(T)                                                               \
    TPM_RC prm_un_##T(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,     \
                      size_t *off)                                                         \
    {                                                                                      \
        (void)tpm;                                                                         \
        return qtpm_##T##_unmarshal((T *)dst, buf, size, off, 0);                          \
    }                                                                                      \
    TPM_RC prm_un_##T##_NULL(const qtpm_tpm *tpm, void *dst, const uint8_t *buf,           \
                             size_t size, size_t *off)                                     \
    {                                                                                      \
        (void)tpm;                                                                         \
        return qtpm_##T##_unmarshal((T *)dst, buf, size, off, 1);                          \
    }                                                                                      \
    TPM_RC prm_m_##T(const void *src, uint8_t *buf, size_t cap, size_t *off)               \
    {                                                                                      \
        return qtpm_##T##_marshal((const T *)src, buf, cap, off);                          \
    }                                                                                      \
    TPM_RC prm_m_##T##_NULL(const void *src, uint8_t *buf, size_t cap, size_t *off)        \
    {                                                                                      \
        return qtpm_##T##_marshal((const T *)src, buf, cap, off);                          \
    }

PRM_PLAIN_TYPES(PRM_DEFINE_PLAIN_)
PRM_NULL_TYPES(PRM_DEFINE_NULL_)

/* ---- the adapters with checks of this TPM (PRM_ENGINE_*TYPES) */

static TPM_RC hash_unmarshal(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,
                             size_t *off, BOOL allow_null)
{
    size_t at = *off;
    TPMI_ALG_HASH *alg = dst;
    TPM_RC rc = qtpm_TPMI_ALG_HASH_unmarshal(alg, buf, size, off, allow_null);
    if (rc != TPM_RC_SUCCESS)
        return rc;
    if (*alg != TPM_ALG_NULL && tpm_hash_size(tpm, *alg) == 0) {
        *off = at;
        return TPM_RC_HASH;
    }
    return TPM_RC_SUCCESS;
}

TPM_RC prm_un_TPMI_ALG_HASH(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,
                            size_t *off)
{
    return hash_unmarshal(tpm, dst, buf, size, off, 0);
}

TPM_RC prm_un_TPMI_ALG_HASH_NULL(const qtpm_tpm *tpm, void *dst, const uint8_t *buf,
                                 size_t size, size_t *off)
{
    return hash_unmarshal(tpm, dst, buf, size, off, 1);
}

TPM_RC prm_m_TPMI_ALG_HASH(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPMI_ALG_HASH_marshal(src, buf, cap, off);
}

TPM_RC prm_m_TPMI_ALG_HASH_NULL(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPMI_ALG_HASH_marshal(src, buf, cap, off);
}

/* The size field is read first, so a size above what this TPM allows is
 * TPM_RC_SIZE even when the bytes after it are short, as the module
 * answers for a size above the type's array. */
TPM_RC prm_un_TPM2B_MAX_NV_BUFFER(const qtpm_tpm *tpm, void *dst, const uint8_t *buf,
                                  size_t size, size_t *off)
{
    (void)tpm;
    size_t at = *off;
    UINT16 n;
    TPM_RC rc = qtpm_UINT16_unmarshal(&n, buf, size, &at);
    if (rc != TPM_RC_SUCCESS)
        return rc;
    if (n > NV_BUFFER_MAX)
        return TPM_RC_SIZE;
    return qtpm_TPM2B_MAX_NV_BUFFER_unmarshal(dst, buf, size, off);
}

TPM_RC prm_m_TPM2B_MAX_NV_BUFFER(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPM2B_MAX_NV_BUFFER_marshal(src, buf, cap, off);
}

/* TPML_PCR_SELECTION: count, then per selection the hash (profile), then
 * sizeofSelect checked before any select byte is read, the order of the
 * reference implementation's unmarshalling. Unselected bytes beyond
 * sizeofSelect are zero. */
TPM_RC prm_un_TPML_PCR_SELECTION(const qtpm_tpm *tpm, void *dst, const uint8_t *buf,
                                 size_t size, size_t *off)
{
    TPML_PCR_SELECTION *l = dst;
    size_t o = *off;
    if (qtpm_UINT32_unmarshal(&l->count, buf, size, &o) != TPM_RC_SUCCESS)
        return TPM_RC_INSUFFICIENT;
    if (l->count > HASH_COUNT)
        return TPM_RC_SIZE;
    for (uint32_t i = 0; i < l->count; i++) {
        TPMS_PCR_SELECTION *s = &l->pcrSelections[i];
        TPM_RC rc = hash_unmarshal(tpm, &s->hash, buf, size, &o, 0);
        if (rc != TPM_RC_SUCCESS)
            return rc;
        size_t peek = o;
        UINT8 sz;
        if (qtpm_UINT8_unmarshal(&sz, buf, size, &peek) != TPM_RC_SUCCESS)
            return TPM_RC_INSUFFICIENT;
        if (sz < PCR_SELECT_MIN || sz > PCR_SELECT_MAX)
            return TPM_RC_VALUE;
        TPMS_PCR_SELECT bits = {0};
        if (qtpm_TPMS_PCR_SELECT_unmarshal(&bits, buf, size, &o) != TPM_RC_SUCCESS)
            return TPM_RC_INSUFFICIENT;
        s->sizeofSelect = bits.sizeofSelect;
        memcpy(s->pcrSelect, bits.pcrSelect, sizeof(s->pcrSelect));
    }
    *off = o;
    return TPM_RC_SUCCESS;
}

TPM_RC prm_m_TPML_PCR_SELECTION(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPML_PCR_SELECTION_marshal(src, buf, cap, off);
}

/* TPML_DIGEST_VALUES: count, then per TPMT_HA its hash (profile) and a
 * digest of that hash's size. */
TPM_RC prm_un_TPML_DIGEST_VALUES(const qtpm_tpm *tpm, void *dst, const uint8_t *buf,
                                 size_t size, size_t *off)
{
    TPML_DIGEST_VALUES *l = dst;
    size_t o = *off;
    TPM_RC rc = qtpm_UINT32_unmarshal(&l->count, buf, size, &o);
    if (rc != TPM_RC_SUCCESS)
        return rc;
    if (l->count > HASH_COUNT)
        return TPM_RC_SIZE;
    for (uint32_t i = 0; i < l->count; i++) {
        TPMT_HA *h = &l->digests[i];
        rc = hash_unmarshal(tpm, &h->hashAlg, buf, size, &o, 0);
        if (rc == TPM_RC_SUCCESS)
            rc = qtpm_TPMU_HA_unmarshal(&h->digest, buf, size, &o, h->hashAlg);
        if (rc != TPM_RC_SUCCESS)
            return rc;
    }
    *off = o;
    return TPM_RC_SUCCESS;
}

TPM_RC prm_m_TPML_DIGEST_VALUES(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPML_DIGEST_VALUES_marshal(src, buf, cap, off);
}
