/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tss_flows.h — the libqtss integration flows, shared by the programs that
 * run them against different TPMs: test_tss_swtpm (a private swtpm) and
 * test_tss_engine (qtpm's own engine in-process through the engine: TCTI).
 * Header-only: the including program defines
 *
 *   static int flows_backend_open(qtpm_tss **t);   context on a started TPM
 *   static void flows_backend_close(void);         after qtpm_tss_free
 *
 * before including it, and runs the TSS_FLOW_TESTS list with
 * flows_group_setup / flows_group_teardown.
 *
 * What the flows show: commands and responses agree with an independent
 * TPM; HMAC sessions (plain, salted with RSA and ECC, bound) authorize and
 * their response HMACs verify; a wrong authValue or session key is refused;
 * AES-CFB parameter encryption works in both directions; names follow NV
 * writes; policy digests computed in software equal the TPM's trial
 * sessions; MakeCredential in software is recovered by ActivateCredential;
 * quotes and certifications verify and tampered ones do not; sealed data
 * opens only under its PCR values; the EK certificate is read back in
 * chunks; timing records every command.
 */
#ifndef QTPM_TSS_FLOWS_H
#define QTPM_TSS_FLOWS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/classic.h"
#include "qtpm/rand.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "testutil.h"

static qtpm_tss *T;
static qtpm_tss_key srk;

/* The format-one error without its handle/session/parameter number. */
static TPM_RC rc_base(int rc)
{
    TPM_RC r = (TPM_RC)rc;
    return (r & RC_FMT1) ? (r & 0xBFU) : r;
}

/* A refused authorization: AUTH_FAIL, or BAD_AUTH for noDA entities. */
static int auth_refused(int rc)
{
    return rc_base(rc) == TPM_RC_AUTH_FAIL || rc_base(rc) == TPM_RC_BAD_AUTH;
}

static void auth_of(TPM2B_AUTH *a, const char *s)
{
    a->size = (UINT16)strlen(s);
    memcpy(a->buffer, s, a->size);
}

static void sel_sha256(TPML_PCR_SELECTION *sel, unsigned mask)
{
    memset(sel, 0, sizeof *sel);
    sel->count = 1;
    sel->pcrSelections[0].hash = TPM_ALG_SHA256;
    sel->pcrSelections[0].sizeofSelect = 3;
    sel->pcrSelections[0].pcrSelect[0] = (BYTE)mask;
    sel->pcrSelections[0].pcrSelect[1] = (BYTE)(mask >> 8);
    sel->pcrSelections[0].pcrSelect[2] = (BYTE)(mask >> 16);
}

static int flows_group_setup(void **state)
{
    (void)state;
    if (flows_backend_open(&T) != 0)
        return -1;
    qtpm_tss_timing_enable(T, 4096);
    return qtpm_tss_create_srk(T, TPM_ALG_RSA, NULL, &srk) == QTPM_OK ? 0 : -1;
}

/* After each test: flush every transient object but the SRK and every
 * loaded session, so one failing test cannot exhaust the TPM for the next. */
static int flush_all(void **state)
{
    (void)state;
    static const TPM_HANDLE firsts[] = { TRANSIENT_FIRST, HMAC_SESSION_FIRST, POLICY_SESSION_FIRST };
    for (size_t k = 0; k < 3; k++) {
        TPMI_YES_NO more;
        TPMS_CAPABILITY_DATA cap;
        if (qtpm_tss_GetCapability(T, TPM_CAP_HANDLES, firsts[k], 64, &more, &cap) != QTPM_OK)
            return -1;
        for (UINT32 i = 0; i < cap.data.handles.count; i++) {
            TPM_HANDLE h = cap.data.handles.handle[i];
            if (h != srk.handle && (h >> 24) == (firsts[k] >> 24))
                qtpm_tss_FlushContext(T, h);
        }
    }
    return 0;
}

static int flows_group_teardown(void **state)
{
    (void)state;
    qtpm_tss_free(T);
    flows_backend_close();
    return 0;
}

static void test_basic_commands(void **state)
{
    (void)state;
    TPM2B_DIGEST r1, r2;
    assert_int_equal(qtpm_tss_GetRandom(T, NULL, 32, &r1), 0);
    assert_int_equal(qtpm_tss_GetRandom(T, NULL, 32, &r2), 0);
    assert_int_equal(r1.size, 32);
    assert_memory_not_equal(r1.buffer, r2.buffer, 32);
    assert_int_equal(qtpm_tss_SelfTest(T, 1), 0);

    TPMI_YES_NO more;
    TPMS_CAPABILITY_DATA cap;
    assert_int_equal(qtpm_tss_GetCapability(T, TPM_CAP_TPM_PROPERTIES, TPM_PT_FAMILY_INDICATOR, 1,
                                            &more, &cap), 0);
    assert_int_equal(cap.data.tpmProperties.tpmProperty[0].value, 0x322E3000); /* "2.0" */

    /* TPM2_Hash against our SHA-256 */
    TPM2B_MAX_BUFFER msg = { 3, "abc" };
    TPM2B_DIGEST hd;
    uint8_t sw_hash[32];
    assert_int_equal(qtpm_tss_Hash(T, NULL, &msg, TPM_ALG_SHA256, TPM_RH_OWNER, &hd, NULL), 0);
    qtpm_hash(QTPM_HASH_SHA256, msg.buffer, 3, sw_hash);
    assert_memory_equal(hd.buffer, sw_hash, 32);

    /* PCR 16: reset, extend, read = H(zeros ‖ digest) */
    TPML_PCR_SELECTION sel;
    TPM2B_DIGEST vals[4];
    size_t n;
    sel_sha256(&sel, 1u << 16);
    assert_int_equal(qtpm_tss_PCR_Reset(T, NULL, 16), 0);
    TPML_DIGEST_VALUES ext = { 1, { { TPM_ALG_SHA256, { .sha256 = { 1, 2, 3 } } } } };
    assert_int_equal(qtpm_tss_PCR_Extend(T, NULL, 16, &ext), 0);
    assert_int_equal(qtpm_tss_pcr_read_all(T, &sel, vals, 4, &n), 0);
    assert_int_equal(n, 1);
    uint8_t cat[64], want[32];
    memset(cat, 0, 32);
    memcpy(cat + 32, ext.digests[0].digest.sha256, 32);
    qtpm_hash(QTPM_HASH_SHA256, cat, 64, want);
    assert_memory_equal(vals[0].buffer, want, 32);

    /* more than 8 PCRs need several PCR_Read calls */
    TPM2B_DIGEST many[24];
    sel_sha256(&sel, 0xFFFFFF);
    assert_int_equal(qtpm_tss_pcr_read_all(T, &sel, many, 24, &n), 0);
    assert_int_equal(n, 24);
    assert_memory_equal(many[16].buffer, want, 32);
}

/* A signing key with authValue "secret" under the SRK. */
static void make_signing_key(qtpm_tss_key *key, const TPM2B_DIGEST *policy, int user_with_auth)
{
    TPM2B_PUBLIC in;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PRIVATE priv;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_RSA, &in.publicArea), 0);
    /* noDA: the wrong-password tests must not lock the TPM out */
    in.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
    in.publicArea.objectAttributes |= TPMA_OBJECT_NODA;
    if (!user_with_auth)
        in.publicArea.objectAttributes &= ~TPMA_OBJECT_USERWITHAUTH;
    if (policy)
        in.publicArea.authPolicy = *policy;
    auth_of(&sens.sensitive.userAuth, "secret");
    assert_int_equal(qtpm_tss_Create(T, NULL, srk.handle, &sens, &in, NULL, NULL, &priv,
                                     &key->pub, NULL, NULL, NULL), 0);
    assert_int_equal(qtpm_tss_Load(T, NULL, srk.handle, &priv, &key->pub, &key->handle,
                                   &key->name), 0);
}

