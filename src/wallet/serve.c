/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * serve.c — the service subcommands of qtpm-wallet (docs/WALLET.md
 * "Service"): `serve` runs the HTTPS service over an open vault;
 * `bench-service` measures the service side of every operation in process
 * (the software authenticator of softauth.c signs outside the timed part),
 * so the figures are what the server spends: JSON parsing, SQLite
 * transactions, both assertion verifiers, and the vault's TPM commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "serve.h"
#include "softauth.h"
#include "webauthn.h"

static int arg_val(int argc, char **argv, int *i, const char *name, const char **v)
{
    if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
        return 0;
    *v = argv[*i + 1];
    *i += 1;
    return 1;
}

int wallet_cmd_serve(wallet *w, const char *db, int argc, char **argv, int i)
{
    const char *host = "127.0.0.1", *port_s = "8443", *cert = NULL, *key = NULL, *web = NULL;
    const char *rp = "localhost", *origin = NULL, *auth = NULL, *uv = "required";
    char origin_buf[300], auth_buf[4096];
    for (; i < argc; i++) {
        if (arg_val(argc, argv, &i, "--host", &host) || arg_val(argc, argv, &i, "--port", &port_s) ||
            arg_val(argc, argv, &i, "--cert", &cert) || arg_val(argc, argv, &i, "--key", &key) ||
            arg_val(argc, argv, &i, "--web", &web) || arg_val(argc, argv, &i, "--rp-id", &rp) ||
            arg_val(argc, argv, &i, "--origin", &origin) ||
            arg_val(argc, argv, &i, "--auth-db", &auth) || arg_val(argc, argv, &i, "--uv", &uv))
            continue;
        fprintf(stderr, "qtpm-wallet serve: unknown option %s\n", argv[i]);
        return 2;
    }
    int port = atoi(port_s);
    if (!cert || !key || port <= 0 || port > 65535 ||
        (strcmp(uv, "required") != 0 && strcmp(uv, "preferred") != 0)) {
        fprintf(stderr, "usage: qtpm-wallet ... serve --cert PEM --key PEM [--host H] [--port P]"
                        " [--web DIR] [--rp-id ID] [--origin URL] [--auth-db FILE]"
                        " [--uv required|preferred]\n");
        return 2;
    }
    if (!origin) {
        snprintf(origin_buf, sizeof origin_buf, "https://%s:%d", rp, port);
        origin = origin_buf;
    }
    if (!auth) {
        snprintf(auth_buf, sizeof auth_buf, "%s.auth", db);
        auth = auth_buf;
    }
    svc_config cfg = { rp, origin, !strcmp(uv, "required"), 120 };
    svc *s = NULL;
    if (svc_open(w, auth, &cfg, &s) != 0) {
        fprintf(stderr, "qtpm-wallet serve: cannot open %s\n", auth);
        return 1;
    }
    int rc = wallet_http_serve(s, host, port, cert, key, web, origin);
    svc_close(s);
    return rc;
}

/* ---- bench-service ---- */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void emit(FILE *f, int *first, const char *op, double *v, int n)
{
    if (n <= 0)
        return;
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    double sum = 0;
    for (int k = 0; k < n; k++)
        sum += v[k];
    fprintf(f, "%s\n    {\"op\": \"%s\", \"n\": %d, \"median_ms\": %.3f, \"p90_ms\": %.3f, "
               "\"mean_ms\": %.3f}", *first ? "" : ",", op, n, v[n / 2], v[(n * 9) / 10],
            sum / n);
    *first = 0;
}

/* one call, timed; the answer stays in *out */
static int call(svc *s, const char *path, json_t *body, json_t **out, double *ms)
{
    char *t = json_dumps(body, JSON_COMPACT);
    if (!t)
        return 500;
    double t0 = now_ms();
    int code = svc_handle(s, "POST", path, (const uint8_t *)t, strlen(t), out);
    *ms += now_ms() - t0;
    free(t);
    return code;
}

