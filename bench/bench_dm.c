/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_dm.c — qtpm-bench-dm: the device-management flows measured at the
 * application level (issue 9; docs/BENCH.md "qtpm-bench-dm").
 *
 * qtpm-bench-flows replays the seeds' flows as TPM command sequences with an
 * in-process verifier. This program measures what a router really does
 * against a real qtpm-nms process: the agent's own code (qtpm_agent_core,
 * the functions qtpm-agent calls) over HTTPS on loopback to `qtpm-nms serve`
 * with its SQLite store in a temporary directory, and a software TPM per
 * router. The flows, each timed from the agent's call to its return:
 *
 *   enrol     agent_enrol: EK certificate read from NV, EK and AK created,
 *             POST /enrol (the NMS checks the EK certificate against the
 *             vendor CA and the AK, runs MakeCredential), ActivateCredential,
 *             POST /activate (the NMS issues and stores the AK certificate),
 *             the AK blobs and certificate written to the agent's state;
 *   tls-key   agent_tls_enrol: SRK, TLS key created with the NMS's
 *             PolicyAuthorize, POST /challenge, TPM2_Certify by the AK, POST
 *             /tls-key (the NMS checks the certification and issues the TLS
 *             client certificate), key and certificate stored;
 *   attest    agent_attest: POST /challenge, TPM2_Quote, PCR_Read, the list's
 *             new entries (ten per round), POST /evidence (the NMS verifies
 *             quote and entries against the vendor's digest list and stores
 *             verdict, state and verifier state in one transaction);
 *   heartbeat agent_heartbeat: mutual TLS in which the TPM-resident key signs
 *             under the NMS's approval (no goal; the seeds' TLS Connection);
 *
 * and, for the breakdown, one HTTPS request as the agent sends it (a new
 * connection each time) and on a kept-alive connection.
 *
 * Routers: qtpm-server with ML-DSA-65 and ML-DSA-44 AKs (ML-KEM-768 EK) and
 * with ECC P-256 and RSA-2048 AKs (EK of the same family), and swtpm (which
 * has no ML-DSA) with the two classic ones: one TPM process and one agent
 * state per router, since the NMS names a router after its EK. Runs go
 * round-robin over the routers, the first router rotating, so that the
 * machine's noise hits every one alike. Reported: medians and p90, the TPM
 * commands' time at libqtss, the CPU time of agent, NMS and TPM, the seeds'
 * figures (D6.3 Table 10) and the speed-up against them, and the ratio
 * against the classic flow on swtpm in the same run, both of medians and
 * paired round by round (with a bootstrap interval).
 *
 * Every run is checked: the AK or TLS certificate must be new and name the
 * router, the verdict must be good and the NMS must have verified exactly ten
 * new entries, the heartbeat must pass mutual TLS. The exit status is 1 when
 * any flow failed or a process could not be started (not for a missed goal),
 * so `--runs 2` is a smoke test (ctest bench_dm); --self-test checks the
 * statistics (ctest bench_dm_stats).
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "qtpm/manufacture.h"
#include "qtpm/tss_cmd.h"
#include "tpmproc.h"

#define PROGRAM "qtpm-bench-dm"
#define DEFAULT_RUNS 100
#define DEFAULT_WARMUP 1
#define ENTRIES_PER_ROUND 10
#define BASE_FILES 10
#define TIMING_RECORDS 256
#define NMS_START_MS 15000

/* ------------------------------------------------------------------------ */
/* Flows and routers. */

enum {
    FLOW_ENROL,
    FLOW_TLS,
    FLOW_ATTEST,
    FLOW_HEARTBEAT,
    FLOW_HTTPS,
    FLOW_KEEPALIVE,
    N_FLOWS
};

/* Seed D6.3 §4.3.3 Table 10, application totals in seconds: AK Creation,
 * TLS Key Creation, TLS Connection and Quote; TPM 2.0 (SW) and FutureTPM
 * (SW) in the VM. `goal`: one of the three flows issue 9 sets goals for. */
static const struct {
    const char *name, *label, *seeds_flow;
    double seeds_classic_us, seeds_qr_us;
    int goal;
} flows[N_FLOWS] = {
    {"enrol", "Enrolment (EK check → AK certificate)", "AK Creation", 300000, 834000, 1},
    {"tls-key", "TLS-key certification (Certify → TLS certificate)", "TLS Key Creation",
     194000, 655000, 1},
    {"attest", "Attestation round trip (challenge → quote + 10 entries → verdict)", "Quote",
     66000, 381000, 1},
    /* Beyond the three: the implicit-attestation channel, mutual TLS
     * with the TPM-resident key (an ECC P-256 key on every router). */
    {"heartbeat", "Heartbeat over mutual TLS with the TPM-resident key", "TLS Connection",
     73000, 331000, 0},
    /* Not a flow: one of the requests every flow makes, for the breakdown. */
    {"https", "One HTTPS request as the agent sends it (POST /challenge; its anonymous "
              "requests share one kept-alive connection)", NULL, -1, -1, 0},
    /* Nor this: the same request on a connection the benchmark keeps open
     * itself, the floor the agent's own reuse can reach. */
    {"https-keepalive", "The same request on the benchmark's own kept-alive TLS connection",
     NULL, -1, -1, 0},
};

static const struct {
    tpmproc_kind kind;
    const char *name; /* router, TPM process and agent hostname */
    const char *tpm;
    const char *ak; /* qtpm-agent's `ak` */
    const char *ak_label;
    qtpm_ek_alg ek;
    int qr;
} defs[] = {
    {TPMPROC_QTPM, "qtpm-mldsa65", "qtpm-server", "mldsa65", "ML-DSA-65", QTPM_EK_MLKEM768, 1},
    {TPMPROC_QTPM, "qtpm-mldsa44", "qtpm-server", "mldsa44", "ML-DSA-44", QTPM_EK_MLKEM768, 1},
    {TPMPROC_QTPM, "qtpm-ecc", "qtpm-server", "ecc", "ECC P-256", QTPM_EK_ECCP256, 0},
    {TPMPROC_QTPM, "qtpm-rsa", "qtpm-server", "rsa", "RSA-2048", QTPM_EK_RSA2048, 0},
    {TPMPROC_SWTPM, "swtpm-ecc", "swtpm", "ecc", "ECC P-256", QTPM_EK_ECCP256, 0},
    {TPMPROC_SWTPM, "swtpm-rsa", "swtpm", "rsa", "RSA-2048", QTPM_EK_RSA2048, 0},
};
#define N_ROUTERS ((int)(sizeof defs / sizeof defs[0]))
#define SWTPM_ECC 4
#define SWTPM_RSA 5

/* CPU time spent on a run: by the agent (this thread), by qtpm-nms and by
 * the router's TPM process, from which the wall time's shares follow. */
enum { CPU_AGENT, CPU_NMS, CPU_TPM, N_CPU };

typedef struct {
    double *app;  /* wall time of the flow, µs */
    double *tss;  /* sum of its TPM commands at libqtss, µs */
    double *cpu[N_CPU]; /* CPU time during the flow, µs */
    int n;        /* runs recorded */
    int commands; /* TPM commands of the last run */
    int failed;
    char error[768];
} series;

typedef struct {
    int def;
    tpmproc proc;
    qtpm_tss *t;
    agent_config cfg;
    agent_measurer m;
    char dir[PATH_MAX];  /* <tmp>/<name>: agent.conf, state/, root/ */
    char router[64];     /* the NMS's id, after the first enrolment */
    long next_index;     /* entries the NMS has verified */
    int round_files;     /* round files linked into root/ so far */
    CURL *keep;          /* the kept-alive connection of FLOW_KEEPALIVE */
    struct curl_slist *keep_header;
    series s[N_FLOWS];
} router;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void set_error(series *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_error(series *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    s->failed = 1;
}

/* ------------------------------------------------------------------------ */
/* Files and child processes. */


static int write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int bad = fputs(text, f) < 0;
    return (fclose(f) != 0 || bad) ? -1 : 0;
}

static void show_file(const char *what, const char *path)
{
    char line[512];
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    fprintf(stderr, "---- %s (%s) ----\n", what, path);
    while (fgets(line, sizeof line, f))
        fputs(line, stderr);
    fprintf(stderr, "----\n");
    fclose(f);
}

/* Starts argv[0] with stdout and stderr appended to log; it dies with us. */
static pid_t spawn(char *const argv[], const char *log)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execv(argv[0], argv);
        fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    return pid;
}

