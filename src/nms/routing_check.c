/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * routing_check.c — validation of the routing API's network input (docs/ROUTING.md):
 * routing reports (POST /routers/<id>/routing), command acknowledgements (POST
 * /routers/<id>/commands/<seq>/ack) and routing-policy changes (PUT /routing/policy and
 * the admin CLI). Strict: every field is checked for type, range and form, unknown
 * fields are refused, and the message names the offending field ("routes[12].prefix ...").
 * Pure functions of jansson values (no I/O), so tests/fuzz/fuzz_nms_routing.c drives them
 * directly.
 */
#include "routing.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define MAX_INTERFACES 256
#define MAX_NEIGHBOURS 256
#define MAX_ROUTES 4096

/* An interface name as Linux allows it (IFNAMSIZ 16 with the NUL; no '/', ':' or
 * whitespace, net/core/dev.c dev_valid_name), and we keep to a printable subset. */
static int ifname_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 15 || !strcmp(s, ".") || !strcmp(s, ".."))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '@'))
            return 0;
    }
    return 1;
}

/* A dotted-quad IPv4 address written canonically (inet_pton, then no leading zeros). */
static int ipv4_ok(const char *s)
{
    struct in_addr a;
    char back[INET_ADDRSTRLEN];
    return s && strlen(s) < sizeof back && inet_pton(AF_INET, s, &a) == 1 &&
           inet_ntop(AF_INET, &a, back, sizeof back) && !strcmp(back, s);
}

static int ip_ok(const char *s)
{
    unsigned char a[16];
    return s && strlen(s) <= 45 && (ipv4_ok(s) || inet_pton(AF_INET6, s, a) == 1);
}

/* ADDRESS/LEN with LEN within the family's width. */
static int cidr_ok(const char *s)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    char addr[48];
    if (!slash || (size_t)(slash - s) >= sizeof addr)
        return 0;
    memcpy(addr, s, (size_t)(slash - s));
    addr[slash - s] = '\0';
    const char *l = slash + 1;
    size_t ln = strlen(l);
    if (ln == 0 || ln > 3 || (ln > 1 && l[0] == '0'))
        return 0;
    int len = 0;
    for (size_t i = 0; i < ln; i++) {
        if (l[i] < '0' || l[i] > '9')
            return 0;
        len = len * 10 + (l[i] - '0');
    }
    if (ipv4_ok(addr))
        return len <= 32;
    unsigned char a6[16];
    return inet_pton(AF_INET6, addr, a6) == 1 && len <= 128;
}

/* An optional field: absent, null or "" (FRR leaves some addresses empty). */
static int absent(json_t *v)
{
    return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0);
}

static int printable(const char *s, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return 0;
    return 1;
}

/* Every key of o is one of the NULL-terminated names; else the first other key. */
static const char *other_key(json_t *o, const char *const *names)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        (void)v;
        int known = 0;
        for (size_t i = 0; names[i]; i++)
            known |= !strcmp(k, names[i]);
        if (!known)
            return k;
    }
    return NULL;
}

static int int_in(json_t *v, int64_t lo, int64_t hi)
{
    return json_is_integer(v) && json_integer_value(v) >= lo && json_integer_value(v) <= hi;
}

#define BAD(...)                                                                               \
    do {                                                                                       \
        snprintf(msg, n, __VA_ARGS__);                                                         \
        return msg;                                                                            \
    } while (0)

