/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa_internal.h — the private interface of the lattice DAA (qtpm/ldaa.h,
 * docs/DAA.md): parameters, the ring R_q = Z_q[X]/(X^256 + 1) with
 * q = 2^61 - 6655 (ldaa_poly.c), and what the scheme (ldaa.c) and the TPM
 * part (ldaa_tpm.c) share.
 *
 * Parameters (their security estimate: src/daa/ldaa_params.py):
 *   k = 8 rows; Ā = [I_k | Ā'], Ā' k x l, l = 12; gadget base 16, t = 16
 *   digits (16^16 > q), so B is k x kt = 8 x 128; R (k+l) x kt ternary.
 *   s = (s1, s2), 9 + 8 polynomials, coefficients in [-256, 255];
 *   D = [D' | I_k], t = D s = D' s1 + s2 (an M-LWE sample).
 *   Credential: x1 in [-(2^25 - 2^14), 2^25 - 2^14] (k+l polys), x2 balanced
 *   digits in [-8, 7] (kt polys).
 *   Challenge: tau = 30 coefficients +-1 (FIPS 204 SampleInBall shape).
 *   Nym: Power2Round with d = 30: nym in [0, 2^31), e in (-2^29, 2^29].
 *   Masks (uniform, log2 gamma): x1 43, x2 23, s 25, e 42; a response block
 *   is kept when ||z||_inf <= gamma - tau * bound(witness).
 *
 * Coefficients mod q are uint64_t in [0, q) unless said otherwise; short
 * vectors are int64_t, centred.
 */
#ifndef QTPM_LDAA_INTERNAL_H
#define QTPM_LDAA_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/keccak.h"
#include "qtpm/ldaa.h"

#define LDAA_N 256
#define LDAA_Q 2305843009213687297ull /* 2^61 - 6655, = 1 mod 512 */
#define LDAA_QBITS 61
#define LDAA_K 8
#define LDAA_L 12
#define LDAA_M1 (LDAA_K + LDAA_L) /* columns of Ā, polynomials of x1 */
#define LDAA_LOGB 4
#define LDAA_T 16
#define LDAA_M2 (LDAA_K * LDAA_T) /* columns of B, polynomials of x2 */
#define LDAA_LS 9
#define LDAA_MS (LDAA_LS + LDAA_K) /* polynomials of s */
#define LDAA_ETA_S 256             /* s in [-256, 255] */
#define LDAA_TAU 30
#define LDAA_D 30
#define LDAA_NYMBITS 31
#define LDAA_BETA_R (1ll << 14)            /* bound on ||R x2||_inf (12 sigma) */
#define LDAA_GAMMA_Y (1ll << 25)           /* issuer's mask for x1 */
#define LDAA_X1MAX (LDAA_GAMMA_Y - LDAA_BETA_R)
#define LDAA_X2MAX 8
#define LDAA_EMAX (1ll << (LDAA_D - 1))
#define LDAA_G1 43 /* log2 of the masks */
#define LDAA_G2 23
#define LDAA_GS 25
#define LDAA_GE 42
#define LDAA_B1 ((int64_t)LDAA_TAU * LDAA_X1MAX)
#define LDAA_B2 ((int64_t)LDAA_TAU * LDAA_X2MAX)
#define LDAA_BS ((int64_t)LDAA_TAU * LDAA_ETA_S)
#define LDAA_BE ((int64_t)LDAA_TAU * LDAA_EMAX)
/* Link and revocation accept a pseudonym within this distance (in the
 * infinity norm of 2^d·(nym - nym') resp. h·s* - 2^d·nym, centred mod q):
 * honest TPMs give distance 0, unrelated ones ~2^60; a signer that knows
 * its s and shifts its rounding error e to move nym is caught while the
 * shift stays below 2^48 — and the responses only tolerate ~2^43
 * (docs/DAA.md, "What it guarantees"). */
#define LDAA_LINK_BOUND (1ll << 48)
#define LDAA_MAX_TRIES 4000 /* bounded rejection loops (mean tries: 32 to sign, ~18 to issue) */

typedef struct {
    uint64_t c[LDAA_N];
} ldaa_poly;

typedef struct {
    int64_t c[LDAA_N];
} ldaa_spoly; /* short, signed */

/* ldaa_poly.c ---------------------------------------------------------- */
/* Forward negacyclic NTT, [0, q) in and out. */
void ldaa_ntt(ldaa_poly *a);
/* Inverse NTT, [0, q) in and out. */
void ldaa_invntt(ldaa_poly *a);
/* r = a ∘ b · 2^-64 mod q; r += a ∘ b · 2^-64. */
void ldaa_pointwise(ldaa_poly *r, const ldaa_poly *a, const ldaa_poly *b);
void ldaa_pointwise_acc(ldaa_poly *r, const ldaa_poly *a, const ldaa_poly *b);
/* a = a · 2^64 mod q (into the form the pointwise product expects of a
 * plain constant or a plain NTT value that is not itself a product). */
void ldaa_tomont(ldaa_poly *a);
void ldaa_add(ldaa_poly *r, const ldaa_poly *a, const ldaa_poly *b);
void ldaa_sub(ldaa_poly *r, const ldaa_poly *a, const ldaa_poly *b);
/* Short (|a_i| < q/2) to mod q and back (centred); branch-free. */
void ldaa_from_short(ldaa_poly *r, const ldaa_spoly *a);
void ldaa_to_short(ldaa_spoly *r, const ldaa_poly *a);
/* 1 when some |a_i| > bound; every coefficient examined, no branch on one. */
int ldaa_spoly_exceeds(const ldaa_spoly *a, int64_t bound);

/* Uniform mod q (public data) from SHAKE128(seed ‖ domain ‖ i ‖ j). */
void ldaa_expand_uniform(ldaa_poly *r, const uint8_t seed[32], uint8_t domain, uint16_t i,
                         uint16_t j);
/* Ternary, for the trapdoor R: SHAKE256(seed ‖ i ‖ j). */
void ldaa_expand_ternary(ldaa_spoly *r, const uint8_t seed[32], uint16_t i, uint16_t j);
/* Uniform in [-2^g + 1, 2^g] (g <= 43) from an XOF stream. */
void ldaa_sample_mask(ldaa_spoly *r, qtpm_keccak_ctx *xof, unsigned g);
int ldaa_mask_xof(qtpm_keccak_ctx *x, const char *label);
/* FIPS 204 Algorithm 29 shape: tau coefficients +-1, the rest 0. */
void ldaa_challenge(ldaa_spoly *c, const uint8_t ctilde[32]);

/* Bit packing of n values v_i + off in w bits each, LSB first. */
void ldaa_pack(uint8_t *out, const int64_t *v, size_t n, unsigned w, int64_t off);
/* Unpacks; returns 1 when some unpacked value exceeds maxv (before -off). */
int ldaa_unpack(int64_t *v, const uint8_t *in, size_t n, unsigned w, int64_t off, int64_t maxv);

/* Absorbs n polynomials, 8 bytes little-endian per coefficient. */
void ldaa_absorb_polys(qtpm_keccak_ctx *h, const ldaa_poly *p, size_t n);

/* The public matrices, expanded (all in the NTT domain, Montgomery-scaled
 * so that pointwise products are plain). */
struct qtpm_ldaa_ipk {
    uint8_t rho[32];
    uint8_t hash[32];                   /* SHA3-256 of the encoded ipk */
    ldaa_poly a[LDAA_K][LDAA_L];        /* Ā' */
    ldaa_poly b[LDAA_K][LDAA_M2];       /* B */
    ldaa_poly d[LDAA_K][LDAA_LS];       /* D' */
    ldaa_poly u[LDAA_K];                /* u, plain NTT (not scaled) */
};

/* The issuer's seed rho (its ipk's bytes 1..32). */
const uint8_t *ldaa_issuer_rho(const struct qtpm_ldaa_issuer *iss);
/* Fills a, d, u from rho (b untouched). */
void ldaa_expand_public(struct qtpm_ldaa_ipk *pk);
/* h = the basename row (MS polys, NTT domain, scaled) from rho and bsnval. */
void ldaa_expand_h(ldaa_poly h[LDAA_MS], const uint8_t rho[32], const uint8_t bsnval[32]);
/* t = D s (plain coefficients), s in NTT domain plain. */
void ldaa_mul_d(ldaa_poly t[LDAA_K], const struct qtpm_ldaa_ipk *pk, const ldaa_poly s_hat[LDAA_MS]);
/* Power2Round (FIPS 204 Algorithm 35 with d = 30): a = a1 2^d + a0. */
void ldaa_power2round(int64_t *a1, int64_t *a0, uint64_t a);

/* The TPM part's state (ldaa_tpm.c). */
/* A TPM part that lives elsewhere (a TPM through libqtss, ldaa_host.c):
 * commit, respond and discard of ldaa_tpm_* go to these; free releases
 * ctx when the qtpm_ldaa_tpm is freed. */
typedef struct {
    int (*commit)(void *ctx, const uint8_t bsnval[32], ldaa_poly w_t[LDAA_K], ldaa_poly *w_nym,
                  ldaa_spoly *nym);
    int (*respond)(void *ctx, const uint8_t ctilde[32], ldaa_spoly zs[LDAA_MS], ldaa_spoly *ze);
    void (*discard)(void *ctx);
    void (*free)(void *ctx);
    int (*join)(void *ctx, const uint8_t nonce[32], uint8_t *req);
} ldaa_tpm_ops;

struct qtpm_ldaa_tpm {
    uint8_t rho[32];
    ldaa_spoly s[LDAA_MS];
    ldaa_poly s_hat[LDAA_MS];
    struct qtpm_ldaa_ipk *pub; /* a, d expanded from rho (b unused) */
    /* 1: the masks of join_request are derived from mask_key and the
     * nonce, not drawn (the engine's keys, ldaa_tpm_derive) */
    int derived;
    uint8_t mask_key[32];
    /* set for a TPM part elsewhere: s and s_hat are unused, t holds D·s
     * (from the join request) */
    const ldaa_tpm_ops *ops;
    void *ops_ctx;
    ldaa_poly t[LDAA_K];
    /* between commit and respond */
    int committed;
    uint8_t bsnval[32];
    ldaa_spoly ys[LDAA_MS];
    ldaa_spoly ye;
    ldaa_spoly e;
};

/* TPM part of Sign: draws masks, returns w_T = -D·y_s (K polys, plain),
 * w_nym = h·y_s - y_e and the pseudonym nym = Power2Round_high(h·s). */
int ldaa_tpm_commit(qtpm_ldaa_tpm *tpm, const uint8_t bsnval[32], ldaa_poly w_t[LDAA_K],
                    ldaa_poly *w_nym, ldaa_spoly *nym);
/* The same with the masks from seed (the engine's commitments, which it
 * recomputes from its commit counter); seed NULL: random masks. */
int ldaa_tpm_commit_seeded(qtpm_ldaa_tpm *tpm, const uint8_t bsnval[32], const uint8_t seed[32],
                           ldaa_poly w_t[LDAA_K], ldaa_poly *w_nym, ldaa_spoly *nym);
/* With the challenge c̃: z_s = y_s + c s, z_e = y_e + c e; 0 kept, 1 abort
 * (the caller commits again); the masks are wiped either way. */
int ldaa_tpm_respond(qtpm_ldaa_tpm *tpm, const uint8_t ctilde[32], ldaa_spoly zs[LDAA_MS],
                     ldaa_spoly *ze);
/* The TPM part of an engine key (src/engine/ldaa.c, docs/DAA.md "LDAA in
 * the engine"): s and the mask key are derived from the key's private
 * bits and the issuer's rho,
 *   s        = coefficients of SHAKE256("qtpm-ldaa-s" ‖ bits ‖ rho)
 *   mask_key = SHAKE256("qtpm-ldaa-mask-key" ‖ bits ‖ rho, 32),
 * so one TPM key holds a distinct s per issuer and join_request is
 * deterministic (its masks from SHAKE256(mask_key ‖ nonce ‖ try)): the
 * engine recomputes it to return the request in pieces. Same nonce, same
 * masks, same challenge, same answer: nothing leaks from a repeat. */
int ldaa_tpm_derive(qtpm_ldaa_tpm **out, const uint8_t rho[32], const uint8_t *bits,
                    size_t bits_len);

/* The host drops a commitment (its own share aborted). */
void ldaa_tpm_discard(qtpm_ldaa_tpm *tpm);

#endif
