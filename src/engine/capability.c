/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * capability.c — what the TPM says about itself: TPM2_GetCapability
 * (Part 3 §30.2) and TPM2_TestParms (Part 3 §30.3).
 *
 * The algorithm and command tables it reports are commands.c's: a new
 * algorithm is one row there plus its handlers.
 *
 * Every capability returns at most propertyCount entries starting at
 * property, and sets moreData when entries remain (Part 3 §30.2).
 */
#include <stdio.h>

#include "capability.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "entity.h"
#include "nv.h"
#include "object.h"
#include "pcr.h"
#include "session.h"

static const TPM_ECC_CURVE curves[] = {TPM_ECC_NIST_P256, TPM_ECC_NIST_P384, TPM_ECC_BN_P256};
#define NCURVES (sizeof(curves) / sizeof(curves[0]))

static uint32_t str4(const char *s)
{
    return ((uint32_t)(uint8_t)s[0] << 24) | ((uint32_t)(uint8_t)s[1] << 16) |
           ((uint32_t)(uint8_t)s[2] << 8) | (uint8_t)s[3];
}

/* Commands the TPM offers: those of the table its profile enables. */
static uint32_t profile_command_count(const qtpm_tpm *tpm)
{
    uint32_t n = 0;
    for (TPM_CC cc = TPM_CC_FIRST; cc <= TPM_CC_LAST; cc++)
        n += tpm_command_implemented(cc) && profile_command_enabled(&tpm->profile, cc);
    return n;
}

/* TPM_CAP_VENDOR_PROPERTY (Part 2 §6.12: "manufacturer-specific"): a list
 * of UINT32 (the shape tpm2-tss unmarshals for this capability,
 * TPML_INTEL_PTT_PROPERTY), indexed from 0: [0] the profile (1 default,
 * 2 compat-tss3, 3 custom), [1..4] its name, four characters a word, NUL
 * padded (docs/SERVER.md "Profiles"). */
#define VENDOR_PROPERTY_COUNT 5
static uint32_t vendor_property(const qtpm_tpm *tpm, uint32_t i)
{
    if (i == 0)
        return tpm->profile.kind;
    char name[17] = {0};
    snprintf(name, sizeof(name), "%s", profile_name(&tpm->profile));
    return str4(name + 4 * (i - 1));
}

static size_t list_handles(qtpm_tpm *tpm, TPM_HANDLE start, TPM_HANDLE *out, size_t cap);

/* How many handles of a type are in use (list_handles counts past cap). */
static unsigned count_handles(qtpm_tpm *tpm, TPM_HT type)
{
    return (unsigned)list_handles(tpm, (TPM_HANDLE)type << 24, NULL, 0);
}

/* Loaded sessions: HMAC and policy (trial sessions have policy handles). */
static unsigned count_loaded_sessions(qtpm_tpm *tpm)
{
    return count_handles(tpm, TPM_HT_HMAC_SESSION) + count_handles(tpm, TPM_HT_POLICY_SESSION);
}

/* Loaded plus context-saved sessions. */
static unsigned count_active_sessions(qtpm_tpm *tpm)
{
    unsigned n = count_loaded_sessions(tpm);
    for (size_t i = 0; i < sizeof(tpm->saved_sessions) / sizeof(tpm->saved_sessions[0]); i++)
        n += tpm->saved_sessions[i].handle != 0;
    return n;
}

