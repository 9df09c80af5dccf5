/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vcache.h — the per-process copy of routers' verifier states and AKs (vcache.c;
 * private to src/store).
 */
#ifndef QTPM_VCACHE_H
#define QTPM_VCACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct qtpm_vcache qtpm_vcache;

qtpm_vcache *qtpm_vcache_new(void);
void qtpm_vcache_free(qtpm_vcache *c);
/* Forgets every value (after a rollback: what was put may not have been committed). */
void qtpm_vcache_clear(qtpm_vcache *c);
/* The copies (NULL: not known); valid until the next put or forget of that router. */
const char *qtpm_vcache_state(qtpm_vcache *c, const char *id);
const uint8_t *qtpm_vcache_ak(qtpm_vcache *c, const char *id, size_t *len);
void qtpm_vcache_put_state(qtpm_vcache *c, const char *id, const char *state);
void qtpm_vcache_put_ak(qtpm_vcache *c, const char *id, const uint8_t *ak, size_t len);
void qtpm_vcache_forget(qtpm_vcache *c, const char *id);

#endif
