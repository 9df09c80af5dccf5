/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_provider_tpmkey.c — TPM-resident keys through qtpm-provider in
 * process (cmocka), on the qtpm-server that test_tpmkey.sh started and gave
 * keys (QTPM_TCTI names it). The provider is registered with
 * OSSL_PROVIDER_add_builtin, so a sanitizer build checks its memory (leaks
 * included), which the openssl-command tests (test_tpmkeys.sh) cannot:
 *   - RSA-2048 and P-256 keys open through OSSL_STORE (qtpm:handle:);
 *   - DigestSign with RSA-PSS (salt = digest length), PKCS #1 v1.5 and ECDSA
 *     in the TPM; OpenSSL's default provider verifies with the public half;
 *   - another PSS salt length is refused;
 *   - the private half is not there: EVP_PKEY_todata(KEYPAIR) carries no
 *     d / factors / priv, EVP_PKEY_get_bn_param("d") fails;
 *   - a handle with no key: NULL with qtpm's message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>
#include <openssl/store.h>

#include "provider_internal.h"

static OSSL_LIB_CTX *lib;
static OSSL_PROVIDER *pdef, *pq;

static EVP_PKEY *open_key(const char *uri)
{
    OSSL_STORE_CTX *st = OSSL_STORE_open_ex(uri, lib, NULL, NULL, NULL, NULL, NULL, NULL);
    EVP_PKEY *k = NULL;

    while (st != NULL && k == NULL && !OSSL_STORE_eof(st)) {
        OSSL_STORE_INFO *i = OSSL_STORE_load(st);
        if (i == NULL)
            break;
        if (OSSL_STORE_INFO_get_type(i) == OSSL_STORE_INFO_PKEY)
            k = OSSL_STORE_INFO_get1_PKEY(i);
        OSSL_STORE_INFO_free(i);
    }
    OSSL_STORE_close(st);
    return k;
}

/* the public half as a default-provider key */
static EVP_PKEY *public_copy(EVP_PKEY *k)
{
    OSSL_PARAM *p = NULL;
    EVP_PKEY *pub = NULL;
    EVP_PKEY_CTX *c = NULL;

    assert_int_equal(EVP_PKEY_todata(k, EVP_PKEY_PUBLIC_KEY, &p), 1);
    c = EVP_PKEY_CTX_new_from_name(lib, EVP_PKEY_is_a(k, "RSA") ? "RSA" : "EC", "provider=default");
    assert_non_null(c);
    assert_int_equal(EVP_PKEY_fromdata_init(c), 1);
    assert_int_equal(EVP_PKEY_fromdata(c, &pub, EVP_PKEY_PUBLIC_KEY, p), 1);
    EVP_PKEY_CTX_free(c);
    OSSL_PARAM_free(p);
    return pub;
}

/* sign with k (TPM), verify with pub (software); pad 0 for ECDSA */
static int sign_verify(EVP_PKEY *k, EVP_PKEY *pub, const char *md, int pad, int saltlen)
{
    static const unsigned char msg[] = "CertificateVerify stand-in";
    unsigned char sig[1024];
    size_t sl = sizeof sig;
    EVP_MD_CTX *m = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pc = NULL;
    int ok = 0;

    if (EVP_DigestSignInit_ex(m, &pc, md, lib, NULL, k, NULL) != 1)
        goto out;
    if (pad && (EVP_PKEY_CTX_set_rsa_padding(pc, pad) != 1 ||
                (pad == RSA_PKCS1_PSS_PADDING && EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, saltlen) != 1)))
        goto out;
    if (EVP_DigestSign(m, sig, &sl, msg, sizeof msg) != 1)
        goto out;
    EVP_MD_CTX_free(m);
    m = EVP_MD_CTX_new();
    if (EVP_DigestVerifyInit_ex(m, &pc, md, lib, NULL, pub, NULL) != 1)
        goto out;
    if (pad && (EVP_PKEY_CTX_set_rsa_padding(pc, pad) != 1 ||
                (pad == RSA_PKCS1_PSS_PADDING &&
                 EVP_PKEY_CTX_set_rsa_pss_saltlen(pc, RSA_PSS_SALTLEN_DIGEST) != 1)))
        goto out;
    ok = EVP_DigestVerify(m, sig, sl, msg, sizeof msg) == 1;
