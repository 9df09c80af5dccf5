/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_store.c — unit tests of the NMS store (src/store/store.h), run against either back
 * end: `test_store` uses SQLite in a temp file (ctest nms_store); `test_store pg` uses the
 * PostgreSQL database in $QTPM_TEST_PG, a libpq conninfo that tests/store/pg-cluster.sh
 * sets for a throwaway cluster (ctest nms_store_pg), and empties the public schema before
 * every test.
 *
 * Covered: schema migration and its version, reopen keeps data, an upgrade from version 1,
 * a failed migration rolls back, a newer schema is refused, two processes opening a fresh
 * database at once (only one migrates), unique keys map to CONFLICT (other constraint
 * failures do not), nonces and enrolments are single-use and expire, binary columns
 * (zero bytes, 0xff, the largest sizes) come back byte for byte, a rolled-back or
 * nested transaction leaves nothing behind, verdicts/attestations change the router's
 * state and log events atomically, enrolment completion and re-enrolment (EK once, old AK
 * deactivated), digest-list rollback refusal, bad URLs refused (and a password in a
 * conninfo never echoed), liveness and the offline sweep; verifier workers (migration 4):
 * lease ticks share the routers fairly, a dead worker is noticed once and its routers
 * taken over, a stalled worker's attestation is refused by the fence, hand-over to a
 * worker that joins, the per-request lease check and the owned offline sweep; the
 * serving process's shortcuts (docs/SCALE.md): nonces in memory (single use, expiry, two
 * a router, no row written), attestations in a batch (a missing router or a refused one
 * drops out alone; verdicts, states and events as one by one) and the verifier-state copy
 * whose compare-and-set refuses a state changed behind its back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "store.h"

static char path[256];
static char url[1100];
static const char *pg; /* the conninfo when testing PostgreSQL, else NULL */

/* Runs SQL on the database directly, beside the store: 0 or -1. */
static int raw_exec(const char *sql)
{
    if (pg) {
        PGconn *c = PQconnectdb(pg);
        int ok = PQstatus(c) == CONNECTION_OK;
        if (ok) {
            PQclear(PQexec(c, "SET client_min_messages = warning")); /* no cascade NOTICEs */
            PGresult *r = PQexec(c, sql);
            ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
            if (!ok)
                fprintf(stderr, "raw_exec: %s", PQresultErrorMessage(r));
            PQclear(r);
        }
        PQfinish(c);
        return ok ? 0 : -1;
    }
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db) == SQLITE_OK &&
             sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(db);
    return rc ? 0 : -1;
}

/* The integer in the first column of the first row of a query, -999 on failure. */
static long long raw_int(const char *sql)
{
    long long v = -999;
    if (pg) {
        PGconn *c = PQconnectdb(pg);
        if (PQstatus(c) == CONNECTION_OK) {
            PGresult *r = PQexec(c, sql);
            if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
                v = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
            PQclear(r);
        }
        PQfinish(c);
        return v;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_open(path, &db) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

static int setup(void **state)
{
    (void)state;
    if (pg) {
        snprintf(url, sizeof url, "postgresql:%s", pg);
        return raw_exec("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    }
    snprintf(path, sizeof path, "/tmp/qtpm-store-test-%ld.db", (long)getpid());
    unlink(path);
    snprintf(url, sizeof url, "sqlite:%s", path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (pg)
        return 0;
    char p[300];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    return 0;
}

static qtpm_store *open_ok(void)
{
    qtpm_store *st = NULL;
    char err[256] = "";
    int rc = qtpm_store_open(url, &st, err, sizeof err);
    if (rc)
        fprintf(stderr, "open: %s\n", err);
    assert_int_equal(rc, QTPM_STORE_OK);
    return st;
}

static void test_migrate_and_reopen(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    int v = -1;
    assert_int_equal(qtpm_store_schema_version(st, &v), 0);
    assert_int_equal(v, QTPM_STORE_SCHEMA_VERSION);
    assert_int_equal(qtpm_store_router_add(st, "r1", "host1", "enrolled"), 0);
    qtpm_store_close(st);

    st = open_ok();
    assert_int_equal(qtpm_store_schema_version(st, &v), 0);
    assert_int_equal(v, QTPM_STORE_SCHEMA_VERSION);
    qtpm_store_router r;
    assert_int_equal(qtpm_store_router_get(st, "r1", &r), 0);
    assert_string_equal(r.hostname, "host1");
    assert_string_equal(r.state, "enrolled");
    assert_int_equal(r.allow_reenrol, 0);
    assert_int_equal(qtpm_store_router_get(st, "nope", &r), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_router_add(st, "r1", "other", "enrolled"), QTPM_STORE_CONFLICT);
    assert_int_equal(qtpm_store_router_set_allow(st, "r1", 1), 0);
    assert_int_equal(qtpm_store_router_get(st, "r1", &r), 0);
    assert_int_equal(r.allow_reenrol, 1);
    assert_int_equal(qtpm_store_router_set_state(st, "ghost", "good"), QTPM_STORE_NOTFOUND);
    qtpm_store_close(st);
}

/* PostgreSQL: the same database through a postgresql:// URI (passed to libpq whole) and
 * the postgres: alias of the key=value form. */
static void test_pg_url_forms(void **state)
{
    (void)state;
    const char *dir = getenv("QTPM_TEST_PG_DIR");
    if (!pg || !dir)
        skip();
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "u1", "h", "good"), 0);
    qtpm_store_close(st);
    char u[600], err[256] = "";
    qtpm_store_router r;
    snprintf(u, sizeof u, "postgresql://qtpm@/qtpm?host=%s&port=5432", dir);
    assert_int_equal(qtpm_store_open(u, &st, err, sizeof err), 0);
    assert_int_equal(qtpm_store_router_get(st, "u1", &r), 0);
    qtpm_store_close(st);
    snprintf(u, sizeof u, "postgres:%s", pg);
    assert_int_equal(qtpm_store_open(u, &st, err, sizeof err), 0);
    assert_int_equal(qtpm_store_router_get(st, "u1", &r), 0);
    qtpm_store_close(st);
    /* A database that does not exist: refused at open. */
    snprintf(u, sizeof u, "postgresql://qtpm@/nosuchdb?host=%s&port=5432", dir);
    assert_int_equal(qtpm_store_open(u, &st, err, sizeof err), QTPM_STORE_ERROR);
    assert_null(st);
    assert_non_null(strstr(err, "nosuchdb"));
}

static void test_newer_schema_refused(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    qtpm_store_close(st);
    /* Simulate a database written by a newer build. */
    assert_int_equal(raw_exec("UPDATE schema_version SET version = 99"), 0);
    char err[256] = "";
    assert_int_equal(qtpm_store_open(url, &st, err, sizeof err), QTPM_STORE_ERROR);
    assert_null(st);
    assert_non_null(strstr(err, "newer"));
}

/* What migrations 6 and 5 add, for the upgrade tests from older versions. */
#define DROP_V6 "DROP INDEX aks_router;"
#define DROP_V5 "DROP TABLE measurements; DROP INDEX verdicts_router; DROP INDEX events_kind;" \
                "DROP INDEX routers_state;"

/* A version-1 database (as the first build wrote it) is migrated to the current schema
 * at open, keeping its rows. */

static void test_upgrade_from_v1(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "old", "h", "good"), 0);
    qtpm_store_close(st);
    assert_int_equal(raw_exec(DROP_V6 DROP_V5 "DROP TABLE workers; DROP INDEX routers_owner;"
                              "ALTER TABLE routers DROP COLUMN owner;"
                              "ALTER TABLE routers DROP COLUMN lease_epoch;"
                              "ALTER TABLE routers DROP COLUMN lease_until_ms;"
                              "ALTER TABLE verdicts DROP COLUMN worker;"
                              "ALTER TABLE verdicts DROP COLUMN epoch;"
                              "ALTER TABLE verdicts DROP COLUMN started_ms;"
                              "ALTER TABLE verdicts DROP COLUMN time_ms;"
                              "DROP TABLE commands; DROP TABLE routing_reports;"
                              "DROP TABLE routing_policy; DROP INDEX events_router;"
                              "ALTER TABLE routers DROP COLUMN ospf_router_id;"
                              "ALTER TABLE events DROP COLUMN time_ms;"
                              "ALTER TABLE routers DROP COLUMN last_seen;"
                              "ALTER TABLE routers DROP COLUMN last_entries;"
                              "UPDATE schema_version SET version = 1"), 0);
    st = open_ok();
    int v = 0;
    assert_int_equal(qtpm_store_schema_version(st, &v), 0);
    assert_int_equal(v, QTPM_STORE_SCHEMA_VERSION);
    int64_t prev = 0;
    assert_int_equal(qtpm_store_router_seen(st, "old", 3, &prev), 0);
    assert_int_equal(prev, -1);
    qtpm_store_router r;
    assert_int_equal(qtpm_store_router_get(st, "old", &r), 0);
    assert_string_equal(r.state, "good");
    qtpm_store_close(st);
}

/* A migration that fails leaves the database as it was (one transaction). */
static void test_failed_migration_rolls_back(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    qtpm_store_close(st);
    /* Version 1 claimed, but the version-2 columns are already there: ALTER TABLE fails. */
    assert_int_equal(raw_exec("UPDATE schema_version SET version = 1"), 0);
    char err[256] = "";
    assert_int_equal(qtpm_store_open(url, &st, err, sizeof err), QTPM_STORE_ERROR);
    assert_null(st);
    if (!strstr(err, pg ? "already exists" : "duplicate column"))
        fail_msg("unexpected error: %s", err);
    assert_int_equal(raw_int("SELECT version FROM schema_version"), 1);
    assert_int_equal(raw_int("SELECT count(*) FROM schema_version"), 1);
}

static void test_bad_url(void **state)
{
    (void)state;
    qtpm_store *st = NULL;
    char err[256] = "";
    assert_int_equal(qtpm_store_open("mysql:x", &st, err, sizeof err), QTPM_STORE_ERROR);
    assert_non_null(strstr(err, "unknown database URL"));
    assert_int_equal(qtpm_store_open("sqlite:/nonexistent-dir/x.db", &st, err, sizeof err),
                     QTPM_STORE_ERROR);
    assert_null(st);
    assert_int_equal(qtpm_store_open("sqlite:", &st, err, sizeof err), QTPM_STORE_ERROR);
    /* An in-memory SQLite database (the fuzz targets use one) opens at once. */
    time_t t0 = time(NULL);
    assert_int_equal(qtpm_store_open("sqlite::memory:", &st, err, sizeof err), 0);
    assert_true(time(NULL) - t0 <= 1);
    assert_int_equal(qtpm_store_router_add(st, "m", "h", "good"), 0);
    qtpm_store_close(st);
    st = NULL;
    /* No server there; the error names the back end but never echoes the password. */
    assert_int_equal(qtpm_store_open("postgresql:host=/nonexistent-dir dbname=x "
                                     "password=sekrit connect_timeout=2", &st, err, sizeof err),
                     QTPM_STORE_ERROR);
    assert_null(st);
    assert_true(strncmp(err, "postgresql: ", 12) == 0);
    assert_null(strstr(err, "sekrit"));
    assert_int_equal(qtpm_store_open("postgresql:not a conninfo", &st, err, sizeof err),
                     QTPM_STORE_ERROR);
    assert_null(st);
    assert_int_equal(qtpm_store_open("postgres://u:sekrit@/x?host=/nonexistent-dir", &st, err,
                                     sizeof err), QTPM_STORE_ERROR);
    assert_null(strstr(err, "sekrit"));
}

static void test_nonces(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "r1", "h", "enrolled"), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "aa", 1000), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "bb", 1000), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "aa", 1000), QTPM_STORE_CONFLICT);
    /* Wrong router: not found, and the nonce stays for its owner. */
    assert_int_equal(qtpm_store_nonce_take(st, "r2", "aa", 999), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "aa", 999), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "aa", 999), QTPM_STORE_NOTFOUND);
    /* Expired. */
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "bb", 1001), QTPM_STORE_NOTFOUND);
    int64_t n = -1;
    assert_int_equal(qtpm_store_count(st, "nonces", &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(qtpm_store_count(st, "x; DROP TABLE routers", &n), QTPM_STORE_ERROR);
    qtpm_store_close(st);
}

static int count_events(void *ctx, const qtpm_store_event *e)
{
    (void)e;
    ++*(int *)ctx;
    return 0;
}

static void test_transactions(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "r9", "h", "enrolled"), 0);
    assert_int_equal(qtpm_store_event_add(st, "r9", "enrolled", "x", NULL), 0);
    assert_int_equal(qtpm_store_rollback(st), 0);
    qtpm_store_router r;
    assert_int_equal(qtpm_store_router_get(st, "r9", &r), QTPM_STORE_NOTFOUND);
    int ne = 0;
    assert_int_equal(qtpm_store_event_each(st, 0, count_events, &ne), 0);
    assert_int_equal(ne, 0);

    /* A verdict: router state, verdict row and event together. */
    assert_int_equal(qtpm_store_router_add(st, "r9", "h", "enrolled"), 0);
    assert_int_equal(qtpm_store_verdict_add(st, "r9", "good", "[]"), 0);
    assert_int_equal(qtpm_store_router_get(st, "r9", &r), 0);
    assert_string_equal(r.state, "good");
    int64_t n = 0;
    assert_int_equal(qtpm_store_count(st, "verdicts", &n), 0);
    assert_int_equal(n, 1);
    /* For an unknown router nothing is written (foreign key fails, all rolled back). */
    assert_true(qtpm_store_verdict_add(st, "ghost", "bad", "[]") != 0);
    assert_int_equal(qtpm_store_count(st, "verdicts", &n), 0);
    assert_int_equal(n, 1);
    ne = 0;
    assert_int_equal(qtpm_store_event_each(st, 0, count_events, &ne), 0);
    assert_int_equal(ne, 1);
    int64_t id = 0;
    assert_int_equal(qtpm_store_event_add(st, NULL, "vendor", "v", &id), 0);
    ne = 0;
    assert_int_equal(qtpm_store_event_each(st, id - 1, count_events, &ne), 0);
    assert_int_equal(ne, 1);
    qtpm_store_close(st);
}

