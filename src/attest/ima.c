/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Linux IMA measurement lists as the kernel writes them
 * (security/integrity/ima/ima_fs.c, ima_template.c, ima_template_lib.c):
 *
 *   binary_runtime_measurements, per entry, in host byte order (x86: LE):
 *     u32 pcr | 20-byte SHA-1 template digest | u32 name length | name |
 *     u32 template data length (absent for the "ima" template) | data
 *   ima-ng data:  u32 len | "<alg>:" NUL digest      (field d-ng)
 *                 u32 len | path NUL                 (field n-ng)
 *   ima-sig adds: u32 len | signature                (field sig)
 *   "ima" data:   20-byte SHA-1 digest | u32 len | name without NUL
 *
 * The template digest is SHA-1 over the template data as listed (for "ima":
 * the digest followed by the name zero-padded to IMA_EVENT_NAME_LEN_MAX + 1 =
 * 256 bytes); for each other PCR bank the kernel extends that bank's hash of
 * the same bytes (ima_calc_field_array_hash per bank). A violation entry has
 * an all-zero template digest and extends all-0xFF into every bank.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "qtpm/attest.h"

#define IMA_NAME_PAD 256 /* IMA_EVENT_NAME_LEN_MAX + 1 */
#define MAX_TEMPLATE_DATA (64u * 1024u)

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static const struct { const char *name; TPMI_ALG_HASH alg; size_t len; } file_algs[] = {
    { "sha1", TPM_ALG_SHA1, 20 },     { "sha256", TPM_ALG_SHA256, 32 },
    { "sha384", TPM_ALG_SHA384, 48 }, { "sha512", TPM_ALG_SHA512, 64 },
};

static const EVP_MD *md_of(TPMI_ALG_HASH alg)
{
    switch (alg) {
    case TPM_ALG_SHA1: return EVP_sha1();
    case TPM_ALG_SHA256: return EVP_sha256();
    case TPM_ALG_SHA384: return EVP_sha384();
    case TPM_ALG_SHA512: return EVP_sha512();
    default: return NULL;
    }
}

void qtpm_ima_entry_free(qtpm_ima_entry *e)
{
    if (!e)
        return;
    free(e->path);
    free(e->sig);
    free(e->template_data);
    memset(e, 0, sizeof *e);
}

void qtpm_ima_list_free(qtpm_ima_list *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->count; i++)
        qtpm_ima_entry_free(&l->entries[i]);
    free(l->entries);
    memset(l, 0, sizeof *l);
}

static int list_push(qtpm_ima_list *l, qtpm_ima_entry *e)
{
    if (l->count == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 64;
        qtpm_ima_entry *n = realloc(l->entries, nc * sizeof *n);
        if (!n)
            return QTPM_ATTEST_ENOMEM;
        l->entries = n;
        l->cap = nc;
    }
    l->entries[l->count++] = *e;
    memset(e, 0, sizeof *e);
    return 0;
}

/* The fields of an ima-ng / ima-sig template data: d-ng, n-ng, [sig]. */
static int parse_ng_fields(qtpm_ima_entry *e, const uint8_t *d, size_t len, int want_sig)
{
    size_t off = 0;
    if (len - off < 4)
        return QTPM_ATTEST_EINVAL;
    uint32_t fl = get32(d + off);
    off += 4;
    if (fl > len - off)
        return QTPM_ATTEST_EINVAL;
    const uint8_t *colon = memchr(d + off, ':', fl);
    if (!colon || (size_t)(colon - (d + off)) + 2 > fl || colon[1] != '\0')
        return QTPM_ATTEST_EINVAL;
    size_t alg_len = (size_t)(colon - (d + off));
    size_t dig_len = fl - alg_len - 2;
    size_t i;
    for (i = 0; i < sizeof file_algs / sizeof file_algs[0]; i++)
        if (strlen(file_algs[i].name) == alg_len &&
            memcmp(file_algs[i].name, d + off, alg_len) == 0)
            break;
    if (i == sizeof file_algs / sizeof file_algs[0])
        return QTPM_ATTEST_EUNSUPP;
    if (dig_len != file_algs[i].len)
        return QTPM_ATTEST_EINVAL;
    e->file_alg = file_algs[i].alg;
    e->file_digest_len = dig_len;
    memcpy(e->file_digest, colon + 2, dig_len);
    off += fl;
    if (len - off < 4)
        return QTPM_ATTEST_EINVAL;
    fl = get32(d + off);
    off += 4;
    if (fl == 0 || fl > len - off || fl > QTPM_IMA_MAX_PATH || d[off + fl - 1] != '\0' ||
        memchr(d + off, '\0', fl) != d + off + fl - 1)
        return QTPM_ATTEST_EINVAL;
    e->path = malloc(fl);
    if (!e->path)
        return QTPM_ATTEST_ENOMEM;
    memcpy(e->path, d + off, fl);
    off += fl;
    if (want_sig) {
        if (len - off < 4)
            return QTPM_ATTEST_EINVAL;
        fl = get32(d + off);
        off += 4;
        if (fl > len - off)
            return QTPM_ATTEST_EINVAL;
        if (fl) {
            e->sig = malloc(fl);
            if (!e->sig)
                return QTPM_ATTEST_ENOMEM;
            memcpy(e->sig, d + off, fl);
            e->sig_len = fl;
        }
        off += fl;
    }
    return off == len ? 0 : QTPM_ATTEST_EINVAL;
}

