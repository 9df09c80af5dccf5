/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dispatch.c — from command bytes to response bytes (Part 3 §5 "Command
 * Processing", Part 1 §18 "Command/Response Structure").
 *
 * The command table below lists every implemented command: its code, how
 * many handles its handle area holds and which handle classes each slot
 * accepts, which handles need authorization and in which role (USER, ADMIN,
 * DUP; Part 1 §19.2), whether it returns a handle, whether its first
 * parameter may be encrypted (decrypt) or its first response parameter
 * encrypted (encrypt), and its handler. Adding a command is one row here plus
 * its handler in its family's file.
 *
 * The order of checks follows Part 3 §5: header (tag, size), command code,
 * initialisation, handle area, authorization area, authorization, then the
 * handler, which unmarshals its own parameters. Errors carry the number of
 * the handle, session or parameter at fault (Part 2 §6.6.3). Every read is
 * bounded by the command length, so malformed input cannot over-read.
 */
#include <stdlib.h>

#include "crypt.h"
#include "engine_int.h"
#include "entity.h"
#include "nv.h"
#include "pqc.h"
#include "session.h"

enum { R_NONE = 0, R_USER = 1, R_ADMIN = 2, R_DUP = 3 };

/* flags */
#define F_DEC 0x01   /* first command parameter is a TPM2B that may be decrypted */
#define F_ENC 0x02   /* first response parameter is a TPM2B that may be encrypted */
#define F_OUTH 0x04  /* the response carries a handle */
#define F_NOAUDIT 0x08

typedef struct {
    TPM_CC cc;
    uint8_t nhandles;
    uint8_t flags;
    uint16_t hclass[3];
    uint8_t role[3];
    cmd_handler fn;
} cmd_desc;

#define H0 0, {0, 0, 0}, {0, 0, 0}
#define H1(c, r) 1, {c, 0, 0}, {r, 0, 0}
#define H2(c1, r1, c2, r2) 2, {c1, c2, 0}, {r1, r2, 0}
#define H3(c1, r1, c2, r2, c3, r3) 3, {c1, c2, c3}, {r1, r2, r3}

/* clang-format off */
static const cmd_desc commands[] = {
    {TPM_CC_Startup,             0, 0,     {0}, {0}, cmd_Startup},
    {TPM_CC_Shutdown,            0, 0,     {0}, {0}, cmd_Shutdown},
    {TPM_CC_SelfTest,            0, 0,     {0}, {0}, cmd_SelfTest},
    {TPM_CC_IncrementalSelfTest, 0, 0,     {0}, {0}, cmd_IncrementalSelfTest},
    {TPM_CC_GetTestResult,       0, 0,     {0}, {0}, cmd_GetTestResult},
    {TPM_CC_GetCapability,       0, 0,     {0}, {0}, cmd_GetCapability},
    {TPM_CC_TestParms,           0, 0,     {0}, {0}, cmd_TestParms},
    {TPM_CC_GetRandom,           0, F_ENC, {0}, {0}, cmd_GetRandom},
    {TPM_CC_StirRandom,          0, F_DEC, {0}, {0}, cmd_StirRandom},
    {TPM_CC_PCR_Read,            0, 0,     {0}, {0}, cmd_PCR_Read},
    {TPM_CC_PCR_Extend,          1, 0,     {HC_PCR}, {R_USER}, cmd_PCR_Extend},
    {TPM_CC_PCR_Event,           1, F_DEC, {HC_PCR | HC_NULL}, {R_USER}, cmd_PCR_Event},
    {TPM_CC_PCR_Reset,           1, 0,     {HC_PCR}, {R_USER}, cmd_PCR_Reset},
    {TPM_CC_PCR_Allocate,        1, 0,     {HC_PLATFORM}, {R_USER}, cmd_PCR_Allocate},
    {TPM_CC_ReadClock,           0, 0,     {0}, {0}, cmd_ReadClock},
    {TPM_CC_ClockSet,            1, 0,     {HC_OWNER | HC_PLATFORM}, {R_USER}, cmd_ClockSet},
    {TPM_CC_ClockRateAdjust,     1, 0,     {HC_OWNER | HC_PLATFORM}, {R_USER}, cmd_ClockRateAdjust},
    {TPM_CC_HierarchyControl,    1, 0,     {HC_HIERARCHY}, {R_USER}, cmd_HierarchyControl},
    {TPM_CC_HierarchyChangeAuth, 1, F_DEC, {HC_HIERARCHY | HC_LOCKOUT}, {R_USER}, cmd_HierarchyChangeAuth},
    {TPM_CC_SetPrimaryPolicy,    1, 0,     {HC_HIERARCHY | HC_LOCKOUT}, {R_USER}, cmd_SetPrimaryPolicy},
    {TPM_CC_Clear,               1, 0,     {HC_PLATFORM | HC_LOCKOUT}, {R_USER}, cmd_Clear},
    {TPM_CC_ClearControl,        1, 0,     {HC_PLATFORM | HC_LOCKOUT}, {R_USER}, cmd_ClearControl},
    {TPM_CC_ChangeEPS,           1, 0,     {HC_PLATFORM}, {R_USER}, cmd_ChangeEPS},
    {TPM_CC_ChangePPS,           1, 0,     {HC_PLATFORM}, {R_USER}, cmd_ChangePPS},
    {TPM_CC_DictionaryAttackLockReset,  1, 0, {HC_LOCKOUT}, {R_USER}, cmd_DictionaryAttackLockReset},
    {TPM_CC_DictionaryAttackParameters, 1, 0, {HC_LOCKOUT}, {R_USER}, cmd_DictionaryAttackParameters},
    {TPM_CC_CreatePrimary,       1, F_DEC | F_OUTH, {HC_HIERARCHY | HC_NULL}, {R_USER}, cmd_CreatePrimary},
    {TPM_CC_Create,              1, F_DEC | F_ENC, {HC_OBJECT}, {R_USER}, cmd_Create},
    {TPM_CC_CreateLoaded,        1, F_DEC | F_ENC | F_OUTH, {HC_OBJECT | HC_HIERARCHY | HC_NULL}, {R_USER}, cmd_CreateLoaded},
    {TPM_CC_Load,                1, F_DEC | F_OUTH, {HC_OBJECT}, {R_USER}, cmd_Load},
    {TPM_CC_LoadExternal,        0, F_DEC | F_OUTH, {0}, {0}, cmd_LoadExternal},
    {TPM_CC_ReadPublic,          1, F_ENC, {HC_OBJECT}, {0}, cmd_ReadPublic},
    {TPM_CC_Unseal,              1, F_ENC, {HC_OBJECT}, {R_USER}, cmd_Unseal},
    {TPM_CC_ObjectChangeAuth,    2, F_DEC | F_ENC, {HC_OBJECT, HC_OBJECT}, {R_ADMIN, 0}, cmd_ObjectChangeAuth},
    {TPM_CC_ContextSave,         1, 0,     {HC_TRANSIENT | HC_SESSION}, {0}, cmd_ContextSave},
    {TPM_CC_ContextLoad,         0, F_OUTH, {0}, {0}, cmd_ContextLoad},
    {TPM_CC_FlushContext,        0, 0,     {0}, {0}, cmd_FlushContext},
    {TPM_CC_EvictControl,        2, 0,     {HC_OWNER | HC_PLATFORM, HC_OBJECT}, {R_USER, 0}, cmd_EvictControl},
    {TPM_CC_Sign,                1, F_DEC, {HC_OBJECT}, {R_USER}, cmd_Sign},
    {TPM_CC_VerifySignature,     1, F_DEC, {HC_OBJECT}, {0}, cmd_VerifySignature},
    {TPM_CC_RSA_Encrypt,         1, F_DEC | F_ENC, {HC_OBJECT}, {0}, cmd_RSA_Encrypt},
    {TPM_CC_RSA_Decrypt,         1, F_DEC | F_ENC, {HC_OBJECT}, {R_USER}, cmd_RSA_Decrypt},
    {TPM_CC_ECDH_KeyGen,         1, F_ENC, {HC_OBJECT}, {0}, cmd_ECDH_KeyGen},
    {TPM_CC_ECDH_ZGen,           1, F_DEC | F_ENC, {HC_OBJECT}, {R_USER}, cmd_ECDH_ZGen},
    {TPM_CC_EncryptDecrypt,      1, F_ENC, {HC_OBJECT}, {R_USER}, cmd_EncryptDecrypt},
    {TPM_CC_EncryptDecrypt2,     1, F_DEC | F_ENC, {HC_OBJECT}, {R_USER}, cmd_EncryptDecrypt2},
    {TPM_CC_HMAC,                1, F_DEC | F_ENC, {HC_OBJECT}, {R_USER}, cmd_HMAC},
    {TPM_CC_Hash,                0, F_DEC | F_ENC, {0}, {0}, cmd_Hash},
    {TPM_CC_HashSequenceStart,   0, F_DEC | F_OUTH, {0}, {0}, cmd_HashSequenceStart},
    {TPM_CC_HMAC_Start,          1, F_DEC | F_OUTH, {HC_OBJECT}, {R_USER}, cmd_HMAC_Start},
    {TPM_CC_SequenceUpdate,      1, F_DEC, {HC_TRANSIENT}, {R_USER}, cmd_SequenceUpdate},
    {TPM_CC_SequenceComplete,    1, F_DEC | F_ENC, {HC_TRANSIENT}, {R_USER}, cmd_SequenceComplete},
    {TPM_CC_EventSequenceComplete, 2, F_DEC, {HC_PCR | HC_NULL, HC_TRANSIENT}, {R_USER, R_USER}, cmd_EventSequenceComplete},
    {TPM_CC_ECC_Parameters,      0, 0,     {0}, {0}, cmd_ECC_Parameters},
    {TPM_CC_Commit,              1, F_DEC, {HC_OBJECT}, {R_USER}, cmd_Commit},
    {TPM_CC_EC_Ephemeral,        0, 0,     {0}, {0}, cmd_EC_Ephemeral},
    {TPM_CC_ZGen_2Phase,         1, F_DEC | F_ENC, {HC_OBJECT}, {R_USER}, cmd_ZGen_2Phase},
    {TPM_CC_Duplicate,           2, F_DEC | F_ENC, {HC_OBJECT, HC_OBJECT | HC_NULL}, {R_DUP, 0}, cmd_Duplicate},
    {TPM_CC_Import,              1, F_DEC | F_ENC, {HC_OBJECT}, {R_USER}, cmd_Import},
    {TPM_CC_StartAuthSession,    2, F_DEC | F_OUTH, {HC_OBJECT | HC_NULL, HC_ANY}, {0, 0}, cmd_StartAuthSession},
    {TPM_CC_PolicyRestart,       1, 0,     {HC_SESSION}, {0}, cmd_PolicyRestart},
    {TPM_CC_PolicyGetDigest,     1, F_ENC, {HC_SESSION}, {0}, cmd_PolicyGetDigest},
    {TPM_CC_PolicyPCR,           1, F_DEC, {HC_SESSION}, {0}, cmd_PolicyPCR},
    {TPM_CC_PolicyPassword,      1, 0,     {HC_SESSION}, {0}, cmd_PolicyPassword},
    {TPM_CC_PolicyAuthValue,     1, 0,     {HC_SESSION}, {0}, cmd_PolicyAuthValue},
    {TPM_CC_PolicyCommandCode,   1, 0,     {HC_SESSION}, {0}, cmd_PolicyCommandCode},
    {TPM_CC_PolicyOR,            1, 0,     {HC_SESSION}, {0}, cmd_PolicyOR},
    {TPM_CC_PolicySecret,        2, F_DEC | F_ENC, {HC_ANY & ~HC_SESSION, HC_SESSION}, {R_USER, 0}, cmd_PolicySecret},
    {TPM_CC_PolicySigned,        2, F_DEC | F_ENC, {HC_OBJECT, HC_SESSION}, {0, 0}, cmd_PolicySigned},
    {TPM_CC_PolicyAuthorize,     1, F_DEC, {HC_SESSION}, {0}, cmd_PolicyAuthorize},
    {TPM_CC_PolicyLocality,      1, 0,     {HC_SESSION}, {0}, cmd_PolicyLocality},
    {TPM_CC_PolicyCpHash,        1, F_DEC, {HC_SESSION}, {0}, cmd_PolicyCpHash},
    {TPM_CC_PolicyNameHash,      1, F_DEC, {HC_SESSION}, {0}, cmd_PolicyNameHash},
    {TPM_CC_PolicyNvWritten,     1, 0,     {HC_SESSION}, {0}, cmd_PolicyNvWritten},
    {TPM_CC_PolicyNV,            3, F_DEC, {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV, HC_SESSION}, {R_USER, 0, 0}, cmd_PolicyNV},
    {TPM_CC_PolicyCounterTimer,  1, F_DEC, {HC_SESSION}, {0}, cmd_PolicyCounterTimer},
    {TPM_CC_PolicyTicket,        1, F_DEC, {HC_SESSION}, {0}, cmd_PolicyTicket},
    {TPM_CC_PolicyTemplate,      1, F_DEC, {HC_SESSION}, {0}, cmd_PolicyTemplate},
    {TPM_CC_PolicyAuthorizeNV,   3, 0,     {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV, HC_SESSION}, {R_USER, 0, 0}, cmd_PolicyAuthorizeNV},
    {TPM_CC_PolicyDuplicationSelect, 1, F_DEC, {HC_SESSION}, {0}, cmd_PolicyDuplicationSelect},
    {TPM_CC_MakeCredential,      1, F_DEC | F_ENC, {HC_OBJECT}, {0}, cmd_MakeCredential},
    {TPM_CC_ActivateCredential,  2, F_DEC | F_ENC, {HC_OBJECT, HC_OBJECT}, {R_ADMIN, R_USER}, cmd_ActivateCredential},
    {TPM_CC_Quote,               1, F_DEC | F_ENC, {HC_OBJECT | HC_NULL}, {R_USER}, cmd_Quote},
    {TPM_CC_Certify,             2, F_DEC | F_ENC, {HC_OBJECT, HC_OBJECT | HC_NULL}, {R_ADMIN, R_USER}, cmd_Certify},
    {TPM_CC_CertifyCreation,     2, F_DEC | F_ENC, {HC_OBJECT | HC_NULL, HC_OBJECT}, {R_USER, 0}, cmd_CertifyCreation},
    {TPM_CC_GetTime,             2, F_DEC | F_ENC, {HC_ENDORSEMENT, HC_OBJECT | HC_NULL}, {R_USER, R_USER}, cmd_GetTime},
    {TPM_CC_NV_Certify,          3, F_DEC | F_ENC, {HC_OBJECT | HC_NULL, HC_OWNER | HC_PLATFORM | HC_NV, HC_NV}, {R_USER, R_USER, 0}, cmd_NV_Certify},
    {TPM_CC_SetCommandCodeAuditStatus, 1, 0, {HC_OWNER | HC_PLATFORM}, {R_USER}, cmd_SetCommandCodeAuditStatus},
    {TPM_CC_GetCommandAuditDigest, 2, F_DEC | F_ENC, {HC_ENDORSEMENT, HC_OBJECT | HC_NULL}, {R_USER, R_USER}, cmd_GetCommandAuditDigest},
    {TPM_CC_GetSessionAuditDigest, 3, F_DEC | F_ENC, {HC_ENDORSEMENT, HC_OBJECT | HC_NULL, HC_SESSION}, {R_USER, R_USER, 0}, cmd_GetSessionAuditDigest},
    {TPM_CC_NV_DefineSpace,      1, F_DEC, {HC_OWNER | HC_PLATFORM}, {R_USER}, cmd_NV_DefineSpace},
    {TPM_CC_NV_UndefineSpace,    2, 0,     {HC_OWNER | HC_PLATFORM, HC_NV}, {R_USER, 0}, cmd_NV_UndefineSpace},
    {TPM_CC_NV_UndefineSpaceSpecial, 2, 0, {HC_NV, HC_PLATFORM}, {R_ADMIN, R_USER}, cmd_NV_UndefineSpaceSpecial},
    {TPM_CC_NV_ReadPublic,       1, F_ENC, {HC_NV}, {0}, cmd_NV_ReadPublic},
    {TPM_CC_NV_Write,            2, F_DEC, {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV}, {R_USER, 0}, cmd_NV_Write},
    {TPM_CC_NV_Increment,        2, 0,     {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV}, {R_USER, 0}, cmd_NV_Increment},
    {TPM_CC_NV_Extend,           2, F_DEC, {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV}, {R_USER, 0}, cmd_NV_Extend},
    {TPM_CC_NV_SetBits,          2, 0,     {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV}, {R_USER, 0}, cmd_NV_SetBits},
    {TPM_CC_NV_WriteLock,        2, 0,     {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV}, {R_USER, 0}, cmd_NV_WriteLock},
    {TPM_CC_NV_GlobalWriteLock,  1, 0,     {HC_OWNER | HC_PLATFORM}, {R_USER}, cmd_NV_GlobalWriteLock},
    {TPM_CC_NV_Read,             2, F_ENC, {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV}, {R_USER, 0}, cmd_NV_Read},
    {TPM_CC_NV_ReadLock,         2, 0,     {HC_OWNER | HC_PLATFORM | HC_NV, HC_NV}, {R_USER, 0}, cmd_NV_ReadLock},
    {TPM_CC_NV_ChangeAuth,       1, F_DEC, {HC_NV}, {R_ADMIN}, cmd_NV_ChangeAuth},
    /* v1.85 post-quantum commands (pqc.c) */
    {TPM_CC_Encapsulate,         1, F_ENC, {HC_OBJECT}, {0}, cmd_Encapsulate},
    {TPM_CC_Decapsulate,         1, F_DEC | F_ENC, {HC_OBJECT}, {R_USER}, cmd_Decapsulate},
    {TPM_CC_SignDigest,          1, F_DEC, {HC_OBJECT}, {R_USER}, cmd_SignDigest},
    {TPM_CC_VerifyDigestSignature, 1, F_DEC, {HC_OBJECT}, {0}, cmd_VerifyDigestSignature},
    {TPM_CC_SignSequenceStart,   1, F_DEC | F_OUTH, {HC_OBJECT}, {0}, cmd_SignSequenceStart},
    {TPM_CC_SignSequenceComplete, 2, F_DEC, {HC_TRANSIENT, HC_OBJECT}, {R_USER, R_USER}, cmd_SignSequenceComplete},
    {TPM_CC_VerifySequenceStart, 1, F_DEC | F_OUTH, {HC_OBJECT}, {0}, cmd_VerifySequenceStart},
    {TPM_CC_VerifySequenceComplete, 2, 0, {HC_TRANSIENT, HC_OBJECT}, {R_USER, 0}, cmd_VerifySequenceComplete},
};
/* clang-format on */

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const cmd_desc *find_command(TPM_CC cc)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].cc == cc)
            return &commands[i];
    return NULL;
}

