/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_provider_kem.c — qtpm-provider's KEYMGMT and KEM through EVP, the
 * way OpenSSL 3.0's libssl drives them (keygen with the group name,
 * EVP_PKEY_get1_encoded_public_key; paramgen + EVP_PKEY_set1_encoded_public_key;
 * EVP_PKEY_encapsulate / EVP_PKEY_decapsulate), in a library context with
 * the provider registered as a built-in and OpenSSL's default provider.
 *
 * Covered: the four groups round-trip with draft-ietf-tls-ecdhe-mlkem's and
 * draft-ietf-tls-mlkem's sizes; every wrong share length and every wrong
 * ciphertext length fails (size query included) while the right one works;
 * tampered ciphertexts never give the same secret; a known-answer cross-check
 * of the layouts (the parts recomputed with our ML-KEM and OpenSSL's X25519 /
 * P-256 outside the provider), with RFC 7748 §6.1's X25519 vector placed in
 * the X25519MLKEM768 share and secret and RFC 5903 §8.1's P-256 vector in the
 * SecP256r1MLKEM768 ones; the TLS-GROUP capability; key params.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/prov_ssl.h>

#include "provider_internal.h"
#include "qtpm/common.h"
#include "qtpm/mlkem.h"

static OSSL_LIB_CTX *lib;
static OSSL_PROVIDER *prov_default, *prov_qtpm;

/* Sizes from the drafts (not from the provider's table). */
static const struct {
    const char *name;
    unsigned id;
    size_t share, reply, ss;
    unsigned secbits;
} want[] = {
    {"X25519MLKEM768", 0x11EC, 1216, 1120, 64, 192},
    {"SecP256r1MLKEM768", 0x11EB, 1249, 1153, 64, 192},
    {"MLKEM768", 0x0201, 1184, 1088, 32, 192},
    {"MLKEM1024", 0x0202, 1568, 1568, 32, 256},
};
#define NWANT (sizeof(want) / sizeof(want[0]))

static int setup(void **state)
{
    (void)state;
    lib = OSSL_LIB_CTX_new();
    if (lib == NULL || !OSSL_PROVIDER_add_builtin(lib, "qtpm", qtpm_provider_init))
        return -1;
    prov_default = OSSL_PROVIDER_load(lib, "default");
    prov_qtpm = OSSL_PROVIDER_load(lib, "qtpm");
    return prov_default != NULL && prov_qtpm != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    /* Unloaded first, so the provider's teardown runs and frees its child
     * library context (LeakSanitizer checks that nothing stays behind). */
    OSSL_PROVIDER_unload(prov_qtpm);
    OSSL_PROVIDER_unload(prov_default);
    OSSL_LIB_CTX_free(lib);
    return 0;
}

static EVP_PKEY *client_key(const char *name)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(lib, name, NULL);
    EVP_PKEY *k = NULL;

    assert_non_null(c);
    assert_int_equal(EVP_PKEY_keygen_init(c), 1);
    assert_int_equal(EVP_PKEY_CTX_set_group_name(c, name), 1);
    assert_int_equal(EVP_PKEY_keygen(c, &k), 1);
    EVP_PKEY_CTX_free(c);
    return k;
}

/* The server's view of a client share: NULL if it is refused. */
static EVP_PKEY *peer_key(const char *name, const uint8_t *share, size_t len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(lib, name, NULL);
    EVP_PKEY *k = NULL;

    assert_non_null(c);
    assert_int_equal(EVP_PKEY_paramgen_init(c), 1);
    assert_int_equal(EVP_PKEY_CTX_set_group_name(c, name), 1);
    assert_int_equal(EVP_PKEY_paramgen(c, &k), 1);
    EVP_PKEY_CTX_free(c);
    if (EVP_PKEY_set1_encoded_public_key(k, share, len) != 1) {
        EVP_PKEY_free(k);
        return NULL;
    }
    return k;
}

static size_t encaps(EVP_PKEY *peer, uint8_t *ct, size_t *ctlen, uint8_t *ss)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(lib, peer, NULL);
    size_t sslen = 0;

    assert_non_null(c);
    assert_int_equal(EVP_PKEY_encapsulate_init(c, NULL), 1);
    assert_int_equal(EVP_PKEY_encapsulate(c, NULL, ctlen, NULL, &sslen), 1);
    assert_int_equal(EVP_PKEY_encapsulate(c, ct, ctlen, ss, &sslen), 1);
    EVP_PKEY_CTX_free(c);
    return sslen;
}

