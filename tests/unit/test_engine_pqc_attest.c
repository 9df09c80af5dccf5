/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_pqc_attest.c — the engine's v1.85 post-quantum keys in the
 * classic protocols: Quote, Certify and GetTime signed with ML-DSA (the
 * TPMS_ATTEST bytes as the message, checked here with qtpm/mldsa.h),
 * MakeCredential/ActivateCredential with an ML-KEM EK (and a different EK
 * failing), an ML-KEM-salted HMAC session (the caller's salt computed here
 * from its own encapsulation), the v1.85 capabilities, and the SHA-3 PCR
 * banks through PCR_Allocate.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine_pqc_test.h"
#include "qtpm/classic.h"
#include "qtpm/kdf.h"
#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"

static void test_attest(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *pub = malloc(sizeof(*pub));
    dsasig *sig = malloc(sizeof(*sig));
    uint8_t *attest = malloc(4096);
    tmpl t = mldsa_template(A_KEY | A_SIGN | A_RESTRICTED, TPM_MLDSA_65, 0);
    uint32_t ak = primary(tpm, TPM_RH_ENDORSEMENT, &t, pub);
    uint16_t pkn;
    const uint8_t *pk = pub_key(pub, &t, &pkn);
    cmdbuf c;
    rspbuf r;
    uint16_t n;

    /* Quote over PCRs 0-7 of SHA-256 */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Quote);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_2b(&c, "nonce", 5);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u8(&c, 3);
    cb_u8(&c, 0xFF);
    cb_u8(&c, 0);
    cb_u8(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    const uint8_t *a = rb_2b(&r, &n);
    uint16_t alen = n;
    memcpy(attest, a, n);
    rb_dsasig(&r, sig);
    assert_int_equal(sig->alg, TPM_ALG_MLDSA);
    assert_int_equal(sig->len, 3309);
    /* the signed message is the TPMS_ATTEST itself, empty context */
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_65, pk, pkn, attest, alen, NULL, 0, sig->sig,
                                       sig->len),
                     0);
    assert_int_equal(attest[0], 0xFF);
    assert_int_equal((attest[4] << 8) | attest[5], TPM_ST_ATTEST_QUOTE);
    /* pcrDigest (last 32 bytes) is SHA-256, the key's nameAlg */
    uint8_t pcrs[8 * 32] = {0}, pd[32];
    qtpm_hash(QTPM_HASH_SHA256, pcrs, sizeof(pcrs), pd);
    assert_memory_equal(attest + alen - 32, pd, 32);
    attest[alen - 1] ^= 1;
    assert_int_not_equal(qtpm_mldsa_verify(QTPM_MLDSA_65, pk, pkn, attest, alen, NULL, 0, sig->sig,
                                           sig->len),
                         0);
    /* a scheme other than the key's */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Quote);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_2b(&c, "nonce", 5);
    cb_u16(&c, TPM_ALG_ECDSA);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), RC_PARAM(TPM_RC_SCHEME, 2));

    /* Certify an ML-KEM key with the ML-DSA AK */
    tmpl kt = mlkem_template(STORAGE, 128, TPM_MLKEM_768);
    pubarea *kp = malloc(sizeof(*kp));
    uint32_t srk = primary(tpm, TPM_RH_OWNER, &kt, kp);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Certify);
    cb_u32(&c, srk);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_pw(&c, "");
    cb_2b(&c, "q", 1);
    cb_u16(&c, TPM_ALG_MLDSA);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    a = rb_2b(&r, &alen);
    memcpy(attest, a, alen);
    rb_dsasig(&r, sig);
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_65, pk, pkn, attest, alen, NULL, 0, sig->sig,
                                       sig->len),
                     0);
    assert_int_equal((attest[4] << 8) | attest[5], TPM_ST_ATTEST_CERTIFY);
    /* the certified Name is in there */
    int found = 0;
    for (size_t i = 0; i + 34 <= alen; i++)
        found |= memcmp(attest + i, kp->name, 34) == 0;
    assert_true(found);

    /* GetTime */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_GetTime);
    cb_u32(&c, TPM_RH_ENDORSEMENT);
    cb_u32(&c, ak);
    cb_pw(&c, "");
    cb_pw(&c, "");
    cb_2b(&c, "t", 1);
    cb_u16(&c, TPM_ALG_NULL);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    a = rb_2b(&r, &alen);
    memcpy(attest, a, alen);
    rb_dsasig(&r, sig);
    assert_int_equal((attest[4] << 8) | attest[5], TPM_ST_ATTEST_TIME);
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_65, pk, pkn, attest, alen, NULL, 0, sig->sig,
                                       sig->len),
                     0);

    /* a HashML-DSA AK: HashML-DSA over the same bytes */
    tmpl ht = hmldsa_template(A_KEY | A_SIGN | A_RESTRICTED, TPM_MLDSA_44, TPM_ALG_SHA384);
    uint32_t hak = primary(tpm, TPM_RH_ENDORSEMENT, &ht, pub);
    pk = pub_key(pub, &ht, &pkn);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_GetTime);
    cb_u32(&c, TPM_RH_ENDORSEMENT);
    cb_u32(&c, hak);
    cb_pw(&c, "");
    cb_pw(&c, "");
    cb_2b(&c, "t", 1);
    cb_u16(&c, TPM_ALG_NULL);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    a = rb_2b(&r, &alen);
    memcpy(attest, a, alen);
    rb_dsasig(&r, sig);
    assert_int_equal(sig->alg, TPM_ALG_HASH_MLDSA);
    assert_int_equal(sig->hash, TPM_ALG_SHA384);
    assert_int_equal(qtpm_hashmldsa_verify(QTPM_MLDSA_44, pk, pkn, QTPM_PH_SHA384, attest, alen,
                                           NULL, 0, sig->sig, sig->len),
                     0);
    free(pub);
    free(kp);
    free(sig);
    free(attest);
    qtpm_tpm_free(tpm);
}

