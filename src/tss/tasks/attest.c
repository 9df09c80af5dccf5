/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attest.c — task layer: PCR reading, Quote and Certify, and their
 * verification in software (TPM 2.0 Part 3 §18.4, §18.2; the TPMS_ATTEST
 * layout of Part 2 §10.12.12). A verifier trusts a quote only after checking
 * that the TPM made it (magic TPM_GENERATED_VALUE under a restricted key's
 * signature), that it answers this challenge (extraData = nonce), and that
 * the PCR values it is given hash to the quoted pcrDigest.
 *
 * ML-DSA and HashML-DSA signers (TPM 2.0 v1.85) are verified with our own
 * FIPS 204 code (qtpm/mldsa.h): a pure ML-DSA key signs the TPMS_ATTEST
 * bytes themselves, a HashML-DSA key their hash, both with an empty context.
 */
#include <string.h>

#include "ct.h"
#include "qtpm/marshal.h"
#include "qtpm/mldsa.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "../tss_internal.h"

int qtpm_tss_pcr_read_all(qtpm_tss *t, const TPML_PCR_SELECTION *sel, TPM2B_DIGEST *values,
                          size_t cap, size_t *n)
{
    TPML_PCR_SELECTION pending = *sel;
    size_t count = 0;
    for (;;) {
        int left = 0;
        for (UINT32 b = 0; b < pending.count; b++)
            for (UINT8 i = 0; i < pending.pcrSelections[b].sizeofSelect; i++)
                left |= pending.pcrSelections[b].pcrSelect[i];
        if (!left)
            break;
        UINT32 counter;
        TPML_PCR_SELECTION got;
        TPML_DIGEST vals;
        int rc = qtpm_tss_PCR_Read(t, NULL, &pending, &counter, &got, &vals);
        if (rc != QTPM_OK)
            return rc;
        if (vals.count == 0)
            return QTPM_E_INVALID; /* a selected PCR the TPM does not have */
        /* values come bank by bank, PCR numbers ascending (Part 3 §22.4) */
        size_t v = 0;
        for (UINT32 b = 0; b < got.count; b++) {
            const TPMS_PCR_SELECTION *g = &got.pcrSelections[b];
            for (unsigned pcr = 0; pcr < 8u * g->sizeofSelect; pcr++) {
                if (!(g->pcrSelect[pcr / 8] & (1u << (pcr % 8))))
                    continue;
                if (v >= vals.count || count >= cap)
                    return v >= vals.count ? QTPM_TSS_E_PROTOCOL : QTPM_E_BUFFER;
                values[count++] = vals.digests[v++];
                for (UINT32 pb = 0; pb < pending.count; pb++)
                    if (pending.pcrSelections[pb].hash == g->hash &&
                        pcr / 8 < pending.pcrSelections[pb].sizeofSelect)
                        pending.pcrSelections[pb].pcrSelect[pcr / 8] &= (BYTE)~(1u << (pcr % 8));
            }
        }
    }
    *n = count;
    return QTPM_OK;
}

int qtpm_tss_pcr_composite(TPMI_ALG_HASH alg, const TPM2B_DIGEST *values, size_t n,
                           TPM2B_DIGEST *out)
{
    qtpm_hash_alg h = tss_hash(alg);
    qtpm_hash_ctx c;
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    int rc = qtpm_hash_init(&c, h);
    for (size_t i = 0; rc == QTPM_OK && i < n; i++)
        rc = qtpm_hash_update(&c, values[i].buffer, values[i].size);
    if (rc != QTPM_OK) {
        qtpm_hash_free(&c);
        return rc;
    }
    out->size = (UINT16)qtpm_hash_size(h);
    return qtpm_hash_final(&c, out->buffer);
}

