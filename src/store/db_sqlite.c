/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * db_sqlite.c — the SQLite implementation of the store's database adapter (db.h).
 *
 * The database runs in WAL mode (readers never block the writer; a crash at any moment
 * loses at most the transaction in flight — https://sqlite.org/wal.html) with
 * synchronous=FULL so a committed transaction survives power loss, a 5 s busy timeout so
 * the admin CLI and the daemon can share the file, and foreign keys on. A write
 * transaction is BEGIN IMMEDIATE: it takes the write lock at once, so two processes can
 * never both read-then-write on stale data (https://sqlite.org/lang_transaction.html).
 *
 * Parameters are written $1, $2, ... in the shared SQL; SQLite treats "$1" as a named
 * parameter ("$" followed by identifier characters), so bind looks its index up by name.
 * A unique or primary-key violation (SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY) is
 * QTPM_STORE_CONFLICT; other constraint failures (foreign key, NOT NULL) are errors.
 */
#include "db.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct qtpm_db {
    sqlite3 *h;
    char *err;
    size_t errlen;
};

struct qtpm_db_stmt {
    qtpm_db *db;
    sqlite3_stmt *s;
    int bad; /* a bind failed: step reports it */
};

static int db_fail(qtpm_db *db, const char *what)
{
    snprintf(db->err, db->errlen, "%s: %s", what, sqlite3_errmsg(db->h));
    return QTPM_STORE_ERROR;
}

static int sq_exec(qtpm_db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(db->err, db->errlen, "%s (%d at \"%.40s\")", msg ? msg : "sqlite error", rc, sql);
        sqlite3_free(msg);
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

/* Switches the file to WAL (a persistent setting: a no-op once done). Processes opening
 * a new file at the same moment race in this switch: the journal-mode change does not wait
 * through the busy handler, and one process may find the rollback journal another one is
 * deleting (SQLITE_IOERR_DELETE_NOENT, _FSTAT). Retried for up to 5 s, the busy timeout. */
static int wal_mode(qtpm_db *db)
{
    for (int attempt = 0;; attempt++) {
        sqlite3_stmt *s = NULL;
        int rc = sqlite3_prepare_v2(db->h, "PRAGMA journal_mode=WAL", -1, &s, NULL);
        char mode[16] = "?";
        if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
            const unsigned char *m = sqlite3_column_text(s, 0);
            snprintf(mode, sizeof mode, "%s", m ? (const char *)m : "?");
        }
        /* An in-memory database (sqlite::memory:, the fuzz targets') stays "memory". */
        int wal = strcmp(mode, "wal") == 0 || strcmp(mode, "memory") == 0;
        sqlite3_finalize(s);
        if (wal)
            return QTPM_STORE_OK;
        int primary = rc & 0xff;
        if (attempt >= 100 || (rc != SQLITE_ROW && primary != SQLITE_BUSY &&
                               primary != SQLITE_LOCKED && primary != SQLITE_IOERR)) {
            if (rc == SQLITE_ROW)
                snprintf(db->err, db->errlen, "cannot switch to WAL (journal mode %s)", mode);
            else
                db_fail(db, "PRAGMA journal_mode=WAL");
            return QTPM_STORE_ERROR;
        }
        sqlite3_sleep(50);
    }
}

static void sq_close(qtpm_db *db)
{
    if (!db)
        return;
    sqlite3_close(db->h);
    free(db);
}

static int sq_open(const char *path, char *err, size_t errlen, qtpm_db **out)
{
    *out = NULL;
    qtpm_db *db = calloc(1, sizeof *db);
    if (!db) {
        snprintf(err, errlen, "out of memory");
        return QTPM_STORE_ERROR;
    }
    db->err = err;
    db->errlen = errlen;
    if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", path, db->h ? sqlite3_errmsg(db->h) : "open");
        sq_close(db);
        return QTPM_STORE_ERROR;
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 5000);
    if (wal_mode(db) || sq_exec(db, "PRAGMA synchronous=FULL") ||
        sq_exec(db, "PRAGMA foreign_keys=ON")) {
        sq_close(db);
        return QTPM_STORE_ERROR;
    }
    *out = db;
    return QTPM_STORE_OK;
}

static int sq_begin(qtpm_db *db) { return sq_exec(db, "BEGIN IMMEDIATE"); }

