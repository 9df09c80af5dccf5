/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * db_pg.c — the PostgreSQL (libpq) implementation of the store's database adapter (db.h).
 *
 * The target is handed to PQconnectdb as it is: a key=value conninfo string
 * ("host=/run/qtpm dbname=qtpm") or a postgresql:// URI (libpq documentation §34.1.1,
 * "Connection Strings"). Each statement is one PQexecParams call with explicit parameter
 * types — text (OID 25) in text format, int8 (20) and bytea (17) in binary format — and
 * asks for binary results, so bytea columns arrive as raw bytes and integers as
 * big-endian int2/int4/int8 (the types' send functions; OIDs from PostgreSQL's
 * src/include/catalog/pg_type.dat). The whole result is fetched at once and step walks it.
 *
 * Transactions: a write transaction is "BEGIN ISOLATION LEVEL READ COMMITTED" followed by
 * pg_advisory_xact_lock on one key for the store: writers run one at a time, as with
 * SQLite's BEGIN IMMEDIATE, and because READ COMMITTED takes a new snapshot per statement
 * every statement after the lock sees what the previous holder committed. The lock is
 * released by COMMIT or ROLLBACK, or by the server when the connection dies. lock_timeout
 * is 5 s (like SQLite's busy timeout). A COMMIT of a transaction that had an error is a
 * ROLLBACK in PostgreSQL; commit() checks and reports it as an error. A light transaction
 * (begin_light) starts without the lock and takes it only when lock() is called — the
 * store does so right before an event insert, so a fenced attestation of one router
 * (docs/SCALE.md) holds the database-wide lock only for its event and its COMMIT.
 *
 * Prepared statements: each distinct statement (its SQL text and parameter types) is
 * prepared once per connection under a name of its own (PQprepare, the extended
 * protocol's Parse) and then run with PQexecPrepared (Bind/Execute only), so the server
 * parses and plans it once instead of at every call — most of its CPU for the store's
 * short indexed statements. The cache holds PREP_MAX statements (the store has fewer;
 * beyond that, or when a preparation fails, the statement runs unnamed as before) and is
 * emptied when the connection is reset (prepared statements belong to the session). A
 * prepared statement outlives a rollback (PostgreSQL §55.2.3: not transactional); a
 * plan made stale by another process's migration is re-planned by the server, and a
 * statement whose result shape changed fails once (SQLSTATE 0A000) and is prepared anew
 * at its next call.
 *
 * Errors: SQLSTATE 23505 (unique_violation) is QTPM_STORE_CONFLICT; anything else is
 * QTPM_STORE_ERROR with the server's message. A broken connection is reset before the
 * next statement outside a transaction; a failed statement is never replayed (it may have
 * committed before the connection dropped).
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE /* explicit_bzero */
#endif
#include "db.h"

#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs (src/include/catalog/pg_type.dat). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25

/* The advisory lock key of the store's write transactions: "qtpm" as a big-endian int. */
#define STORE_LOCK_KEY "1903456365"

#define PREP_MAX 256 /* prepared statements per connection, a power of two */

struct prepared {
    uint64_t hash; /* of the SQL and the parameter types; 0: empty slot */
    char *sql;
    int nparams;
    Oid types[QTPM_DB_MAX_PARAMS];
};

struct qtpm_db {
    PGconn *c;
    struct prepared prep[PREP_MAX]; /* named "q<slot>" on the server */
    int nprep;
    int in_tx;
    int suspect; /* the last failure looked like a lost or terminated connection */
    int idle_ms; /* idle_in_transaction_session_timeout, 0: none (pg_idle_limit) */
    int stale;   /* a prepared slot was dropped: deallocate all when next idle */
    char channel[64]; /* pg_watch: LISTENed to (again after every reset), "" none */
    int reset_heard;  /* a reset since the last pg_heard: announcements may be lost */
    char *err;
    size_t errlen;
};

struct qtpm_db_stmt {
    qtpm_db *db;
    char *sql;
    int nparams;
    Oid types[QTPM_DB_MAX_PARAMS];
    char *values[QTPM_DB_MAX_PARAMS];
    int lengths[QTPM_DB_MAX_PARAMS];
    int formats[QTPM_DB_MAX_PARAMS];
    int bad;
    PGresult *res;
    int row, nrows;
    int64_t changes;
};

/* Copies a libpq message without its trailing newline. */
static void set_err(qtpm_db *db, const char *what, const char *msg)
{
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        n--;
    snprintf(db->err, db->errlen, "%s: %.*s", what, (int)n, msg);
}

/* Maps a failed result to CONFLICT or ERROR and records its message. */
static int res_fail(qtpm_db *db, const char *what, const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorMessage(r) : "";
    /* No SQLSTATE (libpq's own failure: the connection broke), class 08 (connection
     * exception) or 57P0x (the server shutting down or crashed): reconnect next time. */
    if (!state || strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0 ||
        PQstatus(db->c) == CONNECTION_BAD)
        db->suspect = 1;
    if (!msg || !*msg)
        msg = PQerrorMessage(db->c);
    if (state && strcmp(state, "23505") == 0) {
        set_err(db, "conflict", msg);
        return QTPM_STORE_CONFLICT;
    }
    set_err(db, what, msg);
    return QTPM_STORE_ERROR;
}

static void ignore_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int session_setup(qtpm_db *db);

/* Forgets the prepared statements (the session that held them is gone, or one went
 * stale); with deallocate, the server forgets them too. */
static void prep_clear(qtpm_db *db, int deallocate)
{
    for (int i = 0; i < PREP_MAX; i++) {
        free(db->prep[i].sql);
        memset(&db->prep[i], 0, sizeof db->prep[i]);
    }
    db->nprep = 0;
    if (deallocate && PQstatus(db->c) == CONNECTION_OK)
        PQclear(PQexec(db->c, "DEALLOCATE ALL"));
}

/* Before a statement outside a transaction: a connection that broke (or whose last
 * failure says the server went away) is re-opened with the same conninfo and its
 * session settings applied again. Inside a transaction nothing is re-opened: the
 * transaction is lost, its statements fail, and the caller rolls back. */
static void revive(qtpm_db *db)
{
    if (db->in_tx || (!db->suspect && PQstatus(db->c) != CONNECTION_BAD))
        return;
    db->suspect = 0;
    prep_clear(db, 0);
    PQreset(db->c);
    db->reset_heard = 1;
    if (PQstatus(db->c) == CONNECTION_OK)
        session_setup(db);
    else
        db->suspect = 1;
}

static int raw_exec(qtpm_db *db, const char *sql)
{
    PGresult *r = PQexec(db->c, sql);
    ExecStatusType t = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    int ret = QTPM_STORE_OK;
    if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK)
        ret = res_fail(db, "exec", r);
    PQclear(r);
    return ret;
}

static int pg_exec(qtpm_db *db, const char *sql)
{
    revive(db);
    return raw_exec(db, sql);
}

/* The session settings every connection gets (again after a reset). */
static int session_setup(qtpm_db *db)
{
    char idle[96];
    snprintf(idle, sizeof idle, "SET idle_in_transaction_session_timeout = %d", db->idle_ms);
    if (raw_exec(db, "SET client_encoding = 'UTF8'; SET lock_timeout = '5s';"
                     "SET client_min_messages = warning"))
        return QTPM_STORE_ERROR;
    if (db->channel[0]) {
        char listen[96];
        snprintf(listen, sizeof listen, "LISTEN %s", db->channel);
        if (raw_exec(db, listen))
            return QTPM_STORE_ERROR;
    }
    return db->idle_ms ? raw_exec(db, idle) : QTPM_STORE_OK;
}

/* Channel names are ours (store.c): identifiers of lower-case letters and '_' only, so
 * they go into LISTEN and NOTIFY as they are. */
static int channel_ok(const char *c)
{
    size_t n = strlen(c);
    if (n == 0 || n >= 64)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((c[i] >= 'a' && c[i] <= 'z') || c[i] == '_'))
            return 0;
    return 1;
}

