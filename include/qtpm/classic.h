/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/classic.h — the classic (pre-quantum) algorithms a TPM 2.0 and its TSS
 * need: SHA-1/SHA-2/SHA-3 hashes, HMAC, AES in the TPM's modes, RSA and ECC.
 *
 * Everything here runs over OpenSSL 3's EVP interface (the one classic back
 * end, DESIGN.md decision 2), except SHA-3, which uses our own Keccak
 * (qtpm/keccak.h). Callers never see an OpenSSL type: algorithms are named by
 * the small enums below (the engine maps TPM_ALG_ID values onto them), and
 * numbers cross the interface as fixed-size big-endian byte strings — the form
 * TPM2B_ECC_PARAMETER, TPM2B_PUBLIC_KEY_RSA and TPM2B_PRIVATE_KEY_RSA take.
 *
 * Conventions shared by every function:
 *  - the return value is a qtpm_err (QTPM_OK = 0, negative on failure);
 *  - variable-length outputs are written to (out, out_cap) and the length
 *    produced goes to *out_len; a short buffer gives QTPM_E_BUFFER;
 *  - secrets held by the library (key objects, contexts) are wiped when freed.
 *
 * Randomness: ECC key generation draws from qtpm_random_bytes() (so it follows
 * the per-thread deterministic test mode of qtpm/rand.h); RSA key generation,
 * ECDSA nonces and OAEP/PKCS#1/PSS padding come from OpenSSL's own DRBG.
 */
#ifndef QTPM_CLASSIC_H
#define QTPM_CLASSIC_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/common.h"
#include "qtpm/keccak.h"

/* ------------------------------------------------------------------ hashes */

typedef enum {
    QTPM_HASH_NONE = 0,
    QTPM_HASH_SHA1,
    QTPM_HASH_SHA256,
    QTPM_HASH_SHA384,
    QTPM_HASH_SHA512,
    QTPM_HASH_SHA3_256,
    QTPM_HASH_SHA3_384,
    QTPM_HASH_SHA3_512,
} qtpm_hash_alg;

#define QTPM_HASH_MAX_SIZE 64   /* largest digest (SHA-512, SHA3-512) */
#define QTPM_HASH_MAX_BLOCK 136 /* largest block (the SHA3-256 rate) */

/* Digest size in bytes; 0 for an unknown algorithm. */
size_t qtpm_hash_size(qtpm_hash_alg alg);
/* Input block size in bytes (the HMAC block, the SHA-3 rate); 0 if unknown. */
size_t qtpm_hash_block_size(qtpm_hash_alg alg);

/* One-shot digest; out receives qtpm_hash_size(alg) bytes. */
int qtpm_hash(qtpm_hash_alg alg, const uint8_t *in, size_t len, uint8_t *out);

/*
 * An incremental hash. SHA-1/SHA-2 keep an OpenSSL digest context on the
 * heap; SHA-3 keeps the Keccak state inline. A context is live from a
 * successful init or copy until final or free; both release it, and free is
 * harmless on a released or zero-initialised context.
 */
struct evp_md_ctx_st;
typedef struct {
    qtpm_hash_alg alg;
    struct evp_md_ctx_st *md; /* SHA-1/SHA-2 */
    qtpm_keccak_ctx keccak;   /* SHA-3 */
} qtpm_hash_ctx;

int qtpm_hash_init(qtpm_hash_ctx *c, qtpm_hash_alg alg);
int qtpm_hash_update(qtpm_hash_ctx *c, const uint8_t *in, size_t len);
/* Writes the digest and releases the context. */
int qtpm_hash_final(qtpm_hash_ctx *c, uint8_t *out);
/* dst becomes an independent copy of the live context src (TPM hash
 * sequences fork their state, e.g. for the event sequences of Part 3 §17.5).
 * dst must not be live. */
int qtpm_hash_copy(qtpm_hash_ctx *dst, const qtpm_hash_ctx *src);
void qtpm_hash_free(qtpm_hash_ctx *c);

/* -------------------------------------------------------------------- HMAC */

/* One-shot HMAC (RFC 2104) over any qtpm_hash_alg; out gets the digest size. */
int qtpm_hmac(qtpm_hash_alg alg, const uint8_t *key, size_t key_len,
              const uint8_t *in, size_t len, uint8_t *out);

/*
 * An incremental HMAC, with the same lifetime rules as qtpm_hash_ctx.
 * SHA-1/SHA-2 use OpenSSL's EVP_MAC "HMAC"; SHA-3 builds RFC 2104 on our
 * Keccak (inner and outer states, the key already absorbed).
 */
struct evp_mac_ctx_st;
typedef struct {
    qtpm_hash_alg alg;
    struct evp_mac_ctx_st *mac; /* SHA-1/SHA-2 */
    qtpm_hash_ctx inner, outer; /* SHA-3 */
} qtpm_hmac_ctx;

