/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sztp.c — libqtpm-ztp: the artifacts of secure zero-touch provisioning (RFC 8572) and
 * ownership vouchers (RFC 8366) as the bootstrap server builds them and a device checks
 * them (qtpm/ztp.h, docs/ZTP.md). CMS through OpenSSL's CMS API, JSON through jansson,
 * ML-DSA-65 through qtpm's own FIPS 204 code. Every decoder here reads network input and
 * is fuzzed (tests/fuzz/fuzz_ztp.c).
 */
#include "qtpm/ztp.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/mldsa.h"

#define MAX_ARTIFACT (1u << 20)

#define seterr(err, errlen, ...)                                                              \
    do {                                                                                      \
        if ((err) && (errlen))                                                                \
            snprintf((err), (errlen), __VA_ARGS__);                                           \
    } while (0)

/* ------------------------------------------------------------ base64 */

static char *b64_encode(const uint8_t *buf, size_t len)
{
    if (len > MAX_ARTIFACT * 4)
        return NULL;
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    if (out)
        EVP_EncodeBlock((unsigned char *)out, buf, (int)len);
    return out;
}

/* Strict RFC 4648 base64 (no whitespace). *out malloc'd. */
static int b64_decode(const char *s, uint8_t **out, size_t *len)
{
    size_t n = strlen(s);
    *out = NULL;
    *len = 0;
    if (n % 4 || n > 4 * MAX_ARTIFACT)
        return -1;
    uint8_t *buf = malloc(n / 4 * 3 + 1);
    if (!buf)
        return -1;
    int got = n ? EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n) : 0;
    if (got < 0) {
        free(buf);
        return -1;
    }
    size_t pad = (n && s[n - 1] == '=') + (n > 1 && s[n - 2] == '=');
    *out = buf;
    *len = (size_t)got - pad;
    return 0;
}

static int json_b64(json_t *obj, const char *key, uint8_t **out, size_t *len)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? b64_decode(s, out, len) : -1;
}

/* ------------------------------------------------------------ time */

/* RFC 3339 / yang:date-and-time → time_t; -1 when malformed. */
static time_t parse_time(const char *s)
{
    int y, mo, d, h, mi, sec, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
        n != 19)
        return -1;
    const char *p = s + n;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    long off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om, m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &m) != 2 || m != 5 || oh > 23 || om > 59)
            return -1;
        off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return -1;
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 ||
        y < 1970 || y > 9999)
        return -1;
    struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                     .tm_min = mi, .tm_sec = sec };
    return timegm(&tm) - off;
}

static void format_time(time_t t, char out[32])
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ------------------------------------------------------------ CMS */

static int cms_der(CMS_ContentInfo *cms, uint8_t **der, size_t *der_len)
{
    unsigned char *p = NULL;
    int n = cms ? i2d_CMS_ContentInfo(cms, &p) : -1;
    if (n <= 0)
        return QTPM_ZTP_E_FORMAT;
    *der = p;
    *der_len = (size_t)n;
    return 0;
}

int qtpm_ztp_cms_sign(const char *oid, const uint8_t *content, size_t len, X509 *signer,
                      EVP_PKEY *key, STACK_OF(X509) *extra, uint8_t **der, size_t *der_len)
{
    int rc = QTPM_ZTP_E_FORMAT;
    unsigned flags = CMS_BINARY | CMS_PARTIAL;
    BIO *in = BIO_new_mem_buf(content, (int)len);
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    CMS_ContentInfo *cms = in && o ? CMS_sign(NULL, NULL, extra, NULL, flags) : NULL;
    if (cms && CMS_set1_eContentType(cms, o) == 1 &&
        CMS_add1_signer(cms, signer, key, EVP_sha384(), flags) &&
        CMS_final(cms, in, NULL, CMS_BINARY) == 1)
        rc = cms_der(cms, der, der_len);
    CMS_ContentInfo_free(cms);
    ASN1_OBJECT_free(o);
    BIO_free(in);
    return rc;
}

