/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Configuration integrity against the in-process engine TPM: sealed files
 * verify; a modified file, a missing file and a manifest whose HMAC was
 * edited are refused; the HMAC key persists in the state directory (a second
 * verify with the same blobs agrees); a different HMAC key (new state dir)
 * refuses the manifest.
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
#include "confint.h"
#include "qtpm/tss_cmd.h"

static char dir[256];

static void put(const char *rel, const char *text)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_seal_verify_refuse(void **st)
{
    (void)st;
    strcpy(dir, "/tmp/agent_confint_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char state[300], state2[300], man[300], f1[300], f2[300], err[512];
    snprintf(state, sizeof state, "%s/state", dir);
    snprintf(state2, sizeof state2, "%s/state2", dir);
    snprintf(man, sizeof man, "%s/manifest", dir);
    snprintf(f1, sizeof f1, "%s/frr.conf", dir);
    snprintf(f2, sizeof f2, "%s/daemons", dir);
    assert_int_equal(mkdir(state, 0700), 0);
    assert_int_equal(mkdir(state2, 0700), 0);
    put("frr.conf", "router bgp 65001\n neighbor 10.0.0.2 remote-as 65002\n");
    put("daemons", "bgpd=yes\n");

    qtpm_tss *t = NULL;
    assert_int_equal(qtpm_tss_new("engine:", &t), QTPM_OK);
    assert_int_equal(qtpm_tss_Startup(t, TPM_SU_CLEAR), QTPM_OK);
    const char *files[] = { f1, f2 };
    size_t bad = 99;
    int rc = agent_confint_seal(t, state, man, files, 2, err, sizeof err);
    if (rc != QTPM_OK)
        fprintf(stderr, "seal: %s\n", err);
    assert_int_equal(rc, QTPM_OK);
    assert_int_equal(agent_confint_verify(t, state, man, &bad, err, sizeof err), QTPM_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(agent_confint_verify(t, state, man, &bad, err, sizeof err), QTPM_OK);
    assert_int_equal(bad, 0);

    /* a different HMAC key does not accept this manifest */
    assert_int_equal(agent_confint_verify(t, state2, man, &bad, err, sizeof err), QTPM_OK);
    assert_int_equal(bad, 2);

    /* modified file refused, by name */
    put("frr.conf", "router bgp 65001\n neighbor 10.6.6.6 remote-as 666\n");
    assert_int_equal(agent_confint_verify(t, state, man, &bad, err, sizeof err), QTPM_OK);
    assert_int_equal(bad, 1);
    assert_non_null(strstr(err, "frr.conf"));
    /* the report the agent sends to the NMS names the file and why */
    json_t *refused = json_array();
    assert_int_equal(agent_confint_verify_ex(t, state, man, &bad, refused, err, sizeof err),
                     QTPM_OK);
    assert_int_equal(json_array_size(refused), 1);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(refused, 0), "path")),
                           "frr.conf"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(refused, 0), "reason")),
                        "modified");
    json_decref(refused);
    /* restored content verifies again */
    put("frr.conf", "router bgp 65001\n neighbor 10.0.0.2 remote-as 65002\n");
    assert_int_equal(agent_confint_verify(t, state, man, &bad, err, sizeof err), QTPM_OK);
    assert_int_equal(bad, 0);

    /* missing file refused */
    assert_int_equal(unlink(f2), 0);
    assert_int_equal(agent_confint_verify(t, state, man, &bad, err, sizeof err), QTPM_OK);
    assert_int_equal(bad, 1);
    assert_non_null(strstr(err, "daemons"));
    refused = json_array();
    assert_int_equal(agent_confint_verify_ex(t, state, man, &bad, refused, err, sizeof err),
                     QTPM_OK);
    assert_int_equal(json_array_size(refused), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(refused, 0), "reason")),
                        "unreadable");
    json_decref(refused);
    put("daemons", "bgpd=yes\n");

    /* an attacker re-writing the manifest's HMAC (no TPM key) is refused */
    uint8_t *m = NULL;
    size_t ml = 0;
    assert_int_equal(agent_read_file(man, &m, &ml), 0);
    m[0] = m[0] == 'a' ? 'b' : 'a';
    assert_int_equal(agent_write_file(man, m, ml, 0644), 0);
    free(m);
    assert_int_equal(agent_confint_verify(t, state, man, &bad, err, sizeof err), QTPM_OK);
    assert_int_equal(bad, 1);

    /* a malformed manifest is an error, not a pass */
    put("manifest", "nothex\n");
    assert_int_not_equal(agent_confint_verify(t, state, man, &bad, err, sizeof err), QTPM_OK);

    qtpm_tss_free(t);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_seal_verify_refuse) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
