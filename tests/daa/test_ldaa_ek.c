/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ldaa_ek.c — the lattice DAA's join bound to the EK (qtpm/daa_host.h,
 * docs/DAA.md "Join bound to the EK") with two TPMs, A and B (two in-process
 * engines, engine: TCTI), each with an EK-bound LDAA key file.
 *
 * The happy path: request (EK ‖ key public), challenge (MakeCredential),
 * response (ActivateCredential, then the TPM's join request), credential
 * (encrypted under a second MakeCredential), checked by the host, and a
 * signature that verifies; the key's unique is rho ‖ the digest of t. Then
 * what the issuer must refuse:
 *  - a join request from a software TPM part (s in a key file) answering a
 *    genuine TPM's challenge with the nonce that TPM's host learnt: its t is
 *    not the one the key's Name commits to (QTPM_DAA_E_BINDING);
 *  - the same with another TPM's genuine LDAA key (t of B for the key of A);
 *  - an LDAA key whose Name does not commit to t (the plain template: a
 *    32-byte unique) and one bound to another issuer (E_BINDING at once);
 *  - an LDAA key of TPM B sent with the EK of TPM A: neither TPM can
 *    activate the challenge (E_TPM);
 *  - a response to an earlier challenge (a replayed nonce) (E_PROOF);
 *  - malformed messages (wrong tags, truncated, trailing bytes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "qtpm/daa_host.h"
#include "qtpm/ldaa.h"
#include "qtpm/marshal.h"
#include "qtpm/tss_cmd.h"

#define MAXMSG 4096
#define RESP (1 + QTPM_LDAA_JOINREQ_SIZE)
#define CREDMSG (MAXMSG + QTPM_LDAA_CRED_SIZE)

static const uint8_t MSG[] = "steps=8812 2026-12-07";

typedef struct {
    uint8_t isk[QTPM_LDAA_ISK_SIZE], isk2[QTPM_LDAA_ISK_SIZE];
    uint8_t *ipk, *ipk2;
    qtpm_ldaa_issuer *iss, *iss2;
    qtpm_ldaa_ipk *pk;
    qtpm_tss *ta, *tb;
    qtpm_ldaa_tpm *a, *b, *sw;
    uint8_t *resp, *cred_msg;
} world;

static world W;

static int open_key(qtpm_tss **t, qtpm_ldaa_tpm **part)
{
    uint8_t file[2048];
    size_t len = 0;
    if (qtpm_tss_new("engine:", t) || qtpm_tss_Startup(*t, TPM_SU_CLEAR) ||
        qtpm_ldaa_tss_key_create(*t, W.ipk, QTPM_LDAA_IPK_SIZE, file, sizeof file, &len) ||
        qtpm_ldaa_tpm_open_file(part, *t, 0, file, len))
        return -1;
    return 0;
}

static int setup(void **state)
{
    (void)state;
    W.ipk = malloc(QTPM_LDAA_IPK_SIZE);
    W.ipk2 = malloc(QTPM_LDAA_IPK_SIZE);
    W.resp = malloc(RESP);
    W.cred_msg = malloc(CREDMSG);
    if (!W.ipk || !W.ipk2 || !W.resp || !W.cred_msg ||
        qtpm_ldaa_issuer_keygen(W.isk, W.ipk, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_issuer_keygen(W.isk2, W.ipk2, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_issuer_load(&W.iss, W.isk, sizeof W.isk) ||
        qtpm_ldaa_issuer_load(&W.iss2, W.isk2, sizeof W.isk2) ||
        qtpm_ldaa_ipk_load(&W.pk, W.ipk, QTPM_LDAA_IPK_SIZE))
        return -1;
    if (open_key(&W.ta, &W.a) || open_key(&W.tb, &W.b))
        return -1;
    return qtpm_ldaa_tpm_create(&W.sw, W.ipk, QTPM_LDAA_IPK_SIZE);
}

static int teardown(void **state)
{
    (void)state;
    qtpm_ldaa_tpm_free(W.a);
    qtpm_ldaa_tpm_free(W.b);
    qtpm_ldaa_tpm_free(W.sw);
    qtpm_tss_free(W.ta);
    qtpm_tss_free(W.tb);
    qtpm_ldaa_issuer_free(W.iss);
    qtpm_ldaa_issuer_free(W.iss2);
    qtpm_ldaa_ipk_free(W.pk);
    free(W.ipk);
    free(W.ipk2);
    free(W.resp);
    free(W.cred_msg);
    return 0;
}

/* A request and its challenge for the TPM part p. */
static void challenge_for(qtpm_ldaa_tpm *p, uint8_t *req, size_t *req_len, uint8_t *chal,
                          size_t *chal_len, uint8_t *st, size_t *st_len)
{
    assert_int_equal(qtpm_ldaa_host_join_request(p, req, MAXMSG, req_len), 0);
    assert_int_equal(
        qtpm_ldaa_issuer_challenge(W.iss, req, *req_len, chal, MAXMSG, chal_len, st, MAXMSG, st_len),
        0);
}

static void test_happy_path(void **state)
{
    (void)state;
    uint8_t req[MAXMSG], chal[MAXMSG], st[MAXMSG];
    size_t rl, cl, sl, n, ml;
    challenge_for(W.a, req, &rl, chal, &cl, st, &sl);
    /* the key: the LDAA attributes, unique = rho ‖ digest of t */
    TPM2B_PUBLIC ek, key;
    size_t o = 1;
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&ek, req, rl, &o, 0), 0);
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&key, req, rl, &o, 0), 0);
    assert_int_equal(o, rl);
    assert_int_equal(key.publicArea.unique.keyedHash.size, 64);
    assert_memory_equal(key.publicArea.unique.keyedHash.buffer, W.ipk + 1, 32);
    uint8_t d[32];
    assert_int_equal(qtpm_ldaa_tpm_t_digest(W.a, d), 0);
    assert_memory_equal(key.publicArea.unique.keyedHash.buffer + 32, d, 32);

    assert_int_equal(qtpm_ldaa_host_join_respond(W.a, chal, cl, W.resp, RESP, &n), 0);
    assert_int_equal(n, RESP);
    assert_int_equal(qtpm_ldaa_issuer_credential(W.iss, st, sl, W.resp, n, W.cred_msg, CREDMSG, &ml),
                     0);
    static uint8_t cred[QTPM_LDAA_CRED_SIZE];
    /* a tampered credential message fails its GCM tag */
    W.cred_msg[ml - 1] ^= 1;
    assert_int_equal(qtpm_ldaa_host_join_finish(W.a, W.pk, W.cred_msg, ml, cred),
                     QTPM_DAA_E_FORMAT);
    W.cred_msg[ml - 1] ^= 1;
    /* B cannot open A's credential */
    assert_int_equal(qtpm_ldaa_host_join_finish(W.b, W.pk, W.cred_msg, ml, cred), QTPM_DAA_E_TPM);
    assert_int_equal(qtpm_ldaa_host_join_finish(W.a, W.pk, W.cred_msg, ml, cred), 0);
    uint8_t *sig = malloc(QTPM_LDAA_SIG_SIZE);
    assert_non_null(sig);
    assert_int_equal(qtpm_ldaa_sign(W.pk, W.a, cred, sizeof cred, MSG, sizeof MSG, NULL, 0, sig,
                                    QTPM_LDAA_SIG_SIZE),
                     0);
    assert_int_equal(
        qtpm_ldaa_verify(W.pk, sig, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL, 0, NULL, 0), 0);
    free(sig);
}