/* The value of one TPM property (Part 2 §6.13); 0 if pt is not one. */
static int tpm_property(qtpm_tpm *tpm, TPM_PT pt, uint32_t *v)
{
    const tpm_pstate *ps = &tpm->ps;
    switch (pt) {
    case TPM_PT_FAMILY_INDICATOR: *v = TPM_SPEC_FAMILY; break;
    case TPM_PT_LEVEL: *v = TPM_SPEC_LEVEL; break;
    case TPM_PT_REVISION: *v = TPM_SPEC_VERSION; break;
    case TPM_PT_DAY_OF_YEAR: *v = 1; break;
    case TPM_PT_YEAR: *v = 2025; break;
    case TPM_PT_MANUFACTURER: *v = QTPM_MANUFACTURER; break;
    case TPM_PT_VENDOR_STRING_1: *v = str4("qtpm"); break;
    case TPM_PT_VENDOR_STRING_2: *v = str4(" SW "); break;
    case TPM_PT_VENDOR_STRING_3: *v = 0; break;
    case TPM_PT_VENDOR_STRING_4: *v = 0; break;
    case TPM_PT_VENDOR_TPM_TYPE: *v = 1; break;
    case TPM_PT_FIRMWARE_VERSION_1: *v = 0x00000001; break;
    case TPM_PT_FIRMWARE_VERSION_2: *v = 0x00000000; break;
    case TPM_PT_INPUT_BUFFER: *v = MAX_DIGEST_BUFFER; break;
    case TPM_PT_HR_TRANSIENT_MIN: *v = MAX_LOADED_OBJECTS; break;
    case TPM_PT_HR_PERSISTENT_MIN: *v = MAX_PERSISTENT; break;
    case TPM_PT_HR_LOADED_MIN: *v = MAX_LOADED_SESSIONS; break;
    case TPM_PT_ACTIVE_SESSIONS_MAX: *v = ENGINE_ACTIVE_SESSIONS; break;
    case TPM_PT_PCR_COUNT: *v = PCR_COUNT; break;
    case TPM_PT_PCR_SELECT_MIN: *v = PCR_SELECT_MIN; break;
    case TPM_PT_CONTEXT_GAP_MAX: *v = 0xFFFF; break;
    case TPM_PT_NV_COUNTERS_MAX: *v = MAX_NV_INDICES; break;
    case TPM_PT_NV_INDEX_MAX: *v = MAX_NV_INDEX_SIZE; break;
    case TPM_PT_MEMORY: *v = 0x00000006; break; /* sharedNV | objectCopiedToRam */
    case TPM_PT_CLOCK_UPDATE: *v = CLOCK_SAVE_MS; break;
    case TPM_PT_CONTEXT_HASH: *v = TPM_ALG_SHA256; break;
    case TPM_PT_CONTEXT_SYM: *v = TPM_ALG_AES; break;
    case TPM_PT_CONTEXT_SYM_SIZE: *v = 256; break;
    case TPM_PT_ORDERLY_COUNT: *v = 0xFF; break;
    case TPM_PT_MAX_COMMAND_SIZE: *v = QTPM_MAX_COMMAND_SIZE; break;
    case TPM_PT_MAX_RESPONSE_SIZE: *v = QTPM_MAX_RESPONSE_SIZE; break;
    case TPM_PT_MAX_DIGEST: *v = MAX_DIGEST; break;
    case TPM_PT_MAX_OBJECT_CONTEXT: *v = MAX_CONTEXT_SIZE; break;
    case TPM_PT_MAX_SESSION_CONTEXT: *v = 512; break;
    case TPM_PT_PS_FAMILY_INDICATOR: *v = TPM_PS_PC; break;
    case TPM_PT_PS_LEVEL: *v = 0; break;
    case TPM_PT_PS_REVISION: *v = 0x105; break;
    case TPM_PT_PS_DAY_OF_YEAR: *v = 0; break;
    case TPM_PT_PS_YEAR: *v = 0; break;
    case TPM_PT_SPLIT_MAX: *v = 0; break;
    case TPM_PT_TOTAL_COMMANDS:
        *v = profile_command_count(tpm) + (uint32_t)tpm_vendor_command_count();
        break;
    case TPM_PT_LIBRARY_COMMANDS: *v = profile_command_count(tpm); break;
    case TPM_PT_VENDOR_COMMANDS: *v = (uint32_t)tpm_vendor_command_count(); break;
    case TPM_PT_NV_BUFFER_MAX: *v = 1024; break;
    case TPM_PT_MODES: *v = 0; break;
    case TPM_PT_MAX_CAP_BUFFER: *v = MAX_CAP_BUFFER; break;
    case TPM_PT_ML_PARAMETER_SETS: /* v1.85: every ML-KEM and ML-DSA set, and external mu */
        *v = TPMA_ML_PARAMETER_SET_MLKEM_512 | TPMA_ML_PARAMETER_SET_MLKEM_768 |
             TPMA_ML_PARAMETER_SET_MLKEM_1024 | TPMA_ML_PARAMETER_SET_MLDSA_44 |
             TPMA_ML_PARAMETER_SET_MLDSA_65 | TPMA_ML_PARAMETER_SET_MLDSA_87 |
             TPMA_ML_PARAMETER_SET_EXTMU;
        break;
    case TPM_PT_PERMANENT:
        *v = (ps->owner_auth.size ? TPMA_PERMANENT_OWNERAUTHSET : 0) |
             (ps->endorsement_auth.size ? TPMA_PERMANENT_ENDORSEMENTAUTHSET : 0) |
             (ps->lockout_auth.size ? TPMA_PERMANENT_LOCKOUTAUTHSET : 0) |
             (ps->disable_clear ? TPMA_PERMANENT_DISABLECLEAR : 0) |
             ((ps->max_tries == 0 || ps->failed_tries >= ps->max_tries) ? TPMA_PERMANENT_INLOCKOUT : 0) |
             TPMA_PERMANENT_TPMGENERATEDEPS;
        break;
    case TPM_PT_STARTUP_CLEAR:
        *v = (tpm->ph_enable ? TPMA_STARTUP_CLEAR_PHENABLE : 0) |
             (tpm->sh_enable ? TPMA_STARTUP_CLEAR_SHENABLE : 0) |
             (tpm->eh_enable ? TPMA_STARTUP_CLEAR_EHENABLE : 0) |
             (ps->ph_enable_nv ? TPMA_STARTUP_CLEAR_PHENABLENV : 0) |
             (ps->orderly ? TPMA_STARTUP_CLEAR_ORDERLY : 0);
        break;
    case TPM_PT_HR_NV_INDEX: *v = count_handles(tpm, TPM_HT_NV_INDEX); break;
    case TPM_PT_HR_LOADED: *v = count_loaded_sessions(tpm); break;
    case TPM_PT_HR_LOADED_AVAIL: *v = MAX_LOADED_SESSIONS - count_loaded_sessions(tpm); break;
    case TPM_PT_HR_ACTIVE: *v = count_active_sessions(tpm); break;
    case TPM_PT_HR_ACTIVE_AVAIL: *v = ENGINE_ACTIVE_SESSIONS - count_active_sessions(tpm); break;
    case TPM_PT_HR_TRANSIENT_AVAIL:
        *v = MAX_LOADED_OBJECTS - count_handles(tpm, TPM_HT_TRANSIENT);
        break;
    case TPM_PT_HR_PERSISTENT: *v = count_handles(tpm, TPM_HT_PERSISTENT); break;
    case TPM_PT_HR_PERSISTENT_AVAIL:
        *v = MAX_PERSISTENT - count_handles(tpm, TPM_HT_PERSISTENT);
        break;
    case TPM_PT_NV_COUNTERS: *v = nv_count_counters(tpm); break;
    case TPM_PT_NV_COUNTERS_AVAIL: *v = MAX_NV_INDICES - count_handles(tpm, TPM_HT_NV_INDEX); break;
    case TPM_PT_ALGORITHM_SET: *v = 0; break;
    case TPM_PT_LOADED_CURVES: *v = tpm_alg_enabled(tpm, TPM_ALG_ECC) ? NCURVES : 0; break;
    case TPM_PT_LOCKOUT_COUNTER: *v = ps->failed_tries; break;
    case TPM_PT_MAX_AUTH_FAIL: *v = ps->max_tries; break;
    case TPM_PT_LOCKOUT_INTERVAL: *v = ps->recovery_time; break;
    case TPM_PT_LOCKOUT_RECOVERY: *v = ps->lockout_recovery; break;
    case TPM_PT_NV_WRITE_RECOVERY: *v = 0; break;
    case TPM_PT_AUDIT_COUNTER_0: *v = (uint32_t)(ps->audit_counter >> 32); break;
    case TPM_PT_AUDIT_COUNTER_1: *v = (uint32_t)ps->audit_counter; break;
    default: return 0;
    }
    return 1;
}