/* request + approve of one op; *ms gets the server's time for both calls */
static int approved(svc *s, softauth *a, json_t *req, json_t **res, double *ms, double *verify)
{
    json_t *chal = NULL, *ans = NULL;
    *ms = 0;
    int code = call(s, "/api/v1/requests", req, &chal, ms);
    if (code == 200) {
        json_t *body = sa_assert(a, chal);
        code = body ? call(s, "/api/v1/approve", body, &ans, ms) : 500;
        json_decref(body);
        double v = 0, vault = 0;
        svc_last_timing(s, &v, &vault);
        *verify = v / 1000.0;
    }
    if (code != 200)
        fprintf(stderr, "bench-service: %s\n", json_dumps(ans ? ans : chal, JSON_COMPACT));
    json_decref(chal);
    if (res)
        *res = ans;
    else
        json_decref(ans);
    return code;
}

int wallet_cmd_bench(wallet *w, const char *db, int argc, char **argv, int i)
{
    int n = 20;
    const char *label = "tpm";
    for (; i < argc; i++) {
        const char *v;
        if (arg_val(argc, argv, &i, "--n", &v))
            n = atoi(v);
        else if (arg_val(argc, argv, &i, "--label", &v))
            label = v;
        else
            return 2;
    }
    if (n < 1 || n > 1000)
        return 2;
    char auth[4096];
    snprintf(auth, sizeof auth, "%s.bench-auth.%ld", db, (long)getpid());
    svc_config cfg = { "localhost", "https://localhost:8443", 1, 120 };
    svc *s = NULL;
    if (svc_open(w, auth, &cfg, &s) != 0)
        return 1;
    double *reg_es = calloc((size_t)n, sizeof(double)), *reg_pk = calloc((size_t)n, sizeof(double));
    double *reg_ed = calloc((size_t)n, sizeof(double)), *auth_es = calloc((size_t)n, sizeof(double));
    double *auth_ed = calloc((size_t)n, sizeof(double)), *seal = calloc((size_t)n, sizeof(double));
    double *unseal = calloc((size_t)n, sizeof(double)), *keygen = calloc((size_t)n, sizeof(double));
    double *enc = calloc((size_t)n, sizeof(double)), *hmac = calloc((size_t)n, sizeof(double));
    int rc = 1;
    softauth es, ed;
    memset(&es, 0, sizeof es);
    memset(&ed, 0, sizeof ed);
    if (!reg_es || !reg_pk || !reg_ed || !auth_es || !auth_ed || !seal || !unseal || !keygen ||
        !enc || !hmac)
        goto out;
    /* registrations: n users each for ES256 none, ES256 packed, EdDSA none */
    for (int k = 0; k < 3 * n; k++) {
        softauth a;
        char user[64];
        snprintf(user, sizeof user, "bench%d", k);
        if (sa_new(&a, k / n == 2 ? -8 : -7, cfg.rp_id, cfg.origin) != 0)
            goto out;
        json_t *req = json_pack("{s:s}", "user", user), *begin = NULL, *fin = NULL;
        double ms = 0;
        int code = call(s, "/api/v1/register/begin", req, &begin, &ms);
        json_t *body = code == 200 ? sa_register(&a, begin, k / n == 1) : NULL;
        code = body ? call(s, "/api/v1/register/finish", body, &fin, &ms) : 500;
        (k / n == 0 ? reg_es : k / n == 1 ? reg_pk : reg_ed)[k % n] = ms;
        json_decref(req);
        json_decref(begin);
        json_decref(body);
        json_decref(fin);
        sa_free(&a);
        if (code != 200)
            goto out;
    }
    /* the two users that work */
    if (sa_new(&es, -7, cfg.rp_id, cfg.origin) != 0 || sa_new(&ed, -8, cfg.rp_id, cfg.origin) != 0)
        goto out;
    softauth *users[2] = { &es, &ed };
    const char *names[2] = { "owner-es", "owner-ed" };
    for (int u = 0; u < 2; u++) {
        json_t *req = json_pack("{s:s}", "user", names[u]), *begin = NULL, *fin = NULL;
        double ms = 0;
        int code = call(s, "/api/v1/register/begin", req, &begin, &ms);
        json_t *body = code == 200 ? sa_register(users[u], begin, 0) : NULL;
        code = body ? call(s, "/api/v1/register/finish", body, &fin, &ms) : 500;
        json_decref(req);
        json_decref(begin);
        json_decref(body);
        json_decref(fin);
        if (code != 200)
            goto out;
    }
    static const char token[] = "eyJhbGciOiJFUzI1NiJ9.card-4111-xxxx-xxxx-1111.bench-token";
    char data[128];
    wa_b64url_encode((const uint8_t *)token, sizeof token - 1, data);
    for (int k = 0; k < n; k++) {
        char tname[64], kname[64];
        double ms = 0, v = 0;
        snprintf(tname, sizeof tname, "bench-%s-t%d", label, k);
        snprintf(kname, sizeof kname, "bench-%s-k%d", label, k);
        json_t *r = json_pack("{s:s,s:s,s:s,s:s}", "user", "owner-es", "op", "seal", "name",
                              tname, "data", data);
        int code = approved(s, &es, r, NULL, &ms, &v);
        json_decref(r);
        if (code != 200)
            goto out;
        seal[k] = ms;
        r = json_pack("{s:s,s:s,s:s}", "user", "owner-es", "op", "unseal", "name", tname);
        code = approved(s, &es, r, NULL, &ms, &v);
        json_decref(r);
        if (code != 200)
            goto out;
        unseal[k] = ms;
        auth_es[k] = v;
        wallet_token_delete(w, tname); /* NV counters are few: one live token at a time */
        r = json_pack("{s:s,s:s,s:s,s:s}", "user", "owner-ed", "op", "keygen", "name", kname,
                      "kind", k % 2 ? "hmac" : "aes");
        code = approved(s, &ed, r, NULL, &ms, &v);
        json_decref(r);
        if (code != 200)
            goto out;
        keygen[k] = ms;
        auth_ed[k] = v;
        if (k > 1) /* persistent keys take NV too: keep k0 (AES) and k1 (HMAC) only */
            wallet_key_delete(w, kname);
    }
    /* encrypt / hmac with TPM keys (k0 is AES, k1 HMAC) */
    for (int k = 0; k < n; k++) {
        char kname[64];
        double ms = 0, v = 0;
        snprintf(kname, sizeof kname, "bench-%s-k0", label);
        json_t *r = json_pack("{s:s,s:s,s:s,s:s}", "user", "owner-ed", "op", "encrypt", "name",
                              kname, "data", data);
        int code = approved(s, &ed, r, NULL, &ms, &v);
        json_decref(r);
        if (code != 200)
            goto out;
        enc[k] = ms;
        if (n > 1) {
            snprintf(kname, sizeof kname, "bench-%s-k1", label);
            r = json_pack("{s:s,s:s,s:s,s:s}", "user", "owner-ed", "op", "hmac", "name", kname,
                          "data", data);
            code = approved(s, &ed, r, NULL, &ms, &v);
            json_decref(r);
            if (code != 200)
                goto out;
            hmac[k] = ms;
        }
    }
    int first = 1;
    printf("{\"label\": \"%s\", \"alg\": \"%s\", \"n\": %d, \"server_side\": [", label,
           wallet_algorithm(w) == WALLET_ALG_QR ? "qr" : "classic", n);
    emit(stdout, &first, "fido-register-es256-none", reg_es, n);
    emit(stdout, &first, "fido-register-es256-packed", reg_pk, n);
    emit(stdout, &first, "fido-register-eddsa-none", reg_ed, n);
    emit(stdout, &first, "fido-authenticate-es256", auth_es, n);
    emit(stdout, &first, "fido-authenticate-eddsa", auth_ed, n);
    emit(stdout, &first, "seal-with-webauthn", seal, n);
    emit(stdout, &first, "unseal-with-webauthn", unseal, n);
    emit(stdout, &first, "keygen-with-webauthn", keygen, n);
    emit(stdout, &first, "encrypt-with-webauthn", enc, n);
    if (n > 1)
        emit(stdout, &first, "hmac-with-webauthn", hmac, n);
    printf("\n]}\n");
    rc = 0;
out:
    /* clean up what the bench made in the vault */
    for (int k = 0; k < n; k++) {
        char nm[64];
        snprintf(nm, sizeof nm, "bench-%s-t%d", label, k);
        wallet_token_delete(w, nm);
        snprintf(nm, sizeof nm, "bench-%s-k%d", label, k);
        wallet_key_delete(w, nm);
    }
    sa_free(&es);
    sa_free(&ed);
    svc_close(s);
    char side[4200];
    unlink(auth);
    snprintf(side, sizeof side, "%s-wal", auth);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", auth);
    unlink(side);
    free(reg_es);
    free(reg_pk);
    free(reg_ed);
    free(auth_es);
    free(auth_ed);
    free(seal);
    free(unseal);
    free(keygen);
    free(enc);
    free(hmac);
    return rc;
}
