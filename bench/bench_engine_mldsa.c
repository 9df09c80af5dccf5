/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_engine_mldsa.c — TPM2_Quote and TPM2_Sign with ML-DSA-44 keys
 * through the in-process engine (the NMS swarm's routers sign this way),
 * before and after the expanded-key cache and the AVX2 arithmetic of
 * src/crypto/mldsa, in one run.
 *
 * Three variants, interleaved run by run (one of each in turn), medians:
 *   old   — the key is context-saved, flushed and loaded again before each
 *           run (outside the timing), so the timed command meets a key
 *           without its cached expanded form and expands it from the seed,
 *           and the arithmetic is forced to portable C: the work every
 *           signature did before this change;
 *   cold  — the same reload, with the CPU's arithmetic (AVX2): the first
 *           signature of a freshly loaded key now;
 *   new   — the key stays loaded (its expanded form cached), AVX2: every
 *           later signature now.
 * Microseconds of the whole command (marshalling, dispatch, sessions
 * included) and rdtsc cycles. --json FILE writes the figures.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

#include "qtpm/mldsa.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

#include "engine_harness.h"

static qtpm_tss *T;

/* Saves, flushes and reloads *h: the loaded object is new (no cache). */
static int reload(TPM_HANDLE *h)
{
    static TPMS_CONTEXT ctx;
    TPMI_DH_CONTEXT nh;
    if (qtpm_tss_ContextSave(T, *h, &ctx) != QTPM_OK || qtpm_tss_FlushContext(T, *h) != QTPM_OK ||
        qtpm_tss_ContextLoad(T, &ctx, &nh) != QTPM_OK)
        return -1;
    *h = nh;
    return 0;
}

typedef int (*cmd_fn)(TPM_HANDLE key);

static int do_quote(TPM_HANDLE key)
{
    static TPM2B_ATTEST att;
    static TPMT_SIGNATURE sig;
    TPM2B_DATA qual = {.size = 16};
    TPMT_SIG_SCHEME sch = {.scheme = TPM_ALG_NULL};
    TPML_PCR_SELECTION sel = {.count = 1};
    sel.pcrSelections[0].hash = TPM_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[0] = 0xFF;
    memset(qual.buffer, 0x42, 16);
    int rc = qtpm_tss_Quote(T, NULL, key, &qual, &sch, &sel, &att, &sig);
    if (rc != QTPM_OK)
        fprintf(stderr, "Quote: 0x%x\n", (unsigned)rc);
    return rc == QTPM_OK && sig.sigAlg == TPM_ALG_MLDSA ? 0 : -1;
}

static int do_sign(TPM_HANDLE key)
{
    static TPMT_SIGNATURE sig;
    static TPM2B_DIGEST mu = {.size = 32}; /* a SHA-256 digest */
    TPMT_SIG_SCHEME sch = {.scheme = TPM_ALG_NULL};
    mu.buffer[0]++;
    int rc = qtpm_tss_Sign(T, NULL, key, &mu, &sch, NULL, &sig);
    if (rc != QTPM_OK)
        fprintf(stderr, "Sign: 0x%x\n", (unsigned)rc);
    return rc == QTPM_OK && sig.sigAlg == TPM_ALG_HASH_MLDSA ? 0 : -1;
}

typedef struct {
    double us, cycles;
} fig;

/* variants: 0 old, 1 cold, 2 new */
static int measure(cmd_fn fn, TPM_HANDLE *key, int runs, fig out[3])
{
    double *us = calloc((size_t)runs * 3, sizeof(*us));
    double *cy = calloc((size_t)runs * 3, sizeof(*cy));
    int rc = -1;
    if (!us || !cy)
        goto done;
    for (int i = 0; i < runs + 3; i++)
        for (int v = 0; v < 3; v++) {
            if (v < 2 && reload(key) != 0)
                goto done;
            qtpm_mldsa_force_portable(v == 0);
            if (v == 2 && fn(*key) != 0) /* warm the cache (untimed) */
                goto done;
            double u0 = bench_now_us();
            uint64_t c0 = __rdtsc();
            int r = fn(*key);
            uint64_t c1 = __rdtsc();
            double u1 = bench_now_us();
            if (r != 0)
                goto done;
            if (i >= 3) { /* three warm-up rounds */
                us[v * runs + i - 3] = u1 - u0;
                cy[v * runs + i - 3] = (double)(c1 - c0);
            }
        }
    for (int v = 0; v < 3; v++) {
        out[v].us = engine_bench_median(us + v * runs, runs);
        out[v].cycles = engine_bench_median(cy + v * runs, runs);
    }
    rc = 0;
done:
    qtpm_mldsa_force_portable(0);
    free(us);
    free(cy);
    return rc;
}

int main(int argc, char **argv)
{
    int runs = 200;
    const char *json;
    int rc = engine_bench_args(argc, argv, "qtpm-bench-engine-mldsa", &runs, &json);
    if (rc != 0)
        return rc;
    static qtpm_tss_key ek, ak;
    static TPM2B_PUBLIC tmpl, outpub;
    static TPM2B_SENSITIVE_CREATE sens;
    TPML_PCR_SELECTION none = {.count = 0};
    TPM_HANDLE signer;
    if (engine_bench_start(&T, &ek, &ak) != 0 ||
        qtpm_tss_FlushContext(T, ek.handle) != QTPM_OK ||
        qtpm_tss_template_hash_mldsa(TPM_MLDSA_44, TPM_ALG_SHA256, 0, &tmpl.publicArea) != QTPM_OK ||
        qtpm_tss_CreatePrimary(T, NULL, TPM_RH_OWNER, &sens, &tmpl, NULL, &none, &signer,
                               &outpub, NULL, NULL, NULL, NULL) != QTPM_OK) {
        fprintf(stderr, "qtpm-bench-engine-mldsa: setup failed\n");
        return 1;
    }
    if (ak.pub.publicArea.parameters.mldsaDetail.parameterSet != TPM_MLDSA_44)
        fprintf(stderr, "note: the AK is not ML-DSA-44\n");
    fig q[3], s[3];
    if (measure(do_quote, &ak.handle, runs, q) != 0 || measure(do_sign, &signer, runs, s) != 0) {
        fprintf(stderr, "qtpm-bench-engine-mldsa: a command failed\n");
        return 1;
    }
    double load[3] = {-1, -1, -1};
    FILE *la = fopen("/proc/loadavg", "r");
    if (la) {
        if (fscanf(la, "%lf %lf %lf", &load[0], &load[1], &load[2]) != 3)
            load[0] = -1;
        fclose(la);
    }
    const char *names[3] = {"old (reload, seed, portable)", "cold (reload, AVX2)",
                            "new (cached, AVX2)"};
    printf("engine, ML-DSA-44 (Quote) / HashML-DSA-44 (Sign), median over %d interleaved runs (load %.2f):\n", runs, load[0]);
    printf("  %-34s %10s %12s %10s %12s\n", "variant", "Quote us", "Quote cyc", "Sign us",
           "Sign cyc");
    for (int v = 0; v < 3; v++)
        printf("  %-34s %10.1f %12.0f %10.1f %12.0f\n", names[v], q[v].us, q[v].cycles, s[v].us,
               s[v].cycles);
    printf("  old/new: Quote %.2f, Sign %.2f; old/cold: Quote %.2f, Sign %.2f\n",
           q[0].cycles / q[2].cycles, s[0].cycles / s[2].cycles, q[0].cycles / q[1].cycles,
           s[0].cycles / s[1].cycles);
    if (json) {
        json_t *arr = json_array();
        for (int v = 0; v < 3; v++)
            json_array_append_new(arr, json_pack("{s:s,s:f,s:f,s:f,s:f}", "variant", names[v],
                                                 "quote_median_us", q[v].us,
                                                 "quote_median_cycles", q[v].cycles,
                                                 "sign_median_us", s[v].us,
                                                 "sign_median_cycles", s[v].cycles));
        json_t *j = json_pack("{s:s,s:i,s:[f,f,f],s:f,s:f,s:o}", "what",
                              "TPM2_Quote (ML-DSA-44 AK, SHA-256 PCRs 0-7) and TPM2_Sign "
                              "(HashML-DSA-44 / SHA-256 key, TPM2_Sign of a digest) through the in-process engine",
                              "runs", runs, "loadavg_at_end", load[0], load[1], load[2],
                              "quote_old_over_new", q[0].cycles / q[2].cycles,
                              "sign_old_over_new", s[0].cycles / s[2].cycles, "variants", arr);
        if (!j || json_dump_file(j, json, JSON_INDENT(2)) != 0) {
            fprintf(stderr, "qtpm-bench-engine-mldsa: cannot write %s\n", json);
            return 1;
        }
        json_decref(j);
    }
    qtpm_tss_free(T);
    return 0;
}
