/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * workers.c — verifier workers that scale out over one shared database (docs/SCALE.md).
 *
 * `qtpm-nms serve --worker URL` makes the process one of any number of workers sharing
 * one PostgreSQL database (SQLite works too, for one machine). There is no coordinator:
 * the database is the only shared thing. Each worker registers itself in the workers
 * table and, every eighth of a period, runs one lease tick (qtpm_store_lease_tick): a
 * heartbeat, workers silent for a lease (half a period) marked dead (a "worker-dead"
 * event, /metrics, GET /api/v1/workers), and routers claimed up to its fair share —
 * unheld ones and those whose holder is not live — with SELECT ... FOR UPDATE SKIP
 * LOCKED, or its excess handed to the least loaded worker. A router's lease is held by
 * its owner while the owner's heartbeat is live, so the heartbeat (one row) renews all of
 * a worker's leases: no router row is rewritten per tick (that cost PostgreSQL a core at
 * 10,000 routers, docs/SCALE.md). A dead worker's leases run out a lease after its last
 * tick, and the next tick of a live worker takes them: its routers move within 0.625
 * periods, well under the 2 periods after which a silent router is marked offline.
 *
 * A router's challenge and evidence are served by the holder of its lease only: another
 * worker answers 307 with the holder's URL (and an unheld router is taken on the spot).
 * The attestation write is fenced: it happens only if the router is still held by this
 * worker at the lease epoch read when the request arrived (qtpm_store_fence), so a
 * worker that stalled past its lease and woke up cannot overwrite the new holder's
 * verifier state — no router is attested by two workers at once. Each worker keeps one
 * database connection (the store's), however many workers run.
 *
 * The leases held are remembered (router → epoch, "the held set"), so a request for a
 * router this worker holds needs no query: every successful tick at T sets this worker's
 * heartbeat to T, nobody may claim a router of a worker whose heartbeat is less than a
 * lease old, so an entry is trusted while now < T + lease/2 (half a lease of margin for
 * the other workers' clocks) — and the set is emptied when two successful ticks are more
 * than half a lease apart (the heartbeat, and so the leases, may have lapsed between
 * them), when the tick found this worker's own row dead or its beat too old (another
 * worker, whose clock runs ahead, may have claimed its routers), when the tick hands
 * routers over, and when a write was refused (409). A wrong entry could only make this
 * worker verify a router it lost; the fence at the write refuses that attestation, as it
 * refuses a stalled worker's.
 */
#include "nms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <openssl/rand.h>

#include "store.h"

struct qtpm_nms_workers {
    qtpm_store *st;
    struct event *tick;
    char id[64];
    char url[256];
    int64_t ttl_ms;
    qtpm_store_lease_tick_result last;
    uint64_t ticks, tick_errors, redirects, lease_lost, takeovers,
        dead_seen, held_hits;
    int64_t tick_ok_ms; /* when the last successful tick began (0: none yet) */
    struct held {
        char router[64];
        int64_t epoch;
    } *held;            /* the held set: open addressing, FNV-1a, emptied all at once */
    size_t held_cap, held_used;
};

#define HELD_MAX (1u << 20)

static uint64_t fnv1a(const char *p)
{
    uint64_t h = 1469598103934665603ull;
    for (; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h;
}

static void held_clear(struct qtpm_nms_workers *w)
{
    if (w->held)
        memset(w->held, 0, w->held_cap * sizeof *w->held);
    w->held_used = 0;
}

/* The slot of router (its entry, or the empty one where it goes); NULL: no table. */
static struct held *held_slot(struct held *t, size_t cap, const char *router)
{
    if (!t)
        return NULL;
    for (size_t i = fnv1a(router) & (cap - 1), k = 0; k < cap; k++, i = (i + 1) & (cap - 1))
        if (!t[i].router[0] || strcmp(t[i].router, router) == 0)
            return &t[i];
    return NULL;
}

static void held_put(struct qtpm_nms_workers *w, const char *router, int64_t epoch)
{
    if (strlen(router) >= sizeof w->held[0].router || w->held_used >= HELD_MAX)
        return;
    if (2 * (w->held_used + 1) > w->held_cap) {
        size_t cap = w->held_cap ? 2 * w->held_cap : 1024;
        struct held *t = calloc(cap, sizeof *t);
        if (!t)
            return;
        for (size_t i = 0; i < w->held_cap; i++)
            if (w->held[i].router[0])
                *held_slot(t, cap, w->held[i].router) = w->held[i];
        free(w->held);
        w->held = t;
        w->held_cap = cap;
    }
    struct held *e = held_slot(w->held, w->held_cap, router);
    if (!e->router[0]) {
        snprintf(e->router, sizeof e->router, "%s", router);
        w->held_used++;
    }
    e->epoch = epoch;
}

static const char *worker_url; /* from --worker, before serve */

void qtpm_nms_set_worker(const char *url) { worker_url = url; }

const char *qtpm_nms_worker_url(void) { return worker_url; }

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct qtpm_nms_workers *w = arg;
    qtpm_store_lease_tick_result r;
    w->ticks++;
    int64_t tick_started = qtpm_store_now_ms();
    if (qtpm_store_lease_tick(w->st, w->id, tick_started, w->ttl_ms, &r)) {
        w->tick_errors++;
        fprintf(stderr, "qtpm-nms: worker %s: lease tick: %s\n", w->id,
                qtpm_store_errmsg(w->st));
        return;
    }
    /* The held set stays trusted only if the leases never lapsed: this tick came within
     * half a lease of the last good one, our own row was still live and fresh when the
     * heartbeat renewed it (r.lapsed, read in the database: also catches being marked
     * dead by a worker whose clock runs ahead), and nothing was handed away. */
    int64_t t = tick_started;
    if (!w->tick_ok_ms || t - w->tick_ok_ms > w->ttl_ms / 2 || r.lapsed || r.handed) {
        held_clear(w);
        /* and what it remembers of the routers' verifier states: another worker may
         * have attested them meanwhile (the compare-and-set would refuse each once) */
        qtpm_store_cache_forget_all(w->st);
    }
    w->tick_ok_ms = t;
    w->takeovers += (uint64_t)r.taken_over;
    w->dead_seen += (uint64_t)r.dead_marked;
    if (r.dead_marked || r.taken_over || r.handed || r.lapsed)
        fprintf(stderr, "qtpm-nms: worker %s: %d dead worker(s) noticed, %d router(s) "
                "taken over, %d handed over, %d held%s\n", w->id, r.dead_marked, r.taken_over,
                r.handed, r.owned, r.lapsed ? "; its own heartbeat had lapsed" : "");
    w->last = r;
}

int qtpm_nms_workers_start(struct event_base *base, qtpm_store *st, long period,
                           struct qtpm_nms_workers **out)
{
    *out = NULL;
    if (!worker_url)
        return 0;
    if (strncmp(worker_url, "https://", 8) != 0 || strlen(worker_url) >= 200) {
        fprintf(stderr, "qtpm-nms: --worker wants this worker's https:// URL, as routers "
                        "and the other workers reach it\n");
        return -1;
    }
    struct qtpm_nms_workers *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    w->st = st;
    /* The lease: half a period. A dead worker's routers move within about 0.6 periods,
     * well before a router that attests once a period could be taken for offline (2). */
    w->ttl_ms = (int64_t)period * 500;
    snprintf(w->url, sizeof w->url, "%s", worker_url);
    size_t n = strlen(w->url);
    while (n > 8 && w->url[n - 1] == '/')
        w->url[--n] = '\0';
    char host[64] = "host";
    gethostname(host, sizeof host);
    host[sizeof host - 1] = '\0';
    unsigned char rnd[3];
    if (RAND_bytes(rnd, sizeof rnd) != 1) {
        free(w);
        return -1;
    }
    snprintf(w->id, sizeof w->id, "%.40s-%ld-%02x%02x%02x", host, (long)getpid(), rnd[0],
             rnd[1], rnd[2]);
    /* A worker paused inside a transaction loses it after 2 s, instead of stopping every
     * other worker's writes while it is paused (the others wait at most 5 s). */
    if (qtpm_store_idle_limit(st, 2000) ||
        qtpm_store_worker_register(st, w->id, w->url, host, (int64_t)getpid())) {
        fprintf(stderr, "qtpm-nms: cannot register worker: %s\n", qtpm_store_errmsg(st));
        free(w);
        return -1;
    }
    /* A quarter lease between ticks (at least 250 ms): a lease is renewed three times
     * before it could run out. */
    int64_t every = w->ttl_ms / 4 < 250 ? 250 : w->ttl_ms / 4;
    struct timeval tv = {.tv_sec = (time_t)(every / 1000),
                         .tv_usec = (suseconds_t)(every % 1000) * 1000};
    w->tick = event_new(base, -1, EV_PERSIST, on_tick, w);
    /* The tick runs at the loop's first priority (server.c "Loop priorities"), before
     * the request callbacks: behind a backlog of thousands of requests a heartbeat was
     * 4.5-6.4 s old with a 2.5 s lease (10,000 routers, 2-3 workers, make bench-scale),
     * so a busy worker looked dead and its routers went back and forth. */
    if (w->tick)
        (void)event_priority_set(w->tick, 0);
    if (!w->tick || event_add(w->tick, &tv)) {
        qtpm_nms_workers_free(w);
        return -1;
    }
    on_tick(-1, 0, w); /* claim a share now rather than a tick later */
    fprintf(stderr, "qtpm-nms: worker %s at %s (lease %lld ms)\n", w->id, w->url,
            (long long)w->ttl_ms);
    *out = w;
    return 0;
}

void qtpm_nms_workers_free(struct qtpm_nms_workers *w)
{
    if (!w)
        return;
    if (w->tick)
        event_free(w->tick);
    if (qtpm_store_worker_stop(w->st, w->id))
        fprintf(stderr, "qtpm-nms: worker %s: cannot release its routers: %s\n", w->id,
                qtpm_store_errmsg(w->st));
    free(w->held);
    free(w);
}

const char *qtpm_nms_workers_id(const struct qtpm_nms_workers *w) { return w->id; }

static void reply(struct evhttp_request *r, int code, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    evhttp_add_header(evhttp_request_get_output_headers(r), "Content-Type", "application/json");
    if (text)
        evbuffer_add(evhttp_request_get_output_buffer(r), text, strlen(text));
    free(text);
    evhttp_send_reply(r, code, NULL, NULL);
}

int qtpm_nms_workers_route(struct qtpm_nms_workers *w, struct evhttp_request *r,
                           const char *router, int64_t *epoch, uint64_t *errors)
{
    char owner[64], url[256];
    int64_t now = qtpm_store_now_ms();
    struct held *e = w->tick_ok_ms && now < w->tick_ok_ms + w->ttl_ms / 2
                         ? held_slot(w->held, w->held_cap, router) : NULL;
    if (e && e->router[0]) {
        *epoch = e->epoch;
        w->held_hits++;
        return 1;
    }
    int rc = qtpm_store_lease_acquire(w->st, router, w->id, now, w->ttl_ms, epoch, owner,
                                      url);
    if (rc == QTPM_STORE_OK) {
        held_put(w, router, *epoch);
        return 1;
    }
    json_t *j;
    int code;
    if (rc == QTPM_STORE_NOTFOUND) {
        code = 404;
        j = json_pack("{s:s,s:s}", "error", "not-found", "message", "no such router");
    } else if (rc == QTPM_STORE_CONFLICT && url[0]) {
        /* 307 keeps the method and the body (RFC 9110 §15.4.8): the client sends the
         * same request to the holder of the router's lease. */
        char loc[1024], msg[200];
        const char *uri = evhttp_request_get_uri(r);
        snprintf(loc, sizeof loc, "%s%s", url, uri ? uri : "");
        snprintf(msg, sizeof msg, "router %.63s is served by worker %.63s", router, owner);
        evhttp_add_header(evhttp_request_get_output_headers(r), "Location", loc);
        code = 307;
        j = json_pack("{s:s,s:s,s:s,s:s}", "error", "not-owner", "message", msg, "owner",
                      owner, "location", loc);
        w->redirects++;
    } else {
        code = rc == QTPM_STORE_CONFLICT ? 503 : 500;
        j = json_pack("{s:s,s:s}", "error", rc == QTPM_STORE_CONFLICT ? "owner-unknown" : "store",
                      "message", rc == QTPM_STORE_CONFLICT ? "the router's worker is unknown"
                                                           : qtpm_store_errmsg(w->st));
    }
    if (code != 307)
        (*errors)++;
    reply(r, code, j);
    json_decref(j);
    return 0;
}

void qtpm_nms_workers_lease_lost(struct qtpm_nms_workers *w)
{
    w->lease_lost++;
    held_clear(w); /* the held set was wrong somewhere: ask the database again */
}

static int json_worker(void *ctx, const qtpm_store_worker *w)
{
    json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:I}", "id", w->id,
                                         "url", w->url, "host", w->host, "pid",
                                         (json_int_t)w->pid, "started_ms",
                                         (json_int_t)w->started_ms, "beat_ms",
                                         (json_int_t)w->beat_ms, "state", w->state, "routers",
                                         (json_int_t)w->routers));
    return 0;
}

