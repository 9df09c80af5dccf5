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

/* Standard base64 with padding, strict (no whitespace); *out malloc'd. */
int qtpm_ras_b64_decode(const char *in, uint8_t **out, size_t *len);
char *qtpm_ras_b64_encode(const uint8_t *in, size_t len);

/* POST /api/v1/enrol (docs/NMS.md "Enrolment"). */
void qtpm_ras_enrol(qtpm_store *st, const json_t *req, qtpm_ras_result *res);
/* POST /api/v1/enrol/<id>/activate: issues the AK certificate from the privacy CA. */
void qtpm_ras_activate(qtpm_store *st, X509 *ca, EVP_PKEY *ca_key, const char *id,
                       const json_t *req, qtpm_ras_result *res);

/* The policy key (ECC P-256) as a TPM2B_PUBLIC for LoadExternal: sign, userWithAuth,
 * ECDSA-SHA256, SHA-256 nameAlg. */
int qtpm_ras_policy_public(const EVP_PKEY *key, TPM2B_PUBLIC *out);
/* The approval of approvedPolicy for policyRef: ECDSA P-256 over
 * SHA-256(policy ‖ policy_ref) (Part 3 §23.16 PolicyAuthorize). */
int qtpm_ras_approve(EVP_PKEY *key, const TPM2B_DIGEST *policy, const char *policy_ref,
                     TPMT_SIGNATURE *sig);

#endif
