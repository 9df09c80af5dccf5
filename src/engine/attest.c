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
 *
 * The commands are typed (attest.h, params.h): dispatch.c unmarshals their
 * parameters and marshals their TPM2B_ATTEST and TPMT_SIGNATURE. Each one
 * runs the same preamble (attest_begin: signer, scheme, header), fills its
 * attested union, and ends in attest_finish (marshal, sign).
 */
#include "asym.h"
#include "attest.h"
#include "clock.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "entity.h"
#include "nv.h"
#include "object.h"
#include "pcr.h"
#include "pqc.h"
#include "session.h"

#define FIRMWARE_VERSION 0x0000000100000000ull

/* What the preamble of an attestation command (attest_begin) hands its body:
 * the signing key (NULL for TPM_RH_NULL: an unsigned structure) and the
 * scheme it signs with, and the TPMS_ATTEST with its header filled in. The
 * body fills att.attested and ends with attest_finish. */
typedef struct {
    tpm_object *key;
    TPMT_SIG_SCHEME scheme;
    TPMS_ATTEST att;
} attest_ctx;

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

/* Resolves the signing key of handle slot hnum and its scheme (NULL
 * handle: no signature). A scheme the key cannot use is refused with the
 * number of inScheme, p_scheme. */
static TPM_RC attest_signer(qtpm_tpm *tpm, TPM_HANDLE h, unsigned hnum,
                            const TPMT_SIG_SCHEME *in_scheme, unsigned p_scheme, attest_ctx *a)
{
    a->key = NULL;
    if (h == TPM_RH_NULL) {
        a->scheme.scheme = TPM_ALG_NULL;
        return TPM_RC_SUCCESS;
    }
    TPM_RC rc = asym_signing_key(tpm, h, &a->key);
    if (rc)
        return RC_H(rc & ~0xF00u, hnum);
    if (a->key->pub.type == TPM_ALG_KEYEDHASH &&
        (a->key->pub.objectAttributes & TPMA_OBJECT_RESTRICTED))
        return RC_H(TPM_RC_KEY, hnum);
    return asym_pick_scheme(a->key, in_scheme, &a->scheme, p_scheme);
}

/* The preamble every attestation command shares (Part 3 §18.1): the signer
 * of handle slot hnum (1-based) with the scheme from inScheme (parameter
 * p_scheme), then the header of a->att: magic, type, the signer's
 * qualified Name, extraData = qualifyingData, clockInfo, firmwareVersion. */
static TPM_RC attest_begin(qtpm_tpm *tpm, const tpm_cmd *c, unsigned hnum,
                           const TPM2B_DATA *qualifying, const TPMT_SIG_SCHEME *in_scheme,
                           unsigned p_scheme, TPM_ST type, attest_ctx *a)
{
    TPM_RC rc = attest_signer(tpm, c->handles[hnum - 1], hnum, in_scheme, p_scheme, a);
    if (rc)
        return rc;
    TPMS_ATTEST *att = &a->att; /* each command sets every field of its attested arm */
    att->magic = TPM_GENERATED_VALUE;
    att->type = type;
    if (a->key)
        SET_2B(att->qualifiedSigner, a->key->qualified.b, a->key->qualified.size);
    else
        att->qualifiedSigner.size = 0;
    att->extraData = *qualifying;
    TPMS_TIME_INFO t;
    clock_time_info(tpm, &t);
    att->clockInfo = t.clockInfo;
    att->firmwareVersion = FIRMWARE_VERSION;
    return TPM_RC_SUCCESS;
}

/* The end of every attestation command: a->att marshalled through the
 * shared module into the response's TPM2B_ATTEST, and the TPMT_SIGNATURE
 * over those bytes (TPM_ALG_NULL without a key). ML-DSA signs the bytes
 * themselves, every other scheme their digest with the scheme's hash. */
