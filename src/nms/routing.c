/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * routing.c — trust-aware routing in qtpm-nms (docs/ROUTING.md): the routing policy,
 * routing reports, topology, and the enforcement of the policy on the neighbours of
 * each router.
 *
 * Model. Each router reports what its FRR says (interfaces with their OSPF cost and
 * passive flag, OSPF neighbours, routes). A neighbour entry of router N names the OSPF
 * router id of the router T on the other end of one of N's interfaces; T is found by the
 * ospf_router_id of T's own newest report. For every such (N, interface, T) the desired
 * state is the policy's cost for T's trust class (good, unknown — enrolled/enrolling/
 * unknown —, bad, offline) and, when T is bad and bad_action is "exclude", a passive
 * interface (RFC 2328 §9: a passive interface sends no Hellos, so the adjacency goes and
 * the link drops out of the router-LSA and of SPF). The command is sent to N, never to T:
 * a compromised router may ignore commands.
 *
 * Reconciliation (qtpm_nms_routing_changed) compares the desired state of every known
 * interface with its newest command in the store (and, once acknowledged, with what the
 * newest report says) and queues a new command where they differ, superseding the older
 * ones of that interface. It runs after every request that may change a state (evidence,
 * heartbeat, enrolment, reports, acks, policy), from the offline sweep and
 * every 5 s, so a state change made by any path — or by the admin CLI in another
 * process — is enforced. Interfaces already named by a command stay known after their adjacency has
 * gone (an excluded link has no neighbour any more).
 *
 * Delivery is a long poll: GET /routers/<id>/commands holds the evhttp request (no
 * timer polls anything) and queueing a command answers the neighbour's held request at
 * once, in the same event-loop turn as the verdict that caused it. One one-shot timer,
 * armed for the nearest deadline, does the retries: a command delivered and not
 * acknowledged for 2 s is delivered again to the next poll; after 5 deliveries (or 10 s
 * without anybody fetching it) without an ack it is "failed" with an
 * enforcement-failed event, and still delivered every 10 s while it is the newest.
 */
#include "config.h"
#include "routing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define MAX_STREAM_CLIENTS 32
#define REDELIVER_MS 2000
#define MAX_DELIVERIES 5
#define FAIL_AFTER_MS 10000
#define FAILED_RETRY_MS 10000
#define TICK_S 5
#define KEEPALIVE_TICKS 3 /* a keepalive comment every 15 s */

static const double buckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,   0.25,   0.5,   1.0,  2.5};
#define N_BUCKETS (sizeof buckets / sizeof buckets[0])

/* What reconciliation needs of one router's newest report. */
struct ifc {
    char name[32];
    int64_t cost;
    int passive;
};
struct nbr {
    char ospf_id[16];
    char iface[32];
};
struct rep {
    char router[64];
    char ospf_id[16];
    int64_t time_ms;
    struct ifc *ifs;
    size_t nifs;
    struct nbr *nbrs;
    size_t nnbrs;
};

struct rstate {
    char id[64];
    char state[16];
    char hostname[256];
};

struct poll {
    qtpm_nms_routing *rt;
    struct evhttp_request *r;
    struct evhttp_connection *conn;
    char router[64];
    int64_t after;
    struct event *timeout;
    struct poll *next;
};

struct qtpm_nms_routing {
    struct event_base *base;
    qtpm_store *st;
    uint64_t *errors;
    struct rep *reps;
    size_t nreps;
    struct rstate *states;
    size_t nstates;
    int have_states;
    qtpm_store_policy policy;
    int have_policy;
    struct poll *polls;
    qtpm_nms_stream *stream;
    struct event *retry, *tick;
    struct event *defer; /* the snapshot after this loop turn's requests (changed_soon) */
    int64_t pending_ms;  /* the first evidence arrival waiting for that snapshot */
    int64_t last_event; /* the newest event pushed to the stream */
    int64_t evidence_ms; /* arrival of the evidence being handled, 0 outside */
    int64_t scanned_ms; /* the last full look at every router's state (changed()) */
    unsigned ticks;
    uint64_t reroutes, failures;
    uint64_t verdicts[4]; /* good, unknown, bad, refused */
    uint64_t hist[N_BUCKETS];
    uint64_t hcount;
    double hsum;
};

/* ---- replies ---- */

static void reply_json(struct evhttp_request *r, int code, json_t *j)
{
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    evhttp_add_header(evhttp_request_get_output_headers(r), "Content-Type", "application/json");
    if (text)
        evbuffer_add(evhttp_request_get_output_buffer(r), text, strlen(text));
    free(text);
    evhttp_send_reply(r, text || !j ? code : 500, NULL, NULL);
}

static void reply_error(qtpm_nms_routing *rt, struct evhttp_request *r, int code,
                        const char *err, const char *msg)
{
    (*rt->errors)++;
    json_t *j = json_pack("{s:s,s:s}", "error", err, "message", msg);
    reply_json(r, code, j);
    json_decref(j);
}

static void reply_store(qtpm_nms_routing *rt, struct evhttp_request *r)
{
    reply_error(rt, r, 500, "store", qtpm_store_errmsg(rt->st));
}

static void policy_text(const qtpm_store_policy *p, char *out, size_t n)
{
    snprintf(out, n, "good=%lld unknown=%lld bad=%lld offline=%lld bad_action=%s",
             (long long)p->good, (long long)p->unknown, (long long)p->bad,
             (long long)p->offline, p->bad_action);
}

/* ---- reports in memory ---- */

static void rep_clear(struct rep *r)
{
    free(r->ifs);
    free(r->nbrs);
    memset(r, 0, sizeof *r);
}

/* Digest of a valid report (qtpm_nms_report_check passed). */
static int rep_parse(struct rep *out, const char *router, json_t *j, int64_t time_ms)
{
    memset(out, 0, sizeof *out);
    snprintf(out->router, sizeof out->router, "%s", router);
    const char *oid = json_string_value(json_object_get(j, "ospf_router_id"));
    snprintf(out->ospf_id, sizeof out->ospf_id, "%s", oid ? oid : "");
    out->time_ms = time_ms;
    json_t *ifs = json_object_get(j, "interfaces"), *nbs = json_object_get(j, "neighbours");
    size_t ni = json_array_size(ifs), nn = json_array_size(nbs), i;
    out->ifs = calloc(ni ? ni : 1, sizeof *out->ifs);
    out->nbrs = calloc(nn ? nn : 1, sizeof *out->nbrs);
    if (!out->ifs || !out->nbrs) {
        rep_clear(out);
        return -1;
    }
    json_t *e;
    json_array_foreach(ifs, i, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        snprintf(out->ifs[i].name, sizeof out->ifs[i].name, "%s", name ? name : "");
        out->ifs[i].cost = json_integer_value(json_object_get(e, "cost"));
        out->ifs[i].passive = json_is_true(json_object_get(e, "passive"));
    }
    out->nifs = ni;
    json_array_foreach(nbs, i, e) {
        const char *o = json_string_value(json_object_get(e, "ospf_router_id"));
        const char *f = json_string_value(json_object_get(e, "interface"));
        snprintf(out->nbrs[i].ospf_id, sizeof out->nbrs[i].ospf_id, "%s", o ? o : "");
        snprintf(out->nbrs[i].iface, sizeof out->nbrs[i].iface, "%s", f ? f : "");
    }
    out->nnbrs = nn;
    return 0;
}

