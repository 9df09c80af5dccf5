/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * provision.c — the TPM side of manufacturing, through libqtss: read the
 * TPM's identity for the certificate, create the EK from its template, and
 * put the EK certificate into its NV index (TCG EK Credential Profile
 * §2.2.1.5: an ordinary index, written by the platform, readable by the
 * platform, the owner and with its own empty authValue, no DA).
 *
 * Idempotent: an index that already holds a certificate which
 * qtpm_ek_cert_verify accepts for this EK and CA is left alone; any other
 * content (another CA, another EK after a ChangeEPS, garbage, a short write
 * interrupted by a crash) is replaced by undefining and re-defining the index.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfg_internal.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

/* Largest certificate we write (an ML-KEM-768 one is about 1.7 KB). */
#define MFG_MAX_CERT 4096

/* A format-one response code without its handle/parameter/session number. */
static TPM_RC rc_base(int rc)
{
    TPM_RC r = (TPM_RC)rc;
    return rc > 0 && (r & RC_FMT1) ? (r & (RC_FMT1 | RC_FMT1_ERROR_MASK)) : r;
}

static int get_property(qtpm_tss *t, TPM_PT prop, UINT32 *value)
{
    TPMI_YES_NO more;
    TPMS_CAPABILITY_DATA cap;
    int rc = qtpm_tss_GetCapability(t, TPM_CAP_TPM_PROPERTIES, prop, 1, &more, &cap);
    if (rc != QTPM_OK)
        return rc;
    if (cap.data.tpmProperties.count < 1 || cap.data.tpmProperties.tpmProperty[0].property != prop)
        return QTPM_TSS_E_PROTOCOL;
    *value = cap.data.tpmProperties.tpmProperty[0].value;
    return QTPM_OK;
}

int qtpm_tpm_identity_read(qtpm_tss *t, qtpm_tpm_identity *id)
{
    UINT32 v;
    int rc;
    memset(id, 0, sizeof *id);
    /* EK Credential Profile §3.2.9: manufacturer and version as "id:" and
     * the 4-byte value in hex; the model as the vendor string */
    if ((rc = get_property(t, TPM_PT_MANUFACTURER, &v)) != QTPM_OK)
        return rc;
    snprintf(id->manufacturer, sizeof id->manufacturer, "id:%08X", (unsigned)v);
    if ((rc = get_property(t, TPM_PT_FIRMWARE_VERSION_1, &v)) != QTPM_OK)
        return rc;
    snprintf(id->version, sizeof id->version, "id:%08X", (unsigned)v);
    size_t n = 0;
    for (UINT32 p = TPM_PT_VENDOR_STRING_1; p < TPM_PT_VENDOR_STRING_1 + 4; p++) {
        if ((rc = get_property(t, p, &v)) != QTPM_OK)
            return rc;
        for (int s = 24; s >= 0; s -= 8) {
            char c = (char)(v >> s);
            if (c && isprint((unsigned char)c) && n + 1 < sizeof id->model)
                id->model[n++] = c;
        }
    }
    while (n > 0 && id->model[n - 1] == ' ')
        id->model[--n] = '\0';
    if (n == 0)
        strcpy(id->model, "unknown");
    return QTPM_OK;
}

static UINT32 nv_buffer_max(qtpm_tss *t)
{
    UINT32 v;
    if (get_property(t, TPM_PT_NV_BUFFER_MAX, &v) != QTPM_OK || v == 0)
        v = 512; /* a size every TPM accepts */
    return v > MAX_NV_BUFFER_SIZE ? MAX_NV_BUFFER_SIZE : v;
}

static int create_ek(qtpm_tss *t, qtpm_ek_alg alg, const TPM2B_AUTH *endorsement_auth,
                     TPMT_PUBLIC *out)
{
    TPM2B_PUBLIC in, pub;
    TPM_HANDLE h;
    qtpm_tss_auths a = { 1, { { NULL, endorsement_auth } } };
    memset(&in, 0, sizeof in);
    int rc = qtpm_ek_template(alg, &in.publicArea);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_tss_CreatePrimary(t, &a, TPM_RH_ENDORSEMENT, NULL, &in, NULL, NULL, &h, &pub, NULL,
                                NULL, NULL, NULL);
    if (rc != QTPM_OK)
        return rc;
    *out = pub.publicArea;
    return qtpm_tss_FlushContext(t, h);
}

