/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pki.c — creation of the NMS's CAs, policy key and TLS certificates (pki.h).
 *
 * All keys are EC (P-384 for the two CAs, P-256 for leaf and policy keys) made through
 * EVP_PKEY_Q_keygen; certificates are X.509 v3 with basicConstraints, keyUsage,
 * subject/authority key identifiers (RFC 5280 §4.2.1) and, for the server, a
 * subjectAltName of IP 127.0.0.1 and DNS localhost.
 */
#include "pki.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

static int ossl_err(char *err, size_t errlen, const char *what)
{
    unsigned long e = ERR_get_error();
    char buf[160] = "";
    if (e)
        ERR_error_string_n(e, buf, sizeof buf);
    snprintf(err, errlen, "%s failed%s%s", what, e ? ": " : "", buf);
    ERR_clear_error();
    return -1;
}

static int write_key(const char *dir, const char *name, EVP_PKEY *key, char *err,
                     size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : ossl_err(err, errlen, path);
}

static int write_cert(const char *dir, const char *name, X509 *cert, char *err,
                      size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wx");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    int ok = PEM_write_X509(f, cert);
    if (fclose(f) != 0)
        ok = 0;
    return ok ? 0 : ossl_err(err, errlen, path);
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : cert, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return -1;
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* Makes a certificate for `key` signed by issuer_key (self-signed when issuer is NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, const char *ou, X509 *issuer,
                       EVP_PKEY *issuer_key, int is_ca, const char *san, const char *eku)
{
    X509 *c = X509_new();
    if (!c)
        return NULL;
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    if (RAND_bytes(serial, sizeof serial) != 1)
        goto bad;
    serial[0] &= 0x7f; /* positive (RFC 5280 §4.1.2.2) */
    bn = BN_bin2bn(serial, sizeof serial, NULL);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)))
        goto bad;
    X509_NAME *name = X509_get_subject_name(c);
    if (!X509_set_version(c, 2) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"qtpm-nms",
                                    -1, -1, 0) ||
        (ou && !X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC,
                                           (const unsigned char *)ou, -1, -1, 0)) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1,
                                    -1, 0) ||
        !X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : name) ||
        !X509_gmtime_adj(X509_getm_notBefore(c), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(c), (long)(is_ca ? 3650 : 825) * 86400) ||
        !X509_set_pubkey(c, key))
        goto bad;
    if (add_ext(c, issuer, NID_basic_constraints, is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE") ||
        add_ext(c, issuer, NID_key_usage,
                is_ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature") ||
        add_ext(c, issuer, NID_subject_key_identifier, "hash") ||
        add_ext(c, issuer, NID_authority_key_identifier, "keyid:always") ||
        (san && add_ext(c, issuer, NID_subject_alt_name, san)) ||
        (eku && add_ext(c, issuer, NID_ext_key_usage, eku)))
        goto bad;
    if (!X509_sign(c, issuer_key, EVP_sha384()))
        goto bad;
    BN_free(bn);
    return c;
bad:
    BN_free(bn);
    X509_free(c);
    return NULL;
}

int qtpm_pki_init(const char *dir, char *err, size_t errlen)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/privacy-ca.key", dir);
    if (access(probe, F_OK) == 0) {
        snprintf(err, errlen, "%s already holds an NMS (privacy-ca.key exists)", dir);
        return -1;
    }
    int rc = -1;
    EVP_PKEY *pca = NULL, *oca = NULL, *pol = NULL, *srv = NULL, *op = NULL, *ro = NULL;
    X509 *pca_c = NULL, *oca_c = NULL, *srv_c = NULL, *op_c = NULL, *ro_c = NULL;
    pca = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    oca = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    pol = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    srv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    op = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ro = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!pca || !oca || !pol || !srv || !op || !ro) {
        ossl_err(err, errlen, "key generation");
        goto out;
    }
    pca_c = make_cert(pca, "qtpm-nms privacy CA", NULL, NULL, pca, 1, NULL, NULL);
    oca_c = make_cert(oca, "qtpm-nms operator CA", NULL, NULL, oca, 1, NULL, NULL);
    if (!pca_c || !oca_c) {
        ossl_err(err, errlen, "CA certificate");
        goto out;
    }
    srv_c = make_cert(srv, "localhost", "server", oca_c, oca, 0, "IP:127.0.0.1,DNS:localhost",
                      "serverAuth");
    op_c = make_cert(op, "operator", "operator", oca_c, oca, 0, NULL, "clientAuth");
    ro_c = make_cert(ro, "read-only", "read-only", oca_c, oca, 0, NULL, "clientAuth");
    if (!srv_c || !op_c || !ro_c) {
        ossl_err(err, errlen, "leaf certificate");
        goto out;
    }
    if (write_key(dir, "privacy-ca.key", pca, err, errlen) ||
        write_cert(dir, "privacy-ca.crt", pca_c, err, errlen) ||
        write_key(dir, "operator-ca.key", oca, err, errlen) ||
        write_cert(dir, "operator-ca.crt", oca_c, err, errlen) ||
        write_key(dir, "policy.key", pol, err, errlen) ||
        write_key(dir, "server.key", srv, err, errlen) ||
        write_cert(dir, "server.crt", srv_c, err, errlen) ||
        write_key(dir, "operator.key", op, err, errlen) ||
        write_cert(dir, "operator.crt", op_c, err, errlen) ||
        write_key(dir, "readonly.key", ro, err, errlen) ||
        write_cert(dir, "readonly.crt", ro_c, err, errlen))
        goto out;
    rc = 0;
out:
    EVP_PKEY_free(pca);
    EVP_PKEY_free(oca);
    EVP_PKEY_free(pol);
    EVP_PKEY_free(srv);
    EVP_PKEY_free(op);
    EVP_PKEY_free(ro);
    X509_free(pca_c);
    X509_free(oca_c);
    X509_free(srv_c);
    X509_free(op_c);
    X509_free(ro_c);
    return rc;
}
