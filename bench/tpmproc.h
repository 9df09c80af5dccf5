/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpmproc.h — the TPM processes of the TPM benchmarks, shared by
 * qtpm-bench-tpm (bench_tpm.c, an ESAPI client) and qtpm-bench-flows
 * (bench_flows.c, a libqtss client).
 *
 * Both harnesses measure software TPMs they start themselves: Debian's swtpm
 * or qtpm's own qtpm-server, each speaking the swtpm socket protocol on a
 * pair of free local TCP ports (data, control = data + 1), with an empty
 * temporary state directory and its stdout and stderr in a log file beside
 * it. A tpmproc describes one such process from finding its binary to
 * removing its files; each harness embeds one in its own per-TPM struct and
 * keeps its client (connection, fixtures) to itself. The few helpers both
 * harnesses need besides (clock, sleep, median, load average) live here too.
 *
 * Nothing here exits: failures are returned, with the reason in p->error.
 */
#ifndef QTPM_BENCH_TPMPROC_H
#define QTPM_BENCH_TPMPROC_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

typedef enum {
    TPMPROC_SWTPM, /* swtpm socket --tpm2, started with startup-clear */
    TPMPROC_QTPM   /* qtpm-server --swtpm, powered on but not started */
} tpmproc_kind;

typedef struct {
    const char *program; /* the harness, for messages and temporary names */
    const char *name;    /* this TPM in messages: "swtpm", "classic-qtpm", ... */
    tpmproc_kind kind;
    char binary[PATH_MAX]; /* program started */
    char version[128];     /* first line of its --version, or "" */
    pid_t pid;             /* > 0 while started and not yet reaped */
    int port;              /* data port; control is port + 1 */
    char state_dir[64];    /* mkdtemp'd, or "" */
    char log_path[128];    /* state_dir + ".log", or "" */
    char error[512];       /* why it is not (or no longer) usable, or "" */
} tpmproc;

/* Wall time on CLOCK_MONOTONIC in microseconds. Inline so that the timed
 * calls of the harnesses cost no more than with a clock of their own. */
static inline double bench_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

void bench_sleep_ms(long ms);

/* Sorts v[0..n) and returns its median, or -1 when n is 0. */
double bench_median(double *v, int n);

/* The first line of /proc/loadavg, or "" if it cannot be read. */
void bench_read_loadavg(char *buf, size_t size);

/* Removes a directory tree (no symlinks followed); nothing when dir is "". */
void bench_remove_tree(const char *dir);

/* Looks `name` up in $PATH; 0 and the full path in out if found. */
int bench_find_in_path(const char *name, char *out, size_t size);

/* <directory of this program>/../src/server/qtpm-server, as built by CMake;
 * "" if our own path cannot be read. */
void bench_default_qtpm_path(char *out, size_t size);

/* p->version := first line of `binary --version`, for the record. Left
 * empty for qtpm-server, which has no --version: it is this tree's build. */
void tpmproc_read_version(tpmproc *p);

/* Starts the TPM on a free port pair with a fresh state directory and waits
 * until both sockets accept connections. The port search starts at a point
 * that depends on our pid and on `salt`, and skips the data ports avoid1 and
 * avoid2 (pairs given to TPMs started before; -1 for none). Returns 0, or -1
 * with p->error set (and the TPM's log shown if it ran). */
int tpmproc_start(tpmproc *p, int salt, int avoid1, int avoid2);

/* Has the process ended? 1 if there is none (never started, or reaped
 * before) or it has just exited: then it is reaped, *status gets its wait
 * status, and p->error says "<name> exited during the run". 0 while it
 * runs. */
int tpmproc_exited(tpmproc *p, int *status);

/* Stops the process (SIGTERM, then SIGKILL after a grace period) and removes
 * the state directory and the log. Safe on a tpmproc never started. */
void tpmproc_stop(tpmproc *p);

#endif
