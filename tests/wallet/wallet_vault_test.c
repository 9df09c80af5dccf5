/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wallet_vault_test.c — cmocka tests of qtpm-wallet's vault against the
 * in-process engine (TCTI "engine:DIR", state kept in a temporary
 * directory), both configurations (QR: ML-KEM-768 SRK and HashML-DSA-44
 * audit key; classic: ECC P-256 SRK and ECDSA): sealing and unsealing,
 * refusal after a PCR change (TPM_RC_POLICY_FAIL from the TPM), a copied
 * database on another TPM or without the gate secret, financial limits,
 * n-time use enforced by the TPM's counter, concurrent unseals of a
 * one-time token by several processes, deletion (the NV index gone, an old
 * copy of the row dead), keys (encrypt/decrypt, HMAC, rotation, deletion of
 * the persistent handle) and the audit log (verifies; edits, removals,
 * truncation and a foreign pinned key are detected).
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

typedef struct {
    char dir[256];
    char tcti[300];
    char db[300];
    char gate[300];
    wallet_alg alg;
    wallet *w;
} fixture;

static void rm_rf(const char *d)
{
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
}

static int setup_alg(void **state, wallet_alg alg)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "%s/qtpm-wallet-test.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->tcti, sizeof f->tcti, "engine:%s/tpm", f->dir);
    snprintf(f->db, sizeof f->db, "%s/w.db", f->dir);
    snprintf(f->gate, sizeof f->gate, "%s/w.gate", f->dir);
    f->alg = alg;
    if (wallet_init(f->tcti, f->db, f->gate, alg) != 0)
        return -1;
    if (wallet_open(f->tcti, f->db, f->gate, &f->w) != 0)
        return -1;
    *state = f;
    return 0;
}
static int setup_qr(void **state) { return setup_alg(state, WALLET_ALG_QR); }
static int setup_classic(void **state) { return setup_alg(state, WALLET_ALG_CLASSIC); }

static int teardown(void **state)
{
    fixture *f = *state;
    wallet_close(f->w);
    rm_rf(f->dir);
    free(f);
    return 0;
}

static const wallet_token_opts bearer = { WALLET_TOKEN_BEARER, 1U << 7, 0, 0, 0 };

