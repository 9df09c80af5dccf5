/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wallet_limits_test.c — the TPM-enforced limits of financial tokens
 * (docs/WALLET.md, "Policy construction"): the expiry (PolicyCounterTimer
 * on the TPM's Clock, kept up to wall time with ClockSet) and the amount
 * limit (a "spent" NV counter incremented amount times before PolicyNV).
 *
 * Each case shows the service check in front and then the TPM refusing by
 * itself: with the vault's own checks switched off
 * (wallet_set_service_checks), or with the database row edited. Runs on the
 * in-process engine by default; wallet_limits.sh runs the same binary on
 * qtpm-server and swtpm (WALLET_TEST_TCTI = the TCTI of a running TPM,
 * WALLET_TEST_ALG = qr | classic).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "qtpm/tss_cmd.h"
#include "wallet.h"

#define TPM_RC_POLICY_HEX "TPM rc 0x126" /* TPM_RC_POLICY, Part 2 §6.6.3 */

typedef struct {
    char dir[256];
    char tcti[300];
    char db[300];
    char gate[300];
    wallet *w;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    const char *tcti = getenv("WALLET_TEST_TCTI");
    const char *alg = getenv("WALLET_TEST_ALG");
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s/qtpm-wallet-limits.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    if (tcti && *tcti)
        snprintf(f->tcti, sizeof f->tcti, "%s", tcti);
    else
        snprintf(f->tcti, sizeof f->tcti, "engine:%s/tpm", f->dir);
    snprintf(f->db, sizeof f->db, "%s/w.db", f->dir);
    snprintf(f->gate, sizeof f->gate, "%s/w.gate", f->dir);
    wallet_alg a = alg && !strcmp(alg, "classic") ? WALLET_ALG_CLASSIC : WALLET_ALG_QR;
    if (wallet_init(f->tcti, f->db, f->gate, a) != 0 ||
        wallet_open(f->tcti, f->db, f->gate, &f->w) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[400];
    wallet_close(f->w);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static int unseal_rc(wallet *w, const char *name, uint64_t amount)
{
    uint8_t *out = NULL;
    size_t n = 0;
    int rc = wallet_token_unseal(w, name, amount, &out, &n);
    if (rc == 0)
        free(out);
    else
        assert_null(out);
    return rc;
}

static void unseal_equals(wallet *w, const char *name, uint64_t amount, const char *want)
{
    uint8_t *out = NULL;
    size_t n = 0;
    int rc = wallet_token_unseal(w, name, amount, &out, &n);
    if (rc)
        fprintf(stderr, "unseal %s: %s\n", name, wallet_last_error(w));
    assert_int_equal(rc, 0);
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    free(out);
}

static void has(const wallet *w, const char *what)
{
    if (!strstr(wallet_last_error(w), what))
        fprintf(stderr, "expected \"%s\" in \"%s\"\n", what, wallet_last_error(w));
    assert_non_null(strstr(wallet_last_error(w), what));
}

static void sql(fixture *f, const char *q)
{
    sqlite3 *db;
    wallet_close(f->w);
    f->w = NULL;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
}

static uint64_t tpm_clock(wallet *w)
{
    TPMS_TIME_INFO ti;
    assert_int_equal(qtpm_tss_ReadClock(wallet_tss(w), &ti), 0);
    return ti.clockInfo.clock;
}

static wallet_token_opts fin(uint64_t limit, int64_t expires, uint32_t uses)
{
    wallet_token_opts o = { WALLET_TOKEN_FINANCIAL, 1U << 7, limit, expires, uses };
    return o;
}

/* Expiry: the TPM's Clock moved past the expiry (ClockSet) refuses the
 * token while wall time is still before it, so the refusal is the TPM's;
 * edited expiry fields in the database do not help. */
static void test_expiry_clockset(void **state)
{
    fixture *f = *state;
    wallet_token_opts o = fin(0, (int64_t)time(NULL) + 60, 0);
    assert_int_equal(wallet_token_seal(f->w, "exp", &o, (const uint8_t *)"exp-tok", 7), 0);
    unseal_equals(f->w, "exp", 0, "exp-tok");
    /* the owner moves Clock 120 s forward (it can only go forward) */
    uint64_t c = tpm_clock(f->w);
    qtpm_tss_auths oa = { 1, { { NULL, NULL } } };
    assert_int_equal(qtpm_tss_ClockSet(wallet_tss(f->w), &oa, TPM_RH_OWNER, c + 120000), 0);
    assert_true(tpm_clock(f->w) >= c + 120000);
    int rc = qtpm_tss_ClockSet(wallet_tss(f->w), &oa, TPM_RH_OWNER, c);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_VALUE); /* never back */
    assert_int_equal(unseal_rc(f->w, "exp", 0), WALLET_E_EXPIRED);
    has(f->w, "PolicyCounterTimer");
    has(f->w, TPM_RC_POLICY_HEX);
    /* the database says "never expires": the sealed policy still has the
     * CounterTimer assertion, so the session's digest does not match */
    sql(f, "UPDATE tokens SET expires=0 WHERE name='exp'");
    rc = unseal_rc(f->w, "exp", 0);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_POLICY_FAIL);
    /* a later expiry in both fields: CounterTimer passes, the digest does not */
    sql(f, "UPDATE tokens SET expires=strftime('%s','now')+86400,"
           " clock_expiry=clock_expiry+86400000 WHERE name='exp'");
    rc = unseal_rc(f->w, "exp", 0);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_POLICY_FAIL);
    /* only the unix expiry moved: the service check passes, CounterTimer refuses */
    sql(f, "UPDATE tokens SET clock_expiry=clock_expiry-86400000 WHERE name='exp'");
    assert_int_equal(unseal_rc(f->w, "exp", 0), WALLET_E_EXPIRED);
    has(f->w, "PolicyCounterTimer");
    /* the row made to look like an older vault's (expiry a service check) */
    sql(f, "UPDATE tokens SET tpm_limits=0 WHERE name='exp'");
    rc = unseal_rc(f->w, "exp", 0);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_POLICY_FAIL);
}

