/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_session.c — sessions and policies in qtpm: startauthsession and the
 * policy commands policypcr, policysecret, policyor, policyauthorize,
 * policypassword, policyauthvalue, policycommandcode, policynv,
 * policycountertimer and policycphash (TPM 2.0 Part 3 §11.1, §23), optioned like their tpm2-tools counterparts. Each policy
 * subcommand loads the session from its file (-S), runs the assertion,
 * optionally writes the session's new policyDigest (-L, from
 * TPM2_PolicyGetDigest) and saves the session back to the file.
 *
 * The usual flow, as with tpm2-tools:
 *   qtpm startauthsession -S s.ctx                 (trial: compute a digest)
 *   qtpm policypcr -S s.ctx -l sha256:0 -L pol.dat
 *   qtpm flushcontext s.ctx
 *   qtpm create -C prim.ctx -i secret -L pol.dat -u k.pub -r k.priv
 *   qtpm startauthsession --policy-session -S s.ctx
 *   qtpm policypcr -S s.ctx -l sha256:0
 *   qtpm unseal -c k.ctx -p session:s.ctx
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"

/* Writes / prints the session's policyDigest. */
static int policy_digest_out(cli_ctx *c, qtpm_tss *t, qtpm_tss_session *s, const char *out)
{
    TPM2B_DIGEST d;
    int rc = qtpm_tss_PolicyGetDigest(t, NULL, s, &d);
    if (rc)
        return cli_fail(c, "PolicyGetDigest", rc);
    cli_out_hex(c, "policy-digest", d.buffer, d.size);
    if (out)
        return cli_write_file(c, out, d.buffer, d.size);
    return 0;
}

/* Common: -S session file and -L output, plus a subcommand's own options. */
static int open_session(cli_ctx *c, const char *path, qtpm_tss **t, qtpm_tss_session **s)
{
    if (!path) {
        cli_err(c, "-S SESSIONFILE is required");
        return CLI_EXIT_USAGE;
    }
    int e = cli_tpm(c, t);
    if (e)
        return e;
    return cli_session_load(c, path, s);
}

/* ------------------------------------------------------- startauthsession */

static const char startauthsession_usage[] =
    "Usage: qtpm startauthsession -S FILE [--policy-session|--hmac-session] [-g HASH]\n"
    "                             [-c KEY] [--bind-context E [--bind-auth AUTH]]\n"
    "TPM2_StartAuthSession; the session is saved to FILE (qtpm's session format),\n"
    "to be used with -S by the policy subcommands and with -p session:FILE.\n"
    "Policy and HMAC sessions are started with AES-128-CFB for parameter\n"
    "encryption, switched on with qtpm sessionconfig.\n"
    "  -S, --session FILE     where to save it\n"
    "      --policy-session   a policy session (default: a trial session)\n"
    "      --hmac-session     an HMAC session\n"
    "  -g, --hash-algorithm H session hash (sha256)\n"
    "  -c, --key-context KEY  salt the session: a salt sent to this loaded key\n"
    "                         (RSA-OAEP, ECDH or ML-KEM, per its type)\n"
    "      --bind-context E   bind the session to E (o|e|p|l, an object or NV index)\n"
    "      --bind-auth AUTH   the authValue of E\n";

