/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * interface.c — marshalling of Part 2's interface types (§9, TPMI_*), of the
 * attribute types (§8, TPMA_*) and of the small enumerations (TPM_SU, TPM_SE,
 * TPM_EO, ...).
 *
 * On the wire these are plain integers; what unmarshalling adds is the check
 * that the value is one the type allows, with the error Part 2 lists for it
 * (TPM_RC_HASH for TPMI_ALG_HASH, TPM_RC_VALUE for handles, ...), and the
 * reserved-bit check of attributes (TPM_RC_RESERVED_BITS). The allowed
 * algorithm sets come from supported.c. Types written "+TYPE" in Part 2
 * (TPM_ALG_NULL or TPM_RH_NULL allowed only in some places) take an
 * allow_null flag. Marshalling does not check: the writer is trusted.
 */
#include "marshal_internal.h"

/* ---- algorithm-valued types -------------------------------------------- */

typedef int (*alg_pred)(TPM_ALG_ID);

static TPM_RC alg_unmarshal(TPM_ALG_ID *dst, const uint8_t buf[], size_t size, size_t *offset,
                            alg_pred ok, BOOL allow_null, TPM_RC err)
{
    size_t o = *offset;
    TPM_ALG_ID v;
    TRY(qtpm_UINT16_unmarshal(&v, buf, size, &o));
    if (!(ok(v) || (allow_null && v == TPM_ALG_NULL)))
        return err;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

static int is_sym(TPM_ALG_ID a)
{
    return qtpm_supported_sym(a) || a == TPM_ALG_XOR;
}

static int is_keyedhash_scheme(TPM_ALG_ID a)
{
    return a == TPM_ALG_HMAC || a == TPM_ALG_XOR;
}

static int is_asym_scheme(TPM_ALG_ID a)
{
    return qtpm_supported_rsa_scheme(a) || qtpm_supported_ecc_scheme(a);
}

static int is_aes_bits(TPM_ALG_ID bits)
{
    return qtpm_supported_sym_key_bits(TPM_ALG_AES, bits);
}

static int is_rsa_bits(TPM_ALG_ID bits)
{
    return qtpm_supported_rsa_key_bits(bits);
}

static int is_mlkem_set(TPM_ALG_ID set)
{
    return qtpm_supported_mlkem_parms(set);
}

static int is_mldsa_set(TPM_ALG_ID set)
{
    return qtpm_supported_mldsa_parms(set);
}

static int is_curve(TPM_ALG_ID c)
{
    return qtpm_supported_curve(c);
}

/* Every 16-bit interface type marshals as its UINT16. */
#define U16_MARSHAL(T)                                                                      \
    TPM_RC qtpm_##T##_marshal(const T *src, uint8_t buf[], size_t size, size_t *offset)     \
    {                                                                                       \
        return qtpm_UINT16_marshal(src, buf, size, offset);                                 \
    }

U16_MARSHAL(TPMI_ALG_HASH)
U16_MARSHAL(TPMI_ALG_SYM)
U16_MARSHAL(TPMI_ALG_SYM_OBJECT)
U16_MARSHAL(TPMI_ALG_SYM_MODE)
U16_MARSHAL(TPMI_ALG_KDF)
U16_MARSHAL(TPMI_ALG_SIG_SCHEME)
U16_MARSHAL(TPMI_ECC_KEY_EXCHANGE)
U16_MARSHAL(TPMI_ALG_MAC_SCHEME)
U16_MARSHAL(TPMI_ALG_CIPHER_MODE)
U16_MARSHAL(TPMI_ALG_KEYEDHASH_SCHEME)
U16_MARSHAL(TPMI_ALG_ASYM_SCHEME)
U16_MARSHAL(TPMI_ALG_RSA_SCHEME)
U16_MARSHAL(TPMI_ALG_RSA_DECRYPT)
U16_MARSHAL(TPMI_ALG_ECC_SCHEME)
U16_MARSHAL(TPMI_ALG_PUBLIC)
U16_MARSHAL(TPMI_AES_KEY_BITS)
U16_MARSHAL(TPMI_RSA_KEY_BITS)
U16_MARSHAL(TPMI_ECC_CURVE)
U16_MARSHAL(TPMI_MLKEM_PARMS)
U16_MARSHAL(TPMI_MLDSA_PARMS)
U16_MARSHAL(TPMI_ST_ATTEST)
U16_MARSHAL(TPMI_ST_COMMAND_TAG)
U16_MARSHAL(TPM_SU)
U16_MARSHAL(TPM_EO)

TPM_RC qtpm_TPMI_ALG_HASH_unmarshal(TPMI_ALG_HASH *dst, const uint8_t buf[], size_t size,
                                    size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_hash, allow_null, TPM_RC_HASH);
}

