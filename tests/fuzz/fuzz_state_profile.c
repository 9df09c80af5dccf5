/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_state_profile.c — libFuzzer on the two readers TPM profiles added
 * (issue 10 item 9): a permanent-state blob as SET_STATEBLOB delivers it
 * over the swtpm control channel (qtpm_tpm_set_permanent: the whole state
 * parser, the trailing profile field included), and a profile text as
 * --profile or the state gives it (qtpm_profile_check: names, JSON,
 * algorithm and command lists). The first byte picks the reader: 'S' the
 * blob, anything else the text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len == 0)
        return 0;
    if (data[0] == 'S') {
        /* a fresh, powered-off TPM for each input (as SET_STATEBLOB finds it) */
        qtpm_tpm *tpm = NULL;
        qtpm_tpm_config cfg;
        memset(&cfg, 0, sizeof(cfg));
        qtpm_store_memory(&cfg.store);
        if (qtpm_tpm_new(&tpm, &cfg) != QTPM_OK)
            abort();
        char err[256];
        (void)qtpm_tpm_set_permanent(tpm, data + 1, len - 1, err, sizeof(err));
        char text[2100];
        if (qtpm_tpm_profile(tpm, text, sizeof(text)) == 0)
            abort(); /* a loaded profile always has a canonical text */
        /* what was loaded reads back */
        if (qtpm_profile_check(text, err, sizeof(err)) != QTPM_OK)
            abort();
        qtpm_tpm_free(tpm);
        return 0;
    }
    char *text = malloc(len);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, len - 1);
    text[len - 1] = '\0';
    char err[256];
    (void)qtpm_profile_check(text, err, sizeof(err));
    free(text);
    return 0;
}
