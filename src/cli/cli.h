/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.h — private header of the qtpm command-line tool (src/cli/). main.c
 * dispatches each subcommand to a function in one of the cmd_*.c files; the
 * shared pieces live in util.c (options, files, handles and context files,
 * authorizations and session files, output in text or JSON), rc.c (TPM
 * response code decoding in the manner of tpm2_rc_decode) and pem.c
 * (public keys to and from PEM through OpenSSL).
 *
 * Conventions: every subcommand returns its process exit status (0 success,
 * 1 a usage or file error, 2 a TPM or transport error, 3 a failed
 * verification). Messages go to stderr; results go to stdout as YAML-like
 * "key: value" lines, or as one JSON object with --json. Files use the
 * formats tpm2-tools 5.4 uses (see docs/CLI.md), so scripts can mix both
 * tools.
 */
#ifndef QTPM_CLI_H
#define QTPM_CLI_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

/* Exit status, as tpm2-tools' tool_rc (docs/CLI.md "Exit status"). */
#define CLI_EXIT_OK 0
#define CLI_EXIT_GENERAL 1     /* the operation failed: a file, the TPM, a check */
#define CLI_EXIT_USAGE 2       /* a bad or missing option or argument */
#define CLI_EXIT_AUTH 3        /* the TPM refused an authorization */
#define CLI_EXIT_TCTI 4        /* the TPM could not be reached or spoke nonsense */
#define CLI_EXIT_UNSUPPORTED 5 /* the TPM does not support what was asked */
#define CLI_EXIT_FILE CLI_EXIT_GENERAL   /* missing, unreadable or malformed file */
#define CLI_EXIT_TPM CLI_EXIT_GENERAL    /* any other TPM error */
#define CLI_EXIT_VERIFY CLI_EXIT_GENERAL /* a signature, quote or policy check failed */

/* The exit status for a TPM response code (> 0) or a libqtss error (< 0). */
int cli_exit_for(int rc);

/* The "json-version" of every --json document (docs/CLI.md "JSON output"). */
#define CLI_JSON_VERSION 1

/* Long options every subcommand accepts besides its own. */
#define CLI_OPT_JSON 0x1001
#define CLI_COMMON_LONGOPTS                                                   \
    { "tcti", required_argument, NULL, 'T' }, { "json", no_argument, NULL, CLI_OPT_JSON }, \
    { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }

/* A subcommand returns CLI_HELP after printing its --help text. */
#define CLI_HELP (-1)
/* The default: branch of every subcommand's option switch. */
#define CLI_COMMON_CASES(c, ch, usage)                                     \
    default: {                                                             \
        int r_ = cli_common_opt((c), (ch), (usage));                       \
        if (r_ == 0)                                                       \
            return CLI_HELP;                                               \
        if (r_ < 0)                                                        \
            return CLI_EXIT_USAGE;                                         \
    } break;

typedef struct cli_session_file cli_session_file;

/* Per-run state: the TPM connection (opened on first use), output, and what
 * must be undone before the program exits (objects loaded from context files
 * are flushed, sessions loaded from session files are saved back). */
typedef struct {
    const char *tcti;
    int json;
    const char *cmd; /* subcommand name, for messages */
    qtpm_tss *tss;
    json_t *out;          /* the JSON result object (json mode) */
    json_t *stack[8];     /* nested objects being filled */
    int depth;
    TPM_HANDLE flush[16]; /* transient handles to flush at exit */
    size_t n_flush;
    cli_session_file *sessions[QTPM_TSS_MAX_SESSIONS + 1];
    size_t n_sessions;
} cli_ctx;

/* A subcommand: name, entry point, one-line summary, full usage text. */
typedef struct {
    const char *name;
    int (*run)(cli_ctx *c, int argc, char **argv);
    const char *summary;
    const char *usage;
} cli_command;

/* The subcommand tables of each family (terminated by a NULL name). */
extern const cli_command cli_cmds_basic[];
extern const cli_command cli_cmds_pcr[];
extern const cli_command cli_cmds_object[];
extern const cli_command cli_cmds_crypto[];
extern const cli_command cli_cmds_attest[];
extern const cli_command cli_cmds_nv[];
extern const cli_command cli_cmds_session[];
extern const cli_command cli_cmds_pqc[];
extern const cli_command cli_cmds_decode[];

/* ------------------------------------------------------------- messages */

