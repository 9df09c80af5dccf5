/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.c — the qtpm-nms REST API v1 daemon (docs/NMS.md) on libevent's evhttp over
 * TLS (bufferevent_openssl, one bufferevent per connection made by evhttp_set_bevcb).
 *
 * TLS: 1.2 minimum; client certificates are requested but optional at the TLS layer
 * (SSL_VERIFY_PEER without FAIL_IF_NO_PEER_CERT), and a presented one must chain to the
 * operator CA or the privacy CA, else the handshake fails. The role of each request is
 * then read from the verified peer certificate: issued by the operator CA with OU
 * "operator" or "read-only" → that role; issued by the privacy CA with OU "router" →
 * router (CN = router id); no certificate → anonymous.
 *
 * Each request goes through, in this order: route (404), method (405), role (401 when a
 * certificate is required and none was given, 403 when the role may not), Content-Type
 * for bodies (415), JSON parsing (400). Before all that, the request gate (a filter
 * under evhttp, see "the request gate") turns a body over 4 MiB, a bad Content-Length,
 * a Transfer-Encoding and an oversized head into 413/400/411/431. Every error body is
 * {"error": code, "message": text}. A failing request never stops the server.
 *
 * Trust-aware routing (docs/ROUTING.md) lives in routing.c, routing_check.c and stream.c:
 * this file only routes to them, and calls qtpm_nms_routing_changed() after every request
 * that is not a GET and after the offline sweep, so any state change gets enforced.
 */
#include "nms.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/bufferevent_struct.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "config.h"
#include "ops.h"
#include "qtpm/attest.h"
#include "ras.h"
#include "routers_view.h"
#include "routing.h"
#include "store.h"

#define MAX_BODY (4u * 1024u * 1024u)
#define NONCE_LIFETIME 60
/* Group commit of attestations (docs/SCALE.md): a batch is written when it holds
 * BATCH_MAX of them or BATCH_WAIT_US after its first one, whichever comes first. */
#define BATCH_MAX 128
#define BATCH_WAIT_US 5000

/* An attestation verified and waiting for its batch's commit; the request is answered
 * after it (evhttp keeps a request whose connection closed meanwhile until the reply,
 * which then only frees it). */
struct held_att {
    struct evhttp_request *r;
    qtpm_ras_pending *p;
    int64_t epoch, received_ms;
    double seconds; /* the verification's */
    int want_next;  /* the evidence asked for its next challenge in the reply */
};

enum role { ROLE_ANON = 1, ROLE_ROUTER = 2, ROLE_READONLY = 4, ROLE_OPERATOR = 8 };

struct nms {
    SSL_CTX *ssl;
    X509 *operator_ca;
    X509 *privacy_ca;
    EVP_PKEY *privacy_key;
    EVP_PKEY *policy_key;
    qtpm_store *st;
    struct event_base *base;
    uint64_t requests, errors;
    int64_t period; /* heartbeat period (s): offline after two without a sign of life */
    qtpm_nms_routing *rt; /* trust-aware routing, the stream (routing.c, stream.c) */
    struct qtpm_nms_web *web; /* the dashboard and browser sessions (web.c) */
    struct event *compact;    /* the compaction timer (ops.c) */
    struct qtpm_nms_workers *wk; /* --worker: leases on a shared database (workers.c) */
    struct held_att batch[BATCH_MAX]; /* attestations waiting for their commit */
    size_t batched;
    struct event *batch_timer;
    uint64_t batches, batch_items; /* for the log at exit: the mean batch */
};

struct req {
    struct nms *nms;
    struct evhttp_request *r;
    enum role role;
    char cert_cn[64];
    json_t *body;
    int by_cookie, csrf_ok; /* role from a browser session (web.c), its CSRF header */
    int unchanged; /* a POST that changed no router state, or that caught up itself */
};

static void send_json(struct evhttp_request *r, int code, json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT);
    struct evbuffer *out = evhttp_request_get_output_buffer(r);
    evhttp_add_header(evhttp_request_get_output_headers(r), "Content-Type", "application/json");
    if (text)
        evbuffer_add(out, text, strlen(text));
    free(text);
    evhttp_send_reply(r, code, NULL, NULL);
}

static void send_error(struct req *q, int code, const char *err, const char *msg)
{
    q->nms->errors++;
    json_t *j = json_pack("{s:s,s:s}", "error", err, "message", msg);
    send_json(q->r, code, j);
    json_decref(j);
}

/* ---- roles ---- */

static void name_entry(X509_NAME *n, int nid, char *out, size_t len)
{
    out[0] = '\0';
    int i = X509_NAME_get_index_by_NID(n, nid, -1);
    if (i < 0)
        return;
    ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
    int l = ASN1_STRING_length(s);
    if (l < 0 || (size_t)l >= len)
        return;
    memcpy(out, ASN1_STRING_get0_data(s), (size_t)l);
    out[l] = '\0';
}

static SSL *req_ssl(struct req *q)
{
    struct evhttp_connection *c = evhttp_request_get_connection(q->r);
    struct bufferevent *bev = c ? evhttp_connection_get_bufferevent(c) : NULL;
    return bev ? bufferevent_openssl_get_ssl(bev) : NULL;
}

static void find_role(struct req *q)
{
    q->role = ROLE_ANON;
    SSL *ssl = req_ssl(q);
    if (!ssl)
        return;
    X509 *peer = SSL_get1_peer_certificate(ssl);
    if (!peer) {
        /* No certificate: a browser's session cookie may stand for operator/read-only. */
        enum qtpm_nms_web_role w = qtpm_nms_web_session(q->nms->web, q->r, &q->csrf_ok);
        q->by_cookie = w != QTPM_WEB_NONE;
        if (w != QTPM_WEB_NONE)
            q->role = w == QTPM_WEB_OPERATOR ? ROLE_OPERATOR : ROLE_READONLY;
        return;
    }
    if (SSL_get_verify_result(ssl) == X509_V_OK) {
        char ou[32];
        X509_NAME *subj = X509_get_subject_name(peer);
        name_entry(subj, NID_organizationalUnitName, ou, sizeof ou);
        name_entry(subj, NID_commonName, q->cert_cn, sizeof q->cert_cn);
        if (X509_check_issued(q->nms->operator_ca, peer) == X509_V_OK) {
            if (strcmp(ou, "operator") == 0)
                q->role = ROLE_OPERATOR;
            else if (strcmp(ou, "read-only") == 0)
                q->role = ROLE_READONLY;
        } else if (X509_check_issued(q->nms->privacy_ca, peer) == X509_V_OK &&
                   strcmp(ou, "router") == 0 && q->cert_cn[0]) {
            q->role = ROLE_ROUTER;
        }
    }
    X509_free(peer);
}

/* ---- handlers ---- */

static int json_router(void *ctx, const qtpm_store_router *r)
{
    json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:b,s:I,s:I}", "id", r->id, "hostname",
                                         r->hostname, "state", r->state, "allow_reenrol",
                                         r->allow_reenrol, "created", (json_int_t)r->created,
                                         "updated", (json_int_t)r->updated));
    return 0;
}

/* A router of the list with its newest verdict and the first of its reasons (the
 * dashboard's "why" column), so a client needs no request per router. */
static int json_router_summary(void *ctx, const qtpm_store_router_summary *s)
{
    json_router(ctx, &s->r);
    json_t *o = json_array_get(ctx, json_array_size(ctx) - 1);
    if (o && s->verdict[0]) {
        json_t *reasons = s->reasons ? json_loads(s->reasons, 0, NULL) : NULL;
        json_int_t n = json_is_array(reasons) ? (json_int_t)json_array_size(reasons) : 0;
        json_object_set_new(o, "verdict", json_string(s->verdict));
        json_object_set_new(o, "reasons_count", json_integer(n));
        json_t *first = json_is_array(reasons) ? json_array_get(reasons, 0) : NULL;
        if (first)
            json_object_set(o, "reason", first);
        json_decref(reasons);
    }
    return 0;
}

