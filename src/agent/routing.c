/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's routing role (docs/ROUTING.md, "Agent"): it reads the router's OSPF state
 * from FRRouting and sends it to the NMS as routing reports, and it applies the NMS's
 * enforcement commands (the OSPF cost, or passive for an excluded link, of one
 * interface toward a neighbour) and acknowledges each with the time it was received,
 * applied and seen in the kernel's FIB.
 *
 * FRR is reached directly over the daemons' vty Unix sockets (<frr_vty_dir>/ospfd.vty,
 * zebra.vty), the channel vtysh uses (FRR lib/vty.c, vtysh/vtysh.c): a command is its
 * text followed by one NUL byte; the daemon answers with the command's output followed
 * by three NUL bytes and one status byte (CMD_SUCCESS = 0). `show ... json` commands give
 * the state as JSON. A Unix socket with a filesystem path is reachable from every network
 * namespace, so the agent runs in the root namespace (where it reaches its TPM and the
 * NMS on 127.0.0.1) and only its netlink socket is opened inside the router's namespace
 * (setns(2) on /var/run/netns/<netns>, then back: a socket keeps the namespace it was
 * created in, net/core/net_namespace.c). That socket listens to RTNLGRP_IPV4_ROUTE
 * (rtnetlink(7)): the RTM_NEWROUTE / RTM_DELROUTE that zebra's FIB updates cause
 * (rtm_protocol RTPROT_OSPF, 188) timestamp the change in the kernel's FIB.
 *
 * The NMS calls are router-role calls over mutual TLS with the TPM-resident key
 * (flows.c's agent_tls_identity); two libcurl handles are kept for the agent's life so
 * each keeps its connection (one handshake): one for the long poll of
 * GET /routers/<id>/commands (driven by a curl multi handle, so the agent's loop also
 * waits for exec events and netlink at the same time), one for reports and acks.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <openssl/ssl.h>

#include "agent.h"

#define VTY_REPLY_MAX (16u << 20)
#define MAX_IFS 256
#define MAX_NBRS 256
#define MAX_ROUTES 4096
#define RTPROT_OSPF_ZEBRA 188 /* zebra's protocol number for OSPF routes (rt_netlink.h) */
#define FIB_WAIT_MS 2000
#define REPORT_CHECK_MS 1000

struct agent_routing {
    const agent_config *cfg;
    agent_tls_identity *id;
    CURL *post;
    CURLM *multi;
    CURL *poll;
    int poll_active;
    int post_bound, poll_bound; /* their connections carry a channel binding (channel.c) */
    agent_reply poll_reply;
    char poll_url[1024];
    double poll_retry;
    long long after;
    int nl;
    json_t *last_report;
    double next_check;
    int report_due;
};

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ------------------------------------------------------------------- vty */

static int vty_open(const agent_config *cfg, const char *daemon, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s.vty", cfg->frr_vty_dir, daemon) >=
        (int)sizeof sa.sun_path) {
        snprintf(err, errlen, "frr_vty_dir too long for a socket path");
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        snprintf(err, errlen, "cannot reach FRR's %s at %s: %s", daemon, sa.sun_path,
                 strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* One command: its text and a NUL; the reply up to the three NULs and the status byte.
 * *out (may be NULL) gets the output text; the return value is the status, or -1. */
static int vty_cmd(int fd, const char *cmd, char **out, char *err, size_t errlen)
{
    if (out)
        *out = NULL;
    size_t n = strlen(cmd) + 1, done = 0;
    while (done < n) {
        ssize_t w = write(fd, cmd + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            snprintf(err, errlen, "vty write: %s", strerror(errno));
            return -1;
        }
        done += (size_t)w;
    }
    char *buf = NULL;
    size_t len = 0;
    double end = wall_ms() + 5000;
    for (;;) {
        if (len >= 4 && buf[len - 4] == 0 && buf[len - 3] == 0 && buf[len - 2] == 0)
            break;
        int left = (int)(end - wall_ms());
        struct pollfd p = { fd, POLLIN, 0 };
        if (left <= 0 || poll(&p, 1, left) <= 0) {
            free(buf);
            snprintf(err, errlen, "FRR did not answer '%s' in 5 s", cmd);
            return -1;
        }
        if (len + 65536 > VTY_REPLY_MAX) {
            free(buf);
            snprintf(err, errlen, "FRR's answer to '%s' is larger than 16 MiB", cmd);
            return -1;
        }
        char *nb = realloc(buf, len + 65536 + 1);
        if (!nb) {
            free(buf);
            return -1;
        }
        buf = nb;
        ssize_t r = read(fd, buf + len, 65536);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            free(buf);
            snprintf(err, errlen, "FRR closed the vty during '%s'", cmd);
            return -1;
        }
        len += (size_t)r;
    }
    int status = (unsigned char)buf[len - 1];
    buf[len - 4] = '\0';
    if (out)
        *out = buf;
    else
        free(buf);
    return status;
}

/* `show ... json` on daemon → parsed JSON (NULL on error, with err). */
static json_t *vty_json(const agent_config *cfg, const char *daemon, const char *cmd, char *err,
                        size_t errlen)
{
    int fd = vty_open(cfg, daemon, err, errlen);
    if (fd < 0)
        return NULL;
    char *out = NULL;
    int st = vty_cmd(fd, cmd, &out, err, errlen);
    close(fd);
    if (st != 0) {
        if (st > 0)
            snprintf(err, errlen, "FRR's %s refused '%s' (status %d)", daemon, cmd, st);
        free(out);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loads(out, 0, &je);
    free(out);
    if (!j)
        snprintf(err, errlen, "FRR's %s answered '%s' with no JSON: %s", daemon, cmd, je.text);
    return j;
}

/* ------------------------------------------------------------ the report */

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The part of s up to the first c (FRR writes "Full/-" and "eth1:10.0.12.1"). */
static json_t *upto(const char *s, char c)
{
    if (!s)
        return json_string("");
    const char *e = strchr(s, c);
    return json_stringn(s, e ? (size_t)(e - s) : strlen(s));
}

static json_t *build_report(const agent_config *cfg, char *err, size_t errlen)
{
    json_t *gen = vty_json(cfg, "ospfd", "show ip ospf json", err, errlen);
    json_t *ifs = gen ? vty_json(cfg, "ospfd", "show ip ospf interface json", err, errlen) : NULL;
    json_t *nbr = ifs ? vty_json(cfg, "ospfd", "show ip ospf neighbor json", err, errlen) : NULL;
    json_t *rts = nbr ? vty_json(cfg, "zebra", "show ip route json", err, errlen) : NULL;
    json_t *rep = NULL;
    if (rts) {
        json_t *ia = json_array(), *na = json_array(), *ra = json_array(), *v;
        const char *k;
        json_object_foreach(json_object_get(ifs, "interfaces"), k, v) {
            if (json_array_size(ia) >= MAX_IFS)
                break;
            json_int_t cost = json_integer_value(json_object_get(v, "cost"));
            if (cost < 1 || cost > 65535)
                continue; /* a loopback (cost 0): no link, nothing to enforce */
            char addr[64];
            snprintf(addr, sizeof addr, "%s/%lld", jstr(v, "ipAddress") ? jstr(v, "ipAddress") : "",
                     (long long)json_integer_value(json_object_get(v, "ipAddressPrefixlen")));
            json_array_append_new(ia, json_pack("{s:s,s:s,s:I,s:b}", "name", k, "address", addr,
                                                "cost", cost,
                                                "passive",
                                                json_is_true(json_object_get(v,
                                                    "timerPassiveIface"))));
        }
        json_object_foreach(json_object_get(nbr, "neighbors"), k, v) {
            size_t i;
            json_t *n;
            json_array_foreach(v, i, n) {
                if (json_array_size(na) >= MAX_NBRS)
                    break;
                json_array_append_new(na, json_pack("{s:s,s:o,s:s,s:o}", "ospf_router_id", k,
                                                    "interface", upto(jstr(n, "ifaceName"), ':'),
                                                    "address", jstr(n, "ifaceAddress") ?
                                                    jstr(n, "ifaceAddress") : "",
                                                    "state", upto(jstr(n, "nbrState"), '/')));
            }
        }
        json_object_foreach(rts, k, v) {
            size_t i, j;
            json_t *r, *nh;
            json_array_foreach(v, i, r) {
                if (!json_is_true(json_object_get(r, "selected")))
                    continue;
                json_array_foreach(json_object_get(r, "nexthops"), j, nh) {
                    /* routes through a gateway: connected prefixes are the interfaces */
                    if (!jstr(nh, "ip") || !json_is_true(json_object_get(nh, "active")) ||
                        json_array_size(ra) >= MAX_ROUTES)
                        continue;
                    json_array_append_new(ra, json_pack(
                        "{s:s,s:s,s:s,s:I,s:s}", "prefix", k, "via", jstr(nh, "ip"),
                        "interface", jstr(nh, "interfaceName") ? jstr(nh, "interfaceName") : "",
                        "metric", json_integer_value(json_object_get(r, "metric")), "protocol",
                        jstr(r, "protocol") ? jstr(r, "protocol") : "unknown"));
                }
            }
        }
        rep = json_pack("{s:s,s:o,s:o,s:o}", "ospf_router_id",
                        jstr(gen, "routerId") ? jstr(gen, "routerId") : "", "interfaces", ia,
                        "neighbours", na, "routes", ra);
    }
    json_decref(gen);
    json_decref(ifs);
    json_decref(nbr);
    json_decref(rts);
    return rep;
}

/* ------------------------------------------------------------------ HTTP */

static CURLcode on_ssl_ctx(CURL *c, void *ssl_ctx, void *parm)
{
    (void)c;
    agent_routing *rt = parm;
    agent_tls_identity *id = rt->id;
    if (agent_channel_ctx(rt->cfg, ssl_ctx))
        return CURLE_SSL_CIPHER;
    if (SSL_CTX_use_certificate(ssl_ctx, agent_tls_identity_cert(id)) != 1 ||
        SSL_CTX_use_PrivateKey(ssl_ctx, agent_tls_identity_key(id)) != 1)
        return CURLE_SSL_CERTPROBLEM;
    return CURLE_OK;
}

static void common_opts(agent_routing *rt, CURL *c, agent_reply *r, long timeout)
{
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, agent_reply_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    if (rt->cfg->ca_file[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, rt->cfg->ca_file);
    curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, rt);
}

/* POST body to /api/v1/routers/<id>/<suffix> on the kept mutual-TLS connection. */
static int rpost(agent_routing *rt, const char *suffix, json_t *body, char *err, size_t errlen)
{
    char url[1024];
    snprintf(url, sizeof url, "%s/api/v1/routers/%s/%s", rt->cfg->nms_url,
             agent_tls_identity_router(rt->id), suffix);
    if (!agent_tls_identity_usable(rt->cfg, rt->id)) {
        snprintf(err, errlen, "the TPM-resident key has no approval for these PCRs (waiting "
                 "for a good verdict)");
        return AGENT_E_NMS;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text)
        return QTPM_E_NOMEM;
    agent_tls_identity_refresh(rt->cfg, rt->id);
    agent_reply r = { NULL, 0, 0 };
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *c = rt->post;
    CURLcode cc = CURLE_OK;
    long status = 0;
    int rc = 0;
    /* Bind the kept connection first; if the NMS says the connection is unbound (libcurl
     * opened a new one), bind it and send once more. */
    for (int attempt = 0; attempt < 2; attempt++) {
        if (!rt->post_bound) {
            common_opts(rt, c, &r, 10L);
            rc = agent_channel_bind(agent_tls_identity_binder(rt->id), c, NULL, err, errlen);
            if (rc != 0)
                break;
            rt->post_bound = 1;
        }
        free(r.buf);
        memset(&r, 0, sizeof r);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
        common_opts(rt, c, &r, 10L);
        cc = curl_easy_perform(c);
        status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (cc == CURLE_OK && status == 401 && r.buf && strstr(r.buf, "channel-unbound")) {
            rt->post_bound = 0;
            continue;
        }
        break;
    }
    if (rc != 0) {
        /* the binding failed: err says why */
    } else if (cc != CURLE_OK) {
        snprintf(err, errlen, "%.300s: %s", url, curl_easy_strerror(cc));
        rc = AGENT_E_NMS;
    } else {
        if (status < 200 || status > 299) {
            snprintf(err, errlen, "%.300s: HTTP %ld %.200s", url, status, r.buf ? r.buf : "");
            rc = AGENT_E_NMS;
        }
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(h);
    free(text);
    free(r.buf);
    return rc;
}

static void start_poll(agent_routing *rt)
{
    if (!agent_tls_identity_usable(rt->cfg, rt->id)) {
        rt->poll_retry = wall_ms() + 1000;
        return;
    }
    snprintf(rt->poll_url, sizeof rt->poll_url, "%s/api/v1/routers/%s/commands?after=%lld&wait=25",
             rt->cfg->nms_url, agent_tls_identity_router(rt->id), rt->after);
    free(rt->poll_reply.buf);
    memset(&rt->poll_reply, 0, sizeof rt->poll_reply);
    agent_tls_identity_refresh(rt->cfg, rt->id);
    if (!rt->poll_bound) {
        char err[512];
        common_opts(rt, rt->poll, &rt->poll_reply, 10L);
        if (agent_channel_bind(agent_tls_identity_binder(rt->id), rt->poll, rt->multi, err,
                               sizeof err) != 0) {
            fprintf(stderr, "qtpm-agent: %s: command poll: %s\n", rt->cfg->hostname, err);
            rt->poll_retry = wall_ms() + 1000;
            return;
        }
        rt->poll_bound = 1;
        free(rt->poll_reply.buf);
        memset(&rt->poll_reply, 0, sizeof rt->poll_reply);
    }
    curl_easy_setopt(rt->poll, CURLOPT_URL, rt->poll_url);
    curl_easy_setopt(rt->poll, CURLOPT_HTTPGET, 1L);
    common_opts(rt, rt->poll, &rt->poll_reply, 40L);
    if (curl_multi_add_handle(rt->multi, rt->poll) == CURLM_OK)
        rt->poll_active = 1;
    else
        rt->poll_retry = wall_ms() + 1000;
}

/* --------------------------------------------------------------- netlink */

static int netlink_open(const agent_config *cfg, char *err, size_t errlen)
{
    int here = -1, there = -1, fd = -1;
    if (cfg->netns[0]) {
        char p[300];
        snprintf(p, sizeof p, "/var/run/netns/%s", cfg->netns);
        here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
        there = open(p, O_RDONLY | O_CLOEXEC);
        if (here < 0 || there < 0 || setns(there, CLONE_NEWNET) != 0) {
            snprintf(err, errlen, "cannot enter the network namespace %s: %s", p,
                     strerror(errno));
            if (here >= 0)
                close(here);
            if (there >= 0)
                close(there);
            return -1;
        }
    }
    fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    int saved = errno;
    if (fd >= 0) {
        struct sockaddr_nl sa;
        memset(&sa, 0, sizeof sa);
        sa.nl_family = AF_NETLINK;
        sa.nl_groups = RTMGRP_IPV4_ROUTE;
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    if (here >= 0) {
        if (setns(here, CLONE_NEWNET) != 0) {
            /* cannot happen with the fd of our own namespace; refuse to go on in the
             * router's namespace, where the NMS and the TPM are not reachable */
            snprintf(err, errlen, "cannot return to the agent's network namespace: %s",
                     strerror(errno));
            if (fd >= 0)
                close(fd);
            fd = -2;
        }
        close(here);
        close(there);
    }
    if (fd == -1)
        snprintf(err, errlen, "netlink socket: %s", strerror(saved));
    return fd;
}

/* Reads what is pending: 1 when an OSPF route was added, changed or removed. */
static int netlink_drain(int fd)
{
    int seen = 0;
    for (int round = 0; round < 256; round++) {
        char buf[16384] __attribute__((aligned(8)));
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == ENOBUFS) {
            seen = 1; /* overrun: something changed */
            continue;
        }
        if (n <= 0)
            break;
        unsigned int len = (unsigned int)n;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, len);
             h = NLMSG_NEXT(h, len)) {
            if ((h->nlmsg_type == RTM_NEWROUTE || h->nlmsg_type == RTM_DELROUTE) &&
                h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct rtmsg))) {
                struct rtmsg *r = NLMSG_DATA(h);
                if (r->rtm_protocol == RTPROT_OSPF_ZEBRA)
                    seen = 1;
            }
        }
    }
    return seen;
}

