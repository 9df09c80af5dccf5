/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nonces.h — the in-memory challenge table of nonces.c (private to src/store; the store
 * uses it when qtpm_store_nonces_in_memory is on).
 */
#ifndef QTPM_NONCES_H
#define QTPM_NONCES_H

#include <stddef.h>
#include <stdint.h>

#define QTPM_NONCE_HEX_MAX 64 /* 32-byte nonces in hex */

enum {
    QTPM_NONCES_OK = 0,
    QTPM_NONCES_ABSENT,    /* take: not issued here (or already used) */
    QTPM_NONCES_EXPIRED,   /* take: issued here, too old (now used up) */
    QTPM_NONCES_DUPLICATE, /* put: this router already holds that nonce */
    QTPM_NONCES_UNFIT,     /* put: id or nonce too long or empty, bad expiry */
    QTPM_NONCES_FULL,      /* put: out of memory or more routers than the cap */
};

typedef struct qtpm_nonces qtpm_nonces;

qtpm_nonces *qtpm_nonces_new(void);
void qtpm_nonces_free(qtpm_nonces *t);
/* Issues hex to router until expires (seconds); evicts the router's oldest of two. */
int qtpm_nonces_put(qtpm_nonces *t, const char *router, const char *hex, int64_t expires);
/* Single use: a match is consumed; OK only if it had not expired at now. */
int qtpm_nonces_take(qtpm_nonces *t, const char *router, const char *hex, int64_t now);
/* Routers that have a slot. */
size_t qtpm_nonces_routers(const qtpm_nonces *t);

#endif
