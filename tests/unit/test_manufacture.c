/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_manufacture.c — libqtpm-manufacture without a TPM: the DER writer and
 * the ML-KEM SubjectPublicKeyInfo byte for byte; the vendor CA's files
 * (created 0600 without leftovers, reloaded identically, a lost certificate
 * re-made, a lost key refused); EK certificates for software RSA-2048,
 * P-256 and ML-KEM-768 keys with the EK Credential Profile's fields, checked
 * by qtpm_ek_cert_verify and by `openssl verify`; and every way a
 * certificate must be refused: tampered, another EK, another CA, outside
 * its validity, garbage.
 *
 * ML-KEM-768 EKs are tested here in software only: no TPM reachable from
 * the tests creates ML-KEM keys yet (swtpm answers TPM_RC_TYPE).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "manufacture/mfg_internal.h"
#include "qtpm/manufacture.h"
#include "qtpm/mlkem.h"
#include "testutil.h"

static char tmpdir[64];
static char ca_dir[128], ca2_dir[128];
static qtpm_vendor_ca *CA, *CA2;
static const qtpm_tpm_identity ID = { "id:49424D00", "SW   TPM", "id:20191023" };

static int rm_rf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}

static int setup(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/qtpm-mfg-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(ca_dir, sizeof ca_dir, "%s/ca", tmpdir);
    snprintf(ca2_dir, sizeof ca2_dir, "%s/ca2", tmpdir);
    if (qtpm_vendor_ca_open(ca_dir, &CA) != QTPM_OK || qtpm_vendor_ca_open(ca2_dir, &CA2) != QTPM_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    qtpm_vendor_ca_free(CA);
    qtpm_vendor_ca_free(CA2);
    return rm_rf(tmpdir) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ keys */

static void rsa_ek(TPMT_PUBLIC *pub)
{
    EVP_PKEY *k = EVP_RSA_gen(2048);
    BIGNUM *n = NULL;
    assert_non_null(k);
    assert_int_equal(qtpm_ek_template(QTPM_EK_RSA2048, pub), 0);
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_N, &n), 1);
    pub->unique.rsa.size = 256;
    assert_int_equal(BN_bn2binpad(n, pub->unique.rsa.buffer, 256), 256);
    BN_free(n);
    EVP_PKEY_free(k);
}

static void ecc_ek(TPMT_PUBLIC *pub)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    uint8_t pt[65];
    size_t len;
    assert_non_null(k);
    assert_int_equal(qtpm_ek_template(QTPM_EK_ECCP256, pub), 0);
    assert_int_equal(EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt,
                                                     &len), 1);
    assert_int_equal(len, 65);
    pub->unique.ecc.x.size = 32;
    pub->unique.ecc.y.size = 32;
    memcpy(pub->unique.ecc.x.buffer, pt + 1, 32);
    memcpy(pub->unique.ecc.y.buffer, pt + 33, 32);
    EVP_PKEY_free(k);
}

static void mlkem_ek(TPMT_PUBLIC *pub)
{
    assert_int_equal(qtpm_ek_template(QTPM_EK_MLKEM768, pub), 0);
    assert_int_equal(qtpm_mlkem_keygen(QTPM_MLKEM_768, pub->unique.mlkem.buffer, NULL, NULL), 0);
    pub->unique.mlkem.size = 1184;
}

static void make_ek(qtpm_ek_alg alg, TPMT_PUBLIC *pub)
{
    if (alg == QTPM_EK_RSA2048)
        rsa_ek(pub);
    else if (alg == QTPM_EK_ECCP256)
        ecc_ek(pub);
    else
        mlkem_ek(pub);
}

