/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_daa.c — qtpm-bench-daa: ECDAA Join, Sign and Verify (docs/DAA.md)
 * next to the seeds' figures (D6.3 Table 6, TPM 2.0 software stack: Join
 * 1.19 s, Sign 1.12 s, Verify 0.038 s), with signature and credential sizes.
 *
 * Three TPMs in the same run: qtpm's engine in-process through libqtss (the
 * real TPM2_Commit / TPM2_Sign / TPM2_ActivateCredential path), Debian's
 * swtpm (libtpms) over its socket protocol on loopback, and the software TPM
 * of libqtpm-daa (the same arithmetic without TPM commands), which shows
 * what the TPM command path costs. Join is the whole
 * protocol, host and issuer: request, MakeCredential, ActivateCredential,
 * Commit, Sign, proof check, issuance, MakeCredential, ActivateCredential,
 * decryption and the credential's pairing check; DAA key creation is timed
 * apart. Wall-clock medians and p90 over --runs repetitions.
 *
 *   qtpm-bench-daa [--runs N] [--json FILE] [--md FILE]
 *
 * With --ldaa it measures the lattice DAA instead (qtpm/ldaa.h): issuer
 * keygen, Join (the TPM part's request, the issuer's check and credential
 * sampling, the host's credential check), Sign and Verify with and without
 * basename, with the ECDAA software TPM's Sign and Verify in the same run as
 * the second system, next to the seeds' LDAA figures (weak parameters,
 * q = 3329: Join 1.24 s, Sign 38.9 s, Verify 1.2 s).
 *
 * With --ldaa-engine it compares the two TPM parts of the lattice DAA in one
 * run, alternating repetitions: the software part (s in the process) and
 * an LDAA key in qtpm's engine in-process (vendor commands through libqtss,
 * docs/DAA.md "LDAA in the engine"): the join request and an anonymous Sign.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qtpm/daa.h"
#include "qtpm/daa_host.h"
#include "qtpm/ldaa.h"
#include "qtpm/tss_cmd.h"
#include "tss_swtpm.h" /* tests/unit: a private swtpm on free ports */

static double cpu_acc; /* CPU ms of the process since the last now_ms() pair began */
static double cpu_start;

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wall time; each call also closes the CPU-time interval of the previous one
 * into cpu_acc, so "t0 = now_ms(); ...; v = now_ms() - t0" leaves the CPU time
 * of "..." in cpu_acc (the engine runs in this process; swtpm's CPU is not
 * counted). */
