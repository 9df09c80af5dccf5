/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm-swarm's HTTPS client: libevent's evhttp client on bufferevent_openssl, one
 * keep-alive connection per router (HTTP/1.1, TCP_NODELAY), many connections per event
 * loop. The NMS's server certificate is checked against the CA given (and its
 * subjectAltName against the host), as qtpm-agent's libcurl does; the routers' calls are
 * the anonymous ones of the agent (enrolment and explicit attestation carry their own
 * proof), the operator's monitor connection presents the operator certificate. Every
 * connection offers only the hybrid ML-KEM groups (docs/CHANNEL.md), as the agent's: the
 * qtpm provider is loaded and the groups set by src/provider/pqtls.c, so a swarm run
 * measures the NMS with its default post-quantum key exchange. Each router connection's
 * negotiated group is counted on its first reply.
 *
 * A connection that breaks (the NMS closed it, a timeout) is not reused: evhttp would
 * reconnect the same SSL object, which cannot be. It is marked broken in its close
 * callback and replaced before the router's next request (outside evhttp's callbacks).
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "pqtls.h"
#include "swarm.h"

#define REPLY_MAX (8u << 20)

SSL_CTX *swarm_tls_ctx(const char *ca_file, const char *cert, const char *key, char *err,
                       size_t errlen)
{
    if (qtpm_pqtls_load(err, errlen))
        return NULL;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) {
        snprintf(err, errlen, "TLS: no context");
        return NULL;
    }
    if (qtpm_pqtls_ctx(ctx, NULL, 0, err, errlen)) {
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
        snprintf(err, errlen, "TLS: cannot load the CA certificate %s", ca_file);
        SSL_CTX_free(ctx);
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    if (cert && (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
                 SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)) {
        snprintf(err, errlen, "TLS: cannot load the client certificate %s and key %s", cert,
                 key);
        SSL_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}

struct evhttp_connection *swarm_connect(struct event_base *base, SSL_CTX *ctx, const char *host,
                                        int port)
{
    SSL *ssl = SSL_new(ctx);
    if (!ssl)
        return NULL;
    X509_VERIFY_PARAM *vp = SSL_get0_param(ssl);
    if (X509_VERIFY_PARAM_set1_ip_asc(vp, host) != 1)
        X509_VERIFY_PARAM_set1_host(vp, host, 0);
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        SSL_free(ssl);
        return NULL;
    }
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    struct evhttp_connection *c =
        evhttp_connection_base_bufferevent_new(base, NULL, bev, host, (ev_uint16_t)port);
    if (!c) {
        bufferevent_free(bev);
        return NULL;
    }
    evhttp_connection_set_timeout(c, 30);
    evhttp_connection_set_retries(c, 0);
    evhttp_connection_set_max_body_size(c, REPLY_MAX);
    return c;
}

static void on_router_close(struct evhttp_connection *c, void *arg)
{
    (void)c;
    swarm_router *r = arg;
    r->conn_broken = 1;
}

void swarm_router_disconnect(swarm_router *r)
{
    if (r->conn)
        evhttp_connection_free(r->conn);
    r->conn = NULL;
    r->conn_broken = 0;
    r->tls_counted = 0;
}

/* The group of the router's connection, counted once per connection. */
static void count_group(swarm_router *r)
{
    if (r->tls_counted || !r->conn)
        return;
    struct bufferevent *bev = evhttp_connection_get_bufferevent(r->conn);
    SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
    if (!ssl)
        return;
    const char *g = qtpm_pqtls_group(ssl);
    r->tls_counted = 1;
    if (qtpm_pqtls_group_is_pq(g))
        r->th->tls_pq++;
    else
        r->th->tls_classic++;
    snprintf(r->th->tls_group, sizeof r->th->tls_group, "%s", g);
}

/* The reply's JSON (NULL when there is no body or it does not parse). */
static json_t *reply_json(struct evhttp_request *req)
{
    struct evbuffer *b = evhttp_request_get_input_buffer(req);
    size_t n = b ? evbuffer_get_length(b) : 0;
    if (!n)
        return NULL;
    json_error_t e;
    return json_loadb((const char *)evbuffer_pullup(b, (ev_ssize_t)n), n, 0, &e);
}

struct pending {
    swarm_router *r;
    swarm_reply_fn fn;
    swarm_get_fn gfn;
    void *arg;
    int done;
    char *path, *text; /* kept to follow a 307 */
    int hops;
};

static int post_text(swarm_router *r, const char *path, char *text, swarm_reply_fn fn, int hops);

/* A verifier worker that does not hold the router's lease answers 307 with the holder's
 * URL (RFC 9110 §15.4.8: same method, same body). The router moves to that worker: the
 * request is sent again on a new connection, from the loop (not from inside evhttp's
 * callback of the old one). */
