/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_classic.c — the classic-crypto layer (classic.h): hashes and HMAC
 * against FIPS 180/202 and RFC 4231 answers, AES against SP 800-38A and the
 * GCM specification's test cases, RSA round trips and forgeries across
 * import/export forms, and ECC against RFC 6979's key, a NIST CAVP ECDH
 * vector and the group laws, with invalid points rejected.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "testutil.h"
#include "qtpm/classic.h"
#include "qtpm/common.h"
#include "qtpm/rand.h"

/* Decodes hex into a caller buffer of exactly len bytes. */
static void hx(const char *hex, uint8_t *out, size_t len)
{
    uint8_t *b;
    size_t n;
    tu_hex(hex, &b, &n);
    assert_int_equal(n, len);
    memcpy(out, b, len);
    free(b);
}

/* ------------------------------------------------------------------ hashes */

static void test_hash_abc(void **state)
{
    (void)state;
    static const struct {
        qtpm_hash_alg alg;
        const char *hex;
    } kat[] = {
        /* FIPS 180-2 Appendix A-C and FIPS 202 example values for "abc". */
        {QTPM_HASH_SHA1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {QTPM_HASH_SHA256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {QTPM_HASH_SHA384, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed"
                           "8086072ba1e7cc2358baeca134c825a7"},
        {QTPM_HASH_SHA512, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
                           "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"},
        {QTPM_HASH_SHA3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"},
        {QTPM_HASH_SHA3_384, "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b2"
                             "98d88cea927ac7f539f1edf228376d25"},
        {QTPM_HASH_SHA3_512, "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e"
                             "10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0"},
    };
    for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
        size_t n = qtpm_hash_size(kat[i].alg);
        uint8_t want[64], got[64];
        hx(kat[i].hex, want, n);
        assert_int_equal(qtpm_hash(kat[i].alg, (const uint8_t *)"abc", 3, got), QTPM_OK);
        assert_memory_equal(got, want, n);
    }
    /* The two-block FIPS 180-2 message for SHA-256. */
    {
        const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        uint8_t want[32], got[32];
        hx("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", want, 32);
        assert_int_equal(qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)m, strlen(m), got), QTPM_OK);
        assert_memory_equal(got, want, 32);
    }
}

static void test_hash_sizes(void **state)
{
    (void)state;
    assert_int_equal(qtpm_hash_size(QTPM_HASH_SHA1), 20);
    assert_int_equal(qtpm_hash_size(QTPM_HASH_SHA384), 48);
    assert_int_equal(qtpm_hash_size(QTPM_HASH_SHA3_512), 64);
    assert_int_equal(qtpm_hash_size(QTPM_HASH_NONE), 0);
    assert_int_equal(qtpm_hash_block_size(QTPM_HASH_SHA512), 128);
    assert_int_equal(qtpm_hash_block_size(QTPM_HASH_SHA3_256), 136);
    uint8_t out[64];
    assert_int_equal(qtpm_hash(QTPM_HASH_NONE, NULL, 0, out), QTPM_E_PARAM);
    assert_int_equal(qtpm_hash((qtpm_hash_alg)99, NULL, 0, out), QTPM_E_PARAM);
}

/* Incremental in uneven pieces equals one-shot; a copy taken midway finishes
 * independently of the original (what a TPM hash sequence fork relies on). */
static void test_hash_incremental_copy(void **state)
{
    (void)state;
    uint8_t msg[700];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 31 + 7);
    for (int alg = QTPM_HASH_SHA1; alg <= QTPM_HASH_SHA3_512; alg++) {
        size_t n = qtpm_hash_size((qtpm_hash_alg)alg);
        uint8_t one[64], half[64], inc[64], copy[64];
        qtpm_hash_ctx c, d;
        assert_int_equal(qtpm_hash((qtpm_hash_alg)alg, msg, sizeof(msg), one), QTPM_OK);
        assert_int_equal(qtpm_hash((qtpm_hash_alg)alg, msg, 300, half), QTPM_OK);
        assert_int_equal(qtpm_hash_init(&c, (qtpm_hash_alg)alg), QTPM_OK);
        assert_int_equal(qtpm_hash_update(&c, msg, 1), QTPM_OK);
        assert_int_equal(qtpm_hash_update(&c, msg + 1, 0), QTPM_OK);
        assert_int_equal(qtpm_hash_update(&c, msg + 1, 299), QTPM_OK);
        assert_int_equal(qtpm_hash_copy(&d, &c), QTPM_OK);
        assert_int_equal(qtpm_hash_update(&c, msg + 300, 137), QTPM_OK);
        assert_int_equal(qtpm_hash_update(&c, msg + 437, sizeof(msg) - 437), QTPM_OK);
        assert_int_equal(qtpm_hash_final(&c, inc), QTPM_OK);
        assert_int_equal(qtpm_hash_final(&d, copy), QTPM_OK);
        assert_memory_equal(inc, one, n);
        assert_memory_equal(copy, half, n);
        /* Released contexts refuse further use; free stays harmless. */
        assert_int_equal(qtpm_hash_update(&c, msg, 1), QTPM_E_PARAM);
        qtpm_hash_free(&c);
        qtpm_hash_free(&d);
    }
}

/* -------------------------------------------------------------------- HMAC */

