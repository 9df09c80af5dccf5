/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * object.h — loaded objects (Part 1 §23-27): the public area, the sensitive
 * area, the hierarchy an object belongs to and its Name; plus hash and HMAC
 * sequence objects, which live in the same slots.
 *
 * The object layer (objects.c) declared here: the object table, Names, the
 * keys of an object. Creation is derive.c's (derive.h), protection
 * protect.c's (protect.h), the commands object.c's.
 */
#ifndef QTPM_ENGINE_OBJECT_H
#define QTPM_ENGINE_OBJECT_H

#include "crypt.h"
#include "cmd.h"
#include "entity.h"
#include "hierarchy.h"

typedef struct tpm_object {
    TPM_HANDLE handle;
    TPMT_PUBLIC pub;
    TPMT_SENSITIVE sens;
    uint8_t has_sensitive;     /* 0 for a public-only LoadExternal */
    TPM_HANDLE hierarchy;      /* TPM_RH_OWNER / ENDORSEMENT / PLATFORM / NULL */
    tpm_name name;
    tpm_name qualified;
    uint8_t is_primary;
    uint8_t is_external;       /* loaded by LoadExternal */
    /* sequence objects (Part 3 §17) */
    uint8_t is_sequence;       /* 1 hash, 2 HMAC, 3 event */
    TPM_ALG_ID seq_alg;
    qtpm_hash_ctx seq_hash[PCR_BANK_COUNT];
    qtpm_hmac_ctx seq_hmac;
    uint8_t seq_first_block[8];
    uint8_t seq_ticket_ok;     /* no restricted-looking data was hashed */
    uint8_t seq_started;
    struct pqc_seq *pqc_seq;   /* v1.85 sign/verify sequences (pqc.c) */
    /* ML-DSA keys: the expanded signing key, computed at the first signature
     * and wiped with the object (pqc_keys.c, pqc_key_cache_free). */
    struct qtpm_mldsa_expanded *pqc_esk;
} tpm_object;


/* object.c */
/* the object table (objects.c) */
tpm_object *object_find(qtpm_tpm *tpm, TPM_HANDLE h);
void object_free(tpm_object *obj);
TPM_RC object_compute_name(tpm_object *obj);
/* unique = H(seedValue || sensitive) of keyedhash and symcipher objects */
void object_symmetric_unique(tpm_object *o);
TPM_RC object_insert(qtpm_tpm *tpm, tpm_object *obj, TPM_HANDLE *handle);
/* The end of a command that loads obj (Load, CreateLoaded, a sequence
 * start, ...): when rc is TPM_RC_SUCCESS, obj goes into the table and its
 * handle becomes the response handle; otherwise, or when the table is full,
 * obj is freed and the error returned. */
TPM_RC object_insert_out(qtpm_tpm *tpm, tpm_cmd *c, tpm_object *obj, TPM_RC rc);
void object_remove(qtpm_tpm *tpm, TPM_HANDLE h);
/* A sequence object of kind (is_sequence: 1 hash, 2 HMAC, 3 event, or a
 * v1.85 sign/verify sequence): NULL hierarchy, no Name algorithm,
 * USERWITHAUTH, and auth (its trailing zeros trimmed) as its authValue. */
void object_sequence_init(tpm_object *o, uint8_t kind, const TPM2B_AUTH *auth);
tpm_object *object_dup(const tpm_object *obj);
/* sym.c: an independent copy of a sequence object, its live hash, HMAC or
 * sign/verify state included (saved sequence contexts); NULL when out of
 * memory. */
tpm_object *sequence_dup(const tpm_object *seq);
int object_is_storage_parent(const tpm_object *obj);
/* Decrypts a secret sent to key h (salt, credential seed, import seed):
 * RSA-OAEP with the label, or ECDH + KDFe (Part 1 §24). */
/* The reverse (MakeCredential, and tests). */
/* hierarchy.c: proof value of the hierarchy an object belongs to (tickets,
 * context integrity). */

qtpm_ecc_curve object_ecc_curve(const tpm_object *o);
TPM_RC object_rsa_key(const tpm_object *o, int want_private, qtpm_rsa_key **key);


/* sensitive protection and loading helpers (object.c), for duplicate.c */
TPM_RC object_parent_arg(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out);
/* Create, Load, Import: the storage parent of handle h (object_parent_arg)
 * and a new object with the public area pub to go under it (free it with
 * object_free). */
TPM_RC object_child_new(qtpm_tpm *tpm, TPM_HANDLE h, const TPMT_PUBLIC *pub,
                        tpm_object **parent, tpm_object **o);
void object_compute_qualified(tpm_object *obj, const tpm_name *parent_qn);

/* asym.c: tickets and signing, shared with sym.c and attest.c */
#endif
