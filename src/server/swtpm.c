/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * swtpm.c — swtpm's socket interface, as spoken by tpm2-tss's swtpm TCTI,
 * QEMU and swtpm_ioctl: a data channel and a control channel.
 *
 * The data channel carries bare TPM 2.0 commands; the command's own header
 * (tag u16, size u32) frames it, and the response goes back as is. The
 * control channel carries swtpm's "ioctl" commands (swtpm_ioctls(8), header
 * tpm_ioctl.h): a big-endian u32 command code and a fixed payload, answered
 * by a u32 result (0 = TPM_SUCCESS, otherwise a TPM 1.2 style error number)
 * and the command's output fields. tpm2-tss opens a fresh connection for each
 * command on both channels and sends CMD_SET_LOCALITY when it starts.
 *
 *   code  command                 payload            answer after the result
 *   1     GET_CAPABILITY          -                  u32 capability bits
 *   2     INIT                    u32 flags          -      (power cycle)
 *   3     SHUTDOWN                -                  -      (server stops)
 *   4     GET_TPMESTABLISHED      -                  u8 bit, 3 pad bytes
 *   5     SET_LOCALITY            u8 locality        -
 *   6     HASH_START              -                  -      (D-RTM sequence)
 *   7     HASH_DATA               u32 n, n bytes     -
 *   8     HASH_END                -                  -      (PCR 17 extended)
 *   9     CANCEL_TPM_CMD          -                  -
 *   11    RESET_TPMESTABLISHED    u8 locality        -
 *   12    GET_STATEBLOB           u32 flags, u32 type, u32 offset
 *                                                    u32 flags, u32 total, u32 n, n bytes
 *   13    SET_STATEBLOB           u32 flags, u32 type, u32 n, n bytes
 *   14    STOP                    -                  -      (power off)
 *   15    GET_CONFIG              -                  u32 flags (0: no keys)
 *   16    SET_DATAFD              - (+ SCM_RIGHTS)   -      (data channel)
 *   17    SET_BUFFERSIZE          u32 size           u32 size, min, max
 *   18    GET_INFO                u64 flags, u32 offset, u32 pad
 *                                                    u32 total, u32 n, n bytes
 * (swtpm's include/swtpm/tpm_ioctl.h, "Commands used by the non-CUSE TPMs";
 * QEMU's backends/tpm/tpm_emulator.c sends GET_CAPABILITY, SET_DATAFD, then
 * STOP + SET_BUFFERSIZE and INIT at every machine reset, SET_LOCALITY before
 * a command at a new locality, GET/SET_STATEBLOB around migration.)
 * STORE_VOLATILE (10) is not offered (not in the capability bits) and
 * answers TPM_BAD_ORDINAL; so does every unknown code, after which the
 * connection closes because its payload length is unknown. swtpm 0.8's
 * LOCK_STORAGE (19) is not in swtpm 0.7's header, so it is unknown here too
 * (the state directory's lock is held for the server's lifetime anyway).
 *
 * State blobs (docs/VTPM.md): PERMANENT is the state file (tpm.c), VOLATILE
 * the running TPM's RAM state (vtpm.c: PCRs, Startup, enables; not loaded
 * objects or sessions), kept when it arrives and applied by the next INIT,
 * as swtpm resumes from a volatile state at CMD_INIT. SAVESTATE is empty:
 * what TPM2_Shutdown(STATE) saves is part of the permanent blob here. A
 * blob is sent whole in one answer (QEMU wants total == n); SET_STATEBLOB's
 * payload is collected whole before it is applied (at most 4 MiB).
 *
 * GET_CAPABILITY answers the caps as a big-endian u64 in swtpm 0.7; newer
 * swtpm sends u32 result + u32 caps. Both are the same eight bytes when the
 * caps fit in 32 bits, which ours do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qtpm/common.h"
#include "server.h"

enum {
    CMD_GET_CAPABILITY = 1,
    CMD_INIT = 2,
    CMD_SHUTDOWN = 3,
    CMD_GET_TPMESTABLISHED = 4,
    CMD_SET_LOCALITY = 5,
    CMD_HASH_START = 6,
    CMD_HASH_DATA = 7,
    CMD_HASH_END = 8,
    CMD_CANCEL_TPM_CMD = 9,
    CMD_STORE_VOLATILE = 10,
    CMD_RESET_TPMESTABLISHED = 11,
    CMD_GET_STATEBLOB = 12,
    CMD_SET_STATEBLOB = 13,
    CMD_STOP = 14,
    CMD_GET_CONFIG = 15,
    CMD_SET_DATAFD = 16,
    CMD_SET_BUFFERSIZE = 17,
    CMD_GET_INFO = 18,
};

