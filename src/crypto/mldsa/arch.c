/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arch.c — the run-time choice between ML-DSA's AVX2 arithmetic (avx2.c)
 * and its portable C; see arch.h. The answer is computed once and cached in
 * a relaxed atomic: 0 not yet known, 1 portable, 2 AVX2 — a cache of a CPU
 * property (like libgcc's cpuid cache behind __builtin_cpu_supports), not
 * state.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"
#include "qtpm/mldsa.h"

static atomic_int mldsa_arch_choice;

static int mldsa_arch_detect(void)
{
#ifdef MLDSA_HAVE_AVX2_CODE
    const char *force = getenv("QTPM_MLDSA_FORCE_SCALAR");
    if (force != NULL && force[0] != '\0' && strcmp(force, "0") != 0)
        return 1;
    if (__builtin_cpu_supports("avx2"))
        return 2;
#endif
    return 1;
}

int mldsa_use_avx2(void)
{
    int c = atomic_load_explicit(&mldsa_arch_choice, memory_order_relaxed);
    if (c == 0) {
        c = mldsa_arch_detect();
        atomic_store_explicit(&mldsa_arch_choice, c, memory_order_relaxed);
    }
    return c == 2;
}

int qtpm_mldsa_force_portable(int on)
{
    atomic_store_explicit(&mldsa_arch_choice, on ? 1 : mldsa_arch_detect(),
                          memory_order_relaxed);
    return mldsa_use_avx2();
}
