/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_object.c — command layer: object creation and loading, public areas,
 * unsealing (TPM 2.0 Part 3 §12, §24) and context management (§28). These
 * are the commands that bring objects into being or make them go away, so
 * they also keep the context's Name cache (Part 1 §16) current.
 */
#include <string.h>

#include "ct.h"
#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

static const TPM2B_DATA empty_data;
static const TPML_PCR_SELECTION empty_pcrs;
static const TPM2B_SENSITIVE_CREATE empty_sensitive = { .size = 4 };

/* Checks the name the TPM reported against the public area, then caches it. */
static int note_object(qtpm_tss *t, TPM_HANDLE h, const TPMT_PUBLIC *pub,
                       const TPM2B_NAME *reported)
{
    TPM2B_NAME mine;
    int rc = qtpm_tss_public_name(pub, &mine);
    if (rc != QTPM_OK)
        return rc;
    if (reported && (reported->size != mine.size ||
                     !public_equal(reported->buffer, mine.buffer, mine.size)))
        return QTPM_TSS_E_PROTOCOL;
    return qtpm_tss_set_name(t, h, &mine);
}

/* The parameters shared by CreatePrimary and Create. */
static TPM_RC marshal_create(uint8_t *p, size_t cap, size_t *o,
                             const TPM2B_SENSITIVE_CREATE *in_sensitive,
                             const TPM2B_PUBLIC *in_public, const TPM2B_DATA *outside_info,
                             const TPML_PCR_SELECTION *creation_pcr)
{
    TPM_RC m = qtpm_TPM2B_SENSITIVE_CREATE_marshal(in_sensitive ? in_sensitive : &empty_sensitive,
                                                   p, cap, o);
    m |= qtpm_TPM2B_PUBLIC_marshal(in_public, p, cap, o);
    m |= qtpm_TPM2B_DATA_marshal(outside_info ? outside_info : &empty_data, p, cap, o);
    m |= qtpm_TPML_PCR_SELECTION_marshal(creation_pcr ? creation_pcr : &empty_pcrs, p, cap, o);
    return m;
}

/* The creation outputs, into caller storage or scratch when not wanted. */
static TPM_RC unmarshal_creation(const qtpm_tss_response *r, size_t *o,
                                 TPM2B_CREATION_DATA *creation_data,
                                 TPM2B_DIGEST *creation_hash, TPMT_TK_CREATION *ticket)
{
    TPM2B_CREATION_DATA cd;
    TPM2B_DIGEST ch;
    TPMT_TK_CREATION tk;
    TPM_RC m = qtpm_TPM2B_CREATION_DATA_unmarshal(creation_data ? creation_data : &cd,
                                                  r->params, r->params_len, o);
    m |= qtpm_TPM2B_DIGEST_unmarshal(creation_hash ? creation_hash : &ch, r->params,
                                     r->params_len, o);
    m |= qtpm_TPMT_TK_CREATION_unmarshal(ticket ? ticket : &tk, r->params, r->params_len, o);
    return m;
}

int qtpm_tss_CreatePrimary(qtpm_tss *t, const qtpm_tss_auths *auths,
                           TPMI_RH_HIERARCHY primary_handle,
                           const TPM2B_SENSITIVE_CREATE *in_sensitive,
                           const TPM2B_PUBLIC *in_public, const TPM2B_DATA *outside_info,
                           const TPML_PCR_SELECTION *creation_pcr, TPM_HANDLE *object_handle,
                           TPM2B_PUBLIC *out_public, TPM2B_CREATION_DATA *creation_data,
                           TPM2B_DIGEST *creation_hash, TPMT_TK_CREATION *ticket,
                           TPM2B_NAME *name)
{
    uint8_t p[QTPM_TCTI_MAX_BUFFER];
    size_t o = 0;
    qtpm_tss_response r;
    TPM2B_NAME nm;
    if (marshal_create(p, sizeof p, &o, in_sensitive, in_public, outside_info, creation_pcr))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_CreatePrimary, &primary_handle, 1, 1, auths, p, o, 1, &r);
    qtpm_memzero(p, o);
    if (rc)
        return rc;
    o = 0;
    TPM_RC m = qtpm_TPM2B_PUBLIC_unmarshal(out_public, r.params, r.params_len, &o, 0);
    m |= unmarshal_creation(&r, &o, creation_data, creation_hash, ticket);
    m |= qtpm_TPM2B_NAME_unmarshal(name ? name : &nm, r.params, r.params_len, &o);
    if ((rc = tss_rsp_end(m, &o, &r)) != QTPM_OK)
        return rc;
    *object_handle = r.handle;
    return note_object(t, r.handle, &out_public->publicArea, name ? name : &nm);
}

