/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c — qtpm-server's command line: choose a protocol and ports, open the
 * TPM's state, run the event loop (loop.c), save the state on the way out.
 *
 *   qtpm-server [--mssim | --swtpm] [--port N] [--host ADDR] [--state DIR]
 *               [--memory] [--rm] [--wait-power-on] [--idle-timeout S]
 *               [--max-per-peer N] [--profile NAME|JSON] [-v]
 *
 * mssim (default) listens on N (commands) and N+1 (platform signals), swtpm on
 * N (data) and N+1 (control), N = 2321 by default as for both simulators'
 * clients. The TPM starts powered on with NV available, like swtpm's
 * not-need-init, so clients that never use the platform port (wolfTPM's
 * socket transport, one connection per command) work; --wait-power-on keeps it
 * off until POWER_ON (mssim) or CMD_INIT (swtpm).
 *
 * Called as tpm_server (a symlink the build creates), it also takes IBM's
 * tpm_server options: -port N, -rm (start from fresh state), -h; test
 * harnesses that start tpm_server add --profile (or -profile) to those.
 *
 * --profile picks the TPM profile a new state is manufactured with
 * (default, compat-tss3, or a custom profile's JSON; docs/SERVER.md
 * "Profiles"). A stored TPM keeps its profile: naming another one is
 * refused, the state untouched, as libtpms refuses it.
 *
 * --ctrl type=unixio,path=P (or fd=N: an inherited listening socket, or
 * clientfd=N: an inherited connected one) puts the swtpm control channel on
 * a UNIX socket instead of TCP, as swtpm's option of that name, for QEMU's
 * `-tpmdev emulator` (docs/VTPM.md); the data channel then arrives over it
 * with CMD_SET_DATAFD and no TCP port is opened. swtpm's own spelling of the
 * rest of such a command line is accepted too, so scripts written for
 * `swtpm socket --tpm2 --tpmstate dir=D --ctrl type=unixio,path=P
 * --flags ... --log ...` run unchanged: `socket` and `--tpm2` are implied,
 * `--tpmstate dir=D` is --state D, --flags and --log are accepted and
 * ignored (the TPM starts as with not-need-init; logging is -V).
 *
 * The state directory is $QTPM_STATE, else ./qtpm-state; --memory keeps no
 * state at all. SIGINT/SIGTERM end the loop; freeing the TPM saves its state.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qtpm/common.h"
#include "qtpm/rand.h"
#include "server.h"
#include "qtpm/version.h"

#define DEFAULT_PORT 2321
#define PROFILE_LOG_MAX 2100

typedef struct {
    int swtpm;
    long port;
    const char *host;
    const char *state_dir;
    int memory;
    int remove_state;
    int wait_power_on;
    int verbose;
    long idle_timeout;
    long max_per_peer;
    long journal_bytes;    /* --journal, QTPM_STORE_JOURNAL_DEFAULT if not given */
    const char *ctrl_path; /* --ctrl type=unixio,path= */
    int ctrl_fd;           /* fd= (listening), -1 if none */
    int ctrl_clientfd;     /* clientfd= (connected), -1 if none */
    const char *profile;   /* --profile, NULL if not given */
} options;

