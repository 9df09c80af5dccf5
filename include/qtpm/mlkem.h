/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/mlkem.h — ML-KEM (FIPS 203): ML-KEM-512, -768 and -1024.
 *
 * Keys and ciphertexts are byte strings in FIPS 203's encodings. A decapsulation
 * key may also be given as the 64-byte seed d‖z (TPM 2.0 v1.85's private-key
 * format); it is expanded on use. No heap; every secret intermediate is wiped;
 * nothing branches on or indexes by a secret.
 *
 * All functions return QTPM_OK or a negative qtpm_err (qtpm/common.h).
 */
#ifndef QTPM_MLKEM_H
#define QTPM_MLKEM_H

#include <stddef.h>
#include <stdint.h>

/* Values match TPM_MLKEM_512/768/1024 of the TCG algorithm registry. */
typedef enum {
    QTPM_MLKEM_512 = 1,
    QTPM_MLKEM_768 = 2,
    QTPM_MLKEM_1024 = 3,
} qtpm_mlkem_set;

#define QTPM_MLKEM_SEED_BYTES 64  /* d ‖ z */
#define QTPM_MLKEM_SS_BYTES 32
#define QTPM_MLKEM_MAX_EK_BYTES 1568
#define QTPM_MLKEM_MAX_DK_BYTES 3168
#define QTPM_MLKEM_MAX_CT_BYTES 1568

/* Sizes of the encodings; 0 for an unknown set. */
size_t qtpm_mlkem_ek_bytes(qtpm_mlkem_set set);
size_t qtpm_mlkem_dk_bytes(qtpm_mlkem_set set);
size_t qtpm_mlkem_ct_bytes(qtpm_mlkem_set set);

/* FIPS 203 Algorithm 16, ML-KEM.KeyGen_internal(d, z). */
int qtpm_mlkem_keygen_internal(qtpm_mlkem_set set, const uint8_t d[32], const uint8_t z[32],
                               uint8_t *ek, uint8_t *dk);
/* Same from the 64-byte seed d ‖ z. */
int qtpm_mlkem_keygen_from_seed(qtpm_mlkem_set set, const uint8_t seed[QTPM_MLKEM_SEED_BYTES],
                                uint8_t *ek, uint8_t *dk);
/* FIPS 203 Algorithm 19, ML-KEM.KeyGen: fresh d, z; seed_out (may be NULL)
 * receives d ‖ z. dk may be NULL when only the seed is wanted. */
int qtpm_mlkem_keygen(qtpm_mlkem_set set, uint8_t *ek, uint8_t *dk,
                      uint8_t seed_out[QTPM_MLKEM_SEED_BYTES]);

/* FIPS 203 §7.2 encapsulation-key check (length and modulus). */
int qtpm_mlkem_check_ek(qtpm_mlkem_set set, const uint8_t *ek, size_t ek_len);
/* FIPS 203 §7.3 decapsulation-key check (length and hash of ek). Accepts the
 * 64-byte seed form too (always well formed). */
int qtpm_mlkem_check_dk(qtpm_mlkem_set set, const uint8_t *dk, size_t dk_len);

/* FIPS 203 Algorithm 17, ML-KEM.Encaps_internal(ek, m), after the §7.2 check. */
int qtpm_mlkem_encaps_internal(qtpm_mlkem_set set, const uint8_t *ek, size_t ek_len,
                               const uint8_t m[32], uint8_t *ct,
                               uint8_t ss[QTPM_MLKEM_SS_BYTES]);
/* FIPS 203 Algorithm 20, ML-KEM.Encaps(ek) with fresh m. */
int qtpm_mlkem_encaps(qtpm_mlkem_set set, const uint8_t *ek, size_t ek_len, uint8_t *ct,
                      uint8_t ss[QTPM_MLKEM_SS_BYTES]);
/* FIPS 203 Algorithms 18/21, ML-KEM.Decaps(dk, c) with implicit rejection,
 * after the §7.3 checks. dk_len is dk_bytes(set) or QTPM_MLKEM_SEED_BYTES. */
int qtpm_mlkem_decaps(qtpm_mlkem_set set, const uint8_t *dk, size_t dk_len, const uint8_t *ct,
                      size_t ct_len, uint8_t ss[QTPM_MLKEM_SS_BYTES]);

/* For a caller that holds its keys itself (qtpm-provider). FIPS 203 §7.2 and
 * §7.3 require the input checks before Encaps/Decaps run, but not by the
 * party that runs them nor at every execution: the assurance may come from
 * elsewhere. So:
 * - encaps_checked: Algorithm 20 on an ek that already passed
 *   qtpm_mlkem_check_ek (when it was received); only the length is checked
 *   again.
 * - decaps_generated: Algorithm 21 on a full dk that this library's KeyGen
 *   (qtpm_mlkem_keygen / _keygen_internal / _keygen_from_seed) wrote and the
 *   caller has held since — its H(ek) is right by construction, so the §7.3
 *   hash check (one SHA3-256 over ek) is left out; the length checks remain.
 *   Never for a dk that came from outside. */
int qtpm_mlkem_encaps_checked(qtpm_mlkem_set set, const uint8_t *ek, size_t ek_len, uint8_t *ct,
                              uint8_t ss[QTPM_MLKEM_SS_BYTES]);
int qtpm_mlkem_decaps_generated(qtpm_mlkem_set set, const uint8_t *dk, size_t dk_len,
                                const uint8_t *ct, size_t ct_len,
                                uint8_t ss[QTPM_MLKEM_SS_BYTES]);

#endif
