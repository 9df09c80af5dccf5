/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/tss.h — libqtss, the client side of qtpm: the context that ties a TCTI
 * to the command, session and task layers (DESIGN.md, "libqtss"), per-command
 * timing, the common execute helper, object names, and sessions.
 *
 * Layers (each builds on the one below):
 *   TCTI          qtpm/tss_tcti.h   moves bytes
 *   command layer qtpm/tss_cmd.h    one typed function per TPM command, all
 *                                   through qtpm_tss_execute() below
 *   session layer this header       password / HMAC / policy sessions, salting,
 *                                   binding, cpHash/rpHash, parameter encryption
 *   task layer    qtpm/tss_tasks.h  EK, AK, credentials, quotes, sealing, policies
 *
 * Return values: QTPM_OK (0); a negative qtpm_err or QTPM_TSS_E_*; or a
 * positive TPM_RC that the TPM answered (always below 2^31).
 *
 * Authorization: every command function takes `const qtpm_tss_auths *auths`.
 * Its first entries authorize the command's authorized handles in order (Part 3
 * "Auth Index"); entries beyond those are extra sessions used only for
 * parameter encryption or audit. NULL, or fewer entries than authorized
 * handles, means an empty password for the rest.
 *
 * Names: the context remembers the Name of every object and NV index it
 * learns about (Part 1 §16: nameAlg ‖ H(public area)), since cpHash covers
 * the names of all handles (Part 1 §18.7). Unknown transient/persistent
 * handles are looked up with ReadPublic, NV indices with NV_ReadPublic.
 *
 * Timing (DESIGN.md decision 7, after the seeds' patched TSS_Execute()): each
 * command's time from transmit to the end of receive can be recorded in
 * memory (qtpm_tss_timing_enable) and, if the environment variable
 * QTPM_TIMING names a file when the context is created, appended there as
 * "CommandName,0xCODE,microseconds,0xRC" lines.
 */
#ifndef QTPM_TSS_H
#define QTPM_TSS_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/common.h"
#include "qtpm/tpm2_types.h"
#include "qtpm/tss_tcti.h"

typedef struct qtpm_tss qtpm_tss;

/* ------------------------------------------------------------- context */

/* A context over a TCTI opened from spec (see qtpm_tcti_open; NULL means
 * $QTPM_TCTI). */
int qtpm_tss_new(const char *tcti_spec, qtpm_tss **out);
/* A context over an existing TCTI; with own != 0 the context closes it. */
int qtpm_tss_new_with_tcti(qtpm_tcti *tcti, int own, qtpm_tss **out);
void qtpm_tss_free(qtpm_tss *t);
qtpm_tcti *qtpm_tss_tcti(qtpm_tss *t);

/* Text for any return value of this library (qtpm_err, QTPM_TSS_E_*, TPM_RC). */
const char *qtpm_tss_strerror(int rc);
/* The TCG name of a command code ("CreatePrimary"), or "Unknown". */
const char *qtpm_tss_cc_name(TPM_CC cc);

/* -------------------------------------------------------------- timing */

typedef struct {
    TPM_CC cc;      /* command code */
    TPM_RC rc;      /* response code (0 when the transport failed) */
    uint64_t usec;  /* from transmit to complete receive, microseconds */
} qtpm_tss_timing_record;

/* Starts keeping up to capacity records (0 stops and frees them). Records
 * beyond capacity are counted in qtpm_tss_timing_dropped() only. */
int qtpm_tss_timing_enable(qtpm_tss *t, size_t capacity);
size_t qtpm_tss_timing_count(const qtpm_tss *t);
const qtpm_tss_timing_record *qtpm_tss_timing_records(const qtpm_tss *t);
size_t qtpm_tss_timing_dropped(const qtpm_tss *t);
void qtpm_tss_timing_clear(qtpm_tss *t);
/* Appends every command of this context to path as CSV (as QTPM_TIMING
 * does); NULL stops. */
int qtpm_tss_timing_file(qtpm_tss *t, const char *path);

/* --------------------------------------------------------------- names */

/* The Name of an entity the context knows: objects and NV indices from the
 * cache (looked up on the TPM if absent), every other handle type is its own
 * name (the handle, big-endian). */
int qtpm_tss_get_name(qtpm_tss *t, TPM_HANDLE handle, TPM2B_NAME *name);
/* Records / forgets a name (the command layer does this itself for the
 * commands that create, load, flush or change objects and NV indices). */
int qtpm_tss_set_name(qtpm_tss *t, TPM_HANDLE handle, const TPM2B_NAME *name);
void qtpm_tss_forget_name(qtpm_tss *t, TPM_HANDLE handle);

/* Name of a public area: nameAlg ‖ H_nameAlg(TPMT_PUBLIC) (Part 1 §16). */
int qtpm_tss_public_name(const TPMT_PUBLIC *pub, TPM2B_NAME *name);
/* Name of an NV index: nameAlg ‖ H_nameAlg(TPMS_NV_PUBLIC). */
int qtpm_tss_nv_name(const TPMS_NV_PUBLIC *pub, TPM2B_NAME *name);

/* ------------------------------------------------------------ sessions */

/* How a policy session proves knowledge of the authValue (Part 3 §23.18,
 * §23.19): set by qtpm_tss_PolicyAuthValue / qtpm_tss_PolicyPassword. */
enum { QTPM_TSS_POLICY_AUTH_NONE = 0, QTPM_TSS_POLICY_AUTH_VALUE, QTPM_TSS_POLICY_AUTH_PASSWORD };

/* A session the TSS keeps for the TPM's session of the same handle. The
 * caller owns the storage; qtpm_tss_start_session fills it. */
typedef struct {
    TPMI_SH_AUTH_SESSION handle; /* 0 once the TPM has closed it */
    TPM_SE type;                 /* TPM_SE_HMAC, _POLICY or _TRIAL */
    TPMI_ALG_HASH hash;          /* authHash */
    TPMT_SYM_DEF symmetric;      /* parameter encryption (AES-CFB) or NULL */
    TPMA_SESSION attributes;     /* sent with every use; continueSession by default */
    TPM2B_NONCE nonce_caller;
    TPM2B_NONCE nonce_tpm;
    TPM2B_DIGEST session_key;    /* KDFa(hash, bindAuth ‖ salt, "ATH", ...) */
    TPM2B_NAME bind_name;        /* size 0 when unbound */
    int policy_auth;             /* QTPM_TSS_POLICY_AUTH_* */
} qtpm_tss_session;

typedef struct {
    qtpm_tss_session *session; /* NULL: password session (TPM_RS_PW) */
    const TPM2B_AUTH *auth;    /* authValue of the entity; NULL = empty */
} qtpm_tss_auth;

#define QTPM_TSS_MAX_SESSIONS 3

typedef struct {
    size_t count;
    qtpm_tss_auth item[QTPM_TSS_MAX_SESSIONS];
} qtpm_tss_auths;

/*
 * TPM2_StartAuthSession with the TSS side of the secrets (Part 1 §19.6):
 * nonceCaller random (digest size of hash); with salt_key != TPM_RH_NULL a
 * salt of digest size of salt_pub's nameAlg is sent to that key — RSA-OAEP
 * with label "SECRET", ECDH with an ephemeral key and KDFe "SECRET", or
 * ML-KEM encapsulation (qtpm_tss_secret_for_key);
 * with bind != TPM_RH_NULL the session is bound to that entity, whose
 * authValue is bind_auth. sym NULL means no parameter encryption; use
 * qtpm_tss_aes128_cfb for AES-128-CFB. The session starts with
 * continueSession set.
 */
int qtpm_tss_start_session(qtpm_tss *t, TPM_SE type, TPMI_ALG_HASH hash,
                           const TPMT_SYM_DEF *sym,
                           TPMI_DH_OBJECT salt_key, const TPMT_PUBLIC *salt_pub,
                           TPMI_DH_ENTITY bind, const TPM2B_AUTH *bind_auth,
                           qtpm_tss_session *out);
extern const TPMT_SYM_DEF qtpm_tss_aes128_cfb;
/* FlushContext of the session and forgetting its secrets. */
int qtpm_tss_session_close(qtpm_tss *t, qtpm_tss_session *s);
/* Wipes the secrets of a session the TPM has already closed. */
void qtpm_tss_session_clear(qtpm_tss_session *s);

/* ---- the session arithmetic, exposed for tests and for verifiers */

/* cpHash = H(commandCode ‖ name1 ‖ ... ‖ parameters) (Part 1 §18.7). */
int qtpm_tss_cp_hash(TPMI_ALG_HASH hash, TPM_CC cc, const TPM2B_NAME *names,
                     size_t n_names, const uint8_t *params, size_t params_len,
                     TPM2B_DIGEST *out);
/* rpHash = H(responseCode ‖ commandCode ‖ parameters) (Part 1 §18.8). */
int qtpm_tss_rp_hash(TPMI_ALG_HASH hash, TPM_RC rc, TPM_CC cc,
                     const uint8_t *params, size_t params_len, TPM2B_DIGEST *out);
/* The session HMAC of Part 1 §19.6.5 (command) and §19.6.6 (response):
 *   HMAC(key, pHash ‖ nonceNewer ‖ nonceOlder ‖ [nonceDecrypt] ‖ [nonceEncrypt] ‖ attrs)
 * nonce_dec / nonce_enc are NULL unless they must be included. */
int qtpm_tss_session_hmac(TPMI_ALG_HASH hash, const uint8_t *key, size_t key_len,
                          const TPM2B_DIGEST *p_hash, const TPM2B_NONCE *nonce_newer,
                          const TPM2B_NONCE *nonce_older, const TPM2B_NONCE *nonce_dec,
                          const TPM2B_NONCE *nonce_enc, TPMA_SESSION attrs,
                          TPM2B_DIGEST *out);
/* sessionKey = KDFa(hash, bindAuth ‖ salt, "ATH", nonceTPM, nonceCaller,
 * digest bits), empty when bindAuth and salt are both empty (§19.6.8). */
int qtpm_tss_session_key(TPMI_ALG_HASH hash, const TPM2B_AUTH *bind_auth,
                         const uint8_t *salt, size_t salt_len, const TPM2B_NONCE *nonce_tpm,
                         const TPM2B_NONCE *nonce_caller, TPM2B_DIGEST *out);
/* AES-CFB parameter encryption (Part 1 §21.3) of data in place: key and IV
 * from KDFa(hash, hmacKey, "CFB", nonceNewer, nonceOlder, keyBits + 128). */
int qtpm_tss_param_crypt(TPMI_ALG_HASH hash, const TPMT_SYM_DEF *sym, const uint8_t *key,
                         size_t key_len, const TPM2B_NONCE *nonce_newer,
                         const TPM2B_NONCE *nonce_older, int encrypt, uint8_t *data,
                         size_t len);

/* Salt encryption for a TPM key (the "secret" of Part 1 §B.10.3 / §C.6.1):
 * seed of digest-size(nameAlg) bytes protected for pub with label
 * ("SECRET", "IDENTITY", ...). Output: seed and the TPM2B_ENCRYPTED_SECRET
 * contents. Shared by salted sessions and MakeCredential. For an ML-KEM key
 * (v1.85) the secret is an encapsulation to the key, c, and the seed is
 * KDFa(nameAlg, K, label, c, ek, digest bits) with K the shared secret. */
int qtpm_tss_secret_for_key(const TPMT_PUBLIC *pub, const char *label, uint8_t *seed,
                            size_t *seed_len, TPM2B_ENCRYPTED_SECRET *secret);

/* ------------------------------------------------------ execute helper */

typedef struct {
    TPM_CC cc;
    size_t n_handles;                /* handle area entries (≤ 3) */
    TPM_HANDLE handles[3];
    size_t n_auth;                   /* the first n_auth handles need authorization */
    const qtpm_tss_auths *auths;
    const uint8_t *params;           /* marshalled parameter area (cleartext) */
    size_t params_len;
    int rsp_handle;                  /* 1 if the response has a handle area */
} qtpm_tss_command;

typedef struct {
    TPM_RC rc;
    TPM_HANDLE handle;               /* when rsp_handle */
    const uint8_t *params;           /* decrypted parameter area, inside the context */
    size_t params_len;               /* valid until the next command */
} qtpm_tss_response;

/*
 * Builds the command (header, handles, authorization area from auths with
 * cpHash and session HMACs, first parameter encrypted for a decrypt
 * session), transmits it, times it, and parses the response: checks its
 * tag and size, verifies every response HMAC, rolls the nonces, decrypts the
 * first response parameter for an encrypt session, and marks sessions the
 * TPM closed. Returns QTPM_OK, an error, or the TPM's response code.
 */
int qtpm_tss_execute(qtpm_tss *t, const qtpm_tss_command *cmd, qtpm_tss_response *rsp);

#endif
