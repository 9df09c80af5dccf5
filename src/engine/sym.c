/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sym.c — symmetric operations with loaded keys and the TPM's own hashing
 * (Part 3 §15, §17): EncryptDecrypt, EncryptDecrypt2, HMAC, Hash,
 * HashSequenceStart, HMAC_Start, SequenceUpdate, SequenceComplete and
 * EventSequenceComplete.
 *
 * Hash and SequenceComplete issue a hash-check ticket (Part 1 §7.4.4) only
 * when the hashed data did not begin with TPM_GENERATED_VALUE: a restricted
 * signing key will sign a digest only with such a ticket, so it can never be
 * made to sign something that looks like a TPM attestation.
 */
#include <stdlib.h>

#include "asym.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "hierarchy.h"
#include "keycmds.h"
#include "object.h"
#include "pcr.h"
#include "pqc.h"
#include "session.h"


static qtpm_sym_mode sym_mode(TPM_ALG_ID m)
{
    switch (m) {
    case TPM_ALG_CFB: return QTPM_SYM_CFB;
    case TPM_ALG_CTR: return QTPM_SYM_CTR;
    case TPM_ALG_OFB: return QTPM_SYM_OFB;
    case TPM_ALG_CBC: return QTPM_SYM_CBC;
    case TPM_ALG_ECB: return QTPM_SYM_ECB;
    default: return 0;
    }
}

/* The shared body of EncryptDecrypt and EncryptDecrypt2 (Part 3 §15.2):
 * the data is copied to outData and transformed there. decrypt and mode
 * arrive unmarshalled (TPMI_YES_NO, TPMI_ALG_CIPHER_MODE+); the numbers are
 * those of mode, ivIn and inData in the command at hand. */
static TPM_RC encrypt_decrypt(qtpm_tpm *tpm, tpm_cmd *c, uint8_t decrypt, TPM_ALG_ID mode,
                              const TPM2B_IV *iv_in, const TPM2B_MAX_BUFFER *in_data,
                              TPM2B_MAX_BUFFER *out_data, TPM2B_IV *iv_out, unsigned p_mode,
                              unsigned p_iv, unsigned p_data)
{
    tpm_object *k = object_find(tpm, c->handles[0]);
    if (k->is_sequence || k->pub.type != TPM_ALG_SYMCIPHER)
        return RC_H(TPM_RC_KEY, 1);
    uint32_t a = k->pub.objectAttributes;
    if (a & TPMA_OBJECT_RESTRICTED)
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    if (decrypt ? !(a & TPMA_OBJECT_DECRYPT) : !(a & TPMA_OBJECT_SIGN_ENCRYPT))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    TPM_ALG_ID km = k->pub.parameters.symDetail.sym.mode.aes;
    if (km != TPM_ALG_NULL) {
        if (mode != TPM_ALG_NULL && mode != km)
            return RC_P(TPM_RC_MODE, p_mode);
        mode = km;
    }
    qtpm_sym_mode m = tpm_alg_enabled(tpm, mode) ? sym_mode(mode) : 0;
    if (m == 0)
        return RC_P(TPM_RC_MODE, p_mode);
    uint16_t iv_len = iv_in->size, len = in_data->size;
    if (m == QTPM_SYM_ECB ? iv_len != 0 : iv_len != 16)
        return RC_P(TPM_RC_SIZE, p_iv);
    if ((m == QTPM_SYM_CBC || m == QTPM_SYM_ECB) && len % 16)
        return RC_P(TPM_RC_SIZE, p_data);
    *iv_out = *iv_in;
    memcpy(out_data->buffer, in_data->buffer, len);
    out_data->size = len;
    uint8_t *iv = iv_len ? iv_out->buffer : NULL, *data = out_data->buffer;
    size_t klen = k->sens.sensitive.sym.size;
    int r = decrypt ? qtpm_aes_decrypt(m, k->sens.sensitive.sym.buffer, klen, iv, data, data, len)
                    : qtpm_aes_encrypt(m, k->sens.sensitive.sym.buffer, klen, iv, data, data, len);
    return r == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_FAILURE;
}

/* Part 3 §15.2 TPM2_EncryptDecrypt: decrypt, mode, ivIn, inData */
TPM_RC cmd_EncryptDecrypt(qtpm_tpm *tpm, tpm_cmd *c, const EncryptDecrypt_In *in,
                          EncryptDecrypt_Out *out)
{
    return encrypt_decrypt(tpm, c, in->decrypt, in->mode, &in->ivIn, &in->inData, &out->outData,
                           &out->ivOut, PN_EncryptDecrypt_mode, PN_EncryptDecrypt_ivIn,
                           PN_EncryptDecrypt_inData);
}

