/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/tss_cmd.h — the command layer of libqtss: one typed C function per
 * TPM 2.0 command (TPM 2.0 Part 3), named qtpm_tss_<CommandName>.
 *
 * Each function marshals its parameters with the shared marshalling module
 * (qtpm/marshal.h), runs qtpm_tss_execute() and unmarshals the response
 * parameters. Arguments follow Part 3's order: handles, then parameters,
 * then outputs. `auths` authorizes the handles Part 3 marks with "@" (see
 * qtpm/tss.h). Optional inputs may be NULL where noted (an empty TPM2B, an
 * empty PCR selection, a NULL ticket); outputs marked "may be NULL" are
 * skipped. Returns QTPM_OK, a negative library error or a positive TPM_RC.
 *
 * Commands that create, load, flush, persist or change objects and NV indices
 * keep the context's Name cache up to date; names the TPM reports are checked
 * against the public areas it returns.
 */
#ifndef QTPM_TSS_CMD_H
#define QTPM_TSS_CMD_H

#include "qtpm/tss.h"

/* ---- start-up, testing, capabilities, random (Part 3 §9, §10, §16, §30) */
int qtpm_tss_Startup(qtpm_tss *t, TPM_SU startup_type);
int qtpm_tss_Shutdown(qtpm_tss *t, TPM_SU shutdown_type);
int qtpm_tss_SelfTest(qtpm_tss *t, TPMI_YES_NO full_test);
int qtpm_tss_GetCapability(qtpm_tss *t, TPM_CAP capability, UINT32 property,
                           UINT32 property_count, TPMI_YES_NO *more_data,
                           TPMS_CAPABILITY_DATA *data);
int qtpm_tss_GetRandom(qtpm_tss *t, const qtpm_tss_auths *auths, UINT16 bytes_requested,
                       TPM2B_DIGEST *random_bytes);

/* ---- Clock and Time (§29) */
/* TPM2_ReadClock (§29.1): the TPM's Time and Clock (TPMS_TIME_INFO). */
int qtpm_tss_ReadClock(qtpm_tss *t, TPMS_TIME_INFO *current_time);
/* TPM2_ClockSet (§29.2): moves Clock forward to new_time (ms); auth_handle is
 * TPM_RH_OWNER or TPM_RH_PLATFORM, authorized by auths[0]. A value below the
 * current Clock is refused by the TPM (TPM_RC_VALUE). */
int qtpm_tss_ClockSet(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_PROVISION auth_handle,
                      UINT64 new_time);

/* ---- PCRs (§22) */
int qtpm_tss_PCR_Read(qtpm_tss *t, const qtpm_tss_auths *auths,
                      const TPML_PCR_SELECTION *selection_in, UINT32 *update_counter,
                      TPML_PCR_SELECTION *selection_out, TPML_DIGEST *values);
int qtpm_tss_PCR_Extend(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PCR pcr,
                        const TPML_DIGEST_VALUES *digests);
int qtpm_tss_PCR_Reset(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PCR pcr);
/* TPM2_PCR_Event (§22.3): the TPM hashes event_data (at most 1024 bytes, a
 * TPM2B_EVENT) with every allocated bank's algorithm and extends pcr (or
 * only reports the digests for TPM_RH_NULL); digests may be NULL. */
int qtpm_tss_PCR_Event(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PCR pcr,
                       const TPM2B_MAX_BUFFER *event_data, TPML_DIGEST_VALUES *digests);

/* ---- algorithm parameters, dictionary attack protection (§10.3, §25) */
/* TPM2_TestParms: QTPM_OK when the TPM supports the parameters, else the
 * TPM's response code (TPM_RC_CURVE, TPM_RC_KEY_SIZE, ...). */
int qtpm_tss_TestParms(qtpm_tss *t, const TPMT_PUBLIC_PARMS *parameters);
/* lock_handle is TPM_RH_LOCKOUT, authorized by auths[0]. */
int qtpm_tss_DictionaryAttackLockReset(qtpm_tss *t, const qtpm_tss_auths *auths,
                                       TPMI_RH_LOCKOUT lock_handle);
