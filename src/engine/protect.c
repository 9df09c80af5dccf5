/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * protect.c — protection (Part 1 §22-24): the sensitive area of an object
 * wrapped under its parent and unwrapped again, the outer wrap of
 * duplication and credentials, and secret sharing with an asymmetric key
 * (salts of StartAuthSession, credentials, imports: Part 1 §24.4-24.6).
 *
 * Sensitive protection: the private area sent out is
 *   TPM2B(outerHMAC) || AES-CFB(symKey, IV = 0, TPM2B_SENSITIVE)
 * with symKey = KDFa(parent nameAlg, parent seedValue, "STORAGE", Name, -,
 * parent key bits) and outerHMAC = HMAC(KDFa(..., "INTEGRITY", ...),
 * encSensitive || Name).
 */
#include <stdlib.h>

#include <openssl/bn.h>

#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "entity.h"
#include "hierarchy.h"
#include "object.h"
#include "pcr.h"
#include "pqc.h"
#include "prime.h"
#include "protect.h"
#include "session.h"
#include "tmarshal.h"
#include "qtpm/kdf.h"


/* ---------------------------------------------------------------- protection */

/* Symmetric key bytes of a storage parent (AES key size in its template). */
size_t object_parent_sym_bytes(const tpm_object *parent)
{
    const TPMT_SYM_DEF_OBJECT *s;
    switch (parent->pub.type) {
    case TPM_ALG_RSA: s = &parent->pub.parameters.rsaDetail.symmetric; break;
    case TPM_ALG_ECC: s = &parent->pub.parameters.eccDetail.symmetric; break;
    case TPM_ALG_MLKEM: s = pqc_sym_def(parent); break;
    default: s = &parent->pub.parameters.symDetail.sym; break;
    }
    return s->keyBits.aes / 8;
}

/* The outer wrapper of Part 1 §22.3 / §23.3.2 (storage and duplication):
 *   out = TPM2B(HMAC(KDFa(seed, "INTEGRITY"), enc || Name)) || enc
 *   enc = AES-CFB(KDFa(seed, "STORAGE", Name), IV = 0, in)           */
TPM_RC object_outer_wrap(TPM_ALG_ID alg, const uint8_t *seed, size_t seed_len, size_t klen,
                         const tpm_name *name, const uint8_t *in, size_t in_len, uint8_t *out,
                         size_t cap, uint16_t *out_len)
{
    size_t hlen = crypt_hash_size(alg);
    if (hlen == 0 || klen == 0 || 2 + hlen + in_len > cap)
        return TPM_RC_FAILURE;
    uint8_t key[32], iv[16] = {0}, hkey[MAX_DIGEST];
    uint8_t *enc = out + 2 + hlen;
    TPM2B_DIGEST integrity;
    size_t off = 0;
    TPM_RC rc = TPM_RC_FAILURE;
    if (crypt_kdfa(alg, seed, seed_len, "STORAGE", name->b, name->size, NULL, 0, (uint32_t)klen * 8,
                   key) ||
        qtpm_aes_encrypt(QTPM_SYM_CFB, key, klen, iv, in, enc, in_len) ||
        crypt_kdfa(alg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0, (uint32_t)hlen * 8, hkey))
        goto out;
    crypt_part parts[] = {{enc, in_len}, {name->b, name->size}};
    if (crypt_hmac_parts(alg, hkey, hlen, integrity.buffer, parts, 2))
        goto out;
    integrity.size = (UINT16)hlen;
    /* the TPM2B_DIGEST fills out[0 .. 2 + hlen), just before enc */
    if (qtpm_TPM2B_DIGEST_marshal(&integrity, out, 2 + hlen, &off) != TPM_RC_SUCCESS)
        goto out;
    *out_len = (uint16_t)(2 + hlen + in_len);
    rc = TPM_RC_SUCCESS;
out:
    qtpm_memzero(key, sizeof(key));
    qtpm_memzero(hkey, sizeof(hkey));
    return rc;
}

