/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * db.h — the small database adapter under the NMS store (private to src/store).
 *
 * store.c holds every query and the schema once; a back end is a table of the few
 * operations it needs: open a connection, run SQL text with no parameters (migrations,
 * COMMIT), begin a write transaction, and prepared statements with positional parameters
 * stepped row by row. db_sqlite.c implements it over SQLite, db_pg.c over libpq.
 *
 * SQL dialect shared by both: parameters are written $1, $2, ... (PostgreSQL's native
 * form; SQLite reads "$1" as a named parameter, which db_sqlite.c finds with
 * sqlite3_bind_parameter_index), and only statements both engines accept are used
 * (INSERT ... RETURNING and DELETE ... RETURNING need SQLite 3.35, ON CONFLICT DO NOTHING
 * 3.24; Debian 12 has 3.40). Where the schema's types must differ, migrations say {blob},
 * {int}, {id} or {serial} and the back end's `words` give the spelling.
 *
 * Errors: every function that can fail returns QTPM_STORE_ERROR or, for a unique-key
 * violation, QTPM_STORE_CONFLICT, and writes the message into the error buffer given at
 * open (the store's). Binding errors are latched in the statement and reported by step.
 */
#ifndef QTPM_STORE_DB_H
#define QTPM_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* step() results besides the errors. */
#define QTPM_DB_DONE 0
#define QTPM_DB_ROW 1

/* The most $N parameters one statement may have. */
#define QTPM_DB_MAX_PARAMS 128

typedef struct qtpm_db qtpm_db;           /* a connection */
typedef struct qtpm_db_stmt qtpm_db_stmt; /* a prepared statement */

/* How a back end spells the schema's types: {blob} a byte string, {int} a 64-bit
 * integer, {id} an integer key the database assigns, {serial} the same but never reused. */
typedef struct {
    const char *blob, *int64, *id, *serial;
    /* The row-locking clause a lease sweep appends to its SELECT: "FOR UPDATE SKIP
     * LOCKED" where rows can be locked (PostgreSQL), "" where the write lock already
     * covers the whole database (SQLite). */
    const char *skip_locked;
} qtpm_db_words;

typedef struct {
    const char *name;
    qtpm_db_words words;
    /* target: the URL without its scheme prefix as the back end wants it. */
    int (*open)(const char *target, char *err, size_t errlen, qtpm_db **out);
    void (*close)(qtpm_db *db);
    /* SQL text, possibly several statements, no parameters, no rows wanted. */
    int (*exec)(qtpm_db *db, const char *sql);
    /* Starts a transaction holding the database's write lock until it ends, so writers
     * run one at a time (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock). */
    int (*begin)(qtpm_db *db);
    /* Optional (NULL: begin is used): a write transaction without the database-wide
     * lock, for writers whose rows are guarded otherwise (a router's lease, row locks);
     * lock() takes the database-wide lock inside it later, until it ends. */
    int (*begin_light)(qtpm_db *db);
    int (*lock)(qtpm_db *db);
    /* Optional: a session that stays idle inside a transaction for ms is ended by the
     * server, its locks released (0: no limit). Kept across reconnections. */
    int (*idle_limit)(qtpm_db *db, int ms);
    int (*commit)(qtpm_db *db);
    int (*rollback)(qtpm_db *db);

    int (*prepare)(qtpm_db *db, const char *sql, qtpm_db_stmt **out);
    /* i counts from 1 ($1). text NULL and blob NULL bind SQL NULL. */
    void (*bind_text)(qtpm_db_stmt *s, int i, const char *text);
    void (*bind_int64)(qtpm_db_stmt *s, int i, int64_t v);
    void (*bind_blob)(qtpm_db_stmt *s, int i, const void *p, size_t n);
    /* QTPM_DB_ROW, QTPM_DB_DONE or an error. */
    int (*step)(qtpm_db_stmt *s);
    /* Column accessors for the current row; col counts from 0. A NULL reads as 0, as a
     * NULL text pointer, or as an empty blob. Pointers live until the next step. */
    int (*column_null)(qtpm_db_stmt *s, int col);
    int64_t (*column_int64)(qtpm_db_stmt *s, int col);
    const char *(*column_text)(qtpm_db_stmt *s, int col);
    const uint8_t *(*column_blob)(qtpm_db_stmt *s, int col, size_t *len);
    /* Rows changed by the statement (INSERT, UPDATE, DELETE) once it is done. */
    int64_t (*changes)(qtpm_db_stmt *s);
    void (*finalize)(qtpm_db_stmt *s);

    /* Optional (NULL where the back end cannot): announcements between the connections
     * of one database, for what a process keeps in memory (the digest lists, store.c).
     * watch() subscribes this connection to channel; announce(), inside a write
     * transaction, tells every subscriber when it commits; heard() is 1 when an
     * announcement came since its last call — or when the connection was re-opened,
     * which may have missed some — and 0 otherwise, without a round trip to the server
     * (PostgreSQL LISTEN/NOTIFY, RFC-less: its protocol's NotificationResponse). */
    int (*watch)(qtpm_db *db, const char *channel);
    int (*announce)(qtpm_db *db, const char *channel);
    int (*heard)(qtpm_db *db);
} qtpm_db_ops;

extern const qtpm_db_ops qtpm_db_sqlite;
extern const qtpm_db_ops qtpm_db_pg;

#endif
