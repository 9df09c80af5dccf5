/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pqc_keys.c — ML-KEM (FIPS 203), ML-DSA and HashML-DSA (FIPS 204) keys as
 * TPM objects, TPM 2.0 Library v1.85 (Part 2 §11.2.6-7, §12.2.3.6-8):
 * template rules, key generation from a seed, the binding check, signing and verification, and
 * secret sharing by encapsulation.
 *
 * The private key of every PQC object is its seed, never the expanded key:
 * ML-KEM keeps d ‖ z (64 bytes), ML-DSA and HashML-DSA keep ξ (32 bytes)
 * (DESIGN.md decision 1). object.c draws the seed — from the RNG for an
 * ordinary object, from KDFa(nameAlg, hierarchy seed, label, H(template) ‖
 * sensitive.data) for a primary, with the labels of pqc_seed_label() — and
 * pqc_generate() turns it into the public key, so a primary is the same key
 * every time its template is used under the same hierarchy seed.
 *
 * Secret sharing (Part 1 §24: credential seed, session salt, import seed)
 * with an ML-KEM key replaces the RSA/ECC encryption of a seed by an
 * encapsulation: the secret sent is the ML-KEM ciphertext c, and
 *   seed = KDFa(nameAlg, K, label, c, ek, bits of the nameAlg digest)
 * where K is the 32-byte shared secret and ek the key's encapsulation key;
 * docs/PQC.md ("Secret sharing") explains the choice.
 */
#include <stdlib.h>

#include "ct.h"
#include "pqc.h"

#include "crypt.h"
#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"

int pqc_is_type(TPM_ALG_ID type)
{
    return type == TPM_ALG_MLKEM || type == TPM_ALG_MLDSA || type == TPM_ALG_HASH_MLDSA;
}

/* ---------------------------------------------------------------- parameters */

static qtpm_mlkem_set kem_set(const tpm_object *o)
{
    return (qtpm_mlkem_set)o->pub.parameters.mlkemDetail.parameterSet;
}

/* TPMS_MLDSA_PARMS and TPMS_HASH_MLDSA_PARMS both start with parameterSet. */
static qtpm_mldsa_set dsa_set(const TPMT_PUBLIC *pub)
{
    return (qtpm_mldsa_set)(pub->type == TPM_ALG_MLDSA ? pub->parameters.mldsaDetail.parameterSet
                                                       : pub->parameters.hashMldsaDetail.parameterSet);
}

/* HashML-DSA pre-hash of a TPM hash algorithm (FIPS 204 §5.4 allows the
 * SHA-2 functions our ML-DSA module implements); 0 if none. */
static qtpm_mldsa_prehash prehash_of(TPM_ALG_ID h)
{
    switch (h) {
    case TPM_ALG_SHA256: return QTPM_PH_SHA256;
    case TPM_ALG_SHA384: return QTPM_PH_SHA384;
    case TPM_ALG_SHA512: return QTPM_PH_SHA512;
    default: return (qtpm_mldsa_prehash)0;
    }
}

const TPMT_SYM_DEF_OBJECT *pqc_sym_def(const tpm_object *o)
{
    return &o->pub.parameters.mlkemDetail.symmetric;
}

/* Part 1 §27.2 rules as they apply to the v1.85 types: an ML-KEM key
 * decrypts (a restricted one is a storage parent or EK and needs AES-CFB,
 * an unrestricted one has no symmetric algorithm); an ML-DSA key signs. A
 * restricted key must not sign a caller's external mu (it could then sign
 * anything, including a forged attestation). */
