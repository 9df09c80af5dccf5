/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.c — the two storage back ends behind the qtpm_store interface of
 * engine.h: a directory of named blobs written crash-safely, and a memory
 * store that forgets everything when closed.
 *
 * Crash safety of the directory store: a blob is written to "<name>.tmp",
 * fsync'd, renamed over "<name>" (rename is atomic on POSIX file systems),
 * and then the directory itself is fsync'd so the rename is durable. A crash
 * at any point leaves either the old blob or the new one, never a mix; a
 * stale ".tmp" left by a crash is simply overwritten by the next save.
 *
 * The blob "state" (the engine saves it after every command that changed
 * it) is journaled instead: each save appends one small record to the
 * preallocated file "state.journal" with O_DSYNC — one flush of one
 * sector or so instead of two fsyncs and a rename — and the snapshot
 * "state" is rewritten the atomic way above only when the journal is full,
 * at close, or when a record would not fit (compaction). Loading reads the
 * snapshot and replays the journal's chain of records after it. The record
 * format and the argument why no crash can roll an acknowledged change back
 * are in docs/SERVER.md "Journal"; the comments at journal_replay and
 * journal_compact give the rules in short.
 *
 * One TPM per directory: the store holds an exclusive flock() on
 * "<dir>/lock" while open, so a second server pointed at the same state
 * fails at once (QTPM_E_BUSY) instead of two TPMs overwriting each other.
 *
 * Blob names come from the engine only (fixed names such as "state"), but
 * they are still checked so a name can never climb out of the directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypt.h"
#include "ct.h"
#include "qtpm/common.h"
#include "qtpm/engine.h"

/* ---- directory store ---- */

#define JOURNALED_BLOB "state"
#define JOURNAL_FILE "state.journal"
#define JOURNAL_SLOT 512u         /* records start on sector boundaries */
#define JOURNAL_MAX (16u << 20)   /* largest journal file read back */
#define REC_MAGIC_LEN 4
#define REC_HEADER 56u            /* magic .. blob_len, see docs/SERVER.md */
#define REC_SUM 32u               /* SHA-256 trailer */
#define REC_FULL 1
#define REC_DELTA 2

static const uint8_t rec_magic[REC_MAGIC_LEN] = {'Q', 'J', 'N', 'L'};

/* What slot 0 of the journal holds: the first record of the live chain, or
 * zeros, or anything else (a record of an older cycle, a torn write). */
enum { SLOT0_ZERO, SLOT0_LIVE, SLOT0_DEAD };

/* The journal of the blob "state" (docs/SERVER.md "Journal"). */
typedef struct journal {
    size_t cap;        /* configured size of the journal file; 0 = no journal */
    size_t file_size;  /* size of the journal file on disk; 0 = none */
    uint8_t *cur;      /* the blob the disk holds (snapshot + live chain) */
    size_t cur_len;
    int have_cur;      /* cur is known (loaded or saved) */
    uint8_t snap_id[32]; /* SHA-256 of the snapshot file */
    uint64_t next_seq; /* above every sequence number in the file */
    size_t next_off;   /* where the next record goes */
    unsigned live;     /* records in the live chain */
    int slot0;
    int broken;        /* the last append failed: compact before the next */
    int saved;         /* something was saved since open */
} journal;

typedef struct dir_store {
    char *dir;
    int dirfd;
    int lockfd; /* holds the directory's flock while the store is open */
    journal j;
} dir_store;

