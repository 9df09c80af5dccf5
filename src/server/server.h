/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.h — private interface between the pieces of qtpm-server.
 *
 * loop.c owns the sockets: it listens, accepts, buffers input and output per
 * connection and runs one poll() loop. It knows nothing about the protocols;
 * each listener carries a protocol handler (mssim.c, swtpm.c) that is handed
 * the bytes received so far and either consumes one complete frame, asks for
 * more bytes, or rejects the connection. Handlers run to completion, so TPM
 * commands are executed one at a time, in arrival order (DESIGN.md decision 5).
 *
 * All connections share one qtpm_server, which holds the TPM and the few
 * platform facts the protocols must remember between connections (locality
 * chosen over the swtpm control channel, NV availability).
 */
#ifndef QTPM_SERVER_H
#define QTPM_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/engine.h"

/* Input: a whole TPM command plus the largest protocol header (mssim's 9 bytes)
 * fits; output: a whole response plus mssim's two 4-byte framing words. */
#define SRV_IN_CAP (QTPM_MAX_COMMAND_SIZE + 64)
#define SRV_OUT_CAP (QTPM_MAX_RESPONSE_SIZE + 64)
/* A declared payload above this is not a big command but a broken stream. */
#define SRV_SKIP_LIMIT (16u * 1024u * 1024u)
#define SRV_MAX_CONNS 64
/* Defaults of --idle-timeout (seconds) and --max-per-peer. */
#define SRV_IDLE_TIMEOUT_DEFAULT 30
#define SRV_MAX_PER_PEER_DEFAULT 32

typedef struct qtpm_server qtpm_server;
typedef struct srv_conn srv_conn;

/* What a protocol handler made of the bytes it was given. */
typedef enum {
    FRAME_NEED_MORE, /* no complete frame yet; *used is 0 */
    FRAME_DONE,      /* one frame handled, *used bytes consumed */
    FRAME_CLOSE,     /* malformed, or the client ended the session: drop it */
    FRAME_STOP,      /* the client asked the whole server to stop */
} frame_status;

typedef frame_status (*srv_handler)(qtpm_server *srv, srv_conn *c, const uint8_t *in,
                                    size_t len, size_t *used);

typedef enum { PROTO_MSSIM_TPM, PROTO_MSSIM_PLATFORM, PROTO_SWTPM_DATA, PROTO_SWTPM_CTRL } srv_proto;

struct srv_conn {
    int fd;
    srv_proto proto;
    srv_handler handler;
    uint8_t in[SRV_IN_CAP];
    size_t in_len;
    uint8_t out[SRV_OUT_CAP];
    size_t out_len, out_sent;
    /* How far `in` and `out` were ever filled: the bytes wiped at close
     * (commands carry passwords, answers secrets). The buffers themselves
     * are not cleared for a new connection: only bytes below in_len and
     * out_len are ever read (loop.c conn_new). */
    size_t in_high, out_high;
    /* Bytes of an oversized payload still to be read and thrown away; when the
     * count reaches zero, the answer prepared in `deferred` is sent. */
    uint64_t skip;
    uint8_t deferred[32];
    size_t deferred_len;
    int close_after_flush; /* answer sent, then drop (framing is lost) */
    /* Fairness (loop.c): when the client last completed a frame (or
     * connected), whether it ever did, and who it is. */
    uint64_t active_ms;
    int framed;
    uint8_t peer[16];
    uint8_t peer_len;
    /* UNIX-socket connections (the swtpm control channel as QEMU uses it):
     * a file descriptor that arrived with SCM_RIGHTS and is not yet taken
     * (CMD_SET_DATAFD), -1 when none. */
    int is_unix;
    int passed_fd;
    int pinned; /* a data channel handed over by SET_DATAFD: never evicted */
    /* An answer too large for `out` (a state blob): sent after `out`. */
    uint8_t *big;
    size_t big_len, big_sent;
    /* A variable payload being collected (HASH_DATA, SET_STATEBLOB): once
     * collect_need bytes are in `collect`, collect_done runs. */
    uint8_t *collect;
    size_t collect_len, collect_need;
    void (*collect_done)(qtpm_server *srv, srv_conn *c);
    uint32_t collect_arg[2];
};