/* Runs a tool to completion; 0 when it exited 0, else its log is shown. */
static int run_tool(char *const argv[], const char *log)
{
    pid_t pid = spawn(argv, log);
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "%s: %s failed\n", PROGRAM, argv[0]);
        show_file(argv[0], log);
        return -1;
    }
    return 0;
}

/* A free TCP port on 127.0.0.1 (the kernel's choice; bound and released). */
static int free_port(void)
{
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd < 0)
        return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
        getsockname(fd, (struct sockaddr *)&a, &len) == 0)
        port = ntohs(a.sin_port);
    close(fd);
    return port;
}

static int port_accepts(int port)
{
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
    if (fd < 0)
        return 0;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

/* CPU time of every thread of a process, in µs: the sum of the first field
 * (time on the CPU, ns) of /proc/PID/task/TID/schedstat. The processes read
 * are idle (blocked on their sockets) when read, so their counters are
 * up to date; -1 when nothing could be read. */
static double process_cpu_us(pid_t pid)
{
    char p[64];
    double sum = 0;
    int found = 0;
    snprintf(p, sizeof p, "/proc/%d/task", (int)pid);
    DIR *d = opendir(p);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char sp[320];
        unsigned long long ns;
        if (e->d_name[0] == '.')
            continue;
        snprintf(sp, sizeof sp, "/proc/%d/task/%.200s/schedstat", (int)pid, e->d_name);
        FILE *f = fopen(sp, "r");
        if (f && fscanf(f, "%llu", &ns) == 1) {
            sum += (double)ns / 1e3;
            found = 1;
        }
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return found ? sum : -1;
}

static double thread_cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* <directory of this program>/../<rel>, the build tree's layout. */
static void beside_us(const char *rel, char *out, size_t size)
{
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    char *slash;
    out[0] = '\0';
    if (n <= 0)
        return;
    self[n] = '\0';
    if ((slash = strrchr(self, '/')))
        *slash = '\0';
    snprintf(out, size, "%.*s/../%s", PATH_MAX - 64, self, rel);
}

/* ------------------------------------------------------------------------ */
/* The world: vendor, image, digest list, NMS. */

typedef struct {
    char tmp[64];              /* everything lives below, removed at the end */
    char nms_bin[PATH_MAX], dl_bin[PATH_MAX];
    char db[PATH_MAX + 16];    /* sqlite:<tmp>/nms/nms.db */
    char log[PATH_MAX];        /* tools' output */
    char nms_log[PATH_MAX];
    pid_t nms_pid;
    int nms_port;
    int rounds;                /* attestation rounds the image has files for */
    int extra_files;           /* files in the digest list that no router measures */
    qtpm_vendor_ca *ca;
} world;

static void path_in(const world *w, const char *rel, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", w->tmp, rel);
}

/* The router image: BASE_FILES files measured before the first round, then
 * ENTRIES_PER_ROUND new files for every attestation round. */
static void image_file(const world *w, int round, int k, char *out, size_t size)
{
    if (round < 0)
        snprintf(out, size, "%s/image/usr/bin/base-%02d", w->tmp, k);
    else
        snprintf(out, size, "%s/image/usr/lib/bench/r%05d-%02d", w->tmp, round, k);
}

static int make_image(world *w)
{
    char p[PATH_MAX], text[96];
    path_in(w, "image/usr/bin", p, sizeof p);
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return -1;
    path_in(w, "image/usr/lib", p, sizeof p);
    if (mkdir(p, 0755) != 0 || mkdir(strcat(p, "/bench"), 0755) != 0)
        return -1;
    for (int r = -1; r < w->rounds; r++) {
        for (int k = 0; k < (r < 0 ? BASE_FILES : ENTRIES_PER_ROUND); k++) {
            image_file(w, r, k, p, sizeof p);
            snprintf(text, sizeof text, "#!/bin/sh\necho bench file %d/%d\n", r, k);
            if (write_text(p, text) != 0)
                return -1;
        }
    }
    /* The rest of a larger vendor image (--extra-files): in the signed
     * digest list, never on a router, 1000 to a directory. */
    for (int i = 0; i < w->extra_files; i++) {
        if (i % 1000 == 0) {
            snprintf(p, sizeof p, "%s/image/usr/share/d%03d", w->tmp, i / 1000);
            if (i == 0) {
                char share[PATH_MAX];
                path_in(w, "image/usr/share", share, sizeof share);
                if (mkdir(share, 0755) != 0)
                    return -1;
            }
            if (mkdir(p, 0755) != 0)
                return -1;
        }
        snprintf(p, sizeof p, "%s/image/usr/share/d%03d/f%06d", w->tmp, i / 1000, i);
        snprintf(text, sizeof text, "extra file %d\n", i);
        if (write_text(p, text) != 0)
            return -1;
    }
    return 0;
}

static int setup_world(world *w)
{
    char p[PATH_MAX], ca_pem[PATH_MAX], vk[PATH_MAX], list[PATH_MAX], root[PATH_MAX];
    char mpub[PATH_MAX], epub[PATH_MAX], mkey[PATH_MAX], ekey[PATH_MAX], nmsdir[PATH_MAX];
    char listen[64], rounds_s[16];
    int rc;

    path_in(w, "tools.log", w->log, sizeof w->log);
    path_in(w, "nms.log", w->nms_log, sizeof w->nms_log);
    path_in(w, "image", p, sizeof p);
    if (mkdir(p, 0755) != 0 || mkdir(strcat(p, "/usr"), 0755) != 0 || make_image(w) != 0) {
        fprintf(stderr, "%s: cannot write the router image: %s\n", PROGRAM, strerror(errno));
        return -1;
    }
    snprintf(rounds_s, sizeof rounds_s, "%d", w->rounds);

    /* The vendor: EK CA (libqtpm-manufacture) and digest-list keys. */
    path_in(w, "vendor-ca", p, sizeof p);
    if ((rc = qtpm_vendor_ca_open(p, &w->ca)) != QTPM_OK) {
        fprintf(stderr, "%s: vendor CA: %s\n", PROGRAM, qtpm_tss_strerror(rc));
        return -1;
    }
    path_in(w, "vendor-ca/ca-cert.pem", ca_pem, sizeof ca_pem);
    path_in(w, "vendor", vk, sizeof vk);
    path_in(w, "image", root, sizeof root);
    path_in(w, "vendor/list.qdl", list, sizeof list);
    path_in(w, "vendor/mldsa65.pub", mpub, sizeof mpub);
    path_in(w, "vendor/ecdsa-p384.pub", epub, sizeof epub);
    path_in(w, "vendor/mldsa65.key", mkey, sizeof mkey);
    path_in(w, "vendor/ecdsa-p384.key", ekey, sizeof ekey);
    path_in(w, "nms", nmsdir, sizeof nmsdir);
    {
        char *keygen[] = {w->dl_bin, "keygen", "--out-dir", vk, NULL};
        char *build[] = {w->dl_bin, "build", "--vendor", "acme", "--image", "bench-image",
                         "--version", "1", "--root", root, "--mldsa-key", mkey,
                         "--ecdsa-key", ekey, "-o", list, NULL};
        char *init[] = {w->nms_bin, "init", "--dir", nmsdir, NULL};
        char *vendor[] = {w->nms_bin, "--db", w->db, "vendor", "import", "--name", "acme",
                          "--ca", ca_pem, "--mldsa-pub", mpub, "--ecdsa-pub", epub, NULL};
        char *add[] = {w->nms_bin, "--db", w->db, "digestlist", "add", list, NULL};
        snprintf(w->db, sizeof w->db, "sqlite:%s/nms.db", nmsdir);
        if (run_tool(keygen, w->log) || run_tool(build, w->log) || run_tool(init, w->log) ||
            run_tool(vendor, w->log) || run_tool(add, w->log))
            return -1;
    }

    /* The operator's NMS. --period: no router goes offline during the run. */
    if ((w->nms_port = free_port()) < 0) {
        fprintf(stderr, "%s: no free port for qtpm-nms\n", PROGRAM);
        return -1;
    }
    snprintf(listen, sizeof listen, "127.0.0.1:%d", w->nms_port);
    char *serve[] = {w->nms_bin, "serve", "--dir", nmsdir, "--db", w->db, "--listen", listen,
                     "--period", "86400", NULL};
    if ((w->nms_pid = spawn(serve, w->nms_log)) < 0) {
        fprintf(stderr, "%s: fork: %s\n", PROGRAM, strerror(errno));
        w->nms_pid = 0;
        return -1;
    }
    double deadline = bench_now_us() + NMS_START_MS * 1000.0;
    while (!port_accepts(w->nms_port)) {
        int status;
        if (waitpid(w->nms_pid, &status, WNOHANG) == w->nms_pid || bench_now_us() > deadline) {
            fprintf(stderr, "%s: qtpm-nms did not start on %s\n", PROGRAM, listen);
            show_file("qtpm-nms", w->nms_log);
            return -1;
        }
        bench_sleep_ms(20);
    }
    return 0;
}

/* Stops qtpm-nms; 0 when it stopped cleanly (exit status 0 after SIGTERM)
 * and its log has no sanitizer report (in ASan/UBSan builds). */
static int stop_nms(world *w)
{
    int status = 0, rc = 0;
    if (w->nms_pid > 0) {
        kill(w->nms_pid, SIGTERM);
        double deadline = bench_now_us() + 5e6;
        while (waitpid(w->nms_pid, &status, WNOHANG) != w->nms_pid) {
            if (bench_now_us() > deadline) {
                kill(w->nms_pid, SIGKILL);
                waitpid(w->nms_pid, &status, 0);
                break;
            }
            bench_sleep_ms(10);
        }
        w->nms_pid = 0;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "%s: qtpm-nms did not stop cleanly (status %d)\n", PROGRAM, status);
            rc = -1;
        }
    }
    char line[512];
    FILE *f = w->nms_log[0] ? fopen(w->nms_log, "r") : NULL;
    while (f && fgets(line, sizeof line, f)) {
        if (strstr(line, "Sanitizer") || strstr(line, "runtime error")) {
            fprintf(stderr, "%s: sanitizer report in the qtpm-nms log\n", PROGRAM);
            rc = -1;
            break;
        }
    }
    if (f)
        fclose(f);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Routers: TPM, factory step, agent configuration. */

