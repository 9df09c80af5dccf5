/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/daa.h — libqtpm-daa: ECDAA, the direct anonymous attestation of
 * TPM 2.0 (ISO/IEC 20008-2 mechanism 4; the Chen-Page-Smart / Camenisch-
 * Drijvers-Lehmann scheme that the FIDO ECDAA algorithm also uses), on the
 * pairing-friendly curve BN_P256 (docs/DAA.md).
 *
 *  - The issuer holds (x, y) and publishes X = [x]P2, Y = [y]P2 with a proof
 *    of knowledge of x and y (the "ipk").
 *  - Join: a TPM's DAA key Q = [sk]P1 proves knowledge of sk with TPM2_Commit
 *    and an ECDAA TPM2_Sign over the issuer's nonce; the issuer answers with
 *    the credential (A, B, C, D) = ([r]P1, [y]A, [x](A + D), [ry]Q) and a
 *    proof that B and D share a discrete logarithm. qtpm/daa_host.h wraps
 *    both ends in TPM2_MakeCredential / TPM2_ActivateCredential, so only the
 *    TPM holding the EK and the DAA key receives the nonce and the credential.
 *  - Sign: the host randomises the credential, (R, S, T, W) = [l](A, B, C, D),
 *    and the TPM proves knowledge of sk with W = [sk]S, and, with a basename,
 *    K = [sk]J for J = H(basename) on the curve: equal K for equal basenames
 *    links signatures; without a basename signatures are unlinkable.
 *  - Verify: e(R, Y) = e(S, P2), e(T, P2) = e(R + W, X) and the proof.
 *
 * The TPM is reached through qtpm_daa_tpm, two callbacks that are the TPM's
 * TPM2_Commit and TPM2_Sign(ECDAA); qtpm/daa_host.h provides them over
 * libqtss, qtpm_daa_soft_* a software stand-in for tests.
 *
 * Every decoder here takes network input: it checks sizes, tags, ranges,
 * the curve equations and group membership before any use, and an error
 * leaves the outputs unspecified but never partially trusted.
 */
#ifndef QTPM_DAA_H
#define QTPM_DAA_H

#include <stddef.h>
#include <stdint.h>

enum {
    QTPM_DAA_OK = 0,
    QTPM_DAA_E_FORMAT = -101,     /* wrong size, tag or out-of-range number */
    QTPM_DAA_E_POINT = -102,      /* not a point of G1 / G2, or the point at infinity */
    QTPM_DAA_E_PROOF = -103,      /* a zero-knowledge proof does not verify */
    QTPM_DAA_E_CREDENTIAL = -104, /* the credential is not one of this issuer's */
    QTPM_DAA_E_BASENAME = -105,   /* basename missing, unexpected or different */
    QTPM_DAA_E_TPM = -106,        /* the TPM callbacks failed */
    QTPM_DAA_E_PARAM = -107,      /* bad argument (NULL, buffer too small, basename too long) */
    QTPM_DAA_E_RNG = -108,        /* the random source failed */
    QTPM_DAA_E_REVOKED = -109,    /* made with a DAA key on the rogue list */
    QTPM_DAA_E_BINDING = -110,    /* a join not bound to the EK (key Name and t disagree) */
};
const char *qtpm_daa_strerror(int rc);

#define QTPM_DAA_G1_SIZE 64   /* x ‖ y */
#define QTPM_DAA_G2_SIZE 128  /* x0 ‖ x1 ‖ y0 ‖ y1 */
#define QTPM_DAA_SCALAR_SIZE 32
#define QTPM_DAA_ISK_SIZE (1 + 2 * 32)
#define QTPM_DAA_IPK_SIZE (1 + 2 * 128 + 3 * 32)
#define QTPM_DAA_JOIN_PROOF_SIZE (3 * 32) /* c1 ‖ nonce ‖ s */
#define QTPM_DAA_CRED_SIZE (1 + 4 * 64 + 2 * 32)
#define QTPM_DAA_SIG_SIZE (1 + 3 * 32 + 4 * 64)               /* without basename */
#define QTPM_DAA_SIG_BSN_SIZE (QTPM_DAA_SIG_SIZE + 32 + 64)  /* with basename */
#define QTPM_DAA_MAX_BASENAME 127

/* The TPM side. commit is TPM2_Commit (Part 3 §19.2) with the DAA key:
 * p1 NULL means the generator; s2 (s2_len bytes, NULL for none) and y2 give
 * the point (H(s2) mod p, y2); it returns E = [r]P1, and with s2 also
 * K = [sk](x2, y2), L = [r](x2, y2), as 64-byte points, and the counter.
 * sign is TPM2_Sign with scheme TPM_ALG_ECDAA (SHA-256, counter) over a
 * 32-byte digest: signatureR (the TPM's nonce) and signatureS, 32 bytes each.
 * Both return 0 on success. sign returns 1 when the nonce it produced is
 * shorter than 32 bytes or starts with a zero byte (TPMs disagree on how
 * such a nonce enters the hash): the caller then commits and signs again. */
