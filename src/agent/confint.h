/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Configuration integrity for qtpm-agent: a TPM HMAC key (keyedHash,
 * TPM_ALG_HMAC with SHA-256, created under the owner-hierarchy ECC SRK, its
 * blobs kept in the state directory) authenticates the router's protected
 * configuration files. A manifest holds, per file, HMAC_K(SHA-256(content))
 * computed by TPM2_HMAC (Part 3 §15.5); a file whose HMAC differs is refused.
 */
#ifndef QTPM_AGENT_CONFINT_H
#define QTPM_AGENT_CONFINT_H

#include <stddef.h>

#include <jansson.h>

#include "qtpm/tss.h"

/* Writes manifest: one line "hex-hmac path" per file (created atomically).
 * The HMAC key is created on first use and stored as state_dir/hmac.pub,
 * state_dir/hmac.priv. */
int agent_confint_seal(qtpm_tss *tpm, const char *state_dir, const char *manifest,
                       const char *const *files, size_t n, char *err, size_t errlen);
/* Checks every file of the manifest; *bad counts the refused files (changed,
 * missing or unreadable), whose paths are logged into err (the last one). */
int agent_confint_verify(qtpm_tss *tpm, const char *state_dir, const char *manifest,
                         size_t *bad, char *err, size_t errlen);
/* The same; each refused file is also appended to refused (a JSON array, or NULL)
 * as {"path": P, "reason": "modified" | "unreadable"} — what the agent reports to
 * the NMS (POST /routers/<id>/events, kind config-refused). */
int agent_confint_verify_ex(qtpm_tss *tpm, const char *state_dir, const char *manifest,
                            size_t *bad, json_t *refused, char *err, size_t errlen);

#endif