static void on_resend(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    struct pending *p = arg;
    swarm_router *r = p->r;
    swarm_router_disconnect(r);
    if (post_text(r, p->path, p->text, p->fn, p->hops) != 0)
        p->fn(r, 0, NULL);
    else
        p->text = NULL; /* taken */
    free(p->path);
    free(p->text);
    free(p);
}

static int follow(struct pending *p, json_t *reply)
{
    const char *loc = json_string_value(json_object_get(reply, "location"));
    int port = 0;
    if (!loc || p->hops >= 2 || sscanf(loc, "https://%*[^:]:%d", &port) != 1 || port <= 0 ||
        port > 65535)
        return -1;
    p->r->port = port;
    p->hops++;
    struct timeval now = { 0, 0 };
    return event_base_once(p->r->th->base, -1, EV_TIMEOUT, on_resend, p, &now);
}

static void on_reply(struct evhttp_request *req, void *arg)
{
    struct pending *p = arg;
    int status = req ? evhttp_request_get_response_code(req) : 0;
    json_t *j = req && status ? reply_json(req) : NULL;
    p->done = 1;
    if (p->r && status == 307 && follow(p, j) == 0) {
        json_decref(j);
        return; /* on_resend owns p now */
    }
    if (p->r) {
        if (!status)
            p->r->conn_broken = 1;
        else
            count_group(p->r);
        p->fn(p->r, status, j);
    } else {
        p->gfn(p->arg, status, j);
    }
    json_decref(j);
    free(p->path);
    free(p->text);
    free(p);
}

/* evhttp calls the error callback and then the completion callback with NULL for a
 * request that failed; only the completion callback acts (on_reply). */
static void on_error(enum evhttp_request_error e, void *arg)
{
    (void)e;
    (void)arg;
}

static int send_request(struct evhttp_connection *c, enum evhttp_cmd_type method,
                        const char *path, const char *host, const char *text, struct pending *p)
{
    struct evhttp_request *req = evhttp_request_new(on_reply, p);
    if (!req)
        return -1;
    evhttp_request_set_error_cb(req, on_error);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Host", host);
    if (text) {
        char len[32];
        snprintf(len, sizeof len, "%zu", strlen(text));
        evhttp_add_header(h, "Content-Type", "application/json");
        evhttp_add_header(h, "Content-Length", len);
        evbuffer_add(evhttp_request_get_output_buffer(req), text, strlen(text));
    }
    if (evhttp_make_request(c, req, method, path) != 0)
        return -1; /* evhttp freed req */
    return 0;
}

static void set_nodelay(struct evhttp_connection *c)
{
    struct bufferevent *bev = evhttp_connection_get_bufferevent(c);
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int swarm_post(swarm_router *r, const char *path, json_t *body, swarm_reply_fn fn)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text)
        return -1;
    return post_text(r, path, text, fn, 0);
}

int swarm_post_text(swarm_router *r, const char *path, char *text, swarm_reply_fn fn)
{
    return text ? post_text(r, path, text, fn, 0) : -1;
}

/* Takes text (freed here on failure, kept with the request otherwise). */
static int post_text(swarm_router *r, const char *path, char *text, swarm_reply_fn fn, int hops)
{
    if (r->conn && r->conn_broken)
        swarm_router_disconnect(r);
    if (!r->conn) {
        r->conn = swarm_connect(r->th->base, r->th->tls, r->th->host, r->port);
        if (!r->conn) {
            free(text);
            return -1;
        }
        evhttp_connection_set_closecb(r->conn, on_router_close, r);
    }
    struct pending *p = calloc(1, sizeof *p);
    if (!p) {
        free(text);
        return -1;
    }
    p->r = r;
    p->fn = fn;
    p->hops = hops;
    p->path = strdup(path);
    p->text = text;
    int rc = p->path ? send_request(r->conn, EVHTTP_REQ_POST, path, r->th->host, text, p) : -1;
    if (rc != 0) {
        free(p->path);
        free(text);
        free(p);
        r->conn_broken = 1;
        return -1;
    }
    set_nodelay(r->conn);
    return 0;
}

int swarm_get(struct evhttp_connection *c, const char *path, swarm_get_fn fn, void *arg)
{
    struct pending *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->gfn = fn;
    p->arg = arg;
    char host[64];
    snprintf(host, sizeof host, "%s", "127.0.0.1");
    if (send_request(c, EVHTTP_REQ_GET, path, host, NULL, p) != 0) {
        free(p);
        return -1;
    }
    set_nodelay(c);
    return 0;
}
