/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * join_internal.h — the pieces of the ECDAA join (join.c) the EK-bound
 * LDAA join (ldaa_host.c) reuses: the credential sent by MakeCredential to
 * the EK for a key's Name, and AES-256-GCM with that Name as AAD.
 */
#ifndef QTPM_DAA_JOIN_INTERNAL_H
#define QTPM_DAA_JOIN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/tpm2_types.h"

#define GCM_IV 12
#define GCM_TAG 16

/* enc = 1 encrypts in → out and writes the tag; enc = 0 decrypts and checks it. */
int daa_join_gcm(int enc, const uint8_t key[32], const uint8_t iv[GCM_IV], const uint8_t *aad,
                 size_t aad_len, const uint8_t *in, size_t len, uint8_t *out,
                 uint8_t tag[GCM_TAG]);
/* Appends TPM2B_ID_OBJECT ‖ TPM2B_ENCRYPTED_SECRET of MakeCredential(ek,
 * Name(key), secret) to out at *o; name receives Name(key). */
int daa_join_make_credential(const TPM2B_PUBLIC *ek, const TPM2B_PUBLIC *key,
                             const uint8_t *secret, size_t secret_len, uint8_t *out, size_t cap,
                             size_t *o, TPM2B_NAME *name);

#endif
