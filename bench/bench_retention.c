/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_retention.c — what compaction (src/store/retention.c) keeps and what it costs, on
 * each back end given (docs/OPERATIONS.md "Retention"):
 *
 *   qtpm-bench-retention [--routers R] [--verdicts V] URL...
 *
 * For each URL (a fresh database: sqlite:PATH or postgresql:CONNINFO): R routers each get
 * V verdicts as the verifier writes them (qtpm_store_verdict_add: a row, the state, a
 * "verdict" event), unchanging except one change to "unknown" and back every 100; then
 * compaction runs at a "now" 30 days later (so the whole history is outside the 7-day
 * window) with the default retention, step by step to the end. Printed as one JSON object
 * per URL: rows of verdicts and events before and after, the changes (which must all
 * survive), the steps, and the time to fill and to compact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int run(const char *url, long routers, long verdicts)
{
    char err[512];
    qtpm_store *st;
    if (qtpm_store_open(url, &st, err, sizeof err)) {
        fprintf(stderr, "bench-retention: %s\n", err);
        return 1;
    }
    double t0 = now_s();
    int rc = 0;
    long changes = 0;
    for (long r = 0; rc == 0 && r < routers; r++) {
        char id[32];
        snprintf(id, sizeof id, "r%05ld", r);
        rc = qtpm_store_begin(st);
        if (rc == 0)
            rc = qtpm_store_router_add(st, id, id, "enrolled");
        const char *prev = NULL;
        for (long v = 0; rc == 0 && v < verdicts; v++) {
            const char *verdict = v % 100 == 50 ? "unknown" : "good";
            const char *why = v % 100 == 50 ? "[{\"code\":\"unknown-file\",\"path\":\"/x\"}]" : "[]";
            changes += !prev || strcmp(prev, verdict) != 0;
            prev = verdict;
            rc = qtpm_store_verdict_add(st, id, verdict, why);
        }
        if (rc == 0)
            rc = qtpm_store_commit(st);
        else
            qtpm_store_rollback(st);
    }
    double t1 = now_s();
    int64_t v0 = 0, e0 = 0, v1 = 0, e1 = 0;
    if (rc == 0)
        rc = qtpm_store_count(st, "verdicts", &v0) || qtpm_store_count(st, "events", &e0);
    qtpm_store_retention ret;
    qtpm_store_retention_default(&ret);
    int steps = 0;
    for (; rc == 0 && steps < 100000; steps++) {
        qtpm_store_compacted c;
        rc = qtpm_store_compact(st, &ret, (int64_t)time(NULL) + 30 * 86400, &c);
        if (rc == 0 && c.verdicts < ret.batch && c.events < ret.batch)
            break;
    }
    double t2 = now_s();
    if (rc == 0)
        rc = qtpm_store_count(st, "verdicts", &v1) || qtpm_store_count(st, "events", &e1);
    if (rc) {
        fprintf(stderr, "bench-retention: %s\n", qtpm_store_errmsg(st));
        qtpm_store_close(st);
        return 1;
    }
    /* Kept: the changes plus each router's newest keep_last that are not changes. */
    printf("{\"backend\":\"%s\",\"routers\":%ld,\"verdicts_per_router\":%ld,"
           "\"verdicts_before\":%lld,\"verdicts_after\":%lld,\"events_before\":%lld,"
           "\"events_after\":%lld,\"changes\":%ld,\"keep_last\":%lld,\"batch\":%lld,"
           "\"steps\":%d,\"fill_s\":%.2f,\"compact_s\":%.2f,\"compact_rows_per_s\":%.0f}\n",
           strncmp(url, "sqlite:", 7) == 0 ? "sqlite" : "postgresql", routers, verdicts,
           (long long)v0, (long long)v1, (long long)e0, (long long)e1, changes,
           (long long)ret.keep_last, (long long)ret.batch, steps + 1, t1 - t0, t2 - t1,
           (double)(v0 - v1 + e0 - e1) / (t2 - t1 > 0 ? t2 - t1 : 1e-9));
    qtpm_store_close(st);
    return 0;
}

int main(int argc, char **argv)
{
    long routers = 100, verdicts = 1000;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--routers"))
            routers = strtol(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--verdicts"))
            verdicts = strtol(argv[i + 1], NULL, 10);
        else
            break;
    }
    if (i >= argc || routers < 1 || verdicts < 1 || routers > 100000 || verdicts > 1000000) {
        fprintf(stderr, "usage: qtpm-bench-retention [--routers R] [--verdicts V] URL...\n");
        return 2;
    }
    int rc = 0;
    for (; i < argc; i++)
        rc |= run(argv[i], routers, verdicts);
    return rc;
}
