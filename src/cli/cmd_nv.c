/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_nv.c — NV subcommands of qtpm: nvdefine, nvundefine, nvwrite, nvread,
 * nvreadpublic, nvincrement, nvsetbits and nvextend (TPM 2.0 Part 3 §31),
 * optioned like
 * tpm2_nv*. Reads and writes are split into pieces of TPM_PT_NV_BUFFER_MAX
 * bytes. As in tpm2-tools, without -C the index authorizes itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int parse_index(cli_ctx *c, int argc, char **argv, TPM_HANDLE *idx, int optional)
{
    if (optind >= argc && optional) {
        *idx = 0;
        return 0;
    }
    if (optind + 1 != argc || cli_parse_u32(argv[optind], idx) || (*idx >> 24) != TPM_HT_NV_INDEX) {
        cli_err(c, "one NV index (0x01......) expected");
        return CLI_EXIT_USAGE;
    }
    return 0;
}

static size_t nv_chunk(qtpm_tss *t)
{
    static TPMS_CAPABILITY_DATA d;
    TPMI_YES_NO more;
    size_t chunk = 512;
    if (qtpm_tss_GetCapability(t, TPM_CAP_TPM_PROPERTIES, TPM_PT_NV_BUFFER_MAX, 1, &more, &d) ==
            0 &&
        d.data.tpmProperties.count == 1 &&
        d.data.tpmProperties.tpmProperty[0].property == TPM_PT_NV_BUFFER_MAX &&
        d.data.tpmProperties.tpmProperty[0].value > 0)
        chunk = d.data.tpmProperties.tpmProperty[0].value;
    return chunk > MAX_NV_BUFFER_SIZE ? MAX_NV_BUFFER_SIZE : chunk;
}

