/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_manufacture_swtpm.c — qtpm-manufacture against a private swtpm
 * (tss_swtpm.h: free ports, fresh state, killed with the test): the program
 * writes RSA-2048 and P-256 EK certificates; they are read back with libqtss
 * and with tpm2-tools' tpm2_nvread (same bytes), accepted by `openssl verify`
 * and by qtpm_ek_cert_verify for the EKs the TPM re-creates, and refused for
 * the other EK or when tampered; the NV attributes are the EK Credential
 * Profile's; re-running keeps valid certificates byte for byte, replaces
 * those of another CA or garbage, --force and --lock work, the owner
 * hierarchy is used when asked and when the platform hierarchy is disabled.
 *
 * ML-KEM-768: swtpm has no ML-KEM, so the ML-KEM EK is refused by the TPM
 * here (the test says so); its certificate is tested in software in
 * test_manufacture.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qtpm/manufacture.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "testutil.h"
#include "tss_swtpm.h"

static tss_swtpm sw;
static qtpm_tss *T;
static char tmpdir[64], ca_dir[128], ca2_dir[128], ca_pem[160], ca2_pem[160];
static char out[4096];

#define RSA_IDX 0x01C00002U
#define ECC_IDX 0x01C0000AU

static TPM_RC rc_base(int rc)
{
    TPM_RC r = (TPM_RC)rc;
    return (r & RC_FMT1) ? (r & 0xBFU) : r;
}

/* swtpm serves one client connection at a time: the test's own context
 * lets go of the TPM while another program (qtpm-manufacture, tpm2-tools)
 * talks to it. */
static void tpm_release(void)
{
    qtpm_tss_free(T);
    T = NULL;
}

static void tpm_reconnect(void)
{
    assert_int_equal(qtpm_tss_new(sw.spec, &T), 0);
}

/* Runs qtpm-manufacture with the swtpm TCTI and the given arguments (NULL
 * terminated); its stdout lands in out. Returns the exit status. */
static int run_mfg(const char *arg, ...)
{
    const char *argv[24];
    int n = 0, fds[2];
    va_list ap;
    argv[n++] = QTPM_MANUFACTURE_BIN;
    argv[n++] = "--tcti";
    argv[n++] = sw.spec;
    va_start(ap, arg);
    for (const char *a = arg; a && n < 23; a = va_arg(ap, const char *))
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    tpm_release();
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], out + len, sizeof out - 1 - len)) > 0)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    fprintf(stderr, "%s", out);
    tpm_reconnect();
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void read_cert(TPM_HANDLE idx, uint8_t *buf, size_t cap, size_t *len)
{
    assert_int_equal(qtpm_tss_nv_read_all(T, TPM_RH_OWNER, NULL, idx, buf, cap, len), 0);
}

static void ek_pub(TPM_ALG_ID type, TPMT_PUBLIC *pub)
{
    qtpm_tss_key ek;
    assert_int_equal(qtpm_tss_create_ek(T, type, NULL, &ek), 0);
    *pub = ek.pub.publicArea;
    assert_int_equal(qtpm_tss_FlushContext(T, ek.handle), 0);
}

static const uint8_t *ca_der(const char *dir, size_t *len, qtpm_vendor_ca **keep)
{
    assert_int_equal(qtpm_vendor_ca_open(dir, keep), 0);
    return qtpm_vendor_ca_cert_der(*keep, len);
}

