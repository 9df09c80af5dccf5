/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * derive.c — key derivation and generation (Part 1 §27.3, §27.6): the
 * template checks of Create, CreatePrimary and CreateLoaded, and the secret
 * values of a new object.
 *
 * Primary objects are derived, not generated: every secret value of a
 * primary comes from KDFa(nameAlg, hierarchy seed, label, H(template),
 * sensitive.data) so the same template under the same seed always gives the
 * same key (Part 1 §27.3: "primary objects are derived from the primary
 * seed"). RSA primes are found by a deterministic sieved search over that
 * KDF stream (prime.c); ECC scalars use the "extra random bits" reduction of
 * FIPS 186-4 §B.4.1; ML-KEM and ML-DSA keys are their seeds (pqc_keys.c).
 * Ordinary objects take the same path with the RNG as the source.
 */
#include <stdlib.h>

#include <openssl/bn.h>

#include "auth.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "derive.h"
#include "entity.h"
#include "hierarchy.h"
#include "object.h"
#include "pcr.h"
#include "pqc.h"
#include "prime.h"
#include "session.h"
#include "qtpm/kdf.h"



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


/* Template checks shared by every creator (Part 1 §27.2, Part 3 §12.1). */
TPM_RC object_check_template(const TPMT_PUBLIC *pub, const TPMS_SENSITIVE_CREATE *sc,
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
        if (pub->type == TPM_ALG_ECC && crypt_ecc_curve(pub->parameters.eccDetail.curveID) == QTPM_ECC_NONE)
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
TPM_RC object_generate(tpm_object *o, const TPMS_SENSITIVE_CREATE *sc, const derive_src *src)
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
        object_symmetric_unique(o);
        /* an EK-bound LDAA key whose t could not be computed (ldaa_key.c) */
        return o->pub.unique.keyedHash.size ? TPM_RC_SUCCESS : TPM_RC_MEMORY;
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
        object_symmetric_unique(o);
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

