/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * entity.h — what the dispatcher and the session code need to know about the
 * things a handle can name (Part 1 §15 "Handles", §16 "Names"): whether the
 * handle refers to something that exists, its authValue, authPolicy and
 * Name, and whether it is subject to dictionary-attack protection.
 *
 * The entity kinds live in their own files (hierarchy.c for permanent
 * handles, object.c for transient and persistent objects, nv.c for NV
 * indices, pcr.c for PCRs); entity.c routes a handle to the right one.
 * The record functions serialise NV indices and persistent objects into the
 * state blob (tpm.c).
 */
#ifndef QTPM_ENGINE_ENTITY_H
#define QTPM_ENGINE_ENTITY_H

#include "auth.h"
#include "cmd.h"

#define ENTITY_RECORD_MAX 4096
#define NAME_MAX_SIZE (2 + MAX_DIGEST)

typedef struct {
    uint16_t size;
    uint8_t b[NAME_MAX_SIZE];
} tpm_name;

/* Handle classes a command's handle slot may accept (dispatch table). A
 * slot of class HC_POLICY_SESSION is Part 2's TPMI_SH_POLICY: an HMAC
 * session's handle there is TPM_RC_VALUE, as any value outside the slot's
 * classes, and the session must be loaded (dispatch.c, with the handles). */
enum {
    HC_PCR = 1u << 0,
    HC_NV = 1u << 1,
    HC_TRANSIENT = 1u << 2,
    HC_PERSISTENT = 1u << 3,
    HC_HMAC_SESSION = 1u << 4,
    HC_OWNER = 1u << 5,
    HC_ENDORSEMENT = 1u << 6,
    HC_PLATFORM = 1u << 7,
    HC_LOCKOUT = 1u << 8,
    HC_NULL = 1u << 9,
    HC_POLICY_SESSION = 1u << 10, /* policy and trial sessions */
    HC_SESSION = HC_HMAC_SESSION | HC_POLICY_SESSION,
    HC_OBJECT = HC_TRANSIENT | HC_PERSISTENT,
    HC_HIERARCHY = HC_OWNER | HC_ENDORSEMENT | HC_PLATFORM,
    HC_ANY = 0xFFFF,
};

/* Which class bit a handle value belongs to (0 if none). */
unsigned entity_class(TPM_HANDLE h);
/* TPM_RC_SUCCESS if h names something that exists and may be used now;
 * TPM_RC_HANDLE or TPM_RC_HIERARCHY (without handle number) otherwise. */
TPM_RC entity_check(qtpm_tpm *tpm, TPM_HANDLE h);
/* authValue of the entity (empty for PCRs and NULL). */
TPM_RC entity_auth_value(qtpm_tpm *tpm, TPM_HANDLE h, tpm_buf64 *auth);
/* authPolicy and its hash algorithm (TPM_ALG_NULL / empty if none). */
TPM_RC entity_auth_policy(qtpm_tpm *tpm, TPM_HANDLE h, tpm_buf64 *policy, TPM_ALG_ID *alg);
/* Name (Part 1 §16): the handle for PCR/permanent/session, nameAlg||H(public) otherwise. */
TPM_RC entity_name(qtpm_tpm *tpm, TPM_HANDLE h, tpm_name *name);
/* 1 if a failed authorization of h counts against DA (Part 1 §19.8.6). */
int entity_da_protected(qtpm_tpm *tpm, TPM_HANDLE h);
/* Whether USER-role authorization may use the authValue (userWithAuth) and
 * whether ADMIN-role authorization requires a policy (adminWithPolicy). */
void entity_auth_rules(qtpm_tpm *tpm, TPM_HANDLE h, int *user_with_auth, int *admin_with_policy);

#endif