int qtpm_hmac_init(qtpm_hmac_ctx *c, qtpm_hash_alg alg, const uint8_t *key, size_t key_len);
int qtpm_hmac_update(qtpm_hmac_ctx *c, const uint8_t *in, size_t len);
int qtpm_hmac_final(qtpm_hmac_ctx *c, uint8_t *out);
int qtpm_hmac_copy(qtpm_hmac_ctx *dst, const qtpm_hmac_ctx *src);
void qtpm_hmac_free(qtpm_hmac_ctx *c);

/* --------------------------------------------------------------------- AES */

#define QTPM_AES_BLOCK 16

typedef enum {
    QTPM_SYM_CFB = 1, /* CFB with 128-bit feedback: TPM parameter encryption (Part 1 §21.3) */
    QTPM_SYM_CTR,     /* 128-bit big-endian counter over the whole block */
    QTPM_SYM_OFB,
    QTPM_SYM_CBC,     /* no padding: len must be a multiple of 16 */
    QTPM_SYM_ECB,     /* no padding: len must be a multiple of 16 */
} qtpm_sym_mode;

/*
 * AES (key_len 16, 24 or 32) in one of the modes above; in and out may be the
 * same buffer. iv is 16 bytes, read and then overwritten with the chaining
 * value — what TPM2_EncryptDecrypt returns as ivOut. Each call starts a fresh
 * block, so a later call given that value continues the stream exactly when
 * this one ended on a block boundary; after a partial block, the value is
 * (for CFB) the last ciphertext bytes followed by the unused key-stream bytes,
 * and (for CTR) the counter after the partly used one, as the TPM reference
 * implementation returns them. iv is ignored (may be NULL) for ECB.
 */
int qtpm_aes_encrypt(qtpm_sym_mode mode, const uint8_t *key, size_t key_len,
                     uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len);
int qtpm_aes_decrypt(qtpm_sym_mode mode, const uint8_t *key, size_t key_len,
                     uint8_t *iv, const uint8_t *in, uint8_t *out, size_t len);

/* One block of the raw AES permutation (ECB of 16 bytes). */
int qtpm_aes_block_encrypt(const uint8_t *key, size_t key_len,
                           const uint8_t in[16], uint8_t out[16]);
int qtpm_aes_block_decrypt(const uint8_t *key, size_t key_len,
                           const uint8_t in[16], uint8_t out[16]);

/*
 * AES-GCM (SP 800-38D). iv_len is any non-zero length (12 is the fast
 * path); tag_len is 4, 8 or 12..16. When decryption finds a wrong tag it
 * returns QTPM_E_VERIFY and zeroes out, so no unauthenticated plaintext leaks.
 */
int qtpm_aes_gcm_encrypt(const uint8_t *key, size_t key_len,
                         const uint8_t *iv, size_t iv_len,
                         const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, uint8_t *out, size_t len,
                         uint8_t *tag, size_t tag_len);
int qtpm_aes_gcm_decrypt(const uint8_t *key, size_t key_len,
                         const uint8_t *iv, size_t iv_len,
                         const uint8_t *aad, size_t aad_len,
                         const uint8_t *in, uint8_t *out, size_t len,
                         const uint8_t *tag, size_t tag_len);

/* --------------------------------------------------------------------- RSA */

/*
 * An RSA key (public, or private with CRT values). The engine loads one per
 * object and keeps it while the object is loaded, since rebuilding the CRT
 * values from the stored prime costs a division and two inversions.
 */
typedef struct qtpm_rsa_key qtpm_rsa_key;

#define QTPM_RSA_DEFAULT_EXPONENT 65537u

/* New key of bits (1024, 2048, 3072 or 4096) with public exponent e (0 means
 * 65537, as TPMT_PUBLIC's exponent field does; otherwise odd and > 2). */
int qtpm_rsa_generate(unsigned bits, uint32_t e, qtpm_rsa_key **out);

/* Public key from the modulus n (big-endian; leading zeros allowed) and e
 * (0 means 65537). */
int qtpm_rsa_import_public(const uint8_t *n, size_t n_len, uint32_t e, qtpm_rsa_key **out);

/* Private key from n, e and one prime factor — how a TPM stores it
 * (TPM2B_PRIVATE_KEY_RSA, Part 2 §11.2.4.7). The other prime, d and the CRT
 * values are computed; a prime that does not divide n gives QTPM_E_INVALID. */
int qtpm_rsa_import_prime(const uint8_t *n, size_t n_len, uint32_t e,
                          const uint8_t *p, size_t p_len, qtpm_rsa_key **out);

