/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * protect.h — protection (protect.c, Part 1 §22-24): wrapping and unwrapping
 * the sensitive area under a parent, the outer wrap, and secret sharing with
 * an asymmetric key (salts, credentials, imports).
 */
#ifndef QTPM_ENGINE_PROTECT_H
#define QTPM_ENGINE_PROTECT_H

#include "object.h"

TPM_RC object_decrypt_secret(qtpm_tpm *tpm, TPM_HANDLE h, const char *label, const uint8_t *in,
                             size_t in_len, uint8_t *out, size_t out_cap, uint16_t *out_len);
TPM_RC object_encrypt_secret(const tpm_object *key, const char *label, uint8_t *seed,
                             uint16_t *seed_len, uint8_t *secret, size_t secret_cap,
                             uint16_t *secret_len);
size_t object_parent_sym_bytes(const tpm_object *parent);
TPM_RC object_outer_wrap(TPM_ALG_ID alg, const uint8_t *seed, size_t seed_len, size_t klen,
                         const tpm_name *name, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t cap, uint16_t *out_len);
TPM_RC object_outer_unwrap(TPM_ALG_ID alg, const uint8_t *seed, size_t seed_len, size_t klen,
                           const tpm_name *name, const uint8_t *in, size_t len, uint8_t *plain,
                           size_t *plain_len);
size_t object_sensitive_2b(const tpm_object *obj, uint8_t *buf, size_t cap);
TPM_RC object_sensitive_from_2b(const uint8_t *buf, size_t len, TPMT_SENSITIVE *sens, TPM_ALG_ID type);
TPM_RC object_protect(const tpm_object *parent, const tpm_object *obj, uint8_t *out, size_t cap,
                      uint16_t *out_len);
TPM_RC object_check_binding(tpm_object *o);
/* The sensitive area of a private blob made by object_protect under parent,
 * checked against name (TPM_RC_INTEGRITY, parameter pnum, when it does not
 * verify). */
TPM_RC object_unprotect(const tpm_object *parent, const tpm_name *name, const uint8_t *in,
                        size_t len, TPMT_SENSITIVE *sens, TPM_ALG_ID type, unsigned pnum);
/* The checks Load makes of a sensitive area it unwrapped. */
TPM_RC object_check_loaded(tpm_object *o);

#endif
