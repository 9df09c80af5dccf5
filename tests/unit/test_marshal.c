/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_marshal.c — the TPM 2.0 marshalling module (src/marshal) against
 * Part 2: round trips of every structure family with realistic contents,
 * byte-exact encodings written by hand from Part 2 and the TCG EK
 * Credential Profile (RSA-2048 and ECC P-256 EK templates), and the strict
 * unmarshalling rules — every truncation of every encoding must fail with
 * TPM_RC_INSUFFICIENT without reading past the end (the truncated copies
 * live in exactly-sized heap blocks so ASan sees any overread), oversize
 * TPM2Bs and counts, bad selectors, bad algorithm ids, reserved bits.
 */
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "qtpm/marshal.h"

/* ---- generic round-trip / truncation checker ---------------------------- */

typedef TPM_RC (*marshal_fn)(const void *src, uint8_t buf[], size_t size, size_t *offset);
typedef TPM_RC (*unmarshal_fn)(void *dst, const uint8_t buf[], size_t size, size_t *offset);

/* Adapters from the typed functions to the checker's void* shape. */
#define ADAPT(T)                                                                           \
    static TPM_RC m_##T(const void *s, uint8_t b[], size_t n, size_t *o)                   \
    {                                                                                      \
        return qtpm_##T##_marshal((const T *)s, b, n, o);                                  \
    }                                                                                      \
    static TPM_RC u_##T(void *d, const uint8_t b[], size_t n, size_t *o)                   \
    {                                                                                      \
        return qtpm_##T##_unmarshal((T *)d, b, n, o);                                      \
    }
#define ADAPT_NULL(T)                                                                      \
    static TPM_RC m_##T(const void *s, uint8_t b[], size_t n, size_t *o)                   \
    {                                                                                      \
        return qtpm_##T##_marshal((const T *)s, b, n, o);                                  \
    }                                                                                      \
    static TPM_RC u_##T(void *d, const uint8_t b[], size_t n, size_t *o)                   \
    {                                                                                      \
        return qtpm_##T##_unmarshal((T *)d, b, n, o, YES);                                 \
    }

ADAPT_NULL(TPMT_PUBLIC)
ADAPT_NULL(TPM2B_PUBLIC)
ADAPT(TPMT_SENSITIVE)
ADAPT(TPM2B_SENSITIVE)
ADAPT(TPM2B_SENSITIVE_CREATE)
ADAPT(TPMS_ATTEST)
ADAPT_NULL(TPMT_SIGNATURE)
ADAPT(TPMS_CAPABILITY_DATA)
ADAPT(TPMS_NV_PUBLIC)
ADAPT(TPM2B_NV_PUBLIC)
ADAPT(TPMS_CONTEXT)
ADAPT(TPMS_CONTEXT_DATA)
ADAPT(TPMS_AUTH_COMMAND)
ADAPT(TPMS_AUTH_RESPONSE)
ADAPT(TPMT_TK_CREATION)
ADAPT(TPMT_TK_VERIFIED)
ADAPT(TPMT_TK_AUTH)
ADAPT(TPMT_TK_HASHCHECK)
ADAPT(TPM2B_CREATION_DATA)
ADAPT(TPML_DIGEST_VALUES)
ADAPT(TPML_DIGEST)
ADAPT(TPMS_ALGORITHM_DETAIL_ECC)
ADAPT_NULL(TPMT_SYM_DEF)
ADAPT_NULL(TPMT_SIG_SCHEME)
ADAPT_NULL(TPMT_RSA_DECRYPT)
ADAPT_NULL(TPMT_ASYM_SCHEME)
ADAPT(TPMS_ID_OBJECT)
ADAPT(TPM2B_ECC_POINT)
ADAPT(TPMS_DERIVE)
ADAPT(TPMT_PUBLIC_PARMS)
ADAPT(TPML_ALG)
ADAPT(TPML_CC)
ADAPT(TPM2B_KEM_CIPHERTEXT)
ADAPT(TPM2B_SHARED_SECRET)
ADAPT(TPM2B_SIGNATURE_CTX)
ADAPT(TPM2B_ENCRYPTED_SECRET)
ADAPT(TPM2B_VENDOR_LDAA_PIECE)
ADAPT(INT32)

#define CHECK(T, obj, expect_len) check_all(m_##T, u_##T, (obj), (expect_len), #T)

static uint8_t g_buf[16384];
static uint8_t g_buf2[16384];
/* Big enough and aligned for any structure unmarshalled here. */
static union {
    TPMT_PUBLIC pub;
    TPM2B_PUBLIC pub2b;
    TPMS_ATTEST attest;
    TPMT_SIGNATURE sig;
    TPMS_CAPABILITY_DATA cap;
    TPMS_CONTEXT ctx;
    TPM2B_CREATION_DATA cd;
    TPMT_SENSITIVE sens;
    TPM2B_SENSITIVE sens2b;
    TPMS_ALGORITHM_DETAIL_ECC ecc;
    TPM2B_ENCRYPTED_SECRET es;
    TPM2B_VENDOR_LDAA_PIECE lp;
} g_obj;

/* Marshals src, checks the length (if expect_len != 0), the byte count of
 * a NULL buffer, TPM_RC_SIZE for every too-small output, that unmarshalling
 * consumes exactly the encoding and re-marshals to the same bytes, and that
 * every strict prefix fails with TPM_RC_INSUFFICIENT and leaves the offset. */
static size_t check_all(marshal_fn m, unmarshal_fn u, const void *src, size_t expect_len,
                        const char *name)
{
    size_t len = 0;
    TPM_RC rc = m(src, g_buf, sizeof g_buf, &len);
    if (rc != TPM_RC_SUCCESS)
        print_error("%s: marshal rc 0x%x\n", name, (unsigned)rc);
    assert_int_equal(rc, TPM_RC_SUCCESS);
    if (expect_len != 0)
        assert_int_equal(len, expect_len);

    size_t counted = 0;
    assert_int_equal(m(src, NULL, 0, &counted), TPM_RC_SUCCESS);
    assert_int_equal(counted, len);

    /* Output too small: TPM_RC_SIZE, offset unchanged. A few spots are
     * enough for big encodings; small ones get every size. */
    size_t step = len > 600 ? len / 97 + 1 : 1;
    for (size_t cap = 0; cap < len; cap += step) {
        size_t off = 0;
        assert_int_equal(m(src, g_buf2, cap, &off), TPM_RC_SIZE);
        assert_int_equal(off, 0);
    }

    /* Exact round trip, with trailing bytes after the encoding ignored. */
    g_buf[len] = 0xA5;
    size_t off = 0;
    memset(&g_obj, 0xCC, sizeof g_obj);
    rc = u(&g_obj, g_buf, len + 1, &off);
    if (rc != TPM_RC_SUCCESS)
        print_error("%s: unmarshal rc 0x%x\n", name, (unsigned)rc);
    assert_int_equal(rc, TPM_RC_SUCCESS);
    assert_int_equal(off, len);
    size_t len2 = 0;
    assert_int_equal(m(&g_obj, g_buf2, sizeof g_buf2, &len2), TPM_RC_SUCCESS);
    assert_int_equal(len2, len);
    assert_memory_equal(g_buf, g_buf2, len);

    /* Every strict prefix is too short: TPM_RC_INSUFFICIENT, offset kept.
     * The prefix sits at the end of its own heap block, so ASan catches a
     * read of even one byte too many. */
    for (size_t t = 0; t < len; t += (len > 3000 ? 7 : 1)) {
        uint8_t *p = malloc(t ? t : 1);
        assert_non_null(p);
        memcpy(p, g_buf, t);
        size_t o = 0;
        rc = u(&g_obj, p, t, &o);
        if (rc != TPM_RC_INSUFFICIENT)
            print_error("%s: prefix %zu of %zu gave 0x%x\n", name, t, len, (unsigned)rc);
        assert_int_equal(rc, TPM_RC_INSUFFICIENT);
        assert_int_equal(o, 0);
        free(p);
    }
    return len;
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed + i * 31 + (i >> 8));
}

static void hex_equal(const uint8_t *got, size_t got_len, const char *hex)
{
    uint8_t *want;
    size_t want_len;
    tu_hex(hex, &want, &want_len);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(want);
}

/* ---- public areas -------------------------------------------------------- */

static const uint8_t ek_policy[32] = {
    0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7,
    0x24, 0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14,
    0x69, 0xAA,
};

/* TCG EK Credential Profile, template L-1 (RSA 2048). */
static void rsa_ek_template(TPMT_PUBLIC *p)
{
    memset(p, 0, sizeof *p);
    p->type = TPM_ALG_RSA;
    p->nameAlg = TPM_ALG_SHA256;
    p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                          TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_ADMINWITHPOLICY |
                          TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT;
    p->authPolicy.size = 32;
    memcpy(p->authPolicy.buffer, ek_policy, 32);
    p->parameters.rsaDetail.symmetric.algorithm = TPM_ALG_AES;
    p->parameters.rsaDetail.symmetric.keyBits.aes = 128;
    p->parameters.rsaDetail.symmetric.mode.aes = TPM_ALG_CFB;
    p->parameters.rsaDetail.scheme.scheme = TPM_ALG_NULL;
    p->parameters.rsaDetail.keyBits = 2048;
    p->parameters.rsaDetail.exponent = 0;
    p->unique.rsa.size = 256;
}

#define EK_HEAD "0001000B000300B20020837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B331469AA"
#define ZERO32 "0000000000000000000000000000000000000000000000000000000000000000"
#define ZERO256 ZERO32 ZERO32 ZERO32 ZERO32 ZERO32 ZERO32 ZERO32 ZERO32

static void test_rsa_ek_template_bytes(void **state)
{
    (void)state;
    TPMT_PUBLIC p;
    rsa_ek_template(&p);
    assert_int_equal(p.objectAttributes, 0x000300B2);
    size_t len = CHECK(TPMT_PUBLIC, &p, 314);
    hex_equal(g_buf, len, EK_HEAD "000600800043" "0010" "0800" "00000000" "0100" ZERO256);

    TPM2B_PUBLIC p2;
    p2.size = 0; /* ignored: the marshaller computes it */
    p2.publicArea = p;
    len = CHECK(TPM2B_PUBLIC, &p2, 316);
    hex_equal(g_buf, len,
              "013A" EK_HEAD "000600800043" "0010" "0800" "00000000" "0100" ZERO256);
    size_t off = 0;
    TPM2B_PUBLIC back;
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&back, g_buf, len, &off, NO), TPM_RC_SUCCESS);
    assert_int_equal(back.size, 314);
    assert_int_equal(back.publicArea.parameters.rsaDetail.keyBits, 2048);
    assert_int_equal(back.publicArea.parameters.rsaDetail.symmetric.mode.aes, TPM_ALG_CFB);
    assert_memory_equal(back.publicArea.authPolicy.buffer, ek_policy, 32);
}

/* TCG EK Credential Profile, template L-2 (ECC NIST P-256). */
static void test_ecc_ek_template_bytes(void **state)
{
    (void)state;
    TPMT_PUBLIC p;
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_ECC;
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = 0x000300B2;
    p.authPolicy.size = 32;
    memcpy(p.authPolicy.buffer, ek_policy, 32);
    p.parameters.eccDetail.symmetric.algorithm = TPM_ALG_AES;
    p.parameters.eccDetail.symmetric.keyBits.aes = 128;
    p.parameters.eccDetail.symmetric.mode.aes = TPM_ALG_CFB;
    p.parameters.eccDetail.scheme.scheme = TPM_ALG_NULL;
    p.parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
    p.parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    p.unique.ecc.x.size = 32;
    p.unique.ecc.y.size = 32;
    size_t len = CHECK(TPMT_PUBLIC, &p, 122);
    hex_equal(g_buf, len,
              "0023000B000300B20020837197674484B3F81A90CC8D46A5D724FD52D76E06520B64F2A1DA1B3314"
              "69AA" "000600800043" "0010" "0003" "0010" "0020" ZERO32 "0020" ZERO32);
}

