/*
 * sqlite.c — the SQLite back end of the NMS store (store.h).
 *
 * The database runs in WAL mode (readers never block the writer; a crash at any moment
 * loses at most the transaction in flight — https://sqlite.org/wal.html) with
 * synchronous=FULL so a committed transaction survives power loss, a 5 s busy timeout so
 * the admin CLI and the daemon can share the file, and foreign keys on. Migrations are
 * SQL strings numbered from 1; at open every migration above schema_version is applied
 * together with the version bump inside one BEGIN IMMEDIATE transaction.
 */
#include "store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct qtpm_store {
    sqlite3 *db;
    int depth; /* nesting of qtpm_store_begin */
    char err[256];
};

/* Migration 1: the whole schema of docs/NMS.md's data model. */
static const char *const migrations[] = {
    "CREATE TABLE routers (id TEXT PRIMARY KEY, hostname TEXT NOT NULL, state TEXT NOT NULL,"
    " allow_reenrol INTEGER NOT NULL DEFAULT 0, verifier_state BLOB,"
    " created INTEGER NOT NULL, updated INTEGER NOT NULL);"
    "CREATE TABLE eks (id INTEGER PRIMARY KEY, router TEXT NOT NULL REFERENCES routers(id),"
    " ek_pub BLOB NOT NULL, ek_cert BLOB NOT NULL, vendor TEXT NOT NULL, UNIQUE(ek_pub));"
    "CREATE TABLE aks (id INTEGER PRIMARY KEY, router TEXT NOT NULL REFERENCES routers(id),"
    " ak_pub BLOB NOT NULL, ak_name BLOB NOT NULL, active INTEGER NOT NULL DEFAULT 1);"
    "CREATE TABLE certificates (id INTEGER PRIMARY KEY, router TEXT REFERENCES routers(id),"
    " kind TEXT NOT NULL, serial TEXT NOT NULL UNIQUE, der BLOB NOT NULL,"
    " issued INTEGER NOT NULL);"
    "CREATE TABLE vendors (name TEXT PRIMARY KEY, ca_der BLOB NOT NULL, mldsa_pub BLOB,"
    " ecdsa_pem TEXT, created INTEGER NOT NULL);"
    "CREATE TABLE digestlists (id INTEGER PRIMARY KEY, vendor TEXT NOT NULL"
    " REFERENCES vendors(name), image TEXT NOT NULL, version INTEGER NOT NULL,"
    " body BLOB NOT NULL, active INTEGER NOT NULL DEFAULT 1, UNIQUE(vendor, image, version));"
    "CREATE TABLE verdicts (id INTEGER PRIMARY KEY, router TEXT NOT NULL REFERENCES routers(id),"
    " time INTEGER NOT NULL, verdict TEXT NOT NULL, reasons TEXT NOT NULL);"
    "CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, time INTEGER NOT NULL,"
    " router TEXT, kind TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE TABLE nonces (nonce TEXT PRIMARY KEY, router TEXT NOT NULL,"
    " expires INTEGER NOT NULL);"
    "CREATE TABLE enrolments (id TEXT PRIMARY KEY, router TEXT NOT NULL, secret BLOB NOT NULL,"
    " ek_pub BLOB NOT NULL, ek_cert BLOB NOT NULL, ak_pub BLOB NOT NULL, hostname TEXT NOT NULL,"
    " vendor TEXT NOT NULL, expires INTEGER NOT NULL);",
    /* 2: liveness (heartbeat / evidence) for the offline timer. */
    "ALTER TABLE routers ADD COLUMN last_seen INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE routers ADD COLUMN last_entries INTEGER NOT NULL DEFAULT -1;",
};
#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

static int fail(qtpm_store *st, const char *what)
{
    snprintf(st->err, sizeof st->err, "%s: %s", what, sqlite3_errmsg(st->db));
    return QTPM_STORE_ERROR;
}

