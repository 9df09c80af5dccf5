/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * routers_view.c — GET /api/v1/routers?view=table (docs/NMS.md): the router list as the
 * dashboard draws it at scale, one row per router in columns instead of an object each,
 *
 *   {"columns":["id","hostname","state","verdict","reasons_count","reason_code",
 *               "reason_path"],
 *    "rows":[["rt-00000","edge-00000","good","good",0,null,null], ...]}
 *
 * written straight into the reply buffer from one store query (store.h
 * qtpm_store_router_summaries). At 10,000 routers this is about a third of the bytes of
 * the object list and no JSON tree is built on the server, which is what keeps the
 * dashboard's first render under 2 s (tests/nms/web_scale.sh). Strings are escaped
 * per RFC 8259 §7; one that is not valid UTF-8 becomes null.
 */
#include "routers_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <jansson.h>

/* A JSON string (or null for NULL or invalid UTF-8). Plain printable ASCII — ids,
 * states, most names — goes out as it is; anything else through jansson. */
static void put_string(struct evbuffer *out, const char *s)
{
    if (!s) {
        evbuffer_add(out, "null", 4);
        return;
    }
    size_t n = 0;
    int plain = 1;
    for (; s[n]; n++) {
        unsigned char c = (unsigned char)s[n];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            plain = 0;
    }
    if (plain) {
        evbuffer_add(out, "\"", 1);
        evbuffer_add(out, s, n);
        evbuffer_add(out, "\"", 1);
        return;
    }
    json_t *j = json_string(s);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    if (t)
        evbuffer_add(out, t, strlen(t));
    else
        evbuffer_add(out, "null", 4);
    free(t);
    json_decref(j);
}

struct view {
    struct evbuffer *out;
    int first;
};

static int row(void *ctx, const qtpm_store_router_summary *s)
{
    struct view *v = ctx;
    json_int_t count = 0;
    const char *code = NULL, *path = NULL;
    json_t *reasons = NULL;
    /* Most routers are good with no reasons: "[]" needs no parser. */
    if (s->reasons && strcmp(s->reasons, "[]") != 0) {
        reasons = json_loads(s->reasons, 0, NULL);
        if (json_is_array(reasons)) {
            count = (json_int_t)json_array_size(reasons);
            json_t *r0 = json_array_get(reasons, 0);
            code = json_string_value(json_object_get(r0, "code"));
            path = json_string_value(json_object_get(r0, "path"));
        }
    }
    evbuffer_add(v->out, v->first ? "[" : ",[", v->first ? 1 : 2);
    v->first = 0;
    put_string(v->out, s->r.id);
    evbuffer_add(v->out, ",", 1);
    put_string(v->out, s->r.hostname);
    evbuffer_add(v->out, ",", 1);
    put_string(v->out, s->r.state);
    evbuffer_add(v->out, ",", 1);
    put_string(v->out, s->verdict[0] ? s->verdict : NULL);
    evbuffer_add_printf(v->out, ",%lld,", (long long)count);
    put_string(v->out, code);
    evbuffer_add(v->out, ",", 1);
    put_string(v->out, path);
    evbuffer_add(v->out, "]", 1);
    json_decref(reasons);
    return 0;
}

int qtpm_nms_routers_table(qtpm_store *st, struct evbuffer *out)
{
    static const char head[] = "{\"columns\":[\"id\",\"hostname\",\"state\",\"verdict\","
                               "\"reasons_count\",\"reason_code\",\"reason_path\"],\"rows\":[";
    struct view v = {.out = out, .first = 1};
    evbuffer_add(out, head, sizeof head - 1);
    if (qtpm_store_router_summaries(st, row, &v)) {
        evbuffer_drain(out, evbuffer_get_length(out));
        return -1;
    }
    evbuffer_add(out, "]}", 2);
    return 0;
}
