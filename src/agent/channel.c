/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * channel.c — the post-quantum management channel on the router side (docs/CHANNEL.md):
 * every libcurl connection to the NMS (anonymous, mutual TLS, the routing role's kept
 * connections) gets an OpenSSL context with the qtpm provider's hybrid ML-KEM groups
 * only, unless the configuration says `allow_classic_tls = yes`; then the classic groups
 * follow the hybrids and the agent warns once. The provider is built in (pqtls.c).
 */
#include <stdio.h>

#include <openssl/ssl.h>

#include "agent.h"
#include "pqtls.h"

int agent_channel_init(void)
{
    char err[256];
    if (qtpm_pqtls_load(err, sizeof err)) {
        fprintf(stderr, "qtpm-agent: TLS: %s\n", err);
        return -1;
    }
    return 0;
}

int agent_channel_ctx(const agent_config *cfg, void *ssl_ctx)
{
    static int warned;
    char err[256];
    if (qtpm_pqtls_load(err, sizeof err) ||
        qtpm_pqtls_ctx(ssl_ctx, NULL, cfg->allow_classic_tls, err, sizeof err)) {
        fprintf(stderr, "qtpm-agent: TLS: %s\n", err);
        return -1;
    }
    if (cfg->allow_classic_tls && !warned) {
        warned = 1;
        fprintf(stderr, "qtpm-agent: WARNING: classic TLS key exchange allowed "
                        "(allow_classic_tls = yes)\n");
    }
    return 0;
}
