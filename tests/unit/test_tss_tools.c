/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tss_tools.c — libqtss's typed commands added for the CLI's
 * tpm2-tools counterparts (issue 10 item 11), against the in-process engine
 * TPM ("engine:" TCTI): PCR_Event and event sequences (digests equal to
 * software hashes, the PCR extended as Part 1 §17 says), TestParms,
 * DictionaryAttackParameters/LockReset (read back with GetCapability),
 * GetTime (a TPM_ST_ATTEST_TIME that verifies), and the trial digests of
 * PolicyNV, PolicyCounterTimer and PolicyCpHash against the formulas of
 * Part 3 §23.9, §23.10, §23.13 computed here in software. The CLI tests
 * (tests/cli, sections tools and policies) compare the same with
 * tpm2-tools on swtpm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "qtpm/classic.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

static int setup(void **state)
{
    qtpm_tss *t;
    if (qtpm_tss_new("engine:", &t) != QTPM_OK || qtpm_tss_Startup(t, TPM_SU_CLEAR) != QTPM_OK)
        return -1;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    qtpm_tss_free(*state);
    return 0;
}

static void sha256(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, uint8_t out[32])
{
    qtpm_hash_ctx h;
    assert_int_equal(qtpm_hash_init(&h, QTPM_HASH_SHA256), 0);
    assert_int_equal(qtpm_hash_update(&h, a, an), 0);
    if (bn)
        assert_int_equal(qtpm_hash_update(&h, b, bn), 0);
    assert_int_equal(qtpm_hash_final(&h, out), 0);
}

static const uint8_t *digest_of(const TPML_DIGEST_VALUES *dv, TPMI_ALG_HASH alg)
{
    for (UINT32 i = 0; i < dv->count; i++)
        if (dv->digests[i].hashAlg == alg)
            return dv->digests[i].digest.sha512;
    return NULL;
}

static void read_pcr16(qtpm_tss *t, uint8_t out[32])
{
    TPML_PCR_SELECTION sel = { .count = 1 };
    sel.pcrSelections[0].hash = TPM_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[2] = 0x01; /* PCR 16 */
    TPML_PCR_SELECTION out_sel;
    TPML_DIGEST vals;
    UINT32 counter;
    assert_int_equal(qtpm_tss_PCR_Read(t, NULL, &sel, &counter, &out_sel, &vals), 0);
    assert_int_equal(vals.count, 1);
    assert_int_equal(vals.digests[0].size, 32);
    memcpy(out, vals.digests[0].buffer, 32);
}

static void pcr_event(void **state)
{
    qtpm_tss *t = *state;
    TPM2B_MAX_BUFFER ev = { .size = 3 };
    memcpy(ev.buffer, "abc", 3);
    uint8_t want[32], before[32], after[32], ext[32];
    sha256(ev.buffer, 3, NULL, 0, want);
    assert_int_equal(qtpm_tss_PCR_Reset(t, NULL, 16), 0);
    read_pcr16(t, before);
    TPML_DIGEST_VALUES dv;
    /* TPM_RH_NULL: the digests, no PCR changes */
    assert_int_equal(qtpm_tss_PCR_Event(t, NULL, TPM_RH_NULL, &ev, &dv), 0);
    assert_non_null(digest_of(&dv, TPM_ALG_SHA256));
    assert_memory_equal(digest_of(&dv, TPM_ALG_SHA256), want, 32);
    read_pcr16(t, after);
    assert_memory_equal(before, after, 32);
    /* PCR 16: new = H(old ‖ H(event)) */
    assert_int_equal(qtpm_tss_PCR_Event(t, NULL, 16, &ev, &dv), 0);
    read_pcr16(t, after);
    sha256(before, 32, want, 32, ext);
    assert_memory_equal(after, ext, 32);
    /* a TPM2B_EVENT holds at most 1024 bytes */
    ev.size = 1025;
    assert_int_equal(qtpm_tss_PCR_Event(t, NULL, 16, &ev, &dv), QTPM_E_PARAM);
}

