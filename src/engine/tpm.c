/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpm.c — the TPM as a value: creation (manufacture or reload from the
 * store), the platform signals of engine.h (power, NV, cancel), the
 * persistent-state blob, and the two commands that move the TPM between its
 * operational states: TPM2_Startup and TPM2_Shutdown (Part 3 §9.3-9.4,
 * Part 1 §36 "Initialization and shutdown").
 *
 * Startup comes in three flavours, chosen by the Startup type and by what the
 * previous Shutdown left in the state (Part 1 §36.5):
 *   TPM Reset   Startup(CLEAR) after Shutdown(CLEAR) or no orderly shutdown:
 *               resetCount++, restartCount = 0, new null seed, PCRs initial;
 *   TPM Restart Startup(CLEAR) after Shutdown(STATE): restartCount++, PCRs
 *               initial, null hierarchy kept;
 *   TPM Resume  Startup(STATE) after Shutdown(STATE): restartCount++, saved
 *               PCRs restored.
 *
 * The persistent state is serialised field by field (one visitor function
 * reads and writes it, so the two directions cannot disagree) into the blob
 * "state" of the store; the store makes each save atomic.
 *
 * qtpm_tpm_execute, which runs a command and then saves what it changed, is
 * dispatch.c's, the top of the engine; this file is below it and calls the
 * files whose state it saves or Startup restarts (NV, PCRs, contexts,
 * commitments; docs/ENGINE.md "Layers").
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cmd.h"
#include "commands.h"
#include "context.h"
#include "crypt.h"
#include "ct.h"
#include "ecdaa.h"
#include "entity.h"
#include "nv.h"
#include "object.h"
#include "pcr.h"
#include "prime.h"
#include "session.h"
#include "startup.h"
#include "qtpm/version.h"

#define STATE_BLOB "state"
/* State format (docs/SERVER.md "State file"):
 *   version 3:  "QTPMSTAT" | u32 version | u32 body length | body |
 *               SHA-256 of everything before it (32 bytes);
 *   version 2:  "QTPMST02" | body  (read for migration, never written).
 * The checksum makes every damaged byte a load error instead of a TPM with
 * other seeds or NV contents; the store's temp/fsync/rename makes a save
 * atomic, so the checksum only ever sees media damage or tampering. */
static const uint8_t state_magic[8] = {'Q', 'T', 'P', 'M', 'S', 'T', 'A', 'T'};
static const uint8_t state_magic_v2[8] = {'Q', 'T', 'P', 'M', 'S', 'T', '0', '2'};
#define STATE_VERSION 3u
#define STATE_SUM_LEN 32

uint64_t tpm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Advances Clock and Time by the monotonic time elapsed since the last call. */
void tpm_clock_update(qtpm_tpm *tpm)
{
    uint64_t now = tpm_now_ms();
    if (!tpm->powered) {
        tpm->clock_base_ms = now;
        return;
    }
    uint64_t d = now - tpm->clock_base_ms;
    tpm->clock_base_ms = now;
    tpm->ps.clock += d;
    tpm->time_ms += d;
}

/* ---------------------------------------------------------------- state blob */

/* A serialiser that either reads (r != NULL) or writes (w != NULL); a
 * writer puts `clock` in the blob's Clock field (see tpm_state_save_at). */
typedef struct {
    tpm_rd *r;
    tpm_wr *w;
    int bad;
    uint64_t clock;
} ser;

static void s_bytes(ser *s, uint8_t *p, size_t n)
{
    if (s->w)
        wr_bytes(s->w, p, n);
    else if (rd_bytes(s->r, p, n) != 0)
        s->bad = 1;
}

static void s_u8(ser *s, uint8_t *v) { s_bytes(s, v, 1); }

static void s_u16(ser *s, uint16_t *v)
{
    if (s->w)
        wr_u16(s->w, *v);
    else if (rd_u16(s->r, v) != 0)
        s->bad = 1;
}

static void s_u32(ser *s, uint32_t *v)
{
    if (s->w)
        wr_u32(s->w, *v);
    else if (rd_u32(s->r, v) != 0)
        s->bad = 1;
}

static void s_u64(ser *s, uint64_t *v)
{
    if (s->w)
        wr_u64(s->w, *v);
    else if (rd_u64(s->r, v) != 0)
        s->bad = 1;
}