static int name_ok(const char *name)
{
    if (name == NULL || name[0] == '\0' || name[0] == '.' || strlen(name) > 64)
        return 0;
    for (const char *p = name; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += (size_t)w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads file `name` of the directory whole into a malloc'd buffer: QTPM_OK,
 * 1 if it does not exist, or < 0. */
static int read_whole(const dir_store *ds, const char *name, size_t max, uint8_t **data,
                      size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd = openat(ds->dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 1 : QTPM_E_INVALID;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < 0 || (uint64_t)st.st_size > max) {
        close(fd);
        return QTPM_E_INVALID;
    }
    size_t n = (size_t)st.st_size;
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL) {
        close(fd);
        return QTPM_E_NOMEM;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        qtpm_memzero(buf, n);
        free(buf);
        return QTPM_E_INVALID;
    }
    *data = buf;
    *len = n;
    return QTPM_OK;
}

/* A failed save is reported on stderr with its cause: the engine turns it
 * into TPM_RC_NV_UNAVAILABLE, and the operator needs to know why. */
static int save_failed(const dir_store *ds, const char *name, const char *step, int err)
{
    fprintf(stderr, "qtpm: cannot save %s/%s (%s): %s; the change is not acknowledged\n",
            ds->dir, name, step, strerror(err));
    return QTPM_E_INVALID;
}

/* Replaces file `name` atomically and durably: temp file, fsync, rename,
 * directory fsync. */
static int atomic_write(const dir_store *ds, const char *name, const uint8_t *data, size_t len)
{
    char tmp[96];
    snprintf(tmp, sizeof(tmp), "%s.tmp", name);
    int fd = openat(ds->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return save_failed(ds, name, "create temp file", errno);
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlinkat(ds->dirfd, tmp, 0);
        return save_failed(ds, name, "write temp file", e);
    }
    if (close(fd) != 0) { /* NFS and friends report write errors here */
        int e = errno;
        unlinkat(ds->dirfd, tmp, 0);
        return save_failed(ds, name, "close temp file", e);
    }
    if (renameat(ds->dirfd, tmp, ds->dirfd, name) != 0) {
        int e = errno;
        unlinkat(ds->dirfd, tmp, 0);
        return save_failed(ds, name, "rename", e);
    }
    /* Make the rename itself durable. */
    if (fsync(ds->dirfd) != 0)
        return save_failed(ds, name, "fsync directory", errno);
    return QTPM_OK;
}

/* ---- the journal of "state" ----
 *
 * A record, big-endian, starting on a JOURNAL_SLOT boundary and padded with
 * zeros to the next one:
 *   "QJNL" | u32 rec_len | u64 seq | base[32] | u8 kind | 3 zero bytes |
 *   u32 blob_len | payload | SHA-256 of everything before it
 * rec_len counts header, payload and checksum (not the padding); base is the
 * SHA-256 of the snapshot file the record follows; kind REC_FULL carries the
 * whole blob, REC_DELTA the runs in which the new blob differs from the one
 * before (same length): u32 count, then per run u32 offset | u16 length |
 * bytes. The live chain is the run of records from offset 0 whose base is
 * the snapshot's hash and whose sequence numbers increase by one. */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t slot_round(size_t n)
{
    return (n + JOURNAL_SLOT - 1) / JOURNAL_SLOT * JOURNAL_SLOT;
}

typedef struct {
    uint64_t seq;
    const uint8_t *base;
    uint8_t kind;
    uint32_t blob_len;
    const uint8_t *payload;
    size_t payload_len;
    size_t padded; /* slots taken, in bytes */
} jrec;

/* 1 when a whole record with a correct checksum starts at p. */
static int rec_parse(const uint8_t *p, size_t avail, jrec *r)
{
    if (avail < REC_HEADER + REC_SUM || !public_equal(p, rec_magic, REC_MAGIC_LEN))
        return 0;
    uint32_t len = get_be32(p + 4);
    if (len < REC_HEADER + REC_SUM || len > avail)
        return 0;
    uint8_t sum[REC_SUM];
    if (crypt_hash(TPM_ALG_SHA256, p, len - REC_SUM, sum) != 0 ||
        !public_equal(sum, p + len - REC_SUM, REC_SUM))
        return 0;
    r->seq = (uint64_t)get_be32(p + 8) << 32 | get_be32(p + 12);
    r->base = p + 16;
    r->kind = p[48];
    r->blob_len = get_be32(p + 52);
    r->payload = p + REC_HEADER;
    r->payload_len = len - REC_HEADER - REC_SUM;
    r->padded = slot_round(len);
    return 1;
}

/* Applies record r to the blob *cur (replaced on success); 0 or -1. */
static int rec_apply(const jrec *r, uint8_t **cur, size_t *cur_len)
{
    if (r->kind == REC_FULL) {
        if (r->payload_len != r->blob_len)
            return -1;
        uint8_t *b = malloc(r->blob_len ? r->blob_len : 1);
        if (b == NULL)
            return -1;
        memcpy(b, r->payload, r->blob_len);
        qtpm_memzero(*cur, *cur_len);
        free(*cur);
        *cur = b;
        *cur_len = r->blob_len;
        return 0;
    }
    if (r->kind != REC_DELTA || r->blob_len != *cur_len || r->payload_len < 4)
        return -1;
    /* check every run before changing anything */
    const uint8_t *p = r->payload, *end = r->payload + r->payload_len;
    uint32_t count = get_be32(p);
    p += 4;
    for (int pass = 0; pass < 2; pass++) {
        const uint8_t *q = p;
        for (uint32_t i = 0; i < count; i++) {
            if ((size_t)(end - q) < 6)
                return -1;
            uint32_t off = get_be32(q);
            uint16_t n = (uint16_t)(q[4] << 8 | q[5]);
            q += 6;
            if ((size_t)(end - q) < n || off > *cur_len || n > *cur_len - off)
                return -1;
            if (pass == 1)
                memcpy(*cur + off, q, n);
            q += n;
        }
        if (q != end)
            return -1;
    }
    return 0;
}

static void journal_forget(journal *j)
{
    if (j->cur) {
        qtpm_memzero(j->cur, j->cur_len);
        free(j->cur);
    }
    j->cur = NULL;
    j->cur_len = 0;
    j->have_cur = 0;
}

static int journal_set_cur(journal *j, const uint8_t *data, size_t len)
{
    uint8_t *b = malloc(len ? len : 1);
    if (b == NULL)
        return QTPM_E_NOMEM;
    memcpy(b, data, len);
    journal_forget(j);
    j->cur = b;
    j->cur_len = len;
    j->have_cur = 1;
    return QTPM_OK;
}

/* Loads "state": the snapshot, then the live chain of the journal replayed
 * on it. Every record in the file is looked at for its sequence number, so
 * that new records number above all old ones; the chain itself is only
 * followed from offset 0, record after record, and ends at the first slot
 * that is not the next record (torn tail, zeros, a record of an older cycle:
 * those have another base or a smaller number). */
static int journal_replay(dir_store *ds, uint8_t **data, size_t *len)
{
    journal *j = &ds->j;
    uint8_t *snap = NULL, *jf = NULL;
    size_t snap_len = 0, jf_len = 0;
    journal_forget(j);
    j->file_size = 0;
    j->next_seq = 1;
    j->next_off = 0;
    j->live = 0;
    j->slot0 = SLOT0_ZERO;
    int rc = read_whole(ds, JOURNALED_BLOB, 64u << 20, &snap, &snap_len);
    if (rc != QTPM_OK)
        return rc; /* absent (1) or unreadable */
    if (crypt_hash(TPM_ALG_SHA256, snap, snap_len, j->snap_id) != 0) {
        qtpm_memzero(snap, snap_len);
        free(snap);
        return QTPM_E_CRYPTO;
    }
    rc = read_whole(ds, JOURNAL_FILE, JOURNAL_MAX, &jf, &jf_len);
    if (rc < 0) {
        qtpm_memzero(snap, snap_len);
        free(snap);
        fprintf(stderr, "qtpm: cannot read %s/%s\n", ds->dir, JOURNAL_FILE);
        return rc;
    }
    if (rc == QTPM_OK) {
        j->file_size = jf_len;
        uint64_t max_seq = 0;
        jrec r;
        for (size_t off = 0; off + JOURNAL_SLOT <= jf_len; off += JOURNAL_SLOT)
            if (rec_parse(jf + off, jf_len - off, &r) && r.seq > max_seq)
                max_seq = r.seq;
        size_t off = 0;
        uint64_t prev = 0;
        while (off < jf_len && rec_parse(jf + off, jf_len - off, &r) &&
               public_equal(r.base, j->snap_id, 32) && (j->live == 0 || r.seq == prev + 1)) {
            if (rec_apply(&r, &snap, &snap_len) != 0) {
                /* a whole, checksummed record that does not fit its chain is
                 * not a torn write: refuse rather than silently roll back */
                fprintf(stderr, "qtpm: %s/%s: record %llu at offset %zu does not apply\n",
                        ds->dir, JOURNAL_FILE, (unsigned long long)r.seq, off);
                qtpm_memzero(jf, jf_len);
                free(jf);
                qtpm_memzero(snap, snap_len);
                free(snap);
                return QTPM_E_INVALID;
            }
            prev = r.seq;
            j->live++;
            off += r.padded;
        }
        j->next_off = off;
        j->next_seq = max_seq + 1;
        if (j->live > 0) {
            j->slot0 = SLOT0_LIVE;
        } else {
            uint8_t acc = 0;
            for (size_t i = 0; i < JOURNAL_SLOT && i < jf_len; i++)
                acc |= jf[i];
            j->slot0 = acc == 0 ? SLOT0_ZERO : SLOT0_DEAD;
        }
        qtpm_memzero(jf, jf_len);
        free(jf);
    }
    rc = journal_set_cur(j, snap, snap_len);
    if (rc != QTPM_OK) {
        qtpm_memzero(snap, snap_len);
        free(snap);
        return rc;
    }
    *data = snap;
    *len = snap_len;
    return QTPM_OK;
}

/* Writes n bytes at off of the journal, durably: the file is opened with
 * O_DSYNC, so each pwrite returns only once its data (and any metadata needed
 * to read it back) is on stable storage, as write + fdatasync would (POSIX
 * "synchronized I/O data integrity completion"), in one system call instead
 * of two. The file is opened for each write: between saves no file is open
 * for writing, so the file system can still be remounted read-only under a
 * running server. */
static int journal_pwrite(const dir_store *ds, const uint8_t *p, size_t n, size_t off,
                          const char **step)
{
    int fd = openat(ds->dirfd, JOURNAL_FILE, O_WRONLY | O_DSYNC | O_CLOEXEC);
    if (fd < 0) {
        *step = "open journal";
        return -1;
    }
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int e = w < 0 ? errno : EIO;
            close(fd);
            errno = e;
            *step = "write journal (O_DSYNC)";
            return -1;
        }
        p += (size_t)w;
        n -= (size_t)w;
        off += (size_t)w;
    }
    if (close(fd) != 0) {
        *step = "close journal";
        return -1;
    }
    return 0;
}

