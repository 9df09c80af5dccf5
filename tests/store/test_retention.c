/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_retention.c — bounded attestation storage (src/store/retention.c) on either back
 * end: `test_retention` on SQLite in a temp file (ctest nms_retention), `test_retention pg`
 * on the throwaway PostgreSQL cluster of tests/store/pg-cluster.sh (nms_retention_pg).
 *
 * Covered: compaction keeps every change of verdict or reasons, the rolling window and
 * the newest verdicts of each router, and deletes exactly the rest, in batches, and is
 * idempotent; the verdict events follow the same rule and other events stay; measurement
 * chunks are numbered by boot, read back per boot, replaced when stored again, and only
 * the newest boots survive compaction; the router summaries join each router's newest
 * verdict; the event tail; the migration 5 indices exist; bad retention values refused.
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
#include <sqlite3.h>

#include "store.h"

static char path[256];
static char url[1100];
static const char *pg;

static int raw_exec(const char *sql)
{
    if (pg) {
        PGconn *c = PQconnectdb(pg);
        int ok = PQstatus(c) == CONNECTION_OK;
        if (ok) {
            PQclear(PQexec(c, "SET client_min_messages = warning"));
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
    snprintf(path, sizeof path, "/tmp/qtpm-retention-test-%ld.db", (long)getpid());
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

/* Runs compaction steps until one deletes less than a batch; the totals in *sum. */
static int compact_all(qtpm_store *st, const qtpm_store_retention *r, qtpm_store_compacted *sum)
{
    memset(sum, 0, sizeof *sum);
    for (int step = 0; step < 100; step++) {
        qtpm_store_compacted c;
        int rc = qtpm_store_compact(st, r, (int64_t)time(NULL), &c);
        if (rc)
            return rc;
        sum->verdicts += c.verdicts;
        sum->events += c.events;
        sum->measurements += c.measurements;
        if (c.verdicts < r->batch && c.events < r->batch && c.measurements < r->batch)
            return 0;
    }
    return -1;
}

struct seq {
    char s[512];
};

static int collect_verdict(struct seq *q, const char *sql)
{
    /* The remaining verdicts of r1 as "verdict/reasons," in id order, via raw SQL so the
     * check does not go through the code under test. */
    q->s[0] = '\0';
    if (pg) {
        PGconn *c = PQconnectdb(pg);
        PGresult *r = PQexec(c, sql);
        int ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        for (int i = 0; ok && i < PQntuples(r); i++) {
            strncat(q->s, PQgetvalue(r, i, 0), sizeof q->s - strlen(q->s) - 1);
            strncat(q->s, ",", sizeof q->s - strlen(q->s) - 1);
        }
        PQclear(r);
        PQfinish(c);
        return ok ? 0 : -1;
    }
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    if (sqlite3_open(path, &db) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return -1;
    }
    while (sqlite3_step(s) == SQLITE_ROW) {
        strncat(q->s, (const char *)sqlite3_column_text(s, 0), sizeof q->s - strlen(q->s) - 1);
        strncat(q->s, ",", sizeof q->s - strlen(q->s) - 1);
    }
    sqlite3_finalize(s);
    sqlite3_close(db);
    return 0;
}

static void test_compact_verdicts(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "r1", "h1", "enrolled"), 0);
    assert_int_equal(qtpm_store_router_add(st, "r2", "h2", "enrolled"), 0);
    assert_int_equal(qtpm_store_event_add(st, "r1", "offline", "old, not a verdict", NULL), 0);
    /* Old history of r1: 5 good, 3 unknown (A), 2 unknown (B), 4 good; r2: 3 good. */
    static const struct {
        const char *v, *why;
        int n;
    } hist[] = {{"good", "[]", 5}, {"unknown", "[\"A\"]", 3}, {"unknown", "[\"B\"]", 2},
                {"good", "[]", 4}};
    for (size_t k = 0; k < sizeof hist / sizeof hist[0]; k++)
        for (int i = 0; i < hist[k].n; i++)
            assert_int_equal(qtpm_store_verdict_add(st, "r1", hist[k].v, hist[k].why), 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(qtpm_store_verdict_add(st, "r2", "good", "[]"), 0);
    assert_int_equal(raw_exec("UPDATE verdicts SET time = 1000; UPDATE events SET time = 1000"),
                     0);
    /* Recent: 3 good for r1 (inside the window). */
    for (int i = 0; i < 3; i++)
        assert_int_equal(qtpm_store_verdict_add(st, "r1", "good", "[]"), 0);
    assert_int_equal(raw_int("SELECT count(*) FROM verdicts"), 20);

    qtpm_store_retention r;
    qtpm_store_retention_default(&r);
    r.keep_seconds = 3600;
    r.keep_last = 2;
    r.batch = 3; /* several steps */
    qtpm_store_compacted sum;
    assert_int_equal(compact_all(st, &r, &sum), 0);
    /* r1 keeps its 4 changes (#1 good, #6 unknown A, #9 unknown B, #11 good) and the 3
     * recent ones; r2 its first and its 2 newest. */
    struct seq q;
    assert_int_equal(collect_verdict(&q, "SELECT verdict || reasons FROM verdicts WHERE "
                                         "router = 'r1' ORDER BY id"), 0);
    assert_string_equal(q.s, "good[],unknown[\"A\"],unknown[\"B\"],good[],good[],good[],good[],");
    assert_int_equal(raw_int("SELECT count(*) FROM verdicts WHERE router = 'r1' AND time = 1000"), 4);
    assert_int_equal(raw_int("SELECT count(*) FROM verdicts WHERE router = 'r2'"), 3);
    assert_int_equal(sum.verdicts, 20 - 7 - 3);
    /* Verdict events: r1's details good×5 unknown×5 good×4 (old) + good×3 (new): the 3
     * changes and the 3 new stay; r2's 3: its first and 2 newest. The other event stays. */
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'verdict' AND "
                             "router = 'r1'"), 6);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'verdict' AND "
                             "router = 'r2'"), 3);
    assert_int_equal(raw_int("SELECT count(*) FROM events WHERE kind = 'offline'"), 1);
    assert_int_equal(sum.events, 20 - 6 - 3);
    assert_int_equal(collect_verdict(&q, "SELECT detail FROM events WHERE kind = 'verdict' "
                                         "AND router = 'r1' ORDER BY id"), 0);
    assert_string_equal(q.s, "good,unknown,good,good,good,good,");
    /* The newest verdict is what the API shows: unchanged. */
    char v[16];
    char *reasons = NULL;
    assert_int_equal(qtpm_store_last_verdict(st, "r1", v, &reasons), 0);
    assert_string_equal(v, "good");
    free(reasons);

    /* Idempotent. */
    assert_int_equal(compact_all(st, &r, &sum), 0);
    assert_int_equal(sum.verdicts + sum.events + sum.measurements, 0);

    /* A shorter window and keep_last 1: the recent non-changes go too, the newest stays. */
    r.keep_seconds = 0;
    r.keep_last = 1;
    assert_int_equal(raw_exec("UPDATE verdicts SET time = 1000; UPDATE events SET time = 1000"),
                     0);
    assert_int_equal(compact_all(st, &r, &sum), 0);
    assert_int_equal(collect_verdict(&q, "SELECT verdict || reasons FROM verdicts WHERE "
                                         "router = 'r1' ORDER BY id"), 0);
    assert_string_equal(q.s, "good[],unknown[\"A\"],unknown[\"B\"],good[],good[],");
    assert_int_equal(raw_int("SELECT count(*) FROM verdicts WHERE router = 'r2'"), 2);

    /* Bad values are refused, nothing deleted. */
    qtpm_store_compacted c;
    r.keep_last = 0;
    assert_int_equal(qtpm_store_compact(st, &r, 0, &c), QTPM_STORE_ERROR);
    r.keep_last = 1;
    r.keep_seconds = -1;
    assert_int_equal(qtpm_store_compact(st, &r, 0, &c), QTPM_STORE_ERROR);
    qtpm_store_close(st);
}