static void unseal_equals(wallet *w, const char *name, uint64_t amount, const void *want,
                          size_t len)
{
    uint8_t *out = NULL;
    size_t n = 0;
    assert_int_equal(wallet_token_unseal(w, name, amount, &out, &n), 0);
    assert_int_equal(n, len);
    assert_memory_equal(out, want, len);
    free(out);
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

static void extend_pcr7(wallet *w)
{
    TPML_DIGEST_VALUES d;
    memset(&d, 0, sizeof d);
    d.count = 1;
    d.digests[0].hashAlg = TPM_ALG_SHA256;
    memset(d.digests[0].digest.sha256, 0x5a, 32);
    assert_int_equal(qtpm_tss_PCR_Extend(wallet_tss(w), NULL, 7, &d), 0);
}

static void test_seal_unseal(void **state)
{
    fixture *f = *state;
    static uint8_t big[20000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(wallet_token_seal(f->w, "oauth", &bearer, (const uint8_t *)"tok-1", 5), 0);
    assert_int_equal(wallet_token_seal(f->w, "big", &bearer, big, sizeof big), 0);
    unseal_equals(f->w, "oauth", 0, "tok-1", 5);
    unseal_equals(f->w, "big", 0, big, sizeof big);
    unseal_equals(f->w, "oauth", 0, "tok-1", 5); /* a bearer token opens again */
    /* names are unique; bad names, sizes and options are refused */
    assert_int_equal(wallet_token_seal(f->w, "oauth", &bearer, (const uint8_t *)"x", 1),
                     WALLET_E_EXISTS);
    assert_int_equal(wallet_token_seal(f->w, "a b", &bearer, (const uint8_t *)"x", 1),
                     WALLET_E_ARG);
    assert_int_equal(wallet_token_seal(f->w, "empty", &bearer, (const uint8_t *)"", 0),
                     WALLET_E_ARG);
    wallet_token_opts bad = bearer;
    bad.uses = 1;
    assert_int_equal(wallet_token_seal(f->w, "b2", &bad, (const uint8_t *)"x", 1), WALLET_E_ARG);
    assert_int_equal(unseal_rc(f->w, "nothere", 0), WALLET_E_NOTFOUND);
    /* the database holds no plaintext */
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM tokens WHERE instr(ct, 'tok-1')"
                                            " OR instr(priv, 'tok-1')", -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(s, 0), 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
}

static void test_pcr_change(void **state)
{
    fixture *f = *state;
    wallet_token_opts none = bearer;
    none.pcr_mask = 1U << 16; /* the debug PCR, not touched here */
    assert_int_equal(wallet_token_seal(f->w, "t", &bearer, (const uint8_t *)"secret", 6), 0);
    assert_int_equal(wallet_token_seal(f->w, "u", &none, (const uint8_t *)"other", 5), 0);
    extend_pcr7(f->w);
    int rc = unseal_rc(f->w, "t", 0);
    assert_true(rc > 0);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_POLICY_FAIL);
    unseal_equals(f->w, "u", 0, "other", 5); /* sealed to another PCR: still opens */
}

static void copy_file(const char *from, const char *to)
{
    char cmd[700];
    snprintf(cmd, sizeof cmd, "cp '%s' '%s'", from, to);
    assert_int_equal(system(cmd), 0);
}

static void test_copied_database(void **state)
{
    fixture *f = *state;
    char db2[320], gate2[320], tcti2[320], dir2[300];
    assert_int_equal(wallet_token_seal(f->w, "t", &bearer, (const uint8_t *)"secret", 6), 0);
    wallet_close(f->w);
    f->w = NULL;
    /* another TPM (fresh engine state: other seeds), same database and gate */
    snprintf(dir2, sizeof dir2, "%s/other", f->dir);
    snprintf(tcti2, sizeof tcti2, "engine:%s", dir2);
    snprintf(db2, sizeof db2, "%s/copy.db", f->dir);
    copy_file(f->db, db2);
    char g2[330];
    snprintf(g2, sizeof g2, "%s.gate", db2);
    copy_file(f->gate, g2);
    wallet *w2 = NULL;
    int rc = wallet_open(tcti2, db2, g2, &w2);
    assert_true(rc > 0); /* the audit key's blob does not load under another SRK */
    assert_null(w2);
    /* the same TPM and a copied database but not the gate secret: the TPM
     * refuses PolicySecret */
    snprintf(gate2, sizeof gate2, "%s/forged.gate", f->dir);
    FILE *g = fopen(gate2, "wb");
    assert_non_null(g);
    for (int i = 0; i < 32; i++)
        fputc(i, g);
    fclose(g);
    assert_int_equal(wallet_open(f->tcti, db2, gate2, &w2), 0);
    rc = unseal_rc(w2, "t", 0);
    assert_true(rc > 0);
    /* the NV index is noDA, so a wrong authValue is TPM_RC_BAD_AUTH (Part 1 §19.6.11) */
    assert_int_equal(wallet_rc_base(rc), TPM_RC_BAD_AUTH);
    wallet_close(w2);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
    unseal_equals(f->w, "t", 0, "secret", 6);
}

static void test_financial(void **state)
{
    fixture *f = *state;
    wallet_token_opts o = { WALLET_TOKEN_FINANCIAL, 1U << 7, 50, 0, 2 };
    assert_int_equal(wallet_token_seal(f->w, "card", &o, (const uint8_t *)"4111-tok", 8), 0);
    assert_int_equal(unseal_rc(f->w, "card", 51), WALLET_E_AMOUNT);
    assert_int_equal(unseal_rc(f->w, "card", 0), WALLET_E_ARG); /* the limit needs an amount */
    unseal_equals(f->w, "card", 40, "4111-tok", 8);
    unseal_equals(f->w, "card", 1, "4111-tok", 8);
    /* the third use is refused by the TPM's counter */
    assert_int_equal(unseal_rc(f->w, "card", 1), WALLET_E_USED);
    assert_int_equal(unseal_rc(f->w, "card", 1), WALLET_E_USED);
    /* expired */
    wallet_token_opts e = { WALLET_TOKEN_FINANCIAL, 1U << 7, 0, (int64_t)time(NULL) - 1, 0 };
    assert_int_equal(wallet_token_seal(f->w, "old", &e, (const uint8_t *)"x", 1), 0);
    assert_int_equal(unseal_rc(f->w, "old", 0), WALLET_E_EXPIRED);
    wallet_token_opts fut = { WALLET_TOKEN_FINANCIAL, 1U << 7, 0, (int64_t)time(NULL) + 3600, 0 };
    assert_int_equal(wallet_token_seal(f->w, "new", &fut, (const uint8_t *)"y", 1), 0);
    unseal_equals(f->w, "new", 0, "y", 1);
    /* an amount on a bearer token is a caller error */
    assert_int_equal(wallet_token_seal(f->w, "b", &bearer, (const uint8_t *)"z", 1), 0);
    assert_int_equal(unseal_rc(f->w, "b", 5), WALLET_E_ARG);
}

/* The service's own checks bypassed: the database row of a used-up token
 * is edited to claim more uses; the TPM still refuses, since the limit is
 * in the sealed object's policy. */
static void test_uses_enforced_by_tpm(void **state)
{
    fixture *f = *state;
    wallet_token_opts o = { WALLET_TOKEN_FINANCIAL, 1U << 7, 0, 0, 1 };
    assert_int_equal(wallet_token_seal(f->w, "once", &o, (const uint8_t *)"pay", 3), 0);
    unseal_equals(f->w, "once", 0, "pay", 3);
    wallet_close(f->w);
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE tokens SET uses=100 WHERE name='once'", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
    int rc = unseal_rc(f->w, "once", 0);
    assert_true(rc == WALLET_E_USED || wallet_rc_base(rc) == TPM_RC_POLICY_FAIL);
}

static void test_concurrent_one_time(void **state)
{
    fixture *f = *state;
    enum { N = 4 };
    pid_t pid[N];
    wallet_token_opts o = { WALLET_TOKEN_FINANCIAL, 1U << 7, 0, 0, 1 };
    assert_int_equal(wallet_token_seal(f->w, "once", &o, (const uint8_t *)"pay", 3), 0);
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
                int rc = wallet_token_unseal(w, "once", 0, &out, &n);
                st = rc == 0 && n == 3 && !memcmp(out, "pay", 3) ? 0 : rc == WALLET_E_USED ? 1 : 2;
                free(out);
                wallet_close(w);
            }
            _exit(st);
        }
    }
    int ok = 0, used = 0;
    for (int i = 0; i < N; i++) {
        int st = 0;
        assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
        assert_true(WIFEXITED(st));
        if (WEXITSTATUS(st) == 0) ok++;
        else if (WEXITSTATUS(st) == 1) used++;
    }
    assert_int_equal(ok, 1);
    assert_int_equal(used, N - 1);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
}

