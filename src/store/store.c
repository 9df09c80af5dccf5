/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.c — the NMS store (store.h) written once over the database adapter (db.h).
 *
 * Every query and the schema live here, in the SQL both back ends accept ($1-style
 * parameters; see db.h); db_sqlite.c and db_pg.c only run them. The URL picks the back
 * end: "sqlite:PATH", or "postgresql:CONNINFO" / "postgres:CONNINFO" where CONNINFO is a
 * libpq key=value string ("host=/run/qtpm dbname=qtpm"), and a URL starting
 * "postgresql://" or "postgres://" goes to libpq whole, as a URI.
 *
 * Migrations are SQL strings numbered from 1 with the few type words that differ between
 * the engines written {blob}, {int}, {id}, {serial} (expanded from the back end's
 * qtpm_db_words). At open, inside one write transaction (which holds the database's
 * write lock, so two processes opening a fresh database cannot both migrate), the
 * schema_version table is created if missing, and every migration above its version is
 * applied together with the version bump: a crash or an error leaves the old schema or
 * the new one, never half of one. Transactions nest: only the outermost begin/commit
 * touches the database, and any rollback aborts the whole transaction.
 */
#include "store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "nonces.h"
#include "vcache.h"
#include "store_priv.h"

/* qtpm_store_cache_digestlists (see qtpm_store_digestlist_each): the channel on which
 * digest-list changes are announced, and the longest a copy is used. */
#define DL_CHANNEL "qtpm_digestlists"
#define DL_MAX_AGE_MS 1000

struct qtpm_store {
    const qtpm_db_ops *ops;
    qtpm_db *db;
    int depth; /* nesting of qtpm_store_begin */
    int light, locked; /* outermost transaction began without the write lock; took it */
    struct {
        int on;
        char worker[64];
        int64_t epoch, started_ms;
    } fence; /* qtpm_store_fence: the lease an attestation write must still hold */
    qtpm_nonces *nonces; /* qtpm_store_nonces_in_memory: challenges issued by this process */
    qtpm_vcache *vc;     /* qtpm_store_cache_verifier: verifier states and AKs known here */
    struct {
        int on, valid;
        int64_t read_ms; /* when the copy was read */
        size_t n;
        char **vendor;
        uint8_t **body;
        size_t *len;
    } dl; /* qtpm_store_cache_digestlists: the active digest lists (below) */
    char err[256];
};

static void dl_drop(qtpm_store *st)
{
    for (size_t i = 0; i < st->dl.n; i++) {
        free(st->dl.vendor[i]);
        free(st->dl.body[i]);
    }
    free(st->dl.vendor);
    free(st->dl.body);
    free(st->dl.len);
    st->dl.vendor = NULL;
    st->dl.body = NULL;
    st->dl.len = NULL;
    st->dl.n = 0;
    st->dl.valid = 0;
}

/* Migration 1: the whole schema of docs/NMS.md's data model. */
static const char *const migrations[] = {
    "CREATE TABLE routers (id TEXT PRIMARY KEY, hostname TEXT NOT NULL, state TEXT NOT NULL,"
    " allow_reenrol {int} NOT NULL DEFAULT 0, verifier_state {blob},"
    " created {int} NOT NULL, updated {int} NOT NULL);"
    "CREATE TABLE eks (id {id}, router TEXT NOT NULL REFERENCES routers(id),"
    " ek_pub {blob} NOT NULL, ek_cert {blob} NOT NULL, vendor TEXT NOT NULL, UNIQUE(ek_pub));"
    "CREATE TABLE aks (id {id}, router TEXT NOT NULL REFERENCES routers(id),"
    " ak_pub {blob} NOT NULL, ak_name {blob} NOT NULL, active {int} NOT NULL DEFAULT 1);"
    "CREATE TABLE certificates (id {id}, router TEXT REFERENCES routers(id),"
    " kind TEXT NOT NULL, serial TEXT NOT NULL UNIQUE, der {blob} NOT NULL,"
    " issued {int} NOT NULL);"
    "CREATE TABLE vendors (name TEXT PRIMARY KEY, ca_der {blob} NOT NULL, mldsa_pub {blob},"
    " ecdsa_pem TEXT, created {int} NOT NULL);"
    "CREATE TABLE digestlists (id {id}, vendor TEXT NOT NULL"
    " REFERENCES vendors(name), image TEXT NOT NULL, version {int} NOT NULL,"
    " body {blob} NOT NULL, active {int} NOT NULL DEFAULT 1, UNIQUE(vendor, image, version));"
    "CREATE TABLE verdicts (id {id}, router TEXT NOT NULL REFERENCES routers(id),"
    " time {int} NOT NULL, verdict TEXT NOT NULL, reasons TEXT NOT NULL);"
    "CREATE TABLE events (id {serial}, time {int} NOT NULL,"
    " router TEXT, kind TEXT NOT NULL, detail TEXT NOT NULL);"
    "CREATE TABLE nonces (nonce TEXT PRIMARY KEY, router TEXT NOT NULL,"
    " expires {int} NOT NULL);"
    "CREATE TABLE enrolments (id TEXT PRIMARY KEY, router TEXT NOT NULL, secret {blob} NOT NULL,"
    " ek_pub {blob} NOT NULL, ek_cert {blob} NOT NULL, ak_pub {blob} NOT NULL,"
    " hostname TEXT NOT NULL, vendor TEXT NOT NULL, expires {int} NOT NULL);",
    /* 2: liveness (heartbeat / evidence) for the offline timer. */
    "ALTER TABLE routers ADD COLUMN last_seen {int} NOT NULL DEFAULT 0;"
    "ALTER TABLE routers ADD COLUMN last_entries {int} NOT NULL DEFAULT -1;",
    /* 3: trust-aware routing (docs/ROUTING.md): the policy (one row), each router's
     * newest routing report, the enforcement commands, millisecond event times. */
    "CREATE TABLE routing_policy (id {int} PRIMARY KEY, good {int} NOT NULL,"
    " unknown {int} NOT NULL, bad {int} NOT NULL, offline {int} NOT NULL,"
    " bad_action TEXT NOT NULL, updated {int} NOT NULL);"
    "INSERT INTO routing_policy VALUES (1, 10, 20, 30, 40, 'metric', 0);"
    "ALTER TABLE routers ADD COLUMN ospf_router_id TEXT;"
    "CREATE TABLE routing_reports (router TEXT PRIMARY KEY REFERENCES routers(id),"
    " time_ms {int} NOT NULL, report TEXT NOT NULL);"
    "CREATE TABLE commands (seq {serial}, router TEXT NOT NULL REFERENCES routers(id),"
    " interface TEXT NOT NULL, toward TEXT NOT NULL, cost {int} NOT NULL,"
    " excluded {int} NOT NULL, reason TEXT NOT NULL, issued_ms {int} NOT NULL,"
    " status TEXT NOT NULL, deliveries {int} NOT NULL DEFAULT 0,"
    " delivered_ms {int} NOT NULL DEFAULT 0, acked_ms {int} NOT NULL DEFAULT 0,"
    " received_ms {int} NOT NULL DEFAULT 0, applied_ms {int} NOT NULL DEFAULT 0,"
    " fib_ms {int} NOT NULL DEFAULT -1, error TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX commands_router ON commands(router, status);"
    "ALTER TABLE events ADD COLUMN time_ms {int} NOT NULL DEFAULT 0;"
    "UPDATE events SET time_ms = time * 1000;"
    "CREATE INDEX events_router ON events(router);",
    /* 4: verifier workers sharing one database (docs/SCALE.md): the workers with their
     * heartbeats, each router's lease (owner, epoch, expiry), and who verified each
     * verdict under which lease, from when to when. */
    "CREATE TABLE workers (id TEXT PRIMARY KEY, url TEXT NOT NULL, host TEXT NOT NULL,"
    " pid {int} NOT NULL, started_ms {int} NOT NULL, beat_ms {int} NOT NULL,"
    " state TEXT NOT NULL);"
    "ALTER TABLE routers ADD COLUMN owner TEXT;"
    "ALTER TABLE routers ADD COLUMN lease_epoch {int} NOT NULL DEFAULT 0;"
    "ALTER TABLE routers ADD COLUMN lease_until_ms {int} NOT NULL DEFAULT 0;"
    "CREATE INDEX routers_owner ON routers(owner);"
    "ALTER TABLE verdicts ADD COLUMN worker TEXT;"
    "ALTER TABLE verdicts ADD COLUMN epoch {int} NOT NULL DEFAULT 0;"
    "ALTER TABLE verdicts ADD COLUMN started_ms {int} NOT NULL DEFAULT 0;"
    "ALTER TABLE verdicts ADD COLUMN time_ms {int} NOT NULL DEFAULT 0;",
    /* 5: bounded attestation storage (retention.c): each attestation's new measurement
     * list entries (a chunk per attestation, numbered by boot), and the indices of the
     * dashboard's and the compaction's queries — the newest verdict of every router,
     * a router's newest events, the verdict events, the routers of a state. */
    "CREATE TABLE measurements (router TEXT NOT NULL REFERENCES routers(id),"
    " boot {int} NOT NULL, first_index {int} NOT NULL, entries {int} NOT NULL,"
    " list {blob} NOT NULL, time {int} NOT NULL, PRIMARY KEY (router, boot, first_index));"
    "CREATE INDEX verdicts_router ON verdicts(router, id);"
    "DROP INDEX events_router;"
    "CREATE INDEX events_router ON events(router, id);"
    "CREATE INDEX events_kind ON events(kind, router, id);"
    "CREATE INDEX routers_state ON routers(state);",
    /* 6: a router's lease is its owner's heartbeat (docs/SCALE.md "Leases"): the
     * workers row's beat_ms, renewed once a tick, not a per-router expiry rewritten
     * for every router each tick. lease_until_ms stays in the table, unused and 0.
     * The version step is the point: a worker of an older build refuses a database
     * of a newer schema, and an old worker beside new ones would read every lease as
     * expired and claim every router at each tick. And the index of the AK look-up
     * (qtpm_store_ak_active: a router's active AK): without it every look-up read the
     * whole table — 550 scans of 10,000 rows a second once workers' caches were cold. */
    "UPDATE routers SET lease_until_ms = 0;"
    "CREATE INDEX aks_router ON aks(router, id);",
};
#define N_MIGRATIONS (sizeof migrations / sizeof migrations[0])

_Static_assert(N_MIGRATIONS == QTPM_STORE_SCHEMA_VERSION, "one migration per schema version");

static int64_t now_s(void) { return (int64_t)time(NULL); }

int64_t qtpm_store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- statements ------------------------------------------------------------------ */

/* Prepares sql and binds $1, $2, ... from fmt, one letter per parameter: 't' a
 * const char * (NULL binds NULL), 'i' an int64_t, 'b' a const void * and a size_t. */
static int vprep(qtpm_store *st, qtpm_db_stmt **s, const char *sql, const char *fmt,
                 va_list ap)
{
    int rc = st->ops->prepare(st->db, sql, s);
    if (rc)
        return rc;
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 't') {
            st->ops->bind_text(*s, i + 1, va_arg(ap, const char *));
        } else if (fmt[i] == 'i') {
            st->ops->bind_int64(*s, i + 1, va_arg(ap, int64_t));
        } else {
            const void *p = va_arg(ap, const void *);
            st->ops->bind_blob(*s, i + 1, p, va_arg(ap, size_t));
        }
    }
    return QTPM_STORE_OK;
}

