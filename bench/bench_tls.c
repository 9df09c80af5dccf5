/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_tls.c — qtpm-bench-tls: TLS 1.3 handshake cost of qtpm-provider's
 * groups against the classic ones, in one process with OpenSSL 3.0's libssl
 * (docs/PROVIDER.md "What is measured").
 *
 * A client and a server SSL object talk over a UNIX socketpair (non-blocking;
 * one thread steps both until both finish), with an ECDSA P-256 server
 * certificate made at start-up, no client authentication, no session tickets
 * and no resumption: every handshake is a full one (1-RTT; none needs a
 * HelloRetryRequest, the client's key share is the server's group). A sample
 * is the wall time from SSL_new to both sides done, i.e. the CPU of client
 * and server together plus the socket calls. Groups run round-robin (one
 * handshake of each per round) so that load on the machine hits all alike,
 * in an order shuffled anew every round (seeded, --seed): with one fixed
 * order each group always follows the same other group, and what that one
 * left in the caches differs (X25519MLKEM768 right after P-256 measured
 * ≈ 3 points of ratio worse than right after X25519; --order fixed keeps
 * the old table order to show it);
 * after each handshake the client's negotiated group name
 * (SSL_get_negotiated_group, SSL_group_to_name) must be the one asked for
 * and 32 bytes of application data must arrive intact, or the run fails.
 *
 * Reported per group: median, p90 (nearest rank) and min latency,
 * handshakes/s (samples ÷ their sum), ratio of medians to X25519 and the
 * median of the per-round paired ratios; the hybrids also against their
 * classic half alone. The provider is loaded from --module-dir like any
 * application would (the built qtpm.so). --groups limits the run to some of
 * the groups (X25519, the base of every ratio, always runs; a hybrid whose
 * classic half is left out is compared with X25519), e.g. for `perf record`
 * over X25519 and X25519MLKEM768 alone; --no-kex leaves out the separate
 * key-exchange timing (kex_once), so that a profile holds handshakes only.
 */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "qtpm/version.h"

typedef struct {
    const char *group;   /* name for SSL_CTX_set1_groups_list and the check */
    int on;              /* in this run (--groups) */
    const char *baseline; /* the classic group it is compared with */
    double *us;
    double *paired; /* ÷ X25519 in the same round */
    double *kex;    /* the key exchange alone (kex_once) */
} series;

static series groups[] = {
    {"X25519", 1, "X25519", NULL, NULL, NULL},
    {"P-256", 1, "P-256", NULL, NULL, NULL},
    {"X25519MLKEM768", 1, "X25519", NULL, NULL, NULL},
    {"SecP256r1MLKEM768", 1, "P-256", NULL, NULL, NULL},
    {"MLKEM768", 1, "X25519", NULL, NULL, NULL},
    {"MLKEM1024", 1, "X25519", NULL, NULL, NULL},
};
#define NGROUPS (sizeof(groups) / sizeof(groups[0]))

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of n values (sorted copy). */
static double percentile(const double *v, size_t n, double pct)
{
    double *s = malloc(n * sizeof(*s)), r;
    size_t k;

    if (s == NULL)
        return NAN;
    memcpy(s, v, n * sizeof(*s));
    qsort(s, n, sizeof(*s), cmp_double);
    if (pct == 50 && n % 2 == 0) {
        r = (s[n / 2 - 1] + s[n / 2]) / 2;
    } else {
        k = (size_t)ceil(pct / 100.0 * (double)n);
        r = s[k == 0 ? 0 : k - 1];
    }
    free(s);
    return r;
}