size_t tpm_command_count(void) { return NCOMMANDS; }

int tpm_command_implemented(TPM_CC cc) { return find_command(cc) != NULL; }

/* TPMA_CC (Part 2 §8.9): commandIndex, nv (22), extensive (23), flushed
 * (24), cHandles (25-27), rHandle (28), V, Res.
 *  - flushed: "the context associated with any transient handle in the
 *    command will be flushed when this command completes": the sequence
 *    completions. Not FlushContext, whose handle is a parameter, not in
 *    the handle area. A resource manager (tpm2-abrmd) reads this bit to
 *    know that it must not save the handle after the command.
 *  - nv: the command may write NV; extensive: it may flush many objects.
 *    The lists are the reference implementation's (and swtpm's). */
static int command_writes_nv(TPM_CC cc)
{
    switch (cc) {
    case TPM_CC_NV_UndefineSpaceSpecial: case TPM_CC_EvictControl:
    case TPM_CC_HierarchyControl: case TPM_CC_NV_UndefineSpace:
    case TPM_CC_ChangeEPS: case TPM_CC_ChangePPS: case TPM_CC_Clear:
    case TPM_CC_ClearControl: case TPM_CC_ClockSet: case TPM_CC_HierarchyChangeAuth:
    case TPM_CC_NV_DefineSpace: case TPM_CC_PCR_Allocate: case TPM_CC_SetPrimaryPolicy:
    case TPM_CC_NV_GlobalWriteLock: case TPM_CC_GetCommandAuditDigest:
    case TPM_CC_NV_Increment: case TPM_CC_NV_SetBits: case TPM_CC_NV_Extend:
    case TPM_CC_NV_Write: case TPM_CC_NV_WriteLock: case TPM_CC_DictionaryAttackLockReset:
    case TPM_CC_DictionaryAttackParameters: case TPM_CC_NV_ChangeAuth:
    case TPM_CC_PCR_Event: case TPM_CC_PCR_Reset: case TPM_CC_SequenceComplete:
    case TPM_CC_SetCommandCodeAuditStatus: case TPM_CC_IncrementalSelfTest:
    case TPM_CC_SelfTest: case TPM_CC_Startup: case TPM_CC_Shutdown:
    case TPM_CC_StirRandom: case TPM_CC_NV_ReadLock: case TPM_CC_EventSequenceComplete:
    case TPM_CC_PCR_Extend:
        return 1;
    default:
        return 0;
    }
}

