/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mssim.c — the TCTI for the Microsoft/IBM TPM 2.0 simulator protocol
 * (tpm_server, and qtpm-server's mssim front end).
 *
 * Two TCP connections: the command port carries TPM_SEND_COMMAND frames
 *   u32 8 | u8 locality | u32 size | command bytes
 * answered by
 *   u32 size | response bytes | u32 0 (acknowledgement)
 * and the platform port (command port + 1) carries one-word signals (power,
 * NV availability, cancel), each answered by a u32 0. A fresh simulator is
 * powered off, so by default the TCTI sends SIGNAL_POWER_ON and SIGNAL_NV_ON
 * when it connects ("poweron=no" skips that, e.g. for a second client of an
 * already running simulator). Closing sends SESSION_END on both ports.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "qtpm/tss_tcti.h"
#include "tcti_internal.h"

/* TpmTcpProtocol.h of the reference simulator */
enum {
    MSSIM_SIGNAL_POWER_ON = 1,
    MSSIM_SIGNAL_POWER_OFF = 2,
    MSSIM_SEND_COMMAND = 8,
    MSSIM_SIGNAL_CANCEL_ON = 9,
    MSSIM_SIGNAL_CANCEL_OFF = 10,
    MSSIM_SIGNAL_NV_ON = 11,
    MSSIM_SESSION_END = 20,
};

typedef struct {
    qtpm_tcti base; /* first: the TCTI is a pointer to this */
    int cmd_fd;
    int plat_fd;
    uint8_t locality;
    int awaiting; /* a command was sent and its response not yet read */
} mssim_tcti;

static int platform_signal(mssim_tcti *m, uint32_t signal)
{
    uint32_t ack;
    int rc = tcti_write_u32(m->plat_fd, signal);
    if (rc == QTPM_OK)
        rc = tcti_read_u32(m->plat_fd, &ack);
    if (rc == QTPM_OK && ack != 0) {
        /* swtpm's control channel answers a command code with a u32 result
         * and more: anything but mssim's 0 here is most likely that. */
        tcti_diag("the platform port did not acknowledge signal %u (answer 0x%08x): is this a "
                  "swtpm-protocol TPM (swtpm, or qtpm-server --swtpm)? then use "
                  "-T swtpm:host=...,port=...", (unsigned)signal, (unsigned)ack);
        rc = QTPM_TSS_E_PROTOCOL;
    }
    return rc;
}

static int mssim_transmit(qtpm_tcti *t, const uint8_t *cmd, size_t len)
{
    mssim_tcti *m = (mssim_tcti *)t;
    uint8_t hdr[9];
    if (len < 10 || len > QTPM_TCTI_MAX_BUFFER)
        return QTPM_E_LENGTH;
    if (m->awaiting)
        return QTPM_TSS_E_STATE;
    hdr[0] = 0, hdr[1] = 0, hdr[2] = 0, hdr[3] = MSSIM_SEND_COMMAND;
    hdr[4] = m->locality;
    hdr[5] = (uint8_t)(len >> 24), hdr[6] = (uint8_t)(len >> 16);
    hdr[7] = (uint8_t)(len >> 8), hdr[8] = (uint8_t)len;
    int rc = tcti_write_all(m->cmd_fd, hdr, sizeof hdr);
    if (rc == QTPM_OK)
        rc = tcti_write_all(m->cmd_fd, cmd, len);
    if (rc == QTPM_OK)
        m->awaiting = 1;
    return rc;
}

static int mssim_receive(qtpm_tcti *t, uint8_t *rsp, size_t cap, size_t *len)
{
    mssim_tcti *m = (mssim_tcti *)t;
    uint32_t size, ack;
    if (!m->awaiting)
        return QTPM_TSS_E_STATE;
    m->awaiting = 0;
    int rc = tcti_read_u32(m->cmd_fd, &size);
    if (rc != QTPM_OK)
        return rc;
    /* A response we cannot hold leaves the stream unusable: the remaining
     * bytes would be read as the next frame. */
    if (size > cap || size < 10) {
        /* A bare TPM response starts with its tag (0x8001, 0x8002 or TPM 1.2's
         * 0x00c4) where mssim puts the size: the server speaks the swtpm
         * protocol (raw TPM bytes on the data port). */
        uint32_t tag = size >> 16;
        if (tag == 0x8001 || tag == 0x8002 || tag == 0x00c4)
            tcti_diag("the server answered with a bare TPM response, not an mssim frame: it "
                      "speaks the swtpm protocol (swtpm, or qtpm-server --swtpm): use "
                      "-T swtpm:host=...,port=...");
        else
            tcti_diag("the server sent a %u-byte mssim frame (10..%zu expected): is it an "
                      "mssim TPM simulator?", (unsigned)size, cap);
        return QTPM_TSS_E_PROTOCOL;
    }
    rc = tcti_read_all(m->cmd_fd, rsp, size);
    if (rc == QTPM_OK)
        rc = tcti_read_u32(m->cmd_fd, &ack);
    if (rc != QTPM_OK)
        return rc;
    if (ack != 0)
        return QTPM_TSS_E_PROTOCOL;
    *len = size;
    return QTPM_OK;
}

static int mssim_cancel(qtpm_tcti *t)
{
    mssim_tcti *m = (mssim_tcti *)t;
    int rc = platform_signal(m, MSSIM_SIGNAL_CANCEL_ON);
    if (rc == QTPM_OK)
        rc = platform_signal(m, MSSIM_SIGNAL_CANCEL_OFF);
    return rc;
}

static int mssim_set_locality(qtpm_tcti *t, uint8_t locality)
{
    mssim_tcti *m = (mssim_tcti *)t;
    if (m->awaiting)
        return QTPM_TSS_E_STATE;
    m->locality = locality;
    return QTPM_OK;
}

static void mssim_finalize(qtpm_tcti *t)
{
    mssim_tcti *m = (mssim_tcti *)t;
    if (m->cmd_fd >= 0) {
        tcti_write_u32(m->cmd_fd, MSSIM_SESSION_END);
        close(m->cmd_fd);
    }
    if (m->plat_fd >= 0) {
        tcti_write_u32(m->plat_fd, MSSIM_SESSION_END);
        close(m->plat_fd);
    }
    free(m);
}

static int yes_no(const char *v, int *out)
{
    if (strcasecmp(v, "yes") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0)
        *out = 1;
    else if (strcasecmp(v, "no") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "false") == 0)
        *out = 0;
    else
        return QTPM_TSS_E_CONFIG;
    return QTPM_OK;
}

