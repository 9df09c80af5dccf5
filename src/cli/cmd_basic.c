/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_basic.c — the basic subcommands of qtpm: startup, shutdown, selftest,
 * getcap, getrandom, rcdecode, readclock, testparms and dictionarylockout
 * (TPM 2.0 Part 3 §9, §10, §16, §25, §29, §30), named and optioned like
 * tpm2_startup, tpm2_shutdown, tpm2_selftest, tpm2_getcap, tpm2_getrandom,
 * tpm2_rc_decode, tpm2_readclock, tpm2_testparms and tpm2_dictionarylockout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---------------------------------------------------------------- startup */

static const char startup_usage[] =
    "Usage: qtpm startup [-c|--clear]\n"
    "TPM2_Startup: TPM_SU_STATE (resume) by default, TPM_SU_CLEAR with -c.\n";

static int cmd_startup(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "clear", no_argument, NULL, 'c' },
                                          CLI_COMMON_LONGOPTS };
    TPM_SU su = TPM_SU_STATE;
    int ch;
    while ((ch = getopt_long(argc, argv, "cT:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': su = TPM_SU_CLEAR; break;
        CLI_COMMON_CASES(c, ch, startup_usage)
        }
    }
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    int rc = qtpm_tss_Startup(t, su);
    if (rc)
        return cli_fail(c, "Startup", rc);
    cli_out_str(c, "startup", su == TPM_SU_CLEAR ? "clear" : "state");
    return 0;
}

static const char shutdown_usage[] =
    "Usage: qtpm shutdown [-c|--clear]\n"
    "TPM2_Shutdown: TPM_SU_STATE by default, TPM_SU_CLEAR with -c.\n";

static int cmd_shutdown(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "clear", no_argument, NULL, 'c' },
                                          CLI_COMMON_LONGOPTS };
    TPM_SU su = TPM_SU_STATE;
    int ch;
    while ((ch = getopt_long(argc, argv, "cT:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': su = TPM_SU_CLEAR; break;
        CLI_COMMON_CASES(c, ch, shutdown_usage)
        }
    }
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    int rc = qtpm_tss_Shutdown(t, su);
    if (rc)
        return cli_fail(c, "Shutdown", rc);
    cli_out_str(c, "shutdown", su == TPM_SU_CLEAR ? "clear" : "state");
    return 0;
}

static const char selftest_usage[] =
    "Usage: qtpm selftest [-f|--fulltest]\n"
    "TPM2_SelfTest of the untested algorithms, or of all with -f.\n";

static int cmd_selftest(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "fulltest", no_argument, NULL, 'f' },
                                          CLI_COMMON_LONGOPTS };
    TPMI_YES_NO full = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "fT:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'f': full = 1; break;
        CLI_COMMON_CASES(c, ch, selftest_usage)
        }
    }
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    int rc = qtpm_tss_SelfTest(t, full);
    if (rc)
        return cli_fail(c, "SelfTest", rc);
    cli_out_str(c, "selftest", "passed");
    return 0;
}

/* ----------------------------------------------------------------- getcap */