static int cmd_startauthsession(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "policy-session", no_argument, NULL, 'P' },
        { "hmac-session", no_argument, NULL, 'M' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "key-context", required_argument, NULL, 'c' },
        { "bind-context", required_argument, NULL, 'B' },
        { "bind-auth", required_argument, NULL, 'A' },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *key_s = NULL, *bind_s = NULL, *bind_auth_s = NULL;
    TPM_SE type = TPM_SE_TRIAL;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:g:c:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': path = optarg; break;
        case 'P': type = TPM_SE_POLICY; break;
        case 'M': type = TPM_SE_HMAC; break;
        case 'c': key_s = optarg; break;
        case 'B': bind_s = optarg; break;
        case 'A': bind_auth_s = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        CLI_COMMON_CASES(c, ch, startauthsession_usage)
        }
    }
    if (!path) {
        cli_err(c, "-S FILE is required");
        return CLI_EXIT_USAGE;
    }
    if (bind_auth_s && !bind_s) {
        cli_err(c, "--bind-auth needs --bind-context");
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    qtpm_tss_session *s;
    TPM_HANDLE salt_key = TPM_RH_NULL, bind = TPM_RH_NULL;
    TPM2B_PUBLIC salt_pub;
    cli_auth bind_auth;
    memset(&salt_pub, 0, sizeof salt_pub);
    if ((e = cli_tpm(c, &t)) || (e = cli_parse_auth(c, bind_auth_s, &bind_auth)))
        return e;
    if (bind_auth.session) {
        cli_err(c, "--bind-auth is a value, not a session");
        return CLI_EXIT_USAGE;
    }
    /* tpmKey (Part 3 §11.1): its public area says how the salt is sent */
    if (key_s && (e = cli_load_object(c, key_s, &salt_key, &salt_pub)))
        return e;
    /* bind may be any entity with an authValue: a hierarchy, an object or
     * an NV index (given as its handle) */
    if (bind_s && (e = cli_load_parent(c, bind_s, &bind)))
        return e;
    if ((e = cli_session_create(c, path, &s)))
        return e;
    /* like tpm2-tools, every non-trial session carries AES-128-CFB so that
     * sessionconfig can switch parameter encryption on later (the symmetric
     * algorithm is fixed when the session starts, Part 3 §11.1) */
    int rc = qtpm_tss_start_session(t, type, hash,
                                    type == TPM_SE_TRIAL ? NULL : &qtpm_tss_aes128_cfb,
                                    salt_key, key_s ? &salt_pub.publicArea : NULL, bind,
                                    bind_s ? &bind_auth.value : NULL, s);
    qtpm_memzero(&bind_auth, sizeof bind_auth);
    if (rc)
        return cli_fail(c, "StartAuthSession", rc);
    cli_session_mark_loaded(c, s);
    cli_out_handle(c, "session-handle", s->handle);
    cli_out_str(c, "type", type == TPM_SE_TRIAL ? "trial" : type == TPM_SE_POLICY ? "policy"
                                                                                : "hmac");
    if (key_s)
        cli_out_str(c, "salted", "yes");
    if (bind_s)
        cli_out_str(c, "bound", "yes");
    return 0;
}

/* ---------------------------------------------------------- sessionconfig */

static const char sessionconfig_usage[] =
    "Usage: qtpm sessionconfig [--enable-|--disable-{encrypt,decrypt,continuesession}] FILE\n"
    "Sets the attributes a session (qtpm's session FILE) is used with, like\n"
    "tpm2_sessionconfig; with no option prints them. decrypt: the TPM decrypts the\n"
    "command's first parameter; encrypt: it encrypts the response's first\n"
    "parameter (AES-128-CFB, TPM 2.0 Part 1 §21), when that parameter is a sized\n"
    "buffer — a command without one is refused with TPM_RC_ATTRIBUTES.\n"
    "Needs a policy or HMAC session started by qtpm startauthsession.\n";