int qtpm_ztp_certs_only(X509 *cert, uint8_t **der, size_t *der_len)
{
    STACK_OF(X509) *certs = sk_X509_new_null();
    int rc = QTPM_ZTP_E_FORMAT;
    if (certs && sk_X509_push(certs, cert)) {
        CMS_ContentInfo *cms = CMS_sign(NULL, NULL, certs, NULL, CMS_PARTIAL);
        if (cms)
            rc = cms_der(cms, der, der_len);
        CMS_ContentInfo_free(cms);
    }
    sk_X509_free(certs);
    return rc;
}

static CMS_ContentInfo *cms_parse(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    if (!der || len == 0 || len > MAX_ARTIFACT)
        return NULL;
    CMS_ContentInfo *cms = d2i_CMS_ContentInfo(NULL, &p, (long)len);
    if (cms && (p != der + len || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)) {
        CMS_ContentInfo_free(cms);
        return NULL;
    }
    return cms;
}

int qtpm_ztp_cms_add_crl(const uint8_t *der, size_t len, X509_CRL *crl, uint8_t **out,
                         size_t *out_len)
{
    CMS_ContentInfo *cms = cms_parse(der, len);
    int rc = cms && CMS_add1_crl(cms, crl) == 1 ? cms_der(cms, out, out_len) : QTPM_ZTP_E_FORMAT;
    CMS_ContentInfo_free(cms);
    return rc;
}

/* Checks signature and eContentType of a SignedData, returning its content (malloc'd) and,
 * with certs set, requiring the signer to be among certs (CMS_NOINTERN). The signer's
 * certificate path is checked by the caller. *signer is a new reference. */
static int cms_open(const char *what, CMS_ContentInfo *cms, const char *oid,
                    STACK_OF(X509) *certs, uint8_t **content, size_t *clen, X509 **signer,
                    char *err, size_t errlen)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    const ASN1_OBJECT *ct = CMS_get0_eContentType(cms);
    if (!o || !ct || OBJ_cmp(o, ct) != 0) {
        ASN1_OBJECT_free(o);
        if (err && errlen)
            snprintf(err, errlen, "%s: eContentType is not %s", what, oid);
        return QTPM_ZTP_E_FORMAT;
    }
    ASN1_OBJECT_free(o);
    STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
    if (sk_CMS_SignerInfo_num(sis) != 1) {
        seterr(err, errlen, "%s: exactly one signer expected", what);
        return QTPM_ZTP_E_FORMAT;
    }
    BIO *out = BIO_new(BIO_s_mem());
    unsigned flags = CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY | (certs ? CMS_NOINTERN : 0);
    if (!out || CMS_verify(cms, certs, NULL, NULL, out, flags) != 1) {
        BIO_free(out);
        ERR_clear_error();
        seterr(err, errlen, "%s: the CMS signature does not verify", what);
        return QTPM_ZTP_E_SIG;
    }
    char *data;
    long n = BIO_get_mem_data(out, &data);
    STACK_OF(X509) *signers = CMS_get0_signers(cms);
    X509 *s = signers && sk_X509_num(signers) == 1 ? sk_X509_value(signers, 0) : NULL;
    sk_X509_free(signers);
    *content = n > 0 ? malloc((size_t)n + 1) : NULL;
    if (!*content || !s || !X509_up_ref(s)) {
        free(*content);
        *content = NULL;
        BIO_free(out);
        return QTPM_ZTP_E_NOMEM;
    }
    memcpy(*content, data, (size_t)n);
    (*content)[n] = 0;
    *clen = (size_t)n;
    *signer = s;
    BIO_free(out);
    return 0;
}

