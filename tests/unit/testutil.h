/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * testutil.h — helpers shared by the unit tests: hex decoding, loading a
 * Wycheproof JSON file from the shared vectors directory, and a per-file
 * vector counter that every Wycheproof test prints.
 */
#ifndef QTPM_TESTUTIL_H
#define QTPM_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>

/* Decodes a hex string into a fresh heap buffer (*out, *len); NULL string
 * gives an empty buffer. Fails the test on bad hex. Free with free(). */
void tu_hex(const char *hex, uint8_t **out, size_t *len);

/* Hex field of a JSON object as a buffer (missing field -> empty, *present = 0). */
void tu_json_hex(json_t *obj, const char *field, uint8_t **out, size_t *len, int *present);

/* Loads ../shared/vectors/wycheproof/testvectors_v1/<name>; fails the test if absent. */
json_t *tu_wycheproof_load(const char *name);

/* Returns 1 if the vector's "flags" array contains flag. */
int tu_has_flag(json_t *test, const char *flag);

/* Result field: 1 valid, 0 invalid, 2 acceptable. */
int tu_result(json_t *test);

/* Prints "<file>: N vectors (valid V, invalid I, acceptable A)". */
void tu_report(const char *file, size_t valid, size_t invalid, size_t acceptable);

#endif