/* -C (hierarchy or index) and -P for the read/write family. */
static int nv_auth_handle(cli_ctx *c, const char *hs, TPM_HANDLE idx, TPM_HANDLE *h)
{
    if (!hs) {
        *h = idx;
        return 0;
    }
    if (cli_parse_hierarchy(hs, h)) {
        cli_err(c, "bad authorization hierarchy \"%s\" (o, p or an NV index)", hs);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* --------------------------------------------------------------- nvdefine */

static const char nvdefine_usage[] =
    "Usage: qtpm nvdefine [INDEX] [-C o|p] [-s SIZE] [-a ATTRS] [-p AUTH] [-P AUTH]\n"
    "                     [-L POLICY] [-g HASH]\n"
    "TPM2_NV_DefineSpace (INDEX default: the first free 0x01000000+).\n"
    "  -C, --hierarchy H       o (default) or p\n"
    "  -s, --size N            data size (default 2048; 8 for counter, bits and PIN\n"
    "                          indices, the digest size for extend)\n"
    "  -a, --attributes A      e.g. ownerread|ownerwrite|authread|authwrite (default),\n"
    "                          nt=counter|bits|extend|pinfail|pinpass (or nt=N),\n"
    "                          policyread|policywrite ...\n"
    "  -p, --index-auth A      authValue of the index\n"
    "  -P, --hierarchy-auth A  authorization of the hierarchy\n"
    "  -L, --policy FILE       authPolicy digest\n"
    "  -g, --hash-algorithm H  name algorithm (sha256)\n";

static int cmd_nvdefine(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "size", required_argument, NULL, 's' },
        { "attributes", required_argument, NULL, 'a' },
        { "index-auth", required_argument, NULL, 'p' },
        { "hierarchy-auth", required_argument, NULL, 'P' },
        { "policy", required_argument, NULL, 'L' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        CLI_COMMON_LONGOPTS,
    };
    const char *attr_s = NULL, *ia_s = NULL, *ha_s = NULL, *pol_s = NULL;
    TPM_HANDLE hier = TPM_RH_OWNER;
    uint32_t size = 0;
    int size_given = 0;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "C:s:a:p:P:L:g:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C':
            if (cli_parse_hierarchy(optarg, &hier)) {
                cli_err(c, "bad hierarchy \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 's':
            if (cli_parse_u32(optarg, &size) || size > 0xFFFF) {
                cli_err(c, "bad size \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            size_given = 1;
            break;
        case 'a': attr_s = optarg; break;
        case 'p': ia_s = optarg; break;
        case 'P': ha_s = optarg; break;
        case 'L': pol_s = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        CLI_COMMON_CASES(c, ch, nvdefine_usage)
        }
    }
    TPM_HANDLE idx;
    if ((e = parse_index(c, argc, argv, &idx, 1)))
        return e;
    TPM2B_NV_PUBLIC pub;
    memset(&pub, 0, sizeof pub);
    TPMS_NV_PUBLIC *p = &pub.nvPublic;
    p->nameAlg = hash;
    p->attributes = hier == TPM_RH_PLATFORM
                        ? TPMA_NV_PPWRITE | TPMA_NV_PPREAD | TPMA_NV_PLATFORMCREATE
                        : TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD;
    p->attributes |= TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD;
    if (attr_s && cli_parse_nv_attrs(attr_s, &p->attributes)) {
        cli_err(c, "bad NV attributes \"%s\"", attr_s);
        return CLI_EXIT_USAGE;
    }
    unsigned nt = (p->attributes & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
    /* counter, bits, PIN fail/pass (TPMS_NV_PIN_COUNTER_PARAMETERS): 8
     * bytes; extend: the nameAlg digest (Part 3 §31.3, as tpm2_nvdefine) */
    if (nt == 1 || nt == 2 || nt == 4 || nt == 8 || nt == 9)
        size = nt == 4 ? qtpm_hash_digest_size(hash) : 8;
    else if (!size_given)
        size = 2048;
    p->dataSize = (UINT16)size;
    cli_auth ia, ha;
    if ((e = cli_parse_auth(c, ia_s, &ia)) || (e = cli_parse_auth(c, ha_s, &ha)))
        return e;
    if (pol_s && (e = cli_load_digest_file(c, pol_s, &p->authPolicy)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    if (!idx) {
        static TPMS_CAPABILITY_DATA d;
        TPMI_YES_NO more;
        int rc = qtpm_tss_GetCapability(t, TPM_CAP_HANDLES, 0x01000000U, 64, &more, &d);
        if (rc)
            return cli_fail(c, "GetCapability", rc);
        idx = 0x01000000U;
        for (UINT32 i = 0; i < d.data.handles.count; i++)
            if (d.data.handles.handle[i] == idx)
                idx++;
    }
    p->nvIndex = idx;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &ha);
    int rc = qtpm_tss_NV_DefineSpace(t, &as, hier, &ia.value, &pub);
    if (rc)
        return cli_fail(c, "NV_DefineSpace", rc);
    cli_out_handle(c, "nv-index", idx);
    return 0;
}

static const char nvundefine_usage[] =
    "Usage: qtpm nvundefine INDEX [-C o|p] [-P AUTH]\n"
    "TPM2_NV_UndefineSpace.\n";

static int cmd_nvundefine(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "auth", required_argument, NULL, 'P' },
        CLI_COMMON_LONGOPTS,
    };
    TPM_HANDLE hier = TPM_RH_OWNER;
    const char *a_s = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "C:P:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C':
            if (cli_parse_hierarchy(optarg, &hier)) {
                cli_err(c, "bad hierarchy \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'P': a_s = optarg; break;
        CLI_COMMON_CASES(c, ch, nvundefine_usage)
        }
    }
    TPM_HANDLE idx;
    cli_auth a;
    if ((e = parse_index(c, argc, argv, &idx, 0)) || (e = cli_parse_auth(c, a_s, &a)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    int rc = qtpm_tss_NV_UndefineSpace(t, &as, hier, idx);
    if (rc)
        return cli_fail(c, "NV_UndefineSpace", rc);
    cli_out_handle(c, "undefined", idx);
    return 0;
}

/* ---------------------------------------------------------------- nvwrite */

static const char nvwrite_usage[] =
    "Usage: qtpm nvwrite INDEX -i FILE [-C AUTHHANDLE] [-P AUTH] [--offset N]\n"
    "TPM2_NV_Write of FILE (\"-\" for stdin) at offset N.\n"
    "  -C, --hierarchy H   o, p or the index (default: the index)\n"
    "  -P, --auth A        its authorization\n"
    "  -i, --input FILE    the data\n"
    "      --offset N      starting offset (0)\n"
    "      --cphash FILE   do not write: save the command's cpHash (SHA-256, Part 1\n"
    "                      §18.7) as a TPM2B_DIGEST, as tpm2_nvwrite --cphash, for\n"
    "                      qtpm policycphash (one NV buffer of data at most)\n";

#define OPT_NV_CPHASH 0x2401

/* cpHash of NV_Write(ah, idx, data, offset) with SHA-256: H(TPM_CC_NV_Write
 * ‖ Name(ah) ‖ Name(idx) ‖ TPM2B data ‖ UINT16 offset), saved as a
 * marshalled TPM2B_DIGEST, the file tpm2-tools' --cphash writes. */
static int nvwrite_cphash(cli_ctx *c, qtpm_tss *t, TPM_HANDLE ah, TPM_HANDLE idx,
                          const TPM2B_MAX_NV_BUFFER *buf, UINT16 offset, const char *path)
{
    TPM2B_NAME names[2];
    int rc = qtpm_tss_get_name(t, ah, &names[0]);
    if (rc == 0)
        rc = qtpm_tss_get_name(t, idx, &names[1]);
    if (rc)
        return cli_fail(c, "NV_ReadPublic (the index's Name)", rc);
    uint8_t p[sizeof(TPM2B_MAX_NV_BUFFER) + 2];
    size_t o = 0;
    if (qtpm_TPM2B_MAX_NV_BUFFER_marshal(buf, p, sizeof p, &o) ||
        qtpm_UINT16_marshal(&offset, p, sizeof p, &o)) {
        cli_err(c, "cannot marshal the NV_Write parameters");
        return CLI_EXIT_USAGE;
    }
    TPM2B_DIGEST cp;
    if (qtpm_tss_cp_hash(TPM_ALG_SHA256, TPM_CC_NV_Write, names, 2, p, o, &cp)) {
        cli_err(c, "cannot compute the cpHash");
        return CLI_EXIT_GENERAL;
    }
    uint8_t out[2 + sizeof cp.buffer];
    o = 0;
    qtpm_TPM2B_DIGEST_marshal(&cp, out, sizeof out, &o);
    cli_out_hex(c, "cphash", cp.buffer, cp.size);
    return cli_write_file(c, path, out, o);
}

static int cmd_nvwrite(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "auth", required_argument, NULL, 'P' },
        { "input", required_argument, NULL, 'i' },
        { "offset", required_argument, NULL, 'O' },
        { "cphash", required_argument, NULL, OPT_NV_CPHASH },
        CLI_COMMON_LONGOPTS,
    };
    const char *h_s = NULL, *a_s = NULL, *in = NULL, *cp_s = NULL;
    uint32_t offset = 0;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "C:P:i:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': h_s = optarg; break;
        case 'P': a_s = optarg; break;
        case 'i': in = optarg; break;
        case 'O':
            if (cli_parse_u32(optarg, &offset) || offset > 0xFFFF) {
                cli_err(c, "bad offset \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case OPT_NV_CPHASH: cp_s = optarg; break;
        CLI_COMMON_CASES(c, ch, nvwrite_usage)
        }
    }
    TPM_HANDLE idx, ah;
    cli_auth a;
    if ((e = parse_index(c, argc, argv, &idx, 0)) || (e = nv_auth_handle(c, h_s, idx, &ah)) ||
        (e = cli_parse_auth(c, a_s, &a)))
        return e;
    if (!in) {
        cli_err(c, "-i FILE is required");
        return CLI_EXIT_USAGE;
    }
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, in, &d, &n)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t))) {
        free(d);
        return e;
    }
    size_t chunk = nv_chunk(t);
    if (cp_s) {
        if (n > chunk) {
            free(d);
            cli_err(c, "--cphash: %zu bytes need more than one NV_Write (at most %zu)", n, chunk);
            return CLI_EXIT_USAGE;
        }
        TPM2B_MAX_NV_BUFFER buf;
        memcpy(buf.buffer, d, n);
        buf.size = (UINT16)n;
        free(d);
        return nvwrite_cphash(c, t, ah, idx, &buf, (UINT16)offset, cp_s);
    }
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    for (size_t done = 0; done < n || (n == 0 && done == 0);) {
        TPM2B_MAX_NV_BUFFER buf;
        size_t k = n - done > chunk ? chunk : n - done;
        memcpy(buf.buffer, d + done, k);
        buf.size = (UINT16)k;
        int rc = qtpm_tss_NV_Write(t, &as, ah, idx, &buf, (UINT16)(offset + done));
        if (rc) {
            free(d);
            return cli_fail(c, "NV_Write", rc);
        }
        done += k;
        if (n == 0)
            break;
    }
    free(d);
    cli_out_int(c, "written", n);
    return 0;
}

