/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlskey.c — certification of a router's TPM-resident TLS key (docs/NMS.md "Implicit
 * attestation"): POST /api/v1/routers/<id>/tls-key.
 *
 * The router asked for a challenge first; the nonce (single use, 60 s) is the qualifying
 * data of TPM2_Certify (Part 3 §18.2) by its enrolled AK over the TLS key. The NMS checks
 * the certification (signature by the AK, magic, type TPM_ST_ATTEST_CERTIFY, extraData =
 * nonce, certified Name = Name of tls_pub), then the key itself: ECC NIST P-256, sign
 * (not decrypt, not restricted), fixedTPM, fixedParent, sensitiveDataOrigin, userWithAuth
 * CLEAR (so only its policy can authorize signing) and authPolicy equal to
 * PolicyAuthorize(Name of the NMS policy key, policyRef = router id) computed here. Then
 * the privacy CA issues the TLS client certificate (OU=router, CN=router id, clientAuth).
 *
 * The request may also carry the router's channel-binding key (docs/CHANNEL.md):
 * bind_pub, bind_certify_info, bind_signature — the same AK's TPM2_Certify of it over the
 * same nonce. It must be an ML-DSA-44/65 signing key (ECC P-256 on TPMs without ML-DSA)
 * with the attributes and the policy of the TLS key; its Name then goes into the TLS
 * certificate (extension QTPM_RAS_BIND_OID), which is how the NMS knows, on each
 * connection, which key must sign that connection's TLS exporter.
 */
#include "ras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"



/* The checks both TPM-resident keys of the channel pass: certified by the AK over the
 * nonce, a signing key that never leaves the TPM, usable only under the NMS's policy. */
static const char *check_tpm_key(const TPMT_PUBLIC *ak, const TPM2B_PUBLIC *key,
                                 const TPM2B_ATTEST *attest, const TPMT_SIGNATURE *sig,
                                 const TPM2B_DATA *qual, const TPM2B_PUBLIC *pol,
                                 const char *id, TPM2B_NAME *name)
{
    const TPMT_PUBLIC *k = &key->publicArea;
    if (qtpm_tss_public_name(k, name) != QTPM_OK ||
        qtpm_tss_certify_verify(ak, attest, sig, qual, name, NULL) != QTPM_OK)
        return "certify-invalid";
    const TPMA_OBJECT need = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                             TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_SIGN_ENCRYPT;
    const TPMA_OBJECT forbid = TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_DECRYPT |
                               TPMA_OBJECT_RESTRICTED;
    if ((k->objectAttributes & need) != need || (k->objectAttributes & forbid))
        return "key-invalid";
    TPM2B_NAME pol_name;
    TPM2B_NONCE ref = {.size = (UINT16)strlen(id)};
    TPM2B_DIGEST want;
    memcpy(ref.buffer, id, ref.size);
    if (qtpm_tss_public_name(&pol->publicArea, &pol_name) != QTPM_OK ||
        qtpm_tss_policy_start(k->nameAlg, &want) != QTPM_OK ||
        qtpm_tss_policy_authorize(k->nameAlg, &want, &pol_name, &ref) != QTPM_OK)
        return "key-invalid";
    if (k->authPolicy.size != want.size ||
        memcmp(k->authPolicy.buffer, want.buffer, want.size) != 0)
        return "key-policy";
    return NULL;
}

/* The optional channel-binding key of the request: 0 absent, 1 checked (*name set),
 * -1 refused (res set). */
