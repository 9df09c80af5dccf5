/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_attest.c — attestation subcommands of qtpm: createek, createak, quote,
 * checkquote, certify, gettime, makecredential and activatecredential (TPM 2.0 Part 3
 * §18, §12.5, §12.6; TCG EK Credential Profile), with tpm2-tools 5.4's
 * options and files:
 *
 *  - quote -m writes the TPMS_ATTEST bytes (the TPM2B_ATTEST contents), -s a
 *    marshalled TPMT_SIGNATURE, -o the PCR values concatenated;
 *  - makecredential -o writes tpm2-tools' credential file: magic 0xBADCC0DE,
 *    version 1, TPM2B_ID_OBJECT, TPM2B_ENCRYPTED_SECRET (big-endian);
 *  - the AK is created under the EK with EK policy sessions
 *    (PolicySecret(TPM_RH_ENDORSEMENT)), as tpm2_createak does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define CRED_MAGIC 0xBADCC0DEU

/* -G of createek / createak: "rsa", "ecc", or a PQC type as -G of create
 * takes it ("mlkem768", "mldsa44", "hashmldsa44:sha256"); *type and, for
 * PQC, the parameters (parameter set, pre-hash) in *parms. */
static int parse_key_type(cli_ctx *c, const char *s, TPM_ALG_ID *type, TPMT_PUBLIC *parms)
{
    memset(parms, 0, sizeof *parms);
    if (!strncasecmp(s, "rsa", 3))
        *type = TPM_ALG_RSA;
    else if (!strncasecmp(s, "ecc", 3))
        *type = TPM_ALG_ECC;
    else if (cli_parse_key_alg(s, TPMA_OBJECT_RESTRICTED, TPM_ALG_SHA256, parms) == 0 &&
             (parms->type == TPM_ALG_MLKEM || parms->type == TPM_ALG_MLDSA ||
              parms->type == TPM_ALG_HASH_MLDSA))
        *type = parms->type;
    else {
        cli_err(c, "key algorithm \"%s\": rsa, ecc, mlkem512/768/1024, mldsa44/65/87 or "
                   "hashmldsa44/65/87[:sha256|sha384|sha512]", s);
        return CLI_EXIT_USAGE;
    }
    return 0;
}

/* Qualifying data: hex, or the contents of a file of that name. */
static int parse_qualification(cli_ctx *c, const char *s, TPM2B_DATA *d)
{
    size_t n;
    memset(d, 0, sizeof *d);
    if (!s)
        return 0;
    if (cli_parse_hex(s, d->buffer, sizeof d->buffer, &n) == 0) {
        d->size = (UINT16)n;
        return 0;
    }
    uint8_t *f;
    if (cli_read_file(c, s, &f, &n))
        return CLI_EXIT_USAGE;
    if (n > sizeof d->buffer) {
        free(f);
        cli_err(c, "qualification data longer than %zu bytes", sizeof d->buffer);
        return CLI_EXIT_USAGE;
    }
    memcpy(d->buffer, f, n);
    d->size = (UINT16)n;
    free(f);
    return 0;
}

static void out_signature(cli_ctx *c, const TPMT_SIGNATURE *sig)
{
    cli_out_begin(c, "signature");
    cli_out_str(c, "alg", cli_alg_name(sig->sigAlg));
    if (sig->sigAlg == TPM_ALG_MLDSA) {
        /* pure ML-DSA names no hash (v1.85 TPMU_SIGNATURE) */
        cli_out_int(c, "size", sig->signature.mldsa.size);
        cli_out_end(c);
        return;
    }
    if (sig->sigAlg == TPM_ALG_HASH_MLDSA) {
        cli_out_str(c, "hash", cli_hash_name(sig->signature.hash_mldsa.hash));
        cli_out_int(c, "size", sig->signature.hash_mldsa.signature.size);
        cli_out_end(c);
        return;
    }
    cli_out_str(c, "hash", cli_hash_name(sig->signature.any.hashAlg));
    if (sig->sigAlg == TPM_ALG_RSASSA || sig->sigAlg == TPM_ALG_RSAPSS)
        cli_out_hex(c, "sig", sig->signature.rsassa.sig.buffer, sig->signature.rsassa.sig.size);
    else if (sig->sigAlg == TPM_ALG_ECDSA) {
        cli_out_hex(c, "r", sig->signature.ecdsa.signatureR.buffer,
                    sig->signature.ecdsa.signatureR.size);
        cli_out_hex(c, "s", sig->signature.ecdsa.signatureS.buffer,
                    sig->signature.ecdsa.signatureS.size);
    }
    cli_out_end(c);
}

static void out_pcrs(cli_ctx *c, const TPML_PCR_SELECTION *sel, const TPM2B_DIGEST *v, size_t n)
{
    size_t k = 0;
    cli_out_begin(c, "pcrs");
    for (UINT32 b = 0; b < sel->count; b++) {
        const TPMS_PCR_SELECTION *s = &sel->pcrSelections[b];
        cli_out_begin(c, cli_hash_name(s->hash));
        for (unsigned j = 0; j < s->sizeofSelect * 8U && k < n; j++)
            if (s->pcrSelect[j / 8] & (1U << (j % 8))) {
                cli_out_pcr(c, j, v[k].buffer, v[k].size);
                k++;
            }
        cli_out_end(c);
    }
    cli_out_end(c);
}

/* --------------------------------------------------------------- createek */

static const char createek_usage[] =
    "Usage: qtpm createek -c FILE|0x81... [-G rsa|ecc|mlkem768] [-u PUB] [-f tss|pem|raw]\n"
    "                     [-P AUTH] [-w AUTH]\n"
    "Creates the endorsement key from the TCG EK Credential Profile templates\n"
    "(L-1 RSA 2048 / L-2 NIST P-256) as tpm2_createek does, or an ML-KEM EK in\n"
    "the same style (restricted decrypt, AES-128-CFB, PolicySecret(endorsement);\n"
    "qtpm's template, see docs/TSS.md).\n"
    "  -c, --ek-context C        a context file, or a persistent handle to store it at\n"
    "  -G, --key-algorithm A     rsa (default), ecc, mlkem512, mlkem768, mlkem1024\n"
    "  -u, --public FILE         write the public part\n"
    "  -f, --format F            tss (default), pem (RSA/ECC) or raw for -u\n"
    "  -P, --eh-auth A           endorsement hierarchy authorization\n"
    "  -w, --owner-auth A        owner authorization (for a persistent handle)\n";