uint32_t tpm_command_attributes(TPM_CC cc)
{
    const cmd_desc *d = find_command(cc);
    if (d == NULL)
        return 0;
    uint32_t a = cc & 0xFFFFu;
    a |= (uint32_t)d->nhandles << 25;
    if (d->flags & F_OUTH)
        a |= 1u << 28;
    if (command_writes_nv(cc))
        a |= 1u << 22;
    if (cc == TPM_CC_ChangeEPS || cc == TPM_CC_ChangePPS || cc == TPM_CC_Clear ||
        cc == TPM_CC_HierarchyControl)
        a |= 1u << 23;
    /* not the v1.85 Sign/VerifySequenceComplete: they flush the sequence
     * but not their keyHandle, and a resource manager reading the bit
     * forgets every transient handle of the command */
    if (cc == TPM_CC_SequenceComplete || cc == TPM_CC_EventSequenceComplete)
        a |= 1u << 24;
    return a;
}

/* ---------------------------------------------------------------- response */

static size_t error_response(uint8_t *rsp, TPM_RC rc)
{
    wr_put_u16(rsp, TPM_ST_NO_SESSIONS);
    wr_put_u32(rsp + 2, 10);
    wr_put_u32(rsp + 6, rc);
    return 10;
}

/* ---------------------------------------------------------------- dispatch */

