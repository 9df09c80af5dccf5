/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/tss_tcti.h — the TPM Command Transmission Interface of libqtss: the
 * bottom layer of the TSS (DESIGN.md, "libqtss"), which moves command bytes to
 * a TPM and response bytes back and knows nothing about their meaning.
 *
 * A TCTI is a small table of function pointers (after tpm2-tss's TCTI), kept
 * as the first member of each transport's private state. Three transports
 * exist, chosen by a configuration string in tpm2-tools' style:
 *
 *   mssim:host=127.0.0.1,port=2321[,poweron=yes|no]
 *       the Microsoft/IBM simulator protocol: a command port (port) and a
 *       platform port (port + 1); commands go framed as TPM_SEND_COMMAND.
 *   swtpm:host=127.0.0.1,port=2321
 *       swtpm's socket interface: raw command bytes on the data port (port),
 *       the control channel (locality, cancel) on port + 1.
 *   device:/dev/tpmrm0
 *       a Linux TPM character device (/dev/tpmrm0 or /dev/tpm0).
 *   engine:[/path/to/state]
 *       a qtpm software TPM in this process (libqtpm-engine): commands are
 *       direct calls to qtpm_tpm_execute(). With a path its state is kept in
 *       that directory; without one it lives in memory only. It starts
 *       powered on, so the first command is TPM2_Startup.
 *
 * The kinds live in one registry (src/tss/tcti/tcti.c); a transport joins by
 * adding one table entry.
 * qtpm_tcti_open(NULL) reads the QTPM_TCTI environment variable and falls back
 * to "device:/dev/tpmrm0".
 */
#ifndef QTPM_TSS_TCTI_H
#define QTPM_TSS_TCTI_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/common.h"

/* TSS error codes beyond qtpm_err (which stops at -8). */
#define QTPM_TSS_E_IO (-100)       /* a socket or device read/write failed */
#define QTPM_TSS_E_PROTOCOL (-101) /* the peer broke its framing / the response is malformed */
#define QTPM_TSS_E_CONFIG (-102)   /* a TCTI configuration string could not be used */
#define QTPM_TSS_E_UNSUPPORTED (-103) /* the transport cannot do this (e.g. no locality) */
#define QTPM_TSS_E_STATE (-104)    /* call out of order (receive before transmit, closed session) */

/* Largest command or response any qtpm transport carries (DESIGN.md
 * decision 1: 8192-byte buffers). */
#define QTPM_TCTI_MAX_BUFFER 8192

typedef struct qtpm_tcti qtpm_tcti;

struct qtpm_tcti {
    const char *kind; /* "mssim", "swtpm", "device", "engine" */
    /* Sends one complete command. */
    int (*transmit)(qtpm_tcti *tcti, const uint8_t *cmd, size_t len);
    /* Receives the response to the last command into rsp[0..cap). */
    int (*receive)(qtpm_tcti *tcti, uint8_t *rsp, size_t cap, size_t *len);
    /* Asks the TPM to abandon the running command; NULL if unsupported. */
    int (*cancel)(qtpm_tcti *tcti);
    /* Sets the locality of following commands; NULL if unsupported. */
    int (*set_locality)(qtpm_tcti *tcti, uint8_t locality);
    /* Closes the connection and frees the TCTI. */
    void (*finalize)(qtpm_tcti *tcti);
};

/* One registry entry: a kind's name, its constructor from the part of the
 * configuration string after "name:", and a one-line usage text. */
typedef struct {
    const char *name;
    int (*init)(const char *conf, qtpm_tcti **out);
    const char *usage;
} qtpm_tcti_kind;

/* The registered kinds, terminated by an entry whose name is NULL. */
const qtpm_tcti_kind *qtpm_tcti_kinds(void);

/* Opens a TCTI from "kind:conf" (or "kind" alone for its defaults); NULL
 * means getenv("QTPM_TCTI"), then "device:/dev/tpmrm0". */
int qtpm_tcti_open(const char *spec, qtpm_tcti **out);

/* transmit then receive. */
int qtpm_tcti_transact(qtpm_tcti *tcti, const uint8_t *cmd, size_t len,
                       uint8_t *rsp, size_t cap, size_t *rsp_len);

int qtpm_tcti_cancel(qtpm_tcti *tcti);
int qtpm_tcti_set_locality(qtpm_tcti *tcti, uint8_t locality);
/* Finalizes the TCTI; harmless on NULL. */
void qtpm_tcti_close(qtpm_tcti *tcti);

/* What the last failing transport call of this thread knew beyond its error
 * code, for people: the address, errno and the likely cause and fix, e.g.
 * "cannot connect to 127.0.0.1:1: Connection refused (is qtpm-server or
 * swtpm running there?)". "" when there is nothing to add. Like errno it is
 * only meaningful right after a failure. */
const char *qtpm_tcti_diagnostic(void);

/* The individual constructors, also reachable through the registry. */
int qtpm_tcti_mssim_init(const char *conf, qtpm_tcti **out);
int qtpm_tcti_swtpm_init(const char *conf, qtpm_tcti **out);
int qtpm_tcti_device_init(const char *conf, qtpm_tcti **out);
int qtpm_tcti_engine_init(const char *conf, qtpm_tcti **out);

/* The TPM behind an engine TCTI (for its platform signals: power cycles,
 * NV availability), or NULL for any other kind. The TCTI keeps owning it. */
struct qtpm_tpm;
struct qtpm_tpm *qtpm_tcti_engine_tpm(qtpm_tcti *tcti);

#endif
