/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reference digest lists (docs/ATTESTATION.md "Digest lists"): what a vendor
 * publishes for one router image, signed twice — ML-DSA-65 (FIPS 204, pure,
 * context "qtpm-digestlist-v1") and ECDSA P-384 with SHA-384 — and accepted
 * only when both signatures verify, so the list stays trustworthy if either
 * the post-quantum or the classic scheme falls.
 *
 * Layout, all integers big-endian:
 *   body:  "QDL1" | u16 format (1) | u16 vendor len | vendor | u16 image len |
 *          image | u64 list version | u64 issued (Unix s) | u32 count |
 *          count × { u16 hash alg (TPM_ALG_ID) | u8 digest len | digest |
 *                    u8 kind (1 exec, 2 config, 3 forbidden) | u16 path len | path }
 *          entries sorted by (alg, digest), no duplicates
 *   then:  u32 len | ML-DSA-65 signature over body
 *          u32 len | ECDSA P-384 DER signature over body
 * The parser is strict: every length is checked, nothing may follow the
 * signatures, and the body must be in canonical (sorted, unique) order, so
 * one list has exactly one encoding.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "qtpm/attest.h"
#include "qtpm/common.h"
#include "qtpm/mldsa.h"

static const uint8_t ctx_str[] = "qtpm-digestlist-v1";
#define CTX_LEN (sizeof ctx_str - 1)
#define MAX_ENTRIES (1u << 22)

typedef struct {
    const uint8_t *p;
    size_t len, off;
} rd;

static int get(rd *r, void *out, size_t n)
{
    if (r->len - r->off < n)
        return -1;
    if (out)
        memcpy(out, r->p + r->off, n);
    r->off += n;
    return 0;
}

static int get_u(rd *r, size_t n, uint64_t *v)
{
    uint8_t b[8];
    if (get(r, b, n))
        return -1;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = *v << 8 | b[i];
    return 0;
}

static char *get_str(rd *r, size_t lenbytes)
{
    uint64_t n;
    if (get_u(r, lenbytes, &n) || r->len - r->off < n)
        return NULL;
    if (memchr(r->p + r->off, '\0', n))
        return NULL;
    char *s = malloc(n + 1);
    if (!s)
        return NULL;
    memcpy(s, r->p + r->off, n);
    s[n] = '\0';
    r->off += n;
    return s;
}

void qtpm_digestlist_free(qtpm_digestlist *dl)
{
    if (!dl)
        return;
    for (size_t i = 0; i < dl->count; i++)
        free(dl->entries[i].path);
    free(dl->entries);
    free(dl->vendor);
    free(dl->image);
    memset(dl, 0, sizeof *dl);
}

static int cmp_entry(const qtpm_dl_entry *a, TPMI_ALG_HASH alg, const uint8_t *d, size_t n)
{
    if (a->alg != alg)
        return a->alg < alg ? -1 : 1;
    if (a->digest_len != n)
        return a->digest_len < n ? -1 : 1;
    return memcmp(a->digest, d, n);
}

static int parse_body(rd *r, qtpm_digestlist *dl)
{
    uint8_t magic[4];
    uint64_t fmt, count;
    memset(dl, 0, sizeof *dl);
    if (get(r, magic, 4) || memcmp(magic, "QDL1", 4) || get_u(r, 2, &fmt) || fmt != 1)
        return QTPM_ATTEST_EINVAL;
    if (!(dl->vendor = get_str(r, 2)) || !(dl->image = get_str(r, 2)) ||
        get_u(r, 8, &dl->version) || get_u(r, 8, &dl->issued) || get_u(r, 4, &count) ||
        count > MAX_ENTRIES || count > (r->len - r->off) / 7)
        goto bad; /* an entry takes at least 7 bytes: no allocation beyond the input */
    dl->entries = calloc(count ? count : 1, sizeof *dl->entries);
    if (!dl->entries)
        goto bad;
    for (uint64_t i = 0; i < count; i++) {
        qtpm_dl_entry *e = &dl->entries[i];
        uint64_t alg, dlen, kind;
        if (get_u(r, 2, &alg) || get_u(r, 1, &dlen) || dlen == 0 || dlen > QTPM_IMA_MAX_DIGEST ||
            get(r, e->digest, dlen) || get_u(r, 1, &kind) || kind < 1 || kind > 3)
            goto bad;
        e->alg = (TPMI_ALG_HASH)alg;
        e->digest_len = dlen;
        e->kind = (qtpm_dl_kind)kind;
        if (!(e->path = get_str(r, 2)))
            goto bad;
        dl->count = i + 1;
        if (i > 0 && cmp_entry(&dl->entries[i - 1], e->alg, e->digest, e->digest_len) >= 0)
            goto bad; /* not canonical */
    }
    return 0;
bad:
    qtpm_digestlist_free(dl);
    return QTPM_ATTEST_EINVAL;
}

