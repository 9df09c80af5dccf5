/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * demo.c — `make demo`: the quantum-resistant TPM told as a story, end to end.
 *
 * The program starts its own qtpm-server (the software TPM with ML-KEM and
 * ML-DSA, TPM 2.0 Library v1.85) on free loopback ports with a fresh state
 * directory, manufactures it like a TPM vendor would (an ML-KEM-768
 * endorsement key and an X.509 EK certificate from a vendor CA in NV,
 * libqtpm-manufacture), and then plays the seeds' post-quantum flows over TCP
 * with libqtss (DESIGN.md, "The seeds' flows"), each one checked by a
 * verifier that works in software and trusts nothing but the vendor CA:
 *
 *   1  the EK and its certificate, read from NV and checked against the CA;
 *   2  an ML-DSA-44 attestation key (AK), proven to live in that TPM with
 *      MakeCredential (software, ML-KEM encapsulation to the EK) and
 *      ActivateCredential (TPM);
 *   3  a key bound to the good boot state by PolicyPCR, certified by the AK
 *      (implicit attestation) and used while the state holds;
 *   4  a runtime measurement, a quote over it verified against the replayed
 *      measurement log, a tampered and a replayed quote refused (explicit
 *      attestation);
 *   5  a wallet token sealed under a PCR policy, unsealed, and refused once a
 *      PCR changes.
 *
 * Every TPM command's time comes from libqtss's timing records (the seeds'
 * patched TSS_Execute, DESIGN.md decision 7); each step lists its commands and
 * the end sums them up. The exit status is 0 only when every step behaves as
 * it should; the server is stopped and the state directory removed in every
 * case (also after SIGINT/SIGTERM, which stop the server first so a blocked
 * TPM call returns).
 *
 *   qtpm-demo [--server PATH]      (default: the qtpm-server of this build,
 *                                   or $QTPM_SERVER)
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "qtpm/classic.h"
#include "qtpm/manufacture.h"
#include "qtpm/mlkem.h"
#include "qtpm/rand.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "qtpm/version.h"

#ifndef QTPM_SERVER_BIN
#define QTPM_SERVER_BIN "qtpm-server"
#endif

/* ===================================================================== the server */

/* The server's pid for the signal handler, which stops it so that the
 * demo's blocked socket call fails and the normal clean-up runs. */
static volatile sig_atomic_t server_pid_for_signal;
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
    if (server_pid_for_signal > 0)
        kill((pid_t)server_pid_for_signal, SIGTERM);
}

typedef struct {
    pid_t pid;
    unsigned port;       /* mssim command port; port + 1 is the platform port */
    char dir[64];        /* temporary directory: state/, ca/, server.log */
    char tcti[64];       /* "mssim:host=127.0.0.1,port=N" */
} demo_server;

static int bind_loopback(unsigned port, unsigned *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
             getsockname(fd, (struct sockaddr *)&a, &len) == 0;
    if (ok && bound)
        *bound = ntohs(a.sin_port);
    close(fd);
    return ok ? 0 : -1;
}

/* A port N from the kernel's ephemeral range with N + 1 free as well (the
 * mssim protocol needs the pair). Another program may still take them before
 * the server binds; start_server then tries another pair. */
static unsigned free_port_pair(void)
{
    for (int tries = 0; tries < 50; tries++) {
        unsigned port;
        if (bind_loopback(0, &port) == 0 && port < 65534 && bind_loopback(port, NULL) == 0 &&
            bind_loopback(port + 1, NULL) == 0)
            return port;
    }
    return 0;
}

static int connect_loopback(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path) == 0 ? 0 : -1;
}

