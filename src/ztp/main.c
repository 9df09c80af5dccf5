/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c — qtpm-ztp: the vendor's, the owner's and the bootstrap server's side of secure
 * zero-touch provisioning (RFC 8572; docs/ZTP.md).
 *
 *   vendor-init --dir V         vendor CA (ECDSA P-384, ca-key.pem/ca-cert.pem), its CRL
 *                               (crl.pem) and the vendor's ML-DSA-65 key (mldsa65.key/.pub)
 *   voucher --vendor-dir V --serial S --owner-cert F --out P [--created-on T]
 *           [--expires-on T | --expires-in SEC]
 *                               RFC 8366 voucher for device S pinning the owner certificate:
 *                               P.cms (CMS, a fresh signer certificate from the vendor CA),
 *                               P.mldsa (ML-DSA-65 over the voucher JSON)
 *   revoke --vendor-dir V --voucher P.cms
 *                               revoke that voucher's signer certificate (crl.pem re-issued)
 *   owner-init --dir O [--cn NAME]
 *                               owner key and self-signed owner certificate (ECDSA P-384) with
 *                               the owner's ML-DSA-65 public key in an extension
 *   onboard --owner-dir O --voucher P --device-dir D --nms URL --nms-ca F --image-root R
 *           [--file ROUTER_PATH=SRC]... [--os-name N] [--os-version V]
 *                               the device's bootstrapping data in D: signed onboarding
 *                               information (boot image digest over R with the files laid
 *                               over it), owner certificate, voucher
 *   image-digest --root R       print the boot image digest of R
 *   serve --dir D --listen H:P --cert C --key K [--vendor-crl F]
 *                               the bootstrap server (RESTCONF over HTTPS; server.c)
 *
 * Exit status: 0 success, 1 failure, 2 usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/cms.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "qtpm/mldsa.h"
#include "qtpm/version.h"
#include "qtpm/ztp.h"
#include "ztp_tool.h"

static int usage_to(FILE *f, int status)
{
    fprintf(f,
            "usage: qtpm-ztp vendor-init --dir V\n"
            "       qtpm-ztp voucher --vendor-dir V --serial S --owner-cert F --out PREFIX\n"
            "                [--created-on T] [--expires-on T | --expires-in SEC]\n"
            "       qtpm-ztp revoke --vendor-dir V --voucher PREFIX.cms\n"
            "       qtpm-ztp owner-init --dir O [--cn NAME]\n"
            "       qtpm-ztp onboard --owner-dir O --voucher PREFIX --device-dir D --nms URL\n"
            "                --nms-ca F --image-root R [--file ROUTER_PATH=SRC]...\n"
            "       qtpm-ztp image-digest --root R\n"
            "       qtpm-ztp serve --dir D --listen H:P --cert C --key K [--vendor-crl F]\n"
            "Secure zero-touch provisioning (RFC 8572, RFC 8366; docs/ZTP.md).\n");
    return status;
}

static int usage(void)
{
    return usage_to(stderr, 2);
}

int ztp_read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    *buf = NULL;
    *len = 0;
    if (!f)
        return -1;
    size_t cap = 0, n = 0;
    uint8_t *b = NULL;
    for (;;) {
        if (n == cap) {
            if (cap > (64u << 20)) {
                free(b);
                fclose(f);
                return -1;
            }
            uint8_t *nb = realloc(b, cap = cap ? 2 * cap : 4096);
            if (!nb) {
                free(b);
                fclose(f);
                return -1;
            }
            b = nb;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

static int write_file(const char *path, const void *buf, size_t len, int mode)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    const uint8_t *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* mkdir -p */
static int mkdir_p(const char *dir, int mode)
{
    char p[4096];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof p)
        return -1;
    memcpy(p, dir, n + 1);
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        if (mkdir(p, (mode_t)mode) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return mkdir(p, (mode_t)mode) == 0 || errno == EEXIST ? 0 : -1;
}

static int pathf(char *out, size_t cap, const char *dir, const char *name)
{
    return (size_t)snprintf(out, cap, "%s/%s", dir, name) < cap ? 0 : -1;
}

static EVP_PKEY *load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    return k;
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    return x;
}

static int save_pem_key(const char *path, EVP_PKEY *k)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data;
    long n;
    int rc = b && PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) == 1 &&
                     (n = BIO_get_mem_data(b, &data)) > 0
                 ? write_file(path, data, (size_t)n, 0600)
                 : -1;
    BIO_free(b);
    return rc;
}

