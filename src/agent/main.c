/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm-agent: the router side of qtpm's trusted device management
 * (docs/AGENT.md). Subcommands:
 *
 *   enrol -c CONF          EK certificate → AK → ActivateCredential → AK certificate,
 *                          then the TPM-resident TLS key, certified by the AK → TLS certificate
 *   heartbeat -c CONF      one mutual-TLS heartbeat with the TPM-resident key (then a kept
 *                          report, if any); says when the NMS asks for fresh evidence
 *   measure -c CONF        measure the router image once (own measurer)
 *   attest-once -c CONF    measure, then one challenge → quote → evidence round, then a
 *                          heartbeat over mutual TLS (implicit attestation)
 *   run -c CONF [--rounds N]
 *                          check the sealed configuration (if any) before measuring,
 *                          then measure every period; attest at once when the list
 *                          grew, and at least once a period
 *   config-seal -c CONF FILE...
 *                          HMAC each configuration file with a TPM-held key into
 *                          state_dir/config.manifest
 *   config-verify -c CONF  refuse (exit 1, each file named) any sealed file that changed,
 *                          and report it to the NMS (event config-refused)
 *   status -c CONF [--json]
 *   bootstrap -c CONF --ztp-url URL --vendor-ca PEM --vendor-mldsa PUB
 *                          first boot by secure zero-touch provisioning (RFC 8572, ztp.c):
 *                          verified voucher and onboarding information, measured image
 *                          checked against it, then enrol, attest, TLS up
 *   serial -c CONF         the router's serial number (SHA-256 of its EK certificate)
 *
 * Exit status: 0 success, 1 the NMS or the TPM refused or failed, 2 usage or
 * configuration error. For attest-once, a verdict other than good exits 3, so
 * scripts can tell "attested, not trusted" from "could not attest".
 */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "agent.h"
#include "confint.h"
#include "qtpm/version.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static int usage_to(FILE *f, int status)
{
    fprintf(f, "usage: qtpm-agent enrol|heartbeat|measure|attest-once|run|status -c CONF "
                    "[--rounds N] [--json]\n"
                    "       qtpm-agent config-seal -c CONF FILE... | config-verify -c CONF\n"
                    "       qtpm-agent bootstrap -c CONF --ztp-url URL --vendor-ca PEM "
                    "--vendor-mldsa PUB | serial -c CONF\n"
                    "       qtpm-agent --version | --help\n"
                    "The router side of trusted device management (docs/AGENT.md): measures the\n"
                    "router image into an IMA list and PCR 10, enrols its TPM with qtpm-nms and\n"
                    "answers its challenges over mutual TLS with a TPM-resident key.\n");
    return status;
}

