/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cmd.h — one command as a handler sees it (struct tpm_cmd): the handles and
 * authorizations dispatch.c parsed, the parameter area (decrypted) to read
 * and the response parameters to write. A typed handler (params.h) gets its
 * parameters unmarshalled and returns its response parameters as structs;
 * an untyped one reads c->in with the cursors of cursor.h and the shared
 * marshalling module (qtpm/marshal.h), and writes its response to c->out.
 */
#ifndef QTPM_ENGINE_CMD_H
#define QTPM_ENGINE_CMD_H

#include "cursor.h"
#include "tpm.h"

/* ------------------------------------------------------------ command context */

/* One parsed authorization of the command's authorization area. */
typedef struct {
    TPM_HANDLE handle;
    tpm_buf64 nonce_caller;
    uint8_t attrs;
    uint16_t hmac_size;
    uint8_t hmac[MAX_DIGEST];
    struct tpm_session *sess; /* NULL for a password authorization */
} tpm_auth_in;

typedef struct tpm_cmd {
    TPM_CC cc;
    uint8_t locality;
    TPM_ST tag;
    TPM_HANDLE handles[3];
    unsigned nhandles;
    tpm_auth_in auths[MAX_AUTH_SESSIONS];
    unsigned nauths;
    tpm_rd in;                 /* the parameter area (decrypted) */
    tpm_wr out;                /* response parameters */
    TPM_HANDLE out_handle;     /* response handle, for commands that return one */
    const uint8_t *param_raw;  /* parameters as they arrived (for cpHash) */
    size_t param_raw_len;
    uint8_t rsp_auth[MAX_AUTH_SESSIONS * (2 + MAX_DIGEST + 1 + 2 + MAX_DIGEST)];
    size_t rsp_auth_len;
    uint8_t names[3][2 + MAX_DIGEST]; /* Names of the handles, for cpHash */
    uint16_t name_len[3];
    uint8_t dec_done;          /* the first parameter was decrypted in place */
    uint8_t *param_copy;       /* writable copy of the parameters (decryption) */
} tpm_cmd;

typedef TPM_RC (*cmd_handler)(qtpm_tpm *tpm, tpm_cmd *cmd);

/* The handler's promise that it consumed every parameter byte: anything left
 * over is a size error on the command (Part 3 §5.6). */
static inline TPM_RC params_end(const tpm_cmd *c)
{
    return rd_left(&c->in) == 0 ? TPM_RC_SUCCESS : TPM_RC_SIZE;
}

#endif
