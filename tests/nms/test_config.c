/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_config.c — qtpm-nms's configuration file and structured log (src/nms/config.c,
 * log.c; ctest nms_config).
 *
 * Covered: every key read into its field (durations with units, the retention mapping,
 * flow style, comments, quoting); an empty file sets nothing; errors name FILE:LINE for
 * an unknown key (top level and in retention), a duplicate, a bad or out-of-range number,
 * a bad enumeration, a null value, a sequence, an alias, a tag, a second document, a
 * top level that is no mapping and a YAML syntax error — and leave the settings as they
 * were; a db conninfo is never echoed in an error; the JSON-lines log writes one JSON
 * object per line with exactly ts, level, msg and fields (control characters and invalid
 * UTF-8 escaped), the text log quotes values, and the level threshold drops records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "config.h"

static int parse(const char *text, qtpm_nms_config *c, char *err, size_t n)
{
    return qtpm_nms_config_parse(text, strlen(text), "nms.yaml", c, err, n);
}

static void test_all_keys(void **state)
{
    (void)state;
    qtpm_nms_config c;
    qtpm_nms_config_init(&c);
    char err[300] = "";
    const char *yaml = "# qtpm-nms\n"
                       "dir: /var/lib/qtpm-nms\n"
                       "db: \"postgresql:host=/run/postgresql dbname=qtpm\"\n"
                       "listen: '[::1]:8443'\n"
                       "web: /usr/share/qtpm/web\n"
                       "role: read-only\n"
                       "period: 5m\n"
                       "ttl: 600\n"
                       "log-format: json\n"
                       "log-level: warn\n"
                       "worker: https://10.0.0.2:8443\n"
                       "tls-groups: X25519MLKEM768\n"
                       "allow-classic-tls: false\n"
                       "allow-unbound-routers: true\n"
                       "retention:\n"
                       "  keep: 14d\n"
                       "  keep-last: 20\n"
                       "  keep-boots: 3\n"
                       "  batch: 1000\n"
                       "  interval: 1h\n";
    assert_int_equal(parse(yaml, &c, err, sizeof err), 0);
    assert_string_equal(c.dir, "/var/lib/qtpm-nms");
    assert_string_equal(c.db, "postgresql:host=/run/postgresql dbname=qtpm");
    assert_string_equal(c.listen, "[::1]:8443");
    assert_string_equal(c.web, "/usr/share/qtpm/web");
    assert_string_equal(c.role, "read-only");
    assert_int_equal(c.period, 300);
    assert_int_equal(c.ttl, 600);
    assert_int_equal(c.log_format, QTPM_LOG_JSON);
    assert_int_equal(c.log_level, QTPM_LOG_WARN);
    assert_string_equal(c.worker, "https://10.0.0.2:8443");
    assert_string_equal(c.tls_groups, "X25519MLKEM768");
    assert_int_equal(c.allow_classic_tls, 0);
    assert_int_equal(c.allow_unbound_routers, 1);
    assert_int_equal(c.retention.keep_seconds, 14 * 86400);
    assert_int_equal(c.retention.keep_last, 20);
    assert_int_equal(c.retention.keep_boots, 3);
    assert_int_equal(c.retention.batch, 1000);
    assert_int_equal(c.compact_interval, 3600);

    /* Flow style is YAML too; keys not named keep their values. */
    assert_int_equal(parse("{period: 10, retention: {keep-last: 2}}", &c, err, sizeof err), 0);
    assert_int_equal(c.period, 10);
    assert_int_equal(c.retention.keep_last, 2);
    assert_int_equal(c.retention.keep_boots, 3);
    assert_string_equal(c.dir, "/var/lib/qtpm-nms");

    /* Booleans are YAML's plain true/false only: yes, 1 or a quoted "true" is an error. */
    assert_int_equal(parse("allow-classic-tls: True\n", &c, err, sizeof err), 0);
    assert_int_equal(c.allow_classic_tls, 1);
    assert_int_equal(parse("allow-classic-tls: yes\n", &c, err, sizeof err), -1);
    assert_string_equal(err, "nms.yaml:1: allow-classic-tls: want true or false");
    assert_int_equal(parse("allow-unbound-routers: \"true\"\n", &c, err, sizeof err), -1);
    assert_int_equal(parse("allow-unbound-routers: 1\n", &c, err, sizeof err), -1);
    assert_int_equal(c.allow_unbound_routers, 1); /* left as it was */

    /* Empty and comment-only files set nothing. */
    qtpm_nms_config d;
    qtpm_nms_config_init(&d);
    assert_int_equal(parse("", &d, err, sizeof err), 0);
    assert_int_equal(parse("# nothing\n", &d, err, sizeof err), 0);
    assert_int_equal(d.period, 0);
    assert_int_equal(d.log_format, -1);
    assert_int_equal(d.compact_interval, 3600);
}