static void usage(FILE *f, const char *path)
{
    const char *prog = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    fprintf(f,
            "usage: %s [--mssim | --swtpm] [--port N] [--host ADDR] [--state DIR]\n"
            "          [--memory] [--rm] [--wait-power-on] [--idle-timeout S] [--max-per-peer N]\n"
            "          [--journal BYTES] [--profile NAME|JSON] [-v]\n"
            "  --mssim          TCG simulator protocol: commands on N, platform on N+1 "
            "(default)\n"
            "  --swtpm          swtpm socket protocol: data on N, control on N+1\n"
            "  --port N         first port (default %d)\n"
            "  --host ADDR      address to listen on (default localhost)\n"
            "  --state DIR      state directory (default $QTPM_STATE or ./qtpm-state)\n"
            "  --memory         keep no state on disk\n"
            "  --rm             remove the saved state first (a new TPM)\n"
            "  --journal BYTES  size of the state's write-ahead journal (default %u; 0: none,\n"
            "                   every change rewrites the state file; docs/SERVER.md)\n"
            "  --wait-power-on  start powered off; wait for POWER_ON / CMD_INIT\n"
            "  --idle-timeout S drop a client holding a connection S seconds without a\n"
            "                   complete command (default %d; 0: never)\n"
            "  --max-per-peer N connections one address may hold (default %d, at most %d)\n"
            "  --profile P      TPM profile of a new TPM: default (everything), compat-tss3 (no\n"
            "                   SHA-3: for tpm2-tss 3.x clients), or custom JSON\n"
            "                   {\"Name\":\"custom\",\"Algorithms\":\"...\",\"Commands\":\"...\"};\n"
            "                   a stored TPM keeps its own and refuses another (docs/SERVER.md)\n"
            "  --ctrl type=unixio,path=P|fd=N|clientfd=N\n"
            "                   swtpm control channel on a UNIX socket (QEMU -tpmdev emulator);\n"
            "                   implies --swtpm, opens no TCP port\n"
            "  --tpmstate dir=D swtpm's spelling of --state D (also: socket, --tpm2, --flags X,\n"
            "                   --log X are accepted, the last two ignored)\n"
            "  -V, --verbose    log to stderr\n"
            "  -v, --version    print the version and exit\n"
            "as tpm_server: -port N, -rm, -profile P, -h (IBM tpm_server options)\n",
            prog, DEFAULT_PORT, QTPM_STORE_JOURNAL_DEFAULT, SRV_IDLE_TIMEOUT_DEFAULT,
            SRV_MAX_PER_PEER_DEFAULT, SRV_MAX_CONNS);
}

static int parse_port(const char *s, long *port)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > 65534)
        return -1;
    *port = v;
    return 0;
}

/* A non-negative descriptor number; -1 if s is not one. */
static int parse_fd(const char *s)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1000000)
        return -1;
    return (int)v;
}

/* swtpm's --ctrl value: type=unixio and one of path=, fd=, clientfd=. */
static int parse_ctrl(char *v, options *o)
{
    int unixio = 0;
    for (char *tok = strtok(v, ","); tok != NULL; tok = strtok(NULL, ",")) {
        if (strcmp(tok, "type=unixio") == 0)
            unixio = 1;
        else if (strncmp(tok, "path=", 5) == 0 && tok[5] != '\0')
            o->ctrl_path = tok + 5;
        else if (strncmp(tok, "fd=", 3) == 0 && (o->ctrl_fd = parse_fd(tok + 3)) >= 0)
            ;
        else if (strncmp(tok, "clientfd=", 9) == 0 &&
                 (o->ctrl_clientfd = parse_fd(tok + 9)) >= 0)
            ;
        else if (strncmp(tok, "mode=", 5) == 0 || strcmp(tok, "terminate") == 0)
            ; /* swtpm: socket permissions / exit on disconnect: not supported, ignored */
        else
            return -1;
    }
    if (!unixio || (o->ctrl_path != NULL) + (o->ctrl_fd >= 0) + (o->ctrl_clientfd >= 0) != 1)
        return -1;
    o->swtpm = 1;
    return 0;
}

