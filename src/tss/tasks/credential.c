/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * credential.c — task layer: the credential protocol of TPM 2.0 Part 1 §24.
 * A verifier makes a credential for an object (the AK) named objectName,
 * protected so that only the TPM holding the EK can recover it, and only if
 * the AK with that name is loaded beside it. MakeCredential needs no TPM: it
 * is public-key cryptography with the EK's public area, done here in
 * software; ActivateCredential runs on the TPM. An ML-KEM EK (v1.85) works
 * the same way once the seed is shared by encapsulation
 * (qtpm_tss_secret_for_key).
 */
#include <string.h>

#include "qtpm/kdf.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "../tss_internal.h"

int qtpm_tss_make_credential(const TPMT_PUBLIC *ek_pub, const TPM2B_NAME *object_name,
                             const TPM2B_DIGEST *credential, TPM2B_ID_OBJECT *blob,
                             TPM2B_ENCRYPTED_SECRET *secret)
{
    qtpm_hash_alg h = tss_hash(ek_pub->nameAlg);
    const TPMT_SYM_DEF_OBJECT *sym = ek_pub->type == TPM_ALG_RSA
                                         ? &ek_pub->parameters.rsaDetail.symmetric
                                     : ek_pub->type == TPM_ALG_MLKEM
                                         ? &ek_pub->parameters.mlkemDetail.symmetric
                                         : &ek_pub->parameters.eccDetail.symmetric;
    uint8_t seed[MAX_DIGEST_SIZE], sym_key[32], hmac_key[MAX_DIGEST_SIZE];
    uint8_t iv[16] = { 0 };
    size_t seed_len, dsize = qtpm_hash_size(h);
    int rc;
    if (h == QTPM_HASH_NONE || sym->algorithm != TPM_ALG_AES || sym->mode.aes != TPM_ALG_CFB ||
        sym->keyBits.aes > 256 || credential->size > dsize)
        return QTPM_E_PARAM;
    /* §24.4: the seed, protected for the EK with the "IDENTITY" label */
    rc = qtpm_tss_secret_for_key(ek_pub, "IDENTITY", seed, &seed_len, secret);
    if (rc != QTPM_OK)
        return rc;
    /* §24.4: symKey = KDFa(nameAlg, seed, "STORAGE", objectName, -, keyBits) */
    rc = qtpm_kdfa(h, seed, seed_len, (const uint8_t *)"STORAGE", 7, object_name->buffer,
                   object_name->size, NULL, 0, sym->keyBits.aes, sym_key);
    if (rc != QTPM_OK)
        goto done;
    /* encIdentity = CFB(symKey, IV 0, TPM2B credential including its size) */
    size_t hmac_len = dsize;
    uint8_t *enc = blob->buffer + 2 + hmac_len;
    size_t enc_len = 2 + credential->size;
    enc[0] = (uint8_t)(credential->size >> 8);
    enc[1] = (uint8_t)credential->size;
    memcpy(enc + 2, credential->buffer, credential->size);
    rc = qtpm_aes_encrypt(QTPM_SYM_CFB, sym_key, sym->keyBits.aes / 8, iv, enc, enc, enc_len);
    if (rc != QTPM_OK)
        goto done;
    /* §24.5: HMACkey = KDFa(nameAlg, seed, "INTEGRITY", -, -, digest bits);
     * outerHMAC = HMAC(HMACkey, encIdentity ‖ objectName) */
    rc = qtpm_kdfa(h, seed, seed_len, (const uint8_t *)"INTEGRITY", 9, NULL, 0, NULL, 0,
                   (uint32_t)(dsize * 8), hmac_key);
    if (rc != QTPM_OK)
        goto done;
    qtpm_hmac_ctx c;
    rc = qtpm_hmac_init(&c, h, hmac_key, dsize);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&c, enc, enc_len);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&c, object_name->buffer, object_name->size);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_final(&c, blob->buffer + 2);
    else
        qtpm_hmac_free(&c);
    if (rc != QTPM_OK)
        goto done;
    /* TPMS_ID_OBJECT: TPM2B integrityHMAC, then encIdentity as raw bytes */
    blob->buffer[0] = (uint8_t)(hmac_len >> 8);
    blob->buffer[1] = (uint8_t)hmac_len;
    blob->size = (UINT16)(2 + hmac_len + enc_len);
done:
    qtpm_memzero(seed, sizeof seed);
    qtpm_memzero(sym_key, sizeof sym_key);
    qtpm_memzero(hmac_key, sizeof hmac_key);
    return rc;
}

int qtpm_tss_activate_credential(qtpm_tss *t, const qtpm_tss_key *ak, const TPM2B_AUTH *ak_auth,
                                 const qtpm_tss_key *ek, const TPM2B_AUTH *endorsement_auth,
                                 const TPM2B_ID_OBJECT *blob,
                                 const TPM2B_ENCRYPTED_SECRET *secret, TPM2B_DIGEST *credential)
{
    qtpm_tss_session s;
    /* activateHandle needs the ADMIN role (the AK's authValue, as it has no
     * adminWithPolicy); keyHandle the EK's policy (Part 3 §12.5) */
    int rc = qtpm_tss_ek_policy_session(t, endorsement_auth, &s);
    if (rc != QTPM_OK)
        return rc;
    qtpm_tss_auths a = { 2, { { NULL, ak_auth }, { &s, NULL } } };
    rc = qtpm_tss_ActivateCredential(t, &a, ak->handle, ek->handle, blob, secret, credential);
    qtpm_tss_session_close(t, &s);
    return rc;
}
