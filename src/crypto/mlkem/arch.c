/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * arch.c — the run-time choice between ML-KEM's AVX2 code (avx2.c) and its
 * portable C; see arch.h. The answer is computed once and cached in a
 * relaxed atomic: 0 not yet known, 1 portable, 2 AVX2. This is the only
 * process-wide value of the ML-KEM code, a cache of a CPU property (like
 * libgcc's own cpuid cache behind __builtin_cpu_supports), not state.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "arch.h"

static atomic_int mlkem_arch_choice;

static int mlkem_arch_detect(void)
{
#ifdef MLKEM_HAVE_AVX2_CODE
    const char *force = getenv("QTPM_MLKEM_FORCE_SCALAR");
    if (force != NULL && force[0] != '\0' && strcmp(force, "0") != 0)
        return 1;
    /* rej_uniform also counts with popcnt, which every AVX2 CPU has */
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt"))
        return 2;
#endif
    return 1;
}

int mlkem_use_avx2(void)
{
    int c = atomic_load_explicit(&mlkem_arch_choice, memory_order_relaxed);
    if (c == 0) {
        c = mlkem_arch_detect();
        atomic_store_explicit(&mlkem_arch_choice, c, memory_order_relaxed);
    }
    return c == 2;
}

void mlkem_arch_force_scalar(int on)
{
    atomic_store_explicit(&mlkem_arch_choice, on ? 1 : mlkem_arch_detect(),
                          memory_order_relaxed);
}
