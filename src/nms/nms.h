/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nms.h — what the qtpm-nms daemon's pieces share (private to src/nms).
 */
#ifndef QTPM_NMS_H
#define QTPM_NMS_H

/* Runs the REST API of docs/NMS.md until SIGINT/SIGTERM; 0 on a clean stop. period is
 * the heartbeat period in seconds (a router silent for two periods becomes offline). */
int qtpm_nms_serve(const char *dir, const char *db_url, const char *listen, long period);

/* The admin CLI on the store: argv after "qtpm-nms". Returns the exit status. */
int qtpm_nms_admin(const char *db_url, int argc, char **argv);

#endif