static int cmd_sessionconfig(cli_ctx *c, int argc, char **argv)
{
    enum { EN_ENC = 1, DIS_ENC, EN_DEC, DIS_DEC, EN_CONT, DIS_CONT };
    static const struct option opts[] = {
        { "enable-encrypt", no_argument, NULL, EN_ENC },
        { "disable-encrypt", no_argument, NULL, DIS_ENC },
        { "enable-decrypt", no_argument, NULL, EN_DEC },
        { "disable-decrypt", no_argument, NULL, DIS_DEC },
        { "enable-continuesession", no_argument, NULL, EN_CONT },
        { "disable-continuesession", no_argument, NULL, DIS_CONT },
        CLI_COMMON_LONGOPTS,
    };
    TPMA_SESSION set = 0, clear = 0;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "T:h", opts, NULL)) != -1) {
        switch (ch) {
        case EN_ENC: set |= TPMA_SESSION_ENCRYPT; break;
        case DIS_ENC: clear |= TPMA_SESSION_ENCRYPT; break;
        case EN_DEC: set |= TPMA_SESSION_DECRYPT; break;
        case DIS_DEC: clear |= TPMA_SESSION_DECRYPT; break;
        case EN_CONT: set |= TPMA_SESSION_CONTINUESESSION; break;
        case DIS_CONT: clear |= TPMA_SESSION_CONTINUESESSION; break;
        CLI_COMMON_CASES(c, ch, sessionconfig_usage)
        }
    }
    if (optind + 1 != argc) {
        cli_err(c, "one session file expected");
        return CLI_EXIT_USAGE;
    }
    if (set & clear) {
        cli_err(c, "an attribute both enabled and disabled");
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = open_session(c, argv[optind], &t, &s)))
        return e;
    if ((set & (TPMA_SESSION_ENCRYPT | TPMA_SESSION_DECRYPT)) &&
        (s->type == TPM_SE_TRIAL || s->symmetric.algorithm == TPM_ALG_NULL)) {
        cli_err(c, "%s has no symmetric algorithm for parameter encryption (a trial session, "
                   "or one started without it)", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    s->attributes = (TPMA_SESSION)((s->attributes | set) & ~clear);
    cli_out_str(c, "continuesession",
                (s->attributes & TPMA_SESSION_CONTINUESESSION) ? "set" : "clear");
    cli_out_str(c, "decrypt", (s->attributes & TPMA_SESSION_DECRYPT) ? "set" : "clear");
    cli_out_str(c, "encrypt", (s->attributes & TPMA_SESSION_ENCRYPT) ? "set" : "clear");
    return 0;
}

/* -------------------------------------------------------------- policypcr */

static const char policypcr_usage[] =
    "Usage: qtpm policypcr -S SESSION -l PCRS [-f PCRFILE] [-L POLICY]\n"
    "TPM2_PolicyPCR: binds the policy to PCR values — the current ones, or those in\n"
    "PCRFILE (concatenated, as qtpm pcrread -o writes them).\n"
    "  -S, --session FILE   -l, --pcr-list L   -f, --pcr FILE   -L, --policy FILE\n";

static int cmd_policypcr(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "pcr-list", required_argument, NULL, 'l' },
        { "pcr", required_argument, NULL, 'f' },
        { "policy", required_argument, NULL, 'L' },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *pcr_s = NULL, *file = NULL, *out = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:l:f:L:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': path = optarg; break;
        case 'l': pcr_s = optarg; break;
        case 'f': file = optarg; break;
        case 'L': out = optarg; break;
        CLI_COMMON_CASES(c, ch, policypcr_usage)
        }
    }
    TPML_PCR_SELECTION sel;
    if (!pcr_s || cli_parse_pcr_list(pcr_s, &sel)) {
        cli_err(c, "-l PCRS is required (e.g. sha256:0,1)");
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = open_session(c, path, &t, &s)))
        return e;
    TPM2B_DIGEST dig, *pd = NULL;
    if (file) {
        uint8_t *d;
        size_t n, want = 0;
        for (UINT32 b = 0; b < sel.count; b++) {
            TPML_PCR_SELECTION one = { 1, { sel.pcrSelections[b] } };
            want += cli_pcr_count(&one) * qtpm_hash_digest_size(one.pcrSelections[0].hash);
        }
        if ((e = cli_read_file(c, file, &d, &n)))
            return e;
        if (n != want) {
            free(d);
            cli_err(c, "%s holds %zu bytes; the selection needs %zu", file, n, want);
            return CLI_EXIT_FILE;
        }
        /* pcrDigest is hashed with the session's hash (Part 3 §23.7) */
        e = cli_digest(s->hash, d, n, &dig);
        free(d);
        if (e) {
            cli_err(c, "cannot hash the PCR values");
            return CLI_EXIT_FILE;
        }
        pd = &dig;
    }
    int rc = qtpm_tss_PolicyPCR(t, NULL, s, pd, &sel);
    if (rc)
        return cli_fail(c, "PolicyPCR", rc);
    return policy_digest_out(c, t, s, out);
}

/* ----------------------------------------------------------- policysecret */

static const char policysecret_usage[] =
    "Usage: qtpm policysecret -S SESSION -c ENTITY [-L POLICY] [AUTH]\n"
    "TPM2_PolicySecret: proves knowledge of ENTITY's authValue (a hierarchy o|e|p|l,\n"
    "an object, or an NV index); AUTH is that authorization.\n"
    "  -S, --session FILE  -c, --object-context E  -L, --policy FILE\n";

static int cmd_policysecret(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "object-context", required_argument, NULL, 'c' },
        { "policy", required_argument, NULL, 'L' },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *ent = NULL, *out = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:c:L:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': path = optarg; break;
        case 'c': ent = optarg; break;
        case 'L': out = optarg; break;
        CLI_COMMON_CASES(c, ch, policysecret_usage)
        }
    }
    if (!ent || optind + 1 < argc) {
        cli_err(c, "-c ENTITY and at most one AUTH expected");
        return CLI_EXIT_USAGE;
    }
    cli_auth a;
    TPM_HANDLE h;
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = cli_parse_auth(c, optind < argc ? argv[optind] : NULL, &a)) ||
        (e = cli_load_parent(c, ent, &h)) || (e = open_session(c, path, &t, &s)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    int rc = qtpm_tss_PolicySecret(t, &as, h, s, NULL, NULL, NULL, 0, NULL, NULL);
    if (rc)
        return cli_fail(c, "PolicySecret", rc);
    return policy_digest_out(c, t, s, out);
}

