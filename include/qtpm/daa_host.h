/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/daa_host.h — the TPM ends of ECDAA over libqtss: the host's DAA key
 * in a real TPM (qtpm's engine, qtpm-server, swtpm, /dev/tpmrm0) and the
 * join protocol of the seeds' activity tracker (D6.3 §3, Table 6), in which
 * the issuer reaches only the TPM that holds both the EK and the DAA key:
 *
 *   host → issuer   request    EK public ‖ DAA key public              (T1)
 *   issuer → host   challenge  MakeCredential(EK, name(DAA key), nonce) (T2)
 *   host            ActivateCredential → nonce; Commit; Sign(ECDAA)
 *   host → issuer   response   join proof over the nonce               (T3)
 *   issuer          checks the proof (T4), issues the credential (T5),
 *                   encrypted (AES-256-GCM) under a fresh key K that it
 *                   sends as MakeCredential(EK, name(DAA key), K)
 *   issuer → host   credential
 *   host            ActivateCredential → K, decrypts, checks the
 *                   credential and its pairings (T6, T7)
 *
 * The issuer side needs no TPM. It trusts the EK public key it is given; a
 * deployment checks it against the EK certificate first (as the NMS's
 * registrar does).
 */
#ifndef QTPM_DAA_HOST_H
#define QTPM_DAA_HOST_H

#include "qtpm/daa.h"
#include "qtpm/ldaa.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"

typedef struct {
    qtpm_tss *t;
    qtpm_tss_key ek, srk, key;
    TPM2B_PRIVATE key_priv;
    uint8_t q[64]; /* the DAA key's public point */
} qtpm_daa_host;

/* The template of a DAA key: ECC BN_P256, scheme ECDAA with SHA-256,
 * unrestricted sign, fixedTPM, fixedParent, sensitiveDataOrigin,
 * userWithAuth, noDA (its authValue is empty: there is nothing to guess, and
 * a TPM restarted without TPM2_Shutdown, as the engine is by every process
 * of qtpm-daa, would otherwise count each restart as a failure and lock the
 * key out, Part 1 §19.8.6), nameAlg SHA-256. */
int qtpm_daa_key_template(TPMT_PUBLIC *out);
/* Creates the ECC EK and SRK (primaries), then loads the DAA key blob
 * (from qtpm_daa_host_key_blob) or, with blob NULL, creates a new key. */
int qtpm_daa_host_open(qtpm_tss *t, const uint8_t *blob, size_t blob_len, qtpm_daa_host *h);
/* Flushes the three objects. */
void qtpm_daa_host_close(qtpm_daa_host *h);
/* The DAA key's public and private blobs, to reopen it later. */
int qtpm_daa_host_key_blob(const qtpm_daa_host *h, uint8_t *out, size_t cap, size_t *len);
/* The TPM callbacks of qtpm/daa.h for this host's DAA key. */
qtpm_daa_tpm qtpm_daa_host_tpm(qtpm_daa_host *h);

/* Join, host side. */
int qtpm_daa_host_join_request(const qtpm_daa_host *h, uint8_t *out, size_t cap, size_t *len);
int qtpm_daa_host_join_respond(qtpm_daa_host *h, const uint8_t *challenge, size_t len,
                               uint8_t *out, size_t cap, size_t *out_len);
int qtpm_daa_host_join_finish(qtpm_daa_host *h, const uint8_t *ipk, size_t ipk_len,
                              const uint8_t *msg, size_t len, uint8_t cred[QTPM_DAA_CRED_SIZE]);

/* Join, issuer side. state is the issuer's own record between the two
 * calls (it holds the nonce: keep it private). */
#define QTPM_DAA_JOIN_MAX 4096
int qtpm_daa_issuer_challenge(const uint8_t *request, size_t len, uint8_t *challenge,
                              size_t cap, size_t *challenge_len, uint8_t *state,
                              size_t state_cap, size_t *state_len);
int qtpm_daa_issuer_credential(const uint8_t isk[QTPM_DAA_ISK_SIZE], const uint8_t *state,
                               size_t state_len, const uint8_t *response, size_t len,
                               uint8_t *out, size_t cap, size_t *out_len);

/* ---- the lattice DAA (qtpm/ldaa.h) with its TPM part in a TPM ---- */
/* A restricted keyedHash signing key the engine's vendor LDAA commands
 * accept (docs/DAA.md "LDAA in the engine"): fixedTPM, fixedParent,
 * sensitiveDataOrigin, userWithAuth, noDA, restricted, sign; HMAC-SHA256. */
int qtpm_ldaa_key_template(TPMT_PUBLIC *out);
/* The TPM part of qtpm/ldaa.h as the loaded LDAA key `key` of the TPM
 * behind t (authorized with auth, NULL = empty) for the issuer of ipk (its
 * first 33 bytes are used). join_request, sign and cred_check then run
 * their TPM share there; s never leaves the TPM (export_secret and save
 * refuse). Opening asks the TPM for t = D·s (a join request for a zero
 * nonce). t and the key must outlive the handle; free it with
 * qtpm_ldaa_tpm_free. */
int qtpm_ldaa_tpm_open_tss(qtpm_ldaa_tpm **out, qtpm_tss *t, TPM_HANDLE key,
                           const TPM2B_AUTH *auth, const uint8_t *ipk, size_t ipk_len);

/* A TPM-held LDAA key file ('K' ‖ rho ‖ TPM2B_PUBLIC ‖ TPM2B_PRIVATE,
 * wrapped under the owner's ECC SRK): create writes one for the issuer of
 * ipk into file (cap bytes, *len written); open_file loads it and opens it
 * as with qtpm_ldaa_tpm_open_tss, and qtpm_ldaa_tpm_free flushes it (and
 * frees t when own). */
int qtpm_ldaa_tss_key_create(qtpm_tss *t, const uint8_t *ipk, size_t ipk_len, uint8_t *file,
                             size_t cap, size_t *len);
int qtpm_ldaa_tpm_open_file(qtpm_ldaa_tpm **out, qtpm_tss *t, int own, const uint8_t *file,
                            size_t len);
/* Key files made by qtpm_ldaa_tss_key_create hold an EK-bound key: its
 * template's unique is rho ‖ 32 bytes, which the TPM replaces with
 * SHAKE256("qtpm-ldaa-t" ‖ rho ‖ t, 32), so the key's Name commits to t.
 *
 * The join bound to the EK (docs/DAA.md "Join bound to the EK"), as the
 * ECDAA join above:
 *   host → issuer   request    EK public ‖ LDAA key public
 *   issuer          checks the key (attributes, unique = its rho ‖ ·)
 *   issuer → host   challenge  MakeCredential(EK, Name(LDAA key), nonce)
 *   host            ActivateCredential → nonce; Vendor_LDAA_JoinRequest
 *   host → issuer   response   the join request (t, proof over the nonce)
 *   issuer          checks that t hashes to the key's unique and the
 *                   proof; samples the credential, encrypted (AES-256-GCM,
 *                   aad = key Name) under K sent as MakeCredential(EK,
 *                   Name(LDAA key), K)
 *   host            ActivateCredential → K; decrypts; checks the credential
 * tpm must be a TPM part opened over libqtss (open_tss / open_file). The
 * issuer's state holds the nonce (keep it private, use it once).
 * QTPM_DAA_E_BINDING: the key is not EK-bound for this issuer, or the t
 * sent is not the one its Name commits to. */
int qtpm_ldaa_host_join_request(qtpm_ldaa_tpm *tpm, uint8_t *out, size_t cap, size_t *len);
int qtpm_ldaa_host_join_respond(qtpm_ldaa_tpm *tpm, const uint8_t *challenge, size_t len,
                                uint8_t *out, size_t cap, size_t *out_len);
int qtpm_ldaa_host_join_finish(qtpm_ldaa_tpm *tpm, const qtpm_ldaa_ipk *pk, const uint8_t *msg,
                               size_t len, uint8_t cred[QTPM_LDAA_CRED_SIZE]);
int qtpm_ldaa_issuer_challenge(const qtpm_ldaa_issuer *iss, const uint8_t *request, size_t len,
                               uint8_t *challenge, size_t cap, size_t *challenge_len,
                               uint8_t *state, size_t state_cap, size_t *state_len);
int qtpm_ldaa_issuer_credential(const qtpm_ldaa_issuer *iss, const uint8_t *state,
                                size_t state_len, const uint8_t *response, size_t len,
                                uint8_t *out, size_t cap, size_t *out_len);

#endif