static void event_sequence(void **state)
{
    qtpm_tss *t = *state;
    static uint8_t data[1034];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    TPMI_DH_OBJECT seq;
    assert_int_equal(qtpm_tss_HashSequenceStart(t, NULL, NULL, TPM_ALG_NULL, &seq), 0);
    TPM2B_MAX_BUFFER b = { .size = 1024 };
    memcpy(b.buffer, data, 1024);
    assert_int_equal(qtpm_tss_SequenceUpdate(t, NULL, seq, &b), 0);
    b.size = 10;
    memcpy(b.buffer, data + 1024, 10);
    TPML_DIGEST_VALUES dv;
    assert_int_equal(qtpm_tss_EventSequenceComplete(t, NULL, TPM_RH_NULL, seq, &b, &dv), 0);
    uint8_t want[32];
    sha256(data, sizeof data, NULL, 0, want);
    assert_non_null(digest_of(&dv, TPM_ALG_SHA256));
    assert_memory_equal(digest_of(&dv, TPM_ALG_SHA256), want, 32);
    /* the sequence is gone */
    assert_int_not_equal(qtpm_tss_SequenceUpdate(t, NULL, seq, &b), 0);
}

static void test_parms(void **state)
{
    qtpm_tss *t = *state;
    TPMT_PUBLIC_PARMS p;
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_RSA;
    p.parameters.rsaDetail.symmetric.algorithm = TPM_ALG_NULL;
    p.parameters.rsaDetail.scheme.scheme = TPM_ALG_NULL;
    p.parameters.rsaDetail.keyBits = 2048;
    assert_int_equal(qtpm_tss_TestParms(t, &p), 0);
    memset(&p, 0, sizeof p);
    p.type = TPM_ALG_ECC;
    p.parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    p.parameters.eccDetail.scheme.scheme = TPM_ALG_NULL;
    p.parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    p.parameters.eccDetail.curveID = 0x0020; /* SM2 P-256: not in qtpm */
    int rc = qtpm_tss_TestParms(t, &p);
    assert_true(rc > 0);
    assert_int_equal(rc & 0xBF, TPM_RC_CURVE);
}

static UINT32 property(qtpm_tss *t, UINT32 pt)
{
    static TPMS_CAPABILITY_DATA d;
    TPMI_YES_NO more;
    assert_int_equal(qtpm_tss_GetCapability(t, TPM_CAP_TPM_PROPERTIES, pt, 1, &more, &d), 0);
    assert_int_equal(d.data.tpmProperties.tpmProperty[0].property, pt);
    return d.data.tpmProperties.tpmProperty[0].value;
}

static void dictionary_attack(void **state)
{
    qtpm_tss *t = *state;
    assert_int_equal(qtpm_tss_DictionaryAttackParameters(t, NULL, TPM_RH_LOCKOUT, 7, 100, 200), 0);
    assert_int_equal(property(t, 0x20F), 7);   /* TPM_PT_MAX_AUTH_FAIL */
    assert_int_equal(property(t, 0x210), 100); /* TPM_PT_LOCKOUT_INTERVAL */
    assert_int_equal(property(t, 0x211), 200); /* TPM_PT_LOCKOUT_RECOVERY */
    assert_int_equal(qtpm_tss_DictionaryAttackLockReset(t, NULL, TPM_RH_LOCKOUT), 0);
    assert_int_equal(property(t, 0x20E), 0);   /* TPM_PT_LOCKOUT_COUNTER */
    /* only the lockout hierarchy may */
    assert_int_not_equal(qtpm_tss_DictionaryAttackLockReset(t, NULL, TPM_RH_OWNER), 0);
}

