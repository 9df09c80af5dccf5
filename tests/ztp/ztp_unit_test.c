/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ztp_unit_test.c — libqtpm-ztp's decoders and checks in process (cmocka; docs/ZTP.md): the
 * path rules of the configuration files, date-and-time and base64 strictness, the boot image
 * digest's definition, the HTTP Basic identity and the RPC inputs, and the device check on
 * artifacts built here (good; wrong serial; expired; content swapped between artifacts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "qtpm/mldsa.h"
#include "qtpm/ztp.h"

static char *onboarding_with_file(const char *path)
{
    /* configuration = base64 of {"qtpm-agent:configuration": {...}} */
    char conf[512], b64[800], *out = malloc(2048);
    snprintf(conf, sizeof conf,
             "{\"qtpm-agent:configuration\":{\"nms\":\"https://n:1\",\"nms-trust-anchor\":\"x\","
             "\"files\":[{\"path\":\"%s\",\"content\":\"eA==\"}]}}",
             path);
    EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)conf, (int)strlen(conf));
    char hv[96];
    for (int i = 0; i < 32; i++)
        snprintf(hv + 3 * i, 4, i < 31 ? "ab:" : "ab");
    snprintf(out, 2048,
             "{\"ietf-sztp-conveyed-info:onboarding-information\":{\"boot-image\":{\"os-name\":"
             "\"o\",\"os-version\":\"1\",\"image-verification\":[{\"hash-algorithm\":"
             "\"ietf-sztp-conveyed-info:sha-256\",\"hash-value\":\"%s\"}]},"
             "\"configuration-handling\":\"replace\",\"configuration\":\"%s\"}}",
             hv, b64);
    return out;
}

static void test_file_paths(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        int ok;
    } cases[] = { { "/etc/frr/frr.conf", 1 }, { "/a", 1 },        { "etc/x", 0 },
                  { "/", 0 },                 { "/../etc/x", 0 }, { "/a/../b", 0 },
                  { "/a/./b", 0 },            { "/a//b", 0 },     { "/a/", 0 },
                  { "/a b", 0 },              { "/a\\\\b", 0 } };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *j = onboarding_with_file(cases[i].path), err[256];
        qtpm_ztp_onboarding o;
        int rc = qtpm_ztp_onboarding_parse((uint8_t *)j, strlen(j), &o, err, sizeof err);
        if (cases[i].ok) {
            assert_int_equal(rc, 0);
            assert_string_equal(o.files[0].path, cases[i].path);
            assert_int_equal(o.files[0].len, 1);
            assert_int_equal(o.image_sha256[0], 0xab);
            qtpm_ztp_onboarding_clear(&o);
        } else {
            assert_int_equal(rc, QTPM_ZTP_E_FORMAT);
        }
        free(j);
    }
}

static void test_voucher_fields(void **state)
{
    (void)state;
    char err[256];
    qtpm_ztp_voucher v;
    const char *bad[] = {
        "{}",
        "{\"ietf-voucher:voucher\":{\"created-on\":\"2026-01-01T00:00:00Z\",\"assertion\":"
        "\"verified\"}}", /* no serial-number */
        "{\"ietf-voucher:voucher\":{\"created-on\":\"2026-13-01T00:00:00Z\",\"assertion\":"
        "\"verified\",\"serial-number\":\"s\",\"pinned-domain-cert\":\"\"}}", /* month 13 */
        "{\"ietf-voucher:voucher\":{\"created-on\":\"2026-01-01T00:00:00Z\",\"assertion\":"
        "\"trust-me\",\"serial-number\":\"s\",\"pinned-domain-cert\":\"\"}}", /* assertion */
        "{\"ietf-voucher:voucher\":{\"created-on\":\"2026-01-01T00:00:00Z\",\"assertion\":"
        "\"verified\",\"serial-number\":\"s\",\"pinned-domain-cert\":\"AAA\"}}", /* base64 */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(qtpm_ztp_voucher_parse((const uint8_t *)bad[i], strlen(bad[i]), &v, err,
                                                sizeof err),
                         QTPM_ZTP_E_FORMAT);
}

/* SHA-256 over "<hex> <path>\n" sorted by path: two files given in the wrong order. */
static void test_image_digest(void **state)
{
    (void)state;
    qtpm_ztp_image_entry e[2] = { { "/bin/b", { 0 } }, { "/bin/a", { 0 } } };
    memset(e[0].sha256, 0x22, 32);
    memset(e[1].sha256, 0x11, 32);
    char text[256] = "";
    strcat(text, "1111111111111111111111111111111111111111111111111111111111111111 /bin/a\n");
    strcat(text, "2222222222222222222222222222222222222222222222222222222222222222 /bin/b\n");
    uint8_t want[32], got[32];
    EVP_Digest(text, strlen(text), want, NULL, EVP_sha256(), NULL);
    assert_int_equal(qtpm_ztp_image_digest(e, 2, got), 0);
    assert_memory_equal(got, want, 32);
}

static void test_requests(void **state)
{
    (void)state;
    char serial[65], err[256], type[40], msg[256];
    assert_int_equal(qtpm_ztp_basic_user("Basic YWJjOg==", serial), 0); /* abc: */
    assert_string_equal(serial, "abc");
    assert_int_not_equal(qtpm_ztp_basic_user("Basic YWJj", serial), 0);      /* no colon */
    assert_int_not_equal(qtpm_ztp_basic_user("Basic Li4vOg==", serial), 0);  /* ../: */
    assert_int_not_equal(qtpm_ztp_basic_user("Bearer YWJjOg==", serial), 0);
    assert_int_equal(qtpm_ztp_parse_get_input("", 0, err, sizeof err), 0);
    const char *extra = "{\"ietf-sztp-bootstrap-server:input\":{\"evil\":1}}";
    assert_int_not_equal(qtpm_ztp_parse_get_input(extra, strlen(extra), err, sizeof err), 0);
    const char *p = "{\"ietf-sztp-bootstrap-server:input\":{\"progress-type\":\"config-error\","
                    "\"message\":\"a\\nb\"}}";
    assert_int_equal(qtpm_ztp_parse_progress(p, strlen(p), type, msg, err, sizeof err), 0);
    assert_string_equal(type, "config-error");
    assert_string_equal(msg, "a b"); /* no line breaks into the log */
}

/* ---- the device check on artifacts made here ---- */

static X509 *cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, int ca)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 1 : 2);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
                                            ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    X509_sign(x, ikey ? ikey : key, EVP_sha384());
    X509_NAME_free(n);
    return x;
}