static int setup_router(world *w, router *r, int salt)
{
    char spec[96], conf[PATH_MAX + 16], text[4 * PATH_MAX], err[512] = "", p[PATH_MAX + 16];
    int rc;
    const char *what = "";

    if (tpmproc_start(&r->proc, salt, -1, -1) != 0)
        return -1;
    snprintf(spec, sizeof spec, "swtpm:host=127.0.0.1,port=%d", r->proc.port);
    if ((rc = qtpm_tss_new(spec, &r->t)) != QTPM_OK) {
        r->t = NULL;
        what = "libqtss";
        goto fail;
    }
    /* qtpm-server waits for Startup; swtpm was started with startup-clear. */
    rc = qtpm_tss_Startup(r->t, TPM_SU_CLEAR);
    if (rc != QTPM_OK && rc != (int)TPM_RC_INITIALIZE) {
        what = "Startup";
        goto fail;
    }
    qtpm_mfg_result res;
    if ((rc = qtpm_manufacture_ek(r->t, w->ca, defs[r->def].ek, NULL, &res)) != QTPM_OK) {
        what = "manufacturing the EK";
        goto fail;
    }
    if ((rc = qtpm_tss_timing_enable(r->t, TIMING_RECORDS)) != QTPM_OK) {
        what = "timing records";
        goto fail;
    }

    snprintf(r->dir, sizeof r->dir, "%s/%s", w->tmp, defs[r->def].name);
    snprintf(p, sizeof p, "%s/root", r->dir);
    if (mkdir(r->dir, 0700) != 0 || mkdir(p, 0755) != 0 || mkdir(strcat(p, "/usr"), 0755) != 0 ||
        mkdir(strcat(p, "/bin"), 0755) != 0) {
        snprintf(r->proc.error, sizeof r->proc.error, "mkdir %.300s: %s", p, strerror(errno));
        return -1;
    }
    snprintf(r->proc.error, sizeof r->proc.error, "cannot prepare the image in %.400s", r->dir);
    for (int k = 0; k < BASE_FILES; k++) {
        char from[PATH_MAX], to[PATH_MAX + 32];
        image_file(w, -1, k, from, sizeof from);
        snprintf(to, sizeof to, "%s/root/usr/bin/base-%02d", r->dir, k);
        if (link(from, to) != 0)
            return -1;
    }
    snprintf(p, sizeof p, "%s/root/usr/lib", r->dir);
    if (mkdir(p, 0755) != 0 || mkdir(strcat(p, "/bench"), 0755) != 0)
        return -1;

    snprintf(conf, sizeof conf, "%s/agent.conf", r->dir);
    snprintf(text, sizeof text,
             "# %s: written by %s\n"
             "tcti = %s\nnms = https://127.0.0.1:%d\nca = %s/nms/operator-ca.crt\n"
             "state_dir = %s/state\nhostname = %s\nmeasure_root = %s/root\n"
             "ima_source = own\nak = %s\nperiod = 10\n",
             defs[r->def].name, PROGRAM, spec, w->nms_port, w->tmp, r->dir, defs[r->def].name,
             r->dir, defs[r->def].ak);
    if (write_text(conf, text) != 0 || agent_config_load(conf, &r->cfg, err, sizeof err) != 0) {
        snprintf(r->proc.error, sizeof r->proc.error, "agent configuration %.200s: %.250s", conf,
                 err[0] ? err : "cannot be written");
        return -1;
    }
    r->proc.error[0] = '\0';
    return 0;
fail:
    snprintf(r->proc.error, sizeof r->proc.error, "%s: %s", what, qtpm_tss_strerror(rc));
    return -1;
}

/* ------------------------------------------------------------------------ */
/* One run of a flow. */

static void tss_sum(router *r, double *us, int *count)
{
    const qtpm_tss_timing_record *rec = qtpm_tss_timing_records(r->t);
    size_t n = qtpm_tss_timing_count(r->t);
    *us = 0;
    for (size_t i = 0; i < n; i++)
        *us += (double)rec[i].usec;
    *count = (int)n;
}

/* The certificate a flow left in the agent's state: it must exist and name
 * the router (CN = router id). */
static int cert_names_router(const router *r, const char *file, const char *router_id)
{
    char p[PATH_MAX + 16], cn[128];
    uint8_t *der = NULL;
    size_t len = 0;
    snprintf(p, sizeof p, "%s/%s", r->cfg.state_dir, file);
    if (agent_read_file(p, &der, &len) != 0)
        return 0;
    const unsigned char *q = der;
    X509 *x = d2i_X509(NULL, &q, (long)len);
    free(der);
    int ok = x && X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
                                            sizeof cn) > 0 &&
             strcmp(cn, router_id) == 0;
    X509_free(x);
    return ok;
}

static void remove_state_file(const router *r, const char *file)
{
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/%s", r->cfg.state_dir, file);
    unlink(p);
}

/* Re-enrolment of a known EK with a new AK needs the operator's permission
 * (docs/NMS.md): given through the admin CLI, outside the timing. */
static int allow_reenrol(world *w, router *r)
{
    char *argv[] = {w->nms_bin, "--db", w->db, "router", "allow", r->router, NULL};
    if (run_tool(argv, w->log) != 0) {
        set_error(&r->s[FLOW_ENROL], "qtpm-nms router allow %s failed", r->router);
        return -1;
    }
    return 0;
}

static int read_router_id(router *r)
{
    char p[PATH_MAX + 16];
    uint8_t *buf = NULL;
    size_t len = 0;
    snprintf(p, sizeof p, "%s/router.id", r->cfg.state_dir);
    if (agent_read_file(p, &buf, &len) != 0 || len == 0 || len >= sizeof r->router) {
        free(buf);
        return -1;
    }
    memcpy(r->router, buf, len);
    r->router[len] = '\0';
    free(buf);
    return 0;
}

/* Runs an admin command of qtpm-nms and parses its --json output; NULL
 * (after saying why) when it fails or prints no JSON. */
static json_t *nms_json(world *w, char *const argv[])
{
    char out[PATH_MAX];
    json_error_t je;
    path_in(w, "admin.json", out, sizeof out);
    unlink(out);
    if (run_tool(argv, out) != 0)
        return NULL;
    json_t *j = json_load_file(out, 0, &je);
    if (!j) {
        fprintf(stderr, "%s: %s printed no JSON: %s\n", PROGRAM, argv[0], je.text);
        show_file("its output", out);
    }
    return j;
}

/* What the NMS stored, read back through its admin CLI after the run: per
 * router, one `enrolled` event per enrolment, one `verdict` event saying
 * good per attestation round, and the state good. Any difference marks the
 * flow failed. */
