/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcr.c — Platform Configuration Registers (Part 1 §17, Part 3 §22):
 * 24 PCRs in up to seven banks (SHA-1, SHA-256, SHA-384, SHA-512 allocated
 * from manufacture; SHA3-256, SHA3-384, SHA3-512 by PCR_Allocate), and the
 * commands PCR_Read, PCR_Extend, PCR_Event, PCR_Reset and PCR_Allocate.
 *
 * PCR attributes follow the PC Client platform profile as the TCG reference
 * implementation sets them: PCRs 0-15 and 17-22 are saved by
 * Shutdown(STATE) and restored by Startup(STATE); 17-22 start as all ones
 * (they belong to dynamic root of trust and are only reset by it); 16 and
 * 23 (debug and application) can be reset at any locality.
 */
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "pcr.h"
#include "qtpm/marshal.h"

static const TPM_ALG_ID bank_algs[PCR_BANK_COUNT] = {
    TPM_ALG_SHA1,     TPM_ALG_SHA256,   TPM_ALG_SHA384,  TPM_ALG_SHA512,
    TPM_ALG_SHA3_256, TPM_ALG_SHA3_384, TPM_ALG_SHA3_512};

int pcr_bank_index(TPM_ALG_ID alg)
{
    for (int i = 0; i < PCR_BANK_COUNT; i++)
        if (bank_algs[i] == alg)
            return i;
    return -1;
}

TPM_ALG_ID pcr_bank_alg(int idx) { return bank_algs[idx]; }

static int pcr_state_saved(unsigned pcr) { return pcr != 16 && pcr != 23; }
static int pcr_resettable(unsigned pcr) { return pcr == 16 || pcr == 23; }

int pcr_bank_allocated(const qtpm_tpm *tpm, int b)
{
    if (!tpm_alg_enabled(tpm, bank_algs[b]))
        return 0; /* the profile disables its hash: the bank does not exist */
    for (int i = 0; i < PCR_BANK_COUNT; i++)
        if (tpm->ps.banks[i].alg == bank_algs[b])
            return tpm->ps.banks[i].allocated;
    return 0;
}

void pcr_init_values(qtpm_tpm *tpm, int on_resume)
{
    if (!on_resume && tpm->ps.alloc_pending) {
        /* PCR_Allocate takes effect at the next TPM Reset (Part 3 §22.5). */
        if (tpm->ps.orderly != 2)
            for (int i = 0; i < PCR_BANK_COUNT; i++)
                tpm->ps.banks[i].allocated = tpm->ps.pending_alloc[i];
        tpm->ps.alloc_pending = tpm->ps.orderly == 2;
    }
    for (int b = 0; b < PCR_BANK_COUNT; b++) {
        size_t len = crypt_hash_size(bank_algs[b]);
        for (unsigned p = 0; p < PCR_COUNT; p++) {
            if (on_resume && pcr_state_saved(p))
                memcpy(tpm->pcr[b][p], tpm->ps.saved_pcr[b][p], MAX_DIGEST);
            else
                memset(tpm->pcr[b][p], (p >= 17 && p <= 22) ? 0xFF : 0x00, len);
        }
    }
    tpm->pcr_counter = on_resume ? tpm->ps.saved_pcr_counter : 0;
}

/* pcr := H(pcr || digest) in bank b. */
static void pcr_extend_one(qtpm_tpm *tpm, int b, unsigned pcr, const uint8_t *digest)
{
    TPM_ALG_ID alg = bank_algs[b];
    size_t len = crypt_hash_size(alg);
    crypt_part parts[] = {{tpm->pcr[b][pcr], len}, {digest, len}};
    crypt_hash_parts(alg, tpm->pcr[b][pcr], parts, 2);
}

/* Part 3 §22.4 TPM2_PCR_Read. At most eight digests fit TPML_DIGEST; the
 * selection returned says which ones were read. */
