/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * web.c — the NMS web dashboard's server side: the static files of web/ (GET /,
 * GET /ui/<path>), browser login (GET /login?token=…) and the session cookie that the
 * REST API accepts in place of a client certificate (docs/NMS.md "Dashboard and browser
 * login").
 *
 * Tokens. A login token and a session are the same shape, told apart by their kind:
 *   v1.<kind>.<role>.<expiry unix s>.<32 hex random>.<64 hex HMAC-SHA256>
 * kind is "login" (what `qtpm-nms login-url` prints, default lifetime 10 minutes) or
 * "session" (the HttpOnly cookie set by /login, 8 hours); role is "operator" or
 * "read-only"; the MAC (RFC 2104) is keyed by DIR/web-session.key (32 random bytes, 0600,
 * made on first use with O_EXCL) over everything before the last dot, and is checked in
 * constant time before any other field is believed. A login token is not a session: the
 * kind is under the MAC. The session's random field is its CSRF secret, which the browser
 * also gets as the readable cookie qtpm_csrf; a request authenticated by the session
 * cookie that is not GET/HEAD must carry it in X-QTPM-CSRF (double submit: a cross-site
 * page can neither read the cookie nor send a custom header without a CORS preflight,
 * which this server never grants). SameSite=Strict keeps the cookie off cross-site
 * requests in the first place (RFC 6265bis §5.4.7).
 *
 * Static files: the path must be made of [A-Za-z0-9._-] segments, none empty or starting
 * with '.', so "..", percent-escapes and hidden files are refused (404) before the file
 * system is asked; the file is then opened below the web directory and must resolve
 * (realpath) inside it and be a regular file of at most 16 MiB. Every answer carries a
 * Content-Security-Policy without 'unsafe-inline' (no inline script or style),
 * frame-ancestors 'none', X-Content-Type-Options: nosniff, X-Frame-Options: DENY and
 * Referrer-Policy: no-referrer (the login URL holds a token).
 */
#include "config.h"
#include "nms.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "ct.h"

#define KEY_FILE "web-session.key"
#define KEY_LEN 32
#define SESSION_LIFETIME (8 * 3600)
#define MAX_FILE (16u << 20)
#define TOKEN_MAX 256

struct qtpm_nms_web {
    unsigned char key[KEY_LEN];
    char root[PATH_MAX]; /* realpath of the web directory; "" when there is none */
};

/* ---- the key ---- */

static int read_key(const char *path, unsigned char key[KEY_LEN])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, key, KEY_LEN);
    close(fd);
    return n == KEY_LEN ? 0 : -1;
}

/* Loads DIR/web-session.key, making it (O_EXCL, 0600) when missing; of two processes
 * making it at once, one writes and the other reads what was written. */
