/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_daa_protocol.c — ECDAA end to end (qtpm/daa.h, qtpm/daa_host.h):
 * issuer key, join, sign with and without basename, verify, link; first
 * with the software TPM, then with qtpm's engine in-process through libqtss
 * (TPM2_Commit, TPM2_Sign(ECDAA), TPM2_ActivateCredential). Every bad input
 * the issue names gets its own case and its own error: malformed issuer
 * keys and credentials, signatures of every wrong size, tampered proofs,
 * basename mismatches, credentials of another issuer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "qtpm/daa.h"
#include "qtpm/daa_host.h"
#include "qtpm/tss_cmd.h"
#include "tss_swtpm.h"

static const uint8_t MSG[] = "steps=10234 heart=61 2026-12-07";
static const uint8_t BSN[] = "analytics.example/bucket-7";

typedef struct {
    uint8_t isk[QTPM_DAA_ISK_SIZE], ipk[QTPM_DAA_IPK_SIZE];
    uint8_t isk2[QTPM_DAA_ISK_SIZE], ipk2[QTPM_DAA_IPK_SIZE];
    qtpm_daa_verifier *v, *v2;
} issuers;

static issuers I;

static int setup(void **state)
{
    (void)state;
    if (qtpm_daa_issuer_keygen(I.isk, I.ipk) || qtpm_daa_issuer_keygen(I.isk2, I.ipk2))
        return -1;
    if (qtpm_daa_verifier_new(I.ipk, sizeof I.ipk, &I.v) ||
        qtpm_daa_verifier_new(I.ipk2, sizeof I.ipk2, &I.v2))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    qtpm_daa_verifier_free(I.v);
    qtpm_daa_verifier_free(I.v2);
    return 0;
}

/* a soft TPM joined to issuer (isk, ipk) */
static void soft_join(qtpm_daa_soft *s, const uint8_t *isk, const uint8_t *ipk, uint8_t q[64],
                      uint8_t cred[QTPM_DAA_CRED_SIZE])
{
    uint8_t nonce[32] = {1, 2, 3}, proof[QTPM_DAA_JOIN_PROOF_SIZE];
    assert_int_equal(qtpm_daa_soft_init(s, NULL, q), 0);
    qtpm_daa_tpm t = qtpm_daa_soft_tpm(s);
    assert_int_equal(qtpm_daa_join_prove(&t, q, nonce, proof), 0);
    assert_int_equal(qtpm_daa_join_verify(q, nonce, proof), 0);
    assert_int_equal(qtpm_daa_issue(isk, q, cred), 0);
    assert_int_equal(qtpm_daa_cred_check(ipk, QTPM_DAA_IPK_SIZE, q, cred, QTPM_DAA_CRED_SIZE), 0);
}

static void test_issuer_key(void **state)
{
    (void)state;
    uint8_t k[QTPM_DAA_IPK_SIZE + 1];
    assert_int_equal(qtpm_daa_ipk_check(I.ipk, sizeof I.ipk), 0);
    assert_int_equal(qtpm_daa_ipk_check(I.ipk, sizeof I.ipk - 1), QTPM_DAA_E_FORMAT);
    memcpy(k, I.ipk, sizeof I.ipk);
    k[sizeof I.ipk] = 0;
    assert_int_equal(qtpm_daa_ipk_check(k, sizeof k), QTPM_DAA_E_FORMAT);
    k[0] ^= 0x20;
    assert_int_equal(qtpm_daa_ipk_check(k, sizeof I.ipk), QTPM_DAA_E_FORMAT);
    /* a tampered proof response */
    memcpy(k, I.ipk, sizeof I.ipk);
    k[300] ^= 1;
    assert_int_equal(qtpm_daa_ipk_check(k, sizeof I.ipk), QTPM_DAA_E_PROOF);
    /* X of another key: still in G2, the proof breaks */
    memcpy(k, I.ipk, sizeof I.ipk);
    memcpy(k + 1, I.ipk2 + 1, 128);
    assert_int_equal(qtpm_daa_ipk_check(k, sizeof I.ipk), QTPM_DAA_E_PROOF);
    /* Y off the curve */
    memcpy(k, I.ipk, sizeof I.ipk);
    k[200] ^= 1;
    assert_int_equal(qtpm_daa_ipk_check(k, sizeof I.ipk), QTPM_DAA_E_POINT);
    /* the public key recomputed from the secret one has the same X, Y */
    assert_int_equal(qtpm_daa_issuer_public(I.isk, k), 0);
    assert_memory_equal(k, I.ipk, 257);
    assert_int_equal(qtpm_daa_ipk_check(k, sizeof I.ipk), 0);
}

