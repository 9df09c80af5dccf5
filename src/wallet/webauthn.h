/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * webauthn.h — WebAuthn assertion verification for the wallet (W3C WebAuthn
 * Level 2 §7.2 "Verifying an Authentication Assertion"), with OpenSSL: the
 * credential public key from its COSE_Key (RFC 9053: EC2 P-256 with ES256,
 * alg -7; OKP Ed25519 with EdDSA, alg -8), and an assertion checked for
 * type, challenge, origin, rpIdHash, the UP (and, on request, UV) flag, the
 * signature over authenticatorData ‖ SHA-256(clientDataJSON), and a
 * signature counter that must increase (§6.1.1: a counter that does not is
 * a sign of a cloned authenticator).
 */
#ifndef QTPM_WALLET_WEBAUTHN_H
#define QTPM_WALLET_WEBAUTHN_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#define WA_E_KEY (-1301)       /* COSE key malformed or unsupported */
#define WA_E_CLIENT (-1302)    /* clientDataJSON malformed / wrong type */
#define WA_E_CHALLENGE (-1303) /* challenge is not the expected one */
#define WA_E_ORIGIN (-1304)
#define WA_E_RPID (-1305)      /* rpIdHash mismatch */
#define WA_E_FLAGS (-1306)     /* UP (or required UV) not set */
#define WA_E_SIG (-1307)       /* signature does not verify */
#define WA_E_COUNTER (-1308)   /* counter did not increase: possible clone */
#define WA_E_AUTHDATA (-1309)  /* authenticatorData too short / malformed */
#define WA_E_ATTEST (-1310)    /* attestation object malformed or unsupported */

/* COSE_Key bytes to an OpenSSL public key; *alg gets -7 or -8. */
int wa_cose_key(const uint8_t *cose, size_t len, EVP_PKEY **out, int *alg);

typedef struct {
    const char *rp_id;             /* "wallet.example" */
    const char *origin;            /* "https://wallet.example:8443" */
    const uint8_t *challenge;      /* the expected challenge (raw bytes) */
    size_t challenge_len;
    uint32_t stored_counter;       /* the counter recorded at the last use */
    int require_uv;
} wa_expect;

/* Verifies an assertion; on success *new_counter is the counter to store. */
int wa_verify_assertion(EVP_PKEY *key, int alg, const wa_expect *e, const uint8_t *auth_data,
                        size_t ad_len, const uint8_t *client_data, size_t cd_len,
                        const uint8_t *sig, size_t sig_len, uint32_t *new_counter);

/* Registration (WebAuthn L2 §7.1): the attestation object (CBOR map fmt,
 * attStmt, authData) with fmt "none" (attStmt {}) or "packed" self
 * attestation (attStmt {alg, sig}, no x5c: the credential key signs
 * authData ‖ SHA-256(clientDataJSON), §8.2); clientDataJSON of type
 * webauthn.create with the expected challenge and origin; rpIdHash, UP
 * (UV on request) and AT set. The credential's outputs point into att. */
typedef struct {
    const uint8_t *cred_id;
    size_t cred_id_len;     /* ≤ 1023 (§6.5.1) */
    const uint8_t *cose;    /* the credential public key, COSE_Key */
    size_t cose_len;
    int alg;                /* -7 or -8 */
    uint32_t counter;
    const char *fmt;        /* "none" or "packed" (static strings) */
} wa_credential;

int wa_verify_registration(const wa_expect *e, const uint8_t *att, size_t att_len,
                           const uint8_t *client_data, size_t cd_len, wa_credential *out);

/* base64url without padding (§5.8.1 / RFC 4648 §5). encode: out has room for
 * 4*ceil(len/3)+1. decode: refuses padding, other characters and
 * non-canonical trailing bits; returns the length or -1. */
void wa_b64url_encode(const uint8_t *in, size_t len, char *out);
long wa_b64url_decode(const char *in, uint8_t *out, size_t cap);

#endif