static int first_vendor(void *ctx, const char *name, const uint8_t *der, size_t len)
{
    (void)der;
    snprintf(ctx, 64, "%s:%zu", name, len);
    return 0;
}

static void test_vendors(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    const uint8_t der[3] = {0x30, 0x01, 0x00};
    assert_int_equal(qtpm_store_vendor_add(st, "acme", der, 3, NULL, 0, NULL), 0);
    assert_int_equal(qtpm_store_vendor_add(st, "acme", der, 3, NULL, 0, NULL),
                     QTPM_STORE_CONFLICT);
    char got[64] = "";
    assert_int_equal(qtpm_store_vendor_each(st, first_vendor, got), 0);
    assert_string_equal(got, "acme:3");
    qtpm_store_close(st);
}

static void test_offline(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "r1", "h", "good"), 0);
    assert_int_equal(qtpm_store_router_add(st, "r2", "h", "good"), 0);
    assert_int_equal(qtpm_store_router_add(st, "r3", "h", "enrolling"), 0);
    int64_t prev = 99;
    assert_int_equal(qtpm_store_router_seen(st, "r2", 5, &prev), 0);
    assert_int_equal(prev, -1);
    assert_int_equal(qtpm_store_router_seen(st, "r2", 7, &prev), 0);
    assert_int_equal(prev, 5);
    assert_int_equal(qtpm_store_router_seen(st, "ghost", 1, &prev), QTPM_STORE_NOTFOUND);
    int marked = -1;
    assert_int_equal(qtpm_store_mark_offline(st, (int64_t)time(NULL) - 10, &marked), 0);
    assert_int_equal(marked, 1); /* r1: never seen; r2 seen now; r3 still enrolling */
    qtpm_store_router r;
    assert_int_equal(qtpm_store_router_get(st, "r1", &r), 0);
    assert_string_equal(r.state, "offline");
    assert_int_equal(qtpm_store_router_get(st, "r2", &r), 0);
    assert_string_equal(r.state, "good");
    /* Already offline: not marked (nor logged) again. */
    assert_int_equal(qtpm_store_mark_offline(st, (int64_t)time(NULL) - 10, &marked), 0);
    assert_int_equal(marked, 0);
    int ne = 0;
    assert_int_equal(qtpm_store_event_each(st, 0, count_events, &ne), 0);
    assert_int_equal(ne, 1);
    qtpm_store_close(st);
}


/* Nested transactions: only the outermost commit writes; an inner rollback aborts all. A
 * failed statement inside a transaction is followed by a rollback (PostgreSQL aborts the
 * transaction at the first error) and the handle works normally afterwards. */
static void test_nested_and_failed(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    qtpm_store_router r;
    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "a", "h", "good"), 0);
    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "b", "h", "good"), 0);
    assert_int_equal(qtpm_store_commit(st), 0); /* inner: nothing written yet */
    assert_int_equal(qtpm_store_rollback(st), 0);
    assert_int_equal(qtpm_store_router_get(st, "a", &r), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_router_get(st, "b", &r), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_commit(st), QTPM_STORE_ERROR); /* no transaction open */

    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "a", "h", "good"), 0);
    assert_int_equal(qtpm_store_commit(st), 0);
    assert_int_equal(qtpm_store_commit(st), 0);
    assert_int_equal(qtpm_store_router_get(st, "a", &r), 0);

    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "c", "h", "good"), 0);
    assert_int_equal(qtpm_store_router_add(st, "a", "h", "good"), QTPM_STORE_CONFLICT);
    assert_true(strlen(qtpm_store_errmsg(st)) > 0);
    assert_int_equal(qtpm_store_rollback(st), 0);
    assert_int_equal(qtpm_store_router_get(st, "c", &r), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_router_add(st, "c", "h", "good"), 0);
    int64_t n = 0;
    assert_int_equal(qtpm_store_count(st, "routers", &n), 0);
    assert_int_equal(n, 2);
    /* A foreign-key failure is an error, not a conflict. */
    assert_int_equal(qtpm_store_certificate_add(st, "ghost", "tls", "s1", (const uint8_t *)"x",
                                                1), QTPM_STORE_ERROR);
    qtpm_store_close(st);
}

static void fill(uint8_t *b, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(seed + i * 131u + (i >> 8));
}

static void make_enrolment(qtpm_store_enrolment *e, const char *id, const char *router,
                           int64_t expires, unsigned seed)
{
    memset(e, 0, sizeof *e);
    snprintf(e->id, sizeof e->id, "%s", id);
    snprintf(e->router, sizeof e->router, "%s", router);
    snprintf(e->hostname, sizeof e->hostname, "host-%s", router);
    snprintf(e->vendor, sizeof e->vendor, "acme");
    fill(e->secret, sizeof e->secret, seed);
    e->secret[0] = 0x00; /* zero and 0xff bytes must survive the trip */
    e->secret[1] = 0xff;
    e->ek_pub_len = 1800;
    fill(e->ek_pub, e->ek_pub_len, seed + 1);
    e->ek_pub[5] = 0;
    e->ek_cert_len = sizeof e->ek_cert; /* the largest a row may hold */
    fill(e->ek_cert, e->ek_cert_len, seed + 2);
    e->ak_pub_len = 90;
    fill(e->ak_pub, e->ak_pub_len, seed + 3);
    e->expires = expires;
}

/* Enrolments: binary columns come back byte for byte, a take is single use, an expired
 * one is refused and swept. */