static void test_hmac_rfc4231(void **state)
{
    (void)state;
    static const char *tc7_data =
        "This is a test using a larger than block-size key and a larger than block-size "
        "data. The key needs to be hashed before being used by the HMAC algorithm.";
    uint8_t key20[20], key131[131], want[64], got[64];
    memset(key20, 0x0b, sizeof(key20));
    memset(key131, 0xaa, sizeof(key131));
    static const struct {
        qtpm_hash_alg alg;
        int tc;
        const char *hex;
    } kat[] = {
        {QTPM_HASH_SHA256, 1, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
        {QTPM_HASH_SHA384, 1, "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
                              "faea9ea9076ede7f4af152e8b2fa9cb6"},
        {QTPM_HASH_SHA512, 1, "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
                              "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
        {QTPM_HASH_SHA256, 2, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
        {QTPM_HASH_SHA384, 2, "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e"
                              "8e2240ca5e69e2c78b3239ecfab21649"},
        {QTPM_HASH_SHA512, 2, "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554"
                              "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
        {QTPM_HASH_SHA256, 6, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
        {QTPM_HASH_SHA384, 6, "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
                              "0c2ef6ab4030fe8296248df163f44952"},
        {QTPM_HASH_SHA512, 6, "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
                              "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
        {QTPM_HASH_SHA256, 7, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
    };
    for (size_t i = 0; i < sizeof(kat) / sizeof(kat[0]); i++) {
        size_t n = qtpm_hash_size(kat[i].alg);
        const uint8_t *key;
        size_t key_len;
        const char *data;
        switch (kat[i].tc) {
        case 1: key = key20; key_len = 20; data = "Hi There"; break;
        case 2: key = (const uint8_t *)"Jefe"; key_len = 4; data = "what do ya want for nothing?"; break;
        case 6: key = key131; key_len = 131; data = "Test Using Larger Than Block-Size Key - Hash Key First"; break;
        default: key = key131; key_len = 131; data = tc7_data; break;
        }
        hx(kat[i].hex, want, n);
        assert_int_equal(qtpm_hmac(kat[i].alg, key, key_len, (const uint8_t *)data, strlen(data), got),
                         QTPM_OK);
        assert_memory_equal(got, want, n);
    }
    /* Empty key and message (TPM sessions with an empty authValue). */
    hx("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad", want, 32);
    assert_int_equal(qtpm_hmac(QTPM_HASH_SHA256, NULL, 0, NULL, 0, got), QTPM_OK);
    assert_memory_equal(got, want, 32);
}

/* HMAC-SHA3 is built here on our Keccak; OpenSSL's HMAC over its own SHA-3 is
 * an independent implementation to compare with, for keys shorter than,
 * equal to and longer than the rate. */
static void test_hmac_sha3_vs_openssl(void **state)
{
    (void)state;
    static const char *names[] = {"SHA3-256", "SHA3-384", "SHA3-512"};
    uint8_t key[200], msg[300], got[64], want[64];
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(i * 5 + 1);
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i ^ 0x3c);
    static const size_t key_lens[] = {0, 16, 72, 104, 136, 137, 200};
    for (int a = 0; a < 3; a++) {
        qtpm_hash_alg alg = (qtpm_hash_alg)(QTPM_HASH_SHA3_256 + a);
        size_t n = qtpm_hash_size(alg);
        for (size_t k = 0; k < sizeof(key_lens) / sizeof(key_lens[0]); k++) {
            size_t outl = 0;
            assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, names[a], NULL, key_lens[k] ? key : msg,
                                      key_lens[k], msg, sizeof(msg), want, sizeof(want), &outl));
            assert_int_equal(outl, n);
            assert_int_equal(qtpm_hmac(alg, key, key_lens[k], msg, sizeof(msg), got), QTPM_OK);
            assert_memory_equal(got, want, n);
        }
    }
}

static void test_hmac_incremental_copy(void **state)
{
    (void)state;
    uint8_t msg[500], key[40], one[64], half[64], inc[64], copy[64];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)(i * 13);
    for (size_t i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)(0xa0 + i);
    for (int alg = QTPM_HASH_SHA1; alg <= QTPM_HASH_SHA3_512; alg++) {
        size_t n = qtpm_hash_size((qtpm_hash_alg)alg);
        qtpm_hmac_ctx c, d;
        assert_int_equal(qtpm_hmac((qtpm_hash_alg)alg, key, sizeof(key), msg, sizeof(msg), one), QTPM_OK);
        assert_int_equal(qtpm_hmac((qtpm_hash_alg)alg, key, sizeof(key), msg, 201, half), QTPM_OK);
        assert_int_equal(qtpm_hmac_init(&c, (qtpm_hash_alg)alg, key, sizeof(key)), QTPM_OK);
        assert_int_equal(qtpm_hmac_update(&c, msg, 200), QTPM_OK);
        assert_int_equal(qtpm_hmac_update(&c, msg + 200, 1), QTPM_OK);
        assert_int_equal(qtpm_hmac_copy(&d, &c), QTPM_OK);
        assert_int_equal(qtpm_hmac_update(&c, msg + 201, sizeof(msg) - 201), QTPM_OK);
        assert_int_equal(qtpm_hmac_final(&c, inc), QTPM_OK);
        assert_int_equal(qtpm_hmac_final(&d, copy), QTPM_OK);
        assert_memory_equal(inc, one, n);
        assert_memory_equal(copy, half, n);
        qtpm_hmac_free(&c);
    }
}

/* --------------------------------------------------------------------- AES */

/* SP 800-38A Appendix F: the AES-128 key and the four plaintext blocks. */
static const char SP38A_KEY[] = "2b7e151628aed2a6abf7158809cf4f3c";
static const char SP38A_PT[] =
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
    "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710";

static void check_sp38a(qtpm_sym_mode mode, const char *iv_hex, const char *ct_hex)
{
    uint8_t key[16], iv[16], iv0[16], pt[64], ct[64], buf[64];
    hx(SP38A_KEY, key, 16);
    hx(SP38A_PT, pt, 64);
    hx(ct_hex, ct, 64);
    if (iv_hex != NULL)
        hx(iv_hex, iv0, 16);
    else
        memset(iv0, 0, 16);
    memcpy(iv, iv0, 16);
    assert_int_equal(qtpm_aes_encrypt(mode, key, 16, iv, pt, buf, 64), QTPM_OK);
    assert_memory_equal(buf, ct, 64);
    memcpy(iv, iv0, 16);
    assert_int_equal(qtpm_aes_decrypt(mode, key, 16, iv, ct, buf, 64), QTPM_OK);
    assert_memory_equal(buf, pt, 64);
    /* In place, and continued across calls through the returned IV. A call
     * always starts a fresh block (as TPM2_EncryptDecrypt does), so the split
     * is at a block boundary. */
    memcpy(iv, iv0, 16);
    memcpy(buf, pt, 64);
    assert_int_equal(qtpm_aes_encrypt(mode, key, 16, iv, buf, buf, 16), QTPM_OK);
    assert_int_equal(qtpm_aes_encrypt(mode, key, 16, iv, buf + 16, buf + 16, 48), QTPM_OK);
    assert_memory_equal(buf, ct, 64);
}

static void test_aes_sp800_38a(void **state)
{
    (void)state;
    static const char iv[] = "000102030405060708090a0b0c0d0e0f";
    /* F.3.13 CFB128-AES128 */
    check_sp38a(QTPM_SYM_CFB, iv,
                "3b3fd92eb72dad20333449f8e83cfb4ac8a64537a0b3a93fcde3cdad9f1ce58b"
                "26751f67a3cbb140b1808cf187a4f4dfc04b05357c5d1c0eeac4c66f9ff7f2e6");
    /* F.5.1 CTR-AES128 */
    check_sp38a(QTPM_SYM_CTR, "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                "874d6191b620e3261bef6864990db6ce9806f66b7970fdff8617187bb9fffdff"
                "5ae4df3edbd5d35e5b4f09020db03eab1e031dda2fbe03d1792170a0f3009cee");
    /* F.4.1 OFB-AES128 */
    check_sp38a(QTPM_SYM_OFB, iv,
                "3b3fd92eb72dad20333449f8e83cfb4a7789508d16918f03f53c52dac54ed825"
                "9740051e9c5fecf64344f7a82260edcc304c6528f659c77866a510d9c1d6ae5e");
    /* F.2.1 CBC-AES128 */
    check_sp38a(QTPM_SYM_CBC, iv,
                "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
                "73bed6b8e3c1743b7116e69e222295163ff1caa1681fac09120eca307586e1a7");
    /* F.1.1 ECB-AES128 */
    check_sp38a(QTPM_SYM_ECB, NULL,
                "3ad77bb40d7a3660a89ecaf32466ef97f5d3d58503b9699de785895a96fdbaaf"
                "43b1cd7f598ece23881b00e3ed0306887b0c785e27e8ad3f8223207104725dd4");
}

/* The chaining values TPM2_EncryptDecrypt returns as ivOut. */
static void test_aes_iv_out(void **state)
{
    (void)state;
    uint8_t key[16], pt[64], iv[16], ct[64], want[16];
    hx(SP38A_KEY, key, 16);
    hx(SP38A_PT, pt, 64);
    /* CFB, whole blocks: ivOut is the last ciphertext block. */
    hx("000102030405060708090a0b0c0d0e0f", iv, 16);
    assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CFB, key, 16, iv, pt, ct, 32), QTPM_OK);
    assert_memory_equal(iv, ct + 16, 16);
    /* CFB, partial block of 5 bytes: the 5 ciphertext bytes, then the rest of
     * E(previous ciphertext block), i.e. the key stream. */
    hx("000102030405060708090a0b0c0d0e0f", iv, 16);
    assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CFB, key, 16, iv, pt, ct, 21), QTPM_OK);
    assert_memory_equal(iv, ct + 16, 5);
    {
        uint8_t ks[16];
        assert_int_equal(qtpm_aes_block_encrypt(key, 16, ct, ks), QTPM_OK);
        assert_memory_equal(iv + 5, ks + 5, 11);
    }
    /* CTR: the counter after the last (partial) block was used — three
     * counter values consumed by 33 bytes. */
    hx("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, 16);
    hx("f0f1f2f3f4f5f6f7f8f9fafbfcfdff02", want, 16);
    assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CTR, key, 16, iv, pt, ct, 33), QTPM_OK);
    assert_memory_equal(iv, want, 16);
    /* Counter wraps across the whole 128 bits. */
    memset(iv, 0xff, 16);
    memset(want, 0, 16);
    assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CTR, key, 16, iv, pt, ct, 16), QTPM_OK);
    assert_memory_equal(iv, want, 16);
}

