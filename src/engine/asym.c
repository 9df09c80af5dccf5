/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * asym.c — signing, verification and asymmetric encryption with loaded
 * keys (Part 3 §14, §20): Sign, VerifySignature, RSA_Encrypt, RSA_Decrypt,
 * ECDH_KeyGen, ECDH_ZGen, and the tickets they use (Part 1 §7.4: hash check
 * and verified tickets, HMACs over the hierarchy proof).
 *
 * Signature schemes: RSASSA-PKCS1-v1_5, RSASSA-PSS, ECDSA, HMAC and (v1.85)
 * HashML-DSA, whose keys live in pqc_keys.c; pure ML-DSA signs messages,
 * not digests (pqc.c). A key's own scheme wins; a key without one takes the caller's (Part 3 §20.2).
 * Attestation (attest.c) signs through asym_sign() so every scheme added
 * here is available to Quote and Certify too.
 */
#include <stdlib.h>

#include "asym.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "ecdaa.h"
#include "hierarchy.h"
#include "keycmds.h"
#include "object.h"
#include "pqc.h"
#include "session.h"
#include "tmarshal.h"
#include "qtpm/kdf.h"

/* ---------------------------------------------------------------- tickets */

/* HMAC(proof(hierarchy), tag || a || b) with hash alg (Part 2 §10.6). */
void ticket_hmac(qtpm_tpm *tpm, TPM_ALG_ID alg, TPM_HANDLE hier, TPM_ST tag, const uint8_t *a,
                 size_t alen, const uint8_t *b, size_t blen, uint8_t *out)
{
    uint8_t t[2];
    wr_put_u16(t, tag);
    crypt_part parts[] = {{t, 2}, {a, alen}, {b, blen}};
    crypt_hmac_parts(alg, hierarchy_proof(tpm, hier), 64, out, parts, 3);
}

/* ---------------------------------------------------------------- signing */

/* The scheme to use: the key's, or the caller's when the key has none. */
TPM_RC asym_pick_scheme(const tpm_object *key, const TPMT_SIG_SCHEME *in, TPMT_SIG_SCHEME *out,
                        unsigned pnum)
{
    TPM_ALG_ID ks = TPM_ALG_NULL;
    TPM_ALG_ID kh = TPM_ALG_NULL;
    if (pqc_is_type(key->pub.type))
        return pqc_pick_scheme(key, in, out, pnum);
    switch (key->pub.type) {
    case TPM_ALG_RSA:
        ks = key->pub.parameters.rsaDetail.scheme.scheme;
        kh = key->pub.parameters.rsaDetail.scheme.details.anySig.hashAlg;
        break;
    case TPM_ALG_ECC:
        ks = key->pub.parameters.eccDetail.scheme.scheme;
        kh = key->pub.parameters.eccDetail.scheme.details.anySig.hashAlg;
        break;
    case TPM_ALG_KEYEDHASH:
        ks = key->pub.parameters.keyedHashDetail.scheme.scheme;
        kh = key->pub.parameters.keyedHashDetail.scheme.details.hmac.hashAlg;
        break;
    default:
        return RC_H(TPM_RC_KEY, 1);
    }
    if (ks == TPM_ALG_NULL) {
        if (in->scheme == TPM_ALG_NULL)
            return RC_P(TPM_RC_SCHEME, pnum);
        *out = *in;
    } else if (in->scheme != TPM_ALG_NULL) {
        /* the caller's scheme, which must be the key's; for ECDAA it also
         * carries the commit counter */
        if (in->scheme != ks || in->details.any.hashAlg != kh)
            return RC_P(TPM_RC_SCHEME, pnum);
        *out = *in;
    } else {
        memset(out, 0, sizeof(*out));
        out->scheme = ks;
        out->details.any.hashAlg = kh;
        if (ks == TPM_ALG_ECDAA)
            out->details.ecdaa.count = key->pub.parameters.eccDetail.scheme.details.ecdaa.count;
    }
    /* the scheme must suit the key type */
    int ok = 0;
    switch (out->scheme) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS: ok = key->pub.type == TPM_ALG_RSA; break;
    case TPM_ALG_ECDSA: /* BN_P256 serves ECDAA and Schnorr only (classic.h) */
        ok = key->pub.type == TPM_ALG_ECC && object_ecc_curve(key) != QTPM_ECC_BN_P256;
        break;
    case TPM_ALG_ECDAA:
    case TPM_ALG_ECSCHNORR: ok = key->pub.type == TPM_ALG_ECC; break;
    case TPM_ALG_HMAC: ok = key->pub.type == TPM_ALG_KEYEDHASH; break;
    default: ok = 0;
    }
    return ok ? TPM_RC_SUCCESS : RC_P(TPM_RC_SCHEME, pnum);
}

