/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * context.c — context management (Part 1 §30, Part 3 §28): ContextSave,
 * ContextLoad, FlushContext and EvictControl, and the records in which
 * persistent objects are kept in the state blob.
 *
 * A saved context (TPMS_CONTEXT) carries sequence, savedHandle, hierarchy
 * and a blob:
 *   blob = TPM2B(integrity) || AES-256-CFB(key, iv, plain)
 *   key || iv   = KDFa(SHA-256, proof, "CONTEXT", sequence, savedHandle, 384)
 *   integrity   = HMAC-SHA-256(proof, sequence || savedHandle || hierarchy
 *                 [|| resetCount || restartCount for stClear objects] || encrypted)
 * where proof is the hierarchy's proof value (the null proof for sessions
 * and null-hierarchy objects, which changes at TPM Reset). Session contexts
 * additionally may be loaded only once per save: the TPM remembers the
 * sequence number of each saved session (Part 1 §30.4 replay protection).
 *
 * Sequence objects (hash, HMAC, event, sign and verify sequences, Part 3
 * §17 and the v1.85 sign/verify sequences) hold live digest contexts
 * (OpenSSL's for SHA-1/SHA-2) that have no portable serialisation. Their
 * saved context is protected like any object's, but its plain text is only
 * 'Q' || sequence: the TPM keeps a copy of the object under that context
 * sequence number (saved_seqs, the oldest forgotten first once
 * MAX_SAVED_SEQUENCES are kept). ContextLoad loads a fresh copy, so such a
 * context loads any number of times, as any object context does (Part 1
 * §30.2), and keeps working across TPM Resume and TPM Restart in the same
 * server process; TPM Reset forgets the copies, as it invalidates every
 * null-hierarchy context anyway (Part 1 §30.3). A resource manager
 * (tpm2-abrmd, the kernel's /dev/tpmrm0) saves and flushes every transient
 * object between commands, so sequences depend on this.
 */
#include <stdlib.h>

#include "cmd.h"
#include "commands.h"
#include "context.h"
#include "crypt.h"
#include "ct.h"
#include "entity.h"
#include "hierarchy.h"
#include "object.h"
#include "pqc.h"
#include "session.h"
#include "tmarshal.h"

#define SAVED_OBJECT_HANDLE 0x80000000u
#define SAVED_SEQUENCE_HANDLE 0x80000001u
#define SAVED_STCLEAR_HANDLE 0x80000002u

/* ---- object records (persistent objects, object contexts) ---- */

/* compact: the public key of an ML-KEM / ML-DSA key with its private seed
 * is left out (unique empty) and recomputed from the seed when the record
 * is read. An object context must fit the resource manager that keeps it:
 * Linux's /dev/tpmrm0 holds all the saved object contexts of a client in
 * one 4,096-byte buffer (drivers/char/tpm/tpm2-space.c), where a full
 * ML-DSA-65 record alone takes ~2.2 KB and an ML-KEM-768 EK ~1.4 KB, so
 * an EK and an AK together (ActivateCredential) overflow it. Compact, each
 * is a few hundred bytes; the cost is one keygen at ContextLoad, which
 * Load pays anyway (pqc_check_binding). */
static size_t object_record(const tpm_object *o, int compact, uint8_t *buf, size_t cap)
{
    tpm_wr w = {buf, cap, 0, 0};
    wr_u32(&w, o->handle);
    wr_u32(&w, o->hierarchy);
    wr_u8(&w, o->is_primary);
    wr_u8(&w, o->has_sensitive);
    wr_u8(&w, o->is_external);
    wr_2b(&w, o->qualified.b, o->qualified.size);
    size_t at = w.off;
    wr_u16(&w, 0);
    if (compact) {
        TPMT_PUBLIC *pub = malloc(sizeof(*pub));
        if (pub == NULL)
            return 0;
        *pub = o->pub;
        if (pub->type == TPM_ALG_MLKEM)
            pub->unique.mlkem.size = 0;
        else
            pub->unique.mldsa.size = 0;
        tm_public_write(&w, pub);
        free(pub);
    } else {
        tm_public_write(&w, &o->pub);
    }
    if (!w.overflow)
        wr_put_u16(buf + at, (uint16_t)(w.off - at - 2));
    if (o->has_sensitive)
        tm_sensitive_write(&w, &o->sens);
    return w.overflow ? 0 : w.off;
}

static tpm_object *object_from_record(const qtpm_tpm *tpm, int compact, const uint8_t *buf,
                                      size_t len)
{
    tpm_rd r = {buf, len, 0};
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return NULL;
    uint16_t plen;
    int ok = !rd_u32(&r, &o->handle) && !rd_u32(&r, &o->hierarchy) && !rd_u8(&r, &o->is_primary) &&
             !rd_u8(&r, &o->has_sensitive) && !rd_u8(&r, &o->is_external) &&
             !rd_2b(&r, o->qualified.b, sizeof(o->qualified.b), &o->qualified.size) &&
             !rd_u16(&r, &plen) && plen <= rd_left(&r);
    if (ok) {
        tpm_rd pr = {r.p + r.off, plen, 0};
        ok = tm_public_read(tpm, &pr, &o->pub, 1) == TPM_RC_SUCCESS && rd_left(&pr) == 0;
        r.off += plen;
    }
    if (ok && o->has_sensitive)
        ok = tm_sensitive_read(&r, &o->sens, o->pub.type) == TPM_RC_SUCCESS;
    if (ok && compact)
        ok = o->has_sensitive && pqc_is_type(o->pub.type) &&
             pqc_restore_public(o) == TPM_RC_SUCCESS;
    if (ok)
        ok = rd_left(&r) == 0 && object_compute_name(o) == TPM_RC_SUCCESS;
    if (!ok) {
        object_free(o);
        return NULL;
    }
    return o;
}

size_t persistent_record_write(const tpm_object *p, uint8_t *buf, size_t cap)
{
    return object_record(p, 0, buf, cap);
}

int persistent_record_read(qtpm_tpm *tpm, const uint8_t *buf, size_t len)
{
    tpm_object *o = object_from_record(tpm, 0, buf, len);
    if (o == NULL)
        return -1;
    for (int i = 0; i < MAX_PERSISTENT; i++)
        if (tpm->persistent[i] == NULL) {
            tpm->persistent[i] = o;
            return 0;
        }
    object_free(o);
    return -1;
}

void persistent_free_all(qtpm_tpm *tpm)
{
    for (int i = 0; i < MAX_PERSISTENT; i++) {
        object_free(tpm->persistent[i]);
        tpm->persistent[i] = NULL;
    }
}

/* ---- context protection ---- */

static const uint8_t *context_proof(qtpm_tpm *tpm, TPM_HANDLE hierarchy)
{
    return hierarchy_proof(tpm, hierarchy);
}

static TPM_RC context_mac(qtpm_tpm *tpm, uint64_t seq, TPM_HANDLE saved, TPM_HANDLE hier,
                          const uint8_t *enc, size_t len, uint8_t *mac)
{
    uint8_t hdr[24];
    tpm_wr w = {hdr, sizeof(hdr), 0, 0};
    wr_u64(&w, seq);
    wr_u32(&w, saved);
    wr_u32(&w, hier);
    /* an stClear object's context dies with the TPM Restart or Reset that
     * flushes it (Part 1 §30.3): bind its MAC to the two counters */
    if (saved == SAVED_STCLEAR_HANDLE) {
        wr_u32(&w, tpm->ps.reset_count);
        wr_u32(&w, tpm->ps.restart_count);
    }
    crypt_part parts[] = {{hdr, w.off}, {enc, len}};
    return crypt_hmac_parts(TPM_ALG_SHA256, context_proof(tpm, hier), 64, mac, parts, 2)
               ? TPM_RC_FAILURE
               : TPM_RC_SUCCESS;
}

static TPM_RC context_crypt(qtpm_tpm *tpm, uint64_t seq, TPM_HANDLE saved, TPM_HANDLE hier,
                            uint8_t *data, size_t len, int encrypt)
{
    uint8_t s[8], h[4], kiv[48];
    tpm_wr w = {s, 8, 0, 0};
    wr_u64(&w, seq);
    wr_put_u32(h, saved);
    if (crypt_kdfa(TPM_ALG_SHA256, context_proof(tpm, hier), 64, "CONTEXT", s, 8, h, 4, 384, kiv))
        return TPM_RC_FAILURE;
    int rc = encrypt ? qtpm_aes_encrypt(QTPM_SYM_CFB, kiv, 32, kiv + 32, data, data, len)
                     : qtpm_aes_decrypt(QTPM_SYM_CFB, kiv, 32, kiv + 32, data, data, len);
    qtpm_memzero(kiv, sizeof(kiv));
    return rc ? TPM_RC_FAILURE : TPM_RC_SUCCESS;
}

/* ---- saved sequence states ---- */

void saved_sequences_forget(qtpm_tpm *tpm)
{
    for (int i = 0; i < MAX_SAVED_SEQUENCES; i++) {
        object_free(tpm->saved_seqs[i].obj);
        tpm->saved_seqs[i].obj = NULL;
        tpm->saved_seqs[i].sequence = 0;
    }
}

/* Keeps a copy of sequence object o under context sequence number seq,
 * replacing the oldest kept state when every slot is taken. */
static TPM_RC saved_sequence_keep(qtpm_tpm *tpm, const tpm_object *o, uint64_t seq)
{
    tpm_object *copy = sequence_dup(o);
    if (copy == NULL)
        return TPM_RC_MEMORY;
    int slot = 0;
    for (int i = 0; i < MAX_SAVED_SEQUENCES; i++) {
        if (tpm->saved_seqs[i].obj == NULL) {
            slot = i;
            break;
        }
        if (tpm->saved_seqs[i].sequence < tpm->saved_seqs[slot].sequence)
            slot = i;
    }
    object_free(tpm->saved_seqs[slot].obj);
    tpm->saved_seqs[slot].obj = copy;
    tpm->saved_seqs[slot].sequence = seq;
    return TPM_RC_SUCCESS;
}

static const tpm_object *saved_sequence_find(const qtpm_tpm *tpm, uint64_t seq)
{
    for (int i = 0; i < MAX_SAVED_SEQUENCES; i++)
        if (tpm->saved_seqs[i].obj != NULL && tpm->saved_seqs[i].sequence == seq)
            return tpm->saved_seqs[i].obj;
    return NULL;
}

static int saved_session_slot(qtpm_tpm *tpm, TPM_HANDLE h)
{
    for (int i = 0; i < MAX_LOADED_SESSIONS * 2; i++)
        if (tpm->saved_sessions[i].handle == h)
            return i;
    return -1;
}

/* Part 3 §28.2 TPM2_ContextSave */
TPM_RC cmd_ContextSave(qtpm_tpm *tpm, tpm_cmd *c, const ContextSave_In *in,
                       ContextSave_Out *out)
{
    (void)in;
    TPM_HANDLE h = c->handles[0];
    uint8_t *plain = malloc(MAX_CONTEXT_SIZE);
    if (plain == NULL)
        return TPM_RC_MEMORY;
    size_t plen = 0;
    TPM_HANDLE saved, hier;
    tpm_session *s = NULL;
    const tpm_object *seq_obj = NULL;
    TPM_RC rc = TPM_RC_SUCCESS;
    if ((h >> 24) == TPM_HT_TRANSIENT) {
        tpm_object *o = object_find(tpm, h);
        if (o == NULL) {
            free(plain);
            return TPM_RC_REFERENCE_H0; /* not loaded (entity_check) */
        }
        if (o->is_sequence) {
            seq_obj = o;
            plain[0] = 'Q';
            plen = 1 + 8;
            saved = SAVED_SEQUENCE_HANDLE;
        } else {
            /* 'K': a compact record (object_record), 'O': a full one */
            int compact = o->has_sensitive && pqc_is_type(o->pub.type);
            plain[0] = compact ? 'K' : 'O';
            plen = object_record(o, compact, plain + 1, MAX_CONTEXT_SIZE - 1) + 1;
            saved = (o->pub.objectAttributes & TPMA_OBJECT_STCLEAR) ? SAVED_STCLEAR_HANDLE
                                                                      : SAVED_OBJECT_HANDLE;
            if (plen == 1)
                rc = TPM_RC_SIZE;
        }
        hier = o->hierarchy;
    } else {
        s = session_find(tpm, h);
        if (s == NULL) {
            free(plain);
            return TPM_RC_REFERENCE_H0;
        }
        int slot = saved_session_slot(tpm, 0);
        if (slot < 0) {
            free(plain);
            return TPM_RC_CONTEXT_GAP;
        }
        plain[0] = 'S';
        memcpy(plain + 1, s, sizeof(*s));
        plen = 1 + sizeof(*s);
        saved = h;
        hier = TPM_RH_NULL;
    }
    uint64_t seq = ++tpm->context_counter;
    if (seq_obj != NULL) {
        tpm_wr sw = {plain + 1, 8, 0, 0};
        wr_u64(&sw, seq);
        rc = saved_sequence_keep(tpm, seq_obj, seq);
    }
    size_t total = 2 + 32 + plen;
    if (rc == TPM_RC_SUCCESS && total > MAX_CONTEXT_SIZE)
        rc = TPM_RC_SIZE;
    uint8_t mac[32];
    if (rc == TPM_RC_SUCCESS)
        rc = context_crypt(tpm, seq, saved, hier, plain, plen, 1);
    if (rc == TPM_RC_SUCCESS)
        rc = context_mac(tpm, seq, saved, hier, plain, plen, mac);
    if (rc == TPM_RC_SUCCESS) {
        /* contextBlob: the integrity HMAC as a TPM2B_DIGEST, then the
         * encrypted record (Part 1 §30.3) */
        TPMS_CONTEXT *ctx = &out->context;
        ctx->sequence = seq;
        ctx->savedHandle = saved;
        ctx->hierarchy = hier;
        ctx->contextBlob.size = (UINT16)total;
        ctx->contextBlob.buffer[0] = 0;
        ctx->contextBlob.buffer[1] = 32;
        memcpy(ctx->contextBlob.buffer + 2, mac, 32);
        memcpy(ctx->contextBlob.buffer + 34, plain, plen);
        if (s != NULL) {
            int slot = saved_session_slot(tpm, 0);
            tpm->saved_sessions[slot].handle = h;
            tpm->saved_sessions[slot].sequence = seq;
            for (int i = 0; i < MAX_LOADED_SESSIONS; i++)
                if (tpm->sessions[i] == s) {
                    session_free(s);
                    tpm->sessions[i] = NULL;
                }
        }
    }
    qtpm_memzero(plain, MAX_CONTEXT_SIZE);
    free(plain);
    return rc;
}

/* Part 3 §28.3 TPM2_ContextLoad */
TPM_RC cmd_ContextLoad(qtpm_tpm *tpm, tpm_cmd *c, const ContextLoad_In *in,
                       ContextLoad_Out *out)
{
    (void)out;
    enum { P_CTX = PN_ContextLoad_context };
    /* savedHandle is a TPMI_DH_SAVED and hierarchy a TPMI_RH_HIERARCHY+
     * (TPM_RC_VALUE otherwise, when TPMS_CONTEXT is unmarshalled) */
    uint64_t seq = in->context.sequence;
    uint32_t saved = in->context.savedHandle, hier = in->context.hierarchy;
    uint16_t blob_len = in->context.contextBlob.size;
    const uint8_t *blob = in->context.contextBlob.buffer;
    if (!hierarchy_enabled(tpm, hier))
        return RC_P(TPM_RC_HIERARCHY, P_CTX);
    if (blob_len < 2 + 32 + 1 || blob[0] != 0 || blob[1] != 32)
        return RC_P(TPM_RC_INTEGRITY, P_CTX);
    const uint8_t *enc = blob + 34;
    size_t plen = blob_len - 34u;
    uint8_t mac[32];
    TPM_RC rc = context_mac(tpm, seq, saved, hier, enc, plen, mac);
    if (rc)
        return rc;
    if (!ct_equal(mac, blob + 2, 32))
        return RC_P(TPM_RC_INTEGRITY, P_CTX);
    uint8_t *plain = malloc(plen);
    if (plain == NULL)
        return TPM_RC_MEMORY;
    memcpy(plain, enc, plen);
    rc = context_crypt(tpm, seq, saved, hier, plain, plen, 0);
    /* The record is the TPM's own, whose integrity was just checked: its
     * layout is public, and the proof's part ends with the decryption
     * (tests/ct/ct_engine.c marks the proofs, not the objects' keys). */
    QTPM_CT_DECLASSIFY(plain, plen);
    if (rc == TPM_RC_SUCCESS && (plain[0] == 'O' || plain[0] == 'K') &&
        (saved == SAVED_OBJECT_HANDLE || saved == SAVED_STCLEAR_HANDLE)) {
        tpm_object *o = object_from_record(tpm, plain[0] == 'K', plain + 1, plen - 1);
        TPM_HANDLE h = 0;
        if (o == NULL)
            rc = RC_P(TPM_RC_INTEGRITY, P_CTX);
        else if ((rc = object_insert(tpm, o, &h)) != TPM_RC_SUCCESS)
            object_free(o);
        else
            c->out_handle = h;
    } else if (rc == TPM_RC_SUCCESS && plain[0] == 'Q' && plen == 1 + 8 &&
               saved == SAVED_SEQUENCE_HANDLE) {
        tpm_rd sr = {plain + 1, 8, 0};
        uint64_t kept_seq = 0;
        (void)rd_u64(&sr, &kept_seq);
        const tpm_object *kept = kept_seq == seq ? saved_sequence_find(tpm, seq) : NULL;
        tpm_object *o = kept != NULL ? sequence_dup(kept) : NULL;
        TPM_HANDLE h = 0;
        if (kept == NULL)
            /* a state this TPM no longer keeps: as stale as a context of
             * an earlier TPM Reset */
            rc = RC_P(TPM_RC_INTEGRITY, P_CTX);
        else if (o == NULL)
            rc = TPM_RC_MEMORY;
        else if ((rc = object_insert(tpm, o, &h)) != TPM_RC_SUCCESS)
            object_free(o);
        else
            c->out_handle = h;
    } else if (rc == TPM_RC_SUCCESS && plain[0] == 'S' && plen == 1 + sizeof(tpm_session)) {
        int slot = saved_session_slot(tpm, saved);
        if (slot < 0 || tpm->saved_sessions[slot].sequence != seq) {
            rc = RC_P(TPM_RC_HANDLE, P_CTX);
        } else {
            int free_slot = -1;
            for (int i = 0; i < MAX_LOADED_SESSIONS; i++)
                if (tpm->sessions[i] == NULL) {
                    free_slot = i;
                    break;
                }
            tpm_session *s = free_slot >= 0 ? malloc(sizeof(*s)) : NULL;
            if (s == NULL) {
                rc = TPM_RC_SESSION_MEMORY;
            } else {
                memcpy(s, plain + 1, sizeof(*s));
                tpm->sessions[free_slot] = s;
                tpm->saved_sessions[slot].handle = 0;
                c->out_handle = s->handle;
            }
        }
    } else if (rc == TPM_RC_SUCCESS) {
        rc = RC_P(TPM_RC_INTEGRITY, P_CTX);
    }
    qtpm_memzero(plain, plen);
    free(plain);
    return rc;
}

/* Part 3 §28.4 TPM2_FlushContext: flushHandle is a parameter. */
TPM_RC cmd_FlushContext(qtpm_tpm *tpm, tpm_cmd *c, const FlushContext_In *in,
                        FlushContext_Out *out)
{
    (void)c, (void)out;
    enum { P_H = PN_FlushContext_flushHandle };
    TPM_HANDLE h = in->flushHandle; /* transient or session (TPMI_DH_CONTEXT) */
    switch (h >> 24) {
    case TPM_HT_TRANSIENT:
        if (object_find(tpm, h) == NULL)
            return RC_P(TPM_RC_HANDLE, P_H);
        object_remove(tpm, h);
        return TPM_RC_SUCCESS;
    case TPM_HT_HMAC_SESSION:
    case TPM_HT_POLICY_SESSION: {
        for (int i = 0; i < MAX_LOADED_SESSIONS; i++)
            if (tpm->sessions[i] && tpm->sessions[i]->handle == h) {
                session_free(tpm->sessions[i]);
                tpm->sessions[i] = NULL;
                return TPM_RC_SUCCESS;
            }
        int slot = saved_session_slot(tpm, h);
        if (slot >= 0) {
            tpm->saved_sessions[slot].handle = 0;
            return TPM_RC_SUCCESS;
        }
        return RC_P(TPM_RC_HANDLE, P_H);
    }
    default:
        return RC_P(TPM_RC_VALUE, P_H);
    }
}

/* Part 3 §28.5 TPM2_EvictControl */
TPM_RC cmd_EvictControl(qtpm_tpm *tpm, tpm_cmd *c, const EvictControl_In *in,
                        EvictControl_Out *out)
{
    (void)out;
    enum { P_PH = PN_EvictControl_persistentHandle };
    TPM_HANDLE ph = in->persistentHandle; /* a persistent handle (TPMI_DH_PERSISTENT) */
    TPM_HANDLE auth = c->handles[0], oh = c->handles[1];
    tpm_object *o = object_find(tpm, oh);
    /* owner: 0x81000000-0x817FFFFF, platform: 0x81800000-0x81FFFFFF */
    int platform_range = (ph & 0x00800000u) != 0;
    if ((auth == TPM_RH_OWNER) == platform_range)
        return RC_P(TPM_RC_RANGE, P_PH);
    if ((oh >> 24) == TPM_HT_PERSISTENT) {
        if (oh != ph)
            return RC_P(TPM_RC_HANDLE, P_PH);
        if (auth == TPM_RH_OWNER && o->hierarchy == TPM_RH_PLATFORM)
            return RC_H(TPM_RC_HIERARCHY, 2);
        for (int i = 0; i < MAX_PERSISTENT; i++)
            if (tpm->persistent[i] == o) {
                object_free(o);
                tpm->persistent[i] = NULL;
            }
        tpm->dirty = 1;
        return TPM_RC_SUCCESS;
    }
    if (o->is_sequence || o->is_external || !o->has_sensitive)
        return RC_H(TPM_RC_ATTRIBUTES, 2);
    if (o->pub.objectAttributes & TPMA_OBJECT_STCLEAR)
        return RC_H(TPM_RC_ATTRIBUTES, 2);
    if (o->hierarchy == TPM_RH_NULL)
        return RC_H(TPM_RC_HIERARCHY, 2);
    if (auth == TPM_RH_OWNER && o->hierarchy == TPM_RH_PLATFORM)
        return RC_H(TPM_RC_HIERARCHY, 2);
    if (object_find(tpm, ph) != NULL)
        return TPM_RC_NV_DEFINED;
    int slot = -1;
    for (int i = 0; i < MAX_PERSISTENT; i++)
        if (tpm->persistent[i] == NULL) {
            slot = i;
            break;
        }
    if (slot < 0)
        return TPM_RC_NV_SPACE;
    tpm_object *copy = object_dup(o);
    if (copy == NULL)
        return TPM_RC_MEMORY;
    copy->handle = ph;
    tpm->persistent[slot] = copy;
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}