/* Handles of one type in ascending order, from start. */
static size_t list_handles(qtpm_tpm *tpm, TPM_HANDLE start, TPM_HANDLE *out, size_t cap)
{
    size_t n = 0;
    uint8_t type = (uint8_t)(start >> 24);
    /* gather, then sort (small sets) */
    TPM_HANDLE all[MAX_NV_INDICES + MAX_PERSISTENT + MAX_LOADED_SESSIONS + PCR_COUNT + 16];
    size_t m = 0;
    switch (type) {
    case TPM_HT_PCR:
        for (unsigned i = 0; i < PCR_COUNT; i++)
            all[m++] = i;
        break;
    case TPM_HT_NV_INDEX:
        m = nv_list_handles(tpm, all, MAX_NV_INDICES);
        break;
    case TPM_HT_HMAC_SESSION:
    case TPM_HT_POLICY_SESSION:
        for (int i = 0; i < MAX_LOADED_SESSIONS; i++)
            if (tpm->sessions[i] && (uint8_t)(tpm->sessions[i]->handle >> 24) == type)
                all[m++] = tpm->sessions[i]->handle;
        break;
    case TPM_HT_PERMANENT: {
        static const TPM_HANDLE perm[] = {TPM_RH_OWNER,       TPM_RH_NULL,     TPM_RS_PW,
                                          TPM_RH_LOCKOUT,     TPM_RH_ENDORSEMENT,
                                          TPM_RH_PLATFORM,    TPM_RH_PLATFORM_NV};
        for (size_t i = 0; i < sizeof(perm) / sizeof(perm[0]); i++)
            all[m++] = perm[i];
        break;
    }
    case TPM_HT_TRANSIENT:
        for (int i = 0; i < MAX_LOADED_OBJECTS; i++)
            if (tpm->objects[i])
                all[m++] = tpm->objects[i]->handle;
        break;
    case TPM_HT_PERSISTENT:
        for (int i = 0; i < MAX_PERSISTENT; i++)
            if (tpm->persistent[i])
                all[m++] = tpm->persistent[i]->handle;
        break;
    default:
        return 0;
    }
    for (size_t i = 1; i < m; i++)
        for (size_t j = i; j > 0 && all[j - 1] > all[j]; j--) {
            TPM_HANDLE t = all[j];
            all[j] = all[j - 1];
            all[j - 1] = t;
        }
    for (size_t i = 0; i < m; i++)
        if (all[i] >= start && (uint8_t)(all[i] >> 24) == type) {
            if (n < cap)
                out[n] = all[i];
            n++;
        }
    return n;
}