static void test_errors(void **state)
{
    (void)state;
    static const struct {
        const char *yaml, *err;
    } cases[] = {
        {"dir: /x\nlisten: 1\nperiodd: 5\n", "nms.yaml:3: unknown key 'periodd'"},
        {"retention:\n  keep: 1d\n  kept: 2\n", "nms.yaml:3: unknown key 'kept' in retention"},
        {"keep: 1d\n", "nms.yaml:1: unknown key 'keep'"},
        {"dir: /a\ndir: /b\n", "nms.yaml:2: dir given twice"},
        {"period: 0\n", "nms.yaml:1: period: want a duration (seconds, or N[smhd]) 1..86400"},
        {"period: 86401\n", "nms.yaml:1: period: want a duration (seconds, or N[smhd]) 1..86400"},
        {"period: 2d\n", "nms.yaml:1: period: want a duration (seconds, or N[smhd]) 1..86400"},
        {"period: 5x\n", "nms.yaml:1: period: want a duration (seconds, or N[smhd]) 1..86400"},
        {"period: -5\n", "nms.yaml:1: period: want a duration (seconds, or N[smhd]) 1..86400"},
        {"period: '5'\n", "nms.yaml:1: period: want a duration (seconds, or N[smhd]) 1..86400"},
        {"ttl: 99999999999999999999\n",
         "nms.yaml:1: ttl: want a duration (seconds, or N[smhd]) 1..604800"},
        {"retention:\n  keep-last: 0\n", "nms.yaml:2: keep-last: want an integer 1..1000000"},
        {"log-format: xml\n", "nms.yaml:1: log-format: want text or json"},
        {"\nlog-level: loud\n", "nms.yaml:2: log-level: want debug, info, warn or error"},
        {"role: admin\n", "nms.yaml:1: role: want operator or read-only"},
        {"dir:\n", "nms.yaml:1: dir needs a value"},
        {"dir: ~\n", "nms.yaml:1: dir needs a value"},
        {"dir: [a, b]\n", "nms.yaml:1: dir: want a single value"},
        {"dir: &a /x\nweb: *a\n", "nms.yaml:1: anchors are not accepted"},
        {"dir: !!str /x\n", "nms.yaml:1: dir: tags are not accepted"},
        {"retention: 5\n", "nms.yaml:1: retention: want a mapping of its keys"},
        {"- dir\n", "nms.yaml:1: the file must be a mapping of keys to values"},
        {"dir: /x\n---\ndir: /y\n", "nms.yaml:2: one document only"},
        {"dir: /x\n  listen: [\n", "nms.yaml:2: mapping values are not allowed in this context"},
        {"db: mysql:pw=secret\n", "nms.yaml:1: db: want sqlite:PATH or postgresql:CONNINFO"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        qtpm_nms_config c;
        qtpm_nms_config_init(&c);
        snprintf(c.dir, sizeof c.dir, "before");
        char err[300] = "";
        if (parse(cases[i].yaml, &c, err, sizeof err) != -1)
            fail_msg("case %zu accepted: %s", i, cases[i].yaml);
        if (strcmp(err, cases[i].err) != 0)
            fail_msg("case %zu: got '%s', want '%s'", i, err, cases[i].err);
        assert_string_equal(c.dir, "before"); /* nothing applied */
        assert_int_equal(c.period, 0);
        assert_null(strstr(err, "secret"));
    }
    char err[300];
    qtpm_nms_config c;
    qtpm_nms_config_init(&c);
    assert_int_equal(qtpm_nms_config_load("/nonexistent/nms.yaml", &c, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/nms.yaml: No such file or directory");
}

/* Runs fn with stderr going to a temp file; returns what was written (malloc'd). */
static char *capture(void (*fn)(void))
{
    char path[] = "/tmp/qtpm-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    fn();
    dup2(saved, STDERR_FILENO);
    close(saved);
    off_t n = lseek(fd, 0, SEEK_END);
    char *buf = calloc(1, (size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(pread(fd, buf, (size_t)n, 0), n);
    close(fd);
    unlink(path);
    return buf;
}

static void log_some(void)
{
    qtpm_nms_log(QTPM_LOG_INFO, "listening", "url", "https://127.0.0.1:1/", NULL);
    qtpm_nms_log(QTPM_LOG_DEBUG, "dropped below the threshold", NULL);
    qtpm_nms_log(QTPM_LOG_ERROR, "two\nlines", "error", "a \"quoted\"\tvalue", "bad", "\xff\xfe",
                 "none", NULL, NULL);
}

static void test_json_lines(void **state)
{
    (void)state;
    qtpm_nms_log_setup(QTPM_LOG_JSON, QTPM_LOG_INFO);
    char *out = capture(log_some);
    /* Two records, two lines, each a JSON object with exactly the four members. */
    char *save = NULL;
    int lines = 0;
    for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save), lines++) {
        json_error_t e;
        json_t *j = json_loads(l, JSON_REJECT_DUPLICATES, &e);
        if (!j)
            fail_msg("not JSON: %s (%s)", l, e.text);
        assert_int_equal(json_object_size(j), 4);
        const char *ts = json_string_value(json_object_get(j, "ts"));
        assert_non_null(ts);
        assert_int_equal(strlen(ts), 24); /* 2026-12-07T02:20:22.123Z */
        assert_int_equal(ts[23], 'Z');
        json_t *f = json_object_get(j, "fields");
        assert_true(json_is_object(f));
        if (lines == 0) {
            assert_string_equal(json_string_value(json_object_get(j, "level")), "info");
            assert_string_equal(json_string_value(json_object_get(j, "msg")), "listening");
            assert_string_equal(json_string_value(json_object_get(f, "url")),
                                "https://127.0.0.1:1/");
        } else {
            assert_string_equal(json_string_value(json_object_get(j, "level")), "error");
            assert_string_equal(json_string_value(json_object_get(j, "msg")), "two\nlines");
            assert_string_equal(json_string_value(json_object_get(f, "error")),
                                "a \"quoted\"\tvalue");
            assert_string_equal(json_string_value(json_object_get(f, "bad")), "\"\\xff\\xfe\"");
            assert_true(json_is_null(json_object_get(f, "none")));
        }
        json_decref(j);
    }
    assert_int_equal(lines, 2);
    free(out);
}

static void test_text(void **state)
{
    (void)state;
    qtpm_nms_log_setup(QTPM_LOG_TEXT, QTPM_LOG_DEBUG);
    char *out = capture(log_some);
    char *nl = strchr(out, '\n');
    assert_non_null(nl);
    /* "TS info listening url=https://..." */
    assert_non_null(strstr(out, " info listening url=https://127.0.0.1:1/\n"));
    assert_non_null(strstr(out, " debug dropped below the threshold\n"));
    assert_non_null(strstr(out, "error=\"a \\\"quoted\\\"\\x09value\" bad=\"\\xff\\xfe\" none=\"\"\n"));
    int lines = 0;
    for (char *p = out; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3); /* the message's newline is escaped: one record, one line */
    assert_non_null(strstr(out, " error two\\x0alines error="));
    free(out);
    qtpm_nms_log_setup(QTPM_LOG_TEXT, QTPM_LOG_INFO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_keys),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_json_lines),
        cmocka_unit_test(test_text),
    };
    return cmocka_run_group_tests_name("nms config and log", tests, NULL, NULL);
}