/* Returns 0 to run, 1 after printing help, -1 on a usage error. */
static int parse_args(int argc, char **argv, options *o)
{
    const char *base = strrchr(argv[0], '/');
    int ibm = strcmp(base ? base + 1 : argv[0], "tpm_server") == 0;
    int i;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has_next = i + 1 < argc;

        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout, argv[0]);
            return 1;
        } else if (strcmp(a, "--mssim") == 0) {
            o->swtpm = 0;
        } else if (strcmp(a, "--swtpm") == 0) {
            o->swtpm = 1;
        } else if ((strcmp(a, "--port") == 0 || (ibm && strcmp(a, "-port") == 0)) && has_next) {
            if (parse_port(argv[++i], &o->port) != 0) {
                fprintf(stderr, "%s: bad port %s\n", argv[0], argv[i]);
                return -1;
            }
        } else if ((strcmp(a, "--profile") == 0 || (ibm && strcmp(a, "-profile") == 0)) &&
                   has_next) {
            char why[256];
            o->profile = argv[++i];
            if (qtpm_profile_check(o->profile, why, sizeof(why)) != QTPM_OK) {
                fprintf(stderr, "%s: bad --profile: %s\n", argv[0], why);
                return -1;
            }
        } else if (strcmp(a, "--host") == 0 && has_next) {
            o->host = argv[++i];
        } else if (strcmp(a, "--state") == 0 && has_next) {
            o->state_dir = argv[++i];
        } else if (strcmp(a, "--memory") == 0) {
            o->memory = 1;
        } else if (strcmp(a, "--rm") == 0 || (ibm && strcmp(a, "-rm") == 0)) {
            o->remove_state = 1;
        } else if ((strcmp(a, "--idle-timeout") == 0 || strcmp(a, "--max-per-peer") == 0) &&
                   has_next) {
            char *end;
            int idle = strcmp(a, "--idle-timeout") == 0;
            long v;
            errno = 0;
            v = strtol(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || argv[i][0] == '\0' || v < (idle ? 0 : 1) ||
                v > (idle ? 86400 : SRV_MAX_CONNS)) {
                fprintf(stderr, "%s: bad value for %s: %s\n", argv[0], a, argv[i]);
                return -1;
            }
            if (idle)
                o->idle_timeout = v;
            else
                o->max_per_peer = v;
        } else if (strcmp(a, "--journal") == 0 && has_next) {
            char *end;
            long v;
            errno = 0;
            v = strtol(argv[++i], &end, 10);
            if (errno != 0 || *end != '\0' || argv[i][0] == '\0' ||
                (v != 0 && (v < 2048 || v > (16L << 20) || v % 512 != 0))) {
                fprintf(stderr, "%s: bad --journal %s (0, or 2048 .. 16777216 in steps of 512)\n",
                        argv[0], argv[i]);
                return -1;
            }
            o->journal_bytes = v;
        } else if (strcmp(a, "--ctrl") == 0 && has_next) {
            if (parse_ctrl(argv[++i], o) != 0) {
                fprintf(stderr,
                        "%s: bad --ctrl %s (want type=unixio,path=P or fd=N or clientfd=N)\n",
                        argv[0], argv[i]);
                return -1;
            }
        } else if (strcmp(a, "--tpmstate") == 0 && has_next) {
            const char *v = argv[++i];
            if (strncmp(v, "dir=", 4) != 0 || v[4] == '\0' || strchr(v, ',') != NULL) {
                fprintf(stderr, "%s: bad --tpmstate %s (want dir=D)\n", argv[0], v);
                return -1;
            }
            o->state_dir = v + 4;
        } else if ((strcmp(a, "--flags") == 0 || strcmp(a, "--log") == 0) && has_next) {
            i++; /* swtpm options with no meaning here */
        } else if ((strcmp(a, "socket") == 0 && i == 1) || strcmp(a, "--tpm2") == 0) {
            /* swtpm's interface word and TPM version: what we are anyway */
        } else if (strcmp(a, "--wait-power-on") == 0) {
            o->wait_power_on = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
            printf("qtpm-server " QTPM_VERSION "\n");
            return 1;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = 1;
        } else {
            fprintf(stderr, "%s: unknown or incomplete option %s\n", argv[0], a);
            usage(stderr, argv[0]);
            return -1;
        }
    }
    return 0;
}

/* Deletes the files of a state directory (not recursively: the store writes
 * a flat directory, and anything else in there is not ours to delete). Runs
 * only while this process holds the directory's lock (qtpm_store_dir), so it
 * can never wipe the state of a server that is using it; the lock file
 * itself stays, it is what other servers are locked out by. */
static int remove_state(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (d == NULL)
        return errno == ENOENT ? 0 : -1;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode) ||
            strcmp(e->d_name, "lock") == 0)
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) != 0)
            rc = -1;
    }
    closedir(d);
    return rc;
}

/* systemd socket activation (sd_listen_fds(3), without libsystemd): 1 when
 * the two listening sockets came from systemd, 0 when we open our own, -1 on
 * an error (printed). */