/* Verifies cert up to the anchor in store, with crls (consumed); maps the X.509 error to ours. */
static int check_path(X509_STORE *store, X509 *cert, STACK_OF(X509) *untrusted,
                      STACK_OF(X509_CRL) *crls, const char *what, char *err, size_t errlen)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    if (!ctx || X509_STORE_CTX_init(ctx, store, cert, untrusted) != 1) {
        X509_STORE_CTX_free(ctx);
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
        return QTPM_ZTP_E_NOMEM;
    }
    X509_STORE_CTX_set0_crls(ctx, crls); /* not owned by ctx */
    int ok = X509_verify_cert(ctx) == 1;
    int e = X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    if (ok)
        return 0;
    if (err && errlen)
        snprintf(err, errlen, "%s: %s", what, X509_verify_cert_error_string(e));
    if (e == X509_V_ERR_CERT_REVOKED)
        return QTPM_ZTP_E_REVOKED;
    if (e == X509_V_ERR_CERT_HAS_EXPIRED || e == X509_V_ERR_CERT_NOT_YET_VALID)
        return QTPM_ZTP_E_EXPIRED;
    return QTPM_ZTP_E_SIG;
}

static X509_STORE *store_of(X509 *anchor, time_t now, unsigned long flags)
{
    X509_STORE *st = X509_STORE_new();
    if (!st || X509_STORE_add_cert(st, anchor) != 1) {
        X509_STORE_free(st);
        return NULL;
    }
    X509_VERIFY_PARAM *p = X509_STORE_get0_param(st);
    X509_VERIFY_PARAM_set_time(p, now);
    X509_VERIFY_PARAM_set_flags(p, flags);
    X509_STORE_set_purpose(st, X509_PURPOSE_ANY);
    return st;
}

/* ------------------------------------------------------------ voucher */

char *qtpm_ztp_voucher_json(const qtpm_ztp_voucher *v)
{
    unsigned char *der = NULL;
    int n = v->pinned ? i2d_X509(v->pinned, &der) : -1;
    char *pin = n > 0 ? b64_encode(der, (size_t)n) : NULL;
    OPENSSL_free(der);
    char created[32], expires[32];
    format_time(v->created_on, created);
    format_time(v->expires_on, expires);
    json_t *in = pin ? json_pack("{s:s,s:s,s:s,s:s,s:b}", "created-on", created, "assertion",
                                 v->assertion, "serial-number", v->serial,
                                 "pinned-domain-cert", pin, "domain-cert-revocation-checks",
                                 v->revocation_checks)
                     : NULL;
    if (in && v->expires_on)
        json_object_set_new(in, "expires-on", json_string(expires));
    json_t *top = in ? json_pack("{s:o}", "ietf-voucher:voucher", in) : NULL;
    char *text = top ? json_dumps(top, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(top);
    free(pin);
    return text;
}

/* RFC 8366 §5.3: created-on, assertion, serial-number are mandatory; pinned-domain-cert is
 * what the device learns its owner from. */
int qtpm_ztp_voucher_parse(const uint8_t *text, size_t len, qtpm_ztp_voucher *v, char *err,
                           size_t errlen)
{
    memset(v, 0, sizeof *v);
    json_error_t je;
    json_t *top = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &je);
    json_t *vo = json_object_get(top, "ietf-voucher:voucher");
    int rc = QTPM_ZTP_E_FORMAT;
    const char *serial = json_string_value(json_object_get(vo, "serial-number"));
    const char *assertion = json_string_value(json_object_get(vo, "assertion"));
    const char *created = json_string_value(json_object_get(vo, "created-on"));
    json_t *exp = json_object_get(vo, "expires-on");
    json_t *rev = json_object_get(vo, "domain-cert-revocation-checks");
    uint8_t *der = NULL;
    size_t der_len = 0;
    if (!json_is_object(vo) || !serial || !assertion || !created) {
        seterr(err, errlen, "voucher: not an ietf-voucher:voucher with created-on, assertion "
                            "and serial-number");
        goto out;
    }
    if (strlen(serial) >= sizeof v->serial || strlen(assertion) >= sizeof v->assertion ||
        (strcmp(assertion, "verified") && strcmp(assertion, "logged") &&
         strcmp(assertion, "proximity"))) {
        seterr(err, errlen, "voucher: bad serial-number or assertion");
        goto out;
    }
    strcpy(v->serial, serial);
    strcpy(v->assertion, assertion);
    if ((v->created_on = parse_time(created)) < 0 ||
        (exp && (!json_is_string(exp) || (v->expires_on = parse_time(json_string_value(exp))) < 0))) {
        seterr(err, errlen, "voucher: malformed date-and-time");
        goto out;
    }
    if (rev && !json_is_boolean(rev)) {
        seterr(err, errlen, "voucher: domain-cert-revocation-checks is not a boolean");
        goto out;
    }
    v->revocation_checks = json_is_true(rev);
    const unsigned char *p;
    if (json_b64(vo, "pinned-domain-cert", &der, &der_len) != 0 || der_len == 0 ||
        !(p = der, v->pinned = d2i_X509(NULL, &p, (long)der_len)) || p != der + der_len) {
        seterr(err, errlen, "voucher: pinned-domain-cert is not a base64 DER certificate");
        goto out;
    }
    rc = 0;
out:
    free(der);
    json_decref(top);
    if (rc)
        qtpm_ztp_voucher_clear(v);
    return rc;
}