/* A response made from another TPM part p with the nonce the host of A
 * learnt (here: read from the issuer's state, which is what
 * ActivateCredential gives that host). */
static void test_t_not_committed(void **state)
{
    (void)state;
    uint8_t req[MAXMSG], chal[MAXMSG], st[MAXMSG];
    size_t rl, cl, sl, ml;
    challenge_for(W.a, req, &rl, chal, &cl, st, &sl);
    qtpm_ldaa_tpm *others[2] = {W.sw, W.b};
    for (unsigned i = 0; i < 2; i++) {
        W.resp[0] = 'R';
        assert_int_equal(qtpm_ldaa_tpm_join_request(others[i], st + 1, W.resp + 1), 0);
        assert_int_equal(
            qtpm_ldaa_issuer_credential(W.iss, st, sl, W.resp, RESP, W.cred_msg, CREDMSG, &ml),
            QTPM_DAA_E_BINDING);
    }
    /* and A's own answer to the same challenge is accepted */
    size_t n;
    assert_int_equal(qtpm_ldaa_host_join_respond(W.a, chal, cl, W.resp, RESP, &n), 0);
    assert_int_equal(qtpm_ldaa_issuer_credential(W.iss, st, sl, W.resp, n, W.cred_msg, CREDMSG, &ml),
                     0);
}