static void s_buf(ser *s, tpm_buf64 *b)
{
    s_u16(s, &b->size);
    if (b->size > sizeof(b->b)) {
        s->bad = 1;
        b->size = 0;
        return;
    }
    s_bytes(s, b->b, b->size);
}

static void s_var(ser *s, uint8_t *p, uint16_t *len, size_t cap)
{
    s_u16(s, len);
    if (*len > cap) {
        s->bad = 1;
        *len = 0;
        return;
    }
    s_bytes(s, p, *len);
}

/* The TPM's profile as its canonical text; a text that does not parse back
 * to a profile makes the state unreadable. */
static void s_profile(ser *s, tpm_profile *p)
{
    char text[PROFILE_TEXT_MAX + 1];
    uint16_t len = 0;
    if (s->w) {
        size_t n = profile_write(p, text, sizeof(text));
        if (n == 0 || n > PROFILE_TEXT_MAX) {
            s->w->overflow = 1;
            return;
        }
        len = (uint16_t)n;
    }
    s_var(s, (uint8_t *)text, &len, PROFILE_TEXT_MAX);
    if (s->r && !s->bad) {
        text[len] = '\0';
        if (profile_parse(text, p, NULL, 0) != QTPM_OK)
            s->bad = 1;
    }
}

/* A table of the state whose entries are opaque records that the table's
 * family file writes and reads back (NV indices: nv.c; persistent objects:
 * context.c). */
typedef struct {
    int slots;
    int (*used)(const qtpm_tpm *tpm, int slot);
    size_t (*write)(const qtpm_tpm *tpm, int slot, uint8_t *buf, size_t cap);
    int (*read)(qtpm_tpm *tpm, const uint8_t *buf, size_t len);
} record_table;

static int nv_slot_used(const qtpm_tpm *tpm, int slot) { return tpm->nv[slot] != NULL; }

static size_t nv_slot_write(const qtpm_tpm *tpm, int slot, uint8_t *buf, size_t cap)
{
    return nv_record_write(tpm->nv[slot], buf, cap);
}

static int persistent_slot_used(const qtpm_tpm *tpm, int slot)
{
    return tpm->persistent[slot] != NULL;
}

static size_t persistent_slot_write(const qtpm_tpm *tpm, int slot, uint8_t *buf, size_t cap)
{
    return persistent_record_write(tpm->persistent[slot], buf, cap);
}

static const record_table nv_records = {MAX_NV_INDICES, nv_slot_used, nv_slot_write,
                                        nv_record_read};
static const record_table persistent_records = {MAX_PERSISTENT, persistent_slot_used,
                                                persistent_slot_write, persistent_record_read};

/* The table as u8 count, then each used slot's record in slot order (s_var);
 * a reader hands each record to the family's read function. */
static void s_records(ser *s, qtpm_tpm *tpm, const record_table *t)
{
    uint8_t count = 0;
    if (s->w)
        for (int j = 0; j < t->slots; j++)
            count += t->used(tpm, j) != 0;
    s_u8(s, &count);
    for (int i = 0, j = 0; i < count && !s->bad; i++) {
        uint8_t rec[ENTITY_RECORD_MAX];
        uint16_t len = 0;
        if (s->w) {
            while (j < t->slots && !t->used(tpm, j))
                j++;
            if (j == t->slots) { /* not reached: count used slots lie ahead */
                s->w->overflow = 1;
                break;
            }
            len = (uint16_t)t->write(tpm, j++, rec, sizeof(rec));
        }
        s_var(s, rec, &len, sizeof(rec));
        if (s->r && !s->bad && t->read(tpm, rec, len) != 0)
            s->bad = 1;
        qtpm_memzero(rec, sizeof(rec));
    }
}