/* An ECDSA P-256 key and a self-signed certificate for the server. */
static int make_cert(EVP_PKEY **key, X509 **cert)
{
    X509_NAME *name;

    *key = EVP_EC_gen("P-256");
    *cert = X509_new();
    if (*key == NULL || *cert == NULL)
        return 0;
    X509_set_version(*cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(*cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(*cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(*cert), 86400);
    X509_set_pubkey(*cert, *key);
    name = X509_get_subject_name(*cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"bench", -1, -1,
                               0);
    X509_set_issuer_name(*cert, name);
    return X509_sign(*cert, *key, EVP_sha256()) > 0;
}

static SSL_CTX *make_ctx(int server, const char *group, EVP_PKEY *key, X509 *cert)
{
    SSL_CTX *c = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());

    if (c == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    if (server) {
        SSL_CTX_set_num_tickets(c, 0);
        if (SSL_CTX_use_certificate(c, cert) != 1 || SSL_CTX_use_PrivateKey(c, key) != 1)
            goto fail;
    } else {
        SSL_CTX_set_verify(c, SSL_VERIFY_NONE, NULL);
    }
    if (SSL_CTX_set1_groups_list(c, group) != 1)
        goto fail;
    return c;
fail:
    SSL_CTX_free(c);
    return NULL;
}

/* One full handshake; its wall time in µs, or a negative value (and a
 * message) if it failed or negotiated anything but the expected group. */
static double handshake(SSL_CTX *cc, SSL_CTX *sc, const char *group)
{
    int fds[2];
    SSL *cl = NULL, *sv = NULL;
    double t0, t = -1;
    int cdone = 0, sdone = 0, steps = 0;
    char msg[32], got[32];
    const char *neg;

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
        return -1;
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    t0 = now_us();
    cl = SSL_new(cc);
    sv = SSL_new(sc);
    if (cl == NULL || sv == NULL || !SSL_set_fd(cl, fds[0]) || !SSL_set_fd(sv, fds[1]))
        goto out;
    SSL_set_connect_state(cl);
    SSL_set_accept_state(sv);
    while ((!cdone || !sdone) && steps++ < 100) {
        if (!cdone) {
            int r = SSL_do_handshake(cl);
            if (r == 1)
                cdone = 1;
            else if (SSL_get_error(cl, r) != SSL_ERROR_WANT_READ)
                goto fail;
        }
        if (!sdone) {
            int r = SSL_do_handshake(sv);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(sv, r) != SSL_ERROR_WANT_READ)
                goto fail;
        }
    }
    if (!cdone || !sdone)
        goto fail;
    t = now_us() - t0;
    /* What was negotiated, by name, and data through with those keys. */
    neg = SSL_group_to_name(cl, SSL_get_negotiated_group(cl));
    if (neg == NULL || (strcasecmp(neg, group) != 0 &&
                        !(strcmp(group, "P-256") == 0 && strcmp(neg, "secp256r1") == 0))) {
        fprintf(stderr, "bench-tls: asked for %s, negotiated %s\n", group, neg ? neg : "?");
        t = -1;
        goto out;
    }
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (char)('a' + (i + (size_t)steps) % 26);
    if (SSL_write(cl, msg, sizeof(msg)) != (int)sizeof(msg) ||
        SSL_read(sv, got, sizeof(got)) != (int)sizeof(got) || memcmp(msg, got, sizeof(msg)) != 0) {
        fprintf(stderr, "bench-tls: %s: application data did not come through\n", group);
        t = -1;
    }
    goto out;
fail:
    fprintf(stderr, "bench-tls: %s: handshake failed\n", group);
    ERR_print_errors_fp(stderr);
    t = -1;
out:
    SSL_free(cl);
    SSL_free(sv);
    close(fds[0]);
    close(fds[1]);
    return t;
}

/* The key exchange alone, through EVP as libssl 3.0 calls it (ssl/s3_lib.c):
 * client keygen with the group name and its encoded share; server paramgen,
 * the client's share set into it, then encapsulate (classic: keygen from the
 * parameters and derive); client decapsulate (classic: derive). µs, or < 0
 * on failure or if the two secrets differ. */
static EVP_PKEY *kex_gen(const char *group, int params_only)
{
    int p256 = strcmp(group, "P-256") == 0;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, p256 ? "EC" : group, NULL);
    EVP_PKEY *k = NULL;

    if (c == NULL || (params_only ? EVP_PKEY_paramgen_init(c) : EVP_PKEY_keygen_init(c)) <= 0 ||
        EVP_PKEY_CTX_set_group_name(c, p256 ? "P-256" : group) <= 0 ||
        (params_only ? EVP_PKEY_paramgen(c, &k) : EVP_PKEY_keygen(c, &k)) <= 0)
        k = NULL;
    EVP_PKEY_CTX_free(c);
    return k;
}

