/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tmarshal.h — the object structures through the shared marshalling module
 * plus the engine's algorithm checks (tmarshal.c): public and sensitive
 * areas, signature schemes and signatures, public parameters.
 */
#ifndef QTPM_ENGINE_TMARSHAL_H
#define QTPM_ENGINE_TMARSHAL_H

#include "cursor.h"
#include "tpm.h"

TPM_RC tm_public_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_PUBLIC *pub, int allow_null_alg);
void tm_public_write(tpm_wr *w, const TPMT_PUBLIC *pub);
/* The sensitive types an object of this engine can have: 1 for RSA, ECC,
 * KEYEDHASH, SYMCIPHER, ML-KEM, ML-DSA and HashML-DSA, 0 otherwise. */
int tm_sensitive_type_ok(TPM_ALG_ID type);
TPM_RC tm_sensitive_read(tpm_rd *r, TPMT_SENSITIVE *s, TPM_ALG_ID type);
void tm_sensitive_write(tpm_wr *w, const TPMT_SENSITIVE *s);
TPM_RC tm_sig_scheme_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_SIG_SCHEME *s);
TPM_RC tm_signature_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_SIGNATURE *s);
void tm_signature_write(tpm_wr *w, const TPMT_SIGNATURE *s);
TPM_RC tm_parms_read(const qtpm_tpm *tpm, tpm_rd *r, TPM_ALG_ID type, TPMU_PUBLIC_PARMS *p);

/* Adapters of typed command parameters (params.h) for the structures whose
 * acceptance depends on what this engine implements: the Part 2 type with
 * the checks above (tm_public_read, tm_sig_scheme_read, ...). Each is a
 * type name of its own, so a parameter list says which rule applies:
 *   TPM2B_PUBLIC_CHECKED(_NULL)        TPM2B_PUBLIC (+), tm_public_read's checks
 *   TPMT_SIG_SCHEME_CHECKED_NULL       TPMT_SIG_SCHEME+, tm_sig_scheme_read
 *   TPMT_SIGNATURE_CHECKED_NULL        TPMT_SIGNATURE, tm_signature_read (a NULL
 *                                      signature unmarshals; the handler refuses it)
 *   TPMT_SYM_DEF_OBJECT_CHECKED_NULL   TPMT_SYM_DEF_OBJECT+ of a duplication
 *                                      wrapper: AES-128/192/256 in CFB or NULL
 *   TPMT_RSA_DECRYPT_CHECKED_NULL      TPMT_RSA_DECRYPT+: NULL, RSAES, OAEP
 *   TPM2B_ECC_POINT_EMPTY              TPM2B_ECC_POINT that may be the Empty Point
 *                                      (size 0, or size 4 with empty coordinates;
 *                                      Commit's P1, ZGen_2Phase's points)
 *   TPMT_PUBLIC_PARMS_CHECKED          TPMT_PUBLIC_PARMS, tm_parms_read (TestParms)
 * Codes are bare (dispatch numbers them); on failure *off is unchanged. */
#define TM_PARAM_TYPES(X)                                                                 \
    X(TPM2B_PUBLIC_CHECKED, TPM2B_PUBLIC) X(TPM2B_PUBLIC_CHECKED_NULL, TPM2B_PUBLIC)       \
    X(TPMT_SIG_SCHEME_CHECKED_NULL, TPMT_SIG_SCHEME)                                       \
    X(TPMT_SIGNATURE_CHECKED_NULL, TPMT_SIGNATURE)                                         \
    X(TPMT_SYM_DEF_OBJECT_CHECKED_NULL, TPMT_SYM_DEF_OBJECT)                               \
    X(TPMT_RSA_DECRYPT_CHECKED_NULL, TPMT_RSA_DECRYPT)                                     \
    X(TPM2B_ECC_POINT_EMPTY, TPM2B_ECC_POINT)                                             \
    X(TPMT_PUBLIC_PARMS_CHECKED, TPMT_PUBLIC_PARMS)
#define TM_DECLARE_PARAM_(T, BASE)                                                       \
    typedef BASE T;                                                                       \
    TPM_RC prm_un_##T(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,     \
                      size_t *off);                                                        \
    TPM_RC prm_m_##T(const void *src, uint8_t *buf, size_t cap, size_t *off);
TM_PARAM_TYPES(TM_DECLARE_PARAM_)
#undef TM_DECLARE_PARAM_

/* the plain adapters of qtpm's vendor LDAA piece (keycmds.h) */
TPM_RC prm_un_TPM2B_VENDOR_LDAA_PIECE(const qtpm_tpm *tpm, void *dst, const uint8_t *buf,
                                      size_t size, size_t *off);
TPM_RC prm_m_TPM2B_VENDOR_LDAA_PIECE(const void *src, uint8_t *buf, size_t cap, size_t *off);

#endif
