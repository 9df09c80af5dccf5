/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prime.c — deterministic RSA primes for primary keys (Part 1 §27.3: a
 * primary key is a function of the hierarchy seed and the template).
 *
 * object.c derives every secret of a primary from KDFa over the hierarchy
 * seed; for RSA this file turns that stream into a prime. The search is the
 * usual incremental one, made cheap in three ways:
 *
 *  1. one KDFa call gives a starting point s (top two bits set so that p·q
 *     has the full modulus length, odd); the candidates are s, s+2, s+4, ...
 *     inside a window of PRIME_WINDOW odd numbers;
 *  2. a sieve removes from the window every multiple of the odd primes below
 *     2^16 (about 90% of the odd candidates), using one residue of s per
 *     pair of small primes instead of one big division per candidate;
 *  3. the survivors get the Miller-Rabin test of FIPS 186-5 Appendix B.3.1
 *     with the fewest rounds Table B.1 allows for random candidates: 5 for
 *     1024-bit primes (RSA-2048), 4 for 1536/2048-bit primes, and 7 (FIPS
 *     186-4 Table C.2) for 512-bit ones. The bases are drawn from the same
 *     KDFa stream (later counter values), so the whole search, and with it
 *     the key, depends only on the seed, the label and the context.
 *
 * Compared with one fresh KDFa block and OpenSSL's BN_check_prime (trial
 * division by a few hundred primes, then 64 rounds) per candidate, this does
 * about a third of the modular exponentiations. The starting point keeps the
 * key a function of (seed, template) only, across restarts as well.
 *
 * The candidate is secret once it is the prime: it carries
 * BN_FLG_CONSTTIME, so the exponentiations take OpenSSL's constant-time
 * path. The number of squarings in a round depends on the 2-adic valuation
 * of p-1 (a few bits of p-1's low end; the ones every RSA implementation's
 * Miller-Rabin reveals).
 */
#include <stdlib.h>

#include "cmd.h"
#include "crypt.h"
#include "ct.h"
#include "prime.h"

/* Odd candidates examined per window: the average gap between 1024-bit
 * primes is about 710, so a window of 8192 numbers misses a prime with
 * probability near e^-11.5. */
#define PRIME_WINDOW 4096
#define PRIME_MAX_WINDOWS 64
#define SMALL_PRIME_BOUND 65536u

struct prime_table {
    size_t count;
    uint16_t p[6542]; /* odd primes below 2^16 (6541 of them) */
};

prime_table *prime_table_new(void)
{
    prime_table *t = calloc(1, sizeof(*t));
    uint8_t *composite = calloc(SMALL_PRIME_BOUND, 1);
    if (t == NULL || composite == NULL) {
        free(t);
        free(composite);
        return NULL;
    }
    /* sieve of Eratosthenes over [3, 2^16) */
    for (uint32_t i = 3; i * i < SMALL_PRIME_BOUND; i += 2)
        if (!composite[i])
            for (uint32_t j = i * i; j < SMALL_PRIME_BOUND; j += 2 * i)
                composite[j] = 1;
    for (uint32_t i = 3; i < SMALL_PRIME_BOUND && t->count < sizeof(t->p) / sizeof(t->p[0]); i += 2)
        if (!composite[i])
            t->p[t->count++] = (uint16_t)i;
    free(composite);
    return t;
}

void prime_table_free(prime_table *t) { free(t); }

/* Miller-Rabin rounds for a random candidate of bits bits (FIPS 186-5
 * Table B.1; FIPS 186-4 Table C.2 for 512-bit primes, which 186-5 no longer
 * lists because it drops RSA-1024). */
static int mr_rounds(unsigned bits)
{
    if (bits <= 512)
        return 7;
    if (bits <= 1024)
        return 5;
    return 4;
}

/* The KDFa stream of one search: block i is KDFa(alg, seed, label, ctx,
 * u32(i), nbits). Block 1 is the starting point; the bases follow. */
typedef struct {
    TPM_ALG_ID alg;
    const uint8_t *seed;
    size_t seed_len;
    const char *label;
    const uint8_t *ctx;
    size_t ctx_len;
    uint32_t counter;
} kdf_stream;

static int stream_next(kdf_stream *s, uint8_t *out, unsigned nbits)
{
    uint8_t ctr[4];
    wr_put_u32(ctr, s->counter++);
    return crypt_kdfa(s->alg, s->seed, s->seed_len, s->label, s->ctx, s->ctx_len, ctr, 4, nbits,
                      out);
}

/*
 * FIPS 186-5 B.3.1 Miller-Rabin for w (odd, > 3), k rounds with bases
 * b = 2 + (c mod (w-3)) from KDF blocks c 64 bits longer than w, so the
 * reduction's bias is below 2^-64. Returns 1 probably prime, 0 composite,
 * -1 on an error. mont is w's Montgomery context.
 */
