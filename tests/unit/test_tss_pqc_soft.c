/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tss_pqc_soft.c — the post-quantum parts of libqtss that need no TPM:
 * the ML-KEM / ML-DSA templates byte for byte, MakeCredential and session
 * salts for an ML-KEM key undone by hand with our FIPS 203 code (so the
 * KDF inputs are pinned independently of the TSS code path), and the
 * verification of ML-DSA- and HashML-DSA-signed quotes and certifications
 * made here with our FIPS 204 code, including tampered ones.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/classic.h"
#include "qtpm/kdf.h"
#include "qtpm/marshal.h"
#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"
#include "testutil.h"

static size_t marshal_public(const TPMT_PUBLIC *p, uint8_t *buf, size_t cap)
{
    size_t o = 0;
    assert_int_equal(qtpm_TPMT_PUBLIC_marshal(p, buf, cap, &o), TPM_RC_SUCCESS);
    return o;
}

static void test_templates(void **state)
{
    (void)state;
    TPMT_PUBLIC p;
    uint8_t buf[256];
    size_t n;
    uint8_t *want;
    size_t want_len;

    /* ML-KEM-768 EK: type MLKEM, SHA-256, 0x000300B2 (fixedTPM, fixedParent,
     * sensitiveDataOrigin, adminWithPolicy, restricted, decrypt), the
     * PolicySecret(endorsement) digest, AES-128-CFB first, then the set
     * (768 = 2), empty unique */
    assert_int_equal(qtpm_tss_template_ek(TPM_ALG_MLKEM, &p), 0);
    n = marshal_public(&p, buf, sizeof buf);
    tu_hex("00a0000b000300b2"
           "0020837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa"
           "000600800043" "0002" "0000", &want, &want_len);
    assert_int_equal(n, want_len);
    assert_memory_equal(buf, want, n);
    free(want);

    /* ML-DSA-44 AK: 0x00050072 (fixedTPM, fixedParent, sensitiveDataOrigin,
     * userWithAuth, restricted, sign), set 1, allowExternalMu NO */
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_MLDSA, &p), 0);
    n = marshal_public(&p, buf, sizeof buf);
    tu_hex("00a1000b00050072" "0000" "000100" "0000", &want, &want_len);
    assert_int_equal(n, want_len);
    assert_memory_equal(buf, want, n);
    free(want);

    /* HashML-DSA-44/SHA-256 AK */
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_HASH_MLDSA, &p), 0);
    n = marshal_public(&p, buf, sizeof buf);
    tu_hex("00a2000b00050072" "0000" "0001000b" "0000", &want, &want_len);
    assert_int_equal(n, want_len);
    assert_memory_equal(buf, want, n);
    free(want);

    /* an ML-KEM-768 SRK: userWithAuth, noDA, restricted, decrypt, AES-128-CFB */
    assert_int_equal(qtpm_tss_template_srk(TPM_ALG_MLKEM, &p), 0);
    n = marshal_public(&p, buf, sizeof buf);
    tu_hex("00a0000b00030472" "0000" "000600800043" "0002" "0000", &want, &want_len);
    assert_int_equal(n, want_len);
    assert_memory_equal(buf, want, n);
    free(want);

    /* plain keys: an unrestricted ML-KEM-1024 has a NULL symmetric */
    assert_int_equal(qtpm_tss_template_mlkem(TPM_MLKEM_1024, 0, &p), 0);
    n = marshal_public(&p, buf, sizeof buf);
    tu_hex("00a0000b00020072" "0000" "0010" "0003" "0000", &want, &want_len);
    assert_int_equal(n, want_len);
    assert_memory_equal(buf, want, n);
    free(want);
    assert_int_equal(qtpm_tss_template_mldsa(TPM_MLDSA_87, 0, 1, &p), 0);
    assert_int_equal(p.objectAttributes, 0x00040072);
    assert_int_equal(p.parameters.mldsaDetail.allowExternalMu, 1);
    assert_int_equal(qtpm_tss_template_hash_mldsa(TPM_MLDSA_65, TPM_ALG_SHA384, 1, &p), 0);
    assert_int_equal(p.parameters.hashMldsaDetail.hashAlg, TPM_ALG_SHA384);

    /* refused: unknown sets, external mu on a restricted key, a signing KEM */
    assert_int_equal(qtpm_tss_template_mlkem(0, 0, &p), QTPM_E_PARAM);
    assert_int_equal(qtpm_tss_template_mlkem(4, 0, &p), QTPM_E_PARAM);
    assert_int_equal(qtpm_tss_template_mldsa(4, 0, 0, &p), QTPM_E_PARAM);
    assert_int_equal(qtpm_tss_template_mldsa(TPM_MLDSA_44, 1, 1, &p), QTPM_E_PARAM);
    assert_int_equal(qtpm_tss_template_hash_mldsa(TPM_MLDSA_44, TPM_ALG_NULL, 0, &p), QTPM_E_PARAM);
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_MLKEM, &p), QTPM_E_PARAM);
    assert_int_equal(qtpm_tss_template_ek(TPM_ALG_MLDSA, &p), QTPM_E_PARAM);
    assert_int_equal(qtpm_tss_ek_cert_index(TPM_ALG_MLKEM), QTPM_EK_CERT_NV_MLKEM768);
    assert_int_equal(qtpm_tss_ek_cert_index(TPM_ALG_MLDSA), 0);

    /* schemes the keys fix */
    TPMT_SIG_SCHEME s;
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_MLDSA, &p), 0);
    assert_int_equal(qtpm_tss_key_scheme(&p, &s), 0);
    assert_int_equal(s.scheme, TPM_ALG_MLDSA);
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_HASH_MLDSA, &p), 0);
    assert_int_equal(qtpm_tss_key_scheme(&p, &s), 0);
    assert_int_equal(s.scheme, TPM_ALG_HASH_MLDSA);
    assert_int_equal(s.details.hash_mldsa.hashAlg, TPM_ALG_SHA256);
}

