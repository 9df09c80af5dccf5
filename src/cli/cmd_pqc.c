/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd_pqc.c — the post-quantum subcommands of qtpm, for the commands TPM 2.0
 * Library v1.85 added (docs/PQC.md): encapsulate and decapsulate (ML-KEM,
 * TPM2_Encapsulate / TPM2_Decapsulate of Part 3 v1.85), signdigest and
 * verifydigestsignature (TPM2_SignDigest / TPM2_VerifyDigestSignature).
 * tpm2-tools 5.4 has no counterparts, so the options follow its naming
 * habits: -c the key, -p its authorization, -o the output, -s a signature.
 *
 * Files: the shared secret and the ciphertext are raw bytes (the contents
 * of TPM2B_SHARED_SECRET / TPM2B_KEM_CIPHERTEXT), signatures marshalled
 * TPMT_SIGNATURE with the v1.85 ML-DSA members, tickets marshalled
 * TPMT_TK_VERIFIED. encapsulate -u runs FIPS 203 ML-KEM.Encaps in software
 * (qtpm/mlkem.h) for a sender that has only the public key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "qtpm/mlkem.h"

/* The shared secret to its file and to the output (hex, as tpm2_getrandom
 * --hex would show it: it is the user's to protect). */
static int write_secret(cli_ctx *c, const char *path, const TPM2B_SHARED_SECRET *ss)
{
    if (!path) {
        cli_out_hex(c, "shared-secret", ss->buffer, ss->size);
        return 0;
    }
    cli_out_int(c, "shared-secret-size", ss->size);
    return cli_write_file(c, path, ss->buffer, ss->size);
}

/* ------------------------------------------------------------ encapsulate */

static const char encapsulate_usage[] =
    "Usage: qtpm encapsulate (-c KEY | -u PUB) -C CIPHERTEXT [-o SECRET]\n"
    "ML-KEM encapsulation to an ML-KEM key: a fresh 32-byte shared secret and the\n"
    "ciphertext that gives it back to the key's holder (qtpm decapsulate).\n"
    "  -c, --key-context K      the ML-KEM key in the TPM (TPM2_Encapsulate; an\n"
    "                           unrestricted key, no authorization needed)\n"
    "  -u, --public FILE        or its TPM2B_PUBLIC: FIPS 203 ML-KEM.Encaps in\n"
    "                           software, no TPM needed\n"
    "  -C, --ciphertext FILE    write the ciphertext (raw bytes)\n"
    "  -o, --shared-secret FILE write the shared secret (raw bytes); without -o it\n"
    "                           is printed in hex\n";

static int cmd_encapsulate(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "public", required_argument, NULL, 'u' },
        { "ciphertext", required_argument, NULL, 'C' },
        { "shared-secret", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *pub_s = NULL, *ct_s = NULL, *ss_s = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "c:u:C:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 'u': pub_s = optarg; break;
        case 'C': ct_s = optarg; break;
        case 'o': ss_s = optarg; break;
        CLI_COMMON_CASES(c, ch, encapsulate_usage)
        }
    }
    if (!(key_s || pub_s) || (key_s && pub_s) || !ct_s || optind != argc) {
        cli_err(c, "one of -c KEY or -u PUB, and -C CIPHERTEXT, are required");
        return CLI_EXIT_USAGE;
    }
    TPM2B_SHARED_SECRET ss;
    static TPM2B_KEM_CIPHERTEXT ct;
    if (pub_s) {
        static TPM2B_PUBLIC pub;
        if ((e = cli_load_public(c, pub_s, &pub)))
            return e;
        const TPMT_PUBLIC *p = &pub.publicArea;
        if (p->type != TPM_ALG_MLKEM) {
            cli_err(c, "%s is a %s key, not ML-KEM", pub_s, cli_alg_name(p->type));
            return CLI_EXIT_FILE;
        }
        qtpm_mlkem_set set = (qtpm_mlkem_set)p->parameters.mlkemDetail.parameterSet;
        if (qtpm_mlkem_encaps(set, p->unique.mlkem.buffer, p->unique.mlkem.size, ct.buffer,
                              ss.buffer)) {
            cli_err(c, "%s: not a valid ML-KEM encapsulation key (FIPS 203 §7.2)", pub_s);
            return CLI_EXIT_FILE;
        }
        ct.size = (UINT16)qtpm_mlkem_ct_bytes(set);
        ss.size = QTPM_MLKEM_SS_BYTES;
        cli_out_str(c, "computed", "software");
    } else {
        TPM_HANDLE h;
        qtpm_tss *t;
        if ((e = cli_load_object(c, key_s, &h, NULL)) || (e = cli_tpm(c, &t)))
            return e;
        int rc = qtpm_tss_Encapsulate(t, NULL, h, &ss, &ct);
        if (rc)
            return cli_fail(c, "Encapsulate", rc);
    }
    cli_out_int(c, "ciphertext-size", ct.size);
    e = cli_write_file(c, ct_s, ct.buffer, ct.size);
    if (!e)
        e = write_secret(c, ss_s, &ss);
    qtpm_memzero(&ss, sizeof ss);
    return e;
}