out:
    EVP_MD_CTX_free(m);
    ERR_clear_error();
    return ok;
}

static void test_rsa(void **state)
{
    EVP_PKEY *k = open_key("qtpm:handle:0x81000001"), *pub;
    BIGNUM *d = NULL;
    OSSL_PARAM *p = NULL;

    (void)state;
    assert_non_null(k);
    assert_true(EVP_PKEY_is_a(k, "RSA"));
    assert_int_equal(EVP_PKEY_get_bits(k), 2048);
    pub = public_copy(k);
    assert_true(EVP_PKEY_eq(k, pub) == 1);
    assert_true(sign_verify(k, pub, "SHA256", RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_DIGEST));
    assert_true(sign_verify(k, pub, "SHA384", RSA_PKCS1_PSS_PADDING, RSA_PSS_SALTLEN_DIGEST));
    assert_true(sign_verify(k, pub, "SHA256", RSA_PKCS1_PADDING, 0));
    assert_false(sign_verify(k, pub, "SHA256", RSA_PKCS1_PSS_PADDING, 20));
    /* no private half */
    assert_int_equal(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_RSA_D, &d), 0);
    assert_null(d);
    assert_int_equal(EVP_PKEY_todata(k, EVP_PKEY_KEYPAIR, &p), 1);
    assert_null(OSSL_PARAM_locate(p, OSSL_PKEY_PARAM_RSA_D));
    assert_null(OSSL_PARAM_locate(p, OSSL_PKEY_PARAM_RSA_FACTOR1));
    assert_non_null(OSSL_PARAM_locate(p, OSSL_PKEY_PARAM_RSA_N));
    OSSL_PARAM_free(p);
    ERR_clear_error();
    EVP_PKEY_free(pub);
    EVP_PKEY_free(k);
}

static void test_ec(void **state)
{
    EVP_PKEY *k = open_key("qtpm:handle:0x81000002"), *pub;
    OSSL_PARAM *p = NULL;
    char group[32];

    (void)state;
    assert_non_null(k);
    assert_true(EVP_PKEY_is_a(k, "EC"));
    assert_int_equal(EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME, group,
                                                    sizeof group, NULL), 1);
    assert_string_equal(group, "prime256v1");
    pub = public_copy(k);
    assert_true(sign_verify(k, pub, "SHA256", 0, 0));
    assert_true(sign_verify(k, pub, "SHA384", 0, 0));
    assert_int_equal(EVP_PKEY_todata(k, EVP_PKEY_KEYPAIR, &p), 1);
    assert_null(OSSL_PARAM_locate(p, OSSL_PKEY_PARAM_PRIV_KEY));
    OSSL_PARAM_free(p);
    ERR_clear_error();
    EVP_PKEY_free(pub);
    EVP_PKEY_free(k);
}

static void test_no_key(void **state)
{
    char buf[256];
    unsigned long e;
    int found = 0;

    (void)state;
    ERR_clear_error();
    assert_null(open_key("qtpm:handle:0x81000009"));
    {
        const char *data = NULL;
        int flags = 0;
        while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
            snprintf(buf, sizeof buf, "%s", (flags & ERR_TXT_STRING) && data ? data : "");
            if (strstr(buf, "no key at handle 0x81000009") != NULL)
                found = 1;
        }
    }
    assert_true(found);
}

int main(void)
{
    int rc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa),
        cmocka_unit_test(test_ec),
        cmocka_unit_test(test_no_key),
    };

    if (getenv("QTPM_TCTI") == NULL) {
        fprintf(stderr, "test_provider_tpmkey: QTPM_TCTI not set (run by test_tpmkey.sh)\n");
        return 2;
    }
    lib = OSSL_LIB_CTX_new();
    if (lib == NULL || !OSSL_PROVIDER_add_builtin(lib, "qtpm", qtpm_provider_init) ||
        (pdef = OSSL_PROVIDER_load(lib, "default")) == NULL ||
        (pq = OSSL_PROVIDER_load(lib, "qtpm")) == NULL)
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    OSSL_PROVIDER_unload(pq);
    OSSL_PROVIDER_unload(pdef);
    OSSL_LIB_CTX_free(lib);
    return rc;
}
