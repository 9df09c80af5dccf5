/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_routers_view.c — GET /api/v1/routers?view=table's writer (src/nms/routers_view.c;
 * ctest nms_routers_view): the text it writes straight into the reply is valid JSON (as
 * jansson reads it) for every hostname — quotes, backslashes, control characters,
 * non-ASCII UTF-8 — and a name that is not UTF-8 (SQLite stores what it is given) becomes
 * null rather than invalid JSON; each row carries the router's newest verdict, its number
 * of reasons and the first reason's code and path; an empty store gives no rows.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <jansson.h>

#include "routers_view.h"
#include "store.h"

static char path[128], url[160];

static json_t *table(qtpm_store *st)
{
    struct evbuffer *b = evbuffer_new();
    assert_non_null(b);
    assert_int_equal(qtpm_nms_routers_table(st, b), 0);
    size_t n = evbuffer_get_length(b);
    json_error_t e;
    json_t *j = json_loadb((const char *)evbuffer_pullup(b, -1), n, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        fail_msg("not JSON: %s", e.text);
    evbuffer_free(b);
    return j;
}

static void test_rows(void **state)
{
    (void)state;
    snprintf(path, sizeof path, "/tmp/qtpm-rview-%ld.db", (long)getpid());
    snprintf(url, sizeof url, "sqlite:%s", path);
    unlink(path);
    qtpm_store *st = NULL;
    char err[256];
    assert_int_equal(qtpm_store_open(url, &st, err, sizeof err), 0);
    json_t *j = table(st);
    assert_int_equal(json_array_size(json_object_get(j, "rows")), 0);
    assert_int_equal(json_array_size(json_object_get(j, "columns")), 7);
    json_decref(j);

    static const char *const names[] = {"plain", "q\"uo\\te", "ctl\x01\t\n", "caf\xc3\xa9 \xe2\x9c\x93",
                                        "bad\xff\xfe", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char id[8];
        snprintf(id, sizeof id, "r%zu", i);
        assert_int_equal(qtpm_store_router_add(st, id, names[i], "enrolled"), 0);
    }
    assert_int_equal(qtpm_store_verdict_add(st, "r1", "unknown", "[{\"code\":\"x\"}]"), 0);
    assert_int_equal(qtpm_store_verdict_add(st, "r1", "bad",
                                            "[{\"code\":\"digest-mismatch\",\"path\":\"/a \\\"b\\\"\"},"
                                            "{\"code\":\"unknown-file\"}]"),
                     0);
    assert_int_equal(qtpm_store_verdict_add(st, "r2", "good", "[]"), 0);
    j = table(st);
    json_t *rows = json_object_get(j, "rows");
    assert_int_equal(json_array_size(rows), 6);
    for (size_t i = 0; i < 6; i++) {
        json_t *r = json_array_get(rows, i);
        assert_int_equal(json_array_size(r), 7);
        const char *host = json_string_value(json_array_get(r, 1));
        if (i == 4)
            assert_true(json_is_null(json_array_get(r, 1))); /* not UTF-8 */
        else
            assert_string_equal(host, names[i]);
    }
    json_t *r1 = json_array_get(rows, 1);
    assert_string_equal(json_string_value(json_array_get(r1, 2)), "bad");
    assert_string_equal(json_string_value(json_array_get(r1, 3)), "bad");
    assert_int_equal(json_integer_value(json_array_get(r1, 4)), 2);
    assert_string_equal(json_string_value(json_array_get(r1, 5)), "digest-mismatch");
    assert_string_equal(json_string_value(json_array_get(r1, 6)), "/a \"b\"");
    json_t *r2 = json_array_get(rows, 2);
    assert_string_equal(json_string_value(json_array_get(r2, 3)), "good");
    assert_int_equal(json_integer_value(json_array_get(r2, 4)), 0);
    assert_true(json_is_null(json_array_get(r2, 5)));
    json_t *r0 = json_array_get(rows, 0);
    assert_true(json_is_null(json_array_get(r0, 3))); /* never attested */
    json_decref(j);
    qtpm_store_close(st);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_rows)};
    return cmocka_run_group_tests_name("routers view", tests, NULL, NULL);
}
