/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_ldaa.c — the lattice DAA (qtpm/ldaa.h, docs/DAA.md): the ring (NTT
 * round trip, products against schoolbook negacyclic multiplication, the
 * gadget decomposition through the credential equation), then the protocol
 * end to end — issuer keys, join, credential check, sign anonymous and with
 * basename, verify, link, revocation — and every bad input of issue 18:
 * malformed and wrong-size signatures, tampered responses and challenge,
 * basename missing / unexpected / different, another issuer's credential
 * and key, a revoked TPM key, a TPM that never joined, a tampered join
 * request, malformed credentials and issuer keys.
 *
 * `test_ldaa tpm` runs the same protocol tests with the TPM part in qtpm's
 * engine (in-process, engine: TCTI): three LDAA keys created under an SRK
 * from qtpm_ldaa_key_template and reached through qtpm_ldaa_tpm_open_tss,
 * so join, credential check and every signature go through the vendor
 * commands of src/engine/ldaa.c. What differs there: s cannot be exported
 * or saved, so key-based revocation is shown with a key outside any TPM —
 * the software TPM part, whose s is exported deliberately, which is what an
 * extracted key is — and "the same key signs the same pseudonym" is shown
 * by opening the TPM key a second time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ldaa_internal.h"
#include "qtpm/daa_host.h"
#include "qtpm/ldaa.h"
#include "qtpm/rand.h"
#include "qtpm/tss_cmd.h"

static const uint8_t MSG[] = "steps=10234 heart=61 2026-12-07";
static const uint8_t BSN[] = "analytics.example/bucket-7";

typedef struct {
    uint8_t isk[QTPM_LDAA_ISK_SIZE], isk2[QTPM_LDAA_ISK_SIZE];
    uint8_t *ipk, *ipk2;
    qtpm_ldaa_issuer *iss, *iss2;
    qtpm_ldaa_ipk *pk, *pk2;
    qtpm_ldaa_tpm *tpm, *tpm_b, *tpm_never;
    uint8_t cred[QTPM_LDAA_CRED_SIZE], cred_b[QTPM_LDAA_CRED_SIZE];
    uint8_t *sig_anon, *sig_bsn;
    /* tpm mode */
    int in_tpm;
    qtpm_tss *tss;
    qtpm_tss_key srk;
    TPM_HANDLE keys[3];
    qtpm_ldaa_tpm *sw; /* an extracted key: the software TPM part */
    uint8_t cred_sw[QTPM_LDAA_CRED_SIZE];
} world;

static world W;

/* An LDAA key in the engine, created and loaded under the SRK. */
static int tpm_key(TPM_HANDLE *h)
{
    static const qtpm_tss_auths pw = {1, {{NULL, NULL}}};
    TPM2B_PUBLIC in, pub;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PRIVATE priv;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    qtpm_ldaa_key_template(&in.publicArea);
    if (qtpm_tss_Create(W.tss, &pw, W.srk.handle, &sens, &in, NULL, NULL, &priv, &pub, NULL,
                        NULL, NULL) ||
        qtpm_tss_Load(W.tss, &pw, W.srk.handle, &priv, &pub, h, NULL))
        return -1;
    return 0;
}

static int tpm_parts(void)
{
    if (qtpm_tss_new("engine:", &W.tss) || qtpm_tss_Startup(W.tss, TPM_SU_CLEAR) ||
        qtpm_tss_create_srk(W.tss, TPM_ALG_ECC, NULL, &W.srk))
        return -1;
    qtpm_ldaa_tpm **parts[3] = {&W.tpm, &W.tpm_b, &W.tpm_never};
    for (unsigned i = 0; i < 3; i++)
        if (tpm_key(&W.keys[i]) ||
            qtpm_ldaa_tpm_open_tss(parts[i], W.tss, W.keys[i], NULL, W.ipk, QTPM_LDAA_IPK_SIZE))
            return -1;
    return qtpm_ldaa_tpm_create(&W.sw, W.ipk, QTPM_LDAA_IPK_SIZE);
}