/* Checks and removes the outer wrapper; plain (len - 2 - hlen bytes) must
 * have room for the encrypted part. TPM_RC_INTEGRITY if the HMAC fails. */
TPM_RC object_outer_unwrap(TPM_ALG_ID alg, const uint8_t *seed, size_t seed_len, size_t klen,
                           const tpm_name *name, const uint8_t *in, size_t len, uint8_t *plain,
                           size_t *plain_len)
{
    size_t hlen = crypt_hash_size(alg);
    TPM2B_DIGEST integrity;
    size_t off = 0;
    if (len < 2)
        return TPM_RC_INSUFFICIENT;
    /* Any integrity value that is not a digest of nameAlg's size followed
     * by at least a 2-byte encrypted part fails the integrity check. */
    if (hlen == 0 || qtpm_TPM2B_DIGEST_unmarshal(&integrity, in, len, &off) != TPM_RC_SUCCESS ||
        integrity.size != hlen || len - off < 2)
        return TPM_RC_INTEGRITY;
    const uint8_t *enc = in + off;
    size_t elen = len - off;
    uint8_t hkey[MAX_DIGEST], mac[MAX_DIGEST], key[32], iv[16] = {0};
    crypt_part parts[] = {{enc, elen}, {name->b, name->size}};
    if (crypt_kdfa(alg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0, (uint32_t)hlen * 8, hkey) ||
        crypt_hmac_parts(alg, hkey, hlen, mac, parts, 2))
        return TPM_RC_FAILURE;
    qtpm_memzero(hkey, sizeof(hkey));
    if (!ct_equal(mac, integrity.buffer, hlen))
        return TPM_RC_INTEGRITY;
    int r = crypt_kdfa(alg, seed, seed_len, "STORAGE", name->b, name->size, NULL, 0,
                       (uint32_t)klen * 8, key);
    if (r == 0)
        r = qtpm_aes_decrypt(QTPM_SYM_CFB, key, klen, iv, enc, plain, elen);
    qtpm_memzero(key, sizeof(key));
    if (r)
        return TPM_RC_FAILURE;
    *plain_len = elen;
    return TPM_RC_SUCCESS;
}

/* TPM2B_SENSITIVE of obj into buf; returns the length (0 on overflow).
 * The TPMT_SENSITIVE is marshalled in place after its 16-bit size (the
 * layout of qtpm_TPM2B_SENSITIVE_marshal, without copying the object's
 * sensitive area into a TPM2B_SENSITIVE first). */
size_t object_sensitive_2b(const tpm_object *obj, uint8_t *buf, size_t cap)
{
    size_t off = 2, at = 0;
    if (cap < 2 || qtpm_TPMT_SENSITIVE_marshal(&obj->sens, buf, cap, &off) != TPM_RC_SUCCESS)
        return 0;
    UINT16 n = (UINT16)(off - 2);
    if (qtpm_UINT16_marshal(&n, buf, 2, &at) != TPM_RC_SUCCESS)
        return 0;
    return off;
}

/* Reads a TPM2B_SENSITIVE that must fill exactly len bytes: TPM_RC_SIZE
 * when its size is not len - 2 or the area ends before it; the codes of
 * tm_sensitive_read (TPM_RC_TYPE for another type than the public area's,
 * the shared module's otherwise) for the TPMT_SENSITIVE inside. */
TPM_RC object_sensitive_from_2b(const uint8_t *buf, size_t len, TPMT_SENSITIVE *sens, TPM_ALG_ID type)
{
    size_t off = 0;
    UINT16 slen;
    if (qtpm_UINT16_unmarshal(&slen, buf, len, &off) != TPM_RC_SUCCESS || slen != len - 2)
        return TPM_RC_SIZE;
    tpm_rd r = {buf, len, off};
    TPM_RC rc = tm_sensitive_read(&r, sens, type);
    if (rc == TPM_RC_SUCCESS && r.off != len)
        rc = TPM_RC_SIZE;
    return rc;
}

