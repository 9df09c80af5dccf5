/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_nms_web: the NMS dashboard's parsers of network input (src/nms/web.c) — the
 * session cookie and CSRF header of a request (qtpm_nms_web_session) and the dashboard
 * file path filter (qtpm_nms_web_path_ok). The first byte picks: even → path (the rest as
 * a string), odd → headers: the rest up to the first newline is the Cookie header, after
 * it the X-QTPM-CSRF header. The session key is 32 zero bytes, written before the first
 * call, so the seeds of tests/fuzz/corpus-web (tokens MAC'd with that key, expiring in
 * 2100) get past the MAC into the field parsing; a mutation mostly stops at the MAC.
 * Every call must return, with no leak or UB; a path accepted must have no empty segment,
 * no segment starting with a dot (so no "." or ".."), no '%' or '\\'.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "nms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct qtpm_nms_web *web;

static int init(void)
{
    static char dir[] = "/tmp/qtpm-fuzzweb.XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char path[64];
    snprintf(path, sizeof path, "%s/web-session.key", dir);
    FILE *f = fopen(path, "wb");
    static const unsigned char zero[32];
    if (!f || fwrite(zero, 1, sizeof zero, f) != sizeof zero) {
        if (f)
            fclose(f);
        return -1;
    }
    fclose(f);
    char err[256];
    int rc = qtpm_nms_web_open(dir, NULL, &web, err, sizeof err);
    unlink(path);
    rmdir(dir);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!web && init())
        abort();
    if (size < 1 || size > 4096)
        return 0;
    char *s = malloc(size);
    if (!s)
        return 0;
    memcpy(s, data + 1, size - 1);
    s[size - 1] = '\0';
    if (!(data[0] & 1)) {
        if (qtpm_nms_web_path_ok(s)) {
            /* no segment may start with '.' (so no "." or ".." segment), none be empty */
            if (strstr(s, "//") || s[0] == '.' || s[0] == '/' || strstr(s, "/.") ||
                s[strlen(s) - 1] == '/' || strchr(s, '%') || strchr(s, '\\'))
                abort();
        }
    } else {
        char *nl = strchr(s, '\n');
        if (nl)
            *nl = '\0';
        struct evhttp_request *r = evhttp_request_new(NULL, NULL);
        if (r) {
            struct evkeyvalq *h = evhttp_request_get_input_headers(r);
            (void)evhttp_add_header(h, "Cookie", s);
            if (nl)
                (void)evhttp_add_header(h, "X-QTPM-CSRF", nl + 1);
            int ok = 0;
            enum qtpm_nms_web_role role = qtpm_nms_web_session(web, r, &ok);
            if (role == QTPM_WEB_NONE && ok)
                abort(); /* no CSRF pass without a session */
            evhttp_request_free(r);
        }
    }
    free(s);
    return 0;
}
