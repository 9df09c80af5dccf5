/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * socket.c — TCP plumbing and configuration parsing shared by the mssim and
 * swtpm transports. Both simulators speak big-endian 32-bit framing words over
 * plain TCP, so everything here is exact-length reads and writes.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qtpm/tss_tcti.h"
#include "tcti_internal.h"

int tcti_conf_get(const char *conf, const char *key, char *out, size_t cap)
{
    size_t klen = strlen(key);
    const char *p = conf;
    while (p && *p) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t vlen = len - klen - 1;
            if (vlen + 1 > cap)
                return QTPM_TSS_E_CONFIG;
            memcpy(out, p + klen + 1, vlen);
            out[vlen] = '\0';
            return 1;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

/* Whether every key of conf is host, port or one of extra. */
static int conf_keys_known(const char *conf, const char *const *extra)
{
    const char *p = conf;
    while (p && *p) {
        const char *end = strchr(p, ',');
        const char *eq = strchr(p, '=');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!eq || (end && eq > end))
            return 0;
        size_t klen = (size_t)(eq - p);
        int ok = (klen == 4 && strncmp(p, "host", 4) == 0) ||
                 (klen == 4 && strncmp(p, "port", 4) == 0);
        for (size_t i = 0; !ok && extra && extra[i]; i++)
            ok = strlen(extra[i]) == klen && strncmp(p, extra[i], klen) == 0;
        if (!ok || len == 0)
            return 0;
        p = end ? end + 1 : NULL;
    }
    return 1;
}

int tcti_conf_host_port(const char *conf, char *host, size_t host_cap, uint16_t *port,
                        uint16_t def_port, const char *const *extra)
{
    char buf[16];
    if (conf == NULL)
        conf = "";
    if (!conf_keys_known(conf, extra))
        return QTPM_TSS_E_CONFIG;
    int r = tcti_conf_get(conf, "host", host, host_cap);
    if (r < 0)
        return r;
    if (r == 0) {
        if (host_cap < sizeof "127.0.0.1")
            return QTPM_TSS_E_CONFIG;
        strcpy(host, "127.0.0.1");
    }
    *port = def_port;
    r = tcti_conf_get(conf, "port", buf, sizeof buf);
    if (r < 0)
        return r;
    if (r == 1) {
        char *end;
        long v = strtol(buf, &end, 10);
        /* the platform/control channel is port + 1, so 65535 cannot work */
        if (*end != '\0' || end == buf || v < 1 || v > 65534)
            return QTPM_TSS_E_CONFIG;
        *port = (uint16_t)v;
    }
    return QTPM_OK;
}

int tcti_tcp_connect(const char *host, uint16_t port)
{
    struct addrinfo hints, *res = NULL;
    char service[8];
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof service, "%u", (unsigned)port);
    int g = getaddrinfo(host, service, &hints, &res);
    if (g != 0) {
        tcti_diag("cannot resolve host \"%s\": %s", host, gai_strerror(g));
        return QTPM_TSS_E_CONFIG;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        tcti_diag("cannot connect to %s:%u: %s%s", host, (unsigned)port, strerror(err),
                  err == ECONNREFUSED ? " (is qtpm-server or swtpm running there, on that port?)"
                  : err == ETIMEDOUT || err == EHOSTUNREACH || err == ENETUNREACH
                      ? " (check the host address and any firewall)"
                      : "");
        return QTPM_TSS_E_IO;
    }
    /* Commands are small request/response exchanges: Nagle would only add
     * latency to every measured command. */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int tcti_write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            tcti_diag("sending to the TPM failed: %s%s", n < 0 ? strerror(errno) : "nothing sent",
                      n < 0 && (errno == EPIPE || errno == ECONNRESET)
                          ? " (the server closed the connection: did it stop, or does it "
                            "speak the other protocol, mssim vs swtpm?)"
                          : "");
            return QTPM_TSS_E_IO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return QTPM_OK;
}

int tcti_read_all(int fd, uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = recv(fd, buf, len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                tcti_diag("the server closed the connection without an answer (did it stop? "
                          "an mssim server, qtpm-server's default, wants -T mssim:..., a "
                          "--swtpm server or swtpm wants -T swtpm:...)");
            else
                tcti_diag("receiving from the TPM failed: %s", strerror(errno));
            return QTPM_TSS_E_IO;
        }
        buf += n;
        len -= (size_t)n;
    }
    return QTPM_OK;
}

int tcti_write_u32(int fd, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    return tcti_write_all(fd, b, 4);
}

int tcti_read_u32(int fd, uint32_t *v)
{
    uint8_t b[4];
    int rc = tcti_read_all(fd, b, 4);
    if (rc == QTPM_OK)
        *v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    return rc;
}
