/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ca.c — the local vendor CA that signs EK certificates: an ECDSA P-384 key
 * (ca-key.pem, PKCS#8, mode 0600) and a self-signed X.509 v3 CA certificate
 * (ca-cert.pem) in a state directory. Both files are written crash-safely —
 * a temporary file in the same directory, fsync, rename, fsync of the
 * directory — so a crash leaves either the old file or the new one, never a
 * torn key. The key is written before the certificate, so a crash between
 * the two leaves a key whose certificate is simply made again on next use.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "mfg_internal.h"
#include "qtpm/rand.h"

#define CA_KEY_FILE "ca-key.pem"
#define CA_CERT_FILE "ca-cert.pem"

/* ------------------------------------------------------------- files */

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int qtpm_write_file_atomic(const char *path, const uint8_t *data, size_t len, unsigned mode)
{
    char tmp[PATH_MAX], dir[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= (int)sizeof tmp)
        return QTPM_E_PARAM;
    /* mkstemp creates the file 0600 and exclusively: the key is never
     * readable by others, not even for a moment */
    int fd = mkstemp(tmp);
    if (fd < 0)
        return QTPM_E_PARAM;
    int ok = fchmod(fd, (mode_t)mode) == 0 && write_all(fd, data, len) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return QTPM_E_PARAM;
    }
    /* the rename itself is durable only once the directory is synced */
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return QTPM_OK;
}

/* A BIO's memory contents written atomically. */
static int write_bio_atomic(const char *path, BIO *bio, unsigned mode)
{
    char *data;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0)
        return QTPM_E_CRYPTO;
    return qtpm_write_file_atomic(path, (const uint8_t *)data, (size_t)n, mode);
}

static int join(char *out, size_t cap, const char *dir, const char *name)
{
    return snprintf(out, cap, "%s/%s", dir, name) < (int)cap ? QTPM_OK : QTPM_E_PARAM;
}

/* ------------------------------------------------------------- the CA */

int mfg_random_serial(X509 *x)
{
    uint8_t s[16];
    if (qtpm_random_bytes(s, sizeof s) != QTPM_OK)
        return QTPM_E_RNG;
    s[0] = (uint8_t)((s[0] & 0x7F) | 0x40); /* positive, 127 bits, never zero (RFC 5280 §4.1.2.2) */
    BIGNUM *bn = BN_bin2bn(s, sizeof s, NULL);
    ASN1_INTEGER *ai = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    int ok = ai && X509_set_serialNumber(x, ai);
    ASN1_INTEGER_free(ai);
    BN_free(bn);
    return ok ? QTPM_OK : QTPM_E_CRYPTO;
}

int mfg_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);
    int ok = e && X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok ? QTPM_OK : QTPM_E_CRYPTO;
}

static EVP_PKEY *new_p384_key(void)
{
    EVP_PKEY *key = NULL;
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (kctx && EVP_PKEY_keygen_init(kctx) == 1 &&
        EVP_PKEY_CTX_set_group_name(kctx, "secp384r1") == 1)
        EVP_PKEY_keygen(kctx, &key);
    EVP_PKEY_CTX_free(kctx);
    return key;
}

/* The self-signed CA certificate for key: 20 years, basicConstraints
 * CA:TRUE with pathLen 0 (it signs EK certificates only), keyUsage
 * keyCertSign | cRLSign, subject and authority key identifiers. */
static X509 *new_ca_cert(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX ctx;
    int ok = x && name && X509_set_version(x, 2) && mfg_random_serial(x) == QTPM_OK &&
             X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                        (const unsigned char *)"qtpm", -1, -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_UTF8,
                                        (const unsigned char *)"Manufacturing", -1, -1, 0) &&
             X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                        (const unsigned char *)"qtpm vendor EK CA", -1, -1, 0) &&
             X509_set_subject_name(x, name) && X509_set_issuer_name(x, name) &&
             X509_gmtime_adj(X509_getm_notBefore(x), 0) &&
             X509_gmtime_adj(X509_getm_notAfter(x), 20L * 365 * 24 * 3600) &&
             X509_set_pubkey(x, key);
    if (ok) {
        X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
        ok = mfg_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") == QTPM_OK &&
             mfg_add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") == QTPM_OK &&
             mfg_add_ext(x, &ctx, NID_subject_key_identifier, "hash") == QTPM_OK &&
             mfg_add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") == QTPM_OK &&
             X509_sign(x, key, EVP_sha384()) > 0;
    }
    X509_NAME_free(name);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int save_key(const char *path, EVP_PKEY *key)
{
    BIO *b = BIO_new(BIO_s_mem());
    int rc = QTPM_E_CRYPTO;
    if (b && PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL))
        rc = write_bio_atomic(path, b, 0600);
    BIO_free(b);
    return rc;
}

