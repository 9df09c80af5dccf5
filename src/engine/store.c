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

#include "qtpm/common.h"
#include "qtpm/engine.h"

/* ---- directory store ---- */

typedef struct dir_store {
    char *dir;
    int dirfd;
    int lockfd; /* holds the directory's flock while the store is open */
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

static int dir_load(void *ctx, const char *name, uint8_t **data, size_t *len)
{
    dir_store *ds = ctx;
    *data = NULL;
    *len = 0;
    if (!name_ok(name))
        return QTPM_E_PARAM;
    int fd = openat(ds->dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 1 : QTPM_E_INVALID;
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < 0 || st.st_size > (64 << 20)) {
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

static int dir_save(void *ctx, const char *name, const uint8_t *data, size_t len)
{
    dir_store *ds = ctx;
    if (!name_ok(name))
        return QTPM_E_PARAM;
    char tmp[80];
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

static int dir_remove(void *ctx, const char *name)
{
    dir_store *ds = ctx;
    if (!name_ok(name))
        return QTPM_E_PARAM;
    if (unlinkat(ds->dirfd, name, 0) != 0 && errno != ENOENT)
        return QTPM_E_INVALID;
    fsync(ds->dirfd);
    return QTPM_OK;
}

static void dir_close(void *ctx)
{
    dir_store *ds = ctx;
    if (ds == NULL)
        return;
    close(ds->lockfd); /* releases the lock */
    close(ds->dirfd);
    free(ds->dir);
    free(ds);
}

int qtpm_store_dir(qtpm_store *store, const char *dir)
{
    if (store == NULL || dir == NULL || dir[0] == '\0')
        return QTPM_E_PARAM;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return QTPM_E_INVALID;
    dir_store *ds = calloc(1, sizeof(*ds));
    if (ds == NULL)
        return QTPM_E_NOMEM;
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
