/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine_harness.c — the command line, the engine set-up and the median of
 * the in-process engine benchmarks (engine_harness.h).
 */
#include "engine_harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int engine_bench_args(int argc, char **argv, const char *prog, int *runs, const char **json)
{
    *json = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            *runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--json") && i + 1 < argc)
            *json = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--runs N] [--json FILE]\n", prog);
            return 2;
        }
    }
    if (*runs < 1 || *runs > 100000) {
        fprintf(stderr, "%s: --runs must be 1..100000\n", prog);
        return 2;
    }
    return 0;
}

int engine_bench_start(qtpm_tss **tss, qtpm_tss_key *ek, qtpm_tss_key *ak)
{
    if (qtpm_tss_new("engine:", tss) != QTPM_OK ||
        qtpm_tss_Startup(*tss, TPM_SU_CLEAR) != QTPM_OK ||
        qtpm_tss_create_ek(*tss, TPM_ALG_MLKEM, NULL, ek) != QTPM_OK ||
        qtpm_tss_create_ak(*tss, ek, TPM_ALG_MLDSA, NULL, NULL, ak, NULL) != QTPM_OK)
        return -1;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double engine_bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), cmp_double);
    return v[n / 2];
}
