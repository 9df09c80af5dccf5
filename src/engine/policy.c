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
 */
#include <stdlib.h>

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

static TPM_RC policy_session(qtpm_tpm *tpm, TPM_HANDLE h, unsigned hnum, tpm_session **out)
{
    tpm_session *s = session_find(tpm, h);
    if (s == NULL)
        return RC_H(TPM_RC_HANDLE, hnum);
    if (s->type == TPM_SE_HMAC)
        return RC_H(TPM_RC_TYPE, hnum);
    *out = s;
    return TPM_RC_SUCCESS;
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
    uint8_t sel[4 + HASH_COUNT * (3 + PCR_SELECT_MAX)], computed[MAX_DIGEST];
    const uint8_t *given = in->pcrDigest.buffer;
    uint16_t glen = in->pcrDigest.size;
    rc = pcr_selection_digest(tpm, &in->pcrs, s->hash, computed);
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
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

/* Checks nonceTPM / cpHashA / expiration shared by PolicySecret and
 * PolicySigned; pnum_* are the parameter numbers. */
static TPM_RC policy_common_args(qtpm_tpm *tpm, tpm_session *s, const uint8_t *nonce, uint16_t nlen,
                                 const uint8_t *cp, uint16_t cplen, int32_t expiration,
                                 unsigned p_nonce, unsigned p_cp, unsigned p_exp,
                                 uint64_t *timeout_out)
{
    size_t hl = crypt_hash_size(s->hash);
    *timeout_out = 0;
    if (cplen != 0 && s->template_hash.size)
        return RC_P(TPM_RC_CPHASH, p_cp);
    if (nlen != 0 && (nlen != s->nonce_tpm.size || !public_equal(nonce, s->nonce_tpm.b, nlen)))
        return RC_P(TPM_RC_NONCE, p_nonce);
    if (cplen != 0) {
        if (cplen != hl)
            return RC_P(TPM_RC_SIZE, p_cp);
        if (s->cp_hash.size && !public_equal(s->cp_hash.b, cp, hl))
            return RC_P(TPM_RC_CPHASH, p_cp);
        memcpy(s->cp_hash.b, cp, hl);
        s->cp_hash.size = (uint16_t)hl;
    }
    if (expiration != 0) {
        if (nlen == 0 && expiration > 0)
            return RC_P(TPM_RC_EXPIRED, p_exp);
        uint64_t abs_exp = (uint64_t)(expiration < 0 ? -(int64_t)expiration : expiration);
        uint64_t timeout = s->start_time + abs_exp * 1000u;
        if (s->type != TPM_SE_TRIAL && tpm->time_ms > timeout)
            return RC_P(TPM_RC_EXPIRED, p_exp);
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
 * authorization expires. Because that time restarts at every TPM Reset, the
 * HMAC also covers resetCount, and a ticket dies with the reset:
 *   HMAC_SHA256(proof(hierarchy), tag ‖ timeout ‖ resetCount ‖ cpHashA ‖
 *               policyRef ‖ authName)
 */
static void auth_ticket_hmac(qtpm_tpm *tpm, TPM_ST tag, TPM_HANDLE hier, const uint8_t timeout[8],
                             const uint8_t *cp, size_t cplen, const uint8_t *ref, size_t rlen,
                             const uint8_t *name, size_t nlen, uint8_t out[32])
{
    uint8_t head[2 + 8 + 4];
    wr_put_u16(head, tag);
    memcpy(head + 2, timeout, 8);
    wr_put_u32(head + 10, tpm->ps.reset_count);
    crypt_part parts[] = {{head, sizeof(head)}, {cp, cplen}, {ref, rlen}, {name, nlen}};
    crypt_hmac_parts(TPM_ALG_SHA256, hierarchy_proof(tpm, hier), 64, out, parts, 4);
}

/* timeout and ticket of PolicySigned/PolicySecret: a real ticket when
 * expiration < 0 in a real session (Part 3 §23.3.1), empty ones otherwise. */
static void write_auth_ticket(qtpm_tpm *tpm, tpm_cmd *c, const tpm_session *s, int32_t expiration,
                              uint64_t timeout, TPM_ST tag, TPM_HANDLE hier, const uint8_t *cp,
                              size_t cplen, const uint8_t *ref, size_t rlen)
{
    if (expiration >= 0 || s->type == TPM_SE_TRIAL) {
        wr_u16(&c->out, 0);
        ticket_write_null(&c->out, tag);
        return;
    }
    uint8_t tb[8], t[32];
    wr_put_u32(tb, (uint32_t)(timeout >> 32));
    wr_put_u32(tb + 4, (uint32_t)timeout);
    auth_ticket_hmac(tpm, tag, hier, tb, cp, cplen, ref, rlen, c->names[0], c->name_len[0], t);
    wr_2b(&c->out, tb, 8);
    wr_u16(&c->out, tag);
    wr_u32(&c->out, hier);
    wr_2b(&c->out, t, 32);
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

/* The parameters PolicySecret and PolicySigned start with: nonceTPM,
 * cpHashA, policyRef, expiration. */
typedef struct {
    uint8_t nonce[MAX_DIGEST], cp[MAX_DIGEST], ref[MAX_DIGEST];
    uint16_t nlen, cplen, rlen;
    uint32_t exp;
} policy_auth_args;

static TPM_RC read_policy_auth_args(tpm_params *p, policy_auth_args *a)
{
    prm_2b(p, a->nonce, sizeof(a->nonce), &a->nlen);
    prm_2b(p, a->cp, sizeof(a->cp), &a->cplen);
    prm_2b(p, a->ref, sizeof(a->ref), &a->rlen);
    return prm_u32(p, &a->exp);
}

/* The end both share once the authorization is proven: the checks of
 * nonceTPM, cpHashA and expiration (parameters 1, 2 and 4), the policy
 * update with the authorizing entity's Name, and the ticket. */
static TPM_RC policy_auth_finish(qtpm_tpm *tpm, tpm_cmd *c, tpm_session *s, TPM_CC cc, TPM_ST tag,
                                 TPM_HANDLE hierarchy, const policy_auth_args *a)
{
    uint64_t timeout;
    TPM_RC rc = policy_common_args(tpm, s, a->nonce, a->nlen, a->cp, a->cplen, (int32_t)a->exp, 1,
                                   2, 4, &timeout);
    if (rc)
        return rc;
    policy_update(s, cc, c->names[0], c->name_len[0], a->ref, a->rlen);
    write_auth_ticket(tpm, c, s, (int32_t)a->exp, timeout, tag, hierarchy, a->cp, a->cplen, a->ref,
                      a->rlen);
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.4 TPM2_PolicySecret: authHandle (authorized), policySession. */
TPM_RC cmd_PolicySecret(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[1], 2, &s);
    if (rc)
        return rc;
    policy_auth_args a;
    tpm_params p = prm_begin(&c->in);
    if ((rc = read_policy_auth_args(&p, &a)))
        return rc;
    if (params_end(c))
        return TPM_RC_SIZE;
    return policy_auth_finish(tpm, c, s, TPM_CC_PolicySecret, TPM_ST_AUTH_SECRET,
                              entity_hierarchy(tpm, c->handles[0]), &a);
}

/* Part 3 §23.3 TPM2_PolicySigned: authObject (no auth), policySession;
 * the signature covers aHash = H(nonceTPM || expiration || cpHashA ||
 * policyRef) with the signature's hash. */
TPM_RC cmd_PolicySigned(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[1], 2, &s);
    if (rc)
        return rc;
    policy_auth_args a;
    tpm_params p = prm_begin(&c->in);
    if ((rc = read_policy_auth_args(&p, &a)))
        return rc;
    TPMT_SIGNATURE *sig = malloc(sizeof(*sig));
    if (sig == NULL)
        return TPM_RC_MEMORY;
    if (prm_next(&p))
        prm_fail(&p, tm_signature_read(tpm, p.r, sig));
    rc = p.rc;
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    tpm_object *k = object_find(tpm, c->handles[0]);
    if (rc == TPM_RC_SUCCESS && s->type != TPM_SE_TRIAL) {
        TPM_ALG_ID h = sig->signature.any.hashAlg;
        uint8_t ah[MAX_DIGEST], eb[4];
        wr_put_u32(eb, a.exp);
        crypt_part parts[] = {{a.nonce, a.nlen}, {eb, 4}, {a.cp, a.cplen}, {a.ref, a.rlen}};
        if (tpm_hash_size(tpm, h) == 0)
            rc = RC_P(TPM_RC_HASH, 5);
        else if (crypt_hash_parts(h, ah, parts, 4))
            rc = TPM_RC_FAILURE;
        else if (asym_verify(k, ah, crypt_hash_size(h), sig) != TPM_RC_SUCCESS)
            rc = RC_P(TPM_RC_SIGNATURE, 5);
    }
    free(sig);
    if (rc)
        return rc;
    return policy_auth_finish(tpm, c, s, TPM_CC_PolicySigned, TPM_ST_AUTH_SIGNED, k->hierarchy, &a);
}

/* Part 3 §23.16 TPM2_PolicyAuthorize */
TPM_RC cmd_PolicyAuthorize(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
    uint8_t approved[MAX_DIGEST], ref[MAX_DIGEST], key_name[2 + MAX_DIGEST], tdig[MAX_DIGEST];
    uint16_t alen, rlen, klen, tag, tlen;
    uint32_t thier;
    tpm_params p = prm_begin(&c->in);
    prm_2b(&p, approved, sizeof(approved), &alen);
    prm_2b(&p, ref, sizeof(ref), &rlen);
    prm_2b(&p, key_name, sizeof(key_name), &klen);
    /* checkTicket: v1.85 TPMT_TK_VERIFIED; a TPM_ST_DIGEST_VERIFIED ticket
     * carries its metadata (a TPM_ALG_ID) before the hmac (Part 2 §10.6.5) */
    uint16_t meta;
    if (prm_next(&p)) {
        if (rd_u16(p.r, &tag) || rd_u32(p.r, &thier) ||
            (tag == TPM_ST_DIGEST_VERIFIED && rd_u16(p.r, &meta)))
            prm_fail(&p, TPM_RC_INSUFFICIENT);
        else
            prm_fail(&p, rd_2b_rc(p.r, tdig, sizeof(tdig), &tlen));
    }
    if ((rc = p.rc))
        return rc;
    if (params_end(c))
        return TPM_RC_SIZE;
    if (klen < 2)
        return RC_P(TPM_RC_SIZE, 3);
    TPM_ALG_ID kalg = (TPM_ALG_ID)((key_name[0] << 8) | key_name[1]);
    size_t khl = tpm_hash_size(tpm, kalg);
    if (khl == 0 || klen != 2 + khl)
        return RC_P(TPM_RC_HASH, 3);
    if (s->type != TPM_SE_TRIAL) {
        size_t hl = crypt_hash_size(s->hash);
        if (alen != hl || !public_equal(approved, s->policy_digest.b, hl))
            return RC_P(TPM_RC_VALUE, 1);
        if (tag != TPM_ST_VERIFIED)
            return RC_P(TPM_RC_TAG, 4);
        /* ticket = HMAC(proof, TPM_ST_VERIFIED || aHash || keyName) with
         * aHash = H_keyAlg(approvedPolicy || policyRef) */
        uint8_t ah[MAX_DIGEST], t[MAX_DIGEST];
        crypt_part parts[] = {{approved, alen}, {ref, rlen}};
        crypt_hash_parts(kalg, ah, parts, 2);
        if (thier == TPM_RH_NULL)
            return RC_P(TPM_RC_TICKET, 4);
        ticket_hmac(tpm, kalg, thier, TPM_ST_VERIFIED, ah, khl, key_name, klen, t);
        if (tlen != khl || !ct_equal(t, tdig, khl))
            return RC_P(TPM_RC_TICKET, 4);
    }
    memset(s->policy_digest.b, 0, s->policy_digest.size);
    policy_update(s, TPM_CC_PolicyAuthorize, key_name, klen, ref, rlen);
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.8 TPM2_PolicyLocality */
TPM_RC cmd_PolicyLocality(qtpm_tpm *tpm, tpm_cmd *c, const PolicyLocality_In *in,
                          PolicyLocality_Out *out)
{
    (void)out;
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
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

/* args = H(operandB || offset || operation) */
static void operand_args(const tpm_session *s, const uint8_t *opb, uint16_t len, uint16_t offset,
                         uint16_t op, uint8_t *args)
{
    uint8_t tail[4];
    wr_put_u16(tail, offset);
    wr_put_u16(tail + 2, op);
    crypt_part parts[] = {{opb, len}, {tail, 4}};
    crypt_hash_parts(s->hash, args, parts, 2);
}

/* Part 3 §23.9 TPM2_PolicyNV: authHandle (authorizes reading), nvIndex,
 * policySession. */
TPM_RC cmd_PolicyNV(qtpm_tpm *tpm, tpm_cmd *c, const PolicyNV_In *in, PolicyNV_Out *out)
{
    (void)out;
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[2], 3, &s);
    if (rc)
        return rc;
    const TPM2B_OPERAND *opb = &in->operandB;
    uint16_t offset = in->offset, op = in->operation; /* op: a TPM_EO */
    tpm_nv *nv = nv_find(tpm, c->handles[1]);
    if (s->type != TPM_SE_TRIAL) {
        rc = nv_read_precheck(c, nv);
        if (rc)
            return rc;
        if ((size_t)offset + opb->size > nv->pub.dataSize)
            return TPM_RC_NV_RANGE;
        int ok = policy_compare(nv->data + offset, opb->buffer, opb->size, op);
        if (ok < 0)
            return RC_P(TPM_RC_VALUE, PN_PolicyNV_operation);
        if (!ok)
            return TPM_RC_POLICY;
    }
    uint8_t args[MAX_DIGEST], ccb[4];
    operand_args(s, opb->buffer, opb->size, offset, op, args);
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
    const TPM2B_OPERAND *opb = &in->operandB;
    uint16_t offset = in->offset, op = in->operation; /* op: a TPM_EO */
    if (s->type != TPM_SE_TRIAL) {
        uint8_t ti[32];
        size_t tlen = 0;
        TPMS_TIME_INFO t;
        clock_time_info(tpm, &t);
        if (qtpm_TPMS_TIME_INFO_marshal(&t, ti, sizeof(ti), &tlen) != TPM_RC_SUCCESS)
            return TPM_RC_FAILURE;
        if ((size_t)offset + opb->size > tlen)
            return RC_P(TPM_RC_RANGE, PN_PolicyCounterTimer_offset);
        int ok = policy_compare(ti + offset, opb->buffer, opb->size, op);
        if (ok < 0)
            return RC_P(TPM_RC_VALUE, PN_PolicyCounterTimer_operation);
        if (!ok)
            return TPM_RC_POLICY;
    }
    uint8_t args[MAX_DIGEST], ccb[4];
    operand_args(s, opb->buffer, opb->size, offset, op, args);
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
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
 * run again. */
TPM_RC cmd_PolicyTicket(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
    uint8_t timeout[8], cp[MAX_DIGEST], ref[MAX_DIGEST], name[NAME_MAX_SIZE], tdig[MAX_DIGEST];
    uint16_t tl, cplen, rlen, nlen, tag, tdl;
    uint32_t thier;
    tpm_params p = prm_begin(&c->in);
    prm_2b(&p, timeout, sizeof(timeout), &tl);
    prm_2b(&p, cp, sizeof(cp), &cplen);
    prm_2b(&p, ref, sizeof(ref), &rlen);
    prm_2b(&p, name, sizeof(name), &nlen);
    if ((rc = prm_ticket(&p, &tag, &thier, tdig, sizeof(tdig), &tdl)))
        return rc;
    if (params_end(c))
        return TPM_RC_SIZE;
    if (tag != TPM_ST_AUTH_SIGNED && tag != TPM_ST_AUTH_SECRET)
        return RC_P(TPM_RC_TAG, 5);
    if (tl != 8)
        return RC_P(TPM_RC_SIZE, 1);
    uint64_t t = ((uint64_t)(((uint32_t)timeout[0] << 24) | ((uint32_t)timeout[1] << 16) |
                             ((uint32_t)timeout[2] << 8) | timeout[3])
                  << 32) |
                 (((uint32_t)timeout[4] << 24) | ((uint32_t)timeout[5] << 16) |
                  ((uint32_t)timeout[6] << 8) | timeout[7]);
    /* the ticket, over exactly these values */
    uint8_t want[32];
    auth_ticket_hmac(tpm, tag, thier, timeout, cp, cplen, ref, rlen, name, nlen, want);
    if (tdl != 32 || !ct_equal(want, tdig, 32))
        return RC_P(TPM_RC_TICKET, 5);
    if (tpm->time_ms > t)
        return RC_P(TPM_RC_EXPIRED, 1);
    size_t hl = crypt_hash_size(s->hash);
    if (cplen != 0) {
        if (cplen != hl)
            return RC_P(TPM_RC_SIZE, 2);
        if (s->template_hash.size || (s->cp_hash.size && !public_equal(s->cp_hash.b, cp, hl)))
            return RC_P(TPM_RC_CPHASH, 2);
        memcpy(s->cp_hash.b, cp, hl);
        s->cp_hash.size = (uint16_t)hl;
    }
    if (s->timeout == 0 || t < s->timeout)
        s->timeout = t;
    policy_update(s, tag == TPM_ST_AUTH_SIGNED ? TPM_CC_PolicySigned : TPM_CC_PolicySecret, name,
                  nlen, ref, rlen);
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[0], 1, &s);
    if (rc)
        return rc;
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
    tpm_session *s;
    TPM_RC rc = policy_session(tpm, c->handles[2], 3, &s);
    if (rc)
        return rc;
    tpm_nv *nv = nv_find(tpm, c->handles[1]);
    if (s->type != TPM_SE_TRIAL) {
        rc = nv_read_precheck(c, nv);
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