static void test_public_families(void **state)
{
    (void)state;
    TPMT_PUBLIC p;

    /* RSA-3072 signing key, RSAPSS/SHA-384, random modulus */
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_RSA;
    p.nameAlg = TPM_ALG_SHA384;
    p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                         TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                         TPMA_OBJECT_SIGN_ENCRYPT;
    p.parameters.rsaDetail.symmetric.algorithm = TPM_ALG_NULL;
    p.parameters.rsaDetail.scheme.scheme = TPM_ALG_RSAPSS;
    p.parameters.rsaDetail.scheme.details.rsapss.hashAlg = TPM_ALG_SHA384;
    p.parameters.rsaDetail.keyBits = 3072;
    p.parameters.rsaDetail.exponent = 65537;
    p.unique.rsa.size = 384;
    fill(p.unique.rsa.buffer, 384, 1);
    CHECK(TPMT_PUBLIC, &p, 2 + 2 + 4 + 2 + 2 + 2 + 2 + 2 + 4 + 2 + 384);

    /* ECC P-384 ECDAA key with KDF2 */
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_ECC;
    p.nameAlg = TPM_ALG_SHA3_384;
    p.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
    p.authPolicy.size = 48;
    fill(p.authPolicy.buffer, 48, 2);
    p.parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    p.parameters.eccDetail.scheme.scheme = TPM_ALG_ECDAA;
    p.parameters.eccDetail.scheme.details.ecdaa.hashAlg = TPM_ALG_SHA384;
    p.parameters.eccDetail.scheme.details.ecdaa.count = 7;
    p.parameters.eccDetail.curveID = TPM_ECC_NIST_P384;
    p.parameters.eccDetail.kdf.scheme = TPM_ALG_KDF2;
    p.parameters.eccDetail.kdf.details.kdf2.hashAlg = TPM_ALG_SHA384;
    p.unique.ecc.x.size = 48;
    p.unique.ecc.y.size = 48;
    fill(p.unique.ecc.x.buffer, 48, 3);
    fill(p.unique.ecc.y.buffer, 48, 4);
    CHECK(TPMT_PUBLIC, &p, 0);

    /* KEYEDHASH: HMAC key, sealed data object (NULL scheme), XOR key */
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_KEYEDHASH;
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
    p.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_HMAC;
    p.parameters.keyedHashDetail.scheme.details.hmac.hashAlg = TPM_ALG_SHA256;
    p.unique.keyedHash.size = 32;
    fill(p.unique.keyedHash.buffer, 32, 5);
    size_t len = CHECK(TPMT_PUBLIC, &p, 2 + 2 + 4 + 2 + 2 + 2 + 2 + 32);
    hex_equal(g_buf, 14, "0008000B000400400000" "0005000B");
    p.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_NULL;
    p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT;
    CHECK(TPMT_PUBLIC, &p, len - 2);
    p.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_XOR;
    p.parameters.keyedHashDetail.scheme.details.exclusiveOr.hashAlg = TPM_ALG_SHA512;
    p.parameters.keyedHashDetail.scheme.details.exclusiveOr.kdf = TPM_ALG_KDF1_SP800_108;
    CHECK(TPMT_PUBLIC, &p, len + 2);

    /* SYMCIPHER: AES-256-CFB storage key */
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_SYMCIPHER;
    p.nameAlg = TPM_ALG_SHA512;
    p.objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_FIXEDTPM;
    p.parameters.symDetail.sym.algorithm = TPM_ALG_AES;
    p.parameters.symDetail.sym.keyBits.aes = 256;
    p.parameters.symDetail.sym.mode.aes = TPM_ALG_CFB;
    p.unique.sym.size = 64;
    fill(p.unique.sym.buffer, 64, 6);
    CHECK(TPMT_PUBLIC, &p, 2 + 2 + 4 + 2 + 6 + 2 + 64);

    /* ML-KEM-768 restricted decryption key (AES-128-CFB), full public key */
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_MLKEM;
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = 0x000300B2;
    p.parameters.mlkemDetail.symmetric.algorithm = TPM_ALG_AES;
    p.parameters.mlkemDetail.symmetric.keyBits.aes = 128;
    p.parameters.mlkemDetail.symmetric.mode.aes = TPM_ALG_CFB;
    p.parameters.mlkemDetail.parameterSet = TPM_MLKEM_768;
    p.unique.mlkem.size = 1184;
    fill(p.unique.mlkem.buffer, 1184, 7);
    len = CHECK(TPMT_PUBLIC, &p, 2 + 2 + 4 + 2 + 6 + 2 + 2 + 1184);
    hex_equal(g_buf, 20, "00A0000B000300B20000" "000600800043" "0002" "04A0");
    /* the unrestricted form with a NULL symmetric and ML-KEM-1024 */
    p.objectAttributes = TPMA_OBJECT_DECRYPT | TPMA_OBJECT_USERWITHAUTH;
    p.parameters.mlkemDetail.symmetric.algorithm = TPM_ALG_NULL;
    p.parameters.mlkemDetail.parameterSet = TPM_MLKEM_1024;
    p.unique.mlkem.size = 1568;
    fill(p.unique.mlkem.buffer, 1568, 8);
    CHECK(TPMT_PUBLIC, &p, 2 + 2 + 4 + 2 + 2 + 2 + 2 + 1568);

    /* ML-DSA-87 with external mu, full public key; empty-unique template */
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_MLDSA;
    p.nameAlg = TPM_ALG_SHA3_512;
    p.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH |
                         TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                         TPMA_OBJECT_SENSITIVEDATAORIGIN;
    p.parameters.mldsaDetail.parameterSet = TPM_MLDSA_87;
    p.parameters.mldsaDetail.allowExternalMu = YES;
    p.unique.mldsa.size = 2592;
    fill(p.unique.mldsa.buffer, 2592, 9);
    CHECK(TPMT_PUBLIC, &p, 2 + 2 + 4 + 2 + 3 + 2 + 2592);
    p.unique.mldsa.size = 0;
    len = CHECK(TPMT_PUBLIC, &p, 15);
    hex_equal(g_buf, len, "00A1002900040072" "0000" "0003" "01" "0000");

    /* HashML-DSA-65 with SHA-512 pre-hash */
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_HASH_MLDSA;
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
    p.parameters.hashMldsaDetail.parameterSet = TPM_MLDSA_65;
    p.parameters.hashMldsaDetail.hashAlg = TPM_ALG_SHA512;
    p.unique.mldsa.size = 1952;
    fill(p.unique.mldsa.buffer, 1952, 10);
    len = CHECK(TPMT_PUBLIC, &p, 2 + 2 + 4 + 2 + 4 + 2 + 1952);
    hex_equal(g_buf, 16, "00A2000B00040040" "0000" "0002000D" "07A0");

    /* TPM2B_PUBLIC of the largest public area, and TPMT_PUBLIC_PARMS */
    TPM2B_PUBLIC p2;
    memset(&p2, 0, sizeof p2);
    p2.publicArea = p;
    CHECK(TPM2B_PUBLIC, &p2, 2 + len);
    TPMT_PUBLIC_PARMS parms;
    parms.type = p.type;
    parms.parameters = p.parameters;
    CHECK(TPMT_PUBLIC_PARMS, &parms, 6);
}

/* nameAlg TPM_ALG_NULL only where the caller allows it (TPM2_LoadExternal). */
static void test_public_null_name_alg(void **state)
{
    (void)state;
    TPMT_PUBLIC p, back;
    rsa_ek_template(&p);
    p.nameAlg = TPM_ALG_NULL;
    size_t len = 0, off = 0;
    assert_int_equal(qtpm_TPMT_PUBLIC_marshal(&p, g_buf, sizeof g_buf, &len), TPM_RC_SUCCESS);
    assert_int_equal(qtpm_TPMT_PUBLIC_unmarshal(&back, g_buf, len, &off, NO), TPM_RC_HASH);
    assert_int_equal(off, 0);
    assert_int_equal(qtpm_TPMT_PUBLIC_unmarshal(&back, g_buf, len, &off, YES), TPM_RC_SUCCESS);
    assert_int_equal(off, len);
    assert_int_equal(back.nameAlg, TPM_ALG_NULL);
}

/* ---- sensitive areas ---------------------------------------------------- */

static void test_sensitive(void **state)
{
    (void)state;
    TPMT_SENSITIVE s;
    memset(&s, 0, sizeof s);
    s.authValue.size = 20;
    fill(s.authValue.buffer, 20, 11);
    s.seedValue.size = 32;
    fill(s.seedValue.buffer, 32, 12);

    s.sensitiveType = TPM_ALG_RSA;
    s.sensitive.rsa.size = 128;
    fill(s.sensitive.rsa.buffer, 128, 13);
    CHECK(TPMT_SENSITIVE, &s, 2 + 22 + 34 + 130);
    s.sensitiveType = TPM_ALG_ECC;
    s.sensitive.ecc.size = 32;
    CHECK(TPMT_SENSITIVE, &s, 2 + 22 + 34 + 34);
    s.sensitiveType = TPM_ALG_KEYEDHASH;
    s.sensitive.bits.size = 100;
    CHECK(TPMT_SENSITIVE, &s, 2 + 22 + 34 + 102);
    s.sensitiveType = TPM_ALG_SYMCIPHER;
    s.sensitive.sym.size = 16;
    CHECK(TPMT_SENSITIVE, &s, 2 + 22 + 34 + 18);
    s.sensitiveType = TPM_ALG_MLKEM;
    s.sensitive.mlkem.size = 64;
    fill(s.sensitive.mlkem.buffer, 64, 14);
    CHECK(TPMT_SENSITIVE, &s, 2 + 22 + 34 + 66);
    s.sensitiveType = TPM_ALG_MLDSA;
    s.sensitive.mldsa.size = 32;
    CHECK(TPMT_SENSITIVE, &s, 2 + 22 + 34 + 34);
    s.sensitiveType = TPM_ALG_HASH_MLDSA;
    size_t len = CHECK(TPMT_SENSITIVE, &s, 2 + 22 + 34 + 34);

    TPM2B_SENSITIVE s2;
    memset(&s2, 0, sizeof s2);
    s2.size = 1; /* non-zero: has a sensitive area; actual size computed */
    s2.sensitiveArea = s;
    CHECK(TPM2B_SENSITIVE, &s2, 2 + len);

    /* The empty TPM2B_SENSITIVE of a public-only LoadExternal */
    s2.size = 0;
    len = 0;
    assert_int_equal(qtpm_TPM2B_SENSITIVE_marshal(&s2, g_buf, sizeof g_buf, &len),
                     TPM_RC_SUCCESS);
    hex_equal(g_buf, len, "0000");
    size_t off = 0;
    s2.size = 77;
    assert_int_equal(qtpm_TPM2B_SENSITIVE_unmarshal(&s2, g_buf, len, &off), TPM_RC_SUCCESS);
    assert_int_equal(s2.size, 0);
    assert_int_equal(off, 2);

    /* ML-DSA seeds are exactly 32 bytes: 33 does not fit the type */
    len = 0;
    s.sensitiveType = TPM_ALG_MLDSA;
    assert_int_equal(qtpm_TPMT_SENSITIVE_marshal(&s, g_buf, sizeof g_buf, &len), TPM_RC_SUCCESS);
    g_buf[len - 33] = 33;
    off = 0;
    assert_int_equal(qtpm_TPMT_SENSITIVE_unmarshal(&s, g_buf, len + 1, &off), TPM_RC_SIZE);

    TPM2B_SENSITIVE_CREATE sc;
    memset(&sc, 0, sizeof sc);
    sc.sensitive.userAuth.size = 8;
    memcpy(sc.sensitive.userAuth.buffer, "password", 8);
    sc.sensitive.data.size = 5;
    memcpy(sc.sensitive.data.buffer, "token", 5);
    len = CHECK(TPM2B_SENSITIVE_CREATE, &sc, 2 + 10 + 7);
    hex_equal(g_buf, len, "0011" "0008" "70617373776f7264" "0005" "746f6b656e");
}

/* ---- attestation ------------------------------------------------------- */

