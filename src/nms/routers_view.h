/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * routers_view.h — the router list in columns for the dashboard (routers_view.c; private
 * to src/nms).
 */
#ifndef QTPM_NMS_ROUTERS_VIEW_H
#define QTPM_NMS_ROUTERS_VIEW_H

#include "store.h"

struct evbuffer;

/* Appends the JSON of GET /api/v1/routers?view=table to out; -1 on a store error (out
 * is left empty, the message in qtpm_store_errmsg). */
int qtpm_nms_routers_table(qtpm_store *st, struct evbuffer *out);

#endif
