/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_tls_tpmkeys.c — qtpm-bench-tls-tpmkeys: TLS 1.3 handshakes with the
 * authentication keys in software and in a TPM through qtpm-provider
 * (docs/PROVIDER.md, "Keys in the TPM"). bench/tls_tpmkeys.sh runs it once
 * per TPM (qtpm-server, swtpm: the provider's TCTI comes from $QTPM_TCTI)
 * and merges the results into bench/results/tls_tpmkeys.{json,md}.
 *
 * Each --case LABEL,SERVER_KEY,SERVER_CERT[,CLIENT_KEY,CLIENT_CERT] is a
 * server key (and, for mutual TLS, a client key) given as an OSSL_STORE URI:
 * a PEM file for software keys, qtpm:handle:... for TPM keys. Client and
 * server SSL objects run in one thread over a UNIX socketpair as in
 * bench_tls.c: group X25519 (so the key exchange is the same everywhere and
 * the difference is the signatures), full handshakes, no tickets. Cases run
 * round-robin, one handshake each per round. After every handshake 32 bytes
 * must come through, else the run fails. Prints one JSON object: per case
 * median, p90, min latency (µs) and handshakes/s (samples ÷ their sum).
 */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#define MAX_CASES 8

typedef struct {
    char label[64];
    SSL_CTX *sc, *cc;
    double *us;
} bcase;

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

static EVP_PKEY *load_key(const char *uri)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    EVP_PKEY *k = NULL;

    while (st != NULL && k == NULL && !OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *i = OSSL_STORE_load(st);
        if (i == NULL)
            break;
        if (OSSL_STORE_INFO_get_type(i) == OSSL_STORE_INFO_PKEY)
            k = OSSL_STORE_INFO_get1_PKEY(i);
        OSSL_STORE_INFO_free(i);
    }
    OSSL_STORE_close(st);
    if (k == NULL)
        fprintf(stderr, "bench-tls-tpmkeys: no private key at %s\n", uri);
    return k;
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;

    if (f)
        fclose(f);
    if (x == NULL)
        fprintf(stderr, "bench-tls-tpmkeys: no certificate in %s\n", path);
    return x;
}

static int accept_any(int ok, X509_STORE_CTX *x)
{
    (void)ok;
    (void)x;
    return 1; /* the chain is not the point; CertificateVerify is still checked */
}

static SSL_CTX *make_ctx(int server, const char *key_uri, const char *cert_path, int mutual)
{
    SSL_CTX *c = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    EVP_PKEY *k = NULL;
    X509 *x = NULL;

    if (c == NULL)
        return NULL;
    SSL_CTX_set_min_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(c, SSL_OP_NO_TICKET);
    if (server)
        SSL_CTX_set_num_tickets(c, 0);
    SSL_CTX_set_verify(c, mutual && server ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                                           : SSL_VERIFY_NONE, accept_any);
    if (SSL_CTX_set1_groups_list(c, "X25519") != 1)
        goto fail;
    if (key_uri != NULL) {
        if ((k = load_key(key_uri)) == NULL || (x = load_cert(cert_path)) == NULL ||
            SSL_CTX_use_certificate(c, x) != 1 || SSL_CTX_use_PrivateKey(c, k) != 1)
            goto fail;
    }
    EVP_PKEY_free(k);
    X509_free(x);
    return c;
fail:
    ERR_print_errors_fp(stderr);
    EVP_PKEY_free(k);
    X509_free(x);
    SSL_CTX_free(c);
    return NULL;
}

static double handshake(SSL_CTX *cc, SSL_CTX *sc)
{
    int fds[2], cdone = 0, sdone = 0, steps = 0;
    SSL *cl = NULL, *sv = NULL;
    double t0, t = -1;
    char msg[32] = "qtpm-bench-tls-tpmkeys data 0123", got[32];

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
                goto out;
        }
        if (!sdone) {
            int r = SSL_do_handshake(sv);
            if (r == 1)
                sdone = 1;
            else if (SSL_get_error(sv, r) != SSL_ERROR_WANT_READ)
                goto out;
        }
    }
    if (cdone && sdone) {
        double dt = now_us() - t0;
        if (SSL_write(cl, msg, sizeof(msg)) == (int)sizeof(msg) &&
            SSL_read(sv, got, sizeof(got)) == (int)sizeof(got) && memcmp(msg, got, sizeof(msg)) == 0)
            t = dt;
    }