/* TPM2_NV_WriteLock (Part 3 §31.11); libqtss has no wrapper for it. */
static int nv_write_lock(qtpm_tss *t, TPMI_RH_PROVISION auth_handle, const TPM2B_AUTH *auth,
                         TPM_HANDLE index)
{
    qtpm_tss_auths a = { 1, { { NULL, auth } } };
    qtpm_tss_command cmd;
    qtpm_tss_response rsp;
    memset(&cmd, 0, sizeof cmd);
    cmd.cc = TPM_CC_NV_WriteLock;
    cmd.n_handles = 2;
    cmd.handles[0] = auth_handle;
    cmd.handles[1] = index;
    cmd.n_auth = 1;
    cmd.auths = &a;
    int rc = qtpm_tss_execute(t, &cmd, &rsp);
    qtpm_tss_forget_name(t, index); /* WRITELOCKED changes the name */
    return rc;
}

static int define_and_write(qtpm_tss *t, TPMI_RH_PROVISION hier, const TPM2B_AUTH *auth,
                            TPM_HANDLE index, const uint8_t *cert, size_t len, int lock)
{
    TPM2B_NV_PUBLIC pub;
    qtpm_tss_auths a = { 1, { { NULL, auth } } };
    memset(&pub, 0, sizeof pub);
    pub.nvPublic.nvIndex = index;
    pub.nvPublic.nameAlg = TPM_ALG_SHA256;
    /* EK Credential Profile §2.2.1.5 attributes (ordinary index, empty
     * authPolicy and authValue); from the owner hierarchy OWNERWRITE takes
     * the place of PPWRITE and PLATFORMCREATE cannot be set */
    pub.nvPublic.attributes = TPMA_NV_PPREAD | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD |
                              TPMA_NV_NO_DA;
    if (hier == TPM_RH_PLATFORM)
        pub.nvPublic.attributes |= TPMA_NV_PPWRITE | TPMA_NV_PLATFORMCREATE;
    else
        pub.nvPublic.attributes |= TPMA_NV_OWNERWRITE;
    if (lock)
        pub.nvPublic.attributes |= TPMA_NV_WRITEDEFINE;
    pub.nvPublic.dataSize = (UINT16)len;
    int rc = qtpm_tss_NV_DefineSpace(t, &a, hier, NULL, &pub);
    if (rc != QTPM_OK)
        return rc;
    UINT32 chunk = nv_buffer_max(t);
    for (size_t off = 0; off < len;) {
        TPM2B_MAX_NV_BUFFER data;
        size_t n = len - off < chunk ? len - off : chunk;
        data.size = (UINT16)n;
        memcpy(data.buffer, cert + off, n);
        if ((rc = qtpm_tss_NV_Write(t, &a, hier, index, &data, (UINT16)off)) != QTPM_OK)
            return rc;
        off += n;
    }
    return lock ? nv_write_lock(t, hier, auth, index) : QTPM_OK;
}

/* Whether a define from the platform hierarchy failed because that
 * hierarchy is unusable here (disabled after boot, or its auth unknown),
 * which is when QTPM_MFG_HIER_AUTO falls back to the owner. */
static int platform_unusable(int rc)
{
    TPM_RC b = rc_base(rc);
    return rc > 0 && (b == TPM_RC_HIERARCHY || b == TPM_RC_AUTH_FAIL || b == TPM_RC_BAD_AUTH ||
                      b == TPM_RC_LOCKOUT);
}

