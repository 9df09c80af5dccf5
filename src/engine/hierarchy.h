/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hierarchy.h — the hierarchies (hierarchy.c): their seeds, proofs and
 * enables, which the object, ticket and attestation files read, and the
 * dictionary-attack clock.
 */
#ifndef QTPM_ENGINE_HIERARCHY_H
#define QTPM_ENGINE_HIERARCHY_H

#include "params.h"
#include "tpm.h"

const uint8_t *hierarchy_proof(qtpm_tpm *tpm, TPM_HANDLE hierarchy);
int hierarchy_enabled(qtpm_tpm *tpm, TPM_HANDLE hierarchy);
const uint8_t *hierarchy_seed(qtpm_tpm *tpm, TPM_HANDLE hierarchy);
/* Counts down the DA recovery timers by the time since the last call. */
void hierarchy_da_tick(qtpm_tpm *tpm);

/* the parameters of the hierarchy and DA commands (Part 3 §24, §25; params.h) */
#define HierarchyControl_IN(P) P(TPMI_RH_ENABLES, enable) P(TPMI_YES_NO, state)
#define HierarchyControl_OUT(P)
PRM_COMMAND(HierarchyControl)
#define HierarchyChangeAuth_IN(P) P(TPM2B_AUTH, newAuth)
#define HierarchyChangeAuth_OUT(P)
PRM_COMMAND(HierarchyChangeAuth)
#define SetPrimaryPolicy_IN(P) P(TPM2B_DIGEST, authPolicy) P(TPMI_ALG_HASH_NULL, hashAlg)
#define SetPrimaryPolicy_OUT(P)
PRM_COMMAND(SetPrimaryPolicy)
#define Clear_IN(P)
#define Clear_OUT(P)
PRM_COMMAND(Clear)
#define ClearControl_IN(P) P(TPMI_YES_NO, disable)
#define ClearControl_OUT(P)
PRM_COMMAND(ClearControl)
#define ChangeEPS_IN(P)
#define ChangeEPS_OUT(P)
PRM_COMMAND(ChangeEPS)
#define ChangePPS_IN(P)
#define ChangePPS_OUT(P)
PRM_COMMAND(ChangePPS)
#define DictionaryAttackLockReset_IN(P)
#define DictionaryAttackLockReset_OUT(P)
PRM_COMMAND(DictionaryAttackLockReset)
#define DictionaryAttackParameters_IN(P)                                                \
    P(UINT32, newMaxTries) P(UINT32, newRecoveryTime) P(UINT32, lockoutRecovery)
#define DictionaryAttackParameters_OUT(P)
PRM_COMMAND(DictionaryAttackParameters)

#endif
