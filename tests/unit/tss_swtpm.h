/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tss_swtpm.h — test fixture for the libqtss integration tests: starts a
 * private swtpm ("swtpm socket --tpm2") on a free TCP port pair with a fresh
 * state directory, and stops it again. Header-only so each test program
 * carries its own copy. If swtpm is not installed the tests are skipped
 * with a message.
 */
#ifndef QTPM_TSS_SWTPM_H
#define QTPM_TSS_SWTPM_H

#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    pid_t pid;
    unsigned port;
    char dir[64];
    char spec[64]; /* "swtpm:host=127.0.0.1,port=N" */
} tss_swtpm;

static int tss_swtpm_installed(void)
{
    return system("swtpm --version >/dev/null 2>&1") == 0;
}

/* Whether a TCP port on 127.0.0.1 can be bound right now. */
static int tss_port_free(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

/* An ephemeral port N such that N and N+1 are both free. */
static unsigned tss_free_port_pair(void)
{
    for (int tries = 0; tries < 50; tries++) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in a;
        socklen_t len = sizeof a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
            getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
            if (fd >= 0)
                close(fd);
            continue;
        }
        close(fd);
        unsigned port = ntohs(a.sin_port);
        if (port < 65534 && tss_port_free(port) && tss_port_free(port + 1))
            return port;
    }
    return 0;
}

static int tss_connectable(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    int ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

static void tss_swtpm_stop(tss_swtpm *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
    if (s->dir[0]) {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", s->dir);
        s->dir[0] = '\0';
    }
}

/* Starts swtpm; returns 0 on success, -1 on failure. */
static int tss_swtpm_start(tss_swtpm *s)
{
    memset(s, 0, sizeof *s);
    strcpy(s->dir, "/tmp/qtpm-swtpm-XXXXXX");
    if (!mkdtemp(s->dir)) {
        s->dir[0] = '\0';
        return -1;
    }
    for (int attempt = 0; attempt < 5; attempt++) {
        s->port = tss_free_port_pair();
        if (s->port == 0)
            continue;
        char server[64], ctrl[64], state[96];
        snprintf(server, sizeof server, "type=tcp,port=%u", s->port);
        snprintf(ctrl, sizeof ctrl, "type=tcp,port=%u", s->port + 1);
        snprintf(state, sizeof state, "dir=%s", s->dir);
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            /* if the test dies (a signal, a crash), swtpm goes with it */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            execlp("swtpm", "swtpm", "socket", "--tpm2", "--server", server, "--ctrl", ctrl,
                   "--tpmstate", state, "--flags", "not-need-init,startup-clear",
                   (char *)NULL);
            _exit(127);
        }
        s->pid = pid;
        for (int i = 0; i < 100; i++) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                s->pid = 0; /* exited: port taken in between; try another */
                break;
            }
            if (tss_connectable(s->port + 1) && tss_connectable(s->port)) {
                /* the probe connection on the data port counts as a client
                 * that went away; swtpm accepts the next one */
                snprintf(s->spec, sizeof s->spec, "swtpm:host=127.0.0.1,port=%u", s->port);
                return 0;
            }
            usleep(50000);
        }
        if (s->pid) {
            kill(s->pid, SIGTERM);
            waitpid(s->pid, NULL, 0);
            s->pid = 0;
        }
    }
    tss_swtpm_stop(s);
    return -1;
}

#endif
