/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dispatch.c — from command bytes to response bytes (Part 3 §5 "Command
 * Processing", Part 1 §18 "Command/Response Structure").
 *
 * The command table (QTPM_COMMANDS, commands.h) lists every implemented
 * command: its code, how many handles its handle area holds and which handle
 * classes each slot accepts, which handles need authorization and in which
 * role (USER, ADMIN, DUP; Part 1 §19.2), whether it returns a handle,
 * whether its first parameter may be encrypted (decrypt) or its first
 * response parameter encrypted (encrypt). This file pairs each row with its
 * handler; it is the top of the engine (docs/ENGINE.md "Layers"), with
 * qtpm_tpm_execute, the entry of qtpm/engine.h, at its end.
 *
 * The order of checks follows Part 3 §5: header (tag, size), command code,
 * initialisation, handle area, authorization area, authorization, then the
 * parameters and the handler. A TYPED row's parameters are unmarshalled
 * here with the shared module into the command's NAME_In struct, and its
 * NAME_Out marshalled after the handler (params.h, docs/ENGINE.md "Typed
 * commands"); an UNTYPED row's handler still reads its own. Errors carry the
 * number of the handle, session or parameter at fault (Part 2 §6.6.3).
 * Every read is bounded by the command length, so malformed input cannot
 * over-read.
 */
#include <stdlib.h>

#include "attest.h"
#include "capability.h"
#include "clock.h"
#include "cmd.h"
#include "commands.h"
#include "context.h"
#include "crypt.h"
#include "entity.h"
#include "hierarchy.h"
#include "keycmds.h"
#include "misc.h"
#include "nv.h"
#include "params.h"
#include "pcr.h"
#include "policy.h"
#include "pqc.h"
#include "session.h"
#include "startup.h"

/* ---------------------------------------------------------------- handlers */

/* A typed handler as the table calls it; each TYPED row gets a trampoline
 * typed_NAME that passes the scratch structs on as NAME_In / NAME_Out, so
 * every handler is called through its own type. */
typedef TPM_RC (*typed_handler)(qtpm_tpm *tpm, tpm_cmd *c, const void *in, void *out);

/* One row's handler: raw (UNTYPED: reads c->in itself) or typed, with the
 * descriptors of its parameters and the sizes of its structs. */
typedef struct {
    cmd_handler raw;
    typed_handler typed;
    const prm_in_field *in;
    const prm_out_field *out;
    size_t in_size, out_size;
} cmd_entry;

/* the descriptors and trampoline of each TYPED row */
#define CMD_DEFS(name, flags, handles, kind) CMD_DEFS_##kind(name)
#define CMD_DEFS_UNTYPED(name)
#define CMD_DEFS_TYPED(name)                                                          \
    PRM_DESCRIPTORS(name)                                                             \
    static TPM_RC typed_##name(qtpm_tpm *tpm, tpm_cmd *c, const void *in, void *out) \
    {                                                                                 \
        return cmd_##name(tpm, c, in, out);                                           \
    }
QTPM_COMMANDS(CMD_DEFS)
#undef CMD_DEFS
#undef CMD_DEFS_UNTYPED
#undef CMD_DEFS_TYPED

/* The handlers, in the order of QTPM_COMMANDS (commands.h): the row at
 * command_index(d) of commands.c's table is handled by entries[that]. */
#define CMD_ENTRY(name, flags, handles, kind) CMD_ENTRY_##kind(name)
#define CMD_ENTRY_UNTYPED(name) {cmd_##name, NULL, NULL, NULL, 0, 0},
#define CMD_ENTRY_TYPED(name)                                                   \
    {NULL, typed_##name, name##_in_desc_, name##_out_desc_, sizeof(name##_In), \
     sizeof(name##_Out)},
static const cmd_entry entries[] = {QTPM_COMMANDS(CMD_ENTRY)};
#undef CMD_ENTRY
#undef CMD_ENTRY_UNTYPED
#undef CMD_ENTRY_TYPED

/* Room for the In and Out structs of any typed command, next to the
 * response parameters: one allocation per command. */
#define CMD_IN(name, flags, handles, kind) CMD_IN_##kind(name)
#define CMD_IN_UNTYPED(name)
#define CMD_IN_TYPED(name) name##_In name;
#define CMD_OUT(name, flags, handles, kind) CMD_OUT_##kind(name)
#define CMD_OUT_UNTYPED(name)
#define CMD_OUT_TYPED(name) name##_Out name;
typedef struct {
    union {
        QTPM_COMMANDS(CMD_IN)
        uint8_t none;
    } in;
    union {
        QTPM_COMMANDS(CMD_OUT)
        uint8_t none;
    } out;
    uint8_t rsp[QTPM_MAX_RESPONSE_SIZE];
} cmd_scratch;
#undef CMD_IN
#undef CMD_IN_UNTYPED
#undef CMD_IN_TYPED
#undef CMD_OUT
#undef CMD_OUT_UNTYPED
#undef CMD_OUT_TYPED

/* A format-1 code (Part 2 §6.6.3) gets the parameter's number; any other
 * code (a warning, TPM_RC_MEMORY) stays as it is. */
static TPM_RC param_rc(TPM_RC rc, unsigned n)
{
    return (rc & RC_FMT1) ? RC_P(rc, n) : rc;
}

/* Runs the handler of a row. A typed one: the parameters (decrypted, if
 * the first was) through the descriptors into the In struct, each error
 * numbered by its parameter; bytes after the last one are TPM_RC_SIZE (Part
 * 3 §5.6); then the handler; then the Out struct through the descriptors
 * into c->out, where the sessions' response encryption finds the first
 * response parameter as before. The structs are zeroed before (a handler
 * may leave optional Out fields alone) and wiped after by the caller. */
static TPM_RC run_handler(qtpm_tpm *tpm, tpm_cmd *c, const cmd_entry *e, cmd_scratch *s)
{
    if (e->raw != NULL)
        return e->raw(tpm, c);
    uint8_t *in = (uint8_t *)&s->in, *out = (uint8_t *)&s->out;
    memset(in, 0, e->in_size);
    memset(out, 0, e->out_size);
    size_t off = c->in.off;
    for (unsigned i = 0; e->in[i].un != NULL; i++) {
        TPM_RC rc = e->in[i].un(tpm, in + e->in[i].off, c->in.p, c->in.len, &off);
        if (rc != TPM_RC_SUCCESS)
            return param_rc(rc, i + 1);
    }
    if (off != c->in.len)
        return TPM_RC_SIZE;
    c->in.off = off;
    TPM_RC rc = e->typed(tpm, c, in, out);
    if (rc != TPM_RC_SUCCESS)
        return rc;
    for (unsigned i = 0; e->out[i].m != NULL && !c->out.overflow; i++)
        if (e->out[i].m(out + e->out[i].off, c->out.p, c->out.cap, &c->out.off) != TPM_RC_SUCCESS)
            c->out.overflow = 1;
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- response */

static size_t error_response(uint8_t *rsp, TPM_RC rc)
{
    wr_put_u16(rsp, TPM_ST_NO_SESSIONS);
    wr_put_u32(rsp + 2, 10);
    wr_put_u32(rsp + 6, rc);
    return 10;
}

/* ---------------------------------------------------------------- dispatch */

/* Parses the authorization area (Part 1 §18.6): authorizationSize, then up
 * to three TPMS_AUTH_COMMAND. */
static TPM_RC parse_auth_area(tpm_rd *r, tpm_cmd *c)
{
    uint32_t auth_size;
    if (rd_u32(r, &auth_size) != 0)
        return TPM_RC_AUTHSIZE;
    /* The smallest session is 9 bytes: handle, two empty TPM2Bs, attributes. */
    if (auth_size < 9 || auth_size > rd_left(r))
        return TPM_RC_AUTHSIZE;
    tpm_rd a = {r->p + r->off, auth_size, 0};
    r->off += auth_size;
    while (rd_left(&a) > 0) {
        if (c->nauths == MAX_AUTH_SESSIONS)
            return TPM_RC_AUTHSIZE;
        tpm_auth_in *s = &c->auths[c->nauths];
        unsigned n = c->nauths + 1;
        if (rd_u32(&a, &s->handle) != 0)
            return TPM_RC_AUTHSIZE;
        int e = rd_2b(&a, s->nonce_caller.b, sizeof(s->nonce_caller.b), &s->nonce_caller.size);
        if (e == -2)
            return RC_S(TPM_RC_SIZE, n);
        if (e != 0 || rd_u8(&a, &s->attrs) != 0)
            return TPM_RC_AUTHSIZE;
        e = rd_2b(&a, s->hmac, sizeof(s->hmac), &s->hmac_size);
        if (e == -2)
            return RC_S(TPM_RC_SIZE, n);
        if (e != 0)
            return TPM_RC_AUTHSIZE;
        c->nauths++;
    }
    return TPM_RC_SUCCESS;
}

/* Handle-area checks: the value's class must be one the slot accepts
 * (TPM_RC_VALUE otherwise, as unmarshalling the TPMI type would say), and
 * the entity must exist (TPM_RC_HANDLE) and be enabled (TPM_RC_HIERARCHY).
 * They come before the parameters are read (Part 3 §5.6), so a bad handle
 * wins over a malformed parameter. A policy session slot (TPMI_SH_POLICY,
 * the Policy commands) needs the session loaded; the other slots that take
 * a session (ContextSave, GetSessionAuditDigest) leave it to the handler. */
static TPM_RC check_handles(qtpm_tpm *tpm, const cmd_desc *d, tpm_cmd *c)
{
    for (unsigned i = 0; i < d->nhandles; i++) {
        TPM_HANDLE h = c->handles[i];
        unsigned cls = entity_class(h);
        if ((cls & d->hclass[i]) == 0)
            return RC_H(TPM_RC_VALUE, i + 1);
        if (cls & HC_SESSION) {
            if ((d->hclass[i] & HC_SESSION) == HC_POLICY_SESSION && session_find(tpm, h) == NULL)
                return RC_H(TPM_RC_HANDLE, i + 1);
            continue;
        }
        TPM_RC rc = entity_check(tpm, h);
        if (rc == TPM_RC_REFERENCE_H0)
            return rc + i; /* a warning carries the handle's index, not RC_H */
        if (rc != TPM_RC_SUCCESS)
            return RC_H(rc, i + 1);
    }
    return TPM_RC_SUCCESS;
}

static size_t tpm_dispatch(qtpm_tpm *tpm, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                           uint8_t *rsp, size_t rsp_cap)
{
    if (rsp == NULL || rsp_cap < QTPM_MAX_RESPONSE_SIZE)
        return 0;
    if (cmd == NULL || cmd_len < 10)
        return error_response(rsp, TPM_RC_COMMAND_SIZE);

    tpm_rd r = {cmd, cmd_len, 0};
    uint16_t tag;
    uint32_t size, cc;
    rd_u16(&r, &tag);
    rd_u32(&r, &size);
    rd_u32(&r, &cc);
    if (tag != TPM_ST_SESSIONS && tag != TPM_ST_NO_SESSIONS)
        return error_response(rsp, TPM_RC_BAD_TAG);
    if (size != cmd_len || size > QTPM_MAX_COMMAND_SIZE)
        return error_response(rsp, TPM_RC_COMMAND_SIZE);
    if (!tpm->powered)
        return error_response(rsp, TPM_RC_INITIALIZE);

    /* a command the profile disables is one the TPM does not implement */
    const cmd_desc *d = command_find(cc);
    if (d == NULL || !profile_command_enabled(&tpm->profile, cc))
        return error_response(rsp, TPM_RC_COMMAND_CODE);
    if (!tpm->started && cc != TPM_CC_Startup)
        return error_response(rsp, TPM_RC_INITIALIZE);
    if (tpm->cancel)
        return error_response(rsp, TPM_RC_CANCELED);

    tpm_cmd *c = calloc(1, sizeof(*c));
    cmd_scratch *scratch = malloc(sizeof(*scratch));
    if (c == NULL || scratch == NULL) {
        free(c);
        free(scratch);
        return error_response(rsp, TPM_RC_MEMORY);
    }
    const cmd_entry *entry = &entries[command_index(d)];
    uint8_t *out = scratch->rsp;
    c->cc = cc;
    c->tag = tag;
    c->locality = locality;
    c->out = (tpm_wr){out, QTPM_MAX_RESPONSE_SIZE - 64, 0, 0};
    TPM_RC rc = TPM_RC_SUCCESS;

    /* handle area */
    c->nhandles = d->nhandles;
    for (unsigned i = 0; i < d->nhandles; i++)
        if (rd_u32(&r, &c->handles[i]) != 0) {
            rc = TPM_RC_INSUFFICIENT;
            goto done;
        }
    rc = check_handles(tpm, d, c);
    if (rc)
        goto done;
    /* Names of the handles as they are before the command runs: cpHash,
     * bind checks, audit and the policy commands use them. */
    for (unsigned i = 0; i < c->nhandles; i++) {
        tpm_name nm;
        if (entity_name(tpm, c->handles[i], &nm) != TPM_RC_SUCCESS)
            nm.size = 0;
        memcpy(c->names[i], nm.b, nm.size);
        c->name_len[i] = nm.size;
    }

    /* authorization area */
    unsigned nauth = 0;
    for (unsigned i = 0; i < d->nhandles; i++)
        nauth += d->role[i] != R_NONE;
    if (tag == TPM_ST_SESSIONS) {
        rc = parse_auth_area(&r, c);
        if (rc)
            goto done;
    }
    if (c->nauths < nauth) {
        rc = TPM_RC_AUTH_MISSING;
        goto done;
    }
    c->param_raw = r.p + r.off;
    c->param_raw_len = rd_left(&r);
    c->in = (tpm_rd){c->param_raw, c->param_raw_len, 0};

    if (c->nauths > 0) {
        sess_ctx sc;
        sess_ctx_init(&sc, d->nhandles, nauth, d->role, d->flags & F_DEC, d->flags & F_ENC);
        rc = sessions_check(tpm, c, &sc);
        if (rc)
            goto done;
        rc = run_handler(tpm, c, entry, scratch);
        if (rc == TPM_RC_SUCCESS && c->out.overflow)
            rc = TPM_RC_SIZE;
        if (rc == TPM_RC_SUCCESS)
            audit_command(tpm, c);
        if (rc == TPM_RC_SUCCESS)
            rc = sessions_respond(tpm, c, &sc);
        sess_ctx_clear(&sc);
    } else {
        rc = run_handler(tpm, c, entry, scratch);
        if (rc == TPM_RC_SUCCESS && c->out.overflow)
            rc = TPM_RC_SIZE;
        if (rc == TPM_RC_SUCCESS)
            audit_command(tpm, c);
    }

done:;
    size_t n;
    if (rc != TPM_RC_SUCCESS) {
        n = error_response(rsp, rc);
    } else {
        /* header, optional handle, optional parameterSize, parameters, sessions */
        tpm_wr w = {rsp, rsp_cap, 10, 0};
        if (d->flags & F_OUTH)
            wr_u32(&w, c->out_handle);
        if (tag == TPM_ST_SESSIONS)
            wr_u32(&w, (uint32_t)c->out.off);
        wr_bytes(&w, out, c->out.off);
        if (tag == TPM_ST_SESSIONS)
            wr_bytes(&w, c->rsp_auth, c->rsp_auth_len);
        if (w.overflow || w.off > QTPM_MAX_RESPONSE_SIZE) {
            n = error_response(rsp, TPM_RC_SIZE);
        } else {
            n = w.off;
            wr_put_u16(rsp, tag);
            wr_put_u32(rsp + 2, (uint32_t)n);
            wr_put_u32(rsp + 6, TPM_RC_SUCCESS);
        }
    }
    /* the parameters may hold secrets (sensitive data, authValues) */
    qtpm_memzero(out, QTPM_MAX_RESPONSE_SIZE);
    qtpm_memzero(&scratch->in, entry->in_size);
    qtpm_memzero(&scratch->out, entry->out_size);
    if (c->param_copy) {
        qtpm_memzero(c->param_copy, c->param_raw_len);
        free(c->param_copy);
    }
    qtpm_memzero(c, sizeof(*c));
    free(scratch);
    free(c);
    return n;
}

/* ---------------------------------------------------------------- the entry */

/* qtpm_tpm_execute (qtpm/engine.h): one command, then the save of what it
 * changed. TPM_RC_NV_UNAVAILABLE (Part 2 §6.6.3: "the command may require
 * writing of NV and NV is not current accessible") answers a command whose
 * effect could not be stored. */
size_t qtpm_tpm_execute(qtpm_tpm *tpm, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                        uint8_t *rsp, size_t rsp_cap)
{
    tpm_clock_update(tpm);
    hierarchy_da_tick(tpm);
    int was_started = tpm->started;
    size_t n = tpm_dispatch(tpm, locality, cmd, cmd_len, rsp, rsp_cap);
    int changed = tpm->dirty;
    /* Clock in the store (Part 1 "Timing": NV need hold Clock only to the
     * update interval TPM_PT_CLOCK_UPDATE, and exactly at an orderly
     * shutdown). Clock reaches the store at least every CLOCK_SAVE_MS of
     * activity, so a crash loses at most that much of it; between those
     * points a save carries the Clock the store already holds
     * (clock_saved), so the blob of a command that changed nothing else is
     * the one on disk and the store writes nothing. CLOCK_SAVE_MS is the
     * reference implementation's 2^NV_CLOCK_UPDATE_INTERVAL ms
     * (TimeClockUpdate, interval 12); libtpms goes further and never
     * writes its state for Clock alone. After TPM2_Shutdown (orderly set)
     * the store gets the exact Clock, as the reference code writes its
     * orderly data at Shutdown. */
    int clock_due = tpm->ps.clock - tpm->clock_saved >= CLOCK_SAVE_MS;
    if (clock_due) {
        tpm->dirty = 1;
        tpm->ps.clock_safe = 1; /* stored at an update point: safe again */
    }
    uint64_t clock = clock_due || tpm->ps.orderly != 0 ? tpm->ps.clock : tpm->clock_saved;
    if (tpm->dirty && tpm_state_save_at(tpm, clock) != QTPM_OK) {
        if (!changed) {
            /* only Clock was due: nothing was acknowledged; try again later */
            tpm->clock_saved = tpm->ps.clock;
            tpm->dirty = 0;
            return n;
        }
        /* Never acknowledge what the disk does not hold. */
        tpm_state_rollback(tpm);
        if (!was_started)
            tpm->started = 0; /* a Startup that did not reach the disk did not happen */
        n = error_response(rsp, TPM_RC_NV_UNAVAILABLE);
    }
    return n;
}