static int prep(qtpm_store *st, qtpm_db_stmt **s, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vprep(st, s, sql, fmt, ap);
    va_end(ap);
    return rc;
}

static void done(qtpm_store *st, qtpm_db_stmt *s) { st->ops->finalize(s); }

/* For the store's other files (store_priv.h). */
int qtpm_store_vprep_(qtpm_store *st, qtpm_db_stmt **s, const char *sql, const char *fmt,
                      va_list ap)
{
    return vprep(st, s, sql, fmt, ap);
}

const qtpm_db_ops *qtpm_store_ops_(qtpm_store *st, qtpm_db **db, char **err, size_t *errlen)
{
    *db = st->db;
    *err = st->err;
    *errlen = sizeof st->err;
    return st->ops;
}

/* Runs a statement that returns no rows; *changes (when not NULL) gets the rows changed. */
static int run(qtpm_store *st, int64_t *changes, const char *sql, const char *fmt, ...)
{
    qtpm_db_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    int rc = vprep(st, &s, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    rc = st->ops->step(s);
    if (rc == QTPM_DB_ROW) {
        snprintf(st->err, sizeof st->err, "statement returned rows");
        rc = QTPM_STORE_ERROR;
    }
    if (rc == QTPM_DB_DONE && changes)
        *changes = st->ops->changes(s);
    done(st, s);
    return rc;
}

/* Runs a query for one row: QTPM_STORE_OK with *s on the row (the caller finalizes),
 * QTPM_STORE_NOTFOUND when there is none, or an error (nothing left to finalize). */
static int one(qtpm_store *st, qtpm_db_stmt **s, const char *sql, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vprep(st, s, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    rc = st->ops->step(*s);
    if (rc == QTPM_DB_ROW)
        return QTPM_STORE_OK;
    done(st, *s);
    *s = NULL;
    return rc == QTPM_DB_DONE ? QTPM_STORE_NOTFOUND : rc;
}

/* After the single row of a DML ... RETURNING statement: steps it to its end. */
static int finish_returning(qtpm_store *st, qtpm_db_stmt *s)
{
    int rc = st->ops->step(s);
    if (rc == QTPM_DB_ROW) {
        snprintf(st->err, sizeof st->err, "more than one row returned");
        return QTPM_STORE_ERROR;
    }
    return rc;
}

static void copy_text(qtpm_store *st, char *dst, size_t n, qtpm_db_stmt *s, int col)
{
    const char *t = st->ops->column_text(s, col);
    snprintf(dst, n, "%s", t ? t : "");
}

static int copy_blob(qtpm_store *st, qtpm_db_stmt *s, int col, uint8_t *dst, size_t cap,
                     size_t *len)
{
    size_t n;
    const uint8_t *p = st->ops->column_blob(s, col, &n);
    if (n > cap)
        return -1;
    if (n)
        memcpy(dst, p, n);
    *len = n;
    return 0;
}

/* A malloc'd NUL-terminated copy of a text or blob column (NULL when the column is). */
static char *dup_column(qtpm_store *st, qtpm_db_stmt *s, int col)
{
    if (st->ops->column_null(s, col))
        return NULL;
    size_t n;
    const uint8_t *p = st->ops->column_blob(s, col, &n);
    char *t = malloc(n + 1);
    if (t) {
        memcpy(t, p, n);
        t[n] = '\0';
    }
    return t;
}

/* ---- open, migrations, transactions ---------------------------------------------- */

int qtpm_store_schema_version(qtpm_store *st, int *version)
{
    qtpm_db_stmt *s;
    *version = 0;
    int rc = one(st, &s, "SELECT version FROM schema_version", "");
    if (rc == QTPM_STORE_OK) {
        *version = (int)st->ops->column_int64(s, 0);
        done(st, s);
    }
    return rc == QTPM_STORE_NOTFOUND ? QTPM_STORE_OK : rc;
}

/* Migration text with the back end's type words in place of {blob}, {int}, {id},
 * {serial}; malloc'd. */
static char *expand(const qtpm_db_words *w, const char *tmpl)
{
    const struct {
        const char *key, *val;
    } map[] = {{"{blob}", w->blob}, {"{int}", w->int64}, {"{id}", w->id},
               {"{serial}", w->serial}};
    size_t cap = strlen(tmpl) + 1;
    for (const char *p = tmpl; (p = strchr(p, '{')) != NULL; p++)
        for (size_t k = 0; k < sizeof map / sizeof map[0]; k++)
            if (strncmp(p, map[k].key, strlen(map[k].key)) == 0)
                cap += strlen(map[k].val);
    char *out = malloc(cap), *o = out;
    if (!out)
        return NULL;
    while (*tmpl) {
        size_t k = 0;
        if (*tmpl == '{')
            for (; k < sizeof map / sizeof map[0]; k++)
                if (strncmp(tmpl, map[k].key, strlen(map[k].key)) == 0)
                    break;
        if (*tmpl == '{' && k < sizeof map / sizeof map[0]) {
            size_t n = strlen(map[k].val);
            memcpy(o, map[k].val, n);
            o += n;
            tmpl += strlen(map[k].key);
        } else {
            *o++ = *tmpl++;
        }
    }
    *o = '\0';
    return out;
}

static int migrate(qtpm_store *st)
{
    if (st->ops->begin(st->db))
        return QTPM_STORE_ERROR;
    int v;
    if (st->ops->exec(st->db,
                      "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)") ||
        qtpm_store_schema_version(st, &v))
        goto bad;
    if (v > (int)N_MIGRATIONS) {
        snprintf(st->err, sizeof st->err, "database schema %d is newer than this build (%d)",
                 v, (int)N_MIGRATIONS);
        goto bad;
    }
    for (int i = v; i < (int)N_MIGRATIONS; i++) {
        char *sql = expand(&st->ops->words, migrations[i]);
        if (!sql) {
            snprintf(st->err, sizeof st->err, "out of memory");
            goto bad;
        }
        int rc = st->ops->exec(st->db, sql);
        free(sql);
        if (rc)
            goto bad;
    }
    if (v < (int)N_MIGRATIONS) {
        char sql[96];
        snprintf(sql, sizeof sql, "DELETE FROM schema_version; INSERT INTO schema_version "
                 "VALUES (%d)", (int)N_MIGRATIONS);
        if (st->ops->exec(st->db, sql))
            goto bad;
    }
    return st->ops->commit(st->db);
bad:
    st->ops->rollback(st->db);
    return QTPM_STORE_ERROR;
}

int qtpm_store_open(const char *url, qtpm_store **out, char *err, size_t errlen)
{
    *out = NULL;
    const qtpm_db_ops *ops = NULL;
    const char *target = NULL, *shown = NULL;
    if (strncmp(url, "sqlite:", 7) == 0 && url[7] != '\0') {
        ops = &qtpm_db_sqlite;
        target = shown = url + 7;
    } else if (strncmp(url, "postgresql:", 11) == 0 || strncmp(url, "postgres:", 9) == 0) {
        ops = &qtpm_db_pg;
        const char *rest = strchr(url, ':') + 1;
        target = strncmp(rest, "//", 2) == 0 ? url : rest;
        shown = "postgresql"; /* never the conninfo: it may hold a password */
    } else {
        snprintf(err, errlen, "unknown database URL '%s' (want sqlite:PATH or "
                 "postgresql:CONNINFO)", url);
        return QTPM_STORE_ERROR;
    }
    qtpm_store *st = calloc(1, sizeof *st);
    if (!st) {
        snprintf(err, errlen, "out of memory");
        return QTPM_STORE_ERROR;
    }
    st->ops = ops;
    if (ops->open(target, st->err, sizeof st->err, &st->db) || migrate(st)) {
        snprintf(err, errlen, "%s: %s", shown, st->err);
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
    if (st->db)
        st->ops->close(st->db);
    qtpm_nonces_free(st->nonces);
    qtpm_vcache_free(st->vc);
    dl_drop(st);
    free(st);
}

const char *qtpm_store_errmsg(const qtpm_store *st) { return st->err; }

/* The outermost begin. A light one (PostgreSQL: no advisory lock) is for the lease
 * machinery, whose rows are guarded by row locks and SKIP LOCKED; it must not write an
 * event after locking rows (event_add would take the advisory lock then, and a writer
 * holding that lock and waiting for one of those rows would deadlock with it). */
static int begin_tx(qtpm_store *st, int light)
{
    if (st->depth++ > 0)
        return QTPM_STORE_OK;
    light = light && st->ops->begin_light && st->ops->lock;
    if (light ? st->ops->begin_light(st->db) : st->ops->begin(st->db)) {
        st->depth = 0;
        return QTPM_STORE_ERROR;
    }
    st->light = light;
    st->locked = !light;
    return QTPM_STORE_OK;
}

int qtpm_store_begin(qtpm_store *st) { return begin_tx(st, 0); }

int qtpm_store_commit(qtpm_store *st)
{
    if (st->depth == 0)
        return QTPM_STORE_ERROR;
    if (--st->depth > 0)
        return QTPM_STORE_OK;
    st->light = st->locked = 0;
    return st->ops->commit(st->db);
}

int qtpm_store_rollback(qtpm_store *st)
{
    if (st->depth == 0)
        return QTPM_STORE_ERROR;
    st->depth = 0; /* an inner rollback aborts the whole transaction */
    st->light = st->locked = 0;
    qtpm_vcache_clear(st->vc); /* states put meanwhile were not committed */
    return st->ops->rollback(st->db);
}

/* ---- vendors, routers ------------------------------------------------------------ */

int qtpm_store_vendor_add(qtpm_store *st, const char *name, const uint8_t *ca_der,
                          size_t ca_len, const uint8_t *mldsa_pub, size_t mldsa_len,
                          const char *ecdsa_pem)
{
    return run(st, NULL, "INSERT INTO vendors (name, ca_der, mldsa_pub, ecdsa_pem, created) "
                         "VALUES ($1, $2, $3, $4, $5)", "tbbti", name, (const void *)ca_der,
               ca_len, (const void *)mldsa_pub, mldsa_len, ecdsa_pem, now_s());
}

int qtpm_store_vendor_each(qtpm_store *st, qtpm_store_vendor_cb cb, void *ctx)
{
    qtpm_db_stmt *s;
    int rc = prep(st, &s, "SELECT name, ca_der FROM vendors ORDER BY name", "");
    if (rc)
        return rc;
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        size_t n;
        const uint8_t *der = st->ops->column_blob(s, 1, &n);
        const char *name = st->ops->column_text(s, 0);
        if (cb(ctx, name ? name : "", der, n))
            break;
    }
    done(st, s);
    return rc < 0 ? rc : QTPM_STORE_OK;
}

int qtpm_store_router_add(qtpm_store *st, const char *id, const char *hostname,
                          const char *state)
{
    int64_t t = now_s();
    return run(st, NULL, "INSERT INTO routers (id, hostname, state, created, updated) "
                         "VALUES ($1, $2, $3, $4, $5)", "tttii", id, hostname, state, t, t);
}

static void router_row(qtpm_store *st, qtpm_db_stmt *s, qtpm_store_router *r)
{
    memset(r, 0, sizeof *r);
    copy_text(st, r->id, sizeof r->id, s, 0);
    copy_text(st, r->hostname, sizeof r->hostname, s, 1);
    copy_text(st, r->state, sizeof r->state, s, 2);
    r->allow_reenrol = (int)st->ops->column_int64(s, 3);
    r->created = st->ops->column_int64(s, 4);
    r->updated = st->ops->column_int64(s, 5);
}

#define ROUTER_COLS "id, hostname, state, allow_reenrol, created, updated"

int qtpm_store_router_get(qtpm_store *st, const char *id, qtpm_store_router *out)
{
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT " ROUTER_COLS " FROM routers WHERE id = $1", "t", id);
    if (rc == QTPM_STORE_OK) {
        router_row(st, s, out);
        done(st, s);
    }
    return rc;
}

/* sql sets a column to $1 (text, or num when text is NULL), updated to $2, for id $3. */
static int update_router(qtpm_store *st, const char *sql, const char *id, const char *text,
                         int num)
{
    int64_t n = 0;
    int rc = text ? run(st, &n, sql, "tit", text, now_s(), id)
                  : run(st, &n, sql, "iit", (int64_t)num, now_s(), id);
    if (rc == QTPM_STORE_OK && n == 0)
        rc = QTPM_STORE_NOTFOUND;
    return rc;
}

int qtpm_store_router_set_state(qtpm_store *st, const char *id, const char *state)
{
    return update_router(st, "UPDATE routers SET state = $1, updated = $2 WHERE id = $3", id,
                         state, 0);
}

int qtpm_store_router_set_allow(qtpm_store *st, const char *id, int allow)
{
    return update_router(st, "UPDATE routers SET allow_reenrol = $1, updated = $2 "
                             "WHERE id = $3", id, NULL, allow ? 1 : 0);
}

int qtpm_store_router_each(qtpm_store *st, qtpm_store_router_cb cb, void *ctx)
{
    qtpm_db_stmt *s;
    int rc = prep(st, &s, "SELECT " ROUTER_COLS " FROM routers ORDER BY id", "");
    if (rc)
        return rc;
    qtpm_store_router r;
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        router_row(st, s, &r);
        if (cb(ctx, &r))
            break;
    }
    done(st, s);
    return rc < 0 ? rc : QTPM_STORE_OK;
}

int qtpm_store_router_summaries(qtpm_store *st, qtpm_store_summary_cb cb, void *ctx)
{
    qtpm_db_stmt *s;
    int rc = prep(st, &s, "SELECT r.id, r.hostname, r.state, r.allow_reenrol, r.created, "
                          "r.updated, v.verdict, v.reasons FROM routers r LEFT JOIN verdicts v "
                          "ON v.id = (SELECT max(id) FROM verdicts WHERE router = r.id) "
                          "ORDER BY r.id", "");
    if (rc)
        return rc;
    qtpm_store_router_summary sum;
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        router_row(st, s, &sum.r);
        copy_text(st, sum.verdict, sizeof sum.verdict, s, 6);
        sum.reasons = st->ops->column_text(s, 7);
        if (cb(ctx, &sum))
            break;
    }
    done(st, s);
    return rc < 0 ? rc : QTPM_STORE_OK;
}

