/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_crypto.c — `make bench` for the crypto core: median cycles (rdtsc) and
 * microseconds of ML-KEM keygen/encaps/decaps and ML-DSA keygen/sign/verify
 * for every parameter set, over many runs, printed as a table and written as
 * JSON under bench/results/.
 *
 * The machines are shared and noisy, so every figure is a median, and the same
 * run measures classic signatures and key agreement through OpenSSL (RSA-2048,
 * ECDSA P-256, X25519-free ECDH P-256) as a second system, for ratios.
 *
 * --mldsa-compare measures only ML-DSA, old against new in one run: the
 * portable arithmetic against the vector one (qtpm_mldsa_force_portable),
 * and signing from the 32-byte seed (what the engine did for every
 * signature) against signing from an expanded key (what a loaded key does
 * now). The variants are interleaved run by run so that load changes on a
 * shared machine hit all of them alike; each figure is still a median.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define HAVE_RDTSC 1
#endif

#include "qtpm/keccak.h"
#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"
#include "qtpm/rand.h"

typedef struct {
    double cycles; /* median */
    double usec;   /* median */
} figure;

static uint64_t cycles_now(void)
{
#ifdef HAVE_RDTSC
    return __rdtsc();
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static double usec_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef void (*op_fn)(void *arg);

/* One timed call of op: its cycles and microseconds. */
static void time_once(op_fn op, void *arg, uint64_t *cyc, double *us)
{
    double u0 = usec_now();
    uint64_t c0 = cycles_now();
    op(arg);
    uint64_t c1 = cycles_now();
    double u1 = usec_now();
    *cyc = c1 - c0;
    *us = u1 - u0;
}

/* Sorts n >= 1 samples and returns element n / 2 of each: the median (the
 * upper middle one for even n). */
static figure medians(uint64_t *cyc, double *us, size_t n)
{
    qsort(cyc, n, sizeof(*cyc), cmp_u64);
    qsort(us, n, sizeof(*us), cmp_double);
    figure f = {(double)cyc[n / 2], us[n / 2]};
    return f;
}

/* Runs op `runs` times (after a few warm-up runs) and returns the medians. */
static figure measure(op_fn op, void *arg, int runs)
{
    uint64_t *cyc = calloc((size_t)runs, sizeof(*cyc));
    double *us = calloc((size_t)runs, sizeof(*us));
    figure f = {0, 0};
    if (!cyc || !us)
        goto out;
    for (int i = 0; i < 10; i++)
        op(arg);
    for (int i = 0; i < runs; i++)
        time_once(op, arg, &cyc[i], &us[i]);
    f = medians(cyc, us, (size_t)runs);
out:
    free(cyc);
    free(us);
    return f;
}

/* ---- ML-KEM ---- */
typedef struct {
    qtpm_mlkem_set set;
    uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES], dk[QTPM_MLKEM_MAX_DK_BYTES];
    uint8_t ct[QTPM_MLKEM_MAX_CT_BYTES], ss[32];
    int failed;
} kem_arg;

static void kem_keygen(void *p)
{
    kem_arg *a = p;
    a->failed |= qtpm_mlkem_keygen(a->set, a->ek, a->dk, NULL);
}
static void kem_encaps(void *p)
{
    kem_arg *a = p;
    a->failed |= qtpm_mlkem_encaps(a->set, a->ek, qtpm_mlkem_ek_bytes(a->set), a->ct, a->ss);
}
static void kem_decaps(void *p)
{
    kem_arg *a = p;
    a->failed |= qtpm_mlkem_decaps(a->set, a->dk, qtpm_mlkem_dk_bytes(a->set), a->ct,
                                   qtpm_mlkem_ct_bytes(a->set), a->ss);
}

/* ---- ML-DSA ---- */
typedef struct {
    qtpm_mldsa_set set;
    uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES], sk[QTPM_MLDSA_MAX_SK_BYTES];
    uint8_t sig[QTPM_MLDSA_MAX_SIG_BYTES];
    uint8_t msg[32];
    int failed;
} dsa_arg;

