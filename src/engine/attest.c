/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attest.c — attestation (Part 1 §36.7 "Attestation", Part 3 §18): Quote,
 * Certify, CertifyCreation, GetTime, NV_Certify and the audit digests fill a
 * TPMS_ATTEST, marshal it through the shared module (qtpm_TPMS_ATTEST_marshal,
 * the code the TSS's verifiers unmarshal it with), and sign its digest with
 * the signing key's scheme:
 *
 *   TPMS_ATTEST = magic (TPM_GENERATED_VALUE) || type || qualifiedSigner ||
 *                 extraData || clockInfo || firmwareVersion || attested
 *
 * The data starts with TPM_GENERATED_VALUE, which sym.c refuses to ticket,
 * so restricted keys can only sign such structures when the TPM made them.
 * A NULL signing handle gives an unsigned structure (signature TPM_ALG_NULL).
 */
#include <stdlib.h>

#include "asym.h"
#include "attest.h"
#include "clock.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "entity.h"
#include "hierarchy.h"
#include "nv.h"
#include "object.h"
#include "pcr.h"
#include "pqc.h"
#include "session.h"
#include "tmarshal.h"

#define FIRMWARE_VERSION 0x0000000100000000ull

typedef struct {
    TPM2B_DATA qualifying;
    TPMT_SIG_SCHEME in_scheme;
    unsigned scheme_param; /* inScheme's parameter number, for its errors */
} attest_args;

/* What an attestation command produces: the signing key (NULL: none) and
 * scheme, and the TPMS_ATTEST that attest_begin starts and attest_finish
 * signs. */
typedef struct {
    tpm_object *key;
    TPMT_SIG_SCHEME scheme;
    TPMS_ATTEST att;
} attest_out;

/* Copies n bytes into a TPM2B's buffer of cap bytes; the callers' sources
 * are never larger than the Part 2 type (names, digests, NV contents). */
static void set_2b(UINT16 *size, BYTE *buffer, size_t cap, const uint8_t *src, size_t n)
{
    if (n > cap)
        n = 0; /* unreachable: every source fits its type */
    if (n)
        memcpy(buffer, src, n);
    *size = (UINT16)n;
}
#define SET_2B(dst, src, n) set_2b(&(dst).size, (dst).buffer, sizeof((dst).buffer), (src), (n))

/* inScheme (TPMT_SIG_SCHEME) as the next parameter. */
static TPM_RC read_sig_scheme(const qtpm_tpm *tpm, tpm_params *p, attest_args *a)
{
    if (prm_next(p))
        prm_fail(p, tm_sig_scheme_read(tpm, p->r, &a->in_scheme));
    a->scheme_param = p->n;
    return p->rc;
}

/* qualifyingData and inScheme, the next two parameters. */
static TPM_RC read_attest_args(const qtpm_tpm *tpm, tpm_params *p, attest_args *a)
{
    prm_2b(p, a->qualifying.buffer, sizeof(a->qualifying.buffer), &a->qualifying.size);
    return read_sig_scheme(tpm, p, a);
}

/* Resolves the signing key and scheme (NULL handle: no signature). */
static TPM_RC attest_signer(qtpm_tpm *tpm, TPM_HANDLE h, unsigned hnum, const attest_args *a,
                            unsigned p_scheme, tpm_object **key, TPMT_SIG_SCHEME *scheme)
{
    *key = NULL;
    if (h == TPM_RH_NULL) {
        scheme->scheme = TPM_ALG_NULL;
        return TPM_RC_SUCCESS;
    }
    TPM_RC rc = asym_signing_key(tpm, h, key);
    if (rc)
        return RC_H(rc & ~0xF00u, hnum);
    if ((*key)->pub.type == TPM_ALG_KEYEDHASH && ((*key)->pub.objectAttributes & TPMA_OBJECT_RESTRICTED))
        return RC_H(TPM_RC_KEY, hnum);
    return asym_pick_scheme(*key, &a->in_scheme, scheme, p_scheme);
}

/* Fills the TPMS_ATTEST header; the caller fills the attested union. */
static void attest_header(const qtpm_tpm *tpm, TPMS_ATTEST *att, TPM_ST type,
                          const tpm_object *key, const attest_args *a)
{
    att->magic = TPM_GENERATED_VALUE;
    att->type = type;
    if (key)
        SET_2B(att->qualifiedSigner, key->qualified.b, key->qualified.size);
    else
        att->qualifiedSigner.size = 0;
    att->extraData = a->qualifying;
    TPMS_TIME_INFO t;
    clock_time_info(tpm, &t);
    att->clockInfo = t.clockInfo;
    att->firmwareVersion = FIRMWARE_VERSION;
}

/* The preamble of every attestation command: the signer of handle hnum
 * (with the scheme the caller read) and the header of o->att, which the
 * command completes with its attested union and hands to attest_finish. */
static TPM_RC attest_begin(qtpm_tpm *tpm, const tpm_cmd *c, unsigned hnum, const attest_args *a,
                           TPM_ST type, attest_out *o)
{
    TPM_RC rc = attest_signer(tpm, c->handles[hnum - 1], hnum, a, a->scheme_param, &o->key,
                              &o->scheme);
    if (rc)
        return rc;
    attest_header(tpm, &o->att, type, o->key, a);
    return TPM_RC_SUCCESS;
}

/* The parameters of the attestation commands that take only qualifyingData
 * and inScheme (Certify, GetTime, GetCommandAuditDigest,
 * GetSessionAuditDigest), and the end of the parameter area. */
static TPM_RC read_attest_only_args(const qtpm_tpm *tpm, tpm_cmd *c, attest_args *a)
{
    tpm_params p = prm_begin(&c->in);
    TPM_RC rc = read_attest_args(tpm, &p, a);
    if (rc)
        return rc;
    return params_end(c);
}

/* Marshals the TPMS_ATTEST and emits it as TPM2B_ATTEST with the
 * TPMT_SIGNATURE over it into the response. */
static TPM_RC attest_finish(qtpm_tpm *tpm, tpm_cmd *c, const attest_out *o)
{
    const tpm_object *key = o->key;
    const TPMT_SIG_SCHEME *scheme = &o->scheme;
    uint8_t attest[MAX_ATTEST_BUFFER];
    size_t len = 0;
    if (qtpm_TPMS_ATTEST_marshal(&o->att, attest, sizeof(attest), &len) != TPM_RC_SUCCESS)
        return TPM_RC_SIZE;
    wr_2b(&c->out, attest, (uint16_t)len);
    if (key == NULL) {
        wr_u16(&c->out, TPM_ALG_NULL);
        return TPM_RC_SUCCESS;
    }
    uint8_t d[MAX_DIGEST];
    TPM_ALG_ID h = scheme->details.any.hashAlg;
    TPMT_SIGNATURE *sig = malloc(sizeof(*sig));
    if (sig == NULL)
        return TPM_RC_MEMORY;
    TPM_RC rc;
    if (pqc_is_type(key->pub.type)) /* ML-DSA signs the TPMS_ATTEST bytes themselves */
        rc = pqc_sign_message(key, attest, len, sig);
    else if (crypt_hash(h, attest, len, d))
        rc = TPM_RC_FAILURE;
    else
        rc = asym_sign(tpm, key, scheme, d, crypt_hash_size(h), sig);
    if (rc == TPM_RC_SUCCESS)
        tm_signature_write(&c->out, sig);
    free(sig);
    return rc;
}

/* Part 3 §18.4 TPM2_Quote */
TPM_RC cmd_Quote(qtpm_tpm *tpm, tpm_cmd *c)
{
    attest_args a;
    tpm_params p = prm_begin(&c->in);
    TPM_RC rc = read_attest_args(tpm, &p, &a);
    if (rc)
        return rc;
    attest_out o;
    rc = attest_begin(tpm, c, 1, &a, TPM_ST_ATTEST_QUOTE, &o);
    if (rc)
        return rc;
    TPM_ALG_ID h = o.key ? o.scheme.details.any.hashAlg : TPM_ALG_SHA256;
    if (o.key && o.scheme.scheme == TPM_ALG_MLDSA) /* no scheme hash: the key's nameAlg (v1.85) */
        h = o.key->pub.nameAlg;
    TPMS_QUOTE_INFO *q = &o.att.attested.quote;
    uint8_t pd[MAX_DIGEST];
    prm_next(&p);
    rc = pcr_compute_digest(tpm, p.r, p.n, h, pd, &q->pcrSelect);
    if (rc)
        return rc;
    if (params_end(c))
        return TPM_RC_SIZE;
    SET_2B(q->pcrDigest, pd, crypt_hash_size(h));
    return attest_finish(tpm, c, &o);
}

/* Part 3 §18.2 TPM2_Certify: objectHandle (ADMIN), signHandle (USER). */
TPM_RC cmd_Certify(qtpm_tpm *tpm, tpm_cmd *c)
{
    attest_args a;
    TPM_RC rc = read_attest_only_args(tpm, c, &a);
    if (rc)
        return rc;
    tpm_object *obj = object_find(tpm, c->handles[0]);
    if (obj->is_sequence)
        return RC_H(TPM_RC_TYPE, 1);
    attest_out o;
    rc = attest_begin(tpm, c, 2, &a, TPM_ST_ATTEST_CERTIFY, &o);
    if (rc)
        return rc;
    SET_2B(o.att.attested.certify.name, obj->name.b, obj->name.size);
    SET_2B(o.att.attested.certify.qualifiedName, obj->qualified.b, obj->qualified.size);
    return attest_finish(tpm, c, &o);
}

/* Part 3 §18.3 TPM2_CertifyCreation: signHandle (USER), objectHandle; the
 * creation ticket proves creationHash belongs to the object. */
TPM_RC cmd_CertifyCreation(qtpm_tpm *tpm, tpm_cmd *c)
{
    attest_args a;
    uint8_t ch[MAX_DIGEST], tdig[MAX_DIGEST];
    uint16_t chl, tag, tl;
    uint32_t thier;
    tpm_params p = prm_begin(&c->in);
    prm_2b(&p, a.qualifying.buffer, sizeof(a.qualifying.buffer), &a.qualifying.size);
    prm_2b(&p, ch, sizeof(ch), &chl);
    read_sig_scheme(tpm, &p, &a);
    TPM_RC rc = prm_ticket(&p, &tag, &thier, tdig, sizeof(tdig), &tl);
    if (rc)
        return rc;
    unsigned p_ticket = p.n; /* creationTicket */
    if (params_end(c))
        return TPM_RC_SIZE;
    tpm_object *obj = object_find(tpm, c->handles[1]);
    if (tag != TPM_ST_CREATION)
        return RC_P(TPM_RC_TAG, p_ticket);
    uint8_t t[MAX_DIGEST], tagb[2];
    wr_put_u16(tagb, TPM_ST_CREATION);
    crypt_part parts[] = {{tagb, 2}, {obj->name.b, obj->name.size}, {ch, chl}};
    crypt_hmac_parts(obj->pub.nameAlg, hierarchy_proof(tpm, thier), 64, t, parts, 3);
    size_t hl = crypt_hash_size(obj->pub.nameAlg);
    if (thier != obj->hierarchy || tl != hl || !ct_equal(t, tdig, hl))
        return RC_P(TPM_RC_TICKET, p_ticket);
    attest_out o;
    rc = attest_begin(tpm, c, 1, &a, TPM_ST_ATTEST_CREATION, &o);
    if (rc)
        return rc;
    SET_2B(o.att.attested.creation.objectName, obj->name.b, obj->name.size);
    SET_2B(o.att.attested.creation.creationHash, ch, chl);
    return attest_finish(tpm, c, &o);
}

/* Part 3 §18.7 TPM2_GetTime: privacyAdminHandle (endorsement), signHandle. */
TPM_RC cmd_GetTime(qtpm_tpm *tpm, tpm_cmd *c)
{
    attest_args a;
    TPM_RC rc = read_attest_only_args(tpm, c, &a);
    if (rc)
        return rc;
    attest_out o;
    rc = attest_begin(tpm, c, 2, &a, TPM_ST_ATTEST_TIME, &o);
    if (rc)
        return rc;
    clock_time_info(tpm, &o.att.attested.time.time);
    o.att.attested.time.firmwareVersion = FIRMWARE_VERSION;
    return attest_finish(tpm, c, &o);
}

/* Part 3 §31.16 TPM2_NV_Certify: signHandle (USER), authHandle (USER),
 * nvIndex; certifies size bytes at offset as a TPMS_NV_CERTIFY_INFO. A
 * request with size 0 gets that form with empty contents, not the
 * TPMS_NV_DIGEST_CERTIFY_INFO of v1.59+, which this engine does not offer. */
TPM_RC cmd_NV_Certify(qtpm_tpm *tpm, tpm_cmd *c)
{
    attest_args a;
    tpm_params p = prm_begin(&c->in);
    uint16_t size, offset;
    read_attest_args(tpm, &p, &a);
    prm_u16(&p, &size);
    TPM_RC rc = prm_u16(&p, &offset);
    if (rc)
        return rc;
    if (params_end(c))
        return TPM_RC_SIZE;
    tpm_nv *nv = nv_find(tpm, c->handles[2]);
    tpm_cmd view = *c;
    view.handles[0] = c->handles[1];
    view.handles[1] = c->handles[2];
    view.auths[0] = c->auths[1];
    rc = nv_read_precheck(&view, nv);
    if (rc)
        return rc;
    if ((size_t)offset + size > nv->pub.dataSize)
        return TPM_RC_NV_RANGE;
    attest_out *o = malloc(sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    tpm_name name;
    rc = attest_begin(tpm, c, 1, &a, TPM_ST_ATTEST_NV, o);
    if (rc == TPM_RC_SUCCESS)
        rc = nv_name(nv, &name);
    if (rc) {
        free(o);
        return rc;
    }
    TPMS_NV_CERTIFY_INFO *nvi = &o->att.attested.nv;
    SET_2B(nvi->indexName, name.b, name.size);
    nvi->offset = offset;
    SET_2B(nvi->nvContents, nv->data + offset, size);
    rc = attest_finish(tpm, c, o);
    free(o);
    return rc;
}

/* ---------------------------------------------------------------- audit */

static int cc_audited(const qtpm_tpm *tpm, TPM_CC cc)
{
    if (cc == TPM_CC_SetCommandCodeAuditStatus)
        return 1; /* always audited (Part 1 §33.2) */
    if (cc < TPM_CC_FIRST || cc > TPM_CC_LAST)
        return 0;
    unsigned bit = cc - TPM_CC_FIRST;
    return (tpm->ps.audited[bit / 8] >> (bit % 8)) & 1;
}

/* Extends the command audit digest after a successful audited command
 * (Part 1 §33.2): auditDigest := H(auditDigest || cpHash || rpHash). The
 * audit counter counts digests started from empty. */
void audit_command(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_pstate *ps = &tpm->ps;
    if (ps->audit_alg == TPM_ALG_NULL || !cc_audited(tpm, c->cc))
        return;
    TPM_ALG_ID h = ps->audit_alg;
    size_t hl = crypt_hash_size(h);
    uint8_t cp[MAX_DIGEST], rp[MAX_DIGEST], ccb[4], hdr[8];
    wr_put_u32(ccb, c->cc);
    crypt_part cparts[5] = {{ccb, 4}};
    size_t n = 1;
    for (unsigned i = 0; i < c->nhandles; i++) {
        tpm_name nm;
        if (c->name_len[i] == 0 && entity_name(tpm, c->handles[i], &nm) == TPM_RC_SUCCESS) {
            memcpy(c->names[i], nm.b, nm.size);
            c->name_len[i] = nm.size;
        }
        cparts[n++] = (crypt_part){c->names[i], c->name_len[i]};
    }
    cparts[n++] = (crypt_part){c->param_raw, c->param_raw_len};
    crypt_hash_parts(h, cp, cparts, n);
    wr_put_u32(hdr, TPM_RC_SUCCESS);
    wr_put_u32(hdr + 4, c->cc);
    crypt_part rparts[] = {{hdr, 8}, {c->out.p, c->out.off}};
    crypt_hash_parts(h, rp, rparts, 2);
    if (ps->audit_digest.size == 0) {
        ps->audit_counter++;
        ps->audit_digest.size = (uint16_t)hl;
        memset(ps->audit_digest.b, 0, hl);
    }
    crypt_part aparts[] = {{ps->audit_digest.b, hl}, {cp, hl}, {rp, hl}};
    crypt_hash_parts(h, ps->audit_digest.b, aparts, 3);
    tpm->dirty = 1;
}

/* A TPML_CC as the next parameter (at most 256 codes). */
static TPM_RC read_cc_list(tpm_params *p, TPM_CC *list, uint32_t *count)
{
    if (!prm_next(p))
        return p->rc;
    if (rd_u32(p->r, count))
        return prm_fail(p, TPM_RC_INSUFFICIENT);
    if (*count > 256)
        return prm_fail(p, TPM_RC_SIZE);
    for (uint32_t i = 0; i < *count; i++)
        if (rd_u32(p->r, &list[i]))
            return prm_fail(p, TPM_RC_INSUFFICIENT);
    return TPM_RC_SUCCESS;
}

/* Part 3 §21.2 TPM2_SetCommandCodeAuditStatus */
TPM_RC cmd_SetCommandCodeAuditStatus(qtpm_tpm *tpm, tpm_cmd *c)
{
    uint16_t alg;
    TPM_CC *setl = malloc(2 * 256 * sizeof(TPM_CC));
    if (setl == NULL)
        return TPM_RC_MEMORY;
    TPM_CC *clrl = setl + 256;
    uint32_t ns = 0, nc = 0;
    tpm_params p = prm_begin(&c->in);
    if (prm_u16(&p, &alg) == TPM_RC_SUCCESS && alg != TPM_ALG_NULL && tpm_hash_size(tpm, alg) == 0)
        prm_fail(&p, TPM_RC_HASH);
    read_cc_list(&p, setl, &ns);
    read_cc_list(&p, clrl, &nc);
    TPM_RC rc = p.rc;
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS) {
        tpm_pstate *ps = &tpm->ps;
        if (alg != TPM_ALG_NULL && alg != ps->audit_alg) {
            /* a new algorithm restarts the digest; the lists are ignored */
            ps->audit_alg = alg;
            ps->audit_digest.size = 0;
        } else {
            for (uint32_t i = 0; i < ns; i++)
                if (tpm_command_offered(tpm, setl[i])) {
                    unsigned bit = setl[i] - TPM_CC_FIRST;
                    ps->audited[bit / 8] |= (uint8_t)(1u << (bit % 8));
                }
            for (uint32_t i = 0; i < nc; i++)
                if (tpm_command_offered(tpm, clrl[i]) &&
                    clrl[i] != TPM_CC_SetCommandCodeAuditStatus) {
                    unsigned bit = clrl[i] - TPM_CC_FIRST;
                    ps->audited[bit / 8] &= (uint8_t)~(1u << (bit % 8));
                }
        }
        tpm->dirty = 1;
    }
    free(setl);
    return rc;
}

/* Part 3 §18.6 TPM2_GetCommandAuditDigest: privacyHandle (endorsement),
 * signHandle. Returns and then clears the audit digest. */
TPM_RC cmd_GetCommandAuditDigest(qtpm_tpm *tpm, tpm_cmd *c)
{
    attest_args a;
    TPM_RC rc = read_attest_only_args(tpm, c, &a);
    if (rc)
        return rc;
    attest_out o;
    rc = attest_begin(tpm, c, 2, &a, TPM_ST_ATTEST_COMMAND_AUDIT, &o);
    if (rc)
        return rc;
    tpm_pstate *ps = &tpm->ps;
    TPM_ALG_ID h = ps->audit_alg;
    size_t hl = crypt_hash_size(h);
    /* commandDigest: H(audited command codes, ascending) */
    uint8_t cd[MAX_DIGEST] = {0};
    if (hl) {
        qtpm_hash_ctx hc;
        if (qtpm_hash_init(&hc, crypt_hash_alg(h)))
            return TPM_RC_FAILURE;
        for (TPM_CC cc = TPM_CC_FIRST; cc <= TPM_CC_LAST; cc++)
            if (cc_audited(tpm, cc) && tpm_command_offered(tpm, cc)) {
                uint8_t b[4];
                wr_put_u32(b, cc);
                qtpm_hash_update(&hc, b, 4);
            }
        qtpm_hash_final(&hc, cd);
    }
    TPMS_COMMAND_AUDIT_INFO *ca = &o.att.attested.commandAudit;
    ca->auditCounter = ps->audit_counter;
    ca->digestAlg = h;
    SET_2B(ca->auditDigest, ps->audit_digest.b, ps->audit_digest.size);
    SET_2B(ca->commandDigest, cd, hl);
    rc = attest_finish(tpm, c, &o);
    if (rc == TPM_RC_SUCCESS) {
        ps->audit_digest.size = 0;
        tpm->dirty = 1;
    }
    return rc;
}

/* Part 3 §18.5 TPM2_GetSessionAuditDigest: privacyAdminHandle,
 * signHandle, sessionHandle. */
TPM_RC cmd_GetSessionAuditDigest(qtpm_tpm *tpm, tpm_cmd *c)
{
    attest_args a;
    TPM_RC rc = read_attest_only_args(tpm, c, &a);
    if (rc)
        return rc;
    tpm_session *s = session_find(tpm, c->handles[2]);
    if (s == NULL)
        return RC_H(TPM_RC_HANDLE, 3);
    if (!s->is_audit_started)
        return RC_H(TPM_RC_TYPE, 3);
    attest_out o;
    rc = attest_begin(tpm, c, 2, &a, TPM_ST_ATTEST_SESSION_AUDIT, &o);
    if (rc)
        return rc;
    /* exclusiveSession: exclusivity is not tracked */
    o.att.attested.sessionAudit.exclusiveSession = NO;
    SET_2B(o.att.attested.sessionAudit.sessionDigest, s->audit_digest.b, s->audit_digest.size);
    return attest_finish(tpm, c, &o);
}
