/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's side of REST API v1 (docs/NMS.md): JSON bodies over HTTPS with
 * libcurl (OpenSSL flavour), the NMS's server certificate checked against the
 * configured CA. Enrolment and explicit attestation carry their own proof
 * (EK certificate + ActivateCredential, AK-signed quote over an NMS nonce),
 * so these calls present no client certificate. Replies are limited to
 * 8 MiB and every call has a connect and a total timeout.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "agent.h"

size_t agent_reply_write(char *p, size_t size, size_t nmemb, void *u)
{
    agent_reply *r = u;
    size_t n = size * nmemb;
    if (r->len + n > AGENT_REPLY_MAX) {
        r->overflow = 1;
        return 0;
    }
    char *nb = realloc(r->buf, r->len + n + 1);
    if (!nb)
        return 0;
    memcpy(nb + r->len, p, n);
    r->buf = nb;
    r->len += n;
    r->buf[r->len] = '\0';
    return n;
}

typedef struct {
    const agent_config *cfg;
    X509 *cert;
    EVP_PKEY *key;
    agent_binder *binder; /* bind the connection first (channel.c) */
} client_identity;

/* libcurl's hook into the OpenSSL context of the connection: the client
 * certificate and the TPM-resident key (agent_tlskey_evp) for mutual TLS. */
static CURLcode on_ssl_ctx(CURL *c, void *ssl_ctx, void *parm)
{
    (void)c;
    client_identity *id = parm;
    SSL_CTX *ctx = ssl_ctx;
    if (agent_channel_ctx(id->cfg, ctx))
        return CURLE_SSL_CIPHER;
    if (!id->cert)
        return CURLE_OK; /* anonymous: groups only */
    if (SSL_CTX_use_certificate(ctx, id->cert) != 1 || SSL_CTX_use_PrivateKey(ctx, id->key) != 1)
        return CURLE_SSL_CERTPROBLEM;
    return CURLE_OK;
}

static int post(const agent_config *cfg, const char *path, json_t *body, client_identity *id,
                long *status, json_t **reply, char *err, size_t errlen);

int agent_http_post(const agent_config *cfg, const char *path, json_t *body, long *status,
                    json_t **reply, char *err, size_t errlen)
{
    return post(cfg, path, body, NULL, status, reply, err, errlen);
}

int agent_http_post_tls(const agent_config *cfg, const char *path, json_t *body, X509 *cert,
                        EVP_PKEY *key, long *status, json_t **reply, char *err, size_t errlen)
{
    client_identity id = { cfg, cert, key, NULL };
    return post(cfg, path, body, &id, status, reply, err, errlen);
}

int agent_http_post_bound(const agent_config *cfg, const char *path, json_t *body, X509 *cert,
                          EVP_PKEY *key, agent_binder *binder, long *status, json_t **reply,
                          char *err, size_t errlen)
{
    client_identity id = { cfg, cert, key, binder };
    return post(cfg, path, body, &id, status, reply, err, errlen);
}

static CURL *anon;

static void anon_cleanup(void)
{
    curl_easy_cleanup(anon);
    anon = NULL;
}

/* The agent is single-threaded: one handle for its anonymous requests,
 * released at exit. */
static CURL *anon_handle(void)
{
    if (!anon) {
        anon = curl_easy_init();
        if (anon)
            atexit(anon_cleanup);
    }
    return anon;
}

