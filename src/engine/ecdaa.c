/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ecdaa.c — the TPM's anonymous and Schnorr signatures and its two-phase key
 * exchange (Part 1 §C "ECC" annexes; Part 3 §19 "Ephemeral EC Keys", §14.7):
 * TPM2_Commit, TPM2_EC_Ephemeral, TPM2_ZGen_2Phase, and the ECDAA and
 * EC-Schnorr signing that asym.c's asym_sign() hands over to this file.
 *
 * Commitments. Commit and EC_Ephemeral hand out a 16-bit counter c and keep
 * the secret r that goes with it implicit: r = KDF(commitNonce, "ECDAA
 * Commit", keyName, c64) reduced into [1, n-1] (FIPS 186-4 §B.4.1), with
 * commitNonce drawn at every Startup and c64 the full 64-bit counter. A
 * later Sign (ECDAA) or ZGen_2Phase names c, recomputes r and clears c's bit
 * in commitArray, so every r is used once (as the reference implementation's
 * CryptGenerateR/CryptEndCommit do). commitArray has 128 bits: counter values more than 128
 * commits old are void, as are all of them after a power cycle.
 *
 * ECDAA (the signing half of the TCG's DAA, Part 1 Annex C): with the
 * committed r, a fresh nonce k and T = H(k ‖ digest),
 *   signatureR = k,  signatureS = r + T·d mod n.
 * A DAA verifier checks it against the commitments of the Commit response;
 * the TPM itself has nothing to verify.
 *
 * EC-Schnorr (ISO/IEC 14888-3 as the TPM specifies it): fresh k, R = [k]G,
 *   e = H(R.x ‖ digest) cut to the byte length of n,  s = k + e·d mod n,
 *   signatureR = e, signatureS = s;
 * verification recomputes R' = [s]G − [e]Q and accepts when
 * H(R'.x ‖ digest) cut the same way equals e. R.x is padded to the order's
 * byte length. This is the reference implementation's form (the order of
 * R.x and digest, and truncation rather than reduction mod n), so
 * signatures cross between qtpm and libtpms.
 */
#include <stdlib.h>

#include <openssl/bn.h>

#include "asym.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "ecdaa.h"
#include "keycmds.h"
#include "object.h"

#define COMMIT_MASK 0x7Fu /* commit_array has 128 bits */
#define COMMIT_LABEL "ECDAA Commit"

void ecc_commit_startup(qtpm_tpm *tpm)
{
    if (crypt_random(tpm->commit_nonce, sizeof(tpm->commit_nonce)))
        memset(tpm->commit_nonce, 0xA5, sizeof(tpm->commit_nonce)); /* no RNG: nothing will verify */
    memset(tpm->commit_array, 0, sizeof(tpm->commit_array));
}

/* r for the counter value cnt64 and a key name (empty for EC_Ephemeral). */
static TPM_RC commit_r_at(qtpm_tpm *tpm, qtpm_ecc_curve cv, const tpm_name *name, uint64_t cnt64,
                          uint8_t *r)
{
    size_t n = qtpm_ecc_size(cv);
    uint8_t c8[8], buf[QTPM_ECC_MAX_SIZE + 8];
    wr_put_u32(c8, (uint32_t)(cnt64 >> 32));
    wr_put_u32(c8 + 4, (uint32_t)cnt64);
    int e = crypt_kdfa(TPM_ALG_SHA256, tpm->commit_nonce, sizeof(tpm->commit_nonce), COMMIT_LABEL,
                       name ? name->b : NULL, name ? name->size : 0, c8, 8,
                       (uint32_t)(n + 8) * 8, buf) ||
            qtpm_ecc_private_from_bytes(cv, buf, n + 8, r) != QTPM_OK;
    qtpm_memzero(buf, sizeof(buf));
    return e ? TPM_RC_FAILURE : TPM_RC_SUCCESS;
}

/* The full counter value behind a 16-bit counter c still outstanding, or
 * -1 when c was never committed, is used up or too old. */
int commit_lookup(const qtpm_tpm *tpm, uint16_t c, uint64_t *cnt64)
{
    if (!(tpm->commit_array[(c & COMMIT_MASK) / 8] & (1u << (c & 7))))
        return -1;
    /* the newest counter value with low 16 bits c that is below the
     * current counter, and no more than 128 values back */
    uint64_t cur = tpm->commit_counter;
    uint64_t v = (cur & ~(uint64_t)0xFFFF) | c;
    if (v >= cur) {
        if (v < 0x10000)
            return -1;
        v -= 0x10000;
    }
    if (cur - v > COMMIT_MASK + 1)
        return -1;
    *cnt64 = v;
    return 0;
}

uint16_t commit_take(qtpm_tpm *tpm)
{
    uint64_t v = tpm->commit_counter++;
    tpm->commit_array[(v & COMMIT_MASK) / 8] |= (uint8_t)(1u << (v & 7));
    /* the slot a full lap ahead is now too old: the array bit belongs to
     * the new value only */
    return (uint16_t)v;
}

void commit_end(qtpm_tpm *tpm, uint16_t c)
{
    tpm->commit_array[(c & COMMIT_MASK) / 8] &= (uint8_t)~(1u << (c & 7));
}

/* ---------------------------------------------------------------- signing */

TPM_RC ecdaa_sign(qtpm_tpm *tpm, const tpm_object *key, const TPMT_SIG_SCHEME *scheme,
                  const uint8_t *digest, size_t dlen, TPMT_SIGNATURE *sig)
{
    qtpm_ecc_curve cv = object_ecc_curve(key);
    size_t n = qtpm_ecc_size(cv);
    TPM_ALG_ID h = scheme->details.ecdaa.hashAlg;
    uint16_t c = scheme->details.ecdaa.count;
    uint64_t cnt64;
    uint8_t r[QTPM_ECC_MAX_SIZE], k[QTPM_ECC_MAX_SIZE], x[QTPM_ECC_MAX_SIZE], y[QTPM_ECC_MAX_SIZE];
    uint8_t t[MAX_DIGEST];
    if (n == 0 || crypt_hash_size(h) == 0)
        return TPM_RC_SCHEME;
    if (commit_lookup(tpm, c, &cnt64))
        return TPM_RC_VALUE; /* no outstanding commitment with this counter */
    TPM_RC rc = commit_r_at(tpm, cv, &key->name, cnt64, r);
    if (rc)
        return rc;
    sig->sigAlg = TPM_ALG_ECDAA;
    sig->signature.ecdaa.hash = h;
    crypt_part parts[] = {{k, n}, {digest, dlen}};
    if (qtpm_ecc_generate(cv, k, x, y) != QTPM_OK || crypt_hash_parts(h, t, parts, 2) ||
        qtpm_ecc_scalar_muladd(cv, r, n, t, crypt_hash_size(h), key->sens.sensitive.ecc.buffer, n,
                               sig->signature.ecdaa.signatureS.buffer) != QTPM_OK)
        rc = TPM_RC_FAILURE;
    memcpy(sig->signature.ecdaa.signatureR.buffer, k, n);
    sig->signature.ecdaa.signatureR.size = sig->signature.ecdaa.signatureS.size = (uint16_t)n;
    qtpm_memzero(r, sizeof(r));
    qtpm_memzero(k, sizeof(k));
    if (rc == TPM_RC_SUCCESS)
        commit_end(tpm, c); /* r is spent only when the signature exists */
    return rc;
}

/* e = H(x ‖ digest), cut to n bytes (the reference's SchnorrReduce). */
static int schnorr_challenge(TPM_ALG_ID h, const uint8_t *x, size_t n, const uint8_t *digest,
                             size_t dlen, uint8_t *e, size_t *elen)
{
    crypt_part parts[] = {{x, n}, {digest, dlen}};
    if (crypt_hash_parts(h, e, parts, 2))
        return -1;
    size_t hl = crypt_hash_size(h);
    *elen = hl < n ? hl : n;
    return 0;
}

TPM_RC ecschnorr_sign(const tpm_object *key, TPM_ALG_ID h, const uint8_t *digest, size_t dlen,
                      TPMT_SIGNATURE *sig)
{
    qtpm_ecc_curve cv = object_ecc_curve(key);
    size_t n = qtpm_ecc_size(cv), elen = 0;
    uint8_t k[QTPM_ECC_MAX_SIZE], rx[QTPM_ECC_MAX_SIZE], ry[QTPM_ECC_MAX_SIZE], e[MAX_DIGEST];
    if (n == 0 || crypt_hash_size(h) == 0)
        return TPM_RC_SCHEME;
    TPM_RC rc = TPM_RC_SUCCESS;
    sig->sigAlg = TPM_ALG_ECSCHNORR;
    sig->signature.ecschnorr.hash = h;
    if (qtpm_ecc_generate(cv, k, rx, ry) != QTPM_OK ||
        schnorr_challenge(h, rx, n, digest, dlen, e, &elen) ||
        qtpm_ecc_scalar_muladd(cv, k, n, e, elen, key->sens.sensitive.ecc.buffer, n,
                               sig->signature.ecschnorr.signatureS.buffer) != QTPM_OK)
        rc = TPM_RC_FAILURE;
    if (rc == TPM_RC_SUCCESS)
        memcpy(sig->signature.ecschnorr.signatureR.buffer, e, elen);
    sig->signature.ecschnorr.signatureR.size = (uint16_t)elen;
    sig->signature.ecschnorr.signatureS.size = (uint16_t)n;
    qtpm_memzero(k, sizeof(k));
    return rc;
}

TPM_RC ecschnorr_verify(const tpm_object *key, const uint8_t *digest, size_t dlen,
                        const TPMT_SIGNATURE *sig)
{
    qtpm_ecc_curve cv = object_ecc_curve(key);
    size_t n = qtpm_ecc_size(cv), elen;
    TPM_ALG_ID h = sig->signature.ecschnorr.hash;
    const TPM2B_ECC_PARAMETER *sr = &sig->signature.ecschnorr.signatureR;
    const TPM2B_ECC_PARAMETER *ss = &sig->signature.ecschnorr.signatureS;
    if (n == 0 || crypt_hash_size(h) == 0)
        return TPM_RC_SCHEME;
    if (sr->size == 0 || sr->size > n || ss->size == 0 || ss->size > n)
        return TPM_RC_SIGNATURE;
    uint8_t order[QTPM_ECC_MAX_SIZE], nm1[QTPM_ECC_MAX_SIZE], neg_e[QTPM_ECC_MAX_SIZE];
    uint8_t ax[QTPM_ECC_MAX_SIZE], ay[QTPM_ECC_MAX_SIZE], bx[QTPM_ECC_MAX_SIZE],
        by[QTPM_ECC_MAX_SIZE], e[MAX_DIGEST];
    if (qtpm_ecc_parameters(cv, NULL, NULL, NULL, NULL, NULL, order, NULL) != QTPM_OK)
        return TPM_RC_FAILURE;
    /* s must lie in [1, n-1] */
    uint8_t s[QTPM_ECC_MAX_SIZE] = {0};
    memcpy(s + n - ss->size, ss->buffer, ss->size);
    if (qtpm_ecc_check_private(cv, s) != QTPM_OK)
        return TPM_RC_SIGNATURE;
    /* -e mod n = e·(n-1) mod n; n is odd, so n-1 only clears the last bit */
    memcpy(nm1, order, n);
    nm1[n - 1] &= 0xFE;
    if (qtpm_ecc_scalar_muladd(cv, NULL, 0, sr->buffer, sr->size, nm1, n, neg_e) != QTPM_OK)
        return TPM_RC_FAILURE;
    /* R' = [s]G + [-e]Q */
    if (qtpm_ecc_mul(cv, s, n, NULL, NULL, ax, ay) != QTPM_OK ||
        qtpm_ecc_mul(cv, neg_e, n, key->pub.unique.ecc.x.buffer, key->pub.unique.ecc.y.buffer, bx,
                     by) != QTPM_OK ||
        qtpm_ecc_add(cv, ax, ay, bx, by, ax, ay) != QTPM_OK)
        return TPM_RC_SIGNATURE; /* e ≡ 0 or R' at infinity: not a signature */
    if (schnorr_challenge(h, ax, n, digest, dlen, e, &elen))
        return TPM_RC_FAILURE;
    if (elen != sr->size || !public_equal(e, sr->buffer, elen))
        return TPM_RC_SIGNATURE;
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- commands */

/* out = a mod m as mlen bytes (a public value: Commit's x2). */
static int reduce_mod(const uint8_t *a, size_t alen, const uint8_t *m, size_t mlen, uint8_t *out)
{
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *ba = BN_bin2bn(a, (int)alen, NULL), *bm = BN_bin2bn(m, (int)mlen, NULL);
    int ok = bc && ba && bm && BN_mod(ba, ba, bm, bc) &&
             BN_bn2binpad(ba, out, (int)mlen) == (int)mlen;
    BN_free(ba);
    BN_free(bm);
    BN_CTX_free(bc);
    return ok ? 0 : -1;
}

/* A response point; n == 0 gives the Empty Point as the reference
 * implementation marshals it (size 4, two empty coordinates; tpm2-tss 3.2
 * misreads size 0). */
static void set_point(TPM2B_ECC_POINT *p, const uint8_t *x, const uint8_t *y, size_t n)
{
    memcpy(p->point.x.buffer, x, n);
    memcpy(p->point.y.buffer, y, n);
    p->point.x.size = p->point.y.size = (uint16_t)n;
    p->size = (uint16_t)(4 + 2 * n);
}

/* Whether a TPM2B_ECC_POINT_EMPTY parameter holds a point (not the Empty
 * Point: size 0, or empty coordinates). */
static int point_present(const TPM2B_ECC_POINT *p)
{
    return p->size != 0 && (p->point.x.size != 0 || p->point.y.size != 0);
}

static int point_ok(qtpm_ecc_curve cv, const uint8_t *x, uint16_t xl, const uint8_t *y, uint16_t yl)
{
    size_t n = qtpm_ecc_size(cv);
    return xl == n && yl == n && qtpm_ecc_check_point(cv, x, y) == QTPM_OK;
}

/* Handle 1 of Commit and ZGen_2Phase: an ECC key (TPM_RC_KEY) with its
 * private part loaded (a public-only key: TPM_RC_AUTH_UNAVAILABLE). */
static TPM_RC ecc_private_key(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k->is_sequence || k->pub.type != TPM_ALG_ECC)
        return RC_H(TPM_RC_KEY, 1);
    if (!k->has_sensitive)
        return TPM_RC_AUTH_UNAVAILABLE;
    *out = k;
    return TPM_RC_SUCCESS;
}

/* Part 3 §19.2 TPM2_Commit: signHandle (USER), P1, s2, y2 →
 * K = [d](x2, y2), L = [r](x2, y2), E = [r]P1 (or [r]G without P1), counter.
 * x2 = H_nameAlg(s2) mod p. */
TPM_RC cmd_Commit(qtpm_tpm *tpm, tpm_cmd *c, const Commit_In *in, Commit_Out *out)
{
    const uint8_t *p1x = in->P1.point.x.buffer, *p1y = in->P1.point.y.buffer;
    const uint8_t *s2 = in->s2.buffer, *y2 = in->y2.buffer;
    uint16_t p1xl = in->P1.point.x.size, p1yl = in->P1.point.y.size, s2l = in->s2.size,
             y2l = in->y2.size;
    int has_p1 = point_present(&in->P1);
    tpm_object *k;
    TPM_RC rc = ecc_private_key(tpm, c->handles[0], &k);
    if (rc)
        return rc;
    /* the key's scheme must be an anonymous one (Part 3 §19.2.1) */
    if (k->pub.parameters.eccDetail.scheme.scheme != TPM_ALG_ECDAA)
        return RC_H(TPM_RC_SCHEME, 1);
    qtpm_ecc_curve cv = object_ecc_curve(k);
    size_t n = qtpm_ecc_size(cv);
    if (has_p1 && !point_ok(cv, p1x, p1xl, p1y, p1yl))
        return RC_P(TPM_RC_ECC_POINT, PN_Commit_P1);
    if ((s2l == 0) != (y2l == 0))
        return RC_P(TPM_RC_SIZE, PN_Commit_y2);
    uint8_t x2[QTPM_ECC_MAX_SIZE];
    if (s2l) {
        /* x2 = H_nameAlg(s2) mod p */
        uint8_t hs[MAX_DIGEST], prime[QTPM_ECC_MAX_SIZE];
        size_t hl = crypt_hash_size(k->pub.nameAlg);
        if (crypt_hash(k->pub.nameAlg, s2, s2l, hs) ||
            qtpm_ecc_parameters(cv, prime, NULL, NULL, NULL, NULL, NULL, NULL) != QTPM_OK)
            return TPM_RC_FAILURE;
        if (reduce_mod(hs, hl, prime, n, x2))
            return TPM_RC_FAILURE;
        if (y2l != n || qtpm_ecc_check_point(cv, x2, y2) != QTPM_OK)
            return RC_P(TPM_RC_ECC_POINT, PN_Commit_s2);
    }
    uint64_t cnt64 = tpm->commit_counter;
    uint8_t r[QTPM_ECC_MAX_SIZE];
    rc = commit_r_at(tpm, cv, &k->name, cnt64, r);
    if (rc)
        return rc;
    uint8_t kx[QTPM_ECC_MAX_SIZE], ky[QTPM_ECC_MAX_SIZE], lx[QTPM_ECC_MAX_SIZE],
        ly[QTPM_ECC_MAX_SIZE], ex[QTPM_ECC_MAX_SIZE], ey[QTPM_ECC_MAX_SIZE];
    int bad = 0;
    if (s2l)
        bad = qtpm_ecc_mul(cv, k->sens.sensitive.ecc.buffer, n, x2, y2, kx, ky) != QTPM_OK ||
              qtpm_ecc_mul(cv, r, n, x2, y2, lx, ly) != QTPM_OK;
    if (!bad)
        bad = qtpm_ecc_mul(cv, r, n, has_p1 ? p1x : NULL, has_p1 ? p1y : NULL, ex, ey) != QTPM_OK;
    qtpm_memzero(r, sizeof(r));
    if (bad)
        return TPM_RC_NO_RESULT;
    set_point(&out->K, kx, ky, s2l ? n : 0);
    set_point(&out->L, lx, ly, s2l ? n : 0);
    set_point(&out->E, ex, ey, n);
    out->counter = commit_take(tpm);
    return TPM_RC_SUCCESS;
}

/* Part 3 §19.3 TPM2_EC_Ephemeral: curveID → Q = [r]G, counter. */
TPM_RC cmd_EC_Ephemeral(qtpm_tpm *tpm, tpm_cmd *c, const EC_Ephemeral_In *in,
                        EC_Ephemeral_Out *out)
{
    (void)c;
    qtpm_ecc_curve cv = crypt_ecc_curve(in->curveID);
    size_t n = qtpm_ecc_size(cv);
    if (n == 0)
        return RC_P(TPM_RC_CURVE, PN_EC_Ephemeral_curveID);
    uint8_t r[QTPM_ECC_MAX_SIZE], x[QTPM_ECC_MAX_SIZE], y[QTPM_ECC_MAX_SIZE];
    TPM_RC rc = commit_r_at(tpm, cv, NULL, tpm->commit_counter, r);
    if (rc)
        return rc;
    int bad = qtpm_ecc_public_from_private(cv, r, x, y) != QTPM_OK;
    qtpm_memzero(r, sizeof(r));
    if (bad)
        return TPM_RC_NO_RESULT;
    set_point(&out->Q, x, y, n);
    out->counter = commit_take(tpm);
    return TPM_RC_SUCCESS;
}

/* Part 3 §14.7 TPM2_ZGen_2Phase: keyA (USER), inQsB, inQeB, inScheme,
 * counter → outZ1 = [dsA]QsB, outZ2 = [deA]QeB, where deA is the ephemeral
 * key of EC_Ephemeral's counter (SP 800-56A Full Unified Model, C(2e, 2s)
 * ECC CDH; the TPM's TPM_ALG_ECDH two-phase scheme). */
TPM_RC cmd_ZGen_2Phase(qtpm_tpm *tpm, tpm_cmd *c, const ZGen_2Phase_In *in, ZGen_2Phase_Out *out)
{
    const TPMS_ECC_POINT *qs = &in->inQsB.point, *qe = &in->inQeB.point;
    const uint8_t *sx = qs->x.buffer, *sy = qs->y.buffer, *ex = qe->x.buffer, *ey = qe->y.buffer;
    uint16_t sxl = qs->x.size, syl = qs->y.size, exl = qe->x.size, eyl = qe->y.size;
    TPM_ALG_ID scheme = in->inScheme;
    uint16_t counter = in->counter;
    int has_s = point_present(&in->inQsB), has_e = point_present(&in->inQeB);
    tpm_object *k;
    TPM_RC rc = ecc_private_key(tpm, c->handles[0], &k);
    if (rc)
        return rc;
    if (!(k->pub.objectAttributes & TPMA_OBJECT_DECRYPT) ||
        (k->pub.objectAttributes & TPMA_OBJECT_RESTRICTED))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    /* ECMQV and SM2 are outside qtpm's algorithm set (TPMI_ECC_KEY_EXCHANGE) */
    if (scheme != TPM_ALG_ECDH)
        return RC_P(TPM_RC_SCHEME, PN_ZGen_2Phase_inScheme);
    TPM_ALG_ID ks = k->pub.parameters.eccDetail.scheme.scheme;
    if (ks != TPM_ALG_NULL && ks != scheme)
        return RC_P(TPM_RC_SCHEME, PN_ZGen_2Phase_inScheme);
    qtpm_ecc_curve cv = object_ecc_curve(k);
    size_t n = qtpm_ecc_size(cv);
    if (!has_s || !point_ok(cv, sx, sxl, sy, syl))
        return RC_P(TPM_RC_ECC_POINT, PN_ZGen_2Phase_inQsB);
    if (!has_e || !point_ok(cv, ex, exl, ey, eyl))
        return RC_P(TPM_RC_ECC_POINT, PN_ZGen_2Phase_inQeB);
    uint64_t cnt64;
    if (commit_lookup(tpm, counter, &cnt64))
        return RC_P(TPM_RC_VALUE, PN_ZGen_2Phase_counter);
    uint8_t de[QTPM_ECC_MAX_SIZE];
    rc = commit_r_at(tpm, cv, NULL, cnt64, de);
    if (rc)
        return rc;
    uint8_t z1x[QTPM_ECC_MAX_SIZE], z1y[QTPM_ECC_MAX_SIZE], z2x[QTPM_ECC_MAX_SIZE],
        z2y[QTPM_ECC_MAX_SIZE];
    int bad = qtpm_ecdh(cv, k->sens.sensitive.ecc.buffer, sx, sy, z1x, z1y) != QTPM_OK ||
              qtpm_ecdh(cv, de, ex, ey, z2x, z2y) != QTPM_OK;
    qtpm_memzero(de, sizeof(de));
    if (bad)
        return TPM_RC_NO_RESULT;
    set_point(&out->outZ1, z1x, z1y, n);
    set_point(&out->outZ2, z2x, z2y, n);
    qtpm_memzero(z1x, sizeof(z1x));
    qtpm_memzero(z2x, sizeof(z2x));
    commit_end(tpm, counter);
    return TPM_RC_SUCCESS;
}