static int join(qtpm_ldaa_issuer *iss, qtpm_ldaa_tpm *tpm, uint8_t cred[QTPM_LDAA_CRED_SIZE])
{
    uint8_t nonce[QTPM_LDAA_NONCE_SIZE];
    static uint8_t req[QTPM_LDAA_JOINREQ_SIZE];
    int rc = qtpm_ldaa_join_nonce(nonce);
    if (rc == 0)
        rc = qtpm_ldaa_tpm_join_request(tpm, nonce, req);
    if (rc == 0)
        rc = qtpm_ldaa_join_issue(iss, nonce, req, sizeof req, cred, QTPM_LDAA_CRED_SIZE);
    return rc;
}

static int setup(void **state)
{
    (void)state;
    W.ipk = malloc(QTPM_LDAA_IPK_SIZE);
    W.ipk2 = malloc(QTPM_LDAA_IPK_SIZE);
    W.sig_anon = malloc(QTPM_LDAA_SIG_SIZE);
    W.sig_bsn = malloc(QTPM_LDAA_SIG_SIZE);
    if (!W.ipk || !W.ipk2 || !W.sig_anon || !W.sig_bsn)
        return -1;
    if (qtpm_ldaa_issuer_keygen(W.isk, W.ipk, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_issuer_keygen(W.isk2, W.ipk2, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_issuer_load(&W.iss, W.isk, sizeof W.isk) ||
        qtpm_ldaa_issuer_load(&W.iss2, W.isk2, sizeof W.isk2) ||
        qtpm_ldaa_ipk_load(&W.pk, W.ipk, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_ipk_load(&W.pk2, W.ipk2, QTPM_LDAA_IPK_SIZE))
        return -1;
    if (W.in_tpm) {
        if (tpm_parts() || join(W.iss, W.sw, W.cred_sw))
            return -1;
    } else if (qtpm_ldaa_tpm_create(&W.tpm, W.ipk, QTPM_LDAA_IPK_SIZE) ||
               qtpm_ldaa_tpm_create(&W.tpm_b, W.ipk, QTPM_LDAA_IPK_SIZE) ||
               qtpm_ldaa_tpm_create(&W.tpm_never, W.ipk, QTPM_LDAA_IPK_SIZE)) {
        return -1;
    }
    if (join(W.iss, W.tpm, W.cred) || join(W.iss, W.tpm_b, W.cred_b))
        return -1;
    if (qtpm_ldaa_sign(W.pk, W.tpm, W.cred, sizeof W.cred, MSG, sizeof MSG, NULL, 0, W.sig_anon,
                       QTPM_LDAA_SIG_SIZE) ||
        qtpm_ldaa_sign(W.pk, W.tpm, W.cred, sizeof W.cred, MSG, sizeof MSG, BSN, sizeof BSN,
                       W.sig_bsn, QTPM_LDAA_SIG_SIZE))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    qtpm_ldaa_issuer_free(W.iss);
    qtpm_ldaa_issuer_free(W.iss2);
    qtpm_ldaa_ipk_free(W.pk);
    qtpm_ldaa_ipk_free(W.pk2);
    qtpm_ldaa_tpm_free(W.tpm);
    qtpm_ldaa_tpm_free(W.tpm_b);
    qtpm_ldaa_tpm_free(W.tpm_never);
    qtpm_ldaa_tpm_free(W.sw);
    qtpm_tss_free(W.tss);
    free(W.ipk);
    free(W.ipk2);
    free(W.sig_anon);
    free(W.sig_bsn);
    return 0;
}

/* ----------------------------------------------------------------- ring */

static uint64_t mulmod(uint64_t a, uint64_t b)
{
    return (uint64_t)(((unsigned __int128)a * b) % LDAA_Q);
}

static void test_ntt(void **state)
{
    (void)state;
    static ldaa_poly a, b, ah, bh, p, ref;
    uint8_t seed[32] = {7};
    ldaa_expand_uniform(&a, seed, 'x', 0, 0);
    ldaa_expand_uniform(&b, seed, 'x', 0, 1);
    ah = a;
    ldaa_ntt(&ah);
    p = ah;
    ldaa_invntt(&p);
    assert_memory_equal(&p, &a, sizeof a);
    /* a·b in the NTT domain (one operand scaled) against schoolbook mod X^256 + 1 */
    bh = b;
    ldaa_ntt(&bh);
    ldaa_tomont(&bh);
    ldaa_pointwise(&p, &ah, &bh);
    ldaa_invntt(&p);
    memset(&ref, 0, sizeof ref);
    for (unsigned i = 0; i < LDAA_N; i++)
        for (unsigned j = 0; j < LDAA_N; j++) {
            uint64_t m = mulmod(a.c[i], b.c[j]);
            unsigned k = (i + j) % LDAA_N;
            if (i + j >= LDAA_N)
                ref.c[k] = (ref.c[k] + LDAA_Q - m) % LDAA_Q;
            else
                ref.c[k] = (ref.c[k] + m) % LDAA_Q;
        }
    assert_memory_equal(&p, &ref, sizeof p);
    /* short <-> mod q round trip, the bound check */
    ldaa_spoly s, s2;
    for (unsigned i = 0; i < LDAA_N; i++)
        s.c[i] = (int64_t)i * 1000003 - 100000000;
    ldaa_from_short(&p, &s);
    ldaa_to_short(&s2, &p);
    assert_memory_equal(&s, &s2, sizeof s);
    assert_int_equal(ldaa_spoly_exceeds(&s, 155000765), 0);
    assert_int_equal(ldaa_spoly_exceeds(&s, 155000764), 1);
    int64_t up[LDAA_N];
    ldaa_pack((uint8_t *)&ref, s.c, LDAA_N, 29, 1 << 28);
    assert_int_equal(ldaa_unpack(up, (uint8_t *)&ref, LDAA_N, 29, 1 << 28, (1 << 29) - 1), 0);
    assert_memory_equal(up, s.c, sizeof up);
}

/* ------------------------------------------------------------ protocol */

static void test_join_and_credential(void **state)
{
    (void)state;
    assert_int_equal(qtpm_ldaa_cred_check(W.pk, W.tpm, W.cred, sizeof W.cred), 0);
    assert_int_equal(qtpm_ldaa_cred_check(W.pk, W.tpm_b, W.cred_b, sizeof W.cred_b), 0);
    /* another TPM's credential, another issuer, wrong sizes, bad tag, out of range */
    assert_int_equal(qtpm_ldaa_cred_check(W.pk, W.tpm, W.cred_b, sizeof W.cred_b),
                     QTPM_DAA_E_CREDENTIAL);
    assert_int_equal(qtpm_ldaa_cred_check(W.pk2, W.tpm, W.cred, sizeof W.cred),
                     QTPM_DAA_E_CREDENTIAL);
    assert_int_equal(qtpm_ldaa_cred_check(W.pk, W.tpm, W.cred, sizeof W.cred - 1),
                     QTPM_DAA_E_FORMAT);
    static uint8_t c[QTPM_LDAA_CRED_SIZE];
    memcpy(c, W.cred, sizeof c);
    c[0] = 'X';
    assert_int_equal(qtpm_ldaa_cred_check(W.pk, W.tpm, c, sizeof c), QTPM_DAA_E_FORMAT);
    memcpy(c, W.cred, sizeof c);
    c[1] ^= 0x01; /* one coefficient of x1 moved */
    assert_int_equal(qtpm_ldaa_cred_check(W.pk, W.tpm, c, sizeof c), QTPM_DAA_E_CREDENTIAL);
    memset(c + 1, 0xff, 4); /* x1 coefficient 2^26 - 1 - 2^25 > bound */
    assert_int_equal(qtpm_ldaa_cred_check(W.pk, W.tpm, c, sizeof c), QTPM_DAA_E_FORMAT);

    /* join: tampered request, wrong nonce (replay), wrong size, another issuer */
    uint8_t nonce[32], nonce2[32];
    static uint8_t req[QTPM_LDAA_JOINREQ_SIZE], cred[QTPM_LDAA_CRED_SIZE];
    assert_int_equal(qtpm_ldaa_join_nonce(nonce), 0);
    assert_int_equal(qtpm_ldaa_join_nonce(nonce2), 0);
    assert_int_equal(qtpm_ldaa_tpm_join_request(W.tpm_never, nonce, req), 0);
    assert_int_equal(qtpm_ldaa_join_issue(W.iss, nonce2, req, sizeof req, cred, sizeof cred),
                     QTPM_DAA_E_PROOF);
    assert_int_equal(qtpm_ldaa_join_issue(W.iss, nonce, req, sizeof req - 1, cred, sizeof cred),
                     QTPM_DAA_E_FORMAT);
    assert_int_equal(qtpm_ldaa_join_issue(W.iss2, nonce, req, sizeof req, cred, sizeof cred),
                     QTPM_DAA_E_PROOF);
    req[sizeof req - 100] ^= 0x04; /* a response coefficient */
    assert_int_equal(qtpm_ldaa_join_issue(W.iss, nonce, req, sizeof req, cred, sizeof cred),
                     QTPM_DAA_E_PROOF);
    req[sizeof req - 100] ^= 0x04;
    req[5] ^= 0x01; /* t */
    assert_int_equal(qtpm_ldaa_join_issue(W.iss, nonce, req, sizeof req, cred, sizeof cred),
                     QTPM_DAA_E_PROOF);
}

static void test_sign_verify(void **state)
{
    (void)state;
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_anon, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL,
                                      0, NULL, 0),
                     0);
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_bsn, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, BSN,
                                      sizeof BSN, NULL, 0),
                     0);
    /* another message, another issuer */
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_anon, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG - 1,
                                      NULL, 0, NULL, 0),
                     QTPM_DAA_E_PROOF);
    assert_int_equal(qtpm_ldaa_verify(W.pk2, W.sig_anon, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG,
                                      NULL, 0, NULL, 0),
                     QTPM_DAA_E_PROOF);
    /* basename missing, unexpected, different */
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_bsn, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL,
                                      0, NULL, 0),
                     QTPM_DAA_E_BASENAME);
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_anon, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, BSN,
                                      sizeof BSN, NULL, 0),
                     QTPM_DAA_E_BASENAME);
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_bsn, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, BSN,
                                      sizeof BSN - 2, NULL, 0),
                     QTPM_DAA_E_BASENAME);
}

