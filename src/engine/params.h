/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * params.h — typed command parameters (issue 11): a command's parameters
 * as Part 2 types, unmarshalled by dispatch.c with the shared marshalling
 * module (qtpm/marshal.h) into a NAME_In struct before its handler runs,
 * and its response parameters marshalled from a NAME_Out struct after it,
 * as the TCG reference implementation does (its Quote_In / Quote_Out).
 *
 * A family's header lists each typed command's parameters in Part 3 order:
 *
 *   #define NV_Write_IN(P) P(TPM2B_MAX_NV_BUFFER, data) P(UINT16, offset)
 *   #define NV_Write_OUT(P)
 *   PRM_COMMAND(NV_Write)
 *
 * PRM_COMMAND(NV_Write) declares
 *   - typedef struct { TPM2B_MAX_NV_BUFFER data; UINT16 offset; ... } NV_Write_In;
 *   - typedef struct { ... } NV_Write_Out;
 *   - the parameter numbers PN_NV_Write_data == 1, PN_NV_Write_offset == 2
 *     (Part 2 §6.6.3), for the handler's own checks:
 *     return RC_P(TPM_RC_VALUE, PN_NV_Write_offset);
 *   - the handler, TPM_RC cmd_NV_Write(qtpm_tpm *tpm, tpm_cmd *c,
 *                                     const NV_Write_In *in, NV_Write_Out *out);
 * and the command's row in QTPM_COMMANDS (commands.h) says TYPED, so that
 * dispatch.c builds its descriptors (PRM_DESCRIPTORS) and calls it so.
 *
 * A type T in a list needs the adapters prm_un_T and prm_m_T below (params.c):
 * thin wrappers over qtpm_T_unmarshal / qtpm_T_marshal, plus the checks that
 * depend on this TPM (an algorithm its profile disables, the sizes it gives
 * the implementation-dependent buffers). A Part 2 "+" type (TPM_ALG_NULL or
 * TPM_RH_NULL allowed) is written T_NULL: P(TPMI_ALG_HASH_NULL, hashAlg).
 * An unmarshalling error comes back as the type's bare code; dispatch adds
 * the parameter's number, so no handler counts parameters. Bytes left after
 * the last parameter are TPM_RC_SIZE (Part 3 §5.6).
 *
 * The macros are kept to three small jobs (fields, numbers, descriptors);
 * PRM_FOR_EACH_ takes up to 10 parameters per list.
 */
#ifndef QTPM_ENGINE_PARAMS_H
#define QTPM_ENGINE_PARAMS_H

#include <stddef.h>

#include "cmd.h"

/* The size this TPM gives TPM2B_MAX_NV_BUFFER (Part 2 §10.4.3,
 * MAX_NV_BUFFER_SIZE; TPM_PT_NV_BUFFER_MAX): the shared type holds up to
 * 2048 bytes, an NV parameter of this TPM up to 1024. */
#define NV_BUFFER_MAX 1024

/* ------------------------------------------------------------ adapters */

typedef TPM_RC (*prm_un_fn)(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,
                            size_t *off);
typedef TPM_RC (*prm_m_fn)(const void *src, uint8_t *buf, size_t cap, size_t *off);

/* one parameter of a descriptor: where in NAME_In / NAME_Out, which adapter */
typedef struct {
    size_t off;
    prm_un_fn un;
} prm_in_field;

typedef struct {
    size_t off;
    prm_m_fn m;
} prm_out_field;

#define PRM_DECLARE_ADAPTERS_(T)                                                          \
    TPM_RC prm_un_##T(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,     \
                      size_t *off);                                                        \
    TPM_RC prm_m_##T(const void *src, uint8_t *buf, size_t cap, size_t *off);

