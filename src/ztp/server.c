/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.c — the bootstrap server (RFC 8572 §7): RESTCONF (RFC 8040) over HTTPS, libevent's
 * evhttp with one bufferevent_openssl per connection, one event loop.
 *
 *   POST /restconf/operations/ietf-sztp-bootstrap-server:get-bootstrapping-data
 *        → 200 {"ietf-sztp-bootstrap-server:output": {...}} for the device named by its HTTP
 *          Basic user (its serial number), from DIR/devices/<serial>/ (qtpm-ztp onboard); the
 *          vendor's current CRL (--vendor-crl) is put into the voucher's CMS crls field
 *   POST /restconf/operations/ietf-sztp-bootstrap-server:report-progress
 *        → 204; one line "<time> <serial> <progress-type> <message>" in DIR/progress.log
 *
 * Bad input gets 400, an unknown device 404, anything else 404/405; the server stays up. The
 * server is untrusted by design (RFC 8572 §5.1: everything it conveys is signed), so it holds
 * no secret of the device or the owner beyond its own TLS key.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qtpm/ztp.h"
#include "ztp_tool.h"

#define OPS "/restconf/operations/ietf-sztp-bootstrap-server:"
#define MAX_BODY 65536

typedef struct {
    SSL_CTX *ssl;
    const char *dir, *crl_file;
    struct event_base *base;
} ztp_server;

static void reply(struct evhttp_request *req, int code, const char *json)
{
    struct evbuffer *b = evbuffer_new();
    if (json) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                          "application/yang-data+json");
        if (b)
            evbuffer_add(b, json, strlen(json));
    }
    evhttp_send_reply(req, code, NULL, json ? b : NULL);
    if (b)
        evbuffer_free(b);
}

/* RFC 8040 §7.1 errors document */
static void reply_error(struct evhttp_request *req, int code, const char *tag, const char *msg)
{
    char buf[768];
    char clean[512];
    size_t j = 0;
    for (size_t i = 0; msg[i] && j + 1 < sizeof clean; i++)
        clean[j++] = (msg[i] == '"' || msg[i] == '\\' || (unsigned char)msg[i] < 0x20) ? ' '
                                                                                     : msg[i];
    clean[j] = 0;
    snprintf(buf, sizeof buf,
             "{\"ietf-restconf:errors\":{\"error\":[{\"error-type\":\"protocol\","
             "\"error-tag\":\"%s\",\"error-message\":\"%s\"}]}}",
             tag, clean);
    reply(req, code, buf);
}

static int load(const char *dir, const char *serial, const char *name, uint8_t **buf, size_t *len)
{
    char p[4400];
    snprintf(p, sizeof p, "%s/devices/%s/%s", dir, serial, name);
    return ztp_read_file(p, buf, len);
}

static void get_bootstrapping_data(ztp_server *s, struct evhttp_request *req, const char *serial)
{
    qtpm_ztp_bootdata b = { 0 };
    if (load(s->dir, serial, "conveyed-information.cms", &b.info, &b.info_len) ||
        load(s->dir, serial, "conveyed-information.mldsa", &b.info_mldsa, &b.info_mldsa_len) ||
        load(s->dir, serial, "owner-certificate.cms", &b.owner_cert, &b.owner_cert_len) ||
        load(s->dir, serial, "ownership-voucher.cms", &b.voucher, &b.voucher_len) ||
        load(s->dir, serial, "ownership-voucher.mldsa", &b.voucher_mldsa, &b.voucher_mldsa_len)) {
        qtpm_ztp_bootdata_clear(&b);
        reply_error(req, 404, "invalid-value", "no bootstrapping data for this device");
        return;
    }
    if (s->crl_file) {
        /* read at each request: a revocation takes effect at once */
        FILE *f = fopen(s->crl_file, "r");
        X509_CRL *crl = f ? PEM_read_X509_CRL(f, NULL, NULL, NULL) : NULL;
        uint8_t *with = NULL;
        size_t with_len = 0;
        if (f)
            fclose(f);
        if (crl && qtpm_ztp_cms_add_crl(b.voucher, b.voucher_len, crl, &with, &with_len) == 0) {
            free(b.voucher);
            b.voucher = malloc(with_len);
            if (b.voucher)
                memcpy(b.voucher, with, with_len);
            b.voucher_len = b.voucher ? with_len : 0;
        }
        OPENSSL_free(with);
        X509_CRL_free(crl);
    }
    char *json = b.voucher ? qtpm_ztp_bootdata_json(&b) : NULL;
    if (json)
        reply(req, 200, json);
    else
        reply_error(req, 500, "operation-failed", "cannot encode the bootstrapping data");
    free(json);
    qtpm_ztp_bootdata_clear(&b);
}

static void report_progress(ztp_server *s, struct evhttp_request *req, const char *serial,
                            const char *body, size_t len)
{
    char type[40], msg[256], err[256];
    if (qtpm_ztp_parse_progress(body, len, type, msg, err, sizeof err) != 0) {
        reply_error(req, 400, "malformed-message", err);
        return;
    }
    char p[4200];
    snprintf(p, sizeof p, "%s/progress.log", s->dir);
    FILE *f = fopen(p, "a");
    if (f) {
        fprintf(f, "%lld %s %s %s\n", (long long)time(NULL), serial, type, msg);
        fclose(f);
    }
    reply(req, 204, NULL);
}

