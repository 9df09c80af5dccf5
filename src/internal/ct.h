/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ct.h — the few constant-time helpers every piece of secret-handling code uses
 * (src/internal: crypto, engine, TSS and agent include it as "ct.h").
 *
 * Secret data must never choose a branch or a memory address. These helpers
 * turn comparisons and selections into arithmetic; the value barrier keeps the
 * compiler from turning the arithmetic back into branches.
 */
#ifndef QTPM_CT_H
#define QTPM_CT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * Constant-time testing ("ctgrind"): tests/ct builds the crypto code with
 * QTPM_CT_TESTING and runs it under valgrind memcheck with every secret input
 * marked undefined; memcheck then reports any branch or address that depends
 * on a secret. Values that are public by construction (the matrix seed rho,
 * a signing attempt's accept/reject decision, the challenge of FIPS 204 whose
 * leak is harmless, finished outputs) are declassified where they become
 * public, and only there — each call site says why.
 */
#ifdef QTPM_CT_TESTING
#include <valgrind/memcheck.h>
#define QTPM_CT_SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define QTPM_CT_DECLASSIFY(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))
#else
#define QTPM_CT_SECRET(p, n) ((void)(p), (void)(n))
#define QTPM_CT_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

/* Hides v from the optimiser so masks built from it stay arithmetic. */
static inline uint32_t ct_barrier_u32(uint32_t v)
{
    __asm__("" : "+r"(v));
    return v;
}

static inline uint8_t ct_barrier_u8(uint8_t v)
{
    __asm__("" : "+r"(v));
    return v;
}

/* 0xFFFFFFFF if x != 0, else 0. */
static inline uint32_t ct_mask_nonzero_u32(uint32_t x)
{
    x = ct_barrier_u32(x);
    return (uint32_t)(-(int64_t)((x | (0u - x)) >> 31));
}

/* 0 when the n bytes at a and b are equal, 0xFF otherwise; time depends on n only. */
static inline uint8_t ct_memneq(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint32_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (uint32_t)(a[i] ^ b[i]);
    return (uint8_t)ct_mask_nonzero_u32(acc);
}

/* r[i] = (mask == 0xFF) ? x[i] : r[i] for n bytes; mask must be 0x00 or 0xFF. */
static inline void ct_cmov(uint8_t *r, const uint8_t *x, size_t n, uint8_t mask)
{
    mask = ct_barrier_u8(mask);
    for (size_t i = 0; i < n; i++)
        r[i] ^= (uint8_t)(mask & (r[i] ^ x[i]));
}

/* Selects a if mask is all ones, b if mask is zero (32-bit). */
static inline uint32_t ct_select_u32(uint32_t mask, uint32_t a, uint32_t b)
{
    return b ^ (ct_barrier_u32(mask) & (a ^ b));
}

/* 1 when the n bytes at a and b are equal, else 0; the time depends on n only.
 * Every comparison that involves a secret goes through it: MACs, tickets,
 * authValues, session HMACs, policy secrets (a timing difference would let a
 * caller who sees TPM_RC_TICKET or TPM_RC_AUTH_FAIL guess them byte by byte). */
static inline int ct_equal(const void *a, const void *b, size_t n)
{
    uint8_t neq = ct_memneq((const uint8_t *)a, (const uint8_t *)b, n);
    /* The verdict is public (it becomes the response code); the bytes
     * compared are not. Under ctgrind (tests/ct/ct_engine.c) this is where a
     * secret-keyed check is allowed to become a branch. */
    QTPM_CT_DECLASSIFY(&neq, sizeof neq);
    return neq == 0;
}

/* 1 when equal, else 0, for data that is public (Names, public keys, digests
 * of public data, magic numbers): may stop at the first difference. The
 * engine and TSS use no bare memcmp (tests/ct/no_memcmp.sh), so every
 * comparison says which kind it is. */
static inline int public_equal(const void *a, const void *b, size_t n)
{
    return memcmp(a, b, n) == 0;
}

#endif
