/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa_host.c — the lattice DAA's TPM part in a TPM (qtpm/daa_host.h,
 * docs/DAA.md "LDAA in the engine"): a qtpm_ldaa_tpm whose join request,
 * commitments and responses are the vendor-specific commands of
 * src/engine/ldaa.c, sent through libqtss (qtpm_tss_LDAA_*). The host code
 * of ldaa.c (cred_check, sign) runs unchanged on top: ldaa_tpm.c sends its
 * commit, respond and discard here (ldaa_tpm_ops).
 *
 * What crosses the interface is what the software TPM part gives the host
 * already: t at Join, w_T, w_nym, nym per commitment, z_s, z_e per
 * answer — each decoded with its range checked, as network input.
 */
#include <stdlib.h>
#include <string.h>

#include "join_internal.h"
#include "ldaa_internal.h"
#include "qtpm/common.h"
#include "qtpm/daa_host.h"
#include "qtpm/marshal.h"
#include "qtpm/rand.h"
#include "qtpm/tss_cmd.h"

typedef struct {
    qtpm_tss *t;
    TPM_HANDLE key;
    TPM2B_AUTH auth;
    uint8_t rho[32];
    uint8_t bsnval[32];
    UINT16 counter;
    int committed;
    /* opened from a key file: the SRK and key to flush, the TSS to free */
    TPM_HANDLE srk;
    int flush;
    qtpm_tss *own_tss;
} tss_part;

int qtpm_ldaa_key_template(TPMT_PUBLIC *out)
{
    if (out == NULL)
        return QTPM_DAA_E_PARAM;
    memset(out, 0, sizeof *out);
    out->type = TPM_ALG_KEYEDHASH;
    out->nameAlg = TPM_ALG_SHA256;
    out->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                            TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                            TPMA_OBJECT_NODA | TPMA_OBJECT_RESTRICTED |
                            TPMA_OBJECT_SIGN_ENCRYPT;
    out->parameters.keyedHashDetail.scheme.scheme = TPM_ALG_HMAC;
    out->parameters.keyedHashDetail.scheme.details.hmac.hashAlg = TPM_ALG_SHA256;
    return 0;
}

static const qtpm_tss_auths *part_auths(tss_part *p, qtpm_tss_auths *a)
{
    a->count = 1;
    a->item[0].session = NULL;
    a->item[0].auth = &p->auth;
    return a;
}

static int part_join(void *ctx, const uint8_t nonce[32], uint8_t *req)
{
    tss_part *p = ctx;
    qtpm_tss_auths a;
    int rc = qtpm_tss_LDAA_JoinRequest(p->t, part_auths(p, &a), p->key, p->rho, nonce, req);
    return rc == QTPM_OK ? QTPM_DAA_OK : QTPM_DAA_E_TPM;
}

static int part_commit(void *ctx, const uint8_t bsnval[32], ldaa_poly w_t[LDAA_K],
                       ldaa_poly *w_nym, ldaa_spoly *nym)
{
    tss_part *p = ctx;
    uint8_t *buf = malloc(QTPM_LDAA_COMMIT_SIZE);
    if (buf == NULL)
        return QTPM_DAA_E_PARAM;
    qtpm_tss_auths a;
    int rc = qtpm_tss_LDAA_Commit(p->t, part_auths(p, &a), p->key, p->rho, bsnval, &p->counter,
                                  buf);
    int bad = rc != QTPM_OK;
    int64_t v[LDAA_N];
    for (unsigned i = 0; !bad && i <= LDAA_K; i++) {
        bad |= ldaa_unpack(v, buf + (size_t)i * LDAA_N * LDAA_QBITS / 8, LDAA_N, LDAA_QBITS, 0,
                           (int64_t)LDAA_Q - 1);
        ldaa_poly *dst = i < LDAA_K ? &w_t[i] : w_nym;
        for (unsigned j = 0; j < LDAA_N; j++)
            dst->c[j] = (uint64_t)v[j];
    }
    if (!bad)
        bad |= ldaa_unpack(nym->c, buf + (size_t)(LDAA_K + 1) * LDAA_N * LDAA_QBITS / 8, LDAA_N,
                           LDAA_NYMBITS, 0, ((int64_t)1 << LDAA_NYMBITS) - 1);
    free(buf);
    if (bad)
        return QTPM_DAA_E_TPM;
    memcpy(p->bsnval, bsnval, 32);
    p->committed = 1;
    return QTPM_DAA_OK;
}

