/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/manufacture.h — TPM manufacturing: endorsement keys made from the TCG
 * EK Credential Profile templates, X.509 EK certificates for them signed by a
 * local vendor CA, written into the standard NV indices; and the check an
 * enrolment server runs on such a certificate (the seeds' "EK credential"
 * registration, DESIGN.md "The seeds' flows").
 *
 * Three parts, usable separately:
 *  - the vendor CA: an ECDSA P-384 key and a self-signed CA certificate kept
 *    in a state directory (ca-key.pem, mode 0600; ca-cert.pem), created on
 *    first use, written crash-safely (temporary file, fsync, rename);
 *  - certificates: the SubjectPublicKeyInfo of an EK (RSA, ECC, and ML-KEM,
 *    which OpenSSL 3.0 cannot encode, so qtpm writes its DER itself), the EK
 *    certificate itself (EK Credential Profile §3), and its verification;
 *  - provisioning: CreatePrimary of the EK on a TPM through libqtss, and
 *    NV_DefineSpace / NV_Write of the certificate, idempotently.
 *
 * Errors are qtpm_err values (QTPM_E_VERIFY for a certificate that does not
 * check out), TSS errors or TPM response codes (see qtpm/tss.h).
 */
#ifndef QTPM_MANUFACTURE_H
#define QTPM_MANUFACTURE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "qtpm/common.h"
#include "qtpm/tpm2_types.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"

/* ------------------------------------------------------------ EK kinds */

typedef enum {
    QTPM_EK_RSA2048 = 1,  /* EK Credential Profile template L-1, cert at 0x01C00002 */
    QTPM_EK_ECCP256 = 2,  /* template L-2, cert at 0x01C0000A */
    QTPM_EK_MLKEM768 = 3, /* qtpm's template and index, docs/PQC.md "Manufacture" */
} qtpm_ek_alg;

/* QTPM_EK_CERT_NV_MLKEM768 (the ML-KEM-768 EK certificate's NV index) comes
 * from qtpm/tss_tasks.h, so readers and the manufacturer agree. */

/* "rsa2048", "ecc256" (or the old "eccp256"), "mlkem768" → kind; 0 if unknown. */
qtpm_ek_alg qtpm_ek_alg_from_name(const char *name);
const char *qtpm_ek_alg_name(qtpm_ek_alg alg);
/* The NV index of the EK certificate; 0 for an unknown kind. */
TPM_HANDLE qtpm_ek_cert_nv_index(qtpm_ek_alg alg);
/* The EK template: for RSA/ECC the profile's low-range templates (libqtss's
 * qtpm_tss_template_ek); for ML-KEM-768 the same attributes and policy with
 * TPMS_MLKEM_PARMS { AES-128-CFB, TPM_MLKEM_768 } and an empty unique. */
int qtpm_ek_template(qtpm_ek_alg alg, TPMT_PUBLIC *out);

/* ------------------------------------------------------------ vendor CA */

typedef struct qtpm_vendor_ca qtpm_vendor_ca;

/* Loads the CA from dir, or creates it there (dir is created 0700 if
 * missing). A key without a certificate gets a new self-signed certificate;
 * a certificate without its key, or one that does not match it, is an error
 * (QTPM_E_INVALID). */
int qtpm_vendor_ca_open(const char *dir, qtpm_vendor_ca **out);
void qtpm_vendor_ca_free(qtpm_vendor_ca *ca);
/* The CA certificate, DER; the pointer stays valid while ca lives. */
const uint8_t *qtpm_vendor_ca_cert_der(const qtpm_vendor_ca *ca, size_t *len);
/* Writes the CA certificate as PEM to path (crash-safely, mode 0644). */
int qtpm_vendor_ca_export(const qtpm_vendor_ca *ca, const char *path);

/* Writes data to path atomically: path.tmp.XXXXXX in the same directory,
 * fsync, rename over path, fsync of the directory. */
int qtpm_write_file_atomic(const char *path, const uint8_t *data, size_t len, unsigned mode);

/* ------------------------------------------------------------ certificates */

/* The TPM identity put into the certificate's subjectAltName
 * (EK Credential Profile §3.2.9: tcg-at-tpmManufacturer 2.23.133.2.1,
 * tcg-at-tpmModel 2.23.133.2.2, tcg-at-tpmVersion 2.23.133.2.3). */
typedef struct {
    char manufacturer[16]; /* "id:" + 8 hex digits of TPM_PT_MANUFACTURER */
    char model[20];        /* TPM_PT_VENDOR_STRING_1..4, trimmed */
    char version[16];      /* "id:" + 8 hex digits of TPM_PT_FIRMWARE_VERSION_1 */
} qtpm_tpm_identity;

/* SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) of a TPM public key: RSA
 * (rsaEncryption, n, e) and ECC (id-ecPublicKey, named curve, uncompressed
 * point) through OpenSSL; ML-KEM (id-alg-ml-kem-512/768/1024,
 * 2.16.840.1.101.3.4.4.1/2/3, no parameters, BIT STRING of the raw ek) by
 * qtpm's own DER writer. *der is malloc'd; free() it. */
int qtpm_ek_spki_der(const TPMT_PUBLIC *ek, uint8_t **der, size_t *len);

/* An EK certificate for ek, signed by ca with ECDSA-SHA384: X.509 v3, random
 * 127-bit serial, empty subject, validity now .. 9999-12-31, extensions
 * subjectAltName (critical, directoryName of id), basicConstraints CA:FALSE
 * (critical), keyUsage (critical; keyEncipherment, or keyAgreement for ECC),
 * extendedKeyUsage tcg-kp-EKCertificate 2.23.133.8.1, authorityKeyIdentifier.
 * *der is malloc'd; free() it. */
int qtpm_ek_cert_build(const qtpm_vendor_ca *ca, const TPMT_PUBLIC *ek,
                       const qtpm_tpm_identity *id, uint8_t **der, size_t *len);

/*
 * Checks an EK certificate against the CA certificate (DER) and the EK the
 * TPM reported: the CA certificate is a CA (basicConstraints CA:TRUE) and
 * names the certificate's issuer; the certificate's signature verifies with
 * the CA key; both are valid now; the certificate is not a CA; and its public
 * key equals ek (RSA n and e; ECC curve, x and y; ML-KEM parameter set and ek
 * bytes). Returns QTPM_OK, QTPM_E_VERIFY (any check fails) or QTPM_E_INVALID
 * (a certificate does not parse).
 */
int qtpm_ek_cert_verify(const uint8_t *cert, size_t cert_len, const uint8_t *ca_cert,
                        size_t ca_len, const TPMT_PUBLIC *ek);
/* The same at a given time (for tests and for checking old enrolments). */
int qtpm_ek_cert_verify_at(const uint8_t *cert, size_t cert_len, const uint8_t *ca_cert,
                           size_t ca_len, const TPMT_PUBLIC *ek, time_t now);

/* ------------------------------------------------------------ provisioning */

typedef enum {
    QTPM_MFG_HIER_AUTO = 0, /* platform, else owner if the platform refuses */
    QTPM_MFG_HIER_PLATFORM,
    QTPM_MFG_HIER_OWNER,
} qtpm_mfg_hierarchy;

typedef struct {
    qtpm_mfg_hierarchy hierarchy;
    const TPM2B_AUTH *platform_auth;    /* NULL = empty */
    const TPM2B_AUTH *owner_auth;       /* NULL = empty */
    const TPM2B_AUTH *endorsement_auth; /* NULL = empty */
    int force;                          /* replace even a valid certificate */
    int lock;                           /* TPMA_NV_WRITEDEFINE + NV_WriteLock */
} qtpm_mfg_options;

typedef enum {
    QTPM_MFG_WRITTEN = 1, /* the index did not exist */
    QTPM_MFG_REPLACED,    /* an index with another / an invalid certificate was replaced */
    QTPM_MFG_KEPT,        /* a valid certificate for this EK from this CA was there */
} qtpm_mfg_action;

typedef struct {
    qtpm_mfg_action action;
    TPM_HANDLE nv_index;
    TPMI_RH_PROVISION hierarchy; /* TPM_RH_PLATFORM or TPM_RH_OWNER (define/write) */
    TPMT_PUBLIC ek;              /* the EK's public area */
    size_t cert_len;
} qtpm_mfg_result;

/* The TPM's identity from GetCapability (TPM_PT_MANUFACTURER, VENDOR_STRING,
 * FIRMWARE_VERSION_1). */
int qtpm_tpm_identity_read(qtpm_tss *t, qtpm_tpm_identity *id);

/*
 * Manufactures one EK: CreatePrimary with the template in the endorsement
 * hierarchy (flushed afterwards: the EK is re-created from the same seed
 * whenever needed), then, unless the NV index already holds a certificate
 * that qtpm_ek_cert_verify accepts for this EK and CA (and !opts->force),
 * (re)defines the index with the EK Credential Profile's attributes and
 * writes a new certificate, and reads it back to check it.
 *
 * Attributes: under the platform hierarchy PPWRITE | PPREAD | OWNERREAD |
 * AUTHREAD | NO_DA | PLATFORMCREATE (EK Credential Profile §2.2.1.5); under
 * the owner hierarchy (a platform hierarchy that is disabled or refuses)
 * OWNERWRITE replaces PPWRITE and PLATFORMCREATE is clear. opts may be NULL.
 */
int qtpm_manufacture_ek(qtpm_tss *t, const qtpm_vendor_ca *ca, qtpm_ek_alg alg,
                        const qtpm_mfg_options *opts, qtpm_mfg_result *res);

#endif