static void h_routers(struct req *q, const char *id)
{
    (void)id;
    /* ?view=table: the same list in columns, for the dashboard (routers_view.c). */
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(q->r));
    if (query && *query) {
        struct evkeyvalq params;
        int table = 0, bad = evhttp_parse_query_str(query, &params) != 0;
        if (!bad) {
            const char *view = evhttp_find_header(&params, "view");
            table = view && !strcmp(view, "table");
            bad = !table && view; /* unknown views are errors; other parameters ignored */
            evhttp_clear_headers(&params);
        }
        if (bad) {
            send_error(q, 400, "bad-request", "view must be table (or absent)");
            return;
        }
        if (table) {
            struct evbuffer *out = evhttp_request_get_output_buffer(q->r);
            if (qtpm_nms_routers_table(q->nms->st, out)) {
                send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
                return;
            }
            evhttp_add_header(evhttp_request_get_output_headers(q->r), "Content-Type",
                              "application/json");
            evhttp_send_reply(q->r, 200, NULL, NULL);
            return;
        }
    }
    json_t *a = json_array();
    if (qtpm_store_router_summaries(q->nms->st, json_router_summary, a)) {
        json_decref(a);
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    json_t *j = json_pack("{s:o}", "routers", a);
    send_json(q->r, 200, j);
    json_decref(j);
}

static int json_event(void *ctx, const qtpm_store_event *e);

