/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * swtpm.c — the TCTI for swtpm's socket interface ("swtpm socket --server
 * type=tcp,port=N --ctrl type=tcp,port=N+1").
 *
 * The data channel carries bare TPM command and response bytes; a response is
 * framed only by the size field of its own header (TPM 2.0 Part 1 §18), so we
 * read the 10-byte header, then the rest. The control channel speaks swtpm's
 * ioctl protocol (swtpm's tpm_ioctl.h): a big-endian u32 command code and its
 * payload, answered by a u32 result; we open it per request, as swtpm closes
 * idle control connections. Locality and cancel go through it.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qtpm/tss_tcti.h"
#include "tcti_internal.h"

/* swtpm's tpm_ioctl.h control commands */
enum {
    SWTPM_CMD_SET_LOCALITY = 5,
    SWTPM_CMD_CANCEL_TPM_CMD = 9,
};

typedef struct {
    qtpm_tcti base;
    int data_fd;
    char host[256];
    uint16_t ctrl_port;
    int awaiting;
} swtpm_tcti;

/* One control request: code, optional payload, u32 result (0 = success). */
static int control(swtpm_tcti *s, uint32_t code, const uint8_t *payload, size_t len)
{
    int fd = tcti_tcp_connect(s->host, s->ctrl_port);
    if (fd < 0)
        return fd;
    uint32_t result = 0;
    int rc = tcti_write_u32(fd, code);
    if (rc == QTPM_OK && len > 0)
        rc = tcti_write_all(fd, payload, len);
    if (rc == QTPM_OK)
        rc = tcti_read_u32(fd, &result);
    close(fd);
    if (rc == QTPM_OK && result != 0)
        rc = QTPM_TSS_E_PROTOCOL;
    return rc;
}

static int swtpm_transmit(qtpm_tcti *t, const uint8_t *cmd, size_t len)
{
    swtpm_tcti *s = (swtpm_tcti *)t;
    if (len < 10 || len > QTPM_TCTI_MAX_BUFFER)
        return QTPM_E_LENGTH;
    if (s->awaiting)
        return QTPM_TSS_E_STATE;
    int rc = tcti_write_all(s->data_fd, cmd, len);
    if (rc == QTPM_OK)
        s->awaiting = 1;
    return rc;
}

static int swtpm_receive(qtpm_tcti *t, uint8_t *rsp, size_t cap, size_t *len)
{
    swtpm_tcti *s = (swtpm_tcti *)t;
    if (!s->awaiting)
        return QTPM_TSS_E_STATE;
    s->awaiting = 0;
    if (cap < 10)
        return QTPM_E_BUFFER;
    int rc = tcti_read_all(s->data_fd, rsp, 10);
    if (rc != QTPM_OK)
        return rc;
    uint32_t size = (uint32_t)rsp[2] << 24 | (uint32_t)rsp[3] << 16 |
                    (uint32_t)rsp[4] << 8 | rsp[5];
    if (size < 10 || size > cap) {
        tcti_diag("the server's response claims %u bytes (10..%zu expected): is it a swtpm-"
                  "protocol TPM? (an mssim server, qtpm-server's default, wants -T mssim:...)",
                  (unsigned)size, cap);
        return QTPM_TSS_E_PROTOCOL;
    }
    rc = tcti_read_all(s->data_fd, rsp + 10, size - 10);
    if (rc == QTPM_OK)
        *len = size;
    return rc;
}

static int swtpm_cancel(qtpm_tcti *t)
{
    return control((swtpm_tcti *)t, SWTPM_CMD_CANCEL_TPM_CMD, NULL, 0);
}

static int swtpm_set_locality(qtpm_tcti *t, uint8_t locality)
{
    swtpm_tcti *s = (swtpm_tcti *)t;
    if (s->awaiting)
        return QTPM_TSS_E_STATE;
    return control(s, SWTPM_CMD_SET_LOCALITY, &locality, 1);
}

static void swtpm_finalize(qtpm_tcti *t)
{
    swtpm_tcti *s = (swtpm_tcti *)t;
    if (s->data_fd >= 0)
        close(s->data_fd);
    free(s);
}

int qtpm_tcti_swtpm_init(const char *conf, qtpm_tcti **out)
{
    swtpm_tcti *s = calloc(1, sizeof *s);
    uint16_t port;
    if (!s)
        return QTPM_E_NOMEM;
    int rc = tcti_conf_host_port(conf, s->host, sizeof s->host, &port, 2321, NULL);
    if (rc != QTPM_OK) {
        free(s);
        return rc;
    }
    s->base.kind = "swtpm";
    s->base.transmit = swtpm_transmit;
    s->base.receive = swtpm_receive;
    s->base.cancel = swtpm_cancel;
    s->base.set_locality = swtpm_set_locality;
    s->base.finalize = swtpm_finalize;
    s->ctrl_port = (uint16_t)(port + 1);
    s->data_fd = tcti_tcp_connect(s->host, port);
    if (s->data_fd < 0) {
        rc = s->data_fd;
        free(s);
        return rc;
    }
    *out = &s->base;
    return QTPM_OK;
}