/* Private key from n, e and the private exponent d (no CRT; slower). */
int qtpm_rsa_import_private_exponent(const uint8_t *n, size_t n_len, uint32_t e,
                                     const uint8_t *d, size_t d_len, qtpm_rsa_key **out);

void qtpm_rsa_free(qtpm_rsa_key *key);

/* Modulus size in bits and in bytes. */
unsigned qtpm_rsa_bits(const qtpm_rsa_key *key);
size_t qtpm_rsa_size(const qtpm_rsa_key *key);
int qtpm_rsa_is_private(const qtpm_rsa_key *key);

/* n as exactly qtpm_rsa_size() bytes, and e. */
int qtpm_rsa_export_public(const qtpm_rsa_key *key, uint8_t *n, size_t n_cap,
                           size_t *n_len, uint32_t *e);
/* The first prime factor p (the one a TPM stores) as exactly
 * qtpm_rsa_size()/2 bytes; with want_q the second one. Needs a key with primes
 * (generated, or imported with qtpm_rsa_import_prime). */
int qtpm_rsa_export_prime(const qtpm_rsa_key *key, int want_q, uint8_t *p,
                          size_t p_cap, size_t *p_len);
/* d as exactly qtpm_rsa_size() bytes. */
int qtpm_rsa_export_private_exponent(const qtpm_rsa_key *key, uint8_t *d,
                                     size_t d_cap, size_t *d_len);

/* Textbook RSA, m^e mod n and c^d mod n (TPM_ALG_NULL scheme of RSA_Encrypt /
 * RSA_Decrypt). Input and output are exactly qtpm_rsa_size() bytes and the
 * input must be below n (QTPM_E_INVALID otherwise). */
int qtpm_rsa_raw_public(const qtpm_rsa_key *key, const uint8_t *in, size_t in_len,
                        uint8_t *out, size_t out_cap, size_t *out_len);
int qtpm_rsa_raw_private(const qtpm_rsa_key *key, const uint8_t *in, size_t in_len,
                         uint8_t *out, size_t out_cap, size_t *out_len);

/* RSAES-OAEP (RFC 8017 §7.1) with hash for both the label hash and MGF1. The
 * label is used as given: TPM labels carry their 0 terminator ("DUPLICATE\0",
 * Part 1 §B.10.2). Decryption failures of every kind give QTPM_E_INVALID. */
int qtpm_rsa_oaep_encrypt(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                          const uint8_t *label, size_t label_len,
                          const uint8_t *msg, size_t msg_len,
                          uint8_t *out, size_t out_cap, size_t *out_len);
int qtpm_rsa_oaep_decrypt(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                          const uint8_t *label, size_t label_len,
                          const uint8_t *in, size_t in_len,
                          uint8_t *out, size_t out_cap, size_t *out_len);

/* RSAES-PKCS1-v1_5 (RFC 8017 §7.2). */
int qtpm_rsa_pkcs1_encrypt(const qtpm_rsa_key *key, const uint8_t *msg, size_t msg_len,
                           uint8_t *out, size_t out_cap, size_t *out_len);
int qtpm_rsa_pkcs1_decrypt(const qtpm_rsa_key *key, const uint8_t *in, size_t in_len,
                           uint8_t *out, size_t out_cap, size_t *out_len);

/* RSASSA-PKCS1-v1_5 over a digest made with hash (RFC 8017 §8.2): the
 * DigestInfo for hash is added here. Verify gives QTPM_E_VERIFY on mismatch. */
int qtpm_rsa_pkcs1_sign(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                        const uint8_t *digest, size_t digest_len,
                        uint8_t *sig, size_t sig_cap, size_t *sig_len);
int qtpm_rsa_pkcs1_verify(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                          const uint8_t *digest, size_t digest_len,
                          const uint8_t *sig, size_t sig_len);

/* RSASSA-PSS (RFC 8017 §8.1) with MGF1 of the same hash. Signing uses a salt
 * as long as the digest, or the largest that fits when the key is too small
 * (what the TPM reference implementation does); verification accepts any
 * salt length. */
int qtpm_rsa_pss_sign(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                      const uint8_t *digest, size_t digest_len,
                      uint8_t *sig, size_t sig_cap, size_t *sig_len);
int qtpm_rsa_pss_verify(const qtpm_rsa_key *key, qtpm_hash_alg hash,
                        const uint8_t *digest, size_t digest_len,
                        const uint8_t *sig, size_t sig_len);

/* --------------------------------------------------------------------- ECC */

/*
 * ECC works on raw values, without key objects: a private key is the scalar
 * d and a public key the affine point (x, y), each exactly qtpm_ecc_size()
 * bytes big-endian, as the TPM stores them (TPMS_ECC_POINT, Part 2 §11.2.5.2).
 * For every supported curve the group order has as many bytes as the field.
 * The point at infinity has no encoding; an operation yielding it fails with
 * QTPM_E_INVALID.
 */