static void test_join_proof(void **state)
{
    (void)state;
    qtpm_daa_soft s;
    uint8_t q[64], nonce[32] = {9}, proof[QTPM_DAA_JOIN_PROOF_SIZE], bad[QTPM_DAA_JOIN_PROOF_SIZE];
    assert_int_equal(qtpm_daa_soft_init(&s, NULL, q), 0);
    qtpm_daa_tpm t = qtpm_daa_soft_tpm(&s);
    assert_int_equal(qtpm_daa_join_prove(&t, q, nonce, proof), 0);
    assert_int_equal(qtpm_daa_join_verify(q, nonce, proof), 0);
    memcpy(bad, proof, sizeof bad);
    bad[95] ^= 1; /* tampered response s */
    assert_int_equal(qtpm_daa_join_verify(q, nonce, bad), QTPM_DAA_E_PROOF);
    nonce[0] ^= 1; /* another issuer nonce: a replayed proof */
    assert_int_equal(qtpm_daa_join_verify(q, nonce, proof), QTPM_DAA_E_PROOF);
    nonce[0] ^= 1;
    q[63] ^= 1; /* Q off the curve */
    assert_int_equal(qtpm_daa_join_verify(q, nonce, proof), QTPM_DAA_E_POINT);
    /* a second commit-less sign fails in the TPM */
    uint8_t n2[32], s2[32];
    assert_int_not_equal(t.sign(t.ctx, s.counter, proof, n2, s2), 0);
}

static void test_credential(void **state)
{
    (void)state;
    qtpm_daa_soft s;
    uint8_t q[64], cred[QTPM_DAA_CRED_SIZE], bad[QTPM_DAA_CRED_SIZE + 1];
    soft_join(&s, I.isk, I.ipk, q, cred);
    /* from another issuer */
    assert_int_equal(qtpm_daa_cred_check(I.ipk2, sizeof I.ipk2, q, cred, sizeof cred),
                     QTPM_DAA_E_CREDENTIAL);
    /* every wrong size */
    for (size_t len = 0; len <= sizeof bad; len++) {
        if (len == sizeof cred)
            continue;
        memset(bad, 0, sizeof bad);
        memcpy(bad, cred, len < sizeof cred ? len : sizeof cred);
        assert_int_equal(qtpm_daa_cred_check(I.ipk, sizeof I.ipk, q, bad, len), QTPM_DAA_E_FORMAT);
    }
    memcpy(bad, cred, sizeof cred);
    bad[0] = 'X';
    assert_int_equal(qtpm_daa_cred_check(I.ipk, sizeof I.ipk, q, bad, sizeof cred),
                     QTPM_DAA_E_FORMAT);
    memcpy(bad, cred, sizeof cred);
    bad[100] ^= 1; /* B off the curve */
    assert_int_equal(qtpm_daa_cred_check(I.ipk, sizeof I.ipk, q, bad, sizeof cred),
                     QTPM_DAA_E_POINT);
    memcpy(bad, cred, sizeof cred);
    bad[300] ^= 1; /* the issuer's proof response */
    assert_int_equal(qtpm_daa_cred_check(I.ipk, sizeof I.ipk, q, bad, sizeof cred),
                     QTPM_DAA_E_PROOF);
    memcpy(bad, cred, sizeof cred);
    memset(bad + 289, 0xFF, 32); /* a response ≥ n */
    assert_int_equal(qtpm_daa_cred_check(I.ipk, sizeof I.ipk, q, bad, sizeof cred),
                     QTPM_DAA_E_FORMAT);
    /* A replaced by another valid point (C of the same credential) */
    memcpy(bad, cred, sizeof cred);
    memcpy(bad + 1, cred + 129, 64);
    assert_int_equal(qtpm_daa_cred_check(I.ipk, sizeof I.ipk, q, bad, sizeof cred),
                     QTPM_DAA_E_CREDENTIAL);
    /* the credential of another TPM's key */
    qtpm_daa_soft s2;
    uint8_t q2[64], cred2[QTPM_DAA_CRED_SIZE];
    soft_join(&s2, I.isk, I.ipk, q2, cred2);
    assert_int_equal(qtpm_daa_cred_check(I.ipk, sizeof I.ipk, q, cred2, sizeof cred2),
                     QTPM_DAA_E_PROOF);
}

