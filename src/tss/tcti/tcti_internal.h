/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcti_internal.h — what the socket transports share: reading a
 * "key=value,key=value" configuration, connecting a TCP socket, and moving
 * exact byte counts over it. Private to src/tss/tcti/.
 */
#ifndef QTPM_TSS_TCTI_INTERNAL_H
#define QTPM_TSS_TCTI_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/* Copies the value of key in conf ("host=a,port=b") into out (NUL-ended).
 * Returns 1 if found, 0 if absent, QTPM_TSS_E_CONFIG if it does not fit. */
int tcti_conf_get(const char *conf, const char *key, char *out, size_t cap);

/* Reads host (default 127.0.0.1) and port (default def_port) from conf and
 * rejects unknown keys other than those listed in extra (NULL-terminated). */
int tcti_conf_host_port(const char *conf, char *host, size_t host_cap, uint16_t *port,
                        uint16_t def_port, const char *const *extra);

/* A connected TCP socket to host:port, or a negative error. */
int tcti_tcp_connect(const char *host, uint16_t port);

/* Writes / reads exactly len bytes (retrying on EINTR and short transfers). */
int tcti_write_all(int fd, const uint8_t *buf, size_t len);
int tcti_read_all(int fd, uint8_t *buf, size_t len);

/* Sets this thread's diagnostic (qtpm_tcti_diagnostic), printf-style. */
void tcti_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tcti_diag_clear(void);

/* Big-endian 32-bit helpers for the simulator framings. */
int tcti_write_u32(int fd, uint32_t v);
int tcti_read_u32(int fd, uint32_t *v);

#endif