/* Signs digest with key under scheme into sig. */
TPM_RC asym_sign(qtpm_tpm *tpm, const tpm_object *key, const TPMT_SIG_SCHEME *scheme,
                 const uint8_t *digest, size_t dlen, TPMT_SIGNATURE *sig)
{
    memset(sig, 0, sizeof(*sig));
    sig->sigAlg = scheme->scheme;
    TPM_ALG_ID h = scheme->details.any.hashAlg;
    qtpm_hash_alg ha = crypt_hash_alg(h);
    int rc;
    switch (scheme->scheme) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS: {
        qtpm_rsa_key *k;
        TPM_RC r = object_rsa_key(key, 1, &k);
        if (r)
            return r;
        size_t n;
        sig->signature.rsassa.hash = h;
        if (scheme->scheme == TPM_ALG_RSASSA)
            rc = qtpm_rsa_pkcs1_sign(k, ha, digest, dlen, sig->signature.rsassa.sig.buffer,
                                     sizeof(sig->signature.rsassa.sig.buffer), &n);
        else
            rc = qtpm_rsa_pss_sign(k, ha, digest, dlen, sig->signature.rsassa.sig.buffer,
                                   sizeof(sig->signature.rsassa.sig.buffer), &n);
        qtpm_rsa_free(k);
        sig->signature.rsassa.sig.size = (uint16_t)n;
        break;
    }
    case TPM_ALG_ECDSA: {
        qtpm_ecc_curve cv = object_ecc_curve(key);
        size_t n = qtpm_ecc_size(cv);
        sig->signature.ecdsa.hash = h;
        rc = qtpm_ecdsa_sign(cv, key->sens.sensitive.ecc.buffer, digest, dlen,
                             sig->signature.ecdsa.signatureR.buffer,
                             sig->signature.ecdsa.signatureS.buffer);
        sig->signature.ecdsa.signatureR.size = sig->signature.ecdsa.signatureS.size = (uint16_t)n;
        break;
    }
    case TPM_ALG_ECDAA:
        return ecdaa_sign(tpm, key, scheme, digest, dlen, sig);
    case TPM_ALG_ECSCHNORR:
        return ecschnorr_sign(key, h, digest, dlen, sig);
    case TPM_ALG_HMAC:
        sig->signature.hmac.hashAlg = h;
        rc = qtpm_hmac(ha, key->sens.sensitive.bits.buffer, key->sens.sensitive.bits.size, digest,
                       dlen, (uint8_t *)&sig->signature.hmac.digest);
        break;
    case TPM_ALG_HASH_MLDSA: /* the digest is PH(M); empty context */
        return pqc_sign_digest(key, digest, dlen, NULL, 0, sig);
    default:
        return TPM_RC_SCHEME;
    }
    return rc == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_FAILURE;
}

