/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * channel_client.c — a router-side client for test_channel.sh (docs/CHANNEL.md), built
 * on qtpm-agent's own code (its TLS identity, its binder), doing one thing at a time on
 * one kept connection so the test can see each step:
 *
 *   channel_client CONF bind           bind, then GET /api/v1/session → 200 router
 *   channel_client CONF unbound        GET /api/v1/session without binding → 401
 *   channel_client CONF foreign CONF2  CONF's certificate, CONF2's (another router's)
 *                                      binding key claiming CONF's router → refused,
 *                                      and the connection stays unbound
 *   channel_client CONF pcr            handshake, then PCR 0 extended, then bind → the
 *                                      TPM refuses to sign; no request gets through
 *   channel_client CONF bench N        N fresh connections each: handshake + one
 *                                      request without binding, and handshake + bind +
 *                                      the request; medians in JSON on stdout
 * CHANNEL_GROUPS (environment) overrides the TLS groups offered (the benchmark's
 * classic run). Exit 0 when the step behaved as described, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/ssl.h>

#include "agent.h"
#include "qtpm/tss_cmd.h"

static agent_config cfg;
static agent_tls_identity *id;

static CURLcode on_ctx(CURL *c, void *ctx, void *parm)
{
    (void)c;
    (void)parm;
    if (agent_channel_ctx(&cfg, ctx))
        return CURLE_SSL_CIPHER;
    const char *g = getenv("CHANNEL_GROUPS");
    if (g && *g && !SSL_CTX_set1_groups_list(ctx, g))
        return CURLE_SSL_CIPHER;
    if (SSL_CTX_use_certificate(ctx, agent_tls_identity_cert(id)) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, agent_tls_identity_key(id)) != 1)
        return CURLE_SSL_CERTPROBLEM;
    return CURLE_OK;
}

static CURL *handle(void)
{
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_CAINFO, cfg.ca_file);
    curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ctx);
    return c;
}

/* GET /api/v1/session on c: the HTTP status, the body into *body (caller frees). */
static long get_session(CURL *c, char **body)
{
    char url[512];
    snprintf(url, sizeof url, "%s/api/v1/session", cfg.nms_url);
    agent_reply r = { NULL, 0, 0 };
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, agent_reply_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (body)
        *body = r.buf;
    else
        free(r.buf);
    return status;
}