/* 1 and the secret, or 0. last_query: what the size query (no output
 * buffer) said — it checks the length, not the contents. */
static int last_query;

static int decaps(EVP_PKEY *priv, const uint8_t *ct, size_t ctlen, uint8_t *ss, size_t *sslen)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(lib, priv, NULL);
    size_t n = 0;
    int q, r;

    assert_non_null(c);
    assert_int_equal(EVP_PKEY_decapsulate_init(c, NULL), 1);
    q = EVP_PKEY_decapsulate(c, NULL, &n, ct, ctlen) == 1;
    n = 64;
    r = EVP_PKEY_decapsulate(c, ss, &n, ct, ctlen) == 1;
    EVP_PKEY_CTX_free(c);
    if (r)
        assert_true(q);
    last_query = q;
    *sslen = n;
    return r;
}

/* A client key of group name, its encoded share (*share, the returned length)
 * and the server's view of that share (*p). */
static size_t key_and_peer(const char *name, EVP_PKEY **k, uint8_t **share, EVP_PKEY **p)
{
    *k = client_key(name);
    *share = NULL;
    size_t sl = EVP_PKEY_get1_encoded_public_key(*k, share);
    *p = peer_key(name, *share, sl);
    return sl;
}

static void free_exchange(EVP_PKEY *k, uint8_t *share, EVP_PKEY *p)
{
    OPENSSL_free(share);
    EVP_PKEY_free(p);
    EVP_PKEY_free(k);
}

static void roundtrip_all_groups(void **state)
{
    (void)state;
    for (size_t i = 0; i < NWANT; i++) {
        EVP_PKEY *k, *p;
        uint8_t *share, ct[2048], ss1[64], ss2[64];
        size_t sl = key_and_peer(want[i].name, &k, &share, &p), ctl = 0, n1, n2 = 0;

        assert_int_equal(sl, want[i].share);
        assert_non_null(p);
        n1 = encaps(p, ct, &ctl, ss1);
        assert_int_equal(ctl, want[i].reply);
        assert_int_equal(n1, want[i].ss);
        assert_true(decaps(k, ct, ctl, ss2, &n2));
        assert_int_equal(n2, want[i].ss);
        assert_memory_equal(ss1, ss2, n1);
        /* Two encapsulations never give the same secret or reply. */
        {
            uint8_t ct3[2048], ss3[64];
            size_t ctl3 = 0;
            encaps(p, ct3, &ctl3, ss3);
            assert_memory_not_equal(ss1, ss3, n1);
            assert_memory_not_equal(ct, ct3, ctl);
        }
        assert_int_equal(EVP_PKEY_get_security_bits(k), (int)want[i].secbits);
        assert_int_equal(EVP_PKEY_get_bits(k), (int)(8 * want[i].share));
        assert_int_equal(EVP_PKEY_get_size(k), (int)want[i].reply);
        /* The re-imported public key matches the key pair. */
        assert_int_equal(EVP_PKEY_eq(k, p), 1);
        free_exchange(k, share, p);
    }
}

static void wrong_length_shares(void **state)
{
    (void)state;
    for (size_t i = 0; i < NWANT; i++) {
        EVP_PKEY *k = client_key(want[i].name), *p;
        uint8_t *share = NULL, buf[1568 + 65 + 64];
        size_t sl = EVP_PKEY_get1_encoded_public_key(k, &share);

        memset(buf, 0, sizeof(buf));
        memcpy(buf, share, sl);
        memcpy(buf + sl, share, sizeof(buf) - sl < sl ? sizeof(buf) - sl : sl);
        for (size_t len = 0; len <= sl + 64; len++) {
            p = peer_key(want[i].name, buf, len);
            if (len == sl)
                assert_non_null(p);
            else if (p != NULL)
                fail_msg("%s: a %zu-byte share was accepted", want[i].name, len);
            EVP_PKEY_free(p);
        }
        OPENSSL_free(share);
        EVP_PKEY_free(k);
    }
}