static void test_bad_signatures(void **state)
{
    (void)state;
    static uint8_t s[QTPM_LDAA_SIG_SIZE + 1];
    /* every wrong size we can afford to enumerate cheaply: 0..64, around the
     * right size, and the size of each block boundary */
    for (size_t len = 0; len <= QTPM_LDAA_SIG_SIZE + 1; len++) {
        if (len == QTPM_LDAA_SIG_SIZE)
            continue;
        if (len > 64 && len + 64 < QTPM_LDAA_SIG_SIZE && len % 4093 != 0)
            continue;
        memset(s, 0, sizeof s);
        memcpy(s, W.sig_anon, len < QTPM_LDAA_SIG_SIZE ? len : QTPM_LDAA_SIG_SIZE);
        assert_int_equal(qtpm_ldaa_verify(W.pk, s, len, MSG, sizeof MSG, NULL, 0, NULL, 0),
                         QTPM_DAA_E_FORMAT);
    }
    /* bad tag */
    memcpy(s, W.sig_anon, QTPM_LDAA_SIG_SIZE);
    s[0] = 'Z';
    assert_int_equal(qtpm_ldaa_verify(W.pk, s, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL, 0, NULL,
                                      0),
                     QTPM_DAA_E_FORMAT);
    /* tampered challenge, basename value, nym, each response block */
    const size_t offs[] = {1, 40, 70, 1 + 32 + 32 + 992 + 10, 30000, 100000, 130000,
                           QTPM_LDAA_SIG_SIZE - 10};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        memcpy(s, W.sig_anon, QTPM_LDAA_SIG_SIZE);
        s[offs[i]] ^= 0x02;
        int rc = qtpm_ldaa_verify(W.pk, s, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL, 0, NULL, 0);
        assert_true(rc == QTPM_DAA_E_PROOF || rc == QTPM_DAA_E_FORMAT);
        assert_int_not_equal(rc, 0);
    }
    /* a response coefficient beyond its bound: the top bits of z1's first one */
    memcpy(s, W.sig_anon, QTPM_LDAA_SIG_SIZE);
    memset(s + 1 + 32 + 32 + 992, 0xff, 6);
    assert_int_equal(qtpm_ldaa_verify(W.pk, s, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL, 0, NULL,
                                      0),
                     QTPM_DAA_E_PROOF);
    /* the anonymous tag on a basename signature (and back) */
    memcpy(s, W.sig_bsn, QTPM_LDAA_SIG_SIZE);
    s[0] = 'A';
    assert_int_equal(qtpm_ldaa_verify(W.pk, s, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL, 0, NULL,
                                      0),
                     QTPM_DAA_E_PROOF);
}