/* Prints the server's log (on failure, so the reader sees why). */
static void show_server_log(const demo_server *s)
{
    char path[96];
    snprintf(path, sizeof path, "%s/server.log", s->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char line[256];
    int first = 1;
    while (fgets(line, sizeof line, f)) {
        if (first)
            fprintf(stderr, "qtpm-demo: qtpm-server said:\n");
        first = 0;
        fprintf(stderr, "  | %s", line);
    }
    fclose(f);
}

/* Stops the server (SIGTERM: it saves its state and exits 0) and removes
 * the temporary directory. Safe to call twice. Returns 0 if the server
 * stopped cleanly (or was not running), -1 if it had crashed, exited with an
 * error, or had to be killed. */
static int stop_server(demo_server *s, int show_log)
{
    int clean = 0;
    if (s->pid > 0) {
        int status = 0;
        pid_t got = waitpid(s->pid, &status, WNOHANG); /* already gone? */
        if (got == 0) {
            kill(s->pid, SIGTERM);
            for (int i = 0; i < 250 && (got = waitpid(s->pid, &status, WNOHANG)) == 0; i++)
                usleep(20000);
        }
        if (got == 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &status, 0);
            fprintf(stderr, "qtpm-demo: qtpm-server did not stop on SIGTERM; killed\n");
            clean = -1;
        } else if (got < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (got > 0 && WIFSIGNALED(status))
                fprintf(stderr, "qtpm-demo: qtpm-server died of signal %d\n", WTERMSIG(status));
            else if (got > 0)
                fprintf(stderr, "qtpm-demo: qtpm-server exited with status %d\n",
                        WEXITSTATUS(status));
            clean = -1;
        }
        s->pid = 0;
        server_pid_for_signal = 0;
        show_log |= clean != 0;
    }
    if (show_log && s->dir[0])
        show_server_log(s);
    if (s->dir[0]) {
        if (nftw(s->dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
            fprintf(stderr, "qtpm-demo: could not remove %s\n", s->dir);
        s->dir[0] = '\0';
    }
    return clean;
}

/* Starts `server --mssim --host 127.0.0.1 --port N --state DIR/state` on a
 * free port pair and waits until both ports accept connections. */
static int start_server(demo_server *s, const char *server)
{
    memset(s, 0, sizeof *s);
    strcpy(s->dir, "/tmp/qtpm-demo-XXXXXX");
    if (!mkdtemp(s->dir)) {
        fprintf(stderr, "qtpm-demo: cannot create a temporary directory: %s\n", strerror(errno));
        s->dir[0] = '\0';
        return -1;
    }
    char state[96], log[96];
    snprintf(state, sizeof state, "%s/state", s->dir);
    snprintf(log, sizeof log, "%s/server.log", s->dir);
    if (access(server, X_OK) != 0) {
        fprintf(stderr, "qtpm-demo: no qtpm-server at %s (build it, or pass --server PATH)\n",
                server);
        return -1;
    }
    for (int attempt = 0; attempt < 5 && !interrupted; attempt++) {
        s->port = free_port_pair();
        if (s->port == 0)
            continue;
        char port[16];
        snprintf(port, sizeof port, "%u", s->port);
        pid_t pid = fork();
        if (pid < 0)
            break;
        if (pid == 0) {
            /* should the demo die without cleaning up, the server goes too */
            prctl(PR_SET_PDEATHSIG, SIGTERM);
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (fd >= 0) {
                dup2(fd, STDOUT_FILENO);
                dup2(fd, STDERR_FILENO);
                close(fd);
            }
            execl(server, server, "--mssim", "--host", "127.0.0.1", "--port", port, "--state",
                  state, (char *)NULL);
            _exit(127);
        }
        s->pid = pid;
        server_pid_for_signal = pid;
        for (int i = 0; i < 200 && !interrupted; i++) {
            int status;
            if (waitpid(pid, &status, WNOHANG) == pid) {
                s->pid = 0; /* it exited: most likely a port was taken meanwhile */
                server_pid_for_signal = 0;
                break;
            }
            int a = connect_loopback(s->port), b = connect_loopback(s->port + 1);
            if (a >= 0)
                close(a);
            if (b >= 0)
                close(b);
            if (a >= 0 && b >= 0) {
                snprintf(s->tcti, sizeof s->tcti, "mssim:host=127.0.0.1,port=%u", s->port);
                return 0;
            }
            usleep(25000);
        }
        if (s->pid > 0) {
            kill(s->pid, SIGTERM);
            waitpid(s->pid, NULL, 0);
            s->pid = 0;
            server_pid_for_signal = 0;
        }
    }
    fprintf(stderr, "qtpm-demo: %s did not start%s\n", server,
            interrupted ? " (interrupted)" : " (it exited, or its ports never opened)");
    return -1;
}

static int put_u32(int fd, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    return write(fd, b, 4) == 4 ? 0 : -1;
}

/* The mssim platform signal RESET (_TPM_Init of a running TPM, docs/SERVER.md):
 * the TPM leaves the factory and is switched on at the customer's. */
static int platform_reset(const demo_server *s)
{
    int fd = connect_loopback(s->port + 1);
    if (fd < 0)
        return -1;
    uint8_t ack[4];
    int ok = put_u32(fd, 17) == 0 && read(fd, ack, 4) == 4 &&
             (ack[0] | ack[1] | ack[2] | ack[3]) == 0;
    put_u32(fd, 20); /* SESSION_END */
    close(fd);
    return ok ? 0 : -1;
}

/* ===================================================================== narration */

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("  ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
}

/* A check the story depends on: prints it with its outcome; a newline in
 * the text continues the line under the check mark. */
static int check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int check(int ok, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    printf("    %s ", ok ? "\u2713" : "\u2717 FAILED:");
    for (const char *p = text; *p; p++) {
        if (*p == '\n')
            printf("\n      ");
        else
            putchar(*p);
    }
    printf("\n");
    return ok;
}

/* Response codes the story shows, decoded the way Part 2 §6.6 lays them out:
 * format 1 carries the error in bits 0-5 and, in bits 6-11, which parameter,
 * handle or session it concerns. */
static void decode_rc(int rc, char *out, size_t cap)
{
    if (rc <= 0) {
        snprintf(out, cap, "%s", qtpm_tss_strerror(rc));
        return;
    }
    TPM_RC r = (TPM_RC)rc;
    if (!(r & RC_FMT1)) {
        snprintf(out, cap, "0x%03X = %s", (unsigned)r, qtpm_tss_strerror(rc));
        return;
    }
    unsigned n = (r >> 8) & 0xF;
    char where[32] = "";
    if (r & 0x40)
        snprintf(where, sizeof where, ", parameter %u", n);
    else if (n >= 8)
        snprintf(where, sizeof where, ", session %u", n - 8);
    else if (n > 0)
        snprintf(where, sizeof where, ", handle %u", n);
    snprintf(out, cap, "0x%03X = format-1 error 0x%03X%s: %s", (unsigned)r,
             (unsigned)((r & 0x3F) | RC_FMT1), where, qtpm_tss_strerror(rc));
}

/* A TSS call that must succeed; on failure says which and why. */
static int need(int rc, const char *what)
{
    if (rc == QTPM_OK)
        return 1;
    char text[160];
    decode_rc(rc, text, sizeof text);
    printf("    \u2717 FAILED: %s: %s\n", what, text);
    return 0;
}

static void hex(char *out, size_t cap, const uint8_t *p, size_t n, size_t shown)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && i < shown && o + 3 < cap; i++)
        o += (size_t)snprintf(out + o, cap - o, "%02x", p[i]);
    if (n > shown && o + 4 < cap)
        snprintf(out + o, cap - o, "...");
}

/* ===================================================================== steps */

#define N_STEPS 6

typedef struct {
    const char *title;
    int ran, ok;
    size_t first, last;  /* timing records of the device's context */
    size_t cmds;
    uint64_t tpm_us;
    double sw_us;        /* verifier work in software */
    double wall_us;      /* the whole step, narration and TCP included */
} step_info;

/* One entry of the device's measurement log (a stand-in for the seeds' IMA
 * lists): the PCR and the measured item; the TPM is extended with the
 * item's SHA-256, and the verifier recomputes it from the text. */
typedef struct {
    unsigned pcr;
    const char *what;
} measurement;

#define MAX_EVENTS 8
#define QUOTE_PCRS 3 /* 0, 1 and 10 */

typedef struct {
    demo_server srv;
    qtpm_tss *tpm;                 /* the device's connection */
    uint8_t *ca_der;               /* the vendor CA certificate: the verifier's trust anchor */
    size_t ca_len;
    qtpm_tss_key ek, ak, srk, tls;
    int have_ek, have_ak, have_srk, have_tls;
    measurement log[MAX_EVENTS];   /* the device's measurement log */
    size_t n_log;
    step_info step[N_STEPS];
    TPM2B_DIGEST tls_policy;       /* the verifier's expected authPolicy of the TLS key */
} demo;

