/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/ldaa.h — the lattice-based DAA of libqtpm-daa (docs/DAA.md, "Lattice
 * DAA"): a post-quantum counterpart of ECDAA over the ring
 * R_q = Z_q[X]/(X^256 + 1), q = 2^61 - 6655.
 *
 *  - Issuer: a public matrix [Ā | B] with B = G - Ā·R (G the gadget matrix,
 *    R a short trapdoor, Micciancio-Peikert 2012), public u and D.
 *  - TPM: a short secret s, its public key t = D·s (M-LWE), a proof of
 *    knowledge of s at Join.
 *  - Credential: short x = (x1, x2) with Ā·x1 + B·x2 = u + t, sampled with
 *    the issuer's trapdoor by Lyubashevsky-Wichs (PKC 2015) rejection
 *    sampling, so that x reveals nothing of R.
 *  - Signature: a Fiat-Shamir-with-aborts proof (Lyubashevsky 2012) of the
 *    witness (x1, x2, s, e) of  Ā x1 + B x2 - D s = u  and
 *    h·s - e = 2^d·nym, where h is hashed from a basename (a random one for
 *    anonymous signatures) and nym = Power2Round(h·s) is the pseudonym:
 *    equal for equal (s, basename), which links, and recomputable from an
 *    extracted s, which revokes.
 *
 * The TPM's part (qtpm_ldaa_tpm_*) holds s and computes its share of the
 * proof: either in the TPM (the engine's vendor commands; opened with
 * qtpm_ldaa_tpm_open_tss of qtpm/daa_host.h) or as the software module
 * below, whose s is a key blob (docs/DAA.md "LDAA in the engine").
 *
 * Objects are large (issuer public key ~2 MB, signature 143 KB): every
 * function takes caller buffers of the QTPM_LDAA_*_SIZE below, except the
 * opaque contexts, which are allocated. Decoders take network input and check
 * exact sizes, tags and every coefficient's range before use. Errors are the
 * QTPM_DAA_E_* codes of qtpm/daa.h.
 */
#ifndef QTPM_LDAA_H
#define QTPM_LDAA_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/daa.h"

/* Sizes in bytes (derivations in src/daa/ldaa_internal.h). */
#define QTPM_LDAA_ISK_SIZE 65
#define QTPM_LDAA_IPK_SIZE (1 + 32 + 8 * 128 * 256 * 61 / 8)
#define QTPM_LDAA_TPMKEY_SIZE (1 + 32 + 17 * 256 * 9 / 8)
#define QTPM_LDAA_NONCE_SIZE 32
#define QTPM_LDAA_JOINREQ_SIZE (1 + 8 * 256 * 61 / 8 + 32 + 17 * 256 * 26 / 8)
#define QTPM_LDAA_CRED_SIZE (1 + 20 * 256 * 26 / 8 + 128 * 256 * 4 / 8)
#define QTPM_LDAA_SIG_SIZE                                                               \
    (1 + 32 + 32 + 256 * 31 / 8 + 20 * 256 * 44 / 8 + 128 * 256 * 24 / 8 + 17 * 256 * 26 / 8 + \
     256 * 43 / 8)
#define QTPM_LDAA_REVOKED_SIZE (17 * 256 * 9 / 8) /* an extracted TPM secret s */
/* The TPM's outputs at signing (the engine's vendor commands, docs/DAA.md
 * "LDAA in the engine"): a commitment w_T ‖ w_nym (61 bits a coefficient)
 * ‖ nym (31 bits), and a response kept ‖ z_s (26 bits) ‖ z_e (43 bits). */
#define QTPM_LDAA_COMMIT_SIZE (9 * 256 * 61 / 8 + 256 * 31 / 8)
#define QTPM_LDAA_RESPONSE_SIZE (1 + 17 * 256 * 26 / 8 + 256 * 43 / 8)
#define QTPM_LDAA_TICKET_SIZE 40 /* the engine's response ticket: counter ‖ HMAC */

/* The issuer's public key, decoded and expanded (its matrices in the NTT
 * domain, ~2.7 MB). */
typedef struct qtpm_ldaa_ipk qtpm_ldaa_ipk;
/* The issuer's secret state (R expanded; ~5 MB). */
typedef struct qtpm_ldaa_issuer qtpm_ldaa_issuer;
/* The TPM part: s, t = D·s, and the state between commit and respond. */
typedef struct qtpm_ldaa_tpm qtpm_ldaa_tpm;

/* Issuer. keygen writes isk (two seeds) and ipk. */
int qtpm_ldaa_issuer_keygen(uint8_t isk[QTPM_LDAA_ISK_SIZE], uint8_t *ipk, size_t ipk_size);
/* Loads an isk (expands R and the public matrices); free with _issuer_free. */
int qtpm_ldaa_issuer_load(qtpm_ldaa_issuer **out, const uint8_t *isk, size_t len);
void qtpm_ldaa_issuer_free(qtpm_ldaa_issuer *iss);
/* Join, issuer side: a fresh nonce for one request. */
int qtpm_ldaa_join_nonce(uint8_t nonce[QTPM_LDAA_NONCE_SIZE]);
/* Checks the TPM's join request against nonce and, when it verifies,
 * samples the credential x with [Ā | B]x = u + t. */
int qtpm_ldaa_join_issue(const qtpm_ldaa_issuer *iss, const uint8_t nonce[QTPM_LDAA_NONCE_SIZE],
                         const uint8_t *req, size_t req_len, uint8_t *cred, size_t cred_size);

/* Public key: decodes (sizes, tag, every coefficient < q); free with _ipk_free. */
int qtpm_ldaa_ipk_load(qtpm_ldaa_ipk **out, const uint8_t *ipk, size_t len);
void qtpm_ldaa_ipk_free(qtpm_ldaa_ipk *pk);

/* The TPM part. create draws s for the issuer whose ipk seed is given (its
 * first 33 bytes: tag and seed); load/save move it to a key blob (the
 * software stand-in's storage; a TPM would keep s inside). */
int qtpm_ldaa_tpm_create(qtpm_ldaa_tpm **out, const uint8_t *ipk, size_t ipk_len);
int qtpm_ldaa_tpm_load(qtpm_ldaa_tpm **out, const uint8_t *key, size_t len);
int qtpm_ldaa_tpm_save(const qtpm_ldaa_tpm *tpm, uint8_t key[QTPM_LDAA_TPMKEY_SIZE]);
void qtpm_ldaa_tpm_free(qtpm_ldaa_tpm *tpm);
/* Join, TPM side: t and a proof of knowledge of s bound to the nonce. */
int qtpm_ldaa_tpm_join_request(qtpm_ldaa_tpm *tpm, const uint8_t nonce[QTPM_LDAA_NONCE_SIZE],
                               uint8_t req[QTPM_LDAA_JOINREQ_SIZE]);
/* The secret s, as a revocation list entry: only for tests and for the
 * "extracted key" story of key-based revocation. */
int qtpm_ldaa_tpm_export_secret(const qtpm_ldaa_tpm *tpm, uint8_t out[QTPM_LDAA_REVOKED_SIZE]);

/* The commitment to t an EK-bound LDAA key carries in its Name (docs/DAA.md
 * "Join bound to the EK"): SHAKE256("qtpm-ldaa-t" ‖ rho ‖ t, 32), t packed
 * as in a join request (its bytes [1, 1 + QTPM_LDAA_T_SIZE)). t_digest
 * takes those bytes; tpm_t_digest computes t of a TPM part (from s, or the
 * t its TPM reported). */
#define QTPM_LDAA_T_SIZE (8 * 256 * 61 / 8)
void qtpm_ldaa_t_digest(const uint8_t rho[32], const uint8_t t[QTPM_LDAA_T_SIZE],
                        uint8_t out[32]);
int qtpm_ldaa_tpm_t_digest(const qtpm_ldaa_tpm *tpm, uint8_t out[32]);

/* Host: checks a credential for this TPM (norms and [Ā | B]x = u + D·s,
 * with t from the TPM). */
int qtpm_ldaa_cred_check(const qtpm_ldaa_ipk *pk, qtpm_ldaa_tpm *tpm, const uint8_t *cred,
                         size_t len);
/* Sign (host and TPM). bsn NULL: anonymous (a fresh random basename). */
int qtpm_ldaa_sign(const qtpm_ldaa_ipk *pk, qtpm_ldaa_tpm *tpm, const uint8_t *cred,
                   size_t cred_len, const uint8_t *msg, size_t msg_len, const uint8_t *bsn,
                   size_t bsn_len, uint8_t *sig, size_t sig_size);
/* Verify. bsn must be given exactly for a basename signature. revoked:
 * n_revoked extracted secrets (QTPM_LDAA_REVOKED_SIZE each) ->
 * QTPM_DAA_E_REVOKED when the signature was made with one of them. */
int qtpm_ldaa_verify(const qtpm_ldaa_ipk *pk, const uint8_t *sig, size_t sig_len,
                     const uint8_t *msg, size_t msg_len, const uint8_t *bsn, size_t bsn_len,
                     const uint8_t *revoked, size_t n_revoked);
/* Link two (verified) basename signatures: 1 same TPM, 0 not;
 * QTPM_DAA_E_BASENAME when either is anonymous or the basenames differ. */
int qtpm_ldaa_link(const uint8_t *sig1, size_t len1, const uint8_t *sig2, size_t len2);

#endif
