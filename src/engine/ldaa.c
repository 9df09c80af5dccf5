/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa.c — the vendor-specific commands of the lattice DAA's TPM part
 * (qtpm/ldaa.h; docs/DAA.md "LDAA in the engine"; codes in tpm2_types.h,
 * with the vendor bit of Part 2 §6.5.2):
 *
 *   Vendor_LDAA_JoinRequest  keyHandle (USER), rho, nonce, offset
 *                            → totalSize, piece of the join request
 *   Vendor_LDAA_Commit, Vendor_LDAA_CommitRead, Vendor_LDAA_Respond
 *                            the TPM's share of a signature (below)
 *
 * An LDAA key is an ordinary TPM object: a restricted keyedHash signing key
 * whose private bits the TPM generated (sensitiveDataOrigin) and which
 * cannot leave it (fixedTPM), created with TPM2_Create under a storage
 * parent, so it is wrapped, loaded, authorized (authValue or policy) and
 * flushed like any key. Its LDAA secret s is derived per issuer from those
 * bits and the issuer's public seed rho (ldaa_tpm_derive), inside the
 * command, and wiped before the response. A restricted HMAC key cannot
 * HMAC caller data (Part 3 §15.5), and s is a SHAKE256 output under its own
 * label, so the key's other uses do not touch s.
 *
 * A join request (29,793 bytes) does not fit a response (8 KB): the TPM
 * computes it deterministically (masks from the key and the nonce) and
 * returns the bytes [offset, offset + LDAA_ENGINE_CHUNK); the host asks for
 * each piece in turn. Equal inputs give an equal request, so a repeated
 * call answers the same challenge with the same response and reveals
 * nothing new.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ct.h"
#include "ecdaa.h"
#include "keycmds.h"
#include "ldaa.h"
#include "object.h"

#include "ldaa_internal.h" /* src/daa: the lattice arithmetic */
#include "qtpm/classic.h"
#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "qtpm/ldaa.h"

/* The loaded LDAA key of handle slot 1, with its private part. */
static TPM_RC ldaa_key(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k == NULL || k->is_sequence || k->pub.type != TPM_ALG_KEYEDHASH || !k->has_sensitive ||
        k->sens.sensitive.bits.size == 0)
        return RC_H(TPM_RC_KEY, 1);
    uint32_t a = k->pub.objectAttributes;
    if ((a & LDAA_KEY_SET) != LDAA_KEY_SET || (a & LDAA_KEY_CLEAR))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    *out = k;
    return TPM_RC_SUCCESS;
}

/* An EK-bound key (ldaa_key.c) serves the one issuer its unique names. */
static int rho_fits(const tpm_object *k, const uint8_t rho[32])
{
    /* rho is the issuer public key's seed: public */
    return !ldaa_key_bound(k) || public_equal(k->pub.unique.keyedHash.buffer, rho, 32);
}

_Static_assert(LDAA_ENGINE_CHUNK == QTPM_LDAA_PIECE_MAX, "a piece fits TPM2B_VENDOR_LDAA_PIECE");

/* A piece [offset, offset + chunk) of out (size total), with totalSize. */
static void piece(UINT32 *total_out, TPM2B_VENDOR_LDAA_PIECE *p, const uint8_t *out, size_t total,
                  uint32_t offset)
{
    size_t n = total - offset;
    if (n > LDAA_ENGINE_CHUNK)
        n = LDAA_ENGINE_CHUNK;
    *total_out = (UINT32)total;
    memcpy(p->buffer, out + offset, n);
    p->size = (UINT16)n;
}