int qtpm_tss_Create(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT parent,
                    const TPM2B_SENSITIVE_CREATE *in_sensitive, const TPM2B_PUBLIC *in_public,
                    const TPM2B_DATA *outside_info, const TPML_PCR_SELECTION *creation_pcr,
                    TPM2B_PRIVATE *out_private, TPM2B_PUBLIC *out_public,
                    TPM2B_CREATION_DATA *creation_data, TPM2B_DIGEST *creation_hash,
                    TPMT_TK_CREATION *ticket)
{
    uint8_t p[QTPM_TCTI_MAX_BUFFER];
    size_t o = 0;
    qtpm_tss_response r;
    if (marshal_create(p, sizeof p, &o, in_sensitive, in_public, outside_info, creation_pcr))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_Create, &parent, 1, 1, auths, p, o, 0, &r);
    qtpm_memzero(p, o);
    if (rc)
        return rc;
    o = 0;
    TPM_RC m = qtpm_TPM2B_PRIVATE_unmarshal(out_private, r.params, r.params_len, &o);
    m |= qtpm_TPM2B_PUBLIC_unmarshal(out_public, r.params, r.params_len, &o, 0);
    m |= unmarshal_creation(&r, &o, creation_data, creation_hash, ticket);
    return tss_rsp_end(m, &o, &r);
}

int qtpm_tss_CreateLoaded(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_PARENT parent,
                          const TPM2B_SENSITIVE_CREATE *in_sensitive,
                          const TPMT_PUBLIC *in_public, TPM_HANDLE *object_handle,
                          TPM2B_PRIVATE *out_private, TPM2B_PUBLIC *out_public,
                          TPM2B_NAME *name)
{
    uint8_t p[QTPM_TCTI_MAX_BUFFER];
    TPM2B_TEMPLATE tmpl;
    size_t o = 0, to = 0;
    qtpm_tss_response r;
    TPM2B_NAME nm;
    if (qtpm_TPMT_PUBLIC_marshal(in_public, tmpl.buffer, sizeof tmpl.buffer, &to))
        return QTPM_E_PARAM;
    tmpl.size = (UINT16)to;
    TPM_RC m = qtpm_TPM2B_SENSITIVE_CREATE_marshal(in_sensitive ? in_sensitive : &empty_sensitive,
                                                   p, sizeof p, &o);
    m |= qtpm_TPM2B_TEMPLATE_marshal(&tmpl, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_CreateLoaded, &parent, 1, 1, auths, p, o, 1, &r);
    qtpm_memzero(p, o);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_PRIVATE_unmarshal(out_private, r.params, r.params_len, &o);
    m |= qtpm_TPM2B_PUBLIC_unmarshal(out_public, r.params, r.params_len, &o, 0);
    m |= qtpm_TPM2B_NAME_unmarshal(name ? name : &nm, r.params, r.params_len, &o);
    if ((rc = tss_rsp_end(m, &o, &r)) != QTPM_OK)
        return rc;
    *object_handle = r.handle;
    return note_object(t, r.handle, &out_public->publicArea, name ? name : &nm);
}

