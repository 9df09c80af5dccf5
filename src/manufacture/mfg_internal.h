/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mfg_internal.h — what the files of src/manufacture share and nobody else
 * sees: the vendor CA's in-memory form (OpenSSL objects) and qtpm's small DER
 * writer, which encodes the SubjectPublicKeyInfo of ML-KEM keys that OpenSSL
 * 3.0 has no encoder for.
 */
#ifndef QTPM_MFG_INTERNAL_H
#define QTPM_MFG_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "qtpm/manufacture.h"

struct qtpm_vendor_ca {
    EVP_PKEY *key; /* ECDSA P-384 private key */
    X509 *cert;    /* self-signed CA certificate */
    uint8_t *der;  /* cert, DER */
    size_t der_len;
};

/* ---- DER (ITU-T X.690 §8, §10): definite lengths, low tag numbers only */

/* Bytes of the identifier and length octets for content_len bytes of content. */
size_t mfg_der_header_len(size_t content_len);
/* Writes tag and the length octets of content_len to out (which has
 * mfg_der_header_len(content_len) bytes); returns that count. */
size_t mfg_der_put_header(uint8_t *out, uint8_t tag, size_t content_len);

#define MFG_DER_SEQUENCE 0x30
#define MFG_DER_OID 0x06
#define MFG_DER_BIT_STRING 0x03

/* SubjectPublicKeyInfo of an ML-KEM encapsulation key (draft-ietf-lamps-
 * kyber-certificates §4): SEQUENCE { SEQUENCE { OID id-alg-ml-kem-N },
 * BIT STRING (0 unused bits) ek }. set is TPM_MLKEM_512/768/1024; ek_len
 * must be the set's encapsulation-key size. *der is malloc'd. */
int mfg_mlkem_spki(TPMI_MLKEM_PARMS set, const uint8_t *ek, size_t ek_len, uint8_t **der,
                   size_t *len);
/* The DER content octets (no tag/length) of id-alg-ml-kem-N; QTPM_E_PARAM
 * for an unknown set. */
#define MFG_MLKEM_OID_LEN 9
int mfg_mlkem_oid(TPMI_MLKEM_PARMS set, uint8_t oid[MFG_MLKEM_OID_LEN]);

/* A random positive 127-bit serial number (RFC 5280 §4.1.2.2). */
int mfg_random_serial(X509 *x);
/* One extension from OpenSSL's configuration syntax ("critical,CA:FALSE"),
 * with ctx giving issuer and subject for key identifiers. */
int mfg_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value);

/* An EVP_PKEY for an RSA or ECC TPM public key; NULL otherwise. */
EVP_PKEY *mfg_tpm_pkey(const TPMT_PUBLIC *pub);

#endif