TPM_RC cmd_Vendor_LDAA_JoinRequest(qtpm_tpm *tpm, tpm_cmd *c, const Vendor_LDAA_JoinRequest_In *in,
                                   Vendor_LDAA_JoinRequest_Out *out)
{
    const uint8_t *rho = in->rho.buffer, *nonce = in->nonce.buffer;
    uint32_t offset = in->offset;
    if (in->rho.size != 32)
        return RC_P(TPM_RC_SIZE, PN_Vendor_LDAA_JoinRequest_rho);
    if (in->nonce.size != QTPM_LDAA_NONCE_SIZE)
        return RC_P(TPM_RC_SIZE, PN_Vendor_LDAA_JoinRequest_nonce);
    if (offset >= QTPM_LDAA_JOINREQ_SIZE)
        return RC_P(TPM_RC_VALUE, PN_Vendor_LDAA_JoinRequest_offset);
    tpm_object *k;
    TPM_RC rc = ldaa_key(tpm, c->handles[0], &k);
    if (rc)
        return rc;
    if (!rho_fits(k, rho))
        return RC_P(TPM_RC_VALUE, PN_Vendor_LDAA_JoinRequest_rho);
    qtpm_ldaa_tpm *lt = NULL;
    if (ldaa_tpm_derive(&lt, rho, k->sens.sensitive.bits.buffer, k->sens.sensitive.bits.size) !=
        QTPM_DAA_OK)
        return TPM_RC_MEMORY;
    uint8_t *req = malloc(QTPM_LDAA_JOINREQ_SIZE);
    int drc = req == NULL ? QTPM_DAA_E_PARAM : qtpm_ldaa_tpm_join_request(lt, nonce, req);
    qtpm_ldaa_tpm_free(lt);
    if (drc != QTPM_DAA_OK) {
        free(req);
        /* E_PARAM: out of memory; E_PROOF: every bounded try rejected */
        return drc == QTPM_DAA_E_PARAM ? TPM_RC_MEMORY : TPM_RC_FAILURE;
    }
    piece(&out->totalSize, &out->piece, req, QTPM_LDAA_JOINREQ_SIZE, offset);
    free(req); /* public: t and a zero-knowledge proof */
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- signing
 *
 *   Vendor_LDAA_Commit      keyHandle (USER), rho, bsnval
 *                           → counter, totalSize, first piece of the commitment
 *   Vendor_LDAA_CommitRead  keyHandle (USER), rho, bsnval, counter, offset
 *                           → totalSize, piece
 *   Vendor_LDAA_Respond     keyHandle (USER), rho, bsnval, counter, ctilde,
 *                           ticket, offset → totalSize, ticket, piece
 *
 * A commitment takes a value of the ECDAA commit counter (ecdaa.c; Part 3
 * §19.2): its masks y_s, y_e come from
 *   SHAKE256("qtpm-ldaa-commit" ‖ commitNonce ‖ key Name ‖ counter64 ‖
 *            bsnval ‖ rho, 32),
 * so the TPM keeps one bit per commitment and recomputes the rest. Respond
 * without a ticket is the answer: the counter must be outstanding, and it
 * is used up before anything is returned (a second answer, to another
 * challenge, would give s away), at offset 0 only. Its response carries a
 * ticket, counter64 ‖ HMAC-SHA256(KDF(commitNonce), Name ‖ counter64 ‖
 * bsnval ‖ rho ‖ ctilde), with which the host reads the remaining pieces
 * of the same answer to the same challenge. A Startup draws a new
 * commitNonce: every commitment and ticket is void.
 */

/* The key of handle 1 and its LDAA TPM part for issuer rho (parameter 1
 * of every LDAA signing command). */
static TPM_RC ldaa_open(qtpm_tpm *tpm, tpm_cmd *c, const uint8_t rho[32], tpm_object **k,
                        qtpm_ldaa_tpm **lt)
{
    TPM_RC rc = ldaa_key(tpm, c->handles[0], k);
    if (rc)
        return rc;
    if (!rho_fits(*k, rho))
        return RC_P(TPM_RC_VALUE, 1);
    if (ldaa_tpm_derive(lt, rho, (*k)->sens.sensitive.bits.buffer,
                        (*k)->sens.sensitive.bits.size) != QTPM_DAA_OK)
        return TPM_RC_MEMORY;
    return TPM_RC_SUCCESS;
}

static void u64_be(uint8_t out[8], uint64_t v)
{
    for (unsigned i = 0; i < 8; i++)
        out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void commit_seed(const qtpm_tpm *tpm, const tpm_object *k, uint64_t cnt64,
                        const uint8_t bsnval[32], const uint8_t rho[32], uint8_t seed[32])
{
    uint8_t c8[8];
    u64_be(c8, cnt64);
    qtpm_keccak_ctx x;
    qtpm_shake256_init(&x);
    qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-commit", 16);
    qtpm_keccak_absorb(&x, tpm->commit_nonce, sizeof tpm->commit_nonce);
    qtpm_keccak_absorb(&x, k->name.b, k->name.size);
    qtpm_keccak_absorb(&x, c8, 8);
    qtpm_keccak_absorb(&x, bsnval, 32);
    qtpm_keccak_absorb(&x, rho, 32);
    qtpm_keccak_squeeze(&x, seed, 32);
    qtpm_memzero(&x, sizeof x);
}

/* The commitment of counter value cnt64, serialized (QTPM_LDAA_COMMIT_SIZE). */
static TPM_RC commit_compute(qtpm_tpm *tpm, const tpm_object *k, qtpm_ldaa_tpm *lt,
                             uint64_t cnt64, const uint8_t bsnval[32], const uint8_t rho[32],
                             uint8_t *out)
{
    ldaa_poly *w = calloc(LDAA_K + 1, sizeof(ldaa_poly));
    if (w == NULL)
        return TPM_RC_MEMORY;
    ldaa_spoly nym;
    uint8_t seed[32];
    commit_seed(tpm, k, cnt64, bsnval, rho, seed);
    int rc = ldaa_tpm_commit_seeded(lt, bsnval, seed, w, &w[LDAA_K], &nym);
    qtpm_memzero(seed, sizeof seed);
    if (rc == QTPM_DAA_OK) {
        int64_t v[LDAA_N];
        for (unsigned i = 0; i <= LDAA_K; i++) {
            for (unsigned j = 0; j < LDAA_N; j++)
                v[j] = (int64_t)w[i].c[j];
            ldaa_pack(out + (size_t)i * LDAA_N * LDAA_QBITS / 8, v, LDAA_N, LDAA_QBITS, 0);
        }
        ldaa_pack(out + (size_t)(LDAA_K + 1) * LDAA_N * LDAA_QBITS / 8, nym.c, LDAA_N,
                  LDAA_NYMBITS, 0);
    }
    ldaa_tpm_discard(lt);
    free(w);
    return rc == QTPM_DAA_OK ? TPM_RC_SUCCESS : TPM_RC_MEMORY;
}

/* Commit and CommitRead: the commitment of counter value cnt64 with the key
 * of handle 1 for issuer rho (ldaa_open), in a malloc'd buffer of
 * QTPM_LDAA_COMMIT_SIZE bytes (public) that the caller frees. */
static TPM_RC commitment(qtpm_tpm *tpm, tpm_cmd *c, uint64_t cnt64, const uint8_t bsnval[32],
                         const uint8_t rho[32], uint8_t **out)
{
    tpm_object *k;
    qtpm_ldaa_tpm *lt = NULL;
    TPM_RC rc = ldaa_open(tpm, c, rho, &k, &lt);
    if (rc)
        return rc;
    uint8_t *buf = malloc(QTPM_LDAA_COMMIT_SIZE);
    rc = buf == NULL ? TPM_RC_MEMORY : commit_compute(tpm, k, lt, cnt64, bsnval, rho, buf);
    qtpm_ldaa_tpm_free(lt);
    if (rc) {
        free(buf);
        return rc;
    }
    *out = buf;
    return TPM_RC_SUCCESS;
}

/* The 32-byte values of the signing commands (rho, bsnval, ctilde):
 * TPM2B_DIGEST parameters of another length are TPM_RC_SIZE. */
static TPM_RC check_32(const TPM2B_DIGEST *v, unsigned pn)
{
    return v->size == 32 ? TPM_RC_SUCCESS : RC_P(TPM_RC_SIZE, pn);
}

TPM_RC cmd_Vendor_LDAA_Commit(qtpm_tpm *tpm, tpm_cmd *c, const Vendor_LDAA_Commit_In *in,
                              Vendor_LDAA_Commit_Out *out_)
{
    TPM_RC rc = check_32(&in->rho, PN_Vendor_LDAA_Commit_rho);
    if (rc == TPM_RC_SUCCESS)
        rc = check_32(&in->bsnval, PN_Vendor_LDAA_Commit_bsnval);
    if (rc)
        return rc;
    uint8_t *out = NULL;
    rc = commitment(tpm, c, tpm->commit_counter, in->bsnval.buffer, in->rho.buffer, &out);
    if (rc)
        return rc;
    out_->counter = commit_take(tpm); /* = the low bits of the counter value */
    piece(&out_->totalSize, &out_->piece, out, QTPM_LDAA_COMMIT_SIZE, 0);
    free(out); /* public: the commitment */
    return TPM_RC_SUCCESS;
}

TPM_RC cmd_Vendor_LDAA_CommitRead(qtpm_tpm *tpm, tpm_cmd *c, const Vendor_LDAA_CommitRead_In *in,
                                  Vendor_LDAA_CommitRead_Out *out_)
{
    uint64_t cnt64 = 0;
    uint32_t offset = in->offset;
    TPM_RC rc = check_32(&in->rho, PN_Vendor_LDAA_CommitRead_rho);
    if (rc == TPM_RC_SUCCESS)
        rc = check_32(&in->bsnval, PN_Vendor_LDAA_CommitRead_bsnval);
    /* no outstanding commitment with this counter */
    if (rc == TPM_RC_SUCCESS && commit_lookup(tpm, in->counter, &cnt64) != 0)
        rc = RC_P(TPM_RC_VALUE, PN_Vendor_LDAA_CommitRead_counter);
    if (rc == TPM_RC_SUCCESS && offset >= QTPM_LDAA_COMMIT_SIZE)
        rc = RC_P(TPM_RC_VALUE, PN_Vendor_LDAA_CommitRead_offset);
    if (rc)
        return rc;
    uint8_t *out = NULL;
    rc = commitment(tpm, c, cnt64, in->bsnval.buffer, in->rho.buffer, &out);
    if (rc)
        return rc;
    piece(&out_->totalSize, &out_->piece, out, QTPM_LDAA_COMMIT_SIZE, offset);
    free(out);
    return TPM_RC_SUCCESS;
}

/* HMAC-SHA256 with a key derived from the commit nonce over the answer's
 * inputs: the ticket's MAC. */
static void respond_mac(const qtpm_tpm *tpm, const tpm_object *k, const uint8_t c8[8],
                        const uint8_t bsnval[32], const uint8_t rho[32],
                        const uint8_t ctilde[32], uint8_t mac[32])
{
    uint8_t key[32];
    qtpm_keccak_ctx x;
    qtpm_shake256_init(&x);
    qtpm_keccak_absorb(&x, (const uint8_t *)"qtpm-ldaa-ticket-key", 20);
    qtpm_keccak_absorb(&x, tpm->commit_nonce, sizeof tpm->commit_nonce);
    qtpm_keccak_squeeze(&x, key, 32);
    qtpm_memzero(&x, sizeof x);
    qtpm_hmac_ctx h;
    qtpm_hmac_init(&h, QTPM_HASH_SHA256, key, sizeof key);
    qtpm_hmac_update(&h, k->name.b, k->name.size);
    qtpm_hmac_update(&h, c8, 8);
    qtpm_hmac_update(&h, bsnval, 32);
    qtpm_hmac_update(&h, rho, 32);
    qtpm_hmac_update(&h, ctilde, 32);
    qtpm_hmac_final(&h, mac);
    qtpm_memzero(&h, sizeof h);
    qtpm_memzero(key, sizeof key);
}

TPM_RC cmd_Vendor_LDAA_Respond(qtpm_tpm *tpm, tpm_cmd *c, const Vendor_LDAA_Respond_In *in,
                               Vendor_LDAA_Respond_Out *out_)
{
    const uint8_t *rho = in->rho.buffer, *bsnval = in->bsnval.buffer, *ctilde = in->ctilde.buffer,
                  *ticket = in->ticket.buffer;
    uint16_t counter = in->counter, tlen = in->ticket.size;
    uint32_t offset = in->offset;
    uint64_t cnt64 = 0;
    TPM_RC rc = check_32(&in->rho, PN_Vendor_LDAA_Respond_rho);
    if (rc == TPM_RC_SUCCESS)
        rc = check_32(&in->bsnval, PN_Vendor_LDAA_Respond_bsnval);
    if (rc == TPM_RC_SUCCESS)
        rc = check_32(&in->ctilde, PN_Vendor_LDAA_Respond_ctilde);
    if (rc == TPM_RC_SUCCESS && tlen != 0 && tlen != QTPM_LDAA_TICKET_SIZE)
        rc = RC_P(TPM_RC_SIZE, PN_Vendor_LDAA_Respond_ticket);
    /* the first answer starts at 0 */
    if (rc == TPM_RC_SUCCESS && (offset >= QTPM_LDAA_RESPONSE_SIZE || (tlen == 0 && offset != 0)))
        rc = RC_P(TPM_RC_VALUE, PN_Vendor_LDAA_Respond_offset);
    if (rc)
        return rc;
    tpm_object *k;
    rc = ldaa_key(tpm, c->handles[0], &k);
    if (rc)
        return rc;
    uint8_t c8[8], mac[32];
    if (tlen == 0) {
        if (commit_lookup(tpm, counter, &cnt64) != 0)
            return RC_P(TPM_RC_VALUE, PN_Vendor_LDAA_Respond_counter); /* never committed, answered or too old */
        u64_be(c8, cnt64);
    } else {
        memcpy(c8, ticket, 8);
        cnt64 = 0;
        for (unsigned i = 0; i < 8; i++)
            cnt64 = cnt64 << 8 | c8[i];
        respond_mac(tpm, k, c8, bsnval, rho, ctilde, mac);
        if ((uint16_t)cnt64 != counter || !ct_equal(mac, ticket + 8, 32))
            return RC_P(TPM_RC_TICKET, PN_Vendor_LDAA_Respond_ticket);
    }
    qtpm_ldaa_tpm *lt = NULL;
    rc = ldaa_open(tpm, c, rho, &k, &lt);
    if (rc)
        return rc;
    /* used up before any answer leaves the TPM */
    if (tlen == 0)
        commit_end(tpm, counter);
    uint8_t *out = calloc(1, QTPM_LDAA_RESPONSE_SIZE);
    ldaa_poly *w = calloc(LDAA_K + 1, sizeof(ldaa_poly));
    ldaa_spoly *zs = calloc(LDAA_MS + 1, sizeof(ldaa_spoly));
    int r = -1;
    if (out != NULL && w != NULL && zs != NULL) {
        ldaa_spoly nym;
        uint8_t seed[32];
        commit_seed(tpm, k, cnt64, bsnval, rho, seed);
        if (ldaa_tpm_commit_seeded(lt, bsnval, seed, w, &w[LDAA_K], &nym) == QTPM_DAA_OK)
            r = ldaa_tpm_respond(lt, ctilde, zs, &zs[LDAA_MS]);
        qtpm_memzero(seed, sizeof seed);
    }
    qtpm_ldaa_tpm_free(lt);
    if (r == 0) {
        /* the answer: z_s, z_e, rejection-sampled, independent of s */
        out[0] = 1;
        ldaa_pack(out + 1, &zs[0].c[0], (size_t)LDAA_MS * LDAA_N, LDAA_GS + 1,
                  (int64_t)1 << LDAA_GS);
        ldaa_pack(out + 1 + LDAA_MS * LDAA_N * (LDAA_GS + 1) / 8, zs[LDAA_MS].c, LDAA_N,
                  LDAA_GE + 1, (int64_t)1 << LDAA_GE);
    } /* r == 1: aborted, out[0] = 0 and nothing else */
    size_t total = r == 0 ? QTPM_LDAA_RESPONSE_SIZE : 1;
    if (r != 0 && r != 1) {
        rc = TPM_RC_MEMORY;
    } else if (offset >= total) {
        rc = RC_P(TPM_RC_VALUE, PN_Vendor_LDAA_Respond_offset); /* past the end of an aborted answer */
    } else {
        /* the ticket goes out with the first piece only */
        if (tlen == 0) {
            respond_mac(tpm, k, c8, bsnval, rho, ctilde, mac);
            memcpy(out_->ticket.buffer, c8, 8);
            memcpy(out_->ticket.buffer + 8, mac, 32);
            out_->ticket.size = QTPM_LDAA_TICKET_SIZE;
        }
        piece(&out_->totalSize, &out_->piece, out, total, offset);
    }
    if (out != NULL)
        qtpm_memzero(out, QTPM_LDAA_RESPONSE_SIZE);
    if (zs != NULL)
        qtpm_memzero(zs, (LDAA_MS + 1) * sizeof(ldaa_spoly));
    free(out);
    free(w);
    free(zs);
    return rc;
}
