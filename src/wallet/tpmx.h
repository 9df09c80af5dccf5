/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpmx.h — the TPM command the wallet needs that libqtss's command layer
 * (qtpm/tss_cmd.h) does not have yet, written on its public execute helper
 * (qtpm_tss_execute): TPM2_EncryptDecrypt2 (Part 3 §15.3); and the software
 * digests of PolicyNV (Part 3 §23.9) and PolicyCounterTimer (§23.10), whose
 * commands are qtpm_tss_PolicyNV and qtpm_tss_PolicyCounterTimer.
 */
#ifndef QTPM_WALLET_TPMX_H
#define QTPM_WALLET_TPMX_H

#include "qtpm/tss.h"

/* policyDigest' = H(policyDigest ‖ TPM_CC_PolicyNV ‖ H(operandB ‖ offset ‖ operation) ‖ nvName) */
int wallet_policy_nv(TPM2B_DIGEST *digest, const TPM2B_DIGEST *operand_b, UINT16 offset,
                     TPM_EO operation, const TPM2B_NAME *nv_name);
/* policyDigest' = H(policyDigest ‖ TPM_CC_PolicyCounterTimer ‖ H(operandB ‖ offset ‖ operation)) */
int wallet_policy_counter_timer(TPM2B_DIGEST *digest, const TPM2B_DIGEST *operand_b,
                                UINT16 offset, TPM_EO operation);
int wallet_EncryptDecrypt2(qtpm_tss *t, const qtpm_tss_auths *auths, TPM_HANDLE key,
                           const TPM2B_MAX_BUFFER *in, TPMI_YES_NO decrypt, TPM_ALG_ID mode,
                           const TPM2B_IV *iv_in, TPM2B_MAX_BUFFER *out, TPM2B_IV *iv_out);

#endif
