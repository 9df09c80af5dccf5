/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_pqc.c — command layer: the post-quantum commands of TPM 2.0 Library
 * v1.85 (DESIGN.md decision 1) and SequenceUpdate, which their sign and
 * verify sequences share with the hash sequences (Part 3 §17.5).
 *
 *   Encapsulate 0x1A7 / Decapsulate 0x1A8            ML-KEM (Part 3 §14)
 *   SignDigest 0x1A6 / VerifyDigestSignature 0x1A5   digests and external μ (§20)
 *   SignSequenceStart 0x1AA / SignSequenceComplete 0x1A4
 *   VerifySequenceStart 0x1A9 / VerifySequenceComplete 0x1A3   whole messages (§17, §20)
 *
 * Parameter order is Part 3 v1.85's: SignDigest and VerifyDigestSignature
 * take the context string first, then the digest; VerifySequenceStart takes
 * auth, hint, context; SignSequenceStart auth, context. The sequence's own
 * authValue (auth) authorizes its handle in SequenceUpdate and *Complete;
 * the key is authorized only in SignSequenceComplete (the USER role), not
 * at SignSequenceStart. Encapsulate needs no authorization (it uses only the
 * public key); Decapsulate needs the key's USER role.
 */
#include <string.h>

#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

int qtpm_tss_Encapsulate(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         TPM2B_SHARED_SECRET *shared_secret, TPM2B_KEM_CIPHERTEXT *ciphertext)
{
    qtpm_tss_response r;
    int rc = tss_run(t, TPM_CC_Encapsulate, &key, 1, 0, auths, NULL, 0, 0, &r);
    if (rc)
        return rc;
    size_t o = 0;
    TPM_RC m = qtpm_TPM2B_SHARED_SECRET_unmarshal(shared_secret, r.params, r.params_len, &o);
    m |= qtpm_TPM2B_KEM_CIPHERTEXT_unmarshal(ciphertext, r.params, r.params_len, &o);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_Decapsulate(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         const TPM2B_KEM_CIPHERTEXT *ciphertext,
                         TPM2B_SHARED_SECRET *shared_secret)
{
    uint8_t p[sizeof(TPM2B_KEM_CIPHERTEXT)];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPM2B_KEM_CIPHERTEXT_marshal(ciphertext, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_Decapsulate, &key, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPM2B_SHARED_SECRET_unmarshal(shared_secret, r.params, r.params_len, &o),
                       &o, &r);
}

int qtpm_tss_SignDigest(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                        const TPM2B_SIGNATURE_CTX *context, const TPM2B_DIGEST *digest,
                        const TPMT_TK_HASHCHECK *validation, TPMT_SIGNATURE *signature)
{
    uint8_t p[sizeof(TPM2B_SIGNATURE_CTX) + sizeof(TPM2B_DIGEST) + sizeof(TPMT_TK_HASHCHECK)];
    size_t o = 0;
    qtpm_tss_response r;
    static const TPM2B_SIGNATURE_CTX empty_ctx;
    /* a NULL ticket: "the digest was not made by the TPM" (Part 2 §10.6.5) */
    TPMT_TK_HASHCHECK null_ticket = { .tag = TPM_ST_HASHCHECK, .hierarchy = TPM_RH_NULL };
    TPM_RC m = qtpm_TPM2B_SIGNATURE_CTX_marshal(context ? context : &empty_ctx, p, sizeof p, &o);
    m |= qtpm_TPM2B_DIGEST_marshal(digest, p, sizeof p, &o);
    m |= qtpm_TPMT_TK_HASHCHECK_marshal(validation ? validation : &null_ticket, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_SignDigest, &key, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPMT_SIGNATURE_unmarshal(signature, r.params, r.params_len, &o, 0), &o,
                       &r);
}

int qtpm_tss_VerifyDigestSignature(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                                   const TPM2B_SIGNATURE_CTX *context, const TPM2B_DIGEST *digest,
                                   const TPMT_SIGNATURE *signature, TPMT_TK_VERIFIED *validation)
{
    uint8_t p[QTPM_TCTI_MAX_BUFFER];
    size_t o = 0;
    qtpm_tss_response r;
    static const TPM2B_SIGNATURE_CTX empty_ctx;
    TPMT_TK_VERIFIED tk;
    TPM_RC m = qtpm_TPM2B_SIGNATURE_CTX_marshal(context ? context : &empty_ctx, p, sizeof p, &o);
    m |= qtpm_TPM2B_DIGEST_marshal(digest, p, sizeof p, &o);
    m |= qtpm_TPMT_SIGNATURE_marshal(signature, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_VerifyDigestSignature, &key, 1, 0, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPMT_TK_VERIFIED_unmarshal(validation ? validation : &tk, r.params,
                                                       r.params_len, &o), &o, &r);
}

int qtpm_tss_SignSequenceStart(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                               const TPM2B_AUTH *auth, const TPM2B_SIGNATURE_CTX *context,
                               TPMI_DH_OBJECT *sequence)
{
    uint8_t p[sizeof(TPM2B_AUTH) + sizeof(TPM2B_SIGNATURE_CTX)];
    size_t o = 0;
    qtpm_tss_response r;
    static const TPM2B_AUTH empty_auth;
    static const TPM2B_SIGNATURE_CTX empty_ctx;
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(auth ? auth : &empty_auth, p, sizeof p, &o);
    m |= qtpm_TPM2B_SIGNATURE_CTX_marshal(context ? context : &empty_ctx, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_SignSequenceStart, &key, 1, 0, auths, p, o, 1, &r);
    if (rc)
        return rc;
    return tss_sequence_started(t, &r, sequence);
}

int qtpm_tss_VerifySequenceStart(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                                 const TPM2B_AUTH *auth, const TPM2B_SIGNATURE_HINT *hint,
                                 const TPM2B_SIGNATURE_CTX *context, TPMI_DH_OBJECT *sequence)
{
    uint8_t p[sizeof(TPM2B_AUTH) + sizeof(TPM2B_SIGNATURE_HINT) + sizeof(TPM2B_SIGNATURE_CTX)];
    size_t o = 0;
    qtpm_tss_response r;
    static const TPM2B_AUTH empty_auth;
    static const TPM2B_SIGNATURE_HINT empty_hint;
    static const TPM2B_SIGNATURE_CTX empty_ctx;
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(auth ? auth : &empty_auth, p, sizeof p, &o);
    m |= qtpm_TPM2B_SIGNATURE_HINT_marshal(hint ? hint : &empty_hint, p, sizeof p, &o);
    m |= qtpm_TPM2B_SIGNATURE_CTX_marshal(context ? context : &empty_ctx, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_VerifySequenceStart, &key, 1, 0, auths, p, o, 1, &r);
    if (rc)
        return rc;
    return tss_sequence_started(t, &r, sequence);
}

int qtpm_tss_SequenceUpdate(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT sequence,
                            const TPM2B_MAX_BUFFER *buffer)
{
    uint8_t p[sizeof(TPM2B_MAX_BUFFER)];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPM2B_MAX_BUFFER_marshal(buffer, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_SequenceUpdate, &sequence, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    return r.params_len == 0 ? QTPM_OK : QTPM_TSS_E_PROTOCOL;
}

int qtpm_tss_SignSequenceComplete(qtpm_tss *t, const qtpm_tss_auths *auths,
                                  TPMI_DH_OBJECT sequence, TPMI_DH_OBJECT key,
                                  const TPM2B_MAX_BUFFER *buffer, TPMT_SIGNATURE *signature)
{
    uint8_t p[sizeof(TPM2B_MAX_BUFFER)];
    size_t o = 0;
    qtpm_tss_response r;
    static const TPM2B_MAX_BUFFER empty;
    const TPM_HANDLE h[2] = { sequence, key };
    if (qtpm_TPM2B_MAX_BUFFER_marshal(buffer ? buffer : &empty, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_SignSequenceComplete, h, 2, 2, auths, p, o, 0, &r);
    if (rc)
        return rc;
    qtpm_tss_forget_name(t, sequence); /* the TPM flushed the sequence */
    o = 0;
    return tss_rsp_end(qtpm_TPMT_SIGNATURE_unmarshal(signature, r.params, r.params_len, &o, 0), &o,
                       &r);
}

int qtpm_tss_VerifySequenceComplete(qtpm_tss *t, const qtpm_tss_auths *auths,
                                    TPMI_DH_OBJECT sequence, TPMI_DH_OBJECT key,
                                    const TPMT_SIGNATURE *signature, TPMT_TK_VERIFIED *validation)
{
    uint8_t p[QTPM_TCTI_MAX_BUFFER];
    size_t o = 0;
    qtpm_tss_response r;
    TPMT_TK_VERIFIED tk;
    const TPM_HANDLE h[2] = { sequence, key };
    if (qtpm_TPMT_SIGNATURE_marshal(signature, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_VerifySequenceComplete, h, 2, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    qtpm_tss_forget_name(t, sequence); /* the TPM flushed the sequence */
    o = 0;
    return tss_rsp_end(qtpm_TPMT_TK_VERIFIED_unmarshal(validation ? validation : &tk, r.params,
                                                       r.params_len, &o), &o, &r);
}