void qtpm_nms_workers_api(struct qtpm_nms_workers *w, qtpm_store *st, struct evhttp_request *r,
                          uint64_t *errors)
{
    json_t *a = json_array();
    if (qtpm_store_worker_each(st, json_worker, a)) {
        json_decref(a);
        (*errors)++;
        json_t *e = json_pack("{s:s,s:s}", "error", "store", "message", qtpm_store_errmsg(st));
        reply(r, 500, e);
        json_decref(e);
        return;
    }
    json_t *j = json_pack("{s:o,s:s?,s:I}", "workers", a, "self", w ? w->id : NULL,
                          "lease_ms", (json_int_t)(w ? w->ttl_ms : 0));
    reply(r, 200, j);
    json_decref(j);
}

struct count_ctx {
    int64_t live, dead, stopped;
};

static int count_worker(void *ctx, const qtpm_store_worker *w)
{
    struct count_ctx *c = ctx;
    if (!strcmp(w->state, "live"))
        c->live++;
    else if (!strcmp(w->state, "dead"))
        c->dead++;
    else
        c->stopped++;
    return 0;
}

void qtpm_nms_workers_metrics(struct qtpm_nms_workers *w, qtpm_store *st, struct evbuffer *out)
{
    struct count_ctx c = {0};
    if (qtpm_store_worker_each(st, count_worker, &c) == 0)
        evbuffer_add_printf(out,
                            "# HELP qtpm_nms_workers Verifier workers by state (workers table).\n"
                            "# TYPE qtpm_nms_workers gauge\n"
                            "qtpm_nms_workers{state=\"live\"} %lld\n"
                            "qtpm_nms_workers{state=\"dead\"} %lld\n"
                            "qtpm_nms_workers{state=\"stopped\"} %lld\n",
                            (long long)c.live, (long long)c.dead, (long long)c.stopped);
    if (!w)
        return;
    evbuffer_add_printf(
        out,
        "# HELP qtpm_nms_worker_routers Routers whose lease this worker holds.\n"
        "# TYPE qtpm_nms_worker_routers gauge\n"
        "qtpm_nms_worker_routers %d\n"
        "# HELP qtpm_nms_worker_dead_noticed_total Dead workers this worker noticed.\n"
        "# TYPE qtpm_nms_worker_dead_noticed_total counter\n"
        "qtpm_nms_worker_dead_noticed_total %llu\n"
        "# HELP qtpm_nms_worker_takeovers_total Routers taken over from an expired lease.\n"
        "# TYPE qtpm_nms_worker_takeovers_total counter\n"
        "qtpm_nms_worker_takeovers_total %llu\n"
        "# HELP qtpm_nms_worker_redirects_total Requests sent on to the router's worker.\n"
        "# TYPE qtpm_nms_worker_redirects_total counter\n"
        "qtpm_nms_worker_redirects_total %llu\n"
        "# HELP qtpm_nms_worker_lease_lost_total Attestations refused by the fence.\n"
        "# TYPE qtpm_nms_worker_lease_lost_total counter\n"
        "qtpm_nms_worker_lease_lost_total %llu\n"
        "# HELP qtpm_nms_worker_tick_errors_total Lease ticks that failed.\n"
        "# TYPE qtpm_nms_worker_tick_errors_total counter\n"
        "qtpm_nms_worker_tick_errors_total %llu\n",
        w->last.owned, (unsigned long long)w->dead_seen, (unsigned long long)w->takeovers,
        (unsigned long long)w->redirects, (unsigned long long)w->lease_lost,
        (unsigned long long)w->tick_errors);
}
