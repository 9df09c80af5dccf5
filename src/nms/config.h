/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.h — qtpm-nms's configuration file (config.c) and the settings the daemon's
 * operational pieces share: logging (log.c), retention, health (private to src/nms).
 *
 * The file is YAML (read with libyaml): one mapping whose keys are the long command-line
 * options without their dashes, plus a `retention` mapping (docs/OPERATIONS.md
 * "Configuration"). The command line overrides the file. An unknown key, a duplicate
 * key, a value of the wrong type or out of range, or anything but a mapping of scalars
 * is an error naming FILE:LINE.
 */
#ifndef QTPM_NMS_CONFIG_H
#define QTPM_NMS_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum qtpm_log_format { QTPM_LOG_TEXT = 0, QTPM_LOG_JSON = 1 };
enum qtpm_log_level { QTPM_LOG_DEBUG = 0, QTPM_LOG_INFO, QTPM_LOG_WARN, QTPM_LOG_ERROR };

typedef struct {
    /* The command line's options; "" / 0 when not set (the built-in default applies). */
    char dir[4096];
    char db[4200];
    char listen[256];
    char web[4096];
    char role[16];
    int64_t period; /* 1..86400 s */
    int64_t ttl;    /* 1..604800 s */
    int log_format; /* enum qtpm_log_format, -1 unset */
    int log_level;  /* enum qtpm_log_level, -1 unset */
    char worker[1024];     /* --worker URL (docs/SCALE.md) */
    char tls_groups[256];  /* --tls-groups G1:G2... (docs/CHANNEL.md) */
    int allow_classic_tls; /* --allow-classic-tls: 1 yes, 0 no / unset */
    int allow_unbound_routers; /* --allow-unbound-routers */
    /* retention: what compaction keeps (store.h), and how often the daemon runs it. */
    qtpm_store_retention retention;
    int64_t compact_interval; /* s, 0: never in the daemon */
} qtpm_nms_config;

/* Every field unset, retention at qtpm_store_retention_default, compaction hourly. */
void qtpm_nms_config_init(qtpm_nms_config *c);

/* Reads the YAML file at path into c (fields it does not name keep their value). On an
 * error, err gets "PATH:LINE: what" and c is left as it was. 0 or -1. */
int qtpm_nms_config_load(const char *path, qtpm_nms_config *c, char *err, size_t errlen);

/* The same over a buffer; name is what errors call it. */
int qtpm_nms_config_parse(const char *text, size_t len, const char *name, qtpm_nms_config *c,
                          char *err, size_t errlen);

/* "text" / "json" and "debug" / "info" / "warn" / "error"; -1 for anything else. */
int qtpm_nms_log_format_parse(const char *s);
int qtpm_nms_log_level_parse(const char *s);

/* ---- logging (log.c) ---- */

/* Sets the process's log format and threshold (defaults: text, info). */
void qtpm_nms_log_setup(int format, int level);

/* One log record to stderr: JSON lines {"ts","level","msg","fields"} or one text line.
 * After msg come key/value pairs of const char * (values may be NULL), ended by NULL. */
void qtpm_nms_log(int level, const char *msg, ...);

/* The daemon's operational settings (set by main.c before qtpm_nms_serve; ops.c). */
void qtpm_nms_ops_set(const qtpm_nms_config *c);
const qtpm_nms_config *qtpm_nms_ops(void);

#endif
