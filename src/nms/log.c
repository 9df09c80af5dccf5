/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c — qtpm-nms's structured log (config.h).
 *
 * Every record goes to stderr (journald or the service manager collects it) as one line:
 * with --log-format json one JSON object per line (JSON Lines), exactly
 *   {"ts":"2026-12-07T02:20:22.123Z","level":"info","msg":"listening","fields":{...}}
 * serialised by jansson (so any byte in a value is escaped, and a line never breaks);
 * with text, "TS LEVEL msg key=value ..." where values holding spaces, quotes or control
 * characters are quoted with C-style escapes. A record is written with one write(2), so
 * lines of concurrent writers do not interleave (O_APPEND or a pipe, under PIPE_BUF
 * for the usual lengths).
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static int log_format = QTPM_LOG_TEXT;
static int log_level = QTPM_LOG_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

void qtpm_nms_log_setup(int format, int level)
{
    if (format >= 0)
        log_format = format;
    if (level >= 0)
        log_level = level;
}

static void timestamp(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* Appends to a text line of capacity cap (*n never passes cap; the tail is cut). */
static void put(char *line, size_t cap, size_t *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(char *line, size_t cap, size_t *n, const char *fmt, ...)
{
    if (*n >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(line + *n, cap - *n, fmt, ap);
    va_end(ap);
    if (w > 0)
        *n = *n + (size_t)w < cap ? *n + (size_t)w : cap - 1;
}

/* Whether s is valid UTF-8 (jansson's check: it refuses anything else). */
static int utf8_ok(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}

/* Appends v with control characters (and, when quoting, '"' and '\\') escaped, and every
 * byte above 0x7f too when v is not valid UTF-8. */
static void escaped(char *line, size_t cap, size_t *n, const char *v, int quoting)
{
    int utf8 = utf8_ok(v);
    for (const char *p = v; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (quoting && (ch == '"' || ch == '\\'))
            put(line, cap, n, "\\%c", ch);
        else if (ch < ' ' || ch == 0x7f || (ch > 0x7f && !utf8))
            put(line, cap, n, "\\x%02x", ch);
        else
            put(line, cap, n, "%c", ch);
    }
}

/* Appends v to the text line, quoted when it would not read back as one word. */
static void text_value(char *line, size_t cap, size_t *n, const char *v)
{
    int plain = *v != '\0';
    for (const char *p = v; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\\' || *p == '=' ||
            (unsigned char)*p == 0x7f)
            plain = 0;
    plain = plain && utf8_ok(v);
    if (plain) {
        put(line, cap, n, "%s", v);
        return;
    }
    put(line, cap, n, "\"");
    escaped(line, cap, n, v, 1);
    put(line, cap, n, "\"");
}

static void write_all(const char *s, size_t n)
{
    while (n > 0) {
        ssize_t w = write(STDERR_FILENO, s, n);
        if (w <= 0)
            return;
        s += w;
        n -= (size_t)w;
    }
}

void qtpm_nms_log(int level, const char *msg, ...)
{
    if (level < log_level || level < 0 || level > QTPM_LOG_ERROR)
        return;
    char ts[32];
    timestamp(ts);
    va_list ap;
    va_start(ap, msg);
    if (log_format == QTPM_LOG_JSON) {
        json_t *fields = json_object();
        for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
            const char *v = va_arg(ap, const char *);
            /* json_string refuses invalid UTF-8: such a value goes in hex-escaped. */
            json_t *jv = v ? json_string(v) : json_null();
            if (!jv) {
                char esc[512];
                size_t n = 0;
                esc[0] = '\0';
                text_value(esc, sizeof esc, &n, v);
                jv = json_string(esc);
            }
            json_object_set_new(fields, k, jv ? jv : json_null());
        }
        json_t *rec = json_pack("{s:s,s:s,s:s,s:o}", "ts", ts, "level", level_names[level],
                                "msg", msg, "fields", fields);
        char *line = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        if (line) {
            size_t n = strlen(line);
            char *l2 = realloc(line, n + 2);
            if (l2) {
                l2[n] = '\n';
                write_all(l2, n + 1);
                line = l2;
            }
        }
        free(line);
        json_decref(rec);
    } else {
        char line[4096];
        size_t cap = sizeof line - 1, n = 0; /* one byte kept for the newline */
        put(line, cap, &n, "%s %s ", ts, level_names[level]);
        escaped(line, cap, &n, msg, 0); /* a message never breaks the line */
        for (const char *k; (k = va_arg(ap, const char *)) != NULL;) {
            const char *v = va_arg(ap, const char *);
            put(line, cap, &n, " %s=", k);
            text_value(line, cap, &n, v ? v : "");
        }
        line[n++] = '\n';
        write_all(line, n);
    }
    va_end(ap);
}