int qtpm_tss_DictionaryAttackParameters(qtpm_tss *t, const qtpm_tss_auths *auths,
                                        TPMI_RH_LOCKOUT lock_handle, UINT32 new_max_tries,
                                        UINT32 new_recovery_time, UINT32 lockout_recovery);

/* ---- objects (§12, §24, §28) */
/* creation_data, creation_hash, ticket and name may be NULL. */
int qtpm_tss_CreatePrimary(qtpm_tss *t, const qtpm_tss_auths *auths,
                           TPMI_RH_HIERARCHY primary_handle,
                           const TPM2B_SENSITIVE_CREATE *in_sensitive,
                           const TPM2B_PUBLIC *in_public, const TPM2B_DATA *outside_info,
                           const TPML_PCR_SELECTION *creation_pcr, TPM_HANDLE *object_handle,
                           TPM2B_PUBLIC *out_public, TPM2B_CREATION_DATA *creation_data,
                           TPM2B_DIGEST *creation_hash, TPMT_TK_CREATION *ticket,
                           TPM2B_NAME *name);
int qtpm_tss_Create(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT parent,
                    const TPM2B_SENSITIVE_CREATE *in_sensitive, const TPM2B_PUBLIC *in_public,
                    const TPM2B_DATA *outside_info, const TPML_PCR_SELECTION *creation_pcr,
                    TPM2B_PRIVATE *out_private, TPM2B_PUBLIC *out_public,
                    TPM2B_CREATION_DATA *creation_data, TPM2B_DIGEST *creation_hash,
                    TPMT_TK_CREATION *ticket);
/* in_public is marshalled into the TPM2B_TEMPLATE (Part 3 §12.9). */
int qtpm_tss_CreateLoaded(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PARENT parent,
                          const TPM2B_SENSITIVE_CREATE *in_sensitive,
                          const TPMT_PUBLIC *in_public, TPM_HANDLE *object_handle,
                          TPM2B_PRIVATE *out_private, TPM2B_PUBLIC *out_public,
                          TPM2B_NAME *name);
int qtpm_tss_Load(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT parent,
                  const TPM2B_PRIVATE *in_private, const TPM2B_PUBLIC *in_public,
                  TPM_HANDLE *object_handle, TPM2B_NAME *name);
/* in_private NULL loads a public key only. */
int qtpm_tss_LoadExternal(qtpm_tss *t, const qtpm_tss_auths *auths,
                          const TPM2B_SENSITIVE *in_private, const TPM2B_PUBLIC *in_public,
                          TPMI_RH_HIERARCHY hierarchy, TPM_HANDLE *object_handle,
                          TPM2B_NAME *name);
/* name and qualified_name may be NULL. */
int qtpm_tss_ReadPublic(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT object,
                        TPM2B_PUBLIC *out_public, TPM2B_NAME *name, TPM2B_NAME *qualified_name);
int qtpm_tss_Unseal(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT item,
                    TPM2B_SENSITIVE_DATA *out_data);

/* ---- context management (§28) */
int qtpm_tss_FlushContext(qtpm_tss *t, TPMI_DH_CONTEXT flush_handle);
int qtpm_tss_ContextSave(qtpm_tss *t, TPMI_DH_CONTEXT save_handle, TPMS_CONTEXT *context);
/* A TPMS_CONTEXT as a client reads it (ContextSave's answer, context and
 * session files): like qtpm_TPMS_CONTEXT_unmarshal, but savedHandle is
 * checked by its handle type only (HMAC or policy session, or
 * 0x80000000..2). How many sessions a TPM numbers is its own
 * MAX_ACTIVE_SESSIONS (Part 2 §7.5), not ours; qtpm-server, for one, numbers
 * sessions beyond 0x0300003F. Returns a TPM_RC as the unmarshallers do. */
