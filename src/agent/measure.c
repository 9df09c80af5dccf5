/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's measurer. Where the kernel's IMA is active the agent only
 * forwards its list (/sys/kernel/security/ima/binary_runtime_measurements);
 * elsewhere it does what IMA would: each file of the router image whose
 * content is new gets an ima-ng entry (SHA-256 file digest, path as on the
 * router), appended to the agent's binary list and extended into PCR 10 of
 * every allocated SHA-1/SHA-256 bank with that bank's hash of the template
 * data — the kernel's ima_pcr_extend() rule — so the NMS verifies both kinds
 * of router with one verifier.
 *
 * Files live in state_dir: measurements.bin (the list, in the kernel's binary
 * format) and measured (one "<sha256 hex> <path>" line per entry, so a file
 * is measured again only when its content changes, as IMA re-measures a file
 * whose i_version changed). The list entry is written and fsync'd before
 * PCR 10 is extended: a crash in between leaves an entry the PCR lacks,
 * which the verifier reports as a PCR mismatch rather than hiding a file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "agent.h"
#include "qtpm/tss_cmd.h"

#define KERNEL_IMA_LIST "/sys/kernel/security/ima/binary_runtime_measurements"
#define IMA_PCR 10

int agent_uses_kernel_ima(const agent_config *cfg)
{
    if (strcmp(cfg->ima_source, "own") == 0)
        return 0;
    if (strcmp(cfg->ima_source, "kernel") == 0)
        return 1;
    return access(KERNEL_IMA_LIST, R_OK) == 0;
}

static void state_path(const agent_config *cfg, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", cfg->state_dir, name);
}

int agent_read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    while (b) {
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        uint8_t *nb = realloc(b, cap * 2);
        if (!nb) {
            free(b);
            b = NULL;
            break;
        }
        b = nb;
        cap *= 2;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

/* Writes path atomically: a temporary file, fsync, rename. */
int agent_write_file(const char *path, const uint8_t *buf, size_t len, int mode)
{
    char tmp[1100];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        return -1;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

static int append_file(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd < 0)
        return -1;
    const uint8_t *p = buf;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, p + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int agent_measure_start(agent_measurer *m, const agent_config *cfg, qtpm_tss *tpm)
{
    memset(m, 0, sizeof *m);
    m->cfg = cfg;
    m->tpm = tpm;
    if (agent_uses_kernel_ima(cfg))
        return 0;
    TPMI_YES_NO more;
    TPMS_CAPABILITY_DATA cap;
    int rc = qtpm_tss_GetCapability(tpm, TPM_CAP_PCRS, 0, 1, &more, &cap);
    if (rc != QTPM_OK)
        return rc;
    const TPML_PCR_SELECTION *a = &cap.data.assignedPCR;
    for (UINT32 i = 0; i < a->count && m->n_banks < 2; i++) {
        TPMI_ALG_HASH h = a->pcrSelections[i].hash;
        if ((h == TPM_ALG_SHA1 || h == TPM_ALG_SHA256) && a->pcrSelections[i].sizeofSelect > 1 &&
            (a->pcrSelections[i].pcrSelect[IMA_PCR / 8] & (1u << (IMA_PCR % 8))))
            m->banks[m->n_banks++] = h;
    }
    if (m->n_banks == 0)
        return QTPM_E_PARAM;
    /* A PCR 10 of zeros means the TPM was reset: a new boot, a new list. */
    TPML_PCR_SELECTION sel;
    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = m->banks[0];
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[IMA_PCR / 8] = 1u << (IMA_PCR % 8);
    TPM2B_DIGEST v[1];
    size_t n = 0;
    if ((rc = qtpm_tss_pcr_read_all(tpm, &sel, v, 1, &n)) != QTPM_OK)
        return rc;
    int zero = 1;
    for (UINT16 i = 0; i < v[0].size; i++)
        zero &= v[0].buffer[i] == 0;
    if (zero) {
        char p[1100];
        state_path(cfg, "measurements.bin", p, sizeof p);
        unlink(p);
        state_path(cfg, "measured", p, sizeof p);
        unlink(p);
    }
    return 0;
}

/* Is "<hex> <path>" already recorded? The record is small (one line per
 * measured file), so it is read per scan. */
static int already_measured(const char *record, size_t len, const char *line)
{
    size_t l = strlen(line);
    if (!record)
        return 0;
    const char *p = record, *end = record + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (n == l && memcmp(p, line, l) == 0)
            return 1;
        p += n + 1;
    }
    return 0;
}

static int sha256_file(const char *path, uint8_t out[32])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL);
    uint8_t buf[16384];
    size_t r;
    while (ok && (r = fread(buf, 1, sizeof buf, f)) > 0)
        ok = EVP_DigestUpdate(c, buf, r);
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(c, out, NULL);
    EVP_MD_CTX_free(c);
    fclose(f);
    return ok ? 0 : -1;
}