static int pg_watch(qtpm_db *db, const char *channel)
{
    if (!channel_ok(channel)) {
        set_err(db, "watch", "bad channel name");
        return QTPM_STORE_ERROR;
    }
    char listen[96];
    snprintf(listen, sizeof listen, "LISTEN %s", channel);
    int rc = pg_exec(db, listen);
    if (rc == QTPM_STORE_OK)
        snprintf(db->channel, sizeof db->channel, "%s", channel);
    return rc;
}

static int pg_announce(qtpm_db *db, const char *channel)
{
    if (!channel_ok(channel)) {
        set_err(db, "announce", "bad channel name");
        return QTPM_STORE_ERROR;
    }
    char notify[96];
    snprintf(notify, sizeof notify, "NOTIFY %s", channel); /* sent at the commit */
    return raw_exec(db, notify);
}

/* What the socket already holds is read without waiting (libpq's socket is non-blocking
 * for PQconsumeInput); notifications that came with earlier results are queued too. */
static int pg_heard(qtpm_db *db)
{
    int heard = db->reset_heard;
    db->reset_heard = 0;
    if (PQstatus(db->c) != CONNECTION_OK)
        return 1;
    if (!PQconsumeInput(db->c))
        heard = 1; /* the connection broke: the next statement revives it */
    for (PGnotify *n; (n = PQnotifies(db->c)) != NULL;) {
        heard = 1;
        PQfreemem(n);
    }
    return heard;
}

