/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine.c — the in-process TCTI: a qtpm software TPM (libqtpm-engine,
 * qtpm/engine.h) living in the caller's process, driven by direct calls to
 * qtpm_tpm_execute() instead of a socket or a device.
 *
 *   engine:            a TPM whose state lives only in memory (fresh seeds
 *                      each time, gone when the TCTI is closed)
 *   engine:/some/dir   a TPM whose state is kept in that directory (created
 *                      if missing) and survives across runs
 *
 * The TPM starts powered and NV-enabled (like swtpm's not-need-init), so the
 * first command a client sends is TPM2_Startup. transmit() runs the command
 * at once and keeps the response until receive() asks for it; the locality
 * is passed with each command. Since the TPM is a value
 * (DESIGN.md decision 4), several engine TCTIs can coexist in one process.
 */
#include <stdlib.h>
#include <string.h>

#include "qtpm/engine.h"
#include "qtpm/tss_tcti.h"

typedef struct {
    qtpm_tcti base;
    qtpm_tpm *tpm;
    uint8_t locality;
    int awaiting;     /* a response is waiting for receive() */
    size_t rsp_len;
    uint8_t rsp[QTPM_MAX_RESPONSE_SIZE];
} engine_tcti;

static int engine_transmit(qtpm_tcti *t, const uint8_t *cmd, size_t len)
{
    engine_tcti *e = (engine_tcti *)t;
    if (len < 10 || len > QTPM_TCTI_MAX_BUFFER)
        return QTPM_E_LENGTH;
    if (e->awaiting)
        return QTPM_TSS_E_STATE;
    /* The engine always answers with a well-formed response, an error
     * response for anything malformed, so there is no transport failure. */
    e->rsp_len = qtpm_tpm_execute(e->tpm, e->locality, cmd, len, e->rsp, sizeof e->rsp);
    if (e->rsp_len < 10)
        return QTPM_TSS_E_PROTOCOL;
    e->awaiting = 1;
    return QTPM_OK;
}

static int engine_receive(qtpm_tcti *t, uint8_t *rsp, size_t cap, size_t *len)
{
    engine_tcti *e = (engine_tcti *)t;
    if (!e->awaiting)
        return QTPM_TSS_E_STATE;
    e->awaiting = 0;
    if (e->rsp_len > cap)
        return QTPM_E_BUFFER;
    memcpy(rsp, e->rsp, e->rsp_len);
    *len = e->rsp_len;
    return QTPM_OK;
}

static int engine_set_locality(qtpm_tcti *t, uint8_t locality)
{
    engine_tcti *e = (engine_tcti *)t;
    if (locality > 4)
        return QTPM_E_PARAM;
    e->locality = locality;
    return QTPM_OK;
}

static void engine_finalize(qtpm_tcti *t)
{
    engine_tcti *e = (engine_tcti *)t;
    qtpm_tpm_free(e->tpm);
    /* responses may hold secrets (unsealed data, credentials) */
    qtpm_memzero(e->rsp, sizeof e->rsp);
    free(e);
}

int qtpm_tcti_engine_init(const char *conf, qtpm_tcti **out)
{
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof cfg);
    if (conf && *conf) {
        int rc = qtpm_store_dir(&cfg.store, conf);
        if (rc != QTPM_OK)
            return QTPM_TSS_E_CONFIG;
    } else {
        qtpm_store_memory(&cfg.store);
        if (!cfg.store.ctx)
            return QTPM_E_NOMEM;
    }
    cfg.powered_on = 1;
    engine_tcti *e = calloc(1, sizeof *e);
    if (!e) {
        cfg.store.close(cfg.store.ctx);
        return QTPM_E_NOMEM;
    }
    /* qtpm_tpm_new takes the store over only when it succeeds */
    int rc = qtpm_tpm_new(&e->tpm, &cfg);
    if (rc != QTPM_OK) {
        cfg.store.close(cfg.store.ctx);
        free(e);
        return rc;
    }
    e->base.kind = "engine";
    e->base.transmit = engine_transmit;
    e->base.receive = engine_receive;
    /* A command runs to completion inside transmit(), so there is never a
     * running command to cancel; the engine's cancel signal would instead
     * refuse every later command until lowered. */
    e->base.cancel = NULL;
    e->base.set_locality = engine_set_locality;
    e->base.finalize = engine_finalize;
    *out = &e->base;
    return QTPM_OK;
}

qtpm_tpm *qtpm_tcti_engine_tpm(qtpm_tcti *tcti)
{
    if (!tcti || !tcti->kind || strcmp(tcti->kind, "engine") != 0)
        return NULL;
    return ((engine_tcti *)tcti)->tpm;
}