static int post(const agent_config *cfg, const char *path, json_t *body, client_identity *id,
                long *status, json_t **reply, char *err, size_t errlen)
{
    *status = 0;
    *reply = NULL;
    char url[1024];
    snprintf(url, sizeof url, "%s%s", cfg->nms_url, path);
    if (agent_channel_init()) {
        snprintf(err, errlen, "the qtpm provider (post-quantum TLS) cannot be loaded");
        return AGENT_E_NMS;
    }
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text) {
        snprintf(err, errlen, "cannot encode the request");
        return QTPM_E_NOMEM;
    }
    /* Anonymous requests share one handle, so its connection (TCP + TLS)
     * is kept alive between them; a request with a TPM-resident client key
     * gets a handle of its own (its TLS context carries that identity). */
    CURL *c = id ? curl_easy_init() : anon_handle();
    if (!c) {
        free(text);
        snprintf(err, errlen, "libcurl initialisation failed");
        return QTPM_E_NOMEM;
    }
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    agent_reply r = { NULL, 0, 0 };
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    /* A verifier worker that does not hold this router's lease answers 307 with the
     * worker that does (docs/SCALE.md); 307 keeps the POST and its body. The new
     * connection is not channel-bound (docs/CHANNEL.md). */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 2L);
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
    if (cfg->ca_file[0])
        curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
    client_identity anon_id = { cfg, NULL, NULL, NULL };
    curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
    curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, id ? id : &anon_id);
    /* A router request: its connection is bound first (the same handle, so the same
     * kept-alive connection carries the request after it). */
    int rc = 0;
    if (id && id->cert && (rc = agent_channel_bind(id->binder, c, NULL, err, errlen)) != 0) {
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        free(text);
        return rc;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, agent_reply_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK) {
        snprintf(err, errlen, "%s: %s%s", url, curl_easy_strerror(cc),
                 r.overflow ? " (reply larger than 8 MiB)" : "");
        rc = AGENT_E_NMS;
    } else {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
        if (r.len) {
            json_error_t je;
            *reply = json_loadb(r.buf, r.len, 0, &je);
            if (!*reply) {
                snprintf(err, errlen, "%s: HTTP %ld with a reply that is not JSON", url, *status);
                rc = AGENT_E_NMS;
            }
        }
        if (rc == 0 && (*status < 200 || *status > 299)) {
            const char *code = *reply ? json_string_value(json_object_get(*reply, "error")) : NULL;
            const char *msg = *reply ? json_string_value(json_object_get(*reply, "message")) : NULL;
            snprintf(err, errlen, "%s: HTTP %ld %s%s%s", url, *status, code ? code : "",
                     msg ? ": " : "", msg ? msg : "");
            rc = AGENT_E_NMS;
        }
    }
    curl_slist_free_all(h);
    if (id)
        curl_easy_cleanup(c);
    else
        curl_easy_reset(c); /* options gone, connection cache kept */
    free(text);
    free(r.buf);
    return rc;
}

char *agent_b64(const uint8_t *buf, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, buf, (int)len);
    return out;
}

/* Base64 decode (RFC 4648 §4, padded). EVP_DecodeBlock counts the padding
 * as zero bytes; they are removed here. */
int agent_unb64(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(s);
    if (n % 4 || n / 4 * 3 > cap + 2)
        return QTPM_E_INVALID;
    uint8_t *tmp = malloc(n / 4 * 3 + 1);
    if (!tmp)
        return QTPM_E_NOMEM;
    int r = EVP_DecodeBlock(tmp, (const unsigned char *)s, (int)n);
    if (r < 0) {
        free(tmp);
        return QTPM_E_INVALID;
    }
    size_t l = (size_t)r;
    if (n >= 1 && s[n - 1] == '=')
        l--;
    if (n >= 2 && s[n - 2] == '=')
        l--;
    if (l > cap) {
        free(tmp);
        return QTPM_E_BUFFER;
    }
    memcpy(out, tmp, l);
    free(tmp);
    *len = l;
    return 0;
}

char *agent_hex(const uint8_t *buf, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *out = malloc(2 * len + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < len; i++) {
        out[2 * i] = digits[buf[i] >> 4];
        out[2 * i + 1] = digits[buf[i] & 15];
    }
    out[2 * len] = '\0';
    return out;
}

static int nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

int agent_unhex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(s);
    if (n % 2 || n / 2 > cap)
        return QTPM_E_INVALID;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = nibble(s[2 * i]), lo = nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return QTPM_E_INVALID;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    *len = n / 2;
    return 0;
}