static void state_visit(ser *s, qtpm_tpm *tpm, uint32_t version)
{
    tpm_pstate *ps = &tpm->ps;
    s_bytes(s, ps->eps, 64);
    s_bytes(s, ps->sps, 64);
    s_bytes(s, ps->pps, 64);
    s_bytes(s, ps->eh_proof, 64);
    s_bytes(s, ps->sh_proof, 64);
    s_bytes(s, ps->ph_proof, 64);
    s_buf(s, &ps->owner_auth);
    s_buf(s, &ps->endorsement_auth);
    s_buf(s, &ps->lockout_auth);
    s_buf(s, &ps->owner_policy);
    s_buf(s, &ps->endorsement_policy);
    s_buf(s, &ps->lockout_policy);
    s_u16(s, &ps->owner_policy_alg);
    s_u16(s, &ps->endorsement_policy_alg);
    s_u16(s, &ps->lockout_policy_alg);
    s_u8(s, &ps->disable_clear);
    s_u8(s, &ps->ph_enable_nv);
    if (s->w)
        s_u64(s, &s->clock);
    else
        s_u64(s, &ps->clock);
    s_u8(s, &ps->clock_safe);
    s_u32(s, &ps->reset_count);
    s_u32(s, &ps->restart_count);
    s_u32(s, &ps->clear_count);
    s_u32(s, &ps->failed_tries);
    s_u32(s, &ps->max_tries);
    s_u32(s, &ps->recovery_time);
    s_u32(s, &ps->lockout_recovery);
    s_u8(s, &ps->lockout_auth_locked);
    if (version >= 3)
        s_u8(s, &ps->da_used);
    for (int i = 0; i < PCR_BANK_COUNT; i++) {
        s_u16(s, &ps->banks[i].alg);
        s_u8(s, &ps->banks[i].allocated);
    }
    s_u8(s, &ps->orderly);
    if (ps->orderly == 2) {
        s_bytes(s, &ps->saved_pcr[0][0][0], sizeof(ps->saved_pcr));
        s_u32(s, &ps->saved_pcr_counter);
        s_u8(s, &ps->saved_enables);
        s_buf(s, &ps->saved_platform_auth);
        s_buf(s, &ps->saved_platform_policy);
        s_u16(s, &ps->saved_platform_policy_alg);
    }
    s_bytes(s, ps->null_seed, 64);
    s_bytes(s, ps->null_proof, 64);
    s_u16(s, &ps->audit_alg);
    s_buf(s, &ps->audit_digest);
    s_u64(s, &ps->audit_counter);
    s_bytes(s, ps->audited, sizeof(ps->audited));

    /* NV indices and persistent objects, as counted lists of opaque records
     * each family file knows how to read back. */
    s_records(s, tpm, &nv_records);
    s_records(s, tpm, &persistent_records);
    /* Optional trailing fields of version 3, appended after the lists:
     * files written before a field existed end earlier and load with its
     * default (docs/SERVER.md "State file").
     *   u64 nv_counter_max (default 0: nv.c then starts a new counter
     *       above the counters still defined). */
    if (s->w || rd_left(s->r) >= 8)
        s_u64(s, &ps->nv_counter_max);
    /*   u16 length | the profile's canonical text (profile.c; default
     *       "default", the only profile before profiles existed). */
    if (s->w || rd_left(s->r) >= 2)
        s_profile(s, &tpm->profile);
    /*   u8 alloc_pending | u8 pending_alloc[PCR_BANK_COUNT]: a PCR_Allocate
     *       waiting for the next TPM Reset (Part 3 §22.5; default none).
     *       Without it a restart of the TPM's process between PCR_Allocate
     *       and Startup(CLEAR) lost the new allocation. */
    if (s->w || rd_left(s->r) >= 1 + PCR_BANK_COUNT) {
        s_u8(s, &ps->alloc_pending);
        s_bytes(s, ps->pending_alloc, PCR_BANK_COUNT);
        if (s->r && !s->bad) {
            int bad = ps->alloc_pending > 1;
            for (int b = 0; b < PCR_BANK_COUNT; b++)
                bad |= ps->pending_alloc[b] > 1;
            if (bad)
                s->bad = 1;
        }
    }
}

/* Serialises the persistent state into a malloc'd version-3 blob whose
 * Clock field is `clock`. */