static void check_store(world *w, router *rs, int rounds)
{
    char *events_argv[] = {w->nms_bin, "--db", w->db, "events", "--json", NULL};
    json_t *ev = nms_json(w, events_argv);
    for (int i = 0; i < N_ROUTERS; i++) {
        router *r = &rs[i];
        if (!r->router[0])
            continue;
        int enrolled = 0, good = 0, other = 0;
        size_t k;
        json_t *e;
        json_array_foreach(ev, k, e) {
            const char *who = json_string_value(json_object_get(e, "router"));
            const char *kind = json_string_value(json_object_get(e, "kind"));
            const char *detail = json_string_value(json_object_get(e, "detail"));
            if (!who || !kind || strcmp(who, r->router) != 0)
                continue;
            if (!strcmp(kind, "enrolled"))
                enrolled++;
            else if (!strcmp(kind, "verdict") && detail && !strcmp(detail, "good"))
                good++;
            else if (!strcmp(kind, "verdict"))
                other++;
        }
        char *show_argv[] = {w->nms_bin, "--db", w->db, "router", "show", r->router, "--json",
                             NULL};
        json_t *show = nms_json(w, show_argv);
        const char *state = json_string_value(json_object_get(show, "state"));
        if (!r->s[FLOW_ENROL].failed && enrolled != rounds)
            set_error(&r->s[FLOW_ENROL], "the NMS recorded %d enrolments of %s, not %d",
                      enrolled, r->router, rounds);
        if (!r->s[FLOW_ATTEST].failed && (good != rounds || other || !state ||
                                          strcmp(state, "good") != 0))
            set_error(&r->s[FLOW_ATTEST],
                      "the NMS recorded %d good and %d other verdicts for %s (not %d good), "
                      "state %s", good, other, r->router, rounds, state ? state : "unknown");
        json_decref(show);
    }
    json_decref(ev);
}

/* Links the next round's files into the router's image and has the agent
 * measure them (ten entries, ten PCR 10 extends per bank): the router's
 * life between two attestations, not part of the timed round trip. */
static int grow_list(world *w, router *r)
{
    series *s = &r->s[FLOW_ATTEST];
    if (r->round_files >= w->rounds) {
        set_error(s, "the image has files for %d rounds only", w->rounds);
        return -1;
    }
    for (int k = 0; k < ENTRIES_PER_ROUND; k++) {
        char from[PATH_MAX], to[PATH_MAX + 32];
        image_file(w, r->round_files, k, from, sizeof from);
        snprintf(to, sizeof to, "%s/root/usr/lib/bench/r%05d-%02d", r->dir, r->round_files, k);
        if (link(from, to) != 0) {
            set_error(s, "link %s: %s", to, strerror(errno));
            return -1;
        }
    }
    r->round_files++;
    size_t added = 0;
    int rc = agent_measure_scan(&r->m, &added);
    if (rc != 0 || added != ENTRIES_PER_ROUND) {
        set_error(s, "measuring: %s, %zu new entries instead of %d", qtpm_tss_strerror(rc),
                  added, ENTRIES_PER_ROUND);
        return -1;
    }
    return 0;
}

typedef struct {
    char buf[4096];
    size_t len;
    int overflow;
} keep_reply;

static size_t keep_data(char *p, size_t size, size_t nmemb, void *u)
{
    keep_reply *k = u;
    size_t n = size * nmemb;
    if (k->len + n >= sizeof k->buf) {
        k->overflow = 1;
        return 0;
    }
    memcpy(k->buf + k->len, p, n);
    k->len += n;
    return n;
}

/* The agent's TLS groups (hybrid ML-KEM only, docs/CHANNEL.md) on the
 * benchmark's own handle. */
static CURLcode keep_ssl_ctx(CURL *c, void *ssl_ctx, void *parm)
{
    (void)c;
    return agent_channel_ctx(parm, ssl_ctx) ? CURLE_SSL_CIPHER : CURLE_OK;
}

/* POST body to path on r's kept-alive connection, as agent_http_post does
 * on a new one: JSON encoding, the request, the reply collected and parsed. */