static void dsa_keygen(void *p)
{
    dsa_arg *a = p;
    a->failed |= qtpm_mldsa_keygen(a->set, a->pk, a->sk, NULL);
}
static void dsa_sign(void *p)
{
    dsa_arg *a = p;
    a->msg[0]++; /* a new message each time: the rejection loop varies */
    a->failed |= qtpm_mldsa_sign(a->set, a->sk, qtpm_mldsa_sk_bytes(a->set), a->msg,
                                 sizeof(a->msg), NULL, 0, NULL, a->sig);
}
static void dsa_verify(void *p)
{
    dsa_arg *a = p;
    a->failed |= qtpm_mldsa_verify(a->set, a->pk, qtpm_mldsa_pk_bytes(a->set), a->msg,
                                   sizeof(a->msg), NULL, 0, a->sig,
                                   qtpm_mldsa_sig_bytes(a->set));
}

/* ---- OpenSSL classic, the second system ---- */
typedef struct {
    EVP_PKEY *key, *peer;
    uint8_t digest[32], sig[512];
    size_t siglen;
    int failed;
} ossl_arg;

static void ossl_sign(void *p)
{
    ossl_arg *a = p;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a->key, NULL);
    a->siglen = sizeof(a->sig);
    if (!c || EVP_PKEY_sign_init(c) != 1 ||
        EVP_PKEY_sign(c, a->sig, &a->siglen, a->digest, sizeof(a->digest)) != 1)
        a->failed = 1;
    EVP_PKEY_CTX_free(c);
}
static void ossl_verify(void *p)
{
    ossl_arg *a = p;
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a->key, NULL);
    if (!c || EVP_PKEY_verify_init(c) != 1 ||
        EVP_PKEY_verify(c, a->sig, a->siglen, a->digest, sizeof(a->digest)) != 1)
        a->failed = 1;
    EVP_PKEY_CTX_free(c);
}
static void ossl_derive(void *p)
{
    ossl_arg *a = p;
    uint8_t z[64];
    size_t zlen = sizeof(z);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(a->key, NULL);
    if (!c || EVP_PKEY_derive_init(c) != 1 || EVP_PKEY_derive_set_peer(c, a->peer) != 1 ||
        EVP_PKEY_derive(c, z, &zlen) != 1)
        a->failed = 1;
    EVP_PKEY_CTX_free(c);
}

static void keccak_perm(void *p)
{
    qtpm_keccak_f1600((uint64_t *)p);
}

static const char *keccak_impl_name(qtpm_keccak_impl impl)
{
    switch (impl) {
    case QTPM_KECCAK_AVX2: return "avx2 (4-way), portable (1-way)";
    case QTPM_KECCAK_AVX512: return "avx512vl";
    default: return "portable C";
    }
}

/* Medians of fn (measure), reported twice: a table row under alg and an
 * entry of arr under json_alg. */
static void measure_row(json_t *arr, const char *alg, const char *json_alg, const char *op,
                        op_fn fn, void *arg, int runs)
{
    figure f = measure(fn, arg, runs);
    printf("  %-14s %-8s %12.0f %10.1f\n", alg, op, f.cycles, f.usec);
    json_array_append_new(arr, json_pack("{s:s, s:s, s:f, s:f}", "algorithm", json_alg,
                                         "operation", op, "median_cycles", f.cycles, "median_us",
                                         f.usec));
}

/* The end of a run, taking the reference to results: an operation that
 * failed voids every figure (exit status 1); otherwise, when json_path is
 * given, the results go there in a document that says what ran, how
 * often, when, with which compiler and Keccak and, with with_load, under
 * which load average at the end. Returns the exit status. */
static int finish(int failed, json_t *results, const char *json_path, const char *benchmark,
                  int runs, int with_load)
{
    if (failed) {
        fprintf(stderr, "qtpm-bench-crypto: an operation failed during the benchmark\n");
        json_decref(results);
        return 1;
    }
    if (!json_path) {
        json_decref(results);
        return 0;
    }
    char when[32];
    time_t now = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:s}", "benchmark", benchmark, "runs", runs,
                            "date", when, "compiler", __VERSION__, "keccak",
                            keccak_impl_name(qtpm_keccak_best_impl()));
    if (with_load) {
        double load[3] = {0, 0, 0};
        FILE *la = fopen("/proc/loadavg", "r");
        if (la) {
            if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
                load[0] = load[1] = load[2] = -1;
            fclose(la);
        }
        json_object_set_new(doc, "loadavg_at_end", json_pack("[f,f,f]", load[0], load[1], load[2]));
    }
    json_object_set_new(doc, "results", results); /* keys stay in insertion order */
    if (json_dump_file(doc, json_path, JSON_INDENT(2)) != 0) {
        fprintf(stderr, "qtpm-bench-crypto: cannot write %s\n", json_path);
        json_decref(doc);
        return 1;
    }
    json_decref(doc);
    printf("results written to %s\n", json_path);
    return 0;
}