/* Types whose unmarshal has the plain shape (qtpm/marshal.h). */
#define PRM_PLAIN_TYPES(X)                                                                \
    X(UINT8) X(INT8) X(UINT16) X(UINT32) X(INT32) X(UINT64) X(TPM_RC) X(TPM_CC)             \
    X(TPMI_ALG_PUBLIC) X(TPMI_AES_KEY_BITS) X(TPMI_RSA_KEY_BITS) X(TPMI_ECC_CURVE)         \
    X(TPMI_MLKEM_PARMS) X(TPMI_MLDSA_PARMS) X(TPMI_ST_ATTEST) X(TPMI_ST_COMMAND_TAG)       \
    X(TPM_SU) X(TPM_EO) X(TPM_SE) X(TPMI_YES_NO) X(TPM_CLOCK_ADJUST) X(TPM_CAP)            \
    X(TPM_GENERATED) X(TPM_HANDLE) X(TPMI_DH_PERSISTENT) X(TPMI_SH_HMAC)                   \
    X(TPMI_SH_POLICY) X(TPMI_DH_CONTEXT) X(TPMI_DH_SAVED) X(TPMI_RH_HIERARCHY_AUTH)        \
    X(TPMI_RH_HIERARCHY_POLICY) X(TPMI_RH_PLATFORM) X(TPMI_RH_PROVISION) X(TPMI_RH_CLEAR)  \
    X(TPMI_RH_NV_AUTH) X(TPMI_RH_LOCKOUT) X(TPMI_RH_NV_INDEX) X(TPMA_OBJECT) X(TPMA_NV)    \
    X(TPMA_ALGORITHM) X(TPMA_CC) X(TPMA_SESSION) X(TPMA_LOCALITY) X(TPM2B_DIGEST)          \
    X(TPM2B_NONCE) X(TPM2B_AUTH) X(TPM2B_OPERAND) X(TPM2B_DATA) X(TPM2B_EVENT)               \
    X(TPM2B_MAX_BUFFER) X(TPM2B_TIMEOUT)                                                  \
    X(TPM2B_IV) X(TPM2B_NAME) X(TPM2B_SENSITIVE_DATA) X(TPM2B_PUBLIC_KEY_RSA)              \
    X(TPM2B_PRIVATE_KEY_RSA) X(TPM2B_ECC_PARAMETER) X(TPM2B_ENCRYPTED_SECRET)              \
    X(TPM2B_ID_OBJECT) X(TPM2B_PRIVATE) X(TPM2B_ATTEST) X(TPM2B_CONTEXT_DATA)              \
    X(TPM2B_CONTEXT_SENSITIVE) X(TPM2B_SYM_KEY) X(TPM2B_DERIVE) X(TPM2B_TEMPLATE)          \
    X(TPM2B_LABEL) X(TPM2B_PUBLIC_KEY_MLKEM) X(TPM2B_PRIVATE_KEY_MLKEM)                    \
    X(TPM2B_PUBLIC_KEY_MLDSA) X(TPM2B_PRIVATE_KEY_MLDSA) X(TPM2B_SIGNATURE_MLDSA)          \
    X(TPM2B_SHARED_SECRET) X(TPM2B_KEM_CIPHERTEXT) X(TPM2B_SIGNATURE_CTX)                  \
    X(TPM2B_SIGNATURE_HINT) X(TPMS_SYMCIPHER_PARMS) X(TPMS_DERIVE) X(TPMS_SENSITIVE_CREATE) \
    X(TPM2B_SENSITIVE_CREATE) X(TPMS_SCHEME_HASH) X(TPMS_SCHEME_ECDAA) X(TPMS_SCHEME_XOR)  \
    X(TPMS_KEYEDHASH_PARMS) X(TPMS_ECC_POINT) X(TPM2B_ECC_POINT)                           \
    X(TPMS_ALGORITHM_DETAIL_ECC) X(TPMS_RSA_PARMS) X(TPMS_ECC_PARMS) X(TPMS_ASYM_PARMS)    \
    X(TPMS_MLKEM_PARMS) X(TPMS_MLDSA_PARMS) X(TPMS_HASH_MLDSA_PARMS) X(TPMT_PUBLIC_PARMS)  \
    X(TPMT_SENSITIVE) X(TPM2B_SENSITIVE) X(TPMS_SIGNATURE_RSA) X(TPMS_SIGNATURE_ECC)       \
    X(TPMS_SIGNATURE_HASH_MLDSA) X(TPMS_ID_OBJECT) X(TPMS_PCR_SELECT) X(TPMS_PCR_SELECTION)                  \
    X(TPMS_TAGGED_PCR_SELECT) X(TPMT_TK_CREATION) X(TPMT_TK_AUTH) X(TPMT_TK_HASHCHECK)     \
    X(TPMT_TK_VERIFIED) X(TPMS_CLOCK_INFO) X(TPMS_TIME_INFO) X(TPMS_TIME_ATTEST_INFO)      \
    X(TPMS_CERTIFY_INFO) X(TPMS_QUOTE_INFO) X(TPMS_COMMAND_AUDIT_INFO)                     \
    X(TPMS_SESSION_AUDIT_INFO) X(TPMS_CREATION_INFO) X(TPMS_NV_CERTIFY_INFO)               \
    X(TPMS_NV_DIGEST_CERTIFY_INFO) X(TPMS_ATTEST) X(TPMS_CREATION_DATA)                    \
    X(TPM2B_CREATION_DATA) X(TPML_CC) X(TPML_CCA) X(TPML_ALG) X(TPML_HANDLE) X(TPML_DIGEST) \
    X(TPMS_ALG_PROPERTY) X(TPML_ALG_PROPERTY)                                            \
    X(TPMS_TAGGED_PROPERTY) X(TPML_TAGGED_TPM_PROPERTY) X(TPML_TAGGED_PCR_PROPERTY)        \
    X(TPML_ECC_CURVE) X(TPMS_TAGGED_POLICY) X(TPML_TAGGED_POLICY) X(TPMS_ACT_DATA)         \
    X(TPML_ACT_DATA) X(TPMS_CAPABILITY_DATA) X(TPMS_NV_PUBLIC) X(TPM2B_NV_PUBLIC)          \
    X(TPMS_CONTEXT_DATA) X(TPMS_CONTEXT)

