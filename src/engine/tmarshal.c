/*
 * tmarshal.c — the engine's own marshalling of the object structures it
 * needs (TPMT_PUBLIC and its parameter unions, TPMT_SENSITIVE, signature
 * schemes and signatures; Part 2 §11-12), for the classic algorithms.
 *
 * The shared marshalling module (branch marshal, qtpm/marshal.h) had not
 * published its functions when the engine was written; these readers and
 * writers follow the same Part 2 layouts and strictness rules (selectors
 * checked, sizes bounded by the destination, no over-read) so the engine
 * can switch to the shared ones function by function.
 */
#include "object.h"
#include "pqc.h"

static TPM_RC rd_hash_alg(tpm_rd *r, TPM_ALG_ID *alg, int allow_null)
{
    if (rd_u16(r, alg))
        return TPM_RC_INSUFFICIENT;
    if (*alg == TPM_ALG_NULL)
        return allow_null ? TPM_RC_SUCCESS : TPM_RC_HASH;
    return crypt_hash_size(*alg) ? TPM_RC_SUCCESS : TPM_RC_HASH;
}

#define TRY(x)                       \
    do {                             \
        TPM_RC rc_ = (x);            \
        if (rc_)                     \
            return rc_;              \
    } while (0)

static TPM_RC rd_2b_into(tpm_rd *r, uint8_t *buf, size_t cap, uint16_t *size)
{
    int e = rd_2b(r, buf, cap, size);
    return e == 0 ? TPM_RC_SUCCESS : e == -2 ? TPM_RC_SIZE : TPM_RC_INSUFFICIENT;
}

/* TPMT_SYM_DEF_OBJECT (+NULL allowed) */
static TPM_RC rd_sym_def_object(tpm_rd *r, TPMT_SYM_DEF_OBJECT *s)
{
    memset(s, 0, sizeof(*s));
    if (rd_u16(r, &s->algorithm))
        return TPM_RC_INSUFFICIENT;
    if (s->algorithm == TPM_ALG_NULL)
        return TPM_RC_SUCCESS;
    if (s->algorithm != TPM_ALG_AES)
        return TPM_RC_SYMMETRIC;
    if (rd_u16(r, &s->keyBits.aes) || rd_u16(r, &s->mode.aes))
        return TPM_RC_INSUFFICIENT;
    if (s->keyBits.aes != 128 && s->keyBits.aes != 192 && s->keyBits.aes != 256)
        return TPM_RC_KEY_SIZE;
    if (s->mode.aes != TPM_ALG_CFB && s->mode.aes != TPM_ALG_CTR && s->mode.aes != TPM_ALG_OFB &&
        s->mode.aes != TPM_ALG_CBC && s->mode.aes != TPM_ALG_ECB && s->mode.aes != TPM_ALG_NULL)
        return TPM_RC_MODE;
    return TPM_RC_SUCCESS;
}

static void wr_sym_def_object(tpm_wr *w, const TPMT_SYM_DEF_OBJECT *s)
{
    wr_u16(w, s->algorithm);
    if (s->algorithm == TPM_ALG_NULL)
        return;
    wr_u16(w, s->keyBits.aes);
    wr_u16(w, s->mode.aes);
}

/* A scheme selector followed by its details (TPMT_RSA_SCHEME,
 * TPMT_ECC_SCHEME, TPMT_SIG_SCHEME share the shape). */
static TPM_RC rd_asym_scheme(tpm_rd *r, TPM_ALG_ID *scheme, TPMU_ASYM_SCHEME *d)
{
    memset(d, 0, sizeof(*d));
    if (rd_u16(r, scheme))
        return TPM_RC_INSUFFICIENT;
    switch (*scheme) {
    case TPM_ALG_NULL:
    case TPM_ALG_RSAES:
        return TPM_RC_SUCCESS;
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_SM2:
    case TPM_ALG_OAEP:
    case TPM_ALG_ECDH:
    case TPM_ALG_ECMQV:
        return rd_hash_alg(r, &d->anySig.hashAlg, 0);
    case TPM_ALG_ECDAA:
        TRY(rd_hash_alg(r, &d->ecdaa.hashAlg, 0));
        return rd_u16(r, &d->ecdaa.count) ? TPM_RC_INSUFFICIENT : TPM_RC_SUCCESS;
    default:
        return TPM_RC_SCHEME;
    }
}