/* tpm_ioctl.h capability bits. */
#define PTM_CAP_INIT (1u << 0)
#define PTM_CAP_SHUTDOWN (1u << 1)
#define PTM_CAP_GET_TPMESTABLISHED (1u << 2)
#define PTM_CAP_SET_LOCALITY (1u << 3)
#define PTM_CAP_HASHING (1u << 4)
#define PTM_CAP_CANCEL_TPM_CMD (1u << 5)
#define PTM_CAP_RESET_TPMESTABLISHED (1u << 7)
#define PTM_CAP_GET_STATEBLOB (1u << 8)
#define PTM_CAP_SET_STATEBLOB (1u << 9)
#define PTM_CAP_STOP (1u << 10)
#define PTM_CAP_GET_CONFIG (1u << 11)
#define PTM_CAP_SET_DATAFD (1u << 12)
#define PTM_CAP_SET_BUFFERSIZE (1u << 13)
#define PTM_CAP_GET_INFO (1u << 14)

/* State blob types and flags (tpm_ioctl.h). */
#define PTM_BLOB_TYPE_PERMANENT 1u
#define PTM_BLOB_TYPE_VOLATILE 2u
#define PTM_BLOB_TYPE_SAVESTATE 3u
#define PTM_STATE_FLAG_ENCRYPTED 2u
#define STATEBLOB_MAX (4u * 1024u * 1024u)
/* The most D-RTM data one HASH_START..HASH_END sequence may carry. */
#define DRTM_MAX (1024u * 1024u)

/* GET_INFO selectors. */
#define SWTPM_INFO_TPMSPECIFICATION (1u << 0)
#define SWTPM_INFO_TPMATTRIBUTES (1u << 1)

/* TPM 1.2 result numbers used by the control channel (TPM 1.2 Part 2 §16). */
#define TPM_SUCCESS 0u
#define TPM_BAD_PARAMETER 3u
#define TPM_FAIL 9u
#define TPM_BAD_ORDINAL 10u
#define TPM_IOERROR 31u
#define TPM_BAD_LOCALITY 61u

#define TPM_RC_COMMAND_SIZE 0x142u
#define TPM_HEADER_SIZE 10u

frame_status swtpm_data_frame(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                              size_t *used)
{
    uint32_t size;
    size_t rsp_len;

    if (len < 6)
        return FRAME_NEED_MORE;
    size = srv_get_u32(in + 2);
    if (size < TPM_HEADER_SIZE) {
        /* The header cannot even hold itself: answer, then hang up, since
         * where the next command starts is anyone's guess. */
        uint8_t answer[10];
        srv_error_response(answer, TPM_RC_COMMAND_SIZE);
        srv_out(c, answer, sizeof(answer));
        c->close_after_flush = 1;
        *used = len;
        return FRAME_DONE;
    }
    if (size > QTPM_MAX_COMMAND_SIZE) {
        uint8_t answer[10];
        if (size > SRV_SKIP_LIMIT)
            return FRAME_CLOSE;
        srv_log(srv, "command of %u bytes refused", (unsigned)size);
        srv_error_response(answer, TPM_RC_COMMAND_SIZE);
        srv_skip(c, size, answer, sizeof(answer));
        *used = 0;
        return FRAME_DONE;
    }
    if (len < size)
        return FRAME_NEED_MORE;
    rsp_len = srv_execute(srv, srv->swtpm_locality, in, size);
    srv_out(c, srv->rsp, rsp_len);
    *used = size;
    return FRAME_DONE;
}

/* The JSON libtpms returns for TPMLIB_GetInfo, limited to what we know. */
static size_t info_text(char *buf, size_t cap, uint64_t flags)
{
    size_t n = 0;
    int first = 1;

    n += (size_t)snprintf(buf + n, cap - n, "{");
    if (flags & SWTPM_INFO_TPMSPECIFICATION) {
        n += (size_t)snprintf(buf + n, cap - n,
                              "\"TPMSpecification\":{\"family\":\"2.0\",\"level\":0,"
                              "\"revision\":185}");
        first = 0;
    }
    if (flags & SWTPM_INFO_TPMATTRIBUTES)
        n += (size_t)snprintf(buf + n, cap - n,
                              "%s\"TPMAttributes\":{\"manufacturer\":\"id:5154504D\","
                              "\"version\":\"id:00010000\",\"model\":\"qtpm\"}",
                              first ? "" : ",");
    n += (size_t)snprintf(buf + n, cap - n, "}");
    return n;
}