/* A verifier worker that is paused (SIGSTOP, a frozen VM) inside a transaction would
 * hold the store's advisory lock, and with it every other worker's writes, for as long
 * as it is paused: the server ends such a session after ms (docs/SCALE.md). */
static int pg_idle_limit(qtpm_db *db, int ms)
{
    db->idle_ms = ms < 0 ? 0 : ms;
    char sql[96];
    snprintf(sql, sizeof sql, "SET idle_in_transaction_session_timeout = %d", db->idle_ms);
    return pg_exec(db, sql);
}

static void pg_close(qtpm_db *db)
{
    if (!db)
        return;
    prep_clear(db, 0);
    PQfinish(db->c);
    free(db);
}

static int pg_open(const char *conninfo, char *err, size_t errlen, qtpm_db **out)
{
    *out = NULL;
    qtpm_db *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return QTPM_STORE_ERROR;
    }
    db->err = err;
    db->errlen = errlen;
    db->c = PQconnectdb(conninfo);
    if (!db->c || PQstatus(db->c) != CONNECTION_OK) {
        set_err(db, "connect", db->c ? PQerrorMessage(db->c) : "out of memory");
        pg_close(db);
        return QTPM_STORE_ERROR;
    }
    /* "CREATE TABLE IF NOT EXISTS" and friends send NOTICEs: not for our stderr. */
    PQsetNoticeProcessor(db->c, ignore_notice, NULL);
    if (session_setup(db)) {
        pg_close(db);
        return QTPM_STORE_ERROR;
    }
    *out = db;
    return QTPM_STORE_OK;
}

static int pg_begin(qtpm_db *db)
{
    if (pg_exec(db, "BEGIN ISOLATION LEVEL READ COMMITTED;"
                    "SELECT pg_advisory_xact_lock(" STORE_LOCK_KEY ")")) {
        if (PQtransactionStatus(db->c) != PQTRANS_IDLE)
            PQclear(PQexec(db->c, "ROLLBACK"));
        return QTPM_STORE_ERROR;
    }
    db->in_tx = 1;
    return QTPM_STORE_OK;
}

/* A write transaction without the store's advisory lock: its writers rely on row locks
 * (UPDATE, SELECT ... FOR UPDATE SKIP LOCKED) and on router leases (docs/SCALE.md);
 * pg_lock takes the advisory lock later, before the first statement that needs the
 * global order (an event insert). */
static int pg_begin_light(qtpm_db *db)
{
    if (pg_exec(db, "BEGIN ISOLATION LEVEL READ COMMITTED")) {
        if (PQtransactionStatus(db->c) != PQTRANS_IDLE)
            PQclear(PQexec(db->c, "ROLLBACK"));
        return QTPM_STORE_ERROR;
    }
    db->in_tx = 1;
    return QTPM_STORE_OK;
}

static int pg_lock(qtpm_db *db)
{
    return raw_exec(db, "SELECT pg_advisory_xact_lock(" STORE_LOCK_KEY ")");
}

static int pg_rollback(qtpm_db *db)
{
    db->in_tx = 0;
    /* Idle: nothing to undo. Unknown: the connection is gone, and with it the transaction
     * (the server rolls back what a dead connection left open). */
    PGTransactionStatusType t = PQtransactionStatus(db->c);
    if (t == PQTRANS_IDLE || t == PQTRANS_UNKNOWN)
        return QTPM_STORE_OK;
    return raw_exec(db, "ROLLBACK");
}

static int pg_commit(qtpm_db *db)
{
    if (PQtransactionStatus(db->c) == PQTRANS_INERROR) {
        pg_rollback(db);
        snprintf(db->err, db->errlen, "commit: the transaction had failed and was rolled back");
        return QTPM_STORE_ERROR;
    }
    db->in_tx = 0;
    PGresult *r = PQexec(db->c, "COMMIT");
    int ret = QTPM_STORE_OK;
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK)
        ret = res_fail(db, "commit", r);
    else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        snprintf(db->err, db->errlen, "commit: the server rolled the transaction back");
        ret = QTPM_STORE_ERROR;
    }
    PQclear(r);
    return ret;
}