static void test_enrolments(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    static qtpm_store_enrolment e, got;
    make_enrolment(&e, "en1", "r-1", 1000, 7);
    assert_int_equal(qtpm_store_enrolment_put(st, &e), 0);
    assert_int_equal(qtpm_store_enrolment_put(st, &e), QTPM_STORE_CONFLICT);
    make_enrolment(&e, "en2", "r-2", 500, 9);
    assert_int_equal(qtpm_store_enrolment_put(st, &e), 0);
    make_enrolment(&e, "en1", "r-1", 1000, 7);
    assert_int_equal(qtpm_store_enrolment_take(st, "en1", 900, &got), 0);
    assert_string_equal(got.id, "en1");
    assert_string_equal(got.router, "r-1");
    assert_string_equal(got.hostname, "host-r-1");
    assert_string_equal(got.vendor, "acme");
    assert_int_equal(got.expires, 1000);
    assert_memory_equal(got.secret, e.secret, sizeof e.secret);
    assert_int_equal(got.ek_pub_len, e.ek_pub_len);
    assert_memory_equal(got.ek_pub, e.ek_pub, e.ek_pub_len);
    assert_int_equal(got.ek_cert_len, e.ek_cert_len);
    assert_memory_equal(got.ek_cert, e.ek_cert, e.ek_cert_len);
    assert_int_equal(got.ak_pub_len, e.ak_pub_len);
    assert_memory_equal(got.ak_pub, e.ak_pub, e.ak_pub_len);
    assert_int_equal(qtpm_store_enrolment_take(st, "en1", 900, &got), QTPM_STORE_NOTFOUND);
    /* en2 expired at 500: refused, and the sweep at 900 already removed it. */
    assert_int_equal(qtpm_store_enrolment_take(st, "en2", 900, &got), QTPM_STORE_NOTFOUND);
    assert_int_equal(raw_int("SELECT count(*) FROM enrolments"), 0);
    make_enrolment(&e, "en3", "r-3", 100, 3);
    assert_int_equal(qtpm_store_enrolment_put(st, &e), 0);
    assert_int_equal(qtpm_store_enrolment_take(st, "en3", 101, &got), QTPM_STORE_NOTFOUND);
    assert_int_equal(raw_int("SELECT count(*) FROM enrolments"), 0);
    qtpm_store_close(st);
}

/* enrol_finish: router, EK once, AK (old ones deactivated), certificate and event in one
 * transaction; a duplicate certificate serial rolls all of it back. */