TPM_RC pqc_check_template(const TPMT_PUBLIC *pub, const TPMS_SENSITIVE_CREATE *sc)
{
    uint32_t a = pub->objectAttributes;
    int sign = (a & TPMA_OBJECT_SIGN_ENCRYPT) != 0, dec = (a & TPMA_OBJECT_DECRYPT) != 0;
    int restricted = (a & TPMA_OBJECT_RESTRICTED) != 0;
    /* the TPM makes PQC keys itself; sensitive.data would be a caller's key */
    if (sc->data.size != 0)
        return RC_P(TPM_RC_SIZE, 1);
    switch (pub->type) {
    case TPM_ALG_MLKEM: {
        const TPMT_SYM_DEF_OBJECT *s = &pub->parameters.mlkemDetail.symmetric;
        if (sign || !dec)
            return RC_P(TPM_RC_ATTRIBUTES, 2);
        if (restricted) {
            if (s->algorithm != TPM_ALG_AES || s->mode.aes != TPM_ALG_CFB ||
                (s->keyBits.aes != 128 && s->keyBits.aes != 192 && s->keyBits.aes != 256))
                return RC_P(TPM_RC_SYMMETRIC, 2);
        } else if (s->algorithm != TPM_ALG_NULL) {
            return RC_P(TPM_RC_SYMMETRIC, 2);
        }
        if (qtpm_mlkem_ek_bytes((qtpm_mlkem_set)pub->parameters.mlkemDetail.parameterSet) == 0)
            return RC_P(TPM_RC_PARMS, 2);
        return TPM_RC_SUCCESS;
    }
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        if (dec || !sign)
            return RC_P(TPM_RC_ATTRIBUTES, 2);
        if (qtpm_mldsa_pk_bytes(dsa_set(pub)) == 0)
            return RC_P(TPM_RC_PARMS, 2);
        if (pub->type == TPM_ALG_MLDSA) {
            if (restricted && pub->parameters.mldsaDetail.allowExternalMu)
                return RC_P(TPM_RC_ATTRIBUTES, 2);
        } else if (prehash_of(pub->parameters.hashMldsaDetail.hashAlg) == 0) {
            return RC_P(TPM_RC_HASH, 2);
        }
        return TPM_RC_SUCCESS;
    default:
        return RC_P(TPM_RC_TYPE, 2);
    }
}

size_t pqc_seed_size(TPM_ALG_ID type)
{
    return type == TPM_ALG_MLKEM ? QTPM_MLKEM_SEED_BYTES : QTPM_MLDSA_SEED_BYTES;
}

/* KDFa labels for primaries' seeds (the classic types use "RSA p", "ECC"). */
const char *pqc_seed_label(TPM_ALG_ID type)
{
    return type == TPM_ALG_MLKEM ? "MLKEM" : "MLDSA";
}

/* ---------------------------------------------------------------- keys */

/* pk of o's seed into pk (cap bytes); the size written goes to *len. */
static TPM_RC public_from_seed(const tpm_object *o, const uint8_t *seed, uint8_t *pk, size_t cap,
                               uint16_t *len)
{
    int rc;
    size_t n;
    if (o->pub.type == TPM_ALG_MLKEM) {
        n = qtpm_mlkem_ek_bytes(kem_set(o));
        if (n == 0 || n > cap)
            return TPM_RC_PARMS;
        uint8_t dk[QTPM_MLKEM_MAX_DK_BYTES];
        rc = qtpm_mlkem_keygen_from_seed(kem_set(o), seed, pk, dk);
        qtpm_memzero(dk, sizeof(dk));
    } else {
        n = qtpm_mldsa_pk_bytes(dsa_set(&o->pub));
        if (n == 0 || n > cap)
            return TPM_RC_PARMS;
        rc = qtpm_mldsa_keygen_internal(dsa_set(&o->pub), seed, pk, NULL);
    }
    if (rc != QTPM_OK)
        return TPM_RC_FAILURE;
    *len = (uint16_t)n;
    return TPM_RC_SUCCESS;
}

TPM_RC pqc_generate(tpm_object *o, const uint8_t *seed)
{
    size_t n = pqc_seed_size(o->pub.type);
    TPM_RC rc;
    if (o->pub.type == TPM_ALG_MLKEM) {
        memcpy(o->sens.sensitive.mlkem.buffer, seed, n);
        o->sens.sensitive.mlkem.size = (uint16_t)n;
        rc = public_from_seed(o, seed, o->pub.unique.mlkem.buffer,
                              sizeof(o->pub.unique.mlkem.buffer), &o->pub.unique.mlkem.size);
    } else {
        memcpy(o->sens.sensitive.mldsa.buffer, seed, n);
        o->sens.sensitive.mldsa.size = (uint16_t)n;
        rc = public_from_seed(o, seed, o->pub.unique.mldsa.buffer,
                              sizeof(o->pub.unique.mldsa.buffer), &o->pub.unique.mldsa.size);
    }
    return rc == TPM_RC_PARMS ? RC_P(TPM_RC_PARMS, 2) : rc;
}

