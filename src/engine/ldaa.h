/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa.h — the lattice DAA's TPM part as vendor-specific commands (ldaa.c,
 * docs/DAA.md "LDAA in the engine"). The handlers' prototypes come from
 * QTPM_COMMANDS (commands.h); this header holds the sizes the commands and
 * their callers share.
 */
#ifndef QTPM_ENGINE_LDAA_H
#define QTPM_ENGINE_LDAA_H

/* The largest piece of an LDAA output one response carries: with a 10-byte
 * header, the parameter size, totalSize, the TPM2B size and three response
 * sessions it stays below QTPM_MAX_RESPONSE_SIZE (8192). */
#define LDAA_ENGINE_CHUNK 7680

/* The attributes an LDAA key must have, and those it must not. */
#define LDAA_KEY_SET                                                                          \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |       \
     TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT)
#define LDAA_KEY_CLEAR TPMA_OBJECT_DECRYPT

struct tpm_object;
/* ldaa_key.c: 1 when o is an EK-bound LDAA key (its unique is rho ‖ the
 * digest of t, docs/DAA.md "Join bound to the EK"); ldaa_key_unique fills
 * the digest from o's bits (-1, unique.size 0, when out of memory). */
int ldaa_key_bound(const struct tpm_object *o);
int ldaa_key_unique(struct tpm_object *o);

#endif
