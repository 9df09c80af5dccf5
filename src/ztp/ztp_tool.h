/* SPDX-License-Identifier: BSD-2-Clause */
/* qtpm-ztp's private interface: the tools (main.c) and the bootstrap server (server.c). */
#ifndef QTPM_ZTP_TOOL_H
#define QTPM_ZTP_TOOL_H

#include <stddef.h>
#include <stdint.h>

int ztp_read_file(const char *path, uint8_t **buf, size_t *len);
/* qtpm-ztp serve --dir D --listen HOST:PORT --cert C --key K [--vendor-crl F] */
int ztp_serve(int argc, char **argv);

#endif