int qtpm_tss_Load(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT parent,
                  const TPM2B_PRIVATE *in_private, const TPM2B_PUBLIC *in_public,
                  TPM_HANDLE *object_handle, TPM2B_NAME *name)
{
    uint8_t p[QTPM_TCTI_MAX_BUFFER];
    size_t o = 0;
    qtpm_tss_response r;
    TPM2B_NAME nm;
    TPM_RC m = qtpm_TPM2B_PRIVATE_marshal(in_private, p, sizeof p, &o);
    m |= qtpm_TPM2B_PUBLIC_marshal(in_public, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_Load, &parent, 1, 1, auths, p, o, 1, &r);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_NAME_unmarshal(name ? name : &nm, r.params, r.params_len, &o);
    if ((rc = tss_rsp_end(m, &o, &r)) != QTPM_OK)
        return rc;
    *object_handle = r.handle;
    return note_object(t, r.handle, &in_public->publicArea, name ? name : &nm);
}

int qtpm_tss_LoadExternal(qtpm_tss *t, const qtpm_tss_auths *auths,
                          const TPM2B_SENSITIVE *in_private, const TPM2B_PUBLIC *in_public,
                          TPMI_RH_HIERARCHY hierarchy, TPM_HANDLE *object_handle,
                          TPM2B_NAME *name)
{
    uint8_t p[QTPM_TCTI_MAX_BUFFER];
    size_t o = 0;
    qtpm_tss_response r;
    TPM2B_NAME nm;
    TPM_RC m;
    if (in_private) {
        m = qtpm_TPM2B_SENSITIVE_marshal(in_private, p, sizeof p, &o);
    } else {
        UINT16 zero = 0; /* an empty TPM2B_SENSITIVE: public part only */
        m = qtpm_UINT16_marshal(&zero, p, sizeof p, &o);
    }
    m |= qtpm_TPM2B_PUBLIC_marshal(in_public, p, sizeof p, &o);
    m |= qtpm_TPMI_RH_HIERARCHY_marshal(&hierarchy, p, sizeof p, &o);
    if (m)
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_LoadExternal, NULL, 0, 0, auths, p, o, 1, &r);
    qtpm_memzero(p, o);
    if (rc)
        return rc;
    o = 0;
    m = qtpm_TPM2B_NAME_unmarshal(name ? name : &nm, r.params, r.params_len, &o);
    if ((rc = tss_rsp_end(m, &o, &r)) != QTPM_OK)
        return rc;
    *object_handle = r.handle;
    return note_object(t, r.handle, &in_public->publicArea, name ? name : &nm);
}

int qtpm_tss_ReadPublic(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT object,
                        TPM2B_PUBLIC *out_public, TPM2B_NAME *name, TPM2B_NAME *qualified_name)
{
    qtpm_tss_response r;
    TPM2B_NAME nm, qn;
    int rc = tss_run(t, TPM_CC_ReadPublic, &object, 1, 0, auths, NULL, 0, 0, &r);
    if (rc)
        return rc;
    size_t o = 0;
    TPM_RC m = qtpm_TPM2B_PUBLIC_unmarshal(out_public, r.params, r.params_len, &o, 0);
    m |= qtpm_TPM2B_NAME_unmarshal(name ? name : &nm, r.params, r.params_len, &o);
    m |= qtpm_TPM2B_NAME_unmarshal(qualified_name ? qualified_name : &qn, r.params,
                                   r.params_len, &o);
    if ((rc = tss_rsp_end(m, &o, &r)) != QTPM_OK)
        return rc;
    return note_object(t, object, &out_public->publicArea, name ? name : &nm);
}

int qtpm_tss_Unseal(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT item,
                    TPM2B_SENSITIVE_DATA *out_data)
{
    qtpm_tss_response r;
    int rc = tss_run(t, TPM_CC_Unseal, &item, 1, 1, auths, NULL, 0, 0, &r);
    if (rc)
        return rc;
    size_t o = 0;
    return tss_rsp_end(qtpm_TPM2B_SENSITIVE_DATA_unmarshal(out_data, r.params, r.params_len, &o), &o, &r);
}

