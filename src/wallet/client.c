/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * client.c — qtpm-wallet-client, the scripted path to the wallet service
 * (docs/WALLET.md "CLI client"): it does what the web UI does — request,
 * check that the challenge is SHA-256 of the request text, sign, approve —
 * with the authenticator either a FIDO2 device through libfido2
 * (--device /dev/hidrawN: fido_dev_make_cred / fido_dev_get_assert over a
 * clientDataJSON this client builds, as a browser would; the attestation is
 * sent as fmt "none", as a browser does for attestation "none"; --device
 * unix:PATH: the same, the CTAPHID reports over a UNIX stream socket for an
 * emulated or remote authenticator, fidoio.c — how the tests drive this
 * path against tests/wallet/ctap_authenticator.c) or a
 * software credential in a file (--soft-key FILE, softauth.c; its counter
 * in FILE.counter), for tests and demos on machines without a device.
 * HTTPS with libcurl, the server certificate checked against --cacert.
 *
 *   qtpm-wallet-client --url URL --cacert PEM --user NAME AUTH COMMAND
 *     AUTH:    --soft-key FILE | --device /dev/hidrawN | --device unix:PATH
 *     COMMAND: register | list | seal NAME [--type T --uses N --amount-limit N
 *              --expires T] (stdin) | unseal NAME [--amount N] | delete NAME |
 *              keygen NAME aes|hmac | encrypt NAME | decrypt NAME | hmac NAME
 *              (stdin to stdout) | replay FILE
 *     --save-approve FILE writes the approve body sent (to show a replay).
 * Exit 0 ok, 1 refused (the service's answer on stderr), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <fido.h>
#include <jansson.h>
#include <openssl/sha.h>

#include "cbor.h"
#include "fidoio.h"
#include "qtpm/version.h"
#include "softauth.h"
#include "webauthn.h"

static const char *url, *cacert, *user, *soft, *device, *save_approve;
static char origin[512];

typedef struct {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *d, size_t sz, size_t nm, void *arg)
{
    buf *b = arg;
    size_t k = sz * nm;
    if (b->n + k > (1u << 22))
        return 0; /* bounded answer */
    char *q = realloc(b->p, b->n + k + 1);
    if (!q)
        return 0;
    memcpy(q + b->n, d, k);
    b->p = q;
    b->n += k;
    b->p[b->n] = 0;
    return k;
}

/* POST a JSON body; *out the answer object; returns the HTTP status or -1 */
static long post(const char *path, json_t *body, json_t **out)
{
    char u[1024];
    buf b = { NULL, 0 };
    long code = -1;
    *out = NULL;
    char *t = json_dumps(body, JSON_COMPACT);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    snprintf(u, sizeof u, "%s%s", url, path);
    if (t && c && h) {
        curl_easy_setopt(c, CURLOPT_URL, u);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, t);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        if (cacert)
            curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
        CURLcode rc = curl_easy_perform(c);
        if (rc == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        else
            fprintf(stderr, "qtpm-wallet-client: %s: %s\n", u, curl_easy_strerror(rc));
    }
    if (b.p) {
        json_error_t e;
        *out = json_loads(b.p, 0, &e);
    }
    free(b.p);
    free(t);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return *out ? code : -1;
}

static void refused(const char *what, long code, json_t *ans)
{
    char *t = ans ? json_dumps(ans, JSON_COMPACT) : NULL;
    fprintf(stderr, "qtpm-wallet-client: %s refused (%ld): %s\n", what, code, t ? t : "");
    free(t);
}

/* ---- the software authenticator, its counter kept next to its key ---- */

static int soft_open(softauth *a, int create)
{
    if (create) {
        FILE *f = fopen(soft, "rb");
        if (f) {
            fclose(f);
            fprintf(stderr, "qtpm-wallet-client: %s exists\n", soft);
            return -1;
        }
        return sa_new(a, -7, "localhost", origin) || sa_save(a, soft) ? -1 : 0;
    }
    if (sa_load(a, soft, "localhost", origin) != 0)
        return -1;
    char p[4096];
    snprintf(p, sizeof p, "%s.counter", soft);
    FILE *f = fopen(p, "r");
    unsigned long c = 0;
    if (f) {
        if (fscanf(f, "%lu", &c) != 1)
            c = 0;
        fclose(f);
    }
    a->counter = (uint32_t)c;
    return 0;
}

static void soft_store(const softauth *a)
{
    char p[4096];
    snprintf(p, sizeof p, "%s.counter", soft);
    FILE *f = fopen(p, "w");
    if (f) {
        fprintf(f, "%lu\n", (unsigned long)a->counter);
        fclose(f);
    }
}

/* ---- the FIDO2 device through libfido2 (in the tests: an emulator over unix:) ---- */

/* libfido2's error, and the authenticator's CTAP2 status where it is one
 * (libfido2 passes CTAP status codes through as FIDO_ERR_* of the same
 * value, CTAP 2.1 §8.2) */
static void fido_failed(const char *what, int rc)
{
    if (rc > 0 && rc < 0x80)
        fprintf(stderr, "qtpm-wallet-client: %s: %s (authenticator status 0x%02x)\n", what,
                fido_strerr(rc), rc);
    else
        fprintf(stderr, "qtpm-wallet-client: %s: %s\n", what, fido_strerr(rc));
}

static int device_open(fido_dev_t *d)
{
    int rc = fidoio_open(d, device);
    if (rc != FIDO_OK)
        fprintf(stderr, "qtpm-wallet-client: cannot open FIDO2 device %s: %s\n", device,
                fido_strerr(rc));
    return rc;
}

static void client_data(const char *type, const char *chal, char *out, size_t cap)
{
    snprintf(out, cap, "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\","
                       "\"crossOrigin\":false}", type, chal, origin);
}

static json_t *b64j(const uint8_t *p, size_t n)
{
    char *t = malloc(n / 3 * 4 + 8);
    if (!t)
        return NULL;
    wa_b64url_encode(p, n, t);
    json_t *j = json_string(t);
    free(t);
    return j;
}

static json_t *device_register(const json_t *begin)
{
    json_t *pk = json_object_get(begin, "publicKey");
    const char *chal = json_string_value(json_object_get(pk, "challenge"));
    const char *rp = json_string_value(json_object_get(json_object_get(pk, "rp"), "id"));
    const char *uid = json_string_value(json_object_get(json_object_get(pk, "user"), "id"));
    uint8_t h[32], id[64];
    char cd[1024];
    long il = uid ? wa_b64url_decode(uid, id, sizeof id) : -1;
    if (!chal || !rp || il <= 0)
        return NULL;
    client_data("webauthn.create", chal, cd, sizeof cd);
    SHA256((const uint8_t *)cd, strlen(cd), h);
    fido_dev_t *d = fido_dev_new();
    fido_cred_t *c = fido_cred_new();
    json_t *out = NULL;
    if (d && c && fido_cred_set_type(c, COSE_ES256) == FIDO_OK &&
        fido_cred_set_clientdata_hash(c, h, sizeof h) == FIDO_OK &&
        fido_cred_set_rp(c, rp, "qtpm-wallet") == FIDO_OK &&
        fido_cred_set_user(c, id, (size_t)il, user, user, NULL) == FIDO_OK &&
        fido_cred_set_uv(c, FIDO_OPT_TRUE) == FIDO_OK && device_open(d) == FIDO_OK) {
        fprintf(stderr, "touch the authenticator...\n");
        int rc = fido_dev_make_cred(d, c, NULL);
        /* a "packed" attestation is checked before it is dropped for "none":
         * its signature (by the attestation key of x5c, or by the new
         * credential's own key for self attestation, WebAuthn L2 §8.2) over
         * authData ‖ clientDataHash, the RP id hash and the UV flag — a key
         * that cannot sign its own registration is broken or not a key */
        const char *fmt = rc == FIDO_OK ? fido_cred_fmt(c) : NULL;
        if (fmt && !strcmp(fmt, "packed")) {
            int v = fido_cred_x5c_len(c) ? fido_cred_verify(c) : fido_cred_verify_self(c);
            if (v != FIDO_OK) {
                fprintf(stderr, "qtpm-wallet-client: the authenticator's packed attestation "
                                "does not verify: %s\n", fido_strerr(v));
                rc = v;
            }
        }
        if (rc != FIDO_OK && !fmt) {
            fido_failed("make_cred", rc);
        } else if (rc == FIDO_OK) {
            /* attestationObject {fmt: "none", attStmt: {}, authData} (WebAuthn §6.5.4) */
            size_t al = fido_cred_authdata_raw_len(c);
            uint8_t *att = malloc(al + 32);
            if (att && al < 65536) {
                size_t o = 0;
                static const uint8_t hd[] = { 0xa3, 0x63, 'f', 'm', 't', 0x64, 'n', 'o', 'n',
                                              'e', 0x67, 'a', 't', 't', 'S', 't', 'm', 't',
                                              0xa0, 0x68, 'a', 'u', 't', 'h', 'D', 'a', 't',
                                              'a' };
                memcpy(att, hd, sizeof hd);
                o = sizeof hd;
                if (al < 24) {
                    att[o++] = (uint8_t)(0x40 | al);
                } else if (al < 256) {
                    att[o++] = 0x58;
                    att[o++] = (uint8_t)al;
                } else {
                    att[o++] = 0x59;
                    att[o++] = (uint8_t)(al >> 8);
                    att[o++] = (uint8_t)al;
                }
                memcpy(att + o, fido_cred_authdata_raw_ptr(c), al);
                o += al;
                out = json_pack("{s:O,s:o,s:o}", "request", json_object_get(begin, "request"),
                                "clientDataJSON", b64j((const uint8_t *)cd, strlen(cd)),
                                "attestationObject", b64j(att, o));
            }
            free(att);
        }
        fido_dev_close(d);
    }
    fido_cred_free(&c);
    fido_dev_free(&d);
    return out;
}

static json_t *device_assert(const json_t *req)
{
    json_t *pk = json_object_get(req, "publicKey");
    const char *chal = json_string_value(json_object_get(pk, "challenge"));
    const char *rp = json_string_value(json_object_get(pk, "rpId"));
    json_t *allow = json_object_get(pk, "allowCredentials");
    uint8_t h[32];
    char cd[1024];
    if (!chal || !rp || json_array_size(allow) == 0)
        return NULL;
    client_data("webauthn.get", chal, cd, sizeof cd);
    SHA256((const uint8_t *)cd, strlen(cd), h);
    fido_dev_t *d = fido_dev_new();
    fido_assert_t *a = fido_assert_new();
    json_t *out = NULL;
    int ok = d && a && fido_assert_set_rp(a, rp) == FIDO_OK &&
             fido_assert_set_clientdata_hash(a, h, sizeof h) == FIDO_OK &&
             fido_assert_set_uv(a, FIDO_OPT_TRUE) == FIDO_OK;
    for (size_t k = 0; ok && k < json_array_size(allow); k++) {
        uint8_t id[1024];
        long l = wa_b64url_decode(json_string_value(json_object_get(json_array_get(allow, k), "id")),
                                  id, sizeof id);
        ok = l > 0 && fido_assert_allow_cred(a, id, (size_t)l) == FIDO_OK;
    }
    if (ok && device_open(d) == FIDO_OK) {
        fprintf(stderr, "touch the authenticator...\n");
        int rc = fido_dev_get_assert(d, a, NULL);
        /* libfido2 1.12 gives authData CBOR-wrapped (a byte string): unwrap it */
        const uint8_t *ad = NULL;
        size_t adl = 0;
        cbor_reader r;
        if (rc == FIDO_OK && fido_assert_count(a) == 1) {
            cbor_init(&r, fido_assert_authdata_ptr(a, 0), fido_assert_authdata_len(a, 0));
            if (cbor_read_bytes(&r, &ad, &adl) != 0 || r.off != r.len)
                rc = FIDO_ERR_INVALID_ARGUMENT;
        }
        if (rc == FIDO_OK && fido_assert_count(a) == 1)
            out = json_pack("{s:O,s:o,s:o,s:o,s:o}", "request", json_object_get(req, "request"),
                            "credential", b64j(fido_assert_id_ptr(a, 0), fido_assert_id_len(a, 0)),
                            "clientDataJSON", b64j((const uint8_t *)cd, strlen(cd)),
                            "authenticatorData", b64j(ad, adl),
                            "signature", b64j(fido_assert_sig_ptr(a, 0), fido_assert_sig_len(a, 0)));
        else
            fido_failed("get_assert", rc);
        fido_dev_close(d);
    }
    fido_assert_free(&a);
    fido_dev_free(&d);
    return out;
}

/* ---- one approved operation ---- */

static int approved(json_t *req, json_t **ans)
{
    json_t *chal = NULL;
    long code = post("/api/v1/requests", req, &chal);
    *ans = NULL;
    if (code != 200) {
        refused("request", code, chal);
        json_decref(chal);
        return 1;
    }
    /* sign only what is shown: the challenge must be the hash of the text */
    const char *text = json_string_value(json_object_get(chal, "text"));
    const char *c = json_string_value(json_object_get(json_object_get(chal, "publicKey"),
                                                      "challenge"));
    uint8_t h[32];
    char want[64];
    if (!text || !c) {
        json_decref(chal);
        return 1;
    }
    SHA256((const uint8_t *)text, strlen(text), h);
    wa_b64url_encode(h, sizeof h, want);
    if (strcmp(want, c) != 0) {
        fprintf(stderr, "qtpm-wallet-client: the challenge is not SHA-256 of the request\n");
        json_decref(chal);
        return 1;
    }
    fprintf(stderr, "approving %s\n", text);
    json_t *body = NULL;
    if (soft) {
        softauth a;
        if (soft_open(&a, 0) == 0) {
            body = sa_assert(&a, chal);
            soft_store(&a);
            sa_free(&a);
        }
    } else {
        body = device_assert(chal);
    }
    json_decref(chal);
    if (!body)
        return 1;
    if (save_approve) {
        FILE *f = fopen(save_approve, "w");
        if (f) {
            json_dumpf(body, f, JSON_COMPACT);
            fclose(f);
        }
    }
    code = post("/api/v1/approve", body, ans);
    json_decref(body);
    if (code != 200) {
        refused("approve", code, *ans);
        return 1;
    }
    return 0;
}

static uint8_t *read_stdin(size_t *n)
{
    size_t cap = 4096;
    uint8_t *b = malloc(cap);
    *n = 0;
    while (b) {
        size_t r = fread(b + *n, 1, cap - *n, stdin);
        *n += r;
        if (r == 0)
            break;
        if (*n == cap) {
            if (cap >= 65536) {
                free(b);
                return NULL;
            }
            uint8_t *q = realloc(b, cap * 2);
            if (!q)
                free(b);
            b = q;
            cap *= 2;
        }
    }
    return b;
}

static int usage(FILE *to, int rc)
{
    fputs("usage: qtpm-wallet-client --url URL [--cacert PEM] --user NAME "
          "(--soft-key FILE | --device PATH)\n"
          "         [--origin URL] [--save-approve FILE] COMMAND\n"
          "  register | list | seal NAME [--type bearer|financial] [--uses N]\n"
          "  [--amount-limit N] [--expires T] (stdin) | unseal NAME [--amount N] | delete NAME\n"
          "  keygen NAME aes|hmac | encrypt NAME | decrypt NAME | hmac NAME | replay FILE\n"
          "\n"
          "Authenticators:\n"
          "  --device /dev/hidrawN  a FIDO2 key (CTAP2 over USB HID, through libfido2)\n"
          "  --device unix:PATH     an emulated or remote FIDO2 authenticator: CTAPHID\n"
          "                         reports (64 bytes each, as over hidraw) over a UNIX\n"
          "                         stream socket at PATH; libfido2 does CTAPHID and CTAP2\n"
          "  --soft-key FILE        a software credential in FILE (tests, demos)\n"
          "Exit status: 0 done, 1 refused or failed (the reason on stderr), 2 usage.\n",
          to);
    return rc;
}

int main(int argc, char **argv)
{
    const char *orig = NULL;
    int i = 1;
    if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))) {
        printf("qtpm-wallet-client %s\n", QTPM_VERSION);
        return 0;
    }
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
        return usage(stdout, 0);
    for (; i + 1 < argc && !strncmp(argv[i], "--", 2); i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "--url")) url = v;
        else if (!strcmp(k, "--cacert")) cacert = v;
        else if (!strcmp(k, "--user")) user = v;
        else if (!strcmp(k, "--soft-key")) soft = v;
        else if (!strcmp(k, "--device")) device = v;
        else if (!strcmp(k, "--origin")) orig = v;
        else if (!strcmp(k, "--save-approve")) save_approve = v;
        else return usage(stderr, 2);
    }
    if (!url || !user || i >= argc || (!soft == !device) || strlen(url) >= sizeof origin)
        return usage(stderr, 2);
    snprintf(origin, sizeof origin, "%s", orig ? orig : url);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 1;
    fido_init(0);
    const char *cmd = argv[i++];
    const char *name = i < argc ? argv[i++] : NULL;
    json_t *ans = NULL;
    int rc = 1;
    if (!strcmp(cmd, "register")) {
        json_t *req = json_pack("{s:s}", "user", user), *begin = NULL, *body = NULL;
        long code = post("/api/v1/register/begin", req, &begin);
        if (code != 200) {
            refused("register", code, begin);
        } else if (soft) {
            softauth a;
            if (soft_open(&a, 1) == 0) {
                body = sa_register(&a, begin, 1); /* packed self attestation */
                soft_store(&a);
                sa_free(&a);
            }
        } else {
            body = device_register(begin);
        }
        if (body) {
            code = post("/api/v1/register/finish", body, &ans);
            if (code == 200) {
                printf("registered %s: credential %s (%s)\n", user,
                       json_string_value(json_object_get(ans, "credential")),
                       json_string_value(json_object_get(ans, "fmt")));
                rc = 0;
            } else {
                refused("register", code, ans);
            }
        }
        json_decref(req);
        json_decref(begin);
        json_decref(body);
    } else if (!strcmp(cmd, "list")) {
        json_t *req = json_pack("{s:s}", "user", user);
        long code = post("/api/v1/tokens", req, &ans);
        if (code == 200) {
            json_t *it;
            size_t k;
            json_array_foreach(json_object_get(ans, "items"), k, it)
                printf("%s\t%s\n", json_string_value(json_object_get(it, "name")),
                       json_string_value(json_object_get(it, "kind")));
            rc = 0;
        } else {
            refused("list", code, ans);
        }
        json_decref(req);
    } else if (!strcmp(cmd, "replay") && name) {
        json_error_t e;
        json_t *body = json_load_file(name, 0, &e);
        long code = body ? post("/api/v1/approve", body, &ans) : -1;
        if (code == 200) {
            rc = 0;
        } else {
            refused("replay", code, ans);
        }
        json_decref(body);
    } else if (name && (!strcmp(cmd, "seal") || !strcmp(cmd, "unseal") || !strcmp(cmd, "delete") ||
                        !strcmp(cmd, "keygen") || !strcmp(cmd, "encrypt") ||
                        !strcmp(cmd, "decrypt") || !strcmp(cmd, "hmac"))) {
        json_t *req = json_pack("{s:s,s:s,s:s}", "user", user, "op", cmd, "name", name);
        int bad = 0;
        if (!strcmp(cmd, "keygen")) {
            if (i < argc)
                json_object_set_new(req, "kind", json_string(argv[i++]));
            else
                bad = 1;
        }
        for (; !bad && i + 1 < argc; i += 2) {
            const char *k = argv[i], *v = argv[i + 1];
            char *e;
            long long n = strtoll(v, &e, 10);
            if (!strcmp(k, "--type"))
                json_object_set_new(req, "type", json_string(v));
            else if (*e == 0 && (!strcmp(k, "--uses") || !strcmp(k, "--amount-limit") ||
                                 !strcmp(k, "--expires") || !strcmp(k, "--amount")))
                json_object_set_new(req, !strcmp(k, "--amount-limit") ? "amount_limit" : k + 2,
                                    json_integer(n));
            else
                bad = 1;
        }
        if (bad || i < argc) {
            json_decref(req);
            return usage(stderr, 2);
        }
        if (!strcmp(cmd, "seal") || !strcmp(cmd, "encrypt") || !strcmp(cmd, "decrypt") ||
            !strcmp(cmd, "hmac")) {
            size_t n = 0;
            uint8_t *d = read_stdin(&n);
            if (!d || n == 0) {
                free(d);
                json_decref(req);
                fprintf(stderr, "qtpm-wallet-client: no input (≤ 64 KiB) on stdin\n");
                return 1;
            }
            json_object_set_new(req, "data", b64j(d, n));
            free(d);
        }
        rc = approved(req, &ans);
        json_decref(req);
        const char *field = !strcmp(cmd, "unseal") ? "token" : "data";
        const char *v = rc == 0 ? json_string_value(json_object_get(ans, field)) : NULL;
        if (v) {
            size_t cap = strlen(v) / 4 * 3 + 3;
            uint8_t *d = malloc(cap);
            long n = d ? wa_b64url_decode(v, d, cap) : -1;
            if (n >= 0)
                fwrite(d, 1, (size_t)n, stdout);
            free(d);
        } else if (rc == 0) {
            char *t = json_dumps(ans, JSON_COMPACT);
            printf("%s\n", t ? t : "");
            free(t);
        }
    } else {
        return usage(stderr, 2);
    }
    json_decref(ans);
    curl_global_cleanup();
    return rc;
}
