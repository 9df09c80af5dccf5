/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ima_replay.c — the VM test's host side (tests/vm/vm_ima.sh): parses a
 * real kernel's binary_runtime_measurements with libqtpm-attest
 * (qtpm_ima_parse_binary) and replays it into PCR 10 of a bank
 * (qtpm_ima_extend_value: H_alg(template data), 0xFF.. for a violation),
 * printing "entries N", "replay-<alg> <hex>" and each entry's path.
 *
 *   qtpm-ima-replay LIST_FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/attest.h"
#include "qtpm/classic.h"

static int replay(const qtpm_ima_list *l, TPMI_ALG_HASH alg, qtpm_hash_alg h, const char *name)
{
    uint8_t pcr[64] = {0}, v[64], buf[128];
    size_t n = qtpm_hash_size(h), vl;
    for (size_t i = 0; i < l->count; i++) {
        if (l->entries[i].pcr != 10)
            continue;
        vl = sizeof(v);
        if (qtpm_ima_extend_value(&l->entries[i], alg, v, &vl) != 0 || vl != n)
            return -1;
        memcpy(buf, pcr, n);
        memcpy(buf + n, v, n);
        if (qtpm_hash(h, buf, 2 * n, pcr) != 0)
            return -1;
    }
    printf("replay-%s ", name);
    for (size_t i = 0; i < n; i++)
        printf("%02x", pcr[i]);
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    static uint8_t data[4 << 20];
    size_t len;
    FILE *f;
    qtpm_ima_list l;

    if (argc != 2) {
        fprintf(stderr, "usage: %s LIST_FILE\n", argv[0]);
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 1;
    }
    len = fread(data, 1, sizeof(data), f);
    fclose(f);
    memset(&l, 0, sizeof(l));
    if (qtpm_ima_parse_binary(data, len, &l) != 0) {
        fprintf(stderr, "%s: not a valid IMA binary measurement list\n", argv[1]);
        return 1;
    }
    printf("entries %zu\n", l.count);
    for (size_t i = 0; i < l.count; i++)
        printf("entry %u %s\n", (unsigned)l.entries[i].pcr, l.entries[i].path);
    int rc = replay(&l, TPM_ALG_SHA1, QTPM_HASH_SHA1, "sha1") ||
             replay(&l, TPM_ALG_SHA256, QTPM_HASH_SHA256, "sha256");
    qtpm_ima_list_free(&l);
    return rc ? 1 : 0;
}