static frame_status get_info(srv_conn *c, const uint8_t *in, size_t len, size_t *used)
{
    char text[512];
    uint64_t flags;
    uint32_t offset, chunk;
    size_t n;

    if (len < 4 + 16)
        return FRAME_NEED_MORE;
    *used = 4 + 16;
    flags = (uint64_t)srv_get_u32(in + 4) << 32 | srv_get_u32(in + 8);
    offset = srv_get_u32(in + 12);
    n = info_text(text, sizeof(text), flags);
    if (offset >= n) {
        srv_out_u32(c, TPM_BAD_PARAMETER);
        return FRAME_DONE;
    }
    chunk = (uint32_t)(n + 1 - offset); /* the terminating NUL travels too */
    srv_out_u32(c, TPM_SUCCESS);
    srv_out_u32(c, (uint32_t)n + 1);
    srv_out_u32(c, chunk);
    srv_out(c, text + offset, chunk);
    return FRAME_DONE;
}

static void drtm_forget(qtpm_server *srv)
{
    free(srv->drtm);
    srv->drtm = NULL;
    srv->drtm_len = 0;
    srv->drtm_active = 0;
}

static void pending_volatile_forget(qtpm_server *srv)
{
    if (srv->pending_volatile != NULL)
        qtpm_memzero(srv->pending_volatile, srv->pending_volatile_len);
    free(srv->pending_volatile);
    srv->pending_volatile = NULL;
    srv->pending_volatile_len = 0;
}

void swtpm_free(qtpm_server *srv)
{
    drtm_forget(srv);
    pending_volatile_forget(srv);
}

/* GET_STATEBLOB: u32 flags, u32 type, u32 offset. */
static void get_stateblob(qtpm_server *srv, srv_conn *c, const uint8_t *req)
{
    uint32_t type = srv_get_u32(req + 4), offset = srv_get_u32(req + 8);
    uint8_t *blob = NULL;
    size_t len = 0;
    int rc = QTPM_OK;

    if (!qtpm_tpm_is_powered(srv->tpm)) {
        srv_out_u32(c, TPM_BAD_ORDINAL);
        return;
    }
    if (type == PTM_BLOB_TYPE_PERMANENT)
        rc = qtpm_tpm_get_permanent(srv->tpm, &blob, &len);
    else if (type == PTM_BLOB_TYPE_VOLATILE)
        rc = qtpm_tpm_get_volatile(srv->tpm, &blob, &len);
    else if (type != PTM_BLOB_TYPE_SAVESTATE) {
        srv_out_u32(c, TPM_BAD_PARAMETER);
        return;
    }
    if (rc != QTPM_OK || offset > len) {
        if (blob != NULL)
            qtpm_memzero(blob, len);
        free(blob);
        srv_out_u32(c, rc != QTPM_OK ? TPM_FAIL : TPM_BAD_PARAMETER);
        return;
    }
    srv_out_u32(c, TPM_SUCCESS);
    srv_out_u32(c, 0); /* not encrypted */
    srv_out_u32(c, (uint32_t)len);
    srv_out_u32(c, (uint32_t)(len - offset));
    if (blob != NULL && offset > 0)
        memmove(blob, blob + offset, len - offset);
    if (blob != NULL)
        srv_out_big(c, blob, len - offset);
    srv_log(srv, "state blob %u: %zu bytes out", (unsigned)type, len - offset);
}