static int save_pem_cert(const char *path, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data;
    long n;
    int rc = b && PEM_write_bio_X509(b, x) == 1 && (n = BIO_get_mem_data(b, &data)) > 0
                 ? write_file(path, data, (size_t)n, 0644)
                 : -1;
    BIO_free(b);
    return rc;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok ? 0 : -1;
}

/* A certificate for key under issuer (self-signed when issuer is NULL), SHA-384. */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *issuer_key,
                       int ca, long days)
{
    X509 *x = X509_new();
    unsigned char rnd[16];
    BIGNUM *bn = NULL;
    ASN1_INTEGER *serial = NULL;
    X509_NAME *name = X509_NAME_new();
    int ok = x && name && RAND_bytes(rnd, sizeof rnd) == 1;
    if (ok) {
        rnd[0] &= 0x7f;
        bn = BN_bin2bn(rnd, sizeof rnd, NULL);
        serial = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
        ok = serial && X509_set_version(x, 2) && X509_set_serialNumber(x, serial) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
                                        -1, -1, 0) &&
             X509_set_subject_name(x, name) &&
             X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) &&
             X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
             X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, NULL) &&
             X509_set_pubkey(x, key);
    }
    X509 *iss = issuer ? issuer : x;
    ok = ok && add_ext(x, iss, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE") == 0 &&
         add_ext(x, iss, NID_key_usage, ca ? "critical,keyCertSign,cRLSign,digitalSignature"
                                            : "critical,digitalSignature") == 0 &&
         add_ext(x, iss, NID_subject_key_identifier, "hash") == 0 &&
         (!issuer || add_ext(x, iss, NID_authority_key_identifier, "keyid:always") == 0) &&
         X509_sign(x, issuer_key ? issuer_key : key, EVP_sha384()) > 0;
    BN_free(bn);
    ASN1_INTEGER_free(serial);
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int mldsa_keygen(const char *dir)
{
    uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES], sk[QTPM_MLDSA_MAX_SK_BYTES], xi[32];
    char p[4200];
    int rc = qtpm_mldsa_keygen(QTPM_MLDSA_65, pk, sk, xi) == 0 ? 0 : -1;
    rc |= pathf(p, sizeof p, dir, "mldsa65.key") || write_file(p, xi, 32, 0600);
    rc |= pathf(p, sizeof p, dir, "mldsa65.pub") ||
          write_file(p, pk, qtpm_mldsa_pk_bytes(QTPM_MLDSA_65), 0644);
    OPENSSL_cleanse(sk, sizeof sk);
    OPENSSL_cleanse(xi, sizeof xi);
    return rc;
}

/* ML-DSA-65 signature of msg with the seed in dir/mldsa65.key. */
static int mldsa_sign_file(const char *dir, const uint8_t *msg, size_t len, const char *ctx,
                           const char *out)
{
    char p[4200];
    uint8_t *xi = NULL, sig[QTPM_MLDSA_MAX_SIG_BYTES];
    size_t xl = 0;
    int rc = -1;
    if (pathf(p, sizeof p, dir, "mldsa65.key") == 0 && ztp_read_file(p, &xi, &xl) == 0 &&
        xl == 32 &&
        qtpm_mldsa_sign(QTPM_MLDSA_65, xi, 32, msg, len, (const uint8_t *)ctx, strlen(ctx), NULL,
                        sig) == 0)
        rc = write_file(out, sig, qtpm_mldsa_sig_bytes(QTPM_MLDSA_65), 0644);
    if (xi)
        OPENSSL_cleanse(xi, xl);
    free(xi);
    return rc;
}

