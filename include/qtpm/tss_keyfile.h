/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/tss_keyfile.h — the key files of tpm2-tools 5.4 and qtpm, parsed from
 * memory (src/tss/keyfile.c): the context file that `create -c` /
 * `tpm2_contextsave` write (magic 0xBADCC0DE) and the serialized ESYS_TR
 * that `tpm2_evictcontrol -o` writes for a persistent key. The qtpm CLI
 * (src/cli/util.c) and the OpenSSL provider's key loader
 * (src/provider/store.c) read them through these functions. Nothing here
 * talks to a TPM.
 */
#ifndef QTPM_TSS_KEYFILE_H
#define QTPM_TSS_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/tpm2_types.h"

#define QTPM_KEYFILE_CONTEXT_MAGIC 0xBADCC0DEU
#define QTPM_KEYFILE_CONTEXT_VERSION 1U

/* Errors beyond a marshalling TPM_RC (which the parsers pass on). */
#define QTPM_KEYFILE_E_MAGIC (-1)   /* no 0xBADCC0DE header */
#define QTPM_KEYFILE_E_VERSION (-2) /* a context file version other than 1 */
#define QTPM_KEYFILE_E_HANDLE (-3)  /* a serialized handle that is not persistent / NV */

/* A context file: fills ctx (the TPM's own blob; tpm-tss ESYS's wrapper is
 * removed when present) and, when pub_meta is not NULL, the public area that
 * the wrapper's metadata carries (size 0 when there is none). *version gets
 * the file's version when it is not NULL (for messages). Returns 0, a
 * QTPM_KEYFILE_E_* code or the TPM_RC of the marshalling failure. */
int qtpm_keyfile_context_parse(const uint8_t *d, size_t n, TPMS_CONTEXT *ctx,
                               TPM2B_PUBLIC *pub_meta, uint32_t *version);

/* A serialized ESYS_TR (handle, Name, resource type, [TPM2B_PUBLIC]) of a
 * persistent key or NV index; pub (may be NULL) gets the public area, size 0
 * when the file has none. Returns 0 or a nonzero code. */
int qtpm_keyfile_serialized_tr_parse(const uint8_t *d, size_t n, TPM_HANDLE *h,
                                     TPM2B_PUBLIC *pub);

/* 1 if the bytes start with the context file magic. */
int qtpm_keyfile_is_context(const uint8_t *d, size_t n);

#endif
