/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's measurer against a TPM (the in-process engine): every entry
 * it writes is an ima-ng entry whose replay, with the kernel's rule for each
 * bank, gives exactly the TPM's PCR 10; unchanged files are not measured
 * again, changed and new files are; a reset TPM (PCR 10 zero) starts a new
 * list; the configuration parser refuses unknown keys with their line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent.h"
#include "qtpm/tss_cmd.h"

#include <openssl/evp.h>

static char dir[256];
static agent_config cfg;

static void write_text(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/image%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void read_pcr10(qtpm_tss *t, TPMI_ALG_HASH bank, TPM2B_DIGEST *out)
{
    TPML_PCR_SELECTION sel;
    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = bank;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[1] = 1u << 2;
    size_t n = 0;
    assert_int_equal(qtpm_tss_pcr_read_all(t, &sel, out, 1, &n), QTPM_OK);
    assert_int_equal(n, 1);
}

/* Replays the agent's own list for one bank: PCR := H(PCR || H_bank(template data)). */
static void replay(const qtpm_ima_list *l, TPMI_ALG_HASH bank, uint8_t *pcr, size_t len)
{
    memset(pcr, 0, len);
    for (size_t i = 0; i < l->count; i++) {
        uint8_t v[64], buf[128];
        size_t vl = 0;
        assert_int_equal(qtpm_ima_extend_value(&l->entries[i], bank, v, &vl), 0);
        assert_int_equal(vl, len);
        memcpy(buf, pcr, len);
        memcpy(buf + len, v, len);
        const EVP_MD *md = bank == TPM_ALG_SHA1 ? EVP_sha1() : EVP_sha256();
        unsigned int ol = 0;
        assert_int_equal(EVP_Digest(buf, 2 * len, pcr, &ol, md, NULL), 1);
    }
}

static void check_replay(qtpm_tss *t)
{
    qtpm_ima_list l;
    assert_int_equal(agent_measure_list(&cfg, &l), 0);
    TPM2B_DIGEST d1, d256;
    uint8_t p1[20], p256[32];
    read_pcr10(t, TPM_ALG_SHA1, &d1);
    read_pcr10(t, TPM_ALG_SHA256, &d256);
    replay(&l, TPM_ALG_SHA1, p1, 20);
    replay(&l, TPM_ALG_SHA256, p256, 32);
    assert_memory_equal(p1, d1.buffer, 20);
    assert_memory_equal(p256, d256.buffer, 32);
    qtpm_ima_list_free(&l);
}

static void test_measure_replays_to_pcr10(void **state)
{
    (void)state;
    qtpm_tss *t = NULL;
    assert_int_equal(qtpm_tss_new("engine:", &t), QTPM_OK);
    assert_int_equal(qtpm_tss_Startup(t, TPM_SU_CLEAR), QTPM_OK);
    agent_measurer m;
    size_t added = 0;
    assert_int_equal(agent_measure_start(&m, &cfg, t), 0);
    assert_int_equal(agent_measure_scan(&m, &added), 0);
    assert_int_equal(added, 3);
    check_replay(t);

    qtpm_ima_list l;
    assert_int_equal(agent_measure_list(&cfg, &l), 0);
    assert_int_equal(l.count, 3);
    /* name order, paths as on the router, ima-ng with SHA-256 file digests */
    assert_string_equal(l.entries[0].path, "/etc/frr.conf");
    assert_string_equal(l.entries[1].path, "/usr/bin/routerd");
    assert_string_equal(l.entries[2].path, "/usr/bin/zebra");
    assert_int_equal(l.entries[1].template_id, QTPM_IMA_TEMPLATE_IMA_NG);
    assert_int_equal(l.entries[1].file_alg, TPM_ALG_SHA256);
    assert_int_equal(l.entries[1].pcr, 10);
    qtpm_ima_list_free(&l);

    /* nothing changed: nothing measured */
    assert_int_equal(agent_measure_scan(&m, &added), 0);
    assert_int_equal(added, 0);
    /* a changed and a new file: two entries, still replaying to PCR 10 */
    write_text("/usr/bin/routerd", "routerd 3.4.3\n");
    write_text("/usr/bin/evil", "evil\n");
    assert_int_equal(agent_measure_scan(&m, &added), 0);
    assert_int_equal(added, 2);
    check_replay(t);

    /* a reset TPM (new boot): the agent starts a new list */
    qtpm_tss_free(t);
    assert_int_equal(qtpm_tss_new("engine:", &t), QTPM_OK);
    assert_int_equal(qtpm_tss_Startup(t, TPM_SU_CLEAR), QTPM_OK);
    assert_int_equal(agent_measure_start(&m, &cfg, t), 0);
    assert_int_equal(agent_measure_scan(&m, &added), 0);
    assert_int_equal(added, 4);
    check_replay(t);
    qtpm_tss_free(t);
}

static void test_config_errors(void **state)
{
    (void)state;
    char p[512], err[256];
    agent_config c;
    snprintf(p, sizeof p, "%s/bad.conf", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("tcti = engine:\nnms = https://127.0.0.1:1\n# comment\ncolour = blue\n", f);
    fclose(f);
    assert_int_not_equal(agent_config_load(p, &c, err, sizeof err), 0);
    assert_non_null(strstr(err, ":4: unknown key 'colour'"));
    f = fopen(p, "w");
    fputs("tcti = engine:\nnms = https://x\nhostname = r\nmeasure_root = /x\n", f);
    fclose(f);
    assert_int_not_equal(agent_config_load(p, &c, err, sizeof err), 0);
    assert_non_null(strstr(err, "state_dir is required"));
    f = fopen(p, "w");
    fputs("tcti = engine:\nnms = https://x\nhostname = r\nstate_dir = /x\nmeasure_root = /y\n"
          "period = 0\n", f);
    fclose(f);
    assert_int_not_equal(agent_config_load(p, &c, err, sizeof err), 0);
    assert_non_null(strstr(err, "period"));
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/qtpm-agent-test.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char p[512], conf[512];
    snprintf(p, sizeof p, "%s/image/usr/bin", dir);
    snprintf(conf, sizeof conf, "%s/image", dir);
    mkdir(conf, 0700);
    snprintf(conf, sizeof conf, "%s/image/usr", dir);
    mkdir(conf, 0700);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/image/etc", dir);
    mkdir(p, 0700);
    write_text("/usr/bin/routerd", "routerd 3.4.2\n");
    write_text("/usr/bin/zebra", "zebra 8.4\n");
    write_text("/etc/frr.conf", "router ospf\n");
    snprintf(conf, sizeof conf, "%s/agent.conf", dir);
    FILE *f = fopen(conf, "w");
    if (!f)
        return 1;
    fprintf(f, "tcti = engine:\nnms = https://127.0.0.1:1\nhostname = r1\nstate_dir = %s/state\n"
               "measure_root = %s/image\nima_source = own\n", dir, dir);
    fclose(f);
    snprintf(p, sizeof p, "%s/state", dir);
    mkdir(p, 0700);
    char err[256];
    if (agent_config_load(conf, &cfg, err, sizeof err) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_measure_replays_to_pcr10),
        cmocka_unit_test(test_config_errors),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        rc = rc ? rc : 1;
    return rc;
}