typedef struct {
    void *ctx;
    int (*commit)(void *ctx, const uint8_t *p1, const uint8_t *s2, size_t s2_len,
                  const uint8_t *y2, uint8_t e[64], uint8_t k[64], uint8_t l[64],
                  uint16_t *counter);
    int (*sign)(void *ctx, uint16_t counter, const uint8_t digest[32], uint8_t nonce[32],
                uint8_t s[32]);
} qtpm_daa_tpm;

/* QTPM_DAA_E_POINT unless p (64 bytes) is a point of G1 other than infinity. */
int qtpm_daa_g1_check(const uint8_t p[64]);

/* ---------------------------------------------------------------- issuer */

/* A new issuer key: isk (secret: wipe it) and its public key ipk. */
int qtpm_daa_issuer_keygen(uint8_t isk[QTPM_DAA_ISK_SIZE], uint8_t ipk[QTPM_DAA_IPK_SIZE]);
/* The public key of a secret key (recomputed with fresh proof randomness). */
int qtpm_daa_issuer_public(const uint8_t isk[QTPM_DAA_ISK_SIZE], uint8_t ipk[QTPM_DAA_IPK_SIZE]);
/* Checks an issuer public key: encoding, G2 membership, proof of knowledge. */
int qtpm_daa_ipk_check(const uint8_t *ipk, size_t len);
/* The issuer checks a join proof over its nonce for the DAA key q. */
int qtpm_daa_join_verify(const uint8_t q[64], const uint8_t nonce[32],
                         const uint8_t proof[QTPM_DAA_JOIN_PROOF_SIZE]);
/* The credential for q (after qtpm_daa_join_verify accepted). */
int qtpm_daa_issue(const uint8_t isk[QTPM_DAA_ISK_SIZE], const uint8_t q[64],
                   uint8_t cred[QTPM_DAA_CRED_SIZE]);

/* ------------------------------------------------------------------ host */

/* The join proof: TPM2_Commit, then TPM2_Sign over c1 = H(P1, Q, E, nonce). */
int qtpm_daa_join_prove(const qtpm_daa_tpm *tpm, const uint8_t q[64], const uint8_t nonce[32],
                        uint8_t proof[QTPM_DAA_JOIN_PROOF_SIZE]);
/* Checks a credential for q under ipk: encoding, the issuer's proof, the
 * pairings. QTPM_DAA_E_CREDENTIAL when it belongs to another issuer. */
int qtpm_daa_cred_check(const uint8_t *ipk, size_t ipk_len, const uint8_t q[64],
                        const uint8_t *cred, size_t cred_len);
/* A DAA signature on msg, linkable under bsn when bsn_len > 0 (bsn NULL or
 * bsn_len 0: unlinkable). *sig_len = QTPM_DAA_SIG_SIZE or _BSN_SIZE. */
int qtpm_daa_sign(const qtpm_daa_tpm *tpm, const uint8_t *cred, size_t cred_len,
                  const uint8_t *bsn, size_t bsn_len, const uint8_t *msg, size_t msg_len,
                  uint8_t *sig, size_t sig_cap, size_t *sig_len);

/* -------------------------------------------------------------- verifier */

typedef struct qtpm_daa_verifier qtpm_daa_verifier;
/* Loads and checks an issuer public key once (and prepares its pairings). */
int qtpm_daa_verifier_new(const uint8_t *ipk, size_t ipk_len, qtpm_daa_verifier **out);
void qtpm_daa_verifier_free(qtpm_daa_verifier *v);
/* Verifies sig on msg; bsn must be given exactly when the signature is
 * linkable, and must be the one it was made with (QTPM_DAA_E_BASENAME). */
int qtpm_daa_verify(const qtpm_daa_verifier *v, const uint8_t *bsn, size_t bsn_len,
                    const uint8_t *msg, size_t msg_len, const uint8_t *sig, size_t sig_len);
/* 1 when two (verified) linkable signatures come from the same TPM, 0 when
 * not; QTPM_DAA_E_BASENAME when either is unlinkable or their basenames differ. */
int qtpm_daa_link(const uint8_t *sig1, size_t len1, const uint8_t *sig2, size_t len2);
/* Rogue-key revocation (ISO/IEC 20008-2 mechanism 4's private-key
 * revocation): QTPM_DAA_E_REVOKED when the signature was made with one of
 * the n extracted DAA keys sk (32 bytes each, concatenated), i.e.
 * W = [sk]S; 0 when with none of them. */
int qtpm_daa_check_rogue(const uint8_t *sig, size_t sig_len, const uint8_t *sks, size_t n);
/* The basename hash a linkable signature carries (for grouping). */
int qtpm_daa_sig_basename_hash(const uint8_t *sig, size_t len, uint8_t hash[32]);

/* --------------------------------------------------- software TPM (tests) */

/* The same arithmetic as the engine's TPM2_Commit / ECDAA TPM2_Sign
 * (src/engine/ecdaa.c) with a key in memory, one commitment at a time. */
typedef struct {
    uint8_t sk[32];
    uint8_t r[32];
    int committed;
    uint16_t counter;
} qtpm_daa_soft;
/* sk NULL: a random key. q receives [sk]P1. */
int qtpm_daa_soft_init(qtpm_daa_soft *s, const uint8_t *sk, uint8_t q[64]);
qtpm_daa_tpm qtpm_daa_soft_tpm(qtpm_daa_soft *s);

#endif
