/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * service.h — the wallet's WebAuthn front end (docs/WALLET.md "Service"),
 * independent of HTTP: JSON request in, JSON answer and an HTTP status out.
 * http.c serves it over HTTPS (evhttp + OpenSSL); the fuzz target and the
 * benchmark call it directly.
 *
 * Every vault operation is two calls: POST /api/v1/requests describes it and
 * gets back the canonical request text and challenge = SHA-256(text); POST
 * /api/v1/approve brings a WebAuthn assertion over that challenge from one
 * of the requesting user's registered authenticators. The service verifies
 * it (OpenSSL, webauthn.c, and libfido2 as a cross-check), consumes the
 * request and moves the counter in one SQLite transaction, and only then
 * uses the vault (and with it the gate secret). State: credentials,
 * pending challenges, counters and token ownership in an SQLite database
 * of its own (WAL, synchronous=FULL).
 */
#ifndef QTPM_WALLET_SERVICE_H
#define QTPM_WALLET_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "wallet.h"

typedef struct svc svc;

typedef struct {
    const char *rp_id;      /* "localhost" */
    const char *origin;     /* "https://localhost:8443" */
    int require_uv;         /* refuse assertions without the UV flag */
    int request_ttl;        /* seconds a challenge stays valid (default 120) */
} svc_config;

/* w may be NULL (parsing only: the fuzz target); vault operations then
 * answer 503. The service does not own w. */
int svc_open(wallet *w, const char *auth_db, const svc_config *cfg, svc **out);
void svc_close(svc *s);
const char *svc_last_error(const svc *s);

/* One API call. path is e.g. "/api/v1/approve"; body the request's JSON
 * (NULL for GET). *out gets the answer object (caller json_decref's it);
 * returns the HTTP status. Never crashes on any input. */
int svc_handle(svc *s, const char *method, const char *path, const uint8_t *body,
               size_t len, json_t **out);

/* Microseconds the last approve spent verifying the assertion (OpenSSL and
 * libfido2) and in the vault, for the benchmark. */
void svc_last_timing(const svc *s, double *verify_us, double *vault_us);

#endif