static const char *const pt_fixed_names[] = {
    "TPM_PT_FAMILY_INDICATOR", "TPM_PT_LEVEL", "TPM_PT_REVISION", "TPM_PT_DAY_OF_YEAR",
    "TPM_PT_YEAR", "TPM_PT_MANUFACTURER", "TPM_PT_VENDOR_STRING_1", "TPM_PT_VENDOR_STRING_2",
    "TPM_PT_VENDOR_STRING_3", "TPM_PT_VENDOR_STRING_4", "TPM_PT_VENDOR_TPM_TYPE",
    "TPM_PT_FIRMWARE_VERSION_1", "TPM_PT_FIRMWARE_VERSION_2", "TPM_PT_INPUT_BUFFER",
    "TPM_PT_HR_TRANSIENT_MIN", "TPM_PT_HR_PERSISTENT_MIN", "TPM_PT_HR_LOADED_MIN",
    "TPM_PT_ACTIVE_SESSIONS_MAX", "TPM_PT_PCR_COUNT", "TPM_PT_PCR_SELECT_MIN",
    "TPM_PT_CONTEXT_GAP_MAX", NULL, "TPM_PT_NV_COUNTERS_MAX", "TPM_PT_NV_INDEX_MAX",
    "TPM_PT_MEMORY", "TPM_PT_CLOCK_UPDATE", "TPM_PT_CONTEXT_HASH", "TPM_PT_CONTEXT_SYM",
    "TPM_PT_CONTEXT_SYM_SIZE", "TPM_PT_ORDERLY_COUNT", "TPM_PT_MAX_COMMAND_SIZE",
    "TPM_PT_MAX_RESPONSE_SIZE", "TPM_PT_MAX_DIGEST", "TPM_PT_MAX_OBJECT_CONTEXT",
    "TPM_PT_MAX_SESSION_CONTEXT", "TPM_PT_PS_FAMILY_INDICATOR", "TPM_PT_PS_LEVEL",
    "TPM_PT_PS_REVISION", "TPM_PT_PS_DAY_OF_YEAR", "TPM_PT_PS_YEAR", "TPM_PT_SPLIT_MAX",
    "TPM_PT_TOTAL_COMMANDS", "TPM_PT_LIBRARY_COMMANDS", "TPM_PT_VENDOR_COMMANDS",
    "TPM_PT_NV_BUFFER_MAX", "TPM_PT_MODES", "TPM_PT_MAX_CAP_BUFFER", "TPM_PT_FIRMWARE_SVN",
    "TPM_PT_FIRMWARE_MAX_SVN", "TPM_PT_ML_PARAMETER_SETS",
};

static const char *const pt_var_names[] = {
    "TPM_PT_PERMANENT", "TPM_PT_STARTUP_CLEAR", "TPM_PT_HR_NV_INDEX", "TPM_PT_HR_LOADED",
    "TPM_PT_HR_LOADED_AVAIL", "TPM_PT_HR_ACTIVE", "TPM_PT_HR_ACTIVE_AVAIL",
    "TPM_PT_HR_TRANSIENT_AVAIL", "TPM_PT_HR_PERSISTENT", "TPM_PT_HR_PERSISTENT_AVAIL",
    "TPM_PT_NV_COUNTERS", "TPM_PT_NV_COUNTERS_AVAIL", "TPM_PT_ALGORITHM_SET",
    "TPM_PT_LOADED_CURVES", "TPM_PT_LOCKOUT_COUNTER", "TPM_PT_MAX_AUTH_FAIL",
    "TPM_PT_LOCKOUT_INTERVAL", "TPM_PT_LOCKOUT_RECOVERY", "TPM_PT_NV_WRITE_RECOVERY",
    "TPM_PT_AUDIT_COUNTER_0", "TPM_PT_AUDIT_COUNTER_1",
};

static const char *pt_name(UINT32 pt, char *buf, size_t cap)
{
    const char *n = NULL;
    if (pt >= 0x100 && pt - 0x100 < sizeof pt_fixed_names / sizeof pt_fixed_names[0])
        n = pt_fixed_names[pt - 0x100];
    else if (pt >= 0x200 && pt - 0x200 < sizeof pt_var_names / sizeof pt_var_names[0])
        n = pt_var_names[pt - 0x200];
    if (n)
        return n;
    snprintf(buf, cap, "0x%x", pt);
    return buf;
}

