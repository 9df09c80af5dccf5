/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pqtls.h — the post-quantum TLS setup qtpm-nms and qtpm-agent share (docs/CHANNEL.md):
 * the qtpm provider loaded into the default library context (built in, the same code as
 * qtpm.so; or qtpm.so itself when openssl.cnf already loaded it), and an SSL_CTX limited
 * to the hybrid ML-KEM groups unless classic key exchange is explicitly allowed.
 */
#ifndef QTPM_PQTLS_H
#define QTPM_PQTLS_H

#include <stddef.h>

#include <openssl/ssl.h>

/* The groups offered and accepted by default: hybrids only, X25519 first (the one
 * browsers offer). Classic groups are added after them with --allow-classic-tls. */
#define QTPM_PQTLS_GROUPS "X25519MLKEM768:SecP256r1MLKEM768"
#define QTPM_PQTLS_CLASSIC "X25519:P-256"

/* Loads OpenSSL's default provider and the qtpm provider into the default library
 * context; idempotent. Non-zero with a message in err when either cannot be loaded
 * (never a silent fallback to classic groups). */
int qtpm_pqtls_load(char *err, size_t errlen);

/* Sets ctx's groups: `groups` (NULL: QTPM_PQTLS_GROUPS, plus QTPM_PQTLS_CLASSIC when
 * allow_classic). Without allow_classic a list naming a classic group is refused and
 * TLS 1.3 is required (a KEM group cannot be negotiated in TLS 1.2). Non-zero with a
 * message when a group is unknown (the provider is missing) or refused. */
int qtpm_pqtls_ctx(SSL_CTX *ctx, const char *groups, int allow_classic, char *err,
                   size_t errlen);

/* 1 when name is one of the provider's post-quantum groups. */
int qtpm_pqtls_group_is_pq(const char *name);

/* The group the handshake of ssl negotiated, "?" when unknown. */
const char *qtpm_pqtls_group(SSL *ssl);

/* The channel binding (docs/CHANNEL.md): the TLS exporter of RFC 9266 §2 ("tls-exporter":
 * label EXPORTER-Channel-Binding, no context, 32 bytes), and the message the router's
 * TPM key signs over it: QTPM_CHANNEL_BIND_PREFIX, a zero byte, the exporter. */
#define QTPM_CHANNEL_BIND_PREFIX "qtpm channel binding v1"
#define QTPM_CHANNEL_BIND_MSG_LEN (sizeof QTPM_CHANNEL_BIND_PREFIX + 32)
/* Fills msg (QTPM_CHANNEL_BIND_MSG_LEN bytes) for ssl's connection; non-zero when the
 * handshake is not complete or not TLS 1.3. */
int qtpm_pqtls_bind_message(SSL *ssl, unsigned char msg[QTPM_CHANNEL_BIND_MSG_LEN]);

#endif
