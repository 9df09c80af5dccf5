/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ct_ldaa.c — constant-time check of the lattice DAA's arithmetic on
 * secrets (the "ctgrind" technique of tests/ct/ct_daa.c): inputs are marked
 * undefined for valgrind memcheck, which reports any branch or memory
 * address computed from them. Covered: the NTT and its inverse, pointwise
 * products and sums, Montgomery scaling, short <-> mod q conversion (with
 * centring), the bound check (its 0/1 result is declared public, as every
 * rejection decision is: docs/DAA.md), Power2Round (the pseudonym and its
 * error), bit packing and unpacking of secret blocks, and the mask
 * sampler's arithmetic on secret XOF output.
 *
 * Not covered here: SampleInBall (ML-DSA's; it branches on the challenge
 * bytes, which are public once a try is accepted, as in ML-DSA), the
 * trapdoor's ternary expansion (it discards seed bytes equal to 255: their
 * positions, independent of the kept values, are revealed), and the
 * rejection decisions themselves (public by design). A one-off whole-flow
 * run (s, the credential and R marked secret through Join and Sign) flagged
 * exactly these and the credential decoder's validity check.
 */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "ldaa_internal.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static ldaa_poly a, b, r;
static ldaa_spoly s, t;
static uint8_t buf[LDAA_N * 8];

int main(void)
{
    uint8_t seed[32] = {1, 2, 3};
    ldaa_expand_uniform(&b, seed, 'A', 0, 0); /* public matrix entry */
    ldaa_tomont(&b);
    for (unsigned i = 0; i < LDAA_N; i++)
        s.c[i] = (int64_t)(i * 7919 % 511) - 256;
    SECRET(&s, sizeof s);

    /* s -> mod q -> NTT -> product with a public entry -> inverse */
    ldaa_from_short(&a, &s);
    ldaa_ntt(&a);
    ldaa_pointwise(&r, &b, &a);
    ldaa_pointwise_acc(&r, &b, &a);
    ldaa_add(&r, &r, &a);
    ldaa_sub(&r, &r, &a);
    ldaa_tomont(&a);
    ldaa_invntt(&r);
    ldaa_to_short(&t, &r);
    /* the bound check: every coefficient, one public bit out */
    int bad = ldaa_spoly_exceeds(&t, 1ll << 40);
    PUBLIC(&bad, sizeof bad);
    /* Power2Round of secret values (nym is published, e stays secret) */
    int64_t hi, lo;
    for (unsigned i = 0; i < LDAA_N; i++)
        ldaa_power2round(&hi, &lo, r.c[i]);
    /* packing and unpacking a secret block */
    ldaa_pack(buf, s.c, LDAA_N, 9, LDAA_ETA_S);
    int over = ldaa_unpack(t.c, buf, LDAA_N, 9, LDAA_ETA_S, 511);
    PUBLIC(&over, sizeof over);
    /* masks from a secret-keyed XOF */
    uint8_t key[64] = {9};
    SECRET(key, sizeof key);
    qtpm_keccak_ctx x;
    qtpm_shake256_init(&x);
    qtpm_keccak_absorb(&x, key, sizeof key);
    ldaa_sample_mask(&t, &x, LDAA_G1);
    ldaa_from_short(&a, &t);
    ldaa_ntt(&a);
    printf("ct_ldaa: done (%d %d)\n", bad, over);
    return 0;
}