static int all_zero(const uint8_t *p, size_t n)
{
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= p[i];
    return acc == 0;
}

int qtpm_ima_parse_binary(const uint8_t *buf, size_t len, qtpm_ima_list *list)
{
    size_t off = 0;
    while (off < len) {
        qtpm_ima_entry e;
        memset(&e, 0, sizeof e);
        if (len - off < 4 + 20 + 4)
            return QTPM_ATTEST_EINVAL;
        e.pcr = get32(buf + off);
        memcpy(e.template_sha1, buf + off + 4, 20);
        uint32_t nl = get32(buf + off + 24);
        off += 28;
        if (nl == 0 || nl > 15 || nl > len - off || e.pcr > 23)
            return QTPM_ATTEST_EINVAL;
        char name[16];
        memcpy(name, buf + off, nl);
        name[nl] = '\0';
        off += nl;
        int rc;
        e.violation = all_zero(e.template_sha1, 20);
        if (strcmp(name, "ima") == 0) {
            /* "ima": digest (20) then the name with a length, no data length */
            if (len - off < 24)
                return QTPM_ATTEST_EINVAL;
            uint32_t pl = get32(buf + off + 20);
            if (pl > len - off - 24 || pl >= IMA_NAME_PAD || memchr(buf + off + 24, '\0', pl))
                return QTPM_ATTEST_EINVAL;
            e.template_id = QTPM_IMA_TEMPLATE_IMA;
            e.file_alg = TPM_ALG_SHA1;
            e.file_digest_len = 20;
            memcpy(e.file_digest, buf + off, 20);
            e.path = malloc(pl + 1);
            e.template_data = calloc(1, 20 + IMA_NAME_PAD);
            if (!e.path || !e.template_data) {
                qtpm_ima_entry_free(&e);
                return QTPM_ATTEST_ENOMEM;
            }
            memcpy(e.path, buf + off + 24, pl);
            e.path[pl] = '\0';
            memcpy(e.template_data, buf + off, 20);
            memcpy(e.template_data + 20, e.path, pl);
            e.template_data_len = 20 + IMA_NAME_PAD;
            off += 24 + pl;
        } else {
            if (strcmp(name, "ima-ng") == 0)
                e.template_id = QTPM_IMA_TEMPLATE_IMA_NG;
            else if (strcmp(name, "ima-sig") == 0)
                e.template_id = QTPM_IMA_TEMPLATE_IMA_SIG;
            else
                return QTPM_ATTEST_EUNSUPP;
            if (len - off < 4)
                return QTPM_ATTEST_EINVAL;
            uint32_t dl = get32(buf + off);
            off += 4;
            if (dl > len - off || dl > MAX_TEMPLATE_DATA)
                return QTPM_ATTEST_EINVAL;
            rc = parse_ng_fields(&e, buf + off, dl, e.template_id == QTPM_IMA_TEMPLATE_IMA_SIG);
            if (rc == 0 && !(e.template_data = malloc(dl ? dl : 1)))
                rc = QTPM_ATTEST_ENOMEM;
            if (rc != 0) {
                qtpm_ima_entry_free(&e);
                return rc;
            }
            memcpy(e.template_data, buf + off, dl);
            e.template_data_len = dl;
            off += dl;
        }
        /* The template hash is SHA-1 of the template data (ima_calc_field_array_hash
         * in security/integrity/ima/ima_crypto.c); zeros mark a violation. A list
         * whose hash and data disagree cannot have come from the kernel. */
        if (!e.violation) {
            uint8_t h[20];
            unsigned int hl = 0;
            if (EVP_Digest(e.template_data, e.template_data_len, h, &hl, EVP_sha1(), NULL) != 1 ||
                memcmp(h, e.template_sha1, 20) != 0) {
                qtpm_ima_entry_free(&e);
                return QTPM_ATTEST_EINVAL;
            }
        }
        if ((rc = list_push(list, &e)) != 0) {
            qtpm_ima_entry_free(&e);
            return rc;
        }
    }
    return 0;
}

static int ng_data(qtpm_ima_entry *e, const char *alg_name)
{
    size_t an = strlen(alg_name), pl = strlen(e->path) + 1;
    size_t dl = 4 + an + 2 + e->file_digest_len + 4 + pl + (e->template_id == QTPM_IMA_TEMPLATE_IMA_SIG ? 4 + e->sig_len : 0);
    uint8_t *d = malloc(dl);
    if (!d)
        return QTPM_ATTEST_ENOMEM;
    size_t off = 0;
    put32(d, (uint32_t)(an + 2 + e->file_digest_len));
    off += 4;
    memcpy(d + off, alg_name, an);
    off += an;
    d[off++] = ':';
    d[off++] = '\0';
    memcpy(d + off, e->file_digest, e->file_digest_len);
    off += e->file_digest_len;
    put32(d + off, (uint32_t)pl);
    off += 4;
    memcpy(d + off, e->path, pl);
    off += pl;
    if (e->template_id == QTPM_IMA_TEMPLATE_IMA_SIG) {
        put32(d + off, (uint32_t)e->sig_len);
        off += 4;
        if (e->sig_len)
            memcpy(d + off, e->sig, e->sig_len);
    }
    free(e->template_data);
    e->template_data = d;
    e->template_data_len = dl;
    unsigned int ol = 0;
    return EVP_Digest(d, dl, e->template_sha1, &ol, EVP_sha1(), NULL) == 1 ? 0
                                                                          : QTPM_ATTEST_EINVAL;
}

