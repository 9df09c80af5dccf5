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
 * A scan's new entries go as one batch: one fsync of the list, the extends,
 * one fsync of the record.
 *
 * Also here: the agent's atomic file write and its deferred group (agent.h),
 * which lets a bootstrap make ~20 files durable with one pass of fsyncs.
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

/* The deferred group of writes (agent.h, agent_write_defer): while it is open, a write is
 * the temporary file and its rename without the fsync, and the path is remembered; the
 * group's close makes every remembered file and its directory durable at once. A bootstrap
 * writes ~20 small files: one fsync each was ~20 journal commits on ext4 (bench/ztp.sh).
 * The agent is single-threaded; the group is process-wide, bounded by AGENT_DEFER_MAX (a
 * bootstrap writes at most QTPM_ZTP_MAX_FILES = 16 configuration files and 16 of its own;
 * more makes the group's sync fail rather than leave a file unsynced). */
#define AGENT_DEFER_MAX 64
static struct {
    int open, overflow;
    size_t n;
    char path[AGENT_DEFER_MAX][1100];
} deferred;

void agent_write_defer(void)
{
    deferred.open = 1;
    deferred.overflow = 0;
    deferred.n = 0;
}

static int fsync_path(const char *path, int flags)
{
    int fd = open(path, flags | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static void dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, cap, ".");
    else if (slash == path)
        snprintf(out, cap, "/");
    else
        snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

/* fsync of every remembered file, then of every distinct directory holding one (the
 * renames: POSIX makes a rename durable only with its directory's fsync). On Linux the
 * writeback of all files is started first (sync_file_range), so the block allocations of
 * all of them land in the first fsync's journal commit and the later fsyncs find their
 * inodes already committed. */
int agent_write_sync(void)
{
    int rc = deferred.overflow ? -1 : 0;
#ifdef SYNC_FILE_RANGE_WRITE
    for (size_t i = 0; i < deferred.n; i++) {
        int fd = open(deferred.path[i], O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            (void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
            close(fd);
        }
    }
#endif
    for (size_t i = 0; rc == 0 && i < deferred.n; i++) {
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++)
            seen = strcmp(deferred.path[i], deferred.path[j]) == 0;
        if (!seen && fsync_path(deferred.path[i], O_RDONLY) != 0)
            rc = -1;
    }
    char d[1100], e[1100];
    for (size_t i = 0; rc == 0 && i < deferred.n; i++) {
        dir_of(deferred.path[i], d, sizeof d);
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) {
            dir_of(deferred.path[j], e, sizeof e);
            seen = strcmp(d, e) == 0;
        }
        if (!seen && fsync_path(d, O_RDONLY | O_DIRECTORY) != 0)
            rc = -1;
    }
    deferred.n = 0;
    deferred.overflow = 0;
    return rc;
}

int agent_write_deferring(void) { return deferred.open; }

int agent_write_sync_close(void)
{
    int rc = agent_write_sync();
    deferred.open = 0;
    return rc;
}

/* Writes path atomically: a temporary file, fsync, rename (inside a deferred group: the
 * fsync is the group's, agent_write_sync). */
