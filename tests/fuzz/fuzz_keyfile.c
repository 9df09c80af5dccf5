/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_keyfile.c — libFuzzer target for the key files that the qtpm CLI and
 * qtpm-provider's qtpm:file: loader read (qtpm/tss_keyfile.h, src/tss/keyfile.c):
 * tpm2-tools context files (with and without ESYS's wrapper) and serialized
 * persistent handles. Any input must be refused or parsed without a read
 * outside it; a parsed context must carry a blob no larger than its type.
 *
 * Built with -DQTPM_FUZZ_SEED_CHECK (ctest keyfile_fuzz_seeds) it is a plain
 * program printing "<file> accepted|refused" for each file it is given.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/tss_keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(const uint8_t *d, size_t n)
{
    TPMS_CONTEXT ctx;
    TPM2B_PUBLIC pub;
    TPM_HANDLE h;
    uint32_t version;

    if (qtpm_keyfile_is_context(d, n)) {
        if (qtpm_keyfile_context_parse(d, n, &ctx, &pub, &version) != 0)
            return 0;
        if (ctx.contextBlob.size > sizeof ctx.contextBlob.buffer || pub.size > sizeof pub.publicArea + 2)
            abort();
        return 1;
    }
    if (qtpm_keyfile_serialized_tr_parse(d, n, &h, &pub) != 0)
        return 0;
    if ((h >> 24) != TPM_HT_PERSISTENT && (h >> 24) != TPM_HT_NV_INDEX)
        abort();
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)run(data, size);
    return 0;
}

#ifdef QTPM_FUZZ_SEED_CHECK
int main(int argc, char **argv)
{
    static uint8_t buf[1 << 16];

    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        size_t n;
        if (f == NULL) {
            perror(argv[i]);
            return 2;
        }
        n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        printf("%s %s\n", argv[i], run(buf, n) ? "accepted" : "refused");
    }
    return 0;
}
#endif
