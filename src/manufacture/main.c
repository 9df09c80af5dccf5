/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c — qtpm-manufacture: the factory step of a TPM. Opens (or creates)
 * the vendor CA in a state directory, then for each requested algorithm
 * creates the EK from its TCG template and writes an EK certificate signed by
 * the CA into the EK certificate NV index (libqtpm-manufacture does the work;
 * see qtpm/manufacture.h and docs/MANUFACTURE.md). Running it again leaves
 * valid certificates in place.
 *
 *   qtpm-manufacture --tcti TCTI --ca-dir DIR [--alg rsa2048,ecc256,mlkem768]
 *                    [--export-ca FILE] [--hierarchy auto|platform|owner]
 *                    [--force] [--lock] [--platform-auth P] [--owner-auth P]
 *                    [--endorsement-auth P] [--profile NAME|JSON]
 *
 * --profile creates the TPM itself, for an in-process TPM (--tcti
 * engine:DIR) whose state does not exist yet: its state is manufactured with
 * that TPM profile (docs/SERVER.md "Profiles") before the EKs are made; a
 * state that exists must have been manufactured with the same profile. A TPM
 * behind a socket or a device got its profile when its own state was made
 * (qtpm-server --profile): there --profile checks, before any EK is made,
 * that the TPM reports that profile (GetCapability(TPM_CAP_VENDOR_PROPERTY);
 * for a custom profile, only that it is custom).
 *
 * Exit status: 0 when every EK has a valid certificate, 1 on any failure,
 * 2 on a usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/engine.h"
#include "qtpm/manufacture.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tcti.h"
#include "qtpm/version.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: qtpm-manufacture --tcti TCTI --ca-dir DIR [--alg LIST] [--export-ca FILE]\n"
            "                        [--hierarchy auto|platform|owner] [--force] [--lock]\n"
            "                        [--platform-auth P] [--owner-auth P] [--endorsement-auth P]\n"
            "  --tcti TCTI       mssim:host=H,port=N | swtpm:host=H,port=N | device:/dev/tpmrm0\n"
            "  --ca-dir DIR      vendor CA state (ca-key.pem 0600, ca-cert.pem); created if new\n"
            "  --alg LIST        comma-separated: rsa2048, ecc256, mlkem768 (default rsa2048,ecc256)\n"
            "  --export-ca FILE  write the CA certificate (PEM) to FILE\n"
            "  --hierarchy H     who defines the NV index: platform, owner, or auto (platform,\n"
            "                    falling back to owner when the platform hierarchy refuses)\n"
            "  --force           replace certificates even when they are valid\n"
            "  --lock            set TPMA_NV_WRITEDEFINE and write-lock each index\n"
            "  --profile P       with --tcti engine:DIR: manufacture that TPM with profile P\n"
            "                    (default, compat-tss3, or custom JSON; docs/SERVER.md); any\n"
            "                    other TPM must report profile P, or nothing is made\n"
            "  -v, --version     print the version and exit\n");
}

static int set_auth(TPM2B_AUTH *a, const char *s)
{
    size_t n = strlen(s);
    if (n > sizeof a->buffer)
        return -1;
    a->size = (UINT16)n;
    memcpy(a->buffer, s, n);
    return 0;
}

/* The name of a profile text ("default", "compat-tss3", "custom"), as a
 * TPM made with it reports it; 0, or -1 if the text is not a profile. */
static int profile_name_of(const char *profile, char *name, size_t cap)
{
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    qtpm_store_memory(&cfg.store);
    cfg.profile = profile;
    qtpm_tpm *tpm = NULL;
    if (qtpm_tpm_new(&tpm, &cfg) != QTPM_OK) {
        cfg.store.close(cfg.store.ctx);
        return -1;
    }
    char text[2100];
    size_t n = qtpm_tpm_profile(tpm, text, sizeof text);
    qtpm_tpm_free(tpm);
    /* a built-in's text is its name (at most 16 characters), a custom one JSON */
    snprintf(name, cap, "%.16s", n == 0 || text[0] == '{' ? "custom" : text);
    return 0;
}

/* The profile a TPM reports in GetCapability(TPM_CAP_VENDOR_PROPERTY, 0)
 * (docs/SERVER.md "Profiles": [0] its kind, [1..4] its name); 0, or -1 if
 * the TPM reports none (not a qtpm TPM). */