static int socket_activation(qtpm_server *srv, const options *o, const char *prog)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    char *end;

    if (pid == NULL || fds == NULL)
        return 0;
    long p = strtol(pid, &end, 10);
    if (*end != '\0' || p != (long)getpid())
        return 0; /* meant for another process */
    long n = strtol(fds, &end, 10);
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (*end != '\0' || n != 2) {
        fprintf(stderr,
                "%s: systemd passed %s sockets; qtpm-server needs exactly 2, the command "
                "port and then the platform port (see qtpm-server.socket)\n",
                prog, fds);
        return -1;
    }
    if (srv_adopt(srv, 3, o->swtpm ? PROTO_SWTPM_DATA : PROTO_MSSIM_TPM) != 0 ||
        srv_adopt(srv, 4, o->swtpm ? PROTO_SWTPM_CTRL : PROTO_MSSIM_PLATFORM) != 0) {
        fprintf(stderr, "%s: the sockets from systemd (fds 3 and 4) are not listening TCP "
                        "sockets: %s\n", prog, strerror(errno));
        return -1;
    }
    return 1;
}

int main(int argc, char **argv)
{
    static qtpm_server srv; /* holds an 8 KiB response buffer: not on the stack */
    options o;
    qtpm_tpm_config cfg;
    int rc;

    memset(&o, 0, sizeof(o));
    o.port = DEFAULT_PORT;
    o.host = "localhost";
    o.state_dir = getenv("QTPM_STATE");
    if (o.state_dir == NULL || o.state_dir[0] == '\0')
        o.state_dir = "./qtpm-state";
    o.idle_timeout = SRV_IDLE_TIMEOUT_DEFAULT;
    o.max_per_peer = SRV_MAX_PER_PEER_DEFAULT;
    o.journal_bytes = QTPM_STORE_JOURNAL_DEFAULT;
    o.ctrl_fd = o.ctrl_clientfd = -1;
    rc = parse_args(argc, argv, &o);
    if (rc != 0)
        return rc > 0 ? 0 : 2;
    srv.verbose = o.verbose;
    srv.idle_timeout_s = (unsigned)o.idle_timeout;
    srv.max_per_peer = (unsigned)o.max_per_peer;

    memset(&cfg, 0, sizeof(cfg));
    if (o.memory) {
        qtpm_store_memory(&cfg.store);
    } else {
        /* Lock first, then remove: --rm on a directory another server
         * holds fails like any other second server. */
        rc = qtpm_store_dir_journal(&cfg.store, o.state_dir, (size_t)o.journal_bytes);
        if (rc != QTPM_OK) {
            fprintf(stderr, "%s: cannot open state directory %s: %s\n", argv[0], o.state_dir,
                    qtpm_strerror(rc));
            return 1;
        }
        if (o.remove_state && remove_state(o.state_dir) != 0) {
            fprintf(stderr, "%s: cannot remove state in %s: %s\n", argv[0], o.state_dir,
                    strerror(errno));
            cfg.store.close(cfg.store.ctx);
            return 1;
        }
    }
    cfg.powered_on = !o.wait_power_on;
    cfg.profile = o.profile;
    srv.nv_on = cfg.powered_on;

    /* Listen before creating the TPM, so a port clash fails fast and does not
     * touch the state. Under systemd socket activation (sd_listen_fds(3): the
     * sockets are fds 3 and 4, LISTEN_PID is ours) the two sockets of
     * qtpm-server.socket come in that order: command (data) port, then
     * platform (control) port. */
    int activated = o.ctrl_path || o.ctrl_fd >= 0 || o.ctrl_clientfd >= 0
                        ? 0 : socket_activation(&srv, &o, argv[0]);
    if (o.ctrl_path != NULL || o.ctrl_fd >= 0) {
        if ((o.ctrl_path ? srv_listen_unix(&srv, o.ctrl_path, PROTO_SWTPM_CTRL)
                         : srv_adopt(&srv, o.ctrl_fd, PROTO_SWTPM_CTRL)) != 0) {
            int e = errno;
            if (o.ctrl_path)
                fprintf(stderr, "%s: cannot serve the control channel on %s: %s\n", argv[0],
                        o.ctrl_path, strerror(e));
            else
                fprintf(stderr, "%s: descriptor %d is not a listening stream socket: %s\n",
                        argv[0], o.ctrl_fd, strerror(e));
            activated = -1;
        } else {
            activated = 2;
        }
    } else if (o.ctrl_clientfd >= 0) {
        if (srv_add_conn(&srv, o.ctrl_clientfd, PROTO_SWTPM_CTRL) == NULL) {
            fprintf(stderr, "%s: descriptor %d is not a connected stream socket: %s\n",
                    argv[0], o.ctrl_clientfd, strerror(errno));
            activated = -1;
        } else {
            activated = 2;
        }
    }
    if (activated < 0) {
        if (cfg.store.close != NULL)
            cfg.store.close(cfg.store.ctx);
        srv_close_all();
        return 1;
    }
    if (!activated && (srv_listen(&srv, o.host, (uint16_t)o.port,
                                  o.swtpm ? PROTO_SWTPM_DATA : PROTO_MSSIM_TPM) != 0 ||
                       srv_listen(&srv, o.host, (uint16_t)(o.port + 1),
                                  o.swtpm ? PROTO_SWTPM_CTRL : PROTO_MSSIM_PLATFORM) != 0)) {
        int e = errno;
        fprintf(stderr, "%s: cannot listen on %s ports %ld and %ld: %s%s\n", argv[0], o.host,
                o.port, o.port + 1, strerror(e),
                e == EADDRINUSE ? " (another TPM simulator is using them: stop it, or pick "
                                  "other ports with --port N)"
                : e == EACCES   ? " (ports below 1024 need privileges: use --port N with N "
                                  ">= 1024)"
                : e == EADDRNOTAVAIL ? " (no interface has that address: check --host)"
                                     : "");
        if (cfg.store.close != NULL)
            cfg.store.close(cfg.store.ctx);
        srv_close_all();
        return 1;
    }
    char why[256] = "";
    cfg.err = why;
    cfg.err_size = sizeof(why);
    rc = qtpm_tpm_new(&srv.tpm, &cfg);
    if (rc != QTPM_OK) {
        /* The state file is left exactly as it was (never repaired). */
        if (o.memory)
            fprintf(stderr, "%s: cannot create the TPM: %s%s%s\n", argv[0], qtpm_strerror(rc),
                    why[0] ? ": " : "", why);
        else
            fprintf(stderr, "%s: refusing state file %s/state: %s (%s); it was not modified\n",
                    argv[0], o.state_dir, why[0] ? why : "cannot load", qtpm_strerror(rc));
        if (cfg.store.close != NULL) /* on failure the store stays the caller's */
            cfg.store.close(cfg.store.ctx);
        srv_close_all();
        return 1;
    }
    if (srv.verbose) {
        char prof[PROFILE_LOG_MAX];
        if (qtpm_tpm_profile(srv.tpm, prof, sizeof(prof)) == 0)
            snprintf(prof, sizeof(prof), "custom (too long to print)");
        fprintf(stderr, "qtpm-server: TPM profile %s\n", prof);
    }
    /* The ready line: clients may connect from now on (scripts wait for it). */
    if (activated == 2)
        printf("qtpm-server " QTPM_VERSION ": ready, swtpm control channel on %s, state %s%s\n",
               o.ctrl_path ? o.ctrl_path : "an inherited descriptor",
               o.memory ? "in memory" : o.state_dir, o.wait_power_on ? ", powered off" : "");
    else if (activated)
        printf("qtpm-server " QTPM_VERSION ": ready, %s protocol on the sockets from systemd, "
               "state %s%s\n",
               o.swtpm ? "swtpm" : "mssim", o.memory ? "in memory" : o.state_dir,
               o.wait_power_on ? ", powered off" : "");
    else
        printf("qtpm-server " QTPM_VERSION ": ready, %s protocol on %s ports %ld/%ld, state "
               "%s%s\n",
               o.swtpm ? "swtpm" : "mssim", o.host, o.port, o.port + 1,
               o.memory ? "in memory" : o.state_dir, o.wait_power_on ? ", powered off" : "");
    fflush(stdout);

    /* Nonces and GetRandom from a pool of kernel randomness instead of one
     * getrandom() per command (qtpm/rand.h: used once, wiped as handed out,
     * wiped on fork). Without the page the server just stays unbuffered. */
    if (qtpm_random_set_buffered(1) != QTPM_OK)
        srv_log(&srv, "random pool unavailable, one getrandom() per request");
    rc = srv_run(&srv);
    srv_close_all();
    swtpm_free(&srv);
    qtpm_tpm_free(srv.tpm);
    qtpm_random_set_buffered(0);
    return rc == 0 ? 0 : 1;
}