/* Parses the authorization area (Part 1 §18.6): authorizationSize, then up
 * to three TPMS_AUTH_COMMAND. */
static TPM_RC parse_auth_area(tpm_rd *r, tpm_cmd *c)
{
    uint32_t auth_size;
    if (rd_u32(r, &auth_size) != 0)
        return TPM_RC_AUTHSIZE;
    /* The smallest session is 9 bytes: handle, two empty TPM2Bs, attributes. */
    if (auth_size < 9 || auth_size > rd_left(r))
        return TPM_RC_AUTHSIZE;
    tpm_rd a = {r->p + r->off, auth_size, 0};
    r->off += auth_size;
    while (rd_left(&a) > 0) {
        if (c->nauths == MAX_AUTH_SESSIONS)
            return TPM_RC_AUTHSIZE;
        tpm_auth_in *s = &c->auths[c->nauths];
        unsigned n = c->nauths + 1;
        if (rd_u32(&a, &s->handle) != 0)
            return TPM_RC_AUTHSIZE;
        int e = rd_2b(&a, s->nonce_caller.b, sizeof(s->nonce_caller.b), &s->nonce_caller.size);
        if (e == -2)
            return RC_S(TPM_RC_SIZE, n);
        if (e != 0 || rd_u8(&a, &s->attrs) != 0)
            return TPM_RC_AUTHSIZE;
        e = rd_2b(&a, s->hmac, sizeof(s->hmac), &s->hmac_size);
        if (e == -2)
            return RC_S(TPM_RC_SIZE, n);
        if (e != 0)
            return TPM_RC_AUTHSIZE;
        c->nauths++;
    }
    return TPM_RC_SUCCESS;
}