static int sign_with(const qtpm_tss_key *key, qtpm_tss_session *s, const char *auth)
{
    TPM2B_AUTH a;
    TPMT_SIG_SCHEME scheme;
    TPMT_SIGNATURE sig;
    TPM2B_DIGEST d;
    static const uint8_t msg[] = "message to sign";
    auth_of(&a, auth);
    qtpm_tss_key_scheme(&key->pub.publicArea, &scheme);
    d.size = 32;
    qtpm_hash(QTPM_HASH_SHA256, msg, sizeof msg, d.buffer);
    qtpm_tss_auths au = { 1, { { s, &a } } };
    int rc = qtpm_tss_Sign(T, &au, key->handle, &d, &scheme, NULL, &sig);
    if (rc == QTPM_OK)
        assert_int_equal(qtpm_tss_verify_signature(&key->pub.publicArea, msg, sizeof msg, &sig), 0);
    return rc;
}

static void test_hmac_sessions(void **state)
{
    (void)state;
    qtpm_tss_key key, ecc_srk;
    qtpm_tss_session s;
    TPM2B_AUTH secret;
    auth_of(&secret, "secret");
    make_signing_key(&key, NULL, 1);

    assert_int_equal(sign_with(&key, NULL, "secret"), 0);
    assert_true(auth_refused(sign_with(&key, NULL, "wrong")));

    /* plain HMAC session */
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, TPM_RH_NULL, NULL, &s), 0);
    assert_int_equal(s.session_key.size, 0);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    assert_int_equal(sign_with(&key, &s, "secret"), 0); /* nonces rolled */
    assert_true(auth_refused(sign_with(&key, &s, "wrong")));
    assert_int_equal(qtpm_tss_session_close(T, &s), 0);

    /* salted with the RSA SRK (OAEP "SECRET") */
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, &qtpm_tss_aes128_cfb,
                                            srk.handle, &srk.pub.publicArea, TPM_RH_NULL, NULL,
                                            &s), 0);
    assert_int_equal(s.session_key.size, 32);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    /* a wrong session key makes our HMAC wrong: the TPM refuses */
    s.session_key.buffer[0] ^= 1;
    assert_true(auth_refused(sign_with(&key, &s, "secret")));
    s.session_key.buffer[0] ^= 1;
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    assert_int_equal(qtpm_tss_session_close(T, &s), 0);

    /* salted with an ECC SRK (ECDH + KDFe "SECRET") */
    assert_int_equal(qtpm_tss_create_srk(T, TPM_ALG_ECC, NULL, &ecc_srk), 0);
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, NULL, ecc_srk.handle,
                                            &ecc_srk.pub.publicArea, TPM_RH_NULL, NULL, &s), 0);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    assert_int_equal(qtpm_tss_session_close(T, &s), 0);
    assert_int_equal(qtpm_tss_FlushContext(T, ecc_srk.handle), 0);

    /* bound to the key itself: its authValue is in the session key, not added again */
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, key.handle, &secret, &s), 0);
    assert_int_equal(s.session_key.size, 32);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    assert_int_equal(qtpm_tss_session_close(T, &s), 0);

    /* bound to the owner (empty auth) and salted, used for another entity */
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, NULL, srk.handle,
                                            &srk.pub.publicArea, TPM_RH_OWNER, NULL, &s), 0);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    assert_true(auth_refused(sign_with(&key, &s, "wrong")));
    /* without continueSession the TPM closes it, and so do we */
    s.attributes &= ~TPMA_SESSION_CONTINUESESSION;
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    assert_int_equal(s.handle, 0);
    assert_int_equal(sign_with(&key, &s, "secret"), QTPM_TSS_E_STATE);
    qtpm_tss_session_clear(&s);
    assert_int_equal(qtpm_tss_FlushContext(T, key.handle), 0);
}

