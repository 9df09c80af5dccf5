/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c — enhanced authorization (Part 1 §19.7, Part 3 §23): the Policy
 * commands that extend a policy session's policyDigest and record the
 * deferred checks that session.c applies when the session is used.
 *
 * Each assertion extends policyDigest the way Part 3 gives for it, e.g.
 *   PolicyPCR:         H(policyDigest || TPM_CC_PolicyPCR || pcrs || digest)
 *   PolicyCommandCode: H(policyDigest || TPM_CC_PolicyCommandCode || code)
 *   PolicySecret/Signed/Authorize use PolicyUpdate (Part 3 §23.2.3):
 *     H(H(policyDigest || CC || Name) || policyRef)
 * A trial session only computes digests: nothing is checked.
 *
 * Every command here is typed (policy.h): its parameters arrive
 * unmarshalled by the shared module, its response leaves in its *_Out
 * struct, and its policy session was found loaded with the handles, before
 * the parameters were read (dispatch.c, Part 3 §5.6).
 */

#include "asym.h"
#include "clock.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "hierarchy.h"
#include "nv.h"
#include "object.h"
#include "pcr.h"
#include "policy.h"
#include "session.h"
#include "tmarshal.h"

/* The policy session in handle slot `slot`: loaded, and a policy or trial
 * session, as dispatch.c checked with the handles before any parameter was
 * read (the slot's class is HC_POLICY_SESSION; Part 3 §5.6 order). */
static tpm_session *policy_arg(qtpm_tpm *tpm, const tpm_cmd *c, unsigned slot)
{
    return session_find(tpm, c->handles[slot]);
}

static void cc_bytes(uint8_t b[4], TPM_CC cc) { wr_put_u32(b, cc); }

/* PolicyUpdate (Part 3 §23.2.3) */
static void policy_update(tpm_session *s, TPM_CC cc, const uint8_t *name, size_t nlen,
                          const uint8_t *ref, size_t rlen)
{
    uint8_t ccb[4];
    cc_bytes(ccb, cc);
    crypt_part p1[] = {{s->policy_digest.b, s->policy_digest.size}, {ccb, 4}, {name, nlen}};
    crypt_hash_parts(s->hash, s->policy_digest.b, p1, 3);
    crypt_part p2[] = {{s->policy_digest.b, s->policy_digest.size}, {ref, rlen}};
    crypt_hash_parts(s->hash, s->policy_digest.b, p2, 2);
}

/* Part 3 §23.7 TPM2_PolicyPCR */
TPM_RC cmd_PolicyPCR(qtpm_tpm *tpm, tpm_cmd *c, const PolicyPCR_In *in, PolicyPCR_Out *out)
{
    (void)out;
    tpm_session *s = policy_arg(tpm, c, 0);
    uint8_t sel[4 + HASH_COUNT * (3 + PCR_SELECT_MAX)], computed[MAX_DIGEST];
    const uint8_t *given = in->pcrDigest.buffer;
    uint16_t glen = in->pcrDigest.size;
    TPM_RC rc = pcr_selection_digest(tpm, &in->pcrs, s->hash, computed);
    if (rc)
        return rc == TPM_RC_HASH ? RC_P(rc, PN_PolicyPCR_pcrs) : rc;
    size_t sel_len = 0; /* the selection as it is hashed into the policy */
    if (qtpm_TPML_PCR_SELECTION_marshal(&in->pcrs, sel, sizeof(sel), &sel_len) != TPM_RC_SUCCESS)
        return TPM_RC_FAILURE;
    size_t hl = crypt_hash_size(s->hash);
    if (glen != 0 && glen != hl)
        return RC_P(TPM_RC_SIZE, PN_PolicyPCR_pcrDigest);
    const uint8_t *use = computed;
    if (s->type == TPM_SE_TRIAL) {
        if (glen)
            use = given;
    } else if (glen && !public_equal(given, computed, hl)) {
        return RC_P(TPM_RC_VALUE, PN_PolicyPCR_pcrDigest);
    }
    uint8_t ccb[4];
    cc_bytes(ccb, TPM_CC_PolicyPCR);
    crypt_part parts[] = {{s->policy_digest.b, s->policy_digest.size}, {ccb, 4}, {sel, sel_len}, {use, hl}};
    crypt_hash_parts(s->hash, s->policy_digest.b, parts, 4);
    if (s->type != TPM_SE_TRIAL) {
        s->pcr_checked = 1;
        s->pcr_counter = tpm->pcr_counter;
    }
    return TPM_RC_SUCCESS;
}

