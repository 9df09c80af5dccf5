/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ops.c — the daemon's operational pieces that are not the API (docs/OPERATIONS.md):
 * the health and readiness answers, and compaction (store.h qtpm_store_compact) run in
 * bounded steps by the daemon's timer and by `qtpm-nms compact`.
 *
 * Health and readiness are for service managers and load balancers, so they need no
 * authentication and reveal nothing: no version, no error text, no names — only which
 * check failed. /healthz is "the process answers"; /readyz adds "the database answers
 * a query and its schema is the one this build migrates to" (a newer schema written by
 * an upgraded peer makes this one not ready), and "listening" holds by construction:
 * the answer came through the listener.
 *
 * `qtpm-nms router log ID [--boot N]` prints a router's stored measurement list (the
 * chunks of store.h, one per attestation) in the kernel's ASCII format, each line after
 * its index in the list.
 */
#include "ops.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "qtpm/attest.h"

static qtpm_nms_config ops;
static int ops_set;

void qtpm_nms_ops_set(const qtpm_nms_config *c)
{
    ops = *c;
    ops_set = 1;
}

const qtpm_nms_config *qtpm_nms_ops(void)
{
    if (!ops_set) {
        qtpm_nms_config_init(&ops);
        ops_set = 1;
    }
    return &ops;
}

int qtpm_nms_health(json_t **body)
{
    *body = json_pack("{s:s}", "status", "alive");
    return 200;
}

int qtpm_nms_ready(qtpm_store *st, json_t **body)
{
    int v = -1;
    int db_ok = st && qtpm_store_schema_version(st, &v) == QTPM_STORE_OK;
    int schema_ok = db_ok && v == QTPM_STORE_SCHEMA_VERSION;
    int ready = db_ok && schema_ok;
    *body = json_pack("{s:s,s:{s:s,s:s,s:s}}", "status", ready ? "ready" : "not-ready",
                      "checks", "database", db_ok ? "ok" : "unreachable", "schema",
                      !db_ok ? "unknown" : schema_ok ? "current" : "not-current", "listening",
                      "ok");
    return ready ? 200 : 503;
}

int qtpm_nms_compact_steps(qtpm_store *st, const qtpm_store_retention *r, int max_steps,
                           qtpm_store_compacted *sum, int *more)
{
    memset(sum, 0, sizeof *sum);
    *more = 0;
    for (int i = 0; i < max_steps; i++) {
        qtpm_store_compacted c;
        if (qtpm_store_compact(st, r, (int64_t)time(NULL), &c))
            return -1;
        sum->verdicts += c.verdicts;
        sum->events += c.events;
        sum->measurements += c.measurements;
        *more = c.verdicts >= r->batch || c.events >= r->batch || c.measurements >= r->batch;
        if (!*more)
            break;
    }
    return 0;
}

void qtpm_nms_compact_log(const qtpm_store_compacted *sum, int more)
{
    char v[24], e[24], m[24];
    snprintf(v, sizeof v, "%lld", (long long)sum->verdicts);
    snprintf(e, sizeof e, "%lld", (long long)sum->events);
    snprintf(m, sizeof m, "%lld", (long long)sum->measurements);
    qtpm_nms_log(QTPM_LOG_INFO, "compacted", "verdicts", v, "events", e, "measurements", m,
                 "more", more ? "yes" : "no", NULL);
}

int qtpm_nms_compact_cli(const char *db_url, const qtpm_store_retention *r, int json)
{
    char err[512];
    qtpm_store *st;
    if (qtpm_store_open(db_url, &st, err, sizeof err)) {
        fprintf(stderr, "qtpm-nms compact: %s\n", err);
        return 1;
    }
    qtpm_store_compacted sum;
    int more = 0;
    /* Bounded: 10,000 steps of r->batch rows per table. */
    int rc = qtpm_nms_compact_steps(st, r, 10000, &sum, &more);
    if (rc)
        fprintf(stderr, "qtpm-nms compact: %s\n", qtpm_store_errmsg(st));
    else if (json)
        printf("{\"verdicts\":%lld,\"events\":%lld,\"measurements\":%lld,\"more\":%s}\n",
               (long long)sum.verdicts, (long long)sum.events, (long long)sum.measurements,
               more ? "true" : "false");
    else
        printf("deleted %lld verdicts, %lld verdict events, %lld measurement chunks%s\n",
               (long long)sum.verdicts, (long long)sum.events, (long long)sum.measurements,
               more ? " (more remain: run again)" : "");
    qtpm_store_close(st);
    return rc ? 1 : 0;
}

struct log_ctx {
    int64_t next; /* the index the next chunk should start at */
    int bad;
};

static int print_chunk(void *ctx, int64_t boot, int64_t first, int64_t entries,
                       const uint8_t *list, size_t len, int64_t t)
{
    (void)t;
    struct log_ctx *lc = ctx;
    if (lc->next < 0)
        printf("# boot %lld\n", (long long)boot);
    else if (first != lc->next)
        printf("# entries %lld..%lld not stored\n", (long long)lc->next, (long long)first - 1);
    qtpm_ima_list l = {0};
    if (qtpm_ima_parse_binary(list, len, &l) != QTPM_ATTEST_OK || l.count != (size_t)entries) {
        fprintf(stderr, "qtpm-nms router log: the chunk at %lld does not parse\n",
                (long long)first);
        qtpm_ima_list_free(&l);
        lc->bad = 1;
        return 1;
    }
    for (size_t i = 0; i < l.count; i++) {
        char *line = NULL;
        if (qtpm_ima_format_ascii(&l.entries[i], &line) == QTPM_ATTEST_OK)
            printf("%lld %s\n", (long long)first + (long long)i, line);
        free(line);
    }
    qtpm_ima_list_free(&l);
    lc->next = first + entries;
    return 0;
}

int qtpm_nms_router_log_cli(const char *db_url, const char *router, int64_t boot)
{
    char err[512];
    qtpm_store *st;
    if (qtpm_store_open(db_url, &st, err, sizeof err)) {
        fprintf(stderr, "qtpm-nms router log: %s\n", err);
        return 1;
    }
    struct log_ctx lc = {.next = -1};
    int rc = qtpm_store_measurements_each(st, router, boot, print_chunk, &lc);
    if (rc)
        fprintf(stderr, "qtpm-nms router log: %s\n", qtpm_store_errmsg(st));
    qtpm_store_close(st);
    return rc || lc.bad ? 1 : 0;
}