/* ---- events ---------------------------------------------------------------------- */

int qtpm_store_event_add(qtpm_store *st, const char *router, const char *kind,
                         const char *detail, int64_t *id)
{
    /* Always under the write lock (a transaction of its own when the caller has none):
     * ids are then handed out and committed in the same order, so a reader polling
     * "events since N" never sees id N+2 committed before N+1 and skips N+1. SQLite has
     * one writer anyway; on PostgreSQL an identity value is taken at INSERT time. */
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    /* In a light transaction the write lock is taken here, as late as it can be. */
    if (st->light && !st->locked) {
        if (st->ops->lock(st->db)) {
            qtpm_store_rollback(st);
            return QTPM_STORE_ERROR;
        }
        st->locked = 1;
    }
    qtpm_db_stmt *s;
    int64_t ms = qtpm_store_now_ms();
    int rc = one(st, &s, "INSERT INTO events (time, router, kind, detail, time_ms) "
                         "VALUES ($1, $2, $3, $4, $5) RETURNING id", "ittti", ms / 1000, router,
                 kind, detail, ms);
    if (rc == QTPM_STORE_NOTFOUND) {
        snprintf(st->err, sizeof st->err, "event insert returned no id");
        rc = QTPM_STORE_ERROR;
    }
    if (!rc) {
        if (id)
            *id = st->ops->column_int64(s, 0);
        rc = finish_returning(st, s);
        done(st, s);
    }
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

static int events_run(qtpm_store *st, qtpm_db_stmt *s, qtpm_store_event_cb cb, void *ctx)
{
    int rc;
    qtpm_store_event e;
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        memset(&e, 0, sizeof e);
        e.id = st->ops->column_int64(s, 0);
        e.time = st->ops->column_int64(s, 1);
        copy_text(st, e.router, sizeof e.router, s, 2);
        copy_text(st, e.kind, sizeof e.kind, s, 3);
        copy_text(st, e.detail, sizeof e.detail, s, 4);
        e.time_ms = st->ops->column_int64(s, 5);
        if (cb(ctx, &e))
            break;
    }
    done(st, s);
    return rc < 0 ? rc : QTPM_STORE_OK;
}

int qtpm_store_event_each(qtpm_store *st, int64_t since, qtpm_store_event_cb cb, void *ctx)
{
    qtpm_db_stmt *s;
    int rc = prep(st, &s, "SELECT id, time, router, kind, detail, time_ms FROM events WHERE id > $1 "
                          "ORDER BY id", "i", since);
    return rc ? rc : events_run(st, s, cb, ctx);
}

int qtpm_store_router_events(qtpm_store *st, const char *router, int limit,
                             qtpm_store_event_cb cb, void *ctx)
{
    qtpm_db_stmt *s;
    int rc = prep(st, &s, "SELECT id, time, router, kind, detail, time_ms FROM events "
                          "WHERE router = $1 ORDER BY id DESC LIMIT $2", "ti", router,
                  (int64_t)limit);
    return rc ? rc : events_run(st, s, cb, ctx);
}

int qtpm_store_event_tail(qtpm_store *st, int64_t since, int64_t limit,
                          qtpm_store_event_cb cb, void *ctx)
{
    qtpm_db_stmt *s;
    int rc = prep(st, &s, "SELECT * FROM (SELECT id, time, router, kind, detail, time_ms "
                          "FROM events WHERE id > $1 ORDER BY id DESC LIMIT $2) t ORDER BY id",
                  "ii", since, limit);
    return rc ? rc : events_run(st, s, cb, ctx);
}

/* ---- nonces, verdicts ------------------------------------------------------------ */

int qtpm_store_nonces_in_memory(qtpm_store *st)
{
    if (!st->nonces && !(st->nonces = qtpm_nonces_new())) {
        snprintf(st->err, sizeof st->err, "out of memory");
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

int qtpm_store_nonce_put(qtpm_store *st, const char *router, const char *nonce_hex,
                         int64_t expires)
{
    if (st->nonces) {
        switch (qtpm_nonces_put(st->nonces, router, nonce_hex, expires)) {
        case QTPM_NONCES_OK:
            return QTPM_STORE_OK;
        case QTPM_NONCES_DUPLICATE:
            snprintf(st->err, sizeof st->err, "nonce already issued to %s", router);
            return QTPM_STORE_CONFLICT;
        case QTPM_NONCES_FULL:
            snprintf(st->err, sizeof st->err, "the in-memory nonce table is full");
            return QTPM_STORE_ERROR;
        default: /* an id or nonce the table does not hold: a row, as without it */
            break;
        }
    }
    return run(st, NULL, "INSERT INTO nonces (nonce, router, expires) VALUES ($1, $2, $3)",
               "tti", nonce_hex, router, expires);
}

int qtpm_store_nonce_take(qtpm_store *st, const char *router, const char *nonce_hex,
                          int64_t now)
{
    if (st->nonces) {
        int m = qtpm_nonces_take(st->nonces, router, nonce_hex, now);
        if (m == QTPM_NONCES_OK)
            return QTPM_STORE_OK;
        if (m == QTPM_NONCES_EXPIRED)
            return QTPM_STORE_NOTFOUND;
        /* Not issued here: it may still be a row (a nonce of a worker that kept them in
         * the database, during an upgrade) — the cost of a transaction, for unknown
         * nonces only. */
    }
    /* Deleting is the take: a second use (even a concurrent one) finds no row. Expired
     * nonces of any router are swept in the same transaction — a light one: row locks
     * are all it needs (no event, nothing read before writing), so verifier workers do
     * not queue for the database-wide lock here. */
    if (begin_tx(st, 1))
        return QTPM_STORE_ERROR;
    int64_t found = 0;
    if (run(st, &found, "DELETE FROM nonces WHERE nonce = $1 AND router = $2 "
                        "AND expires >= $3", "tti", nonce_hex, router, now) ||
        run(st, NULL, "DELETE FROM nonces WHERE expires < $1", "i", now) ||
        qtpm_store_commit(st)) {
        qtpm_store_rollback(st);
        return QTPM_STORE_ERROR;
    }
    return found > 0 ? QTPM_STORE_OK : QTPM_STORE_NOTFOUND;
}

int qtpm_store_verdict_add(qtpm_store *st, const char *router, const char *verdict,
                           const char *reasons_json)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    int64_t ms = qtpm_store_now_ms();
    int rc = run(st, NULL, "INSERT INTO verdicts (router, time, verdict, reasons, worker, "
                           "epoch, started_ms, time_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                 "titttiii", router, ms / 1000, verdict, reasons_json,
                 st->fence.on ? st->fence.worker : NULL, st->fence.on ? st->fence.epoch : 0,
                 st->fence.on ? st->fence.started_ms : ms, ms);
    if (!rc)
        rc = qtpm_store_router_set_state(st, router, verdict);
    if (!rc)
        rc = qtpm_store_event_add(st, router, "verdict", verdict, NULL);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_count(qtpm_store *st, const char *table, int64_t *n)
{
    static const char *const tables[] = {"routers", "eks", "aks", "certificates", "vendors",
                                         "digestlists", "verdicts", "events", "nonces",
                                         "commands", "routing_reports", "measurements"};
    *n = 0;
    int ok = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        ok |= strcmp(table, tables[i]) == 0;
    if (!ok) {
        snprintf(st->err, sizeof st->err, "no table '%s'", table);
        return QTPM_STORE_ERROR;
    }
    char sql[64];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    qtpm_db_stmt *s;
    int rc = one(st, &s, sql, "");
    if (rc == QTPM_STORE_OK) {
        *n = st->ops->column_int64(s, 0);
        done(st, s);
    }
    return rc == QTPM_STORE_NOTFOUND ? QTPM_STORE_ERROR : rc;
}

/* ---- enrolment ------------------------------------------------------------------- */

int qtpm_store_enrolment_put(qtpm_store *st, const qtpm_store_enrolment *e)
{
    return run(st, NULL, "INSERT INTO enrolments (id, router, secret, ek_pub, ek_cert, "
                         "ak_pub, hostname, vendor, expires) "
                         "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", "ttbbbbtti", e->id,
               e->router, (const void *)e->secret, sizeof e->secret, (const void *)e->ek_pub,
               e->ek_pub_len, (const void *)e->ek_cert, e->ek_cert_len,
               (const void *)e->ak_pub, e->ak_pub_len, e->hostname, e->vendor, e->expires);
}

int qtpm_store_enrolment_take(qtpm_store *st, const char *id, int64_t now,
                              qtpm_store_enrolment *out)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    /* As with nonces the DELETE decides: of two concurrent takes only one gets the row. */
    qtpm_db_stmt *s;
    int ret = one(st, &s, "DELETE FROM enrolments WHERE id = $1 RETURNING router, secret, "
                          "ek_pub, ek_cert, ak_pub, hostname, expires, vendor", "t", id);
    if (ret == QTPM_STORE_OK) {
        memset(out, 0, sizeof *out);
        snprintf(out->id, sizeof out->id, "%s", id);
        copy_text(st, out->router, sizeof out->router, s, 0);
        copy_text(st, out->hostname, sizeof out->hostname, s, 5);
        copy_text(st, out->vendor, sizeof out->vendor, s, 7);
        out->expires = st->ops->column_int64(s, 6);
        size_t sl = 0;
        if (copy_blob(st, s, 1, out->secret, sizeof out->secret, &sl) ||
            sl != sizeof out->secret ||
            copy_blob(st, s, 2, out->ek_pub, sizeof out->ek_pub, &out->ek_pub_len) ||
            copy_blob(st, s, 3, out->ek_cert, sizeof out->ek_cert, &out->ek_cert_len) ||
            copy_blob(st, s, 4, out->ak_pub, sizeof out->ak_pub, &out->ak_pub_len)) {
            snprintf(st->err, sizeof st->err, "enrolment row is malformed");
            ret = QTPM_STORE_ERROR;
        } else if ((ret = finish_returning(st, s)) == QTPM_STORE_OK && out->expires < now) {
            ret = QTPM_STORE_NOTFOUND;
        }
        done(st, s);
    }
    if (ret != QTPM_STORE_OK && ret != QTPM_STORE_NOTFOUND)
        goto bad;
    if (run(st, NULL, "DELETE FROM enrolments WHERE expires < $1", "i", now) ||
        qtpm_store_commit(st))
        goto bad;
    return ret;
bad:
    qtpm_store_rollback(st);
    return QTPM_STORE_ERROR;
}

int qtpm_store_ek_router(qtpm_store *st, const uint8_t *ek_pub, size_t len, char router[64])
{
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT router FROM eks WHERE ek_pub = $1", "b", (const void *)ek_pub,
                 len);
    if (rc == QTPM_STORE_OK) {
        copy_text(st, router, 64, s, 0);
        done(st, s);
    }
    return rc;
}

