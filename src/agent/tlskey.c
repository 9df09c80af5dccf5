/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TPM-resident TLS client key (tlskey.h). Creation: an ECC P-256 key
 * with sign, fixedTPM/fixedParent, sensitiveDataOrigin, userWithAuth clear
 * and authPolicy = PolicyAuthorize(policy key Name, router id) (Part 3
 * §23.16). Use: for every signature a policy session runs PolicyPCR(the
 * approved selection), VerifySignature of the NMS's approval with the policy
 * key loaded by LoadExternal (Part 3 §20.1, giving a TPMT_TK_VERIFIED over
 * aHash = SHA-256(approvedPolicy ‖ policyRef)), PolicyAuthorize, then
 * TPM2_Sign. If the PCRs no longer match the approved values, PolicyPCR
 * leaves a digest that PolicyAuthorize refuses, and the TLS handshake fails.
 */
#include "tlskey.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

#include "qtpm/tss_cmd.h"

int agent_tlskey_policy(const TPM2B_PUBLIC *policy_key, const char *router_id, TPM2B_DIGEST *out)
{
    TPM2B_NAME pname;
    TPM2B_NONCE ref;
    size_t rl = strlen(router_id);
    if (rl > sizeof ref.buffer)
        return QTPM_E_PARAM;
    memset(&ref, 0, sizeof ref);
    ref.size = (UINT16)rl;
    memcpy(ref.buffer, router_id, rl);
    int rc = qtpm_tss_public_name(&policy_key->publicArea, &pname);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_tss_policy_start(TPM_ALG_SHA256, out);
    if (rc != QTPM_OK)
        return rc;
    return qtpm_tss_policy_authorize(TPM_ALG_SHA256, out, &pname, &ref);
}

static int setup(agent_tlskey *k, qtpm_tss *tpm, const TPM2B_PUBLIC *policy_key,
                 const char *router_id)
{
    memset(k, 0, sizeof *k);
    k->tpm = tpm;
    k->policy_key = *policy_key;
    size_t rl = strlen(router_id);
    if (rl > sizeof k->policy_ref.buffer)
        return QTPM_E_PARAM;
    k->policy_ref.size = (UINT16)rl;
    memcpy(k->policy_ref.buffer, router_id, rl);
    return QTPM_OK;
}

int agent_tlskey_create(agent_tlskey *k, qtpm_tss *tpm, TPM_HANDLE parent,
                        const TPM2B_PUBLIC *policy_key, const char *router_id,
                        TPM2B_PRIVATE *priv)
{
    return agent_tlskey_create_alg(k, tpm, parent, policy_key, router_id, 0, priv);
}

int agent_tlskey_create_alg(agent_tlskey *k, qtpm_tss *tpm, TPM_HANDLE parent,
                            const TPM2B_PUBLIC *policy_key, const char *router_id,
                            TPMI_MLDSA_PARMS mldsa, TPM2B_PRIVATE *priv)
{
    int rc = setup(k, tpm, policy_key, router_id);
    if (rc != QTPM_OK)
        return rc;
    TPM2B_PUBLIC tmpl;
    memset(&tmpl, 0, sizeof tmpl);
    TPMT_PUBLIC *p = &tmpl.publicArea;
    p->type = TPM_ALG_ECC;
    p->nameAlg = TPM_ALG_SHA256;
    /* noDA (Part 1 §19.8.6): the key's USER role is reachable only through the NMS's
     * approval (userWithAuth clear), so a failed authorization is a router whose PCRs
     * moved, not a guess at a secret. Counted, three refused handshakes of a router that
     * turned bad would put the whole TPM in lockout, and its AK could no longer quote
     * the evidence of its recovery (seen in netlab's experiment). */
    p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                          TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_SIGN_ENCRYPT |
                          TPMA_OBJECT_NODA;
    rc = agent_tlskey_policy(policy_key, router_id, &p->authPolicy);
    if (rc != QTPM_OK)
        return rc;
    if (mldsa) {
        /* v1.85 §12.2.3.6: pure ML-DSA, no external μ (the TPM hashes the message) */
        p->type = TPM_ALG_MLDSA;
        p->parameters.mldsaDetail.parameterSet = mldsa;
        p->parameters.mldsaDetail.allowExternalMu = NO;
    } else {
        p->parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
        p->parameters.eccDetail.scheme.scheme = TPM_ALG_ECDSA;
        p->parameters.eccDetail.scheme.details.anySig.hashAlg = TPM_ALG_SHA256;
        p->parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
        p->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    }
    TPM2B_SENSITIVE_CREATE sens;
    memset(&sens, 0, sizeof sens);
    qtpm_tss_auths pw = { 1, { { NULL, NULL } } };
    rc = qtpm_tss_Create(tpm, &pw, parent, &sens, &tmpl, NULL, NULL, priv, &k->pub, NULL,
                         NULL, NULL);
    if (rc != QTPM_OK)
        return rc;
    return qtpm_tss_Load(tpm, &pw, parent, priv, &k->pub, &k->key, &k->name);
}