typedef enum {
    QTPM_ECC_NONE = 0,
    QTPM_ECC_P256,    /* NIST P-256 (secp256r1) */
    QTPM_ECC_P384,    /* NIST P-384 (secp384r1) */
    QTPM_ECC_P521,    /* NIST P-521 (secp521r1) */
    QTPM_ECC_BN_P256, /* Barreto-Naehrig 256 (ISO/IEC 15946-5), the TPM's ECDAA curve;
                         point and scalar operations only, no ECDSA */
} qtpm_ecc_curve;

#define QTPM_ECC_MAX_SIZE 66

/* Bytes per coordinate / scalar; 0 for an unknown curve. */
size_t qtpm_ecc_size(qtpm_ecc_curve curve);

/* The curve's domain parameters (TPM2_ECC_Parameters, Part 3 §14.9): field
 * prime p, coefficients a and b, generator (gx, gy) and order n, each
 * qtpm_ecc_size() bytes, and the cofactor h. Any output may be NULL. */
int qtpm_ecc_parameters(qtpm_ecc_curve curve, uint8_t *p, uint8_t *a, uint8_t *b,
                        uint8_t *gx, uint8_t *gy, uint8_t *n, uint32_t *h);

/* A fresh key pair: d uniform in [1, n-1] from qtpm_random_bytes(), Q = dG. */
int qtpm_ecc_generate(qtpm_ecc_curve curve, uint8_t *d, uint8_t *x, uint8_t *y);

/* d = (c mod (n-1)) + 1 from a byte string c at least qtpm_ecc_size()+8
 * bytes long (FIPS 186-4 §B.4.1, "extra random bits"): how a key is derived
 * deterministically, e.g. from a primary seed through KDFa. */
int qtpm_ecc_private_from_bytes(qtpm_ecc_curve curve, const uint8_t *c, size_t c_len,
                                uint8_t *d);

/* QTPM_OK if 1 <= d <= n-1, else QTPM_E_INVALID. */
int qtpm_ecc_check_private(qtpm_ecc_curve curve, const uint8_t *d);
/* QTPM_OK if (x, y) has coordinates below p and lies on the curve (and, for
 * cofactor-1 curves, that implies the prime-order group), else QTPM_E_INVALID. */
int qtpm_ecc_check_point(qtpm_ecc_curve curve, const uint8_t *x, const uint8_t *y);

/* Q = dG. */
int qtpm_ecc_public_from_private(qtpm_ecc_curve curve, const uint8_t *d,
                                 uint8_t *x, uint8_t *y);

/* R = k·P for a scalar k of any length (reduced mod n) and a point P that is
 * validated first; px = py = NULL means the generator. */
int qtpm_ecc_mul(qtpm_ecc_curve curve, const uint8_t *k, size_t k_len,
                 const uint8_t *px, const uint8_t *py, uint8_t *rx, uint8_t *ry);

/* R = P + Q, both validated. */
int qtpm_ecc_add(qtpm_ecc_curve curve, const uint8_t *px, const uint8_t *py,
                 const uint8_t *qx, const uint8_t *qy, uint8_t *rx, uint8_t *ry);

/* r = (a + b·c) mod n for byte strings of any length — the response of
 * ECSchnorr and ECDAA signatures (s = k + e·d, Part 1 §C.5). r is
 * qtpm_ecc_size() bytes. */
int qtpm_ecc_scalar_muladd(qtpm_ecc_curve curve, const uint8_t *a, size_t a_len,
                           const uint8_t *b, size_t b_len, const uint8_t *c, size_t c_len,
                           uint8_t *r);

/* ECDH (SP 800-56A §5.7.1.2): validates the peer point and returns the shared
 * point d·Q (zx, zy), as TPM2_ZGen_2Phase/ECDH_ZGen need. zy may be NULL when
 * only the x coordinate (the shared secret Z) is wanted. */
int qtpm_ecdh(qtpm_ecc_curve curve, const uint8_t *d, const uint8_t *peer_x,
              const uint8_t *peer_y, uint8_t *zx, uint8_t *zy);

/* ECDSA (FIPS 186-4 §6.4) over a digest of any length (truncated to the
 * order's bit length as the standard says); r and s are qtpm_ecc_size()
 * bytes. NIST curves only. Verify gives QTPM_E_VERIFY on a bad signature. */
int qtpm_ecdsa_sign(qtpm_ecc_curve curve, const uint8_t *d,
                    const uint8_t *digest, size_t digest_len, uint8_t *r, uint8_t *s);
int qtpm_ecdsa_verify(qtpm_ecc_curve curve, const uint8_t *x, const uint8_t *y,
                      const uint8_t *digest, size_t digest_len,
                      const uint8_t *r, const uint8_t *s);

#endif