static void test_policy_auth_sessions(void **state)
{
    (void)state;
    qtpm_tss_key key;
    qtpm_tss_session s;
    TPM2B_DIGEST pol;
    /* a key usable only through PolicyAuthValue (no userWithAuth) */
    qtpm_tss_policy_start(TPM_ALG_SHA256, &pol);
    qtpm_tss_policy_auth_value(TPM_ALG_SHA256, &pol);
    make_signing_key(&key, &pol, 0);
    assert_int_equal(rc_base(sign_with(&key, NULL, "secret")), TPM_RC_AUTH_UNAVAILABLE);

    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, TPM_RH_NULL, NULL, &s), 0);
    assert_int_equal(qtpm_tss_PolicyAuthValue(T, NULL, &s), 0);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    assert_int_equal(qtpm_tss_PolicyRestart(T, NULL, &s), 0);
    assert_int_equal(qtpm_tss_PolicyAuthValue(T, NULL, &s), 0);
    assert_true(auth_refused(sign_with(&key, &s, "wrong")));
    /* PolicyPassword gives the same digest; the value goes in clear */
    assert_int_equal(qtpm_tss_PolicyRestart(T, NULL, &s), 0);
    assert_int_equal(qtpm_tss_PolicyPassword(T, NULL, &s), 0);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    assert_int_equal(qtpm_tss_session_close(T, &s), 0);
    assert_int_equal(qtpm_tss_FlushContext(T, key.handle), 0);
}

static void test_parameter_encryption(void **state)
{
    (void)state;
    qtpm_tss_session enc, plain;
    TPM2B_AUTH nvauth;
    TPM2B_NV_PUBLIC nvpub;
    const TPM_HANDLE idx = 0x01500010;
    auth_of(&nvauth, "nvpass");
    memset(&nvpub, 0, sizeof nvpub);
    nvpub.nvPublic.nvIndex = idx;
    nvpub.nvPublic.nameAlg = TPM_ALG_SHA256;
    nvpub.nvPublic.attributes = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE | TPMA_NV_NO_DA;
    nvpub.nvPublic.dataSize = 64;
    assert_int_equal(qtpm_tss_NV_DefineSpace(T, NULL, TPM_RH_OWNER, &nvauth, &nvpub), 0);

    /* salted session, decrypt on the way in, encrypt on the way out; it
     * also authorizes the index, so its authValue enters the keys */
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, &qtpm_tss_aes128_cfb,
                                            srk.handle, &srk.pub.publicArea, TPM_RH_NULL, NULL,
                                            &enc), 0);
    enc.attributes |= TPMA_SESSION_DECRYPT;
    TPM2B_MAX_NV_BUFFER data = { 40, "parameter encryption: 40 bytes of text!" };
    qtpm_tss_auths a = { 1, { { &enc, &nvauth } } };
    assert_int_equal(qtpm_tss_NV_Write(T, &a, idx, idx, &data, 0), 0);

    /* the first write set TPMA_NV_WRITTEN: the name changed and the cache
     * must follow, or the next cpHash would be wrong */
    enc.attributes = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_ENCRYPT;
    TPM2B_MAX_NV_BUFFER back;
    assert_int_equal(qtpm_tss_NV_Read(T, &a, idx, idx, 40, 0, &back), 0);
    assert_int_equal(back.size, 40);
    assert_memory_equal(back.buffer, data.buffer, 40);

    /* an unsalted session as a separate encrypt session beside a password */
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, &qtpm_tss_aes128_cfb,
                                            TPM_RH_NULL, NULL, TPM_RH_NULL, NULL, &plain), 0);
    plain.attributes |= TPMA_SESSION_ENCRYPT;
    qtpm_tss_auths b = { 2, { { NULL, &nvauth }, { &plain, NULL } } };
    memset(&back, 0, sizeof back);
    assert_int_equal(qtpm_tss_NV_Read(T, &b, idx, idx, 40, 0, &back), 0);
    assert_memory_equal(back.buffer, data.buffer, 40);

    /* an HMAC session authorizing, a different one decrypting: the first
     * session's HMAC covers the decrypt session's nonceTPM */
    enc.attributes = TPMA_SESSION_CONTINUESESSION;
    plain.attributes = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_DECRYPT;
    qtpm_tss_auths c = { 2, { { &enc, &nvauth }, { &plain, NULL } } };
    TPM2B_MAX_NV_BUFFER data2 = { 8, "8 bytes!" };
    assert_int_equal(qtpm_tss_NV_Write(T, &c, idx, idx, &data2, 0), 0);
    assert_true(auth_refused(qtpm_tss_NV_Read(T, NULL, idx, idx, 8, 0, &back)));
    qtpm_tss_auths pw = { 1, { { NULL, &nvauth } } };
    assert_int_equal(qtpm_tss_NV_Read(T, &pw, idx, idx, 8, 0, &back), 0);
    assert_memory_equal(back.buffer, "8 bytes!", 8);

    /* a session bound to the index: after the writes its name differs from
     * the bind name, so the authValue is included — as the TPM does */
    qtpm_tss_session bound;
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, idx, &nvauth, &bound), 0);
    qtpm_tss_auths d = { 1, { { &bound, &nvauth } } };
    assert_int_equal(qtpm_tss_NV_Read(T, &d, idx, idx, 8, 0, &back), 0);
    assert_memory_equal(back.buffer, "8 bytes!", 8);

    qtpm_tss_session_close(T, &bound);
    qtpm_tss_session_close(T, &enc);
    qtpm_tss_session_close(T, &plain);
    assert_int_equal(qtpm_tss_NV_UndefineSpace(T, NULL, TPM_RH_OWNER, idx), 0);
}