static int load_key(const char *dir, unsigned char key[KEY_LEN], char *err, size_t errlen)
{
    char path[PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/" KEY_FILE, dir) >= sizeof path) {
        snprintf(err, errlen, "the directory name is too long");
        return -1;
    }
    if (read_key(path, key) == 0)
        return 0;
    unsigned char fresh[KEY_LEN];
    if (RAND_bytes(fresh, sizeof fresh) != 1) {
        snprintf(err, errlen, "no random bytes for the session key");
        return -1;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        ssize_t n = write(fd, fresh, sizeof fresh);
        int bad = n != (ssize_t)sizeof fresh || fsync(fd) != 0;
        close(fd);
        if (bad) {
            unlink(path);
            OPENSSL_cleanse(fresh, sizeof fresh);
            snprintf(err, errlen, "cannot write %s", path);
            return -1;
        }
        memcpy(key, fresh, KEY_LEN);
        OPENSSL_cleanse(fresh, sizeof fresh);
        return 0;
    }
    OPENSSL_cleanse(fresh, sizeof fresh);
    /* EEXIST: another process made it meanwhile (a short write window: retry briefly). */
    for (int i = 0; errno == EEXIST && i < 50; i++) {
        if (read_key(path, key) == 0)
            return 0;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    snprintf(err, errlen, "cannot read or create %s (%s)", path, strerror(errno));
    return -1;
}

/* ---- tokens ---- */

static void hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int mac_hex(const unsigned char key[KEY_LEN], const char *msg, size_t len,
                   char out[65])
{
    unsigned char mac[32];
    unsigned int maclen = 0;
    if (!HMAC(EVP_sha256(), key, KEY_LEN, (const unsigned char *)msg, len, mac, &maclen) ||
        maclen != sizeof mac)
        return -1;
    hex(mac, sizeof mac, out);
    return 0;
}

static const char *role_name(enum qtpm_nms_web_role role)
{
    return role == QTPM_WEB_OPERATOR ? "operator" : "read-only";
}

/* Writes a token of kind for role valid until expiry; random (16 bytes) may be NULL. */
static int make_token(const unsigned char key[KEY_LEN], const char *kind,
                      enum qtpm_nms_web_role role, int64_t expiry, char out[TOKEN_MAX])
{
    unsigned char rnd[16];
    char rh[33], mac[65];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return -1;
    hex(rnd, sizeof rnd, rh);
    int n = snprintf(out, TOKEN_MAX, "v1.%s.%s.%lld.%s", kind, role_name(role),
                     (long long)expiry, rh);
    if (n < 0 || n + 66 >= TOKEN_MAX || mac_hex(key, out, (size_t)n, mac))
        return -1;
    out[n] = '.';
    memcpy(out + n + 1, mac, 65);
    return 0;
}

/* Checks a token of the given kind: MAC first (constant time), then kind, expiry, role.
 * Returns the role (QTPM_WEB_NONE when invalid); csrf (33 bytes) gets the random field. */
static enum qtpm_nms_web_role check_token(const unsigned char key[KEY_LEN], const char *tok,
                                          size_t len, const char *kind, char *csrf)
{
    if (len < 66 || len >= TOKEN_MAX)
        return QTPM_WEB_NONE;
    size_t body = len - 65;
    if (tok[body] != '.')
        return QTPM_WEB_NONE;
    char want[65];
    if (mac_hex(key, tok, body, want))
        return QTPM_WEB_NONE;
    /* The MAC's hex text is compared in constant time; its position is public. */
    if (!ct_equal(want, tok + body + 1, 64))
        return QTPM_WEB_NONE;
    char copy[TOKEN_MAX];
    memcpy(copy, tok, body);
    copy[body] = '\0';
    /* Exactly five non-empty dot-separated fields (no strtok: it would merge "..") */
    char *f[5], *p = copy;
    for (int i = 0; i < 5; i++) {
        f[i] = p;
        char *dot = strchr(p, '.');
        if (i < 4 && !dot)
            return QTPM_WEB_NONE;
        if (i == 4 && dot)
            return QTPM_WEB_NONE;
        if (dot) {
            *dot = '\0';
            p = dot + 1;
        }
        if (!*f[i])
            return QTPM_WEB_NONE;
    }
    if (strcmp(f[0], "v1") || strcmp(f[1], kind))
        return QTPM_WEB_NONE;
    char *end = NULL;
    long long exp = strtoll(f[3], &end, 10);
    if (*end || exp < (long long)time(NULL) || strlen(f[4]) != 32)
        return QTPM_WEB_NONE;
    if (csrf)
        memcpy(csrf, f[4], 33);
    if (!strcmp(f[2], "operator"))
        return QTPM_WEB_OPERATOR;
    if (!strcmp(f[2], "read-only"))
        return QTPM_WEB_READONLY;
    return QTPM_WEB_NONE;
}

/* The value of cookie name in a Cookie header (RFC 6265 §5.4: "a=b; c=d"). */
static const char *cookie_value(const char *header, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *semi = strchr(p, ';');
        size_t seg = semi ? (size_t)(semi - p) : strlen(p);
        if (seg > nl && !strncmp(p, name, nl) && p[nl] == '=') {
            *len = seg - nl - 1;
            return p + nl + 1;
        }
        p = semi;
    }
    return NULL;
}

/* ---- public ---- */

int qtpm_nms_web_open(const char *nms_dir, const char *web_dir, struct qtpm_nms_web **out,
                      char *err, size_t errlen)
{
    struct qtpm_nms_web *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (load_key(nms_dir, w->key, err, errlen)) {
        free(w);
        return -1;
    }
    if (web_dir && !realpath(web_dir, w->root)) {
        qtpm_nms_log(QTPM_LOG_WARN, "no dashboard (serve --web DIR)", "web", web_dir, "error",
                     strerror(errno), NULL);
        w->root[0] = '\0';
    }
    *out = w;
    return 0;
}

void qtpm_nms_web_close(struct qtpm_nms_web *w)
{
    if (w) {
        OPENSSL_cleanse(w->key, sizeof w->key);
        free(w);
    }
}

enum qtpm_nms_web_role qtpm_nms_web_session(const struct qtpm_nms_web *w,
                                            struct evhttp_request *r, int *csrf_ok)
{
    *csrf_ok = 0;
    if (!w)
        return QTPM_WEB_NONE;
    struct evkeyvalq *h = evhttp_request_get_input_headers(r);
    const char *cookies = evhttp_find_header(h, "Cookie");
    size_t len = 0;
    const char *v = cookies ? cookie_value(cookies, "qtpm_session", &len) : NULL;
    if (!v)
        return QTPM_WEB_NONE;
    char csrf[33];
    enum qtpm_nms_web_role role = check_token(w->key, v, len, "session", csrf);
    if (role == QTPM_WEB_NONE)
        return role;
    const char *sent = evhttp_find_header(h, "X-QTPM-CSRF");
    *csrf_ok = sent && strlen(sent) == 32 && ct_equal(sent, csrf, 32);
    OPENSSL_cleanse(csrf, sizeof csrf);
    return role;
}

