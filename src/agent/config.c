/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's configuration file: one `key = value` per line, `#` starts a
 * comment, blank lines are ignored (docs/AGENT.md lists the keys). Unknown
 * keys and malformed lines are errors, reported with their line number, so a
 * typo never silently falls back to a default.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent.h"

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

static int set_str(char *dst, size_t cap, const char *v)
{
    if (strlen(v) >= cap)
        return -1;
    memcpy(dst, v, strlen(v) + 1);
    return 0;
}

int agent_config_load(const char *path, agent_config *cfg, char *err, size_t errlen)
{
    return agent_config_load_ex(path, cfg, err, errlen, 1);
}

int agent_config_load_ex(const char *path, agent_config *cfg, char *err, size_t errlen,
                         int need_nms)
{
    memset(cfg, 0, sizeof *cfg);
    strcpy(cfg->ima_source, "auto");
    strcpy(cfg->ak_alg, "mldsa65");
    strcpy(cfg->exec_watch, "auto");
    cfg->period = 10;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open configuration %s", path);
        return -1;
    }
    char line[2048];
    unsigned no = 0;
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        no++;
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, errlen, "%s:%u: expected key = value", path, no);
            rc = -1;
            break;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        struct { const char *key; char *dst; size_t cap; } strs[] = {
            { "tcti", cfg->tcti, sizeof cfg->tcti },
            { "nms", cfg->nms_url, sizeof cfg->nms_url },
            { "ca", cfg->ca_file, sizeof cfg->ca_file },
            { "state_dir", cfg->state_dir, sizeof cfg->state_dir },
            { "hostname", cfg->hostname, sizeof cfg->hostname },
            { "measure_root", cfg->measure_root, sizeof cfg->measure_root },
            { "ima_source", cfg->ima_source, sizeof cfg->ima_source },
            { "ak", cfg->ak_alg, sizeof cfg->ak_alg },
            { "frr_vty_dir", cfg->frr_vty_dir, sizeof cfg->frr_vty_dir },
            { "netns", cfg->netns, sizeof cfg->netns },
            { "exec_watch", cfg->exec_watch, sizeof cfg->exec_watch },
        };
        int found = 0;
        for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
            if (strcmp(k, strs[i].key) == 0) {
                found = 1;
                if (set_str(strs[i].dst, strs[i].cap, v) != 0) {
                    snprintf(err, errlen, "%s:%u: value of %s too long", path, no, k);
                    rc = -1;
                }
            }
        }
        if (!found && strcmp(k, "period") == 0) {
            char *end;
            unsigned long p = strtoul(v, &end, 10);
            if (*end || p == 0 || p > 86400) {
                snprintf(err, errlen, "%s:%u: period must be 1..86400 seconds", path, no);
                rc = -1;
            }
            cfg->period = (unsigned)p;
            found = 1;
        }
        if (!found && strcmp(k, "allow_classic_tls") == 0) {
            found = 1;
            if (strcmp(v, "yes") == 0 || strcmp(v, "no") == 0) {
                cfg->allow_classic_tls = strcmp(v, "yes") == 0;
            } else {
                snprintf(err, errlen, "%s:%u: allow_classic_tls must be yes or no", path, no);
                rc = -1;
            }
        }
        if (!found && rc == 0) {
            snprintf(err, errlen, "%s:%u: unknown key '%s'", path, no, k);
            rc = -1;
        }
    }
    fclose(f);
    if (rc != 0)
        return rc;
    const char *need[][2] = { { cfg->tcti, "tcti" }, { cfg->nms_url, "nms" },
                              { cfg->state_dir, "state_dir" }, { cfg->hostname, "hostname" } };
    for (size_t i = 0; i < 4; i++) {
        if (!need[i][0][0] && (need_nms || i != 1)) {
            snprintf(err, errlen, "%s: %s is required", path, need[i][1]);
            return -1;
        }
    }
    if (strcmp(cfg->ima_source, "auto") && strcmp(cfg->ima_source, "kernel") &&
        strcmp(cfg->ima_source, "own")) {
        snprintf(err, errlen, "%s: ima_source must be auto, kernel or own", path);
        return -1;
    }
    if (strcmp(cfg->ima_source, "kernel") && !agent_uses_kernel_ima(cfg) && !cfg->measure_root[0]) {
        snprintf(err, errlen, "%s: measure_root is required for the agent's own measurer", path);
        return -1;
    }
    if (strcmp(cfg->exec_watch, "auto") && strcmp(cfg->exec_watch, "fanotify") &&
        strcmp(cfg->exec_watch, "inotify") && strcmp(cfg->exec_watch, "poll")) {
        snprintf(err, errlen, "%s: exec_watch must be auto, fanotify, inotify or poll", path);
        return -1;
    }
    if (cfg->netns[0] && (strchr(cfg->netns, '/') || !strcmp(cfg->netns, ".") ||
                          !strcmp(cfg->netns, ".."))) {
        snprintf(err, errlen, "%s: netns is a name under /var/run/netns, not a path", path);
        return -1;
    }
    return 0;
}
