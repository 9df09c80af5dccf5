/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ras.h — the registrar (enrolment) and privacy CA of qtpm-nms (private to src/ras,
 * src/nms). The HTTP layer parses JSON and hands the body here; each call returns the
 * HTTP status and either a response object or an error code and message.
 */
#ifndef QTPM_RAS_H
#define QTPM_RAS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "qtpm/tpm2_types.h"
#include "store.h"

typedef struct {
    int status;         /* HTTP status */
    json_t *body;       /* success body (owned by the caller) */
    const char *error;  /* error code when body is NULL */
    char message[256];
} qtpm_ras_result;

/* An error answer: status, machine code and message (body NULL). */
void qtpm_ras_fail(qtpm_ras_result *res, int status, const char *code, const char *msg);
/* Exactly 2n hex digits into n bytes; -1 for anything else (NULL included). */
int qtpm_ras_unhex(const char *s, uint8_t *out, size_t n);

/* Standard base64 with padding, strict (no whitespace); *out malloc'd. */
int qtpm_ras_b64_decode(const char *in, uint8_t **out, size_t *len);
char *qtpm_ras_b64_encode(const uint8_t *in, size_t len);

/* A base64 TPM2B_PUBLIC in field of req that must fill its buffer; *raw (malloc'd) gets
 * the marshalled bytes. */
int qtpm_ras_json_public(const json_t *req, const char *field, TPM2B_PUBLIC *pub,
                         uint8_t **raw, size_t *raw_len);

/* POST /api/v1/enrol (docs/NMS.md "Enrolment"). */
void qtpm_ras_enrol(qtpm_store *st, const json_t *req, qtpm_ras_result *res);
/* POST /api/v1/enrol/<id>/activate: issues the AK certificate from the privacy CA. */
void qtpm_ras_activate(qtpm_store *st, X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *policy_key,
                       const char *id, const json_t *req, qtpm_ras_result *res);

/* A certificate from the privacy CA for a TPM key: subject O=qtpm-nms, OU=ou, CN=router;
 * OU "router" adds extendedKeyUsage clientAuth (the TLS key). serial_hex gets the serial. */
X509 *qtpm_ras_issue(X509 *ca, EVP_PKEY *ca_key, const char *router, const char *ou,
                     const TPMT_PUBLIC *key, char serial_hex[33]);

/* POST /api/v1/routers/<id>/tls-key (docs/NMS.md "Implicit attestation"). */
/* The X.509 extension of a router's TLS certificate that holds the Name of its
 * channel-binding key (docs/CHANNEL.md): an OCTET STRING with the TPM2B_NAME's bytes
 * (nameAlg ‖ digest). A 2.25 (UUID) arc: ours without registration (ITU-T X.667). */
#define QTPM_RAS_BIND_OID "2.25.158867641499400968755161906248904889844"

void qtpm_ras_tls_key(qtpm_store *st, X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *policy_key,
                      const char *id, const json_t *req, qtpm_ras_result *res);

/* POST /api/v1/routers/<id>/evidence (docs/NMS.md "Explicit attestation"): verify,
 * write and answer, in a transaction of its own. */
void qtpm_ras_evidence(qtpm_store *st, EVP_PKEY *policy_key, const char *id, const json_t *req,
                       qtpm_ras_result *res);

/* The same in three steps, for group commit (docs/SCALE.md): _verify consumes the nonce
 * and verifies; it gives either *out, the attestation to write, or an error in res.
 * _write writes one inside the caller's transaction: 0; QTPM_STORE_CONFLICT (the lease
 * fence refused it) or QTPM_STORE_NOTFOUND (no such router) with nothing written and the
 * transaction still open; any other error with the transaction rolled back. _finish
 * makes the answer from the outcome (the write's, or the commit's when that failed) and
 * frees p. */
typedef struct qtpm_ras_pending qtpm_ras_pending;
void qtpm_ras_evidence_verify(qtpm_store *st, EVP_PKEY *policy_key, const char *id,
                              const json_t *req, qtpm_ras_pending **out, qtpm_ras_result *res);
int qtpm_ras_evidence_write(qtpm_store *st, qtpm_ras_pending *p);
/* Many at once (one qtpm_store_attestations): rcs[i] gets each one's outcome as
 * _write's; the return is 0, or an error with the transaction rolled back. */
int qtpm_ras_evidence_write_batch(qtpm_store *st, qtpm_ras_pending *const *p, size_t n,
                                  int *rcs);
/* The lease p is to be written under (a verifier worker's fence, docs/SCALE.md). */
void qtpm_ras_pending_fence(qtpm_ras_pending *p, const char *worker, int64_t epoch,
                            int64_t started_ms);
void qtpm_ras_evidence_finish(qtpm_store *st, qtpm_ras_pending *p, int rc,
                              qtpm_ras_result *res);
const char *qtpm_ras_pending_router(const qtpm_ras_pending *p);

/* Adds a signed digest list (CLI `digestlist add`, POST /api/v1/digestlists):
 * 201, 400 bad-list, 403 vendor-unknown / bad-signature, 409 rollback. */
void qtpm_ras_digestlist_add(qtpm_store *st, const uint8_t *buf, size_t len,
                             qtpm_ras_result *res);

/* The policy key (ECC P-256) as a TPM2B_PUBLIC for LoadExternal: sign, userWithAuth,
 * ECDSA-SHA256, SHA-256 nameAlg. */
int qtpm_ras_policy_public(const EVP_PKEY *key, TPM2B_PUBLIC *out);
/* The approval of approvedPolicy for policyRef: ECDSA P-256 over
 * SHA-256(policy ‖ policy_ref) (Part 3 §23.16 PolicyAuthorize). */
int qtpm_ras_approve(EVP_PKEY *key, const TPM2B_DIGEST *policy, const char *policy_ref,
                     TPMT_SIGNATURE *sig);

#endif