static const struct {
    const char *name;
    TPM_CAP cap;
    UINT32 first;
    const char *help;
} caps[] = {
    { "algorithms", TPM_CAP_ALGS, 0, "algorithms and their properties" },
    { "commands", TPM_CAP_COMMANDS, 0, "supported command codes" },
    { "pcrs", TPM_CAP_PCRS, 0, "allocated PCR banks" },
    { "properties-fixed", TPM_CAP_TPM_PROPERTIES, 0x100, "fixed TPM properties" },
    { "properties-variable", TPM_CAP_TPM_PROPERTIES, 0x200, "variable TPM properties" },
    { "ecc-curves", TPM_CAP_ECC_CURVES, 0, "supported ECC curves" },
    { "handles-transient", TPM_CAP_HANDLES, 0x80000000U, "loaded transient objects" },
    { "handles-persistent", TPM_CAP_HANDLES, 0x81000000U, "persistent objects" },
    { "handles-permanent", TPM_CAP_HANDLES, 0x40000000U, "permanent handles" },
    { "handles-pcr", TPM_CAP_HANDLES, 0x00000000U, "PCR handles" },
    { "handles-nv-index", TPM_CAP_HANDLES, 0x01000000U, "defined NV indices" },
    { "handles-loaded-session", TPM_CAP_HANDLES, 0x02000000U, "loaded sessions" },
    { "handles-saved-session", TPM_CAP_HANDLES, 0x03000000U, "saved sessions" },
};

static const char getcap_usage[] =
    "Usage: qtpm getcap [-l|--list] CAPABILITY\n"
    "TPM2_GetCapability, all pages. CAPABILITY is one of:\n"
    "  algorithms commands pcrs properties-fixed properties-variable ecc-curves\n"
    "  handles-transient handles-persistent handles-permanent handles-pcr\n"
    "  handles-nv-index handles-loaded-session handles-saved-session\n"
    "  -l, --list   list the capability names\n";

static void print_cap_data(cli_ctx *c, size_t which, const TPMS_CAPABILITY_DATA *d,
                           UINT32 *next, int *done)
{
    char buf[32], key[32];
    *done = 0;
    switch (d->capability) {
    case TPM_CAP_ALGS:
        for (UINT32 i = 0; i < d->data.algorithms.count; i++) {
            const TPMS_ALG_PROPERTY *a = &d->data.algorithms.algProperties[i];
            const char *n = cli_alg_name(a->alg);
            snprintf(key, sizeof key, "%s", strcmp(n, "unknown") ? n : "");
            if (!key[0])
                snprintf(key, sizeof key, "0x%04x", a->alg);
            cli_out_begin(c, key);
            cli_out_handle(c, "value", a->alg);
            cli_out_handle(c, "properties", a->algProperties);
            cli_out_end(c);
            *next = a->alg + 1U;
        }
        break;
    case TPM_CAP_COMMANDS:
        for (UINT32 i = 0; i < d->data.command.count; i++) {
            /* commandIndex, and the vendor bit (Part 2 §8.9 V): the code */
            UINT32 a = d->data.command.commandAttributes[i];
            UINT32 cc = (a & 0xFFFFU) | (a & TPMA_CC_V ? CC_VEND : 0);
            cli_out_handle(c, qtpm_tss_cc_name(cc), d->data.command.commandAttributes[i]);
            *next = cc + 1U;
        }
        break;
    case TPM_CAP_PCRS:
        for (UINT32 i = 0; i < d->data.assignedPCR.count; i++) {
            const TPMS_PCR_SELECTION *s = &d->data.assignedPCR.pcrSelections[i];
            char list[256] = "";
            size_t l = 0;
            for (unsigned j = 0; j < s->sizeofSelect * 8U; j++)
                if (s->pcrSelect[j / 8] & (1U << (j % 8)))
                    l += (size_t)snprintf(list + l, sizeof list - l, "%s%u", l ? "," : "", j);
            cli_out_str(c, cli_hash_name(s->hash), list);
        }
        *done = 1;
        break;
    case TPM_CAP_TPM_PROPERTIES:
        for (UINT32 i = 0; i < d->data.tpmProperties.count; i++) {
            const TPMS_TAGGED_PROPERTY *p = &d->data.tpmProperties.tpmProperty[i];
            if ((p->property & 0xF00U) != caps[which].first) {
                *done = 1;
                break;
            }
            cli_out_handle(c, pt_name(p->property, buf, sizeof buf), p->value);
            *next = p->property + 1U;
        }
        break;
    case TPM_CAP_ECC_CURVES:
        for (UINT32 i = 0; i < d->data.eccCurves.count; i++) {
            snprintf(key, sizeof key, "curve_%u", i);
            cli_out_handle(c, key, d->data.eccCurves.eccCurves[i]);
            *next = d->data.eccCurves.eccCurves[i] + 1U;
        }
        break;
    case TPM_CAP_HANDLES:
        for (UINT32 i = 0; i < d->data.handles.count; i++) {
            UINT32 h = d->data.handles.handle[i];
            if ((h >> 24) != (caps[which].first >> 24)) {
                *done = 1;
                break;
            }
            snprintf(key, sizeof key, "0x%08x", h);
            if (c->json)
                cli_out_handle(c, key, h);
            else
                printf("- 0x%08x\n", h);
            *next = h + 1U;
        }
        break;
    default:
        *done = 1;
    }
}

