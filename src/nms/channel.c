/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * channel.c — the post-quantum management channel on the NMS side (docs/CHANNEL.md):
 * the qtpm provider loaded into the process, the server's TLS groups limited to the
 * hybrid ML-KEM groups (X25519MLKEM768, SecP256r1MLKEM768) unless `serve
 * --allow-classic-tls` is given, and one log line per completed handshake naming the
 * negotiated group — classic handshakes (only possible with that option) marked so.
 *
 * The channel binding (RFC 9266 "tls-exporter"): a router's first request on a connection
 * is POST /api/v1/channel/bind {"router", "bind_pub", "signature"}: its TPM-resident
 * channel-binding key (ML-DSA-44 by default), whose Name the NMS put in the router's TLS
 * certificate when the AK certified the key (src/ras/tlskey.c), signs "qtpm channel
 * binding v1" ‖ 0 ‖ the connection's exporter. The key's policy is the TLS key's
 * (PolicyAuthorize of an NMS approval of the router's PCRs), so a router in a
 * configuration the NMS never approved cannot bind. The connection is then "bound" (a
 * mark on its SSL object); every other router-role request on an unbound connection is
 * refused with 401 channel-unbound. Operator, read-only, browser and anonymous requests
 * are not routers' and do not bind. A router certificate without a binding key (an older
 * NMS's, or a test's) is refused too, unless `serve --allow-unbound-routers`.
 *
 * server.c calls qtpm_nms_channel_tls() once on its SSL_CTX, qtpm_nms_channel_bind() for
 * the bind request and qtpm_nms_channel_allowed() before every other router request;
 * main.c passes the options with qtpm_nms_channel_configure().
 */
#include "nms.h"
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "channel.h"
#include "pqtls.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"
#include "ras.h"

static const char *opt_groups;
static int opt_allow_classic, opt_allow_unbound;
static int logged_index = -1, bound_index = -1;
static unsigned long long binds_ok, binds_refused;
static unsigned long long handshakes_pq, handshakes_classic, handshakes_refused;

void qtpm_nms_channel_configure(const char *groups, int allow_classic, int allow_unbound)
{
    opt_groups = groups;
    opt_allow_classic = allow_classic;
    opt_allow_unbound = allow_unbound;
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
    if (n <= 0 && strcmp(peer, "?:0") == 0)
        return; /* a connection closed before its ClientHello (a port probe) */
    char line[1400];
    snprintf(line, sizeof line, "tls %s handshake refused: alert %s; client groups %s", peer,
             SSL_alert_desc_string_long(ret), offered[0] ? offered : "(none)");
    qtpm_nms_log(QTPM_LOG_WARN, line, "peer", peer, "alert", SSL_alert_desc_string_long(ret),
                 "client_groups", offered, NULL);
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
    char line[300];
    snprintf(line, sizeof line, "tls %s %s group %s cipher %s%s", peer, SSL_get_version(ssl),
             group, SSL_get_cipher_name(ssl),
             pq ? "" : " CLASSIC key exchange (allowed by --allow-classic-tls)");
    qtpm_nms_log(pq ? QTPM_LOG_INFO : QTPM_LOG_WARN, line, "peer", peer, "group", group,
                 "kex", pq ? "post-quantum" : "classic", NULL);
}

int qtpm_nms_channel_load(char *err, size_t errlen)
{
    return qtpm_pqtls_load(err, errlen);
}

int qtpm_nms_channel_tls(SSL_CTX *ctx, char *err, size_t errlen)
{
    if (logged_index < 0)
        logged_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (bound_index < 0)
        bound_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (logged_index < 0 || bound_index < 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (qtpm_pqtls_ctx(ctx, opt_groups, opt_allow_classic, err, errlen))
        return -1;
    SSL_CTX_set_info_callback(ctx, on_info);
    if (opt_allow_classic)
        qtpm_nms_log(QTPM_LOG_WARN, "WARNING: classic TLS key exchange allowed "
                                    "(--allow-classic-tls); every such handshake is logged",
                     NULL);
    if (opt_allow_unbound)
        qtpm_nms_log(QTPM_LOG_WARN, "WARNING: router certificates without a channel-binding "
                                    "key allowed (--allow-unbound-routers)", NULL);
    return 0;
}

void qtpm_nms_channel_counts(unsigned long long *pq, unsigned long long *classic,
                             unsigned long long *refused)
{
    *refused = handshakes_refused;
    *pq = handshakes_pq;
    *classic = handshakes_classic;
}

void qtpm_nms_channel_bind_counts(unsigned long long *ok, unsigned long long *refused)
{
    *ok = binds_ok;
    *refused = binds_refused;
}

/* The Name of the binding key in a router certificate (QTPM_RAS_BIND_OID); 0 if none. */
static int cert_bind_name(X509 *cert, TPM2B_NAME *name)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(QTPM_RAS_BIND_OID, 1);
    int i = obj && cert ? X509_get_ext_by_OBJ(cert, obj, -1) : -1;
    ASN1_OBJECT_free(obj);
    if (i < 0)
        return 0;
    ASN1_OCTET_STRING *os = X509_EXTENSION_get_data(X509_get_ext(cert, i));
    int len = os ? ASN1_STRING_length(os) : -1;
    if (len <= 0 || (size_t)len > sizeof name->buffer)
        return 0;
    name->size = (UINT16)len;
    memcpy(name->buffer, ASN1_STRING_get0_data(os), (size_t)len);
    return 1;
}

