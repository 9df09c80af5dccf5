/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * execute.c — the one path every TPM command of libqtss takes: marshal the
 * header, handle area and authorization area (TPM 2.0 Part 1 §18), apply the
 * session layer (cpHash, HMACs, parameter encryption), send through the TCTI
 * with timing, then check the response and its sessions (rpHash, response
 * HMACs, nonce rolling, parameter decryption).
 *
 * Which authValue goes into a session's HMAC key (Part 1 §19.6.5): an HMAC
 * session adds the entity's authValue unless it is bound to that very entity
 * (then the value is already in the session key); a policy session adds it
 * only after PolicyAuthValue; after PolicyPassword the value itself is sent
 * in clear in the hmac field, as for a password session. Sessions beyond the
 * authorized handles (encrypt/decrypt/audit only) use the session key alone.
 */
#include <string.h>
#include <time.h>

#include "ct.h"
#include "qtpm/rand.h"
#include "tss_internal.h"

typedef struct {
    qtpm_tss_session *s; /* NULL: password */
    const TPM2B_AUTH *auth;
    int authorizes;      /* 1 if it authorizes handle i */
    TPM2B_NAME *entity;  /* the authorized entity's name */
} slot;

static int auth_included(const slot *sl)
{
    const qtpm_tss_session *s = sl->s;
    if (!sl->authorizes)
        return 0;
    if (s->type == TPM_SE_POLICY)
        return s->policy_auth != QTPM_TSS_POLICY_AUTH_NONE;
    if (s->bind_name.size != 0 && s->bind_name.size == sl->entity->size &&
        public_equal(s->bind_name.buffer, sl->entity->buffer, s->bind_name.size))
        return 0;
    return 1;
}

/* sessionKey ‖ authValue (when included) into key; returns its length.
 * for_crypt: the parameter-encryption key, which keeps the authValue of a
 * bound session's own bind entity (Part 1 §21; only the HMAC key leaves
 * it out, §19.6), as the reference TPM does. */
static size_t session_value(const slot *sl, uint8_t *key, int for_crypt)
{
    size_t n = sl->s->session_key.size;
    memcpy(key, sl->s->session_key.buffer, n);
    if (auth_included(sl) ||
        (for_crypt && sl->authorizes && sl->s->type == TPM_SE_HMAC)) {
        size_t a = tss_auth_len(sl->auth);
        if (a)
            memcpy(key + n, sl->auth->buffer, a);
        n += a;
    }
    return n;
}

static void put_u32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint64_t now_usec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void record_timing(qtpm_tss *t, TPM_CC cc, TPM_RC rc, uint64_t usec)
{
    if (t->timing_cap) {
        if (t->timing_count < t->timing_cap)
            t->timing[t->timing_count++] = (qtpm_tss_timing_record){ cc, rc, usec };
        else
            t->timing_dropped++;
    }
    if (t->timing_file) {
        fprintf(t->timing_file, "%s,0x%03X,%llu,0x%X\n", qtpm_tss_cc_name(cc), (unsigned)cc,
                (unsigned long long)usec, (unsigned)rc);
        fflush(t->timing_file);
    }
}

/* Encrypts (command) or decrypts (response) the data of the TPM2B that
 * starts the parameter area (Part 1 §21.1: only the first parameter, and
 * only if it is a sized buffer; its size field stays clear). */
static int crypt_first(const slot *sl, uint8_t *params, size_t len, int command)
{
    uint8_t key[2 * MAX_DIGEST_SIZE + sizeof(TPM2B_AUTH)];
    if (len < 2)
        return QTPM_TSS_E_PROTOCOL;
    size_t n = (size_t)params[0] << 8 | params[1];
    if (n > len - 2)
        return QTPM_TSS_E_PROTOCOL;
    size_t klen = session_value(sl, key, 1);
    const qtpm_tss_session *s = sl->s;
    /* command: newer = nonceCaller, older = nonceTPM; response: reversed */
    int rc = command
        ? qtpm_tss_param_crypt(s->hash, &s->symmetric, key, klen, &s->nonce_caller,
                               &s->nonce_tpm, 1, params + 2, n)
        : qtpm_tss_param_crypt(s->hash, &s->symmetric, key, klen, &s->nonce_tpm,
                               &s->nonce_caller, 0, params + 2, n);
    qtpm_memzero(key, sizeof key);
    return rc;
}

