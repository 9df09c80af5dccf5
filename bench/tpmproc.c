/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpmproc.c — starting, watching and stopping the software TPMs that
 * qtpm-bench-tpm and qtpm-bench-flows measure (tpmproc.h), and the small
 * helpers both harnesses share.
 *
 * A TPM runs as a child process on 127.0.0.1 with its ports chosen here by
 * trying to bind them, its state in a mkdtemp'd directory and its output in
 * a log next to that directory, shown on stderr when it fails to start. It
 * is told to die with the harness (PR_SET_PDEATHSIG) so that a killed
 * benchmark leaves no TPM behind; tpmproc_stop() removes its files.
 */
#include "tpmproc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 5000

/* ------------------------------------------------------------------------ */
/* Helpers. */

void bench_sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    if (n <= 0)
        return -1;
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void bench_read_loadavg(char *buf, size_t size)
{
    FILE *f = fopen("/proc/loadavg", "r");
    buf[0] = '\0';
    if (f) {
        if (fgets(buf, (int)size, f))
            buf[strcspn(buf, "\n")] = '\0';
        fclose(f);
    }
}

int bench_find_in_path(const char *name, char *out, size_t size)
{
    const char *path = getenv("PATH");
    char dirs[4096], *dir, *save = NULL;
    if (!path || strlen(path) >= sizeof dirs)
        return -1;
    strcpy(dirs, path);
    for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        snprintf(out, size, "%s/%s", dir, name);
        if (access(out, X_OK) == 0)
            return 0;
    }
    return -1;
}

void bench_default_qtpm_path(char *out, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash;
    out[0] = '\0';
    if (n <= 0)
        return;
    self[n] = '\0';
    if (!(slash = strrchr(self, '/')))
        return;
    *slash = '\0';
    snprintf(out, size, "%.*s/../src/server/qtpm-server", PATH_MAX - 32, self);
}

/* ------------------------------------------------------------------------ */
/* Ports. */

/* Can we bind (connect = 0) or connect to (connect = 1) 127.0.0.1:port now? */
static int port_try(int port, int do_connect)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (do_connect)
        ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    else
        ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* Two consecutive free ports (data, control), searched from a pid- and
 * salt-dependent point of 20000-59999 so that parallel runs, and the TPMs
 * of one run, rarely collide; avoid1/avoid2 are data ports already given
 * out (a TPM that has not bound them yet would look free). */
