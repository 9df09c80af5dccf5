/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_policy.c — command layer: StartAuthSession (TPM 2.0 Part 3 §11.1) and
 * the policy commands (§23). Policy commands take the TSS's session record,
 * because two of them change how later authorizations are computed
 * (PolicyAuthValue, PolicyPassword) and PolicyRestart undoes that.
 */
#include <string.h>

#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

static const TPM2B_DIGEST empty_digest;

int qtpm_tss_StartAuthSession(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT tpm_key,
                              TPMI_DH_ENTITY bind, const TPM2B_NONCE *nonce_caller,
                              const TPM2B_ENCRYPTED_SECRET *encrypted_salt, TPM_SE session_type,
                              const TPMT_SYM_DEF *symmetric, TPMI_ALG_HASH auth_hash,
                              TPMI_SH_AUTH_SESSION *session_handle, TPM2B_NONCE *nonce_tpm)
{
    uint8_t p[sizeof(TPM2B_ENCRYPTED_SECRET) + 128];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_HANDLE h[2] = { tpm_key, bind };
    TPM2B_ENCRYPTED_SECRET none = { 0 };
    TPMT_SYM_DEF no_sym = { .algorithm = TPM_ALG_NULL };
    TPM_RC m = qtpm_TPM2B_NONCE_marshal(nonce_caller, p, sizeof p, &o);
    m |= qtpm_TPM2B_ENCRYPTED_SECRET_marshal(encrypted_salt ? encrypted_salt : &none, p,
                                             sizeof p, &o);
    m |= qtpm_TPM_SE_marshal(&session_type, p, sizeof p, &o);
    m |= qtpm_TPMT_SYM_DEF_marshal(symmetric ? symmetric : &no_sym, p, sizeof p, &o);
    m |= qtpm_TPMI_ALG_HASH_marshal(&auth_hash, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_StartAuthSession, h, 2, 0, auths, p, o, 1, &r);
    if (rc)
        return rc;
    o = 0;
    if ((rc = tss_rsp_end(qtpm_TPM2B_NONCE_unmarshal(nonce_tpm, r.params, r.params_len, &o), &o,
                          &r)) != QTPM_OK)
        return rc;
    *session_handle = r.handle;
    return QTPM_OK;
}

/* A policy command whose only handle is the policy session. */
static int policy_run(qtpm_tss *t, TPM_CC cc, const qtpm_tss_auths *auths,
                      qtpm_tss_session *policy, const uint8_t *p, size_t len,
                      qtpm_tss_response *r)
{
    if (!policy || policy->handle == 0)
        return QTPM_TSS_E_STATE;
    return tss_run(t, cc, &policy->handle, 1, 0, auths, p, len, 0, r);
}

static int no_output(int rc, const qtpm_tss_response *r)
{
    if (rc)
        return rc;
    return r->params_len == 0 ? QTPM_OK : QTPM_TSS_E_PROTOCOL;
}

