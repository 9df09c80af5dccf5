/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * join.c — the DAA key in a TPM through libqtss, and the join protocol of
 * qtpm/daa_host.h on both sides. Messages are a tag byte and TPM 2.0
 * structures in their Part 2 marshalling (src/marshal):
 *   request    'J' TPM2B_PUBLIC(EK) TPM2B_PUBLIC(DAA key)
 *   challenge  'c' TPM2B_ID_OBJECT TPM2B_ENCRYPTED_SECRET
 *   state      's' nonce(32) TPM2B_PUBLIC(EK) TPM2B_PUBLIC(DAA key)
 *   response   'r' join proof (96)
 *   credential 'k' TPM2B_ID_OBJECT TPM2B_ENCRYPTED_SECRET iv(12)
 *                  AES-256-GCM(K, aad = DAA key name)(credential) tag(16)
 * Every parser requires the exact length and leaves nothing trusted on error.
 */
#include <string.h>

#include <openssl/evp.h>

#include "ct.h"
#include "qtpm/common.h"
#include "qtpm/daa_host.h"
#include "qtpm/marshal.h"
#include "qtpm/rand.h"
#include "qtpm/tss_cmd.h"

#include "join_internal.h"

#define TAG_REQUEST 'J'
#define TAG_CHALLENGE 'c'
#define TAG_STATE 's'
#define TAG_RESPONSE 'r'
#define TAG_CREDENTIAL 'k'

/* ------------------------------------------------------------- the key */

int qtpm_daa_key_template(TPMT_PUBLIC *out)
{
    if (out == NULL)
        return QTPM_DAA_E_PARAM;
    memset(out, 0, sizeof *out);
    out->type = TPM_ALG_ECC;
    out->nameAlg = TPM_ALG_SHA256;
    out->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                            TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                            TPMA_OBJECT_NODA | TPMA_OBJECT_SIGN_ENCRYPT;
    out->parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    out->parameters.eccDetail.scheme.scheme = TPM_ALG_ECDAA;
    out->parameters.eccDetail.scheme.details.ecdaa.hashAlg = TPM_ALG_SHA256;
    out->parameters.eccDetail.scheme.details.ecdaa.count = 0;
    out->parameters.eccDetail.curveID = TPM_ECC_BN_P256;
    out->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    return 0;
}

/* The issuer's check that a public area is a DAA key it will certify. */
static int key_acceptable(const TPMT_PUBLIC *p, uint8_t q[64])
{
    TPMT_PUBLIC want;
    qtpm_daa_key_template(&want);
    if (p->type != TPM_ALG_ECC || p->nameAlg != TPM_ALG_SHA256 ||
        p->objectAttributes != want.objectAttributes ||
        p->parameters.eccDetail.curveID != TPM_ECC_BN_P256 ||
        p->parameters.eccDetail.scheme.scheme != TPM_ALG_ECDAA ||
        p->parameters.eccDetail.scheme.details.ecdaa.hashAlg != TPM_ALG_SHA256 ||
        p->unique.ecc.x.size != 32 || p->unique.ecc.y.size != 32)
        return QTPM_DAA_E_FORMAT;
    memcpy(q, p->unique.ecc.x.buffer, 32);
    memcpy(q + 32, p->unique.ecc.y.buffer, 32);
    return 0;
}

static const qtpm_tss_auths pw_auth = {1, {{NULL, NULL}}};