static int write_file(const char *path, const uint8_t *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(d, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* ------------------------------------------------------------ DER */

static void test_der_header(void **state)
{
    (void)state;
    uint8_t b[8];
    assert_int_equal(mfg_der_header_len(0), 2);
    assert_int_equal(mfg_der_header_len(127), 2);
    assert_int_equal(mfg_der_header_len(128), 3);
    assert_int_equal(mfg_der_header_len(255), 3);
    assert_int_equal(mfg_der_header_len(256), 4);
    assert_int_equal(mfg_der_header_len(65536), 5);
    assert_int_equal(mfg_der_put_header(b, 0x30, 127), 2);
    assert_memory_equal(b, "\x30\x7f", 2);
    assert_int_equal(mfg_der_put_header(b, 0x03, 128), 3);
    assert_memory_equal(b, "\x03\x81\x80", 3);
    assert_int_equal(mfg_der_put_header(b, 0x03, 1185), 4);
    assert_memory_equal(b, "\x03\x82\x04\xa1", 4);
    assert_int_equal(mfg_der_put_header(b, 0x04, 0x123456), 5);
    assert_memory_equal(b, "\x04\x83\x12\x34\x56", 5);
}

static void test_mlkem_spki(void **state)
{
    (void)state;
    static const uint8_t head[] = { 0x30, 0x82, 0x04, 0xB2,             /* SPKI, 1202 bytes */
                                    0x30, 0x0B, 0x06, 0x09,             /* AlgorithmIdentifier */
                                    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04, 0x02,
                                    0x03, 0x82, 0x04, 0xA1, 0x00 };     /* BIT STRING, 0 unused */
    TPMT_PUBLIC ek;
    uint8_t *der;
    size_t len;
    mlkem_ek(&ek);
    assert_int_equal(qtpm_ek_spki_der(&ek, &der, &len), 0);
    assert_int_equal(len, sizeof head + 1184);
    assert_memory_equal(der, head, sizeof head);
    assert_memory_equal(der + sizeof head, ek.unique.mlkem.buffer, 1184);
    /* OpenSSL reads it back: the OID text and the key bits */
    const unsigned char *p = der;
    X509_PUBKEY *xp = d2i_X509_PUBKEY(NULL, &p, (long)len);
    assert_non_null(xp);
    assert_ptr_equal(p, der + len);
    ASN1_OBJECT *obj;
    const unsigned char *bits;
    int bits_len;
    char txt[64];
    assert_int_equal(X509_PUBKEY_get0_param(&obj, &bits, &bits_len, NULL, xp), 1);
    OBJ_obj2txt(txt, sizeof txt, obj, 1);
    assert_string_equal(txt, "2.16.840.1.101.3.4.4.2");
    assert_int_equal(bits_len, 1184);
    assert_memory_equal(bits, ek.unique.mlkem.buffer, 1184);
    X509_PUBKEY_free(xp);
    free(der);

    /* the other parameter sets get the neighbouring OIDs; wrong sizes are refused */
    uint8_t big[1568] = { 0 };
    assert_int_equal(mfg_mlkem_spki(TPM_MLKEM_512, big, 800, &der, &len), 0);
    assert_int_equal(der[4 + 2 + 2 + 8], 0x01);
    free(der);
    assert_int_equal(mfg_mlkem_spki(TPM_MLKEM_1024, big, 1568, &der, &len), 0);
    assert_int_equal(der[4 + 2 + 2 + 8], 0x03);
    free(der);
    assert_int_equal(mfg_mlkem_spki(TPM_MLKEM_768, big, 1183, &der, &len), QTPM_E_LENGTH);
    assert_int_equal(mfg_mlkem_spki(4, big, 1184, &der, &len), QTPM_E_PARAM);
}

static void test_templates_and_indices(void **state)
{
    (void)state;
    TPMT_PUBLIC t;
    assert_int_equal(qtpm_ek_cert_nv_index(QTPM_EK_RSA2048), 0x01C00002);
    assert_int_equal(qtpm_ek_cert_nv_index(QTPM_EK_ECCP256), 0x01C0000A);
    assert_int_equal(qtpm_ek_cert_nv_index(QTPM_EK_MLKEM768), 0x01C00020);
    assert_int_equal(qtpm_ek_alg_from_name("mlkem768"), QTPM_EK_MLKEM768);
    assert_int_equal(qtpm_ek_alg_from_name("rsa4096"), 0);
    assert_int_equal(qtpm_ek_template(QTPM_EK_MLKEM768, &t), 0);
    assert_int_equal(t.type, TPM_ALG_MLKEM);
    assert_int_equal(t.parameters.mlkemDetail.parameterSet, TPM_MLKEM_768);
    assert_int_equal(t.parameters.mlkemDetail.symmetric.algorithm, TPM_ALG_AES);
    assert_int_equal(t.objectAttributes,
                     TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                         TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
                         TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT);
    assert_int_equal(t.authPolicy.size, 32);
    assert_int_equal(t.unique.mlkem.size, 0);
}

/* ------------------------------------------------------------ the CA */

static int count_tmp_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp."))
            n++;
    closedir(d);
    return n;
}

static void test_ca_files(void **state)
{
    (void)state;
    char dir[160], key[200], cert[200], pem[200];
    struct stat st;
    qtpm_vendor_ca *a, *b;
    size_t la, lb;
    snprintf(dir, sizeof dir, "%s/cafiles", tmpdir);
    snprintf(key, sizeof key, "%s/ca-key.pem", dir);
    snprintf(cert, sizeof cert, "%s/ca-cert.pem", dir);
    snprintf(pem, sizeof pem, "%s/exported.pem", tmpdir);
    assert_int_equal(qtpm_vendor_ca_open(dir, &a), 0);
    assert_int_equal(stat(key, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(stat(dir, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);
    assert_int_equal(count_tmp_files(dir), 0);
    /* reopening gives the same CA */
    assert_int_equal(qtpm_vendor_ca_open(dir, &b), 0);
    const uint8_t *da = qtpm_vendor_ca_cert_der(a, &la), *db = qtpm_vendor_ca_cert_der(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(da, db, la);
    qtpm_vendor_ca_free(b);
    /* a P-384 self-signed CA certificate, exported as PEM */
    assert_int_equal(qtpm_vendor_ca_export(a, pem), 0);
    FILE *f = fopen(pem, "r");
    assert_non_null(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(x);
    assert_int_equal(X509_check_ca(x), 1);
    assert_int_equal(X509_verify(x, X509_get0_pubkey(x)), 1);
    char group[32];
    assert_int_equal(EVP_PKEY_get_group_name(X509_get0_pubkey(x), group, sizeof group, NULL), 1);
    assert_string_equal(group, "secp384r1");
    X509_free(x);
    /* the certificate lost: re-made for the same key */
    assert_int_equal(unlink(cert), 0);
    assert_int_equal(qtpm_vendor_ca_open(dir, &b), 0);
    db = qtpm_vendor_ca_cert_der(b, &lb);
    const unsigned char *p = db;
    x = d2i_X509(NULL, &p, (long)lb);
    assert_non_null(x);
    assert_int_equal(X509_check_private_key(x, b->key), 1);
    assert_int_equal(EVP_PKEY_eq(b->key, a->key), 1);
    X509_free(x);
    qtpm_vendor_ca_free(b);
    /* the key lost while its certificate remains: refused, nothing replaced */
    assert_int_equal(unlink(key), 0);
    assert_int_equal(qtpm_vendor_ca_open(dir, &b), QTPM_E_INVALID);
    assert_int_equal(stat(key, &st), -1);
    qtpm_vendor_ca_free(a);

    /* atomic write replaces a file and leaves no temporary behind */
    char path[200];
    snprintf(path, sizeof path, "%s/atomic", tmpdir);
    assert_int_equal(qtpm_write_file_atomic(path, (const uint8_t *)"one", 3, 0600), 0);
    assert_int_equal(qtpm_write_file_atomic(path, (const uint8_t *)"second", 6, 0644), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 6);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(count_tmp_files(tmpdir), 0);
}

static void test_ca_mismatched_cert(void **state)
{
    (void)state;
    char dir[160], cmd[512];
    qtpm_vendor_ca *c;
    snprintf(dir, sizeof dir, "%s/camix", tmpdir);
    assert_int_equal(qtpm_vendor_ca_open(dir, &c), 0);
    qtpm_vendor_ca_free(c);
    /* another CA's certificate next to this key */
    snprintf(cmd, sizeof cmd, "cp '%s/ca-cert.pem' '%s/ca-cert.pem'", ca2_dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(qtpm_vendor_ca_open(dir, &c), QTPM_E_INVALID);
}

/* ------------------------------------------------------------ certificates */

/* The EK Credential Profile fields of a certificate we issued. */
static void check_fields(const uint8_t *der, size_t len, const TPMT_PUBLIC *ek)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    assert_non_null(x);
    assert_int_equal(X509_get_version(x), 2);
    assert_int_equal(X509_NAME_entry_count(X509_get_subject_name(x)), 0);
    assert_int_equal(X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(CA->cert)), 0);
    assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(x)), 0);
    ASN1_TIME *forever = ASN1_TIME_new();
    assert_int_equal(ASN1_TIME_set_string_X509(forever, "99991231235959Z"), 1);
    assert_int_equal(ASN1_TIME_compare(X509_get0_notAfter(x), forever), 0);
    ASN1_TIME_free(forever);
    assert_int_equal(X509_get_signature_nid(x), NID_ecdsa_with_SHA384);

    /* subjectAltName: critical, one directoryName with the three TCG attributes */
    int crit = -1;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, &crit, NULL);
    assert_non_null(gens);
    assert_int_equal(crit, 1);
    assert_int_equal(sk_GENERAL_NAME_num(gens), 1);
    GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, 0);
    assert_int_equal(gn->type, GEN_DIRNAME);
    X509_NAME *dn = gn->d.directoryName;
    assert_int_equal(X509_NAME_entry_count(dn), 3);
    static const char *const oids[3] = { "2.23.133.2.1", "2.23.133.2.2", "2.23.133.2.3" };
    const char *want[3] = { ID.manufacturer, ID.model, ID.version };
    for (int i = 0; i < 3; i++) {
        X509_NAME_ENTRY *e = X509_NAME_get_entry(dn, i);
        char txt[32];
        OBJ_obj2txt(txt, sizeof txt, X509_NAME_ENTRY_get_object(e), 1);
        assert_string_equal(txt, oids[i]);
        ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
        assert_int_equal(ASN1_STRING_type(v), V_ASN1_UTF8STRING);
        assert_int_equal(ASN1_STRING_length(v), (int)strlen(want[i]));
        assert_memory_equal(ASN1_STRING_get0_data(v), want[i], strlen(want[i]));
    }
    GENERAL_NAMES_free(gens);

    /* basicConstraints CA:FALSE critical; keyUsage critical; EKU tcg-kp-EKCertificate */
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
    assert_non_null(bc);
    assert_int_equal(crit, 1);
    assert_int_equal(bc->ca, 0);
    BASIC_CONSTRAINTS_free(bc);
    assert_int_equal(X509_get_extension_flags(x) & EXFLAG_CA, 0);
    uint32_t ku = X509_get_key_usage(x);
    assert_int_equal(ku, ek->type == TPM_ALG_ECC ? KU_KEY_AGREEMENT : KU_KEY_ENCIPHERMENT);
    assert_int_equal(X509_get_ext_by_critical(x, 1, -1) >= 0, 1);
    EXTENDED_KEY_USAGE *eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL);
    assert_non_null(eku);
    assert_int_equal(sk_ASN1_OBJECT_num(eku), 1);
    char txt[32];
    OBJ_obj2txt(txt, sizeof txt, sk_ASN1_OBJECT_value(eku, 0), 1);
    assert_string_equal(txt, "2.23.133.8.1");
    EXTENDED_KEY_USAGE_free(eku);
    /* the authority key identifier names the CA's key */
    assert_non_null(X509_get0_authority_key_id(x));
    assert_int_equal(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(x),
                                           X509_get0_subject_key_id(CA->cert)), 0);
    /* ML-KEM: the certificate carries exactly our SubjectPublicKeyInfo */
    if (ek->type == TPM_ALG_MLKEM) {
        uint8_t *spki;
        size_t spki_len;
        unsigned char *enc = NULL;
        assert_int_equal(qtpm_ek_spki_der(ek, &spki, &spki_len), 0);
        int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &enc);
        assert_int_equal(n, (int)spki_len);
        assert_memory_equal(enc, spki, spki_len);
        OPENSSL_free(enc);
        free(spki);
    }
    X509_free(x);
}

