/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * entity.c — routes a handle to the entity it names (Part 1 §15) and answers
 * the questions authorization asks about it: does it exist, what are its
 * authValue, authPolicy and Name, and is it protected against dictionary
 * attacks (see entity.h).
 */
#include "auth.h"
#include "entity.h"
#include "hierarchy.h"
#include "nv.h"
#include "object.h"
#include "session.h"


unsigned entity_class(TPM_HANDLE h)
{
    switch (h >> 24) {
    case TPM_HT_PCR: return h < PCR_COUNT ? HC_PCR : 0;
    case TPM_HT_NV_INDEX: return HC_NV;
    case TPM_HT_HMAC_SESSION: return HC_HMAC_SESSION;
    case TPM_HT_POLICY_SESSION: return HC_POLICY_SESSION;
    case TPM_HT_TRANSIENT: return HC_TRANSIENT;
    case TPM_HT_PERSISTENT: return HC_PERSISTENT;
    case TPM_HT_PERMANENT:
        switch (h) {
        case TPM_RH_OWNER: return HC_OWNER;
        case TPM_RH_ENDORSEMENT: return HC_ENDORSEMENT;
        case TPM_RH_PLATFORM: return HC_PLATFORM;
        case TPM_RH_LOCKOUT: return HC_LOCKOUT;
        case TPM_RH_NULL: return HC_NULL;
        default: return 0;
        }
    default: return 0;
    }
}

TPM_RC entity_check(qtpm_tpm *tpm, TPM_HANDLE h)
{
    switch (entity_class(h)) {
    case HC_PCR:
    case HC_NULL:
    case HC_LOCKOUT:
        return TPM_RC_SUCCESS;
    case HC_OWNER:
        return tpm->sh_enable ? TPM_RC_SUCCESS : TPM_RC_HIERARCHY;
    case HC_ENDORSEMENT:
        return tpm->eh_enable ? TPM_RC_SUCCESS : TPM_RC_HIERARCHY;
    case HC_PLATFORM:
        return tpm->ph_enable ? TPM_RC_SUCCESS : TPM_RC_HIERARCHY;
    case HC_TRANSIENT:
    case HC_PERSISTENT: {
        tpm_object *o = object_find(tpm, h);
        /* a transient handle that is not loaded is a warning, not an error
         * (Part 2 §6.6.3 TPM_RC_REFERENCE_H0; the reference implementation's
         * EntityGetLoadStatus): resource managers rely on it — Linux's
         * /dev/tpmrm0 forgets a context whose save answers it, and fails
         * the client's command on any other code */
        if (o == NULL)
            return entity_class(h) == HC_TRANSIENT ? TPM_RC_REFERENCE_H0 : TPM_RC_HANDLE;
        if (!o->is_sequence && !hierarchy_enabled(tpm, o->hierarchy))
            return TPM_RC_HIERARCHY;
        return TPM_RC_SUCCESS;
    }
    case HC_NV: {
        tpm_nv *nv = nv_find(tpm, h);
        if (nv == NULL)
            return TPM_RC_HANDLE;
        if (!hierarchy_enabled(tpm, nv_hierarchy(nv)))
            return TPM_RC_HANDLE;
        return TPM_RC_SUCCESS;
    }
    case HC_HMAC_SESSION:
    case HC_POLICY_SESSION:
        return session_find(tpm, h) ? TPM_RC_SUCCESS : TPM_RC_REFERENCE_H0;
    default:
        return TPM_RC_HANDLE;
    }
}

static void copy_buf(tpm_buf64 *dst, const uint8_t *p, size_t n)
{
    if (n > sizeof(dst->b))
        n = sizeof(dst->b);
    memcpy(dst->b, p, n);
    dst->size = (uint16_t)n;
}

TPM_RC entity_auth_value(qtpm_tpm *tpm, TPM_HANDLE h, tpm_buf64 *auth)
{
    memset(auth, 0, sizeof(*auth));
    switch (entity_class(h)) {
    case HC_OWNER: *auth = tpm->ps.owner_auth; break;
    case HC_ENDORSEMENT: *auth = tpm->ps.endorsement_auth; break;
    case HC_PLATFORM: *auth = tpm->platform_auth; break;
    case HC_LOCKOUT: *auth = tpm->ps.lockout_auth; break;
    case HC_TRANSIENT:
    case HC_PERSISTENT: {
        tpm_object *o = object_find(tpm, h);
        if (o == NULL)
            return TPM_RC_HANDLE;
        copy_buf(auth, o->sens.authValue.buffer, o->sens.authValue.size);
        break;
    }
    case HC_NV: {
        tpm_nv *nv = nv_find(tpm, h);
        if (nv == NULL)
            return TPM_RC_HANDLE;
        copy_buf(auth, nv->auth.b, nv->auth.size);
        break;
    }
    default: break;
    }
    auth->size = auth_trim(auth->b, auth->size);
    return TPM_RC_SUCCESS;
}

