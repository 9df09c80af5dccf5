/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_attest_parsers.c — libFuzzer target for libqtpm-attest's parsers of
 * untrusted input. The first byte picks the parser: 0 binary IMA list
 * (binary_runtime_measurements), 1 ASCII IMA list, 2 a signed digest list
 * (body parse, then full verification with a fixed key that never matches).
 * Every entry a parser accepts must serialise and parse back to the same
 * template data and path, and format as an ASCII line that parses back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/attest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_roundtrip(const qtpm_ima_list *l)
{
    for (size_t i = 0; i < l->count; i++) {
        const qtpm_ima_entry *e = &l->entries[i];
        uint8_t *bin = NULL;
        size_t len = 0;
        qtpm_ima_list back = { 0 };
        if (qtpm_ima_serialize_binary(e, &bin, &len) != 0 ||
            qtpm_ima_parse_binary(bin, len, &back) != 0 || back.count != 1 ||
            back.entries[0].template_data_len != e->template_data_len ||
            memcmp(back.entries[0].template_data, e->template_data, e->template_data_len) != 0 ||
            strcmp(back.entries[0].path, e->path) != 0)
            abort();
        free(bin);
        qtpm_ima_list_free(&back);
        uint8_t v[64];
        size_t vl = 0;
        if (qtpm_ima_extend_value(e, TPM_ALG_SHA256, v, &vl) != 0 || vl != 32)
            abort();
        char *line = NULL;
        if (qtpm_ima_format_ascii(e, &line) == 0) {
            qtpm_ima_list a = { 0 };
            /* a path with a space or newline cannot be told apart in ASCII */
            int plain = strpbrk(e->path, " \n\r\t") == NULL;
            if (qtpm_ima_parse_ascii(line, strlen(line), &a) != 0 && plain &&
                e->template_id != QTPM_IMA_TEMPLATE_IMA)
                abort();
            qtpm_ima_list_free(&a);
            free(line);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    unsigned mode = data[0];
#ifdef QTPM_FUZZ_MODE
    /* fuzz_ima_binary / fuzz_ima_ascii / fuzz_digestlist: one parser only;
     * the first byte is still skipped so the shared seed corpus applies. */
    mode = QTPM_FUZZ_MODE;
#endif
    if (mode == 0 || mode == 1) {
        qtpm_ima_list l = { 0 };
        int rc = mode == 0 ? qtpm_ima_parse_binary(p, n, &l)
                              : qtpm_ima_parse_ascii((const char *)p, n, &l);
        if (rc == 0)
            check_roundtrip(&l);
        qtpm_ima_list_free(&l);
    } else if (mode == 2) {
        qtpm_digestlist dl;
        size_t body = 0;
        if (qtpm_digestlist_parse_unverified(p, n, &dl, &body) == 0) {
            if (body > n)
                abort();
            for (size_t i = 0; i < dl.count; i++)
                (void)qtpm_digestlist_find(&dl, dl.entries[i].alg, dl.entries[i].digest,
                                           dl.entries[i].digest_len);
            qtpm_digestlist_free(&dl);
        }
        static const uint8_t zero_pk[1952];
        if (qtpm_digestlist_verify(p, n, zero_pk, sizeof zero_pk, "not a key", &dl) == 0)
            abort(); /* nothing verifies with a key that does not exist */
    }
    return 0;
}