/* Produces TPM2B_PRIVATE contents for obj under parent (Part 1 §22.3, §23.3). */
static TPM_RC protect_sensitive(const tpm_object *parent, const tpm_object *obj, uint8_t *out,
                                size_t cap, uint16_t *out_len)
{
    uint8_t plain[sizeof(TPMT_SENSITIVE) + 8];
    size_t n = object_sensitive_2b(obj, plain, sizeof(plain));
    TPM_RC rc = n ? object_outer_wrap(parent->pub.nameAlg, parent->sens.seedValue.buffer,
                                      parent->sens.seedValue.size, object_parent_sym_bytes(parent),
                                      &obj->name, plain, n, out, cap, out_len)
                  : TPM_RC_FAILURE;
    qtpm_memzero(plain, sizeof(plain));
    return rc;
}

TPM_RC object_protect(const tpm_object *parent, const tpm_object *obj, uint8_t *out, size_t cap,
                      uint16_t *out_len)
{
    return protect_sensitive(parent, obj, out, cap, out_len);
}

/* Checks the integrity of a private blob and decrypts its sensitive area
 * (Part 1 §22.4). pnum is the parameter number of inPrivate for errors. */
TPM_RC object_unprotect(const tpm_object *parent, const tpm_name *name, const uint8_t *in,
                                  size_t len, TPMT_SENSITIVE *sens, TPM_ALG_ID type, unsigned pnum)
{
    uint8_t *plain = malloc(len ? len : 1);
    if (plain == NULL)
        return TPM_RC_MEMORY;
    size_t plen = 0;
    TPM_RC rc = object_outer_unwrap(parent->pub.nameAlg, parent->sens.seedValue.buffer,
                                    parent->sens.seedValue.size, object_parent_sym_bytes(parent),
                                    name, in, len, plain, &plen);
    if (rc == TPM_RC_SUCCESS)
        rc = object_sensitive_from_2b(plain, plen, sens, type);
    if (rc && rc != TPM_RC_FAILURE && rc != TPM_RC_MEMORY)
        rc = RC_P(rc, pnum);
    qtpm_memzero(plain, len);
    free(plain);
    return rc;
}

/* Checks that sensitive and public areas belong together (Load,
 * LoadExternal; Part 3 §12.2: TPM_RC_BINDING). */
TPM_RC object_check_binding(tpm_object *o)
{
    switch (o->pub.type) {
    case TPM_ALG_RSA: {
        qtpm_rsa_key *k = NULL;
        if (object_rsa_key(o, 1, &k) != TPM_RC_SUCCESS)
            return TPM_RC_BINDING;
        qtpm_rsa_free(k);
        return TPM_RC_SUCCESS;
    }
    case TPM_ALG_ECC: {
        qtpm_ecc_curve c = object_ecc_curve(o);
        size_t n = qtpm_ecc_size(c);
        uint8_t x[QTPM_ECC_MAX_SIZE], y[QTPM_ECC_MAX_SIZE];
        if (o->sens.sensitive.ecc.size != n || o->pub.unique.ecc.x.size != n ||
            o->pub.unique.ecc.y.size != n ||
            qtpm_ecc_public_from_private(c, o->sens.sensitive.ecc.buffer, x, y) != QTPM_OK ||
            !public_equal(x, o->pub.unique.ecc.x.buffer, n) || !public_equal(y, o->pub.unique.ecc.y.buffer, n))
            return TPM_RC_BINDING;
        return TPM_RC_SUCCESS;
    }
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return pqc_check_binding(o);
    default: {
        TPM2B_DIGEST u = o->pub.type == TPM_ALG_KEYEDHASH ? o->pub.unique.keyedHash : o->pub.unique.sym;
        object_symmetric_unique(o);
        const TPM2B_DIGEST *v = o->pub.type == TPM_ALG_KEYEDHASH ? &o->pub.unique.keyedHash
                                                                 : &o->pub.unique.sym;
        if (u.size != v->size || !public_equal(u.buffer, v->buffer, u.size))
            return TPM_RC_BINDING;
        if (o->pub.type == TPM_ALG_SYMCIPHER &&
            o->sens.sensitive.sym.size * 8 != o->pub.parameters.symDetail.sym.keyBits.aes)
            return TPM_RC_KEY_SIZE;
        return TPM_RC_SUCCESS;
    }
    }
}

