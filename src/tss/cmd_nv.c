/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_nv.c — command layer: NV indices (TPM 2.0 Part 3 §31). An index's Name
 * covers its attributes, and TPMA_NV_WRITTEN changes with the first write
 * (Part 1 §37.2.2), so writes drop the cached name; it is read again with
 * NV_ReadPublic when next needed.
 */
#include <string.h>

#include "ct.h"
#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

int qtpm_tss_NV_DefineSpace(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_PROVISION auth_handle,
                            const TPM2B_AUTH *auth, const TPM2B_NV_PUBLIC *public_info)
{
    uint8_t p[sizeof(TPM2B_AUTH) + sizeof(TPM2B_NV_PUBLIC) + 8];
    size_t o = 0;
    qtpm_tss_response r;
    TPM2B_AUTH empty = { 0 };
    TPM_RC m = qtpm_TPM2B_AUTH_marshal(auth ? auth : &empty, p, sizeof p, &o);
    m |= qtpm_TPM2B_NV_PUBLIC_marshal(public_info, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_NV_DefineSpace, &auth_handle, 1, 1, auths, p, o, 0, &r);
    qtpm_memzero(p, sizeof p);
    if (rc)
        return rc;
    if (r.params_len)
        return QTPM_TSS_E_PROTOCOL;
    TPM2B_NAME name;
    if (qtpm_tss_nv_name(&public_info->nvPublic, &name) == QTPM_OK)
        qtpm_tss_set_name(t, public_info->nvPublic.nvIndex, &name);
    return QTPM_OK;
}

int qtpm_tss_NV_UndefineSpace(qtpm_tss *t, const qtpm_tss_auths *auths,
                              TPMI_RH_PROVISION auth_handle, TPMI_RH_NV_INDEX nv_index)
{
    qtpm_tss_response r;
    TPM_HANDLE h[2] = { auth_handle, nv_index };
    int rc = tss_run(t, TPM_CC_NV_UndefineSpace, h, 2, 1, auths, NULL, 0, 0, &r);
    if (rc == QTPM_OK)
        qtpm_tss_forget_name(t, nv_index);
    return rc;
}

int qtpm_tss_NV_Write(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_AUTH auth_handle,
                      TPMI_RH_NV_INDEX nv_index, const TPM2B_MAX_NV_BUFFER *data, UINT16 offset)
{
    uint8_t p[sizeof(TPM2B_MAX_NV_BUFFER) + 4];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_HANDLE h[2] = { auth_handle, nv_index };
    TPM_RC m = qtpm_TPM2B_MAX_NV_BUFFER_marshal(data, p, sizeof p, &o);
    m |= qtpm_UINT16_marshal(&offset, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_NV_Write, h, 2, 1, auths, p, o, 0, &r);
    qtpm_memzero(p, sizeof p);
    qtpm_tss_forget_name(t, nv_index);
    return rc;
}

int qtpm_tss_NV_Read(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_AUTH auth_handle,
                     TPMI_RH_NV_INDEX nv_index, UINT16 size, UINT16 offset,
                     TPM2B_MAX_NV_BUFFER *data)
{
    uint8_t p[4];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_HANDLE h[2] = { auth_handle, nv_index };
    qtpm_UINT16_marshal(&size, p, sizeof p, &o);
    qtpm_UINT16_marshal(&offset, p, sizeof p, &o);
    int rc = tss_run(t, TPM_CC_NV_Read, h, 2, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    o = 0;
    return tss_rsp_end(qtpm_TPM2B_MAX_NV_BUFFER_unmarshal(data, r.params, r.params_len, &o), &o,
                       &r);
}

int qtpm_tss_NV_ReadPublic(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_INDEX nv_index,
                           TPM2B_NV_PUBLIC *nv_public, TPM2B_NAME *name)
{
    qtpm_tss_response r;
    TPM2B_NAME nm, mine;
    int rc = tss_run(t, TPM_CC_NV_ReadPublic, &nv_index, 1, 0, auths, NULL, 0, 0, &r);
    if (rc)
        return rc;
    size_t o = 0;
    TPM_RC m = qtpm_TPM2B_NV_PUBLIC_unmarshal(nv_public, r.params, r.params_len, &o);
    m |= qtpm_TPM2B_NAME_unmarshal(name ? name : &nm, r.params, r.params_len, &o);
    if ((rc = tss_rsp_end(m, &o, &r)) != QTPM_OK)
        return rc;
    if (name == NULL)
        name = &nm;
    if ((rc = qtpm_tss_nv_name(&nv_public->nvPublic, &mine)) != QTPM_OK)
        return rc;
    if (nv_public->nvPublic.nvIndex != nv_index || mine.size != name->size ||
        !public_equal(mine.buffer, name->buffer, mine.size))
        return QTPM_TSS_E_PROTOCOL;
    return qtpm_tss_set_name(t, nv_index, &mine);
}

int qtpm_tss_NV_Increment(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_NV_AUTH auth_handle,
                          TPMI_RH_NV_INDEX nv_index)
{
    qtpm_tss_response r;
    TPM_HANDLE h[2] = { auth_handle, nv_index };
    int rc = tss_run(t, TPM_CC_NV_Increment, h, 2, 1, auths, NULL, 0, 0, &r);
    qtpm_tss_forget_name(t, nv_index);
    return rc;
}
