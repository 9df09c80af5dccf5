/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loop.c — qtpm-server's single poll() event loop.
 *
 * Listening sockets and client connections live in two small tables. Each
 * turn of the loop polls them all, accepts new clients, reads what arrived
 * into the connection's bounded input buffer and hands it to the connection's
 * protocol handler until the handler needs more bytes. A connection with an
 * unsent answer is polled for writing only, so a client that does not read
 * cannot make the server buffer more than one response for it (back-pressure
 * instead of growth). Handlers run to completion: one TPM command at a time.
 *
 * Fairness: the table holds SRV_MAX_CONNS connections, and one peer
 * address at most srv->max_per_peer of them. A newcomer who finds the table
 * (or its own share) full takes the place of the connection that has gone
 * longest without completing a frame, those that never completed one first;
 * and a connection that holds its place without completing a frame for
 * srv->idle_timeout_s seconds is dropped. So silent or stalled sockets can
 * delay nobody for long and never lock a working client out.
 *
 * UNIX sockets (the swtpm control channel QEMU connects to, docs/VTPM.md)
 * are read with recvmsg(), so a file descriptor sent with SCM_RIGHTS is kept
 * on the connection until the protocol takes it (CMD_SET_DATAFD); the data
 * channel that arrives that way becomes a connection of its own, pinned (never
 * evicted for a newcomer nor expired). Answers larger than the output buffer
 * (state blobs) go out from a heap buffer after it, and variable payloads
 * (HASH_DATA, SET_STATEBLOB) are collected into a heap buffer of their
 * declared size before the handler sees them.
 *
 * SIGINT and SIGTERM are blocked outside ppoll(), so a signal can only land
 * while the loop waits and the loop ends cleanly on the next turn; main then
 * frees the TPM, which saves its state.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "qtpm/common.h"
#include "server.h"

#define MAX_LISTENERS 8

typedef struct {
    int fd;
    srv_proto proto;
    uint16_t port;
    char path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* UNIX socket to unlink */
} listener;

static listener listeners[MAX_LISTENERS];
static size_t n_listeners;
static srv_conn *conns[SRV_MAX_CONNS];
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

static srv_handler handler_for(srv_proto proto)
{
    switch (proto) {
    case PROTO_MSSIM_TPM:
        return mssim_tpm_frame;
    case PROTO_MSSIM_PLATFORM:
        return mssim_platform_frame;
    case PROTO_SWTPM_DATA:
        return swtpm_data_frame;
    case PROTO_SWTPM_CTRL:
        return swtpm_ctrl_frame;
    }
    return NULL;
}

static const char *proto_name(srv_proto proto)
{
    static const char *const names[] = {"mssim command", "mssim platform", "swtpm data",
                                        "swtpm control"};
    return names[proto];
}

int srv_listen(qtpm_server *srv, const char *host, uint16_t port, srv_proto proto)
{
    struct addrinfo hints, *res = NULL, *ai;
    char service[8];
    int bound = 0, last_errno = EADDRNOTAVAIL;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    snprintf(service, sizeof(service), "%u", (unsigned)port);
    if (getaddrinfo(host, service, &hints, &res) != 0) {
        srv_log(srv, "cannot resolve %s", host ? host : "(any)");
        return -1;
    }
    /* Bind every address the name has (localhost is often ::1 and 127.0.0.1):
     * clients try them in turn, so each must reach the same TPM. */
    for (ai = res; ai != NULL && n_listeners < MAX_LISTENERS; ai = ai->ai_next) {
        int one = 1;
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                        ai->ai_protocol);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        /* Each answer is one small write; Nagle would only add latency.
         * Accepted sockets inherit the option (conn_accept). */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
            int e = errno;
            srv_log(srv, "cannot listen on port %u: %s", (unsigned)port, strerror(e));
            close(fd);
            last_errno = e;
            /* A port taken on one address means another server owns it. */
            if (e == EADDRINUSE) {
                freeaddrinfo(res);
                errno = e;
                return -1;
            }
            continue;
        }
        listeners[n_listeners].fd = fd;
        listeners[n_listeners].proto = proto;
        listeners[n_listeners].port = port;
        n_listeners++;
        bound++;
    }
    freeaddrinfo(res);
    if (bound == 0) {
        errno = last_errno;
        return -1;
    }
    srv_log(srv, "%s port %u ready", proto_name(proto), (unsigned)port);
    return 0;
}

