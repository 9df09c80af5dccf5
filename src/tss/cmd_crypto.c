/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_crypto.c — command layer: signing and verification, hashing and HMAC
 * (TPM 2.0 Part 3 §20, §15, §17), attestation (§18), credentials (§12.5,
 * §12.6) and the asymmetric primitives (§14).
 */
#include <string.h>

#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

static const TPM2B_DATA empty_data;

int qtpm_tss_Sign(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                  const TPM2B_DIGEST *digest, const TPMT_SIG_SCHEME *in_scheme,
                  const TPMT_TK_HASHCHECK *validation, TPMT_SIGNATURE *signature)
{
    uint8_t p[512];
    size_t o = 0;
    qtpm_tss_response r;
    /* a NULL ticket says "the digest was not made by the TPM" (Part 2 §10.6.5) */
    TPMT_TK_HASHCHECK null_ticket = { .tag = TPM_ST_HASHCHECK, .hierarchy = TPM_RH_NULL };
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(digest, p, sizeof p, &o);
    m |= qtpm_TPMT_SIG_SCHEME_marshal(in_scheme, p, sizeof p, &o);
    m |= qtpm_TPMT_TK_HASHCHECK_marshal(validation ? validation : &null_ticket, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_Sign, &key, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPMT_SIGNATURE_unmarshal(signature, r.params, r.params_len, &o, 0), &o, &r);
}

int qtpm_tss_VerifySignature(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                             const TPM2B_DIGEST *digest, const TPMT_SIGNATURE *signature,
                             TPMT_TK_VERIFIED *validation)
{
    uint8_t p[QTPM_TCTI_MAX_BUFFER];
    size_t o = 0;
    qtpm_tss_response r;
    TPMT_TK_VERIFIED tk;
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(digest, p, sizeof p, &o);
    m |= qtpm_TPMT_SIGNATURE_marshal(signature, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_VerifySignature, &key, 1, 0, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPMT_TK_VERIFIED_unmarshal(validation ? validation : &tk, r.params,
                                                       r.params_len, &o), &o, &r);
}

