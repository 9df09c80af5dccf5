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
 * SIGINT and SIGTERM are blocked outside ppoll(), so a signal can only land
 * while the loop waits and the loop ends cleanly on the next turn; main then
 * frees the TPM, which saves its state.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server.h"

#define MAX_LISTENERS 8

typedef struct {
    int fd;
    srv_proto proto;
    uint16_t port;
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
    int bound = 0;

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
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 16) != 0) {
            srv_log(srv, "cannot listen on port %u: %s", (unsigned)port, strerror(errno));
            close(fd);
            /* A port taken on one address means another server owns it. */
            if (errno == EADDRINUSE) {
                freeaddrinfo(res);
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
    if (bound == 0)
        return -1;
    srv_log(srv, "%s port %u ready", proto_name(proto), (unsigned)port);
    return 0;
}

static void conn_close(qtpm_server *srv, size_t i)
{
    srv_log(srv, "%s client %d closed", proto_name(conns[i]->proto), conns[i]->fd);
    close(conns[i]->fd);
    free(conns[i]);
    conns[i] = NULL;
}

static void conn_accept(qtpm_server *srv, const listener *l)
{
    int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int one = 1;
    size_t i;

    if (fd < 0)
        return;
    for (i = 0; i < SRV_MAX_CONNS && conns[i] != NULL; i++)
        ;
    if (i == SRV_MAX_CONNS) {
        srv_log(srv, "too many clients, refusing one");
        close(fd);
        return;
    }
    conns[i] = calloc(1, sizeof(srv_conn));
    if (conns[i] == NULL) {
        close(fd);
        return;
    }
    /* Each answer is one small write; Nagle would only add latency. */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    conns[i]->fd = fd;
    conns[i]->proto = l->proto;
    conns[i]->handler = handler_for(l->proto);
    srv_log(srv, "%s client %d connected", proto_name(l->proto), fd);
}

int srv_out(srv_conn *c, const void *data, size_t len)
{
    if (len > SRV_OUT_CAP - c->out_len)
        return -1;
    memcpy(c->out + c->out_len, data, len);
    c->out_len += len;
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
    return 0;
}

/* Feeds buffered input to the handler while answers can be sent; returns -1
 * when the connection must be dropped. */
static int conn_process(qtpm_server *srv, srv_conn *c)
{
    while (c->out_len == 0 && !c->close_after_flush && !srv->stop) {
        size_t used = 0;
        frame_status st;

        if (c->skip > 0) {
            size_t n = c->in_len < c->skip ? c->in_len : (size_t)c->skip;
            memmove(c->in, c->in + n, c->in_len - n);
            c->in_len -= n;
            c->skip -= n;
            if (c->skip > 0)
                return 0;
            srv_out(c, c->deferred, c->deferred_len);
            c->deferred_len = 0;
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
    n = recv(c->fd, c->in + c->in_len, SRV_IN_CAP - c->in_len, 0);
    if (n == 0)
        return -1; /* client left (with or without SESSION_END) */
    if (n < 0)
        return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
    c->in_len += (size_t)n;
    return conn_process(srv, c);
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
            pfd[n].events = conns[i]->out_len > 0 ? POLLOUT : POLLIN;
            conn_of[n] = i;
            n++;
        }
        rc = ppoll(pfd, n, NULL, &waitmask);
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
                conn_accept(srv, &listeners[i]);
                continue;
            }
            c = conns[conn_of[i]];
            if (pfd[i].revents & POLLOUT) {
                drop = conn_flush(c) != 0;
                if (!drop && c->out_len == 0) {
                    if (c->close_after_flush)
                        drop = 1;
                    else
                        drop = conn_process(srv, c) != 0; /* frames already buffered */
                }
            } else if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) {
                drop = conn_readable(srv, c) != 0;
                if (!drop && c->close_after_flush && c->out_len == 0)
                    drop = 1;
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
            free(conns[i]);
            conns[i] = NULL;
        }
    }
    for (i = 0; i < n_listeners; i++)
        close(listeners[i].fd);
    n_listeners = 0;
}
