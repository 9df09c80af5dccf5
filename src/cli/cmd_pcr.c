/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_pcr.c — PCR subcommands of qtpm: pcrread, pcrextend, pcrreset and
 * pcrevent (TPM 2.0 Part 3 §22, §17.5), with tpm2_pcrread / tpm2_pcrextend /
 * tpm2_pcrreset / tpm2_pcrevent syntax. The PCR values file (-o) is tpm2-tools' "values" format: the
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

/* --------------------------------------------------------------- pcrevent */

static const char pcrevent_usage[] =
    "Usage: qtpm pcrevent [-P AUTH] [PCR] [FILE]\n"
    "Hashes FILE (default: stdin) with every allocated bank's algorithm in the TPM\n"
    "and, when a PCR index is given, extends that PCR with the digests\n"
    "(TPM2_PCR_Event, Part 3 §22.3; above 1024 bytes an event sequence,\n"
    "HashSequenceStart(TPM_ALG_NULL) + SequenceUpdate + EventSequenceComplete).\n"
    "Prints ALG: DIGEST per bank, as tpm2_pcrevent. PCR and FILE in any order.\n"
    "  -P, --auth AUTH   the PCR's authorization (default: empty)\n";

/* An argument is a PCR index when it is a small decimal number that does not
 * name a file (tpm2_pcrevent's rule: "FILE and PCR index in any order"). */
static int is_pcr_arg(const char *s, uint32_t *pcr)
{
    FILE *f = fopen(s, "rb");
    if (f) {
        fclose(f);
        return 0;
    }
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || v > 31)
        return 0;
    *pcr = (uint32_t)v;
    return 1;
}

static int cmd_pcrevent(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { { "auth", required_argument, NULL, 'P' },
                                          CLI_COMMON_LONGOPTS };
    const char *auth_s = NULL, *file = "-";
    int ch, e, have_pcr = 0, have_file = 0;
    while ((ch = getopt_long(argc, argv, "P:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'P': auth_s = optarg; break;
        CLI_COMMON_CASES(c, ch, pcrevent_usage)
        }
    }
    uint32_t pcr = 0;
    for (int i = optind; i < argc; i++) {
        uint32_t v;
        if (!have_pcr && is_pcr_arg(argv[i], &v)) {
            pcr = v;
            have_pcr = 1;
        } else if (!have_file) {
            file = argv[i];
            have_file = 1;
        } else {
            cli_err(c, "at most one PCR index and one FILE expected");
            return CLI_EXIT_USAGE;
        }
    }
    cli_auth a;
    if ((e = cli_parse_auth(c, auth_s, &a)))
        return e;
    uint8_t *data;
    size_t len;
    if ((e = cli_read_file(c, file, &data, &len)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t))) {
        free(data);
        return e;
    }
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    TPM_HANDLE ph = have_pcr ? pcr : TPM_RH_NULL;
    TPML_DIGEST_VALUES dv;
    static TPM2B_MAX_BUFFER buf;
    int rc;
    const char *what = "PCR_Event";
    if (len <= sizeof buf.buffer) {
        buf.size = (UINT16)len;
        memcpy(buf.buffer, data, len);
        rc = qtpm_tss_PCR_Event(t, &as, ph, &buf, &dv);
    } else {
        /* an event sequence (Part 3 §17.3 with TPM_ALG_NULL): the last
         * piece goes with EventSequenceComplete, which flushes it */
        TPMI_DH_OBJECT seq;
        what = "HashSequenceStart";
        rc = qtpm_tss_HashSequenceStart(t, NULL, NULL, TPM_ALG_NULL, &seq);
        size_t off = 0;
        while (rc == 0 && len - off > sizeof buf.buffer) {
            buf.size = sizeof buf.buffer;
            memcpy(buf.buffer, data + off, buf.size);
            off += buf.size;
            what = "SequenceUpdate";
            if ((rc = qtpm_tss_SequenceUpdate(t, NULL, seq, &buf)) != 0)
                qtpm_tss_FlushContext(t, seq);
        }
        if (rc == 0) {
            buf.size = (UINT16)(len - off);
            memcpy(buf.buffer, data + off, buf.size);
            qtpm_tss_auths as2 = { 0 };
            cli_auth_put(&as2, 0, &a);
            what = "EventSequenceComplete";
            if ((rc = qtpm_tss_EventSequenceComplete(t, &as2, ph, seq, &buf, &dv)) != 0)
                qtpm_tss_FlushContext(t, seq);
        }
    }
    free(data);
    if (rc)
        return cli_fail(c, what, rc);
    for (UINT32 i = 0; i < dv.count; i++) {
        size_t n = 0;
        const TPMT_HA *d = &dv.digests[i];
        switch (d->hashAlg) {
        case TPM_ALG_SHA1: n = 20; break;
        case TPM_ALG_SHA256: case TPM_ALG_SHA3_256: n = 32; break;
        case TPM_ALG_SHA384: case TPM_ALG_SHA3_384: n = 48; break;
        case TPM_ALG_SHA512: case TPM_ALG_SHA3_512: n = 64; break;
        default: continue;
        }
        cli_out_hex(c, cli_hash_name(d->hashAlg), d->digest.sha512, n);
    }
    return 0;
}

const cli_command cli_cmds_pcr[] = {
    { "pcrread", cmd_pcrread, "read PCR values", pcrread_usage },
    { "pcrextend", cmd_pcrextend, "extend PCRs with digests", pcrextend_usage },
    { "pcrreset", cmd_pcrreset, "reset resettable PCRs", pcrreset_usage },
    { "pcrevent", cmd_pcrevent, "hash data in the TPM, optionally extending a PCR",
      pcrevent_usage },
    { NULL, NULL, NULL, NULL },
};
