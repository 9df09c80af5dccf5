/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seal.c — task layer: sealing a small secret (the wallet's payment token,
 * seed D6.3 §2) to PCR values. The secret becomes a keyedHash data object
 * whose authPolicy is PolicyPCR, computed in software; without userWithAuth
 * no password opens it, so only a policy session that passes PolicyPCR with
 * the same PCR values can Unseal it (Part 3 §12.7, §23.7).
 */
#include <string.h>

#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "../tss_internal.h"

int qtpm_tss_seal(qtpm_tss *t, TPM_HANDLE parent, const TPM2B_AUTH *parent_auth,
                  const uint8_t *data, size_t len, const TPML_PCR_SELECTION *pcrs,
                  const TPM2B_DIGEST *pcr_digest, TPM2B_PRIVATE *priv, TPM2B_PUBLIC *pub)
{
    TPM2B_PUBLIC in;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_DIGEST current;
    int rc;
    if (len > sizeof sens.sensitive.data.buffer)
        return QTPM_E_LENGTH;
    if (!pcr_digest) {
        TPM2B_DIGEST values[3 * IMPLEMENTATION_PCR];
        size_t n;
        if ((rc = qtpm_tss_pcr_read_all(t, pcrs, values, 3 * IMPLEMENTATION_PCR, &n)) != QTPM_OK)
            return rc;
        if ((rc = qtpm_tss_pcr_composite(TPM_ALG_SHA256, values, n, &current)) != QTPM_OK)
            return rc;
        pcr_digest = &current;
    }
    memset(&in, 0, sizeof in);
    TPMT_PUBLIC *p = &in.publicArea;
    p->type = TPM_ALG_KEYEDHASH;
    p->nameAlg = TPM_ALG_SHA256;
    p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_NODA;
    p->parameters.keyedHashDetail.scheme.scheme = TPM_ALG_NULL;
    if ((rc = qtpm_tss_policy_start(TPM_ALG_SHA256, &p->authPolicy)) != QTPM_OK ||
        (rc = qtpm_tss_policy_pcr(TPM_ALG_SHA256, &p->authPolicy, pcrs, pcr_digest)) != QTPM_OK)
        return rc;
    memset(&sens, 0, sizeof sens);
    memcpy(sens.sensitive.data.buffer, data, len);
    sens.sensitive.data.size = (UINT16)len;
    qtpm_tss_auths a = { 1, { { NULL, parent_auth } } };
    rc = qtpm_tss_Create(t, &a, parent, &sens, &in, NULL, NULL, priv, pub, NULL, NULL, NULL);
    qtpm_memzero(&sens, sizeof sens);
    return rc;
}

int qtpm_tss_unseal(qtpm_tss *t, TPM_HANDLE parent, const TPM2B_AUTH *parent_auth,
                    const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *pub,
                    const TPML_PCR_SELECTION *pcrs, uint8_t *out, size_t cap, size_t *len)
{
    TPM_HANDLE item;
    qtpm_tss_session s;
    TPM2B_SENSITIVE_DATA data;
    qtpm_tss_auths pa = { 1, { { NULL, parent_auth } } };
    int rc = qtpm_tss_Load(t, &pa, parent, priv, pub, &item, NULL);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_tss_start_session(t, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, TPM_RH_NULL, NULL,
                                TPM_RH_NULL, NULL, &s);
    if (rc == QTPM_OK) {
        rc = qtpm_tss_PolicyPCR(t, NULL, &s, NULL, pcrs);
        if (rc == QTPM_OK) {
            qtpm_tss_auths a = { 1, { { &s, NULL } } };
            rc = qtpm_tss_Unseal(t, &a, item, &data);
        }
        qtpm_tss_session_close(t, &s);
    }
    qtpm_tss_FlushContext(t, item);
    if (rc != QTPM_OK)
        return rc;
    if (data.size > cap) {
        rc = QTPM_E_BUFFER;
    } else {
        memcpy(out, data.buffer, data.size);
        *len = data.size;
    }
    qtpm_memzero(&data, sizeof data);
    return rc;
}
