/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c — the qtpm-nms command line: `init`, `serve` and the admin commands
 * (admin.c). The database URL comes from --db (default sqlite:DIR/nms.db when --dir is
 * given, else sqlite:nms.db): sqlite:PATH, postgresql:CONNINFO or a postgresql:// URI
 * (src/store/store.h). `--config FILE` reads every option from a YAML file first
 * (config.c, docs/OPERATIONS.md); options on the command line override it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "nms.h"
#include "ops.h"
#include "pki.h"
#include "qtpm/version.h"

static void usage_to(FILE *f)
{
    fprintf(f,
            "usage: qtpm-nms init --dir D\n"
            "       qtpm-nms serve --dir D [--db sqlite:PATH] --listen 127.0.0.1:PORT "
            "[--period S] [--web DIR] [--worker https://HOST:PORT]\n"
            "             [--tls-groups G1:G2...] [--allow-classic-tls] [--allow-unbound-routers]\n"
            "       qtpm-nms [--dir D | --db URL] compact [--json]\n"
            "       qtpm-nms [--dir D | --db URL] router log ID [--boot N]\n"
            "Every command also takes --config FILE (YAML; the command line overrides it),\n"
            "--log-format text|json and --log-level debug|info|warn|error.\n"
            "       qtpm-nms login-url --dir D --role operator|read-only [--ttl S] "
            "[--listen HOST:PORT]\n"
            "       qtpm-nms [--dir D | --db URL] vendor import --name N --ca PEM "
            "[--mldsa-pub F --ecdsa-pub F] [--json]\n"
            "       qtpm-nms [--dir D | --db URL] digestlist add FILE [--json]\n"
            "       qtpm-nms [--dir D | --db URL] router list | show ID | allow ID [--json]\n"
            "       qtpm-nms [--dir D | --db URL] events [--since N] [--json]\n"
            "       qtpm-nms [--dir D | --db URL] policy show | set good=N unknown=N bad=N "
            "offline=N [--bad-action metric|exclude] [--json]\n"
            "       qtpm-nms [--dir D | --db URL] topology [--json]\n"
            "       qtpm-nms --version | --help\n"
            "The network management system and RA server of trusted device management\n"
            "(docs/NMS.md): enrolment, TLS-key certification, explicit attestation, REST API\n"
            "v1 over mutual TLS, and the admin commands.\n");
}

static void usage(void)
{
    usage_to(stderr);
}

