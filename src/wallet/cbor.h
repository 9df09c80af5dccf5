/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cbor.h — a small strict CBOR reader (RFC 8949) for WebAuthn's attestation
 * objects and COSE keys (WebAuthn §6.5, RFC 9052 §7): definite lengths only,
 * shortest-form heads only (RFC 8949 §4.2.1 "preferred serialization", which
 * CTAP2 canonical CBOR requires), no floats, no tags, simple values
 * false/true/null only, nesting depth bounded. Anything else is an error,
 * never a guess. The reader never reads past its buffer.
 */
#ifndef QTPM_WALLET_CBOR_H
#define QTPM_WALLET_CBOR_H

#include <stddef.h>
#include <stdint.h>

enum { CBOR_UINT = 0, CBOR_NINT = 1, CBOR_BYTES = 2, CBOR_TEXT = 3, CBOR_ARRAY = 4,
       CBOR_MAP = 5, CBOR_SIMPLE = 7 };
#define CBOR_E_MALFORMED (-1201) /* truncated, non-shortest, indefinite, reserved */
#define CBOR_E_UNSUPPORTED (-1202) /* tags, floats, other simple values */
#define CBOR_E_DEPTH (-1203)
#define CBOR_E_TYPE (-1204)      /* not the type the caller asked for */
#define CBOR_MAX_DEPTH 16

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t off;
} cbor_reader;

void cbor_init(cbor_reader *r, const uint8_t *p, size_t len);
/* The next item's head: major type and argument (the value of an integer,
 * the length of a string, the count of an array or map, the simple value). */
int cbor_peek(const cbor_reader *r, int *major, uint64_t *arg);
/* Skips one whole item (with everything nested in it). */
int cbor_skip(cbor_reader *r);
/* One item of a given type. Strings point into the buffer. */
int cbor_read_int(cbor_reader *r, int64_t *v);
int cbor_read_bytes(cbor_reader *r, const uint8_t **p, size_t *len);
int cbor_read_text(cbor_reader *r, const uint8_t **p, size_t *len);
int cbor_read_map(cbor_reader *r, size_t *pairs);
int cbor_read_array(cbor_reader *r, size_t *items);
/* 0 when buf is exactly one well-formed item (the fuzz target's check). */
int cbor_check(const uint8_t *buf, size_t len);

#endif