static void test_link_and_revoke(void **state)
{
    (void)state;
    static uint8_t s2[QTPM_LDAA_SIG_SIZE], s3[QTPM_LDAA_SIG_SIZE], s4[QTPM_LDAA_SIG_SIZE];
    static const uint8_t other[] = "analytics.example/bucket-8";
    assert_int_equal(qtpm_ldaa_sign(W.pk, W.tpm, W.cred, sizeof W.cred, MSG, 3, BSN, sizeof BSN,
                                    s2, sizeof s2),
                     0);
    assert_int_equal(qtpm_ldaa_sign(W.pk, W.tpm_b, W.cred_b, sizeof W.cred_b, MSG, 3, BSN,
                                    sizeof BSN, s3, sizeof s3),
                     0);
    assert_int_equal(qtpm_ldaa_sign(W.pk, W.tpm, W.cred, sizeof W.cred, MSG, 3, other,
                                    sizeof other, s4, sizeof s4),
                     0);
    assert_int_equal(qtpm_ldaa_verify(W.pk, s3, sizeof s3, MSG, 3, BSN, sizeof BSN, NULL, 0), 0);
    assert_int_equal(qtpm_ldaa_link(W.sig_bsn, QTPM_LDAA_SIG_SIZE, s2, sizeof s2), 1);
    assert_int_equal(qtpm_ldaa_link(W.sig_bsn, QTPM_LDAA_SIG_SIZE, s3, sizeof s3), 0);
    assert_int_equal(qtpm_ldaa_link(W.sig_bsn, QTPM_LDAA_SIG_SIZE, s4, sizeof s4),
                     QTPM_DAA_E_BASENAME);
    assert_int_equal(qtpm_ldaa_link(W.sig_anon, QTPM_LDAA_SIG_SIZE, W.sig_anon,
                                    QTPM_LDAA_SIG_SIZE),
                     QTPM_DAA_E_BASENAME);
    assert_int_equal(qtpm_ldaa_link(W.sig_bsn, QTPM_LDAA_SIG_SIZE - 1, s2, sizeof s2),
                     QTPM_DAA_E_FORMAT);
    /* a pseudonym moved by a small shift (what a signer that knows s could
     * do by choosing another rounding error) still links; a large one not */
    static uint8_t sh[QTPM_LDAA_SIG_SIZE];
    memcpy(sh, s2, sizeof sh);
    sh[1 + 32 + 32 + 5] ^= 0x01; /* nym coefficient 1, bit 9: 2^30 * 2^9 = 2^39 */
    assert_int_equal(qtpm_ldaa_link(W.sig_bsn, QTPM_LDAA_SIG_SIZE, sh, sizeof sh), 1);
    memcpy(sh, s2, sizeof sh);
    sh[1 + 32 + 32 + 3] ^= 0x40; /* coefficient 0, bit 30: 2^60 */
    assert_int_equal(qtpm_ldaa_link(W.sig_bsn, QTPM_LDAA_SIG_SIZE, sh, sizeof sh), 0);
    /* key-based revocation: tpm's secret on the list revokes its signatures,
     * anonymous and linkable; the other TPM's stay valid */
    static uint8_t rl[2 * QTPM_LDAA_REVOKED_SIZE];
    if (W.in_tpm) {
        /* the TPM keeps s; the revoked key is one outside a TPM (the
         * software part, exported deliberately): its signatures are
         * revoked, the TPM's are not */
        assert_int_equal(qtpm_ldaa_tpm_export_secret(W.tpm, rl), QTPM_DAA_E_PARAM);
        static uint8_t sa[QTPM_LDAA_SIG_SIZE];
        assert_int_equal(qtpm_ldaa_cred_check(W.pk, W.sw, W.cred_sw, sizeof W.cred_sw), 0);
        assert_int_equal(qtpm_ldaa_sign(W.pk, W.sw, W.cred_sw, sizeof W.cred_sw, MSG, sizeof MSG,
                                        NULL, 0, sa, sizeof sa),
                         0);
        assert_int_equal(qtpm_ldaa_tpm_export_secret(W.sw, rl), 0);
        assert_int_equal(qtpm_ldaa_verify(W.pk, sa, sizeof sa, MSG, sizeof MSG, NULL, 0, NULL, 0),
                         0);
        assert_int_equal(qtpm_ldaa_verify(W.pk, sa, sizeof sa, MSG, sizeof MSG, NULL, 0, rl, 1),
                         QTPM_DAA_E_REVOKED);
        assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_anon, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG,
                                          NULL, 0, rl, 1),
                         0);
        assert_int_equal(qtpm_ldaa_verify(W.pk, s3, sizeof s3, MSG, 3, BSN, sizeof BSN, rl, 1),
                         0);
        return;
    }
    assert_int_equal(qtpm_ldaa_tpm_export_secret(W.tpm_never, rl), 0);
    assert_int_equal(qtpm_ldaa_tpm_export_secret(W.tpm, rl + QTPM_LDAA_REVOKED_SIZE), 0);
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_anon, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL,
                                      0, rl, 2),
                     QTPM_DAA_E_REVOKED);
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_bsn, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, BSN,
                                      sizeof BSN, rl, 2),
                     QTPM_DAA_E_REVOKED);
    assert_int_equal(qtpm_ldaa_verify(W.pk, s3, sizeof s3, MSG, 3, BSN, sizeof BSN, rl, 2), 0);
    assert_int_equal(qtpm_ldaa_verify(W.pk, W.sig_anon, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, NULL,
                                      0, rl, 1),
                     0);
}