static void attest_header(TPMS_ATTEST *a, TPMI_ST_ATTEST type)
{
    memset(a, 0, sizeof *a);
    a->magic = TPM_GENERATED_VALUE;
    a->type = type;
    a->qualifiedSigner.size = 34;
    a->qualifiedSigner.buffer[1] = 0x0B;
    fill(a->qualifiedSigner.buffer + 2, 32, 20);
    a->extraData.size = 16;
    fill(a->extraData.buffer, 16, 21);
    a->clockInfo.clock = 0x0000012345678901ULL;
    a->clockInfo.resetCount = 3;
    a->clockInfo.restartCount = 1;
    a->clockInfo.safe = YES;
    a->firmwareVersion = 0x2024111500000001ULL;
}

static void test_attest_each_type(void **state)
{
    (void)state;
    TPMS_ATTEST a;
    const size_t head = 4 + 2 + 36 + 18 + 17 + 8;

    attest_header(&a, TPM_ST_ATTEST_QUOTE);
    a.attested.quote.pcrSelect.count = 2;
    a.attested.quote.pcrSelect.pcrSelections[0].hash = TPM_ALG_SHA256;
    a.attested.quote.pcrSelect.pcrSelections[0].sizeofSelect = 3;
    a.attested.quote.pcrSelect.pcrSelections[0].pcrSelect[0] = 0xFF;
    a.attested.quote.pcrSelect.pcrSelections[1].hash = TPM_ALG_SHA3_256;
    a.attested.quote.pcrSelect.pcrSelections[1].sizeofSelect = 3;
    a.attested.quote.pcrSelect.pcrSelections[1].pcrSelect[2] = 0x80;
    a.attested.quote.pcrDigest.size = 32;
    fill(a.attested.quote.pcrDigest.buffer, 32, 22);
    size_t len = CHECK(TPMS_ATTEST, &a, head + 4 + 2 * 6 + 34);
    hex_equal(g_buf, 6, "FF5443478018");

    attest_header(&a, TPM_ST_ATTEST_CERTIFY);
    a.attested.certify.name.size = 34;
    a.attested.certify.qualifiedName.size = 34;
    CHECK(TPMS_ATTEST, &a, head + 72);

    attest_header(&a, TPM_ST_ATTEST_CREATION);
    a.attested.creation.objectName.size = 34;
    a.attested.creation.creationHash.size = 32;
    CHECK(TPMS_ATTEST, &a, head + 70);

    attest_header(&a, TPM_ST_ATTEST_COMMAND_AUDIT);
    a.attested.commandAudit.auditCounter = 99;
    a.attested.commandAudit.digestAlg = TPM_ALG_SHA384;
    a.attested.commandAudit.auditDigest.size = 48;
    a.attested.commandAudit.commandDigest.size = 48;
    CHECK(TPMS_ATTEST, &a, head + 8 + 2 + 50 + 50);

    attest_header(&a, TPM_ST_ATTEST_SESSION_AUDIT);
    a.attested.sessionAudit.exclusiveSession = YES;
    a.attested.sessionAudit.sessionDigest.size = 32;
    CHECK(TPMS_ATTEST, &a, head + 1 + 34);

    attest_header(&a, TPM_ST_ATTEST_TIME);
    a.attested.time.time.time = 123456;
    a.attested.time.time.clockInfo = a.clockInfo;
    a.attested.time.firmwareVersion = 7;
    CHECK(TPMS_ATTEST, &a, head + 8 + 17 + 8);

    attest_header(&a, TPM_ST_ATTEST_NV);
    a.attested.nv.indexName.size = 34;
    a.attested.nv.offset = 16;
    a.attested.nv.nvContents.size = MAX_NV_BUFFER_SIZE;
    fill(a.attested.nv.nvContents.buffer, MAX_NV_BUFFER_SIZE, 23);
    len = CHECK(TPMS_ATTEST, &a, head + 36 + 2 + 2 + MAX_NV_BUFFER_SIZE);
    assert_true(len <= MAX_ATTEST_BUFFER); /* fits TPM2B_ATTEST */

    attest_header(&a, TPM_ST_ATTEST_NV_DIGEST);
    a.attested.nvDigest.indexName.size = 34;
    a.attested.nvDigest.nvDigest.size = 64;
    CHECK(TPMS_ATTEST, &a, head + 36 + 66);
}

static void test_attest_rejects(void **state)
{
    (void)state;
    TPMS_ATTEST a;
    attest_header(&a, TPM_ST_ATTEST_SESSION_AUDIT);
    a.attested.sessionAudit.sessionDigest.size = 32;
    size_t len = 0, off = 0;
    assert_int_equal(qtpm_TPMS_ATTEST_marshal(&a, g_buf, sizeof g_buf, &len), TPM_RC_SUCCESS);
    g_buf[0] = 0xFE; /* magic */
    assert_int_equal(qtpm_TPMS_ATTEST_unmarshal(&a, g_buf, len, &off), TPM_RC_VALUE);
    g_buf[0] = 0xFF;
    g_buf[5] = 0x21; /* type 0x8021 = TPM_ST_CREATION, not an attestation */
    assert_int_equal(qtpm_TPMS_ATTEST_unmarshal(&a, g_buf, len, &off), TPM_RC_VALUE);
    g_buf[5] = 0x16;
    g_buf[4 + 2 + 36 + 18 + 16] = 2; /* clockInfo.safe is TPMI_YES_NO */
    assert_int_equal(qtpm_TPMS_ATTEST_unmarshal(&a, g_buf, len, &off), TPM_RC_VALUE);
    g_buf[4 + 2 + 36 + 18 + 16] = 1;
    assert_int_equal(qtpm_TPMS_ATTEST_unmarshal(&a, g_buf, len, &off), TPM_RC_SUCCESS);
    /* marshal refuses a union selector with no member */
    a.type = TPM_ST_CREATION;
    len = 0;
    assert_int_equal(qtpm_TPMS_ATTEST_marshal(&a, g_buf, sizeof g_buf, &len), TPM_RC_SELECTOR);
    assert_int_equal(len, 0);
}

/* ---- signatures ----------------------------------------------------------- */

static void test_signature_each_scheme(void **state)
{
    (void)state;
    TPMT_SIGNATURE s;
    size_t len;

    memset(&s, 0, sizeof s);
    s.sigAlg = TPM_ALG_RSASSA;
    s.signature.rsassa.hash = TPM_ALG_SHA256;
    s.signature.rsassa.sig.size = 256;
    fill(s.signature.rsassa.sig.buffer, 256, 30);
    CHECK(TPMT_SIGNATURE, &s, 2 + 2 + 2 + 256);
    s.sigAlg = TPM_ALG_RSAPSS;
    s.signature.rsapss.sig.size = 512;
    fill(s.signature.rsapss.sig.buffer, 512, 31);
    CHECK(TPMT_SIGNATURE, &s, 2 + 2 + 2 + 512);

    memset(&s, 0, sizeof s);
    s.sigAlg = TPM_ALG_ECDSA;
    s.signature.ecdsa.hash = TPM_ALG_SHA384;
    s.signature.ecdsa.signatureR.size = 48;
    s.signature.ecdsa.signatureS.size = 48;
    fill(s.signature.ecdsa.signatureR.buffer, 48, 32);
    fill(s.signature.ecdsa.signatureS.buffer, 48, 33);
    CHECK(TPMT_SIGNATURE, &s, 2 + 2 + 50 + 50);
    s.sigAlg = TPM_ALG_ECDAA;
    CHECK(TPMT_SIGNATURE, &s, 2 + 2 + 50 + 50);
    s.sigAlg = TPM_ALG_ECSCHNORR;
    CHECK(TPMT_SIGNATURE, &s, 2 + 2 + 50 + 50);

    memset(&s, 0, sizeof s);
    s.sigAlg = TPM_ALG_HMAC;
    s.signature.hmac.hashAlg = TPM_ALG_SHA3_256;
    fill(s.signature.hmac.digest.sha3_256, 32, 34);
    len = CHECK(TPMT_SIGNATURE, &s, 2 + 2 + 32);
    hex_equal(g_buf, 4, "00050027");

    /* ML-DSA-87: sigAlg, then a bare TPM2B of 4627 bytes (v1.85 §11.3.4) */
    memset(&s, 0, sizeof s);
    s.sigAlg = TPM_ALG_MLDSA;
    s.signature.mldsa.size = 4627;
    fill(s.signature.mldsa.buffer, 4627, 35);
    len = CHECK(TPMT_SIGNATURE, &s, 2 + 2 + 4627);
    hex_equal(g_buf, 4, "00A11213");

    /* HashML-DSA-44: sigAlg, hash, TPM2B of 2420 bytes (v1.85 §11.2.7.2) */
    memset(&s, 0, sizeof s);
    s.sigAlg = TPM_ALG_HASH_MLDSA;
    s.signature.hash_mldsa.hash = TPM_ALG_SHA256;
    s.signature.hash_mldsa.signature.size = 2420;
    fill(s.signature.hash_mldsa.signature.buffer, 2420, 36);
    len = CHECK(TPMT_SIGNATURE, &s, 2 + 2 + 2 + 2420);
    hex_equal(g_buf, 6, "00A2000B0974");

    /* TPM_ALG_NULL: no signature (TPMT_SIGNATURE+) */
    memset(&s, 0, sizeof s);
    s.sigAlg = TPM_ALG_NULL;
    len = CHECK(TPMT_SIGNATURE, &s, 2);
    size_t off = 0;
    assert_int_equal(qtpm_TPMT_SIGNATURE_unmarshal(&s, g_buf, len, &off, NO), TPM_RC_SCHEME);

    /* a signature larger than ML-DSA-87's is TPM_RC_SIZE */
    off = 0;
    assert_int_equal(
        qtpm_TPMT_SIGNATURE_unmarshal(&s, (const uint8_t *)"\x00\xA1\x12\x14", 4, &off, NO),
        TPM_RC_SIZE);
    /* SM2 is not implemented: TPM_RC_SCHEME */
    off = 0;
    assert_int_equal(
        qtpm_TPMT_SIGNATURE_unmarshal(&s, (const uint8_t *)"\x00\x1B\x00\x0B", 4, &off, NO),
        TPM_RC_SCHEME);
    /* an RSASSA signature with an unknown hash: TPM_RC_HASH */
    assert_int_equal(
        qtpm_TPMT_SIGNATURE_unmarshal(&s, (const uint8_t *)"\x00\x14\x00\x12\x00\x00", 6,
                                      &off, NO),
        TPM_RC_HASH);
}