static int save_cert(const char *path, X509 *x)
{
    BIO *b = BIO_new(BIO_s_mem());
    int rc = QTPM_E_CRYPTO;
    if (b && PEM_write_bio_X509(b, x))
        rc = write_bio_atomic(path, b, 0644);
    BIO_free(b);
    return rc;
}

void qtpm_vendor_ca_free(qtpm_vendor_ca *ca)
{
    if (!ca)
        return;
    EVP_PKEY_free(ca->key);
    X509_free(ca->cert);
    free(ca->der);
    free(ca);
}

int qtpm_vendor_ca_open(const char *dir, qtpm_vendor_ca **out)
{
    char key_path[PATH_MAX], cert_path[PATH_MAX];
    int rc;
    *out = NULL;
    if (!dir || join(key_path, sizeof key_path, dir, CA_KEY_FILE) != QTPM_OK ||
        join(cert_path, sizeof cert_path, dir, CA_CERT_FILE) != QTPM_OK)
        return QTPM_E_PARAM;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return QTPM_E_PARAM;
    qtpm_vendor_ca *ca = calloc(1, sizeof *ca);
    if (!ca)
        return QTPM_E_NOMEM;

    FILE *f = fopen(key_path, "r");
    if (f) {
        ca->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        if (!ca->key) {
            rc = QTPM_E_INVALID;
            goto fail;
        }
        f = fopen(cert_path, "r");
        if (f) {
            ca->cert = PEM_read_X509(f, NULL, NULL, NULL);
            fclose(f);
            if (!ca->cert || X509_check_private_key(ca->cert, ca->key) != 1) {
                rc = QTPM_E_INVALID;
                goto fail;
            }
        }
    } else if (access(cert_path, F_OK) == 0) {
        rc = QTPM_E_INVALID; /* a certificate whose key is lost: never silently replace it */
        goto fail;
    } else {
        ca->key = new_p384_key();
        if (!ca->key) {
            rc = QTPM_E_CRYPTO;
            goto fail;
        }
        if ((rc = save_key(key_path, ca->key)) != QTPM_OK)
            goto fail;
    }
    if (!ca->cert) {
        ca->cert = new_ca_cert(ca->key);
        if (!ca->cert) {
            rc = QTPM_E_CRYPTO;
            goto fail;
        }
        if ((rc = save_cert(cert_path, ca->cert)) != QTPM_OK)
            goto fail;
    }
    unsigned char *der = NULL;
    int n = i2d_X509(ca->cert, &der);
    if (n <= 0) {
        rc = QTPM_E_CRYPTO;
        goto fail;
    }
    /* keep a malloc'd copy so callers free nothing of OpenSSL's */
    ca->der = malloc((size_t)n);
    if (ca->der)
        memcpy(ca->der, der, (size_t)n);
    OPENSSL_free(der);
    if (!ca->der) {
        rc = QTPM_E_NOMEM;
        goto fail;
    }
    ca->der_len = (size_t)n;
    *out = ca;
    return QTPM_OK;
fail:
    qtpm_vendor_ca_free(ca);
    return rc;
}

const uint8_t *qtpm_vendor_ca_cert_der(const qtpm_vendor_ca *ca, size_t *len)
{
    *len = ca->der_len;
    return ca->der;
}

int qtpm_vendor_ca_export(const qtpm_vendor_ca *ca, const char *path)
{
    return save_cert(path, ca->cert);
}
