/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pqtls.c — loading the qtpm provider into a program of our own and restricting an
 * SSL_CTX to its hybrid groups (docs/PROVIDER.md "Loading it", docs/CHANNEL.md).
 *
 * The provider is linked in (qtpm_provider_core) and registered as a built-in named
 * "qtpm", so qtpm-nms and qtpm-agent do not depend on where qtpm.so is installed. When
 * openssl.cnf (OPENSSL_CONF) has already loaded a provider of that name — qtpm.so — that
 * one is used instead; both are the same code. Loading any provider explicitly turns off
 * OpenSSL's implicit default provider, so "default" (ciphers, signatures, the classic
 * halves of the hybrids) is loaded by name too.
 */
#include "pqtls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/provider.h>

#include "provider_internal.h"

/* The providers this file loaded, unloaded at exit before OpenSSL's own cleanup (atexit
 * runs handlers in reverse order, and OpenSSL registered its own at initialisation): the
 * qtpm provider's child library context is then freed by its teardown. */
static OSSL_PROVIDER *loaded_default, *loaded_qtpm;

static void unload(void)
{
    if (loaded_qtpm)
        OSSL_PROVIDER_unload(loaded_qtpm);
    if (loaded_default)
        OSSL_PROVIDER_unload(loaded_default);
    loaded_qtpm = loaded_default = NULL;
}

int qtpm_pqtls_load(char *err, size_t errlen)
{
    static int registered;
    if (!registered) {
        OPENSSL_init_ssl(0, NULL);
        registered = atexit(unload) == 0;
    }
    if (!OSSL_PROVIDER_available(NULL, "default") &&
        !(loaded_default = OSSL_PROVIDER_load(NULL, "default"))) {
        snprintf(err, errlen, "OpenSSL's default provider cannot be loaded");
        return -1;
    }
    if (OSSL_PROVIDER_available(NULL, "qtpm"))
        return 0;
    if (!OSSL_PROVIDER_add_builtin(NULL, "qtpm", qtpm_provider_init) ||
        !(loaded_qtpm = OSSL_PROVIDER_load(NULL, "qtpm"))) {
        unsigned long e = ERR_get_error();
        snprintf(err, errlen, "the qtpm provider cannot be loaded: %s",
                 e ? ERR_reason_error_string(e) : "unknown error");
        ERR_clear_error();
        return -1;
    }
    return 0;
}

static const char *const pq_groups[] = {"X25519MLKEM768", "SecP256r1MLKEM768", "MLKEM768",
                                        "MLKEM1024"};

int qtpm_pqtls_group_is_pq(const char *name)
{
    for (size_t i = 0; name && i < sizeof pq_groups / sizeof pq_groups[0]; i++)
        if (strcmp(name, pq_groups[i]) == 0)
            return 1;
    return 0;
}

int qtpm_pqtls_ctx(SSL_CTX *ctx, const char *groups, int allow_classic, char *err,
                   size_t errlen)
{
    char list[512];
    if (groups)
        snprintf(list, sizeof list, "%s", groups);
    else
        snprintf(list, sizeof list, "%s%s%s", QTPM_PQTLS_GROUPS, allow_classic ? ":" : "",
                 allow_classic ? QTPM_PQTLS_CLASSIC : "");
    if (strlen(list) >= sizeof list - 1 || !list[0]) {
        snprintf(err, errlen, "TLS group list empty or too long");
        return -1;
    }
    /* Every name must be a post-quantum group unless classic ones are allowed. */
    int pq = 0;
    char copy[512], *save = NULL;
    memcpy(copy, list, sizeof copy);
    for (char *g = strtok_r(copy, ":", &save); g; g = strtok_r(NULL, ":", &save)) {
        if (qtpm_pqtls_group_is_pq(g))
            pq++;
        else if (!allow_classic) {
            snprintf(err, errlen,
                     "TLS group %s is not one of the post-quantum groups (X25519MLKEM768, "
                     "SecP256r1MLKEM768, MLKEM768, MLKEM1024): classic key exchange is "
                     "refused unless explicitly allowed", g);
            return -1;
        }
    }
    if (!SSL_CTX_set1_groups_list(ctx, list)) {
        ERR_clear_error();
        snprintf(err, errlen,
                 "TLS groups '%s' not available (is the qtpm provider loaded?)", list);
        return -1;
    }
    if (!pq && !allow_classic) {
        snprintf(err, errlen, "no post-quantum TLS group configured");
        return -1;
    }
    if (!allow_classic && !SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION)) {
        snprintf(err, errlen, "cannot require TLS 1.3");
        return -1;
    }
    return 0;
}

const char *qtpm_pqtls_group(SSL *ssl)
{
    int nid = SSL_get_negotiated_group(ssl);
    const char *name = nid > 0 ? SSL_group_to_name(ssl, nid) : NULL;
    return name ? name : "?";
}

int qtpm_pqtls_bind_message(SSL *ssl, unsigned char msg[QTPM_CHANNEL_BIND_MSG_LEN])
{
    /* RFC 9266 §2: defined for TLS 1.3 only (TLS 1.2's exporter needs extended master
     * secret to be unique; we do not bind such connections). */
    static const char label[] = "EXPORTER-Channel-Binding";
    if (!ssl || !SSL_is_init_finished(ssl) || SSL_version(ssl) != TLS1_3_VERSION)
        return -1;
    memcpy(msg, QTPM_CHANNEL_BIND_PREFIX, sizeof QTPM_CHANNEL_BIND_PREFIX); /* with its NUL */
    if (SSL_export_keying_material(ssl, msg + sizeof QTPM_CHANNEL_BIND_PREFIX, 32, label,
                                   sizeof label - 1, NULL, 0, 0) != 1) {
        ERR_clear_error();
        return -1;
    }
    return 0;
}
