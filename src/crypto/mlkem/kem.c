/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kem.c — ML-KEM itself (FIPS 203 §6 and §7): the Fujisaki-Okamoto-style
 * transform that turns K-PKE (indcpa.c) into an IND-CCA2 KEM, the input
 * checks of §7.2 and §7.3, and the public API of qtpm/mlkem.h.
 *
 * Key layout (FIPS 203 Algorithm 16): dk = dk_PKE ‖ ek ‖ H(ek) ‖ z. The TPM
 * keeps only the 64-byte seed d ‖ z, so decapsulation also accepts that form
 * and re-derives dk with KeyGen_internal first.
 *
 * Decapsulation never reveals whether the ciphertext was valid: the
 * re-encryption is compared with the received ciphertext in constant time
 * and the implicit-rejection key J(z ‖ c) is selected by a mask (ct.h), so
 * the same instructions run either way.
 */
#include <string.h>

#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "qtpm/mlkem.h"
#include "qtpm/rand.h"
#include "ct.h"
#include "compress.h"
#include "indcpa.h"
#include "params.h"

/* Offsets inside dk (FIPS 203 Algorithm 16, line 3). */
static size_t dk_ek_offset(const mlkem_params *prm) { return prm->pke_dk_bytes; }
static size_t dk_h_offset(const mlkem_params *prm) { return prm->pke_dk_bytes + prm->ek_bytes; }
static size_t dk_z_offset(const mlkem_params *prm) { return dk_h_offset(prm) + MLKEM_SYMBYTES; }

size_t qtpm_mlkem_ek_bytes(qtpm_mlkem_set set)
{
    const mlkem_params *prm = mlkem_params_of(set);
    return prm ? prm->ek_bytes : 0;
}

size_t qtpm_mlkem_dk_bytes(qtpm_mlkem_set set)
{
    const mlkem_params *prm = mlkem_params_of(set);
    return prm ? prm->dk_bytes : 0;
}

size_t qtpm_mlkem_ct_bytes(qtpm_mlkem_set set)
{
    const mlkem_params *prm = mlkem_params_of(set);
    return prm ? prm->ct_bytes : 0;
}

/* FIPS 203 Algorithm 16 writing the whole dk, with ek in place inside it. */
static void keygen_into_dk(const mlkem_params *prm, const uint8_t d[MLKEM_SYMBYTES],
                           const uint8_t z[MLKEM_SYMBYTES], uint8_t *dk)
{
    uint8_t *ek = dk + dk_ek_offset(prm);
    mlkem_indcpa_keypair(prm, d, ek, dk);
    qtpm_sha3_256(dk + dk_h_offset(prm), ek, prm->ek_bytes); /* H(ek) */
    memcpy(dk + dk_z_offset(prm), z, MLKEM_SYMBYTES);
}

int qtpm_mlkem_keygen_internal(qtpm_mlkem_set set, const uint8_t d[32], const uint8_t z[32],
                               uint8_t *ek, uint8_t *dk)
{
    const mlkem_params *prm = mlkem_params_of(set);
    if (!prm || !d || !z || !ek || !dk)
        return QTPM_E_PARAM;
    keygen_into_dk(prm, d, z, dk);
    memcpy(ek, dk + dk_ek_offset(prm), prm->ek_bytes);
    return QTPM_OK;
}

int qtpm_mlkem_keygen_from_seed(qtpm_mlkem_set set, const uint8_t seed[QTPM_MLKEM_SEED_BYTES],
                                uint8_t *ek, uint8_t *dk)
{
    if (!seed)
        return QTPM_E_PARAM;
    return qtpm_mlkem_keygen_internal(set, seed, seed + MLKEM_SYMBYTES, ek, dk);
}

/* FIPS 203 Algorithm 19. */
int qtpm_mlkem_keygen(qtpm_mlkem_set set, uint8_t *ek, uint8_t *dk,
                      uint8_t seed_out[QTPM_MLKEM_SEED_BYTES])
{
    const mlkem_params *prm = mlkem_params_of(set);
    uint8_t seed[QTPM_MLKEM_SEED_BYTES];
    uint8_t dk_local[QTPM_MLKEM_MAX_DK_BYTES];
    int rc;

    if (!prm || !ek)
        return QTPM_E_PARAM;
    rc = qtpm_random_bytes(seed, sizeof(seed));
    if (rc != QTPM_OK) {
        qtpm_memzero(seed, sizeof(seed));
        return rc;
    }
    rc = qtpm_mlkem_keygen_internal(set, seed, seed + MLKEM_SYMBYTES, ek, dk ? dk : dk_local);
    if (seed_out)
        memcpy(seed_out, seed, sizeof(seed));
    qtpm_memzero(seed, sizeof(seed));
    if (!dk)
        qtpm_memzero(dk_local, prm->dk_bytes);
    return rc;
}

