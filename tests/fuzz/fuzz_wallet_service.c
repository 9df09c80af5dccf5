/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_wallet_service.c — libFuzzer target for the wallet service's HTTP
 * body parsers (src/wallet/service.c, svc_handle): the first byte picks the
 * endpoint (register/begin, register/finish, requests, approve, tokens, or
 * approve of a live request: the harness makes a request and points the
 * input's "request" member at it, so the assertion checks are reached),
 * the rest is the body. Every answer must be a JSON object with a status
 * in 200..599; 200 is possible only where no authenticator is needed.
 * The service runs without a vault (the stubs in wallet_vault_stub.c abort
 * if it ever reached one) on an in-memory SQLite database with one user
 * registered by the software authenticator.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "softauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static svc *s;
static softauth a;

static json_t *post(const char *path, json_t *body)
{
    char *t = json_dumps(body, JSON_COMPACT);
    json_t *out = NULL;
    svc_handle(s, "POST", path, (const uint8_t *)t, strlen(t), &out);
    free(t);
    return out;
}

static void init(void)
{
    static const svc_config cfg = { "localhost", "https://localhost:8443", 1, 120 };
    if (svc_open(NULL, ":memory:", &cfg, &s) != 0 ||
        sa_new(&a, -7, cfg.rp_id, cfg.origin) != 0)
        abort();
    json_t *u = json_pack("{s:s}", "user", "alice");
    json_t *begin = post("/api/v1/register/begin", u);
    json_t *fin = sa_register(&a, begin, 1);
    json_t *ok = post("/api/v1/register/finish", fin);
    if (!json_object_get(ok, "credential"))
        abort();
    json_decref(u);
    json_decref(begin);
    json_decref(fin);
    json_decref(ok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const paths[] = { "/api/v1/register/begin", "/api/v1/register/finish",
                                         "/api/v1/requests", "/api/v1/approve",
                                         "/api/v1/tokens", "/api/v1/approve" };
    if (!s)
        init();
    if (size < 1)
        return 0;
    unsigned which = data[0] % 6;
    const uint8_t *body = data + 1;
    size_t len = size - 1;
    char *patched = NULL;
    if (which == 5) {
        /* a live request; the input (if an object) becomes the approve body */
        json_t *r = json_pack("{s:s,s:s,s:s,s:s}", "user", "alice", "op", "seal", "name", "t",
                              "data", "YQ");
        json_t *chal = post("/api/v1/requests", r);
        json_error_t e;
        json_t *in = json_loadb((const char *)body, len, 0, &e);
        if (json_is_object(in) && json_object_get(chal, "request")) {
            json_object_set(in, "request", json_object_get(chal, "request"));
            patched = json_dumps(in, JSON_COMPACT);
            body = (const uint8_t *)patched;
            len = strlen(patched);
        }
        json_decref(in);
        json_decref(r);
        json_decref(chal);
    }
    json_t *out = NULL;
    int code = svc_handle(s, "POST", paths[which], body, len, &out);
    if (!json_is_object(out) || code < 200 || code > 599)
        abort();
    /* nothing that needs an authenticator or the vault can succeed here */
    if (code == 200 && (which == 1 || which == 3 || which == 5))
        abort();
    json_decref(out);
    free(patched);
    return 0;
}
