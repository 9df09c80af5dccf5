/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nv.h — NV indices (Part 1 §31, Part 3 §31): the index value and the
 * helpers entity.c and attest.c use.
 */
#ifndef QTPM_ENGINE_NV_H
#define QTPM_ENGINE_NV_H

#include "cmd.h"
#include "entity.h"

typedef struct tpm_nv {
    TPMS_NV_PUBLIC pub;
    tpm_buf64 auth;
    uint8_t *data; /* pub.dataSize bytes */
} tpm_nv;

tpm_nv *nv_find(qtpm_tpm *tpm, TPM_HANDLE h);
unsigned nv_count_counters(qtpm_tpm *tpm);
size_t nv_list_handles(qtpm_tpm *tpm, TPM_HANDLE *out, size_t cap);
TPM_RC nv_name(const tpm_nv *nv, tpm_name *name);
TPM_HANDLE nv_hierarchy(const tpm_nv *nv);
void nv_write_public(tpm_wr *w, const TPMS_NV_PUBLIC *pub);
/* STCLEAR attributes at TPM Reset and Restart (Part 1 §31.3). */
void nv_startup_clear(qtpm_tpm *tpm, int reset);
/* Checks whether the authorization given for handle 1 permits reading
 * (write = 0) or writing index nv; TPM_RC_NV_AUTHORIZATION otherwise. */
TPM_RC nv_access_check(const tpm_cmd *c, const tpm_nv *nv, int write);
/* The checks every read of an index's data makes first (NV_Read, NV_Certify,
 * PolicyNV, PolicyAuthorizeNV; Part 3 §31.13): the authorization given for
 * handle 1 permits reading, the index is not read-locked (TPM_RC_NV_LOCKED)
 * and has been written (TPM_RC_NV_UNINITIALIZED). */
TPM_RC nv_read_precheck(const tpm_cmd *c, const tpm_nv *nv);
/* PIN Pass / PIN Fail indices (nv.c): whether the authValue of h may be
 * used now (1 for any other entity), and the count after a use of it. */
int nv_pin_auth_available(qtpm_tpm *tpm, TPM_HANDLE h);
void nv_pin_auth_result(qtpm_tpm *tpm, TPM_HANDLE h, int ok);
/* the NV records of the state blob (tpm.c) */
size_t nv_record_write(const struct tpm_nv *nv, uint8_t *buf, size_t cap);
int nv_record_read(qtpm_tpm *tpm, const uint8_t *buf, size_t len);
void nv_free_all(qtpm_tpm *tpm);


#endif