static int write_file(const char *path, const uint8_t *d, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    int ok = fwrite(d, 1, n, f) == n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static UINT32 nv_attributes(TPM_HANDLE idx)
{
    TPM2B_NV_PUBLIC pub;
    assert_int_equal(qtpm_tss_NV_ReadPublic(T, NULL, idx, &pub, NULL), 0);
    assert_int_equal(pub.nvPublic.nameAlg, TPM_ALG_SHA256);
    assert_int_equal(pub.nvPublic.authPolicy.size, 0);
    return pub.nvPublic.attributes;
}

static int group_setup(void **state)
{
    (void)state;
    if (tss_swtpm_start(&sw) != 0) {
        fprintf(stderr, "could not start swtpm\n");
        return -1;
    }
    if (qtpm_tss_new(sw.spec, &T) != QTPM_OK)
        return -1;
    strcpy(tmpdir, "/tmp/qtpm-mfgsw-XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(ca_dir, sizeof ca_dir, "%s/ca", tmpdir);
    snprintf(ca2_dir, sizeof ca2_dir, "%s/ca2", tmpdir);
    snprintf(ca_pem, sizeof ca_pem, "%s/ca.pem", tmpdir);
    snprintf(ca2_pem, sizeof ca2_pem, "%s/ca2.pem", tmpdir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    char cmd[128];
    qtpm_tss_free(T);
    tss_swtpm_stop(&sw);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------ tests */

static void test_manufacture_rsa_ecc(void **state)
{
    (void)state;
    uint8_t cert[4096], other[4096];
    size_t len, olen, ca_len;
    qtpm_vendor_ca *ca;
    TPMT_PUBLIC rsa, ecc;
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "rsa2048,ecc256", "--export-ca",
                             ca_pem, NULL), 0);
    assert_non_null(strstr(out, "rsa2048: EK certificate at NV 0x01C00002 written"));
    assert_non_null(strstr(out, "ecc256: EK certificate at NV 0x01C0000A written"));
    assert_non_null(strstr(out, "platform hierarchy"));
    const uint8_t *ca_cert = ca_der(ca_dir, &ca_len, &ca);

    ek_pub(TPM_ALG_RSA, &rsa);
    ek_pub(TPM_ALG_ECC, &ecc);
    read_cert(RSA_IDX, cert, sizeof cert, &len);
    read_cert(ECC_IDX, other, sizeof other, &olen);
    assert_int_equal(qtpm_ek_cert_verify(cert, len, ca_cert, ca_len, &rsa), QTPM_OK);
    assert_int_equal(qtpm_ek_cert_verify(other, olen, ca_cert, ca_len, &ecc), QTPM_OK);
    /* libqtss's own EK-cert reader finds them at the standard indices */
    uint8_t again[4096];
    size_t alen;
    assert_int_equal(qtpm_tss_read_ek_cert(T, TPM_ALG_ECC, NULL, again, sizeof again, &alen), 0);
    assert_int_equal(alen, olen);
    assert_memory_equal(again, other, olen);
    /* a certificate for the other EK; tampered certificates */
    assert_int_equal(qtpm_ek_cert_verify(cert, len, ca_cert, ca_len, &ecc), QTPM_E_VERIFY);
    assert_int_equal(qtpm_ek_cert_verify(other, olen, ca_cert, ca_len, &rsa), QTPM_E_VERIFY);
    cert[len - 2] ^= 0x40;
    assert_int_not_equal(qtpm_ek_cert_verify(cert, len, ca_cert, ca_len, &rsa), QTPM_OK);
    cert[len - 2] ^= 0x40;
    cert[len / 2] ^= 0x01;
    assert_int_not_equal(qtpm_ek_cert_verify(cert, len, ca_cert, ca_len, &rsa), QTPM_OK);
    qtpm_vendor_ca_free(ca);

    /* NV attributes of the EK Credential Profile, platform-created */
    UINT32 want = TPMA_NV_PPWRITE | TPMA_NV_PPREAD | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD |
                  TPMA_NV_NO_DA | TPMA_NV_PLATFORMCREATE | TPMA_NV_WRITTEN;
    assert_int_equal(nv_attributes(RSA_IDX), want);
    assert_int_equal(nv_attributes(ECC_IDX), want);
}

static void test_tpm2_tools_and_openssl(void **state)
{
    (void)state;
    static const TPM_HANDLE idx[2] = { RSA_IDX, ECC_IDX };
    char path[200], cmd[640];
    uint8_t mine[4096], theirs[4096];
    size_t len;
    if (system("tpm2_nvread --version >/dev/null 2>&1") != 0) {
        /* tpm2-tools is a required peer (CMake's qtpm_test_program): a
         * missing one is a failure, not a skip that cmocka would count as
         * passed. */
        fail_msg("tpm2_nvread not installed: the tpm2-tools cross-check cannot run");
    }
    for (int i = 0; i < 2; i++) {
        read_cert(idx[i], mine, sizeof mine, &len);
        snprintf(path, sizeof path, "%s/nv-%08X.der", tmpdir, (unsigned)idx[i]);
        snprintf(cmd, sizeof cmd,
                 "TPM2TOOLS_TCTI=swtpm:host=127.0.0.1,port=%u tpm2_nvread 0x%08X -o '%s' "
                 ">/dev/null 2>&1",
                 sw.port, (unsigned)idx[i], path);
        tpm_release();
        int st = system(cmd);
        tpm_reconnect();
        assert_int_equal(st, 0);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        size_t n = fread(theirs, 1, sizeof theirs, f);
        fclose(f);
        assert_int_equal(n, len);
        assert_memory_equal(theirs, mine, len);
        /* OpenSSL's chain check of what tpm2-tools read */
        snprintf(cmd, sizeof cmd, "openssl verify -CAfile '%s' '%s' >/dev/null 2>&1", ca_pem,
                 path);
        assert_int_equal(system(cmd), 0);
        /* and OpenSSL refuses a tampered copy */
        theirs[len - 3] ^= 0x10;
        assert_int_equal(write_file(path, theirs, len), 0);
        assert_int_not_equal(system(cmd), 0);
    }
}

static void test_rerun_keeps(void **state)
{
    (void)state;
    uint8_t before[4096], after[4096];
    size_t lb, la;
    read_cert(RSA_IDX, before, sizeof before, &lb);
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "rsa2048,ecc256", NULL), 0);
    assert_non_null(strstr(out, "rsa2048: EK certificate at NV 0x01C00002 kept"));
    assert_non_null(strstr(out, "ecc256: EK certificate at NV 0x01C0000A kept"));
    read_cert(RSA_IDX, after, sizeof after, &la);
    assert_int_equal(la, lb);
    assert_memory_equal(after, before, lb);
    /* --force replaces even a valid certificate (a new serial) */
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "rsa2048", "--force", NULL), 0);
    assert_non_null(strstr(out, "replaced"));
    read_cert(RSA_IDX, after, sizeof after, &la);
    assert_true(la != lb || memcmp(after, before, lb) != 0);
}

