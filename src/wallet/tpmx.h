/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpmx.h — the two TPM commands the wallet needs that libqtss's command layer
 * (qtpm/tss_cmd.h) does not have yet, written on its public execute helper
 * (qtpm_tss_execute): TPM2_PolicyNV (Part 3 §23.9) and TPM2_EncryptDecrypt2
 * (Part 3 §15.3); and the software digest of PolicyNV.
 */
#ifndef QTPM_WALLET_TPMX_H
#define QTPM_WALLET_TPMX_H

#include "qtpm/tss.h"

/* PolicyNV: authHandle (auths[0]) and nvIndex, then the policy session. */
int wallet_PolicyNV(qtpm_tss *t, const qtpm_tss_auths *auths, TPM_HANDLE auth_handle,
                    TPM_HANDLE nv_index, qtpm_tss_session *policy, const TPM2B_DIGEST *operand_b,
                    UINT16 offset, TPM_EO operation);
/* policyDigest' = H(policyDigest ‖ TPM_CC_PolicyNV ‖ H(operandB ‖ offset ‖ operation) ‖ nvName) */
int wallet_policy_nv(TPM2B_DIGEST *digest, const TPM2B_DIGEST *operand_b, UINT16 offset,
                     TPM_EO operation, const TPM2B_NAME *nv_name);
int wallet_EncryptDecrypt2(qtpm_tss *t, const qtpm_tss_auths *auths, TPM_HANDLE key,
                           const TPM2B_MAX_BUFFER *in, TPMI_YES_NO decrypt, TPM_ALG_ID mode,
                           const TPM2B_IV *iv_in, TPM2B_MAX_BUFFER *out, TPM2B_IV *iv_out);

#endif
