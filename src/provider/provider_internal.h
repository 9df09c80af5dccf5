/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * provider_internal.h — private interface of qtpm-provider, the OpenSSL 3
 * provider that gives any OpenSSL 3.0 application (openssl s_client/s_server,
 * curl, our NMS and agent) TLS 1.3 key-exchange groups on qtpm's own ML-KEM:
 * X25519MLKEM768, SecP256r1MLKEM768 (draft-ietf-tls-ecdhe-mlkem), MLKEM768 and
 * MLKEM1024 (draft-ietf-tls-mlkem).
 *
 * The pieces: groups.c (the group table and the wire layouts: split and join of
 * shares, ciphertexts and secrets), classic.c (the X25519 / P-256 halves on the
 * default provider's implementations, fetched once per provider context), keymgmt.c (the KEYMGMT operation: one
 * algorithm per group), kem.c (the KEM operation: encapsulate/decapsulate),
 * provider.c (the dispatch tables, the TLS-GROUP capability and the child
 * library context in which the classic halves run on OpenSSL's default
 * provider) and module.c (OSSL_provider_init, only in the loadable module).
 * The same objects are linked statically into the tests and the fuzz target,
 * which register the provider with OSSL_PROVIDER_add_builtin().
 */
#ifndef QTPM_PROVIDER_INTERNAL_H
#define QTPM_PROVIDER_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/core.h>
#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include "qtpm/mlkem.h"

/* The classic half of a group, done by OpenSSL (default provider) via EVP. */
typedef enum {
    QP_CLASSIC_NONE = 0,
    QP_CLASSIC_X25519,
    QP_CLASSIC_P256,
} qp_classic;

/* Where the ML-KEM part sits in shares and secrets. */
typedef enum {
    QP_ORDER_MLKEM_FIRST = 0, /* X25519MLKEM768 */
    QP_ORDER_ECDH_FIRST,      /* SecP256r1MLKEM768 */
} qp_order;

typedef struct {
    const char *name;      /* TLS group name = keymgmt/KEM algorithm name */
    unsigned int tls_id;   /* IANA TLS Supported Groups code point */
    unsigned int secbits;  /* security bits announced to libssl */
    qtpm_mlkem_set mlkem;
    qp_classic classic;
    qp_order order;
    size_t ek_len, ct_len;          /* ML-KEM encapsulation key, ciphertext */
    size_t ecdh_pub_len, ecdh_ss_len; /* 0 for ML-KEM alone */
    size_t share_len;      /* client share: ek + ECDH public */
    size_t reply_len;      /* server share: ct + ECDH public */
    size_t ss_len;         /* TLS shared secret */
} qp_group;

#define QP_NGROUPS 4
extern const qp_group qp_groups[QP_NGROUPS];
const qp_group *qp_group_by_name(const char *name);

/* The provider's context: its handle and a child library context of the
 * application's one, in which the classic halves are fetched (once: classic). */
typedef struct {
    const OSSL_CORE_HANDLE *handle;
    OSSL_LIB_CTX *libctx;
    struct qp_tpm *tpm;             /* TPM-resident keys' connection (tpmkey.c) */
    struct qp_classic_cache *classic; /* classic.c */
} qp_provctx;

/* classic.c: X25519 and P-256 ECDH by the implementing provider's own
 * functions. A classic key is that provider's key object (void *). Every
 * function returns 1/0 or the object/NULL; outputs are wiped on failure. */
typedef struct qp_classic_impl qp_classic_impl;
int qp_classic_setup(qp_provctx *prov);
void qp_classic_teardown(qp_provctx *prov);
const qp_classic_impl *qp_classic_get(qp_provctx *prov, qp_classic which);
void *qp_classic_generate(const qp_classic_impl *im);
void *qp_classic_from_public(const qp_classic_impl *im, const uint8_t *pub, size_t len);
void *qp_classic_from_private(const qp_classic_impl *im, const uint8_t *priv, size_t priv_len,
                              const uint8_t *pub, size_t pub_len);
int qp_classic_public(const qp_classic_impl *im, void *kd, uint8_t *out, size_t len);
int qp_classic_private(const qp_classic_impl *im, void *kd, uint8_t *out, size_t len);
int qp_classic_derive(const qp_classic_impl *im, void *priv, void *peer, uint8_t *out,
                      size_t len);
void *qp_classic_dup(const qp_classic_impl *im, const void *kd, int selection);
void qp_classic_free(const qp_classic_impl *im, void *kd);

#define QP_ECDH_PUB_MAX 65 /* the P-256 uncompressed point; X25519's is 32 */

/* A key of one group. Secrets (seed, dk, the classic private key inside ec)
 * are wiped when the key is freed. */
typedef struct {
    const qp_group *g;
    qp_provctx *prov;
    int has_pub, has_priv;
    uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES];
    uint8_t seed[QTPM_MLKEM_SEED_BYTES]; /* d ‖ z, kept for export */
    uint8_t dk[QTPM_MLKEM_MAX_DK_BYTES]; /* expanded once, for decapsulation */
    const qp_classic_impl *ec_impl;      /* who made ec */
    void *ec; /* X25519 or P-256 key object of the default provider, or NULL */
    uint8_t ec_pub[QP_ECDH_PUB_MAX]; /* its public value as on the wire (ecdh_pub_len) */
} qp_key;

/* groups.c: the layouts. Every function returns 1 on success, 0 on failure
 * (the OpenSSL provider convention) and leaves outputs wiped on failure. */

/* The encoded public key (client share) of a key with has_pub. */
int qp_share_encode(const qp_key *k, uint8_t *out, size_t out_len);
/* Parse a client share into k (public part only): length, FIPS 203 §7.2
 * ek check, and the ECDH point through the default provider. */
int qp_share_decode(qp_key *k, const uint8_t *in, size_t in_len);
/* Fresh key pair (ML-KEM from our DRBG, the classic half from OpenSSL). */
int qp_key_generate(qp_key *k);
/* Key pair from its private encoding (ML-KEM seed ‖ classic private key). */
int qp_key_from_private(qp_key *k, const uint8_t *in, size_t in_len);
size_t qp_private_len(const qp_group *g);
int qp_private_encode(const qp_key *k, uint8_t *out, size_t out_len);
/* Server side: encapsulate to the client's key; reply is the server share
 * (reply_len bytes), ss the TLS shared secret (ss_len bytes). */
int qp_encapsulate(const qp_key *peer, uint8_t *reply, uint8_t *ss);
/* Client side: decapsulate the server share with the key's private parts. */
int qp_decapsulate(const qp_key *k, const uint8_t *reply, size_t reply_len, uint8_t *ss);

qp_key *qp_key_new(qp_provctx *prov, const qp_group *g);
void qp_key_free(qp_key *k);

/* provider.c: the provider entry point shared by module.c, the tests and
 * the fuzz target (for OSSL_PROVIDER_add_builtin). */
int qtpm_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx);

/* keymgmt.c / kem.c: the dispatch tables, one KEYMGMT per group. */
extern const OSSL_DISPATCH qp_km_x25519mlkem768_functions[];
extern const OSSL_DISPATCH qp_km_p256mlkem768_functions[];
extern const OSSL_DISPATCH qp_km_mlkem768_functions[];
extern const OSSL_DISPATCH qp_km_mlkem1024_functions[];
extern const OSSL_DISPATCH qp_kem_functions[];

#endif
