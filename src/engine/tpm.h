/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpm.h — the inside of a qtpm_tpm: the header every engine file stands on.
 *
 * A TPM is one struct (struct qtpm_tpm) holding two kinds of state:
 *  - persistent state (struct tpm_pstate): seeds, proofs, hierarchy auth and
 *    policy, clock, counters, DA parameters, PCR allocation, NV indices and
 *    persistent objects, and what Shutdown(STATE) saved. It is serialised into
 *    the store blob "state" (tpm.c) after every command that changed it;
 *  - volatile state: PCR values, loaded objects and sessions, the startup
 *    flag. Power-off loses it.
 *
 * Every engine file includes this header. The functions declared here are
 * tpm.c's: the clock, saving the persistent state and rolling it back, and
 * flushing what power-off loses. tpm.c itself sits high in the layering
 * (it restarts NV, PCRs, contexts and commitments at Startup); the few files
 * that call it are above it (docs/ENGINE.md "Layers").
 */
#ifndef QTPM_ENGINE_TPM_H
#define QTPM_ENGINE_TPM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/engine.h"
#include "qtpm/tpm2_types.h"
#include "profile.h"

/* ------------------------------------------------------------ sizes */

#define PCR_COUNT 24
#define PCR_SELECT_BYTES 3
#define PCR_BANK_COUNT 7     /* SHA-1, SHA-256/384/512, SHA3-256/384/512 */
#define MAX_DIGEST 64
#define MAX_LOADED_OBJECTS 16
#define MAX_LOADED_SESSIONS 16
/* Loaded plus saved (context-saved) sessions: the handle index range. */
#define ENGINE_ACTIVE_SESSIONS (MAX_LOADED_SESSIONS * 3) /* <= MAX_ACTIVE_SESSIONS */
/* Saved sequence-object states kept for ContextLoad (context.c): as many
 * as the object slots, so a resource manager that swaps every loaded
 * sequence out between commands never loses one. */
#define MAX_SAVED_SEQUENCES (MAX_LOADED_OBJECTS * 2)
#define MAX_PERSISTENT 16
#define MAX_NV_INDICES 32
#define MAX_AUTH_SESSIONS 3
#define QTPM_MANUFACTURER 0x5154504Du /* "QTPM" */
#define CLOCK_SAVE_MS 4096

/* ------------------------------------------------------------ small buffers */

/* A digest or auth value of up to 64 bytes (TPM2B_DIGEST/TPM2B_AUTH sized for
 * the largest hash the engine implements). */
typedef struct {
    uint16_t size;
    uint8_t b[MAX_DIGEST];
} tpm_buf64;

/* ------------------------------------------------------------ persistent state */

typedef struct {
    TPM_ALG_ID alg;
    uint8_t allocated;   /* in the current allocation */
} pcr_bank_alloc;

typedef struct tpm_pstate {
    uint8_t eps[64], sps[64], pps[64];        /* primary seeds (Part 1 §14.3) */
    uint8_t eh_proof[64], sh_proof[64], ph_proof[64];
    tpm_buf64 owner_auth, endorsement_auth, lockout_auth;
    tpm_buf64 owner_policy, endorsement_policy, lockout_policy;
    TPM_ALG_ID owner_policy_alg, endorsement_policy_alg, lockout_policy_alg;
    uint8_t disable_clear;
    uint8_t ph_enable_nv;
    uint64_t clock;                  /* ms, advances while powered */
    uint8_t clock_safe;
    uint32_t reset_count, restart_count, clear_count;
    /* dictionary-attack protection (Part 1 §19.8.6) */
    uint32_t failed_tries, max_tries, recovery_time, lockout_recovery;
    uint8_t lockout_auth_locked;
    /* a DA-protected entity was authorized (or tried) since Startup; an
     * unorderly end of such a cycle counts as one failure (tpm.c) */
    uint8_t da_used;
    pcr_bank_alloc banks[PCR_BANK_COUNT];
    /* what TPM2_Shutdown saved (Part 1 §36.5) */
    uint8_t orderly;                 /* 0 none, 1 after Shutdown(CLEAR), 2 after Shutdown(STATE) */
    uint8_t saved_pcr[PCR_BANK_COUNT][PCR_COUNT][MAX_DIGEST];
    uint32_t saved_pcr_counter;
    uint8_t saved_enables;            /* bit 0 sh, 1 eh, 2 ph */
    tpm_buf64 saved_platform_auth, saved_platform_policy;
    TPM_ALG_ID saved_platform_policy_alg;
    uint8_t null_seed[64], null_proof[64];
    /* command audit (Part 1 §33) */
    TPM_ALG_ID audit_alg;
    tpm_buf64 audit_digest;
    uint64_t audit_counter;
    uint8_t audited[64];              /* bitmap over (cc - TPM_CC_FIRST) */
    uint8_t pending_alloc[PCR_BANK_COUNT]; /* PCR_Allocate, applied at TPM Reset */
    uint8_t alloc_pending;
    /* the largest value any NV counter index of this TPM ever held: a new
     * counter's first NV_Increment starts above it (Part 3 §31.8, nv.c);
     * the optional trailing field of the version-3 state (tpm.c) */
    uint64_t nv_counter_max;
} tpm_pstate;