static void test_enrol_finish(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    static qtpm_store_enrolment e;
    const uint8_t name1[3] = {0x00, 0x0b, 0x01}, name2[3] = {0x00, 0x0b, 0x02};
    const uint8_t cert[4] = {0x30, 0x02, 0x00, 0xff};
    make_enrolment(&e, "x", "r-9", 1000, 1);
    char router[64] = "";
    assert_int_equal(qtpm_store_ek_router(st, e.ek_pub, e.ek_pub_len, router),
                     QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_enrol_finish(st, &e, name1, 3, "serial-1", cert, 4), 0);
    qtpm_store_router r;
    assert_int_equal(qtpm_store_router_get(st, "r-9", &r), 0);
    assert_string_equal(r.state, "enrolled");
    assert_string_equal(r.hostname, "host-r-9");
    assert_int_equal(qtpm_store_ek_router(st, e.ek_pub, e.ek_pub_len, router), 0);
    assert_string_equal(router, "r-9");
    /* One byte different: another EK. */
    e.ek_pub[e.ek_pub_len - 1] ^= 1;
    assert_int_equal(qtpm_store_ek_router(st, e.ek_pub, e.ek_pub_len, router),
                     QTPM_STORE_NOTFOUND);
    e.ek_pub[e.ek_pub_len - 1] ^= 1;
    uint8_t ak[4096];
    size_t akl = 0;
    assert_int_equal(qtpm_store_ak_active(st, "r-9", ak, sizeof ak, &akl), 0);
    assert_int_equal(akl, e.ak_pub_len);
    assert_memory_equal(ak, e.ak_pub, akl);
    assert_int_equal(qtpm_store_ak_active(st, "r-9", ak, 10, &akl), QTPM_STORE_ERROR);
    assert_int_equal(qtpm_store_ak_active(st, "r-0", ak, sizeof ak, &akl), QTPM_STORE_NOTFOUND);

    /* Re-enrolment with a new AK: EK kept once, the new AK is the active one. */
    assert_int_equal(qtpm_store_router_set_allow(st, "r-9", 1), 0);
    assert_int_equal(qtpm_store_router_set_state(st, "r-9", "bad"), 0);
    fill(e.ak_pub, e.ak_pub_len, 77);
    assert_int_equal(qtpm_store_enrol_finish(st, &e, name2, 3, "serial-2", cert, 4), 0);
    assert_int_equal(qtpm_store_router_get(st, "r-9", &r), 0);
    assert_string_equal(r.state, "enrolled");
    assert_int_equal(r.allow_reenrol, 0);
    assert_int_equal(qtpm_store_ak_active(st, "r-9", ak, sizeof ak, &akl), 0);
    assert_memory_equal(ak, e.ak_pub, akl);
    assert_int_equal(raw_int("SELECT count(*) FROM eks"), 1);
    assert_int_equal(raw_int("SELECT count(*) FROM aks"), 2);
    assert_int_equal(raw_int("SELECT count(*) FROM aks WHERE active = 1"), 1);

    /* A serial already used: CONFLICT and nothing of this call is left behind. */
    fill(e.ak_pub, e.ak_pub_len, 99);
    assert_int_equal(qtpm_store_enrol_finish(st, &e, name2, 3, "serial-2", cert, 4),
                     QTPM_STORE_CONFLICT);
    assert_int_equal(raw_int("SELECT count(*) FROM aks"), 2);
    assert_int_equal(raw_int("SELECT count(*) FROM aks WHERE active = 1"), 1);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'enrolled'"), 2);
    assert_int_equal(qtpm_store_certificate_add(st, "r-9", "tls", "serial-1", cert, 4),
                     QTPM_STORE_CONFLICT);
    assert_int_equal(qtpm_store_certificate_add(st, "r-9", "tls", "serial-3", cert, 4), 0);
    int64_t n = 0;
    assert_int_equal(qtpm_store_count(st, "certificates", &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'certificate'"), 1);
    qtpm_store_close(st);
}

struct blobs {
    int n;
    char vendor[32];
    uint8_t body[64];
    size_t len;
};

static int last_blob(void *ctx, const char *vendor, const uint8_t *b, size_t n)
{
    struct blobs *x = ctx;
    x->n++;
    snprintf(x->vendor, sizeof x->vendor, "%s", vendor);
    x->len = n < sizeof x->body ? n : sizeof x->body;
    memcpy(x->body, b, x->len);
    return 0;
}

static void test_digestlists(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    uint8_t mldsa[1952];
    fill(mldsa, sizeof mldsa, 5);
    const char *pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n";
    const uint8_t der[3] = {0x30, 0x01, 0x00};
    assert_int_equal(qtpm_store_vendor_add(st, "acme", der, 3, mldsa, sizeof mldsa, pem), 0);
    assert_int_equal(qtpm_store_vendor_add(st, "bare", der, 3, NULL, 0, NULL), 0);
    uint8_t *k = NULL;
    size_t kl = 0;
    char *p = NULL;
    assert_int_equal(qtpm_store_vendor_keys(st, "acme", &k, &kl, &p), 0);
    assert_int_equal(kl, sizeof mldsa);
    assert_memory_equal(k, mldsa, kl);
    assert_string_equal(p, pem);
    free(k);
    free(p);
    assert_int_equal(qtpm_store_vendor_keys(st, "bare", &k, &kl, &p), 0);
    assert_null(k);
    assert_null(p);
    assert_int_equal(kl, 0);
    assert_int_equal(qtpm_store_vendor_keys(st, "none", &k, &kl, &p), QTPM_STORE_NOTFOUND);

    uint64_t newest = 99;
    const uint8_t b2[4] = {2, 0, 0xff, 2}, b3[3] = {3, 0, 3};
    assert_int_equal(qtpm_store_digestlist_add(st, "acme", "img", 2, b2, 4, &newest), 0);
    assert_int_equal(newest, 0);
    assert_int_equal(qtpm_store_digestlist_add(st, "acme", "img", 1, b3, 3, &newest),
                     QTPM_STORE_CONFLICT);
    assert_int_equal(newest, 2);
    assert_int_equal(qtpm_store_digestlist_add(st, "acme", "img", 2, b3, 3, &newest),
                     QTPM_STORE_CONFLICT);
    assert_int_equal(qtpm_store_digestlist_add(st, "acme", "img", (uint64_t)1 << 40, b3, 3,
                                               &newest), 0);
    assert_int_equal(newest, 2);
    /* Another image of the same vendor is independent; an unknown vendor is an error. */
    assert_int_equal(qtpm_store_digestlist_add(st, "acme", "other", 1, b2, 4, &newest), 0);
    assert_int_equal(qtpm_store_digestlist_add(st, "ghost", "img", 5, b2, 4, &newest),
                     QTPM_STORE_ERROR);
    assert_int_equal(qtpm_store_digestlist_add(st, "acme", "img", UINT64_MAX, b2, 4, &newest),
                     QTPM_STORE_ERROR);
    struct blobs x = {0};
    assert_int_equal(qtpm_store_digestlist_each(st, last_blob, &x), 0);
    assert_int_equal(x.n, 2); /* img v2^40 and other v1 */
    assert_string_equal(x.vendor, "acme");
    assert_int_equal(x.len, 4);
    assert_memory_equal(x.body, b2, 4);
    assert_int_equal(raw_int("SELECT max(version) FROM digestlists WHERE image = 'img'"),
                     (long long)1 << 40);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'digestlist'"), 3);
    qtpm_store_close(st);
}

/* The digest lists kept in memory by a server (qtpm_store_cache_digestlists): a list
 * another process adds is seen at once (PostgreSQL: announced with NOTIFY, heard without a
 * round trip; well before the copy's maximum age of 1 s), one added by the server itself
 * too; a change made behind the store's back (SQL by hand, no announcement) is seen
 * within the maximum age on PostgreSQL, where the copy is used, and at once on SQLite,
 * which reads the lists every time. */
static void test_digestlists_cached(void **state)
{
    (void)state;
    qtpm_store *srv = open_ok(), *cli = open_ok();
    const uint8_t der[3] = {0x30, 0x01, 0x00}, b1[2] = {1, 1}, b2[3] = {2, 2, 2};
    uint64_t newest = 0;
    assert_int_equal(qtpm_store_cache_digestlists(srv), 0);
    assert_int_equal(qtpm_store_vendor_add(cli, "acme", der, 3, NULL, 0, NULL), 0);
    struct blobs x = {0};
    assert_int_equal(qtpm_store_digestlist_each(srv, last_blob, &x), 0);
    assert_int_equal(x.n, 0);
    assert_int_equal(qtpm_store_digestlist_add(cli, "acme", "img", 1, b1, 2, &newest), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double waited = 0;
    do {
        memset(&x, 0, sizeof x);
        assert_int_equal(qtpm_store_digestlist_each(srv, last_blob, &x), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (x.n == 0)
            usleep(2000);
    } while (x.n == 0 && waited < 0.5);
    assert_int_equal(x.n, 1);
    assert_int_equal(x.len, 2);
    assert_memory_equal(x.body, b1, 2);
    assert_true(waited < 0.5); /* by the announcement, not by the maximum age */
    /* the server's own add: seen by the next read */
    assert_int_equal(qtpm_store_digestlist_add(srv, "acme", "img", 2, b2, 3, &newest), 0);
    memset(&x, 0, sizeof x);
    assert_int_equal(qtpm_store_digestlist_each(srv, last_blob, &x), 0);
    assert_int_equal(x.n, 1);
    assert_int_equal(x.len, 3);
    assert_memory_equal(x.body, b2, 3);
    /* behind the store's back */
    assert_int_equal(raw_exec("UPDATE digestlists SET active = 0"), 0);
    memset(&x, 0, sizeof x);
    assert_int_equal(qtpm_store_digestlist_each(srv, last_blob, &x), 0);
    assert_int_equal(x.n, pg ? 1 : 0);
    usleep(1100 * 1000);
    memset(&x, 0, sizeof x);
    assert_int_equal(qtpm_store_digestlist_each(srv, last_blob, &x), 0);
    assert_int_equal(x.n, 0);
    qtpm_store_close(cli);
    qtpm_store_close(srv);
}

struct evlist {
    int n;
    int64_t ids[8];
    char kinds[8][32];
};

static int collect_events(void *ctx, const qtpm_store_event *e)
{
    struct evlist *l = ctx;
    if (l->n < 8) {
        l->ids[l->n] = e->id;
        snprintf(l->kinds[l->n], sizeof l->kinds[0], "%s", e->kind);
    }
    l->n++;
    return 0;
}

/* One attestation: verdict row, state, verifier state, events; then history order. */
static void test_attestation(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "r1", "h", "enrolled"), 0);
    char *json = (char *)"x";
    assert_int_equal(qtpm_store_router_verifier_state(st, "r1", &json), 0);
    assert_null(json);
    assert_int_equal(qtpm_store_router_verifier_state(st, "zz", &json), QTPM_STORE_NOTFOUND);
    char v[16];
    char *reasons = NULL;
    assert_int_equal(qtpm_store_last_verdict(st, "r1", v, &reasons), QTPM_STORE_NOTFOUND);
    const char *js = "{\"boot\":\"\xc3\xa9t\xc3\xa9\",\"n\":1}";
    assert_int_equal(qtpm_store_attestation(st, "r1", "good", "[]", js, 0), 0);
    assert_int_equal(qtpm_store_attestation(st, "r1", "bad", "[{\"code\":\"x\"}]", js, 1), 0);
    assert_int_equal(qtpm_store_router_verifier_state(st, "r1", &json), 0);
    assert_string_equal(json, js);
    free(json);
    assert_int_equal(qtpm_store_last_verdict(st, "r1", v, &reasons), 0);
    assert_string_equal(v, "bad");
    assert_string_equal(reasons, "[{\"code\":\"x\"}]");
    free(reasons);
    qtpm_store_router r;
    assert_int_equal(qtpm_store_router_get(st, "r1", &r), 0);
    assert_string_equal(r.state, "bad");
    /* For an unknown router nothing is written. */
    assert_true(qtpm_store_attestation(st, "ghost", "good", "[]", js, 1) != 0);
    assert_int_equal(raw_int("SELECT count(*) FROM verdicts"), 2);
    assert_int_equal(raw_int("SELECT count(*) FROM events"), 3);
    struct evlist l = {0};
    assert_int_equal(qtpm_store_router_events(st, "r1", 2, collect_events, &l), 0);
    assert_int_equal(l.n, 2); /* newest first, at most 2 */
    assert_string_equal(l.kinds[0], "verdict");
    assert_string_equal(l.kinds[1], "reboot");
    assert_true(l.ids[0] > l.ids[1]);
    memset(&l, 0, sizeof l);
    assert_int_equal(qtpm_store_event_each(st, 0, collect_events, &l), 0);
    assert_int_equal(l.n, 3);
    assert_true(l.ids[0] < l.ids[1] && l.ids[1] < l.ids[2]);
    qtpm_store_close(st);
}

/* Nonces kept in memory by a serving process: the same single use and expiry as rows,
 * two outstanding a router (a third evicts the oldest), and no row written. */
static void test_nonces_memory(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_nonces_in_memory(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "r1", "h", "enrolled"), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "aa", 1000), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "bb", 1000), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "aa", 1000), QTPM_STORE_CONFLICT);
    assert_int_equal(qtpm_store_nonce_take(st, "r2", "aa", 999), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "aa", 999), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "aa", 999), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "bb", 1001), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "bb", 999), QTPM_STORE_NOTFOUND);
    /* two outstanding; the third challenge evicts the oldest */
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "c1", 1000), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "c2", 1000), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "c3", 1000), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "c1", 999), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "c3", 999), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "c2", 999), 0);
    /* a slot emptied by a take is refilled first: the older outstanding one stays (a
     * TLS-key challenge, then an evidence's next challenges one after the other) */
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "t1", 1000), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "n1", 1000), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "n1", 999), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "n2", 1000), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "n2", 999), 0);
    assert_int_equal(qtpm_store_nonce_put(st, "r1", "n3", 1000), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "t1", 999), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "n3", 999), 0);
    assert_int_equal(raw_int("SELECT count(*) FROM nonces"), 0);
    /* many routers: the table grows and keeps them all */
    char id[32], hex[65];
    for (int i = 0; i < 3000; i++) {
        snprintf(id, sizeof id, "m%d", i);
        snprintf(hex, sizeof hex, "%064x", i);
        assert_int_equal(qtpm_store_nonce_put(st, id, hex, 1000), 0);
    }
    for (int i = 0; i < 3000; i++) {
        snprintf(id, sizeof id, "m%d", i);
        snprintf(hex, sizeof hex, "%064x", i);
        assert_int_equal(qtpm_store_nonce_take(st, id, hex, 999), 0);
    }
    /* a nonce longer than the table holds goes to the table of rows, and is found there */
    char big[100];
    memset(big, 'f', 99);
    big[99] = '\0';
    assert_int_equal(qtpm_store_nonce_put(st, "r1", big, 1000), 0);
    assert_int_equal(raw_int("SELECT count(*) FROM nonces"), 1);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", big, 999), 0);
    /* a row put by another process (a worker of an older version) is still taken */
    assert_int_equal(raw_exec("INSERT INTO nonces (nonce, router, expires) "
                              "VALUES ('dd', 'r1', 1000)"), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "dd", 999), 0);
    assert_int_equal(qtpm_store_nonce_take(st, "r1", "dd", 999), QTPM_STORE_NOTFOUND);
    qtpm_store_close(st);
}

/* A batch of attestations in one transaction, as one by one would have written them;
 * a router that is gone and one refused by the compare-and-set drop out alone. */
