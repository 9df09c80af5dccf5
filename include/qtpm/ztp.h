/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libqtpm-ztp: secure zero-touch provisioning (RFC 8572) and ownership vouchers
 * (RFC 8366), the artifacts both sides share (docs/ZTP.md).
 *
 *   ownership voucher     CMS SignedData, eContentType id-ct-animaJSONVoucher, signed by the
 *                         vendor (ECDSA P-384, SHA-384) with a per-voucher signer certificate
 *                         issued by the vendor CA; the vendor's CRL rides in the CMS crls field
 *   owner certificate     CMS SignedData, degenerate (certs-only, RFC 8572 §3.2)
 *   conveyed information  CMS SignedData, eContentType id-ct-zerotouchInformationJSON, signed
 *                         by the owner certificate's key; content ietf-sztp-conveyed-info JSON
 *   ML-DSA-65 (ours)      a detachable FIPS 204 signature over the same eContent bytes, carried
 *                         in the bootstrap server's reply as "qtpm-sztp-pq:mldsa65" (vendor key
 *                         for the voucher, owner key — pinned in the owner certificate's
 *                         extension QTPM_ZTP_OID_MLDSA_PUB — for the conveyed information)
 *
 * qtpm_ztp_device_verify does a device's whole check (RFC 8572 §5.5 steps for signed data).
 */
#ifndef QTPM_ZTP_H
#define QTPM_ZTP_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* RFC 8366 §8.3 (with RFC 8572 erratum 6807) and RFC 8572 §10.3. */
#define QTPM_ZTP_OID_VOUCHER "1.2.840.113549.1.9.16.1.40"
#define QTPM_ZTP_OID_INFO_JSON "1.2.840.113549.1.9.16.1.42"
/* Ours (a UUID OID, ITU-T X.667): owner certificate extension holding the owner's raw
 * ML-DSA-65 public key as an OCTET STRING. */
#define QTPM_ZTP_OID_MLDSA_PUB "2.25.201869497338012936473561044937498150317"
/* FIPS 204 context strings of the detachable signatures. */
#define QTPM_ZTP_CTX_VOUCHER "qtpm-sztp ietf-voucher"
#define QTPM_ZTP_CTX_INFO "qtpm-sztp ietf-sztp-conveyed-info"

#define QTPM_ZTP_E_FORMAT (-200)  /* malformed artifact or JSON */
#define QTPM_ZTP_E_SIG (-201)     /* a CMS or ML-DSA signature did not verify */
#define QTPM_ZTP_E_DEVICE (-202)  /* voucher for another device */
#define QTPM_ZTP_E_EXPIRED (-203) /* voucher expired (or not yet valid) */
#define QTPM_ZTP_E_REVOKED (-204) /* a certificate on the voucher's path is revoked */
#define QTPM_ZTP_E_NOMEM (-205)

/* CMS SignedData over content with eContentType oid (dotted), SHA-384, signer's
 * certificate (and extra) included. *der is malloc'd. */
int qtpm_ztp_cms_sign(const char *oid, const uint8_t *content, size_t len, X509 *signer,
                      EVP_PKEY *key, STACK_OF(X509) *extra, uint8_t **der, size_t *der_len);
/* Degenerate certs-only SignedData holding cert (RFC 8572 §3.2). */
int qtpm_ztp_certs_only(X509 *cert, uint8_t **der, size_t *der_len);
/* Adds crl to a SignedData (its unsigned crls field) and re-encodes. */
int qtpm_ztp_cms_add_crl(const uint8_t *der, size_t len, X509_CRL *crl, uint8_t **out,
                         size_t *out_len);

/* An RFC 8366 §5.3 voucher (the members qtpm uses). */
typedef struct {
    char serial[128];      /* serial-number */
    char assertion[16];    /* verified | logged | proximity */
    time_t created_on;
    time_t expires_on;     /* 0: none */
    int revocation_checks; /* domain-cert-revocation-checks */
    X509 *pinned;          /* pinned-domain-cert */
} qtpm_ztp_voucher;

/* JSON text of v (malloc'd, NUL-terminated). */
char *qtpm_ztp_voucher_json(const qtpm_ztp_voucher *v);
int qtpm_ztp_voucher_parse(const uint8_t *json, size_t len, qtpm_ztp_voucher *v, char *err,
                           size_t errlen);