static int find_port_pair(int salt, int avoid1, int avoid2)
{
    int start = (int)(((unsigned)getpid() * 7919u + (unsigned)salt * 4099u) % 40000u) / 2 * 2;
    for (int i = 0; i < 40000; i += 2) {
        int p = 20000 + (start + i) % 40000;
        if (p == avoid1 || p == avoid2)
            continue;
        if (port_try(p, 0) && port_try(p + 1, 0))
            return p;
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* The process. */

void tpmproc_read_version(tpmproc *p)
{
    char cmd[PATH_MAX + 32];
    FILE *f;
    p->version[0] = '\0';
    if (p->kind == TPMPROC_QTPM || strchr(p->binary, '\''))
        return;
    snprintf(cmd, sizeof cmd, "'%s' --version 2>&1", p->binary);
    if (!(f = popen(cmd, "r")))
        return;
    if (fgets(p->version, sizeof p->version, f))
        p->version[strcspn(p->version, "\r\n")] = '\0';
    pclose(f);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void bench_remove_tree(const char *dir)
{
    if (dir[0])
        nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Prints the TPM's own log (its stdout and stderr) to our stderr. */
static void show_log(const tpmproc *p)
{
    char line[512];
    FILE *f;
    if (!p->log_path[0] || !(f = fopen(p->log_path, "r")))
        return;
    fprintf(stderr, "---- %s log ----\n", p->name);
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fprintf(stderr, "----\n");
    fclose(f);
}

int tpmproc_start(tpmproc *p, int salt, int avoid1, int avoid2)
{
    char port_s[16], server_s[64], ctrl_s[64], state_s[96];
    char *argv_swtpm[] = {p->binary, "socket", "--tpm2", "--server", server_s, "--ctrl", ctrl_s,
                          "--tpmstate", state_s, "--flags", "not-need-init,startup-clear", NULL};
    char *argv_qtpm[] = {p->binary, "--swtpm", "--port", port_s, "--host", "127.0.0.1",
                         "--state", p->state_dir, NULL};
    double deadline;
    int status;

    p->pid = 0;
    p->log_path[0] = '\0';
    snprintf(p->state_dir, sizeof p->state_dir, "/tmp/%s-%s-XXXXXX", p->program, p->name);
    if (!mkdtemp(p->state_dir)) {
        snprintf(p->error, sizeof p->error, "mkdtemp: %s", strerror(errno));
        p->state_dir[0] = '\0';
        return -1;
    }
    snprintf(p->log_path, sizeof p->log_path, "%s.log", p->state_dir);
    if ((p->port = find_port_pair(salt, avoid1, avoid2)) < 0) {
        snprintf(p->error, sizeof p->error, "no free port pair");
        return -1;
    }
    snprintf(port_s, sizeof port_s, "%d", p->port);
    snprintf(server_s, sizeof server_s, "type=tcp,port=%d,bindaddr=127.0.0.1", p->port);
    snprintf(ctrl_s, sizeof ctrl_s, "type=tcp,port=%d,bindaddr=127.0.0.1", p->port + 1);
    snprintf(state_s, sizeof state_s, "dir=%s", p->state_dir);

    fflush(NULL);
    p->pid = fork();
    if (p->pid < 0) {
        snprintf(p->error, sizeof p->error, "fork: %s", strerror(errno));
        p->pid = 0;
        return -1;
    }
    if (p->pid == 0) {
        int fd = open(p->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        /* Die with the benchmark, even if it is killed. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(p->binary, p->kind == TPMPROC_QTPM ? argv_qtpm : argv_swtpm);
        fprintf(stderr, "exec %s: %s\n", p->binary, strerror(errno));
        _exit(127);
    }

    deadline = bench_now_us() + START_TIMEOUT_MS * 1000.0;
    for (;;) {
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            snprintf(p->error, sizeof p->error, "%.400s exited during start (status %d)",
                     p->binary, WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
            show_log(p);
            return -1;
        }
        if (port_try(p->port + 1, 1) && port_try(p->port, 1))
            return 0;
        if (bench_now_us() > deadline) {
            snprintf(p->error, sizeof p->error, "%.400s did not open ports %d/%d in %d s",
                     p->binary, p->port, p->port + 1, START_TIMEOUT_MS / 1000);
            show_log(p);
            return -1;
        }
        bench_sleep_ms(20);
    }
}

int tpmproc_exited(tpmproc *p, int *status)
{
    if (p->pid <= 0)
        return 1;
    if (waitpid(p->pid, status, WNOHANG) == p->pid) {
        p->pid = 0;
        snprintf(p->error, sizeof p->error, "%s exited during the run", p->name);
        return 1;
    }
    return 0;
}

void tpmproc_stop(tpmproc *p)
{
    int status;
    if (p->pid > 0) {
        double deadline = bench_now_us() + STOP_TIMEOUT_MS * 1000.0;
        kill(p->pid, SIGTERM);
        while (waitpid(p->pid, &status, WNOHANG) != p->pid) {
            if (bench_now_us() > deadline) {
                fprintf(stderr, "%s: %s ignored SIGTERM; killing it\n", p->program, p->name);
                kill(p->pid, SIGKILL);
                waitpid(p->pid, &status, 0);
                break;
            }
            bench_sleep_ms(10);
        }
        p->pid = 0;
    }
    if (p->state_dir[0]) {
        bench_remove_tree(p->state_dir);
        remove(p->log_path);
        p->state_dir[0] = '\0';
        p->log_path[0] = '\0';
    }
}