static int exec(qtpm_store *st, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(st->err, sizeof st->err, "%s", msg ? msg : "sqlite error");
        sqlite3_free(msg);
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

static int prepare(qtpm_store *st, const char *sql, sqlite3_stmt **s)
{
    if (sqlite3_prepare_v2(st->db, sql, -1, s, NULL) != SQLITE_OK)
        return fail(st, "prepare");
    return QTPM_STORE_OK;
}

/* Runs a prepared statement that returns no rows; maps constraint failures. */
static int step_done(qtpm_store *st, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    int ret = QTPM_STORE_OK;
    if (rc == SQLITE_CONSTRAINT) {
        snprintf(st->err, sizeof st->err, "constraint: %s", sqlite3_errmsg(st->db));
        ret = QTPM_STORE_CONFLICT;
    } else if (rc != SQLITE_DONE) {
        ret = fail(st, "step");
    }
    sqlite3_finalize(s);
    return ret;
}

static int64_t now_s(void) { return (int64_t)time(NULL); }

int qtpm_store_schema_version(qtpm_store *st, int *version)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT version FROM schema_version", &s))
        return QTPM_STORE_ERROR;
    int rc = sqlite3_step(s);
    *version = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : 0;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? QTPM_STORE_OK : fail(st, "schema_version");
}

static int migrate(qtpm_store *st)
{
    /* BEGIN IMMEDIATE takes the write lock first so two processes opening a fresh file
     * cannot both decide to apply migration 1. */
    if (exec(st, "BEGIN IMMEDIATE"))
        return QTPM_STORE_ERROR;
    int v;
    if (exec(st, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)") ||
        qtpm_store_schema_version(st, &v))
        goto bad;
    if (v > (int)N_MIGRATIONS) {
        snprintf(st->err, sizeof st->err, "database schema %d is newer than this build (%d)",
                 v, (int)N_MIGRATIONS);
        goto bad;
    }
    for (int i = v; i < (int)N_MIGRATIONS; i++)
        if (exec(st, migrations[i]))
            goto bad;
    if (v < (int)N_MIGRATIONS) {
        char sql[96];
        snprintf(sql, sizeof sql, "DELETE FROM schema_version; INSERT INTO schema_version "
                 "VALUES (%d)", (int)N_MIGRATIONS);
        if (exec(st, sql))
            goto bad;
    }
    return exec(st, "COMMIT");
bad:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return QTPM_STORE_ERROR;
}

int qtpm_store_open(const char *url, qtpm_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0) {
        snprintf(err, errlen, "the PostgreSQL back end is not implemented yet");
        return QTPM_STORE_ERROR;
    }
    if (strncmp(url, "sqlite:", 7) != 0 || url[7] == '\0') {
        snprintf(err, errlen, "unknown database URL '%s' (want sqlite:PATH)", url);
        return QTPM_STORE_ERROR;
    }
    qtpm_store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return QTPM_STORE_ERROR;
    }
    if (sqlite3_open_v2(url + 7, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                        NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", url + 7, st->db ? sqlite3_errmsg(st->db) : "open");
        qtpm_store_close(st);
        return QTPM_STORE_ERROR;
    }
    sqlite3_busy_timeout(st->db, 5000);
    if (exec(st, "PRAGMA journal_mode=WAL") || exec(st, "PRAGMA synchronous=FULL") ||
        exec(st, "PRAGMA foreign_keys=ON") || migrate(st)) {
        snprintf(err, errlen, "%s: %s", url + 7, st->err);
        qtpm_store_close(st);
        return QTPM_STORE_ERROR;
    }
    *out = st;
    return QTPM_STORE_OK;
}

void qtpm_store_close(qtpm_store *st)
{
    if (!st)
        return;
    sqlite3_close(st->db);
    free(st);
}

const char *qtpm_store_errmsg(const qtpm_store *st) { return st->err; }

