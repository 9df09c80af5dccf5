/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's TPM-resident TLS client key (docs/NMS.md, "Why PolicyAuthorize"):
 * an ECC P-256 ECDSA-SHA256 signing key under the SRK with userWithAuth clear
 * and authPolicy = PolicyAuthorize(Name of the NMS policy key, policyRef =
 * router id), and an OpenSSL EVP_PKEY whose signatures are made by the TPM
 * after PolicyPCR + VerifySignature(approval) + PolicyAuthorize.
 */
#ifndef QTPM_AGENT_TLSKEY_H
#define QTPM_AGENT_TLSKEY_H

#include <openssl/evp.h>

#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"

typedef struct agent_tlskey_s {
    qtpm_tss *tpm;
    TPM_HANDLE key;            /* the loaded TLS key */
    TPM2B_PUBLIC pub;
    TPM2B_NAME name;
    TPM2B_PUBLIC policy_key;   /* the NMS's policy key */
    TPM2B_NONCE policy_ref;    /* router id */
    int have_approval;
    TPML_PCR_SELECTION sel;    /* the approved PolicyPCR */
    TPM2B_DIGEST approved;     /* PolicyPCR(sel, pcrDigest) */
    TPMT_SIGNATURE approval;   /* the policy key's signature over SHA-256(approved ‖ ref) */
    int last_rc;               /* TPM answer of the last failed signature */
} agent_tlskey;

/* Creates the TLS key under parent (password auth, empty) and loads it. */
int agent_tlskey_create(agent_tlskey *k, qtpm_tss *tpm, TPM_HANDLE parent,
                        const TPM2B_PUBLIC *policy_key, const char *router_id,
                        TPM2B_PRIVATE *priv);
/* The same with another algorithm: mldsa = TPM_MLDSA_44/65 for an ML-DSA key (the
 * channel-binding key, docs/CHANNEL.md), 0 for ECC P-256. Same attributes and policy. */
int agent_tlskey_create_alg(agent_tlskey *k, qtpm_tss *tpm, TPM_HANDLE parent,
                            const TPM2B_PUBLIC *policy_key, const char *router_id,
                            TPMI_MLDSA_PARMS mldsa, TPM2B_PRIVATE *priv);
/* Signs a whole message with the key under its policy: ML-DSA over msg (empty context),
 * ECDSA over SHA-256(msg). The TPM refuses (PolicyAuthorize fails) when the PCRs are not
 * the approved ones. */
int agent_tlskey_sign_message(agent_tlskey *k, const uint8_t *msg, size_t len,
                              TPMT_SIGNATURE *out);
/* Loads blobs created earlier. */
int agent_tlskey_load(agent_tlskey *k, qtpm_tss *tpm, TPM_HANDLE parent,
                      const TPM2B_PUBLIC *policy_key, const char *router_id,
                      const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *pub);
/* Keeps the NMS's latest approval. */
void agent_tlskey_set_approval(agent_tlskey *k, const TPML_PCR_SELECTION *sel,
                               const TPM2B_DIGEST *approved, const TPMT_SIGNATURE *sig);
/* The authPolicy every TLS key of this router must have. */
int agent_tlskey_policy(const TPM2B_PUBLIC *policy_key, const char *router_id,
                        TPM2B_DIGEST *out);
/* TPM2_Certify of the TLS key by the AK over the NMS's challenge nonce (Part 3
 * §18.2): the TLS key's ADMIN role uses its empty authValue (adminWithPolicy
 * clear), the AK its password ak_auth (NULL = empty); the AK's own scheme. */
int agent_tlskey_certify(agent_tlskey *k, const qtpm_tss_key *ak, const TPM2B_AUTH *ak_auth,
                         const TPM2B_DATA *nonce, TPM2B_ATTEST *info, TPMT_SIGNATURE *sig);
/* A new EVP_PKEY (EC P-256) whose ECDSA signatures k's TPM key makes; k must
 * outlive it. NULL on error. */
EVP_PKEY *agent_tlskey_evp(agent_tlskey *k);

#endif
