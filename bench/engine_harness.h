/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine_harness.h — what the benchmarks of qtpm's engine in-process share:
 * qtpm-bench-attest (bench_attest.c) and qtpm-bench-engine-mldsa
 * (bench_engine_mldsa.c). Both take [--runs N] [--json FILE], open the
 * engine through libqtss ("engine:"), start it and create an ML-KEM EK and
 * an ML-DSA AK under it before they measure, and report medians.
 *
 * The clock is tpmproc.h's bench_now_us, an inline function (nothing of
 * tpmproc.c is linked). Nothing here exits: failures are returned.
 */
#ifndef QTPM_BENCH_ENGINE_HARNESS_H
#define QTPM_BENCH_ENGINE_HARNESS_H

#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "tpmproc.h"

/* Parses [--runs N] [--json FILE]: *runs keeps the caller's default unless
 * given, *json is NULL unless given. Returns 0, or 2 (the exit status)
 * after "usage: PROG [--runs N] [--json FILE]" or "PROG: --runs must be
 * 1..100000" on stderr. */
int engine_bench_args(int argc, char **argv, const char *prog, int *runs, const char **json);

/* Opens "engine:" into *tss, TPM2_Startup(CLEAR), then an ML-KEM EK and an
 * ML-DSA AK (libqtss's default templates). Returns 0, or -1 at the first
 * step that fails; *tss is set once opened and the caller frees it. */
int engine_bench_start(qtpm_tss **tss, qtpm_tss_key *ek, qtpm_tss_key *ak);

/* Sorts v[0..n) (n >= 1) and returns v[n / 2]: the median for odd n, the
 * upper of the two middle values for even n, as these benchmarks have
 * always reported (tpmproc.h's bench_median averages the two instead). */
double engine_bench_median(double *v, int n);

#endif