static void test_key_not_bound(void **state)
{
    (void)state;
    uint8_t req[MAXMSG], chal[MAXMSG], st[MAXMSG];
    size_t rl, cl, sl;
    assert_int_equal(qtpm_ldaa_host_join_request(W.a, req, MAXMSG, &rl), 0);
    /* another issuer: the key's unique names this one's rho */
    assert_int_equal(
        qtpm_ldaa_issuer_challenge(W.iss2, req, rl, chal, MAXMSG, &cl, st, MAXMSG, &sl),
        QTPM_DAA_E_BINDING);
    /* the plain template (unique = H(seedValue ‖ bits), 32 bytes) */
    static const qtpm_tss_auths pw = {1, {{NULL, NULL}}};
    qtpm_tss_key srk;
    assert_int_equal(qtpm_tss_create_srk(W.ta, TPM_ALG_ECC, NULL, &srk), 0);
    TPM2B_PUBLIC in, pub;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PRIVATE priv;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    qtpm_ldaa_key_template(&in.publicArea);
    assert_int_equal(qtpm_tss_Create(W.ta, &pw, srk.handle, &sens, &in, NULL, NULL, &priv, &pub,
                                     NULL, NULL, NULL),
                     0);
    qtpm_tss_FlushContext(W.ta, srk.handle);
    assert_int_equal(pub.publicArea.unique.keyedHash.size, 32);
    TPM2B_PUBLIC ek, key;
    size_t o = 1;
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&ek, req, rl, &o, 0), 0);
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&key, req, rl, &o, 0), 0);
    uint8_t bad[MAXMSG] = {'L'};
    o = 1;
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&ek, bad, sizeof bad, &o), 0);
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&pub, bad, sizeof bad, &o), 0);
    assert_int_equal(qtpm_ldaa_issuer_challenge(W.iss, bad, o, chal, MAXMSG, &cl, st, MAXMSG, &sl),
                     QTPM_DAA_E_BINDING);
    /* a bound key with a changed attribute (userWithAuth cleared) */
    key.publicArea.objectAttributes &= ~TPMA_OBJECT_USERWITHAUTH;
    o = 1;
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&ek, bad, sizeof bad, &o), 0);
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&key, bad, sizeof bad, &o), 0);
    assert_int_equal(qtpm_ldaa_issuer_challenge(W.iss, bad, o, chal, MAXMSG, &cl, st, MAXMSG, &sl),
                     QTPM_DAA_E_FORMAT);
}

/* EK of A, LDAA key of B: the challenge is sealed to A's EK for B's key. */
static void test_key_of_another_tpm(void **state)
{
    (void)state;
    uint8_t ra[MAXMSG], rb[MAXMSG], req[MAXMSG], chal[MAXMSG], st[MAXMSG];
    size_t la, lb, cl, sl, n;
    assert_int_equal(qtpm_ldaa_host_join_request(W.a, ra, MAXMSG, &la), 0);
    assert_int_equal(qtpm_ldaa_host_join_request(W.b, rb, MAXMSG, &lb), 0);
    TPM2B_PUBLIC eka, keya, ekb, keyb;
    size_t o = 1;
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&eka, ra, la, &o, 0), 0);
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&keya, ra, la, &o, 0), 0);
    o = 1;
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&ekb, rb, lb, &o, 0), 0);
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&keyb, rb, lb, &o, 0), 0);
    assert_memory_not_equal(&eka, &ekb, sizeof eka); /* two TPMs, two EKs */
    req[0] = 'L';
    o = 1;
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&eka, req, sizeof req, &o), 0);
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&keyb, req, sizeof req, &o), 0);
    assert_int_equal(qtpm_ldaa_issuer_challenge(W.iss, req, o, chal, MAXMSG, &cl, st, MAXMSG, &sl),
                     0);
    assert_int_equal(qtpm_ldaa_host_join_respond(W.b, chal, cl, W.resp, RESP, &n), QTPM_DAA_E_TPM);
    assert_int_equal(qtpm_ldaa_host_join_respond(W.a, chal, cl, W.resp, RESP, &n), QTPM_DAA_E_TPM);
}