/* Handle-area checks: the value's class must be one the slot accepts
 * (TPM_RC_VALUE otherwise, as unmarshalling the TPMI type would say), and
 * the entity must exist (TPM_RC_HANDLE) and be enabled (TPM_RC_HIERARCHY). */
static TPM_RC check_handles(qtpm_tpm *tpm, const cmd_desc *d, tpm_cmd *c)
{
    for (unsigned i = 0; i < d->nhandles; i++) {
        TPM_HANDLE h = c->handles[i];
        unsigned cls = entity_class(h);
        if ((cls & d->hclass[i]) == 0)
            return RC_H(cls == 0 ? TPM_RC_VALUE : TPM_RC_VALUE, i + 1);
        if (cls == HC_SESSION)
            continue; /* commands taking a session handle check it themselves */
        TPM_RC rc = entity_check(tpm, h);
        if (rc == TPM_RC_REFERENCE_H0)
            return rc + i; /* a warning carries the handle's index, not RC_H */
        if (rc != TPM_RC_SUCCESS)
            return RC_H(rc, i + 1);
    }
    return TPM_RC_SUCCESS;
}

size_t tpm_dispatch(qtpm_tpm *tpm, uint8_t locality, const uint8_t *cmd, size_t cmd_len,
                    uint8_t *rsp, size_t rsp_cap)
{
    if (rsp == NULL || rsp_cap < QTPM_MAX_RESPONSE_SIZE)
        return 0;
    if (cmd == NULL || cmd_len < 10)
        return error_response(rsp, TPM_RC_COMMAND_SIZE);

    tpm_rd r = {cmd, cmd_len, 0};
    uint16_t tag;
    uint32_t size, cc;
    rd_u16(&r, &tag);
    rd_u32(&r, &size);
    rd_u32(&r, &cc);
    if (tag != TPM_ST_SESSIONS && tag != TPM_ST_NO_SESSIONS)
        return error_response(rsp, TPM_RC_BAD_TAG);
    if (size != cmd_len || size > QTPM_MAX_COMMAND_SIZE)
        return error_response(rsp, TPM_RC_COMMAND_SIZE);
    if (!tpm->powered)
        return error_response(rsp, TPM_RC_INITIALIZE);

    /* a command the profile disables is one the TPM does not implement */
    const cmd_desc *d = find_command(cc);
    if (d == NULL || !profile_command_enabled(&tpm->profile, cc))
        return error_response(rsp, TPM_RC_COMMAND_CODE);
    if (!tpm->started && cc != TPM_CC_Startup)
        return error_response(rsp, TPM_RC_INITIALIZE);
    if (tpm->cancel)
        return error_response(rsp, TPM_RC_CANCELED);

    tpm_cmd *c = calloc(1, sizeof(*c));
    uint8_t *out = malloc(QTPM_MAX_RESPONSE_SIZE);
    if (c == NULL || out == NULL) {
        free(c);
        free(out);
        return error_response(rsp, TPM_RC_MEMORY);
    }
    c->cc = cc;
    c->tag = tag;
    c->locality = locality;
    c->out = (tpm_wr){out, QTPM_MAX_RESPONSE_SIZE - 64, 0, 0};
    TPM_RC rc = TPM_RC_SUCCESS;

    /* handle area */
    c->nhandles = d->nhandles;
    for (unsigned i = 0; i < d->nhandles; i++)
        if (rd_u32(&r, &c->handles[i]) != 0) {
            rc = TPM_RC_INSUFFICIENT;
            goto done;
        }
    rc = check_handles(tpm, d, c);
    if (rc)
        goto done;
    /* Names of the handles as they are before the command runs: cpHash,
     * bind checks, audit and the policy commands use them. */
    for (unsigned i = 0; i < c->nhandles; i++) {
        tpm_name nm;
        if (entity_name(tpm, c->handles[i], &nm) != TPM_RC_SUCCESS)
            nm.size = 0;
        memcpy(c->names[i], nm.b, nm.size);
        c->name_len[i] = nm.size;
    }

    /* authorization area */
    unsigned nauth = 0;
    for (unsigned i = 0; i < d->nhandles; i++)
        nauth += d->role[i] != R_NONE;
    if (tag == TPM_ST_SESSIONS) {
        rc = parse_auth_area(&r, c);
        if (rc)
            goto done;
    }
    if (c->nauths < nauth) {
        rc = TPM_RC_AUTH_MISSING;
        goto done;
    }
    c->param_raw = r.p + r.off;
    c->param_raw_len = rd_left(&r);
    c->in = (tpm_rd){c->param_raw, c->param_raw_len, 0};

    if (c->nauths > 0) {
        sess_ctx sc;
        sess_ctx_init(&sc, d->nhandles, nauth, d->role, d->flags & F_DEC, d->flags & F_ENC);
        rc = sessions_check(tpm, c, &sc);
        if (rc)
            goto done;
        rc = d->fn(tpm, c);
        if (rc == TPM_RC_SUCCESS && c->out.overflow)
            rc = TPM_RC_SIZE;
        if (rc == TPM_RC_SUCCESS)
            audit_command(tpm, c);
        if (rc == TPM_RC_SUCCESS)
            rc = sessions_respond(tpm, c, &sc);
        sess_ctx_clear(&sc);
    } else {
        rc = d->fn(tpm, c);
        if (rc == TPM_RC_SUCCESS && c->out.overflow)
            rc = TPM_RC_SIZE;
        if (rc == TPM_RC_SUCCESS)
            audit_command(tpm, c);
    }

done:;
    size_t n;
    if (rc != TPM_RC_SUCCESS) {
        n = error_response(rsp, rc);
    } else {
        /* header, optional handle, optional parameterSize, parameters, sessions */
        tpm_wr w = {rsp, rsp_cap, 10, 0};
        if (d->flags & F_OUTH)
            wr_u32(&w, c->out_handle);
        if (tag == TPM_ST_SESSIONS)
            wr_u32(&w, (uint32_t)c->out.off);
        wr_bytes(&w, out, c->out.off);
        if (tag == TPM_ST_SESSIONS)
            wr_bytes(&w, c->rsp_auth, c->rsp_auth_len);
        if (w.overflow || w.off > QTPM_MAX_RESPONSE_SIZE) {
            n = error_response(rsp, TPM_RC_SIZE);
        } else {
            n = w.off;
            wr_put_u16(rsp, tag);
            wr_put_u32(rsp + 2, (uint32_t)n);
            wr_put_u32(rsp + 6, TPM_RC_SUCCESS);
        }
    }
    qtpm_memzero(out, QTPM_MAX_RESPONSE_SIZE);
    if (c->param_copy) {
        qtpm_memzero(c->param_copy, c->param_raw_len);
        free(c->param_copy);
    }
    qtpm_memzero(c, sizeof(*c));
    free(out);
    free(c);
    return n;
}
