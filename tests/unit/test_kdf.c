/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_kdf.c — KDFa and KDFe (kdf.h) against OpenSSL's own, independent
 * SP 800-108 and SP 800-56C implementations: EVP_KDF "KBKDF" in counter
 * mode with HMAC (label as its "salt", Context-U || Context-V as its "info",
 * the 0x00 separator and [L]_32 switched on — exactly the TPM layout) and
 * EVP_KDF "SSKDF" with a digest (Z as its key, Label || 0x00 || PartyUInfo ||
 * PartyVInfo as its fixed info). Bit counts that are not whole octets, which
 * OpenSSL cannot express, are checked against a direct HMAC computation.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "testutil.h"
#include "qtpm/kdf.h"

static const char *md_name(qtpm_hash_alg alg)
{
    switch (alg) {
    case QTPM_HASH_SHA1: return "SHA1";
    case QTPM_HASH_SHA256: return "SHA256";
    case QTPM_HASH_SHA384: return "SHA384";
    case QTPM_HASH_SHA512: return "SHA512";
    case QTPM_HASH_SHA3_256: return "SHA3-256";
    case QTPM_HASH_SHA3_384: return "SHA3-384";
    default: return "SHA3-512";
    }
}

static void openssl_kbkdf(qtpm_hash_alg alg, const uint8_t *key, size_t key_len,
                          const uint8_t *label, size_t label_len, const uint8_t *ctx_uv,
                          size_t ctx_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "KBKDF", NULL);
    EVP_KDF_CTX *kctx;
    OSSL_PARAM params[9], *p = params;
    int use_l = 1, use_sep = 1;
    assert_non_null(kdf);
    kctx = EVP_KDF_CTX_new(kdf);
    assert_non_null(kctx);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MODE, (char *)"counter", 0);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_MAC, (char *)"HMAC", 0);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md_name(alg), 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)key, key_len);
    if (label_len > 0)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)label, label_len);
    if (ctx_len > 0)
        *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)ctx_uv, ctx_len);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_L, &use_l);
    *p++ = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_KBKDF_USE_SEPARATOR, &use_sep);
    *p = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_KDF_derive(kctx, out, out_len, params), 1);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

static void openssl_sskdf(qtpm_hash_alg alg, const uint8_t *z, size_t z_len,
                          const uint8_t *info, size_t info_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SSKDF", NULL);
    EVP_KDF_CTX *kctx;
    OSSL_PARAM params[4], *p = params;
    assert_non_null(kdf);
    kctx = EVP_KDF_CTX_new(kdf);
    assert_non_null(kctx);
    *p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)md_name(alg), 0);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)z, z_len);
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, (void *)info, info_len);
    *p = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_KDF_derive(kctx, out, out_len, params), 1);
    EVP_KDF_CTX_free(kctx);
    EVP_KDF_free(kdf);
}

static void fill(uint8_t *b, size_t n, unsigned salt)
{
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 29 + salt);
}

/* The labels a TPM uses, with and without their terminator, and an empty one. */
static const char *const labels[] = {"STORAGE", "INTEGRITY", "ATH", "CFB", "SECRET",
                                     "IDENTITY", "DUPLICATE", ""};

static void test_kdfa_vs_kbkdf(void **state)
{
    (void)state;
    uint8_t key[70], u[64], v[64], uv[128], got[300], want[300];
    static const size_t key_lens[] = {1, 32, 70};
    static const size_t ctx_lens[][2] = {{0, 0}, {32, 0}, {0, 20}, {32, 32}, {16, 64}};
    static const size_t out_lens[] = {16, 20, 32, 33, 64, 100, 300};
    size_t count = 0;
    fill(key, sizeof(key), 1);
    fill(u, sizeof(u), 2);
    fill(v, sizeof(v), 3);
    for (int alg = QTPM_HASH_SHA1; alg <= QTPM_HASH_SHA3_512; alg++) {
        for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++) {
            for (int term = 0; term < 2; term++) {
                /* term = 1 passes the label with its C terminator. */
                size_t lab_len = strlen(labels[l]) + (size_t)term;
                size_t k = (l + (size_t)alg) % 3;
                size_t c = (l * 2 + (size_t)term + (size_t)alg) % 5;
                for (size_t o = 0; o < sizeof(out_lens) / sizeof(out_lens[0]); o++) {
                    size_t ul = ctx_lens[c][0], vl = ctx_lens[c][1];
                    memcpy(uv, u, ul);
                    memcpy(uv + ul, v, vl);
                    assert_int_equal(qtpm_kdfa((qtpm_hash_alg)alg, key, key_lens[k],
                                               (const uint8_t *)labels[l], lab_len,
                                               ul ? u : NULL, ul, vl ? v : NULL, vl,
                                               (uint32_t)(out_lens[o] * 8), got), QTPM_OK);
                    openssl_kbkdf((qtpm_hash_alg)alg, key, key_lens[k],
                                  (const uint8_t *)labels[l], strlen(labels[l]), uv, ul + vl,
                                  want, out_lens[o]);
                    assert_memory_equal(got, want, out_lens[o]);
                    count++;
                }
            }
        }
    }
    print_message("KDFa: %zu cases agree with OpenSSL KBKDF\n", count);
}