int qtpm_ima_entry_ng(uint32_t pcr, TPMI_ALG_HASH file_alg, const uint8_t *digest,
                      size_t digest_len, const char *path, qtpm_ima_entry *out)
{
    memset(out, 0, sizeof *out);
    size_t i;
    for (i = 0; i < sizeof file_algs / sizeof file_algs[0]; i++)
        if (file_algs[i].alg == file_alg)
            break;
    if (i == sizeof file_algs / sizeof file_algs[0] || digest_len != file_algs[i].len ||
        !path || strlen(path) + 1 > QTPM_IMA_MAX_PATH || pcr > 23)
        return QTPM_ATTEST_EINVAL;
    out->pcr = pcr;
    out->template_id = QTPM_IMA_TEMPLATE_IMA_NG;
    out->file_alg = file_alg;
    out->file_digest_len = digest_len;
    memcpy(out->file_digest, digest, digest_len);
    out->path = strdup(path);
    if (!out->path)
        return QTPM_ATTEST_ENOMEM;
    int rc = ng_data(out, file_algs[i].name);
    if (rc != 0)
        qtpm_ima_entry_free(out);
    return rc;
}

int qtpm_ima_extend_value(const qtpm_ima_entry *e, TPMI_ALG_HASH alg, uint8_t *out,
                          size_t *out_len)
{
    const EVP_MD *md = md_of(alg);
    if (!md)
        return QTPM_ATTEST_EUNSUPP;
    size_t n = (size_t)EVP_MD_get_size(md);
    if (e->violation) {
        memset(out, 0xFF, n);
        *out_len = n;
        return 0;
    }
    unsigned int ol = 0;
    if (EVP_Digest(e->template_data, e->template_data_len, out, &ol, md, NULL) != 1)
        return QTPM_ATTEST_EINVAL;
    *out_len = ol;
    return 0;
}

int qtpm_ima_boot_aggregate(TPMI_ALG_HASH alg, const TPM2B_DIGEST pcrs[10], uint8_t *out,
                            size_t *out_len)
{
    const EVP_MD *md = md_of(alg);
    if (!md)
        return QTPM_ATTEST_EUNSUPP;
    size_t n = (size_t)EVP_MD_get_size(md);
    /* PCRs 8 and 9 (kernel command line, kernel image as measured by the boot
     * loader) are only in non-SHA-1 aggregates, so old SHA-1 values still match */
    unsigned last = alg == TPM_ALG_SHA1 ? 8 : 10;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, md, NULL) == 1;
    for (unsigned i = 0; ok && i < last; i++)
        ok = pcrs[i].size == n && EVP_DigestUpdate(c, pcrs[i].buffer, n) == 1;
    unsigned int ol = 0;
    ok = ok && EVP_DigestFinal_ex(c, out, &ol) == 1;
    EVP_MD_CTX_free(c);
    if (!ok)
        return QTPM_ATTEST_EINVAL;
    *out_len = ol;
    return 0;
}

static const char *template_name(qtpm_ima_template t)
{
    return t == QTPM_IMA_TEMPLATE_IMA ? "ima" : t == QTPM_IMA_TEMPLATE_IMA_NG ? "ima-ng" : "ima-sig";
}

int qtpm_ima_serialize_binary(const qtpm_ima_entry *e, uint8_t **buf, size_t *len)
{
    const char *name = template_name(e->template_id);
    size_t nl = strlen(name);
    size_t pl = e->path ? strlen(e->path) : 0;
    size_t add = e->template_id == QTPM_IMA_TEMPLATE_IMA ? 28 + nl + 24 + pl
                                                         : 28 + nl + 4 + e->template_data_len;
    uint8_t *b = realloc(*buf, *len + add);
    if (!b)
        return QTPM_ATTEST_ENOMEM;
    uint8_t *p = b + *len;
    put32(p, e->pcr);
    memcpy(p + 4, e->template_sha1, 20);
    put32(p + 24, (uint32_t)nl);
    memcpy(p + 28, name, nl);
    p += 28 + nl;
    if (e->template_id == QTPM_IMA_TEMPLATE_IMA) {
        memcpy(p, e->file_digest, 20);
        put32(p + 20, (uint32_t)pl);
        memcpy(p + 24, e->path, pl);
    } else {
        put32(p, (uint32_t)e->template_data_len);
        memcpy(p + 4, e->template_data, e->template_data_len);
    }
    *buf = b;
    *len += add;
    return 0;
}
