/*
 * keccak.c — Keccak-f[1600] and the FIPS 202 sponge: SHA3-256/384/512 and
 * SHAKE128/256 with incremental absorb and squeeze.
 *
 * Our own code because OpenSSL 3.0 cannot squeeze SHAKE incrementally, which
 * ML-KEM and ML-DSA need for rejection sampling. The permutation keeps the 25
 * lanes in local variables and spells out each step of a round (FIPS 202
 * §3.2: theta, rho, pi, chi, iota), so the compiler can hold the state in
 * registers; the round body was written out mechanically from the step
 * definitions, one line per lane. Nothing here branches on data.
 *
 * Lanes are stored as host integers; inputs and outputs are converted from and
 * to little-endian bytes, so the code is portable to big-endian hosts too.
 */
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/keccak.h"

#define ROL64(v, n) (((v) << (n)) | ((v) >> (64 - (n))))

/* Round constants of iota (FIPS 202, Algorithm 5 rc(t) packed per round). */
static const uint64_t keccak_rc[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL,
    0x8000000080008000ULL, 0x000000000000808bULL, 0x0000000080000001ULL,
    0x8000000080008081ULL, 0x8000000000008009ULL, 0x000000000000008aULL,
    0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL,
    0x8000000000008003ULL, 0x8000000000008002ULL, 0x8000000000000080ULL,
    0x000000000000800aULL, 0x800000008000000aULL, 0x8000000080008081ULL,
    0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL,
};

/* Lanes kept complemented inside the permutation (see below): A[1,0],
 * A[2,0], A[3,1], A[2,2], A[2,3], A[0,4]. */