void qtpm_ztp_voucher_clear(qtpm_ztp_voucher *v)
{
    X509_free(v->pinned);
    memset(v, 0, sizeof *v);
}

/* ------------------------------------------------------------ bootstrapping data */

#define OUT_KEY "ietf-sztp-bootstrap-server:output"
#define PQ_KEY "qtpm-sztp-pq:mldsa65"

int qtpm_ztp_bootdata_parse(const char *text, size_t len, qtpm_ztp_bootdata *b, char *err,
                            size_t errlen)
{
    memset(b, 0, sizeof *b);
    json_error_t je;
    json_t *top = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    json_t *o = json_object_get(top, OUT_KEY), *pq = json_object_get(o, PQ_KEY);
    int ok = json_is_object(o) &&
             json_b64(o, "conveyed-information", &b->info, &b->info_len) == 0 &&
             json_b64(o, "owner-certificate", &b->owner_cert, &b->owner_cert_len) == 0 &&
             json_b64(o, "ownership-voucher", &b->voucher, &b->voucher_len) == 0 &&
             json_b64(pq, "conveyed-information", &b->info_mldsa, &b->info_mldsa_len) == 0 &&
             json_b64(pq, "ownership-voucher", &b->voucher_mldsa, &b->voucher_mldsa_len) == 0;
    json_decref(top);
    if (!ok) {
        seterr(err, errlen, "bootstrapping data: " OUT_KEY " needs base64 conveyed-information, "
                            "owner-certificate, ownership-voucher and " PQ_KEY "");
        qtpm_ztp_bootdata_clear(b);
        return QTPM_ZTP_E_FORMAT;
    }
    return 0;
}

char *qtpm_ztp_bootdata_json(const qtpm_ztp_bootdata *b)
{
    char *s[5] = { b64_encode(b->info, b->info_len), b64_encode(b->owner_cert, b->owner_cert_len),
                   b64_encode(b->voucher, b->voucher_len),
                   b64_encode(b->info_mldsa, b->info_mldsa_len),
                   b64_encode(b->voucher_mldsa, b->voucher_mldsa_len) };
    char *text = NULL;
    if (s[0] && s[1] && s[2] && s[3] && s[4]) {
        json_t *j = json_pack("{s:{s:s,s:s,s:s,s:s,s:{s:s,s:s}}}", OUT_KEY, "reporting-level",
                              "verbose", "conveyed-information", s[0], "owner-certificate", s[1],
                              "ownership-voucher", s[2], PQ_KEY, "conveyed-information", s[3],
                              "ownership-voucher", s[4]);
        text = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
    }
    for (int i = 0; i < 5; i++)
        free(s[i]);
    return text;
}

void qtpm_ztp_bootdata_clear(qtpm_ztp_bootdata *b)
{
    free(b->info);
    free(b->owner_cert);
    free(b->voucher);
    free(b->info_mldsa);
    free(b->voucher_mldsa);
    memset(b, 0, sizeof *b);
}

/* ------------------------------------------------------------ onboarding information */