int qtpm_store_ak_active(qtpm_store *st, const char *router, uint8_t *buf, size_t cap,
                         size_t *len)
{
    size_t n = 0;
    const uint8_t *known = st->vc ? qtpm_vcache_ak(st->vc, router, &n) : NULL;
    if (known && n <= cap) {
        memcpy(buf, known, n);
        *len = n;
        return QTPM_STORE_OK;
    }
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT ak_pub FROM aks WHERE router = $1 AND active = 1 "
                         "ORDER BY id DESC LIMIT 1", "t", router);
    if (rc == QTPM_STORE_OK) {
        if (copy_blob(st, s, 0, buf, cap, len)) {
            snprintf(st->err, sizeof st->err, "AK too large");
            rc = QTPM_STORE_ERROR;
        } else if (st->vc) {
            qtpm_vcache_put_ak(st->vc, router, buf, *len);
        }
        done(st, s);
    }
    return rc;
}

int qtpm_store_enrol_finish(qtpm_store *st, const qtpm_store_enrolment *e,
                            const uint8_t *ak_name, size_t ak_name_len, const char *serial,
                            const uint8_t *ak_cert, size_t ak_cert_len)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    qtpm_vcache_forget(st->vc, e->router); /* a new AK, no verifier state */
    qtpm_store_router r;
    int rc = qtpm_store_router_get(st, e->router, &r);
    if (rc == QTPM_STORE_NOTFOUND)
        rc = qtpm_store_router_add(st, e->router, e->hostname, "enrolled");
    else if (rc == QTPM_STORE_OK)
        rc = update_router(st, "UPDATE routers SET state = $1, allow_reenrol = 0, "
                               "verifier_state = NULL, updated = $2 WHERE id = $3",
                           e->router, "enrolled", 0);
    if (!rc)
        rc = qtpm_store_router_seen(st, e->router, -1, NULL);
    /* The EK is stored once: a re-enrolment of the same TPM keeps its row. */
    if (!rc)
        rc = run(st, NULL, "INSERT INTO eks (router, ek_pub, ek_cert, vendor) "
                           "VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING", "tbbt",
                 e->router, (const void *)e->ek_pub, e->ek_pub_len, (const void *)e->ek_cert,
                 e->ek_cert_len, e->vendor);
    if (!rc)
        rc = run(st, NULL, "UPDATE aks SET active = 0 WHERE router = $1", "t", e->router);
    if (!rc)
        rc = run(st, NULL, "INSERT INTO aks (router, ak_pub, ak_name) VALUES ($1, $2, $3)",
                 "tbb", e->router, (const void *)e->ak_pub, e->ak_pub_len,
                 (const void *)ak_name, ak_name_len);
    if (!rc)
        rc = run(st, NULL, "INSERT INTO certificates (router, kind, serial, der, issued) "
                           "VALUES ($1, 'ak', $2, $3, $4)", "ttbi",
                 e->router, serial, (const void *)ak_cert, ak_cert_len, now_s());
    if (!rc)
        rc = qtpm_store_event_add(st, e->router, "enrolled", e->hostname, NULL);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_certificate_add(qtpm_store *st, const char *router, const char *kind,
                               const char *serial, const uint8_t *der, size_t len)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    int rc = run(st, NULL, "INSERT INTO certificates (router, kind, serial, der, issued) "
                           "VALUES ($1, $2, $3, $4, $5)", "tttbi", router, kind, serial,
                 (const void *)der, len, now_s());
    if (!rc) {
        char detail[64];
        snprintf(detail, sizeof detail, "%s certificate %.32s", kind, serial);
        rc = qtpm_store_event_add(st, router, "certificate", detail, NULL);
    }
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

/* ---- liveness -------------------------------------------------------------------- */

int qtpm_store_router_seen(qtpm_store *st, const char *id, int64_t entries, int64_t *previous)
{
    int rc;
    if (previous) {
        qtpm_db_stmt *s;
        *previous = -1;
        rc = one(st, &s, "SELECT last_entries FROM routers WHERE id = $1", "t", id);
        if (rc)
            return rc;
        *previous = st->ops->column_int64(s, 0);
        done(st, s);
    }
    int64_t n = 0;
    if (entries >= 0)
        rc = run(st, &n, "UPDATE routers SET last_seen = $1, last_entries = $2 WHERE id = $3",
                 "iit", now_s(), entries, id);
    else
        rc = run(st, &n, "UPDATE routers SET last_seen = $1 WHERE id = $2", "it", now_s(), id);
    if (rc == QTPM_STORE_OK && n == 0)
        rc = QTPM_STORE_NOTFOUND;
    return rc;
}

