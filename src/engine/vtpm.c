/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vtpm.c — the platform functions a virtual machine's TPM needs beyond the
 * TCG simulator's signals (engine.h, "Virtual TPM"), as swtpm's control
 * channel offers them to QEMU (docs/VTPM.md):
 *
 *  - the D-RTM event: _TPM_Hash_Start/_Data/_End (Part 1 §34.3, PC Client
 *    PTP "Dynamic Root of Trust"). The platform collects the data; at the
 *    end the TPM resets the dynamic PCRs 17..22 to zero in every bank and
 *    extends PCR 17 with the data's digest in each allocated bank. A
 *    sequence before TPM2_Startup (an H-CRTM event into PCR 0) is refused.
 *  - the state as blobs a hypervisor can carry away and bring back for
 *    migration and snapshots (swtpm's GET/SET_STATEBLOB): the permanent
 *    blob is exactly the state file (tpm.c, docs/SERVER.md) and is checked
 *    the same way when it comes back; the volatile blob holds what a running
 *    TPM keeps in RAM and a guest cannot rebuild: Startup done, PCR values
 *    and counter, hierarchy enables, platform auth and policy, Time, the
 *    commit nonce and counters. Loaded transient objects and sessions are
 *    not carried (the volatile blob says so with a count of 0; a guest
 *    kernel flushes its transient objects after each use).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "context.h"
#include "crypt.h"
#include "ct.h"
#include "entity.h"
#include "nv.h"
#include "pcr.h"
#include "prime.h"

#define VOL_MAGIC "QTPMVOL1"
#define VOL_SUM_LEN 32

int qtpm_tpm_drtm_event(qtpm_tpm *tpm, const uint8_t *data, size_t len)
{
    if (tpm == NULL || (data == NULL && len > 0))
        return QTPM_E_PARAM;
    if (!tpm->powered || !tpm->started)
        return QTPM_E_PARAM;
    /* Part 1 §34.3: the dynamic PCRs go from their "not reset" value
     * (all ones, pcr.c) to zero, then PCR 17 := H(0...0 || H(data)). */
    uint8_t digests[PCR_BANK_COUNT][MAX_DIGEST];
    memset(digests, 0, sizeof(digests));
    for (int b = 0; b < PCR_BANK_COUNT; b++) {
        TPM_ALG_ID alg = pcr_bank_alg(b);
        size_t n = crypt_hash_size(alg);
        if (n == 0)
            continue;
        for (unsigned p = 17; p <= 22; p++)
            memset(tpm->pcr[b][p], 0, n);
        if (crypt_hash(alg, data, len, digests[b]) != 0)
            return QTPM_E_CRYPTO;
    }
    pcr_extend_digests(tpm, 17, digests);
    return QTPM_OK;
}

int qtpm_tpm_get_permanent(qtpm_tpm *tpm, uint8_t **blob, size_t *len)
{
    if (tpm == NULL || blob == NULL || len == NULL)
        return QTPM_E_PARAM;
    /* The blob the store holds is the state; saving first makes it current
     * (Clock included). */
    tpm_clock_update(tpm);
    int rc = tpm_state_save(tpm);
    if (rc != QTPM_OK)
        return rc;
    *blob = malloc(tpm->saved_len);
    if (*blob == NULL)
        return QTPM_E_NOMEM;
    memcpy(*blob, tpm->saved_blob, tpm->saved_len);
    *len = tpm->saved_len;
    return QTPM_OK;
}

typedef struct {
    const uint8_t *data;
    size_t len;
} one_blob;

static int one_load(void *ctx, const char *name, uint8_t **data, size_t *len)
{
    const one_blob *b = ctx;
    (void)name;
    *data = malloc(b->len ? b->len : 1);
    if (*data == NULL)
        return QTPM_E_NOMEM;
    memcpy(*data, b->data, b->len);
    *len = b->len;
    return QTPM_OK;
}

int qtpm_tpm_set_permanent(qtpm_tpm *tpm, const uint8_t *blob, size_t len, char *err,
                           size_t err_size)
{
    if (tpm == NULL || blob == NULL)
        return QTPM_E_PARAM;
    if (tpm->powered)
        return QTPM_E_PARAM;
    /* Load the blob as a TPM of its own, with every check a state file
     * gets; only a blob that loads replaces the state. */
    one_blob src = {blob, len};
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.store.ctx = &src;
    cfg.store.load = one_load;
    cfg.err = err;
    cfg.err_size = err_size;
    qtpm_tpm *fresh = NULL;
    int rc = qtpm_tpm_new(&fresh, &cfg);
    if (rc != QTPM_OK)
        return rc;
    nv_free_all(tpm);
    persistent_free_all(tpm);
    prime_cache_wipe(tpm);
    tpm->ps = fresh->ps;
    tpm->profile = fresh->profile; /* the profile travels with the state */
    memcpy(tpm->nv, fresh->nv, sizeof(tpm->nv));
    memset(fresh->nv, 0, sizeof(fresh->nv));
    memcpy(tpm->persistent, fresh->persistent, sizeof(tpm->persistent));
    memset(fresh->persistent, 0, sizeof(fresh->persistent));
    tpm->clock_saved = tpm->ps.clock;
    tpm->clock_base_ms = tpm_now_ms();
    fresh->store.save = NULL; /* one_blob has nothing to save to */
    qtpm_tpm_free(fresh);
    rc = tpm_state_save(tpm);
    return rc;
}

int qtpm_tpm_get_volatile(qtpm_tpm *tpm, uint8_t **blob, size_t *len)
{
    if (tpm == NULL || blob == NULL || len == NULL)
        return QTPM_E_PARAM;
    if (!tpm->powered)
        return QTPM_E_PARAM;
    tpm_clock_update(tpm);
    size_t cap = 256 + sizeof(tpm->pcr) + 2 * sizeof(tpm_buf64) + sizeof(tpm->commit_nonce) +
                 sizeof(tpm->commit_array) + VOL_SUM_LEN;
    uint8_t *buf = malloc(cap);
    if (buf == NULL)
        return QTPM_E_NOMEM;
    tpm_wr w = {buf, cap, 0, 0};
    wr_bytes(&w, VOL_MAGIC, 8);
    wr_u8(&w, (uint8_t)tpm->started);
    wr_u8(&w, (uint8_t)tpm->self_tested);
    wr_u8(&w, tpm->sh_enable);
    wr_u8(&w, tpm->eh_enable);
    wr_u8(&w, tpm->ph_enable);
    wr_u64(&w, tpm->time_ms);
    wr_u32(&w, tpm->pcr_counter);
    wr_bytes(&w, tpm->pcr, sizeof(tpm->pcr));
    wr_2b(&w, tpm->platform_auth.b, tpm->platform_auth.size);
    wr_2b(&w, tpm->platform_policy.b, tpm->platform_policy.size);
    wr_u16(&w, tpm->platform_policy_alg);
    wr_bytes(&w, tpm->commit_nonce, sizeof(tpm->commit_nonce));
    wr_u64(&w, tpm->commit_counter);
    wr_bytes(&w, tpm->commit_array, sizeof(tpm->commit_array));
    wr_u32(&w, 0); /* loaded objects and sessions carried: none */
    if (w.overflow || w.cap - w.off < VOL_SUM_LEN ||
        crypt_hash(TPM_ALG_SHA256, buf, w.off, buf + w.off) != 0) {
        qtpm_memzero(buf, cap);
        free(buf);
        return QTPM_E_BUFFER;
    }
    *blob = buf;
    *len = w.off + VOL_SUM_LEN;
    return QTPM_OK;
}

int qtpm_tpm_set_volatile(qtpm_tpm *tpm, const uint8_t *blob, size_t len)
{
    if (tpm == NULL || blob == NULL)
        return QTPM_E_PARAM;
    if (!tpm->powered)
        return QTPM_E_PARAM;
    uint8_t sum[VOL_SUM_LEN];
    if (len < 8 + VOL_SUM_LEN || !public_equal(blob, VOL_MAGIC, 8) ||
        crypt_hash(TPM_ALG_SHA256, blob, len - VOL_SUM_LEN, sum) != 0 ||
        !public_equal(sum, blob + len - VOL_SUM_LEN, VOL_SUM_LEN))
        return QTPM_E_INVALID;
    tpm_rd r = {blob, len - VOL_SUM_LEN, 8};
    uint8_t started, tested, sh, eh, ph;
    uint64_t time_ms, commit_counter;
    uint32_t counter, carried;
    uint16_t policy_alg;
    uint8_t pcr[PCR_BANK_COUNT][PCR_COUNT][MAX_DIGEST];
    tpm_buf64 auth, policy;
    uint8_t nonce[sizeof(tpm->commit_nonce)], array[sizeof(tpm->commit_array)];
    memset(&auth, 0, sizeof(auth));
    memset(&policy, 0, sizeof(policy));
    if (rd_u8(&r, &started) || rd_u8(&r, &tested) || rd_u8(&r, &sh) || rd_u8(&r, &eh) ||
        rd_u8(&r, &ph) || rd_u64(&r, &time_ms) || rd_u32(&r, &counter) ||
        rd_bytes(&r, &pcr[0][0][0], sizeof(pcr)) ||
        rd_2b(&r, auth.b, sizeof(auth.b), &auth.size) ||
        rd_2b(&r, policy.b, sizeof(policy.b), &policy.size) || rd_u16(&r, &policy_alg) ||
        rd_bytes(&r, nonce, sizeof(nonce)) || rd_u64(&r, &commit_counter) ||
        rd_bytes(&r, array, sizeof(array)) || rd_u32(&r, &carried) || carried != 0 ||
        rd_left(&r) != 0 || started > 1 || tested > 1 || sh > 1 || eh > 1 || ph > 1)
        return QTPM_E_INVALID;
    tpm_flush_all_volatile(tpm);
    tpm->started = started;
    tpm->self_tested = tested;
    tpm->sh_enable = sh;
    tpm->eh_enable = eh;
    tpm->ph_enable = ph;
    tpm->time_ms = time_ms;
    tpm->pcr_counter = counter;
    memcpy(tpm->pcr, pcr, sizeof(pcr));
    tpm->platform_auth = auth;
    tpm->platform_policy = policy;
    tpm->platform_policy_alg = policy_alg;
    memcpy(tpm->commit_nonce, nonce, sizeof(nonce));
    tpm->commit_counter = commit_counter;
    memcpy(tpm->commit_array, array, sizeof(array));
    qtpm_memzero(&auth, sizeof(auth));
    qtpm_memzero(&policy, sizeof(policy));
    qtpm_memzero(nonce, sizeof(nonce));
    return QTPM_OK;
}