/* Waits up to ms for an OSPF route change: its wall-clock time, or 0. */
static double netlink_wait(int fd, int ms)
{
    double end = wall_ms() + ms;
    for (;;) {
        int left = (int)(end - wall_ms());
        if (left <= 0)
            return 0;
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, left) > 0 && netlink_drain(fd))
            return wall_ms();
    }
}

/* -------------------------------------------------------------- commands */

static int ifname_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > 15)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] <= ' ' || s[i] > '~' || s[i] == '/')
            return 0;
    return 1;
}

static int apply(agent_routing *rt, const char *ifname, long long cost, int excluded, char *err,
                 size_t errlen)
{
    /* only an interface OSPF runs on (FRR's `interface X` would create a new one) */
    char q[64];
    snprintf(q, sizeof q, "show ip ospf interface %s json", ifname);
    json_t *one = vty_json(rt->cfg, "ospfd", q, err, errlen);
    int known = json_object_get(json_object_get(one, "interfaces"), ifname) != NULL;
    json_decref(one);
    if (!known) {
        if (one)
            snprintf(err, errlen, "no OSPF interface %s on this router", ifname);
        return -1;
    }
    int fd = vty_open(rt->cfg, "ospfd", err, errlen);
    if (fd < 0)
        return -1;
    char c1[64], c2[64];
    snprintf(c1, sizeof c1, "interface %s", ifname);
    snprintf(c2, sizeof c2, "ip ospf cost %lld", cost);
    const char *cmds[] = { "enable", "configure terminal", c1, c2,
                           excluded ? "ip ospf passive" : "no ip ospf passive", "end" };
    int rc = 0;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0] && rc == 0; i++) {
        char *out = NULL;
        int st = vty_cmd(fd, cmds[i], &out, err, errlen);
        if (st > 0 && i > 0) {
            snprintf(err, errlen, "ospfd refused '%s' (status %d): %.200s", cmds[i], st,
                     out ? out : "");
            rc = -1;
        } else if (st < 0) {
            rc = -1;
        }
        free(out);
    }
    close(fd);
    return rc;
}