static void test_aes_block_and_args(void **state)
{
    (void)state;
    /* FIPS 197 Appendix C.1-C.3: plaintext 00112233...ff, keys 000102... */
    static const struct {
        size_t key_len;
        const char *ct;
    } kat[] = {
        {16, "69c4e0d86a7b0430d8cdb78070b4c55a"},
        {24, "dda97ca4864cdfe06eaf70a0ec0d7191"},
        {32, "8ea2b7ca516745bfeafc49904b496089"},
    };
    uint8_t key[32], pt[16], ct[16], buf[16], iv[16] = {0};
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    hx("00112233445566778899aabbccddeeff", pt, 16);
    for (size_t i = 0; i < 3; i++) {
        hx(kat[i].ct, ct, 16);
        assert_int_equal(qtpm_aes_block_encrypt(key, kat[i].key_len, pt, buf), QTPM_OK);
        assert_memory_equal(buf, ct, 16);
        assert_int_equal(qtpm_aes_block_decrypt(key, kat[i].key_len, ct, buf), QTPM_OK);
        assert_memory_equal(buf, pt, 16);
    }
    assert_int_equal(qtpm_aes_block_encrypt(key, 20, pt, buf), QTPM_E_PARAM);
    assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CBC, key, 16, iv, pt, buf, 15), QTPM_E_LENGTH);
    assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CFB, key, 16, NULL, pt, buf, 15), QTPM_E_PARAM);
    assert_int_equal(qtpm_aes_encrypt((qtpm_sym_mode)77, key, 16, iv, pt, buf, 16), QTPM_E_PARAM);
    assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CFB, key, 16, iv, NULL, NULL, 0), QTPM_OK);
}

/* The GCM specification (McGrew and Viega), test cases 1-4 for AES-128. */
static void test_aes_gcm_spec(void **state)
{
    (void)state;
    static const char P3[] =
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255";
    static const char C3[] =
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
        "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985";
    uint8_t key[16], iv[12], pt[64], ct[64], want_ct[64], tag[16], want_tag[16], aad[20], buf[64];

    /* Test case 1: zero key and IV, empty plaintext. */
    memset(key, 0, 16);
    memset(iv, 0, 12);
    hx("58e2fccefa7e3061367f1d57a4e7455a", want_tag, 16);
    assert_int_equal(qtpm_aes_gcm_encrypt(key, 16, iv, 12, NULL, 0, NULL, NULL, 0, tag, 16), QTPM_OK);
    assert_memory_equal(tag, want_tag, 16);
    assert_int_equal(qtpm_aes_gcm_decrypt(key, 16, iv, 12, NULL, 0, NULL, NULL, 0, tag, 16), QTPM_OK);

    /* Test case 2: one zero block. */
    memset(pt, 0, 16);
    hx("0388dace60b6a392f328c2b971b2fe78", want_ct, 16);
    hx("ab6e47d42cec13bdf53a67b21257bddf", want_tag, 16);
    assert_int_equal(qtpm_aes_gcm_encrypt(key, 16, iv, 12, NULL, 0, pt, ct, 16, tag, 16), QTPM_OK);
    assert_memory_equal(ct, want_ct, 16);
    assert_memory_equal(tag, want_tag, 16);

    /* Test case 3: four blocks, no AAD. */
    hx("feffe9928665731c6d6a8f9467308308", key, 16);
    hx("cafebabefacedbaddecaf888", iv, 12);
    hx(P3, pt, 64);
    hx(C3, want_ct, 64);
    hx("4d5c2af327cd64a62cf35abd2ba6fab4", want_tag, 16);
    assert_int_equal(qtpm_aes_gcm_encrypt(key, 16, iv, 12, NULL, 0, pt, ct, 64, tag, 16), QTPM_OK);
    assert_memory_equal(ct, want_ct, 64);
    assert_memory_equal(tag, want_tag, 16);
    assert_int_equal(qtpm_aes_gcm_decrypt(key, 16, iv, 12, NULL, 0, ct, buf, 64, tag, 16), QTPM_OK);
    assert_memory_equal(buf, pt, 64);

    /* Test case 4: 60 bytes with 20 bytes of AAD. */
    hx("feedfacedeadbeeffeedfacedeadbeefabaddad2", aad, 20);
    hx("5bc94fbc3221a5db94fae95ae7121a47", want_tag, 16);
    assert_int_equal(qtpm_aes_gcm_encrypt(key, 16, iv, 12, aad, 20, pt, ct, 60, tag, 16), QTPM_OK);
    assert_memory_equal(ct, want_ct, 60);
    assert_memory_equal(tag, want_tag, 16);
    assert_int_equal(qtpm_aes_gcm_decrypt(key, 16, iv, 12, aad, 20, ct, buf, 60, tag, 16), QTPM_OK);
    assert_memory_equal(buf, pt, 60);

    /* Negatives: flipped tag bit, flipped ciphertext bit, changed AAD — each
     * refused with the output wiped. Truncated (12-byte) tags still verify. */
    tag[15] ^= 1;
    assert_int_equal(qtpm_aes_gcm_decrypt(key, 16, iv, 12, aad, 20, ct, buf, 60, tag, 16),
                     QTPM_E_VERIFY);
    for (int i = 0; i < 60; i++)
        assert_int_equal(buf[i], 0);
    tag[15] ^= 1;
    ct[7] ^= 0x80;
    assert_int_equal(qtpm_aes_gcm_decrypt(key, 16, iv, 12, aad, 20, ct, buf, 60, tag, 16),
                     QTPM_E_VERIFY);
    ct[7] ^= 0x80;
    aad[0] ^= 1;
    assert_int_equal(qtpm_aes_gcm_decrypt(key, 16, iv, 12, aad, 20, ct, buf, 60, tag, 16),
                     QTPM_E_VERIFY);
    aad[0] ^= 1;
    assert_int_equal(qtpm_aes_gcm_decrypt(key, 16, iv, 12, aad, 20, ct, buf, 60, tag, 12), QTPM_OK);
    assert_int_equal(qtpm_aes_gcm_decrypt(key, 16, iv, 12, aad, 20, ct, buf, 60, tag, 11),
                     QTPM_E_PARAM);
}

/* --------------------------------------------------------------------- RSA */

/* One 2048-bit key shared by the RSA tests (generation is the slow part). */
static qtpm_rsa_key *rsa2048;

static int rsa_setup(void **state)
{
    (void)state;
    return qtpm_rsa_generate(2048, 0, &rsa2048) == QTPM_OK ? 0 : -1;
}

static int rsa_teardown(void **state)
{
    (void)state;
    qtpm_rsa_free(rsa2048);
    rsa2048 = NULL;
    return 0;
}