/* Checks that key may sign at all (Part 3 §20.2: TPM_RC_KEY). */
static TPM_RC signing_key(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k->is_sequence || !(k->pub.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
        return RC_H(TPM_RC_KEY, 1);
    if (!k->has_sensitive)
        return TPM_RC_AUTH_UNAVAILABLE; /* format 0: carries no handle number */
    *out = k;
    return TPM_RC_SUCCESS;
}

TPM_RC asym_signing_key(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    return signing_key(tpm, h, out);
}

/* Part 3 §20.2 TPM2_Sign */
TPM_RC cmd_Sign(qtpm_tpm *tpm, tpm_cmd *c, const Sign_In *in, Sign_Out *out)
{
    const uint8_t *digest = in->digest.buffer;
    uint16_t dlen = in->digest.size, tlen = in->validation.digest.size;
    /* the ticket's tag is checked by its unmarshalling (TPM_RC_TAG) */
    TPM_HANDLE thier = in->validation.hierarchy;
    tpm_object *k;
    TPM_RC rc = signing_key(tpm, c->handles[0], &k);
    if (rc)
        return rc;
    TPMT_SIG_SCHEME s;
    rc = asym_pick_scheme(k, &in->inScheme, &s, PN_Sign_inScheme);
    if (rc)
        return rc;
    /* pure ML-DSA signs messages, not digests: SignDigest (external mu) or
     * the sign sequence (v1.85 Part 3 §17.5, §20.6) */
    if (s.scheme == TPM_ALG_MLDSA)
        return RC_P(TPM_RC_SCHEME, PN_Sign_inScheme);
    if (dlen != crypt_hash_size(s.details.any.hashAlg))
        return RC_P(TPM_RC_SIZE, PN_Sign_digest);
    if (k->pub.objectAttributes & TPMA_OBJECT_RESTRICTED) {
        /* a restricted key signs only digests the TPM hashed itself: the
         * ticket proves the data did not start with TPM_GENERATED_VALUE */
        uint8_t t[MAX_DIGEST];
        size_t hl = crypt_hash_size(s.details.any.hashAlg);
        if (thier == TPM_RH_NULL || tlen != hl)
            return RC_P(TPM_RC_TICKET, PN_Sign_validation);
        ticket_hmac(tpm, s.details.any.hashAlg, thier, TPM_ST_HASHCHECK, digest, dlen, NULL, 0, t);
        if (!ct_equal(t, in->validation.digest.buffer, hl))
            return RC_P(TPM_RC_TICKET, PN_Sign_validation);
    }
    return asym_sign(tpm, k, &s, digest, dlen, &out->signature);
}

/* Verifies sig over digest with key; TPM_RC_SIGNATURE if it does not hold. */
TPM_RC asym_verify(const tpm_object *key, const uint8_t *digest, size_t dlen,
                   const TPMT_SIGNATURE *sig)
{
    int rc = QTPM_E_VERIFY;
    switch (sig->sigAlg) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS: {
        if (key->pub.type != TPM_ALG_RSA)
            return TPM_RC_SCHEME;
        qtpm_rsa_key *k;
        if (object_rsa_key(key, 0, &k))
            return TPM_RC_KEY;
        qtpm_hash_alg ha = crypt_hash_alg(sig->signature.rsassa.hash);
        if (sig->sigAlg == TPM_ALG_RSASSA)
            rc = qtpm_rsa_pkcs1_verify(k, ha, digest, dlen, sig->signature.rsassa.sig.buffer,
                                       sig->signature.rsassa.sig.size);
        else
            rc = qtpm_rsa_pss_verify(k, ha, digest, dlen, sig->signature.rsassa.sig.buffer,
                                     sig->signature.rsassa.sig.size);
        qtpm_rsa_free(k);
        break;
    }
    case TPM_ALG_ECDSA: {
        if (key->pub.type != TPM_ALG_ECC)
            return TPM_RC_SCHEME;
        qtpm_ecc_curve cv = object_ecc_curve(key);
        size_t n = qtpm_ecc_size(cv);
        if (sig->signature.ecdsa.signatureR.size != n || sig->signature.ecdsa.signatureS.size != n)
            return TPM_RC_SIGNATURE;
        rc = qtpm_ecdsa_verify(cv, key->pub.unique.ecc.x.buffer, key->pub.unique.ecc.y.buffer,
                               digest, dlen, sig->signature.ecdsa.signatureR.buffer,
                               sig->signature.ecdsa.signatureS.buffer);
        break;
    }
    case TPM_ALG_ECSCHNORR:
        if (key->pub.type != TPM_ALG_ECC)
            return TPM_RC_SCHEME;
        return ecschnorr_verify(key, digest, dlen, sig);
    case TPM_ALG_HMAC: {
        if (key->pub.type != TPM_ALG_KEYEDHASH || !key->has_sensitive)
            return TPM_RC_SCHEME;
        uint8_t mac[MAX_DIGEST];
        TPM_ALG_ID h = sig->signature.hmac.hashAlg;
        if (qtpm_hmac(crypt_hash_alg(h), key->sens.sensitive.bits.buffer,
                      key->sens.sensitive.bits.size, digest, dlen, mac))
            return TPM_RC_FAILURE;
        rc = !ct_equal(mac, &sig->signature.hmac.digest, crypt_hash_size(h)) ? QTPM_E_VERIFY : QTPM_OK;
        break;
    }
    case TPM_ALG_HASH_MLDSA:
        if (key->pub.type != TPM_ALG_HASH_MLDSA)
            return TPM_RC_SCHEME;
        return pqc_verify_digest(key, digest, dlen, NULL, 0, sig);
    default:
        return TPM_RC_SCHEME;
    }
    return rc == QTPM_OK ? TPM_RC_SUCCESS : TPM_RC_SIGNATURE;
}