int qtpm_tss_key_scheme(const TPMT_PUBLIC *key, TPMT_SIG_SCHEME *scheme)
{
    memset(scheme, 0, sizeof *scheme);
    if (key->type == TPM_ALG_RSA) {
        scheme->scheme = key->parameters.rsaDetail.scheme.scheme;
        scheme->details.any.hashAlg = key->parameters.rsaDetail.scheme.details.anySig.hashAlg;
    } else if (key->type == TPM_ALG_ECC) {
        scheme->scheme = key->parameters.eccDetail.scheme.scheme;
        scheme->details.any.hashAlg = key->parameters.eccDetail.scheme.details.anySig.hashAlg;
    } else if (key->type == TPM_ALG_MLDSA) {
        scheme->scheme = TPM_ALG_MLDSA; /* no details (qtpm's TPMU_SIG_SCHEME choice, PQC.md) */
    } else if (key->type == TPM_ALG_HASH_MLDSA) {
        scheme->scheme = TPM_ALG_HASH_MLDSA;
        scheme->details.hash_mldsa.hashAlg = key->parameters.hashMldsaDetail.hashAlg;
    } else {
        return QTPM_E_PARAM;
    }
    return scheme->scheme == TPM_ALG_NULL ? QTPM_E_PARAM : QTPM_OK;
}

/* The HashML-DSA pre-hash of a TPM hash algorithm (FIPS 204 §5.4); 0 if
 * the algorithm is not one FIPS 204 names. */
static qtpm_mldsa_prehash tss_prehash(TPMI_ALG_HASH alg)
{
    switch (alg) {
    case TPM_ALG_SHA256: return QTPM_PH_SHA256;
    case TPM_ALG_SHA384: return QTPM_PH_SHA384;
    case TPM_ALG_SHA512: return QTPM_PH_SHA512;
    default: return (qtpm_mldsa_prehash)0;
    }
}

/* Left-pads a TPM2B_ECC_PARAMETER to the curve size. */
static int pad_to(const TPM2B_ECC_PARAMETER *p, size_t size, uint8_t *out)
{
    if (p->size > size)
        return QTPM_E_INVALID;
    memset(out, 0, size - p->size);
    memcpy(out + size - p->size, p->buffer, p->size);
    return QTPM_OK;
}

