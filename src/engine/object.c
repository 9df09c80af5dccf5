/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * object.c — objects (Part 1 §23-27, Part 3 §12, §24.1): creation of
 * ordinary and primary objects, sensitive-area protection, loading, and the
 * object commands Create, CreatePrimary, CreateLoaded, Load, LoadExternal,
 * ReadPublic, ObjectChangeAuth and Unseal.
 *
 * Primary objects are derived, not generated: every secret value of a
 * primary comes from KDFa(nameAlg, hierarchy seed, label, H(template),
 * sensitive.data) so the same template under the same seed always gives the
 * same key (Part 1 §27.3: "primary objects are derived from the primary
 * seed"). RSA primes are found by a deterministic sieved search over that
 * KDF stream (prime.c); ECC scalars use the "extra random bits" reduction of FIPS 186-4
 * §B.4.1.
 *
 * Sensitive protection (Part 1 §22-23): the private area sent out is
 *   TPM2B(outerHMAC) || AES-CFB(symKey, IV = 0, TPM2B_SENSITIVE)
 * with symKey = KDFa(parent nameAlg, parent seedValue, "STORAGE", Name, -,
 * parent key bits) and outerHMAC = HMAC(KDFa(..., "INTEGRITY", ...),
 * encSensitive || Name).
 */
#include <stdlib.h>

#include <openssl/bn.h>

#include "crypt.h"
#include "engine_int.h"
#include "entity.h"
#include "object.h"
#include "pqc.h"
#include "prime.h"
#include "qtpm/kdf.h"
#include "ct.h"
#include "session.h"

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
    qtpm_memzero(obj, sizeof(*obj));
    free(obj);
}

