/*
 * test_store.c — unit tests of the NMS store's SQLite back end (src/store/store.h):
 * schema migration and its version, reopen keeps data, unique keys map to CONFLICT,
 * nonces are single-use and expire, a rolled-back transaction leaves nothing behind,
 * a verdict changes the router's state and logs an event atomically, bad URLs refused,
 * liveness and the offline sweep.
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

#include <sqlite3.h>

#include "store.h"

static char path[256];
static char url[300];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/qtpm-store-test-%ld.db", (long)getpid());
    unlink(path);
    snprintf(url, sizeof url, "sqlite:%s", path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
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

static void test_newer_schema_refused(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    qtpm_store_close(st);
    /* Simulate a database written by a newer build. */
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE schema_version SET version = 99", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(db);
    char err[256] = "";
    assert_int_equal(qtpm_store_open(url, &st, err, sizeof err), QTPM_STORE_ERROR);
    assert_null(st);
    assert_non_null(strstr(err, "newer"));
}

/* A version-1 database (as the first build wrote it) is migrated to the current schema
 * at open, keeping its rows. */
static void test_upgrade_from_v1(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "old", "h", "good"), 0);
    qtpm_store_close(st);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "ALTER TABLE routers DROP COLUMN last_seen;"
                                      "ALTER TABLE routers DROP COLUMN last_entries;"
                                      "UPDATE schema_version SET version = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
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
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    /* Version 1 claimed, but the version-2 columns are already there: ALTER TABLE fails. */
    assert_int_equal(sqlite3_exec(db, "UPDATE schema_version SET version = 1", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    char err[256] = "";
    assert_int_equal(qtpm_store_open(url, &st, err, sizeof err), QTPM_STORE_ERROR);
    assert_non_null(strstr(err, "duplicate column"));
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_stmt *s = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT version FROM schema_version", -1, &s, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 1);
    sqlite3_finalize(s);
    sqlite3_close(db);
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

int main(void)
{
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