static void test_other_ca_and_garbage_replaced(void **state)
{
    (void)state;
    uint8_t cert[4096];
    size_t len, ca_len, ca2_len;
    qtpm_vendor_ca *ca, *ca2;
    TPMT_PUBLIC rsa, ecc;
    ek_pub(TPM_ALG_RSA, &rsa);
    ek_pub(TPM_ALG_ECC, &ecc);
    /* another vendor CA: the old certificates are not its, so replaced */
    assert_int_equal(run_mfg("--ca-dir", ca2_dir, "--export-ca", ca2_pem, NULL), 0);
    assert_non_null(strstr(out, "rsa2048: EK certificate at NV 0x01C00002 replaced"));
    const uint8_t *c1 = ca_der(ca_dir, &ca_len, &ca);
    const uint8_t *c2 = ca_der(ca2_dir, &ca2_len, &ca2);
    read_cert(RSA_IDX, cert, sizeof cert, &len);
    assert_int_equal(qtpm_ek_cert_verify(cert, len, c2, ca2_len, &rsa), QTPM_OK);
    assert_int_equal(qtpm_ek_cert_verify(cert, len, c1, ca_len, &rsa), QTPM_E_VERIFY);

    /* garbage in the ECC index (as after an interrupted write) */
    TPM2B_NV_PUBLIC pub;
    TPM2B_MAX_NV_BUFFER junk;
    assert_int_equal(qtpm_tss_NV_UndefineSpace(T, NULL, TPM_RH_PLATFORM, ECC_IDX), 0);
    memset(&pub, 0, sizeof pub);
    pub.nvPublic.nvIndex = ECC_IDX;
    pub.nvPublic.nameAlg = TPM_ALG_SHA256;
    pub.nvPublic.attributes = TPMA_NV_PPWRITE | TPMA_NV_PPREAD | TPMA_NV_OWNERREAD |
                              TPMA_NV_AUTHREAD | TPMA_NV_NO_DA | TPMA_NV_PLATFORMCREATE;
    pub.nvPublic.dataSize = 300;
    assert_int_equal(qtpm_tss_NV_DefineSpace(T, NULL, TPM_RH_PLATFORM, NULL, &pub), 0);
    memset(junk.buffer, 0x30, 100);
    junk.size = 100;
    assert_int_equal(qtpm_tss_NV_Write(T, NULL, TPM_RH_PLATFORM, ECC_IDX, &junk, 0), 0);
    /* the old name eccp256 is still accepted, and reported by the new one */
    assert_int_equal(run_mfg("--ca-dir", ca2_dir, "--alg", "eccp256", NULL), 0);
    assert_non_null(strstr(out, "ecc256: EK certificate at NV 0x01C0000A replaced"));
    read_cert(ECC_IDX, cert, sizeof cert, &len);
    assert_int_equal(qtpm_ek_cert_verify(cert, len, c2, ca2_len, &ecc), QTPM_OK);
    qtpm_vendor_ca_free(ca);
    qtpm_vendor_ca_free(ca2);
}