/* ---- ML-DSA, old against new (--mldsa-compare) ---- */
typedef struct {
    qtpm_mldsa_set set;
    uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES], sk[QTPM_MLDSA_MAX_SK_BYTES], seed[32];
    uint8_t sig[QTPM_MLDSA_MAX_SIG_BYTES], vsig[QTPM_MLDSA_MAX_SIG_BYTES];
    uint8_t msg[32];
    qtpm_mldsa_expanded *esk;
    int failed;
} cmp_arg;

static void cmp_keygen(void *p)
{
    cmp_arg *a = p;
    uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES];
    a->failed |= qtpm_mldsa_keygen_internal(a->set, a->seed, pk, NULL);
}
static void cmp_sign_seed(void *p)
{
    cmp_arg *a = p;
    a->msg[0]++;
    a->failed |= qtpm_mldsa_sign(a->set, a->seed, 32, a->msg, sizeof(a->msg), NULL, 0, NULL,
                                 a->sig);
}
static void cmp_sign_sk(void *p)
{
    cmp_arg *a = p;
    a->msg[0]++;
    a->failed |= qtpm_mldsa_sign(a->set, a->sk, qtpm_mldsa_sk_bytes(a->set), a->msg,
                                 sizeof(a->msg), NULL, 0, NULL, a->sig);
}
static void cmp_sign_expanded(void *p)
{
    cmp_arg *a = p;
    a->msg[0]++;
    a->failed |= qtpm_mldsa_sign_expanded(a->esk, a->msg, sizeof(a->msg), NULL, 0, NULL, a->sig);
}
static void cmp_expand(void *p)
{
    cmp_arg *a = p;
    a->failed |= qtpm_mldsa_expand(a->set, a->seed, 32, a->esk, qtpm_mldsa_expanded_bytes(a->set));
}
static void cmp_verify(void *p)
{
    cmp_arg *a = p;
    static const uint8_t vmsg[32] = {0x76};
    a->failed |= qtpm_mldsa_verify(a->set, a->pk, qtpm_mldsa_pk_bytes(a->set), vmsg, sizeof(vmsg),
                                   NULL, 0, a->vsig, qtpm_mldsa_sig_bytes(a->set));
}

typedef struct {
    const char *op;      /* operation label */
    op_fn fn;
    int portable;        /* 1: force the portable arithmetic */
} cmp_variant;

/* Measures the variants interleaved (one run of each in turn) and returns
 * each one's medians. */
static void measure_interleaved(const cmp_variant *v, size_t nv, void *arg, int runs, figure *out)
{
    uint64_t *cyc = calloc((size_t)runs * nv, sizeof(*cyc));
    double *us = calloc((size_t)runs * nv, sizeof(*us));
    if (!cyc || !us) {
        memset(out, 0, nv * sizeof(*out));
        goto done;
    }
    for (int i = 0; i < 10; i++)
        for (size_t j = 0; j < nv; j++) {
            qtpm_mldsa_force_portable(v[j].portable);
            v[j].fn(arg);
        }
    for (int i = 0; i < runs; i++)
        for (size_t j = 0; j < nv; j++) {
            size_t at = j * (size_t)runs + (size_t)i;
            qtpm_mldsa_force_portable(v[j].portable);
            time_once(v[j].fn, arg, &cyc[at], &us[at]);
        }
    for (size_t j = 0; j < nv; j++)
        out[j] = medians(cyc + j * (size_t)runs, us + j * (size_t)runs, (size_t)runs);
done:
    qtpm_mldsa_force_portable(0);
    free(cyc);
    free(us);
}