/* The TPM's measurement: PCR[i] = SHA-256(PCR[i] ‖ SHA-256(item)) (Part 1 §17.3). */
static int measure(demo *d, unsigned pcr, const char *what)
{
    TPML_DIGEST_VALUES v;
    memset(&v, 0, sizeof v);
    v.count = 1;
    v.digests[0].hashAlg = TPM_ALG_SHA256;
    if (qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)what, strlen(what),
                  v.digests[0].digest.sha256) != QTPM_OK)
        return QTPM_E_CRYPTO;
    int rc = qtpm_tss_PCR_Extend(d->tpm, NULL, pcr, &v);
    if (rc == QTPM_OK && d->n_log < MAX_EVENTS)
        d->log[d->n_log++] = (measurement){ pcr, what };
    return rc;
}

/* The verifier's side: the PCR values the log implies, replayed in software
 * from the all-zero reset values. */
static int replay(const measurement *log, size_t n, const unsigned *pcrs, size_t n_pcrs,
                  TPM2B_DIGEST *values)
{
    for (size_t i = 0; i < n_pcrs; i++) {
        uint8_t acc[64];
        memset(acc, 0, 32);
        for (size_t e = 0; e < n; e++) {
            if (log[e].pcr != pcrs[i])
                continue;
            if (qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)log[e].what, strlen(log[e].what),
                          acc + 32) != QTPM_OK ||
                qtpm_hash(QTPM_HASH_SHA256, acc, 64, acc) != QTPM_OK)
                return QTPM_E_CRYPTO;
        }
        values[i].size = 32;
        memcpy(values[i].buffer, acc, 32);
    }
    return QTPM_OK;
}

static void select_pcrs(TPML_PCR_SELECTION *sel, const unsigned *pcrs, size_t n)
{
    memset(sel, 0, sizeof *sel);
    sel->count = 1;
    sel->pcrSelections[0].hash = TPM_ALG_SHA256;
    sel->pcrSelections[0].sizeofSelect = 3;
    for (size_t i = 0; i < n; i++)
        sel->pcrSelections[0].pcrSelect[pcrs[i] / 8] |= (BYTE)(1u << (pcrs[i] % 8));
}

/* A fresh challenge from the verifier. */
static int nonce(TPM2B_DATA *n)
{
    n->size = 32;
    return qtpm_random_bytes(n->buffer, 32);
}

/* The timing records [first, last) of a context, three to a line, and their
 * sum in microseconds. */
static uint64_t print_records(const qtpm_tss *t, size_t first, size_t last, const char *whose)
{
    const qtpm_tss_timing_record *r = qtpm_tss_timing_records(t);
    uint64_t sum = 0;
    int refused = 0;
    printf("\n    TPM commands %s (libqtss timing, send to reply):\n", whose);
    for (size_t i = first; i < last; i++) {
        int col = (int)((i - first) % 3);
        printf("%s%-20s%6llu \u00b5s%s", col == 0 ? "      " : " ", qtpm_tss_cc_name(r[i].cc),
               (unsigned long long)r[i].usec, r[i].rc ? "*" : (col == 2 || i + 1 == last) ? "" : " ");
        if (col == 2 || i + 1 == last)
            printf("\n");
        sum += r[i].usec;
        refused |= r[i].rc != 0;
    }
    printf("      %zu commands, %llu \u00b5s in the TPM%s", last - first, (unsigned long long)sum,
           refused ? " (* = an error answer, expected here)" : "");
    return sum;
}

static void print_timings(demo *d, step_info *st)
{
    st->last = qtpm_tss_timing_count(d->tpm);
    st->cmds = st->last - st->first;
    if (st->cmds == 0)
        return;
    st->tpm_us = print_records(d->tpm, st->first, st->last, "of this step");
    if (st->sw_us > 0)
        printf("; verifier in software %.0f \u00b5s", st->sw_us);
    printf("\n");
}

/* Opens a step: title and the record index its commands start at. */
static step_info *begin_step(demo *d, int i, const char *title)
{
    step_info *st = &d->step[i];
    st->title = title;
    st->ran = 1;
    st->first = d->tpm ? qtpm_tss_timing_count(d->tpm) : 0;
    st->wall_us = now_us();
    printf("\n%d. %s\n", i, title);
    for (size_t k = strlen(title) + 3; k > 0; k--)
        putchar('-');
    putchar('\n');
    return st;
}

static int finish_step(demo *d, step_info *st, int ok, const char *proves)
{
    st->wall_us = now_us() - st->wall_us;
    st->ok = ok;
    if (ok && proves)
        printf("\n    What this proves: %s\n", proves);
    if (d->tpm)
        print_timings(d, st);
    return ok;
}

/* --------------------------------------------------------------- 0: factory */

