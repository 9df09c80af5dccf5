/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keyfile.c — tpm2-tools 5.4's key files parsed from memory (qtpm/tss_keyfile.h).
 *
 * Context files are tpm2-tools' lib/files.c format: a big-endian magic
 * 0xBADCC0DE and version 1, then hierarchy, savedHandle, sequence and the
 * context blob (UINT16 size + bytes). tpm2-tools' blob is tpm2-tss ESYS's
 * wrapper around the TPM's own blob: UINT32 reserved (0), the TPM's
 * TPM2B_CONTEXT_DATA, then ESYS metadata (UINT16 size, the handle, the Name,
 * a resource type and, for keys, the TPM2B_PUBLIC). Files with or without the
 * wrapper are read (qtpm writes the TPM's blob alone when the wrapper would
 * not fit, src/cli/util.c).
 *
 * tpm2_evictcontrol -o writes a serialized ESYS_TR: handle, Name, resource
 * type and, for keys, the TPM2B_PUBLIC; no magic.
 *
 * Both come from files a user hands us: every length is checked by the
 * unmarshallers, the whole input must be consumed, and
 * tests/fuzz/fuzz_keyfile.c feeds them arbitrary bytes.
 */
#include <string.h>

#include "qtpm/marshal.h"
#include "qtpm/tss_keyfile.h"

#define IESYSC_KEY_RSRC 1U

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int qtpm_keyfile_is_context(const uint8_t *d, size_t n)
{
    return n >= 4 && be32(d) == QTPM_KEYFILE_CONTEXT_MAGIC;
}

int qtpm_keyfile_context_parse(const uint8_t *d, size_t n, TPMS_CONTEXT *ctx,
                               TPM2B_PUBLIC *pub_meta, uint32_t *version)
{
    size_t off = 8;
    TPM_RC rc;

    if (pub_meta)
        pub_meta->size = 0;
    if (n < 8 || be32(d) != QTPM_KEYFILE_CONTEXT_MAGIC)
        return QTPM_KEYFILE_E_MAGIC;
    if (version)
        *version = be32(d + 4);
    if (be32(d + 4) != QTPM_KEYFILE_CONTEXT_VERSION)
        return QTPM_KEYFILE_E_VERSION;
    memset(ctx, 0, sizeof *ctx);
    if ((rc = qtpm_UINT32_unmarshal(&ctx->hierarchy, d, n, &off)) ||
        (rc = qtpm_UINT32_unmarshal(&ctx->savedHandle, d, n, &off)) ||
        (rc = qtpm_UINT64_unmarshal(&ctx->sequence, d, n, &off)) ||
        (rc = qtpm_TPM2B_CONTEXT_DATA_unmarshal(&ctx->contextBlob, d, n, &off)))
        return (int)rc;
    if (off != n)
        return (int)TPM_RC_SIZE;
    /* The ESYS wrapper: reserved 0, the TPM's blob, metadata. A TPM's own
     * blob starts with the integrity TPM2B (size = digest size, never 0
     * as a UINT32 prefix), so a leading zero word marks the wrapper. */
    const uint8_t *b = ctx->contextBlob.buffer;
    size_t bn = ctx->contextBlob.size, bo = 4;
    TPM2B_CONTEXT_DATA inner;
    if (bn >= 6 && be32(b) == 0 && qtpm_TPM2B_CONTEXT_DATA_unmarshal(&inner, b, bn, &bo) == 0) {
        if (pub_meta) {
            /* metadata: UINT16 size, handle, name, type, [TPM2B_PUBLIC] */
            size_t mo = bo + 2 + 4;
            TPM2B_NAME name;
            UINT32 type;
            if (mo <= bn && qtpm_TPM2B_NAME_unmarshal(&name, b, bn, &mo) == 0 &&
                qtpm_UINT32_unmarshal(&type, b, bn, &mo) == 0 && type == IESYSC_KEY_RSRC &&
                qtpm_TPM2B_PUBLIC_unmarshal(pub_meta, b, bn, &mo, 0) != 0)
                pub_meta->size = 0;
        }
        ctx->contextBlob = inner;
    }
    return 0;
}

int qtpm_keyfile_serialized_tr_parse(const uint8_t *d, size_t n, TPM_HANDLE *h,
                                     TPM2B_PUBLIC *pub)
{
    size_t off = 0;
    TPM2B_NAME name;
    UINT32 type;
    TPM2B_PUBLIC p;
    TPM_RC rc;

    if (pub)
        pub->size = 0;
    if ((rc = qtpm_UINT32_unmarshal(h, d, n, &off)) ||
        (rc = qtpm_TPM2B_NAME_unmarshal(&name, d, n, &off)) ||
        (rc = qtpm_UINT32_unmarshal(&type, d, n, &off)))
        return (int)rc;
    if ((*h >> 24) != TPM_HT_PERSISTENT && (*h >> 24) != TPM_HT_NV_INDEX)
        return QTPM_KEYFILE_E_HANDLE;
    if (type == IESYSC_KEY_RSRC) {
        if ((rc = qtpm_TPM2B_PUBLIC_unmarshal(&p, d, n, &off, 0)))
            return (int)rc;
        if (pub)
            *pub = p;
    }
    return off == n ? 0 : (int)TPM_RC_SIZE;
}