static void test_rsa_export_import(void **state)
{
    (void)state;
    uint8_t n[256], p[128], q[128], d[256], digest[32], sig1[256], sig2[256];
    size_t n_len, p_len, q_len, d_len, s1, s2;
    uint32_t e = 0;
    qtpm_rsa_key *pub, *from_p, *from_q, *from_d;

    assert_int_equal(qtpm_rsa_bits(rsa2048), 2048);
    assert_int_equal(qtpm_rsa_size(rsa2048), 256);
    assert_true(qtpm_rsa_is_private(rsa2048));
    assert_int_equal(qtpm_rsa_export_public(rsa2048, n, sizeof(n), &n_len, &e), QTPM_OK);
    assert_int_equal(n_len, 256);
    assert_int_equal(e, 65537);
    assert_true(n[0] & 0x80);
    assert_int_equal(qtpm_rsa_export_prime(rsa2048, 0, p, sizeof(p), &p_len), QTPM_OK);
    assert_int_equal(qtpm_rsa_export_prime(rsa2048, 1, q, sizeof(q), &q_len), QTPM_OK);
    assert_int_equal(p_len, 128);
    assert_int_equal(q_len, 128);
    assert_int_equal(qtpm_rsa_export_private_exponent(rsa2048, d, sizeof(d), &d_len), QTPM_OK);
    assert_int_equal(qtpm_rsa_export_public(rsa2048, n, 255, &n_len, &e), QTPM_E_BUFFER);

    /* The TPM form (n and one prime, e = 0 meaning 65537) and the other forms
     * rebuild keys whose deterministic PKCS#1 v1.5 signatures agree. */
    assert_int_equal(qtpm_rsa_import_public(n, n_len, 0, &pub), QTPM_OK);
    assert_false(qtpm_rsa_is_private(pub));
    assert_int_equal(qtpm_rsa_import_prime(n, n_len, 0, p, p_len, &from_p), QTPM_OK);
    assert_int_equal(qtpm_rsa_import_prime(n, n_len, 65537, q, q_len, &from_q), QTPM_OK);
    assert_int_equal(qtpm_rsa_import_private_exponent(n, n_len, 0, d, d_len, &from_d), QTPM_OK);
    assert_int_equal(qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"quote", 5, digest), QTPM_OK);
    assert_int_equal(qtpm_rsa_pkcs1_sign(rsa2048, QTPM_HASH_SHA256, digest, 32, sig1, 256, &s1), QTPM_OK);
    qtpm_rsa_key *signers[] = {from_p, from_q, from_d};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(qtpm_rsa_pkcs1_sign(signers[i], QTPM_HASH_SHA256, digest, 32, sig2, 256, &s2),
                         QTPM_OK);
        assert_int_equal(s2, s1);
        assert_memory_equal(sig2, sig1, 256);
    }
    assert_int_equal(qtpm_rsa_pkcs1_verify(pub, QTPM_HASH_SHA256, digest, 32, sig1, s1), QTPM_OK);
    /* The rebuilt key exports the prime it was given. */
    assert_int_equal(qtpm_rsa_export_prime(from_q, 0, sig2, sizeof(sig2), &s2), QTPM_OK);
    assert_memory_equal(sig2, q, 128);
    /* A public key has no private parts to give. */
    assert_int_equal(qtpm_rsa_export_prime(pub, 0, p, sizeof(p), &p_len), QTPM_E_PARAM);
    assert_int_equal(qtpm_rsa_pkcs1_sign(pub, QTPM_HASH_SHA256, digest, 32, sig2, 256, &s2),
                     QTPM_E_PARAM);
    qtpm_rsa_free(pub);
    qtpm_rsa_free(from_p);
    qtpm_rsa_free(from_q);
    qtpm_rsa_free(from_d);

    /* A "prime" that does not divide n, 1, n itself, an even exponent and an
     * even modulus are refused. */
    qtpm_rsa_key *bad = NULL;
    p[127] ^= 2;
    assert_int_equal(qtpm_rsa_import_prime(n, n_len, 0, p, p_len, &bad), QTPM_E_INVALID);
    memset(p, 0, sizeof(p));
    p[127] = 1;
    assert_int_equal(qtpm_rsa_import_prime(n, n_len, 0, p, p_len, &bad), QTPM_E_INVALID);
    assert_int_equal(qtpm_rsa_import_prime(n, n_len, 0, n, n_len, &bad), QTPM_E_INVALID);
    assert_int_equal(qtpm_rsa_import_public(n, n_len, 4, &bad), QTPM_E_INVALID);
    n[255] &= 0xfe;
    assert_int_equal(qtpm_rsa_import_public(n, n_len, 0, &bad), QTPM_E_INVALID);
    assert_null(bad);
}

static void test_rsa_raw(void **state)
{
    (void)state;
    uint8_t m[256], c[256], back[256], n[256];
    size_t len, n_len;
    for (int i = 0; i < 256; i++)
        m[i] = (uint8_t)(i * 3 + 1);
    m[0] = 0x12; /* below n, whose top bit is set */
    assert_int_equal(qtpm_rsa_raw_public(rsa2048, m, 256, c, sizeof(c), &len), QTPM_OK);
    assert_int_equal(len, 256);
    assert_memory_not_equal(c, m, 256);
    assert_int_equal(qtpm_rsa_raw_private(rsa2048, c, 256, back, sizeof(back), &len), QTPM_OK);
    assert_int_equal(len, 256);
    assert_memory_equal(back, m, 256);
    /* A short input is a smaller number: left-padded with zeros. */
    assert_int_equal(qtpm_rsa_raw_public(rsa2048, m + 200, 56, c, sizeof(c), &len), QTPM_OK);
    assert_int_equal(qtpm_rsa_raw_private(rsa2048, c, 256, back, sizeof(back), &len), QTPM_OK);
    for (int i = 0; i < 200; i++)
        assert_int_equal(back[i], 0);
    assert_memory_equal(back + 200, m + 200, 56);
    /* Inputs at or above n are refused. */
    assert_int_equal(qtpm_rsa_export_public(rsa2048, n, sizeof(n), &n_len, NULL), QTPM_OK);
    assert_int_equal(qtpm_rsa_raw_public(rsa2048, n, 256, c, sizeof(c), &len), QTPM_E_INVALID);
    memset(m, 0xff, 256);
    assert_int_equal(qtpm_rsa_raw_private(rsa2048, m, 256, c, sizeof(c), &len), QTPM_E_INVALID);
}

static void test_rsa_oaep(void **state)
{
    (void)state;
    static const uint8_t label[] = "DUPLICATE"; /* 10 bytes with the terminator */
    static const uint8_t msg[] = "a 32-byte seed for duplication!";
    uint8_t c[256], out[256];
    size_t c_len, out_len;
    const qtpm_hash_alg hashes[] = {QTPM_HASH_SHA1, QTPM_HASH_SHA256, QTPM_HASH_SHA384,
                                    QTPM_HASH_SHA512, QTPM_HASH_SHA3_256};
    for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++) {
        assert_int_equal(qtpm_rsa_oaep_encrypt(rsa2048, hashes[h], label, sizeof(label), msg,
                                               sizeof(msg), c, sizeof(c), &c_len), QTPM_OK);
        assert_int_equal(c_len, 256);
        assert_int_equal(qtpm_rsa_oaep_decrypt(rsa2048, hashes[h], label, sizeof(label), c, c_len,
                                               out, sizeof(out), &out_len), QTPM_OK);
        assert_int_equal(out_len, sizeof(msg));
        assert_memory_equal(out, msg, sizeof(msg));
        /* Wrong label (without its terminator), wrong hash, tampered: refused. */
        assert_int_equal(qtpm_rsa_oaep_decrypt(rsa2048, hashes[h], label, sizeof(label) - 1, c,
                                               c_len, out, sizeof(out), &out_len), QTPM_E_INVALID);
        assert_int_equal(qtpm_rsa_oaep_decrypt(rsa2048, hashes[h] == QTPM_HASH_SHA1
                                               ? QTPM_HASH_SHA256 : QTPM_HASH_SHA1, label,
                                               sizeof(label), c, c_len, out, sizeof(out), &out_len),
                         QTPM_E_INVALID);
        c[100] ^= 4;
        assert_int_equal(qtpm_rsa_oaep_decrypt(rsa2048, hashes[h], label, sizeof(label), c, c_len,
                                               out, sizeof(out), &out_len), QTPM_E_INVALID);
    }
    /* Empty label; output buffer too small; message too long for SHA-512. */
    assert_int_equal(qtpm_rsa_oaep_encrypt(rsa2048, QTPM_HASH_SHA256, NULL, 0, msg, sizeof(msg), c,
                                           sizeof(c), &c_len), QTPM_OK);
    assert_int_equal(qtpm_rsa_oaep_decrypt(rsa2048, QTPM_HASH_SHA256, NULL, 0, c, c_len, out, 10,
                                           &out_len), QTPM_E_BUFFER);
    assert_int_equal(qtpm_rsa_oaep_decrypt(rsa2048, QTPM_HASH_SHA256, NULL, 0, c, c_len, out,
                                           sizeof(out), &out_len), QTPM_OK);
    assert_memory_equal(out, msg, sizeof(msg));
    uint8_t big[256] = {0};
    assert_int_equal(qtpm_rsa_oaep_encrypt(rsa2048, QTPM_HASH_SHA512, NULL, 0, big, 256 - 2 * 64 - 1,
                                           c, sizeof(c), &c_len), QTPM_E_LENGTH);
    assert_int_equal(qtpm_rsa_oaep_encrypt(rsa2048, QTPM_HASH_SHA512, NULL, 0, big, 256 - 2 * 64 - 2,
                                           c, sizeof(c), &c_len), QTPM_OK);
}