int qtpm_store_begin(qtpm_store *st)
{
    if (st->depth++ > 0)
        return QTPM_STORE_OK;
    if (exec(st, "BEGIN IMMEDIATE")) {
        st->depth = 0;
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

int qtpm_store_commit(qtpm_store *st)
{
    if (st->depth == 0)
        return QTPM_STORE_ERROR;
    if (--st->depth > 0)
        return QTPM_STORE_OK;
    if (exec(st, "COMMIT")) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

int qtpm_store_rollback(qtpm_store *st)
{
    if (st->depth == 0)
        return QTPM_STORE_ERROR;
    st->depth = 0; /* an inner rollback aborts the whole transaction */
    return exec(st, "ROLLBACK");
}

int qtpm_store_vendor_add(qtpm_store *st, const char *name, const uint8_t *ca_der,
                          size_t ca_len, const uint8_t *mldsa_pub, size_t mldsa_len,
                          const char *ecdsa_pem)
{
    sqlite3_stmt *s;
    if (prepare(st, "INSERT INTO vendors (name, ca_der, mldsa_pub, ecdsa_pem, created) "
                    "VALUES (?, ?, ?, ?, ?)", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 2, ca_der, (int)ca_len, SQLITE_TRANSIENT);
    if (mldsa_pub)
        sqlite3_bind_blob(s, 3, mldsa_pub, (int)mldsa_len, SQLITE_TRANSIENT);
    if (ecdsa_pem)
        sqlite3_bind_text(s, 4, ecdsa_pem, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, now_s());
    return step_done(st, s);
}

int qtpm_store_vendor_each(qtpm_store *st, qtpm_store_vendor_cb cb, void *ctx)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT name, ca_der FROM vendors ORDER BY name", &s))
        return QTPM_STORE_ERROR;
    int rc, ret = QTPM_STORE_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (cb(ctx, (const char *)sqlite3_column_text(s, 0),
               sqlite3_column_blob(s, 1), (size_t)sqlite3_column_bytes(s, 1)))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = fail(st, "vendors");
    sqlite3_finalize(s);
    return ret;
}

int qtpm_store_router_add(qtpm_store *st, const char *id, const char *hostname,
                          const char *state)
{
    sqlite3_stmt *s;
    if (prepare(st, "INSERT INTO routers (id, hostname, state, created, updated) "
                    "VALUES (?, ?, ?, ?, ?)", &s))
        return QTPM_STORE_ERROR;
    int64_t t = now_s();
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, hostname, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, state, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, t);
    sqlite3_bind_int64(s, 5, t);
    return step_done(st, s);
}

static void copy_col(char *dst, size_t n, sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    snprintf(dst, n, "%s", t ? (const char *)t : "");
}

static void router_row(sqlite3_stmt *s, qtpm_store_router *r)
{
    memset(r, 0, sizeof *r);
    copy_col(r->id, sizeof r->id, s, 0);
    copy_col(r->hostname, sizeof r->hostname, s, 1);
    copy_col(r->state, sizeof r->state, s, 2);
    r->allow_reenrol = sqlite3_column_int(s, 3);
    r->created = sqlite3_column_int64(s, 4);
    r->updated = sqlite3_column_int64(s, 5);
}

#define ROUTER_COLS "id, hostname, state, allow_reenrol, created, updated"

int qtpm_store_router_get(qtpm_store *st, const char *id, qtpm_store_router *out)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT " ROUTER_COLS " FROM routers WHERE id = ?", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = QTPM_STORE_OK;
    if (rc == SQLITE_ROW)
        router_row(s, out);
    else if (rc == SQLITE_DONE)
        ret = QTPM_STORE_NOTFOUND;
    else
        ret = fail(st, "router");
    sqlite3_finalize(s);
    return ret;
}

static int update_router(qtpm_store *st, const char *sql, const char *id,
                         const char *text, int num)
{
    sqlite3_stmt *s;
    if (prepare(st, sql, &s))
        return QTPM_STORE_ERROR;
    if (text)
        sqlite3_bind_text(s, 1, text, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_int(s, 1, num);
    sqlite3_bind_int64(s, 2, now_s());
    sqlite3_bind_text(s, 3, id, -1, SQLITE_TRANSIENT);
    int ret = step_done(st, s);
    if (ret == QTPM_STORE_OK && sqlite3_changes(st->db) == 0)
        ret = QTPM_STORE_NOTFOUND;
    return ret;
}

int qtpm_store_router_set_state(qtpm_store *st, const char *id, const char *state)
{
    return update_router(st, "UPDATE routers SET state = ?, updated = ? WHERE id = ?", id,
                         state, 0);
}

int qtpm_store_router_set_allow(qtpm_store *st, const char *id, int allow)
{
    return update_router(st, "UPDATE routers SET allow_reenrol = ?, updated = ? WHERE id = ?",
                         id, NULL, allow ? 1 : 0);
}

int qtpm_store_router_each(qtpm_store *st, qtpm_store_router_cb cb, void *ctx)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT " ROUTER_COLS " FROM routers ORDER BY id", &s))
        return QTPM_STORE_ERROR;
    int rc, ret = QTPM_STORE_OK;
    qtpm_store_router r;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        router_row(s, &r);
        if (cb(ctx, &r))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = fail(st, "routers");
    sqlite3_finalize(s);
    return ret;
}

int qtpm_store_event_add(qtpm_store *st, const char *router, const char *kind,
                         const char *detail, int64_t *id)
{
    sqlite3_stmt *s;
    if (prepare(st, "INSERT INTO events (time, router, kind, detail) VALUES (?, ?, ?, ?)", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_int64(s, 1, now_s());
    if (router)
        sqlite3_bind_text(s, 2, router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, detail, -1, SQLITE_TRANSIENT);
    int ret = step_done(st, s);
    if (ret == QTPM_STORE_OK && id)
        *id = sqlite3_last_insert_rowid(st->db);
    return ret;
}

static int events_run(qtpm_store *st, sqlite3_stmt *s, qtpm_store_event_cb cb, void *ctx);

int qtpm_store_event_each(qtpm_store *st, int64_t since, qtpm_store_event_cb cb, void *ctx)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT id, time, router, kind, detail FROM events WHERE id > ? "
                    "ORDER BY id", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_int64(s, 1, since);
    return events_run(st, s, cb, ctx);
}

int qtpm_store_router_events(qtpm_store *st, const char *router, int limit,
                             qtpm_store_event_cb cb, void *ctx)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT id, time, router, kind, detail FROM events WHERE router = ? "
                    "ORDER BY id DESC LIMIT ?", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, limit);
    return events_run(st, s, cb, ctx);
}