static int step_factory(demo *d)
{
    step_info *st = begin_step(d, 0, "At the factory: the TPM gets its post-quantum identity");
    say("A TPM is only trustworthy if someone vouches that it is genuine. The vendor");
    say("does that once, in the factory: it lets the TPM make its endorsement key (EK)");
    say("and signs a certificate for it with the vendor's CA.");
    say("Here the EK is an ML-KEM-768 key (FIPS 203): it can only decrypt, and what is");
    say("encrypted to it stays secret even against a quantum computer.");

    char ca_dir[96];
    snprintf(ca_dir, sizeof ca_dir, "%s/ca", d->srv.dir);
    qtpm_vendor_ca *ca = NULL;
    qtpm_tss *factory = NULL;
    int ok = need(qtpm_vendor_ca_open(ca_dir, &ca), "vendor CA");
    ok = ok && need(qtpm_tss_new(d->srv.tcti, &factory), "connect to the TPM");
    if (ok)
        qtpm_tss_timing_enable(factory, 256);
    ok = ok && need(qtpm_tss_Startup(factory, TPM_SU_CLEAR), "TPM2_Startup");
    qtpm_mfg_result res;
    memset(&res, 0, sizeof res);
    ok = ok && need(qtpm_manufacture_ek(factory, ca, QTPM_EK_MLKEM768, NULL, &res),
                    "manufacture the ML-KEM-768 EK");
    if (ok) {
        size_t len;
        const uint8_t *der = qtpm_vendor_ca_cert_der(ca, &len);
        d->ca_der = malloc(len);
        ok = d->ca_der != NULL;
        if (ok) {
            memcpy(d->ca_der, der, len);
            d->ca_len = len;
        }
        ok = check(ok && res.ek.type == TPM_ALG_MLKEM &&
                       res.ek.parameters.mlkemDetail.parameterSet == TPM_MLKEM_768 &&
                       res.ek.unique.mlkem.size == 1184,
                   "EK created: ML-KEM-768, public key %u bytes", res.ek.unique.mlkem.size) &&
             ok;
        ok = check(ok && res.cert_len > 0 && res.nv_index == QTPM_EK_CERT_NV_MLKEM768,
                   "EK certificate (%zu bytes, signed with ECDSA P-384 by the vendor CA)\n"
                   "written to NV index 0x%08X by the %s hierarchy",
                   res.cert_len, (unsigned)res.nv_index,
                   res.hierarchy == TPM_RH_PLATFORM ? "platform" : "owner") &&
             ok;
        say("The vendor keeps the CA key; everybody else gets the CA certificate (%zu bytes).",
            d->ca_len);
    }
    /* the factory's own connection has its own timing records */
    if (factory) {
        st->cmds = qtpm_tss_timing_count(factory);
        st->tpm_us = print_records(factory, 0, st->cmds, "of the factory");
        printf("\n");
        qtpm_tss_free(factory);
    }
    qtpm_vendor_ca_free(ca);
    st->wall_us = now_us() - st->wall_us;
    st->ok = ok;
    return ok;
}

/* ------------------------------------------------------------ 1: EK + cert */

/* Issuer, signature algorithm and public-key algorithm of a certificate,
 * for the reader; OpenSSL only parses here, the check is qtpm_ek_cert_verify. */
static void describe_cert(const uint8_t *der, size_t len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (!x) {
        say("(the certificate does not parse)");
        return;
    }
    char issuer[256], oid[80] = "?";
    X509_NAME_oneline(X509_get_issuer_name(x), issuer, sizeof issuer);
    ASN1_OBJECT *alg = NULL;
    X509_PUBKEY *pk = X509_get_X509_PUBKEY(x);
    if (pk && X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, pk) == 1 && alg)
        OBJ_obj2txt(oid, sizeof oid, alg, 1);
    const char *sig = OBJ_nid2ln(X509_get_signature_nid(x));
    say("  issuer     %s", issuer);
    say("  signature  %s", sig ? sig : "?");
    say("  key        %s%s", oid,
        strcmp(oid, "2.16.840.1.101.3.4.4.2") == 0 ? " (id-alg-ml-kem-768, FIPS 203)" : "");
    X509_free(x);
}

static int step_ek(demo *d)
{
    step_info *st = begin_step(d, 1, "Who are you? The EK and its certificate");
    say("The TPM has been shipped and switched on at the customer's. A verifier (the");
    say("remote-attestation server) wants to know that it talks to a genuine TPM. It");
    say("trusts only the vendor CA certificate; everything else it checks in software.");
    say("The device re-creates its EK from the TPM's endorsement seed (same template,");
    say("same key) and reads the EK certificate from NV.");

    uint8_t cert[4096];
    size_t cert_len = 0;
    int ok = need(qtpm_tss_create_ek(d->tpm, TPM_ALG_MLKEM, NULL, &d->ek), "CreatePrimary (EK)");
    d->have_ek = ok;
    ok = ok && need(qtpm_tss_read_ek_cert(d->tpm, TPM_ALG_MLKEM, NULL, cert, sizeof cert,
                                          &cert_len),
                    "read the EK certificate from NV");
    if (!ok)
        return finish_step(d, st, 0, NULL);
    say("EK certificate: %zu bytes from NV index 0x%08X", cert_len,
        (unsigned)qtpm_tss_ek_cert_index(TPM_ALG_MLKEM));
    describe_cert(cert, cert_len);

    double t0 = now_us();
    int vrc = qtpm_ek_cert_verify(cert, cert_len, d->ca_der, d->ca_len, &d->ek.pub.publicArea);
    st->sw_us += now_us() - t0;
    ok = check(vrc == QTPM_OK,
               "the certificate verifies against the vendor CA and names exactly this EK\n"
               "(the ML-KEM-768 public key, %u bytes)",
               d->ek.pub.publicArea.unique.mlkem.size);

    /* an impostor: this certificate presented with another ML-KEM-768 key */
    TPMT_PUBLIC impostor = d->ek.pub.publicArea;
    int irc = qtpm_mlkem_keygen(QTPM_MLKEM_768, impostor.unique.mlkem.buffer, NULL, NULL);
    t0 = now_us();
    if (irc == QTPM_OK)
        irc = qtpm_ek_cert_verify(cert, cert_len, d->ca_der, d->ca_len, &impostor) ==
                      QTPM_E_VERIFY
                  ? QTPM_OK
                  : QTPM_E_VERIFY;
    st->sw_us += now_us() - t0;
    ok = check(irc == QTPM_OK,
               "an impostor showing this certificate with its own ML-KEM key is refused") &&
         ok;
    /* a forged certificate: one bit of the signature changed */
    cert[cert_len - 3] ^= 0x01;
    t0 = now_us();
    vrc = qtpm_ek_cert_verify(cert, cert_len, d->ca_der, d->ca_len, &d->ek.pub.publicArea);
    st->sw_us += now_us() - t0;
    ok = check(vrc != QTPM_OK, "a certificate with one bit changed is refused") && ok;
    return finish_step(d, st, ok,
               "the public key in this TPM's EK is certified by the vendor, so only this\n"
               "    genuine TPM can decapsulate what the verifier encapsulates to it.");
}

/* --------------------------------------------------------------- 2: the AK */