TPM_RC qtpm_tss_context_unmarshal(TPMS_CONTEXT *dst, const uint8_t buf[], size_t size,
                                  size_t *offset);
int qtpm_tss_ContextLoad(qtpm_tss *t, const TPMS_CONTEXT *context, TPMI_DH_CONTEXT *loaded_handle);
int qtpm_tss_EvictControl(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_PROVISION auth,
                          TPMI_DH_OBJECT object, TPMI_DH_PERSISTENT persistent_handle);

/* ---- signing, hashing, HMAC (§15, §20, §17) */
/* validation NULL means a NULL hashcheck ticket (TPM_ST_HASHCHECK, TPM_RH_NULL). */
int qtpm_tss_Sign(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                  const TPM2B_DIGEST *digest, const TPMT_SIG_SCHEME *in_scheme,
                  const TPMT_TK_HASHCHECK *validation, TPMT_SIGNATURE *signature);
/* TPM2_Commit (§19.2): p1, s2, y2 NULL for the Empty Point / Buffers; k, l,
 * e, counter may be NULL. */
int qtpm_tss_Commit(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT sign_handle,
                    const TPM2B_ECC_POINT *p1, const TPM2B_SENSITIVE_DATA *s2,
                    const TPM2B_ECC_PARAMETER *y2, TPM2B_ECC_POINT *k, TPM2B_ECC_POINT *l,
                    TPM2B_ECC_POINT *e, UINT16 *counter);
/* validation may be NULL. */
int qtpm_tss_VerifySignature(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                             const TPM2B_DIGEST *digest, const TPMT_SIGNATURE *signature,
                             TPMT_TK_VERIFIED *validation);
/* validation may be NULL. */
int qtpm_tss_Hash(qtpm_tss *t, const qtpm_tss_auths *auths, const TPM2B_MAX_BUFFER *data,
                  TPMI_ALG_HASH hash_alg, TPMI_RH_HIERARCHY hierarchy, TPM2B_DIGEST *out_hash,
                  TPMT_TK_HASHCHECK *validation);
int qtpm_tss_HMAC(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT handle,
                  const TPM2B_MAX_BUFFER *buffer, TPMI_ALG_HASH hash_alg, TPM2B_DIGEST *out_hmac);
/* Hash and HMAC sequences (Part 3 §17.3, §17.2, §17.6) for data longer than
 * one TPM2B_MAX_BUFFER: Start (auth becomes the sequence's authValue; NULL
 * = empty), qtpm_tss_SequenceUpdate any number of times, then
 * SequenceComplete, which flushes the sequence. HMAC_Start authorizes the
 * key with auths[0]; SequenceComplete authorizes the sequence with
 * auths[0]; validation (may be NULL) is the hash ticket, a NULL ticket for
 * an HMAC sequence. */
int qtpm_tss_HashSequenceStart(qtpm_tss *t, const qtpm_tss_auths *auths, const TPM2B_AUTH *auth,
                               TPMI_ALG_HASH hash_alg, TPMI_DH_OBJECT *sequence);
int qtpm_tss_HMAC_Start(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT handle,
                        const TPM2B_AUTH *auth, TPMI_ALG_HASH hash_alg, TPMI_DH_OBJECT *sequence);
int qtpm_tss_SequenceComplete(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT sequence,
                              const TPM2B_MAX_BUFFER *buffer, TPMI_RH_HIERARCHY hierarchy,
                              TPM2B_DIGEST *result, TPMT_TK_HASHCHECK *validation);
/* TPM2_EventSequenceComplete (§17.5): finishes an event sequence (a
 * HashSequenceStart with TPM_ALG_NULL) with every bank's digest of the data
 * and extends pcr with them (TPM_RH_NULL: digests only). auths[0]
 * authorizes the PCR, auths[1] the sequence; the sequence is flushed. */
int qtpm_tss_EventSequenceComplete(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PCR pcr,
                                   TPMI_DH_OBJECT sequence, const TPM2B_MAX_BUFFER *buffer,
                                   TPML_DIGEST_VALUES *results);