static void test_schemes(void **state)
{
    (void)state;
    TPMT_SIG_SCHEME ss;
    memset(&ss, 0, sizeof ss);
    ss.scheme = TPM_ALG_ECDAA;
    ss.details.ecdaa.hashAlg = TPM_ALG_SHA256;
    ss.details.ecdaa.count = 0x1234;
    size_t len = CHECK(TPMT_SIG_SCHEME, &ss, 6);
    hex_equal(g_buf, len, "001A000B1234");
    ss.scheme = TPM_ALG_MLDSA;
    len = CHECK(TPMT_SIG_SCHEME, &ss, 2);
    ss.scheme = TPM_ALG_HASH_MLDSA;
    ss.details.hash_mldsa.hashAlg = TPM_ALG_SHA3_512;
    len = CHECK(TPMT_SIG_SCHEME, &ss, 4);
    hex_equal(g_buf, len, "00A20029");

    TPMT_RSA_DECRYPT rd;
    memset(&rd, 0, sizeof rd);
    rd.scheme = TPM_ALG_OAEP;
    rd.details.oaep.hashAlg = TPM_ALG_SHA1;
    len = CHECK(TPMT_RSA_DECRYPT, &rd, 4);
    hex_equal(g_buf, len, "00170004");
    rd.scheme = TPM_ALG_RSAES;
    CHECK(TPMT_RSA_DECRYPT, &rd, 2);
    size_t off = 0;
    /* RSASSA is a scheme but not a decryption scheme */
    assert_int_equal(qtpm_TPMT_RSA_DECRYPT_unmarshal(&rd, (const uint8_t *)"\x00\x14\x00\x0B",
                                                     4, &off, YES),
                     TPM_RC_VALUE);

    TPMT_ASYM_SCHEME as;
    memset(&as, 0, sizeof as);
    as.scheme = TPM_ALG_ECDH;
    as.details.ecdh.hashAlg = TPM_ALG_SHA384;
    CHECK(TPMT_ASYM_SCHEME, &as, 4);

    TPMT_SYM_DEF sd;
    memset(&sd, 0, sizeof sd);
    sd.algorithm = TPM_ALG_XOR;
    sd.keyBits.exclusiveOr = TPM_ALG_SHA256;
    len = CHECK(TPMT_SYM_DEF, &sd, 4);
    hex_equal(g_buf, len, "000A000B");
    sd.algorithm = TPM_ALG_AES;
    sd.keyBits.aes = 192;
    sd.mode.aes = TPM_ALG_CTR;
    len = CHECK(TPMT_SYM_DEF, &sd, 6);
    hex_equal(g_buf, len, "000600C00040");
    sd.algorithm = TPM_ALG_NULL;
    CHECK(TPMT_SYM_DEF, &sd, 2);

    TPMS_ALGORITHM_DETAIL_ECC d;
    memset(&d, 0, sizeof d);
    d.curveID = TPM_ECC_NIST_P256;
    d.keySize = 256;
    d.kdf.scheme = TPM_ALG_NULL;
    d.sign.scheme = TPM_ALG_NULL;
    TPM2B_ECC_PARAMETER *params[] = {&d.p, &d.a, &d.b, &d.gX, &d.gY, &d.n, &d.h};
    for (unsigned i = 0; i < 7; i++) {
        params[i]->size = i == 6 ? 1 : 32;
        fill(params[i]->buffer, params[i]->size, 40 + i);
    }
    CHECK(TPMS_ALGORITHM_DETAIL_ECC, &d, 2 + 2 + 2 + 2 + 6 * 34 + 3);
}

/* ---- capability data ---------------------------------------------------- */

static void test_capability_each_kind(void **state)
{
    (void)state;
    static TPMS_CAPABILITY_DATA c;

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_ALGS;
    c.data.algorithms.count = 3;
    c.data.algorithms.algProperties[0].alg = TPM_ALG_MLKEM;
    c.data.algorithms.algProperties[0].algProperties =
        TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_OBJECT | TPMA_ALGORITHM_ENCRYPTING;
    c.data.algorithms.algProperties[1].alg = TPM_ALG_MLDSA;
    c.data.algorithms.algProperties[1].algProperties =
        TPMA_ALGORITHM_ASYMMETRIC | TPMA_ALGORITHM_OBJECT | TPMA_ALGORITHM_SIGNING;
    c.data.algorithms.algProperties[2].alg = TPM_ALG_SHA3_256;
    c.data.algorithms.algProperties[2].algProperties = TPMA_ALGORITHM_HASH;
    size_t len = CHECK(TPMS_CAPABILITY_DATA, &c, 4 + 4 + 3 * 6);
    hex_equal(g_buf, len, "00000000" "00000003" "00A000000209" "00A100000109" "002700000004");

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_HANDLES;
    c.data.handles.count = 3;
    c.data.handles.handle[0] = 0x81000001;
    c.data.handles.handle[1] = 0x81010001;
    c.data.handles.handle[2] = 0x81800000;
    CHECK(TPMS_CAPABILITY_DATA, &c, 8 + 12);

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_COMMANDS;
    c.data.command.count = 2;
    c.data.command.commandAttributes[0] = TPM_CC_CreatePrimary | (1U << 25) | TPMA_CC_RHANDLE;
    c.data.command.commandAttributes[1] = (TPM_CC_Encapsulate & 0xFFFF) | (1U << 25);
    CHECK(TPMS_CAPABILITY_DATA, &c, 8 + 8);

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_PP_COMMANDS;
    c.data.ppCommands.count = 2;
    c.data.ppCommands.commandCodes[0] = TPM_CC_Clear;
    c.data.ppCommands.commandCodes[1] = TPM_CC_PCR_Allocate;
    CHECK(TPMS_CAPABILITY_DATA, &c, 8 + 8);
    c.capability = TPM_CAP_AUDIT_COMMANDS;
    CHECK(TPMS_CAPABILITY_DATA, &c, 8 + 8);

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_PCRS;
    c.data.assignedPCR.count = HASH_COUNT;
    TPM_ALG_ID banks[HASH_COUNT];
    assert_int_equal(qtpm_supported_hash_list(banks, HASH_COUNT), HASH_COUNT);
    for (unsigned i = 0; i < HASH_COUNT; i++) {
        c.data.assignedPCR.pcrSelections[i].hash = banks[i];
        c.data.assignedPCR.pcrSelections[i].sizeofSelect = 3;
        memset(c.data.assignedPCR.pcrSelections[i].pcrSelect, 0xFF, 3);
    }
    CHECK(TPMS_CAPABILITY_DATA, &c, 8 + HASH_COUNT * 6);

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_TPM_PROPERTIES;
    c.data.tpmProperties.count = 4;
    c.data.tpmProperties.tpmProperty[0].property = TPM_PT_FAMILY_INDICATOR;
    c.data.tpmProperties.tpmProperty[0].value = TPM_SPEC_FAMILY;
    c.data.tpmProperties.tpmProperty[1].property = TPM_PT_MAX_COMMAND_SIZE;
    c.data.tpmProperties.tpmProperty[1].value = 8192;
    c.data.tpmProperties.tpmProperty[2].property = TPM_PT_ML_PARAMETER_SETS;
    c.data.tpmProperties.tpmProperty[2].value = 0x7F;
    c.data.tpmProperties.tpmProperty[3].property = TPM_PT_PERMANENT;
    c.data.tpmProperties.tpmProperty[3].value = TPMA_PERMANENT_TPMGENERATEDEPS;
    len = CHECK(TPMS_CAPABILITY_DATA, &c, 8 + 4 * 8);
    hex_equal(g_buf + 8, 8, "00000100322E3000");
    hex_equal(g_buf + 24, 8, "000001310000007F");

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_PCR_PROPERTIES;
    c.data.pcrProperties.count = 2;
    c.data.pcrProperties.pcrProperty[0].tag = TPM_PT_PCR_RESET_L0;
    c.data.pcrProperties.pcrProperty[0].sizeofSelect = 3;
    c.data.pcrProperties.pcrProperty[0].pcrSelect[2] = 0x80;
    c.data.pcrProperties.pcrProperty[1].tag = TPM_PT_PCR_DRTM_RESET;
    c.data.pcrProperties.pcrProperty[1].sizeofSelect = 3;
    c.data.pcrProperties.pcrProperty[1].pcrSelect[2] = 0x7E;
    CHECK(TPMS_CAPABILITY_DATA, &c, 8 + 2 * 8);

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_ECC_CURVES;
    c.data.eccCurves.count = 2;
    c.data.eccCurves.eccCurves[0] = TPM_ECC_NIST_P256;
    c.data.eccCurves.eccCurves[1] = TPM_ECC_NIST_P384;
    len = CHECK(TPMS_CAPABILITY_DATA, &c, 12);
    hex_equal(g_buf, len, "00000008000000020003" "0004");

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_AUTH_POLICIES;
    c.data.authPolicies.count = 2;
    c.data.authPolicies.policies[0].handle = TPM_RH_ENDORSEMENT;
    c.data.authPolicies.policies[0].policyHash.hashAlg = TPM_ALG_SHA256;
    fill(c.data.authPolicies.policies[0].policyHash.digest.sha256, 32, 45);
    c.data.authPolicies.policies[1].handle = TPM_RH_OWNER;
    c.data.authPolicies.policies[1].policyHash.hashAlg = TPM_ALG_NULL;
    CHECK(TPMS_CAPABILITY_DATA, &c, 8 + (4 + 34) + (4 + 2));

    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_ACT;
    c.data.actData.count = 1;
    c.data.actData.actData[0].handle = TPM_RH_ACT_0;
    c.data.actData.actData[0].timeout = 600;
    c.data.actData.actData[0].attributes = TPMA_ACT_SIGNALED;
    len = CHECK(TPMS_CAPABILITY_DATA, &c, 8 + 12);
    g_buf[len - 4] = 0x80; /* reserved TPMA_ACT bit */
    size_t off = 0;
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(&c, g_buf, len, &off),
                     TPM_RC_RESERVED_BITS);

    /* full lists: the largest counts fit a 1024-byte capability buffer */
    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_TPM_PROPERTIES;
    c.data.tpmProperties.count = MAX_TPM_PROPERTIES;
    len = CHECK(TPMS_CAPABILITY_DATA, &c, 8 + 8 * MAX_TPM_PROPERTIES);
    assert_true(len <= MAX_CAP_BUFFER);
}

static void test_lists_reject_oversize(void **state)
{
    (void)state;
    static TPMS_CAPABILITY_DATA c;
    size_t off = 0;
    /* count one larger than MAX_CAP_HANDLES */
    uint8_t in[8];
    memcpy(in, "\x00\x00\x00\x01\x00\x00\x00\xFF", 8);
    assert_int_equal(MAX_CAP_HANDLES, 254);
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(&c, in, sizeof in, &off), TPM_RC_SIZE);
    assert_int_equal(off, 0);
    /* and a count the array takes, but the input lacks: INSUFFICIENT */
    in[7] = 0xFE;
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(&c, in, sizeof in, &off),
                     TPM_RC_INSUFFICIENT);
    /* an unknown capability is TPM_RC_VALUE; a known one without union member SELECTOR */
    memcpy(in, "\x00\x00\x00\x0F\x00\x00\x00\x00", 8);
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(&c, in, sizeof in, &off), TPM_RC_VALUE);
    in[3] = 0x0B; /* TPM_CAP_PUB_KEYS (v1.83) is not implemented */
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(&c, in, sizeof in, &off), TPM_RC_VALUE);
    /* vendor: a list of UINT32 (TPML_INTEL_PTT_PROPERTY), here empty */
    memcpy(in, "\x00\x00\x01\x00\x00\x00\x00\x00", 8);
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(&c, in, sizeof in, &off),
                     TPM_RC_SUCCESS);
    assert_int_equal(off, 8);
    assert_int_equal(c.data.intelPttProperty.count, 0);
    off = 0;
    /* marshal refuses a count beyond the array */
    c.capability = TPM_CAP_ECC_CURVES;
    c.data.eccCurves.count = MAX_ECC_CURVES + 1;
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_marshal(&c, g_buf, sizeof g_buf, &off),
                     TPM_RC_SIZE);

    TPML_DIGEST ld;
    memset(&ld, 0, sizeof ld);
    ld.count = 8;
    for (unsigned i = 0; i < 8; i++)
        ld.digests[i].size = 32;
    CHECK(TPML_DIGEST, &ld, 4 + 8 * 34);
    g_buf[3] = 9;
    off = 0;
    assert_int_equal(qtpm_TPML_DIGEST_unmarshal(&ld, g_buf, sizeof g_buf, &off), TPM_RC_SIZE);

    TPML_ALG la;
    memset(&la, 0, sizeof la);
    la.count = 2;
    la.algorithms[0] = TPM_ALG_MLKEM;
    la.algorithms[1] = TPM_ALG_HASH_MLDSA;
    size_t len = CHECK(TPML_ALG, &la, 8);
    hex_equal(g_buf, len, "0000000200A000A2");

    /* TPML_CC (SetCommandCodeAuditStatus's setList and clearList): codes
     * as UINT32, vendor ones too; at most MAX_CAP_CC, a larger count is
     * TPM_RC_SIZE before any code is read, and the offset stays */
    static TPML_CC lc;
    memset(&lc, 0, sizeof lc);
    lc.count = 2;
    lc.commandCodes[0] = TPM_CC_GetRandom;
    lc.commandCodes[1] = TPM_CC_Vendor_LDAA_JoinRequest;
    len = CHECK(TPML_CC, &lc, 12);
    hex_equal(g_buf, len, "00000002" "0000017B" "20000101");
    assert_int_equal(MAX_CAP_CC, 254);
    lc.count = MAX_CAP_CC;
    CHECK(TPML_CC, &lc, 4 + 4 * MAX_CAP_CC);
    memcpy(in, "\x00\x00\x00\xFF", 4);
    off = 0;
    assert_int_equal(qtpm_TPML_CC_unmarshal(&lc, in, 4, &off), TPM_RC_SIZE);
    assert_int_equal(off, 0);
    lc.count = MAX_CAP_CC + 1;
    assert_int_equal(qtpm_TPML_CC_marshal(&lc, g_buf, sizeof g_buf, &off), TPM_RC_SIZE);
    assert_int_equal(off, 0);
}

