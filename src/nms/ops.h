/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ops.h — health, readiness and compaction for the daemon and the CLI (ops.c; private
 * to src/nms).
 */
#ifndef QTPM_NMS_OPS_H
#define QTPM_NMS_OPS_H

#include <jansson.h>

#include "store.h"

/* GET /healthz and GET /readyz: the HTTP status and a small JSON body (*body new). */
int qtpm_nms_health(json_t **body);
int qtpm_nms_ready(qtpm_store *st, json_t **body);

/* Up to max_steps compaction steps until one finds less than a batch; totals in *sum,
 * *more set when the last step was full. 0 or -1 (store error). */
int qtpm_nms_compact_steps(qtpm_store *st, const qtpm_store_retention *r, int max_steps,
                           qtpm_store_compacted *sum, int *more);
/* A "compacted" log record. */
void qtpm_nms_compact_log(const qtpm_store_compacted *sum, int more);

/* `qtpm-nms compact`: compaction to the end; prints what went. Exit status. */
int qtpm_nms_compact_cli(const char *db_url, const qtpm_store_retention *r, int json);

/* `qtpm-nms router log ID [--boot N]`: the stored list of one boot (0: the newest). */
int qtpm_nms_router_log_cli(const char *db_url, const char *router, int64_t boot);

#endif
