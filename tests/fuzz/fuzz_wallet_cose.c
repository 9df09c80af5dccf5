/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_wallet_cose.c — libFuzzer target for the wallet's COSE_Key parser
 * (src/wallet/webauthn.c, wa_cose_key): arbitrary bytes must give either a
 * public key of the announced algorithm or WA_E_KEY with no key, without
 * memory errors or undefined behaviour.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    EVP_PKEY *k = NULL;
    int alg = 0;
    int rc = wa_cose_key(data, size, &k, &alg);
    if (rc == 0) {
        if (!k || (alg == -7 ? !EVP_PKEY_is_a(k, "EC") : alg == -8 ? !EVP_PKEY_is_a(k, "ED25519") : 1))
            abort();
        EVP_PKEY_free(k);
    } else if (rc != WA_E_KEY || k) {
        abort();
    }
    return 0;
}