static double now_ms(void)
{
    struct timespec ts;
    double c = cpu_ms();
    cpu_acc = c - cpu_start;
    cpu_start = c;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

typedef struct {
    const char *name;
    double median, p90, cpu;
} stat;

static double *cv; /* CPU ms per repetition, beside the wall times */

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static stat stats(const char *name, double *v, int n)
{
    stat s = {name, median(v, n), v[(n * 9) / 10 < n ? (n * 9) / 10 : n - 1], median(cv, n)};
    return s;
}

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) {                                                                                 \
            fprintf(stderr, "bench-daa: %s failed: %s (%d)\n", #x, qtpm_daa_strerror(rc_), rc_);   \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static const uint8_t MSG[] = "steps=10234 heart=61 2026-12-07T03:00Z";
static const uint8_t BSN[] = "analytics.example/bucket-7";

/* The lattice DAA (--ldaa): results to json/md as in main. */
static int run_ldaa(int runs, const char *json, const char *md, const char *load)
{
    double *v = calloc((size_t)runs, sizeof *v);
    cv = calloc((size_t)runs, sizeof *cv);
    uint8_t *ipk = malloc(QTPM_LDAA_IPK_SIZE), *sig = malloc(QTPM_LDAA_SIG_SIZE),
            *sigb = malloc(QTPM_LDAA_SIG_SIZE), *req = malloc(QTPM_LDAA_JOINREQ_SIZE),
            *cred = malloc(QTPM_LDAA_CRED_SIZE);
    uint8_t isk[QTPM_LDAA_ISK_SIZE], nonce[QTPM_LDAA_NONCE_SIZE];
    if (!v || !cv || !ipk || !sig || !sigb || !req || !cred)
        return 1;
    stat st[16];
    int ns = 0, kruns = runs < 5 ? runs : 5, jruns = runs < 10 ? runs : 10;
    for (int i = 0; i < kruns; i++) {
        double t0 = now_ms();
        CHECK(qtpm_ldaa_issuer_keygen(isk, ipk, QTPM_LDAA_IPK_SIZE));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
    }
    st[ns++] = stats("LDAA issuer keygen", v, kruns);
    qtpm_ldaa_issuer *iss;
    qtpm_ldaa_ipk *pk;
    qtpm_ldaa_tpm *tpm;
    CHECK(qtpm_ldaa_issuer_load(&iss, isk, sizeof isk));
    for (int i = 0; i < kruns; i++) {
        double t0 = now_ms();
        CHECK(qtpm_ldaa_ipk_load(&pk, ipk, QTPM_LDAA_IPK_SIZE));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
        qtpm_ldaa_ipk_free(pk);
    }
    st[ns++] = stats("LDAA verifier: ipk decode + expand", v, kruns);
    CHECK(qtpm_ldaa_ipk_load(&pk, ipk, QTPM_LDAA_IPK_SIZE));
    CHECK(qtpm_ldaa_tpm_create(&tpm, ipk, QTPM_LDAA_IPK_SIZE));
    double tj[3][64];
    for (int i = 0; i < jruns; i++) {
        double t0 = now_ms();
        CHECK(qtpm_ldaa_join_nonce(nonce));
        CHECK(qtpm_ldaa_tpm_join_request(tpm, nonce, req));
        double t1 = now_ms();
        CHECK(qtpm_ldaa_join_issue(iss, nonce, req, QTPM_LDAA_JOINREQ_SIZE, cred,
                                   QTPM_LDAA_CRED_SIZE));
        double t2 = now_ms();
        CHECK(qtpm_ldaa_cred_check(pk, tpm, cred, QTPM_LDAA_CRED_SIZE));
        double t3 = now_ms();
        tj[0][i] = t1 - t0;
        tj[1][i] = t2 - t1;
        tj[2][i] = t3 - t2;
        v[i] = t3 - t0;
        cv[i] = 0;
    }
    st[ns++] = stats("LDAA Join (whole protocol)", v, jruns);
    for (int i = 0; i < jruns; i++)
        v[i] = tj[0][i];
    st[ns++] = stats("LDAA Join: TPM part's request (t, proof of s)", v, jruns);
    for (int i = 0; i < jruns; i++)
        v[i] = tj[1][i];
    st[ns++] = stats("LDAA Join: issuer check + credential sampling", v, jruns);
    for (int i = 0; i < jruns; i++)
        v[i] = tj[2][i];
    st[ns++] = stats("LDAA Join: host credential check", v, jruns);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_ldaa_sign(pk, tpm, cred, QTPM_LDAA_CRED_SIZE, MSG, sizeof MSG, NULL, 0, sig,
                             QTPM_LDAA_SIG_SIZE));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
    }
    st[ns++] = stats("LDAA Sign, anonymous", v, runs);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_ldaa_verify(pk, sig, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL, 0, NULL, 0));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
    }
    st[ns++] = stats("LDAA Verify, anonymous", v, runs);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_ldaa_sign(pk, tpm, cred, QTPM_LDAA_CRED_SIZE, MSG, sizeof MSG, BSN, sizeof BSN,
                             sigb, QTPM_LDAA_SIG_SIZE));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
    }
    st[ns++] = stats("LDAA Sign, with basename", v, runs);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_ldaa_verify(pk, sigb, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, BSN, sizeof BSN,
                               NULL, 0));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
    }
    st[ns++] = stats("LDAA Verify, with basename", v, runs);
    uint8_t *rl = malloc(10 * QTPM_LDAA_REVOKED_SIZE);
    if (!rl)
        return 1;
    qtpm_ldaa_tpm *other;
    CHECK(qtpm_ldaa_tpm_create(&other, ipk, QTPM_LDAA_IPK_SIZE));
    for (int r = 0; r < 10; r++)
        CHECK(qtpm_ldaa_tpm_export_secret(other, rl + (size_t)r * QTPM_LDAA_REVOKED_SIZE));
    qtpm_ldaa_tpm_free(other);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_ldaa_verify(pk, sigb, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, BSN, sizeof BSN, rl,
                               10));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
    }
    st[ns++] = stats("LDAA Verify, with basename, 10 revoked keys", v, runs);
    free(rl);

    /* the second system in the same run: ECDAA with the software TPM */
    uint8_t eisk[QTPM_DAA_ISK_SIZE], eipk[QTPM_DAA_IPK_SIZE], ecred[QTPM_DAA_CRED_SIZE];
    uint8_t esig[QTPM_DAA_SIG_BSN_SIZE], q[64], enonce[32] = {1}, proof[QTPM_DAA_JOIN_PROOF_SIZE];
    size_t len;
    qtpm_daa_verifier *ver;
    qtpm_daa_soft s;
    CHECK(qtpm_daa_issuer_keygen(eisk, eipk));
    CHECK(qtpm_daa_verifier_new(eipk, sizeof eipk, &ver));
    CHECK(qtpm_daa_soft_init(&s, NULL, q));
    qtpm_daa_tpm et = qtpm_daa_soft_tpm(&s);
    CHECK(qtpm_daa_join_prove(&et, q, enonce, proof));
    CHECK(qtpm_daa_join_verify(q, enonce, proof));
    CHECK(qtpm_daa_issue(eisk, q, ecred));
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_daa_sign(&et, ecred, sizeof ecred, BSN, sizeof BSN, MSG, sizeof MSG, esig,
                            sizeof esig, &len));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
    }
    st[ns++] = stats("ECDAA (soft TPM) Sign, with basename", v, runs);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_daa_verify(ver, BSN, sizeof BSN, MSG, sizeof MSG, esig, len));
        v[i] = now_ms() - t0;
        cv[i] = cpu_acc;
    }
    st[ns++] = stats("ECDAA Verify, with basename", v, runs);
    qtpm_daa_verifier_free(ver);
    qtpm_ldaa_tpm_free(tpm);
    qtpm_ldaa_ipk_free(pk);
    qtpm_ldaa_issuer_free(iss);

    static const struct {
        const char *ours;
        double seeds_ms;
    } seeds[] = {{"LDAA Join (whole protocol)", 1240},
                 {"LDAA Sign, with basename", 38900},
                 {"LDAA Verify, with basename", 1200}};
    for (int i = 0; i < ns; i++)
        printf("%-52s median %9.3f ms  p90 %9.3f ms  cpu %9.3f ms\n", st[i].name, st[i].median,
               st[i].p90, st[i].cpu);
    printf("sizes: signature %d B; credential %d B; issuer public key %d B; join request %d B; "
           "TPM key blob %d B\n",
           QTPM_LDAA_SIG_SIZE, QTPM_LDAA_CRED_SIZE, QTPM_LDAA_IPK_SIZE, QTPM_LDAA_JOINREQ_SIZE,
           QTPM_LDAA_TPMKEY_SIZE);
    if (json) {
        FILE *f = fopen(json, "w");
        if (!f)
            return 1;
        fprintf(f, "{\n  \"scheme\": \"lattice DAA (docs/DAA.md)\",\n  \"runs\": %d,\n  \"join_runs\": %d,\n"
                   "  \"unit\": \"ms\",\n  \"loadavg\": \"%s\",\n  \"results\": [\n", runs, jruns, load);
        for (int i = 0; i < ns; i++)
            fprintf(f, "    {\"name\": \"%s\", \"median\": %.4f, \"p90\": %.4f, \"cpu_median\": %.4f}%s\n",
                    st[i].name, st[i].median, st[i].p90, st[i].cpu, i + 1 < ns ? "," : "");
        fprintf(f, "  ],\n  \"sizes\": {\"signature\": %d, \"credential\": %d, "
                   "\"issuer_public_key\": %d, \"issuer_secret_key\": %d, \"join_request\": %d, "
                   "\"tpm_key\": %d},\n",
                QTPM_LDAA_SIG_SIZE, QTPM_LDAA_CRED_SIZE, QTPM_LDAA_IPK_SIZE, QTPM_LDAA_ISK_SIZE,
                QTPM_LDAA_JOINREQ_SIZE, QTPM_LDAA_TPMKEY_SIZE);
        fprintf(f, "  \"seeds_ldaa_weak_ms\": {\"join\": 1240, \"sign\": 38900, \"verify\": 1200}\n}\n");
        fclose(f);
    }
    if (md) {
        FILE *f = fopen(md, "w");
        if (!f)
            return 1;
        fprintf(f, "# Lattice DAA (qtpm-bench-daa --ldaa, %d runs; Join %d, keygen %d)\n\n", runs,
                jruns, kruns);
        fprintf(f, "Load average at the start: %s. Wall-clock median and p90; CPU: median CPU "
                   "time of this process (everything runs in it; Join rows: wall only).\n\n",
                load);
        fprintf(f, "| operation | median ms | p90 ms | CPU ms |\n|---|---:|---:|---:|\n");
        for (int i = 0; i < ns; i++)
            fprintf(f, "| %s | %.3f | %.3f | %.3f |\n", st[i].name, st[i].median, st[i].p90,
                    st[i].cpu);
        fprintf(f, "\n| qtpm | qtpm ms | seeds' LDAA (weak, q = 3329) ms | seeds / qtpm |\n"
                   "|---|---:|---:|---:|\n");
        for (size_t i = 0; i < sizeof seeds / sizeof seeds[0]; i++)
            for (int j = 0; j < ns; j++)
                if (!strcmp(st[j].name, seeds[i].ours))
                    fprintf(f, "| %s | %.3f | %.0f | %.0f× |\n", seeds[i].ours, st[j].median,
                            seeds[i].seeds_ms, seeds[i].seeds_ms / st[j].median);
        fprintf(f, "\nSizes: signature %d B; credential %d B; issuer public key %d B; issuer "
                   "secret key %d B; join request %d B; TPM key blob %d B.\n",
                QTPM_LDAA_SIG_SIZE, QTPM_LDAA_CRED_SIZE, QTPM_LDAA_IPK_SIZE, QTPM_LDAA_ISK_SIZE,
                QTPM_LDAA_JOINREQ_SIZE, QTPM_LDAA_TPMKEY_SIZE);
        fclose(f);
    }
    free(ipk);
    free(sig);
    free(sigb);
    free(req);
    free(cred);
    free(v);
    free(cv);
    return 0;
}

