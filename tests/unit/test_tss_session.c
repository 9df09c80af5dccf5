/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tss_session.c — libqtss session-layer and task-layer arithmetic
 * without a TPM: cpHash, rpHash, session HMACs, session keys and AES-CFB
 * parameter encryption against values computed independently (Python's
 * hashlib/hmac and the cryptography package, from the formulas of TPM 2.0
 * Part 1 §18.7, §19.6, §21.3), software policy digests against the same
 * and against the EK Credential Profile's published EK policy, and software
 * MakeCredential checked by undoing it step by step with a key we hold.
 */
#include <stdlib.h>
#include <string.h>

#include "qtpm/kdf.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"
#include "testutil.h"

static void expect_hex(const uint8_t *got, size_t len, const char *hex)
{
    uint8_t *want;
    size_t wlen;
    tu_hex(hex, &want, &wlen);
    assert_int_equal(len, wlen);
    assert_memory_equal(got, want, wlen);
    free(want);
}

static void fill(TPM2B_DIGEST *d, uint8_t v, size_t n)
{
    d->size = (UINT16)n;
    memset(d->buffer, v, n);
}

static const uint8_t key14[] = "sessionkeyauth";

static void test_cp_rp_hash(void **state)
{
    (void)state;
    TPM2B_NAME name;
    uint8_t params[32];
    TPM2B_DIGEST cp, rp;
    name.size = 34;
    name.buffer[0] = 0x00, name.buffer[1] = 0x0b;
    memset(name.buffer + 2, 0x11, 32);
    for (int i = 0; i < 32; i++)
        params[i] = (uint8_t)i;
    assert_int_equal(qtpm_tss_cp_hash(TPM_ALG_SHA256, TPM_CC_Sign, &name, 1, params, 32, &cp), 0);
    expect_hex(cp.buffer, cp.size, "a09607d73c4e34c978fc01e770c71ccadf06c96d642727ce1f07527bb4528cf0");
    assert_int_equal(qtpm_tss_rp_hash(TPM_ALG_SHA256, 0, TPM_CC_Sign, params, 32, &rp), 0);
    expect_hex(rp.buffer, rp.size, "801a6b2362e1d5427f083af626573680d7f6094bf8bfe7275f9521c565aa9a7b");
    /* a different name changes cpHash */
    name.buffer[5] ^= 1;
    TPM2B_DIGEST cp2;
    assert_int_equal(qtpm_tss_cp_hash(TPM_ALG_SHA256, TPM_CC_Sign, &name, 1, params, 32, &cp2), 0);
    assert_memory_not_equal(cp.buffer, cp2.buffer, 32);
}

static void test_session_hmac(void **state)
{
    (void)state;
    TPM2B_DIGEST cp, out;
    TPM2B_NONCE newer, older, dec;
    uint8_t *c;
    size_t cl;
    tu_hex("a09607d73c4e34c978fc01e770c71ccadf06c96d642727ce1f07527bb4528cf0", &c, &cl);
    cp.size = (UINT16)cl;
    memcpy(cp.buffer, c, cl);
    free(c);
    fill(&newer, 0xaa, 32);
    fill(&older, 0xbb, 32);
    fill(&dec, 0xcc, 16);
    assert_int_equal(qtpm_tss_session_hmac(TPM_ALG_SHA256, key14, 14, &cp, &newer, &older, NULL,
                                           NULL, 0x01, &out), 0);
    expect_hex(out.buffer, out.size, "364f4c6e6e65ed0f50c5af7342f74f5c5e797028808d55e2f634c9e745e9ef55");
    /* the decrypt session's nonceTPM is included in the first session's HMAC */
    assert_int_equal(qtpm_tss_session_hmac(TPM_ALG_SHA256, key14, 14, &cp, &newer, &older, &dec,
                                           NULL, 0x21, &out), 0);
    expect_hex(out.buffer, out.size, "ca81a7f9bc9a58876fbebf04995c44b492ff1720dba3bd73e4ee154efe11ef5d");
}

