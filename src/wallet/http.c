/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * http.c — `qtpm-wallet serve`: the service (service.c) and its web UI
 * (web/wallet/) over HTTPS, with libevent's evhttp on bufferevent_openssl
 * (one TLS bufferevent per connection, as src/nms/server.c does; no client
 * certificates here: authority comes from WebAuthn assertions).
 *
 * No cookies, no sessions: every state-changing call carries its own proof
 * (an assertion over the request), so there is no ambient authority for a
 * cross-site request to ride on. Even so, POSTs must be application/json (a
 * cross-site form cannot send that without a CORS preflight, which is never
 * answered) and a present Origin header must be ours. The static files are
 * a fixed list, sent with a strict Content-Security-Policy. The server is
 * single-threaded: requests run one at a time, so the vault and SQLite
 * need no locking beyond their own.
 */
#include <signal.h>
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
#include <openssl/ssl.h>

#include "http.h"

#define MAX_BODY (256 * 1024)

typedef struct {
    svc *s;
    SSL_CTX *ssl;
    const char *web;
    const char *origin;
    struct event_base *base;
} server;

static void headers(struct evhttp_request *r, const char *type)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r);
    evhttp_add_header(h, "Content-Type", type);
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    evhttp_add_header(h, "Content-Security-Policy",
                      "default-src 'self'; script-src 'self'; style-src 'self'; "
                      "frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
}

static void send_json(struct evhttp_request *r, int code, json_t *j)
{
    char *t = j ? json_dumps(j, JSON_COMPACT) : NULL;
    headers(r, "application/json");
    evbuffer_add_printf(evhttp_request_get_output_buffer(r), "%s\n",
                        t ? t : "{\"error\":\"internal\"}");
    free(t);
    evhttp_send_reply(r, code, NULL, NULL);
}

static void send_error(struct evhttp_request *r, int code, const char *err, const char *msg)
{
    json_t *j = json_pack("{s:s,s:s}", "error", err, "message", msg);
    send_json(r, code, j);
    json_decref(j);
}

/* the UI: a fixed list of files, nothing else of the directory */
static void send_static(server *n, struct evhttp_request *r, const char *path)
{
    static const struct { const char *url, *file, *type; } files[] = {
        { "/", "index.html", "text/html; charset=utf-8" },
        { "/wallet.js", "wallet.js", "text/javascript; charset=utf-8" },
        { "/wallet.css", "wallet.css", "text/css; charset=utf-8" },
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        if (strcmp(path, files[i].url) != 0)
            continue;
        char fn[4096];
        FILE *f = NULL;
        if (n->web && snprintf(fn, sizeof fn, "%s/%s", n->web, files[i].file) < (int)sizeof fn)
            f = fopen(fn, "rb");
        if (!f)
            break;
        struct evbuffer *out = evhttp_request_get_output_buffer(r);
        char buf[8192];
        size_t k;
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            evbuffer_add(out, buf, k);
        fclose(f);
        headers(r, files[i].type);
        evhttp_send_reply(r, 200, NULL, NULL);
        return;
    }
    send_error(r, 404, "not-found", "no such resource");
}

static void on_request(struct evhttp_request *r, void *arg)
{
    server *n = arg;
    const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(r));
    enum evhttp_cmd_type m = evhttp_request_get_command(r);
    struct evkeyvalq *in_h = evhttp_request_get_input_headers(r);
    if (!path) {
        send_error(r, 400, "bad-request", "no path");
        return;
    }
    if (strncmp(path, "/api/", 5) != 0) {
        if (m != EVHTTP_REQ_GET)
            send_error(r, 405, "method", "GET only");
        else
            send_static(n, r, path);
        return;
    }
    if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_POST) {
        send_error(r, 405, "method", "GET or POST");
        return;
    }
    const char *origin = evhttp_find_header(in_h, "Origin");
    if (origin && strcmp(origin, n->origin) != 0) {
        send_error(r, 403, "origin", "cross-origin requests are refused");
        return;
    }
    uint8_t *body = NULL;
    size_t len = 0;
    if (m == EVHTTP_REQ_POST) {
        const char *ct = evhttp_find_header(in_h, "Content-Type");
        if (!ct || strncmp(ct, "application/json", 16) != 0 || (ct[16] && ct[16] != ';')) {
            send_error(r, 415, "content-type", "POST bodies must be application/json");
            return;
        }
        struct evbuffer *in = evhttp_request_get_input_buffer(r);
        len = evbuffer_get_length(in);
        body = malloc(len ? len : 1);
        if (!body || evbuffer_remove(in, body, len) != (int)len) {
            free(body);
            send_error(r, 500, "internal", "memory");
            return;
        }
    }
    json_t *out = NULL;
    int code = svc_handle(n->s, m == EVHTTP_REQ_GET ? "GET" : "POST", path, body, len, &out);
    free(body);
    if (code >= 400 && svc_last_error(n->s)[0])
        fprintf(stderr, "qtpm-wallet: %s %s: %d %s\n", m == EVHTTP_REQ_GET ? "GET" : "POST", path,
                code, svc_last_error(n->s));
    send_json(r, code, out);
    json_decref(out);
}

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
    server *n = arg;
    SSL *ssl = SSL_new(n->ssl);
    if (!ssl)
        return NULL;
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        SSL_free(ssl);
    return bev;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    event_base_loopbreak(arg);
}

int wallet_http_serve(svc *s, const char *host, int port, const char *cert, const char *key,
                      const char *web, const char *origin)
{
    server n = { s, NULL, web, origin, NULL };
    struct evhttp *http = NULL;
    struct event *sigterm = NULL, *sigint = NULL;
    int rc = 1;
    signal(SIGPIPE, SIG_IGN);
    n.ssl = SSL_CTX_new(TLS_server_method());
    if (!n.ssl || !SSL_CTX_set_min_proto_version(n.ssl, TLS1_2_VERSION) ||
        SSL_CTX_use_certificate_chain_file(n.ssl, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(n.ssl, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(n.ssl) != 1) {
        fprintf(stderr, "qtpm-wallet: TLS certificate/key %s, %s unusable\n", cert, key);
        goto out;
    }
    n.base = event_base_new();
    http = n.base ? evhttp_new(n.base) : NULL;
    if (!http)
        goto out;
    evhttp_set_bevcb(http, make_bev, &n);
    evhttp_set_gencb(http, on_request, &n);
    evhttp_set_max_body_size(http, MAX_BODY);
    evhttp_set_max_headers_size(http, 16 * 1024);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE);
    evhttp_set_timeout(http, 30);
    if (evhttp_bind_socket(http, host, (ev_uint16_t)port) != 0) {
        fprintf(stderr, "qtpm-wallet: cannot listen on %s:%d\n", host, port);
        goto out;
    }
    sigterm = evsignal_new(n.base, SIGTERM, on_signal, n.base);
    sigint = evsignal_new(n.base, SIGINT, on_signal, n.base);
    if (!sigterm || !sigint || event_add(sigterm, NULL) || event_add(sigint, NULL))
        goto out;
    printf("qtpm-wallet: serving %s on https://%s:%d\n", origin, host, port);
    fflush(stdout);
    event_base_dispatch(n.base);
    rc = 0;
out:
    if (sigterm)
        event_free(sigterm);
    if (sigint)
        event_free(sigint);
    if (http)
        evhttp_free(http);
    if (n.base)
        event_base_free(n.base);
    SSL_CTX_free(n.ssl);
    return rc;
}
