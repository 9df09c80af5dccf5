/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * derive.h — key derivation and generation (derive.c): the template checks
 * of the creating commands and the secret values of a new object, derived
 * from a hierarchy seed (primaries) or drawn from the RNG.
 */
#ifndef QTPM_ENGINE_DERIVE_H
#define QTPM_ENGINE_DERIVE_H

#include "object.h"

/* Derivation source for primaries (seed) or NULL for fresh randomness. */
typedef struct {
    qtpm_tpm *tpm; /* whose primary-key cache to use (prime.c) */
    const uint8_t *seed;
    size_t seed_len;
    uint8_t ctx[MAX_DIGEST + MAX_SYM_DATA];
    size_t ctx_len;
} derive_src;

/* Part 3 §12.1 checks of a template (and the sensitive data that comes
 * with it) under parent (NULL for a primary). */
TPM_RC object_check_template(const TPMT_PUBLIC *pub, const TPMS_SENSITIVE_CREATE *sc,
                             const tpm_object *parent);
/* The sensitive area and unique field of o from src (NULL: the RNG). */
TPM_RC object_generate(tpm_object *o, const TPMS_SENSITIVE_CREATE *sc, const derive_src *src);

#endif