static void test_session_key(void **state)
{
    (void)state;
    TPM2B_AUTH bind;
    TPM2B_NONCE nt, nc;
    TPM2B_DIGEST sk;
    uint8_t salt[32];
    memset(salt, 0x5a, 32);
    /* trailing zeros of an authValue do not count (the TPM strips them) */
    bind.size = 6;
    memcpy(bind.buffer, "bind\0\0", 6);
    fill(&nt, 0xbb, 32);
    fill(&nc, 0xaa, 32);
    assert_int_equal(qtpm_tss_session_key(TPM_ALG_SHA256, &bind, salt, 32, &nt, &nc, &sk), 0);
    expect_hex(sk.buffer, sk.size, "8adbfdc83bd42532cbe01fb9712447817f082bf99219cfcac561521b937b9e1a");
    /* unbound and unsalted: no key */
    assert_int_equal(qtpm_tss_session_key(TPM_ALG_SHA256, NULL, NULL, 0, &nt, &nc, &sk), 0);
    assert_int_equal(sk.size, 0);
}

static void test_param_crypt(void **state)
{
    (void)state;
    TPM2B_NONCE newer, older;
    uint8_t data[20], orig[20];
    for (int i = 0; i < 20; i++)
        orig[i] = data[i] = (uint8_t)i;
    fill(&newer, 0xaa, 32);
    fill(&older, 0xbb, 32);
    assert_int_equal(qtpm_tss_param_crypt(TPM_ALG_SHA256, &qtpm_tss_aes128_cfb, key14, 14, &newer,
                                          &older, 1, data, 20), 0);
    expect_hex(data, 20, "6ec465d14cd10ee19bd65e90cc5a1a314b5034e8");
    assert_int_equal(qtpm_tss_param_crypt(TPM_ALG_SHA256, &qtpm_tss_aes128_cfb, key14, 14, &newer,
                                          &older, 0, data, 20), 0);
    assert_memory_equal(data, orig, 20);
    TPMT_SYM_DEF bad = { .algorithm = TPM_ALG_AES, .keyBits = { .aes = 100 }, .mode = { .aes = TPM_ALG_CFB } };
    assert_int_equal(qtpm_tss_param_crypt(TPM_ALG_SHA256, &bad, key14, 14, &newer, &older, 1,
                                          data, 20), QTPM_E_PARAM);
}