/* ---- NV, context, sessions, tickets, creation data ------------------------ */

static void test_nv_public(void **state)
{
    (void)state;
    TPMS_NV_PUBLIC nv;
    memset(&nv, 0, sizeof nv);
    nv.nvIndex = 0x01C00002; /* RSA EK certificate index */
    nv.nameAlg = TPM_ALG_SHA256;
    nv.attributes = TPMA_NV_PPWRITE | TPMA_NV_WRITEDEFINE | TPMA_NV_PPREAD |
                    TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD | TPMA_NV_NO_DA |
                    TPMA_NV_WRITTEN | TPMA_NV_PLATFORMCREATE;
    nv.dataSize = 1024;
    size_t len = CHECK(TPMS_NV_PUBLIC, &nv, 4 + 2 + 4 + 2 + 2);
    hex_equal(g_buf, len, "01C00002000B620720010000" "0400");

    TPM2B_NV_PUBLIC nv2;
    memset(&nv2, 0, sizeof nv2);
    nv.attributes = TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD |
                    ((UINT32)TPM_NT_EXTEND << TPMA_NV_TPM_NT_SHIFT) | TPMA_NV_ORDERLY;
    nv.authPolicy.size = 32;
    fill(nv.authPolicy.buffer, 32, 50);
    nv.dataSize = 32;
    nv2.nvPublic = nv;
    len = CHECK(TPM2B_NV_PUBLIC, &nv2, 2 + 14 + 32);
    hex_equal(g_buf, 2, "002E");

    size_t off = 0;
    /* NV index handle range */
    g_buf[2] = 0x81;
    assert_int_equal(qtpm_TPM2B_NV_PUBLIC_unmarshal(&nv2, g_buf, len, &off), TPM_RC_VALUE);
    g_buf[2] = 0x01;
    /* reserved TPMA_NV bit 8 */
    g_buf[2 + 6 + 2] |= 0x01;
    assert_int_equal(qtpm_TPM2B_NV_PUBLIC_unmarshal(&nv2, g_buf, len, &off), TPM_RC_RESERVED_BITS);
    g_buf[2 + 6 + 2] &= 0xFE;
    /* dataSize over MAX_NV_INDEX_SIZE */
    g_buf[len - 2] = 0x08;
    g_buf[len - 1] = 0x01;
    assert_int_equal(qtpm_TPM2B_NV_PUBLIC_unmarshal(&nv2, g_buf, len, &off), TPM_RC_SIZE);
    assert_int_equal(off, 0);
}

static void test_context_and_sessions(void **state)
{
    (void)state;
    static TPMS_CONTEXT c;
    memset(&c, 0, sizeof c);
    c.sequence = 0x100000002ULL;
    c.savedHandle = TPM_CONTEXT_TRANSIENT;
    c.hierarchy = TPM_RH_OWNER;
    c.contextBlob.size = 3000; /* an ML-DSA-65 object context */
    fill(c.contextBlob.buffer, 3000, 60);
    CHECK(TPMS_CONTEXT, &c, 8 + 4 + 4 + 2 + 3000);
    c.savedHandle = HMAC_SESSION_FIRST + 3;
    c.hierarchy = TPM_RH_NULL;
    c.contextBlob.size = 100;
    size_t len = CHECK(TPMS_CONTEXT, &c, 8 + 4 + 4 + 2 + 100);
    g_buf[8] = 0x81; /* a persistent handle cannot be saved */
    size_t off = 0;
    assert_int_equal(qtpm_TPMS_CONTEXT_unmarshal(&c, g_buf, len, &off), TPM_RC_VALUE);

    TPMS_CONTEXT_DATA cd;
    memset(&cd, 0, sizeof cd);
    cd.integrity.size = 32;
    cd.encrypted.size = 500;
    CHECK(TPMS_CONTEXT_DATA, &cd, 34 + 502);

    TPMS_AUTH_COMMAND ac;
    memset(&ac, 0, sizeof ac);
    ac.sessionHandle = TPM_RS_PW;
    len = CHECK(TPMS_AUTH_COMMAND, &ac, 9);
    hex_equal(g_buf, len, "400000090000000000");
    ac.sessionHandle = POLICY_SESSION_FIRST;
    ac.nonce.size = 32;
    ac.sessionAttributes = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_DECRYPT;
    ac.hmac.size = 48;
    CHECK(TPMS_AUTH_COMMAND, &ac, 4 + 34 + 1 + 50);
    g_buf[38] = 0x08; /* reserved session attribute */
    off = 0;
    assert_int_equal(qtpm_TPMS_AUTH_COMMAND_unmarshal(&ac, g_buf, 89, &off),
                     TPM_RC_RESERVED_BITS);
    /* a transient handle is no session */
    memcpy(g_buf, "\x80\x00\x00\x00", 4);
    assert_int_equal(qtpm_TPMS_AUTH_COMMAND_unmarshal(&ac, g_buf, 89, &off), TPM_RC_VALUE);

    TPMS_AUTH_RESPONSE ar;
    memset(&ar, 0, sizeof ar);
    ar.nonce.size = 16;
    ar.sessionAttributes = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_AUDIT;
    ar.hmac.size = 32;
    CHECK(TPMS_AUTH_RESPONSE, &ar, 18 + 1 + 34);
}

static void test_tickets_and_creation(void **state)
{
    (void)state;
    TPMT_TK_CREATION tc = {.tag = TPM_ST_CREATION, .hierarchy = TPM_RH_OWNER};
    tc.digest.size = 32;
    size_t len = CHECK(TPMT_TK_CREATION, &tc, 2 + 4 + 34);
    hex_equal(g_buf, 6, "802140000001");
    size_t off = 0;
    g_buf[1] = 0x22;
    assert_int_equal(qtpm_TPMT_TK_CREATION_unmarshal(&tc, g_buf, len, &off), TPM_RC_TAG);

    TPMT_TK_VERIFIED tv;
    memset(&tv, 0, sizeof tv);
    tv.tag = TPM_ST_VERIFIED;
    tv.hierarchy = TPM_RH_ENDORSEMENT;
    tv.hmac.size = 48;
    CHECK(TPMT_TK_VERIFIED, &tv, 2 + 4 + 50);
    tv.tag = TPM_ST_MESSAGE_VERIFIED;
    CHECK(TPMT_TK_VERIFIED, &tv, 2 + 4 + 50);
    tv.tag = TPM_ST_DIGEST_VERIFIED;
    tv.metadata.digestVerified = TPM_ALG_SHA3_384;
    tv.hierarchy = TPM_RH_NULL;
    tv.hmac.size = 0;
    len = CHECK(TPMT_TK_VERIFIED, &tv, 2 + 4 + 2 + 2);
    hex_equal(g_buf, len, "80274000000700280000");

    TPMT_TK_AUTH ta = {.tag = TPM_ST_AUTH_SIGNED, .hierarchy = TPM_RH_PLATFORM};
    CHECK(TPMT_TK_AUTH, &ta, 8);
    ta.tag = TPM_ST_AUTH_SECRET;
    len = CHECK(TPMT_TK_AUTH, &ta, 8);
    g_buf[1] = 0x24;
    assert_int_equal(qtpm_TPMT_TK_AUTH_unmarshal(&ta, g_buf, len, &off), TPM_RC_TAG);
    /* tickets name a hierarchy: the lockout authority is none */
    memcpy(g_buf, "\x80\x23\x40\x00\x00\x0A\x00\x00", 8);
    assert_int_equal(qtpm_TPMT_TK_AUTH_unmarshal(&ta, g_buf, 8, &off), TPM_RC_VALUE);

    TPMT_TK_HASHCHECK th = {.tag = TPM_ST_HASHCHECK, .hierarchy = TPM_RH_NULL};
    CHECK(TPMT_TK_HASHCHECK, &th, 8);

    TPM2B_CREATION_DATA cd;
    memset(&cd, 0, sizeof cd);
    cd.creationData.pcrSelect.count = 1;
    cd.creationData.pcrSelect.pcrSelections[0].hash = TPM_ALG_SHA256;
    cd.creationData.pcrSelect.pcrSelections[0].sizeofSelect = 3;
    cd.creationData.pcrSelect.pcrSelections[0].pcrSelect[0] = 0x81;
    cd.creationData.pcrDigest.size = 32;
    cd.creationData.locality = TPMA_LOCALITY_TPM_LOC_ZERO;
    cd.creationData.parentNameAlg = TPM_ALG_SHA256;
    cd.creationData.parentName.size = 34;
    cd.creationData.parentQualifiedName.size = 34;
    cd.creationData.outsideInfo.size = 10;
    CHECK(TPM2B_CREATION_DATA, &cd, 2 + 10 + 34 + 1 + 2 + 36 + 36 + 12);

    TPML_DIGEST_VALUES dv;
    memset(&dv, 0, sizeof dv);
    dv.count = 3;
    dv.digests[0].hashAlg = TPM_ALG_SHA1;
    dv.digests[1].hashAlg = TPM_ALG_SHA256;
    dv.digests[2].hashAlg = TPM_ALG_SHA3_512;
    fill(dv.digests[2].digest.sha3_512, 64, 70);
    CHECK(TPML_DIGEST_VALUES, &dv, 4 + 22 + 34 + 66);

    TPMS_ID_OBJECT id;
    memset(&id, 0, sizeof id);
    id.integrityHMAC.size = 32;
    id.encIdentity.size = 34;
    CHECK(TPMS_ID_OBJECT, &id, 34 + 36);

    TPM2B_ECC_POINT pt;
    memset(&pt, 0, sizeof pt);
    pt.point.x.size = 32;
    pt.point.y.size = 32;
    CHECK(TPM2B_ECC_POINT, &pt, 2 + 68);

    TPMS_DERIVE dr;
    memset(&dr, 0, sizeof dr);
    dr.label.size = 5;
    dr.context.size = 32;
    CHECK(TPMS_DERIVE, &dr, 7 + 34);
}

static void test_pqc_buffers(void **state)
{
    (void)state;
    static TPM2B_KEM_CIPHERTEXT ct;
    ct.size = 1568;
    fill(ct.buffer, 1568, 80);
    CHECK(TPM2B_KEM_CIPHERTEXT, &ct, 1570);
    TPM2B_SHARED_SECRET ss = {.size = 32};
    CHECK(TPM2B_SHARED_SECRET, &ss, 34);
    static TPM2B_SIGNATURE_CTX sc;
    sc.size = 255;
    CHECK(TPM2B_SIGNATURE_CTX, &sc, 257);
    static TPM2B_ENCRYPTED_SECRET es;
    es.size = 1088; /* ML-KEM-768 ciphertext as an encrypted seed */
    CHECK(TPM2B_ENCRYPTED_SECRET, &es, 1090);
    /* the vendor LDAA piece: the largest one, then one byte too many */
    static TPM2B_VENDOR_LDAA_PIECE lp;
    lp.size = QTPM_LDAA_PIECE_MAX;
    fill(lp.buffer, QTPM_LDAA_PIECE_MAX, 7);
    CHECK(TPM2B_VENDOR_LDAA_PIECE, &lp, 2 + QTPM_LDAA_PIECE_MAX);
    {
        uint8_t big[2] = {(uint8_t)((QTPM_LDAA_PIECE_MAX + 1) >> 8),
                          (uint8_t)(QTPM_LDAA_PIECE_MAX + 1)};
        size_t o = 0;
        assert_int_equal(qtpm_TPM2B_VENDOR_LDAA_PIECE_unmarshal(&lp, big, sizeof big, &o),
                         TPM_RC_SIZE);
        assert_int_equal(o, 0);
    }
    size_t off = 0;
    /* 256 bytes of context is one more than FIPS 204 allows */
    assert_int_equal(qtpm_TPM2B_SIGNATURE_CTX_unmarshal(&sc, (const uint8_t *)"\x01\x00", 2,
                                                        &off),
                     TPM_RC_SIZE);
}