static void test_rsa_pkcs1_encrypt(void **state)
{
    (void)state;
    static const uint8_t msg[] = "pkcs#1 v1.5 payload";
    uint8_t c[256], out[256];
    size_t c_len, out_len;
    assert_int_equal(qtpm_rsa_pkcs1_encrypt(rsa2048, msg, sizeof(msg), c, sizeof(c), &c_len), QTPM_OK);
    assert_int_equal(qtpm_rsa_pkcs1_decrypt(rsa2048, c, c_len, out, sizeof(out), &out_len), QTPM_OK);
    assert_int_equal(out_len, sizeof(msg));
    assert_memory_equal(out, msg, sizeof(msg));
    /* A random-looking ciphertext almost never decodes as PKCS#1 v1.5 padding;
     * this one is c with its top byte changed, whose decryption is garbage. */
    c[1] ^= 0x40;
    assert_int_not_equal(qtpm_rsa_pkcs1_decrypt(rsa2048, c, c_len, out, sizeof(out), &out_len),
                         QTPM_OK);
    assert_int_equal(qtpm_rsa_pkcs1_decrypt(rsa2048, c, c_len - 1, out, sizeof(out), &out_len),
                     QTPM_E_LENGTH);
    uint8_t big[246] = {0};
    assert_int_equal(qtpm_rsa_pkcs1_encrypt(rsa2048, big, 246, c, sizeof(c), &c_len), QTPM_E_LENGTH);
}

static void test_rsa_signatures(void **state)
{
    (void)state;
    const qtpm_hash_alg hashes[] = {QTPM_HASH_SHA1, QTPM_HASH_SHA256, QTPM_HASH_SHA384,
                                    QTPM_HASH_SHA512};
    uint8_t digest[64], sig[256], sig2[256];
    size_t s_len, s2_len;
    for (size_t h = 0; h < sizeof(hashes) / sizeof(hashes[0]); h++) {
        size_t dl = qtpm_hash_size(hashes[h]);
        assert_int_equal(qtpm_hash(hashes[h], (const uint8_t *)"attest", 6, digest), QTPM_OK);

        assert_int_equal(qtpm_rsa_pkcs1_sign(rsa2048, hashes[h], digest, dl, sig, 256, &s_len), QTPM_OK);
        assert_int_equal(s_len, 256);
        assert_int_equal(qtpm_rsa_pkcs1_verify(rsa2048, hashes[h], digest, dl, sig, s_len), QTPM_OK);
        digest[0] ^= 1;
        assert_int_equal(qtpm_rsa_pkcs1_verify(rsa2048, hashes[h], digest, dl, sig, s_len), QTPM_E_VERIFY);
        digest[0] ^= 1;
        sig[17] ^= 0x20;
        assert_int_equal(qtpm_rsa_pkcs1_verify(rsa2048, hashes[h], digest, dl, sig, s_len), QTPM_E_VERIFY);

        assert_int_equal(qtpm_rsa_pss_sign(rsa2048, hashes[h], digest, dl, sig, 256, &s_len), QTPM_OK);
        assert_int_equal(qtpm_rsa_pss_sign(rsa2048, hashes[h], digest, dl, sig2, 256, &s2_len), QTPM_OK);
        assert_memory_not_equal(sig, sig2, 256); /* randomized salt */
        assert_int_equal(qtpm_rsa_pss_verify(rsa2048, hashes[h], digest, dl, sig, s_len), QTPM_OK);
        assert_int_equal(qtpm_rsa_pss_verify(rsa2048, hashes[h], digest, dl, sig2, s2_len), QTPM_OK);
        /* A PSS signature is not a PKCS#1 v1.5 one and vice versa. */
        assert_int_equal(qtpm_rsa_pkcs1_verify(rsa2048, hashes[h], digest, dl, sig, s_len), QTPM_E_VERIFY);
        sig[255] ^= 1;
        assert_int_equal(qtpm_rsa_pss_verify(rsa2048, hashes[h], digest, dl, sig, s_len), QTPM_E_VERIFY);
        assert_int_equal(qtpm_rsa_pss_verify(rsa2048, hashes[h], digest, dl, sig, s_len - 1),
                         QTPM_E_VERIFY);
        /* The digest must have the hash's length. */
        assert_int_equal(qtpm_rsa_pss_sign(rsa2048, hashes[h], digest, dl - 1, sig, 256, &s_len),
                         QTPM_E_LENGTH);
    }
}

/* The salt length: ours is the digest length (checked by verifying with
 * OpenSSL told that length exactly), and verification accepts other salt
 * lengths (a zero-salt signature made by OpenSSL). */
static void test_rsa_pss_salt(void **state)
{
    (void)state;
    uint8_t n[256], digest[32], sig[256];
    size_t n_len, s_len;
    EVP_PKEY *pkey = NULL;
    EVP_PKEY_CTX *ctx;
    assert_int_equal(qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"salt", 4, digest), QTPM_OK);
    assert_int_equal(qtpm_rsa_pss_sign(rsa2048, QTPM_HASH_SHA256, digest, 32, sig, 256, &s_len), QTPM_OK);

    /* The same public key in OpenSSL, built from the exported n and e. */
    assert_int_equal(qtpm_rsa_export_public(rsa2048, n, sizeof(n), &n_len, NULL), QTPM_OK);
    {
        BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL);
        OSSL_PARAM params[3];
        uint8_t n_le[256], e_le[4] = {0x01, 0x00, 0x01, 0x00};
        assert_non_null(bn);
        /* OSSL_PARAM integers are native-endian (little-endian here). */
        assert_int_equal(BN_bn2nativepad(bn, n_le, 256), 256);
        params[0] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_N, n_le, 256);
        params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_RSA_E, e_le, 4);
        params[2] = OSSL_PARAM_construct_end();
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        assert_non_null(ctx);
        assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
        assert_int_equal(EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params), 1);
        EVP_PKEY_CTX_free(ctx);
        BN_free(bn);
    }
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 32), 1);
    assert_int_equal(EVP_PKEY_verify(ctx, sig, s_len, digest, 32), 1);
    EVP_PKEY_CTX_free(ctx);
    ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
    assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
    assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
    assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 20), 1);
    assert_int_not_equal(EVP_PKEY_verify(ctx, sig, s_len, digest, 32), 1);
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);

    /* A zero-salt signature made by OpenSSL with its own key, verified by us
     * after importing the public half. */
    {
        qtpm_rsa_key *twin;
        EVP_PKEY *tw = NULL;
        size_t len = sizeof(sig);
        ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
        assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 1024), 1);
        assert_int_equal(EVP_PKEY_generate(ctx, &tw), 1);
        EVP_PKEY_CTX_free(ctx);
        ctx = EVP_PKEY_CTX_new_from_pkey(NULL, tw, NULL);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, 0), 1);
        assert_int_equal(EVP_PKEY_sign(ctx, sig, &len, digest, 32), 1);
        EVP_PKEY_CTX_free(ctx);
        BIGNUM *bn = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(tw, OSSL_PKEY_PARAM_RSA_N, &bn), 1);
        assert_int_equal(BN_bn2binpad(bn, n, 128), 128);
        BN_free(bn);
        assert_int_equal(qtpm_rsa_import_public(n, 128, 0, &twin), QTPM_OK);
        assert_int_equal(qtpm_rsa_pss_verify(twin, QTPM_HASH_SHA256, digest, 32, sig, len), QTPM_OK);
        qtpm_rsa_free(twin);
        EVP_PKEY_free(tw);
    }
}

