/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tmarshal.c — the engine's view of the object structures (TPMT_PUBLIC,
 * TPMT_SENSITIVE, signature schemes, signatures; Part 2 §11-12) on top of
 * the shared marshalling module (qtpm/marshal.h).
 *
 * The shared module accepts everything Part 2 and the algorithm registry
 * allow (including the post-quantum types and SHA-3); these wrappers add
 * what this engine implements: a structure that unmarshals but names an
 * algorithm, curve or scheme the engine cannot run is refused here with the
 * error Part 2 gives for that field (TPM_RC_TYPE, _HASH, _CURVE, _SCHEME,
 * _KDF). Adding an algorithm means widening these checks and adding its
 * handlers. The same checks serve typed command parameters (params.h)
 * through the adapters at the end of this file (tmarshal.h lists them).
 */
#include "crypt.h"
#include "object.h"
#include "pqc.h"
#include "tmarshal.h"
#include "qtpm/marshal.h"

static int scheme_in(TPM_ALG_ID s, const TPM_ALG_ID *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == s)
            return 1;
    return 0;
}

/* A hash, scheme or type the TPM's profile disables (profile.c) is refused
 * like one the engine lacks: same code, same place. */
static TPM_RC check_hash(const qtpm_tpm *tpm, TPM_ALG_ID h, int allow_null)
{
    if (h == TPM_ALG_NULL)
        return allow_null ? TPM_RC_SUCCESS : TPM_RC_HASH;
    return tpm_hash_size(tpm, h) ? TPM_RC_SUCCESS : TPM_RC_HASH;
}

/* The TPMT_SYM_DEF_OBJECT of a key (Part 2 §11.1.7): TPM_RC_SYMMETRIC for
 * the algorithm, TPM_RC_MODE for the mode. */
static TPM_RC check_sym(const qtpm_tpm *tpm, const TPMT_SYM_DEF_OBJECT *d)
{
    if (d->algorithm == TPM_ALG_NULL)
        return TPM_RC_SUCCESS;
    if (!tpm_alg_enabled(tpm, d->algorithm))
        return TPM_RC_SYMMETRIC;
    if (d->mode.sym != TPM_ALG_NULL && !tpm_alg_enabled(tpm, d->mode.sym))
        return TPM_RC_MODE;
    return TPM_RC_SUCCESS;
}

/* What the engine can do with parameters of a given type. */
static TPM_RC check_parms_impl(const qtpm_tpm *tpm, TPM_ALG_ID type, const TPMU_PUBLIC_PARMS *p)
{
    static const TPM_ALG_ID rsa_schemes[] = {TPM_ALG_NULL, TPM_ALG_RSASSA, TPM_ALG_RSAPSS,
                                             TPM_ALG_RSAES, TPM_ALG_OAEP};
    static const TPM_ALG_ID ecc_schemes[] = {TPM_ALG_NULL, TPM_ALG_ECDSA, TPM_ALG_ECDAA,
                                             TPM_ALG_ECSCHNORR, TPM_ALG_ECDH};
    switch (type) {
    case TPM_ALG_KEYEDHASH: {
        const TPMT_KEYEDHASH_SCHEME *s = &p->keyedHashDetail.scheme;
        if (s->scheme == TPM_ALG_HMAC)
            return check_hash(tpm, s->details.hmac.hashAlg, 0);
        if (s->scheme == TPM_ALG_XOR) {
            if (s->details.exclusiveOr.kdf != TPM_ALG_KDF1_SP800_108)
                return TPM_RC_KDF;
            return check_hash(tpm, s->details.exclusiveOr.hashAlg, 0);
        }
        return s->scheme == TPM_ALG_NULL ? TPM_RC_SUCCESS : TPM_RC_SCHEME;
    }
    case TPM_ALG_SYMCIPHER:
        return p->symDetail.sym.algorithm == TPM_ALG_AES ? TPM_RC_SUCCESS : TPM_RC_SYMMETRIC;
    case TPM_ALG_RSA: {
        const TPMS_RSA_PARMS *rp = &p->rsaDetail;
        if (!scheme_in(rp->scheme.scheme, rsa_schemes, sizeof(rsa_schemes) / sizeof(rsa_schemes[0])))
            return TPM_RC_SCHEME;
        if (rp->scheme.scheme != TPM_ALG_NULL && rp->scheme.scheme != TPM_ALG_RSAES)
            return check_hash(tpm, rp->scheme.details.anySig.hashAlg, 0);
        return TPM_RC_SUCCESS;
    }
    case TPM_ALG_ECC: {
        const TPMS_ECC_PARMS *ep = &p->eccDetail;
        if (!scheme_in(ep->scheme.scheme, ecc_schemes, sizeof(ecc_schemes) / sizeof(ecc_schemes[0])))
            return TPM_RC_SCHEME;
        if (crypt_ecc_curve(ep->curveID) == QTPM_ECC_NONE)
            return TPM_RC_CURVE;
        if (ep->kdf.scheme != TPM_ALG_NULL)
            return TPM_RC_KDF;
        if (ep->scheme.scheme != TPM_ALG_NULL)
            return check_hash(tpm, ep->scheme.details.anySig.hashAlg, 0);
        return TPM_RC_SUCCESS;
    }
    /* v1.85: parameter sets are checked by the shared module (TPM_RC_PARMS);
     * the rest of the template rules are pqc_check_template()'s */
    case TPM_ALG_MLKEM: {
        TPM_ALG_ID a = p->mlkemDetail.symmetric.algorithm;
        return a == TPM_ALG_NULL || a == TPM_ALG_AES ? TPM_RC_SUCCESS : TPM_RC_SYMMETRIC;
    }
    case TPM_ALG_MLDSA:
        return TPM_RC_SUCCESS;
    case TPM_ALG_HASH_MLDSA:
        return check_hash(tpm, p->hashMldsaDetail.hashAlg, 0);
    default:
        return TPM_RC_TYPE;
    }
}