static void test_replayed_nonce(void **state)
{
    (void)state;
    uint8_t req[MAXMSG], chal1[MAXMSG], st1[MAXMSG], chal2[MAXMSG], st2[MAXMSG];
    size_t rl, cl1, sl1, cl2, sl2, n, ml;
    challenge_for(W.a, req, &rl, chal1, &cl1, st1, &sl1);
    assert_int_equal(qtpm_ldaa_host_join_respond(W.a, chal1, cl1, W.resp, RESP, &n), 0);
    challenge_for(W.a, req, &rl, chal2, &cl2, st2, &sl2);
    assert_memory_not_equal(st1 + 1, st2 + 1, 32);
    assert_int_equal(
        qtpm_ldaa_issuer_credential(W.iss, st2, sl2, W.resp, n, W.cred_msg, CREDMSG, &ml),
        QTPM_DAA_E_PROOF);
}

static void test_malformed(void **state)
{
    (void)state;
    uint8_t req[MAXMSG + 1], chal[MAXMSG + 1], st[MAXMSG];
    size_t rl, cl, sl, n, ml;
    challenge_for(W.a, req, &rl, chal, &cl, st, &sl);
    req[rl] = 0; /* trailing byte */
    assert_int_equal(
        qtpm_ldaa_issuer_challenge(W.iss, req, rl + 1, chal, MAXMSG, &n, st, MAXMSG, &ml),
        QTPM_DAA_E_FORMAT);
    assert_int_equal(qtpm_ldaa_issuer_challenge(W.iss, req, rl - 1, chal, MAXMSG, &n, st, MAXMSG,
                                                &ml),
                     QTPM_DAA_E_FORMAT);
    req[0] = 'J'; /* the ECDAA tag */
    assert_int_equal(qtpm_ldaa_issuer_challenge(W.iss, req, rl, chal, MAXMSG, &n, st, MAXMSG, &ml),
                     QTPM_DAA_E_FORMAT);
    req[0] = 'L';
    challenge_for(W.a, req, &rl, chal, &cl, st, &sl);
    chal[cl] = 0;
    assert_int_equal(qtpm_ldaa_host_join_respond(W.a, chal, cl + 1, W.resp, RESP, &n),
                     QTPM_DAA_E_FORMAT);
    assert_int_equal(qtpm_ldaa_host_join_respond(W.a, chal, cl - 1, W.resp, RESP, &n),
                     QTPM_DAA_E_FORMAT);
    assert_int_equal(qtpm_ldaa_host_join_respond(W.a, chal, cl, W.resp, RESP, &n), 0);
    assert_int_equal(
        qtpm_ldaa_issuer_credential(W.iss, st, sl, W.resp, n - 1, W.cred_msg, CREDMSG, &ml),
        QTPM_DAA_E_FORMAT);
    assert_int_equal(
        qtpm_ldaa_issuer_credential(W.iss, st, sl - 1, W.resp, n, W.cred_msg, CREDMSG, &ml),
        QTPM_DAA_E_FORMAT);
    W.resp[0] = 'J';
    assert_int_equal(
        qtpm_ldaa_issuer_credential(W.iss, st, sl, W.resp, n, W.cred_msg, CREDMSG, &ml),
        QTPM_DAA_E_FORMAT);
    /* a software TPM part has no TPM to run the host side on */
    assert_int_equal(qtpm_ldaa_host_join_request(W.sw, req, MAXMSG, &rl), QTPM_DAA_E_PARAM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_happy_path),      cmocka_unit_test(test_t_not_committed),
        cmocka_unit_test(test_key_not_bound),   cmocka_unit_test(test_key_of_another_tpm),
        cmocka_unit_test(test_replayed_nonce),  cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