/* ---- attestation (§18) */
int qtpm_tss_Quote(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT sign_handle,
                   const TPM2B_DATA *qualifying_data, const TPMT_SIG_SCHEME *in_scheme,
                   const TPML_PCR_SELECTION *pcr_select, TPM2B_ATTEST *quoted,
                   TPMT_SIGNATURE *signature);
int qtpm_tss_Certify(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT object_handle,
                     TPMI_DH_OBJECT sign_handle, const TPM2B_DATA *qualifying_data,
                     const TPMT_SIG_SCHEME *in_scheme, TPM2B_ATTEST *certify_info,
                     TPMT_SIGNATURE *signature);

/* TPM2_GetTime (§18.7): auths[0] authorizes privacy_admin_handle
 * (TPM_RH_ENDORSEMENT), auths[1] the signing key (TPM_RH_NULL: no
 * signature, a TPM_ALG_NULL TPMT_SIGNATURE). */
int qtpm_tss_GetTime(qtpm_tss *t, const qtpm_tss_auths *auths,
                     TPMI_RH_ENDORSEMENT privacy_admin_handle, TPMI_DH_OBJECT sign_handle,
                     const TPM2B_DATA *qualifying_data, const TPMT_SIG_SCHEME *in_scheme,
                     TPM2B_ATTEST *time_info, TPMT_SIGNATURE *signature);

/* ---- credentials (§12.5, §12.6) */
int qtpm_tss_MakeCredential(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT handle,
                            const TPM2B_DIGEST *credential, const TPM2B_NAME *object_name,
                            TPM2B_ID_OBJECT *credential_blob, TPM2B_ENCRYPTED_SECRET *secret);
int qtpm_tss_ActivateCredential(qtpm_tss *t, const qtpm_tss_auths *auths,
                                TPMI_DH_OBJECT activate_handle, TPMI_DH_OBJECT key_handle,
                                const TPM2B_ID_OBJECT *credential_blob,
                                const TPM2B_ENCRYPTED_SECRET *secret, TPM2B_DIGEST *cert_info);

/* ---- asymmetric primitives (§14) */
/* label NULL = empty. */
int qtpm_tss_RSA_Encrypt(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         const TPM2B_PUBLIC_KEY_RSA *message, const TPMT_RSA_DECRYPT *in_scheme,
                         const TPM2B_DATA *label, TPM2B_PUBLIC_KEY_RSA *out_data);
int qtpm_tss_RSA_Decrypt(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         const TPM2B_PUBLIC_KEY_RSA *cipher_text,
                         const TPMT_RSA_DECRYPT *in_scheme, const TPM2B_DATA *label,
                         TPM2B_PUBLIC_KEY_RSA *message);
int qtpm_tss_ECDH_ZGen(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                       const TPM2B_ECC_POINT *in_point, TPM2B_ECC_POINT *out_point);

/* ---- qtpm vendor-specific commands (docs/DAA.md "LDAA in the engine") */
/* The lattice DAA join request of a loaded LDAA key (a restricted keyedHash
 * signing key, USER role) for the issuer whose public-key seed is rho and
 * its nonce: QTPM_LDAA_JOINREQ_SIZE bytes, fetched in pieces. */
int qtpm_tss_LDAA_JoinRequest(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                              const uint8_t rho[32], const uint8_t nonce[32], uint8_t *req);
/* The TPM's commitment for a signature with basename value bsnval: a
 * fresh commit counter and QTPM_LDAA_COMMIT_SIZE bytes (w_T ‖ w_nym ‖ nym,
 * qtpm/ldaa.h), fetched in pieces. */
int qtpm_tss_LDAA_Commit(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         const uint8_t rho[32], const uint8_t bsnval[32], UINT16 *counter,
                         uint8_t *commitment);
/* The TPM's answer to challenge ctilde for the commitment of counter (used
 * up by the first call): response_len is QTPM_LDAA_RESPONSE_SIZE (kept ‖
 * z_s ‖ z_e) or 1 (response[0] = 0: the TPM's share was rejected; commit
 * again). */