static void test_sealed_data_encrypted_both_ways(void **state)
{
    (void)state;
    qtpm_tss_session s;
    TPM2B_PUBLIC in, pub;
    TPM2B_PRIVATE priv;
    TPM2B_SENSITIVE_CREATE sens;
    TPM_HANDLE h;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    in.publicArea.type = TPM_ALG_KEYEDHASH;
    in.publicArea.nameAlg = TPM_ALG_SHA256;
    in.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                     TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
    in.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_NULL;
    memcpy(sens.sensitive.data.buffer, "top secret token", 16);
    sens.sensitive.data.size = 16;
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, &qtpm_tss_aes128_cfb,
                                            srk.handle, &srk.pub.publicArea, TPM_RH_NULL, NULL,
                                            &s), 0);
    /* Create's first parameter (inSensitive) travels encrypted */
    s.attributes |= TPMA_SESSION_DECRYPT;
    qtpm_tss_auths a = { 1, { { &s, NULL } } };
    assert_int_equal(qtpm_tss_Create(T, &a, srk.handle, &sens, &in, NULL, NULL, &priv, &pub, NULL,
                                     NULL, NULL), 0);
    s.attributes = TPMA_SESSION_CONTINUESESSION;
    assert_int_equal(qtpm_tss_Load(T, &a, srk.handle, &priv, &pub, &h, NULL), 0);
    /* Unseal's outData comes back encrypted */
    s.attributes |= TPMA_SESSION_ENCRYPT;
    TPM2B_SENSITIVE_DATA out;
    assert_int_equal(qtpm_tss_Unseal(T, &a, h, &out), 0);
    assert_int_equal(out.size, 16);
    assert_memory_equal(out.buffer, "top secret token", 16);
    qtpm_tss_session_close(T, &s);
    assert_int_equal(qtpm_tss_FlushContext(T, h), 0);
}

static void expect_trial(qtpm_tss_session *trial, const TPM2B_DIGEST *soft)
{
    TPM2B_DIGEST d;
    assert_int_equal(qtpm_tss_PolicyGetDigest(T, NULL, trial, &d), 0);
    assert_int_equal(d.size, soft->size);
    assert_memory_equal(d.buffer, soft->buffer, d.size);
}

static void test_policy_digest_vs_trial(void **state)
{
    (void)state;
    qtpm_tss_session trial;
    TPM2B_DIGEST soft, branch_a, branch_b, branches[2], pcrd, vals[2];
    TPML_PCR_SELECTION sel;
    size_t n;
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_TRIAL, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, TPM_RH_NULL, NULL, &trial), 0);
    /* PolicyPCR with the current values of PCRs 0 and 16 */
    sel_sha256(&sel, 1u | 1u << 16);
    assert_int_equal(qtpm_tss_pcr_read_all(T, &sel, vals, 2, &n), 0);
    qtpm_tss_pcr_composite(TPM_ALG_SHA256, vals, n, &pcrd);
    qtpm_tss_policy_start(TPM_ALG_SHA256, &soft);
    qtpm_tss_policy_pcr(TPM_ALG_SHA256, &soft, &sel, &pcrd);
    assert_int_equal(qtpm_tss_PolicyPCR(T, NULL, &trial, &pcrd, &sel), 0);
    expect_trial(&trial, &soft);
    /* then PolicyCommandCode(Unseal) */
    qtpm_tss_policy_command_code(TPM_ALG_SHA256, &soft, TPM_CC_Unseal);
    assert_int_equal(qtpm_tss_PolicyCommandCode(T, NULL, &trial, TPM_CC_Unseal), 0);
    expect_trial(&trial, &soft);
    branch_a = soft;

    /* second branch: PolicySecret(owner) then PolicyAuthValue */
    TPM2B_NAME owner;
    TPM2B_NONCE ref = { 4, "ref!" };
    qtpm_tss_get_name(T, TPM_RH_OWNER, &owner);
    assert_int_equal(qtpm_tss_PolicyRestart(T, NULL, &trial), 0);
    qtpm_tss_policy_start(TPM_ALG_SHA256, &soft);
    qtpm_tss_policy_secret(TPM_ALG_SHA256, &soft, &owner, &ref);
    assert_int_equal(qtpm_tss_PolicySecret(T, NULL, TPM_RH_OWNER, &trial, NULL, NULL, &ref, 0,
                                           NULL, NULL), 0);
    expect_trial(&trial, &soft);
    qtpm_tss_policy_auth_value(TPM_ALG_SHA256, &soft);
    assert_int_equal(qtpm_tss_PolicyPassword(T, NULL, &trial), 0);
    expect_trial(&trial, &soft);
    branch_b = soft;

    /* PolicyOR of the two branches */
    branches[0] = branch_a;
    branches[1] = branch_b;
    TPML_DIGEST list = { 2, { branch_a, branch_b } };
    qtpm_tss_policy_or(TPM_ALG_SHA256, &soft, branches, 2);
    assert_int_equal(qtpm_tss_PolicyOR(T, NULL, &trial, &list), 0);
    expect_trial(&trial, &soft);

    /* PolicyAuthorize by the SRK's name (a trial session takes a NULL ticket) */
    TPMT_TK_VERIFIED null_ticket = { .tag = TPM_ST_VERIFIED, .hierarchy = TPM_RH_NULL };
    TPM2B_DIGEST approved = branch_a;
    assert_int_equal(qtpm_tss_PolicyRestart(T, NULL, &trial), 0);
    qtpm_tss_policy_authorize(TPM_ALG_SHA256, &soft, &srk.name, &ref);
    assert_int_equal(qtpm_tss_PolicyAuthorize(T, NULL, &trial, &approved, &ref, &srk.name,
                                              &null_ticket), 0);
    expect_trial(&trial, &soft);

    /* and the EK policy constant */
    TPM2B_NAME endorsement;
    qtpm_tss_get_name(T, TPM_RH_ENDORSEMENT, &endorsement);
    assert_int_equal(qtpm_tss_PolicyRestart(T, NULL, &trial), 0);
    assert_int_equal(qtpm_tss_PolicySecret(T, NULL, TPM_RH_ENDORSEMENT, &trial, NULL, NULL, NULL, 0,
                                           NULL, NULL), 0);
    expect_trial(&trial, &qtpm_tss_ek_policy_sha256);
    qtpm_tss_session_close(T, &trial);
}