int srv_listen_unix(qtpm_server *srv, const char *path, srv_proto proto)
{
    struct sockaddr_un sa;
    struct stat st;
    int fd;

    if (n_listeners >= MAX_LISTENERS || strlen(path) >= sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    /* A socket file left by an earlier run is replaced; anything else that
     * is not a socket is not ours to delete. */
    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            errno = EEXIST;
            return -1;
        }
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    listeners[n_listeners].fd = fd;
    listeners[n_listeners].proto = proto;
    listeners[n_listeners].port = 0;
    memcpy(listeners[n_listeners].path, sa.sun_path, sizeof(sa.sun_path));
    n_listeners++;
    srv_log(srv, "%s socket %s ready", proto_name(proto), path);
    return 0;
}

int srv_adopt(qtpm_server *srv, int fd, srv_proto proto)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int listening = 0, type = 0;
    socklen_t il = sizeof(int);

    if (n_listeners >= MAX_LISTENERS)
        return -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &il) != 0 || !listening ||
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &il) != 0 || type != SOCK_STREAM ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        errno = ENOTSOCK;
        return -1;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        return -1;
    uint16_t port = 0;
    if (ss.ss_family == AF_INET)
        port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    else if (ss.ss_family == AF_INET6)
        port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    listeners[n_listeners].fd = fd;
    listeners[n_listeners].proto = proto;
    listeners[n_listeners].port = port;
    n_listeners++;
    srv_log(srv, "%s socket %d (inherited) ready", proto_name(proto), fd);
    return 0;
}

/* Connections are 16 KiB of buffers and the swtpm TCTI opens one for every
 * command, so one closed connection is kept for the next instead of going
 * back to malloc, and a new one clears its fields but not its buffers:
 * calloc would zero all 16 KiB per command, each time pulling the pages
 * into the cache. Only bytes below in_len / out_len are ever read, and what
 * a connection put in its buffers is wiped when it closes. */
static srv_conn *spare_conn;

static srv_conn *conn_new(void)
{
    srv_conn *c = spare_conn;
    spare_conn = NULL;
    if (c == NULL)
        c = malloc(sizeof(*c));
    if (c == NULL)
        return NULL;
    memset(c, 0, offsetof(srv_conn, in));
    c->in_len = 0;
    memset(&c->out_len, 0, sizeof(*c) - offsetof(srv_conn, out_len));
    return c;
}

static void conn_free(srv_conn *c)
{
    free(c->big);
    free(c->collect);
    qtpm_memzero(c->in, c->in_high);
    qtpm_memzero(c->out, c->out_high);
    if (spare_conn == NULL)
        spare_conn = c;
    else
        free(c);
}