#define INFO_KEY "ietf-sztp-conveyed-info:onboarding-information"
#define CONF_KEY "qtpm-agent:configuration"
#define SHA256_ID "ietf-sztp-conveyed-info:sha-256"

char *qtpm_ztp_onboarding_json(const qtpm_ztp_onboarding *o)
{
    char hv[32 * 3];
    for (size_t i = 0; i < 32; i++)
        snprintf(hv + 3 * i, 4, i < 31 ? "%02x:" : "%02x", o->image_sha256[i]);
    json_t *files = json_array();
    for (size_t i = 0; files && i < o->n_files; i++) {
        char *c = b64_encode(o->files[i].data, o->files[i].len);
        json_array_append_new(files, json_pack("{s:s,s:s}", "path", o->files[i].path,
                                               "content", c ? c : ""));
        free(c);
    }
    json_t *conf = json_pack("{s:{s:s,s:s,s:o}}", CONF_KEY, "nms", o->nms_url,
                             "nms-trust-anchor", o->nms_ca_pem ? o->nms_ca_pem : "", "files",
                             files);
    char *conf_text = conf ? json_dumps(conf, JSON_COMPACT) : NULL;
    char *conf_b64 = conf_text ? b64_encode((uint8_t *)conf_text, strlen(conf_text)) : NULL;
    json_t *top = conf_b64 ? json_pack(
        "{s:{s:{s:s,s:s,s:[{s:s,s:s}]},s:s,s:s}}", INFO_KEY, "boot-image", "os-name", o->os_name,
        "os-version", o->os_version, "image-verification", "hash-algorithm", SHA256_ID,
        "hash-value", hv, "configuration-handling", "replace", "configuration", conf_b64)
                           : NULL;
    char *text = top ? json_dumps(top, JSON_COMPACT) : NULL;
    json_decref(top);
    json_decref(conf);
    free(conf_text);
    free(conf_b64);
    return text;
}

/* A path the agent may write below its image: relative-looking "/a/b", no "." or ".."
 * component, no empty component, printable. */
static int safe_path(const char *p)
{
    if (p[0] != '/' || !p[1])
        return 0;
    for (const char *c = p; *c; c++)
        if ((unsigned char)*c < 0x21 || *c == 0x7f || *c == '\\')
            return 0;
    for (const char *c = p; c; c = strchr(c + 1, '/')) {
        const char *n = c + 1;
        size_t l = strcspn(n, "/");
        if (l == 0 || (l == 1 && n[0] == '.') || (l == 2 && n[0] == '.' && n[1] == '.'))
            return 0;
    }
    return 1;
}

