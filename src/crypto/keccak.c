/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keccak.c — Keccak-f[1600] and the FIPS 202 sponge: SHA3-256/384/512 and
 * SHAKE128/256 with incremental absorb and squeeze.
 *
 * Our own code because OpenSSL 3.0 cannot squeeze SHAKE incrementally, which
 * ML-KEM and ML-DSA need for rejection sampling. The permutation keeps the 25
 * lanes in local variables and spells out each step of a round (FIPS 202
 * §3.2: theta, rho, pi, chi, iota), row by row and with lane complementing
 * (see KECCAK_ROUND), since the permutation is most of ML-KEM's running
 * time; the round body was written out mechanically from the step
 * definitions, one line per lane. Nothing here branches on data.
 *
 * Lanes are stored as host integers; inputs and outputs are converted from and
 * to little-endian bytes, so the code is portable to big-endian hosts too
 * (on little-endian hosts whole lanes are copied with memcpy instead).
 *
 * Four-way permutation. ML-KEM and ML-DSA hash many independent inputs (the
 * k^2 matrix entries, the noise polynomials), and one scalar permutation is
 * limited by the integer units, not by its dependency chains. The same round
 * macro therefore also runs on vectors of four lanes (GNU C vector
 * extensions), one lane per instance, with the four states stored
 * lane-interleaved. The vector code is compiled three times: for the
 * baseline target (portable; SSE2 pairs on x86-64, NEON or scalar code
 * elsewhere) and, on x86, with AVX2 and with AVX-512VL (which has a rotate
 * instruction and a three-input logic instruction that does chi in one
 * step). qtpm_keccak_f1600_x4 picks the best one the CPU and OS support at
 * run time (cpuid through __builtin_cpu_supports). Measured on an AMD EPYC
 * (gcc 12), the four permutations cost about 2130 cycles portable, 1020 with
 * AVX2 and 570 with AVX-512VL, against 4 x 720 for the scalar code. With
 * AVX-512VL even a single state runs faster in one element of a vector
 * (about 570 cycles), so qtpm_keccak_f1600 dispatches the same way.
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
 * One round from state A to state E, FIPS 202 §3.2: theta (column parities
 * c, their mix d), then for each output row y the five lanes that rho and pi
 * bring into it, b[x] = ROT(A[x', y'] ^ d[x'], r[x', y']) with
 * (x, y) = (y', 2x' + 3y'), and chi on that row; iota on lane 0 at the end.
 * Working row by row keeps only five b temporaries alive, which lets the
 * compiler keep far more of the state in registers; the permutation
 * alternates A -> E and E -> A, so two rounds make one loop iteration.
 *
 * Lane complementing (Bertoni, Daemen, Peeters, Van Assche, "Keccak
 * implementation overview" §2.2): with six lanes stored complemented, the
 * complement flags run through theta, rho and pi in a fixed pattern, and
 * each chi output b0 ^ (~b1 & b2) can be computed from the stored values with
 * AND or OR and almost no NOT: 5 NOT per round instead of 25 (the compiler
 * shares ~b1 between neighbouring expressions). For every lane the chi
 * expression below was chosen, from the stored complement flags of its three
 * inputs and of its output, as the AND/OR form with fewest NOTs that agrees
 * with chi on all eight input combinations. The iota constant goes into lane
 * 0, which is not complemented.
 */
#define KECCAK_ROUND(A, E, rc)                                               \
    do {                                                                     \
        c0 = A##0 ^ A##5 ^ A##10 ^ A##15 ^ A##20;                            \
        c1 = A##1 ^ A##6 ^ A##11 ^ A##16 ^ A##21;                            \
        c2 = A##2 ^ A##7 ^ A##12 ^ A##17 ^ A##22;                            \
        c3 = A##3 ^ A##8 ^ A##13 ^ A##18 ^ A##23;                            \
        c4 = A##4 ^ A##9 ^ A##14 ^ A##19 ^ A##24;                            \
        d0 = c4 ^ ROL64(c1, 1);                                              \
        d1 = c0 ^ ROL64(c2, 1);                                              \
        d2 = c1 ^ ROL64(c3, 1);                                              \
        d3 = c2 ^ ROL64(c4, 1);                                              \
        d4 = c3 ^ ROL64(c0, 1);                                              \
        b0 = A##0 ^ d0;                                                      \
        b1 = ROL64(A##6 ^ d1, 44);                                           \
        b2 = ROL64(A##12 ^ d2, 43);                                          \
        b3 = ROL64(A##18 ^ d3, 21);                                          \
        b4 = ROL64(A##24 ^ d4, 14);                                          \
        E##0 = b0 ^ (b1 | b2);                                               \
        E##1 = b1 ^ (~b2 | b3);                                              \
        E##2 = b2 ^ (b3 & b4);                                               \
        E##3 = b3 ^ (b4 | b0);                                               \
        E##4 = b4 ^ (b0 & b1);                                               \
        b0 = ROL64(A##3 ^ d3, 28);                                           \
        b1 = ROL64(A##9 ^ d4, 20);                                           \
        b2 = ROL64(A##10 ^ d0, 3);                                           \
        b3 = ROL64(A##16 ^ d1, 45);                                          \
        b4 = ROL64(A##22 ^ d2, 61);                                          \
        E##5 = b0 ^ (b1 | b2);                                               \
        E##6 = b1 ^ (b2 & b3);                                               \
        E##7 = b2 ^ (b3 | ~b4);                                              \
        E##8 = b3 ^ (b4 | b0);                                               \
        E##9 = b4 ^ (b0 & b1);                                               \
        b0 = ROL64(A##1 ^ d1, 1);                                            \
        b1 = ROL64(A##7 ^ d2, 6);                                            \
        b2 = ROL64(A##13 ^ d3, 25);                                          \
        b3 = ROL64(A##19 ^ d4, 8);                                           \
        b4 = ROL64(A##20 ^ d0, 18);                                          \
        E##10 = b0 ^ (b1 | b2);                                              \
        E##11 = b1 ^ (b2 & b3);                                              \
        E##12 = b2 ^ (~b3 & b4);                                             \
        E##13 = ~b3 ^ (b4 | b0);                                             \
        E##14 = b4 ^ (b0 & b1);                                              \
        b0 = ROL64(A##4 ^ d4, 27);                                           \
        b1 = ROL64(A##5 ^ d0, 36);                                           \
        b2 = ROL64(A##11 ^ d1, 10);                                          \
        b3 = ROL64(A##17 ^ d2, 15);                                          \
        b4 = ROL64(A##23 ^ d3, 56);                                          \
        E##15 = b0 ^ (b1 & b2);                                              \
        E##16 = b1 ^ (b2 | b3);                                              \
        E##17 = b2 ^ (~b3 | b4);                                             \
        E##18 = ~b3 ^ (b4 & b0);                                             \
        E##19 = b4 ^ (b0 | b1);                                              \
        b0 = ROL64(A##2 ^ d2, 62);                                           \
        b1 = ROL64(A##8 ^ d3, 55);                                           \
        b2 = ROL64(A##14 ^ d4, 39);                                          \
        b3 = ROL64(A##15 ^ d0, 41);                                          \
        b4 = ROL64(A##21 ^ d1, 2);                                           \
        E##20 = b0 ^ (~b1 & b2);                                             \
        E##21 = ~b1 ^ (b2 | b3);                                             \
        E##22 = b2 ^ (b3 & b4);                                              \
        E##23 = b3 ^ (b4 | b0);                                              \
        E##24 = b4 ^ (b0 & b1);                                              \
        E##0 ^= (rc);                                                        \
    } while (0)

/* QTPM_PORTABLE_ONLY (cmake -DQTPM_PORTABLE=ON) keeps to the portable code,
 * so the plain-C figures can be measured on any machine. */
#if (defined(__x86_64__) || defined(__i386__)) && !defined(QTPM_PORTABLE_ONLY)
#define KECCAK_X86 1
#endif

/*
 * FIPS 202 Algorithm 7, Keccak-p[1600, 24], on 25 lanes of type T: lane
 * a(x+5y) is A[x, y], LOAD(a, s, i) fetches lane i into a##i and STORE puts
 * it back. The lanes live in locals so the compiler can keep them in
 * registers. T is uint64_t for the scalar code or a GNU C vector of lanes
 * (one per instance) for the vector code below: the operators of
 * KECCAK_ROUND act on each element, and a scalar operand such as the round
 * constant applies to all. A macro rather than a function so each instance
 * is compiled for its own instruction set.
 */
#define KECCAK_ALL_LANES(OP, a, s)                                               \
    do {                                                                         \
        OP(a, s, 0), OP(a, s, 1), OP(a, s, 2), OP(a, s, 3), OP(a, s, 4);         \
        OP(a, s, 5), OP(a, s, 6), OP(a, s, 7), OP(a, s, 8), OP(a, s, 9);         \
        OP(a, s, 10), OP(a, s, 11), OP(a, s, 12), OP(a, s, 13), OP(a, s, 14);    \
        OP(a, s, 15), OP(a, s, 16), OP(a, s, 17), OP(a, s, 18), OP(a, s, 19);    \
        OP(a, s, 20), OP(a, s, 21), OP(a, s, 22), OP(a, s, 23), OP(a, s, 24);    \
    } while (0)

#define KECCAK_F1600_BODY(T, LOAD, STORE, s)                                     \
    do {                                                                         \
        T a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12;                 \
        T a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24;            \
        T e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12;                 \
        T e13, e14, e15, e16, e17, e18, e19, e20, e21, e22, e23, e24;            \
        T c0, c1, c2, c3, c4, d0, d1, d2, d3, d4, b0, b1, b2, b3, b4;            \
        KECCAK_ALL_LANES(LOAD, a, s);                                            \
        KECCAK_COMPLEMENT_LANES(a);                                              \
        for (int round = 0; round < 24; round += 2) {                            \
            KECCAK_ROUND(a, e, keccak_rc[round]);                                \
            KECCAK_ROUND(e, a, keccak_rc[round + 1]);                            \
        }                                                                        \
        KECCAK_COMPLEMENT_LANES(a);                                              \
        KECCAK_ALL_LANES(STORE, a, s);                                           \
    } while (0)

/* One state, 64-bit integer lanes. */
#define KECCAK_U64_LOAD(a, s, i) ((a##i) = (s)[i])
#define KECCAK_U64_STORE(a, s, i) ((s)[i] = (a##i))

static void keccak_f1600_scalar(uint64_t s[25])
{
    KECCAK_F1600_BODY(uint64_t, KECCAK_U64_LOAD, KECCAK_U64_STORE, s);
}

#ifdef KECCAK_X86
/* One state in element 0 of 128-bit vectors (element 1 idles). With
 * AVX-512VL the rotations are single instructions and chi is one
 * three-input logic instruction per lane, which beats the integer units:
 * about 570 cycles instead of 720 on the machine of the figures above. */
typedef uint64_t keccak_v2 __attribute__((vector_size(16)));
#define KECCAK_V2_LOAD(a, s, i) ((a##i) = (keccak_v2){(s)[i], 0})
#define KECCAK_V2_STORE(a, s, i) ((s)[i] = (a##i)[0])

__attribute__((target("avx512f,avx512vl"))) static void keccak_f1600_avx512(uint64_t s[25])
{
    KECCAK_F1600_BODY(keccak_v2, KECCAK_V2_LOAD, KECCAK_V2_STORE, s);
}

static int keccak_have_avx512vl(void)
{
    /* __builtin_cpu_supports reads flags libgcc filled in at start-up from
     * cpuid and xgetbv (so an OS that does not save the AVX-512 registers
     * counts as no AVX-512): a load and a test per call. */
    return __builtin_cpu_supports("avx512f") != 0 && __builtin_cpu_supports("avx512vl") != 0;
}

static int keccak_have_avx2(void)
{
    return __builtin_cpu_supports("avx2") != 0;
}
#endif

void qtpm_keccak_f1600(uint64_t s[25])
{
#ifdef KECCAK_X86
    if (keccak_have_avx512vl()) {
        keccak_f1600_avx512(s);
        return;
    }
#endif
    keccak_f1600_scalar(s);
}

/* ------------------------------------------------------------------------ */
/* Four states at once                                                        */
/* ------------------------------------------------------------------------ */

/* Four 64-bit lanes, one per instance, lane-interleaved in memory. */
typedef uint64_t keccak_v4 __attribute__((vector_size(32)));
#define KECCAK_V4_LOAD(a, s, i) memcpy(&(a##i), (s) + 4 * (i), sizeof(keccak_v4))
#define KECCAK_V4_STORE(a, s, i) memcpy((s) + 4 * (i), &(a##i), sizeof(keccak_v4))
#define KECCAK_F1600_X4_BODY(s) KECCAK_F1600_BODY(keccak_v4, KECCAK_V4_LOAD, KECCAK_V4_STORE, s)

static void keccak_f1600_x4_portable(uint64_t s[4 * 25])
{
    KECCAK_F1600_X4_BODY(s);
}

#ifdef KECCAK_X86
__attribute__((target("avx2"))) static void keccak_f1600_x4_avx2(uint64_t s[4 * 25])
{
    KECCAK_F1600_X4_BODY(s);
}

__attribute__((target("avx512f,avx512vl"))) static void
keccak_f1600_x4_avx512(uint64_t s[4 * 25])
{
    KECCAK_F1600_X4_BODY(s);
}
#endif

int qtpm_keccak_impl_available(qtpm_keccak_impl impl)
{
    switch (impl) {
    case QTPM_KECCAK_PORTABLE:
        return 1;
#ifdef KECCAK_X86
    case QTPM_KECCAK_AVX2:
        return keccak_have_avx2();
    case QTPM_KECCAK_AVX512:
        return keccak_have_avx512vl();
#endif
    default:
        return 0;
    }
}

qtpm_keccak_impl qtpm_keccak_best_impl(void)
{
    if (qtpm_keccak_impl_available(QTPM_KECCAK_AVX512))
        return QTPM_KECCAK_AVX512;
    if (qtpm_keccak_impl_available(QTPM_KECCAK_AVX2))
        return QTPM_KECCAK_AVX2;
    return QTPM_KECCAK_PORTABLE;
}

int qtpm_keccak_f1600_using(qtpm_keccak_impl impl, uint64_t s[25])
{
    if (!qtpm_keccak_impl_available(impl))
        return QTPM_E_PARAM;
#ifdef KECCAK_X86
    if (impl == QTPM_KECCAK_AVX512) {
        keccak_f1600_avx512(s);
        return QTPM_OK;
    }
#endif
    keccak_f1600_scalar(s);
    return QTPM_OK;
}

int qtpm_keccak_f1600_x4_using(qtpm_keccak_impl impl, uint64_t s[4 * 25])
{
    if (!qtpm_keccak_impl_available(impl))
        return QTPM_E_PARAM;
    switch (impl) {
#ifdef KECCAK_X86
    case QTPM_KECCAK_AVX512:
        keccak_f1600_x4_avx512(s);
        break;
    case QTPM_KECCAK_AVX2:
        keccak_f1600_x4_avx2(s);
        break;
#endif
    default:
        keccak_f1600_x4_portable(s);
        break;
    }
    return QTPM_OK;
}

void qtpm_keccak_f1600_x4(uint64_t s[4 * 25])
{
#ifdef KECCAK_X86
    if (keccak_have_avx512vl()) {
        keccak_f1600_x4_avx512(s);
        return;
    }
    if (keccak_have_avx2()) {
        keccak_f1600_x4_avx2(s);
        return;
    }
#endif
    keccak_f1600_x4_portable(s);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define KECCAK_LITTLE_ENDIAN 1
#endif

/* Lanes to and from little-endian bytes: a plain copy where the host is
 * little-endian, byte by byte otherwise. */
static uint64_t load64_le(const uint8_t *p)
{
    uint64_t v = 0;
#ifdef KECCAK_LITTLE_ENDIAN
    memcpy(&v, p, sizeof(v));
#else
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
#endif
    return v;
}

static void store64_le(uint8_t *p, uint64_t v)
{
#ifdef KECCAK_LITTLE_ENDIAN
    memcpy(p, &v, sizeof(v));
#else
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
#endif
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
#ifdef KECCAK_LITTLE_ENDIAN
        memcpy(out, c->s, c->rate); /* the rate is whole lanes */
#else
        state_extract_bytes(c->s, 0, out, c->rate);
#endif
        out += c->rate;
    }
    c->pos = c->rate;
}

/* The four-instance sponge: absorb one message per instance (all of one
 * length), pad each (FIPS 202 §5.1 and §6.2, domain bits 1111 of SHAKE),
 * then squeeze whole blocks. Instance j's lanes are s[4 i + j]. */
static void keccak_x4_absorb_once(qtpm_keccak_x4_ctx *c, unsigned rate,
                                  const uint8_t *const in[4], size_t len)
{
    size_t off = 0;
    memset(c->s, 0, sizeof(c->s));
    c->rate = rate;
    for (; len - off >= rate; off += rate) {
        for (unsigned j = 0; j < 4; j++)
            for (unsigned i = 0; i < rate / 8; i++)
                c->s[4 * i + j] ^= load64_le(in[j] + off + 8 * i);
        qtpm_keccak_f1600_x4(c->s);
    }
    for (unsigned j = 0; j < 4; j++) {
        const uint8_t *p = in[j] + off;
        size_t rest = len - off, i = 0;
        for (; i + 8 <= rest; i += 8)
            c->s[4 * (i / 8) + j] ^= load64_le(p + i);
        for (; i < rest; i++)
            c->s[4 * (i / 8) + j] ^= (uint64_t)p[i] << (8 * (i % 8));
        c->s[4 * (rest / 8) + j] ^= (uint64_t)0x1F << (8 * (rest % 8));
        c->s[4 * ((rate - 1) / 8) + j] ^= (uint64_t)0x80 << (8 * ((rate - 1) % 8));
    }
}

void qtpm_shake128_x4_absorb_once(qtpm_keccak_x4_ctx *c, const uint8_t *const in[4],
                                  size_t len)
{
    keccak_x4_absorb_once(c, QTPM_SHAKE128_RATE, in, len);
}

void qtpm_shake256_x4_absorb_once(qtpm_keccak_x4_ctx *c, const uint8_t *const in[4],
                                  size_t len)
{
    keccak_x4_absorb_once(c, QTPM_SHAKE256_RATE, in, len);
}

void qtpm_keccak_x4_squeezeblocks(qtpm_keccak_x4_ctx *c, uint8_t *const out[4], size_t nblocks)
{
    for (size_t b = 0; b < nblocks; b++) {
        qtpm_keccak_f1600_x4(c->s);
        for (unsigned j = 0; j < 4; j++) {
            if (!out[j])
                continue;
            uint8_t *p = out[j] + b * c->rate;
            for (unsigned i = 0; i < c->rate / 8; i++)
                store64_le(p + 8 * i, c->s[4 * i + j]);
        }
    }
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
