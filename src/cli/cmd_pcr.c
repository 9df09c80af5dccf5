/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_pcr.c — PCR subcommands of qtpm: pcrread, pcrextend and pcrreset
 * (TPM 2.0 Part 3 §22), with tpm2_pcrread / tpm2_pcrextend / tpm2_pcrreset
 * syntax. The PCR values file (-o) is tpm2-tools' "values" format: the
 * digests of the selection concatenated, banks in selection order and PCRs
 * ascending — the same file tpm2_quote -o writes and tpm2_checkquote -f reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_PCR_VALUES (HASH_COUNT * 24)

static const char pcrread_usage[] =
    "Usage: qtpm pcrread [-o|--output FILE] [PCR_LIST]\n"
    "Reads PCRs (default: every allocated bank, all PCRs).\n"
    "  PCR_LIST           e.g. sha256:0,1,2+sha1:all\n"
    "  -o, --output FILE  write the values concatenated (tpm2-tools \"values\" format)\n";

/* The allocated banks (TPM_CAP_PCRS). */
static int all_banks(cli_ctx *c, TPML_PCR_SELECTION *sel)
{
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    TPMI_YES_NO more;
    static TPMS_CAPABILITY_DATA d;
    int rc = qtpm_tss_GetCapability(t, TPM_CAP_PCRS, 0, 1, &more, &d);
    if (rc)
        return cli_fail(c, "GetCapability", rc);
    *sel = d.data.assignedPCR;
    return 0;
}

static int cmd_pcrread(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
                                          CLI_COMMON_LONGOPTS };
    const char *out = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'o': out = optarg; break;
        CLI_COMMON_CASES(c, ch, pcrread_usage)
        }
    }
    TPML_PCR_SELECTION sel;
    int e;
    if (optind < argc) {
        if (optind + 1 != argc || cli_parse_pcr_list(argv[optind], &sel)) {
            cli_err(c, "bad PCR list \"%s\" (e.g. sha256:0,1,2)", argv[optind]);
            return CLI_EXIT_USAGE;
        }
    } else if ((e = all_banks(c, &sel))) {
        return e;
    }
    static TPM2B_DIGEST vals[MAX_PCR_VALUES];
    size_t n;
    if ((e = cli_pcr_values(c, &sel, vals, MAX_PCR_VALUES, &n)))
        return e;
    size_t k = 0;
    static uint8_t file[MAX_PCR_VALUES * MAX_DIGEST_SIZE];
    size_t flen = 0;
    for (UINT32 b = 0; b < sel.count; b++) {
        const TPMS_PCR_SELECTION *s = &sel.pcrSelections[b];
        cli_out_begin(c, cli_hash_name(s->hash));
        for (unsigned j = 0; j < s->sizeofSelect * 8U && k < n; j++) {
            if (!(s->pcrSelect[j / 8] & (1U << (j % 8))))
                continue;
            cli_out_pcr(c, j, vals[k].buffer, vals[k].size);
            memcpy(file + flen, vals[k].buffer, vals[k].size);
            flen += vals[k].size;
            k++;
        }
        cli_out_end(c);
    }
    if (out)
        return cli_write_file(c, out, file, flen);
    return 0;
}

static const char pcrextend_usage[] =
    "Usage: qtpm pcrextend PCR:ALG=HEX[,ALG=HEX...] [...]\n"
    "TPM2_PCR_Extend, e.g. qtpm pcrextend 16:sha256=<64 hex digits>,sha1=<40 hex>.\n";

static int cmd_pcrextend(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_LONGOPTS };
    int ch;
    while ((ch = getopt_long(argc, argv, "T:h", opts, NULL)) != -1) {
        switch (ch) {
        CLI_COMMON_CASES(c, ch, pcrextend_usage)
        }
    }
    if (optind >= argc) {
        cli_err(c, "PCR:ALG=HEX expected");
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    for (int a = optind; a < argc; a++) {
        char tmp[1024];
        snprintf(tmp, sizeof tmp, "%s", argv[a]);
        char *colon = strchr(tmp, ':');
        uint32_t pcr;
        TPML_DIGEST_VALUES dv;
        memset(&dv, 0, sizeof dv);
        if (!colon)
            goto bad;
        *colon = 0;
        if (cli_parse_u32(tmp, &pcr) || pcr > 23)
            goto bad;
        for (char *tok = strtok(colon + 1, ","); tok; tok = strtok(NULL, ",")) {
            char *eq = strchr(tok, '=');
            if (!eq || dv.count >= HASH_COUNT)
                goto bad;
            *eq = 0;
            TPMT_HA *ha = &dv.digests[dv.count];
            size_t len;
            if (cli_parse_hash(tok, &ha->hashAlg) ||
                cli_parse_hex(eq + 1, (uint8_t *)&ha->digest, sizeof ha->digest, &len) ||
                len != qtpm_hash_digest_size(ha->hashAlg))
                goto bad;
            dv.count++;
        }
        if (!dv.count)
            goto bad;
        int rc = qtpm_tss_PCR_Extend(t, NULL, pcr, &dv);
        if (rc)
            return cli_fail(c, "PCR_Extend", rc);
        continue;
    bad:
        cli_err(c, "bad extend specification \"%s\" (PCR:ALG=HEX, digest of the algorithm's "
                   "size)", argv[a]);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static const char pcrreset_usage[] =
    "Usage: qtpm pcrreset PCR [PCR...]\n"
    "TPM2_PCR_Reset of resettable PCRs (16 and 23 at locality 0).\n";

static int cmd_pcrreset(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_LONGOPTS };
    int ch;
    while ((ch = getopt_long(argc, argv, "T:h", opts, NULL)) != -1) {
        switch (ch) {
        CLI_COMMON_CASES(c, ch, pcrreset_usage)
        }
    }
    if (optind >= argc) {
        cli_err(c, "a PCR number expected");
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    for (int a = optind; a < argc; a++) {
        uint32_t pcr;
        if (cli_parse_u32(argv[a], &pcr) || pcr > 23) {
            cli_err(c, "bad PCR number \"%s\"", argv[a]);
            return CLI_EXIT_USAGE;
        }
        int rc = qtpm_tss_PCR_Reset(t, NULL, pcr);
        if (rc)
            return cli_fail(c, "PCR_Reset", rc);
    }
    return 0;
}

const cli_command cli_cmds_pcr[] = {
    { "pcrread", cmd_pcrread, "read PCR values", pcrread_usage },
    { "pcrextend", cmd_pcrextend, "extend PCRs with digests", pcrextend_usage },
    { "pcrreset", cmd_pcrreset, "reset resettable PCRs", pcrreset_usage },
    { NULL, NULL, NULL, NULL },
};
