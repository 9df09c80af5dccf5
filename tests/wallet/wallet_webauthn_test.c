/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wallet_webauthn_test.c — the wallet's WebAuthn assertion check
 * (src/wallet/webauthn.c) against a software authenticator made here with
 * OpenSSL (P-256/ES256 and Ed25519/EdDSA): a good assertion verifies and
 * yields the new counter; a replay (same counter), a counter going
 * backwards, another challenge (the request it was made for differs),
 * another origin, another RP ID, a wrong type, missing UP / UV, a tampered
 * signature or authenticatorData, short authenticatorData and malformed
 * COSE keys are all refused with their own error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "webauthn.h"

typedef struct {
    EVP_PKEY *priv;
    uint8_t cose[128];
    size_t cose_len;
} authenticator;

static void make_authenticator(authenticator *a, int alg)
{
    size_t o = 0;
    if (alg == -7) {
        uint8_t pt[65];
        size_t pl = 0;
        a->priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
        assert_non_null(a->priv);
        assert_int_equal(EVP_PKEY_get_octet_string_param(a->priv, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                                         sizeof pt, &pl), 1);
        assert_int_equal(pl, 65);
        static const uint8_t h[] = { 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20 };
        memcpy(a->cose, h, sizeof h);
        o = sizeof h;
        memcpy(a->cose + o, pt + 1, 32);
        o += 32;
        a->cose[o++] = 0x22;
        a->cose[o++] = 0x58;
        a->cose[o++] = 0x20;
        memcpy(a->cose + o, pt + 33, 32);
        o += 32;
    } else {
        uint8_t x[32];
        size_t xl = sizeof x;
        a->priv = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
        assert_non_null(a->priv);
        assert_int_equal(EVP_PKEY_get_raw_public_key(a->priv, x, &xl), 1);
        static const uint8_t h[] = { 0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20 };
        memcpy(a->cose, h, sizeof h);
        o = sizeof h;
        memcpy(a->cose + o, x, 32);
        o += 32;
    }
    a->cose_len = o;
}

typedef struct {
    uint8_t ad[37];
    char cd[400];
    size_t cd_len;
    uint8_t sig[128];
    size_t sig_len;
} assertion;

static const char rp[] = "wallet.example";
static const char origin[] = "https://wallet.example:8443";
/* the challenge: SHA-256 of the request it authorises */
static const char request[] = "POST /v1/tokens/card/unseal {\"amount\":4200}";

static void b64u(const uint8_t *in, size_t n, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) |
                     (i + 2 < n ? in[i + 2] : 0);
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
        if (i + 1 < n) out[o++] = t[(v >> 6) & 63];
        if (i + 2 < n) out[o++] = t[v & 63];
    }
    out[o] = 0;
}

static void sign_assertion(const authenticator *a, int alg, const char *rp_id, uint8_t flags,
                           uint32_t counter, const char *type, const char *org,
                           const uint8_t chal[32], assertion *s)
{
    char cb[64];
    uint8_t msg[37 + 32];
    SHA256((const uint8_t *)rp_id, strlen(rp_id), s->ad);
    s->ad[32] = flags;
    s->ad[33] = (uint8_t)(counter >> 24);
    s->ad[34] = (uint8_t)(counter >> 16);
    s->ad[35] = (uint8_t)(counter >> 8);
    s->ad[36] = (uint8_t)counter;
    b64u(chal, 32, cb);
    s->cd_len = (size_t)snprintf(s->cd, sizeof s->cd,
                                 "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\","
                                 "\"crossOrigin\":false}", type, cb, org);
    memcpy(msg, s->ad, 37);
    SHA256((const uint8_t *)s->cd, s->cd_len, msg + 37);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    s->sig_len = sizeof s->sig;
    assert_int_equal(EVP_DigestSignInit(c, NULL, alg == -7 ? EVP_sha256() : NULL, NULL, a->priv), 1);
    assert_int_equal(EVP_DigestSign(c, s->sig, &s->sig_len, msg, sizeof msg), 1);
    EVP_MD_CTX_free(c);
}

static int check(EVP_PKEY *k, int alg, const assertion *s, const uint8_t chal[32],
                 uint32_t stored, int uv, uint32_t *nc)
{
    wa_expect e = { rp, origin, chal, 32, stored, uv };
    return wa_verify_assertion(k, alg, &e, s->ad, sizeof s->ad, (const uint8_t *)s->cd, s->cd_len,
                               s->sig, s->sig_len, nc);
}

