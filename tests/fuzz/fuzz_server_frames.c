/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_server_frames.c — libFuzzer target for qtpm-server's protocol parsers
 * (src/server/mssim.c and swtpm.c), the code that reads untrusted bytes from
 * the network before the engine sees any.
 *
 * The first input byte picks the channel (mssim command / platform, swtpm
 * data / control); the rest is the byte stream a client sent, delivered in
 * pieces whose sizes come from the input too, exactly as loop.c would: append
 * to the bounded input buffer, call the handler until it needs more, honour
 * skip requests, drop the "connection" on FRAME_CLOSE. The checks: a handler
 * never claims more bytes than it was given, output stays within the buffer,
 * and the server state stays sane. STOP and SHUTDOWN are absorbed so the run
 * goes on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static qtpm_server srv;
static srv_conn conn;

static void feed(const uint8_t *p, size_t n)
{
    while (n > 0) {
        size_t room = SRV_IN_CAP - conn.in_len;
        size_t take = n < room ? n : room;
        memcpy(conn.in + conn.in_len, p, take);
        conn.in_len += take;
        p += take;
        n -= take;
        for (;;) {
            size_t used = 0;
            frame_status st;
            conn.out_len = conn.out_sent = 0; /* the "client" reads everything */
            free(conn.big);                   /* a big answer (GET_STATEBLOB) too */
            conn.big = NULL;
            conn.big_len = conn.big_sent = 0;
            if (conn.skip > 0) {
                size_t k = conn.in_len < conn.skip ? conn.in_len : (size_t)conn.skip;
                memmove(conn.in, conn.in + k, conn.in_len - k);
                conn.in_len -= k;
                conn.skip -= k;
                if (conn.skip > 0)
                    break;
                continue;
            }
            if (conn.in_len == 0 || conn.close_after_flush)
                break;
            if (conn.collect != NULL) {
                /* a variable control payload (HASH_DATA, SET_STATEBLOB), as loop.c does */
                size_t want = conn.collect_need - conn.collect_len;
                size_t k = conn.in_len < want ? conn.in_len : want;
                memcpy(conn.collect + conn.collect_len, conn.in, k);
                memmove(conn.in, conn.in + k, conn.in_len - k);
                conn.in_len -= k;
                conn.collect_len += k;
                if (conn.collect_len < conn.collect_need)
                    break;
                conn.collect_done(&srv, &conn);
                free(conn.collect);
                conn.collect = NULL;
                conn.collect_len = conn.collect_need = 0;
                continue;
            }
            st = conn.handler(&srv, &conn, conn.in, conn.in_len, &used);
            if (conn.out_len > SRV_OUT_CAP || srv.swtpm_locality > 4)
                abort();
            if (st == FRAME_NEED_MORE) {
                if (conn.in_len == SRV_IN_CAP)
                    conn.in_len = 0; /* loop.c drops such a client */
                break;
            }
            if (st == FRAME_CLOSE || st == FRAME_STOP) {
                conn.in_len = 0;
                conn.skip = 0;
                srv.stop = 0;
                break;
            }
            if (used > conn.in_len)
                abort();
            memmove(conn.in, conn.in + used, conn.in_len - used);
            conn.in_len -= used;
            srv.stop = 0;
        }
        if (conn.close_after_flush) {
            conn.close_after_flush = 0;
            conn.in_len = 0;
            conn.skip = 0;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const srv_handler handlers[4] = {mssim_tpm_frame, mssim_platform_frame,
                                            swtpm_data_frame, swtpm_ctrl_frame};
    size_t chunk;

    if (srv.tpm == NULL) {
        qtpm_tpm_config cfg = {0};
        qtpm_store_memory(&cfg.store);
        cfg.powered_on = 1;
        if (qtpm_tpm_new(&srv.tpm, &cfg) != 0)
            abort();
        srv.nv_on = 1;
    }
    if (size < 2)
        return 0;
    memset(&conn, 0, sizeof(conn));
    conn.fd = -1;
    conn.handler = handlers[data[0] & 3];
    chunk = (size_t)data[1] * 37 + 1; /* 1 .. 9436 bytes per read() */
    data += 2;
    size -= 2;
    while (size > 0) {
        size_t n = size < chunk ? size : chunk;
        feed(data, n);
        data += n;
        size -= n;
    }
    free(conn.collect); /* the connection ends: loop.c frees both there too */
    conn.collect = NULL;
    free(conn.big);
    conn.big = NULL;
    return 0;
}
