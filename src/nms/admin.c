/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * admin.c — the qtpm-nms admin CLI working directly on the store: `vendor import`,
 * `digestlist add FILE`, `router list|show ID|allow ID`, `events [--since N]`,
 * `policy show|set STATE=COST... [--bad-action metric|exclude]` (the routing policy of
 * docs/ROUTING.md, validated as PUT /routing/policy is; a running daemon enforces a
 * change within 5 s) and `topology`, each with `--json` for machine output. Changes of more than one row (the change and its event) share a transaction.
 */
#include "nms.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ras.h"
#include "routing.h"
#include "store.h"

static int read_file(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    unsigned char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        if (cap >= (16u << 20)) { /* 16 MiB is more than any key or CA file */
            free(buf);
            buf = NULL;
            break;
        }
        unsigned char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
        }
        buf = nb;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int vendor_import(qtpm_store *st, int argc, char **argv, int json)
{
    const char *name = NULL, *ca = NULL, *mldsa = NULL, *ecdsa = NULL;
    for (int i = 0; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--name"))
            name = argv[i + 1];
        else if (!strcmp(argv[i], "--ca"))
            ca = argv[i + 1];
        else if (!strcmp(argv[i], "--mldsa-pub"))
            mldsa = argv[i + 1];
        else if (!strcmp(argv[i], "--ecdsa-pub"))
            ecdsa = argv[i + 1];
        else {
            fprintf(stderr, "qtpm-nms vendor import: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!name || !ca) {
        fprintf(stderr, "usage: qtpm-nms vendor import --name N --ca PEM "
                        "[--mldsa-pub F --ecdsa-pub F]\n");
        return 2;
    }
    FILE *f = fopen(ca, "r");
    X509 *cert = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!cert) {
        ERR_clear_error();
        fprintf(stderr, "qtpm-nms: %s is not a PEM certificate\n", ca);
        return 1;
    }
    unsigned char *der = NULL;
    int dlen = i2d_X509(cert, &der);
    X509_free(cert);
    unsigned char *mpub = NULL, *epem = NULL;
    size_t mlen = 0, elen = 0;
    int rc = 1;
    if (dlen <= 0)
        goto out;
    if (mldsa && read_file(mldsa, &mpub, &mlen)) {
        fprintf(stderr, "qtpm-nms: cannot read %s\n", mldsa);
        goto out;
    }
    if (ecdsa) {
        if (read_file(ecdsa, &epem, &elen)) {
            fprintf(stderr, "qtpm-nms: cannot read %s\n", ecdsa);
            goto out;
        }
        unsigned char *t = realloc(epem, elen + 1);
        if (!t)
            goto out;
        epem = t;
        epem[elen] = '\0';
    }
    int src = qtpm_store_begin(st);
    if (!src)
        src = qtpm_store_vendor_add(st, name, der, (size_t)dlen, mpub, mlen, (char *)epem);
    if (!src)
        src = qtpm_store_event_add(st, NULL, "vendor-import", name, NULL);
    if (!src)
        src = qtpm_store_commit(st);
    else
        qtpm_store_rollback(st);
    if (src == QTPM_STORE_CONFLICT) {
        fprintf(stderr, "qtpm-nms: vendor %s already imported\n", name);
        goto out;
    }
    if (src) {
        fprintf(stderr, "qtpm-nms: %s\n", qtpm_store_errmsg(st));
        goto out;
    }
    if (json)
        printf("{\"vendor\":\"%s\"}\n", name);
    else
        printf("vendor %s imported\n", name);
    rc = 0;
out:
    OPENSSL_free(der);
    free(mpub);
    free(epem);
    return rc;
}

static int dump(json_t *j);

/* digestlist add FILE (src/ras/digestlists.c). */
static int digestlist_add(qtpm_store *st, const char *file, int json)
{
    unsigned char *buf = NULL;
    size_t len = 0;
    if (read_file(file, &buf, &len)) {
        fprintf(stderr, "qtpm-nms: cannot read %s\n", file);
        return 1;
    }
    qtpm_ras_result res = {0};
    qtpm_ras_digestlist_add(st, buf, len, &res);
    free(buf);
    if (!res.body) {
        fprintf(stderr, "qtpm-nms: %s: %s\n", file, res.message);
        return 1;
    }
    if (json) {
        dump(res.body);
    } else {
        printf("digest list %s %s version %lld added (%lld entries)\n",
               json_string_value(json_object_get(res.body, "vendor")),
               json_string_value(json_object_get(res.body, "image")),
               (long long)json_integer_value(json_object_get(res.body, "version")),
               (long long)json_integer_value(json_object_get(res.body, "entries")));
        json_decref(res.body);
    }
    return 0;
}

static int print_router(void *ctx, const qtpm_store_router *r)
{
    json_t *a = ctx;
    if (a)
        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:b,s:I,s:I}", "id", r->id,
                                           "hostname", r->hostname, "state", r->state,
                                           "allow_reenrol", r->allow_reenrol, "created",
                                           (json_int_t)r->created, "updated",
                                           (json_int_t)r->updated));
    else
        printf("%-20s %-24s %-10s%s\n", r->id, r->hostname, r->state,
               r->allow_reenrol ? " (re-enrolment allowed)" : "");
    return 0;
}