static void test_policy_digests(void **state)
{
    (void)state;
    TPM2B_DIGEST d, pcr_branch, cc_branch, branches[2], pcrd;
    TPML_PCR_SELECTION sel;
    TPM2B_NAME name;
    TPM2B_NONCE ref;

    assert_int_equal(qtpm_tss_policy_start(TPM_ALG_SHA256, &d), 0);
    assert_int_equal(qtpm_tss_policy_auth_value(TPM_ALG_SHA256, &d), 0);
    expect_hex(d.buffer, d.size, "8fcd2169ab92694e0c633f1ab772842b8241bbc20288981fc7ac1eddc1fddb0e");

    qtpm_tss_policy_start(TPM_ALG_SHA256, &cc_branch);
    assert_int_equal(qtpm_tss_policy_command_code(TPM_ALG_SHA256, &cc_branch, TPM_CC_Unseal), 0);
    expect_hex(cc_branch.buffer, 32, "e613137076524bde487533865884e9732ebee3aacb095d94a6de492ec06c46fa");

    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = TPM_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[0] = 0x03;
    TPM2B_DIGEST zeros[2];
    memset(zeros, 0, sizeof zeros);
    zeros[0].size = zeros[1].size = 32;
    assert_int_equal(qtpm_tss_pcr_composite(TPM_ALG_SHA256, zeros, 2, &pcrd), 0);
    qtpm_tss_policy_start(TPM_ALG_SHA256, &pcr_branch);
    assert_int_equal(qtpm_tss_policy_pcr(TPM_ALG_SHA256, &pcr_branch, &sel, &pcrd), 0);
    expect_hex(pcr_branch.buffer, 32, "182c84e9792152b63f7716ef2c303b0e34442f51e72883f944b18d3075b45719");

    branches[0] = pcr_branch;
    branches[1] = cc_branch;
    d = pcr_branch;
    assert_int_equal(qtpm_tss_policy_or(TPM_ALG_SHA256, &d, branches, 2), 0);
    expect_hex(d.buffer, 32, "62ec4a398fd5d0509cd31120aca3fe1c188c5774df681f7340b155bafda41e8f");
    assert_int_equal(qtpm_tss_policy_or(TPM_ALG_SHA256, &d, branches, 1), QTPM_E_PARAM);

    name.size = 34;
    name.buffer[0] = 0x00, name.buffer[1] = 0x0b;
    memset(name.buffer + 2, 0x22, 32);
    ref.size = 3;
    memcpy(ref.buffer, "ref", 3);
    assert_int_equal(qtpm_tss_policy_authorize(TPM_ALG_SHA256, &d, &name, &ref), 0);
    expect_hex(d.buffer, 32, "3e47bf11db66ba61c349d1f63779844ffa97657ace829a024b883eab48642ed2");

    /* PolicySecret(TPM_RH_ENDORSEMENT): the EK Credential Profile's EK policy */
    name.size = 4;
    name.buffer[0] = 0x40, name.buffer[1] = 0x00, name.buffer[2] = 0x00, name.buffer[3] = 0x0b;
    qtpm_tss_policy_start(TPM_ALG_SHA256, &d);
    assert_int_equal(qtpm_tss_policy_secret(TPM_ALG_SHA256, &d, &name, NULL), 0);
    assert_memory_equal(d.buffer, qtpm_tss_ek_policy_sha256.buffer, 32);
    expect_hex(d.buffer, 32, "837197674484b3f81a90cc8d46a5d724fd52d76e06520b64f2a1da1b331469aa");
}

/* Undoes MakeCredential with the RSA private key: OAEP-decrypt the seed,
 * check the outer HMAC, decrypt the identity (Part 1 §24). */
static void test_make_credential_rsa(void **state)
{
    (void)state;
    qtpm_rsa_key *rsa;
    TPMT_PUBLIC ek;
    size_t nlen;
    uint32_t e;
    assert_int_equal(qtpm_rsa_generate(2048, 0, &rsa), 0);
    assert_int_equal(qtpm_tss_template_ek(TPM_ALG_RSA, &ek), 0);
    assert_int_equal(qtpm_rsa_export_public(rsa, ek.unique.rsa.buffer, sizeof ek.unique.rsa.buffer,
                                            &nlen, &e), 0);
    ek.unique.rsa.size = (UINT16)nlen;

    TPM2B_NAME ak_name = { 34, { 0x00, 0x0b } };
    memset(ak_name.buffer + 2, 0x42, 32);
    TPM2B_DIGEST cred = { 16, "0123456789abcdef" };
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    assert_int_equal(qtpm_tss_make_credential(&ek, &ak_name, &cred, &blob, &secret), 0);

    uint8_t seed[64], sym[16], hk[32], mac[32], iv[16] = { 0 };
    size_t seed_len;
    assert_int_equal(qtpm_rsa_oaep_decrypt(rsa, QTPM_HASH_SHA256, (const uint8_t *)"IDENTITY", 9,
                                           secret.buffer, secret.size, seed, sizeof seed,
                                           &seed_len), 0);
    assert_int_equal(seed_len, 32);
    size_t hlen = (size_t)blob.buffer[0] << 8 | blob.buffer[1];
    assert_int_equal(hlen, 32);
    const uint8_t *enc = blob.buffer + 2 + hlen;
    size_t enc_len = blob.size - 2 - hlen;
    assert_int_equal(enc_len, 2 + 16);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, seed, 32, (const uint8_t *)"INTEGRITY", 9, NULL, 0,
                               NULL, 0, 256, hk), 0);
    uint8_t macin[64];
    memcpy(macin, enc, enc_len);
    memcpy(macin + enc_len, ak_name.buffer, ak_name.size);
    assert_int_equal(qtpm_hmac(QTPM_HASH_SHA256, hk, 32, macin, enc_len + ak_name.size, mac), 0);
    assert_memory_equal(mac, blob.buffer + 2, 32);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, seed, 32, (const uint8_t *)"STORAGE", 7,
                               ak_name.buffer, ak_name.size, NULL, 0, 128, sym), 0);
    uint8_t plain[18];
    assert_int_equal(qtpm_aes_decrypt(QTPM_SYM_CFB, sym, 16, iv, enc, plain, enc_len), 0);
    assert_int_equal(plain[0], 0);
    assert_int_equal(plain[1], 16);
    assert_memory_equal(plain + 2, "0123456789abcdef", 16);
    qtpm_rsa_free(rsa);
}