typedef struct {
    EVP_PKEY *ca_key, *signer_key, *owner_key;
    X509 *ca, *signer, *owner;
    uint8_t vpk[QTPM_MLDSA_MAX_PK_BYTES], vsk[QTPM_MLDSA_MAX_SK_BYTES];
    uint8_t opk[QTPM_MLDSA_MAX_PK_BYTES], osk[QTPM_MLDSA_MAX_SK_BYTES];
    X509_CRL *crl;
} world;

static void make_world(world *w)
{
    w->ca_key = EVP_EC_gen("P-384");
    w->signer_key = EVP_EC_gen("P-384");
    w->owner_key = EVP_EC_gen("P-384");
    w->ca = cert(w->ca_key, "ca", NULL, NULL, 1);
    w->signer = cert(w->signer_key, "signer", w->ca, w->ca_key, 0);
    assert_int_equal(qtpm_mldsa_keygen(QTPM_MLDSA_65, w->vpk, w->vsk, NULL), 0);
    assert_int_equal(qtpm_mldsa_keygen(QTPM_MLDSA_65, w->opk, w->osk, NULL), 0);
    /* the owner certificate with its ML-DSA-65 key in QTPM_ZTP_OID_MLDSA_PUB */
    w->owner = cert(w->owner_key, "owner", NULL, NULL, 1);
    ASN1_OCTET_STRING *inner = ASN1_OCTET_STRING_new(), *val = ASN1_OCTET_STRING_new();
    ASN1_OCTET_STRING_set(inner, w->opk, (int)qtpm_mldsa_pk_bytes(QTPM_MLDSA_65));
    unsigned char *der = NULL;
    int dl = i2d_ASN1_OCTET_STRING(inner, &der);
    ASN1_OCTET_STRING_set(val, der, dl);
    ASN1_OBJECT *oid = OBJ_txt2obj(QTPM_ZTP_OID_MLDSA_PUB, 1);
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, val);
    X509_add_ext(w->owner, ext, -1);
    X509_sign(w->owner, w->owner_key, EVP_sha384());
    X509_EXTENSION_free(ext);
    ASN1_OBJECT_free(oid);
    OPENSSL_free(der);
    ASN1_OCTET_STRING_free(inner);
    ASN1_OCTET_STRING_free(val);
    w->crl = X509_CRL_new();
    X509_CRL_set_version(w->crl, 1);
    X509_CRL_set_issuer_name(w->crl, X509_get_subject_name(w->ca));
    ASN1_TIME *t0 = ASN1_TIME_adj(NULL, time(NULL), 0, -60), *t1 = ASN1_TIME_adj(NULL, time(NULL), 1, 0);
    X509_CRL_set1_lastUpdate(w->crl, t0);
    X509_CRL_set1_nextUpdate(w->crl, t1);
    ASN1_TIME_free(t0);
    ASN1_TIME_free(t1);
    X509_CRL_sign(w->crl, w->ca_key, EVP_sha384());
}

static void free_world(world *w)
{
    EVP_PKEY_free(w->ca_key);
    EVP_PKEY_free(w->signer_key);
    EVP_PKEY_free(w->owner_key);
    X509_free(w->ca);
    X509_free(w->signer);
    X509_free(w->owner);
    X509_CRL_free(w->crl);
}