static int journal_zero_slot0(dir_store *ds)
{
    static const uint8_t zeros[JOURNAL_SLOT];
    const char *step = "";
    if (journal_pwrite(ds, zeros, sizeof(zeros), 0, &step) != 0) {
        if (errno == ENOENT) { /* gone (removed by hand): nothing left to clear */
            ds->j.file_size = 0;
            ds->j.slot0 = SLOT0_ZERO;
            return QTPM_OK;
        }
        return save_failed(ds, JOURNAL_FILE, step, errno);
    }
    ds->j.slot0 = SLOT0_ZERO;
    return QTPM_OK;
}

/* Compaction: `data` becomes the snapshot and the journal starts empty.
 * After it slot 0 holds zeros, so no older chain can ever be taken for the
 * live one, whatever a later snapshot's bytes are. A dead slot 0 is cleared
 * before the snapshot is written (it is not part of the state), the live
 * chain only after (until then it is the state). */
static int journal_compact(dir_store *ds, const uint8_t *data, size_t len)
{
    journal *j = &ds->j;
    uint8_t id[32];
    if (crypt_hash(TPM_ALG_SHA256, data, len, id) != 0)
        return QTPM_E_CRYPTO;
    if (j->file_size > 0 && j->slot0 == SLOT0_DEAD && journal_zero_slot0(ds) != QTPM_OK)
        return QTPM_E_INVALID;
    int rc = atomic_write(ds, JOURNALED_BLOB, data, len);
    if (rc != QTPM_OK)
        return rc;
    int same = public_equal(id, j->snap_id, 32);
    memcpy(j->snap_id, id, 32);
    if (j->file_size > 0 && j->slot0 == SLOT0_LIVE && journal_zero_slot0(ds) != QTPM_OK) {
        /* The old chain still starts at offset 0. Over another snapshot it
         * is dead and harmless; over identical bytes it is still the state
         * (the disk holds the old blob), so the save failed. */
        if (same)
            return QTPM_E_INVALID;
        j->slot0 = SLOT0_DEAD;
    }
    j->next_off = 0;
    j->live = 0;
    j->broken = 0;
    return journal_set_cur(j, data, len);
}