static int bind_key(const json_t *req, const TPMT_PUBLIC *ak, const TPM2B_DATA *qual,
                    const TPM2B_PUBLIC *pol, const char *id, TPM2B_NAME *name,
                    qtpm_ras_result *res)
{
    if (!json_object_get(req, "bind_pub"))
        return 0;
    TPM2B_PUBLIC key;
    TPM2B_ATTEST attest;
    TPMT_SIGNATURE sig;
    uint8_t *kraw = NULL, *araw = NULL, *sraw = NULL;
    size_t klen = 0, alen = 0, slen = 0, off = 0, off2 = 0;
    int rc = -1;
    const char *s1 = json_string_value(json_object_get(req, "bind_certify_info"));
    const char *s2 = json_string_value(json_object_get(req, "bind_signature"));
    if (qtpm_ras_json_public(req, "bind_pub", &key, &kraw, &klen) || !s1 || !s2 ||
        qtpm_ras_b64_decode(s1, &araw, &alen) || qtpm_ras_b64_decode(s2, &sraw, &slen) ||
        qtpm_TPM2B_ATTEST_unmarshal(&attest, araw, alen, &off) != TPM_RC_SUCCESS ||
        off != alen ||
        qtpm_TPMT_SIGNATURE_unmarshal(&sig, sraw, slen, &off2, 0) != TPM_RC_SUCCESS ||
        off2 != slen) {
        qtpm_ras_fail(res, 400, "bad-request",
                      "bind_pub, bind_certify_info, bind_signature: TPM2B_PUBLIC, "
                      "TPM2B_ATTEST, TPMT_SIGNATURE in base64");
        goto out;
    }
    const TPMT_PUBLIC *k = &key.publicArea;
    int mldsa = k->type == TPM_ALG_MLDSA &&
                (k->parameters.mldsaDetail.parameterSet == TPM_MLDSA_44 ||
                 k->parameters.mldsaDetail.parameterSet == TPM_MLDSA_65);
    int ecc = k->type == TPM_ALG_ECC && k->parameters.eccDetail.curveID == TPM_ECC_NIST_P256;
    if (!mldsa && !ecc) {
        qtpm_ras_fail(res, 400, "bind-key-invalid",
                      "the channel-binding key must be ML-DSA-44/65 (or ECC P-256)");
        goto out;
    }
    const char *why = check_tpm_key(ak, &key, &attest, &sig, qual, pol, id, name);
    if (why) {
        qtpm_ras_fail(res, strcmp(why, "certify-invalid") == 0 ? 403 : 400,
                      strcmp(why, "certify-invalid") == 0 ? "bind-certify-invalid"
                                                          : "bind-key-invalid",
                      "the channel-binding key is not certified by the AK over the nonce, "
                      "or lacks fixedTPM, fixedParent, sensitiveDataOrigin, sign, a clear "
                      "userWithAuth or the NMS's PolicyAuthorize");
        goto out;
    }
    rc = 1;
out:
    free(kraw);
    free(araw);
    free(sraw);
    return rc;
}

/* Adds the binding key's Name to the certificate and signs it again. */
static int add_bind_name(X509 *cert, EVP_PKEY *ca_key, const TPM2B_NAME *name)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(QTPM_RAS_BIND_OID, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    int ok = obj && os && ASN1_OCTET_STRING_set(os, name->buffer, name->size) &&
             (ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os)) &&
             X509_add_ext(cert, ext, -1) && X509_sign(cert, ca_key, EVP_sha384());
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
    return ok ? 0 : -1;
}

static int b64_field(const json_t *req, const char *f, uint8_t **out, size_t *len)
{
    const char *s = json_string_value(json_object_get(req, f));
    return s ? qtpm_ras_b64_decode(s, out, len) : -1;
}