static void wr_asym_scheme(tpm_wr *w, TPM_ALG_ID scheme, const TPMU_ASYM_SCHEME *d)
{
    wr_u16(w, scheme);
    if (scheme == TPM_ALG_NULL || scheme == TPM_ALG_RSAES)
        return;
    wr_u16(w, d->anySig.hashAlg);
    if (scheme == TPM_ALG_ECDAA)
        wr_u16(w, d->ecdaa.count);
}

static TPM_RC rd_kdf_scheme(tpm_rd *r, TPMT_KDF_SCHEME *k)
{
    memset(k, 0, sizeof(*k));
    if (rd_u16(r, &k->scheme))
        return TPM_RC_INSUFFICIENT;
    switch (k->scheme) {
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    case TPM_ALG_MGF1:
    case TPM_ALG_KDF1_SP800_56A:
    case TPM_ALG_KDF2:
    case TPM_ALG_KDF1_SP800_108:
        return rd_hash_alg(r, &k->details.mgf1.hashAlg, 0);
    default:
        return TPM_RC_KDF;
    }
}

TPM_RC tm_parms_read(tpm_rd *r, TPM_ALG_ID type, TPMU_PUBLIC_PARMS *p)
{
    memset(p, 0, sizeof(*p));
    switch (type) {
    case TPM_ALG_KEYEDHASH: {
        TPMT_KEYEDHASH_SCHEME *s = &p->keyedHashDetail.scheme;
        if (rd_u16(r, &s->scheme))
            return TPM_RC_INSUFFICIENT;
        if (s->scheme == TPM_ALG_HMAC)
            return rd_hash_alg(r, &s->details.hmac.hashAlg, 0);
        if (s->scheme == TPM_ALG_XOR) {
            TRY(rd_hash_alg(r, &s->details.exclusiveOr.hashAlg, 0));
            if (rd_u16(r, &s->details.exclusiveOr.kdf))
                return TPM_RC_INSUFFICIENT;
            return s->details.exclusiveOr.kdf == TPM_ALG_KDF1_SP800_108 ? TPM_RC_SUCCESS
                                                                        : TPM_RC_KDF;
        }
        return s->scheme == TPM_ALG_NULL ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
    }
    case TPM_ALG_SYMCIPHER:
        TRY(rd_sym_def_object(r, &p->symDetail.sym));
        return p->symDetail.sym.algorithm == TPM_ALG_NULL ? TPM_RC_SYMMETRIC : TPM_RC_SUCCESS;
    case TPM_ALG_RSA: {
        TPMS_RSA_PARMS *rp = &p->rsaDetail;
        TRY(rd_sym_def_object(r, &rp->symmetric));
        TRY(rd_asym_scheme(r, &rp->scheme.scheme, &rp->scheme.details));
        if (rd_u16(r, &rp->keyBits) || rd_u32(r, &rp->exponent))
            return TPM_RC_INSUFFICIENT;
        if (rp->keyBits != 1024 && rp->keyBits != 2048 && rp->keyBits != 3072 &&
            rp->keyBits != 4096)
            return TPM_RC_KEY_SIZE;
        switch (rp->scheme.scheme) {
        case TPM_ALG_NULL: case TPM_ALG_RSASSA: case TPM_ALG_RSAPSS: case TPM_ALG_RSAES:
        case TPM_ALG_OAEP: break;
        default: return TPM_RC_SCHEME;
        }
        return TPM_RC_SUCCESS;
    }
    case TPM_ALG_ECC: {
        TPMS_ECC_PARMS *ep = &p->eccDetail;
        TRY(rd_sym_def_object(r, &ep->symmetric));
        TRY(rd_asym_scheme(r, &ep->scheme.scheme, &ep->scheme.details));
        switch (ep->scheme.scheme) {
        case TPM_ALG_NULL: case TPM_ALG_ECDSA: case TPM_ALG_ECDH: case TPM_ALG_ECDAA:
        case TPM_ALG_ECSCHNORR: break;
        default: return TPM_RC_SCHEME;
        }
        if (rd_u16(r, &ep->curveID))
            return TPM_RC_INSUFFICIENT;
        if (ep->curveID != TPM_ECC_NIST_P256 && ep->curveID != TPM_ECC_NIST_P384)
            return TPM_RC_CURVE;
        return rd_kdf_scheme(r, &ep->kdf);
    }
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return pqc_parms_read(r, type, p);
    default:
        return TPM_RC_TYPE;
    }
}