static int kex_derive(EVP_PKEY *priv, EVP_PKEY *peer, uint8_t *ss, size_t *n)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(NULL, priv, NULL);
    int ok = c != NULL && EVP_PKEY_derive_init(c) > 0 && EVP_PKEY_derive_set_peer(c, peer) > 0 &&
             EVP_PKEY_derive(c, ss, n) > 0;
    EVP_PKEY_CTX_free(c);
    return ok;
}

static double kex_once(const char *group)
{
    int classic = strcmp(group, "X25519") == 0 || strcmp(group, "P-256") == 0;
    uint8_t *share = NULL, *reply = NULL, ct[2048], ss1[64], ss2[64];
    size_t sl, ctl = sizeof(ct), n1 = sizeof(ss1), n2 = sizeof(ss2);
    EVP_PKEY *ck = NULL, *peer = NULL, *sk = NULL, *speer = NULL;
    EVP_PKEY_CTX *c = NULL;
    double t0 = now_us(), t = -1;
    int ok = 0;

    ck = kex_gen(group, 0);
    if (ck == NULL || (sl = EVP_PKEY_get1_encoded_public_key(ck, &share)) == 0)
        goto out;
    peer = kex_gen(group, 1);
    if (peer == NULL || EVP_PKEY_set1_encoded_public_key(peer, share, sl) != 1)
        goto out;
    if (classic) {
        sk = kex_gen(group, 0);
        if (sk == NULL || !kex_derive(sk, peer, ss1, &n1) ||
            (sl = EVP_PKEY_get1_encoded_public_key(sk, &reply)) == 0)
            goto out;
        speer = kex_gen(group, 1);
        if (speer == NULL || EVP_PKEY_set1_encoded_public_key(speer, reply, sl) != 1 ||
            !kex_derive(ck, speer, ss2, &n2))
            goto out;
    } else {
        c = EVP_PKEY_CTX_new_from_pkey(NULL, peer, NULL);
        if (c == NULL || EVP_PKEY_encapsulate_init(c, NULL) <= 0 ||
            EVP_PKEY_encapsulate(c, ct, &ctl, ss1, &n1) <= 0)
            goto out;
        EVP_PKEY_CTX_free(c);
        c = EVP_PKEY_CTX_new_from_pkey(NULL, ck, NULL);
        if (c == NULL || EVP_PKEY_decapsulate_init(c, NULL) <= 0 ||
            EVP_PKEY_decapsulate(c, ss2, &n2, ct, ctl) <= 0)
            goto out;
    }
    ok = n1 == n2 && memcmp(ss1, ss2, n1) == 0;
    t = now_us() - t0;
out:
    if (!ok) {
        fprintf(stderr, "bench-tls: %s: key exchange failed\n", group);
        ERR_print_errors_fp(stderr);
        t = -1;
    }
    EVP_PKEY_CTX_free(c);
    OPENSSL_free(share);
    OPENSSL_free(reply);
    EVP_PKEY_free(ck);
    EVP_PKEY_free(peer);
    EVP_PKEY_free(sk);
    EVP_PKEY_free(speer);
    return t;
}

static void usage(void)
{
    fprintf(stderr, "usage: qtpm-bench-tls --module-dir DIR [--runs N] [--warmup N] "
                    "[--groups G1,G2,...] [--no-kex] [--order shuffled|fixed] [--seed N] "
                    "[--json FILE] [--md FILE]\n");
}

/* The series of group g if it runs, else NULL. */
static const series *find(const char *g)
{
    for (size_t i = 0; i < NGROUPS; i++)
        if (groups[i].on && strcmp(groups[i].group, g) == 0)
            return &groups[i];
    return NULL;
}