int qtpm_store_mark_offline(qtpm_store *st, int64_t before, int *marked)
{
    *marked = 0;
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    qtpm_db_stmt *s;
    char ids[64][64];
    int n = 0, rc;
    if (prep(st, &s, "SELECT id FROM routers WHERE state NOT IN ('offline', 'enrolling') "
                     "AND last_seen < $1 ORDER BY id LIMIT 64", "i", before))
        goto bad;
    while (n < 64 && (rc = st->ops->step(s)) == QTPM_DB_ROW)
        copy_text(st, ids[n++], sizeof ids[0], s, 0);
    done(st, s);
    if (rc < 0)
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

/* ---- digest lists ---------------------------------------------------------------- */

int qtpm_store_vendor_keys(qtpm_store *st, const char *name, uint8_t **mldsa, size_t *mldsa_len,
                           char **ecdsa_pem)
{
    *mldsa = NULL;
    *ecdsa_pem = NULL;
    *mldsa_len = 0;
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT mldsa_pub, ecdsa_pem FROM vendors WHERE name = $1", "t", name);
    if (rc)
        return rc;
    size_t n;
    const uint8_t *p = st->ops->column_blob(s, 0, &n);
    if (n > 0 && (*mldsa = malloc(n)) != NULL) {
        memcpy(*mldsa, p, n);
        *mldsa_len = n;
    }
    const char *pem = st->ops->column_text(s, 1);
    if (pem)
        *ecdsa_pem = strdup(pem);
    done(st, s);
    if ((n > 0 && !*mldsa) || (pem && !*ecdsa_pem)) {
        free(*mldsa);
        free(*ecdsa_pem);
        *mldsa = NULL;
        *ecdsa_pem = NULL;
        *mldsa_len = 0;
        snprintf(st->err, sizeof st->err, "out of memory");
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

int qtpm_store_digestlist_add(qtpm_store *st, const char *vendor, const char *image,
                              uint64_t version, const uint8_t *body, size_t len,
                              uint64_t *newest)
{
    *newest = 0;
    if (version > INT64_MAX) {
        snprintf(st->err, sizeof st->err, "version %llu is too large",
                 (unsigned long long)version);
        return QTPM_STORE_ERROR;
    }
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT max(version) FROM digestlists WHERE vendor = $1 AND "
                         "image = $2", "tt", vendor, image);
    if (rc == QTPM_STORE_OK) {
        int have = !st->ops->column_null(s, 0);
        if (have)
            *newest = (uint64_t)st->ops->column_int64(s, 0);
        done(st, s);
        if (have && *newest >= version) {
            snprintf(st->err, sizeof st->err, "version %llu is not newer than the stored %llu",
                     (unsigned long long)version, (unsigned long long)*newest);
            rc = QTPM_STORE_CONFLICT;
        }
    } else if (rc == QTPM_STORE_NOTFOUND) {
        rc = QTPM_STORE_ERROR; /* an aggregate always has a row */
    }
    if (!rc)
        rc = run(st, NULL, "UPDATE digestlists SET active = 0 WHERE vendor = $1 AND image = $2",
                 "tt", vendor, image);
    if (!rc)
        rc = run(st, NULL, "INSERT INTO digestlists (vendor, image, version, body) "
                           "VALUES ($1, $2, $3, $4)", "ttib", vendor, image, (int64_t)version,
                 (const void *)body, len);
    if (!rc) {
        char detail[200];
        snprintf(detail, sizeof detail, "%.64s %.64s version %llu", vendor, image,
                 (unsigned long long)version);
        rc = qtpm_store_event_add(st, NULL, "digestlist", detail, NULL);
    }
    /* Processes that keep the lists in memory re-read them (at the commit). */
    if (!rc && st->ops->announce)
        rc = st->ops->announce(st->db, DL_CHANNEL);
    dl_drop(st);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

/* The digest lists in memory (qtpm_store_cache_digestlists, docs/SCALE.md): every
 * evidence needs all active lists, and reading them was a query per attestation with the
 * lists' bodies in its result. A list changes only through qtpm_store_digestlist_add,
 * which drops this process's copy and announces the change to the other processes on the
 * database (PostgreSQL NOTIFY, delivered at its commit); a copy is used while nothing
 * was heard (db.h heard(): no round trip) and for at most DL_MAX_AGE_MS, so a change
 * made some other way (SQL by hand) counts within that. Where the back end cannot
 * announce (SQLite), the lists are read every time. */
int qtpm_store_cache_digestlists(qtpm_store *st)
{
    if (!st->ops->watch || !st->ops->heard || !st->ops->announce)
        return QTPM_STORE_OK; /* not here: read every time */
    if (st->ops->watch(st->db, DL_CHANNEL))
        return QTPM_STORE_ERROR;
    st->dl.on = 1;
    dl_drop(st);
    return QTPM_STORE_OK;
}

static int dl_keep(qtpm_store *st, const char *vendor, const uint8_t *b, size_t n)
{
    size_t k = st->dl.n;
    char **v = realloc(st->dl.vendor, (k + 1) * sizeof *v);
    if (v)
        st->dl.vendor = v;
    uint8_t **bo = v ? realloc(st->dl.body, (k + 1) * sizeof *bo) : NULL;
    if (bo)
        st->dl.body = bo;
    size_t *l = bo ? realloc(st->dl.len, (k + 1) * sizeof *l) : NULL;
    if (l)
        st->dl.len = l;
    char *vc = l ? strdup(vendor) : NULL;
    uint8_t *bc = vc ? malloc(n ? n : 1) : NULL;
    if (!bc) {
        free(vc);
        return -1;
    }
    if (n)
        memcpy(bc, b, n);
    st->dl.vendor[k] = vc;
    st->dl.body[k] = bc;
    st->dl.len[k] = n;
    st->dl.n = k + 1;
    return 0;
}

int qtpm_store_digestlist_each(qtpm_store *st, qtpm_store_blob_cb cb, void *ctx)
{
    int64_t now = st->dl.on ? qtpm_store_now_ms() : 0;
    if (st->dl.on) {
        if (st->ops->heard(st->db) || now - st->dl.read_ms >= DL_MAX_AGE_MS || now < st->dl.read_ms)
            dl_drop(st);
        if (st->dl.valid) {
            for (size_t i = 0; i < st->dl.n; i++)
                if (cb(ctx, st->dl.vendor[i], st->dl.body[i], st->dl.len[i]))
                    break;
            return QTPM_STORE_OK;
        }
    }
    qtpm_db_stmt *s;
    int rc = prep(st, &s, "SELECT vendor, body FROM digestlists WHERE active = 1 ORDER BY id",
                  "");
    if (rc)
        return rc;
    int keep = st->dl.on, stopped = 0;
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        size_t n;
        const uint8_t *b = st->ops->column_blob(s, 1, &n);
        const char *vendor = st->ops->column_text(s, 0);
        if (keep && dl_keep(st, vendor ? vendor : "", b, n))
            keep = 0;
        if (!stopped && cb(ctx, vendor ? vendor : "", b, n)) {
            stopped = 1;
            if (!keep)
                break;
        }
    }
    done(st, s);
    if (keep && rc == QTPM_DB_DONE) {
        st->dl.valid = 1;
        st->dl.read_ms = now;
    } else {
        dl_drop(st);
    }
    return rc < 0 ? rc : QTPM_STORE_OK;
}

/* ---- attestation ----------------------------------------------------------------- */

int qtpm_store_router_verifier_state(qtpm_store *st, const char *id, char **json)
{
    *json = NULL;
    const char *known = st->vc ? qtpm_vcache_state(st->vc, id) : NULL;
    if (known) {
        if (!(*json = strdup(known))) {
            snprintf(st->err, sizeof st->err, "out of memory");
            return QTPM_STORE_ERROR;
        }
        return QTPM_STORE_OK;
    }
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT verifier_state FROM routers WHERE id = $1", "t", id);
    if (rc)
        return rc;
    int null = st->ops->column_null(s, 0);
    *json = dup_column(st, s, 0);
    done(st, s);
    if (!null && !*json) {
        snprintf(st->err, sizeof st->err, "out of memory");
        return QTPM_STORE_ERROR;
    }
    if (st->vc && *json)
        qtpm_vcache_put_state(st->vc, id, *json);
    return QTPM_STORE_OK;
}

void qtpm_store_cache_forget_all(qtpm_store *st) { qtpm_vcache_clear(st->vc); }

int qtpm_store_cache_verifier(qtpm_store *st)
{
    if (!st->vc && !(st->vc = qtpm_vcache_new())) {
        snprintf(st->err, sizeof st->err, "out of memory");
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

/* Rows per multi-row statement of qtpm_store_attestations: a verdict row has 8
 * parameters, so 16 rows are QTPM_DB_MAX_PARAMS; a few fixed shapes (16 rows and the
 * remainder) keep the statements few enough to stay prepared (db_pg.c). */
#define ATT_CHUNK 16

/* "($k, $k+1, ...)" groups: rows of cols parameters from $1, comma-separated. */
static void values_list(char *out, size_t cap, size_t rows, int cols, const char *tail)
{
    size_t used = 0;
    int k = 1;
    for (size_t r = 0; r < rows; r++) {
        used += (size_t)snprintf(out + used, cap - used, "%s(", r ? ", " : "");
        for (int c = 0; c < cols; c++)
            used += (size_t)snprintf(out + used, cap - used, "%s$%d", c ? ", " : "", k++);
        used += (size_t)snprintf(out + used, cap - used, "%s)", tail);
    }
}

/* Which routers of a[from, from+m) are offline now (was_offline), and which are gone
 * (rc NOTFOUND): one query for the chunk. */
static int att_states(qtpm_store *st, qtpm_store_att *a, size_t from, size_t m)
{
    char sql[64 + ATT_CHUNK * 8];
    int used = snprintf(sql, sizeof sql, "SELECT id, state FROM routers WHERE id IN (");
    for (size_t i = 0; i < m; i++)
        used += snprintf(sql + used, sizeof sql - (size_t)used, "%s$%zu", i ? ", " : "", i + 1);
    snprintf(sql + used, sizeof sql - (size_t)used, ")");
    qtpm_db_stmt *s;
    int rc = st->ops->prepare(st->db, sql, &s);
    if (rc)
        return rc;
    for (size_t i = 0; i < m; i++) {
        st->ops->bind_text(s, (int)i + 1, a[from + i].router);
        a[from + i].rc = QTPM_STORE_NOTFOUND;
    }
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        const char *id = st->ops->column_text(s, 0), *state = st->ops->column_text(s, 1);
        for (size_t i = 0; id && i < m; i++)
            if (strcmp(a[from + i].router, id) == 0) {
                a[from + i].rc = QTPM_STORE_OK;
                a[from + i].was_offline = state && strcmp(state, "offline") == 0;
            }
    }
    done(st, s);
    return rc == QTPM_DB_DONE ? QTPM_STORE_OK : rc;
}

/* Multi-row INSERT of the verdict rows of the written attestations among
 * a[from, from+m). */
static int att_verdicts(qtpm_store *st, qtpm_store_att *a, size_t from, size_t m, int64_t ms)
{
    size_t rows = 0;
    for (size_t i = 0; i < m; i++)
        rows += a[from + i].rc == QTPM_STORE_OK;
    if (rows == 0)
        return QTPM_STORE_OK;
    char sql[160 + ATT_CHUNK * 48];
    int used = snprintf(sql, sizeof sql, "INSERT INTO verdicts (router, time, verdict, reasons, "
                                         "worker, epoch, started_ms, time_ms) VALUES ");
    values_list(sql + used, sizeof sql - (size_t)used, rows, 8, "");
    qtpm_db_stmt *s;
    int rc = st->ops->prepare(st->db, sql, &s);
    if (rc)
        return rc;
    int k = 1;
    for (size_t i = 0; i < m; i++) {
        const qtpm_store_att *x = &a[from + i];
        if (x->rc != QTPM_STORE_OK)
            continue;
        st->ops->bind_text(s, k++, x->router);
        st->ops->bind_int64(s, k++, ms / 1000);
        st->ops->bind_text(s, k++, x->verdict);
        st->ops->bind_text(s, k++, x->reasons_json);
        st->ops->bind_text(s, k++, x->worker);
        st->ops->bind_int64(s, k++, x->worker ? x->epoch : 0);
        st->ops->bind_int64(s, k++, x->worker ? x->started_ms : ms);
        st->ops->bind_int64(s, k++, ms);
    }
    rc = st->ops->step(s);
    done(st, s);
    return rc == QTPM_DB_DONE ? QTPM_STORE_OK : rc == QTPM_DB_ROW ? QTPM_STORE_ERROR : rc;
}

/* The events of the written attestations: "reboot" (when rebooted) then "verdict" for
 * each, in the batch's order, ATT_CHUNK rows a statement. */
static int att_events(qtpm_store *st, const qtpm_store_att *a, size_t n, int64_t ms)
{
    struct att_event {
        const char *router, *kind, *detail;
    } ev[ATT_CHUNK];
    size_t m = 0;
    for (size_t i = 0; i <= n; i++) {
        int last = i == n;
        size_t need = last ? 0 : a[i].rc != QTPM_STORE_OK ? 0 : a[i].rebooted ? 2 : 1;
        if (m > 0 && (last || m + need > ATT_CHUNK)) {
            char sql[120 + ATT_CHUNK * 40];
            int used = snprintf(sql, sizeof sql, "INSERT INTO events (time, router, kind, "
                                                 "detail, time_ms) VALUES ");
            values_list(sql + used, sizeof sql - (size_t)used, m, 5, "");
            qtpm_db_stmt *s;
            int rc = st->ops->prepare(st->db, sql, &s);
            if (rc)
                return rc;
            for (size_t r = 0; r < m; r++) {
                st->ops->bind_int64(s, (int)(5 * r + 1), ms / 1000);
                st->ops->bind_text(s, (int)(5 * r + 2), ev[r].router);
                st->ops->bind_text(s, (int)(5 * r + 3), ev[r].kind);
                st->ops->bind_text(s, (int)(5 * r + 4), ev[r].detail);
                st->ops->bind_int64(s, (int)(5 * r + 5), ms);
            }
            rc = st->ops->step(s);
            done(st, s);
            if (rc != QTPM_DB_DONE)
                return rc == QTPM_DB_ROW ? QTPM_STORE_ERROR : rc;
            m = 0;
        }
        if (need == 2)
            ev[m++] = (struct att_event){a[i].router, "reboot", "new boot"};
        if (need >= 1)
            ev[m++] = (struct att_event){a[i].router, "verdict", a[i].verdict};
    }
    return QTPM_STORE_OK;
}

/* The router rows of the attestations among a[from, from+m) still to write: verifier
 * state, state, last_seen — one UPDATE ... FROM (VALUES ...) for the chunk (the rows'
 * values differ; both back ends name a VALUES list's columns column1, column2, ...).
 * Each row is compare-and-set over the state its verification started from (cas:
 * verifier_state = the old one, or IS NULL) and fenced (docs/SCALE.md) where a worker is
 * named: written only while that worker still holds the lease it verified under. The
 * fence is owner and epoch only, not also "our workers row is live": (owner, epoch) =
 * (me, e) holds over one unbroken interval (every change of hands bumps the epoch under
 * the router's row lock, and nobody hands a router back at an old epoch), and only the
 * pair's worker writes with it, so a write here at e is ordered by that row lock against
 * any claim — before it (the claimer sees it) or after it (this UPDATE's re-check finds
 * the new owner and writes nothing). If our heartbeat lapsed and nobody took the router,
 * nobody else attested it either; a liveness test would only refuse a harmless write.
 * The rows written come back (RETURNING); a router whose row was not written (it exists:
 * att_states) lost its lease or its state meanwhile → CONFLICT, its copy forgotten. */
static int att_rows(qtpm_store *st, qtpm_store_att *a, size_t from, size_t m, int64_t ms)
{
    size_t rows = 0;
    for (size_t i = 0; i < m; i++)
        rows += a[from + i].rc == QTPM_STORE_OK;
    if (rows == 0)
        return QTPM_STORE_OK;
    char sql[520 + ATT_CHUNK * 48];
    int used = snprintf(sql, sizeof sql, "UPDATE routers AS r SET verifier_state = v.column2, "
                                         "last_seen = v.column3, state = v.column4, "
                                         "updated = v.column3 FROM (VALUES ");
    values_list(sql + used, sizeof sql - (size_t)used, rows, 8, "");
    used += (int)strlen(sql + used);
    snprintf(sql + used, sizeof sql - (size_t)used,
             ") AS v WHERE r.id = v.column1 AND (v.column5 = 0 OR (v.column6 IS NULL AND "
             "r.verifier_state IS NULL) OR r.verifier_state = v.column6) AND (v.column7 IS "
             "NULL OR (r.owner = v.column7 AND r.lease_epoch = v.column8)) RETURNING id");
    qtpm_db_stmt *s;
    int rc = st->ops->prepare(st->db, sql, &s);
    if (rc)
        return rc;
    int k = 1;
    for (size_t i = 0; i < m; i++) {
        qtpm_store_att *x = &a[from + i];
        if (x->rc != QTPM_STORE_OK)
            continue;
        /* verifier_state is a {blob} column: the JSON goes in as its bytes */
        st->ops->bind_text(s, k++, x->router);
        st->ops->bind_blob(s, k++, x->state_json, x->state_json ? strlen(x->state_json) : 0);
        st->ops->bind_int64(s, k++, ms / 1000);
        st->ops->bind_text(s, k++, x->verdict);
        st->ops->bind_int64(s, k++, x->cas ? 1 : 0);
        st->ops->bind_blob(s, k++, x->cas ? x->expect_state : NULL,
                           x->cas && x->expect_state ? strlen(x->expect_state) : 0);
        st->ops->bind_text(s, k++, x->worker);
        st->ops->bind_int64(s, k++, x->worker ? x->epoch : 0);
    }
    char written[ATT_CHUNK] = {0};
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        const char *id = st->ops->column_text(s, 0);
        for (size_t i = 0; id && i < m; i++)
            if (a[from + i].rc == QTPM_STORE_OK && strcmp(a[from + i].router, id) == 0)
                written[i] = 1;
    }
    done(st, s);
    if (rc != QTPM_DB_DONE)
        return rc;
    for (size_t i = 0; i < m; i++) {
        qtpm_store_att *x = &a[from + i];
        if (x->rc != QTPM_STORE_OK)
            continue;
        if (!written[i]) {
            if (x->worker)
                snprintf(st->err, sizeof st->err, "lease lost: router %s is no longer held "
                         "by worker %s at epoch %lld%s", x->router, x->worker,
                         (long long)x->epoch, x->cas ? ", or its verifier state changed" : "");
            else
                snprintf(st->err, sizeof st->err, "the verifier state of %s changed during "
                         "the verification", x->router);
            x->rc = QTPM_STORE_CONFLICT;
            qtpm_vcache_forget(st->vc, x->router);
        } else if (st->vc) {
            qtpm_vcache_put_state(st->vc, x->router, x->state_json);
        }
    }
    return QTPM_STORE_OK;
}

int qtpm_store_attestations(qtpm_store *st, qtpm_store_att *a, size_t n)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    int rc = QTPM_STORE_OK;
    /* Events need the write lock (qtpm_store_event_add says why); a light transaction
     * takes it here, before any row is locked. */
    if (st->light && !st->locked) {
        if ((rc = st->ops->lock(st->db)) == QTPM_STORE_OK)
            st->locked = 1;
    }
    for (size_t i = 0; i < n; i++)
        a[i].was_offline = 0;
    for (size_t i = 0; rc == 0 && i < n; i += ATT_CHUNK)
        rc = att_states(st, a, i, n - i < ATT_CHUNK ? n - i : ATT_CHUNK);
    int64_t ms = qtpm_store_now_ms();
    for (size_t i = 0; rc == 0 && i < n; i += ATT_CHUNK)
        rc = att_rows(st, a, i, n - i < ATT_CHUNK ? n - i : ATT_CHUNK, ms);
    for (size_t i = 0; rc == 0 && i < n; i += ATT_CHUNK)
        rc = att_verdicts(st, a, i, n - i < ATT_CHUNK ? n - i : ATT_CHUNK, ms);
    if (rc == 0)
        rc = att_events(st, a, n, ms);
    if (rc == 0)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_attestation(qtpm_store *st, const char *router, const char *verdict,
                           const char *reasons_json, const char *state_json, int rebooted)
{
    qtpm_store_att a = {.router = router, .verdict = verdict, .reasons_json = reasons_json,
                        .state_json = state_json, .rebooted = rebooted};
    if (st->fence.on) {
        a.worker = st->fence.worker;
        a.epoch = st->fence.epoch;
        a.started_ms = st->fence.started_ms;
    }
    int rc = qtpm_store_attestations(st, &a, 1);
    return rc ? rc : a.rc;
}

int qtpm_store_last_verdict(qtpm_store *st, const char *router, char verdict[16], char **reasons)
{
    *reasons = NULL;
    verdict[0] = '\0';
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT verdict, reasons FROM verdicts WHERE router = $1 "
                         "ORDER BY id DESC LIMIT 1", "t", router);
    if (rc)
        return rc;
    copy_text(st, verdict, 16, s, 0);
    const char *t = st->ops->column_text(s, 1);
    *reasons = strdup(t ? t : "[]");
    done(st, s);
    if (!*reasons) {
        snprintf(st->err, sizeof st->err, "out of memory");
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

/* ---- trust-aware routing --------------------------------------------------------- */

int qtpm_store_policy_get(qtpm_store *st, qtpm_store_policy *out)
{
    memset(out, 0, sizeof *out);
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT good, unknown, bad, offline, bad_action FROM routing_policy "
                         "WHERE id = 1", "");
    if (rc == QTPM_STORE_NOTFOUND) {
        snprintf(st->err, sizeof st->err, "the routing policy row is missing");
        return QTPM_STORE_ERROR;
    }
    if (rc)
        return rc;
    out->good = st->ops->column_int64(s, 0);
    out->unknown = st->ops->column_int64(s, 1);
    out->bad = st->ops->column_int64(s, 2);
    out->offline = st->ops->column_int64(s, 3);
    copy_text(st, out->bad_action, sizeof out->bad_action, s, 4);
    done(st, s);
    return QTPM_STORE_OK;
}

int qtpm_store_policy_set(qtpm_store *st, const qtpm_store_policy *p, const char *detail)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    int rc = run(st, NULL, "UPDATE routing_policy SET good = $1, unknown = $2, bad = $3, "
                           "offline = $4, bad_action = $5, updated = $6 WHERE id = 1",
                 "iiiiti", p->good, p->unknown, p->bad, p->offline, p->bad_action, now_s());
    if (!rc)
        rc = qtpm_store_event_add(st, NULL, "policy", detail, NULL);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_report_put(qtpm_store *st, const char *router, const char *ospf_router_id,
                          const char *json, int64_t time_ms)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    int64_t n = 0;
    int rc = run(st, &n, "UPDATE routers SET ospf_router_id = $1 WHERE id = $2", "tt",
                 ospf_router_id, router);
    if (!rc && n == 0)
        rc = QTPM_STORE_NOTFOUND;
    if (!rc)
        rc = run(st, &n, "UPDATE routing_reports SET time_ms = $1, report = $2 "
                         "WHERE router = $3", "itt", time_ms, json, router);
    if (!rc && n == 0)
        rc = run(st, NULL, "INSERT INTO routing_reports (router, time_ms, report) "
                           "VALUES ($1, $2, $3)", "tit", router, time_ms, json);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_report_get(qtpm_store *st, const char *router, char **json, int64_t *time_ms)
{
    *json = NULL;
    *time_ms = 0;
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT report, time_ms FROM routing_reports WHERE router = $1", "t",
                 router);
    if (rc)
        return rc;
    *json = dup_column(st, s, 0);
    *time_ms = st->ops->column_int64(s, 1);
    done(st, s);
    if (!*json) {
        snprintf(st->err, sizeof st->err, "out of memory");
        return QTPM_STORE_ERROR;
    }
    return QTPM_STORE_OK;
}

int qtpm_store_report_each(qtpm_store *st, qtpm_store_report_cb cb, void *ctx)
{
    qtpm_db_stmt *s;
    int rc = prep(st, &s, "SELECT router, report, time_ms FROM routing_reports ORDER BY router",
                  "");
    if (rc)
        return rc;
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        const char *r = st->ops->column_text(s, 0), *j = st->ops->column_text(s, 1);
        if (cb(ctx, r ? r : "", j ? j : "{}", st->ops->column_int64(s, 2)))
            break;
    }
    done(st, s);
    return rc < 0 ? rc : QTPM_STORE_OK;
}

