/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_wallet_cbor.c — libFuzzer target for the wallet's strict CBOR reader
 * (src/wallet/cbor.c): any input must be accepted or refused without a read
 * outside the buffer (ASan) or undefined behaviour (UBSan); an accepted
 * input must be walked again field by field to its exact end, and every
 * typed read must either succeed or leave the reader where it was.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cbor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cbor_reader r;
    int rc = cbor_check(data, size);
    if (rc != 0)
        return 0;
    /* accepted: a typed walk of the top level reaches the same end */
    cbor_init(&r, data, size);
    int major;
    uint64_t arg;
    if (cbor_peek(&r, &major, &arg) != 0)
        abort();
    if (major == CBOR_MAP || major == CBOR_ARRAY) {
        size_t n = 0;
        if ((major == CBOR_MAP ? cbor_read_map(&r, &n) : cbor_read_array(&r, &n)) != 0)
            abort();
        size_t items = major == CBOR_MAP ? 2 * n : n;
        for (size_t i = 0; i < items; i++) {
            size_t before = r.off, l;
            const uint8_t *p;
            int64_t v;
            if (cbor_read_bytes(&r, &p, &l) != 0 && r.off != before)
                abort();
            if (r.off == before && cbor_read_int(&r, &v) != 0 && r.off != before)
                abort();
            if (r.off == before && cbor_skip(&r) != 0)
                abort();
        }
    } else if (cbor_skip(&r) != 0) {
        abort();
    }
    if (r.off != size)
        abort();
    return 0;
}