int agent_tlskey_load(agent_tlskey *k, qtpm_tss *tpm, TPM_HANDLE parent,
                      const TPM2B_PUBLIC *policy_key, const char *router_id,
                      const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *pub)
{
    int rc = setup(k, tpm, policy_key, router_id);
    if (rc != QTPM_OK)
        return rc;
    k->pub = *pub;
    qtpm_tss_auths pw = { 1, { { NULL, NULL } } };
    return qtpm_tss_Load(tpm, &pw, parent, priv, &k->pub, &k->key, &k->name);
}

void agent_tlskey_set_approval(agent_tlskey *k, const TPML_PCR_SELECTION *sel,
                               const TPM2B_DIGEST *approved, const TPMT_SIGNATURE *sig)
{
    k->sel = *sel;
    k->approved = *approved;
    k->approval = *sig;
    k->have_approval = 1;
}

int agent_tlskey_certify(agent_tlskey *k, const qtpm_tss_key *ak, const TPM2B_AUTH *ak_auth,
                         const TPM2B_DATA *nonce, TPM2B_ATTEST *info, TPMT_SIGNATURE *sig)
{
    TPMT_SIG_SCHEME sch;
    int rc = qtpm_tss_key_scheme(&ak->pub.publicArea, &sch);
    if (rc != QTPM_OK)
        return rc;
    qtpm_tss_auths two = { 2, { { NULL, NULL }, { NULL, ak_auth } } };
    return qtpm_tss_Certify(k->tpm, &two, k->key, ak->handle, nonce, &sch, info, sig);
}

/* The key's USER role: a policy session satisfied with PolicyPCR (the current PCRs)
 * and PolicyAuthorize of the NMS's approval (ticket from VerifySignature of it by the
 * policy key, Part 3 §23.16). The policy key is flushed before the session starts, so
 * a TPM with three object slots still has one for a sign sequence. */