static int part_respond(void *ctx, const uint8_t ctilde[32], ldaa_spoly zs[LDAA_MS],
                        ldaa_spoly *ze)
{
    tss_part *p = ctx;
    if (!p->committed)
        return QTPM_DAA_E_TPM;
    p->committed = 0;
    uint8_t *buf = malloc(QTPM_LDAA_RESPONSE_SIZE);
    if (buf == NULL)
        return QTPM_DAA_E_PARAM;
    size_t len = 0;
    qtpm_tss_auths a;
    int rc = qtpm_tss_LDAA_Respond(p->t, part_auths(p, &a), p->key, p->rho, p->bsnval,
                                   p->counter, ctilde, buf, &len);
    int out;
    if (rc != QTPM_OK) {
        out = QTPM_DAA_E_TPM;
    } else if (len == 1 && buf[0] == 0) {
        out = 1; /* the TPM's share was rejected: commit again */
    } else if (len == QTPM_LDAA_RESPONSE_SIZE && buf[0] == 1) {
        int bad = ldaa_unpack(&zs[0].c[0], buf + 1, (size_t)LDAA_MS * LDAA_N, LDAA_GS + 1,
                              (int64_t)1 << LDAA_GS, ((int64_t)2 << LDAA_GS) - 1);
        bad |= ldaa_unpack(ze->c, buf + 1 + LDAA_MS * LDAA_N * (LDAA_GS + 1) / 8, LDAA_N,
                           LDAA_GE + 1, (int64_t)1 << LDAA_GE, ((int64_t)2 << LDAA_GE) - 1);
        out = bad ? QTPM_DAA_E_TPM : 0;
    } else {
        out = QTPM_DAA_E_TPM;
    }
    free(buf);
    return out;
}

/* An unanswered commitment stays outstanding in the TPM until 128 newer
 * ones or a Startup void it (as an unused ECDAA Commit does). */
static void part_discard(void *ctx)
{
    tss_part *p = ctx;
    p->committed = 0;
}

static void part_free(void *ctx)
{
    tss_part *p = ctx;
    if (p->flush) {
        qtpm_tss_FlushContext(p->t, p->key);
        qtpm_tss_FlushContext(p->t, p->srk);
    }
    if (p->own_tss != NULL)
        qtpm_tss_free(p->own_tss);
    qtpm_memzero(p, sizeof *p);
    free(p);
}

static const ldaa_tpm_ops tss_ops = {part_commit, part_respond, part_discard, part_free,
                                     part_join};

int qtpm_ldaa_tpm_open_tss(qtpm_ldaa_tpm **out, qtpm_tss *t, TPM_HANDLE key,
                           const TPM2B_AUTH *auth, const uint8_t *ipk, size_t ipk_len)
{
    if (out == NULL || t == NULL || ipk == NULL || ipk_len < 33 || ipk[0] != 'P' ||
        (auth != NULL && auth->size > sizeof auth->buffer))
        return QTPM_DAA_E_PARAM;
    *out = NULL;
    tss_part *p = calloc(1, sizeof *p);
    qtpm_ldaa_tpm *tpm = calloc(1, sizeof *tpm);
    uint8_t *req = malloc(QTPM_LDAA_JOINREQ_SIZE);
    if (p == NULL || tpm == NULL || req == NULL) {
        free(p);
        free(tpm);
        free(req);
        return QTPM_DAA_E_PARAM;
    }
    p->t = t;
    p->key = key;
    if (auth != NULL)
        p->auth = *auth;
    memcpy(p->rho, ipk + 1, 32);
    memcpy(tpm->rho, ipk + 1, 32);
    tpm->ops = &tss_ops;
    tpm->ops_ctx = p;
    /* t = D·s: the first part of any join request */
    uint8_t zero[32] = {0};
    int rc = part_join(p, zero, req);
    int64_t v[LDAA_N];
    for (unsigned i = 0; rc == QTPM_DAA_OK && i < LDAA_K; i++) {
        if (ldaa_unpack(v, req + 1 + (size_t)i * LDAA_N * LDAA_QBITS / 8, LDAA_N, LDAA_QBITS, 0,
                        (int64_t)LDAA_Q - 1))
            rc = QTPM_DAA_E_TPM;
        for (unsigned j = 0; j < LDAA_N; j++)
            tpm->t[i].c[j] = (uint64_t)v[j];
    }
    if (rc == QTPM_DAA_OK && req[0] != 'J')
        rc = QTPM_DAA_E_TPM;
    free(req);
    if (rc != QTPM_DAA_OK) {
        qtpm_ldaa_tpm_free(tpm);
        return rc;
    }
    *out = tpm;
    return QTPM_DAA_OK;
}

