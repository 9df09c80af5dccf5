/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * common.c — error strings and secret wiping shared by every qtpm module.
 */
#include <string.h>

#include "qtpm/common.h"

const char *qtpm_strerror(int err)
{
    switch (err) {
    case QTPM_OK: return "success";
    case QTPM_E_PARAM: return "unsupported parameter or bad argument";
    case QTPM_E_LENGTH: return "input has the wrong length";
    case QTPM_E_INVALID: return "input is malformed";
    case QTPM_E_VERIFY: return "verification failed";
    case QTPM_E_RNG: return "random source failed";
    case QTPM_E_CRYPTO: return "crypto back end failed";
    case QTPM_E_NOMEM: return "out of memory";
    case QTPM_E_BUFFER: return "output buffer too small";
    case QTPM_E_BUSY: return "in use by another process";
    default: return "unknown error";
    }
}

void qtpm_memzero(void *p, size_t len)
{
    if (len == 0)
        return;
    memset(p, 0, len);
    /* The barrier tells the compiler the zeroed memory is observed, so the
     * memset is not removed as a dead store. */
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