/* The symmetric definition and the scheme of the key's parameters, against
 * the profile; then what the engine can do with them. */
static TPM_RC check_parms(const qtpm_tpm *tpm, TPM_ALG_ID type, const TPMU_PUBLIC_PARMS *p)
{
    TPM_ALG_ID scheme = TPM_ALG_NULL;
    const TPMT_SYM_DEF_OBJECT *sym = NULL;
    switch (type) {
    case TPM_ALG_KEYEDHASH: scheme = p->keyedHashDetail.scheme.scheme; break;
    case TPM_ALG_SYMCIPHER: sym = &p->symDetail.sym; break;
    case TPM_ALG_RSA: scheme = p->rsaDetail.scheme.scheme; sym = &p->rsaDetail.symmetric; break;
    case TPM_ALG_ECC: scheme = p->eccDetail.scheme.scheme; sym = &p->eccDetail.symmetric; break;
    case TPM_ALG_MLKEM: sym = &p->mlkemDetail.symmetric; break;
    default: break;
    }
    if (!tpm_alg_enabled(tpm, scheme))
        return TPM_RC_SCHEME;
    if (scheme == TPM_ALG_XOR &&
        !tpm_alg_enabled(tpm, p->keyedHashDetail.scheme.details.exclusiveOr.kdf))
        return TPM_RC_KDF;
    TPM_RC rc = sym ? check_sym(tpm, sym) : TPM_RC_SUCCESS;
    return rc ? rc : check_parms_impl(tpm, type, p);
}

/* A type the engine implements and the profile enables (TPMI_ALG_PUBLIC). */
static int type_ok(const qtpm_tpm *tpm, TPM_ALG_ID t)
{
    return (t == TPM_ALG_RSA || t == TPM_ALG_ECC || t == TPM_ALG_KEYEDHASH ||
            t == TPM_ALG_SYMCIPHER || pqc_is_type(t)) &&
           tpm_alg_enabled(tpm, t);
}

TPM_RC tm_parms_read(const qtpm_tpm *tpm, tpm_rd *r, TPM_ALG_ID type, TPMU_PUBLIC_PARMS *p)
{
    memset(p, 0, sizeof(*p));
    if (!type_ok(tpm, type))
        return TPM_RC_TYPE;
    TPM_RC rc = qtpm_TPMU_PUBLIC_PARMS_unmarshal(p, r->p, r->len, &r->off, type);
    return rc ? rc : check_parms(tpm, type, p);
}

TPM_RC tm_public_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_PUBLIC *pub, int allow_null_alg)
{
    memset(pub, 0, sizeof(*pub));
    /* The type decides everything that follows; refuse types the engine
     * does not implement before the shared module parses their unions. */
    if (rd_left(r) >= 2) {
        TPM_ALG_ID t = (TPM_ALG_ID)((r->p[r->off] << 8) | r->p[r->off + 1]);
        if (!type_ok(tpm, t))
            return TPM_RC_TYPE;
    }
    TPM_RC rc = qtpm_TPMT_PUBLIC_unmarshal(pub, r->p, r->len, &r->off, allow_null_alg ? 1 : 0);
    if (rc)
        return rc;
    rc = check_hash(tpm, pub->nameAlg, allow_null_alg);
    return rc ? rc : check_parms(tpm, pub->type, &pub->parameters);
}

