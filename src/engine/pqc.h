/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pqc.h — the engine's post-quantum part, TPM 2.0 Library v1.85 (DESIGN.md
 * decision 1): ML-KEM, ML-DSA and HashML-DSA objects (pqc_keys.c) and the
 * v1.85 commands Encapsulate, Decapsulate, SignDigest,
 * VerifyDigestSignature and the sign/verify sequences (pqc.c).
 *
 * The classic engine files reach this code through small hooks only: the
 * algorithm checks of the object marshalling (tmarshal.c), template checks, key generation and
 * binding (object.c), signature schemes (asym.c), attestation signing
 * (attest.c), secret sharing for credentials, salts and imports (object.c),
 * and sequence updates (sym.c). docs/PQC.md records every choice made here.
 */
#ifndef QTPM_ENGINE_PQC_H
#define QTPM_ENGINE_PQC_H

#include "object.h"
#include "qtpm/keccak.h"

/* tpm_object.is_sequence values of the v1.85 sequences (1-3 are sym.c's). */
#define PQC_SEQ_SIGN 4
#define PQC_SEQ_VERIFY 5
/* The largest private seed (ML-KEM d || z). */
#define PQC_MAX_SEED 64

/* 1 for TPM_ALG_MLKEM, TPM_ALG_MLDSA and TPM_ALG_HASH_MLDSA. */
int pqc_is_type(TPM_ALG_ID type);

/* ---- objects ---- */
/* Template rules for the PQC types (attributes, symmetric, pre-hash). */
TPM_RC pqc_check_template(const TPMT_PUBLIC *pub, const TPMS_SENSITIVE_CREATE *sc);
/* Size and KDFa label of the private seed (64 for ML-KEM, 32 for ML-DSA). */
size_t pqc_seed_size(TPM_ALG_ID type);
const char *pqc_seed_label(TPM_ALG_ID type);
/* Stores seed as the private key of o and computes its public key. */
TPM_RC pqc_generate(tpm_object *o, const uint8_t *seed);
/* Recomputes the public key in unique from the private seed (an object
 * context saved without it, context.c). */
TPM_RC pqc_restore_public(tpm_object *o);
/* The private seed gives the public key in unique (TPM_RC_BINDING). */
TPM_RC pqc_check_binding(tpm_object *o);
/* A public key alone has the size of its parameter set (and, for ML-KEM,
 * passes the FIPS 203 §7.2 modulus check). */
TPM_RC pqc_check_public(const tpm_object *o);
/* The symmetric definition of an ML-KEM key (storage parents, EKs). */
const TPMT_SYM_DEF_OBJECT *pqc_sym_def(const tpm_object *o);

/* ---- signing ---- */
TPM_RC pqc_pick_scheme(const tpm_object *key, const TPMT_SIG_SCHEME *in, TPMT_SIG_SCHEME *out,
                       unsigned pnum);
/* HashML-DSA over a digest (PH(M) computed elsewhere), or ML-DSA over an
 * external mu (64 bytes) for a pure key. */
TPM_RC pqc_sign_digest(const tpm_object *key, const uint8_t *digest, size_t dlen,
                       const uint8_t *ctx, size_t ctx_len, TPMT_SIGNATURE *sig);
TPM_RC pqc_verify_digest(const tpm_object *key, const uint8_t *digest, size_t dlen,
                         const uint8_t *ctx, size_t ctx_len, const TPMT_SIGNATURE *sig);
/* Wipes and frees the expanded signing key an ML-DSA object keeps from its
 * first signature on (objects.c calls it from object_free). */
void pqc_key_cache_free(tpm_object *o);
/* Pure ML-DSA over a whole message with an empty context (attestation). */
TPM_RC pqc_sign_message(const tpm_object *key, const uint8_t *msg, size_t len,
                        TPMT_SIGNATURE *sig);

/* ---- secret sharing by encapsulation (Part 1 §24 with a KEM) ---- */
TPM_RC pqc_kem_encrypt_secret(const tpm_object *key, const char *label, uint8_t *seed,
                              uint16_t *seed_len, uint8_t *secret, size_t secret_cap,
                              uint16_t *secret_len);
TPM_RC pqc_kem_decrypt_secret(const tpm_object *key, const char *label, const uint8_t *in,
                              size_t in_len, uint8_t *out, size_t out_cap, uint16_t *out_len);

/* ---- sequences (their commands in pqc.c; the state's life in pqc_keys.c) ---- */
/* State of a sign or verify sequence (tpm_object.pqc_seq). */
struct pqc_seq {
    TPM_ALG_ID type;          /* the key's: TPM_ALG_MLDSA or TPM_ALG_HASH_MLDSA */
    tpm_name key_name;        /* Complete must name the same key */
    qtpm_keccak_ctx mu;       /* ML-DSA: SHAKE256 absorbing tr ‖ M' */
    qtpm_hash_ctx ph;         /* HashML-DSA: PH(M) */
    qtpm_hmac_ctx ticket;     /* verify: the ticket's HMAC, streamed over M */
    uint8_t has_ticket;
    uint8_t ctx[MAX_SIG_CTX_BYTES];
    uint16_t ctx_len;
    uint8_t head[4];          /* first message bytes (TPM_GENERATED_VALUE check) */
    uint8_t head_len;
};

void pqc_seq_free(struct pqc_seq *s);
/* An independent copy of a live sign/verify sequence state (saved
 * sequence contexts, context.c); NULL when out of memory. */
struct pqc_seq *pqc_seq_dup(const struct pqc_seq *s);
void pqc_sequence_update(tpm_object *o, const uint8_t *data, size_t len);


#endif