out:
    if (t < 0) {
        fprintf(stderr, "bench-tls-tpmkeys: handshake failed\n");
        ERR_print_errors_fp(stderr);
    }
    SSL_free(cl);
    SSL_free(sv);
    close(fds[0]);
    close(fds[1]);
    return t;
}

int main(int argc, char **argv)
{
    const char *moddir = NULL, *tpm = "";
    int runs = 100, warmup = 5, rc = 1;
    bcase cases[MAX_CASES];
    size_t n = 0;

    memset(cases, 0, sizeof cases);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--module-dir") == 0 && i + 1 < argc) {
            moddir = argv[++i];
        } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc) {
            warmup = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--tpm") == 0 && i + 1 < argc) {
            tpm = argv[++i];
        } else if (strcmp(argv[i], "--case") == 0 && i + 1 < argc && n < MAX_CASES) {
            char *spec = argv[++i], *f[5] = {0};
            int nf = 0;
            for (char *s = strtok(spec, ","); s != NULL && nf < 5; s = strtok(NULL, ","))
                f[nf++] = s;
            if (nf != 3 && nf != 5) {
                fprintf(stderr, "bench-tls-tpmkeys: --case LABEL,KEY,CERT[,CKEY,CCERT]\n");
                return 2;
            }
            snprintf(cases[n].label, sizeof cases[n].label, "%s", f[0]);
            if (moddir != NULL && !OSSL_PROVIDER_available(NULL, "qtpm")) {
                if (!OSSL_PROVIDER_set_default_search_path(NULL, moddir) ||
                    OSSL_PROVIDER_load(NULL, "default") == NULL ||
                    OSSL_PROVIDER_load(NULL, "qtpm") == NULL) {
                    fprintf(stderr, "bench-tls-tpmkeys: cannot load qtpm from %s\n", moddir);
                    return 1;
                }
            }
            cases[n].sc = make_ctx(1, f[1], f[2], nf == 5);
            cases[n].cc = make_ctx(0, nf == 5 ? f[3] : NULL, nf == 5 ? f[4] : NULL, nf == 5);
            if (cases[n].sc == NULL || cases[n].cc == NULL)
                return 1;
            n++;
        } else {
            fprintf(stderr, "usage: qtpm-bench-tls-tpmkeys --module-dir DIR [--runs N] "
                            "[--warmup N] [--tpm NAME] --case ... (module dir before the cases)\n");
            return 2;
        }
    }
    if (n == 0 || runs < 1 || runs > 100000 || warmup < 0)
        return 2;
    for (size_t c = 0; c < n; c++)
        if ((cases[c].us = calloc((size_t)runs, sizeof(double))) == NULL)
            return 1;
    for (int r = -warmup; r < runs; r++)
        for (size_t c = 0; c < n; c++) {
            double t = handshake(cases[c].cc, cases[c].sc);
            if (t < 0) {
                fprintf(stderr, "bench-tls-tpmkeys: case %s\n", cases[c].label);
                goto out;
            }
            if (r >= 0)
                cases[c].us[r] = t;
        }
    {
        json_t *root = json_object(), *arr = json_array();
        json_object_set_new(root, "tpm", json_string(tpm));
        json_object_set_new(root, "runs", json_integer(runs));
        json_object_set_new(root, "warmup_runs", json_integer(warmup));
        json_object_set_new(root, "openssl", json_string(OpenSSL_version(OPENSSL_VERSION)));
        for (size_t c = 0; c < n; c++) {
            double sum = 0;
            for (int r = 0; r < runs; r++)
                sum += cases[c].us[r];
            json_array_append_new(
                arr, json_pack("{s:s,s:f,s:f,s:f,s:f}", "case", cases[c].label, "median_us",
                               percentile(cases[c].us, (size_t)runs, 50), "p90_us",
                               percentile(cases[c].us, (size_t)runs, 90), "min_us",
                               percentile(cases[c].us, (size_t)runs, 0.0001), "handshakes_per_s",
                               runs / (sum / 1e6)));
        }
        json_object_set_new(root, "cases", arr);
        json_dumpf(root, stdout, JSON_INDENT(2) | JSON_REAL_PRECISION(6));
        printf("\n");
        json_decref(root);
    }
    rc = 0;
out:
    for (size_t c = 0; c < n; c++) {
        SSL_CTX_free(cases[c].sc);
        SSL_CTX_free(cases[c].cc);
        free(cases[c].us);
    }
    return rc;
}