static const char *opt(int argc, char **argv, const char *name)
{
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], name))
            return argv[i + 1];
    return NULL;
}

/* ---------------------------------------------------------------- vendor */

/* (Re-)issues crl.pem from revoked.txt (one hex serial a line), next update in 7 days. */
static int issue_crl(const char *dir)
{
    char p[4200];
    EVP_PKEY *key = pathf(p, sizeof p, dir, "ca-key.pem") ? NULL : load_key(p);
    X509 *ca = pathf(p, sizeof p, dir, "ca-cert.pem") ? NULL : load_cert(p);
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *now = ASN1_TIME_set(NULL, time(NULL));
    ASN1_TIME *next = ASN1_TIME_set(NULL, time(NULL) + 7 * 86400);
    int ok = key && ca && crl && now && next && X509_CRL_set_version(crl, 1) &&
             X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca)) &&
             X509_CRL_set1_lastUpdate(crl, now) && X509_CRL_set1_nextUpdate(crl, next);
    FILE *f = ok && pathf(p, sizeof p, dir, "revoked.txt") == 0 ? fopen(p, "r") : NULL;
    char line[256];
    while (ok && f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        BIGNUM *bn = NULL;
        if (!line[0] || !BN_hex2bn(&bn, line))
            continue;
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *s = BN_to_ASN1_INTEGER(bn, NULL);
        ok = r && s && X509_REVOKED_set_serialNumber(r, s) &&
             X509_REVOKED_set_revocationDate(r, now) && X509_CRL_add0_revoked(crl, r);
        if (!ok)
            X509_REVOKED_free(r);
        ASN1_INTEGER_free(s);
        BN_free(bn);
    }
    if (f)
        fclose(f);
    ok = ok && X509_CRL_sort(crl) && X509_CRL_sign(crl, key, EVP_sha384()) > 0;
    BIO *b = ok ? BIO_new(BIO_s_mem()) : NULL;
    char *data;
    long n;
    int rc = b && PEM_write_bio_X509_CRL(b, crl) == 1 && (n = BIO_get_mem_data(b, &data)) > 0 &&
                     pathf(p, sizeof p, dir, "crl.pem") == 0
                 ? write_file(p, data, (size_t)n, 0644)
                 : -1;
    BIO_free(b);
    ASN1_TIME_free(now);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
    X509_free(ca);
    EVP_PKEY_free(key);
    return rc;
}

static int vendor_init(const char *dir)
{
    char p[4200];
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    EVP_PKEY *k = EVP_EC_gen("P-384");
    X509 *x = k ? make_cert(k, "qtpm-ztp vendor voucher CA", NULL, NULL, 1, 3650) : NULL;
    int rc = x && pathf(p, sizeof p, dir, "ca-key.pem") == 0 && save_pem_key(p, k) == 0 &&
                     pathf(p, sizeof p, dir, "ca-cert.pem") == 0 && save_pem_cert(p, x) == 0 &&
                     mldsa_keygen(dir) == 0 && issue_crl(dir) == 0
                 ? 0
                 : -1;
    X509_free(x);
    EVP_PKEY_free(k);
    if (rc == 0)
        printf("vendor in %s: ca-cert.pem (voucher CA, ECDSA P-384), crl.pem, mldsa65.pub\n",
               dir);
    return rc;
}

static time_t arg_time(const char *s)
{
    struct tm tm = { 0 };
    const char *end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
    return end && !*end ? timegm(&tm) : (time_t)-1;
}

