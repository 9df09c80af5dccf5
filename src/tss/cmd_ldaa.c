/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_ldaa.c — command layer: qtpm's vendor-specific commands for the
 * lattice DAA's TPM part (docs/DAA.md "LDAA in the engine"; the engine's
 * side is src/engine/ldaa.c).
 *
 *   Vendor_LDAA_JoinRequest 0x20000101   keyHandle (USER), rho, nonce, offset
 *                                        → totalSize, piece
 *   Vendor_LDAA_Commit      0x20000102   keyHandle (USER), rho, bsnval
 *                                        → counter, totalSize, piece
 *   Vendor_LDAA_CommitRead  0x20000103   keyHandle (USER), rho, bsnval, counter, offset
 *                                        → totalSize, piece
 *   Vendor_LDAA_Respond     0x20000104   keyHandle (USER), rho, bsnval, counter, ctilde,
 *                                        ticket, offset → totalSize, ticket, piece
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

/* Reads "totalSize ‖ TPM2B piece" at *o of r into out + offset. */
static int take_piece(const qtpm_tss_response *r, size_t *o, UINT32 want_total, uint8_t *out,
                      size_t offset, size_t *got, UINT32 *total)
{
    UINT16 n = 0;
    TPM_RC m = qtpm_UINT32_unmarshal(total, r->params, r->params_len, o);
    m |= qtpm_UINT16_unmarshal(&n, r->params, r->params_len, o);
    if (m || *total != want_total || offset >= *total ||
        n == 0 || n > *total - offset || r->params_len - *o != n)
        return QTPM_TSS_E_PROTOCOL;
    memcpy(out + offset, r->params + *o, n);
    *o += n;
    *got = n;
    return QTPM_OK;
}

static size_t put_32(uint8_t *p, size_t o, const uint8_t v[32])
{
    p[o] = 0;
    p[o + 1] = 32;
    memcpy(p + o + 2, v, 32);
    return o + 34;
}

int qtpm_tss_LDAA_Commit(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                         const uint8_t rho[32], const uint8_t bsnval[32], UINT16 *counter,
                         uint8_t *commitment)
{
    if (t == NULL || rho == NULL || bsnval == NULL || counter == NULL || commitment == NULL)
        return QTPM_E_PARAM;
    uint8_t p[2 * 34 + 2 + 4];
    size_t o = put_32(p, put_32(p, 0, rho), bsnval);
    qtpm_tss_response r;
    int rc = tss_run(t, TPM_CC_Vendor_LDAA_Commit, &key, 1, 1, auths, p, o, 0, &r);
    if (rc)
        return rc;
    size_t ro = 0, got = 0, off = 0;
    UINT32 total = 0;
    if (qtpm_UINT16_unmarshal(counter, r.params, r.params_len, &ro))
        return QTPM_TSS_E_PROTOCOL;
    rc = take_piece(&r, &ro, QTPM_LDAA_COMMIT_SIZE, commitment, 0, &got, &total);
    if (rc)
        return rc;
    /* the rest, each piece at least one byte: a bounded loop */
    for (off = got; off < QTPM_LDAA_COMMIT_SIZE; off += got) {
        o = put_32(p, put_32(p, 0, rho), bsnval);
        UINT32 off32 = (UINT32)off;
        if (qtpm_UINT16_marshal(counter, p, sizeof p, &o) ||
            qtpm_UINT32_marshal(&off32, p, sizeof p, &o))
            return QTPM_E_PARAM;
        rc = tss_run(t, TPM_CC_Vendor_LDAA_CommitRead, &key, 1, 1, auths, p, o, 0, &r);
        if (rc)
            return rc;
        ro = 0;
        rc = take_piece(&r, &ro, QTPM_LDAA_COMMIT_SIZE, commitment, off, &got, &total);
        if (rc)
            return rc;
    }
    return QTPM_OK;
}

int qtpm_tss_LDAA_Respond(qtpm_tss *t, const qtpm_tss_auths *auths, TPMI_DH_OBJECT key,
                          const uint8_t rho[32], const uint8_t bsnval[32], UINT16 counter,
                          const uint8_t ctilde[32], uint8_t *response, size_t *response_len)
{
    if (t == NULL || rho == NULL || bsnval == NULL || ctilde == NULL || response == NULL ||
        response_len == NULL)
        return QTPM_E_PARAM;
    uint8_t ticket[QTPM_LDAA_TICKET_SIZE];
    UINT16 tlen = 0;
    size_t off = 0, got = 0;
    UINT32 total = QTPM_LDAA_RESPONSE_SIZE;
    /* the first call answers; the others read on with its ticket */
    for (; off < total; off += got) {
        uint8_t p[3 * 34 + 2 + 2 + QTPM_LDAA_TICKET_SIZE + 4];
        size_t o = put_32(p, put_32(p, 0, rho), bsnval);
        UINT32 off32 = (UINT32)off;
        if (qtpm_UINT16_marshal(&counter, p, sizeof p, &o))
            return QTPM_E_PARAM;
        o = put_32(p, o, ctilde);
        if (qtpm_UINT16_marshal(&tlen, p, sizeof p, &o))
            return QTPM_E_PARAM;
        memcpy(p + o, ticket, tlen);
        o += tlen;
        if (qtpm_UINT32_marshal(&off32, p, sizeof p, &o))
            return QTPM_E_PARAM;
        qtpm_tss_response r;
        int rc = tss_run(t, TPM_CC_Vendor_LDAA_Respond, &key, 1, 1, auths, p, o, 0, &r);
        if (rc)
            return rc;
        size_t ro = 0;
        UINT32 tot = 0;
        UINT16 n = 0;
        /* totalSize, then the ticket, then the piece */
        if (qtpm_UINT32_unmarshal(&tot, r.params, r.params_len, &ro) ||
            qtpm_UINT16_unmarshal(&n, r.params, r.params_len, &ro))
            return QTPM_TSS_E_PROTOCOL;
        if (tlen == 0) {
            if (n != QTPM_LDAA_TICKET_SIZE || r.params_len - ro < n)
                return QTPM_TSS_E_PROTOCOL;
            memcpy(ticket, r.params + ro, n);
            tlen = n;
            if (tot != QTPM_LDAA_RESPONSE_SIZE && tot != 1)
                return QTPM_TSS_E_PROTOCOL;
            total = tot;
        } else if (n != 0 || tot != total) {
            return QTPM_TSS_E_PROTOCOL;
        }
        ro += n;
        /* the piece: TPM2B after the ticket */
        UINT16 pn = 0;
        if (qtpm_UINT16_unmarshal(&pn, r.params, r.params_len, &ro) || pn == 0 ||
            pn > total - off || r.params_len - ro != pn)
            return QTPM_TSS_E_PROTOCOL;
        memcpy(response + off, r.params + ro, pn);
        got = pn;
    }
    *response_len = total;
    return QTPM_OK;
}