static int miller_rabin(const BIGNUM *w, int k, kdf_stream *s, BN_MONT_CTX *mont, BN_CTX *bc)
{
    int bits = BN_num_bits(w);
    size_t cbytes = (size_t)bits / 8 + 8 + 1;
    uint8_t cbuf[2048 / 8 + 16];
    int result = -1;
    if (cbytes > sizeof(cbuf))
        return -1;
    BN_CTX_start(bc);
    BIGNUM *w1 = BN_CTX_get(bc), *w3 = BN_CTX_get(bc), *m = BN_CTX_get(bc);
    BIGNUM *b = BN_CTX_get(bc), *z = BN_CTX_get(bc);
    if (z == NULL)
        goto out;
    BN_set_flags(m, BN_FLG_CONSTTIME);
    if (!BN_sub(w1, w, BN_value_one()) || !BN_copy(w3, w1) || !BN_sub_word(w3, 2))
        goto out;
    /* w - 1 = 2^a · m with m odd */
    int a = 0;
    while (!BN_is_bit_set(w1, a))
        a++;
    if (!BN_rshift(m, w1, a))
        goto out;
    result = 1;
    for (int round = 0; round < k && result == 1; round++) {
        result = -1;
        if (stream_next(s, cbuf, (unsigned)cbytes * 8) || BN_bin2bn(cbuf, (int)cbytes, b) == NULL ||
            !BN_mod(b, b, w3, bc) || !BN_add_word(b, 2) ||
            !BN_mod_exp_mont_consttime(z, b, m, w, bc, mont))
            goto out;
        if (BN_is_one(z) || BN_cmp(z, w1) == 0) {
            result = 1;
            continue;
        }
        result = 0;
        for (int j = 1; j < a; j++) {
            if (!BN_mod_sqr(z, z, w, bc)) {
                result = -1;
                goto out;
            }
            if (BN_cmp(z, w1) == 0) {
                result = 1;
                break;
            }
            if (BN_is_one(z))
                break; /* a non-trivial square root of 1: composite */
        }
    }
out:
    qtpm_memzero(cbuf, sizeof(cbuf));
    BN_CTX_end(bc);
    return result;
}

static BN_ULONG small_gcd(BN_ULONG a, BN_ULONG b)
{
    while (b != 0) {
        BN_ULONG t = a % b;
        a = b;
        b = t;
    }
    return a;
}

/* Marks in sieve[0..PRIME_WINDOW) every j with start + 2j divisible by one
 * of the small primes. */
static int sieve_window(const prime_table *t, const BIGNUM *start, uint8_t *sieve)
{
    memset(sieve, 0, PRIME_WINDOW);
    for (size_t i = 0; i < t->count; i += 2) {
        uint32_t q1 = t->p[i], q2 = i + 1 < t->count ? t->p[i + 1] : 1;
        BN_ULONG r = BN_mod_word(start, (BN_ULONG)q1 * q2);
        if (r == (BN_ULONG)-1)
            return -1;
        uint32_t qs[2] = {q1, q2};
        for (int k = 0; k < 2; k++) {
            uint32_t q = qs[k];
            if (q == 1)
                continue;
            /* start + 2j ≡ 0 (mod q)  ⇔  j ≡ (q - r)·2⁻¹ (mod q), 2⁻¹ = (q+1)/2 */
            uint64_t rq = (uint64_t)(r % q);
            uint64_t j = ((q - rq) % q) * ((q + 1) / 2) % q;
            for (; j < PRIME_WINDOW; j += q)
                sieve[j] = 1;
        }
    }
    return 0;
}

int prime_derive_rsa(const prime_table *t, TPM_ALG_ID alg, const uint8_t *seed, size_t seed_len,
                     const char *label, const uint8_t *ctx, size_t ctx_len, unsigned bits,
                     uint32_t e, BIGNUM *p, BN_CTX *bc)
{
    size_t nbytes = bits / 8;
    uint8_t buf[256];
    uint8_t *sieve = malloc(PRIME_WINDOW);
    kdf_stream s = {alg, seed, seed_len, label, ctx, ctx_len, 1};
    int ok = 0;
    BN_MONT_CTX *mont = BN_MONT_CTX_new();
    BN_CTX_start(bc);
    BIGNUM *start = BN_CTX_get(bc);
    BN_ULONG ev = e ? e : QTPM_RSA_DEFAULT_EXPONENT;
    if (sieve == NULL || mont == NULL || start == NULL || nbytes > sizeof(buf) || bits % 8)
        goto out;
    BN_set_flags(p, BN_FLG_CONSTTIME);
    if (stream_next(&s, buf, bits))
        goto out;
    buf[0] |= 0xC0;          /* p ≥ 1.5·2^(bits-1) > √2·2^(bits-1) (FIPS 186-5 A.1.3) */
    buf[nbytes - 1] |= 1;
    if (BN_bin2bn(buf, (int)nbytes, start) == NULL)
        goto out;
    int mr = mr_rounds(bits);
    for (int win = 0; win < PRIME_MAX_WINDOWS && !ok; win++) {
        if (sieve_window(t, start, sieve))
            goto out;
        for (uint32_t j = 0; j < PRIME_WINDOW; j++) {
            if (sieve[j])
                continue;
            if (!BN_copy(p, start) || !BN_add_word(p, 2 * j))
                goto out;
            if (BN_num_bits(p) != (int)bits)
                goto out; /* ran past 2^bits: practically never */
            /* e must be invertible mod p-1: gcd(p-1, e) = gcd(e, (p-1) mod e),
             * on words (BN_gcd's constant-time loop costs as much as a
             * Miller-Rabin round) */
            BN_ULONG pe = BN_mod_word(p, ev);
            if (pe == (BN_ULONG)-1)
                goto out;
            if (small_gcd(ev, (pe + ev - 1) % ev) != 1)
                continue;
            if (!BN_MONT_CTX_set(mont, p, bc))
                goto out;
            int r = miller_rabin(p, mr, &s, mont, bc);
            if (r < 0)
                goto out;
            if (r == 1) {
                ok = 1;
                break;
            }
        }
        if (!ok && !BN_add_word(start, 2 * PRIME_WINDOW))
            goto out;
    }
out:
    qtpm_memzero(buf, sizeof(buf));
    if (start != NULL)
        BN_clear(start);
    BN_CTX_end(bc);
    BN_MONT_CTX_free(mont);
    free(sieve);
    return ok;
}

