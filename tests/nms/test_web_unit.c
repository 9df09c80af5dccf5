/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_web_unit.c — src/nms/web.c in-process (ctest nms_web_unit, label web): the
 * dashboard path filter on a table of good and bad paths, and session cookies built here
 * from the documented format (docs/NMS.md "Dashboard and browser login":
 * v1.session.<role>.<expiry>.<32 hex>.<HMAC-SHA256 hex> keyed by DIR/web-session.key)
 * against qtpm_nms_web_session: accepted for both roles, among other cookies, with and
 * without the CSRF header; refused when expired, for another kind or role, with a flipped
 * MAC or body byte, a wrong length, an unknown version, extra fields, a cookie name that
 * only ends in qtpm_session; the key file is made 0600 once and reused; login-url's
 * arguments.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "nms.h"

static char dir[64];
static unsigned char key[32];
static struct qtpm_nms_web *web;

static int setup(void **state)
{
    (void)state;
    strcpy(dir, "/tmp/qtpm-webunit.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char err[256];
    if (qtpm_nms_web_open(dir, NULL, &web, err, sizeof err))
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/web-session.key", dir);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(key, 1, sizeof key, f);
    fclose(f);
    return n == sizeof key ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    qtpm_nms_web_close(web);
    char path[128];
    snprintf(path, sizeof path, "%s/web-session.key", dir);
    unlink(path);
    rmdir(dir);
    return 0;
}

/* A token of the documented format: body "." HMAC-SHA256(key, body) in hex. */
static void make(char *out, size_t len, const char *body)
{
    unsigned char mac[32];
    unsigned int ml = 0;
    HMAC(EVP_sha256(), key, sizeof key, (const unsigned char *)body, strlen(body), mac, &ml);
    int n = snprintf(out, len, "%s.", body);
    for (unsigned i = 0; i < ml; i++)
        n += snprintf(out + n, len - (size_t)n, "%02x", mac[i]);
}

static const char *CSRF = "0123456789abcdef0123456789abcdef";

/* The role qtpm_nms_web_session finds for a Cookie header (and the CSRF header). */
static enum qtpm_nms_web_role role_of(const char *cookie, const char *csrf, int *csrf_ok)
{
    struct evhttp_request *r = evhttp_request_new(NULL, NULL);
    assert_non_null(r);
    struct evkeyvalq *h = evhttp_request_get_input_headers(r);
    if (cookie)
        evhttp_add_header(h, "Cookie", cookie);
    if (csrf)
        evhttp_add_header(h, "X-QTPM-CSRF", csrf);
    int ok = -1;
    enum qtpm_nms_web_role role = qtpm_nms_web_session(web, r, &ok);
    evhttp_request_free(r);
    if (csrf_ok)
        *csrf_ok = ok;
    return role;
}

static void session_body(char *out, size_t len, const char *kind, const char *role,
                         long long exp)
{
    snprintf(out, len, "v1.%s.%s.%lld.%s", kind, role, exp, CSRF);
}

static void test_paths(void **state)
{
    (void)state;
    static const char *const good[] = {"index.html", "ui/app.js", "ui/vendor/cytoscape.min.js",
                                       "ui/a-b_c.d.css", "ui/x"};
    static const char *const bad[] = {
        "",          "/ui/app.js", "ui/../index.html", "ui/./app.js", "ui//app.js",
        "ui/",       "ui/.hidden", "..",               "ui/%2e%2e",   "ui/a b",
        "ui/a\\b",   "ui/a:b",     "ui/\xc3\xa9",      ".",           "ui/app.js/",
        "ui/a\nb",   "ui/a?b",     "ui/a#b",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_true(qtpm_nms_web_path_ok(good[i]));
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (qtpm_nms_web_path_ok(bad[i]))
            fail_msg("path '%s' accepted", bad[i]);
    }
    char longp[260];
    memset(longp, 'a', sizeof longp - 1);
    longp[sizeof longp - 1] = '\0';
    assert_false(qtpm_nms_web_path_ok(longp));
}

static void test_sessions(void **state)
{
    (void)state;
    char body[200], tok[300], cookie[400];
    long long exp = (long long)time(NULL) + 3600;
    int ok;

    session_body(body, sizeof body, "session", "operator", exp);
    make(tok, sizeof tok, body);
    snprintf(cookie, sizeof cookie, "qtpm_session=%s", tok);
    assert_int_equal(role_of(cookie, NULL, &ok), QTPM_WEB_OPERATOR);
    assert_int_equal(ok, 0);
    assert_int_equal(role_of(cookie, CSRF, &ok), QTPM_WEB_OPERATOR);
    assert_int_equal(ok, 1);
    assert_int_equal(role_of(cookie, "0123456789abcdef0123456789abcdee", &ok), QTPM_WEB_OPERATOR);
    assert_int_equal(ok, 0);
    assert_int_equal(role_of(cookie, "0123456789abcdef0123456789abcdef0", &ok), QTPM_WEB_OPERATOR);
    assert_int_equal(ok, 0);
    /* among other cookies, in any place */
    snprintf(cookie, sizeof cookie, "a=b; qtpm_csrf=%s; qtpm_session=%s; z=1", CSRF, tok);
    assert_int_equal(role_of(cookie, NULL, NULL), QTPM_WEB_OPERATOR);
    /* a name that only ends like ours */
    snprintf(cookie, sizeof cookie, "xqtpm_session=%s", tok);
    assert_int_equal(role_of(cookie, NULL, NULL), QTPM_WEB_NONE);
    assert_int_equal(role_of(NULL, CSRF, &ok), QTPM_WEB_NONE);
    assert_int_equal(ok, 0);

    session_body(body, sizeof body, "session", "read-only", exp);
    make(tok, sizeof tok, body);
    snprintf(cookie, sizeof cookie, "qtpm_session=%s", tok);
    assert_int_equal(role_of(cookie, NULL, NULL), QTPM_WEB_READONLY);

    /* refused: each with a valid MAC over the wrong content */
    static const struct {
        const char *kind, *role;
        long long dexp;
    } wrong[] = {
        {"login", "operator", 3600}, /* a login token is no session */
        {"session", "admin", 3600},  {"session", "router", 3600},
        {"session", "operator", -1}, /* expired */
        {"Session", "operator", 3600},
    };
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        session_body(body, sizeof body, wrong[i].kind, wrong[i].role,
                     (long long)time(NULL) + wrong[i].dexp);
        make(tok, sizeof tok, body);
        snprintf(cookie, sizeof cookie, "qtpm_session=%s", tok);
        if (role_of(cookie, CSRF, &ok) != QTPM_WEB_NONE || ok)
            fail_msg("accepted %s", tok);
    }
    static const struct {
        const char *pre, *post; /* around the expiry */
    } shapes[] = {
        {"v2.session.operator.", ".0123456789abcdef0123456789abcdef"},
        {"v1.session.operator.", ".0123456789abcdef0123456789abcde"},
        {"v1.session.operator.", ".0123456789abcdef0123456789abcdef.x"},
        {"v1.session.operator.", "x.0123456789abcdef0123456789abcdef"},
        {"v1.session..", ".0123456789abcdef0123456789abcdef"},
        {"v1..session.operator.", ".0123456789abcdef0123456789abcdef"},
        {"v1.session.operator..", ".0123456789abcdef0123456789abcdef"},
        {".v1.session.operator.", ".0123456789abcdef0123456789abcdef"},
        {"v1.session.operator.", "..0123456789abcdef0123456789abcdef"},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        snprintf(body, sizeof body, "%s%lld%s", shapes[i].pre, exp, shapes[i].post);
        make(tok, sizeof tok, body);
        snprintf(cookie, sizeof cookie, "qtpm_session=%s", tok);
        if (role_of(cookie, CSRF, NULL) != QTPM_WEB_NONE)
            fail_msg("accepted %s", tok);
    }
    /* a flipped byte anywhere: in the body, in the MAC; a truncated or extended MAC */
    session_body(body, sizeof body, "session", "operator", exp);
    make(tok, sizeof tok, body);
    size_t n = strlen(tok);
    for (size_t i = 0; i < n; i++) {
        char t2[300];
        memcpy(t2, tok, n + 1);
        t2[i] = t2[i] == 'a' ? 'b' : 'a';
        if (!strcmp(t2, tok))
            continue;
        snprintf(cookie, sizeof cookie, "qtpm_session=%s", t2);
        if (role_of(cookie, CSRF, NULL) != QTPM_WEB_NONE)
            fail_msg("accepted with byte %zu changed: %s", i, t2);
    }
    snprintf(cookie, sizeof cookie, "qtpm_session=%.*s", (int)n - 1, tok);
    assert_int_equal(role_of(cookie, CSRF, NULL), QTPM_WEB_NONE);
    snprintf(cookie, sizeof cookie, "qtpm_session=%s0", tok);
    assert_int_equal(role_of(cookie, CSRF, NULL), QTPM_WEB_NONE);
    assert_int_equal(role_of("qtpm_session=", CSRF, NULL), QTPM_WEB_NONE);
    assert_int_equal(role_of("qtpm_session", CSRF, NULL), QTPM_WEB_NONE);
}

