/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * classic_internal.h — what the classic-crypto files (hash.c, cipher.c,
 * rsa.c, ecc.c) share and nobody else sees: the mapping from qtpm's hash enum
 * to OpenSSL digests.
 */
#ifndef QTPM_CLASSIC_INTERNAL_H
#define QTPM_CLASSIC_INTERNAL_H

#include <openssl/evp.h>

#include "qtpm/classic.h"

/* OpenSSL's digest for alg (including SHA-3, which RSA padding may use), or
 * NULL for an unknown algorithm. The returned object is static; do not free. */
const EVP_MD *classic_evp_md(qtpm_hash_alg alg);

/* OpenSSL's name for alg ("SHA2-256", ...), or NULL. */
const char *classic_md_name(qtpm_hash_alg alg);

#endif
