/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * objects.c — the structures that describe keys and what they do: digests
 * with their algorithm (TPMT_HA), symmetric definitions, the scheme
 * structures, public parameters and areas (TPMT_PUBLIC), sensitive areas
 * and signatures (Part 2 §10.3.2, §11, §12), including the v1.85 ML-KEM,
 * ML-DSA and HashML-DSA members.
 *
 * Unions take their selector as the last argument; a selector the union
 * has no member for is TPM_RC_SELECTOR. Where Part 2 writes a member as
 * "TYPE+" (NULL allowed), the enclosing structure passes YES.
 */
#include "marshal_internal.h"

/* ---- Part 2 §10.3.1 TPMU_HA, §10.3.2 TPMT_HA ----------------------------- */

TPM_RC qtpm_TPMU_HA_marshal(const TPMU_HA *src, uint8_t buf[], size_t size, size_t *offset,
                            UINT32 selector)
{
    if (selector == TPM_ALG_NULL)
        return TPM_RC_SUCCESS;
    uint16_t n = qtpm_hash_digest_size((TPM_ALG_ID)selector);
    if (n == 0 || selector > 0xFFFF)
        return TPM_RC_SELECTOR;
    return qtpm_BYTE_array_marshal((const BYTE *)src, n, buf, size, offset);
}

TPM_RC qtpm_TPMU_HA_unmarshal(TPMU_HA *dst, const uint8_t buf[], size_t size, size_t *offset,
                              UINT32 selector)
{
    if (selector == TPM_ALG_NULL)
        return TPM_RC_SUCCESS;
    uint16_t n = qtpm_hash_digest_size((TPM_ALG_ID)selector);
    if (n == 0 || selector > 0xFFFF)
        return TPM_RC_SELECTOR;
    return qtpm_BYTE_array_unmarshal((BYTE *)dst, n, buf, size, offset);
}

TPM_RC qtpm_TPMT_HA_marshal(const TPMT_HA *src, uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->hashAlg, buf, size, &o));
    TRY(qtpm_TPMU_HA_marshal(&src->digest, buf, size, &o, src->hashAlg));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_HA_unmarshal(TPMT_HA *dst, const uint8_t buf[], size_t size, size_t *offset,
                              BOOL allow_null)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->hashAlg, buf, size, &o, allow_null));
    TRY(qtpm_TPMU_HA_unmarshal(&dst->digest, buf, size, &o, dst->hashAlg));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §11.1.3-§11.1.7 symmetric definitions -------------------------------- */