static int ecdsa_verify(const char *pem, const uint8_t *body, size_t len, const uint8_t *sig,
                        size_t sig_len)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PUBKEY(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (!k)
        return -1;
    int ok = EVP_PKEY_get_base_id(k) == EVP_PKEY_EC && EVP_PKEY_get_bits(k) == 384;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    ok = ok && c && EVP_DigestVerifyInit(c, NULL, EVP_sha384(), NULL, k) == 1 &&
         EVP_DigestVerify(c, sig, sig_len, body, len) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    return ok ? 0 : -1;
}

int qtpm_digestlist_parse_unverified(const uint8_t *buf, size_t len, qtpm_digestlist *out,
                                     size_t *body_len)
{
    rd r = { buf, len, 0 };
    int rc = parse_body(&r, out);
    if (rc == 0 && body_len)
        *body_len = r.off;
    return rc;
}

int qtpm_digestlist_verify(const uint8_t *signed_list, size_t len, const uint8_t *mldsa65_pub,
                           size_t mldsa65_pub_len, const char *ecdsa_p384_pem,
                           qtpm_digestlist *out)
{
    rd r = { signed_list, len, 0 };
    qtpm_digestlist dl;
    int rc = parse_body(&r, &dl);
    memset(out, 0, sizeof *out);
    if (rc != 0)
        return rc;
    size_t body_len = r.off;
    uint64_t l1, l2;
    const uint8_t *s1, *s2;
    if (get_u(&r, 4, &l1) || r.len - r.off < l1) {
        qtpm_digestlist_free(&dl);
        return QTPM_ATTEST_ESIG; /* no ML-DSA signature */
    }
    s1 = signed_list + r.off;
    r.off += l1;
    if (get_u(&r, 4, &l2) || r.len - r.off < l2 || l2 == 0) {
        qtpm_digestlist_free(&dl);
        return QTPM_ATTEST_ESIG; /* no ECDSA signature */
    }
    s2 = signed_list + r.off;
    r.off += l2;
    if (r.off != r.len) {
        qtpm_digestlist_free(&dl);
        return QTPM_ATTEST_EINVAL;
    }
    int ok_pq = mldsa65_pub && l1 == qtpm_mldsa_sig_bytes(QTPM_MLDSA_65) &&
                qtpm_mldsa_verify(QTPM_MLDSA_65, mldsa65_pub, mldsa65_pub_len, signed_list,
                                  body_len, ctx_str, CTX_LEN, s1, l1) == QTPM_OK;
    int ok_classic = ecdsa_p384_pem && ecdsa_verify(ecdsa_p384_pem, signed_list, body_len, s2,
                                                    l2) == 0;
    if (!ok_pq || !ok_classic) {
        qtpm_digestlist_free(&dl);
        return QTPM_ATTEST_ESIG;
    }
    *out = dl;
    return 0;
}