void tm_public_write(tpm_wr *w, const TPMT_PUBLIC *pub)
{
    if (w->overflow)
        return;
    if (qtpm_TPMT_PUBLIC_marshal(pub, w->p, w->cap, &w->off) != TPM_RC_SUCCESS)
        w->overflow = 1;
}

int tm_sensitive_type_ok(TPM_ALG_ID type)
{
    switch (type) {
    case TPM_ALG_RSA:
    case TPM_ALG_ECC:
    case TPM_ALG_KEYEDHASH:
    case TPM_ALG_SYMCIPHER:
    case TPM_ALG_MLKEM:
    case TPM_ALG_MLDSA:
    case TPM_ALG_HASH_MLDSA:
        return 1;
    default:
        return 0;
    }
}

TPM_RC tm_sensitive_read(tpm_rd *r, TPMT_SENSITIVE *s, TPM_ALG_ID type)
{
    memset(s, 0, sizeof(*s));
    if (rd_left(r) >= 2 && type != TPM_ALG_NULL) {
        TPM_ALG_ID t = (TPM_ALG_ID)((r->p[r->off] << 8) | r->p[r->off + 1]);
        if (t != type)
            return TPM_RC_TYPE;
    }
    TPM_RC rc = qtpm_TPMT_SENSITIVE_unmarshal(s, r->p, r->len, &r->off);
    if (rc)
        return rc;
    return tm_sensitive_type_ok(s->sensitiveType) ? TPM_RC_SUCCESS : TPM_RC_TYPE;
}

void tm_sensitive_write(tpm_wr *w, const TPMT_SENSITIVE *s)
{
    if (w->overflow)
        return;
    if (qtpm_TPMT_SENSITIVE_marshal(s, w->p, w->cap, &w->off) != TPM_RC_SUCCESS)
        w->overflow = 1;
}

static const TPM_ALG_ID sig_algs[] = {TPM_ALG_NULL, TPM_ALG_RSASSA, TPM_ALG_RSAPSS, TPM_ALG_ECDSA,
                                      TPM_ALG_ECDAA, TPM_ALG_ECSCHNORR,
                                      TPM_ALG_HMAC, TPM_ALG_MLDSA, TPM_ALG_HASH_MLDSA};

TPM_RC tm_sig_scheme_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_SIG_SCHEME *s)
{
    memset(s, 0, sizeof(*s));
    TPM_RC rc = qtpm_TPMT_SIG_SCHEME_unmarshal(s, r->p, r->len, &r->off, 1);
    if (rc)
        return rc;
    if (!scheme_in(s->scheme, sig_algs, sizeof(sig_algs) / sizeof(sig_algs[0])) ||
        !tpm_alg_enabled(tpm, s->scheme))
        return TPM_RC_SCHEME;
    /* pure ML-DSA has no scheme details (docs/PQC.md) */
    if (s->scheme == TPM_ALG_NULL || s->scheme == TPM_ALG_MLDSA)
        return TPM_RC_SUCCESS;
    return check_hash(tpm, s->details.any.hashAlg, 0);
}

TPM_RC tm_signature_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_SIGNATURE *s)
{
    memset(s, 0, sizeof(*s));
    TPM_RC rc = qtpm_TPMT_SIGNATURE_unmarshal(s, r->p, r->len, &r->off, 1);
    if (rc)
        return rc;
    if (!scheme_in(s->sigAlg, sig_algs, sizeof(sig_algs) / sizeof(sig_algs[0])) ||
        !tpm_alg_enabled(tpm, s->sigAlg))
        return TPM_RC_SCHEME;
    /* an ML-DSA signature is a bare TPM2B, without a hash */
    if (s->sigAlg == TPM_ALG_NULL || s->sigAlg == TPM_ALG_MLDSA)
        return TPM_RC_SUCCESS;
    return check_hash(tpm, s->signature.any.hashAlg, 0);
}

void tm_signature_write(tpm_wr *w, const TPMT_SIGNATURE *s)
{
    if (w->overflow)
        return;
    if (qtpm_TPMT_SIGNATURE_marshal(s, w->p, w->cap, &w->off) != TPM_RC_SUCCESS)
        w->overflow = 1;
}

/* ---------------------------------------------------------------- typed parameters */

/* A TPM2B_PUBLIC: size (0 or more than the input holds: TPM_RC_SIZE), then
 * exactly that many bytes of TPMT_PUBLIC through tm_public_read. */
