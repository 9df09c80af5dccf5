/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tss_internal.h — the context structure of libqtss and the small helpers its
 * layers share (algorithm mapping, response parsing). Private to src/tss/.
 */
#ifndef QTPM_TSS_INTERNAL_H
#define QTPM_TSS_INTERNAL_H

#include <stdio.h>

#include "qtpm/classic.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"

#define TSS_NAME_CACHE 64

typedef struct {
    TPM_HANDLE handle; /* 0 = free slot */
    TPM2B_NAME name;
} tss_name_entry;

struct qtpm_tss {
    qtpm_tcti *tcti;
    int own_tcti;
    uint8_t cmd[QTPM_TCTI_MAX_BUFFER];
    uint8_t rsp[QTPM_TCTI_MAX_BUFFER];
    tss_name_entry names[TSS_NAME_CACHE];
    size_t name_next; /* round-robin victim when the cache is full */
    qtpm_tss_timing_record *timing;
    size_t timing_cap, timing_count, timing_dropped;
    FILE *timing_file;
};

/* The qtpm_hash_alg of a TPM hash algorithm; QTPM_HASH_NONE if unknown. */
qtpm_hash_alg tss_hash(TPMI_ALG_HASH alg);

/* Turns a marshalling TPM_RC into a library error. */
static inline int tss_mrc(TPM_RC rc)
{
    return rc == TPM_RC_SUCCESS ? QTPM_OK : QTPM_TSS_E_PROTOCOL;
}

/* After unmarshalling a response's parameters: all of them must be used. */
static inline int tss_rsp_end(TPM_RC rc, const size_t *off, const qtpm_tss_response *r)
{
    if (rc != TPM_RC_SUCCESS || *off != r->params_len)
        return QTPM_TSS_E_PROTOCOL;
    return QTPM_OK;
}

/* Strips trailing zero octets from an authValue, as the TPM does when it
 * stores one (Part 1 §19.6.5 note): the HMAC key must match the TPM's. */
size_t tss_auth_len(const TPM2B_AUTH *auth);

/* Runs a command with no authorized handles and no extra sessions. */
int tss_run(qtpm_tss *t, TPM_CC cc, const TPM_HANDLE *handles, size_t n_handles,
            size_t n_auth, const qtpm_tss_auths *auths, const uint8_t *params,
            size_t params_len, int rsp_handle, qtpm_tss_response *r);

/* Finishes any *SequenceStart / HMAC_Start: returns the sequence handle and
 * records its Name, the Empty Buffer (cmd_crypto.c). */
int tss_sequence_started(qtpm_tss *t, const qtpm_tss_response *r, TPMI_DH_OBJECT *seq);

#endif