int qtpm_tss_LDAA_Respond(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                          const uint8_t rho[32], const uint8_t bsnval[32], UINT16 counter,
                          const uint8_t ctilde[32], uint8_t *response, size_t *response_len);

/* ---- post-quantum commands of Library v1.85 (DESIGN.md decision 1) */
/* ML-KEM encapsulation to a loaded ML-KEM key's public key (no
 * authorization needed): a fresh shared secret and its ciphertext. */
int qtpm_tss_Encapsulate(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         TPM2B_SHARED_SECRET *shared_secret, TPM2B_KEM_CIPHERTEXT *ciphertext);
/* ML-KEM decapsulation with the key's private part (USER role). */
int qtpm_tss_Decapsulate(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         const TPM2B_KEM_CIPHERTEXT *ciphertext,
                         TPM2B_SHARED_SECRET *shared_secret);
/* Signs a digest: PH(M) for HashML-DSA (or a classic key), the 64-byte
 * external μ for an ML-DSA key with allowExternalMu. context NULL = empty;
 * validation NULL = a NULL hashcheck ticket. */
int qtpm_tss_SignDigest(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                        const TPM2B_SIGNATURE_CTX *context, const TPM2B_DIGEST *digest,
                        const TPMT_TK_HASHCHECK *validation, TPMT_SIGNATURE *signature);
/* Verifies a signature over a digest (as SignDigest made it); validation
 * (may be NULL) is a TPM_ST_DIGEST_VERIFIED ticket. */
int qtpm_tss_VerifyDigestSignature(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                                   const TPM2B_SIGNATURE_CTX *context, const TPM2B_DIGEST *digest,
                                   const TPMT_SIGNATURE *signature, TPMT_TK_VERIFIED *validation);
/* Sign / verify sequences over a whole message: Start (the key is not
 * authorized yet; auth becomes the sequence's authValue), SequenceUpdate
 * any number of times, then Complete, which flushes the sequence. In
 * SignSequenceComplete auths[0] authorizes the sequence and auths[1] the key;
 * in VerifySequenceComplete auths[0] authorizes the sequence. NULL inputs are
 * empty. */
int qtpm_tss_SignSequenceStart(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                               const TPM2B_AUTH *auth, const TPM2B_SIGNATURE_CTX *context,
                               TPMI_DH_OBJECT *sequence);
int qtpm_tss_VerifySequenceStart(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                                 const TPM2B_AUTH *auth, const TPM2B_SIGNATURE_HINT *hint,
                                 const TPM2B_SIGNATURE_CTX *context, TPMI_DH_OBJECT *sequence);
int qtpm_tss_SequenceUpdate(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT sequence,
                            const TPM2B_MAX_BUFFER *buffer);
int qtpm_tss_SignSequenceComplete(qtpm_tss *t, const qtpm_tss_auths *auths,
                                  TPMI_DH_OBJECT sequence, TPMI_DH_OBJECT key,
                                  const TPM2B_MAX_BUFFER *buffer, TPMT_SIGNATURE *signature);
int qtpm_tss_VerifySequenceComplete(qtpm_tss *t, const qtpm_tss_auths *auths,
                                    TPMI_DH_OBJECT sequence, TPMI_DH_OBJECT key,
                                    const TPMT_SIGNATURE *signature, TPMT_TK_VERIFIED *validation);

/* ---- sessions and policies (§11, §23) */
/* The raw command; qtpm_tss_start_session (qtpm/tss.h) wraps it with the
 * TSS side of salting and binding. encrypted_salt NULL = empty. */
int qtpm_tss_StartAuthSession(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT tpm_key,
                              TPMI_DH_ENTITY bind, const TPM2B_NONCE *nonce_caller,
                              const TPM2B_ENCRYPTED_SECRET *encrypted_salt, TPM_SE session_type,
                              const TPMT_SYM_DEF *symmetric, TPMI_ALG_HASH auth_hash,
                              TPMI_SH_AUTH_SESSION *session_handle, TPM2B_NONCE *nonce_tpm);