/* --------------------------------------------------------------- policyor */

static const char policyor_usage[] =
    "Usage: qtpm policyor -S SESSION [-L POLICY] [-l] HASH:FILE1,FILE2[,...]\n"
    "TPM2_PolicyOR of 2..8 branch policy digests (files), e.g. sha256:a.pol,b.pol.\n";

static int cmd_policyor(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "policy", required_argument, NULL, 'L' },
        { "policy-list", required_argument, NULL, 'l' },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *out = NULL, *list = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:L:l:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': path = optarg; break;
        case 'L': out = optarg; break;
        case 'l': list = optarg; break;
        CLI_COMMON_CASES(c, ch, policyor_usage)
        }
    }
    if (!list && optind < argc)
        list = argv[optind];
    if (!list) {
        cli_err(c, "a HASH:FILE1,FILE2 list is required");
        return CLI_EXIT_USAGE;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", list);
    char *files = strchr(tmp, ':');
    if (files)
        *files++ = 0;
    TPMI_ALG_HASH hash;
    if (!files || cli_parse_hash(tmp, &hash)) {
        files = tmp; /* no "hash:" prefix: sha256 */
        hash = TPM_ALG_SHA256;
    }
    TPML_DIGEST dl;
    memset(&dl, 0, sizeof dl);
    for (char *f = strtok(files, ","); f; f = strtok(NULL, ",")) {
        if (dl.count >= 8) {
            cli_err(c, "at most 8 branches");
            return CLI_EXIT_USAGE;
        }
        if ((e = cli_load_digest_file(c, f, &dl.digests[dl.count])))
            return e;
        if (dl.digests[dl.count].size != qtpm_hash_digest_size(hash)) {
            cli_err(c, "%s is not a %s digest", f, cli_hash_name(hash));
            return CLI_EXIT_FILE;
        }
        dl.count++;
    }
    if (dl.count < 2) {
        cli_err(c, "PolicyOR needs at least 2 branches");
        return CLI_EXIT_USAGE;
    }
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = open_session(c, path, &t, &s)))
        return e;
    int rc = qtpm_tss_PolicyOR(t, NULL, s, &dl);
    if (rc)
        return cli_fail(c, "PolicyOR", rc);
    return policy_digest_out(c, t, s, out);
}

/* -------------------------------------------------------- policyauthorize */

static const char policyauthorize_usage[] =
    "Usage: qtpm policyauthorize -S SESSION -i POLICY -n KEYNAME [-q REF] [-t TICKET]\n"
    "                            [-L POLICY]\n"
    "TPM2_PolicyAuthorize: replaces the session's digest (which must equal the approved\n"
    "POLICY) by the authorized-policy digest of the key named KEYNAME.\n"
    "  -i, --input FILE        the approved policy digest\n"
    "  -q, --qualification F   policyRef file (optional)\n"
    "  -n, --name FILE         Name of the key that signed the policy\n"
    "  -t, --ticket FILE       TPMT_TK_VERIFIED (qtpm verifysignature -t); omitted in a\n"
    "                          trial session\n";