int qtpm_daa_host_open(qtpm_tss *t, const uint8_t *blob, size_t blob_len, qtpm_daa_host *h)
{
    if (t == NULL || h == NULL)
        return QTPM_DAA_E_PARAM;
    memset(h, 0, sizeof *h);
    h->t = t;
    if (qtpm_tss_create_ek(t, TPM_ALG_ECC, NULL, &h->ek) != QTPM_OK)
        return QTPM_DAA_E_TPM;
    if (qtpm_tss_create_srk(t, TPM_ALG_ECC, NULL, &h->srk) != QTPM_OK)
        goto fail;
    TPM2B_PUBLIC pub;
    if (blob) {
        size_t o = 0;
        if (qtpm_TPM2B_PUBLIC_unmarshal(&pub, blob, blob_len, &o, 0) ||
            qtpm_TPM2B_PRIVATE_unmarshal(&h->key_priv, blob, blob_len, &o) || o != blob_len)
            goto fail_format;
    } else {
        TPM2B_PUBLIC in = {0};
        TPM2B_SENSITIVE_CREATE sens = {0};
        qtpm_daa_key_template(&in.publicArea);
        if (qtpm_tss_Create(t, &pw_auth, h->srk.handle, &sens, &in, NULL, NULL, &h->key_priv,
                            &pub, NULL, NULL, NULL) != QTPM_OK)
            goto fail;
    }
    if (key_acceptable(&pub.publicArea, h->q))
        goto fail_format;
    if (qtpm_tss_Load(t, &pw_auth, h->srk.handle, &h->key_priv, &pub, &h->key.handle,
                      &h->key.name) != QTPM_OK)
        goto fail;
    h->key.pub = pub;
    return 0;
fail_format:
    qtpm_daa_host_close(h);
    return QTPM_DAA_E_FORMAT;
fail:
    qtpm_daa_host_close(h);
    return QTPM_DAA_E_TPM;
}

void qtpm_daa_host_close(qtpm_daa_host *h)
{
    if (h == NULL || h->t == NULL)
        return;
    if (h->key.handle)
        qtpm_tss_FlushContext(h->t, h->key.handle);
    if (h->srk.handle)
        qtpm_tss_FlushContext(h->t, h->srk.handle);
    if (h->ek.handle)
        qtpm_tss_FlushContext(h->t, h->ek.handle);
    h->key.handle = h->srk.handle = h->ek.handle = 0;
}

int qtpm_daa_host_key_blob(const qtpm_daa_host *h, uint8_t *out, size_t cap, size_t *len)
{
    size_t o = 0;
    if (h == NULL || out == NULL || len == NULL ||
        qtpm_TPM2B_PUBLIC_marshal(&h->key.pub, out, cap, &o) ||
        qtpm_TPM2B_PRIVATE_marshal(&h->key_priv, out, cap, &o))
        return QTPM_DAA_E_PARAM;
    *len = o;
    return 0;
}

static int point_out(const TPM2B_ECC_POINT *p, uint8_t out[64])
{
    if (p->point.x.size > 32 || p->point.y.size > 32 || p->point.x.size == 0)
        return -1;
    memset(out, 0, 64);
    memcpy(out + 32 - p->point.x.size, p->point.x.buffer, p->point.x.size);
    memcpy(out + 64 - p->point.y.size, p->point.y.buffer, p->point.y.size);
    return 0;
}

static int host_commit(void *ctx, const uint8_t *p1, const uint8_t *s2, size_t s2_len,
                       const uint8_t *y2, uint8_t e[64], uint8_t k[64], uint8_t l[64],
                       uint16_t *counter)
{
    qtpm_daa_host *h = ctx;
    TPM2B_ECC_POINT P1 = {0}, K, L, E;
    TPM2B_SENSITIVE_DATA S2 = {0};
    TPM2B_ECC_PARAMETER Y2 = {0};
    if (p1) {
        P1.point.x.size = P1.point.y.size = 32;
        memcpy(P1.point.x.buffer, p1, 32);
        memcpy(P1.point.y.buffer, p1 + 32, 32);
    }
    if (s2) {
        if (s2_len > sizeof S2.buffer)
            return -1;
        S2.size = (UINT16)s2_len;
        memcpy(S2.buffer, s2, s2_len);
        Y2.size = 32;
        memcpy(Y2.buffer, y2, 32);
    }
    int rc = qtpm_tss_Commit(h->t, &pw_auth, h->key.handle, p1 ? &P1 : NULL, s2 ? &S2 : NULL,
                             s2 ? &Y2 : NULL, &K, &L, &E, counter);
    if (rc != QTPM_OK)
        return -1;
    if (point_out(&E, e))
        return -1;
    if (s2 && (point_out(&K, k) || point_out(&L, l)))
        return -1;
    return 0;
}

