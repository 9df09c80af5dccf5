/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tss_engine.c — the libqtss integration flows of tss_flows.h (the same
 * ones test_tss_swtpm runs against swtpm) against qtpm's own software TPM,
 * in this process, through the "engine:" TCTI: every command goes through
 * the TSS's marshalling, sessions and HMAC checks, then straight into
 * qtpm_tpm_execute(). A few engine-TCTI specifics come first: the
 * configuration strings, Startup on a fresh TPM, persistence of a state
 * directory across TCTIs, and locality.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qtpm/engine.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"

/* A started in-process TPM with its state in memory. */
static int flows_backend_open(qtpm_tss **t)
{
    if (qtpm_tss_new("engine:", t) != QTPM_OK)
        return -1;
    return qtpm_tss_Startup(*t, TPM_SU_CLEAR) == QTPM_OK ? 0 : -1;
}

static void flows_backend_close(void)
{
}

#include "tss_flows.h"

static void test_engine_tcti_config(void **state)
{
    (void)state;
    qtpm_tcti *tcti = NULL;
    /* the kind is in the registry with a usage text */
    int found = 0;
    for (const qtpm_tcti_kind *k = qtpm_tcti_kinds(); k->name; k++)
        if (strcmp(k->name, "engine") == 0 && k->usage && k->init != NULL)
            found = 1;
    assert_true(found);
    /* bare "engine" = memory store */
    assert_int_equal(qtpm_tcti_open("engine", &tcti), 0);
    assert_string_equal(tcti->kind, "engine");
    assert_non_null(qtpm_tcti_engine_tpm(tcti));
    assert_true(qtpm_tpm_is_powered(qtpm_tcti_engine_tpm(tcti)));
    /* locality 0..4 only; cancel is not offered in-process */
    assert_int_equal(qtpm_tcti_set_locality(tcti, 3), 0);
    assert_int_equal(qtpm_tcti_set_locality(tcti, 5), QTPM_E_PARAM);
    assert_int_equal(qtpm_tcti_cancel(tcti), QTPM_TSS_E_UNSUPPORTED);
    /* receive before transmit, and a too-short command */
    uint8_t rsp[64];
    size_t len;
    assert_int_equal(tcti->receive(tcti, rsp, sizeof rsp, &len), QTPM_TSS_E_STATE);
    assert_int_equal(tcti->transmit(tcti, rsp, 5), QTPM_E_LENGTH);
    /* a command before Startup: TPM_RC_INITIALIZE, as from a real TPM */
    static const uint8_t get_random[] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7B, 0, 8 };
    assert_int_equal(qtpm_tcti_transact(tcti, get_random, sizeof get_random, rsp, sizeof rsp,
                                        &len), 0);
    assert_int_equal(len, 10);
    assert_int_equal(rsp[6] << 24 | rsp[7] << 16 | rsp[8] << 8 | rsp[9], TPM_RC_INITIALIZE);
    qtpm_tcti_close(tcti);
    /* other kinds have no engine behind them */
    assert_null(qtpm_tcti_engine_tpm(NULL));
}

/* A state directory keeps the TPM's seeds: the same primary key (same
 * public area) comes back after the TCTI is closed and a new one opened. */
static void test_engine_state_dir_persists(void **state)
{
    (void)state;
    char dir[] = "/tmp/qtpm-engine-XXXXXX", spec[64];
    assert_non_null(mkdtemp(dir));
    snprintf(spec, sizeof spec, "engine:%s/state", dir);
    TPM2B_PUBLIC pub[3];
    for (int round = 0; round < 3; round++) {
        qtpm_tss *t;
        qtpm_tss_key k;
        if (round == 2)
            snprintf(spec, sizeof spec, "engine:"); /* fresh memory TPM: new seeds */
        assert_int_equal(qtpm_tss_new(spec, &t), 0);
        assert_int_equal(qtpm_tss_Startup(t, TPM_SU_CLEAR), 0);
        assert_int_equal(qtpm_tss_create_srk(t, TPM_ALG_ECC, NULL, &k), 0);
        pub[round] = k.pub;
        assert_int_equal(qtpm_tss_Shutdown(t, TPM_SU_CLEAR), 0);
        qtpm_tss_free(t);
    }
    assert_int_equal(pub[0].size, pub[1].size);
    assert_memory_equal(&pub[0].publicArea.unique, &pub[1].publicArea.unique,
                        sizeof pub[0].publicArea.unique);
    assert_memory_not_equal(pub[0].publicArea.unique.ecc.x.buffer,
                            pub[2].publicArea.unique.ecc.x.buffer, 32);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest engine_tests[] = {
        cmocka_unit_test(test_engine_tcti_config),
        cmocka_unit_test(test_engine_state_dir_persists),
    };
    /* The same flows as against swtpm (tss_flows.h), every one of them. */
    const struct CMUnitTest flows[] = { TSS_FLOW_TESTS };
    int failed = cmocka_run_group_tests_name("engine TCTI", engine_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("libqtss flows in-process", flows, flows_group_setup,
                                          flows_group_teardown);
    return failed;
}