static void credential_round_trip(TPM_ALG_ID type)
{
    qtpm_tss_key ek, ak;
    TPM2B_AUTH ak_auth;
    auth_of(&ak_auth, "ak-pass");
    assert_int_equal(qtpm_tss_create_ek(T, type, NULL, &ek), 0);
    assert_true(ek.pub.publicArea.objectAttributes & TPMA_OBJECT_ADMINWITHPOLICY);
    assert_int_equal(qtpm_tss_create_ak(T, &ek, type, NULL, &ak_auth, &ak, NULL), 0);

    /* software MakeCredential, TPM ActivateCredential */
    TPM2B_DIGEST cred = { 20, "a credential secret!" }, got;
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    assert_int_equal(qtpm_tss_make_credential(&ek.pub.publicArea, &ak.name, &cred, &blob, &secret), 0);
    assert_int_equal(qtpm_tss_activate_credential(T, &ak, &ak_auth, &ek, NULL, &blob, &secret, &got), 0);
    assert_int_equal(got.size, 20);
    assert_memory_equal(got.buffer, cred.buffer, 20);

    /* a flipped bit in encIdentity fails the integrity HMAC */
    blob.buffer[blob.size - 1] ^= 1;
    assert_int_not_equal(qtpm_tss_activate_credential(T, &ak, &ak_auth, &ek, NULL, &blob, &secret,
                                                      &got), 0);
    blob.buffer[blob.size - 1] ^= 1;
    /* a credential made for another name does not open */
    TPM2B_NAME other = ak.name;
    other.buffer[10] ^= 1;
    assert_int_equal(qtpm_tss_make_credential(&ek.pub.publicArea, &other, &cred, &blob, &secret), 0);
    assert_int_not_equal(qtpm_tss_activate_credential(T, &ak, &ak_auth, &ek, NULL, &blob, &secret,
                                                      &got), 0);

    /* the TPM's own MakeCredential with the EK public loaded: same result.
     * swtpm holds three objects (SRK, EK, AK), so the AK waits outside as a
     * saved context, and comes back under a new handle with the same name */
    TPM_HANDLE ext;
    TPM2B_NAME ext_name;
    TPMS_CONTEXT ak_ctx;
    assert_int_equal(qtpm_tss_ContextSave(T, ak.handle, &ak_ctx), 0);
    assert_int_equal(qtpm_tss_FlushContext(T, ak.handle), 0);
    assert_int_equal(qtpm_tss_LoadExternal(T, NULL, NULL, &ek.pub, TPM_RH_OWNER, &ext, &ext_name), 0);
    assert_memory_equal(ext_name.buffer, ek.name.buffer, ek.name.size);
    assert_int_equal(qtpm_tss_MakeCredential(T, NULL, ext, &cred, &ak.name, &blob, &secret), 0);
    assert_int_equal(qtpm_tss_FlushContext(T, ext), 0);
    assert_int_equal(qtpm_tss_ContextLoad(T, &ak_ctx, &ak.handle), 0);
    assert_int_equal(qtpm_tss_activate_credential(T, &ak, &ak_auth, &ek, NULL, &blob, &secret, &got), 0);
    assert_memory_equal(got.buffer, cred.buffer, 20);

    /* quote with the AK */
    TPML_PCR_SELECTION sel;
    TPM2B_DIGEST vals[3];
    size_t n;
    TPM2B_DATA nonce = { 16, "fresh nonce 1234" }, other_nonce = { 16, "stale nonce 1234" };
    TPM2B_ATTEST attest;
    TPMT_SIGNATURE sig;
    TPMS_ATTEST parsed;
    sel_sha256(&sel, 1u | 2u | 1u << 16);
    assert_int_equal(qtpm_tss_quote(T, &ak, &ak_auth, &nonce, &sel, &attest, &sig), 0);
    assert_int_equal(qtpm_tss_pcr_read_all(T, &sel, vals, 3, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &attest, &sig, &nonce, &sel, vals, n,
                                           &parsed), 0);
    assert_int_equal(parsed.type, TPM_ST_ATTEST_QUOTE);
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &attest, &sig, &other_nonce, &sel,
                                           vals, n, NULL), QTPM_E_VERIFY);
    vals[2].buffer[0] ^= 1;
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &attest, &sig, &nonce, &sel, vals, n,
                                           NULL), QTPM_E_VERIFY);
    vals[2].buffer[0] ^= 1;
    TPM2B_ATTEST tampered = attest;
    tampered.buffer[tampered.size - 1] ^= 1; /* inside the pcrDigest */
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &tampered, &sig, &nonce, &sel, vals,
                                           n, NULL), QTPM_E_VERIFY);
    TPMT_SIGNATURE badsig = sig;
    if (type == TPM_ALG_RSA)
        badsig.signature.rsassa.sig.buffer[7] ^= 1;
    else
        badsig.signature.ecdsa.signatureS.buffer[7] ^= 1;
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &attest, &badsig, &nonce, &sel, vals,
                                           n, NULL), QTPM_E_VERIFY);
    /* a quote by the EK-less world: verified with another key, it fails */
    assert_int_equal(qtpm_tss_quote_verify(&srk.pub.publicArea, &attest, &sig, &nonce, &sel, vals, n,
                                           NULL), QTPM_E_VERIFY);

    /* certify the SRK with the AK */
    assert_int_equal(qtpm_tss_certify(T, srk.handle, NULL, &ak, &ak_auth, &nonce, &attest, &sig), 0);
    assert_int_equal(qtpm_tss_certify_verify(&ak.pub.publicArea, &attest, &sig, &nonce, &srk.name,
                                             &parsed), 0);
    assert_int_equal(parsed.type, TPM_ST_ATTEST_CERTIFY);
    assert_int_equal(qtpm_tss_certify_verify(&ak.pub.publicArea, &attest, &sig, &nonce, &ak.name,
                                             NULL), QTPM_E_VERIFY);

    assert_int_equal(qtpm_tss_FlushContext(T, ak.handle), 0);
    assert_int_equal(qtpm_tss_FlushContext(T, ek.handle), 0);
}