TPM_RC pqc_restore_public(tpm_object *o)
{
    const TPM2B_PRIVATE_KEY_MLKEM *kem = &o->sens.sensitive.mlkem;
    const TPM2B_PRIVATE_KEY_MLDSA *dsa = &o->sens.sensitive.mldsa;
    uint8_t sd[PQC_MAX_SEED];
    TPM_RC rc;
    if (o->pub.type == TPM_ALG_MLKEM) {
        if (kem->size != pqc_seed_size(o->pub.type))
            return TPM_RC_BINDING;
        memcpy(sd, kem->buffer, kem->size);
        rc = public_from_seed(o, sd, o->pub.unique.mlkem.buffer,
                              sizeof(o->pub.unique.mlkem.buffer), &o->pub.unique.mlkem.size);
    } else {
        if (dsa->size != pqc_seed_size(o->pub.type))
            return TPM_RC_BINDING;
        memcpy(sd, dsa->buffer, dsa->size);
        rc = public_from_seed(o, sd, o->pub.unique.mldsa.buffer,
                              sizeof(o->pub.unique.mldsa.buffer), &o->pub.unique.mldsa.size);
    }
    qtpm_memzero(sd, sizeof(sd));
    return rc;
}

TPM_RC pqc_check_binding(tpm_object *o)
{
    const uint8_t *seed;
    uint16_t seed_len;
    const uint8_t *pk;
    uint16_t pk_len;
    if (o->pub.type == TPM_ALG_MLKEM) {
        seed = o->sens.sensitive.mlkem.buffer;
        seed_len = o->sens.sensitive.mlkem.size;
        pk = o->pub.unique.mlkem.buffer;
        pk_len = o->pub.unique.mlkem.size;
    } else {
        seed = o->sens.sensitive.mldsa.buffer;
        seed_len = o->sens.sensitive.mldsa.size;
        pk = o->pub.unique.mldsa.buffer;
        pk_len = o->pub.unique.mldsa.size;
    }
    if (seed_len != pqc_seed_size(o->pub.type))
        return TPM_RC_BINDING;
    uint8_t calc[MAX_MLDSA_PUB_SIZE > MAX_MLKEM_PUB_SIZE ? MAX_MLDSA_PUB_SIZE : MAX_MLKEM_PUB_SIZE];
    uint8_t sd[PQC_MAX_SEED];
    uint16_t calc_len;
    memcpy(sd, seed, seed_len);
    TPM_RC rc = public_from_seed(o, sd, calc, sizeof(calc), &calc_len);
    qtpm_memzero(sd, sizeof(sd));
    if (rc)
        return rc == TPM_RC_PARMS ? TPM_RC_BINDING : rc;
    if (calc_len != pk_len || !public_equal(calc, pk, pk_len))
        return TPM_RC_BINDING;
    return TPM_RC_SUCCESS;
}

TPM_RC pqc_check_public(const tpm_object *o)
{
    if (o->pub.type == TPM_ALG_MLKEM) {
        const TPM2B_PUBLIC_KEY_MLKEM *ek = &o->pub.unique.mlkem;
        if (ek->size != qtpm_mlkem_ek_bytes(kem_set(o)))
            return TPM_RC_KEY;
        return qtpm_mlkem_check_ek(kem_set(o), ek->buffer, ek->size) == QTPM_OK ? TPM_RC_SUCCESS
                                                                                  : TPM_RC_KEY;
    }
    return o->pub.unique.mldsa.size == qtpm_mldsa_pk_bytes(dsa_set(&o->pub)) ? TPM_RC_SUCCESS
                                                                            : TPM_RC_KEY;
}

/* ---------------------------------------------------------------- signing */

/* The scheme of an ML-DSA key is fixed by its type (and, for HashML-DSA,
 * its pre-hash); the caller may name it or pass TPM_ALG_NULL. */
TPM_RC pqc_pick_scheme(const tpm_object *key, const TPMT_SIG_SCHEME *in, TPMT_SIG_SCHEME *out,
                       unsigned pnum)
{
    TPM_ALG_ID ks = key->pub.type;
    if (ks != TPM_ALG_MLDSA && ks != TPM_ALG_HASH_MLDSA)
        return RC_H(TPM_RC_KEY, 1);
    TPM_ALG_ID kh = ks == TPM_ALG_HASH_MLDSA ? key->pub.parameters.hashMldsaDetail.hashAlg : 0;
    if (in->scheme != TPM_ALG_NULL &&
        (in->scheme != ks || (ks == TPM_ALG_HASH_MLDSA && in->details.any.hashAlg != kh)))
        return RC_P(TPM_RC_SCHEME, pnum);
    memset(out, 0, sizeof(*out));
    out->scheme = ks;
    out->details.any.hashAlg = kh;
    return TPM_RC_SUCCESS;
}