static void test_never_joined_and_other_issuer(void **state)
{
    (void)state;
    static uint8_t s[QTPM_LDAA_SIG_SIZE];
    /* a TPM that never joined, signing with someone else's credential:
     * the proof's relation does not hold, the signature does not verify */
    assert_int_equal(qtpm_ldaa_sign(W.pk, W.tpm_never, W.cred, sizeof W.cred, MSG, sizeof MSG,
                                    NULL, 0, s, sizeof s),
                     0);
    assert_int_equal(qtpm_ldaa_verify(W.pk, s, sizeof s, MSG, sizeof MSG, NULL, 0, NULL, 0),
                     QTPM_DAA_E_PROOF);
    /* a credential of this issuer verified under another issuer's key */
    assert_int_equal(qtpm_ldaa_verify(W.pk2, W.sig_bsn, QTPM_LDAA_SIG_SIZE, MSG, sizeof MSG, BSN,
                                      sizeof BSN, NULL, 0),
                     QTPM_DAA_E_PROOF);
    /* a TPM key saved and loaded signs the same pseudonym */
    static uint8_t key[QTPM_LDAA_TPMKEY_SIZE];
    qtpm_ldaa_tpm *t2;
    if (W.in_tpm) {
        /* in a TPM: no save; the same key opened again */
        assert_int_equal(qtpm_ldaa_tpm_save(W.tpm, key), QTPM_DAA_E_PARAM);
        assert_int_equal(qtpm_ldaa_tpm_open_tss(&t2, W.tss, W.keys[0], NULL, W.ipk,
                                                QTPM_LDAA_IPK_SIZE),
                         0);
        assert_int_equal(qtpm_ldaa_sign(W.pk, t2, W.cred, sizeof W.cred, MSG, 1, BSN, sizeof BSN,
                                        s, sizeof s),
                         0);
        assert_int_equal(qtpm_ldaa_link(W.sig_bsn, QTPM_LDAA_SIG_SIZE, s, sizeof s), 1);
        qtpm_ldaa_tpm_free(t2);
        /* another issuer's ipk: the key's t differs, the credential fails */
        assert_int_equal(qtpm_ldaa_tpm_open_tss(&t2, W.tss, W.keys[0], NULL, W.ipk2,
                                                QTPM_LDAA_IPK_SIZE),
                         0);
        assert_int_equal(qtpm_ldaa_cred_check(W.pk2, t2, W.cred, sizeof W.cred),
                         QTPM_DAA_E_CREDENTIAL);
        qtpm_ldaa_tpm_free(t2);
        return;
    }
    assert_int_equal(qtpm_ldaa_tpm_save(W.tpm, key), 0);
    assert_int_equal(qtpm_ldaa_tpm_load(&t2, key, sizeof key), 0);
    assert_int_equal(qtpm_ldaa_sign(W.pk, t2, W.cred, sizeof W.cred, MSG, 1, BSN, sizeof BSN, s,
                                    sizeof s),
                     0);
    assert_int_equal(qtpm_ldaa_link(W.sig_bsn, QTPM_LDAA_SIG_SIZE, s, sizeof s), 1);
    qtpm_ldaa_tpm_free(t2);
    assert_int_equal(qtpm_ldaa_tpm_load(&t2, key, sizeof key - 1), QTPM_DAA_E_FORMAT);
}