static void test_credential_quote_certify_rsa(void **state)
{
    (void)state;
    credential_round_trip(TPM_ALG_RSA);
}

static void test_credential_quote_certify_ecc(void **state)
{
    (void)state;
    credential_round_trip(TPM_ALG_ECC);
}

static void test_seal_unseal_pcr_policy(void **state)
{
    (void)state;
    TPML_PCR_SELECTION sel;
    TPM2B_PRIVATE priv;
    TPM2B_PUBLIC pub;
    uint8_t out[64];
    size_t len;
    sel_sha256(&sel, 1u << 16);
    assert_int_equal(qtpm_tss_seal(T, srk.handle, NULL, (const uint8_t *)"wallet token", 12, &sel,
                                   NULL, &priv, &pub), 0);
    assert_int_equal(qtpm_tss_unseal(T, srk.handle, NULL, &priv, &pub, &sel, out, sizeof out, &len), 0);
    assert_int_equal(len, 12);
    assert_memory_equal(out, "wallet token", 12);
    /* a changed PCR closes it */
    TPML_DIGEST_VALUES ext = { 1, { { TPM_ALG_SHA256, { .sha256 = { 9 } } } } };
    assert_int_equal(qtpm_tss_PCR_Extend(T, NULL, 16, &ext), 0);
    int rc = qtpm_tss_unseal(T, srk.handle, NULL, &priv, &pub, &sel, out, sizeof out, &len);
    assert_true(rc_base(rc) == TPM_RC_POLICY_FAIL || rc_base(rc) == TPM_RC_VALUE);
    /* no password opens it either (no userWithAuth) */
    TPM_HANDLE h;
    TPM2B_SENSITIVE_DATA d;
    assert_int_equal(qtpm_tss_Load(T, NULL, srk.handle, &priv, &pub, &h, NULL), 0);
    assert_int_equal(rc_base(qtpm_tss_Unseal(T, NULL, h, &d)), TPM_RC_AUTH_UNAVAILABLE);
    assert_int_equal(qtpm_tss_FlushContext(T, h), 0);
}

static void test_ek_certificate_nv(void **state)
{
    (void)state;
    const TPM_HANDLE idx = qtpm_tss_ek_cert_index(TPM_ALG_RSA);
    TPM2B_NV_PUBLIC pub;
    uint8_t cert[1400], back[2048];
    size_t len;
    qtpm_random_bytes(cert, sizeof cert);
    cert[0] = 0x30; /* looks like DER; the content does not matter here */
    memset(&pub, 0, sizeof pub);
    pub.nvPublic.nvIndex = idx;
    pub.nvPublic.nameAlg = TPM_ALG_SHA256;
    pub.nvPublic.attributes = TPMA_NV_PPWRITE | TPMA_NV_PPREAD | TPMA_NV_OWNERREAD |
                              TPMA_NV_AUTHREAD | TPMA_NV_NO_DA | TPMA_NV_PLATFORMCREATE;
    pub.nvPublic.dataSize = sizeof cert;
    /* provisioned as a manufacturer would: platform authorization */
    assert_int_equal(qtpm_tss_NV_DefineSpace(T, NULL, TPM_RH_PLATFORM, NULL, &pub), 0);
    for (size_t off = 0; off < sizeof cert; off += 512) {
        TPM2B_MAX_NV_BUFFER chunk;
        chunk.size = (UINT16)(sizeof cert - off < 512 ? sizeof cert - off : 512);
        memcpy(chunk.buffer, cert + off, chunk.size);
        assert_int_equal(qtpm_tss_NV_Write(T, NULL, TPM_RH_PLATFORM, idx, &chunk, (UINT16)off), 0);
    }
    assert_int_equal(qtpm_tss_read_ek_cert(T, TPM_ALG_RSA, NULL, back, sizeof back, &len), 0);
    assert_int_equal(len, sizeof cert);
    assert_memory_equal(back, cert, sizeof cert);
    assert_int_equal(qtpm_tss_read_ek_cert(T, TPM_ALG_RSA, NULL, back, 100, &len), QTPM_E_BUFFER);
    assert_int_equal(rc_base(qtpm_tss_read_ek_cert(T, TPM_ALG_ECC, NULL, back, sizeof back, &len)),
                     TPM_RC_HANDLE);
    assert_int_equal(qtpm_tss_NV_UndefineSpace(T, NULL, TPM_RH_PLATFORM, idx), 0);
}

static void test_context_and_persistence(void **state)
{
    (void)state;
    qtpm_tss_key key;
    TPMS_CONTEXT ctx;
    TPM_HANDLE h;
    make_signing_key(&key, NULL, 1);
    assert_int_equal(qtpm_tss_ContextSave(T, key.handle, &ctx), 0);
    assert_int_equal(qtpm_tss_FlushContext(T, key.handle), 0);
    assert_int_equal(qtpm_tss_ContextLoad(T, &ctx, &h), 0);
    key.handle = h;
    qtpm_tss_session s;
    /* an HMAC session needs the reloaded key's name: looked up by ReadPublic */
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, TPM_RH_NULL, NULL, &s), 0);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);

    const TPM_HANDLE persistent = 0x81000123;
    assert_int_equal(qtpm_tss_EvictControl(T, NULL, TPM_RH_OWNER, key.handle, persistent), 0);
    /* as if another program had made it persistent: the name is looked up */
    qtpm_tss_forget_name(T, persistent);
    TPM2B_NAME n;
    assert_int_equal(qtpm_tss_get_name(T, persistent, &n), 0);
    assert_memory_equal(n.buffer, key.name.buffer, key.name.size);
    qtpm_tss_key pkey = key;
    pkey.handle = persistent;
    assert_int_equal(sign_with(&pkey, &s, "secret"), 0);
    assert_int_equal(qtpm_tss_EvictControl(T, NULL, TPM_RH_OWNER, persistent, persistent), 0);
    assert_int_equal(rc_base(sign_with(&pkey, &s, "secret")), TPM_RC_HANDLE);
    qtpm_tss_session_close(T, &s);
    assert_int_equal(qtpm_tss_FlushContext(T, key.handle), 0);
}