static void handle_command(agent_routing *rt, json_t *c)
{
    double received = wall_ms();
    json_int_t seq = json_integer_value(json_object_get(c, "seq"));
    const char *kind = jstr(c, "kind"), *ifname = jstr(c, "interface");
    json_t *jc = json_object_get(c, "cost");
    json_int_t cost = json_integer_value(jc);
    int excluded = json_is_true(json_object_get(c, "excluded"));
    char err[512] = "";
    int ok = 0;
    double applied = 0, fib = 0;
    if (seq <= 0) {
        fprintf(stderr, "qtpm-agent: %s: a command without a seq is ignored\n",
                rt->cfg->hostname);
        return;
    }
    if (!kind || strcmp(kind, "ospf-interface"))
        snprintf(err, sizeof err, "unknown command kind '%s'", kind ? kind : "");
    else if (!ifname_ok(ifname))
        snprintf(err, sizeof err, "bad interface name");
    else if (!json_is_integer(jc) || cost < 1 || cost > 65535)
        snprintf(err, sizeof err, "cost must be 1..65535 (RFC 2328 C.3)");
    else {
        netlink_drain(rt->nl); /* only changes after this command count */
        if (apply(rt, ifname, cost, excluded, err, sizeof err) == 0) {
            ok = 1;
            applied = wall_ms();
            fib = netlink_wait(rt->nl, FIB_WAIT_MS);
        }
    }
    json_t *ack = json_pack("{s:b,s:I,s:I}", "ok", ok, "received_ms", (json_int_t)received,
                            "applied_ms", (json_int_t)applied);
    if (ack) {
        json_object_set_new(ack, "fib_ms", fib > 0 ? json_integer((json_int_t)fib) : json_null());
        if (!ok)
            json_object_set_new(ack, "error", json_string(err));
    }
    char path[64], e2[768];
    snprintf(path, sizeof path, "commands/%lld/ack", (long long)seq);
    int sent = ack ? rpost(rt, path, ack, e2, sizeof e2) : -1;
    if (ok)
        printf("qtpm-agent: %s: command %lld: %s cost %lld%s applied in %.1f ms, FIB %s%.1f ms%s\n",
               rt->cfg->hostname, (long long)seq, ifname, (long long)cost,
               excluded ? " passive" : "", applied - received, fib > 0 ? "changed after " : "",
               fib > 0 ? fib - applied : 0.0, fib > 0 ? "" : " (no change in 2 s)");
    else
        printf("qtpm-agent: %s: command %lld refused: %s\n", rt->cfg->hostname,
               (long long)seq, err);
    if (sent != 0)
        fprintf(stderr, "qtpm-agent: %s: ack of command %lld not sent: %s\n",
                rt->cfg->hostname, (long long)seq, ack ? e2 : "no memory");
    fflush(stdout);
    json_decref(ack);
    if (seq > rt->after)
        rt->after = seq;
    rt->report_due = 2; /* after each command, even when unchanged */
}