static int voucher(int argc, char **argv)
{
    const char *dir = opt(argc, argv, "--vendor-dir"), *serial = opt(argc, argv, "--serial");
    const char *owner = opt(argc, argv, "--owner-cert"), *out = opt(argc, argv, "--out");
    const char *co = opt(argc, argv, "--created-on"), *eo = opt(argc, argv, "--expires-on");
    const char *ei = opt(argc, argv, "--expires-in");
    if (!dir || !serial || !owner || !out)
        return usage();
    qtpm_ztp_voucher v = { 0 };
    snprintf(v.serial, sizeof v.serial, "%s", serial);
    strcpy(v.assertion, "verified");
    v.created_on = co ? arg_time(co) : time(NULL);
    v.expires_on = eo ? arg_time(eo) : time(NULL) + (ei ? strtol(ei, NULL, 10) : 30 * 86400L);
    if (v.created_on < 0 || v.expires_on < 0) {
        fprintf(stderr, "qtpm-ztp: times are YYYY-MM-DDTHH:MM:SSZ\n");
        return 2;
    }
    char p[4200], q[4200];
    EVP_PKEY *cak = pathf(p, sizeof p, dir, "ca-key.pem") ? NULL : load_key(p);
    X509 *ca = pathf(p, sizeof p, dir, "ca-cert.pem") ? NULL : load_cert(p);
    v.pinned = load_cert(owner);
    /* a signer certificate per voucher, so one voucher can be revoked (its serial on the CRL) */
    EVP_PKEY *sk = EVP_EC_gen("P-384");
    X509 *signer = cak && ca && sk ? make_cert(sk, "qtpm-ztp voucher signer", ca, cak, 0, 3650)
                                   : NULL;
    char *json = v.pinned && signer ? qtpm_ztp_voucher_json(&v) : NULL;
    uint8_t *der = NULL;
    size_t der_len = 0;
    int rc = json && qtpm_ztp_cms_sign(QTPM_ZTP_OID_VOUCHER, (uint8_t *)json, strlen(json),
                                       signer, sk, NULL, &der, &der_len) == 0 &&
                     (size_t)snprintf(q, sizeof q, "%s.cms", out) < sizeof q &&
                     write_file(q, der, der_len, 0644) == 0 &&
                     (size_t)snprintf(q, sizeof q, "%s.mldsa", out) < sizeof q &&
                     mldsa_sign_file(dir, (uint8_t *)json, strlen(json), QTPM_ZTP_CTX_VOUCHER,
                                     q) == 0
                 ? 0
                 : -1;
    if (rc == 0)
        printf("voucher for %s: %s.cms, %s.mldsa\n", serial, out, out);
    else
        fprintf(stderr, "qtpm-ztp: cannot make the voucher (vendor dir %s, owner cert %s)\n",
                dir, owner);
    OPENSSL_free(der);
    free(json);
    X509_free(signer);
    EVP_PKEY_free(sk);
    X509_free(ca);
    EVP_PKEY_free(cak);
    qtpm_ztp_voucher_clear(&v);
    return rc ? 1 : 0;
}

static int revoke_voucher(int argc, char **argv)
{
    const char *dir = opt(argc, argv, "--vendor-dir"), *vf = opt(argc, argv, "--voucher");
    if (!dir || !vf)
        return usage();
    uint8_t *buf = NULL;
    size_t len = 0;
    char p[4200];
    X509 *ca = pathf(p, sizeof p, dir, "ca-cert.pem") ? NULL : load_cert(p);
    const unsigned char *q;
    CMS_ContentInfo *cms = ca && ztp_read_file(vf, &buf, &len) == 0
                               ? (q = buf, d2i_CMS_ContentInfo(NULL, &q, (long)len))
                               : NULL;
    STACK_OF(X509) *certs = cms ? CMS_get1_certs(cms) : NULL;
    int rc = -1;
    for (int i = 0; i < sk_X509_num(certs); i++) {
        X509 *x = sk_X509_value(certs, i);
        if (X509_check_issued(ca, x) != X509_V_OK || X509_cmp(ca, x) == 0)
            continue;
        BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
        char *hex = bn ? BN_bn2hex(bn) : NULL;
        FILE *f = hex && pathf(p, sizeof p, dir, "revoked.txt") == 0 ? fopen(p, "a") : NULL;
        if (f) {
            fprintf(f, "%s\n", hex);
            rc = fclose(f) == 0 ? 0 : -1;
            printf("revoked voucher signer %s\n", hex);
        }
        OPENSSL_free(hex);
        BN_free(bn);
    }
    if (rc == 0)
        rc = issue_crl(dir);
    else
        fprintf(stderr, "qtpm-ztp: %s holds no signer certificate of this vendor\n", vf);
    sk_X509_pop_free(certs, X509_free);
    CMS_ContentInfo_free(cms);
    X509_free(ca);
    free(buf);
    return rc ? 1 : 0;
}