/* ------------------------------------------------------------ key files
 *
 * A TPM-held LDAA key as a file: 'K' ‖ rho (32) ‖ TPM2B_PUBLIC ‖
 * TPM2B_PRIVATE, the private part wrapped by the TPM under the owner
 * hierarchy's ECC SRK (a primary: the same key again from the same seed). */

static const qtpm_tss_auths pw_auth = {1, {{NULL, NULL}}};

int qtpm_ldaa_tss_key_create(qtpm_tss *t, const uint8_t *ipk, size_t ipk_len, uint8_t *file,
                             size_t cap, size_t *len)
{
    if (t == NULL || ipk == NULL || ipk_len < 33 || ipk[0] != 'P' || file == NULL ||
        len == NULL || cap < 33)
        return QTPM_DAA_E_PARAM;
    qtpm_tss_key srk;
    if (qtpm_tss_create_srk(t, TPM_ALG_ECC, NULL, &srk) != QTPM_OK)
        return QTPM_DAA_E_TPM;
    TPM2B_PUBLIC in, pub;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PRIVATE priv;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    qtpm_ldaa_key_template(&in.publicArea);
    /* EK-bound: the TPM replaces the second half by the digest of t */
    in.publicArea.unique.keyedHash.size = 64;
    memcpy(in.publicArea.unique.keyedHash.buffer, ipk + 1, 32);
    int rc = qtpm_tss_Create(t, &pw_auth, srk.handle, &sens, &in, NULL, NULL, &priv, &pub, NULL,
                             NULL, NULL);
    qtpm_tss_FlushContext(t, srk.handle);
    if (rc != QTPM_OK)
        return QTPM_DAA_E_TPM;
    file[0] = 'K';
    memcpy(file + 1, ipk + 1, 32);
    size_t o = 33;
    if (qtpm_TPM2B_PUBLIC_marshal(&pub, file, cap, &o) ||
        qtpm_TPM2B_PRIVATE_marshal(&priv, file, cap, &o))
        return QTPM_DAA_E_PARAM;
    *len = o;
    return QTPM_DAA_OK;
}

int qtpm_ldaa_tpm_open_file(qtpm_ldaa_tpm **out, qtpm_tss *t, int own, const uint8_t *file,
                            size_t len)
{
    if (out == NULL || t == NULL || file == NULL || len < 33 || file[0] != 'K')
        return QTPM_DAA_E_FORMAT;
    TPM2B_PUBLIC pub;
    TPM2B_PRIVATE priv;
    size_t o = 33;
    if (qtpm_TPM2B_PUBLIC_unmarshal(&pub, file, len, &o, 0) ||
        qtpm_TPM2B_PRIVATE_unmarshal(&priv, file, len, &o) || o != len)
        return QTPM_DAA_E_FORMAT;
    qtpm_tss_key srk;
    if (qtpm_tss_create_srk(t, TPM_ALG_ECC, NULL, &srk) != QTPM_OK)
        return QTPM_DAA_E_TPM;
    TPM_HANDLE key = 0;
    if (qtpm_tss_Load(t, &pw_auth, srk.handle, &priv, &pub, &key, NULL) != QTPM_OK) {
        qtpm_tss_FlushContext(t, srk.handle);
        return QTPM_DAA_E_TPM;
    }
    uint8_t ipk[33] = {'P'};
    memcpy(ipk + 1, file + 1, 32);
    int rc = qtpm_ldaa_tpm_open_tss(out, t, key, NULL, ipk, sizeof ipk);
    if (rc != QTPM_DAA_OK) {
        qtpm_tss_FlushContext(t, key);
        qtpm_tss_FlushContext(t, srk.handle);
        return rc;
    }
    tss_part *p = (*out)->ops_ctx;
    p->srk = srk.handle;
    p->flush = 1;
    p->own_tss = own ? t : NULL;
    return QTPM_DAA_OK;
}