static void conn_close(qtpm_server *srv, size_t i)
{
    srv_log(srv, "%s client %d closed", proto_name(conns[i]->proto), conns[i]->fd);
    close(conns[i]->fd);
    if (conns[i]->passed_fd >= 0)
        close(conns[i]->passed_fd);
    conn_free(conns[i]);
    conns[i] = NULL;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The peer's address bytes (4 for IPv4, 16 for IPv6), the key of the
 * per-peer limit. */
static void peer_key(const struct sockaddr_storage *ss, uint8_t key[16], uint8_t *len)
{
    if (ss->ss_family == AF_INET) {
        memcpy(key, &((const struct sockaddr_in *)ss)->sin_addr, 4);
        *len = 4;
    } else if (ss->ss_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
        *len = 16;
    } else {
        *len = 0;
    }
}

static int same_peer(const srv_conn *c, const uint8_t *key, uint8_t len)
{
    return c->peer_len == len && memcmp(c->peer, key, len) == 0;
}

/* The connection to give up for a newcomer: among all (or one peer's), the
 * one that never completed a frame and has waited longest, else the one
 * idle longest. */
static size_t conn_victim(const uint8_t *key, uint8_t len, int peer_only)
{
    size_t best = SIZE_MAX;
    for (size_t i = 0; i < SRV_MAX_CONNS; i++) {
        const srv_conn *c = conns[i];
        if (c == NULL || c->pinned || (peer_only && !same_peer(c, key, len)))
            continue;
        if (best == SIZE_MAX || (!c->framed && conns[best]->framed) ||
            (c->framed == conns[best]->framed && c->active_ms < conns[best]->active_ms))
            best = i;
    }
    return best;
}

/* Accepts one client; returns its slot, or SIZE_MAX when none was added. */
static size_t conn_accept(qtpm_server *srv, const listener *l)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int one = 1;
    uint8_t key[16];
    uint8_t key_len;
    size_t i, same = 0, free_slot = SIZE_MAX;

    if (fd < 0)
        return SIZE_MAX;
    peer_key(&ss, key, &key_len);
    for (i = 0; i < SRV_MAX_CONNS; i++) {
        if (conns[i] == NULL) {
            if (free_slot == SIZE_MAX)
                free_slot = i;
        } else if (same_peer(conns[i], key, key_len)) {
            same++;
        }
    }
    if (srv->max_per_peer > 0 && same >= srv->max_per_peer) {
        size_t v = conn_victim(key, key_len, 1);
        if (v == SIZE_MAX) { /* all of them pinned */
            close(fd);
            return SIZE_MAX;
        }
        srv_log(srv, "client %d: its address holds %zu connections, dropping its idlest", fd, same);
        conn_close(srv, v);
        if (free_slot == SIZE_MAX)
            free_slot = v;
    } else if (free_slot == SIZE_MAX) {
        size_t v = conn_victim(key, key_len, 0);
        if (v != SIZE_MAX) {
            srv_log(srv, "client %d: %d clients, dropping the idlest", fd, SRV_MAX_CONNS);
            conn_close(srv, v);
        }
        free_slot = v;
    }
    if (free_slot == SIZE_MAX) { /* every place is pinned */
        close(fd);
        return SIZE_MAX;
    }
    i = free_slot;
    conns[i] = conn_new();
    if (conns[i] == NULL) {
        close(fd);
        return SIZE_MAX;
    }
    conns[i]->passed_fd = -1;
    conns[i]->is_unix = ss.ss_family == AF_UNIX;
#ifndef __linux__
    /* Linux copies TCP_NODELAY from the listening socket (srv_listen,
     * srv_adopt), which saves a system call per connection: the swtpm TCTI
     * opens a connection for every command. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
#else
    (void)one;
#endif
    conns[i]->fd = fd;
    conns[i]->proto = l->proto;
    conns[i]->handler = handler_for(l->proto);
    conns[i]->active_ms = now_ms();
    memcpy(conns[i]->peer, key, sizeof(key));
    conns[i]->peer_len = key_len;
    srv_log(srv, "%s client %d connected", proto_name(l->proto), fd);
    return i;
}

srv_conn *srv_add_conn(qtpm_server *srv, int fd, srv_proto proto)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int type = 0;
    socklen_t il = sizeof(type);

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &il) != 0 || type != SOCK_STREAM ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) != 0) {
        errno = ENOTSOCK;
        return NULL;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0)
        return NULL;
    for (size_t i = 0; i < SRV_MAX_CONNS; i++) {
        if (conns[i] != NULL)
            continue;
        conns[i] = conn_new();
        if (conns[i] == NULL)
            return NULL;
        conns[i]->fd = fd;
        conns[i]->proto = proto;
        conns[i]->handler = handler_for(proto);
        conns[i]->active_ms = now_ms();
        conns[i]->framed = 1;
        conns[i]->pinned = 1;
        conns[i]->passed_fd = -1;
        conns[i]->is_unix = ss.ss_family == AF_UNIX;
        srv_log(srv, "%s channel on descriptor %d", proto_name(proto), fd);
        return conns[i];
    }
    errno = EMFILE;
    return NULL;
}

int srv_pinned_open(void)
{
    for (size_t i = 0; i < SRV_MAX_CONNS; i++)
        if (conns[i] != NULL && conns[i]->pinned)
            return 1;
    return 0;
}

int srv_take_fd(srv_conn *c)
{
    int fd = c->passed_fd;
    c->passed_fd = -1;
    return fd;
}

void srv_out_big(srv_conn *c, uint8_t *buf, size_t len)
{
    free(c->big);
    c->big = buf;
    c->big_len = len;
    c->big_sent = 0;
}

void srv_collect(srv_conn *c, uint8_t *buf, size_t need,
                 void (*done)(qtpm_server *srv, srv_conn *c))
{
    free(c->collect);
    c->collect = buf;
    c->collect_len = 0;
    c->collect_need = need;
    c->collect_done = done;
}

/* A connection the idle timeout applies to: one that has not completed a
 * frame yet or is in the middle of one (or of an answer). */
static int conn_waiting(const srv_conn *c)
{
    return !c->pinned && (!c->framed || c->in_len > 0 || c->skip > 0 || c->out_len > 0 ||
                          c->big_len > 0 || c->collect != NULL);
}

static int conn_any_waiting(void)
{
    for (size_t i = 0; i < SRV_MAX_CONNS; i++)
        if (conns[i] != NULL && conn_waiting(conns[i]))
            return 1;
    return 0;
}

/* Drops connections that held their place too long without a frame. */
static void conn_expire(qtpm_server *srv)
{
    if (srv->idle_timeout_s == 0)
        return;
    uint64_t now = now_ms(), limit = (uint64_t)srv->idle_timeout_s * 1000u;
    for (size_t i = 0; i < SRV_MAX_CONNS; i++) {
        srv_conn *c = conns[i];
        if (c == NULL || !conn_waiting(c))
            continue;
        if (now - c->active_ms >= limit) {
            srv_log(srv, "%s client %d: no complete frame for %u s, dropped", proto_name(c->proto),
                    c->fd, srv->idle_timeout_s);
            conn_close(srv, i);
        }
    }
}

int srv_out(srv_conn *c, const void *data, size_t len)
{
    if (len > SRV_OUT_CAP - c->out_len)
        return -1;
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
    if (c->out_len > c->out_high)
        c->out_high = c->out_len;
    return 0;
}

int srv_out_u32(srv_conn *c, uint32_t v)
{
    uint8_t b[4];
    srv_put_u32(b, v);
    return srv_out(c, b, 4);
}

void srv_skip(srv_conn *c, uint64_t count, const uint8_t *answer, size_t answer_len)
{
    c->skip = count;
    if (answer_len > sizeof(c->deferred))
        answer_len = sizeof(c->deferred);
    memcpy(c->deferred, answer, answer_len);
    c->deferred_len = answer_len;
}

/* Sends pending output; returns -1 if the client is gone. */
static int conn_flush(srv_conn *c)
{
    while (c->out_sent < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        c->out_sent += (size_t)n;
    }
    c->out_len = c->out_sent = 0;
    while (c->big_sent < c->big_len) {
        ssize_t n = send(c->fd, c->big + c->big_sent, c->big_len - c->big_sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        c->big_sent += (size_t)n;
    }
    free(c->big);
    c->big = NULL;
    c->big_len = c->big_sent = 0;
    return 0;
}

static int conn_readable(qtpm_server *srv, srv_conn *c);

/* Reads what is there and answers it; true when the connection is to be
 * closed: broken, or its last answer (one that ends it) is all sent. The
 * accept path takes this too, since a command read at accept can end it. */
static int conn_done_after_read(qtpm_server *srv, srv_conn *c)
{
    if (conn_readable(srv, c) != 0)
        return 1;
    return c->close_after_flush && c->out_len == 0 && c->big_len == 0;
}

/* Feeds buffered input to the handler while answers can be sent; returns -1
 * when the connection must be dropped. */
static int conn_process(qtpm_server *srv, srv_conn *c)
{
    while (c->out_len == 0 && c->big_len == 0 && !c->close_after_flush && !srv->stop) {
        size_t used = 0;
        frame_status st;

        if (c->collect != NULL) {
            size_t want = c->collect_need - c->collect_len;
            size_t n = c->in_len < want ? c->in_len : want;
            memcpy(c->collect + c->collect_len, c->in, n);
            memmove(c->in, c->in + n, c->in_len - n);
            c->in_len -= n;
            c->collect_len += n;
            if (c->collect_len < c->collect_need)
                return 0;
            c->collect_done(srv, c);
            free(c->collect);
            c->collect = NULL;
            c->collect_len = c->collect_need = 0;
            c->framed = 1;
            c->active_ms = now_ms();
        } else if (c->skip > 0) {
            size_t n = c->in_len < c->skip ? c->in_len : (size_t)c->skip;
            memmove(c->in, c->in + n, c->in_len - n);
            c->in_len -= n;
            c->skip -= n;
            if (c->skip > 0)
                return 0;
            srv_out(c, c->deferred, c->deferred_len);
            c->deferred_len = 0;
            c->framed = 1;
            c->active_ms = now_ms();
        } else {
            if (c->in_len == 0)
                return 0;
            st = c->handler(srv, c, c->in, c->in_len, &used);
            if (st == FRAME_CLOSE)
                return -1;
            if (st == FRAME_STOP) {
                srv->stop = 1;
                return -1;
            }
            if (st == FRAME_NEED_MORE) {
                /* Handlers bound every frame below the buffer size, so a full
                 * buffer with no frame in it means a broken stream. */
                return c->in_len == SRV_IN_CAP ? -1 : 0;
            }
            if (used > c->in_len)
                return -1;
            c->framed = 1;
            c->active_ms = now_ms();
            memmove(c->in, c->in + used, c->in_len - used);
            c->in_len -= used;
        }
        if (conn_flush(c) != 0)
            return -1;
    }
    return 0;
}

static int conn_readable(qtpm_server *srv, srv_conn *c)
{
    ssize_t n;

    if (c->in_len == SRV_IN_CAP)
        return conn_process(srv, c);
    if (c->is_unix) {
        /* A descriptor may ride along (SCM_RIGHTS); keep the newest one. */
        union {
            struct cmsghdr h;
            char b[CMSG_SPACE(4 * sizeof(int))];
        } ctl;
        struct iovec iov = {c->in + c->in_len, SRV_IN_CAP - c->in_len};
        struct msghdr msg;
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctl.b;
        msg.msg_controllen = sizeof(ctl.b);
        n = recvmsg(c->fd, &msg, MSG_CMSG_CLOEXEC);
        for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; cm != NULL;
             cm = CMSG_NXTHDR(&msg, cm)) {
            if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
                continue;
            size_t count = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            for (size_t k = 0; k < count; k++) {
                int fd;
                memcpy(&fd, CMSG_DATA(cm) + k * sizeof(int), sizeof(int));
                if (c->passed_fd >= 0)
                    close(c->passed_fd);
                c->passed_fd = fd;
            }
        }
    } else {
        n = recv(c->fd, c->in + c->in_len, SRV_IN_CAP - c->in_len, 0);
    }
    if (n == 0)
        return -1; /* client left (with or without SESSION_END) */
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    c->in_len += (size_t)n;
    if (c->in_len > c->in_high)
        c->in_high = c->in_len;
    int rc = conn_process(srv, c);
#ifdef TCP_QUICKACK
    /* The mssim TCTI writes a command in several small pieces (command
     * code, locality, size, body), each waiting, under Nagle, for the ACK
     * of the one before; a delayed ACK here costs it ~40 ms per command.
     * So while a frame is incomplete the ACK goes out at once (setting
     * QUICKACK sends a pending ACK, tcp(7); Linux clears the flag again by
     * itself). A complete frame needs none: its answer carries the ACK, and
     * the swtpm protocol, which sends a command in one piece, costs no
     * system call more than the read and the answer. */
    if (rc == 0 && c->in_len > 0 && !c->is_unix && c->out_len == 0 && c->big_len == 0) {
        int one = 1;
        (void)setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof(one));
    }
#endif
    return rc;
}