static int usage(void)
{
    return usage_to(stderr, 2);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void print_reasons(json_t *reply)
{
    json_t *reasons = json_object_get(reply, "reasons"), *r;
    size_t i;
    json_array_foreach(reasons, i, r) {
        const char *code = json_string_value(json_object_get(r, "code"));
        const char *path = json_string_value(json_object_get(r, "path"));
        printf("  reason: %s%s%s\n", code ? code : "?", path ? " " : "", path ? path : "");
    }
}

/* Implicit attestation: the management channel works only while the TPM
 * agrees to sign with the TLS key, i.e. in a configuration the NMS approved. */
static int heartbeat(const agent_config *cfg, qtpm_tss *tpm, int *attest)
{
    char err[768];
    qtpm_ima_list list;
    size_t entries = 0;
    if (agent_measure_list(cfg, &list) == 0) {
        entries = list.count;
        qtpm_ima_list_free(&list);
    }
    double t0 = now_ms();
    if (agent_heartbeat(cfg, tpm, entries, attest, err, sizeof err) != 0) {
        printf("qtpm-agent: %s: mutual TLS with the TPM-resident key FAILED: %s\n",
               cfg->hostname, err);
        return 1;
    }
    printf("qtpm-agent: %s: mutual TLS with the TPM-resident key up (heartbeat %.1f ms)\n",
           cfg->hostname, now_ms() - t0);
    int sent = agent_report_flush(cfg, tpm, err, sizeof err);
    if (sent > 0)
        printf("qtpm-agent: %s: a kept report sent to the NMS\n", cfg->hostname);
    else if (sent < 0)
        fprintf(stderr, "qtpm-agent: a kept report could not be sent: %s\n", err);
    return 0;
}

/* Configuration integrity at load: verifies state_dir/config.manifest with the TPM's
 * HMAC key; every refused file is named on stderr and reported to the NMS as a
 * config-refused event over the mutual-TLS channel. 0 intact, 1 refused (or the
 * manifest cannot be checked), -1 no manifest and quiet set. */
static int check_config(const agent_config *cfg, qtpm_tss *tpm, int quiet)
{
    char manifest[1100], err[768];
    snprintf(manifest, sizeof manifest, "%s/config.manifest", cfg->state_dir);
    if (quiet && access(manifest, F_OK) != 0)
        return -1;
    size_t bad = 0;
    json_t *refused = json_array();
    int rc = refused ? agent_confint_verify_ex(tpm, cfg->state_dir, manifest, &bad, refused,
                                               err, sizeof err)
                     : QTPM_E_NOMEM;
    if (rc == 0 && bad == 0) {
        json_decref(refused);
        printf("qtpm-agent: configuration intact\n");
        return 0;
    }
    fprintf(stderr, "qtpm-agent: configuration refused (%zu file%s): %s\n", bad,
            bad == 1 ? "" : "s", err);
    if (rc != 0 && json_array_size(refused) == 0)
        json_array_append_new(refused, json_pack("{s:s,s:s}", "path", manifest, "reason",
                                                 "manifest-invalid"));
    if (agent_report(cfg, tpm, "config-refused", refused, err, sizeof err) != 0) {
        fprintf(stderr, "qtpm-agent: could not report the refused configuration to the NMS: "
                        "%s\n", err);
        if (agent_report_keep(cfg, "config-refused", refused) == 0)
            fprintf(stderr, "qtpm-agent: the report is kept and sent after the next "
                            "heartbeat that goes through\n");
    } else {
        printf("qtpm-agent: %s: refused configuration reported to the NMS\n", cfg->hostname);
    }
    json_decref(refused);
    return 1;
}

static int attest_round(const agent_config *cfg, qtpm_tss *tpm, int *good)
{
    char verdict[32], err[512];
    json_t *reply = NULL;
    double t0 = now_ms();
    int rc = agent_attest(cfg, tpm, verdict, sizeof verdict, &reply, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "qtpm-agent: attestation failed: %s\n", err);
        json_decref(reply);
        return 1;
    }
    printf("qtpm-agent: %s: verdict %s (%.1f ms)\n", cfg->hostname, verdict, now_ms() - t0);
    print_reasons(reply);
    *good = strcmp(verdict, "good") == 0;
    json_decref(reply);
    return 0;
}

/* Waits up to ms for an exec or write in the image (no routing role): 1 when one came. */
static int watch_wait(agent_watch *w, int ms)
{
    struct pollfd p[2] = { { w->fan_fd, POLLIN, 0 }, { w->ino_fd, POLLIN, 0 } };
    if (w->fan_fd < 0 && w->ino_fd < 0) {
        usleep((useconds_t)ms * 1000);
        return 0;
    }
    if (poll(p, 2, ms) > 0)
        return agent_watch_drain(w);
    return 0;
}

/* `run`: attest, then measure at once on every exec or write in the image (push
 * detection, watch.c) and every 100 ms; attest at once when the list grew, heartbeat
 * and attest at least once a period. With frr_vty_dir set, the routing role
 * (routing.c) runs in the same loop: reports, the commands long poll, FIB changes. */
