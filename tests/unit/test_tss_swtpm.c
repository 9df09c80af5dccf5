/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tss_swtpm.c — libqtss against a real TPM 2.0: a private swtpm started
 * on a free port for this program and stopped at its end (skipped, with a
 * message, only when swtpm is not installed). The flows themselves are in
 * tss_flows.h, shared with test_tss_engine.
 */
#include "tss_swtpm.h"

#include "qtpm/tss.h"

static tss_swtpm sw;

static int flows_backend_open(qtpm_tss **t)
{
    if (tss_swtpm_start(&sw) != 0) {
        fprintf(stderr, "could not start swtpm\n");
        return -1;
    }
    return qtpm_tss_new(sw.spec, t) == QTPM_OK ? 0 : -1;
}

static void flows_backend_close(void)
{
    tss_swtpm_stop(&sw);
}

#include "tss_flows.h"

int main(void)
{
    if (!tss_swtpm_installed()) {
        printf("swtpm is not installed: the libqtss integration tests cannot run (skipped)\n");
        return 77; /* CTest's SKIP_RETURN_CODE: reported as skipped, not passed */
    }
    const struct CMUnitTest tests[] = { TSS_FLOW_TESTS };
    return cmocka_run_group_tests(tests, flows_group_setup, flows_group_teardown);
}