/* Expiry by wall time: a token that expires in 2 s unseals before; after it,
 * the service check refuses, and with the check off (or the expiry edited
 * in the database) the TPM refuses. The vault is closed while waiting: a
 * TPM whose Clock stood still meanwhile (the in-process engine is not
 * running) is brought forward by the next open (ClockSet). */
static void test_expiry_wall_clock(void **state)
{
    fixture *f = *state;
    time_t exp = time(NULL) + 2;
    wallet_token_opts o = fin(0, (int64_t)exp, 0);
    assert_int_equal(wallet_token_seal(f->w, "soon", &o, (const uint8_t *)"soon-tok", 8), 0);
    unseal_equals(f->w, "soon", 0, "soon-tok");
    uint64_t c0 = tpm_clock(f->w);
    struct timespec t0, t1;
    clock_gettime(CLOCK_REALTIME, &t0);
    wallet_close(f->w);
    f->w = NULL;
    for (int i = 0; i < 40 && time(NULL) <= exp; i++) /* ≤ 4 s */
        usleep(100000);
    assert_true(time(NULL) > exp);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
    clock_gettime(CLOCK_REALTIME, &t1);
    int64_t waited = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    /* Clock kept up with wall time across the closed interval (slack: the
     * vault leaves a lag up to 100 ms, at each end) */
    assert_true((int64_t)(tpm_clock(f->w) - c0) >= waited - 250);
    assert_int_equal(unseal_rc(f->w, "soon", 0), WALLET_E_EXPIRED);
    has(f->w, "refused: expired"); /* the service check: no TPM command */
    wallet_set_service_checks(f->w, 0);
    assert_int_equal(unseal_rc(f->w, "soon", 0), WALLET_E_EXPIRED);
    has(f->w, "PolicyCounterTimer");
    has(f->w, TPM_RC_POLICY_HEX);
    wallet_set_service_checks(f->w, 1);
    sql(f, "UPDATE tokens SET expires=strftime('%s','now')+3600 WHERE name='soon'");
    assert_int_equal(unseal_rc(f->w, "soon", 0), WALLET_E_EXPIRED);
    has(f->w, "PolicyCounterTimer");
}

/* Amount: spent in several unseals up to the limit; then the service check
 * refuses, the TPM refuses with the check off (and that refused amount is
 * consumed), and edited limit / spent fields do not help. */