/* MakeCredential to ek for the object named name; returns blob and secret. */
static void make_credential(qtpm_tpm *tpm, uint32_t ek, const uint8_t *name, uint8_t *blob,
                            uint16_t *bl, uint8_t *secret, uint16_t *sl)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_MakeCredential);
    cb_u32(&c, ek);
    cb_2b(&c, "credential-secret", 17);
    cb_2b(&c, name, 34);
    assert_int_equal(run(tpm, &c, &r), 0);
    const uint8_t *p = rb_2b(&r, bl);
    memcpy(blob, p, *bl);
    p = rb_2b(&r, sl);
    memcpy(secret, p, *sl);
}

static uint32_t activate(qtpm_tpm *tpm, uint32_t ak, uint32_t ek, const uint8_t *blob,
                         uint16_t bl, const uint8_t *secret, uint16_t sl, uint8_t *cred,
                         uint16_t *cl)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_ActivateCredential);
    cb_u32(&c, ak);
    cb_u32(&c, ek);
    cb_pw(&c, "");
    cb_pw(&c, "");
    cb_2b(&c, blob, bl);
    cb_2b(&c, secret, sl);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        rb_u32(&r);
        const uint8_t *p = rb_2b(&r, cl);
        memcpy(cred, p, *cl);
    }
    return rc;
}

