/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine_int.h — the inside of a qtpm_tpm, shared by the engine's files.
 *
 * A TPM is one struct (struct qtpm_tpm) holding two kinds of state:
 *  - persistent state (struct tpm_pstate): seeds, proofs, hierarchy auth and
 *    policy, clock, counters, DA parameters, PCR allocation, NV indices and
 *    persistent objects, and what Shutdown(STATE) saved. It is serialised into
 *    the store blob "state" (tpm.c) after every command that changed it;
 *  - volatile state: PCR values, loaded objects and sessions, the startup
 *    flag. Power-off loses it.
 *
 * Commands arrive through dispatch.c, which parses the header, handle area and
 * authorization area, checks authorization (session.c) and calls one handler
 * per command code from the table in dispatch.c. A handler reads its
 * parameters from cmd->in and writes its response parameters to cmd->out.
 *
 * Byte readers and writers here are the engine's plain big-endian cursors;
 * TPM structures go through the shared marshalling module (qtpm/marshal.h).
 */
#ifndef QTPM_ENGINE_INT_H
#define QTPM_ENGINE_INT_H

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

/* ------------------------------------------------------------ byte cursors */

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t off;
} tpm_rd;

typedef struct {
    uint8_t *p;
    size_t cap;
    size_t off;
    int overflow; /* set once a write did not fit; later writes are dropped */
} tpm_wr;

static inline size_t rd_left(const tpm_rd *r) { return r->len - r->off; }

static inline int rd_u8(tpm_rd *r, uint8_t *v)
{
    if (rd_left(r) < 1)
        return -1;
    *v = r->p[r->off++];
    return 0;
}

static inline int rd_u16(tpm_rd *r, uint16_t *v)
{
    if (rd_left(r) < 2)
        return -1;
    *v = (uint16_t)((r->p[r->off] << 8) | r->p[r->off + 1]);
    r->off += 2;
    return 0;
}

static inline int rd_u32(tpm_rd *r, uint32_t *v)
{
    if (rd_left(r) < 4)
        return -1;
    const uint8_t *p = r->p + r->off;
    *v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    r->off += 4;
    return 0;
}

static inline int rd_u64(tpm_rd *r, uint64_t *v)
{
    uint32_t hi = 0, lo = 0;
    if (rd_left(r) < 8)
        return -1;
    rd_u32(r, &hi);
    rd_u32(r, &lo);
    *v = ((uint64_t)hi << 32) | lo;
    return 0;
}

static inline int rd_bytes(tpm_rd *r, uint8_t *dst, size_t n)
{
    if (rd_left(r) < n)
        return -1;
    if (n)
        memcpy(dst, r->p + r->off, n);
    r->off += n;
    return 0;
}

/* A TPM2B: 16-bit size then that many bytes, which must fit in cap. Returns
 * -1 if the input is short, -2 if the size exceeds cap. */
static inline int rd_2b(tpm_rd *r, uint8_t *dst, size_t cap, uint16_t *size)
{
    uint16_t n;
    if (rd_u16(r, &n) != 0)
        return -1;
    if (n > cap)
        return -2;
    if (rd_bytes(r, dst, n) != 0)
        return -1;
    *size = n;
    return 0;
}

static inline void wr_bytes(tpm_wr *w, const void *src, size_t n)
{
    if (w->overflow || w->cap - w->off < n) {
        w->overflow = 1;
        return;
    }
    if (n)
        memcpy(w->p + w->off, src, n);
    w->off += n;
}

static inline void wr_u8(tpm_wr *w, uint8_t v) { wr_bytes(w, &v, 1); }

static inline void wr_u16(tpm_wr *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    wr_bytes(w, b, 2);
}

static inline void wr_u32(tpm_wr *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    wr_bytes(w, b, 4);
}

static inline void wr_u64(tpm_wr *w, uint64_t v)
{
    wr_u32(w, (uint32_t)(v >> 32));
    wr_u32(w, (uint32_t)v);
}

static inline void wr_2b(tpm_wr *w, const uint8_t *src, uint16_t n)
{
    wr_u16(w, n);
    wr_bytes(w, src, n);
}

static inline void wr_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void wr_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------ response codes */

/* Format-1 codes carry the number of the failing handle, parameter or
 * session (Part 2 §6.6.3). n is 1-based. */
