/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/marshal.h — the one TPM 2.0 marshalling module (DESIGN.md decision 3):
 * every structure of qtpm/tpm2_types.h to bytes and back, shared by the
 * engine (which unmarshals commands and marshals responses) and the TSS
 * (which does the reverse), so both sides agree on every byte.
 *
 * Shape (STYLE.md, after tpm2-tss's MU layer):
 *
 *   TPM_RC qtpm_T_marshal(const T *src, uint8_t buf[], size_t size, size_t *offset);
 *   TPM_RC qtpm_T_unmarshal(T *dst, const uint8_t buf[], size_t size, size_t *offset);
 *
 * Bytes go to / come from buf[*offset .. size); on success *offset advances
 * past them, on failure *offset is unchanged (dst may be partly written).
 * Unions take their selector as one more, last argument (e.g.
 * qtpm_TPMU_PUBLIC_PARMS_marshal(..., TPM_ALG_RSA)); interface types and
 * structures that Part 2 writes with "+" (TPMI_ALG_HASH+, TPMI_DH_OBJECT+,
 * TPMT_PUBLIC+, ...) take an allow_null flag on unmarshal only.
 *
 * Errors:
 *  - marshal: TPM_RC_SIZE when the output does not fit in size (chosen over
 *    TPM_RC_INSUFFICIENT, which is kept for short input), or when a TPM2B's
 *    size or a list's count exceeds its array; TPM_RC_SELECTOR for a union
 *    selector without a member. Passing buf == NULL counts bytes only.
 *  - unmarshal (strict, Part 2 rules): input ends early → TPM_RC_INSUFFICIENT;
 *    a TPM2B size or list count larger than its array → TPM_RC_SIZE; a
 *    sized structure (TPM2B_PUBLIC, TPM2B_SENSITIVE_CREATE, TPM2B_ECC_POINT,
 *    TPM2B_NV_PUBLIC, TPM2B_CREATION_DATA) whose size is 0 or differs from
 *    the bytes its contents take → TPM_RC_SIZE; a value an interface type
 *    does not allow → that type's error (TPM_RC_HASH, _SYMMETRIC, _MODE,
 *    _KEY_SIZE, _CURVE, _KDF, _SCHEME, _TYPE, _VALUE, _PARMS for ML-KEM /
 *    ML-DSA parameter sets, TPM_RC_BAD_TAG for command tags); a wrong ticket
 *    tag → TPM_RC_TAG; reserved attribute bits → TPM_RC_RESERVED_BITS;
 *    sizeofSelect > PCR_SELECT_MAX → TPM_RC_PCR. Nothing is read at or past
 *    buf[size], nothing is allocated.
 * The caller adds the parameter number (TPM_RC_P + TPM_RC_n) to a format-one
 * code; this module does not know where in a command it is.
 *
 * The algorithm sets the interface types accept are the tables of
 * src/marshal/supported.c, queried through qtpm_supported_*() below.
 */
#ifndef QTPM_MARSHAL_H
#define QTPM_MARSHAL_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/tpm2_types.h"

/* TPM2B_NONCE, TPM2B_AUTH and TPM2B_OPERAND are TPM2B_DIGEST. */
#define qtpm_TPM2B_NONCE_marshal qtpm_TPM2B_DIGEST_marshal
#define qtpm_TPM2B_NONCE_unmarshal qtpm_TPM2B_DIGEST_unmarshal
#define qtpm_TPM2B_AUTH_marshal qtpm_TPM2B_DIGEST_marshal
#define qtpm_TPM2B_AUTH_unmarshal qtpm_TPM2B_DIGEST_unmarshal
#define qtpm_TPM2B_OPERAND_marshal qtpm_TPM2B_DIGEST_marshal
#define qtpm_TPM2B_OPERAND_unmarshal qtpm_TPM2B_DIGEST_unmarshal
/* TPM_CC is a UINT32 of any value (Part 2 §6.5.2). */
#define qtpm_TPM_CC_marshal qtpm_UINT32_marshal
#define qtpm_TPM_CC_unmarshal qtpm_UINT32_unmarshal

/* ---- Base types (Part 2 §5): big-endian integers and byte arrays. */

