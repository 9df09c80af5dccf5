/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * crash_writer.c — the two halves of the store's crash test (tests/store/crash.sh).
 *
 *   crash_writer URL write     opens the store and, for at most 20 s or 100000 rounds,
 *                              commits one transaction per round — a router, an event and
 *                              a certificate (which adds a second event, nested) — and after
 *                              each COMMIT returns prints the number of routers now stored,
 *                              one line written with a single write(2): an acknowledgement.
 *   crash_writer URL check N   opens the store (migrating it if the kill hit the first
 *                              open) and checks that nothing acknowledged was lost and
 *                              nothing is half-written: N <= routers <= N + 1 (the one in
 *                              flight may or may not have committed), the routers are
 *                              w1..wN without a gap, as many certificates as routers, and
 *                              each router has exactly its two events (one "certificate").
 *
 * crash.sh kills the writer with SIGKILL at a random moment, then runs check, round after
 * round, against SQLite or PostgreSQL. Exit status: 0 good, 1 violation or error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store.h"

/* Per-router tallies, indexed by the number in the router id "wNNNNNN" (1-based). */
struct check {
    int64_t cap, routers, bad;
    int *events, *certificate_events;
};

static int64_t router_index(const char *id, int64_t cap)
{
    if (id[0] != 'w')
        return -1;
    char *end;
    long long n = strtoll(id + 1, &end, 10);
    return *end == '\0' && n >= 1 && n <= cap ? n : -1;
}

static int tally_event(void *ctx, const qtpm_store_event *e)
{
    struct check *c = ctx;
    int64_t i = router_index(e->router, c->cap);
    if (i < 0) {
        fprintf(stderr, "crash_writer: event %" PRId64 " of unexpected router '%s'\n", e->id,
                e->router);
        c->bad++;
        return 0;
    }
    c->events[i]++;
    c->certificate_events[i] += strcmp(e->kind, "certificate") == 0;
    return 0;
}

static int check_router(void *ctx, const qtpm_store_router *r)
{
    struct check *c = ctx;
    int64_t i = router_index(r->id, c->cap);
    c->routers++;
    if (i < 0 || c->events[i] != 2 || c->certificate_events[i] != 1) {
        fprintf(stderr, "crash_writer: router %s: %d events (%d certificate)\n", r->id,
                i < 0 ? -1 : c->events[i], i < 0 ? -1 : c->certificate_events[i]);
        c->bad++;
    }
    return 0;
}

static int do_check(qtpm_store *st, int64_t acked)
{
    int64_t routers = 0, certs = -1, events = -1;
    if (qtpm_store_count(st, "routers", &routers)) {
        fprintf(stderr, "crash_writer: %s\n", qtpm_store_errmsg(st));
        return 1;
    }
    /* Router ids are w1..wN with no gap when nothing was half-written or lost. */
    struct check c = {routers, 0, 0, calloc((size_t)routers + 1, sizeof(int)),
                      calloc((size_t)routers + 1, sizeof(int))};
    int rc = 1;
    if (!c.events || !c.certificate_events)
        goto out;
    if (qtpm_store_event_each(st, 0, tally_event, &c) ||
        qtpm_store_router_each(st, check_router, &c) ||
        qtpm_store_count(st, "certificates", &certs) || qtpm_store_count(st, "events", &events)) {
        fprintf(stderr, "crash_writer: %s\n", qtpm_store_errmsg(st));
        goto out;
    }
    int ok = c.bad == 0 && c.routers == routers && routers >= acked && routers <= acked + 1 &&
             certs == routers && events == 2 * routers;
    fprintf(stderr, "crash_writer: acknowledged %" PRId64 ", stored %" PRId64 " routers, %" PRId64
            " certificates, %" PRId64 " events: %s\n", acked, routers, certs, events,
            ok ? "consistent" : "INCONSISTENT");
    rc = ok ? 0 : 1;
out:
    free(c.events);
    free(c.certificate_events);
    return rc;
}

static int do_write(qtpm_store *st)
{
    int64_t n = 0;
    if (qtpm_store_count(st, "routers", &n)) {
        fprintf(stderr, "crash_writer: %s\n", qtpm_store_errmsg(st));
        return 1;
    }
    uint8_t der[2048];
    for (size_t i = 0; i < sizeof der; i++)
        der[i] = (uint8_t)(i * 7 + 1);
    time_t end = time(NULL) + 20;
    for (int round = 0; round < 100000 && time(NULL) < end; round++) {
        char id[32], serial[40], line[32];
        snprintf(id, sizeof id, "w%06" PRId64, n + 1);
        snprintf(serial, sizeof serial, "serial-%06" PRId64, n + 1);
        int rc = qtpm_store_begin(st);
        if (!rc)
            rc = qtpm_store_router_add(st, id, "crash", "good");
        if (!rc)
            rc = qtpm_store_event_add(st, id, "crash-test", "round", NULL);
        if (!rc)
            rc = qtpm_store_certificate_add(st, id, "tls", serial, der, sizeof der);
        if (!rc)
            rc = qtpm_store_commit(st);
        else
            qtpm_store_rollback(st);
        if (rc) {
            fprintf(stderr, "crash_writer: round %d: %s\n", round, qtpm_store_errmsg(st));
            return 1;
        }
        n++;
        int len = snprintf(line, sizeof line, "%" PRId64 "\n", n);
        if (write(STDOUT_FILENO, line, (size_t)len) != len)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3 || (strcmp(argv[2], "write") && (strcmp(argv[2], "check") || argc < 4))) {
        fprintf(stderr, "usage: crash_writer URL write | crash_writer URL check N\n");
        return 2;
    }
    qtpm_store *st = NULL;
    char err[256];
    if (qtpm_store_open(argv[1], &st, err, sizeof err)) {
        fprintf(stderr, "crash_writer: open: %s\n", err);
        return 1;
    }
    int rc = strcmp(argv[2], "write") == 0 ? do_write(st) : do_check(st, strtoll(argv[3], NULL, 10));
    qtpm_store_close(st);
    return rc;
}