static int state_serialise(qtpm_tpm *tpm, uint64_t clock, uint8_t **out, size_t *out_len)
{
    size_t cap = 64 * 1024 + MAX_NV_INDICES * ENTITY_RECORD_MAX + MAX_PERSISTENT * ENTITY_RECORD_MAX;
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return QTPM_E_NOMEM;
    tpm_wr w = {buf, cap, 0, 0};
    wr_bytes(&w, state_magic, sizeof(state_magic));
    wr_u32(&w, STATE_VERSION);
    wr_u32(&w, 0); /* body length, filled in below */
    ser s = {NULL, &w, 0, clock};
    state_visit(&s, tpm, STATE_VERSION);
    if (w.overflow || w.cap - w.off < STATE_SUM_LEN) {
        qtpm_memzero(buf, w.off);
        free(buf);
        return QTPM_E_BUFFER;
    }
    wr_put_u32(buf + 12, (uint32_t)(w.off - 16));
    if (crypt_hash(TPM_ALG_SHA256, buf, w.off, buf + w.off) != 0) {
        qtpm_memzero(buf, w.off);
        free(buf);
        return QTPM_E_CRYPTO;
    }
    *out = buf;
    *out_len = w.off + STATE_SUM_LEN;
    return QTPM_OK;
}

static void saved_blob_forget(qtpm_tpm *tpm)
{
    if (tpm->saved_blob) {
        qtpm_memzero(tpm->saved_blob, tpm->saved_len);
        free(tpm->saved_blob);
    }
    tpm->saved_blob = NULL;
    tpm->saved_len = 0;
}

/* Writes the state with `clock` as its Clock; on success the blob is kept
 * as "what the disk holds", the point a failed later save rolls back to
 * (state_rollback), and clock_saved is the Clock the disk holds. */
int tpm_state_save_at(qtpm_tpm *tpm, uint64_t clock)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = state_serialise(tpm, clock, &buf, &len);
    if (rc != QTPM_OK)
        return rc;
    rc = tpm->store.save(tpm->store.ctx, STATE_BLOB, buf, len);
    if (rc == QTPM_OK) {
        tpm->dirty = 0;
        tpm->clock_saved = clock;
        saved_blob_forget(tpm);
        tpm->saved_blob = buf;
        tpm->saved_len = len;
    } else {
        qtpm_memzero(buf, len);
        free(buf);
    }
    return rc;
}

/* A save with the current Clock: at the end of the TPM's life in this
 * process (qtpm_tpm_free, power off), for a state handed out (vtpm.c), and
 * for saves in the middle of a command (tpm_state_commit). */
int tpm_state_save(qtpm_tpm *tpm)
{
    return tpm_state_save_at(tpm, tpm->ps.clock);
}

static void load_error(char *err, size_t err_size, const char *msg)
{
    if (err != NULL && err_size > 0)
        snprintf(err, err_size, "%s", msg);
}

/* Parses a state blob into tpm (whose NV and persistent tables are empty).
 * Every failure names its cause in err. */
static int state_load(qtpm_tpm *tpm, const uint8_t *data, size_t len, char *err, size_t err_size)
{
    tpm_rd r = {data, len, 0};
    uint32_t version = 2;
    if (len == 0) {
        load_error(err, err_size, "the file is empty");
        return QTPM_E_INVALID;
    }
    if (len >= 8 && public_equal(data, "QTPMST01", 8)) {
        /* Format 1 (qtpm before 0.1.0's SHA-3 banks, CHANGELOG.md) has four PCR
         * banks where format 2 has seven: there is nothing to migrate from. */
        load_error(err, err_size,
                   "state format version 1 (written before the SHA-3 PCR banks) cannot be "
                   "migrated: start a new TPM with --rm");
        return QTPM_E_INVALID;
    }
    if (len < 8 || (!public_equal(data, state_magic, 8) && !public_equal(data, state_magic_v2, 8))) {
        load_error(err, err_size, "not a qtpm state file (wrong magic)");
        return QTPM_E_INVALID;
    }
    r.off = 8;
    if (public_equal(data, state_magic, 8)) {
        uint32_t body_len;
        if (rd_u32(&r, &version) != 0 || rd_u32(&r, &body_len) != 0) {
            load_error(err, err_size, "truncated header");
            return QTPM_E_INVALID;
        }
        if (version != STATE_VERSION) {
            char m[192];
            if (version > STATE_VERSION)
                snprintf(m, sizeof(m),
                         "state format version %u was written by a newer qtpm (this is qtpm "
                         QTPM_VERSION ", which reads versions 2 and %u): upgrade qtpm",
                         (unsigned)version, STATE_VERSION);
            else
                snprintf(m, sizeof(m), "unsupported state format version %u (this qtpm reads 2 and %u)",
                         (unsigned)version, STATE_VERSION);
            load_error(err, err_size, m);
            return QTPM_E_INVALID;
        }
        if ((size_t)body_len + 16 + STATE_SUM_LEN != len) {
            load_error(err, err_size, (size_t)body_len + 16 + STATE_SUM_LEN > len
                                          ? "truncated (shorter than its header says)"
                                          : "trailing bytes after the checksum");
            return QTPM_E_INVALID;
        }
        uint8_t sum[STATE_SUM_LEN];
        if (crypt_hash(TPM_ALG_SHA256, data, len - STATE_SUM_LEN, sum) != 0) {
            load_error(err, err_size, "cannot compute the checksum");
            return QTPM_E_CRYPTO;
        }
        if (!public_equal(sum, data + len - STATE_SUM_LEN, STATE_SUM_LEN)) {
            load_error(err, err_size, "checksum mismatch (the file is damaged)");
            return QTPM_E_INVALID;
        }
        r.len = len - STATE_SUM_LEN;
    }
    ser s = {&r, NULL, 0, 0};
    state_visit(&s, tpm, version);
    if (s.bad || rd_left(&r) != 0) {
        load_error(err, err_size, s.bad ? "malformed or truncated contents" : "trailing bytes");
        return QTPM_E_INVALID;
    }
    return QTPM_OK;
}

