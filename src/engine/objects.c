/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * objects.c — the object layer: the tables of loaded objects and sessions
 * (slots, handles, insert, remove, free), an object's identity (Name, Part 1
 * §16; qualified Name; unique of keyedhash and symcipher objects, Part 1
 * §27.6.2) and its keys as crypto objects.
 *
 * It calls nothing above it (docs/ENGINE.md "Layers"): the object commands
 * (object.c), key derivation (derive.c), protection (protect.c), entity
 * lookup (entity.c) and every command family stand on it.
 */
#include <stdlib.h>

#include <openssl/bn.h>

#include "auth.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "entity.h"
#include "hierarchy.h"
#include "ldaa.h"
#include "object.h"
#include "pcr.h"
#include "pqc.h"
#include "prime.h"
#include "session.h"
#include "tmarshal.h"
#include "qtpm/kdf.h"

/* ---------------------------------------------------------------- slots */

tpm_object *object_find(qtpm_tpm *tpm, TPM_HANDLE h)
{
    if ((h >> 24) == TPM_HT_TRANSIENT) {
        for (int i = 0; i < MAX_LOADED_OBJECTS; i++)
            if (tpm->objects[i] && tpm->objects[i]->handle == h)
                return tpm->objects[i];
    } else if ((h >> 24) == TPM_HT_PERSISTENT) {
        for (int i = 0; i < MAX_PERSISTENT; i++)
            if (tpm->persistent[i] && tpm->persistent[i]->handle == h)
                return tpm->persistent[i];
    }
    return NULL;
}

void object_free(tpm_object *obj)
{
    if (obj == NULL)
        return;
    if (obj->is_sequence) {
        for (int i = 0; i < PCR_BANK_COUNT; i++)
            qtpm_hash_free(&obj->seq_hash[i]);
        qtpm_hmac_free(&obj->seq_hmac);
    }
    pqc_seq_free(obj->pqc_seq);
    pqc_key_cache_free(obj);
    qtpm_memzero(obj, sizeof(*obj));
    free(obj);
}

tpm_object *object_dup(const tpm_object *obj)
{
    tpm_object *o = malloc(sizeof(*o));
    if (o) {
        memcpy(o, obj, sizeof(*o));
        o->pqc_esk = NULL; /* each copy expands its own (pqc_keys.c) */
    }
    return o;
}

TPM_RC object_insert(qtpm_tpm *tpm, tpm_object *obj, TPM_HANDLE *handle)
{
    for (int i = 0; i < MAX_LOADED_OBJECTS; i++) {
        if (tpm->objects[i] == NULL) {
            /* Transient handles are 0x80000000 + slot; a flushed handle may
             * be reused, as on hardware TPMs. */
            obj->handle = (TPM_HANDLE)(HR_TRANSIENT + (TPM_HANDLE)i);
            tpm->objects[i] = obj;
            *handle = obj->handle;
            return TPM_RC_SUCCESS;
        }
    }
    return TPM_RC_OBJECT_MEMORY;
}

TPM_RC object_insert_out(qtpm_tpm *tpm, tpm_cmd *c, tpm_object *obj, TPM_RC rc)
{
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS)
        rc = object_insert(tpm, obj, &h);
    if (rc) {
        object_free(obj);
        return rc;
    }
    c->out_handle = h;
    return TPM_RC_SUCCESS;
}

void object_sequence_init(tpm_object *o, uint8_t kind, const TPM2B_AUTH *auth)
{
    o->is_sequence = kind;
    o->has_sensitive = 1;
    o->hierarchy = TPM_RH_NULL;
    o->pub.nameAlg = TPM_ALG_NULL;
    o->pub.objectAttributes = TPMA_OBJECT_USERWITHAUTH;
    memcpy(o->sens.authValue.buffer, auth->buffer, auth->size);
    o->sens.authValue.size = auth_trim(o->sens.authValue.buffer, auth->size);
}

void object_remove(qtpm_tpm *tpm, TPM_HANDLE h)
{
    for (int i = 0; i < MAX_LOADED_OBJECTS; i++)
        if (tpm->objects[i] && tpm->objects[i]->handle == h) {
            object_free(tpm->objects[i]);
            tpm->objects[i] = NULL;
        }
}

int object_is_storage_parent(const tpm_object *o)
{
    uint32_t a = o->pub.objectAttributes;
    return !o->is_sequence && o->has_sensitive && (a & TPMA_OBJECT_RESTRICTED) &&
           (a & TPMA_OBJECT_DECRYPT) && !(a & TPMA_OBJECT_SIGN_ENCRYPT) &&
           (o->pub.type == TPM_ALG_RSA || o->pub.type == TPM_ALG_ECC ||
            o->pub.type == TPM_ALG_SYMCIPHER || o->pub.type == TPM_ALG_MLKEM);
}