static void sign_ok(qtpm_daa_soft *s, const uint8_t *cred, const uint8_t *bsn, size_t bsn_len,
                    uint8_t *sig, size_t *len)
{
    qtpm_daa_tpm t = qtpm_daa_soft_tpm(s);
    assert_int_equal(qtpm_daa_sign(&t, cred, QTPM_DAA_CRED_SIZE, bsn, bsn_len, MSG, sizeof MSG,
                                   sig, QTPM_DAA_SIG_BSN_SIZE, len),
                     0);
}

static void test_sign_verify(void **state)
{
    (void)state;
    qtpm_daa_soft s;
    uint8_t q[64], cred[QTPM_DAA_CRED_SIZE], sig[QTPM_DAA_SIG_BSN_SIZE + 2],
        sig2[QTPM_DAA_SIG_BSN_SIZE], bad[QTPM_DAA_SIG_BSN_SIZE + 2];
    size_t len, len2;
    soft_join(&s, I.isk, I.ipk, q, cred);

    /* unlinkable */
    sign_ok(&s, cred, NULL, 0, sig, &len);
    assert_int_equal(len, QTPM_DAA_SIG_SIZE);
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, sig, len), 0);
    sign_ok(&s, cred, NULL, 0, sig2, &len2);
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, sig2, len2), 0);
    assert_memory_not_equal(sig + 97, sig2 + 97, 256); /* randomised: nothing to link */
    assert_int_equal(qtpm_daa_link(sig, len, sig2, len2), QTPM_DAA_E_BASENAME);
    /* another message, another issuer, a basename the signature lacks */
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG - 1, sig, len), QTPM_DAA_E_PROOF);
    assert_int_equal(qtpm_daa_verify(I.v2, NULL, 0, MSG, sizeof MSG, sig, len),
                     QTPM_DAA_E_CREDENTIAL);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, sig, len),
                     QTPM_DAA_E_BASENAME);
    /* every wrong size, with both tags */
    for (size_t l = 0; l <= sizeof bad; l++) {
        if (l == QTPM_DAA_SIG_SIZE)
            continue;
        memset(bad, 0, sizeof bad);
        memcpy(bad, sig, l < len ? l : len);
        assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, bad, l), QTPM_DAA_E_FORMAT);
        bad[0] = 'L';
        if (l != QTPM_DAA_SIG_BSN_SIZE)
            assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, bad, l),
                             QTPM_DAA_E_FORMAT);
    }
    /* tampered fields: the response s, the nonce, c2, a point moved on the curve */
    size_t fields[] = {1, 40, 90};
    for (size_t i = 0; i < 3; i++) {
        memcpy(bad, sig, len);
        bad[fields[i]] ^= 0x01;
        assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, bad, len), QTPM_DAA_E_PROOF);
    }
    memcpy(bad, sig, len);
    memset(bad + 65, 0xFF, 32); /* s ≥ n */
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, bad, len), QTPM_DAA_E_FORMAT);
    memcpy(bad, sig, len);
    bad[97 + 63] ^= 1; /* R off the curve */
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, bad, len), QTPM_DAA_E_POINT);
    memcpy(bad, sig, len);
    memcpy(bad + 97, sig2 + 97, 64); /* R of another signature */
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, bad, len), QTPM_DAA_E_PROOF);

    /* linkable */
    sign_ok(&s, cred, BSN, sizeof BSN, sig, &len);
    assert_int_equal(len, QTPM_DAA_SIG_BSN_SIZE);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, sig, len), 0);
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, sig, len), QTPM_DAA_E_BASENAME);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN - 1, MSG, sizeof MSG, sig, len),
                     QTPM_DAA_E_BASENAME);
    memcpy(bad, sig, len);
    bad[QTPM_DAA_SIG_SIZE + 40] ^= 1; /* K moved: off the curve */
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, bad, len),
                     QTPM_DAA_E_POINT);
    memcpy(bad, sig, len);
    bad[70] ^= 1;
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, bad, len),
                     QTPM_DAA_E_PROOF);
    sign_ok(&s, cred, BSN, sizeof BSN, sig2, &len2);
    assert_int_equal(qtpm_daa_link(sig, len, sig2, len2), 1);
    /* K of a second signature in the first: the proof breaks */
    qtpm_daa_soft o;
    uint8_t oq[64], ocred[QTPM_DAA_CRED_SIZE], osig[QTPM_DAA_SIG_BSN_SIZE];
    size_t olen;
    soft_join(&o, I.isk, I.ipk, oq, ocred);
    sign_ok(&o, ocred, BSN, sizeof BSN, osig, &olen);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, osig, olen), 0);
    assert_int_equal(qtpm_daa_link(sig, len, osig, olen), 0); /* another TPM */
    memcpy(bad, sig, len);
    memcpy(bad + QTPM_DAA_SIG_SIZE + 32, osig + QTPM_DAA_SIG_SIZE + 32, 64);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, bad, len),
                     QTPM_DAA_E_PROOF);
    /* another basename: not linkable with the first, and a mismatch on verify */
    static const uint8_t other[] = "analytics.example/bucket-8";
    sign_ok(&s, cred, other, sizeof other, sig2, &len2);
    assert_int_equal(qtpm_daa_verify(I.v, other, sizeof other, MSG, sizeof MSG, sig2, len2), 0);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, sig2, len2),
                     QTPM_DAA_E_BASENAME);
    assert_int_equal(qtpm_daa_link(sig, len, sig2, len2), QTPM_DAA_E_BASENAME);
    assert_memory_not_equal(sig + QTPM_DAA_SIG_SIZE + 32, sig2 + QTPM_DAA_SIG_SIZE + 32, 64);
    /* a basename too long for TPM2_Commit */
    uint8_t longb[QTPM_DAA_MAX_BASENAME + 1] = {0};
    qtpm_daa_tpm t = qtpm_daa_soft_tpm(&s);
    assert_int_equal(qtpm_daa_sign(&t, cred, sizeof cred, longb, sizeof longb, MSG, sizeof MSG,
                                   sig, sizeof sig, &len),
                     QTPM_DAA_E_PARAM);
    /* the rogue list: the key that made it, among others, revokes it */
    uint8_t rogues[3 * 32];
    memset(rogues, 0x11, sizeof rogues);
    assert_int_equal(qtpm_daa_check_rogue(sig, len, rogues, 2), 0);
    memcpy(rogues + 64, s.sk, 32);
    assert_int_equal(qtpm_daa_check_rogue(sig, len, rogues, 3), QTPM_DAA_E_REVOKED);
    assert_int_equal(qtpm_daa_check_rogue(sig, len - 1, rogues, 3), QTPM_DAA_E_FORMAT);
    assert_int_equal(qtpm_daa_check_rogue(osig, olen, rogues, 3), 0);
    /* a signature with another issuer's credential fails the pairing */
    qtpm_daa_soft s2;
    uint8_t q2[64], cred2[QTPM_DAA_CRED_SIZE];
    soft_join(&s2, I.isk2, I.ipk2, q2, cred2);
    sign_ok(&s2, cred2, NULL, 0, sig, &len);
    assert_int_equal(qtpm_daa_verify(I.v2, NULL, 0, MSG, sizeof MSG, sig, len), 0);
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, sig, len), QTPM_DAA_E_CREDENTIAL);
}