static int mldsa_compare(int runs, const char *json_path)
{
    static const struct { qtpm_mldsa_set set; const char *name; } dsas[] = {
        {QTPM_MLDSA_44, "ML-DSA-44"}, {QTPM_MLDSA_65, "ML-DSA-65"}, {QTPM_MLDSA_87, "ML-DSA-87"}};
    /* (old, new) pairs; the ratio printed is old / new. */
    static const cmp_variant vars[] = {
        {"keygen", cmp_keygen, 1},        {"keygen", cmp_keygen, 0},
        {"sign(seed)", cmp_sign_seed, 1}, {"sign(seed)", cmp_sign_seed, 0},
        {"sign(sk)", cmp_sign_sk, 1},     {"sign(sk)", cmp_sign_sk, 0},
        {"verify", cmp_verify, 1},        {"verify", cmp_verify, 0},
        {"sign(expanded)", cmp_sign_expanded, 0},
        {"expand", cmp_expand, 0},
    };
    const size_t nv = sizeof(vars) / sizeof(vars[0]);
    figure f[sizeof(vars) / sizeof(vars[0])];
    json_t *results = json_array();
    int failed = 0;
    int vec = qtpm_mldsa_force_portable(0);
    printf("ML-DSA old vs new, interleaved, median over %d runs; arithmetic: %s; "
           "Keccak: %s\n", runs, vec ? "AVX2" : "portable (no vector path here)",
           keccak_impl_name(qtpm_keccak_best_impl()));
    printf("  %-10s %-15s %12s %9s %12s %9s %7s\n", "set", "op", "old cyc", "old us", "new cyc",
           "new us", "old/new");
    for (size_t i = 0; i < 3; i++) {
        static cmp_arg a;
        memset(&a, 0, sizeof(a));
        a.set = dsas[i].set;
        a.esk = malloc(qtpm_mldsa_expanded_bytes(a.set));
        if (!a.esk)
            return 1;
        failed |= qtpm_mldsa_keygen(a.set, a.pk, a.sk, a.seed);
        failed |= qtpm_mldsa_expand(a.set, a.seed, 32, a.esk, qtpm_mldsa_expanded_bytes(a.set));
        static const uint8_t vmsg[32] = {0x76};
        failed |= qtpm_mldsa_sign(a.set, a.sk, qtpm_mldsa_sk_bytes(a.set), vmsg, sizeof(vmsg),
                                  NULL, 0, NULL, a.vsig);
        measure_interleaved(vars, nv, &a, runs, f);
        /* the engine's Quote/Sign before (seed, portable) and after
         * (expanded key, vector arithmetic) */
        const figure *old_engine = &f[2], *new_engine = &f[8];
        for (size_t j = 0; j + 1 < 8; j += 2) {
            printf("  %-10s %-15s %12.0f %9.1f %12.0f %9.1f %7.2f\n", dsas[i].name, vars[j].op,
                   f[j].cycles, f[j].usec, f[j + 1].cycles, f[j + 1].usec,
                   f[j].cycles / f[j + 1].cycles);
            json_array_append_new(results, json_pack(
                "{s:s, s:s, s:s, s:f, s:f, s:s, s:f, s:f, s:f}", "algorithm", dsas[i].name,
                "operation", vars[j].op, "old", "portable arithmetic", "old_median_cycles",
                f[j].cycles, "old_median_us", f[j].usec, "new",
                vec ? "AVX2 arithmetic" : "portable arithmetic", "new_median_cycles",
                f[j + 1].cycles, "new_median_us", f[j + 1].usec, "old_over_new",
                f[j].cycles / f[j + 1].cycles));
        }
        printf("  %-10s %-15s %12.0f %9.1f %12.0f %9.1f %7.2f\n", dsas[i].name,
               "sign seed->esk", old_engine->cycles, old_engine->usec, new_engine->cycles,
               new_engine->usec, old_engine->cycles / new_engine->cycles);
        json_array_append_new(results, json_pack(
            "{s:s, s:s, s:s, s:f, s:f, s:s, s:f, s:f, s:f}", "algorithm", dsas[i].name,
            "operation", "sign (engine path)", "old", "from the seed, portable arithmetic",
            "old_median_cycles", old_engine->cycles, "old_median_us", old_engine->usec, "new",
            "expanded key, best arithmetic", "new_median_cycles", new_engine->cycles,
            "new_median_us", new_engine->usec, "old_over_new",
            old_engine->cycles / new_engine->cycles));
        printf("  %-10s %-15s %12s %9s %12.0f %9.1f   (once per loaded key; %zu bytes)\n",
               dsas[i].name, "expand", "", "", f[9].cycles, f[9].usec,
               qtpm_mldsa_expanded_bytes(a.set));
        json_array_append_new(results, json_pack(
            "{s:s, s:s, s:f, s:f, s:i}", "algorithm", dsas[i].name, "operation",
            "expand (once per key)", "median_cycles", f[9].cycles, "median_us", f[9].usec,
            "expanded_bytes", (json_int_t)qtpm_mldsa_expanded_bytes(a.set)));
        failed |= a.failed;
        free(a.esk);
    }
    return finish(failed, results, json_path, "qtpm ML-DSA old vs new (interleaved)", runs, 1);
}