/* --ldaa-engine: the software TPM part and the engine's, same run. */
static int run_ldaa_engine(int runs, const char *json, const char *md, const char *load)
{
    uint8_t isk[QTPM_LDAA_ISK_SIZE], nonce[QTPM_LDAA_NONCE_SIZE];
    uint8_t *ipk = malloc(QTPM_LDAA_IPK_SIZE), *req = malloc(QTPM_LDAA_JOINREQ_SIZE);
    uint8_t *sig = malloc(QTPM_LDAA_SIG_SIZE), *cred[2];
    cred[0] = malloc(QTPM_LDAA_CRED_SIZE);
    cred[1] = malloc(QTPM_LDAA_CRED_SIZE);
    double *v[4];
    for (int k = 0; k < 4; k++)
        v[k] = calloc((size_t)runs, sizeof(double));
    double *c4[4];
    for (int k = 0; k < 4; k++)
        c4[k] = calloc((size_t)runs, sizeof(double));
    cv = calloc((size_t)runs, sizeof *cv);
    if (!ipk || !req || !sig || !cred[0] || !cred[1] || !cv || !v[3] || !c4[3])
        return 1;
    qtpm_ldaa_issuer *iss;
    qtpm_ldaa_ipk *pk;
    qtpm_ldaa_tpm *part[2];
    CHECK(qtpm_ldaa_issuer_keygen(isk, ipk, QTPM_LDAA_IPK_SIZE));
    CHECK(qtpm_ldaa_issuer_load(&iss, isk, sizeof isk));
    CHECK(qtpm_ldaa_ipk_load(&pk, ipk, QTPM_LDAA_IPK_SIZE));
    CHECK(qtpm_ldaa_tpm_create(&part[0], ipk, QTPM_LDAA_IPK_SIZE));
    qtpm_tss *t;
    if (qtpm_tss_new("engine:", &t) || qtpm_tss_Startup(t, TPM_SU_CLEAR))
        return 1;
    uint8_t file[4096];
    size_t fl;
    CHECK(qtpm_ldaa_tss_key_create(t, ipk, QTPM_LDAA_IPK_SIZE, file, sizeof file, &fl));
    CHECK(qtpm_ldaa_tpm_open_file(&part[1], t, 1, file, fl));
    for (int p = 0; p < 2; p++) {
        CHECK(qtpm_ldaa_join_nonce(nonce));
        CHECK(qtpm_ldaa_tpm_join_request(part[p], nonce, req));
        CHECK(qtpm_ldaa_join_issue(iss, nonce, req, QTPM_LDAA_JOINREQ_SIZE, cred[p],
                                   QTPM_LDAA_CRED_SIZE));
        CHECK(qtpm_ldaa_cred_check(pk, part[p], cred[p], QTPM_LDAA_CRED_SIZE));
    }
    for (int i = 0; i < runs; i++)
        for (int p = 0; p < 2; p++) {
            CHECK(qtpm_ldaa_join_nonce(nonce));
            double t0 = now_ms();
            CHECK(qtpm_ldaa_tpm_join_request(part[p], nonce, req));
            v[p][i] = now_ms() - t0;
            c4[p][i] = cpu_acc;
            t0 = now_ms();
            CHECK(qtpm_ldaa_sign(pk, part[p], cred[p], QTPM_LDAA_CRED_SIZE, MSG, sizeof MSG, NULL,
                                 0, sig, QTPM_LDAA_SIG_SIZE));
            v[2 + p][i] = now_ms() - t0;
            c4[2 + p][i] = cpu_acc;
            CHECK(qtpm_ldaa_verify(pk, sig, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL, 0, NULL,
                                   0));
        }
    static const char *names[4] = {"join request, software part", "join request, engine",
                                   "Sign (anonymous), software part", "Sign (anonymous), engine"};
    stat st[4];
    for (int k = 0; k < 4; k++) {
        memcpy(cv, c4[k], (size_t)runs * sizeof(double));
        st[k] = stats(names[k], v[k], runs);
        printf("%-36s median %9.3f ms  p90 %9.3f ms  cpu %9.3f ms\n", st[k].name, st[k].median,
               st[k].p90, st[k].cpu);
    }
    double rj = st[1].median / st[0].median, rs = st[3].median / st[2].median;
    printf("engine / software: join request %.2fx, Sign %.2fx (load %s)\n", rj, rs, load);
    if (json) {
        FILE *f = fopen(json, "w");
        if (!f)
            return 1;
        fprintf(f, "{\n  \"bench\": \"qtpm-bench-daa --ldaa-engine\",\n  \"runs\": %d,\n"
                   "  \"unit\": \"ms\",\n  \"loadavg\": \"%s\",\n  \"results\": [\n",
                runs, load);
        for (int k = 0; k < 4; k++)
            fprintf(f, "    {\"name\": \"%s\", \"median\": %.3f, \"p90\": %.3f, \"cpu\": %.3f}%s\n",
                    st[k].name, st[k].median, st[k].p90, st[k].cpu, k < 3 ? "," : "");
        fprintf(f, "  ],\n  \"ratio_join\": %.3f,\n  \"ratio_sign\": %.3f\n}\n", rj, rs);
        fclose(f);
    }
    if (md) {
        FILE *f = fopen(md, "w");
        if (!f)
            return 1;
        fprintf(f, "# Lattice DAA: the TPM part in the engine against the software part\n\n"
                   "`qtpm-bench-daa --ldaa-engine --runs %d`: the two TPM parts alternate in one "
                   "run; the engine is in-process (engine: TCTI), so the figures are its "
                   "computation plus libqtss marshalling and HMAC sessions, no transport. "
                   "Load average at the start: %s (2 cores shared with other builds: "
                   "compare the ratio, not the absolute times).\n\n"
                   "| operation | median ms | p90 ms | CPU ms |\n|---|---|---|---|\n",
                runs, load);
        for (int k = 0; k < 4; k++)
            fprintf(f, "| %s | %.1f | %.1f | %.1f |\n", st[k].name, st[k].median, st[k].p90,
                    st[k].cpu);
        fprintf(f, "\nEngine / software (medians): join request %.2f×, Sign %.2f×. Each vendor "
                   "command re-derives s and re-expands the issuer's matrices from rho, and a "
                   "commitment is recomputed for each of its pieces (docs/DAA.md).\n",
                rj, rs);
        fclose(f);
    }
    qtpm_ldaa_tpm_free(part[0]);
    qtpm_ldaa_tpm_free(part[1]);
    qtpm_ldaa_ipk_free(pk);
    qtpm_ldaa_issuer_free(iss);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 50;
    int ldaa = 0;
    const char *json = NULL, *md = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json") && i + 1 < argc)
            json = argv[++i];
        else if (!strcmp(argv[i], "--md") && i + 1 < argc)
            md = argv[++i];
        else if (!strcmp(argv[i], "--ldaa"))
            ldaa = 1;
        else if (!strcmp(argv[i], "--ldaa-engine"))
            ldaa = 2;
        else {
            fprintf(stderr, "usage: qtpm-bench-daa [--ldaa | --ldaa-engine] [--runs N] [--json FILE] "
                            "[--md FILE]\n");
            return 2;
        }
    }
    if (runs < 3 || runs > 10000)
        runs = 50;
    char load[64] = "unknown";
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fgets(load, sizeof load, la))
            load[strcspn(load, "\n")] = 0;
        fclose(la);
    }
    if (ldaa == 2)
        return run_ldaa_engine(runs, json, md, load);
    if (ldaa)
        return run_ldaa(runs, json, md, load);
    double *v = calloc((size_t)runs, sizeof *v);
    cv = calloc((size_t)runs, sizeof *cv);
    stat st[24];
    int ns = 0;
    uint8_t isk[QTPM_DAA_ISK_SIZE], ipk[QTPM_DAA_IPK_SIZE], cred[QTPM_DAA_CRED_SIZE];
    uint8_t sig[QTPM_DAA_SIG_BSN_SIZE];
    size_t len;
    qtpm_daa_verifier *ver;

    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_daa_issuer_keygen(isk, ipk));
        v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
    }
    st[ns++] = stats("issuer keygen", v, runs);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_daa_verifier_new(ipk, sizeof ipk, &ver));
        v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
        qtpm_daa_verifier_free(ver);
    }
    st[ns++] = stats("verifier load (ipk check + line precomputation)", v, runs);
    CHECK(qtpm_daa_verifier_new(ipk, sizeof ipk, &ver));

    /* ---- the TPMs through libqtss: qtpm's engine in-process, then swtpm */
    size_t bsn_sig_len = 0;
    tss_swtpm sw;
    int have_swtpm = tss_swtpm_installed() && tss_swtpm_start(&sw) == 0;
    for (int which = 0; which < 1 + have_swtpm; which++) {
        const char *who = which ? "swtpm" : "engine";
        char name[8][96];
        qtpm_tss *t;
        if (qtpm_tss_new(which ? sw.spec : "engine:", &t) != 0)
            return 1;
        (void)qtpm_tss_Startup(t, TPM_SU_CLEAR);
        qtpm_daa_host h;
        int hruns = runs < 20 ? runs : 20;
        for (int i = 0; i < hruns; i++) {
            double t0 = now_ms();
            CHECK(qtpm_daa_host_open(t, NULL, 0, &h));
            v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
            qtpm_daa_host_close(&h);
        }
        snprintf(name[0], sizeof name[0], "%s: EK + SRK + DAA key (Create, Load)", who);
        st[ns++] = stats(strdup(name[0]), v, hruns);
        CHECK(qtpm_daa_host_open(t, NULL, 0, &h));
        for (int i = 0; i < hruns; i++) {
            uint8_t req[QTPM_DAA_JOIN_MAX], chal[QTPM_DAA_JOIN_MAX], stt[QTPM_DAA_JOIN_MAX],
                resp[QTPM_DAA_JOIN_MAX], cmsg[QTPM_DAA_JOIN_MAX];
            size_t rl, cl, sl, pl, ml;
            double t0 = now_ms();
            CHECK(qtpm_daa_host_join_request(&h, req, sizeof req, &rl));
            CHECK(qtpm_daa_issuer_challenge(req, rl, chal, sizeof chal, &cl, stt, sizeof stt, &sl));
            CHECK(qtpm_daa_host_join_respond(&h, chal, cl, resp, sizeof resp, &pl));
            CHECK(qtpm_daa_issuer_credential(isk, stt, sl, resp, pl, cmsg, sizeof cmsg, &ml));
            CHECK(qtpm_daa_host_join_finish(&h, ipk, sizeof ipk, cmsg, ml, cred));
            v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
        }
        snprintf(name[1], sizeof name[1], "%s: Join (whole protocol)", who);
        st[ns++] = stats(strdup(name[1]), v, hruns);
        qtpm_daa_tpm tpm = qtpm_daa_host_tpm(&h);
        for (int i = 0; i < runs; i++) {
            double t0 = now_ms();
            CHECK(qtpm_daa_sign(&tpm, cred, sizeof cred, NULL, 0, MSG, sizeof MSG, sig, sizeof sig,
                                &len));
            v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
        }
        snprintf(name[2], sizeof name[2], "%s: Sign, unlinkable", who);
        st[ns++] = stats(strdup(name[2]), v, runs);
        if (which == 0) {
            for (int i = 0; i < runs; i++) {
                double t0 = now_ms();
                CHECK(qtpm_daa_verify(ver, NULL, 0, MSG, sizeof MSG, sig, len));
                v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
            }
            st[ns++] = stats("Verify, unlinkable", v, runs);
        }
        for (int i = 0; i < runs; i++) {
            double t0 = now_ms();
            CHECK(qtpm_daa_sign(&tpm, cred, sizeof cred, BSN, sizeof BSN, MSG, sizeof MSG, sig,
                                sizeof sig, &len));
            v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
        }
        snprintf(name[3], sizeof name[3], "%s: Sign, with basename", who);
        st[ns++] = stats(strdup(name[3]), v, runs);
        bsn_sig_len = len;
        if (which == 0) {
            for (int i = 0; i < runs; i++) {
                double t0 = now_ms();
                CHECK(qtpm_daa_verify(ver, BSN, sizeof BSN, MSG, sizeof MSG, sig, len));
                v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
            }
            st[ns++] = stats("Verify, with basename", v, runs);
        } else {
            CHECK(qtpm_daa_verify(ver, BSN, sizeof BSN, MSG, sizeof MSG, sig, len));
        }
        qtpm_daa_host_close(&h);
        qtpm_tss_free(t);
    }
    if (have_swtpm)
        tss_swtpm_stop(&sw);
    int jruns = runs < 20 ? runs : 20;

    /* ---- software TPM */
    qtpm_daa_soft s;
    uint8_t q[64], nonce[32] = {1}, proof[QTPM_DAA_JOIN_PROOF_SIZE];
    CHECK(qtpm_daa_soft_init(&s, NULL, q));
    qtpm_daa_tpm tpm = qtpm_daa_soft_tpm(&s);
    for (int i = 0; i < jruns; i++) {
        double t0 = now_ms();
        CHECK(qtpm_daa_join_prove(&tpm, q, nonce, proof));
        CHECK(qtpm_daa_join_verify(q, nonce, proof));
        CHECK(qtpm_daa_issue(isk, q, cred));
        CHECK(qtpm_daa_cred_check(ipk, sizeof ipk, q, cred, sizeof cred));
        v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
    }
    st[ns++] = stats("soft TPM: Join (proof, issue, credential check)", v, jruns);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_daa_sign(&tpm, cred, sizeof cred, NULL, 0, MSG, sizeof MSG, sig, sizeof sig, &len));
        v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
    }
    st[ns++] = stats("soft TPM: Sign, unlinkable", v, runs);
    for (int i = 0; i < runs; i++) {
        double t0 = now_ms();
        CHECK(qtpm_daa_sign(&tpm, cred, sizeof cred, BSN, sizeof BSN, MSG, sizeof MSG, sig, sizeof sig,
                            &len));
        v[i] = now_ms() - t0;
            cv[i] = cpu_acc;
    }
    st[ns++] = stats("soft TPM: Sign, with basename", v, runs);
    qtpm_daa_verifier_free(ver);
    free(v);
    free(cv);

    /* seeds' Table 6, ms */
    static const struct {
        const char *ours, *theirs;
        double seeds_ms;
    } cmpv[] = {{"engine: Join (whole protocol)", "Initialise and Join ()", 1190.25},
                {"engine: Sign, with basename", "Sign ()", 1116.45},
                {"Verify, with basename", "Verify ()", 38.28},
                {"swtpm: Join (whole protocol)", "Initialise and Join ()", 1190.25},
                {"swtpm: Sign, with basename", "Sign ()", 1116.45}};
    for (int i = 0; i < ns; i++)
        printf("%-52s median %8.3f ms  p90 %8.3f ms  cpu %8.3f ms\n", st[i].name, st[i].median,
               st[i].p90, st[i].cpu);
    printf("sizes: signature %d B (unlinkable), %zu B (with basename); credential %d B; issuer "
           "public key %d B\n",
           QTPM_DAA_SIG_SIZE, bsn_sig_len, QTPM_DAA_CRED_SIZE, QTPM_DAA_IPK_SIZE);
    if (json) {
        FILE *f = fopen(json, "w");
        if (!f)
            return 1;
        fprintf(f, "{\n  \"runs\": %d,\n  \"unit\": \"ms\",\n  \"loadavg\": \"%s\",\n  \"results\": [\n",
                runs, load);
        for (int i = 0; i < ns; i++)
            fprintf(f, "    {\"name\": \"%s\", \"median\": %.4f, \"p90\": %.4f, \"cpu_median\": %.4f}%s\n",
                    st[i].name, st[i].median, st[i].p90, st[i].cpu, i + 1 < ns ? "," : "");
        fprintf(f, "  ],\n  \"sizes\": {\"signature\": %d, \"signature_basename\": %d, "
                   "\"credential\": %d, \"issuer_public_key\": %d, \"join_proof\": %d},\n",
                QTPM_DAA_SIG_SIZE, QTPM_DAA_SIG_BSN_SIZE, QTPM_DAA_CRED_SIZE, QTPM_DAA_IPK_SIZE,
                QTPM_DAA_JOIN_PROOF_SIZE);
        fprintf(f, "  \"seeds_table6_ms\": {\"join\": 1190.25, \"sign\": 1116.45, \"verify\": 38.28}\n}\n");
        fclose(f);
    }
    if (md) {
        FILE *f = fopen(md, "w");
        if (!f)
            return 1;
        fprintf(f, "# ECDAA on BN_P256 (qtpm-bench-daa, %d runs; Join %d)\n\n", runs, jruns);
        fprintf(f, "Load average at the start: %s. Wall-clock median and p90; CPU: median "
                   "CPU time of this process (the engine and the software TPM run in it, "
                   "swtpm does not).\n\n", load);
        fprintf(f, "| operation | median ms | p90 ms | CPU ms |\n|---|---:|---:|---:|\n");
        for (int i = 0; i < ns; i++)
            fprintf(f, "| %s | %.3f | %.3f | %.3f |\n", st[i].name, st[i].median, st[i].p90,
                    st[i].cpu);
        fprintf(f, "\n| qtpm | seeds D6.3 Table 6 | qtpm ms | seeds ms | seeds / qtpm |\n"
                   "|---|---|---:|---:|---:|\n");
        for (size_t i = 0; i < sizeof cmpv / sizeof cmpv[0]; i++)
            for (int j = 0; j < ns; j++)
                if (!strcmp(st[j].name, cmpv[i].ours))
                    fprintf(f, "| %s | %s | %.3f | %.2f | %.0f× |\n", cmpv[i].ours, cmpv[i].theirs,
                            st[j].median, cmpv[i].seeds_ms, cmpv[i].seeds_ms / st[j].median);
        fprintf(f, "\nSizes: signature %d B without basename, %d B with; credential %d B; issuer "
                   "public key %d B; join proof %d B.\n",
                QTPM_DAA_SIG_SIZE, QTPM_DAA_SIG_BSN_SIZE, QTPM_DAA_CRED_SIZE, QTPM_DAA_IPK_SIZE,
                QTPM_DAA_JOIN_PROOF_SIZE);
        fclose(f);
    }
    return 0;
}