static const uint8_t *dsa_seed(const tpm_object *key) { return key->sens.sensitive.mldsa.buffer; }

/* The expanded signing key of a loaded ML-DSA object (FIPS 204 Algorithm 7
 * lines 1-5 from the seed: Â, NTT(s1), NTT(s2), NTT(t0), K, tr; about 28 KiB
 * for ML-DSA-44), computed at its first signature so later ones skip the
 * key expansion, and wiped by object_free (flush, eviction, context save
 * with flush, TPM free) through pqc_key_cache_free. Only objects of the
 * tables sign, so the memory is bounded by MAX_LOADED_OBJECTS +
 * MAX_PERSISTENT keys. The signing functions take the object as const: the
 * cache is a memo of its private key, not part of its value, hence the
 * cast. NULL (sign from the seed as before) when memory is short. */
static const qtpm_mldsa_expanded *dsa_expanded(const tpm_object *key)
{
    if (key->pqc_esk != NULL)
        return key->pqc_esk;
    qtpm_mldsa_set set = dsa_set(&key->pub);
    size_t n = qtpm_mldsa_expanded_bytes(set);
    qtpm_mldsa_expanded *e = n ? malloc(n) : NULL;
    if (e == NULL)
        return NULL;
    if (qtpm_mldsa_expand(set, dsa_seed(key), QTPM_MLDSA_SEED_BYTES, e, n) != QTPM_OK) {
        qtpm_memzero(e, n);
        free(e);
        return NULL;
    }
    ((tpm_object *)key)->pqc_esk = e;
    return e;
}

void pqc_key_cache_free(tpm_object *o)
{
    if (o == NULL || o->pqc_esk == NULL)
        return;
    qtpm_memzero(o->pqc_esk, qtpm_mldsa_expanded_bytes(dsa_set(&o->pub)));
    free(o->pqc_esk);
    o->pqc_esk = NULL;
}

TPM_RC pqc_sign_digest(const tpm_object *key, const uint8_t *digest, size_t dlen,
                       const uint8_t *ctx, size_t ctx_len, TPMT_SIGNATURE *sig)
{
    memset(sig, 0, sizeof(*sig));
    if (!key->has_sensitive || key->sens.sensitive.mldsa.size != QTPM_MLDSA_SEED_BYTES)
        return TPM_RC_KEY;
    qtpm_mldsa_set set = dsa_set(&key->pub);
    int rc;
    if (key->pub.type == TPM_ALG_HASH_MLDSA) {
        TPM_ALG_ID h = key->pub.parameters.hashMldsaDetail.hashAlg;
        if (dlen != crypt_hash_size(h))
            return TPM_RC_SIZE;
        sig->sigAlg = TPM_ALG_HASH_MLDSA;
        sig->signature.hash_mldsa.hash = h;
        const qtpm_mldsa_expanded *e = dsa_expanded(key);
        rc = e ? qtpm_hashmldsa_sign_digest_expanded(e, prehash_of(h), digest, dlen, ctx, ctx_len,
                                                     NULL,
                                                     sig->signature.hash_mldsa.signature.buffer)
               : qtpm_hashmldsa_sign_digest(set, dsa_seed(key), QTPM_MLDSA_SEED_BYTES,
                                            prehash_of(h), digest, dlen, ctx, ctx_len, NULL,
                                            sig->signature.hash_mldsa.signature.buffer);
        sig->signature.hash_mldsa.signature.size = (uint16_t)qtpm_mldsa_sig_bytes(set);
    } else if (key->pub.type == TPM_ALG_MLDSA) {
        /* external mu: the context is already inside mu */
        if (dlen != QTPM_MLDSA_MU_BYTES || ctx_len != 0)
            return TPM_RC_SIZE;
        sig->sigAlg = TPM_ALG_MLDSA;
        const qtpm_mldsa_expanded *e = dsa_expanded(key);
        rc = e ? qtpm_mldsa_sign_mu_expanded(e, digest, NULL, sig->signature.mldsa.buffer)
               : qtpm_mldsa_sign_mu(set, dsa_seed(key), QTPM_MLDSA_SEED_BYTES, digest, NULL,
                                    sig->signature.mldsa.buffer);
        sig->signature.mldsa.size = (uint16_t)qtpm_mldsa_sig_bytes(set);
    } else {
        return TPM_RC_SCHEME;
    }
    return rc == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_NO_RESULT;
}

