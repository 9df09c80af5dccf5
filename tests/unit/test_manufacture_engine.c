/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_manufacture_engine.c — manufacturing qtpm's own TPM (the engine,
 * in-process through the engine: TCTI with a state directory): EKs of all
 * three kinds including ML-KEM-768, their certificates checked against the
 * vendor CA and the EKs the TPM re-creates, refused for the wrong EK or when
 * changed, and kept across a restart of the TPM (the EK is derived from the
 * persistent endorsement seed, the certificate sits in NV).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qtpm/manufacture.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "testutil.h"

static char dir[] = "/tmp/qtpm-mfg-engine-XXXXXX";
static char spec[300], ca_dir[300];

static qtpm_tss *open_tpm(void)
{
    qtpm_tss *t = NULL;
    assert_int_equal(qtpm_tss_new(spec, &t), 0);
    int rc = qtpm_tss_Startup(t, TPM_SU_CLEAR);
    assert_true(rc == 0 || rc == (int)TPM_RC_INITIALIZE);
    return t;
}

static void check_cert(qtpm_tss *t, const qtpm_vendor_ca *ca, const qtpm_mfg_result *res,
                       const TPMT_PUBLIC *other_ek)
{
    uint8_t cert[4096];
    size_t len, ca_len;
    const uint8_t *ca_cert = qtpm_vendor_ca_cert_der(ca, &ca_len);
    assert_int_equal(qtpm_tss_nv_read_all(t, TPM_RH_OWNER, NULL, res->nv_index, cert,
                                          sizeof cert, &len), 0);
    assert_int_equal(len, res->cert_len);
    assert_int_equal(qtpm_ek_cert_verify(cert, len, ca_cert, ca_len, &res->ek), QTPM_OK);
    assert_int_equal(qtpm_ek_cert_verify(cert, len, ca_cert, ca_len, other_ek), QTPM_E_VERIFY);
    cert[len / 2] ^= 0x10;
    assert_int_not_equal(qtpm_ek_cert_verify(cert, len, ca_cert, ca_len, &res->ek), QTPM_OK);
}

static void test_manufacture_all_kinds(void **state)
{
    (void)state;
    qtpm_vendor_ca *ca;
    assert_int_equal(qtpm_vendor_ca_open(ca_dir, &ca), 0);
    static const qtpm_ek_alg algs[3] = {QTPM_EK_RSA2048, QTPM_EK_ECCP256, QTPM_EK_MLKEM768};
    static const TPM_HANDLE index[3] = {0x01C00002, 0x01C0000A, QTPM_EK_CERT_NV_MLKEM768};
    qtpm_mfg_result res[3];

    qtpm_tss *t = open_tpm();
    for (int i = 0; i < 3; i++) {
        assert_int_equal(qtpm_manufacture_ek(t, ca, algs[i], NULL, &res[i]), 0);
        assert_int_equal(res[i].action, QTPM_MFG_WRITTEN);
        assert_int_equal(res[i].nv_index, index[i]);
    }
    assert_int_equal(res[2].ek.type, TPM_ALG_MLKEM);
    for (int i = 0; i < 3; i++)
        check_cert(t, ca, &res[i], &res[(i + 1) % 3].ek);
    qtpm_tss_free(t);

    /* The TPM restarted from its state directory: same EKs, certificates kept. */
    t = open_tpm();
    for (int i = 0; i < 3; i++) {
        qtpm_mfg_result again;
        assert_int_equal(qtpm_manufacture_ek(t, ca, algs[i], NULL, &again), 0);
        assert_int_equal(again.action, QTPM_MFG_KEPT);
        assert_int_equal(again.cert_len, res[i].cert_len);
    }
    qtpm_tss_free(t);
    qtpm_vendor_ca_free(ca);
}

static int setup(void **state)
{
    (void)state;
    if (!mkdtemp(dir))
        return -1;
    snprintf(spec, sizeof spec, "engine:%s/state", dir);
    snprintf(ca_dir, sizeof ca_dir, "%s/ca", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manufacture_all_kinds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