/* ------------------------------------------------------ with qtpm's engine */

static qtpm_tss *open_tpm(void)
{
    qtpm_tss *t = NULL;
    assert_int_equal(qtpm_tss_new("engine:", &t), 0);
    int rc = qtpm_tss_Startup(t, TPM_SU_CLEAR);
    assert_true(rc == 0 || rc == (int)TPM_RC_INITIALIZE);
    return t;
}

static void engine_join(qtpm_daa_host *h, uint8_t cred[QTPM_DAA_CRED_SIZE])
{
    uint8_t req[QTPM_DAA_JOIN_MAX], chal[QTPM_DAA_JOIN_MAX], st[QTPM_DAA_JOIN_MAX],
        resp[QTPM_DAA_JOIN_MAX], cmsg[QTPM_DAA_JOIN_MAX];
    size_t rl, cl, sl, pl, ml;
    assert_int_equal(qtpm_daa_host_join_request(h, req, sizeof req, &rl), 0);
    assert_int_equal(qtpm_daa_issuer_challenge(req, rl, chal, sizeof chal, &cl, st, sizeof st, &sl), 0);
    assert_int_equal(qtpm_daa_host_join_respond(h, chal, cl, resp, sizeof resp, &pl), 0);
    assert_int_equal(qtpm_daa_issuer_credential(I.isk, st, sl, resp, pl, cmsg, sizeof cmsg, &ml), 0);
    assert_int_equal(qtpm_daa_host_join_finish(h, I.ipk, sizeof I.ipk, cmsg, ml, cred), 0);
}

