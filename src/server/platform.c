/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * platform.c — what both simulator protocols mean by "run a command" and by
 * the platform signals, so mssim.c and swtpm.c cannot drift apart.
 *
 * The engine executes commands and owns TPM semantics; this file only adds
 * the platform around it: a TPM that is powered off answers TPM_RC_FAILURE
 * (the TCG simulator and swtpm both answer a fatal error there), a locality
 * the engine does not model is refused with TPM_RC_LOCALITY, and power-on of
 * a TPM that is already on does nothing, as in the TCG simulator's
 * _rpc__Signal_PowerOn (tpm2-tss's mssim TCTI sends POWER_ON every time it
 * starts, and that must not reset a running TPM).
 */
#include <stdarg.h>
#include <stdio.h>

#include "server.h"

/* TPM 2.0 Part 2 §6.6 (TPM_RC) and §6.9 (TPM_ST). */
#define TPM_ST_NO_SESSIONS 0x8001u
#define TPM_RC_FAILURE 0x101u
#define TPM_RC_LOCALITY 0x907u

uint32_t srv_get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void srv_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

void srv_error_response(uint8_t out[10], uint32_t rc)
{
    out[0] = (uint8_t)(TPM_ST_NO_SESSIONS >> 8);
    out[1] = (uint8_t)TPM_ST_NO_SESSIONS;
    srv_put_u32(out + 2, 10);
    srv_put_u32(out + 6, rc);
}

size_t srv_execute(qtpm_server *srv, uint8_t locality, const uint8_t *cmd, size_t len)
{
    size_t n;

    if (!qtpm_tpm_is_powered(srv->tpm)) {
        srv_log(srv, "command while powered off");
        srv_error_response(srv->rsp, TPM_RC_FAILURE);
        return 10;
    }
    if (locality > 4) {
        srv_error_response(srv->rsp, TPM_RC_LOCALITY);
        return 10;
    }
    n = qtpm_tpm_execute(srv->tpm, locality, cmd, len, srv->rsp, sizeof(srv->rsp));
    if (len >= 10 && len > srv->largest_cmd_size) {
        srv->largest_cmd_size = (uint32_t)len;
        srv->largest_cmd_cc = srv_get_u32(cmd + 6);
    }
    if (len >= 10 && n > srv->largest_rsp_size) {
        srv->largest_rsp_size = (uint32_t)n;
        srv->largest_rsp_cc = srv_get_u32(cmd + 6);
    }
    if (srv->verbose && len >= 10 && n >= 10)
        srv_log(srv, "locality %u command 0x%08x (%zu bytes) -> rc 0x%08x (%zu bytes)",
                (unsigned)locality, (unsigned)srv_get_u32(cmd + 6), len,
                (unsigned)srv_get_u32(srv->rsp + 6), n);
    return n;
}

void srv_power_on(qtpm_server *srv)
{
    if (qtpm_tpm_is_powered(srv->tpm))
        return;
    qtpm_tpm_power_on(srv->tpm);
    if (srv->nv_on)
        qtpm_tpm_nv_on(srv->tpm);
    srv_log(srv, "power on");
}

void srv_power_off(qtpm_server *srv)
{
    if (!qtpm_tpm_is_powered(srv->tpm))
        return;
    qtpm_tpm_power_off(srv->tpm);
    srv_log(srv, "power off");
}

/* TCG simulator SIGNAL_RESET: _TPM_Init without a power cycle; only a TPM
 * that is on can be reset. The engine models _TPM_Init as power-on, so a reset
 * is an off/on pair with NV availability carried across. */
void srv_reset(qtpm_server *srv)
{
    if (!qtpm_tpm_is_powered(srv->tpm))
        return;
    qtpm_tpm_power_off(srv->tpm);
    srv_power_on(srv);
}

void srv_log(const qtpm_server *srv, const char *fmt, ...)
{
    va_list ap;

    if (!srv->verbose)
        return;
    va_start(ap, fmt);
    fputs("qtpm-server: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