static void test_amount_limit(void **state)
{
    fixture *f = *state;
    wallet_token_opts o = fin(10, 0, 0);
    assert_int_equal(wallet_token_seal(f->w, "card", &o, (const uint8_t *)"card-tok", 8), 0);
    unseal_equals(f->w, "card", 3, "card-tok");
    unseal_equals(f->w, "card", 3, "card-tok");
    assert_int_equal(unseal_rc(f->w, "card", 5), WALLET_E_AMOUNT); /* 6 + 5 > 10 */
    has(f->w, "left of the limit (4 of 10)");
    unseal_equals(f->w, "card", 4, "card-tok"); /* 10 of 10 */
    assert_int_equal(unseal_rc(f->w, "card", 1), WALLET_E_AMOUNT);
    has(f->w, "(0 of 10)");
    wallet_set_service_checks(f->w, 0);
    assert_int_equal(unseal_rc(f->w, "card", 1), WALLET_E_AMOUNT);
    has(f->w, "PolicyNV on the spent counter");
    has(f->w, TPM_RC_POLICY_HEX);
    wallet_set_service_checks(f->w, 1);
    /* the row made to look like an older vault's (limits as service checks
     * only, an amount per use): no spent assertion in the session, so its
     * digest is not the sealed one */
    sql(f, "UPDATE tokens SET tpm_limits=0 WHERE name='card'");
    int rc = unseal_rc(f->w, "card", 1);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_POLICY_FAIL);
    sql(f, "UPDATE tokens SET tpm_limits=1 WHERE name='card'");
    /* a larger limit in the database: the check in front passes, the
     * sealed policy names the old operand */
    sql(f, "UPDATE tokens SET amount_limit=1000 WHERE name='card'");
    rc = unseal_rc(f->w, "card", 1);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_POLICY_FAIL);
    sql(f, "UPDATE tokens SET amount_limit=10, spent_base=spent_base+100 WHERE name='card'");
    wallet_set_service_checks(f->w, 0);
    rc = unseal_rc(f->w, "card", 1);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_POLICY_FAIL);
    sql(f, "UPDATE tokens SET spent_base=spent_base-100, amount_limit=0 WHERE name='card'");
    rc = unseal_rc(f->w, "card", 1); /* no limit: no PolicyNV on spent, wrong digest */
    assert_int_equal(wallet_rc_base(rc), TPM_RC_POLICY_FAIL);

    /* over the limit in one go, with the check off: the TPM counts 6 of 5,
     * refuses, and the amount is consumed */
    o = fin(5, 0, 0);
    assert_int_equal(wallet_token_seal(f->w, "five", &o, (const uint8_t *)"five", 4), 0);
    wallet_set_service_checks(f->w, 0);
    assert_int_equal(unseal_rc(f->w, "five", 6), WALLET_E_AMOUNT);
    has(f->w, "PolicyNV on the spent counter");
    assert_int_equal(unseal_rc(f->w, "five", 1), WALLET_E_AMOUNT);
    wallet_set_service_checks(f->w, 1);
    assert_int_equal(unseal_rc(f->w, "five", 1), WALLET_E_AMOUNT);
    has(f->w, "(0 of 5)");

    /* amount and uses and expiry together */
    o = fin(4, (int64_t)time(NULL) + 3600, 2);
    assert_int_equal(wallet_token_seal(f->w, "all", &o, (const uint8_t *)"all", 3), 0);
    unseal_equals(f->w, "all", 2, "all");
    unseal_equals(f->w, "all", 2, "all");
    assert_int_equal(unseal_rc(f->w, "all", 1), WALLET_E_AMOUNT);
}

