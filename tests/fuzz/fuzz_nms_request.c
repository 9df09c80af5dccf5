/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_nms_request: the NMS's handlers of network input, behind the HTTP
 * layer — enrolment, activation, TLS-key certification and evidence
 * (src/ras/) — fed arbitrary JSON bodies. The first byte picks the handler;
 * the rest is parsed as JSON (as evhttp's body would be) and handed over with
 * an in-memory SQLite store holding one router enrolled with an ECC AK and, before each
 * call, a fresh challenge nonce for it (FUZZ_NONCE, the one the deep seeds of
 * tests/fuzz/make_corpus_nms.py carry), so tls-key and evidence bodies get past the
 * nonce check into the certification and quote checks. Every call must answer a
 * status (2xx/4xx/5xx) and leave no leak or UB behind.
 *
 * Built with -DQTPM_FUZZ_SEED_CHECK (ctest nms_fuzz_seeds) it is a plain program
 * instead: it runs each file named on the command line once and prints
 * "<file> <status> <error code>", so a test can assert how deep each seed gets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "qtpm/marshal.h"
#include "qtpm/tss_tasks.h"
#include "ras.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ROUTER "r-0011223344556677"
#define FUZZ_NONCE "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
static char last[96]; /* "<status> <error>" of the last call */

static qtpm_store *st;
static EVP_PKEY *ca_key, *policy_key;
static X509 *ca;

static void setup(void)
{
    char err[256];
    if (qtpm_store_open("sqlite::memory:", &st, err, sizeof err) != 0) {
        fprintf(stderr, "fuzz_nms_request: %s\n", err);
        abort();
    }
    ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    policy_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ca = X509_new();
    X509_set_version(ca, 2);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(ca), "CN", MBSTRING_ASC,
                               (const unsigned char *)"fuzz CA", -1, -1, 0);
    X509_set_issuer_name(ca, X509_get_subject_name(ca));
    X509_gmtime_adj(X509_getm_notBefore(ca), 0);
    X509_gmtime_adj(X509_getm_notAfter(ca), 86400);
    X509_set_pubkey(ca, ca_key);
    if (!ca_key || !policy_key || X509_sign(ca, ca_key, EVP_sha256()) <= 0)
        abort();
    /* The router, enrolled with an ECC P-256 AK whose point is the curve's generator
     * (SEC 2 §2.4.2), so quote and certification signatures are really checked. */
    static const char gx[] = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
    static const char gy[] = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
    static qtpm_store_enrolment e;
    TPM2B_PUBLIC ak;
    memset(&ak, 0, sizeof ak);
    size_t off = 0;
    snprintf(e.router, sizeof e.router, "%s", FUZZ_ROUTER);
    snprintf(e.hostname, sizeof e.hostname, "fuzz");
    snprintf(e.vendor, sizeof e.vendor, "fuzz");
    ak.publicArea.parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
    if (qtpm_tss_template_ak(TPM_ALG_ECC, &ak.publicArea) != QTPM_OK ||
        qtpm_ras_unhex(gx, ak.publicArea.unique.ecc.x.buffer, 32) ||
        qtpm_ras_unhex(gy, ak.publicArea.unique.ecc.y.buffer, 32))
        abort();
    ak.publicArea.unique.ecc.x.size = ak.publicArea.unique.ecc.y.size = 32;
    if (qtpm_TPM2B_PUBLIC_marshal(&ak, e.ak_pub, sizeof e.ak_pub, &off) != TPM_RC_SUCCESS)
        abort();
    e.ak_pub_len = off;
    memcpy(e.ek_pub, e.ak_pub, off); /* any unique bytes */
    e.ek_pub_len = off;
    e.ek_cert_len = 1;
    static const uint8_t name[34] = {0x00, 0x0b};
    if (qtpm_store_enrol_finish(st, &e, name, sizeof name, "01", (const uint8_t *)"x", 1) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!st)
        setup();
    if (size < 1)
        return 0;
    json_error_t e;
    json_t *req = json_loadb((const char *)data + 1, size - 1, 0, &e);
    if (!req)
        return 0;
    qtpm_ras_result res;
    memset(&res, 0, sizeof res);
    const char *id = FUZZ_ROUTER;
    (void)qtpm_store_nonce_put(st, id, FUZZ_NONCE, INT64_MAX / 2); /* CONFLICT: still there */
    switch (data[0] % 4) {
    case 0: qtpm_ras_enrol(st, req, &res); break;
    case 1: qtpm_ras_activate(st, ca, ca_key, policy_key, id, req, &res); break;
    case 2: qtpm_ras_tls_key(st, ca, ca_key, policy_key, id, req, &res); break;
    default: qtpm_ras_evidence(st, policy_key, id, req, &res); break;
    }
    if (res.status < 200 || res.status > 599)
        abort();
    const char *verdict = json_string_value(json_object_get(res.body, "verdict"));
    const char *reason = json_string_value(
        json_object_get(json_array_get(json_object_get(res.body, "reasons"), 0), "code"));
    snprintf(last, sizeof last, "%d %s%s%s", res.status,
             res.body ? (verdict ? verdict : "-") : res.error, reason ? " " : "",
             reason ? reason : "");
    json_decref(res.body);
    json_decref(req);
    return 0;
}

#ifdef QTPM_FUZZ_SEED_CHECK
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        static uint8_t buf[1 << 20];
        size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
        if (f)
            fclose(f);
        last[0] = '\0';
        LLVMFuzzerTestOneInput(buf, n);
        const char *base = strrchr(argv[i], '/');
        printf("%s %s\n", base ? base + 1 : argv[i], last[0] ? last : "unparsed");
    }
    return 0;
}
#endif