static void wrong_length_ciphertexts(void **state)
{
    (void)state;
    for (size_t i = 0; i < NWANT; i++) {
        EVP_PKEY *k, *p;
        uint8_t *share, ct[1568 + 64 + 1], ss[64], ss2[64];
        size_t ctl = 0, n = 0;

        key_and_peer(want[i].name, &k, &share, &p);
        encaps(p, ct, &ctl, ss);
        memcpy(ct + ctl, ct, 65);
        for (size_t len = 0; len <= ctl + 64; len++) {
            int ok = decaps(k, ct, len, ss2, &n);
            if (len == ctl) {
                assert_true(ok);
                assert_memory_equal(ss, ss2, n);
            } else if (ok || last_query) {
                fail_msg("%s: a %zu-byte ciphertext was decapsulated", want[i].name, len);
            }
        }
        /* No ciphertext at all. */
        assert_false(decaps(k, NULL, 0, ss2, &n));
        free_exchange(k, share, p);
    }
}

/* A byte changed anywhere — in the ML-KEM ciphertext (implicit rejection:
 * a different secret) or the ECDH share (a different secret, or refused) —
 * never gives the encapsulator's secret. */
static void tampered_ciphertexts(void **state)
{
    (void)state;
    for (size_t i = 0; i < NWANT; i++) {
        EVP_PKEY *k, *p;
        uint8_t *share, ct[1568], ss[64], ss2[64];
        size_t ctl = 0, n = 0;
        const size_t at[] = {0, 1, 40, 64, 65, 100, 1087, 1088, 1100};

        key_and_peer(want[i].name, &k, &share, &p);
        encaps(p, ct, &ctl, ss);
        for (size_t j = 0; j < sizeof(at) / sizeof(at[0]); j++) {
            size_t pos = at[j] < ctl ? at[j] : ctl - 1;
            ct[pos] ^= 0x04;
            if (decaps(k, ct, ctl, ss2, &n))
                assert_memory_not_equal(ss, ss2, want[i].ss);
            ct[pos] ^= 0x04;
        }
        assert_true(decaps(k, ct, ctl, ss2, &n));
        assert_memory_equal(ss, ss2, n);
        free_exchange(k, share, p);
    }
}

/* The private form: ML-KEM seed ‖ classic private key (EVP_PKEY_todata). */
static size_t export_private(EVP_PKEY *k, uint8_t *out, size_t max)
{
    OSSL_PARAM *params = NULL;
    const OSSL_PARAM *pp;
    const void *v = NULL;
    size_t n = 0;

    assert_int_equal(EVP_PKEY_todata(k, EVP_PKEY_KEYPAIR, &params), 1);
    pp = OSSL_PARAM_locate_const(params, OSSL_PKEY_PARAM_PRIV_KEY);
    assert_non_null(pp);
    assert_int_equal(OSSL_PARAM_get_octet_string_ptr(pp, &v, &n), 1);
    assert_true(n <= max);
    memcpy(out, v, n);
    OSSL_PARAM_free(params);
    return n;
}

static EVP_PKEY *x25519_default(const uint8_t *priv, const uint8_t *pub)
{
    EVP_PKEY *k = priv != NULL
                      ? EVP_PKEY_new_raw_private_key_ex(lib, "X25519", "provider=default", priv, 32)
                      : EVP_PKEY_new_raw_public_key_ex(lib, "X25519", "provider=default", pub, 32);
    assert_non_null(k);
    return k;
}

static void derive_default(EVP_PKEY *a, EVP_PKEY *b, uint8_t *out, size_t len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(lib, a, "provider=default");
    size_t n = len;

    assert_non_null(c);
    assert_int_equal(EVP_PKEY_derive_init(c), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(c, b), 1);
    assert_int_equal(EVP_PKEY_derive(c, out, &n), 1);
    assert_int_equal(n, len);
    EVP_PKEY_CTX_free(c);
}

/* X25519MLKEM768, draft §3.1: ML-KEM first in share, reply and secret. */
static void kat_x25519mlkem768_layout(void **state)
{
    EVP_PKEY *k = client_key("X25519MLKEM768"), *p, *xa, *xb;
    uint8_t *share = NULL, ct[1120], ss[64], priv[96], ek[1184], dk[2400], ssk[32], sse[32];
    uint8_t xpub[32];
    size_t sl = EVP_PKEY_get1_encoded_public_key(k, &share), ctl = 0, n = 32;

    (void)state;
    assert_int_equal(export_private(k, priv, sizeof(priv)), 96);
    assert_int_equal(qtpm_mlkem_keygen_from_seed(QTPM_MLKEM_768, priv, ek, dk), QTPM_OK);
    assert_memory_equal(share, ek, 1184);
    xa = x25519_default(priv + 64, NULL);
    assert_int_equal(EVP_PKEY_get_raw_public_key(xa, xpub, &n), 1);
    assert_memory_equal(share + 1184, xpub, 32);

    p = peer_key("X25519MLKEM768", share, sl);
    encaps(p, ct, &ctl, ss);
    assert_int_equal(qtpm_mlkem_decaps(QTPM_MLKEM_768, dk, sizeof(dk), ct, 1088, ssk), QTPM_OK);
    assert_memory_equal(ss, ssk, 32);
    xb = x25519_default(NULL, ct + 1088);
    derive_default(xa, xb, sse, 32);
    assert_memory_equal(ss + 32, sse, 32);
    OPENSSL_free(share);
    EVP_PKEY_free(xb);
    EVP_PKEY_free(xa);
    EVP_PKEY_free(p);
    EVP_PKEY_free(k);
}