void qtpm_ras_tls_key(qtpm_store *st, X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *policy_key,
                      const char *id, const json_t *req, qtpm_ras_result *res)
{
    uint8_t nonce[32];
    const char *nonce_hex = json_string_value(json_object_get(req, "nonce"));
    uint8_t *tls_raw = NULL, *att_raw = NULL, *sig_raw = NULL, *der = NULL;
    size_t tls_len = 0, att_len = 0, sig_len = 0, off;
    TPM2B_PUBLIC tls, ak, pol;
    TPM2B_ATTEST attest;
    TPMT_SIGNATURE sig;
    X509 *cert = NULL;
    if (qtpm_ras_unhex(nonce_hex, nonce, 32) ||
        qtpm_ras_json_public(req, "tls_pub", &tls, &tls_raw, &tls_len) ||
        b64_field(req, "certify_info", &att_raw, &att_len) ||
        b64_field(req, "signature", &sig_raw, &sig_len)) {
        qtpm_ras_fail(res, 400, "bad-request", "need nonce (hex), tls_pub, certify_info, signature");
        goto out;
    }
    off = 0;
    if (qtpm_TPM2B_ATTEST_unmarshal(&attest, att_raw, att_len, &off) != TPM_RC_SUCCESS ||
        off != att_len) {
        qtpm_ras_fail(res, 400, "bad-request", "certify_info is not a TPM2B_ATTEST");
        goto out;
    }
    off = 0;
    if (qtpm_TPMT_SIGNATURE_unmarshal(&sig, sig_raw, sig_len, &off, 0) != TPM_RC_SUCCESS ||
        off != sig_len) {
        qtpm_ras_fail(res, 400, "bad-request", "signature is not a TPMT_SIGNATURE");
        goto out;
    }
    /* The nonce is used up by this request whatever its outcome. */
    int rc = qtpm_store_nonce_take(st, id, nonce_hex, (int64_t)time(NULL));
    if (rc == QTPM_STORE_NOTFOUND) {
        qtpm_ras_fail(res, 403, "nonce-invalid", "unknown, used or expired nonce");
        goto out;
    }
    uint8_t ak_raw[4096];
    size_t ak_len = 0;
    if (rc || (rc = qtpm_store_ak_active(st, id, ak_raw, sizeof ak_raw, &ak_len))) {
        qtpm_ras_fail(res, rc == QTPM_STORE_NOTFOUND ? 404 : 500, rc == QTPM_STORE_NOTFOUND ?
             "not-enrolled" : "store", rc == QTPM_STORE_NOTFOUND ?
             "the router has no AK" : qtpm_store_errmsg(st));
        goto out;
    }
    off = 0;
    if (qtpm_TPM2B_PUBLIC_unmarshal(&ak, ak_raw, ak_len, &off, 0) != TPM_RC_SUCCESS) {
        qtpm_ras_fail(res, 500, "store", "stored AK does not parse");
        goto out;
    }
    TPM2B_NAME tls_name;
    TPM2B_DATA qual = {.size = 32};
    memcpy(qual.buffer, nonce, 32);
    if (qtpm_tss_public_name(&tls.publicArea, &tls_name) != QTPM_OK ||
        qtpm_tss_certify_verify(&ak.publicArea, &attest, &sig, &qual, &tls_name, NULL) !=
            QTPM_OK) {
        qtpm_ras_fail(res, 403, "certify-invalid",
             "the AK's certification of tls_pub does not verify over the nonce");
        goto out;
    }
    const TPMT_PUBLIC *k = &tls.publicArea;
    const TPMA_OBJECT need = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                             TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_SIGN_ENCRYPT;
    const TPMA_OBJECT forbid = TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_DECRYPT |
                               TPMA_OBJECT_RESTRICTED;
    if (k->type != TPM_ALG_ECC || k->parameters.eccDetail.curveID != TPM_ECC_NIST_P256 ||
        (k->objectAttributes & need) != need || (k->objectAttributes & forbid)) {
        qtpm_ras_fail(res, 400, "tls-key-invalid",
             "the TLS key must be an ECC P-256 signing key with fixedTPM, fixedParent, "
             "sensitiveDataOrigin and userWithAuth clear");
        goto out;
    }
    TPM2B_NAME pol_name;
    TPM2B_NONCE ref = {.size = (UINT16)strlen(id)};
    TPM2B_DIGEST want;
    memcpy(ref.buffer, id, ref.size);
    if (qtpm_ras_policy_public(policy_key, &pol) ||
        qtpm_tss_public_name(&pol.publicArea, &pol_name) != QTPM_OK ||
        qtpm_tss_policy_start(k->nameAlg, &want) != QTPM_OK ||
        qtpm_tss_policy_authorize(k->nameAlg, &want, &pol_name, &ref) != QTPM_OK) {
        qtpm_ras_fail(res, 400, "tls-key-invalid", "unsupported nameAlg");
        goto out;
    }
    if (k->authPolicy.size != want.size ||
        memcmp(k->authPolicy.buffer, want.buffer, want.size) != 0) {
        qtpm_ras_fail(res, 400, "tls-key-policy",
             "authPolicy is not PolicyAuthorize(NMS policy key, router id)");
        goto out;
    }
    TPM2B_NAME bind_name;
    int bind = bind_key(req, &ak.publicArea, &qual, &pol, id, &bind_name, res);
    if (bind < 0)
        goto out;
    char serial[33];
    if (!(cert = qtpm_ras_issue(ca, ca_key, id, "router", k, serial)) ||
        (bind && add_bind_name(cert, ca_key, &bind_name))) {
        qtpm_ras_fail(res, 500, "internal", "cannot issue the TLS certificate");
        goto out;
    }
    int dlen = i2d_X509(cert, &der);
    if (dlen <= 0 || qtpm_store_certificate_add(st, id, "tls", serial, der, (size_t)dlen)) {
        qtpm_ras_fail(res, 500, "store", "cannot record the TLS certificate");
        goto out;
    }
    uint8_t pb[sizeof pol + 2];
    size_t po = 0;
    unsigned char *cad = NULL;
    int calen = i2d_X509(ca, &cad);
    char *b1 = qtpm_ras_b64_encode(der, (size_t)dlen);
    char *b2 = calen > 0 ? qtpm_ras_b64_encode(cad, (size_t)calen) : NULL;
    char *b3 = qtpm_TPM2B_PUBLIC_marshal(&pol, pb, sizeof pb, &po) == TPM_RC_SUCCESS
                   ? qtpm_ras_b64_encode(pb, po)
                   : NULL;
    OPENSSL_free(cad);
    res->status = 201;
    res->body = b1 && b2 && b3 ? json_pack("{s:s,s:s,s:s}", "tls_cert", b1, "ca_cert", b2,
                                           "policy_key", b3)
                               : NULL;
    free(b1);
    free(b2);
    free(b3);
    if (!res->body)
        qtpm_ras_fail(res, 500, "internal", "out of memory");
out:
    free(tls_raw);
    free(att_raw);
    free(sig_raw);
    OPENSSL_free(der);
    X509_free(cert);
}
