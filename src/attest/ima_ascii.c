/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ASCII form of an IMA list (ascii_runtime_measurements, ima_fs.c
 * ima_ascii_measurements_show): one line per entry,
 *   "<pcr> <template digest hex> <template name> <fields...>"
 * with fields "<alg>:<hex> <path>" for ima-ng, plus " <sig hex>" for ima-sig,
 * and "<sha1 hex> <path>" for ima. The template data is rebuilt from the
 * fields in the binary layout (ima.c), so replay works the same; the listed
 * template digest is kept as the list states it (the PCR replay, not this
 * parser, decides whether the list is true).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/attest.h"

static int hexval(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = (char)tolower((unsigned char)s[2 * i + k]);
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
            if (d < 0)
                return -1;
            v = v << 4 | d;
        }
        out[i] = (uint8_t)v;
    }
    return 0;
}

static int is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return n > 0 && n % 2 == 0;
}

/* Serialises the entry described by the fields into binary form and parses
 * it back with the binary parser, so both forms share one definition. */
static int add_line(char *line, qtpm_ima_list *list)
{
    char *sp1 = strchr(line, ' ');
    if (!sp1)
        return QTPM_ATTEST_EINVAL;
    *sp1 = '\0';
    char *end;
    unsigned long pcr = strtoul(line, &end, 10);
    if (*end || pcr > 23)
        return QTPM_ATTEST_EINVAL;
    char *th = sp1 + 1, *sp2 = strchr(th, ' ');
    if (!sp2 || sp2 - th != 40)
        return QTPM_ATTEST_EINVAL;
    uint8_t tsha1[20];
    if (hexval(th, 20, tsha1))
        return QTPM_ATTEST_EINVAL;
    char *name = sp2 + 1, *sp3 = strchr(name, ' ');
    if (!sp3)
        return QTPM_ATTEST_EINVAL;
    *sp3 = '\0';
    char *fields = sp3 + 1;
    qtpm_ima_entry e;
    memset(&e, 0, sizeof e);
    int rc;
    if (strcmp(name, "ima") == 0) {
        char *sp = strchr(fields, ' ');
        if (!sp || sp - fields != 40)
            return QTPM_ATTEST_EINVAL;
        uint8_t d[20];
        if (hexval(fields, 20, d))
            return QTPM_ATTEST_EINVAL;
        const char *path = sp + 1;
        size_t pl = strlen(path);
        uint8_t *bin = malloc(28 + 3 + 24 + pl);
        if (!bin)
            return QTPM_ATTEST_ENOMEM;
        size_t o = 0;
        uint32_t v;
        v = (uint32_t)pcr;
        memcpy(bin, (uint8_t[4]){ (uint8_t)v, 0, 0, 0 }, 4);
        memcpy(bin + 4, tsha1, 20);
        memcpy(bin + 24, (uint8_t[4]){ 3, 0, 0, 0 }, 4);
        memcpy(bin + 28, "ima", 3);
        o = 31;
        memcpy(bin + o, d, 20);
        o += 20;
        bin[o] = (uint8_t)pl;
        bin[o + 1] = (uint8_t)(pl >> 8);
        bin[o + 2] = (uint8_t)(pl >> 16);
        bin[o + 3] = (uint8_t)(pl >> 24);
        o += 4;
        memcpy(bin + o, path, pl);
        o += pl;
        rc = qtpm_ima_parse_binary(bin, o, list);
        free(bin);
        return rc;
    }
    int sig = strcmp(name, "ima-sig") == 0;
    if (!sig && strcmp(name, "ima-ng") != 0)
        return QTPM_ATTEST_EUNSUPP;
    char *colon = strchr(fields, ':'), *sp = strchr(fields, ' ');
    if (!colon || !sp || colon > sp)
        return QTPM_ATTEST_EINVAL;
    *colon = '\0';
    const char *alg = fields;
    const char *hex = colon + 1;
    size_t hl = (size_t)(sp - hex);
    if (!is_hex(hex, hl) || hl / 2 > QTPM_IMA_MAX_DIGEST)
        return QTPM_ATTEST_EINVAL;
    uint8_t d[QTPM_IMA_MAX_DIGEST];
    hexval(hex, hl / 2, d);
    char *path = sp + 1;
    char *sighex = NULL;
    if (sig) {
        char *last = strrchr(path, ' ');
        if (last && is_hex(last + 1, strlen(last + 1))) {
            *last = '\0';
            sighex = last + 1;
        }
    }
    TPMI_ALG_HASH a = !strcmp(alg, "sha1") ? TPM_ALG_SHA1 : !strcmp(alg, "sha256") ? TPM_ALG_SHA256
                      : !strcmp(alg, "sha384") ? TPM_ALG_SHA384 : !strcmp(alg, "sha512") ? TPM_ALG_SHA512
                                                                                      : TPM_ALG_NULL;
    if (a == TPM_ALG_NULL)
        return QTPM_ATTEST_EUNSUPP;
    rc = qtpm_ima_entry_ng((uint32_t)pcr, a, d, hl / 2, path, &e);
    if (rc != 0)
        return rc;
    if (sig) {
        /* rebuild as ima-sig: same fields plus the signature field */
        size_t sl = sighex ? strlen(sighex) / 2 : 0;
        uint8_t *nd = realloc(e.template_data, e.template_data_len + 4 + sl);
        if (!nd) {
            qtpm_ima_entry_free(&e);
            return QTPM_ATTEST_ENOMEM;
        }
        e.template_data = nd;
        uint8_t *p = nd + e.template_data_len;
        p[0] = (uint8_t)sl;
        p[1] = (uint8_t)(sl >> 8);
        p[2] = (uint8_t)(sl >> 16);
        p[3] = (uint8_t)(sl >> 24);
        if (sl)
            hexval(sighex, sl, p + 4);
        e.template_data_len += 4 + sl;
        e.template_id = QTPM_IMA_TEMPLATE_IMA_SIG;
    }
    memcpy(e.template_sha1, tsha1, 20);
    uint8_t *bin = NULL;
    size_t bl = 0;
    rc = qtpm_ima_serialize_binary(&e, &bin, &bl);
    qtpm_ima_entry_free(&e);
    if (rc == 0)
        rc = qtpm_ima_parse_binary(bin, bl, list);
    free(bin);
    return rc;
}

