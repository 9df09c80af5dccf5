/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * context.c — the libqtss context: creation over a TCTI, the Name cache the
 * session layer needs for cpHash, per-command timing records and the
 * QTPM_TIMING file, and error texts.
 */
#include <stdlib.h>
#include <string.h>

#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

qtpm_hash_alg tss_hash(TPMI_ALG_HASH alg)
{
    switch (alg) {
    case TPM_ALG_SHA1: return QTPM_HASH_SHA1;
    case TPM_ALG_SHA256: return QTPM_HASH_SHA256;
    case TPM_ALG_SHA384: return QTPM_HASH_SHA384;
    case TPM_ALG_SHA512: return QTPM_HASH_SHA512;
    case TPM_ALG_SHA3_256: return QTPM_HASH_SHA3_256;
    case TPM_ALG_SHA3_384: return QTPM_HASH_SHA3_384;
    case TPM_ALG_SHA3_512: return QTPM_HASH_SHA3_512;
    default: return QTPM_HASH_NONE;
    }
}

size_t tss_auth_len(const TPM2B_AUTH *auth)
{
    size_t n = auth ? auth->size : 0;
    if (n > sizeof auth->buffer)
        n = sizeof auth->buffer;
    while (n > 0 && auth->buffer[n - 1] == 0)
        n--;
    return n;
}

int qtpm_tss_new_with_tcti(qtpm_tcti *tcti, int own, qtpm_tss **out)
{
    if (!tcti || !out)
        return QTPM_E_PARAM;
    qtpm_tss *t = calloc(1, sizeof *t);
    if (!t)
        return QTPM_E_NOMEM;
    t->tcti = tcti;
    t->own_tcti = own;
    const char *path = getenv("QTPM_TIMING");
    if (path && *path)
        qtpm_tss_timing_file(t, path);
    *out = t;
    return QTPM_OK;
}

int qtpm_tss_new(const char *tcti_spec, qtpm_tss **out)
{
    qtpm_tcti *tcti;
    if (!out)
        return QTPM_E_PARAM;
    int rc = qtpm_tcti_open(tcti_spec, &tcti);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_tss_new_with_tcti(tcti, 1, out);
    if (rc != QTPM_OK)
        qtpm_tcti_close(tcti);
    return rc;
}

void qtpm_tss_free(qtpm_tss *t)
{
    if (!t)
        return;
    if (t->own_tcti)
        qtpm_tcti_close(t->tcti);
    if (t->timing_file)
        fclose(t->timing_file);
    free(t->timing);
    /* the buffers held plaintext parameters (sensitive data, unsealed secrets) */
    qtpm_memzero(t, sizeof *t);
    free(t);
}

qtpm_tcti *qtpm_tss_tcti(qtpm_tss *t)
{
    return t->tcti;
}

/* ---------------------------------------------------------------- timing */

int qtpm_tss_timing_enable(qtpm_tss *t, size_t capacity)
{
    free(t->timing);
    t->timing = NULL;
    t->timing_cap = t->timing_count = t->timing_dropped = 0;
    if (capacity == 0)
        return QTPM_OK;
    t->timing = calloc(capacity, sizeof *t->timing);
    if (!t->timing)
        return QTPM_E_NOMEM;
    t->timing_cap = capacity;
    return QTPM_OK;
}

size_t qtpm_tss_timing_count(const qtpm_tss *t)
{
    return t->timing_count;
}

const qtpm_tss_timing_record *qtpm_tss_timing_records(const qtpm_tss *t)
{
    return t->timing;
}

size_t qtpm_tss_timing_dropped(const qtpm_tss *t)
{
    return t->timing_dropped;
}

void qtpm_tss_timing_clear(qtpm_tss *t)
{
    t->timing_count = t->timing_dropped = 0;
}

int qtpm_tss_timing_file(qtpm_tss *t, const char *path)
{
    if (t->timing_file)
        fclose(t->timing_file);
    t->timing_file = NULL;
    if (!path)
        return QTPM_OK;
    t->timing_file = fopen(path, "a");
    return t->timing_file ? QTPM_OK : QTPM_TSS_E_IO;
}

/* ----------------------------------------------------------------- names */

static tss_name_entry *name_find(qtpm_tss *t, TPM_HANDLE h)
{
    for (size_t i = 0; i < TSS_NAME_CACHE; i++)
        if (t->names[i].handle == h)
            return &t->names[i];
    return NULL;
}

int qtpm_tss_set_name(qtpm_tss *t, TPM_HANDLE handle, const TPM2B_NAME *name)
{
    if (handle == 0 || name->size > sizeof name->buffer)
        return QTPM_E_PARAM;
    tss_name_entry *e = name_find(t, handle);
    if (!e)
        e = name_find(t, 0);
    if (!e) {
        e = &t->names[t->name_next];
        t->name_next = (t->name_next + 1) % TSS_NAME_CACHE;
    }
    e->handle = handle;
    e->name = *name;
    return QTPM_OK;
}

void qtpm_tss_forget_name(qtpm_tss *t, TPM_HANDLE handle)
{
    tss_name_entry *e = name_find(t, handle);
    if (e && handle != 0)
        memset(e, 0, sizeof *e);
}