static TPM_RC attest_finish(qtpm_tpm *tpm, const attest_ctx *a, TPM2B_ATTEST *info,
                            TPMT_SIGNATURE *sig)
{
    size_t len = 0;
    if (qtpm_TPMS_ATTEST_marshal(&a->att, info->buffer, sizeof(info->buffer), &len) !=
        TPM_RC_SUCCESS)
        return TPM_RC_SIZE;
    info->size = (UINT16)len;
    if (a->key == NULL) {
        sig->sigAlg = TPM_ALG_NULL;
        return TPM_RC_SUCCESS;
    }
    if (pqc_is_type(a->key->pub.type))
        return pqc_sign_message(a->key, info->buffer, len, sig);
    uint8_t d[MAX_DIGEST];
    TPM_ALG_ID h = a->scheme.details.any.hashAlg;
    if (crypt_hash(h, info->buffer, len, d))
        return TPM_RC_FAILURE;
    return asym_sign(tpm, a->key, &a->scheme, d, crypt_hash_size(h), sig);
}

/* Part 3 §18.4 TPM2_Quote: signHandle (USER). pcrDigest uses the scheme's
 * hash (SHA-256 unsigned; an ML-DSA key's nameAlg, v1.85). */
TPM_RC cmd_Quote(qtpm_tpm *tpm, tpm_cmd *c, const Quote_In *in, Quote_Out *out)
{
    attest_ctx a;
    TPM_RC rc = attest_begin(tpm, c, 1, &in->qualifyingData, &in->inScheme, PN_Quote_inScheme,
                             TPM_ST_ATTEST_QUOTE, &a);
    if (rc)
        return rc;
    TPM_ALG_ID h = a.key ? a.scheme.details.any.hashAlg : TPM_ALG_SHA256;
    if (a.key && a.scheme.scheme == TPM_ALG_MLDSA) /* no scheme hash: the key's nameAlg */
        h = a.key->pub.nameAlg;
    TPMS_QUOTE_INFO *q = &a.att.attested.quote;
    uint8_t pd[MAX_DIGEST];
    rc = pcr_selection_digest(tpm, &in->PCRselect, h, pd);
    if (rc)
        return rc == TPM_RC_HASH ? RC_P(rc, PN_Quote_PCRselect) : rc;
    q->pcrSelect = in->PCRselect;
    SET_2B(q->pcrDigest, pd, crypt_hash_size(h));
    return attest_finish(tpm, &a, &out->quoted, &out->signature);
}

/* Part 3 §18.2 TPM2_Certify: objectHandle (ADMIN), signHandle (USER). */
TPM_RC cmd_Certify(qtpm_tpm *tpm, tpm_cmd *c, const Certify_In *in, Certify_Out *out)
{
    tpm_object *obj = object_find(tpm, c->handles[0]);
    if (obj->is_sequence)
        return RC_H(TPM_RC_TYPE, 1);
    attest_ctx a;
    TPM_RC rc = attest_begin(tpm, c, 2, &in->qualifyingData, &in->inScheme,
                             PN_Certify_inScheme, TPM_ST_ATTEST_CERTIFY, &a);
    if (rc)
        return rc;
    SET_2B(a.att.attested.certify.name, obj->name.b, obj->name.size);
    SET_2B(a.att.attested.certify.qualifiedName, obj->qualified.b, obj->qualified.size);
    return attest_finish(tpm, &a, &out->certifyInfo, &out->signature);
}

/* Part 3 §18.3 TPM2_CertifyCreation: signHandle (USER), objectHandle; the
 * creation ticket HMAC(proof, TPM_ST_CREATION || Name || creationHash)
 * (Part 2 §10.6.3) proves creationHash belongs to the object. Its tag and
 * hierarchy were checked as it was unmarshalled. */
