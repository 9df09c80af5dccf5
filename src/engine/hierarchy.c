/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * hierarchy.c — the four permanent hierarchies (Part 1 §14): their seeds,
 * proofs, authValues and policies, and the commands that manage them:
 * HierarchyControl, HierarchyChangeAuth, SetPrimaryPolicy, Clear,
 * ClearControl, ChangeEPS, ChangePPS (Part 3 §24), and dictionary-attack
 * protection: DictionaryAttackLockReset and DictionaryAttackParameters
 * (Part 3 §25, Part 1 §19.8.6).
 *
 * CreatePrimary lives in object.c next to the other object creators; it
 * asks here for the hierarchy's seed.
 */
#include <stdlib.h>

#include "auth.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "hierarchy.h"
#include "nv.h"
#include "object.h"
#include "prime.h"
#include "session.h"

const uint8_t *hierarchy_proof(qtpm_tpm *tpm, TPM_HANDLE h)
{
    switch (h) {
    case TPM_RH_OWNER: return tpm->ps.sh_proof;
    case TPM_RH_ENDORSEMENT: return tpm->ps.eh_proof;
    case TPM_RH_PLATFORM: return tpm->ps.ph_proof;
    default: return tpm->ps.null_proof;
    }
}

const uint8_t *hierarchy_seed(qtpm_tpm *tpm, TPM_HANDLE h)
{
    switch (h) {
    case TPM_RH_OWNER: return tpm->ps.sps;
    case TPM_RH_ENDORSEMENT: return tpm->ps.eps;
    case TPM_RH_PLATFORM: return tpm->ps.pps;
    default: return tpm->ps.null_seed;
    }
}

int hierarchy_enabled(qtpm_tpm *tpm, TPM_HANDLE h)
{
    switch (h) {
    case TPM_RH_OWNER: return tpm->sh_enable;
    case TPM_RH_ENDORSEMENT: return tpm->eh_enable;
    case TPM_RH_PLATFORM: return tpm->ph_enable;
    case TPM_RH_PLATFORM_NV: return tpm->ps.ph_enable_nv && tpm->ph_enable;
    default: return 1;
    }
}

/* Flushes transient objects of a hierarchy (disabling or clearing it). */
static void flush_hierarchy_objects(qtpm_tpm *tpm, TPM_HANDLE h)
{
    for (int i = 0; i < MAX_LOADED_OBJECTS; i++) {
        tpm_object *o = tpm->objects[i];
        if (o && !o->is_sequence && o->hierarchy == h) {
            object_free(o);
            tpm->objects[i] = NULL;
        }
    }
}

static void remove_persistent_of(qtpm_tpm *tpm, TPM_HANDLE h)
{
    for (int i = 0; i < MAX_PERSISTENT; i++) {
        tpm_object *o = tpm->persistent[i];
        if (o && o->hierarchy == h) {
            object_free(o);
            tpm->persistent[i] = NULL;
            tpm->dirty = 1;
        }
    }
}

/* Part 3 §24.2 TPM2_HierarchyControl */
TPM_RC cmd_HierarchyControl(qtpm_tpm *tpm, tpm_cmd *c, const HierarchyControl_In *in,
                            HierarchyControl_Out *out)
{
    (void)out;
    TPMI_RH_ENABLES enable = in->enable;
    TPMI_YES_NO state = in->state;
    TPM_HANDLE auth = c->handles[0];
    uint8_t *flag;
    switch (enable) {
    case TPM_RH_OWNER: flag = &tpm->sh_enable; break;
    case TPM_RH_ENDORSEMENT: flag = &tpm->eh_enable; break;
    case TPM_RH_PLATFORM: flag = &tpm->ph_enable; break;
    case TPM_RH_PLATFORM_NV: flag = &tpm->ps.ph_enable_nv; break;
    default: return RC_P(TPM_RC_VALUE, PN_HierarchyControl_enable);
    }
    /* Only the platform may enable, or touch anything but its own hierarchy
     * (owner disables the storage hierarchy, endorsement the endorsement). */
    if (state == 1 && auth != TPM_RH_PLATFORM)
        return TPM_RC_AUTH_TYPE;
    if (auth != TPM_RH_PLATFORM && enable != auth)
        return TPM_RC_AUTH_TYPE;
    *flag = state;
    if (!state) {
        if (enable == TPM_RH_PLATFORM_NV)
            tpm->dirty = 1;
        else
            flush_hierarchy_objects(tpm, enable);
    }
    return TPM_RC_SUCCESS;
}