/* ------------------------------------------------------------ decapsulate */

static const char decapsulate_usage[] =
    "Usage: qtpm decapsulate -c KEY [-p AUTH] -C CIPHERTEXT [-o SECRET]\n"
    "TPM2_Decapsulate: the shared secret of an ML-KEM ciphertext, with the key's\n"
    "private part (an unrestricted ML-KEM key). A ciphertext of the wrong length is\n"
    "refused by the TPM (TPM_RC_SIZE); a forged one of the right length gives an\n"
    "unrelated secret (FIPS 203 implicit rejection).\n"
    "  -c, --key-context K      the ML-KEM key\n"
    "  -p, --auth A             its authorization\n"
    "  -C, --ciphertext FILE    the ciphertext (raw bytes)\n"
    "  -o, --shared-secret FILE write the shared secret (raw); without -o it is\n"
    "                           printed in hex\n";

static int cmd_decapsulate(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "auth", required_argument, NULL, 'p' },
        { "ciphertext", required_argument, NULL, 'C' },
        { "shared-secret", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *auth_s = NULL, *ct_s = NULL, *ss_s = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "c:p:C:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 'p': auth_s = optarg; break;
        case 'C': ct_s = optarg; break;
        case 'o': ss_s = optarg; break;
        CLI_COMMON_CASES(c, ch, decapsulate_usage)
        }
    }
    if (!key_s || !ct_s || optind != argc) {
        cli_err(c, "-c KEY and -C CIPHERTEXT are required");
        return CLI_EXIT_USAGE;
    }
    uint8_t *d;
    size_t n;
    static TPM2B_KEM_CIPHERTEXT ct;
    if ((e = cli_read_file(c, ct_s, &d, &n)))
        return e;
    if (n == 0 || n > sizeof ct.buffer) {
        free(d);
        cli_err(c, "%s: %zu bytes is no ML-KEM ciphertext (1..%zu)", ct_s, n, sizeof ct.buffer);
        return CLI_EXIT_FILE;
    }
    memcpy(ct.buffer, d, n);
    ct.size = (UINT16)n;
    free(d);
    cli_auth a;
    TPM_HANDLE h;
    qtpm_tss *t;
    if ((e = cli_parse_auth(c, auth_s, &a)) || (e = cli_load_object(c, key_s, &h, NULL)) ||
        (e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    TPM2B_SHARED_SECRET ss;
    int rc = qtpm_tss_Decapsulate(t, &as, h, &ct, &ss);
    if (rc)
        return cli_fail(c, "Decapsulate", rc);
    e = write_secret(c, ss_s, &ss);
    qtpm_memzero(&ss, sizeof ss);
    return e;
}

/* ------------------------------------------------ signdigest / verify... */

/* The FIPS 204 context string: hex, or the contents of a file. */
static int parse_sign_context(cli_ctx *c, const char *s, TPM2B_SIGNATURE_CTX *ctx)
{
    size_t n;
    memset(ctx, 0, sizeof *ctx);
    if (!s)
        return 0;
    if (cli_parse_hex(s, ctx->buffer, sizeof ctx->buffer, &n) == 0) {
        ctx->size = (UINT16)n;
        return 0;
    }
    uint8_t *d;
    if (cli_read_file(c, s, &d, &n))
        return CLI_EXIT_USAGE;
    if (n > sizeof ctx->buffer) {
        free(d);
        cli_err(c, "a signature context has at most %zu bytes (FIPS 204)", sizeof ctx->buffer);
        return CLI_EXIT_USAGE;
    }
    memcpy(ctx->buffer, d, n);
    ctx->size = (UINT16)n;
    free(d);
    return 0;
}

/* A digest file: at most 64 bytes (PH(M) or an external mu). */
static int read_digest(cli_ctx *c, const char *path, TPM2B_DIGEST *dg)
{
    uint8_t *d;
    size_t n;
    int e = cli_read_file(c, path, &d, &n);
    if (e)
        return e;
    if (n == 0 || n > sizeof dg->buffer) {
        free(d);
        cli_err(c, "%s: %zu bytes is not a digest (1..%zu)", path, n, sizeof dg->buffer);
        return CLI_EXIT_FILE;
    }
    memcpy(dg->buffer, d, n);
    dg->size = (UINT16)n;
    free(d);
    return 0;
}

static const char signdigest_usage[] =
    "Usage: qtpm signdigest -c KEY [-p AUTH] [-x CONTEXT] [-t TICKET] -o SIG DIGESTFILE\n"
    "TPM2_SignDigest: a HashML-DSA key signs PH(M), the pre-hash of a message with\n"
    "the key's hash, under a FIPS 204 context string; an ML-DSA key with\n"
    "allowExternalMu (-G mldsa65:extmu) signs a 64-byte external mu (no context).\n"
    "  -c, --key-context K      the signing key\n"
    "  -p, --auth A             its authorization\n"
    "  -x, --context CTX        the FIPS 204 context: hex, or a file (default empty)\n"
    "  -t, --ticket FILE        a TPMT_TK_HASHCHECK (qtpm hash -t) for restricted keys\n"
    "  -o, --signature FILE     write the TPMT_SIGNATURE\n";

static int cmd_signdigest(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "auth", required_argument, NULL, 'p' },
        { "context", required_argument, NULL, 'x' },
        { "ticket", required_argument, NULL, 't' },
        { "signature", required_argument, NULL, 'o' },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *auth_s = NULL, *ctx_s = NULL, *tk_s = NULL, *out = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "c:p:x:t:o:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 'p': auth_s = optarg; break;
        case 'x': ctx_s = optarg; break;
        case 't': tk_s = optarg; break;
        case 'o': out = optarg; break;
        CLI_COMMON_CASES(c, ch, signdigest_usage)
        }
    }
    if (!key_s || !out || optind + 1 != argc) {
        cli_err(c, "-c KEY, -o SIG and one DIGESTFILE are required");
        return CLI_EXIT_USAGE;
    }
    TPM2B_SIGNATURE_CTX sctx;
    TPM2B_DIGEST dg;
    TPMT_TK_HASHCHECK ticket, *tk = NULL;
    if ((e = parse_sign_context(c, ctx_s, &sctx)) || (e = read_digest(c, argv[optind], &dg)))
        return e;
    if (tk_s) {
        uint8_t *d;
        size_t n, off = 0;
        if ((e = cli_read_file(c, tk_s, &d, &n)))
            return e;
        TPM_RC mr = qtpm_TPMT_TK_HASHCHECK_unmarshal(&ticket, d, n, &off);
        free(d);
        if (mr || off != n) {
            cli_err(c, "%s is not a TPMT_TK_HASHCHECK file: %s", tk_s,
                    cli_marshal_text(mr ? mr : TPM_RC_SIZE));
            return CLI_EXIT_FILE;
        }
        tk = &ticket;
    }
    cli_auth a;
    TPM_HANDLE h;
    qtpm_tss *t;
    if ((e = cli_parse_auth(c, auth_s, &a)) || (e = cli_load_object(c, key_s, &h, NULL)) ||
        (e = cli_tpm(c, &t)))
        return e;
    qtpm_tss_auths as = { 0 };
    cli_auth_put(&as, 0, &a);
    static TPMT_SIGNATURE sig;
    int rc = qtpm_tss_SignDigest(t, &as, h, &sctx, &dg, tk, &sig);
    if (rc)
        return cli_fail(c, "SignDigest", rc);
    cli_out_str(c, "algorithm", cli_alg_name(sig.sigAlg));
    return cli_save_signature(c, out, &sig);
}