/* Part 3 §20.1 TPM2_VerifySignature */
TPM_RC cmd_VerifySignature(qtpm_tpm *tpm, tpm_cmd *c, const VerifySignature_In *in,
                           VerifySignature_Out *out)
{
    const uint8_t *digest = in->digest.buffer;
    uint16_t dlen = in->digest.size;
    tpm_object *k = object_find(tpm, c->handles[0]);
    if (k->is_sequence || !(k->pub.objectAttributes & TPMA_OBJECT_SIGN_ENCRYPT))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    TPM_RC rc = asym_verify(k, digest, dlen, &in->signature);
    if (rc)
        return RC_P(rc, PN_VerifySignature_signature);
    /* TPMT_TK_VERIFIED: HMAC(proof, TPM_ST_VERIFIED || digest || keyName);
     * the NULL ticket in the NULL hierarchy */
    TPMT_TK_VERIFIED *v = &out->validation;
    v->tag = TPM_ST_VERIFIED;
    v->hierarchy = k->hierarchy;
    v->hmac.size = 0;
    if (k->hierarchy == TPM_RH_NULL)
        return TPM_RC_SUCCESS;
    ticket_hmac(tpm, k->pub.nameAlg, k->hierarchy, TPM_ST_VERIFIED, digest, dlen, k->name.b,
                k->name.size, v->hmac.buffer);
    v->hmac.size = (uint16_t)crypt_hash_size(k->pub.nameAlg);
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- RSA encryption */

/* The arguments of RSA_Encrypt / RSA_Decrypt as the handlers use them:
 * the scheme (the key's wins), its hash, and the label with its
 * terminating zero (Part 1 §B.4). */
typedef struct {
    TPM_ALG_ID scheme, hash;
    uint8_t label[sizeof(((TPM2B_DATA *)0)->buffer) + 1];
    uint16_t llen;
} rsa_args;

static void rsa_args_from(rsa_args *a, const TPMT_RSA_DECRYPT *scheme, const TPM2B_DATA *label)
{
    a->scheme = scheme->scheme;
    a->hash = scheme->scheme == TPM_ALG_OAEP ? scheme->details.oaep.hashAlg : TPM_ALG_NULL;
    memcpy(a->label, label->buffer, label->size);
    a->llen = label->size;
    if (a->llen > 0 && a->label[a->llen - 1] != 0)
        a->label[a->llen++] = 0;
}

static TPM_RC rsa_key_scheme(const tpm_object *k, rsa_args *a)
{
    if (k->is_sequence || k->pub.type != TPM_ALG_RSA)
        return RC_H(TPM_RC_KEY, 1);
    if (!(k->pub.objectAttributes & TPMA_OBJECT_DECRYPT) ||
        (k->pub.objectAttributes & TPMA_OBJECT_RESTRICTED))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    TPM_ALG_ID ks = k->pub.parameters.rsaDetail.scheme.scheme;
    if (ks != TPM_ALG_NULL) {
        TPM_ALG_ID kh = k->pub.parameters.rsaDetail.scheme.details.anySig.hashAlg;
        if (a->scheme != TPM_ALG_NULL && (a->scheme != ks || (ks == TPM_ALG_OAEP && a->hash != kh)))
            return RC_P(TPM_RC_SCHEME, PN_RSA_Encrypt_inScheme); /* = PN_RSA_Decrypt_inScheme */
        a->scheme = ks;
        a->hash = kh;
    }
    return TPM_RC_SUCCESS;
}

/* Part 3 §14.2 TPM2_RSA_Encrypt */
TPM_RC cmd_RSA_Encrypt(qtpm_tpm *tpm, tpm_cmd *c, const RSA_Encrypt_In *in, RSA_Encrypt_Out *out)
{
    rsa_args a;
    rsa_args_from(&a, &in->inScheme, &in->label);
    const uint8_t *data = in->message.buffer;
    uint16_t dlen = in->message.size;
    tpm_object *k = object_find(tpm, c->handles[0]);
    TPM_RC rc = rsa_key_scheme(k, &a);
    if (rc)
        return rc;
    qtpm_rsa_key *key;
    rc = object_rsa_key(k, 0, &key);
    if (rc)
        return rc;
    uint8_t *o = out->outData.buffer;
    size_t cap = sizeof(out->outData.buffer), n = 0;
    int r;
    switch (a.scheme) {
    case TPM_ALG_OAEP:
        r = qtpm_rsa_oaep_encrypt(key, crypt_hash_alg(a.hash), a.label, a.llen, data, dlen, o, cap,
                                  &n);
        break;
    case TPM_ALG_RSAES:
        r = qtpm_rsa_pkcs1_encrypt(key, data, dlen, o, cap, &n);
        break;
    default: {
        /* raw RSA: the message is left-padded to the modulus size */
        size_t ks = qtpm_rsa_size(key);
        uint8_t m[MAX_RSA_KEY_BYTES] = {0};
        if (dlen > ks) {
            r = QTPM_E_LENGTH;
            break;
        }
        memcpy(m + ks - dlen, data, dlen);
        r = qtpm_rsa_raw_public(key, m, ks, o, cap, &n);
        break;
    }
    }
    qtpm_rsa_free(key);
    if (r != QTPM_OK)
        return RC_P(TPM_RC_VALUE, PN_RSA_Encrypt_message);
    out->outData.size = (uint16_t)n;
    return TPM_RC_SUCCESS;
}

/* Part 3 §14.3 TPM2_RSA_Decrypt */
TPM_RC cmd_RSA_Decrypt(qtpm_tpm *tpm, tpm_cmd *c, const RSA_Decrypt_In *in, RSA_Decrypt_Out *out)
{
    rsa_args a;
    rsa_args_from(&a, &in->inScheme, &in->label);
    const uint8_t *data = in->cipherText.buffer;
    uint16_t dlen = in->cipherText.size;
    tpm_object *k = object_find(tpm, c->handles[0]);
    TPM_RC rc = rsa_key_scheme(k, &a);
    if (rc)
        return rc;
    qtpm_rsa_key *key;
    rc = object_rsa_key(k, 1, &key);
    if (rc)
        return rc;
    uint8_t *o = out->message.buffer;
    size_t cap = sizeof(out->message.buffer), n = 0;
    int r;
    if (dlen != qtpm_rsa_size(key)) {
        qtpm_rsa_free(key);
        return RC_P(TPM_RC_SIZE, PN_RSA_Decrypt_cipherText);
    }
    switch (a.scheme) {
    case TPM_ALG_OAEP:
        r = qtpm_rsa_oaep_decrypt(key, crypt_hash_alg(a.hash), a.label, a.llen, data, dlen, o, cap,
                                  &n);
        break;
    case TPM_ALG_RSAES:
        r = qtpm_rsa_pkcs1_decrypt(key, data, dlen, o, cap, &n);
        break;
    default:
        r = qtpm_rsa_raw_private(key, data, dlen, o, cap, &n);
        break;
    }
    qtpm_rsa_free(key);
    if (r != QTPM_OK) {
        qtpm_memzero(o, cap);
        return RC_P(TPM_RC_VALUE, PN_RSA_Decrypt_cipherText);
    }
    out->message.size = (uint16_t)n;
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- ECDH */

static void ecc_point(TPM2B_ECC_POINT *p, const uint8_t *x, const uint8_t *y, size_t n)
{
    memcpy(p->point.x.buffer, x, n);
    memcpy(p->point.y.buffer, y, n);
    p->point.x.size = p->point.y.size = (uint16_t)n;
    p->size = (uint16_t)(4 + 2 * n);
}

/* Part 3 §14.4 TPM2_ECDH_KeyGen: keyHandle only has to be an ECC key
 * (TPM_RC_KEY otherwise); only its public point is used, so neither its
 * attributes nor its scheme matter: an ECDAA signing key works, as on swtpm
 * and the reference implementation. */
static TPM_RC ecdh_public_key(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k->is_sequence || k->pub.type != TPM_ALG_ECC)
        return RC_H(TPM_RC_KEY, 1);
    *out = k;
    return TPM_RC_SUCCESS;
}

/* Part 3 §14.5 TPM2_ECDH_ZGen uses the private key: a decrypt key that is
 * not restricted, with scheme ECDH or NULL. */
static TPM_RC ecdh_key(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k->is_sequence || k->pub.type != TPM_ALG_ECC)
        return RC_H(TPM_RC_KEY, 1);
    if (!(k->pub.objectAttributes & TPMA_OBJECT_DECRYPT) ||
        (k->pub.objectAttributes & TPMA_OBJECT_RESTRICTED))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    TPM_ALG_ID s = k->pub.parameters.eccDetail.scheme.scheme;
    if (s != TPM_ALG_NULL && s != TPM_ALG_ECDH)
        return RC_H(TPM_RC_SCHEME, 1);
    *out = k;
    return TPM_RC_SUCCESS;
}