int agent_write_file(const char *path, const uint8_t *buf, size_t len, int mode)
{
    char tmp[1100];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        return -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
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
    if ((!deferred.open && fsync(fd) != 0) || close(fd) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    if (deferred.open) {
        if (deferred.n < AGENT_DEFER_MAX)
            snprintf(deferred.path[deferred.n++], sizeof deferred.path[0], "%s", path);
        else
            deferred.overflow = 1; /* the group's sync fails: never a silent non-durable file */
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

/* One scan's new measurements, made durable and extended as a batch (flush_batch). */
typedef struct {
    char *record;         /* the "measured" file plus this scan's lines */
    size_t record_len;
    uint8_t *bins;        /* this scan's list entries, binary format, concatenated */
    size_t bins_len;
    char *lines;          /* this scan's "measured" lines */
    size_t lines_len;
    TPML_DIGEST_VALUES *dv; /* one PCR 10 extend per entry, in list order */
    size_t n, cap;
} scan_batch;

static int grow(void *pp, size_t *len, const void *add, size_t n)
{
    uint8_t **p = pp, *np = realloc(*p, *len + n + 1);
    if (!np)
        return QTPM_E_NOMEM;
    memcpy(np + *len, add, n);
    *len += n;
    np[*len] = 0;
    *p = np;
    return 0;
}

static int measure_one(agent_measurer *m, const char *file, const char *router_path,
                       scan_batch *sb)
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
    if (already_measured(sb->record, sb->record_len, line)) {
        free(line);
        return 0;
    }
    qtpm_ima_entry e;
    int rc = qtpm_ima_entry_ng(IMA_PCR, TPM_ALG_SHA256, d, 32, router_path, &e);
    uint8_t *bin = NULL;
    size_t bin_len = 0;
    if (rc == 0)
        rc = qtpm_ima_serialize_binary(&e, &bin, &bin_len);
    if (rc == 0 && sb->n == sb->cap) {
        size_t nc = sb->cap ? 2 * sb->cap : 16;
        TPML_DIGEST_VALUES *nd = realloc(sb->dv, nc * sizeof *nd);
        rc = nd ? 0 : QTPM_E_NOMEM;
        if (nd)
            sb->dv = nd, sb->cap = nc;
    }
    TPML_DIGEST_VALUES *dv = rc == 0 ? &sb->dv[sb->n] : NULL;
    if (dv)
        memset(dv, 0, sizeof *dv);
    for (size_t i = 0; rc == 0 && i < m->n_banks; i++) {
        size_t n = 0;
        dv->digests[i].hashAlg = m->banks[i];
        rc = qtpm_ima_extend_value(&e, m->banks[i], (uint8_t *)&dv->digests[i].digest, &n);
        dv->count++;
    }
    size_t l = strlen(line);
    line[l] = '\n';
    if (rc == 0)
        rc = grow(&sb->bins, &sb->bins_len, bin, bin_len);
    if (rc == 0)
        rc = grow(&sb->lines, &sb->lines_len, line, l + 1);
    /* The record grows too: a file met twice in one scan is measured once. */
    if (rc == 0)
        rc = grow(&sb->record, &sb->record_len, line, l + 1);
    if (rc == 0)
        sb->n++;
    free(bin);
    qtpm_ima_entry_free(&e);
    free(line);
    return rc;
}

/* The scan's entries: all appended to the list and fsync'd (one fsync), then extended
 * into PCR 10 in list order, then recorded as measured (one fsync). Each extend still
 * comes after its entry is durable (the order the file's header promises); a crash after
 * an extend but before the record leaves the file unrecorded, so it is measured again —
 * list and PCR both hold it twice, which the verifier accepts. */
static int flush_batch(agent_measurer *m, scan_batch *sb, size_t *added)
{
    if (sb->n == 0)
        return 0;
    char p[1100];
    snprintf(p, sizeof p, "%s/measurements.bin", m->cfg->state_dir);
    if (append_file(p, sb->bins, sb->bins_len) != 0)
        return AGENT_E_IO;
    for (size_t i = 0; i < sb->n; i++) {
        int rc = qtpm_tss_PCR_Extend(m->tpm, NULL, IMA_PCR, &sb->dv[i]);
        if (rc != 0)
            return rc;
        (*added)++;
    }
    snprintf(p, sizeof p, "%s/measured", m->cfg->state_dir);
    return append_file(p, sb->lines, sb->lines_len) != 0 ? AGENT_E_IO : 0;
}

static int filter_dots(const struct dirent *d)
{
    return strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0;
}

/* Depth-first in name order, so two agents measuring the same image produce
 * the same list. */
static int walk(agent_measurer *m, const char *dir, const char *rel, scan_batch *sb,
                int depth)
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
                rc = walk(m, file, rpath, sb, depth + 1);
            else if (lstat(file, &st) == 0 && S_ISREG(st.st_mode))
                rc = measure_one(m, file, rpath, sb);
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
    scan_batch sb = { .record = (char *)rec, .record_len = rec_len };
    int rc = walk(m, m->cfg->measure_root, "", &sb, 0);
    if (rc == 0)
        rc = flush_batch(m, &sb, added);
    free(sb.record);
    free(sb.bins);
    free(sb.lines);
    free(sb.dv);
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