/* ---- strictness: sizes, selectors, algorithms, reserved bits ------------- */

static void test_tpm2b_oversize(void **state)
{
    (void)state;
    TPM2B_DIGEST d;
    size_t off = 0;
    uint8_t in[2 + 65];
    memset(in, 0, sizeof in);
    in[1] = 65; /* one more than MAX_DIGEST_SIZE */
    assert_int_equal(qtpm_TPM2B_DIGEST_unmarshal(&d, in, sizeof in, &off), TPM_RC_SIZE);
    assert_int_equal(off, 0);
    in[1] = 64;
    assert_int_equal(qtpm_TPM2B_DIGEST_unmarshal(&d, in, sizeof in, &off), TPM_RC_SUCCESS);
    assert_int_equal(off, 66);
    /* the size check comes before the length check: 0xFFFF in 2 bytes */
    off = 0;
    assert_int_equal(qtpm_TPM2B_DIGEST_unmarshal(&d, (const uint8_t *)"\xFF\xFF", 2, &off),
                     TPM_RC_SIZE);
    d.size = 65;
    assert_int_equal(qtpm_TPM2B_DIGEST_marshal(&d, g_buf, sizeof g_buf, &off), TPM_RC_SIZE);
    TPM2B_NAME n;
    assert_int_equal(qtpm_TPM2B_NAME_unmarshal(&n, (const uint8_t *)"\x00\x43", 2, &off),
                     TPM_RC_SIZE);
    /* an offset beyond size is never dereferenced */
    off = 10;
    assert_int_equal(qtpm_TPM2B_DIGEST_unmarshal(&d, in, 4, &off), TPM_RC_INSUFFICIENT);
    assert_int_equal(qtpm_TPM2B_DIGEST_marshal(&d, g_buf, 4, &off), TPM_RC_SIZE);
    assert_int_equal(off, 10);
}

static void test_sized_structure_mismatch(void **state)
{
    (void)state;
    TPM2B_PUBLIC p2;
    memset(&p2, 0, sizeof p2);
    rsa_ek_template(&p2.publicArea);
    size_t len = 0, off = 0;
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&p2, g_buf, sizeof g_buf, &len), TPM_RC_SUCCESS);
    assert_int_equal(len, 316);
    /* size one larger than the area (with a spare byte present): SIZE */
    g_buf[1] = 0x3B;
    g_buf[len] = 0;
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&p2, g_buf, len + 1, &off, NO), TPM_RC_SIZE);
    /* size one smaller: the area runs past it: SIZE */
    g_buf[1] = 0x39;
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&p2, g_buf, len, &off, NO), TPM_RC_SIZE);
    /* size 0: "=" structures must not be empty */
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&p2, (const uint8_t *)"\x00\x00", 2, &off, NO),
                     TPM_RC_SIZE);
    assert_int_equal(off, 0);

    TPM2B_ECC_POINT pt;
    /* x = one byte, y empty: 5 inner bytes, then a spare byte */
    uint8_t e[] = {0x00, 0x06, 0x00, 0x01, 0xAA, 0x00, 0x00, 0x00};
    assert_int_equal(qtpm_TPM2B_ECC_POINT_unmarshal(&pt, e, sizeof e, &off), TPM_RC_SIZE);
    e[1] = 0x05;
    assert_int_equal(qtpm_TPM2B_ECC_POINT_unmarshal(&pt, e, sizeof e, &off), TPM_RC_SUCCESS);
    assert_int_equal(off, 7);
    assert_int_equal(pt.size, 5);

    TPM2B_SENSITIVE_CREATE sc;
    off = 0;
    uint8_t s[] = {0x00, 0x03, 0x00, 0x00, 0x00, 0x00};
    assert_int_equal(qtpm_TPM2B_SENSITIVE_CREATE_unmarshal(&sc, s, sizeof s, &off), TPM_RC_SIZE);
    s[1] = 4;
    assert_int_equal(qtpm_TPM2B_SENSITIVE_CREATE_unmarshal(&sc, s, sizeof s, &off),
                     TPM_RC_SUCCESS);

    /* marshal of a sized structure into too little space: SIZE, offset kept */
    off = 0;
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&p2, g_buf, 100, &off), TPM_RC_SIZE);
    assert_int_equal(off, 0);
}

/* Rewrites the field at byte pos of the RSA EK template's encoding and
 * expects unmarshalling to fail with rc. */
static void ek_field_rejects(size_t pos, const char *hex, TPM_RC rc)
{
    TPMT_PUBLIC p;
    rsa_ek_template(&p);
    size_t len = 0, off = 0;
    assert_int_equal(qtpm_TPMT_PUBLIC_marshal(&p, g_buf, sizeof g_buf, &len), TPM_RC_SUCCESS);
    uint8_t *v;
    size_t n;
    tu_hex(hex, &v, &n);
    memcpy(g_buf + pos, v, n);
    free(v);
    TPM_RC got = qtpm_TPMT_PUBLIC_unmarshal(&p, g_buf, len, &off, NO);
    if (got != rc)
        print_error("field at %zu = %s: got 0x%x want 0x%x\n", pos, hex, (unsigned)got,
                    (unsigned)rc);
    assert_int_equal(got, rc);
    assert_int_equal(off, 0);
}

static void test_bad_algorithms_and_bits(void **state)
{
    (void)state;
    /* EK layout: type@0 nameAlg@2 attrs@4 policy@8(34) sym@42 keyBits@44 mode@46
     * scheme@48 rsaKeyBits@50 exponent@52 unique@56 */
    ek_field_rejects(0, "0005", TPM_RC_TYPE);           /* HMAC is no object type */
    ek_field_rejects(0, "002C", TPM_RC_TYPE);           /* the 2020 prototype's Kyber id */
    ek_field_rejects(2, "0012", TPM_RC_HASH);           /* SM3 not implemented */
    ek_field_rejects(2, "0010", TPM_RC_HASH);           /* NULL not allowed here */
    ek_field_rejects(4, "00030083", TPM_RC_RESERVED_BITS); /* bit 0 */
    ek_field_rejects(4, "000302B2", TPM_RC_RESERVED_BITS); /* bit 9 svnLimited */
    ek_field_rejects(4, "800300B2", TPM_RC_RESERVED_BITS); /* bit 31 */
    ek_field_rejects(42, "0013", TPM_RC_SYMMETRIC);     /* SM4 */
    ek_field_rejects(42, "000A", TPM_RC_SYMMETRIC);     /* XOR is not an object cipher */
    ek_field_rejects(44, "0064", TPM_RC_KEY_SIZE);      /* AES-100 */
    ek_field_rejects(46, "0051", TPM_RC_MODE);          /* GCM */
    ek_field_rejects(48, "0018", TPM_RC_VALUE);         /* ECDSA in an RSA scheme */
    /* RSAPSS/SHA-512 over scheme+keyBits shifts keyBits onto the exponent (0) */
    ek_field_rejects(48, "0016000D", TPM_RC_KEY_SIZE);
    ek_field_rejects(50, "0600", TPM_RC_KEY_SIZE);      /* RSA-1536 */
    ek_field_rejects(56, "0201", TPM_RC_SIZE);          /* 513 > MAX_RSA_KEY_BYTES */

    TPMT_PUBLIC p;
    size_t off = 0;
    /* ECC: curve, KDF, scheme */
    const char *ecc_bad[][2] = {
        {"0023000B00040000" "0000" "0010" "0010" "0005" "0010" "00000000", "curve"},
        {"0023000B00040000" "0000" "0010" "0010" "0003" "0099" "00000000", "kdf"},
        {"0023000B00040000" "0000" "0010" "0014000B" "0003" "0010" "00000000", "scheme"},
        {"0023000B00040000" "0000" "0010" "001B000B" "0003" "0010" "00000000", "sm2"},
    };
    const TPM_RC ecc_rc[] = {TPM_RC_CURVE, TPM_RC_KDF, TPM_RC_SCHEME, TPM_RC_SCHEME};
    for (unsigned i = 0; i < 4; i++) {
        uint8_t *v;
        size_t n;
        tu_hex(ecc_bad[i][0], &v, &n);
        off = 0;
        assert_int_equal(qtpm_TPMT_PUBLIC_unmarshal(&p, v, n, &off, NO), ecc_rc[i]);
        free(v);
    }
    /* the same with good values parses */
    uint8_t *v;
    size_t n;
    tu_hex("0023000B00040000" "0000" "0010" "0018000B" "0003" "0010" "00000000", &v, &n);
    off = 0;
    assert_int_equal(qtpm_TPMT_PUBLIC_unmarshal(&p, v, n, &off, NO), TPM_RC_SUCCESS);
    assert_int_equal(off, n);
    free(v);

    /* ML-KEM / ML-DSA parameter sets and TPMI_YES_NO */
    const char *pqc_bad[] = {
        "00A0000B000200000000" "0010" "0004" "0000",   /* ML-KEM set 4 */
        "00A0000B000200000000" "0010" "0000" "0000",   /* ML-KEM NONE */
        "00A1000B000400000000" "0000" "00" "0000",     /* ML-DSA NONE */
        "00A1000B000400000000" "0002" "02" "0000",     /* allowExternalMu = 2 */
        "00A2000B000400000000" "0001" "0010" "0000",   /* HashML-DSA without a hash */
        "00A1000B000400000000" "0002" "00" "0A21",     /* pk 2593 > MAX_MLDSA_PUB_SIZE */
        "00A0000B000200000000" "0010" "0003" "0621",   /* pk 1569 > MAX_MLKEM_PUB_SIZE */
    };
    const TPM_RC pqc_rc[] = {TPM_RC_PARMS, TPM_RC_PARMS, TPM_RC_PARMS, TPM_RC_VALUE,
                             TPM_RC_HASH, TPM_RC_SIZE, TPM_RC_SIZE};
    for (unsigned i = 0; i < 7; i++) {
        tu_hex(pqc_bad[i], &v, &n);
        off = 0;
        TPM_RC got = qtpm_TPMT_PUBLIC_unmarshal(&p, v, n, &off, NO);
        if (got != pqc_rc[i])
            print_error("pqc case %u: 0x%x\n", i, (unsigned)got);
        assert_int_equal(got, pqc_rc[i]);
        free(v);
    }
}