/* Part 3 §15.3 TPM2_EncryptDecrypt2: inData first, so it can be encrypted
 * by a session. */
TPM_RC cmd_EncryptDecrypt2(qtpm_tpm *tpm, tpm_cmd *c, const EncryptDecrypt2_In *in,
                           EncryptDecrypt2_Out *out)
{
    return encrypt_decrypt(tpm, c, in->decrypt, in->mode, &in->ivIn, &in->inData, &out->outData,
                           &out->ivOut, PN_EncryptDecrypt2_mode, PN_EncryptDecrypt2_ivIn,
                           PN_EncryptDecrypt2_inData);
}

/* The HMAC key's hash: the key's scheme, or hashAlg when the key has none. */
static TPM_RC hmac_key(qtpm_tpm *tpm, TPM_HANDLE h, TPM_ALG_ID *alg, unsigned p_alg,
                       tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k->is_sequence || k->pub.type != TPM_ALG_KEYEDHASH || !k->has_sensitive)
        return RC_H(TPM_RC_TYPE, 1);
    uint32_t a = k->pub.objectAttributes;
    /* Part 3 §15.4 HMAC_Start / §15.5 HMAC: an unrestricted key with sign
     * SET; decrypt may be SET too (a general-purpose keyedHash key, whose
     * scheme is NULL and whose hash the command names), as swtpm. */
    if (!(a & TPMA_OBJECT_SIGN_ENCRYPT) || (a & TPMA_OBJECT_RESTRICTED))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    const TPMT_KEYEDHASH_SCHEME *s = &k->pub.parameters.keyedHashDetail.scheme;
    if (s->scheme == TPM_ALG_HMAC) {
        if (*alg != TPM_ALG_NULL && *alg != s->details.hmac.hashAlg)
            return RC_P(TPM_RC_VALUE, p_alg);
        *alg = s->details.hmac.hashAlg;
    } else if (*alg == TPM_ALG_NULL) {
        return RC_P(TPM_RC_VALUE, p_alg);
    }
    if (tpm_hash_size(tpm, *alg) == 0)
        return RC_P(TPM_RC_HASH, p_alg);
    *out = k;
    return TPM_RC_SUCCESS;
}

/* Part 3 §15.5 TPM2_HMAC */
TPM_RC cmd_HMAC(qtpm_tpm *tpm, tpm_cmd *c, const HMAC_In *in, HMAC_Out *out)
{
    TPM_ALG_ID alg = in->hashAlg;
    tpm_object *k;
    TPM_RC rc = hmac_key(tpm, c->handles[0], &alg, PN_HMAC_hashAlg, &k);
    if (rc)
        return rc;
    if (qtpm_hmac(crypt_hash_alg(alg), k->sens.sensitive.bits.buffer, k->sens.sensitive.bits.size,
                  in->buffer.buffer, in->buffer.size, out->outHMAC.buffer))
        return TPM_RC_FAILURE;
    out->outHMAC.size = (uint16_t)crypt_hash_size(alg);
    return TPM_RC_SUCCESS;
}

/* The hash-check ticket for digest (Part 1 §7.4.4): the NULL ticket in
 * the NULL hierarchy or over data that began with TPM_GENERATED_VALUE. */
static void hashcheck_ticket(qtpm_tpm *tpm, TPMT_TK_HASHCHECK *t, TPM_ALG_ID alg, TPM_HANDLE hier,
                             const uint8_t *digest, int generated)
{
    t->tag = TPM_ST_HASHCHECK;
    t->hierarchy = hier == TPM_RH_NULL || generated ? TPM_RH_NULL : hier;
    t->digest.size = 0;
    if (t->hierarchy == TPM_RH_NULL)
        return;
    size_t hl = crypt_hash_size(alg);
    ticket_hmac(tpm, alg, hier, TPM_ST_HASHCHECK, digest, hl, NULL, 0, t->digest.buffer);
    t->digest.size = (uint16_t)hl;
}

static int starts_generated(const uint8_t *p, size_t n)
{
    return n >= 4 && p[0] == 0xFF && p[1] == 'T' && p[2] == 'C' && p[3] == 'G';
}

