/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * testutil.c — shared helpers of the unit tests (see testutil.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void tu_hex(const char *hex, uint8_t **out, size_t *len)
{
    size_t n = hex ? strlen(hex) : 0;
    assert_int_equal(n % 2, 0);
    *len = n / 2;
    *out = malloc(*len + 1); /* +1 so an empty buffer is still a valid pointer */
    assert_non_null(*out);
    for (size_t i = 0; i < *len; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        assert_true(hi >= 0 && lo >= 0);
        (*out)[i] = (uint8_t)(hi << 4 | lo);
    }
}

void tu_json_hex(json_t *obj, const char *field, uint8_t **out, size_t *len, int *present)
{
    json_t *v = json_object_get(obj, field);
    if (present)
        *present = json_is_string(v);
    tu_hex(json_is_string(v) ? json_string_value(v) : NULL, out, len);
}

json_t *tu_wycheproof_load(const char *name)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/wycheproof/testvectors_v1/%s", QTPM_VECTORS_DIR, name);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    if (!root)
        fail_msg("cannot load %s: %s (line %d)", path, err.text, err.line);
    return root;
}

int tu_has_flag(json_t *test, const char *flag)
{
    json_t *flags = json_object_get(test, "flags");
    size_t i;
    json_t *f;
    json_array_foreach(flags, i, f) {
        if (json_is_string(f) && strcmp(json_string_value(f), flag) == 0)
            return 1;
    }
    return 0;
}

int tu_result(json_t *test)
{
    const char *r = json_string_value(json_object_get(test, "result"));
    assert_non_null(r);
    if (strcmp(r, "valid") == 0) return 1;
    if (strcmp(r, "invalid") == 0) return 0;
    if (strcmp(r, "acceptable") == 0) return 2;
    fail_msg("unknown result %s", r);
    return -1;
}

void tu_report(const char *file, size_t valid, size_t invalid, size_t acceptable)
{
    printf("%s: %zu vectors (valid %zu, invalid %zu, acceptable %zu)\n", file,
           valid + invalid + acceptable, valid, invalid, acceptable);
    fflush(stdout);
}