struct qtpm_server {
    qtpm_tpm *tpm;
    int verbose;
    /* A client that holds a connection without completing a frame (never
     * sent one, stalls mid-frame, or does not read its answer) for this
     * many seconds is dropped; 0: never. */
    unsigned idle_timeout_s;
    unsigned max_per_peer; /* connections one address may hold */
    int stop; /* set by FRAME_STOP, CMD_SHUTDOWN or a signal */
    uint8_t swtpm_locality; /* CMD_SET_LOCALITY (swtpm control channel) */
    int nv_on;              /* mirrors the NV signals so a reset can restore it */
    /* Largest command and response seen since last asked, with their codes
     * (the simulator's TPM_GET_COMMAND_RESPONSE_SIZES). */
    uint32_t largest_cmd_size, largest_cmd_cc, largest_rsp_size, largest_rsp_cc;
    uint8_t rsp[QTPM_MAX_RESPONSE_SIZE];
    /* swtpm control channel, virtual-TPM part (swtpm.c, docs/VTPM.md) */
    int data_fd_given;      /* SET_DATAFD succeeded once (swtpm allows one) */
    uint8_t established;    /* tpmEstablished: set by HASH_START */
    int drtm_active;        /* between HASH_START and HASH_END */
    uint8_t *drtm;          /* the data of the D-RTM sequence */
    size_t drtm_len;
    uint8_t *pending_volatile; /* SET_STATEBLOB volatile, applied at CMD_INIT */
    size_t pending_volatile_len;
};

/* Listener set-up: binds host:port and attaches the protocol. */
/* Binds every address of host at port; -1 with errno set on failure. */
int srv_listen(qtpm_server *srv, const char *host, uint16_t port, srv_proto proto);
/* Serves on a listening socket someone else opened (systemd socket activation). */
int srv_adopt(qtpm_server *srv, int fd, srv_proto proto);
/* A listening UNIX socket at path (replaced if a stale socket is there). */
int srv_listen_unix(qtpm_server *srv, const char *path, srv_proto proto);
/* Serves an already connected socket (swtpm's clientfd=, SET_DATAFD). */
srv_conn *srv_add_conn(qtpm_server *srv, int fd, srv_proto proto);
/* Takes the descriptor passed with SCM_RIGHTS on c; -1 if there is none. */
int srv_take_fd(srv_conn *c);
/* Queues a malloc'd buffer to go out after c's pending output (taken over). */
void srv_out_big(srv_conn *c, uint8_t *buf, size_t len);
/* Collects the next `need` bytes (buf: malloc'd, need bytes); done runs then. */
void srv_collect(srv_conn *c, uint8_t *buf, size_t need,
                 void (*done)(qtpm_server *srv, srv_conn *c));
/* Runs until srv->stop is set or a signal arrives; returns 0 or -1. */
int srv_run(qtpm_server *srv);
/* Closes every socket. */
void srv_close_all(void);

/* Appends bytes to the connection's pending output; fails (-1) if the frame
 * would not fit, which the handlers' size checks make impossible. */
int srv_out(srv_conn *c, const void *data, size_t len);
int srv_out_u32(srv_conn *c, uint32_t v);
/* Begins discarding `count` bytes; `answer` goes out once they are gone. */
void srv_skip(srv_conn *c, uint64_t count, const uint8_t *answer, size_t answer_len);

uint32_t srv_get_u32(const uint8_t *p);
void srv_put_u32(uint8_t *p, uint32_t v);

/* The 10-byte TPM 2.0 error response {TPM_ST_NO_SESSIONS, 10, rc}. */
void srv_error_response(uint8_t out[10], uint32_t rc);
/* Runs one TPM command through the engine (or answers for it when the TPM is
 * off or the locality is invalid); returns the response length in srv->rsp. */
size_t srv_execute(qtpm_server *srv, uint8_t locality, const uint8_t *cmd, size_t len);

/* Platform signals shared by both protocols. */
void srv_power_on(qtpm_server *srv);
void srv_power_off(qtpm_server *srv);
void srv_reset(qtpm_server *srv);

void srv_log(const qtpm_server *srv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

frame_status mssim_tpm_frame(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                             size_t *used);
frame_status mssim_platform_frame(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                                  size_t *used);
frame_status swtpm_data_frame(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                              size_t *used);
/* Frees what the swtpm control channel keeps (D-RTM data, a pending blob). */
void swtpm_free(qtpm_server *srv);
/* 1 while a data channel handed over by SET_DATAFD is open. */
int srv_pinned_open(void);
frame_status swtpm_ctrl_frame(qtpm_server *srv, srv_conn *c, const uint8_t *in, size_t len,
                              size_t *used);

#endif