/* ------------------------------------------------------------ the TPM */

struct tpm_object;
struct tpm_session;
struct tpm_nv;
struct rsa_cache;

struct qtpm_tpm {
    qtpm_store store;
    int powered;
    int nv_on;
    int cancel;
    int started;          /* TPM2_Startup succeeded since _TPM_Init */
    int dirty;            /* persistent state changed: save after the command */
    int self_tested;
    tpm_pstate ps;
    /* the state blob the store holds now: a failed save rolls back to it */
    uint8_t *saved_blob;
    size_t saved_len;
    /* volatile */
    uint8_t pcr[PCR_BANK_COUNT][PCR_COUNT][MAX_DIGEST];
    uint32_t pcr_counter;
    tpm_buf64 platform_auth, platform_policy;
    TPM_ALG_ID platform_policy_alg;
    uint8_t sh_enable, eh_enable, ph_enable;
    uint64_t power_on_ms;    /* monotonic ms at _TPM_Init */
    uint64_t clock_base_ms;  /* monotonic ms when ps.clock was last synced */
    uint64_t time_ms;        /* TPMS_TIME_INFO.time */
    uint64_t clock_saved;    /* ps.clock at the last save of the state blob */
    uint64_t lockout_started_ms;
    int rate_adjust;
    struct tpm_object *objects[MAX_LOADED_OBJECTS];
    struct tpm_session *sessions[MAX_LOADED_SESSIONS];
    uint64_t context_counter;
    uint64_t da_last_ms;
    struct {
        TPM_HANDLE handle;
        uint64_t sequence;
    } saved_sessions[ENGINE_ACTIVE_SESSIONS - MAX_LOADED_SESSIONS];
    /* states of saved sequence objects (context.c): their hash contexts
     * cannot go into the blob, so the blob refers to a copy kept here */
    struct {
        uint64_t sequence;
        struct tpm_object *obj;
    } saved_seqs[MAX_SAVED_SEQUENCES];
    /* persistent entities loaded from the store */
    struct tpm_object *persistent[MAX_PERSISTENT];
    struct tpm_nv *nv[MAX_NV_INDICES];
    struct rsa_cache *rsa_cache; /* recently derived primary RSA keys (prime.c) */
    /* commitments of Commit / EC_Ephemeral (ecdaa.c): a nonce drawn at
     * Startup, a counter, and one bit per outstanding counter value */
    uint8_t commit_nonce[32];
    uint64_t commit_counter;
    uint8_t commit_array[16];
    /* what this TPM offers of what the engine implements (profile.c):
     * fixed at manufacture, kept in the state blob */
    tpm_profile profile;
};

/* ------------------------------------------------------------ tpm.c */

uint64_t tpm_now_ms(void);
void tpm_clock_update(qtpm_tpm *tpm);
int tpm_state_save(qtpm_tpm *tpm);
/* Saves with `clock` as the blob's Clock (qtpm_tpm_execute stores the Clock
 * the disk holds between update points, so an unchanged state writes
 * nothing). */
int tpm_state_save_at(qtpm_tpm *tpm, uint64_t clock);
/* Saves now; on failure rolls the persistent state back to the disk's and
 * returns -1 (the caller answers TPM_RC_NV_UNAVAILABLE). */
int tpm_state_commit(qtpm_tpm *tpm);

/* Puts the persistent state back to the blob the store holds (a save
 * failed), keeping the stricter dictionary-attack counters of RAM. */
void tpm_state_rollback(qtpm_tpm *tpm);
/* Frees every loaded object and session (TPM Reset, teardown). */
void tpm_flush_all_volatile(qtpm_tpm *tpm);

#endif
