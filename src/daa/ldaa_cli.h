/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa_cli.h — the `qtpm-daa ldaa-*` subcommands (ldaa_cli.c), called by
 * main.c with the options it parsed.
 */
#ifndef QTPM_LDAA_CLI_H
#define QTPM_LDAA_CLI_H

typedef struct {
    const char *isk, *ipk, *nonce, *request, *credential, *sig, *msg, *basename, *key, *revoked;
    const char *tcti; /* set: the TPM part is a key in this TPM (--key: its key file) */
    const char *challenge, *state, *response, *cred_msg; /* the join bound to the EK */
    const char *pos[2];
    int npos;
} ldaa_cli_opts;

/* Runs subcommand name; its exit status, or -1 when name is not an ldaa-*
 * command. */
int ldaa_cli(const char *name, const ldaa_cli_opts *o);

#endif