#define RC_H(rc, n) ((TPM_RC)(rc) | ((TPM_RC)(n) << 8))
#define RC_P(rc, n) ((TPM_RC)(rc) | TPM_RC_P | ((TPM_RC)(n) << 8))
#define RC_S(rc, n) ((TPM_RC)(rc) | TPM_RC_S | ((TPM_RC)(n) << 8))

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

/* ------------------------------------------------------------ command context */

/* One parsed authorization of the command's authorization area. */
typedef struct {
    TPM_HANDLE handle;
    tpm_buf64 nonce_caller;
    uint8_t attrs;
    uint16_t hmac_size;
    uint8_t hmac[MAX_DIGEST];
    struct tpm_session *sess; /* NULL for a password authorization */
} tpm_auth_in;

typedef struct tpm_cmd {
    TPM_CC cc;
    uint8_t locality;
    TPM_ST tag;
    TPM_HANDLE handles[3];
    unsigned nhandles;
    tpm_auth_in auths[MAX_AUTH_SESSIONS];
    unsigned nauths;
    tpm_rd in;                 /* the parameter area (decrypted) */
    tpm_wr out;                /* response parameters */
    TPM_HANDLE out_handle;     /* response handle, for commands that return one */
    const uint8_t *param_raw;  /* parameters as they arrived (for cpHash) */
    size_t param_raw_len;
    uint8_t rsp_auth[MAX_AUTH_SESSIONS * (2 + MAX_DIGEST + 1 + 2 + MAX_DIGEST)];
    size_t rsp_auth_len;
    uint8_t names[3][2 + MAX_DIGEST]; /* Names of the handles, for cpHash */
    uint16_t name_len[3];
    uint8_t dec_done;          /* the first parameter was decrypted in place */
    uint8_t *param_copy;       /* writable copy of the parameters (decryption) */
} tpm_cmd;

typedef TPM_RC (*cmd_handler)(qtpm_tpm *tpm, tpm_cmd *cmd);

/* The handler's promise that it consumed every parameter byte: anything left
 * over is a size error on the command (Part 3 §5.6). */
static inline TPM_RC params_end(const tpm_cmd *c)
{
    return rd_left(&c->in) == 0 ? TPM_RC_SUCCESS : TPM_RC_SIZE;
}

/* ------------------------------------------------------------ shared functions */

/* tpm.c */
uint64_t tpm_now_ms(void);
void tpm_clock_update(qtpm_tpm *tpm);
int tpm_state_save(qtpm_tpm *tpm);
/* Saves now; on failure rolls the persistent state back to the disk's and
 * returns -1 (the caller answers TPM_RC_NV_UNAVAILABLE). */
int tpm_state_commit(qtpm_tpm *tpm);
void tpm_flush_all_volatile(qtpm_tpm *tpm);
/* context.c: forgets every saved sequence state (TPM Reset, teardown). */
void saved_sequences_forget(qtpm_tpm *tpm);

/* dispatch.c */
size_t tpm_dispatch(qtpm_tpm *tpm, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                    uint8_t *rsp, size_t rsp_cap);
/* TPMA_CC of a command in the table (0 for any other code). */
uint32_t tpm_command_attributes(TPM_CC cc);

/* pcr.c */
int pcr_bank_index(TPM_ALG_ID alg);
TPM_ALG_ID pcr_bank_alg(int idx);
/* 1 if bank idx is allocated now; event digests are returned for these. */
int pcr_bank_allocated(const qtpm_tpm *tpm, int idx);
void pcr_init_values(qtpm_tpm *tpm, int on_resume);
void pcr_write_allocation(const qtpm_tpm *tpm, tpm_wr *w);
void pcr_extend_digests(qtpm_tpm *tpm, TPM_HANDLE h, uint8_t digests[PCR_BANK_COUNT][MAX_DIGEST]);
TPM_RC pcr_compute_digest(qtpm_tpm *tpm, tpm_rd *in, unsigned param_no, TPM_ALG_ID alg,
                          uint8_t *digest, uint8_t *sel_raw, size_t *sel_raw_len);

/* profile.c: the algorithm checks of the commands, through the TPM's
 * profile. tpm_hash_size is crypt_hash_size for a hash the profile enables
 * and 0 (not implemented) for any other; every command parameter naming a
 * hash is checked with it. */
