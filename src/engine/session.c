/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c — authorization of commands (Part 1 §19) and the session
 * commands TPM2_StartAuthSession, TPM2_PolicyRestart, TPM2_PolicyGetDigest.
 *
 * Three kinds of authorization reach sessions_check():
 *  - password (TPM_RS_PW): the hmac field is the authValue itself;
 *  - HMAC sessions: hmac = HMAC(sessionKey || authValue, cpHash || nonceCaller
 *    || nonceTPM || [nonceTPMdecrypt] || [nonceTPMencrypt] || attributes)
 *    (Part 1 §19.6.5), authValue left out when the session is bound to the
 *    entity it authorizes;
 *  - policy sessions: the accumulated policyDigest must equal the entity's
 *    authPolicy and every deferred assertion (command code, cpHash, PCR
 *    counter, locality, ...) must hold; then an HMAC as above, with
 *    authValue only after PolicyAuthValue, or a plain password after
 *    PolicyPassword.
 * Parameter encryption (Part 1 §21) uses AES-CFB with key and IV from
 * KDFa(sessionValue, "CFB", nonceNewer, nonceOlder) or the XOR obfuscation
 * with a KDFa("XOR") mask.
 *
 * Failed authorizations feed dictionary-attack protection (hierarchy.c) when
 * the entity is DA-protected: TPM_RC_AUTH_FAIL then, TPM_RC_BAD_AUTH when not.
 */
#include <stdlib.h>

#include "auth.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "entity.h"
#include "nv.h"
#include "object.h"
#include "protect.h"
#include "session.h"

/* TPMA_SESSION bits (Part 2 §8.4) */
#define SA_CONTINUE 0x01
#define SA_AUDIT_EXCLUSIVE 0x02
#define SA_AUDIT_RESET 0x04
#define SA_DECRYPT 0x20
#define SA_ENCRYPT 0x40
#define SA_AUDIT 0x80

static void policy_session_reset(qtpm_tpm *tpm, tpm_session *s);

static void session_remove(qtpm_tpm *tpm, TPM_HANDLE h)
{
    for (int i = 0; i < MAX_LOADED_SESSIONS; i++)
        if (tpm->sessions[i] && tpm->sessions[i]->handle == h) {
            session_free(tpm->sessions[i]);
            tpm->sessions[i] = NULL;
        }
}

int session_policy_extend(tpm_session *s, const uint8_t *a, size_t alen, const uint8_t *b,
                          size_t blen)
{
    crypt_part parts[] = {{s->policy_digest.b, s->policy_digest.size}, {a, alen}, {b, blen}};
    return crypt_hash_parts(s->hash, s->policy_digest.b, parts, 3);
}

void sess_ctx_init(sess_ctx *sc, unsigned nhandles, unsigned nauth, const uint8_t *roles,
                   int may_dec, int may_enc)
{
    memset(sc, 0, sizeof(*sc));
    sc->nhandles = nhandles;
    sc->nauth = nauth;
    sc->roles = roles;
    sc->may_dec = may_dec;
    sc->may_enc = may_enc;
    sc->dec_idx = sc->enc_idx = -1;
}

void sess_ctx_clear(sess_ctx *sc) { qtpm_memzero(sc, sizeof(*sc)); }

/* cpHash = H(commandCode || Name1 || Name2 || Name3 || parameters) (Part 1 §18.7). */
static int compute_cp_hash(const tpm_cmd *c, TPM_ALG_ID alg, uint8_t *out)
{
    uint8_t ccb[4];
    wr_put_u32(ccb, c->cc);
    crypt_part parts[5] = {{ccb, 4}};
    size_t n = 1;
    for (unsigned i = 0; i < c->nhandles; i++)
        parts[n++] = (crypt_part){c->names[i], c->name_len[i]};
    parts[n++] = (crypt_part){c->param_raw, c->param_raw_len};
    return crypt_hash_parts(alg, out, parts, n);
}

/* The index of the handle a session authorizes: session i authorizes the
 * i-th handle that needs authorization; -1 for a session beyond those. */
static int auth_handle_index(const sess_ctx *sc, unsigned i)
{
    unsigned k = 0;
    for (unsigned h = 0; h < sc->nhandles; h++) {
        if (sc->roles[h] == 0)
            continue;
        if (k == i)
            return (int)h;
        k++;
    }
    return -1;
}

/* Dictionary-attack protection (Part 1 §19.8.6, Part 3 §25.3
 * DictionaryAttackParameters):
 *  - lockoutAuth: one failure makes it unusable for lockoutRecovery seconds,
 *    or, when lockoutRecovery is 0, until the next Startup (a reboot);
 *  - DA-protected entities: each failure increments failedTries; at maxTries
 *    the TPM is in lockout; recoveryTime = 0 disables the protection
 *    (nothing counted, no lockout). */
static int da_enabled(const qtpm_tpm *tpm) { return tpm->ps.recovery_time != 0; }