static void hex(const char *s, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
        out[i] = (uint8_t)v;
    }
}

/* A key pair of group from its private form (ML-KEM seed ‖ classic private key). */
static EVP_PKEY *key_from_private(const char *group, uint8_t *priv, size_t len)
{
    OSSL_PARAM params[2];
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(lib, group, NULL);
    EVP_PKEY *k = NULL;

    params[0] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PRIV_KEY, priv, len);
    params[1] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_PKEY_fromdata_init(c), 1);
    assert_int_equal(EVP_PKEY_fromdata(c, &k, EVP_PKEY_KEYPAIR, params), 1);
    EVP_PKEY_CTX_free(c);
    return k;
}

/* A published vector in the hybrid layout: RFC 7748 §6.1's Alice as the
 * client's X25519 half, Bob's public key as the server's. The client share
 * must end with Alice's public key, and the secret's second half must be
 * RFC 7748's shared secret K. */
static void kat_rfc7748_in_hybrid(void **state)
{
    uint8_t priv[96], alice_pub[32], bob_pub[32], k_want[32], ek[1184], dk[2400];
    uint8_t reply[1120], ssk[32], ss[64];
    uint8_t *share = NULL;
    EVP_PKEY *k;
    size_t sl, n = 0;

    (void)state;
    for (int i = 0; i < 64; i++)
        priv[i] = (uint8_t)i;
    hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", priv + 64, 32);
    hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", alice_pub, 32);
    hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", bob_pub, 32);
    hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", k_want, 32);

    k = key_from_private("X25519MLKEM768", priv, sizeof(priv));

    sl = EVP_PKEY_get1_encoded_public_key(k, &share);
    assert_int_equal(sl, 1216);
    assert_int_equal(qtpm_mlkem_keygen_from_seed(QTPM_MLKEM_768, priv, ek, dk), QTPM_OK);
    assert_memory_equal(share, ek, 1184);
    assert_memory_equal(share + 1184, alice_pub, 32);

    /* The server's reply built by hand: our ML-KEM ciphertext, Bob's key. */
    assert_int_equal(qtpm_mlkem_encaps(QTPM_MLKEM_768, ek, 1184, reply, ssk), QTPM_OK);
    memcpy(reply + 1088, bob_pub, 32);
    assert_true(decaps(k, reply, sizeof(reply), ss, &n));
    assert_int_equal(n, 64);
    assert_memory_equal(ss, ssk, 32);
    assert_memory_equal(ss + 32, k_want, 32);
    OPENSSL_free(share);
    EVP_PKEY_free(k);
}

/* The same for SecP256r1MLKEM768 with RFC 5903 §8.1's P-256 ECDH vector
 * (i as the client's scalar, g^r as the server's point): the client share
 * must start with g^i, and the secret's FIRST half must be g^ir's x. */