tpm_object *object_dup(const tpm_object *obj)
{
    tpm_object *o = malloc(sizeof(*o));
    if (o)
        memcpy(o, obj, sizeof(*o));
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

static void hierarchy_qn(TPM_HANDLE h, tpm_name *qn)
{
    qn->size = 4;
    wr_put_u32(qn->b, h);
}

/* ---------------------------------------------------------------- algorithms */

qtpm_ecc_curve object_curve_from_id(TPM_ECC_CURVE id)
{
    switch (id) {
    case TPM_ECC_NIST_P256: return QTPM_ECC_P256;
    case TPM_ECC_NIST_P384: return QTPM_ECC_P384;
    case TPM_ECC_BN_P256: return QTPM_ECC_BN_P256; /* ECDAA's curve: no ECDSA */
    default: return QTPM_ECC_NONE;
    }
}

qtpm_ecc_curve object_ecc_curve(const tpm_object *o)
{
    return object_curve_from_id(o->pub.parameters.eccDetail.curveID);
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

/* Derivation source for primaries (seed) or NULL for fresh randomness. */
typedef struct {
    qtpm_tpm *tpm; /* whose primary-key cache to use (prime.c) */
    const uint8_t *seed;
    size_t seed_len;
    uint8_t ctx[MAX_DIGEST + MAX_SYM_DATA];
    size_t ctx_len;
} derive_src;

/* Fills out with bits of secret material: KDFa from the seed for primaries,
 * the RNG otherwise. */
static TPM_RC secret_bytes(const derive_src *src, TPM_ALG_ID alg, const char *label, uint8_t *out,
                           size_t len)
{
    if (src == NULL)
        return crypt_random(out, len) ? TPM_RC_FAILURE : TPM_RC_SUCCESS;
    return crypt_kdfa(alg, src->seed, src->seed_len, label, src->ctx, src->ctx_len, NULL, 0,
                      (uint32_t)len * 8, out)
               ? TPM_RC_FAILURE
               : TPM_RC_SUCCESS;
}

/* Primary RSA keys: the primes from prime.c's search, or from the cache of
 * recent derivations when the same template is used again under the same
 * seed. */
static int derive_rsa_primes(const derive_src *src, TPM_ALG_ID alg, unsigned bits, uint32_t e,
                             uint8_t *nb, uint8_t *pb)
{
    size_t pbytes = bits / 16;
    uint8_t id[32], qb[256];
    prime_cache_id(alg, src->seed, src->seed_len, src->ctx, src->ctx_len, bits, e, id);
    BN_CTX *bc = BN_CTX_secure_new();
    BIGNUM *p = BN_secure_new(), *q = BN_secure_new(), *n = BN_new();
    int ok = bc && p && q && n;
    if (ok && src->tpm && prime_cache_get(src->tpm, id, pbytes, pb, qb)) {
        ok = BN_bin2bn(pb, (int)pbytes, p) && BN_bin2bn(qb, (int)pbytes, q) && BN_mul(n, p, q, bc);
    } else if (ok) {
        prime_table *pt = prime_table_new();
        ok = pt &&
             prime_derive_rsa(pt, alg, src->seed, src->seed_len, "RSA p", src->ctx, src->ctx_len,
                              bits / 2, e, p, bc) &&
             prime_derive_rsa(pt, alg, src->seed, src->seed_len, "RSA q", src->ctx, src->ctx_len,
                              bits / 2, e, q, bc) &&
             BN_sub(n, p, q);
        /* |p - q| > 2^(nlen/2 - 100) (FIPS 186-5 A.1.3); fails with
         * probability about 2^-100 */
        ok = ok && BN_num_bits(n) > (int)(bits / 2 - 100) && BN_mul(n, p, q, bc) &&
             BN_bn2binpad(p, pb, (int)pbytes) == (int)pbytes &&
             BN_bn2binpad(q, qb, (int)pbytes) == (int)pbytes;
        if (ok && src->tpm)
            prime_cache_put(src->tpm, id, pbytes, pb, qb);
        prime_table_free(pt);
    }
    ok = ok && BN_bn2binpad(n, nb, (int)(bits / 8)) == (int)(bits / 8);
    qtpm_memzero(qb, sizeof(qb));
    BN_CTX_free(bc);
    BN_clear_free(p);
    BN_clear_free(q);
    BN_free(n);
    return ok;
}

static TPM_RC generate_rsa(tpm_object *o, const derive_src *src)
{
    TPMS_RSA_PARMS *rp = &o->pub.parameters.rsaDetail;
    unsigned bits = rp->keyBits;
    uint32_t e = rp->exponent;
    if (e != 0 && (e < 3 || !(e & 1)))
        return RC_P(TPM_RC_VALUE, 2);
    qtpm_rsa_key *key = NULL;
    if (src == NULL) {
        if (qtpm_rsa_generate(bits, e, &key) != QTPM_OK)
            return TPM_RC_NO_RESULT;
    } else {
        uint8_t nb[512], pb[256];
        int ok = derive_rsa_primes(src, o->pub.nameAlg, bits, e, nb, pb) &&
                 qtpm_rsa_import_prime(nb, bits / 8, e, pb, bits / 16, &key) == QTPM_OK;
        qtpm_memzero(pb, sizeof(pb));
        if (!ok)
            return TPM_RC_NO_RESULT;
    }
    size_t len;
    uint32_t e_out;
    int rc = qtpm_rsa_export_public(key, o->pub.unique.rsa.buffer, sizeof(o->pub.unique.rsa.buffer),
                                    &len, &e_out);
    if (rc == QTPM_OK) {
        o->pub.unique.rsa.size = (uint16_t)len;
        rc = qtpm_rsa_export_prime(key, 0, o->sens.sensitive.rsa.buffer,
                                   sizeof(o->sens.sensitive.rsa.buffer), &len);
        o->sens.sensitive.rsa.size = (uint16_t)len;
    }
    qtpm_rsa_free(key);
    return rc == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_FAILURE;
}

static TPM_RC generate_ecc(tpm_object *o, const derive_src *src)
{
    qtpm_ecc_curve curve = object_ecc_curve(o);
    size_t n = qtpm_ecc_size(curve);
    if (n == 0)
        return RC_P(TPM_RC_CURVE, 2);
    uint8_t *d = o->sens.sensitive.ecc.buffer;
    int rc;
    if (src == NULL) {
        rc = qtpm_ecc_generate(curve, d, o->pub.unique.ecc.x.buffer, o->pub.unique.ecc.y.buffer);
    } else {
        uint8_t c[QTPM_ECC_MAX_SIZE + 8];
        if (secret_bytes(src, o->pub.nameAlg, "ECC", c, n + 8))
            return TPM_RC_FAILURE;
        rc = qtpm_ecc_private_from_bytes(curve, c, n + 8, d);
        qtpm_memzero(c, sizeof(c));
        if (rc == QTPM_OK)
            rc = qtpm_ecc_public_from_private(curve, d, o->pub.unique.ecc.x.buffer,
                                              o->pub.unique.ecc.y.buffer);
    }
    if (rc != QTPM_OK)
        return TPM_RC_NO_RESULT;
    o->sens.sensitive.ecc.size = (uint16_t)n;
    o->pub.unique.ecc.x.size = o->pub.unique.ecc.y.size = (uint16_t)n;
    return TPM_RC_SUCCESS;
}

/* unique = H_nameAlg(seedValue || sensitive) for keyedhash and symcipher
 * objects (Part 1 §27.6.2) — binds the public area to the secret. */
static void symmetric_unique(tpm_object *o)
{
    TPM2B_DIGEST *u = o->pub.type == TPM_ALG_KEYEDHASH ? &o->pub.unique.keyedHash : &o->pub.unique.sym;
    const uint8_t *sec = o->pub.type == TPM_ALG_KEYEDHASH ? o->sens.sensitive.bits.buffer
                                                          : o->sens.sensitive.sym.buffer;
    uint16_t sec_len = o->pub.type == TPM_ALG_KEYEDHASH ? o->sens.sensitive.bits.size
                                                        : o->sens.sensitive.sym.size;
    crypt_part parts[] = {{o->sens.seedValue.buffer, o->sens.seedValue.size}, {sec, sec_len}};
    crypt_hash_parts(o->pub.nameAlg, u->buffer, parts, 2);
    u->size = (uint16_t)crypt_hash_size(o->pub.nameAlg);
}

/* Template checks shared by every creator (Part 1 §27.2, Part 3 §12.1). */
static TPM_RC check_template(const TPMT_PUBLIC *pub, const TPMS_SENSITIVE_CREATE *sc,
                             const tpm_object *parent)
{
    uint32_t a = pub->objectAttributes;
    size_t hlen = crypt_hash_size(pub->nameAlg);
    if (hlen == 0)
        return RC_P(TPM_RC_HASH, 2);
    if (a & TPMA_OBJECT_RESERVED)
        return RC_P(TPM_RC_RESERVED_BITS, 2);
    if (pub->authPolicy.size != 0 && pub->authPolicy.size != hlen)
        return RC_P(TPM_RC_SIZE, 2);
    if (sc->userAuth.size > hlen)
        return RC_P(TPM_RC_SIZE, 1);
    if ((a & TPMA_OBJECT_FIXEDTPM) && !(a & TPMA_OBJECT_FIXEDPARENT))
        return RC_P(TPM_RC_ATTRIBUTES, 2);
    if (parent && (a & TPMA_OBJECT_FIXEDTPM) &&
        !(parent->pub.objectAttributes & TPMA_OBJECT_FIXEDTPM))
        return RC_P(TPM_RC_ATTRIBUTES, 2);
    int sign = (a & TPMA_OBJECT_SIGN_ENCRYPT) != 0, dec = (a & TPMA_OBJECT_DECRYPT) != 0;
    int restricted = (a & TPMA_OBJECT_RESTRICTED) != 0;
    if (restricted && sign && dec)
        return RC_P(TPM_RC_ATTRIBUTES, 2);
    if (restricted && !sign && !dec)
        return RC_P(TPM_RC_ATTRIBUTES, 2);
    if ((a & TPMA_OBJECT_SENSITIVEDATAORIGIN) && sc->data.size != 0)
        return RC_P(TPM_RC_ATTRIBUTES, 2);
    switch (pub->type) {
    case TPM_ALG_RSA:
    case TPM_ALG_ECC: {
        const TPMT_SYM_DEF_OBJECT *sym = pub->type == TPM_ALG_RSA
                                             ? &pub->parameters.rsaDetail.symmetric
                                             : &pub->parameters.eccDetail.symmetric;
        TPM_ALG_ID scheme = pub->type == TPM_ALG_RSA ? pub->parameters.rsaDetail.scheme.scheme
                                                     : pub->parameters.eccDetail.scheme.scheme;
        if (sc->data.size != 0)
            return RC_P(TPM_RC_SIZE, 1);
        if (restricted && dec) {
            if (sym->algorithm == TPM_ALG_NULL || sym->mode.aes != TPM_ALG_CFB)
                return RC_P(TPM_RC_SYMMETRIC, 2);
            if (scheme != TPM_ALG_NULL)
                return RC_P(TPM_RC_SCHEME, 2);
        } else if (sym->algorithm != TPM_ALG_NULL) {
            return RC_P(TPM_RC_SYMMETRIC, 2);
        }
        if (restricted && sign && scheme == TPM_ALG_NULL)
            return RC_P(TPM_RC_SCHEME, 2);
        int sig_scheme = scheme == TPM_ALG_RSASSA || scheme == TPM_ALG_RSAPSS ||
                         scheme == TPM_ALG_ECDSA || scheme == TPM_ALG_ECSCHNORR ||
                         scheme == TPM_ALG_ECDAA;
        if (sig_scheme && !sign)
            return RC_P(TPM_RC_SCHEME, 2);
        if (!sig_scheme && scheme != TPM_ALG_NULL && !dec)
            return RC_P(TPM_RC_SCHEME, 2);
        if (pub->type == TPM_ALG_ECC && object_curve_from_id(pub->parameters.eccDetail.curveID) == QTPM_ECC_NONE)
            return RC_P(TPM_RC_CURVE, 2);
        if (pub->type == TPM_ALG_ECC && pub->parameters.eccDetail.kdf.scheme != TPM_ALG_NULL)
            return RC_P(TPM_RC_KDF, 2);
        break;
    }
    case TPM_ALG_KEYEDHASH: {
        /* Part 2 §12.2.3.6 TPMS_KEYEDHASH_PARMS and the scheme checks of
         * Part 3 §12.1 (object creation), as the reference implementation
         * and swtpm apply them: sign and decrypt both SET is a
         * general-purpose key (HMAC and XOR, the scheme chosen per use) and
         * both CLEAR a sealed data object, each with scheme NULL; a
         * sign-only key names HMAC, a decrypt-only key XOR (TPM_RC_SCHEME
         * otherwise). tpm2-tools' `tpm2_create -G keyedhash` default is the
         * general-purpose key; restricted with both SET was refused above
         * (TPM_RC_ATTRIBUTES). */
        TPM_ALG_ID scheme = pub->parameters.keyedHashDetail.scheme.scheme;
        if (sign == dec) {
            if (scheme != TPM_ALG_NULL)
                return RC_P(TPM_RC_SCHEME, 2);
        } else if (sign) {
            if (scheme != TPM_ALG_HMAC)
                return RC_P(TPM_RC_SCHEME, 2);
        } else if (scheme != TPM_ALG_XOR) {
            return RC_P(TPM_RC_SCHEME, 2);
        }
        /* sealed data: the TPM does not make it up */
        if (!sign && !dec && (a & TPMA_OBJECT_SENSITIVEDATAORIGIN))
            return RC_P(TPM_RC_ATTRIBUTES, 2);
        break;
    }
    case TPM_ALG_SYMCIPHER:
        if (sign && restricted)
            return RC_P(TPM_RC_ATTRIBUTES, 2);
        if (sc->data.size != 0 && sc->data.size * 8 != pub->parameters.symDetail.sym.keyBits.aes)
            return RC_P(TPM_RC_SIZE, 1);
        break;
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return pqc_check_template(pub, sc);
    default:
        return RC_P(TPM_RC_TYPE, 2);
    }
    return TPM_RC_SUCCESS;
}

/* Fills the sensitive area and the public key of o from its template.
 * src != NULL derives everything from a primary seed. */
static TPM_RC generate_object(tpm_object *o, const TPMS_SENSITIVE_CREATE *sc, const derive_src *src)
{
    memset(&o->sens, 0, sizeof(o->sens));
    o->sens.sensitiveType = o->pub.type;
    o->sens.authValue = sc->userAuth;
    o->sens.authValue.size = auth_trim(sc->userAuth.buffer, sc->userAuth.size);
    size_t hlen = crypt_hash_size(o->pub.nameAlg);
    TPM_RC rc;
    /* Storage parents and keyedhash/symcipher objects carry a seedValue (the
     * obfuscation value or the protection seed). */
    if (object_is_storage_parent(o) || o->pub.type == TPM_ALG_KEYEDHASH ||
        o->pub.type == TPM_ALG_SYMCIPHER || (o->pub.type != TPM_ALG_KEYEDHASH && hlen)) {
        rc = secret_bytes(src, o->pub.nameAlg, "SEED", o->sens.seedValue.buffer, hlen);
        if (rc)
            return rc;
        o->sens.seedValue.size = (uint16_t)hlen;
    }
    o->has_sensitive = 1;
    switch (o->pub.type) {
    case TPM_ALG_RSA:
        return generate_rsa(o, src);
    case TPM_ALG_ECC:
        return generate_ecc(o, src);
    case TPM_ALG_KEYEDHASH:
        if (o->pub.objectAttributes & TPMA_OBJECT_SENSITIVEDATAORIGIN) {
            size_t n = hlen;
            if (o->pub.parameters.keyedHashDetail.scheme.scheme == TPM_ALG_HMAC)
                n = crypt_hash_size(o->pub.parameters.keyedHashDetail.scheme.details.hmac.hashAlg);
            rc = secret_bytes(src, o->pub.nameAlg, "KEYEDHASH", o->sens.sensitive.bits.buffer, n);
            if (rc)
                return rc;
            o->sens.sensitive.bits.size = (uint16_t)n;
        } else {
            o->sens.sensitive.bits.size = sc->data.size;
            memcpy(o->sens.sensitive.bits.buffer, sc->data.buffer, sc->data.size);
        }
        symmetric_unique(o);
        return TPM_RC_SUCCESS;
    case TPM_ALG_SYMCIPHER: {
        size_t n = o->pub.parameters.symDetail.sym.keyBits.aes / 8;
        if (sc->data.size) {
            memcpy(o->sens.sensitive.sym.buffer, sc->data.buffer, n);
        } else {
            rc = secret_bytes(src, o->pub.nameAlg, "SYMCIPHER", o->sens.sensitive.sym.buffer, n);
            if (rc)
                return rc;
        }
        o->sens.sensitive.sym.size = (uint16_t)n;
        symmetric_unique(o);
        return TPM_RC_SUCCESS;
    }
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA: {
        /* the private key is the seed (d || z, or xi): pqc_keys.c */
        uint8_t seed[PQC_MAX_SEED];
        rc = secret_bytes(src, o->pub.nameAlg, pqc_seed_label(o->pub.type), seed,
                          pqc_seed_size(o->pub.type));
        if (rc == TPM_RC_SUCCESS)
            rc = pqc_generate(o, seed);
        qtpm_memzero(seed, sizeof(seed));
        return rc;
    }
    default:
        return RC_P(TPM_RC_TYPE, 2);
    }
}

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
    TPM_RC rc = TPM_RC_FAILURE;
    if (crypt_kdfa(alg, seed, seed_len, "STORAGE", name->b, name->size, NULL, 0, (uint32_t)klen * 8,
                   key) ||
        qtpm_aes_encrypt(QTPM_SYM_CFB, key, klen, iv, in, enc, in_len) ||
        crypt_kdfa(alg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0, (uint32_t)hlen * 8, hkey))
        goto out;
    crypt_part parts[] = {{enc, in_len}, {name->b, name->size}};
    if (crypt_hmac_parts(alg, hkey, hlen, out + 2, parts, 2))
        goto out;
    wr_put_u16(out, (uint16_t)hlen);
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
    if (len < 2)
        return TPM_RC_INSUFFICIENT;
    size_t ilen = ((size_t)in[0] << 8) | in[1];
    if (hlen == 0 || ilen != hlen || len < 2 + ilen + 2)
        return TPM_RC_INTEGRITY;
    const uint8_t *enc = in + 2 + ilen;
    size_t elen = len - 2 - ilen;
    uint8_t hkey[MAX_DIGEST], mac[MAX_DIGEST], key[32], iv[16] = {0};
    crypt_part parts[] = {{enc, elen}, {name->b, name->size}};
    if (crypt_kdfa(alg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0, (uint32_t)hlen * 8, hkey) ||
        crypt_hmac_parts(alg, hkey, hlen, mac, parts, 2))
        return TPM_RC_FAILURE;
    qtpm_memzero(hkey, sizeof(hkey));
    if (!ct_equal(mac, in + 2, hlen))
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

/* TPM2B_SENSITIVE of obj into buf; returns the length (0 on overflow). */
size_t object_sensitive_2b(const tpm_object *obj, uint8_t *buf, size_t cap)
{
    tpm_wr w = {buf, cap, 2, 0};
    tm_sensitive_write(&w, &obj->sens);
    if (w.overflow || cap < 2)
        return 0;
    wr_put_u16(buf, (uint16_t)(w.off - 2));
    return w.off;
}

/* Reads a TPM2B_SENSITIVE that must fill exactly len bytes. */
TPM_RC object_sensitive_from_2b(const uint8_t *buf, size_t len, TPMT_SENSITIVE *sens, TPM_ALG_ID type)
{
    tpm_rd r = {buf, len, 0};
    uint16_t slen;
    if (rd_u16(&r, &slen) || slen != len - 2)
        return TPM_RC_SIZE;
    TPM_RC rc = tm_sensitive_read(&r, sens, type);
    if (rc == TPM_RC_SUCCESS && rd_left(&r) != 0)
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
static TPM_RC unprotect_sensitive(const tpm_object *parent, const tpm_name *name, const uint8_t *in,
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
        symmetric_unique(o);
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
static TPM_RC check_loaded_sensitive(tpm_object *o)
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

/* ---------------------------------------------------------------- command helpers */

static TPM_RC read_sensitive_create(tpm_rd *r, TPMS_SENSITIVE_CREATE *sc)
{
    uint16_t size;
    if (rd_u16(r, &size))
        return RC_P(TPM_RC_INSUFFICIENT, 1);
    size_t start = r->off;
    int e = rd_2b(r, sc->userAuth.buffer, sizeof(sc->userAuth.buffer), &sc->userAuth.size);
    if (e == 0)
        e = rd_2b(r, sc->data.buffer, sizeof(sc->data.buffer), &sc->data.size);
    if (e)
        return RC_P(e == -2 ? TPM_RC_SIZE : TPM_RC_INSUFFICIENT, 1);
    if (r->off - start != size)
        return RC_P(TPM_RC_SIZE, 1);
    return TPM_RC_SUCCESS;
}

TPM_RC object_read_public_2b(const qtpm_tpm *tpm, tpm_rd *r, TPMT_PUBLIC *pub, unsigned pnum,
                             int allow_null)
{
    uint16_t size;
    if (rd_u16(r, &size))
        return RC_P(TPM_RC_INSUFFICIENT, pnum);
    if (size == 0 || size > rd_left(r))
        return RC_P(TPM_RC_SIZE, pnum);
    tpm_rd sub = {r->p + r->off, size, 0};
    TPM_RC rc = tm_public_read(tpm, &sub, pub, allow_null);
    if (rc)
        return RC_P(rc, pnum);
    if (rd_left(&sub) != 0)
        return RC_P(TPM_RC_SIZE, pnum);
    r->off += size;
    return TPM_RC_SUCCESS;
}

static void write_public_2b(tpm_wr *w, const TPMT_PUBLIC *pub)
{
    size_t at = w->off;
    wr_u16(w, 0);
    tm_public_write(w, pub);
    if (!w->overflow)
        wr_put_u16(w->p + at, (uint16_t)(w->off - at - 2));
}

/* TPMS_CREATION_DATA (Part 2 §15.1) with creationHash and ticket
 * (Part 1 §27.7): ticket = HMAC(proof, TPM_ST_CREATION || Name || creationHash). */
typedef struct {
    uint8_t pcr_sel[4 + HASH_COUNT * (3 + PCR_SELECT_MAX)];
    size_t pcr_sel_len;
    uint8_t pcr_digest[MAX_DIGEST];
    uint8_t outside[sizeof(TPM2B_DATA)];
    uint16_t outside_len;
} creation_in;

static TPM_RC read_creation_in(qtpm_tpm *tpm, tpm_cmd *c, creation_in *ci, TPM_ALG_ID name_alg,
                               unsigned pnum)
{
    int e = rd_2b(&c->in, ci->outside, sizeof(ci->outside), &ci->outside_len);
    if (e)
        return RC_P(e == -2 ? TPM_RC_SIZE : TPM_RC_INSUFFICIENT, pnum);
    ci->pcr_sel_len = sizeof(ci->pcr_sel);
    return pcr_compute_digest(tpm, &c->in, pnum + 1, name_alg, ci->pcr_digest, ci->pcr_sel,
                              &ci->pcr_sel_len);
}

static TPM_RC write_creation(qtpm_tpm *tpm, tpm_cmd *c, const tpm_object *o, const creation_in *ci,
                             TPM_ALG_ID parent_alg, const tpm_name *parent_name,
                             const tpm_name *parent_qn)
{
    tpm_wr *w = &c->out;
    size_t at = w->off;
    wr_u16(w, 0);
    size_t start = w->off;
    wr_bytes(w, ci->pcr_sel, ci->pcr_sel_len);
    /* pcrDigest is empty when nothing is selected */
    int any = ci->pcr_sel_len > 4 && !(ci->pcr_sel[0] == 0 && ci->pcr_sel[1] == 0 &&
                                       ci->pcr_sel[2] == 0 && ci->pcr_sel[3] == 0);
    size_t hlen = crypt_hash_size(o->pub.nameAlg);
    wr_2b(w, ci->pcr_digest, (uint16_t)(any ? hlen : 0));
    wr_u8(w, (uint8_t)(1u << c->locality));
    wr_u16(w, parent_alg);
    wr_2b(w, parent_name->b, parent_name->size);
    wr_2b(w, parent_qn->b, parent_qn->size);
    wr_2b(w, ci->outside, ci->outside_len);
    if (w->overflow)
        return TPM_RC_SIZE;
    wr_put_u16(w->p + at, (uint16_t)(w->off - start));
    uint8_t ch[MAX_DIGEST];
    crypt_hash(o->pub.nameAlg, w->p + start, w->off - start, ch);
    wr_2b(w, ch, (uint16_t)hlen);
    /* creationTicket */
    uint8_t tag[2], t[MAX_DIGEST];
    wr_put_u16(tag, TPM_ST_CREATION);
    crypt_part parts[] = {{tag, 2}, {o->name.b, o->name.size}, {ch, hlen}};
    crypt_hmac_parts(o->pub.nameAlg, hierarchy_proof(tpm, o->hierarchy), 64, t, parts, 3);
    wr_u16(w, TPM_ST_CREATION);
    wr_u32(w, o->hierarchy);
    wr_2b(w, t, (uint16_t)hlen);
    return TPM_RC_SUCCESS;
}

TPM_RC object_parent_arg(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    tpm_object *p = object_find(tpm, h);
    if (p == NULL)
        return RC_H(TPM_RC_HANDLE, 1);
    if (!object_is_storage_parent(p))
        return RC_H(TPM_RC_TYPE, 1);
    *out = p;
    return TPM_RC_SUCCESS;
}

/* Creates a primary object in hierarchy h (CreatePrimary, CreateLoaded). */
static TPM_RC create_primary(qtpm_tpm *tpm, TPM_HANDLE h, const TPMS_SENSITIVE_CREATE *sc,
                             const uint8_t *tmpl, size_t tmpl_len, tpm_object *o)
{
    TPM_RC rc = check_template(&o->pub, sc, NULL);
    if (rc)
        return rc;
    o->hierarchy = h == TPM_RH_PLATFORM ? TPM_RH_PLATFORM : h;
    o->is_primary = 1;
    /* context = H_nameAlg(template as sent) || sensitive.data */
    derive_src src;
    src.tpm = tpm;
    src.seed = hierarchy_seed(tpm, h);
    src.seed_len = 64;
    crypt_hash(o->pub.nameAlg, tmpl, tmpl_len, src.ctx);
    size_t hlen = crypt_hash_size(o->pub.nameAlg);
    memcpy(src.ctx + hlen, sc->data.buffer, sc->data.size);
    src.ctx_len = hlen + sc->data.size;
    rc = generate_object(o, sc, &src);
    qtpm_memzero(&src, sizeof(src));
    if (rc)
        return rc;
    rc = object_compute_name(o);
    if (rc)
        return rc;
    tpm_name qn;
    hierarchy_qn(o->hierarchy, &qn);
    object_compute_qualified(o, &qn);
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- commands */

/* Part 3 §24.1 TPM2_CreatePrimary */
TPM_RC cmd_CreatePrimary(qtpm_tpm *tpm, tpm_cmd *c)
{
    TPMS_SENSITIVE_CREATE sc;
    TPM_RC rc = read_sensitive_create(&c->in, &sc);
    if (rc)
        return rc;
    size_t tstart = c->in.off + 2;
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    creation_in ci;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 0);
    size_t tlen = c->in.off - tstart;
    if (rc == TPM_RC_SUCCESS)
        rc = read_creation_in(tpm, c, &ci, o->pub.nameAlg, 3);
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS)
        rc = create_primary(tpm, c->handles[0], &sc, c->in.p + tstart, tlen, o);
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS)
        rc = object_insert(tpm, o, &h);
    qtpm_memzero(&sc, sizeof(sc));
    if (rc) {
        object_free(o);
        return rc;
    }
    c->out_handle = h;
    write_public_2b(&c->out, &o->pub);
    tpm_name pn;
    hierarchy_qn(o->hierarchy, &pn);
    rc = write_creation(tpm, c, o, &ci, TPM_ALG_NULL, &pn, &pn);
    wr_2b(&c->out, o->name.b, o->name.size);
    if (rc)
        object_remove(tpm, h);
    return rc;
}

/* Creates an ordinary object under parent (Create, CreateLoaded). */
static TPM_RC create_child(const tpm_object *parent, const TPMS_SENSITIVE_CREATE *sc, tpm_object *o)
{
    TPM_RC rc = check_template(&o->pub, sc, parent);
    if (rc)
        return rc;
    o->hierarchy = parent->hierarchy;
    rc = generate_object(o, sc, NULL);
    if (rc)
        return rc;
    rc = object_compute_name(o);
    if (rc)
        return rc;
    object_compute_qualified(o, &parent->qualified);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.1 TPM2_Create */
TPM_RC cmd_Create(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_object *parent;
    TPM_RC rc = object_parent_arg(tpm, c->handles[0], &parent);
    if (rc)
        return rc;
    TPMS_SENSITIVE_CREATE sc;
    rc = read_sensitive_create(&c->in, &sc);
    if (rc)
        return rc;
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    creation_in ci;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 0);
    if (rc == TPM_RC_SUCCESS)
        rc = read_creation_in(tpm, c, &ci, o->pub.nameAlg, 3);
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS)
        rc = create_child(parent, &sc, o);
    uint8_t priv[MAX_PRIVATE_BUFFER];
    uint16_t plen = 0;
    if (rc == TPM_RC_SUCCESS)
        rc = protect_sensitive(parent, o, priv, sizeof(priv), &plen);
    if (rc == TPM_RC_SUCCESS) {
        wr_2b(&c->out, priv, plen);
        write_public_2b(&c->out, &o->pub);
        rc = write_creation(tpm, c, o, &ci, parent->pub.nameAlg, &parent->name, &parent->qualified);
    }
    qtpm_memzero(&sc, sizeof(sc));
    qtpm_memzero(priv, sizeof(priv));
    object_free(o);
    return rc;
}

/* Part 3 §12.9 TPM2_CreateLoaded: a primary when the parent is a
 * hierarchy, an ordinary object otherwise; inPublic is a TPM2B_TEMPLATE. */
TPM_RC cmd_CreateLoaded(qtpm_tpm *tpm, tpm_cmd *c)
{
    TPM_HANDLE ph = c->handles[0];
    TPMS_SENSITIVE_CREATE sc;
    TPM_RC rc = read_sensitive_create(&c->in, &sc);
    if (rc)
        return rc;
    size_t tstart = c->in.off + 2;
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 0);
    size_t tlen = c->in.off - tstart;
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    tpm_object *parent = NULL;
    uint8_t priv[MAX_PRIVATE_BUFFER];
    uint16_t plen = 0;
    if (rc == TPM_RC_SUCCESS) {
        if ((ph >> 24) == TPM_HT_PERMANENT) {
            rc = create_primary(tpm, ph, &sc, c->in.p + tstart, tlen, o);
        } else {
            rc = object_parent_arg(tpm, ph, &parent);
            if (rc == TPM_RC_SUCCESS)
                rc = create_child(parent, &sc, o);
            if (rc == TPM_RC_SUCCESS)
                rc = protect_sensitive(parent, o, priv, sizeof(priv), &plen);
        }
    }
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS)
        rc = object_insert(tpm, o, &h);
    qtpm_memzero(&sc, sizeof(sc));
    if (rc) {
        object_free(o);
        return rc;
    }
    c->out_handle = h;
    wr_2b(&c->out, priv, plen);
    write_public_2b(&c->out, &o->pub);
    wr_2b(&c->out, o->name.b, o->name.size);
    qtpm_memzero(priv, sizeof(priv));
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.2 TPM2_Load */
TPM_RC cmd_Load(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_object *parent;
    TPM_RC rc = object_parent_arg(tpm, c->handles[0], &parent);
    if (rc)
        return rc;
    uint8_t priv[MAX_PRIVATE_BUFFER];
    uint16_t plen;
    int e = rd_2b(&c->in, priv, sizeof(priv), &plen);
    if (e)
        return RC_P(e == -2 ? TPM_RC_SIZE : TPM_RC_INSUFFICIENT, 1);
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 0);
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS) {
        uint32_t a = o->pub.objectAttributes;
        if ((a & TPMA_OBJECT_FIXEDTPM) && !(parent->pub.objectAttributes & TPMA_OBJECT_FIXEDTPM))
            rc = RC_P(TPM_RC_ATTRIBUTES, 2);
    }
    if (rc == TPM_RC_SUCCESS)
        rc = object_compute_name(o);
    if (rc == TPM_RC_SUCCESS)
        rc = unprotect_sensitive(parent, &o->name, priv, plen, &o->sens, o->pub.type, 1);
    if (rc == TPM_RC_SUCCESS) {
        o->has_sensitive = 1;
        rc = check_loaded_sensitive(o);
        if (rc)
            rc = RC_P(rc, 2);
    }
    qtpm_memzero(priv, sizeof(priv));
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS) {
        o->hierarchy = parent->hierarchy;
        object_compute_qualified(o, &parent->qualified);
        rc = object_insert(tpm, o, &h);
    }
    if (rc) {
        object_free(o);
        return rc;
    }
    c->out_handle = h;
    wr_2b(&c->out, o->name.b, o->name.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.3 TPM2_LoadExternal: a public key alone, or a key with its
 * sensitive area in the clear (then only in the NULL hierarchy). */
TPM_RC cmd_LoadExternal(qtpm_tpm *tpm, tpm_cmd *c)
{
    uint16_t slen;
    if (rd_u16(&c->in, &slen))
        return RC_P(TPM_RC_INSUFFICIENT, 1);
    if (slen > rd_left(&c->in))
        return RC_P(TPM_RC_SIZE, 1);
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    TPM_RC rc = TPM_RC_SUCCESS;
    tpm_rd srd = {c->in.p + c->in.off, slen, 0};
    c->in.off += slen;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 1);
    uint32_t hier = 0;
    if (rc == TPM_RC_SUCCESS && rd_u32(&c->in, &hier))
        rc = RC_P(TPM_RC_INSUFFICIENT, 3);
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS && hier != TPM_RH_NULL && hier != TPM_RH_OWNER &&
        hier != TPM_RH_ENDORSEMENT && hier != TPM_RH_PLATFORM)
        rc = RC_P(TPM_RC_VALUE, 3);
    if (rc == TPM_RC_SUCCESS && !hierarchy_enabled(tpm, hier))
        rc = RC_P(TPM_RC_HIERARCHY, 3);
    if (rc == TPM_RC_SUCCESS && slen > 0) {
        if (hier != TPM_RH_NULL)
            rc = RC_P(TPM_RC_HIERARCHY, 3);
        else if ((o->pub.objectAttributes & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT)))
            rc = RC_P(TPM_RC_ATTRIBUTES, 2);
        else {
            rc = tm_sensitive_read(&srd, &o->sens, o->pub.type);
            if (rc == TPM_RC_SUCCESS && rd_left(&srd))
                rc = TPM_RC_SIZE;
            if (rc)
                rc = RC_P(rc, 1);
            else {
                o->has_sensitive = 1;
                o->sens.authValue.size = auth_trim(o->sens.authValue.buffer, o->sens.authValue.size);
                rc = object_check_binding(o);
                if (rc)
                    rc = RC_P(rc, 2);
            }
        }
    }
    if (rc == TPM_RC_SUCCESS && o->pub.type == TPM_ALG_ECC && slen == 0) {
        qtpm_ecc_curve cv = object_ecc_curve(o);
        size_t n = qtpm_ecc_size(cv);
        if (o->pub.unique.ecc.x.size != n || o->pub.unique.ecc.y.size != n ||
            qtpm_ecc_check_point(cv, o->pub.unique.ecc.x.buffer, o->pub.unique.ecc.y.buffer))
            rc = RC_P(TPM_RC_ECC_POINT, 2);
    }
    if (rc == TPM_RC_SUCCESS && slen == 0 && pqc_is_type(o->pub.type) && pqc_check_public(o))
        rc = RC_P(TPM_RC_KEY, 2);
    if (rc == TPM_RC_SUCCESS)
        rc = object_compute_name(o);
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS) {
        o->hierarchy = hier;
        o->is_external = 1;
        tpm_name qn;
        hierarchy_qn(hier, &qn);
        object_compute_qualified(o, &qn);
        rc = object_insert(tpm, o, &h);
    }
    if (rc) {
        object_free(o);
        return rc;
    }
    c->out_handle = h;
    wr_2b(&c->out, o->name.b, o->name.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.4 TPM2_ReadPublic */
TPM_RC cmd_ReadPublic(qtpm_tpm *tpm, tpm_cmd *c)
{
    if (params_end(c))
        return TPM_RC_SIZE;
    tpm_object *o = object_find(tpm, c->handles[0]);
    if (o->is_sequence)
        return RC_H(TPM_RC_SEQUENCE, 1);
    write_public_2b(&c->out, &o->pub);
    wr_2b(&c->out, o->name.b, o->name.size);
    wr_2b(&c->out, o->qualified.b, o->qualified.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.7 TPM2_Unseal */
TPM_RC cmd_Unseal(qtpm_tpm *tpm, tpm_cmd *c)
{
    if (params_end(c))
        return TPM_RC_SIZE;
    tpm_object *o = object_find(tpm, c->handles[0]);
    uint32_t a = o->pub.objectAttributes;
    if (o->is_sequence || o->pub.type != TPM_ALG_KEYEDHASH || !o->has_sensitive ||
        (a & (TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_RESTRICTED)))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    wr_2b(&c->out, o->sens.sensitive.bits.buffer, o->sens.sensitive.bits.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.8 TPM2_ObjectChangeAuth: a new private blob under the parent
 * with the new authValue; the loaded object is unchanged. */
TPM_RC cmd_ObjectChangeAuth(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_object *o = object_find(tpm, c->handles[0]);
    tpm_object *parent;
    TPM_RC rc = object_parent_arg(tpm, c->handles[1], &parent);
    if (rc)
        return RC_H(rc & ~0xF00u, 2);
    tpm_buf64 a;
    int e = rd_2b(&c->in, a.b, sizeof(a.b), &a.size);
    if (e)
        return RC_P(e == -2 ? TPM_RC_SIZE : TPM_RC_INSUFFICIENT, 1);
    if (params_end(c))
        return TPM_RC_SIZE;
    if (o->is_sequence || o->is_primary || o->is_external || !o->has_sensitive)
        return RC_H(TPM_RC_TYPE, 1);
    if (a.size > crypt_hash_size(o->pub.nameAlg))
        return RC_P(TPM_RC_SIZE, 1);
    /* the parent must be the object's parent: its QN must derive o's QN */
    tpm_object tmp = *o;
    object_compute_qualified(&tmp, &parent->qualified);
    if (tmp.qualified.size != o->qualified.size ||
        !public_equal(tmp.qualified.b, o->qualified.b, o->qualified.size))
        return RC_H(TPM_RC_TYPE, 2);
    a.size = auth_trim(a.b, a.size);
    memcpy(tmp.sens.authValue.buffer, a.b, a.size);
    tmp.sens.authValue.size = a.size;
    uint8_t priv[MAX_PRIVATE_BUFFER];
    uint16_t plen;
    rc = protect_sensitive(parent, &tmp, priv, sizeof(priv), &plen);
    qtpm_memzero(&tmp, sizeof(tmp));
    if (rc)
        return rc;
    wr_2b(&c->out, priv, plen);
    qtpm_memzero(priv, sizeof(priv));
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- secrets */

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
        uint8_t lab[32];
        size_t ll = strlen(label);
        memcpy(lab, label, ll);
        lab[ll++] = 0;
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
        tpm_rd r = {in, in_len, 0};
        uint8_t x[QTPM_ECC_MAX_SIZE], y[QTPM_ECC_MAX_SIZE], zx[QTPM_ECC_MAX_SIZE];
        uint16_t xl, yl;
        qtpm_ecc_curve cv = object_ecc_curve(k);
        size_t n = qtpm_ecc_size(cv);
        if (rd_2b(&r, x, sizeof(x), &xl) || rd_2b(&r, y, sizeof(y), &yl) || rd_left(&r) ||
            xl != n || yl != n)
            return TPM_RC_VALUE;
        if (qtpm_ecdh(cv, k->sens.sensitive.ecc.buffer, x, y, zx, NULL) != QTPM_OK)
            return TPM_RC_ECC_POINT;
        if (hlen > out_cap)
            return TPM_RC_SIZE;
        int rc = qtpm_kdfe(crypt_hash_alg(k->pub.nameAlg), zx, n, (const uint8_t *)label,
                           strlen(label), x, n, k->pub.unique.ecc.x.buffer, n, (uint32_t)hlen * 8,
                           out);
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
        uint8_t lab[32];
        size_t ll = strlen(label);
        memcpy(lab, label, ll);
        lab[ll++] = 0;
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
        uint8_t d[QTPM_ECC_MAX_SIZE], x[QTPM_ECC_MAX_SIZE], y[QTPM_ECC_MAX_SIZE], zx[QTPM_ECC_MAX_SIZE];
        if (qtpm_ecc_generate(cv, d, x, y) ||
            qtpm_ecdh(cv, d, key->pub.unique.ecc.x.buffer, key->pub.unique.ecc.y.buffer, zx, NULL))
            return TPM_RC_FAILURE;
        qtpm_memzero(d, sizeof(d));
        int r = qtpm_kdfe(crypt_hash_alg(key->pub.nameAlg), zx, n, (const uint8_t *)label,
                          strlen(label), x, n, key->pub.unique.ecc.x.buffer, n, (uint32_t)hlen * 8,
                          seed);
        qtpm_memzero(zx, sizeof(zx));
        if (r)
            return TPM_RC_FAILURE;
        *seed_len = (uint16_t)hlen;
        tpm_wr w = {secret, secret_cap, 0, 0};
        wr_2b(&w, x, (uint16_t)n);
        wr_2b(&w, y, (uint16_t)n);
        if (w.overflow)
            return TPM_RC_SIZE;
        *secret_len = (uint16_t)w.off;
        return TPM_RC_SUCCESS;
    }
    if (key->pub.type == TPM_ALG_MLKEM)
        return pqc_kem_encrypt_secret(key, label, seed, seed_len, secret, secret_cap, secret_len);
    return TPM_RC_TYPE;
}

/* Part 3 §10.3 TPM2_TestParms: a TPMT_PUBLIC_PARMS is supported iff it
 * unmarshals. */
TPM_RC object_test_parms(const qtpm_tpm *tpm, tpm_rd *in)
{
    uint16_t type;
    if (rd_u16(in, &type))
        return RC_P(TPM_RC_INSUFFICIENT, 1);
    TPMU_PUBLIC_PARMS p;
    TPM_RC rc = tm_parms_read(tpm, in, type, &p);
    if (rc)
        return RC_P(rc, 1);
    return rd_left(in) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}