static int events_run(qtpm_store *st, sqlite3_stmt *s, qtpm_store_event_cb cb, void *ctx)
{
    int rc, ret = QTPM_STORE_OK;
    qtpm_store_event e;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        e.id = sqlite3_column_int64(s, 0);
        e.time = sqlite3_column_int64(s, 1);
        copy_col(e.router, sizeof e.router, s, 2);
        copy_col(e.kind, sizeof e.kind, s, 3);
        copy_col(e.detail, sizeof e.detail, s, 4);
        if (cb(ctx, &e))
            break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = fail(st, "events");
    sqlite3_finalize(s);
    return ret;
}

int qtpm_store_nonce_put(qtpm_store *st, const char *router, const char *nonce_hex,
                         int64_t expires)
{
    sqlite3_stmt *s;
    if (prepare(st, "INSERT INTO nonces (nonce, router, expires) VALUES (?, ?, ?)", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, nonce_hex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, expires);
    return step_done(st, s);
}

int qtpm_store_nonce_take(qtpm_store *st, const char *router, const char *nonce_hex,
                          int64_t now)
{
    /* Deleting is the take: a second use finds no row. Expired nonces of any router are
     * swept in the same transaction. */
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    sqlite3_stmt *s;
    if (prepare(st, "DELETE FROM nonces WHERE nonce = ? AND router = ? AND expires >= ?", &s))
        goto bad;
    sqlite3_bind_text(s, 1, nonce_hex, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, now);
    if (step_done(st, s))
        goto bad;
    int found = sqlite3_changes(st->db) > 0;
    if (prepare(st, "DELETE FROM nonces WHERE expires < ?", &s))
        goto bad;
    sqlite3_bind_int64(s, 1, now);
    if (step_done(st, s) || qtpm_store_commit(st))
        goto bad;
    return found ? QTPM_STORE_OK : QTPM_STORE_NOTFOUND;
bad:
    qtpm_store_rollback(st);
    return QTPM_STORE_ERROR;
}

int qtpm_store_verdict_add(qtpm_store *st, const char *router, const char *verdict,
                           const char *reasons_json)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    sqlite3_stmt *s;
    if (prepare(st, "INSERT INTO verdicts (router, time, verdict, reasons) VALUES (?, ?, ?, ?)",
                &s))
        goto bad;
    sqlite3_bind_text(s, 1, router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, now_s());
    sqlite3_bind_text(s, 3, verdict, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, reasons_json, -1, SQLITE_TRANSIENT);
    int rc = step_done(st, s);
    if (rc)
        goto bad_rc;
    rc = qtpm_store_router_set_state(st, router, verdict);
    if (rc)
        goto bad_rc;
    rc = qtpm_store_event_add(st, router, "verdict", verdict, NULL);
    if (rc)
        goto bad_rc;
    return qtpm_store_commit(st);
bad:
    rc = QTPM_STORE_ERROR;
bad_rc:
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_count(qtpm_store *st, const char *table, int64_t *n)
{
    static const char *const tables[] = {"routers", "eks", "aks", "certificates", "vendors",
                                         "digestlists", "verdicts", "events", "nonces"};
    int ok = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        ok |= strcmp(table, tables[i]) == 0;
    if (!ok) {
        snprintf(st->err, sizeof st->err, "no table '%s'", table);
        return QTPM_STORE_ERROR;
    }
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    sqlite3_stmt *s;
    if (prepare(st, sql, &s))
        return QTPM_STORE_ERROR;
    int rc = sqlite3_step(s);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_finalize(s);
    return rc == SQLITE_ROW ? QTPM_STORE_OK : fail(st, "count");
}

int qtpm_store_enrolment_put(qtpm_store *st, const qtpm_store_enrolment *e)
{
    sqlite3_stmt *s;
    if (prepare(st, "INSERT INTO enrolments (id, router, secret, ek_pub, ek_cert, ak_pub, "
                    "hostname, vendor, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, e->id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, e->router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 3, e->secret, sizeof e->secret, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 4, e->ek_pub, (int)e->ek_pub_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 5, e->ek_cert, (int)e->ek_cert_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 6, e->ak_pub, (int)e->ak_pub_len, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 7, e->hostname, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 8, e->vendor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 9, e->expires);
    return step_done(st, s);
}

static int copy_blob(sqlite3_stmt *s, int col, uint8_t *dst, size_t cap, size_t *len)
{
    int n = sqlite3_column_bytes(s, col);
    if (n < 0 || (size_t)n > cap)
        return -1;
    if (n)
        memcpy(dst, sqlite3_column_blob(s, col), (size_t)n);
    *len = (size_t)n;
    return 0;
}

int qtpm_store_enrolment_take(qtpm_store *st, const char *id, int64_t now,
                              qtpm_store_enrolment *out)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    sqlite3_stmt *s;
    int ret = QTPM_STORE_NOTFOUND;
    if (prepare(st, "SELECT router, secret, ek_pub, ek_cert, ak_pub, hostname, expires, vendor "
                    "FROM enrolments WHERE id = ?", &s))
        goto bad;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        memset(out, 0, sizeof *out);
        snprintf(out->id, sizeof out->id, "%s", id);
        copy_col(out->router, sizeof out->router, s, 0);
        copy_col(out->vendor, sizeof out->vendor, s, 7);
        size_t sl = 0;
        copy_col(out->hostname, sizeof out->hostname, s, 5);
        out->expires = sqlite3_column_int64(s, 6);
        if (copy_blob(s, 1, out->secret, sizeof out->secret, &sl) || sl != sizeof out->secret ||
            copy_blob(s, 2, out->ek_pub, sizeof out->ek_pub, &out->ek_pub_len) ||
            copy_blob(s, 3, out->ek_cert, sizeof out->ek_cert, &out->ek_cert_len) ||
            copy_blob(s, 4, out->ak_pub, sizeof out->ak_pub, &out->ak_pub_len)) {
            sqlite3_finalize(s);
            snprintf(st->err, sizeof st->err, "enrolment row is malformed");
            goto bad;
        }
        ret = out->expires >= now ? QTPM_STORE_OK : QTPM_STORE_NOTFOUND;
    } else if (rc != SQLITE_DONE) {
        sqlite3_finalize(s);
        fail(st, "enrolment");
        goto bad;
    }
    sqlite3_finalize(s);
    if (prepare(st, "DELETE FROM enrolments WHERE id = ? OR expires < ?", &s))
        goto bad;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, now);
    if (step_done(st, s) || qtpm_store_commit(st))
        goto bad;
    return ret;
bad:
    qtpm_store_rollback(st);
    return QTPM_STORE_ERROR;
}