/* An ML-KEM-768 EK made in software: its public area and decapsulation key. */
static void soft_mlkem_ek(TPMT_PUBLIC *pub, uint8_t *dk)
{
    assert_int_equal(qtpm_tss_template_ek(TPM_ALG_MLKEM, pub), 0);
    assert_int_equal(qtpm_mlkem_keygen(QTPM_MLKEM_768, pub->unique.mlkem.buffer, dk, NULL), 0);
    pub->unique.mlkem.size = 1184;
}

/* The seed of a secret shared with an ML-KEM key, recomputed from the
 * decapsulation key: KDFa(SHA-256, Decaps(dk, c), label, c, ek, 256). */
static int seed_by_hand(const TPMT_PUBLIC *pub, const uint8_t *dk, const char *label,
                        const TPM2B_ENCRYPTED_SECRET *secret, uint8_t seed[32])
{
    uint8_t k[32];
    int rc = qtpm_mlkem_decaps(QTPM_MLKEM_768, dk, 2400, secret->buffer, secret->size, k);
    if (rc != QTPM_OK)
        return rc;
    return qtpm_kdfa(QTPM_HASH_SHA256, k, 32, (const uint8_t *)label, strlen(label),
                     secret->buffer, secret->size, pub->unique.mlkem.buffer,
                     pub->unique.mlkem.size, 256, seed);
}

/* Part 1 §24 undone by hand: integrity HMAC, then the credential. Returns 0
 * and the credential, or -1 when the HMAC does not match. */
static int activate_by_hand(const uint8_t seed[32], const TPM2B_NAME *name,
                            const TPM2B_ID_OBJECT *blob, TPM2B_DIGEST *cred)
{
    uint8_t hmac_key[32], sym[16], mac[32], iv[16] = { 0 }, plain[64];
    assert_int_equal(blob->buffer[0] << 8 | blob->buffer[1], 32);
    const uint8_t *enc = blob->buffer + 34;
    size_t enc_len = blob->size - 34u;
    assert_true(enc_len <= sizeof plain);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, seed, 32, (const uint8_t *)"INTEGRITY", 9, NULL,
                               0, NULL, 0, 256, hmac_key), 0);
    qtpm_hmac_ctx c;
    assert_int_equal(qtpm_hmac_init(&c, QTPM_HASH_SHA256, hmac_key, 32), 0);
    assert_int_equal(qtpm_hmac_update(&c, enc, enc_len), 0);
    assert_int_equal(qtpm_hmac_update(&c, name->buffer, name->size), 0);
    assert_int_equal(qtpm_hmac_final(&c, mac), 0);
    if (memcmp(mac, blob->buffer + 2, 32) != 0)
        return -1;
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, seed, 32, (const uint8_t *)"STORAGE", 7,
                               name->buffer, name->size, NULL, 0, 128, sym), 0);
    assert_int_equal(qtpm_aes_decrypt(QTPM_SYM_CFB, sym, 16, iv, enc, plain, enc_len), 0);
    cred->size = (UINT16)(plain[0] << 8 | plain[1]);
    assert_int_equal(cred->size + 2u, enc_len);
    memcpy(cred->buffer, plain + 2, cred->size);
    return 0;
}