static struct rep *rep_find(qtpm_nms_routing *rt, const char *router)
{
    for (size_t i = 0; i < rt->nreps; i++)
        if (!strcmp(rt->reps[i].router, router))
            return &rt->reps[i];
    return NULL;
}

static struct rep *rep_by_ospf(qtpm_nms_routing *rt, const char *ospf_id)
{
    for (size_t i = 0; i < rt->nreps; i++)
        if (!strcmp(rt->reps[i].ospf_id, ospf_id))
            return &rt->reps[i];
    return NULL;
}

static const struct ifc *rep_ifc(const struct rep *r, const char *name)
{
    for (size_t i = 0; r && i < r->nifs; i++)
        if (!strcmp(r->ifs[i].name, name))
            return &r->ifs[i];
    return NULL;
}

/* Puts (replaces) the digest of one router's report. */
static int rep_put(qtpm_nms_routing *rt, struct rep *nr)
{
    struct rep *old = rep_find(rt, nr->router);
    if (old) {
        rep_clear(old);
        *old = *nr;
        return 0;
    }
    struct rep *a = realloc(rt->reps, (rt->nreps + 1) * sizeof *a);
    if (!a)
        return -1;
    rt->reps = a;
    rt->reps[rt->nreps++] = *nr;
    return 0;
}

static int load_report(void *ctx, const char *router, const char *json, int64_t time_ms)
{
    qtpm_nms_routing *rt = ctx;
    json_t *j = json_loads(json, 0, NULL);
    struct rep r;
    if (j && rep_parse(&r, router, j, time_ms) == 0 && rep_put(rt, &r))
        rep_clear(&r);
    json_decref(j);
    return 0;
}

/* ---- states ---- */

static const char *state_class(const char *state)
{
    if (!strcmp(state, "good") || !strcmp(state, "bad") || !strcmp(state, "offline"))
        return state;
    return "unknown"; /* enrolled, enrolling, unknown */
}

/* rt->states is sorted by id (strcmp order, see changed): a binary search, since
 * the snapshot is compared router by router after every change. */
static int rstate_cmp(const void *a, const void *b)
{
    return strcmp(((const struct rstate *)a)->id, ((const struct rstate *)b)->id);
}

static const struct rstate *state_of(qtpm_nms_routing *rt, const char *id)
{
    struct rstate key;
    snprintf(key.id, sizeof key.id, "%s", id);
    return rt->nstates ? bsearch(&key, rt->states, rt->nstates, sizeof key, rstate_cmp) : NULL;
}

struct states_acc {
    struct rstate *a;
    size_t n, cap;
    int oom;
};

static int add_state(void *ctx, const qtpm_store_router *r)
{
    struct states_acc *s = ctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        struct rstate *a = realloc(s->a, cap * sizeof *a);
        if (!a) {
            s->oom = 1;
            return 1;
        }
        s->a = a;
        s->cap = cap;
    }
    struct rstate *x = &s->a[s->n++];
    snprintf(x->id, sizeof x->id, "%s", r->id);
    snprintf(x->state, sizeof x->state, "%s", r->state);
    snprintf(x->hostname, sizeof x->hostname, "%s", r->hostname);
    return 0;
}

/* ---- commands ---- */

struct cmds {
    qtpm_store_command *a;
    size_t n, cap;
    int oom;
};

static int add_cmd(void *ctx, const qtpm_store_command *c)
{
    struct cmds *s = ctx;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        qtpm_store_command *a = realloc(s->a, cap * sizeof *a);
        if (!a) {
            s->oom = 1;
            return 1;
        }
        s->a = a;
        s->cap = cap;
    }
    s->a[s->n++] = *c;
    return 0;
}

static int load_cmds(qtpm_nms_routing *rt, const char *router, int open_only, struct cmds *c)
{
    memset(c, 0, sizeof *c);
    if (qtpm_store_command_each(rt->st, router, open_only, add_cmd, c) || c->oom) {
        free(c->a);
        memset(c, 0, sizeof *c);
        return -1;
    }
    return 0;
}

static qtpm_store_command *cmd_for(struct cmds *c, const char *router, const char *iface)
{
    for (size_t i = 0; i < c->n; i++)
        if (!strcmp(c->a[i].router, router) && !strcmp(c->a[i].interface, iface))
            return &c->a[i];
    return NULL;
}

static json_t *cmd_json(const qtpm_store_command *c)
{
    return json_pack("{s:I,s:s,s:s,s:I,s:b,s:s,s:s,s:I}", "seq", (json_int_t)c->seq, "kind",
                     "ospf-interface", "interface", c->interface, "cost", (json_int_t)c->cost,
                     "excluded", c->excluded, "toward", c->toward, "reason", c->reason,
                     "issued_ms", (json_int_t)c->issued_ms);
}

/* ---- links ---- */

/* One interface of `router` facing `toward`, with the state the policy wants for it. */
struct half {
    char router[64];
    char iface[32];
    char toward[64];
    int64_t cost;
    int excluded;
    int neighbour; /* seen in router's neighbour list now */
    int used;      /* paired (topology) */
};

struct halves {
    struct half *a;
    size_t n, cap;
};

static void halves_add(struct halves *h, const char *router, const char *iface,
                       const char *toward, int neighbour)
{
    for (size_t i = 0; i < h->n; i++)
        if (!strcmp(h->a[i].router, router) && !strcmp(h->a[i].iface, iface)) {
            h->a[i].neighbour |= neighbour;
            if (neighbour) /* what the router says now wins over an old command */
                snprintf(h->a[i].toward, sizeof h->a[i].toward, "%s", toward);
            return;
        }
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 32;
        struct half *a = realloc(h->a, cap * sizeof *a);
        if (!a)
            return;
        h->a = a;
        h->cap = cap;
    }
    struct half *x = &h->a[h->n++];
    memset(x, 0, sizeof *x);
    snprintf(x->router, sizeof x->router, "%s", router);
    snprintf(x->iface, sizeof x->iface, "%s", iface);
    snprintf(x->toward, sizeof x->toward, "%s", toward);
    x->neighbour = neighbour;
}

