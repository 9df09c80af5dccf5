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

#include "ldaa_internal.h"
#include "qtpm/common.h"
#include "qtpm/daa_host.h"
#include "qtpm/marshal.h"
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