/* ------------------------------------------------- join bound to the EK
 *
 * docs/DAA.md "Join bound to the EK". Messages (tag byte, Part 2
 * marshalling; every parser requires the exact length):
 *   request    'L' TPM2B_PUBLIC(EK) TPM2B_PUBLIC(LDAA key)
 *   challenge  'c' TPM2B_ID_OBJECT TPM2B_ENCRYPTED_SECRET
 *   state      'S' nonce(32) TPM2B_PUBLIC(EK) TPM2B_PUBLIC(LDAA key)
 *   response   'R' join request (QTPM_LDAA_JOINREQ_SIZE)
 *   credential 'k' TPM2B_ID_OBJECT TPM2B_ENCRYPTED_SECRET iv(12)
 *                  AES-256-GCM(K, aad = key Name)(credential) tag(16)
 * The key's Name commits to t (unique = rho ‖ SHAKE256("qtpm-ldaa-t" ‖
 * rho ‖ t), computed by the TPM at Create, src/engine/ldaa_key.c), and the
 * nonce reaches only the TPM that holds both the EK and that key. */

#define TAG_L_REQUEST 'L'
#define TAG_L_CHALLENGE 'c'
#define TAG_L_STATE 'S'
#define TAG_L_RESPONSE 'R'
#define TAG_L_CREDENTIAL 'k'

/* The EK (created again: a primary) and the LDAA key with its public area. */
static int host_keys(tss_part *p, qtpm_tss_key *ek, qtpm_tss_key *key)
{
    memset(key, 0, sizeof *key);
    key->handle = p->key;
    if (qtpm_tss_ReadPublic(p->t, NULL, p->key, &key->pub, &key->name, NULL) != QTPM_OK)
        return QTPM_DAA_E_TPM;
    if (qtpm_tss_create_ek(p->t, TPM_ALG_ECC, NULL, ek) != QTPM_OK)
        return QTPM_DAA_E_TPM;
    return QTPM_DAA_OK;
}

static tss_part *host_part(qtpm_ldaa_tpm *tpm)
{
    return tpm != NULL && tpm->ops == &tss_ops ? tpm->ops_ctx : NULL;
}

int qtpm_ldaa_host_join_request(qtpm_ldaa_tpm *tpm, uint8_t *out, size_t cap, size_t *len)
{
    tss_part *p = host_part(tpm);
    if (p == NULL || out == NULL || len == NULL || cap < 1)
        return QTPM_DAA_E_PARAM;
    qtpm_tss_key ek, key;
    int rc = host_keys(p, &ek, &key);
    if (rc)
        return rc;
    qtpm_tss_FlushContext(p->t, ek.handle);
    size_t o = 1;
    out[0] = TAG_L_REQUEST;
    if (qtpm_TPM2B_PUBLIC_marshal(&ek.pub, out, cap, &o) ||
        qtpm_TPM2B_PUBLIC_marshal(&key.pub, out, cap, &o))
        return QTPM_DAA_E_PARAM;
    *len = o;
    return QTPM_DAA_OK;
}

/* ActivateCredential of msg[1..]: the secret, and the bytes it used. */
static int host_activate(tss_part *p, const uint8_t *msg, size_t len, size_t *used,
                         TPM2B_DIGEST *secret, TPM2B_NAME *name)
{
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET es;
    size_t o = 1;
    if (qtpm_TPM2B_ID_OBJECT_unmarshal(&blob, msg, len, &o) ||
        qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(&es, msg, len, &o))
        return QTPM_DAA_E_FORMAT;
    *used = o;
    qtpm_tss_key ek, key;
    int rc = host_keys(p, &ek, &key);
    if (rc)
        return rc;
    if (qtpm_tss_activate_credential(p->t, &key, &p->auth, &ek, NULL, &blob, &es, secret) !=
        QTPM_OK)
        rc = QTPM_DAA_E_TPM;
    qtpm_tss_FlushContext(p->t, ek.handle);
    if (name != NULL)
        *name = key.name;
    return rc;
}

int qtpm_ldaa_host_join_respond(qtpm_ldaa_tpm *tpm, const uint8_t *challenge, size_t len,
                                uint8_t *out, size_t cap, size_t *out_len)
{
    tss_part *p = host_part(tpm);
    if (p == NULL || challenge == NULL || out == NULL || out_len == NULL ||
        cap < 1 + QTPM_LDAA_JOINREQ_SIZE)
        return QTPM_DAA_E_PARAM;
    if (len < 1 || challenge[0] != TAG_L_CHALLENGE)
        return QTPM_DAA_E_FORMAT;
    TPM2B_DIGEST nonce;
    size_t used;
    int rc = host_activate(p, challenge, len, &used, &nonce, NULL);
    if (rc)
        return rc;
    if (used != len || nonce.size != QTPM_LDAA_NONCE_SIZE)
        return QTPM_DAA_E_FORMAT;
    out[0] = TAG_L_RESPONSE;
    if ((rc = qtpm_ldaa_tpm_join_request(tpm, nonce.buffer, out + 1)) != QTPM_DAA_OK)
        return rc;
    *out_len = 1 + QTPM_LDAA_JOINREQ_SIZE;
    return QTPM_DAA_OK;
}