static void usage(void)
{
    fprintf(stderr, "usage: qtpm-bench-crypto [--runs N] [--json FILE] [--mldsa-compare]\n");
}

int main(int argc, char **argv)
{
    int runs = 1000;
    const char *json_path = NULL;
    int compare = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--mldsa-compare") == 0) {
            compare = 1;
            continue;
        }
        if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
            runs = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
            json_path = argv[++i];
        } else {
            usage();
            return 2;
        }
    }
    if (runs < 1) {
        fprintf(stderr, "qtpm-bench-crypto: --runs must be positive\n");
        return 2;
    }

    if (compare)
        return mldsa_compare(runs, json_path);

    json_t *results = json_array();
    int failed = 0;
    printf("qtpm crypto core: median over %d runs (%s)\n", runs,
#ifdef HAVE_RDTSC
           "cycles from rdtsc"
#else
           "no rdtsc: 'cycles' are nanoseconds"
#endif
    );
    const char *impl = keccak_impl_name(qtpm_keccak_best_impl());
    printf("Keccak implementation: %s\n", impl);
    printf("  %-14s %-8s %12s %10s\n", "algorithm", "op", "cycles", "us");
    {
        static uint64_t state[25];
        measure_row(results, "Keccak-f1600", "Keccak-f1600", "permute", keccak_perm, state, runs);
    }

    static const struct { qtpm_mlkem_set set; const char *name; } kems[] = {
        {QTPM_MLKEM_512, "ML-KEM-512"}, {QTPM_MLKEM_768, "ML-KEM-768"},
        {QTPM_MLKEM_1024, "ML-KEM-1024"}};
    for (size_t i = 0; i < 3; i++) {
        static kem_arg a;
        memset(&a, 0, sizeof(a));
        a.set = kems[i].set;
        measure_row(results, kems[i].name, kems[i].name, "keygen", kem_keygen, &a, runs);
        measure_row(results, kems[i].name, kems[i].name, "encaps", kem_encaps, &a, runs);
        measure_row(results, kems[i].name, kems[i].name, "decaps", kem_decaps, &a, runs);
        failed |= a.failed;
    }

    static const struct { qtpm_mldsa_set set; const char *name; } dsas[] = {
        {QTPM_MLDSA_44, "ML-DSA-44"}, {QTPM_MLDSA_65, "ML-DSA-65"}, {QTPM_MLDSA_87, "ML-DSA-87"}};
    for (size_t i = 0; i < 3; i++) {
        static dsa_arg a;
        memset(&a, 0, sizeof(a));
        a.set = dsas[i].set;
        measure_row(results, dsas[i].name, dsas[i].name, "keygen", dsa_keygen, &a, runs);
        measure_row(results, dsas[i].name, dsas[i].name, "sign", dsa_sign, &a, runs);
        measure_row(results, dsas[i].name, dsas[i].name, "verify", dsa_verify, &a, runs);
        failed |= a.failed;
    }

    /* Second system in the same run: classic signatures and ECDH via OpenSSL. */
    {
        ossl_arg rsa = {0}, ec = {0};
        rsa.key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
        ec.key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        ec.peer = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        if (!rsa.key || !ec.key || !ec.peer) {
            fprintf(stderr, "qtpm-bench-crypto: OpenSSL key generation failed\n");
            return 1;
        }
        int classic_runs = runs > 200 ? 200 : runs;
        measure_row(results, "RSA-2048", "RSA-2048 (OpenSSL)", "sign", ossl_sign, &rsa,
                    classic_runs);
        measure_row(results, "RSA-2048", "RSA-2048 (OpenSSL)", "verify", ossl_verify, &rsa, runs);
        measure_row(results, "ECDSA-P256", "ECDSA-P256 (OpenSSL)", "sign", ossl_sign, &ec, runs);
        measure_row(results, "ECDSA-P256", "ECDSA-P256 (OpenSSL)", "verify", ossl_verify, &ec,
                    runs);
        measure_row(results, "ECDH-P256", "ECDH-P256 (OpenSSL)", "derive", ossl_derive, &ec, runs);
        failed |= rsa.failed | ec.failed;
        EVP_PKEY_free(rsa.key);
        EVP_PKEY_free(ec.key);
        EVP_PKEY_free(ec.peer);
    }

    return finish(failed, results, json_path, "qtpm crypto core", runs, 0);
}