static int sq_commit(qtpm_db *db)
{
    if (sq_exec(db, "COMMIT")) {
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

static int sq_rollback(qtpm_db *db)
{
    /* After some errors (SQLITE_FULL, IOERR) SQLite has already rolled back. */
    if (sqlite3_get_autocommit(db->h))
        return QTPM_STORE_OK;
    return sq_exec(db, "ROLLBACK");
}

static int sq_prepare(qtpm_db *db, const char *sql, qtpm_db_stmt **out)
{
    *out = NULL;
    qtpm_db_stmt *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(db->err, db->errlen, "out of memory");
        return QTPM_STORE_ERROR;
    }
    s->db = db;
    if (sqlite3_prepare_v2(db->h, sql, -1, &s->s, NULL) != SQLITE_OK) {
        free(s);
        return db_fail(db, "prepare");
    }
    *out = s;
    return QTPM_STORE_OK;
}

/* The index of $i in the statement, 0 (and the statement marked bad) when absent. */
static int param(qtpm_db_stmt *s, int i)
{
    char name[16];
    snprintf(name, sizeof name, "$%d", i);
    int k = sqlite3_bind_parameter_index(s->s, name);
    if (k == 0 && !s->bad) {
        snprintf(s->db->err, s->db->errlen, "bind: no parameter %s", name);
        s->bad = 1;
    }
    return k;
}

static void bound(qtpm_db_stmt *s, int rc)
{
    if (rc != SQLITE_OK && !s->bad) {
        db_fail(s->db, "bind");
        s->bad = 1;
    }
}

static void sq_bind_text(qtpm_db_stmt *s, int i, const char *text)
{
    int k = param(s, i);
    if (k)
        bound(s, text ? sqlite3_bind_text(s->s, k, text, -1, SQLITE_TRANSIENT)
                      : sqlite3_bind_null(s->s, k));
}

static void sq_bind_int64(qtpm_db_stmt *s, int i, int64_t v)
{
    int k = param(s, i);
    if (k)
        bound(s, sqlite3_bind_int64(s->s, k, v));
}

static void sq_bind_blob(qtpm_db_stmt *s, int i, const void *p, size_t n)
{
    int k = param(s, i);
    if (!k)
        return;
    if (!p)
        bound(s, sqlite3_bind_null(s->s, k));
    else
        /* A zero-length blob must not become NULL: the columns are NOT NULL. */
        bound(s, sqlite3_bind_blob64(s->s, k, n ? p : "", n, SQLITE_TRANSIENT));
}

static int sq_step(qtpm_db_stmt *s)
{
    if (s->bad)
        return QTPM_STORE_ERROR;
    int rc = sqlite3_step(s->s);
    if (rc == SQLITE_ROW)
        return QTPM_DB_ROW;
    if (rc == SQLITE_DONE)
        return QTPM_DB_DONE;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        snprintf(s->db->err, s->db->errlen, "conflict: %s", sqlite3_errmsg(s->db->h));
        return QTPM_STORE_CONFLICT;
    }
    return db_fail(s->db, (rc & 0xff) == SQLITE_CONSTRAINT ? "constraint" : "step");
}

static int sq_column_null(qtpm_db_stmt *s, int col)
{
    return sqlite3_column_type(s->s, col) == SQLITE_NULL;
}

static int64_t sq_column_int64(qtpm_db_stmt *s, int col)
{
    return sqlite3_column_int64(s->s, col);
}

static const char *sq_column_text(qtpm_db_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(s->s, col);
}

static const uint8_t *sq_column_blob(qtpm_db_stmt *s, int col, size_t *len)
{
    /* blob first, then bytes: the order SQLite's documentation asks for. */
    const uint8_t *p = sqlite3_column_blob(s->s, col);
    int n = sqlite3_column_bytes(s->s, col);
    *len = p && n > 0 ? (size_t)n : 0;
    return p ? p : (const uint8_t *)"";
}

static int64_t sq_changes(qtpm_db_stmt *s) { return sqlite3_changes64(s->db->h); }

static void sq_finalize(qtpm_db_stmt *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->s);
    free(s);
}

const qtpm_db_ops qtpm_db_sqlite = {
    .name = "sqlite",
    .words = {.blob = "BLOB", .int64 = "INTEGER", .id = "INTEGER PRIMARY KEY",
              .serial = "INTEGER PRIMARY KEY AUTOINCREMENT", .skip_locked = ""},
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .prepare = sq_prepare,
    .bind_text = sq_bind_text,
    .bind_int64 = sq_bind_int64,
    .bind_blob = sq_bind_blob,
    .step = sq_step,
    .column_null = sq_column_null,
    .column_int64 = sq_column_int64,
    .column_text = sq_column_text,
    .column_blob = sq_column_blob,
    .changes = sq_changes,
    .finalize = sq_finalize,
};