static void test_delete(void **state)
{
    fixture *f = *state;
    wallet_token_info info;
    TPM2B_NV_PUBLIC np;
    char snap[320];
    assert_int_equal(wallet_token_seal(f->w, "t", &bearer, (const uint8_t *)"secret", 6), 0);
    assert_int_equal(wallet_token_info_get(f->w, "t", &info), 0);
    assert_int_equal(qtpm_tss_NV_ReadPublic(wallet_tss(f->w), NULL, info.nv_index, &np, NULL), 0);
    /* a snapshot of the database before the deletion */
    wallet_close(f->w);
    snprintf(snap, sizeof snap, "%s/snap.db", f->dir);
    copy_file(f->db, snap);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
    assert_int_equal(wallet_token_delete(f->w, "t"), 0);
    assert_int_equal(wallet_token_delete(f->w, "t"), WALLET_E_NOTFOUND);
    assert_int_equal(unseal_rc(f->w, "t", 0), WALLET_E_NOTFOUND);
    int rc = qtpm_tss_NV_ReadPublic(wallet_tss(f->w), NULL, info.nv_index, &np, NULL);
    assert_int_equal(wallet_rc_base(rc), TPM_RC_HANDLE);
    /* a new token may reuse the index; the old blob must not open with it */
    assert_int_equal(wallet_token_seal(f->w, "t2", &bearer, (const uint8_t *)"fresh", 5), 0);
    wallet_close(f->w);
    assert_int_equal(wallet_open(f->tcti, snap, f->gate, &f->w), 0);
    rc = unseal_rc(f->w, "t", 0);
    assert_true(rc > 0);
    wallet_close(f->w);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
    unseal_equals(f->w, "t2", 0, "fresh", 5);
}