static void run(int alg)
{
    authenticator a;
    assertion s, t;
    EVP_PKEY *k = NULL;
    int kalg = 0;
    uint32_t nc = 0;
    uint8_t chal[32], other[32];
    make_authenticator(&a, alg);
    assert_int_equal(wa_cose_key(a.cose, a.cose_len, &k, &kalg), 0);
    assert_int_equal(kalg, alg);
    SHA256((const uint8_t *)request, sizeof request - 1, chal);
    SHA256((const uint8_t *)"POST /v1/tokens/card/unseal {\"amount\":1}", 40, other);

    sign_assertion(&a, alg, rp, 0x05, 7, "webauthn.get", origin, chal, &s);
    assert_int_equal(check(k, alg, &s, chal, 6, 1, &nc), 0);
    assert_int_equal(nc, 7);
    /* replay: the same assertion once the counter 7 is stored */
    assert_int_equal(check(k, alg, &s, chal, 7, 1, &nc), WA_E_COUNTER);
    /* counter going backwards (a clone) */
    assert_int_equal(check(k, alg, &s, chal, 9, 1, &nc), WA_E_COUNTER);
    /* an assertion for another request */
    assert_int_equal(check(k, alg, &s, other, 6, 1, &nc), WA_E_CHALLENGE);
    /* other origin / RP / type / flags */
    sign_assertion(&a, alg, rp, 0x05, 8, "webauthn.get", "https://evil.example", chal, &t);
    assert_int_equal(check(k, alg, &t, chal, 7, 1, &nc), WA_E_ORIGIN);
    sign_assertion(&a, alg, "evil.example", 0x05, 8, "webauthn.get", origin, chal, &t);
    assert_int_equal(check(k, alg, &t, chal, 7, 1, &nc), WA_E_RPID);
    sign_assertion(&a, alg, rp, 0x05, 8, "webauthn.create", origin, chal, &t);
    assert_int_equal(check(k, alg, &t, chal, 7, 1, &nc), WA_E_CLIENT);
    sign_assertion(&a, alg, rp, 0x04, 8, "webauthn.get", origin, chal, &t);
    assert_int_equal(check(k, alg, &t, chal, 7, 1, &nc), WA_E_FLAGS);
    sign_assertion(&a, alg, rp, 0x01, 8, "webauthn.get", origin, chal, &t);
    assert_int_equal(check(k, alg, &t, chal, 7, 1, &nc), WA_E_FLAGS);
    assert_int_equal(check(k, alg, &t, chal, 7, 0, &nc), 0); /* UV not required */
    /* tampering */
    sign_assertion(&a, alg, rp, 0x05, 8, "webauthn.get", origin, chal, &t);
    t.sig[t.sig_len / 2] ^= 1;
    assert_int_equal(check(k, alg, &t, chal, 7, 1, &nc), WA_E_SIG);
    sign_assertion(&a, alg, rp, 0x05, 8, "webauthn.get", origin, chal, &t);
    t.ad[36] ^= 0x10; /* a raised counter, not signed */
    assert_int_equal(check(k, alg, &t, chal, 7, 1, &nc), WA_E_SIG);
    wa_expect e = { rp, origin, chal, 32, 0, 0 };
    assert_int_equal(wa_verify_assertion(k, alg, &e, t.ad, 36, (const uint8_t *)t.cd, t.cd_len,
                                         t.sig, t.sig_len, &nc), WA_E_AUTHDATA);
    assert_int_equal(wa_verify_assertion(k, alg, &e, t.ad, 37, (const uint8_t *)"{\"type\":", 8,
                                         t.sig, t.sig_len, &nc), WA_E_CLIENT);
    /* another authenticator's key does not verify it */
    authenticator b;
    EVP_PKEY *kb = NULL;
    make_authenticator(&b, alg);
    assert_int_equal(wa_cose_key(b.cose, b.cose_len, &kb, &kalg), 0);
    sign_assertion(&a, alg, rp, 0x05, 8, "webauthn.get", origin, chal, &t);
    assert_int_equal(check(kb, alg, &t, chal, 7, 1, &nc), WA_E_SIG);
    EVP_PKEY_free(kb);
    EVP_PKEY_free(b.priv);
    EVP_PKEY_free(k);
    EVP_PKEY_free(a.priv);
}

static void test_es256(void **state) { (void)state; run(-7); }
static void test_eddsa(void **state) { (void)state; run(-8); }

static void test_bad_cose(void **state)
{
    (void)state;
    authenticator a;
    EVP_PKEY *k = NULL;
    int alg;
    make_authenticator(&a, -7);
    uint8_t c[128];
    memcpy(c, a.cose, a.cose_len);
    /* a point not on the curve */
    c[20] ^= 1;
    assert_int_equal(wa_cose_key(c, a.cose_len, &k, &alg), WA_E_KEY);
    assert_null(k);
    /* truncated; alg RS256 (-257) instead of ES256; a duplicated label */
    assert_int_equal(wa_cose_key(a.cose, a.cose_len - 1, &k, &alg), WA_E_KEY);
    memcpy(c, a.cose, a.cose_len);
    c[4] = 0x39; /* -257 needs two more bytes: now malformed */
    assert_int_equal(wa_cose_key(c, a.cose_len, &k, &alg), WA_E_KEY);
    static const uint8_t dup[] = { 0xa2, 0x01, 0x02, 0x01, 0x02 };
    assert_int_equal(wa_cose_key(dup, sizeof dup, &k, &alg), WA_E_KEY);
    EVP_PKEY_free(a.priv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_es256),
        cmocka_unit_test(test_eddsa),
        cmocka_unit_test(test_bad_cose),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