static void test_engine(void **state)
{
    (void)state;
    qtpm_tss *t = open_tpm();
    qtpm_daa_host h, h2;
    uint8_t cred[QTPM_DAA_CRED_SIZE], sig[QTPM_DAA_SIG_BSN_SIZE], sig2[QTPM_DAA_SIG_BSN_SIZE];
    size_t len, len2;
    assert_int_equal(qtpm_daa_host_open(t, NULL, 0, &h), 0);
    engine_join(&h, cred);
    qtpm_daa_tpm tpm = qtpm_daa_host_tpm(&h);
    assert_int_equal(qtpm_daa_sign(&tpm, cred, sizeof cred, NULL, 0, MSG, sizeof MSG, sig,
                                   sizeof sig, &len), 0);
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, sig, len), 0);
    assert_int_equal(qtpm_daa_sign(&tpm, cred, sizeof cred, BSN, sizeof BSN, MSG, sizeof MSG, sig,
                                   sizeof sig, &len), 0);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, sig, len), 0);
    assert_int_equal(qtpm_daa_sign(&tpm, cred, sizeof cred, BSN, sizeof BSN, MSG, 3, sig2,
                                   sizeof sig2, &len2), 0);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, 3, sig2, len2), 0);
    assert_int_equal(qtpm_daa_link(sig, len, sig2, len2), 1);

    /* the key blob reopens the same key, which still signs for the credential */
    uint8_t blob[2048];
    size_t bl;
    assert_int_equal(qtpm_daa_host_key_blob(&h, blob, sizeof blob, &bl), 0);
    qtpm_daa_host_close(&h);
    assert_int_equal(qtpm_daa_host_open(t, blob, bl, &h), 0);
    tpm = qtpm_daa_host_tpm(&h);
    assert_int_equal(qtpm_daa_sign(&tpm, cred, sizeof cred, BSN, sizeof BSN, MSG, sizeof MSG, sig2,
                                   sizeof sig2, &len2), 0);
    assert_int_equal(qtpm_daa_link(sig, len, sig2, len2), 1);
    assert_int_equal(qtpm_daa_host_open(t, blob, bl - 1, &h2), QTPM_DAA_E_FORMAT);

    /* a second DAA key: its challenge cannot be activated by the first key,
     * a proof by the wrong key fails, and the credential message is bound */
    assert_int_equal(qtpm_daa_host_open(t, NULL, 0, &h2), 0);
    uint8_t req[QTPM_DAA_JOIN_MAX], chal[QTPM_DAA_JOIN_MAX], st[QTPM_DAA_JOIN_MAX],
        resp[QTPM_DAA_JOIN_MAX], cmsg[QTPM_DAA_JOIN_MAX], c2[QTPM_DAA_CRED_SIZE];
    size_t rl, cl, sl, pl, ml;
    assert_int_equal(qtpm_daa_host_join_request(&h2, req, sizeof req, &rl), 0);
    assert_int_equal(qtpm_daa_issuer_challenge(req, rl, chal, sizeof chal, &cl, st, sizeof st, &sl), 0);
    assert_int_equal(qtpm_daa_host_join_respond(&h, chal, cl, resp, sizeof resp, &pl),
                     QTPM_DAA_E_TPM); /* ActivateCredential refuses another key's name */
    assert_int_equal(qtpm_daa_host_join_respond(&h2, chal, cl, resp, sizeof resp, &pl), 0);
    uint8_t badr[1 + QTPM_DAA_JOIN_PROOF_SIZE];
    memcpy(badr, resp, pl);
    badr[pl - 1] ^= 1;
    assert_int_equal(qtpm_daa_issuer_credential(I.isk, st, sl, badr, pl, cmsg, sizeof cmsg, &ml),
                     QTPM_DAA_E_PROOF);
    assert_int_equal(qtpm_daa_issuer_credential(I.isk, st, sl, resp, pl - 1, cmsg, sizeof cmsg, &ml),
                     QTPM_DAA_E_FORMAT);
    assert_int_equal(qtpm_daa_issuer_credential(I.isk, st, sl, resp, pl, cmsg, sizeof cmsg, &ml), 0);
    assert_int_not_equal(qtpm_daa_host_join_finish(&h, I.ipk, sizeof I.ipk, cmsg, ml, c2), 0);
    cmsg[ml - 20] ^= 1; /* the ciphertext */
    assert_int_equal(qtpm_daa_host_join_finish(&h2, I.ipk, sizeof I.ipk, cmsg, ml, c2),
                     QTPM_DAA_E_FORMAT);
    cmsg[ml - 20] ^= 1;
    assert_int_equal(qtpm_daa_host_join_finish(&h2, I.ipk2, sizeof I.ipk2, cmsg, ml, c2),
                     QTPM_DAA_E_CREDENTIAL);
    /* malformed requests */
    assert_int_equal(qtpm_daa_issuer_challenge(req, rl - 1, chal, sizeof chal, &cl, st, sizeof st, &sl),
                     QTPM_DAA_E_FORMAT);
    req[0] = 'X';
    assert_int_equal(qtpm_daa_issuer_challenge(req, rl, chal, sizeof chal, &cl, st, sizeof st, &sl),
                     QTPM_DAA_E_FORMAT);
    qtpm_daa_host_close(&h2);
    qtpm_daa_host_close(&h);
    qtpm_tss_free(t);
}