static void test_attestations_batch(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_cache_verifier(st), 0);
    char id[8];
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "b%02d", i);
        assert_int_equal(qtpm_store_router_add(st, id, "h", "enrolled"), 0);
    }
    assert_int_equal(qtpm_store_router_set_state(st, "b03", "offline"), 0);
    qtpm_store_att a[21];
    char ids[21][8];
    memset(a, 0, sizeof a);
    for (int i = 0; i < 21; i++) {
        snprintf(ids[i], sizeof ids[i], i == 20 ? "ghost" : "b%02d", i);
        a[i] = (qtpm_store_att){.router = ids[i], .verdict = i == 5 ? "bad" : "good",
                                .reasons_json = "[]", .state_json = "{\"n\":1}",
                                .rebooted = i == 7, .cas = 1, .expect_state = NULL};
    }
    a[9].expect_state = "{\"n\":0}"; /* not what is stored (NULL): refused */
    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_attestations(st, a, 21), 0);
    assert_int_equal(qtpm_store_commit(st), 0);
    for (int i = 0; i < 21; i++)
        assert_int_equal(a[i].rc, i == 20 ? QTPM_STORE_NOTFOUND
                                          : i == 9 ? QTPM_STORE_CONFLICT : QTPM_STORE_OK);
    assert_true(a[3].was_offline);
    assert_false(a[4].was_offline);
    assert_int_equal(raw_int("SELECT count(*) FROM verdicts"), 19);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'verdict'"), 19);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'reboot'"), 1);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE state = 'good'"), 18);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE id = 'b05' AND state = 'bad'"), 1);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE id = 'b09' AND "
                             "verifier_state IS NULL AND state = 'enrolled'"), 1);
    /* the reboot event comes before its verdict event */
    assert_true(raw_int("SELECT max(id) FROM events WHERE kind = 'reboot'") <
                raw_int("SELECT max(id) FROM events WHERE router = 'b07' AND kind = 'verdict'"));
    /* the copy: read from memory now, and a state changed behind its back (another
     * process) makes the next write refuse */
    char *json = NULL;
    assert_int_equal(qtpm_store_router_verifier_state(st, "b01", &json), 0);
    assert_string_equal(json, "{\"n\":1}");
    free(json);
    assert_int_equal(raw_exec("UPDATE routers SET verifier_state = NULL WHERE id = 'b01'"), 0);
    assert_int_equal(qtpm_store_router_verifier_state(st, "b01", &json), 0);
    assert_string_equal(json, "{\"n\":1}"); /* stale, as expected of a copy */
    qtpm_store_att one = {.router = "b01", .verdict = "good", .reasons_json = "[]",
                          .state_json = "{\"n\":2}", .cas = 1, .expect_state = json};
    assert_int_equal(qtpm_store_attestations(st, &one, 1), 0);
    assert_int_equal(one.rc, QTPM_STORE_CONFLICT);
    free(json);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE id = 'b01' AND "
                             "verifier_state IS NULL"), 1);
    assert_int_equal(qtpm_store_router_verifier_state(st, "b01", &json), 0);
    assert_null(json); /* the copy was dropped: read again */
    /* a fenced one under a lease it does not hold: refused */
    qtpm_store_att f = {.router = "b02", .verdict = "good", .reasons_json = "[]",
                        .state_json = "{\"n\":3}", .cas = 1, .expect_state = "{\"n\":1}",
                        .worker = "w-x", .epoch = 1, .started_ms = 1};
    assert_int_equal(qtpm_store_attestations(st, &f, 1), 0);
    assert_int_equal(f.rc, QTPM_STORE_CONFLICT);
    assert_int_equal(raw_int("SELECT count(*) FROM verdicts"), 19);
    qtpm_store_close(st);
}

/* Four processes open the same fresh database at once: each succeeds, the schema is
 * created once (the migration runs under the write lock). */
static void test_concurrent_open(void **state)
{
    (void)state;
    int gate[2];
    assert_int_equal(pipe(gate), 0);
    pid_t kids[4];
    for (int i = 0; i < 4; i++) {
        kids[i] = fork();
        assert_true(kids[i] >= 0);
        if (kids[i] == 0) {
            char c;
            close(gate[1]);
            alarm(30);
            if (read(gate[0], &c, 1) < 0)
                _exit(3);
            qtpm_store *st = NULL;
            char err[256];
            if (qtpm_store_open(url, &st, err, sizeof err)) {
                fprintf(stderr, "child %d: %s\n", i, err);
                _exit(1);
            }
            char id[8];
            snprintf(id, sizeof id, "c%d", i);
            int rc = qtpm_store_router_add(st, id, "h", "good");
            qtpm_store_close(st);
            _exit(rc ? 2 : 0);
        }
    }
    close(gate[0]);
    close(gate[1]); /* all start now */
    for (int i = 0; i < 4; i++) {
        int status = 0;
        assert_int_equal(waitpid(kids[i], &status, 0), kids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_int_equal(raw_int("SELECT count(*) FROM schema_version"), 1);
    assert_int_equal(raw_int("SELECT version FROM schema_version"), QTPM_STORE_SCHEMA_VERSION);
    assert_int_equal(raw_int("SELECT count(*) FROM routers"), 4);
}

/* The same schema on both back ends: each table's columns by name, and the type words
 * (13 byte-string columns: BLOB / bytea; every integer column 64-bit on PostgreSQL). */
static void test_schema_shape(void **state)
{
    (void)state;
    qtpm_store_close(open_ok());
    static const struct {
        const char *table, *columns;
    } want[] = {
        {"routers", "allow_reenrol,created,hostname,id,last_entries,last_seen,lease_epoch,"
                    "lease_until_ms,ospf_router_id,owner,state,updated,verifier_state"},
        {"eks", "ek_cert,ek_pub,id,router,vendor"},
        {"aks", "active,ak_name,ak_pub,id,router"},
        {"certificates", "der,id,issued,kind,router,serial"},
        {"vendors", "ca_der,created,ecdsa_pem,mldsa_pub,name"},
        {"digestlists", "active,body,id,image,vendor,version"},
        {"verdicts", "epoch,id,reasons,router,started_ms,time,time_ms,verdict,worker"},
        {"workers", "beat_ms,host,id,pid,started_ms,state,url"},
        {"events", "detail,id,kind,router,time,time_ms"},
        {"routing_policy", "bad,bad_action,good,id,offline,unknown,updated"},
        {"routing_reports", "report,router,time_ms"},
        {"commands", "acked_ms,applied_ms,cost,deliveries,delivered_ms,error,excluded,fib_ms,"
                     "interface,issued_ms,reason,received_ms,router,seq,status,toward"},
        {"nonces", "expires,nonce,router"},
        {"enrolments", "ak_pub,ek_cert,ek_pub,expires,hostname,id,router,secret,vendor"},
        {"measurements", "boot,entries,first_index,list,router,time"},
        {"schema_version", "version"},
    };
    char sql[512];
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        /* The column list as one comma-separated string, compared by its length and by
         * the count of columns whose name occurs in it. */
        size_t ncols = 1;
        for (const char *c = want[i].columns; *c; c++)
            ncols += *c == ',';
        if (pg)
            snprintf(sql, sizeof sql, "SELECT count(*) FROM information_schema.columns WHERE "
                     "table_schema = 'public' AND table_name = '%s' AND "
                     "position(',' || column_name || ',' in ',%s,') > 0", want[i].table,
                     want[i].columns);
        else
            snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE "
                     "instr(',%s,', ',' || name || ',') > 0", want[i].table, want[i].columns);
        if (raw_int(sql) != (long long)ncols)
            fail_msg("table %s: columns are not %s", want[i].table, want[i].columns);
        if (pg)
            snprintf(sql, sizeof sql, "SELECT count(*) FROM information_schema.columns WHERE "
                     "table_schema = 'public' AND table_name = '%s'", want[i].table);
        else
            snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s')",
                     want[i].table);
        if (raw_int(sql) != (long long)ncols)
            fail_msg("table %s has other columns than %s", want[i].table, want[i].columns);
    }
    if (pg) {
        assert_int_equal(raw_int("SELECT count(*) FROM information_schema.columns WHERE "
                                 "table_schema = 'public' AND data_type = 'bytea'"), 14);
        assert_int_equal(raw_int("SELECT count(*) FROM information_schema.columns WHERE "
                                 "table_schema = 'public' AND data_type = 'integer' AND "
                                 "table_name <> 'schema_version'"), 0);
        assert_int_equal(raw_int("SELECT count(*) FROM information_schema.columns WHERE "
                                 "table_schema = 'public' AND is_identity = 'YES'"), 7);
    } else {
        int64_t blobs = 0;
        for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE "
                     "type = 'BLOB'", want[i].table);
            blobs += raw_int(sql);
        }
        assert_int_equal(blobs, 14);
        /* events ids are never reused (AUTOINCREMENT keeps its high-water mark). */
        assert_int_equal(raw_int("SELECT count(*) FROM sqlite_master WHERE name = "
                                 "'sqlite_sequence'"), 1);
    }
}

/* PostgreSQL: the server ends the store's connection (pg_terminate_backend, as a restart
 * or a failover would). Outside a transaction at most the statement that meets the dead
 * connection fails and the next one runs on a new connection with the session settings
 * applied again; inside a transaction the transaction is lost, the caller's rollback
 * succeeds and the next transaction works. Nothing is replayed. */
static void test_pg_reconnect(void **state)
{
    (void)state;
    if (!pg)
        skip();
    const char *kill_others = "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                              "WHERE pid <> pg_backend_pid() AND datname = current_database()";
    qtpm_store *st = open_ok();
    qtpm_store_router r;
    assert_int_equal(qtpm_store_router_add(st, "k1", "h", "good"), 0);
    assert_int_equal(raw_int(kill_others), 1);
    int rc = qtpm_store_router_get(st, "k1", &r);
    assert_true(rc == 0 || rc == QTPM_STORE_ERROR);
    assert_int_equal(qtpm_store_router_get(st, "k1", &r), 0);
    assert_string_equal(r.state, "good");
    /* UTF-8 text round-trips on the new connection. */
    assert_int_equal(qtpm_store_router_add(st, "k\xc3\xa9", "h\xc3\xa9", "good"), 0);
    assert_int_equal(qtpm_store_router_get(st, "k\xc3\xa9", &r), 0);
    assert_string_equal(r.hostname, "h\xc3\xa9");

    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "k2", "h", "good"), 0);
    assert_int_equal(raw_int(kill_others), 1);
    assert_true(qtpm_store_router_add(st, "k3", "h", "good") != 0);
    qtpm_store_rollback(st);
    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "k4", "h", "good"), 0);
    assert_int_equal(qtpm_store_commit(st), 0);
    assert_int_equal(qtpm_store_router_get(st, "k2", &r), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_router_get(st, "k3", &r), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_router_get(st, "k4", &r), 0);
    /* A commit on a connection that died inside the transaction reports an error. */
    assert_int_equal(qtpm_store_begin(st), 0);
    assert_int_equal(qtpm_store_router_add(st, "k5", "h", "good"), 0);
    assert_int_equal(raw_int(kill_others), 1);
    assert_int_equal(qtpm_store_commit(st), QTPM_STORE_ERROR);
    assert_int_equal(qtpm_store_router_get(st, "k5", &r), QTPM_STORE_NOTFOUND);
    assert_int_equal(raw_int("SELECT count(*) FROM routers"), 3);
    qtpm_store_close(st);
}