static void kat_rfc5903_in_hybrid(void **state)
{
    uint8_t priv[96], gi[65], gr[65], girx[32], ek[1184], dk[2400];
    uint8_t reply[1153], ssk[32], ss[64];
    uint8_t *share = NULL;
    EVP_PKEY *k;
    size_t sl, n = 0;

    (void)state;
    for (int i = 0; i < 64; i++)
        priv[i] = (uint8_t)(0xA0 ^ i);
    hex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433", priv + 64, 32);
    gi[0] = gr[0] = 0x04;
    hex("DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180", gi + 1, 32);
    hex("5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3", gi + 33, 32);
    hex("D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63", gr + 1, 32);
    hex("56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB", gr + 33, 32);
    hex("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE", girx, 32);

    k = key_from_private("SecP256r1MLKEM768", priv, sizeof(priv));

    sl = EVP_PKEY_get1_encoded_public_key(k, &share);
    assert_int_equal(sl, 1249);
    assert_memory_equal(share, gi, 65);
    assert_int_equal(qtpm_mlkem_keygen_from_seed(QTPM_MLKEM_768, priv, ek, dk), QTPM_OK);
    assert_memory_equal(share + 65, ek, 1184);

    memcpy(reply, gr, 65);
    assert_int_equal(qtpm_mlkem_encaps(QTPM_MLKEM_768, ek, 1184, reply + 65, ssk), QTPM_OK);
    assert_true(decaps(k, reply, sizeof(reply), ss, &n));
    assert_int_equal(n, 64);
    assert_memory_equal(ss, girx, 32);
    assert_memory_equal(ss + 32, ssk, 32);
    OPENSSL_free(share);
    EVP_PKEY_free(k);
}

/* SecP256r1MLKEM768, draft §3.1: the ECDH part first everywhere. */
static void kat_p256mlkem768_layout(void **state)
{
    EVP_PKEY *k = client_key("SecP256r1MLKEM768"), *p, *ea = NULL, *eb = NULL;
    uint8_t *share = NULL, ct[1153], ss[64], priv[96], ek[1184], dk[2400], ssk[32], sse[32];
    uint8_t pt[65];
    size_t sl = EVP_PKEY_get1_encoded_public_key(k, &share), ctl = 0;
    EC_GROUP *grp = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    EC_POINT *P = EC_POINT_new(grp);
    BIGNUM *d = BN_new();
    OSSL_PARAM_BLD *bld;
    OSSL_PARAM *params;
    EVP_PKEY_CTX *c;

    (void)state;
    assert_int_equal(export_private(k, priv, sizeof(priv)), 96);
    assert_int_equal(qtpm_mlkem_keygen_from_seed(QTPM_MLKEM_768, priv, ek, dk), QTPM_OK);
    assert_memory_equal(share + 65, ek, 1184);
    /* share[0..65) is d·G, uncompressed. */
    assert_non_null(BN_bin2bn(priv + 64, 32, d));
    assert_int_equal(EC_POINT_mul(grp, P, d, NULL, NULL, NULL), 1);
    assert_int_equal(EC_POINT_point2oct(grp, P, POINT_CONVERSION_UNCOMPRESSED, pt, 65, NULL), 65);
    assert_memory_equal(share, pt, 65);

    p = peer_key("SecP256r1MLKEM768", share, sl);
    encaps(p, ct, &ctl, ss);
    /* ECDH in the default provider: our scalar with the server's point. */
    bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, 65);
    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d);
    params = OSSL_PARAM_BLD_to_param(bld);
    c = EVP_PKEY_CTX_new_from_name(lib, "EC", "provider=default");
    assert_int_equal(EVP_PKEY_fromdata_init(c), 1);
    assert_int_equal(EVP_PKEY_fromdata(c, &ea, EVP_PKEY_KEYPAIR, params), 1);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    bld = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, ct, 65);
    params = OSSL_PARAM_BLD_to_param(bld);
    assert_int_equal(EVP_PKEY_fromdata_init(c), 1);
    assert_int_equal(EVP_PKEY_fromdata(c, &eb, EVP_PKEY_PUBLIC_KEY, params), 1);
    derive_default(ea, eb, sse, 32);
    assert_memory_equal(ss, sse, 32);
    assert_int_equal(qtpm_mlkem_decaps(QTPM_MLKEM_768, dk, sizeof(dk), ct + 65, 1088, ssk),
                     QTPM_OK);
    assert_memory_equal(ss + 32, ssk, 32);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(bld);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(ea);
    EVP_PKEY_free(eb);
    BN_free(d);
    EC_POINT_free(P);
    EC_GROUP_free(grp);
    OPENSSL_free(share);
    EVP_PKEY_free(p);
    EVP_PKEY_free(k);
}