static void test_credential(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *pub = malloc(sizeof(*pub));
    /* ML-KEM-768 EK (restricted decryption, AES-128-CFB) and ML-DSA AK */
    tmpl et = mlkem_template(STORAGE, 128, TPM_MLKEM_768);
    uint32_t ek = primary(tpm, TPM_RH_ENDORSEMENT, &et, NULL);
    tmpl at = mldsa_template(A_KEY | A_SIGN | A_RESTRICTED, TPM_MLDSA_65, 0);
    uint32_t ak = primary(tpm, TPM_RH_ENDORSEMENT, &at, pub);
    uint8_t blob[256], secret[1568], cred[64];
    uint16_t bl, sl, cl;
    make_credential(tpm, ek, pub->name, blob, &bl, secret, &sl);
    assert_int_equal(sl, 1088); /* the secret is the ML-KEM-768 ciphertext */
    assert_int_equal(activate(tpm, ak, ek, blob, bl, secret, sl, cred, &cl), 0);
    assert_int_equal(cl, 17);
    assert_memory_equal(cred, "credential-secret", 17);
    /* another ML-KEM-768 EK (another hierarchy, another key) decapsulates to
     * another seed: the blob's integrity check fails */
    uint32_t ek2 = primary(tpm, TPM_RH_OWNER, &et, NULL);
    assert_int_equal(activate(tpm, ak, ek2, blob, bl, secret, sl, cred, &cl),
                     RC_PARAM(TPM_RC_INTEGRITY, 1));
    /* a changed ciphertext likewise (implicit rejection) */
    secret[7] ^= 1;
    assert_int_equal(activate(tpm, ak, ek, blob, bl, secret, sl, cred, &cl),
                     RC_PARAM(TPM_RC_INTEGRITY, 1));
    secret[7] ^= 1;
    /* a secret of the wrong size for the EK */
    assert_int_equal(activate(tpm, ak, ek, blob, bl, secret, (uint16_t)(sl - 1), cred, &cl),
                     RC_PARAM(TPM_RC_VALUE, 2));
    /* an ML-KEM-1024 EK gives a 1568-byte secret, which fits TPM2B_ENCRYPTED_SECRET */
    tmpl et4 = mlkem_template(STORAGE, 256, TPM_MLKEM_1024);
    uint32_t ek4 = primary(tpm, TPM_RH_ENDORSEMENT, &et4, NULL);
    make_credential(tpm, ek4, pub->name, blob, &bl, secret, &sl);
    assert_int_equal(sl, 1568);
    assert_int_equal(activate(tpm, ak, ek4, blob, bl, secret, sl, cred, &cl), 0);
    assert_memory_equal(cred, "credential-secret", 17);
    /* the credential is bound to the AK's Name: another object fails */
    uint32_t other = primary(tpm, TPM_RH_OWNER, &at, NULL);
    assert_int_equal(activate(tpm, other, ek4, blob, bl, secret, sl, cred, &cl),
                     RC_PARAM(TPM_RC_INTEGRITY, 1));
    free(pub);
    qtpm_tpm_free(tpm);
}

/* An HMAC session salted by encapsulation to an ML-KEM key, used to
 * authorize PCR_Reset(16). good_salt = 0 uses a wrong salt on the caller's
 * side: the TPM must refuse the HMAC. */
static uint32_t salted_reset(qtpm_tpm *tpm, uint32_t kem, const uint8_t *ek, uint16_t ek_len,
                             qtpm_mlkem_set set, int good_salt)
{
    uint8_t ct[1568], ss[32], salt[32], nonce_caller[32], nonce_tpm[32], key[32];
    assert_int_equal(qtpm_mlkem_encaps(set, ek, ek_len, ct, ss), 0);
    uint16_t ct_len = (uint16_t)qtpm_mlkem_ct_bytes(set);
    /* salt = KDFa(nameAlg, K, "SECRET", ciphertext, ek, 256) (docs/PQC.md) */
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, ss, 32, (const uint8_t *)"SECRET", 6, ct, ct_len,
                               ek, ek_len, 256, salt),
                     0);
    if (!good_salt)
        salt[0] ^= 1;
    for (int i = 0; i < 32; i++)
        nonce_caller[i] = (uint8_t)(0x30 + i);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&c, kem);
    cb_u32(&c, TPM_RH_NULL);
    cb_2b(&c, nonce_caller, 32);
    cb_2b(&c, ct, ct_len);
    cb_u8(&c, TPM_SE_HMAC);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t sh = rb_u32(&r);
    uint16_t n;
    memcpy(nonce_tpm, rb_2b(&r, &n), 32);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, salt, 32, (const uint8_t *)"ATH", 3, nonce_tpm, 32,
                               nonce_caller, 32, 256, key),
                     0);
    /* cpHash = H(commandCode || name(PCR 16)); PCR authValue is empty */
    uint8_t cpin[8] = {0, 0, (uint8_t)(TPM_CC_PCR_Reset >> 8), (uint8_t)TPM_CC_PCR_Reset, 0, 0, 0, 16};
    uint8_t cp[32], msg[97], mac[32];
    qtpm_hash(QTPM_HASH_SHA256, cpin, 8, cp);
    memcpy(msg, cp, 32);
    memcpy(msg + 32, nonce_caller, 32);
    memcpy(msg + 64, nonce_tpm, 32);
    msg[96] = 0; /* continueSession clear: the session ends here */
    qtpm_hmac(QTPM_HASH_SHA256, key, 32, msg, sizeof(msg), mac);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Reset);
    cb_u32(&c, 16);
    cb_u32(&c, 4 + 2 + 32 + 1 + 2 + 32);
    cb_u32(&c, sh);
    cb_2b(&c, nonce_caller, 32);
    cb_u8(&c, 0);
    cb_2b(&c, mac, 32);
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        flush(tpm, sh);
    return rc;
}

