/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * debug.h — run-time checks of the coefficient bounds the arithmetic relies
 * on, in the manner of mlkem-native's mlk_assert_bound.
 *
 * Every arithmetic function of this folder states the range of its inputs
 * and outputs in a comment; that comment is the argument for why no int16 or
 * int32 overflows. When QTPM_DEBUG_BOUNDS is defined (the sanitizer build
 * defines it) the same statements are checked on every call and a violation
 * aborts with a message. Otherwise the macros compile to nothing, so the
 * checks — which do branch on secret data — never reach a release build.
 */
#ifndef QTPM_MLKEM_DEBUG_H
#define QTPM_MLKEM_DEBUG_H

#include <stddef.h>
#include <stdint.h>

#ifdef QTPM_DEBUG_BOUNDS
#include <stdio.h>
#include <stdlib.h>

/* Aborts unless lo <= p[i] < hi for all i < n. */
static inline void mlkem_debug_check_bound(const int16_t *p, size_t n, int32_t lo, int32_t hi,
                                           const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] < lo || p[i] >= hi) {
            fprintf(stderr, "%s:%d: coefficient %zu = %d outside [%ld, %ld)\n", file, line, i,
                    (int)p[i], (long)lo, (long)hi);
            abort();
        }
    }
}

static inline void mlkem_debug_check_bound32(const int32_t *p, size_t n, int64_t lo, int64_t hi,
                                             const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] < lo || p[i] >= hi) {
            fprintf(stderr, "%s:%d: accumulator %zu = %ld outside [%lld, %lld)\n", file, line, i,
                    (long)p[i], (long long)lo, (long long)hi);
            abort();
        }
    }
}

/* All n coefficients lie in [lo, hi). */
#define MLKEM_ASSERT_BOUND(p, n, lo, hi) \
    mlkem_debug_check_bound((p), (n), (lo), (hi), __FILE__, __LINE__)
/* All n coefficients lie in (-bound, bound). */
#define MLKEM_ASSERT_ABS_BOUND(p, n, bound) \
    mlkem_debug_check_bound((p), (n), -(int32_t)(bound) + 1, (bound), __FILE__, __LINE__)
#define MLKEM_ASSERT_ABS_BOUND32(p, n, bound) \
    mlkem_debug_check_bound32((p), (n), -(int64_t)(bound) + 1, (bound), __FILE__, __LINE__)
#else
#define MLKEM_ASSERT_BOUND(p, n, lo, hi) ((void)0)
#define MLKEM_ASSERT_ABS_BOUND(p, n, bound) ((void)0)
#define MLKEM_ASSERT_ABS_BOUND32(p, n, bound) ((void)0)
#endif

#endif