int qtpm_tss_PolicyPCR(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                       const TPM2B_DIGEST *pcr_digest, const TPML_PCR_SELECTION *pcrs)
{
    uint8_t p[sizeof(TPM2B_DIGEST) + sizeof(TPML_PCR_SELECTION)];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(pcr_digest ? pcr_digest : &empty_digest, p, sizeof p, &o);
    m |= qtpm_TPML_PCR_SELECTION_marshal(pcrs, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    return no_output(policy_run(t, TPM_CC_PolicyPCR, auths, policy, p, o, &r), &r);
}

int qtpm_tss_PolicySecret(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_ENTITY auth_handle,
                          qtpm_tss_session *policy, const TPM2B_NONCE *nonce_tpm,
                          const TPM2B_DIGEST *cp_hash_a, const TPM2B_NONCE *policy_ref,
                          INT32 expiration, TPM2B_TIMEOUT *timeout, TPMT_TK_AUTH *ticket)
{
    uint8_t p[3 * sizeof(TPM2B_DIGEST) + 8];
    size_t o = 0;
    qtpm_tss_response r;
    TPM2B_TIMEOUT to;
    TPMT_TK_AUTH tk;
    if (!policy || policy->handle == 0)
        return QTPM_TSS_E_STATE;
    TPM_HANDLE h[2] = { auth_handle, policy->handle };
    TPM_RC m = qtpm_TPM2B_NONCE_marshal(nonce_tpm ? nonce_tpm : &empty_digest, p, sizeof p, &o);
    m |= qtpm_TPM2B_DIGEST_marshal(cp_hash_a ? cp_hash_a : &empty_digest, p, sizeof p, &o);
    m |= qtpm_TPM2B_NONCE_marshal(policy_ref ? policy_ref : &empty_digest, p, sizeof p, &o);
    m |= qtpm_INT32_marshal(&expiration, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_PolicySecret, h, 2, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_TIMEOUT_unmarshal(timeout ? timeout : &to, r.params, r.params_len, &o);
    m |= qtpm_TPMT_TK_AUTH_unmarshal(ticket ? ticket : &tk, r.params, r.params_len, &o);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_PolicyOR(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                      const TPML_DIGEST *p_hash_list)
{
    uint8_t p[sizeof(TPML_DIGEST)];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPML_DIGEST_marshal(p_hash_list, p, sizeof p, &o))
        return QTPM_E_PARAM;
    return no_output(policy_run(t, TPM_CC_PolicyOR, auths, policy, p, o, &r), &r);
}

int qtpm_tss_PolicyAuthorize(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                             const TPM2B_DIGEST *approved_policy, const TPM2B_NONCE *policy_ref,
                             const TPM2B_NAME *key_sign, const TPMT_TK_VERIFIED *check_ticket)
{
    uint8_t p[4 * sizeof(TPM2B_DIGEST) + 16];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_TPM2B_DIGEST_marshal(approved_policy, p, sizeof p, &o);
    m |= qtpm_TPM2B_NONCE_marshal(policy_ref ? policy_ref : &empty_digest, p, sizeof p, &o);
    m |= qtpm_TPM2B_NAME_marshal(key_sign, p, sizeof p, &o);
    m |= qtpm_TPMT_TK_VERIFIED_marshal(check_ticket, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    return no_output(policy_run(t, TPM_CC_PolicyAuthorize, auths, policy, p, o, &r), &r);
}

int qtpm_tss_PolicyGetDigest(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                             TPM2B_DIGEST *policy_digest)
{
    qtpm_tss_response r;
    int rc = policy_run(t, TPM_CC_PolicyGetDigest, auths, policy, NULL, 0, &r);
    if (rc)
        return rc;
    size_t o = 0;
    return tss_rsp_end(qtpm_TPM2B_DIGEST_unmarshal(policy_digest, r.params, r.params_len, &o), &o,
                       &r);
}

int qtpm_tss_PolicyPassword(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy)
{
    qtpm_tss_response r;
    int rc = no_output(policy_run(t, TPM_CC_PolicyPassword, auths, policy, NULL, 0, &r), &r);
    if (rc == QTPM_OK)
        policy->policy_auth = QTPM_TSS_POLICY_AUTH_PASSWORD;
    return rc;
}

int qtpm_tss_PolicyAuthValue(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy)
{
    qtpm_tss_response r;
    int rc = no_output(policy_run(t, TPM_CC_PolicyAuthValue, auths, policy, NULL, 0, &r), &r);
    if (rc == QTPM_OK)
        policy->policy_auth = QTPM_TSS_POLICY_AUTH_VALUE;
    return rc;
}

int qtpm_tss_PolicyCommandCode(qtpm_tss *t, const qtpm_tss_auths *auths,
                               qtpm_tss_session *policy, TPM_CC code)
{
    uint8_t p[4];
    size_t o = 0;
    qtpm_tss_response r;
    qtpm_UINT32_marshal(&code, p, sizeof p, &o);
    return no_output(policy_run(t, TPM_CC_PolicyCommandCode, auths, policy, p, o, &r), &r);
}

int qtpm_tss_PolicyRestart(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy)
{
    qtpm_tss_response r;
    int rc = no_output(policy_run(t, TPM_CC_PolicyRestart, auths, policy, NULL, 0, &r), &r);
    if (rc == QTPM_OK)
        policy->policy_auth = QTPM_TSS_POLICY_AUTH_NONE;
    return rc;
}

int qtpm_tss_PolicyNV(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_AUTH auth_handle,
                      TPMI_RH_NV_INDEX nv_index, qtpm_tss_session *policy,
                      const TPM2B_OPERAND *operand_b, UINT16 offset, TPM_EO operation)
{
    uint8_t p[sizeof(TPM2B_OPERAND) + 4];
    size_t o = 0;
    qtpm_tss_response r;
    if (!policy || policy->handle == 0)
        return QTPM_TSS_E_STATE;
    TPM_HANDLE h[3] = { auth_handle, nv_index, policy->handle };
    TPM_RC m = qtpm_TPM2B_OPERAND_marshal(operand_b, p, sizeof p, &o);
    m |= qtpm_UINT16_marshal(&offset, p, sizeof p, &o);
    m |= qtpm_TPM_EO_marshal(&operation, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    return no_output(tss_run(t, TPM_CC_PolicyNV, h, 3, 1, auths, p, o, 0, &r), &r);
}

int qtpm_tss_PolicyCounterTimer(qtpm_tss *t, const qtpm_tss_auths *auths,
                                qtpm_tss_session *policy, const TPM2B_OPERAND *operand_b,
                                UINT16 offset, TPM_EO operation)
{
    uint8_t p[sizeof(TPM2B_OPERAND) + 4];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_RC m = qtpm_TPM2B_OPERAND_marshal(operand_b, p, sizeof p, &o);
    m |= qtpm_UINT16_marshal(&offset, p, sizeof p, &o);
    m |= qtpm_TPM_EO_marshal(&operation, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    return no_output(policy_run(t, TPM_CC_PolicyCounterTimer, auths, policy, p, o, &r), &r);
}

int qtpm_tss_PolicyCpHash(qtpm_tss *t, const qtpm_tss_auths *auths, qtpm_tss_session *policy,
                          const TPM2B_DIGEST *cp_hash_a)
{
    uint8_t p[sizeof(TPM2B_DIGEST)];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPM2B_DIGEST_marshal(cp_hash_a, p, sizeof p, &o))
        return QTPM_E_PARAM;
    return no_output(policy_run(t, TPM_CC_PolicyCpHash, auths, policy, p, o, &r), &r);
}