static int pg_prepare(qtpm_db *db, const char *sql, qtpm_db_stmt **out)
{
    *out = NULL;
    qtpm_db_stmt *s = calloc(1, sizeof *s);
    if (!s || !(s->sql = strdup(sql))) {
        free(s);
        snprintf(db->err, db->errlen, "out of memory");
        return QTPM_STORE_ERROR;
    }
    s->db = db;
    s->row = -1;
    *out = s;
    return QTPM_STORE_OK;
}

/* Stores parameter $i (a copy of n bytes of p, or NULL) with its type and format. */
static void put_param(qtpm_db_stmt *s, int i, Oid type, int format, const void *p, size_t n)
{
    if (s->bad)
        return;
    if (i < 1 || i > QTPM_DB_MAX_PARAMS || n > INT_MAX) {
        snprintf(s->db->err, s->db->errlen, "bind: bad parameter $%d", i);
        s->bad = 1;
        return;
    }
    int k = i - 1;
    if (s->values[k]) {
        explicit_bzero(s->values[k], (size_t)s->lengths[k]);
        free(s->values[k]);
        s->values[k] = NULL;
    }
    s->types[k] = type;
    s->formats[k] = format;
    s->lengths[k] = (int)n;
    if (p) {
        /* One spare byte: text values are NUL-terminated for libpq. */
        if (!(s->values[k] = malloc(n + 1))) {
            snprintf(s->db->err, s->db->errlen, "out of memory");
            s->bad = 1;
            return;
        }
        memcpy(s->values[k], p, n);
        s->values[k][n] = '\0';
    }
    if (i > s->nparams)
        s->nparams = i;
}

static void pg_bind_text(qtpm_db_stmt *s, int i, const char *text)
{
    put_param(s, i, OID_TEXT, 0, text, text ? strlen(text) : 0);
}

static void pg_bind_int64(qtpm_db_stmt *s, int i, int64_t v)
{
    uint8_t be[8];
    uint64_t u = (uint64_t)v;
    for (int k = 7; k >= 0; k--, u >>= 8)
        be[k] = (uint8_t)u;
    put_param(s, i, OID_INT8, 1, be, sizeof be);
}

static void pg_bind_blob(qtpm_db_stmt *s, int i, const void *p, size_t n)
{
    put_param(s, i, OID_BYTEA, 1, p ? (n ? p : "") : NULL, p ? n : 0);
}

static uint64_t prep_hash(const qtpm_db_stmt *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const char *p = s->sql; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    for (int k = 0; k < s->nparams; k++)
        h = (h ^ (uint64_t)s->types[k]) * 1099511628211ull;
    return h ? h : 1;
}

/* The cache slot of s's statement, preparing it first when it is new; -1: run it
 * unnamed (the cache is full, or in a failed transaction where nothing can be prepared);
 * -2: the preparation failed and s->res holds the server's error. */
static int prepared_slot(qtpm_db_stmt *s)
{
    qtpm_db *db = s->db;
    if (db->stale && PQtransactionStatus(db->c) == PQTRANS_IDLE) {
        /* a slot was dropped: the server's q<slot> may still exist, start over */
        prep_clear(db, 1);
        db->stale = 0;
    }
    uint64_t h = prep_hash(s);
    int i = (int)(h & (PREP_MAX - 1));
    for (int k = 0; k < PREP_MAX; k++, i = (i + 1) & (PREP_MAX - 1)) {
        struct prepared *e = &db->prep[i];
        if (e->hash == 0)
            break;
        if (e->hash == h && e->nparams == s->nparams && strcmp(e->sql, s->sql) == 0 &&
            memcmp(e->types, s->types, sizeof(Oid) * (size_t)s->nparams) == 0)
            return i;
    }
    if (db->stale || db->nprep >= PREP_MAX / 2 || db->prep[i].hash != 0 ||
        PQtransactionStatus(db->c) == PQTRANS_INERROR)
        return -1;
    char name[16];
    snprintf(name, sizeof name, "q%d", i);
    PGresult *r = PQprepare(db->c, name, s->sql, s->nparams, s->types);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) {
        s->res = r; /* the statement's own error (it would fail the same way unnamed) */
        return -2;
    }
    PQclear(r);
    if (!(db->prep[i].sql = strdup(s->sql))) {
        db->stale = 1; /* the server holds a q<i> we lost: start over when idle */
        return -1;
    }
    db->prep[i].hash = h;
    db->prep[i].nparams = s->nparams;
    memcpy(db->prep[i].types, s->types, sizeof(Oid) * (size_t)s->nparams);
    db->nprep++;
    return i;
}

