/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tmarshal.h — the object structures through the shared marshalling module
 * plus the engine's algorithm checks (tmarshal.c): public and sensitive
 * areas, signature schemes and signatures, public parameters.
 */
#ifndef QTPM_ENGINE_TMARSHAL_H
#define QTPM_ENGINE_TMARSHAL_H

#include "cursor.h"
#include "tpm.h"

TPM_RC tm_public_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_PUBLIC *pub, int allow_null_alg);
void tm_public_write(tpm_wr *w, const TPMT_PUBLIC *pub);
TPM_RC tm_sensitive_read(tpm_rd *r, TPMT_SENSITIVE *s, TPM_ALG_ID type);
void tm_sensitive_write(tpm_wr *w, const TPMT_SENSITIVE *s);
TPM_RC tm_sig_scheme_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_SIG_SCHEME *s);
TPM_RC tm_signature_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_SIGNATURE *s);
void tm_signature_write(tpm_wr *w, const TPMT_SIGNATURE *s);
TPM_RC tm_parms_read(const qtpm_tpm *tpm, tpm_rd *r, TPM_ALG_ID type, TPMU_PUBLIC_PARMS *p);

#endif