/* Makes a journal file of j->cap zero bytes (temp file, fsync, rename,
 * directory fsync), after compacting so that the old file holds nothing. */
static int journal_create(dir_store *ds, const uint8_t *data, size_t len)
{
    journal *j = &ds->j;
    int rc = journal_compact(ds, data, len);
    if (rc != QTPM_OK)
        return rc;
    uint8_t *zeros = calloc(1, j->cap);
    if (zeros == NULL)
        return QTPM_E_NOMEM;
    rc = atomic_write(ds, JOURNAL_FILE, zeros, j->cap);
    free(zeros);
    if (rc != QTPM_OK)
        return QTPM_OK; /* the snapshot holds the change; journal next time */
    j->file_size = j->cap;
    j->slot0 = SLOT0_ZERO;
    return QTPM_OK;
}

/* The next run of a delta record: from *i on, the first byte where cur and
 * data differ starts it, and it ends at the last differing byte before 8
 * equal bytes in a row (runs closer than that are merged: a run costs 6
 * bytes of header) or at 65535 bytes. Sets *start, moves *i past the run and
 * returns its length; 0 when no byte from *i on differs. Both rec_build
 * passes (size, then bytes) walk the runs with it. */
static size_t next_run(const uint8_t *cur, const uint8_t *data, size_t len, size_t *i,
                       size_t *start)
{
    size_t k = *i;
    while (k < len && cur[k] == data[k])
        k++;
    if (k == len) {
        *i = k;
        return 0;
    }
    size_t first = k, last = k;
    while (k < len && k - last <= 8 && k - first < 65535) {
        if (cur[k] != data[k])
            last = k;
        k++;
    }
    *start = first;
    *i = last + 1;
    return last - first + 1;
}

