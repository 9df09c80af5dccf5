/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_wallet_attest.c — libFuzzer target for the WebAuthn ceremony parsers
 * of src/wallet/webauthn.c: byte 0 picks registration (wa_verify_registration:
 * attestation object CBOR, authData with attested credential data,
 * clientDataJSON) or assertion (wa_verify_assertion with a fixed P-256 key);
 * bytes 1-2 give the clientDataJSON length, bytes 3-4 (assertions) the
 * authenticatorData length; the rest is split accordingly. A success must
 * come with a credential of consistent lengths pointing into the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "webauthn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static EVP_PKEY *key;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t chal[32] = { 1, 2, 3 };
    wa_expect e = { "localhost", "https://localhost:8443", chal, sizeof chal, 5, 1 };
    if (!key && !(key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")))
        abort();
    if (size < 5)
        return 0;
    size_t cl = (size_t)data[1] << 8 | data[2];
    const uint8_t *p = data + 5;
    size_t rest = size - 5;
    if (cl > rest)
        return 0;
    if (data[0] & 1) {
        wa_credential c;
        int rc = wa_verify_registration(&e, p + cl, rest - cl, p, cl, &c);
        if (rc == 0 && (c.cred_id < p + cl || c.cose + c.cose_len > data + size ||
                        c.cred_id_len == 0 || (c.alg != -7 && c.alg != -8)))
            abort();
    } else {
        size_t al = (size_t)data[3] << 8 | data[4];
        if (cl + al > rest)
            return 0;
        uint32_t next = 0;
        int rc = wa_verify_assertion(key, -7, &e, p + cl, al, p, cl, p + cl + al,
                                     rest - cl - al, &next);
        if (rc == 0 && next <= 5)
            abort();
    }
    return 0;
}
