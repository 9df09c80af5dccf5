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

/* ------------------------------------------------------- channel binding */

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "qtpm/marshal.h"
#include "qtpm/tss_cmd.h"
#include "tlskey.h"

/* The bind body is padded with spaces (JSON whitespace) to this fixed length: libcurl
 * sends Content-Length before the connection exists, the signature only exists once it
 * does (it covers the connection's exporter). ML-DSA-65's key and signature in base64
 * with the router id fit well within it. */
#define BIND_BODY_LEN 12288

struct agent_binder {
    const agent_config *cfg;
    qtpm_tss *tpm;
    char router[256]; /* the key's policyRef */
    char claim[256];  /* the "router" of the request (the same, but for tests) */
    TPM2B_PUBLIC pol, pub;
    TPM2B_PRIVATE priv;
};

agent_binder *agent_binder_load(const agent_config *cfg, qtpm_tss *tpm, const char *router)
{
    agent_binder *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->cfg = cfg;
    b->tpm = tpm;
    snprintf(b->router, sizeof b->router, "%s", router);
    snprintf(b->claim, sizeof b->claim, "%s", router);
    if (agent_read_bind_key(cfg, &b->pol, &b->pub, &b->priv) != 0) {
        free(b);
        return NULL;
    }
    return b;
}

void agent_binder_claim(agent_binder *b, const char *router)
{
    snprintf(b->claim, sizeof b->claim, "%s", router);
}

void agent_binder_free(agent_binder *b)
{
    free(b);
}

/* Signs this connection's binding message in the TPM (docs/CHANNEL.md): the key is
 * loaded for this one signature (a TPM with three object slots keeps the TLS key). */
static int bind_sign(agent_binder *b, SSL *ssl, TPMT_SIGNATURE *sig, int *tpm_rc)
{
    unsigned char msg[QTPM_CHANNEL_BIND_MSG_LEN];
    if (qtpm_pqtls_bind_message(ssl, msg))
        return -1;
    qtpm_tss_key srk;
    agent_tlskey k;
    memset(&k, 0, sizeof k);
    int rc = qtpm_tss_create_srk(b->tpm, TPM_ALG_ECC, NULL, &srk);
    if (rc == QTPM_OK) {
        rc = agent_tlskey_load(&k, b->tpm, srk.handle, &b->pol, b->router, &b->priv, &b->pub);
        qtpm_tss_FlushContext(b->tpm, srk.handle);
    }
    if (rc == QTPM_OK && agent_load_approval(b->cfg, &k) != 0)
        rc = QTPM_E_PARAM;
    if (rc == QTPM_OK)
        rc = agent_tlskey_sign_message(&k, msg, sizeof msg, sig);
    if (k.key)
        qtpm_tss_FlushContext(b->tpm, k.key);
    *tpm_rc = rc;
    return rc == QTPM_OK ? 0 : -1;
}

struct bind_io {
    agent_binder *b;
    CURL *c;
    char *body;
    size_t pos;
    int failed, tpm_rc;
};

static char *b64_of(const uint8_t *p, size_t n)
{
    return agent_b64(p, n);
}

