/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store_priv.h — what store.c lends the store's other files (retention.c): its statement
 * preparation with the $1-style parameters of db.h, and the adapter under a handle.
 * Private to src/store.
 */
#ifndef QTPM_STORE_PRIV_H
#define QTPM_STORE_PRIV_H

#include <stdarg.h>

#include "db.h"
#include "store.h"

/* Prepares sql and binds its parameters from fmt as store.c's own helpers do: one letter
 * per parameter, 't' a const char *, 'i' an int64_t, 'b' a const void * and a size_t. */
int qtpm_store_vprep_(qtpm_store *st, qtpm_db_stmt **s, const char *sql, const char *fmt,
                      va_list ap);

/* The adapter, its connection and the store's error buffer. */
const qtpm_db_ops *qtpm_store_ops_(qtpm_store *st, qtpm_db **db, char **err, size_t *errlen);

#endif