/* ------------------------------------------------------------ primary key cache */

/*
 * A few recently derived primary RSA keys, so that a client that recreates
 * the same primary (an SRK or EK rebuilt by every tpm2-tools call) does not
 * pay for the prime search again. An entry is found by a SHA-256 over every
 * input of the derivation — nameAlg, the hierarchy seed itself, the context
 * (H(template) ‖ sensitive.data), the key size and the exponent — so an entry
 * can only ever return the key the search would return; after a seed change
 * no key can match an old entry. The entries are wiped anyway when a seed
 * changes (Clear, ChangeEPS, ChangePPS, TPM Reset's new null seed) and when
 * the TPM is freed, so no factor of a key outlives its seed in memory.
 */
#define RSA_CACHE_SLOTS 4

typedef struct {
    uint8_t used;
    uint8_t id[32];
    uint32_t last_use;
    uint16_t prime_bytes;
    uint8_t p[256], q[256];
} rsa_cache_entry;

struct rsa_cache {
    uint32_t clock;
    rsa_cache_entry e[RSA_CACHE_SLOTS];
};

void prime_cache_id(TPM_ALG_ID alg, const uint8_t *seed, size_t seed_len, const uint8_t *ctx,
                    size_t ctx_len, unsigned bits, uint32_t e, uint8_t id[32])
{
    uint8_t head[14];
    wr_put_u16(head, alg);
    wr_put_u32(head + 2, (uint32_t)ctx_len);
    wr_put_u32(head + 6, bits);
    wr_put_u32(head + 10, e);
    crypt_part parts[] = {{head, sizeof(head)}, {seed, seed_len}, {ctx, ctx_len}};
    crypt_hash_parts(TPM_ALG_SHA256, id, parts, 3);
}

int prime_cache_get(qtpm_tpm *tpm, const uint8_t id[32], size_t prime_bytes, uint8_t *p,
                    uint8_t *q)
{
    struct rsa_cache *c = tpm->rsa_cache;
    if (c == NULL)
        return 0;
    for (int i = 0; i < RSA_CACHE_SLOTS; i++) {
        rsa_cache_entry *e = &c->e[i];
        if (e->used && e->prime_bytes == prime_bytes && public_equal(e->id, id, 32)) {
            memcpy(p, e->p, prime_bytes);
            memcpy(q, e->q, prime_bytes);
            e->last_use = ++c->clock;
            return 1;
        }
    }
    return 0;
}

void prime_cache_put(qtpm_tpm *tpm, const uint8_t id[32], size_t prime_bytes, const uint8_t *p,
                     const uint8_t *q)
{
    if (prime_bytes > 256)
        return;
    if (tpm->rsa_cache == NULL && (tpm->rsa_cache = calloc(1, sizeof(struct rsa_cache))) == NULL)
        return; /* the cache is an optimisation: no memory, no cache */
    struct rsa_cache *c = tpm->rsa_cache;
    rsa_cache_entry *victim = &c->e[0];
    for (int i = 0; i < RSA_CACHE_SLOTS; i++) {
        if (!c->e[i].used) {
            victim = &c->e[i];
            break;
        }
        if (c->e[i].last_use < victim->last_use)
            victim = &c->e[i];
    }
    qtpm_memzero(victim, sizeof(*victim));
    victim->used = 1;
    memcpy(victim->id, id, 32);
    victim->prime_bytes = (uint16_t)prime_bytes;
    memcpy(victim->p, p, prime_bytes);
    memcpy(victim->q, q, prime_bytes);
    victim->last_use = ++c->clock;
}

void prime_cache_wipe(qtpm_tpm *tpm)
{
    if (tpm->rsa_cache == NULL)
        return;
    qtpm_memzero(tpm->rsa_cache, sizeof(*tpm->rsa_cache));
    free(tpm->rsa_cache);
    tpm->rsa_cache = NULL;
}