/* CURLOPT_READFUNCTION: called once the connection (and its TLS handshake) exists. */
static size_t bind_read(char *buf, size_t size, size_t nmemb, void *u)
{
    struct bind_io *io = u;
    if (!io->body) {
        struct curl_tlssessioninfo *ti = NULL;
        TPMT_SIGNATURE sig;
        uint8_t pb[sizeof(TPM2B_PUBLIC) + 2], sb[sizeof(TPMT_SIGNATURE) + 2];
        size_t po = 0, so = 0;
        if (curl_easy_getinfo(io->c, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK || !ti ||
            ti->backend != CURLSSLBACKEND_OPENSSL || !ti->internals ||
            bind_sign(io->b, ti->internals, &sig, &io->tpm_rc) ||
            qtpm_TPM2B_PUBLIC_marshal(&io->b->pub, pb, sizeof pb, &po) != TPM_RC_SUCCESS ||
            qtpm_TPMT_SIGNATURE_marshal(&sig, sb, sizeof sb, &so) != TPM_RC_SUCCESS) {
            io->failed = 1;
            return CURL_READFUNC_ABORT;
        }
        char *p64 = b64_of(pb, po), *s64 = b64_of(sb, so);
        json_t *j = p64 && s64 ? json_pack("{s:s,s:s,s:s}", "router", io->b->claim,
                                           "bind_pub", p64, "signature", s64)
                               : NULL;
        char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        free(p64);
        free(s64);
        json_decref(j);
        io->body = text ? malloc(BIND_BODY_LEN) : NULL;
        if (!io->body || strlen(text) > BIND_BODY_LEN) {
            free(text);
            io->failed = 1;
            return CURL_READFUNC_ABORT;
        }
        size_t tl = strlen(text);
        memcpy(io->body, text, tl);
        memset(io->body + tl, ' ', BIND_BODY_LEN - tl);
        free(text);
    }
    size_t n = size * nmemb, left = BIND_BODY_LEN - io->pos;
    if (n > left)
        n = left;
    memcpy(buf, io->body + io->pos, n);
    io->pos += n;
    return n;
}

int agent_channel_bind(agent_binder *b, void *c, void *vmulti, char *err, size_t errlen)
{
    CURLM *multi = vmulti;
    if (!b) {
        snprintf(err, errlen, "no channel-binding key in the state directory (run enrol "
                              "again: this NMS binds every router connection)");
        return AGENT_E_IO;
    }
    char url[1024];
    snprintf(url, sizeof url, "%s/api/v1/channel/bind", b->cfg->nms_url);
    struct bind_io io = { b, c, NULL, 0, 0, 0 };
    agent_reply r = { NULL, 0, 0 };
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)BIND_BODY_LEN);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, bind_read);
    curl_easy_setopt(c, CURLOPT_READDATA, &io);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, agent_reply_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    CURLcode cc = CURLE_OK;
    if (!multi) {
        cc = curl_easy_perform(c);
    } else if (curl_multi_add_handle(multi, c) != CURLM_OK) {
        cc = CURLE_FAILED_INIT;
    } else {
        /* The routing role's long-poll handle lives in a multi handle (its connection is
         * in the multi's cache): the bind runs there, blocking, bounded by the timeout
         * the caller set on c. */
        int running = 1, done = 0;
        for (int round = 0; !done && round < 100000; round++) {
            curl_multi_perform(multi, &running);
            CURLMsg *m;
            int left;
            while ((m = curl_multi_info_read(multi, &left)))
                if (m->msg == CURLMSG_DONE && m->easy_handle == c) {
                    cc = m->data.result;
                    done = 1;
                }
            if (!done)
                curl_multi_poll(multi, NULL, 0, 100, NULL);
        }
        curl_multi_remove_handle(multi, c);
        if (!done)
            cc = CURLE_OPERATION_TIMEDOUT;
    }
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    int rc = 0;
    if (io.failed) {
        snprintf(err, errlen, "channel binding: the TPM refused to sign this connection's "
                              "exporter (%s): its PCRs are not in a configuration the NMS "
                              "approved", io.tpm_rc ? qtpm_tss_strerror(io.tpm_rc)
                                                    : "no TLS 1.3 exporter");
        rc = AGENT_E_NMS;
    } else if (cc != CURLE_OK) {
        snprintf(err, errlen, "%s: %s", url, curl_easy_strerror(cc));
        rc = AGENT_E_NMS;
    } else if (status != 200) {
        snprintf(err, errlen, "%s: HTTP %ld %.300s", url, status, r.buf ? r.buf : "");
        rc = AGENT_E_NMS;
    }
    curl_easy_setopt(c, CURLOPT_READFUNCTION, NULL);
    curl_easy_setopt(c, CURLOPT_READDATA, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, -1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(h);
    free(io.body);
    free(r.buf);
    return rc;
}