/* pcr_digest NULL = empty (the TPM uses the current PCR values). */
int qtpm_tss_PolicyPCR(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                       const TPM2B_DIGEST *pcr_digest, const TPML_PCR_SELECTION *pcrs);
/* nonce_tpm, cp_hash_a, policy_ref NULL = empty; timeout and ticket may be NULL. */
int qtpm_tss_PolicySecret(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_ENTITY auth_handle,
                          qtpm_tss_session *policy, const TPM2B_NONCE *nonce_tpm,
                          const TPM2B_DIGEST *cp_hash_a, const TPM2B_NONCE *policy_ref,
                          INT32 expiration, TPM2B_TIMEOUT *timeout, TPMT_TK_AUTH *ticket);
int qtpm_tss_PolicyOR(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                      const TPML_DIGEST *p_hash_list);
int qtpm_tss_PolicyAuthorize(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                             const TPM2B_DIGEST *approved_policy, const TPM2B_NONCE *policy_ref,
                             const TPM2B_NAME *key_sign, const TPMT_TK_VERIFIED *check_ticket);
int qtpm_tss_PolicyGetDigest(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                             TPM2B_DIGEST *policy_digest);
int qtpm_tss_PolicyPassword(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy);
int qtpm_tss_PolicyAuthValue(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy);
int qtpm_tss_PolicyCommandCode(qtpm_tss *t, const qtpm_tss_auths *auths,
                               qtpm_tss_session *policy, TPM_CC code);
int qtpm_tss_PolicyRestart(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy);
/* TPM2_PolicyNV (§23.9): compares operand_b with the NV index's contents at
 * offset; auths[0] authorizes auth_handle (the index itself, or the owner /
 * platform hierarchy). In a trial session the digest is extended only. */
int qtpm_tss_PolicyNV(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_AUTH auth_handle,
                      TPMI_RH_NV_INDEX nv_index, qtpm_tss_session *policy,
                      const TPM2B_OPERAND *operand_b, UINT16 offset, TPM_EO operation);
/* TPM2_PolicyCounterTimer (§23.10): compares operand_b with the
 * TPMS_TIME_INFO bytes at offset. */
int qtpm_tss_PolicyCounterTimer(qtpm_tss *t, const qtpm_tss_auths *auths,
                                qtpm_tss_session *policy, const TPM2B_OPERAND *operand_b,
                                UINT16 offset, TPM_EO operation);
/* TPM2_PolicyCpHash (§23.13): binds the policy to one command's cpHash. */
int qtpm_tss_PolicyCpHash(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                          const TPM2B_DIGEST *cp_hash_a);

/* ---- NV (§31) */
/* auth NULL = empty. */
int qtpm_tss_NV_DefineSpace(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_PROVISION auth_handle,
                            const TPM2B_AUTH *auth, const TPM2B_NV_PUBLIC *public_info);
int qtpm_tss_NV_UndefineSpace(qtpm_tss *t, const qtpm_tss_auths *auths,
                              TPMI_RH_PROVISION auth_handle, TPMI_RH_NV_INDEX nv_index);
int qtpm_tss_NV_Write(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_AUTH auth_handle,
                      TPMI_RH_NV_INDEX nv_index, const TPM2B_MAX_NV_BUFFER *data, UINT16 offset);
int qtpm_tss_NV_Read(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_AUTH auth_handle,
                     TPMI_RH_NV_INDEX nv_index, UINT16 size, UINT16 offset,
                     TPM2B_MAX_NV_BUFFER *data);
/* name may be NULL. */
int qtpm_tss_NV_ReadPublic(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_INDEX nv_index,
                           TPM2B_NV_PUBLIC *nv_public, TPM2B_NAME *name);
int qtpm_tss_NV_Increment(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_AUTH auth_handle,
                          TPMI_RH_NV_INDEX nv_index);

#endif