static int step_ak(demo *d)
{
    step_info *st = begin_step(d, 2, "An attestation key, and proof it lives in that TPM");
    say("The EK cannot sign (it only decrypts), so the TPM makes an attestation key (AK):");
    say("an ML-DSA-44 key (FIPS 204), restricted so that it signs only what the TPM");
    say("itself produced (quotes, certifications), never a forgery of one.");
    int ok = need(qtpm_tss_create_ak(d->tpm, &d->ek, TPM_ALG_MLDSA, NULL, NULL, &d->ak, NULL),
                  "create and load the AK under the EK");
    d->have_ak = ok;
    if (!ok)
        return finish_step(d, st, 0, NULL);
    const TPMT_PUBLIC *a = &d->ak.pub.publicArea;
    char name[80];
    hex(name, sizeof name, d->ak.name.buffer, d->ak.name.size, 12);
    say("AK: ML-DSA-44 public key %u bytes, restricted signing key under the EK;",
        a->unique.mldsa.size);
    say("its Name (nameAlg + SHA-256 of its public area) is %s", name);

    say("The device sends the AK's public area. The verifier checks what kind of key it is,");
    say("then challenges the TPM with MakeCredential: a random secret, encrypted so that");
    say("only a TPM holding the certified EK *and* a loaded key with exactly this Name can");
    say("get it back (ML-KEM encapsulation to the EK, TPM 2.0 Part 1 \u00a724).");
    double t0 = now_us();
    TPM2B_NAME computed;
    int attrs_ok = a->type == TPM_ALG_MLDSA &&
                   a->parameters.mldsaDetail.parameterSet == TPM_MLDSA_44 &&
                   (a->objectAttributes & (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT |
                                           TPMA_OBJECT_FIXEDTPM)) ==
                       (TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_FIXEDTPM);
    ok = check(attrs_ok && qtpm_tss_public_name(a, &computed) == QTPM_OK &&
                   computed.size == d->ak.name.size &&
                   memcmp(computed.buffer, d->ak.name.buffer, computed.size) == 0,
               "AK is ML-DSA-44, restricted, signing, fixedTPM; its Name matches its public area");
    TPM2B_DIGEST challenge = { 32, { 0 } }, answer;
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    int rc = qtpm_random_bytes(challenge.buffer, 32);
    if (rc == QTPM_OK)
        rc = qtpm_tss_make_credential(&d->ek.pub.publicArea, &d->ak.name, &challenge, &blob,
                                      &secret);
    st->sw_us += now_us() - t0;
    ok = need(rc, "MakeCredential in software") && ok;
    if (!ok)
        return finish_step(d, st, 0, NULL);
    char c[80];
    hex(c, sizeof c, challenge.buffer, challenge.size, 8);
    say("MakeCredential (verifier, in software): secret %s", c);
    say("  -> ML-KEM-768 ciphertext %u bytes + credential blob %u bytes to the device",
        secret.size, blob.size);

    ok = need(qtpm_tss_activate_credential(d->tpm, &d->ak, NULL, &d->ek, NULL, &blob, &secret,
                                           &answer),
              "ActivateCredential");
    if (ok) {
        hex(c, sizeof c, answer.buffer, answer.size, 8);
        say("ActivateCredential (TPM): decapsulates with the EK, checks the AK's Name,");
        say("  -> returns %s", c);
    }
    ok = ok && check(answer.size == challenge.size &&
                         CRYPTO_memcmp(answer.buffer, challenge.buffer, challenge.size) == 0,
                     "the secret came back: the verifier registers this AK for this TPM");
    qtpm_memzero(&answer, sizeof answer);
    qtpm_memzero(&challenge, sizeof challenge);
    return finish_step(d, st, ok,
               "the AK sits in the same TPM as the certified EK; from now on an ML-DSA\n"
               "    signature by this AK speaks for that genuine TPM.");
}

/* -------------------------------------------------- 3: PCR-bound TLS key */

static const unsigned boot_pcrs[] = { 0, 1 };