/* A TPM never runs on seeds that were not generated: an all-zero seed or
 * proof means a state that never came from manufacture(). */
static int seeds_generated(const tpm_pstate *ps)
{
    const uint8_t *v[] = {ps->eps, ps->sps, ps->pps, ps->eh_proof, ps->sh_proof, ps->ph_proof,
                          ps->null_seed, ps->null_proof};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        uint8_t acc = 0;
        for (size_t j = 0; j < 64; j++)
            acc |= v[i][j];
        if (acc == 0)
            return 0;
    }
    return 1;
}

/* Fresh seeds and proofs and factory defaults (what a TPM vendor does once). */
static int manufacture(qtpm_tpm *tpm)
{
    tpm_pstate *ps = &tpm->ps;
    memset(ps, 0, sizeof(*ps));
    if (crypt_random(ps->eps, 64) || crypt_random(ps->sps, 64) || crypt_random(ps->pps, 64) ||
        crypt_random(ps->eh_proof, 64) || crypt_random(ps->sh_proof, 64) ||
        crypt_random(ps->ph_proof, 64) || crypt_random(ps->null_seed, 64) ||
        crypt_random(ps->null_proof, 64))
        return QTPM_E_RNG;
    ps->owner_policy_alg = ps->endorsement_policy_alg = ps->lockout_policy_alg = TPM_ALG_NULL;
    ps->ph_enable_nv = 1;
    ps->clock_safe = 1;
    ps->orderly = 1; /* the first Startup is not a recovery from a power loss */
    /* The reference implementation's DA defaults. */
    ps->max_tries = 3;
    ps->recovery_time = 1000;
    ps->lockout_recovery = 1000;
    /* the SHA-2 banks (and SHA-1) are allocated; the SHA-3 banks exist
     * and PCR_Allocate can switch them on (pcr.c); a bank whose hash the
     * profile disables is never allocated */
    for (int i = 0; i < PCR_BANK_COUNT; i++) {
        ps->banks[i].alg = pcr_bank_alg(i);
        TPM_ALG_ID alg = ps->banks[i].alg;
        ps->banks[i].allocated = alg != TPM_ALG_SHA3_256 && alg != TPM_ALG_SHA3_384 &&
                                 alg != TPM_ALG_SHA3_512 && tpm_alg_enabled(tpm, alg);
    }
    ps->audit_alg = TPM_ALG_NULL;
    return seeds_generated(ps) ? QTPM_OK : QTPM_E_RNG;
}

/* ---------------------------------------------------------------- lifetime */