/* Every interface facing a known router: from the reports' neighbours and from the
 * newest commands (which keep an excluded link known after its adjacency went). */
static void build_halves(qtpm_nms_routing *rt, struct cmds *c, struct halves *h)
{
    memset(h, 0, sizeof *h);
    for (size_t i = 0; i < rt->nreps; i++) {
        struct rep *r = &rt->reps[i];
        for (size_t k = 0; k < r->nnbrs; k++) {
            struct rep *t = rep_by_ospf(rt, r->nbrs[k].ospf_id);
            if (t && t != r && state_of(rt, t->router) && state_of(rt, r->router))
                halves_add(h, r->router, r->nbrs[k].iface, t->router, 1);
        }
    }
    for (size_t i = 0; c && i < c->n; i++)
        if (state_of(rt, c->a[i].toward) && state_of(rt, c->a[i].router))
            halves_add(h, c->a[i].router, c->a[i].interface, c->a[i].toward, 0);
    for (size_t i = 0; i < h->n; i++) {
        const struct rstate *t = state_of(rt, h->a[i].toward);
        const char *cls = state_class(t ? t->state : "unknown");
        h->a[i].cost = *qtpm_nms_policy_cost(&rt->policy, cls);
        h->a[i].excluded = !strcmp(cls, "bad") && !strcmp(rt->policy.bad_action, "exclude");
    }
}

/* Does the newest report of router show iface in the desired state? */
static int reported_matches(qtpm_nms_routing *rt, const struct half *h)
{
    const struct ifc *f = rep_ifc(rep_find(rt, h->router), h->iface);
    if (!f)
        return 0;
    return h->excluded ? f->passive : (!f->passive && f->cost == h->cost);
}

/* ---- delivery ---- */

static void arm_retry(qtpm_nms_routing *rt);
static void push_routing(qtpm_nms_routing *rt, const char *id);

static void poll_free(struct poll *p)
{
    struct poll **pp = &p->rt->polls;
    while (*pp && *pp != p)
        pp = &(*pp)->next;
    if (*pp)
        *pp = p->next;
    if (p->timeout)
        event_free(p->timeout);
    free(p);
}

/* The commands of router due for delivery to a poll with `after` at now (deliveries are
 * counted); NULL on a store error. */
static json_t *deliverable(qtpm_nms_routing *rt, const char *router, int64_t after,
                           int64_t now)
{
    struct cmds c;
    if (load_cmds(rt, router, 1, &c))
        return NULL;
    json_t *a = json_array();
    for (size_t i = 0; a && i < c.n; i++) {
        qtpm_store_command *x = &c.a[i];
        int due = x->deliveries == 0 || x->seq > after ||
                  (!strcmp(x->status, "pending") && now - x->delivered_ms >= REDELIVER_MS) ||
                  (!strcmp(x->status, "failed") && now - x->delivered_ms >= FAILED_RETRY_MS);
        if (!due)
            continue;
        if (qtpm_store_command_delivered(rt->st, x->seq, now)) {
            json_decref(a);
            a = NULL;
            break;
        }
        json_array_append_new(a, cmd_json(x));
    }
    free(c.a);
    return a;
}

static void poll_answer(struct poll *p, json_t *cmds)
{
    evhttp_connection_set_closecb(p->conn, NULL, NULL);
    evhttp_connection_set_timeout(p->conn, 30);
    json_t *j = json_pack("{s:o}", "commands", cmds);
    reply_json(p->r, 200, j);
    json_decref(j);
    poll_free(p);
}

/* Answers the held polls of router (every router when NULL) that have something due. */
static void wake_polls(qtpm_nms_routing *rt, const char *router)
{
    int64_t now = qtpm_store_now_ms();
    struct poll *p = rt->polls;
    while (p) {
        struct poll *next = p->next;
        if (!router || !strcmp(p->router, router)) {
            json_t *a = deliverable(rt, p->router, p->after, now);
            if (!a) {
                evhttp_connection_set_closecb(p->conn, NULL, NULL);
                reply_store(rt, p->r);
                poll_free(p);
            } else if (json_array_size(a) > 0) {
                poll_answer(p, a);
                next = rt->polls; /* the list changed: start over (bounded: one fewer) */
            } else {
                json_decref(a);
            }
        }
        p = next;
    }
}

static void on_poll_timeout(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct poll *p = arg;
    poll_answer(p, json_array());
}

static void on_poll_close(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    struct poll *p = arg;
    /* A client gone (EOF): evhttp has detached the unanswered request and leaves it to
     * us; at evhttp_free it is still attached and evhttp frees it (libevent 2.1 http.c,
     * evhttp_connection_incoming_fail). */
    if (!evhttp_request_get_connection(p->r))
        evhttp_request_free(p->r);
    poll_free(p);
}

/* ---- retries ---- */

static void retry_pass(qtpm_nms_routing *rt)
{
    struct cmds c;
    int64_t now = qtpm_store_now_ms();
    if (load_cmds(rt, NULL, 1, &c)) {
        qtpm_nms_log(QTPM_LOG_ERROR, "retry failed", "error", qtpm_store_errmsg(rt->st), NULL);
        return;
    }
    for (size_t i = 0; i < c.n; i++) {
        qtpm_store_command *x = &c.a[i];
        /* 5 deliveries without an ack; or nobody fetched it for 10 s (a dead agent
         * never makes 5 deliveries). */
        int64_t last = x->deliveries ? x->delivered_ms : x->issued_ms;
        int quiet = x->deliveries == 0 || now - x->delivered_ms >= REDELIVER_MS;
        if (strcmp(x->status, "pending") || !quiet ||
            (x->deliveries < MAX_DELIVERIES && now - last < FAIL_AFTER_MS))
            continue;
        char detail[400];
        snprintf(detail, sizeof detail, "seq %lld %s %s cost %lld%s toward %s: no "
                 "acknowledgement after %lld deliveries in %lld ms", (long long)x->seq,
                 x->router, x->interface, (long long)x->cost, x->excluded ? " excluded" : "",
                 x->toward, (long long)x->deliveries, (long long)(now - x->issued_ms));
        if (qtpm_store_command_fail(rt->st, x->seq, detail)) {
            qtpm_nms_log(QTPM_LOG_ERROR, "retry failed", "error", qtpm_store_errmsg(rt->st), NULL);
            continue;
        }
        rt->failures++;
        push_routing(rt, x->router);
    }
    free(c.a);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    qtpm_nms_routing *rt = arg;
    retry_pass(rt);
    wake_polls(rt, NULL);
    arm_retry(rt);
    qtpm_nms_routing_changed(rt); /* pushes the failure events */
}