static int step_bound_key(demo *d)
{
    step_info *st = begin_step(d, 3, "A key that works only in a good configuration");
    say("The router boots. Its firmware and its configuration are measured into PCRs");
    say("(platform configuration registers: each one can only be extended with a hash,");
    say("never set). The router then asks its TPM for a TLS key that the TPM will use");
    say("only while these PCRs hold the approved values: its authPolicy is PolicyPCR.");
    int ok = need(measure(d, 0, "firmware: qtpm-router-fw 2.1.0 (signed build 4411)"),
                  "PCR_Extend 0") &&
             need(measure(d, 1, "configuration: routing + ACL profile 7 (approved)"),
                  "PCR_Extend 1");
    if (ok)
        say("measured: PCR 0 <- firmware 2.1.0, PCR 1 <- configuration profile 7");

    /* the device builds the policy from its current PCR values */
    TPML_PCR_SELECTION sel;
    select_pcrs(&sel, boot_pcrs, 2);
    TPM2B_DIGEST vals[2], composite, policy;
    size_t n = 0;
    ok = ok && need(qtpm_tss_pcr_read_all(d->tpm, &sel, vals, 2, &n), "PCR_Read");
    ok = ok && need(qtpm_tss_pcr_composite(TPM_ALG_SHA256, vals, n, &composite), "PCR digest") &&
         need(qtpm_tss_policy_start(TPM_ALG_SHA256, &policy), "policy") &&
         need(qtpm_tss_policy_pcr(TPM_ALG_SHA256, &policy, &sel, &composite), "PolicyPCR digest");

    /* the key: ML-DSA-44 under an ML-KEM-768 storage root key, no
     * userWithAuth (only the policy can authorize signing); the ADMIN role
     * (Certify) still takes its (empty) authValue */
    ok = ok && need(qtpm_tss_create_srk(d->tpm, TPM_ALG_MLKEM, NULL, &d->srk),
                    "CreatePrimary (ML-KEM-768 storage root key)");
    d->have_srk = ok;
    TPM2B_PUBLIC in;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PRIVATE priv;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    ok = ok && need(qtpm_tss_template_mldsa(TPM_MLDSA_44, 0, NO, &in.publicArea), "template");
    if (ok) {
        in.publicArea.objectAttributes &= ~TPMA_OBJECT_USERWITHAUTH;
        in.publicArea.authPolicy = policy;
    }
    ok = ok && need(qtpm_tss_Create(d->tpm, NULL, d->srk.handle, &sens, &in, NULL, NULL, &priv,
                                    &d->tls.pub, NULL, NULL, NULL),
                    "Create (TLS key)") &&
         need(qtpm_tss_Load(d->tpm, NULL, d->srk.handle, &priv, &d->tls.pub, &d->tls.handle,
                            &d->tls.name),
              "Load (TLS key)");
    d->have_tls = ok;
    if (!ok)
        return finish_step(d, st, 0, NULL);
    char pol[80];
    hex(pol, sizeof pol, policy.buffer, policy.size, 12);
    say("TLS key: ML-DSA-44 under an ML-KEM-768 storage key, authPolicy %s", pol);

    say("The AK certifies the key (TPM2_Certify): \"this TPM holds a key with this Name\".");
    say("The verifier knows the approved firmware and configuration, computes the policy");
    say("they imply, and compares it with the certified public area (implicit attestation).");
    TPM2B_DATA n1;
    TPM2B_ATTEST attest;
    TPMT_SIGNATURE sig;
    ok = need(nonce(&n1), "nonce") &&
         need(qtpm_tss_certify(d->tpm, d->tls.handle, NULL, &d->ak, NULL, &n1, &attest, &sig),
              "Certify");
    if (!ok)
        return finish_step(d, st, 0, NULL);
    double t0 = now_us();
    const TPMT_PUBLIC *k = &d->tls.pub.publicArea;
    TPM2B_NAME name;
    TPM2B_DIGEST golden[2], golden_comp;
    static const measurement approved[] = {
        { 0, "firmware: qtpm-router-fw 2.1.0 (signed build 4411)" },
        { 1, "configuration: routing + ACL profile 7 (approved)" },
    };
    int vrc = qtpm_tss_public_name(k, &name);
    int crc = vrc == QTPM_OK ? qtpm_tss_certify_verify(&d->ak.pub.publicArea, &attest, &sig, &n1,
                                                       &name, NULL)
                             : vrc;
    int prc = replay(approved, 2, boot_pcrs, 2, golden);
    if (prc == QTPM_OK)
        prc = qtpm_tss_pcr_composite(TPM_ALG_SHA256, golden, 2, &golden_comp);
    if (prc == QTPM_OK)
        prc = qtpm_tss_policy_start(TPM_ALG_SHA256, &d->tls_policy);
    if (prc == QTPM_OK)
        prc = qtpm_tss_policy_pcr(TPM_ALG_SHA256, &d->tls_policy, &sel, &golden_comp);
    st->sw_us += now_us() - t0;
    ok = check(crc == QTPM_OK && sig.sigAlg == TPM_ALG_MLDSA,
               "certification verified in software: ML-DSA-44 signature (%u bytes) by\n"
               "the registered AK, over our nonce and the key's Name",
               sig.signature.mldsa.size);
    ok = check(prc == QTPM_OK && k->authPolicy.size == d->tls_policy.size &&
                   memcmp(k->authPolicy.buffer, d->tls_policy.buffer, k->authPolicy.size) == 0 &&
                   !(k->objectAttributes & TPMA_OBJECT_USERWITHAUTH) &&
                   (k->objectAttributes & TPMA_OBJECT_FIXEDTPM),
               "its authPolicy is PolicyPCR(PCR 0, 1 = approved firmware + configuration);\n"
               "no use by password (userWithAuth clear); it cannot leave the TPM (fixedTPM)") &&
         ok;

    /* the device uses the key: a sign sequence authorized by PolicyPCR */
    say("The router signs its TLS handshake with the key; the TPM checks PolicyPCR first.");
    static const char transcript[] = "TLS 1.3 CertificateVerify transcript hash, router r1";
    qtpm_tss_session ps;
    TPMI_DH_OBJECT seq = 0;
    TPM2B_MAX_BUFFER msg;
    msg.size = (UINT16)strlen(transcript);
    memcpy(msg.buffer, transcript, msg.size);
    int src = qtpm_tss_start_session(d->tpm, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                     NULL, TPM_RH_NULL, NULL, &ps);
    if (src == QTPM_OK) {
        src = qtpm_tss_PolicyPCR(d->tpm, NULL, &ps, NULL, &sel);
        if (src == QTPM_OK)
            src = qtpm_tss_SignSequenceStart(d->tpm, NULL, d->tls.handle, NULL, NULL, &seq);
        if (src == QTPM_OK) {
            qtpm_tss_auths a = { 2, { { NULL, NULL }, { &ps, NULL } } };
            src = qtpm_tss_SignSequenceComplete(d->tpm, &a, seq, d->tls.handle, &msg, &sig);
        }
        qtpm_tss_session_close(d->tpm, &ps);
    }
    ok = need(src, "sign with the PCR-bound key") && ok;
    if (src == QTPM_OK) {
        t0 = now_us();
        vrc = qtpm_tss_verify_signature(k, msg.buffer, msg.size, &sig);
        st->sw_us += now_us() - t0;
        ok = check(vrc == QTPM_OK,
                   "the TPM signed (ML-DSA-44, %u bytes); the peer verifies it with the\n"
                   "certified key",
                   sig.signature.mldsa.size) &&
             ok;
    }
    return finish_step(d, st, ok,
               "a peer that checks this certification knows the router's TLS key can\n"
               "    only be used while the router runs the approved firmware and configuration.");
}

/* ----------------------------------------------------------------- 4: quote */

static const unsigned quote_pcrs[QUOTE_PCRS] = { 0, 1, 10 };