int main(int argc, char **argv)
{
    /* The file first (its errors are FILE:LINE), then the command line over it. */
    static qtpm_nms_config cfg;
    qtpm_nms_config_init(&cfg);
    for (int i = 1; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--config")) {
            char err[600];
            if (qtpm_nms_config_load(argv[i + 1], &cfg, err, sizeof err)) {
                fprintf(stderr, "qtpm-nms: %s\n", err);
                return 2;
            }
            break;
        }
    const char *dir = cfg.dir[0] ? cfg.dir : NULL, *db = cfg.db[0] ? cfg.db : NULL;
    const char *listen = cfg.listen[0] ? cfg.listen : NULL;
    const char *web = cfg.web[0] ? cfg.web : QTPM_NMS_WEB_DIR;
    const char *role = cfg.role[0] ? cfg.role : NULL;
    long period = cfg.period ? (long)cfg.period : 300, ttl = cfg.ttl ? (long)cfg.ttl : 600;
    int log_format = cfg.log_format, log_level = cfg.log_level;
    const char *tls_groups = cfg.tls_groups[0] ? cfg.tls_groups : NULL;
    int allow_classic = cfg.allow_classic_tls, allow_unbound = cfg.allow_unbound_routers;
    if (cfg.worker[0])
        qtpm_nms_set_worker(cfg.worker); /* the command line's --worker overrides it */
    char *rest[64];
    int nrest = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--config") && i + 1 < argc)
            i++; /* read above */
        else if (!strcmp(argv[i], "--log-format") && i + 1 < argc) {
            if ((log_format = qtpm_nms_log_format_parse(argv[++i])) < 0) {
                fprintf(stderr, "qtpm-nms: --log-format wants text or json\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--log-level") && i + 1 < argc) {
            if ((log_level = qtpm_nms_log_level_parse(argv[++i])) < 0) {
                fprintf(stderr, "qtpm-nms: --log-level wants debug, info, warn or error\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--db") && i + 1 < argc)
            db = argv[++i];
        else if (!strcmp(argv[i], "--listen") && i + 1 < argc)
            listen = argv[++i];
        else if (!strcmp(argv[i], "--web") && i + 1 < argc)
            web = argv[++i];
        else if (!strcmp(argv[i], "--worker") && i + 1 < argc)
            qtpm_nms_set_worker(argv[++i]); /* workers.c, docs/SCALE.md */
        else if (!strcmp(argv[i], "--tls-groups") && i + 1 < argc)
            tls_groups = argv[++i];
        else if (!strcmp(argv[i], "--allow-classic-tls"))
            allow_classic = 1;
        else if (!strcmp(argv[i], "--allow-unbound-routers"))
            allow_unbound = 1;
        else if (!strcmp(argv[i], "--role") && i + 1 < argc)
            role = argv[++i];
        else if (!strcmp(argv[i], "--ttl") && i + 1 < argc) {
            char *end;
            ttl = strtol(argv[++i], &end, 10);
            if (*end || ttl < 1 || ttl > 7 * 86400) {
                fprintf(stderr, "qtpm-nms: --ttl wants 1..604800 seconds\n");
                return 2;
            }
        } else if (!strcmp(argv[i], "--period") && i + 1 < argc) {
            char *end;
            period = strtol(argv[++i], &end, 10);
            if (*end || period < 1 || period > 86400) {
                fprintf(stderr, "qtpm-nms: --period wants 1..86400 seconds\n");
                return 2;
            }
        }
        else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
            printf("qtpm-nms " QTPM_VERSION "\n");
            return 0;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage_to(stdout);
            return 0;
        } else if (nrest < 64)
            rest[nrest++] = argv[i];
    }
    if (nrest == 0) {
        usage();
        return 2;
    }
    qtpm_nms_log_setup(log_format, log_level);
    cfg.period = period;
    qtpm_nms_ops_set(&cfg);
    char dburl[4200];
    if (!db) {
        snprintf(dburl, sizeof dburl, "sqlite:%s/nms.db", dir ? dir : ".");
        db = dburl;
    }
    if (!strcmp(rest[0], "init")) {
        char err[512];
        if (!dir) {
            usage();
            return 2;
        }
        if (qtpm_pki_init(dir, err, sizeof err)) {
            fprintf(stderr, "qtpm-nms init: %s\n", err);
            return 1;
        }
        printf("NMS key material written to %s\n", dir);
        return 0;
    }
    if (!strcmp(rest[0], "serve")) {
        if (!dir || !listen) {
            usage();
            return 2;
        }
        qtpm_nms_channel_configure(tls_groups, allow_classic, allow_unbound);
        return qtpm_nms_serve(dir, db, listen, period, web);
    }
    if (nrest >= 3 && !strcmp(rest[0], "router") && !strcmp(rest[1], "log")) {
        long long boot = 0;
        char *end = NULL;
        if (nrest == 5 && !strcmp(rest[3], "--boot"))
            boot = strtoll(rest[4], &end, 10);
        if ((nrest != 3 && nrest != 5) || (end && (*end || boot < 1))) {
            usage();
            return 2;
        }
        return qtpm_nms_router_log_cli(db, rest[2], boot);
    }
    if (!strcmp(rest[0], "compact"))
        return qtpm_nms_compact_cli(db, &cfg.retention,
                                    nrest == 2 && !strcmp(rest[1], "--json"));
    if (!strcmp(rest[0], "login-url")) {
        char url[512], err[512];
        if (!dir || !role) {
            usage();
            return 2;
        }
        if (qtpm_nms_web_login_url(dir, role, ttl, listen ? listen : "127.0.0.1:8443", url,
                                   sizeof url, err, sizeof err)) {
            fprintf(stderr, "qtpm-nms login-url: %s\n", err);
            return 1;
        }
        printf("%s\n", url);
        return 0;
    }
    int rc = qtpm_nms_admin(db, nrest, rest);
    if (rc == 2)
        usage();
    return rc;
}