/* Types whose unmarshal takes allow_null (Part 2 "+"): T refuses the null
 * value, T_NULL admits it. */
#define PRM_NULL_TYPES(X)                                                                 \
    X(TPMI_ALG_SYM) X(TPMI_ALG_SYM_OBJECT) X(TPMI_ALG_SYM_MODE)           \
    X(TPMI_ALG_KDF) X(TPMI_ALG_SIG_SCHEME) X(TPMI_ECC_KEY_EXCHANGE) X(TPMI_ALG_MAC_SCHEME) \
    X(TPMI_ALG_CIPHER_MODE) X(TPMI_ALG_KEYEDHASH_SCHEME) X(TPMI_ALG_ASYM_SCHEME)           \
    X(TPMI_ALG_RSA_SCHEME) X(TPMI_ALG_RSA_DECRYPT) X(TPMI_ALG_ECC_SCHEME) X(TPMI_DH_OBJECT) \
    X(TPMI_DH_PARENT) X(TPMI_DH_ENTITY) X(TPMI_DH_PCR) X(TPMI_RH_HIERARCHY)                \
    X(TPMI_RH_ENABLES) X(TPMI_RH_OWNER) X(TPMI_RH_ENDORSEMENT) X(TPMT_HA) X(TPMT_SYM_DEF)  \
    X(TPMT_SYM_DEF_OBJECT) X(TPMT_KEYEDHASH_SCHEME) X(TPMT_SIG_SCHEME) X(TPMT_KDF_SCHEME)  \
    X(TPMT_ASYM_SCHEME) X(TPMT_RSA_SCHEME) X(TPMT_RSA_DECRYPT) X(TPMT_ECC_SCHEME)          \
    X(TPMT_PUBLIC) X(TPM2B_PUBLIC) X(TPMT_SIGNATURE)