int qtpm_ldaa_host_join_finish(qtpm_ldaa_tpm *tpm, const qtpm_ldaa_ipk *pk, const uint8_t *msg,
                               size_t len, uint8_t cred[QTPM_LDAA_CRED_SIZE])
{
    tss_part *p = host_part(tpm);
    if (p == NULL || pk == NULL || msg == NULL || cred == NULL)
        return QTPM_DAA_E_PARAM;
    if (len < 1 || msg[0] != TAG_L_CREDENTIAL)
        return QTPM_DAA_E_FORMAT;
    TPM2B_DIGEST k;
    TPM2B_NAME name;
    size_t o;
    int rc = host_activate(p, msg, len, &o, &k, &name);
    if (rc)
        return rc;
    uint8_t *plain = malloc(QTPM_LDAA_CRED_SIZE);
    if (plain == NULL) {
        rc = QTPM_DAA_E_PARAM;
    } else if (k.size != 32 || len - o != GCM_IV + QTPM_LDAA_CRED_SIZE + GCM_TAG) {
        rc = QTPM_DAA_E_FORMAT;
    } else {
        uint8_t tag[GCM_TAG];
        memcpy(tag, msg + o + GCM_IV + QTPM_LDAA_CRED_SIZE, GCM_TAG);
        if (daa_join_gcm(0, k.buffer, msg + o, name.buffer, name.size, msg + o + GCM_IV,
                         QTPM_LDAA_CRED_SIZE, plain, tag))
            rc = QTPM_DAA_E_FORMAT;
        else if ((rc = qtpm_ldaa_cred_check(pk, tpm, plain, QTPM_LDAA_CRED_SIZE)) == 0)
            memcpy(cred, plain, QTPM_LDAA_CRED_SIZE);
    }
    qtpm_memzero(&k, sizeof k);
    if (plain != NULL) {
        qtpm_memzero(plain, QTPM_LDAA_CRED_SIZE);
        free(plain);
    }
    return rc;
}

/* ------------------------------------------------------ join: the issuer */

/* An LDAA key the issuer of rho certifies: the template's attributes,
 * HMAC-SHA256, nameAlg SHA-256, unique = rho ‖ digest. */
static int ldaa_key_acceptable(const TPMT_PUBLIC *p, const uint8_t rho[32])
{
    TPMT_PUBLIC want;
    qtpm_ldaa_key_template(&want);
    if (p->type != TPM_ALG_KEYEDHASH || p->nameAlg != TPM_ALG_SHA256 ||
        p->objectAttributes != want.objectAttributes ||
        p->parameters.keyedHashDetail.scheme.scheme != TPM_ALG_HMAC ||
        p->parameters.keyedHashDetail.scheme.details.hmac.hashAlg != TPM_ALG_SHA256)
        return QTPM_DAA_E_FORMAT;
    /* a 32-byte unique: a key whose Name does not commit to t */
    if (p->unique.keyedHash.size != 64 || memcmp(p->unique.keyedHash.buffer, rho, 32) != 0)
        return QTPM_DAA_E_BINDING;
    return QTPM_DAA_OK;
}

static int parse_two(const uint8_t *buf, size_t len, size_t o, TPM2B_PUBLIC *ek,
                     TPM2B_PUBLIC *key)
{
    if (qtpm_TPM2B_PUBLIC_unmarshal(ek, buf, len, &o, 0) ||
        qtpm_TPM2B_PUBLIC_unmarshal(key, buf, len, &o, 0) || o != len)
        return QTPM_DAA_E_FORMAT;
    return QTPM_DAA_OK;
}