/* The same host code against libtpms (Debian's swtpm), an independent TPM
 * implementation of TPM2_Commit and ECDAA TPM2_Sign: its signatures must
 * verify under our verifier, and link. */
static void test_swtpm(void **state)
{
    (void)state;
    if (!tss_swtpm_installed()) {
        print_message("swtpm not installed: skipped\n");
        skip();
    }
    tss_swtpm sw;
    assert_int_equal(tss_swtpm_start(&sw), 0);
    qtpm_tss *t = NULL;
    assert_int_equal(qtpm_tss_new(sw.spec, &t), 0);
    qtpm_daa_host h;
    uint8_t cred[QTPM_DAA_CRED_SIZE], sig[QTPM_DAA_SIG_BSN_SIZE], sig2[QTPM_DAA_SIG_BSN_SIZE];
    size_t len, len2;
    int rc = qtpm_daa_host_open(t, NULL, 0, &h);
    if (rc) {
        qtpm_tss_free(t);
        tss_swtpm_stop(&sw);
        fail_msg("swtpm: DAA key: %s", qtpm_daa_strerror(rc));
    }
    engine_join(&h, cred);
    qtpm_daa_tpm tpm = qtpm_daa_host_tpm(&h);
    assert_int_equal(qtpm_daa_sign(&tpm, cred, sizeof cred, NULL, 0, MSG, sizeof MSG, sig,
                                   sizeof sig, &len), 0);
    assert_int_equal(qtpm_daa_verify(I.v, NULL, 0, MSG, sizeof MSG, sig, len), 0);
    assert_int_equal(qtpm_daa_sign(&tpm, cred, sizeof cred, BSN, sizeof BSN, MSG, sizeof MSG, sig,
                                   sizeof sig, &len), 0);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, sig, len), 0);
    assert_int_equal(qtpm_daa_sign(&tpm, cred, sizeof cred, BSN, sizeof BSN, MSG, 5, sig2,
                                   sizeof sig2, &len2), 0);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, 5, sig2, len2), 0);
    assert_int_equal(qtpm_daa_link(sig, len, sig2, len2), 1);
    assert_int_equal(qtpm_daa_verify(I.v, BSN, sizeof BSN, MSG, sizeof MSG, sig2, len2),
                     QTPM_DAA_E_PROOF);
    /* libtpms hashes a nonce with a leading zero byte without it (1 in 256
     * signatures): the host must commit again, or the proof would fail */
    uint8_t nonce[32] = {7}, proof[QTPM_DAA_JOIN_PROOF_SIZE];
    for (int i = 0; i < 300; i++) {
        assert_int_equal(qtpm_daa_join_prove(&tpm, h.q, nonce, proof), 0);
        assert_int_not_equal(proof[32], 0);
        assert_int_equal(qtpm_daa_join_verify(h.q, nonce, proof), 0);
    }
    qtpm_daa_host_close(&h);
    qtpm_tss_free(t);
    tss_swtpm_stop(&sw);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issuer_key),
        cmocka_unit_test(test_join_proof),
        cmocka_unit_test(test_credential),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_engine),
        cmocka_unit_test(test_swtpm),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