void tpm_flush_all_volatile(qtpm_tpm *tpm)
{
    for (int i = 0; i < MAX_LOADED_OBJECTS; i++)
        if (tpm->objects[i]) {
            object_free(tpm->objects[i]);
            tpm->objects[i] = NULL;
        }
    for (int i = 0; i < MAX_LOADED_SESSIONS; i++)
        if (tpm->sessions[i]) {
            session_free(tpm->sessions[i]);
            tpm->sessions[i] = NULL;
        }
}

int qtpm_tpm_new(qtpm_tpm **out, const qtpm_tpm_config *cfg)
{
    if (out == NULL || cfg == NULL || cfg->store.ctx == NULL || cfg->store.load == NULL)
        return QTPM_E_PARAM;
    *out = NULL;
    load_error(cfg->err, cfg->err_size, "");
    /* The profile asked for is checked before anything is read or written. */
    tpm_profile want;
    if (profile_parse(cfg->profile, &want, cfg->err, cfg->err_size) != QTPM_OK)
        return QTPM_E_INVALID;
    qtpm_tpm *tpm = calloc(1, sizeof(*tpm));
    if (tpm == NULL)
        return QTPM_E_NOMEM;
    tpm->store = cfg->store;
    /* a state written before profiles existed has no profile field: it was
     * a default TPM */
    profile_default(&tpm->profile);
    uint8_t *data = NULL;
    size_t len = 0;
    int rc = tpm->store.load(tpm->store.ctx, STATE_BLOB, &data, &len);
    if (rc == QTPM_OK) {
        rc = state_load(tpm, data, len, cfg->err, cfg->err_size);
        if (rc == QTPM_OK && !seeds_generated(&tpm->ps)) {
            load_error(cfg->err, cfg->err_size, "the state holds seeds that were never generated");
            rc = QTPM_E_INVALID;
        }
        if (rc == QTPM_OK && cfg->profile != NULL && !profile_equal(&want, &tpm->profile)) {
            /* A profile is fixed at manufacture (libtpms refuses a change as
             * well): running the TPM with another one would hide keys, PCR
             * banks or NV indices it already holds, or offer what its
             * clients were promised it never would. */
            char have[64], asked[64];
            if (profile_write(&tpm->profile, have, sizeof(have)) == 0)
                snprintf(have, sizeof(have), "custom (another list)");
            if (profile_write(&want, asked, sizeof(asked)) == 0)
                snprintf(asked, sizeof(asked), "custom (another list)");
            if (cfg->err != NULL && cfg->err_size > 0)
                snprintf(cfg->err, cfg->err_size,
                         "the TPM was manufactured with profile %s, not %s; a profile changes "
                         "only with a new TPM (remove the state)", have, asked);
            rc = QTPM_E_INVALID;
        }
        qtpm_memzero(data, len);
        free(data);
        /* Nothing is written at load; the serialised state is kept as the
         * roll-back point of a failed save (a version-2 file becomes
         * version 3 with the first change). */
        if (rc == QTPM_OK)
            rc = state_serialise(tpm, tpm->ps.clock, &tpm->saved_blob, &tpm->saved_len);
    } else if (rc == 1) {
        tpm->profile = want;
        rc = manufacture(tpm);
        if (rc == QTPM_OK)
            rc = tpm_state_save(tpm);
        if (rc != QTPM_OK)
            load_error(cfg->err, cfg->err_size, "cannot manufacture and save a new TPM");
    } else {
        load_error(cfg->err, cfg->err_size, "cannot read the state file");
    }
    if (rc != QTPM_OK) {
        /* A state that failed to load is never written back: no save on the
         * way out, and the caller keeps its store. */
        tpm->store.save = NULL;
        tpm->store.close = NULL;
        qtpm_tpm_free(tpm);
        return rc < 0 ? rc : QTPM_E_INVALID;
    }
    tpm->clock_base_ms = tpm_now_ms();
    tpm->clock_saved = tpm->ps.clock;
    if (cfg->powered_on) {
        qtpm_tpm_power_on(tpm);
        qtpm_tpm_nv_on(tpm);
    }
    *out = tpm;
    return QTPM_OK;
}