/* Malformed amounts and limits: refused with a clear message. */
static void test_amount_malformed(void **state)
{
    fixture *f = *state;
    wallet_token_opts o = fin(WALLET_MAX_AMOUNT_LIMIT + 1, 0, 0);
    assert_int_equal(wallet_token_seal(f->w, "big", &o, (const uint8_t *)"x", 1), WALLET_E_ARG);
    has(f->w, "above 1000 units");
    o = fin(WALLET_MAX_AMOUNT_LIMIT, 0, 0);
    assert_int_equal(wallet_token_seal(f->w, "max", &o, (const uint8_t *)"x", 1), 0);
    assert_int_equal(unseal_rc(f->w, "max", 0), WALLET_E_ARG);
    has(f->w, "amount limit: give 1..");
    assert_int_equal(unseal_rc(f->w, "max", WALLET_MAX_AMOUNT_LIMIT + 1), WALLET_E_AMOUNT);
    assert_int_equal(unseal_rc(f->w, "max", UINT64_MAX), WALLET_E_AMOUNT);
    wallet_set_service_checks(f->w, 0); /* the loop bound holds without the checks */
    assert_int_equal(unseal_rc(f->w, "max", UINT64_MAX), WALLET_E_AMOUNT);
    has(f->w, "largest limit");
    wallet_set_service_checks(f->w, 1);
    o.expires = -5;
    assert_int_equal(wallet_token_seal(f->w, "neg", &o, (const uint8_t *)"x", 1), WALLET_E_ARG);
}

/* Deletion undefines both counters. */
static void test_delete_both(void **state)
{
    fixture *f = *state;
    wallet_token_info info;
    TPM2B_NV_PUBLIC np;
    wallet_token_opts o = fin(3, 0, 2);
    assert_int_equal(wallet_token_seal(f->w, "d", &o, (const uint8_t *)"d", 1), 0);
    assert_int_equal(wallet_token_info_get(f->w, "d", &info), 0);
    assert_int_equal(info.spent_index, 0x01580000U + (info.nv_index - 0x01570000U));
    assert_int_equal(qtpm_tss_NV_ReadPublic(wallet_tss(f->w), NULL, info.nv_index, &np, NULL), 0);
    assert_int_equal(qtpm_tss_NV_ReadPublic(wallet_tss(f->w), NULL, info.spent_index, &np, NULL),
                     0);
    assert_int_equal(wallet_token_delete(f->w, "d"), 0);
    int rc = qtpm_tss_NV_ReadPublic(wallet_tss(f->w), NULL, info.nv_index, &np, NULL);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_HANDLE);
    rc = qtpm_tss_NV_ReadPublic(wallet_tss(f->w), NULL, info.spent_index, &np, NULL);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_HANDLE);
    /* no limit, no spent counter */
    o = fin(0, 0, 1);
    assert_int_equal(wallet_token_seal(f->w, "n", &o, (const uint8_t *)"n", 1), 0);
    assert_int_equal(wallet_token_info_get(f->w, "n", &info), 0);
    assert_int_equal(info.spent_index, 0);
}

/* N processes each unseal amount 4 of a limit of 10 with the vault's own
 * checks off: the sum released never exceeds the limit (2 succeed). */
static void test_concurrent_amount(void **state)
{
    fixture *f = *state;
    enum { N = 4 };
    pid_t pid[N];
    wallet_token_opts o = fin(10, 0, 0);
    assert_int_equal(wallet_token_seal(f->w, "pool", &o, (const uint8_t *)"pool", 4), 0);
    wallet_close(f->w);
    f->w = NULL;
    for (int i = 0; i < N; i++) {
        pid[i] = fork();
        assert_true(pid[i] >= 0);
        if (pid[i] == 0) {
            wallet *w = NULL;
            uint8_t *out = NULL;
            size_t n = 0;
            int st = 3;
            if (wallet_open(f->tcti, f->db, f->gate, &w) == 0) {
                wallet_set_service_checks(w, 0);
                int rc = wallet_token_unseal(w, "pool", 4, &out, &n);
                st = rc == 0 && n == 4 && !memcmp(out, "pool", 4) ? 0
                     : rc == WALLET_E_AMOUNT                       ? 1
                                                                   : 2;
                free(out);
                wallet_close(w);
            }
            _exit(st);
        }
    }
    int ok = 0, refused = 0;
    for (int i = 0; i < N; i++) {
        int st = 0;
        assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
        assert_true(WIFEXITED(st));
        if (WEXITSTATUS(st) == 0) ok++;
        else if (WEXITSTATUS(st) == 1) refused++;
    }
    assert_true(ok * 4 <= 10);
    assert_int_equal(ok, 2);
    assert_int_equal(refused, N - 2);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_expiry_clockset), T(test_expiry_wall_clock), T(test_amount_limit),
        T(test_amount_malformed), T(test_delete_both), T(test_concurrent_amount),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