TPM_RC cmd_CertifyCreation(qtpm_tpm *tpm, tpm_cmd *c, const CertifyCreation_In *in,
                           CertifyCreation_Out *out)
{
    const TPMT_TK_CREATION *tk = &in->creationTicket;
    const TPM2B_DIGEST *ch = &in->creationHash;
    tpm_object *obj = object_find(tpm, c->handles[1]);
    uint8_t t[MAX_DIGEST];
    ticket_hmac(tpm, obj->pub.nameAlg, tk->hierarchy, TPM_ST_CREATION, obj->name.b,
                obj->name.size, ch->buffer, ch->size, t);
    size_t hl = crypt_hash_size(obj->pub.nameAlg);
    if (tk->hierarchy != obj->hierarchy || tk->digest.size != hl ||
        !ct_equal(t, tk->digest.buffer, hl))
        return RC_P(TPM_RC_TICKET, PN_CertifyCreation_creationTicket);
    attest_ctx a;
    TPM_RC rc = attest_begin(tpm, c, 1, &in->qualifyingData, &in->inScheme,
                             PN_CertifyCreation_inScheme, TPM_ST_ATTEST_CREATION, &a);
    if (rc)
        return rc;
    SET_2B(a.att.attested.creation.objectName, obj->name.b, obj->name.size);
    a.att.attested.creation.creationHash = *ch;
    return attest_finish(tpm, &a, &out->certifyInfo, &out->signature);
}

/* Part 3 §18.7 TPM2_GetTime: privacyAdminHandle (endorsement), signHandle. */
TPM_RC cmd_GetTime(qtpm_tpm *tpm, tpm_cmd *c, const GetTime_In *in, GetTime_Out *out)
{
    attest_ctx a;
    TPM_RC rc = attest_begin(tpm, c, 2, &in->qualifyingData, &in->inScheme,
                             PN_GetTime_inScheme, TPM_ST_ATTEST_TIME, &a);
    if (rc)
        return rc;
    clock_time_info(tpm, &a.att.attested.time.time);
    a.att.attested.time.firmwareVersion = FIRMWARE_VERSION;
    return attest_finish(tpm, &a, &out->timeInfo, &out->signature);
}

/* Part 3 §31.16 TPM2_NV_Certify: signHandle (USER), authHandle (USER),
 * nvIndex; certifies size bytes at offset as a TPMS_NV_CERTIFY_INFO. A
 * request with size 0 gets that form with empty contents, not the
 * TPMS_NV_DIGEST_CERTIFY_INFO of v1.59+, which this engine does not offer.
 * The NV read checks see authHandle and nvIndex as handles 1 and 2. */
