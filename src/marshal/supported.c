/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * supported.c — the one place that says which algorithms, key sizes, modes,
 * curves and parameter sets qtpm implements. The interface-type checks of
 * unmarshalling (interface.c) and the engine's capability reports read these
 * tables, so supporting something new is a table edit here.
 *
 * Sets follow Part 2 §9 (TPMI_ALG_HASH, TPMI_AES_KEY_BITS, ...) restricted to
 * what qtpm's crypto (OpenSSL 3 plus its own ML-KEM/ML-DSA) provides.
 */
#include "marshal_internal.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* TPMI_ALG_HASH: digest sizes from FIPS 180-4 and FIPS 202. */
static const struct {
    TPM_ALG_ID alg;
    uint16_t size;
} hash_table[] = {
    {TPM_ALG_SHA1, 20},     {TPM_ALG_SHA256, 32},   {TPM_ALG_SHA384, 48},
    {TPM_ALG_SHA512, 64},   {TPM_ALG_SHA3_256, 32}, {TPM_ALG_SHA3_384, 48},
    {TPM_ALG_SHA3_512, 64},
};

/* TPMI_ALG_SYM_OBJECT and its key sizes (TPMI_AES_KEY_BITS). */
static const struct {
    TPM_ALG_ID alg;
    TPM_KEY_BITS bits[3];
} sym_table[] = {
    {TPM_ALG_AES, {128, 192, 256}},
};

/* TPMI_ALG_SYM_MODE (TPM_ALG_NULL is allowed where the type has "+"). */
static const TPM_ALG_ID sym_mode_table[] = {
    TPM_ALG_CFB, TPM_ALG_CTR, TPM_ALG_OFB, TPM_ALG_CBC, TPM_ALG_ECB,
};

static const struct {
    TPM_ECC_CURVE curve;
    uint16_t key_bytes;
} curve_table[] = {
    {TPM_ECC_NIST_P256, 32},
    {TPM_ECC_NIST_P384, 48},
    {TPM_ECC_BN_P256, 32}, /* ECDAA (Commit, Sign with TPM_ALG_ECDAA) */
};

static const TPM_KEY_BITS rsa_bits_table[] = {1024, 2048, 3072, 4096};

static const TPM_MLKEM_PARMS mlkem_table[] = {TPM_MLKEM_512, TPM_MLKEM_768, TPM_MLKEM_1024};
static const TPM_MLDSA_PARMS mldsa_table[] = {TPM_MLDSA_44, TPM_MLDSA_65, TPM_MLDSA_87};

/* TPMI_ALG_PUBLIC */
static const TPM_ALG_ID public_table[] = {
    TPM_ALG_RSA,   TPM_ALG_KEYEDHASH, TPM_ALG_ECC,        TPM_ALG_SYMCIPHER,
    TPM_ALG_MLKEM, TPM_ALG_MLDSA,     TPM_ALG_HASH_MLDSA,
};

/* TPMI_ALG_SIG_SCHEME (SM2 is outside qtpm's algorithm set). */
static const TPM_ALG_ID sig_scheme_table[] = {
    TPM_ALG_RSASSA, TPM_ALG_RSAPSS, TPM_ALG_ECDSA, TPM_ALG_ECDAA,
    TPM_ALG_ECSCHNORR, TPM_ALG_HMAC, TPM_ALG_MLDSA, TPM_ALG_HASH_MLDSA,
};

/* TPMI_ALG_KDF */
static const TPM_ALG_ID kdf_table[] = {
    TPM_ALG_MGF1, TPM_ALG_KDF1_SP800_56A, TPM_ALG_KDF2, TPM_ALG_KDF1_SP800_108,
};

/* TPMI_ALG_RSA_SCHEME, TPMI_ALG_RSA_DECRYPT, TPMI_ALG_ECC_SCHEME,
 * TPMI_ECC_KEY_EXCHANGE (ECMQV is outside qtpm's algorithm set). */