static int openssl_verify(const char *ca_pem, const uint8_t *der, size_t len)
{
    char cert[200], cmd[512];
    snprintf(cert, sizeof cert, "%s/leaf.der", tmpdir);
    assert_int_equal(write_file(cert, der, len), 0);
    snprintf(cmd, sizeof cmd, "openssl verify -CAfile '%s' '%s' >/dev/null 2>&1", ca_pem, cert);
    return system(cmd);
}

/* Header length and content length of the DER element at p. */
static void tlv(const uint8_t *p, size_t *hl, size_t *cl)
{
    if (p[1] < 0x80) {
        *hl = 2;
        *cl = p[1];
        return;
    }
    size_t n = p[1] & 0x7F;
    *cl = 0;
    for (size_t i = 0; i < n; i++)
        *cl = (*cl << 8) | p[2 + i];
    *hl = 2 + n;
}

/* The signature checked by the openssl command line on its own: the
 * TBSCertificate bytes and the signature value cut out of the DER by hand,
 * then `openssl dgst -sha384 -verify` with the CA's public key. Works for
 * an ML-KEM certificate too, which `openssl verify` (3.0) cannot load. */
static int openssl_dgst_verify(const char *ca_pem, const uint8_t *der, size_t len)
{
    size_t hl, cl, tbs_hl, tbs_cl, alg_hl, alg_cl, sig_hl, sig_cl;
    char tbs[200], sig[200], pub[200], cmd[1024];
    tlv(der, &hl, &cl);
    assert_int_equal(hl + cl, len);
    const uint8_t *t = der + hl;
    tlv(t, &tbs_hl, &tbs_cl);
    const uint8_t *a = t + tbs_hl + tbs_cl;
    tlv(a, &alg_hl, &alg_cl);
    const uint8_t *b = a + alg_hl + alg_cl;
    assert_int_equal(b[0], 0x03);
    tlv(b, &sig_hl, &sig_cl);
    assert_int_equal(b[sig_hl], 0x00); /* no unused bits */
    snprintf(tbs, sizeof tbs, "%s/tbs.der", tmpdir);
    snprintf(sig, sizeof sig, "%s/sig.der", tmpdir);
    snprintf(pub, sizeof pub, "%s/capub.pem", tmpdir);
    assert_int_equal(write_file(tbs, t, tbs_hl + tbs_cl), 0);
    assert_int_equal(write_file(sig, b + sig_hl + 1, sig_cl - 1), 0);
    snprintf(cmd, sizeof cmd,
             "openssl x509 -in '%s' -pubkey -noout > '%s' && "
             "openssl dgst -sha384 -verify '%s' -signature '%s' '%s' >/dev/null 2>&1",
             ca_pem, pub, pub, sig, tbs);
    return system(cmd);
}

