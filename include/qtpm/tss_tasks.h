/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/tss_tasks.h — the task layer of libqtss: the multi-command flows the
 * seeds' device-management and wallet use cases need (DESIGN.md, "The
 * seeds' flows"), written on the command and session layers.
 *
 *  - keys: the TCG EK Credential Profile EK templates (RSA-2048 and NIST
 *    P-256 "low range", policy PolicySecret(TPM_RH_ENDORSEMENT)), the EK
 *    certificate from its NV index, a storage root key, and an attestation
 *    key (restricted signing key) under the EK, as tpm2-tools' createak does;
 *  - credentials: MakeCredential computed in software (Part 1 §24) and
 *    ActivateCredential on the TPM;
 *  - attestation: Quote and Certify, and their verification in software
 *    (TPMS_ATTEST magic and type, signature, nonce, PCR digest / name);
 *  - policies: policy digests computed in software, without a trial session;
 *  - sealing: seal and unseal a secret under a PCR policy.
 *
 * The verification and policy functions need no TPM (no qtpm_tss argument):
 * a remote verifier uses them on data it received.
 */
#ifndef QTPM_TSS_TASKS_H
#define QTPM_TSS_TASKS_H

#include "qtpm/tss.h"

/* A loaded key as the tasks pass it around. */
typedef struct {
    TPM_HANDLE handle;
    TPM2B_PUBLIC pub;
    TPM2B_NAME name;
} qtpm_tss_key;

/* ---------------------------------------------------------------- templates */

/* EK Credential Profile 2.x §B.3.3, templates L-1 (RSA 2048) and L-2 (ECC
 * NIST P-256): fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy,
 * restricted, decrypt; AES-128-CFB; policy = qtpm_tss_ek_policy_sha256;
 * unique zero-filled (256 bytes / 32+32 bytes).
 * TPM_ALG_MLKEM gives an ML-KEM-768 EK in the same style (the TCG
 * ML-KEM EK template text — PC Client PTP 1.07 requires ML-KEM EK
 * certificates, the EK Credential Profile defines the templates — was not
 * available to us): the same attributes, SHA-256 nameAlg, AES-128-CFB,
 * the same PolicySecret(TPM_RH_ENDORSEMENT) policy, parameter set
 * TPM_MLKEM_768, empty unique. docs/TSS.md records this choice. */
int qtpm_tss_template_ek(TPM_ALG_ID type, TPMT_PUBLIC *out);
/* The PolicySecret(TPM_RH_ENDORSEMENT) digest with SHA-256 of the EK templates. */
extern const TPM2B_DIGEST qtpm_tss_ek_policy_sha256;
/* A storage root key: restricted decrypt, AES-128-CFB, userWithAuth, noDA. */
int qtpm_tss_template_srk(TPM_ALG_ID type, TPMT_PUBLIC *out);
/* An attestation key: restricted sign, userWithAuth, RSASSA-SHA256 or
 * ECDSA-SHA256 (P-256), ML-DSA-44 (TPM_ALG_MLDSA, no external mu) or
 * HashML-DSA-44 with SHA-256 (TPM_ALG_HASH_MLDSA). The SRK template also
 * takes TPM_ALG_MLKEM (ML-KEM-768). */
int qtpm_tss_template_ak(TPM_ALG_ID type, TPMT_PUBLIC *out);
/* NV index of the ML-KEM-768 EK certificate: the next even index of the EK
 * Credential Profile's high range after RSA-4096's 0x01C0001E (no TCG
 * assignment exists yet; docs/PQC.md "Manufacture"). */
#define QTPM_EK_CERT_NV_MLKEM768 0x01C00020U
/* The NV index of the EK certificate (0x01C00002 RSA, 0x01C0000A ECC,
 * QTPM_EK_CERT_NV_MLKEM768 ML-KEM; 0 for any other type). */
TPM_HANDLE qtpm_tss_ek_cert_index(TPM_ALG_ID type);

/* Post-quantum keys (TPM 2.0 v1.85): fixedTPM, fixedParent,
 * sensitiveDataOrigin, userWithAuth, SHA-256 nameAlg, empty unique;
 * restricted on request. ML-KEM: decrypt, AES-128-CFB when restricted (a
 * parent) and TPM_ALG_NULL otherwise. ML-DSA: sign; allow_external_mu
 * (1 = YES lets SignDigest/VerifyDigestSignature take a 64-byte μ) only for
 * unrestricted keys. HashML-DSA: sign with the given pre-hash. */
int qtpm_tss_template_mlkem(TPMI_MLKEM_PARMS set, int restricted, TPMT_PUBLIC *out);
int qtpm_tss_template_mldsa(TPMI_MLDSA_PARMS set, int restricted, TPMI_YES_NO allow_external_mu,
                            TPMT_PUBLIC *out);
