/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * device.c — the TCTI for a Linux TPM character device. /dev/tpmrm0 is the
 * kernel's resource-managed interface (transient objects and sessions are
 * swapped per open file), /dev/tpm0 the raw one. The protocol is one write()
 * of the whole command and one read() of the whole response; the kernel
 * driver does the framing. Locality is the kernel's business, so it cannot be
 * set from here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qtpm/tss_tcti.h"
#include "tcti_internal.h"

typedef struct {
    qtpm_tcti base;
    int fd;
    int awaiting;
} device_tcti;

static int device_transmit(qtpm_tcti *t, const uint8_t *cmd, size_t len)
{
    device_tcti *d = (device_tcti *)t;
    if (len < 10 || len > QTPM_TCTI_MAX_BUFFER)
        return QTPM_E_LENGTH;
    if (d->awaiting)
        return QTPM_TSS_E_STATE;
    ssize_t n;
    do
        n = write(d->fd, cmd, len);
    while (n < 0 && errno == EINTR);
    if (n < 0 || (size_t)n != len)
        return QTPM_TSS_E_IO;
    d->awaiting = 1;
    return QTPM_OK;
}

static int device_receive(qtpm_tcti *t, uint8_t *rsp, size_t cap, size_t *len)
{
    device_tcti *d = (device_tcti *)t;
    if (!d->awaiting)
        return QTPM_TSS_E_STATE;
    d->awaiting = 0;
    ssize_t n;
    do
        n = read(d->fd, rsp, cap);
    while (n < 0 && errno == EINTR);
    if (n < 10)
        return QTPM_TSS_E_IO;
    uint32_t size = (uint32_t)rsp[2] << 24 | (uint32_t)rsp[3] << 16 |
                    (uint32_t)rsp[4] << 8 | rsp[5];
    if (size != (size_t)n)
        return QTPM_TSS_E_PROTOCOL;
    *len = (size_t)n;
    return QTPM_OK;
}

static void device_finalize(qtpm_tcti *t)
{
    device_tcti *d = (device_tcti *)t;
    if (d->fd >= 0)
        close(d->fd);
    free(d);
}

int qtpm_tcti_device_init(const char *conf, qtpm_tcti **out)
{
    const char *path = (conf && *conf) ? conf : "/dev/tpmrm0";
    device_tcti *d = calloc(1, sizeof *d);
    if (!d)
        return QTPM_E_NOMEM;
    d->fd = open(path, O_RDWR | O_CLOEXEC);
    if (d->fd < 0) {
        int e = errno;
        tcti_diag("cannot open %s: %s%s", path, strerror(e),
                  e == ENOENT ? " (no TPM device here: use -T mssim:host=H,port=N for a TPM "
                                "simulator, or load the TPM driver)"
                  : e == EACCES ? " (add yourself to the tss group, or use sudo)"
                  : e == EBUSY ? " (/dev/tpm0 has one user at a time: use /dev/tpmrm0)"
                               : "");
        free(d);
        return QTPM_TSS_E_IO;
    }
    d->base.kind = "device";
    d->base.transmit = device_transmit;
    d->base.receive = device_receive;
    d->base.cancel = NULL;
    d->base.set_locality = NULL;
    d->base.finalize = device_finalize;
    *out = &d->base;
    return QTPM_OK;
}