/* The timer for the nearest deadline still ahead (a redelivery, a failure, a failed
 * command's 10 s retry); deadlines already past wait for the next poll. */
static void arm_retry(qtpm_nms_routing *rt)
{
    struct cmds c;
    if (!rt->retry || load_cmds(rt, NULL, 1, &c))
        return;
    int64_t now = qtpm_store_now_ms(), next = INT64_MAX;
    for (size_t i = 0; i < c.n; i++) {
        qtpm_store_command *x = &c.a[i];
        int64_t d[2] = {INT64_MAX, INT64_MAX};
        if (!strcmp(x->status, "pending")) {
            d[0] = x->deliveries ? x->delivered_ms + REDELIVER_MS : INT64_MAX;
            d[1] = (x->deliveries ? x->delivered_ms : x->issued_ms) + FAIL_AFTER_MS;
        } else if (x->deliveries) {
            d[0] = x->delivered_ms + FAILED_RETRY_MS;
        }
        for (int k = 0; k < 2; k++)
            if (d[k] > now && d[k] < next)
                next = d[k];
    }
    free(c.a);
    event_del(rt->retry);
    if (next == INT64_MAX)
        return;
    int64_t ms = next - now;
    struct timeval tv = {.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000};
    event_add(rt->retry, &tv);
}

/* ---- the stream ---- */

static void push_routing(qtpm_nms_routing *rt, const char *id)
{
    json_t *j = json_pack("{s:s}", "id", id);
    qtpm_nms_stream_push(rt->stream, "routing", -1, j);
    json_decref(j);
}

static json_t *event_json(const qtpm_store_event *e)
{
    json_t *j = json_pack("{s:I,s:I,s:I,s:s,s:s}", "id", (json_int_t)e->id, "time",
                          (json_int_t)e->time, "time_ms", (json_int_t)e->time_ms, "kind",
                          e->kind, "detail", e->detail);
    json_object_set_new(j, "router", e->router[0] ? json_string(e->router) : json_null());
    return j;
}

static int push_event(void *ctx, const qtpm_store_event *e)
{
    qtpm_nms_routing *rt = ctx;
    json_t *j = event_json(e);
    qtpm_nms_stream_push(rt->stream, "event", e->id, j);
    json_decref(j);
    rt->last_event = e->id;
    return 0;
}

static void push_events(qtpm_nms_routing *rt)
{
    if (qtpm_nms_stream_clients(rt->stream) == 0) {
        rt->last_event = -1; /* looked up again when a client comes */
        return;
    }
    if (rt->last_event < 0 && qtpm_store_event_last(rt->st, &rt->last_event))
        return;
    if (qtpm_store_event_each(rt->st, rt->last_event, push_event, rt))
        qtpm_nms_log(QTPM_LOG_ERROR, "stream failed", "error", qtpm_store_errmsg(rt->st), NULL);
}

/* ---- reconciliation ---- */

static int enqueue(qtpm_nms_routing *rt, const struct half *h, const char *why)
{
    qtpm_store_command c;
    memset(&c, 0, sizeof c);
    snprintf(c.router, sizeof c.router, "%s", h->router);
    snprintf(c.interface, sizeof c.interface, "%s", h->iface);
    snprintf(c.toward, sizeof c.toward, "%s", h->toward);
    c.cost = h->cost;
    c.excluded = h->excluded;
    snprintf(c.reason, sizeof c.reason, "%s", why);
    char detail[480], ev[48] = "";
    if (rt->evidence_ms)
        snprintf(ev, sizeof ev, "; evidence_ms=%lld", (long long)rt->evidence_ms);
    snprintf(detail, sizeof detail, "%s %s cost %lld%s toward %s (%s)%s", h->router, h->iface,
             (long long)h->cost, h->excluded ? " excluded" : "", h->toward, why, ev);
    if (qtpm_store_command_add(rt->st, &c, detail)) {
        qtpm_nms_log(QTPM_LOG_ERROR, "enforce failed", "error", qtpm_store_errmsg(rt->st), NULL);
        return -1;
    }
    return 0;
}

static void reconcile(qtpm_nms_routing *rt)
{
    struct cmds c;
    struct halves h;
    if (load_cmds(rt, NULL, 0, &c)) {
        qtpm_nms_log(QTPM_LOG_ERROR, "enforce failed", "error", qtpm_store_errmsg(rt->st), NULL);
        return;
    }
    build_halves(rt, &c, &h);
    int64_t now = qtpm_store_now_ms();
    char **woken = calloc(h.n ? h.n : 1, sizeof *woken);
    size_t nwoken = 0;
    for (size_t i = 0; i < h.n; i++) {
        struct half *x = &h.a[i];
        qtpm_store_command *last = cmd_for(&c, x->router, x->iface);
        const struct rstate *t = state_of(rt, x->toward);
        char why[160];
        snprintf(why, sizeof why, "%s %s", x->toward, t ? t->state : "unknown");
        int queue = 0;
        if (!last) {
            queue = !reported_matches(rt, x);
        } else if (last->cost != x->cost || last->excluded != x->excluded ||
                   strcmp(last->toward, x->toward)) {
            queue = 1;
        } else if (!strcmp(last->status, "ok") && !reported_matches(rt, x)) {
            /* Acknowledged, yet a report newer than the ack shows another state: the
             * agent's FRR lost it (restart, operator): send it again, at most once a
             * second per interface. */
            const struct rep *r = rep_find(rt, x->router);
            if (r && r->time_ms > last->acked_ms && now - last->issued_ms >= 1000) {
                queue = 1;
                snprintf(why, sizeof why, "reconcile: report differs; %s %s", x->toward,
                         t ? t->state : "unknown");
            }
        }
        if (queue && enqueue(rt, x, why) == 0 && woken) {
            size_t k = 0;
            while (k < nwoken && strcmp(woken[k], x->router))
                k++;
            if (k == nwoken)
                woken[nwoken++] = x->router;
        }
    }
    for (size_t k = 0; k < nwoken; k++) {
        wake_polls(rt, woken[k]);
        push_routing(rt, woken[k]);
    }
    if (nwoken)
        arm_retry(rt);
    free(woken);
    free(h.a);
    free(c.a);
}