static int authorize(agent_tlskey *k, qtpm_tss_session *s)
{
    if (!k->have_approval)
        return QTPM_E_PARAM;
    qtpm_tss *t = k->tpm;
    qtpm_tss_auths none = { 0, { { NULL, NULL } } };
    TPM_HANDLE pk = 0;
    TPM2B_NAME pk_name;
    int rc = qtpm_tss_LoadExternal(t, &none, NULL, &k->policy_key, TPM_RH_OWNER, &pk, &pk_name);
    if (rc != QTPM_OK)
        return rc;
    /* aHash = SHA-256(approvedPolicy ‖ policyRef), Part 3 §23.16 */
    TPM2B_DIGEST ahash;
    memset(&ahash, 0, sizeof ahash);
    unsigned int hl = 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
             EVP_DigestUpdate(md, k->approved.buffer, k->approved.size) &&
             EVP_DigestUpdate(md, k->policy_ref.buffer, k->policy_ref.size) &&
             EVP_DigestFinal_ex(md, ahash.buffer, &hl);
    EVP_MD_CTX_free(md);
    if (!ok) {
        qtpm_tss_FlushContext(t, pk);
        return QTPM_E_PARAM;
    }
    ahash.size = (UINT16)hl;
    TPMT_TK_VERIFIED ticket;
    rc = qtpm_tss_VerifySignature(t, &none, pk, &ahash, &k->approval, &ticket);
    qtpm_tss_FlushContext(t, pk);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_tss_start_session(t, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, TPM_RH_NULL, NULL,
                                TPM_RH_NULL, NULL, s);
    if (rc != QTPM_OK)
        return rc;
    rc = qtpm_tss_PolicyPCR(t, &none, s, NULL, &k->sel);
    if (rc == QTPM_OK)
        rc = qtpm_tss_PolicyAuthorize(t, &none, s, &k->approved, &k->policy_ref, &pk_name,
                                      &ticket);
    if (rc != QTPM_OK)
        qtpm_tss_session_close(t, s);
    return rc;
}

/* The policy session and TPM2_Sign (ECDSA-SHA256) for one 32-byte digest. */
static int tpm_sign(agent_tlskey *k, const uint8_t *dgst, size_t dlen, TPMT_SIGNATURE *out)
{
    if (dlen != 32)
        return QTPM_E_PARAM;
    qtpm_tss_session s;
    int rc = authorize(k, &s);
    if (rc != QTPM_OK)
        return rc;
    TPM2B_DIGEST d;
    memset(&d, 0, sizeof d);
    d.size = 32;
    memcpy(d.buffer, dgst, 32);
    TPMT_SIG_SCHEME sch;
    memset(&sch, 0, sizeof sch);
    sch.scheme = TPM_ALG_ECDSA;
    sch.details.any.hashAlg = TPM_ALG_SHA256;
    qtpm_tss_auths pw = { 1, { { &s, NULL } } };
    rc = qtpm_tss_Sign(k->tpm, &pw, k->key, &d, &sch, NULL, out);
    qtpm_tss_session_close(k->tpm, &s);
    return rc;
}

int agent_tlskey_sign_message(agent_tlskey *k, const uint8_t *msg, size_t len,
                              TPMT_SIGNATURE *out)
{
    if (k->pub.publicArea.type != TPM_ALG_MLDSA) {
        /* ECC P-256 (TPMs without ML-DSA): ECDSA over SHA-256(msg). */
        uint8_t h[32];
        unsigned int hl = 0;
        if (!EVP_Digest(msg, len, h, &hl, EVP_sha256(), NULL))
            return QTPM_E_PARAM;
        return tpm_sign(k, h, hl, out);
    }
    /* ML-DSA (FIPS 204 Algorithm 2, empty context) over the whole message: a sign
     * sequence (v1.85 SignSequenceStart/Complete); the policy session authorizes the
     * key at Complete, the sequence itself has an empty authValue. The session is
     * made first: its policy key (LoadExternal) is flushed before the sequence takes
     * a slot, so the TLS key, this key and the sequence fit three transient slots
     * (a hardware TPM's usual number, and what Linux's /dev/tpmrm0 gives a client). */
    if (len > sizeof(((TPM2B_MAX_BUFFER *)0)->buffer))
        return QTPM_E_PARAM;
    qtpm_tss *t = k->tpm;
    qtpm_tss_auths none = { 0, { { NULL, NULL } } };
    qtpm_tss_session s;
    int rc = authorize(k, &s);
    if (rc != QTPM_OK)
        return rc;
    TPMI_DH_OBJECT seq = 0;
    rc = qtpm_tss_SignSequenceStart(t, &none, k->key, NULL, NULL, &seq);
    if (rc != QTPM_OK) {
        qtpm_tss_session_close(t, &s);
        return rc;
    }
    TPM2B_MAX_BUFFER buf;
    memset(&buf, 0, sizeof buf);
    buf.size = (UINT16)len;
    memcpy(buf.buffer, msg, len);
    qtpm_tss_auths two = { 2, { { NULL, NULL }, { &s, NULL } } };
    rc = qtpm_tss_SignSequenceComplete(t, &two, seq, k->key, &buf, out);
    qtpm_tss_session_close(t, &s);
    if (rc != QTPM_OK)
        qtpm_tss_FlushContext(t, seq); /* Complete flushes it only when it succeeds */
    return rc;
}