size_t tpm_hash_size(const qtpm_tpm *tpm, TPM_ALG_ID alg);
int tpm_alg_enabled(const qtpm_tpm *tpm, TPM_ALG_ID alg);
/* A command of the table that the profile enables (what PolicyCommandCode
 * and command audit treat as implemented). */
int tpm_command_offered(const qtpm_tpm *tpm, TPM_CC cc);

/* capability.c */
int tpm_property(qtpm_tpm *tpm, TPM_PT pt, uint32_t *value);
int tpm_alg_implemented(TPM_ALG_ID alg);
size_t tpm_command_count(void);
int tpm_command_implemented(TPM_CC cc);

/* the command handlers, one per command code, in their families' files */
#define CMD(name) TPM_RC cmd_##name(qtpm_tpm *tpm, tpm_cmd *c)
CMD(Startup);
CMD(Shutdown);
CMD(GetCapability);
CMD(TestParms);
CMD(GetRandom);
CMD(StirRandom);
CMD(SelfTest);
CMD(IncrementalSelfTest);
CMD(GetTestResult);
CMD(PCR_Read);
CMD(PCR_Extend);
CMD(PCR_Event);
CMD(PCR_Reset);
CMD(PCR_Allocate);
CMD(ReadClock);
CMD(ClockSet);
CMD(ClockRateAdjust);
CMD(HierarchyControl);
CMD(HierarchyChangeAuth);
CMD(SetPrimaryPolicy);
CMD(Clear);
CMD(ClearControl);
CMD(ChangeEPS);
CMD(ChangePPS);
CMD(DictionaryAttackLockReset);
CMD(DictionaryAttackParameters);
CMD(CreatePrimary);
CMD(Create);
CMD(CreateLoaded);
CMD(Load);
CMD(LoadExternal);
CMD(ReadPublic);
CMD(Unseal);
CMD(ObjectChangeAuth);
CMD(ContextSave);
CMD(ContextLoad);
CMD(FlushContext);
CMD(EvictControl);
CMD(Sign);
CMD(VerifySignature);
CMD(RSA_Encrypt);
CMD(RSA_Decrypt);
CMD(ECDH_KeyGen);
CMD(ECDH_ZGen);
CMD(EncryptDecrypt);
CMD(EncryptDecrypt2);
CMD(HMAC);
CMD(Hash);
CMD(HashSequenceStart);
CMD(HMAC_Start);
CMD(SequenceUpdate);
CMD(SequenceComplete);
CMD(EventSequenceComplete);
CMD(PolicyPCR);
CMD(PolicyPassword);
CMD(PolicyAuthValue);
CMD(PolicyCommandCode);
CMD(PolicyOR);
CMD(PolicySecret);
CMD(PolicySigned);
CMD(PolicyAuthorize);
CMD(PolicyLocality);
CMD(PolicyCpHash);
CMD(PolicyNameHash);
CMD(PolicyNvWritten);
CMD(MakeCredential);
CMD(ActivateCredential);
CMD(Quote);
CMD(Certify);
CMD(CertifyCreation);
CMD(GetTime);
CMD(NV_Certify);
CMD(Duplicate);
CMD(Import);
CMD(ECC_Parameters);
CMD(PolicyNV);
CMD(PolicyCounterTimer);
CMD(PolicyDuplicationSelect);
CMD(SetCommandCodeAuditStatus);
CMD(GetCommandAuditDigest);
CMD(GetSessionAuditDigest);
CMD(Commit);
CMD(EC_Ephemeral);
CMD(ZGen_2Phase);
CMD(PolicyTicket);
CMD(PolicyTemplate);
CMD(PolicyAuthorizeNV);

/* attest.c: command audit after a successful command */
void audit_command(qtpm_tpm *tpm, tpm_cmd *c);

/* ecdaa.c: a fresh commit nonce; every earlier commitment is void */
void ecc_commit_startup(qtpm_tpm *tpm);

/* prime.c: forgets every cached primary RSA key (a seed changed) */
void prime_cache_wipe(qtpm_tpm *tpm);

/* hierarchy.c */
void hierarchy_da_tick(qtpm_tpm *tpm);
/* clock.c */
void clock_write_time_info(const qtpm_tpm *tpm, tpm_wr *w);

#endif
