/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c — the session layer's arithmetic (TPM 2.0 Part 1 §19.6, §21) and
 * the TSS side of StartAuthSession: cpHash and rpHash, session keys, command
 * and response HMACs, AES-CFB / XOR parameter encryption, and the protected
 * "secret" (salt or credential seed) for an RSA or ECC key. qtpm_tss_execute
 * (execute.c) applies these to every command; MakeCredential in software
 * (tasks/credential.c) reuses the secret protection.
 */
#include <string.h>

#include "qtpm/kdf.h"
#include "qtpm/mlkem.h"
#include "qtpm/rand.h"
#include "qtpm/tss_cmd.h"
#include "tss_internal.h"

const TPMT_SYM_DEF qtpm_tss_aes128_cfb = {
    .algorithm = TPM_ALG_AES,
    .keyBits = { .aes = 128 },
    .mode = { .aes = TPM_ALG_CFB },
};

static void put_u32(uint8_t b[4], uint32_t v)
{
    b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

int qtpm_tss_cp_hash(TPMI_ALG_HASH hash, TPM_CC cc, const TPM2B_NAME *names,
                     size_t n_names, const uint8_t *params, size_t params_len,
                     TPM2B_DIGEST *out)
{
    qtpm_hash_alg h = tss_hash(hash);
    qtpm_hash_ctx c;
    uint8_t ccb[4];
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    put_u32(ccb, cc);
    int rc = qtpm_hash_init(&c, h);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hash_update(&c, ccb, 4);
    for (size_t i = 0; rc == QTPM_OK && i < n_names; i++)
        rc = qtpm_hash_update(&c, names[i].buffer, names[i].size);
    if (rc == QTPM_OK && params_len)
        rc = qtpm_hash_update(&c, params, params_len);
    if (rc == QTPM_OK) {
        rc = qtpm_hash_final(&c, out->buffer);
        out->size = (UINT16)qtpm_hash_size(h);
    } else {
        qtpm_hash_free(&c);
    }
    return rc;
}

int qtpm_tss_rp_hash(TPMI_ALG_HASH hash, TPM_RC rc_in, TPM_CC cc,
                     const uint8_t *params, size_t params_len, TPM2B_DIGEST *out)
{
    qtpm_hash_alg h = tss_hash(hash);
    qtpm_hash_ctx c;
    uint8_t head[8];
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    put_u32(head, rc_in);
    put_u32(head + 4, cc);
    int rc = qtpm_hash_init(&c, h);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hash_update(&c, head, 8);
    if (rc == QTPM_OK && params_len)
        rc = qtpm_hash_update(&c, params, params_len);
    if (rc == QTPM_OK) {
        rc = qtpm_hash_final(&c, out->buffer);
        out->size = (UINT16)qtpm_hash_size(h);
    } else {
        qtpm_hash_free(&c);
    }
    return rc;
}

int qtpm_tss_session_hmac(TPMI_ALG_HASH hash, const uint8_t *key, size_t key_len,
                          const TPM2B_DIGEST *p_hash, const TPM2B_NONCE *nonce_newer,
                          const TPM2B_NONCE *nonce_older, const TPM2B_NONCE *nonce_dec,
                          const TPM2B_NONCE *nonce_enc, TPMA_SESSION attrs,
                          TPM2B_DIGEST *out)
{
    qtpm_hash_alg h = tss_hash(hash);
    qtpm_hmac_ctx c;
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    int rc = qtpm_hmac_init(&c, h, key, key_len);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_hmac_update(&c, p_hash->buffer, p_hash->size);
    if (rc == QTPM_OK && nonce_newer->size)
        rc = qtpm_hmac_update(&c, nonce_newer->buffer, nonce_newer->size);
    if (rc == QTPM_OK && nonce_older->size)
        rc = qtpm_hmac_update(&c, nonce_older->buffer, nonce_older->size);
    if (rc == QTPM_OK && nonce_dec && nonce_dec->size)
        rc = qtpm_hmac_update(&c, nonce_dec->buffer, nonce_dec->size);
    if (rc == QTPM_OK && nonce_enc && nonce_enc->size)
        rc = qtpm_hmac_update(&c, nonce_enc->buffer, nonce_enc->size);
    if (rc == QTPM_OK)
        rc = qtpm_hmac_update(&c, &attrs, 1);
    if (rc == QTPM_OK) {
        rc = qtpm_hmac_final(&c, out->buffer);
        out->size = (UINT16)qtpm_hash_size(h);
    } else {
        qtpm_hmac_free(&c);
    }
    return rc;
}

int qtpm_tss_session_key(TPMI_ALG_HASH hash, const TPM2B_AUTH *bind_auth,
                         const uint8_t *salt, size_t salt_len, const TPM2B_NONCE *nonce_tpm,
                         const TPM2B_NONCE *nonce_caller, TPM2B_DIGEST *out)
{
    qtpm_hash_alg h = tss_hash(hash);
    uint8_t key[sizeof bind_auth->buffer + MAX_DIGEST_SIZE];
    size_t auth_len = tss_auth_len(bind_auth);
    if (h == QTPM_HASH_NONE || salt_len > MAX_DIGEST_SIZE)
        return QTPM_E_PARAM;
    out->size = 0;
    if (auth_len + salt_len == 0)
        return QTPM_OK; /* unbound and unsalted: no session key (§19.6.8) */
    if (auth_len)
        memcpy(key, bind_auth->buffer, auth_len);
    if (salt_len)
        memcpy(key + auth_len, salt, salt_len);
    size_t dsize = qtpm_hash_size(h);
    int rc = qtpm_kdfa(h, key, auth_len + salt_len, (const uint8_t *)"ATH", 3,
                       nonce_tpm->buffer, nonce_tpm->size, nonce_caller->buffer,
                       nonce_caller->size, (uint32_t)(dsize * 8), out->buffer);
    qtpm_memzero(key, sizeof key);
    if (rc == QTPM_OK)
        out->size = (UINT16)dsize;
    return rc;
}

int qtpm_tss_param_crypt(TPMI_ALG_HASH hash, const TPMT_SYM_DEF *sym, const uint8_t *key,
                         size_t key_len, const TPM2B_NONCE *nonce_newer,
                         const TPM2B_NONCE *nonce_older, int encrypt, uint8_t *data,
                         size_t len)
{
    qtpm_hash_alg h = tss_hash(hash);
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    if (sym->algorithm == TPM_ALG_XOR)
        return qtpm_kdfa_xor(h, key, key_len, nonce_newer->buffer, nonce_newer->size,
                             nonce_older->buffer, nonce_older->size, data, len);
    if (sym->algorithm != TPM_ALG_AES || sym->mode.aes != TPM_ALG_CFB)
        return QTPM_E_PARAM;
    unsigned bits = sym->keyBits.aes;
    if (bits != 128 && bits != 192 && bits != 256)
        return QTPM_E_PARAM;
    /* Part 1 §21.3: one KDFa output supplies the key, then the IV */
    uint8_t kiv[32 + 16];
    int rc = qtpm_kdfa(h, key, key_len, (const uint8_t *)"CFB", 3, nonce_newer->buffer,
                       nonce_newer->size, nonce_older->buffer, nonce_older->size,
                       bits + 128, kiv);
    if (rc == QTPM_OK && len > 0) {
        uint8_t *iv = kiv + bits / 8;
        rc = encrypt ? qtpm_aes_encrypt(QTPM_SYM_CFB, kiv, bits / 8, iv, data, data, len)
                     : qtpm_aes_decrypt(QTPM_SYM_CFB, kiv, bits / 8, iv, data, data, len);
    }
    qtpm_memzero(kiv, sizeof kiv);
    return rc;
}

static qtpm_ecc_curve tss_curve(TPM_ECC_CURVE c)
{
    switch (c) {
    case TPM_ECC_NIST_P256: return QTPM_ECC_P256;
    case TPM_ECC_NIST_P384: return QTPM_ECC_P384;
    case TPM_ECC_NIST_P521: return QTPM_ECC_P521;
    default: return QTPM_ECC_NONE;
    }
}

int qtpm_tss_secret_for_key(const TPMT_PUBLIC *pub, const char *label, uint8_t *seed,
                            size_t *seed_len, TPM2B_ENCRYPTED_SECRET *secret)
{
    qtpm_hash_alg h = tss_hash(pub->nameAlg);
    if (h == QTPM_HASH_NONE)
        return QTPM_E_PARAM;
    size_t n = qtpm_hash_size(h);
    int rc;
    if (pub->type == TPM_ALG_RSA) {
        /* Part 1 §B.10.3: seed RSA-OAEP-encrypted with the nameAlg, label
         * including its terminating zero */
        qtpm_rsa_key *key;
        size_t out_len;
        rc = qtpm_random_bytes(seed, n);
        if (rc != QTPM_OK)
            return rc;
        rc = qtpm_rsa_import_public(pub->unique.rsa.buffer, pub->unique.rsa.size,
                                    pub->parameters.rsaDetail.exponent, &key);
        if (rc != QTPM_OK)
            return rc;
        rc = qtpm_rsa_oaep_encrypt(key, h, (const uint8_t *)label, strlen(label) + 1, seed, n,
                                   secret->buffer, sizeof secret->buffer, &out_len);
        qtpm_rsa_free(key);
        if (rc != QTPM_OK)
            return rc;
        secret->size = (UINT16)out_len;
    } else if (pub->type == TPM_ALG_ECC) {
        /* Part 1 §C.6.1: one-pass ECDH with an ephemeral key; the seed is
         * KDFe(Z, label, ephemeral x, static x); the secret is the point */
        qtpm_ecc_curve curve = tss_curve(pub->parameters.eccDetail.curveID);
        size_t cs = qtpm_ecc_size(curve);
        uint8_t d[QTPM_ECC_MAX_SIZE], z[QTPM_ECC_MAX_SIZE];
        TPMS_ECC_POINT eph;
        if (curve == QTPM_ECC_NONE || pub->unique.ecc.x.size != cs ||
            pub->unique.ecc.y.size != cs || cs > sizeof eph.x.buffer)
            return QTPM_E_PARAM;
        rc = qtpm_ecc_generate(curve, d, eph.x.buffer, eph.y.buffer);
        if (rc == QTPM_OK)
            rc = qtpm_ecdh(curve, d, pub->unique.ecc.x.buffer, pub->unique.ecc.y.buffer, z, NULL);
        qtpm_memzero(d, sizeof d);
        eph.x.size = eph.y.size = (UINT16)cs;
        if (rc == QTPM_OK)
            rc = qtpm_kdfe(h, z, cs, (const uint8_t *)label, strlen(label), eph.x.buffer, cs,
                           pub->unique.ecc.x.buffer, cs, (uint32_t)(n * 8), seed);
        qtpm_memzero(z, sizeof z);
        if (rc != QTPM_OK)
            return rc;
        size_t off = 0;
        if (qtpm_TPMS_ECC_POINT_marshal(&eph, secret->buffer, sizeof secret->buffer, &off))
            return QTPM_E_BUFFER;
        secret->size = (UINT16)off;
    } else if (pub->type == TPM_ALG_MLKEM) {
        /* TPM 2.0 v1.85 secret sharing with a KEM (Part 1 §24 with the
         * encryption of the seed replaced by an encapsulation, as the qtpm
         * engine does, docs/PQC.md "Secret sharing"): (K, c) =
         * ML-KEM.Encaps(ek); seed = KDFa(nameAlg, K, label, c, ek, digest
         * bits); the secret sent is c itself. */
        qtpm_mlkem_set set = (qtpm_mlkem_set)pub->parameters.mlkemDetail.parameterSet;
        size_t ct_len = qtpm_mlkem_ct_bytes(set);
        uint8_t k[QTPM_MLKEM_SS_BYTES];
        if (ct_len == 0 || ct_len > sizeof secret->buffer ||
            pub->unique.mlkem.size != qtpm_mlkem_ek_bytes(set))
            return QTPM_E_PARAM;
        rc = qtpm_mlkem_encaps(set, pub->unique.mlkem.buffer, pub->unique.mlkem.size,
                               secret->buffer, k);
        if (rc == QTPM_OK)
            rc = qtpm_kdfa(h, k, sizeof k, (const uint8_t *)label, strlen(label), secret->buffer,
                           ct_len, pub->unique.mlkem.buffer, pub->unique.mlkem.size,
                           (uint32_t)(n * 8), seed);
        qtpm_memzero(k, sizeof k);
        if (rc != QTPM_OK)
            return rc;
        secret->size = (UINT16)ct_len;
    } else {
        return QTPM_E_PARAM;
    }
    *seed_len = n;
    return QTPM_OK;
}

int qtpm_tss_start_session(qtpm_tss *t, TPM_SE type, TPMI_ALG_HASH hash,
                           const TPMT_SYM_DEF *sym,
                           TPMI_DH_OBJECT salt_key, const TPMT_PUBLIC *salt_pub,
                           TPMI_DH_ENTITY bind, const TPM2B_AUTH *bind_auth,
                           qtpm_tss_session *out)
{
    qtpm_hash_alg h = tss_hash(hash);
    TPM2B_ENCRYPTED_SECRET enc = { 0 };
    uint8_t salt[MAX_DIGEST_SIZE];
    size_t salt_len = 0;
    TPMT_SYM_DEF none = { .algorithm = TPM_ALG_NULL };
    int rc;
    if (h == QTPM_HASH_NONE || !out)
        return QTPM_E_PARAM;
    memset(out, 0, sizeof *out);
    out->type = type;
    out->hash = hash;
    out->symmetric = sym ? *sym : none;
    out->attributes = TPMA_SESSION_CONTINUESESSION;
    /* Part 3 §11.1: nonceCaller at least 16 octets, at most the digest size */
    out->nonce_caller.size = (UINT16)qtpm_hash_size(h);
    rc = qtpm_random_bytes(out->nonce_caller.buffer, out->nonce_caller.size);
    if (rc != QTPM_OK)
        return rc;
    if (salt_key != TPM_RH_NULL) {
        if (!salt_pub)
            return QTPM_E_PARAM;
        rc = qtpm_tss_secret_for_key(salt_pub, "SECRET", salt, &salt_len, &enc);
        if (rc != QTPM_OK)
            return rc;
    }
    if (bind != TPM_RH_NULL) {
        rc = qtpm_tss_get_name(t, bind, &out->bind_name);
        if (rc != QTPM_OK)
            goto done;
    }
    rc = qtpm_tss_StartAuthSession(t, NULL, salt_key, bind, &out->nonce_caller, &enc, type,
                                   &out->symmetric, hash, &out->handle, &out->nonce_tpm);
    if (rc != QTPM_OK)
        goto done;
    rc = qtpm_tss_session_key(hash, bind != TPM_RH_NULL ? bind_auth : NULL, salt, salt_len,
                              &out->nonce_tpm, &out->nonce_caller, &out->session_key);
done:
    qtpm_memzero(salt, sizeof salt);
    return rc;
}

void qtpm_tss_session_clear(qtpm_tss_session *s)
{
    qtpm_memzero(s, sizeof *s);
}

int qtpm_tss_session_close(qtpm_tss *t, qtpm_tss_session *s)
{
    int rc = QTPM_OK;
    if (s->handle != 0)
        rc = qtpm_tss_FlushContext(t, s->handle);
    qtpm_tss_session_clear(s);
    return rc;
}