/* ---------------------------------------------------------------- owner */

static int owner_init(const char *dir, const char *cn)
{
    char p[4200];
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return -1;
    uint8_t *pub = NULL;
    size_t pub_len = 0;
    if (mldsa_keygen(dir) != 0 || pathf(p, sizeof p, dir, "mldsa65.pub") ||
        ztp_read_file(p, &pub, &pub_len) != 0)
        return -1;
    EVP_PKEY *k = EVP_EC_gen("P-384");
    X509 *x = k ? make_cert(k, cn, NULL, NULL, 1, 3650) : NULL;
    /* re-sign after adding the ML-DSA-65 public key (QTPM_ZTP_OID_MLDSA_PUB, OCTET STRING) */
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    ASN1_OBJECT *oid = OBJ_txt2obj(QTPM_ZTP_OID_MLDSA_PUB, 1);
    unsigned char *der = NULL;
    int dl = -1;
    if (os && ASN1_OCTET_STRING_set(os, pub, (int)pub_len))
        dl = i2d_ASN1_OCTET_STRING(os, &der);
    ASN1_OCTET_STRING *val = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    int ok = x && oid && dl > 0 && val && ASN1_OCTET_STRING_set(val, der, dl) &&
             (ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, val)) &&
             X509_add_ext(x, ext, -1) == 1 && X509_sign(x, k, EVP_sha384()) > 0;
    int rc = ok && pathf(p, sizeof p, dir, "owner-key.pem") == 0 && save_pem_key(p, k) == 0 &&
                     pathf(p, sizeof p, dir, "owner-cert.pem") == 0 && save_pem_cert(p, x) == 0
                 ? 0
                 : -1;
    if (rc == 0)
        printf("owner in %s: owner-cert.pem (ECDSA P-384, ML-DSA-65 key in extension %s)\n",
               dir, QTPM_ZTP_OID_MLDSA_PUB);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(val);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(oid);
    OPENSSL_free(der);
    X509_free(x);
    EVP_PKEY_free(k);
    free(pub);
    return rc;
}

/* ---------------------------------------------------------------- image */

typedef struct {
    qtpm_ztp_image_entry *e;
    size_t n, cap;
} image;

static int image_add(image *im, const char *path, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < im->n; i++)
        if (!strcmp(im->e[i].path, path))
            return EVP_Digest(data, len, im->e[i].sha256, NULL, EVP_sha256(), NULL) == 1 ? 0
                                                                                          : -1;
    if (im->n == im->cap) {
        size_t cap = im->cap ? 2 * im->cap : 64;
        if (cap > 100000)
            return -1;
        qtpm_ztp_image_entry *ne = realloc(im->e, cap * sizeof *ne);
        if (!ne)
            return -1;
        im->e = ne;
        im->cap = cap;
    }
    qtpm_ztp_image_entry *e = &im->e[im->n];
    if (strlen(path) >= sizeof e->path ||
        EVP_Digest(data, len, e->sha256, NULL, EVP_sha256(), NULL) != 1)
        return -1;
    strcpy(e->path, path);
    im->n++;
    return 0;
}