void qtpm_ztp_voucher_clear(qtpm_ztp_voucher *v);

/* The bootstrap server's get-bootstrapping-data reply (RFC 8572 §7, output of the RPC),
 * decoded. Every buffer is malloc'd. */
typedef struct {
    uint8_t *info, *owner_cert, *voucher, *info_mldsa, *voucher_mldsa;
    size_t info_len, owner_cert_len, voucher_len, info_mldsa_len, voucher_mldsa_len;
} qtpm_ztp_bootdata;
int qtpm_ztp_bootdata_parse(const char *json, size_t len, qtpm_ztp_bootdata *b, char *err,
                            size_t errlen);
/* The JSON reply for b (malloc'd). */
char *qtpm_ztp_bootdata_json(const qtpm_ztp_bootdata *b);
void qtpm_ztp_bootdata_clear(qtpm_ztp_bootdata *b);

#define QTPM_ZTP_MAX_FILES 16
typedef struct {
    char path[256]; /* relative to the router image (measure_root) */
    uint8_t *data;
    size_t len;
} qtpm_ztp_file;
/* RFC 8572 §6.1 onboarding-information; the configuration is our agent configuration
 * (docs/ZTP.md): NMS address, NMS trust anchor, configuration files. */
typedef struct {
    char os_name[64], os_version[64];
    uint8_t image_sha256[32];
    char nms_url[256];
    char *nms_ca_pem;
    qtpm_ztp_file files[QTPM_ZTP_MAX_FILES];
    size_t n_files;
} qtpm_ztp_onboarding;
char *qtpm_ztp_onboarding_json(const qtpm_ztp_onboarding *o);
int qtpm_ztp_onboarding_parse(const uint8_t *json, size_t len, qtpm_ztp_onboarding *o,
                              char *err, size_t errlen);
void qtpm_ztp_onboarding_clear(qtpm_ztp_onboarding *o);

/* A device's check of bootstrapping data (RFC 8572 §5.5 "signed data"): the voucher's CMS
 * against the vendor trust anchor with the vendor's CRL (required), its ML-DSA-65 signature
 * with the vendor's key, serial-number = serial, created-on <= now < expires-on; the owner
 * certificate against pinned-domain-cert; the conveyed information's CMS by the owner
 * certificate and its ML-DSA-65 signature by the owner's pinned key; then the onboarding
 * information. Returns 0 or a QTPM_ZTP_E_* with the reason in err. */
int qtpm_ztp_device_verify(const qtpm_ztp_bootdata *b, X509 *vendor_ca,
                           const uint8_t *vendor_mldsa_pub, size_t vendor_mldsa_pub_len,
                           const char *serial, time_t now, qtpm_ztp_onboarding *out, char *err,
                           size_t errlen);

/* The boot image digest: SHA-256 over the lines "<sha256 hex> <path>\n" of the image's
 * files sorted by path (bytewise), each path as measured ("/bin/x"). */
typedef struct {
    char path[512];
    uint8_t sha256[32];
} qtpm_ztp_image_entry;
int qtpm_ztp_image_digest(qtpm_ztp_image_entry *entries, size_t n, uint8_t out[32]);

/* Device serial number bound to the TPM (docs/ZTP.md): lowercase hex SHA-256 of the DER of
 * the TPM's EK certificate (the IDevID the vendor signed at manufacture). out: 65 bytes. */
int qtpm_ztp_serial_of_ekcert(const uint8_t *der, size_t len, char out[65]);

/* ---- the bootstrap server's RESTCONF input (RFC 8572 §7; request.c) ---- */

/* The device's identity from "Authorization: Basic base64(serial:password)" (RFC 7617;
 * RFC 8572 §7 lets a device authenticate by HTTP authentication). serial: [A-Za-z0-9._-],
 * 1..64 characters. */
int qtpm_ztp_basic_user(const char *authorization, char serial[65]);
/* get-bootstrapping-data input: empty, or {"ietf-sztp-bootstrap-server:input": {...}} with
 * only the RFC 8572 leaves (signed-data-preferred, hw-model, os-name, os-version, nonce). */
int qtpm_ztp_parse_get_input(const char *body, size_t len, char *err, size_t errlen);
/* report-progress input: progress-type (one of RFC 8572's identities) and message. */
int qtpm_ztp_parse_progress(const char *body, size_t len, char type[40], char msg[256],
                            char *err, size_t errlen);

#endif