int qtpm_tss_verify_signature(const TPMT_PUBLIC *key, const uint8_t *msg, size_t len,
                              const TPMT_SIGNATURE *sig)
{
    uint8_t digest[QTPM_HASH_MAX_SIZE];
    int rc;
    if (key->type == TPM_ALG_RSA &&
        (sig->sigAlg == TPM_ALG_RSASSA || sig->sigAlg == TPM_ALG_RSAPSS)) {
        qtpm_hash_alg h = tss_hash(sig->signature.rsassa.hash);
        qtpm_rsa_key *rsa;
        if (h == QTPM_HASH_NONE)
            return QTPM_E_VERIFY;
        if ((rc = qtpm_hash(h, msg, len, digest)) != QTPM_OK)
            return rc;
        rc = qtpm_rsa_import_public(key->unique.rsa.buffer, key->unique.rsa.size,
                                    key->parameters.rsaDetail.exponent, &rsa);
        if (rc != QTPM_OK)
            return rc;
        rc = sig->sigAlg == TPM_ALG_RSASSA
                 ? qtpm_rsa_pkcs1_verify(rsa, h, digest, qtpm_hash_size(h),
                                         sig->signature.rsassa.sig.buffer,
                                         sig->signature.rsassa.sig.size)
                 : qtpm_rsa_pss_verify(rsa, h, digest, qtpm_hash_size(h),
                                       sig->signature.rsapss.sig.buffer,
                                       sig->signature.rsapss.sig.size);
        qtpm_rsa_free(rsa);
        return rc == QTPM_OK ? QTPM_OK : QTPM_E_VERIFY;
    }
    if (key->type == TPM_ALG_ECC && sig->sigAlg == TPM_ALG_ECDSA) {
        qtpm_hash_alg h = tss_hash(sig->signature.ecdsa.hash);
        qtpm_ecc_curve curve;
        switch (key->parameters.eccDetail.curveID) {
        case TPM_ECC_NIST_P256: curve = QTPM_ECC_P256; break;
        case TPM_ECC_NIST_P384: curve = QTPM_ECC_P384; break;
        case TPM_ECC_NIST_P521: curve = QTPM_ECC_P521; break;
        default: return QTPM_E_PARAM;
        }
        size_t cs = qtpm_ecc_size(curve);
        uint8_t x[QTPM_ECC_MAX_SIZE], y[QTPM_ECC_MAX_SIZE], r[QTPM_ECC_MAX_SIZE],
            s[QTPM_ECC_MAX_SIZE];
        if (h == QTPM_HASH_NONE || pad_to(&key->unique.ecc.x, cs, x) ||
            pad_to(&key->unique.ecc.y, cs, y) || pad_to(&sig->signature.ecdsa.signatureR, cs, r) ||
            pad_to(&sig->signature.ecdsa.signatureS, cs, s))
            return QTPM_E_VERIFY;
        if ((rc = qtpm_hash(h, msg, len, digest)) != QTPM_OK)
            return rc;
        rc = qtpm_ecdsa_verify(curve, x, y, digest, qtpm_hash_size(h), r, s);
        return rc == QTPM_OK ? QTPM_OK : QTPM_E_VERIFY;
    }
    if (key->type == TPM_ALG_MLDSA && sig->sigAlg == TPM_ALG_MLDSA) {
        /* FIPS 204 Algorithm 3 over the message itself with an empty
         * context: what a v1.85 TPM signs for Quote, Certify and the other
         * attestations with a pure ML-DSA key (the qtpm engine: PQC.md) */
        rc = qtpm_mldsa_verify((qtpm_mldsa_set)key->parameters.mldsaDetail.parameterSet,
                               key->unique.mldsa.buffer, key->unique.mldsa.size, msg, len, NULL, 0,
                               sig->signature.mldsa.buffer, sig->signature.mldsa.size);
        return rc == QTPM_OK ? QTPM_OK : QTPM_E_VERIFY;
    }
    if (key->type == TPM_ALG_HASH_MLDSA && sig->sigAlg == TPM_ALG_HASH_MLDSA) {
        /* FIPS 204 Algorithm 5 (HashML-DSA), pre-hash = the key's hashAlg,
         * empty context; the signature must name the same hash */
        qtpm_mldsa_prehash ph = tss_prehash(sig->signature.hash_mldsa.hash);
        if (sig->signature.hash_mldsa.hash != key->parameters.hashMldsaDetail.hashAlg || ph == 0)
            return QTPM_E_VERIFY;
        rc = qtpm_hashmldsa_verify((qtpm_mldsa_set)key->parameters.hashMldsaDetail.parameterSet,
                                   key->unique.mldsa.buffer, key->unique.mldsa.size, ph, msg, len,
                                   NULL, 0, sig->signature.hash_mldsa.signature.buffer,
                                   sig->signature.hash_mldsa.signature.size);
        return rc == QTPM_OK ? QTPM_OK : QTPM_E_VERIFY;
    }
    return QTPM_E_VERIFY;
}

TPMI_ALG_HASH qtpm_tss_signature_hash(const TPMT_PUBLIC *key, const TPMT_SIGNATURE *sig)
{
    switch (sig->sigAlg) {
    case TPM_ALG_MLDSA:
        /* the signature carries no hash: v1.85 uses the key's nameAlg */
        return key->nameAlg;
    case TPM_ALG_HASH_MLDSA:
        return sig->signature.hash_mldsa.hash;
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECDAA:
    case TPM_ALG_SM2:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_HMAC:
        return sig->signature.any.hashAlg;
    default:
        return TPM_ALG_NULL;
    }
}

int qtpm_tss_quote(qtpm_tss *t, const qtpm_tss_key *ak, const TPM2B_AUTH *ak_auth,
                   const TPM2B_DATA *nonce, const TPML_PCR_SELECTION *pcrs,
                   TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig)
{
    TPMT_SIG_SCHEME scheme;
    qtpm_tss_auths a = { 1, { { NULL, ak_auth } } };
    int rc = qtpm_tss_key_scheme(&ak->pub.publicArea, &scheme);
    if (rc != QTPM_OK)
        return rc;
    return qtpm_tss_Quote(t, &a, ak->handle, nonce, &scheme, pcrs, attest, sig);
}

