/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fidoio.c — the "unix:PATH" transport of qtpm-wallet-client (fidoio.h):
 * libfido2 does all of CTAPHID (framing, channels, keepalives) and CTAP2
 * (CBOR) itself, exactly as for a USB key, and calls these four functions
 * (fido_dev_set_io_functions(3)) to move HID reports. On the socket a report
 * is 64 bytes, as on hidraw, with no length or report-ID prefix: libfido2
 * writes report ID 0 ‖ 64 bytes (hidraw's write convention) and we drop the
 * ID; it reads exactly 64 bytes per report (CTAP 2.1 §11.2.4, the packet
 * size of a full-speed HID endpoint). Reads wait at most as long as libfido2
 * asks, and never longer than FIDOIO_MAX_WAIT_MS when it asks for "forever"
 * (-1), so a silent peer cannot hang a script.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "fidoio.h"

#define FIDOIO_REPORT 64
#define FIDOIO_MAX_WAIT_MS 60000

typedef struct {
    int fd;
} unix_io;

static void *unix_open(const char *path)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (strlen(path) >= sizeof sa.sun_path) {
        fprintf(stderr, "qtpm-wallet-client: " FIDOIO_UNIX_PREFIX "%s: path too long\n", path);
        return NULL;
    }
    memcpy(sa.sun_path, path, strlen(path) + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        fprintf(stderr, "qtpm-wallet-client: " FIDOIO_UNIX_PREFIX "%s: %s\n", path,
                strerror(errno));
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    unix_io *h = malloc(sizeof *h);
    if (!h) {
        close(fd);
        return NULL;
    }
    h->fd = fd;
    return h;
}

static void unix_close(void *handle)
{
    unix_io *h = handle;
    close(h->fd);
    free(h);
}

/* one report of len (64) bytes; ms < 0 means libfido2's "no timeout" */
static int unix_read(void *handle, unsigned char *buf, size_t len, int ms)
{
    unix_io *h = handle;
    size_t got = 0;
    if (len != FIDOIO_REPORT)
        return -1;
    if (ms < 0 || ms > FIDOIO_MAX_WAIT_MS)
        ms = FIDOIO_MAX_WAIT_MS;
    while (got < len) {
        struct pollfd p = { h->fd, POLLIN, 0 };
        int r = poll(&p, 1, ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1; /* timeout or error */
        ssize_t n = recv(h->fd, buf + got, len - got, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1; /* the authenticator went away */
        got += (size_t)n;
    }
    return (int)len;
}

/* report ID (0) ‖ one report, as libfido2 writes to hidraw */
static int unix_write(void *handle, const unsigned char *buf, size_t len)
{
    unix_io *h = handle;
    size_t sent = 1;
    if (len != FIDOIO_REPORT + 1 || buf[0] != 0)
        return -1;
    while (sent < len) {
        ssize_t n = send(h->fd, buf + sent, len - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        sent += (size_t)n;
    }
    return (int)len;
}

int fidoio_open(fido_dev_t *d, const char *device)
{
    size_t pl = strlen(FIDOIO_UNIX_PREFIX);
    if (strncmp(device, FIDOIO_UNIX_PREFIX, pl) != 0)
        return fido_dev_open(d, device);
    static const fido_dev_io_t io = { unix_open, unix_close, unix_read, unix_write };
    int rc = fido_dev_set_io_functions(d, &io);
    return rc == FIDO_OK ? fido_dev_open(d, device + pl) : rc;
}