TPM_RC cmd_PCR_Read(qtpm_tpm *tpm, tpm_cmd *c, const PCR_Read_In *in, PCR_Read_Out *out)
{
    (void)c;
    const TPML_PCR_SELECTION *l = &in->pcrSelectionIn;
    TPML_PCR_SELECTION *sel = &out->pcrSelectionOut;
    TPML_DIGEST *d = &out->pcrValues;
    sel->count = l->count;
    for (uint32_t i = 0; i < l->count; i++) {
        const TPMS_PCR_SELECTION *s = &l->pcrSelections[i];
        sel->pcrSelections[i].hash = s->hash;
        sel->pcrSelections[i].sizeofSelect = s->sizeofSelect;
        int b = pcr_bank_index(s->hash);
        if (b < 0 || !pcr_bank_allocated(tpm, b))
            continue;
        for (unsigned p = 0; p < PCR_COUNT; p++) {
            if (!(s->pcrSelect[p / 8] & (1u << (p % 8))))
                continue;
            if (d->count == 8)
                break;
            sel->pcrSelections[i].pcrSelect[p / 8] |= (uint8_t)(1u << (p % 8));
            TPM2B_DIGEST *v = &d->digests[d->count++];
            v->size = (UINT16)crypt_hash_size(s->hash);
            memcpy(v->buffer, tpm->pcr[b][p], v->size);
        }
    }
    out->pcrUpdateCounter = tpm->pcr_counter;
    return TPM_RC_SUCCESS;
}

static TPM_RC pcr_handle_index(TPM_HANDLE h, unsigned *idx)
{
    if (h > PCR_COUNT - 1)
        return RC_H(TPM_RC_VALUE, 1);
    *idx = h;
    return TPM_RC_SUCCESS;
}

/* Part 3 §22.2 TPM2_PCR_Extend: digests is a TPML_DIGEST_VALUES; banks not
 * named keep their value (Part 1 §17.4). */
TPM_RC cmd_PCR_Extend(qtpm_tpm *tpm, tpm_cmd *c, const PCR_Extend_In *in, PCR_Extend_Out *out)
{
    (void)out;
    const TPML_DIGEST_VALUES *l = &in->digests;
    if (c->handles[0] == TPM_RH_NULL)
        return TPM_RC_SUCCESS;
    unsigned p;
    TPM_RC rc = pcr_handle_index(c->handles[0], &p);
    if (rc)
        return rc;
    for (uint32_t i = 0; i < l->count; i++) {
        int b = pcr_bank_index(l->digests[i].hashAlg);
        if (b >= 0 && pcr_bank_allocated(tpm, b))
            pcr_extend_one(tpm, b, p, (const uint8_t *)&l->digests[i].digest);
    }
    tpm->pcr_counter++;
    return TPM_RC_SUCCESS;
}

/* Part 3 §22.3 TPM2_PCR_Event: eventData hashed and each allocated bank of
 * the PCR extended with its digest. The digests returned are those of the
 * allocated banks, not of every implemented hash: clients that predate SHA-3
 * (tpm2-tss 3.2.1 cannot unmarshal a SHA3 TPMT_HA) then keep working until
 * someone allocates a SHA-3 bank — see docs/PQC.md. */
TPM_RC cmd_PCR_Event(qtpm_tpm *tpm, tpm_cmd *c, const PCR_Event_In *in, PCR_Event_Out *out)
{
    unsigned p = 0;
    int extend = c->handles[0] != TPM_RH_NULL;
    if (extend) {
        TPM_RC rc = pcr_handle_index(c->handles[0], &p);
        if (rc)
            return rc;
    }
    TPML_DIGEST_VALUES *l = &out->digests;
    for (int b = 0; b < PCR_BANK_COUNT; b++) {
        if (!pcr_bank_allocated(tpm, b))
            continue;
        TPMT_HA *h = &l->digests[l->count++];
        uint8_t *d = (uint8_t *)&h->digest;
        h->hashAlg = bank_algs[b];
        crypt_hash(bank_algs[b], in->eventData.buffer, in->eventData.size, d);
        if (extend)
            pcr_extend_one(tpm, b, p, d);
    }
    if (extend)
        tpm->pcr_counter++;
    return TPM_RC_SUCCESS;
}

/* Part 3 §22.8 TPM2_PCR_Reset */
TPM_RC cmd_PCR_Reset(qtpm_tpm *tpm, tpm_cmd *c, const PCR_Reset_In *in, PCR_Reset_Out *out)
{
    (void)in, (void)out;
    unsigned p;
    TPM_RC rc = pcr_handle_index(c->handles[0], &p);
    if (rc)
        return rc;
    if (!pcr_resettable(p))
        return TPM_RC_LOCALITY;
    for (int b = 0; b < PCR_BANK_COUNT; b++)
        memset(tpm->pcr[b][p], 0, MAX_DIGEST);
    tpm->pcr_counter++;
    return TPM_RC_SUCCESS;
}