static int keepalive_post(router *r, const char *path, json_t *body, long *status,
                          json_t **reply)
{
    char url[512];
    keep_reply k;
    *status = 0;
    *reply = NULL;
    k.len = 0;
    k.overflow = 0;
    if (!r->keep) {
        if (!(r->keep = curl_easy_init()) ||
            !(r->keep_header = curl_slist_append(NULL, "Content-Type: application/json")))
            return QTPM_E_NOMEM;
        curl_easy_setopt(r->keep, CURLOPT_HTTPHEADER, r->keep_header);
        curl_easy_setopt(r->keep, CURLOPT_WRITEFUNCTION, keep_data);
        curl_easy_setopt(r->keep, CURLOPT_CAINFO, r->cfg.ca_file);
        curl_easy_setopt(r->keep, CURLOPT_CONNECTTIMEOUT, 5L);
        curl_easy_setopt(r->keep, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(r->keep, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(r->keep, CURLOPT_PROTOCOLS_STR, "https");
        curl_easy_setopt(r->keep, CURLOPT_SSL_CTX_FUNCTION, keep_ssl_ctx);
        curl_easy_setopt(r->keep, CURLOPT_SSL_CTX_DATA, &r->cfg);
    }
    char *text = json_dumps(body, JSON_COMPACT);
    if (!text)
        return QTPM_E_NOMEM;
    snprintf(url, sizeof url, "%s%s", r->cfg.nms_url, path);
    curl_easy_setopt(r->keep, CURLOPT_URL, url);
    curl_easy_setopt(r->keep, CURLOPT_COPYPOSTFIELDS, text);
    curl_easy_setopt(r->keep, CURLOPT_WRITEDATA, &k);
    CURLcode cc = curl_easy_perform(r->keep);
    free(text);
    if (cc != CURLE_OK || k.overflow)
        return AGENT_E_NMS;
    curl_easy_getinfo(r->keep, CURLINFO_RESPONSE_CODE, status);
    *reply = json_loadb(k.buf, k.len, 0, NULL);
    return 0;
}

/* Runs flow f once on r; record = 0 for a warm-up run. */
static void run_flow(world *w, router *r, int f, int record)
{
    series *s = &r->s[f];
    char err[1024], verdict[32];
    double t0, t1, tss;
    int rc = 0, count;
    json_t *reply = NULL;
    int want_attest = 0;
    err[0] = '\0';

    if (s->failed)
        return;
    if (f != FLOW_ENROL && !r->router[0]) {
        set_error(s, "not run: the router never enrolled");
        return;
    }
    if (f == FLOW_HEARTBEAT && (r->s[FLOW_TLS].n == 0 || r->s[FLOW_ATTEST].n == 0)) {
        set_error(s, "not run: no TLS key or no approval (good attestation) yet");
        return;
    }
    /* Untimed preparation. */
    if (f == FLOW_ENROL) {
        if (r->router[0] && allow_reenrol(w, r) != 0)
            return;
        remove_state_file(r, "ak.crt");
    } else if (f == FLOW_TLS) {
        remove_state_file(r, "tls.crt");
    } else if (f == FLOW_ATTEST && grow_list(w, r) != 0) {
        return;
    }
    char path[128];
    long http_status = 0;
    json_t *empty = json_object();
    snprintf(path, sizeof path, "/api/v1/routers/%s/challenge", r->router);
    qtpm_tss_timing_clear(r->t);

    double cpu0[N_CPU] = {0, process_cpu_us(w->nms_pid), process_cpu_us(r->proc.pid)};
    cpu0[CPU_AGENT] = thread_cpu_us();
    t0 = bench_now_us();
    if (f == FLOW_ENROL)
        rc = agent_enrol(&r->cfg, r->t, err, sizeof err);
    else if (f == FLOW_TLS)
        rc = agent_tls_enrol(&r->cfg, r->t, err, sizeof err);
    else if (f == FLOW_ATTEST)
        rc = agent_attest(&r->cfg, r->t, verdict, sizeof verdict, &reply, err, sizeof err);
    else if (f == FLOW_HEARTBEAT)
        rc = agent_heartbeat(&r->cfg, r->t, (size_t)r->next_index, &want_attest, err,
                             sizeof err);
    else if (f == FLOW_HTTPS)
        rc = empty ? agent_http_post(&r->cfg, path, empty, &http_status, &reply, err, sizeof err)
                   : QTPM_E_NOMEM;
    else
        rc = empty ? keepalive_post(r, path, empty, &http_status, &reply) : QTPM_E_NOMEM;
    t1 = bench_now_us();
    double cpu1[N_CPU] = {thread_cpu_us(), process_cpu_us(w->nms_pid),
                          process_cpu_us(r->proc.pid)};
    json_decref(empty);

    tss_sum(r, &tss, &count);
    if (rc != 0) {
        set_error(s, "%s", err[0] ? err : qtpm_tss_strerror(rc));
        json_decref(reply);
        return;
    }
    /* Untimed checks of what the flow produced. */
    if (f == FLOW_ENROL) {
        char before[64];
        snprintf(before, sizeof before, "%s", r->router);
        if (read_router_id(r) != 0 || (before[0] && strcmp(before, r->router) != 0)) {
            set_error(s, "the router id is missing or changed (%s → %s)", before, r->router);
            return;
        }
        if (!cert_names_router(r, "ak.crt", r->router)) {
            set_error(s, "no AK certificate for %s in the agent's state", r->router);
            return;
        }
    } else if (f == FLOW_TLS) {
        if (!cert_names_router(r, "tls.crt", r->router)) {
            set_error(s, "no TLS certificate for %s in the agent's state", r->router);
            return;
        }
    } else if (f == FLOW_HEARTBEAT) {
        /* The first heartbeat (the warm-up) asks for evidence; with the list
         * unchanged since, the NMS must not. */
        if (record && want_attest) {
            set_error(s, "the NMS asked for an attestation though the list did not change");
            return;
        }
    } else if (f == FLOW_HTTPS || f == FLOW_KEEPALIVE) {
        const char *nonce = json_string_value(json_object_get(reply, "nonce"));
        long connects = 0;
        if (f == FLOW_KEEPALIVE)
            curl_easy_getinfo(r->keep, CURLINFO_NUM_CONNECTS, &connects);
        if (http_status != 200 || !nonce || strlen(nonce) != 64) {
            set_error(s, "challenge: HTTP %ld without a 32-byte nonce", http_status);
            json_decref(reply);
            return;
        }
        /* After the warm-up run, every request must reuse the connection. */
        if (record && connects != 0) {
            set_error(s, "the kept-alive connection was not reused (%ld new)", connects);
            json_decref(reply);
            return;
        }
        json_decref(reply);
    } else {
        json_t *ni = json_object_get(reply, "next_index");
        long next = json_is_integer(ni) ? (long)json_integer_value(ni) : -1;
        int first = r->next_index == 0;
        if (strcmp(verdict, "good") != 0 ||
            (!first && next != r->next_index + ENTRIES_PER_ROUND) ||
            (first && next != BASE_FILES + ENTRIES_PER_ROUND)) {
            char *text = reply ? json_dumps(reply, JSON_COMPACT) : NULL;
            set_error(s, "verdict %s, next_index %ld after %ld: %.600s", verdict, next,
                      r->next_index, text ? text : "");
            free(text);
            json_decref(reply);
            return;
        }
        r->next_index = next;
        json_decref(reply);
    }
    if (record) {
        s->app[s->n] = t1 - t0;
        s->tss[s->n] = tss;
        for (int c = 0; c < N_CPU; c++)
            s->cpu[c][s->n] = cpu0[c] >= 0 && cpu1[c] >= 0 ? cpu1[c] - cpu0[c] : -1;
        s->n++;
        s->commands = count;
    }
}

/* ------------------------------------------------------------------------ */
/* Statistics and output. */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

typedef struct {
    double median, p90, min, tss_median, cpu_median[N_CPU];
    int n;
} stats;

/* Median, nearest-rank 90th percentile and minimum; n = 0 → all -1. */
static stats stats_of(const series *s)
{
    stats st = {-1, -1, -1, -1, {-1, -1, -1}, s->n};
    if (s->n == 0)
        return st;
    size_t n = (size_t)s->n;
    double *v = malloc(n * sizeof *v);
    if (!v)
        return st;
    memcpy(v, s->app, n * sizeof *v);
    qsort(v, n, sizeof *v, cmp_double);
    st.min = v[0];
    st.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    size_t rank = (size_t)ceil(0.9 * (double)n);
    st.p90 = v[rank ? rank - 1 : 0];
    memcpy(v, s->tss, n * sizeof *v);
    st.tss_median = bench_median(v, s->n);
    for (int c = 0; c < N_CPU; c++) {
        memcpy(v, s->cpu[c], n * sizeof *v);
        st.cpu_median[c] = bench_median(v, s->n);
    }
    free(v);
    return st;
}

/* The paired ratio of two routers' series: run r of both was taken in the
 * same round, seconds apart, so a[r] / b[r] cancels the machine's slower
 * changes of load that a ratio of two medians still carries. *med is the
 * median of those ratios, [*lo, *hi] its 95% confidence interval by the
 * percentile bootstrap (2000 resamples of the rounds with replacement;
 * xorshift64* with a fixed seed, so the figures can be recomputed from the
 * samples). Returns -1 when the series are empty or of different lengths (a
 * failed run broke the pairing) or memory is short. */
static int paired_ratio(const series *a, const series *b, double *med, double *lo, double *hi)
{
    enum { RESAMPLES = 2000 };
    if (a->n == 0 || a->n != b->n)
        return -1;
    size_t n = (size_t)a->n;
    double *q = malloc(n * sizeof *q), *tmp = malloc(n * sizeof *tmp);
    double *meds = malloc(RESAMPLES * sizeof *meds);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    if (!q || !tmp || !meds) {
        free(q);
        free(tmp);
        free(meds);
        return -1;
    }
    for (size_t r = 0; r < n; r++)
        q[r] = a->app[r] / b->app[r];
    for (int k = 0; k < RESAMPLES; k++) {
        for (size_t i = 0; i < n; i++) {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            tmp[i] = q[(size_t)((x * 0x2545F4914F6CDD1Dull) >> 33) % n];
        }
        meds[k] = bench_median(tmp, (int)n);
    }
    qsort(meds, RESAMPLES, sizeof *meds, cmp_double);
    *lo = meds[RESAMPLES * 25 / 1000];
    *hi = meds[RESAMPLES * 975 / 1000 - 1];
    *med = bench_median(q, (int)n);
    free(q);
    free(tmp);
    free(meds);
    return 0;
}

/* The seeds' figure for a flow on a router (QR or classic); -1 for none. */
static double seeds_of(int f, int def)
{
    return defs[def].qr ? flows[f].seeds_qr_us : flows[f].seeds_classic_us;
}

static void fmt_ms(char *buf, size_t size, double us)
{
    if (us < 0)
        snprintf(buf, size, "-");
    else if (us >= 100000)
        snprintf(buf, size, "%.0f", us / 1000);
    else if (us >= 10000)
        snprintf(buf, size, "%.1f", us / 1000);
    else
        snprintf(buf, size, "%.2f", us / 1000);
}

static void fmt_x(char *buf, size_t size, double num, double den)
{
    if (num < 0 || den <= 0)
        snprintf(buf, size, "-");
    else if (num / den >= 10)
        snprintf(buf, size, "%.0f", num / den);
    else
        snprintf(buf, size, "%.2f", num / den);
}

static double round1(double us)
{
    return us < 0 ? us : (double)(long long)(us * 10 + 0.5) / 10;
}

typedef struct {
    int checked, met;
    char misses[2048];
    size_t len;
} goal;

static void goal_check(goal *g, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void goal_check(goal *g, int ok, const char *fmt, ...)
{
    g->checked++;
    if (ok) {
        g->met++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    if (g->len < sizeof g->misses - 2) {
        int n = vsnprintf(g->misses + g->len, sizeof g->misses - g->len, fmt, ap);
        if (n > 0)
            g->len += (size_t)n;
        if (g->len > sizeof g->misses - 2)
            g->len = sizeof g->misses - 2;
        g->misses[g->len++] = '\n';
        g->misses[g->len] = '\0';
    }
    va_end(ap);
}

static void write_table(FILE *f, router *rs, stats st[][N_FLOWS])
{
    fprintf(f, "| flow | TPM | AK | runs | median ms | p90 ms | min ms | TPM commands (Σ TSS ms) "
               "| CPU ms: agent / NMS / TPM | seeds' figure ms | speed-up vs seeds "
               "| ÷ classic ECC on swtpm: of medians · paired [95%% CI] "
               "| ÷ classic RSA on swtpm |\n");
    fprintf(f, "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (int fl = 0; fl < N_FLOWS; fl++) {
        for (int i = 0; i < N_ROUTERS; i++) {
            const stats *s = &st[i][fl];
            char med[32], p90[32], mn[32], tss[32], seeds[32], sp[32], re[64], rr[32];
            if (rs[i].s[fl].n == 0) {
                fprintf(f, "| %s | %s | %s | 0 | failed: %s ||||||||\n", flows[fl].name,
                        defs[i].tpm, defs[i].ak_label,
                        rs[i].s[fl].error[0] ? rs[i].s[fl].error : "not run");
                continue;
            }
            fmt_ms(med, sizeof med, s->median);
            fmt_ms(p90, sizeof p90, s->p90);
            fmt_ms(mn, sizeof mn, s->min);
            fmt_ms(tss, sizeof tss, s->tss_median);
            fmt_x(re, sizeof re, s->median, st[SWTPM_ECC][fl].median);
            fmt_x(rr, sizeof rr, s->median, st[SWTPM_RSA][fl].median);
            double pm, lo, hi;
            if (i != SWTPM_ECC &&
                paired_ratio(&rs[i].s[fl], &rs[SWTPM_ECC].s[fl], &pm, &lo, &hi) == 0)
                snprintf(re + strlen(re), sizeof re - strlen(re), " · %.2f [%.2f-%.2f]", pm, lo,
                         hi);
            if (seeds_of(fl, i) < 0) {
                snprintf(seeds, sizeof seeds, "-");
                snprintf(sp, sizeof sp, "-");
            } else {
                fmt_ms(seeds, sizeof seeds, seeds_of(fl, i));
                strcat(seeds, defs[i].qr ? " (QR)" : " (classic)");
                fmt_x(sp, sizeof sp, seeds_of(fl, i), s->median);
                strcat(sp, "×");
            }
            char cmds[64], cpu[3][32], cpus[100];
            for (int c = 0; c < N_CPU; c++)
                fmt_ms(cpu[c], sizeof cpu[c], s->cpu_median[c]);
            snprintf(cpus, sizeof cpus, "%s / %s / %s", cpu[0], cpu[1], cpu[2]);
            if (rs[i].s[fl].commands)
                snprintf(cmds, sizeof cmds, "%d (%s)", rs[i].s[fl].commands, tss);
            else
                snprintf(cmds, sizeof cmds, "-");
            fprintf(f, "| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
                    flows[fl].name, defs[i].tpm, defs[i].ak_label, s->n, med, p90, mn, cmds,
                    cpus, seeds, sp, re, rr);
        }
    }
}

/* --self-test: the statistics on inputs whose answers are known; 0 if all
 * hold. No process is started (ctest bench_dm_stats). */
static int self_test(void)
{
    double app[10], tss[10], cpu[N_CPU][10], app2[10], app3[10];
    series a = {app, tss, {cpu[0], cpu[1], cpu[2]}, 10, 1, 0, ""};
    series b = a, c = a;
    int bad = 0;
    for (int i = 0; i < 10; i++) {
        app[i] = 10 - i; /* 10, 9, ..., 1: median 5.5, p90 (rank 9) 9, min 1 */
        tss[i] = i;
        for (int k = 0; k < N_CPU; k++)
            cpu[k][i] = 2 * i;
        app2[i] = 2 * app[i]; /* every paired ratio exactly 0.5 */
        app3[i] = i % 2 ? app[i] : app[i] / 4; /* ratios to app: 1 and 0.25, five each */
    }
    b.app = app2;
    c.app = app3;
    stats st = stats_of(&a);
    bad |= st.median != 5.5 || st.p90 != 9 || st.min != 1 || st.tss_median != 4.5 ||
           st.cpu_median[CPU_NMS] != 9 || st.n != 10;
    bad |= app[0] != 10; /* the series keeps its run order */
    double m, lo, hi;
    bad |= paired_ratio(&a, &b, &m, &lo, &hi) != 0 || m != 0.5 || lo != 0.5 || hi != 0.5;
    bad |= paired_ratio(&c, &a, &m, &lo, &hi) != 0 || m != 0.625 || lo > m || hi < m ||
           lo < 0.25 || hi > 1;
    series shorter = a;
    shorter.n = 9;
    bad |= paired_ratio(&a, &shorter, &m, &lo, &hi) != -1; /* pairing broken */
    series one = a;
    one.n = 1;
    st = stats_of(&one);
    bad |= st.median != 10 || st.p90 != 10;
    series none = a;
    none.n = 0;
    st = stats_of(&none);
    bad |= st.median != -1 || paired_ratio(&none, &none, &m, &lo, &hi) != -1;
    printf("%s: statistics self-test %s\n", PROGRAM, bad ? "FAILED" : "passed");
    return bad;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: " PROGRAM " [--runs N] [--warmup N] [--json FILE] [--md FILE]\n"
            "                     [--qtpm PATH] [--swtpm PATH] [--nms PATH] [--digestlist PATH]\n"
            "  --runs N           timed runs of every flow on every router (default %d)\n"
            "  --warmup N         untimed runs before them (default %d)\n"
            "  --json FILE        write the results as JSON\n"
            "  --md FILE          write the table and the goals as Markdown\n"
            "  --qtpm PATH        qtpm-server (default ../src/server/qtpm-server next to us)\n"
            "  --swtpm PATH       swtpm (default: from PATH)\n"
            "  --nms PATH         qtpm-nms (default ../src/nms/qtpm-nms)\n"
            "  --digestlist PATH  qtpm-digestlist (default ../src/attest/qtpm-digestlist)\n"
            "  --extra-files N    N more files in the vendor's digest list that no router\n"
            "                     measures (a larger image; default 0)\n"
            "  --self-test        check the statistics on known inputs, start nothing\n",
            DEFAULT_RUNS, DEFAULT_WARMUP);
}

static int parse_count(const char *str, int min, int max, int *out)
{
    char *end;
    long v = strtol(str, &end, 10);
    if (*end != '\0' || v < min || v > max)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    int runs = DEFAULT_RUNS, warmup = DEFAULT_WARMUP, status = 0;
    const char *json_path = NULL, *md_path = NULL, *qtpm_arg = NULL, *swtpm_arg = NULL;
    const char *nms_arg = NULL, *dl_arg = NULL;
    static world w;
    static router rs[N_ROUTERS];
    static stats st[N_ROUTERS][N_FLOWS];
    char load_before[128], load_after[128], date[32];

    for (int a = 1; a < argc; a++) {
        const char *o = argv[a];
        int more = a + 1 < argc;
        if (!strcmp(o, "--runs") && more && parse_count(argv[a + 1], 1, 10000, &runs) == 0)
            a++;
        else if (!strcmp(o, "--warmup") && more && parse_count(argv[a + 1], 0, 100, &warmup) == 0)
            a++;
        else if (!strcmp(o, "--extra-files") && more &&
                 parse_count(argv[a + 1], 0, 999000, &w.extra_files) == 0)
            a++;
        else if (!strcmp(o, "--json") && more)
            json_path = argv[++a];
        else if (!strcmp(o, "--md") && more)
            md_path = argv[++a];
        else if (!strcmp(o, "--qtpm") && more)
            qtpm_arg = argv[++a];
        else if (!strcmp(o, "--swtpm") && more)
            swtpm_arg = argv[++a];
        else if (!strcmp(o, "--nms") && more)
            nms_arg = argv[++a];
        else if (!strcmp(o, "--digestlist") && more)
            dl_arg = argv[++a];
        else if (!strcmp(o, "--self-test"))
            return self_test() ? 1 : 0;
        else if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }

    /* Binaries. */
    char qtpm_bin[PATH_MAX], swtpm_bin[PATH_MAX];
    if (qtpm_arg)
        snprintf(qtpm_bin, sizeof qtpm_bin, "%s", qtpm_arg);
    else
        bench_default_qtpm_path(qtpm_bin, sizeof qtpm_bin);
    if (swtpm_arg)
        snprintf(swtpm_bin, sizeof swtpm_bin, "%s", swtpm_arg);
    else if (bench_find_in_path("swtpm", swtpm_bin, sizeof swtpm_bin) != 0)
        swtpm_bin[0] = '\0';
    if (nms_arg)
        snprintf(w.nms_bin, sizeof w.nms_bin, "%s", nms_arg);
    else
        beside_us("src/nms/qtpm-nms", w.nms_bin, sizeof w.nms_bin);
    if (dl_arg)
        snprintf(w.dl_bin, sizeof w.dl_bin, "%s", dl_arg);
    else
        beside_us("src/attest/qtpm-digestlist", w.dl_bin, sizeof w.dl_bin);
    const char *need[] = {qtpm_bin, swtpm_bin, w.nms_bin, w.dl_bin};
    const char *need_name[] = {"qtpm-server", "swtpm", "qtpm-nms", "qtpm-digestlist"};
    for (int i = 0; i < 4; i++) {
        if (!need[i][0] || access(need[i], X_OK) != 0) {
            fprintf(stderr, "%s: %s not found (%s); build it or give its path\n", PROGRAM,
                    need_name[i], need[i][0] ? need[i] : "not in PATH");
            return 1;
        }
    }

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "%s: libcurl initialisation failed\n", PROGRAM);
        return 1;
    }
    snprintf(w.tmp, sizeof w.tmp, "/tmp/%s-XXXXXX", PROGRAM);
    if (!mkdtemp(w.tmp)) {
        fprintf(stderr, "%s: mkdtemp: %s\n", PROGRAM, strerror(errno));
        curl_global_cleanup();
        return 1;
    }
    w.rounds = warmup + runs;
    bench_read_loadavg(load_before, sizeof load_before);
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    for (int i = 0; i < N_ROUTERS; i++) {
        router *r = &rs[i];
        r->def = i;
        r->proc.program = PROGRAM;
        r->proc.name = defs[i].name;
        r->proc.kind = defs[i].kind;
        snprintf(r->proc.binary, sizeof r->proc.binary, "%s",
                 defs[i].kind == TPMPROC_QTPM ? qtpm_bin : swtpm_bin);
        tpmproc_read_version(&r->proc);
        for (int f = 0; f < N_FLOWS; f++) {
            r->s[f].app = calloc((size_t)runs, sizeof(double));
            r->s[f].tss = calloc((size_t)runs, sizeof(double));
            int ok = r->s[f].app && r->s[f].tss;
            for (int c = 0; c < N_CPU; c++)
                ok = ok && (r->s[f].cpu[c] = calloc((size_t)runs, sizeof(double)));
            if (!ok) {
                fprintf(stderr, "%s: out of memory\n", PROGRAM);
                status = 1;
                goto out;
            }
        }
    }

    printf("%s: setting up the vendor, the digest list (%d files), qtpm-nms and %d routers in "
           "%s\n", PROGRAM, BASE_FILES + ENTRIES_PER_ROUND * w.rounds + w.extra_files, N_ROUTERS,
           w.tmp);
    if (setup_world(&w) != 0) {
        status = 1;
        goto out;
    }
    for (int i = 0; i < N_ROUTERS; i++) {
        if (setup_router(&w, &rs[i], i) != 0) {
            fprintf(stderr, "%s: %s: %s\n", PROGRAM, defs[i].name, rs[i].proc.error);
            status = 1;
            goto out;
        }
    }

    /* Phase by phase (a re-enrolment starts the NMS's verification of the
     * list again, so all attestation rounds come after the last enrolment),
     * and within a phase round-robin with the first router rotating. */
    for (int f = 0; f < N_FLOWS && !interrupted; f++) {
        double t0 = bench_now_us();
        if (f == FLOW_ATTEST) {
            for (int i = 0; i < N_ROUTERS; i++) {
                int rc = agent_measure_start(&rs[i].m, &rs[i].cfg, rs[i].t);
                size_t added = 0;
                if (rc == 0)
                    rc = agent_measure_scan(&rs[i].m, &added);
                if (rc != 0 || added != BASE_FILES)
                    set_error(&rs[i].s[f], "measuring the base image: %s, %zu entries",
                              qtpm_tss_strerror(rc), added);
            }
        }
        for (int run = -warmup; run < runs && !interrupted; run++) {
            int first = (run + warmup) % N_ROUTERS;
            for (int k = 0; k < N_ROUTERS; k++) {
                router *r = &rs[(first + k) % N_ROUTERS];
                run_flow(&w, r, f, run >= 0);
                int tpm_status;
                if (r->proc.pid > 0 && tpmproc_exited(&r->proc, &tpm_status))
                    set_error(&r->s[f], "%s", r->proc.error);
            }
            int status_nms;
            if (waitpid(w.nms_pid, &status_nms, WNOHANG) == w.nms_pid) {
                w.nms_pid = 0;
                fprintf(stderr, "%s: qtpm-nms exited during the run\n", PROGRAM);
                show_file("qtpm-nms", w.nms_log);
                status = 1;
                goto out;
            }
        }
        printf("%s: %s: %d+%d runs on %d routers in %.1f s\n", PROGRAM, flows[f].name, warmup,
               runs, N_ROUTERS, (bench_now_us() - t0) / 1e6);
    }
    if (interrupted) {
        fprintf(stderr, "%s: interrupted\n", PROGRAM);
        status = 1;
        goto out;
    }
    check_store(&w, rs, warmup + runs);
    bench_read_loadavg(load_after, sizeof load_after);

    for (int i = 0; i < N_ROUTERS; i++)
        for (int f = 0; f < N_FLOWS; f++) {
            st[i][f] = stats_of(&rs[i].s[f]);
            if (rs[i].s[f].failed) {
                fprintf(stderr, "%s: %s %s failed: %s\n", PROGRAM, defs[i].name, flows[f].name,
                        rs[i].s[f].error);
                status = 1;
            }
        }

    /* Goals (issue 9): every QR flow ≥ 100× faster than the seeds' QR
     * figure, and no slower than the same classic flow on swtpm. */
    goal g100 = {0, 0, "", 0}, gsw = {0, 0, "", 0}, gclear = {0, 0, "", 0};
    for (int i = 0; i < N_ROUTERS; i++) {
        if (!defs[i].qr)
            continue;
        for (int f = 0; f < N_FLOWS; f++) {
            double m = st[i][f].median;
            if (!flows[f].goal)
                continue;
            goal_check(&g100, m > 0 && m * 100 <= flows[f].seeds_qr_us,
                       "%s on %s: %.2f ms, the goal is ≤ %.2f ms (seeds' %.0f ms / 100)",
                       flows[f].name, defs[i].name, m / 1000, flows[f].seeds_qr_us / 1e5,
                       flows[f].seeds_qr_us / 1000);
            for (int c = SWTPM_ECC; c <= SWTPM_RSA; c++) {
                double cm = st[c][f].median;
                goal_check(&gsw, m > 0 && cm > 0 && m <= cm,
                           "%s on %s: %.2f ms, slower than %s on %s (%.2f ms)", flows[f].name,
                           defs[i].name, m / 1000, defs[c].ak_label, defs[c].tpm, cm / 1000);
                /* Is it beyond the noise? The paired ratio's interval. */
                double pm = -1, lo = -1, hi = -1;
                int have = paired_ratio(&rs[i].s[f], &rs[c].s[f], &pm, &lo, &hi) == 0;
                goal_check(&gclear, have && hi < 1,
                           "%s on %s against %s on %s: paired ratio %.2f, 95%% CI %.2f-%.2f",
                           flows[f].name, defs[i].name, defs[c].ak_label, defs[c].tpm, pm, lo,
                           hi);
            }
        }
    }

    printf("\nDevice-management flows at the application level (%s, %d runs, medians):\n\n",
           date, runs);
    write_table(stdout, rs, st);
    printf("\nGoal ≥ 100× faster than the seeds' QR figure: %d of %d met\n%s", g100.met,
           g100.checked, g100.misses);
    printf("Goal QR no slower than classic on swtpm (same run): %d of %d met\n%s", gsw.met,
           gsw.checked, gsw.misses);
    printf("  faster beyond the noise (95%% CI of the paired ratio below 1): %d of %d\n%s",
           gclear.met,
           gclear.checked, gclear.misses);
    printf("load average before: %s; after: %s\n", load_before, load_after);

    if (md_path) {
        FILE *md = fopen(md_path, "w");
        if (!md) {
            fprintf(stderr, "%s: cannot write %s: %s\n", PROGRAM, md_path, strerror(errno));
            status = 1;
        } else {
            fprintf(md, "# Device-management flows at the application level\n\n"
                        "`%s` (bench/bench_dm.c, docs/BENCH.md), run %s, %d timed runs per flow "
                        "and router after %d warm-up run(s), round-robin over the routers.\n"
                        "The agent's own code (qtpm_agent_core) against a real `qtpm-nms serve` "
                        "(SQLite, HTTPS on 127.0.0.1); one TPM process per router.\n"
                        "Attestation rounds carry %d new entries each; the vendor's digest list "
                        "has %d entries.\n\n",
                    PROGRAM, date, runs, warmup, ENTRIES_PER_ROUND,
                    BASE_FILES + ENTRIES_PER_ROUND * w.rounds + w.extra_files);
            for (int i = 0; i < N_ROUTERS; i = i ? N_ROUTERS : SWTPM_ECC)
                fprintf(md, "- %s: %s%s%s\n", defs[i].tpm, rs[i].proc.binary,
                        rs[i].proc.version[0] ? " — " : "", rs[i].proc.version);
            fprintf(md, "\n");
            write_table(md, rs, st);
            fprintf(md, "\nSeeds: D6.3 Table 10 application totals (AK Creation, TLS Key "
                        "Creation, Quote; TLS Connection beside the heartbeat): "
                        "QR = FutureTPM (SW), classic = TPM 2.0 (SW).\n"
                        "Speed-up = seeds' figure / our median; the last two columns are our "
                        "median over the same flow's median with a classic AK on swtpm; "
                        "paired: the median over the rounds of the ratio of the two routers' "
                        "runs in the same round, with its bootstrap 95%% confidence interval "
                        "(less sensitive to the load changing during the run).\n"
                        "Σ TSS: the flow's TPM commands at libqtss (transmit to end of receive). "
                        "CPU: medians of the CPU time the agent's thread, qtpm-nms and the "
                        "router's TPM process spent during the run (the rest of the wall time is "
                        "waiting, on a machine of 2 shared cores).\n"
                        "`https` and `https-keepalive` are not flows but their parts: one POST "
                        "/challenge as the agent's client sends it (its anonymous requests share "
                        "one kept-alive libcurl handle; requests with the TPM-resident client "
                        "key open their own connection), and the same on a connection the "
                        "benchmark keeps open itself.\n\n");
            fprintf(md, "## Goals\n\n- every QR flow ≥ 100× faster than the seeds' QR figure: "
                        "%d of %d met\n", g100.met, g100.checked);
            for (char *p = g100.misses, *e; *p && (e = strchr(p, '\n')); p = e + 1)
                fprintf(md, "  - missed: %.*s\n", (int)(e - p), p);
            fprintf(md, "- every QR flow on qtpm-server no slower than the classic flow on swtpm "
                        "(ECC and RSA AK): %d of %d met\n", gsw.met, gsw.checked);
            for (char *p = gsw.misses, *e; *p && (e = strchr(p, '\n')); p = e + 1)
                fprintf(md, "  - missed: %.*s\n", (int)(e - p), p);
            fprintf(md, "  - faster beyond the noise (the bootstrap 95%% confidence interval of "
                        "the paired ratio entirely below 1): %d of %d\n", gclear.met,
                    gclear.checked);
            for (char *p = gclear.misses, *e; *p && (e = strchr(p, '\n')); p = e + 1)
                fprintf(md, "    - not beyond the noise: %.*s\n", (int)(e - p), p);
            fprintf(md, "\nLoad average before: %s; after: %s.\n", load_before, load_after);
            if (fclose(md) != 0)
                status = 1;
        }
    }

    if (json_path) {
        json_t *jflows = json_array(), *jtpms = json_object();
        for (int i = 0; i < N_ROUTERS; i = i ? N_ROUTERS : SWTPM_ECC)
            json_object_set_new(jtpms, defs[i].tpm,
                                json_pack("{s:s, s:s}", "binary", rs[i].proc.binary, "version",
                                          rs[i].proc.version));
        for (int f = 0; f < N_FLOWS; f++) {
            json_t *res = json_array();
            for (int i = 0; i < N_ROUTERS; i++) {
                const stats *s = &st[i][f];
                json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:b, s:i}", "router", defs[i].name,
                                      "tpm", defs[i].tpm, "ak", defs[i].ak, "ek",
                                      qtpm_ek_alg_name(defs[i].ek), "qr", defs[i].qr, "runs",
                                      s->n);
                if (rs[i].s[f].failed)
                    json_object_set_new(o, "error", json_string(rs[i].s[f].error));
                if (s->n > 0) {
                    double seeds = seeds_of(f, i);
                    if (seeds < 0)
                        seeds = 0;
                    json_object_set_new(o, "median_us", json_real(round1(s->median)));
                    json_object_set_new(o, "p90_us", json_real(round1(s->p90)));
                    json_object_set_new(o, "min_us", json_real(round1(s->min)));
                    json_object_set_new(o, "tss_median_us", json_real(round1(s->tss_median)));
                    json_object_set_new(o, "tpm_commands", json_integer(rs[i].s[f].commands));
                    json_object_set_new(o, "cpu_median_us",
                                        json_pack("{s:f, s:f, s:f}", "agent",
                                                  round1(s->cpu_median[CPU_AGENT]), "nms",
                                                  round1(s->cpu_median[CPU_NMS]), "tpm",
                                                  round1(s->cpu_median[CPU_TPM])));
                    if (seeds > 0) {
                        json_object_set_new(o, "seeds_us", json_real(seeds));
                        json_object_set_new(o, "speedup_vs_seeds", json_real(seeds / s->median));
                    }
                    for (int c = SWTPM_ECC; c <= SWTPM_RSA; c++)
                        if (st[c][f].median > 0)
                            json_object_set_new(o, c == SWTPM_ECC ? "ratio_vs_swtpm_ecc"
                                                                  : "ratio_vs_swtpm_rsa",
                                                json_real(s->median / st[c][f].median));
                    double pm, lo, hi;
                    for (int c = SWTPM_ECC; c <= SWTPM_RSA; c++)
                        if (c != i && paired_ratio(&rs[i].s[f], &rs[c].s[f], &pm, &lo, &hi) == 0)
                            json_object_set_new(o, c == SWTPM_ECC ? "paired_ratio_vs_swtpm_ecc"
                                                                  : "paired_ratio_vs_swtpm_rsa",
                                                json_pack("{s:f, s:[f, f]}", "median", pm,
                                                          "ci95", lo, hi));
                }
                json_array_append_new(res, o);
            }
            json_t *jf = json_pack("{s:s, s:s, s:o}", "flow", flows[f].name, "label",
                                   flows[f].label, "results", res);
            if (flows[f].seeds_flow) {
                json_object_set_new(jf, "seeds_flow", json_string(flows[f].seeds_flow));
                json_object_set_new(jf, "seeds_classic_us", json_real(flows[f].seeds_classic_us));
                json_object_set_new(jf, "seeds_qr_us", json_real(flows[f].seeds_qr_us));
            }
            json_array_append_new(jflows, jf);
        }
        json_t *doc = json_pack(
            "{s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:{s:s, s:s}, s:s, s:o, s:o,"
            " s:{s:{s:i, s:i, s:s}, s:{s:i, s:i, s:s}, s:{s:i, s:i, s:s}}}",
            "benchmark", "qtpm device-management flows at the application level (issue 9)",
            "date", date, "unit", "microseconds", "runs", runs, "warmup_runs", warmup,
            "entries_per_round", ENTRIES_PER_ROUND, "digest_list_entries",
            BASE_FILES + ENTRIES_PER_ROUND * w.rounds + w.extra_files, "loadavg", "before",
            load_before, "after", load_after, "nms",
            "qtpm-nms serve, SQLite store, HTTPS on 127.0.0.1", "tpms", jtpms, "flows", jflows,
            "goals", "qr_100x_faster_than_seeds", "met", g100.met,
            "checked", g100.checked, "misses", g100.misses, "qr_not_slower_than_classic_swtpm",
            "met", gsw.met, "checked", gsw.checked, "misses", gsw.misses,
            "qr_faster_than_classic_swtpm_ci95_below_1", "met", gclear.met, "checked",
            gclear.checked, "misses", gclear.misses);
        if (!doc || json_dump_file(doc, json_path, JSON_INDENT(2)) != 0) {
            fprintf(stderr, "%s: cannot write %s\n", PROGRAM, json_path);
            status = 1;
        }
        json_decref(doc);
    }

out:
    if (stop_nms(&w) != 0)
        status = 1;
    if (status && w.nms_log[0])
        show_file("qtpm-nms log", w.nms_log);
    for (int i = 0; i < N_ROUTERS; i++) {
        if (rs[i].t)
            qtpm_tss_free(rs[i].t);
        if (rs[i].keep)
            curl_easy_cleanup(rs[i].keep);
        curl_slist_free_all(rs[i].keep_header);
        tpmproc_stop(&rs[i].proc);
        for (int f = 0; f < N_FLOWS; f++) {
            free(rs[i].s[f].app);
            free(rs[i].s[f].tss);
            for (int c = 0; c < N_CPU; c++)
                free(rs[i].s[f].cpu[c]);
        }
    }
    if (w.ca)
        qtpm_vendor_ca_free(w.ca);
    bench_remove_tree(w.tmp);
    curl_global_cleanup();
    return status;
}