TPM_RC qtpm_TPMI_ALG_SYM_unmarshal(TPMI_ALG_SYM *dst, const uint8_t buf[], size_t size,
                                   size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, is_sym, allow_null, TPM_RC_SYMMETRIC);
}

TPM_RC qtpm_TPMI_ALG_SYM_OBJECT_unmarshal(TPMI_ALG_SYM_OBJECT *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_sym, allow_null,
                         TPM_RC_SYMMETRIC);
}

TPM_RC qtpm_TPMI_ALG_SYM_MODE_unmarshal(TPMI_ALG_SYM_MODE *dst, const uint8_t buf[],
                                        size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_sym_mode, allow_null,
                         TPM_RC_MODE);
}

TPM_RC qtpm_TPMI_ALG_KDF_unmarshal(TPMI_ALG_KDF *dst, const uint8_t buf[], size_t size,
                                   size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_kdf, allow_null, TPM_RC_KDF);
}

TPM_RC qtpm_TPMI_ALG_SIG_SCHEME_unmarshal(TPMI_ALG_SIG_SCHEME *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_sig_scheme, allow_null,
                         TPM_RC_SCHEME);
}

TPM_RC qtpm_TPMI_ECC_KEY_EXCHANGE_unmarshal(TPMI_ECC_KEY_EXCHANGE *dst, const uint8_t buf[],
                                            size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_key_exchange, allow_null,
                         TPM_RC_SCHEME);
}

TPM_RC qtpm_TPMI_ALG_MAC_SCHEME_unmarshal(TPMI_ALG_MAC_SCHEME *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_hash, allow_null,
                         TPM_RC_SYMMETRIC);
}

TPM_RC qtpm_TPMI_ALG_CIPHER_MODE_unmarshal(TPMI_ALG_CIPHER_MODE *dst, const uint8_t buf[],
                                           size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_sym_mode, allow_null,
                         TPM_RC_MODE);
}

TPM_RC qtpm_TPMI_ALG_KEYEDHASH_SCHEME_unmarshal(TPMI_ALG_KEYEDHASH_SCHEME *dst,
                                                const uint8_t buf[], size_t size,
                                                size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, is_keyedhash_scheme, allow_null, TPM_RC_VALUE);
}

TPM_RC qtpm_TPMI_ALG_ASYM_SCHEME_unmarshal(TPMI_ALG_ASYM_SCHEME *dst, const uint8_t buf[],
                                           size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, is_asym_scheme, allow_null, TPM_RC_VALUE);
}

TPM_RC qtpm_TPMI_ALG_RSA_SCHEME_unmarshal(TPMI_ALG_RSA_SCHEME *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_rsa_scheme, allow_null,
                         TPM_RC_VALUE);
}

TPM_RC qtpm_TPMI_ALG_RSA_DECRYPT_unmarshal(TPMI_ALG_RSA_DECRYPT *dst, const uint8_t buf[],
                                           size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_rsa_decrypt, allow_null,
                         TPM_RC_VALUE);
}

TPM_RC qtpm_TPMI_ALG_ECC_SCHEME_unmarshal(TPMI_ALG_ECC_SCHEME *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_ecc_scheme, allow_null,
                         TPM_RC_SCHEME);
}