/* Forks n children that wait on a pipe, then all run body(i) on a store handle of their
 * own; returns how many exited 0, -1 when one failed otherwise (exit 1). */
static int race(int n, int (*body)(qtpm_store *st, int i))
{
    int gate[2];
    if (pipe(gate))
        return -1;
    pid_t kids[8];
    for (int i = 0; i < n; i++) {
        kids[i] = fork();
        if (kids[i] < 0)
            return -1;
        if (kids[i] == 0) {
            char c;
            close(gate[1]);
            alarm(30);
            qtpm_store *st = NULL;
            char err[256];
            if (qtpm_store_open(url, &st, err, sizeof err)) {
                fprintf(stderr, "child %d: %s\n", i, err);
                _exit(1);
            }
            if (read(gate[0], &c, 1) < 0)
                _exit(1);
            int rc = body(st, i);
            if (rc != QTPM_STORE_OK && rc != QTPM_STORE_NOTFOUND)
                fprintf(stderr, "child %d: %d %s\n", i, rc, qtpm_store_errmsg(st));
            qtpm_store_close(st);
            _exit(rc == QTPM_STORE_OK ? 0 : rc == QTPM_STORE_NOTFOUND ? 2 : 1);
        }
    }
    close(gate[0]);
    close(gate[1]);
    int ok = 0, broken = 0;
    for (int i = 0; i < n; i++) {
        int status = 0;
        if (waitpid(kids[i], &status, 0) != kids[i] || !WIFEXITED(status) ||
            WEXITSTATUS(status) == 1)
            broken = 1;
        else
            ok += WEXITSTATUS(status) == 0;
    }
    return broken ? -1 : ok;
}

static int take_enrolment(qtpm_store *st, int i)
{
    (void)i;
    static qtpm_store_enrolment got;
    return qtpm_store_enrolment_take(st, "shared", 10, &got);
}

static int take_nonce(qtpm_store *st, int i)
{
    (void)i;
    return qtpm_store_nonce_take(st, "r1", "n1", 10);
}

/* Single use under concurrency: of six processes taking the same enrolment (and nonce)
 * at the same moment exactly one succeeds, the others get NOTFOUND. */
static void test_single_use_races(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    for (int round = 0; round < 3; round++) {
        static qtpm_store_enrolment e;
        make_enrolment(&e, "shared", "r-1", 1000, (unsigned)round);
        assert_int_equal(qtpm_store_enrolment_put(st, &e), 0);
        assert_int_equal(qtpm_store_nonce_put(st, "r1", "n1", 1000), 0);
        assert_int_equal(race(6, take_enrolment), 1);
        assert_int_equal(race(6, take_nonce), 1);
    }
    qtpm_store_close(st);
}

/* Waiting for the write lock is bounded: while one handle holds a write transaction,
 * another's begin fails after the 5 s busy timeout / lock_timeout instead of hanging, and
 * succeeds once the first has committed. */
static void test_lock_wait_bounded(void **state)
{
    (void)state;
    qtpm_store *a = open_ok(), *b = open_ok();
    assert_int_equal(qtpm_store_begin(a), 0);
    assert_int_equal(qtpm_store_router_add(a, "held", "h", "good"), 0);
    time_t t0 = time(NULL);
    int rc = qtpm_store_begin(b);
    time_t waited = time(NULL) - t0;
    assert_int_equal(rc, QTPM_STORE_ERROR);
    assert_true(waited >= 4 && waited <= 15);
    assert_true(strlen(qtpm_store_errmsg(b)) > 0);
    /* b is usable: it reads the committed state (not the held row), then writes. */
    qtpm_store_router r;
    assert_int_equal(qtpm_store_router_get(b, "held", &r), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_commit(a), 0);
    assert_int_equal(qtpm_store_begin(b), 0);
    assert_int_equal(qtpm_store_router_get(b, "held", &r), 0);
    assert_int_equal(qtpm_store_router_set_state(b, "held", "bad"), 0);
    assert_int_equal(qtpm_store_commit(b), 0);
    assert_int_equal(qtpm_store_router_get(a, "held", &r), 0);
    assert_string_equal(r.state, "bad");
    qtpm_store_close(a);
    qtpm_store_close(b);
}

/* Trust-aware routing (migration 3): the policy row and its event, reports replaced,
 * commands superseded per interface, delivered, acknowledged and failed, and events with
 * millisecond times. */
struct cmd_acc {
    int n;
    qtpm_store_command last;
};

static int count_cmds(void *ctx, const qtpm_store_command *c)
{
    struct cmd_acc *a = ctx;
    a->n++;
    a->last = *c;
    return 0;
}

static int last_event(void *ctx, const qtpm_store_event *e)
{
    *(qtpm_store_event *)ctx = *e;
    return 0;
}

static int count_reports(void *ctx, const char *router, const char *json, int64_t t)
{
    (void)router;
    (void)json;
    (void)t;
    (*(int *)ctx)++;
    return 0;
}

static void test_routing(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    qtpm_store_policy p;
    assert_int_equal(qtpm_store_policy_get(st, &p), 0);
    assert_int_equal(p.good, 10);
    assert_int_equal(p.unknown, 20);
    assert_int_equal(p.bad, 30);
    assert_int_equal(p.offline, 40);
    assert_string_equal(p.bad_action, "metric");
    p.bad = 65535;
    snprintf(p.bad_action, sizeof p.bad_action, "exclude");
    assert_int_equal(qtpm_store_policy_set(st, &p, "bad=65535"), 0);
    memset(&p, 0, sizeof p);
    assert_int_equal(qtpm_store_policy_get(st, &p), 0);
    assert_int_equal(p.bad, 65535);
    assert_string_equal(p.bad_action, "exclude");
    qtpm_store_event e;
    memset(&e, 0, sizeof e);
    int64_t before = qtpm_store_now_ms();
    assert_int_equal(qtpm_store_event_each(st, 0, last_event, &e), 0);
    assert_string_equal(e.kind, "policy");
    assert_true(e.time_ms > 0 && e.time_ms <= before && e.time_ms / 1000 == e.time);
    int64_t last = 0;
    assert_int_equal(qtpm_store_event_last(st, &last), 0);
    assert_int_equal(last, e.id);

    /* Reports: one per router, replaced; an unknown router is refused, nothing written. */
    assert_int_equal(qtpm_store_router_add(st, "n1", "h", "good"), 0);
    assert_int_equal(qtpm_store_router_add(st, "n2", "h", "bad"), 0);
    assert_int_equal(qtpm_store_report_put(st, "n1", "10.255.0.1", "{\"a\":1}", 1000), 0);
    assert_int_equal(qtpm_store_report_put(st, "n1", "10.255.0.1", "{\"a\":2}", 2000), 0);
    assert_int_equal(qtpm_store_report_put(st, "ghost", "10.255.0.9", "{}", 1),
                     QTPM_STORE_NOTFOUND);
    char *json = NULL;
    int64_t t = 0;
    assert_int_equal(qtpm_store_report_get(st, "n1", &json, &t), 0);
    assert_string_equal(json, "{\"a\":2}");
    assert_int_equal(t, 2000);
    free(json);
    assert_int_equal(qtpm_store_report_get(st, "n2", &json, &t), QTPM_STORE_NOTFOUND);
    int nr = 0;
    assert_int_equal(qtpm_store_report_each(st, count_reports, &nr), 0);
    assert_int_equal(nr, 1);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE ospf_router_id = "
                             "'10.255.0.1'"), 1);

    /* Commands: a newer one for the same interface supersedes the older. */
    qtpm_store_command c;
    memset(&c, 0, sizeof c);
    snprintf(c.router, sizeof c.router, "n1");
    snprintf(c.interface, sizeof c.interface, "eth1");
    snprintf(c.toward, sizeof c.toward, "n2");
    snprintf(c.reason, sizeof c.reason, "n2 bad");
    c.cost = 30;
    assert_int_equal(qtpm_store_command_add(st, &c, "first"), 0);
    int64_t s1 = c.seq;
    c.cost = 40;
    assert_int_equal(qtpm_store_command_add(st, &c, "second"), 0);
    int64_t s2 = c.seq;
    assert_true(s2 > s1);
    snprintf(c.interface, sizeof c.interface, "eth2");
    c.excluded = 1;
    assert_int_equal(qtpm_store_command_add(st, &c, "third"), 0);
    int64_t s3 = c.seq;
    struct cmd_acc a = {0};
    assert_int_equal(qtpm_store_command_each(st, "n1", 1, count_cmds, &a), 0);
    assert_int_equal(a.n, 2); /* eth1 (s2) and eth2 (s3) */
    assert_int_equal(a.last.seq, s3);
    assert_int_equal(a.last.excluded, 1);
    assert_string_equal(a.last.status, "pending");
    assert_int_equal(a.last.fib_ms, -1);
    qtpm_store_command got;
    assert_int_equal(qtpm_store_command_get(st, "n1", s1, &got), 0);
    assert_string_equal(got.status, "superseded");
    assert_int_equal(qtpm_store_command_get(st, "n2", s1, &got), QTPM_STORE_NOTFOUND);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'enforce'"), 3);

    /* Delivered twice, acknowledged: ok with the agent's times and an event. */
    assert_int_equal(qtpm_store_command_delivered(st, s2, 5000), 0);
    assert_int_equal(qtpm_store_command_delivered(st, s2, 7000), 0);
    assert_int_equal(qtpm_store_command_delivered(st, 999999, 1), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_command_ack(st, s2, 1, 7001, 7002, 7003, NULL, "enforced",
                                            "ok"), 0);
    assert_int_equal(qtpm_store_command_get(st, "n1", s2, &got), 0);
    assert_string_equal(got.status, "ok");
    assert_int_equal(got.deliveries, 2);
    assert_int_equal(got.delivered_ms, 7000);
    assert_int_equal(got.received_ms, 7001);
    assert_int_equal(got.applied_ms, 7002);
    assert_int_equal(got.fib_ms, 7003);
    assert_true(got.acked_ms >= before);
    /* An ack of a superseded command leaves it superseded. */
    assert_int_equal(qtpm_store_command_ack(st, s1, 1, 1, 2, -1, NULL, "enforced", "old"), 0);
    assert_int_equal(qtpm_store_command_get(st, "n1", s1, &got), 0);
    assert_string_equal(got.status, "superseded");
    /* No ack: failed once (a second fail of the same command does nothing). */
    assert_int_equal(qtpm_store_command_fail(st, s3, "no ack"), 0);
    assert_int_equal(qtpm_store_command_fail(st, s3, "no ack"), QTPM_STORE_NOTFOUND);
    assert_int_equal(qtpm_store_command_get(st, "n1", s3, &got), 0);
    assert_string_equal(got.status, "failed");
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'enforcement-failed'"),
                     1);
    a.n = 0;
    assert_int_equal(qtpm_store_command_each(st, NULL, 1, count_cmds, &a), 0);
    assert_int_equal(a.n, 1); /* only the failed one is still open */
    /* A failing ack (agent error) keeps its message. */
    assert_int_equal(qtpm_store_command_ack(st, s3, 0, 1, 0, -1, "vtysh: exit 1",
                                            "enforcement-failed", "err"), 0);
    assert_int_equal(qtpm_store_command_get(st, "n1", s3, &got), 0);
    assert_string_equal(got.error, "vtysh: exit 1");
    int64_t n = 0;
    assert_int_equal(qtpm_store_count(st, "commands", &n), 0);
    assert_int_equal(n, 3);
    qtpm_store_close(st);
}