static void test_bad_ipk(void **state)
{
    (void)state;
    qtpm_ldaa_ipk *pk;
    assert_int_equal(qtpm_ldaa_ipk_load(&pk, W.ipk, QTPM_LDAA_IPK_SIZE - 1), QTPM_DAA_E_FORMAT);
    uint8_t *b = malloc(QTPM_LDAA_IPK_SIZE);
    assert_non_null(b);
    memcpy(b, W.ipk, QTPM_LDAA_IPK_SIZE);
    b[0] = 'Q';
    assert_int_equal(qtpm_ldaa_ipk_load(&pk, b, QTPM_LDAA_IPK_SIZE), QTPM_DAA_E_FORMAT);
    b[0] = 'P';
    memset(b + 33, 0xff, 8); /* a coefficient of B >= q */
    assert_int_equal(qtpm_ldaa_ipk_load(&pk, b, QTPM_LDAA_IPK_SIZE), QTPM_DAA_E_FORMAT);
    free(b);
    qtpm_ldaa_issuer *iss;
    assert_int_equal(qtpm_ldaa_issuer_load(&iss, W.isk, sizeof W.isk - 1), QTPM_DAA_E_FORMAT);
}

int main(int argc, char **argv)
{
    W.in_tpm = argc > 1 && strcmp(argv[1], "tpm") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ntt),
        cmocka_unit_test(test_join_and_credential),
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_bad_signatures),
        cmocka_unit_test(test_link_and_revoke),
        cmocka_unit_test(test_never_joined_and_other_issuer),
        cmocka_unit_test(test_bad_ipk),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