/* Part 3 §22.5 TPM2_PCR_Allocate: the new allocation applies at the next
 * TPM Reset. Banks the list does not mention keep their state. */
TPM_RC cmd_PCR_Allocate(qtpm_tpm *tpm, tpm_cmd *c, const PCR_Allocate_In *in,
                        PCR_Allocate_Out *out)
{
    (void)c;
    const TPML_PCR_SELECTION *l = &in->pcrAllocation;
    uint8_t next[PCR_BANK_COUNT];
    for (int b = 0; b < PCR_BANK_COUNT; b++)
        next[b] = tpm->ps.alloc_pending ? tpm->ps.pending_alloc[b] : (uint8_t)pcr_bank_allocated(tpm, b);
    for (uint32_t i = 0; i < l->count; i++) {
        int b = pcr_bank_index(l->pcrSelections[i].hash);
        if (b < 0)
            return RC_P(TPM_RC_HASH, PN_PCR_Allocate_pcrAllocation);
        int any = 0;
        for (unsigned k = 0; k < l->pcrSelections[i].sizeofSelect; k++)
            any |= l->pcrSelections[i].pcrSelect[k];
        next[b] = any != 0;
    }
    int any_bank = 0;
    for (int b = 0; b < PCR_BANK_COUNT; b++)
        any_bank |= next[b];
    uint8_t ok = any_bank ? 1 : 0;
    if (ok) {
        memcpy(tpm->ps.pending_alloc, next, sizeof(next));
        tpm->ps.alloc_pending = 1;
        tpm->dirty = 1;
    }
    out->allocationSuccess = ok;
    out->maxPCR = PCR_COUNT;
    out->sizeNeeded = PCR_BANK_COUNT * PCR_COUNT * MAX_DIGEST;
    out->sizeAvailable = PCR_BANK_COUNT * PCR_COUNT * MAX_DIGEST;
    return TPM_RC_SUCCESS;
}

void pcr_allocation(const qtpm_tpm *tpm, TPML_PCR_SELECTION *l)
{
    /* the banks of hashes the profile disables are not listed at all */
    l->count = 0;
    for (int b = 0; b < PCR_BANK_COUNT; b++) {
        if (!tpm_alg_enabled(tpm, bank_algs[b]))
            continue;
        TPMS_PCR_SELECTION *s = &l->pcrSelections[l->count++];
        s->hash = bank_algs[b];
        s->sizeofSelect = PCR_SELECT_MAX;
        memset(s->pcrSelect, pcr_bank_allocated(tpm, b) ? 0xFF : 0x00, PCR_SELECT_MAX);
    }
}

/* Digest over the selected PCRs of one selection list (PolicyPCR, Quote,
 * creation data): H(PCR values concatenated in selection order) with hash
 * alg; a selection naming no bank is TPM_RC_HASH (bare: the caller numbers
 * it). */
TPM_RC pcr_selection_digest(qtpm_tpm *tpm, const TPML_PCR_SELECTION *sel, TPM_ALG_ID alg,
                            uint8_t *digest)
{
    qtpm_hash_ctx ctx;
    if (qtpm_hash_init(&ctx, crypt_hash_alg(alg)) != QTPM_OK)
        return TPM_RC_HASH;
    for (uint32_t i = 0; i < sel->count; i++) {
        const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
        int b = pcr_bank_index(s->hash);
        if (b < 0) {
            qtpm_hash_free(&ctx);
            return TPM_RC_HASH;
        }
        for (unsigned p = 0; p < PCR_COUNT; p++)
            if ((s->pcrSelect[p / 8] & (1u << (p % 8))) && pcr_bank_allocated(tpm, b))
                qtpm_hash_update(&ctx, tpm->pcr[b][p], crypt_hash_size(s->hash));
    }
    qtpm_hash_final(&ctx, digest);
    return TPM_RC_SUCCESS;
}

/* Extends PCR h in every allocated bank with that bank's digest
 * (EventSequenceComplete). */
void pcr_extend_digests(qtpm_tpm *tpm, TPM_HANDLE h, uint8_t digests[PCR_BANK_COUNT][MAX_DIGEST])
{
    if (h >= PCR_COUNT)
        return;
    for (int b = 0; b < PCR_BANK_COUNT; b++)
        if (pcr_bank_allocated(tpm, b))
            pcr_extend_one(tpm, b, h, digests[b]);
    tpm->pcr_counter++;
}