int qtpm_tcti_mssim_init(const char *conf, qtpm_tcti **out)
{
    static const char *const extra[] = { "poweron", NULL };
    char host[256], v[8];
    uint16_t port;
    int power_on = 1;
    int rc = tcti_conf_host_port(conf, host, sizeof host, &port, 2321, extra);
    if (rc != QTPM_OK)
        return rc;
    rc = tcti_conf_get(conf ? conf : "", "poweron", v, sizeof v);
    if (rc < 0)
        return rc;
    if (rc == 1 && (rc = yes_no(v, &power_on)) != QTPM_OK)
        return rc;

    mssim_tcti *m = calloc(1, sizeof *m);
    if (!m)
        return QTPM_E_NOMEM;
    m->base.kind = "mssim";
    m->base.transmit = mssim_transmit;
    m->base.receive = mssim_receive;
    m->base.cancel = mssim_cancel;
    m->base.set_locality = mssim_set_locality;
    m->base.finalize = mssim_finalize;
    m->cmd_fd = m->plat_fd = -1;

    int fd = tcti_tcp_connect(host, port);
    if (fd < 0) {
        mssim_finalize(&m->base);
        return fd;
    }
    m->cmd_fd = fd;
    fd = tcti_tcp_connect(host, (uint16_t)(port + 1));
    if (fd < 0) {
        mssim_finalize(&m->base);
        return fd;
    }
    m->plat_fd = fd;
    if (power_on) {
        rc = platform_signal(m, MSSIM_SIGNAL_POWER_ON);
        if (rc == QTPM_OK)
            rc = platform_signal(m, MSSIM_SIGNAL_NV_ON);
        if (rc != QTPM_OK) {
            mssim_finalize(&m->base);
            return rc;
        }
    }
    *out = &m->base;
    return QTPM_OK;
}