int qtpm_store_ek_router(qtpm_store *st, const uint8_t *ek_pub, size_t len, char router[64])
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT router FROM eks WHERE ek_pub = ?", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_blob(s, 1, ek_pub, (int)len, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = QTPM_STORE_OK;
    if (rc == SQLITE_ROW)
        copy_col(router, 64, s, 0);
    else
        ret = rc == SQLITE_DONE ? QTPM_STORE_NOTFOUND : fail(st, "eks");
    sqlite3_finalize(s);
    return ret;
}

int qtpm_store_ak_active(qtpm_store *st, const char *router, uint8_t *buf, size_t cap,
                         size_t *len)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT ak_pub FROM aks WHERE router = ? AND active = 1 "
                    "ORDER BY id DESC LIMIT 1", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, router, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = QTPM_STORE_OK;
    if (rc == SQLITE_ROW) {
        if (copy_blob(s, 0, buf, cap, len)) {
            snprintf(st->err, sizeof st->err, "AK too large");
            ret = QTPM_STORE_ERROR;
        }
    } else {
        ret = rc == SQLITE_DONE ? QTPM_STORE_NOTFOUND : fail(st, "aks");
    }
    sqlite3_finalize(s);
    return ret;
}

int qtpm_store_enrol_finish(qtpm_store *st, const qtpm_store_enrolment *e,
                            const uint8_t *ak_name, size_t ak_name_len, const char *serial,
                            const uint8_t *ak_cert, size_t ak_cert_len)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    int rc;
    qtpm_store_router r;
    rc = qtpm_store_router_get(st, e->router, &r);
    if (rc == QTPM_STORE_NOTFOUND)
        rc = qtpm_store_router_add(st, e->router, e->hostname, "enrolled");
    else if (rc == QTPM_STORE_OK)
        rc = update_router(st, "UPDATE routers SET state = ?, allow_reenrol = 0, "
                               "verifier_state = NULL, updated = ? WHERE id = ?",
                           e->router, "enrolled", 0);
    if (rc == QTPM_STORE_OK)
        rc = qtpm_store_router_seen(st, e->router, -1, NULL);
    if (rc)
        goto bad;
    sqlite3_stmt *s;
    if (prepare(st, "INSERT OR IGNORE INTO eks (router, ek_pub, ek_cert, vendor) "
                    "VALUES (?, ?, ?, ?)", &s))
        goto bad_err;
    sqlite3_bind_text(s, 1, e->router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 2, e->ek_pub, (int)e->ek_pub_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 3, e->ek_cert, (int)e->ek_cert_len, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 4, e->vendor, -1, SQLITE_TRANSIENT);
    if ((rc = step_done(st, s)))
        goto bad;
    if (prepare(st, "UPDATE aks SET active = 0 WHERE router = ?", &s))
        goto bad_err;
    sqlite3_bind_text(s, 1, e->router, -1, SQLITE_TRANSIENT);
    if ((rc = step_done(st, s)))
        goto bad;
    if (prepare(st, "INSERT INTO aks (router, ak_pub, ak_name) VALUES (?, ?, ?)", &s))
        goto bad_err;
    sqlite3_bind_text(s, 1, e->router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 2, e->ak_pub, (int)e->ak_pub_len, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 3, ak_name, (int)ak_name_len, SQLITE_TRANSIENT);
    if ((rc = step_done(st, s)))
        goto bad;
    if (prepare(st, "INSERT INTO certificates (router, kind, serial, der, issued) "
                    "VALUES (?, 'ak', ?, ?, ?)", &s))
        goto bad_err;
    sqlite3_bind_text(s, 1, e->router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, serial, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 3, ak_cert, (int)ak_cert_len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 4, now_s());
    if ((rc = step_done(st, s)))
        goto bad;
    if ((rc = qtpm_store_event_add(st, e->router, "enrolled", e->hostname, NULL)))
        goto bad;
    return qtpm_store_commit(st);
