/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ztp.c — libFuzzer target for libqtpm-ztp's parsers of network input (docs/ZTP.md).
 * The first byte chooses the parser, the rest is its input:
 *   0 bootstrapping-data reply (JSON)   1 voucher JSON          2 onboarding information JSON
 *   3 get-bootstrapping-data input      4 report-progress input 5 HTTP Authorization header
 *   6 the device's whole check, the rest used as every artifact (CMS DER) and signature
 *   7 a reply parsed, then checked by the device (JSON → CMS)
 */
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/ztp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509 *vendor;

/* A fixed self-signed P-384 vendor CA, made once. */
static X509 *make_vendor(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-384");
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    if (!k || !x || !n)
        abort();
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"fuzz vendor", -1,
                               -1, 0);
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, n);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, k);
    X509_sign(x, k, EVP_sha384());
    X509_NAME_free(n);
    EVP_PKEY_free(k);
    return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    if (!vendor)
        vendor = make_vendor();
    const uint8_t *in = data + 1;
    size_t len = size - 1;
    char err[512], type[40], msg[256], serial[65];
    static const uint8_t pub[1952];
    char *text = malloc(len + 1);
    if (!text)
        return 0;
    memcpy(text, in, len);
    text[len] = 0;
    switch (data[0] % 8) {
    case 0: {
        qtpm_ztp_bootdata b;
        if (qtpm_ztp_bootdata_parse(text, len, &b, err, sizeof err) == 0) {
            char *j = qtpm_ztp_bootdata_json(&b);
            free(j);
            qtpm_ztp_bootdata_clear(&b);
        }
        break;
    }
    case 1: {
        qtpm_ztp_voucher v;
        if (qtpm_ztp_voucher_parse(in, len, &v, err, sizeof err) == 0) {
            char *j = qtpm_ztp_voucher_json(&v);
            free(j);
            qtpm_ztp_voucher_clear(&v);
        }
        break;
    }
    case 2: {
        qtpm_ztp_onboarding o;
        if (qtpm_ztp_onboarding_parse(in, len, &o, err, sizeof err) == 0) {
            char *j = qtpm_ztp_onboarding_json(&o);
            free(j);
            qtpm_ztp_onboarding_clear(&o);
        }
        break;
    }
    case 3:
        qtpm_ztp_parse_get_input(text, len, err, sizeof err);
        break;
    case 4:
        qtpm_ztp_parse_progress(text, len, type, msg, err, sizeof err);
        break;
    case 5:
        qtpm_ztp_basic_user(text, serial);
        break;
    case 6: {
        qtpm_ztp_bootdata b = { (uint8_t *)in, (uint8_t *)in, (uint8_t *)in, (uint8_t *)in,
                                (uint8_t *)in, len, len, len, len, len };
        qtpm_ztp_onboarding o;
        if (qtpm_ztp_device_verify(&b, vendor, pub, sizeof pub, "x", 1700000000, &o, err,
                                   sizeof err) == 0)
            qtpm_ztp_onboarding_clear(&o);
        break;
    }
    default: {
        qtpm_ztp_bootdata b;
        qtpm_ztp_onboarding o;
        if (qtpm_ztp_bootdata_parse(text, len, &b, err, sizeof err) == 0) {
            if (qtpm_ztp_device_verify(&b, vendor, pub, sizeof pub, "x", 1700000000, &o, err,
                                       sizeof err) == 0)
                qtpm_ztp_onboarding_clear(&o);
            qtpm_ztp_bootdata_clear(&b);
        }
        break;
    }
    }
    free(text);
    return 0;
}
