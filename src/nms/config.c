/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.c — qtpm-nms's YAML configuration file (config.h), parsed with libyaml's event
 * parser (YAML 1.1; Debian's libyaml-0-2).
 *
 * The accepted shape is small on purpose: one document holding one block or flow mapping
 * from the keys of the table below to scalars, and `retention:` to a mapping of its own
 * keys. Anchors, aliases, tags, sequences, a second document, null values and duplicate
 * keys are errors, as is an unknown key (a misspelt option must not be ignored
 * silently). Numbers are decimal; durations may end in s, m, h or d. Every error names the
 * file and the 1-based line of the offending node (libyaml's marks count from 0). The
 * settings are applied only when the whole file is good.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

void qtpm_nms_config_init(qtpm_nms_config *c)
{
    memset(c, 0, sizeof *c);
    c->log_format = -1;
    c->log_level = -1;
    qtpm_store_retention_default(&c->retention);
    c->compact_interval = 3600;
}

int qtpm_nms_log_format_parse(const char *s)
{
    return !strcmp(s, "text") ? QTPM_LOG_TEXT : !strcmp(s, "json") ? QTPM_LOG_JSON : -1;
}

int qtpm_nms_log_level_parse(const char *s)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

enum kind { K_STRING, K_ROLE, K_DB, K_FORMAT, K_LEVEL, K_INT, K_DURATION, K_BOOL, K_SECTION };

struct key {
    const char *name;
    enum kind kind;
    int section; /* 0: top level, 1: retention */
    size_t off;  /* into qtpm_nms_config */
    size_t size; /* of a string field (numbers are int64_t, log settings int) */
    long long lo, hi;
};

#define STR(n, f, k) {n, k, 0, offsetof(qtpm_nms_config, f), sizeof((qtpm_nms_config *)0)->f, 0, 0}
#define NUM(n, k, s, f, lo, hi) \
    {n, k, s, offsetof(qtpm_nms_config, f), sizeof((qtpm_nms_config *)0)->f, lo, hi}

static const struct key keys[] = {
    STR("dir", dir, K_STRING),
    STR("db", db, K_DB),
    STR("listen", listen, K_STRING),
    STR("web", web, K_STRING),
    STR("role", role, K_ROLE),
    NUM("period", K_DURATION, 0, period, 1, 86400),
    NUM("ttl", K_DURATION, 0, ttl, 1, 7 * 86400),
    NUM("log-format", K_FORMAT, 0, log_format, 0, 0),
    NUM("log-level", K_LEVEL, 0, log_level, 0, 0),
    STR("worker", worker, K_STRING),
    STR("tls-groups", tls_groups, K_STRING),
    NUM("allow-classic-tls", K_BOOL, 0, allow_classic_tls, 0, 1),
    NUM("allow-unbound-routers", K_BOOL, 0, allow_unbound_routers, 0, 1),
    {"retention", K_SECTION, 0, 0, 0, 0, 0},
    NUM("keep", K_DURATION, 1, retention.keep_seconds, 0, 10LL * 366 * 86400),
    NUM("keep-last", K_INT, 1, retention.keep_last, 1, 1000000),
    NUM("keep-boots", K_INT, 1, retention.keep_boots, 1, 1000),
    NUM("batch", K_INT, 1, retention.batch, 1, 1000000),
    NUM("interval", K_DURATION, 1, compact_interval, 0, 7 * 86400),
};
#define N_KEYS (sizeof keys / sizeof keys[0])

struct parse {
    yaml_parser_t p;
    const char *name;
    char *err;
    size_t errlen;
    int seen[N_KEYS];
};

static int fail(struct parse *ps, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct parse *ps, const yaml_mark_t *m, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(ps->err, ps->errlen, "%s:%zu: %s", ps->name, m->line + 1, what);
    return -1;
}

/* The next event; a libyaml syntax error becomes ours (with its line). */
static int next(struct parse *ps, yaml_event_t *ev)
{
    if (yaml_parser_parse(&ps->p, ev))
        return 0;
    const char *problem = ps->p.problem ? ps->p.problem : "syntax error";
    snprintf(ps->err, ps->errlen, "%s:%zu: %s", ps->name, ps->p.problem_mark.line + 1,
             problem);
    return -1;
}

/* A decimal number, with an optional s/m/h/d multiplier for durations. */
static int number(const char *s, int duration, long long *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno)
        return -1;
    long long mul = 1;
    if (duration && *end && !end[1]) {
        mul = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 0;
        if (mul)
            end++;
    }
    if (*end || !mul || v > LLONG_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}

static int set_value(struct parse *ps, const struct key *k, const yaml_event_t *ev,
                     qtpm_nms_config *c)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    char *field = (char *)c + k->off;
    if (ev->data.scalar.tag)
        return fail(ps, &ev->start_mark, "%s: tags are not accepted", k->name);
    if (strlen(v) != n)
        return fail(ps, &ev->start_mark, "%s: the value holds a NUL byte", k->name);
    if (n == 0 || (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                   (!strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
                    !strcmp(v, "NULL"))))
        return fail(ps, &ev->start_mark, "%s needs a value", k->name);
    switch (k->kind) {
    case K_STRING:
    case K_ROLE:
    case K_DB:
        if (n >= k->size)
            return fail(ps, &ev->start_mark, "%s: longer than %zu bytes", k->name,
                        k->size - 1);
        if (k->kind == K_ROLE && strcmp(v, "operator") && strcmp(v, "read-only"))
            return fail(ps, &ev->start_mark, "role: want operator or read-only");
        if (k->kind == K_DB && strncmp(v, "sqlite:", 7) && strncmp(v, "postgresql:", 11) &&
            strncmp(v, "postgres:", 9))
            /* The value itself is not repeated: a conninfo may hold a password. */
            return fail(ps, &ev->start_mark, "db: want sqlite:PATH or postgresql:CONNINFO");
        memcpy(field, v, n + 1);
        return 0;
    case K_FORMAT:
    case K_LEVEL: {
        int x = k->kind == K_FORMAT ? qtpm_nms_log_format_parse(v) : qtpm_nms_log_level_parse(v);
        if (x < 0)
            return fail(ps, &ev->start_mark, k->kind == K_FORMAT
                                                 ? "log-format: want text or json"
                                                 : "log-level: want debug, info, warn or error");
        *(int *)field = x;
        return 0;
    }
    case K_INT:
    case K_DURATION: {
        long long x;
        if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
            number(v, k->kind == K_DURATION, &x) || x < k->lo || x > k->hi)
            return fail(ps, &ev->start_mark, "%s: want %s %lld..%lld", k->name,
                        k->kind == K_DURATION ? "a duration (seconds, or N[smhd])"
                                              : "an integer",
                        k->lo, k->hi);
        *(int64_t *)field = x;
        return 0;
    }
    case K_BOOL: {
        /* YAML 1.2's core schema booleans, plain only: a quoted "true" is a string. */
        int t = !strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE");
        int f = !strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE");
        if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE || (!t && !f))
            return fail(ps, &ev->start_mark, "%s: want true or false", k->name);
        *(int *)field = t;
        return 0;
    }
    case K_SECTION:
        break;
    }
    return fail(ps, &ev->start_mark, "%s: internal error", k->name);
}

