/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Push detection for the agent's own measurer (docs/AGENT.md, "Push detection"): the
 * agent attests as soon as the measurement list grows, so it must learn at once that
 * something new ran. The kernel's IMA measures a file when it is executed (the
 * FILE_CHECK/BPRM_CHECK hooks, security/integrity/ima/ima_main.c); fanotify's
 * FAN_OPEN_EXEC (Linux 5.0, include/uapi/linux/fanotify.h) reports exactly that event
 * to user space. The mark is on the mount that holds the image (FAN_MARK_MOUNT; a
 * mount mark needs no FID reporting for FAN_OPEN_EXEC), and events outside the image
 * are ignored by path (/proc/self/fd/<event fd>). Where fanotify is not allowed
 * (no CAP_SYS_ADMIN, or an old kernel) inotify on every directory of the image
 * (IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE, IN_ATTRIB) sees a file being put in place;
 * without either the periodic scan remains.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"

/* inotify watches every directory below root (bounded: at most 4096 directories,
 * depth 32). */
static void add_dirs(int fd, const char *dir, int depth, unsigned *count)
{
    if (depth > 32 || *count >= 4096)
        return;
    if (inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_ATTRIB) < 0)
        return;
    (*count)++;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[PATH_MAX];
        if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p)
            continue;
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            add_dirs(fd, p, depth + 1, count);
    }
    closedir(d);
}

void agent_watch_open(const agent_config *cfg, agent_watch *w, const char **how)
{
    w->fan_fd = w->ino_fd = -1;
    *how = "poll";
    if (!realpath(cfg->measure_root[0] ? cfg->measure_root : "/", w->root))
        snprintf(w->root, sizeof w->root, "%s", cfg->measure_root);
    const char *want = cfg->exec_watch;
    if (!strcmp(want, "poll") || agent_uses_kernel_ima(cfg))
        return;
    if (!strcmp(want, "auto") || !strcmp(want, "fanotify")) {
        int fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK,
                               O_RDONLY | O_LARGEFILE | O_CLOEXEC);
        if (fd >= 0 && fanotify_mark(fd, FAN_MARK_ADD | FAN_MARK_MOUNT, FAN_OPEN_EXEC,
                                     AT_FDCWD, w->root) == 0) {
            w->fan_fd = fd;
            *how = "fanotify";
        } else if (fd >= 0) {
            close(fd);
        }
    }
    /* inotify as well: a file put in place is measured before anyone runs it */
    if (strcmp(want, "fanotify")) {
        int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (fd >= 0) {
            unsigned n = 0;
            add_dirs(fd, w->root, 0, &n);
            if (n) {
                w->ino_fd = fd;
                if (w->fan_fd < 0)
                    *how = "inotify";
                else
                    *how = "fanotify+inotify";
            } else {
                close(fd);
            }
        }
    }
}

static int under_root(const agent_watch *w, const char *path)
{
    size_t n = strlen(w->root);
    return strncmp(path, w->root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int agent_watch_drain(agent_watch *w)
{
    int hit = 0;
    if (w->fan_fd >= 0) {
        /* bounded: at most 64 reads of pending events per call */
        for (int round = 0; round < 64; round++) {
            char buf[4096] __attribute__((aligned(8)));
            ssize_t n = read(w->fan_fd, buf, sizeof buf);
            if (n <= 0)
                break;
            struct fanotify_event_metadata *m = (struct fanotify_event_metadata *)buf;
            for (; FAN_EVENT_OK(m, n); m = FAN_EVENT_NEXT(m, n)) {
                if (m->vers != FANOTIFY_METADATA_VERSION)
                    break;
                if (m->fd >= 0) {
                    char link[64], path[PATH_MAX];
                    snprintf(link, sizeof link, "/proc/self/fd/%d", m->fd);
                    ssize_t l = readlink(link, path, sizeof path - 1);
                    if (l > 0) {
                        path[l] = '\0';
                        if (under_root(w, path))
                            hit = 1;
                    }
                    close(m->fd);
                }
            }
        }
    }
    if (w->ino_fd >= 0) {
        for (int round = 0; round < 64; round++) {
            char buf[4096] __attribute__((aligned(8)));
            ssize_t n = read(w->ino_fd, buf, sizeof buf);
            if (n <= 0)
                break;
            for (char *p = buf; p < buf + n;) {
                struct inotify_event *e = (struct inotify_event *)p;
                if (e->mask & IN_ISDIR && e->mask & (IN_CREATE | IN_MOVED_TO)) {
                    /* a new directory: watch it too (its path is not kept; rescan) */
                    unsigned c = 0;
                    add_dirs(w->ino_fd, w->root, 0, &c);
                }
                hit = 1;
                p += sizeof *e + e->len;
            }
        }
    }
    return hit;
}

void agent_watch_close(agent_watch *w)
{
    if (w->fan_fd >= 0)
        close(w->fan_fd);
    if (w->ino_fd >= 0)
        close(w->ino_fd);
    w->fan_fd = w->ino_fd = -1;
}