static TPM_RC public_2b_unmarshal(const qtpm_tpm *tpm, TPM2B_PUBLIC *dst, const uint8_t *buf,
                                  size_t size, size_t *off, int allow_null)
{
    tpm_rd r = {buf, size, *off};
    uint16_t n;
    if (rd_u16(&r, &n))
        return TPM_RC_INSUFFICIENT;
    if (n == 0 || n > rd_left(&r))
        return TPM_RC_SIZE;
    tpm_rd sub = {buf + r.off, n, 0};
    TPM_RC rc = tm_public_read(tpm, &sub, &dst->publicArea, allow_null);
    if (rc)
        return rc;
    if (rd_left(&sub) != 0)
        return TPM_RC_SIZE;
    dst->size = n;
    *off = r.off + n;
    return TPM_RC_SUCCESS;
}

TPM_RC prm_un_TPM2B_PUBLIC_CHECKED(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,
                                   size_t *off)
{
    return public_2b_unmarshal(tpm, dst, buf, size, off, 0);
}

TPM_RC prm_un_TPM2B_PUBLIC_CHECKED_NULL(const qtpm_tpm *tpm, void *dst, const uint8_t *buf,
                                        size_t size, size_t *off)
{
    return public_2b_unmarshal(tpm, dst, buf, size, off, 1);
}

TPM_RC prm_m_TPM2B_PUBLIC_CHECKED(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPM2B_PUBLIC_marshal(src, buf, cap, off);
}

TPM_RC prm_m_TPM2B_PUBLIC_CHECKED_NULL(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPM2B_PUBLIC_marshal(src, buf, cap, off);
}

/* The tm_*_read functions over a cursor, as adapters: the offset moves only
 * on success. */
#define TM_CURSOR_ADAPTER_(T, read)                                                        \
    TPM_RC prm_un_##T(const qtpm_tpm *tpm, void *dst, const uint8_t *buf, size_t size,     \
                      size_t *off)                                                         \
    {                                                                                      \
        tpm_rd r = {buf, size, *off};                                                      \
        TPM_RC rc = read(tpm, &r, dst);                                                    \
        if (rc == TPM_RC_SUCCESS)                                                          \
            *off = r.off;                                                                  \
        return rc;                                                                         \
    }

TM_CURSOR_ADAPTER_(TPMT_SIG_SCHEME_CHECKED_NULL, tm_sig_scheme_read)
TM_CURSOR_ADAPTER_(TPMT_SIGNATURE_CHECKED_NULL, tm_signature_read)

TPM_RC prm_m_TPMT_SIG_SCHEME_CHECKED_NULL(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPMT_SIG_SCHEME_marshal(src, buf, cap, off);
}

TPM_RC prm_m_TPMT_SIGNATURE_CHECKED_NULL(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPMT_SIGNATURE_marshal(src, buf, cap, off);
}

/* The symmetric wrapper of Duplicate / Import (Part 3 §13.1, §13.3): NULL
 * or AES (TPM_RC_SYMMETRIC), 128/192/256 bits (TPM_RC_KEY_SIZE), CFB
 * (TPM_RC_MODE), each checked as its field is read. */
static TPM_RC sym_def_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_SYM_DEF_OBJECT *s)
{
    memset(s, 0, sizeof(*s));
    if (rd_u16(r, &s->algorithm))
        return TPM_RC_INSUFFICIENT;
    if (s->algorithm == TPM_ALG_NULL)
        return TPM_RC_SUCCESS;
    if (s->algorithm != TPM_ALG_AES || !tpm_alg_enabled(tpm, s->algorithm))
        return TPM_RC_SYMMETRIC;
    if (rd_u16(r, &s->keyBits.aes) || rd_u16(r, &s->mode.aes))
        return TPM_RC_INSUFFICIENT;
    if (s->keyBits.aes != 128 && s->keyBits.aes != 192 && s->keyBits.aes != 256)
        return TPM_RC_KEY_SIZE;
    if (s->mode.aes != TPM_ALG_CFB || !tpm_alg_enabled(tpm, s->mode.aes))
        return TPM_RC_MODE;
    return TPM_RC_SUCCESS;
}

TM_CURSOR_ADAPTER_(TPMT_SYM_DEF_OBJECT_CHECKED_NULL, sym_def_read)

TPM_RC prm_m_TPMT_SYM_DEF_OBJECT_CHECKED_NULL(const void *src, uint8_t *buf, size_t cap,
                                              size_t *off)
{
    return qtpm_TPMT_SYM_DEF_OBJECT_marshal(src, buf, cap, off);
}

