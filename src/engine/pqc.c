/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pqc.c — the commands TPM 2.0 Library v1.85 adds for ML-KEM and ML-DSA
 * (Part 3 §14.10-11, §17.5-6, §20.3-7):
 *
 *   Encapsulate            keyHandle (no auth)                → sharedSecret, ciphertext
 *   Decapsulate            keyHandle (USER), ciphertext       → sharedSecret
 *   SignDigest             keyHandle (USER), context, digest, validation → signature
 *   VerifyDigestSignature  keyHandle, context, digest, signature → validation
 *   SignSequenceStart      keyHandle, auth, context           → sequenceHandle
 *   SignSequenceComplete   sequenceHandle (USER), keyHandle (USER), buffer → signature
 *   VerifySequenceStart    keyHandle, auth, hint, context     → sequenceHandle
 *   VerifySequenceComplete sequenceHandle (USER), keyHandle, signature → validation
 *
 * Pure ML-DSA cannot sign a digest, so the v1.85 sequences stream the
 * message itself. They do so without buffering it: FIPS 204 Algorithm 7
 * line 6 makes the message enter only through
 *   mu = SHAKE256(tr ‖ 0 ‖ |ctx| ‖ ctx ‖ M, 64),  tr = SHAKE256(pk, 64),
 * so a sequence keeps one SHAKE256 state, SequenceUpdate (sym.c) absorbs
 * each chunk, and Complete signs or verifies the resulting mu
 * (Sign_internal/Verify_internal). A HashML-DSA key's sequence keeps the
 * pre-hash state instead. SignDigest and VerifyDigestSignature take a
 * caller's external mu (pure ML-DSA keys with allowExternalMu) or PH(M)
 * (HashML-DSA keys). docs/PQC.md ("Commands") records the parameter layouts
 * and the response codes chosen where v1.85 leaves room.
 */
#include <stdlib.h>

#include "asym.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "hierarchy.h"
#include "keycmds.h"
#include "object.h"
#include "pqc.h"
#include "session.h"
#include "tmarshal.h"

#include "qtpm/keccak.h"
#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"

/* ---------------------------------------------------------------- ML-KEM */

/* An unrestricted ML-KEM decryption key. Restricted ones (storage parents,
 * EKs) decapsulate only inside the TPM: their shared secrets protect
 * credentials, salts and imported objects. */
static TPM_RC kem_key(qtpm_tpm *tpm, TPM_HANDLE h, int need_private, tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k == NULL || k->is_sequence || k->pub.type != TPM_ALG_MLKEM)
        return RC_H(TPM_RC_KEY, 1);
    uint32_t a = k->pub.objectAttributes;
    if (!(a & TPMA_OBJECT_DECRYPT) || (a & TPMA_OBJECT_RESTRICTED))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    if (need_private && !k->has_sensitive)
        return RC_H(TPM_RC_KEY, 1);
    *out = k;
    return TPM_RC_SUCCESS;
}

/* v1.85 Part 3 §14.10 TPM2_Encapsulate: a fresh shared secret and its
 * ciphertext for the loaded encapsulation key (response: sharedSecret
 * first, then ciphertext). */
TPM_RC cmd_Encapsulate(qtpm_tpm *tpm, tpm_cmd *c, const Encapsulate_In *in, Encapsulate_Out *out)
{
    (void)in;
    tpm_object *k;
    TPM_RC rc = kem_key(tpm, c->handles[0], 0, &k);
    if (rc)
        return rc;
    qtpm_mlkem_set set = (qtpm_mlkem_set)k->pub.parameters.mlkemDetail.parameterSet;
    _Static_assert(sizeof(out->ciphertext.buffer) >= QTPM_MLKEM_MAX_CT_BYTES &&
                       sizeof(out->sharedSecret.buffer) >= QTPM_MLKEM_SS_BYTES,
                   "ML-KEM outputs fit their TPM2Bs");
    if (qtpm_mlkem_encaps(set, k->pub.unique.mlkem.buffer, k->pub.unique.mlkem.size,
                          out->ciphertext.buffer, out->sharedSecret.buffer) != QTPM_OK)
        return RC_H(TPM_RC_KEY, 1);
    out->sharedSecret.size = QTPM_MLKEM_SS_BYTES;
    out->ciphertext.size = (uint16_t)qtpm_mlkem_ct_bytes(set);
    return TPM_RC_SUCCESS;
}