/* Every regular file below dir, named as the agent's measurer names it ("/bin/x"). */
static int image_walk(image *im, const char *dir, const char *rel, int depth)
{
    if (depth > 32)
        return 0;
    DIR *d = opendir(dir);
    if (!d)
        return depth ? 0 : -1;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char file[4096], rpath[4096];
        struct stat st;
        if ((size_t)snprintf(file, sizeof file, "%s/%s", dir, de->d_name) >= sizeof file ||
            (size_t)snprintf(rpath, sizeof rpath, "%s/%s", rel, de->d_name) >= sizeof rpath ||
            lstat(file, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = image_walk(im, file, rpath, depth + 1);
        } else if (S_ISREG(st.st_mode)) {
            uint8_t *buf;
            size_t len;
            rc = ztp_read_file(file, &buf, &len) == 0 ? image_add(im, rpath, buf, len) : -1;
            free(buf);
        }
    }
    closedir(d);
    return rc;
}

static void print_hex(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", d[i]);
    printf("\n");
}

static int onboard(int argc, char **argv)
{
    const char *odir = opt(argc, argv, "--owner-dir"), *vp = opt(argc, argv, "--voucher");
    const char *ddir = opt(argc, argv, "--device-dir"), *nms = opt(argc, argv, "--nms");
    const char *ca = opt(argc, argv, "--nms-ca"), *root = opt(argc, argv, "--image-root");
    const char *osn = opt(argc, argv, "--os-name"), *osv = opt(argc, argv, "--os-version");
    if (!odir || !vp || !ddir || !nms || !ca || !root)
        return usage();
    qtpm_ztp_onboarding o = { 0 };
    image im = { 0 };
    snprintf(o.os_name, sizeof o.os_name, "%s", osn ? osn : "qtpm-router");
    snprintf(o.os_version, sizeof o.os_version, "%s", osv ? osv : "1");
    snprintf(o.nms_url, sizeof o.nms_url, "%s", nms);
    uint8_t *capem = NULL;
    size_t calen = 0;
    int rc = -1;
    if (ztp_read_file(ca, &capem, &calen) != 0 || !(o.nms_ca_pem = calloc(1, calen + 1))) {
        fprintf(stderr, "qtpm-ztp: cannot read %s\n", ca);
        goto out;
    }
    memcpy(o.nms_ca_pem, capem, calen);
    if (image_walk(&im, root, "", 0) != 0) {
        fprintf(stderr, "qtpm-ztp: cannot read the image %s\n", root);
        goto out;
    }
    for (int i = 2; i + 1 < argc; i++) {
        if (strcmp(argv[i], "--file"))
            continue;
        char *eq = strchr(argv[++i], '=');
        qtpm_ztp_file *f = &o.files[o.n_files];
        if (!eq || o.n_files == QTPM_ZTP_MAX_FILES || (size_t)(eq - argv[i]) >= sizeof f->path ||
            argv[i][0] != '/') {
            fprintf(stderr, "qtpm-ztp: --file /ROUTER/PATH=SRC (at most %d)\n",
                    QTPM_ZTP_MAX_FILES);
            goto out;
        }
        memcpy(f->path, argv[i], (size_t)(eq - argv[i]));
        f->path[eq - argv[i]] = 0;
        if (ztp_read_file(eq + 1, &f->data, &f->len) != 0) {
            fprintf(stderr, "qtpm-ztp: cannot read %s\n", eq + 1);
            goto out;
        }
        o.n_files++;
        /* the file as the device will lay it over its image */
        if (image_add(&im, f->path, f->data, f->len) != 0)
            goto out;
    }
    if (qtpm_ztp_image_digest(im.e, im.n, o.image_sha256) != 0)
        goto out;
    char p[4200], q[4200];
    EVP_PKEY *key = pathf(p, sizeof p, odir, "owner-key.pem") ? NULL : load_key(p);
    X509 *cert = pathf(p, sizeof p, odir, "owner-cert.pem") ? NULL : load_cert(p);
    char *json = key && cert ? qtpm_ztp_onboarding_json(&o) : NULL;
    uint8_t *der = NULL, *oc = NULL, *vb = NULL;
    size_t der_len = 0, oc_len = 0, vb_len = 0;
    if (mkdir_p(ddir, 0755) != 0)
        json = (free(json), NULL);
    rc = json &&
                 qtpm_ztp_cms_sign(QTPM_ZTP_OID_INFO_JSON, (uint8_t *)json, strlen(json), cert,
                                   key, NULL, &der, &der_len) == 0 &&
                 pathf(q, sizeof q, ddir, "conveyed-information.cms") == 0 &&
                 write_file(q, der, der_len, 0644) == 0 &&
                 pathf(q, sizeof q, ddir, "conveyed-information.mldsa") == 0 &&
                 mldsa_sign_file(odir, (uint8_t *)json, strlen(json), QTPM_ZTP_CTX_INFO, q) == 0 &&
                 qtpm_ztp_certs_only(cert, &oc, &oc_len) == 0 &&
                 pathf(q, sizeof q, ddir, "owner-certificate.cms") == 0 &&
                 write_file(q, oc, oc_len, 0644) == 0
             ? 0
             : -1;
    /* the voucher the vendor issued for this device, as it is */
    for (int i = 0; rc == 0 && i < 2; i++) {
        const char *ext = i ? "mldsa" : "cms";
        snprintf(p, sizeof p, "%s.%s", vp, ext);
        snprintf(q, sizeof q, "%s/ownership-voucher.%s", ddir, ext);
        rc = ztp_read_file(p, &vb, &vb_len) == 0 && write_file(q, vb, vb_len, 0644) == 0 ? 0 : -1;
        free(vb);
        vb = NULL;
    }
    if (rc == 0) {
        printf("bootstrapping data in %s, boot image digest ", ddir);
        print_hex(o.image_sha256, 32);
    } else {
        fprintf(stderr, "qtpm-ztp: cannot build the bootstrapping data in %s\n", ddir);
    }
    OPENSSL_free(der);
    OPENSSL_free(oc);
    free(json);
    X509_free(cert);
    EVP_PKEY_free(key);
out:
    free(capem);
    free(im.e);
    qtpm_ztp_onboarding_clear(&o);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *cmd = argv[1];
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
        return usage_to(stdout, 0);
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-v")) {
        printf("qtpm-ztp " QTPM_VERSION "\n");
        return 0;
    }
    if (!strcmp(cmd, "vendor-init")) {
        const char *d = opt(argc, argv, "--dir");
        return d ? (vendor_init(d) ? 1 : 0) : usage();
    }
    if (!strcmp(cmd, "voucher"))
        return voucher(argc, argv);
    if (!strcmp(cmd, "revoke"))
        return revoke_voucher(argc, argv);
    if (!strcmp(cmd, "owner-init")) {
        const char *d = opt(argc, argv, "--dir"), *cn = opt(argc, argv, "--cn");
        return d ? (owner_init(d, cn ? cn : "qtpm-ztp owner") ? 1 : 0) : usage();
    }
    if (!strcmp(cmd, "onboard"))
        return onboard(argc, argv);
    if (!strcmp(cmd, "image-digest")) {
        const char *r = opt(argc, argv, "--root");
        image im = { 0 };
        uint8_t d[32];
        if (!r)
            return usage();
        int rc = image_walk(&im, r, "", 0) == 0 && qtpm_ztp_image_digest(im.e, im.n, d) == 0;
        if (rc)
            print_hex(d, 32);
        free(im.e);
        return rc ? 0 : 1;
    }
    if (!strcmp(cmd, "serve"))
        return ztp_serve(argc, argv);
    return usage();
}