int qtpm_mlkem_check_ek(qtpm_mlkem_set set, const uint8_t *ek, size_t ek_len)
{
    const mlkem_params *prm = mlkem_params_of(set);
    if (!prm)
        return QTPM_E_PARAM;
    /* §7.2 check 1: type check (length) */
    if (ek_len != prm->ek_bytes)
        return QTPM_E_LENGTH;
    if (!ek)
        return QTPM_E_PARAM;
    /* §7.2 check 2: modulus check, ByteEncode_12(ByteDecode_12(ek[..384k])) = ek[..384k] */
    int ok = 1;
    for (unsigned i = 0; i < prm->k; i++)
        ok &= mlkem_poly_check_modulus(ek + (size_t)i * MLKEM_POLYBYTES);
    return ok ? QTPM_OK : QTPM_E_INVALID;
}

int qtpm_mlkem_check_dk(qtpm_mlkem_set set, const uint8_t *dk, size_t dk_len)
{
    const mlkem_params *prm = mlkem_params_of(set);
    uint8_t h[MLKEM_SYMBYTES];
    if (!prm)
        return QTPM_E_PARAM;
    /* The seed form d ‖ z is well formed by construction. */
    if (dk_len == QTPM_MLKEM_SEED_BYTES)
        return dk ? QTPM_OK : QTPM_E_PARAM;
    /* §7.3 check 2: type check (length) */
    if (dk_len != prm->dk_bytes)
        return QTPM_E_LENGTH;
    if (!dk)
        return QTPM_E_PARAM;
    /* §7.3 check 3: hash check, H(dk[384k : 768k+32]) = dk[768k+32 : 768k+64].
     * Both sides are derived from the public ek, so the comparison result is
     * public; it is made in constant time anyway. */
    qtpm_sha3_256(h, dk + dk_ek_offset(prm), prm->ek_bytes);
    return ct_memneq(h, dk + dk_h_offset(prm), MLKEM_SYMBYTES) ? QTPM_E_INVALID : QTPM_OK;
}

/* FIPS 203 Algorithm 17 after the checks; h_ek = H(ek). */
static void encaps_core(const mlkem_params *prm, const uint8_t *ek,
                        const uint8_t h_ek[MLKEM_SYMBYTES], const uint8_t m[MLKEM_SYMBYTES],
                        uint8_t *ct, uint8_t ss[MLKEM_SYMBYTES])
{
    uint8_t g_in[2 * MLKEM_SYMBYTES];
    uint8_t kr[2 * MLKEM_SYMBYTES]; /* (K, r) = G(m ‖ H(ek)) */

    memcpy(g_in, m, MLKEM_SYMBYTES);
    memcpy(g_in + MLKEM_SYMBYTES, h_ek, MLKEM_SYMBYTES);
    qtpm_sha3_512(kr, g_in, sizeof(g_in));
    mlkem_indcpa_enc(prm, ek, m, kr + MLKEM_SYMBYTES, ct);
    memcpy(ss, kr, MLKEM_SYMBYTES);
    qtpm_memzero(g_in, sizeof(g_in));
    qtpm_memzero(kr, sizeof(kr));
}

/* Algorithm 17 for an ek that passed qtpm_mlkem_check_ek: H(ek), then the
 * core. Shared by both entry points so the modulus check runs once. */
static int encaps_checked(const mlkem_params *prm, const uint8_t *ek, const uint8_t m[32],
                          uint8_t *ct, uint8_t ss[QTPM_MLKEM_SS_BYTES])
{
    uint8_t h_ek[MLKEM_SYMBYTES];
    if (!m || !ct || !ss)
        return QTPM_E_PARAM;
    qtpm_sha3_256(h_ek, ek, prm->ek_bytes);
    encaps_core(prm, ek, h_ek, m, ct, ss);
    return QTPM_OK;
}

int qtpm_mlkem_encaps_internal(qtpm_mlkem_set set, const uint8_t *ek, size_t ek_len,
                               const uint8_t m[32], uint8_t *ct, uint8_t ss[QTPM_MLKEM_SS_BYTES])
{
    int rc = qtpm_mlkem_check_ek(set, ek, ek_len);
    if (rc != QTPM_OK)
        return rc;
    return encaps_checked(mlkem_params_of(set), ek, m, ct, ss);
}

/* FIPS 203 Algorithm 20. */
int qtpm_mlkem_encaps(qtpm_mlkem_set set, const uint8_t *ek, size_t ek_len, uint8_t *ct,
                      uint8_t ss[QTPM_MLKEM_SS_BYTES])
{
    uint8_t m[MLKEM_SYMBYTES];
    int rc = qtpm_mlkem_check_ek(set, ek, ek_len);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_random_bytes(m, sizeof(m));
    if (rc == QTPM_OK)
        rc = encaps_checked(mlkem_params_of(set), ek, m, ct, ss);
    qtpm_memzero(m, sizeof(m));
    return rc;
}

/* Algorithm 20 for an ek whose §7.2 modulus check the caller made when it
 * received it (§7.2: the check need not run with every Encaps). */