const char *qtpm_nms_report_check(json_t *body, char *msg, size_t n)
{
    static const char *const top[] = {"ospf_router_id", "interfaces", "neighbours", "routes",
                                      NULL};
    static const char *const ifk[] = {"name", "address", "cost", "passive", NULL};
    static const char *const nbk[] = {"ospf_router_id", "interface", "address", "state", NULL};
    static const char *const rtk[] = {"prefix", "via", "interface", "metric", "protocol", NULL};
    const char *k;
    if (!json_is_object(body))
        BAD("the report must be a JSON object");
    if ((k = other_key(body, top)))
        BAD("unknown field '%.64s'", k);
    if (!ipv4_ok(json_string_value(json_object_get(body, "ospf_router_id"))))
        BAD("ospf_router_id must be a dotted-quad IPv4 address");
    json_t *ifs = json_object_get(body, "interfaces");
    json_t *nbs = json_object_get(body, "neighbours");
    json_t *rts = json_object_get(body, "routes");
    if (!json_is_array(ifs) || json_array_size(ifs) > MAX_INTERFACES)
        BAD("interfaces must be an array of at most %d objects", MAX_INTERFACES);
    if (!json_is_array(nbs) || json_array_size(nbs) > MAX_NEIGHBOURS)
        BAD("neighbours must be an array of at most %d objects", MAX_NEIGHBOURS);
    if (!json_is_array(rts) || json_array_size(rts) > MAX_ROUTES)
        BAD("routes must be an array of at most %d objects", MAX_ROUTES);
    size_t i;
    json_t *e;
    json_array_foreach(ifs, i, e) {
        if (!json_is_object(e))
            BAD("interfaces[%zu] must be an object", i);
        if ((k = other_key(e, ifk)))
            BAD("interfaces[%zu]: unknown field '%.64s'", i, k);
        const char *name = json_string_value(json_object_get(e, "name"));
        json_t *addr = json_object_get(e, "address");
        if (!ifname_ok(name))
            BAD("interfaces[%zu].name must be an interface name (1-15 of A-Z a-z 0-9 - _ . @)",
                i);
        if (!absent(addr) && !cidr_ok(json_string_value(addr)))
            BAD("interfaces[%zu].address must be ADDRESS/PREFIXLEN, \"\" or null", i);
        if (!int_in(json_object_get(e, "cost"), 1, 65535))
            BAD("interfaces[%zu].cost must be an integer 1..65535", i);
        if (!json_is_boolean(json_object_get(e, "passive")))
            BAD("interfaces[%zu].passive must be true or false", i);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(name, json_string_value(json_object_get(json_array_get(ifs, j),
                                                                "name"))))
                BAD("interfaces[%zu].name '%s' is listed twice", i, name);
    }
    json_array_foreach(nbs, i, e) {
        if (!json_is_object(e))
            BAD("neighbours[%zu] must be an object", i);
        if ((k = other_key(e, nbk)))
            BAD("neighbours[%zu]: unknown field '%.64s'", i, k);
        if (!ipv4_ok(json_string_value(json_object_get(e, "ospf_router_id"))))
            BAD("neighbours[%zu].ospf_router_id must be a dotted-quad IPv4 address", i);
        if (!ifname_ok(json_string_value(json_object_get(e, "interface"))))
            BAD("neighbours[%zu].interface must be an interface name", i);
        json_t *a = json_object_get(e, "address");
        if (!absent(a) && !ip_ok(json_string_value(a)))
            BAD("neighbours[%zu].address must be an IP address, \"\" or null", i);
        if (!printable(json_string_value(json_object_get(e, "state")), 32))
            BAD("neighbours[%zu].state must be a printable string of 1-32 bytes", i);
    }
    json_array_foreach(rts, i, e) {
        if (!json_is_object(e))
            BAD("routes[%zu] must be an object", i);
        if ((k = other_key(e, rtk)))
            BAD("routes[%zu]: unknown field '%.64s'", i, k);
        if (!cidr_ok(json_string_value(json_object_get(e, "prefix"))))
            BAD("routes[%zu].prefix must be ADDRESS/PREFIXLEN", i);
        json_t *via = json_object_get(e, "via"), *ifc = json_object_get(e, "interface");
        if (!absent(via) && !ip_ok(json_string_value(via)))
            BAD("routes[%zu].via must be an IP address, \"\" or null", i);
        if (!absent(ifc) && !ifname_ok(json_string_value(ifc)))
            BAD("routes[%zu].interface must be an interface name, \"\" or null", i);
        json_t *m = json_object_get(e, "metric");
        if (m && !json_is_null(m) && !int_in(m, 0, 16777215))
            BAD("routes[%zu].metric must be an integer 0..16777215 or null", i);
        if (!printable(json_string_value(json_object_get(e, "protocol")), 16))
            BAD("routes[%zu].protocol must be a printable string of 1-16 bytes", i);
    }
    return NULL;
}

