/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcti.c — the registry of TCTI kinds and the dispatch helpers every upper
 * layer uses. A configuration string "kind:conf" picks a registry entry by
 * name and hands it conf; a transport is one row in kinds[] (the in-process
 * engine joined that way).
 *
 * The engine TCTI is not part of libqtss (a TSS has no business carrying a
 * TPM): it lives in libqtss-engine, and the table refers to it by a weak
 * symbol, so "engine:" works exactly when a program links that library and
 * otherwise answers QTPM_TSS_E_UNSUPPORTED.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/tss_tcti.h"
#include "tcti_internal.h"

static _Thread_local char diag[512];

void tcti_diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag, sizeof diag, fmt, ap);
    va_end(ap);
}

void tcti_diag_clear(void)
{
    diag[0] = '\0';
}

const char *qtpm_tcti_diagnostic(void)
{
    return diag;
}

#pragma weak qtpm_tcti_engine_init

static int engine_init(const char *conf, qtpm_tcti **out)
{
    if (qtpm_tcti_engine_init == NULL)
        return QTPM_TSS_E_UNSUPPORTED; /* libqtss-engine is not linked */
    return qtpm_tcti_engine_init(conf, out);
}

static const qtpm_tcti_kind kinds[] = {
    { "mssim", qtpm_tcti_mssim_init, "mssim:host=HOST,port=PORT[,poweron=yes|no]" },
    { "swtpm", qtpm_tcti_swtpm_init, "swtpm:host=HOST,port=PORT" },
    { "device", qtpm_tcti_device_init, "device:/dev/tpmrm0" },
    { "engine", engine_init, "engine:[STATE_DIR]  (in-process qtpm TPM; memory if no dir)" },
    { NULL, NULL, NULL },
};

const qtpm_tcti_kind *qtpm_tcti_kinds(void)
{
    return kinds;
}

int qtpm_tcti_open(const char *spec, qtpm_tcti **out)
{
    if (!out)
        return QTPM_E_PARAM;
    *out = NULL;
    tcti_diag_clear();
    if (!spec || !*spec)
        spec = getenv("QTPM_TCTI");
    if (!spec || !*spec)
        spec = "device:/dev/tpmrm0";
    const char *colon = strchr(spec, ':');
    size_t nlen = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *conf = colon ? colon + 1 : "";
    for (const qtpm_tcti_kind *k = kinds; k->name; k++)
        if (strlen(k->name) == nlen && strncmp(k->name, spec, nlen) == 0) {
            int rc = k->init(conf, out);
            if (rc == QTPM_TSS_E_CONFIG && !diag[0])
                tcti_diag("\"%s\" is not a valid %s configuration: expected %s", conf, k->name,
                          k->usage);
            else if (rc == QTPM_TSS_E_UNSUPPORTED && k->init == engine_init && !diag[0])
                tcti_diag("this program was built without the in-process TPM (link "
                          "libqtpm-engine: pkg-config qtpm-engine)");
            return rc;
        }
    tcti_diag("unknown TCTI kind \"%.*s\": use mssim:, swtpm:, device: or engine:", (int)nlen,
              spec);
    return QTPM_TSS_E_CONFIG;
}

int qtpm_tcti_transact(qtpm_tcti *tcti, const uint8_t *cmd, size_t len,
                       uint8_t *rsp, size_t cap, size_t *rsp_len)
{
    tcti_diag_clear();
    int rc = tcti->transmit(tcti, cmd, len);
    if (rc == QTPM_OK)
        rc = tcti->receive(tcti, rsp, cap, rsp_len);
    return rc;
}

int qtpm_tcti_cancel(qtpm_tcti *tcti)
{
    return tcti->cancel ? tcti->cancel(tcti) : QTPM_TSS_E_UNSUPPORTED;
}

int qtpm_tcti_set_locality(qtpm_tcti *tcti, uint8_t locality)
{
    return tcti->set_locality ? tcti->set_locality(tcti, locality) : QTPM_TSS_E_UNSUPPORTED;
}

void qtpm_tcti_close(qtpm_tcti *tcti)
{
    if (tcti)
        tcti->finalize(tcti);
}