static void test_keys(void **state)
{
    fixture *f = *state;
    uint8_t msg[100], ct[200], pt[200], ct2[200], mac1[32], mac2[32], mac3[32];
    size_t cl = 0, pl = 0, cl2 = 0;
    uint32_t h1, v1, h2, v2;
    TPM2B_PUBLIC pub;
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)i;
    assert_int_equal(wallet_key_create(f->w, "logs", WALLET_KEY_AES), 0);
    assert_int_equal(wallet_key_create(f->w, "logs", WALLET_KEY_AES), WALLET_E_EXISTS);
    assert_int_equal(wallet_key_create(f->w, "mac", WALLET_KEY_HMAC), 0);
    assert_int_equal(wallet_key_encrypt(f->w, "logs", msg, sizeof msg, ct, sizeof ct, &cl), 0);
    assert_int_equal(cl, sizeof msg + 16);
    assert_memory_not_equal(ct + 16, msg, sizeof msg);
    assert_int_equal(wallet_key_encrypt(f->w, "logs", msg, sizeof msg, ct2, sizeof ct2, &cl2), 0);
    assert_memory_not_equal(ct2, ct, cl); /* fresh IV each time */
    assert_int_equal(wallet_key_decrypt(f->w, "logs", ct, cl, pt, sizeof pt, &pl), 0);
    assert_int_equal(pl, sizeof msg);
    assert_memory_equal(pt, msg, sizeof msg);
    assert_int_equal(wallet_key_encrypt(f->w, "mac", msg, 1, ct, sizeof ct, &cl2), WALLET_E_ARG);
    assert_int_equal(wallet_key_hmac(f->w, "mac", msg, sizeof msg, mac1), 0);
    assert_int_equal(wallet_key_hmac(f->w, "mac", msg, sizeof msg, mac2), 0);
    assert_memory_equal(mac1, mac2, 32);
    assert_int_equal(wallet_key_hmac(f->w, "mac", msg, sizeof msg - 1, mac3), 0);
    assert_memory_not_equal(mac1, mac3, 32);
    /* rotation: a new key at a new handle, the old handle gone */
    assert_int_equal(wallet_key_handle(f->w, "logs", &h1, &v1), 0);
    assert_int_equal(qtpm_tss_ReadPublic(wallet_tss(f->w), NULL, h1, &pub, NULL, NULL), 0);
    assert_int_equal(wallet_key_rotate(f->w, "logs"), 0);
    assert_int_equal(wallet_key_handle(f->w, "logs", &h2, &v2), 0);
    assert_int_equal(v2, v1 + 1);
    assert_int_not_equal(h1, h2);
    assert_int_equal(wallet_rc_base(qtpm_tss_ReadPublic(wallet_tss(f->w), NULL, h1, &pub, NULL,
                                                        NULL)), TPM_RC_HANDLE);
    assert_int_equal(wallet_key_decrypt(f->w, "logs", ct, cl, pt, sizeof pt, &pl), 0);
    assert_memory_not_equal(pt, msg, sizeof msg); /* the old key is really gone */
    assert_int_equal(wallet_key_rotate(f->w, "mac"), 0);
    assert_int_equal(wallet_key_hmac(f->w, "mac", msg, sizeof msg, mac2), 0);
    assert_memory_not_equal(mac1, mac2, 32);
    /* deletion: the persistent handle is gone */
    assert_int_equal(wallet_key_delete(f->w, "logs"), 0);
    assert_int_equal(wallet_rc_base(qtpm_tss_ReadPublic(wallet_tss(f->w), NULL, h2, &pub, NULL,
                                                        NULL)), TPM_RC_HANDLE);
    assert_int_equal(wallet_key_encrypt(f->w, "logs", msg, 4, ct, sizeof ct, &cl),
                     WALLET_E_NOTFOUND);
    assert_int_equal(wallet_key_delete(f->w, "logs"), WALLET_E_NOTFOUND);
}