/* ML-KEM alone, draft-ietf-tls-mlkem: share = ek, reply = ct, secret = K. */
static void kat_mlkem_alone(void **state)
{
    const qtpm_mlkem_set sets[] = {QTPM_MLKEM_768, QTPM_MLKEM_1024};
    const char *names[] = {"MLKEM768", "MLKEM1024"};

    (void)state;
    for (int i = 0; i < 2; i++) {
        EVP_PKEY *k, *p;
        uint8_t *share, ct[1568], ss[64], priv[64], ek[1568], dk[3168], ssk[32];
        size_t sl = key_and_peer(names[i], &k, &share, &p), ctl = 0;

        assert_int_equal(export_private(k, priv, sizeof(priv)), 64);
        assert_int_equal(qtpm_mlkem_keygen_from_seed(sets[i], priv, ek, dk), QTPM_OK);
        assert_int_equal(sl, qtpm_mlkem_ek_bytes(sets[i]));
        assert_memory_equal(share, ek, sl);
        encaps(p, ct, &ctl, ss);
        assert_int_equal(qtpm_mlkem_decaps(sets[i], dk, qtpm_mlkem_dk_bytes(sets[i]), ct, ctl, ssk),
                         QTPM_OK);
        assert_memory_equal(ss, ssk, 32);
        free_exchange(k, share, p);
    }
}

/* The TLS-GROUP capability, as libssl's add_provider_groups reads it. */
static int seen_groups;

static int cap_cb(const OSSL_PARAM params[], void *arg)
{
    const OSSL_PARAM *p;
    const char *name = NULL, *alg = NULL;
    unsigned id = 0, kem = 0, sec = 0;
    int mintls = 0, mindtls = 0;

    (void)arg;
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_NAME);
    assert_true(p != NULL && OSSL_PARAM_get_utf8_string_ptr(p, &name));
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_ALG);
    assert_true(p != NULL && OSSL_PARAM_get_utf8_string_ptr(p, &alg));
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_ID);
    assert_true(p != NULL && OSSL_PARAM_get_uint(p, &id));
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_IS_KEM);
    assert_true(p != NULL && OSSL_PARAM_get_uint(p, &kem));
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_SECURITY_BITS);
    assert_true(p != NULL && OSSL_PARAM_get_uint(p, &sec));
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_MIN_TLS);
    assert_true(p != NULL && OSSL_PARAM_get_int(p, &mintls));
    p = OSSL_PARAM_locate_const(params, OSSL_CAPABILITY_TLS_GROUP_MIN_DTLS);
    assert_true(p != NULL && OSSL_PARAM_get_int(p, &mindtls));
    for (size_t i = 0; i < NWANT; i++) {
        if (strcmp(name, want[i].name) == 0) {
            assert_string_equal(alg, want[i].name);
            assert_int_equal(id, want[i].id);
            assert_int_equal(kem, 1);
            assert_int_equal(sec, want[i].secbits);
            assert_int_equal(mintls, TLS1_3_VERSION);
            assert_int_equal(mindtls, -1);
            seen_groups |= 1 << i;
            return 1;
        }
    }
    fail_msg("unexpected group %s", name);
    return 0;
}

static void tls_group_capability(void **state)
{
    OSSL_PROVIDER *prov = OSSL_PROVIDER_load(lib, "qtpm");

    (void)state;
    assert_non_null(prov);
    seen_groups = 0;
    assert_int_equal(OSSL_PROVIDER_get_capabilities(prov, "TLS-GROUP", cap_cb, NULL), 1);
    assert_int_equal(seen_groups, (1 << NWANT) - 1);
    OSSL_PROVIDER_unload(prov);
}

/* Generation refuses a group name that is not the algorithm's own. */
static void keygen_wrong_group_name(void **state)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(lib, "X25519MLKEM768", NULL);

    (void)state;
    assert_non_null(c);
    assert_int_equal(EVP_PKEY_keygen_init(c), 1);
    assert_true(EVP_PKEY_CTX_set_group_name(c, "MLKEM1024") <= 0);
    EVP_PKEY_CTX_free(c);
}

/* The checked entry points the provider uses (qtpm_mlkem_encaps_checked,
 * qtpm_mlkem_decaps_generated) compute what the fully checking ones do, on a
 * good and on a tampered ciphertext, and still refuse wrong lengths. */