static void test_salted_session(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    pubarea *pub = malloc(sizeof(*pub));
    for (uint16_t set = 1; set <= 3; set++) {
        tmpl t = mlkem_template(STORAGE, 128, set);
        uint32_t k = primary(tpm, TPM_RH_OWNER, &t, pub);
        uint16_t n;
        const uint8_t *ek = pub_key(pub, &t, &n);
        assert_int_equal(salted_reset(tpm, k, ek, n, (qtpm_mlkem_set)set, 1), 0);
        /* a PCR is not DA-protected: TPM_RC_BAD_AUTH */
        assert_int_equal(salted_reset(tpm, k, ek, n, (qtpm_mlkem_set)set, 0),
                         TPM_RC_BAD_AUTH | TPM_RC_S | TPM_RC_1);
        flush(tpm, k);
    }
    /* an encryptedSalt of the wrong size for the key */
    tmpl t = mlkem_template(STORAGE, 128, TPM_MLKEM_512);
    uint32_t k = primary(tpm, TPM_RH_OWNER, &t, NULL);
    uint8_t ct[700] = {0}, nc[16] = {1};
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&c, k);
    cb_u32(&c, TPM_RH_NULL);
    cb_2b(&c, nc, 16);
    cb_2b(&c, ct, sizeof(ct));
    cb_u8(&c, TPM_SE_HMAC);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), RC_PARAM(TPM_RC_VALUE, 2));
    free(pub);
    qtpm_tpm_free(tpm);
}

static void test_capabilities(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_TPM_PROPERTIES);
    cb_u32(&c, TPM_PT_ML_PARAMETER_SETS);
    cb_u32(&c, 1);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    rb_u32(&r);
    assert_int_equal(rb_u32(&r), 1);
    assert_int_equal(rb_u32(&r), TPM_PT_ML_PARAMETER_SETS);
    assert_int_equal(rb_u32(&r), 0x7F); /* three KEM sets, three DSA sets, external mu */

    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_TPM_PROPERTIES);
    cb_u32(&c, TPM_PT_MAX_COMMAND_SIZE);
    cb_u32(&c, 2);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    rb_u32(&r);
    assert_int_equal(rb_u32(&r), 2);
    assert_int_equal(rb_u32(&r), TPM_PT_MAX_COMMAND_SIZE);
    assert_int_equal(rb_u32(&r), 8192);
    assert_int_equal(rb_u32(&r), TPM_PT_MAX_RESPONSE_SIZE);
    assert_int_equal(rb_u32(&r), 8192);

    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_ALGS);
    cb_u32(&c, TPM_ALG_SHA3_256);
    cb_u32(&c, 64);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u8(&r);
    rb_u32(&r);
    uint32_t cnt = rb_u32(&r);
    int seen = 0;
    uint16_t prev = 0;
    for (uint32_t i = 0; i < cnt; i++) {
        uint16_t alg = rb_u16(&r);
        uint32_t attrs = rb_u32(&r);
        assert_true(alg > prev); /* ascending */
        prev = alg;
        if (alg == TPM_ALG_MLKEM)
            seen |= 1, assert_true(attrs & TPMA_ALGORITHM_ENCRYPTING);
        if (alg == TPM_ALG_MLDSA)
            seen |= 2, assert_true(attrs & TPMA_ALGORITHM_SIGNING);
        if (alg == TPM_ALG_HASH_MLDSA)
            seen |= 4, assert_true(attrs & TPMA_ALGORITHM_SIGNING);
        if (alg == TPM_ALG_SHA3_512)
            seen |= 8, assert_true(attrs & TPMA_ALGORITHM_HASH);
    }
    assert_int_equal(seen, 15);

    /* the eight v1.85 commands (then, moreData: the vendor-specific ones) */
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_COMMANDS);
    cb_u32(&c, TPM_CC_VerifySequenceComplete);
    cb_u32(&c, 8);
    assert_int_equal(run(tpm, &c, &r), 0);
    assert_int_equal(rb_u8(&r), 1);
    rb_u32(&r);
    assert_int_equal(rb_u32(&r), 8);
    for (uint32_t cc = TPM_CC_VerifySequenceComplete; cc <= TPM_CC_SignSequenceStart; cc++) {
        uint32_t a = rb_u32(&r);
        assert_int_equal(a & 0xFFFF, cc);
        int rhandle = (a >> 28) & 1;
        assert_int_equal(rhandle, cc == TPM_CC_SignSequenceStart || cc == TPM_CC_VerifySequenceStart);
    }
    qtpm_tpm_free(tpm);
}