static TPM_RC policy_auth_value_common(qtpm_tpm *tpm, tpm_cmd *c, int password)
{
    tpm_session *s = policy_arg(tpm, c, 0);
    /* both commands extend with TPM_CC_PolicyAuthValue (Part 3 §23.18) */
    uint8_t ccb[4];
    cc_bytes(ccb, TPM_CC_PolicyAuthValue);
    session_policy_extend(s, ccb, 4, NULL, 0);
    s->password_needed = (uint8_t)password;
    s->auth_value_needed = (uint8_t)!password;
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.18 TPM2_PolicyPassword */
TPM_RC cmd_PolicyPassword(qtpm_tpm *tpm, tpm_cmd *c, const PolicyPassword_In *in,
                          PolicyPassword_Out *out)
{
    (void)in, (void)out;
    return policy_auth_value_common(tpm, c, 1);
}

/* Part 3 §23.17 TPM2_PolicyAuthValue */
TPM_RC cmd_PolicyAuthValue(qtpm_tpm *tpm, tpm_cmd *c, const PolicyAuthValue_In *in,
                           PolicyAuthValue_Out *out)
{
    (void)in, (void)out;
    return policy_auth_value_common(tpm, c, 0);
}

/* Part 3 §23.11 TPM2_PolicyCommandCode */
TPM_RC cmd_PolicyCommandCode(qtpm_tpm *tpm, tpm_cmd *c, const PolicyCommandCode_In *in,
                             PolicyCommandCode_Out *out)
{
    (void)out;
    tpm_session *s = policy_arg(tpm, c, 0);
    TPM_CC code = in->code;
    if (!tpm_command_offered(tpm, code))
        return RC_P(TPM_RC_POLICY_CC, PN_PolicyCommandCode_code);
    if (s->command_code != 0 && s->command_code != code)
        return RC_P(TPM_RC_VALUE, PN_PolicyCommandCode_code);
    uint8_t ccb[4], codeb[4];
    cc_bytes(ccb, TPM_CC_PolicyCommandCode);
    cc_bytes(codeb, code);
    session_policy_extend(s, ccb, 4, codeb, 4);
    s->command_code = code;
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.6 TPM2_PolicyOR: the current digest must be one of the list;
 * then digest := H(0 || TPM_CC_PolicyOR || digests). */
TPM_RC cmd_PolicyOR(qtpm_tpm *tpm, tpm_cmd *c, const PolicyOR_In *in, PolicyOR_Out *out)
{
    (void)out;
    tpm_session *s = policy_arg(tpm, c, 0);
    /* at most 8 (TPML_DIGEST), at least 2 (Part 3 §23.6) */
    const TPML_DIGEST *l = &in->pHashList;
    uint32_t count = l->count;
    if (count < 2)
        return RC_P(TPM_RC_SIZE, PN_PolicyOR_pHashList);
    size_t hl = crypt_hash_size(s->hash);
    int found = s->type == TPM_SE_TRIAL;
    for (uint32_t i = 0; i < count; i++)
        if (l->digests[i].size == hl && public_equal(l->digests[i].buffer, s->policy_digest.b, hl))
            found = 1;
    if (!found)
        return RC_P(TPM_RC_VALUE, PN_PolicyOR_pHashList);
    qtpm_hash_ctx h;
    if (qtpm_hash_init(&h, crypt_hash_alg(s->hash)))
        return TPM_RC_FAILURE;
    uint8_t zero[MAX_DIGEST] = {0}, ccb[4];
    cc_bytes(ccb, TPM_CC_PolicyOR);
    qtpm_hash_update(&h, zero, hl);
    qtpm_hash_update(&h, ccb, 4);
    for (uint32_t i = 0; i < count; i++)
        qtpm_hash_update(&h, l->digests[i].buffer, l->digests[i].size);
    qtpm_hash_final(&h, s->policy_digest.b);
    return TPM_RC_SUCCESS;
}

/* The parameters PolicySigned and PolicySecret begin with (POLICY_AUTH_IN_,
 * policy.h): the same fields under the same numbers in both commands. */
typedef struct {
    const TPM2B_NONCE *nonce;
    const TPM2B_DIGEST *cp;
    const TPM2B_NONCE *ref;
    INT32 exp;
} policy_auth_args;

enum {
    PN_NONCE = PN_PolicySecret_nonceTPM,
    PN_CP = PN_PolicySecret_cpHashA,
    PN_EXP = PN_PolicySecret_expiration,
};
_Static_assert((int)PN_PolicySigned_nonceTPM == PN_NONCE && (int)PN_PolicySigned_cpHashA == PN_CP &&
                   (int)PN_PolicySigned_expiration == PN_EXP,
               "PolicySigned and PolicySecret number their first parameters alike");

/* cpHashA of PolicySigned, PolicySecret and PolicyTicket (parameter pn):
 * empty, or a digest of the session's hash that agrees with one set before
 * and with no PolicyTemplate (which shares the slot, Part 3 §23.21). */
static TPM_RC policy_set_cp_hash(tpm_session *s, const TPM2B_DIGEST *cp, unsigned pn)
{
    size_t hl = crypt_hash_size(s->hash);
    if (cp->size == 0)
        return TPM_RC_SUCCESS;
    if (cp->size != hl)
        return RC_P(TPM_RC_SIZE, pn);
    if (s->template_hash.size || (s->cp_hash.size && !public_equal(s->cp_hash.b, cp->buffer, hl)))
        return RC_P(TPM_RC_CPHASH, pn);
    memcpy(s->cp_hash.b, cp->buffer, hl);
    s->cp_hash.size = (uint16_t)hl;
    return TPM_RC_SUCCESS;
}

/* The checks of nonceTPM, cpHashA and expiration shared by PolicySecret
 * and PolicySigned (Part 3 §23.3.1); the authorization's timeout (TPM time,
 * ms) or 0 in *timeout_out. */
static TPM_RC policy_common_args(qtpm_tpm *tpm, tpm_session *s, const policy_auth_args *a,
                                 uint64_t *timeout_out)
{
    *timeout_out = 0;
    uint16_t nlen = a->nonce->size;
    if (a->cp->size != 0 && s->template_hash.size)
        return RC_P(TPM_RC_CPHASH, PN_CP);
    if (nlen != 0 && (nlen != s->nonce_tpm.size || !public_equal(a->nonce->buffer, s->nonce_tpm.b, nlen)))
        return RC_P(TPM_RC_NONCE, PN_NONCE);
    TPM_RC rc = policy_set_cp_hash(s, a->cp, PN_CP);
    if (rc)
        return rc;
    if (a->exp != 0) {
        if (nlen == 0 && a->exp > 0)
            return RC_P(TPM_RC_EXPIRED, PN_EXP);
        uint64_t abs_exp = (uint64_t)(a->exp < 0 ? -(int64_t)a->exp : a->exp);
        uint64_t timeout = s->start_time + abs_exp * 1000u;
        if (s->type != TPM_SE_TRIAL && tpm->time_ms > timeout)
            return RC_P(TPM_RC_EXPIRED, PN_EXP);
        if (s->timeout == 0 || timeout < s->timeout)
            s->timeout = timeout;
        *timeout_out = timeout;
    }
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- auth tickets */

/*
 * TPMT_TK_AUTH (Part 2 §10.7.5) of PolicySigned/PolicySecret, redeemed by
 * PolicyTicket. Only this TPM checks it, so the timeout blob is qtpm's own:
 * 8 bytes, the TPM time (ms, TPMS_TIME_INFO.time) at which the
 * authorization expires, a UINT64. Because that time restarts at every TPM
 * Reset, the HMAC also covers resetCount, and a ticket dies with the reset:
 *   HMAC_SHA256(proof(hierarchy), tag ‖ timeout ‖ resetCount ‖ cpHashA ‖
 *               policyRef ‖ authName)
 */
static void auth_ticket_hmac(qtpm_tpm *tpm, TPM_ST tag, TPM_HANDLE hier,
                             const TPM2B_TIMEOUT *timeout, const TPM2B_DIGEST *cp,
                             const TPM2B_NONCE *ref, const uint8_t *name, size_t nlen,
                             uint8_t out[32])
{
    uint8_t head[2 + 8 + 4];
    wr_put_u16(head, tag);
    memcpy(head + 2, timeout->buffer, 8);
    wr_put_u32(head + 10, tpm->ps.reset_count);
    crypt_part parts[] = {
        {head, sizeof(head)}, {cp->buffer, cp->size}, {ref->buffer, ref->size}, {name, nlen}};
    crypt_hmac_parts(TPM_ALG_SHA256, hierarchy_proof(tpm, hier), 64, out, parts, 4);
}

/* The hierarchy an authorizing entity belongs to (the ticket's proof). */
static TPM_HANDLE entity_hierarchy(qtpm_tpm *tpm, TPM_HANDLE h)
{
    switch (entity_class(h)) {
    case HC_TRANSIENT:
    case HC_PERSISTENT: {
        tpm_object *o = object_find(tpm, h);
        return o ? o->hierarchy : TPM_RH_OWNER;
    }
    case HC_NV: {
        tpm_nv *nv = nv_find(tpm, h);
        return nv ? nv_hierarchy(nv) : TPM_RH_OWNER;
    }
    case HC_ENDORSEMENT: return TPM_RH_ENDORSEMENT;
    case HC_PLATFORM: return TPM_RH_PLATFORM;
    default: return TPM_RH_OWNER;
    }
}

/* The end PolicySecret and PolicySigned share once the authorization is
 * proven: the checks of nonceTPM, cpHashA and expiration, the policy update
 * with the authorizing entity's Name, and the response: a real ticket when
 * expiration < 0 in a real session (Part 3 §23.3.1), an empty timeout and
 * a NULL ticket otherwise. */
static TPM_RC policy_auth_finish(qtpm_tpm *tpm, const tpm_cmd *c, tpm_session *s, TPM_CC cc,
                                 TPM_ST tag, TPM_HANDLE hierarchy, const policy_auth_args *a,
                                 TPM2B_TIMEOUT *timeout, TPMT_TK_AUTH *ticket)
{
    uint64_t t;
    TPM_RC rc = policy_common_args(tpm, s, a, &t);
    if (rc)
        return rc;
    policy_update(s, cc, c->names[0], c->name_len[0], a->ref->buffer, a->ref->size);
    ticket->tag = tag;
    ticket->hierarchy = TPM_RH_NULL;
    timeout->size = ticket->digest.size = 0;
    if (a->exp >= 0 || s->type == TPM_SE_TRIAL)
        return TPM_RC_SUCCESS;
    size_t off = 0;
    if (qtpm_UINT64_marshal(&t, timeout->buffer, sizeof(timeout->buffer), &off) != TPM_RC_SUCCESS)
        return TPM_RC_FAILURE;
    timeout->size = (uint16_t)off;
    ticket->hierarchy = hierarchy;
    auth_ticket_hmac(tpm, tag, hierarchy, timeout, a->cp, a->ref, c->names[0], c->name_len[0],
                     ticket->digest.buffer);
    ticket->digest.size = 32;
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.4 TPM2_PolicySecret: authHandle (authorized), policySession. */
TPM_RC cmd_PolicySecret(qtpm_tpm *tpm, tpm_cmd *c, const PolicySecret_In *in,
                        PolicySecret_Out *out)
{
    tpm_session *s = policy_arg(tpm, c, 1);
    policy_auth_args a = {&in->nonceTPM, &in->cpHashA, &in->policyRef, in->expiration};
    return policy_auth_finish(tpm, c, s, TPM_CC_PolicySecret, TPM_ST_AUTH_SECRET,
                              entity_hierarchy(tpm, c->handles[0]), &a, &out->timeout,
                              &out->policyTicket);
}

/* Part 3 §23.3 TPM2_PolicySigned: authObject (no auth), policySession;
 * the signature covers aHash = H(nonceTPM || expiration || cpHashA ||
 * policyRef) with the signature's hash. */
TPM_RC cmd_PolicySigned(qtpm_tpm *tpm, tpm_cmd *c, const PolicySigned_In *in,
                        PolicySigned_Out *out)
{
    tpm_session *s = policy_arg(tpm, c, 1);
    tpm_object *k = object_find(tpm, c->handles[0]);
    policy_auth_args a = {&in->nonceTPM, &in->cpHashA, &in->policyRef, in->expiration};
    if (s->type != TPM_SE_TRIAL) {
        const TPMT_SIGNATURE *sig = &in->auth;
        TPM_ALG_ID h = sig->signature.any.hashAlg;
        uint8_t ah[MAX_DIGEST], eb[4];
        size_t eo = 0;
        if (qtpm_INT32_marshal(&a.exp, eb, sizeof(eb), &eo) != TPM_RC_SUCCESS)
            return TPM_RC_FAILURE;
        crypt_part parts[] = {{a.nonce->buffer, a.nonce->size},
                              {eb, sizeof(eb)},
                              {a.cp->buffer, a.cp->size},
                              {a.ref->buffer, a.ref->size}};
        if (tpm_hash_size(tpm, h) == 0)
            return RC_P(TPM_RC_HASH, PN_PolicySigned_auth);
        if (crypt_hash_parts(h, ah, parts, 4))
            return TPM_RC_FAILURE;
        if (asym_verify(k, ah, crypt_hash_size(h), sig) != TPM_RC_SUCCESS)
            return RC_P(TPM_RC_SIGNATURE, PN_PolicySigned_auth);
    }
    return policy_auth_finish(tpm, c, s, TPM_CC_PolicySigned, TPM_ST_AUTH_SIGNED, k->hierarchy,
                              &a, &out->timeout, &out->policyTicket);
}

/* Part 3 §23.16 TPM2_PolicyAuthorize: keySign is the Name of the key that
 * signed approvedPolicy || policyRef; checkTicket (a v1.85 TPMT_TK_VERIFIED)
 * is VerifySignature's proof of that signature. */
TPM_RC cmd_PolicyAuthorize(qtpm_tpm *tpm, tpm_cmd *c, const PolicyAuthorize_In *in,
                           PolicyAuthorize_Out *out)
{
    (void)out;
    enum { P_KEY = PN_PolicyAuthorize_keySign, P_TICKET = PN_PolicyAuthorize_checkTicket };
    tpm_session *s = policy_arg(tpm, c, 0);
    const TPM2B_DIGEST *approved = &in->approvedPolicy;
    const TPM2B_NONCE *ref = &in->policyRef;
    const TPM2B_NAME *key = &in->keySign;
    const TPMT_TK_VERIFIED *tk = &in->checkTicket;
    /* a key's Name: nameAlg, then that hash's digest */
    TPM_ALG_ID kalg = TPM_ALG_NULL;
    size_t ko = 0;
    if (qtpm_UINT16_unmarshal(&kalg, key->buffer, key->size, &ko) != TPM_RC_SUCCESS)
        return RC_P(TPM_RC_SIZE, P_KEY);
    size_t khl = tpm_hash_size(tpm, kalg);
    if (khl == 0 || key->size != 2 + khl)
        return RC_P(TPM_RC_HASH, P_KEY);
    if (s->type != TPM_SE_TRIAL) {
        size_t hl = crypt_hash_size(s->hash);
        if (approved->size != hl || !public_equal(approved->buffer, s->policy_digest.b, hl))
            return RC_P(TPM_RC_VALUE, PN_PolicyAuthorize_approvedPolicy);
        if (tk->tag != TPM_ST_VERIFIED)
            return RC_P(TPM_RC_TAG, P_TICKET);
        /* ticket = HMAC(proof, TPM_ST_VERIFIED || aHash || keyName) with
         * aHash = H_keyAlg(approvedPolicy || policyRef) */
        uint8_t ah[MAX_DIGEST], t[MAX_DIGEST];
        crypt_part parts[] = {{approved->buffer, approved->size}, {ref->buffer, ref->size}};
        crypt_hash_parts(kalg, ah, parts, 2);
        if (tk->hierarchy == TPM_RH_NULL)
            return RC_P(TPM_RC_TICKET, P_TICKET);
        ticket_hmac(tpm, kalg, tk->hierarchy, TPM_ST_VERIFIED, ah, khl, key->buffer, key->size, t);
        if (tk->hmac.size != khl || !ct_equal(t, tk->hmac.buffer, khl))
            return RC_P(TPM_RC_TICKET, P_TICKET);
    }
    memset(s->policy_digest.b, 0, s->policy_digest.size);
    policy_update(s, TPM_CC_PolicyAuthorize, key->buffer, key->size, ref->buffer, ref->size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.8 TPM2_PolicyLocality */
TPM_RC cmd_PolicyLocality(qtpm_tpm *tpm, tpm_cmd *c, const PolicyLocality_In *in,
                          PolicyLocality_Out *out)
{
    (void)out;
    tpm_session *s = policy_arg(tpm, c, 0);
    uint8_t loc = in->locality;
    if (loc == 0 || loc > 0x1F)
        return RC_P(TPM_RC_RANGE, PN_PolicyLocality_locality);
    uint8_t ccb[4];
    cc_bytes(ccb, TPM_CC_PolicyLocality);
    session_policy_extend(s, ccb, 4, &loc, 1);
    s->locality_mask = s->locality_mask ? (uint8_t)(s->locality_mask & loc) : loc;
    return TPM_RC_SUCCESS;
}

/* PolicyCpHash / PolicyNameHash: their one parameter (number 1) */
static TPM_RC policy_hash_arg(qtpm_tpm *tpm, tpm_cmd *c, TPM_CC cc, const TPM2B_DIGEST *arg,
                              tpm_buf64 *(*field)(tpm_session *))
{
    tpm_session *s = policy_arg(tpm, c, 0);
    const uint8_t *h = arg->buffer;
    uint16_t hl = arg->size;
    if (hl != crypt_hash_size(s->hash))
        return RC_P(TPM_RC_SIZE, 1);
    tpm_buf64 *f = field(s);
    if (s->template_hash.size)
        return TPM_RC_CPHASH; /* shares the cpHash slot (Part 3 §23.21) */
    /* a different value than the one already set: TPM_RC_CPHASH (Part 3
     * §23.13, §23.14; swtpm, the reference implementation, answers so) */
    if (f->size && !public_equal(f->b, h, hl))
        return TPM_RC_CPHASH;
    uint8_t ccb[4];
    cc_bytes(ccb, cc);
    session_policy_extend(s, ccb, 4, h, hl);
    memcpy(f->b, h, hl);
    f->size = hl;
    return TPM_RC_SUCCESS;
}

static tpm_buf64 *cp_field(tpm_session *s) { return &s->cp_hash; }
static tpm_buf64 *name_field(tpm_session *s) { return &s->name_hash; }

/* Part 3 §23.9 TPM2_PolicyCpHash */
TPM_RC cmd_PolicyCpHash(qtpm_tpm *tpm, tpm_cmd *c, const PolicyCpHash_In *in,
                        PolicyCpHash_Out *out)
{
    (void)out;
    return policy_hash_arg(tpm, c, TPM_CC_PolicyCpHash, &in->cpHashA, cp_field);
}

/* Part 3 §23.10 TPM2_PolicyNameHash */
TPM_RC cmd_PolicyNameHash(qtpm_tpm *tpm, tpm_cmd *c, const PolicyNameHash_In *in,
                          PolicyNameHash_Out *out)
{
    (void)out;
    return policy_hash_arg(tpm, c, TPM_CC_PolicyNameHash, &in->nameHash, name_field);
}

/* Part 3 §23.22 TPM2_PolicyNvWritten */
TPM_RC cmd_PolicyNvWritten(qtpm_tpm *tpm, tpm_cmd *c, const PolicyNvWritten_In *in,
                           PolicyNvWritten_Out *out)
{
    (void)out;
    tpm_session *s = policy_arg(tpm, c, 0);
    uint8_t yes = in->writtenSet; /* YES or NO (TPMI_YES_NO) */
    if (s->nv_written_set && s->nv_written != yes)
        return RC_P(TPM_RC_VALUE, PN_PolicyNvWritten_writtenSet);
    uint8_t ccb[4];
    cc_bytes(ccb, TPM_CC_PolicyNvWritten);
    session_policy_extend(s, ccb, 4, &yes, 1);
    s->nv_written_set = 1;
    s->nv_written = yes;
    return TPM_RC_SUCCESS;
}

/* The arithmetic comparison of PolicyNV and PolicyCounterTimer (Part 3
 * §23.9): a is the TPM's data, b the caller's operand, both big-endian and
 * of the same length. Returns 1 when "a op b" holds, -1 for an unknown op. */
static int policy_compare(const uint8_t *a, const uint8_t *b, size_t n, uint16_t op)
{
    int ucmp = 0; /* unsigned comparison: first differing byte */
    for (size_t i = 0; i < n && ucmp == 0; i++)
        ucmp = a[i] < b[i] ? -1 : a[i] > b[i] ? 1 : 0;
    int scmp = ucmp;
    if (n > 0 && ((a[0] ^ b[0]) & 0x80))
        scmp = (a[0] & 0x80) ? -1 : 1; /* different signs */
    switch (op) {
    case TPM_EO_EQ: return ucmp == 0;
    case TPM_EO_NEQ: return ucmp != 0;
    case TPM_EO_SIGNED_GT: return scmp > 0;
    case TPM_EO_UNSIGNED_GT: return ucmp > 0;
    case TPM_EO_SIGNED_LT: return scmp < 0;
    case TPM_EO_UNSIGNED_LT: return ucmp < 0;
    case TPM_EO_SIGNED_GE: return scmp >= 0;
    case TPM_EO_UNSIGNED_GE: return ucmp >= 0;
    case TPM_EO_SIGNED_LE: return scmp <= 0;
    case TPM_EO_UNSIGNED_LE: return ucmp <= 0;
    case TPM_EO_BITSET:
        for (size_t i = 0; i < n; i++)
            if ((a[i] & b[i]) != b[i])
                return 0;
        return 1;
    case TPM_EO_BITCLEAR:
        for (size_t i = 0; i < n; i++)
            if (a[i] & b[i])
                return 0;
        return 1;
    default: return -1;
    }
}

/* What PolicyNV and PolicyCounterTimer share after their own checks: in a
 * real session (data, the operand's place in the NV index or in the
 * marshalled TPMS_TIME_INFO) "data op operandB" must hold — TPM_RC_POLICY
 * otherwise, an unknown operation TPM_RC_VALUE on parameter pn_op; a trial
 * session passes data NULL. Then args = H(operandB || offset || operation),
 * what both hash into the policy (Part 3 §23.9, §23.10). */
static TPM_RC operand_assert(const tpm_session *s, const uint8_t *data, const TPM2B_OPERAND *opb,
                             UINT16 offset, TPM_EO op, unsigned pn_op, uint8_t args[MAX_DIGEST])
{
    if (data != NULL) {
        int ok = policy_compare(data, opb->buffer, opb->size, op);
        if (ok < 0)
            return RC_P(TPM_RC_VALUE, pn_op);
        if (!ok)
            return TPM_RC_POLICY;
    }
    uint8_t tail[4];
    wr_put_u16(tail, offset);
    wr_put_u16(tail + 2, op);
    crypt_part parts[] = {{opb->buffer, opb->size}, {tail, 4}};
    crypt_hash_parts(s->hash, args, parts, 2);
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.9 TPM2_PolicyNV: authHandle (authorizes reading), nvIndex,
 * policySession. */
TPM_RC cmd_PolicyNV(qtpm_tpm *tpm, tpm_cmd *c, const PolicyNV_In *in, PolicyNV_Out *out)
{
    (void)out;
    tpm_session *s = policy_arg(tpm, c, 2);
    tpm_nv *nv = nv_find(tpm, c->handles[1]);
    const uint8_t *data = NULL;
    if (s->type != TPM_SE_TRIAL) {
        TPM_RC rc = nv_read_precheck(c, nv);
        if (rc)
            return rc;
        if ((size_t)in->offset + in->operandB.size > nv->pub.dataSize)
            return TPM_RC_NV_RANGE;
        data = nv->data + in->offset;
    }
    uint8_t args[MAX_DIGEST], ccb[4];
    TPM_RC rc = operand_assert(s, data, &in->operandB, in->offset, in->operation,
                               PN_PolicyNV_operation, args);
    if (rc)
        return rc;
    cc_bytes(ccb, TPM_CC_PolicyNV);
    crypt_part parts[] = {{s->policy_digest.b, s->policy_digest.size},
                          {ccb, 4},
                          {args, crypt_hash_size(s->hash)},
                          {c->names[1], c->name_len[1]}};
    crypt_hash_parts(s->hash, s->policy_digest.b, parts, 4);
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.10 TPM2_PolicyCounterTimer: compares against the marshalled
 * TPMS_TIME_INFO (time, clock, resetCount, restartCount, safe). */
TPM_RC cmd_PolicyCounterTimer(qtpm_tpm *tpm, tpm_cmd *c, const PolicyCounterTimer_In *in,
                              PolicyCounterTimer_Out *out)
{
    (void)out;
    tpm_session *s = policy_arg(tpm, c, 0);
    uint8_t ti[32];
    const uint8_t *data = NULL;
    if (s->type != TPM_SE_TRIAL) {
        size_t tlen = 0;
        TPMS_TIME_INFO t;
        clock_time_info(tpm, &t);
        if (qtpm_TPMS_TIME_INFO_marshal(&t, ti, sizeof(ti), &tlen) != TPM_RC_SUCCESS)
            return TPM_RC_FAILURE;
        if ((size_t)in->offset + in->operandB.size > tlen)
            return RC_P(TPM_RC_RANGE, PN_PolicyCounterTimer_offset);
        data = ti + in->offset;
    }
    uint8_t args[MAX_DIGEST], ccb[4];
    TPM_RC rc = operand_assert(s, data, &in->operandB, in->offset, in->operation,
                               PN_PolicyCounterTimer_operation, args);
    if (rc)
        return rc;
    cc_bytes(ccb, TPM_CC_PolicyCounterTimer);
    session_policy_extend(s, ccb, 4, args, crypt_hash_size(s->hash));
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.15 TPM2_PolicyDuplicationSelect: limits Duplicate to one new
 * parent (and optionally one object) through the name hash. */
TPM_RC cmd_PolicyDuplicationSelect(qtpm_tpm *tpm, tpm_cmd *c, const PolicyDuplicationSelect_In *in,
                                   PolicyDuplicationSelect_Out *out)
{
    (void)out;
    tpm_session *s = policy_arg(tpm, c, 0);
    const uint8_t *obj = in->objectName.buffer, *np = in->newParentName.buffer;
    uint16_t ol = in->objectName.size, nl = in->newParentName.size;
    uint8_t include = in->includeObject; /* YES or NO (TPMI_YES_NO) */
    if (s->name_hash.size || (s->command_code && s->command_code != TPM_CC_Duplicate))
        return TPM_RC_CPHASH;
    uint8_t ccb[4];
    cc_bytes(ccb, TPM_CC_PolicyDuplicationSelect);
    crypt_part parts[] = {{s->policy_digest.b, s->policy_digest.size},
                          {ccb, 4},
                          {obj, include ? ol : 0},
                          {np, nl},
                          {&include, 1}};
    crypt_hash_parts(s->hash, s->policy_digest.b, parts, 5);
    crypt_part nh[] = {{obj, ol}, {np, nl}};
    crypt_hash_parts(s->hash, s->name_hash.b, nh, 2);
    s->name_hash.size = (uint16_t)crypt_hash_size(s->hash);
    s->command_code = TPM_CC_Duplicate;
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.5 TPM2_PolicyTicket: redeems the ticket of an earlier
 * PolicySigned or PolicySecret with expiration < 0, as if that command were
 * run again. The ticket's tag (TPM_ST_AUTH_SIGNED or _SECRET) says which. */
TPM_RC cmd_PolicyTicket(qtpm_tpm *tpm, tpm_cmd *c, const PolicyTicket_In *in,
                        PolicyTicket_Out *out)
{
    (void)out;
    const TPMT_TK_AUTH *tk = &in->ticket;
    uint64_t t = 0;
    size_t to = 0;
    if (in->timeout.size != 8 ||
        qtpm_UINT64_unmarshal(&t, in->timeout.buffer, in->timeout.size, &to) != TPM_RC_SUCCESS)
        return RC_P(TPM_RC_SIZE, PN_PolicyTicket_timeout);
    /* the ticket, over exactly these values */
    uint8_t want[32];
    auth_ticket_hmac(tpm, tk->tag, tk->hierarchy, &in->timeout, &in->cpHashA, &in->policyRef,
                     in->authName.buffer, in->authName.size, want);
    if (tk->digest.size != 32 || !ct_equal(want, tk->digest.buffer, 32))
        return RC_P(TPM_RC_TICKET, PN_PolicyTicket_ticket);
    if (tpm->time_ms > t)
        return RC_P(TPM_RC_EXPIRED, PN_PolicyTicket_timeout);
    tpm_session *s = policy_arg(tpm, c, 0);
    TPM_RC rc = policy_set_cp_hash(s, &in->cpHashA, PN_PolicyTicket_cpHashA);
    if (rc)
        return rc;
    if (s->timeout == 0 || t < s->timeout)
        s->timeout = t;
    policy_update(s, tk->tag == TPM_ST_AUTH_SIGNED ? TPM_CC_PolicySigned : TPM_CC_PolicySecret,
                  in->authName.buffer, in->authName.size, in->policyRef.buffer,
                  in->policyRef.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.21 TPM2_PolicyTemplate: limits the session to creating an
 * object from one template (checked in session.c);
 * policyDigest' = H(policyDigest || TPM_CC_PolicyTemplate || templateHash). */
TPM_RC cmd_PolicyTemplate(qtpm_tpm *tpm, tpm_cmd *c, const PolicyTemplate_In *in,
                          PolicyTemplate_Out *out)
{
    (void)out;
    enum { P_HASH = PN_PolicyTemplate_templateHash };
    tpm_session *s = policy_arg(tpm, c, 0);
    const uint8_t *h = in->templateHash.buffer;
    uint16_t hl = in->templateHash.size;
    if (s->template_hash.size) {
        if (hl != s->template_hash.size || !public_equal(h, s->template_hash.b, hl))
            return RC_P(TPM_RC_VALUE, P_HASH);
    } else if (s->cp_hash.size || s->name_hash.size) {
        return TPM_RC_CPHASH;
    }
    if (hl != crypt_hash_size(s->hash))
        return RC_P(TPM_RC_SIZE, P_HASH);
    uint8_t ccb[4];
    cc_bytes(ccb, TPM_CC_PolicyTemplate);
    session_policy_extend(s, ccb, 4, h, hl);
    memcpy(s->template_hash.b, h, hl);
    s->template_hash.size = hl;
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.22 TPM2_PolicyAuthorizeNV: authHandle (authorizes reading),
 * nvIndex, policySession. The index holds a TPMT_HA, the approved policy:
 * when it equals policyDigest, policyDigest is reset and becomes
 * H(0...0 || TPM_CC_PolicyAuthorizeNV || nvIndex.Name). */
TPM_RC cmd_PolicyAuthorizeNV(qtpm_tpm *tpm, tpm_cmd *c, const PolicyAuthorizeNV_In *in,
                             PolicyAuthorizeNV_Out *out)
{
    (void)in, (void)out;
    tpm_session *s = policy_arg(tpm, c, 2);
    tpm_nv *nv = nv_find(tpm, c->handles[1]);
    if (s->type != TPM_SE_TRIAL) {
        TPM_RC rc = nv_read_precheck(c, nv);
        if (rc)
            return rc;
        /* TPMT_HA: hashAlg, then that hash's digest */
        size_t hl = crypt_hash_size(s->hash);
        if (nv->pub.dataSize < 2)
            return TPM_RC_INSUFFICIENT;
        TPM_ALG_ID alg = (TPM_ALG_ID)((nv->data[0] << 8) | nv->data[1]);
        if (crypt_hash_size(alg) == 0 || alg != s->hash)
            return TPM_RC_HASH;
        if (nv->pub.dataSize < 2 + hl)
            return TPM_RC_INSUFFICIENT;
        if (!public_equal(nv->data + 2, s->policy_digest.b, hl))
            return TPM_RC_VALUE;
    }
    memset(s->policy_digest.b, 0, s->policy_digest.size);
    uint8_t ccb[4];
    cc_bytes(ccb, TPM_CC_PolicyAuthorizeNV);
    session_policy_extend(s, ccb, 4, c->names[1], c->name_len[1]);
    return TPM_RC_SUCCESS;
}