int qtpm_tss_FlushContext(qtpm_tss *t, TPMI_DH_CONTEXT flush_handle)
{
    uint8_t p[4];
    size_t o = 0;
    qtpm_tss_response r;
    /* the handle is a parameter here, not in the handle area (Part 3 §28.4) */
    qtpm_UINT32_marshal(&flush_handle, p, sizeof p, &o);
    int rc = tss_run(t, TPM_CC_FlushContext, NULL, 0, 0, NULL, p, o, 0, &r);
    if (rc == QTPM_OK)
        qtpm_tss_forget_name(t, flush_handle);
    return rc;
}

TPM_RC qtpm_tss_context_unmarshal(TPMS_CONTEXT *dst, const uint8_t buf[], size_t size,
                                  size_t *offset)
{
    size_t o = *offset;
    TPM_RC rc = qtpm_UINT64_unmarshal(&dst->sequence, buf, size, &o);
    if (rc == TPM_RC_SUCCESS)
        rc = qtpm_UINT32_unmarshal(&dst->savedHandle, buf, size, &o);
    if (rc == TPM_RC_SUCCESS) {
        TPM_HANDLE h = dst->savedHandle;
        uint32_t type = h >> 24;
        if (type != TPM_HT_HMAC_SESSION && type != TPM_HT_POLICY_SESSION &&
            (h < TPM_CONTEXT_TRANSIENT || h > TPM_CONTEXT_TRANSIENT_ST_CLEAR))
            rc = TPM_RC_VALUE;
    }
    if (rc == TPM_RC_SUCCESS)
        rc = qtpm_TPMI_RH_HIERARCHY_unmarshal(&dst->hierarchy, buf, size, &o, YES);
    if (rc == TPM_RC_SUCCESS)
        rc = qtpm_TPM2B_CONTEXT_DATA_unmarshal(&dst->contextBlob, buf, size, &o);
    if (rc == TPM_RC_SUCCESS)
        *offset = o;
    return rc;
}

int qtpm_tss_ContextSave(qtpm_tss *t, TPMI_DH_CONTEXT save_handle, TPMS_CONTEXT *context)
{
    qtpm_tss_response r;
    int rc = tss_run(t, TPM_CC_ContextSave, &save_handle, 1, 0, NULL, NULL, 0, 0, &r);
    if (rc)
        return rc;
    size_t o = 0;
    return tss_rsp_end(qtpm_tss_context_unmarshal(context, r.params, r.params_len, &o), &o, &r);
}

int qtpm_tss_ContextLoad(qtpm_tss *t, const TPMS_CONTEXT *context, TPMI_DH_CONTEXT *loaded_handle)
{
    uint8_t p[sizeof(TPMS_CONTEXT) + 16];
    size_t o = 0;
    qtpm_tss_response r;
    if (qtpm_TPMS_CONTEXT_marshal(context, p, sizeof p, &o))
        return QTPM_E_PARAM;
    int rc = tss_run(t, TPM_CC_ContextLoad, NULL, 0, 0, NULL, p, o, 1, &r);
    if (rc)
        return rc;
    if (r.params_len != 0)
        return QTPM_TSS_E_PROTOCOL;
    *loaded_handle = r.handle;
    /* the handle may differ from the one saved; its name is looked up when needed */
    qtpm_tss_forget_name(t, r.handle);
    return QTPM_OK;
}

int qtpm_tss_EvictControl(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_RH_PROVISION auth,
                          TPMI_DH_OBJECT object, TPMI_DH_PERSISTENT persistent_handle)
{
    uint8_t p[4];
    size_t o = 0;
    qtpm_tss_response r;
    TPM_HANDLE h[2] = { auth, object };
    TPM2B_NAME name;
    int have_name = (object >> HR_SHIFT) == TPM_HT_TRANSIENT &&
                    qtpm_tss_get_name(t, object, &name) == QTPM_OK;
    qtpm_UINT32_marshal(&persistent_handle, p, sizeof p, &o);
    int rc = tss_run(t, TPM_CC_EvictControl, h, 2, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    if ((object >> HR_SHIFT) == TPM_HT_PERSISTENT)
        qtpm_tss_forget_name(t, object); /* evicted from NV */
    else if (have_name)
        qtpm_tss_set_name(t, persistent_handle, &name); /* same object, new handle */
    return QTPM_OK;
}
