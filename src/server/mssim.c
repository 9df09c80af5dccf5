/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mssim.c — the TCG/Microsoft TPM 2.0 simulator socket protocol, as spoken by
 * tpm2-tss's mssim TCTI, tpm2-abrmd, IBM's TSS and wolfTPM.
 *
 * Two TCP ports. The command port (N) carries TPM commands and a handshake;
 * the platform port (N+1) carries the signals a motherboard would give a TPM
 * chip: power, NV availability, cancel, physical presence. Every message is a
 * big-endian u32 code followed by its parameters; the server acknowledges with
 * a u32 0 (the simulator's "TpmTcpProtocol.h" convention). Variable-length
 * data is a u32 length and the bytes.
 *
 *   command port                               answer
 *   8  SEND_COMMAND  u8 locality, u32 n, n B   u32 m, m bytes of response, u32 0
 *   15 REMOTE_HANDSHAKE u32 client version     u32 1, u32 flags, u32 0
 *   5/6/7 HASH_START / HASH_DATA (u32 n, n B) / HASH_END
 *                                              u32 1: no DRTM hash sequence here
 *   25 GET_COMMAND_RESPONSE_SIZES              u32 16, 4 x u32, u32 0
 *   20 SESSION_END   (no answer, connection closes)
 *   21 STOP          (no answer, server stops and saves its state)
 *
 *   platform port: 1/2 POWER_ON/OFF, 3/4 PHYS_PRES_ON/OFF, 9/10 CANCEL_ON/OFF,
 *   11/12 NV_ON/OFF, 13/14 KEY_CACHE_ON/OFF, 17 RESET, 18 RESTART -> u32 0;
 *   25 as above; 26 ACT_GET_SIGNALED u32 handle -> u32 0 (no ACTs), u32 0;
 *   20 SESSION_END, 21 STOP as above; anything else -> u32 1 and the
 *   connection closes, as the simulator's PlatformServer does.
 *
 * A command longer than QTPM_MAX_COMMAND_SIZE is read and dropped and answered
 * with TPM_RC_COMMAND_SIZE; an unknown code on the command port ends the
 * connection (the simulator does the same, and the stream cannot be re-synced).
 */
#include <string.h>

#include "server.h"

enum {
    SIGNAL_POWER_ON = 1,
    SIGNAL_POWER_OFF = 2,
    SIGNAL_PHYS_PRES_ON = 3,
    SIGNAL_PHYS_PRES_OFF = 4,
    SIGNAL_HASH_START = 5,
    SIGNAL_HASH_DATA = 6,
    SIGNAL_HASH_END = 7,
    SEND_COMMAND = 8,
    SIGNAL_CANCEL_ON = 9,
    SIGNAL_CANCEL_OFF = 10,
    SIGNAL_NV_ON = 11,
    SIGNAL_NV_OFF = 12,
    SIGNAL_KEY_CACHE_ON = 13,
    SIGNAL_KEY_CACHE_OFF = 14,
    REMOTE_HANDSHAKE = 15,
    SIGNAL_RESET = 17,
    SIGNAL_RESTART = 18,
    SESSION_END = 20,
    STOP = 21,
    GET_COMMAND_RESPONSE_SIZES = 25,
    ACT_GET_SIGNALED = 26,
};

#define SERVER_VERSION 1u
/* Handshake flags (TpmTcpProtocol.h): platform port present, raw TPM
 * commands (no TBS in between), physical presence signals accepted. */
#define TPM_PLATFORM_AVAILABLE 0x01u
#define TPM_IN_RAW_MODE 0x04u
#define TPM_SUPPORTS_PP 0x08u
#define TPM_RC_COMMAND_SIZE 0x142u
/* The simulator's non-zero acknowledgement: "not done". */
#define ACK_REFUSED 1u

static frame_status sizes_answer(qtpm_server *srv, srv_conn *c, size_t *used)
{
    srv_out_u32(c, 16);
    srv_out_u32(c, srv->largest_cmd_size);
    srv_out_u32(c, srv->largest_cmd_cc);
    srv_out_u32(c, srv->largest_rsp_size);
    srv_out_u32(c, srv->largest_rsp_cc);
    srv_out_u32(c, 0);
    /* The simulator reports the maxima since it was last asked. */
    srv->largest_cmd_size = srv->largest_cmd_cc = 0;
    srv->largest_rsp_size = srv->largest_rsp_cc = 0;
    *used = 4;
    return FRAME_DONE;
}

static frame_status send_command(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                                 size_t *used)
{
    uint32_t size;
    size_t rsp_len;

    if (len < 9)
        return FRAME_NEED_MORE;
    size = srv_get_u32(in + 5);
    if (size > QTPM_MAX_COMMAND_SIZE) {
        uint8_t answer[18];
        if (size > SRV_SKIP_LIMIT)
            return FRAME_CLOSE;
        srv_log(srv, "command of %u bytes refused", (unsigned)size);
        srv_put_u32(answer, 10);
        srv_error_response(answer + 4, TPM_RC_COMMAND_SIZE);
        srv_put_u32(answer + 14, 0);
        srv_skip(c, size, answer, sizeof(answer));
        *used = 9;
        return FRAME_DONE;
    }
    if (len < 9 + (size_t)size)
        return FRAME_NEED_MORE;
    rsp_len = srv_execute(srv, in[4], in + 9, size);
    srv_out_u32(c, (uint32_t)rsp_len);
    srv_out(c, srv->rsp, rsp_len);
    srv_out_u32(c, 0);
    *used = 9 + (size_t)size;
    return FRAME_DONE;
}

frame_status mssim_tpm_frame(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                             size_t *used)
{
    uint32_t code;

    if (len < 4)
        return FRAME_NEED_MORE;
    code = srv_get_u32(in);
    switch (code) {
    case SEND_COMMAND:
        return send_command(srv, c, in, len, used);
    case REMOTE_HANDSHAKE:
        if (len < 8)
            return FRAME_NEED_MORE;
        /* Version 0 predates the protocol; the simulator hangs up on it. */
        if (srv_get_u32(in + 4) == 0)
            return FRAME_CLOSE;
        srv_out_u32(c, SERVER_VERSION);
        srv_out_u32(c, TPM_IN_RAW_MODE | TPM_PLATFORM_AVAILABLE | TPM_SUPPORTS_PP);
        srv_out_u32(c, 0);
        *used = 8;
        return FRAME_DONE;
    case SIGNAL_HASH_START:
    case SIGNAL_HASH_END:
        srv_out_u32(c, ACK_REFUSED);
        *used = 4;
        return FRAME_DONE;
    case SIGNAL_HASH_DATA: {
        uint8_t answer[4];
        uint32_t n;
        if (len < 8)
            return FRAME_NEED_MORE;
        n = srv_get_u32(in + 4);
        if (n > SRV_SKIP_LIMIT)
            return FRAME_CLOSE;
        srv_put_u32(answer, ACK_REFUSED);
        srv_skip(c, n, answer, sizeof(answer));
        *used = 8;
        return FRAME_DONE;
    }
    case GET_COMMAND_RESPONSE_SIZES:
        return sizes_answer(srv, c, used);
    case SESSION_END:
        return FRAME_CLOSE;
    case STOP:
        srv_log(srv, "STOP on the command port");
        return FRAME_STOP;
    default:
        srv_log(srv, "unknown command-port code %u, dropping client", (unsigned)code);
        return FRAME_CLOSE;
    }
}

frame_status mssim_platform_frame(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                                  size_t *used)
{
    uint32_t code;

    if (len < 4)
        return FRAME_NEED_MORE;
    code = srv_get_u32(in);
    *used = 4;
    switch (code) {
    case SIGNAL_POWER_ON:
        srv_power_on(srv);
        break;
    case SIGNAL_POWER_OFF:
        srv_power_off(srv);
        break;
    case SIGNAL_RESET:
    case SIGNAL_RESTART:
        /* Both are _TPM_Init on a running TPM; the following TPM2_Startup
         * decides between reset, restart and resume (Part 1 §12.2). */
        srv_reset(srv);
        break;
    case SIGNAL_PHYS_PRES_ON:
    case SIGNAL_PHYS_PRES_OFF:
    case SIGNAL_KEY_CACHE_ON:
    case SIGNAL_KEY_CACHE_OFF:
        /* No physical-presence-gated command and no key cache in the engine:
         * the signals are accepted and change nothing, as on a platform
         * without those features. */
        break;
    case SIGNAL_CANCEL_ON:
    case SIGNAL_CANCEL_OFF:
        qtpm_tpm_cancel(srv->tpm, code == SIGNAL_CANCEL_ON);
        break;
    case SIGNAL_NV_ON:
        srv->nv_on = 1;
        qtpm_tpm_nv_on(srv->tpm);
        break;
    case SIGNAL_NV_OFF:
        srv->nv_on = 0;
        qtpm_tpm_nv_off(srv->tpm);
        break;
    case GET_COMMAND_RESPONSE_SIZES:
        return sizes_answer(srv, c, used);
    case ACT_GET_SIGNALED:
        if (len < 8)
            return FRAME_NEED_MORE;
        /* The engine has no authenticated countdown timers: none signalled. */
        srv_out_u32(c, 0);
        *used = 8;
        break;
    case SESSION_END:
        return FRAME_CLOSE;
    case STOP:
        srv_log(srv, "STOP on the platform port");
        return FRAME_STOP;
    default:
        srv_log(srv, "unknown platform code %u", (unsigned)code);
        srv_out_u32(c, ACK_REFUSED);
        c->close_after_flush = 1;
        return FRAME_DONE;
    }
    srv_out_u32(c, 0);
    return FRAME_DONE;
}