/* A version-2 database (before trust-aware routing) gets the policy defaults, and its
 * events a time_ms from their time. */
static void test_upgrade_from_v2(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_event_add(st, NULL, "old", "x", NULL), 0);
    qtpm_store_close(st);
    assert_int_equal(raw_exec(DROP_V6 DROP_V5 "DROP TABLE workers; DROP INDEX routers_owner;"
                              "ALTER TABLE routers DROP COLUMN owner;"
                              "ALTER TABLE routers DROP COLUMN lease_epoch;"
                              "ALTER TABLE routers DROP COLUMN lease_until_ms;"
                              "ALTER TABLE verdicts DROP COLUMN worker;"
                              "ALTER TABLE verdicts DROP COLUMN epoch;"
                              "ALTER TABLE verdicts DROP COLUMN started_ms;"
                              "ALTER TABLE verdicts DROP COLUMN time_ms;"
                              "DROP TABLE commands; DROP TABLE routing_reports;"
                              "DROP TABLE routing_policy; DROP INDEX events_router;"
                              "ALTER TABLE routers DROP COLUMN ospf_router_id;"
                              "ALTER TABLE events DROP COLUMN time_ms;"
                              "UPDATE schema_version SET version = 2"), 0);
    st = open_ok();
    qtpm_store_policy p;
    assert_int_equal(qtpm_store_policy_get(st, &p), 0);
    assert_int_equal(p.offline, 40);
    qtpm_store_event e;
    memset(&e, 0, sizeof e);
    assert_int_equal(qtpm_store_event_each(st, 0, last_event, &e), 0);
    assert_string_equal(e.kind, "old");
    assert_int_equal(e.time_ms, e.time * 1000);
    qtpm_store_close(st);
}

/* A version-5 database (a lease per router, lease_until_ms) is migrated to the heartbeat
 * leases: the unused expiry is cleared, owners and epochs kept; a build that knows only
 * version 5 would now refuse the database (test_newer_schema_refused). */
