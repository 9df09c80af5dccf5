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

#endif