static void poll_done(agent_routing *rt, CURLcode cc)
{
    curl_multi_remove_handle(rt->multi, rt->poll);
    rt->poll_active = 0;
    long status = 0;
    curl_easy_getinfo(rt->poll, CURLINFO_RESPONSE_CODE, &status);
    if (status == 401 || cc != CURLE_OK)
        rt->poll_bound = 0; /* a new connection next time: bind it */
    json_t *j = NULL;
    if (cc == CURLE_OK && status == 200 && rt->poll_reply.buf) {
        json_error_t je;
        j = json_loads(rt->poll_reply.buf, 0, &je);
    }
    json_t *cmds = json_object_get(j, "commands");
    if (!json_is_array(cmds)) {
        fprintf(stderr, "qtpm-agent: %s: commands poll failed: %s (HTTP %ld)\n",
                rt->cfg->hostname, cc != CURLE_OK ? curl_easy_strerror(cc) : "bad reply",
                status);
        rt->poll_retry = wall_ms() + 1000;
    } else {
        size_t i;
        json_t *c;
        json_array_foreach(cmds, i, c)
            handle_command(rt, c);
        rt->poll_retry = 0;
    }
    json_decref(j);
}

/* ----------------------------------------------------------------- report */

static void maybe_report(agent_routing *rt)
{
    double now = wall_ms();
    if (!rt->report_due && now < rt->next_check)
        return;
    rt->next_check = now + REPORT_CHECK_MS;
    char err[768];
    json_t *rep = build_report(rt->cfg, err, sizeof err);
    if (!rep) {
        fprintf(stderr, "qtpm-agent: %s: no routing report: %s\n", rt->cfg->hostname, err);
        rt->report_due = 0;
        return;
    }
    if (rt->report_due != 2 && rt->last_report && json_equal(rep, rt->last_report)) {
        json_decref(rep);
        rt->report_due = 0;
        return;
    }
    if (rpost(rt, "routing", rep, err, sizeof err) == 0) {
        json_decref(rt->last_report);
        rt->last_report = rep;
    } else {
        fprintf(stderr, "qtpm-agent: %s: routing report not sent: %s\n", rt->cfg->hostname, err);
        json_decref(rep);
    }
    rt->report_due = 0;
}