/* OpenSSL 3.0 has no provider for a TPM key yet: a legacy EC_KEY_METHOD is
 * the way to route ECDSA to the TPM. Deprecated in 3.0 but available; issue
 * 15 replaces it with the qtpm-provider. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

static int ex_index = -1;
static EC_KEY_METHOD *method;

static ECDSA_SIG *cb_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
                              const BIGNUM *r, EC_KEY *eckey)
{
    (void)kinv;
    (void)r;
    agent_tlskey *k = EC_KEY_get_ex_data(eckey, ex_index);
    if (!k || dlen < 0)
        return NULL;
    TPMT_SIGNATURE sig;
    int rc = tpm_sign(k, dgst, (size_t)dlen, &sig);
    if (rc != QTPM_OK) {
        k->last_rc = rc;
        return NULL;
    }
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *br = BN_bin2bn(sig.signature.ecdsa.signatureR.buffer,
                           sig.signature.ecdsa.signatureR.size, NULL);
    BIGNUM *bs = BN_bin2bn(sig.signature.ecdsa.signatureS.buffer,
                           sig.signature.ecdsa.signatureS.size, NULL);
    if (!s || !br || !bs || !ECDSA_SIG_set0(s, br, bs)) {
        ECDSA_SIG_free(s);
        BN_free(br);
        BN_free(bs);
        return NULL;
    }
    return s;
}

static int cb_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig,
                   unsigned int *siglen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *eckey)
{
    (void)type;
    ECDSA_SIG *s = cb_sign_sig(dgst, dlen, kinv, r, eckey);
    if (!s)
        return 0;
    unsigned char *p = sig;
    int n = i2d_ECDSA_SIG(s, &p);
    ECDSA_SIG_free(s);
    if (n <= 0)
        return 0;
    *siglen = (unsigned int)n;
    return 1;
}

EVP_PKEY *agent_tlskey_evp(agent_tlskey *k)
{
    if (ex_index < 0)
        ex_index = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    if (!method) {
        int (*setup_fn)(EC_KEY *, BN_CTX *, BIGNUM **, BIGNUM **) = NULL;
        method = EC_KEY_METHOD_new(EC_KEY_OpenSSL());
        if (!method)
            return NULL;
        EC_KEY_METHOD_get_sign(EC_KEY_OpenSSL(), NULL, &setup_fn, NULL);
        EC_KEY_METHOD_set_sign(method, cb_sign, setup_fn, cb_sign_sig);
    }
    const TPMS_ECC_POINT *pt = &k->pub.publicArea.unique.ecc;
    EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
    BIGNUM *x = BN_bin2bn(pt->x.buffer, pt->x.size, NULL);
    BIGNUM *y = BN_bin2bn(pt->y.buffer, pt->y.size, NULL);
    EVP_PKEY *pkey = NULL;
    if (ec && x && y && EC_KEY_set_public_key_affine_coordinates(ec, x, y) &&
        EC_KEY_set_method(ec, method) && EC_KEY_set_ex_data(ec, ex_index, k)) {
        pkey = EVP_PKEY_new();
        if (pkey && !EVP_PKEY_assign_EC_KEY(pkey, ec)) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        } else if (pkey) {
            ec = NULL;
        }
    }
    EC_KEY_free(ec);
    BN_free(x);
    BN_free(y);
    return pkey;
}

#pragma GCC diagnostic pop