static void changed(qtpm_nms_routing *rt, int force)
{
    struct states_acc s = {0};
    rt->scanned_ms = qtpm_store_now_ms();
    qtpm_store_policy p;
    if (qtpm_store_router_each(rt->st, add_state, &s) || s.oom ||
        qtpm_store_policy_get(rt->st, &p)) {
        free(s.a);
        qtpm_nms_log(QTPM_LOG_ERROR, "routing failed", "error", qtpm_store_errmsg(rt->st), NULL);
        return;
    }
    if (s.n > 1) /* the store's ORDER BY id follows the database's collation */
        qsort(s.a, s.n, sizeof *s.a, rstate_cmp);
    int differ = force || !rt->have_states || !rt->have_policy || s.n != rt->nstates ||
                 memcmp(&p, &rt->policy, sizeof p) != 0;
    for (size_t i = 0; i < s.n; i++) {
        /* Both lists come in the store's order: the same index is nearly always the
         * same router, which keeps this pass linear in the number of routers. */
        const struct rstate *old =
            !rt->have_states ? NULL
            : i < rt->nstates && !strcmp(rt->states[i].id, s.a[i].id) ? &rt->states[i]
                                                                      : state_of(rt, s.a[i].id);
        if (old && !strcmp(old->state, s.a[i].state) && !strcmp(old->hostname, s.a[i].hostname))
            continue;
        differ = 1;
        json_t *j = json_pack("{s:s,s:s,s:s}", "id", s.a[i].id, "state", s.a[i].state,
                              "hostname", s.a[i].hostname);
        qtpm_nms_stream_push(rt->stream, "router", -1, j);
        json_decref(j);
    }
    if (rt->have_policy && memcmp(&p, &rt->policy, sizeof p) != 0) {
        json_t *j = qtpm_nms_policy_json(&p);
        qtpm_nms_stream_push(rt->stream, "policy", -1, j);
        json_decref(j);
    }
    free(rt->states);
    rt->states = s.a;
    rt->nstates = s.n;
    rt->have_states = 1;
    rt->policy = p;
    rt->have_policy = 1;
    if (differ)
        reconcile(rt);
    push_events(rt);
}

/* A state change asks for one snapshot of every router (a read of the whole routers
 * table) after the requests of this loop turn, not one per request: under load many
 * evidence replies share it, idle it follows the request at once. */
static void on_defer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    qtpm_nms_routing *rt = arg;
    rt->evidence_ms = rt->pending_ms;
    rt->pending_ms = 0;
    changed(rt, 0);
    rt->evidence_ms = 0;
}

void qtpm_nms_routing_changed(qtpm_nms_routing *rt)
{
    if (rt->evidence_ms && !rt->pending_ms)
        rt->pending_ms = rt->evidence_ms;
    event_active(rt->defer, EV_TIMEOUT, 1);
}

/* A report or an ack changed what reconciliation compares against. */
static void changed_routing(qtpm_nms_routing *rt) { changed(rt, 1); }

void qtpm_nms_routing_attested(qtpm_nms_routing *rt, const char *verdict, double seconds,
                               int64_t received_ms)
{
    int k = !verdict ? 3 : !strcmp(verdict, "good") ? 0 : !strcmp(verdict, "bad") ? 2 : 1;
    rt->verdicts[k]++;
    if (verdict) {
        for (size_t i = 0; i < N_BUCKETS; i++)
            if (seconds <= buckets[i])
                rt->hist[i]++;
        rt->hcount++;
        rt->hsum += seconds;
    }
    rt->evidence_ms = received_ms;
    qtpm_nms_routing_changed(rt);
    rt->evidence_ms = 0;
}

void qtpm_nms_routing_attested_router(qtpm_nms_routing *rt, const char *router,
                                      const char *verdict, double seconds, int64_t received_ms)
{
    /* A verdict that repeats the state this worker last saw changes nothing to enforce:
     * the look at every router's state (a query over the whole table) is skipped, so an
     * attestation costs the same with 50 or 50 000 routers. Another worker's changes are
     * seen by the next full look, at most a second later. */
    const struct rstate *o = verdict && rt->have_states && rt->have_policy ? state_of(rt, router)
                                                                           : NULL;
    if (!o || strcmp(o->state, verdict) != 0 || qtpm_store_now_ms() - rt->scanned_ms > 1000) {
        qtpm_nms_routing_attested(rt, verdict, seconds, received_ms);
        return;
    }
    int k = !strcmp(verdict, "good") ? 0 : !strcmp(verdict, "bad") ? 2 : 1;
    rt->verdicts[k]++;
    for (size_t i = 0; i < N_BUCKETS; i++)
        if (seconds <= buckets[i])
            rt->hist[i]++;
    rt->hcount++;
    rt->hsum += seconds;
    push_events(rt);
}

/* ---- handlers ---- */

void qtpm_nms_policy_get(qtpm_nms_routing *rt, struct evhttp_request *r)
{
    qtpm_store_policy p;
    if (qtpm_store_policy_get(rt->st, &p)) {
        reply_store(rt, r);
        return;
    }
    json_t *j = qtpm_nms_policy_json(&p);
    reply_json(r, 200, j);
    json_decref(j);
}

void qtpm_nms_policy_put(qtpm_nms_routing *rt, struct evhttp_request *r, json_t *body)
{
    qtpm_store_policy p, old;
    char msg[200], text[200], detail[240];
    if (qtpm_store_policy_get(rt->st, &p)) {
        reply_store(rt, r);
        return;
    }
    old = p;
    const char *err = qtpm_nms_policy_apply(&p, body, msg, sizeof msg);
    if (err) {
        reply_error(rt, r, 400, err, msg);
        return;
    }
    if (memcmp(&p, &old, sizeof p) != 0) {
        policy_text(&p, text, sizeof text);
        snprintf(detail, sizeof detail, "%s (by operator)", text);
        if (qtpm_store_policy_set(rt->st, &p, detail)) {
            reply_store(rt, r);
            return;
        }
    }
    json_t *j = qtpm_nms_policy_json(&p);
    reply_json(r, 200, j);
    json_decref(j);
    qtpm_nms_routing_changed(rt);
}