void qtpm_tpm_free(qtpm_tpm *tpm)
{
    if (tpm == NULL)
        return;
    if (tpm->store.save) {
        tpm_clock_update(tpm);
        tpm_state_save(tpm);
    }
    tpm_flush_all_volatile(tpm);
    saved_sequences_forget(tpm);
    prime_cache_wipe(tpm);
    nv_free_all(tpm);
    persistent_free_all(tpm);
    saved_blob_forget(tpm);
    if (tpm->store.close)
        tpm->store.close(tpm->store.ctx);
    qtpm_memzero(tpm, sizeof(*tpm));
    free(tpm);
}

/* _TPM_Init (Part 1 §36.3): the TPM needs TPM2_Startup; volatile state is gone. */
void qtpm_tpm_power_on(qtpm_tpm *tpm)
{
    if (tpm->powered)
        tpm_clock_update(tpm);
    tpm_flush_all_volatile(tpm);
    tpm->powered = 1;
    tpm->started = 0;
    tpm->self_tested = 0;
    tpm->time_ms = 0;
    tpm->clock_base_ms = tpm_now_ms();
    tpm->power_on_ms = tpm->clock_base_ms;
}

void qtpm_tpm_power_off(qtpm_tpm *tpm)
{
    if (!tpm->powered)
        return;
    tpm_clock_update(tpm);
    tpm_state_save(tpm);
    tpm_flush_all_volatile(tpm);
    tpm->powered = 0;
    tpm->started = 0;
}

void qtpm_tpm_nv_on(qtpm_tpm *tpm) { tpm->nv_on = 1; }
void qtpm_tpm_nv_off(qtpm_tpm *tpm) { tpm->nv_on = 0; }
void qtpm_tpm_cancel(qtpm_tpm *tpm, int on) { tpm->cancel = on != 0; }
int qtpm_tpm_is_powered(const qtpm_tpm *tpm) { return tpm->powered; }

/* A change that could not be made durable is undone: the persistent state
 * goes back to the blob the store holds (the disk is the truth), except the
 * dictionary-attack counters, which only ever keep their stricter in-memory
 * values (a full disk must not hand an attacker unlimited guesses; the
 * unorderly-shutdown rule of Startup counts what the disk missed). */
void tpm_state_rollback(qtpm_tpm *tpm)
{
    if (tpm->saved_blob == NULL)
        return;
    tpm_pstate keep = tpm->ps;
    nv_free_all(tpm);
    persistent_free_all(tpm);
    prime_cache_wipe(tpm);
    memset(&tpm->ps, 0, sizeof(tpm->ps));
    if (state_load(tpm, tpm->saved_blob, tpm->saved_len, NULL, 0) != QTPM_OK) {
        /* cannot happen (the blob was made by state_serialise); keep RAM */
        nv_free_all(tpm);
        persistent_free_all(tpm);
        tpm->ps = keep;
        qtpm_memzero(&keep, sizeof(keep));
        return;
    }
    if (keep.failed_tries > tpm->ps.failed_tries)
        tpm->ps.failed_tries = keep.failed_tries;
    tpm->ps.lockout_auth_locked |= keep.lockout_auth_locked;
    tpm->ps.da_used |= keep.da_used;
    tpm->ps.clock = keep.clock > tpm->ps.clock ? keep.clock : tpm->ps.clock;
    qtpm_memzero(&keep, sizeof(keep));
    tpm->dirty = 0;
}

int tpm_state_commit(qtpm_tpm *tpm)
{
    if (tpm_state_save(tpm) == QTPM_OK)
        return 0;
    tpm_state_rollback(tpm);
    return -1;
}

int qtpm_profile_check(const char *spec, char *err, size_t err_size)
{
    tpm_profile p;
    if (err != NULL && err_size > 0)
        err[0] = '\0';
    return profile_parse(spec, &p, err, err_size);
}

size_t qtpm_tpm_profile(const qtpm_tpm *tpm, char *out, size_t cap)
{
    return profile_write(&tpm->profile, out, cap);
}

/* ---------------------------------------------------------------- Startup / Shutdown */