static void get_time(void **state)
{
    qtpm_tss *t = *state;
    qtpm_tss_key srk, key;
    assert_int_equal(qtpm_tss_create_srk(t, TPM_ALG_ECC, NULL, &srk), 0);
    TPM2B_PUBLIC tmpl = { 0 };
    assert_int_equal(qtpm_tss_template_ak(TPM_ALG_ECC, &tmpl.publicArea), 0);
    TPM2B_SENSITIVE_CREATE sens = { 0 };
    TPM2B_PUBLIC out;
    assert_int_equal(qtpm_tss_CreatePrimary(t, NULL, TPM_RH_OWNER, &sens, &tmpl, NULL, NULL,
                                            &key.handle, &out, NULL, NULL, NULL, NULL),
                     0);
    TPM2B_DATA qual = { .size = 4, .buffer = { 1, 2, 3, 4 } };
    static TPM2B_ATTEST att;
    TPMT_SIGNATURE sig;
    assert_int_equal(qtpm_tss_GetTime(t, NULL, TPM_RH_ENDORSEMENT, key.handle, &qual, NULL, &att,
                                      &sig),
                     0);
    static TPMS_ATTEST a;
    size_t o = 0;
    assert_int_equal(qtpm_TPMS_ATTEST_unmarshal(&a, att.buffer, att.size, &o), 0);
    assert_int_equal(o, att.size);
    assert_int_equal(a.type, TPM_ST_ATTEST_TIME);
    assert_int_equal(a.extraData.size, 4);
    assert_int_equal(sig.sigAlg, TPM_ALG_ECDSA);
    /* the TPM's own VerifySignature accepts it over SHA-256(attestation) */
    TPM2B_DIGEST dg = { .size = 32 };
    sha256(att.buffer, att.size, NULL, 0, dg.buffer);
    assert_int_equal(qtpm_tss_VerifySignature(t, NULL, key.handle, &dg, &sig, NULL), 0);
    /* no key: no signature */
    assert_int_equal(qtpm_tss_GetTime(t, NULL, TPM_RH_ENDORSEMENT, TPM_RH_NULL, NULL, NULL, &att,
                                      &sig),
                     0);
    assert_int_equal(sig.sigAlg, TPM_ALG_NULL);
    assert_int_equal(qtpm_tss_FlushContext(t, key.handle), 0);
    assert_int_equal(qtpm_tss_FlushContext(t, srk.handle), 0);
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* policyDigest' = H(0^32 ‖ cc ‖ H(operandB ‖ offset ‖ operation) [‖ name])
 * (Part 3 §23.9.1, §23.10.1). */
static void operand_policy(TPM_CC cc, const TPM2B_OPERAND *op, UINT16 offset, TPM_EO eo,
                           const TPM2B_NAME *name, uint8_t out[32])
{
    uint8_t args[sizeof op->buffer + 4], inner[32], buf[32 + 4 + 32 + sizeof name->buffer];
    memcpy(args, op->buffer, op->size);
    args[op->size] = (uint8_t)(offset >> 8);
    args[op->size + 1] = (uint8_t)offset;
    args[op->size + 2] = (uint8_t)(eo >> 8);
    args[op->size + 3] = (uint8_t)eo;
    sha256(args, op->size + 4U, NULL, 0, inner);
    size_t n = 0;
    memset(buf, 0, 32);
    n = 32;
    put_u32(buf + n, cc);
    n += 4;
    memcpy(buf + n, inner, 32);
    n += 32;
    if (name) {
        memcpy(buf + n, name->buffer, name->size);
        n += name->size;
    }
    sha256(buf, n, NULL, 0, out);
}

static void trial(qtpm_tss *t, qtpm_tss_session *s)
{
    assert_int_equal(qtpm_tss_start_session(t, TPM_SE_TRIAL, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, TPM_RH_NULL, NULL, s),
                     0);
}

static void policy_digests(void **state)
{
    qtpm_tss *t = *state;
    qtpm_tss_session s;
    TPM2B_DIGEST got;
    uint8_t want[32];

    /* PolicyCounterTimer: clock > 1000 (offset 8, unsigned GT) */
    TPM2B_OPERAND op = { .size = 8, .buffer = { 0, 0, 0, 0, 0, 0, 0x03, 0xE8 } };
    trial(t, &s);
    assert_int_equal(qtpm_tss_PolicyCounterTimer(t, NULL, &s, &op, 8, TPM_EO_UNSIGNED_GT), 0);
    assert_int_equal(qtpm_tss_PolicyGetDigest(t, NULL, &s, &got), 0);
    operand_policy(TPM_CC_PolicyCounterTimer, &op, 8, TPM_EO_UNSIGNED_GT, NULL, want);
    assert_int_equal(got.size, 32);
    assert_memory_equal(got.buffer, want, 32);
    assert_int_equal(qtpm_tss_session_close(t, &s), 0);

    /* PolicyCpHash: H(0^32 ‖ cc ‖ cpHashA) */
    TPM2B_DIGEST cp = { .size = 32 };
    memset(cp.buffer, 0x5A, 32);
    trial(t, &s);
    assert_int_equal(qtpm_tss_PolicyCpHash(t, NULL, &s, &cp), 0);
    assert_int_equal(qtpm_tss_PolicyGetDigest(t, NULL, &s, &got), 0);
    uint8_t buf[68] = { 0 };
    put_u32(buf + 32, TPM_CC_PolicyCpHash);
    memcpy(buf + 36, cp.buffer, 32);
    sha256(buf, sizeof buf, NULL, 0, want);
    assert_memory_equal(got.buffer, want, 32);
    /* a second, different cpHash in the same session is TPM_RC_CPHASH */
    cp.buffer[0] ^= 1;
    int rc = qtpm_tss_PolicyCpHash(t, NULL, &s, &cp);
    assert_int_equal(rc, TPM_RC_CPHASH);
    assert_int_equal(qtpm_tss_session_close(t, &s), 0);

    /* PolicyNV on an 8-byte index, authorized by the index itself */
    TPM2B_NV_PUBLIC nvp = { 0 };
    nvp.nvPublic.nvIndex = 0x01500040;
    nvp.nvPublic.nameAlg = TPM_ALG_SHA256;
    nvp.nvPublic.attributes = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE;
    nvp.nvPublic.dataSize = 8;
    TPM2B_AUTH nvauth = { .size = 4, .buffer = "nvpw" };
    assert_int_equal(qtpm_tss_NV_DefineSpace(t, NULL, TPM_RH_OWNER, &nvauth, &nvp), 0);
    TPM2B_MAX_NV_BUFFER data = { .size = 8, .buffer = { 0, 0, 0, 0, 0, 0, 0, 42 } };
    qtpm_tss_auths as = { .count = 1, .item = { { .session = NULL, .auth = &nvauth } } };
    assert_int_equal(qtpm_tss_NV_Write(t, &as, 0x01500040, 0x01500040, &data, 0), 0);
    TPM2B_NV_PUBLIC rp;
    TPM2B_NAME name;
    assert_int_equal(qtpm_tss_NV_ReadPublic(t, NULL, 0x01500040, &rp, &name), 0);
    TPM2B_OPERAND eq = { .size = 8, .buffer = { 0, 0, 0, 0, 0, 0, 0, 42 } };
    trial(t, &s);
    assert_int_equal(qtpm_tss_PolicyNV(t, &as, 0x01500040, 0x01500040, &s, &eq, 0, TPM_EO_EQ), 0);
    assert_int_equal(qtpm_tss_PolicyGetDigest(t, NULL, &s, &got), 0);
    operand_policy(TPM_CC_PolicyNV, &eq, 0, TPM_EO_EQ, &name, want);
    assert_memory_equal(got.buffer, want, 32);
    assert_int_equal(qtpm_tss_session_close(t, &s), 0);
    /* a real policy session compares: 42 == 42 holds, 42 > 42 does not */
    assert_int_equal(qtpm_tss_start_session(t, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, TPM_RH_NULL,
                                            NULL, TPM_RH_NULL, NULL, &s),
                     0);
    assert_int_equal(qtpm_tss_PolicyNV(t, &as, 0x01500040, 0x01500040, &s, &eq, 0, TPM_EO_EQ), 0);
    rc = qtpm_tss_PolicyNV(t, &as, 0x01500040, 0x01500040, &s, &eq, 0, TPM_EO_UNSIGNED_GT);
    assert_int_equal(rc, TPM_RC_POLICY);
    assert_int_equal(qtpm_tss_session_close(t, &s), 0);
    assert_int_equal(qtpm_tss_NV_UndefineSpace(t, NULL, TPM_RH_OWNER, 0x01500040), 0);
    /* no session: a state error, nothing sent */
    assert_int_equal(qtpm_tss_PolicyNV(t, &as, 0x01500040, 0x01500040, NULL, &eq, 0, TPM_EO_EQ),
                     QTPM_TSS_E_STATE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pcr_event, setup, teardown),
        cmocka_unit_test_setup_teardown(event_sequence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parms, setup, teardown),
        cmocka_unit_test_setup_teardown(dictionary_attack, setup, teardown),
        cmocka_unit_test_setup_teardown(get_time, setup, teardown),
        cmocka_unit_test_setup_teardown(policy_digests, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