/* ------------------------------------------------------------------ public */

int agent_routing_open(const agent_config *cfg, qtpm_tss *tpm, agent_routing **out, char *err,
                       size_t errlen)
{
    *out = NULL;
    agent_routing *rt = calloc(1, sizeof *rt);
    if (!rt)
        return QTPM_E_NOMEM;
    rt->cfg = cfg;
    rt->nl = -1;
    int fd = vty_open(cfg, "ospfd", err, errlen);
    if (fd < 0) {
        free(rt);
        return AGENT_E_IO;
    }
    close(fd);
    int rc = agent_tls_identity_load(cfg, tpm, &rt->id, err, errlen);
    if (rc != 0) {
        free(rt);
        return rc;
    }
    if (agent_channel_init()) { /* the post-quantum groups, before its first connection */
        snprintf(err, errlen, "the qtpm provider (post-quantum TLS) cannot be loaded");
        agent_tls_identity_free(rt->id);
        free(rt);
        return AGENT_E_IO;
    }
    rt->nl = netlink_open(cfg, err, errlen);
    rt->post = curl_easy_init();
    rt->poll = curl_easy_init();
    rt->multi = curl_multi_init();
    if (rt->nl < 0 || !rt->post || !rt->poll || !rt->multi) {
        if (rt->nl == -2) {
            /* still in the router's namespace: the caller must stop */
            rt->nl = -1;
            agent_routing_close(rt);
            return QTPM_E_INVALID;
        }
        if (rt->nl >= 0 && !err[0])
            snprintf(err, errlen, "libcurl initialisation failed");
        agent_routing_close(rt);
        return AGENT_E_IO;
    }
    rt->report_due = 1;
    agent_tls_identity_share(rt->id); /* heartbeats and events use the loaded key */
    *out = rt;
    return 0;
}

