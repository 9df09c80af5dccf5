/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * credential.c — credential protection (Part 1 §24, Part 3 §12.5-12.6):
 * MakeCredential and ActivateCredential, the step where a privacy CA proves
 * that an attestation key lives in the same TPM as an endorsement key.
 *
 *   seed          random, sent as secret = encrypt(seed) to the EK with the
 *                 label "IDENTITY" (RSA-OAEP or ECDH+KDFe, object.c; or
 *                 ML-KEM encapsulation, pqc_keys.c and docs/PQC.md)
 *   symKey        KDFa(EK nameAlg, seed, "STORAGE", objectName, -, EK sym bits)
 *   encIdentity   AES-CFB(symKey, IV = 0, TPM2B_DIGEST credential)
 *   HMACkey       KDFa(EK nameAlg, seed, "INTEGRITY", -, -, digest bits)
 *   outerHMAC     HMAC(HMACkey, encIdentity || objectName)
 *   credentialBlob = TPM2B(outerHMAC) || encIdentity
 */
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "keycmds.h"
#include "object.h"
#include "pqc.h"
#include "protect.h"
#include "session.h"

static size_t key_sym_bytes(const tpm_object *k)
{
    const TPMT_SYM_DEF_OBJECT *s = k->pub.type == TPM_ALG_RSA   ? &k->pub.parameters.rsaDetail.symmetric
                                   : k->pub.type == TPM_ALG_MLKEM ? pqc_sym_def(k)
                                                                  : &k->pub.parameters.eccDetail.symmetric;
    return s->algorithm == TPM_ALG_AES ? s->keyBits.aes / 8u : 0;
}

/* The EK-like key: an asymmetric storage-type key with a symmetric algorithm. */
static TPM_RC credential_key(qtpm_tpm *tpm, TPM_HANDLE h, unsigned hnum, tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k->is_sequence ||
        (k->pub.type != TPM_ALG_RSA && k->pub.type != TPM_ALG_ECC && k->pub.type != TPM_ALG_MLKEM))
        return RC_H(TPM_RC_TYPE, hnum);
    uint32_t a = k->pub.objectAttributes;
    if (!(a & TPMA_OBJECT_DECRYPT) || !(a & TPMA_OBJECT_RESTRICTED) || key_sym_bytes(k) == 0)
        return RC_H(TPM_RC_TYPE, hnum);
    *out = k;
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.6 TPM2_MakeCredential */
TPM_RC cmd_MakeCredential(qtpm_tpm *tpm, tpm_cmd *c, const MakeCredential_In *in,
                          MakeCredential_Out *out)
{
    const uint8_t *cred = in->credential.buffer, *name = in->objectName.buffer;
    uint16_t clen = in->credential.size, nlen = in->objectName.size;
    tpm_object *k;
    TPM_RC rc = credential_key(tpm, c->handles[0], 1, &k);
    if (rc)
        return rc;
    TPM_ALG_ID alg = k->pub.nameAlg;
    size_t hl = crypt_hash_size(alg), kl = key_sym_bytes(k);
    if (clen > hl)
        return RC_P(TPM_RC_SIZE, PN_MakeCredential_credential);
    uint8_t seed[MAX_DIGEST];
    uint16_t seed_len;
    rc = object_encrypt_secret(k, "IDENTITY", seed, &seed_len, out->secret.buffer,
                               sizeof(out->secret.buffer), &out->secret.size);
    if (rc)
        return rc;
    uint8_t plain[2 + MAX_DIGEST], enc[2 + MAX_DIGEST], key[32], iv[16] = {0}, hkey[MAX_DIGEST],
        mac[MAX_DIGEST];
    wr_put_u16(plain, clen);
    memcpy(plain + 2, cred, clen);
    rc = TPM_RC_FAILURE;
    if (crypt_kdfa(alg, seed, seed_len, "STORAGE", name, nlen, NULL, 0, (uint32_t)kl * 8, key) == 0 &&
        qtpm_aes_encrypt(QTPM_SYM_CFB, key, kl, iv, plain, enc, 2u + clen) == 0 &&
        crypt_kdfa(alg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0, (uint32_t)hl * 8, hkey) == 0) {
        crypt_part parts[] = {{enc, 2u + clen}, {name, nlen}};
        if (crypt_hmac_parts(alg, hkey, hl, mac, parts, 2) == 0) {
            /* credentialBlob = TPM2B(outerHMAC) || encIdentity */
            uint8_t *b = out->credentialBlob.buffer;
            wr_put_u16(b, (uint16_t)hl);
            memcpy(b + 2, mac, hl);
            memcpy(b + 2 + hl, enc, 2u + clen);
            out->credentialBlob.size = (uint16_t)(2 + hl + 2 + clen);
            rc = TPM_RC_SUCCESS;
        }
    }
    qtpm_memzero(seed, sizeof(seed));
    qtpm_memzero(key, sizeof(key));
    qtpm_memzero(hkey, sizeof(hkey));
    qtpm_memzero(plain, sizeof(plain));
    return rc;
}