TPM_RC qtpm_TPMI_ALG_PUBLIC_unmarshal(TPMI_ALG_PUBLIC *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, qtpm_supported_public_type, NO, TPM_RC_TYPE);
}

TPM_RC qtpm_TPMI_AES_KEY_BITS_unmarshal(TPMI_AES_KEY_BITS *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_aes_bits, NO, TPM_RC_KEY_SIZE);
}

TPM_RC qtpm_TPMI_RSA_KEY_BITS_unmarshal(TPMI_RSA_KEY_BITS *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_rsa_bits, NO, TPM_RC_KEY_SIZE);
}

TPM_RC qtpm_TPMI_ECC_CURVE_unmarshal(TPMI_ECC_CURVE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_curve, NO, TPM_RC_CURVE);
}

TPM_RC qtpm_TPMI_MLKEM_PARMS_unmarshal(TPMI_MLKEM_PARMS *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_mlkem_set, NO, TPM_RC_PARMS);
}

TPM_RC qtpm_TPMI_MLDSA_PARMS_unmarshal(TPMI_MLDSA_PARMS *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_mldsa_set, NO, TPM_RC_PARMS);
}

/* ---- tags and small enumerations --------------------------------------- */

static int is_st_attest(TPM_ALG_ID st)
{
    switch (st) {
    case TPM_ST_ATTEST_CERTIFY:
    case TPM_ST_ATTEST_QUOTE:
    case TPM_ST_ATTEST_SESSION_AUDIT:
    case TPM_ST_ATTEST_COMMAND_AUDIT:
    case TPM_ST_ATTEST_TIME:
    case TPM_ST_ATTEST_CREATION:
    case TPM_ST_ATTEST_NV:
    case TPM_ST_ATTEST_NV_DIGEST:
        return 1;
    default:
        return 0;
    }
}

static int is_command_tag(TPM_ALG_ID st)
{
    return st == TPM_ST_NO_SESSIONS || st == TPM_ST_SESSIONS;
}

static int is_su(TPM_ALG_ID su)
{
    return su == TPM_SU_CLEAR || su == TPM_SU_STATE;
}

static int is_eo(TPM_ALG_ID eo)
{
    return eo <= TPM_EO_BITCLEAR;
}

TPM_RC qtpm_TPMI_ST_ATTEST_unmarshal(TPMI_ST_ATTEST *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_st_attest, NO, TPM_RC_VALUE);
}

TPM_RC qtpm_TPMI_ST_COMMAND_TAG_unmarshal(TPMI_ST_COMMAND_TAG *dst, const uint8_t buf[],
                                          size_t size, size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_command_tag, NO, TPM_RC_BAD_TAG);
}

TPM_RC qtpm_TPM_SU_unmarshal(TPM_SU *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_su, NO, TPM_RC_VALUE);
}

TPM_RC qtpm_TPM_EO_unmarshal(TPM_EO *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    return alg_unmarshal(dst, buf, size, offset, is_eo, NO, TPM_RC_VALUE);
}

TPM_RC qtpm_TPM_SE_marshal(const TPM_SE *src, uint8_t buf[], size_t size, size_t *offset)
{
    return qtpm_UINT8_marshal(src, buf, size, offset);
}

