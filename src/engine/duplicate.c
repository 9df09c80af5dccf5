/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * duplicate.c — moving objects between parents and TPMs (Part 1 §23.3,
 * Part 3 §13): TPM2_Duplicate and TPM2_Import.
 *
 * A duplicate is the object's TPM2B_SENSITIVE under up to two wrappers:
 *  - inner (symmetricAlg not NULL): AES-CFB with a caller-known key, IV 0,
 *    over innerIntegrity || sensitive, innerIntegrity = TPM2B(H_nameAlg(
 *    sensitive || Name)) (Part 1 §23.3.2.3);
 *  - outer (a new parent): the storage wrapper of object.c keyed by a fresh
 *    seed, which travels as outSymSeed encrypted to the new parent with the
 *    label "DUPLICATE".
 * Import removes them in the reverse order and protects the sensitive area
 * under the importing parent like Create does.
 */
#include <stdlib.h>

#include "auth.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "keycmds.h"
#include "object.h"
#include "protect.h"
#include "session.h"

#define DUP_BUF (MAX_PRIVATE_BUFFER)

/* Part 3 §13.1 TPM2_Duplicate: objectHandle (DUP role), newParentHandle. */
TPM_RC cmd_Duplicate(qtpm_tpm *tpm, tpm_cmd *c, const Duplicate_In *in, Duplicate_Out *out)
{
    const uint8_t *key_in = in->encryptionKeyIn.buffer;
    uint16_t key_in_len = in->encryptionKeyIn.size;
    const TPMT_SYM_DEF_OBJECT sym = in->symmetricAlg;
    TPM_RC rc;
    tpm_object *o = object_find(tpm, c->handles[0]);
    uint32_t a = o->pub.objectAttributes;
    if (o->is_sequence || !o->has_sensitive || (a & TPMA_OBJECT_FIXEDPARENT))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    tpm_object *np = NULL;
    if (c->handles[1] != TPM_RH_NULL) {
        /* only the new parent's public part is needed: it may be a
         * LoadExternal'd key of another TPM */
        np = object_find(tpm, c->handles[1]);
        uint32_t na = np->pub.objectAttributes;
        if (np->is_sequence || !(na & TPMA_OBJECT_RESTRICTED) || !(na & TPMA_OBJECT_DECRYPT) ||
            (np->pub.type != TPM_ALG_RSA && np->pub.type != TPM_ALG_ECC &&
             np->pub.type != TPM_ALG_MLKEM) ||
            object_parent_sym_bytes(np) == 0)
            return RC_H(TPM_RC_TYPE, 2);
    }
    if ((a & TPMA_OBJECT_ENCRYPTEDDUPLICATION) && (sym.algorithm == TPM_ALG_NULL || np == NULL))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    size_t klen = sym.algorithm == TPM_ALG_NULL ? 0 : sym.keyBits.aes / 8u;
    if (klen == 0 && key_in_len != 0)
        return RC_P(TPM_RC_SIZE, PN_Duplicate_encryptionKeyIn);
    if (klen && key_in_len != 0 && key_in_len != klen)
        return RC_P(TPM_RC_SIZE, PN_Duplicate_encryptionKeyIn);

    uint8_t *buf = malloc(3 * DUP_BUF);
    if (buf == NULL)
        return TPM_RC_MEMORY;
    uint8_t *sens = buf, *inner = buf + DUP_BUF, *outer = buf + 2 * DUP_BUF;
    size_t slen = object_sensitive_2b(o, sens, DUP_BUF);
    size_t hl = crypt_hash_size(o->pub.nameAlg);
    const uint8_t *dup = sens;
    size_t dup_len = slen;
    uint8_t key[32];
    rc = slen ? TPM_RC_SUCCESS : TPM_RC_FAILURE;
    if (rc == TPM_RC_SUCCESS && klen) {
        /* inner wrapper: innerIntegrity || sensitive, AES-CFB, IV 0 */
        if (key_in_len)
            memcpy(key, key_in, klen);
        else if (crypt_random(key, klen))
            rc = TPM_RC_FAILURE;
        crypt_part parts[] = {{sens, slen}, {o->name.b, o->name.size}};
        wr_put_u16(inner, (uint16_t)hl);
        if (rc == TPM_RC_SUCCESS && crypt_hash_parts(o->pub.nameAlg, inner + 2, parts, 2))
            rc = TPM_RC_FAILURE;
        memcpy(inner + 2 + hl, sens, slen);
        uint8_t iv[16] = {0};
        if (rc == TPM_RC_SUCCESS &&
            qtpm_aes_encrypt(QTPM_SYM_CFB, key, klen, iv, inner, inner, 2 + hl + slen))
            rc = TPM_RC_FAILURE;
        dup = inner;
        dup_len = 2 + hl + slen;
    }
    uint8_t seed[MAX_DIGEST];
    uint16_t seed_len = 0, out_len = (uint16_t)dup_len;
    out->outSymSeed.size = 0; /* up to an ML-KEM-1024 ciphertext */
    if (rc == TPM_RC_SUCCESS && np) {
        rc = object_encrypt_secret(np, "DUPLICATE", seed, &seed_len, out->outSymSeed.buffer,
                                   sizeof(out->outSymSeed.buffer), &out->outSymSeed.size);
        if (rc == TPM_RC_SUCCESS)
            rc = object_outer_wrap(np->pub.nameAlg, seed, seed_len, object_parent_sym_bytes(np),
                                   &o->name, dup, dup_len, outer, DUP_BUF, &out_len);
        dup = outer;
    }
    if (rc == TPM_RC_SUCCESS && out_len > sizeof(out->duplicate.buffer))
        rc = TPM_RC_SIZE;
    if (rc == TPM_RC_SUCCESS) {
        /* encryptionKeyOut is returned only when the TPM chose the key */
        out->encryptionKeyOut.size = (uint16_t)(klen && !key_in_len ? klen : 0);
        memcpy(out->encryptionKeyOut.buffer, key, out->encryptionKeyOut.size);
        memcpy(out->duplicate.buffer, dup, out_len);
        out->duplicate.size = out_len;
    }
    qtpm_memzero(key, sizeof(key));
    qtpm_memzero(seed, sizeof(seed));
    qtpm_memzero(buf, 3 * DUP_BUF);
    free(buf);
    return rc;
}