static void mlkem_checked_paths(void **state)
{
    static const qtpm_mlkem_set sets[] = {QTPM_MLKEM_512, QTPM_MLKEM_768, QTPM_MLKEM_1024};

    (void)state;
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
        qtpm_mlkem_set set = sets[i];
        size_t ekl = qtpm_mlkem_ek_bytes(set), dkl = qtpm_mlkem_dk_bytes(set);
        size_t ctl = qtpm_mlkem_ct_bytes(set);
        uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES], dk[QTPM_MLKEM_MAX_DK_BYTES];
        uint8_t ct[QTPM_MLKEM_MAX_CT_BYTES], ss[32], ss_full[32], ss_gen[32];

        assert_int_equal(qtpm_mlkem_keygen(set, ek, dk, NULL), QTPM_OK);
        assert_int_equal(qtpm_mlkem_encaps_checked(set, ek, ekl, ct, ss), QTPM_OK);
        for (int tamper = 0; tamper < 2; tamper++) {
            if (tamper)
                ct[ctl / 2] ^= 0x10;
            assert_int_equal(qtpm_mlkem_decaps(set, dk, dkl, ct, ctl, ss_full), QTPM_OK);
            assert_int_equal(qtpm_mlkem_decaps_generated(set, dk, dkl, ct, ctl, ss_gen), QTPM_OK);
            assert_memory_equal(ss_full, ss_gen, 32);
            if (tamper)
                assert_memory_not_equal(ss, ss_gen, 32); /* implicit rejection */
            else
                assert_memory_equal(ss, ss_gen, 32);
        }
        assert_int_equal(qtpm_mlkem_encaps_checked(set, ek, ekl - 1, ct, ss), QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_decaps_generated(set, dk, dkl, ct, ctl - 1, ss),
                         QTPM_E_LENGTH);
        assert_int_equal(qtpm_mlkem_decaps_generated(set, dk, QTPM_MLKEM_SEED_BYTES, ct, ctl, ss),
                         QTPM_E_LENGTH);
        /* The full path still refuses a dk whose H(ek) is wrong. */
        dk[dkl - 64] ^= 1;
        assert_int_equal(qtpm_mlkem_decaps(set, dk, dkl, ct, ctl, ss), QTPM_E_INVALID);
    }
}

/* A P-256 point in OpenSSL's "hybrid" form (0x06/0x07, same length as the
 * uncompressed one) is refused: RFC 8446 §4.2.8.2 allows only 0x04. */
static void p256_hybrid_point_form(void **state)
{
    EVP_PKEY *k, *p;
    uint8_t *share;
    size_t sl;

    (void)state;
    sl = key_and_peer("SecP256r1MLKEM768", &k, &share, &p);
    assert_non_null(p);
    EVP_PKEY_free(p);
    share[0] = (uint8_t)(0x06 | (share[64] & 1));
    assert_null(peer_key("SecP256r1MLKEM768", share, sl));
    free_exchange(k, share, NULL);
}

/* EVP_PKEY_dup of a key pair copies both halves (the classic one through its
 * provider's dup): the copy decapsulates what was made for the original,
 * and the original still works after the copy is gone. */
static void dup_key_pair(void **state)
{
    (void)state;
    for (size_t i = 0; i < NWANT; i++) {
        EVP_PKEY *k, *p, *d;
        uint8_t *share, ct[2048], ss1[64], ss2[64], ss3[64];
        size_t ctl = 0, n1, n2 = 0, n3 = 0;

        key_and_peer(want[i].name, &k, &share, &p);
        d = EVP_PKEY_dup(k);
        assert_non_null(d);
        assert_int_equal(EVP_PKEY_eq(k, d), 1);
        n1 = encaps(p, ct, &ctl, ss1);
        assert_true(decaps(d, ct, ctl, ss2, &n2));
        EVP_PKEY_free(d);
        assert_true(decaps(k, ct, ctl, ss3, &n3));
        assert_int_equal(n1, n2);
        assert_memory_equal(ss1, ss2, n1);
        assert_memory_equal(ss1, ss3, n1);
        free_exchange(k, share, p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip_all_groups),
        cmocka_unit_test(wrong_length_shares),
        cmocka_unit_test(wrong_length_ciphertexts),
        cmocka_unit_test(tampered_ciphertexts),
        cmocka_unit_test(kat_x25519mlkem768_layout),
        cmocka_unit_test(kat_rfc7748_in_hybrid),
        cmocka_unit_test(kat_rfc5903_in_hybrid),
        cmocka_unit_test(kat_p256mlkem768_layout),
        cmocka_unit_test(kat_mlkem_alone),
        cmocka_unit_test(tls_group_capability),
        cmocka_unit_test(keygen_wrong_group_name),
        cmocka_unit_test(mlkem_checked_paths),
        cmocka_unit_test(p256_hybrid_point_form),
        cmocka_unit_test(dup_key_pair),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
