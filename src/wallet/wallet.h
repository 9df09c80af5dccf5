/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wallet.h — private interface of qtpm-wallet (docs/WALLET.md), the seeds'
 * first demonstrator (D6.3 §2): a vault of payment tokens sealed by a TPM
 * to the platform state and to the service's approval, TPM-resident AES-256
 * and HMAC keys, and an audit log signed by a TPM key.
 *
 * State: one SQLite database (tokens, keys, audit log, metadata) and one
 * "gate" file next to it holding the service's 32-byte approval secret, from
 * which every token's NV authValue is derived. The database alone releases
 * nothing (docs/WALLET.md, "Threat model").
 *
 * Errors: functions return 0 or a negative WALLET_E_* / qtpm_err, or a
 * positive TPM_RC that the TPM answered; wallet_strerror() names them and
 * wallet_last_error() (per vault) adds the detail.
 */
#ifndef QTPM_WALLET_H
#define QTPM_WALLET_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/tss.h"

enum {
    WALLET_E_DB = -1001,       /* SQLite failed */
    WALLET_E_NOTFOUND = -1002, /* no such token or key */
    WALLET_E_EXISTS = -1003,   /* name already used */
    WALLET_E_EXPIRED = -1004,  /* financial token past its expiry */
    WALLET_E_AMOUNT = -1005,   /* amount above the token's limit */
    WALLET_E_ARG = -1006,      /* bad argument */
    WALLET_E_AUDIT = -1007,    /* audit log does not verify */
    WALLET_E_STATE = -1008,    /* database not initialised / gate missing */
    WALLET_E_CRYPTO = -1009,   /* OpenSSL failed or an envelope did not open */
    WALLET_E_USED = -1010,     /* one-time / n-time token used up (TPM said so) */
};

typedef enum { WALLET_ALG_QR = 1, WALLET_ALG_CLASSIC = 2 } wallet_alg;
typedef enum { WALLET_TOKEN_BEARER = 1, WALLET_TOKEN_FINANCIAL = 2 } wallet_token_type;
typedef enum { WALLET_KEY_AES = 1, WALLET_KEY_HMAC = 2 } wallet_key_kind;

typedef struct wallet wallet;

typedef struct {
    wallet_token_type type;
    uint32_t pcr_mask;      /* SHA-256 PCRs the token is sealed to (bit n = PCR n) */
    uint64_t amount_limit;  /* financial: total amount the token may release over its life,
                             * in whole units, 1..WALLET_MAX_AMOUNT_LIMIT; 0 = none.
                             * Enforced by the TPM (a "spent" NV counter). */
    int64_t expires;        /* financial: unix time from which it is refused; 0 = never.
                             * Enforced by the TPM (PolicyCounterTimer on its Clock). */
    uint32_t uses;          /* financial: how many unseals the TPM allows (0 = unlimited) */
} wallet_token_opts;

typedef struct {
    char name[128];
    wallet_token_type type;
    uint32_t pcr_mask;
    uint64_t amount_limit;
    int64_t expires;
    uint32_t uses;
    uint32_t nv_index;
    uint32_t spent_index;   /* the amount counter (0x01580000 + id), 0 without a limit */
    int64_t created;
} wallet_token_info;

/* The largest amount limit (each unit is one NV_Increment at unseal). */
#define WALLET_MAX_AMOUNT_LIMIT 1000U

/* Creates a new vault: database at db_path (must not exist), gate secret at
 * gate_path (created 0600, must not exist), SRK of alg's family (ML-KEM-768
 * or ECC P-256), audit key (HashML-DSA-44/SHA-256 or ECDSA P-256). */
int wallet_init(const char *tcti, const char *db_path, const char *gate_path, wallet_alg alg);
/* Opens an existing vault; takes an exclusive lock on db_path.lock for the
 * life of the handle, so processes sharing a vault run one at a time. */
int wallet_open(const char *tcti, const char *db_path, const char *gate_path, wallet **out);
void wallet_close(wallet *w);
const char *wallet_last_error(const wallet *w);
const char *wallet_strerror(int rc);
wallet_alg wallet_algorithm(const wallet *w);
qtpm_tss *wallet_tss(wallet *w);
/* The TPM's format-one codes carry the parameter/session number: this strips it. */
int wallet_rc_base(int rc);

/* Tokens (any length up to 64 KiB): sealed under a per-token envelope key the
 * TPM seals to PolicyPCR ∧ PolicySecret(NV index) [∧ PolicyCounterTimer(Clock <
 * expiry)] [∧ PolicyNV(count ≤ base+uses)] [∧ PolicyNV(spent ≤ spent_base+limit)]
 * ∧ PolicyCommandCode(Unseal). */
int wallet_token_seal(wallet *w, const char *name, const wallet_token_opts *o,
                      const uint8_t *data, size_t len);
/* amount: for a financial token with an amount limit, 1..what is left of
 * the limit (the TPM's spent counter is incremented amount times, and an
 * unseal refused after that still consumes the amount); 0 for a bearer
 * token; ignored (logged) for a financial token without a limit.
 * *out is malloc'd (caller wipes and frees). */
int wallet_token_unseal(wallet *w, const char *name, uint64_t amount, uint8_t **out,
                        size_t *len);
int wallet_token_delete(wallet *w, const char *name);
int wallet_token_list(wallet *w, wallet_token_info **out, size_t *n);
int wallet_token_info_get(wallet *w, const char *name, wallet_token_info *out);

/* Keys: created in the TPM and made persistent; never leave it. */
int wallet_key_create(wallet *w, const char *name, wallet_key_kind kind);
int wallet_key_rotate(wallet *w, const char *name);
int wallet_key_delete(wallet *w, const char *name);
/* persistent handle of a key (for tests: it must be gone after delete) */
int wallet_key_handle(wallet *w, const char *name, uint32_t *handle, uint32_t *version);
/* AES-256-CFB with a random IV: out = iv(16) ‖ ciphertext. out_cap ≥ len + 16. */
int wallet_key_encrypt(wallet *w, const char *name, const uint8_t *in, size_t len, uint8_t *out,
                       size_t out_cap, size_t *out_len);
int wallet_key_decrypt(wallet *w, const char *name, const uint8_t *in, size_t len, uint8_t *out,
                       size_t out_cap, size_t *out_len);
int wallet_key_hmac(wallet *w, const char *name, const uint8_t *in, size_t len, uint8_t mac[32]);

/* For tests: on = 0 turns off the vault's own expiry and amount checks in
 * front of the TPM, to show that the TPM's policy refuses by itself. */
void wallet_set_service_checks(wallet *w, int on);

/* Audit log: appends are part of each operation's transaction. */
/* Until reset with NULL, every audit entry's detail ends with "; approved
 * WHO" (the service names the user, credential and request there). */
void wallet_set_approval(wallet *w, const char *who);
/* The audit key's public area (marshalled TPMT_PUBLIC) for pinning. */
int wallet_audit_pubkey(wallet *w, uint8_t *out, size_t cap, size_t *len);
/* Verifies the whole log of the database at db_path without a TPM: every
 * entry's signature, sequence numbers and hash chain. With pin (a
 * marshalled TPMT_PUBLIC) the key stored in the database must equal it.
 * *entries gets the count; *bad the first failing sequence number. */
int wallet_audit_verify(const char *db_path, const uint8_t *pin, size_t pin_len, size_t *entries,
                        int64_t *bad, char *why, size_t why_cap);

#endif