static int host_sign(void *ctx, uint16_t counter, const uint8_t digest[32], uint8_t nonce[32],
                     uint8_t s[32])
{
    qtpm_daa_host *h = ctx;
    TPM2B_DIGEST d = {.size = 32};
    memcpy(d.buffer, digest, 32);
    TPMT_SIG_SCHEME scheme = {0};
    scheme.scheme = TPM_ALG_ECDAA;
    scheme.details.ecdaa.hashAlg = TPM_ALG_SHA256;
    scheme.details.ecdaa.count = counter;
    TPMT_SIGNATURE sig;
    int rc = qtpm_tss_Sign(h->t, &pw_auth, h->key.handle, &d, &scheme, NULL, &sig);
    if (rc != QTPM_OK || sig.sigAlg != TPM_ALG_ECDAA)
        return -1;
    const TPM2B_ECC_PARAMETER *r = &sig.signature.ecdaa.signatureR, *ss = &sig.signature.ecdaa.signatureS;
    if (r->size > 32 || ss->size > 32)
        return -1;
    /* libtpms hashes the nonce k without its leading zero octets (T =
     * H(k ‖ digest) over a short k) where qtpm's engine hashes all 32; a
     * nonce below 2^248 is therefore ambiguous: ask for a fresh commitment
     * (probability 2^-8) */
    if (r->size < 32 || r->buffer[0] == 0)
        return 1;
    memset(nonce, 0, 32);
    memset(s, 0, 32);
    memcpy(nonce + 32 - r->size, r->buffer, r->size);
    memcpy(s + 32 - ss->size, ss->buffer, ss->size);
    return 0;
}

qtpm_daa_tpm qtpm_daa_host_tpm(qtpm_daa_host *h)
{
    qtpm_daa_tpm t = {h, host_commit, host_sign};
    return t;
}

/* ------------------------------------------------------------ join: host */

int qtpm_daa_host_join_request(const qtpm_daa_host *h, uint8_t *out, size_t cap, size_t *len)
{
    size_t o = 1;
    if (h == NULL || out == NULL || len == NULL || cap < 1)
        return QTPM_DAA_E_PARAM;
    out[0] = TAG_REQUEST;
    if (qtpm_TPM2B_PUBLIC_marshal(&h->ek.pub, out, cap, &o) ||
        qtpm_TPM2B_PUBLIC_marshal(&h->key.pub, out, cap, &o))
        return QTPM_DAA_E_PARAM;
    *len = o;
    return 0;
}

static int activate(qtpm_daa_host *h, const uint8_t *msg, size_t len, size_t *used,
                    TPM2B_DIGEST *secret)
{
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET es;
    size_t o = 1;
    if (qtpm_TPM2B_ID_OBJECT_unmarshal(&blob, msg, len, &o) ||
        qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(&es, msg, len, &o))
        return QTPM_DAA_E_FORMAT;
    *used = o;
    if (qtpm_tss_activate_credential(h->t, &h->key, NULL, &h->ek, NULL, &blob, &es, secret) !=
        QTPM_OK)
        return QTPM_DAA_E_TPM;
    return 0;
}

int qtpm_daa_host_join_respond(qtpm_daa_host *h, const uint8_t *challenge, size_t len,
                               uint8_t *out, size_t cap, size_t *out_len)
{
    if (h == NULL || challenge == NULL || out == NULL || out_len == NULL)
        return QTPM_DAA_E_PARAM;
    if (len < 1 || challenge[0] != TAG_CHALLENGE)
        return QTPM_DAA_E_FORMAT;
    if (cap < 1 + QTPM_DAA_JOIN_PROOF_SIZE)
        return QTPM_DAA_E_PARAM;
    TPM2B_DIGEST nonce;
    size_t used;
    int rc = activate(h, challenge, len, &used, &nonce);
    if (rc)
        return rc;
    if (used != len || nonce.size != 32)
        return QTPM_DAA_E_FORMAT;
    qtpm_daa_tpm tpm = qtpm_daa_host_tpm(h);
    out[0] = TAG_RESPONSE;
    if ((rc = qtpm_daa_join_prove(&tpm, h->q, nonce.buffer, out + 1)) != 0)
        return rc;
    *out_len = 1 + QTPM_DAA_JOIN_PROOF_SIZE;
    return 0;
}

