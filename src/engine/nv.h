/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nv.h — NV indices (Part 1 §31, Part 3 §31): the index value and the
 * helpers entity.c and attest.c use.
 */
#ifndef QTPM_ENGINE_NV_H
#define QTPM_ENGINE_NV_H

#include "cmd.h"
#include "entity.h"
#include "params.h"

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

/* The NV commands' parameters (Part 3 §31; params.h). */
#define NV_DefineSpace_IN(P) P(TPM2B_AUTH, auth) P(TPM2B_NV_PUBLIC, publicInfo)
#define NV_DefineSpace_OUT(P)
PRM_COMMAND(NV_DefineSpace)
#define NV_UndefineSpace_IN(P)
#define NV_UndefineSpace_OUT(P)
PRM_COMMAND(NV_UndefineSpace)
#define NV_UndefineSpaceSpecial_IN(P)
#define NV_UndefineSpaceSpecial_OUT(P)
PRM_COMMAND(NV_UndefineSpaceSpecial)
#define NV_ReadPublic_IN(P)
#define NV_ReadPublic_OUT(P) P(TPM2B_NV_PUBLIC, nvPublic) P(TPM2B_NAME, nvName)
PRM_COMMAND(NV_ReadPublic)
#define NV_Write_IN(P) P(TPM2B_MAX_NV_BUFFER, data) P(UINT16, offset)
#define NV_Write_OUT(P)
PRM_COMMAND(NV_Write)
#define NV_Increment_IN(P)
#define NV_Increment_OUT(P)
PRM_COMMAND(NV_Increment)
#define NV_Extend_IN(P) P(TPM2B_MAX_NV_BUFFER, data)
#define NV_Extend_OUT(P)
PRM_COMMAND(NV_Extend)
#define NV_SetBits_IN(P) P(UINT64, bits)
#define NV_SetBits_OUT(P)
PRM_COMMAND(NV_SetBits)
#define NV_WriteLock_IN(P)
#define NV_WriteLock_OUT(P)
PRM_COMMAND(NV_WriteLock)
#define NV_GlobalWriteLock_IN(P)
#define NV_GlobalWriteLock_OUT(P)
PRM_COMMAND(NV_GlobalWriteLock)
#define NV_Read_IN(P) P(UINT16, size) P(UINT16, offset)
#define NV_Read_OUT(P) P(TPM2B_MAX_NV_BUFFER, data)
PRM_COMMAND(NV_Read)
#define NV_ReadLock_IN(P)
#define NV_ReadLock_OUT(P)
PRM_COMMAND(NV_ReadLock)
#define NV_ChangeAuth_IN(P) P(TPM2B_AUTH, newAuth)
#define NV_ChangeAuth_OUT(P)
PRM_COMMAND(NV_ChangeAuth)


#endif