/* ----------------------------------------------------------------- nvread */

static const char nvread_usage[] =
    "Usage: qtpm nvread INDEX [-C AUTHHANDLE] [-P AUTH] [-s SIZE] [--offset N] [-o FILE]\n"
    "TPM2_NV_Read (default: the whole index from the offset to the end).\n"
    "  -C, --hierarchy H   o, p or the index (default: the index)\n"
    "  -P, --auth A        its authorization\n"
    "  -s, --size N        bytes to read\n"
    "      --offset N      starting offset (0)\n"
    "  -o, --output FILE   write the data (default: stdout; hex with --json)\n";

static int cmd_nvread(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "auth", required_argument, NULL, 'P' },
        { "size", required_argument, NULL, 's' },
        { "offset", required_argument, NULL, 'O' },
        { "output", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *h_s = NULL, *a_s = NULL, *out = NULL;
    uint32_t offset = 0, size = 0;
    int ch, e, size_given = 0;
    while ((ch = getopt_long(argc, argv, "C:P:s:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': h_s = optarg; break;
        case 'P': a_s = optarg; break;
        case 's':
            if (cli_parse_u32(optarg, &size) || size > 0xFFFF) {
                cli_err(c, "bad size \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            size_given = 1;
            break;
        case 'O':
            if (cli_parse_u32(optarg, &offset) || offset > 0xFFFF) {
                cli_err(c, "bad offset \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'o': out = optarg; break;
        CLI_COMMON_CASES(c, ch, nvread_usage)
        }
    }
    TPM_HANDLE idx, ah;
    cli_auth a;
    if ((e = parse_index(c, argc, argv, &idx, 0)) || (e = nv_auth_handle(c, h_s, idx, &ah)) ||
        (e = cli_parse_auth(c, a_s, &a)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    TPM2B_NV_PUBLIC pub;
    int rc = qtpm_tss_NV_ReadPublic(t, NULL, idx, &pub, NULL);
    if (rc)
        return cli_fail(c, "NV_ReadPublic", rc);
    if (offset > pub.nvPublic.dataSize) {
        cli_err(c, "offset %u beyond the index size %u", offset, pub.nvPublic.dataSize);
        return CLI_EXIT_USAGE;
    }
    if (!size_given)
        size = pub.nvPublic.dataSize - offset;
    uint8_t *d = malloc(size ? size : 1);
    if (!d)
        return CLI_EXIT_USAGE;
    size_t chunk = nv_chunk(t);
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    for (size_t done = 0; done < size;) {
        TPM2B_MAX_NV_BUFFER buf;
        size_t k = size - done > chunk ? chunk : size - done;
        rc = qtpm_tss_NV_Read(t, &as, ah, idx, (UINT16)k, (UINT16)(offset + done), &buf);
        if (rc) {
            free(d);
            return cli_fail(c, "NV_Read", rc);
        }
        if (buf.size != k) {
            free(d);
            cli_err(c, "the TPM returned %u bytes instead of %zu", buf.size, k);
            return CLI_EXIT_TPM;
        }
        memcpy(d + done, buf.buffer, k);
        done += k;
    }
    if (out)
        e = cli_write_file(c, out, d, size);
    else if (c->json)
        cli_out_hex(c, "data", d, size);
    else
        e = cli_write_file(c, "-", d, size);
    free(d);
    return e;
}

/* ----------------------------------------------------------- nvreadpublic */

static const char nvreadpublic_usage[] =
    "Usage: qtpm nvreadpublic [INDEX]\n"
    "TPM2_NV_ReadPublic of INDEX, or of every defined index.\n";

static int show_index(cli_ctx *c, qtpm_tss *t, TPM_HANDLE idx)
{
    TPM2B_NV_PUBLIC pub;
    TPM2B_NAME name;
    int rc = qtpm_tss_NV_ReadPublic(t, NULL, idx, &pub, &name);
    if (rc)
        return cli_fail(c, "NV_ReadPublic", rc);
    char key[16];
    snprintf(key, sizeof key, "0x%08x", idx);
    cli_out_begin(c, key);
    cli_out_hex(c, "name", name.buffer, name.size);
    cli_out_str(c, "hash-algorithm", cli_hash_name(pub.nvPublic.nameAlg));
    cli_out_handle(c, "attributes", pub.nvPublic.attributes);
    cli_out_int(c, "size", pub.nvPublic.dataSize);
    if (pub.nvPublic.authPolicy.size)
        cli_out_hex(c, "authorization-policy", pub.nvPublic.authPolicy.buffer,
                    pub.nvPublic.authPolicy.size);
    cli_out_end(c);
    return 0;
}

static int cmd_nvreadpublic(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = { CLI_COMMON_LONGOPTS };
    int ch, e;
    while ((ch = getopt_long(argc, argv, "T:h", opts, NULL)) != -1) {
        switch (ch) {
        CLI_COMMON_CASES(c, ch, nvreadpublic_usage)
        }
    }
    TPM_HANDLE idx;
    if ((e = parse_index(c, argc, argv, &idx, 1)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    if (idx)
        return show_index(c, t, idx);
    static TPMS_CAPABILITY_DATA d;
    TPMI_YES_NO more;
    int rc = qtpm_tss_GetCapability(t, TPM_CAP_HANDLES, 0x01000000U, 64, &more, &d);
    if (rc)
        return cli_fail(c, "GetCapability", rc);
    for (UINT32 i = 0; i < d.data.handles.count; i++)
        if ((d.data.handles.handle[i] >> 24) == TPM_HT_NV_INDEX &&
            (e = show_index(c, t, d.data.handles.handle[i])))
            return e;
    return 0;
}

/* ------------------------------------------------------------ nvincrement */

static const char nvincrement_usage[] =
    "Usage: qtpm nvincrement INDEX [-C AUTHHANDLE] [-P AUTH]\n"
    "TPM2_NV_Increment of a counter index (defined with -a ...|nt=counter).\n";

static int cmd_nvincrement(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "auth", required_argument, NULL, 'P' },
        CLI_COMMON_LONGOPTS,
    };
    const char *h_s = NULL, *a_s = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "C:P:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': h_s = optarg; break;
        case 'P': a_s = optarg; break;
        CLI_COMMON_CASES(c, ch, nvincrement_usage)
        }
    }
    TPM_HANDLE idx, ah;
    cli_auth a;
    if ((e = parse_index(c, argc, argv, &idx, 0)) || (e = nv_auth_handle(c, h_s, idx, &ah)) ||
        (e = cli_parse_auth(c, a_s, &a)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    int rc = qtpm_tss_NV_Increment(t, &as, ah, idx);
    if (rc)
        return cli_fail(c, "NV_Increment", rc);
    cli_out_handle(c, "incremented", idx);
    return 0;
}

/* ------------------------------------------------- nvsetbits, nvextend */

/* Runs an NV command with handles (authHandle, nvIndex) and a marshalled
 * parameter area (Part 3 §31.8 NV_SetBits, §31.9 NV_Extend). */
static int nv_write_cmd(cli_ctx *c, TPM_CC cc, const char *what, TPM_HANDLE ah, TPM_HANDLE idx,
                        cli_auth *a, const uint8_t *params, size_t params_len)
{
    qtpm_tss *t;
    int e = cli_tpm(c, &t);
    if (e)
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, a);
    qtpm_tss_command cmd = { .cc = cc, .n_handles = 2, .handles = { ah, idx }, .n_auth = 1,
                             .auths = &as, .params = params, .params_len = params_len };
    qtpm_tss_response rsp;
    int rc = qtpm_tss_execute(t, &cmd, &rsp);
    if (rc)
        return cli_fail(c, what, rc);
    return 0;
}

/* The arguments nvsetbits and nvextend share: INDEX, -C AUTHHANDLE, -P AUTH (not yet
 * parsed: *a_s) and -i (*i_s; long name ilong); *idx and *ah are the index and the
 * handle that authorizes the write. */
static int nv_bits_extend_args(cli_ctx *c, int argc, char **argv, const char *ilong,
                               const char *usage, TPM_HANDLE *idx, TPM_HANDLE *ah,
                               const char **a_s, const char **i_s)
{
    const struct option opts[] = {
        { "hierarchy", required_argument, NULL, 'C' },
        { "auth", required_argument, NULL, 'P' },
        { ilong, required_argument, NULL, 'i' },
        CLI_COMMON_LONGOPTS,
    };
    const char *h_s = NULL;
    int ch, e;
    *a_s = NULL;
    *i_s = NULL;
    while ((ch = getopt_long(argc, argv, "C:P:i:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': h_s = optarg; break;
        case 'P': *a_s = optarg; break;
        case 'i': *i_s = optarg; break;
        CLI_COMMON_CASES(c, ch, usage)
        }
    }
    if ((e = parse_index(c, argc, argv, idx, 0)) || (e = nv_auth_handle(c, h_s, *idx, ah)))
        return e;
    return 0;
}

static const char nvsetbits_usage[] =
    "Usage: qtpm nvsetbits INDEX -i BITS [-C AUTHHANDLE] [-P AUTH]\n"
    "TPM2_NV_SetBits: ORs the 64-bit BITS into a bit-field index (nt=bits),\n"
    "as tpm2_nvsetbits.\n";

static int cmd_nvsetbits(cli_ctx *c, int argc, char **argv)
{
    const char *a_s, *bits_s;
    TPM_HANDLE idx, ah;
    cli_auth a;
    int e = nv_bits_extend_args(c, argc, argv, "bits", nvsetbits_usage, &idx, &ah, &a_s,
                                &bits_s);
    if (e)
        return e;
    char *end = NULL;
    unsigned long long bits = bits_s ? strtoull(bits_s, &end, 0) : 0;
    if (!bits_s || !*bits_s || *end || bits_s[0] == '-') {
        cli_err(c, "-i BITS (a 64-bit number) is required");
        return CLI_EXIT_USAGE;
    }
    if ((e = cli_parse_auth(c, a_s, &a)))
        return e;
    uint8_t p[8];
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(bits >> (56 - 8 * i));
    if ((e = nv_write_cmd(c, TPM_CC_NV_SetBits, "NV_SetBits", ah, idx, &a, p, sizeof p)))
        return e;
    cli_out_handle(c, "setbits", idx);
    return 0;
}

static const char nvextend_usage[] =
    "Usage: qtpm nvextend INDEX -i FILE [-C AUTHHANDLE] [-P AUTH]\n"
    "TPM2_NV_Extend: extends an extend index (nt=extend) with FILE's bytes\n"
    "(- for stdin; at most TPM_PT_NV_BUFFER_MAX bytes), as tpm2_nvextend.\n";

static int cmd_nvextend(cli_ctx *c, int argc, char **argv)
{
    const char *a_s, *in;
    TPM_HANDLE idx, ah;
    cli_auth a;
    int e = nv_bits_extend_args(c, argc, argv, "input", nvextend_usage, &idx, &ah, &a_s, &in);
    if (e)
        return e;
    if (!in) {
        cli_err(c, "-i FILE is required");
        return CLI_EXIT_USAGE;
    }
    if ((e = cli_parse_auth(c, a_s, &a)))
        return e;
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, in, &d, &n)))
        return e;
    if (n > MAX_NV_BUFFER_SIZE) {
        free(d);
        cli_err(c, "%s: %zu bytes, more than a TPM2B_MAX_NV_BUFFER (%d)", in, n, MAX_NV_BUFFER_SIZE);
        return CLI_EXIT_USAGE;
    }
    uint8_t *p = malloc(n + 2);
    if (p == NULL) {
        free(d);
        cli_err(c, "out of memory");
        return CLI_EXIT_USAGE;
    }
    p[0] = (uint8_t)(n >> 8);
    p[1] = (uint8_t)n;
    memcpy(p + 2, d, n);
    free(d);
    e = nv_write_cmd(c, TPM_CC_NV_Extend, "NV_Extend", ah, idx, &a, p, n + 2);
    free(p);
    if (e)
        return e;
    cli_out_handle(c, "extended", idx);
    return 0;
}

const cli_command cli_cmds_nv[] = {
    { "nvdefine", cmd_nvdefine, "define an NV index", nvdefine_usage },
    { "nvundefine", cmd_nvundefine, "remove an NV index", nvundefine_usage },
    { "nvwrite", cmd_nvwrite, "write an NV index", nvwrite_usage },
    { "nvread", cmd_nvread, "read an NV index", nvread_usage },
    { "nvreadpublic", cmd_nvreadpublic, "show NV indices' public areas", nvreadpublic_usage },
    { "nvincrement", cmd_nvincrement, "increment an NV counter", nvincrement_usage },
    { "nvsetbits", cmd_nvsetbits, "set bits of an NV bit-field index", nvsetbits_usage },
    { "nvextend", cmd_nvextend, "extend an NV extend index", nvextend_usage },
    { NULL, NULL, NULL, NULL },
};