struct chunks {
    char s[512];
    int64_t boot;
};

static int chunk_cb(void *ctx, int64_t boot, int64_t first, int64_t entries,
                    const uint8_t *list, size_t len, int64_t t)
{
    struct chunks *c = ctx;
    char one[96];
    assert_true(t > 0);
    c->boot = boot;
    snprintf(one, sizeof one, "%lld:%lld:%.*s,", (long long)first, (long long)entries,
             (int)len, (const char *)list);
    strncat(c->s, one, sizeof c->s - strlen(c->s) - 1);
    return 0;
}

static void chunks_of(qtpm_store *st, const char *router, int64_t boot, struct chunks *c)
{
    memset(c, 0, sizeof *c);
    assert_int_equal(qtpm_store_measurements_each(st, router, boot, chunk_cb, c), 0);
}

static void add(qtpm_store *st, const char *router, int64_t first, int64_t n, const char *text)
{
    assert_int_equal(qtpm_store_measurements_add(st, router, first, n, (const uint8_t *)text,
                                                 strlen(text)), 0);
}

static void test_measurements(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "r1", "h1", "good"), 0);
    assert_int_equal(qtpm_store_router_add(st, "r2", "h2", "good"), 0);
    struct chunks c;
    chunks_of(st, "r1", 0, &c);
    assert_string_equal(c.s, "");
    /* A list first seen from index 4 (e.g. stored before migration 5) is boot 1. */
    add(st, "r2", 4, 1, "Z");
    add(st, "r1", 0, 3, "ABC");
    add(st, "r1", 3, 2, "DE");
    chunks_of(st, "r1", 0, &c);
    assert_string_equal(c.s, "0:3:ABC,3:2:DE,");
    assert_int_equal(c.boot, 1);
    add(st, "r1", 0, 1, "F"); /* reboot */
    add(st, "r1", 1, 1, "G");
    add(st, "r1", 1, 1, "H"); /* the same chunk again replaces it */
    chunks_of(st, "r1", 0, &c);
    assert_string_equal(c.s, "0:1:F,1:1:H,");
    assert_int_equal(c.boot, 2);
    add(st, "r1", 0, 2, "IJ"); /* and again */
    chunks_of(st, "r1", 0, &c);
    assert_string_equal(c.s, "0:2:IJ,");
    assert_int_equal(c.boot, 3);
    chunks_of(st, "r1", 1, &c);
    assert_string_equal(c.s, "0:3:ABC,3:2:DE,");
    chunks_of(st, "r2", 0, &c);
    assert_string_equal(c.s, "4:1:Z,");
    assert_int_equal(c.boot, 1);
    /* Nothing to store is an error, not an empty chunk; an unknown router too. */
    assert_int_equal(qtpm_store_measurements_add(st, "r1", 5, 0, (const uint8_t *)"x", 1),
                     QTPM_STORE_ERROR);
    assert_int_equal(qtpm_store_measurements_add(st, "ghost", 0, 1, (const uint8_t *)"x", 1),
                     QTPM_STORE_ERROR);
    /* Inside a rolled-back transaction: gone with it. */
    assert_int_equal(qtpm_store_begin(st), 0);
    add(st, "r1", 2, 1, "K");
    assert_int_equal(qtpm_store_rollback(st), 0);
    chunks_of(st, "r1", 0, &c);
    assert_string_equal(c.s, "0:2:IJ,");

    /* Compaction keeps the newest 2 boots of each router. */
    qtpm_store_retention r;
    qtpm_store_retention_default(&r);
    r.batch = 1;
    qtpm_store_compacted sum;
    assert_int_equal(compact_all(st, &r, &sum), 0);
    assert_int_equal(sum.measurements, 2);
    chunks_of(st, "r1", 1, &c);
    assert_string_equal(c.s, "");
    chunks_of(st, "r1", 2, &c);
    assert_string_equal(c.s, "0:1:F,1:1:H,");
    chunks_of(st, "r2", 0, &c);
    assert_string_equal(c.s, "4:1:Z,");
    /* The next boot is still numbered after the newest, not after the count. */
    add(st, "r1", 0, 1, "L");
    chunks_of(st, "r1", 0, &c);
    assert_int_equal(c.boot, 4);
    r.keep_boots = 1;
    assert_int_equal(compact_all(st, &r, &sum), 0);
    assert_int_equal(raw_int("SELECT count(*) FROM measurements WHERE router = 'r1'"), 1);
    qtpm_store_close(st);
}