int qtpm_manufacture_ek(qtpm_tss *t, const qtpm_vendor_ca *ca, qtpm_ek_alg alg,
                        const qtpm_mfg_options *opts, qtpm_mfg_result *res)
{
    static const qtpm_mfg_options defaults;
    qtpm_tpm_identity id;
    TPM2B_NV_PUBLIC nvpub;
    uint8_t *cert = NULL;
    uint8_t *old = NULL;
    size_t cert_len = 0, old_len = 0;
    size_t ca_len;
    const uint8_t *ca_der = qtpm_vendor_ca_cert_der(ca, &ca_len);
    int rc, existed;
    if (!opts)
        opts = &defaults;
    memset(res, 0, sizeof *res);
    res->nv_index = qtpm_ek_cert_nv_index(alg);
    if (res->nv_index == 0)
        return QTPM_E_PARAM;

    if ((rc = create_ek(t, alg, opts->endorsement_auth, &res->ek)) != QTPM_OK)
        return rc;

    /* What is in the index now? */
    rc = qtpm_tss_NV_ReadPublic(t, NULL, res->nv_index, &nvpub, NULL);
    existed = rc == QTPM_OK;
    if (!existed && rc_base(rc) != TPM_RC_HANDLE)
        return rc;
    if (existed) {
        res->hierarchy = (nvpub.nvPublic.attributes & TPMA_NV_PLATFORMCREATE) ? TPM_RH_PLATFORM
                                                                            : TPM_RH_OWNER;
        old = malloc(MFG_MAX_CERT);
        if (!old)
            return QTPM_E_NOMEM;
        /* read as the owner (OWNERREAD is set by us and by the profile); an
         * unreadable or unwritten index just counts as "not valid" */
        if (!opts->force &&
            qtpm_tss_nv_read_all(t, TPM_RH_OWNER, opts->owner_auth, res->nv_index, old,
                                 MFG_MAX_CERT, &old_len) == QTPM_OK &&
            qtpm_ek_cert_verify(old, old_len, ca_der, ca_len, &res->ek) == QTPM_OK) {
            res->action = QTPM_MFG_KEPT;
            res->cert_len = old_len;
            free(old);
            return QTPM_OK;
        }
        free(old);
        old = NULL;
        /* an index the platform made is the platform's to delete (Part 3
         * §31.4: TPM_RH_OWNER cannot undefine a PLATFORMCREATE index) */
        qtpm_tss_auths a = { 1, { { NULL, res->hierarchy == TPM_RH_PLATFORM
                                              ? opts->platform_auth
                                              : opts->owner_auth } } };
        if ((rc = qtpm_tss_NV_UndefineSpace(t, &a, res->hierarchy, res->nv_index)) != QTPM_OK)
            return rc;
    }

    if ((rc = qtpm_tpm_identity_read(t, &id)) != QTPM_OK)
        return rc;
    if ((rc = qtpm_ek_cert_build(ca, &res->ek, &id, &cert, &cert_len)) != QTPM_OK)
        return rc;
    if (cert_len > MFG_MAX_CERT) {
        rc = QTPM_E_LENGTH;
        goto out;
    }

    rc = QTPM_E_PARAM;
    if (opts->hierarchy != QTPM_MFG_HIER_OWNER) {
        res->hierarchy = TPM_RH_PLATFORM;
        rc = define_and_write(t, TPM_RH_PLATFORM, opts->platform_auth, res->nv_index, cert,
                              cert_len, opts->lock);
    }
    if (opts->hierarchy == QTPM_MFG_HIER_OWNER ||
        (opts->hierarchy == QTPM_MFG_HIER_AUTO && platform_unusable(rc))) {
        res->hierarchy = TPM_RH_OWNER;
        rc = define_and_write(t, TPM_RH_OWNER, opts->owner_auth, res->nv_index, cert, cert_len,
                              opts->lock);
    }
    if (rc != QTPM_OK)
        goto out;

    /* read back: what the TPM holds must be what we signed, and verify */
    old = malloc(MFG_MAX_CERT);
    if (!old) {
        rc = QTPM_E_NOMEM;
        goto out;
    }
    rc = qtpm_tss_nv_read_all(t, TPM_RH_OWNER, opts->owner_auth, res->nv_index, old,
                              MFG_MAX_CERT, &old_len);
    if (rc == QTPM_OK && (old_len != cert_len || memcmp(old, cert, cert_len) != 0))
        rc = QTPM_E_VERIFY;
    if (rc == QTPM_OK)
        rc = qtpm_ek_cert_verify(old, old_len, ca_der, ca_len, &res->ek);
    if (rc == QTPM_OK) {
        res->action = existed ? QTPM_MFG_REPLACED : QTPM_MFG_WRITTEN;
        res->cert_len = cert_len;
    }
out:
    free(old);
    free(cert);
    return rc;
}
