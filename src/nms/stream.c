/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stream.c — GET /api/v1/stream: server-sent events (WHATWG HTML §9.2 "Server-sent
 * events") to the dashboard, on evhttp's chunked replies.
 *
 * Each client is a request answered with evhttp_send_reply_start (200, Content-Type
 * text/event-stream, so HTTP/1.1 chunked transfer coding, RFC 9112 §7.1) and then one
 * chunk per event: "event: TYPE\nid: N\ndata: JSON\n\n" (the JSON is compact, one line,
 * so one data field). A comment line (": keepalive") keeps idle proxies and clients
 * from timing out. A client that goes away is noticed by evhttp (EOF or a write error)
 * which calls the connection's close callback: the client is unlinked there, never
 * written to again, and its request (left to us by evhttp) freed. At most max_clients at once; one more gets
 * 503 stream-full.
 */
#include "routing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

struct client {
    struct qtpm_nms_stream *s;
    struct evhttp_request *r;
    struct evhttp_connection *conn;
    struct client *next;
};

struct qtpm_nms_stream {
    struct client *clients;
    int n, max;
};

qtpm_nms_stream *qtpm_nms_stream_new(int max_clients)
{
    qtpm_nms_stream *s = calloc(1, sizeof *s);
    if (s)
        s->max = max_clients;
    return s;
}

static void unlink_client(struct client *c)
{
    struct client **p = &c->s->clients;
    while (*p && *p != c)
        p = &(*p)->next;
    if (*p) {
        *p = c->next;
        c->s->n--;
    }
}

void qtpm_nms_stream_free(qtpm_nms_stream *s)
{
    if (!s)
        return;
    while (s->clients) {
        struct client *c = s->clients;
        s->clients = c->next;
        evhttp_connection_set_closecb(c->conn, NULL, NULL);
        free(c);
    }
    free(s);
}

static void on_close(struct evhttp_connection *conn, void *arg)
{
    (void)conn;
    struct client *c = arg;
    unlink_client(c);
    /* On EOF or a write error evhttp detaches a request the user has not finished from
     * its connection (evcon NULL) and leaves it to us; at evhttp_free it is still
     * attached and evhttp frees it (libevent 2.1 http.c, evhttp_connection_incoming_fail). */
    if (!evhttp_request_get_connection(c->r))
        evhttp_request_free(c->r);
    free(c);
}

static void send_chunk(struct client *c, const char *text, size_t len)
{
    struct evbuffer *b = evbuffer_new();
    if (!b)
        return;
    evbuffer_add(b, text, len);
    evhttp_send_reply_chunk(c->r, b);
    evbuffer_free(b);
}

static char *format_event(const char *type, int64_t id, json_t *data, size_t *len)
{
    char *j = data ? json_dumps(data, JSON_COMPACT) : NULL;
    char idline[40] = "";
    if (id >= 0)
        snprintf(idline, sizeof idline, "id: %lld\n", (long long)id);
    size_t n = strlen(type) + strlen(idline) + (j ? strlen(j) : 2) + 32;
    char *out = malloc(n);
    if (out) {
        int w = snprintf(out, n, "event: %s\n%sdata: %s\n\n", type, idline, j ? j : "{}");
        *len = w > 0 ? (size_t)w : 0;
    }
    free(j);
    return out;
}

int qtpm_nms_stream_add(qtpm_nms_stream *s, struct evhttp_request *r, int64_t last_event)
{
    struct evhttp_connection *conn = evhttp_request_get_connection(r);
    struct client *c = s->n < s->max && conn ? calloc(1, sizeof *c) : NULL;
    if (!c) {
        json_t *e = json_pack("{s:s,s:s}", "error", "stream-full", "message",
                              "too many stream clients; try again later");
        char *text = json_dumps(e, JSON_COMPACT);
        json_decref(e);
        struct evkeyvalq *h = evhttp_request_get_output_headers(r);
        evhttp_add_header(h, "Content-Type", "application/json");
        evhttp_add_header(h, "Retry-After", "5");
        if (text)
            evbuffer_add(evhttp_request_get_output_buffer(r), text, strlen(text));
        free(text);
        evhttp_send_reply(r, 503, NULL, NULL);
        return -1;
    }
    c->s = s;
    c->r = r;
    c->conn = conn;
    c->next = s->clients;
    s->clients = c;
    s->n++;
    /* A stream lives long: no idle timeout from evhttp's 30 s default (the keepalive
     * comments show the client we are here; its going away is seen as EOF). */
    evhttp_connection_set_timeout(conn, 24 * 3600);
    evhttp_connection_set_closecb(conn, on_close, c);
    struct evkeyvalq *h = evhttp_request_get_output_headers(r);
    evhttp_add_header(h, "Content-Type", "text/event-stream");
    evhttp_add_header(h, "Cache-Control", "no-cache");
    evhttp_send_reply_start(r, 200, "OK");
    json_t *hello = json_pack("{s:I}", "last_event", (json_int_t)last_event);
    size_t len = 0;
    /* retry: the reconnection delay the browser's EventSource should use (ms). */
    char *ev = format_event("hello", -1, hello, &len);
    json_decref(hello);
    send_chunk(c, "retry: 1000\n", 12);
    if (ev)
        send_chunk(c, ev, len);
    free(ev);
    return 0;
}

void qtpm_nms_stream_push(qtpm_nms_stream *s, const char *type, int64_t id, json_t *data)
{
    if (!s->clients)
        return;
    size_t len = 0;
    char *ev = format_event(type, id, data, &len);
    if (!ev)
        return;
    for (struct client *c = s->clients; c; c = c->next)
        send_chunk(c, ev, len);
    free(ev);
}

void qtpm_nms_stream_keepalive(qtpm_nms_stream *s)
{
    for (struct client *c = s->clients; c; c = c->next)
        send_chunk(c, ": keepalive\n\n", 13);
}

int qtpm_nms_stream_clients(const qtpm_nms_stream *s) { return s->n; }