/* The record turning j->cur into data, in a malloc'd slot-padded buffer. */
static uint8_t *rec_build(const journal *j, const uint8_t *data, size_t len, size_t *out_len)
{
    /* A delta when the length is unchanged (NV_Write, NV_Increment, counters,
     * Clock, auth values ...) and it is smaller; else the whole blob
     * (next_run says where the runs are). */
    size_t delta = 0;
    uint32_t runs = 0;
    int use_delta = j->have_cur && j->cur_len == len && len <= UINT32_MAX;
    if (use_delta) {
        delta = 4;
        for (size_t i = 0, start = 0, n; (n = next_run(j->cur, data, len, &i, &start)) != 0;) {
            delta += 6 + n;
            runs++;
        }
        use_delta = delta < len;
    }
    size_t payload = use_delta ? delta : len;
    size_t rec_len = REC_HEADER + payload + REC_SUM;
    size_t padded = slot_round(rec_len);
    uint8_t *r = calloc(1, padded);
    if (r == NULL)
        return NULL;
    memcpy(r, rec_magic, REC_MAGIC_LEN);
    put_be32(r + 4, (uint32_t)rec_len);
    put_be32(r + 8, (uint32_t)(j->next_seq >> 32));
    put_be32(r + 12, (uint32_t)j->next_seq);
    memcpy(r + 16, j->snap_id, 32);
    r[48] = use_delta ? REC_DELTA : REC_FULL;
    put_be32(r + 52, (uint32_t)len);
    uint8_t *p = r + REC_HEADER;
    if (!use_delta) {
        memcpy(p, data, len);
    } else {
        put_be32(p, runs);
        p += 4;
        for (size_t i = 0, start = 0, n; (n = next_run(j->cur, data, len, &i, &start)) != 0;) {
            put_be32(p, (uint32_t)start);
            p[4] = (uint8_t)(n >> 8);
            p[5] = (uint8_t)n;
            memcpy(p + 6, data + start, n);
            p += 6 + n;
        }
    }
    if (crypt_hash(TPM_ALG_SHA256, r, rec_len - REC_SUM, r + rec_len - REC_SUM) != 0) {
        qtpm_memzero(r, padded);
        free(r);
        return NULL;
    }
    *out_len = padded;
    return r;
}

/* Saves "state": one record appended with O_DSYNC, or a compaction when
 * there is no journal yet, it is full, or the last append failed. The engine
 * sends its answer only after this returns (qtpm_tpm_execute), so nothing is
 * acknowledged before its record is on disk. */