TPM_RC pqc_verify_digest(const tpm_object *key, const uint8_t *digest, size_t dlen,
                         const uint8_t *ctx, size_t ctx_len, const TPMT_SIGNATURE *sig)
{
    qtpm_mldsa_set set = dsa_set(&key->pub);
    const TPM2B_PUBLIC_KEY_MLDSA *pk = &key->pub.unique.mldsa;
    int rc;
    if (sig->sigAlg != key->pub.type)
        return TPM_RC_SCHEME;
    if (key->pub.type == TPM_ALG_HASH_MLDSA) {
        TPM_ALG_ID h = key->pub.parameters.hashMldsaDetail.hashAlg;
        if (sig->signature.hash_mldsa.hash != h)
            return TPM_RC_SCHEME;
        if (dlen != crypt_hash_size(h))
            return TPM_RC_SIZE;
        rc = qtpm_hashmldsa_verify_digest(set, pk->buffer, pk->size, prehash_of(h), digest, dlen,
                                          ctx, ctx_len, sig->signature.hash_mldsa.signature.buffer,
                                          sig->signature.hash_mldsa.signature.size);
    } else if (key->pub.type == TPM_ALG_MLDSA) {
        if (dlen != QTPM_MLDSA_MU_BYTES || ctx_len != 0)
            return TPM_RC_SIZE;
        rc = qtpm_mldsa_verify_mu(set, pk->buffer, pk->size, digest, sig->signature.mldsa.buffer,
                                  sig->signature.mldsa.size);
    } else {
        return TPM_RC_SCHEME;
    }
    return rc == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_SIGNATURE;
}

TPM_RC pqc_sign_message(const tpm_object *key, const uint8_t *msg, size_t len,
                        TPMT_SIGNATURE *sig)
{
    memset(sig, 0, sizeof(*sig));
    if (!key->has_sensitive || key->sens.sensitive.mldsa.size != QTPM_MLDSA_SEED_BYTES)
        return TPM_RC_KEY;
    qtpm_mldsa_set set = dsa_set(&key->pub);
    int rc;
    if (key->pub.type == TPM_ALG_MLDSA) {
        sig->sigAlg = TPM_ALG_MLDSA;
        const qtpm_mldsa_expanded *e = dsa_expanded(key);
        rc = e ? qtpm_mldsa_sign_expanded(e, msg, len, NULL, 0, NULL, sig->signature.mldsa.buffer)
               : qtpm_mldsa_sign(set, dsa_seed(key), QTPM_MLDSA_SEED_BYTES, msg, len, NULL, 0,
                                 NULL, sig->signature.mldsa.buffer);
        sig->signature.mldsa.size = (uint16_t)qtpm_mldsa_sig_bytes(set);
    } else if (key->pub.type == TPM_ALG_HASH_MLDSA) {
        TPM_ALG_ID h = key->pub.parameters.hashMldsaDetail.hashAlg;
        sig->sigAlg = TPM_ALG_HASH_MLDSA;
        sig->signature.hash_mldsa.hash = h;
        const qtpm_mldsa_expanded *e = dsa_expanded(key);
        rc = e ? qtpm_hashmldsa_sign_expanded(e, prehash_of(h), msg, len, NULL, 0, NULL,
                                              sig->signature.hash_mldsa.signature.buffer)
               : qtpm_hashmldsa_sign(set, dsa_seed(key), QTPM_MLDSA_SEED_BYTES, prehash_of(h), msg,
                                     len, NULL, 0, NULL,
                                     sig->signature.hash_mldsa.signature.buffer);
        sig->signature.hash_mldsa.signature.size = (uint16_t)qtpm_mldsa_sig_bytes(set);
    } else {
        return TPM_RC_SCHEME;
    }
    return rc == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_NO_RESULT;
}