#define KECCAK_COMPLEMENT_LANES(a)                                           \
    do {                                                                     \
        (a##1) = ~(a##1);                                                    \
        (a##2) = ~(a##2);                                                    \
        (a##8) = ~(a##8);                                                    \
        (a##12) = ~(a##12);                                                  \
        (a##17) = ~(a##17);                                                  \
        (a##20) = ~(a##20);                                                  \
    } while (0)

/*
 * One round, FIPS 202 §3.2: theta (column parities c, their mix d), rho and
 * pi (rotate each lane and move it: b[y + 5((2x + 3y) mod 5)] =
 * ROT(A[x, y] ^ d[x], r[x, y])), then chi and (after the macro) iota.
 *
 * Lane complementing (Bertoni, Daemen, Peeters, Van Assche, "Keccak
 * implementation overview" §2.2): with six lanes stored complemented, the
 * complement flags run through theta, rho and pi unchanged in pattern, and
 * each chi output b0 ^ (~b1 & b2) can be computed from the stored values with
 * AND or OR and almost no NOT: 5 NOT per round instead of 25 (shared ones,
 * such as ~b13, are computed once). For every lane the chi expression below
 * was chosen, from the stored complement flags of its three inputs and of
 * its output, as the AND/OR form with fewest NOTs that agrees with chi on
 * all eight input combinations. The iota constant is XORed into lane 0,
 * which is not complemented.
 */
#define KECCAK_ROUND(rc)                                                     \
    do {                                                                     \
        c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;                                      \
        c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;                                      \
        c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;                                      \
        c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;                                      \
        c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;                                      \
        d0 = c4 ^ ROL64(c1, 1);                                              \
        d1 = c0 ^ ROL64(c2, 1);                                              \
        d2 = c1 ^ ROL64(c3, 1);                                              \
        d3 = c2 ^ ROL64(c4, 1);                                              \
        d4 = c3 ^ ROL64(c0, 1);                                              \
        b0 = a0 ^ d0;                                                        \
        b1 = ROL64(a6 ^ d1, 44);                                             \
        b2 = ROL64(a12 ^ d2, 43);                                            \
        b3 = ROL64(a18 ^ d3, 21);                                            \
        b4 = ROL64(a24 ^ d4, 14);                                            \
        b5 = ROL64(a3 ^ d3, 28);                                             \
        b6 = ROL64(a9 ^ d4, 20);                                             \
        b7 = ROL64(a10 ^ d0, 3);                                             \
        b8 = ROL64(a16 ^ d1, 45);                                            \
        b9 = ROL64(a22 ^ d2, 61);                                            \
        b10 = ROL64(a1 ^ d1, 1);                                             \
        b11 = ROL64(a7 ^ d2, 6);                                             \
        b12 = ROL64(a13 ^ d3, 25);                                           \
        b13 = ROL64(a19 ^ d4, 8);                                            \
        b14 = ROL64(a20 ^ d0, 18);                                           \
        b15 = ROL64(a4 ^ d4, 27);                                            \
        b16 = ROL64(a5 ^ d0, 36);                                            \
        b17 = ROL64(a11 ^ d1, 10);                                           \
        b18 = ROL64(a17 ^ d2, 15);                                           \
        b19 = ROL64(a23 ^ d3, 56);                                           \
        b20 = ROL64(a2 ^ d2, 62);                                            \
        b21 = ROL64(a8 ^ d3, 55);                                            \
        b22 = ROL64(a14 ^ d4, 39);                                           \
        b23 = ROL64(a15 ^ d0, 41);                                           \
        b24 = ROL64(a21 ^ d1, 2);                                            \
        a0 = b0 ^ (b1 | b2);                                                 \
        a1 = b1 ^ (~b2 | b3);                                                \
        a2 = b2 ^ (b3 & b4);                                                 \
        a3 = b3 ^ (b4 | b0);                                                 \
        a4 = b4 ^ (b0 & b1);                                                 \
        a5 = b5 ^ (b6 | b7);                                                 \
        a6 = b6 ^ (b7 & b8);                                                 \
        a7 = b7 ^ (b8 | ~b9);                                                \
        a8 = b8 ^ (b9 | b5);                                                 \
        a9 = b9 ^ (b5 & b6);                                                 \
        a10 = b10 ^ (b11 | b12);                                             \
        a11 = b11 ^ (b12 & b13);                                             \
        a12 = b12 ^ (~b13 & b14);                                            \
        a13 = ~b13 ^ (b14 | b10);                                            \
        a14 = b14 ^ (b10 & b11);                                             \
        a15 = b15 ^ (b16 & b17);                                             \
        a16 = b16 ^ (b17 | b18);                                             \
        a17 = b17 ^ (~b18 | b19);                                            \
        a18 = ~b18 ^ (b19 & b15);                                            \
        a19 = b19 ^ (b15 | b16);                                             \
        a20 = b20 ^ (~b21 & b22);                                            \
        a21 = ~b21 ^ (b22 | b23);                                            \
        a22 = b22 ^ (b23 & b24);                                             \
        a23 = b23 ^ (b24 | b20);                                             \
        a24 = b24 ^ (b20 & b21);                                             \
        a0 ^= (rc);                                                          \
    } while (0)

/* FIPS 202 Algorithm 7, Keccak-p[1600, 24]. Lane a(x+5y) is A[x, y]. The 25
 * lanes live in locals so the compiler can keep them in registers; two rounds
 * per loop iteration give it room to schedule across the round boundary. */
void qtpm_keccak_f1600(uint64_t s[25])
{
    uint64_t a0 = s[0];
    uint64_t a1 = s[1];
    uint64_t a2 = s[2];
    uint64_t a3 = s[3];
    uint64_t a4 = s[4];
    uint64_t a5 = s[5];
    uint64_t a6 = s[6];
    uint64_t a7 = s[7];
    uint64_t a8 = s[8];
    uint64_t a9 = s[9];
    uint64_t a10 = s[10];
    uint64_t a11 = s[11];
    uint64_t a12 = s[12];
    uint64_t a13 = s[13];
    uint64_t a14 = s[14];
    uint64_t a15 = s[15];
    uint64_t a16 = s[16];
    uint64_t a17 = s[17];
    uint64_t a18 = s[18];
    uint64_t a19 = s[19];
    uint64_t a20 = s[20];
    uint64_t a21 = s[21];
    uint64_t a22 = s[22];
    uint64_t a23 = s[23];
    uint64_t a24 = s[24];
    uint64_t c0, c1, c2, c3, c4, d0, d1, d2, d3, d4;
    uint64_t b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, b12;
    uint64_t b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24;

    KECCAK_COMPLEMENT_LANES(a);
    for (int round = 0; round < 24; round += 2) {
        KECCAK_ROUND(keccak_rc[round]);
        KECCAK_ROUND(keccak_rc[round + 1]);
    }
    KECCAK_COMPLEMENT_LANES(a);

    s[0] = a0;
    s[1] = a1;
    s[2] = a2;
    s[3] = a3;
    s[4] = a4;
    s[5] = a5;
    s[6] = a6;
    s[7] = a7;
    s[8] = a8;
    s[9] = a9;
    s[10] = a10;
    s[11] = a11;
    s[12] = a12;
    s[13] = a13;
    s[14] = a14;
    s[15] = a15;
    s[16] = a16;
    s[17] = a17;
    s[18] = a18;
    s[19] = a19;
    s[20] = a20;
    s[21] = a21;
    s[22] = a22;
    s[23] = a23;
    s[24] = a24;
}

static uint64_t load64_le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static void store64_le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* XORs len bytes into the state starting at byte offset off (off+len <= 200). */
static void state_xor_bytes(uint64_t s[25], unsigned off, const uint8_t *in, size_t len)
{
    while (len > 0 && (off & 7) != 0) {
        s[off >> 3] ^= (uint64_t)*in << (8 * (off & 7));
        off++, in++, len--;
    }
    while (len >= 8) {
        s[off >> 3] ^= load64_le(in);
        off += 8, in += 8, len -= 8;
    }
    while (len > 0) {
        s[off >> 3] ^= (uint64_t)*in << (8 * (off & 7));
        off++, in++, len--;
    }
}

static void state_extract_bytes(const uint64_t s[25], unsigned off, uint8_t *out, size_t len)
{
    while (len > 0 && (off & 7) != 0) {
        *out = (uint8_t)(s[off >> 3] >> (8 * (off & 7)));
        off++, out++, len--;
    }
    while (len >= 8) {
        store64_le(out, s[off >> 3]);
        off += 8, out += 8, len -= 8;
    }
    while (len > 0) {
        *out = (uint8_t)(s[off >> 3] >> (8 * (off & 7)));
        off++, out++, len--;
    }
}

static void keccak_init(qtpm_keccak_ctx *c, unsigned rate, uint8_t dsep)
{
    memset(c->s, 0, sizeof(c->s));
    c->pos = 0;
    c->rate = rate;
    c->dsep = dsep;
    c->squeezing = 0;
}

void qtpm_shake128_init(qtpm_keccak_ctx *c) { keccak_init(c, QTPM_SHAKE128_RATE, 0x1F); }
void qtpm_shake256_init(qtpm_keccak_ctx *c) { keccak_init(c, QTPM_SHAKE256_RATE, 0x1F); }

void qtpm_sha3_init(qtpm_keccak_ctx *c, unsigned bits)
{
    /* rate = 200 - 2 * digest bytes (FIPS 202 §6.1) */
    keccak_init(c, 200 - 2 * (bits / 8), 0x06);
}

void qtpm_keccak_absorb(qtpm_keccak_ctx *c, const uint8_t *in, size_t len)
{
    while (len > 0) {
        size_t take = c->rate - c->pos;
        if (take > len)
            take = len;
        state_xor_bytes(c->s, c->pos, in, take);
        c->pos += (unsigned)take;
        in += take;
        len -= take;
        if (c->pos == c->rate) {
            qtpm_keccak_f1600(c->s);
            c->pos = 0;
        }
    }
}

/* pad10*1 with the domain bits (FIPS 202 §5.1, §6.1, §6.2); positions the
 * squeeze pointer at the end of a block so the first squeeze permutes. */
static void keccak_finalize(qtpm_keccak_ctx *c)
{
    c->s[c->pos >> 3] ^= (uint64_t)c->dsep << (8 * (c->pos & 7));
    c->s[(c->rate - 1) >> 3] ^= (uint64_t)0x80 << (8 * ((c->rate - 1) & 7));
    c->pos = c->rate;
    c->squeezing = 1;
}

void qtpm_keccak_squeeze(qtpm_keccak_ctx *c, uint8_t *out, size_t len)
{
    if (!c->squeezing)
        keccak_finalize(c);
    while (len > 0) {
        if (c->pos == c->rate) {
            qtpm_keccak_f1600(c->s);
            c->pos = 0;
        }
        size_t take = c->rate - c->pos;
        if (take > len)
            take = len;
        state_extract_bytes(c->s, c->pos, out, take);
        c->pos += (unsigned)take;
        out += take;
        len -= take;
    }
}

void qtpm_keccak_squeezeblocks(qtpm_keccak_ctx *c, uint8_t *out, size_t nblocks)
{
    if (!c->squeezing)
        keccak_finalize(c);
    while (nblocks-- > 0) {
        qtpm_keccak_f1600(c->s);
        state_extract_bytes(c->s, 0, out, c->rate);
        out += c->rate;
    }
    c->pos = c->rate;
}

void qtpm_sha3_final(qtpm_keccak_ctx *c, uint8_t *out)
{
    qtpm_keccak_squeeze(c, out, (200 - c->rate) / 2);
    qtpm_memzero(c, sizeof(*c));
}

static void sha3_oneshot(unsigned bits, uint8_t *out, const uint8_t *in, size_t len)
{
    qtpm_keccak_ctx c;
    qtpm_sha3_init(&c, bits);
    qtpm_keccak_absorb(&c, in, len);
    qtpm_sha3_final(&c, out);
}

void qtpm_sha3_256(uint8_t out[32], const uint8_t *in, size_t len) { sha3_oneshot(256, out, in, len); }
void qtpm_sha3_384(uint8_t out[48], const uint8_t *in, size_t len) { sha3_oneshot(384, out, in, len); }
void qtpm_sha3_512(uint8_t out[64], const uint8_t *in, size_t len) { sha3_oneshot(512, out, in, len); }

void qtpm_shake128(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen)
{
    qtpm_keccak_ctx c;
    qtpm_shake128_init(&c);
    qtpm_keccak_absorb(&c, in, inlen);
    qtpm_keccak_squeeze(&c, out, outlen);
    qtpm_memzero(&c, sizeof(c));
}

void qtpm_shake256(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen)
{
    qtpm_keccak_ctx c;
    qtpm_shake256_init(&c);
    qtpm_keccak_absorb(&c, in, inlen);
    qtpm_keccak_squeeze(&c, out, outlen);
    qtpm_memzero(&c, sizeof(c));
}
