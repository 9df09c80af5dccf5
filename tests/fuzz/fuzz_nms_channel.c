/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_nms_channel: the parser of POST /api/v1/channel/bind (src/nms/channel.c,
 * qtpm_nms_channel_parse_bind): the input is the request body as it arrives (JSON, at
 * most the gate's 4 MiB). Every call must return, with no leak or UB; an accepted body
 * must name a router and carry a public area and a signature that marshal again.
 *
 * Built with -DQTPM_FUZZ_SEED_CHECK (ctest nms_channel_fuzz_seeds) it is a plain program:
 * each file named on the command line runs once and "<file> ok" or "<file> refused" is
 * printed, so the test can assert what each seed of tests/fuzz/corpus-channel does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "channel.h"
#include "qtpm/marshal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int last_ok;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    last_ok = 0;
    json_error_t e;
    json_t *j = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        return 0;
    if (json_is_object(j)) {
        const char *router = NULL;
        TPM2B_PUBLIC pub;
        TPMT_SIGNATURE sig;
        if (qtpm_nms_channel_parse_bind(j, &router, &pub, &sig) == 0) {
            static uint8_t buf[sizeof(TPM2B_PUBLIC) + sizeof(TPMT_SIGNATURE) + 8];
            size_t off = 0;
            if (!router || qtpm_TPM2B_PUBLIC_marshal(&pub, buf, sizeof buf, &off) != TPM_RC_SUCCESS)
                abort(); /* accepted, but not a public area */
            off = 0;
            if (qtpm_TPMT_SIGNATURE_marshal(&sig, buf, sizeof buf, &off) != TPM_RC_SUCCESS)
                abort();
            last_ok = 1;
        }
    }
    json_decref(j);
    return 0;
}

#ifdef QTPM_FUZZ_SEED_CHECK
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 2;
        }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        const char *base = strrchr(argv[i], '/');
        printf("%s %s\n", base ? base + 1 : argv[i], last_ok ? "ok" : "refused");
    }
    return 0;
}
#endif
