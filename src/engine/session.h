/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.h — authorization sessions (Part 1 §19, Part 3 §11): the session
 * value and the two calls the dispatcher makes around a handler, one to
 * check every authorization of a command (and decrypt its first parameter),
 * one to build the response authorizations (and encrypt the first response
 * parameter). policy.c updates the policy fields.
 */
#ifndef QTPM_ENGINE_SESSION_H
#define QTPM_ENGINE_SESSION_H

#include "cmd.h"
#include "auth.h"
#include "entity.h"
#include "params.h"

typedef struct tpm_session {
    TPM_HANDLE handle;
    uint8_t type;             /* TPM_SE_HMAC, TPM_SE_POLICY, TPM_SE_TRIAL */
    TPM_ALG_ID hash;
    tpm_buf64 nonce_tpm;
    tpm_buf64 session_key;
    TPM_ALG_ID sym_alg;       /* TPM_ALG_AES, TPM_ALG_XOR or TPM_ALG_NULL */
    uint16_t sym_bits;
    TPM_ALG_ID sym_mode;
    uint8_t bound;
    tpm_name bind_name;
    /* policy state (Part 1 §19.7) */
    tpm_buf64 policy_digest;
    uint8_t auth_value_needed, password_needed;
    TPM_CC command_code;      /* 0 when no PolicyCommandCode */
    tpm_buf64 cp_hash;        /* PolicyCpHash */
    tpm_buf64 name_hash;      /* PolicyNameHash */
    tpm_buf64 template_hash;  /* PolicyTemplate */
    uint8_t pcr_checked;
    uint32_t pcr_counter;
    uint8_t locality_mask;    /* 0 = any */
    uint8_t nv_written_set, nv_written;
    uint64_t start_time;
    uint64_t timeout;         /* 0 = none; in TPM time ms */
    uint8_t is_audit_started;
    tpm_buf64 audit_digest;
} tpm_session;

/* Per-command session bookkeeping shared between the two calls. */
typedef struct {
    unsigned nhandles, nauth;
    const uint8_t *roles;
    int may_dec, may_enc;
    int dec_idx, enc_idx;     /* -1 when none */
    tpm_buf64 values[MAX_AUTH_SESSIONS]; /* HMAC key (sessionKey || authValue) per session */
    uint8_t with_auth[MAX_AUTH_SESSIONS]; /* values[i] includes the entity's authValue */
    /* parameter-encryption key per session: values[i], except that a bound
     * session authorizing its bind entity keeps the authValue here (Part 1
     * §21: only the HMAC key leaves it out), as the reference TPM does */
    tpm_buf64 crypt_values[MAX_AUTH_SESSIONS];
    TPM_HANDLE auth_handle[MAX_AUTH_SESSIONS];
    tpm_buf64 nonce_old_tpm[MAX_AUTH_SESSIONS];
    uint8_t cp_hash[MAX_AUTH_SESSIONS][MAX_DIGEST];
    TPM_HANDLE flushed_by_cmd;  /* a session the command itself removed */
} sess_ctx;

void sess_ctx_init(sess_ctx *sc, unsigned nhandles, unsigned nauth, const uint8_t *roles,
                   int may_dec, int may_enc);
void sess_ctx_clear(sess_ctx *sc);
TPM_RC sessions_check(qtpm_tpm *tpm, tpm_cmd *c, sess_ctx *sc);
TPM_RC sessions_respond(qtpm_tpm *tpm, tpm_cmd *c, sess_ctx *sc);

/* the session table (objects.c) */
tpm_session *session_find(qtpm_tpm *tpm, TPM_HANDLE h);
void session_free(tpm_session *s);
/* Policy helper: policyDigest' = H(policyDigest || parts...) (Part 1 §19.7.3). */
int session_policy_extend(tpm_session *s, const uint8_t *a, size_t alen, const uint8_t *b,
                          size_t blen);

/* Compare two auth values ignoring trailing zeros (Part 1 §19.6.4), in time
 * depending on the lengths only. Returns 1 when equal. */
int auth_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);
/* Trailing zeros removed, as the TPM stores every authValue. */
uint16_t auth_trim(const uint8_t *a, uint16_t len);

/* the parameters of StartAuthSession (Part 3 §11.1), PolicyRestart and
 * PolicyGetDigest (§23.15, §23.19), session.c's commands (params.h) */
#define StartAuthSession_IN(P)                                                          \
    P(TPM2B_NONCE, nonceCaller) P(TPM2B_ENCRYPTED_SECRET, encryptedSalt)               \
    P(TPM_SE, sessionType) P(TPMT_SYM_DEF_NULL, symmetric) P(TPMI_ALG_HASH, authHash)
#define StartAuthSession_OUT(P) P(TPM2B_NONCE, nonceTPM)
PRM_COMMAND(StartAuthSession)
#define PolicyRestart_IN(P)
#define PolicyRestart_OUT(P)
PRM_COMMAND(PolicyRestart)
#define PolicyGetDigest_IN(P)
#define PolicyGetDigest_OUT(P) P(TPM2B_DIGEST, policyDigest)
PRM_COMMAND(PolicyGetDigest)


#endif