static void test_selectors(void **state)
{
    (void)state;
    TPMU_PUBLIC_PARMS pp;
    TPMU_PUBLIC_ID id;
    TPMU_SIGNATURE sg;
    TPMU_HA ha;
    TPMU_ATTEST at;
    TPMU_CAPABILITIES *cap = calloc(1, sizeof *cap);
    assert_non_null(cap);
    memset(&pp, 0, sizeof pp);
    memset(&id, 0, sizeof id);
    memset(&sg, 0, sizeof sg);
    memset(&ha, 0, sizeof ha);
    memset(&at, 0, sizeof at);
    size_t off = 0;
    assert_int_equal(qtpm_TPMU_PUBLIC_PARMS_marshal(&pp, g_buf, sizeof g_buf, &off, TPM_ALG_HMAC),
                     TPM_RC_SELECTOR);
    assert_int_equal(qtpm_TPMU_PUBLIC_PARMS_unmarshal(&pp, g_buf, sizeof g_buf, &off, 0x2D),
                     TPM_RC_SELECTOR);
    assert_int_equal(qtpm_TPMU_PUBLIC_ID_marshal(&id, g_buf, sizeof g_buf, &off, TPM_ALG_NULL),
                     TPM_RC_SELECTOR);
    assert_int_equal(qtpm_TPMU_SIGNATURE_unmarshal(&sg, g_buf, sizeof g_buf, &off, TPM_ALG_SM2),
                     TPM_RC_SELECTOR);
    assert_int_equal(qtpm_TPMU_HA_marshal(&ha, g_buf, sizeof g_buf, &off, TPM_ALG_SM3_256),
                     TPM_RC_SELECTOR);
    assert_int_equal(qtpm_TPMU_HA_unmarshal(&ha, g_buf, sizeof g_buf, &off, 0x1000B),
                     TPM_RC_SELECTOR);
    assert_int_equal(qtpm_TPMU_ATTEST_marshal(&at, g_buf, sizeof g_buf, &off, TPM_ST_CREATION),
                     TPM_RC_SELECTOR);
    assert_int_equal(qtpm_TPMU_CAPABILITIES_unmarshal(cap, g_buf, sizeof g_buf, &off,
                                                      TPM_CAP_VENDOR_PROPERTY + 1),
                     TPM_RC_SELECTOR);
    assert_int_equal(off, 0);
    /* TPM_CAP_VENDOR_PROPERTY: a UINT32 list (TPML_INTEL_PTT_PROPERTY) */
    TPMS_CAPABILITY_DATA *vd = calloc(1, sizeof *vd);
    assert_non_null(vd);
    vd->capability = TPM_CAP_VENDOR_PROPERTY;
    vd->data.intelPttProperty.count = 2;
    vd->data.intelPttProperty.property[0] = 1;
    vd->data.intelPttProperty.property[1] = 0x64656661;
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_marshal(vd, g_buf, sizeof g_buf, &off),
                     TPM_RC_SUCCESS);
    hex_equal(g_buf, off, "00000100" "00000002" "00000001" "64656661");
    memset(vd, 0, sizeof *vd);
    size_t voff = 0;
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(vd, g_buf, off - 1, &voff),
                     TPM_RC_INSUFFICIENT);
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(vd, g_buf, off, &voff), TPM_RC_SUCCESS);
    assert_int_equal(voff, off);
    assert_int_equal(vd->data.intelPttProperty.property[1], 0x64656661);
    g_buf[4] = 0x7F; /* count above MAX_PTT_PROPERTIES */
    voff = 0;
    assert_int_equal(qtpm_TPMS_CAPABILITY_DATA_unmarshal(vd, g_buf, off, &voff), TPM_RC_SIZE);
    free(vd);
    off = 0;
    /* TPMU_HA with a NULL selector is empty */
    assert_int_equal(qtpm_TPMU_HA_marshal(&ha, g_buf, sizeof g_buf, &off, TPM_ALG_NULL),
                     TPM_RC_SUCCESS);
    assert_int_equal(off, 0);
    /* XOR has no place in an object's symmetric definition */
    TPMT_SYM_DEF_OBJECT so = {.algorithm = TPM_ALG_XOR};
    assert_int_equal(qtpm_TPMT_SYM_DEF_OBJECT_marshal(&so, g_buf, sizeof g_buf, &off),
                     TPM_RC_SELECTOR);
    free(cap);
}

static void test_pcr_selection_limits(void **state)
{
    (void)state;
    TPMS_PCR_SELECTION s;
    size_t off = 0;
    /* sizeofSelect 4 > PCR_SELECT_MAX (24 PCRs) */
    assert_int_equal(qtpm_TPMS_PCR_SELECTION_unmarshal(
                         &s, (const uint8_t *)"\x00\x0B\x04\xFF\xFF\xFF\xFF", 7, &off),
                     TPM_RC_PCR);
    assert_int_equal(qtpm_TPMS_PCR_SELECTION_unmarshal(
                         &s, (const uint8_t *)"\x00\x0B\x03\xFF\xFF\xFF", 6, &off),
                     TPM_RC_SUCCESS);
    assert_int_equal(off, 6);
    off = 0;
    assert_int_equal(qtpm_TPMS_PCR_SELECTION_unmarshal(
                         &s, (const uint8_t *)"\x00\x10\x03\xFF\xFF\xFF", 6, &off),
                     TPM_RC_HASH);
    s.sizeofSelect = 5;
    assert_int_equal(qtpm_TPMS_PCR_SELECTION_marshal(&s, g_buf, sizeof g_buf, &off), TPM_RC_PCR);
    TPML_PCR_SELECTION l;
    assert_int_equal(qtpm_TPML_PCR_SELECTION_unmarshal(
                         &l, (const uint8_t *)"\x00\x00\x00\x08", 4, &off),
                     TPM_RC_SIZE);
    TPMS_TAGGED_PCR_SELECT t;
    assert_int_equal(qtpm_TPMS_TAGGED_PCR_SELECT_unmarshal(
                         &t, (const uint8_t *)"\x00\x00\x00\x01\x09", 5, &off),
                     TPM_RC_PCR);
}

static void test_interface_types(void **state)
{
    (void)state;
    size_t off = 0;
    TPM_HANDLE h;
#define H(x) ((const uint8_t *)x)
    assert_int_equal(qtpm_TPMI_DH_OBJECT_unmarshal(&h, H("\x40\x00\x00\x01"), 4, &off, YES),
                     TPM_RC_VALUE);
    assert_int_equal(qtpm_TPMI_DH_OBJECT_unmarshal(&h, H("\x40\x00\x00\x07"), 4, &off, NO),
                     TPM_RC_VALUE);
    assert_int_equal(off, 0);
    assert_int_equal(qtpm_TPMI_DH_OBJECT_unmarshal(&h, H("\x40\x00\x00\x07"), 4, &off, YES),
                     TPM_RC_SUCCESS);
    off = 0;
    assert_int_equal(qtpm_TPMI_DH_OBJECT_unmarshal(&h, H("\x81\x01\x00\x01"), 4, &off, NO),
                     TPM_RC_SUCCESS);
    off = 0;
    assert_int_equal(qtpm_TPMI_DH_PARENT_unmarshal(&h, H("\x40\x00\x00\x0B"), 4, &off, NO),
                     TPM_RC_SUCCESS);
    off = 0;
    assert_int_equal(qtpm_TPMI_SH_AUTH_SESSION_unmarshal(&h, H("\x40\x00\x00\x09"), 4, &off, NO),
                     TPM_RC_VALUE);
    assert_int_equal(qtpm_TPMI_SH_AUTH_SESSION_unmarshal(&h, H("\x03\x00\x00\x40"), 4, &off, NO),
                     TPM_RC_VALUE); /* beyond MAX_ACTIVE_SESSIONS */
    assert_int_equal(qtpm_TPMI_SH_AUTH_SESSION_unmarshal(&h, H("\x03\x00\x00\x3F"), 4, &off, NO),
                     TPM_RC_SUCCESS);
    off = 0;
    assert_int_equal(qtpm_TPMI_DH_PCR_unmarshal(&h, H("\x00\x00\x00\x18"), 4, &off, NO),
                     TPM_RC_VALUE);
    assert_int_equal(qtpm_TPMI_DH_PCR_unmarshal(&h, H("\x00\x00\x00\x17"), 4, &off, NO),
                     TPM_RC_SUCCESS);
    off = 0;
    assert_int_equal(qtpm_TPMI_RH_HIERARCHY_unmarshal(&h, H("\x40\x00\x00\x0A"), 4, &off, YES),
                     TPM_RC_VALUE);
    assert_int_equal(qtpm_TPMI_RH_PROVISION_unmarshal(&h, H("\x40\x00\x00\x0B"), 4, &off),
                     TPM_RC_VALUE);
    assert_int_equal(qtpm_TPMI_RH_CLEAR_unmarshal(&h, H("\x40\x00\x00\x0A"), 4, &off),
                     TPM_RC_SUCCESS);
    off = 0;
    assert_int_equal(qtpm_TPMI_RH_NV_AUTH_unmarshal(&h, H("\x01\x50\x00\x01"), 4, &off),
                     TPM_RC_SUCCESS);
    off = 0;
    assert_int_equal(qtpm_TPMI_DH_ENTITY_unmarshal(&h, H("\x40\x00\x01\x0F"), 4, &off, NO),
                     TPM_RC_SUCCESS); /* TPM_RH_AUTH_FF */

    TPMI_ST_COMMAND_TAG tag;
    off = 0;
    assert_int_equal(qtpm_TPMI_ST_COMMAND_TAG_unmarshal(&tag, H("\x00\xC1"), 2, &off),
                     TPM_RC_BAD_TAG);
    assert_int_equal(qtpm_TPMI_ST_COMMAND_TAG_unmarshal(&tag, H("\x80\x02"), 2, &off),
                     TPM_RC_SUCCESS);
    TPM_SU su;
    off = 0;
    assert_int_equal(qtpm_TPM_SU_unmarshal(&su, H("\x00\x02"), 2, &off), TPM_RC_VALUE);
    TPM_SE se;
    assert_int_equal(qtpm_TPM_SE_unmarshal(&se, H("\x02"), 1, &off), TPM_RC_VALUE);
    assert_int_equal(qtpm_TPM_SE_unmarshal(&se, H("\x03"), 1, &off), TPM_RC_SUCCESS);
    TPM_CLOCK_ADJUST ca;
    off = 0;
    assert_int_equal(qtpm_TPM_CLOCK_ADJUST_unmarshal(&ca, H("\xFD"), 1, &off), TPM_RC_SUCCESS);
    assert_int_equal(ca, -3);
    off = 0;
    assert_int_equal(qtpm_TPM_CLOCK_ADJUST_unmarshal(&ca, H("\xFC"), 1, &off), TPM_RC_VALUE);
    TPM_RC trc = 0;
    off = 0;
    assert_int_equal(qtpm_TPM_RC_unmarshal(&trc, H("\x00\x00\x01\x01"), 3, &off),
                     TPM_RC_INSUFFICIENT);
    assert_int_equal(off, 0);
    assert_int_equal(qtpm_TPM_RC_unmarshal(&trc, H("\x00\x00\x01\x01"), 4, &off),
                     TPM_RC_SUCCESS);
    assert_int_equal(trc, TPM_RC_FAILURE);
    off = 0;
    assert_int_equal(qtpm_TPM_RC_marshal(&trc, g_buf, 3, &off), TPM_RC_SIZE);
    assert_int_equal(qtpm_TPM_RC_marshal(&trc, g_buf, 4, &off), TPM_RC_SUCCESS);
    hex_equal(g_buf, 4, "00000101");
    off = 0;
    TPMA_CC cc;
    assert_int_equal(qtpm_TPMA_CC_unmarshal(&cc, H("\x02\x01\x01\x31"), 4, &off),
                     TPM_RC_RESERVED_BITS);
    TPMA_ALGORITHM aa;
    assert_int_equal(qtpm_TPMA_ALGORITHM_unmarshal(&aa, H("\x00\x00\x00\x10"), 4, &off),
                     TPM_RC_RESERVED_BITS);
    TPMI_ALG_SYM sym;
    assert_int_equal(qtpm_TPMI_ALG_SYM_unmarshal(&sym, H("\x00\x10"), 2, &off, NO),
                     TPM_RC_SYMMETRIC);
    assert_int_equal(qtpm_TPMI_ALG_SYM_unmarshal(&sym, H("\x00\x0A"), 2, &off, NO),
                     TPM_RC_SUCCESS);
#undef H
    /* base integers are big-endian */
    UINT64 u64 = 0x0102030405060708ULL;
    off = 0;
    assert_int_equal(qtpm_UINT64_marshal(&u64, g_buf, 8, &off), TPM_RC_SUCCESS);
    hex_equal(g_buf, 8, "0102030405060708");
    INT8 i8 = -2;
    off = 0;
    assert_int_equal(qtpm_INT8_marshal(&i8, g_buf, 1, &off), TPM_RC_SUCCESS);
    assert_int_equal(g_buf[0], 0xFE);
}

/* INT32 (PolicySigned's and PolicySecret's expiration, Part 3 §23.3/§23.4):
 * two's complement, big-endian; and TPMT_PUBLIC_PARMS as TestParms
 * (Part 3 §30.3) gets it from tpm2-tools: RSA-2048 with an AES-128-CFB
 * symmetric definition, ECC P-256 with ECDSA-SHA256, each byte by byte. */