void qtpm_nms_report_post(qtpm_nms_routing *rt, struct evhttp_request *r, const char *cn,
                          const char *id, json_t *body)
{
    char msg[200];
    if (strcmp(cn, id) != 0) {
        reply_error(rt, r, 403, "forbidden", "a router may only report its own routing");
        return;
    }
    const char *bad = qtpm_nms_report_check(body, msg, sizeof msg);
    if (bad) {
        reply_error(rt, r, 400, "bad-report", bad);
        return;
    }
    const char *oid = json_string_value(json_object_get(body, "ospf_router_id"));
    struct rep *other = rep_by_ospf(rt, oid);
    if (other && strcmp(other->router, id) != 0) {
        snprintf(msg, sizeof msg, "OSPF router id %s is already reported by router %s", oid,
                 other->router);
        reply_error(rt, r, 409, "conflict", msg);
        return;
    }
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t now = qtpm_store_now_ms();
    struct rep nr;
    if (!text || rep_parse(&nr, id, body, now)) {
        free(text);
        reply_error(rt, r, 500, "internal", "out of memory");
        return;
    }
    int rc = qtpm_store_report_put(rt->st, id, oid, text, now);
    free(text);
    if (rc) {
        rep_clear(&nr);
        if (rc == QTPM_STORE_NOTFOUND)
            reply_error(rt, r, 404, "not-found", "no such router");
        else
            reply_store(rt, r);
        return;
    }
    if (rep_put(rt, &nr))
        rep_clear(&nr);
    json_t *j = json_object();
    reply_json(r, 200, j);
    json_decref(j);
    push_routing(rt, id);
    changed_routing(rt);
}

static json_t *enforcement_json(qtpm_nms_routing *rt, struct halves *h, struct cmds *c,
                                const char *id)
{
    json_t *a = json_array();
    for (size_t i = 0; i < h->n; i++) {
        struct half *x = &h->a[i];
        if (strcmp(x->router, id))
            continue;
        qtpm_store_command *last = cmd_for(c, x->router, x->iface);
        const char *status = "ok";
        if (last && strcmp(last->status, "ok"))
            status = last->status;
        else if (!last && !reported_matches(rt, x))
            status = "pending";
        /* An ack for an older desired state leaves the interface pending. */
        if (last && (last->cost != x->cost || last->excluded != x->excluded))
            status = "pending";
        json_t *e = json_pack("{s:s,s:s,s:I,s:b,s:s,s:I,s:I}", "interface", x->iface,
                              "toward", x->toward, "desired_cost", (json_int_t)x->cost,
                              "excluded", x->excluded, "status", status, "attempts",
                              (json_int_t)(last ? last->deliveries : 0), "seq",
                              (json_int_t)(last ? last->seq : 0));
        if (last && last->error[0])
            json_object_set_new(e, "error", json_string(last->error));
        json_array_append_new(a, e);
    }
    return a;
}

void qtpm_nms_report_get(qtpm_nms_routing *rt, struct evhttp_request *r, const char *id)
{
    qtpm_store_router router;
    int rc = qtpm_store_router_get(rt->st, id, &router);
    if (rc == QTPM_STORE_NOTFOUND) {
        reply_error(rt, r, 404, "not-found", "no such router");
        return;
    }
    char *text = NULL;
    int64_t ms = 0;
    if (rc || ((rc = qtpm_store_report_get(rt->st, id, &text, &ms)) &&
               rc != QTPM_STORE_NOTFOUND)) {
        reply_store(rt, r);
        return;
    }
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    if (!j)
        j = json_pack("{s:n,s:[],s:[],s:[]}", "ospf_router_id", "interfaces", "neighbours",
                      "routes");
    json_object_set_new(j, "id", json_string(id));
    json_object_set_new(j, "state", json_string(router.state));
    json_object_set_new(j, "reported", ms ? json_integer(ms / 1000) : json_null());
    json_object_set_new(j, "reported_ms", ms ? json_integer(ms) : json_null());
    struct cmds c;
    struct halves h;
    if (load_cmds(rt, NULL, 0, &c)) {
        json_decref(j);
        reply_store(rt, r);
        return;
    }
    build_halves(rt, &c, &h);
    json_object_set_new(j, "enforcement", enforcement_json(rt, &h, &c, id));
    free(h.a);
    free(c.a);
    reply_json(r, 200, j);
    json_decref(j);
}

static json_t *cost_json(qtpm_nms_routing *rt, const char *router, const char *iface)
{
    const struct ifc *f = iface ? rep_ifc(rep_find(rt, router), iface) : NULL;
    return f ? json_integer(f->cost) : json_null();
}

static int passive(qtpm_nms_routing *rt, const char *router, const char *iface)
{
    const struct ifc *f = rep_ifc(rep_find(rt, router), iface);
    return f && f->passive;
}

/* The topology as GET /topology shows it; NULL on a store error. */
static json_t *topology_json(qtpm_nms_routing *rt)
{
    struct states_acc s = {0};
    struct cmds c;
    if (qtpm_store_router_each(rt->st, add_state, &s) || s.oom) {
        free(s.a);
        return NULL;
    }
    if (load_cmds(rt, NULL, 0, &c)) {
        free(s.a);
        return NULL;
    }
    json_t *routers = json_array(), *links = json_array();
    for (size_t i = 0; i < s.n; i++) {
        const struct rep *rp = rep_find(rt, s.a[i].id);
        json_t *e = json_pack("{s:s,s:s,s:s}", "id", s.a[i].id, "hostname", s.a[i].hostname,
                              "state", s.a[i].state);
        json_object_set_new(e, "ospf_router_id",
                            rp ? json_string(rp->ospf_id) : json_null());
        json_object_set_new(e, "reported", rp ? json_integer(rp->time_ms / 1000) : json_null());
        json_array_append_new(routers, e);
    }
    struct halves h;
    build_halves(rt, &c, &h);
    for (size_t i = 0; i < h.n; i++) {
        struct half *a = &h.a[i];
        if (a->used)
            continue;
        a->used = 1;
        struct half *b = NULL;
        for (size_t k = 0; k < h.n && !b; k++)
            if (!h.a[k].used && !strcmp(h.a[k].router, a->toward) &&
                !strcmp(h.a[k].toward, a->router))
                b = &h.a[k];
        if (b)
            b->used = 1;
        int excl = passive(rt, a->router, a->iface) || (b && passive(rt, b->router, b->iface));
        excl |= a->excluded || (b && b->excluded); /* what the policy wants now */
        json_t *e = json_pack("{s:s,s:s,s:o,s:s,s:b}", "a", a->router, "a_interface", a->iface,
                              "a_cost", cost_json(rt, a->router, a->iface), "b", a->toward,
                              "excluded", excl);
        json_object_set_new(e, "b_interface", b ? json_string(b->iface) : json_null());
        json_object_set_new(e, "b_cost", b ? cost_json(rt, b->router, b->iface) : json_null());
        json_array_append_new(links, e);
    }
    free(h.a);
    free(c.a);
    free(s.a);
    return json_pack("{s:o,s:o}", "routers", routers, "links", links);
}