int qtpm_tss_Hash(qtpm_tss *t, const qtpm_tss_auths *auths, const TPM2B_MAX_BUFFER *data,
                  TPMI_ALG_HASH hash_alg, TPMI_RH_HIERARCHY hierarchy, TPM2B_DIGEST *out_hash,
                  TPMT_TK_HASHCHECK *validation)
{
    uint8_t p[sizeof(TPM2B_MAX_BUFFER) + 8];
    size_t o = 0;
    qtpm_tss_response r;
    TPMT_TK_HASHCHECK tk;
    TPM_RC m = qtpm_TPM2B_MAX_BUFFER_marshal(data, p, sizeof p, &o);
    m |= qtpm_TPMI_ALG_HASH_marshal(&hash_alg, p, sizeof p, &o);
    m |= qtpm_TPMI_RH_HIERARCHY_marshal(&hierarchy, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_Hash, NULL, 0, 0, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_DIGEST_unmarshal(out_hash, r.params, r.params_len, &o);
    m |= qtpm_TPMT_TK_HASHCHECK_unmarshal(validation ? validation : &tk, r.params,
                                          r.params_len, &o);
    return tss_rsp_end(m, &o, &r);
}

/* A hash or HMAC sequence object has no public area (Part 1 §32.3): its
 * Name is its handle, which ReadPublic cannot tell, so the Name cache is
 * told here for the cpHash of later session-authorized commands. */
/* The response of every *SequenceStart / HMAC_Start: a handle area only. A
 * sequence object's Name is the Empty Buffer (Part 1 §32.4.6) and ReadPublic
 * cannot tell it, so the name cache is told here. */
int tss_sequence_started(qtpm_tss *t, const qtpm_tss_response *r, TPMI_DH_OBJECT *seq)
{
    if (r->params_len != 0)
        return QTPM_TSS_E_PROTOCOL;
    TPM2B_NAME name;
    name.size = 0;
    *seq = r->handle;
    return qtpm_tss_set_name(t, r->handle, &name);
}

int qtpm_tss_HashSequenceStart(qtpm_tss *t, const qtpm_tss_auths *auths, const TPM2B_AUTH *auth,
                               TPMI_ALG_HASH hash_alg, TPMI_DH_OBJECT *sequence)
{
    uint8_t p[sizeof(TPM2B_AUTH) + 2];
    size_t o = 0;
    qtpm_tss_response r;
    static const TPM2B_AUTH empty;
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(auth ? auth : &empty, p, sizeof p, &o);
    m |= qtpm_UINT16_marshal(&hash_alg, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_HashSequenceStart, NULL, 0, 0, auths, p, o, 1, &r);
    if (rc)
        return rc;
    return tss_sequence_started(t, &r, sequence);
}

int qtpm_tss_HMAC_Start(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT handle,
                        const TPM2B_AUTH *auth, TPMI_ALG_HASH hash_alg, TPMI_DH_OBJECT *sequence)
{
    uint8_t p[sizeof(TPM2B_AUTH) + 2];
    size_t o = 0;
    qtpm_tss_response r;
    static const TPM2B_AUTH empty;
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(auth ? auth : &empty, p, sizeof p, &o);
    /* TPMI_ALG_HASH+ : TPM_ALG_NULL selects the key's own scheme */
    m |= qtpm_UINT16_marshal(&hash_alg, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_HMAC_Start, &handle, 1, 1, auths, p, o, 1, &r);
    if (rc)
        return rc;
    return tss_sequence_started(t, &r, sequence);
}

int qtpm_tss_SequenceComplete(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT sequence,
                              const TPM2B_MAX_BUFFER *buffer, TPMI_RH_HIERARCHY hierarchy,
                              TPM2B_DIGEST *result, TPMT_TK_HASHCHECK *validation)
{
    uint8_t p[sizeof(TPM2B_MAX_BUFFER) + 4];
    size_t o = 0;
    qtpm_tss_response r;
    TPMT_TK_HASHCHECK tk;
    static const TPM2B_MAX_BUFFER empty;
    TPM_RC m = qtpm_TPM2B_MAX_BUFFER_marshal(buffer ? buffer : &empty, p, sizeof p, &o);
    m |= qtpm_UINT32_marshal(&hierarchy, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_SequenceComplete, &sequence, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_DIGEST_unmarshal(result, r.params, r.params_len, &o);
    m |= qtpm_TPMT_TK_HASHCHECK_unmarshal(validation ? validation : &tk, r.params, r.params_len,
                                          &o);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_EventSequenceComplete(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PCR pcr,
                                   TPMI_DH_OBJECT sequence, const TPM2B_MAX_BUFFER *buffer,
                                   TPML_DIGEST_VALUES *results)
{
    uint8_t p[sizeof(TPM2B_MAX_BUFFER)];
    size_t o = 0;
    qtpm_tss_response r;
    TPML_DIGEST_VALUES ignored;
    static const TPM2B_MAX_BUFFER empty;
    TPM_HANDLE h[2] = { pcr, sequence };
    if (qtpm_TPM2B_MAX_BUFFER_marshal(buffer ? buffer : &empty, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_EventSequenceComplete, h, 2, 2, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPML_DIGEST_VALUES_unmarshal(results ? results : &ignored, r.params,
                                                         r.params_len, &o),
                       &o, &r);
}

int qtpm_tss_HMAC(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT handle,
                  const TPM2B_MAX_BUFFER *buffer, TPMI_ALG_HASH hash_alg, TPM2B_DIGEST *out_hmac)
{
    uint8_t p[sizeof(TPM2B_MAX_BUFFER) + 4];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_TPM2B_MAX_BUFFER_marshal(buffer, p, sizeof p, &o);
    /* TPMI_ALG_HASH+ : TPM_ALG_NULL selects the key's own scheme */
    m |= qtpm_UINT16_marshal(&hash_alg, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_HMAC, &handle, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPM2B_DIGEST_unmarshal(out_hmac, r.params, r.params_len, &o), &o, &r);
}

int qtpm_tss_Quote(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT sign_handle,
                   const TPM2B_DATA *qualifying_data, const TPMT_SIG_SCHEME *in_scheme,
                   const TPML_PCR_SELECTION *pcr_select, TPM2B_ATTEST *quoted,
                   TPMT_SIGNATURE *signature)
{
    uint8_t p[512];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_TPM2B_DATA_marshal(qualifying_data ? qualifying_data : &empty_data, p,
                                       sizeof p, &o);
    m |= qtpm_TPMT_SIG_SCHEME_marshal(in_scheme, p, sizeof p, &o);
    m |= qtpm_TPML_PCR_SELECTION_marshal(pcr_select, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_Quote, &sign_handle, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_ATTEST_unmarshal(quoted, r.params, r.params_len, &o);
    m |= qtpm_TPMT_SIGNATURE_unmarshal(signature, r.params, r.params_len, &o, 0);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_GetTime(qtpm_tss *t, const qtpm_tss_auths *auths,
                     TPMI_RH_ENDORSEMENT privacy_admin_handle, TPMI_DH_OBJECT sign_handle,
                     const TPM2B_DATA *qualifying_data, const TPMT_SIG_SCHEME *in_scheme,
                     TPM2B_ATTEST *time_info, TPMT_SIGNATURE *signature)
{
    uint8_t p[512];
    size_t o = 0;
    qtpm_tss_response r;
    TPMT_SIG_SCHEME null_scheme = { .scheme = TPM_ALG_NULL };
    TPM_HANDLE h[2] = { privacy_admin_handle, sign_handle };
    TPM_RC m = qtpm_TPM2B_DATA_marshal(qualifying_data ? qualifying_data : &empty_data, p,
                                       sizeof p, &o);
    m |= qtpm_TPMT_SIG_SCHEME_marshal(in_scheme ? in_scheme : &null_scheme, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_GetTime, h, 2, 2, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_ATTEST_unmarshal(time_info, r.params, r.params_len, &o);
    m |= qtpm_TPMT_SIGNATURE_unmarshal(signature, r.params, r.params_len, &o, 1);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_Certify(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT object_handle,
                     TPMI_DH_OBJECT sign_handle, const TPM2B_DATA *qualifying_data,
                     const TPMT_SIG_SCHEME *in_scheme, TPM2B_ATTEST *certify_info,
                     TPMT_SIGNATURE *signature)
{
    uint8_t p[512];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_HANDLE h[2] = { object_handle, sign_handle };
    TPM_RC m = qtpm_TPM2B_DATA_marshal(qualifying_data ? qualifying_data : &empty_data, p,
                                       sizeof p, &o);
    m |= qtpm_TPMT_SIG_SCHEME_marshal(in_scheme, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_Certify, h, 2, 2, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_ATTEST_unmarshal(certify_info, r.params, r.params_len, &o);
    m |= qtpm_TPMT_SIGNATURE_unmarshal(signature, r.params, r.params_len, &o, 0);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_MakeCredential(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT handle,
                            const TPM2B_DIGEST *credential, const TPM2B_NAME *object_name,
                            TPM2B_ID_OBJECT *credential_blob, TPM2B_ENCRYPTED_SECRET *secret)
{
    uint8_t p[256];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(credential, p, sizeof p, &o);
    m |= qtpm_TPM2B_NAME_marshal(object_name, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_MakeCredential, &handle, 1, 0, auths, p, o, 0, &r);
    qtpm_memzero(p, sizeof p);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_ID_OBJECT_unmarshal(credential_blob, r.params, r.params_len, &o);
    m |= qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(secret, r.params, r.params_len, &o);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_ActivateCredential(qtpm_tss *t, const qtpm_tss_auths *auths,
                                TPMI_DH_OBJECT activate_handle, TPMI_DH_OBJECT key_handle,
                                const TPM2B_ID_OBJECT *credential_blob,
                                const TPM2B_ENCRYPTED_SECRET *secret, TPM2B_DIGEST *cert_info)
{
    uint8_t p[sizeof(TPM2B_ID_OBJECT) + sizeof(TPM2B_ENCRYPTED_SECRET)];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_HANDLE h[2] = { activate_handle, key_handle };
    TPM_RC m = qtpm_TPM2B_ID_OBJECT_marshal(credential_blob, p, sizeof p, &o);
    m |= qtpm_TPM2B_ENCRYPTED_SECRET_marshal(secret, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_ActivateCredential, h, 2, 2, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPM2B_DIGEST_unmarshal(cert_info, r.params, r.params_len, &o), &o, &r);
}

static int rsa_crypt(qtpm_tss *t, TPM_CC cc, size_t n_auth, const qtpm_tss_auths *auths,
                     TPMI_DH_OBJECT key, const TPM2B_PUBLIC_KEY_RSA *in,
                     const TPMT_RSA_DECRYPT *in_scheme, const TPM2B_DATA *label,
                     TPM2B_PUBLIC_KEY_RSA *out)
{
    uint8_t p[sizeof(TPM2B_PUBLIC_KEY_RSA) + sizeof(TPM2B_DATA) + 8];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_TPM2B_PUBLIC_KEY_RSA_marshal(in, p, sizeof p, &o);
    m |= qtpm_TPMT_RSA_DECRYPT_marshal(in_scheme, p, sizeof p, &o);
    m |= qtpm_TPM2B_DATA_marshal(label ? label : &empty_data, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, cc, &key, 1, n_auth, auths, p, o, 0, &r);
    qtpm_memzero(p, sizeof p);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPM2B_PUBLIC_KEY_RSA_unmarshal(out, r.params, r.params_len, &o), &o,
                       &r);
}

int qtpm_tss_RSA_Encrypt(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         const TPM2B_PUBLIC_KEY_RSA *message, const TPMT_RSA_DECRYPT *in_scheme,
                         const TPM2B_DATA *label, TPM2B_PUBLIC_KEY_RSA *out_data)
{
    return rsa_crypt(t, TPM_CC_RSA_Encrypt, 0, auths, key, message, in_scheme, label, out_data);
}

int qtpm_tss_RSA_Decrypt(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         const TPM2B_PUBLIC_KEY_RSA *cipher_text,
                         const TPMT_RSA_DECRYPT *in_scheme, const TPM2B_DATA *label,
                         TPM2B_PUBLIC_KEY_RSA *message)
{
    return rsa_crypt(t, TPM_CC_RSA_Decrypt, 1, auths, key, cipher_text, in_scheme, label, message);
}

int qtpm_tss_ECDH_ZGen(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                       const TPM2B_ECC_POINT *in_point, TPM2B_ECC_POINT *out_point)
{
    uint8_t p[sizeof(TPM2B_ECC_POINT) + 8];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPM2B_ECC_POINT_marshal(in_point, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_ECDH_ZGen, &key, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPM2B_ECC_POINT_unmarshal(out_point, r.params, r.params_len, &o), &o,
                       &r);
}

/* Part 3 §19.2 TPM2_Commit: the first half of an anonymous (ECDAA)
 * signature. p1 NULL or s2 NULL / y2 NULL send the Empty Point / Empty
 * Buffers. k, l (Empty Points without s2) and e may be NULL when not wanted. */
int qtpm_tss_Commit(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT sign_handle,
                    const TPM2B_ECC_POINT *p1, const TPM2B_SENSITIVE_DATA *s2,
                    const TPM2B_ECC_PARAMETER *y2, TPM2B_ECC_POINT *k, TPM2B_ECC_POINT *l,
                    TPM2B_ECC_POINT *e, UINT16 *counter)
{
    static const TPM2B_ECC_POINT empty_point;
    static const TPM2B_SENSITIVE_DATA empty_s2;
    static const TPM2B_ECC_PARAMETER empty_y2;
    uint8_t p[1024];
    size_t o = 0;
    qtpm_tss_response r;
    TPM2B_ECC_POINT tk, tl, te;
    UINT16 tc;
    TPM_RC m = qtpm_TPM2B_ECC_POINT_marshal(p1 ? p1 : &empty_point, p, sizeof p, &o);
    m |= qtpm_TPM2B_SENSITIVE_DATA_marshal(s2 ? s2 : &empty_s2, p, sizeof p, &o);
    m |= qtpm_TPM2B_ECC_PARAMETER_marshal(y2 ? y2 : &empty_y2, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_Commit, &sign_handle, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_ECC_POINT_unmarshal(k ? k : &tk, r.params, r.params_len, &o);
    m |= qtpm_TPM2B_ECC_POINT_unmarshal(l ? l : &tl, r.params, r.params_len, &o);
    m |= qtpm_TPM2B_ECC_POINT_unmarshal(e ? e : &te, r.params, r.params_len, &o);
    m |= qtpm_UINT16_unmarshal(counter ? counter : &tc, r.params, r.params_len, &o);
    return tss_rsp_end(m, &o, &r);
}