static void test_make_credential_mlkem_ek(void **state)
{
    (void)state;
    static uint8_t dk[2400], other_dk[2400];
    TPMT_PUBLIC ek, other;
    soft_mlkem_ek(&ek, dk);
    soft_mlkem_ek(&other, other_dk);
    TPM2B_NAME name = { 34, { 0x00, 0x0b } };
    for (int i = 2; i < 34; i++)
        name.buffer[i] = (uint8_t)(i * 7);
    TPM2B_DIGEST cred = { 32, { 0 } }, back;
    memcpy(cred.buffer, "a 32-byte credential for the AK.", 32);
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    assert_int_equal(qtpm_tss_make_credential(&ek, &name, &cred, &blob, &secret), 0);
    /* the secret is the bare ML-KEM-768 ciphertext */
    assert_int_equal(secret.size, 1088);
    uint8_t seed[32];
    assert_int_equal(seed_by_hand(&ek, dk, "IDENTITY", &secret, seed), 0);
    assert_int_equal(activate_by_hand(seed, &name, &blob, &back), 0);
    assert_int_equal(back.size, 32);
    assert_memory_equal(back.buffer, cred.buffer, 32);
    /* another name: the integrity check fails */
    TPM2B_NAME wrong = name;
    wrong.buffer[5] ^= 1;
    assert_int_equal(activate_by_hand(seed, &wrong, &blob, &back), -1);
    /* the wrong EK (implicit rejection gives some other K): fails too */
    assert_int_equal(seed_by_hand(&other, other_dk, "IDENTITY", &secret, seed), 0);
    assert_int_equal(activate_by_hand(seed, &name, &blob, &back), -1);
    /* the label matters: "SECRET" (a salt) is a different seed */
    assert_int_equal(seed_by_hand(&ek, dk, "SECRET", &secret, seed), 0);
    assert_int_equal(activate_by_hand(seed, &name, &blob, &back), -1);
    /* an ML-KEM EK without a symmetric algorithm cannot protect a credential */
    TPMT_PUBLIC bare = ek;
    bare.parameters.mlkemDetail.symmetric.algorithm = TPM_ALG_NULL;
    assert_int_equal(qtpm_tss_make_credential(&bare, &name, &cred, &blob, &secret), QTPM_E_PARAM);
}

static void test_salt_for_mlkem_key(void **state)
{
    (void)state;
    static uint8_t dk[2400];
    TPMT_PUBLIC ek;
    soft_mlkem_ek(&ek, dk);
    uint8_t seed[64], again[32];
    size_t seed_len;
    TPM2B_ENCRYPTED_SECRET secret;
    assert_int_equal(qtpm_tss_secret_for_key(&ek, "SECRET", seed, &seed_len, &secret), 0);
    assert_int_equal(seed_len, 32);
    assert_int_equal(secret.size, 1088);
    assert_int_equal(seed_by_hand(&ek, dk, "SECRET", &secret, again), 0);
    assert_memory_equal(seed, again, 32);
    /* a key whose unique is not an ML-KEM-768 encapsulation key is refused */
    ek.unique.mlkem.size = 1000;
    assert_int_equal(qtpm_tss_secret_for_key(&ek, "SECRET", seed, &seed_len, &secret),
                     QTPM_E_PARAM);
}

/* A quote as a TPM would make it, marshalled. */
static void make_quote(const TPM2B_DATA *nonce, const TPML_PCR_SELECTION *sel,
                       const TPM2B_DIGEST *pcr_digest, TPM2B_ATTEST *out)
{
    TPMS_ATTEST a;
    memset(&a, 0, sizeof a);
    a.magic = TPM_GENERATED_VALUE;
    a.type = TPM_ST_ATTEST_QUOTE;
    a.qualifiedSigner.size = 2;
    a.extraData = *nonce;
    a.clockInfo.clock = 12345;
    a.clockInfo.safe = 1;
    a.firmwareVersion = 0x0000000100000000ull;
    a.attested.quote.pcrSelect = *sel;
    a.attested.quote.pcrDigest = *pcr_digest;
    size_t o = 0;
    assert_int_equal(qtpm_TPMS_ATTEST_marshal(&a, out->buffer, sizeof out->buffer, &o), 0);
    out->size = (UINT16)o;
}