/* Part 3 §15.4 TPM2_Hash */
TPM_RC cmd_Hash(qtpm_tpm *tpm, tpm_cmd *c, const Hash_In *in, Hash_Out *out)
{
    (void)c;
    if (!hierarchy_enabled(tpm, in->hierarchy))
        return RC_P(TPM_RC_HIERARCHY, PN_Hash_hierarchy);
    crypt_hash(in->hashAlg, in->data.buffer, in->data.size, out->outHash.buffer);
    out->outHash.size = (uint16_t)crypt_hash_size(in->hashAlg);
    hashcheck_ticket(tpm, &out->validation, in->hashAlg, in->hierarchy, out->outHash.buffer,
                     starts_generated(in->data.buffer, in->data.size));
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- sequences */

static TPM_RC new_sequence(qtpm_tpm *tpm, tpm_cmd *c, uint8_t kind, TPM_ALG_ID alg,
                           const TPM2B_AUTH *auth, const tpm_object *key)
{
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    object_sequence_init(o, kind, auth);
    o->seq_alg = alg;
    o->seq_ticket_ok = 1;
    int r = QTPM_OK;
    if (kind == 1) {
        r = qtpm_hash_init(&o->seq_hash[0], crypt_hash_alg(alg));
    } else if (kind == 2) {
        r = qtpm_hmac_init(&o->seq_hmac, crypt_hash_alg(alg), key->sens.sensitive.bits.buffer,
                           key->sens.sensitive.bits.size);
    } else {
        for (int b = 0; b < PCR_BANK_COUNT && r == QTPM_OK; b++)
            r = qtpm_hash_init(&o->seq_hash[b], crypt_hash_alg(pcr_bank_alg(b)));
    }
    return object_insert_out(tpm, c, o, r == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_FAILURE);
}

/* Part 3 §17.3 TPM2_HashSequenceStart: hashAlg NULL starts an event
 * sequence (every bank). */
TPM_RC cmd_HashSequenceStart(qtpm_tpm *tpm, tpm_cmd *c, const HashSequenceStart_In *in,
                             HashSequenceStart_Out *out)
{
    (void)out;
    TPM_ALG_ID alg = in->hashAlg;
    return new_sequence(tpm, c, alg == TPM_ALG_NULL ? 3 : 1, alg, &in->auth, NULL);
}

/* Part 3 §17.2 TPM2_HMAC_Start */
TPM_RC cmd_HMAC_Start(qtpm_tpm *tpm, tpm_cmd *c, const HMAC_Start_In *in, HMAC_Start_Out *out)
{
    (void)out;
    TPM_ALG_ID alg = in->hashAlg;
    tpm_object *k;
    TPM_RC rc = hmac_key(tpm, c->handles[0], &alg, PN_HMAC_Start_hashAlg, &k);
    if (rc)
        return rc;
    return new_sequence(tpm, c, 2, alg, &in->auth, k);
}

tpm_object *sequence_dup(const tpm_object *seq)
{
    tpm_object *o = malloc(sizeof(*o));
    if (o == NULL)
        return NULL;
    *o = *seq;
    memset(o->seq_hash, 0, sizeof(o->seq_hash));
    memset(&o->seq_hmac, 0, sizeof(o->seq_hmac));
    o->pqc_seq = NULL;
    int ok = 1;
    /* only the banks a sequence started are live (new_sequence) */
    for (int b = 0; b < PCR_BANK_COUNT && ok; b++)
        if (seq->seq_hash[b].alg != QTPM_HASH_NONE)
            ok = qtpm_hash_copy(&o->seq_hash[b], &seq->seq_hash[b]) == QTPM_OK;
    if (ok && seq->seq_hmac.alg != QTPM_HASH_NONE)
        ok = qtpm_hmac_copy(&o->seq_hmac, &seq->seq_hmac) == QTPM_OK;
    if (ok && seq->pqc_seq != NULL)
        ok = (o->pqc_seq = pqc_seq_dup(seq->pqc_seq)) != NULL;
    if (!ok) {
        object_free(o);
        return NULL;
    }
    return o;
}

static TPM_RC sequence_arg(qtpm_tpm *tpm, TPM_HANDLE h, unsigned hnum, tpm_object **out)
{
    tpm_object *o = object_find(tpm, h);
    if (o == NULL || !o->is_sequence)
        return RC_H(TPM_RC_MODE, hnum);
    *out = o;
    return TPM_RC_SUCCESS;
}

static void sequence_update(tpm_object *o, const uint8_t *data, size_t len)
{
    /* The first bytes decide whether a ticket may be issued. */
    if (!o->seq_started) {
        o->seq_started = 1;
        if (starts_generated(data, len))
            o->seq_ticket_ok = 0;
    }
    if (o->is_sequence == 1)
        qtpm_hash_update(&o->seq_hash[0], data, len);
    else if (o->is_sequence == 2)
        qtpm_hmac_update(&o->seq_hmac, data, len);
    else if (o->is_sequence == PQC_SEQ_SIGN || o->is_sequence == PQC_SEQ_VERIFY)
        pqc_sequence_update(o, data, len);
    else
        for (int b = 0; b < PCR_BANK_COUNT; b++)
            qtpm_hash_update(&o->seq_hash[b], data, len);
}

/* Part 3 §17.4 TPM2_SequenceUpdate */
TPM_RC cmd_SequenceUpdate(qtpm_tpm *tpm, tpm_cmd *c, const SequenceUpdate_In *in,
                          SequenceUpdate_Out *out)
{
    (void)out;
    tpm_object *o;
    TPM_RC rc = sequence_arg(tpm, c->handles[0], 1, &o);
    if (rc)
        return rc;
    sequence_update(o, in->buffer.buffer, in->buffer.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §17.5 TPM2_SequenceComplete */
TPM_RC cmd_SequenceComplete(qtpm_tpm *tpm, tpm_cmd *c, const SequenceComplete_In *in,
                            SequenceComplete_Out *out)
{
    TPM_HANDLE hier = in->hierarchy;
    if (!hierarchy_enabled(tpm, hier))
        return RC_P(TPM_RC_HIERARCHY, PN_SequenceComplete_hierarchy);
    tpm_object *o;
    TPM_RC rc = sequence_arg(tpm, c->handles[0], 1, &o);
    if (rc)
        return rc;
    if (o->is_sequence == 3 || o->is_sequence == PQC_SEQ_SIGN || o->is_sequence == PQC_SEQ_VERIFY)
        return RC_H(TPM_RC_MODE, 1);
    sequence_update(o, in->buffer.buffer, in->buffer.size);
    uint8_t *d = out->result.buffer;
    if (o->is_sequence == 1)
        qtpm_hash_final(&o->seq_hash[0], d);
    else
        qtpm_hmac_final(&o->seq_hmac, d);
    out->result.size = (uint16_t)crypt_hash_size(o->seq_alg);
    /* an HMAC sequence gets the NULL ticket */
    hashcheck_ticket(tpm, &out->validation, o->seq_alg, o->is_sequence == 1 ? hier : TPM_RH_NULL,
                     d, !o->seq_ticket_ok);
    object_remove(tpm, c->handles[0]);
    return TPM_RC_SUCCESS;
}

/* Part 3 §17.6 TPM2_EventSequenceComplete: pcrHandle (may be NULL),
 * sequenceHandle. */
TPM_RC cmd_EventSequenceComplete(qtpm_tpm *tpm, tpm_cmd *c, const EventSequenceComplete_In *in,
                                 EventSequenceComplete_Out *out)
{
    tpm_object *o;
    TPM_RC rc = sequence_arg(tpm, c->handles[1], 2, &o);
    if (rc)
        return rc;
    if (o->is_sequence != 3)
        return RC_H(TPM_RC_MODE, 2);
    sequence_update(o, in->buffer.buffer, in->buffer.size);
    /* Digests of the allocated banks only, as PCR_Event returns (pcr.c). */
    TPML_DIGEST_VALUES *res = &out->results;
    res->count = 0;
    uint8_t digests[PCR_BANK_COUNT][MAX_DIGEST];
    for (int b = 0; b < PCR_BANK_COUNT; b++) {
        TPM_ALG_ID alg = pcr_bank_alg(b);
        qtpm_hash_final(&o->seq_hash[b], digests[b]);
        if (!pcr_bank_allocated(tpm, b) || res->count >= HASH_COUNT)
            continue;
        TPMT_HA *h = &res->digests[res->count++];
        h->hashAlg = alg;
        memcpy(&h->digest, digests[b], crypt_hash_size(alg));
    }
    if (c->handles[0] != TPM_RH_NULL)
        pcr_extend_digests(tpm, c->handles[0], digests);
    object_remove(tpm, c->handles[1]);
    return TPM_RC_SUCCESS;
}