static void cert_roundtrip(qtpm_ek_alg alg)
{
    TPMT_PUBLIC ek, other, other_type;
    uint8_t *der;
    size_t len, ca_len, ca2_len;
    const uint8_t *ca = qtpm_vendor_ca_cert_der(CA, &ca_len);
    const uint8_t *ca2 = qtpm_vendor_ca_cert_der(CA2, &ca2_len);
    char ca_pem[200], ca2_pem[200];
    make_ek(alg, &ek);
    make_ek(alg, &other);
    make_ek(alg == QTPM_EK_RSA2048 ? QTPM_EK_ECCP256 : QTPM_EK_RSA2048, &other_type);
    assert_int_equal(qtpm_ek_cert_build(CA, &ek, &ID, &der, &len), 0);
    check_fields(der, len, &ek);

    assert_int_equal(qtpm_ek_cert_verify(der, len, ca, ca_len, &ek), QTPM_OK);
    /* OpenSSL's own chain check agrees, with our CA and not with another */
    snprintf(ca_pem, sizeof ca_pem, "%s/ca.pem", tmpdir);
    snprintf(ca2_pem, sizeof ca2_pem, "%s/ca2.pem", tmpdir);
    assert_int_equal(qtpm_vendor_ca_export(CA, ca_pem), 0);
    assert_int_equal(qtpm_vendor_ca_export(CA2, ca2_pem), 0);
    assert_int_equal(openssl_dgst_verify(ca_pem, der, len), 0);
    assert_int_not_equal(openssl_dgst_verify(ca2_pem, der, len), 0);
    if (alg != QTPM_EK_MLKEM768) {
        assert_int_equal(openssl_verify(ca_pem, der, len), 0);
        assert_int_not_equal(openssl_verify(ca2_pem, der, len), 0);
    } else {
        /* OpenSSL 3.0 cannot load an ML-KEM public key, and `openssl
         * verify` needs the leaf's key: it fails for this reason alone */
        assert_int_not_equal(openssl_verify(ca_pem, der, len), 0);
    }

    /* another EK of the same kind, of another kind */
    assert_int_equal(qtpm_ek_cert_verify(der, len, ca, ca_len, &other), QTPM_E_VERIFY);
    assert_int_equal(qtpm_ek_cert_verify(der, len, ca, ca_len, &other_type), QTPM_E_VERIFY);
    /* another CA */
    assert_int_equal(qtpm_ek_cert_verify(der, len, ca2, ca2_len, &ek), QTPM_E_VERIFY);
    /* the EK certificate itself is no CA to check against */
    assert_int_not_equal(qtpm_ek_cert_verify(der, len, der, len, &ek), QTPM_OK);
    /* validity: before issuance; after the CA's 20 years */
    time_t now = time(NULL);
    assert_int_equal(qtpm_ek_cert_verify_at(der, len, ca, ca_len, &ek, now - 3600), QTPM_E_VERIFY);
    assert_int_equal(qtpm_ek_cert_verify_at(der, len, ca, ca_len, &ek, now + 3600), QTPM_OK);
    assert_int_equal(qtpm_ek_cert_verify_at(der, len, ca, ca_len, &ek,
                                            now + 21L * 365 * 24 * 3600), QTPM_E_VERIFY);
    /* tampering: the last signature byte; a byte of the public key; every
     * 37th byte in turn (each must be refused, whatever the error) */
    uint8_t *bad = malloc(len);
    assert_non_null(bad);
    memcpy(bad, der, len);
    bad[len - 1] ^= 0x01;
    assert_int_not_equal(qtpm_ek_cert_verify(bad, len, ca, ca_len, &ek), QTPM_OK);
    for (size_t i = 0; i < len; i += 37) {
        memcpy(bad, der, len);
        bad[i] ^= 0x20;
        assert_int_not_equal(qtpm_ek_cert_verify(bad, len, ca, ca_len, &ek), QTPM_OK);
    }
    /* truncated, with trailing bytes, empty */
    assert_int_equal(qtpm_ek_cert_verify(der, len - 1, ca, ca_len, &ek), QTPM_E_INVALID);
    memcpy(bad, der, len);
    uint8_t *longer = malloc(len + 1);
    memcpy(longer, der, len);
    longer[len] = 0;
    assert_int_equal(qtpm_ek_cert_verify(longer, len + 1, ca, ca_len, &ek), QTPM_E_INVALID);
    assert_int_equal(qtpm_ek_cert_verify(der, 0, ca, ca_len, &ek), QTPM_E_INVALID);
    free(longer);
    free(bad);
    free(der);
}