static int cmd_policyauthorize(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "policy", required_argument, NULL, 'L' },
        { "input", required_argument, NULL, 'i' },
        { "qualification", required_argument, NULL, 'q' },
        { "name", required_argument, NULL, 'n' },
        { "ticket", required_argument, NULL, 't' },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *out = NULL, *in = NULL, *ref_s = NULL, *name_s = NULL,
               *tk_s = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:L:i:q:n:t:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': path = optarg; break;
        case 'L': out = optarg; break;
        case 'i': in = optarg; break;
        case 'q': ref_s = optarg; break;
        case 'n': name_s = optarg; break;
        case 't': tk_s = optarg; break;
        CLI_COMMON_CASES(c, ch, policyauthorize_usage)
        }
    }
    if (!in || !name_s) {
        cli_err(c, "-i POLICY and -n KEYNAME are required");
        return CLI_EXIT_USAGE;
    }
    TPM2B_DIGEST approved, ref = { 0 };
    TPM2B_NAME name;
    uint8_t *d;
    size_t n;
    if ((e = cli_load_digest_file(c, in, &approved)) ||
        (ref_s && (e = cli_load_digest_file(c, ref_s, &ref))))
        return e;
    if ((e = cli_read_file(c, name_s, &d, &n)))
        return e;
    if (n < 2 || n > sizeof name.buffer) {
        free(d);
        cli_err(c, "%s is not a Name", name_s);
        return CLI_EXIT_FILE;
    }
    memcpy(name.buffer, d, n);
    name.size = (UINT16)n;
    free(d);
    /* Without -t: the NULL ticket a trial session accepts (Part 3 §23.16) */
    TPMT_TK_VERIFIED tk, *tkp = &tk;
    memset(&tk, 0, sizeof tk);
    tk.tag = TPM_ST_VERIFIED;
    tk.hierarchy = TPM_RH_NULL;
    if (tk_s) {
        size_t off = 0;
        if ((e = cli_read_file(c, tk_s, &d, &n)))
            return e;
        TPM_RC mr = qtpm_TPMT_TK_VERIFIED_unmarshal(&tk, d, n, &off);
        free(d);
        if (mr || off != n) {
            cli_err(c, "%s is not a TPMT_TK_VERIFIED file: %s", tk_s,
                    cli_marshal_text(mr ? mr : TPM_RC_SIZE));
            return CLI_EXIT_FILE;
        }
        tkp = &tk;
    }
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = open_session(c, path, &t, &s)))
        return e;
    int rc = qtpm_tss_PolicyAuthorize(t, NULL, s, &approved, &ref, &name, tkp);
    if (rc)
        return cli_fail(c, "PolicyAuthorize", rc);
    return policy_digest_out(c, t, s, out);
}

/* ------------------------------------- policypassword / authvalue / cc */

static const char policypassword_usage[] =
    "Usage: qtpm policypassword -S SESSION [-L POLICY]\n"
    "TPM2_PolicyPassword: the object's authValue then goes with the policy session in\n"
    "clear; give it as -p session:FILE+str:PASSWORD.\n";

static int simple_policy(cli_ctx *c, int argc, char **argv, const char *usage, int which)
{
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "policy", required_argument, NULL, 'L' },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *out = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:L:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': path = optarg; break;
        case 'L': out = optarg; break;
        CLI_COMMON_CASES(c, ch, usage)
        }
    }
    uint32_t cc = 0;
    if (which == 2) {
        if (optind + 1 != argc || cli_parse_u32(argv[optind], &cc)) {
            cli_err(c, "one command code expected (e.g. 0x15e for Unseal)");
            return CLI_EXIT_USAGE;
        }
    }
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = open_session(c, path, &t, &s)))
        return e;
    int rc = which == 0   ? qtpm_tss_PolicyPassword(t, NULL, s)
             : which == 1 ? qtpm_tss_PolicyAuthValue(t, NULL, s)
                          : qtpm_tss_PolicyCommandCode(t, NULL, s, cc);
    if (rc)
        return cli_fail(c, which == 0 ? "PolicyPassword" : which == 1 ? "PolicyAuthValue"
                                                                      : "PolicyCommandCode",
                        rc);
    return policy_digest_out(c, t, s, out);
}

static int cmd_policypassword(cli_ctx *c, int argc, char **argv)
{
    return simple_policy(c, argc, argv, policypassword_usage, 0);
}

static const char policyauthvalue_usage[] =
    "Usage: qtpm policyauthvalue -S SESSION [-L POLICY]\n"
    "TPM2_PolicyAuthValue: the object's authValue then keys the session's HMAC; give it\n"
    "as -p session:FILE+str:PASSWORD.\n";

static int cmd_policyauthvalue(cli_ctx *c, int argc, char **argv)
{
    return simple_policy(c, argc, argv, policyauthvalue_usage, 1);
}

static const char policycommandcode_usage[] =
    "Usage: qtpm policycommandcode -S SESSION [-L POLICY] CODE\n"
    "TPM2_PolicyCommandCode, e.g. CODE 0x15e (TPM2_Unseal).\n";

static int cmd_policycommandcode(cli_ctx *c, int argc, char **argv)
{
    return simple_policy(c, argc, argv, policycommandcode_usage, 2);
}

/* ------------------------------------- policynv, policycountertimer (§23.9, §23.10) */