/* Other sizes: 1024 with SHA-512 PSS (the salt shrinks to fit), and 3072. */
static void test_rsa_sizes(void **state)
{
    (void)state;
    static const unsigned sizes[] = {1024, 3072};
    uint8_t digest[64], sig[384], ct[384], out[384];
    size_t s_len, c_len, o_len;
    assert_int_equal(qtpm_hash(QTPM_HASH_SHA512, (const uint8_t *)"x", 1, digest), QTPM_OK);
    for (size_t i = 0; i < 2; i++) {
        qtpm_rsa_key *k;
        assert_int_equal(qtpm_rsa_generate(sizes[i], 3, &k), QTPM_OK);
        assert_int_equal(qtpm_rsa_bits(k), sizes[i]);
        uint8_t n[384];
        size_t n_len;
        uint32_t e;
        assert_int_equal(qtpm_rsa_export_public(k, n, sizeof(n), &n_len, &e), QTPM_OK);
        assert_int_equal(e, 3);
        assert_int_equal(qtpm_rsa_pss_sign(k, QTPM_HASH_SHA512, digest, 64, sig, sizeof(sig), &s_len),
                         QTPM_OK);
        assert_int_equal(qtpm_rsa_pss_verify(k, QTPM_HASH_SHA512, digest, 64, sig, s_len), QTPM_OK);
        assert_int_equal(qtpm_rsa_oaep_encrypt(k, QTPM_HASH_SHA256, (const uint8_t *)"SECRET", 7,
                                               digest, 32, ct, sizeof(ct), &c_len), QTPM_OK);
        assert_int_equal(qtpm_rsa_oaep_decrypt(k, QTPM_HASH_SHA256, (const uint8_t *)"SECRET", 7,
                                               ct, c_len, out, sizeof(out), &o_len), QTPM_OK);
        assert_int_equal(o_len, 32);
        assert_memory_equal(out, digest, 32);
        qtpm_rsa_free(k);
    }
    qtpm_rsa_key *k = NULL;
    assert_int_equal(qtpm_rsa_generate(1536, 0, &k), QTPM_E_PARAM);
    assert_int_equal(qtpm_rsa_generate(2048, 4, &k), QTPM_E_PARAM);
    assert_null(k);
}

/* --------------------------------------------------------------------- ECC */

static const char P256_GX[] = "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
static const char P256_GY[] = "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
static const char P256_N[] = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

static void test_ecc_parameters(void **state)
{
    (void)state;
    uint8_t p[66], a[66], b[66], gx[66], gy[66], n[66], want[66];
    uint32_t h = 0;
    assert_int_equal(qtpm_ecc_size(QTPM_ECC_P256), 32);
    assert_int_equal(qtpm_ecc_size(QTPM_ECC_P384), 48);
    assert_int_equal(qtpm_ecc_size(QTPM_ECC_P521), 66);
    assert_int_equal(qtpm_ecc_size(QTPM_ECC_NONE), 0);
    /* FIPS 186-4 §D.1.2.3 P-256. */
    assert_int_equal(qtpm_ecc_parameters(QTPM_ECC_P256, p, a, b, gx, gy, n, &h), QTPM_OK);
    hx("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", want, 32);
    assert_memory_equal(p, want, 32);
    hx("ffffffff00000001000000000000000000000000fffffffffffffffffffffffc", want, 32);
    assert_memory_equal(a, want, 32);
    hx("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", want, 32);
    assert_memory_equal(b, want, 32);
    hx(P256_GX, want, 32);
    assert_memory_equal(gx, want, 32);
    hx(P256_GY, want, 32);
    assert_memory_equal(gy, want, 32);
    hx(P256_N, want, 32);
    assert_memory_equal(n, want, 32);
    assert_int_equal(h, 1);
    /* P-384's order (FIPS 186-4 §D.1.2.4). */
    assert_int_equal(qtpm_ecc_parameters(QTPM_ECC_P384, NULL, NULL, NULL, NULL, NULL, n, NULL), QTPM_OK);
    hx("ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
       want, 48);
    assert_memory_equal(n, want, 48);
    assert_int_equal(qtpm_ecc_parameters(QTPM_ECC_NONE, p, a, b, gx, gy, n, &h), QTPM_E_PARAM);
}

/* BN_P256: the constants must be the Barreto-Naehrig polynomials at
 * u = -0x6882F5C030B0A801, and the group must behave (n·G = O). */
static void test_ecc_bn_p256(void **state)
{
    (void)state;
    uint8_t p[32], n[32], gx[32], gy[32], want[32], rx[32], ry[32];
    BN_CTX *ctx = BN_CTX_new();
    BIGNUM *u = NULL, *t = BN_new(), *acc = BN_new();
    assert_int_equal(qtpm_ecc_parameters(QTPM_ECC_BN_P256, p, NULL, NULL, gx, gy, n, NULL), QTPM_OK);
    assert_non_null(BN_hex2bn(&u, "-6882F5C030B0A801"));
    /* acc = 36u^4 + 36u^3 + c2·u^2 + 6u + 1 for c2 = 24 (p) and 18 (n). */
    for (int which = 0; which < 2; which++) {
        static const unsigned long coef[5] = {36, 36, 0, 6, 1};
        BN_zero(acc);
        for (int i = 0; i < 5; i++) {
            unsigned long c = i == 2 ? (which == 0 ? 24 : 18) : coef[i];
            assert_true(BN_mul(acc, acc, u, ctx)); /* Horner */
            assert_true(BN_set_word(t, c));
            assert_true(BN_add(acc, acc, t));
        }
        assert_int_equal(BN_bn2binpad(acc, want, 32), 32);
        assert_memory_equal(which == 0 ? p : n, want, 32);
        assert_int_equal(BN_check_prime(acc, ctx, NULL), 1);
    }
    memset(want, 0, 32);
    want[31] = 1;
    assert_memory_equal(gx, want, 32);
    want[31] = 2;
    assert_memory_equal(gy, want, 32);
    /* n·G is the point at infinity; (n-1)·G = -G = (1, p-2). */
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_BN_P256, n, 32, NULL, NULL, rx, ry), QTPM_E_INVALID);
    n[31] -= 1;
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_BN_P256, n, 32, NULL, NULL, rx, ry), QTPM_OK);
    assert_memory_equal(rx, gx, 32);
    memcpy(want, p, 32);
    want[31] -= 2;
    assert_memory_equal(ry, want, 32);
    /* Signing is for NIST curves only. */
    assert_int_equal(qtpm_ecdsa_sign(QTPM_ECC_BN_P256, n, want, 32, rx, ry), QTPM_E_PARAM);
    BN_free(u);
    BN_free(t);
    BN_free(acc);
    BN_CTX_free(ctx);
}

/* RFC 6979 §A.2.5: the P-256 key pair and its SHA-256 signature of "sample"
 * (deterministic ECDSA yields an ordinary ECDSA signature, so it verifies). */
static void test_ecc_rfc6979(void **state)
{
    (void)state;
    uint8_t d[32], x[32], y[32], wx[32], wy[32], r[32], s[32], digest[32];
    hx("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721", d, 32);
    hx("60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6", wx, 32);
    hx("7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299", wy, 32);
    assert_int_equal(qtpm_ecc_public_from_private(QTPM_ECC_P256, d, x, y), QTPM_OK);
    assert_memory_equal(x, wx, 32);
    assert_memory_equal(y, wy, 32);
    hx("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716", r, 32);
    hx("f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8", s, 32);
    assert_int_equal(qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)"sample", 6, digest), QTPM_OK);
    assert_int_equal(qtpm_ecdsa_verify(QTPM_ECC_P256, x, y, digest, 32, r, s), QTPM_OK);
    s[0] ^= 1;
    assert_int_equal(qtpm_ecdsa_verify(QTPM_ECC_P256, x, y, digest, 32, r, s), QTPM_E_VERIFY);
    s[0] ^= 1;
    digest[31] ^= 1;
    assert_int_equal(qtpm_ecdsa_verify(QTPM_ECC_P256, x, y, digest, 32, r, s), QTPM_E_VERIFY);
}

/* NIST CAVP KAS ECC CDH primitive test vectors (ecccdhtestvectors), P-256
 * COUNT = 0. */