/* Signature, full parse, magic and type: what every attestation check shares. */
static int attest_common(const TPMT_PUBLIC *signer, const TPM2B_ATTEST *attest,
                         const TPMT_SIGNATURE *sig, const TPM2B_DATA *nonce, TPM_ST type,
                         TPMS_ATTEST *out)
{
    size_t o = 0;
    if (qtpm_tss_verify_signature(signer, attest->buffer, attest->size, sig) != QTPM_OK)
        return QTPM_E_VERIFY;
    if (qtpm_TPMS_ATTEST_unmarshal(out, attest->buffer, attest->size, &o) != TPM_RC_SUCCESS ||
        o != attest->size)
        return QTPM_E_VERIFY;
    if (out->magic != TPM_GENERATED_VALUE || out->type != type)
        return QTPM_E_VERIFY;
    size_t nlen = nonce ? nonce->size : 0;
    if (out->extraData.size != nlen ||
        (nlen && !public_equal(out->extraData.buffer, nonce->buffer, nlen)))
        return QTPM_E_VERIFY;
    return QTPM_OK;
}

int qtpm_tss_quote_verify(const TPMT_PUBLIC *ak, const TPM2B_ATTEST *attest,
                          const TPMT_SIGNATURE *sig, const TPM2B_DATA *nonce,
                          const TPML_PCR_SELECTION *pcrs, const TPM2B_DIGEST *values,
                          size_t n_values, TPMS_ATTEST *out)
{
    TPMS_ATTEST local;
    uint8_t want[sizeof(TPML_PCR_SELECTION)], got[sizeof(TPML_PCR_SELECTION)];
    size_t wo = 0, go = 0;
    if (!out)
        out = &local;
    int rc = attest_common(ak, attest, sig, nonce, TPM_ST_ATTEST_QUOTE, out);
    if (rc != QTPM_OK)
        return rc;
    const TPMS_QUOTE_INFO *q = &out->attested.quote;
    if (pcrs) {
        if (qtpm_TPML_PCR_SELECTION_marshal(pcrs, want, sizeof want, &wo) ||
            qtpm_TPML_PCR_SELECTION_marshal(&q->pcrSelect, got, sizeof got, &go) || wo != go ||
            !public_equal(want, got, wo))
            return QTPM_E_VERIFY;
    }
    if (values) {
        /* Part 3 §18.4: pcrDigest uses the hash of the signing scheme */
        TPM2B_DIGEST d;
        TPMI_ALG_HASH alg = qtpm_tss_signature_hash(ak, sig);
        if (qtpm_tss_pcr_composite(alg, values, n_values, &d) != QTPM_OK ||
            d.size != q->pcrDigest.size || !public_equal(d.buffer, q->pcrDigest.buffer, d.size))
            return QTPM_E_VERIFY;
    }
    return QTPM_OK;
}

int qtpm_tss_certify(qtpm_tss *t, TPM_HANDLE object, const TPM2B_AUTH *object_auth,
                     const qtpm_tss_key *signer, const TPM2B_AUTH *signer_auth,
                     const TPM2B_DATA *nonce, TPM2B_ATTEST *attest, TPMT_SIGNATURE *sig)
{
    TPMT_SIG_SCHEME scheme;
    qtpm_tss_auths a = { 2, { { NULL, object_auth }, { NULL, signer_auth } } };
    int rc = qtpm_tss_key_scheme(&signer->pub.publicArea, &scheme);
    if (rc != QTPM_OK)
        return rc;
    return qtpm_tss_Certify(t, &a, object, signer->handle, nonce, &scheme, attest, sig);
}

int qtpm_tss_certify_verify(const TPMT_PUBLIC *signer, const TPM2B_ATTEST *attest,
                            const TPMT_SIGNATURE *sig, const TPM2B_DATA *nonce,
                            const TPM2B_NAME *object_name, TPMS_ATTEST *out)
{
    TPMS_ATTEST local;
    if (!out)
        out = &local;
    int rc = attest_common(signer, attest, sig, nonce, TPM_ST_ATTEST_CERTIFY, out);
    if (rc != QTPM_OK)
        return rc;
    const TPM2B_NAME *n = &out->attested.certify.name;
    if (n->size != object_name->size || !public_equal(n->buffer, object_name->buffer, n->size))
        return QTPM_E_VERIFY;
    return QTPM_OK;
}