const char *qtpm_nms_ack_check(json_t *body, char *msg, size_t n)
{
    static const char *const keys[] = {"ok", "received_ms", "applied_ms", "fib_ms", "error",
                                       NULL};
    const char *k;
    const int64_t max = INT64_C(1) << 50; /* ms: far beyond any clock */
    if (!json_is_object(body))
        BAD("the acknowledgement must be a JSON object");
    if ((k = other_key(body, keys)))
        BAD("unknown field '%.64s'", k);
    if (!json_is_boolean(json_object_get(body, "ok")))
        BAD("ok must be true or false");
    if (!int_in(json_object_get(body, "received_ms"), 0, max))
        BAD("received_ms must be unix milliseconds");
    json_t *a = json_object_get(body, "applied_ms"), *f = json_object_get(body, "fib_ms");
    if (a && !json_is_null(a) && !int_in(a, 0, max))
        BAD("applied_ms must be unix milliseconds or null");
    if (json_is_true(json_object_get(body, "ok")) && !int_in(a, 0, max))
        BAD("applied_ms is required when ok is true");
    if (f && !json_is_null(f) && !int_in(f, 0, max))
        BAD("fib_ms must be unix milliseconds or null");
    /* The agent's error may quote a tool's output (newlines and all): any string up to
     * 1024 bytes; the NMS stores it with control characters replaced. */
    json_t *err = json_object_get(body, "error");
    if (err && !json_is_null(err) && (!json_is_string(err) || json_string_length(err) > 1024))
        BAD("error must be a string of at most 1024 bytes or null");
    return NULL;
}

int64_t *qtpm_nms_policy_cost(qtpm_store_policy *p, const char *cls)
{
    if (!strcmp(cls, "good"))
        return &p->good;
    if (!strcmp(cls, "unknown"))
        return &p->unknown;
    if (!strcmp(cls, "bad"))
        return &p->bad;
    if (!strcmp(cls, "offline"))
        return &p->offline;
    return NULL;
}

const char *qtpm_nms_policy_apply(qtpm_store_policy *p, json_t *body, char *msg, size_t n)
{
    static const char *const keys[] = {"metrics", "bad_action", NULL};
    const char *k;
    json_t *v;
    qtpm_store_policy np = *p;
    if (!json_is_object(body)) {
        snprintf(msg, n, "the policy must be a JSON object");
        return "bad-request";
    }
    if ((k = other_key(body, keys))) {
        snprintf(msg, n, "unknown field '%.64s' (want metrics, bad_action)", k);
        return "bad-request";
    }
    json_t *m = json_object_get(body, "metrics");
    if (m && !json_is_object(m)) {
        snprintf(msg, n, "metrics must be an object of state: cost");
        return "bad-request";
    }
    json_object_foreach(m, k, v) {
        int64_t *slot = qtpm_nms_policy_cost(&np, k);
        if (!slot) {
            snprintf(msg, n, "unknown state '%.64s' (want good, unknown, bad, offline)", k);
            return "bad-request";
        }
        if (!json_is_integer(v)) {
            snprintf(msg, n, "metrics.%s must be an integer", k);
            return "bad-request";
        }
        /* OSPF interface output cost: 16 bits, at least 1 (RFC 2328 §C.3 and §A.4.2;
         * FRR's "ip ospf cost <1-65535>"). */
        if (json_integer_value(v) < 1 || json_integer_value(v) > 65535) {
            snprintf(msg, n, "metrics.%s = %lld is outside OSPF's interface cost range "
                     "1..65535", k, (long long)json_integer_value(v));
            return "metric-out-of-range";
        }
        *slot = json_integer_value(v);
    }
    json_t *ba = json_object_get(body, "bad_action");
    if (ba) {
        const char *s = json_string_value(ba);
        if (!s || (strcmp(s, "metric") && strcmp(s, "exclude"))) {
            snprintf(msg, n, "bad_action must be \"metric\" or \"exclude\"");
            return "bad-request";
        }
        snprintf(np.bad_action, sizeof np.bad_action, "%s", s);
    }
    *p = np;
    return NULL;
}

json_t *qtpm_nms_policy_json(const qtpm_store_policy *p)
{
    return json_pack("{s:{s:I,s:I,s:I,s:I},s:s}", "metrics", "good", (json_int_t)p->good,
                     "unknown", (json_int_t)p->unknown, "bad", (json_int_t)p->bad, "offline",
                     (json_int_t)p->offline, "bad_action", p->bad_action);
}