void cli_err(cli_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reports a failed library/TPM call (decoded) and returns CLI_EXIT_TPM. */
int cli_fail(cli_ctx *c, const char *what, int rc);
/* tpm2_rc_decode-style text: "TPM_RC_AUTH_FAIL (0x98e): layer tpm, format 1,
 * session 1: the authorization HMAC check failed ..." */
void cli_rc_decode(uint32_t rc, char *buf, size_t cap);
/* Fills a JSON object with the decoded fields of rc. */
json_t *cli_rc_json(uint32_t rc);

/* --------------------------------------------------------------- options */

/* Handles the common options inside a subcommand's getopt loop. Returns 1
 * when ch was handled, 0 for --help (usage printed; exit 0), -1 for an
 * unknown option (exit 1). */
int cli_common_opt(cli_ctx *c, int ch, const char *usage);
void cli_usage(const char *usage);
int cli_parse_u32(const char *s, uint32_t *v);
int cli_parse_hierarchy(const char *s, TPM_HANDLE *h);
int cli_parse_hash(const char *s, TPMI_ALG_HASH *alg);
const char *cli_hash_name(TPM_ALG_ID alg);
const char *cli_alg_name(TPM_ALG_ID alg);
/* "sha256:0,1,2+sha1:all" (tpm2-tools PCR list syntax). */
int cli_parse_pcr_list(const char *s, TPML_PCR_SELECTION *sel);
/* hex string (optional 0x) to bytes. */
int cli_parse_hex(const char *s, uint8_t *out, size_t cap, size_t *len);
/* "fixedtpm|fixedparent|..." or a number. */
int cli_parse_object_attrs(const char *s, TPMA_OBJECT *a);
int cli_parse_nv_attrs(const char *s, TPMA_NV *a);
/* -G key algorithm into a template (see docs/CLI.md): "rsa2048:rsassa-sha256",
 * "ecc256:ecdsa", "rsa2048:null:aes128cfb", "aes256cfb", "hmac", "keyedhash",
 * "mldsa65", "mlkem768" ... attrs are final attributes (restricted keys get
 * default schemes / symmetric definitions). */
int cli_parse_key_alg(const char *s, TPMA_OBJECT attrs, TPMI_ALG_HASH name_alg,
                      TPMT_PUBLIC *pub);

/* ----------------------------------------------------------------- files */

/* Whole file into a malloc'd buffer (path "-" is stdin). Reports errors. */
int cli_read_file(cli_ctx *c, const char *path, uint8_t **data, size_t *len);
int cli_write_file(cli_ctx *c, const char *path, const void *data, size_t len);
/* Reads a file holding exactly one marshalled structure. */
int cli_load_public(cli_ctx *c, const char *path, TPM2B_PUBLIC *pub);
int cli_load_private(cli_ctx *c, const char *path, TPM2B_PRIVATE *priv);
int cli_load_signature(cli_ctx *c, const char *path, TPMT_SIGNATURE *sig);
int cli_load_attest(cli_ctx *c, const char *path, TPM2B_ATTEST *att);
int cli_load_digest_file(cli_ctx *c, const char *path, TPM2B_DIGEST *d);
int cli_save_public(cli_ctx *c, const char *path, const TPM2B_PUBLIC *pub);
int cli_save_private(cli_ctx *c, const char *path, const TPM2B_PRIVATE *priv);
int cli_save_signature(cli_ctx *c, const char *path, const TPMT_SIGNATURE *sig);
/* Public key: TPM2B_PUBLIC or PEM (detected from the content). */
int cli_load_any_public(cli_ctx *c, const char *path, TPMT_PUBLIC *pub);

/* Marshal-error text for file messages. */
const char *cli_marshal_text(TPM_RC rc);

/* ------------------------------------------------------- TPM and handles */

/* The TPM connection: -T/--tcti, else $QTPM_TCTI, else $TPM2TOOLS_TCTI. */
int cli_tpm(cli_ctx *c, qtpm_tss **t);

/* Resolves an object given as a handle ("0x81000001"), a context file in
 * tpm2-tools' format (ContextLoad; flushed at exit) or a serialized
 * persistent handle file written by tpm2_evictcontrol -o. pub may be NULL. */
int cli_load_object(cli_ctx *c, const char *spec, TPM_HANDLE *h, TPM2B_PUBLIC *pub);
/* Hierarchy letter, handle, or object context (for -C parent options). */
int cli_load_parent(cli_ctx *c, const char *spec, TPM_HANDLE *h);
/* Saves a loaded transient object to a tpm2-tools context file. */
int cli_save_object_context(cli_ctx *c, TPM_HANDLE h, const char *path);
/* A tpm2-tools context file to and from TPMS_CONTEXT. */
int cli_context_file_read(cli_ctx *c, const char *path, TPMS_CONTEXT *ctx,
                          TPM2B_PUBLIC *pub_meta);
int cli_context_file_write(cli_ctx *c, const char *path, const TPMS_CONTEXT *ctx,
                           TPM_HANDLE handle, const TPM2B_NAME *name,
                           const TPM2B_PUBLIC *pub);
/* Remembers a transient handle to flush at exit. */
void cli_flush_later(cli_ctx *c, TPM_HANDLE h);
void cli_flush_cancel(cli_ctx *c, TPM_HANDLE h);

/* ----------------------------------------------------- authorizations */

/* An authorization as given by -p/-P: "str:pw", "hex:00ff", "file:path",
 * "session:file", or a plain password. */
typedef struct {
    TPM2B_AUTH value;
    cli_session_file *session; /* NULL: password */
} cli_auth;

int cli_parse_auth(cli_ctx *c, const char *spec, cli_auth *a);
/* Fills entry i of auths (count grows to i + 1). */
void cli_auth_put(qtpm_tss_auths *as, size_t i, cli_auth *a);

/* Session files (qtpm's own format, see util.c): loaded into the TPM and
 * kept in c->sessions; saved back at exit. */
int cli_session_load(cli_ctx *c, const char *path, qtpm_tss_session **s);
int cli_session_create(cli_ctx *c, const char *path, qtpm_tss_session **s);
/* A created session is live in the TPM (save it at exit) / was flushed. */
void cli_session_mark_loaded(cli_ctx *c, qtpm_tss_session *s);
void cli_session_forget(cli_ctx *c, qtpm_tss_session *s);
/* tpm2_evictcontrol -o format: serialized ESYS_TR of a persistent key. */
int cli_write_serialized_tr(cli_ctx *c, const char *path, TPM_HANDLE h, const TPM2B_NAME *name,
                            const TPM2B_PUBLIC *pub);

/* Runs the end-of-program duties (save sessions, flush objects). Returns
 * 0, or the exit status when a session could not be saved back. */
int cli_cleanup(cli_ctx *c);

/* ---------------------------------------------------------------- output */

void cli_out_str(cli_ctx *c, const char *key, const char *val);
void cli_out_fmt(cli_ctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cli_out_hex(cli_ctx *c, const char *key, const uint8_t *data, size_t len);
/* One PCR value, the same everywhere (pcrread, quote, checkquote): text as
 * tpm2_pcrread prints it ("0 : 0xABCD..."), JSON {"0": "abcd..."}. */
void cli_out_pcr(cli_ctx *c, unsigned index, const uint8_t *digest, size_t len);
void cli_out_int(cli_ctx *c, const char *key, uint64_t v);
void cli_out_handle(cli_ctx *c, const char *key, uint32_t v);
void cli_out_bool(cli_ctx *c, const char *key, int v);
/* Nested objects (a YAML mapping / JSON object). */
void cli_out_begin(cli_ctx *c, const char *key);
void cli_out_end(cli_ctx *c);
/* Prints the JSON object (json mode). */
void cli_out_flush(cli_ctx *c);

/* ------------------------------------------------------------------- PEM */

int cli_public_to_pem(const TPMT_PUBLIC *pub, char **pem, size_t *len);
/* Public key output formats (-f): TPM2B_PUBLIC, PEM, or the raw key bytes
 * (the only portable form of ML-KEM / ML-DSA keys with OpenSSL 3.0). */
#define CLI_PUB_TSS 0
#define CLI_PUB_PEM 1
#define CLI_PUB_RAW 2
int cli_parse_pub_format(cli_ctx *c, const char *s, int *fmt);
int cli_write_public_fmt(cli_ctx *c, const char *path, const TPM2B_PUBLIC *pub, int fmt);
/* "mlkem768", "mldsa44", ... for a PQC key; "none" otherwise. */
const char *cli_pqc_set_name(const TPMT_PUBLIC *p);
int cli_pem_to_public(const uint8_t *pem, size_t len, TPMT_PUBLIC *pub);
/* Plain signature (RSA: raw; ECDSA: DER) for openssl. */
int cli_signature_plain(const TPMT_SIGNATURE *sig, uint8_t *out, size_t cap, size_t *len);
/* Software digest with OpenSSL. */
int cli_digest(TPMI_ALG_HASH alg, const uint8_t *data, size_t len, TPM2B_DIGEST *out);

/* Shared by several families: PCR values in selection order. */
int cli_pcr_values(cli_ctx *c, const TPML_PCR_SELECTION *sel, TPM2B_DIGEST *vals,
                   size_t cap, size_t *n);
size_t cli_pcr_count(const TPML_PCR_SELECTION *sel);
/* PCR value files: "values" (digests concatenated) or tpm2-tools'
 * "serialized" layout; reading detects which one it is. */
int cli_pcr_file_write(cli_ctx *c, const char *path, const TPML_PCR_SELECTION *sel,
                       const TPM2B_DIGEST *vals, size_t n, int serialized);
int cli_pcr_file_read(cli_ctx *c, const char *path, const TPML_PCR_SELECTION *sel,
                      TPM2B_DIGEST *vals, size_t cap, size_t *n);

#endif