/* The comparison operators of TPM_EO (Part 2 §6.8) by tpm2-tools' names. */
static const char *const eo_names[] = { "eq", "neq", "sgt", "ugt", "slt", "ult",
                                        "sge", "uge", "sle", "ule", "bs", "bc" };

static int parse_eo(const char *s, TPM_EO *eo)
{
    for (size_t i = 0; i < sizeof eo_names / sizeof eo_names[0]; i++)
        if (!strcasecmp(s, eo_names[i])) {
            *eo = (TPM_EO)i;
            return 0;
        }
    return -1;
}

static const char policynv_usage[] =
    "Usage: qtpm policynv -S SESSION [-C AUTH_ENTITY] [-P AUTH] -i FILE [--offset N]\n"
    "                     [-L POLICY] NV_INDEX OPERATOR\n"
    "TPM2_PolicyNV: the policy holds when the NV index's contents at --offset compare\n"
    "to the operand (-i FILE, \"-\" stdin) as OPERATOR says: eq neq sgt ugt slt ult sge\n"
    "uge sle ule (signed/unsigned, big-endian) bs (all operand bits set) bc (all\n"
    "clear). NV_INDEX is a handle or an offset into the NV range (1 = 0x01000001).\n"
    "In a trial session only the digest is extended.\n"
    "  -C, --hierarchy E   who authorizes the read: o, p or the index (default)\n"
    "  -P, --auth AUTH     its authorization\n";

#define OPT_OFFSET 0x2101

static int cmd_policynv(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "hierarchy", required_argument, NULL, 'C' },
        { "auth", required_argument, NULL, 'P' },
        { "input", required_argument, NULL, 'i' },
        { "offset", required_argument, NULL, OPT_OFFSET },
        { "policy", required_argument, NULL, 'L' },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *out = NULL, *ent = NULL, *auth_s = NULL, *in = NULL;
    uint32_t offset = 0;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:C:P:i:L:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': path = optarg; break;
        case 'C': ent = optarg; break;
        case 'P': auth_s = optarg; break;
        case 'i': in = optarg; break;
        case 'L': out = optarg; break;
        case OPT_OFFSET:
            if (cli_parse_u32(optarg, &offset) || offset > 0xFFFF) {
                cli_err(c, "--offset takes a number up to 65535");
                return CLI_EXIT_USAGE;
            }
            break;
        CLI_COMMON_CASES(c, ch, policynv_usage)
        }
    }
    TPM_HANDLE index, ah;
    TPM_EO eo;
    if (optind + 2 != argc || cli_parse_u32(argv[optind], &index) ||
        parse_eo(argv[optind + 1], &eo)) {
        cli_err(c, "NV_INDEX and OPERATOR (eq neq sgt ugt slt ult sge uge sle ule bs bc) expected");
        return CLI_EXIT_USAGE;
    }
    if (index < 0x01000000U)
        index += 0x01000000U;
    if ((index >> 24) != 0x01) {
        cli_err(c, "0x%08x is not an NV index", index);
        return CLI_EXIT_USAGE;
    }
    ah = index;
    if (ent && cli_parse_hierarchy(ent, &ah)) {
        cli_err(c, "-C takes o, p or an NV index");
        return CLI_EXIT_USAGE;
    }
    if (!in) {
        cli_err(c, "-i FILE (the operand) is required");
        return CLI_EXIT_USAGE;
    }
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, in, &d, &n)))
        return e;
    TPM2B_OPERAND operand;
    if (n > sizeof operand.buffer) {
        free(d);
        cli_err(c, "%s: the operand has %zu bytes (at most %zu)", in, n, sizeof operand.buffer);
        return CLI_EXIT_FILE;
    }
    operand.size = (UINT16)n;
    memcpy(operand.buffer, d, n);
    free(d);
    cli_auth a;
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = cli_parse_auth(c, auth_s, &a)) || (e = open_session(c, path, &t, &s)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    int rc = qtpm_tss_PolicyNV(t, &as, ah, index, s, &operand, (UINT16)offset, eo);
    if (rc)
        return cli_fail(c, "PolicyNV", rc);
    return policy_digest_out(c, t, s, out);
}