TPM_RC qtpm_TPMU_SYM_KEY_BITS_marshal(const TPMU_SYM_KEY_BITS *src, uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_AES:
        return qtpm_TPMI_AES_KEY_BITS_marshal(&src->aes, buf, size, offset);
    case TPM_ALG_XOR:
        return qtpm_TPMI_ALG_HASH_marshal(&src->exclusiveOr, buf, size, offset);
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_SYM_KEY_BITS_unmarshal(TPMU_SYM_KEY_BITS *dst, const uint8_t buf[],
                                        size_t size, size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_AES:
        return qtpm_TPMI_AES_KEY_BITS_unmarshal(&dst->aes, buf, size, offset);
    case TPM_ALG_XOR:
        return qtpm_TPMI_ALG_HASH_unmarshal(&dst->exclusiveOr, buf, size, offset, NO);
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_SYM_MODE_marshal(const TPMU_SYM_MODE *src, uint8_t buf[], size_t size,
                                  size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_AES:
        return qtpm_TPMI_ALG_SYM_MODE_marshal(&src->aes, buf, size, offset);
    case TPM_ALG_XOR: /* XOR has no mode */
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

/* The mode of a symmetric definition may be TPM_ALG_NULL at this level;
 * whether an object may use it is the engine's check (Part 1 §27.2). */
TPM_RC qtpm_TPMU_SYM_MODE_unmarshal(TPMU_SYM_MODE *dst, const uint8_t buf[], size_t size,
                                    size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_AES:
        return qtpm_TPMI_ALG_SYM_MODE_unmarshal(&dst->aes, buf, size, offset, YES);
    case TPM_ALG_XOR:
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMT_SYM_DEF_marshal(const TPMT_SYM_DEF *src, uint8_t buf[], size_t size,
                                 size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_SYM_marshal(&src->algorithm, buf, size, &o));
    TRY(qtpm_TPMU_SYM_KEY_BITS_marshal(&src->keyBits, buf, size, &o, src->algorithm));
    TRY(qtpm_TPMU_SYM_MODE_marshal(&src->mode, buf, size, &o, src->algorithm));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_SYM_DEF_unmarshal(TPMT_SYM_DEF *dst, const uint8_t buf[], size_t size,
                                   size_t *offset, BOOL allow_null)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_SYM_unmarshal(&dst->algorithm, buf, size, &o, allow_null));
    TRY(qtpm_TPMU_SYM_KEY_BITS_unmarshal(&dst->keyBits, buf, size, &o, dst->algorithm));
    TRY(qtpm_TPMU_SYM_MODE_unmarshal(&dst->mode, buf, size, &o, dst->algorithm));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_SYM_DEF_OBJECT_marshal(const TPMT_SYM_DEF_OBJECT *src, uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset;
    if (src->algorithm == TPM_ALG_XOR)
        return TPM_RC_SELECTOR;
    TRY(qtpm_TPMI_ALG_SYM_OBJECT_marshal(&src->algorithm, buf, size, &o));
    TRY(qtpm_TPMU_SYM_KEY_BITS_marshal(&src->keyBits, buf, size, &o, src->algorithm));
    TRY(qtpm_TPMU_SYM_MODE_marshal(&src->mode, buf, size, &o, src->algorithm));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_SYM_DEF_OBJECT_unmarshal(TPMT_SYM_DEF_OBJECT *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_SYM_OBJECT_unmarshal(&dst->algorithm, buf, size, &o, allow_null));
    TRY(qtpm_TPMU_SYM_KEY_BITS_unmarshal(&dst->keyBits, buf, size, &o, dst->algorithm));
    TRY(qtpm_TPMU_SYM_MODE_unmarshal(&dst->mode, buf, size, &o, dst->algorithm));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SYMCIPHER_PARMS_marshal(const TPMS_SYMCIPHER_PARMS *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    return qtpm_TPMT_SYM_DEF_OBJECT_marshal(&src->sym, buf, size, offset);
}

TPM_RC qtpm_TPMS_SYMCIPHER_PARMS_unmarshal(TPMS_SYMCIPHER_PARMS *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_TPMT_SYM_DEF_OBJECT_unmarshal(&dst->sym, buf, size, offset, NO);
}

TPM_RC qtpm_TPMS_DERIVE_marshal(const TPMS_DERIVE *src, uint8_t buf[], size_t size,
                                size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_LABEL_marshal(&src->label, buf, size, &o));
    TRY(qtpm_TPM2B_LABEL_marshal(&src->context, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_DERIVE_unmarshal(TPMS_DERIVE *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_LABEL_unmarshal(&dst->label, buf, size, &o));
    TRY(qtpm_TPM2B_LABEL_unmarshal(&dst->context, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SENSITIVE_CREATE_marshal(const TPMS_SENSITIVE_CREATE *src, uint8_t buf[],
                                          size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->userAuth, buf, size, &o));
    TRY(qtpm_TPM2B_SENSITIVE_DATA_marshal(&src->data, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SENSITIVE_CREATE_unmarshal(TPMS_SENSITIVE_CREATE *dst, const uint8_t buf[],
                                            size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->userAuth, buf, size, &o));
    TRY(qtpm_TPM2B_SENSITIVE_DATA_unmarshal(&dst->data, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_SENSITIVE_CREATE_marshal(const TPM2B_SENSITIVE_CREATE *src, uint8_t buf[],
                                           size_t size, size_t *offset)
{
    size_t o = *offset, at;
    TRY(qtpm_m_sized_begin(buf, size, &o, &at));
    TRY(qtpm_TPMS_SENSITIVE_CREATE_marshal(&src->sensitive, buf, size, &o));
    TRY(qtpm_m_sized_end(buf, at, o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_SENSITIVE_CREATE_unmarshal(TPM2B_SENSITIVE_CREATE *dst, const uint8_t buf[],
                                             size_t size, size_t *offset)
{
    size_t o = *offset, end;
    TRY(qtpm_m_sized_open(buf, size, &o, &end));
    TPM_RC inner = qtpm_TPMS_SENSITIVE_CREATE_unmarshal(&dst->sensitive, buf, end, &o);
    TRY(qtpm_m_sized_close(inner, o, end));
    dst->size = (UINT16)(end - *offset - 2);
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §11.1.x scheme structures ------------------------------------------ */

TPM_RC qtpm_TPMS_SCHEME_HASH_marshal(const TPMS_SCHEME_HASH *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return qtpm_TPMI_ALG_HASH_marshal(&src->hashAlg, buf, size, offset);
}

TPM_RC qtpm_TPMS_SCHEME_HASH_unmarshal(TPMS_SCHEME_HASH *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    return qtpm_TPMI_ALG_HASH_unmarshal(&dst->hashAlg, buf, size, offset, NO);
}

TPM_RC qtpm_TPMS_SCHEME_ECDAA_marshal(const TPMS_SCHEME_ECDAA *src, uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->hashAlg, buf, size, &o));
    TRY(qtpm_UINT16_marshal(&src->count, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SCHEME_ECDAA_unmarshal(TPMS_SCHEME_ECDAA *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->hashAlg, buf, size, &o, NO));
    TRY(qtpm_UINT16_unmarshal(&dst->count, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SCHEME_XOR_marshal(const TPMS_SCHEME_XOR *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->hashAlg, buf, size, &o));
    TRY(qtpm_TPMI_ALG_KDF_marshal(&src->kdf, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SCHEME_XOR_unmarshal(TPMS_SCHEME_XOR *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->hashAlg, buf, size, &o, NO));
    TRY(qtpm_TPMI_ALG_KDF_unmarshal(&dst->kdf, buf, size, &o, YES));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMU_SCHEME_KEYEDHASH_marshal(const TPMU_SCHEME_KEYEDHASH *src, uint8_t buf[],
                                          size_t size, size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_HMAC:
        return qtpm_TPMS_SCHEME_HASH_marshal(&src->hmac, buf, size, offset);
    case TPM_ALG_XOR:
        return qtpm_TPMS_SCHEME_XOR_marshal(&src->exclusiveOr, buf, size, offset);
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_SCHEME_KEYEDHASH_unmarshal(TPMU_SCHEME_KEYEDHASH *dst, const uint8_t buf[],
                                            size_t size, size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_HMAC:
        return qtpm_TPMS_SCHEME_HASH_unmarshal(&dst->hmac, buf, size, offset);
    case TPM_ALG_XOR:
        return qtpm_TPMS_SCHEME_XOR_unmarshal(&dst->exclusiveOr, buf, size, offset);
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMT_KEYEDHASH_SCHEME_marshal(const TPMT_KEYEDHASH_SCHEME *src, uint8_t buf[],
                                          size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_KEYEDHASH_SCHEME_marshal(&src->scheme, buf, size, &o));
    TRY(qtpm_TPMU_SCHEME_KEYEDHASH_marshal(&src->details, buf, size, &o, src->scheme));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_KEYEDHASH_SCHEME_unmarshal(TPMT_KEYEDHASH_SCHEME *dst, const uint8_t buf[],
                                            size_t size, size_t *offset, BOOL allow_null)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_KEYEDHASH_SCHEME_unmarshal(&dst->scheme, buf, size, &o, allow_null));
    TRY(qtpm_TPMU_SCHEME_KEYEDHASH_unmarshal(&dst->details, buf, size, &o, dst->scheme));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_KEYEDHASH_PARMS_marshal(const TPMS_KEYEDHASH_PARMS *src, uint8_t buf[],
                                         size_t size, size_t *offset)
{
    return qtpm_TPMT_KEYEDHASH_SCHEME_marshal(&src->scheme, buf, size, offset);
}

TPM_RC qtpm_TPMS_KEYEDHASH_PARMS_unmarshal(TPMS_KEYEDHASH_PARMS *dst, const uint8_t buf[],
                                           size_t size, size_t *offset)
{
    return qtpm_TPMT_KEYEDHASH_SCHEME_unmarshal(&dst->scheme, buf, size, offset, YES);
}

/* TPMU_SIG_SCHEME (Part 2 §11.2.1.4): every signing scheme carries a hash
 * except ECDAA (hash and commit count) and pure ML-DSA (nothing). */
TPM_RC qtpm_TPMU_SIG_SCHEME_marshal(const TPMU_SIG_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_HMAC:
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPMS_SCHEME_HASH_marshal(&src->any, buf, size, offset);
    case TPM_ALG_ECDAA:
        return qtpm_TPMS_SCHEME_ECDAA_marshal(&src->ecdaa, buf, size, offset);
    case TPM_ALG_MLDSA:
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_SIG_SCHEME_unmarshal(TPMU_SIG_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_HMAC:
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPMS_SCHEME_HASH_unmarshal(&dst->any, buf, size, offset);
    case TPM_ALG_ECDAA:
        return qtpm_TPMS_SCHEME_ECDAA_unmarshal(&dst->ecdaa, buf, size, offset);
    case TPM_ALG_MLDSA:
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMT_SIG_SCHEME_marshal(const TPMT_SIG_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_SIG_SCHEME_marshal(&src->scheme, buf, size, &o));
    TRY(qtpm_TPMU_SIG_SCHEME_marshal(&src->details, buf, size, &o, src->scheme));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_SIG_SCHEME_unmarshal(TPMT_SIG_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_SIG_SCHEME_unmarshal(&dst->scheme, buf, size, &o, allow_null));
    TRY(qtpm_TPMU_SIG_SCHEME_unmarshal(&dst->details, buf, size, &o, dst->scheme));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMU_KDF_SCHEME_marshal(const TPMU_KDF_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_MGF1:
    case TPM_ALG_KDF1_SP800_56A:
    case TPM_ALG_KDF2:
    case TPM_ALG_KDF1_SP800_108:
        return qtpm_TPMS_SCHEME_HASH_marshal(&src->mgf1, buf, size, offset);
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_KDF_SCHEME_unmarshal(TPMU_KDF_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_MGF1:
    case TPM_ALG_KDF1_SP800_56A:
    case TPM_ALG_KDF2:
    case TPM_ALG_KDF1_SP800_108:
        return qtpm_TPMS_SCHEME_HASH_unmarshal(&dst->mgf1, buf, size, offset);
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMT_KDF_SCHEME_marshal(const TPMT_KDF_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_KDF_marshal(&src->scheme, buf, size, &o));
    TRY(qtpm_TPMU_KDF_SCHEME_marshal(&src->details, buf, size, &o, src->scheme));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_KDF_SCHEME_unmarshal(TPMT_KDF_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_KDF_unmarshal(&dst->scheme, buf, size, &o, allow_null));
    TRY(qtpm_TPMU_KDF_SCHEME_unmarshal(&dst->details, buf, size, &o, dst->scheme));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMU_ASYM_SCHEME_marshal(const TPMU_ASYM_SCHEME *src, uint8_t buf[], size_t size,
                                     size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_ECDH:
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_OAEP:
        return qtpm_TPMS_SCHEME_HASH_marshal(&src->anySig, buf, size, offset);
    case TPM_ALG_ECDAA:
        return qtpm_TPMS_SCHEME_ECDAA_marshal(&src->ecdaa, buf, size, offset);
    case TPM_ALG_RSAES:
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_ASYM_SCHEME_unmarshal(TPMU_ASYM_SCHEME *dst, const uint8_t buf[], size_t size,
                                       size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_ECDH:
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_OAEP:
        return qtpm_TPMS_SCHEME_HASH_unmarshal(&dst->anySig, buf, size, offset);
    case TPM_ALG_ECDAA:
        return qtpm_TPMS_SCHEME_ECDAA_unmarshal(&dst->ecdaa, buf, size, offset);
    case TPM_ALG_RSAES:
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

/* The four TPMT_*_SCHEME structures over TPMU_ASYM_SCHEME differ only in
 * the interface type of their scheme field. */
typedef TPM_RC (*scheme_sel_unmarshal)(TPM_ALG_ID *, const uint8_t[], size_t, size_t *, BOOL);

static TPM_RC asym_scheme_marshal(TPM_ALG_ID scheme, const TPMU_ASYM_SCHEME *details,
                                  uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_marshal(&scheme, buf, size, &o));
    TRY(qtpm_TPMU_ASYM_SCHEME_marshal(details, buf, size, &o, scheme));
    *offset = o;
    return TPM_RC_SUCCESS;
}

static TPM_RC asym_scheme_unmarshal(TPM_ALG_ID *scheme, TPMU_ASYM_SCHEME *details,
                                    const uint8_t buf[], size_t size, size_t *offset,
                                    scheme_sel_unmarshal sel, BOOL allow_null)
{
    size_t o = *offset;
    TRY(sel(scheme, buf, size, &o, allow_null));
    TRY(qtpm_TPMU_ASYM_SCHEME_unmarshal(details, buf, size, &o, *scheme));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_ASYM_SCHEME_marshal(const TPMT_ASYM_SCHEME *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return asym_scheme_marshal(src->scheme, &src->details, buf, size, offset);
}

TPM_RC qtpm_TPMT_ASYM_SCHEME_unmarshal(TPMT_ASYM_SCHEME *dst, const uint8_t buf[], size_t size,
                                       size_t *offset, BOOL allow_null)
{
    return asym_scheme_unmarshal(&dst->scheme, &dst->details, buf, size, offset,
                                 qtpm_TPMI_ALG_ASYM_SCHEME_unmarshal, allow_null);
}

TPM_RC qtpm_TPMT_RSA_SCHEME_marshal(const TPMT_RSA_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return asym_scheme_marshal(src->scheme, &src->details, buf, size, offset);
}

TPM_RC qtpm_TPMT_RSA_SCHEME_unmarshal(TPMT_RSA_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null)
{
    return asym_scheme_unmarshal(&dst->scheme, &dst->details, buf, size, offset,
                                 qtpm_TPMI_ALG_RSA_SCHEME_unmarshal, allow_null);
}

TPM_RC qtpm_TPMT_RSA_DECRYPT_marshal(const TPMT_RSA_DECRYPT *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return asym_scheme_marshal(src->scheme, &src->details, buf, size, offset);
}

TPM_RC qtpm_TPMT_RSA_DECRYPT_unmarshal(TPMT_RSA_DECRYPT *dst, const uint8_t buf[], size_t size,
                                       size_t *offset, BOOL allow_null)
{
    return asym_scheme_unmarshal(&dst->scheme, &dst->details, buf, size, offset,
                                 qtpm_TPMI_ALG_RSA_DECRYPT_unmarshal, allow_null);
}

TPM_RC qtpm_TPMT_ECC_SCHEME_marshal(const TPMT_ECC_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return asym_scheme_marshal(src->scheme, &src->details, buf, size, offset);
}

TPM_RC qtpm_TPMT_ECC_SCHEME_unmarshal(TPMT_ECC_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null)
{
    return asym_scheme_unmarshal(&dst->scheme, &dst->details, buf, size, offset,
                                 qtpm_TPMI_ALG_ECC_SCHEME_unmarshal, allow_null);
}

/* ---- §11.2 ECC points and parameters ------------------------------------- */

TPM_RC qtpm_TPMS_ECC_POINT_marshal(const TPMS_ECC_POINT *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->x, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->y, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ECC_POINT_unmarshal(TPMS_ECC_POINT *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->x, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->y, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_ECC_POINT_marshal(const TPM2B_ECC_POINT *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset, at;
    TRY(qtpm_m_sized_begin(buf, size, &o, &at));
    TRY(qtpm_TPMS_ECC_POINT_marshal(&src->point, buf, size, &o));
    TRY(qtpm_m_sized_end(buf, at, o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_ECC_POINT_unmarshal(TPM2B_ECC_POINT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset, end;
    TRY(qtpm_m_sized_open(buf, size, &o, &end));
    TPM_RC inner = qtpm_TPMS_ECC_POINT_unmarshal(&dst->point, buf, end, &o);
    TRY(qtpm_m_sized_close(inner, o, end));
    dst->size = (UINT16)(end - *offset - 2);
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ALGORITHM_DETAIL_ECC_marshal(const TPMS_ALGORITHM_DETAIL_ECC *src,
                                              uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_marshal(&src->curveID, buf, size, &o));
    TRY(qtpm_UINT16_marshal(&src->keySize, buf, size, &o));
    TRY(qtpm_TPMT_KDF_SCHEME_marshal(&src->kdf, buf, size, &o));
    TRY(qtpm_TPMT_ECC_SCHEME_marshal(&src->sign, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->p, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->a, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->b, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->gX, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->gY, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->n, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->h, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ALGORITHM_DETAIL_ECC_unmarshal(TPMS_ALGORITHM_DETAIL_ECC *dst,
                                                const uint8_t buf[], size_t size,
                                                size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_UINT16_unmarshal(&dst->curveID, buf, size, &o));
    TRY(qtpm_UINT16_unmarshal(&dst->keySize, buf, size, &o));
    TRY(qtpm_TPMT_KDF_SCHEME_unmarshal(&dst->kdf, buf, size, &o, YES));
    TRY(qtpm_TPMT_ECC_SCHEME_unmarshal(&dst->sign, buf, size, &o, YES));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->p, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->a, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->b, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->gX, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->gY, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->n, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->h, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §12.2.3 public parameters ------------------------------------------ */

TPM_RC qtpm_TPMS_RSA_PARMS_marshal(const TPMS_RSA_PARMS *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMT_SYM_DEF_OBJECT_marshal(&src->symmetric, buf, size, &o));
    TRY(qtpm_TPMT_RSA_SCHEME_marshal(&src->scheme, buf, size, &o));
    TRY(qtpm_TPMI_RSA_KEY_BITS_marshal(&src->keyBits, buf, size, &o));
    TRY(qtpm_UINT32_marshal(&src->exponent, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_RSA_PARMS_unmarshal(TPMS_RSA_PARMS *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMT_SYM_DEF_OBJECT_unmarshal(&dst->symmetric, buf, size, &o, YES));
    TRY(qtpm_TPMT_RSA_SCHEME_unmarshal(&dst->scheme, buf, size, &o, YES));
    TRY(qtpm_TPMI_RSA_KEY_BITS_unmarshal(&dst->keyBits, buf, size, &o));
    TRY(qtpm_UINT32_unmarshal(&dst->exponent, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ECC_PARMS_marshal(const TPMS_ECC_PARMS *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMT_SYM_DEF_OBJECT_marshal(&src->symmetric, buf, size, &o));
    TRY(qtpm_TPMT_ECC_SCHEME_marshal(&src->scheme, buf, size, &o));
    TRY(qtpm_TPMI_ECC_CURVE_marshal(&src->curveID, buf, size, &o));
    TRY(qtpm_TPMT_KDF_SCHEME_marshal(&src->kdf, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ECC_PARMS_unmarshal(TPMS_ECC_PARMS *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMT_SYM_DEF_OBJECT_unmarshal(&dst->symmetric, buf, size, &o, YES));
    TRY(qtpm_TPMT_ECC_SCHEME_unmarshal(&dst->scheme, buf, size, &o, YES));
    TRY(qtpm_TPMI_ECC_CURVE_unmarshal(&dst->curveID, buf, size, &o));
    TRY(qtpm_TPMT_KDF_SCHEME_unmarshal(&dst->kdf, buf, size, &o, YES));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ASYM_PARMS_marshal(const TPMS_ASYM_PARMS *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMT_SYM_DEF_OBJECT_marshal(&src->symmetric, buf, size, &o));
    TRY(qtpm_TPMT_ASYM_SCHEME_marshal(&src->scheme, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ASYM_PARMS_unmarshal(TPMS_ASYM_PARMS *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMT_SYM_DEF_OBJECT_unmarshal(&dst->symmetric, buf, size, &o, YES));
    TRY(qtpm_TPMT_ASYM_SCHEME_unmarshal(&dst->scheme, buf, size, &o, YES));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* v1.85 §12.2.3.8: symmetric first, then the parameter set. */
TPM_RC qtpm_TPMS_MLKEM_PARMS_marshal(const TPMS_MLKEM_PARMS *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMT_SYM_DEF_OBJECT_marshal(&src->symmetric, buf, size, &o));
    TRY(qtpm_TPMI_MLKEM_PARMS_marshal(&src->parameterSet, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_MLKEM_PARMS_unmarshal(TPMS_MLKEM_PARMS *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMT_SYM_DEF_OBJECT_unmarshal(&dst->symmetric, buf, size, &o, YES));
    TRY(qtpm_TPMI_MLKEM_PARMS_unmarshal(&dst->parameterSet, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* v1.85 §12.2.3.6 */
TPM_RC qtpm_TPMS_MLDSA_PARMS_marshal(const TPMS_MLDSA_PARMS *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_MLDSA_PARMS_marshal(&src->parameterSet, buf, size, &o));
    TRY(qtpm_TPMI_YES_NO_marshal(&src->allowExternalMu, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_MLDSA_PARMS_unmarshal(TPMS_MLDSA_PARMS *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_MLDSA_PARMS_unmarshal(&dst->parameterSet, buf, size, &o));
    TRY(qtpm_TPMI_YES_NO_unmarshal(&dst->allowExternalMu, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* v1.85 §12.2.3.7 */
TPM_RC qtpm_TPMS_HASH_MLDSA_PARMS_marshal(const TPMS_HASH_MLDSA_PARMS *src, uint8_t buf[],
                                          size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_MLDSA_PARMS_marshal(&src->parameterSet, buf, size, &o));
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->hashAlg, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_HASH_MLDSA_PARMS_unmarshal(TPMS_HASH_MLDSA_PARMS *dst, const uint8_t buf[],
                                            size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_MLDSA_PARMS_unmarshal(&dst->parameterSet, buf, size, &o));
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->hashAlg, buf, size, &o, NO));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMU_PUBLIC_PARMS_marshal(const TPMU_PUBLIC_PARMS *src, uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_KEYEDHASH:
        return qtpm_TPMS_KEYEDHASH_PARMS_marshal(&src->keyedHashDetail, buf, size, offset);
    case TPM_ALG_SYMCIPHER:
        return qtpm_TPMS_SYMCIPHER_PARMS_marshal(&src->symDetail, buf, size, offset);
    case TPM_ALG_RSA:
        return qtpm_TPMS_RSA_PARMS_marshal(&src->rsaDetail, buf, size, offset);
    case TPM_ALG_ECC:
        return qtpm_TPMS_ECC_PARMS_marshal(&src->eccDetail, buf, size, offset);
    case TPM_ALG_MLKEM:
        return qtpm_TPMS_MLKEM_PARMS_marshal(&src->mlkemDetail, buf, size, offset);
    case TPM_ALG_MLDSA:
        return qtpm_TPMS_MLDSA_PARMS_marshal(&src->mldsaDetail, buf, size, offset);
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPMS_HASH_MLDSA_PARMS_marshal(&src->hashMldsaDetail, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_PUBLIC_PARMS_unmarshal(TPMU_PUBLIC_PARMS *dst, const uint8_t buf[],
                                        size_t size, size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_KEYEDHASH:
        return qtpm_TPMS_KEYEDHASH_PARMS_unmarshal(&dst->keyedHashDetail, buf, size, offset);
    case TPM_ALG_SYMCIPHER:
        return qtpm_TPMS_SYMCIPHER_PARMS_unmarshal(&dst->symDetail, buf, size, offset);
    case TPM_ALG_RSA:
        return qtpm_TPMS_RSA_PARMS_unmarshal(&dst->rsaDetail, buf, size, offset);
    case TPM_ALG_ECC:
        return qtpm_TPMS_ECC_PARMS_unmarshal(&dst->eccDetail, buf, size, offset);
    case TPM_ALG_MLKEM:
        return qtpm_TPMS_MLKEM_PARMS_unmarshal(&dst->mlkemDetail, buf, size, offset);
    case TPM_ALG_MLDSA:
        return qtpm_TPMS_MLDSA_PARMS_unmarshal(&dst->mldsaDetail, buf, size, offset);
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPMS_HASH_MLDSA_PARMS_unmarshal(&dst->hashMldsaDetail, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMT_PUBLIC_PARMS_marshal(const TPMT_PUBLIC_PARMS *src, uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_PUBLIC_marshal(&src->type, buf, size, &o));
    TRY(qtpm_TPMU_PUBLIC_PARMS_marshal(&src->parameters, buf, size, &o, src->type));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_PUBLIC_PARMS_unmarshal(TPMT_PUBLIC_PARMS *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_PUBLIC_unmarshal(&dst->type, buf, size, &o));
    TRY(qtpm_TPMU_PUBLIC_PARMS_unmarshal(&dst->parameters, buf, size, &o, dst->type));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §12.2.3.2 TPMU_PUBLIC_ID, §12.2.4 TPMT_PUBLIC, §12.2.5 TPM2B_PUBLIC -- */

TPM_RC qtpm_TPMU_PUBLIC_ID_marshal(const TPMU_PUBLIC_ID *src, uint8_t buf[], size_t size,
                                   size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_KEYEDHASH:
        return qtpm_TPM2B_DIGEST_marshal(&src->keyedHash, buf, size, offset);
    case TPM_ALG_SYMCIPHER:
        return qtpm_TPM2B_DIGEST_marshal(&src->sym, buf, size, offset);
    case TPM_ALG_RSA:
        return qtpm_TPM2B_PUBLIC_KEY_RSA_marshal(&src->rsa, buf, size, offset);
    case TPM_ALG_ECC:
        return qtpm_TPMS_ECC_POINT_marshal(&src->ecc, buf, size, offset);
    case TPM_ALG_MLKEM:
        return qtpm_TPM2B_PUBLIC_KEY_MLKEM_marshal(&src->mlkem, buf, size, offset);
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPM2B_PUBLIC_KEY_MLDSA_marshal(&src->mldsa, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_PUBLIC_ID_unmarshal(TPMU_PUBLIC_ID *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_KEYEDHASH:
        return qtpm_TPM2B_DIGEST_unmarshal(&dst->keyedHash, buf, size, offset);
    case TPM_ALG_SYMCIPHER:
        return qtpm_TPM2B_DIGEST_unmarshal(&dst->sym, buf, size, offset);
    case TPM_ALG_RSA:
        return qtpm_TPM2B_PUBLIC_KEY_RSA_unmarshal(&dst->rsa, buf, size, offset);
    case TPM_ALG_ECC:
        return qtpm_TPMS_ECC_POINT_unmarshal(&dst->ecc, buf, size, offset);
    case TPM_ALG_MLKEM:
        return qtpm_TPM2B_PUBLIC_KEY_MLKEM_unmarshal(&dst->mlkem, buf, size, offset);
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPM2B_PUBLIC_KEY_MLDSA_unmarshal(&dst->mldsa, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMT_PUBLIC_marshal(const TPMT_PUBLIC *src, uint8_t buf[], size_t size,
                                size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_PUBLIC_marshal(&src->type, buf, size, &o));
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->nameAlg, buf, size, &o));
    TRY(qtpm_TPMA_OBJECT_marshal(&src->objectAttributes, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->authPolicy, buf, size, &o));
    TRY(qtpm_TPMU_PUBLIC_PARMS_marshal(&src->parameters, buf, size, &o, src->type));
    TRY(qtpm_TPMU_PUBLIC_ID_marshal(&src->unique, buf, size, &o, src->type));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_PUBLIC_unmarshal(TPMT_PUBLIC *dst, const uint8_t buf[], size_t size,
                                  size_t *offset, BOOL allow_null)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_PUBLIC_unmarshal(&dst->type, buf, size, &o));
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->nameAlg, buf, size, &o, allow_null));
    TRY(qtpm_TPMA_OBJECT_unmarshal(&dst->objectAttributes, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->authPolicy, buf, size, &o));
    TRY(qtpm_TPMU_PUBLIC_PARMS_unmarshal(&dst->parameters, buf, size, &o, dst->type));
    TRY(qtpm_TPMU_PUBLIC_ID_unmarshal(&dst->unique, buf, size, &o, dst->type));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_PUBLIC_marshal(const TPM2B_PUBLIC *src, uint8_t buf[], size_t size,
                                 size_t *offset)
{
    size_t o = *offset, at;
    TRY(qtpm_m_sized_begin(buf, size, &o, &at));
    TRY(qtpm_TPMT_PUBLIC_marshal(&src->publicArea, buf, size, &o));
    TRY(qtpm_m_sized_end(buf, at, o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_PUBLIC_unmarshal(TPM2B_PUBLIC *dst, const uint8_t buf[], size_t size,
                                   size_t *offset, BOOL allow_null)
{
    size_t o = *offset, end;
    TRY(qtpm_m_sized_open(buf, size, &o, &end));
    TPM_RC inner = qtpm_TPMT_PUBLIC_unmarshal(&dst->publicArea, buf, end, &o, allow_null);
    TRY(qtpm_m_sized_close(inner, o, end));
    dst->size = (UINT16)(end - *offset - 2);
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §12.3 sensitive area ------------------------------------------------ */

TPM_RC qtpm_TPMU_SENSITIVE_COMPOSITE_marshal(const TPMU_SENSITIVE_COMPOSITE *src,
                                             uint8_t buf[], size_t size, size_t *offset,
                                             UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_RSA:
        return qtpm_TPM2B_PRIVATE_KEY_RSA_marshal(&src->rsa, buf, size, offset);
    case TPM_ALG_ECC:
        return qtpm_TPM2B_ECC_PARAMETER_marshal(&src->ecc, buf, size, offset);
    case TPM_ALG_KEYEDHASH:
        return qtpm_TPM2B_SENSITIVE_DATA_marshal(&src->bits, buf, size, offset);
    case TPM_ALG_SYMCIPHER:
        return qtpm_TPM2B_SYM_KEY_marshal(&src->sym, buf, size, offset);
    case TPM_ALG_MLKEM:
        return qtpm_TPM2B_PRIVATE_KEY_MLKEM_marshal(&src->mlkem, buf, size, offset);
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPM2B_PRIVATE_KEY_MLDSA_marshal(&src->mldsa, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_SENSITIVE_COMPOSITE_unmarshal(TPMU_SENSITIVE_COMPOSITE *dst,
                                               const uint8_t buf[], size_t size,
                                               size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_RSA:
        return qtpm_TPM2B_PRIVATE_KEY_RSA_unmarshal(&dst->rsa, buf, size, offset);
    case TPM_ALG_ECC:
        return qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->ecc, buf, size, offset);
    case TPM_ALG_KEYEDHASH:
        return qtpm_TPM2B_SENSITIVE_DATA_unmarshal(&dst->bits, buf, size, offset);
    case TPM_ALG_SYMCIPHER:
        return qtpm_TPM2B_SYM_KEY_unmarshal(&dst->sym, buf, size, offset);
    case TPM_ALG_MLKEM:
        return qtpm_TPM2B_PRIVATE_KEY_MLKEM_unmarshal(&dst->mlkem, buf, size, offset);
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPM2B_PRIVATE_KEY_MLDSA_unmarshal(&dst->mldsa, buf, size, offset);
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMT_SENSITIVE_marshal(const TPMT_SENSITIVE *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_PUBLIC_marshal(&src->sensitiveType, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->authValue, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->seedValue, buf, size, &o));
    TRY(qtpm_TPMU_SENSITIVE_COMPOSITE_marshal(&src->sensitive, buf, size, &o,
                                              src->sensitiveType));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_SENSITIVE_unmarshal(TPMT_SENSITIVE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_PUBLIC_unmarshal(&dst->sensitiveType, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->authValue, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->seedValue, buf, size, &o));
    TRY(qtpm_TPMU_SENSITIVE_COMPOSITE_unmarshal(&dst->sensitive, buf, size, &o,
                                                dst->sensitiveType));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* TPM2B_SENSITIVE may be empty (TPM2_LoadExternal of a public key only):
 * src->size == 0 marshals as an empty buffer; otherwise the size is
 * computed. An empty one unmarshals to size 0. */
TPM_RC qtpm_TPM2B_SENSITIVE_marshal(const TPM2B_SENSITIVE *src, uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset, at;
    TRY(qtpm_m_sized_begin(buf, size, &o, &at));
    if (src->size != 0)
        TRY(qtpm_TPMT_SENSITIVE_marshal(&src->sensitiveArea, buf, size, &o));
    TRY(qtpm_m_sized_end(buf, at, o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM2B_SENSITIVE_unmarshal(TPM2B_SENSITIVE *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    size_t o = *offset, end;
    UINT16 n;
    size_t peek = o;
    TRY(qtpm_UINT16_unmarshal(&n, buf, size, &peek));
    if (n == 0) {
        dst->size = 0;
        *offset = peek;
        return TPM_RC_SUCCESS;
    }
    TRY(qtpm_m_sized_open(buf, size, &o, &end));
    TPM_RC inner = qtpm_TPMT_SENSITIVE_unmarshal(&dst->sensitiveArea, buf, end, &o);
    TRY(qtpm_m_sized_close(inner, o, end));
    dst->size = n;
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §11.3 signatures ------------------------------------------------------ */

TPM_RC qtpm_TPMS_SIGNATURE_RSA_marshal(const TPMS_SIGNATURE_RSA *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->hash, buf, size, &o));
    TRY(qtpm_TPM2B_PUBLIC_KEY_RSA_marshal(&src->sig, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SIGNATURE_RSA_unmarshal(TPMS_SIGNATURE_RSA *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->hash, buf, size, &o, NO));
    TRY(qtpm_TPM2B_PUBLIC_KEY_RSA_unmarshal(&dst->sig, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SIGNATURE_ECC_marshal(const TPMS_SIGNATURE_ECC *src, uint8_t buf[],
                                       size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->hash, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->signatureR, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_marshal(&src->signatureS, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SIGNATURE_ECC_unmarshal(TPMS_SIGNATURE_ECC *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->hash, buf, size, &o, NO));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->signatureR, buf, size, &o));
    TRY(qtpm_TPM2B_ECC_PARAMETER_unmarshal(&dst->signatureS, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SIGNATURE_HASH_MLDSA_marshal(const TPMS_SIGNATURE_HASH_MLDSA *src,
                                              uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_marshal(&src->hash, buf, size, &o));
    TRY(qtpm_TPM2B_SIGNATURE_MLDSA_marshal(&src->signature, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_SIGNATURE_HASH_MLDSA_unmarshal(TPMS_SIGNATURE_HASH_MLDSA *dst,
                                                const uint8_t buf[], size_t size,
                                                size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_HASH_unmarshal(&dst->hash, buf, size, &o, NO));
    TRY(qtpm_TPM2B_SIGNATURE_MLDSA_unmarshal(&dst->signature, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMU_SIGNATURE_marshal(const TPMU_SIGNATURE *src, uint8_t buf[], size_t size,
                                   size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
        return qtpm_TPMS_SIGNATURE_RSA_marshal(&src->rsassa, buf, size, offset);
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECDAA:
    case TPM_ALG_ECSCHNORR:
        return qtpm_TPMS_SIGNATURE_ECC_marshal(&src->ecdsa, buf, size, offset);
    case TPM_ALG_HMAC:
        return qtpm_TPMT_HA_marshal(&src->hmac, buf, size, offset);
    case TPM_ALG_MLDSA:
        return qtpm_TPM2B_SIGNATURE_MLDSA_marshal(&src->mldsa, buf, size, offset);
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPMS_SIGNATURE_HASH_MLDSA_marshal(&src->hash_mldsa, buf, size, offset);
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMU_SIGNATURE_unmarshal(TPMU_SIGNATURE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, UINT32 selector)
{
    switch (selector) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
        return qtpm_TPMS_SIGNATURE_RSA_unmarshal(&dst->rsassa, buf, size, offset);
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECDAA:
    case TPM_ALG_ECSCHNORR:
        return qtpm_TPMS_SIGNATURE_ECC_unmarshal(&dst->ecdsa, buf, size, offset);
    case TPM_ALG_HMAC:
        return qtpm_TPMT_HA_unmarshal(&dst->hmac, buf, size, offset, NO);
    case TPM_ALG_MLDSA:
        return qtpm_TPM2B_SIGNATURE_MLDSA_unmarshal(&dst->mldsa, buf, size, offset);
    case TPM_ALG_HASH_MLDSA:
        return qtpm_TPMS_SIGNATURE_HASH_MLDSA_unmarshal(&dst->hash_mldsa, buf, size, offset);
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SELECTOR;
    }
}

TPM_RC qtpm_TPMT_SIGNATURE_marshal(const TPMT_SIGNATURE *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_SIG_SCHEME_marshal(&src->sigAlg, buf, size, &o));
    TRY(qtpm_TPMU_SIGNATURE_marshal(&src->signature, buf, size, &o, src->sigAlg));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMT_SIGNATURE_unmarshal(TPMT_SIGNATURE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, BOOL allow_null)
{
    size_t o = *offset;
    TRY(qtpm_TPMI_ALG_SIG_SCHEME_unmarshal(&dst->sigAlg, buf, size, &o, allow_null));
    TRY(qtpm_TPMU_SIGNATURE_unmarshal(&dst->signature, buf, size, &o, dst->sigAlg));
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- §12.4 credential ------------------------------------------------------ */

TPM_RC qtpm_TPMS_ID_OBJECT_marshal(const TPMS_ID_OBJECT *src, uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->integrityHMAC, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_marshal(&src->encIdentity, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMS_ID_OBJECT_unmarshal(TPMS_ID_OBJECT *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    size_t o = *offset;
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->integrityHMAC, buf, size, &o));
    TRY(qtpm_TPM2B_DIGEST_unmarshal(&dst->encIdentity, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}