static void test_key_and_login_url(void **state)
{
    (void)state;
    char path[128], url[512], err[256];
    struct stat sb;
    snprintf(path, sizeof path, "%s/web-session.key", dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 32);
    /* a second open reads the same key: a session made with it still works */
    struct qtpm_nms_web *w2 = NULL;
    assert_int_equal(qtpm_nms_web_open(dir, "/nonexistent", &w2, err, sizeof err), 0);
    qtpm_nms_web_close(w2);
    unsigned char again[32];
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fread(again, 1, sizeof again, f), sizeof again);
    fclose(f);
    assert_memory_equal(again, key, sizeof key);

    assert_int_equal(qtpm_nms_web_login_url(dir, "operator", 60, "127.0.0.1:1", url,
                                            sizeof url, err, sizeof err), 0);
    assert_int_equal(strncmp(url, "https://127.0.0.1:1/login?token=v1.login.operator.", 50), 0);
    assert_int_not_equal(qtpm_nms_web_login_url(dir, "router", 60, "h:1", url, sizeof url, err,
                                                sizeof err), 0);
    assert_non_null(strstr(err, "--role"));
    assert_int_not_equal(qtpm_nms_web_login_url(dir, "operator", 60, "h:1", url, 20, err,
                                                sizeof err), 0);
    assert_int_not_equal(qtpm_nms_web_login_url("/nonexistent/dir", "operator", 60, "h:1", url,
                                                sizeof url, err, sizeof err), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_key_and_login_url),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