static int pg_step(qtpm_db_stmt *s)
{
    if (s->bad)
        return QTPM_STORE_ERROR;
    if (!s->res) {
        for (int k = 0; k < s->nparams; k++)
            if (s->types[k] == 0) {
                snprintf(s->db->err, s->db->errlen, "bind: parameter $%d not bound", k + 1);
                s->bad = 1;
                return QTPM_STORE_ERROR;
            }
        revive(s->db);
        int slot = prepared_slot(s);
        if (slot == -2) {
            /* s->res: the failed preparation */
        } else if (slot >= 0) {
            char name[16];
            snprintf(name, sizeof name, "q%d", slot);
            s->res = PQexecPrepared(s->db->c, name, s->nparams, (const char *const *)s->values,
                                    s->lengths, s->formats, 1);
        } else {
            s->res = PQexecParams(s->db->c, s->sql, s->nparams, s->types,
                                  (const char *const *)s->values, s->lengths, s->formats, 1);
        }
        ExecStatusType t = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
        if (t != PGRES_COMMAND_OK && t != PGRES_TUPLES_OK) {
            const char *state = s->res ? PQresultErrorField(s->res, PG_DIAG_SQLSTATE) : NULL;
            if (slot >= 0 && state && (!strcmp(state, "0A000") || !strcmp(state, "26000"))) {
                /* stale (a migration changed its result) or unknown to the server:
                 * prepared again at the next call */
                free(s->db->prep[slot].sql);
                memset(&s->db->prep[slot], 0, sizeof s->db->prep[slot]);
                s->db->nprep--;
                s->db->stale = 1;
            }
            s->bad = 1;
            return res_fail(s->db, "step", s->res);
        }
        s->nrows = t == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
        const char *ct = PQcmdTuples(s->res);
        s->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
    }
    if (s->row < s->nrows)
        s->row++;
    return s->row < s->nrows ? QTPM_DB_ROW : QTPM_DB_DONE;
}

static int have(qtpm_db_stmt *s, int col)
{
    return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

static int pg_column_null(qtpm_db_stmt *s, int col)
{
    return !have(s, col) || PQgetisnull(s->res, s->row, col);
}

static int64_t pg_column_int64(qtpm_db_stmt *s, int col)
{
    if (pg_column_null(s, col))
        return 0;
    const uint8_t *p = (const uint8_t *)PQgetvalue(s->res, s->row, col);
    int n = PQgetlength(s->res, s->row, col);
    Oid t = PQftype(s->res, col);
    int want = t == OID_INT8 ? 8 : t == OID_INT4 ? 4 : t == OID_INT2 ? 2 : t == OID_BOOL ? 1 : 0;
    if (want == 0 || n != want)
        return 0;
    uint64_t u = p[0] & 0x80 ? UINT64_MAX : 0; /* sign-extend */
    for (int k = 0; k < n; k++)
        u = u << 8 | p[k];
    return (int64_t)u;
}

static const char *pg_column_text(qtpm_db_stmt *s, int col)
{
    if (pg_column_null(s, col))
        return NULL;
    /* Binary text is the bytes of the string; libpq always appends a NUL. */
    return PQgetvalue(s->res, s->row, col);
}

static const uint8_t *pg_column_blob(qtpm_db_stmt *s, int col, size_t *len)
{
    *len = 0;
    if (pg_column_null(s, col))
        return (const uint8_t *)"";
    int n = PQgetlength(s->res, s->row, col);
    *len = n > 0 ? (size_t)n : 0;
    return (const uint8_t *)PQgetvalue(s->res, s->row, col);
}

static int64_t pg_changes(qtpm_db_stmt *s) { return s->changes; }

static void pg_finalize(qtpm_db_stmt *s)
{
    if (!s)
        return;
    for (int k = 0; k < QTPM_DB_MAX_PARAMS; k++)
        if (s->values[k]) {
            explicit_bzero(s->values[k], (size_t)s->lengths[k]);
            free(s->values[k]);
        }
    PQclear(s->res);
    free(s->sql);
    free(s);
}

const qtpm_db_ops qtpm_db_pg = {
    .name = "postgresql",
    .words = {.blob = "BYTEA", .int64 = "BIGINT",
              .id = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
              .serial = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
              .skip_locked = "FOR UPDATE SKIP LOCKED"},
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .begin = pg_begin,
    .begin_light = pg_begin_light,
    .lock = pg_lock,
    .idle_limit = pg_idle_limit,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .prepare = pg_prepare,
    .bind_text = pg_bind_text,
    .bind_int64 = pg_bind_int64,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .column_null = pg_column_null,
    .column_int64 = pg_column_int64,
    .column_text = pg_column_text,
    .column_blob = pg_column_blob,
    .changes = pg_changes,
    .finalize = pg_finalize,
    .watch = pg_watch,
    .announce = pg_announce,
    .heard = pg_heard,
};