/* Part 3 §30.2 TPM2_GetCapability: the list of the capability asked for,
 * in capabilityData's member of that capability. */
TPM_RC cmd_GetCapability(qtpm_tpm *tpm, tpm_cmd *c, const GetCapability_In *in,
                         GetCapability_Out *out)
{
    (void)c;
    TPM_CAP cap = in->capability;
    uint32_t prop = in->property, count = in->propertyCount;
    TPMS_CAPABILITY_DATA *cd = &out->capabilityData;
    TPMU_CAPABILITIES *u = &cd->data;
    cd->capability = cap;
    int more = 0;

    switch (cap) {
    case TPM_CAP_ALGS: {
        size_t nalgs;
        const alg_desc *alg_table = tpm_alg_table(&nalgs);
        TPML_ALG_PROPERTY *l = &u->algorithms;
        if (count > MAX_CAP_ALGS)
            count = MAX_CAP_ALGS;
        for (size_t i = 0; i < nalgs; i++) {
            if (alg_table[i].alg < prop || !tpm_alg_enabled(tpm, alg_table[i].alg))
                continue;
            if (l->count == count) {
                more = 1;
                break;
            }
            l->algProperties[l->count].alg = alg_table[i].alg;
            l->algProperties[l->count++].algProperties = alg_table[i].attrs;
        }
        break;
    }
    case TPM_CAP_HANDLES: {
        if (count > MAX_CAP_HANDLES)
            count = MAX_CAP_HANDLES;
        uint8_t t = (uint8_t)(prop >> 24);
        if (t != TPM_HT_PCR && t != TPM_HT_NV_INDEX && t != TPM_HT_HMAC_SESSION &&
            t != TPM_HT_POLICY_SESSION && t != TPM_HT_PERMANENT && t != TPM_HT_TRANSIENT &&
            t != TPM_HT_PERSISTENT)
            return RC_P(TPM_RC_HANDLE, PN_GetCapability_property);
        TPML_HANDLE *l = &u->handles;
        size_t total = list_handles(tpm, prop, l->handle, MAX_CAP_HANDLES);
        l->count = (uint32_t)(total < count ? total : count);
        more = total > count;
        break;
    }
    case TPM_CAP_COMMANDS: {
        TPML_CCA *l = &u->command;
        if (count > MAX_CAP_CC)
            count = MAX_CAP_CC;
        for (uint32_t cc = prop < TPM_CC_FIRST ? TPM_CC_FIRST : prop; cc <= TPM_CC_LAST; cc++) {
            if (!tpm_command_implemented(cc) || !profile_command_enabled(&tpm->profile, cc))
                continue;
            if (l->count == count) {
                more = 1;
                break;
            }
            l->commandAttributes[l->count++] = tpm_command_attributes(cc);
        }
        /* then the vendor-specific ones (codes above every library code) */
        for (size_t k = 0; !more && k < tpm_vendor_command_count(); k++) {
            TPM_CC cc = tpm_vendor_command(k);
            if (cc < prop)
                continue;
            if (l->count == count) {
                more = 1;
                break;
            }
            l->commandAttributes[l->count++] = tpm_command_attributes(cc);
        }
        break;
    }
    case TPM_CAP_PP_COMMANDS:
        break;
    case TPM_CAP_AUDIT_COMMANDS: {
        TPML_CC *l = &u->auditCommands;
        if (count > MAX_CAP_CC)
            count = MAX_CAP_CC;
        for (uint32_t cc = prop < TPM_CC_FIRST ? TPM_CC_FIRST : prop; cc <= TPM_CC_LAST; cc++) {
            unsigned bit = cc - TPM_CC_FIRST;
            if (!(tpm->ps.audited[bit / 8] & (1u << (bit % 8))))
                continue;
            if (l->count == count) {
                more = 1;
                break;
            }
            l->commandCodes[l->count++] = cc;
        }
        break;
    }
    case TPM_CAP_PCRS:
        /* the whole allocation, whatever property and propertyCount say */
        pcr_allocation(tpm, &u->assignedPCR);
        break;
    case TPM_CAP_TPM_PROPERTIES: {
        TPML_TAGGED_TPM_PROPERTY *l = &u->tpmProperties;
        if (count > MAX_TPM_PROPERTIES)
            count = MAX_TPM_PROPERTIES;
        for (TPM_PT pt = prop; pt < PT_FIXED + 0x300; pt++) {
            uint32_t v;
            if (!tpm_property(tpm, pt, &v))
                continue;
            if (l->count == count) {
                more = 1;
                break;
            }
            l->tpmProperty[l->count].property = pt;
            l->tpmProperty[l->count++].value = v;
        }
        break;
    }
    case TPM_CAP_PCR_PROPERTIES: {
        TPML_TAGGED_PCR_PROPERTY *l = &u->pcrProperties;
        if (count > MAX_PCR_PROPERTIES)
            count = MAX_PCR_PROPERTIES;
        static const TPM_PT_PCR pts[] = {
            TPM_PT_PCR_SAVE,      TPM_PT_PCR_EXTEND_L0, TPM_PT_PCR_RESET_L0, TPM_PT_PCR_EXTEND_L1,
            TPM_PT_PCR_RESET_L1,  TPM_PT_PCR_EXTEND_L2, TPM_PT_PCR_RESET_L2, TPM_PT_PCR_EXTEND_L3,
            TPM_PT_PCR_RESET_L3,  TPM_PT_PCR_EXTEND_L4, TPM_PT_PCR_RESET_L4,
            TPM_PT_PCR_NO_INCREMENT, TPM_PT_PCR_DRTM_RESET, TPM_PT_PCR_POLICY, TPM_PT_PCR_AUTH};
        for (size_t i = 0; i < sizeof(pts) / sizeof(pts[0]); i++) {
            if (pts[i] < prop)
                continue;
            if (l->count == count) {
                more = 1;
                break;
            }
            uint32_t bits = 0;
            if (pts[i] == TPM_PT_PCR_SAVE)
                bits = 0xFFFFFFu & ~((1u << 16) | (1u << 23));
            else if (pts[i] >= TPM_PT_PCR_EXTEND_L0 && pts[i] <= TPM_PT_PCR_RESET_L4)
                bits = (pts[i] % 2) ? 0xFFFFFFu : ((1u << 16) | (1u << 23));
            TPMS_TAGGED_PCR_SELECT *e = &l->pcrProperty[l->count++];
            e->tag = pts[i];
            e->sizeofSelect = PCR_SELECT_MAX;
            e->pcrSelect[0] = (uint8_t)bits;
            e->pcrSelect[1] = (uint8_t)(bits >> 8);
            e->pcrSelect[2] = (uint8_t)(bits >> 16);
        }
        break;
    }
    case TPM_CAP_ECC_CURVES: {
        TPML_ECC_CURVE *l = &u->eccCurves;
        if (count > MAX_ECC_CURVES)
            count = MAX_ECC_CURVES;
        for (size_t i = 0; i < NCURVES && tpm_alg_enabled(tpm, TPM_ALG_ECC); i++) {
            if (curves[i] < prop)
                continue;
            if (l->count == count) {
                more = 1;
                break;
            }
            l->eccCurves[l->count++] = curves[i];
        }
        break;
    }
    case TPM_CAP_AUTH_POLICIES:
        break;
    case TPM_CAP_VENDOR_PROPERTY: {
        TPML_INTEL_PTT_PROPERTY *l = &u->intelPttProperty;
        for (uint32_t i = prop; i < VENDOR_PROPERTY_COUNT; i++) {
            if (l->count == count) {
                more = 1;
                break;
            }
            l->property[l->count++] = vendor_property(tpm, i);
        }
        break;
    }
    default:
        return RC_P(TPM_RC_VALUE, PN_GetCapability_capability);
    }
    out->moreData = (TPMI_YES_NO)more;
    return TPM_RC_SUCCESS;
}

/* Part 3 §30.3 TPM2_TestParms: the TPMT_PUBLIC_PARMS was checked as it was
 * unmarshalled, as CreatePrimary would check a template's (capability.h). */
TPM_RC cmd_TestParms(qtpm_tpm *tpm, tpm_cmd *c, const TestParms_In *in, TestParms_Out *out)
{
    (void)tpm, (void)c, (void)in, (void)out;
    return TPM_RC_SUCCESS;
}