static int summary_cb(void *ctx, const qtpm_store_router_summary *s)
{
    char one[160];
    snprintf(one, sizeof one, "%s:%s:%s:%s,", s->r.id, s->r.state, s->verdict,
             s->reasons ? s->reasons : "-");
    strncat(ctx, one, 511 - strlen(ctx));
    return 0;
}

static int event_cb(void *ctx, const qtpm_store_event *e)
{
    char one[sizeof e->detail + 2];
    snprintf(one, sizeof one, "%s,", e->detail);
    strncat(ctx, one, 511 - strlen(ctx));
    return 0;
}

static void test_summaries_and_tail(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "a", "ha", "enrolled"), 0);
    assert_int_equal(qtpm_store_router_add(st, "b", "hb", "enrolled"), 0);
    assert_int_equal(qtpm_store_verdict_add(st, "b", "unknown", "[1]"), 0);
    assert_int_equal(qtpm_store_verdict_add(st, "b", "bad", "[2]"), 0);
    char s[512] = "";
    assert_int_equal(qtpm_store_router_summaries(st, summary_cb, s), 0);
    assert_string_equal(s, "a:enrolled::-,b:bad:bad:[2],");
    int64_t last = 0;
    for (int i = 0; i < 5; i++) {
        char d[8];
        snprintf(d, sizeof d, "e%d", i);
        assert_int_equal(qtpm_store_event_add(st, NULL, "x", d, i == 1 ? &last : NULL), 0);
    }
    s[0] = '\0';
    assert_int_equal(qtpm_store_event_tail(st, 0, 2, event_cb, s), 0);
    assert_string_equal(s, "e3,e4,");
    s[0] = '\0';
    assert_int_equal(qtpm_store_event_tail(st, last, 10, event_cb, s), 0);
    assert_string_equal(s, "e2,e3,e4,");
    /* The indices of migration 5. */
    if (pg)
        assert_int_equal(raw_int("SELECT count(*) FROM pg_indexes WHERE indexname IN "
                                 "('verdicts_router', 'events_router', 'events_kind', "
                                 "'routers_state')"), 4);
    else
        assert_int_equal(raw_int("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND "
                                 "name IN ('verdicts_router', 'events_router', 'events_kind', "
                                 "'routers_state')"), 4);
    qtpm_store_close(st);
}

