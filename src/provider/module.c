/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * module.c — the loadable module's one exported symbol: OpenSSL looks up
 * OSSL_provider_init when it loads qtpm.so (provider(7)). Everything else
 * is in provider.c, which the tests link statically.
 */
#include <openssl/core.h>

#include "provider_internal.h"

/* Declared by <openssl/core.h> (OPENSSL_EXPORT OSSL_provider_init_fn). */
int OSSL_provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                       const OSSL_DISPATCH **out, void **provctx)
{
    return qtpm_provider_init(handle, in, out, provctx);
}