/* Part 3 §9.3 TPM2_Startup */
TPM_RC cmd_Startup(qtpm_tpm *tpm, tpm_cmd *c, const Startup_In *in, Startup_Out *out)
{
    (void)c, (void)out;
    TPM_SU su = in->startupType; /* CLEAR or STATE (TPM_SU) */
    if (tpm->started)
        return TPM_RC_INITIALIZE;
    tpm_pstate *ps = &tpm->ps;
    if (su == TPM_SU_STATE && ps->orderly != 2)
        return RC_P(TPM_RC_VALUE, PN_Startup_startupType);

    int resume = su == TPM_SU_STATE;
    int restart = su == TPM_SU_CLEAR && ps->orderly == 2;
    tpm_flush_all_volatile(tpm);
    if (resume || restart) {
        ps->restart_count++;
    } else {
        /* TPM Reset: a new null hierarchy and fresh counters (Part 1 §36.5.2). */
        ps->reset_count++;
        ps->restart_count = 0;
        prime_cache_wipe(tpm);
        if (crypt_random(ps->null_seed, 64) || crypt_random(ps->null_proof, 64))
            return TPM_RC_FAILURE;
        memset(tpm->saved_sessions, 0, sizeof(tpm->saved_sessions));
        saved_sequences_forget(tpm);
    }
    /* Clock after a cycle without an orderly Shutdown: NV held Clock only
     * to its last update point, so values above the one Clock resumes from
     * may have been reported; safe is NO until Clock next reaches an update
     * point and is stored (Part 2 §10.11.1 TPMS_CLOCK_INFO.safe; the
     * reference implementation's Startup and TimeClockUpdate). A new TPM
     * leaves manufacture as if shut down orderly. */
    if (ps->orderly == 0)
        ps->clock_safe = 0;
    /* Dictionary attack at Startup (Part 1 §19.8.6; the reference
     * implementation's DAStartup): a boot cycle that used a DA-protected
     * authorization and ended without an orderly Shutdown counts as one
     * failure, since a failure of that cycle may not have reached NV; and
     * with lockoutRecovery = 0 a reboot is what makes lockoutAuth usable. */
    if (ps->orderly == 0 && ps->da_used && ps->recovery_time != 0 &&
        ps->failed_tries < ps->max_tries)
        ps->failed_tries++;
    ps->da_used = 0;
    if (ps->lockout_recovery == 0)
        ps->lockout_auth_locked = 0;
    ecc_commit_startup(tpm);
    pcr_init_values(tpm, resume);
    if (resume) {
        /* Resume restores what Shutdown(STATE) saved (Part 1 §36.5.4). */
        tpm->sh_enable = ps->saved_enables & 1;
        tpm->eh_enable = (ps->saved_enables >> 1) & 1;
        tpm->ph_enable = (ps->saved_enables >> 2) & 1;
        tpm->platform_auth = ps->saved_platform_auth;
        tpm->platform_policy = ps->saved_platform_policy;
        tpm->platform_policy_alg = ps->saved_platform_policy_alg;
    } else {
        /* platformAuth/Policy and the hierarchy enables are STARTUP_CLEAR state. */
        memset(&tpm->platform_auth, 0, sizeof(tpm->platform_auth));
        memset(&tpm->platform_policy, 0, sizeof(tpm->platform_policy));
        tpm->platform_policy_alg = TPM_ALG_NULL;
        tpm->sh_enable = tpm->eh_enable = 1;
        tpm->ph_enable = 1;
        nv_startup_clear(tpm, !restart);
    }
    /* Until the next orderly Shutdown, a power loss is disorderly. */
    ps->orderly = 0;
    tpm->started = 1;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §9.4 TPM2_Shutdown */
TPM_RC cmd_Shutdown(qtpm_tpm *tpm, tpm_cmd *c, const Shutdown_In *in, Shutdown_Out *out)
{
    (void)c, (void)out;
    TPM_SU su = in->shutdownType; /* CLEAR or STATE (TPM_SU) */
    tpm_pstate *ps = &tpm->ps;
    if (su == TPM_SU_STATE) {
        memcpy(ps->saved_pcr, tpm->pcr, sizeof(ps->saved_pcr));
        ps->saved_pcr_counter = tpm->pcr_counter;
        ps->saved_enables = (uint8_t)(tpm->sh_enable | (tpm->eh_enable << 1) | (tpm->ph_enable << 2));
        ps->saved_platform_auth = tpm->platform_auth;
        ps->saved_platform_policy = tpm->platform_policy;
        ps->saved_platform_policy_alg = tpm->platform_policy_alg;
        ps->orderly = 2;
    } else {
        ps->orderly = 1;
    }
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}