static void test_asymmetric_and_hmac(void **state)
{
    (void)state;
    /* an unrestricted RSA decryption key: RSA_Encrypt / RSA_Decrypt, OAEP */
    TPM2B_PUBLIC in, pub;
    TPM2B_PRIVATE priv;
    TPM_HANDLE h;
    memset(&in, 0, sizeof in);
    assert_int_equal(qtpm_tss_template_srk(TPM_ALG_RSA, &in.publicArea), 0);
    in.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
    in.publicArea.parameters.rsaDetail.symmetric.algorithm = TPM_ALG_NULL;
    assert_int_equal(qtpm_tss_Create(T, NULL, srk.handle, NULL, &in, NULL, NULL, &priv, &pub, NULL,
                                     NULL, NULL), 0);
    assert_int_equal(qtpm_tss_Load(T, NULL, srk.handle, &priv, &pub, &h, NULL), 0);
    TPMT_RSA_DECRYPT oaep = { TPM_ALG_OAEP, { .oaep = { TPM_ALG_SHA256 } } };
    TPM2B_PUBLIC_KEY_RSA m = { 11, "hello, RSA!" }, c, back;
    assert_int_equal(qtpm_tss_RSA_Encrypt(T, NULL, h, &m, &oaep, NULL, &c), 0);
    assert_int_equal(c.size, 256);
    assert_int_equal(qtpm_tss_RSA_Decrypt(T, NULL, h, &c, &oaep, NULL, &back), 0);
    assert_int_equal(back.size, 11);
    assert_memory_equal(back.buffer, m.buffer, 11);
    assert_int_equal(qtpm_tss_FlushContext(T, h), 0);

    /* ECDH_ZGen against our own ECDH */
    memset(&in, 0, sizeof in);
    assert_int_equal(qtpm_tss_template_srk(TPM_ALG_ECC, &in.publicArea), 0);
    in.publicArea.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
    in.publicArea.parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    assert_int_equal(qtpm_tss_Create(T, NULL, srk.handle, NULL, &in, NULL, NULL, &priv, &pub, NULL,
                                     NULL, NULL), 0);
    assert_int_equal(qtpm_tss_Load(T, NULL, srk.handle, &priv, &pub, &h, NULL), 0);
    uint8_t d[32], zx[32];
    TPM2B_ECC_POINT peer, z;
    memset(&peer, 0, sizeof peer);
    assert_int_equal(qtpm_ecc_generate(QTPM_ECC_P256, d, peer.point.x.buffer, peer.point.y.buffer), 0);
    peer.point.x.size = peer.point.y.size = 32;
    assert_int_equal(qtpm_tss_ECDH_ZGen(T, NULL, h, &peer, &z), 0);
    assert_int_equal(qtpm_ecdh(QTPM_ECC_P256, d, pub.publicArea.unique.ecc.x.buffer,
                               pub.publicArea.unique.ecc.y.buffer, zx, NULL), 0);
    assert_memory_equal(z.point.x.buffer, zx, 32);
    assert_int_equal(qtpm_tss_FlushContext(T, h), 0);

    /* TPM2_HMAC with a key we supplied, against our HMAC */
    TPM2B_SENSITIVE_CREATE sens;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    in.publicArea.type = TPM_ALG_KEYEDHASH;
    in.publicArea.nameAlg = TPM_ALG_SHA256;
    in.publicArea.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                     TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_SIGN_ENCRYPT;
    in.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_HMAC;
    in.publicArea.parameters.keyedHashDetail.scheme.details.hmac.hashAlg = TPM_ALG_SHA256;
    memcpy(sens.sensitive.data.buffer, "0123456789abcdef0123456789abcdef", 32);
    sens.sensitive.data.size = 32;
    assert_int_equal(qtpm_tss_Create(T, NULL, srk.handle, &sens, &in, NULL, NULL, &priv, &pub, NULL,
                                     NULL, NULL), 0);
    assert_int_equal(qtpm_tss_Load(T, NULL, srk.handle, &priv, &pub, &h, NULL), 0);
    TPM2B_MAX_BUFFER msg = { 5, "hello" };
    TPM2B_DIGEST mac;
    uint8_t want[32];
    assert_int_equal(qtpm_tss_HMAC(T, NULL, h, &msg, TPM_ALG_SHA256, &mac), 0);
    qtpm_hmac(QTPM_HASH_SHA256, sens.sensitive.data.buffer, 32, msg.buffer, 5, want);
    assert_memory_equal(mac.buffer, want, 32);
    assert_int_equal(qtpm_tss_FlushContext(T, h), 0);

    /* VerifySignature on the TPM of a signature the TPM made */
    qtpm_tss_key key;
    make_signing_key(&key, NULL, 1);
    TPMT_SIG_SCHEME scheme;
    TPMT_SIGNATURE sig;
    TPM2B_DIGEST dg = { 32, { 1, 2, 3 } };
    TPM2B_AUTH a;
    TPMT_TK_VERIFIED tk;
    auth_of(&a, "secret");
    qtpm_tss_auths au = { 1, { { NULL, &a } } };
    qtpm_tss_key_scheme(&key.pub.publicArea, &scheme);
    assert_int_equal(qtpm_tss_Sign(T, &au, key.handle, &dg, &scheme, NULL, &sig), 0);
    assert_int_equal(qtpm_tss_VerifySignature(T, NULL, key.handle, &dg, &sig, &tk), 0);
    assert_int_equal(tk.tag, TPM_ST_VERIFIED);
    dg.buffer[0] ^= 1;
    assert_int_equal(rc_base(qtpm_tss_VerifySignature(T, NULL, key.handle, &dg, &sig, &tk)),
                     TPM_RC_SIGNATURE);
    assert_int_equal(qtpm_tss_FlushContext(T, key.handle), 0);
}