static int journal_save(dir_store *ds, const uint8_t *data, size_t len)
{
    journal *j = &ds->j;
    j->saved = 1;
    if (!j->have_cur || j->cap == 0)
        return journal_compact(ds, data, len);
    if (j->file_size != j->cap)
        return journal_create(ds, data, len);
    if (j->broken)
        return journal_compact(ds, data, len);
    /* The disk already holds exactly this blob (an NV_SetBits of bits that
     * were set, an NV_Write of the bytes already there): nothing to make
     * durable, so no record and no synchronous write. The blob holds the
     * TPM's secrets (proofs, seeds): compared in constant time. */
    if (j->cur_len == len && ct_equal(j->cur, data, len))
        return QTPM_OK;
    size_t rec_len = 0;
    uint8_t *rec = rec_build(j, data, len, &rec_len);
    if (rec == NULL)
        return QTPM_E_NOMEM;
    if (j->next_off > j->file_size || rec_len > j->file_size - j->next_off) {
        qtpm_memzero(rec, rec_len);
        free(rec);
        return journal_compact(ds, data, len);
    }
    const char *step = "";
    int rc = journal_pwrite(ds, rec, rec_len, j->next_off, &step);
    qtpm_memzero(rec, rec_len);
    free(rec);
    if (rc != 0) {
        int e = errno;
        /* The record may or may not be on disk: try to clear it, and start
         * the next save with a compaction, which supersedes it. */
        static const uint8_t zeros[JOURNAL_SLOT];
        const char *ignored;
        (void)journal_pwrite(ds, zeros, sizeof(zeros), j->next_off, &ignored);
        j->broken = 1;
        if (j->next_off == 0)
            j->slot0 = SLOT0_DEAD;
        if (e == ENOENT)
            j->file_size = 0; /* removed by hand: the next save makes a new one */
        return save_failed(ds, JOURNAL_FILE, step, e);
    }
    if (journal_set_cur(j, data, len) != QTPM_OK) {
        j->broken = 1; /* on disk but not in memory: compact next time */
        j->have_cur = 0;
        return QTPM_OK;
    }
    if (j->next_off == 0)
        j->slot0 = SLOT0_LIVE;
    j->next_off += rec_len;
    j->next_seq++;
    j->live++;
    return QTPM_OK;
}

static int dir_load(void *ctx, const char *name, uint8_t **data, size_t *len)
{
    dir_store *ds = ctx;
    *data = NULL;
    *len = 0;
    if (!name_ok(name))
        return QTPM_E_PARAM;
    if (strcmp(name, JOURNALED_BLOB) == 0)
        return journal_replay(ds, data, len);
    return read_whole(ds, name, 64u << 20, data, len);
}

static int dir_save(void *ctx, const char *name, const uint8_t *data, size_t len)
{
    dir_store *ds = ctx;
    if (!name_ok(name))
        return QTPM_E_PARAM;
    if (strcmp(name, JOURNALED_BLOB) == 0)
        return journal_save(ds, data, len);
    return atomic_write(ds, name, data, len);
}

static int dir_remove(void *ctx, const char *name)
{
    dir_store *ds = ctx;
    if (!name_ok(name))
        return QTPM_E_PARAM;
    if (unlinkat(ds->dirfd, name, 0) != 0 && errno != ENOENT)
        return QTPM_E_INVALID;
    if (strcmp(name, JOURNALED_BLOB) == 0) {
        unlinkat(ds->dirfd, JOURNAL_FILE, 0);
        journal_forget(&ds->j);
        ds->j.file_size = 0;
        ds->j.live = 0;
        ds->j.next_off = 0;
        ds->j.slot0 = SLOT0_ZERO;
    }
    fsync(ds->dirfd);
    return QTPM_OK;
}

/* Closing compacts what this session journaled, so that after a clean stop
 * the snapshot alone is the whole state (and the journal holds no live
 * record). A store whose state was never saved writes nothing. */
static void dir_close(void *ctx)
{
    dir_store *ds = ctx;
    if (ds == NULL)
        return;
    if (ds->j.saved && ds->j.have_cur && ds->j.live > 0)
        (void)journal_compact(ds, ds->j.cur, ds->j.cur_len);
    journal_forget(&ds->j);
    close(ds->lockfd); /* releases the lock */
    close(ds->dirfd);
    free(ds->dir);
    free(ds);
}

