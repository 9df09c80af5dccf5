/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/kdf.h — the two key-derivation functions of TPM 2.0 (Part 1 §11.4.10)
 * and the XOR obfuscation built on the first.
 *
 * KDFa derives keys from a secret by HMAC (SP 800-108 counter mode): storage
 * and integrity keys from seeds, session keys, parameter-encryption keys and
 * IVs, primary keys from hierarchy seeds. KDFe derives a seed from an ECDH
 * shared secret by hashing (SP 800-56A concatenation KDF): the ECC form of
 * "secret" in MakeCredential, Duplicate, Import and salted sessions.
 *
 * Labels are byte strings. TPM labels are strings like "STORAGE"; the
 * standard wants them followed by one 0x00 octet, which is added here unless
 * the label already ends in one — "STORAGE" (7 bytes) and "STORAGE\0"
 * (8 bytes) give the same output, and an empty label hashes as a single 0x00.
 */
#ifndef QTPM_KDF_H
#define QTPM_KDF_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/classic.h"

/*
 * KDFa (Part 1 §11.4.10.2): for i = 1, 2, ...
 *   K(i) = HMAC_hash(key, [i]_32 || label || 0x00 || context_u || context_v || [bits]_32)
 * concatenated and cut to (bits + 7) / 8 bytes written to out; when bits is
 * not a multiple of 8 the unused high bits of out[0] are cleared. Contexts
 * may be empty (NULL with length 0). bits must be non-zero.
 */
int qtpm_kdfa(qtpm_hash_alg hash, const uint8_t *key, size_t key_len,
              const uint8_t *label, size_t label_len,
              const uint8_t *context_u, size_t context_u_len,
              const uint8_t *context_v, size_t context_v_len,
              uint32_t bits, uint8_t *out);

/*
 * KDFe (Part 1 §11.4.10.3): for i = 1, 2, ...
 *   K(i) = hash([i]_32 || z || label || 0x00 || party_u || party_v)
 * concatenated and cut to bits like KDFa. z is the shared secret (the x
 * coordinate of the ECDH point); party_u/party_v are the x coordinates of
 * the ephemeral and static public keys as the command in question says.
 */
int qtpm_kdfe(qtpm_hash_alg hash, const uint8_t *z, size_t z_len,
              const uint8_t *label, size_t label_len,
              const uint8_t *party_u, size_t party_u_len,
              const uint8_t *party_v, size_t party_v_len,
              uint32_t bits, uint8_t *out);

/*
 * XOR obfuscation (Part 1 §21.2, parameter encryption with TPM_ALG_XOR): data
 * is XORed in place with KDFa(hash, key, "XOR", context_u, context_v, len*8),
 * where the caller passes key = sessionKey || authValue, context_u =
 * nonceNewer and context_v = nonceOlder. Applying it twice restores data.
 */
int qtpm_kdfa_xor(qtpm_hash_alg hash, const uint8_t *key, size_t key_len,
                  const uint8_t *context_u, size_t context_u_len,
                  const uint8_t *context_v, size_t context_v_len,
                  uint8_t *data, size_t len);

#endif