const qtpm_dl_entry *qtpm_digestlist_find(const qtpm_digestlist *dl, TPMI_ALG_HASH alg,
                                          const uint8_t *digest, size_t len)
{
    size_t lo = 0, hi = dl->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_entry(&dl->entries[mid], alg, digest, len);
        if (c == 0)
            return &dl->entries[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ------------------------------------------------------------- building */

typedef struct {
    uint8_t *b;
    size_t len, cap;
    int err;
} wr;

static void put(wr *w, const void *p, size_t n)
{
    if (w->err)
        return;
    if (w->len + n > w->cap) {
        size_t nc = w->cap ? w->cap : 4096;
        while (nc < w->len + n)
            nc *= 2;
        uint8_t *nb = realloc(w->b, nc);
        if (!nb) {
            w->err = 1;
            return;
        }
        w->b = nb;
        w->cap = nc;
    }
    memcpy(w->b + w->len, p, n);
    w->len += n;
}

static void put_u(wr *w, uint64_t v, size_t n)
{
    uint8_t b[8];
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    put(w, b, n);
}

static int qsort_cmp(const void *a, const void *b)
{
    const qtpm_dl_entry *y = b;
    return cmp_entry(a, y->alg, y->digest, y->digest_len);
}

int qtpm_digestlist_sign(qtpm_digestlist *dl, const uint8_t mldsa65_seed[32],
                         const char *ecdsa_p384_key_pem, uint8_t **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    qsort(dl->entries, dl->count, sizeof *dl->entries, qsort_cmp);
    /* the same content twice (two paths, one digest) is kept once: a list
     * names digests, paths are for the reasons shown to operators */
    size_t kept = 0;
    for (size_t i = 0; i < dl->count; i++) {
        if (kept && cmp_entry(&dl->entries[kept - 1], dl->entries[i].alg, dl->entries[i].digest,
                           dl->entries[i].digest_len) == 0) {
            free(dl->entries[i].path);
            continue;
        }
        dl->entries[kept++] = dl->entries[i];
    }
    dl->count = kept;
    wr w = { NULL, 0, 0, 0 };
    size_t vl = strlen(dl->vendor), il = strlen(dl->image);
    if (vl > 0xFFFF || il > 0xFFFF)
        return QTPM_ATTEST_EINVAL;
    put(&w, "QDL1", 4);
    put_u(&w, 1, 2);
    put_u(&w, vl, 2);
    put(&w, dl->vendor, vl);
    put_u(&w, il, 2);
    put(&w, dl->image, il);
    put_u(&w, dl->version, 8);
    put_u(&w, dl->issued, 8);
    put_u(&w, dl->count, 4);
    for (size_t i = 0; i < dl->count; i++) {
        const qtpm_dl_entry *e = &dl->entries[i];
        size_t pl = strlen(e->path);
        if (pl > 0xFFFF) {
            free(w.b);
            return QTPM_ATTEST_EINVAL;
        }
        put_u(&w, e->alg, 2);
        put_u(&w, e->digest_len, 1);
        put(&w, e->digest, e->digest_len);
        put_u(&w, (uint64_t)e->kind, 1);
        put_u(&w, pl, 2);
        put(&w, e->path, pl);
    }
    if (w.err) {
        free(w.b);
        return QTPM_ATTEST_ENOMEM;
    }
    size_t body_len = w.len;
    uint8_t sig[QTPM_MLDSA_MAX_SIG_BYTES];
    size_t sl = qtpm_mldsa_sig_bytes(QTPM_MLDSA_65);
    if (qtpm_mldsa_sign(QTPM_MLDSA_65, mldsa65_seed, 32, w.b, body_len, ctx_str, CTX_LEN, NULL,
                        sig) != QTPM_OK) {
        free(w.b);
        return QTPM_ATTEST_ESIG;
    }
    put_u(&w, sl, 4);
    put(&w, sig, sl);
    BIO *b = BIO_new_mem_buf(ecdsa_p384_key_pem, -1);
    EVP_PKEY *k = b ? PEM_read_bio_PrivateKey(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    uint8_t der[256];
    size_t dl_len = sizeof der;
    int ok = k && c && EVP_PKEY_get_base_id(k) == EVP_PKEY_EC && EVP_PKEY_get_bits(k) == 384 &&
             EVP_DigestSignInit(c, NULL, EVP_sha384(), NULL, k) == 1 &&
             EVP_DigestSign(c, der, &dl_len, w.b, body_len) == 1;
    EVP_MD_CTX_free(c);
    EVP_PKEY_free(k);
    if (!ok || w.err) {
        free(w.b);
        return QTPM_ATTEST_ESIG;
    }
    put_u(&w, dl_len, 4);
    put(&w, der, dl_len);
    if (w.err) {
        free(w.b);
        return QTPM_ATTEST_ENOMEM;
    }
    *out = w.b;
    *out_len = w.len;
    return 0;
}