static const char verifydigestsignature_usage[] =
    "Usage: qtpm verifydigestsignature -c KEY -s SIG -d DIGESTFILE [-x CONTEXT]\n"
    "                                  [-t TICKET]\n"
    "TPM2_VerifyDigestSignature: verifies a signature over a digest as signdigest\n"
    "made it (HashML-DSA: PH(M) and the context; ML-DSA: an external mu).\n"
    "  -c, --key-context K      the public key (context file or handle)\n"
    "  -s, --signature FILE     the TPMT_SIGNATURE\n"
    "  -d, --digest FILE        the digest\n"
    "  -x, --context CTX        the FIPS 204 context: hex, or a file (default empty)\n"
    "  -t, --ticket FILE        write the TPMT_TK_VERIFIED (TPM_ST_DIGEST_VERIFIED)\n"
    "Exit status 3 when the signature does not verify.\n";

static int cmd_verifydigestsignature(cli_ctx *c, int argc, char **argv)
{
    static const struct option opts[] = {
        { "key-context", required_argument, NULL, 'c' },
        { "signature", required_argument, NULL, 's' },
        { "digest", required_argument, NULL, 'd' },
        { "context", required_argument, NULL, 'x' },
        { "ticket", required_argument, NULL, 't' },
        CLI_COMMON_LONGOPTS,
    };
    const char *key_s = NULL, *sig_s = NULL, *dig_s = NULL, *ctx_s = NULL, *tk_s = NULL;
    int ch, e;
    while ((ch = getopt_long(argc, argv, "c:s:d:x:t:T:h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c': key_s = optarg; break;
        case 's': sig_s = optarg; break;
        case 'd': dig_s = optarg; break;
        case 'x': ctx_s = optarg; break;
        case 't': tk_s = optarg; break;
        CLI_COMMON_CASES(c, ch, verifydigestsignature_usage)
        }
    }
    if (!key_s || !sig_s || !dig_s || optind != argc) {
        cli_err(c, "-c KEY, -s SIG and -d DIGEST are required");
        return CLI_EXIT_USAGE;
    }
    TPM2B_SIGNATURE_CTX sctx;
    TPM2B_DIGEST dg;
    static TPMT_SIGNATURE sig;
    if ((e = parse_sign_context(c, ctx_s, &sctx)) || (e = read_digest(c, dig_s, &dg)) ||
        (e = cli_load_signature(c, sig_s, &sig)))
        return e;
    TPM_HANDLE h;
    qtpm_tss *t;
    if ((e = cli_load_object(c, key_s, &h, NULL)) || (e = cli_tpm(c, &t)))
        return e;
    TPMT_TK_VERIFIED tk;
    int rc = qtpm_tss_VerifyDigestSignature(t, NULL, h, &sctx, &dg, &sig, &tk);
    if (rc) {
        cli_fail(c, "VerifyDigestSignature", rc);
        return (rc & 0xBFU) == (TPM_RC_SIGNATURE & 0xBFU) ? CLI_EXIT_VERIFY : CLI_EXIT_TPM;
    }
    cli_out_bool(c, "verified", 1);
    if (tk_s) {
        static uint8_t buf[sizeof tk + 16];
        size_t off = 0;
        if (qtpm_TPMT_TK_VERIFIED_marshal(&tk, buf, sizeof buf, &off)) {
            cli_err(c, "cannot marshal the ticket");
            return CLI_EXIT_FILE;
        }
        return cli_write_file(c, tk_s, buf, off);
    }
    return 0;
}

const cli_command cli_cmds_pqc[] = {
    { "encapsulate", cmd_encapsulate, "ML-KEM: a shared secret and its ciphertext",
      encapsulate_usage },
    { "decapsulate", cmd_decapsulate, "ML-KEM: the shared secret of a ciphertext",
      decapsulate_usage },
    { "signdigest", cmd_signdigest, "sign a digest or external mu (HashML-DSA, ML-DSA)",
      signdigest_usage },
    { "verifydigestsignature", cmd_verifydigestsignature,
      "verify a signature over a digest in the TPM", verifydigestsignature_usage },
    { NULL, NULL, NULL, NULL },
};
