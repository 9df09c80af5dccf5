/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * indcpa.h — K-PKE, the IND-CPA public-key encryption scheme underneath
 * ML-KEM (FIPS 203 §5): KeyGen, Encrypt and Decrypt (Algorithms 13-15).
 * Only kem.c uses it; K-PKE on its own is not a safe public interface.
 */
#ifndef QTPM_MLKEM_INDCPA_H
#define QTPM_MLKEM_INDCPA_H

#include <stdint.h>

#include "params.h"

/* FIPS 203 Algorithm 13, K-PKE.KeyGen(d): writes ek (ek_bytes) and the
 * K-PKE decryption key ByteEncode_12(ŝ) (pke_dk_bytes). */
void mlkem_indcpa_keypair(const mlkem_params *prm, const uint8_t d[MLKEM_SYMBYTES], uint8_t *ek,
                          uint8_t *dk_pke);

/* FIPS 203 Algorithm 14, K-PKE.Encrypt(ek, m, r): writes ct (ct_bytes).
 * ek must already have passed the §7.2 modulus check (or come from a
 * decapsulation key, where Decode_12's reduction mod q is applied). */
void mlkem_indcpa_enc(const mlkem_params *prm, const uint8_t *ek,
                      const uint8_t m[MLKEM_SYMBYTES], const uint8_t r[MLKEM_SYMBYTES],
                      uint8_t *ct);

/* FIPS 203 Algorithm 15, K-PKE.Decrypt(dk_pke, c): writes the message m. */
void mlkem_indcpa_dec(const mlkem_params *prm, const uint8_t *dk_pke, const uint8_t *ct,
                      uint8_t m[MLKEM_SYMBYTES]);

#endif
