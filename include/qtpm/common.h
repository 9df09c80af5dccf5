/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/common.h — the error codes every qtpm library function returns, and the
 * one secret-wiping primitive all modules share.
 *
 * Library code returns a qtpm_err (0 = success, negative = failure); TPM code
 * returns TPM_RC instead. Nothing in the libraries calls exit().
 */
#ifndef QTPM_COMMON_H
#define QTPM_COMMON_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    QTPM_OK = 0,
    QTPM_E_PARAM = -1,      /* unknown parameter set / algorithm / bad argument */
    QTPM_E_LENGTH = -2,     /* an input has the wrong length */
    QTPM_E_INVALID = -3,    /* an input is malformed (e.g. key fails its check) */
    QTPM_E_VERIFY = -4,     /* a signature or MAC did not verify */
    QTPM_E_RNG = -5,        /* the random source failed */
    QTPM_E_CRYPTO = -6,     /* the OpenSSL back end reported an error */
    QTPM_E_NOMEM = -7,      /* an allocation failed (never in the PQC paths) */
    QTPM_E_BUFFER = -8,     /* an output buffer is too small */
    QTPM_E_BUSY = -9,       /* in use by someone else (a locked state directory) */
} qtpm_err;

/* A short English description of an error code (never NULL). */
const char *qtpm_strerror(int err);

/* Overwrites len bytes at p with zeros in a way the compiler may not elide. */
void qtpm_memzero(void *p, size_t len);

#endif