static void test_lock(void **state)
{
    (void)state;
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "rsa2048", "--force", "--lock", NULL),
                     0);
    UINT32 a = nv_attributes(RSA_IDX);
    assert_true(a & TPMA_NV_WRITEDEFINE);
    assert_true(a & TPMA_NV_WRITELOCKED);
    /* nobody can write it now, not even the platform */
    TPM2B_MAX_NV_BUFFER b = { 1, { 0 } };
    assert_int_equal(rc_base(qtpm_tss_NV_Write(T, NULL, TPM_RH_PLATFORM, RSA_IDX, &b, 0)),
                     TPM_RC_NV_LOCKED);
    /* still valid → kept; a manufacturer can still replace it (undefine, define) */
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "rsa2048", NULL), 0);
    assert_non_null(strstr(out, "kept"));
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "rsa2048", "--force", NULL), 0);
    assert_non_null(strstr(out, "replaced"));
    assert_int_equal(nv_attributes(RSA_IDX) & (TPMA_NV_WRITEDEFINE | TPMA_NV_WRITELOCKED), 0);
}

static void test_library_mlkem_on_swtpm(void **state)
{
    (void)state;
    qtpm_vendor_ca *ca;
    qtpm_mfg_result res;
    assert_int_equal(qtpm_vendor_ca_open(ca_dir, &ca), 0);
    int rc = qtpm_manufacture_ek(T, ca, QTPM_EK_MLKEM768, NULL, &res);
    if (rc == QTPM_OK) {
        /* a TPM that knows ML-KEM: the certificate must check out */
        uint8_t cert[4096];
        size_t len, ca_len;
        const uint8_t *c = qtpm_vendor_ca_cert_der(ca, &ca_len);
        read_cert(QTPM_EK_CERT_NV_MLKEM768, cert, sizeof cert, &len);
        assert_int_equal(qtpm_ek_cert_verify(cert, len, c, ca_len, &res.ek), QTPM_OK);
    } else {
        /* swtpm (libtpms) has no ML-KEM: CreatePrimary refuses the type and
         * nothing is written */
        fprintf(stderr, "ML-KEM-768 EK on swtpm: TPM_RC 0x%03X (no ML-KEM in this TPM); "
                        "ML-KEM certificates are tested in software (test_manufacture)\n",
                (unsigned)rc);
        assert_true(rc > 0);
        TPM2B_NV_PUBLIC pub;
        assert_int_equal(rc_base(qtpm_tss_NV_ReadPublic(T, NULL, QTPM_EK_CERT_NV_MLKEM768, &pub,
                                                        NULL)),
                         TPM_RC_HANDLE);
    }
    qtpm_vendor_ca_free(ca);
    /* unknown names are refused before the TPM is touched */
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "rsa2048,dsa", NULL), 2);
}

