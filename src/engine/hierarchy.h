/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hierarchy.h — the hierarchies (hierarchy.c): their seeds, proofs and
 * enables, which the object, ticket and attestation files read, and the
 * dictionary-attack clock.
 */
#ifndef QTPM_ENGINE_HIERARCHY_H
#define QTPM_ENGINE_HIERARCHY_H

#include "tpm.h"

const uint8_t *hierarchy_proof(qtpm_tpm *tpm, TPM_HANDLE hierarchy);
int hierarchy_enabled(qtpm_tpm *tpm, TPM_HANDLE hierarchy);
const uint8_t *hierarchy_seed(qtpm_tpm *tpm, TPM_HANDLE hierarchy);
/* Counts down the DA recovery timers by the time since the last call. */
void hierarchy_da_tick(qtpm_tpm *tpm);

#endif