/* The ECC form: the secret is an ephemeral point; the seed comes from KDFe
 * over the ECDH x coordinate, which we recompute with the static key. */
static void test_make_credential_ecc(void **state)
{
    (void)state;
    TPMT_PUBLIC ek;
    uint8_t d[32];
    assert_int_equal(qtpm_tss_template_ek(TPM_ALG_ECC, &ek), 0);
    assert_int_equal(qtpm_ecc_generate(QTPM_ECC_P256, d, ek.unique.ecc.x.buffer,
                                       ek.unique.ecc.y.buffer), 0);
    TPM2B_NAME ak_name = { 34, { 0x00, 0x0b } };
    TPM2B_DIGEST cred = { 5, "hello" };
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    assert_int_equal(qtpm_tss_make_credential(&ek, &ak_name, &cred, &blob, &secret), 0);
    TPMS_ECC_POINT eph;
    size_t o = 0;
    assert_int_equal(qtpm_TPMS_ECC_POINT_unmarshal(&eph, secret.buffer, secret.size, &o), 0);
    assert_int_equal(o, secret.size);
    uint8_t z[32], seed[32], sym[16], iv[16] = { 0 }, plain[7];
    assert_int_equal(qtpm_ecdh(QTPM_ECC_P256, d, eph.x.buffer, eph.y.buffer, z, NULL), 0);
    assert_int_equal(qtpm_kdfe(QTPM_HASH_SHA256, z, 32, (const uint8_t *)"IDENTITY", 8,
                               eph.x.buffer, 32, ek.unique.ecc.x.buffer, 32, 256, seed), 0);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, seed, 32, (const uint8_t *)"STORAGE", 7,
                               ak_name.buffer, ak_name.size, NULL, 0, 128, sym), 0);
    assert_int_equal(blob.size, 2 + 32 + 7);
    assert_int_equal(qtpm_aes_decrypt(QTPM_SYM_CFB, sym, 16, iv, blob.buffer + 34, plain, 7), 0);
    assert_memory_equal(plain, "\x00\x05hello", 7);
}

static void test_names(void **state)
{
    (void)state;
    TPMT_PUBLIC ek;
    TPM2B_NAME n1, n2;
    assert_int_equal(qtpm_tss_template_ek(TPM_ALG_RSA, &ek), 0);
    assert_int_equal(qtpm_tss_public_name(&ek, &n1), 0);
    assert_int_equal(n1.size, 34);
    assert_int_equal(n1.buffer[1], 0x0b);
    ek.objectAttributes ^= TPMA_OBJECT_NODA;
    assert_int_equal(qtpm_tss_public_name(&ek, &n2), 0);
    assert_memory_not_equal(n1.buffer, n2.buffer, 34);
    assert_int_equal(qtpm_tss_ek_cert_index(TPM_ALG_RSA), 0x01C00002);
    assert_int_equal(qtpm_tss_ek_cert_index(TPM_ALG_ECC), 0x01C0000A);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cp_rp_hash),
        cmocka_unit_test(test_session_hmac),
        cmocka_unit_test(test_session_key),
        cmocka_unit_test(test_param_crypt),
        cmocka_unit_test(test_policy_digests),
        cmocka_unit_test(test_make_credential_rsa),
        cmocka_unit_test(test_make_credential_ecc),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