/* Part 3 §13.3 TPM2_Import: parentHandle (USER). */
TPM_RC cmd_Import(qtpm_tpm *tpm, tpm_cmd *c, const Import_In *in, Import_Out *out)
{
    tpm_object *parent, *o;
    TPM_RC rc = object_child_new(tpm, c->handles[0], &in->objectPublic.publicArea, &parent, &o);
    if (rc)
        return rc;
    const uint8_t *key_in = in->encryptionKey.buffer;
    uint16_t key_len = in->encryptionKey.size, dup_len = in->duplicate.size,
             sec_len = in->inSymSeed.size;
    const TPMT_SYM_DEF_OBJECT sym = in->symmetricAlg;
    uint8_t *buf = malloc(3 * DUP_BUF);
    if (buf == NULL) {
        object_free(o);
        return TPM_RC_MEMORY;
    }
    _Static_assert(sizeof(in->duplicate.buffer) <= DUP_BUF, "a duplicate fits the buffers");
    uint8_t *plain = buf + DUP_BUF;
    const uint8_t *dup = in->duplicate.buffer, *secret = in->inSymSeed.buffer;
    uint32_t a = o->pub.objectAttributes;
    if (a & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT))
        rc = RC_P(TPM_RC_ATTRIBUTES, PN_Import_objectPublic);
    if (rc == TPM_RC_SUCCESS && (a & TPMA_OBJECT_ENCRYPTEDDUPLICATION) &&
        (sym.algorithm == TPM_ALG_NULL || sec_len == 0))
        rc = RC_P(TPM_RC_ATTRIBUTES, PN_Import_objectPublic);
    if (rc == TPM_RC_SUCCESS)
        rc = object_compute_name(o);
    const uint8_t *cur = dup;
    size_t cur_len = dup_len;
    if (rc == TPM_RC_SUCCESS && sec_len) {
        /* outer wrapper keyed by the seed sent to this parent */
        uint8_t seed[MAX_DIGEST];
        uint16_t seed_len;
        rc = object_decrypt_secret(tpm, c->handles[0], "DUPLICATE", secret, sec_len, seed,
                                   sizeof(seed), &seed_len);
        if (rc)
            rc = rc == TPM_RC_VALUE ? RC_P(TPM_RC_VALUE, PN_Import_inSymSeed) : rc;
        size_t plen = 0;
        if (rc == TPM_RC_SUCCESS) {
            rc = object_outer_unwrap(parent->pub.nameAlg, seed, seed_len,
                                     object_parent_sym_bytes(parent), &o->name, dup, dup_len, plain,
                                     &plen);
            if (rc && rc != TPM_RC_FAILURE)
                rc = RC_P(rc, PN_Import_duplicate);
        }
        qtpm_memzero(seed, sizeof(seed));
        cur = plain;
        cur_len = plen;
    }
    if (rc == TPM_RC_SUCCESS && sym.algorithm != TPM_ALG_NULL) {
        /* inner wrapper: decrypt in place, then check innerIntegrity */
        size_t klen = sym.keyBits.aes / 8u;
        size_t hl = crypt_hash_size(o->pub.nameAlg);
        uint8_t iv[16] = {0};
        if (key_len != klen)
            rc = RC_P(TPM_RC_SIZE, PN_Import_encryptionKey);
        else if (cur != plain)
            memcpy(plain, cur, cur_len);
        if (rc == TPM_RC_SUCCESS &&
            qtpm_aes_decrypt(QTPM_SYM_CFB, key_in, klen, iv, plain, plain, cur_len))
            rc = TPM_RC_FAILURE;
        if (rc == TPM_RC_SUCCESS) {
            size_t il = cur_len >= 2 ? (((size_t)plain[0] << 8) | plain[1]) : 0;
            uint8_t h[MAX_DIGEST];
            if (il != hl || cur_len < 2 + hl) {
                rc = RC_P(TPM_RC_INTEGRITY, PN_Import_duplicate);
            } else {
                crypt_part parts[] = {{plain + 2 + hl, cur_len - 2 - hl}, {o->name.b, o->name.size}};
                crypt_hash_parts(o->pub.nameAlg, h, parts, 2);
                if (!ct_equal(h, plain + 2, hl))
                    rc = RC_P(TPM_RC_INTEGRITY, PN_Import_duplicate);
            }
            cur = plain + 2 + hl;
            cur_len -= 2 + hl;
        }
    } else if (rc == TPM_RC_SUCCESS && key_len != 0) {
        rc = RC_P(TPM_RC_SIZE, PN_Import_encryptionKey);
    }
    if (rc == TPM_RC_SUCCESS) {
        rc = object_sensitive_from_2b(cur, cur_len, &o->sens, o->pub.type);
        if (rc)
            rc = RC_P(rc, PN_Import_duplicate);
    }
    if (rc == TPM_RC_SUCCESS) {
        o->has_sensitive = 1;
        o->sens.authValue.size = auth_trim(o->sens.authValue.buffer, o->sens.authValue.size);
        rc = object_check_binding(o);
        if (rc)
            rc = RC_P(rc, PN_Import_objectPublic);
    }
    if (rc == TPM_RC_SUCCESS)
        rc = object_protect(parent, o, out->outPrivate.buffer, sizeof(out->outPrivate.buffer),
                            &out->outPrivate.size);
    qtpm_memzero(buf, 3 * DUP_BUF);
    free(buf);
    object_free(o);
    return rc;
}