void qtpm_nms_topology(qtpm_nms_routing *rt, struct evhttp_request *r)
{
    json_t *j = topology_json(rt);
    if (!j) {
        reply_store(rt, r);
        return;
    }
    reply_json(r, 200, j);
    json_decref(j);
}

int qtpm_nms_topology_read(qtpm_store *st, json_t **out)
{
    *out = NULL;
    qtpm_nms_routing *rt = calloc(1, sizeof *rt);
    if (!rt)
        return -1;
    rt->st = st;
    struct states_acc s = {0};
    int rc = -1;
    if (qtpm_store_report_each(st, load_report, rt) == 0 &&
        qtpm_store_router_each(st, add_state, &s) == 0 && !s.oom &&
        qtpm_store_policy_get(st, &rt->policy) == 0) {
        rt->states = s.a;
        rt->nstates = s.n;
        s.a = NULL;
        *out = topology_json(rt);
        rc = *out ? 0 : -1;
    }
    free(s.a);
    qtpm_nms_routing_free(rt);
    return rc;
}

/* A query parameter as a bounded integer: 1 absent, 0 ok, -1 bad. */
static int query_int(struct evkeyvalq *q, const char *name, int64_t lo, int64_t hi,
                     int64_t *out)
{
    const char *s = evhttp_find_header(q, name);
    if (!s)
        return 1;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < lo || v > hi || (s[0] == '0' && s[1]) || s[0] == '+' ||
        s[0] == ' ')
        return -1;
    *out = v;
    return 0;
}

void qtpm_nms_commands(qtpm_nms_routing *rt, struct evhttp_request *r, const char *cn,
                       const char *id)
{
    if (strcmp(cn, id) != 0) {
        reply_error(rt, r, 403, "forbidden", "a router may only fetch its own commands");
        return;
    }
    int64_t after = 0, wait = 25;
    struct evkeyvalq params;
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r));
    if (evhttp_parse_query_str(query ? query : "", &params) != 0) {
        reply_error(rt, r, 400, "bad-request", "malformed query string");
        return;
    }
    int a = query_int(&params, "after", 0, INT64_MAX, &after);
    int w = query_int(&params, "wait", 0, 30, &wait);
    evhttp_clear_headers(&params);
    if (a < 0 || w < 0) {
        reply_error(rt, r, 400, "bad-request",
                    "after must be a non-negative integer, wait an integer 0..30");
        return;
    }
    qtpm_store_router router;
    int rc = qtpm_store_router_get(rt->st, id, &router);
    if (rc) {
        if (rc == QTPM_STORE_NOTFOUND)
            reply_error(rt, r, 404, "not-found", "no such router");
        else
            reply_store(rt, r);
        return;
    }
    json_t *cmds = deliverable(rt, id, after, qtpm_store_now_ms());
    if (!cmds) {
        reply_store(rt, r);
        return;
    }
    struct evhttp_connection *conn = evhttp_request_get_connection(r);
    struct poll *p = NULL;
    if (json_array_size(cmds) == 0 && wait > 0 && conn)
        p = calloc(1, sizeof *p);
    if (p) {
        p->timeout = evtimer_new(rt->base, on_poll_timeout, p);
        struct timeval tv = {.tv_sec = (time_t)wait};
        if (!p->timeout || evtimer_add(p->timeout, &tv)) {
            if (p->timeout)
                event_free(p->timeout);
            free(p);
            p = NULL;
        }
    }
    if (!p) {
        size_t n = json_array_size(cmds);
        json_t *j = json_pack("{s:o}", "commands", cmds);
        reply_json(r, 200, j);
        json_decref(j);
        if (n)
            arm_retry(rt);
        return;
    }
    json_decref(cmds);
    p->rt = rt;
    p->r = r;
    p->conn = conn;
    p->after = after;
    snprintf(p->router, sizeof p->router, "%s", id);
    p->next = rt->polls;
    rt->polls = p;
    /* Held past evhttp's 30 s idle timeout, and told when the client goes away. */
    evhttp_connection_set_timeout(conn, (int)wait + 30);
    evhttp_connection_set_closecb(conn, on_poll_close, p);
}

void qtpm_nms_ack(qtpm_nms_routing *rt, struct evhttp_request *r, const char *cn,
                  const char *id, json_t *body)
{
    if (strcmp(cn, id) != 0) {
        reply_error(rt, r, 403, "forbidden", "a router may only acknowledge its own commands");
        return;
    }
    /* The path is /api/v1/routers/<id>/commands/<seq>/ack (server.c matched its shape). */
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(r));
    const char *s = path ? strstr(path, "/commands/") : NULL;
    char *end = NULL;
    long long seq = s ? strtoll(s + 10, &end, 10) : -1;
    if (!s || seq <= 0 || !end || strcmp(end, "/ack") != 0 || s[10] == '0') {
        reply_error(rt, r, 400, "bad-request", "the command sequence number must be a "
                    "positive integer");
        return;
    }
    char msg[200];
    const char *bad = qtpm_nms_ack_check(body, msg, sizeof msg);
    if (bad) {
        reply_error(rt, r, 400, "bad-request", bad);
        return;
    }
    qtpm_store_command c;
    int rc = qtpm_store_command_get(rt->st, id, seq, &c);
    if (rc) {
        if (rc == QTPM_STORE_NOTFOUND)
            reply_error(rt, r, 404, "not-found", "no such command for this router");
        else
            reply_store(rt, r);
        return;
    }
    int ok = json_is_true(json_object_get(body, "ok"));
    json_t *fj = json_object_get(body, "fib_ms"), *aj = json_object_get(body, "applied_ms");
    int64_t recv = json_integer_value(json_object_get(body, "received_ms"));
    int64_t applied = json_is_integer(aj) ? json_integer_value(aj) : 0;
    int64_t fib = json_is_integer(fj) ? json_integer_value(fj) : -1;
    char err[256] = "";
    const char *e = json_string_value(json_object_get(body, "error"));
    for (size_t i = 0; e && e[i] && i < sizeof err - 1; i++) {
        unsigned char ch = (unsigned char)e[i];
        err[i] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
        err[i + 1] = '\0';
    }
    int repeat = c.acked_ms != 0 && !strcmp(c.status, ok ? "ok" : "failed");
    if (!repeat) {
        char detail[1024], fibs[32];
        if (fib >= 0)
            snprintf(fibs, sizeof fibs, "%lld", (long long)fib);
        else
            snprintf(fibs, sizeof fibs, "null");
        snprintf(detail, sizeof detail, "seq %lld %s %s cost %lld%s toward %s%s: issued_ms=%lld "
                 "delivered_ms=%lld received_ms=%lld applied_ms=%lld fib_ms=%s%s%.200s",
                 seq, c.router, c.interface, (long long)c.cost, c.excluded ? " excluded" : "",
                 c.toward, strcmp(c.status, "superseded") ? "" : " (superseded)",
                 (long long)c.issued_ms, (long long)c.delivered_ms, (long long)recv,
                 (long long)applied, fibs, err[0] ? " error: " : "", err);
        const char *kind = ok ? "enforced" : "enforcement-failed";
        if (qtpm_store_command_ack(rt->st, seq, ok, recv, applied, fib, err, kind, detail)) {
            reply_store(rt, r);
            return;
        }
        if (ok)
            rt->reroutes++;
        else
            rt->failures++;
    }
    json_t *j = json_object();
    reply_json(r, 200, j);
    json_decref(j);
    push_routing(rt, id);
    arm_retry(rt);
    changed_routing(rt);
}