static const TPM_ALG_ID rsa_scheme_table[] = {
    TPM_ALG_RSASSA, TPM_ALG_RSAPSS, TPM_ALG_RSAES, TPM_ALG_OAEP,
};
static const TPM_ALG_ID rsa_decrypt_table[] = {TPM_ALG_RSAES, TPM_ALG_OAEP};
static const TPM_ALG_ID ecc_scheme_table[] = {
    TPM_ALG_ECDSA, TPM_ALG_ECDAA, TPM_ALG_ECSCHNORR, TPM_ALG_ECDH,
};
static const TPM_ALG_ID key_exchange_table[] = {TPM_ALG_ECDH};

static int in_list(const TPM_ALG_ID *list, size_t n, TPM_ALG_ID v)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

uint16_t qtpm_hash_digest_size(TPM_ALG_ID alg)
{
    for (size_t i = 0; i < COUNT(hash_table); i++)
        if (hash_table[i].alg == alg)
            return hash_table[i].size;
    return 0;
}

int qtpm_supported_hash(TPM_ALG_ID alg)
{
    return qtpm_hash_digest_size(alg) != 0;
}

size_t qtpm_supported_hash_list(TPM_ALG_ID *out, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < COUNT(hash_table) && n < cap; i++)
        out[n++] = hash_table[i].alg;
    return n;
}

int qtpm_supported_sym(TPM_ALG_ID alg)
{
    for (size_t i = 0; i < COUNT(sym_table); i++)
        if (sym_table[i].alg == alg)
            return 1;
    return 0;
}

int qtpm_supported_sym_key_bits(TPM_ALG_ID alg, TPM_KEY_BITS bits)
{
    for (size_t i = 0; i < COUNT(sym_table); i++) {
        if (sym_table[i].alg != alg)
            continue;
        for (size_t j = 0; j < COUNT(sym_table[i].bits); j++)
            if (sym_table[i].bits[j] == bits && bits != 0)
                return 1;
    }
    return 0;
}

int qtpm_supported_sym_mode(TPM_ALG_ID mode)
{
    return in_list(sym_mode_table, COUNT(sym_mode_table), mode);
}

int qtpm_supported_curve(TPM_ECC_CURVE curve)
{
    return qtpm_curve_key_bytes(curve) != 0;
}

uint16_t qtpm_curve_key_bytes(TPM_ECC_CURVE curve)
{
    for (size_t i = 0; i < COUNT(curve_table); i++)
        if (curve_table[i].curve == curve)
            return curve_table[i].key_bytes;
    return 0;
}

int qtpm_supported_rsa_key_bits(TPM_KEY_BITS bits)
{
    for (size_t i = 0; i < COUNT(rsa_bits_table); i++)
        if (rsa_bits_table[i] == bits)
            return 1;
    return 0;
}

int qtpm_supported_mlkem_parms(TPM_MLKEM_PARMS set)
{
    for (size_t i = 0; i < COUNT(mlkem_table); i++)
        if (mlkem_table[i] == set)
            return 1;
    return 0;
}

int qtpm_supported_mldsa_parms(TPM_MLDSA_PARMS set)
{
    for (size_t i = 0; i < COUNT(mldsa_table); i++)
        if (mldsa_table[i] == set)
            return 1;
    return 0;
}

int qtpm_supported_public_type(TPM_ALG_ID alg)
{
    return in_list(public_table, COUNT(public_table), alg);
}

int qtpm_supported_sig_scheme(TPM_ALG_ID alg)
{
    return in_list(sig_scheme_table, COUNT(sig_scheme_table), alg);
}

int qtpm_supported_kdf(TPM_ALG_ID alg)
{
    return in_list(kdf_table, COUNT(kdf_table), alg);
}

int qtpm_supported_rsa_scheme(TPM_ALG_ID alg)
{
    return in_list(rsa_scheme_table, COUNT(rsa_scheme_table), alg);
}

int qtpm_supported_rsa_decrypt(TPM_ALG_ID alg)
{
    return in_list(rsa_decrypt_table, COUNT(rsa_decrypt_table), alg);
}

int qtpm_supported_ecc_scheme(TPM_ALG_ID alg)
{
    return in_list(ecc_scheme_table, COUNT(ecc_scheme_table), alg);
}

int qtpm_supported_key_exchange(TPM_ALG_ID alg)
{
    return in_list(key_exchange_table, COUNT(key_exchange_table), alg);
}
