/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * channel.c — the post-quantum management channel on the NMS side (docs/CHANNEL.md):
 * the qtpm provider loaded into the process, the server's TLS groups limited to the
 * hybrid ML-KEM groups (X25519MLKEM768, SecP256r1MLKEM768) unless `serve
 * --allow-classic-tls` is given, and one log line per completed handshake naming the
 * negotiated group — classic handshakes (only possible with that option) marked so.
 *
 * server.c calls qtpm_nms_channel_tls() once on its SSL_CTX; main.c passes the options
 * with qtpm_nms_channel_configure(). Nothing here keeps state between connections but
 * the log counters.
 */
#include "nms.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/ssl.h>

#include "pqtls.h"

static const char *opt_groups;
static int opt_allow_classic;
static int logged_index = -1;
static unsigned long long handshakes_pq, handshakes_classic, handshakes_refused;

void qtpm_nms_channel_configure(const char *groups, int allow_classic)
{
    opt_groups = groups;
    opt_allow_classic = allow_classic;
}

static void peer_text(SSL *ssl, char *out, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    int fd = SSL_get_fd(ssl);
    char host[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (fd >= 0 && getpeername(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *a = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
            port = ntohs(a->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
            port = ntohs(a->sin6_port);
        }
    }
    snprintf(out, len, "%s:%u", host, port);
}

/* SSL_CB_HANDSHAKE_DONE: one line per connection (TLS 1.3 may report the event again
 * for post-handshake messages; the ex_data mark keeps it to one). */
/* A handshake the server ends with an alert: the peer and the groups it offered, so a
 * classic-only client that was refused is in the log too. */
static void log_refused(SSL *ssl, int ret)
{
    char peer[64], offered[256] = "";
    peer_text(ssl, peer, sizeof peer);
    int n = SSL_get1_groups(ssl, NULL);
    int groups[32];
    if (n > 0 && n <= 32 && SSL_get1_groups(ssl, groups) == n) {
        size_t used = 0;
        for (int i = 0; i < n && used < sizeof offered - 1; i++) {
            const char *g = SSL_group_to_name(ssl, groups[i]);
            int w = snprintf(offered + used, sizeof offered - used, "%s%s", i ? ":" : "",
                             g ? g : "?");
            used += w > 0 ? (size_t)w : 0;
        }
    }
    fprintf(stderr, "qtpm-nms: tls %s handshake refused: alert %s; client groups %s\n", peer,
            SSL_alert_desc_string_long(ret), offered[0] ? offered : "(none)");
    handshakes_refused++;
}

static void on_info(const SSL *cssl, int where, int ret)
{
    SSL *ssl = (SSL *)cssl;
    if ((where & SSL_CB_WRITE_ALERT) == SSL_CB_WRITE_ALERT && !SSL_is_init_finished(ssl) &&
        !SSL_get_ex_data(ssl, logged_index)) {
        SSL_set_ex_data(ssl, logged_index, (void *)1);
        log_refused(ssl, ret);
        return;
    }
    if (!(where & SSL_CB_HANDSHAKE_DONE) || SSL_get_ex_data(ssl, logged_index))
        return;
    SSL_set_ex_data(ssl, logged_index, (void *)1);
    const char *group = qtpm_pqtls_group(ssl);
    char peer[64];
    peer_text(ssl, peer, sizeof peer);
    int pq = qtpm_pqtls_group_is_pq(group);
    if (pq)
        handshakes_pq++;
    else
        handshakes_classic++;
    fprintf(stderr, "qtpm-nms: tls %s %s group %s cipher %s%s\n", peer, SSL_get_version(ssl),
            group, SSL_get_cipher_name(ssl),
            pq ? "" : " CLASSIC key exchange (allowed by --allow-classic-tls)");
}

int qtpm_nms_channel_load(char *err, size_t errlen)
{
    return qtpm_pqtls_load(err, errlen);
}

int qtpm_nms_channel_tls(SSL_CTX *ctx, char *err, size_t errlen)
{
    if (logged_index < 0)
        logged_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (logged_index < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (qtpm_pqtls_ctx(ctx, opt_groups, opt_allow_classic, err, errlen))
        return -1;
    SSL_CTX_set_info_callback(ctx, on_info);
    if (opt_allow_classic)
        fprintf(stderr, "qtpm-nms: WARNING: classic TLS key exchange allowed "
                        "(--allow-classic-tls); every such handshake is logged\n");
    return 0;
}

void qtpm_nms_channel_counts(unsigned long long *pq, unsigned long long *classic,
                             unsigned long long *refused)
{
    *refused = handshakes_refused;
    *pq = handshakes_pq;
    *classic = handshakes_classic;
}
