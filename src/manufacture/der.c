/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * der.c — the few DER encodings qtpm writes itself (ITU-T X.690): a header
 * (tag and definite length) and the SubjectPublicKeyInfo of an ML-KEM key,
 * which OpenSSL 3.0 cannot produce because it does not know ML-KEM. Everything
 * else in an EK certificate is encoded by OpenSSL's X.509 code.
 */
#include <stdlib.h>
#include <string.h>

#include "mfg_internal.h"
#include "qtpm/mlkem.h"

/* X.690 §8.1.3: lengths below 128 take one octet; longer ones an octet
 * 0x80 | n followed by n big-endian length octets. */
size_t mfg_der_header_len(size_t content_len)
{
    size_t n = 0;
    if (content_len < 0x80)
        return 2;
    for (size_t v = content_len; v; v >>= 8)
        n++;
    return 2 + n;
}

size_t mfg_der_put_header(uint8_t *out, uint8_t tag, size_t content_len)
{
    size_t hl = mfg_der_header_len(content_len);
    out[0] = tag;
    if (hl == 2) {
        out[1] = (uint8_t)content_len;
        return 2;
    }
    out[1] = (uint8_t)(0x80 | (hl - 2));
    for (size_t i = hl - 1, v = content_len; i >= 2; i--, v >>= 8)
        out[i] = (uint8_t)v;
    return hl;
}

/* id-alg-ml-kem-512/768/1024 = 2.16.840.1.101.3.4.4.{1,2,3} (NIST CSOR
 * "kems" arc). Encoded: 2*40+16 = 0x60; 840 = 0x86 0x48; 1; 101 = 0x65; 3; 4; 4;
 * then the last arc. */
static const uint8_t mlkem_oid_prefix[8] = { 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x04 };

int mfg_mlkem_oid(TPMI_MLKEM_PARMS set, uint8_t oid[MFG_MLKEM_OID_LEN])
{
    if (set < TPM_MLKEM_512 || set > TPM_MLKEM_1024)
        return QTPM_E_PARAM;
    memcpy(oid, mlkem_oid_prefix, sizeof mlkem_oid_prefix);
    oid[8] = (uint8_t)set; /* the arcs 1, 2, 3 are the TPM parameter-set values */
    return QTPM_OK;
}

int mfg_mlkem_spki(TPMI_MLKEM_PARMS set, const uint8_t *ek, size_t ek_len, uint8_t **der,
                   size_t *len)
{
    uint8_t oid[MFG_MLKEM_OID_LEN];
    const size_t oid_len = sizeof oid;
    if (mfg_mlkem_oid(set, oid) != QTPM_OK)
        return QTPM_E_PARAM;
    if (ek_len != qtpm_mlkem_ek_bytes((qtpm_mlkem_set)set))
        return QTPM_E_LENGTH;
    /* AlgorithmIdentifier: the parameters are absent (not NULL) for ML-KEM */
    size_t oid_tlv = mfg_der_header_len(oid_len) + oid_len;
    size_t alg_tlv = mfg_der_header_len(oid_tlv) + oid_tlv;
    size_t bits_content = 1 + ek_len; /* the unused-bits octet, then ek */
    size_t bits_tlv = mfg_der_header_len(bits_content) + bits_content;
    size_t spki_content = alg_tlv + bits_tlv;
    size_t total = mfg_der_header_len(spki_content) + spki_content;
    uint8_t *out = malloc(total), *p = out;
    if (!out)
        return QTPM_E_NOMEM;
    p += mfg_der_put_header(p, MFG_DER_SEQUENCE, spki_content);
    p += mfg_der_put_header(p, MFG_DER_SEQUENCE, oid_tlv);
    p += mfg_der_put_header(p, MFG_DER_OID, oid_len);
    memcpy(p, oid, oid_len);
    p += oid_len;
    p += mfg_der_put_header(p, MFG_DER_BIT_STRING, bits_content);
    *p++ = 0x00;
    memcpy(p, ek, ek_len);
    p += ek_len;
    *der = out;
    *len = (size_t)(p - out);
    return QTPM_OK;
}