static int remote_profile(qtpm_tss *t, char name[17])
{
    uint8_t cmd[22] = {0x80, 0x01, 0, 0, 0, 22, 0, 0, 0x01, 0x7A, 0, 0, 0x01, 0x00,
                       0, 0, 0, 0, 0, 0, 0, 5};
    uint8_t rsp[128];
    size_t len = 0;
    if (qtpm_tcti_transact(qtpm_tss_tcti(t), cmd, sizeof cmd, rsp, sizeof rsp, &len) != QTPM_OK ||
        len < 19 + 20)
        return -1;
    uint32_t rc = (uint32_t)rsp[6] << 24 | (uint32_t)rsp[7] << 16 | (uint32_t)rsp[8] << 8 | rsp[9];
    uint32_t n = (uint32_t)rsp[15] << 24 | (uint32_t)rsp[16] << 16 | (uint32_t)rsp[17] << 8 | rsp[18];
    if (rc != 0 || n < 5)
        return -1;
    memcpy(name, rsp + 23, 16);
    name[16] = '\0';
    return 0;
}

/* --profile on a TPM behind a socket or device: 0 if it reports that
 * profile, else 1 after printing why. */
static int check_remote_profile(qtpm_tss *t, const char *profile)
{
    char want[32], have[17];
    if (profile_name_of(profile, want, sizeof want) != 0)
        return 1;
    if (remote_profile(t, have) != 0) {
        fprintf(stderr, "qtpm-manufacture: the TPM reports no profile (not a qtpm TPM?); "
                        "--profile %s cannot be checked\n", want);
        return 1;
    }
    if (strcmp(want, have) != 0) {
        fprintf(stderr, "qtpm-manufacture: the TPM has profile %s, not %s; its profile was "
                        "fixed when its state was made (qtpm-server --rm --profile %s)\n",
                have, want, want);
        return 1;
    }
    return 0;
}

/* --profile: creates (or checks) the state of the in-process TPM the TCTI
 * engine:DIR names, with profile; 0, or after printing why not, 2 for a
 * usage error and 1 for a state that refuses the profile (exit statuses).
 * *remote is set for any other TCTI, whose TPM is checked once open. */
static int make_with_profile(const char *tcti, const char *profile, int *remote)
{
    char why[256] = "";
    *remote = 0;
    if (qtpm_profile_check(profile, why, sizeof why) != QTPM_OK) {
        fprintf(stderr, "qtpm-manufacture: bad --profile: %s\n", why);
        return 2;
    }
    if (tcti == NULL || strncmp(tcti, "engine:", 7) != 0 || tcti[7] == '\0') {
        *remote = 1;
        return 0;
    }
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int rc = qtpm_store_dir(&cfg.store, tcti + 7);
    if (rc != QTPM_OK) {
        fprintf(stderr, "qtpm-manufacture: state directory %s: %s\n", tcti + 7,
                qtpm_strerror(rc));
        return 1;
    }
    cfg.profile = profile;
    cfg.err = why;
    cfg.err_size = sizeof why;
    qtpm_tpm *tpm = NULL;
    rc = qtpm_tpm_new(&tpm, &cfg);
    if (rc != QTPM_OK) {
        fprintf(stderr, "qtpm-manufacture: %s: %s\n", tcti + 7, why[0] ? why : qtpm_strerror(rc));
        cfg.store.close(cfg.store.ctx);
        return 1;
    }
    qtpm_tpm_free(tpm); /* saves the state and lets the TCTI open it */
    return 0;
}