/* What Load checks of a private area that passed its integrity check. The
 * outer HMAC covers the encrypted sensitive area and the Name, i.e. the
 * public area, and only this TPM (Create, or Import, which checks the
 * binding) holds the parent's integrity key — so the pair was consistent
 * when it was protected, and recomputing an ECC public point (a scalar
 * multiplication, most of Load's time) proves nothing new. The sizes must
 * still match the curve and the scalar lie in [1, n-1]. Other types take
 * the full check. */
TPM_RC object_check_loaded(tpm_object *o)
{
    if (o->pub.type != TPM_ALG_ECC)
        return object_check_binding(o);
    qtpm_ecc_curve c = object_ecc_curve(o);
    size_t n = qtpm_ecc_size(c);
    if (n == 0 || o->sens.sensitive.ecc.size != n || o->pub.unique.ecc.x.size != n ||
        o->pub.unique.ecc.y.size != n || qtpm_ecc_check_private(c, o->sens.sensitive.ecc.buffer))
        return TPM_RC_BINDING;
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- secrets */

/* The OAEP label of a secret-sharing label: the string with its terminating
 * NUL (Part 1 §B.10.3). The labels are the engine's constants ("SECRET",
 * "DUPLICATE", "IDENTITY"); a longer one is cut to the buffer. */
#define OAEP_LABEL_MAX 32
static size_t oaep_label(const char *label, uint8_t lab[OAEP_LABEL_MAX])
{
    size_t ll = strnlen(label, OAEP_LABEL_MAX - 1);
    memcpy(lab, label, ll);
    lab[ll++] = 0;
    return ll;
}

TPM_RC object_decrypt_secret(qtpm_tpm *tpm, TPM_HANDLE h, const char *label, const uint8_t *in,
                             size_t in_len, uint8_t *out, size_t out_cap, uint16_t *out_len)
{
    tpm_object *k = object_find(tpm, h);
    if (k == NULL)
        return RC_H(TPM_RC_HANDLE, 1);
    if (!k->has_sensitive || !(k->pub.objectAttributes & TPMA_OBJECT_DECRYPT))
        return RC_H(TPM_RC_KEY, 1);
    size_t hlen = crypt_hash_size(k->pub.nameAlg);
    if (k->pub.type == TPM_ALG_RSA) {
        qtpm_rsa_key *key;
        TPM_RC rc = object_rsa_key(k, 1, &key);
        if (rc)
            return rc;
        uint8_t lab[OAEP_LABEL_MAX];
        size_t ll = oaep_label(label, lab);
        size_t n = 0;
        uint8_t buf[512];
        int r = qtpm_rsa_oaep_decrypt(key, crypt_hash_alg(k->pub.nameAlg), lab, ll, in, in_len, buf,
                                      sizeof(buf), &n);
        qtpm_rsa_free(key);
        if (r != QTPM_OK || n > out_cap || n > hlen) {
            qtpm_memzero(buf, sizeof(buf));
            return TPM_RC_VALUE;
        }
        memcpy(out, buf, n);
        *out_len = (uint16_t)n;
        qtpm_memzero(buf, sizeof(buf));
        return TPM_RC_SUCCESS;
    }
    if (k->pub.type == TPM_ALG_ECC) {
        /* in is a TPMS_ECC_POINT: the caller's ephemeral public key.
         * seed = KDFe(nameAlg, Z, label, ephemeral.x, key.x, digest bits). */
        TPMS_ECC_POINT q;
        uint8_t zx[QTPM_ECC_MAX_SIZE];
        size_t off = 0;
        qtpm_ecc_curve cv = object_ecc_curve(k);
        size_t n = qtpm_ecc_size(cv);
        if (qtpm_TPMS_ECC_POINT_unmarshal(&q, in, in_len, &off) != TPM_RC_SUCCESS ||
            off != in_len || q.x.size != n || q.y.size != n)
            return TPM_RC_VALUE;
        if (qtpm_ecdh(cv, k->sens.sensitive.ecc.buffer, q.x.buffer, q.y.buffer, zx, NULL) !=
            QTPM_OK)
            return TPM_RC_ECC_POINT;
        if (hlen > out_cap)
            return TPM_RC_SIZE;
        int rc = qtpm_kdfe(crypt_hash_alg(k->pub.nameAlg), zx, n, (const uint8_t *)label,
                           strlen(label), q.x.buffer, n, k->pub.unique.ecc.x.buffer, n,
                           (uint32_t)hlen * 8, out);
        qtpm_memzero(zx, sizeof(zx));
        if (rc != QTPM_OK)
            return TPM_RC_FAILURE;
        *out_len = (uint16_t)hlen;
        return TPM_RC_SUCCESS;
    }
    if (k->pub.type == TPM_ALG_MLKEM)
        return pqc_kem_decrypt_secret(k, label, in, in_len, out, out_cap, out_len);
    return RC_H(TPM_RC_TYPE, 1);
}

TPM_RC object_encrypt_secret(const tpm_object *key, const char *label, uint8_t *seed,
                             uint16_t *seed_len, uint8_t *secret, size_t secret_cap,
                             uint16_t *secret_len)
{
    size_t hlen = crypt_hash_size(key->pub.nameAlg);
    if (key->pub.type == TPM_ALG_RSA) {
        if (crypt_random(seed, hlen))
            return TPM_RC_FAILURE;
        *seed_len = (uint16_t)hlen;
        qtpm_rsa_key *k;
        TPM_RC rc = object_rsa_key(key, 0, &k);
        if (rc)
            return rc;
        uint8_t lab[OAEP_LABEL_MAX];
        size_t ll = oaep_label(label, lab);
        size_t n;
        int r = qtpm_rsa_oaep_encrypt(k, crypt_hash_alg(key->pub.nameAlg), lab, ll, seed, hlen,
                                      secret, secret_cap, &n);
        qtpm_rsa_free(k);
        if (r != QTPM_OK)
            return TPM_RC_FAILURE;
        *secret_len = (uint16_t)n;
        return TPM_RC_SUCCESS;
    }
    if (key->pub.type == TPM_ALG_ECC) {
        qtpm_ecc_curve cv = object_ecc_curve(key);
        size_t n = qtpm_ecc_size(cv);
        /* the ephemeral public key Q = d*G goes out as a TPMS_ECC_POINT */
        TPMS_ECC_POINT q;
        uint8_t d[QTPM_ECC_MAX_SIZE], zx[QTPM_ECC_MAX_SIZE];
        size_t off = 0;
        if (n > sizeof(q.x.buffer))
            return TPM_RC_FAILURE;
        if (qtpm_ecc_generate(cv, d, q.x.buffer, q.y.buffer) ||
            qtpm_ecdh(cv, d, key->pub.unique.ecc.x.buffer, key->pub.unique.ecc.y.buffer, zx, NULL))
            return TPM_RC_FAILURE;
        qtpm_memzero(d, sizeof(d));
        int r = qtpm_kdfe(crypt_hash_alg(key->pub.nameAlg), zx, n, (const uint8_t *)label,
                          strlen(label), q.x.buffer, n, key->pub.unique.ecc.x.buffer, n,
                          (uint32_t)hlen * 8, seed);
        qtpm_memzero(zx, sizeof(zx));
        if (r)
            return TPM_RC_FAILURE;
        *seed_len = (uint16_t)hlen;
        q.x.size = q.y.size = (UINT16)n;
        if (qtpm_TPMS_ECC_POINT_marshal(&q, secret, secret_cap, &off) != TPM_RC_SUCCESS)
            return TPM_RC_SIZE;
        *secret_len = (uint16_t)off;
        return TPM_RC_SUCCESS;
    }
    if (key->pub.type == TPM_ALG_MLKEM)
        return pqc_kem_encrypt_secret(key, label, seed, seed_len, secret, secret_cap, secret_len);
    return TPM_RC_TYPE;
}

