/*
 * fuzz_nms_request: the NMS's handlers of network input, behind the HTTP
 * layer — enrolment, activation, TLS-key certification and evidence
 * (src/ras/) — fed arbitrary JSON bodies. The first byte picks the handler;
 * the rest is parsed as JSON (as evhttp's body would be) and handed over with
 * an in-memory SQLite store holding one enrolled-looking router id. Every
 * call must answer a status (2xx/4xx/5xx) and leave no leak or UB behind.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "ras.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    const char *id = "r-0011223344556677";
    switch (data[0] % 4) {
    case 0: qtpm_ras_enrol(st, req, &res); break;
    case 1: qtpm_ras_activate(st, ca, ca_key, policy_key, id, req, &res); break;
    case 2: qtpm_ras_tls_key(st, ca, ca_key, policy_key, id, req, &res); break;
    default: qtpm_ras_evidence(st, policy_key, id, req, &res); break;
    }
    if (res.status < 200 || res.status > 599)
        abort();
    json_decref(res.body);
    json_decref(req);
    return 0;
}
