/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/mldsa.h — ML-DSA (FIPS 204): ML-DSA-44, -65 and -87, pure and
 * pre-hash (HashML-DSA), with context strings and the external-μ interface.
 *
 * A private key may be the expanded encoding (skEncode) or the 32-byte seed ξ
 * (TPM 2.0 v1.85's private-key format), expanded on use. Signing is hedged
 * (fresh rnd) unless the caller passes rnd; QTPM_MLDSA_DETERMINISTIC (32 zero
 * bytes) asks for the deterministic variant. No heap; secrets wiped; nothing
 * branches on or indexes by a secret.
 *
 * All functions return QTPM_OK or a negative qtpm_err (qtpm/common.h);
 * verification failure is QTPM_E_VERIFY.
 */
#ifndef QTPM_MLDSA_H
#define QTPM_MLDSA_H

#include <stddef.h>
#include <stdint.h>

/* Values match TPM_MLDSA_44/65/87 of the TCG algorithm registry. */
typedef enum {
    QTPM_MLDSA_44 = 1,
    QTPM_MLDSA_65 = 2,
    QTPM_MLDSA_87 = 3,
} qtpm_mldsa_set;

/* Pre-hash functions of HashML-DSA (FIPS 204 §5.4). */
typedef enum {
    QTPM_PH_SHA256 = 1,
    QTPM_PH_SHA384,
    QTPM_PH_SHA512,
    QTPM_PH_SHAKE128,
    QTPM_PH_SHAKE256,
} qtpm_mldsa_prehash;

#define QTPM_MLDSA_SEED_BYTES 32
#define QTPM_MLDSA_MU_BYTES 64
#define QTPM_MLDSA_RND_BYTES 32
#define QTPM_MLDSA_MAX_CTX_BYTES 255
#define QTPM_MLDSA_MAX_PK_BYTES 2592
#define QTPM_MLDSA_MAX_SK_BYTES 4896
#define QTPM_MLDSA_MAX_SIG_BYTES 4627

/* 32 zero bytes: pass as rnd for deterministic signing. */
extern const uint8_t QTPM_MLDSA_DETERMINISTIC[QTPM_MLDSA_RND_BYTES];

size_t qtpm_mldsa_pk_bytes(qtpm_mldsa_set set);
size_t qtpm_mldsa_sk_bytes(qtpm_mldsa_set set);
size_t qtpm_mldsa_sig_bytes(qtpm_mldsa_set set);

/* FIPS 204 Algorithm 6, ML-DSA.KeyGen_internal(ξ). sk may be NULL. */
int qtpm_mldsa_keygen_internal(qtpm_mldsa_set set, const uint8_t xi[QTPM_MLDSA_SEED_BYTES],
                               uint8_t *pk, uint8_t *sk);
/* FIPS 204 Algorithm 1 with fresh ξ; seed_out (may be NULL) receives ξ. */
int qtpm_mldsa_keygen(qtpm_mldsa_set set, uint8_t *pk, uint8_t *sk,
                      uint8_t seed_out[QTPM_MLDSA_SEED_BYTES]);

/* FIPS 204 Algorithm 2, ML-DSA.Sign(sk, M, ctx). sk_len is sk_bytes(set) or
 * 32 (seed). rnd: NULL = hedged (fresh), else 32 bytes. Writes sig_bytes(set). */
int qtpm_mldsa_sign(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                    const uint8_t *msg, size_t msg_len, const uint8_t *ctx, size_t ctx_len,
                    const uint8_t *rnd, uint8_t *sig);
/* FIPS 204 Algorithm 3, ML-DSA.Verify(pk, M, σ, ctx). */
int qtpm_mldsa_verify(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                      const uint8_t *msg, size_t msg_len, const uint8_t *ctx, size_t ctx_len,
                      const uint8_t *sig, size_t sig_len);

/* FIPS 204 Algorithms 4/5, HashML-DSA over msg (hashed here with ph). */
int qtpm_hashmldsa_sign(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                        qtpm_mldsa_prehash ph, const uint8_t *msg, size_t msg_len,
                        const uint8_t *ctx, size_t ctx_len, const uint8_t *rnd, uint8_t *sig);
int qtpm_hashmldsa_verify(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                          qtpm_mldsa_prehash ph, const uint8_t *msg, size_t msg_len,
                          const uint8_t *ctx, size_t ctx_len, const uint8_t *sig, size_t sig_len);
/* The same with the digest PH(M) already computed (a TPM signs digests);
 * digest_len must be the hash's output length (SHAKE128: 32, SHAKE256: 64). */
int qtpm_hashmldsa_sign_digest(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                               qtpm_mldsa_prehash ph, const uint8_t *digest, size_t digest_len,
                               const uint8_t *ctx, size_t ctx_len, const uint8_t *rnd,
                               uint8_t *sig);
int qtpm_hashmldsa_verify_digest(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                                 qtpm_mldsa_prehash ph, const uint8_t *digest,
                                 size_t digest_len, const uint8_t *ctx, size_t ctx_len,
                                 const uint8_t *sig, size_t sig_len);

/* External μ (FIPS 204 §6.2, Algorithm 7 line 6): μ = H(tr ‖ M', 64) where
 * tr = H(pk, 64) and M' = 0 ‖ |ctx| ‖ ctx ‖ M. */
int qtpm_mldsa_compute_mu(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                          const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
                          size_t ctx_len, uint8_t mu[QTPM_MLDSA_MU_BYTES]);
/* Sign_internal / Verify_internal (Algorithms 7 and 8) on a given μ. */
int qtpm_mldsa_sign_mu(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                       const uint8_t mu[QTPM_MLDSA_MU_BYTES], const uint8_t *rnd, uint8_t *sig);
int qtpm_mldsa_verify_mu(qtpm_mldsa_set set, const uint8_t *pk, size_t pk_len,
                         const uint8_t mu[QTPM_MLDSA_MU_BYTES], const uint8_t *sig,
                         size_t sig_len);

/* Expanded signing key: what ML-DSA.Sign_internal (FIPS 204 Algorithm 7)
 * computes from sk before its rejection loop — Â = ExpandA(ρ) and NTT(s1),
 * NTT(s2), NTT(t0) after skDecode, with K and tr — computed once, so a key
 * that signs often skips that work (for ML-DSA-44 most of a signature's
 * cost when sk is the seed). The caller owns the memory:
 * qtpm_mldsa_expanded_bytes(set) bytes (ML-DSA-44 about 28 KiB, -65 about
 * 47 KiB, -87 about 79 KiB), aligned for uint32_t (malloc is fine), wiped
 * with qtpm_memzero when done — it holds the private key.
 * qtpm_mldsa_expand takes the same sk forms as qtpm_mldsa_sign and refuses
 * what they refuse (QTPM_E_LENGTH, QTPM_E_INVALID for an skEncode with a
 * coefficient outside [-η, η]); the signing functions refuse a buffer that
 * qtpm_mldsa_expand did not fill (QTPM_E_PARAM). Signatures are the same as
 * those of the functions above for the same key, message and rnd. */
typedef struct qtpm_mldsa_expanded qtpm_mldsa_expanded;
size_t qtpm_mldsa_expanded_bytes(qtpm_mldsa_set set);
int qtpm_mldsa_expand(qtpm_mldsa_set set, const uint8_t *sk, size_t sk_len,
                      qtpm_mldsa_expanded *esk, size_t esk_len);
int qtpm_mldsa_sign_expanded(const qtpm_mldsa_expanded *esk, const uint8_t *msg,
                             size_t msg_len, const uint8_t *ctx, size_t ctx_len,
                             const uint8_t *rnd, uint8_t *sig);
int qtpm_mldsa_sign_mu_expanded(const qtpm_mldsa_expanded *esk,
                                const uint8_t mu[QTPM_MLDSA_MU_BYTES], const uint8_t *rnd,
                                uint8_t *sig);
int qtpm_hashmldsa_sign_expanded(const qtpm_mldsa_expanded *esk, qtpm_mldsa_prehash ph,
                                 const uint8_t *msg, size_t msg_len, const uint8_t *ctx,
                                 size_t ctx_len, const uint8_t *rnd, uint8_t *sig);
int qtpm_hashmldsa_sign_digest_expanded(const qtpm_mldsa_expanded *esk, qtpm_mldsa_prehash ph,
                                        const uint8_t *digest, size_t digest_len,
                                        const uint8_t *ctx, size_t ctx_len, const uint8_t *rnd,
                                        uint8_t *sig);

/* For tests and benchmarks: on = 1 forces the portable C NTT and products
 * (as the environment variable QTPM_MLDSA_FORCE_SCALAR=1 does), 0 returns to
 * the CPU's best (AVX2 on x86-64 when present). Both compute the same
 * values. Returns 1 when the vector code is in use after the call. */
int qtpm_mldsa_force_portable(int on);

#endif