/* ---------------------------------------------------------------- secret sharing */

/* seed = KDFa(nameAlg, K, label, c, ek, digest bits); see the file header. */
static TPM_RC kem_seed(const tpm_object *key, const char *label, const uint8_t ss[32],
                       const uint8_t *ct, size_t ct_len, uint8_t *seed, uint16_t *seed_len)
{
    TPM_ALG_ID alg = key->pub.nameAlg;
    size_t hlen = crypt_hash_size(alg);
    if (crypt_kdfa(alg, ss, QTPM_MLKEM_SS_BYTES, label, ct, ct_len, key->pub.unique.mlkem.buffer,
                   key->pub.unique.mlkem.size, (uint32_t)hlen * 8, seed))
        return TPM_RC_FAILURE;
    *seed_len = (uint16_t)hlen;
    return TPM_RC_SUCCESS;
}

TPM_RC pqc_kem_encrypt_secret(const tpm_object *key, const char *label, uint8_t *seed,
                              uint16_t *seed_len, uint8_t *secret, size_t secret_cap,
                              uint16_t *secret_len)
{
    qtpm_mlkem_set set = kem_set(key);
    size_t ct_len = qtpm_mlkem_ct_bytes(set);
    if (ct_len == 0 || ct_len > secret_cap)
        return TPM_RC_SIZE;
    uint8_t ss[QTPM_MLKEM_SS_BYTES];
    TPM_RC rc = TPM_RC_KEY;
    if (qtpm_mlkem_encaps(set, key->pub.unique.mlkem.buffer, key->pub.unique.mlkem.size, secret,
                          ss) == QTPM_OK)
        rc = kem_seed(key, label, ss, secret, ct_len, seed, seed_len);
    qtpm_memzero(ss, sizeof(ss));
    if (rc == TPM_RC_SUCCESS)
        *secret_len = (uint16_t)ct_len;
    return rc;
}

/* A ciphertext of the wrong size is TPM_RC_VALUE (the callers give it the
 * parameter number of the secret); any ciphertext of the right size
 * decapsulates — implicit rejection yields an unrelated seed, and the
 * integrity check that follows (credential HMAC, session HMAC) fails. */
TPM_RC pqc_kem_decrypt_secret(const tpm_object *key, const char *label, const uint8_t *in,
                              size_t in_len, uint8_t *out, size_t out_cap, uint16_t *out_len)
{
    qtpm_mlkem_set set = kem_set(key);
    if (in_len != qtpm_mlkem_ct_bytes(set))
        return TPM_RC_VALUE;
    if (crypt_hash_size(key->pub.nameAlg) > out_cap)
        return TPM_RC_SIZE;
    uint8_t ss[QTPM_MLKEM_SS_BYTES];
    TPM_RC rc = TPM_RC_FAILURE;
    if (qtpm_mlkem_decaps(set, key->sens.sensitive.mlkem.buffer, key->sens.sensitive.mlkem.size,
                          in, in_len, ss) == QTPM_OK)
        rc = kem_seed(key, label, ss, in, in_len, out, out_len);
    qtpm_memzero(ss, sizeof(ss));
    return rc;
}

/* ---------------------------------------------------------------- sequence states */

void pqc_seq_free(struct pqc_seq *s)
{
    if (s == NULL)
        return;
    qtpm_hash_free(&s->ph);
    if (s->has_ticket)
        qtpm_hmac_free(&s->ticket);
    qtpm_memzero(s, sizeof(*s));
    free(s);
}

struct pqc_seq *pqc_seq_dup(const struct pqc_seq *s)
{
    struct pqc_seq *d = calloc(1, sizeof(*d));
    if (d == NULL)
        return NULL;
    *d = *s; /* the Keccak state and the plain fields */
    memset(&d->ph, 0, sizeof(d->ph));
    memset(&d->ticket, 0, sizeof(d->ticket));
    d->has_ticket = 0;
    int ok = s->ph.alg == QTPM_HASH_NONE || qtpm_hash_copy(&d->ph, &s->ph) == QTPM_OK;
    if (ok && s->has_ticket) {
        ok = qtpm_hmac_copy(&d->ticket, &s->ticket) == QTPM_OK;
        d->has_ticket = (uint8_t)ok;
    }
    if (!ok) {
        pqc_seq_free(d);
        return NULL;
    }
    return d;
}