/* AES-256-GCM; enc = 1 encrypts in → out and writes the tag, enc = 0
 * decrypts and checks it. */
int daa_join_gcm(int enc, const uint8_t key[32], const uint8_t iv[GCM_IV], const uint8_t *aad,
               size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[GCM_TAG])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int ok = c != NULL, n = 0;
    ok = ok && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc) == 1;
    ok = ok && EVP_CipherUpdate(c, NULL, &n, aad, (int)aad_len) == 1;
    ok = ok && EVP_CipherUpdate(c, out, &n, in, (int)len) == 1;
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, GCM_TAG, tag) == 1;
    ok = ok && EVP_CipherFinal_ex(c, out + n, &n) == 1;
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG, tag) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? 0 : -1;
}

int qtpm_daa_host_join_finish(qtpm_daa_host *h, const uint8_t *ipk, size_t ipk_len,
                              const uint8_t *msg, size_t len, uint8_t cred[QTPM_DAA_CRED_SIZE])
{
    if (h == NULL || msg == NULL || cred == NULL)
        return QTPM_DAA_E_PARAM;
    if (len < 1 || msg[0] != TAG_CREDENTIAL)
        return QTPM_DAA_E_FORMAT;
    TPM2B_DIGEST key;
    size_t o;
    int rc = activate(h, msg, len, &o, &key);
    if (rc)
        return rc;
    uint8_t plain[QTPM_DAA_CRED_SIZE];
    if (key.size != 32 || len - o != GCM_IV + QTPM_DAA_CRED_SIZE + GCM_TAG) {
        rc = QTPM_DAA_E_FORMAT;
        goto out;
    }
    uint8_t tag[GCM_TAG];
    memcpy(tag, msg + o + GCM_IV + QTPM_DAA_CRED_SIZE, GCM_TAG);
    if (daa_join_gcm(0, key.buffer, msg + o, h->key.name.buffer, h->key.name.size, msg + o + GCM_IV,
            QTPM_DAA_CRED_SIZE, plain, tag)) {
        rc = QTPM_DAA_E_FORMAT;
        goto out;
    }
    if ((rc = qtpm_daa_cred_check(ipk, ipk_len, h->q, plain, sizeof plain)) == 0)
        memcpy(cred, plain, sizeof plain);
out:
    qtpm_memzero(&key, sizeof key);
    qtpm_memzero(plain, sizeof plain);
    return rc;
}

/* ---------------------------------------------------------- join: issuer */

static int parse_keys(const uint8_t *buf, size_t len, size_t o, TPM2B_PUBLIC *ek,
                      TPM2B_PUBLIC *key)
{
    if (qtpm_TPM2B_PUBLIC_unmarshal(ek, buf, len, &o, 0) ||
        qtpm_TPM2B_PUBLIC_unmarshal(key, buf, len, &o, 0) || o != len)
        return QTPM_DAA_E_FORMAT;
    return 0;
}

int daa_join_make_credential(const TPM2B_PUBLIC *ek, const TPM2B_PUBLIC *key, const uint8_t *secret,
                           size_t secret_len, uint8_t *out, size_t cap, size_t *o,
                           TPM2B_NAME *name)
{
    TPM2B_DIGEST cv = {.size = (UINT16)secret_len};
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET es;
    memcpy(cv.buffer, secret, secret_len);
    int bad = qtpm_tss_public_name(&key->publicArea, name) != QTPM_OK ||
              qtpm_tss_make_credential(&ek->publicArea, name, &cv, &blob, &es) != QTPM_OK;
    qtpm_memzero(&cv, sizeof cv);
    if (bad)
        return QTPM_DAA_E_FORMAT; /* an EK MakeCredential cannot use */
    if (qtpm_TPM2B_ID_OBJECT_marshal(&blob, out, cap, o) ||
        qtpm_TPM2B_ENCRYPTED_SECRET_marshal(&es, out, cap, o))
        return QTPM_DAA_E_PARAM;
    return 0;
}