#define PRM_DECLARE_NULL_(T)                                                              \
    typedef T T##_NULL;                                                                    \
    PRM_DECLARE_ADAPTERS_(T)                                                               \
    PRM_DECLARE_ADAPTERS_(T##_NULL)

/* Types whose adapters add a check of this TPM (params.c). */
#define PRM_ENGINE_TYPES(X) X(TPM2B_MAX_NV_BUFFER) X(TPML_PCR_SELECTION) X(TPML_DIGEST_VALUES)
#define PRM_ENGINE_NULL_TYPES(X) X(TPMI_ALG_HASH)

PRM_PLAIN_TYPES(PRM_DECLARE_ADAPTERS_)
PRM_NULL_TYPES(PRM_DECLARE_NULL_)
PRM_ENGINE_TYPES(PRM_DECLARE_ADAPTERS_)
PRM_ENGINE_NULL_TYPES(PRM_DECLARE_NULL_)

/* ------------------------------------------------------------ the generator */

#define PRM_CAT_(a, b) a##b
#define PRM_CAT(a, b) PRM_CAT_(a, b)
#define PRM_APPLY_(m, args) m args

/* A list as ", T1, f1, T2, f2, ..." (the empty first item keeps an empty list
 * one argument, as C11 asks of a variadic macro). */
#define PRM_PAIR_(type, field) , type, field
#define PRM_FIELD_(type, field) type field;

/* m(d, T, f) for each pair of a list made by PRM_PAIR_ (first item empty). */
#define PRM_NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, \
                  _18, _19, _20, _21, N, ...)                                                \
    N
#define PRM_NARG(...)                                                                        \
    PRM_NARG_(__VA_ARGS__, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, \
              3, 2, 1)
#define PRM_FE_1(m, d, _0)
#define PRM_FE_3(m, d, _0, t, f) m(d, t, f)
#define PRM_FE_5(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_3(m, d, _0, __VA_ARGS__)
#define PRM_FE_7(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_5(m, d, _0, __VA_ARGS__)
#define PRM_FE_9(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_7(m, d, _0, __VA_ARGS__)
#define PRM_FE_11(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_9(m, d, _0, __VA_ARGS__)
#define PRM_FE_13(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_11(m, d, _0, __VA_ARGS__)
#define PRM_FE_15(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_13(m, d, _0, __VA_ARGS__)
#define PRM_FE_17(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_15(m, d, _0, __VA_ARGS__)
#define PRM_FE_19(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_17(m, d, _0, __VA_ARGS__)
#define PRM_FE_21(m, d, _0, t, f, ...) m(d, t, f) PRM_FE_19(m, d, _0, __VA_ARGS__)
#define PRM_FOR_EACH_(m, d, ...) PRM_CAT(PRM_FE_, PRM_NARG(__VA_ARGS__))(m, d, __VA_ARGS__)
#define PRM_EACH_(m, name, list) PRM_APPLY_(PRM_FOR_EACH_, (m, name, list))

/* parameter numbers: PN_name_field, 1-based in Part 3 order */
#define PRM_PN_(name, type, field) PN_##name##_##field,

/* The structs, parameter numbers and handler of one typed command (in its
 * family's header). Each struct ends with a byte, so a command without
 * parameters still has one (C has no empty struct). */
#define PRM_COMMAND(name)                                                                   \
    typedef struct {                                                                        \
        name##_IN(PRM_FIELD_) uint8_t prm_end_;                                             \
    } name##_In;                                                                            \
    typedef struct {                                                                        \
        name##_OUT(PRM_FIELD_) uint8_t prm_end_;                                            \
    } name##_Out;                                                                           \
    enum { PN_##name##_ = 0, PRM_EACH_(PRM_PN_, name, name##_IN(PRM_PAIR_)) };              \
    TPM_RC cmd_##name(qtpm_tpm *tpm, tpm_cmd *c, const name##_In *in, name##_Out *out);

/* The descriptors of one typed command (dispatch.c, from its TYPED row):
 * name_in_desc_ and name_out_desc_, each ended by {0, NULL}. */
#define PRM_IN_DESC_(name, type, field) {offsetof(name##_In, field), prm_un_##type},
#define PRM_OUT_DESC_(name, type, field) {offsetof(name##_Out, field), prm_m_##type},
#define PRM_DESCRIPTORS(name)                                                               \
    static const prm_in_field name##_in_desc_[] = {                                         \
        PRM_EACH_(PRM_IN_DESC_, name, name##_IN(PRM_PAIR_)){0, NULL}};                      \
    static const prm_out_field name##_out_desc_[] = {                                       \
        PRM_EACH_(PRM_OUT_DESC_, name, name##_OUT(PRM_PAIR_)){0, NULL}};

#endif