static void wr_parms(tpm_wr *w, TPM_ALG_ID type, const TPMU_PUBLIC_PARMS *p)
{
    switch (type) {
    case TPM_ALG_KEYEDHASH: {
        const TPMT_KEYEDHASH_SCHEME *s = &p->keyedHashDetail.scheme;
        wr_u16(w, s->scheme);
        if (s->scheme == TPM_ALG_HMAC)
            wr_u16(w, s->details.hmac.hashAlg);
        else if (s->scheme == TPM_ALG_XOR) {
            wr_u16(w, s->details.exclusiveOr.hashAlg);
            wr_u16(w, s->details.exclusiveOr.kdf);
        }
        break;
    }
    case TPM_ALG_SYMCIPHER:
        wr_sym_def_object(w, &p->symDetail.sym);
        break;
    case TPM_ALG_RSA:
        wr_sym_def_object(w, &p->rsaDetail.symmetric);
        wr_asym_scheme(w, p->rsaDetail.scheme.scheme, &p->rsaDetail.scheme.details);
        wr_u16(w, p->rsaDetail.keyBits);
        wr_u32(w, p->rsaDetail.exponent);
        break;
    case TPM_ALG_ECC:
        wr_sym_def_object(w, &p->eccDetail.symmetric);
        wr_asym_scheme(w, p->eccDetail.scheme.scheme, &p->eccDetail.scheme.details);
        wr_u16(w, p->eccDetail.curveID);
        wr_u16(w, p->eccDetail.kdf.scheme);
        if (p->eccDetail.kdf.scheme != TPM_ALG_NULL)
            wr_u16(w, p->eccDetail.kdf.details.mgf1.hashAlg);
        break;
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        pqc_parms_write(w, type, p);
        break;
    default:
        break;
    }
}

TPM_RC tm_public_read(tpm_rd *r, TPMT_PUBLIC *pub, int allow_null_alg)
{
    memset(pub, 0, sizeof(*pub));
    if (rd_u16(r, &pub->type))
        return TPM_RC_INSUFFICIENT;
    if (pub->type != TPM_ALG_RSA && pub->type != TPM_ALG_ECC && pub->type != TPM_ALG_KEYEDHASH &&
        pub->type != TPM_ALG_SYMCIPHER && !pqc_is_type(pub->type))
        return TPM_RC_TYPE;
    TRY(rd_hash_alg(r, &pub->nameAlg, allow_null_alg));
    if (rd_u32(r, &pub->objectAttributes))
        return TPM_RC_INSUFFICIENT;
    TRY(rd_2b_into(r, pub->authPolicy.buffer, sizeof(pub->authPolicy.buffer),
                   &pub->authPolicy.size));
    TRY(tm_parms_read(r, pub->type, &pub->parameters));
    switch (pub->type) {
    case TPM_ALG_KEYEDHASH:
        return rd_2b_into(r, pub->unique.keyedHash.buffer, sizeof(pub->unique.keyedHash.buffer),
                          &pub->unique.keyedHash.size);
    case TPM_ALG_SYMCIPHER:
        return rd_2b_into(r, pub->unique.sym.buffer, sizeof(pub->unique.sym.buffer),
                          &pub->unique.sym.size);
    case TPM_ALG_RSA:
        return rd_2b_into(r, pub->unique.rsa.buffer, sizeof(pub->unique.rsa.buffer),
                          &pub->unique.rsa.size);
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return pqc_unique_read(r, pub->type, &pub->unique);
    default:
        TRY(rd_2b_into(r, pub->unique.ecc.x.buffer, sizeof(pub->unique.ecc.x.buffer),
                       &pub->unique.ecc.x.size));
        return rd_2b_into(r, pub->unique.ecc.y.buffer, sizeof(pub->unique.ecc.y.buffer),
                          &pub->unique.ecc.y.size);
    }
}

