/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_ldaa.c — command layer: qtpm's vendor-specific commands for the
 * lattice DAA's TPM part (docs/DAA.md "LDAA in the engine"; the engine's
 * side is src/engine/ldaa.c).
 *
 *   Vendor_LDAA_JoinRequest 0x20000101   keyHandle (USER), rho, nonce, offset
 *                                        → totalSize, piece
 *
 * A join request is larger than a TPM response, so the TPM returns it in
 * pieces; qtpm_tss_LDAA_JoinRequest asks for each in turn (a bounded loop:
 * totalSize must be the one size the host expects) and joins them.
 */
#include <string.h>

#include "qtpm/ldaa.h"
#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

/* One piece: bytes [offset, offset + *got) of the request into out. */
static int ldaa_join_piece(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                           const TPM2B_DIGEST *rho, const TPM2B_DIGEST *nonce, UINT32 offset,
                           uint8_t *out, size_t cap, size_t *got)
{
    uint8_t p[2 * sizeof(TPM2B_DIGEST) + 4];
    size_t o = 0;
    if (qtpm_TPM2B_DIGEST_marshal(rho, p, sizeof p, &o) ||
        qtpm_TPM2B_DIGEST_marshal(nonce, p, sizeof p, &o) ||
        qtpm_UINT32_marshal(&offset, p, sizeof p, &o))
        return QTPM_E_PARAM;
    qtpm_tss_response r;
    int rc = tss_run(t, TPM_CC_Vendor_LDAA_JoinRequest, &key, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    UINT32 total = 0;
    UINT16 n = 0;
    o = 0;
    TPM_RC m = qtpm_UINT32_unmarshal(&total, r.params, r.params_len, &o);
    m |= qtpm_UINT16_unmarshal(&n, r.params, r.params_len, &o);
    if (m || total != QTPM_LDAA_JOINREQ_SIZE || n == 0 || n > cap || r.params_len - o != n)
        return QTPM_TSS_E_PROTOCOL;
    memcpy(out, r.params + o, n);
    *got = n;
    return QTPM_OK;
}

int qtpm_tss_LDAA_JoinRequest(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                              const uint8_t rho[32], const uint8_t nonce[32],
                              uint8_t *req)
{
    if (t == NULL || rho == NULL || nonce == NULL || req == NULL)
        return QTPM_E_PARAM;
    TPM2B_DIGEST r2, n2;
    r2.size = 32;
    memcpy(r2.buffer, rho, 32);
    n2.size = QTPM_LDAA_NONCE_SIZE;
    memcpy(n2.buffer, nonce, QTPM_LDAA_NONCE_SIZE);
    size_t off = 0;
    /* each piece is at least one byte: at most JOINREQ_SIZE rounds */
    while (off < QTPM_LDAA_JOINREQ_SIZE) {
        size_t got = 0;
        int rc = ldaa_join_piece(t, auths, key, &r2, &n2, (UINT32)off, req + off,
                                 QTPM_LDAA_JOINREQ_SIZE - off, &got);
        if (rc)
            return rc;
        off += got;
    }
    return QTPM_OK;
}