/* bits not a multiple of 8: the first (bits+7)/8 bytes of the HMAC block
 * computed by hand with L = bits, high bits of byte 0 cleared. */
static void test_kdfa_odd_bits(void **state)
{
    (void)state;
    uint8_t key[32], u[16], v[16], got[64], msg[64], mac[64];
    fill(key, 32, 9);
    fill(u, 16, 10);
    fill(v, 16, 11);
    static const uint32_t bits_list[] = {1, 7, 13, 100, 255};
    for (size_t i = 0; i < sizeof(bits_list) / sizeof(bits_list[0]); i++) {
        uint32_t bits = bits_list[i];
        size_t n = (bits + 7) / 8, m = 0, outl = 0;
        /* [1]_32 || "KEY" || 00 || U || V || [bits]_32 */
        msg[m++] = 0; msg[m++] = 0; msg[m++] = 0; msg[m++] = 1;
        memcpy(msg + m, "KEY", 4);
        m += 4;
        memcpy(msg + m, u, 16);
        m += 16;
        memcpy(msg + m, v, 16);
        m += 16;
        msg[m++] = (uint8_t)(bits >> 24);
        msg[m++] = (uint8_t)(bits >> 16);
        msg[m++] = (uint8_t)(bits >> 8);
        msg[m++] = (uint8_t)bits;
        assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, 32, msg, m, mac,
                                  sizeof(mac), &outl));
        if (bits % 8)
            mac[0] &= (uint8_t)((1u << (bits % 8)) - 1);
        assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, key, 32, (const uint8_t *)"KEY", 3, u, 16,
                                   v, 16, bits, got), QTPM_OK);
        assert_memory_equal(got, mac, n);
        if (bits % 8)
            assert_int_equal(got[0] >> (bits % 8), 0);
    }
}

/* A pinned KDFa output, so that a change of behaviour shows up even if
 * OpenSSL's KBKDF changed with it. Computed outside this code twice: with
 * `openssl kdf -keylen 32 -kdfopt mac:HMAC -kdfopt digest:SHA256 -kdfopt
 * hexkey:00..1f -kdfopt salt:STORAGE -kdfopt hexinfo:20..5f KBKDF` and with
 * Python's hmac over 00000001 || "STORAGE" 00 || 20..5f || 00000100. */
#define KDFA_FIXED_HEX "d313f4affc1059ed7875f00a5200555cecc2004b9ce745c907bdbe98aaf847f3"

static void test_kdfa_fixed(void **state)
{
    (void)state;
    uint8_t key[32], u[32], v[32], got[32], *want;
    size_t want_len;
    for (int i = 0; i < 32; i++) {
        key[i] = (uint8_t)i;
        u[i] = (uint8_t)(0x20 + i);
        v[i] = (uint8_t)(0x40 + i);
    }
    tu_hex(KDFA_FIXED_HEX, &want, &want_len);
    assert_int_equal(want_len, 32);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, key, 32, (const uint8_t *)"STORAGE", 7, u, 32,
                               v, 32, 256, got), QTPM_OK);
    assert_memory_equal(got, want, 32);
    free(want);
}