int qtpm_nms_web_login_url(const char *nms_dir, const char *role, long ttl,
                           const char *listen, char *out, size_t outlen, char *err,
                           size_t errlen)
{
    enum qtpm_nms_web_role rl = !strcmp(role, "operator")    ? QTPM_WEB_OPERATOR
                                : !strcmp(role, "read-only") ? QTPM_WEB_READONLY
                                                             : QTPM_WEB_NONE;
    if (rl == QTPM_WEB_NONE) {
        snprintf(err, errlen, "--role wants operator or read-only, got '%s'", role);
        return -1;
    }
    unsigned char key[KEY_LEN];
    char tok[TOKEN_MAX];
    if (load_key(nms_dir, key, err, errlen))
        return -1;
    int rc = make_token(key, "login", rl, (int64_t)time(NULL) + ttl, tok);
    OPENSSL_cleanse(key, sizeof key);
    if (rc) {
        snprintf(err, errlen, "cannot make a token");
        return -1;
    }
    if ((size_t)snprintf(out, outlen, "https://%s/login?token=%s", listen, tok) >= outlen) {
        snprintf(err, errlen, "the URL is too long");
        return -1;
    }
    return 0;
}

/* ---- answering ---- */

static void security_headers(struct evhttp_request *r)
{
    struct evkeyvalq *o = evhttp_request_get_output_headers(r);
    evhttp_add_header(o, "Content-Security-Policy",
                      "default-src 'none'; script-src 'self'; style-src 'self'; "
                      "img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                      "form-action 'self'; frame-ancestors 'none'");
    evhttp_add_header(o, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(o, "X-Frame-Options", "DENY");
    evhttp_add_header(o, "Referrer-Policy", "no-referrer");
    evhttp_add_header(o, "Cross-Origin-Opener-Policy", "same-origin");
    evhttp_add_header(o, "Cross-Origin-Resource-Policy", "same-origin");
}

static void send_text(struct evhttp_request *r, int code, const char *reason, const char *msg)
{
    security_headers(r);
    struct evkeyvalq *o = evhttp_request_get_output_headers(r);
    evhttp_add_header(o, "Content-Type", "text/plain; charset=utf-8");
    evhttp_add_header(o, "Cache-Control", "no-store");
    evbuffer_add_printf(evhttp_request_get_output_buffer(r), "%s\n", msg);
    evhttp_send_reply(r, code, reason, NULL);
}

static const char *content_type(const char *path)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".json", "application/json"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcmp(dot, types[i].ext))
            return types[i].type;
    return "application/octet-stream";
}