/* Part 3 §14.4 TPM2_ECDH_KeyGen: an ephemeral key pair and the shared point
 * with the loaded public key. */
TPM_RC cmd_ECDH_KeyGen(qtpm_tpm *tpm, tpm_cmd *c, const ECDH_KeyGen_In *in, ECDH_KeyGen_Out *out)
{
    (void)in;
    tpm_object *k;
    TPM_RC rc = ecdh_public_key(tpm, c->handles[0], &k);
    if (rc)
        return rc;
    qtpm_ecc_curve cv = object_ecc_curve(k);
    size_t n = qtpm_ecc_size(cv);
    uint8_t d[QTPM_ECC_MAX_SIZE], x[QTPM_ECC_MAX_SIZE], y[QTPM_ECC_MAX_SIZE];
    uint8_t zx[QTPM_ECC_MAX_SIZE], zy[QTPM_ECC_MAX_SIZE];
    int r = qtpm_ecc_generate(cv, d, x, y);
    if (r == QTPM_OK)
        r = qtpm_ecdh(cv, d, k->pub.unique.ecc.x.buffer, k->pub.unique.ecc.y.buffer, zx, zy);
    qtpm_memzero(d, sizeof(d));
    if (r != QTPM_OK)
        return TPM_RC_NO_RESULT;
    ecc_point(&out->zPoint, zx, zy, n);
    ecc_point(&out->pubPoint, x, y, n);
    qtpm_memzero(zx, sizeof(zx));
    qtpm_memzero(zy, sizeof(zy));
    return TPM_RC_SUCCESS;
}