static int step_quote(demo *d)
{
    step_info *st = begin_step(d, 4, "What are you running? A quote");
    say("While it runs, the router measures what it starts into PCR 10 and keeps a log");
    say("of the measurements. The verifier asks for a quote: the TPM signs, with the AK,");
    say("the verifier's fresh nonce and a digest of the selected PCRs.");
    int ok = need(measure(d, 10, "exec /usr/sbin/routerd sha256:9f2c...e1 (package 3.4.2)"),
                  "PCR_Extend 10");
    if (!ok)
        return finish_step(d, st, 0, NULL);
    say("measured: PCR 10 <- /usr/sbin/routerd");
    TPML_PCR_SELECTION sel;
    select_pcrs(&sel, quote_pcrs, QUOTE_PCRS);
    TPM2B_DATA n1;
    TPM2B_ATTEST q;
    TPMT_SIGNATURE sig;
    ok = need(nonce(&n1), "nonce") &&
         need(qtpm_tss_quote(d->tpm, &d->ak, NULL, &n1, &sel, &q, &sig), "Quote");
    if (!ok)
        return finish_step(d, st, 0, NULL);
    say("quote: TPMS_ATTEST %u bytes, ML-DSA-44 signature %u bytes, PCRs 0, 1, 10 (SHA-256)",
        q.size, sig.signature.mldsa.size);

    say("The verifier replays the measurement log in software to get the PCR values it");
    say("should see, and checks the quote against them.");
    TPM2B_DIGEST expected[QUOTE_PCRS];
    TPMS_ATTEST parsed;
    double t0 = now_us();
    int rc = replay(d->log, d->n_log, quote_pcrs, QUOTE_PCRS, expected);
    int vrc = rc == QTPM_OK ? qtpm_tss_quote_verify(&d->ak.pub.publicArea, &q, &sig, &n1, &sel,
                                                    expected, QUOTE_PCRS, &parsed)
                            : rc;
    st->sw_us += now_us() - t0;
    ok = check(vrc == QTPM_OK,
               "quote verified: ML-DSA-44 signature by the AK, magic TPM_GENERATED, our nonce,");
    if (ok) {
        char pd[80];
        hex(pd, sizeof pd, parsed.attested.quote.pcrDigest.buffer,
            parsed.attested.quote.pcrDigest.size, 12);
        say("      and pcrDigest %s = SHA-256 of the replayed PCR 0, 1, 10", pd);
    }

    /* a man in the middle edits the quote: the last bytes are the pcrDigest */
    TPM2B_ATTEST bad = q;
    bad.buffer[bad.size - 1] ^= 0x01;
    t0 = now_us();
    vrc = qtpm_tss_quote_verify(&d->ak.pub.publicArea, &bad, &sig, &n1, &sel, expected,
                                QUOTE_PCRS, NULL);
    st->sw_us += now_us() - t0;
    ok = check(vrc == QTPM_E_VERIFY,
               "a quote with one bit of its PCR digest changed is refused (signature)") &&
         ok;
    /* the same genuine quote replayed to a later challenge */
    TPM2B_DATA n2;
    ok = need(nonce(&n2), "nonce") && ok;
    t0 = now_us();
    vrc = qtpm_tss_quote_verify(&d->ak.pub.publicArea, &q, &sig, &n2, &sel, expected, QUOTE_PCRS,
                                NULL);
    st->sw_us += now_us() - t0;
    ok = check(vrc == QTPM_E_VERIFY,
               "the genuine quote replayed against a new nonce is refused (freshness)") &&
         ok;
    return finish_step(d, st, ok,
               "the verifier learns, with a post-quantum signature from a genuine TPM,\n"
               "    exactly which software the router is running now.");
}

/* ------------------------------------------------------------- 5: sealing */

static int step_seal(demo *d)
{
    step_info *st = begin_step(d, 5, "A wallet secret sealed to the platform state");
    say("A payment token is sealed: the TPM encrypts it under the ML-KEM-768 storage key");
    say("and will release it only to a policy session whose PCRs 0, 1, 10 are as now.");
    static const char token[] = "payment token 5412-7534-0981-2217 exp 09/29";
    TPML_PCR_SELECTION sel;
    select_pcrs(&sel, quote_pcrs, QUOTE_PCRS);
    TPM2B_PRIVATE priv;
    TPM2B_PUBLIC pub;
    uint8_t out[128];
    size_t len = 0;
    int ok = need(qtpm_tss_seal(d->tpm, d->srk.handle, NULL, (const uint8_t *)token,
                                strlen(token), &sel, NULL, &priv, &pub),
                  "seal");
    if (!ok)
        return finish_step(d, st, 0, NULL);
    say("sealed: %zu bytes in a keyedHash object, %u bytes of TPM-encrypted private area",
        strlen(token), priv.size);
    ok = need(qtpm_tss_unseal(d->tpm, d->srk.handle, NULL, &priv, &pub, &sel, out, sizeof out,
                              &len),
              "unseal in the same state");
    ok = ok && check(len == strlen(token) && memcmp(out, token, len) == 0,
                     "unsealed in the same state: \"%.*s\"", (int)len, (const char *)out);
    qtpm_memzero(out, sizeof out);

    say("Now something unexpected runs and is measured into PCR 10.");
    ok = need(measure(d, 10, "exec /tmp/.x sha256:00bad0...66 (unknown)"), "PCR_Extend 10") && ok;
    int rc = qtpm_tss_unseal(d->tpm, d->srk.handle, NULL, &priv, &pub, &sel, out, sizeof out,
                             &len);
    char text[160];
    decode_rc(rc, text, sizeof text);
    TPM_RC base = rc > 0 && ((TPM_RC)rc & RC_FMT1) ? (((TPM_RC)rc & 0x3F) | RC_FMT1) : 0;
    ok = check(base == TPM_RC_POLICY_FAIL, "unsealing is refused; the TPM answered\n%s", text) &&
         ok;
    qtpm_memzero(out, sizeof out);
    return finish_step(d, st, ok,
               "the token exists in clear only inside a platform in the approved state;\n"
               "    a compromised router cannot get it out of its own TPM.");
}

/* ================================================================ summary */