static const char policycountertimer_usage[] =
    "Usage: qtpm policycountertimer -S SESSION [-L POLICY] [--eq|--neq|--sgt|--ugt|--slt|\n"
    "       --ult|--sge|--uge|--sle|--ule|--bs|--bc] safe|time=MS|clock=MS|resets=N|restarts=N\n"
    "TPM2_PolicyCounterTimer: the policy holds while the TPM's TPMS_TIME_INFO field\n"
    "compares to the value as the operator says (default --eq). time and clock are\n"
    "milliseconds (8 bytes, offsets 0 and 8), resets and restarts counts (4 bytes,\n"
    "offsets 16 and 20), safe the clock's safe flag (1 byte, offset 24; operand 1).\n";

static int cmd_policycountertimer(cli_ctx *c, int argc, char **argv)
{
    /* the operator options return 0x2200 + TPM_EO */
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "policy", required_argument, NULL, 'L' },
        { "eq", no_argument, NULL, 0x2200 + TPM_EO_EQ },
        { "neq", no_argument, NULL, 0x2200 + TPM_EO_NEQ },
        { "sgt", no_argument, NULL, 0x2200 + TPM_EO_SIGNED_GT },
        { "ugt", no_argument, NULL, 0x2200 + TPM_EO_UNSIGNED_GT },
        { "slt", no_argument, NULL, 0x2200 + TPM_EO_SIGNED_LT },
        { "ult", no_argument, NULL, 0x2200 + TPM_EO_UNSIGNED_LT },
        { "sge", no_argument, NULL, 0x2200 + TPM_EO_SIGNED_GE },
        { "uge", no_argument, NULL, 0x2200 + TPM_EO_UNSIGNED_GE },
        { "sle", no_argument, NULL, 0x2200 + TPM_EO_SIGNED_LE },
        { "ule", no_argument, NULL, 0x2200 + TPM_EO_UNSIGNED_LE },
        { "bs", no_argument, NULL, 0x2200 + TPM_EO_BITSET },
        { "bc", no_argument, NULL, 0x2200 + TPM_EO_BITCLEAR },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *out = NULL;
    TPM_EO eo = TPM_EO_EQ;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:L:T:h", opts, NULL)) != -1) {
        if (ch >= 0x2200 && ch <= 0x2200 + TPM_EO_BITCLEAR) {
            eo = (TPM_EO)(ch - 0x2200);
            continue;
        }
        switch (ch) {
        case 'S': path = optarg; break;
        case 'L': out = optarg; break;
        CLI_COMMON_CASES(c, ch, policycountertimer_usage)
        }
    }
    if (optind + 1 != argc) {
        cli_err(c, "one of safe, time=MS, clock=MS, resets=N, restarts=N expected");
        return CLI_EXIT_USAGE;
    }
    /* TPMS_TIME_INFO (Part 2 §10.11.6): time u64 @0, clockInfo.clock u64 @8,
     * resetCount u32 @16, restartCount u32 @20, safe u8 @24; the operand is
     * the field's big-endian value */
    static const struct { const char *name; UINT16 offset; unsigned size; } fields[] = {
        { "time", 0, 8 }, { "clock", 8, 8 }, { "resets", 16, 4 }, { "restarts", 20, 4 },
    };
    const char *arg = argv[optind];
    TPM2B_OPERAND operand;
    UINT16 offset = 0;
    memset(&operand, 0, sizeof operand);
    if (!strcasecmp(arg, "safe")) {
        operand.size = 1;
        operand.buffer[0] = 1;
        offset = 24;
    } else {
        size_t i;
        const char *eq = strchr(arg, '=');
        for (i = 0; eq && i < sizeof fields / sizeof fields[0]; i++)
            if (strlen(fields[i].name) == (size_t)(eq - arg) &&
                !strncasecmp(arg, fields[i].name, (size_t)(eq - arg)))
                break;
        char *end;
        unsigned long long v = 0;
        if (eq && i < sizeof fields / sizeof fields[0]) {
            errno = 0;
            v = strtoull(eq + 1, &end, 0);
            if (errno || !eq[1] || *end || (fields[i].size == 4 && v > 0xFFFFFFFFULL))
                i = sizeof fields / sizeof fields[0];
        }
        if (!eq || i == sizeof fields / sizeof fields[0]) {
            cli_err(c, "\"%s\": expected safe, time=MS, clock=MS, resets=N or restarts=N", arg);
            return CLI_EXIT_USAGE;
        }
        operand.size = (UINT16)fields[i].size;
        for (unsigned k = 0; k < fields[i].size; k++)
            operand.buffer[k] = (BYTE)(v >> (8 * (fields[i].size - 1 - k)));
        offset = fields[i].offset;
    }
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = open_session(c, path, &t, &s)))
        return e;
    int rc = qtpm_tss_PolicyCounterTimer(t, NULL, s, &operand, offset, eo);
    if (rc)
        return cli_fail(c, "PolicyCounterTimer", rc);
    return policy_digest_out(c, t, s, out);
}