TPM_RC cmd_NV_Certify(qtpm_tpm *tpm, tpm_cmd *c, const NV_Certify_In *in, NV_Certify_Out *out)
{
    tpm_nv *nv = nv_find(tpm, c->handles[2]);
    tpm_cmd view = *c;
    view.handles[0] = c->handles[1];
    view.handles[1] = c->handles[2];
    view.auths[0] = c->auths[1];
    TPM_RC rc = nv_read_precheck(&view, nv);
    if (rc)
        return rc;
    if ((size_t)in->offset + in->size > nv->pub.dataSize)
        return TPM_RC_NV_RANGE;
    attest_ctx a;
    rc = attest_begin(tpm, c, 1, &in->qualifyingData, &in->inScheme, PN_NV_Certify_inScheme,
                      TPM_ST_ATTEST_NV, &a);
    tpm_name name;
    if (rc == TPM_RC_SUCCESS)
        rc = nv_name(nv, &name);
    if (rc)
        return rc;
    TPMS_NV_CERTIFY_INFO *nvi = &a.att.attested.nv;
    SET_2B(nvi->indexName, name.b, name.size);
    nvi->offset = in->offset;
    SET_2B(nvi->nvContents, nv->data + in->offset, in->size);
    return attest_finish(tpm, &a, &out->certifyInfo, &out->signature);
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

/* Marks cc audited (on) or not in the persistent list, a bitmap over
 * TPM_CC_FIRST..TPM_CC_LAST. A code this TPM does not offer is ignored, as
 * is a vendor-specific one (outside the bitmap: cc_audited never audits
 * them) and clearing SetCommandCodeAuditStatus, which is always audited
 * (Part 3 §21.2). */
static void audit_mark(qtpm_tpm *tpm, TPM_CC cc, int on)
{
    if (cc < TPM_CC_FIRST || cc > TPM_CC_LAST || !tpm_command_offered(tpm, cc) ||
        (!on && cc == TPM_CC_SetCommandCodeAuditStatus))
        return;
    unsigned bit = cc - TPM_CC_FIRST;
    uint8_t mask = (uint8_t)(1u << (bit % 8));
    if (on)
        tpm->ps.audited[bit / 8] |= mask;
    else
        tpm->ps.audited[bit / 8] &= (uint8_t)~mask;
}

/* Part 3 §21.2 TPM2_SetCommandCodeAuditStatus: auth (owner or platform).
 * A new auditAlg restarts the digest and the lists are ignored; otherwise
 * setList's codes are added, then clearList's removed. */
TPM_RC cmd_SetCommandCodeAuditStatus(qtpm_tpm *tpm, tpm_cmd *c,
                                     const SetCommandCodeAuditStatus_In *in,
                                     SetCommandCodeAuditStatus_Out *out)
{
    (void)c, (void)out;
    tpm_pstate *ps = &tpm->ps;
    if (in->auditAlg != TPM_ALG_NULL && in->auditAlg != ps->audit_alg) {
        ps->audit_alg = in->auditAlg;
        ps->audit_digest.size = 0;
    } else {
        for (uint32_t i = 0; i < in->setList.count; i++)
            audit_mark(tpm, in->setList.commandCodes[i], 1);
        for (uint32_t i = 0; i < in->clearList.count; i++)
            audit_mark(tpm, in->clearList.commandCodes[i], 0);
    }
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §18.6 TPM2_GetCommandAuditDigest: privacyHandle (endorsement),
 * signHandle. Returns and then clears the audit digest; commandDigest is
 * H(the audited command codes, ascending). */
TPM_RC cmd_GetCommandAuditDigest(qtpm_tpm *tpm, tpm_cmd *c, const GetCommandAuditDigest_In *in,
                                 GetCommandAuditDigest_Out *out)
{
    attest_ctx a;
    TPM_RC rc = attest_begin(tpm, c, 2, &in->qualifyingData, &in->inScheme,
                             PN_GetCommandAuditDigest_inScheme, TPM_ST_ATTEST_COMMAND_AUDIT, &a);
    if (rc)
        return rc;
    tpm_pstate *ps = &tpm->ps;
    TPM_ALG_ID h = ps->audit_alg;
    size_t hl = crypt_hash_size(h);
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
    TPMS_COMMAND_AUDIT_INFO *ca = &a.att.attested.commandAudit;
    ca->auditCounter = ps->audit_counter;
    ca->digestAlg = h;
    SET_2B(ca->auditDigest, ps->audit_digest.b, ps->audit_digest.size);
    SET_2B(ca->commandDigest, cd, hl);
    rc = attest_finish(tpm, &a, &out->auditInfo, &out->signature);
    if (rc == TPM_RC_SUCCESS) {
        ps->audit_digest.size = 0;
        tpm->dirty = 1;
    }
    return rc;
}

/* Part 3 §18.5 TPM2_GetSessionAuditDigest: privacyAdminHandle,
 * signHandle, sessionHandle (an audit session that has started). */
TPM_RC cmd_GetSessionAuditDigest(qtpm_tpm *tpm, tpm_cmd *c, const GetSessionAuditDigest_In *in,
                                 GetSessionAuditDigest_Out *out)
{
    tpm_session *s = session_find(tpm, c->handles[2]);
    if (s == NULL)
        return RC_H(TPM_RC_HANDLE, 3);
    if (!s->is_audit_started)
        return RC_H(TPM_RC_TYPE, 3);
    attest_ctx a;
    TPM_RC rc = attest_begin(tpm, c, 2, &in->qualifyingData, &in->inScheme,
                             PN_GetSessionAuditDigest_inScheme, TPM_ST_ATTEST_SESSION_AUDIT, &a);
    if (rc)
        return rc;
    /* exclusiveSession: exclusivity is not tracked */
    a.att.attested.sessionAudit.exclusiveSession = NO;
    SET_2B(a.att.attested.sessionAudit.sessionDigest, s->audit_digest.b, s->audit_digest.size);
    return attest_finish(tpm, &a, &out->auditInfo, &out->signature);
}