static void test_owner_hierarchy(void **state)
{
    (void)state;
    uint8_t cert[4096];
    size_t len, ca_len;
    qtpm_vendor_ca *ca;
    TPMT_PUBLIC ecc;
    ek_pub(TPM_ALG_ECC, &ecc);
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "ecc256", "--force", "--hierarchy",
                             "owner", NULL), 0);
    assert_non_null(strstr(out, "owner hierarchy"));
    UINT32 a = nv_attributes(ECC_IDX);
    assert_int_equal(a, TPMA_NV_OWNERWRITE | TPMA_NV_PPREAD | TPMA_NV_OWNERREAD |
                            TPMA_NV_AUTHREAD | TPMA_NV_NO_DA | TPMA_NV_WRITTEN);
    const uint8_t *c = ca_der(ca_dir, &ca_len, &ca);
    read_cert(ECC_IDX, cert, sizeof cert, &len);
    assert_int_equal(qtpm_ek_cert_verify(cert, len, c, ca_len, &ecc), QTPM_OK);
    qtpm_vendor_ca_free(ca);
}

/* Last: disables the platform hierarchy (as firmware does before the OS
 * runs); auto mode then defines the index from the owner hierarchy. */
static void test_platform_disabled_falls_back(void **state)
{
    (void)state;
    /* TPM2_HierarchyControl (Part 3 §24.2): authHandle = platform;
     * parameters enable = TPM_RH_PLATFORM (4 bytes), state = NO (1 byte) */
    const uint32_t enable = TPM_RH_PLATFORM;
    uint8_t p[5] = { (uint8_t)(enable >> 24), (uint8_t)(enable >> 16), (uint8_t)(enable >> 8),
                     (uint8_t)enable, 0 };
    qtpm_tss_command cmd;
    qtpm_tss_response rsp;
    memset(&cmd, 0, sizeof cmd);
    cmd.cc = TPM_CC_HierarchyControl;
    cmd.n_handles = 1;
    cmd.handles[0] = TPM_RH_PLATFORM;
    cmd.n_auth = 1;
    cmd.params = p;
    cmd.params_len = sizeof p;
    assert_int_equal(qtpm_tss_execute(T, &cmd, &rsp), 0);
    assert_int_equal(rsp.rc, 0);

    /* the RSA index is the platform's and cannot be removed now; the ECC
     * index (owner-made by the previous test) is removed and made again */
    assert_int_equal(qtpm_tss_NV_UndefineSpace(T, NULL, TPM_RH_OWNER, ECC_IDX), 0);
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "ecc256", NULL), 0);
    assert_non_null(strstr(out, "ecc256: EK certificate at NV 0x01C0000A written"));
    assert_non_null(strstr(out, "owner hierarchy"));
    assert_int_equal(nv_attributes(ECC_IDX) & TPMA_NV_PLATFORMCREATE, 0);
    /* --hierarchy platform does not fall back */
    assert_int_equal(run_mfg("--ca-dir", ca_dir, "--alg", "ecc256", "--force", "--hierarchy",
                             "platform", NULL), 1);
}

int main(void)
{
    if (!tss_swtpm_installed()) {
        printf("swtpm not installed: test_manufacture_swtpm cannot run (skipped)\n");
        return 77; /* CTest's SKIP_RETURN_CODE */
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_manufacture_rsa_ecc),
        cmocka_unit_test(test_tpm2_tools_and_openssl),
        cmocka_unit_test(test_rerun_keeps),
        cmocka_unit_test(test_other_ca_and_garbage_replaced),
        cmocka_unit_test(test_lock),
        cmocka_unit_test(test_library_mlkem_on_swtpm),
        cmocka_unit_test(test_owner_hierarchy),
        cmocka_unit_test(test_platform_disabled_falls_back),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