/* v1.85 Part 3 §14.11 TPM2_Decapsulate. A ciphertext of the wrong length is
 * TPM_RC_SIZE; any ciphertext of the right length gives a shared secret
 * (FIPS 203 implicit rejection: a forged one gives an unrelated secret). */
TPM_RC cmd_Decapsulate(qtpm_tpm *tpm, tpm_cmd *c, const Decapsulate_In *in, Decapsulate_Out *out)
{
    const uint8_t *ct = in->ciphertext.buffer;
    uint16_t ct_len = in->ciphertext.size;
    tpm_object *k;
    TPM_RC rc = kem_key(tpm, c->handles[0], 1, &k);
    if (rc)
        return rc;
    qtpm_mlkem_set set = (qtpm_mlkem_set)k->pub.parameters.mlkemDetail.parameterSet;
    if (ct_len != qtpm_mlkem_ct_bytes(set))
        return RC_P(TPM_RC_SIZE, PN_Decapsulate_ciphertext);
    if (qtpm_mlkem_decaps(set, k->sens.sensitive.mlkem.buffer, k->sens.sensitive.mlkem.size, ct,
                          ct_len, out->sharedSecret.buffer) != QTPM_OK)
        return TPM_RC_FAILURE;
    out->sharedSecret.size = QTPM_MLKEM_SS_BYTES;
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- ML-DSA keys */

/* An ML-DSA or HashML-DSA key with the sign attribute (and its private
 * seed when it must sign). */
static TPM_RC dsa_key(qtpm_tpm *tpm, TPM_HANDLE h, unsigned hnum, int need_private,
                      tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k == NULL || k->is_sequence ||
        (k->pub.type != TPM_ALG_MLDSA && k->pub.type != TPM_ALG_HASH_MLDSA))
        return RC_H(TPM_RC_KEY, hnum);
    if (!(k->pub.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
        return RC_H(TPM_RC_ATTRIBUTES, hnum);
    if (need_private && !k->has_sensitive)
        return RC_H(TPM_RC_KEY, hnum);
    *out = k;
    return TPM_RC_SUCCESS;
}

static int external_mu_allowed(const tpm_object *k)
{
    return k->pub.type == TPM_ALG_MLDSA && k->pub.parameters.mldsaDetail.allowExternalMu;
}

/* Maps a pqc_sign_digest / pqc_verify_digest code to the parameter at
 * fault: the digest for size errors, the signature (or scheme) otherwise. */
static TPM_RC digest_rc(TPM_RC rc, unsigned p_digest, unsigned p_sig)
{
    switch (rc) {
    case TPM_RC_SUCCESS: return rc;
    case TPM_RC_SIZE: return RC_P(TPM_RC_SIZE, p_digest);
    case TPM_RC_SIGNATURE:
    case TPM_RC_SCHEME: return RC_P(rc, p_sig);
    default: return rc;
    }
}

/* v1.85 Part 3 §20.7 TPM2_SignDigest: context, digest, validation. A pure
 * ML-DSA key signs an external mu (64 bytes; it must allow it, and the
 * context must be empty because mu already contains it); a HashML-DSA key
 * signs PH(M) with the context. A restricted key needs a hash-check ticket
 * for the digest, as TPM2_Sign does. */
TPM_RC cmd_SignDigest(qtpm_tpm *tpm, tpm_cmd *c, const SignDigest_In *in, SignDigest_Out *out)
{
    const uint8_t *ctx = in->context.buffer, *digest = in->digest.buffer;
    uint16_t ctx_len = in->context.size, dlen = in->digest.size;
    /* the ticket's tag is checked by its unmarshalling (TPM_RC_TAG) */
    TPM_HANDLE thier = in->validation.hierarchy;
    tpm_object *k;
    TPM_RC rc = dsa_key(tpm, c->handles[0], 1, 1, &k);
    if (rc)
        return rc;
    if (k->pub.type == TPM_ALG_MLDSA) {
        if (!external_mu_allowed(k))
            return RC_H(TPM_RC_EXT_MU, 1);
        if (ctx_len != 0)
            return RC_P(TPM_RC_VALUE, PN_SignDigest_context);
    }
    if (k->pub.objectAttributes & TPMA_OBJECT_RESTRICTED) {
        /* only HashML-DSA gets here (a restricted ML-DSA key has no
         * external mu): the digest must be one the TPM hashed itself */
        TPM_ALG_ID h = k->pub.parameters.hashMldsaDetail.hashAlg;
        size_t hl = crypt_hash_size(h);
        uint8_t t[MAX_DIGEST];
        if (thier == TPM_RH_NULL || in->validation.digest.size != hl || dlen != hl)
            return RC_P(TPM_RC_TICKET, PN_SignDigest_validation);
        ticket_hmac(tpm, h, thier, TPM_ST_HASHCHECK, digest, dlen, NULL, 0, t);
        if (!ct_equal(t, in->validation.digest.buffer, hl))
            return RC_P(TPM_RC_TICKET, PN_SignDigest_validation);
    }
    return digest_rc(pqc_sign_digest(k, digest, dlen, ctx, ctx_len, &out->signature),
                     PN_SignDigest_digest, PN_SignDigest_digest);
}

/* A TPMT_TK_VERIFIED (v1.85 Part 2 §10.6.5: tag, hierarchy, metadata for
 * TPM_ST_DIGEST_VERIFIED only, hmac) with the given hmac; hier TPM_RH_NULL
 * gives the NULL ticket (empty hmac). */
static void verified_ticket(TPMT_TK_VERIFIED *v, TPM_ST tag, TPM_HANDLE hier, TPM_ALG_ID meta,
                            const uint8_t *hmac, size_t hlen)
{
    memset(v, 0, sizeof(*v));
    v->tag = tag;
    v->hierarchy = hier;
    if (tag == TPM_ST_DIGEST_VERIFIED)
        v->metadata.digestVerified = meta;
    if (hier != TPM_RH_NULL) {
        memcpy(v->hmac.buffer, hmac, hlen);
        v->hmac.size = (uint16_t)hlen;
    }
}

/* The TPM_ST_DIGEST_VERIFIED ticket over digest (v1.85 Part 2 §10.6.5,
 * Equation 5): HMAC(proof, tag ‖ digest ‖ keyName ‖ metadata), metadata
 * being the digest's hash algorithm, with the key's nameAlg. */
static void digest_verified(qtpm_tpm *tpm, TPMT_TK_VERIFIED *v, TPM_HANDLE hier, TPM_ALG_ID meta,
                            const tpm_object *key, const uint8_t *digest, size_t dlen)
{
    uint8_t t[MAX_DIGEST] = {0}, tag[2], m[2];
    size_t hl = crypt_hash_size(key->pub.nameAlg);
    if (hier != TPM_RH_NULL) {
        wr_put_u16(tag, TPM_ST_DIGEST_VERIFIED);
        wr_put_u16(m, meta);
        crypt_part parts[] = {{tag, 2}, {digest, dlen}, {key->name.b, key->name.size}, {m, 2}};
        crypt_hmac_parts(key->pub.nameAlg, hierarchy_proof(tpm, hier), 64, t, parts, 4);
    }
    verified_ticket(v, TPM_ST_DIGEST_VERIFIED, hier, meta, t, hl);
}

/* A ticket is issued for keys in a real hierarchy with a Name. */
static TPM_HANDLE ticket_hierarchy(const tpm_object *k)
{
    return crypt_hash_size(k->pub.nameAlg) == 0 ? TPM_RH_NULL : k->hierarchy;
}

/* v1.85 Part 3 §20.4 TPM2_VerifyDigestSignature: context, digest,
 * signature → TPM_ST_DIGEST_VERIFIED ticket. Over an external mu the ticket
 * is the NULL ticket (the mu says nothing the TPM can vouch for). */
TPM_RC cmd_VerifyDigestSignature(qtpm_tpm *tpm, tpm_cmd *c, const VerifyDigestSignature_In *in,
                                 VerifyDigestSignature_Out *out)
{
    const uint8_t *digest = in->digest.buffer;
    uint16_t ctx_len = in->context.size, dlen = in->digest.size;
    tpm_object *k = NULL;
    TPM_RC rc = dsa_key(tpm, c->handles[0], 1, 0, &k);
    if (rc == TPM_RC_SUCCESS && k->pub.type == TPM_ALG_MLDSA && !external_mu_allowed(k))
        rc = RC_H(TPM_RC_EXT_MU, 1);
    if (rc == TPM_RC_SUCCESS && k->pub.type == TPM_ALG_MLDSA && ctx_len != 0)
        rc = RC_P(TPM_RC_VALUE, PN_VerifyDigestSignature_context);
    if (rc == TPM_RC_SUCCESS)
        rc = digest_rc(pqc_verify_digest(k, digest, dlen, in->context.buffer, ctx_len,
                                         &in->signature),
                       PN_VerifyDigestSignature_digest, PN_VerifyDigestSignature_signature);
    if (rc)
        return rc;
    if (k->pub.type == TPM_ALG_MLDSA)
        digest_verified(tpm, &out->validation, TPM_RH_NULL, TPM_ALG_NULL, k, NULL, 0);
    else
        digest_verified(tpm, &out->validation, ticket_hierarchy(k),
                        k->pub.parameters.hashMldsaDetail.hashAlg, k, digest, dlen);
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- sequences */

/* The shared body of SignSequenceStart (auth, context) and
 * VerifySequenceStart (auth, hint, context; hint NULL for a sign sequence). */
static TPM_RC sequence_start(qtpm_tpm *tpm, tpm_cmd *c, uint8_t kind, const TPM2B_AUTH *auth,
                             const TPM2B_SIGNATURE_HINT *hint, const TPM2B_SIGNATURE_CTX *context)
{
    struct pqc_seq *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return TPM_RC_MEMORY;
    _Static_assert(sizeof(s->ctx) >= sizeof(context->buffer), "a context fits the sequence");
    memcpy(s->ctx, context->buffer, context->size);
    s->ctx_len = context->size;
    tpm_object *k = NULL;
    TPM_RC rc = dsa_key(tpm, c->handles[0], 1, kind == PQC_SEQ_SIGN, &k);
    /* the hint is for EdDSA; ML-DSA has none */
    if (rc == TPM_RC_SUCCESS && hint != NULL && hint->size != 0)
        rc = RC_P(TPM_RC_VALUE, PN_VerifySequenceStart_hint);
    tpm_object *o = NULL;
    if (rc == TPM_RC_SUCCESS) {
        o = calloc(1, sizeof(*o));
        if (o == NULL)
            rc = TPM_RC_MEMORY;
    }
    if (rc) {
        pqc_seq_free(s);
        return rc;
    }
    s->type = k->pub.type;
    s->key_name = k->name;
    if (s->type == TPM_ALG_MLDSA) {
        /* mu state: SHAKE256(tr ‖ 0 ‖ |ctx| ‖ ctx ‖ ...), FIPS 204 Alg. 2 and 7 */
        uint8_t tr[64], pre[2] = {0, (uint8_t)s->ctx_len};
        qtpm_shake256(tr, sizeof(tr), k->pub.unique.mldsa.buffer, k->pub.unique.mldsa.size);
        qtpm_shake256_init(&s->mu);
        qtpm_keccak_absorb(&s->mu, tr, sizeof(tr));
        qtpm_keccak_absorb(&s->mu, pre, 2);
        qtpm_keccak_absorb(&s->mu, s->ctx, s->ctx_len);
    } else if (qtpm_hash_init(&s->ph, crypt_hash_alg(k->pub.parameters.hashMldsaDetail.hashAlg))) {
        rc = TPM_RC_HASH;
    }
    if (rc == TPM_RC_SUCCESS && kind == PQC_SEQ_VERIFY && ticket_hierarchy(k) != TPM_RH_NULL) {
        /* the ticket is HMAC(proof, TPM_ST_MESSAGE_VERIFIED ‖ M ‖ keyName)
         * (v1.85 Part 2 §10.6.5, Equation 5, over the message itself):
         * keyed and begun here, the message streams into it */
        uint8_t tag[2];
        wr_put_u16(tag, TPM_ST_MESSAGE_VERIFIED);
        if (qtpm_hmac_init(&s->ticket, crypt_hash_alg(k->pub.nameAlg),
                           hierarchy_proof(tpm, k->hierarchy), 64) != QTPM_OK)
            rc = TPM_RC_FAILURE;
        else
            s->has_ticket = 1;
        if (rc == TPM_RC_SUCCESS && qtpm_hmac_update(&s->ticket, tag, 2) != QTPM_OK)
            rc = TPM_RC_FAILURE;
    }
    /* a sequence object like sym.c's: NULL hierarchy, its own authValue */
    object_sequence_init(o, kind, auth);
    o->pqc_seq = s;
    return object_insert_out(tpm, c, o, rc);
}

/* v1.85 Part 3 §17.5 TPM2_SignSequenceStart */
TPM_RC cmd_SignSequenceStart(qtpm_tpm *tpm, tpm_cmd *c, const SignSequenceStart_In *in,
                             SignSequenceStart_Out *out)
{
    (void)out;
    return sequence_start(tpm, c, PQC_SEQ_SIGN, &in->auth, NULL, &in->context);
}

/* v1.85 Part 3 §17.6 TPM2_VerifySequenceStart */
TPM_RC cmd_VerifySequenceStart(qtpm_tpm *tpm, tpm_cmd *c, const VerifySequenceStart_In *in,
                               VerifySequenceStart_Out *out)
{
    (void)out;
    return sequence_start(tpm, c, PQC_SEQ_VERIFY, &in->auth, &in->hint, &in->context);
}

/* TPM2_SequenceUpdate on a v1.85 sequence (called from sym.c). */
void pqc_sequence_update(tpm_object *o, const uint8_t *data, size_t len)
{
    struct pqc_seq *s = o->pqc_seq;
    for (size_t i = 0; s->head_len < sizeof(s->head) && i < len; i++)
        s->head[s->head_len++] = data[i];
    if (s->type == TPM_ALG_MLDSA)
        qtpm_keccak_absorb(&s->mu, data, len);
    else
        qtpm_hash_update(&s->ph, data, len);
    if (s->has_ticket)
        qtpm_hmac_update(&s->ticket, data, len);
}

/* Whether the message would start with TPM_GENERATED_VALUE once data is
 * appended (a restricted key must not sign such a message: it would look
 * like a TPM attestation, Part 1 §11.4.6). */
static int starts_generated(const struct pqc_seq *s, const uint8_t *data, size_t len)
{
    uint8_t h[4];
    size_t n = s->head_len;
    memcpy(h, s->head, n);
    for (size_t i = 0; n < 4 && i < len; i++)
        h[n++] = data[i];
    return n == 4 && h[0] == 0xFF && h[1] == 'T' && h[2] == 'C' && h[3] == 'G';
}

/* The sequence (handle 1) of the given kind, for the key (handle 2) it was
 * started with. */
static TPM_RC sequence_args(qtpm_tpm *tpm, tpm_cmd *c, uint8_t kind, int need_private,
                            tpm_object **seq, tpm_object **key)
{
    tpm_object *o = object_find(tpm, c->handles[0]);
    if (o == NULL || o->is_sequence != kind || o->pqc_seq == NULL)
        return RC_H(TPM_RC_MODE, 1);
    TPM_RC rc = dsa_key(tpm, c->handles[1], 2, need_private, key);
    if (rc)
        return rc;
    const tpm_name *n = &o->pqc_seq->key_name;
    if (n->size != (*key)->name.size || !public_equal(n->b, (*key)->name.b, n->size))
        return RC_H(TPM_RC_SIGN_CONTEXT_KEY, 2);
    *seq = o;
    return TPM_RC_SUCCESS;
}

/* The value the final signature covers: mu (ML-DSA) or PH(M) (HashML-DSA). */
static size_t sequence_final(struct pqc_seq *s, uint8_t out[QTPM_MLDSA_MU_BYTES])
{
    if (s->type == TPM_ALG_MLDSA) {
        qtpm_keccak_squeeze(&s->mu, out, QTPM_MLDSA_MU_BYTES);
        qtpm_memzero(&s->mu, sizeof(s->mu));
        return QTPM_MLDSA_MU_BYTES;
    }
    qtpm_hash_alg a = s->ph.alg;
    qtpm_hash_final(&s->ph, out);
    return qtpm_hash_size(a);
}

/* v1.85 Part 3 §20.6 TPM2_SignSequenceComplete: the last chunk, then the
 * signature over the whole message; the sequence is flushed. */
TPM_RC cmd_SignSequenceComplete(qtpm_tpm *tpm, tpm_cmd *c, const SignSequenceComplete_In *in,
                                SignSequenceComplete_Out *out)
{
    const uint8_t *data = in->buffer.buffer;
    uint16_t len = in->buffer.size;
    tpm_object *o, *k;
    TPM_RC rc = sequence_args(tpm, c, PQC_SEQ_SIGN, 1, &o, &k);
    if (rc)
        return rc;
    struct pqc_seq *s = o->pqc_seq;
    if ((k->pub.objectAttributes & TPMA_OBJECT_RESTRICTED) && starts_generated(s, data, len))
        return RC_P(TPM_RC_VALUE, PN_SignSequenceComplete_buffer);
    pqc_sequence_update(o, data, len);
    uint8_t d[QTPM_MLDSA_MU_BYTES];
    size_t dlen = sequence_final(s, d);
    rc = pqc_sign_digest(k, d, dlen, s->type == TPM_ALG_MLDSA ? NULL : s->ctx,
                         s->type == TPM_ALG_MLDSA ? 0 : s->ctx_len, &out->signature);
    qtpm_memzero(d, sizeof(d));
    object_remove(tpm, c->handles[0]);
    return rc;
}

/* v1.85 Part 3 §20.3 TPM2_VerifySequenceComplete: the signature over the
 * streamed message → TPM_ST_MESSAGE_VERIFIED ticket, HMAC over the
 * message and the key's Name. The sequence is flushed whether
 * or not the signature holds (its state is consumed). */
TPM_RC cmd_VerifySequenceComplete(qtpm_tpm *tpm, tpm_cmd *c, const VerifySequenceComplete_In *in,
                                  VerifySequenceComplete_Out *out)
{
    tpm_object *o = NULL, *k = NULL;
    TPM_RC rc = sequence_args(tpm, c, PQC_SEQ_VERIFY, 0, &o, &k);
    if (rc)
        return rc;
    struct pqc_seq *s = o->pqc_seq;
    uint8_t d[QTPM_MLDSA_MU_BYTES], m[MAX_DIGEST];
    size_t dlen = sequence_final(s, d);
    size_t mlen = 0;
    if (s->has_ticket) {
        s->has_ticket = 0;
        if (qtpm_hmac_update(&s->ticket, k->name.b, k->name.size) == QTPM_OK &&
            qtpm_hmac_final(&s->ticket, m) == QTPM_OK)
            mlen = crypt_hash_size(k->pub.nameAlg);
        else
            qtpm_hmac_free(&s->ticket);
    }
    rc = pqc_verify_digest(k, d, dlen, s->type == TPM_ALG_MLDSA ? NULL : s->ctx,
                           s->type == TPM_ALG_MLDSA ? 0 : s->ctx_len, &in->signature);
    object_remove(tpm, c->handles[0]);
    if (rc)
        return rc == TPM_RC_SIGNATURE || rc == TPM_RC_SCHEME
                   ? RC_P(rc, PN_VerifySequenceComplete_signature)
                   : rc;
    verified_ticket(&out->validation, TPM_ST_MESSAGE_VERIFIED,
                    mlen ? ticket_hierarchy(k) : TPM_RH_NULL, TPM_ALG_NULL, m, mlen);
    return TPM_RC_SUCCESS;
}