static int print_event(void *ctx, const qtpm_store_event *e)
{
    json_t *a = ctx;
    if (a)
        json_array_append_new(a, json_pack("{s:I,s:I,s:I,s:s,s:s,s:s}", "id",
                                           (json_int_t)e->id, "time", (json_int_t)e->time,
                                           "time_ms", (json_int_t)e->time_ms, "router",
                                           e->router, "kind", e->kind, "detail", e->detail));
    else
        printf("%6lld %lld %-16s %-16s %s\n", (long long)e->id, (long long)e->time,
               e->router[0] ? e->router : "-", e->kind, e->detail);
    return 0;
}

static int dump(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        return 1;
    puts(s);
    free(s);
    return 0;
}

static int router_cmd(qtpm_store *st, int argc, char **argv, int json)
{
    if (argc >= 1 && !strcmp(argv[0], "list")) {
        json_t *a = json ? json_array() : NULL;
        if (qtpm_store_router_each(st, print_router, a)) {
            json_decref(a);
            fprintf(stderr, "qtpm-nms: %s\n", qtpm_store_errmsg(st));
            return 1;
        }
        return a ? dump(a) : 0;
    }
    if (argc >= 2 && (!strcmp(argv[0], "show") || !strcmp(argv[0], "allow"))) {
        qtpm_store_router r;
        int rc;
        if (!strcmp(argv[0], "allow")) {
            rc = qtpm_store_begin(st);
            if (!rc)
                rc = qtpm_store_router_set_allow(st, argv[1], 1);
            if (!rc)
                rc = qtpm_store_event_add(st, argv[1], "allow-reenrol", "by operator (CLI)",
                                          NULL);
            if (!rc)
                rc = qtpm_store_commit(st);
            else
                qtpm_store_rollback(st);
            if (rc == 0)
                rc = qtpm_store_router_get(st, argv[1], &r);
        } else {
            rc = qtpm_store_router_get(st, argv[1], &r);
        }
        if (rc == QTPM_STORE_NOTFOUND) {
            fprintf(stderr, "qtpm-nms: no router %s\n", argv[1]);
            return 1;
        }
        if (rc) {
            fprintf(stderr, "qtpm-nms: %s\n", qtpm_store_errmsg(st));
            return 1;
        }
        json_t *a = json ? json_array() : NULL;
        print_router(a, &r);
        char verdict[16];
        char *reasons = NULL;
        int have = qtpm_store_last_verdict(st, r.id, verdict, &reasons) == QTPM_STORE_OK;
        if (!a) {
            if (have)
                printf("last verdict: %s %s\n", verdict, reasons);
            free(reasons);
            return 0;
        }
        json_t *one = json_incref(json_array_get(a, 0));
        json_decref(a);
        json_t *rj = have ? json_loads(reasons, 0, NULL) : NULL;
        free(reasons);
        if (have) {
            json_object_set_new(one, "verdict", json_string(verdict));
            json_object_set_new(one, "reasons", rj ? rj : json_array());
        }
        return dump(one);
    }
    fprintf(stderr, "usage: qtpm-nms router list | show ID | allow ID [--json]\n");
    return 2;
}

static int policy_print(const qtpm_store_policy *p, int json)
{
    if (json)
        return dump(qtpm_nms_policy_json(p));
    printf("state    cost\ngood     %lld\nunknown  %lld\nbad      %lld\noffline  %lld\n"
           "bad routers: %s\n", (long long)p->good, (long long)p->unknown, (long long)p->bad,
           (long long)p->offline, !strcmp(p->bad_action, "exclude")
                                      ? "exclude (neighbours make the link passive)"
                                      : "metric (neighbours set the bad cost)");
    return 0;
}

