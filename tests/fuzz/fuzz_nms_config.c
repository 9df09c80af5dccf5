/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_nms_config: qtpm-nms's configuration file parser (src/nms/config.c over libyaml).
 * The input is the file's bytes. Every call must return with no leak or UB; a rejected
 * file must leave the settings exactly as they were and give an error naming the file
 * and a line; an accepted one must hold only values in their documented ranges.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    qtpm_nms_config c, before;
    qtpm_nms_config_init(&c);
    before = c;
    char err[400] = "";
    int rc = qtpm_nms_config_parse((const char *)data, size, "f.yaml", &c, err, sizeof err);
    if (rc != 0) {
        if (memcmp(&c, &before, sizeof c) != 0 || strncmp(err, "f.yaml:", 7) != 0)
            abort();
        return 0;
    }
    if ((c.period && (c.period < 1 || c.period > 86400)) ||
        (c.ttl && (c.ttl < 1 || c.ttl > 7 * 86400)) || c.log_format < -1 ||
        c.log_format > QTPM_LOG_JSON || c.log_level < -1 || c.log_level > QTPM_LOG_ERROR ||
        c.retention.keep_last < 1 || c.retention.keep_boots < 1 || c.retention.batch < 1 ||
        c.retention.keep_seconds < 0 || c.compact_interval < 0 ||
        memchr(c.dir, '\0', sizeof c.dir) == NULL || memchr(c.db, '\0', sizeof c.db) == NULL)
        abort();
    return 0;
}