/* PCR_Read of one PCR of one bank; returns the digest size (0: none). */
static uint16_t pcr_read(qtpm_tpm *tpm, uint16_t alg, unsigned pcr, uint8_t *out)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&c, 1);
    cb_u16(&c, alg);
    cb_u8(&c, 3);
    cb_u8(&c, (uint8_t)(pcr < 8 ? 1u << pcr : 0));
    cb_u8(&c, (uint8_t)(pcr >= 8 && pcr < 16 ? 1u << (pcr - 8) : 0));
    cb_u8(&c, (uint8_t)(pcr >= 16 ? 1u << (pcr - 16) : 0));
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    rb_u32(&r);
    rb_u16(&r);
    rb_bytes(&r, 4);
    if (rb_u32(&r) == 0)
        return 0;
    uint16_t n = 0;
    const uint8_t *p = rb_2b(&r, &n);
    memcpy(out, p, n);
    return n;
}

static void test_sha3_banks(void **state)
{
    (void)state;
    qtpm_tpm *tpm = started_tpm();
    uint8_t v[64];
    /* not allocated at manufacture */
    assert_int_equal(pcr_read(tpm, TPM_ALG_SHA3_256, 10, v), 0);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
    cb_u32(&c, TPM_RH_PLATFORM);
    cb_pw(&c, "");
    cb_u32(&c, 3);
    uint16_t algs[3] = {TPM_ALG_SHA3_256, TPM_ALG_SHA3_384, TPM_ALG_SHA3_512};
    for (int i = 0; i < 3; i++) {
        cb_u16(&c, algs[i]);
        cb_u8(&c, 3);
        cb_u8(&c, 0xFF);
        cb_u8(&c, 0xFF);
        cb_u8(&c, 0xFF);
    }
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    assert_int_equal(rb_u8(&r), 1); /* allocationSuccess */
    /* effective at the next TPM Reset */
    assert_int_equal(shutdown(tpm, TPM_SU_CLEAR), 0);
    qtpm_tpm_power_off(tpm);
    qtpm_tpm_power_on(tpm);
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    assert_int_equal(pcr_read(tpm, TPM_ALG_SHA3_256, 10, v), 32);
    uint8_t zero[64] = {0};
    assert_memory_equal(v, zero, 32);
    /* PCR_Event extends each SHA-3 bank with its own hash of the event */
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Event);
    cb_u32(&c, 10);
    cb_pw(&c, "");
    cb_2b(&c, "event", 5);
    assert_int_equal(run(tpm, &c, &r), 0);
    static const struct {
        uint16_t alg;
        qtpm_hash_alg h;
        size_t n;
    } banks[3] = {{TPM_ALG_SHA3_256, QTPM_HASH_SHA3_256, 32},
                  {TPM_ALG_SHA3_384, QTPM_HASH_SHA3_384, 48},
                  {TPM_ALG_SHA3_512, QTPM_HASH_SHA3_512, 64}};
    for (int i = 0; i < 3; i++) {
        uint8_t ev[64], cat[128], expect[64];
        qtpm_hash(banks[i].h, (const uint8_t *)"event", 5, ev);
        memset(cat, 0, banks[i].n);
        memcpy(cat + banks[i].n, ev, banks[i].n);
        qtpm_hash(banks[i].h, cat, 2 * banks[i].n, expect);
        assert_int_equal(pcr_read(tpm, banks[i].alg, 10, v), banks[i].n);
        assert_memory_equal(v, expect, banks[i].n);
    }
    /* the SHA-2 banks are still there */
    assert_int_equal(pcr_read(tpm, TPM_ALG_SHA256, 10, v), 32);
    qtpm_tpm_free(tpm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_attest),         cmocka_unit_test(test_credential),
        cmocka_unit_test(test_salted_session), cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_sha3_banks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