void qtpm_nms_stream_open(qtpm_nms_routing *rt, struct evhttp_request *r)
{
    int64_t last = 0;
    if (qtpm_store_event_last(rt->st, &last)) {
        reply_store(rt, r);
        return;
    }
    if (qtpm_nms_stream_add(rt->stream, r, last) == 0 && rt->last_event < 0)
        rt->last_event = last;
    else if (qtpm_nms_stream_clients(rt->stream) == MAX_STREAM_CLIENTS)
        (*rt->errors)++;
}

/* ---- metrics ---- */

struct count_acc {
    const char *state;
    int64_t n;
};

void qtpm_nms_routing_metrics(qtpm_nms_routing *rt, struct evbuffer *out)
{
    static const char *const states[] = {"enrolling", "enrolled", "good", "unknown", "bad",
                                         "offline"};
    struct states_acc s = {0};
    if (qtpm_store_router_each(rt->st, add_state, &s) == 0 && !s.oom) {
        evbuffer_add_printf(out, "# HELP qtpm_nms_routers Routers per trust state.\n"
                                 "# TYPE qtpm_nms_routers gauge\n");
        for (size_t k = 0; k < sizeof states / sizeof states[0]; k++) {
            int64_t n = 0;
            for (size_t i = 0; i < s.n; i++)
                n += !strcmp(s.a[i].state, states[k]);
            evbuffer_add_printf(out, "qtpm_nms_routers{state=\"%s\"} %lld\n", states[k],
                                (long long)n);
        }
    }
    free(s.a);
    static const char *const verdicts[] = {"good", "unknown", "bad", "refused"};
    evbuffer_add_printf(out, "# HELP qtpm_nms_attestations_total Evidence answered, by "
                             "verdict (refused: no verdict).\n"
                             "# TYPE qtpm_nms_attestations_total counter\n");
    for (size_t k = 0; k < 4; k++)
        evbuffer_add_printf(out, "qtpm_nms_attestations_total{verdict=\"%s\"} %llu\n",
                            verdicts[k], (unsigned long long)rt->verdicts[k]);
    evbuffer_add_printf(out, "# HELP qtpm_nms_verdict_duration_seconds Time from evidence "
                             "received to verdict.\n"
                             "# TYPE qtpm_nms_verdict_duration_seconds histogram\n");
    for (size_t i = 0; i < N_BUCKETS; i++)
        evbuffer_add_printf(out, "qtpm_nms_verdict_duration_seconds_bucket{le=\"%g\"} %llu\n",
                            buckets[i], (unsigned long long)rt->hist[i]);
    evbuffer_add_printf(out,
                        "qtpm_nms_verdict_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
                        "qtpm_nms_verdict_duration_seconds_sum %.9f\n"
                        "qtpm_nms_verdict_duration_seconds_count %llu\n"
                        "# HELP qtpm_nms_reroutes_total Enforcement commands acknowledged "
                        "as applied.\n"
                        "# TYPE qtpm_nms_reroutes_total counter\n"
                        "qtpm_nms_reroutes_total %llu\n"
                        "# HELP qtpm_nms_enforcement_failures_total Enforcement commands "
                        "failed (no acknowledgement in time, or not applied).\n"
                        "# TYPE qtpm_nms_enforcement_failures_total counter\n"
                        "qtpm_nms_enforcement_failures_total %llu\n"
                        "# HELP qtpm_nms_stream_clients Connected event-stream clients.\n"
                        "# TYPE qtpm_nms_stream_clients gauge\n"
                        "qtpm_nms_stream_clients %d\n",
                        (unsigned long long)rt->hcount, rt->hsum,
                        (unsigned long long)rt->hcount, (unsigned long long)rt->reroutes,
                        (unsigned long long)rt->failures, qtpm_nms_stream_clients(rt->stream));
}

/* ---- life ---- */

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    qtpm_nms_routing *rt = arg;
    qtpm_nms_routing_changed(rt);
    if (++rt->ticks % KEEPALIVE_TICKS == 0)
        qtpm_nms_stream_keepalive(rt->stream);
}

qtpm_nms_routing *qtpm_nms_routing_new(struct event_base *base, qtpm_store *st,
                                       uint64_t *errors)
{
    qtpm_nms_routing *rt = calloc(1, sizeof *rt);
    if (!rt)
        return NULL;
    rt->base = base;
    rt->st = st;
    rt->errors = errors;
    rt->last_event = -1;
    rt->stream = qtpm_nms_stream_new(MAX_STREAM_CLIENTS);
    rt->retry = evtimer_new(base, on_retry, rt);
    rt->tick = event_new(base, -1, EV_PERSIST, on_tick, rt);
    rt->defer = event_new(base, -1, 0, on_defer, rt);
    struct timeval tv = {.tv_sec = TICK_S};
    if (!rt->stream || !rt->retry || !rt->tick || !rt->defer || event_add(rt->tick, &tv) ||
        qtpm_store_report_each(st, load_report, rt)) {
        qtpm_nms_routing_free(rt);
        return NULL;
    }
    changed(rt, 0);
    arm_retry(rt);
    return rt;
}

void qtpm_nms_routing_free(qtpm_nms_routing *rt)
{
    if (!rt)
        return;
    while (rt->polls) {
        evhttp_connection_set_closecb(rt->polls->conn, NULL, NULL);
        poll_free(rt->polls);
    }
    if (rt->defer)
        event_free(rt->defer);
    if (rt->retry)
        event_free(rt->retry);
    if (rt->tick)
        event_free(rt->tick);
    qtpm_nms_stream_free(rt->stream);
    for (size_t i = 0; i < rt->nreps; i++)
        rep_clear(&rt->reps[i]);
    free(rt->reps);
    free(rt->states);
    free(rt);
}