int qtpm_tss_get_name(qtpm_tss *t, TPM_HANDLE handle, TPM2B_NAME *name)
{
    uint8_t ht = (uint8_t)(handle >> HR_SHIFT);
    if (ht == TPM_HT_TRANSIENT || ht == TPM_HT_PERSISTENT || ht == TPM_HT_NV_INDEX) {
        tss_name_entry *e = name_find(t, handle);
        if (e) {
            *name = e->name;
            return QTPM_OK;
        }
        /* Not seen yet (created by another client, or persistent from an
         * earlier run): ask the TPM, which also caches the answer. */
        if (ht == TPM_HT_NV_INDEX) {
            TPM2B_NV_PUBLIC pub;
            return qtpm_tss_NV_ReadPublic(t, NULL, handle, &pub, name);
        }
        TPM2B_PUBLIC pub;
        TPM2B_NAME qn;
        return qtpm_tss_ReadPublic(t, NULL, handle, &pub, name, &qn);
    }
    /* PCRs, sessions and permanent handles are named by their handle. */
    name->size = 4;
    name->buffer[0] = (uint8_t)(handle >> 24);
    name->buffer[1] = (uint8_t)(handle >> 16);
    name->buffer[2] = (uint8_t)(handle >> 8);
    name->buffer[3] = (uint8_t)handle;
    return QTPM_OK;
}

static int name_of(TPMI_ALG_HASH alg, const uint8_t *area, size_t len, TPM2B_NAME *name)
{
    qtpm_hash_alg h = tss_hash(alg);
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    name->buffer[0] = (uint8_t)(alg >> 8);
    name->buffer[1] = (uint8_t)alg;
    int rc = qtpm_hash(h, area, len, name->buffer + 2);
    name->size = (UINT16)(2 + qtpm_hash_size(h));
    return rc;
}

int qtpm_tss_public_name(const TPMT_PUBLIC *pub, TPM2B_NAME *name)
{
    uint8_t buf[sizeof(TPMT_PUBLIC)];
    size_t off = 0;
    if (qtpm_TPMT_PUBLIC_marshal(pub, buf, sizeof buf, &off) != TPM_RC_SUCCESS)
        return QTPM_E_INVALID;
    return name_of(pub->nameAlg, buf, off, name);
}

int qtpm_tss_nv_name(const TPMS_NV_PUBLIC *pub, TPM2B_NAME *name)
{
    uint8_t buf[sizeof(TPMS_NV_PUBLIC) + 8];
    size_t off = 0;
    if (qtpm_TPMS_NV_PUBLIC_marshal(pub, buf, sizeof buf, &off) != TPM_RC_SUCCESS)
        return QTPM_E_INVALID;
    return name_of(pub->nameAlg, buf, off, name);
}

/* ---------------------------------------------------------------- errors */

static const char *tpm_rc_text(TPM_RC rc)
{
    static const struct { TPM_RC rc; const char *text; } table[] = {
        { TPM_RC_INITIALIZE, "TPM not initialized (TPM_RC_INITIALIZE)" },
        { TPM_RC_FAILURE, "TPM in failure mode (TPM_RC_FAILURE)" },
        { TPM_RC_AUTH_MISSING, "authorization missing (TPM_RC_AUTH_MISSING)" },
        { TPM_RC_POLICY, "policy failure (TPM_RC_POLICY)" },
        { TPM_RC_PCR_CHANGED, "PCR changed since policy (TPM_RC_PCR_CHANGED)" },
        { TPM_RC_COMMAND_CODE, "command not supported (TPM_RC_COMMAND_CODE)" },
        { TPM_RC_NV_DEFINED, "NV index already defined (TPM_RC_NV_DEFINED)" },
        { TPM_RC_NV_UNINITIALIZED, "NV index not written (TPM_RC_NV_UNINITIALIZED)" },
        { TPM_RC_ATTRIBUTES, "attribute inconsistency (TPM_RC_ATTRIBUTES)" },
        { TPM_RC_HANDLE, "handle not found (TPM_RC_HANDLE)" },
        { TPM_RC_AUTH_FAIL, "authorization failure (TPM_RC_AUTH_FAIL)" },
        { TPM_RC_BAD_AUTH, "bad authorization (TPM_RC_BAD_AUTH)" },
        { TPM_RC_POLICY_FAIL, "policy check failed (TPM_RC_POLICY_FAIL)" },
        { TPM_RC_INTEGRITY, "integrity check failed (TPM_RC_INTEGRITY)" },
        { TPM_RC_SIGNATURE, "signature check failed (TPM_RC_SIGNATURE)" },
        { TPM_RC_VALUE, "value out of range (TPM_RC_VALUE)" },
        { TPM_RC_SIZE, "size wrong (TPM_RC_SIZE)" },
        { TPM_RC_OBJECT_MEMORY, "out of object slots (TPM_RC_OBJECT_MEMORY)" },
        { TPM_RC_SESSION_MEMORY, "out of session slots (TPM_RC_SESSION_MEMORY)" },
        { TPM_RC_RETRY, "retry (TPM_RC_RETRY)" },
    };
    /* format-one codes carry a parameter/handle/session number in bits 6-11 */
    TPM_RC base = (rc & RC_FMT1) ? (rc & 0xBFU) : rc;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].rc == base)
            return table[i].text;
    return "TPM error";
}

const char *qtpm_tss_strerror(int rc)
{
    switch (rc) {
    case QTPM_TSS_E_IO: return "TPM transport I/O error";
    case QTPM_TSS_E_PROTOCOL: return "malformed TPM response or framing";
    case QTPM_TSS_E_CONFIG: return "bad TCTI configuration";
    case QTPM_TSS_E_UNSUPPORTED: return "not supported by this transport";
    case QTPM_TSS_E_STATE: return "call out of order";
    default: break;
    }
    if (rc > 0)
        return tpm_rc_text((TPM_RC)rc);
    return qtpm_strerror(rc);
}
