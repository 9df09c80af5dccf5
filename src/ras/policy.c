/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c — the NMS policy key as the TPM sees it, and approvals signed with it.
 *
 * A router's TLS key has authPolicy = PolicyAuthorize(Name of the policy key, policyRef =
 * router id) (docs/NMS.md "Why PolicyAuthorize"). To use the key the agent loads the
 * policy key's public area (LoadExternal), has the TPM check an approval with
 * VerifySignature (→ a TPMT_TK_VERIFIED ticket) and runs PolicyAuthorize. Part 3 §23.16:
 * the signature must be over aHash = H_nameAlg(approvedPolicy ‖ policyRef) with the policy
 * key's scheme — here ECDSA P-256 with SHA-256, which every TPM implements.
 */
#include "ras.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/sha.h>

#include "qtpm/tpm2_types.h"

static int bn_field(const EVP_PKEY *k, const char *name, TPM2B_ECC_PARAMETER *out)
{
    BIGNUM *bn = NULL;
    if (!EVP_PKEY_get_bn_param(k, name, &bn))
        return -1;
    int ok = BN_bn2binpad(bn, out->buffer, 32) == 32;
    out->size = 32;
    BN_free(bn);
    return ok ? 0 : -1;
}

int qtpm_ras_policy_public(const EVP_PKEY *key, TPM2B_PUBLIC *out)
{
    memset(out, 0, sizeof *out);
    char curve[32];
    if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof curve,
                                        NULL) ||
        strcmp(curve, "prime256v1") != 0)
        return -1;
    TPMT_PUBLIC *p = &out->publicArea;
    p->type = TPM_ALG_ECC;
    p->nameAlg = TPM_ALG_SHA256;
    p->objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
    p->parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    p->parameters.eccDetail.scheme.scheme = TPM_ALG_ECDSA;
    p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM_ALG_SHA256;
    p->parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
    p->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    if (bn_field(key, OSSL_PKEY_PARAM_EC_PUB_X, &p->unique.ecc.x) ||
        bn_field(key, OSSL_PKEY_PARAM_EC_PUB_Y, &p->unique.ecc.y))
        return -1;
    return 0;
}

int qtpm_ras_approve(EVP_PKEY *key, const TPM2B_DIGEST *policy, const char *policy_ref,
                     TPMT_SIGNATURE *sig)
{
    uint8_t ahash[SHA256_DIGEST_LENGTH];
    uint8_t msg[sizeof policy->buffer + 64];
    size_t ref_len = strlen(policy_ref);
    if (ref_len > 64 || policy->size > sizeof policy->buffer) /* TPM2B_NONCE: Part 2 §10.4.6 */
        return -1;
    memcpy(msg, policy->buffer, policy->size);
    memcpy(msg + policy->size, policy_ref, ref_len);
    SHA256(msg, policy->size + ref_len, ahash);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
    unsigned char der[80];
    size_t der_len = sizeof der;
    int ok = ctx && EVP_PKEY_sign_init(ctx) == 1 &&
             EVP_PKEY_sign(ctx, der, &der_len, ahash, sizeof ahash) == 1;
    EVP_PKEY_CTX_free(ctx);
    if (!ok)
        return -1;
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
    if (!es)
        return -1;
    memset(sig, 0, sizeof *sig);
    sig->sigAlg = TPM_ALG_ECDSA;
    sig->signature.ecdsa.hash = TPM_ALG_SHA256;
    ok = BN_bn2binpad(ECDSA_SIG_get0_r(es), sig->signature.ecdsa.signatureR.buffer, 32) == 32 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(es), sig->signature.ecdsa.signatureS.buffer, 32) == 32;
    sig->signature.ecdsa.signatureR.size = 32;
    sig->signature.ecdsa.signatureS.size = 32;
    ECDSA_SIG_free(es);
    return ok ? 0 : -1;
}