int qtpm_ima_parse_ascii(const char *text, size_t len, qtpm_ima_list *list)
{
    size_t off = 0;
    while (off < len) {
        const char *nl = memchr(text + off, '\n', len - off);
        size_t n = nl ? (size_t)(nl - (text + off)) : len - off;
        if (n > QTPM_IMA_MAX_PATH + 2048)
            return QTPM_ATTEST_ERANGE;
        if (n > 0) {
            char *line = malloc(n + 1);
            if (!line)
                return QTPM_ATTEST_ENOMEM;
            memcpy(line, text + off, n);
            line[n] = '\0';
            if (memchr(line, '\0', n)) {
                free(line);
                return QTPM_ATTEST_EINVAL;
            }
            int rc = add_line(line, list);
            free(line);
            if (rc != 0)
                return rc;
        }
        off += n + 1;
    }
    return 0;
}

static const char *alg_name(TPMI_ALG_HASH a)
{
    return a == TPM_ALG_SHA1 ? "sha1" : a == TPM_ALG_SHA256 ? "sha256" : a == TPM_ALG_SHA384 ? "sha384" : "sha512";
}

int qtpm_ima_format_ascii(const qtpm_ima_entry *e, char **line)
{
    static const char d[] = "0123456789abcdef";
    size_t cap = 64 + 2 * 20 + 2 * e->file_digest_len + strlen(e->path ? e->path : "") +
                 2 * e->sig_len + 16;
    char *s = malloc(cap);
    if (!s)
        return QTPM_ATTEST_ENOMEM;
    char th[41], fd[2 * QTPM_IMA_MAX_DIGEST + 1];
    for (size_t i = 0; i < 20; i++) {
        th[2 * i] = d[e->template_sha1[i] >> 4];
        th[2 * i + 1] = d[e->template_sha1[i] & 15];
    }
    th[40] = '\0';
    for (size_t i = 0; i < e->file_digest_len; i++) {
        fd[2 * i] = d[e->file_digest[i] >> 4];
        fd[2 * i + 1] = d[e->file_digest[i] & 15];
    }
    fd[2 * e->file_digest_len] = '\0';
    int n;
    if (e->template_id == QTPM_IMA_TEMPLATE_IMA)
        n = snprintf(s, cap, "%u %s ima %s %s", e->pcr, th, fd, e->path);
    else
        n = snprintf(s, cap, "%u %s %s %s:%s %s", e->pcr, th,
                     e->template_id == QTPM_IMA_TEMPLATE_IMA_SIG ? "ima-sig" : "ima-ng",
                     alg_name(e->file_alg), fd, e->path);
    if (n > 0 && e->template_id == QTPM_IMA_TEMPLATE_IMA_SIG && e->sig_len) {
        size_t o = (size_t)n;
        s[o++] = ' ';
        for (size_t i = 0; i < e->sig_len; i++) {
            s[o++] = d[e->sig[i] >> 4];
            s[o++] = d[e->sig[i] & 15];
        }
        s[o] = '\0';
    }
    *line = s;
    return 0;
}