/* A relative path of [A-Za-z0-9._-] segments, none empty or starting with '.'. */
int qtpm_nms_web_path_ok(const char *rel)
{
    if (!*rel || strlen(rel) > 200)
        return 0;
    int seg_start = 1;
    for (const char *p = rel; *p; p++) {
        char c = *p;
        if (c == '/') {
            if (seg_start)
                return 0; /* empty segment */
            seg_start = 1;
            continue;
        }
        if (seg_start && c == '.')
            return 0;
        seg_start = 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return !seg_start;
}

static void send_file(const struct qtpm_nms_web *w, struct evhttp_request *r, const char *rel)
{
    if (!w->root[0]) {
        send_text(r, 404, "Not Found",
                  "the dashboard is not installed (qtpm-nms serve --web DIR)");
        return;
    }
    if (!qtpm_nms_web_path_ok(rel)) {
        send_text(r, 404, "Not Found", "no such file");
        return;
    }
    char path[PATH_MAX], real[PATH_MAX];
    size_t rl = strlen(w->root);
    if ((size_t)snprintf(path, sizeof path, "%s/%s", w->root, rel) >= sizeof path ||
        !realpath(path, real) || strncmp(real, w->root, rl) != 0 || real[rl] != '/') {
        send_text(r, 404, "Not Found", "no such file");
        return;
    }
    int fd = open(real, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > MAX_FILE) {
        if (fd >= 0)
            close(fd);
        send_text(r, 404, "Not Found", "no such file");
        return;
    }
    struct evbuffer *out = evhttp_request_get_output_buffer(r);
    size_t want = (size_t)sb.st_size, got = 0;
    while (got < want) {
        int n = evbuffer_read(out, fd, (int)(want - got));
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != want) {
        evbuffer_drain(out, evbuffer_get_length(out));
        send_text(r, 500, "Internal Server Error", "cannot read the file");
        return;
    }
    security_headers(r);
    struct evkeyvalq *o = evhttp_request_get_output_headers(r);
    evhttp_add_header(o, "Content-Type", content_type(rel));
    evhttp_add_header(o, "Cache-Control", "no-cache");
    evhttp_send_reply(r, 200, "OK", NULL);
}

static void login(const struct qtpm_nms_web *w, struct evhttp_request *r)
{
    struct evkeyvalq params;
    const char *query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(r));
    enum qtpm_nms_web_role role = QTPM_WEB_NONE;
    if (query && evhttp_parse_query_str(query, &params) == 0) {
        const char *t = evhttp_find_header(&params, "token");
        if (t)
            role = check_token(w->key, t, strlen(t), "login", NULL);
        evhttp_clear_headers(&params);
    }
    if (role == QTPM_WEB_NONE) {
        send_text(r, 403, "Forbidden",
                  "this login link is invalid or has expired: ask for a new one "
                  "(qtpm-nms login-url --dir D --role operator|read-only)");
        return;
    }
    char session[TOKEN_MAX], cookie[TOKEN_MAX + 128];
    if (make_token(w->key, "session", role, (int64_t)time(NULL) + SESSION_LIFETIME, session)) {
        send_text(r, 500, "Internal Server Error", "cannot make a session");
        return;
    }
    security_headers(r);
    struct evkeyvalq *o = evhttp_request_get_output_headers(r);
    snprintf(cookie, sizeof cookie,
             "qtpm_session=%s; Path=/; Max-Age=%d; Secure; HttpOnly; SameSite=Strict", session,
             SESSION_LIFETIME);
    evhttp_add_header(o, "Set-Cookie", cookie);
    /* The CSRF secret is the session's random field (the fourth dot-separated field). */
    const char *f = session;
    for (int i = 0; i < 4; i++)
        f = strchr(f, '.') + 1;
    snprintf(cookie, sizeof cookie,
             "qtpm_csrf=%.32s; Path=/; Max-Age=%d; Secure; SameSite=Strict", f,
             SESSION_LIFETIME);
    evhttp_add_header(o, "Set-Cookie", cookie);
    OPENSSL_cleanse(session, sizeof session);
    OPENSSL_cleanse(cookie, sizeof cookie);
    evhttp_add_header(o, "Location", "/");
    evhttp_add_header(o, "Cache-Control", "no-store");
    evhttp_send_reply(r, 303, "See Other", NULL);
}

static void logout(struct evhttp_request *r)
{
    security_headers(r);
    struct evkeyvalq *o = evhttp_request_get_output_headers(r);
    evhttp_add_header(o, "Set-Cookie",
                      "qtpm_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
    evhttp_add_header(o, "Set-Cookie", "qtpm_csrf=; Path=/; Max-Age=0; Secure; SameSite=Strict");
    evhttp_add_header(o, "Location", "/");
    evhttp_add_header(o, "Cache-Control", "no-store");
    evhttp_send_reply(r, 303, "See Other", NULL);
}

int qtpm_nms_web_request(const struct qtpm_nms_web *w, struct evhttp_request *r,
                         const char *path)
{
    int is_root = !strcmp(path, "/") || !strcmp(path, "/index.html");
    int is_ui = !strncmp(path, "/ui/", 4);
    int is_login = !strcmp(path, "/login"), is_logout = !strcmp(path, "/logout");
    if (!w || !(is_root || is_ui || is_login || is_logout))
        return 0;
    enum evhttp_cmd_type m = evhttp_request_get_command(r);
    if (is_logout) {
        /* POST only, and same-origin: SameSite=Strict keeps a cross-site POST cookie-less,
         * and an Origin from elsewhere is refused outright. */
        if (m != EVHTTP_REQ_POST) {
            send_text(r, 405, "Method Not Allowed", "POST /logout");
            return 1;
        }
        struct evkeyvalq *h = evhttp_request_get_input_headers(r);
        const char *origin = evhttp_find_header(h, "Origin");
        const char *host = evhttp_find_header(h, "Host");
        if (origin && (!host || strncmp(origin, "https://", 8) || strcmp(origin + 8, host))) {
            send_text(r, 403, "Forbidden", "cross-origin logout refused");
            return 1;
        }
        logout(r);
        return 1;
    }
    if (m != EVHTTP_REQ_GET && m != EVHTTP_REQ_HEAD) {
        send_text(r, 405, "Method Not Allowed", "only GET here");
        return 1;
    }
    if (is_login)
        login(w, r);
    else
        send_file(w, r, is_root ? "index.html" : path + 1); /* /ui/x is DIR/ui/x */
    return 1;
}