static int sql(const char *path, const char *q)
{
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return -1;
    int rc = sqlite3_exec(db, q, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static int verify(const char *db, const uint8_t *pin, size_t pin_len, size_t *n, int64_t *bad)
{
    char why[160];
    return wallet_audit_verify(db, pin, pin_len, n, bad, why, sizeof why);
}

static void test_audit(void **state)
{
    fixture *f = *state;
    size_t n = 0;
    int64_t bad = 0;
    uint8_t pin[2048];
    size_t pin_len = 0;
    char c1[320];
    assert_int_equal(wallet_token_seal(f->w, "t", &bearer, (const uint8_t *)"s", 1), 0);
    unseal_equals(f->w, "t", 0, "s", 1);
    assert_int_equal(unseal_rc(f->w, "nope", 0), WALLET_E_NOTFOUND); /* refusals are logged */
    assert_int_equal(wallet_key_create(f->w, "k", WALLET_KEY_AES), 0);
    {
        uint8_t ct[64];
        size_t cl = 0;
        assert_int_equal(wallet_key_encrypt(f->w, "k", (const uint8_t *)"abc", 3, ct, sizeof ct,
                                            &cl), 0);
        /* a refused use is logged too */
        assert_int_equal(wallet_key_hmac(f->w, "k", (const uint8_t *)"abc", 3, ct), WALLET_E_ARG);
    }
    assert_int_equal(wallet_audit_pubkey(f->w, pin, sizeof pin, &pin_len), 0);
    wallet_close(f->w);
    f->w = NULL;
    assert_int_equal(verify(f->db, pin, pin_len, &n, &bad), 0);
    assert_int_equal(n, 6);
    {
        sqlite3 *db;
        sqlite3_stmt *s;
        assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "SELECT op, subject, result FROM audit WHERE seq>=5"
                                                " ORDER BY seq", -1, &s, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(s, 0), "encrypt");
        assert_int_equal(sqlite3_column_int(s, 2), 0);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(s, 0), "hmac");
        assert_int_equal(sqlite3_column_int(s, 2), WALLET_E_ARG);
        sqlite3_finalize(s);
        sqlite3_close(db);
    }
    /* edited detail */
    snprintf(c1, sizeof c1, "%s/c1.db", f->dir);
    copy_file(f->db, c1);
    assert_int_equal(sql(c1, "UPDATE audit SET subject='other' WHERE seq=2"), 0);
    assert_int_equal(verify(c1, NULL, 0, &n, &bad), WALLET_E_AUDIT);
    assert_int_equal(bad, 2);
    /* a removed entry */
    copy_file(f->db, c1);
    assert_int_equal(sql(c1, "DELETE FROM audit WHERE seq=2"), 0);
    assert_int_equal(verify(c1, NULL, 0, &n, &bad), WALLET_E_AUDIT);
    /* the last entry removed (truncation) */
    copy_file(f->db, c1);
    assert_int_equal(sql(c1, "DELETE FROM audit WHERE seq=6"), 0);
    assert_int_equal(verify(c1, NULL, 0, &n, &bad), WALLET_E_AUDIT);
    /* a wrong result code */
    copy_file(f->db, c1);
    assert_int_equal(sql(c1, "UPDATE audit SET result=0 WHERE seq=3"), 0);
    assert_int_equal(verify(c1, NULL, 0, &n, &bad), WALLET_E_AUDIT);
    /* a pinned key that is not the database's */
    pin[pin_len - 1] ^= 1;
    assert_int_equal(verify(f->db, pin, pin_len, &n, &bad), WALLET_E_AUDIT);
    assert_int_equal(verify(f->db, NULL, 0, &n, &bad), 0);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
}

/* The encrypted token edited in the database: the envelope (AES-GCM with
 * the sealed key) does not open, nothing is returned. */
static void test_tampered_ciphertext(void **state)
{
    fixture *f = *state;
    assert_int_equal(wallet_token_seal(f->w, "t", &bearer, (const uint8_t *)"secret-token", 12), 0);
    wallet_close(f->w);
    assert_int_equal(sql(f->db, "UPDATE tokens SET ct = zeroblob(length(ct)) WHERE name='t'"), 0);
    assert_int_equal(wallet_open(f->tcti, f->db, f->gate, &f->w), 0);
    assert_int_equal(unseal_rc(f->w, "t", 0), WALLET_E_CRYPTO);
}

#define BOTH(fn) cmocka_unit_test_setup_teardown(fn, setup_qr, teardown), \
                 cmocka_unit_test_setup_teardown(fn, setup_classic, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH(test_seal_unseal),   BOTH(test_pcr_change), BOTH(test_copied_database),
        BOTH(test_financial),     BOTH(test_uses_enforced_by_tpm),
        BOTH(test_concurrent_one_time), BOTH(test_delete), BOTH(test_keys), BOTH(test_audit),
        BOTH(test_tampered_ciphertext),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