static void test_ecdh_cavp(void **state)
{
    (void)state;
    uint8_t qx[32], qy[32], d[32], ux[32], uy[32], z[32], x[32], y[32], zx[32], zy[32];
    hx("700c48f77f56584c5cc632ca65640db91b6bacce3a4df6b42ce7cc838833d287", qx, 32);
    hx("db71e509e3fd9b060ddb20ba5c51dcc5948d46fbf640dfe0441782cab85fa4ac", qy, 32);
    hx("7d7dc5f71eb29ddaf80d6214632eeae03d9058af1fb6d22ed80badb62bc1a534", d, 32);
    hx("ead218590119e8876b29146ff89ca61770c4edbbf97d38ce385ed281d8a6b230", ux, 32);
    hx("28af61281fd35e2fa7002523acc85a429cb06ee6648325389f59edfce1405141", uy, 32);
    hx("46fc62106420ff012e54a434fbdd2d25ccc5852060561e68040dd7778997bd7b", z, 32);
    assert_int_equal(qtpm_ecc_public_from_private(QTPM_ECC_P256, d, x, y), QTPM_OK);
    assert_memory_equal(x, ux, 32);
    assert_memory_equal(y, uy, 32);
    assert_int_equal(qtpm_ecdh(QTPM_ECC_P256, d, qx, qy, zx, NULL), QTPM_OK);
    assert_memory_equal(zx, z, 32);
    /* The full point is the generic scalar multiplication of the peer point. */
    assert_int_equal(qtpm_ecdh(QTPM_ECC_P256, d, qx, qy, zx, zy), QTPM_OK);
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, d, 32, qx, qy, x, y), QTPM_OK);
    assert_memory_equal(zx, x, 32);
    assert_memory_equal(zy, y, 32);
    /* A peer point off the curve is refused (invalid-curve attack). */
    qy[31] ^= 1;
    assert_int_equal(qtpm_ecdh(QTPM_ECC_P256, d, qx, qy, zx, zy), QTPM_E_INVALID);
}

static void test_ecc_points(void **state)
{
    (void)state;
    uint8_t gx[32], gy[32], x[32], y[32], x2[32], y2[32], p[32], k[40];
    hx(P256_GX, gx, 32);
    hx(P256_GY, gy, 32);
    assert_int_equal(qtpm_ecc_check_point(QTPM_ECC_P256, gx, gy), QTPM_OK);
    /* 2G by doubling-through-addition and by multiplication. */
    assert_int_equal(qtpm_ecc_add(QTPM_ECC_P256, gx, gy, gx, gy, x, y), QTPM_OK);
    uint8_t two[1] = {2};
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, two, 1, NULL, NULL, x2, y2), QTPM_OK);
    assert_memory_equal(x, x2, 32);
    assert_memory_equal(y, y2, 32);
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, two, 1, gx, gy, x2, y2), QTPM_OK);
    assert_memory_equal(x, x2, 32);
    /* 3G = 2G + G; and a·(b·G) = (a·b mod n)·G with the muladd helper. */
    uint8_t three[1] = {3}, x3[32], y3[32];
    assert_int_equal(qtpm_ecc_add(QTPM_ECC_P256, x, y, gx, gy, x3, y3), QTPM_OK);
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, three, 1, NULL, NULL, x2, y2), QTPM_OK);
    assert_memory_equal(x3, x2, 32);
    assert_memory_equal(y3, y2, 32);
    {
        uint8_t a[48], b[32], ab[32], bx[32], by[32];
        for (int i = 0; i < 48; i++)
            a[i] = (uint8_t)(0xf0 ^ (i * 11)); /* longer than n: reduced */
        for (int i = 0; i < 32; i++)
            b[i] = (uint8_t)(i * 7 + 5);
        assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, b, 32, NULL, NULL, bx, by), QTPM_OK);
        assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, a, 48, bx, by, x, y), QTPM_OK);
        assert_int_equal(qtpm_ecc_scalar_muladd(QTPM_ECC_P256, NULL, 0, a, 48, b, 32, ab), QTPM_OK);
        assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, ab, 32, NULL, NULL, x2, y2), QTPM_OK);
        assert_memory_equal(x, x2, 32);
        assert_memory_equal(y, y2, 32);
        /* (k + e·d)·G = k·G + e·(d·G): the Schnorr verification equation. */
        uint8_t s[32], kx[32], ky[32], ex[32], ey[32];
        assert_int_equal(qtpm_ecc_scalar_muladd(QTPM_ECC_P256, three, 1, a, 48, b, 32, s), QTPM_OK);
        assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, s, 32, NULL, NULL, x, y), QTPM_OK);
        assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, three, 1, NULL, NULL, kx, ky), QTPM_OK);
        assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, a, 48, bx, by, ex, ey), QTPM_OK);
        assert_int_equal(qtpm_ecc_add(QTPM_ECC_P256, kx, ky, ex, ey, x2, y2), QTPM_OK);
        assert_memory_equal(x, x2, 32);
        assert_memory_equal(y, y2, 32);
    }
    /* G + (-G) is the point at infinity, which has no encoding. */
    assert_int_equal(qtpm_ecc_parameters(QTPM_ECC_P256, p, NULL, NULL, NULL, NULL, NULL, NULL), QTPM_OK);
    {
        BIGNUM *bp = BN_bin2bn(p, 32, NULL), *by = BN_bin2bn(gy, 32, NULL);
        assert_true(BN_sub(by, bp, by));
        assert_int_equal(BN_bn2binpad(by, y, 32), 32);
        BN_free(bp);
        BN_free(by);
    }
    assert_int_equal(qtpm_ecc_check_point(QTPM_ECC_P256, gx, y), QTPM_OK);
    assert_int_equal(qtpm_ecc_add(QTPM_ECC_P256, gx, gy, gx, y, x2, y2), QTPM_E_INVALID);
    memset(k, 0, sizeof(k));
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, k, 32, NULL, NULL, x2, y2), QTPM_E_INVALID);
    /* Invalid points: off the curve, coordinates >= p, (0,0). */
    gy[31] ^= 1;
    assert_int_equal(qtpm_ecc_check_point(QTPM_ECC_P256, gx, gy), QTPM_E_INVALID);
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, two, 1, gx, gy, x2, y2), QTPM_E_INVALID);
    assert_int_equal(qtpm_ecc_add(QTPM_ECC_P256, gx, gy, gx, gy, x2, y2), QTPM_E_INVALID);
    gy[31] ^= 1;
    memset(x, 0, 32);
    assert_int_equal(qtpm_ecc_check_point(QTPM_ECC_P256, x, x), QTPM_E_INVALID);
    {
        /* x + p represents the same residue but is not a valid encoding. */
        BIGNUM *bp = BN_bin2bn(p, 32, NULL), *bx = BN_bin2bn(gx, 32, NULL);
        uint8_t big[32];
        assert_true(BN_add(bx, bx, bp));
        if (BN_num_bytes(bx) <= 32) {
            assert_int_equal(BN_bn2binpad(bx, big, 32), 32);
            assert_int_equal(qtpm_ecc_check_point(QTPM_ECC_P256, big, gy), QTPM_E_INVALID);
        }
        BN_free(bp);
        BN_free(bx);
        /* y = p itself (>= p). */
        assert_int_equal(qtpm_ecc_check_point(QTPM_ECC_P256, gx, p), QTPM_E_INVALID);
    }
    /* Mixed NULL point arguments are a caller error. */
    assert_int_equal(qtpm_ecc_mul(QTPM_ECC_P256, two, 1, gx, NULL, x2, y2), QTPM_E_PARAM);
}

static void test_ecc_private(void **state)
{
    (void)state;
    uint8_t n[32], d[32], c[40];
    hx(P256_N, n, 32);
    assert_int_equal(qtpm_ecc_check_private(QTPM_ECC_P256, n), QTPM_E_INVALID);
    memset(d, 0, 32);
    assert_int_equal(qtpm_ecc_check_private(QTPM_ECC_P256, d), QTPM_E_INVALID);
    d[31] = 1;
    assert_int_equal(qtpm_ecc_check_private(QTPM_ECC_P256, d), QTPM_OK);
    memcpy(d, n, 32);
    d[31] -= 1;
    assert_int_equal(qtpm_ecc_check_private(QTPM_ECC_P256, d), QTPM_OK);
    /* FIPS 186-4 B.4.1: c = 0 gives d = 1; c = n-1 gives d = 1 again; c = n
     * gives 2. Too short a string is refused. */
    memset(c, 0, sizeof(c));
    assert_int_equal(qtpm_ecc_private_from_bytes(QTPM_ECC_P256, c, 40, d), QTPM_OK);
    assert_int_equal(d[31], 1);
    memcpy(c + 8, n, 32);
    assert_int_equal(qtpm_ecc_private_from_bytes(QTPM_ECC_P256, c, 40, d), QTPM_OK);
    for (int i = 0; i < 31; i++)
        assert_int_equal(d[i], 0);
    assert_int_equal(d[31], 2);
    assert_int_equal(qtpm_ecc_private_from_bytes(QTPM_ECC_P256, c, 39, d), QTPM_E_LENGTH);
}