int qtpm_store_dir_journal(qtpm_store *store, const char *dir, size_t journal_bytes)
{
    if (store == NULL || dir == NULL || dir[0] == '\0' ||
        (journal_bytes != 0 && (journal_bytes < 4 * JOURNAL_SLOT || journal_bytes > JOURNAL_MAX)))
        return QTPM_E_PARAM;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return QTPM_E_INVALID;
    dir_store *ds = calloc(1, sizeof(*ds));
    if (ds == NULL)
        return QTPM_E_NOMEM;
    ds->j.cap = journal_bytes / JOURNAL_SLOT * JOURNAL_SLOT;
    ds->j.next_seq = 1;
    ds->dir = strdup(dir);
    ds->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (ds->dir == NULL || ds->dirfd < 0) {
        if (ds->dirfd >= 0)
            close(ds->dirfd);
        free(ds->dir);
        free(ds);
        return QTPM_E_INVALID;
    }
    /* Read-only is enough for flock(), and holding no file open for writing
     * lets the file system be remounted read-only under a running server
     * (its saves then fail and are answered TPM_RC_NV_UNAVAILABLE). */
    ds->lockfd = openat(ds->dirfd, "lock", O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
    if (ds->lockfd < 0 || flock(ds->lockfd, LOCK_EX | LOCK_NB) != 0) {
        int busy = ds->lockfd >= 0 && errno == EWOULDBLOCK;
        if (ds->lockfd >= 0)
            close(ds->lockfd);
        close(ds->dirfd);
        free(ds->dir);
        free(ds);
        return busy ? QTPM_E_BUSY : QTPM_E_INVALID;
    }
    store->ctx = ds;
    store->load = dir_load;
    store->save = dir_save;
    store->remove = dir_remove;
    store->close = dir_close;
    return QTPM_OK;
}

int qtpm_store_dir(qtpm_store *store, const char *dir)
{
    return qtpm_store_dir_journal(store, dir, QTPM_STORE_JOURNAL_DEFAULT);
}

/* ---- memory store ----
 * Keeps blobs in a small linked list so a TPM built on it behaves exactly like
 * one on disk for as long as it lives (the engine re-reads nothing, but the
 * interface stays honest for tests that poke the store directly). */

typedef struct mem_blob {
    struct mem_blob *next;
    char name[72];
    uint8_t *data;
    size_t len;
} mem_blob;

typedef struct mem_store {
    mem_blob *head;
} mem_store;

static mem_blob *mem_find(mem_store *ms, const char *name)
{
    for (mem_blob *b = ms->head; b; b = b->next)
        if (strcmp(b->name, name) == 0)
            return b;
    return NULL;
}

static int mem_load(void *ctx, const char *name, uint8_t **data, size_t *len)
{
    mem_store *ms = ctx;
    *data = NULL;
    *len = 0;
    if (!name_ok(name))
        return QTPM_E_PARAM;
    mem_blob *b = mem_find(ms, name);
    if (b == NULL)
        return 1;
    uint8_t *copy = malloc(b->len ? b->len : 1);
    if (copy == NULL)
        return QTPM_E_NOMEM;
    if (b->len)
        memcpy(copy, b->data, b->len);
    *data = copy;
    *len = b->len;
    return QTPM_OK;
}

static int mem_save(void *ctx, const char *name, const uint8_t *data, size_t len)
{
    mem_store *ms = ctx;
    if (!name_ok(name))
        return QTPM_E_PARAM;
    uint8_t *copy = malloc(len ? len : 1);
    if (copy == NULL)
        return QTPM_E_NOMEM;
    if (len)
        memcpy(copy, data, len);
    mem_blob *b = mem_find(ms, name);
    if (b == NULL) {
        b = calloc(1, sizeof(*b));
        if (b == NULL) {
            free(copy);
            return QTPM_E_NOMEM;
        }
        snprintf(b->name, sizeof(b->name), "%s", name);
        b->next = ms->head;
        ms->head = b;
    } else {
        qtpm_memzero(b->data, b->len);
        free(b->data);
    }
    b->data = copy;
    b->len = len;
    return QTPM_OK;
}

static int mem_remove(void *ctx, const char *name)
{
    mem_store *ms = ctx;
    for (mem_blob **pp = &ms->head; *pp; pp = &(*pp)->next) {
        if (strcmp((*pp)->name, name) == 0) {
            mem_blob *b = *pp;
            *pp = b->next;
            qtpm_memzero(b->data, b->len);
            free(b->data);
            free(b);
            break;
        }
    }
    return QTPM_OK;
}

static void mem_close(void *ctx)
{
    mem_store *ms = ctx;
    if (ms == NULL)
        return;
    while (ms->head) {
        mem_blob *b = ms->head;
        ms->head = b->next;
        qtpm_memzero(b->data, b->len);
        free(b->data);
        free(b);
    }
    free(ms);
}

void qtpm_store_memory(qtpm_store *store)
{
    memset(store, 0, sizeof(*store));
    mem_store *ms = calloc(1, sizeof(*ms));
    store->ctx = ms;
    store->load = mem_load;
    store->save = mem_save;
    store->remove = mem_remove;
    store->close = mem_close;
}