int qtpm_tss_template_hash_mldsa(TPMI_MLDSA_PARMS set, TPMI_ALG_HASH hash, int restricted,
                                 TPMT_PUBLIC *out);

/* --------------------------------------------------------------------- keys */

/* CreatePrimary of the EK in the endorsement hierarchy. */
int qtpm_tss_create_ek(qtpm_tss *t, TPM_ALG_ID type, const TPM2B_AUTH *endorsement_auth,
                       qtpm_tss_key *ek);
/* CreatePrimary of an SRK in the owner hierarchy. */
int qtpm_tss_create_srk(qtpm_tss *t, TPM_ALG_ID type, const TPM2B_AUTH *owner_auth,
                        qtpm_tss_key *srk);
/* A policy session satisfying the EK policy: StartAuthSession (SHA-256) and
 * PolicySecret(TPM_RH_ENDORSEMENT). Close it with qtpm_tss_session_close. */
int qtpm_tss_ek_policy_session(qtpm_tss *t, const TPM2B_AUTH *endorsement_auth,
                               qtpm_tss_session *s);
/* An AK under the EK (Create then Load, each authorized by an EK policy
 * session). priv/pub may be NULL when the blobs are not wanted. */
int qtpm_tss_create_ak(qtpm_tss *t, const qtpm_tss_key *ek, TPM_ALG_ID type,
                       const TPM2B_AUTH *endorsement_auth, const TPM2B_AUTH *ak_auth,
                       qtpm_tss_key *ak, TPM2B_PRIVATE *priv);
/* The whole contents of an NV index, read in chunks of TPM_PT_NV_BUFFER_MAX,
 * authorized by auth_handle (the index itself or the owner) with password auth. */
int qtpm_tss_nv_read_all(qtpm_tss *t, TPM_HANDLE auth_handle, const TPM2B_AUTH *auth,
                         TPM_HANDLE index, uint8_t *out, size_t cap, size_t *len);
/* The DER EK certificate for type, read with owner authorization. */
int qtpm_tss_read_ek_cert(qtpm_tss *t, TPM_ALG_ID type, const TPM2B_AUTH *owner_auth,
                          uint8_t *der, size_t cap, size_t *len);

/* -------------------------------------------------------------- credentials */

/* TPM2_MakeCredential in software (Part 1 §24): a seed protected for the EK
 * (RSA-OAEP, label "IDENTITY"; or ECDH + KDFe "IDENTITY"), the credential
 * encrypted with KDFa(seed, "STORAGE", objectName) in AES-CFB and an outer
 * HMAC with KDFa(seed, "INTEGRITY"). */
int qtpm_tss_make_credential(const TPMT_PUBLIC *ek_pub, const TPM2B_NAME *object_name,
                             const TPM2B_DIGEST *credential, TPM2B_ID_OBJECT *blob,
                             TPM2B_ENCRYPTED_SECRET *secret);
/* ActivateCredential with the AK (password ak_auth) and the EK (policy). */
int qtpm_tss_activate_credential(qtpm_tss *t, const qtpm_tss_key *ak, const TPM2B_AUTH *ak_auth,
                                 const qtpm_tss_key *ek, const TPM2B_AUTH *endorsement_auth,
                                 const TPM2B_ID_OBJECT *blob,
                                 const TPM2B_ENCRYPTED_SECRET *secret, TPM2B_DIGEST *credential);

/* -------------------------------------------------------------- attestation */

/* Reads every PCR of sel (PCR_Read returns at most 8 per call) in the order
 * of the selection: banks in order, PCR numbers ascending. */
int qtpm_tss_pcr_read_all(qtpm_tss *t, const TPML_PCR_SELECTION *sel, TPM2B_DIGEST *values,
                          size_t cap, size_t *n);
/* H_alg(values[0] ‖ ... ‖ values[n-1]): the pcrDigest of quotes and PolicyPCR. */
int qtpm_tss_pcr_composite(TPMI_ALG_HASH alg, const TPM2B_DIGEST *values, size_t n,
                           TPM2B_DIGEST *out);
/* The signing scheme a key's template fixes (RSASSA/RSAPSS/ECDSA with its
 * hash; TPM_ALG_MLDSA; TPM_ALG_HASH_MLDSA with its pre-hash). */
int qtpm_tss_key_scheme(const TPMT_PUBLIC *key, TPMT_SIG_SCHEME *scheme);
/* Verifies sig over msg with a public key: RSA/ECDSA over the hash of msg
 * with the signature's hash; ML-DSA over msg itself and HashML-DSA over
 * msg pre-hashed with the key's hash, both with an empty context (how a
 * TPM signs attestation structures). */
int qtpm_tss_verify_signature(const TPMT_PUBLIC *key, const uint8_t *msg, size_t len,
                              const TPMT_SIGNATURE *sig);
/* The hash an attestation signed by key with sig uses for its digests
 * (a quote's pcrDigest): the signature's hash, or for pure ML-DSA, which
 * names none, the key's nameAlg. TPM_ALG_NULL if unknown. */