static void test_ecdsa_roundtrip(void **state)
{
    (void)state;
    const qtpm_ecc_curve curves[] = {QTPM_ECC_P256, QTPM_ECC_P384, QTPM_ECC_P521};
    const qtpm_hash_alg hashes[] = {QTPM_HASH_SHA256, QTPM_HASH_SHA384, QTPM_HASH_SHA512};
    for (size_t i = 0; i < 3; i++) {
        size_t sz = qtpm_ecc_size(curves[i]);
        uint8_t d[66], x[66], y[66], r[66], s[66], r2[66], s2[66], digest[64], zero[66] = {0};
        size_t dl = qtpm_hash_size(hashes[i]);
        assert_int_equal(qtpm_ecc_generate(curves[i], d, x, y), QTPM_OK);
        assert_int_equal(qtpm_ecc_check_private(curves[i], d), QTPM_OK);
        assert_int_equal(qtpm_ecc_check_point(curves[i], x, y), QTPM_OK);
        assert_int_equal(qtpm_hash(hashes[i], (const uint8_t *)"msg", 3, digest), QTPM_OK);
        assert_int_equal(qtpm_ecdsa_sign(curves[i], d, digest, dl, r, s), QTPM_OK);
        assert_int_equal(qtpm_ecdsa_verify(curves[i], x, y, digest, dl, r, s), QTPM_OK);
        /* A SHA-512 digest on P-256 is truncated, as FIPS 186-4 says. */
        assert_int_equal(qtpm_ecdsa_sign(curves[i], d, digest, dl, r2, s2), QTPM_OK);
        assert_memory_not_equal(r, r2, sz); /* fresh nonce each time */
        /* Tampered r, s, digest, key; zero r; swapped r and s. */
        r[sz - 1] ^= 1;
        assert_int_equal(qtpm_ecdsa_verify(curves[i], x, y, digest, dl, r, s), QTPM_E_VERIFY);
        r[sz - 1] ^= 1;
        s[0] ^= 0x01;
        assert_int_equal(qtpm_ecdsa_verify(curves[i], x, y, digest, dl, r, s), QTPM_E_VERIFY);
        s[0] ^= 0x01;
        digest[3] ^= 8;
        assert_int_equal(qtpm_ecdsa_verify(curves[i], x, y, digest, dl, r, s), QTPM_E_VERIFY);
        digest[3] ^= 8;
        assert_int_equal(qtpm_ecdsa_verify(curves[i], x, y, digest, dl, zero, s), QTPM_E_VERIFY);
        assert_int_equal(qtpm_ecdsa_verify(curves[i], x, y, digest, dl, s, r), QTPM_E_VERIFY);
        assert_int_equal(qtpm_ecdsa_verify(curves[i], x, y, digest, dl, r, s), QTPM_OK);
        y[sz - 1] ^= 1; /* no longer on the curve */
        assert_int_equal(qtpm_ecdsa_verify(curves[i], x, y, digest, dl, r, s), QTPM_E_INVALID);
    }
    {
        uint8_t d[32], x[32], y[32], r[32], s[32], digest[64];
        assert_int_equal(qtpm_ecc_generate(QTPM_ECC_P256, d, x, y), QTPM_OK);
        assert_int_equal(qtpm_hash(QTPM_HASH_SHA512, (const uint8_t *)"long", 4, digest), QTPM_OK);
        assert_int_equal(qtpm_ecdsa_sign(QTPM_ECC_P256, d, digest, 64, r, s), QTPM_OK);
        assert_int_equal(qtpm_ecdsa_verify(QTPM_ECC_P256, x, y, digest, 64, r, s), QTPM_OK);
        /* The truncated digest (first 32 bytes) is what got signed. */
        assert_int_equal(qtpm_ecdsa_verify(QTPM_ECC_P256, x, y, digest, 32, r, s), QTPM_OK);
    }
}

/* ECDH agreement between two generated parties on every curve; key
 * generation follows the deterministic random mode. */
static void test_ecdh_agreement_and_determinism(void **state)
{
    (void)state;
    const qtpm_ecc_curve curves[] = {QTPM_ECC_P256, QTPM_ECC_P384, QTPM_ECC_P521, QTPM_ECC_BN_P256};
    for (size_t i = 0; i < 4; i++) {
        size_t sz = qtpm_ecc_size(curves[i]);
        uint8_t da[66], xa[66], ya[66], db[66], xb[66], yb[66], z1x[66], z1y[66], z2x[66], z2y[66];
        assert_int_equal(qtpm_ecc_generate(curves[i], da, xa, ya), QTPM_OK);
        assert_int_equal(qtpm_ecc_generate(curves[i], db, xb, yb), QTPM_OK);
        assert_memory_not_equal(da, db, sz);
        assert_int_equal(qtpm_ecdh(curves[i], da, xb, yb, z1x, z1y), QTPM_OK);
        assert_int_equal(qtpm_ecdh(curves[i], db, xa, ya, z2x, z2y), QTPM_OK);
        assert_memory_equal(z1x, z2x, sz);
        assert_memory_equal(z1y, z2y, sz);
    }
    static const uint8_t seed[] = "ecc determinism";
    uint8_t d1[32], x1[32], y1[32], d2[32], x2[32], y2[32];
    assert_int_equal(qtpm_random_set_deterministic(seed, sizeof(seed)), QTPM_OK);
    assert_int_equal(qtpm_ecc_generate(QTPM_ECC_P256, d1, x1, y1), QTPM_OK);
    assert_int_equal(qtpm_random_set_deterministic(seed, sizeof(seed)), QTPM_OK);
    assert_int_equal(qtpm_ecc_generate(QTPM_ECC_P256, d2, x2, y2), QTPM_OK);
    qtpm_random_set_system();
    assert_memory_equal(d1, d2, 32);
    assert_memory_equal(x1, x2, 32);
    assert_memory_equal(y1, y2, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_abc),
        cmocka_unit_test(test_hash_sizes),
        cmocka_unit_test(test_hash_incremental_copy),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_hmac_sha3_vs_openssl),
        cmocka_unit_test(test_hmac_incremental_copy),
        cmocka_unit_test(test_aes_sp800_38a),
        cmocka_unit_test(test_aes_iv_out),
        cmocka_unit_test(test_aes_block_and_args),
        cmocka_unit_test(test_aes_gcm_spec),
        cmocka_unit_test(test_rsa_export_import),
        cmocka_unit_test(test_rsa_raw),
        cmocka_unit_test(test_rsa_oaep),
        cmocka_unit_test(test_rsa_pkcs1_encrypt),
        cmocka_unit_test(test_rsa_signatures),
        cmocka_unit_test(test_rsa_pss_salt),
        cmocka_unit_test(test_rsa_sizes),
        cmocka_unit_test(test_ecc_parameters),
        cmocka_unit_test(test_ecc_bn_p256),
        cmocka_unit_test(test_ecc_rfc6979),
        cmocka_unit_test(test_ecdh_cavp),
        cmocka_unit_test(test_ecc_points),
        cmocka_unit_test(test_ecc_private),
        cmocka_unit_test(test_ecdsa_roundtrip),
        cmocka_unit_test(test_ecdh_agreement_and_determinism),
    };
    /* The RSA tests share one generated key; the group setup makes it once. */
    return cmocka_run_group_tests(tests, rsa_setup, rsa_teardown);
}