/* A database of schema 3 (before migrations 4 and 5) is upgraded at open: its
 * verdicts and events stay, the table and the indices appear. */
static void test_upgrade_from_v3(void **state)
{
    (void)state;
    qtpm_store *st = open_ok();
    assert_int_equal(qtpm_store_router_add(st, "r1", "h1", "enrolled"), 0);
    assert_int_equal(qtpm_store_verdict_add(st, "r1", "good", "[]"), 0);
    qtpm_store_close(st);
    assert_int_equal(raw_exec("DROP INDEX aks_router;" /* migration 6 */
                              "DROP TABLE measurements; DROP INDEX verdicts_router;"
                              "DROP INDEX events_kind; DROP INDEX routers_state;"
                              "DROP INDEX events_router; CREATE INDEX events_router ON "
                              "events(router);"
                              "DROP TABLE workers; DROP INDEX routers_owner;"
                              "ALTER TABLE routers DROP COLUMN owner;"
                              "ALTER TABLE routers DROP COLUMN lease_epoch;"
                              "ALTER TABLE routers DROP COLUMN lease_until_ms;"
                              "ALTER TABLE verdicts DROP COLUMN worker;"
                              "ALTER TABLE verdicts DROP COLUMN epoch;"
                              "ALTER TABLE verdicts DROP COLUMN started_ms;"
                              "ALTER TABLE verdicts DROP COLUMN time_ms;"
                              "UPDATE schema_version SET version = 3"), 0);
    st = open_ok();
    int v = 0;
    assert_int_equal(qtpm_store_schema_version(st, &v), 0);
    assert_int_equal(v, QTPM_STORE_SCHEMA_VERSION);
    char s[512] = "";
    assert_int_equal(qtpm_store_router_summaries(st, summary_cb, s), 0);
    assert_string_equal(s, "r1:good:good:[],");
    add(st, "r1", 0, 1, "A");
    assert_int_equal(raw_int("SELECT count(*) FROM measurements"), 1);
    qtpm_store_close(st);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "pg") == 0) {
        pg = getenv("QTPM_TEST_PG");
        if (!pg || !*pg) {
            fprintf(stderr, "test_retention pg: QTPM_TEST_PG is not set (run it under "
                            "tests/store/pg-cluster.sh)\n");
            return 77;
        }
    } else if (argc > 1) {
        fprintf(stderr, "usage: test_retention [pg]\n");
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_compact_verdicts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_measurements, setup, teardown),
        cmocka_unit_test_setup_teardown(test_summaries_and_tail, setup, teardown),
        cmocka_unit_test_setup_teardown(test_upgrade_from_v3, setup, teardown),
    };
    return cmocka_run_group_tests_name(pg ? "retention (postgresql)" : "retention (sqlite)",
                                       tests, NULL, NULL);
}