TPMI_ALG_HASH qtpm_tss_signature_hash(const TPMT_PUBLIC *key, const TPMT_SIGNATURE *sig);
/* Quote of pcrs by an AK with nonce as qualifying data. */
int qtpm_tss_quote(qtpm_tss *t, const qtpm_tss_key *ak, const TPM2B_AUTH *ak_auth,
                   const TPM2B_DATA *nonce, const TPML_PCR_SELECTION *pcrs,
                   TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig);
/*
 * Verifies a quote: signature by ak, magic TPM_GENERATED_VALUE, type
 * TPM_ST_ATTEST_QUOTE, extraData == nonce, the quoted selection equals pcrs,
 * and, when values is not NULL, pcrDigest == H(values) with the AK's name
 * algorithm. Returns QTPM_OK or QTPM_E_VERIFY; out (may be NULL) gets the
 * parsed TPMS_ATTEST.
 */
int qtpm_tss_quote_verify(const TPMT_PUBLIC *ak, const TPM2B_ATTEST *attest,
                          const TPMT_SIGNATURE *sig, const TPM2B_DATA *nonce,
                          const TPML_PCR_SELECTION *pcrs, const TPM2B_DIGEST *values,
                          size_t n_values, TPMS_ATTEST *out);
/* Certify of object by signer (both password-authorized). */
int qtpm_tss_certify(qtpm_tss *t, TPM_HANDLE object, const TPM2B_AUTH *object_auth,
                     const qtpm_tss_key *signer, const TPM2B_AUTH *signer_auth,
                     const TPM2B_DATA *nonce, TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig);
/* Verifies a certification: signature, magic, TPM_ST_ATTEST_CERTIFY, nonce,
 * and that the certified name is object_name. */
int qtpm_tss_certify_verify(const TPMT_PUBLIC *signer, const TPM2B_ATTEST *attest,
                            const TPMT_SIGNATURE *sig, const TPM2B_DATA *nonce,
                            const TPM2B_NAME *object_name, TPMS_ATTEST *out);

/* ----------------------------------------------------------------- policies */

/* Software policy digests (Part 3 §23): each updates *digest, which starts as
 * qtpm_tss_policy_start() — digest-size zeros. */
int qtpm_tss_policy_start(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest);
/* PolicyPCR: H(digest ‖ TPM_CC_PolicyPCR ‖ pcrs ‖ pcrDigest) */
int qtpm_tss_policy_pcr(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest,
                        const TPML_PCR_SELECTION *pcrs, const TPM2B_DIGEST *pcr_digest);
/* PolicyCommandCode: H(digest ‖ TPM_CC_PolicyCommandCode ‖ code) */
int qtpm_tss_policy_command_code(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest, TPM_CC code);
/* PolicyOR: H(zeros ‖ TPM_CC_PolicyOR ‖ branch digests); digest must be one of them. */
int qtpm_tss_policy_or(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest, const TPM2B_DIGEST *branches,
                       size_t n);
/* PolicyAuthorize: H(H(zeros ‖ TPM_CC_PolicyAuthorize ‖ keyName) ‖ policyRef) */
int qtpm_tss_policy_authorize(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest,
                              const TPM2B_NAME *key_name, const TPM2B_NONCE *policy_ref);
/* PolicySecret: H(H(digest ‖ TPM_CC_PolicySecret ‖ authName) ‖ policyRef) */
int qtpm_tss_policy_secret(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest,
                           const TPM2B_NAME *auth_name, const TPM2B_NONCE *policy_ref);
/* PolicyAuthValue and PolicyPassword (both extend TPM_CC_PolicyAuthValue). */
int qtpm_tss_policy_auth_value(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest);

/* ------------------------------------------------------------------ sealing */

/*
 * Seals data (≤ 128 bytes) under parent as a keyedHash object whose policy
 * is PolicyPCR(pcrs, pcr_digest); pcr_digest NULL means the current values.
 * The object has no userWithAuth, so only the policy opens it.
 */
int qtpm_tss_seal(qtpm_tss *t, TPM_HANDLE parent, const TPM2B_AUTH *parent_auth,
                  const uint8_t *data, size_t len, const TPML_PCR_SELECTION *pcrs,
                  const TPM2B_DIGEST *pcr_digest, TPM2B_PRIVATE *priv, TPM2B_PUBLIC *pub);
/* Loads the sealed object, satisfies PolicyPCR(pcrs) in a policy session and
 * unseals; the TPM refuses (TPM_RC_POLICY_FAIL) when the PCRs differ. */
int qtpm_tss_unseal(qtpm_tss *t, TPM_HANDLE parent, const TPM2B_AUTH *parent_auth,
                    const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *pub,
                    const TPML_PCR_SELECTION *pcrs, uint8_t *out, size_t cap, size_t *len);

#endif