static long connects(CURL *c)
{
    long n = 0;
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &n);
    return n;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int expect(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAIL", what);
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    char err[1024];
    if (argc < 3 || agent_config_load(argv[1], &cfg, err, sizeof err)) {
        fprintf(stderr, "usage: channel_client CONF bind|unbound|foreign CONF2|pcr|bench N\n");
        return 2;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (agent_channel_init())
        return 2;
    qtpm_tss *tpm = NULL;
    if (qtpm_tss_new(cfg.tcti, &tpm) != QTPM_OK ||
        agent_tls_identity_load(&cfg, tpm, &id, err, sizeof err)) {
        fprintf(stderr, "channel_client: %s\n", err);
        return 2;
    }
    const char *mode = argv[2];
    int fails = 0;
    CURL *c = handle();
    char *body = NULL;
    if (!strcmp(mode, "bind")) {
        int rc = agent_channel_bind(agent_tls_identity_binder(id), c, NULL, err, sizeof err);
        fails += expect(rc == 0, rc ? err : "bind accepted");
        long st = get_session(c, &body);
        fails += expect(st == 200 && body && strstr(body, "\"router\""),
                        "GET /session on the bound connection: 200 router");
        fails += expect(connects(c) == 0, "the request went on the bound connection");
    } else if (!strcmp(mode, "unbound")) {
        long st = get_session(c, &body);
        fails += expect(st == 401 && body && strstr(body, "channel-unbound"),
                        "GET /session without binding: 401 channel-unbound");
    } else if (!strcmp(mode, "foreign") && argc > 3) {
        agent_config cfg2;
        if (agent_config_load(argv[3], &cfg2, err, sizeof err))
            return 2;
        qtpm_tss *tpm2 = NULL;
        agent_tls_identity *id2 = NULL;
        if (qtpm_tss_new(cfg2.tcti, &tpm2) != QTPM_OK ||
            agent_tls_identity_load(&cfg2, tpm2, &id2, err, sizeof err)) {
            fprintf(stderr, "channel_client: %s\n", err);
            return 2;
        }
        agent_binder *b2 = agent_tls_identity_binder(id2);
        if (b2)
            agent_binder_claim(b2, agent_tls_identity_router(id));
        int rc = agent_channel_bind(b2, c, NULL, err, sizeof err);
        printf("bind with the other router's key: %s\n", rc ? err : "accepted");
        fails += expect(rc != 0 && strstr(err, "HTTP 403") && strstr(err, "bind-key-mismatch"),
                        "another router's binding key: 403 bind-key-mismatch");
        long st = get_session(c, NULL);
        fails += expect(st == 401, "the connection stays unbound (401)");
        agent_tls_identity_free(id2);
        qtpm_tss_free(tpm2);
    } else if (!strcmp(mode, "pcr")) {
        long st = get_session(c, NULL); /* the handshake, with the approval still valid */
        fails += expect(st == 401, "handshake done, connection unbound");
        TPML_DIGEST_VALUES d;
        memset(&d, 0, sizeof d);
        d.count = 1;
        d.digests[0].hashAlg = TPM_ALG_SHA256;
        memset(d.digests[0].digest.sha256, 0x5a, 32);
        qtpm_tss_auths pw = { 1, { { NULL, NULL } } };
        fails += expect(qtpm_tss_PCR_Extend(tpm, &pw, 0, &d) == QTPM_OK,
                        "PCR 0 extended (a changed configuration)");
        int rc = agent_channel_bind(agent_tls_identity_binder(id), c, NULL, err, sizeof err);
        printf("bind after the PCR change: %s\n", rc ? err : "accepted");
        fails += expect(rc != 0 && strstr(err, "TPM refused"),
                        "the TPM refuses the binding signature");
        /* libcurl drops the connection whose upload was aborted; a new one cannot even
         * be made: the TLS key has the same policy. Either way nothing gets through. */
        st = get_session(c, NULL);
        printf("next request: HTTP %ld on %ld new connection(s)\n", st, connects(c));
        fails += expect(st != 200, "no router request gets through");
    } else if (!strcmp(mode, "bench") && argc > 3) {
        int n = atoi(argv[3]);
        if (n < 1 || n > 10000)
            return 2;
        double *plain = calloc((size_t)n, sizeof *plain), *bound = calloc((size_t)n, sizeof *bound);
        double *bind_only = calloc((size_t)n, sizeof *bind_only);
        for (int i = 0; i < n && !fails; i++) {
            /* one fresh connection each, alternating, the same run */
            CURL *a = handle();
            double t0 = now_us();
            long st = get_session(a, NULL);
            plain[i] = now_us() - t0;
            curl_easy_cleanup(a);
            CURL *b = handle();
            t0 = now_us();
            /* the handshake is done inside the bind request; split it by a first
             * request would add a round trip, so the bind's share is measured apart */
            int rc = agent_channel_bind(agent_tls_identity_binder(id), b, NULL, err, sizeof err);
            double t1 = now_us();
            long st2 = get_session(b, NULL);
            bound[i] = now_us() - t0;
            bind_only[i] = t1 - t0;
            curl_easy_cleanup(b);
            if (st != 401 || rc != 0 || st2 != 200) {
                fprintf(stderr, "bench: round %d: %ld %d %ld %s\n", i, st, rc, st2, err);
                fails++;
            }
        }
        qsort(plain, (size_t)n, sizeof *plain, cmp_d);
        qsort(bound, (size_t)n, sizeof *bound, cmp_d);
        qsort(bind_only, (size_t)n, sizeof *bind_only, cmp_d);
        const char *g = getenv("CHANNEL_GROUPS");
        printf("{\"groups\": \"%s\", \"n\": %d, \"unbound_request_median_us\": %.0f, "
               "\"bound_request_median_us\": %.0f, \"handshake_plus_bind_median_us\": %.0f, "
               "\"ratio\": %.3f}\n",
               g && *g ? g : "default", n, plain[n / 2], bound[n / 2], bind_only[n / 2],
               bound[n / 2] / plain[n / 2]);
        free(plain);
        free(bound);
        free(bind_only);
    } else {
        fprintf(stderr, "channel_client: unknown mode %s\n", mode);
        return 2;
    }
    free(body);
    curl_easy_cleanup(c);
    agent_tls_identity_free(id);
    qtpm_tss_free(tpm);
    return fails ? 1 : 0;
}