static void test_kdfe_vs_sskdf(void **state)
{
    (void)state;
    uint8_t z[66], u[66], v[66], info[300], got[300], want[300];
    static const size_t z_lens[] = {32, 48, 66};
    static const size_t out_lens[] = {16, 32, 48, 65, 128, 300};
    size_t count = 0;
    fill(z, sizeof(z), 4);
    fill(u, sizeof(u), 5);
    fill(v, sizeof(v), 6);
    for (int alg = QTPM_HASH_SHA1; alg <= QTPM_HASH_SHA3_512; alg++) {
        for (size_t l = 0; l < sizeof(labels) / sizeof(labels[0]); l++) {
            for (int term = 0; term < 2; term++) {
                size_t lab_len = strlen(labels[l]) + (size_t)term;
                size_t zl = z_lens[(l + (size_t)alg) % 3];
                size_t ul = (l % 3 == 0) ? 0 : zl, vl = (l % 2 == 0) ? zl : 0;
                size_t il = 0;
                memcpy(info, labels[l], strlen(labels[l]));
                il += strlen(labels[l]);
                info[il++] = 0;
                memcpy(info + il, u, ul);
                il += ul;
                memcpy(info + il, v, vl);
                il += vl;
                for (size_t o = 0; o < sizeof(out_lens) / sizeof(out_lens[0]); o++) {
                    assert_int_equal(qtpm_kdfe((qtpm_hash_alg)alg, z, zl, (const uint8_t *)labels[l],
                                               lab_len, u, ul, v, vl, (uint32_t)(out_lens[o] * 8),
                                               got), QTPM_OK);
                    openssl_sskdf((qtpm_hash_alg)alg, z, zl, info, il, want, out_lens[o]);
                    assert_memory_equal(got, want, out_lens[o]);
                    count++;
                }
            }
        }
    }
    print_message("KDFe: %zu cases agree with OpenSSL SSKDF\n", count);
}

static void test_kdf_odd_bits_kdfe_and_args(void **state)
{
    (void)state;
    uint8_t z[32], full[32], got[32];
    fill(z, 32, 12);
    assert_int_equal(qtpm_kdfe(QTPM_HASH_SHA256, z, 32, (const uint8_t *)"SECRET", 6, NULL, 0,
                               NULL, 0, 256, full), QTPM_OK);
    assert_int_equal(qtpm_kdfe(QTPM_HASH_SHA256, z, 32, (const uint8_t *)"SECRET", 6, NULL, 0,
                               NULL, 0, 12, got), QTPM_OK);
    /* KDFe has no L input: fewer bits are a prefix, with the top masked. */
    assert_int_equal(got[0], full[0] & 0x0f);
    assert_int_equal(got[1], full[1]);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, z, 32, NULL, 0, NULL, 0, NULL, 0, 0, got),
                     QTPM_E_LENGTH);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_NONE, z, 32, NULL, 0, NULL, 0, NULL, 0, 8, got),
                     QTPM_E_PARAM);
    assert_int_equal(qtpm_kdfe((qtpm_hash_alg)42, z, 32, NULL, 0, NULL, 0, NULL, 0, 8, got),
                     QTPM_E_PARAM);
}

/* XOR obfuscation: the mask is KDFa(key, "XOR", U, V, 8·len); twice is the
 * identity. */
static void test_kdfa_xor(void **state)
{
    (void)state;
    uint8_t key[40], u[32], v[32], data[77], orig[77], mask[77];
    fill(key, 40, 13);
    fill(u, 32, 14);
    fill(v, 32, 15);
    fill(orig, 77, 16);
    memcpy(data, orig, 77);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA384, key, 40, (const uint8_t *)"XOR", 3, u, 32, v, 32,
                               77 * 8, mask), QTPM_OK);
    assert_int_equal(qtpm_kdfa_xor(QTPM_HASH_SHA384, key, 40, u, 32, v, 32, data, 77), QTPM_OK);
    for (int i = 0; i < 77; i++)
        assert_int_equal(data[i], orig[i] ^ mask[i]);
    assert_int_equal(qtpm_kdfa_xor(QTPM_HASH_SHA384, key, 40, u, 32, v, 32, data, 77), QTPM_OK);
    assert_memory_equal(data, orig, 77);
    assert_int_equal(qtpm_kdfa_xor(QTPM_HASH_SHA384, key, 40, u, 32, v, 32, NULL, 0), QTPM_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kdfa_vs_kbkdf),
        cmocka_unit_test(test_kdfa_odd_bits),
        cmocka_unit_test(test_kdfa_fixed),
        cmocka_unit_test(test_kdfe_vs_sskdf),
        cmocka_unit_test(test_kdf_odd_bits_kdfe_and_args),
        cmocka_unit_test(test_kdfa_xor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
