/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c — task layer: policy digests computed in software (TPM 2.0 Part 3
 * §23), so an authorization policy can be set on an object without a trial
 * session on a TPM. Each function is the "policyDigest_new" formula of its
 * command; PolicySecret and PolicyAuthorize use PolicyUpdate (§23.2.3),
 * which hashes the name first and the policyRef in a second step.
 */
#include <string.h>

#include "qtpm/marshal.h"
#include "qtpm/tss_tasks.h"
#include "../tss_internal.h"

int qtpm_tss_policy_start(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest)
{
    qtpm_hash_alg h = tss_hash(alg);
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    memset(digest, 0, sizeof *digest);
    digest->size = (UINT16)qtpm_hash_size(h);
    return QTPM_OK;
}

/* digest = H(digest ‖ cc ‖ a ‖ b) */
static int extend(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest, TPM_CC cc, const uint8_t *a,
                  size_t a_len, const uint8_t *b, size_t b_len)
{
    qtpm_hash_alg h = tss_hash(alg);
    qtpm_hash_ctx c;
    uint8_t ccb[4] = { (uint8_t)(cc >> 24), (uint8_t)(cc >> 16), (uint8_t)(cc >> 8), (uint8_t)cc };
    if (h == QTPM_HASH_NONE || digest->size != qtpm_hash_size(h))
        return QTPM_E_PARAM;
    int rc = qtpm_hash_init(&c, h);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hash_update(&c, digest->buffer, digest->size);
    if (rc == QTPM_OK && cc)
        rc = qtpm_hash_update(&c, ccb, 4);
    if (rc == QTPM_OK && a_len)
        rc = qtpm_hash_update(&c, a, a_len);
    if (rc == QTPM_OK && b_len)
        rc = qtpm_hash_update(&c, b, b_len);
    if (rc == QTPM_OK)
        return qtpm_hash_final(&c, digest->buffer);
    qtpm_hash_free(&c);
    return rc;
}

int qtpm_tss_policy_pcr(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest,
                        const TPML_PCR_SELECTION *pcrs, const TPM2B_DIGEST *pcr_digest)
{
    uint8_t sel[sizeof(TPML_PCR_SELECTION)];
    size_t o = 0;
    if (qtpm_TPML_PCR_SELECTION_marshal(pcrs, sel, sizeof sel, &o))
        return QTPM_E_PARAM;
    return extend(alg, digest, TPM_CC_PolicyPCR, sel, o, pcr_digest->buffer, pcr_digest->size);
}

int qtpm_tss_policy_command_code(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest, TPM_CC code)
{
    uint8_t b[4] = { (uint8_t)(code >> 24), (uint8_t)(code >> 16), (uint8_t)(code >> 8),
                     (uint8_t)code };
    return extend(alg, digest, TPM_CC_PolicyCommandCode, b, 4, NULL, 0);
}

int qtpm_tss_policy_or(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest, const TPM2B_DIGEST *branches,
                       size_t n)
{
    uint8_t cat[8 * MAX_DIGEST_SIZE];
    size_t len = 0;
    if (n < 2 || n > 8)
        return QTPM_E_PARAM;
    for (size_t i = 0; i < n; i++) {
        if (branches[i].size > MAX_DIGEST_SIZE)
            return QTPM_E_PARAM;
        memcpy(cat + len, branches[i].buffer, branches[i].size);
        len += branches[i].size;
    }
    /* §23.6: the running digest is replaced, not extended */
    int rc = qtpm_tss_policy_start(alg, digest);
    if (rc == QTPM_OK)
        rc = extend(alg, digest, TPM_CC_PolicyOR, cat, len, NULL, 0);
    return rc;
}

/* PolicyUpdate (§23.2.3): H(H(digest ‖ cc ‖ name) ‖ policyRef) */
static int policy_update(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest, TPM_CC cc,
                         const TPM2B_NAME *name, const TPM2B_NONCE *ref)
{
    int rc = extend(alg, digest, cc, name->buffer, name->size, NULL, 0);
    if (rc == QTPM_OK)
        rc = extend(alg, digest, 0, ref ? ref->buffer : NULL, ref ? ref->size : 0, NULL, 0);
    return rc;
}

int qtpm_tss_policy_authorize(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest,
                              const TPM2B_NAME *key_name, const TPM2B_NONCE *policy_ref)
{
    /* §23.16: the digest is reset before the update */
    int rc = qtpm_tss_policy_start(alg, digest);
    if (rc == QTPM_OK)
        rc = policy_update(alg, digest, TPM_CC_PolicyAuthorize, key_name, policy_ref);
    return rc;
}

int qtpm_tss_policy_secret(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest,
                           const TPM2B_NAME *auth_name, const TPM2B_NONCE *policy_ref)
{
    return policy_update(alg, digest, TPM_CC_PolicySecret, auth_name, policy_ref);
}

int qtpm_tss_policy_auth_value(TPMI_ALG_HASH alg, TPM2B_DIGEST *digest)
{
    return extend(alg, digest, TPM_CC_PolicyAuthValue, NULL, 0, NULL, 0);
}