/* The entries of a mapping whose MAPPING-START was just read, up to its MAPPING-END. */
static int mapping(struct parse *ps, int section, qtpm_nms_config *c)
{
    for (;;) {
        yaml_event_t key, val;
        if (next(ps, &key))
            return -1;
        if (key.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&key);
            return 0;
        }
        if (key.type != YAML_SCALAR_EVENT) {
            int rc = fail(ps, &key.start_mark, key.type == YAML_ALIAS_EVENT
                                                   ? "aliases are not accepted"
                                                   : "a key must be a plain word");
            yaml_event_delete(&key);
            return rc;
        }
        const struct key *k = NULL;
        size_t i;
        for (i = 0; i < N_KEYS; i++)
            if (keys[i].section == section &&
                !strcmp(keys[i].name, (const char *)key.data.scalar.value)) {
                k = &keys[i];
                break;
            }
        int rc = 0;
        if (!k)
            rc = fail(ps, &key.start_mark, "unknown key '%.64s'%s", key.data.scalar.value,
                      section ? " in retention" : "");
        else if (ps->seen[i]++)
            rc = fail(ps, &key.start_mark, "%s given twice", k->name);
        yaml_event_delete(&key);
        if (rc)
            return rc;
        if (next(ps, &val))
            return -1;
        if (k->kind == K_SECTION && val.type == YAML_MAPPING_START_EVENT &&
            !val.data.mapping_start.anchor && !val.data.mapping_start.tag) {
            yaml_event_delete(&val);
            if (mapping(ps, 1, c))
                return -1;
            continue;
        }
        if (k->kind == K_SECTION)
            rc = fail(ps, &val.start_mark, "%s: want a mapping of its keys", k->name);
        else if (val.type == YAML_ALIAS_EVENT)
            rc = fail(ps, &val.start_mark, "aliases are not accepted");
        else if (val.type != YAML_SCALAR_EVENT)
            rc = fail(ps, &val.start_mark, "%s: want a single value", k->name);
        else if (val.data.scalar.anchor)
            rc = fail(ps, &val.start_mark, "anchors are not accepted");
        else
            rc = set_value(ps, k, &val, c);
        yaml_event_delete(&val);
        if (rc)
            return rc;
    }
}