int qtpm_daa_issuer_challenge(const uint8_t *request, size_t len, uint8_t *challenge,
                              size_t cap, size_t *challenge_len, uint8_t *state,
                              size_t state_cap, size_t *state_len)
{
    if (request == NULL || challenge == NULL || challenge_len == NULL || state == NULL ||
        state_len == NULL || cap < 1 || state_cap < 33)
        return QTPM_DAA_E_PARAM;
    if (len < 1 || request[0] != TAG_REQUEST)
        return QTPM_DAA_E_FORMAT;
    TPM2B_PUBLIC ek, key;
    TPM2B_NAME name;
    uint8_t q[64];
    int rc = parse_keys(request, len, 1, &ek, &key);
    if (rc)
        return rc;
    if ((rc = key_acceptable(&key.publicArea, q)) != 0)
        return rc;
    if ((rc = qtpm_daa_g1_check(q)) != 0)
        return rc;
    if (len - 1 > state_cap - 33)
        return QTPM_DAA_E_PARAM;
    state[0] = TAG_STATE;
    if (qtpm_random_bytes(state + 1, 32) != QTPM_OK)
        return QTPM_DAA_E_RNG;
    size_t o = 1;
    challenge[0] = TAG_CHALLENGE;
    if ((rc = daa_join_make_credential(&ek, &key, state + 1, 32, challenge, cap, &o, &name)) != 0) {
        qtpm_memzero(state, 33);
        return rc;
    }
    memcpy(state + 33, request + 1, len - 1);
    *state_len = 33 + len - 1;
    *challenge_len = o;
    return 0;
}

int qtpm_daa_issuer_credential(const uint8_t isk[QTPM_DAA_ISK_SIZE], const uint8_t *state,
                               size_t state_len, const uint8_t *response, size_t len,
                               uint8_t *out, size_t cap, size_t *out_len)
{
    if (isk == NULL || state == NULL || response == NULL || out == NULL || out_len == NULL)
        return QTPM_DAA_E_PARAM;
    if (state_len < 33 || state[0] != TAG_STATE)
        return QTPM_DAA_E_FORMAT;
    if (len != 1 + QTPM_DAA_JOIN_PROOF_SIZE || response[0] != TAG_RESPONSE)
        return QTPM_DAA_E_FORMAT;
    TPM2B_PUBLIC ek, key;
    TPM2B_NAME name;
    uint8_t q[64], cred[QTPM_DAA_CRED_SIZE], k[32], iv[GCM_IV];
    int rc = parse_keys(state, state_len, 33, &ek, &key);
    if (rc == 0)
        rc = key_acceptable(&key.publicArea, q);
    if (rc)
        return rc;
    if ((rc = qtpm_daa_join_verify(q, state + 1, response + 1)) != 0)
        return rc;
    if ((rc = qtpm_daa_issue(isk, q, cred)) != 0)
        return rc;
    size_t o = 1;
    if (qtpm_random_bytes(k, sizeof k) != QTPM_OK || qtpm_random_bytes(iv, sizeof iv) != QTPM_OK) {
        rc = QTPM_DAA_E_RNG;
        goto out;
    }
    out[0] = TAG_CREDENTIAL;
    if (cap < 1 || (rc = daa_join_make_credential(&ek, &key, k, sizeof k, out, cap, &o, &name)) != 0)
        goto out;
    if (cap - o < GCM_IV + QTPM_DAA_CRED_SIZE + GCM_TAG) {
        rc = QTPM_DAA_E_PARAM;
        goto out;
    }
    memcpy(out + o, iv, GCM_IV);
    if (daa_join_gcm(1, k, iv, name.buffer, name.size, cred, sizeof cred, out + o + GCM_IV,
            out + o + GCM_IV + QTPM_DAA_CRED_SIZE)) {
        rc = QTPM_DAA_E_PARAM;
        goto out;
    }
    *out_len = o + GCM_IV + QTPM_DAA_CRED_SIZE + GCM_TAG;
out:
    qtpm_memzero(k, sizeof k);
    qtpm_memzero(cred, sizeof cred);
    return rc;
}
