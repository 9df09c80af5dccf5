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
 */
#include "ops.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"

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