int agent_routing_wait(agent_routing *rt, agent_watch *w, int timeout_ms)
{
    if (!rt->poll_active && wall_ms() >= rt->poll_retry)
        start_poll(rt);
    struct curl_waitfd extra[3];
    unsigned n = 0;
    int fds[3] = { rt->nl, w ? w->fan_fd : -1, w ? w->ino_fd : -1 };
    for (int i = 0; i < 3; i++) {
        if (fds[i] >= 0) {
            extra[n].fd = fds[i];
            extra[n].events = CURL_WAIT_POLLIN;
            extra[n].revents = 0;
            n++;
        }
    }
    int numfds = 0;
    curl_multi_poll(rt->multi, extra, n, timeout_ms, &numfds);
    int hit = 0;
    for (unsigned i = 0; i < n; i++) {
        if (!extra[i].revents)
            continue;
        if (extra[i].fd == rt->nl) {
            if (netlink_drain(rt->nl) && !rt->report_due) {
                rt->report_due = 1;
                rt->next_check = 0;
            }
        } else if (w && agent_watch_drain(w)) {
            hit = 1;
        }
    }
    if (hit)
        return 1; /* the caller measures and attests first */
    int running = 0;
    curl_multi_perform(rt->multi, &running);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(rt->multi, &left)))
        if (m->msg == CURLMSG_DONE && m->easy_handle == rt->poll)
            poll_done(rt, m->data.result);
    maybe_report(rt);
    return 0;
}

void agent_routing_close(agent_routing *rt)
{
    if (!rt)
        return;
    if (rt->poll_active)
        curl_multi_remove_handle(rt->multi, rt->poll);
    curl_easy_cleanup(rt->poll);
    curl_easy_cleanup(rt->post);
    curl_multi_cleanup(rt->multi);
    free(rt->poll_reply.buf);
    json_decref(rt->last_report);
    if (rt->nl >= 0)
        close(rt->nl);
    agent_tls_identity_free(rt->id);
    free(rt);
}
