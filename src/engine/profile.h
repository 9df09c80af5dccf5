/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * profile.h — TPM profiles (profile.c, docs/SERVER.md "Profiles"): which of
 * the algorithms and commands the engine implements one TPM offers.
 *
 * A profile is fixed when a TPM is manufactured and kept in its state, as
 * libtpms 0.10 does: `default` (everything), `compat-tss3` (no SHA-3, for
 * clients on tpm2-tss 3.2.1, which cannot hash with it), or `custom`, a
 * JSON map {"Name":"custom","Algorithms":"sha256,rsa,...","Commands":
 * "0x11f-0x130,..."} of what stays on. A disabled algorithm or command
 * answers exactly as one the engine never implemented: GetCapability does
 * not list it, and a command naming it fails as its unmarshalling rule says
 * (TPM_RC_HASH for a TPMI_ALG_HASH, TPM_RC_TYPE, _SCHEME, _SYMMETRIC ...;
 * TPM_RC_COMMAND_CODE for a command).
 */
#ifndef QTPM_ENGINE_PROFILE_H
#define QTPM_ENGINE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/engine.h"
#include "qtpm/tpm2_types.h"

enum { PROFILE_DEFAULT = 1, PROFILE_COMPAT_TSS3 = 2, PROFILE_CUSTOM = 3 };

/* The longest canonical profile text (a custom profile naming every
 * algorithm and a command list of single codes fits). */
#define PROFILE_TEXT_MAX 2048

typedef struct tpm_profile {
    uint8_t kind;                                          /* PROFILE_* */
    uint8_t alg_on[32];                                    /* bit per TPM_ALG_ID < 256 */
    uint8_t cc_on[(TPM_CC_LAST - TPM_CC_FIRST) / 8 + 1];   /* bit per cc - TPM_CC_FIRST */
} tpm_profile;

/* Parses a profile: a built-in name ("default", "compat-tss3") or a JSON
 * map as above. QTPM_OK, or QTPM_E_INVALID with the reason in err. */
int profile_parse(const char *spec, tpm_profile *p, char *err, size_t err_size);
/* The profile every TPM had before profiles existed. */
void profile_default(tpm_profile *p);
/* The canonical text of a profile (what the state keeps, what
 * profile_parse reads back to the same profile); its length, or 0 if cap
 * is too small. */
size_t profile_write(const tpm_profile *p, char *out, size_t cap);
int profile_equal(const tpm_profile *a, const tpm_profile *b);
const char *profile_name(const tpm_profile *p);
int profile_alg_enabled(const tpm_profile *p, TPM_ALG_ID alg);
int profile_command_enabled(const tpm_profile *p, TPM_CC cc);

/* The algorithm checks of the commands, through the TPM's profile.
 * tpm_hash_size is crypt_hash_size for a hash the profile enables and 0 (not
 * implemented) for any other; every command parameter naming a hash is
 * checked with it. */
size_t tpm_hash_size(const qtpm_tpm *tpm, TPM_ALG_ID alg);
int tpm_alg_enabled(const qtpm_tpm *tpm, TPM_ALG_ID alg);
/* A command of the table that the profile enables (what PolicyCommandCode
 * and command audit treat as implemented). */
int tpm_command_offered(const qtpm_tpm *tpm, TPM_CC cc);

#endif