/* Name = nameAlg || H_nameAlg(TPMT_PUBLIC) (Part 1 §16). */
TPM_RC object_compute_name(tpm_object *obj)
{
    uint8_t *buf = malloc(sizeof(TPMT_PUBLIC) + 16);
    if (buf == NULL)
        return TPM_RC_MEMORY;
    tpm_wr w = {buf, sizeof(TPMT_PUBLIC) + 16, 0, 0};
    tm_public_write(&w, &obj->pub);
    TPM_RC rc = TPM_RC_SUCCESS;
    if (obj->pub.nameAlg == TPM_ALG_NULL) {
        obj->name.size = 0;
    } else if (w.overflow || crypt_hash(obj->pub.nameAlg, buf, w.off, obj->name.b + 2)) {
        rc = TPM_RC_FAILURE;
    } else {
        wr_put_u16(obj->name.b, obj->pub.nameAlg);
        obj->name.size = (uint16_t)(2 + crypt_hash_size(obj->pub.nameAlg));
    }
    free(buf);
    return rc;
}

/* QN = H_nameAlg(parentQN || Name); a primary's parent QN is its hierarchy
 * handle (Part 1 §16.6). */
void object_compute_qualified(tpm_object *obj, const tpm_name *parent_qn)
{
    if (obj->pub.nameAlg == TPM_ALG_NULL) {
        obj->qualified.size = 0;
        return;
    }
    crypt_part parts[] = {{parent_qn->b, parent_qn->size}, {obj->name.b, obj->name.size}};
    wr_put_u16(obj->qualified.b, obj->pub.nameAlg);
    crypt_hash_parts(obj->pub.nameAlg, obj->qualified.b + 2, parts, 2);
    obj->qualified.size = obj->name.size;
}


/* ---------------------------------------------------------------- algorithms */

qtpm_ecc_curve object_ecc_curve(const tpm_object *o)
{
    return crypt_ecc_curve(o->pub.parameters.eccDetail.curveID);
}

/* An RSA key object for o (private if o has its sensitive part). Free with
 * qtpm_rsa_free. */
TPM_RC object_rsa_key(const tpm_object *o, int want_private, qtpm_rsa_key **key)
{
    const TPM2B_PUBLIC_KEY_RSA *n = &o->pub.unique.rsa;
    uint32_t e = o->pub.parameters.rsaDetail.exponent;
    int rc;
    if (want_private) {
        if (!o->has_sensitive)
            return TPM_RC_KEY;
        rc = qtpm_rsa_import_prime(n->buffer, n->size, e, o->sens.sensitive.rsa.buffer,
                                   o->sens.sensitive.rsa.size, key);
    } else {
        rc = qtpm_rsa_import_public(n->buffer, n->size, e, key);
    }
    return rc == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_KEY;
}

/* unique = H_nameAlg(seedValue || sensitive) for keyedhash and symcipher
 * objects (Part 1 §27.6.2) — binds the public area to the secret. */
void object_symmetric_unique(tpm_object *o)
{
    if (ldaa_key_bound(o)) { /* unique = rho ‖ digest of t (ldaa_key.c) */
        ldaa_key_unique(o);
        return;
    }
    TPM2B_DIGEST *u = o->pub.type == TPM_ALG_KEYEDHASH ? &o->pub.unique.keyedHash : &o->pub.unique.sym;
    const uint8_t *sec = o->pub.type == TPM_ALG_KEYEDHASH ? o->sens.sensitive.bits.buffer
                                                          : o->sens.sensitive.sym.buffer;
    uint16_t sec_len = o->pub.type == TPM_ALG_KEYEDHASH ? o->sens.sensitive.bits.size
                                                        : o->sens.sensitive.sym.size;
    crypt_part parts[] = {{o->sens.seedValue.buffer, o->sens.seedValue.size}, {sec, sec_len}};
    crypt_hash_parts(o->pub.nameAlg, u->buffer, parts, 2);
    u->size = (uint16_t)crypt_hash_size(o->pub.nameAlg);
}

/* ---------------------------------------------------------------- sessions */

tpm_session *session_find(qtpm_tpm *tpm, TPM_HANDLE h)
{
    for (int i = 0; i < MAX_LOADED_SESSIONS; i++)
        if (tpm->sessions[i] && tpm->sessions[i]->handle == h)
            return tpm->sessions[i];
    return NULL;
}

void session_free(tpm_session *s)
{
    if (s == NULL)
        return;
    qtpm_memzero(s, sizeof(*s));
    free(s);
}