#define COMMAND_COLS                                                                           \
    "seq, router, interface, toward, cost, excluded, reason, issued_ms, status, deliveries, "  \
    "delivered_ms, acked_ms, received_ms, applied_ms, fib_ms, error"

static void command_row(qtpm_store *st, qtpm_db_stmt *s, qtpm_store_command *c)
{
    memset(c, 0, sizeof *c);
    c->seq = st->ops->column_int64(s, 0);
    copy_text(st, c->router, sizeof c->router, s, 1);
    copy_text(st, c->interface, sizeof c->interface, s, 2);
    copy_text(st, c->toward, sizeof c->toward, s, 3);
    c->cost = st->ops->column_int64(s, 4);
    c->excluded = st->ops->column_int64(s, 5) != 0;
    copy_text(st, c->reason, sizeof c->reason, s, 6);
    c->issued_ms = st->ops->column_int64(s, 7);
    copy_text(st, c->status, sizeof c->status, s, 8);
    c->deliveries = st->ops->column_int64(s, 9);
    c->delivered_ms = st->ops->column_int64(s, 10);
    c->acked_ms = st->ops->column_int64(s, 11);
    c->received_ms = st->ops->column_int64(s, 12);
    c->applied_ms = st->ops->column_int64(s, 13);
    c->fib_ms = st->ops->column_int64(s, 14);
    copy_text(st, c->error, sizeof c->error, s, 15);
}

int qtpm_store_command_add(qtpm_store *st, qtpm_store_command *c, const char *detail)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    c->issued_ms = qtpm_store_now_ms();
    snprintf(c->status, sizeof c->status, "pending");
    int rc = run(st, NULL, "UPDATE commands SET status = 'superseded' WHERE router = $1 AND "
                           "interface = $2 AND status <> 'superseded'", "tt", c->router,
                 c->interface);
    qtpm_db_stmt *s = NULL;
    if (!rc)
        rc = one(st, &s, "INSERT INTO commands (router, interface, toward, cost, excluded, "
                         "reason, issued_ms, status) VALUES ($1, $2, $3, $4, $5, $6, $7, "
                         "'pending') RETURNING seq", "tttiiti", c->router, c->interface,
                 c->toward, c->cost, (int64_t)(c->excluded != 0), c->reason, c->issued_ms);
    if (rc == QTPM_STORE_NOTFOUND) {
        snprintf(st->err, sizeof st->err, "command insert returned no seq");
        rc = QTPM_STORE_ERROR;
    }
    if (!rc) {
        c->seq = st->ops->column_int64(s, 0);
        rc = finish_returning(st, s);
        done(st, s);
    }
    if (!rc)
        rc = qtpm_store_event_add(st, c->router, "enforce", detail, NULL);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_command_each(qtpm_store *st, const char *router, int open_only,
                            qtpm_store_command_cb cb, void *ctx)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT " COMMAND_COLS " FROM commands WHERE %s %s ORDER BY seq",
             open_only ? "status IN ('pending', 'failed')" : "status <> 'superseded'",
             router ? "AND router = $1" : "");
    qtpm_db_stmt *s;
    int rc = router ? prep(st, &s, sql, "t", router) : prep(st, &s, sql, "");
    if (rc)
        return rc;
    qtpm_store_command c;
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        command_row(st, s, &c);
        if (cb(ctx, &c))
            break;
    }
    done(st, s);
    return rc < 0 ? rc : QTPM_STORE_OK;
}