static void test_cert_rsa(void **state)
{
    (void)state;
    cert_roundtrip(QTPM_EK_RSA2048);
}

static void test_cert_ecc(void **state)
{
    (void)state;
    cert_roundtrip(QTPM_EK_ECCP256);
}

static void test_cert_mlkem768(void **state)
{
    (void)state;
    cert_roundtrip(QTPM_EK_MLKEM768);
}

static void test_cert_serials_differ(void **state)
{
    (void)state;
    TPMT_PUBLIC ek;
    uint8_t *a, *b;
    size_t la, lb;
    ecc_ek(&ek);
    assert_int_equal(qtpm_ek_cert_build(CA, &ek, &ID, &a, &la), 0);
    assert_int_equal(qtpm_ek_cert_build(CA, &ek, &ID, &b, &lb), 0);
    const unsigned char *p = a, *q = b;
    X509 *xa = d2i_X509(NULL, &p, (long)la), *xb = d2i_X509(NULL, &q, (long)lb);
    assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(xa), X509_get0_serialNumber(xb)),
                         0);
    X509_free(xa);
    X509_free(xb);
    free(a);
    free(b);
    /* keys it cannot certify */
    TPMT_PUBLIC bad = ek;
    bad.parameters.eccDetail.curveID = 0x0020;
    assert_int_not_equal(qtpm_ek_cert_build(CA, &bad, &ID, &a, &la), QTPM_OK);
    bad = ek;
    bad.unique.ecc.x.buffer[5] ^= 1; /* not on the curve */
    assert_int_not_equal(qtpm_ek_cert_build(CA, &bad, &ID, &a, &la), QTPM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_der_header),
        cmocka_unit_test(test_mlkem_spki),
        cmocka_unit_test(test_templates_and_indices),
        cmocka_unit_test(test_ca_files),
        cmocka_unit_test(test_ca_mismatched_cert),
        cmocka_unit_test(test_cert_rsa),
        cmocka_unit_test(test_cert_ecc),
        cmocka_unit_test(test_cert_mlkem768),
        cmocka_unit_test(test_cert_serials_differ),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
