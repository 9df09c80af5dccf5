/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * request.c — the bootstrap server's parsers of what a device sends (RFC 8572 §7, the
 * ietf-sztp-bootstrap-server RPCs over RESTCONF, RFC 8040 JSON encoding): the HTTP Basic
 * identity, the get-bootstrapping-data input and the report-progress input. Network input:
 * fuzzed by tests/fuzz/fuzz_ztp.c.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/ztp.h"

#define IN_KEY "ietf-sztp-bootstrap-server:input"

int qtpm_ztp_basic_user(const char *auth, char serial[65])
{
    serial[0] = 0;
    if (!auth || strncmp(auth, "Basic ", 6) != 0)
        return QTPM_ZTP_E_FORMAT;
    const char *b = auth + 6;
    size_t n = strlen(b);
    if (n == 0 || n % 4 || n > 400)
        return QTPM_ZTP_E_FORMAT;
    unsigned char dec[301];
    int got = EVP_DecodeBlock(dec, (const unsigned char *)b, (int)n);
    if (got < 0)
        return QTPM_ZTP_E_FORMAT;
    got -= (b[n - 1] == '=') + (n > 1 && b[n - 2] == '=');
    int i = 0;
    for (; i < got && dec[i] != ':'; i++) {
        unsigned char c = dec[i];
        if (i >= 64 || !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                         (c >= 'A' && c <= 'Z') || c == '.' || c == '_' || c == '-'))
            return QTPM_ZTP_E_FORMAT;
        serial[i] = (char)c;
    }
    if (i == 0 || i >= got) { /* RFC 7617: user-id ":" password */
        serial[0] = 0;
        return QTPM_ZTP_E_FORMAT;
    }
    serial[i] = 0;
    return 0;
}

static json_t *input_object(const char *body, size_t len, int *empty, char *err, size_t errlen)
{
    *empty = 0;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len) {
        *empty = 1;
        return NULL;
    }
    json_error_t je;
    json_t *top = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    json_t *in = json_object_get(top, IN_KEY);
    if (!json_is_object(top) || json_object_size(top) != 1 || !json_is_object(in)) {
        snprintf(err, errlen, "the body must be {\"" IN_KEY "\": {...}}");
        json_decref(top);
        return NULL;
    }
    return top;
}

int qtpm_ztp_parse_get_input(const char *body, size_t len, char *err, size_t errlen)
{
    int empty;
    json_t *top = input_object(body, len, &empty, err, errlen);
    if (empty)
        return 0;
    if (!top)
        return QTPM_ZTP_E_FORMAT;
    json_t *in = json_object_get(top, IN_KEY), *v;
    const char *k;
    int rc = 0;
    json_object_foreach(in, k, v) {
        if (!strcmp(k, "signed-data-preferred")) {
            /* YANG empty leaf: [null] in RFC 7951 JSON */
            if (!json_is_array(v) || json_array_size(v) != 1 || !json_is_null(json_array_get(v, 0)))
                rc = QTPM_ZTP_E_FORMAT;
        } else if (!strcmp(k, "hw-model") || !strcmp(k, "os-name") || !strcmp(k, "os-version") ||
                   !strcmp(k, "nonce")) {
            if (!json_is_string(v) || json_string_length(v) > 255)
                rc = QTPM_ZTP_E_FORMAT;
        } else {
            rc = QTPM_ZTP_E_FORMAT;
        }
        if (rc) {
            snprintf(err, errlen, "input leaf '%.64s' unknown or malformed", k);
            break;
        }
    }
    json_decref(top);
    return rc;
}

int qtpm_ztp_parse_progress(const char *body, size_t len, char type[40], char msg[256],
                            char *err, size_t errlen)
{
    /* RFC 8572 §7: the progress-type identities */
    static const char *const types[] = {
        "bootstrap-initiated", "parsing-initiated", "parsing-warning", "parsing-error",
        "parsing-complete", "boot-image-initiated", "boot-image-warning", "boot-image-error",
        "boot-image-mismatch", "boot-image-installed-rebooting", "boot-image-complete",
        "pre-script-initiated", "pre-script-warning", "pre-script-error", "pre-script-complete",
        "config-initiated", "config-warning", "config-error", "config-complete",
        "post-script-initiated", "post-script-warning", "post-script-error",
        "post-script-complete", "bootstrap-warning", "bootstrap-error", "bootstrap-complete",
        "informational",
    };
    int empty;
    type[0] = msg[0] = 0;
    json_t *top = input_object(body, len, &empty, err, errlen);
    if (!top) {
        if (empty)
            snprintf(err, errlen, "report-progress needs an input");
        return QTPM_ZTP_E_FORMAT;
    }
    json_t *in = json_object_get(top, IN_KEY);
    const char *t = json_string_value(json_object_get(in, "progress-type"));
    json_t *m = json_object_get(in, "message");
    int rc = QTPM_ZTP_E_FORMAT;
    for (size_t i = 0; t && i < sizeof types / sizeof *types; i++)
        if (!strcmp(t, types[i]))
            rc = 0;
    if (rc == 0 && m && (!json_is_string(m) || json_string_length(m) >= 256))
        rc = QTPM_ZTP_E_FORMAT;
    if (rc == 0) {
        snprintf(type, 40, "%s", t);
        if (m)
            snprintf(msg, 256, "%s", json_string_value(m));
        for (char *c = msg; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = ' ';
    } else {
        snprintf(err, errlen, "progress-type missing or unknown, or message malformed");
    }
    json_decref(top);
    return rc;
}