static void sign_pq(const uint8_t *sk, const char *text, const char *ctx, uint8_t **sig,
                    size_t *len)
{
    *len = qtpm_mldsa_sig_bytes(QTPM_MLDSA_65);
    *sig = malloc(*len);
    assert_int_equal(qtpm_mldsa_sign(QTPM_MLDSA_65, sk, qtpm_mldsa_sk_bytes(QTPM_MLDSA_65),
                                     (const uint8_t *)text, strlen(text), (const uint8_t *)ctx,
                                     strlen(ctx), NULL, *sig),
                     0);
}

/* Bootstrapping data for serial with a voucher expiring at expires. */
static void make_bootdata(world *w, const char *serial, time_t expires, qtpm_ztp_bootdata *b)
{
    memset(b, 0, sizeof *b);
    qtpm_ztp_voucher v = { .created_on = time(NULL) - 60, .expires_on = expires, .pinned = w->owner };
    snprintf(v.serial, sizeof v.serial, "%s", serial);
    strcpy(v.assertion, "verified");
    char *vj = qtpm_ztp_voucher_json(&v);
    uint8_t *der;
    size_t len;
    assert_int_equal(qtpm_ztp_cms_sign(QTPM_ZTP_OID_VOUCHER, (uint8_t *)vj, strlen(vj), w->signer,
                                       w->signer_key, NULL, &der, &len), 0);
    assert_int_equal(qtpm_ztp_cms_add_crl(der, len, w->crl, &b->voucher, &b->voucher_len), 0);
    OPENSSL_free(der);
    sign_pq(w->vsk, vj, QTPM_ZTP_CTX_VOUCHER, &b->voucher_mldsa, &b->voucher_mldsa_len);
    qtpm_ztp_onboarding o = { .os_name = "o", .os_version = "1", .nms_url = "https://nms:1",
                              .nms_ca_pem = "PEM" };
    char *ij = qtpm_ztp_onboarding_json(&o);
    assert_int_equal(qtpm_ztp_cms_sign(QTPM_ZTP_OID_INFO_JSON, (uint8_t *)ij, strlen(ij), w->owner,
                                       w->owner_key, NULL, &b->info, &b->info_len), 0);
    sign_pq(w->osk, ij, QTPM_ZTP_CTX_INFO, &b->info_mldsa, &b->info_mldsa_len);
    assert_int_equal(qtpm_ztp_certs_only(w->owner, &b->owner_cert, &b->owner_cert_len), 0);
    free(vj);
    free(ij);
}

static int verify(world *w, qtpm_ztp_bootdata *b, const char *serial, char *err, size_t errlen)
{
    qtpm_ztp_onboarding o;
    int rc = qtpm_ztp_device_verify(b, w->ca, w->vpk, qtpm_mldsa_pk_bytes(QTPM_MLDSA_65), serial,
                                    time(NULL), &o, err, errlen);
    if (rc == 0) {
        assert_string_equal(o.nms_url, "https://nms:1");
        qtpm_ztp_onboarding_clear(&o);
    }
    return rc;
}

static void test_device_verify(void **state)
{
    (void)state;
    world w;
    char err[512];
    make_world(&w);
    qtpm_ztp_bootdata b;
    make_bootdata(&w, "dev1", time(NULL) + 3600, &b);
    assert_int_equal(verify(&w, &b, "dev1", err, sizeof err), 0);
    assert_int_equal(verify(&w, &b, "dev2", err, sizeof err), QTPM_ZTP_E_DEVICE);
    /* the reply survives its JSON encoding */
    char *j = qtpm_ztp_bootdata_json(&b);
    qtpm_ztp_bootdata c;
    assert_int_equal(qtpm_ztp_bootdata_parse(j, strlen(j), &c, err, sizeof err), 0);
    assert_int_equal(verify(&w, &c, "dev1", err, sizeof err), 0);
    /* artifacts swapped: the conveyed information where the voucher goes */
    uint8_t *t = c.voucher;
    size_t tl = c.voucher_len;
    c.voucher = c.info;
    c.voucher_len = c.info_len;
    assert_int_not_equal(verify(&w, &c, "dev1", err, sizeof err), 0);
    c.voucher = t;
    c.voucher_len = tl;
    /* one ML-DSA-65 bit flipped */
    c.info_mldsa[100] ^= 1;
    assert_int_equal(verify(&w, &c, "dev1", err, sizeof err), QTPM_ZTP_E_SIG);
    qtpm_ztp_bootdata_clear(&c);
    free(j);
    qtpm_ztp_bootdata_clear(&b);
    make_bootdata(&w, "dev1", time(NULL) - 1, &b);
    assert_int_equal(verify(&w, &b, "dev1", err, sizeof err), QTPM_ZTP_E_EXPIRED);
    qtpm_ztp_bootdata_clear(&b);
    free_world(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_paths),   cmocka_unit_test(test_voucher_fields),
        cmocka_unit_test(test_image_digest), cmocka_unit_test(test_requests),
        cmocka_unit_test(test_device_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