/* Part 3 §24.8 TPM2_HierarchyChangeAuth */
TPM_RC cmd_HierarchyChangeAuth(qtpm_tpm *tpm, tpm_cmd *c, const HierarchyChangeAuth_In *in,
                               HierarchyChangeAuth_Out *out)
{
    (void)out;
    /* The context integrity hash (SHA-256) bounds the size (Part 3 §24.8). */
    if (in->newAuth.size > 32)
        return RC_P(TPM_RC_SIZE, PN_HierarchyChangeAuth_newAuth);
    tpm_buf64 a = {0};
    memcpy(a.b, in->newAuth.buffer, in->newAuth.size);
    a.size = auth_trim(a.b, in->newAuth.size);
    switch (c->handles[0]) {
    case TPM_RH_OWNER: tpm->ps.owner_auth = a; break;
    case TPM_RH_ENDORSEMENT: tpm->ps.endorsement_auth = a; break;
    case TPM_RH_LOCKOUT: tpm->ps.lockout_auth = a; break;
    case TPM_RH_PLATFORM: tpm->platform_auth = a; break;
    default: return RC_H(TPM_RC_VALUE, 1);
    }
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §24.3 TPM2_SetPrimaryPolicy */
TPM_RC cmd_SetPrimaryPolicy(qtpm_tpm *tpm, tpm_cmd *c, const SetPrimaryPolicy_In *in,
                            SetPrimaryPolicy_Out *out)
{
    (void)out;
    TPM_ALG_ID alg = in->hashAlg; /* NULL or a hash of the profile (TPMI_ALG_HASH+) */
    tpm_buf64 p = {0};
    if (alg == TPM_ALG_NULL ? in->authPolicy.size != 0
                            : in->authPolicy.size != crypt_hash_size(alg))
        return RC_P(TPM_RC_SIZE, PN_SetPrimaryPolicy_authPolicy);
    memcpy(p.b, in->authPolicy.buffer, in->authPolicy.size);
    p.size = in->authPolicy.size;
    switch (c->handles[0]) {
    case TPM_RH_OWNER: tpm->ps.owner_policy = p; tpm->ps.owner_policy_alg = alg; break;
    case TPM_RH_ENDORSEMENT:
        tpm->ps.endorsement_policy = p;
        tpm->ps.endorsement_policy_alg = alg;
        break;
    case TPM_RH_LOCKOUT: tpm->ps.lockout_policy = p; tpm->ps.lockout_policy_alg = alg; break;
    case TPM_RH_PLATFORM: tpm->platform_policy = p; tpm->platform_policy_alg = alg; break;
    default: return RC_H(TPM_RC_VALUE, 1);
    }
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §24.6 TPM2_Clear: new storage seed and proofs, owner and
 * endorsement auth and policy and lockoutAuth emptied, owner NV indices and
 * persistent objects of the storage and endorsement hierarchies removed. */
TPM_RC cmd_Clear(qtpm_tpm *tpm, tpm_cmd *c, const Clear_In *in, Clear_Out *out)
{
    (void)c, (void)in, (void)out;
    tpm_pstate *ps = &tpm->ps;
    if (ps->disable_clear)
        return TPM_RC_DISABLED;
    flush_hierarchy_objects(tpm, TPM_RH_OWNER);
    flush_hierarchy_objects(tpm, TPM_RH_ENDORSEMENT);
    remove_persistent_of(tpm, TPM_RH_OWNER);
    remove_persistent_of(tpm, TPM_RH_ENDORSEMENT);
    for (int i = 0; i < MAX_NV_INDICES; i++)
        if (tpm->nv[i] && !(tpm->nv[i]->pub.attributes & TPMA_NV_PLATFORMCREATE)) {
            TPM_HANDLE h = tpm->nv[i]->pub.nvIndex;
            (void)h;
            qtpm_memzero(tpm->nv[i]->data, tpm->nv[i]->pub.dataSize);
            free(tpm->nv[i]->data);
            qtpm_memzero(tpm->nv[i], sizeof(*tpm->nv[i]));
            free(tpm->nv[i]);
            tpm->nv[i] = NULL;
        }
    prime_cache_wipe(tpm);
    if (crypt_random(ps->sps, 64) || crypt_random(ps->sh_proof, 64) ||
        crypt_random(ps->eh_proof, 64))
        return TPM_RC_FAILURE;
    memset(&ps->owner_auth, 0, sizeof(ps->owner_auth));
    memset(&ps->endorsement_auth, 0, sizeof(ps->endorsement_auth));
    memset(&ps->lockout_auth, 0, sizeof(ps->lockout_auth));
    memset(&ps->owner_policy, 0, sizeof(ps->owner_policy));
    memset(&ps->endorsement_policy, 0, sizeof(ps->endorsement_policy));
    memset(&ps->lockout_policy, 0, sizeof(ps->lockout_policy));
    ps->owner_policy_alg = ps->endorsement_policy_alg = ps->lockout_policy_alg = TPM_ALG_NULL;
    ps->failed_tries = 0;
    ps->clear_count++;
    /* Part 3 §24.6 TPM2_Clear: resetCount and restartCount go back to 0
     * (Part 2 §10.11.1: resetCount counts the TPM Resets since the last
     * Clear), so `tpm2_policycountertimer resets=0` holds after tpm2_clear,
     * as on swtpm. */
    ps->reset_count = 0;
    ps->restart_count = 0;
    ps->clock_safe = 1; /* Part 2 §10.11.1: safe is SET by TPM2_Clear */
    tpm->sh_enable = tpm->eh_enable = 1;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §24.7 TPM2_ClearControl: lockout may only set disableClear. */
TPM_RC cmd_ClearControl(qtpm_tpm *tpm, tpm_cmd *c, const ClearControl_In *in,
                        ClearControl_Out *out)
{
    (void)out;
    TPMI_YES_NO disable = in->disable;
    if (c->handles[0] == TPM_RH_LOCKOUT && !disable)
        return TPM_RC_AUTH_FAIL;
    tpm->ps.disable_clear = disable;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §24.5 TPM2_ChangeEPS */
TPM_RC cmd_ChangeEPS(qtpm_tpm *tpm, tpm_cmd *c, const ChangeEPS_In *in, ChangeEPS_Out *out)
{
    (void)c, (void)in, (void)out;
    flush_hierarchy_objects(tpm, TPM_RH_ENDORSEMENT);
    remove_persistent_of(tpm, TPM_RH_ENDORSEMENT);
    prime_cache_wipe(tpm);
    if (crypt_random(tpm->ps.eps, 64) || crypt_random(tpm->ps.eh_proof, 64))
        return TPM_RC_FAILURE;
    memset(&tpm->ps.endorsement_auth, 0, sizeof(tpm->ps.endorsement_auth));
    memset(&tpm->ps.endorsement_policy, 0, sizeof(tpm->ps.endorsement_policy));
    tpm->ps.endorsement_policy_alg = TPM_ALG_NULL;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §24.4 TPM2_ChangePPS */
TPM_RC cmd_ChangePPS(qtpm_tpm *tpm, tpm_cmd *c, const ChangePPS_In *in, ChangePPS_Out *out)
{
    (void)c, (void)in, (void)out;
    flush_hierarchy_objects(tpm, TPM_RH_PLATFORM);
    remove_persistent_of(tpm, TPM_RH_PLATFORM);
    prime_cache_wipe(tpm);
    if (crypt_random(tpm->ps.pps, 64) || crypt_random(tpm->ps.ph_proof, 64))
        return TPM_RC_FAILURE;
    memset(&tpm->platform_policy, 0, sizeof(tpm->platform_policy));
    tpm->platform_policy_alg = TPM_ALG_NULL;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §25.2 TPM2_DictionaryAttackLockReset */
TPM_RC cmd_DictionaryAttackLockReset(qtpm_tpm *tpm, tpm_cmd *c,
                                     const DictionaryAttackLockReset_In *in,
                                     DictionaryAttackLockReset_Out *out)
{
    (void)c, (void)in, (void)out;
    tpm->ps.failed_tries = 0;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §25.3 TPM2_DictionaryAttackParameters */
TPM_RC cmd_DictionaryAttackParameters(qtpm_tpm *tpm, tpm_cmd *c,
                                      const DictionaryAttackParameters_In *in,
                                      DictionaryAttackParameters_Out *out)
{
    (void)c, (void)out;
    uint32_t max_tries = in->newMaxTries, recovery = in->newRecoveryTime,
             lockout_recovery = in->lockoutRecovery;
    tpm->ps.max_tries = max_tries;
    tpm->ps.recovery_time = recovery;
    tpm->ps.lockout_recovery = lockout_recovery;
    if (tpm->ps.failed_tries > max_tries)
        tpm->ps.failed_tries = max_tries;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Recovery from DA lockout as Time passes (Part 1 §19.8.6): one failure
 * forgiven per recoveryTime seconds, and lockoutAuth usable again after
 * lockoutRecovery seconds. Called before each command. */
void hierarchy_da_tick(qtpm_tpm *tpm)
{
    tpm_pstate *ps = &tpm->ps;
    uint64_t now = tpm->time_ms;
    if (ps->failed_tries > 0 && ps->recovery_time > 0) {
        uint64_t step = (uint64_t)ps->recovery_time * 1000u;
        if (tpm->da_last_ms == 0 || now < tpm->da_last_ms)
            tpm->da_last_ms = now;
        while (ps->failed_tries > 0 && now - tpm->da_last_ms >= step) {
            ps->failed_tries--;
            tpm->da_last_ms += step;
            tpm->dirty = 1;
        }
    } else {
        tpm->da_last_ms = now;
    }
    if (ps->lockout_auth_locked && ps->lockout_recovery > 0 &&
        now - tpm->lockout_started_ms >= (uint64_t)ps->lockout_recovery * 1000u) {
        ps->lockout_auth_locked = 0;
        tpm->dirty = 1;
    }
}