static int parse_hex_colon(const char *s, uint8_t out[32])
{
    if (!s || strlen(s) != 32 * 3 - 1)
        return -1;
    for (size_t i = 0; i < 32; i++) {
        unsigned v;
        if (!isxdigit((unsigned char)s[3 * i]) || !isxdigit((unsigned char)s[3 * i + 1]) ||
            (i < 31 && s[3 * i + 2] != ':') || sscanf(s + 3 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

int qtpm_ztp_onboarding_parse(const uint8_t *text, size_t len, qtpm_ztp_onboarding *o,
                              char *err, size_t errlen)
{
    memset(o, 0, sizeof *o);
    json_error_t je;
    json_t *top = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &je), *conf = NULL;
    json_t *info = json_object_get(top, INFO_KEY);
    json_t *img = json_object_get(info, "boot-image");
    const char *osn = json_string_value(json_object_get(img, "os-name"));
    const char *osv = json_string_value(json_object_get(img, "os-version"));
    json_t *iv = json_object_get(img, "image-verification"), *e;
    uint8_t *cbuf = NULL;
    size_t clen = 0, i;
    int rc = QTPM_ZTP_E_FORMAT, have_hash = 0;
    if (!json_is_object(info) || !osn || !osv || strlen(osn) >= sizeof o->os_name ||
        strlen(osv) >= sizeof o->os_version || !json_is_array(iv)) {
        seterr(err, errlen, "onboarding information: boot-image with os-name, os-version and "
                            "image-verification required");
        goto out;
    }
    strcpy(o->os_name, osn);
    strcpy(o->os_version, osv);
    json_array_foreach(iv, i, e) {
        const char *alg = json_string_value(json_object_get(e, "hash-algorithm"));
        if (alg && !strcmp(alg, SHA256_ID) &&
            parse_hex_colon(json_string_value(json_object_get(e, "hash-value")),
                            o->image_sha256) == 0)
            have_hash = 1;
    }
    if (!have_hash) {
        seterr(err, errlen, "onboarding information: no sha-256 image-verification");
        goto out;
    }
    const char *handling = json_string_value(json_object_get(info, "configuration-handling"));
    if (!handling || (strcmp(handling, "replace") && strcmp(handling, "merge")) ||
        json_b64(info, "configuration", &cbuf, &clen) != 0) {
        seterr(err, errlen, "onboarding information: configuration-handling and base64 "
                            "configuration required");
        goto out;
    }
    conf = json_loadb((const char *)cbuf, clen, JSON_REJECT_DUPLICATES, &je);
    json_t *c = json_object_get(conf, CONF_KEY), *files = json_object_get(c, "files"), *f;
    const char *nms = json_string_value(json_object_get(c, "nms"));
    const char *ta = json_string_value(json_object_get(c, "nms-trust-anchor"));
    if (!nms || !ta || strlen(nms) >= sizeof o->nms_url || strncmp(nms, "https://", 8) ||
        !json_is_array(files) || json_array_size(files) > QTPM_ZTP_MAX_FILES) {
        seterr(err, errlen, "configuration: " CONF_KEY " with https nms, nms-trust-anchor and "
                            "at most 16 files required");
        goto out;
    }
    strcpy(o->nms_url, nms);
    if (!(o->nms_ca_pem = strdup(ta))) {
        rc = QTPM_ZTP_E_NOMEM;
        goto out;
    }
    json_array_foreach(files, i, f) {
        const char *p = json_string_value(json_object_get(f, "path"));
        qtpm_ztp_file *q = &o->files[o->n_files];
        if (!p || strlen(p) >= sizeof q->path || !safe_path(p) ||
            json_b64(f, "content", &q->data, &q->len) != 0) {
            seterr(err, errlen, "configuration: file %s: a safe absolute path and base64 "
                                "content required", p ? p : "?");
            goto out;
        }
        strcpy(q->path, p);
        o->n_files++;
    }
    rc = 0;
out:
    free(cbuf);
    json_decref(conf);
    json_decref(top);
    if (rc)
        qtpm_ztp_onboarding_clear(o);
    return rc;
}

void qtpm_ztp_onboarding_clear(qtpm_ztp_onboarding *o)
{
    for (size_t i = 0; i < o->n_files; i++)
        free(o->files[i].data);
    if (o->n_files < QTPM_ZTP_MAX_FILES)
        free(o->files[o->n_files].data); /* one half-read (qtpm-ztp onboard) */
    free(o->nms_ca_pem);
    memset(o, 0, sizeof *o);
}

/* ------------------------------------------------------------ device verification */

/* The owner's ML-DSA-65 public key from its certificate's QTPM_ZTP_OID_MLDSA_PUB extension. */
static int owner_mldsa_pub(X509 *owner, const uint8_t **pub, size_t *len)
{
    ASN1_OBJECT *o = OBJ_txt2obj(QTPM_ZTP_OID_MLDSA_PUB, 1);
    int at = o ? X509_get_ext_by_OBJ(owner, o, -1) : -1;
    ASN1_OBJECT_free(o);
    X509_EXTENSION *ext = at >= 0 ? X509_get_ext(owner, at) : NULL;
    ASN1_OCTET_STRING *v = ext ? X509_EXTENSION_get_data(ext) : NULL;
    /* the extension's value is the DER of an OCTET STRING holding the key */
    const unsigned char *p = v ? ASN1_STRING_get0_data(v) : NULL;
    ASN1_OCTET_STRING *inner = p ? d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(v)) : NULL;
    if (!inner)
        return -1;
    *len = (size_t)ASN1_STRING_length(inner);
    *pub = NULL;
    uint8_t *copy = *len == qtpm_mldsa_pk_bytes(QTPM_MLDSA_65) ? malloc(*len) : NULL;
    if (copy)
        memcpy(copy, ASN1_STRING_get0_data(inner), *len);
    ASN1_OCTET_STRING_free(inner);
    *pub = copy;
    return copy ? 0 : -1;
}

static int mldsa_ok(const uint8_t *pub, size_t pub_len, const uint8_t *msg, size_t len,
                    const char *ctx, const uint8_t *sig, size_t sig_len)
{
    return pub && sig_len == qtpm_mldsa_sig_bytes(QTPM_MLDSA_65) &&
           qtpm_mldsa_verify(QTPM_MLDSA_65, pub, pub_len, msg, len, (const uint8_t *)ctx,
                             strlen(ctx), sig, sig_len) == 0;
}

int qtpm_ztp_device_verify(const qtpm_ztp_bootdata *b, X509 *vendor_ca,
                           const uint8_t *vendor_mldsa_pub, size_t vendor_mldsa_pub_len,
                           const char *serial, time_t now, qtpm_ztp_onboarding *out, char *err,
                           size_t errlen)
{
    int rc;
    uint8_t *vtext = NULL, *itext = NULL;
    const uint8_t *opub = NULL;
    size_t vlen = 0, ilen = 0, opub_len = 0;
    X509 *vsigner = NULL, *isigner = NULL, *owner = NULL;
    X509_STORE *vstore = NULL, *ostore = NULL;
    STACK_OF(X509) *vcerts = NULL, *ocerts = NULL, *only = NULL;
    qtpm_ztp_voucher v = { 0 };
    CMS_ContentInfo *vcms = cms_parse(b->voucher, b->voucher_len);
    CMS_ContentInfo *ocms = cms_parse(b->owner_cert, b->owner_cert_len);
    CMS_ContentInfo *icms = cms_parse(b->info, b->info_len);
    memset(out, 0, sizeof *out);
    if (!vcms || !ocms || !icms) {
        seterr(err, errlen, "an artifact is not a DER CMS SignedData");
        rc = QTPM_ZTP_E_FORMAT;
        goto out;
    }

    /* 1. The ownership voucher: vendor's CMS signature, signer certified by the vendor CA
     *    and not revoked (the vendor's CRL is required), the vendor's ML-DSA-65 signature. */
    if ((rc = cms_open("voucher", vcms, QTPM_ZTP_OID_VOUCHER, NULL, &vtext, &vlen, &vsigner,
                       err, errlen)) != 0)
        goto out;
    vstore = store_of(vendor_ca, now, X509_V_FLAG_CRL_CHECK);
    vcerts = CMS_get1_certs(vcms);
    if (!vstore) {
        rc = QTPM_ZTP_E_NOMEM;
        goto out;
    }
    if ((rc = check_path(vstore, vsigner, vcerts, CMS_get1_crls(vcms), "voucher signer", err,
                         errlen)) != 0)
        goto out;
    if (!mldsa_ok(vendor_mldsa_pub, vendor_mldsa_pub_len, vtext, vlen, QTPM_ZTP_CTX_VOUCHER,
                  b->voucher_mldsa, b->voucher_mldsa_len)) {
        seterr(err, errlen, "voucher: the vendor's ML-DSA-65 signature does not verify");
        rc = QTPM_ZTP_E_SIG;
        goto out;
    }
    if ((rc = qtpm_ztp_voucher_parse(vtext, vlen, &v, err, errlen)) != 0)
        goto out;
    if (strcmp(v.serial, serial) != 0) {
        seterr(err, errlen, "voucher: for another device (serial-number %s)", v.serial);
        rc = QTPM_ZTP_E_DEVICE;
        goto out;
    }
    if (v.created_on > now + 300 || (v.expires_on && v.expires_on <= now)) {
        seterr(err, errlen, "voucher: %s", v.expires_on && v.expires_on <= now
                                                ? "expired (expires-on is past)"
                                                : "not yet valid (created-on is future)");
        rc = QTPM_ZTP_E_EXPIRED;
        goto out;
    }

    /* 2. The owner certificate, against pinned-domain-cert (RFC 8572 §5.5). */
    ocerts = CMS_get1_certs(ocms);
    owner = sk_X509_num(ocerts) >= 1 ? sk_X509_value(ocerts, 0) : NULL;
    if (!owner) {
        seterr(err, errlen, "owner certificate: the CMS holds no certificate");
        rc = QTPM_ZTP_E_FORMAT;
        goto out;
    }
    ostore = store_of(v.pinned, now, X509_V_FLAG_PARTIAL_CHAIN |
                                         (v.revocation_checks ? X509_V_FLAG_CRL_CHECK : 0));
    if (!ostore) {
        rc = QTPM_ZTP_E_NOMEM;
        goto out;
    }
    if ((rc = check_path(ostore, owner, ocerts, CMS_get1_crls(ocms),
                         "owner certificate (against the voucher's pinned-domain-cert)", err,
                         errlen)) != 0)
        goto out;

    /* 3. The conveyed information, signed by the owner certificate's keys. */
    only = sk_X509_new_null();
    if (!only || !sk_X509_push(only, owner)) {
        rc = QTPM_ZTP_E_NOMEM;
        goto out;
    }
    if ((rc = cms_open("conveyed information (signed by the owner certificate)", icms,
                       QTPM_ZTP_OID_INFO_JSON, only, &itext, &ilen, &isigner, err, errlen)) != 0)
        goto out;
    if (owner_mldsa_pub(owner, &opub, &opub_len) != 0 ||
        !mldsa_ok(opub, opub_len, itext, ilen, QTPM_ZTP_CTX_INFO, b->info_mldsa,
                  b->info_mldsa_len)) {
        seterr(err, errlen, "conveyed information: the owner's ML-DSA-65 signature does not "
                            "verify");
        rc = QTPM_ZTP_E_SIG;
        goto out;
    }
    rc = qtpm_ztp_onboarding_parse(itext, ilen, out, err, errlen);
out:
    free((void *)opub);
    free(vtext);
    free(itext);
    X509_free(vsigner);
    X509_free(isigner);
    X509_STORE_free(vstore);
    X509_STORE_free(ostore);
    sk_X509_pop_free(vcerts, X509_free);
    sk_X509_pop_free(ocerts, X509_free);
    sk_X509_free(only);
    qtpm_ztp_voucher_clear(&v);
    CMS_ContentInfo_free(vcms);
    CMS_ContentInfo_free(ocms);
    CMS_ContentInfo_free(icms);
    return rc;
}

/* ------------------------------------------------------------ image digest, serial */

static int by_path(const void *a, const void *b)
{
    return strcmp(((const qtpm_ztp_image_entry *)a)->path, ((const qtpm_ztp_image_entry *)b)->path);
}

int qtpm_ztp_image_digest(qtpm_ztp_image_entry *e, size_t n, uint8_t out[32])
{
    qsort(e, n, sizeof *e, by_path);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    for (size_t i = 0; ok && i < n; i++) {
        char hex[65];
        for (size_t j = 0; j < 32; j++)
            snprintf(hex + 2 * j, 3, "%02x", e[i].sha256[j]);
        ok = EVP_DigestUpdate(c, hex, 64) && EVP_DigestUpdate(c, " ", 1) &&
             EVP_DigestUpdate(c, e[i].path, strlen(e[i].path)) && EVP_DigestUpdate(c, "\n", 1);
    }
    ok = ok && EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
    return ok ? 0 : QTPM_ZTP_E_NOMEM;
}

int qtpm_ztp_serial_of_ekcert(const uint8_t *der, size_t len, char out[65])
{
    uint8_t d[32];
    if (EVP_Digest(der, len, d, NULL, EVP_sha256(), NULL) != 1)
        return QTPM_ZTP_E_NOMEM;
    for (size_t i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    return 0;
}
