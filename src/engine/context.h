/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * context.h — persistent objects and saved sequence states (context.c): the
 * records of the state blob (tpm.c reads and writes them) and what
 * TPM Reset and teardown forget.
 */
#ifndef QTPM_ENGINE_CONTEXT_H
#define QTPM_ENGINE_CONTEXT_H

#include "params.h"
#include "tpm.h"

struct tpm_object;
size_t persistent_record_write(const struct tpm_object *p, uint8_t *buf, size_t cap);
int persistent_record_read(qtpm_tpm *tpm, const uint8_t *buf, size_t len);
void persistent_free_all(qtpm_tpm *tpm);
/* forgets every saved sequence state (TPM Reset, teardown) */
void saved_sequences_forget(qtpm_tpm *tpm);

/* the parameters of the context commands (Part 3 §28; params.h) */
#define ContextSave_IN(P)
#define ContextSave_OUT(P) P(TPMS_CONTEXT, context)
PRM_COMMAND(ContextSave)
#define ContextLoad_IN(P) P(TPMS_CONTEXT, context)
#define ContextLoad_OUT(P)
PRM_COMMAND(ContextLoad)
#define FlushContext_IN(P) P(TPMI_DH_CONTEXT, flushHandle)
#define FlushContext_OUT(P)
PRM_COMMAND(FlushContext)
#define EvictControl_IN(P) P(TPMI_DH_PERSISTENT, persistentHandle)
#define EvictControl_OUT(P)
PRM_COMMAND(EvictControl)

#endif