static void h_router(struct req *q, const char *id)
{
    qtpm_store_router r;
    int rc = qtpm_store_router_get(q->nms->st, id, &r);
    if (rc == QTPM_STORE_NOTFOUND) {
        send_error(q, 404, "not-found", "no such router");
        return;
    }
    if (rc) {
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    json_t *a = json_array();
    json_router(a, &r);
    json_t *j = json_incref(json_array_get(a, 0));
    json_decref(a);
    json_t *h = json_array();
    if (qtpm_store_router_events(q->nms->st, id, 50, json_event, h)) {
        json_decref(h);
        json_decref(j);
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    json_object_set_new(j, "history", h);
    char verdict[16];
    char *reasons = NULL;
    if (qtpm_store_last_verdict(q->nms->st, id, verdict, &reasons) == QTPM_STORE_OK) {
        json_t *rj = json_loads(reasons, 0, NULL);
        json_object_set_new(j, "verdict", json_string(verdict));
        json_object_set_new(j, "reasons", rj ? rj : json_array());
    }
    free(reasons);
    send_json(q->r, 200, j);
    json_decref(j);
}

static void h_allow(struct req *q, const char *id)
{
    if (qtpm_store_begin(q->nms->st)) {
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    int rc = qtpm_store_router_set_allow(q->nms->st, id, 1);
    if (rc == 0)
        rc = qtpm_store_event_add(q->nms->st, id, "allow-reenrol", "by operator", NULL);
    if (rc == 0)
        rc = qtpm_store_commit(q->nms->st);
    else
        qtpm_store_rollback(q->nms->st);
    if (rc == QTPM_STORE_NOTFOUND) {
        send_error(q, 404, "not-found", "no such router");
        return;
    }
    if (rc) {
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    json_t *j = json_pack("{s:s,s:b}", "router", id, "allow_reenrol", 1);
    send_json(q->r, 200, j);
    json_decref(j);
}

static int json_event(void *ctx, const qtpm_store_event *e)
{
    json_array_append_new(ctx, json_pack("{s:I,s:I,s:I,s:s,s:s,s:s}", "id", (json_int_t)e->id,
                                         "time", (json_int_t)e->time, "time_ms",
                                         (json_int_t)e->time_ms, "router", e->router,
                                         "kind", e->kind, "detail", e->detail));
    return 0;
}

static void h_events(struct req *q, const char *id)
{
    (void)id;
    int64_t since = 0, limit = 0;
    struct evkeyvalq params;
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(q->r));
    if (query && evhttp_parse_query_str(query, &params) == 0) {
        const char *s = evhttp_find_header(&params, "since");
        const char *l = evhttp_find_header(&params, "limit");
        char *end = NULL, *lend = NULL;
        if (s)
            since = strtoll(s, &end, 10);
        if (l)
            limit = strtoll(l, &lend, 10);
        int bad = s && (*s == '\0' || *end != '\0' || since < 0);
        int lbad = l && (*l == '\0' || *lend != '\0' || limit < 1 || limit > 100000);
        evhttp_clear_headers(&params);
        if (bad || lbad) {
            send_error(q, 400, "bad-request", bad ? "since must be a non-negative integer"
                                                  : "limit must be an integer 1..100000");
            return;
        }
    }
    json_t *a = json_array();
    /* limit: only the newest that many (the dashboard's first load), oldest first. */
    if (limit ? qtpm_store_event_tail(q->nms->st, since, limit, json_event, a)
              : qtpm_store_event_each(q->nms->st, since, json_event, a)) {
        json_decref(a);
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    json_t *j = json_pack("{s:o}", "events", a);
    send_json(q->r, 200, j);
    json_decref(j);
}

/* GET /healthz, /readyz (ops.c): for service managers, no authentication. */
static void h_health(struct req *q, const char *id)
{
    (void)id;
    json_t *j = NULL;
    int code = qtpm_nms_health(&j);
    send_json(q->r, code, j);
    json_decref(j);
}

static void h_ready(struct req *q, const char *id)
{
    (void)id;
    json_t *j = NULL;
    int code = qtpm_nms_ready(q->nms->st, &j);
    send_json(q->r, code, j);
    json_decref(j);
}

/* Who the caller is: the dashboard shows its controls by this (the server still decides). */
static void h_session(struct req *q, const char *id)
{
    (void)id;
    const char *role = q->role == ROLE_OPERATOR   ? "operator"
                       : q->role == ROLE_READONLY ? "read-only"
                                                  : "router";
    json_t *j = json_pack("{s:s,s:s}", "role", role, "auth",
                          q->by_cookie ? "session" : "certificate");
    send_json(q->r, 200, j);
    json_decref(j);
}

static void h_metrics(struct req *q, const char *id)
{
    (void)id;
    static const char *const tables[] = {"routers", "vendors", "digestlists", "verdicts",
                                         "events", "commands", "routing_reports",
                                         "measurements"};
    struct evbuffer *out = evhttp_request_get_output_buffer(q->r);
    evbuffer_add_printf(out, "# HELP qtpm_nms_requests_total HTTP requests handled.\n"
                             "# TYPE qtpm_nms_requests_total counter\n"
                             "qtpm_nms_requests_total %llu\n"
                             "# HELP qtpm_nms_errors_total Requests answered with an error.\n"
                             "# TYPE qtpm_nms_errors_total counter\n"
                             "qtpm_nms_errors_total %llu\n"
                             "# HELP qtpm_nms_rows Rows per store table.\n"
                             "# TYPE qtpm_nms_rows gauge\n",
                        (unsigned long long)q->nms->requests,
                        (unsigned long long)q->nms->errors);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        int64_t n = 0;
        if (qtpm_store_count(q->nms->st, tables[i], &n) == 0)
            evbuffer_add_printf(out, "qtpm_nms_rows{table=\"%s\"} %lld\n", tables[i],
                                (long long)n);
    }
    unsigned long long hpq, hcl, href;
    qtpm_nms_channel_counts(&hpq, &hcl, &href);
    evbuffer_add_printf(out, "# HELP qtpm_nms_tls_handshakes_total Completed TLS handshakes "
                             "by key exchange.\n"
                             "# TYPE qtpm_nms_tls_handshakes_total counter\n"
                             "qtpm_nms_tls_handshakes_total{kex=\"post-quantum\"} %llu\n"
                             "qtpm_nms_tls_handshakes_total{kex=\"classic\"} %llu\n"
                             "qtpm_nms_tls_handshakes_total{kex=\"refused\"} %llu\n",
                        hpq, hcl, href);
    qtpm_nms_channel_bind_counts(&hpq, &href);
    evbuffer_add_printf(out, "# HELP qtpm_nms_channel_binds_total Channel bindings of "
                             "router connections.\n"
                             "# TYPE qtpm_nms_channel_binds_total counter\n"
                             "qtpm_nms_channel_binds_total{result=\"bound\"} %llu\n"
                             "qtpm_nms_channel_binds_total{result=\"refused\"} %llu\n",
                        hpq, href);
    qtpm_nms_routing_metrics(q->nms->rt, out);
    qtpm_nms_workers_metrics(q->nms->wk, q->nms->st, out);
    evhttp_add_header(evhttp_request_get_output_headers(q->r), "Content-Type",
                      "text/plain; version=0.0.4");
    evhttp_send_reply(q->r, 200, NULL, NULL);
}

/* Lower-case hex of b[0, n) into out (2n + 1 bytes). */
static void hex_encode(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

/* A challenge for router id whose verifier state is vs (docs/NMS.md "Explicit
 * attestation"): a fresh nonce, single use, issued for lifetime seconds and held in
 * this process's memory, the PCR selection, and where the router's list is to be sent
 * from. 0 with *out, or the HTTP status of the failure with *code and *msg. */
static int make_challenge(struct nms *n, const char *id, const qtpm_verifier_state *vs,
                          int64_t lifetime, json_t **out, const char **code, const char **msg)
{
    unsigned char nonce[32];
    char hex[65];
    *out = NULL;
    if (RAND_bytes(nonce, sizeof nonce) != 1) {
        *code = "internal";
        *msg = "cannot make a nonce";
        return 500;
    }
    hex_encode(nonce, sizeof nonce, hex);
    int64_t expires = (int64_t)time(NULL) + lifetime;
    if (qtpm_store_nonce_put(n->st, id, hex, expires)) {
        *code = "store";
        *msg = qtpm_store_errmsg(n->st);
        return 500;
    }
    json_t *j = json_pack("{s:s,s:{s:[iiiiiiiii]},s:I,s:I}", "nonce", hex, "pcr_selection",
                          "sha256", 0, 1, 2, 3, 4, 5, 6, 7, 10, "from_index",
                          (json_int_t)vs->next_index, "expires", (json_int_t)expires);
    /* Where the verified prefix ends: the boot of the last verified quote and the
     * SHA-256 PCR 10 the prefix replays to. An agent whose TPM has since restarted
     * (another resetCount, or another restartCount and a list that no longer
     * begins with that prefix) sends its list from entry 0 instead. */
    if (j && vs->have_boot) {
        char p10[65];
        hex_encode(vs->pcr10_sha256, 32, p10);
        json_object_set_new(j, "verified",
                            json_pack("{s:I,s:I,s:s}", "reset_count",
                                      (json_int_t)vs->reset_count, "restart_count",
                                      (json_int_t)vs->restart_count, "pcr10_sha256", p10));
    }
    if (!j) {
        *code = "internal";
        *msg = "out of memory";
        return 500;
    }
    *out = j;
    return 0;
}

/* The verifier state of router id (one query, or none when this process holds it):
 * 0, 404 when there is no such router, 500 on a store error. */
static int router_state(struct nms *n, const char *id, qtpm_verifier_state *vs)
{
    char *vj = NULL;
    qtpm_verifier_state_init(vs);
    int rc = qtpm_store_router_verifier_state(n->st, id, &vj);
    if (rc)
        return rc == QTPM_STORE_NOTFOUND ? 404 : 500;
    if (vj && qtpm_verifier_state_from_json(vj, vs) != QTPM_ATTEST_OK)
        qtpm_verifier_state_init(vs);
    free(vj);
    return 0;
}

/* One round trip per attestation (docs/NMS.md "The next challenge"): the reply to an
 * evidence or an activation that asked for it ("next_challenge": true) carries the
 * router's next challenge, issued like one of POST /challenge but valid for
 * max(60 s, 2 periods), so that a router attesting once a period can use it for its
 * next round. Without it (any failure here, which only costs the router a
 * /challenge) the reply is as before. */
static void attach_next(struct nms *n, const char *id, json_t *reply)
{
    qtpm_verifier_state vs;
    json_t *ch = NULL;
    const char *code, *msg;
    int64_t life = 2 * (int64_t)n->period > NONCE_LIFETIME ? 2 * (int64_t)n->period
                                                           : NONCE_LIFETIME;
    if (!reply || router_state(n, id, &vs) || make_challenge(n, id, &vs, life, &ch, &code, &msg))
        return;
    if (json_object_set_new(reply, "next_challenge", ch))
        json_decref(ch);
}

static int wants_next(const json_t *body)
{
    return json_is_true(json_object_get(body, "next_challenge"));
}

static void h_challenge(struct req *q, const char *id)
{
    if (q->role == ROLE_ROUTER && strcmp(q->cert_cn, id) != 0) {
        send_error(q, 403, "forbidden", "a router may only ask for its own challenge");
        return;
    }
    q->unchanged = 1; /* a nonce changes no router state: no routing catch-up */
    int64_t epoch; /* a worker serves only the routers it holds (workers.c) */
    if (q->nms->wk && !qtpm_nms_workers_route(q->nms->wk, q->r, id, &epoch, &q->nms->errors))
        return;
    /* from_index: where the verified prefix of the router's list ends (0 after
     * enrolment), so the agent sends only the entries after it. One query: the router's
     * verifier state, NOTFOUND when there is no such router. */
    qtpm_verifier_state vs;
    int rc = router_state(q->nms, id, &vs);
    if (rc == 404) {
        send_error(q, 404, "not-found", "no such router");
        return;
    }
    if (rc) {
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    json_t *j = NULL;
    const char *code, *msg;
    rc = make_challenge(q->nms, id, &vs, NONCE_LIFETIME, &j, &code, &msg);
    if (rc) {
        send_error(q, rc, code, msg);
        return;
    }
    send_json(q->r, 200, j);
    json_decref(j);
}

static void h_vendors(struct req *q, const char *id)
{
    (void)id;
    const char *name = NULL, *ca_b64 = NULL;
    json_error_t e;
    if (json_unpack_ex(q->body, &e, 0, "{s:s,s:s}", "name", &name, "ca_cert", &ca_b64) ||
        !name[0] || strlen(name) > 64) {
        send_error(q, 400, "bad-request", "need name and ca_cert (base64 DER)");
        return;
    }
    size_t n = strlen(ca_b64);
    unsigned char *der = malloc(n / 4 * 3 + 4);
    int len = der ? EVP_DecodeBlock(der, (const unsigned char *)ca_b64, (int)n) : -1;
    if (len > 0 && n >= 2 && ca_b64[n - 1] == '=')
        len -= ca_b64[n - 2] == '=' ? 2 : 1;
    const unsigned char *p = der;
    X509 *ca = len > 0 && n % 4 == 0 ? d2i_X509(NULL, &p, len) : NULL;
    if (!ca || p != der + len) {
        X509_free(ca);
        free(der);
        ERR_clear_error();
        send_error(q, 400, "bad-certificate", "ca_cert is not a base64 DER X.509 certificate");
        return;
    }
    X509_free(ca);
    /* Optional digest-list keys: raw ML-DSA-65 public key (base64) and a PEM SPKI. */
    const char *m64 = json_string_value(json_object_get(q->body, "mldsa65_pub"));
    const char *epem = json_string_value(json_object_get(q->body, "ecdsa_p384_pem"));
    uint8_t *mpub = NULL;
    size_t mlen = 0;
    if ((m64 && (qtpm_ras_b64_decode(m64, &mpub, &mlen) || mlen != 1952)) ||
        (epem && !strstr(epem, "-----BEGIN PUBLIC KEY-----"))) {
        free(mpub);
        free(der);
        send_error(q, 400, "bad-request",
                   "mldsa65_pub must be base64 of 1952 bytes, ecdsa_p384_pem a PEM public key");
        return;
    }
    int rc = qtpm_store_begin(q->nms->st);
    if (!rc)
        rc = qtpm_store_vendor_add(q->nms->st, name, der, (size_t)len, mpub, mlen, epem);
    free(mpub);
    if (!rc)
        rc = qtpm_store_event_add(q->nms->st, NULL, "vendor-import", name, NULL);
    if (!rc)
        rc = qtpm_store_commit(q->nms->st);
    else
        qtpm_store_rollback(q->nms->st);
    free(der);
    if (rc == QTPM_STORE_CONFLICT) {
        send_error(q, 409, "conflict", "a vendor of that name exists");
        return;
    }
    if (rc) {
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    json_t *j = json_pack("{s:s}", "vendor", name);
    send_json(q->r, 201, j);
    json_decref(j);
}

static void send_result(struct req *q, qtpm_ras_result *res)
{
    if (res->body) {
        send_json(q->r, res->status, res->body);
        json_decref(res->body);
    } else {
        send_error(q, res->status, res->error, res->message);
    }
}

static void h_enrol(struct req *q, const char *id)
{
    (void)id;
    qtpm_ras_result res = {0};
    qtpm_ras_enrol(q->nms->st, q->body, &res);
    send_result(q, &res);
}

static void h_activate(struct req *q, const char *id)
{
    qtpm_ras_result res = {0};
    qtpm_ras_activate(q->nms->st, q->nms->privacy_ca, q->nms->privacy_key, q->nms->policy_key,
                      id, q->body, &res);
    /* The first challenge with the activation, when asked for. Not by a verifier
     * worker: any worker activates, but only the lease holder takes the evidence. */
    const char *router = res.body ? json_string_value(json_object_get(res.body, "router")) : NULL;
    if (res.status == 200 && router && !q->nms->wk && wants_next(q->body))
        attach_next(q->nms, router, res.body);
    send_result(q, &res);
}

static void h_tlskey(struct req *q, const char *id)
{
    qtpm_ras_result res = {0};
    qtpm_ras_tls_key(q->nms->st, q->nms->privacy_ca, q->nms->privacy_key, q->nms->policy_key,
                     id, q->body, &res);
    send_result(q, &res);
}

static void h_heartbeat(struct req *q, const char *id)
{
    if (strcmp(q->cert_cn, id) != 0) {
        send_error(q, 403, "forbidden", "a router may only send its own heartbeat");
        return;
    }
    json_t *n = json_object_get(q->body, "entries");
    if (!json_is_integer(n) || json_integer_value(n) < 0) {
        send_error(q, 400, "bad-request", "entries must be a non-negative integer");
        return;
    }
    int64_t previous = -1;
    /* A heartbeat is a sign of life: a router marked offline goes back to the state
     * of its last verdict ("enrolled" if it never attested), with an "online" event;
     * all in one transaction. */
    qtpm_store_router r;
    qtpm_store *st = q->nms->st;
    int back = 0;
    int rc = qtpm_store_begin(st);
    if (rc == 0)
        rc = qtpm_store_router_seen(st, id, json_integer_value(n), &previous);
    if (rc == 0)
        rc = qtpm_store_router_get(st, id, &r);
    if (rc == 0 && strcmp(r.state, "offline") == 0) {
        char verdict[16], detail[64];
        char *reasons = NULL;
        int lv = qtpm_store_last_verdict(st, id, verdict, &reasons);
        free(reasons);
        if (lv == QTPM_STORE_NOTFOUND)
            snprintf(verdict, sizeof verdict, "enrolled");
        else if (lv)
            rc = lv;
        snprintf(detail, sizeof detail, "heartbeat; state %s", verdict);
        if (rc == 0)
            rc = qtpm_store_router_set_state(st, id, verdict);
        if (rc == 0)
            rc = qtpm_store_event_add(st, id, "online", detail, NULL);
        back = 1;
    }
    if (rc == 0)
        rc = qtpm_store_commit(st);
    else
        qtpm_store_rollback(st);
    if (rc == QTPM_STORE_NOTFOUND) {
        send_error(q, 404, "not-found", "no such router");
        return;
    }
    if (rc) {
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    /* Fresh evidence is wanted when the measurement list changed since the last
     * heartbeat (or this is the first one), and after a silence (back from offline). */
    json_t *j = json_pack("{s:b}", "attest", back || previous != json_integer_value(n));
    send_json(q->r, 200, j);
    json_decref(j);
}

/* POST /routers/<id>/events (router role, own id): what a router reports about
 * itself. Only kinds a router may report are accepted — today "config-refused"
 * with the files its configuration-integrity check refused — so a router cannot
 * write other kinds of event into the log. */
static void h_router_event(struct req *q, const char *id)
{
    if (strcmp(q->cert_cn, id) != 0) {
        send_error(q, 403, "forbidden", "a router may only report its own events");
        return;
    }
    const char *kind = json_string_value(json_object_get(q->body, "kind"));
    json_t *files = json_object_get(q->body, "files");
    if (!kind || strcmp(kind, "config-refused") != 0) {
        send_error(q, 400, "bad-request", "kind must be \"config-refused\"");
        return;
    }
    if (!json_is_array(files) || json_array_size(files) == 0 || json_array_size(files) > 64) {
        send_error(q, 400, "bad-request", "files must be an array of 1 to 64 objects");
        return;
    }
    char detail[480];
    size_t used = 0, i;
    json_t *f;
    detail[0] = '\0';
    json_array_foreach(files, i, f) {
        const char *path = json_string_value(json_object_get(f, "path"));
        const char *why = json_string_value(json_object_get(f, "reason"));
        size_t pl = path ? strlen(path) : 0;
        int ok = path && pl > 0 && pl <= 1024 && why &&
                 (!strcmp(why, "modified") || !strcmp(why, "unreadable") ||
                  !strcmp(why, "manifest-invalid"));
        for (size_t k = 0; ok && k < pl; k++)
            ok = (unsigned char)path[k] >= 0x20 && path[k] != 0x7f;
        if (!ok) {
            send_error(q, 400, "bad-request", "each file needs a printable path (at most 1024 "
                       "bytes) and a reason: modified, unreadable or manifest-invalid");
            return;
        }
        if (used < sizeof detail - 1) {
            int w = snprintf(detail + used, sizeof detail - used, "%s%s (%s)", i ? ", " : "",
                             path, why);
            used = w < 0 ? used : used + (size_t)w;
            if (used >= sizeof detail - 1) /* truncated: say so */
                memcpy(detail + sizeof detail - 4, "...", 4);
        }
    }
    int64_t ev = 0;
    qtpm_store_router r;
    int rc = qtpm_store_router_get(q->nms->st, id, &r);
    if (rc == 0)
        rc = qtpm_store_event_add(q->nms->st, id, kind, detail, &ev);
    if (rc == QTPM_STORE_NOTFOUND) {
        send_error(q, 404, "not-found", "no such router");
        return;
    }
    if (rc) {
        send_error(q, 500, "store", qtpm_store_errmsg(q->nms->st));
        return;
    }
    json_t *j = json_pack("{s:I,s:s}", "event", (json_int_t)ev, "kind", kind);
    send_json(q->r, 201, j);
    json_decref(j);
}

/* Writes the held attestations in one transaction (each under its own fence), then
 * answers them: one commit, one WAL flush, for up to BATCH_MAX verdicts. An attestation
 * the fence refuses (409) or whose router is gone (404) drops out of the batch alone;
 * any other error fails the whole batch (500), as it would have failed each alone. */
static void batch_flush(struct nms *n)
{
    size_t k = n->batched;
    if (k == 0)
        return;
    n->batched = 0;
    if (n->batch_timer)
        evtimer_del(n->batch_timer);
    int rcs[BATCH_MAX];
    qtpm_ras_pending *ps[BATCH_MAX];
    for (size_t i = 0; i < k; i++) {
        ps[i] = n->batch[i].p;
        if (n->wk)
            qtpm_ras_pending_fence(ps[i], qtpm_nms_workers_id(n->wk), n->batch[i].epoch,
                                   n->batch[i].received_ms);
    }
    int fatal = qtpm_store_begin(n->st);
    if (!fatal)
        fatal = qtpm_ras_evidence_write_batch(n->st, ps, k, rcs); /* an error: rolled back */
    if (!fatal)
        fatal = qtpm_store_commit(n->st);
    n->batches++;
    n->batch_items += k;
    for (size_t i = 0; i < k; i++) {
        struct held_att *h = &n->batch[i];
        struct req q = {.nms = n, .r = h->r};
        char id[64], verdict[16] = "";
        qtpm_ras_result res = {0};
        snprintf(id, sizeof id, "%s", qtpm_ras_pending_router(h->p));
        qtpm_ras_evidence_finish(n->st, h->p, fatal ? fatal : rcs[i], &res);
        if (n->wk && res.status == 409)
            qtpm_nms_workers_lease_lost(n->wk);
        if (res.status == 200 && h->want_next)
            attach_next(n, id, res.body); /* after the write: from the state it left */
        const char *v = res.body ? json_string_value(json_object_get(res.body, "verdict")) : NULL;
        if (v)
            snprintf(verdict, sizeof verdict, "%s", v);
        send_result(&q, &res);
        /* After the reply: the verdict's enforcement goes out in this same loop turn. */
        qtpm_nms_routing_attested_router(n->rt, id, verdict[0] ? verdict : NULL, h->seconds,
                                         h->received_ms);
    }
}

static void on_batch_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    batch_flush(arg);
}

static void h_evidence(struct req *q, const char *id)
{
    if (q->role == ROLE_ROUTER && strcmp(q->cert_cn, id) != 0) {
        send_error(q, 403, "forbidden", "a router may only send its own evidence");
        return;
    }
    struct nms *n = q->nms;
    q->unchanged = 1; /* qtpm_nms_routing_attested below catches up, once */
    qtpm_ras_result res = {0};
    struct timespec t0, t1;
    int64_t received_ms = qtpm_store_now_ms(), epoch = 0;
    /* A worker verifies only the routers it holds, and writes the verdict only if it
     * still holds the lease it verified under (the fence, docs/SCALE.md). */
    if (n->wk && !qtpm_nms_workers_route(n->wk, q->r, id, &epoch, &n->errors))
        return;
    /* Evidence of a router whose previous attestation is still held: that one is
     * written first, so this one is verified against the state it left. */
    for (size_t i = 0; i < n->batched; i++)
        if (strcmp(qtpm_ras_pending_router(n->batch[i].p), id) == 0) {
            batch_flush(n);
            break;
        }
    qtpm_ras_pending *p = NULL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    qtpm_ras_evidence_verify(n->st, n->policy_key, id, q->body, &p, &res);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    if (!p) {
        send_result(q, &res);
        qtpm_nms_routing_attested_router(n->rt, id, NULL, seconds, received_ms);
        return;
    }
    n->batch[n->batched++] = (struct held_att){.r = q->r,
                                               .p = p,
                                               .epoch = epoch,
                                               .received_ms = received_ms,
                                               .seconds = seconds,
                                               .want_next = wants_next(q->body)};
    if (n->batched == BATCH_MAX || !n->batch_timer) {
        batch_flush(n);
    } else if (n->batched == 1) {
        struct timeval wait = {.tv_usec = BATCH_WAIT_US};
        if (evtimer_add(n->batch_timer, &wait))
            batch_flush(n);
    }
}

static void h_workers(struct req *q, const char *id)
{
    (void)id;
    qtpm_nms_workers_api(q->nms->wk, q->nms->st, q->r, &q->nms->errors);
}

/* ---- trust-aware routing (routing.c) ---- */

/* POST /api/v1/channel/bind (router role): the channel binding of this connection
 * (channel.c, docs/CHANNEL.md). */
static void h_bind(struct req *q, const char *id)
{
    (void)id;
    const char *code = NULL, *msg = NULL;
    int status = qtpm_nms_channel_bind(req_ssl(q), q->cert_cn, q->body, &code, &msg);
    if (status != 200) {
        send_error(q, status, code, msg);
        return;
    }
    json_t *j = json_pack("{s:s,s:b}", "router", q->cert_cn, "bound", 1);
    send_json(q->r, 200, j);
    json_decref(j);
}

static void h_policy_get(struct req *q, const char *id)
{
    (void)id;
    qtpm_nms_policy_get(q->nms->rt, q->r);
}

static void h_policy_put(struct req *q, const char *id)
{
    (void)id;
    qtpm_nms_policy_put(q->nms->rt, q->r, q->body);
}

static void h_report_post(struct req *q, const char *id)
{
    qtpm_nms_report_post(q->nms->rt, q->r, q->cert_cn, id, q->body);
}

static void h_report_get(struct req *q, const char *id)
{
    qtpm_nms_report_get(q->nms->rt, q->r, id);
}

static void h_topology(struct req *q, const char *id)
{
    (void)id;
    qtpm_nms_topology(q->nms->rt, q->r);
}

static void h_commands(struct req *q, const char *id)
{
    qtpm_nms_commands(q->nms->rt, q->r, q->cert_cn, id);
}

static void h_ack(struct req *q, const char *id)
{
    qtpm_nms_ack(q->nms->rt, q->r, q->cert_cn, id, q->body);
}

static void h_stream(struct req *q, const char *id)
{
    (void)id;
    qtpm_nms_stream_open(q->nms->rt, q->r);
}

static void h_digestlists(struct req *q, const char *id)
{
    (void)id;
    const char *b64 = json_string_value(json_object_get(q->body, "list"));
    uint8_t *buf = NULL;
    size_t len = 0;
    if (!b64 || qtpm_ras_b64_decode(b64, &buf, &len)) {
        send_error(q, 400, "bad-request", "need list (base64 of a signed digest list)");
        return;
    }
    qtpm_ras_result res = {0};
    qtpm_ras_digestlist_add(q->nms->st, buf, len, &res);
    free(buf);
    send_result(q, &res);
}

/* ---- the request gate ----
 *
 * evhttp (libevent 2.1) answers a body over its limit, a chunked body over it or a bad
 * Content-Length itself, with an HTML page, before any callback of ours runs. So a
 * callback on each connection's decrypted input buffer, which runs before evhttp's read
 * callback sees new bytes, reads every request head first (RFC 9112 §2-§6): a head with
 * a Content-Length over MAX_BODY, an invalid or conflicting Content-Length, any
 * Transfer-Encoding (we require a length, RFC 9110 §15.5.12) or a head over MAX_HEAD is
 * replaced by a bodiless request for GATE_PATH/<status>, which on_request answers with
 * the usual JSON error object. The refused body is then read and dropped (Content-Length
 * known, no "Expect: 100-continue": the connection stays usable) or everything after it
 * is dropped until the client closes (it may not have sent the body: RFC 9110 §10.1.1).
 * Requests that pass reach evhttp unchanged, byte for byte. (A bufferevent filter would
 * be the obvious tool, but evhttp shuts the socket down on "Connection: close" as soon as
 * the filter's output moved down, losing the reply.) evhttp's own 4 MiB limit stays as a
 * second line; malformed request lines still get its HTML 400. */

#define MAX_HEAD (64u * 1024u)
#define GATE_PATH "/.gate/"

enum gate_state { GATE_HEAD, GATE_BODY, GATE_DISCARD, GATE_DROP };

struct gate {
    enum gate_state state;
    uint64_t left;   /* body bytes still to pass (GATE_BODY) or drop (GATE_DISCARD) */
    size_t passed;   /* bytes at the front of the input already let through */
    struct evbuffer *held; /* an incomplete head, kept from evhttp until it is whole */
    int busy;
    int nodelay; /* TCP_NODELAY is set on the socket (once per connection) */
};

/* The end of the head (after its empty line) in buf[0, n), or 0 when not there yet. */
static size_t head_end(const char *buf, size_t n)
{
    size_t line = 0;
    for (size_t i = 0; i < n; i++) {
        if (buf[i] != '\n')
            continue;
        size_t len = i - line;
        if (len > 0 && buf[i - 1] == '\r')
            len--;
        if (len == 0 && line > 0)
            return i + 1;
        line = i + 1;
    }
    return 0;
}

/* Reads the framing headers of a head: 0 ok (*length, *expect), else the status to
 * answer instead (400 bad Content-Length, 411 Transfer-Encoding). */
static int head_framing(const char *h, size_t n, uint64_t *length, int *expect)
{
    int have = 0;
    *length = 0;
    *expect = 0;
    const char *p = memchr(h, '\n', n), *end = h + n;
    while (p && p + 1 < end) {
        const char *line = p + 1;
        p = memchr(line, '\n', (size_t)(end - line));
        size_t len = p ? (size_t)(p - line) : (size_t)(end - line);
        const char *colon = memchr(line, ':', len);
        if (!colon)
            continue;
        size_t nl = (size_t)(colon - line);
        const char *v = colon + 1, *ve = line + len;
        while (v < ve && (*v == ' ' || *v == '\t'))
            v++;
        while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ' || ve[-1] == '\t'))
            ve--;
        if (nl == 17 && strncasecmp(line, "transfer-encoding", nl) == 0)
            return 411;
        if (nl == 6 && strncasecmp(line, "expect", nl) == 0)
            *expect = 1;
        if (nl == 14 && strncasecmp(line, "content-length", nl) == 0) {
            uint64_t x = 0;
            if (v == ve || ve - v > 18)
                return 400;
            for (const char *c = v; c < ve; c++) {
                if (*c < '0' || *c > '9')
                    return 400;
                x = x * 10 + (uint64_t)(*c - '0');
            }
            if (have && x != *length)
                return 400;
            have = 1;
            *length = x;
        }
    }
    return 0;
}

/* Moves what the gate lets through from src to dst (a head still incomplete stays
 * in src). */
static void gate_run(struct gate *g, struct evbuffer *src, struct evbuffer *dst)
{
    static char head[MAX_HEAD + 1];
    size_t avail;
    while ((avail = evbuffer_get_length(src)) > 0) {
        if (g->state == GATE_DROP) {
            evbuffer_drain(src, avail);
        } else if (g->state == GATE_BODY || g->state == GATE_DISCARD) {
            size_t n = g->left < avail ? (size_t)g->left : avail;
            if (g->state == GATE_BODY)
                evbuffer_remove_buffer(src, dst, n);
            else
                evbuffer_drain(src, n);
            g->left -= n;
            if (g->left == 0)
                g->state = GATE_HEAD;
        } else {
            size_t n = avail < MAX_HEAD ? avail : MAX_HEAD;
            ev_ssize_t got = evbuffer_copyout(src, head, n);
            size_t hl = got > 0 ? head_end(head, (size_t)got) : 0;
            int refuse = 0, expect = 0;
            uint64_t length = 0;
            if (hl == 0 && avail < MAX_HEAD)
                return;
            if (hl == 0)
                refuse = 431;
            else if ((refuse = head_framing(head, hl, &length, &expect)) == 0 &&
                     length > MAX_BODY)
                refuse = 413;
            if (!refuse) {
                evbuffer_remove_buffer(src, dst, hl);
                g->left = length;
                g->state = length ? GATE_BODY : GATE_HEAD;
                continue;
            }
            evbuffer_add_printf(dst, "GET " GATE_PATH "%d HTTP/1.1\r\nHost: gate\r\n\r\n",
                                refuse);
            if (refuse == 413 && !expect) {
                evbuffer_drain(src, hl);
                g->left = length;
                g->state = GATE_DISCARD;
            } else {
                g->state = GATE_DROP;
            }
        }
    }
}

/* The input buffer's callback: runs before evhttp's read callback sees new data. The
 * part evhttp may already be parsing (the front, `passed` bytes, which evhttp
 * drains) is set aside, the new data goes through the gate, and the buffer is put
 * back together. */
static void gate_input(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    struct gate *g = arg;
    if (g->busy)
        return;
    g->passed -= info->n_deleted < g->passed ? info->n_deleted : g->passed;
    if (!info->n_added || evbuffer_get_length(buf) <= g->passed)
        return;
    struct evbuffer *front = evbuffer_new(), *out = evbuffer_new();
    if (!front || !out) {
        evbuffer_free(front);
        evbuffer_free(out);
        return;
    }
    g->busy = 1;
    evbuffer_remove_buffer(buf, front, g->passed);
    evbuffer_add_buffer(g->held, buf); /* the new bytes after what was held */
    gate_run(g, g->held, out);         /* what stays in held is not evhttp's yet */
    evbuffer_add_buffer(front, out);
    g->passed = evbuffer_get_length(front);
    evbuffer_add_buffer(buf, front);
    g->busy = 0;
    evbuffer_free(front);
    evbuffer_free(out);
}

/* GATE_PATH/<status>: the gate refused the request's framing. */
static void gate_reply(struct req *q, const char *status)
{
    if (!strcmp(status, "413"))
        send_error(q, 413, "too-large", "the body is larger than 4 MiB");
    else if (!strcmp(status, "411"))
        send_error(q, 411, "length-required",
                   "bodies need a Content-Length (no Transfer-Encoding)");
    else if (!strcmp(status, "431"))
        send_error(q, 431, "headers-too-large", "the request head is larger than 64 KiB");
    else
        send_error(q, 400, "bad-request", "invalid or conflicting Content-Length");
}

/* ---- routing ---- */

struct route {
    const char *prefix; /* path up to the id (or whole path when no id) */
    const char *suffix; /* after the id; NULL: no id */
    enum evhttp_cmd_type method;
    int roles;
    void (*fn)(struct req *, const char *id);
};

#define ADMIN_READ (ROLE_OPERATOR | ROLE_READONLY)
#define ROLE_ANY (ROLE_ANON | ROLE_ROUTER | ROLE_READONLY | ROLE_OPERATOR)
static const struct route routes[] = {
    {"/api/v1/routers", NULL, EVHTTP_REQ_GET, ADMIN_READ, h_routers},
    {"/api/v1/routers/", "", EVHTTP_REQ_GET, ADMIN_READ, h_router},
    {"/api/v1/routers/", "/allow", EVHTTP_REQ_POST, ROLE_OPERATOR, h_allow},
    {"/api/v1/routers/", "/challenge", EVHTTP_REQ_POST, ROLE_ANON | ROLE_ROUTER | ROLE_OPERATOR,
     h_challenge},
    {"/api/v1/routers/", "/evidence", EVHTTP_REQ_POST, ROLE_ANON | ROLE_ROUTER | ROLE_OPERATOR,
     h_evidence},
    {"/api/v1/routers/", "/tls-key", EVHTTP_REQ_POST, ROLE_ANON | ROLE_ROUTER | ROLE_OPERATOR,
     h_tlskey},
    {"/api/v1/routers/", "/heartbeat", EVHTTP_REQ_POST, ROLE_ROUTER, h_heartbeat},
    {"/api/v1/routers/", "/events", EVHTTP_REQ_POST, ROLE_ROUTER, h_router_event},
    {"/api/v1/enrol", NULL, EVHTTP_REQ_POST, ROLE_ANON | ROLE_ROUTER | ROLE_OPERATOR, h_enrol},
    {"/api/v1/enrol/", "/activate", EVHTTP_REQ_POST, ROLE_ANON | ROLE_ROUTER | ROLE_OPERATOR,
     h_activate},
    {"/api/v1/events", NULL, EVHTTP_REQ_GET, ADMIN_READ, h_events},
    {"/api/v1/vendors", NULL, EVHTTP_REQ_POST, ROLE_OPERATOR, h_vendors},
    {"/api/v1/digestlists", NULL, EVHTTP_REQ_POST, ROLE_OPERATOR, h_digestlists},
    {"/metrics", NULL, EVHTTP_REQ_GET, ADMIN_READ, h_metrics},
    {"/api/v1/routing/policy", NULL, EVHTTP_REQ_GET, ADMIN_READ, h_policy_get},
    {"/api/v1/routing/policy", NULL, EVHTTP_REQ_PUT, ROLE_OPERATOR, h_policy_put},
    {"/api/v1/routers/", "/routing", EVHTTP_REQ_POST, ROLE_ROUTER, h_report_post},
    {"/api/v1/routers/", "/routing", EVHTTP_REQ_GET, ADMIN_READ, h_report_get},
    {"/api/v1/routers/", "/commands", EVHTTP_REQ_GET, ROLE_ROUTER, h_commands},
    {"/api/v1/routers/", "/commands/#/ack", EVHTTP_REQ_POST, ROLE_ROUTER, h_ack},
    {"/api/v1/topology", NULL, EVHTTP_REQ_GET, ADMIN_READ, h_topology},
    {"/api/v1/stream", NULL, EVHTTP_REQ_GET, ADMIN_READ, h_stream},
    {"/api/v1/session", NULL, EVHTTP_REQ_GET, ADMIN_READ | ROLE_ROUTER, h_session},
    {"/healthz", NULL, EVHTTP_REQ_GET, ROLE_ANY, h_health},
    {"/readyz", NULL, EVHTTP_REQ_GET, ROLE_ANY, h_ready},
    {"/api/v1/workers", NULL, EVHTTP_REQ_GET, ADMIN_READ, h_workers},
    {"/api/v1/channel/bind", NULL, EVHTTP_REQ_POST, ROLE_ROUTER, h_bind},
};

/* A route suffix with '#' matches one decimal number there ("/commands/#/ack"). */
static int suffix_match(const char *pat, const char *s)
{
    const char *hash = strchr(pat, '#');
    if (!hash)
        return strcmp(s, pat) == 0;
    size_t pl = (size_t)(hash - pat), digits = 0;
    if (strncmp(s, pat, pl) != 0)
        return 0;
    s += pl;
    while (s[digits] >= '0' && s[digits] <= '9' && digits < 19)
        digits++;
    return digits > 0 && strcmp(s + digits, hash + 1) == 0;
}

static int id_ok(const char *s, size_t n)
{
    if (n == 0 || n >= 64)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

/* Matches path against a route; copies the id out. */
static int match(const struct route *rt, const char *path, char id[64])
{
    size_t pl = strlen(rt->prefix);
    id[0] = '\0';
    if (!rt->suffix)
        return strcmp(path, rt->prefix) == 0;
    if (strncmp(path, rt->prefix, pl) != 0)
        return 0;
    const char *s = path + pl, *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (!id_ok(s, n) || !suffix_match(rt->suffix, s + n))
        return 0;
    memcpy(id, s, n);
    id[n] = '\0';
    return 1;
}

/* Replies go out as several TLS records (headers, body); with Nagle's algorithm and the
 * client's delayed ACK each keep-alive request then waits ~40 ms (RFC 896, RFC 1122
 * §4.2.3.2). The socket is set TCP_NODELAY on its first request (the connection's gate
 * remembers it, so later requests cost no system call). */
static int gate_index = -1;

/* Loop priorities (docs/SCALE.md "Replies under load"): libevent runs every callback
 * that one epoll_wait made ready before it writes anything, and a reply is only queued
 * until the socket's write event runs. Under load one wait returns thousands of
 * connections with a request each, and the replies of the batches committed meanwhile
 * waited for all of them (a loop turn of up to a second, every router idle meanwhile).
 * So the write event of each router connection runs at priority 0, everything else at
 * 1, and the loop looks for new events after every LOOP_MAX_CALLBACKS callbacks of
 * priority 1 (event_config_set_max_dispatch_interval): a committed batch's replies go
 * out within that many requests. */
#define LOOP_PRIORITIES 2
#define LOOP_MAX_CALLBACKS 32

static void set_nodelay(struct evhttp_request *r)
{
    struct evhttp_connection *c = evhttp_request_get_connection(r);
    struct bufferevent *bev = c ? evhttp_connection_get_bufferevent(c) : NULL;
    SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
    struct gate *g = ssl && gate_index >= 0 ? SSL_get_ex_data(ssl, gate_index) : NULL;
    if (g && g->nodelay)
        return;
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    int one = 1;
    if (fd >= 0 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0 && g)
        g->nodelay = 1;
    /* The write event as it is after the handshake (bufferevent_openssl re-assigns its
     * events then, at the default priority): writes first. It is not active while a
     * request is being read; if it were, it would simply keep the default. */
    if (bev)
        (void)event_priority_set(&bev->ev_write, 0);
}

static void on_request(struct evhttp_request *r, void *arg)
{
    struct req q = {.nms = arg, .r = r};
    set_nodelay(r);
    q.nms->requests++;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(r));
    enum evhttp_cmd_type method = evhttp_request_get_command(r);
    const struct route *hit = NULL;
    int path_found = 0;
    char id[64];
    for (size_t i = 0; path && i < sizeof routes / sizeof routes[0]; i++) {
        if (!match(&routes[i], path, id))
            continue;
        path_found = 1;
        if (routes[i].method == method) {
            hit = &routes[i];
            break;
        }
    }
    if (path && strncmp(path, GATE_PATH, strlen(GATE_PATH)) == 0) {
        gate_reply(&q, path + strlen(GATE_PATH));
        return;
    }
    if (!path_found && path && qtpm_nms_web_request(q.nms->web, r, path))
        return;
    if (!path_found) {
        send_error(&q, 404, "not-found", "no such resource");
        return;
    }
    if (!hit) {
        send_error(&q, 405, "method-not-allowed", "method not allowed on this resource");
        return;
    }
    find_role(&q);
    if (q.by_cookie && method != EVHTTP_REQ_GET && method != EVHTTP_REQ_HEAD && !q.csrf_ok) {
        send_error(&q, 403, "csrf", "a browser session must send its X-QTPM-CSRF header");
        return;
    }
    if (!(hit->roles & q.role)) {
        if (q.role == ROLE_ANON)
            send_error(&q, 401, "unauthenticated",
                       "a client certificate (or a dashboard session) is required");
        else
            send_error(&q, 403, "forbidden", "this role may not do that");
        return;
    }
    /* A router's requests need a bound channel (channel.c): its first request on a
     * connection is the bind. */
    if (q.role == ROLE_ROUTER && hit->fn != h_bind && !qtpm_nms_channel_allowed(req_ssl(&q))) {
        send_error(&q, 401, "channel-unbound",
                   "bind this connection first: POST /api/v1/channel/bind with the TPM "
                   "signature over its TLS exporter");
        return;
    }
    if (method == EVHTTP_REQ_POST || method == EVHTTP_REQ_PUT) {
        const char *ct = evhttp_find_header(evhttp_request_get_input_headers(r), "Content-Type");
        size_t n = strlen("application/json");
        if (!ct || strncasecmp(ct, "application/json", n) != 0 ||
            (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ')) {
            send_error(&q, 415, "unsupported-media-type", "Content-Type must be application/json");
            return;
        }
        struct evbuffer *in = evhttp_request_get_input_buffer(r);
        size_t len = evbuffer_get_length(in);
        const char *data = (const char *)evbuffer_pullup(in, -1);
        json_error_t e;
        q.body = json_loadb(data ? data : "", len, JSON_REJECT_DUPLICATES, &e);
        if (!q.body || !json_is_object(q.body)) {
            json_decref(q.body);
            send_error(&q, 400, "bad-json", "the body is not a JSON object");
            return;
        }
    }
    hit->fn(&q, id);
    json_decref(q.body);
    /* Anything but a read may have changed a router's state (evidence, heartbeat,
     * enrolment...): enforcement and the stream catch up now (two queries when not). */
    if (method != EVHTTP_REQ_GET && !q.unchanged)
        qtpm_nms_routing_changed(q.nms->rt);
}

/* ---- TLS ---- */

/* The gate lives as long as the connection's SSL object (ex_data, freed with it;
 * gate_index is declared above set_nodelay). */

static void gate_ex_free(void *parent, void *ptr, CRYPTO_EX_DATA *ad, int idx, long argl,
                         void *argp)
{
    (void)parent;
    (void)ad;
    (void)idx;
    (void)argl;
    (void)argp;
    struct gate *g = ptr;
    if (g) {
        evbuffer_free(g->held);
        free(g);
    }
}

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
    struct nms *n = arg;
    SSL *ssl = SSL_new(n->ssl);
    struct gate *g = ssl ? calloc(1, sizeof *g) : NULL;
    if (g && !(g->held = evbuffer_new())) {
        free(g);
        g = NULL;
    }
    if (!g || !SSL_set_ex_data(ssl, gate_index, g)) {
        if (g)
            evbuffer_free(g->held);
        free(g);
        SSL_free(ssl);
        return NULL;
    }
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        SSL_free(ssl);
        return NULL;
    }
    if (!evbuffer_add_cb(bufferevent_get_input(bev), gate_input, g)) {
        bufferevent_free(bev);
        return NULL;
    }
    return bev;
}

static X509 *load_cert(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    X509 *c = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    return c;
}

static int setup_tls(struct nms *n, const char *dir)
{
    char crt[4096], key[4096];
    snprintf(crt, sizeof crt, "%s/server.crt", dir);
    snprintf(key, sizeof key, "%s/server.key", dir);
    n->operator_ca = load_cert(dir, "operator-ca.crt");
    n->privacy_ca = load_cert(dir, "privacy-ca.crt");
    snprintf(key, sizeof key, "%s/privacy-ca.key", dir);
    FILE *f = fopen(key, "r");
    n->privacy_key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    snprintf(key, sizeof key, "%s/policy.key", dir);
    f = fopen(key, "r");
    n->policy_key = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    snprintf(key, sizeof key, "%s/server.key", dir);
    /* libssl reads the providers' TLS groups when the SSL_CTX is made: load them first. */
    char err[256];
    if (qtpm_nms_channel_load(err, sizeof err)) {
        fprintf(stderr, "qtpm-nms: TLS: %s\n", err);
        return -2;
    }
    n->ssl = SSL_CTX_new(TLS_server_method());
    if (gate_index < 0)
        gate_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, gate_ex_free);
    if (gate_index < 0)
        return -1;
    if (!n->operator_ca || !n->privacy_ca || !n->privacy_key || !n->policy_key || !n->ssl)
        return -1;
    X509_STORE *xs = SSL_CTX_get_cert_store(n->ssl);
    if (!SSL_CTX_set_min_proto_version(n->ssl, TLS1_2_VERSION) ||
        SSL_CTX_use_certificate_file(n->ssl, crt, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(n->ssl, key, SSL_FILETYPE_PEM) != 1 ||
        !X509_STORE_add_cert(xs, n->operator_ca) || !X509_STORE_add_cert(xs, n->privacy_ca))
        return -1;
    /* The server sends its certificate as configured: rebuilding its chain
     * on every handshake (OpenSSL's default) costs a P-384 signature check
     * per connection for nothing, since clients hold the issuing CA. */
    SSL_CTX_set_mode(n->ssl, SSL_MODE_NO_AUTO_CHAIN);
    /* Ask for a client certificate, accept none (anonymous), reject a bad one. */
    SSL_CTX_set_verify(n->ssl, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_verify_depth(n->ssl, 2);
    static const unsigned char sid[] = "qtpm-nms";
    SSL_CTX_set_session_id_context(n->ssl, sid, sizeof sid - 1);
    /* The post-quantum channel: hybrid-only groups, handshake log (channel.c). */
    if (qtpm_nms_channel_tls(n->ssl, err, sizeof err)) {
        fprintf(stderr, "qtpm-nms: TLS: %s\n", err);
        return -2;
    }
    return 0;
}

static void on_offline_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct nms *n = arg;
    int marked = 0;
    char count[16];
    /* A worker sweeps only the routers it holds (the others sweep theirs). */
    if (n->wk ? qtpm_store_mark_offline_owned(n->st, (int64_t)time(NULL) - 2 * n->period,
                                              qtpm_nms_workers_id(n->wk), &marked)
              : qtpm_store_mark_offline(n->st, (int64_t)time(NULL) - 2 * n->period, &marked))
        qtpm_nms_log(QTPM_LOG_ERROR, "offline timer failed", "error", qtpm_store_errmsg(n->st),
                     NULL);
    else if (marked) {
        snprintf(count, sizeof count, "%d", marked);
        qtpm_nms_log(QTPM_LOG_INFO, "routers offline", "count", count, NULL);
    }
    if (marked)
        qtpm_nms_routing_changed(n->rt);
}

/* Compaction (ops.c): a bounded number of steps per tick, so the API is never held up
 * for long; a backlog is worked off over the following ticks, every minute. */
static void on_compact_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct nms *n = arg;
    qtpm_store_compacted sum;
    int more = 0;
    if (qtpm_nms_compact_steps(n->st, &qtpm_nms_ops()->retention, 4, &sum, &more))
        qtpm_nms_log(QTPM_LOG_ERROR, "compaction failed", "error", qtpm_store_errmsg(n->st),
                     NULL);
    else if (sum.verdicts || sum.events || sum.measurements)
        qtpm_nms_compact_log(&sum, more);
    if (n->compact) {
        struct timeval next = {.tv_sec = more ? 60 : qtpm_nms_ops()->compact_interval};
        event_add(n->compact, &next);
    }
}

static void on_signal(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopexit(arg, NULL);
}

int qtpm_nms_serve(const char *dir, const char *db_url, const char *listen, long period,
                   const char *web_dir)
{
    struct nms n = {.period = period};
    char err[512];
    int rc = 1;
    struct evhttp *http = NULL;
    struct event *sigint = NULL, *sigterm = NULL, *offline = NULL;
    char host[256];
    const char *colon = strrchr(listen, ':');
    char *end = NULL;
    long port = colon ? strtol(colon + 1, &end, 10) : -1;
    if (!colon || (size_t)(colon - listen) >= sizeof host || !end || *end || port <= 0 ||
        port > 65535) {
        qtpm_nms_log(QTPM_LOG_ERROR, "--listen wants HOST:PORT", "listen", listen, NULL);
        return 2;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    if (qtpm_store_open(db_url, &n.st, err, sizeof err)) {
        qtpm_nms_log(QTPM_LOG_ERROR, "cannot open the store", "error", err, NULL);
        return 1;
    }
    /* Challenges are answered here (workers: by the lease holder), so their nonces need
     * no database row; the verifier states written here are remembered, and the
     * attestation's compare-and-set refuses a stale copy; the digest lists are kept
     * until a change is announced (docs/SCALE.md). */
    if (qtpm_store_nonces_in_memory(n.st) || qtpm_store_cache_verifier(n.st) ||
        qtpm_store_cache_digestlists(n.st)) {
        qtpm_store_close(n.st);
        return 1;
    }
    int tls = setup_tls(&n, dir);
    if (tls == -2) {
        rc = 2; /* a configuration error (docs/CHANNEL.md): no classic fallback */
        goto out;
    }
    if (tls) {
        qtpm_nms_log(QTPM_LOG_ERROR, "cannot load the TLS material (run qtpm-nms init)", "dir",
                     dir, NULL);
        goto out;
    }
    if (qtpm_nms_web_open(dir, web_dir, &n.web, err, sizeof err)) {
        qtpm_nms_log(QTPM_LOG_ERROR, "cannot open the dashboard", "error", err, NULL);
        goto out;
    }
    signal(SIGPIPE, SIG_IGN);
    struct event_config *cfg = event_config_new();
    if (cfg)
        (void)event_config_set_max_dispatch_interval(cfg, NULL, LOOP_MAX_CALLBACKS, 1);
    n.base = cfg ? event_base_new_with_config(cfg) : NULL;
    if (cfg)
        event_config_free(cfg);
    if (n.base && event_base_priority_init(n.base, LOOP_PRIORITIES)) {
        event_base_free(n.base);
        n.base = NULL;
    }
    http = n.base ? evhttp_new(n.base) : NULL;
    if (!http)
        goto out;
    n.batch_timer = evtimer_new(n.base, on_batch_timer, &n); /* none: write at once */
    if (n.batch_timer) /* a batch's 5 ms are not stretched by the requests behind it */
        (void)event_priority_set(n.batch_timer, 0);
    n.rt = qtpm_nms_routing_new(n.base, n.st, &n.errors);
    if (!n.rt) {
        qtpm_nms_log(QTPM_LOG_ERROR, "cannot start routing", "error", qtpm_store_errmsg(n.st),
                     NULL);
        goto out;
    }
    if (qtpm_nms_workers_start(n.base, n.st, period, &n.wk))
        goto out;
    evhttp_set_bevcb(http, make_bev, &n);
    evhttp_set_gencb(http, on_request, &n);
    evhttp_set_max_body_size(http, MAX_BODY);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                         EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                         EVHTTP_REQ_HEAD);
    evhttp_set_timeout(http, 30);
    if (evhttp_bind_socket(http, host, (ev_uint16_t)port) != 0) {
        qtpm_nms_log(QTPM_LOG_ERROR, "cannot listen", "listen", listen, NULL);
        goto out;
    }
    sigint = evsignal_new(n.base, SIGINT, on_signal, n.base);
    sigterm = evsignal_new(n.base, SIGTERM, on_signal, n.base);
    if (!sigint || !sigterm || evsignal_add(sigint, NULL) || evsignal_add(sigterm, NULL))
        goto out;
    /* The offline timer runs at half the period, so a router is marked within 2.5. */
    struct timeval tick = {.tv_sec = period >= 2 ? period / 2 : 1};
    offline = event_new(n.base, -1, EV_PERSIST, on_offline_timer, &n);
    if (!offline || event_add(offline, &tick))
        goto out;
    if (qtpm_nms_ops()->compact_interval > 0) {
        /* The first run soon after start (10 s, or the interval when shorter), then
         * every compact_interval. */
        int64_t ci = qtpm_nms_ops()->compact_interval;
        struct timeval first = {.tv_sec = ci < 10 ? ci : 10};
        n.compact = evtimer_new(n.base, on_compact_timer, &n);
        if (!n.compact || event_add(n.compact, &first))
            goto out;
    }
    char url[300];
    snprintf(url, sizeof url, "https://%s/", listen);
    qtpm_nms_log(QTPM_LOG_INFO, "listening", "url", url, "store",
                 strncmp(db_url, "sqlite:", 7) == 0 ? "sqlite" : "postgresql", NULL);
    event_base_dispatch(n.base);
    batch_flush(&n); /* what was verified is written before the exit */
    char mean[32];
    snprintf(mean, sizeof mean, "%.1f",
             n.batches ? (double)n.batch_items / (double)n.batches : 0.0);
    qtpm_nms_log(QTPM_LOG_INFO, "stopped", "attestations_per_commit", mean, NULL);
    rc = 0;
out:
    if (sigint)
        event_free(sigint);
    if (sigterm)
        event_free(sigterm);
    if (offline)
        event_free(offline);
    if (n.compact)
        event_free(n.compact);
    batch_flush(&n);
    if (n.batch_timer)
        event_free(n.batch_timer);
    if (http)
        evhttp_free(http); /* first: closing held requests calls into routing */
    qtpm_nms_routing_free(n.rt);
    qtpm_nms_workers_free(n.wk);
    if (n.base)
        event_base_free(n.base);
    SSL_CTX_free(n.ssl);
    X509_free(n.operator_ca);
    X509_free(n.privacy_ca);
    EVP_PKEY_free(n.privacy_key);
    EVP_PKEY_free(n.policy_key);
    qtpm_nms_web_close(n.web);
    qtpm_store_close(n.st);
    return rc;
}