static void on_request(struct evhttp_request *req, void *arg)
{
    ztp_server *s = arg;
    const char *uri = evhttp_request_get_uri(req);
    /* headers and body leave as separate TLS records: without TCP_NODELAY the second waits
     * for the device's delayed ACK (tens of ms a request) */
    struct bufferevent *bev = evhttp_connection_get_bufferevent(evhttp_request_get_connection(req));
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    int one = 1;
    if (fd >= 0)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
        reply_error(req, 405, "operation-not-supported", "only POST of the two RPCs");
        return;
    }
    int get = !strcmp(uri, OPS "get-bootstrapping-data");
    if (!get && strcmp(uri, OPS "report-progress")) {
        reply_error(req, 404, "invalid-value", "unknown resource");
        return;
    }
    char serial[65];
    const char *auth = evhttp_find_header(evhttp_request_get_input_headers(req), "Authorization");
    if (qtpm_ztp_basic_user(auth, serial) != 0) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "WWW-Authenticate",
                          "Basic realm=\"sztp\"");
        reply_error(req, 401, "access-denied", "HTTP Basic authentication with the serial "
                                               "number required");
        return;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t len = evbuffer_get_length(in);
    if (len > MAX_BODY) {
        reply_error(req, 413, "too-big", "body too large");
        return;
    }
    char *body = malloc(len + 1);
    if (!body) {
        reply_error(req, 500, "resource-denied", "out of memory");
        return;
    }
    evbuffer_copyout(in, body, len);
    body[len] = 0;
    char err[256];
    if (get) {
        if (qtpm_ztp_parse_get_input(body, len, err, sizeof err) != 0)
            reply_error(req, 400, "malformed-message", err);
        else
            get_bootstrapping_data(s, req, serial);
    } else {
        report_progress(s, req, serial, body, len);
    }
    free(body);
}

static struct bufferevent *make_bev(struct event_base *base, void *arg)
{
    ztp_server *s = arg;
    SSL *ssl = SSL_new(s->ssl);
    return ssl ? bufferevent_openssl_socket_new(base, -1, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                BEV_OPT_CLOSE_ON_FREE)
               : NULL;
}

static void on_stop(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    event_base_loopbreak(arg);
}

int ztp_serve(int argc, char **argv)
{
    ztp_server s = { 0 };
    const char *listen = NULL, *cert = NULL, *key = NULL;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--dir"))
            s.dir = argv[i + 1];
        else if (!strcmp(argv[i], "--listen"))
            listen = argv[i + 1];
        else if (!strcmp(argv[i], "--cert"))
            cert = argv[i + 1];
        else if (!strcmp(argv[i], "--key"))
            key = argv[i + 1];
        else if (!strcmp(argv[i], "--vendor-crl"))
            s.crl_file = argv[i + 1];
        else
            break;
    }
    char host[256];
    const char *colon = listen ? strrchr(listen, ':') : NULL;
    long port = colon ? strtol(colon + 1, NULL, 10) : 0;
    if (!s.dir || !cert || !key || !colon || port <= 0 || port > 65535 ||
        (size_t)(colon - listen) >= sizeof host) {
        fprintf(stderr, "usage: qtpm-ztp serve --dir D --listen H:P --cert C --key K "
                        "[--vendor-crl F]\n");
        return 2;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    s.ssl = SSL_CTX_new(TLS_server_method());
    if (!s.ssl || SSL_CTX_set_min_proto_version(s.ssl, TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_chain_file(s.ssl, cert) != 1 ||
        SSL_CTX_use_PrivateKey_file(s.ssl, key, SSL_FILETYPE_PEM) != 1) {
        fprintf(stderr, "qtpm-ztp: cannot load the TLS certificate %s and key %s\n", cert, key);
        SSL_CTX_free(s.ssl);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    s.base = event_base_new();
    struct evhttp *http = s.base ? evhttp_new(s.base) : NULL;
    struct event *sigterm = s.base ? evsignal_new(s.base, SIGTERM, on_stop, s.base) : NULL;
    struct event *sigint = s.base ? evsignal_new(s.base, SIGINT, on_stop, s.base) : NULL;
    int rc = 1;
    if (!http || !sigterm || !sigint || event_add(sigterm, NULL) || event_add(sigint, NULL))
        goto out;
    evhttp_set_bevcb(http, make_bev, &s);
    evhttp_set_gencb(http, on_request, &s);
    evhttp_set_max_body_size(http, MAX_BODY);
    evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
                                         EVHTTP_REQ_DELETE);
    evhttp_set_timeout(http, 30);
    if (evhttp_bind_socket(http, host, (ev_uint16_t)port) != 0) {
        fprintf(stderr, "qtpm-ztp: cannot listen on %s\n", listen);
        goto out;
    }
    fprintf(stderr, "qtpm-ztp: bootstrap server on https://%s (RFC 8572 RESTCONF)\n", listen);
    rc = event_base_dispatch(s.base) < 0 ? 1 : 0;
out:
    if (sigterm)
        event_free(sigterm);
    if (sigint)
        event_free(sigint);
    if (http)
        evhttp_free(http);
    if (s.base)
        event_base_free(s.base);
    SSL_CTX_free(s.ssl);
    return rc;
}