static void test_int32_and_public_parms(void **state)
{
    (void)state;
    INT32 v = -60;
    size_t len = CHECK(INT32, &v, 4);
    hex_equal(g_buf, len, "FFFFFFC4");
    size_t off = 0;
    INT32 back = 0;
    assert_int_equal(qtpm_INT32_unmarshal(&back, g_buf, len, &off), TPM_RC_SUCCESS);
    assert_int_equal(back, -60);
    v = INT32_MIN;
    CHECK(INT32, &v, 4);
    hex_equal(g_buf, 4, "80000000");
    v = INT32_MAX;
    CHECK(INT32, &v, 4);
    hex_equal(g_buf, 4, "7FFFFFFF");

    TPMT_PUBLIC_PARMS parms;
    memset(&parms, 0, sizeof parms);
    parms.type = TPM_ALG_RSA;
    parms.parameters.rsaDetail.symmetric.algorithm = TPM_ALG_AES;
    parms.parameters.rsaDetail.symmetric.keyBits.aes = 128;
    parms.parameters.rsaDetail.symmetric.mode.aes = TPM_ALG_CFB;
    parms.parameters.rsaDetail.scheme.scheme = TPM_ALG_NULL;
    parms.parameters.rsaDetail.keyBits = 2048;
    len = CHECK(TPMT_PUBLIC_PARMS, &parms, 16);
    hex_equal(g_buf, len, "0001" "000600800043" "0010" "0800" "00000000");

    memset(&parms, 0, sizeof parms);
    parms.type = TPM_ALG_ECC;
    parms.parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    parms.parameters.eccDetail.scheme.scheme = TPM_ALG_ECDSA;
    parms.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM_ALG_SHA256;
    parms.parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
    parms.parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    len = CHECK(TPMT_PUBLIC_PARMS, &parms, 12);
    hex_equal(g_buf, len, "0023" "0010" "0018000B" "0003" "0010");

    /* a type that is no public type (SHA-256) is TPM_RC_TYPE; an RSA
     * key size outside TPMI_RSA_KEY_BITS (768) is TPM_RC_KEY_SIZE; neither
     * moves the offset */
    static const uint8_t not_public[] = {0x00, 0x0B, 0x00, 0x10};
    off = 0;
    assert_int_equal(qtpm_TPMT_PUBLIC_PARMS_unmarshal(&parms, not_public, sizeof not_public, &off),
                     TPM_RC_TYPE);
    assert_int_equal(off, 0);
    static const uint8_t rsa_bits[] = {0x00, 0x01, 0x00, 0x10, 0x00, 0x10, 0x03, 0x00,
                                       0x00, 0x00, 0x00, 0x00};
    assert_int_equal(qtpm_TPMT_PUBLIC_PARMS_unmarshal(&parms, rsa_bits, sizeof rsa_bits, &off),
                     TPM_RC_KEY_SIZE);
    assert_int_equal(off, 0);
}

static void test_supported_tables(void **state)
{
    (void)state;
    assert_int_equal(qtpm_hash_digest_size(TPM_ALG_SHA1), 20);
    assert_int_equal(qtpm_hash_digest_size(TPM_ALG_SHA3_384), 48);
    assert_int_equal(qtpm_hash_digest_size(TPM_ALG_SHA512), 64);
    assert_int_equal(qtpm_hash_digest_size(TPM_ALG_SM3_256), 0);
    assert_int_equal(qtpm_hash_digest_size(TPM_ALG_NULL), 0);
    assert_true(qtpm_supported_sym_key_bits(TPM_ALG_AES, 192));
    assert_false(qtpm_supported_sym_key_bits(TPM_ALG_AES, 0));
    assert_false(qtpm_supported_sym_key_bits(TPM_ALG_CAMELLIA, 128));
    assert_true(qtpm_supported_sym_mode(TPM_ALG_ECB));
    assert_false(qtpm_supported_sym_mode(TPM_ALG_NULL));
    assert_int_equal(qtpm_curve_key_bytes(TPM_ECC_NIST_P384), 48);
    assert_false(qtpm_supported_curve(TPM_ECC_NIST_P521));
    assert_true(qtpm_supported_rsa_key_bits(4096));
    assert_false(qtpm_supported_rsa_key_bits(512));
    assert_true(qtpm_supported_mlkem_parms(TPM_MLKEM_1024));
    assert_false(qtpm_supported_mldsa_parms(4));
    assert_true(qtpm_supported_public_type(TPM_ALG_HASH_MLDSA));
    assert_false(qtpm_supported_sig_scheme(TPM_ALG_SM2));
}

/* ---- mutations: whatever the bytes, unmarshalling stays in bounds ------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rng(void)
{
    /* xorshift64*: reproducible, good enough to pick bytes to damage */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

/* Damages copies of a valid encoding (1-3 bytes changed, sometimes cut
 * short) in exactly-sized heap blocks. Unmarshalling must never read out of
 * bounds (ASan), and whenever it accepts the bytes, marshalling the result
 * must give back exactly the bytes it consumed: the encoding is canonical,
 * so the engine and the TSS cannot read one structure two ways. */
static void mutate_all(marshal_fn m, unmarshal_fn u, const void *src, unsigned rounds)
{
    size_t len = 0;
    assert_int_equal(m(src, g_buf, sizeof g_buf, &len), TPM_RC_SUCCESS);
    unsigned accepted = 0;
    for (unsigned r = 0; r < rounds; r++) {
        size_t n = len;
        if (rng() % 4 == 0)
            n = rng() % (len + 1);
        uint8_t *p = malloc(n ? n : 1);
        assert_non_null(p);
        memcpy(p, g_buf, n);
        unsigned changes = 1 + rng() % 3;
        for (unsigned c = 0; c < changes && n > 0; c++) {
            /* headers, sizes and selectors sit early: favour the first bytes */
            size_t at = rng() % 2 ? rng() % (n < 64 ? n : 64) : rng() % n;
            p[at] = rng() % 3 == 0 ? (uint8_t)(p[at] ^ (1u << (rng() % 8))) : (uint8_t)rng();
        }
        size_t off = 0;
        if (u(&g_obj, p, n, &off) == TPM_RC_SUCCESS) {
            accepted++;
            assert_true(off <= n);
            size_t len2 = 0;
            assert_int_equal(m(&g_obj, g_buf2, sizeof g_buf2, &len2), TPM_RC_SUCCESS);
            assert_int_equal(len2, off);
            assert_memory_equal(g_buf2, p, off);
        } else {
            assert_int_equal(off, 0);
        }
        free(p);
    }
    /* some damage (e.g. inside a digest) must still parse, or the test
     * would only be exercising the error paths */
    assert_true(accepted > 0);
}

static void test_mutations(void **state)
{
    (void)state;
    static TPM2B_PUBLIC pub;
    memset(&pub, 0, sizeof pub);
    rsa_ek_template(&pub.publicArea);
    mutate_all(m_TPM2B_PUBLIC, u_TPM2B_PUBLIC, &pub, 3000);

    memset(&pub, 0, sizeof pub);
    pub.publicArea.type = TPM_ALG_MLKEM;
    pub.publicArea.nameAlg = TPM_ALG_SHA384;
    pub.publicArea.objectAttributes = 0x000300B2;
    pub.publicArea.parameters.mlkemDetail.symmetric.algorithm = TPM_ALG_AES;
    pub.publicArea.parameters.mlkemDetail.symmetric.keyBits.aes = 256;
    pub.publicArea.parameters.mlkemDetail.symmetric.mode.aes = TPM_ALG_CFB;
    pub.publicArea.parameters.mlkemDetail.parameterSet = TPM_MLKEM_512;
    pub.publicArea.unique.mlkem.size = 40;
    mutate_all(m_TPM2B_PUBLIC, u_TPM2B_PUBLIC, &pub, 3000);

    TPMS_ATTEST a;
    attest_header(&a, TPM_ST_ATTEST_QUOTE);
    a.attested.quote.pcrSelect.count = 1;
    a.attested.quote.pcrSelect.pcrSelections[0].hash = TPM_ALG_SHA256;
    a.attested.quote.pcrSelect.pcrSelections[0].sizeofSelect = 3;
    a.attested.quote.pcrDigest.size = 32;
    mutate_all(m_TPMS_ATTEST, u_TPMS_ATTEST, &a, 3000);

    TPMT_SIGNATURE sg;
    memset(&sg, 0, sizeof sg);
    sg.sigAlg = TPM_ALG_ECDAA;
    sg.signature.ecdaa.hash = TPM_ALG_SHA256;
    sg.signature.ecdaa.signatureR.size = 32;
    sg.signature.ecdaa.signatureS.size = 32;
    mutate_all(m_TPMT_SIGNATURE, u_TPMT_SIGNATURE, &sg, 2000);

    static TPMS_CAPABILITY_DATA c;
    memset(&c, 0, sizeof c);
    c.capability = TPM_CAP_PCR_PROPERTIES;
    c.data.pcrProperties.count = 2;
    c.data.pcrProperties.pcrProperty[0].sizeofSelect = 3;
    c.data.pcrProperties.pcrProperty[1].sizeofSelect = 2;
    mutate_all(m_TPMS_CAPABILITY_DATA, u_TPMS_CAPABILITY_DATA, &c, 2000);

    TPM2B_NV_PUBLIC nv;
    memset(&nv, 0, sizeof nv);
    nv.nvPublic.nvIndex = 0x01500016;
    nv.nvPublic.nameAlg = TPM_ALG_SHA256;
    nv.nvPublic.attributes = TPMA_NV_AUTHWRITE | TPMA_NV_AUTHREAD;
    nv.nvPublic.dataSize = 64;
    mutate_all(m_TPM2B_NV_PUBLIC, u_TPM2B_NV_PUBLIC, &nv, 2000);

    TPM2B_CREATION_DATA cd;
    memset(&cd, 0, sizeof cd);
    cd.creationData.pcrSelect.count = 1;
    cd.creationData.pcrSelect.pcrSelections[0].hash = TPM_ALG_SHA1;
    cd.creationData.pcrSelect.pcrSelections[0].sizeofSelect = 3;
    cd.creationData.parentNameAlg = TPM_ALG_SHA256;
    cd.creationData.parentName.size = 4;
    mutate_all(m_TPM2B_CREATION_DATA, u_TPM2B_CREATION_DATA, &cd, 2000);

    TPM2B_SENSITIVE se;
    memset(&se, 0, sizeof se);
    se.size = 1;
    se.sensitiveArea.sensitiveType = TPM_ALG_MLDSA;
    se.sensitiveArea.authValue.size = 4;
    se.sensitiveArea.sensitive.mldsa.size = 32;
    mutate_all(m_TPM2B_SENSITIVE, u_TPM2B_SENSITIVE, &se, 2000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_ek_template_bytes),
        cmocka_unit_test(test_ecc_ek_template_bytes),
        cmocka_unit_test(test_public_families),
        cmocka_unit_test(test_public_null_name_alg),
        cmocka_unit_test(test_sensitive),
        cmocka_unit_test(test_attest_each_type),
        cmocka_unit_test(test_attest_rejects),
        cmocka_unit_test(test_signature_each_scheme),
        cmocka_unit_test(test_schemes),
        cmocka_unit_test(test_capability_each_kind),
        cmocka_unit_test(test_lists_reject_oversize),
        cmocka_unit_test(test_nv_public),
        cmocka_unit_test(test_context_and_sessions),
        cmocka_unit_test(test_tickets_and_creation),
        cmocka_unit_test(test_pqc_buffers),
        cmocka_unit_test(test_tpm2b_oversize),
        cmocka_unit_test(test_sized_structure_mismatch),
        cmocka_unit_test(test_bad_algorithms_and_bits),
        cmocka_unit_test(test_selectors),
        cmocka_unit_test(test_pcr_selection_limits),
        cmocka_unit_test(test_interface_types),
        cmocka_unit_test(test_int32_and_public_parms),
        cmocka_unit_test(test_supported_tables),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