int qtpm_ldaa_issuer_challenge(const qtpm_ldaa_issuer *iss, const uint8_t *request, size_t len,
                               uint8_t *challenge, size_t cap, size_t *challenge_len,
                               uint8_t *state, size_t state_cap, size_t *state_len)
{
    if (iss == NULL || request == NULL || challenge == NULL || challenge_len == NULL ||
        state == NULL || state_len == NULL || cap < 1 || state_cap < 33)
        return QTPM_DAA_E_PARAM;
    if (len < 1 || request[0] != TAG_L_REQUEST)
        return QTPM_DAA_E_FORMAT;
    TPM2B_PUBLIC ek, key;
    TPM2B_NAME name;
    int rc = parse_two(request, len, 1, &ek, &key);
    if (rc == QTPM_DAA_OK)
        rc = ldaa_key_acceptable(&key.publicArea, ldaa_issuer_rho(iss));
    if (rc)
        return rc;
    if (len - 1 > state_cap - 33)
        return QTPM_DAA_E_PARAM;
    state[0] = TAG_L_STATE;
    if (qtpm_ldaa_join_nonce(state + 1) != QTPM_DAA_OK)
        return QTPM_DAA_E_RNG;
    size_t o = 1;
    challenge[0] = TAG_L_CHALLENGE;
    if ((rc = daa_join_make_credential(&ek, &key, state + 1, 32, challenge, cap, &o, &name)) !=
        0) {
        qtpm_memzero(state, 33);
        return rc;
    }
    memcpy(state + 33, request + 1, len - 1);
    *state_len = 33 + len - 1;
    *challenge_len = o;
    return QTPM_DAA_OK;
}

int qtpm_ldaa_issuer_credential(const qtpm_ldaa_issuer *iss, const uint8_t *state,
                                size_t state_len, const uint8_t *response, size_t len,
                                uint8_t *out, size_t cap, size_t *out_len)
{
    if (iss == NULL || state == NULL || response == NULL || out == NULL || out_len == NULL)
        return QTPM_DAA_E_PARAM;
    if (state_len < 33 || state[0] != TAG_L_STATE)
        return QTPM_DAA_E_FORMAT;
    if (len != 1 + QTPM_LDAA_JOINREQ_SIZE || response[0] != TAG_L_RESPONSE)
        return QTPM_DAA_E_FORMAT;
    TPM2B_PUBLIC ek, key;
    TPM2B_NAME name;
    int rc = parse_two(state, state_len, 33, &ek, &key);
    if (rc == QTPM_DAA_OK)
        rc = ldaa_key_acceptable(&key.publicArea, ldaa_issuer_rho(iss));
    if (rc)
        return rc;
    /* the t of the request is the one the key's Name commits to */
    uint8_t d[32];
    qtpm_ldaa_t_digest(ldaa_issuer_rho(iss), response + 2, d);
    if (memcmp(d, key.publicArea.unique.keyedHash.buffer + 32, 32) != 0)
        return QTPM_DAA_E_BINDING;
    uint8_t *cred = malloc(QTPM_LDAA_CRED_SIZE);
    uint8_t k[32], iv[GCM_IV];
    if (cred == NULL)
        return QTPM_DAA_E_PARAM;
    rc = qtpm_ldaa_join_issue(iss, state + 1, response + 1, QTPM_LDAA_JOINREQ_SIZE, cred,
                              QTPM_LDAA_CRED_SIZE);
    if (rc)
        goto out;
    size_t o = 1;
    if (qtpm_random_bytes(k, sizeof k) != QTPM_OK || qtpm_random_bytes(iv, sizeof iv) != QTPM_OK) {
        rc = QTPM_DAA_E_RNG;
        goto out;
    }
    if (cap < 1) {
        rc = QTPM_DAA_E_PARAM;
        goto out;
    }
    out[0] = TAG_L_CREDENTIAL;
    if ((rc = daa_join_make_credential(&ek, &key, k, sizeof k, out, cap, &o, &name)) != 0)
        goto out;
    if (cap - o < GCM_IV + QTPM_LDAA_CRED_SIZE + GCM_TAG) {
        rc = QTPM_DAA_E_PARAM;
        goto out;
    }
    memcpy(out + o, iv, GCM_IV);
    if (daa_join_gcm(1, k, iv, name.buffer, name.size, cred, QTPM_LDAA_CRED_SIZE,
                     out + o + GCM_IV, out + o + GCM_IV + QTPM_LDAA_CRED_SIZE)) {
        rc = QTPM_DAA_E_PARAM;
        goto out;
    }
    *out_len = o + GCM_IV + QTPM_LDAA_CRED_SIZE + GCM_TAG;
out:
    qtpm_memzero(k, sizeof k);
    qtpm_memzero(cred, QTPM_LDAA_CRED_SIZE);
    free(cred);
    return rc;
}