int qtpm_nms_channel_parse_bind(const json_t *body, const char **router, TPM2B_PUBLIC *pub,
                                TPMT_SIGNATURE *sig)
{
    json_t *r = json_object_get(body, "router");
    const char *p64 = json_string_value(json_object_get(body, "bind_pub"));
    const char *s64 = json_string_value(json_object_get(body, "signature"));
    if (!json_is_string(r) || !p64 || !s64 || json_object_size(body) != 3)
        return -1;
    *router = json_string_value(r);
    uint8_t *raw = NULL;
    size_t len = 0, off = 0;
    int ok = strlen(p64) <= 8192 && strlen(s64) <= 8192 &&
             qtpm_ras_b64_decode(p64, &raw, &len) == 0 &&
             qtpm_TPM2B_PUBLIC_unmarshal(pub, raw, len, &off, 0) == TPM_RC_SUCCESS &&
             off == len;
    free(raw);
    raw = NULL;
    off = 0;
    ok = ok && qtpm_ras_b64_decode(s64, &raw, &len) == 0 &&
         qtpm_TPMT_SIGNATURE_unmarshal(sig, raw, len, &off, 0) == TPM_RC_SUCCESS && off == len;
    free(raw);
    return ok ? 0 : -1;
}

int qtpm_nms_channel_bind(SSL *ssl, const char *cert_router, const json_t *body,
                          const char **code, const char **msg)
{
    char peer[64];
    peer_text(ssl, peer, sizeof peer);
    const char *router = NULL;
    TPM2B_PUBLIC pub;
    TPMT_SIGNATURE sig;
    TPM2B_NAME want, got;
    unsigned char m[QTPM_CHANNEL_BIND_MSG_LEN];
    X509 *cert = SSL_get1_peer_certificate(ssl);
    int status = 0;
    if (qtpm_nms_channel_parse_bind(body, &router, &pub, &sig)) {
        status = 400, *code = "bad-request";
        *msg = "need router, bind_pub (base64 TPM2B_PUBLIC), signature (base64 "
               "TPMT_SIGNATURE) and nothing else";
    } else if (strcmp(router, cert_router) != 0) {
        status = 403, *code = "forbidden", *msg = "a router may only bind for itself";
    } else if (!cert_bind_name(cert, &want)) {
        status = 403, *code = "no-bind-key";
        *msg = "the router certificate names no channel-binding key (certify one: "
               "qtpm-agent enrol)";
    } else if (qtpm_tss_public_name(&pub.publicArea, &got) != QTPM_OK ||
               got.size != want.size || memcmp(got.buffer, want.buffer, want.size) != 0) {
        status = 403, *code = "bind-key-mismatch";
        *msg = "bind_pub is not the channel-binding key certified for this router";
    } else if (qtpm_pqtls_bind_message(ssl, m)) {
        status = 403, *code = "bind-not-tls13", *msg = "channel binding needs TLS 1.3";
    } else if (qtpm_tss_verify_signature(&pub.publicArea, m, sizeof m, &sig) != QTPM_OK) {
        status = 403, *code = "bind-signature-invalid";
        *msg = "the signature over this connection's TLS exporter does not verify";
    } else {
        SSL_set_ex_data(ssl, bound_index, (void *)1);
        binds_ok++;
        const char *kind = pub.publicArea.type == TPM_ALG_MLDSA ? "ML-DSA" : "classic ECDSA P-256";
        char line[300];
        snprintf(line, sizeof line, "tls %s bound to router %s (%s key)", peer, router, kind);
        qtpm_nms_log(QTPM_LOG_INFO, line, "peer", peer, "router", router, "key", kind, NULL);
        X509_free(cert);
        return 200;
    }
    binds_refused++;
    char line[200];
    snprintf(line, sizeof line, "tls %s channel binding refused: %s", peer, *code);
    qtpm_nms_log(QTPM_LOG_WARN, line, "peer", peer, "router", router, "code", *code, NULL);
    X509_free(cert);
    return status;
}

int qtpm_nms_channel_allowed(SSL *ssl)
{
    if (ssl && SSL_get_ex_data(ssl, bound_index))
        return 1;
    if (!opt_allow_unbound || !ssl)
        return 0;
    /* Legacy certificates (no binding key) only, and only with the option. */
    X509 *cert = SSL_get1_peer_certificate(ssl);
    TPM2B_NAME n;
    int legacy = cert && !cert_bind_name(cert, &n);
    X509_free(cert);
    if (legacy && !SSL_get_ex_data(ssl, bound_index)) {
        char peer[64];
        peer_text(ssl, peer, sizeof peer);
        if (SSL_get_ex_data(ssl, logged_index) != (void *)2) {
            SSL_set_ex_data(ssl, logged_index, (void *)2);
            char line[200];
            snprintf(line, sizeof line, "tls %s router certificate without a channel-binding "
                                        "key: allowed unbound (--allow-unbound-routers)", peer);
            qtpm_nms_log(QTPM_LOG_WARN, line, "peer", peer, NULL);
        }
    }
    return legacy;
}