/* TPMT_RSA_DECRYPT+ of RSA_Encrypt / RSA_Decrypt: a scheme the profile
 * disables or one that is no RSA decryption scheme is TPM_RC_VALUE (the
 * TPMI_ALG_RSA_DECRYPT rule), OAEP's hash one of the profile's. */
static TPM_RC rsa_decrypt_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_RSA_DECRYPT *s)
{
    memset(s, 0, sizeof(*s));
    if (rd_u16(r, &s->scheme))
        return TPM_RC_INSUFFICIENT;
    if (!tpm_alg_enabled(tpm, s->scheme))
        return TPM_RC_VALUE;
    switch (s->scheme) {
    case TPM_ALG_NULL:
    case TPM_ALG_RSAES:
        return TPM_RC_SUCCESS;
    case TPM_ALG_OAEP:
        if (rd_u16(r, &s->details.oaep.hashAlg))
            return TPM_RC_INSUFFICIENT;
        return tpm_hash_size(tpm, s->details.oaep.hashAlg) ? TPM_RC_SUCCESS : TPM_RC_HASH;
    default:
        return TPM_RC_VALUE;
    }
}

TM_CURSOR_ADAPTER_(TPMT_RSA_DECRYPT_CHECKED_NULL, rsa_decrypt_read)

TPM_RC prm_m_TPMT_RSA_DECRYPT_CHECKED_NULL(const void *src, uint8_t *buf, size_t cap,
                                           size_t *off)
{
    return qtpm_TPMT_RSA_DECRYPT_marshal(src, buf, cap, off);
}

/* A TPM2B_ECC_POINT that may be the Empty Point: size 0, or (as tpm2-tss
 * marshals an absent point) size 4 with two empty coordinates. Otherwise
 * the coordinates must take exactly size bytes (TPM_RC_SIZE). */
static TPM_RC ecc_point_read(const qtpm_tpm *tpm, tpm_rd *r, TPM2B_ECC_POINT *p)
{
    (void)tpm;
    memset(p, 0, sizeof(*p));
    if (rd_u16(r, &p->size))
        return TPM_RC_INSUFFICIENT;
    if (p->size == 0)
        return TPM_RC_SUCCESS;
    size_t start = r->off;
    TPMS_ECC_POINT *q = &p->point;
    TPM_RC rc = rd_2b_rc(r, q->x.buffer, sizeof(q->x.buffer), &q->x.size);
    if (rc == TPM_RC_SUCCESS)
        rc = rd_2b_rc(r, q->y.buffer, sizeof(q->y.buffer), &q->y.size);
    if (rc)
        return rc;
    return r->off - start == p->size ? TPM_RC_SUCCESS : TPM_RC_SIZE;
}

TM_CURSOR_ADAPTER_(TPM2B_ECC_POINT_EMPTY, ecc_point_read)

TPM_RC prm_m_TPM2B_ECC_POINT_EMPTY(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPM2B_ECC_POINT_marshal(src, buf, cap, off);
}

/* TestParms' TPMT_PUBLIC_PARMS (Part 3 §30.3): a type the engine lacks or
 * the profile disables is TPM_RC_TYPE before its parameters are parsed,
 * then the checks a key's parameters get (tm_parms_read). */
static TPM_RC public_parms_read(const qtpm_tpm *tpm, tpm_rd *r, TPMT_PUBLIC_PARMS *p)
{
    memset(p, 0, sizeof(*p));
    if (rd_u16(r, &p->type))
        return TPM_RC_INSUFFICIENT;
    return tm_parms_read(tpm, r, p->type, &p->parameters);
}

TM_CURSOR_ADAPTER_(TPMT_PUBLIC_PARMS_CHECKED, public_parms_read)

TPM_RC prm_m_TPMT_PUBLIC_PARMS_CHECKED(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPMT_PUBLIC_PARMS_marshal(src, buf, cap, off);
}

/* qtpm's vendor LDAA piece (keycmds.h): the shared module's plain TPM2B. */
TPM_RC prm_un_TPM2B_VENDOR_LDAA_PIECE(const qtpm_tpm *tpm, void *dst, const uint8_t *buf,
                                      size_t size, size_t *off)
{
    (void)tpm;
    return qtpm_TPM2B_VENDOR_LDAA_PIECE_unmarshal(dst, buf, size, off);
}

TPM_RC prm_m_TPM2B_VENDOR_LDAA_PIECE(const void *src, uint8_t *buf, size_t cap, size_t *off)
{
    return qtpm_TPM2B_VENDOR_LDAA_PIECE_marshal(src, buf, cap, off);
}
