/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_execute.c — libFuzzer target for the engine's command entry point,
 * qtpm_tpm_execute(): the bytes a network client controls.
 *
 * One TPM is created for the whole run (memory store, powered on). Each input
 * starts from the same point: power cycle (_TPM_Init), TPM2_Startup(CLEAR).
 * The input is then cut into commands at their own header size fields, so a
 * seed can be a sequence (CreatePrimary, then Sign on the handle it made);
 * a piece whose size field does not fit is sent as it is, as the last one.
 * Every response must be well formed — at least a header, no longer than the
 * buffer, and its size field equal to its length — or the target aborts, so
 * the fuzzer reports malformed responses as well as memory errors.
 */
#include <stdint.h>
#include <stdlib.h>

#include "qtpm/engine.h"

#define MAX_COMMANDS_PER_INPUT 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static qtpm_tpm *tpm;
static uint8_t rsp[QTPM_MAX_RESPONSE_SIZE];

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void execute_checked(const uint8_t *cmd, size_t len)
{
    size_t n = qtpm_tpm_execute(tpm, 0, cmd, len, rsp, sizeof(rsp));
    if (n < 10 || n > sizeof(rsp) || get_u32(rsp + 2) != n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t startup_clear[12] = {0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0};
    int i;

    if (tpm == NULL) {
        qtpm_tpm_config cfg = {0};
        qtpm_store_memory(&cfg.store);
        cfg.powered_on = 1;
        if (qtpm_tpm_new(&tpm, &cfg) != 0)
            abort();
    }
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    qtpm_tpm_nv_on(tpm);
    execute_checked(startup_clear, sizeof(startup_clear));

    for (i = 0; i < MAX_COMMANDS_PER_INPUT && size > 0; i++) {
        size_t len = size;
        if (size >= 10) {
            uint32_t declared = get_u32(data + 2);
            if (declared >= 10 && declared <= size)
                len = declared;
        }
        execute_checked(data, len);
        data += len;
        size -= len;
    }
    return 0;
}
