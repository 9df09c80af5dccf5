/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ct_daa.c — constant-time check of libqtpm-daa's arithmetic on secrets
 * (the "ctgrind" technique of ct_pqc.c): the secrets are marked undefined
 * for valgrind memcheck, which then reports any branch or memory address
 * computed from them. Covered: G1 and G2 scalar multiplication with a
 * secret scalar (the issuer's x, y and proof randomness; the host's
 * randomiser l), G1 multiplication of a secret point (the credential's
 * A, B, C, D are the host's secrets), Montgomery arithmetic mod n (the
 * issuer's responses s = r + c·x), and the pairing of a secret G1 point
 * (the host's credential check). Results are declared public before use,
 * as they are published.
 *
 * Not covered, knowingly: mod_from_bytes's range check branches on whether
 * a 32-byte string is below the modulus; ecdaa.c runs it on the issuer's
 * stored secret key, where it tells only that the key is well formed.
 */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "bn.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

int main(void)
{
    uint8_t k[32], k2[32], out[128];
    for (int i = 0; i < 32; i++) {
        k[i] = (uint8_t)(0x5A ^ (i * 29));
        k2[i] = (uint8_t)(0xC3 ^ (i * 53));
    }
    k[0] &= 0x7F;
    k2[0] &= 0x7F;
    SECRET(k, sizeof k);
    SECRET(k2, sizeof k2);

    /* [k]P1, then [k2]([k]P1) with the point secret too */
    g1 P1, A, B;
    g1_generator(&P1);
    g1_mul(&A, &P1, k);
    g1_mul(&B, &A, k2);
    PUBLIC(&B, sizeof B);
    if (g1_to_bytes(out, &B))
        return 1;

    /* [k]P2 */
    g2 P2, X;
    g2_generator(&P2);
    g2_mul(&X, &P2, k);
    PUBLIC(&X, sizeof X);
    if (g2_to_bytes(out, &X))
        return 1;

    /* s = r + c·x mod n */
    fe r, c, x, s;
    mod_from_bytes_reduce(&r, k2, &bn_fn);
    mod_from_bytes_reduce(&x, k, &bn_fn);
    uint8_t cb[32] = {[0] = 0x12, [31] = 0x34};
    mod_from_bytes_reduce(&c, cb, &bn_fn);
    mod_mul(&s, &c, &x, &bn_fn);
    mod_add(&s, &s, &r, &bn_fn);
    mod_to_bytes(out, &s, &bn_fn);
    PUBLIC(out, 32);

    /* e(A, P2) with A secret */
    fe12 e;
    bn_pairing(&e, &A, &P2);
    PUBLIC(&e, sizeof e);
    printf("ct_daa: %s\n", fp12_is_one(&e) ? "degenerate" : "ok");
    return 0;
}