static int document(struct parse *ps, qtpm_nms_config *c)
{
    yaml_event_t ev;
    int rc = 0;
    if (next(ps, &ev)) /* STREAM-START */
        return -1;
    yaml_event_delete(&ev);
    if (next(ps, &ev))
        return -1;
    if (ev.type == YAML_STREAM_END_EVENT) { /* an empty file: nothing set */
        yaml_event_delete(&ev);
        return 0;
    }
    yaml_event_delete(&ev); /* DOCUMENT-START */
    if (next(ps, &ev))
        return -1;
    if (ev.type != YAML_MAPPING_START_EVENT || ev.data.mapping_start.anchor ||
        ev.data.mapping_start.tag)
        rc = fail(ps, &ev.start_mark, "the file must be a mapping of keys to values");
    yaml_event_delete(&ev);
    if (rc || mapping(ps, 0, c))
        return -1;
    if (next(ps, &ev)) /* DOCUMENT-END */
        return -1;
    yaml_event_delete(&ev);
    if (next(ps, &ev))
        return -1;
    if (ev.type != YAML_STREAM_END_EVENT)
        rc = fail(ps, &ev.start_mark, "one document only");
    yaml_event_delete(&ev);
    return rc;
}

int qtpm_nms_config_parse(const char *text, size_t len, const char *name, qtpm_nms_config *c,
                          char *err, size_t errlen)
{
    struct parse *ps = calloc(1, sizeof *ps);
    qtpm_nms_config *tmp = malloc(sizeof *tmp);
    int rc = -1;
    if (!ps || !tmp || !yaml_parser_initialize(&ps->p)) {
        snprintf(err, errlen, "%s: out of memory", name);
        free(ps);
        free(tmp);
        return -1;
    }
    ps->name = name;
    ps->err = err;
    ps->errlen = errlen;
    memcpy(tmp, c, sizeof *tmp);
    yaml_parser_set_input_string(&ps->p, (const unsigned char *)text, len);
    rc = document(ps, tmp);
    if (rc == 0)
        memcpy(c, tmp, sizeof *c);
    yaml_parser_delete(&ps->p);
    free(ps);
    free(tmp);
    return rc;
}

int qtpm_nms_config_load(const char *path, qtpm_nms_config *c, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    /* A configuration file is small: 1 MiB is plenty and bounds what is read. */
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        fclose(f);
        snprintf(err, errlen, "%s: out of memory", path);
        return -1;
    }
    n = fread(buf, 1, cap + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad || n > cap) {
        snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "larger than 1 MiB");
        free(buf);
        return -1;
    }
    int rc = qtpm_nms_config_parse(buf, n, path, c, err, errlen);
    free(buf);
    return rc;
}