/* ------------------------------------------------------ policycphash (§23.13) */

static const char policycphash_usage[] =
    "Usage: qtpm policycphash -S SESSION [-L POLICY] --cphash-input FILE\n"
    "TPM2_PolicyCpHash: the session then authorizes only the command whose\n"
    "parameter hash (cpHash, Part 1 §18.7) is in FILE — the file tpm2-tools' --cphash\n"
    "writes (a TPM2B_DIGEST) or the bare digest. --cphash is the old name.\n";

#define OPT_CPHASH 0x2301

static int cmd_policycphash(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "session", required_argument, NULL, 'S' },
        { "policy", required_argument, NULL, 'L' },
        { "cphash-input", required_argument, NULL, OPT_CPHASH },
        { "cphash", required_argument, NULL, OPT_CPHASH },
        CLI_COMMON_LONGOPTS,
    };
    const char *path = NULL, *out = NULL, *in = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "S:L:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S': path = optarg; break;
        case 'L': out = optarg; break;
        case OPT_CPHASH: in = optarg; break;
        CLI_COMMON_CASES(c, ch, policycphash_usage)
        }
    }
    if (!in || optind != argc) {
        cli_err(c, "--cphash-input FILE is required (no arguments)");
        return CLI_EXIT_USAGE;
    }
    uint8_t *d;
    size_t n;
    if ((e = cli_read_file(c, in, &d, &n)))
        return e;
    TPM2B_DIGEST cp;
    memset(&cp, 0, sizeof cp);
    /* a marshalled TPM2B_DIGEST (big-endian size, then the digest) or a
     * bare digest of one of the hash sizes */
    if (n >= 2 && (size_t)(d[0] << 8 | d[1]) == n - 2 && n - 2 <= sizeof cp.buffer &&
        n - 2 > 0) {
        cp.size = (UINT16)(n - 2);
        memcpy(cp.buffer, d + 2, cp.size);
    } else if (n == 20 || n == 32 || n == 48 || n == 64) {
        cp.size = (UINT16)n;
        memcpy(cp.buffer, d, n);
    } else {
        free(d);
        cli_err(c, "%s: not a cpHash (a TPM2B_DIGEST or a 20/32/48/64-byte digest; %zu bytes)",
                in, n);
        return CLI_EXIT_FILE;
    }
    free(d);
    qtpm_tss *t;
    qtpm_tss_session *s;
    if ((e = open_session(c, path, &t, &s)))
        return e;
    int rc = qtpm_tss_PolicyCpHash(t, NULL, s, &cp);
    if (rc)
        return cli_fail(c, "PolicyCpHash", rc);
    return policy_digest_out(c, t, s, out);
}

const cli_command cli_cmds_session[] = {
    { "startauthsession", cmd_startauthsession, "start a trial, policy or HMAC session",
      startauthsession_usage },
    { "sessionconfig", cmd_sessionconfig, "parameter encryption and other session attributes",
      sessionconfig_usage },
    { "policypcr", cmd_policypcr, "policy: PCR values", policypcr_usage },
    { "policysecret", cmd_policysecret, "policy: knowledge of an entity's authValue",
      policysecret_usage },
    { "policyor", cmd_policyor, "policy: one of several branches", policyor_usage },
    { "policyauthorize", cmd_policyauthorize, "policy: a policy signed by a key",
      policyauthorize_usage },
    { "policypassword", cmd_policypassword, "policy: the authValue in clear",
      policypassword_usage },
    { "policyauthvalue", cmd_policyauthvalue, "policy: the authValue by HMAC",
      policyauthvalue_usage },
    { "policycommandcode", cmd_policycommandcode, "policy: only one command",
      policycommandcode_usage },
    { "policynv", cmd_policynv, "policy: an NV index's contents compared", policynv_usage },
    { "policycountertimer", cmd_policycountertimer, "policy: the TPM's clock, time or counts",
      policycountertimer_usage },
    { "policycphash", cmd_policycphash, "policy: only one command with these parameters",
      policycphash_usage },
    { NULL, NULL, NULL, NULL },
};