/* --groups A,B,...: only these (and X25519). 0 on an unknown name. */
static int select_groups(const char *list)
{
    char buf[256], *save = NULL;

    if (strlen(list) >= sizeof(buf))
        return 0;
    strcpy(buf, list);
    for (size_t i = 1; i < NGROUPS; i++)
        groups[i].on = 0;
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        size_t i = 0;
        while (i < NGROUPS && strcmp(groups[i].group, t) != 0)
            i++;
        if (i == NGROUPS) {
            fprintf(stderr, "bench-tls: unknown group %s\n", t);
            return 0;
        }
        groups[i].on = 1;
    }
    return 1;
}

int main(int argc, char **argv)
{
    const char *moddir = NULL, *json_path = NULL, *md_path = NULL;
    int runs = 300, warmup = 20, rc = 1, no_kex = 0, shuffle = 1;
    uint64_t rng = 0x9E3779B97F4A7C15u;
    SSL_CTX *cc[NGROUPS] = {0}, *sc[NGROUPS] = {0};
    EVP_PKEY *key = NULL;
    X509 *cert = NULL;
    char date[32], load0[128] = "", load1[128] = "";
    time_t tnow = time(NULL);
    FILE *f;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--module-dir") == 0 && i + 1 < argc)
            moddir = argv[++i];
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc)
            warmup = atoi(argv[++i]);
        else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc)
            json_path = argv[++i];
        else if (strcmp(argv[i], "--md") == 0 && i + 1 < argc)
            md_path = argv[++i];
        else if (strcmp(argv[i], "--no-kex") == 0)
            no_kex = 1;
        else if (strcmp(argv[i], "--order") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "fixed") == 0)
                shuffle = 0;
            else if (strcmp(argv[i], "shuffled") != 0) {
                usage();
                return 2;
            }
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            rng = strtoull(argv[++i], NULL, 0);
            if (rng == 0)
                rng = 1;
        }
        else if (strcmp(argv[i], "--groups") == 0 && i + 1 < argc) {
            if (!select_groups(argv[++i]))
                return 2;
        } else {
            usage();
            return 2;
        }
    }
    if (moddir == NULL || runs < 1 || runs > 100000 || warmup < 0) {
        usage();
        return 2;
    }
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&tnow));
    if ((f = fopen("/proc/loadavg", "r")) != NULL) {
        if (fgets(load0, sizeof(load0), f) == NULL)
            load0[0] = 0;
        load0[strcspn(load0, "\n")] = 0;
        fclose(f);
    }
    if (!OSSL_PROVIDER_set_default_search_path(NULL, moddir) ||
        OSSL_PROVIDER_load(NULL, "default") == NULL || OSSL_PROVIDER_load(NULL, "qtpm") == NULL) {
        fprintf(stderr, "bench-tls: cannot load the qtpm provider from %s\n", moddir);
        ERR_print_errors_fp(stderr);
        return 1;
    }
    if (!make_cert(&key, &cert)) {
        fprintf(stderr, "bench-tls: no certificate\n");
        return 1;
    }
    for (size_t g = 0; g < NGROUPS; g++) {
        if (!groups[g].on)
            continue;
        cc[g] = make_ctx(0, groups[g].group, NULL, NULL);
        sc[g] = make_ctx(1, groups[g].group, key, cert);
        groups[g].us = calloc((size_t)runs, sizeof(double));
        groups[g].paired = calloc((size_t)runs, sizeof(double));
        groups[g].kex = calloc((size_t)runs, sizeof(double));
        if (cc[g] == NULL || sc[g] == NULL || groups[g].us == NULL || groups[g].paired == NULL ||
            groups[g].kex == NULL) {
            fprintf(stderr, "bench-tls: cannot set up %s\n", groups[g].group);
            goto out;
        }
    }
    for (int r = -warmup; r < runs; r++) {
        size_t order[NGROUPS];

        for (size_t i = 0; i < NGROUPS; i++)
            order[i] = i;
        /* Fisher-Yates on the round's order (xorshift64, seeded): every group
         * follows every other one about equally often. */
        for (size_t i = NGROUPS - 1; shuffle && i > 0; i--) {
            size_t j, tmp;
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            j = (size_t)(rng % (i + 1));
            tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        for (size_t o = 0; o < NGROUPS; o++) {
            size_t g = order[o];
            if (!groups[g].on)
                continue;
            double t = handshake(cc[g], sc[g], groups[g].group);
            double k = no_kex ? 0 : kex_once(groups[g].group);
            if (t < 0 || k < 0)
                goto out;
            if (r >= 0) {
                groups[g].us[r] = t;
                groups[g].kex[r] = k;
            }
        }
        if (r >= 0)
            for (size_t g = 0; g < NGROUPS; g++)
                if (groups[g].on)
                    groups[g].paired[r] = groups[g].us[r] / groups[0].us[r];
    }
    if ((f = fopen("/proc/loadavg", "r")) != NULL) {
        if (fgets(load1, sizeof(load1), f) == NULL)
            load1[0] = 0;
        load1[strcspn(load1, "\n")] = 0;
        fclose(f);
    }

    {
        json_t *root = json_object(), *arr = json_array();
        double base_med = percentile(groups[0].us, (size_t)runs, 50);
        double base_kex = percentile(groups[0].kex, (size_t)runs, 50);
        FILE *md = md_path ? fopen(md_path, "w") : NULL;

        json_object_set_new(root, "benchmark",
                            json_string("TLS 1.3 handshakes with qtpm-provider's groups (issue 15)"));
        json_object_set_new(root, "date", json_string(date));
        json_object_set_new(root, "unit", json_string("microseconds"));
        json_object_set_new(root, "runs", json_integer(runs));
        json_object_set_new(root, "warmup_runs", json_integer(warmup));
        json_object_set_new(root, "openssl", json_string(OpenSSL_version(OPENSSL_VERSION)));
        json_object_set_new(root, "qtpm", json_string(QTPM_VERSION));
        json_object_set_new(root, "setup",
                            json_string("client and server SSL in one thread over a UNIX "
                                        "socketpair; full 1-RTT handshake, ECDSA P-256 server "
                                        "certificate, no client auth, no tickets; sample = wall "
                                        "time of both sides"));
        json_object_set_new(root, "order",
                            json_string(shuffle ? "shuffled every round" : "fixed (table order)"));
        json_object_set_new(root, "loadavg",
                            json_pack("{s:s,s:s}", "before", load0, "after", load1));
        if (md != NULL) {
            fprintf(md, "# TLS 1.3 handshakes: qtpm-provider's groups vs classic\n\n");
            fprintf(md, "`qtpm-bench-tls` (bench/bench_tls.c, docs/PROVIDER.md), run %s, %s, "
                        "%d timed handshakes per group after %d warm-up round(s), round-robin "
                        "over the groups, %s.\n",
                    date, OpenSSL_version(OPENSSL_VERSION), runs, warmup,
                    shuffle ? "in an order shuffled every round" : "in the fixed table order");
            fprintf(md, "Client and server in one thread over a UNIX socketpair: a sample is "
                        "the whole full handshake (both sides' CPU), ECDSA P-256 certificate, "
                        "no client authentication, no tickets. Load average before/after: "
                        "%s / %s.\n\n",
                    load0, load1);
            fprintf(md, "| group | code point | median µs | p90 µs | min µs | handshakes/s | "
                        "÷ X25519 (medians) | ÷ X25519 (paired, median) | ÷ classic half | "
                        "key exchange alone, median µs | its extra over X25519's, µs |\n");
            fprintf(md, "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
        }
        printf("%-18s %10s %10s %10s %10s %9s %9s %9s %9s\n", "group", "median_us", "p90_us",
               "min_us", "hs/s", "÷X25519", "paired", "÷classic", "kex_us");
        for (size_t g = 0; g < NGROUPS; g++) {
            if (!groups[g].on)
                continue;
            series *s = &groups[g];
            double med = percentile(s->us, (size_t)runs, 50);
            double p90 = percentile(s->us, (size_t)runs, 90);
            double mn = percentile(s->us, (size_t)runs, 0.0001);
            double pr = percentile(s->paired, (size_t)runs, 50), sum = 0;
            const series *b = find(s->baseline) != NULL ? find(s->baseline) : &groups[0];
            double bmed = percentile(b->us, (size_t)runs, 50);
            double kmed = percentile(s->kex, (size_t)runs, 50);
            static const char *const ids[] = {"0x001D", "0x0017", "0x11EC",
                                              "0x11EB", "0x0201", "0x0202"};

            for (int r = 0; r < runs; r++)
                sum += s->us[r];
            printf("%-18s %10.1f %10.1f %10.1f %10.0f %9.3f %9.3f %9.3f %9.1f\n", s->group, med,
                   p90, mn, runs / (sum / 1e6), med / base_med, pr, med / bmed, kmed);
            json_array_append_new(
                arr, json_pack("{s:s,s:s,s:f,s:f,s:f,s:f,s:f,s:f,s:s,s:f,s:f}", "group", s->group,
                               "code_point", ids[g], "median_us", med, "p90_us", p90, "min_us",
                               mn, "handshakes_per_s", runs / (sum / 1e6), "ratio_vs_x25519",
                               med / base_med, "paired_ratio_vs_x25519", pr, "classic_half",
                               s->baseline, "ratio_vs_classic_half", med / bmed,
                               "kex_median_us", kmed));
            if (md != NULL) {
                char half[48] = "—";
                if (b != s)
                    snprintf(half, sizeof(half), "%.3f (%s)", med / bmed, b->group);
                fprintf(md, "| %s | %s | %.0f | %.0f | %.0f | %.0f | %.3f | %.3f | %s | %.0f | %+.0f |\n",
                        s->group, ids[g], med, p90, mn, runs / (sum / 1e6), med / base_med, pr,
                        half, kmed, kmed - base_kex);
            }
        }
        if (md != NULL && find("X25519MLKEM768") != NULL) {
            const series *h = find("X25519MLKEM768");
            double x = percentile(h->us, (size_t)runs, 50) / base_med;
            double xp = percentile(h->paired, (size_t)runs, 50);
            fprintf(md, "\nGoal (issue 15): a hybrid handshake costs < 10 %% more than X25519 "
                        "alone. X25519MLKEM768: %+.1f %% (medians), %+.1f %% (paired) (%s)",
                    (x - 1) * 100, (xp - 1) * 100, x < 1.10 && xp < 1.10 ? "met" : "not met");
            if (find("SecP256r1MLKEM768") != NULL && find("P-256") != NULL) {
                double p = percentile(find("SecP256r1MLKEM768")->us, (size_t)runs, 50) /
                           percentile(find("P-256")->us, (size_t)runs, 50);
                fprintf(md, "; SecP256r1MLKEM768 against P-256 alone: %+.1f %%, against "
                            "X25519: %+.1f %%",
                        (p - 1) * 100,
                        (percentile(find("SecP256r1MLKEM768")->us, (size_t)runs, 50) /
                             base_med - 1) * 100);
            }
            fprintf(md, ".\n");
        }
        if (md != NULL)
            fclose(md);
        json_object_set_new(root, "groups", arr);
        if (json_path != NULL &&
            json_dump_file(root, json_path, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) != 0)
            fprintf(stderr, "bench-tls: cannot write %s\n", json_path);
        json_decref(root);
    }
    rc = 0;
out:
    for (size_t g = 0; g < NGROUPS; g++) {
        SSL_CTX_free(cc[g]);
        SSL_CTX_free(sc[g]);
        free(groups[g].us);
        free(groups[g].paired);
        free(groups[g].kex);
    }
    EVP_PKEY_free(key);
    X509_free(cert);
    return rc;
}