static int cmd_getcap(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "list", no_argument, NULL, 'l' },
                                          CLI_COMMON_LONGOPTS };
    int ch, list = 0;
    while ((ch = getopt_long(argc, argv, "lT:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'l': list = 1; break;
        CLI_COMMON_CASES(c, ch, getcap_usage)
        }
    }
    if (list) {
        for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++)
            cli_out_str(c, caps[i].name, caps[i].help);
        return 0;
    }
    if (optind + 1 != argc) {
        cli_err(c, "one CAPABILITY expected (see qtpm getcap --list)");
        return CLI_EXIT_USAGE;
    }
    size_t which;
    for (which = 0; which < sizeof caps / sizeof caps[0]; which++)
        if (!strcmp(argv[optind], caps[which].name))
            break;
    if (which == sizeof caps / sizeof caps[0]) {
        cli_err(c, "unknown capability \"%s\" (see qtpm getcap --list)", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    UINT32 next = caps[which].first;
    for (int pages = 0; pages < 64; pages++) {
        TPMI_YES_NO more = 0;
        static TPMS_CAPABILITY_DATA d;
        UINT32 count = caps[which].cap == TPM_CAP_PCRS ? 1 : 64;
        int rc = qtpm_tss_GetCapability(t, caps[which].cap, next, count, &more, &d);
        if (rc)
            return cli_fail(c, "GetCapability", rc);
        int done;
        UINT32 before = next;
        print_cap_data(c, which, &d, &next, &done);
        if (done || !more || next == before)
            break;
    }
    return 0;
}

/* -------------------------------------------------------------- getrandom */

static const char getrandom_usage[] =
    "Usage: qtpm getrandom [-o|--output FILE] [--hex] SIZE\n"
    "TPM2_GetRandom of SIZE bytes (several calls when SIZE exceeds one digest).\n"
    "  -o, --output FILE  write the raw bytes to FILE (default: stdout, raw)\n"
    "      --hex          print the bytes as hex instead\n";

static int cmd_getrandom(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
                                          { "hex", no_argument, NULL, 'x' },
                                          CLI_COMMON_LONGOPTS };
    const char *out = NULL;
    int ch, hex = 0;
    while ((ch = getopt_long(argc, argv, "o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': out = optarg; break;
        case 'x': hex = 1; break;
        CLI_COMMON_CASES(c, ch, getrandom_usage)
        }
    }
    uint32_t size;
    if (optind + 1 != argc || cli_parse_u32(argv[optind], &size) || size == 0 || size > 65536) {
        cli_err(c, "SIZE (1..65536) expected");
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    uint8_t *buf = malloc(size);
    if (!buf)
        return CLI_EXIT_USAGE;
    size_t have = 0;
    while (have < size) {
        TPM2B_DIGEST r;
        size_t want = size - have > 32 ? 32 : size - have;
        int rc = qtpm_tss_GetRandom(t, NULL, (UINT16)want, &r);
        if (rc) {
            free(buf);
            return cli_fail(c, "GetRandom", rc);
        }
        if (r.size == 0) {
            free(buf);
            cli_err(c, "the TPM returned no random bytes");
            return CLI_EXIT_TPM;
        }
        memcpy(buf + have, r.buffer, r.size > want ? want : r.size);
        have += r.size > want ? want : r.size;
    }
    if (out)
        e = cli_write_file(c, out, buf, size);
    else if (hex || c->json)
        cli_out_hex(c, "random", buf, size);
    else
        e = cli_write_file(c, "-", buf, size);
    free(buf);
    return e;
}

/* --------------------------------------------------------------- rcdecode */

static const char rcdecode_usage[] =
    "Usage: qtpm rcdecode RC\n"
    "Decodes a TPM 2.0 response code (e.g. 0x98e) like tpm2_rc_decode: layer,\n"
    "format, error name and meaning, and the handle, parameter or session number.\n";

static int cmd_rcdecode(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_LONGOPTS };
    int ch;
    while ((ch = getopt_long(argc, argv, "T:h", opts, NULL)) != -1) {
        switch (ch) {
        CLI_COMMON_CASES(c, ch, rcdecode_usage)
        }
    }
    uint32_t rc;
    if (optind + 1 != argc || cli_parse_u32(argv[optind], &rc)) {
        cli_err(c, "one response code expected (e.g. 0x98e)");
        return CLI_EXIT_USAGE;
    }
    if (c->json) {
        json_t *o = cli_rc_json(rc);
        json_object_update(c->out, o);
        json_decref(o);
        return 0;
    }
    char text[512];
    cli_rc_decode(rc, text, sizeof text);
    printf("%s\n", text);
    return 0;
}

/* -------------------------------------------------------------- readclock */

static const char readclock_usage[] =
    "Usage: qtpm readclock\n"
    "TPM2_ReadClock (Part 3 §29.1): TPMS_TIME_INFO, printed as tpm2_readclock does\n"
    "(time, clock_info: clock, reset_count, restart_count, safe).\n";

static uint64_t be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static int cmd_readclock(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_LONGOPTS };
    int ch;
    while ((ch = getopt_long(argc, argv, "T:h", opts, NULL)) != -1) {
        switch (ch) {
        CLI_COMMON_CASES(c, ch, readclock_usage)
        }
    }
    if (optind != argc) {
        cli_err(c, "no arguments expected");
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    qtpm_tss_command cmd = { .cc = TPM_CC_ReadClock };
    qtpm_tss_response rsp;
    int rc = qtpm_tss_execute(t, &cmd, &rsp);
    if (rc)
        return cli_fail(c, "ReadClock", rc);
    /* TPMS_TIME_INFO: time u64, clockInfo {clock u64, resetCount u32,
     * restartCount u32, safe u8} (Part 2 §10.11) */
    if (rsp.params_len != 8 + 8 + 4 + 4 + 1) {
        cli_err(c, "ReadClock: a %zu-byte TPMS_TIME_INFO", rsp.params_len);
        return CLI_EXIT_TPM;
    }
    const uint8_t *p = rsp.params;
    cli_out_int(c, "time", be64(p));
    cli_out_begin(c, "clock_info");
    cli_out_int(c, "clock", be64(p + 8));
    cli_out_int(c, "reset_count", (uint32_t)p[16] << 24 | (uint32_t)p[17] << 16 | (uint32_t)p[18] << 8 | p[19]);
    cli_out_int(c, "restart_count", (uint32_t)p[20] << 24 | (uint32_t)p[21] << 16 | (uint32_t)p[22] << 8 | p[23]);
    if (c->json)
        cli_out_bool(c, "safe", p[24] != 0);
    else
        cli_out_str(c, "safe", p[24] ? "yes" : "no"); /* tpm2_readclock's words */
    cli_out_end(c);
    return 0;
}

/* -------------------------------------------------------------- testparms */

static const char testparms_usage[] =
    "Usage: qtpm testparms ALG_SPEC\n"
    "TPM2_TestParms (Part 3 §10.3): does the TPM support these key parameters?\n"
    "ALG_SPEC as -G of create: rsa2048, rsa3072:rsapss, ecc384:ecdsa-sha384,\n"
    "aes256cfb, hmac, mlkem768, mldsa65, ... Exit 0 when supported; otherwise the\n"
    "TPM's refusal (TPM_RC_KEY_SIZE, TPM_RC_CURVE, ...) and exit 5 (unsupported), as\n"
    "tpm2_testparms.\n";

static int cmd_testparms(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_LONGOPTS };
    int ch;
    while ((ch = getopt_long(argc, argv, "T:h", opts, NULL)) != -1) {
        switch (ch) {
        CLI_COMMON_CASES(c, ch, testparms_usage)
        }
    }
    if (optind + 1 != argc) {
        cli_err(c, "one ALG_SPEC expected (e.g. rsa2048, ecc256:ecdsa, aes128cfb)");
        return CLI_EXIT_USAGE;
    }
    /* Parsed as an unrestricted key's algorithm (attributes pick defaults
     * only for restricted keys); a signing key if a scheme is given. */
    TPMT_PUBLIC pub;
    memset(&pub, 0, sizeof pub);
    TPMA_OBJECT attrs = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT;
    if (cli_parse_key_alg(argv[optind], attrs, TPM_ALG_SHA256, &pub)) {
        cli_err(c, "unknown algorithm specification \"%s\"", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    TPMT_PUBLIC_PARMS parms;
    memset(&parms, 0, sizeof parms);
    parms.type = pub.type;
    parms.parameters = pub.parameters;
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    int rc = qtpm_tss_TestParms(t, &parms);
    if (rc > 0) {
        /* the TPM refused the parameters: "unsupported", tpm2-tools'
         * tool_rc_unsupported, after the decoded reason */
        int ex = cli_fail(c, "TestParms", rc);
        return ex == CLI_EXIT_TCTI ? ex : CLI_EXIT_UNSUPPORTED;
    }
    if (rc)
        return cli_fail(c, "TestParms", rc);
    if (c->json)
        cli_out_bool(c, "supported", 1);
    return 0;
}

/* ------------------------------------------------------ dictionarylockout */

static const char dictionarylockout_usage[] =
    "Usage: qtpm dictionarylockout [-c] [-s [-n TRIES] [-t SECONDS] [-l SECONDS]] [-p AUTH]\n"
    "Dictionary attack protection (Part 3 §25), as tpm2_dictionarylockout:\n"
    "  -c, --clear-lockout             TPM2_DictionaryAttackLockReset\n"
    "  -s, --setup-parameters          TPM2_DictionaryAttackParameters; the values not\n"
    "                                  given keep the TPM's current ones\n"
    "  -n, --max-tries N               failures before lockout (TPM_PT_MAX_AUTH_FAIL)\n"
    "  -t, --recovery-time S           seconds to forget one failure (TPM_PT_LOCKOUT_INTERVAL)\n"
    "  -l, --lockout-recovery-time S   seconds after a failed lockout authorization\n"
    "                                  (TPM_PT_LOCKOUT_RECOVERY)\n"
    "  -p, --auth AUTH                 the lockout hierarchy's authorization\n";

/* The current value of a TPM_PT_* variable property. */
static int get_property(cli_ctx *c, qtpm_tss *t, UINT32 pt, UINT32 *v)
{
    static TPMS_CAPABILITY_DATA d;
    TPMI_YES_NO more;
    int rc = qtpm_tss_GetCapability(t, TPM_CAP_TPM_PROPERTIES, pt, 1, &more, &d);
    if (rc)
        return cli_fail(c, "GetCapability", rc);
    if (d.data.tpmProperties.count < 1 || d.data.tpmProperties.tpmProperty[0].property != pt) {
        cli_err(c, "the TPM does not report property 0x%x", pt);
        return CLI_EXIT_TPM;
    }
    *v = d.data.tpmProperties.tpmProperty[0].value;
    return 0;
}

static int cmd_dictionarylockout(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "clear-lockout", no_argument, NULL, 'c' },
        { "setup-parameters", no_argument, NULL, 's' },
        { "max-tries", required_argument, NULL, 'n' },
        { "recovery-time", required_argument, NULL, 't' },
        { "lockout-recovery-time", required_argument, NULL, 'l' },
        { "auth", required_argument, NULL, 'p' },
        CLI_COMMON_LONGOPTS,
    };
    const char *auth_s = NULL, *n_s = NULL, *t_s = NULL, *l_s = NULL;
    int ch, e, clear = 0, setup = 0;
    while ((ch = getopt_long(argc, argv, "csn:t:l:p:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': clear = 1; break;
        case 's': setup = 1; break;
        case 'n': n_s = optarg; break;
        case 't': t_s = optarg; break;
        case 'l': l_s = optarg; break;
        case 'p': auth_s = optarg; break;
        CLI_COMMON_CASES(c, ch, dictionarylockout_usage)
        }
    }
    if ((!clear && !setup) || optind != argc) {
        cli_err(c, "-c (clear the lockout) and/or -s (set the parameters) expected");
        return CLI_EXIT_USAGE;
    }
    if (!setup && (n_s || t_s || l_s)) {
        cli_err(c, "-n, -t and -l need -s");
        return CLI_EXIT_USAGE;
    }
    uint32_t tries = 0, interval = 0, recovery = 0;
    if ((n_s && cli_parse_u32(n_s, &tries)) || (t_s && cli_parse_u32(t_s, &interval)) ||
        (l_s && cli_parse_u32(l_s, &recovery))) {
        cli_err(c, "-n, -t and -l take a number");
        return CLI_EXIT_USAGE;
    }
    cli_auth a;
    if ((e = cli_parse_auth(c, auth_s, &a)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    if (clear) {
        int rc = qtpm_tss_DictionaryAttackLockReset(t, &as, TPM_RH_LOCKOUT);
        if (rc)
            return cli_fail(c, "DictionaryAttackLockReset", rc);
        cli_out_str(c, "lockout", "cleared");
    }
    if (setup) {
        /* TPM_PT_MAX_AUTH_FAIL, _LOCKOUT_INTERVAL, _LOCKOUT_RECOVERY
         * (Part 2 §6.13: PT_VAR + 15, 16, 17) for the values not given */
        if ((!n_s && (e = get_property(c, t, 0x20F, &tries))) ||
            (!t_s && (e = get_property(c, t, 0x210, &interval))) ||
            (!l_s && (e = get_property(c, t, 0x211, &recovery))))
            return e;
        qtpm_tss_auths as2 = { 0 };
        cli_auth_put(&as2, 0, &a);
        int rc = qtpm_tss_DictionaryAttackParameters(t, &as2, TPM_RH_LOCKOUT, tries, interval,
                                                     recovery);
        if (rc)
            return cli_fail(c, "DictionaryAttackParameters", rc);
        cli_out_int(c, "max-tries", tries);
        cli_out_int(c, "recovery-time", interval);
        cli_out_int(c, "lockout-recovery-time", recovery);
    }
    return 0;
}

const cli_command cli_cmds_basic[] = {
    { "startup", cmd_startup, "TPM2_Startup (CLEAR or STATE)", startup_usage },
    { "shutdown", cmd_shutdown, "TPM2_Shutdown (CLEAR or STATE)", shutdown_usage },
    { "selftest", cmd_selftest, "TPM2_SelfTest", selftest_usage },
    { "getcap", cmd_getcap, "TPM2_GetCapability: algorithms, properties, handles ...",
      getcap_usage },
    { "getrandom", cmd_getrandom, "random bytes from the TPM", getrandom_usage },
    { "rcdecode", cmd_rcdecode, "decode a TPM response code", rcdecode_usage },
    { "readclock", cmd_readclock, "TPM2_ReadClock: time, clock, reset/restart counts", readclock_usage },
    { "testparms", cmd_testparms, "TPM2_TestParms: are these key parameters supported?",
      testparms_usage },
    { "dictionarylockout", cmd_dictionarylockout,
      "clear the DA lockout or set its parameters", dictionarylockout_usage },
    { NULL, NULL, NULL, NULL },
};