bad_err:
    rc = QTPM_STORE_ERROR;
bad:
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_certificate_add(qtpm_store *st, const char *router, const char *kind,
                               const char *serial, const uint8_t *der, size_t len)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    sqlite3_stmt *s;
    int rc = QTPM_STORE_ERROR;
    if (prepare(st, "INSERT INTO certificates (router, kind, serial, der, issued) "
                    "VALUES (?, ?, ?, ?, ?)", &s))
        goto bad;
    sqlite3_bind_text(s, 1, router, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 3, serial, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(s, 4, der, (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 5, now_s());
    if ((rc = step_done(st, s)))
        goto bad;
    char detail[64];
    snprintf(detail, sizeof detail, "%s certificate %.32s", kind, serial);
    if ((rc = qtpm_store_event_add(st, router, "certificate", detail, NULL)))
        goto bad;
    return qtpm_store_commit(st);
bad:
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_router_seen(qtpm_store *st, const char *id, int64_t entries, int64_t *previous)
{
    sqlite3_stmt *s;
    if (previous) {
        if (prepare(st, "SELECT last_entries FROM routers WHERE id = ?", &s))
            return QTPM_STORE_ERROR;
        sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
        int rc = sqlite3_step(s);
        *previous = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
        sqlite3_finalize(s);
        if (rc == SQLITE_DONE)
            return QTPM_STORE_NOTFOUND;
        if (rc != SQLITE_ROW)
            return fail(st, "router");
    }
    if (prepare(st, entries >= 0 ? "UPDATE routers SET last_seen = ?, last_entries = ? "
                                   "WHERE id = ?"
                                 : "UPDATE routers SET last_seen = ? WHERE id = ?", &s))
        return QTPM_STORE_ERROR;
    int i = 1;
    sqlite3_bind_int64(s, i++, now_s());
    if (entries >= 0)
        sqlite3_bind_int64(s, i++, entries);
    sqlite3_bind_text(s, i, id, -1, SQLITE_TRANSIENT);
    int ret = step_done(st, s);
    if (ret == QTPM_STORE_OK && sqlite3_changes(st->db) == 0)
        ret = QTPM_STORE_NOTFOUND;
    return ret;
}

int qtpm_store_mark_offline(qtpm_store *st, int64_t before, int *marked)
{
    *marked = 0;
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    sqlite3_stmt *s;
    char ids[64][64];
    int n = 0, rc;
    if (prepare(st, "SELECT id FROM routers WHERE state NOT IN ('offline', 'enrolling') "
                    "AND last_seen < ? ORDER BY id LIMIT 64", &s))
        goto bad;
    sqlite3_bind_int64(s, 1, before);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && n < 64)
        copy_col(ids[n++], sizeof ids[0], s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        goto bad;
    for (int i = 0; i < n; i++)
        if (qtpm_store_router_set_state(st, ids[i], "offline") ||
            qtpm_store_event_add(st, ids[i], "offline", "no heartbeat or evidence for two "
                                 "periods", NULL))
            goto bad;
    if (qtpm_store_commit(st))
        return QTPM_STORE_ERROR;
    *marked = n;
    return QTPM_STORE_OK;
bad:
    qtpm_store_rollback(st);
    return QTPM_STORE_ERROR;
}

int qtpm_store_vendor_keys(qtpm_store *st, const char *name, uint8_t **mldsa, size_t *mldsa_len,
                           char **ecdsa_pem)
{
    *mldsa = NULL;
    *ecdsa_pem = NULL;
    *mldsa_len = 0;
    sqlite3_stmt *s;
    if (prepare(st, "SELECT mldsa_pub, ecdsa_pem FROM vendors WHERE name = ?", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = QTPM_STORE_OK;
    if (rc == SQLITE_ROW) {
        int n = sqlite3_column_bytes(s, 0);
        if (n > 0 && (*mldsa = malloc((size_t)n)) != NULL) {
            memcpy(*mldsa, sqlite3_column_blob(s, 0), (size_t)n);
            *mldsa_len = (size_t)n;
        }
        const unsigned char *pem = sqlite3_column_text(s, 1);
        if (pem)
            *ecdsa_pem = strdup((const char *)pem);
    } else {
        ret = rc == SQLITE_DONE ? QTPM_STORE_NOTFOUND : fail(st, "vendor");
    }
    sqlite3_finalize(s);
    return ret;
}

int qtpm_store_digestlist_add(qtpm_store *st, const char *vendor, const char *image,
                              uint64_t version, const uint8_t *body, size_t len,
                              uint64_t *newest)
{
    *newest = 0;
    if (version > INT64_MAX)
        return QTPM_STORE_ERROR;
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    sqlite3_stmt *s;
    int rc = QTPM_STORE_ERROR;
    if (prepare(st, "SELECT max(version) FROM digestlists WHERE vendor = ? AND image = ?", &s))
        goto bad;
    sqlite3_bind_text(s, 1, vendor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, image, -1, SQLITE_TRANSIENT);
    int have = 0;
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_type(s, 0) != SQLITE_NULL) {
        have = 1;
        *newest = (uint64_t)sqlite3_column_int64(s, 0);
    }
    sqlite3_finalize(s);
    if (have && *newest >= version) {
        snprintf(st->err, sizeof st->err, "version %llu is not newer than the stored %llu",
                 (unsigned long long)version, (unsigned long long)*newest);
        rc = QTPM_STORE_CONFLICT;
        goto bad;
    }
    if (prepare(st, "UPDATE digestlists SET active = 0 WHERE vendor = ? AND image = ?", &s))
        goto bad;
    sqlite3_bind_text(s, 1, vendor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, image, -1, SQLITE_TRANSIENT);
    if ((rc = step_done(st, s)))
        goto bad;
    if (prepare(st, "INSERT INTO digestlists (vendor, image, version, body) VALUES (?, ?, ?, ?)",
                &s)) {
        rc = QTPM_STORE_ERROR;
        goto bad;
    }
    sqlite3_bind_text(s, 1, vendor, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, image, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 3, (int64_t)version);
    sqlite3_bind_blob(s, 4, body, (int)len, SQLITE_TRANSIENT);
    if ((rc = step_done(st, s)))
        goto bad;
    char detail[200];
    snprintf(detail, sizeof detail, "%.64s %.64s version %llu", vendor, image,
             (unsigned long long)version);
    if ((rc = qtpm_store_event_add(st, NULL, "digestlist", detail, NULL)))
        goto bad;
    return qtpm_store_commit(st);
bad:
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_digestlist_each(qtpm_store *st, qtpm_store_blob_cb cb, void *ctx)
{
    sqlite3_stmt *s;
    if (prepare(st, "SELECT vendor, body FROM digestlists WHERE active = 1 ORDER BY id", &s))
        return QTPM_STORE_ERROR;
    int rc, ret = QTPM_STORE_OK;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (cb(ctx, (const char *)sqlite3_column_text(s, 0), sqlite3_column_blob(s, 1),
               (size_t)sqlite3_column_bytes(s, 1)))
            break;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        ret = fail(st, "digestlists");
    sqlite3_finalize(s);
    return ret;
}

int qtpm_store_router_verifier_state(qtpm_store *st, const char *id, char **json)
{
    *json = NULL;
    sqlite3_stmt *s;
    if (prepare(st, "SELECT verifier_state FROM routers WHERE id = ?", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = QTPM_STORE_OK;
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 0);
        if (t)
            *json = strdup((const char *)t);
    } else {
        ret = rc == SQLITE_DONE ? QTPM_STORE_NOTFOUND : fail(st, "router");
    }
    sqlite3_finalize(s);
    return ret;
}

int qtpm_store_attestation(qtpm_store *st, const char *router, const char *verdict,
                           const char *reasons_json, const char *state_json, int rebooted)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    int rc = QTPM_STORE_ERROR;
    sqlite3_stmt *s;
    if (prepare(st, "UPDATE routers SET verifier_state = ?, last_seen = ? WHERE id = ?", &s))
        goto bad;
    sqlite3_bind_text(s, 1, state_json, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, now_s());
    sqlite3_bind_text(s, 3, router, -1, SQLITE_TRANSIENT);
    if ((rc = step_done(st, s)))
        goto bad;
    if (rebooted && (rc = qtpm_store_event_add(st, router, "reboot", "new boot", NULL)))
        goto bad;
    if ((rc = qtpm_store_verdict_add(st, router, verdict, reasons_json)))
        goto bad;
    return qtpm_store_commit(st);
bad:
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_last_verdict(qtpm_store *st, const char *router, char verdict[16], char **reasons)
{
    *reasons = NULL;
    verdict[0] = '\0';
    sqlite3_stmt *s;
    if (prepare(st, "SELECT verdict, reasons FROM verdicts WHERE router = ? "
                    "ORDER BY id DESC LIMIT 1", &s))
        return QTPM_STORE_ERROR;
    sqlite3_bind_text(s, 1, router, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s), ret = QTPM_STORE_OK;
    if (rc == SQLITE_ROW) {
        copy_col(verdict, 16, s, 0);
        const unsigned char *t = sqlite3_column_text(s, 1);
        *reasons = strdup(t ? (const char *)t : "[]");
        if (!*reasons)
            ret = QTPM_STORE_ERROR;
    } else {
        ret = rc == SQLITE_DONE ? QTPM_STORE_NOTFOUND : fail(st, "verdicts");
    }
    sqlite3_finalize(s);
    return ret;
}
