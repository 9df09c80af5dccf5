/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c — entry point of `qtpm`, the command-line tool over libqtss
 * (DESIGN.md: "C API (libqtss) or CLI (qtpm)"). It reads the global options,
 * finds the subcommand in the family tables (cmd_basic.c, cmd_pcr.c,
 * cmd_object.c, cmd_crypto.c, cmd_attest.c, cmd_nv.c, cmd_session.c,
 * cmd_pqc.c, cmd_decode.c), runs
 * it, prints the JSON result when --json was given, and always runs the
 * clean-up: objects loaded from context files are flushed and sessions
 * loaded from session files are saved back, so a run leaves the TPM's
 * object and session slots as it found them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "qtpm/version.h"

static const cli_command *const families[] = {
    cli_cmds_basic, cli_cmds_pcr, cli_cmds_object, cli_cmds_crypto,
    cli_cmds_attest, cli_cmds_nv, cli_cmds_session, cli_cmds_pqc, cli_cmds_decode,
};

static const char global_usage[] =
    "Usage: qtpm [-T TCTI] [--json] SUBCOMMAND [OPTIONS] [ARGS]\n"
    "       qtpm SUBCOMMAND --help\n"
    "\n"
    "A TPM 2.0 command-line tool on libqtss. Subcommands are named and optioned\n"
    "like tpm2-tools 5.4 and read and write the same file formats, so both tools\n"
    "can be mixed in one script.\n"
    "\n"
    "Global options (also accepted after the subcommand):\n"
    "  -T, --tcti SPEC   the TPM to talk to: swtpm:host=H,port=N | mssim:host=H,port=N\n"
    "                    | device:/dev/tpmrm0. Default: $QTPM_TCTI, else\n"
    "                    $TPM2TOOLS_TCTI, else device:/dev/tpmrm0\n"
    "      --json        print the result as one JSON object on stdout\n"
    "  -h, --help        this text; `qtpm SUBCOMMAND --help` for a subcommand\n"
    "  -v, --version     the version\n"
    "\n"
    "Values used by many subcommands:\n"
    "  handles/contexts  0x81000001 (a persistent or other handle), or a context file\n"
    "                    (tpm2-tools format, magic 0xBADCC0DE) or a serialized\n"
    "                    persistent handle (tpm2_evictcontrol -o). Objects loaded from\n"
    "                    files are flushed again when the subcommand ends.\n"
    "  hierarchies       o|owner, p|platform, e|endorsement, n|null, l|lockout, or a handle\n"
    "  authorizations    str:PASSWORD (or plain PASSWORD), hex:HEX, file:PATH,\n"
    "                    session:SESSIONFILE (made by qtpm startauthsession)\n"
    "  PCR lists         sha256:0,1,2+sha1:all\n"
    "  hash algorithms   sha1 sha256 sha384 sha512 sha3_256 sha3_384 sha3_512\n"
    "  key algorithms    rsa2048 ecc256 aes128cfb hmac ... and TPM 2.0 v1.85's\n"
    "                    mlkem512/768/1024, mldsa44/65/87[:extmu],\n"
    "                    hashmldsa44/65/87[:sha256|sha384|sha512]\n"
    "\n"
    "Exit status (as tpm2-tools): 0 success, 1 the operation failed (a file, a TPM\n"
    "error, printed decoded, or a failed verification), 2 a bad option or argument,\n"
    "3 an authorization refused, 4 the TPM unreachable (TCTI), 5 unsupported.\n"
    "\n"
    "Subcommands:\n";

static void print_help(void)
{
    fputs(global_usage, stdout);
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (const cli_command *c = families[f]; c->name; c++)
            printf("  %-20s %s\n", c->name, c->summary);
    fputs("\nSee docs/CLI.md for file formats and examples.\n", stdout);
}

static const cli_command *find_command(const char *name)
{
    if (!strncmp(name, "tpm2_", 5)) /* "qtpm tpm2_quote" reads like the original */
        name += 5;
    for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
        for (const cli_command *c = families[f]; c->name; c++)
            if (!strcmp(c->name, name))
                return c;
    return NULL;
}

int main(int argc, char **argv)
{
    cli_ctx c;
    memset(&c, 0, sizeof c);
    c.cmd = "";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if ((!strcmp(a, "-T") || !strcmp(a, "--tcti")) && i + 1 < argc)
            c.tcti = argv[++i];
        else if (!strncmp(a, "--tcti=", 7))
            c.tcti = a + 7;
        else if (!strcmp(a, "--json"))
            c.json = 1;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            print_help();
            return 0;
        } else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
            printf("qtpm " QTPM_VERSION "\n");
            return 0;
        } else {
            fprintf(stderr, "qtpm: unknown option %s (see qtpm --help)\n", a);
            return CLI_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        print_help();
        return CLI_EXIT_USAGE;
    }
    const cli_command *cmd = find_command(argv[i]);
    if (!cmd) {
        fprintf(stderr, "qtpm: unknown subcommand \"%s\" (see qtpm --help)\n", argv[i]);
        return CLI_EXIT_USAGE;
    }
    c.cmd = cmd->name;
    c.out = json_object();
    /* --json output is versioned (docs/schemas/qtpm-cli-v1.schema.json): the
     * number changes when a key changes meaning or goes away. */
    json_object_set_new(c.out, "json-version", json_integer(CLI_JSON_VERSION));
    optind = 0; /* GNU getopt: full re-initialisation for the subcommand */
    opterr = 1;
    int rc = cmd->run(&c, argc - i, argv + i);
    int cleanup_rc = cli_cleanup(&c);
    if (rc == 0 && cleanup_rc)
        rc = cleanup_rc;
    if (rc >= 0)
        cli_out_flush(&c);
    json_decref(c.out);
    return rc < 0 ? 0 : rc;
}