int qtpm_mlkem_encaps_checked(qtpm_mlkem_set set, const uint8_t *ek, size_t ek_len, uint8_t *ct,
                              uint8_t ss[QTPM_MLKEM_SS_BYTES])
{
    const mlkem_params *prm = mlkem_params_of(set);
    uint8_t m[MLKEM_SYMBYTES];
    int rc;

    if (!prm)
        return QTPM_E_PARAM;
    if (ek_len != prm->ek_bytes)
        return QTPM_E_LENGTH;
    if (!ek)
        return QTPM_E_PARAM;
    rc = qtpm_random_bytes(m, sizeof(m));
    if (rc == QTPM_OK)
        rc = encaps_checked(prm, ek, m, ct, ss);
    qtpm_memzero(m, sizeof(m));
    return rc;
}

/* FIPS 203 Algorithm 18 on a full, checked dk. */
static void decaps_core(const mlkem_params *prm, const uint8_t *dk, const uint8_t *ct,
                        uint8_t ss[MLKEM_SYMBYTES])
{
    const uint8_t *ek = dk + dk_ek_offset(prm);
    const uint8_t *h = dk + dk_h_offset(prm);
    const uint8_t *z = dk + dk_z_offset(prm);
    uint8_t m[MLKEM_SYMBYTES];
    uint8_t k_prime[MLKEM_SYMBYTES], k_bar[MLKEM_SYMBYTES];
    uint8_t ct_prime[QTPM_MLKEM_MAX_CT_BYTES];
    qtpm_keccak_ctx j;

    /* Line 7: m' = K-PKE.Decrypt(dk_PKE, c) */
    mlkem_indcpa_dec(prm, dk, ct, m);
    /* Lines 8-10: (K', r') = G(m' ‖ h), c' = K-PKE.Encrypt(ek, m', r') */
    encaps_core(prm, ek, h, m, ct_prime, k_prime);
    /* Line 9: K̄ = J(z ‖ c) = SHAKE256(z ‖ c, 32) */
    qtpm_shake256_init(&j);
    qtpm_keccak_absorb(&j, z, MLKEM_SYMBYTES);
    qtpm_keccak_absorb(&j, ct, prm->ct_bytes);
    qtpm_keccak_squeeze(&j, k_bar, MLKEM_SYMBYTES);
    /* Lines 11-13: if c ≠ c' then K' = K̄ — as a mask, never a branch */
    uint8_t differ = ct_memneq(ct, ct_prime, prm->ct_bytes);
    ct_cmov(k_prime, k_bar, MLKEM_SYMBYTES, differ);
    memcpy(ss, k_prime, MLKEM_SYMBYTES);

    qtpm_memzero(m, sizeof(m));
    qtpm_memzero(k_prime, sizeof(k_prime));
    qtpm_memzero(k_bar, sizeof(k_bar));
    qtpm_memzero(ct_prime, sizeof(ct_prime));
    qtpm_memzero(&j, sizeof(j));
}

int qtpm_mlkem_decaps(qtpm_mlkem_set set, const uint8_t *dk, size_t dk_len, const uint8_t *ct,
                      size_t ct_len, uint8_t ss[QTPM_MLKEM_SS_BYTES])
{
    const mlkem_params *prm = mlkem_params_of(set);
    if (!prm)
        return QTPM_E_PARAM;
    /* §7.3 check 1: ciphertext type check */
    if (ct_len != prm->ct_bytes)
        return QTPM_E_LENGTH;
    int rc = qtpm_mlkem_check_dk(set, dk, dk_len);
    if (rc != QTPM_OK)
        return rc;
    if (!ct || !ss)
        return QTPM_E_PARAM;
    if (dk_len == QTPM_MLKEM_SEED_BYTES) {
        /* Seed form: expand with KeyGen_internal (its H(ek) is right by
         * construction), decapsulate, and wipe the expanded key. */
        uint8_t dk_full[QTPM_MLKEM_MAX_DK_BYTES];
        keygen_into_dk(prm, dk, dk + MLKEM_SYMBYTES, dk_full);
        decaps_core(prm, dk_full, ct, ss);
        qtpm_memzero(dk_full, sizeof(dk_full));
    } else {
        decaps_core(prm, dk, ct, ss);
    }
    return QTPM_OK;
}

/* Algorithm 21 on a dk written by this library's KeyGen_internal (Algorithm
 * 16: dk = dk_PKE ‖ ek ‖ H(ek) ‖ z with H(ek) computed there) and held by the
 * caller since: §7.3 checks 1 and 2 (lengths) run, check 3 (hash) would
 * recompute the H(ek) that keygen_into_dk stored and is left out. */
int qtpm_mlkem_decaps_generated(qtpm_mlkem_set set, const uint8_t *dk, size_t dk_len,
                                const uint8_t *ct, size_t ct_len,
                                uint8_t ss[QTPM_MLKEM_SS_BYTES])
{
    const mlkem_params *prm = mlkem_params_of(set);
    if (!prm)
        return QTPM_E_PARAM;
    if (ct_len != prm->ct_bytes || dk_len != prm->dk_bytes)
        return QTPM_E_LENGTH;
    if (!dk || !ct || !ss)
        return QTPM_E_PARAM;
    decaps_core(prm, dk, ct, ss);
    return QTPM_OK;
}