int qtpm_store_command_get(qtpm_store *st, const char *router, int64_t seq,
                           qtpm_store_command *out)
{
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT " COMMAND_COLS " FROM commands WHERE router = $1 AND seq = $2",
                 "ti", router, seq);
    if (rc == QTPM_STORE_OK) {
        command_row(st, s, out);
        done(st, s);
    }
    return rc;
}

int qtpm_store_command_delivered(qtpm_store *st, int64_t seq, int64_t now_ms)
{
    int64_t n = 0;
    int rc = run(st, &n, "UPDATE commands SET deliveries = deliveries + 1, delivered_ms = $1 "
                         "WHERE seq = $2", "ii", now_ms, seq);
    return rc == QTPM_STORE_OK && n == 0 ? QTPM_STORE_NOTFOUND : rc;
}

int qtpm_store_command_ack(qtpm_store *st, int64_t seq, int ok, int64_t received_ms,
                           int64_t applied_ms, int64_t fib_ms, const char *error,
                           const char *kind, const char *detail)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT router FROM commands WHERE seq = $1", "i", seq);
    char router[64] = "";
    if (!rc) {
        copy_text(st, router, sizeof router, s, 0);
        done(st, s);
    }
    /* A superseded command keeps its status: its ack says only that an old state was
     * applied, the newer command is still owed. */
    if (!rc)
        rc = run(st, NULL, "UPDATE commands SET status = CASE WHEN status = 'superseded' "
                           "THEN status ELSE $1 END, acked_ms = $2, received_ms = $3, "
                           "applied_ms = $4, fib_ms = $5, error = $6 WHERE seq = $7",
                 "tiiiiti", ok ? "ok" : "failed", qtpm_store_now_ms(), received_ms, applied_ms,
                 fib_ms, error ? error : "", seq);
    if (!rc)
        rc = qtpm_store_event_add(st, router, kind, detail, NULL);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_command_fail(qtpm_store *st, int64_t seq, const char *detail)
{
    if (qtpm_store_begin(st))
        return QTPM_STORE_ERROR;
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT router FROM commands WHERE seq = $1 AND status = 'pending'",
                 "i", seq);
    char router[64] = "";
    if (!rc) {
        copy_text(st, router, sizeof router, s, 0);
        done(st, s);
    }
    if (!rc)
        rc = run(st, NULL, "UPDATE commands SET status = 'failed' WHERE seq = $1", "i", seq);
    if (!rc)
        rc = qtpm_store_event_add(st, router, "enforcement-failed", detail, NULL);
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_event_last(qtpm_store *st, int64_t *id)
{
    *id = 0;
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT max(id) FROM events", "");
    if (rc == QTPM_STORE_OK) {
        *id = st->ops->column_int64(s, 0);
        done(st, s);
    }
    return rc == QTPM_STORE_NOTFOUND ? QTPM_STORE_OK : rc;
}

/* ---- verifier workers and router leases (migration 4, docs/SCALE.md) -------------- */

void qtpm_store_fence(qtpm_store *st, const char *worker, int64_t epoch, int64_t started_ms)
{
    st->fence.on = 1;
    snprintf(st->fence.worker, sizeof st->fence.worker, "%s", worker);
    st->fence.epoch = epoch;
    st->fence.started_ms = started_ms;
}

void qtpm_store_unfence(qtpm_store *st) { memset(&st->fence, 0, sizeof st->fence); }

int qtpm_store_idle_limit(qtpm_store *st, int ms)
{
    return st->ops->idle_limit ? st->ops->idle_limit(st->db, ms) : QTPM_STORE_OK;
}

int qtpm_store_worker_register(qtpm_store *st, const char *id, const char *url,
                               const char *host, int64_t pid)
{
    int64_t now = qtpm_store_now_ms();
    if (begin_tx(st, 0))
        return QTPM_STORE_ERROR;
    int rc = run(st, NULL, "DELETE FROM workers WHERE id = $1", "t", id);
    if (!rc)
        rc = run(st, NULL, "INSERT INTO workers (id, url, host, pid, started_ms, beat_ms, state) "
                           "VALUES ($1, $2, $3, $4, $5, $5, 'live')", "tttii", id, url, host,
                 pid, now);
    if (!rc) {
        char detail[400];
        snprintf(detail, sizeof detail, "worker %.63s started at %.255s", id, url);
        rc = qtpm_store_event_add(st, NULL, "worker-started", detail, NULL);
    }
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_worker_stop(qtpm_store *st, const char *id)
{
    /* Leases are released, not left to expire: the others take them at their next tick. */
    if (begin_tx(st, 0))
        return QTPM_STORE_ERROR;
    int rc = run(st, NULL, "UPDATE routers SET owner = NULL WHERE owner = $1", "t", id);
    if (!rc)
        rc = run(st, NULL, "UPDATE workers SET state = 'stopped', beat_ms = $1 WHERE id = $2",
                 "it", qtpm_store_now_ms(), id);
    if (!rc) {
        char detail[128];
        snprintf(detail, sizeof detail, "worker %.63s stopped; its routers released", id);
        rc = qtpm_store_event_add(st, NULL, "worker-stopped", detail, NULL);
    }
    if (!rc)
        return qtpm_store_commit(st);
    qtpm_store_rollback(st);
    return rc;
}

int qtpm_store_worker_each(qtpm_store *st, qtpm_store_worker_cb cb, void *ctx)
{
    qtpm_db_stmt *s;
    if (prep(st, &s, "SELECT w.id, w.url, w.host, w.pid, w.started_ms, w.beat_ms, w.state, "
                     "(SELECT count(*) FROM routers r WHERE r.owner = w.id) FROM workers w "
                     "ORDER BY w.id", ""))
        return QTPM_STORE_ERROR;
    int rc;
    while ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
        qtpm_store_worker w;
        memset(&w, 0, sizeof w);
        copy_text(st, w.id, sizeof w.id, s, 0);
        copy_text(st, w.url, sizeof w.url, s, 1);
        copy_text(st, w.host, sizeof w.host, s, 2);
        w.pid = st->ops->column_int64(s, 3);
        w.started_ms = st->ops->column_int64(s, 4);
        w.beat_ms = st->ops->column_int64(s, 5);
        copy_text(st, w.state, sizeof w.state, s, 6);
        w.routers = st->ops->column_int64(s, 7);
        if (cb(ctx, &w))
            break;
    }
    done(st, s);
    return rc < 0 ? rc : QTPM_STORE_OK;
}

/* A count(*) query with parameters. */
static int count_of(qtpm_store *st, int64_t *n, const char *sql, const char *fmt, ...)
{
    qtpm_db_stmt *s;
    va_list ap;
    va_start(ap, fmt);
    int rc = vprep(st, &s, sql, fmt, ap);
    va_end(ap);
    if (rc)
        return rc;
    rc = st->ops->step(s);
    *n = rc == QTPM_DB_ROW ? st->ops->column_int64(s, 0) : 0;
    done(st, s);
    return rc == QTPM_DB_ROW ? QTPM_STORE_OK : QTPM_STORE_ERROR;
}

#define LEASE_BATCH 1024 /* routers claimed or handed over per tick, at most */
#define WORKER_FORGET_MS (24 * 3600 * 1000LL) /* a gone worker's row is kept this long */

static int mark_dead_workers(qtpm_store *st, const char *worker, int64_t cut, int64_t ttl_ms,
                             int *marked)
{
    qtpm_db_stmt *s;
    char dead[16][64];
    int ndead = 0, rc;
    *marked = 0;
    if (prep(st, &s, "SELECT id FROM workers WHERE state = 'live' AND beat_ms < $1 "
                     "AND id <> $2 ORDER BY id LIMIT 16", "it", cut, worker))
        return QTPM_STORE_ERROR;
    while (ndead < 16 && (rc = st->ops->step(s)) == QTPM_DB_ROW)
        copy_text(st, dead[ndead++], sizeof dead[0], s, 0);
    done(st, s);
    if (rc < 0)
        return QTPM_STORE_ERROR;
    if (ndead == 0 || begin_tx(st, 0))
        return ndead == 0 ? QTPM_STORE_OK : QTPM_STORE_ERROR;
    for (int i = 0; i < ndead; i++) {
        int64_t n = 0;
        if (run(st, &n, "UPDATE workers SET state = 'dead' WHERE id = $1 AND state = 'live' "
                        "AND beat_ms < $2", "ti", dead[i], cut))
            goto bad;
        if (n == 1) {
            char detail[200];
            snprintf(detail, sizeof detail, "worker %.63s silent for more than %lld ms; noticed "
                     "by %.63s", dead[i], (long long)ttl_ms, worker);
            if (qtpm_store_event_add(st, NULL, "worker-dead", detail, NULL))
                goto bad;
            (*marked)++;
        }
    }
    return qtpm_store_commit(st);
bad:
    *marked = 0;
    qtpm_store_rollback(st);
    return QTPM_STORE_ERROR;
}


/* The lease rule (docs/SCALE.md "Leases"): a router is held by its owner while the
 * owner's workers row is live — state 'live' and a heartbeat no older than a lease (the
 * owner's beat_ms + ttl >= now). Renewal is thus one row per worker and tick (its
 * heartbeat), however many routers it holds; the routers' rows are written only when a
 * router changes hands (owner and lease_epoch, under the router's row lock). lease_until_ms
 * (migration 4) is no longer read or written: renewing it per router rewrote every held
 * row 1.6 times a second (16,000 row versions/s at 10,000 routers every 5 s), which cost
 * PostgreSQL 2.1 ms of CPU per attestation instead of 0.15 ms.
 *
 * The live workers, as a subquery: uncorrelated, so PostgreSQL evaluates it once per
 * statement (a hashed subplan) and a FOR UPDATE re-check of a router row that changed
 * meanwhile (READ COMMITTED's EvalPlanQual) tests its newest owner against the same set
 * — unlike a LEFT JOIN to workers, whose re-check could pair the new owner with no
 * worker row and find a router just handed to a live worker claimable. $cut: now - ttl. */
#define LIVE_WORKERS(cut) "(SELECT id FROM workers WHERE state = 'live' AND beat_ms >= " cut ")"
#define CLAIMABLE(cut) "(owner IS NULL OR owner NOT IN " LIVE_WORKERS(cut) ")"