static TPM_RC auth_fail(qtpm_tpm *tpm, TPM_HANDLE h, unsigned n)
{
    if (h == TPM_RH_LOCKOUT) {
        tpm->ps.lockout_auth_locked = 1;
        tpm->lockout_started_ms = tpm->time_ms;
        tpm->dirty = 1;
        return RC_S(TPM_RC_AUTH_FAIL, n);
    }
    if (entity_da_protected(tpm, h)) {
        if (da_enabled(tpm) && tpm->ps.failed_tries < UINT32_MAX) {
            tpm->ps.failed_tries++;
            tpm->dirty = 1;
        }
        return RC_S(TPM_RC_AUTH_FAIL, n);
    }
    return RC_S(TPM_RC_BAD_AUTH, n);
}

/* A PIN Pass or PIN Fail NV index (nv.c). */
static int is_pin_index(qtpm_tpm *tpm, TPM_HANDLE h)
{
    if ((h >> 24) != TPM_HT_NV_INDEX)
        return 0;
    const tpm_nv *nv = nv_find(tpm, h);
    if (nv == NULL)
        return 0;
    unsigned t = (nv->pub.attributes & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
    return t == TPM_NT_PIN_FAIL || t == TPM_NT_PIN_PASS;
}

/* The commands that write an NV index's data or attributes. */
static int nv_write_command(uint32_t cc)
{
    return cc == TPM_CC_NV_Write || cc == TPM_CC_NV_Increment || cc == TPM_CC_NV_Extend ||
           cc == TPM_CC_NV_SetBits || cc == TPM_CC_NV_WriteLock;
}

/* TPM_RC_LOCKOUT when the entity may not be authorized now (DA lockout). */
static TPM_RC da_check(qtpm_tpm *tpm, TPM_HANDLE h)
{
    if (h == TPM_RH_LOCKOUT)
        return tpm->ps.lockout_auth_locked ? TPM_RC_LOCKOUT : TPM_RC_SUCCESS;
    if (!entity_da_protected(tpm, h) || !da_enabled(tpm))
        return TPM_RC_SUCCESS;
    if (tpm->ps.max_tries == 0 || tpm->ps.failed_tries >= tpm->ps.max_tries)
        return TPM_RC_LOCKOUT;
    /* The first DA-protected authorization of a boot cycle is recorded on
     * disk before the check, so that a failure lost with an unorderly end
     * (crash, full disk) still counts at the next Startup (tpm.c). A TPM
     * that cannot record it does not check the authorization at all. */
    if (!tpm->ps.da_used) {
        tpm->ps.da_used = 1;
        if (tpm_state_commit(tpm) != 0) {
            tpm->ps.da_used = 0;
            return TPM_RC_NV_UNAVAILABLE;
        }
    }
    return TPM_RC_SUCCESS;
}

/* PolicyTemplate (Part 3 §23.21): the command must create an object, and
 * the hash of its inPublic (the bytes inside the TPM2B, after inSensitive)
 * must be the session's templateHash. The hash is over the bytes as they
 * arrived, so only the two sizes are read here (the parameters are
 * unmarshalled, and a malformed one refused, after authorization). */
static int template_matches(const tpm_cmd *c, const tpm_session *s)
{
    if (c->cc != TPM_CC_Create && c->cc != TPM_CC_CreatePrimary && c->cc != TPM_CC_CreateLoaded)
        return 0;
    const uint8_t *p = c->param_raw;
    size_t len = c->param_raw_len, off = 0;
    UINT16 n;
    if (p == NULL || qtpm_UINT16_unmarshal(&n, p, len, &off) || len - off < n)
        return 0;
    off += n; /* inSensitive */
    if (qtpm_UINT16_unmarshal(&n, p, len, &off) || len - off < n)
        return 0;
    uint8_t h[MAX_DIGEST];
    crypt_part part = {p + off, n};
    if (crypt_hash_parts(s->hash, h, &part, 1))
        return 0;
    return public_equal(h, s->template_hash.b, s->template_hash.size);
}

/* Checks the deferred assertions of a policy session (Part 1 §19.7.x). */
static TPM_RC policy_check(qtpm_tpm *tpm, tpm_cmd *c, tpm_session *s, TPM_HANDLE h,
                           unsigned n, const uint8_t *cp_hash)
{
    tpm_buf64 policy;
    TPM_ALG_ID alg;
    if (s->type == TPM_SE_TRIAL)
        return RC_S(TPM_RC_ATTRIBUTES, n);
    if (s->pcr_checked && s->pcr_counter != tpm->pcr_counter)
        return TPM_RC_PCR_CHANGED;
    /* a policy bound to another command fails the policy check as in the
     * reference implementation (swtpm): TPM_RC_POLICY_FAIL, while
     * TPM_RC_POLICY_CC belongs to TPM2_PolicyCommandCode itself (Part 3 §23.11) */
    if (s->command_code != 0 && s->command_code != c->cc)
        return RC_S(TPM_RC_POLICY_FAIL, n);
    if (entity_auth_policy(tpm, h, &policy, &alg) != TPM_RC_SUCCESS)
        return RC_S(TPM_RC_POLICY_FAIL, n);
    if (alg != s->hash || policy.size != s->policy_digest.size || policy.size == 0 ||
        !public_equal(policy.b, s->policy_digest.b, policy.size))
        return RC_S(TPM_RC_POLICY_FAIL, n);
    if (s->cp_hash.size && !public_equal(s->cp_hash.b, cp_hash, s->cp_hash.size))
        return RC_S(TPM_RC_POLICY_FAIL, n);
    if (s->pcr_checked && s->pcr_counter != tpm->pcr_counter)
        return TPM_RC_PCR_CHANGED;
    if (s->locality_mask != 0 &&
        (c->locality > 4 || (s->locality_mask & (1u << c->locality)) == 0))
        return RC_S(TPM_RC_LOCALITY, n);
    if (s->timeout != 0 && tpm->time_ms > s->timeout)
        return RC_S(TPM_RC_EXPIRED, n);
    if (s->template_hash.size && !template_matches(c, s))
        return RC_S(TPM_RC_POLICY_FAIL, n);
    if (s->nv_written_set) {
        /* PolicyNvWritten (Part 3 §23.20): the authorized entity must be an
         * NV index whose TPMA_NV_WRITTEN equals the asserted state. */
        const tpm_nv *nv = (h >> 24) == TPM_HT_NV_INDEX ? nv_find(tpm, h) : NULL;
        if (nv == NULL || ((nv->pub.attributes & TPMA_NV_WRITTEN) != 0) != (s->nv_written != 0))
            return RC_S(TPM_RC_POLICY_FAIL, n);
    }
    if (s->name_hash.size) {
        uint8_t nh[MAX_DIGEST];
        crypt_part parts[3];
        for (unsigned i = 0; i < c->nhandles; i++)
            parts[i] = (crypt_part){c->names[i], c->name_len[i]};
        crypt_hash_parts(s->hash, nh, parts, c->nhandles);
        if (!public_equal(nh, s->name_hash.b, s->name_hash.size))
            return RC_S(TPM_RC_POLICY_FAIL, n);
    }
    return TPM_RC_SUCCESS;
}

/* The command HMAC of Part 1 §19.6.5. */
static int session_hmac(const tpm_session *s, const tpm_buf64 *key, const uint8_t *p_hash,
                        const tpm_buf64 *newer, const tpm_buf64 *older, const tpm_buf64 *dec,
                        const tpm_buf64 *enc, uint8_t attrs, uint8_t *out)
{
    size_t hlen = crypt_hash_size(s->hash);
    crypt_part parts[] = {{p_hash, hlen},
                          {newer->b, newer->size},
                          {older->b, older->size},
                          {dec ? dec->b : NULL, dec ? dec->size : 0},
                          {enc ? enc->b : NULL, enc ? enc->size : 0},
                          {&attrs, 1}};
    return crypt_hmac_parts(s->hash, key->b, key->size, out, parts, 6);
}

/* Symmetric parameter encryption (Part 1 §21.3, §21.4). */
static TPM_RC param_crypt(const tpm_session *s, const tpm_buf64 *value, const tpm_buf64 *newer,
                          const tpm_buf64 *older, uint8_t *data, size_t len, int encrypt)
{
    if (len == 0)
        return TPM_RC_SUCCESS;
    if (s->sym_alg == TPM_ALG_XOR) {
        uint8_t *mask = malloc(len);
        if (mask == NULL)
            return TPM_RC_MEMORY;
        int rc = crypt_kdfa(s->hash, value->b, value->size, "XOR", newer->b, newer->size,
                            older->b, older->size, (uint32_t)len * 8, mask);
        for (size_t i = 0; i < len; i++)
            data[i] ^= mask[i];
        qtpm_memzero(mask, len);
        free(mask);
        return rc ? TPM_RC_FAILURE : TPM_RC_SUCCESS;
    }
    if (s->sym_alg != TPM_ALG_AES || s->sym_mode != TPM_ALG_CFB)
        return TPM_RC_SYMMETRIC;
    uint8_t kiv[32 + 16];
    size_t klen = s->sym_bits / 8;
    if (crypt_kdfa(s->hash, value->b, value->size, "CFB", newer->b, newer->size, older->b,
                   older->size, (uint32_t)(klen + 16) * 8, kiv))
        return TPM_RC_FAILURE;
    int rc = encrypt ? qtpm_aes_encrypt(QTPM_SYM_CFB, kiv, klen, kiv + klen, data, data, len)
                     : qtpm_aes_decrypt(QTPM_SYM_CFB, kiv, klen, kiv + klen, data, data, len);
    qtpm_memzero(kiv, sizeof(kiv));
    return rc ? TPM_RC_FAILURE : TPM_RC_SUCCESS;
}

TPM_RC sessions_check(qtpm_tpm *tpm, tpm_cmd *c, sess_ctx *sc)
{
    /* Resolve sessions and their attributes first (Part 3 §5.5). */
    for (unsigned i = 0; i < c->nauths; i++) {
        tpm_auth_in *a = &c->auths[i];
        unsigned n = i + 1;
        if (a->handle == TPM_RS_PW) {
            if (auth_handle_index(sc, i) < 0)
                return RC_S(TPM_RC_HANDLE, n);
            if (a->nonce_caller.size != 0)
                return RC_S(TPM_RC_NONCE, n);
            if (a->attrs & ~SA_CONTINUE)
                return RC_S(TPM_RC_ATTRIBUTES, n);
            continue;
        }
        uint8_t ht = (uint8_t)(a->handle >> 24);
        if (ht != TPM_HT_HMAC_SESSION && ht != TPM_HT_POLICY_SESSION)
            return RC_S(TPM_RC_HANDLE, n);
        a->sess = session_find(tpm, a->handle);
        if (a->sess == NULL)
            return TPM_RC_REFERENCE_S0 + i;
        for (unsigned j = 0; j < i; j++)
            if (c->auths[j].handle == a->handle)
                return RC_S(TPM_RC_HANDLE, n);
        if (a->attrs & 0x18)
            return RC_S(TPM_RC_RESERVED_BITS, n);
        size_t hlen = crypt_hash_size(a->sess->hash);
        /* StartAuthSession enforces 16..digest size; per command a TSS may
         * send a shorter nonceCaller (tpm2-tools does for password-only
         * policy sessions), which only weakens its own replay protection. */
        if (a->nonce_caller.size > hlen)
            return RC_S(TPM_RC_NONCE, n);
        if (a->attrs & SA_DECRYPT) {
            if (!sc->may_dec || sc->dec_idx >= 0)
                return RC_S(TPM_RC_ATTRIBUTES, n);
            if (a->sess->sym_alg == TPM_ALG_NULL)
                return RC_S(TPM_RC_SYMMETRIC, n);
            sc->dec_idx = (int)i;
        }
        if (a->attrs & SA_ENCRYPT) {
            if (!sc->may_enc || sc->enc_idx >= 0)
                return RC_S(TPM_RC_ATTRIBUTES, n);
            if (a->sess->sym_alg == TPM_ALG_NULL)
                return RC_S(TPM_RC_SYMMETRIC, n);
            sc->enc_idx = (int)i;
        }
        if (auth_handle_index(sc, i) < 0 && !(a->attrs & (SA_DECRYPT | SA_ENCRYPT | SA_AUDIT)))
            return RC_S(TPM_RC_ATTRIBUTES, n);
        if (a->sess->type != TPM_SE_HMAC && auth_handle_index(sc, i) < 0)
            return RC_S(TPM_RC_ATTRIBUTES, n);
    }

    /* Authorize each handle that needs it (Part 1 §19.6). */
    for (unsigned i = 0; i < c->nauths; i++) {
        tpm_auth_in *a = &c->auths[i];
        tpm_session *s = a->sess;
        unsigned n = i + 1;
        int hi = auth_handle_index(sc, i);
        TPM_HANDLE h = hi >= 0 ? c->handles[hi] : TPM_RH_NULL;
        tpm_buf64 auth = {0};
        int pin_use = 0;
        if (hi >= 0) {
            /* a policy session that uses no authValue (no PolicyAuthValue or
             * PolicyPassword) guesses nothing: DA lockout does not apply to
             * it (Part 1 §19.8.6; as the reference implementation) */
            int uses_auth = s == NULL || s->type == TPM_SE_HMAC || s->auth_value_needed ||
                            s->password_needed;
            TPM_RC rc = uses_auth ? da_check(tpm, h) : TPM_RC_SUCCESS;
            if (rc)
                return rc;
            /* PIN Pass / PIN Fail index authorized with its authValue (a
             * password or HMAC session; nv.c): usable only while written
             * and pinCount < pinLimit, and never to write (AUTHWRITE is
             * refused at NV_DefineSpace), as the reference implementation's
             * IsAuthValueAvailable and swtpm. */
            pin_use = (s == NULL || s->type == TPM_SE_HMAC) && is_pin_index(tpm, h);
            if (pin_use && (nv_write_command(c->cc) || !nv_pin_auth_available(tpm, h)))
                return TPM_RC_AUTH_UNAVAILABLE; /* format 0, as for policy_required */
            entity_auth_value(tpm, h, &auth);
            int user_with_auth = 1, admin_with_policy = 0;
            entity_auth_rules(tpm, h, &user_with_auth, &admin_with_policy);
            uint8_t role = sc->roles[hi];
            int policy_required = (role == 3) || (role == 2 && admin_with_policy) ||
                                  (role == 1 && !user_with_auth);
            if (policy_required && (s == NULL || s->type == TPM_SE_HMAC))
                return TPM_RC_AUTH_UNAVAILABLE; /* format 0: carries no session number */
            if (policy_required && role != 1 && s->command_code != c->cc)
                return RC_S(TPM_RC_POLICY_FAIL, n);
        }
        if (s == NULL) {
            /* password authorization (Part 1 §19.6.4) */
            int ok = auth_equal(a->hmac, a->hmac_size, auth.b, auth.size);
            qtpm_memzero(&auth, sizeof(auth));
            if (pin_use)
                nv_pin_auth_result(tpm, h, ok);
            if (!ok)
                return auth_fail(tpm, h, n);
            continue;
        }
        size_t hlen = crypt_hash_size(s->hash);
        compute_cp_hash(c, s->hash, sc->cp_hash[i]);
        if (hi >= 0 && s->type != TPM_SE_HMAC) {
            TPM_RC rc = policy_check(tpm, c, s, h, n, sc->cp_hash[i]);
            if (rc)
                return rc;
        }
        /* sessionValue: sessionKey || authValue, except for a bound session
         * authorizing its bind entity or a policy session without
         * PolicyAuthValue. */
        tpm_buf64 *val = &sc->values[i];
        memcpy(val->b, s->session_key.b, s->session_key.size);
        val->size = s->session_key.size;
        int include_auth = hi >= 0;
        tpm_buf64 *cval = &sc->crypt_values[i];
        *cval = *val;
        if (s->type == TPM_SE_HMAC && s->bound && hi >= 0 && c->name_len[hi] == s->bind_name.size &&
            public_equal(c->names[hi], s->bind_name.b, s->bind_name.size)) {
            include_auth = 0;
            if (cval->size + auth.size <= sizeof(cval->b)) {
                memcpy(cval->b + cval->size, auth.b, auth.size);
                cval->size = (uint16_t)(cval->size + auth.size);
            }
        }
        if (s->type != TPM_SE_HMAC && !s->auth_value_needed)
            include_auth = 0;
        sc->with_auth[i] = (uint8_t)include_auth;
        sc->auth_handle[i] = h;
        if (include_auth && val->size + auth.size <= sizeof(val->b)) {
            memcpy(val->b + val->size, auth.b, auth.size);
            val->size = (uint16_t)(val->size + auth.size);
        }
        if (include_auth)
            *cval = *val;
        if (hi >= 0 && s->type != TPM_SE_HMAC && s->password_needed) {
            int ok = auth_equal(a->hmac, a->hmac_size, auth.b, auth.size);
            qtpm_memzero(&auth, sizeof(auth));
            if (!ok)
                return auth_fail(tpm, h, n);
            continue;
        }
        qtpm_memzero(&auth, sizeof(auth));
        /* nonceTPM of the decrypt/encrypt session goes into the first
         * session's HMAC when that session is another one (Part 1 §19.6.5). */
        const tpm_buf64 *dn = NULL, *en = NULL;
        if (i == 0 && sc->dec_idx > 0)
            dn = &c->auths[sc->dec_idx].sess->nonce_tpm;
        if (i == 0 && sc->enc_idx > 0 && sc->enc_idx != sc->dec_idx)
            en = &c->auths[sc->enc_idx].sess->nonce_tpm;
        /* A policy session whose HMAC key is empty (no sessionKey, and no
         * authValue: PolicyAuthValue not asserted or the authValue empty)
         * may carry an empty HMAC; tpm2-tools and swtpm do so (Part 1
         * §19.6.5, the HMAC is optional when its key is empty). */
        if (hi >= 0 && s->type != TPM_SE_HMAC && val->size == 0 && a->hmac_size == 0)
            continue;
        if (hi >= 0 || a->hmac_size != 0) {
            uint8_t mac[MAX_DIGEST];
            session_hmac(s, val, sc->cp_hash[i], &a->nonce_caller, &s->nonce_tpm, dn, en, a->attrs,
                         mac);
            int ok = a->hmac_size == hlen && ct_equal(mac, a->hmac, hlen);
            if (!ok && hi >= 0 && s->type != TPM_SE_HMAC && !include_auth)
                return RC_S(TPM_RC_BAD_AUTH, n); /* no authValue in it: not a guess */
            if (pin_use)
                nv_pin_auth_result(tpm, h, ok);
            if (!ok)
                return hi >= 0 ? auth_fail(tpm, h, n) : RC_S(TPM_RC_AUTH_FAIL, n);
        }
    }

    /* Decrypt the first parameter in place (Part 1 §21). */
    if (sc->dec_idx >= 0) {
        tpm_auth_in *a = &c->auths[sc->dec_idx];
        if (c->param_raw_len < 2)
            return RC_P(TPM_RC_SIZE, 1);
        size_t len = ((size_t)c->param_raw[0] << 8) | c->param_raw[1];
        if (len + 2 > c->param_raw_len)
            return RC_P(TPM_RC_SIZE, 1);
        c->param_copy = malloc(c->param_raw_len);
        if (c->param_copy == NULL)
            return TPM_RC_MEMORY;
        memcpy(c->param_copy, c->param_raw, c->param_raw_len);
        TPM_RC rc = param_crypt(a->sess, &sc->crypt_values[sc->dec_idx], &a->nonce_caller,
                                &a->sess->nonce_tpm, c->param_copy + 2, len, 0);
        if (rc)
            return RC_S(rc, (unsigned)sc->dec_idx + 1);
        c->in = (tpm_rd){c->param_copy, c->param_raw_len, 0};
    }
    return TPM_RC_SUCCESS;
}

TPM_RC sessions_respond(qtpm_tpm *tpm, tpm_cmd *c, sess_ctx *sc)
{
    /* New nonceTPM for every session (Part 1 §19.6.2), before encryption,
     * which uses the new nonce as nonceNewer. */
    for (unsigned i = 0; i < c->nauths; i++) {
        tpm_session *s = c->auths[i].sess;
        if (s == NULL)
            continue;
        if (session_find(tpm, c->auths[i].handle) != s) {
            c->auths[i].sess = NULL; /* flushed by the command itself */
            continue;
        }
        sc->nonce_old_tpm[i] = s->nonce_tpm;
        if (crypt_random(s->nonce_tpm.b, s->nonce_tpm.size))
            return TPM_RC_FAILURE;
    }
    if (sc->enc_idx >= 0 && c->auths[sc->enc_idx].sess) {
        tpm_auth_in *a = &c->auths[sc->enc_idx];
        if (c->out.off < 2)
            return TPM_RC_FAILURE;
        size_t len = ((size_t)c->out.p[0] << 8) | c->out.p[1];
        if (len + 2 > c->out.off)
            return TPM_RC_FAILURE;
        TPM_RC rc = param_crypt(a->sess, &sc->crypt_values[sc->enc_idx], &a->sess->nonce_tpm,
                                &a->nonce_caller, c->out.p + 2, len, 1);
        if (rc)
            return rc;
    }

    /* A command that changed the authorized entity's authValue
     * (HierarchyChangeAuth, NV_ChangeAuth) answers with the new value in the
     * response HMAC key (Part 1 §19.6.5); so take the value as it is now. */
    for (unsigned i = 0; i < c->nauths; i++) {
        tpm_session *s = c->auths[i].sess;
        tpm_buf64 now;
        if (s == NULL || !sc->with_auth[i] ||
            entity_auth_value(tpm, sc->auth_handle[i], &now) != TPM_RC_SUCCESS)
            continue;
        tpm_buf64 *val = &sc->values[i];
        if (s->session_key.size + now.size <= sizeof(val->b)) {
            memcpy(val->b, s->session_key.b, s->session_key.size);
            memcpy(val->b + s->session_key.size, now.b, now.size);
            val->size = (uint16_t)(s->session_key.size + now.size);
        }
        qtpm_memzero(&now, sizeof(now));
    }

    /* One TPMS_AUTH_RESPONSE per session (Part 1 §18.8), each through the
     * shared module; its nonce and hmac are filled in place, only their
     * size bytes are marshalled. */
    tpm_wr w = {c->rsp_auth, sizeof(c->rsp_auth), 0, 0};
    for (unsigned i = 0; i < c->nauths; i++) {
        tpm_auth_in *a = &c->auths[i];
        tpm_session *s = a->sess;
        TPMS_AUTH_RESPONSE ar;
        if (a->handle == TPM_RS_PW || s == NULL) {
            /* TPMS_AUTH_RESPONSE of a password session: empty nonce,
             * continueSession SET whatever the command said (the password
             * session always stays; the reference code's
             * BuildSingleResponseAuth and libtpms answer so), empty hmac. */
            ar.nonce.size = 0;
            ar.sessionAttributes = SA_CONTINUE;
            ar.hmac.size = 0;
            wr_marshal(&w, TPMS_AUTH_RESPONSE, &ar);
            continue;
        }
        ar.nonce.size = s->nonce_tpm.size;
        memcpy(ar.nonce.buffer, s->nonce_tpm.b, s->nonce_tpm.size);
        ar.sessionAttributes = a->attrs & (uint8_t)~SA_AUDIT_RESET;
        if (s->type != TPM_SE_HMAC && s->password_needed) {
            /* PolicyPassword: the response carries no HMAC (Part 1 §19.6.13) */
            ar.hmac.size = 0;
            wr_marshal(&w, TPMS_AUTH_RESPONSE, &ar);
            continue;
        }
        /* rpHash = H(responseCode || commandCode || parameters) */
        uint8_t rp_hash[MAX_DIGEST], hdr[8];
        wr_put_u32(hdr, TPM_RC_SUCCESS);
        wr_put_u32(hdr + 4, c->cc);
        crypt_part parts[] = {{hdr, 8}, {c->out.p, c->out.off}};
        crypt_hash_parts(s->hash, rp_hash, parts, 2);
        if (a->attrs & SA_AUDIT) {
            /* Part 1 §19.7.11: the first audited command (or auditReset)
             * starts from a zero digest of the session hash's size; the
             * parts are listed after that, so they see the right size. */
            if (!s->is_audit_started || (a->attrs & SA_AUDIT_RESET)) {
                s->audit_digest.size = (uint16_t)crypt_hash_size(s->hash);
                memset(s->audit_digest.b, 0, s->audit_digest.size);
                s->is_audit_started = 1;
            }
            crypt_part ap[] = {{s->audit_digest.b, s->audit_digest.size},
                               {sc->cp_hash[i], crypt_hash_size(s->hash)},
                               {rp_hash, crypt_hash_size(s->hash)}};
            if (c->param_raw && sc->cp_hash[i][0] == 0 && sc->cp_hash[i][1] == 0)
                compute_cp_hash(c, s->hash, sc->cp_hash[i]);
            crypt_hash_parts(s->hash, s->audit_digest.b, ap, 3);
        }
        session_hmac(s, &sc->values[i], rp_hash, &s->nonce_tpm, &a->nonce_caller, NULL, NULL,
                     ar.sessionAttributes, ar.hmac.buffer);
        ar.hmac.size = (UINT16)crypt_hash_size(s->hash);
        wr_marshal(&w, TPMS_AUTH_RESPONSE, &ar);
    }
    c->rsp_auth_len = w.off;
    /* Sessions without continueSession end with this command; a policy
     * session that continues starts its policy afresh (Part 1 §19.7.1), so
     * one satisfied policy authorizes one command. */
    for (unsigned i = 0; i < c->nauths; i++) {
        tpm_session *s = c->auths[i].sess;
        if (!s)
            continue;
        if (!(c->auths[i].attrs & SA_CONTINUE))
            session_remove(tpm, c->auths[i].handle);
        else if (s->type == TPM_SE_POLICY)
            policy_session_reset(tpm, s);
    }
    return w.overflow ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- StartAuthSession */

/* The lowest session index that no loaded or saved session holds, or -1. */
static int session_free_index(const qtpm_tpm *tpm)
{
    for (int idx = 0; idx < ENGINE_ACTIVE_SESSIONS; idx++) {
        int used = 0;
        for (int i = 0; i < MAX_LOADED_SESSIONS && !used; i++)
            used = tpm->sessions[i] && (tpm->sessions[i]->handle & 0xFFFFFF) == (uint32_t)idx;
        for (size_t i = 0; i < sizeof(tpm->saved_sessions) / sizeof(tpm->saved_sessions[0]) && !used; i++)
            used = tpm->saved_sessions[i].handle != 0 &&
                   (tpm->saved_sessions[i].handle & 0xFFFFFF) == (uint32_t)idx;
        if (!used)
            return idx;
    }
    return -1;
}

/* Part 3 §11.1 TPM2_StartAuthSession: tpmKey and bind are handles 1 and 2;
 * parameters nonceCaller, encryptedSalt, sessionType, symmetric, authHash. */
TPM_RC cmd_StartAuthSession(qtpm_tpm *tpm, tpm_cmd *c, const StartAuthSession_In *in,
                            StartAuthSession_Out *out)
{
    enum { P_NONCE = PN_StartAuthSession_nonceCaller, P_SALT = PN_StartAuthSession_encryptedSalt,
           P_SYM = PN_StartAuthSession_symmetric };
    TPM_HANDLE tpm_key = c->handles[0], bind = c->handles[1];
    const TPM2B_NONCE *nonce_caller = &in->nonceCaller;
    const uint8_t *salt_in = in->encryptedSalt.buffer; /* up to an ML-KEM-1024 ciphertext */
    uint16_t salt_len = in->encryptedSalt.size;
    TPM_SE type = in->sessionType; /* HMAC, POLICY or TRIAL (TPM_SE) */
    TPM_ALG_ID auth_hash = in->authHash; /* a hash of the profile (TPMI_ALG_HASH) */
    /* symmetric (TPMT_SYM_DEF+): the module admits AES with a key size of
     * TPMI_AES_KEY_BITS and any mode, XOR with a hash, or NULL; this TPM
     * encrypts parameters with AES-CFB only, and with what its profile has */
    TPM_ALG_ID sym_alg = in->symmetric.algorithm, sym_mode = TPM_ALG_NULL;
    uint16_t sym_bits = 0;
    TPM_RC rc;
    if (sym_alg != TPM_ALG_NULL && !tpm_alg_enabled(tpm, sym_alg)) {
        return RC_P(TPM_RC_SYMMETRIC, P_SYM);
    } else if (sym_alg == TPM_ALG_AES) {
        sym_bits = in->symmetric.keyBits.aes;
        sym_mode = in->symmetric.mode.aes;
        if (sym_mode != TPM_ALG_CFB || !tpm_alg_enabled(tpm, sym_mode))
            return RC_P(TPM_RC_MODE, P_SYM);
    } else if (sym_alg == TPM_ALG_XOR) {
        sym_bits = in->symmetric.keyBits.exclusiveOr;
        if (tpm_hash_size(tpm, sym_bits) == 0)
            return RC_P(TPM_RC_HASH, P_SYM);
    }
    size_t hlen = tpm_hash_size(tpm, auth_hash);
    if (nonce_caller->size < 16 || nonce_caller->size > hlen)
        return RC_P(TPM_RC_SIZE, P_NONCE);

    /* salt: decrypt encryptedSalt with tpmKey (Part 1 §24 "Secret Sharing",
     * label "SECRET") */
    tpm_buf64 salt = {0};
    if (tpm_key != TPM_RH_NULL) {
        if (salt_len == 0)
            return RC_P(TPM_RC_VALUE, P_SALT);
        rc = object_decrypt_secret(tpm, tpm_key, "SECRET", salt_in, salt_len, salt.b,
                                   sizeof(salt.b), &salt.size);
        if (rc)
            return rc == TPM_RC_VALUE ? RC_P(TPM_RC_VALUE, P_SALT) : rc;
    } else if (salt_len != 0) {
        return RC_P(TPM_RC_VALUE, P_SALT);
    }

    int slot = -1;
    for (int i = 0; i < MAX_LOADED_SESSIONS; i++)
        if (tpm->sessions[i] == NULL) {
            slot = i;
            break;
        }
    if (slot < 0)
        return TPM_RC_SESSION_MEMORY;
    tpm_session *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return TPM_RC_MEMORY;
    /* A session handle is HMAC/POLICY_SESSION_FIRST + an index below
     * ENGINE_ACTIVE_SESSIONS (<= MAX_ACTIVE_SESSIONS, Part 2 §7.4), unique among
     * loaded and saved sessions; a stale saved context is refused by its
     * sequence number, not by its handle. */
    int idx = session_free_index(tpm);
    if (idx < 0) {
        free(s);
        return TPM_RC_SESSION_HANDLES;
    }
    tpm->context_counter++;
    s->handle = ((type == TPM_SE_HMAC ? (uint32_t)TPM_HT_HMAC_SESSION : (uint32_t)TPM_HT_POLICY_SESSION) << 24) |
                (uint32_t)idx;
    s->type = type;
    s->hash = auth_hash;
    s->sym_alg = sym_alg;
    s->sym_bits = sym_bits;
    s->sym_mode = sym_mode;
    s->nonce_tpm.size = (uint16_t)hlen;
    if (crypt_random(s->nonce_tpm.b, hlen)) {
        session_free(s);
        return TPM_RC_FAILURE;
    }
    /* sessionKey = KDFa(authHash, bind.authValue || salt, "ATH", nonceTPM,
     * nonceCaller, bits of the digest) (Part 1 §19.6.8) */
    tpm_buf64 key_in = {0};
    if (bind != TPM_RH_NULL) {
        tpm_buf64 ba;
        entity_auth_value(tpm, bind, &ba);
        memcpy(key_in.b, ba.b, ba.size);
        key_in.size = ba.size;
        qtpm_memzero(&ba, sizeof(ba));
        s->bound = 1;
        entity_name(tpm, bind, &s->bind_name);
    }
    if (key_in.size + salt.size > sizeof(key_in.b)) {
        session_free(s);
        return RC_P(TPM_RC_VALUE, P_SALT);
    }
    memcpy(key_in.b + key_in.size, salt.b, salt.size);
    key_in.size = (uint16_t)(key_in.size + salt.size);
    if (key_in.size > 0) {
        s->session_key.size = (uint16_t)hlen;
        crypt_kdfa(auth_hash, key_in.b, key_in.size, "ATH", s->nonce_tpm.b, s->nonce_tpm.size,
                   nonce_caller->buffer, nonce_caller->size, (uint32_t)hlen * 8,
                   s->session_key.b);
    }
    qtpm_memzero(&key_in, sizeof(key_in));
    qtpm_memzero(&salt, sizeof(salt));
    s->policy_digest.size = (uint16_t)hlen;
    s->start_time = tpm->time_ms;
    tpm->sessions[slot] = s;

    c->out_handle = s->handle;
    out->nonceTPM.size = s->nonce_tpm.size;
    memcpy(out->nonceTPM.buffer, s->nonce_tpm.b, s->nonce_tpm.size);
    return TPM_RC_SUCCESS;
}

/* Back to the initial policy state: PolicyRestart, and after a policy
 * session has authorized a command and continues (Part 1 §19.7.1). */
static void policy_session_reset(qtpm_tpm *tpm, tpm_session *s)
{
    memset(s->policy_digest.b, 0, sizeof(s->policy_digest.b));
    s->auth_value_needed = s->password_needed = 0;
    s->command_code = 0;
    s->cp_hash.size = s->name_hash.size = s->template_hash.size = 0;
    s->pcr_checked = 0;
    s->locality_mask = 0;
    s->nv_written_set = 0;
    s->timeout = 0;
    s->start_time = tpm->time_ms;
}

/* Part 3 §23.15 TPM2_PolicyRestart */
TPM_RC cmd_PolicyRestart(qtpm_tpm *tpm, tpm_cmd *c, const PolicyRestart_In *in,
                         PolicyRestart_Out *out)
{
    (void)in, (void)out;
    /* loaded, a policy or trial session: checked with the handles
     * (HC_POLICY_SESSION, dispatch.c) */
    policy_session_reset(tpm, session_find(tpm, c->handles[0]));
    return TPM_RC_SUCCESS;
}

/* Part 3 §23.19 TPM2_PolicyGetDigest */
TPM_RC cmd_PolicyGetDigest(qtpm_tpm *tpm, tpm_cmd *c, const PolicyGetDigest_In *in,
                           PolicyGetDigest_Out *out)
{
    (void)in;
    const tpm_session *s = session_find(tpm, c->handles[0]); /* as PolicyRestart's */
    out->policyDigest.size = s->policy_digest.size;
    memcpy(out->policyDigest.buffer, s->policy_digest.b, s->policy_digest.size);
    return TPM_RC_SUCCESS;
}