/* SET_STATEBLOB's data has arrived (collect_arg: type, flags). */
static void set_stateblob_done(qtpm_server *srv, srv_conn *c)
{
    uint32_t type = c->collect_arg[0];
    char why[160] = "";
    int rc;

    if (type == PTM_BLOB_TYPE_PERMANENT) {
        rc = qtpm_tpm_set_permanent(srv->tpm, c->collect, c->collect_len, why, sizeof(why));
        srv_log(srv, "permanent state blob of %zu bytes: %s%s%s", c->collect_len,
                rc == QTPM_OK ? "loaded" : "refused", why[0] ? ": " : "", why);
        srv_out_u32(c, rc == QTPM_OK ? TPM_SUCCESS : TPM_FAIL);
    } else if (type == PTM_BLOB_TYPE_VOLATILE) {
        pending_volatile_forget(srv);
        if (c->collect_len > 0) {
            srv->pending_volatile = c->collect;
            srv->pending_volatile_len = c->collect_len;
            c->collect = NULL; /* kept for the next INIT */
        }
        srv_out_u32(c, TPM_SUCCESS);
    } else {
        /* SAVESTATE: ours is always empty */
        srv_out_u32(c, c->collect_len == 0 ? TPM_SUCCESS : TPM_BAD_PARAMETER);
    }
    if (c->collect != NULL)
        qtpm_memzero(c->collect, c->collect_len);
}

/* HASH_DATA's data has arrived. */
static void hash_data_done(qtpm_server *srv, srv_conn *c)
{
    uint8_t *grown = realloc(srv->drtm, srv->drtm_len + c->collect_len + 1);
    if (grown == NULL) {
        srv_out_u32(c, TPM_FAIL);
        return;
    }
    memcpy(grown + srv->drtm_len, c->collect, c->collect_len);
    srv->drtm = grown;
    srv->drtm_len += c->collect_len;
    srv_out_u32(c, TPM_SUCCESS);
}

/* HASH_DATA: u32 n, n bytes; SET_STATEBLOB: u32 flags, u32 type, u32 n, n
 * bytes. A payload that cannot be used is read and dropped, then refused. */
static frame_status variable_frame(qtpm_server *srv, srv_conn *c, uint32_t code, const uint8_t *in,
                                   size_t len, size_t *used)
{
    size_t head = code == CMD_HASH_DATA ? 8 : 16;
    uint32_t refuse = TPM_SUCCESS, n;
    uint8_t answer[4];

    if (len < head)
        return FRAME_NEED_MORE;
    n = srv_get_u32(in + head - 4);
    if (n > SRV_SKIP_LIMIT)
        return FRAME_CLOSE;
    *used = head;
    if (code == CMD_HASH_DATA) {
        if (!qtpm_tpm_is_powered(srv->tpm))
            refuse = TPM_BAD_ORDINAL;
        else if (!srv->drtm_active || srv->drtm_len + n > DRTM_MAX)
            refuse = TPM_FAIL;
    } else {
        uint32_t flags = srv_get_u32(in + 4), type = srv_get_u32(in + 8);
        if (qtpm_tpm_is_powered(srv->tpm))
            refuse = TPM_BAD_ORDINAL; /* STOP first, as swtpm */
        else if ((flags & PTM_STATE_FLAG_ENCRYPTED) || type < PTM_BLOB_TYPE_PERMANENT ||
                 type > PTM_BLOB_TYPE_SAVESTATE || n > STATEBLOB_MAX)
            refuse = TPM_BAD_PARAMETER;
        c->collect_arg[0] = type;
        c->collect_arg[1] = flags;
    }
    if (refuse != TPM_SUCCESS) {
        srv_put_u32(answer, refuse);
        if (n == 0)
            srv_out(c, answer, sizeof(answer));
        else
            srv_skip(c, n, answer, sizeof(answer));
        return FRAME_DONE;
    }
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL)
        return FRAME_CLOSE;
    if (n == 0) {
        c->collect = buf;
        c->collect_len = 0;
        if (code == CMD_HASH_DATA)
            hash_data_done(srv, c);
        else
            set_stateblob_done(srv, c);
        free(c->collect);
        c->collect = NULL;
        return FRAME_DONE;
    }
    srv_collect(c, buf, n, code == CMD_HASH_DATA ? hash_data_done : set_stateblob_done);
    return FRAME_DONE;
}

/* Payload bytes that follow the code, for the commands with a fixed payload;
 * -1 for the variable ones, -2 for codes we do not know. */
static int fixed_payload(uint32_t code)
{
    switch (code) {
    case CMD_GET_CAPABILITY:
    case CMD_SHUTDOWN:
    case CMD_GET_TPMESTABLISHED:
    case CMD_HASH_START:
    case CMD_HASH_END:
    case CMD_CANCEL_TPM_CMD:
    case CMD_STORE_VOLATILE:
    case CMD_STOP:
    case CMD_GET_CONFIG:
    case CMD_SET_DATAFD:
        return 0;
    case CMD_SET_LOCALITY:
    case CMD_RESET_TPMESTABLISHED:
        return 1;
    case CMD_INIT:
    case CMD_SET_BUFFERSIZE:
        return 4;
    case CMD_GET_STATEBLOB:
        return 12;
    case CMD_GET_INFO:
        return 16;
    case CMD_HASH_DATA:
    case CMD_SET_STATEBLOB:
        return -1;
    default:
        return -2;
    }
}