static const char *action_name(qtpm_mfg_action a)
{
    switch (a) {
    case QTPM_MFG_WRITTEN:
        return "written";
    case QTPM_MFG_REPLACED:
        return "replaced";
    case QTPM_MFG_KEPT:
        return "kept (valid)";
    }
    return "?";
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "tcti", required_argument, NULL, 't' },
        { "ca-dir", required_argument, NULL, 'c' },
        { "alg", required_argument, NULL, 'a' },
        { "export-ca", required_argument, NULL, 'x' },
        { "hierarchy", required_argument, NULL, 'H' },
        { "force", no_argument, NULL, 'f' },
        { "lock", no_argument, NULL, 'l' },
        { "platform-auth", required_argument, NULL, 'P' },
        { "owner-auth", required_argument, NULL, 'O' },
        { "endorsement-auth", required_argument, NULL, 'E' },
        { "profile", required_argument, NULL, 'p' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'v' },
        { NULL, 0, NULL, 0 },
    };
    const char *tcti = NULL, *ca_dir = NULL, *export_ca = NULL, *profile = NULL;
    char algs[128] = "rsa2048,ecc256";
    TPM2B_AUTH platform_auth = { 0 }, owner_auth = { 0 }, endorsement_auth = { 0 };
    qtpm_mfg_options opts = { QTPM_MFG_HIER_AUTO, &platform_auth, &owner_auth,
                              &endorsement_auth, 0, 0 };
    int c;
    while ((c = getopt_long(argc, argv, "t:c:a:x:H:flP:O:E:p:hv", longopts, NULL)) != -1) {
        switch (c) {
        case 't':
            tcti = optarg;
            break;
        case 'c':
            ca_dir = optarg;
            break;
        case 'a':
            if (strlen(optarg) >= sizeof algs) {
                usage(stderr);
                return 2;
            }
            strcpy(algs, optarg);
            break;
        case 'x':
            export_ca = optarg;
            break;
        case 'H':
            if (strcmp(optarg, "auto") == 0)
                opts.hierarchy = QTPM_MFG_HIER_AUTO;
            else if (strcmp(optarg, "platform") == 0)
                opts.hierarchy = QTPM_MFG_HIER_PLATFORM;
            else if (strcmp(optarg, "owner") == 0)
                opts.hierarchy = QTPM_MFG_HIER_OWNER;
            else {
                usage(stderr);
                return 2;
            }
            break;
        case 'f':
            opts.force = 1;
            break;
        case 'l':
            opts.lock = 1;
            break;
        case 'P':
        case 'O':
        case 'E':
            if (set_auth(c == 'P' ? &platform_auth : c == 'O' ? &owner_auth : &endorsement_auth,
                         optarg) != 0) {
                fprintf(stderr, "qtpm-manufacture: authorization value too long\n");
                return 2;
            }
            break;
        case 'p':
            profile = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'v':
            printf("qtpm-manufacture " QTPM_VERSION "\n");
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!ca_dir || optind != argc) {
        usage(stderr);
        return 2;
    }
    /* check every name before touching the TPM */
    qtpm_ek_alg list[8];
    size_t n_algs = 0;
    for (char *save = NULL, *tok = strtok_r(algs, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        qtpm_ek_alg a = qtpm_ek_alg_from_name(tok);
        if (!a || n_algs == sizeof list / sizeof list[0]) {
            fprintf(stderr, "qtpm-manufacture: unknown algorithm '%s'\n", tok);
            return 2;
        }
        list[n_algs++] = a;
    }

    int remote = 0;
    int made = profile ? make_with_profile(tcti, profile, &remote) : 0;
    if (made != 0)
        return made;

    qtpm_vendor_ca *ca = NULL;
    int rc = qtpm_vendor_ca_open(ca_dir, &ca);
    if (rc != QTPM_OK) {
        fprintf(stderr, "qtpm-manufacture: vendor CA in %s: %s\n", ca_dir, qtpm_strerror(rc));
        return 1;
    }
    int status = 0;
    if (export_ca && (rc = qtpm_vendor_ca_export(ca, export_ca)) != QTPM_OK) {
        fprintf(stderr, "qtpm-manufacture: export to %s: %s\n", export_ca, qtpm_strerror(rc));
        status = 1;
    }
    qtpm_tss *t = NULL;
    if ((n_algs > 0 || remote) && (rc = qtpm_tss_new(tcti, &t)) != QTPM_OK) {
        fprintf(stderr, "qtpm-manufacture: TPM %s: %s\n", tcti ? tcti : "(QTPM_TCTI)",
                qtpm_tss_strerror(rc));
        qtpm_vendor_ca_free(ca);
        return 1;
    }
    /* A TPM fresh from the factory (or a simulator just powered on) has not
     * seen TPM2_Startup yet; manufacturing is the first thing it does, so
     * start it. A TPM already started answers TPM_RC_INITIALIZE, harmless. */
    if (t) {
        rc = qtpm_tss_Startup(t, TPM_SU_CLEAR);
        if (rc != QTPM_OK && rc != (int)TPM_RC_INITIALIZE) {
            fprintf(stderr, "qtpm-manufacture: TPM2_Startup: %s\n", qtpm_tss_strerror(rc));
            qtpm_tss_free(t);
            qtpm_vendor_ca_free(ca);
            return 1;
        }
    }
    if (remote && check_remote_profile(t, profile) != 0) {
        qtpm_tss_free(t);
        qtpm_vendor_ca_free(ca);
        return 1;
    }
    for (size_t i = 0; i < n_algs; i++) {
        qtpm_mfg_result res;
        rc = qtpm_manufacture_ek(t, ca, list[i], &opts, &res);
        if (rc != QTPM_OK) {
            /* a TPM_RC also as a number: the TPM may lack the algorithm
             * (TPM_RC_VALUE / _TYPE / _CURVE) */
            if (rc > 0)
                fprintf(stderr, "qtpm-manufacture: %s: %s (TPM_RC 0x%03X)\n",
                        qtpm_ek_alg_name(list[i]), qtpm_tss_strerror(rc), (unsigned)rc);
            else
                fprintf(stderr, "qtpm-manufacture: %s: %s\n", qtpm_ek_alg_name(list[i]),
                        qtpm_tss_strerror(rc));
            status = 1;
            continue;
        }
        printf("%s: EK certificate at NV 0x%08X %s (%zu bytes, %s hierarchy)\n",
               qtpm_ek_alg_name(list[i]), (unsigned)res.nv_index, action_name(res.action),
               res.cert_len, res.hierarchy == TPM_RH_PLATFORM ? "platform" : "owner");
    }
    qtpm_tss_free(t);
    qtpm_vendor_ca_free(ca);
    return status;
}
