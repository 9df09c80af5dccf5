/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * field.c — arithmetic modulo BN_P256's p (the coordinate field Fp) and n
 * (the group order, for scalars): 4×64-bit limbs in Montgomery form,
 * multiplication by the CIOS method (Koç, Acar, Kaliski, "Analyzing and
 * comparing Montgomery multiplication algorithms", 1996). Both moduli lie
 * in (2^255, 2^256), so a sum or a Montgomery product is below 2m and one
 * conditional subtraction, done with masks, reduces it. Nothing here
 * branches on or indexes by a value: the exponentiations (inverse, square
 * root) run over public exponents.
 */
#include <string.h>

#include "bn.h"

typedef unsigned __int128 u128;

/* m, -m^-1 mod 2^64, 2^512 mod m and 2^256 mod m for p and n (computed with
 * arbitrary-precision integers; tests/daa/test_daa_pairing.c checks them). */
const bn_modulus bn_fp = {
    {0xd3292ddbaed33013ULL, 0x0cdc65fb12980a82ULL, 0x46e5f25eee71a49fULL, 0xfffffffffffcf0cdULL},
    0xad6c964e0537e5e5ULL,
    {0xfac8c6101092b98fULL, 0xdb90d49cd7f91154ULL, 0x4f325fc732bf3141ULL, 0x4de578ea0e56a005ULL},
    {0x2cd6d224512ccfedULL, 0xf3239a04ed67f57dULL, 0xb91a0da1118e5b60ULL, 0x0000000000030f32ULL},
};
const bn_modulus bn_fn = {
    {0xf62d536cd10b500dULL, 0x0cdc65fb1299921aULL, 0x46e5f25eee71a49eULL, 0xfffffffffffcf0cdULL},
    0x09826627c9c6813bULL,
    {0xaf948aa38f4c4808ULL, 0xbd789efd26123232ULL, 0x117fd17ceb526be7ULL, 0x2bfc4998fb8f407aULL},
    {0x09d2ac932ef4aff3ULL, 0xf3239a04ed666de5ULL, 0xb91a0da1118e5b61ULL, 0x0000000000030f32ULL},
};

/* r = t - m when t (with carry bit hi) ≥ m, else t; constant time. */
static void reduce_once(uint64_t r[4], const uint64_t t[4], uint64_t hi, const uint64_t m[4])
{
    uint64_t d[4], borrow = 0;
    for (int j = 0; j < 4; j++) {
        u128 x = (u128)t[j] - m[j] - borrow;
        d[j] = (uint64_t)x;
        borrow = (uint64_t)(x >> 64) & 1;
    }
    /* keep t when the subtraction borrowed past the carry bit */
    uint64_t keep = 0 - (uint64_t)(borrow > hi); /* borrow, hi ∈ {0,1} */
    for (int j = 0; j < 4; j++)
        r[j] = (t[j] & keep) | (d[j] & ~keep);
}

/* Montgomery product a·b·2^-256 mod m for a, b < m. */
void mod_mul(fe *r, const fe *a, const fe *b, const bn_modulus *m)
{
    uint64_t t[6] = {0};
    for (int i = 0; i < 4; i++) {
        u128 c = 0;
        for (int j = 0; j < 4; j++) {
            c = (u128)a->v[j] * b->v[i] + t[j] + (uint64_t)(c >> 64);
            t[j] = (uint64_t)c;
        }
        c = (u128)t[4] + (uint64_t)(c >> 64);
        t[4] = (uint64_t)c;
        t[5] = (uint64_t)(c >> 64);
        uint64_t q = t[0] * m->inv;
        c = (u128)q * m->m[0] + t[0];
        for (int j = 1; j < 4; j++) {
            c = (u128)q * m->m[j] + t[j] + (uint64_t)(c >> 64);
            t[j - 1] = (uint64_t)c;
        }
        c = (u128)t[4] + (uint64_t)(c >> 64);
        t[3] = (uint64_t)c;
        t[4] = t[5] + (uint64_t)(c >> 64);
    }
    reduce_once(r->v, t, t[4], m->m);
}

void mod_add(fe *r, const fe *a, const fe *b, const bn_modulus *m)
{
    uint64_t t[4], carry = 0;
    for (int j = 0; j < 4; j++) {
        u128 x = (u128)a->v[j] + b->v[j] + carry;
        t[j] = (uint64_t)x;
        carry = (uint64_t)(x >> 64);
    }
    reduce_once(r->v, t, carry, m->m);
}

void mod_sub(fe *r, const fe *a, const fe *b, const bn_modulus *m)
{
    uint64_t t[4], borrow = 0, carry = 0;
    for (int j = 0; j < 4; j++) {
        u128 x = (u128)a->v[j] - b->v[j] - borrow;
        t[j] = (uint64_t)x;
        borrow = (uint64_t)(x >> 64) & 1;
    }
    uint64_t mask = 0 - borrow; /* add m back when a < b */
    for (int j = 0; j < 4; j++) {
        u128 x = (u128)t[j] + (m->m[j] & mask) + carry;
        r->v[j] = (uint64_t)x;
        carry = (uint64_t)(x >> 64);
    }
}

static void load_be(uint64_t v[4], const uint8_t in[32])
{
    for (int j = 0; j < 4; j++) {
        uint64_t w = 0;
        for (int k = 0; k < 8; k++)
            w = (w << 8) | in[(3 - j) * 8 + k];
        v[j] = w;
    }
}

static void to_mont(fe *r, const fe *a, const bn_modulus *m)
{
    fe r2;
    memcpy(r2.v, m->r2, sizeof r2.v);
    mod_mul(r, a, &r2, m);
}

int mod_from_bytes(fe *r, const uint8_t in[32], const bn_modulus *m)
{
    fe a;
    load_be(a.v, in);
    /* a < m ⇔ a - m borrows (a public range check: decoding) */
    uint64_t borrow = 0;
    for (int j = 0; j < 4; j++) {
        u128 x = (u128)a.v[j] - m->m[j] - borrow;
        borrow = (uint64_t)(x >> 64) & 1;
    }
    if (!borrow)
        return -1;
    to_mont(r, &a, m);
    return 0;
}

void mod_from_bytes_reduce(fe *r, const uint8_t in[32], const bn_modulus *m)
{
    fe a;
    load_be(a.v, in);
    reduce_once(a.v, a.v, 0, m->m);
    to_mont(r, &a, m);
}

void mod_to_bytes(uint8_t out[32], const fe *a, const bn_modulus *m)
{
    fe one = {{1, 0, 0, 0}}, x;
    mod_mul(&x, a, &one, m);
    for (int j = 0; j < 4; j++)
        for (int k = 0; k < 8; k++)
            out[(3 - j) * 8 + k] = (uint8_t)(x.v[j] >> (56 - 8 * k));
}

void mod_set_one(fe *r, const bn_modulus *m)
{
    memcpy(r->v, m->one, sizeof r->v);
}

int fe_is_zero(const fe *a)
{
    uint64_t x = a->v[0] | a->v[1] | a->v[2] | a->v[3];
    return (int)(1 ^ ((x | (0 - x)) >> 63));
}

int fe_equal(const fe *a, const fe *b)
{
    uint64_t x = 0;
    for (int j = 0; j < 4; j++)
        x |= a->v[j] ^ b->v[j];
    return (int)(1 ^ ((x | (0 - x)) >> 63));
}

void fe_select(fe *r, const fe *a, const fe *b, unsigned c)
{
    uint64_t mask = 0 - (uint64_t)(c & 1);
    for (int j = 0; j < 4; j++)
        r->v[j] = (a->v[j] & ~mask) | (b->v[j] & mask);
}

void fp_neg(fe *r, const fe *a)
{
    fe z = {{0}};
    fp_sub(r, &z, a);
}

void fp_sqr(fe *r, const fe *a)
{
    fp_mul(r, a, a);
}

void fp_from_u64(fe *r, uint64_t v)
{
    fe a = {{v, 0, 0, 0}};
    to_mont(r, &a, &bn_fp);
}

/* r = a^e for a public exponent e (4 limbs), left to right. */
static void fp_pow(fe *r, const fe *a, const uint64_t e[4])
{
    fe acc;
    mod_set_one(&acc, &bn_fp);
    for (int j = 3; j >= 0; j--)
        for (int k = 63; k >= 0; k--) {
            fp_sqr(&acc, &acc);
            if ((e[j] >> k) & 1) /* public exponent bit */
                fp_mul(&acc, &acc, a);
        }
    *r = acc;
}

void fp_inv(fe *r, const fe *a)
{
    uint64_t e[4];
    memcpy(e, bn_fp.m, sizeof e);
    e[0] -= 2; /* p - 2: p's low limb is far above 2 */
    fp_pow(r, a, e);
}

int fp_sqrt(fe *r, const fe *a)
{
    /* (p+1)/4: p ≡ 3 mod 4, so a^((p+1)/4) squares to a when a is a square */
    uint64_t e[4];
    memcpy(e, bn_fp.m, sizeof e);
    e[0] += 1; /* no carry: the low limb is not all ones */
    for (int j = 0; j < 4; j++)
        e[j] = (e[j] >> 2) | (j < 3 ? e[j + 1] << 62 : 0);
    fe s, s2;
    fp_pow(&s, a, e);
    fp_sqr(&s2, &s);
    *r = s;
    return fe_equal(&s2, a) ? 0 : -1;
}