frame_status swtpm_ctrl_frame(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                              size_t *used)
{
    uint32_t code;
    int fixed;

    if (len < 4)
        return FRAME_NEED_MORE;
    code = srv_get_u32(in);
    fixed = fixed_payload(code);
    if (fixed == -2) {
        srv_log(srv, "unknown control code %u", (unsigned)code);
        srv_out_u32(c, TPM_BAD_ORDINAL);
        c->close_after_flush = 1;
        *used = len;
        return FRAME_DONE;
    }
    if (fixed == -1)
        return variable_frame(srv, c, code, in, len, used);
    if (len < 4 + (size_t)fixed)
        return FRAME_NEED_MORE;
    *used = 4 + (size_t)fixed;
    if ((code == CMD_SET_LOCALITY || code == CMD_RESET_TPMESTABLISHED) && len >= 8 &&
        in[5] == 0 && in[6] == 0 && in[7] == 0 && (len == 8 || in[8] == 0)) {
        /* The u8 request comes in two sizes: one byte (tpm2-tss, swtpm_ioctl)
         * or the 4-byte union of tpm_ioctl.h's ptm_loc / ptm_reset_est
         * (QEMU sends sizeof the struct). swtpm takes one recv() as one
         * message; on a stream, three zero bytes that came with it are that
         * padding — unless a fourth byte shows they begin the next code
         * (every code is 00 00 00 nn with nn != 0, the padding is followed
         * by a code's leading 00). */
        *used = 8;
    }

    switch (code) {
    case CMD_GET_CAPABILITY:
        srv_out_u32(c, 0);
        srv_out_u32(c, PTM_CAP_INIT | PTM_CAP_SHUTDOWN | PTM_CAP_GET_TPMESTABLISHED |
                           PTM_CAP_SET_LOCALITY | PTM_CAP_HASHING | PTM_CAP_CANCEL_TPM_CMD |
                           PTM_CAP_RESET_TPMESTABLISHED | PTM_CAP_GET_STATEBLOB |
                           PTM_CAP_SET_STATEBLOB | PTM_CAP_STOP | PTM_CAP_GET_CONFIG |
                           PTM_CAP_SET_DATAFD | PTM_CAP_SET_BUFFERSIZE | PTM_CAP_GET_INFO);
        break;
    case CMD_INIT:
        /* _TPM_Init after a power cycle; the TPM then needs TPM2_Startup.
         * The one flag (delete volatile state) changes nothing here: the
         * engine keeps volatile state only in memory, which the power cycle
         * drops anyway. */
        srv_power_off(srv);
        srv->nv_on = 1;
        srv_power_on(srv);
        drtm_forget(srv);
        if (srv->pending_volatile != NULL) {
            /* resume after SET_STATEBLOB(volatile): a migrated or restored
             * machine's TPM continues where it was */
            int rc = qtpm_tpm_set_volatile(srv->tpm, srv->pending_volatile,
                                           srv->pending_volatile_len);
            pending_volatile_forget(srv);
            if (rc != QTPM_OK) {
                srv_log(srv, "INIT: the volatile state blob does not load (%d)", rc);
                srv_out_u32(c, TPM_FAIL);
                break;
            }
        }
        srv_out_u32(c, TPM_SUCCESS);
        break;
    case CMD_SHUTDOWN:
        srv_power_off(srv);
        srv_out_u32(c, TPM_SUCCESS);
        srv->stop = 1;
        break;
    case CMD_STOP:
        srv_power_off(srv);
        srv_out_u32(c, TPM_SUCCESS);
        break;
    case CMD_GET_TPMESTABLISHED: {
        /* The bit is set by a D-RTM sequence (HASH_START, PC Client PTP
         * TPM_ACCESS.tpmEstablishment) and cleared by RESET_TPMESTABLISHED. */
        uint8_t bit_and_pad[4] = {srv->established, 0, 0, 0};
        if (!qtpm_tpm_is_powered(srv->tpm)) {
            srv_out_u32(c, TPM_BAD_ORDINAL);
            break;
        }
        srv_out_u32(c, TPM_SUCCESS);
        srv_out(c, bit_and_pad, sizeof(bit_and_pad));
        break;
    }
    case CMD_SET_LOCALITY:
        if (in[4] > 4) {
            srv_out_u32(c, TPM_BAD_LOCALITY);
            break;
        }
        srv->swtpm_locality = in[4];
        srv_out_u32(c, TPM_SUCCESS);
        break;
    case CMD_RESET_TPMESTABLISHED:
        /* Only localities 3 and 4 may clear the bit (PC Client PTP,
         * TPM_ACCESS.resetEstablishment; swtpm 0.7.1 answers 61 at 0..2,
         * observed with swtpm_ioctl -r). */
        if (!qtpm_tpm_is_powered(srv->tpm)) {
            srv_out_u32(c, TPM_BAD_ORDINAL);
        } else if (in[4] < 3 || in[4] > 4) {
            srv_out_u32(c, TPM_BAD_LOCALITY);
        } else {
            srv->established = 0;
            srv_out_u32(c, TPM_SUCCESS);
        }
        break;
    case CMD_HASH_START:
        if (!qtpm_tpm_is_powered(srv->tpm)) {
            srv_out_u32(c, TPM_BAD_ORDINAL);
            break;
        }
        drtm_forget(srv);
        srv->drtm_active = 1;
        srv->established = 1;
        srv_out_u32(c, TPM_SUCCESS);
        break;
    case CMD_HASH_END: {
        int rc;
        if (!qtpm_tpm_is_powered(srv->tpm)) {
            srv_out_u32(c, TPM_BAD_ORDINAL);
            break;
        }
        if (!srv->drtm_active) {
            srv_out_u32(c, TPM_FAIL);
            break;
        }
        rc = qtpm_tpm_drtm_event(srv->tpm, srv->drtm, srv->drtm_len);
        drtm_forget(srv);
        srv_log(srv, "D-RTM sequence ended: %s", rc == QTPM_OK ? "PCR 17 extended" : "refused");
        srv_out_u32(c, rc == QTPM_OK ? TPM_SUCCESS : TPM_FAIL);
        break;
    }
    case CMD_GET_STATEBLOB:
        get_stateblob(srv, c, in + 4);
        break;
    case CMD_SET_DATAFD: {
        int fd = srv_take_fd(c);
        if (fd < 0) {
            srv_out_u32(c, TPM_BAD_PARAMETER); /* no descriptor came with it */
            break;
        }
        if (srv_pinned_open() || srv_add_conn(srv, fd, PROTO_SWTPM_DATA) == NULL) {
            close(fd); /* one data channel at a time, as swtpm */
            srv_out_u32(c, TPM_IOERROR);
            break;
        }
        srv_out_u32(c, TPM_SUCCESS);
        break;
    }
    case CMD_CANCEL_TPM_CMD:
        /* Commands run to completion before the loop reads this channel
         * again, so nothing is ever in flight to cancel. */
        srv_out_u32(c, qtpm_tpm_is_powered(srv->tpm) ? TPM_SUCCESS : TPM_BAD_ORDINAL);
        break;
    case CMD_GET_CONFIG:
        srv_out_u32(c, TPM_SUCCESS);
        srv_out_u32(c, 0); /* no file encryption key, no migration key */
        break;
    case CMD_SET_BUFFERSIZE: {
        /* The engine's buffers are fixed at 8192 bytes (DESIGN.md decision 1):
         * a request of 0 only queries; another size changes nothing, and the
         * answer says which size is in force. */
        uint32_t want = srv_get_u32(in + 4);
        if (want != 0 && qtpm_tpm_is_powered(srv->tpm)) {
            srv_out_u32(c, TPM_BAD_ORDINAL);
            break;
        }
        srv_out_u32(c, TPM_SUCCESS);
        srv_out_u32(c, QTPM_MAX_COMMAND_SIZE);
        srv_out_u32(c, QTPM_MAX_COMMAND_SIZE);
        srv_out_u32(c, QTPM_MAX_COMMAND_SIZE);
        break;
    }
    case CMD_GET_INFO:
        return get_info(c, in, len, used);
    default:
        /* STORE_VOLATILE */
        srv_out_u32(c, TPM_BAD_ORDINAL);
        break;
    }
    return FRAME_DONE;
}