static int run_loop(const agent_config *cfg, qtpm_tss *tpm, agent_measurer *m, long rounds)
{
    char err[768];
    int good = 0;
    const char *how = "poll";
    agent_watch w;
    agent_watch_open(cfg, &w, &how);
    printf("qtpm-agent: %s: push detection by %s\n", cfg->hostname, how);
    double last = now_ms();
    attest_round(cfg, tpm, &good);
    agent_routing *rt = NULL;
    double rt_retry = 0;
    size_t added = 0;
    for (long r = 1; !stop && (rounds < 0 || r < rounds); r++) {
        added = 0;
        double end = now_ms() + cfg->period * 1e3, next_scan = 0;
        while (!stop && now_ms() < end) {
            if (cfg->frr_vty_dir[0] && !rt && now_ms() >= rt_retry) {
                if (agent_routing_open(cfg, tpm, &rt, err, sizeof err) == 0) {
                    printf("qtpm-agent: %s: routing role up (FRR at %s%s%s)\n", cfg->hostname,
                           cfg->frr_vty_dir, cfg->netns[0] ? ", netns " : "", cfg->netns);
                } else {
                    fprintf(stderr, "qtpm-agent: %s: routing role not up: %s\n",
                            cfg->hostname, err);
                    rt = NULL;
                    rt_retry = now_ms() + 2000;
                }
                fflush(stdout);
            }
            int hit = rt ? agent_routing_wait(rt, &w, 100) : watch_wait(&w, 100);
            if (hit || now_ms() >= next_scan) {
                next_scan = now_ms() + 100;
                if (agent_measure_scan(m, &added) == 0 && added)
                    break; /* the list grew: attest at once */
            }
        }
        if (stop)
            break;
        if (added) {
            /* evidence first: the verdict is what the NMS enforces on */
            attest_round(cfg, tpm, &good);
            last = now_ms();
        }
        int want = 0;
        if (heartbeat(cfg, tpm, &want) != 0)
            want = 1; /* the channel is refused: report explicitly */
        if (!added && (want || now_ms() - last >= cfg->period * 1e3)) {
            attest_round(cfg, tpm, &good);
            last = now_ms();
        }
        fflush(stdout);
    }
    agent_routing_close(rt);
    agent_watch_close(&w);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *cmd = argv[1], *conf = NULL;
    if (!strcmp(cmd, "-v") || !strcmp(cmd, "--version")) {
        printf("qtpm-agent " QTPM_VERSION "\n");
        return 0;
    }
    if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help"))
        return usage_to(stdout, 0);
    if (!strcmp(cmd, "bootstrap") || !strcmp(cmd, "serial"))
        return agent_ztp_main(argc, argv); /* zero-touch provisioning, ztp.c */
    long rounds = -1;
    int as_json = 0;
    const char *files[64];
    size_t n_files = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            conf = argv[++i];
        else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            rounds = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--json") == 0)
            as_json = 1;
        else if (argv[i][0] != '-' && !strcmp(cmd, "config-seal") && n_files < 64)
            files[n_files++] = argv[i];
        else
            return usage();
    }
    if (!conf)
        return usage();
    agent_config cfg;
    char err[512];
    if (agent_config_load(conf, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "qtpm-agent: %s\n", err);
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "qtpm-agent: libcurl initialisation failed\n");
        return 1;
    }
    qtpm_tss *tpm = NULL;
    int rc = qtpm_tss_new(cfg.tcti, &tpm);
    if (rc != QTPM_OK) {
        fprintf(stderr, "qtpm-agent: cannot reach the TPM at %s: %s\n", cfg.tcti,
                qtpm_tss_strerror(rc));
        curl_global_cleanup();
        return 1;
    }
    int status = 0;
    agent_measurer m;
    if (strcmp(cmd, "enrol") == 0) {
        double t0 = now_ms();
        if (agent_enrol(&cfg, tpm, err, sizeof err) != 0) {
            fprintf(stderr, "qtpm-agent: enrolment failed: %s\n", err);
            status = 1;
        } else {
            printf("qtpm-agent: %s enrolled (%.1f ms)\n", cfg.hostname, now_ms() - t0);
            t0 = now_ms();
            if (agent_tls_enrol(&cfg, tpm, err, sizeof err) != 0) {
                fprintf(stderr, "qtpm-agent: TLS key certification failed: %s\n", err);
                status = 1;
            } else {
                printf("qtpm-agent: %s TLS key certified by the AK, client certificate "
                       "issued (%.1f ms)\n", cfg.hostname, now_ms() - t0);
            }
        }
    } else if (strcmp(cmd, "config-seal") == 0 || strcmp(cmd, "config-verify") == 0) {
        char manifest[1100];
        snprintf(manifest, sizeof manifest, "%s/config.manifest", cfg.state_dir);
        if (!strcmp(cmd, "config-seal")) {
            if (n_files == 0) {
                status = usage();
            } else if (agent_confint_seal(tpm, cfg.state_dir, manifest, files, n_files, err,
                                          sizeof err) != 0) {
                fprintf(stderr, "qtpm-agent: sealing the configuration failed: %s\n", err);
                status = 1;
            } else {
                printf("qtpm-agent: %zu configuration files sealed with the TPM's HMAC key\n",
                       n_files);
            }
        } else if (check_config(&cfg, tpm, 0) != 0) {
            status = 1;
        }
    } else if (strcmp(cmd, "heartbeat") == 0) {
        int attest = 0;
        status = heartbeat(&cfg, tpm, &attest);
        if (status == 0 && attest)
            printf("qtpm-agent: %s: the NMS asks for fresh evidence\n", cfg.hostname);
    } else if (strcmp(cmd, "measure") == 0 || strcmp(cmd, "attest-once") == 0 ||
               strcmp(cmd, "run") == 0) {
        size_t added = 0;
        /* At load, before anything new is measured: the TLS key still has the approval
         * of the last good configuration, so the report can go out. */
        if (strcmp(cmd, "run") == 0)
            check_config(&cfg, tpm, 1);
        if ((rc = agent_measure_start(&m, &cfg, tpm)) != 0 ||
            (rc = agent_measure_scan(&m, &added)) != 0) {
            fprintf(stderr, "qtpm-agent: measuring %s failed: %s\n", cfg.measure_root,
                    qtpm_tss_strerror(rc));
            status = 1;
        } else if (strcmp(cmd, "measure") == 0) {
            printf("qtpm-agent: %zu new measurements\n", added);
        } else if (strcmp(cmd, "attest-once") == 0) {
            int good = 0, attest = 0;
            status = attest_round(&cfg, tpm, &good);
            int tls = heartbeat(&cfg, tpm, &attest);
            if (status == 0 && (!good || tls))
                status = 3;
        } else {
            signal(SIGTERM, on_signal);
            signal(SIGINT, on_signal);
            status = run_loop(&cfg, tpm, &m, rounds);
        }
    } else if (strcmp(cmd, "status") == 0) {
        qtpm_ima_list list;
        char p[1100];
        snprintf(p, sizeof p, "%s/router.id", cfg.state_dir);
        int enrolled = access(p, R_OK) == 0;
        if (agent_measure_list(&cfg, &list) != 0) {
            fprintf(stderr, "qtpm-agent: the measurement list is malformed\n");
            status = 1;
        } else {
            if (as_json) {
                json_t *j = json_pack("{s:s,s:b,s:I,s:s}", "hostname", cfg.hostname, "enrolled",
                                      enrolled, "entries", (json_int_t)list.count, "source",
                                      agent_uses_kernel_ima(&cfg) ? "kernel" : "own");
                char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
                printf("%s\n", text ? text : "{}");
                free(text);
                json_decref(j);
            }
            else
                printf("%s: %s, %zu measurements (%s)\n", cfg.hostname,
                       enrolled ? "enrolled" : "not enrolled", list.count,
                       agent_uses_kernel_ima(&cfg) ? "kernel IMA" : "own measurer");
            qtpm_ima_list_free(&list);
        }
    } else {
        status = usage();
    }
    qtpm_tss_free(tpm);
    curl_global_cleanup();
    return status;
}