TPM_RC qtpm_TPM_SE_unmarshal(TPM_SE *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TPM_SE v;
    TRY(qtpm_UINT8_unmarshal(&v, buf, size, &o));
    if (v != TPM_SE_HMAC && v != TPM_SE_POLICY && v != TPM_SE_TRIAL)
        return TPM_RC_VALUE;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPMI_YES_NO_marshal(const TPMI_YES_NO *src, uint8_t buf[], size_t size,
                                size_t *offset)
{
    return qtpm_UINT8_marshal(src, buf, size, offset);
}

TPM_RC qtpm_TPMI_YES_NO_unmarshal(TPMI_YES_NO *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    size_t o = *offset;
    BYTE v;
    TRY(qtpm_UINT8_unmarshal(&v, buf, size, &o));
    if (v != YES && v != NO)
        return TPM_RC_VALUE;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM_CLOCK_ADJUST_marshal(const TPM_CLOCK_ADJUST *src, uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return qtpm_INT8_marshal(src, buf, size, offset);
}

TPM_RC qtpm_TPM_CLOCK_ADJUST_unmarshal(TPM_CLOCK_ADJUST *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    size_t o = *offset;
    INT8 v;
    TRY(qtpm_INT8_unmarshal(&v, buf, size, &o));
    if (v < TPM_CLOCK_COARSE_SLOWER || v > TPM_CLOCK_COARSE_FASTER)
        return TPM_RC_VALUE;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_TPM_CAP_marshal(const TPM_CAP *src, uint8_t buf[], size_t size, size_t *offset)
{
    return qtpm_UINT32_marshal(src, buf, size, offset);
}

TPM_RC qtpm_TPM_CAP_unmarshal(TPM_CAP *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    size_t o = *offset;
    TPM_CAP v;
    TRY(qtpm_UINT32_unmarshal(&v, buf, size, &o));
    if (v > TPM_CAP_LAST && v != TPM_CAP_VENDOR_PROPERTY)
        return TPM_RC_VALUE;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* TPM_RC (Part 2 §6.6): a UINT32 of any value; GetTestResult's testResult. */
TPM_RC qtpm_TPM_RC_marshal(const TPM_RC *src, uint8_t buf[], size_t size, size_t *offset)
{
    return qtpm_UINT32_marshal(src, buf, size, offset);
}

TPM_RC qtpm_TPM_RC_unmarshal(TPM_RC *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    return qtpm_UINT32_unmarshal(dst, buf, size, offset);
}

TPM_RC qtpm_TPM_GENERATED_marshal(const TPM_GENERATED *src, uint8_t buf[], size_t size,
                                  size_t *offset)
{
    return qtpm_UINT32_marshal(src, buf, size, offset);
}

TPM_RC qtpm_TPM_GENERATED_unmarshal(TPM_GENERATED *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    size_t o = *offset;
    UINT32 v;
    TRY(qtpm_UINT32_unmarshal(&v, buf, size, &o));
    if (v != TPM_GENERATED_VALUE)
        return TPM_RC_VALUE;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* ---- handles (Part 2 §9.3-§9.11): wrong handle → TPM_RC_VALUE ----------- */

static int in_range(TPM_HANDLE h, TPM_HANDLE lo, TPM_HANDLE hi)
{
    return h >= lo && h <= hi;
}

static int h_transient(TPM_HANDLE h) { return in_range(h, TRANSIENT_FIRST, TRANSIENT_LAST); }
static int h_persistent(TPM_HANDLE h) { return in_range(h, PERSISTENT_FIRST, PERSISTENT_LAST); }
static int h_nv(TPM_HANDLE h) { return in_range(h, NV_INDEX_FIRST, NV_INDEX_LAST); }
static int h_pcr(TPM_HANDLE h) { return in_range(h, PCR_FIRST, PCR_LAST); }
static int h_hmac(TPM_HANDLE h) { return in_range(h, HMAC_SESSION_FIRST, HMAC_SESSION_LAST); }
static int h_policy(TPM_HANDLE h)
{
    return in_range(h, POLICY_SESSION_FIRST, POLICY_SESSION_LAST);
}
static int h_hierarchy(TPM_HANDLE h)
{
    return h == TPM_RH_OWNER || h == TPM_RH_PLATFORM || h == TPM_RH_ENDORSEMENT;
}

typedef int (*handle_pred)(TPM_HANDLE);

static TPM_RC handle_unmarshal(TPM_HANDLE *dst, const uint8_t buf[], size_t size,
                               size_t *offset, handle_pred ok, TPM_HANDLE null_value,
                               BOOL allow_null)
{
    size_t o = *offset;
    TPM_HANDLE v;
    TRY(qtpm_UINT32_unmarshal(&v, buf, size, &o));
    if (!(ok(v) || (allow_null && v == null_value)))
        return TPM_RC_VALUE;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

static int p_dh_object(TPM_HANDLE h) { return h_transient(h) || h_persistent(h); }
static int p_dh_parent(TPM_HANDLE h) { return p_dh_object(h) || h_hierarchy(h); }
static int p_dh_entity(TPM_HANDLE h)
{
    return h_hierarchy(h) || h == TPM_RH_LOCKOUT || p_dh_object(h) || h_nv(h) || h_pcr(h) ||
           in_range(h, TPM_RH_AUTH_00, TPM_RH_AUTH_FF);
}
static int p_sh_auth(TPM_HANDLE h) { return h_hmac(h) || h_policy(h); }
static int p_dh_context(TPM_HANDLE h) { return h_hmac(h) || h_policy(h) || h_transient(h); }
static int p_dh_saved(TPM_HANDLE h)
{
    return h_hmac(h) || h_policy(h) ||
           in_range(h, TPM_CONTEXT_TRANSIENT, TPM_CONTEXT_TRANSIENT_ST_CLEAR);
}
static int p_rh_enables(TPM_HANDLE h) { return h_hierarchy(h) || h == TPM_RH_PLATFORM_NV; }
static int p_rh_hierarchy_auth(TPM_HANDLE h) { return h_hierarchy(h) || h == TPM_RH_LOCKOUT; }
static int p_rh_hierarchy_policy(TPM_HANDLE h)
{
    return p_rh_hierarchy_auth(h) || in_range(h, TPM_RH_ACT_0, TPM_RH_ACT_F);
}
static int p_rh_platform(TPM_HANDLE h) { return h == TPM_RH_PLATFORM; }
static int p_rh_owner(TPM_HANDLE h) { return h == TPM_RH_OWNER; }
static int p_rh_endorsement(TPM_HANDLE h) { return h == TPM_RH_ENDORSEMENT; }
static int p_rh_provision(TPM_HANDLE h) { return h == TPM_RH_OWNER || h == TPM_RH_PLATFORM; }
static int p_rh_clear(TPM_HANDLE h) { return h == TPM_RH_LOCKOUT || h == TPM_RH_PLATFORM; }
static int p_rh_nv_auth(TPM_HANDLE h) { return p_rh_provision(h) || h_nv(h); }
static int p_rh_lockout(TPM_HANDLE h) { return h == TPM_RH_LOCKOUT; }

/* Every 32-bit handle or attribute type marshals as its UINT32. */
#define U32_MARSHAL(T)                                                                   \
    TPM_RC qtpm_##T##_marshal(const T *src, uint8_t buf[], size_t size, size_t *offset)     \
    {                                                                                       \
        return qtpm_UINT32_marshal(src, buf, size, offset);                                 \
    }

U32_MARSHAL(TPM_HANDLE)
U32_MARSHAL(TPMI_DH_OBJECT)
U32_MARSHAL(TPMI_DH_PARENT)
U32_MARSHAL(TPMI_DH_PERSISTENT)
U32_MARSHAL(TPMI_DH_ENTITY)
U32_MARSHAL(TPMI_DH_PCR)
U32_MARSHAL(TPMI_SH_AUTH_SESSION)
U32_MARSHAL(TPMI_SH_HMAC)
U32_MARSHAL(TPMI_SH_POLICY)
U32_MARSHAL(TPMI_DH_CONTEXT)
U32_MARSHAL(TPMI_DH_SAVED)
U32_MARSHAL(TPMI_RH_HIERARCHY)
U32_MARSHAL(TPMI_RH_ENABLES)
U32_MARSHAL(TPMI_RH_HIERARCHY_AUTH)
U32_MARSHAL(TPMI_RH_HIERARCHY_POLICY)
U32_MARSHAL(TPMI_RH_PLATFORM)
U32_MARSHAL(TPMI_RH_OWNER)
U32_MARSHAL(TPMI_RH_ENDORSEMENT)
U32_MARSHAL(TPMI_RH_PROVISION)
U32_MARSHAL(TPMI_RH_CLEAR)
U32_MARSHAL(TPMI_RH_NV_AUTH)
U32_MARSHAL(TPMI_RH_LOCKOUT)
U32_MARSHAL(TPMI_RH_NV_INDEX)

TPM_RC qtpm_TPM_HANDLE_unmarshal(TPM_HANDLE *dst, const uint8_t buf[], size_t size,
                                 size_t *offset)
{
    return qtpm_UINT32_unmarshal(dst, buf, size, offset);
}

TPM_RC qtpm_TPMI_DH_OBJECT_unmarshal(TPMI_DH_OBJECT *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, BOOL allow_null)
{
    return handle_unmarshal(dst, buf, size, offset, p_dh_object, TPM_RH_NULL, allow_null);
}

TPM_RC qtpm_TPMI_DH_PARENT_unmarshal(TPMI_DH_PARENT *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, BOOL allow_null)
{
    return handle_unmarshal(dst, buf, size, offset, p_dh_parent, TPM_RH_NULL, allow_null);
}

TPM_RC qtpm_TPMI_DH_PERSISTENT_unmarshal(TPMI_DH_PERSISTENT *dst, const uint8_t buf[],
                                         size_t size, size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, h_persistent, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_DH_ENTITY_unmarshal(TPMI_DH_ENTITY *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, BOOL allow_null)
{
    return handle_unmarshal(dst, buf, size, offset, p_dh_entity, TPM_RH_NULL, allow_null);
}

TPM_RC qtpm_TPMI_DH_PCR_unmarshal(TPMI_DH_PCR *dst, const uint8_t buf[], size_t size,
                                  size_t *offset, BOOL allow_null)
{
    return handle_unmarshal(dst, buf, size, offset, h_pcr, TPM_RH_NULL, allow_null);
}

/* For TPMI_SH_AUTH_SESSION the "+" value is the password session TPM_RS_PW. */
TPM_RC qtpm_TPMI_SH_AUTH_SESSION_unmarshal(TPMI_SH_AUTH_SESSION *dst, const uint8_t buf[],
                                           size_t size, size_t *offset, BOOL allow_pw)
{
    return handle_unmarshal(dst, buf, size, offset, p_sh_auth, TPM_RS_PW, allow_pw);
}

TPM_RC qtpm_TPMI_SH_HMAC_unmarshal(TPMI_SH_HMAC *dst, const uint8_t buf[], size_t size,
                                   size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, h_hmac, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_SH_POLICY_unmarshal(TPMI_SH_POLICY *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, h_policy, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_DH_CONTEXT_unmarshal(TPMI_DH_CONTEXT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_dh_context, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_DH_SAVED_unmarshal(TPMI_DH_SAVED *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_dh_saved, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_RH_HIERARCHY_unmarshal(TPMI_RH_HIERARCHY *dst, const uint8_t buf[],
                                        size_t size, size_t *offset, BOOL allow_null)
{
    return handle_unmarshal(dst, buf, size, offset, h_hierarchy, TPM_RH_NULL, allow_null);
}

TPM_RC qtpm_TPMI_RH_ENABLES_unmarshal(TPMI_RH_ENABLES *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_enables, TPM_RH_NULL, allow_null);
}

TPM_RC qtpm_TPMI_RH_HIERARCHY_AUTH_unmarshal(TPMI_RH_HIERARCHY_AUTH *dst, const uint8_t buf[],
                                             size_t size, size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_hierarchy_auth, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_RH_HIERARCHY_POLICY_unmarshal(TPMI_RH_HIERARCHY_POLICY *dst,
                                               const uint8_t buf[], size_t size,
                                               size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_hierarchy_policy, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_RH_PLATFORM_unmarshal(TPMI_RH_PLATFORM *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_platform, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_RH_OWNER_unmarshal(TPMI_RH_OWNER *dst, const uint8_t buf[], size_t size,
                                    size_t *offset, BOOL allow_null)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_owner, TPM_RH_NULL, allow_null);
}

TPM_RC qtpm_TPMI_RH_ENDORSEMENT_unmarshal(TPMI_RH_ENDORSEMENT *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_endorsement, TPM_RH_NULL, allow_null);
}

TPM_RC qtpm_TPMI_RH_PROVISION_unmarshal(TPMI_RH_PROVISION *dst, const uint8_t buf[],
                                        size_t size, size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_provision, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_RH_CLEAR_unmarshal(TPMI_RH_CLEAR *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_clear, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_RH_NV_AUTH_unmarshal(TPMI_RH_NV_AUTH *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_nv_auth, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_RH_LOCKOUT_unmarshal(TPMI_RH_LOCKOUT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, p_rh_lockout, TPM_RH_NULL, NO);
}

TPM_RC qtpm_TPMI_RH_NV_INDEX_unmarshal(TPMI_RH_NV_INDEX *dst, const uint8_t buf[], size_t size,
                                       size_t *offset)
{
    return handle_unmarshal(dst, buf, size, offset, h_nv, TPM_RH_NULL, NO);
}

/* ---- attributes (Part 2 §8): reserved bits set → TPM_RC_RESERVED_BITS --- */

static TPM_RC attr32_unmarshal(UINT32 *dst, const uint8_t buf[], size_t size, size_t *offset,
                               UINT32 reserved)
{
    size_t o = *offset;
    UINT32 v;
    TRY(qtpm_UINT32_unmarshal(&v, buf, size, &o));
    if (v & reserved)
        return TPM_RC_RESERVED_BITS;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

U32_MARSHAL(TPMA_OBJECT)
U32_MARSHAL(TPMA_NV)
U32_MARSHAL(TPMA_ALGORITHM)
U32_MARSHAL(TPMA_CC)

TPM_RC qtpm_TPMA_OBJECT_unmarshal(TPMA_OBJECT *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    return attr32_unmarshal(dst, buf, size, offset, TPMA_OBJECT_RESERVED);
}

TPM_RC qtpm_TPMA_NV_unmarshal(TPMA_NV *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    return attr32_unmarshal(dst, buf, size, offset, TPMA_NV_RESERVED);
}

TPM_RC qtpm_TPMA_ALGORITHM_unmarshal(TPMA_ALGORITHM *dst, const uint8_t buf[], size_t size,
                                     size_t *offset)
{
    return attr32_unmarshal(dst, buf, size, offset, TPMA_ALGORITHM_RESERVED);
}

TPM_RC qtpm_TPMA_CC_unmarshal(TPMA_CC *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    return attr32_unmarshal(dst, buf, size, offset, TPMA_CC_RESERVED);
}

TPM_RC qtpm_TPMA_SESSION_marshal(const TPMA_SESSION *src, uint8_t buf[], size_t size,
                                 size_t *offset)
{
    return qtpm_UINT8_marshal(src, buf, size, offset);
}

TPM_RC qtpm_TPMA_SESSION_unmarshal(TPMA_SESSION *dst, const uint8_t buf[], size_t size,
                                   size_t *offset)
{
    size_t o = *offset;
    UINT8 v;
    TRY(qtpm_UINT8_unmarshal(&v, buf, size, &o));
    if (v & TPMA_SESSION_RESERVED)
        return TPM_RC_RESERVED_BITS;
    *dst = v;
    *offset = o;
    return TPM_RC_SUCCESS;
}

/* TPMA_LOCALITY has no reserved bits: values above 31 are extended
 * localities (Part 2 §8.5). */
TPM_RC qtpm_TPMA_LOCALITY_marshal(const TPMA_LOCALITY *src, uint8_t buf[], size_t size,
                                  size_t *offset)
{
    return qtpm_UINT8_marshal(src, buf, size, offset);
}

TPM_RC qtpm_TPMA_LOCALITY_unmarshal(TPMA_LOCALITY *dst, const uint8_t buf[], size_t size,
                                    size_t *offset)
{
    return qtpm_UINT8_unmarshal(dst, buf, size, offset);
}