int qtpm_store_lease_tick(qtpm_store *st, const char *worker, int64_t now_ms, int64_t ttl_ms,
                          qtpm_store_lease_tick_result *out)
{
    memset(out, 0, sizeof *out);
    int64_t cut = now_ms - ttl_ms, n = 0;
    char sql[512];
    qtpm_db_stmt *s;
    int rc;
    /* 1. Workers silent for a lease period are dead: whoever notices first (the row lock
     * of the UPDATE decides) writes the event. A transaction of its own with the write
     * lock first, as every transaction that writes events. Marking is for the operator
     * (event, /metrics, the API): a silent worker's routers are claimable from the moment
     * its heartbeat is a lease old, marked or not. */
    if (mark_dead_workers(st, worker, cut, ttl_ms, &out->dead_marked))
        return QTPM_STORE_ERROR;
    if (begin_tx(st, 1))
        return QTPM_STORE_ERROR;
    /* 2. The heartbeat, which renews every lease this worker holds at once. First on the
     * condition that the row was still live with a beat less than half a lease old (the
     * margin workers.c gives its held set): then no other worker could have claimed any
     * of our routers since the last tick (claiming needs our beat a lease old or our
     * state not live, and the row lock orders this UPDATE against mark_dead_workers' on
     * the same row). Otherwise — marked dead, or our last beat too old — the leases may
     * have lapsed: the worker comes back live (lapsed = 1) and keeps only the routers
     * still in its name at their epochs. Those were never taken (taking changes owner
     * and epoch) and so never attested by another worker meanwhile; what it remembers
     * of the others is dropped by workers.c. */
    if (run(st, &n, "UPDATE workers SET beat_ms = $1 WHERE id = $2 AND state = 'live' AND "
                    "beat_ms >= $3", "iti", now_ms, worker, now_ms - ttl_ms / 2))
        goto bad;
    if (n == 0) {
        out->lapsed = 1;
        if (run(st, &n, "UPDATE workers SET beat_ms = $1, state = 'live' WHERE id = $2", "it",
                now_ms, worker))
            goto bad;
        if (n == 0) {
            snprintf(st->err, sizeof st->err, "worker %s is not registered", worker);
            goto bad;
        }
    }
    /* 3. (Renewal of each router's lease is gone: see the lease rule above.) Workers
     * stopped or dead for a day that hold nothing are forgotten. */
    if (run(st, NULL, "DELETE FROM workers WHERE state <> 'live' AND beat_ms < $1 AND id NOT IN "
                      "(SELECT owner FROM routers WHERE owner IS NOT NULL)", "i",
            now_ms - WORKER_FORGET_MS))
        goto bad;
    /* 4. This worker's fair share of the routers among the live workers. */
    int64_t live = 0, total = 0, mine = 0;
    if (count_of(st, &live, "SELECT count(*) FROM workers WHERE state = 'live' AND "
                            "beat_ms >= $1", "i", cut) ||
        count_of(st, &total, "SELECT count(*) FROM routers WHERE state <> 'enrolling'", "") ||
        count_of(st, &mine, "SELECT count(*) FROM routers WHERE owner = $1", "t", worker))
        goto bad;
    if (live < 1)
        live = 1;
    int64_t share = (total + live - 1) / live;
    out->live = (int)live;
    /* 5. Under the share: claim routers nobody holds or whose holder is not live; rows
     * another worker is claiming at this moment are skipped, not waited for. The lock on
     * each router row, and the re-check of CLAIMABLE on its newest version, make a claim
     * exclusive: two claimers never both take a row, a router handed to a live worker
     * meanwhile is skipped. Race with the old holder renewing its heartbeat after this
     * statement's snapshot: we still take its router (our snapshot says it lapsed); that
     * is safe — the epoch bump fences its writes — and its own tick sees the lapse
     * (clocks within half a lease; else its first write there is refused, and the 409
     * empties its held set, workers.c). */
    if (mine < share) {
        int64_t want = share - mine;
        if (want > LEASE_BATCH)
            want = LEASE_BATCH;
        snprintf(sql, sizeof sql, "SELECT id, owner FROM routers WHERE state <> 'enrolling' "
                 "AND " CLAIMABLE("$1") " ORDER BY id LIMIT $2 %s",
                 st->ops->words.skip_locked);
        /* (Our own routers are not CLAIMABLE: the heartbeat above made us live, and a
         * transaction sees its own writes.) */
        static char ids[LEASE_BATCH][64];
        static char other[LEASE_BATCH];
        int nid = 0, from_other = 0;
        if (prep(st, &s, sql, "ii", cut, want))
            goto bad;
        while (nid < LEASE_BATCH && (rc = st->ops->step(s)) == QTPM_DB_ROW) {
            copy_text(st, ids[nid], sizeof ids[0], s, 0);
            const char *o = st->ops->column_text(s, 1);
            other[nid] = o && *o;
            nid++;
        }
        done(st, s);
        if (rc < 0)
            goto bad;
        /* Re-checked here too, for a back end whose SELECT locks nothing (SQLite: the
         * whole database is locked by the write anyway, so the check is the same). */
        snprintf(sql, sizeof sql, "UPDATE routers SET owner = $1, lease_epoch = lease_epoch "
                 "+ 1 WHERE id = $2 AND " CLAIMABLE("$3"));
        int took = 0;
        for (int i = 0; i < nid; i++) {
            if (run(st, &n, sql, "tti", worker, ids[i], cut))
                goto bad;
            took += (int)n;
            from_other += n && other[i];
        }
        out->claimed = took;
        out->taken_over = from_other;
        mine += took;
    }
    /* 6. Over the floor of the share while another is under it (a worker joined): hand
     * routers to the least loaded live worker directly, with a new epoch, so no router
     * is ever without an owner. Loads settle within [floor, ceil] of the share. If the
     * target dies right after, its routers are claimable at once (its beat is old). */
    int64_t floor_share = total / live;
    if (mine > floor_share && live > 1) {
        char target[64] = "";
        int64_t its = 0;
        if (prep(st, &s, "SELECT w.id, (SELECT count(*) FROM routers r WHERE r.owner = w.id) "
                         "AS c FROM workers w WHERE w.state = 'live' AND w.beat_ms >= $1 AND "
                         "w.id <> $2 ORDER BY c, w.id LIMIT 1", "it", cut, worker))
            goto bad;
        if ((rc = st->ops->step(s)) == QTPM_DB_ROW) {
            copy_text(st, target, sizeof target, s, 0);
            its = st->ops->column_int64(s, 1);
        }
        done(st, s);
        if (rc < 0)
            goto bad;
        int64_t give = mine - floor_share;
        if (floor_share - its < give)
            give = floor_share - its;
        if (give > LEASE_BATCH)
            give = LEASE_BATCH;
        if (target[0] && give > 0) {
            snprintf(sql, sizeof sql, "SELECT id FROM routers WHERE owner = $1 ORDER BY id "
                     "DESC LIMIT $2 %s", st->ops->words.skip_locked);
            static char ids[LEASE_BATCH][64];
            int nid = 0;
            if (prep(st, &s, sql, "ti", worker, give))
                goto bad;
            while (nid < LEASE_BATCH && (rc = st->ops->step(s)) == QTPM_DB_ROW)
                copy_text(st, ids[nid++], sizeof ids[0], s, 0);
            done(st, s);
            if (rc < 0)
                goto bad;
            int gave = 0;
            for (int i = 0; i < nid; i++) {
                if (run(st, &n, "UPDATE routers SET owner = $1, lease_epoch = lease_epoch + 1 "
                                "WHERE id = $2 AND owner = $3", "ttt", target, ids[i], worker))
                    goto bad;
                gave += (int)n;
            }
            out->handed = gave;
            mine -= gave;
        }
    }
    out->owned = (int)mine;
    if (qtpm_store_commit(st))
        return QTPM_STORE_ERROR;
    /* Routers that changed hands: what this worker remembers of any router may be older
     * than the last holder's writes (the compare-and-set would refuse it once; better
     * not to try). Rare: starts, deaths, rebalancing. */
    if (out->claimed || out->handed || out->lapsed)
        qtpm_vcache_clear(st->vc);
    if (out->taken_over) {
        char detail[160];
        snprintf(detail, sizeof detail, "worker %.63s took over %d router(s) whose holder's "
                 "lease had expired", worker, out->taken_over);
        return qtpm_store_event_add(st, NULL, "takeover", detail, NULL);
    }
    return QTPM_STORE_OK;
bad:
    qtpm_store_rollback(st);
    return QTPM_STORE_ERROR;
}

int qtpm_store_lease_acquire(qtpm_store *st, const char *router, const char *worker,
                             int64_t now_ms, int64_t ttl_ms, int64_t *epoch, char owner[64],
                             char url[256])
{
    *epoch = 0;
    owner[0] = url[0] = '\0';
    int64_t cut = now_ms - ttl_ms;
    for (int attempt = 0; attempt < 2; attempt++) {
        qtpm_db_stmt *s;
        /* The holder's liveness is its workers row (the lease rule above). */
        int rc = one(st, &s, "SELECT r.owner, r.lease_epoch, w.url, CASE WHEN w.state = 'live' "
                             "AND w.beat_ms >= $2 THEN 1 ELSE 0 END FROM routers r LEFT JOIN "
                             "workers w ON w.id = r.owner WHERE r.id = $1", "ti", router, cut);
        if (rc)
            return rc;
        copy_text(st, owner, 64, s, 0);
        int64_t e = st->ops->column_int64(s, 1), live = st->ops->column_int64(s, 3);
        copy_text(st, url, 256, s, 2);
        done(st, s);
        int64_t n = 0;
        if (strcmp(owner, worker) == 0) {
            /* Ours at epoch e, whether or not our own heartbeat is late: a router still in
             * our name at e was never taken, and a write at e is fenced on exactly that.
             * If our beat did lapse, our next tick renews it (and empties the held set). */
            *epoch = e;
            return QTPM_STORE_OK;
        }
        if (owner[0] && live)
            return QTPM_STORE_CONFLICT;
        /* Nobody holds it (new, released, or its holder is not live): take it now, under
         * the row lock, re-checking the condition on the newest row (another worker may
         * have taken it since the SELECT: then n = 0 and the next look says who). */
        qtpm_vcache_forget(st->vc, router);
        if (run(st, &n, "UPDATE routers SET owner = $1, lease_epoch = lease_epoch + 1 WHERE "
                        "id = $2 AND " CLAIMABLE("$3"), "tti", worker, router, cut))
            return QTPM_STORE_ERROR;
    }
    /* Taken, or taken from under us; one more look says which. */
    qtpm_db_stmt *s;
    int rc = one(st, &s, "SELECT r.owner, r.lease_epoch, w.url FROM routers r LEFT JOIN "
                         "workers w ON w.id = r.owner WHERE r.id = $1", "t", router);
    if (rc)
        return rc;
    copy_text(st, owner, 64, s, 0);
    *epoch = st->ops->column_int64(s, 1);
    copy_text(st, url, 256, s, 2);
    done(st, s);
    return strcmp(owner, worker) == 0 ? QTPM_STORE_OK : QTPM_STORE_CONFLICT;
}

int qtpm_store_mark_offline_owned(qtpm_store *st, int64_t before, const char *worker,
                                  int *marked)
{
    *marked = 0;
    if (begin_tx(st, 0))
        return QTPM_STORE_ERROR;
    qtpm_db_stmt *s;
    char ids[64][64];
    int n = 0, rc;
    if (prep(st, &s, "SELECT id FROM routers WHERE owner = $1 AND state NOT IN ('offline', "
                     "'enrolling') AND last_seen < $2 ORDER BY id LIMIT 64", "ti", worker,
             before))
        goto bad;
    while (n < 64 && (rc = st->ops->step(s)) == QTPM_DB_ROW)
        copy_text(st, ids[n++], sizeof ids[0], s, 0);
    done(st, s);
    if (rc < 0)
        goto bad;
    for (int i = 0; i < n; i++) {
        int64_t k = 0;
        /* Only while still ours and still silent. */
        if (run(st, &k, "UPDATE routers SET state = 'offline', updated = $1 WHERE id = $2 AND "
                        "owner = $3 AND last_seen < $4", "itti", now_s(), ids[i], worker,
                before))
            goto bad;
        if (k == 1 && qtpm_store_event_add(st, ids[i], "offline", "no heartbeat or evidence "
                                           "for two periods", NULL))
            goto bad;
        *marked += (int)k;
    }
    return qtpm_store_commit(st);
bad:
    *marked = 0;
    qtpm_store_rollback(st);
    return QTPM_STORE_ERROR;
}