static int cmd_createek(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "ek-context", required_argument, NULL, 'c' },
        { "key-algorithm", required_argument, NULL, 'G' },
        { "public", required_argument, NULL, 'u' },
        { "format", required_argument, NULL, 'f' },
        { "eh-auth", required_argument, NULL, 'P' },
        { "owner-auth", required_argument, NULL, 'w' },
        CLI_COMMON_LONGOPTS,
    };
    const char *ctx_s = NULL, *pub_s = NULL, *eauth_s = NULL, *oauth_s = NULL;
    TPM_ALG_ID type = TPM_ALG_RSA;
    TPMT_PUBLIC parms;
    int ch, pem = 0, e;
    while ((ch = getopt_long(argc, argv, "c:G:u:f:P:w:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': ctx_s = optarg; break;
        case 'G':
            if ((e = parse_key_type(c, optarg, &type, &parms)))
                return e;
            if (type == TPM_ALG_MLDSA || type == TPM_ALG_HASH_MLDSA) {
                cli_err(c, "an EK decrypts: rsa, ecc or mlkem512/768/1024, not %s", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'u': pub_s = optarg; break;
        case 'f':
            if ((e = cli_parse_pub_format(c, optarg, &pem)))
                return e;
            break;
        case 'P': eauth_s = optarg; break;
        case 'w': oauth_s = optarg; break;
        CLI_COMMON_CASES(c, ch, createek_usage)
        }
    }
    if (!ctx_s) {
        cli_err(c, "-c FILE or persistent handle is required");
        return CLI_EXIT_USAGE;
    }
    cli_auth ea, oa;
    if ((e = cli_parse_auth(c, eauth_s, &ea)) || (e = cli_parse_auth(c, oauth_s, &oa)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_key ek;
    int rc;
    if (type == TPM_ALG_MLKEM) {
        /* the ML-KEM EK template with the parameter set of -G */
        TPM2B_PUBLIC tmpl;
        TPM2B_SENSITIVE_CREATE sens;
        memset(&tmpl, 0, sizeof tmpl);
        memset(&sens, 0, sizeof sens);
        memset(&ek, 0, sizeof ek);
        qtpm_tss_template_ek(TPM_ALG_MLKEM, &tmpl.publicArea);
        tmpl.publicArea.parameters.mlkemDetail.parameterSet =
            parms.parameters.mlkemDetail.parameterSet;
        qtpm_tss_auths as = { 0 };
        cli_auth_put(&as, 0, &ea);
        rc = qtpm_tss_CreatePrimary(t, &as, TPM_RH_ENDORSEMENT, &sens, &tmpl, NULL, NULL,
                                    &ek.handle, &ek.pub, NULL, NULL, NULL, &ek.name);
    } else {
        rc = qtpm_tss_create_ek(t, type, &ea.value, &ek);
    }
    if (rc)
        return cli_fail(c, "CreatePrimary (EK)", rc);
    cli_flush_later(c, ek.handle);
    cli_out_hex(c, "name", ek.name.buffer, ek.name.size);
    if (pub_s && (e = cli_write_public_fmt(c, pub_s, &ek.pub, pem)))
        return e;
    uint32_t persistent;
    if (cli_parse_u32(ctx_s, &persistent) == 0) {
        qtpm_tss_auths as = { 0 };
        cli_auth_put(&as, 0, &oa);
        rc = qtpm_tss_EvictControl(t, &as, TPM_RH_OWNER, ek.handle, persistent);
        if (rc)
            return cli_fail(c, "EvictControl", rc);
        cli_out_handle(c, "persistent-handle", persistent);
        return 0;
    }
    return cli_save_object_context(c, ek.handle, ctx_s);
}

/* --------------------------------------------------------------- createak */

static const char createak_usage[] =
    "Usage: qtpm createak -C EK -c AK_CTX [-G rsa|ecc|mldsa44|hashmldsa44] [-g HASH]\n"
    "                     [-s SCHEME] [-u PUB] [-f tss|pem|raw] [-n NAME] [-r PRIV]\n"
    "                     [-p AUTH] [-P EH_AUTH]\n"
    "Creates an attestation key (restricted signing key) under the EK, each use of the\n"
    "EK authorized by PolicySecret(endorsement), as tpm2_createak does.\n"
    "  -C, --ek-context EK       the EK (context file or handle; RSA, ECC or ML-KEM)\n"
    "  -c, --ak-context FILE     save the AK's context\n"
    "  -G, --key-algorithm A     rsa (default), ecc, mldsa44/65/87 (pure ML-DSA),\n"
    "                            hashmldsa44/65/87[:HASH] (HashML-DSA, pre-hash sha256)\n"
    "  -g, --hash-algorithm H    scheme hash (sha256; HashML-DSA's pre-hash)\n"
    "  -s, --signing-algorithm S rsassa (default for RSA), rsapss, ecdsa; mldsa and\n"
    "                            hashmldsa are accepted for those keys\n"
    "  -u, --public FILE  -f, --format tss|pem|raw  -r, --private FILE\n"
    "  -n, --ak-name FILE        write the AK's Name (raw bytes)\n"
    "  -p, --ak-auth A           authValue of the AK\n"
    "  -P, --eh-auth A           endorsement hierarchy authorization\n";

static int cmd_createak(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "ek-context", required_argument, NULL, 'C' },
        { "ak-context", required_argument, NULL, 'c' },
        { "key-algorithm", required_argument, NULL, 'G' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "signing-algorithm", required_argument, NULL, 's' },
        { "public", required_argument, NULL, 'u' },
        { "format", required_argument, NULL, 'f' },
        { "ak-name", required_argument, NULL, 'n' },
        { "private", required_argument, NULL, 'r' },
        { "ak-auth", required_argument, NULL, 'p' },
        { "eh-auth", required_argument, NULL, 'P' },
        CLI_COMMON_LONGOPTS,
    };
    const char *ek_s = NULL, *ctx_s = NULL, *pub_s = NULL, *name_s = NULL, *priv_s = NULL,
               *akauth_s = NULL, *eauth_s = NULL, *scheme_s = NULL;
    TPM_ALG_ID type = TPM_ALG_RSA;
    TPMT_PUBLIC parms;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    int ch, pem = 0, e, hash_given = 0;
    while ((ch = getopt_long(argc, argv, "C:c:G:g:s:u:f:n:r:p:P:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'C': ek_s = optarg; break;
        case 'c': ctx_s = optarg; break;
        case 'G':
            if ((e = parse_key_type(c, optarg, &type, &parms)))
                return e;
            if (type == TPM_ALG_MLKEM) {
                cli_err(c, "an AK signs: rsa, ecc, mldsa or hashmldsa, not %s", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'g':
            hash_given = 1;
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 's': scheme_s = optarg; break;
        case 'u': pub_s = optarg; break;
        case 'f':
            if ((e = cli_parse_pub_format(c, optarg, &pem)))
                return e;
            break;
        case 'n': name_s = optarg; break;
        case 'r': priv_s = optarg; break;
        case 'p': akauth_s = optarg; break;
        case 'P': eauth_s = optarg; break;
        CLI_COMMON_CASES(c, ch, createak_usage)
        }
    }
    if (!ek_s || !ctx_s) {
        cli_err(c, "-C EK and -c AK_CTX are required");
        return CLI_EXIT_USAGE;
    }
    TPM2B_PUBLIC tmpl;
    memset(&tmpl, 0, sizeof tmpl);
    if (qtpm_tss_template_ak(type, &tmpl.publicArea)) {
        cli_err(c, "no AK template for this type");
        return CLI_EXIT_USAGE;
    }
    if (type == TPM_ALG_MLDSA || type == TPM_ALG_HASH_MLDSA) {
        /* the parameter set and pre-hash of -G (-g overrides the latter) */
        if (scheme_s && strcasecmp(scheme_s, type == TPM_ALG_MLDSA ? "mldsa" : "hashmldsa")) {
            cli_err(c, "signing algorithm \"%s\" does not fit the key type", scheme_s);
            return CLI_EXIT_USAGE;
        }
        if (type == TPM_ALG_MLDSA) {
            tmpl.publicArea.parameters.mldsaDetail.parameterSet =
                parms.parameters.mldsaDetail.parameterSet;
        } else {
            tmpl.publicArea.parameters.hashMldsaDetail.parameterSet =
                parms.parameters.hashMldsaDetail.parameterSet;
            tmpl.publicArea.parameters.hashMldsaDetail.hashAlg =
                hash_given ? hash : parms.parameters.hashMldsaDetail.hashAlg;
        }
    }
    TPMT_SIG_SCHEME *sch = type == TPM_ALG_RSA
                               ? (TPMT_SIG_SCHEME *)&tmpl.publicArea.parameters.rsaDetail.scheme
                               : (TPMT_SIG_SCHEME *)&tmpl.publicArea.parameters.eccDetail.scheme;
    if (type == TPM_ALG_MLDSA || type == TPM_ALG_HASH_MLDSA) {
        sch = NULL;
    } else if (scheme_s) {
        if (!strcasecmp(scheme_s, "rsassa") && type == TPM_ALG_RSA)
            sch->scheme = TPM_ALG_RSASSA;
        else if (!strcasecmp(scheme_s, "rsapss") && type == TPM_ALG_RSA)
            sch->scheme = TPM_ALG_RSAPSS;
        else if (!strcasecmp(scheme_s, "ecdsa") && type == TPM_ALG_ECC)
            sch->scheme = TPM_ALG_ECDSA;
        else {
            cli_err(c, "signing algorithm \"%s\" does not fit the key type", scheme_s);
            return CLI_EXIT_USAGE;
        }
    }
    if (sch)
        sch->details.any.hashAlg = hash;
    cli_auth ea, aa;
    TPM_HANDLE ekh;
    if ((e = cli_parse_auth(c, eauth_s, &ea)) || (e = cli_parse_auth(c, akauth_s, &aa)) ||
        (e = cli_load_object(c, ek_s, &ekh, NULL)))
        return e;
    TPM2B_SENSITIVE_CREATE sens;
    memset(&sens, 0, sizeof sens);
    sens.sensitive.userAuth = aa.value;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_session s;
    TPM2B_PRIVATE priv;
    TPM2B_PUBLIC pub;
    TPM_HANDLE akh;
    TPM2B_NAME name;
    int rc = qtpm_tss_ek_policy_session(t, &ea.value, &s);
    if (rc)
        return cli_fail(c, "EK policy session", rc);
    qtpm_tss_auths as = { 1, { { &s, NULL } } };
    rc = qtpm_tss_Create(t, &as, ekh, &sens, &tmpl, NULL, NULL, &priv, &pub, NULL, NULL, NULL);
    qtpm_memzero(&sens, sizeof sens);
    const char *what = "Create (AK)";
    if (rc == 0 && s.handle) {
        /* The policy digest is used up by Create: satisfy it again for Load. */
        qtpm_tss_auths eas = { 1, { { NULL, &ea.value } } };
        what = "PolicySecret";
        rc = qtpm_tss_PolicyRestart(t, NULL, &s);
        if (rc == 0)
            rc = qtpm_tss_PolicySecret(t, &eas, TPM_RH_ENDORSEMENT, &s, NULL, NULL, NULL, 0, NULL,
                                       NULL);
    }
    if (rc == 0) {
        what = "Load (AK)";
        rc = qtpm_tss_Load(t, &as, ekh, &priv, &pub, &akh, &name);
    }
    qtpm_tss_session_close(t, &s);
    if (rc)
        return cli_fail(c, what, rc);
    cli_flush_later(c, akh);
    cli_out_hex(c, "loaded-key-name", name.buffer, name.size);
    cli_out_str(c, "type", cli_alg_name(type));
    if ((pub_s && (e = cli_write_public_fmt(c, pub_s, &pub, pem))) ||
        (priv_s && (e = cli_save_private(c, priv_s, &priv))) ||
        (name_s && (e = cli_write_file(c, name_s, name.buffer, name.size))))
        return e;
    return cli_save_object_context(c, akh, ctx_s);
}

/* ------------------------------------------------------------------ quote */

static const char quote_usage[] =
    "Usage: qtpm quote -c AK -l PCRS [-q QUAL] [-m MSG] [-s SIG] [-o PCRFILE] [-g HASH]\n"
    "                  [-p AUTH] [-f tss|plain]\n"
    "TPM2_Quote of PCRs, signed by a restricted signing key.\n"
    "  -c, --key-context AK      the signing key (context file or handle)\n"
    "  -p, --auth A              its authorization\n"
    "  -l, --pcr-list L          e.g. sha256:0,1,2\n"
    "  -q, --qualification Q     qualifying data (nonce): hex, or a file\n"
    "  -m, --message FILE        write the quoted TPMS_ATTEST\n"
    "  -s, --signature FILE      write the TPMT_SIGNATURE (or plain with -f plain)\n"
    "  -o, --pcr FILE            write the quoted PCR values\n"
    "  -F, --pcrs_format F       serialized (tpm2-tools' default, for tpm2_checkquote)\n"
    "                            or values (the digests concatenated)\n"
    "  -g, --hash-algorithm H    signing hash when the key has no fixed scheme (sha256)\n";

static int cmd_quote(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "auth", required_argument, NULL, 'p' },
        { "pcr-list", required_argument, NULL, 'l' },
        { "qualification", required_argument, NULL, 'q' },
        { "message", required_argument, NULL, 'm' },
        { "signature", required_argument, NULL, 's' },
        { "pcr", required_argument, NULL, 'o' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "format", required_argument, NULL, 'f' },
        { "pcrs_format", required_argument, NULL, 'F' },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *auth_s = NULL, *pcr_s = NULL, *q_s = NULL, *msg_s = NULL,
               *sig_s = NULL, *pcrout_s = NULL;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    int ch, e, plain = 0, serialized = 1;
    while ((ch = getopt_long(argc, argv, "c:p:l:q:m:s:o:g:f:F:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 'p': auth_s = optarg; break;
        case 'l': pcr_s = optarg; break;
        case 'q': q_s = optarg; break;
        case 'm': msg_s = optarg; break;
        case 's': sig_s = optarg; break;
        case 'o': pcrout_s = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'f': plain = !strcasecmp(optarg, "plain"); break;
        case 'F':
            if (!strcasecmp(optarg, "values"))
                serialized = 0;
            else if (strcasecmp(optarg, "serialized")) {
                cli_err(c, "-F: values or serialized");
                return CLI_EXIT_USAGE;
            }
            break;
        CLI_COMMON_CASES(c, ch, quote_usage)
        }
    }
    TPML_PCR_SELECTION sel;
    if (!key_s || !pcr_s) {
        cli_err(c, "-c AK and -l PCRS are required");
        return CLI_EXIT_USAGE;
    }
    if (cli_parse_pcr_list(pcr_s, &sel)) {
        cli_err(c, "bad PCR list \"%s\"", pcr_s);
        return CLI_EXIT_USAGE;
    }
    TPM2B_DATA qual;
    cli_auth a;
    TPM_HANDLE h;
    TPM2B_PUBLIC pub;
    if ((e = parse_qualification(c, q_s, &qual)) || (e = cli_parse_auth(c, auth_s, &a)) ||
        (e = cli_load_object(c, key_s, &h, &pub)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    TPMT_SIG_SCHEME sch;
    memset(&sch, 0, sizeof sch);
    if (qtpm_tss_key_scheme(&pub.publicArea, &sch) || sch.scheme == TPM_ALG_NULL) {
        sch.scheme = pub.publicArea.type == TPM_ALG_ECC ? TPM_ALG_ECDSA : TPM_ALG_RSASSA;
        sch.details.any.hashAlg = hash;
    } else {
        sch.scheme = TPM_ALG_NULL; /* use the key's */
    }
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    static TPM2B_ATTEST att;
    TPMT_SIGNATURE sig;
    int rc = qtpm_tss_Quote(t, &as, h, &qual, &sch, &sel, &att, &sig);
    if (rc)
        return cli_fail(c, "Quote", rc);
    static TPM2B_DIGEST vals[HASH_COUNT * 24];
    size_t n;
    if ((e = cli_pcr_values(c, &sel, vals, HASH_COUNT * 24, &n)))
        return e;
    cli_out_hex(c, "quoted", att.buffer, att.size);
    out_signature(c, &sig);
    out_pcrs(c, &sel, vals, n);
    if (msg_s && (e = cli_write_file(c, msg_s, att.buffer, att.size)))
        return e;
    if (sig_s) {
        if (plain) {
            static uint8_t raw[sizeof(TPMT_SIGNATURE)];
            size_t rn;
            if (cli_signature_plain(&sig, raw, sizeof raw, &rn) ||
                (e = cli_write_file(c, sig_s, raw, rn)))
                return e ? e : CLI_EXIT_USAGE;
        } else if ((e = cli_save_signature(c, sig_s, &sig))) {
            return e;
        }
    }
    if (pcrout_s)
        return cli_pcr_file_write(c, pcrout_s, &sel, vals, n, serialized);
    return 0;
}

/* ------------------------------------------------------------- checkquote */

static const char checkquote_usage[] =
    "Usage: qtpm checkquote -u AKPUB -m MSG -s SIG [-f PCRFILE] [-q QUAL] [-g HASH]\n"
    "Verifies a quote in software (no TPM needed): the signature over MSG with the\n"
    "AK's public key, the TPMS_ATTEST magic and type, the qualifying data, and that\n"
    "the quoted PCR digest is the hash of the PCR values in PCRFILE.\n"
    "  -u, --public FILE         the AK public key: TPM2B_PUBLIC or PEM (an ML-DSA\n"
    "                            AK: TPM2B_PUBLIC; verified with FIPS 204 in software)\n"
    "  -m, --message FILE        the TPMS_ATTEST (tpm2_quote -m / qtpm quote -m)\n"
    "  -s, --signature FILE      the TPMT_SIGNATURE\n"
    "  -f, --pcr FILE            PCR values (tpm2_quote -o / qtpm quote -o), in the\n"
    "                            \"values\" or \"serialized\" format (detected)\n"
    "  -q, --qualification Q     expected qualifying data: hex, or a file\n"
    "  -g, --hash-algorithm H    PCR digest algorithm (default: the signature's hash;\n"
    "                            for pure ML-DSA the AK's name algorithm)\n"
    "Exit status 3 when a check fails.\n";

static int cmd_checkquote(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "public", required_argument, NULL, 'u' },
        { "message", required_argument, NULL, 'm' },
        { "signature", required_argument, NULL, 's' },
        { "pcr", required_argument, NULL, 'f' },
        { "qualification", required_argument, NULL, 'q' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        CLI_COMMON_LONGOPTS,
    };
    const char *pub_s = NULL, *msg_s = NULL, *sig_s = NULL, *pcr_s = NULL, *q_s = NULL;
    TPMI_ALG_HASH hash = 0;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "u:m:s:f:q:g:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'u': pub_s = optarg; break;
        case 'm': msg_s = optarg; break;
        case 's': sig_s = optarg; break;
        case 'f': pcr_s = optarg; break;
        case 'q': q_s = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        CLI_COMMON_CASES(c, ch, checkquote_usage)
        }
    }
    if (!pub_s || !msg_s || !sig_s) {
        cli_err(c, "-u AKPUB, -m MSG and -s SIG are required");
        return CLI_EXIT_USAGE;
    }
    TPMT_PUBLIC pub;
    static TPM2B_ATTEST att;
    TPMT_SIGNATURE sig;
    TPM2B_DATA qual;
    if ((e = cli_load_any_public(c, pub_s, &pub)) || (e = cli_load_attest(c, msg_s, &att)) ||
        (e = cli_load_signature(c, sig_s, &sig)) || (e = parse_qualification(c, q_s, &qual)))
        return e;
    static TPMS_ATTEST a;
    size_t off = 0;
    TPM_RC mr = qtpm_TPMS_ATTEST_unmarshal(&a, att.buffer, att.size, &off);
    if (mr || off != att.size) {
        cli_err(c, "%s is not a TPMS_ATTEST: %s", msg_s, cli_marshal_text(mr ? mr : TPM_RC_SIZE));
        return CLI_EXIT_FILE;
    }
    if (qtpm_tss_verify_signature(&pub, att.buffer, att.size, &sig)) {
        cli_err(c, "the signature does not verify with %s", pub_s);
        cli_out_bool(c, "verified", 0);
        return CLI_EXIT_VERIFY;
    }
    if (a.magic != TPM_GENERATED_VALUE || a.type != TPM_ST_ATTEST_QUOTE) {
        cli_err(c, "not a quote made by a TPM (magic 0x%08x, type 0x%04x)", a.magic, a.type);
        return CLI_EXIT_VERIFY;
    }
    if (q_s && (a.extraData.size != qual.size ||
                memcmp(a.extraData.buffer, qual.buffer, qual.size))) {
        cli_err(c, "the qualifying data differs from -q");
        return CLI_EXIT_VERIFY;
    }
    const TPMS_QUOTE_INFO *qi = &a.attested.quote;
    if (pcr_s) {
        static TPM2B_DIGEST vals[HASH_COUNT * 24];
        static uint8_t cat[HASH_COUNT * 24 * MAX_DIGEST_SIZE];
        size_t n, l = 0;
        if ((e = cli_pcr_file_read(c, pcr_s, &qi->pcrSelect, vals, HASH_COUNT * 24, &n)))
            return e;
        for (size_t i = 0; i < n; i++) {
            memcpy(cat + l, vals[i].buffer, vals[i].size);
            l += vals[i].size;
        }
        /* pcrDigest uses the signing scheme's hash (Part 3 §18.4); pure
         * ML-DSA names none, and the AK's nameAlg is used (v1.85 errata) */
        TPMI_ALG_HASH ph = hash ? hash : qtpm_tss_signature_hash(&pub, &sig);
        TPM2B_DIGEST dig;
        if (cli_digest(ph, cat, l, &dig)) {
            cli_err(c, "cannot hash with %s", cli_hash_name(ph));
            return CLI_EXIT_FILE;
        }
        out_pcrs(c, &qi->pcrSelect, vals, n);
        if (dig.size != qi->pcrDigest.size || memcmp(dig.buffer, qi->pcrDigest.buffer, dig.size)) {
            cli_err(c, "the PCR values in %s do not match the quoted PCR digest", pcr_s);
            return CLI_EXIT_VERIFY;
        }
    }
    cli_out_hex(c, "pcr-digest", qi->pcrDigest.buffer, qi->pcrDigest.size);
    cli_out_hex(c, "qualification", a.extraData.buffer, a.extraData.size);
    cli_out_int(c, "clock", a.clockInfo.clock);
    cli_out_bool(c, "verified", 1);
    return 0;
}

/* ---------------------------------------------------------------- certify */

static const char certify_usage[] =
    "Usage: qtpm certify -c OBJECT -C SIGNKEY [-p AUTH] [-P AUTH] [-g HASH] [-q QUAL]\n"
    "                    -o ATTEST -s SIG [-f tss|plain]\n"
    "TPM2_Certify: SIGNKEY attests that OBJECT is loaded in this TPM.\n"
    "  -c, --certifiedkey-context O   -p, --certifiedkey-auth A\n"
    "  -C, --signingkey-context K     -P, --signingkey-auth A\n"
    "  -g, --hash-algorithm H   -q, --qualification Q\n"
    "  -o, --attestation FILE  the TPMS_ATTEST   -s, --signature FILE\n";

static int cmd_certify(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "certifiedkey-context", required_argument, NULL, 'c' },
        { "signingkey-context", required_argument, NULL, 'C' },
        { "certifiedkey-auth", required_argument, NULL, 'p' },
        { "signingkey-auth", required_argument, NULL, 'P' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "qualification", required_argument, NULL, 'q' },
        { "attestation", required_argument, NULL, 'o' },
        { "signature", required_argument, NULL, 's' },
        { "format", required_argument, NULL, 'f' },
        CLI_COMMON_LONGOPTS,
    };
    const char *obj_s = NULL, *key_s = NULL, *pa_s = NULL, *ka_s = NULL, *q_s = NULL,
               *att_s = NULL, *sig_s = NULL;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    int ch, e, plain = 0;
    while ((ch = getopt_long(argc, argv, "c:C:p:P:g:q:o:s:f:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': obj_s = optarg; break;
        case 'C': key_s = optarg; break;
        case 'p': pa_s = optarg; break;
        case 'P': ka_s = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'q': q_s = optarg; break;
        case 'o': att_s = optarg; break;
        case 's': sig_s = optarg; break;
        case 'f': plain = !strcasecmp(optarg, "plain"); break;
        CLI_COMMON_CASES(c, ch, certify_usage)
        }
    }
    if (!obj_s || !key_s) {
        cli_err(c, "-c OBJECT and -C SIGNKEY are required");
        return CLI_EXIT_USAGE;
    }
    TPM2B_DATA qual;
    cli_auth pa, ka;
    TPM_HANDLE oh, kh;
    TPM2B_PUBLIC kpub;
    if ((e = parse_qualification(c, q_s, &qual)) || (e = cli_parse_auth(c, pa_s, &pa)) ||
        (e = cli_parse_auth(c, ka_s, &ka)) || (e = cli_load_object(c, obj_s, &oh, NULL)) ||
        (e = cli_load_object(c, key_s, &kh, &kpub)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    TPMT_SIG_SCHEME sch;
    memset(&sch, 0, sizeof sch);
    if (qtpm_tss_key_scheme(&kpub.publicArea, &sch) || sch.scheme == TPM_ALG_NULL) {
        sch.scheme = kpub.publicArea.type == TPM_ALG_ECC ? TPM_ALG_ECDSA : TPM_ALG_RSASSA;
        sch.details.any.hashAlg = hash;
    } else {
        sch.scheme = TPM_ALG_NULL;
    }
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &pa);
    cli_auth_put(&as, 1, &ka);
    static TPM2B_ATTEST att;
    TPMT_SIGNATURE sig;
    int rc = qtpm_tss_Certify(t, &as, oh, kh, &qual, &sch, &att, &sig);
    if (rc)
        return cli_fail(c, "Certify", rc);
    cli_out_hex(c, "attestation", att.buffer, att.size);
    out_signature(c, &sig);
    if (att_s && (e = cli_write_file(c, att_s, att.buffer, att.size)))
        return e;
    if (sig_s) {
        if (plain) {
            static uint8_t raw[sizeof(TPMT_SIGNATURE)];
            size_t rn;
            if (cli_signature_plain(&sig, raw, sizeof raw, &rn))
                return CLI_EXIT_USAGE;
            return cli_write_file(c, sig_s, raw, rn);
        }
        return cli_save_signature(c, sig_s, &sig);
    }
    return 0;
}

/* ---------------------------------------------------------------- gettime */

static const char gettime_usage[] =
    "Usage: qtpm gettime -c SIGNKEY [-p AUTH] [-P ENDORSE_AUTH] [-g HASH] [-q QUAL]\n"
    "                    [-o SIG] [-f tss|plain] [--attestation FILE]\n"
    "TPM2_GetTime (Part 3 §18.7): SIGNKEY signs the TPM's time and clock; printed as\n"
    "tpm2_gettime does (time, clock_info: clock, reset_count, restart_count, safe).\n"
    "  -c, --key-context K       the signing key   -p, --auth A   its authorization\n"
    "  -P, --endorse-auth A      the endorsement hierarchy's authorization\n"
    "  -g, --hash-algorithm H    -q, --qualification HEX|FILE\n"
    "  -o, --signature FILE      -f, --format tss|plain\n"
    "      --attestation FILE    the signed TPMS_ATTEST (qtpm print -t TPMS_ATTEST)\n";

#define OPT_ATTESTATION 0x2001

static int cmd_gettime(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "auth", required_argument, NULL, 'p' },
        { "endorse-auth", required_argument, NULL, 'P' },
        { "hash-algorithm", required_argument, NULL, 'g' },
        { "qualification", required_argument, NULL, 'q' },
        { "signature", required_argument, NULL, 'o' },
        { "format", required_argument, NULL, 'f' },
        { "attestation", required_argument, NULL, OPT_ATTESTATION },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *ka_s = NULL, *ea_s = NULL, *q_s = NULL, *sig_s = NULL,
               *att_s = NULL;
    TPMI_ALG_HASH hash = TPM_ALG_SHA256;
    int ch, e, plain = 0;
    while ((ch = getopt_long(argc, argv, "c:p:P:g:q:o:f:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 'p': ka_s = optarg; break;
        case 'P': ea_s = optarg; break;
        case 'g':
            if (cli_parse_hash(optarg, &hash)) {
                cli_err(c, "unknown hash algorithm \"%s\"", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'q': q_s = optarg; break;
        case 'o': sig_s = optarg; break;
        case 'f': plain = !strcasecmp(optarg, "plain"); break;
        case OPT_ATTESTATION: att_s = optarg; break;
        CLI_COMMON_CASES(c, ch, gettime_usage)
        }
    }
    if (!key_s || optind != argc) {
        cli_err(c, "-c SIGNKEY is required (no arguments)");
        return CLI_EXIT_USAGE;
    }
    TPM2B_DATA qual;
    cli_auth ka, ea;
    TPM_HANDLE kh;
    TPM2B_PUBLIC kpub;
    if ((e = parse_qualification(c, q_s, &qual)) || (e = cli_parse_auth(c, ka_s, &ka)) ||
        (e = cli_parse_auth(c, ea_s, &ea)) || (e = cli_load_object(c, key_s, &kh, &kpub)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    /* the key's own scheme, else RSASSA / ECDSA with -g (as certify) */
    TPMT_SIG_SCHEME sch;
    memset(&sch, 0, sizeof sch);
    if (qtpm_tss_key_scheme(&kpub.publicArea, &sch) || sch.scheme == TPM_ALG_NULL) {
        sch.scheme = kpub.publicArea.type == TPM_ALG_ECC ? TPM_ALG_ECDSA : TPM_ALG_RSASSA;
        sch.details.any.hashAlg = hash;
    } else {
        sch.scheme = TPM_ALG_NULL;
    }
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &ea);
    cli_auth_put(&as, 1, &ka);
    static TPM2B_ATTEST att;
    static TPMT_SIGNATURE sig;
    int rc = qtpm_tss_GetTime(t, &as, TPM_RH_ENDORSEMENT, kh, &qual, &sch, &att, &sig);
    if (rc)
        return cli_fail(c, "GetTime", rc);
    static TPMS_ATTEST a;
    size_t o = 0;
    TPM_RC m = qtpm_TPMS_ATTEST_unmarshal(&a, att.buffer, att.size, &o);
    if (m || o != att.size || a.magic != TPM_GENERATED_VALUE || a.type != TPM_ST_ATTEST_TIME) {
        cli_err(c, "GetTime: the TPM's answer is not a TPMS_ATTEST of type TPM_ST_ATTEST_TIME");
        return CLI_EXIT_TPM;
    }
    /* TPMS_TIME_ATTEST_INFO.time, printed like tpm2_gettime / tpm2_readclock */
    const TPMS_TIME_INFO *ti = &a.attested.time.time;
    cli_out_int(c, "time", ti->time);
    cli_out_begin(c, "clock_info");
    cli_out_int(c, "clock", ti->clockInfo.clock);
    cli_out_int(c, "reset_count", ti->clockInfo.resetCount);
    cli_out_int(c, "restart_count", ti->clockInfo.restartCount);
    if (c->json)
        cli_out_bool(c, "safe", ti->clockInfo.safe != 0);
    else
        cli_out_str(c, "safe", ti->clockInfo.safe ? "yes" : "no");
    cli_out_end(c);
    if (c->json) {
        cli_out_hex(c, "attestation", att.buffer, att.size);
        out_signature(c, &sig);
    }
    if (att_s && (e = cli_write_file(c, att_s, att.buffer, att.size)))
        return e;
    if (sig_s) {
        if (plain) {
            static uint8_t raw[sizeof(TPMT_SIGNATURE)];
            size_t rn;
            if (cli_signature_plain(&sig, raw, sizeof raw, &rn))
                return CLI_EXIT_USAGE;
            return cli_write_file(c, sig_s, raw, rn);
        }
        return cli_save_signature(c, sig_s, &sig);
    }
    return 0;
}

/* --------------------------------------------------------- makecredential */

static const char makecredential_usage[] =
    "Usage: qtpm makecredential -e EKPUB -s SECRET -n NAME -o OUT [-G rsa|ecc]\n"
    "MakeCredential computed in software (TPM 2.0 Part 1 §24; no TPM needed).\n"
    "  -e, --encryption-key FILE  the EK public key: TPM2B_PUBLIC or PEM\n"
    "  -s, --secret FILE          the credential (at most the EK name-hash size)\n"
    "  -n, --name HEX             the Name of the key to activate it (hex)\n"
    "  -o, --credential-blob FILE tpm2-tools credential file (ID object + secret)\n"
    "  -G, --key-algorithm A      ignored (the type comes from the key); accepted for\n"
    "                             tpm2_makecredential compatibility\n";

static int cmd_makecredential(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "encryption-key", required_argument, NULL, 'e' },
        { "public", required_argument, NULL, 'u' },
        { "secret", required_argument, NULL, 's' },
        { "name", required_argument, NULL, 'n' },
        { "credential-blob", required_argument, NULL, 'o' },
        { "key-algorithm", required_argument, NULL, 'G' },
        CLI_COMMON_LONGOPTS,
    };
    const char *ek_s = NULL, *sec_s = NULL, *name_s = NULL, *out = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "e:u:s:n:o:G:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'e':
        case 'u': ek_s = optarg; break;
        case 's': sec_s = optarg; break;
        case 'n': name_s = optarg; break;
        case 'o': out = optarg; break;
        case 'G': break;
        CLI_COMMON_CASES(c, ch, makecredential_usage)
        }
    }
    if (!ek_s || !sec_s || !name_s || !out) {
        cli_err(c, "-e EKPUB, -s SECRET, -n NAME and -o OUT are required");
        return CLI_EXIT_USAGE;
    }
    TPMT_PUBLIC ek;
    TPM2B_DIGEST cred;
    TPM2B_NAME name;
    size_t nl;
    if ((e = cli_load_any_public(c, ek_s, &ek)) || (e = cli_load_digest_file(c, sec_s, &cred)))
        return e;
    if (ek.parameters.asymDetail.symmetric.algorithm == TPM_ALG_NULL) {
        /* a PEM key carries no TPM parameters: assume the EK templates' */
        ek.parameters.asymDetail.symmetric.algorithm = TPM_ALG_AES;
        ek.parameters.asymDetail.symmetric.keyBits.aes = 128;
        ek.parameters.asymDetail.symmetric.mode.aes = TPM_ALG_CFB;
        ek.objectAttributes |= TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
    }
    if (cli_parse_hex(name_s, name.buffer, sizeof name.buffer, &nl) || nl < 2) {
        cli_err(c, "-n: the Name as hex, e.g. 000b...");
        return CLI_EXIT_USAGE;
    }
    name.size = (UINT16)nl;
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    int rc = qtpm_tss_make_credential(&ek, &name, &cred, &blob, &secret);
    qtpm_memzero(&cred, sizeof cred);
    if (rc) {
        cli_err(c, "MakeCredential failed: %s", qtpm_tss_strerror(rc));
        return CLI_EXIT_FILE;
    }
    static uint8_t buf[16 + sizeof blob + sizeof secret];
    size_t off = 0;
    UINT32 magic = CRED_MAGIC, version = 1;
    if (qtpm_UINT32_marshal(&magic, buf, sizeof buf, &off) ||
        qtpm_UINT32_marshal(&version, buf, sizeof buf, &off) ||
        qtpm_TPM2B_ID_OBJECT_marshal(&blob, buf, sizeof buf, &off) ||
        qtpm_TPM2B_ENCRYPTED_SECRET_marshal(&secret, buf, sizeof buf, &off)) {
        cli_err(c, "cannot build the credential file");
        return CLI_EXIT_FILE;
    }
    cli_out_hex(c, "credential-blob", blob.buffer, blob.size);
    cli_out_hex(c, "encrypted-secret", secret.buffer, secret.size);
    return cli_write_file(c, out, buf, off);
}

/* ----------------------------------------------------- activatecredential */

static const char activatecredential_usage[] =
    "Usage: qtpm activatecredential -c AK -C EK -i CRED -o OUT [-p AUTH] [-P AUTH]\n"
    "TPM2_ActivateCredential: recovers the secret of a credential made for AK's Name\n"
    "and EK.\n"
    "  -c, --credentialedkey-context AK  the key the credential names\n"
    "  -p, --credentialedkey-auth A      its authorization\n"
    "  -C, --credentialkey-context EK    the EK (decrypts the seed)\n"
    "  -P, --credentialkey-auth A        session:FILE, or the endorsement hierarchy\n"
    "                                    authorization for an automatic EK policy session\n"
    "                                    (PolicySecret(endorsement); the default)\n"
    "  -i, --credential-blob FILE        tpm2-tools credential file\n"
    "  -o, --certinfo-data FILE          write the recovered secret\n";

static int cmd_activatecredential(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "credentialedkey-context", required_argument, NULL, 'c' },
        { "credentialkey-context", required_argument, NULL, 'C' },
        { "credentialedkey-auth", required_argument, NULL, 'p' },
        { "credentialkey-auth", required_argument, NULL, 'P' },
        { "credential-blob", required_argument, NULL, 'i' },
        { "certinfo-data", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *ak_s = NULL, *ek_s = NULL, *pa_s = NULL, *ea_s = NULL, *in = NULL, *out = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "c:C:p:P:i:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': ak_s = optarg; break;
        case 'C': ek_s = optarg; break;
        case 'p': pa_s = optarg; break;
        case 'P': ea_s = optarg; break;
        case 'i': in = optarg; break;
        case 'o': out = optarg; break;
        CLI_COMMON_CASES(c, ch, activatecredential_usage)
        }
    }
    if (!ak_s || !ek_s || !in || !out) {
        cli_err(c, "-c AK, -C EK, -i CRED and -o OUT are required");
        return CLI_EXIT_USAGE;
    }
    uint8_t *d;
    size_t n, off = 8;
    if ((e = cli_read_file(c, in, &d, &n)))
        return e;
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    TPM_RC mr = TPM_RC_INSUFFICIENT;
    int bad = n < 8 || d[0] != 0xBA || d[1] != 0xDC || d[2] != 0xC0 || d[3] != 0xDE ||
              d[4] || d[5] || d[6] || d[7] != 1;
    if (!bad)
        bad = (mr = qtpm_TPM2B_ID_OBJECT_unmarshal(&blob, d, n, &off)) ||
              (mr = qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(&secret, d, n, &off)) ||
              (off != n && (mr = TPM_RC_SIZE));
    free(d);
    if (bad) {
        cli_err(c, "%s is not a credential file (0xBADCC0DE, version 1): %s", in,
                n < 8 ? "too short" : cli_marshal_text(mr));
        return CLI_EXIT_FILE;
    }
    cli_auth pa, ea;
    TPM_HANDLE akh, ekh;
    if ((e = cli_parse_auth(c, pa_s, &pa)) || (e = cli_parse_auth(c, ea_s, &ea)) ||
        (e = cli_load_object(c, ak_s, &akh, NULL)) || (e = cli_load_object(c, ek_s, &ekh, NULL)))
        return e;
    qtpm_tss *t;
    if ((e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_session s;
    int own_session = 0;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &pa);
    if (ea.session) {
        cli_auth_put(&as, 1, &ea);
    } else {
        int rc = qtpm_tss_ek_policy_session(t, &ea.value, &s);
        if (rc)
            return cli_fail(c, "EK policy session", rc);
        own_session = 1;
        as.item[1].session = &s;
        as.item[1].auth = NULL;
        as.count = 2;
    }
    TPM2B_DIGEST cert;
    int rc = qtpm_tss_ActivateCredential(t, &as, akh, ekh, &blob, &secret, &cert);
    if (own_session)
        qtpm_tss_session_close(t, &s);
    if (rc)
        return cli_fail(c, "ActivateCredential", rc);
    cli_out_hex(c, "certinfo", cert.buffer, cert.size);
    e = cli_write_file(c, out, cert.buffer, cert.size);
    qtpm_memzero(&cert, sizeof cert);
    return e;
}

const cli_command cli_cmds_attest[] = {
    { "createek", cmd_createek, "create the endorsement key (EK profile templates)",
      createek_usage },
    { "createak", cmd_createak, "create an attestation key under the EK", createak_usage },
    { "quote", cmd_quote, "quote PCRs with a signing key", quote_usage },
    { "checkquote", cmd_checkquote, "verify a quote in software", checkquote_usage },
    { "certify", cmd_certify, "certify that an object is loaded in the TPM", certify_usage },
    { "gettime", cmd_gettime, "TPM2_GetTime: a signed copy of the TPM's time and clock",
      gettime_usage },
    { "makecredential", cmd_makecredential, "make a credential for an EK and a Name",
      makecredential_usage },
    { "activatecredential", cmd_activatecredential, "recover a credential's secret",
      activatecredential_usage },
    { NULL, NULL, NULL, NULL },
};