int srv_run(qtpm_server *srv)
{
    struct pollfd pfd[MAX_LISTENERS + SRV_MAX_CONNS];
    size_t conn_of[MAX_LISTENERS + SRV_MAX_CONNS];
    struct sigaction sa;
    sigset_t block, waitmask;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, &waitmask);
    sigdelset(&waitmask, SIGINT);
    sigdelset(&waitmask, SIGTERM);

    while (!srv->stop && !got_signal) {
        size_t n = 0, i;
        int rc;

        conn_expire(srv);

        for (i = 0; i < n_listeners; i++) {
            /* Always accepted: at the connection limit conn_accept closes the
             * newcomer at once, which a client sees as an error instead of
             * hanging in the backlog. */
            pfd[n].fd = listeners[i].fd;
            pfd[n].events = POLLIN;
            conn_of[n] = SIZE_MAX;
            n++;
        }
        for (i = 0; i < SRV_MAX_CONNS; i++) {
            if (conns[i] == NULL)
                continue;
            pfd[n].fd = conns[i]->fd;
            pfd[n].events = (conns[i]->out_len > 0 || conns[i]->big_len > 0) ? POLLOUT : POLLIN;
            conn_of[n] = i;
            n++;
        }
        /* wake up once a second while a client holds a place without a
         * complete frame, to expire it; otherwise sleep until something
         * happens (no timer to arm on every command) */
        struct timespec tick = {1, 0};
        rc = ppoll(pfd, n, (srv->idle_timeout_s && conn_any_waiting()) ? &tick : NULL, &waitmask);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            srv_log(srv, "poll: %s", strerror(errno));
            return -1;
        }
        for (i = 0; i < n && !srv->stop; i++) {
            srv_conn *c;
            int drop = 0;

            if (pfd[i].revents == 0)
                continue;
            if (conn_of[i] == SIZE_MAX) {
                /* The swtpm TCTI connects for every command and sends it at
                 * once: read right away, which often finds the command and
                 * saves a turn of the loop (a poll and a wake-up). */
                size_t k = conn_accept(srv, &listeners[i]);
                if (k != SIZE_MAX && conn_done_after_read(srv, conns[k]))
                    conn_close(srv, k);
                continue;
            }
            c = conns[conn_of[i]];
            if (c == NULL || c->fd != pfd[i].fd)
                continue; /* given up for a newcomer during this turn */
            if (pfd[i].revents & POLLOUT) {
                drop = conn_flush(c) != 0;
                if (!drop && c->out_len == 0 && c->big_len == 0) {
                    if (c->close_after_flush)
                        drop = 1;
                    else
                        drop = conn_process(srv, c) != 0; /* frames already buffered */
                }
            } else if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                drop = conn_done_after_read(srv, c);
            }
            if (drop)
                conn_close(srv, conn_of[i]);
        }
    }
    if (got_signal)
        srv_log(srv, "signal %d, shutting down", (int)got_signal);
    return 0;
}

void srv_close_all(void)
{
    size_t i;
    for (i = 0; i < SRV_MAX_CONNS; i++) {
        if (conns[i] != NULL) {
            close(conns[i]->fd);
            if (conns[i]->passed_fd >= 0)
                close(conns[i]->passed_fd);
            conn_free(conns[i]);
            conns[i] = NULL;
        }
    }
    free(spare_conn);
    spare_conn = NULL;
    for (i = 0; i < n_listeners; i++) {
        close(listeners[i].fd);
        if (listeners[i].path[0] != '\0')
            unlink(listeners[i].path);
        listeners[i].path[0] = '\0';
    }
    n_listeners = 0;
}