static void test_upgrade_from_v5(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "r5", "h", "good"), 0);
    qtpm_store_close(st);
    assert_int_equal(raw_exec(DROP_V6 "UPDATE routers SET owner = 'w1', lease_epoch = 3, "
                              "lease_until_ms = 123456;"
                              "UPDATE schema_version SET version = 5"), 0);
    st = open_ok();
    int v = 0;
    assert_int_equal(qtpm_store_schema_version(st, &v), 0);
    assert_int_equal(v, 6);
    qtpm_store_close(st);
    assert_int_equal(raw_int("SELECT lease_until_ms FROM routers WHERE id = 'r5'"), 0);
    assert_int_equal(raw_int("SELECT lease_epoch FROM routers WHERE id = 'r5'"), 3);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE owner = 'w1'"), 1);
    /* the AK look-up's index */
    assert_int_equal(raw_int(pg ? "SELECT count(*) FROM pg_indexes WHERE indexname = 'aks_router'"
                                : "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                  "AND name = 'aks_router'"), 1);
}

static int count_workers(void *ctx, const qtpm_store_worker *w)
{
    int *n = ctx;
    n[0]++;
    n[1] += !strcmp(w->state, "live");
    n[2] += !strcmp(w->state, "dead");
    return 0;
}

/* Verifier workers: two workers split 10 routers 5/5; a third joins and gets its share
 * handed over; one goes silent: it is marked dead once (one event), its routers are
 * claimed by the others with a new epoch, and its own late attestation — verified under
 * the old epoch — is refused by the fence and writes nothing, while the new holder's
 * goes through and records worker, epoch and its interval. */
static void test_workers(void **state)
{
    (void)state;
    qtpm_store *a = open_ok(), *b = open_ok(), *c = open_ok();
    char id[16];
    for (int i = 0; i < 10; i++) {
        snprintf(id, sizeof id, "r%02d", i);
        assert_int_equal(qtpm_store_router_add(a, id, "h", "enrolled"), 0);
    }
    assert_int_equal(qtpm_store_router_add(a, "new", "h", "enrolling"), 0);
    assert_int_equal(qtpm_store_worker_register(a, "wa", "https://a:1", "ha", 1), 0);
    assert_int_equal(qtpm_store_worker_register(b, "wb", "https://b:1", "hb", 2), 0);
    int64_t t = qtpm_store_now_ms(), ttl = 1000;
    qtpm_store_lease_tick_result ra, rb, rc3;
    assert_int_equal(qtpm_store_lease_tick(a, "wa", t, ttl, &ra), 0);
    assert_int_equal(qtpm_store_lease_tick(b, "wb", t, ttl, &rb), 0);
    assert_int_equal(ra.live, 2);
    assert_int_equal(ra.owned, 5);
    assert_int_equal(rb.owned, 5); /* enrolling routers are nobody's */
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE owner IS NULL"), 1);
    assert_int_equal(raw_int("SELECT count(DISTINCT owner) FROM routers WHERE owner IS NOT NULL"), 2);
    /* A third worker: the others hand it its share at their next tick. */
    assert_int_equal(qtpm_store_worker_register(c, "wc", "https://c:1", "hc", 3), 0);
    assert_int_equal(qtpm_store_lease_tick(c, "wc", t + 10, ttl, &rc3), 0);
    assert_int_equal(rc3.owned, 0); /* nothing free to claim */
    assert_int_equal(qtpm_store_lease_tick(a, "wa", t + 20, ttl, &ra), 0);
    assert_int_equal(qtpm_store_lease_tick(b, "wb", t + 30, ttl, &rb), 0);
    assert_int_equal(ra.handed + rb.handed, 3);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE owner = 'wc'"), 3);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE owner = 'wa'") +
                         raw_int("SELECT count(*) FROM routers WHERE owner = 'wb'"), 7);
    /* Per-request lease check: the holder gets its epoch, another worker the holder. */
    char owner[64], url2[256];
    int64_t e_a = 0, e_b = 0;
    char ra_id[64] = "";
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE owner = 'wa'") > 0, 1);
    for (int i = 0; i < 10 && !ra_id[0]; i++) {
        snprintf(id, sizeof id, "r%02d", i);
        if (qtpm_store_lease_acquire(a, id, "wa", t + 40, ttl, &e_a, owner, url2) == 0)
            snprintf(ra_id, sizeof ra_id, "%s", id);
    }
    assert_true(ra_id[0] != 0);
    assert_int_equal(qtpm_store_lease_acquire(b, ra_id, "wb", t + 40, ttl, &e_b, owner, url2),
                     QTPM_STORE_CONFLICT);
    assert_string_equal(owner, "wa");
    assert_string_equal(url2, "https://a:1");
    assert_int_equal(qtpm_store_lease_acquire(b, "ghost", "wb", t, ttl, &e_b, owner, url2),
                     QTPM_STORE_NOTFOUND);
    /* wa verifies ra_id under epoch e_a ... and stalls. wb and wc tick on: wa is noticed
     * dead once, its routers are claimed with new epochs. */
    assert_int_equal(qtpm_store_lease_tick(b, "wb", t + 40 + ttl / 2, ttl, &rb), 0);
    assert_int_equal(qtpm_store_lease_tick(c, "wc", t + 40 + ttl / 2, ttl, &rc3), 0);
    int64_t later = t + 40 + ttl + 1;
    assert_int_equal(qtpm_store_lease_tick(b, "wb", later, ttl, &rb), 0);
    assert_int_equal(qtpm_store_lease_tick(c, "wc", later + 1, ttl, &rc3), 0);
    assert_int_equal(rb.dead_marked + rc3.dead_marked, 1);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'worker-dead'"), 1);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE owner = 'wa'"), 0);
    assert_int_equal(rb.taken_over + rc3.taken_over > 0, 1);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'takeover'") > 0, 1);
    int n[3] = {0};
    assert_int_equal(qtpm_store_worker_each(a, count_workers, n), 0);
    assert_int_equal(n[0], 3);
    assert_int_equal(n[2], 1);
    /* The stalled worker's write: refused, nothing written. */
    qtpm_store_fence(a, "wa", e_a, t + 40);
    assert_int_equal(qtpm_store_attestation(a, ra_id, "good", "[]", "{}", 0),
                     QTPM_STORE_CONFLICT);
    qtpm_store_unfence(a);
    assert_int_equal(raw_int("SELECT count(*) FROM verdicts"), 0);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'verdict'"), 0);
    /* The new holder's goes through, with its lease and interval on the verdict. */
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM routers WHERE id = '%s' AND owner = 'wb'",
             ra_id);
    qtpm_store *h = raw_int(sql) == 1 ? b : c;
    const char *hw = h == b ? "wb" : "wc";
    int64_t e_h = 0;
    assert_int_equal(qtpm_store_lease_acquire(h, ra_id, hw, later + 2, ttl, &e_h, owner, url2),
                     0);
    assert_true(e_h > e_a);
    int64_t began = qtpm_store_now_ms();
    qtpm_store_fence(h, hw, e_h, began);
    assert_int_equal(qtpm_store_attestation(h, ra_id, "good", "[]", "{}", 0), 0);
    qtpm_store_unfence(h);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM verdicts WHERE worker = '%s' AND epoch = "
             "%lld AND started_ms = %lld AND time_ms >= started_ms", hw, (long long)e_h,
             (long long)began);
    assert_int_equal(raw_int(sql), 1);
    /* The stalled worker comes back: live again, but its old leases stay lost. */
    assert_int_equal(qtpm_store_lease_tick(a, "wa", later + 3, ttl, &ra), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM routers WHERE id = '%s' AND owner = '%s'",
             ra_id, hw);
    assert_int_equal(raw_int(sql), 1);
    assert_int_equal(raw_int("SELECT count(*) FROM workers WHERE state = 'live'"), 3);
    /* The owned offline sweep touches only the sweeper's routers. */
    int marked = 0;
    assert_int_equal(qtpm_store_mark_offline_owned(h, (int64_t)time(NULL) + 10, hw, &marked), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM routers WHERE owner = '%s'", hw);
    assert_int_equal(marked, raw_int(sql));
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE state = 'offline'"), marked);
    /* A clean stop releases everything the worker held. */
    assert_int_equal(qtpm_store_worker_stop(h, hw), 0);
    assert_int_equal(raw_int(sql), 0);
    /* A day later its row is forgotten by the next tick of another worker. */
    snprintf(sql, sizeof sql, "UPDATE workers SET beat_ms = 0 WHERE id = '%s'", hw);
    assert_int_equal(raw_exec(sql), 0);
    assert_int_equal(qtpm_store_lease_tick(a, "wa", later + 4, ttl, &ra), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM workers WHERE id = '%s'", hw);
    assert_int_equal(raw_int(sql), 0);
    assert_int_equal(raw_int("SELECT count(*) FROM workers"), 2);
    qtpm_store_close(a);
    qtpm_store_close(b);
    qtpm_store_close(c);
}

/* Row versions written in routers since router_writes_start: PostgreSQL gives every
 * row version the id of the transaction that wrote it (xmin, always increasing here), so
 * the sum grows iff a row is rewritten — even by an UPDATE that sets the same values;
 * SQLite counts UPDATEs with a trigger. */
static void router_writes_start(void)
{
    if (!pg)
        assert_int_equal(raw_exec("CREATE TABLE IF NOT EXISTS test_upd (n INTEGER);"
                                  "CREATE TRIGGER IF NOT EXISTS test_upd_t AFTER UPDATE ON "
                                  "routers BEGIN INSERT INTO test_upd VALUES (1); END;"
                                  "DELETE FROM test_upd"), 0);
}

static long long router_writes(void)
{
    return pg ? raw_int("SELECT sum(xmin::text::bigint) FROM routers")
              : raw_int("SELECT count(*) FROM test_upd");
}

/* The lease is the owner's heartbeat (docs/SCALE.md "Leases"): ticks that change no
 * hands renew every lease without writing a single router row; a worker whose heartbeat
 * is a lease old — not yet marked dead by anyone — has its routers claimable, by a
 * request (qtpm_store_lease_acquire) and by a tick, each with a new epoch; it notices the
 * lapse at its next tick (lapsed) and keeps none of them. */
static void test_lease_heartbeat(void **state)
{
    (void)state;
    qtpm_store *a = open_ok(), *b = open_ok();
    char id[16];
    for (int i = 0; i < 4; i++) {
        snprintf(id, sizeof id, "r%d", i);
        assert_int_equal(qtpm_store_router_add(a, id, "h", "enrolled"), 0);
    }
    assert_int_equal(qtpm_store_worker_register(a, "wa", "https://a:1", "ha", 1), 0);
    assert_int_equal(qtpm_store_worker_register(b, "wb", "https://b:1", "hb", 2), 0);
    int64_t t = qtpm_store_now_ms(), ttl = 1000;
    qtpm_store_lease_tick_result ra, rb;
    assert_int_equal(qtpm_store_lease_tick(a, "wa", t, ttl, &ra), 0);
    assert_int_equal(qtpm_store_lease_tick(b, "wb", t, ttl, &rb), 0);
    assert_int_equal(ra.owned + rb.owned, 4);
    assert_int_equal(ra.owned, 2);
    /* Steady ticks: heartbeats only. */
    router_writes_start();
    long long before = router_writes();
    assert_true(before >= 0);
    for (int k = 1; k <= 6; k++) {
        assert_int_equal(qtpm_store_lease_tick(a, "wa", t + 100 * k, ttl, &ra), 0);
        assert_int_equal(qtpm_store_lease_tick(b, "wb", t + 100 * k + 10, ttl, &rb), 0);
        assert_int_equal(ra.owned, 2);
        assert_int_equal(rb.owned, 2);
        assert_int_equal(ra.claimed + ra.handed + rb.claimed + rb.handed, 0);
        assert_int_equal(ra.lapsed + rb.lapsed, 0);
    }
    assert_int_equal(router_writes(), before);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE lease_until_ms <> 0"), 0);
    assert_int_equal(raw_int("SELECT beat_ms FROM workers WHERE id = 'wa'"), t + 600);
    /* wa's routers, and wb's view of them while wa's heartbeat is live. */
    char wa0[16] = "", owner[64], url2[256];
    for (int i = 0; i < 4 && !wa0[0]; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM routers WHERE id = 'r%d' AND "
                 "owner = 'wa'", i);
        if (raw_int(sql) == 1)
            snprintf(wa0, sizeof wa0, "r%d", i);
    }
    assert_true(wa0[0] != 0);
    int64_t e_a = 0, e_b = 0;
    assert_int_equal(qtpm_store_lease_acquire(a, wa0, "wa", t + 650, ttl, &e_a, owner, url2), 0);
    assert_int_equal(qtpm_store_lease_acquire(b, wa0, "wb", t + 650, ttl, &e_b, owner, url2),
                     QTPM_STORE_CONFLICT);
    assert_string_equal(owner, "wa");
    assert_int_equal(router_writes(), before); /* neither check wrote */
    /* wa falls silent after its beat at t + 600; a lease later its routers are free,
     * before anyone marked it dead: a request for one takes it. */
    int64_t late = t + 600 + ttl + 1;
    assert_int_equal(raw_int("SELECT count(*) FROM workers WHERE state = 'live'"), 2);
    assert_int_equal(qtpm_store_lease_acquire(b, wa0, "wb", late, ttl, &e_b, owner, url2), 0);
    assert_true(e_b > e_a);
    assert_true(router_writes() != before);
    /* wb's next tick marks wa dead and claims its other router. */
    assert_int_equal(qtpm_store_lease_tick(b, "wb", late + 10, ttl, &rb), 0);
    assert_int_equal(rb.dead_marked, 1);
    assert_int_equal(rb.claimed, 1);
    assert_int_equal(rb.taken_over, 1);
    assert_int_equal(rb.owned, 4);
    assert_int_equal(raw_int("SELECT count(*) FROM routers WHERE owner = 'wa'"), 0);
    /* wa's late write at its old epoch is fenced out. */
    qtpm_store_fence(a, "wa", e_a, t + 650);
    assert_int_equal(qtpm_store_attestation(a, wa0, "good", "[]", "{}", 0), QTPM_STORE_CONFLICT);
    qtpm_store_unfence(a);
    /* wa comes back: its tick reports the lapse, it is live again holding nothing, and
     * wb hands it its share at wb's next tick. */
    assert_int_equal(qtpm_store_lease_tick(a, "wa", late + 20, ttl, &ra), 0);
    assert_int_equal(ra.lapsed, 1);
    assert_int_equal(ra.owned, 0);
    assert_int_equal(raw_int("SELECT count(*) FROM workers WHERE state = 'live'"), 2);
    assert_int_equal(qtpm_store_lease_tick(b, "wb", late + 30, ttl, &rb), 0);
    assert_int_equal(rb.handed, 2);
    assert_int_equal(qtpm_store_lease_tick(a, "wa", late + 40, ttl, &ra), 0);
    assert_int_equal(ra.lapsed, 0);
    assert_int_equal(ra.owned, 2);
    qtpm_store_close(a);
    qtpm_store_close(b);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "pg") == 0) {
        pg = getenv("QTPM_TEST_PG");
        if (!pg || !*pg) {
            fprintf(stderr, "test_store pg: QTPM_TEST_PG is not set (run it under "
                            "tests/store/pg-cluster.sh)\n");
            return 77;
        }
    } else if (argc > 1) {
        fprintf(stderr, "usage: test_store [pg]\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_from_v1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_migration_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nonces, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_vendors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_offline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nested_and_failed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enrolments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_enrol_finish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digestlists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digestlists_cached, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attestation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nonces_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_attestations_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_open, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_url_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_single_use_races, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pg_reconnect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lock_wait_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_routing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_from_v2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_from_v5, setup, teardown),
        cmocka_unit_test_setup_teardown(test_workers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lease_heartbeat, setup, teardown),
    };
    return cmocka_run_group_tests_name(pg ? "store (postgresql)" : "store (sqlite)", tests,
                                       NULL, NULL);
}