TPM_RC entity_auth_policy(qtpm_tpm *tpm, TPM_HANDLE h, tpm_buf64 *policy, TPM_ALG_ID *alg)
{
    memset(policy, 0, sizeof(*policy));
    *alg = TPM_ALG_NULL;
    switch (entity_class(h)) {
    case HC_OWNER:
        *policy = tpm->ps.owner_policy;
        *alg = tpm->ps.owner_policy_alg;
        break;
    case HC_ENDORSEMENT:
        *policy = tpm->ps.endorsement_policy;
        *alg = tpm->ps.endorsement_policy_alg;
        break;
    case HC_LOCKOUT:
        *policy = tpm->ps.lockout_policy;
        *alg = tpm->ps.lockout_policy_alg;
        break;
    case HC_PLATFORM:
        *policy = tpm->platform_policy;
        *alg = tpm->platform_policy_alg;
        break;
    case HC_TRANSIENT:
    case HC_PERSISTENT: {
        tpm_object *o = object_find(tpm, h);
        if (o == NULL)
            return TPM_RC_HANDLE;
        copy_buf(policy, o->pub.authPolicy.buffer, o->pub.authPolicy.size);
        *alg = o->pub.nameAlg;
        break;
    }
    case HC_NV: {
        tpm_nv *nv = nv_find(tpm, h);
        if (nv == NULL)
            return TPM_RC_HANDLE;
        copy_buf(policy, nv->pub.authPolicy.buffer, nv->pub.authPolicy.size);
        *alg = nv->pub.nameAlg;
        break;
    }
    default: break;
    }
    return TPM_RC_SUCCESS;
}

TPM_RC entity_name(qtpm_tpm *tpm, TPM_HANDLE h, tpm_name *name)
{
    switch (entity_class(h)) {
    case HC_TRANSIENT:
    case HC_PERSISTENT: {
        tpm_object *o = object_find(tpm, h);
        if (o == NULL)
            return TPM_RC_HANDLE;
        if (o->is_sequence) {
            /* a sequence object's Name is the Empty Buffer (Part 1 §32.4.6;
             * tpm2-tss computes cpHash with it, as swtpm does) */
            name->size = 0;
            return TPM_RC_SUCCESS;
        }
        if (o->pub.nameAlg == TPM_ALG_NULL) {
            /* NULL-nameAlg objects other than sequences: the handle */
            name->size = 4;
            wr_put_u32(name->b, h);
            return TPM_RC_SUCCESS;
        }
        *name = o->name;
        return TPM_RC_SUCCESS;
    }
    case HC_NV: {
        tpm_nv *nv = nv_find(tpm, h);
        if (nv == NULL)
            return TPM_RC_HANDLE;
        return nv_name(nv, name);
    }
    default:
        name->size = 4;
        wr_put_u32(name->b, h);
        return TPM_RC_SUCCESS;
    }
}

int entity_da_protected(qtpm_tpm *tpm, TPM_HANDLE h)
{
    switch (entity_class(h)) {
    case HC_TRANSIENT:
    case HC_PERSISTENT: {
        tpm_object *o = object_find(tpm, h);
        /* a sequence object (hash, HMAC, event, sign, verify) has noDA SET:
         * the reference implementation's AllocateSequenceSlot; its authValue
         * only guards the one sequence */
        return o && !o->is_sequence &&
               !(o->pub.objectAttributes & TPMA_OBJECT_NODA);
    }
    case HC_NV: {
        tpm_nv *nv = nv_find(tpm, h);
        return nv && !(nv->pub.attributes & TPMA_NV_NO_DA);
    }
    default:
        /* hierarchy authorizations are not DA-protected; lockoutAuth has its
         * own rule (session.c) */
        return 0;
    }
}

void entity_auth_rules(qtpm_tpm *tpm, TPM_HANDLE h, int *user_with_auth, int *admin_with_policy)
{
    *user_with_auth = 1;
    *admin_with_policy = 0;
    switch (entity_class(h)) {
    case HC_TRANSIENT:
    case HC_PERSISTENT: {
        tpm_object *o = object_find(tpm, h);
        if (o && !o->is_sequence) {
            *user_with_auth = (o->pub.objectAttributes & TPMA_OBJECT_USERWITHAUTH) != 0;
            *admin_with_policy = (o->pub.objectAttributes & TPMA_OBJECT_ADMINWITHPOLICY) != 0;
        }
        break;
    }
    case HC_NV:
        /* NV indices say per operation whether auth or policy applies (nv.c
         * checks TPMA_NV_AUTHREAD/POLICYREAD etc.); ADMIN role is policy only */
        *admin_with_policy = 1;
        break;
    default:
        break;
    }
}