static void test_mldsa_quote_verification(void **state)
{
    (void)state;
    TPMT_PUBLIC ak, hak, other;
    uint8_t xi[32], hxi[32], oxi[32];
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_MLDSA, &ak), 0);
    assert_int_equal(qtpm_mldsa_keygen(QTPM_MLDSA_44, ak.unique.mldsa.buffer, NULL, xi), 0);
    ak.unique.mldsa.size = 1312;
    other = ak;
    assert_int_equal(qtpm_mldsa_keygen(QTPM_MLDSA_44, other.unique.mldsa.buffer, NULL, oxi), 0);
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_HASH_MLDSA, &hak), 0);
    assert_int_equal(qtpm_mldsa_keygen(QTPM_MLDSA_44, hak.unique.mldsa.buffer, NULL, hxi), 0);
    hak.unique.mldsa.size = 1312;

    /* PCRs 0..2 of the SHA-256 bank and the digest a TPM would quote */
    TPML_PCR_SELECTION sel;
    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = TPM_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[0] = 0x07;
    TPM2B_DIGEST values[3], pd;
    for (int i = 0; i < 3; i++) {
        values[i].size = 32;
        memset(values[i].buffer, i, 32);
    }
    assert_int_equal(qtpm_tss_pcr_composite(TPM_ALG_SHA256, values, 3, &pd), 0);
    TPM2B_DATA nonce = { 16, "fresh challenge!" }, other_nonce = { 16, "stale challenge!" };
    TPM2B_ATTEST q;
    make_quote(&nonce, &sel, &pd, &q);

    /* pure ML-DSA over the TPMS_ATTEST bytes, empty context */
    TPMT_SIGNATURE sig;
    memset(&sig, 0, sizeof sig);
    sig.sigAlg = TPM_ALG_MLDSA;
    sig.signature.mldsa.size = 2420;
    assert_int_equal(qtpm_mldsa_sign(QTPM_MLDSA_44, xi, 32, q.buffer, q.size, NULL, 0, NULL,
                                     sig.signature.mldsa.buffer), 0);
    TPMS_ATTEST parsed;
    assert_int_equal(qtpm_tss_quote_verify(&ak, &q, &sig, &nonce, &sel, values, 3, &parsed), 0);
    assert_int_equal(parsed.clockInfo.clock, 12345);
    assert_int_equal(qtpm_tss_signature_hash(&ak, &sig), TPM_ALG_SHA256); /* the nameAlg */
    /* a changed quote, signature, nonce, PCR value or key: refused */
    TPM2B_ATTEST bad = q;
    bad.buffer[bad.size - 1] ^= 1;
    assert_int_equal(qtpm_tss_quote_verify(&ak, &bad, &sig, &nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);
    TPMT_SIGNATURE bsig = sig;
    bsig.signature.mldsa.buffer[100] ^= 1;
    assert_int_equal(qtpm_tss_quote_verify(&ak, &q, &bsig, &nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);
    bsig = sig;
    bsig.signature.mldsa.size = 2419;
    assert_int_equal(qtpm_tss_quote_verify(&ak, &q, &bsig, &nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);
    assert_int_equal(qtpm_tss_quote_verify(&ak, &q, &sig, &other_nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);
    values[1].buffer[0] ^= 1;
    assert_int_equal(qtpm_tss_quote_verify(&ak, &q, &sig, &nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);
    values[1].buffer[0] ^= 1;
    assert_int_equal(qtpm_tss_quote_verify(&other, &q, &sig, &nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);
    /* a signature with a non-empty context is not what a TPM makes */
    assert_int_equal(qtpm_mldsa_sign(QTPM_MLDSA_44, xi, 32, q.buffer, q.size,
                                     (const uint8_t *)"ctx", 3, NULL, bsig.signature.mldsa.buffer), 0);
    bsig.signature.mldsa.size = 2420;
    assert_int_equal(qtpm_tss_quote_verify(&ak, &q, &bsig, &nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);
    /* an ML-DSA signature does not pass as HashML-DSA, nor for a HashML-DSA key */
    assert_int_equal(qtpm_tss_quote_verify(&hak, &q, &sig, &nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);

    /* HashML-DSA-44: pre-hashed with SHA-256, the hash named in the signature */
    TPMT_SIGNATURE hsig;
    memset(&hsig, 0, sizeof hsig);
    hsig.sigAlg = TPM_ALG_HASH_MLDSA;
    hsig.signature.hash_mldsa.hash = TPM_ALG_SHA256;
    hsig.signature.hash_mldsa.signature.size = 2420;
    assert_int_equal(qtpm_hashmldsa_sign(QTPM_MLDSA_44, hxi, 32, QTPM_PH_SHA256, q.buffer, q.size,
                                         NULL, 0, NULL,
                                         hsig.signature.hash_mldsa.signature.buffer), 0);
    assert_int_equal(qtpm_tss_quote_verify(&hak, &q, &hsig, &nonce, &sel, values, 3, NULL), 0);
    hsig.signature.hash_mldsa.hash = TPM_ALG_SHA384; /* not the key's pre-hash */
    assert_int_equal(qtpm_tss_quote_verify(&hak, &q, &hsig, &nonce, &sel, values, 3, NULL),
                     QTPM_E_VERIFY);

    /* the signature's wire form: 00A1 0974 <2420 bytes> */
    uint8_t wire[2500];
    size_t o = 0;
    assert_int_equal(qtpm_TPMT_SIGNATURE_marshal(&sig, wire, sizeof wire, &o), 0);
    assert_int_equal(o, 4 + 2420);
    assert_int_equal(wire[0] << 8 | wire[1], TPM_ALG_MLDSA);
    assert_int_equal(wire[2] << 8 | wire[3], 2420);
}

static void test_mldsa_certify_verification(void **state)
{
    (void)state;
    TPMT_PUBLIC ak;
    uint8_t xi[32];
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_MLDSA, &ak), 0);
    assert_int_equal(qtpm_mldsa_keygen(QTPM_MLDSA_44, ak.unique.mldsa.buffer, NULL, xi), 0);
    ak.unique.mldsa.size = 1312;
    TPMS_ATTEST a;
    memset(&a, 0, sizeof a);
    a.magic = TPM_GENERATED_VALUE;
    a.type = TPM_ST_ATTEST_CERTIFY;
    a.extraData.size = 4;
    memcpy(a.extraData.buffer, "abcd", 4);
    a.attested.certify.name.size = 34;
    a.attested.certify.name.buffer[1] = 0x0b;
    a.attested.certify.name.buffer[9] = 9;
    TPM2B_ATTEST c;
    size_t o = 0;
    assert_int_equal(qtpm_TPMS_ATTEST_marshal(&a, c.buffer, sizeof c.buffer, &o), 0);
    c.size = (UINT16)o;
    TPMT_SIGNATURE sig;
    memset(&sig, 0, sizeof sig);
    sig.sigAlg = TPM_ALG_MLDSA;
    sig.signature.mldsa.size = 2420;
    assert_int_equal(qtpm_mldsa_sign(QTPM_MLDSA_44, xi, 32, c.buffer, c.size, NULL, 0, NULL,
                                     sig.signature.mldsa.buffer), 0);
    TPM2B_DATA nonce = { 4, "abcd" };
    assert_int_equal(qtpm_tss_certify_verify(&ak, &c, &sig, &nonce, &a.attested.certify.name,
                                             NULL), 0);
    TPM2B_NAME other = a.attested.certify.name;
    other.buffer[9] = 8;
    assert_int_equal(qtpm_tss_certify_verify(&ak, &c, &sig, &nonce, &other, NULL), QTPM_E_VERIFY);
    /* a quote-typed check of a certification fails on the type */
    assert_int_equal(qtpm_tss_quote_verify(&ak, &c, &sig, &nonce, NULL, NULL, 0, NULL),
                     QTPM_E_VERIFY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_make_credential_mlkem_ek),
        cmocka_unit_test(test_salt_for_mlkem_key),
        cmocka_unit_test(test_mldsa_quote_verification),
        cmocka_unit_test(test_mldsa_certify_verification),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