TPM_RC qtpm_UINT8_marshal(const UINT8 *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_UINT8_unmarshal(UINT8 *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_INT8_marshal(const INT8 *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_INT8_unmarshal(INT8 *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_UINT16_marshal(const UINT16 *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_UINT16_unmarshal(UINT16 *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_UINT32_marshal(const UINT32 *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_UINT32_unmarshal(UINT32 *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_INT32_marshal(const INT32 *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_INT32_unmarshal(INT32 *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_UINT64_marshal(const UINT64 *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_UINT64_unmarshal(UINT64 *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_BYTE_array_marshal(const BYTE *src, size_t n, uint8_t buf[], size_t size,
                               size_t *offset);
TPM_RC qtpm_BYTE_array_unmarshal(BYTE *dst, size_t n, const uint8_t buf[], size_t size,
                                 size_t *offset);

/* ---- What qtpm implements (src/marshal/supported.c): one table per set. */

uint16_t qtpm_hash_digest_size(TPM_ALG_ID alg);
int qtpm_supported_hash(TPM_ALG_ID alg);
size_t qtpm_supported_hash_list(TPM_ALG_ID *out, size_t cap);
int qtpm_supported_sym(TPM_ALG_ID alg);
int qtpm_supported_sym_key_bits(TPM_ALG_ID alg, TPM_KEY_BITS bits);
int qtpm_supported_sym_mode(TPM_ALG_ID mode);
int qtpm_supported_curve(TPM_ECC_CURVE curve);
uint16_t qtpm_curve_key_bytes(TPM_ECC_CURVE curve);
int qtpm_supported_rsa_key_bits(TPM_KEY_BITS bits);
int qtpm_supported_mlkem_parms(TPM_MLKEM_PARMS set);
int qtpm_supported_mldsa_parms(TPM_MLDSA_PARMS set);
int qtpm_supported_public_type(TPM_ALG_ID alg);
int qtpm_supported_sig_scheme(TPM_ALG_ID alg);
int qtpm_supported_kdf(TPM_ALG_ID alg);
int qtpm_supported_rsa_scheme(TPM_ALG_ID alg);
int qtpm_supported_rsa_decrypt(TPM_ALG_ID alg);
int qtpm_supported_ecc_scheme(TPM_ALG_ID alg);
int qtpm_supported_key_exchange(TPM_ALG_ID alg);

/* ---- Interface types (§9 TPMI_*), attributes (§8 TPMA_*), small enumerations.
 * allow_null: whether TPM_ALG_NULL / TPM_RH_NULL is accepted (Part 2 "+").
 * For TPMI_SH_AUTH_SESSION the flag admits TPM_RS_PW instead. */

TPM_RC qtpm_TPMI_ALG_HASH_marshal(const TPMI_ALG_HASH *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMI_ALG_SYM_marshal(const TPMI_ALG_SYM *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPMI_ALG_SYM_OBJECT_marshal(const TPMI_ALG_SYM_OBJECT *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_ALG_SYM_MODE_marshal(const TPMI_ALG_SYM_MODE *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_ALG_KDF_marshal(const TPMI_ALG_KDF *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPMI_ALG_SIG_SCHEME_marshal(const TPMI_ALG_SIG_SCHEME *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_ECC_KEY_EXCHANGE_marshal(const TPMI_ECC_KEY_EXCHANGE *src, uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPMI_ALG_MAC_SCHEME_marshal(const TPMI_ALG_MAC_SCHEME *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_ALG_CIPHER_MODE_marshal(const TPMI_ALG_CIPHER_MODE *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMI_ALG_KEYEDHASH_SCHEME_marshal(const TPMI_ALG_KEYEDHASH_SCHEME *src, uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPMI_ALG_ASYM_SCHEME_marshal(const TPMI_ALG_ASYM_SCHEME *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMI_ALG_RSA_SCHEME_marshal(const TPMI_ALG_RSA_SCHEME *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_ALG_RSA_DECRYPT_marshal(const TPMI_ALG_RSA_DECRYPT *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMI_ALG_ECC_SCHEME_marshal(const TPMI_ALG_ECC_SCHEME *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_ALG_PUBLIC_marshal(const TPMI_ALG_PUBLIC *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMI_AES_KEY_BITS_marshal(const TPMI_AES_KEY_BITS *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_RSA_KEY_BITS_marshal(const TPMI_RSA_KEY_BITS *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_ECC_CURVE_marshal(const TPMI_ECC_CURVE *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMI_MLKEM_PARMS_marshal(const TPMI_MLKEM_PARMS *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMI_MLDSA_PARMS_marshal(const TPMI_MLDSA_PARMS *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMI_ST_ATTEST_marshal(const TPMI_ST_ATTEST *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMI_ST_COMMAND_TAG_marshal(const TPMI_ST_COMMAND_TAG *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPM_SU_marshal(const TPM_SU *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_EO_marshal(const TPM_EO *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_HANDLE_marshal(const TPM_HANDLE *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMI_DH_OBJECT_marshal(const TPMI_DH_OBJECT *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMI_DH_PARENT_marshal(const TPMI_DH_PARENT *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMI_DH_PERSISTENT_marshal(const TPMI_DH_PERSISTENT *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMI_DH_ENTITY_marshal(const TPMI_DH_ENTITY *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMI_DH_PCR_marshal(const TPMI_DH_PCR *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMI_SH_AUTH_SESSION_marshal(const TPMI_SH_AUTH_SESSION *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMI_SH_HMAC_marshal(const TPMI_SH_HMAC *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPMI_SH_POLICY_marshal(const TPMI_SH_POLICY *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMI_DH_CONTEXT_marshal(const TPMI_DH_CONTEXT *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMI_DH_SAVED_marshal(const TPMI_DH_SAVED *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMI_RH_HIERARCHY_marshal(const TPMI_RH_HIERARCHY *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_RH_ENABLES_marshal(const TPMI_RH_ENABLES *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMI_RH_HIERARCHY_AUTH_marshal(const TPMI_RH_HIERARCHY_AUTH *src, uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPMI_RH_HIERARCHY_POLICY_marshal(const TPMI_RH_HIERARCHY_POLICY *src, uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPMI_RH_PLATFORM_marshal(const TPMI_RH_PLATFORM *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMI_RH_OWNER_marshal(const TPMI_RH_OWNER *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMI_RH_ENDORSEMENT_marshal(const TPMI_RH_ENDORSEMENT *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_RH_PROVISION_marshal(const TPMI_RH_PROVISION *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_RH_CLEAR_marshal(const TPMI_RH_CLEAR *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMI_RH_NV_AUTH_marshal(const TPMI_RH_NV_AUTH *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMI_RH_LOCKOUT_marshal(const TPMI_RH_LOCKOUT *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMI_RH_NV_INDEX_marshal(const TPMI_RH_NV_INDEX *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMA_OBJECT_marshal(const TPMA_OBJECT *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMA_NV_marshal(const TPMA_NV *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMA_ALGORITHM_marshal(const TPMA_ALGORITHM *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMA_CC_marshal(const TPMA_CC *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMI_ALG_HASH_unmarshal(TPMI_ALG_HASH *dst, const uint8_t buf[], size_t size,
                                    size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_SYM_unmarshal(TPMI_ALG_SYM *dst, const uint8_t buf[], size_t size,
                                   size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_SYM_OBJECT_unmarshal(TPMI_ALG_SYM_OBJECT *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_SYM_MODE_unmarshal(TPMI_ALG_SYM_MODE *dst, const uint8_t buf[], size_t size,
                                        size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_KDF_unmarshal(TPMI_ALG_KDF *dst, const uint8_t buf[], size_t size,
                                   size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_SIG_SCHEME_unmarshal(TPMI_ALG_SIG_SCHEME *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ECC_KEY_EXCHANGE_unmarshal(TPMI_ECC_KEY_EXCHANGE *dst, const uint8_t buf[],
                                            size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_MAC_SCHEME_unmarshal(TPMI_ALG_MAC_SCHEME *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_CIPHER_MODE_unmarshal(TPMI_ALG_CIPHER_MODE *dst, const uint8_t buf[],
                                           size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_KEYEDHASH_SCHEME_unmarshal(TPMI_ALG_KEYEDHASH_SCHEME *dst, const uint8_t buf[],
                                                size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_ASYM_SCHEME_unmarshal(TPMI_ALG_ASYM_SCHEME *dst, const uint8_t buf[],
                                           size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_RSA_SCHEME_unmarshal(TPMI_ALG_RSA_SCHEME *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_RSA_DECRYPT_unmarshal(TPMI_ALG_RSA_DECRYPT *dst, const uint8_t buf[],
                                           size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_ECC_SCHEME_unmarshal(TPMI_ALG_ECC_SCHEME *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_ALG_PUBLIC_unmarshal(TPMI_ALG_PUBLIC *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_AES_KEY_BITS_unmarshal(TPMI_AES_KEY_BITS *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_RSA_KEY_BITS_unmarshal(TPMI_RSA_KEY_BITS *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_ECC_CURVE_unmarshal(TPMI_ECC_CURVE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMI_MLKEM_PARMS_unmarshal(TPMI_MLKEM_PARMS *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMI_MLDSA_PARMS_unmarshal(TPMI_MLDSA_PARMS *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMI_ST_ATTEST_unmarshal(TPMI_ST_ATTEST *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMI_ST_COMMAND_TAG_unmarshal(TPMI_ST_COMMAND_TAG *dst, const uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPM_SU_unmarshal(TPM_SU *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_EO_unmarshal(TPM_EO *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_SE_marshal(const TPM_SE *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_SE_unmarshal(TPM_SE *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMI_YES_NO_marshal(const TPMI_YES_NO *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMI_YES_NO_unmarshal(TPMI_YES_NO *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPM_RC_marshal(const TPM_RC *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_RC_unmarshal(TPM_RC *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_CLOCK_ADJUST_marshal(const TPM_CLOCK_ADJUST *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPM_CLOCK_ADJUST_unmarshal(TPM_CLOCK_ADJUST *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPM_CAP_marshal(const TPM_CAP *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_CAP_unmarshal(TPM_CAP *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM_GENERATED_marshal(const TPM_GENERATED *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPM_GENERATED_unmarshal(TPM_GENERATED *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPM_HANDLE_unmarshal(TPM_HANDLE *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMI_DH_OBJECT_unmarshal(TPMI_DH_OBJECT *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_DH_PARENT_unmarshal(TPMI_DH_PARENT *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_DH_PERSISTENT_unmarshal(TPMI_DH_PERSISTENT *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPMI_DH_ENTITY_unmarshal(TPMI_DH_ENTITY *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_DH_PCR_unmarshal(TPMI_DH_PCR *dst, const uint8_t buf[], size_t size,
                                  size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_SH_AUTH_SESSION_unmarshal(TPMI_SH_AUTH_SESSION *dst, const uint8_t buf[],
                                           size_t size, size_t *offset, BOOL allow_pw);
TPM_RC qtpm_TPMI_SH_HMAC_unmarshal(TPMI_SH_HMAC *dst, const uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMI_SH_POLICY_unmarshal(TPMI_SH_POLICY *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMI_DH_CONTEXT_unmarshal(TPMI_DH_CONTEXT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_DH_SAVED_unmarshal(TPMI_DH_SAVED *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMI_RH_HIERARCHY_unmarshal(TPMI_RH_HIERARCHY *dst, const uint8_t buf[], size_t size,
                                        size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_RH_ENABLES_unmarshal(TPMI_RH_ENABLES *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_RH_HIERARCHY_AUTH_unmarshal(TPMI_RH_HIERARCHY_AUTH *dst, const uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPMI_RH_HIERARCHY_POLICY_unmarshal(TPMI_RH_HIERARCHY_POLICY *dst, const uint8_t buf[],
                                               size_t size, size_t *offset);
TPM_RC qtpm_TPMI_RH_PLATFORM_unmarshal(TPMI_RH_PLATFORM *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMI_RH_OWNER_unmarshal(TPMI_RH_OWNER *dst, const uint8_t buf[], size_t size,
                                    size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_RH_ENDORSEMENT_unmarshal(TPMI_RH_ENDORSEMENT *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMI_RH_PROVISION_unmarshal(TPMI_RH_PROVISION *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMI_RH_CLEAR_unmarshal(TPMI_RH_CLEAR *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMI_RH_NV_AUTH_unmarshal(TPMI_RH_NV_AUTH *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_RH_LOCKOUT_unmarshal(TPMI_RH_LOCKOUT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMI_RH_NV_INDEX_unmarshal(TPMI_RH_NV_INDEX *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMA_OBJECT_unmarshal(TPMA_OBJECT *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMA_NV_unmarshal(TPMA_NV *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMA_ALGORITHM_unmarshal(TPMA_ALGORITHM *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMA_CC_unmarshal(TPMA_CC *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMA_SESSION_marshal(const TPMA_SESSION *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPMA_SESSION_unmarshal(TPMA_SESSION *dst, const uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMA_LOCALITY_marshal(const TPMA_LOCALITY *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMA_LOCALITY_unmarshal(TPMA_LOCALITY *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);

/* ---- TPM2B byte buffers (§10.3, §11.2, v1.85 PQC buffers). */

TPM_RC qtpm_TPM2B_DIGEST_marshal(const TPM2B_DIGEST *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPM2B_DIGEST_unmarshal(TPM2B_DIGEST *dst, const uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPM2B_DATA_marshal(const TPM2B_DATA *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_DATA_unmarshal(TPM2B_DATA *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_EVENT_marshal(const TPM2B_EVENT *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_EVENT_unmarshal(TPM2B_EVENT *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPM2B_MAX_BUFFER_marshal(const TPM2B_MAX_BUFFER *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPM2B_MAX_BUFFER_unmarshal(TPM2B_MAX_BUFFER *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPM2B_MAX_NV_BUFFER_marshal(const TPM2B_MAX_NV_BUFFER *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPM2B_MAX_NV_BUFFER_unmarshal(TPM2B_MAX_NV_BUFFER *dst, const uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_TIMEOUT_marshal(const TPM2B_TIMEOUT *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPM2B_TIMEOUT_unmarshal(TPM2B_TIMEOUT *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPM2B_IV_marshal(const TPM2B_IV *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_IV_unmarshal(TPM2B_IV *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_NAME_marshal(const TPM2B_NAME *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_NAME_unmarshal(TPM2B_NAME *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SENSITIVE_DATA_marshal(const TPM2B_SENSITIVE_DATA *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SENSITIVE_DATA_unmarshal(TPM2B_SENSITIVE_DATA *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PUBLIC_KEY_RSA_marshal(const TPM2B_PUBLIC_KEY_RSA *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PUBLIC_KEY_RSA_unmarshal(TPM2B_PUBLIC_KEY_RSA *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PRIVATE_KEY_RSA_marshal(const TPM2B_PRIVATE_KEY_RSA *src, uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PRIVATE_KEY_RSA_unmarshal(TPM2B_PRIVATE_KEY_RSA *dst, const uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_ECC_PARAMETER_marshal(const TPM2B_ECC_PARAMETER *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPM2B_ECC_PARAMETER_unmarshal(TPM2B_ECC_PARAMETER *dst, const uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_ENCRYPTED_SECRET_marshal(const TPM2B_ENCRYPTED_SECRET *src, uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(TPM2B_ENCRYPTED_SECRET *dst, const uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_ID_OBJECT_marshal(const TPM2B_ID_OBJECT *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPM2B_ID_OBJECT_unmarshal(TPM2B_ID_OBJECT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPM2B_PRIVATE_marshal(const TPM2B_PRIVATE *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPM2B_PRIVATE_unmarshal(TPM2B_PRIVATE *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPM2B_ATTEST_marshal(const TPM2B_ATTEST *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPM2B_ATTEST_unmarshal(TPM2B_ATTEST *dst, const uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPM2B_CONTEXT_DATA_marshal(const TPM2B_CONTEXT_DATA *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPM2B_CONTEXT_DATA_unmarshal(TPM2B_CONTEXT_DATA *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPM2B_CONTEXT_SENSITIVE_marshal(const TPM2B_CONTEXT_SENSITIVE *src, uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_CONTEXT_SENSITIVE_unmarshal(TPM2B_CONTEXT_SENSITIVE *dst, const uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SYM_KEY_marshal(const TPM2B_SYM_KEY *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPM2B_SYM_KEY_unmarshal(TPM2B_SYM_KEY *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPM2B_DERIVE_marshal(const TPM2B_DERIVE *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPM2B_DERIVE_unmarshal(TPM2B_DERIVE *dst, const uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPM2B_TEMPLATE_marshal(const TPM2B_TEMPLATE *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPM2B_TEMPLATE_unmarshal(TPM2B_TEMPLATE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPM2B_LABEL_marshal(const TPM2B_LABEL *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_LABEL_unmarshal(TPM2B_LABEL *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPM2B_PUBLIC_KEY_MLKEM_marshal(const TPM2B_PUBLIC_KEY_MLKEM *src, uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PUBLIC_KEY_MLKEM_unmarshal(TPM2B_PUBLIC_KEY_MLKEM *dst, const uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PRIVATE_KEY_MLKEM_marshal(const TPM2B_PRIVATE_KEY_MLKEM *src, uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PRIVATE_KEY_MLKEM_unmarshal(TPM2B_PRIVATE_KEY_MLKEM *dst, const uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PUBLIC_KEY_MLDSA_marshal(const TPM2B_PUBLIC_KEY_MLDSA *src, uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PUBLIC_KEY_MLDSA_unmarshal(TPM2B_PUBLIC_KEY_MLDSA *dst, const uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PRIVATE_KEY_MLDSA_marshal(const TPM2B_PRIVATE_KEY_MLDSA *src, uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_PRIVATE_KEY_MLDSA_unmarshal(TPM2B_PRIVATE_KEY_MLDSA *dst, const uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SIGNATURE_MLDSA_marshal(const TPM2B_SIGNATURE_MLDSA *src, uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SIGNATURE_MLDSA_unmarshal(TPM2B_SIGNATURE_MLDSA *dst, const uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SHARED_SECRET_marshal(const TPM2B_SHARED_SECRET *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPM2B_SHARED_SECRET_unmarshal(TPM2B_SHARED_SECRET *dst, const uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_KEM_CIPHERTEXT_marshal(const TPM2B_KEM_CIPHERTEXT *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_KEM_CIPHERTEXT_unmarshal(TPM2B_KEM_CIPHERTEXT *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SIGNATURE_CTX_marshal(const TPM2B_SIGNATURE_CTX *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPM2B_SIGNATURE_CTX_unmarshal(TPM2B_SIGNATURE_CTX *dst, const uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SIGNATURE_HINT_marshal(const TPM2B_SIGNATURE_HINT *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SIGNATURE_HINT_unmarshal(TPM2B_SIGNATURE_HINT *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);
/* qtpm's vendor LDAA commands (not Part 2): a piece of an LDAA output. */
TPM_RC qtpm_TPM2B_VENDOR_LDAA_PIECE_marshal(const TPM2B_VENDOR_LDAA_PIECE *src, uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_VENDOR_LDAA_PIECE_unmarshal(TPM2B_VENDOR_LDAA_PIECE *dst, const uint8_t buf[],
                                              size_t size, size_t *offset);

/* ---- Digests, symmetric definitions, schemes, public and sensitive areas,
 * signatures (§10.3.2, §11, §12). */

TPM_RC qtpm_TPMU_HA_marshal(const TPMU_HA *src, uint8_t buf[], size_t size, size_t *offset,
                            UINT32 selector);
TPM_RC qtpm_TPMU_HA_unmarshal(TPMU_HA *dst, const uint8_t buf[], size_t size, size_t *offset,
                              UINT32 selector);
TPM_RC qtpm_TPMT_HA_marshal(const TPMT_HA *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMT_HA_unmarshal(TPMT_HA *dst, const uint8_t buf[], size_t size, size_t *offset,
                              BOOL allow_null);
TPM_RC qtpm_TPMU_SYM_KEY_BITS_marshal(const TPMU_SYM_KEY_BITS *src, uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_SYM_KEY_BITS_unmarshal(TPMU_SYM_KEY_BITS *dst, const uint8_t buf[], size_t size,
                                        size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_SYM_MODE_marshal(const TPMU_SYM_MODE *src, uint8_t buf[], size_t size,
                                  size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_SYM_MODE_unmarshal(TPMU_SYM_MODE *dst, const uint8_t buf[], size_t size,
                                    size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_SYM_DEF_marshal(const TPMT_SYM_DEF *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPMT_SYM_DEF_unmarshal(TPMT_SYM_DEF *dst, const uint8_t buf[], size_t size,
                                   size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMT_SYM_DEF_OBJECT_marshal(const TPMT_SYM_DEF_OBJECT *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMT_SYM_DEF_OBJECT_unmarshal(TPMT_SYM_DEF_OBJECT *dst, const uint8_t buf[],
                                          size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMS_SYMCIPHER_PARMS_marshal(const TPMS_SYMCIPHER_PARMS *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMS_SYMCIPHER_PARMS_unmarshal(TPMS_SYMCIPHER_PARMS *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPMS_DERIVE_marshal(const TPMS_DERIVE *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMS_DERIVE_unmarshal(TPMS_DERIVE *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMS_SENSITIVE_CREATE_marshal(const TPMS_SENSITIVE_CREATE *src, uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPMS_SENSITIVE_CREATE_unmarshal(TPMS_SENSITIVE_CREATE *dst, const uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SENSITIVE_CREATE_marshal(const TPM2B_SENSITIVE_CREATE *src, uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPM2B_SENSITIVE_CREATE_unmarshal(TPM2B_SENSITIVE_CREATE *dst, const uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPMS_SCHEME_HASH_marshal(const TPMS_SCHEME_HASH *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMS_SCHEME_HASH_unmarshal(TPMS_SCHEME_HASH *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_SCHEME_ECDAA_marshal(const TPMS_SCHEME_ECDAA *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_SCHEME_ECDAA_unmarshal(TPMS_SCHEME_ECDAA *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMS_SCHEME_XOR_marshal(const TPMS_SCHEME_XOR *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMS_SCHEME_XOR_unmarshal(TPMS_SCHEME_XOR *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMU_SCHEME_KEYEDHASH_marshal(const TPMU_SCHEME_KEYEDHASH *src, uint8_t buf[],
                                          size_t size, size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_SCHEME_KEYEDHASH_unmarshal(TPMU_SCHEME_KEYEDHASH *dst, const uint8_t buf[],
                                            size_t size, size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_KEYEDHASH_SCHEME_marshal(const TPMT_KEYEDHASH_SCHEME *src, uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPMT_KEYEDHASH_SCHEME_unmarshal(TPMT_KEYEDHASH_SCHEME *dst, const uint8_t buf[],
                                            size_t size, size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMS_KEYEDHASH_PARMS_marshal(const TPMS_KEYEDHASH_PARMS *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMS_KEYEDHASH_PARMS_unmarshal(TPMS_KEYEDHASH_PARMS *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPMU_SIG_SCHEME_marshal(const TPMU_SIG_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_SIG_SCHEME_unmarshal(TPMU_SIG_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_SIG_SCHEME_marshal(const TPMT_SIG_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMT_SIG_SCHEME_unmarshal(TPMT_SIG_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMU_KDF_SCHEME_marshal(const TPMU_KDF_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_KDF_SCHEME_unmarshal(TPMU_KDF_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_KDF_SCHEME_marshal(const TPMT_KDF_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMT_KDF_SCHEME_unmarshal(TPMT_KDF_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMU_ASYM_SCHEME_marshal(const TPMU_ASYM_SCHEME *src, uint8_t buf[], size_t size,
                                     size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_ASYM_SCHEME_unmarshal(TPMU_ASYM_SCHEME *dst, const uint8_t buf[], size_t size,
                                       size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_ASYM_SCHEME_marshal(const TPMT_ASYM_SCHEME *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMT_ASYM_SCHEME_unmarshal(TPMT_ASYM_SCHEME *dst, const uint8_t buf[], size_t size,
                                       size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMT_RSA_SCHEME_marshal(const TPMT_RSA_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMT_RSA_SCHEME_unmarshal(TPMT_RSA_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMT_RSA_DECRYPT_marshal(const TPMT_RSA_DECRYPT *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMT_RSA_DECRYPT_unmarshal(TPMT_RSA_DECRYPT *dst, const uint8_t buf[], size_t size,
                                       size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMT_ECC_SCHEME_marshal(const TPMT_ECC_SCHEME *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMT_ECC_SCHEME_unmarshal(TPMT_ECC_SCHEME *dst, const uint8_t buf[], size_t size,
                                      size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMS_ECC_POINT_marshal(const TPMS_ECC_POINT *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMS_ECC_POINT_unmarshal(TPMS_ECC_POINT *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPM2B_ECC_POINT_marshal(const TPM2B_ECC_POINT *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPM2B_ECC_POINT_unmarshal(TPM2B_ECC_POINT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_ALGORITHM_DETAIL_ECC_marshal(const TPMS_ALGORITHM_DETAIL_ECC *src, uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPMS_ALGORITHM_DETAIL_ECC_unmarshal(TPMS_ALGORITHM_DETAIL_ECC *dst, const uint8_t buf[],
                                                size_t size, size_t *offset);
TPM_RC qtpm_TPMS_RSA_PARMS_marshal(const TPMS_RSA_PARMS *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMS_RSA_PARMS_unmarshal(TPMS_RSA_PARMS *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMS_ECC_PARMS_marshal(const TPMS_ECC_PARMS *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMS_ECC_PARMS_unmarshal(TPMS_ECC_PARMS *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMS_ASYM_PARMS_marshal(const TPMS_ASYM_PARMS *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMS_ASYM_PARMS_unmarshal(TPMS_ASYM_PARMS *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_MLKEM_PARMS_marshal(const TPMS_MLKEM_PARMS *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMS_MLKEM_PARMS_unmarshal(TPMS_MLKEM_PARMS *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_MLDSA_PARMS_marshal(const TPMS_MLDSA_PARMS *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMS_MLDSA_PARMS_unmarshal(TPMS_MLDSA_PARMS *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_HASH_MLDSA_PARMS_marshal(const TPMS_HASH_MLDSA_PARMS *src, uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPMS_HASH_MLDSA_PARMS_unmarshal(TPMS_HASH_MLDSA_PARMS *dst, const uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPMU_PUBLIC_PARMS_marshal(const TPMU_PUBLIC_PARMS *src, uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_PUBLIC_PARMS_unmarshal(TPMU_PUBLIC_PARMS *dst, const uint8_t buf[], size_t size,
                                        size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_PUBLIC_PARMS_marshal(const TPMT_PUBLIC_PARMS *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMT_PUBLIC_PARMS_unmarshal(TPMT_PUBLIC_PARMS *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMU_PUBLIC_ID_marshal(const TPMU_PUBLIC_ID *src, uint8_t buf[], size_t size,
                                   size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_PUBLIC_ID_unmarshal(TPMU_PUBLIC_ID *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_PUBLIC_marshal(const TPMT_PUBLIC *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMT_PUBLIC_unmarshal(TPMT_PUBLIC *dst, const uint8_t buf[], size_t size,
                                  size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPM2B_PUBLIC_marshal(const TPM2B_PUBLIC *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPM2B_PUBLIC_unmarshal(TPM2B_PUBLIC *dst, const uint8_t buf[], size_t size,
                                   size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMU_SENSITIVE_COMPOSITE_marshal(const TPMU_SENSITIVE_COMPOSITE *src, uint8_t buf[],
                                             size_t size, size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_SENSITIVE_COMPOSITE_unmarshal(TPMU_SENSITIVE_COMPOSITE *dst, const uint8_t buf[],
                                               size_t size, size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_SENSITIVE_marshal(const TPMT_SENSITIVE *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMT_SENSITIVE_unmarshal(TPMT_SENSITIVE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPM2B_SENSITIVE_marshal(const TPM2B_SENSITIVE *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPM2B_SENSITIVE_unmarshal(TPM2B_SENSITIVE *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_SIGNATURE_RSA_marshal(const TPMS_SIGNATURE_RSA *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_SIGNATURE_RSA_unmarshal(TPMS_SIGNATURE_RSA *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPMS_SIGNATURE_ECC_marshal(const TPMS_SIGNATURE_ECC *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_SIGNATURE_ECC_unmarshal(TPMS_SIGNATURE_ECC *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPMS_SIGNATURE_HASH_MLDSA_marshal(const TPMS_SIGNATURE_HASH_MLDSA *src, uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPMS_SIGNATURE_HASH_MLDSA_unmarshal(TPMS_SIGNATURE_HASH_MLDSA *dst, const uint8_t buf[],
                                                size_t size, size_t *offset);
TPM_RC qtpm_TPMU_SIGNATURE_marshal(const TPMU_SIGNATURE *src, uint8_t buf[], size_t size,
                                   size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_SIGNATURE_unmarshal(TPMU_SIGNATURE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_SIGNATURE_marshal(const TPMT_SIGNATURE *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMT_SIGNATURE_unmarshal(TPMT_SIGNATURE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset, BOOL allow_null);
TPM_RC qtpm_TPMS_ID_OBJECT_marshal(const TPMS_ID_OBJECT *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMS_ID_OBJECT_unmarshal(TPMS_ID_OBJECT *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);

/* ---- PCR selections, tickets, clock/time, attestation, creation data
 * (§10.5, §10.6, §10.11, §10.12, §15). */

TPM_RC qtpm_TPMS_PCR_SELECT_marshal(const TPMS_PCR_SELECT *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMS_PCR_SELECT_unmarshal(TPMS_PCR_SELECT *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_PCR_SELECTION_marshal(const TPMS_PCR_SELECTION *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_PCR_SELECTION_unmarshal(TPMS_PCR_SELECTION *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPMS_TAGGED_PCR_SELECT_marshal(const TPMS_TAGGED_PCR_SELECT *src, uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPMS_TAGGED_PCR_SELECT_unmarshal(TPMS_TAGGED_PCR_SELECT *dst, const uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPMT_TK_CREATION_marshal(const TPMT_TK_CREATION *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMT_TK_CREATION_unmarshal(TPMT_TK_CREATION *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMT_TK_AUTH_marshal(const TPMT_TK_AUTH *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPMT_TK_AUTH_unmarshal(TPMT_TK_AUTH *dst, const uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMT_TK_HASHCHECK_marshal(const TPMT_TK_HASHCHECK *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMT_TK_HASHCHECK_unmarshal(TPMT_TK_HASHCHECK *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMU_TK_VERIFIED_META_marshal(const TPMU_TK_VERIFIED_META *src, uint8_t buf[],
                                          size_t size, size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_TK_VERIFIED_META_unmarshal(TPMU_TK_VERIFIED_META *dst, const uint8_t buf[],
                                            size_t size, size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMT_TK_VERIFIED_marshal(const TPMT_TK_VERIFIED *src, uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMT_TK_VERIFIED_unmarshal(TPMT_TK_VERIFIED *dst, const uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_CLOCK_INFO_marshal(const TPMS_CLOCK_INFO *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMS_CLOCK_INFO_unmarshal(TPMS_CLOCK_INFO *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_TIME_INFO_marshal(const TPMS_TIME_INFO *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMS_TIME_INFO_unmarshal(TPMS_TIME_INFO *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMS_TIME_ATTEST_INFO_marshal(const TPMS_TIME_ATTEST_INFO *src, uint8_t buf[],
                                          size_t size, size_t *offset);
TPM_RC qtpm_TPMS_TIME_ATTEST_INFO_unmarshal(TPMS_TIME_ATTEST_INFO *dst, const uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPMS_CERTIFY_INFO_marshal(const TPMS_CERTIFY_INFO *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_CERTIFY_INFO_unmarshal(TPMS_CERTIFY_INFO *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMS_QUOTE_INFO_marshal(const TPMS_QUOTE_INFO *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPMS_QUOTE_INFO_unmarshal(TPMS_QUOTE_INFO *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_COMMAND_AUDIT_INFO_marshal(const TPMS_COMMAND_AUDIT_INFO *src, uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPMS_COMMAND_AUDIT_INFO_unmarshal(TPMS_COMMAND_AUDIT_INFO *dst, const uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPMS_SESSION_AUDIT_INFO_marshal(const TPMS_SESSION_AUDIT_INFO *src, uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPMS_SESSION_AUDIT_INFO_unmarshal(TPMS_SESSION_AUDIT_INFO *dst, const uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPMS_CREATION_INFO_marshal(const TPMS_CREATION_INFO *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_CREATION_INFO_unmarshal(TPMS_CREATION_INFO *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPMS_NV_CERTIFY_INFO_marshal(const TPMS_NV_CERTIFY_INFO *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMS_NV_CERTIFY_INFO_unmarshal(TPMS_NV_CERTIFY_INFO *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPMS_NV_DIGEST_CERTIFY_INFO_marshal(const TPMS_NV_DIGEST_CERTIFY_INFO *src,
                                                uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMS_NV_DIGEST_CERTIFY_INFO_unmarshal(TPMS_NV_DIGEST_CERTIFY_INFO *dst,
                                                  const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMU_ATTEST_marshal(const TPMU_ATTEST *src, uint8_t buf[], size_t size, size_t *offset,
                                UINT32 selector);
TPM_RC qtpm_TPMU_ATTEST_unmarshal(TPMU_ATTEST *dst, const uint8_t buf[], size_t size,
                                  size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMS_ATTEST_marshal(const TPMS_ATTEST *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPMS_ATTEST_unmarshal(TPMS_ATTEST *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMS_CREATION_DATA_marshal(const TPMS_CREATION_DATA *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_CREATION_DATA_unmarshal(TPMS_CREATION_DATA *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPM2B_CREATION_DATA_marshal(const TPM2B_CREATION_DATA *src, uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPM2B_CREATION_DATA_unmarshal(TPM2B_CREATION_DATA *dst, const uint8_t buf[],
                                          size_t size, size_t *offset);

/* ---- Lists (§10.9) and capability data (§10.10). */

TPM_RC qtpm_TPML_CC_marshal(const TPML_CC *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPML_CC_unmarshal(TPML_CC *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPML_CCA_marshal(const TPML_CCA *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPML_CCA_unmarshal(TPML_CCA *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPML_ALG_marshal(const TPML_ALG *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPML_ALG_unmarshal(TPML_ALG *dst, const uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPML_HANDLE_marshal(const TPML_HANDLE *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPML_HANDLE_unmarshal(TPML_HANDLE *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPML_DIGEST_marshal(const TPML_DIGEST *src, uint8_t buf[], size_t size, size_t *offset);
TPM_RC qtpm_TPML_DIGEST_unmarshal(TPML_DIGEST *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPML_DIGEST_VALUES_marshal(const TPML_DIGEST_VALUES *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPML_DIGEST_VALUES_unmarshal(TPML_DIGEST_VALUES *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPML_PCR_SELECTION_marshal(const TPML_PCR_SELECTION *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPML_PCR_SELECTION_unmarshal(TPML_PCR_SELECTION *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);
TPM_RC qtpm_TPMS_ALG_PROPERTY_marshal(const TPMS_ALG_PROPERTY *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_ALG_PROPERTY_unmarshal(TPMS_ALG_PROPERTY *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPML_ALG_PROPERTY_marshal(const TPML_ALG_PROPERTY *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPML_ALG_PROPERTY_unmarshal(TPML_ALG_PROPERTY *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMS_TAGGED_PROPERTY_marshal(const TPMS_TAGGED_PROPERTY *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMS_TAGGED_PROPERTY_unmarshal(TPMS_TAGGED_PROPERTY *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);
TPM_RC qtpm_TPML_TAGGED_TPM_PROPERTY_marshal(const TPML_TAGGED_TPM_PROPERTY *src, uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPML_TAGGED_TPM_PROPERTY_unmarshal(TPML_TAGGED_TPM_PROPERTY *dst, const uint8_t buf[],
                                               size_t size, size_t *offset);
TPM_RC qtpm_TPML_TAGGED_PCR_PROPERTY_marshal(const TPML_TAGGED_PCR_PROPERTY *src, uint8_t buf[],
                                             size_t size, size_t *offset);
TPM_RC qtpm_TPML_TAGGED_PCR_PROPERTY_unmarshal(TPML_TAGGED_PCR_PROPERTY *dst, const uint8_t buf[],
                                               size_t size, size_t *offset);
TPM_RC qtpm_TPML_ECC_CURVE_marshal(const TPML_ECC_CURVE *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPML_ECC_CURVE_unmarshal(TPML_ECC_CURVE *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPMS_TAGGED_POLICY_marshal(const TPMS_TAGGED_POLICY *src, uint8_t buf[],
                                       size_t size, size_t *offset);
TPM_RC qtpm_TPMS_TAGGED_POLICY_unmarshal(TPMS_TAGGED_POLICY *dst, const uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPML_TAGGED_POLICY_marshal(const TPML_TAGGED_POLICY *src, uint8_t buf[],
                                       size_t size, size_t *offset);
TPM_RC qtpm_TPML_TAGGED_POLICY_unmarshal(TPML_TAGGED_POLICY *dst, const uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMS_ACT_DATA_marshal(const TPMS_ACT_DATA *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPMS_ACT_DATA_unmarshal(TPMS_ACT_DATA *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPML_ACT_DATA_marshal(const TPML_ACT_DATA *src, uint8_t buf[], size_t size,
                                  size_t *offset);
TPM_RC qtpm_TPML_ACT_DATA_unmarshal(TPML_ACT_DATA *dst, const uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPML_INTEL_PTT_PROPERTY_marshal(const TPML_INTEL_PTT_PROPERTY *src, uint8_t buf[],
                                            size_t size, size_t *offset);
TPM_RC qtpm_TPML_INTEL_PTT_PROPERTY_unmarshal(TPML_INTEL_PTT_PROPERTY *dst, const uint8_t buf[],
                                              size_t size, size_t *offset);
TPM_RC qtpm_TPMU_CAPABILITIES_marshal(const TPMU_CAPABILITIES *src, uint8_t buf[], size_t size,
                                      size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMU_CAPABILITIES_unmarshal(TPMU_CAPABILITIES *dst, const uint8_t buf[], size_t size,
                                        size_t *offset, UINT32 selector);
TPM_RC qtpm_TPMS_CAPABILITY_DATA_marshal(const TPMS_CAPABILITY_DATA *src, uint8_t buf[],
                                         size_t size, size_t *offset);
TPM_RC qtpm_TPMS_CAPABILITY_DATA_unmarshal(TPMS_CAPABILITY_DATA *dst, const uint8_t buf[],
                                           size_t size, size_t *offset);

/* ---- NV public areas (§13), contexts (§14), session authorizations (§10.13). */

TPM_RC qtpm_TPMS_NV_PUBLIC_marshal(const TPMS_NV_PUBLIC *src, uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMS_NV_PUBLIC_unmarshal(TPMS_NV_PUBLIC *dst, const uint8_t buf[], size_t size,
                                     size_t *offset);
TPM_RC qtpm_TPM2B_NV_PUBLIC_marshal(const TPM2B_NV_PUBLIC *src, uint8_t buf[], size_t size,
                                    size_t *offset);
TPM_RC qtpm_TPM2B_NV_PUBLIC_unmarshal(TPM2B_NV_PUBLIC *dst, const uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_CONTEXT_DATA_marshal(const TPMS_CONTEXT_DATA *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_CONTEXT_DATA_unmarshal(TPMS_CONTEXT_DATA *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMS_CONTEXT_marshal(const TPMS_CONTEXT *src, uint8_t buf[], size_t size,
                                 size_t *offset);
TPM_RC qtpm_TPMS_CONTEXT_unmarshal(TPMS_CONTEXT *dst, const uint8_t buf[], size_t size,
                                   size_t *offset);
TPM_RC qtpm_TPMS_AUTH_COMMAND_marshal(const TPMS_AUTH_COMMAND *src, uint8_t buf[], size_t size,
                                      size_t *offset);
TPM_RC qtpm_TPMS_AUTH_COMMAND_unmarshal(TPMS_AUTH_COMMAND *dst, const uint8_t buf[], size_t size,
                                        size_t *offset);
TPM_RC qtpm_TPMS_AUTH_RESPONSE_marshal(const TPMS_AUTH_RESPONSE *src, uint8_t buf[], size_t size,
                                       size_t *offset);
TPM_RC qtpm_TPMS_AUTH_RESPONSE_unmarshal(TPMS_AUTH_RESPONSE *dst, const uint8_t buf[], size_t size,
                                         size_t *offset);

#endif