static void summary(demo *d, int all_ok, double total_us)
{
    printf("\nSummary\n-------\n");
    printf("  %-56s %-6s %4s %7s %7s %7s\n", "step", "result", "cmds", "TPM ms", "verif", "wall");
    uint64_t tpm = 0;
    size_t cmds = 0;
    for (int i = 0; i < N_STEPS; i++) {
        const step_info *s = &d->step[i];
        if (!s->ran)
            continue;
        char title[64];
        snprintf(title, sizeof title, "%d %s", i, s->title);
        printf("  %-56s %-6s %4zu %7.2f %7.2f %7.2f\n", title, s->ok ? "ok" : "FAILED", s->cmds,
               (double)s->tpm_us / 1000.0, s->sw_us / 1000.0, s->wall_us / 1000.0);
        tpm += s->tpm_us;
        cmds += s->cmds;
    }
    printf("  TPM ms: libqtss timing, send to reply, summed; verif: the verifier's work in\n"
           "  software; wall: the whole step. %zu TPM commands took %.1f ms; the demo took\n"
           "  %.1f ms from starting the server to here.\n",
           cmds, (double)tpm / 1000.0, total_us / 1000.0);

    /* where the device's TPM time went: per command, over steps 1-5 */
    size_t first = d->step[1].first, last = first;
    for (int i = 1; i < N_STEPS; i++)
        if (d->step[i].ran && d->step[i].last > last)
            last = d->step[i].last;
    if (d->tpm && last > first) {
        const qtpm_tss_timing_record *r = qtpm_tss_timing_records(d->tpm);
        struct {
            TPM_CC cc;
            size_t n;
            uint64_t sum, max;
        } by[64];
        size_t kinds = 0;
        for (size_t i = first; i < last; i++) {
            size_t k = 0;
            while (k < kinds && by[k].cc != r[i].cc)
                k++;
            if (k == kinds) {
                if (kinds == sizeof by / sizeof by[0])
                    continue;
                by[kinds].cc = r[i].cc;
                by[kinds].n = 0;
                by[kinds].sum = by[kinds].max = 0;
                kinds++;
            }
            by[k].n++;
            by[k].sum += r[i].usec;
            if (r[i].usec > by[k].max)
                by[k].max = r[i].usec;
        }
        printf("  Where the device's TPM time went (steps 1-5, largest first):\n");
        for (int shown = 0; shown < 5 && kinds > 0; shown++) {
            size_t best = 0;
            for (size_t k = 1; k < kinds; k++)
                if (by[k].sum > by[best].sum)
                    best = k;
            printf("    %-22s %2zu x  %6llu \u00b5s total, %6llu \u00b5s max\n",
                   qtpm_tss_cc_name(by[best].cc), by[best].n, (unsigned long long)by[best].sum,
                   (unsigned long long)by[best].max);
            by[best] = by[--kinds];
        }
    }
    if (all_ok)
        printf("\nAll steps behaved as a quantum-resistant TPM should.\n");
    else
        printf("\nSome step did not behave as it should (see \u2717 above): exit status 1.\n");
}

/* ================================================================== main */

static const char *default_server(char *buf, size_t cap)
{
    const char *env = getenv("QTPM_SERVER");
    if (env && *env)
        return env;
    if (access(QTPM_SERVER_BIN, X_OK) == 0)
        return QTPM_SERVER_BIN;
    /* a moved build tree: ../server/qtpm-server next to this program */
    ssize_t n = readlink("/proc/self/exe", buf, cap - 1);
    if (n > 0) {
        buf[n] = '\0';
        char *slash = strrchr(buf, '/');
        if (slash && (size_t)(slash - buf) + 24 < cap) {
            strcpy(slash, "/../server/qtpm-server");
            return buf;
        }
    }
    return QTPM_SERVER_BIN;
}

int main(int argc, char **argv)
{
    char pathbuf[4096];
    const char *server = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--server") == 0 && i + 1 < argc) {
            server = argv[++i];
        } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--version") == 0) {
            printf("qtpm-demo " QTPM_VERSION "\n");
            return 0;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            printf("usage: %s [--server PATH]\n"
                   "  Starts qtpm-server on free loopback ports with a temporary state, and\n"
                   "  narrates the QR-TPM flows against it. PATH defaults to $QTPM_SERVER,\n"
                   "  else the qtpm-server of this build.\n",
                   argv[0]);
            return 0;
        } else {
            fprintf(stderr, "usage: %s [--server PATH]\n", argv[0]);
            return 2;
        }
    }
    if (!server)
        server = default_server(pathbuf, sizeof pathbuf);
    setvbuf(stdout, NULL, _IOLBF, 0);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    demo d;
    memset(&d, 0, sizeof d);
    double t_start = now_us();
    printf("qtpm demo: a quantum-resistant TPM, end to end\n"
           "===============================================\n");
    if (start_server(&d.srv, server) != 0) {
        stop_server(&d.srv, 1);
        return 1;
    }
    printf("A software TPM 2.0 with ML-KEM (FIPS 203) and ML-DSA (FIPS 204), as TPM 2.0\n"
           "Library v1.85 adds them, runs as qtpm-server on 127.0.0.1:%u (mssim protocol)\n"
           "with a fresh state in %s. Three parties use it over TCP through\n"
           "libqtss: the factory, the device that owns the TPM (a router), and a remote\n"
           "verifier that checks everything in software.\n",
           d.srv.port, d.srv.dir);

    int all_ok = step_factory(&d);
    if (all_ok) {
        printf("\nThe TPM leaves the factory. At the customer's it is switched on (mssim platform\n"
               "RESET, then TPM2_Startup); from here on the device has its own connection.\n");
        all_ok = need(platform_reset(&d.srv) == 0 ? QTPM_OK : QTPM_TSS_E_IO,
                      "platform reset (mssim RESET)") &&
                 need(qtpm_tss_new(d.srv.tcti, &d.tpm), "connect to the TPM") &&
                 need(qtpm_tss_timing_enable(d.tpm, 1024), "timing") &&
                 need(qtpm_tss_Startup(d.tpm, TPM_SU_CLEAR), "TPM2_Startup");
    }
    int (*const steps[])(demo *) = { step_ek, step_ak, step_bound_key, step_quote, step_seal };
    for (size_t i = 0; all_ok && i < sizeof steps / sizeof steps[0]; i++)
        all_ok = steps[i](&d) && !interrupted;

    if (d.tpm) {
        /* flush what the demo loaded, and end the TPM's day cleanly */
        if (d.have_tls)
            qtpm_tss_FlushContext(d.tpm, d.tls.handle);
        if (d.have_srk)
            qtpm_tss_FlushContext(d.tpm, d.srk.handle);
        if (d.have_ak)
            qtpm_tss_FlushContext(d.tpm, d.ak.handle);
        if (d.have_ek)
            qtpm_tss_FlushContext(d.tpm, d.ek.handle);
        qtpm_tss_Shutdown(d.tpm, TPM_SU_CLEAR);
    }
    if (interrupted)
        fprintf(stderr, "qtpm-demo: interrupted (signal %d)\n", (int)interrupted);
    summary(&d, all_ok && !interrupted, now_us() - t_start);
    qtpm_tss_free(d.tpm);
    free(d.ca_der);
    /* a server that crashed or complained (e.g. a sanitizer report at exit)
     * fails the demo too */
    if (stop_server(&d.srv, !all_ok) != 0)
        all_ok = 0;
    return all_ok && !interrupted ? 0 : 1;
}