void tm_public_write(tpm_wr *w, const TPMT_PUBLIC *pub)
{
    wr_u16(w, pub->type);
    wr_u16(w, pub->nameAlg);
    wr_u32(w, pub->objectAttributes);
    wr_2b(w, pub->authPolicy.buffer, pub->authPolicy.size);
    wr_parms(w, pub->type, &pub->parameters);
    switch (pub->type) {
    case TPM_ALG_KEYEDHASH: wr_2b(w, pub->unique.keyedHash.buffer, pub->unique.keyedHash.size); break;
    case TPM_ALG_SYMCIPHER: wr_2b(w, pub->unique.sym.buffer, pub->unique.sym.size); break;
    case TPM_ALG_RSA: wr_2b(w, pub->unique.rsa.buffer, pub->unique.rsa.size); break;
    case TPM_ALG_ECC:
        wr_2b(w, pub->unique.ecc.x.buffer, pub->unique.ecc.x.size);
        wr_2b(w, pub->unique.ecc.y.buffer, pub->unique.ecc.y.size);
        break;
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA: pqc_unique_write(w, pub->type, &pub->unique); break;
    default: break;
    }
}

TPM_RC tm_sensitive_read(tpm_rd *r, TPMT_SENSITIVE *s, TPM_ALG_ID type)
{
    memset(s, 0, sizeof(*s));
    if (rd_u16(r, &s->sensitiveType))
        return TPM_RC_INSUFFICIENT;
    if (type != TPM_ALG_NULL && s->sensitiveType != type)
        return TPM_RC_TYPE;
    TRY(rd_2b_into(r, s->authValue.buffer, sizeof(s->authValue.buffer), &s->authValue.size));
    TRY(rd_2b_into(r, s->seedValue.buffer, sizeof(s->seedValue.buffer), &s->seedValue.size));
    switch (s->sensitiveType) {
    case TPM_ALG_RSA:
        return rd_2b_into(r, s->sensitive.rsa.buffer, sizeof(s->sensitive.rsa.buffer),
                          &s->sensitive.rsa.size);
    case TPM_ALG_ECC:
        return rd_2b_into(r, s->sensitive.ecc.buffer, sizeof(s->sensitive.ecc.buffer),
                          &s->sensitive.ecc.size);
    case TPM_ALG_KEYEDHASH:
        return rd_2b_into(r, s->sensitive.bits.buffer, sizeof(s->sensitive.bits.buffer),
                          &s->sensitive.bits.size);
    case TPM_ALG_SYMCIPHER:
        return rd_2b_into(r, s->sensitive.sym.buffer, sizeof(s->sensitive.sym.buffer),
                          &s->sensitive.sym.size);
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return pqc_sensitive_read(r, s->sensitiveType, &s->sensitive);
    default:
        return TPM_RC_TYPE;
    }
}

void tm_sensitive_write(tpm_wr *w, const TPMT_SENSITIVE *s)
{
    wr_u16(w, s->sensitiveType);
    wr_2b(w, s->authValue.buffer, s->authValue.size);
    wr_2b(w, s->seedValue.buffer, s->seedValue.size);
    switch (s->sensitiveType) {
    case TPM_ALG_RSA: wr_2b(w, s->sensitive.rsa.buffer, s->sensitive.rsa.size); break;
    case TPM_ALG_ECC: wr_2b(w, s->sensitive.ecc.buffer, s->sensitive.ecc.size); break;
    case TPM_ALG_KEYEDHASH: wr_2b(w, s->sensitive.bits.buffer, s->sensitive.bits.size); break;
    case TPM_ALG_SYMCIPHER: wr_2b(w, s->sensitive.sym.buffer, s->sensitive.sym.size); break;
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA: pqc_sensitive_write(w, s->sensitiveType, &s->sensitive); break;
    default: break;
    }
}