/* policy show | policy set good=N unknown=N bad=N offline=N [--bad-action A] */
static int policy_cmd(qtpm_store *st, int argc, char **argv, int json)
{
    qtpm_store_policy p;
    if (argc < 1 || (strcmp(argv[0], "show") && strcmp(argv[0], "set"))) {
        fprintf(stderr, "usage: qtpm-nms policy show | set STATE=COST... "
                        "[--bad-action metric|exclude] [--json]\n");
        return 2;
    }
    if (qtpm_store_policy_get(st, &p)) {
        fprintf(stderr, "qtpm-nms: %s\n", qtpm_store_errmsg(st));
        return 1;
    }
    if (!strcmp(argv[0], "show"))
        return policy_print(&p, json);
    json_t *body = json_object(), *m = json_object();
    json_object_set_new(body, "metrics", m);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--bad-action") && i + 1 < argc) {
            json_object_set_new(body, "bad_action", json_string(argv[++i]));
            continue;
        }
        const char *eq = strchr(argv[i], '=');
        char *end = NULL;
        long long v = eq ? strtoll(eq + 1, &end, 10) : 0;
        if (!eq || eq == argv[i] || eq - argv[i] > 16 || !eq[1] || *end) {
            fprintf(stderr, "qtpm-nms: '%s': want STATE=COST (good, unknown, bad, offline) "
                    "or --bad-action metric|exclude\n", argv[i]);
            json_decref(body);
            return 2;
        }
        char state[17];
        snprintf(state, sizeof state, "%.*s", (int)(eq - argv[i]), argv[i]);
        json_object_set_new(m, state, json_integer(v));
    }
    char msg[200];
    qtpm_store_policy old = p;
    const char *err = qtpm_nms_policy_apply(&p, body, msg, sizeof msg);
    json_decref(body);
    if (err) {
        fprintf(stderr, "qtpm-nms: %s: %s\n", err, msg);
        return 1;
    }
    if (memcmp(&p, &old, sizeof p) != 0) {
        char detail[240];
        snprintf(detail, sizeof detail, "good=%lld unknown=%lld bad=%lld offline=%lld "
                 "bad_action=%s (by operator, CLI)", (long long)p.good, (long long)p.unknown,
                 (long long)p.bad, (long long)p.offline, p.bad_action);
        if (qtpm_store_policy_set(st, &p, detail)) {
            fprintf(stderr, "qtpm-nms: %s\n", qtpm_store_errmsg(st));
            return 1;
        }
    }
    return policy_print(&p, json);
}

static int topology_cmd(qtpm_store *st, int json)
{
    json_t *t;
    if (qtpm_nms_topology_read(st, &t)) {
        fprintf(stderr, "qtpm-nms: %s\n", qtpm_store_errmsg(st));
        return 1;
    }
    if (json)
        return dump(t);
    size_t i;
    json_t *e;
    printf("%-20s %-24s %-10s %s\n", "ROUTER", "HOSTNAME", "STATE", "OSPF ID");
    json_array_foreach(json_object_get(t, "routers"), i, e) {
        const char *o = json_string_value(json_object_get(e, "ospf_router_id"));
        printf("%-20s %-24s %-10s %s\n", json_string_value(json_object_get(e, "id")),
               json_string_value(json_object_get(e, "hostname")),
               json_string_value(json_object_get(e, "state")), o ? o : "-");
    }
    printf("\n%-20s %-8s %6s   %-20s %-8s %6s\n", "A", "IFACE", "COST", "B", "IFACE", "COST");
    json_array_foreach(json_object_get(t, "links"), i, e) {
        const char *bi = json_string_value(json_object_get(e, "b_interface"));
        json_t *ac = json_object_get(e, "a_cost"), *bc = json_object_get(e, "b_cost");
        char as[16] = "-", bs[16] = "-";
        if (json_is_integer(ac))
            snprintf(as, sizeof as, "%lld", (long long)json_integer_value(ac));
        if (json_is_integer(bc))
            snprintf(bs, sizeof bs, "%lld", (long long)json_integer_value(bc));
        printf("%-20s %-8s %6s   %-20s %-8s %6s%s\n", json_string_value(json_object_get(e, "a")),
               json_string_value(json_object_get(e, "a_interface")), as,
               json_string_value(json_object_get(e, "b")), bi ? bi : "-", bs,
               json_is_true(json_object_get(e, "excluded")) ? "  excluded" : "");
    }
    json_decref(t);
    return 0;
}

int qtpm_nms_admin(const char *db_url, int argc, char **argv)
{
    int json = 0, n = 0;
    char *args[32];
    for (int i = 0; i < argc && n < 32; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else
            args[n++] = argv[i];
    }
    if (n == 0)
        return 2;
    qtpm_store *st;
    char err[512];
    if (qtpm_store_open(db_url, &st, err, sizeof err)) {
        fprintf(stderr, "qtpm-nms: %s\n", err);
        return 1;
    }
    int rc = 2;
    if (!strcmp(args[0], "vendor") && n >= 2 && !strcmp(args[1], "import")) {
        rc = vendor_import(st, n - 2, args + 2, json);
    } else if (!strcmp(args[0], "digestlist") && n == 3 && !strcmp(args[1], "add")) {
        rc = digestlist_add(st, args[2], json);
    } else if (!strcmp(args[0], "router")) {
        rc = router_cmd(st, n - 1, args + 1, json);
    } else if (!strcmp(args[0], "policy")) {
        rc = policy_cmd(st, n - 1, args + 1, json);
    } else if (!strcmp(args[0], "topology")) {
        rc = topology_cmd(st, json);
    } else if (!strcmp(args[0], "events")) {
        long long since = 0;
        if (n >= 3 && !strcmp(args[1], "--since"))
            since = strtoll(args[2], NULL, 10);
        json_t *a = json ? json_array() : NULL;
        if (qtpm_store_event_each(st, since, print_event, a)) {
            json_decref(a);
            fprintf(stderr, "qtpm-nms: %s\n", qtpm_store_errmsg(st));
            rc = 1;
        } else {
            rc = a ? dump(a) : 0;
        }
    } else {
        fprintf(stderr, "qtpm-nms: unknown command %s\n", args[0]);
    }
    qtpm_store_close(st);
    return rc;
}