/* Part 3 §14.5 TPM2_ECDH_ZGen */
TPM_RC cmd_ECDH_ZGen(qtpm_tpm *tpm, tpm_cmd *c, const ECDH_ZGen_In *in, ECDH_ZGen_Out *out)
{
    const TPMS_ECC_POINT *p = &in->inPoint.point;
    tpm_object *k;
    TPM_RC rc = ecdh_key(tpm, c->handles[0], &k);
    if (rc)
        return rc;
    qtpm_ecc_curve cv = object_ecc_curve(k);
    size_t n = qtpm_ecc_size(cv);
    if (p->x.size != n || p->y.size != n)
        return RC_P(TPM_RC_ECC_POINT, PN_ECDH_ZGen_inPoint);
    uint8_t zx[QTPM_ECC_MAX_SIZE], zy[QTPM_ECC_MAX_SIZE];
    if (qtpm_ecdh(cv, k->sens.sensitive.ecc.buffer, p->x.buffer, p->y.buffer, zx, zy) != QTPM_OK)
        return RC_P(TPM_RC_ECC_POINT, PN_ECDH_ZGen_inPoint);
    ecc_point(&out->outPoint, zx, zy, n);
    qtpm_memzero(zx, sizeof(zx));
    qtpm_memzero(zy, sizeof(zy));
    return TPM_RC_SUCCESS;
}

/* Part 3 §14.9 TPM2_ECC_Parameters: TPMS_ALGORITHM_DETAIL_ECC of a curve. */
TPM_RC cmd_ECC_Parameters(qtpm_tpm *tpm, tpm_cmd *c, const ECC_Parameters_In *in,
                          ECC_Parameters_Out *out)
{
    (void)tpm;
    (void)c;
    TPM_ECC_CURVE id = in->curveID;
    qtpm_ecc_curve cv = crypt_ecc_curve(id);
    size_t n = qtpm_ecc_size(cv);
    if (n == 0)
        return RC_P(TPM_RC_CURVE, PN_ECC_Parameters_curveID);
    TPMS_ALGORITHM_DETAIL_ECC *d = &out->parameters;
    uint32_t h;
    if (qtpm_ecc_parameters(cv, d->p.buffer, d->a.buffer, d->b.buffer, d->gX.buffer, d->gY.buffer,
                            d->n.buffer, &h) != QTPM_OK)
        return TPM_RC_FAILURE;
    d->curveID = id;
    d->keySize = (uint16_t)(n * 8);
    d->kdf.scheme = TPM_ALG_NULL;
    d->sign.scheme = TPM_ALG_NULL;
    d->p.size = d->a.size = d->b.size = d->gX.size = d->gY.size = d->n.size = (uint16_t)n;
    d->h.buffer[0] = (uint8_t)h; /* the cofactor, one byte */
    d->h.size = 1;
    return TPM_RC_SUCCESS;
}