static void test_timing_records(void **state)
{
    (void)state;
    size_t n = qtpm_tss_timing_count(T);
    const qtpm_tss_timing_record *r = qtpm_tss_timing_records(T);
    size_t creates = 0;
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        assert_true(r[i].usec < 60u * 1000000u);
        if (r[i].cc == TPM_CC_CreatePrimary)
            creates++;
    }
    assert_true(creates >= 1);
    /* one more command adds one record, with its code and response code */
    TPM2B_DIGEST d;
    assert_int_equal(qtpm_tss_GetRandom(T, NULL, 8, &d), 0);
    assert_int_equal(qtpm_tss_timing_count(T), n + 1);
    assert_int_equal(qtpm_tss_timing_records(T)[n].cc, TPM_CC_GetRandom);
    assert_int_equal(qtpm_tss_timing_records(T)[n].rc, 0);
    printf("timed %zu commands\n", n + 1);
}

static void test_more_commands(void **state)
{
    (void)state;
    /* Startup on a started TPM is refused: the command reached it intact */
    assert_int_equal(rc_base(qtpm_tss_Startup(T, TPM_SU_CLEAR)), TPM_RC_INITIALIZE);

    /* CreateLoaded: create and load in one command, then sign with it */
    TPMT_PUBLIC tmpl;
    TPM2B_PRIVATE priv;
    qtpm_tss_key key;
    TPM2B_SENSITIVE_CREATE sens;
    memset(&sens, 0, sizeof sens);
    auth_of(&sens.sensitive.userAuth, "secret");
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_ECC, &tmpl), 0);
    tmpl.objectAttributes &= ~TPMA_OBJECT_RESTRICTED;
    tmpl.objectAttributes |= TPMA_OBJECT_NODA;
    assert_int_equal(qtpm_tss_CreateLoaded(T, NULL, srk.handle, &sens, &tmpl, &key.handle, &priv,
                                           &key.pub, &key.name), 0);
    qtpm_tss_session s;
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, TPM_RH_NULL, NULL, &s), 0);
    assert_int_equal(sign_with(&key, &s, "secret"), 0);
    qtpm_tss_session_close(T, &s);
    assert_int_equal(qtpm_tss_FlushContext(T, key.handle), 0);

    /* NV counter: each NV_Increment adds one */
    const TPM_HANDLE idx = 0x01500020;
    TPM2B_NV_PUBLIC pub;
    TPM2B_MAX_NV_BUFFER v1, v2;
    memset(&pub, 0, sizeof pub);
    pub.nvPublic.nvIndex = idx;
    pub.nvPublic.nameAlg = TPM_ALG_SHA256;
    pub.nvPublic.attributes = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE | TPMA_NV_NO_DA |
                              (TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT);
    pub.nvPublic.dataSize = 8;
    assert_int_equal(qtpm_tss_NV_DefineSpace(T, NULL, TPM_RH_OWNER, NULL, &pub), 0);
    assert_int_equal(qtpm_tss_NV_Increment(T, NULL, idx, idx), 0);
    assert_int_equal(qtpm_tss_NV_Read(T, NULL, idx, idx, 8, 0, &v1), 0);
    assert_int_equal(qtpm_tss_NV_Increment(T, NULL, idx, idx), 0);
    assert_int_equal(qtpm_tss_NV_Read(T, NULL, idx, idx, 8, 0, &v2), 0);
    uint64_t a = 0, b = 0;
    for (int i = 0; i < 8; i++)
        a = a << 8 | v1.buffer[i], b = b << 8 | v2.buffer[i];
    assert_true(b == a + 1);
    TPM2B_NV_PUBLIC back;
    assert_int_equal(qtpm_tss_NV_ReadPublic(T, NULL, idx, &back, NULL), 0);
    assert_true(back.nvPublic.attributes & TPMA_NV_WRITTEN);
    assert_int_equal(qtpm_tss_NV_UndefineSpace(T, NULL, TPM_RH_OWNER, idx), 0);
}

static void test_shutdown(void **state)
{
    (void)state;
    assert_int_equal(qtpm_tss_Shutdown(T, TPM_SU_CLEAR), 0);
}

#define TSS_FLOW_TESTS                                                        \
    cmocka_unit_test_teardown(test_basic_commands, flush_all),                \
    cmocka_unit_test_teardown(test_hmac_sessions, flush_all),                 \
    cmocka_unit_test_teardown(test_policy_auth_sessions, flush_all),          \
    cmocka_unit_test_teardown(test_parameter_encryption, flush_all),          \
    cmocka_unit_test_teardown(test_sealed_data_encrypted_both_ways, flush_all), \
    cmocka_unit_test_teardown(test_policy_digest_vs_trial, flush_all),        \
    cmocka_unit_test_teardown(test_credential_quote_certify_rsa, flush_all),  \
    cmocka_unit_test_teardown(test_credential_quote_certify_ecc, flush_all),  \
    cmocka_unit_test_teardown(test_seal_unseal_pcr_policy, flush_all),        \
    cmocka_unit_test_teardown(test_ek_certificate_nv, flush_all),             \
    cmocka_unit_test_teardown(test_context_and_persistence, flush_all),       \
    cmocka_unit_test_teardown(test_asymmetric_and_hmac, flush_all),           \
    cmocka_unit_test_teardown(test_more_commands, flush_all),                 \
    cmocka_unit_test_teardown(test_timing_records, flush_all),                \
    cmocka_unit_test(test_shutdown)

#endif