static int measure_one(agent_measurer *m, const char *file, const char *router_path,
                       char **record, size_t *record_len, size_t *added)
{
    uint8_t d[32];
    if (sha256_file(file, d) != 0)
        return 0; /* vanished or unreadable: IMA would not measure it either */
    char *hex = agent_hex(d, 32);
    if (!hex)
        return QTPM_E_NOMEM;
    size_t ll = strlen(hex) + 1 + strlen(router_path) + 2;
    char *line = malloc(ll);
    if (!line) {
        free(hex);
        return QTPM_E_NOMEM;
    }
    snprintf(line, ll, "%s %s", hex, router_path);
    free(hex);
    if (already_measured(*record, *record_len, line)) {
        free(line);
        return 0;
    }
    qtpm_ima_entry e;
    int rc = qtpm_ima_entry_ng(IMA_PCR, TPM_ALG_SHA256, d, 32, router_path, &e);
    uint8_t *bin = NULL;
    size_t bin_len = 0;
    if (rc == 0)
        rc = qtpm_ima_serialize_binary(&e, &bin, &bin_len);
    char p[1100];
    snprintf(p, sizeof p, "%s/measurements.bin", m->cfg->state_dir);
    if (rc == 0 && append_file(p, bin, bin_len) != 0)
        rc = AGENT_E_IO;
    TPML_DIGEST_VALUES dv;
    memset(&dv, 0, sizeof dv);
    for (size_t i = 0; rc == 0 && i < m->n_banks; i++) {
        size_t n = 0;
        dv.digests[i].hashAlg = m->banks[i];
        rc = qtpm_ima_extend_value(&e, m->banks[i], (uint8_t *)&dv.digests[i].digest, &n);
        dv.count++;
    }
    if (rc == 0)
        rc = qtpm_tss_PCR_Extend(m->tpm, NULL, IMA_PCR, &dv);
    free(bin);
    qtpm_ima_entry_free(&e);
    if (rc == 0) {
        snprintf(p, sizeof p, "%s/measured", m->cfg->state_dir);
        size_t l = strlen(line);
        line[l] = '\n';
        if (append_file(p, line, l + 1) != 0)
            rc = AGENT_E_IO;
        char *nr = realloc(*record, *record_len + l + 1);
        if (nr) {
            memcpy(nr + *record_len, line, l + 1);
            *record = nr;
            *record_len += l + 1;
        }
        (*added)++;
    }
    free(line);
    return rc;
}

static int filter_dots(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Depth-first in name order, so two agents measuring the same image produce
 * the same list. */
static int walk(agent_measurer *m, const char *dir, const char *rel, char **record,
                size_t *record_len, size_t *added, int depth)
{
    if (depth > 32)
        return 0;
    struct dirent **names;
    int n = scandir(dir, &names, filter_dots, alphasort);
    if (n < 0)
        return 0;
    int rc = 0;
    for (int i = 0; i < n; i++) {
        char file[4096], rpath[4096];
        if (rc == 0 && (size_t)snprintf(file, sizeof file, "%s/%s", dir, names[i]->d_name) <
                           sizeof file &&
            (size_t)snprintf(rpath, sizeof rpath, "%s/%s", rel, names[i]->d_name) <
                sizeof rpath) {
            struct stat st;
            if (lstat(file, &st) == 0 && S_ISDIR(st.st_mode))
                rc = walk(m, file, rpath, record, record_len, added, depth + 1);
            else if (lstat(file, &st) == 0 && S_ISREG(st.st_mode))
                rc = measure_one(m, file, rpath, record, record_len, added);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int agent_measure_scan(agent_measurer *m, size_t *added)
{
    *added = 0;
    if (agent_uses_kernel_ima(m->cfg))
        return 0;
    char p[1100];
    snprintf(p, sizeof p, "%s/measured", m->cfg->state_dir);
    uint8_t *rec = NULL;
    size_t rec_len = 0;
    if (agent_read_file(p, &rec, &rec_len) != 0) {
        rec = NULL;
        rec_len = 0;
    }
    char *record = (char *)rec;
    int rc = walk(m, m->cfg->measure_root, "", &record, &rec_len, added, 0);
    free(record);
    return rc;
}

int agent_measure_list(const agent_config *cfg, qtpm_ima_list *list)
{
    memset(list, 0, sizeof *list);
    char p[1100];
    if (agent_uses_kernel_ima(cfg))
        snprintf(p, sizeof p, "%s", KERNEL_IMA_LIST);
    else
        snprintf(p, sizeof p, "%s/measurements.bin", cfg->state_dir);
    uint8_t *buf = NULL;
    size_t len = 0;
    if (agent_read_file(p, &buf, &len) != 0)
        return errno == ENOENT ? 0 : AGENT_E_IO;
    int rc = len ? qtpm_ima_parse_binary(buf, len, list) : 0;
    free(buf);
    return rc;
}