/* Part 3 §12.5 TPM2_ActivateCredential: activateHandle (ADMIN), keyHandle
 * (USER). */
TPM_RC cmd_ActivateCredential(qtpm_tpm *tpm, tpm_cmd *c, const ActivateCredential_In *in,
                              ActivateCredential_Out *out)
{
    const uint8_t *blob = in->credentialBlob.buffer, *secret = in->secret.buffer;
    uint16_t blen = in->credentialBlob.size, slen = in->secret.size;
    tpm_object *k;
    TPM_RC rc = credential_key(tpm, c->handles[1], 2, &k);
    if (rc)
        return rc;
    tpm_object *obj = object_find(tpm, c->handles[0]);
    TPM_ALG_ID alg = k->pub.nameAlg;
    size_t hl = crypt_hash_size(alg), kl = key_sym_bytes(k);
    uint8_t seed[MAX_DIGEST];
    uint16_t seed_len;
    rc = object_decrypt_secret(tpm, c->handles[1], "IDENTITY", secret, slen, seed, sizeof(seed),
                               &seed_len);
    if (rc)
        return rc == TPM_RC_VALUE ? RC_P(TPM_RC_VALUE, PN_ActivateCredential_secret) : rc;
    if (blen < 2 || ((size_t)blob[0] << 8 | blob[1]) != hl || blen < 2 + hl + 2)
        return RC_P(TPM_RC_INTEGRITY, PN_ActivateCredential_credentialBlob);
    const uint8_t *enc = blob + 2 + hl;
    size_t elen = blen - 2 - hl;
    uint8_t hkey[MAX_DIGEST], mac[MAX_DIGEST], key[32], iv[16] = {0}, plain[2 + MAX_DIGEST];
    rc = TPM_RC_FAILURE;
    if (crypt_kdfa(alg, seed, seed_len, "INTEGRITY", NULL, 0, NULL, 0, (uint32_t)hl * 8, hkey))
        goto done;
    crypt_part parts[] = {{enc, elen}, {obj->name.b, obj->name.size}};
    if (crypt_hmac_parts(alg, hkey, hl, mac, parts, 2))
        goto done;
    if (!ct_equal(mac, blob + 2, hl)) {
        rc = RC_P(TPM_RC_INTEGRITY, PN_ActivateCredential_credentialBlob);
        goto done;
    }
    if (crypt_kdfa(alg, seed, seed_len, "STORAGE", obj->name.b, obj->name.size, NULL, 0,
                   (uint32_t)kl * 8, key) ||
        qtpm_aes_decrypt(QTPM_SYM_CFB, key, kl, iv, enc, plain, elen))
        goto done;
    size_t clen = ((size_t)plain[0] << 8) | plain[1];
    if (clen + 2 != elen) {
        rc = RC_P(TPM_RC_SIZE, PN_ActivateCredential_credentialBlob);
        goto done;
    }
    memcpy(out->certInfo.buffer, plain + 2, clen);
    out->certInfo.size = (uint16_t)clen;
    rc = TPM_RC_SUCCESS;
done:
    qtpm_memzero(seed, sizeof(seed));
    qtpm_memzero(key, sizeof(key));
    qtpm_memzero(hkey, sizeof(hkey));
    qtpm_memzero(plain, sizeof(plain));
    return rc;
}