int qtpm_tss_execute(qtpm_tss *t, const qtpm_tss_command *cmd, qtpm_tss_response *rsp)
{
    slot slots[QTPM_TSS_MAX_SESSIONS];
    TPM2B_NAME names[3];
    uint8_t params[QTPM_TCTI_MAX_BUFFER];
    uint8_t key[2 * MAX_DIGEST_SIZE + sizeof(TPM2B_AUTH)];
    size_t n_sess, i;
    int dec = -1, enc = -1, any_session = 0, rc;

    memset(rsp, 0, sizeof *rsp);
    if (cmd->n_handles > 3 || cmd->n_auth > cmd->n_handles ||
        cmd->params_len > sizeof params - 64)
        return QTPM_E_PARAM;
    n_sess = cmd->n_auth;
    if (cmd->auths && cmd->auths->count > n_sess)
        n_sess = cmd->auths->count;
    if (n_sess > QTPM_TSS_MAX_SESSIONS)
        return QTPM_E_PARAM;
    for (i = 0; i < n_sess; i++) {
        const qtpm_tss_auth *a = (cmd->auths && i < cmd->auths->count) ? &cmd->auths->item[i] : NULL;
        slots[i].s = a ? a->session : NULL;
        slots[i].auth = a ? a->auth : NULL;
        slots[i].authorizes = i < cmd->n_auth;
        slots[i].entity = i < cmd->n_auth ? &names[i] : NULL;
        if (!slots[i].authorizes && !slots[i].s)
            return QTPM_E_PARAM; /* an extra entry must be a session */
        if (slots[i].s) {
            if (slots[i].s->handle == 0)
                return QTPM_TSS_E_STATE;
            any_session = 1;
            if (dec < 0 && (slots[i].s->attributes & TPMA_SESSION_DECRYPT))
                dec = (int)i;
            if (enc < 0 && (slots[i].s->attributes & TPMA_SESSION_ENCRYPT))
                enc = (int)i;
        }
    }
    /* Names of all handles enter cpHash, authorized or not (Part 1 §18.7). */
    if (any_session)
        for (i = 0; i < cmd->n_handles; i++)
            if ((rc = qtpm_tss_get_name(t, cmd->handles[i], &names[i])) != QTPM_OK)
                return rc;
    for (i = 0; i < n_sess; i++) {
        qtpm_tss_session *s = slots[i].s;
        if (!s)
            continue;
        s->nonce_caller.size = (UINT16)qtpm_hash_size(tss_hash(s->hash));
        if ((rc = qtpm_random_bytes(s->nonce_caller.buffer, s->nonce_caller.size)) != QTPM_OK)
            return rc;
    }
    if (cmd->params_len)
        memcpy(params, cmd->params, cmd->params_len);
    if (dec >= 0 && (rc = crypt_first(&slots[dec], params, cmd->params_len, 1)) != QTPM_OK)
        goto out;

    /* ---- header, handles, authorization area, parameters */
    uint8_t *b = t->cmd;
    size_t off = 10, cap = sizeof t->cmd;
    for (i = 0; i < cmd->n_handles; i++, off += 4)
        put_u32(b + off, cmd->handles[i]);
    if (n_sess) {
        size_t size_at = off;
        off += 4;
        for (i = 0; i < n_sess; i++) {
            TPMS_AUTH_COMMAND ac;
            qtpm_tss_session *s = slots[i].s;
            memset(&ac, 0, sizeof ac);
            if (!s || (s->type == TPM_SE_POLICY && s->policy_auth == QTPM_TSS_POLICY_AUTH_PASSWORD)) {
                /* password: the authValue itself (Part 1 §19.8.4) */
                ac.sessionHandle = s ? s->handle : TPM_RS_PW;
                ac.sessionAttributes = s ? s->attributes : TPMA_SESSION_CONTINUESESSION;
                if (s)
                    ac.nonce = s->nonce_caller;
                if (slots[i].auth)
                    ac.hmac = *slots[i].auth;
            } else {
                TPM2B_DIGEST cp;
                const TPM2B_NONCE *nd = NULL, *ne = NULL;
                /* §19.6.5: the first session also covers the nonceTPM of
                 * separate decrypt and encrypt sessions */
                if (i == 0 && dec > 0)
                    nd = &slots[dec].s->nonce_tpm;
                if (i == 0 && enc > 0 && enc != dec)
                    ne = &slots[enc].s->nonce_tpm;
                rc = qtpm_tss_cp_hash(s->hash, cmd->cc, names, cmd->n_handles, params,
                                      cmd->params_len, &cp);
                if (rc != QTPM_OK)
                    goto out;
                size_t klen = session_value(&slots[i], key, 0);
                ac.sessionHandle = s->handle;
                ac.nonce = s->nonce_caller;
                ac.sessionAttributes = s->attributes;
                rc = qtpm_tss_session_hmac(s->hash, key, klen, &cp, &s->nonce_caller,
                                           &s->nonce_tpm, nd, ne, s->attributes, &ac.hmac);
                if (rc != QTPM_OK)
                    goto out;
            }
            TPM_RC mrc = qtpm_TPMS_AUTH_COMMAND_marshal(&ac, b, cap, &off);
            qtpm_memzero(&ac, sizeof ac);
            if (mrc != TPM_RC_SUCCESS) {
                rc = QTPM_E_BUFFER;
                goto out;
            }
        }
        put_u32(b + size_at, (uint32_t)(off - size_at - 4));
    }
    if (off + cmd->params_len > cap) {
        rc = QTPM_E_BUFFER;
        goto out;
    }
    memcpy(b + off, params, cmd->params_len);
    off += cmd->params_len;
    TPM_ST tag = n_sess ? TPM_ST_SESSIONS : TPM_ST_NO_SESSIONS;
    b[0] = (uint8_t)(tag >> 8), b[1] = (uint8_t)tag;
    put_u32(b + 2, (uint32_t)off);
    put_u32(b + 6, cmd->cc);

    /* ---- transmit, timed; a TPM that is busy is asked again */
    size_t rlen = 0;
    TPM_RC trc = 0;
    for (int attempt = 0; attempt < 4; attempt++) {
        uint64_t t0 = now_usec();
        rc = qtpm_tcti_transact(t->tcti, b, off, t->rsp, sizeof t->rsp, &rlen);
        uint64_t dt = now_usec() - t0;
        trc = (rc == QTPM_OK && rlen >= 10) ? get_u32(t->rsp + 6) : 0;
        record_timing(t, cmd->cc, trc, dt);
        if (rc != QTPM_OK)
            goto out;
        if (trc != TPM_RC_RETRY && trc != TPM_RC_YIELDED && trc != TPM_RC_TESTING)
            break;
    }

    /* ---- response */
    const uint8_t *r = t->rsp;
    if (rlen < 10 || get_u32(r + 2) != rlen) {
        rc = QTPM_TSS_E_PROTOCOL;
        goto out;
    }
    TPM_ST rtag = (TPM_ST)(r[0] << 8 | r[1]);
    rsp->rc = trc;
    if (trc != TPM_RC_SUCCESS) {
        /* an error response carries no sessions; nonces stay as they were */
        rc = rlen == 10 ? (int)trc : QTPM_TSS_E_PROTOCOL;
        goto out;
    }
    if (rtag != tag) {
        rc = QTPM_TSS_E_PROTOCOL;
        goto out;
    }
    size_t ro = 10;
    if (cmd->rsp_handle) {
        if (rlen < ro + 4) {
            rc = QTPM_TSS_E_PROTOCOL;
            goto out;
        }
        rsp->handle = get_u32(r + ro);
        ro += 4;
    }
    size_t plen;
    if (n_sess) {
        if (rlen < ro + 4 || (plen = get_u32(r + ro)) > rlen - ro - 4) {
            rc = QTPM_TSS_E_PROTOCOL;
            goto out;
        }
        ro += 4;
    } else {
        plen = rlen - ro;
    }
    uint8_t *rparams = t->rsp + ro;
    size_t ao = ro + plen;
    for (i = 0; i < n_sess; i++) {
        TPMS_AUTH_RESPONSE ar;
        qtpm_tss_session *s = slots[i].s;
        if (qtpm_TPMS_AUTH_RESPONSE_unmarshal(&ar, r, rlen, &ao) != TPM_RC_SUCCESS) {
            rc = QTPM_TSS_E_PROTOCOL;
            goto out;
        }
        if (!s) {
            if (ar.nonce.size || ar.hmac.size) {
                rc = QTPM_TSS_E_PROTOCOL;
                goto out;
            }
            continue;
        }
        s->nonce_tpm = ar.nonce; /* nonces roll: the TPM's new one is now the older */
        if (s->type == TPM_SE_POLICY && s->policy_auth == QTPM_TSS_POLICY_AUTH_PASSWORD) {
            if (ar.hmac.size != 0) {
                rc = QTPM_E_VERIFY;
                goto out;
            }
        } else {
            TPM2B_DIGEST rp, expect;
            size_t klen = session_value(&slots[i], key, 0);
            /* an empty key allows an empty HMAC (Part 1 §19.6.5) */
            if (!(klen == 0 && ar.hmac.size == 0)) {
                rc = qtpm_tss_rp_hash(s->hash, TPM_RC_SUCCESS, cmd->cc, rparams, plen, &rp);
                if (rc == QTPM_OK)
                    rc = qtpm_tss_session_hmac(s->hash, key, klen, &rp, &s->nonce_tpm,
                                               &s->nonce_caller, NULL, NULL,
                                               ar.sessionAttributes, &expect);
                if (rc != QTPM_OK)
                    goto out;
                if (expect.size != ar.hmac.size ||
                    !ct_equal(expect.buffer, ar.hmac.buffer, expect.size)) {
                    rc = QTPM_E_VERIFY;
                    goto out;
                }
            }
        }
        if (!(ar.sessionAttributes & TPMA_SESSION_CONTINUESESSION))
            s->handle = 0; /* the TPM flushed it */
    }
    if (ao != rlen) {
        rc = QTPM_TSS_E_PROTOCOL;
        goto out;
    }
    if (enc >= 0 && (rc = crypt_first(&slots[enc], rparams, plen, 0)) != QTPM_OK)
        goto out;
    rsp->params = rparams;
    rsp->params_len = plen;
    rc = QTPM_OK;
out:
    qtpm_memzero(key, sizeof key);
    qtpm_memzero(params, cmd->params_len < sizeof params ? cmd->params_len : sizeof params);
    return rc;
}

int tss_run(qtpm_tss *t, TPM_CC cc, const TPM_HANDLE *handles, size_t n_handles,
            size_t n_auth, const qtpm_tss_auths *auths, const uint8_t *params,
            size_t params_len, int rsp_handle, qtpm_tss_response *r)
{
    qtpm_tss_command c;
    memset(&c, 0, sizeof c);
    c.cc = cc;
    c.n_handles = n_handles;
    for (size_t i = 0; i < n_handles && i < 3; i++)
        c.handles[i] = handles[i];
    c.n_auth = n_auth;
    c.auths = auths;
    c.params = params;
    c.params_len = params_len;
    c.rsp_handle = rsp_handle;
    return qtpm_tss_execute(t, &c, r);
}