TPM_RC tm_sig_scheme_read(tpm_rd *r, TPMT_SIG_SCHEME *s)
{
    memset(s, 0, sizeof(*s));
    if (rd_u16(r, &s->scheme))
        return TPM_RC_INSUFFICIENT;
    switch (s->scheme) {
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_HMAC:
    case TPM_ALG_HASH_MLDSA: /* the pre-hash (docs/PQC.md) */
        return rd_hash_alg(r, &s->details.any.hashAlg, 0);
    case TPM_ALG_ECDAA:
        TRY(rd_hash_alg(r, &s->details.ecdaa.hashAlg, 0));
        return rd_u16(r, &s->details.ecdaa.count) ? TPM_RC_INSUFFICIENT : TPM_RC_SUCCESS;
    case TPM_ALG_MLDSA: /* TPMS_EMPTY */
        return TPM_RC_SUCCESS;
    default:
        return TPM_RC_SCHEME;
    }
}

TPM_RC tm_signature_read(tpm_rd *r, TPMT_SIGNATURE *s)
{
    memset(s, 0, sizeof(*s));
    if (rd_u16(r, &s->sigAlg))
        return TPM_RC_INSUFFICIENT;
    switch (s->sigAlg) {
    case TPM_ALG_NULL:
        return TPM_RC_SUCCESS;
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
        TRY(rd_hash_alg(r, &s->signature.rsassa.hash, 0));
        return rd_2b_into(r, s->signature.rsassa.sig.buffer, sizeof(s->signature.rsassa.sig.buffer),
                          &s->signature.rsassa.sig.size);
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_ECDAA:
        TRY(rd_hash_alg(r, &s->signature.ecdsa.hash, 0));
        TRY(rd_2b_into(r, s->signature.ecdsa.signatureR.buffer,
                       sizeof(s->signature.ecdsa.signatureR.buffer),
                       &s->signature.ecdsa.signatureR.size));
        return rd_2b_into(r, s->signature.ecdsa.signatureS.buffer,
                          sizeof(s->signature.ecdsa.signatureS.buffer),
                          &s->signature.ecdsa.signatureS.size);
    case TPM_ALG_HMAC: {
        TRY(rd_hash_alg(r, &s->signature.hmac.hashAlg, 0));
        size_t n = crypt_hash_size(s->signature.hmac.hashAlg);
        return rd_bytes(r, (uint8_t *)&s->signature.hmac.digest, n) ? TPM_RC_INSUFFICIENT
                                                                    : TPM_RC_SUCCESS;
    }
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return pqc_signature_read(r, s->sigAlg, &s->signature);
    default:
        return TPM_RC_SCHEME;
    }
}

void tm_signature_write(tpm_wr *w, const TPMT_SIGNATURE *s)
{
    wr_u16(w, s->sigAlg);
    switch (s->sigAlg) {
    case TPM_ALG_RSASSA:
    case TPM_ALG_RSAPSS:
        wr_u16(w, s->signature.rsassa.hash);
        wr_2b(w, s->signature.rsassa.sig.buffer, s->signature.rsassa.sig.size);
        break;
    case TPM_ALG_ECDSA:
    case TPM_ALG_ECSCHNORR:
    case TPM_ALG_ECDAA:
        wr_u16(w, s->signature.ecdsa.hash);
        wr_2b(w, s->signature.ecdsa.signatureR.buffer, s->signature.ecdsa.signatureR.size);
        wr_2b(w, s->signature.ecdsa.signatureS.buffer, s->signature.ecdsa.signatureS.size);
        break;
    case TPM_ALG_HMAC:
        wr_u16(w, s->signature.hmac.hashAlg);
        wr_bytes(w, &s->signature.hmac.digest, crypt_hash_size(s->signature.hmac.hashAlg));
        break;
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        pqc_signature_write(w, s->sigAlg, &s->signature);
        break;
    default:
        break;
    }
}
