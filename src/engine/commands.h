/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * commands.h — what the engine implements: one row per command code, and the
 * algorithm table (commands.c).
 *
 * QTPM_COMMANDS is the single list of commands. A row names the command, its
 * flags (the first parameter may be decrypted, the first response parameter
 * encrypted, the response carries a handle) and its handle area: how many
 * handles, which handle classes each slot accepts (HC_*, entity.h) and which
 * authorization role each needs (USER, ADMIN, DUP; Part 1 §19.2), and how its
 * parameters reach the handler: TYPED (dispatch.c unmarshals them into the
 * command's NAME_In struct and marshals its NAME_Out, from the parameter
 * lists NAME_IN / NAME_OUT of Part 2 types in the family's header; params.h)
 * or UNTYPED (the handler reads c->in and writes c->out itself, the older
 * form, until every family is converted). The list is expanded three times:
 * here into the prototypes of the UNTYPED handlers, in commands.c into the
 * table the lower layers read (capability, profile, audit: no handler in it,
 * so nothing below dispatch refers to the command files), and in dispatch.c
 * into the handler table, in the same order. Adding a command is one row
 * here, its parameter lists and its handler in its family's files.
 */
#ifndef QTPM_ENGINE_COMMANDS_H
#define QTPM_ENGINE_COMMANDS_H

#include "cmd.h"
#include "entity.h"

/* authorization roles of the handle slots (Part 1 §19.2) */
enum { R_NONE = 0, R_USER = 1, R_ADMIN = 2, R_DUP = 3 };

/* flags */
#define F_DEC 0x01   /* first command parameter is a TPM2B that may be decrypted */
#define F_ENC 0x02   /* first response parameter is a TPM2B that may be encrypted */
#define F_OUTH 0x04  /* the response carries a handle */

typedef struct {
    TPM_CC cc;
    uint8_t flags;
    uint8_t nhandles;
    uint16_t hclass[3];
    uint8_t role[3];
} cmd_desc;

/* the handle area of a row: count, classes, roles */
#define H0 0, {0, 0, 0}, {0, 0, 0}
#define H1(c, r) 1, {c, 0, 0}, {r, 0, 0}
#define H2(c1, r1, c2, r2) 2, {c1, c2, 0}, {r1, r2, 0}
#define H3(c1, r1, c2, r2, c3, r3) 3, {c1, c2, c3}, {r1, r2, r3}

/* clang-format off */
#define QTPM_COMMANDS(X) \
    X(Startup, 0, H0, TYPED) \
    X(Shutdown, 0, H0, TYPED) \
    X(SelfTest, 0, H0, TYPED) \
    X(IncrementalSelfTest, 0, H0, TYPED) \
    X(GetTestResult, 0, H0, TYPED) \
    X(GetCapability, 0, H0, TYPED) \
    X(TestParms, 0, H0, TYPED) \
    X(GetRandom, F_ENC, H0, TYPED) \
    X(StirRandom, F_DEC, H0, TYPED) \
    X(PCR_Read, 0, H0, TYPED) \
    X(PCR_Extend, 0, H1(HC_PCR, R_USER), TYPED) \
    X(PCR_Event, F_DEC, H1(HC_PCR | HC_NULL, R_USER), TYPED) \
    X(PCR_Reset, 0, H1(HC_PCR, R_USER), TYPED) \
    X(PCR_Allocate, 0, H1(HC_PLATFORM, R_USER), TYPED) \
    X(ReadClock, 0, H0, TYPED) \
    X(ClockSet, 0, H1(HC_OWNER | HC_PLATFORM, R_USER), TYPED) \
    X(ClockRateAdjust, 0, H1(HC_OWNER | HC_PLATFORM, R_USER), TYPED) \
    X(HierarchyControl, 0, H1(HC_HIERARCHY, R_USER), TYPED) \
    X(HierarchyChangeAuth, F_DEC, H1(HC_HIERARCHY | HC_LOCKOUT, R_USER), TYPED) \
    X(SetPrimaryPolicy, 0, H1(HC_HIERARCHY | HC_LOCKOUT, R_USER), TYPED) \
    X(Clear, 0, H1(HC_PLATFORM | HC_LOCKOUT, R_USER), TYPED) \
    X(ClearControl, 0, H1(HC_PLATFORM | HC_LOCKOUT, R_USER), TYPED) \
    X(ChangeEPS, 0, H1(HC_PLATFORM, R_USER), TYPED) \
    X(ChangePPS, 0, H1(HC_PLATFORM, R_USER), TYPED) \
    X(DictionaryAttackLockReset, 0, H1(HC_LOCKOUT, R_USER), TYPED) \
    X(DictionaryAttackParameters, 0, H1(HC_LOCKOUT, R_USER), TYPED) \
    X(CreatePrimary, F_DEC | F_OUTH, H1(HC_HIERARCHY | HC_NULL, R_USER), TYPED) \
    X(Create, F_DEC | F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(CreateLoaded, F_DEC | F_ENC | F_OUTH, H1(HC_OBJECT | HC_HIERARCHY | HC_NULL, R_USER), TYPED) \
    X(Load, F_DEC | F_OUTH, H1(HC_OBJECT, R_USER), TYPED) \
    X(LoadExternal, F_DEC | F_OUTH, H0, TYPED) \
    X(ReadPublic, F_ENC, H1(HC_OBJECT, R_NONE), TYPED) \
    X(Unseal, F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(ObjectChangeAuth, F_DEC | F_ENC, H2(HC_OBJECT, R_ADMIN, HC_OBJECT, R_NONE), TYPED) \
    X(ContextSave, 0, H1(HC_TRANSIENT | HC_SESSION, R_NONE), TYPED) \
    X(ContextLoad, F_OUTH, H0, TYPED) \
    X(FlushContext, 0, H0, TYPED) \
    X(EvictControl, 0, H2(HC_OWNER | HC_PLATFORM, R_USER, HC_OBJECT, R_NONE), TYPED) \
    X(Sign, F_DEC, H1(HC_OBJECT, R_USER), TYPED) \
    X(VerifySignature, F_DEC, H1(HC_OBJECT, R_NONE), TYPED) \
    X(RSA_Encrypt, F_DEC | F_ENC, H1(HC_OBJECT, R_NONE), TYPED) \
    X(RSA_Decrypt, F_DEC | F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(ECDH_KeyGen, F_ENC, H1(HC_OBJECT, R_NONE), TYPED) \
    X(ECDH_ZGen, F_DEC | F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(EncryptDecrypt, F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(EncryptDecrypt2, F_DEC | F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(HMAC, F_DEC | F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(Hash, F_DEC | F_ENC, H0, TYPED) \
    X(HashSequenceStart, F_DEC | F_OUTH, H0, TYPED) \
    X(HMAC_Start, F_DEC | F_OUTH, H1(HC_OBJECT, R_USER), TYPED) \
    X(SequenceUpdate, F_DEC, H1(HC_TRANSIENT, R_USER), TYPED) \
    X(SequenceComplete, F_DEC | F_ENC, H1(HC_TRANSIENT, R_USER), TYPED) \
    X(EventSequenceComplete, F_DEC, H2(HC_PCR | HC_NULL, R_USER, HC_TRANSIENT, R_USER), TYPED) \
    X(ECC_Parameters, 0, H0, TYPED) \
    X(Commit, F_DEC, H1(HC_OBJECT, R_USER), TYPED) \
    X(EC_Ephemeral, 0, H0, TYPED) \
    X(ZGen_2Phase, F_DEC | F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(Duplicate, F_DEC | F_ENC, H2(HC_OBJECT, R_DUP, HC_OBJECT | HC_NULL, R_NONE), TYPED) \
    X(Import, F_DEC | F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(StartAuthSession, F_DEC | F_OUTH, H2(HC_OBJECT | HC_NULL, R_NONE, HC_ANY, R_NONE), TYPED) \
    X(PolicyRestart, 0, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyGetDigest, F_ENC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyPCR, F_DEC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyPassword, 0, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyAuthValue, 0, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyCommandCode, 0, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyOR, 0, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicySecret, F_DEC | F_ENC, H2(HC_ANY & ~HC_SESSION, R_USER, HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicySigned, F_DEC | F_ENC, H2(HC_OBJECT, R_NONE, HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyAuthorize, F_DEC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyLocality, 0, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyCpHash, F_DEC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyNameHash, F_DEC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyNvWritten, 0, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyNV, F_DEC, H3(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE, HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyCounterTimer, F_DEC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyTicket, F_DEC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyTemplate, F_DEC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyAuthorizeNV, 0, H3(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE, HC_POLICY_SESSION, R_NONE), TYPED) \
    X(PolicyDuplicationSelect, F_DEC, H1(HC_POLICY_SESSION, R_NONE), TYPED) \
    X(MakeCredential, F_DEC | F_ENC, H1(HC_OBJECT, R_NONE), TYPED) \
    X(ActivateCredential, F_DEC | F_ENC, H2(HC_OBJECT, R_ADMIN, HC_OBJECT, R_USER), TYPED) \
    X(Quote, F_DEC | F_ENC, H1(HC_OBJECT | HC_NULL, R_USER), TYPED) \
    X(Certify, F_DEC | F_ENC, H2(HC_OBJECT, R_ADMIN, HC_OBJECT | HC_NULL, R_USER), TYPED) \
    X(CertifyCreation, F_DEC | F_ENC, H2(HC_OBJECT | HC_NULL, R_USER, HC_OBJECT, R_NONE), TYPED) \
    X(GetTime, F_DEC | F_ENC, H2(HC_ENDORSEMENT, R_USER, HC_OBJECT | HC_NULL, R_USER), TYPED) \
    X(NV_Certify, F_DEC | F_ENC, H3(HC_OBJECT | HC_NULL, R_USER, HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE), TYPED) \
    X(SetCommandCodeAuditStatus, 0, H1(HC_OWNER | HC_PLATFORM, R_USER), TYPED) \
    X(GetCommandAuditDigest, F_DEC | F_ENC, H2(HC_ENDORSEMENT, R_USER, HC_OBJECT | HC_NULL, R_USER), TYPED) \
    X(GetSessionAuditDigest, F_DEC | F_ENC, H3(HC_ENDORSEMENT, R_USER, HC_OBJECT | HC_NULL, R_USER, HC_SESSION, R_NONE), TYPED) \
    X(NV_DefineSpace, F_DEC, H1(HC_OWNER | HC_PLATFORM, R_USER), TYPED) \
    X(NV_UndefineSpace, 0, H2(HC_OWNER | HC_PLATFORM, R_USER, HC_NV, R_NONE), TYPED) \
    X(NV_UndefineSpaceSpecial, 0, H2(HC_NV, R_ADMIN, HC_PLATFORM, R_USER), TYPED) \
    X(NV_ReadPublic, F_ENC, H1(HC_NV, R_NONE), TYPED) \
    X(NV_Write, F_DEC, H2(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE), TYPED) \
    X(NV_Increment, 0, H2(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE), TYPED) \
    X(NV_Extend, F_DEC, H2(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE), TYPED) \
    X(NV_SetBits, 0, H2(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE), TYPED) \
    X(NV_WriteLock, 0, H2(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE), TYPED) \
    X(NV_GlobalWriteLock, 0, H1(HC_OWNER | HC_PLATFORM, R_USER), TYPED) \
    X(NV_Read, F_ENC, H2(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE), TYPED) \
    X(NV_ReadLock, 0, H2(HC_OWNER | HC_PLATFORM | HC_NV, R_USER, HC_NV, R_NONE), TYPED) \
    X(NV_ChangeAuth, F_DEC, H1(HC_NV, R_ADMIN), TYPED) \
    /* v1.85 post-quantum commands (pqc.c) */ \
    X(Encapsulate, F_ENC, H1(HC_OBJECT, R_NONE), TYPED) \
    X(Decapsulate, F_DEC | F_ENC, H1(HC_OBJECT, R_USER), TYPED) \
    X(SignDigest, F_DEC, H1(HC_OBJECT, R_USER), TYPED) \
    X(VerifyDigestSignature, F_DEC, H1(HC_OBJECT, R_NONE), TYPED) \
    X(SignSequenceStart, F_DEC | F_OUTH, H1(HC_OBJECT, R_NONE), TYPED) \
    X(SignSequenceComplete, F_DEC, H2(HC_TRANSIENT, R_USER, HC_OBJECT, R_USER), TYPED) \
    X(VerifySequenceStart, F_DEC | F_OUTH, H1(HC_OBJECT, R_NONE), TYPED) \
    X(VerifySequenceComplete, 0, H2(HC_TRANSIENT, R_USER, HC_OBJECT, R_NONE), TYPED) \
    /* vendor-specific: the lattice DAA's TPM part (ldaa.c) */ \
    X(Vendor_LDAA_JoinRequest, 0, H1(HC_OBJECT, R_USER), TYPED) \
    X(Vendor_LDAA_Commit, 0, H1(HC_OBJECT, R_USER), TYPED) \
    X(Vendor_LDAA_CommitRead, 0, H1(HC_OBJECT, R_USER), TYPED) \
    X(Vendor_LDAA_Respond, 0, H1(HC_OBJECT, R_USER), TYPED) \
    /* end */
/* clang-format on */

/* The handlers of UNTYPED rows, one per row, in their families' files (a
 * TYPED row's handler is declared by PRM_COMMAND in its family's header). */
#define CMD_DECLARE(name, flags, handles, kind) CMD_DECLARE_##kind(name)
#define CMD_DECLARE_UNTYPED(name) TPM_RC cmd_##name(qtpm_tpm *tpm, tpm_cmd *c);
#define CMD_DECLARE_TYPED(name)
QTPM_COMMANDS(CMD_DECLARE)
#undef CMD_DECLARE
#undef CMD_DECLARE_UNTYPED
#undef CMD_DECLARE_TYPED

/* The row of a command code (NULL: not implemented) and its position in
 * QTPM_COMMANDS (dispatch.c's handler table has the same order). */
const cmd_desc *command_find(TPM_CC cc);
size_t command_index(const cmd_desc *d);
size_t tpm_command_count(void);
int tpm_command_implemented(TPM_CC cc);
/* The vendor-specific commands (CC_VEND set), k = 0 .. count-1, ascending. */
size_t tpm_vendor_command_count(void);
TPM_CC tpm_vendor_command(size_t k);
/* TPMA_CC of a command in the table (0 for any other code). */
uint32_t tpm_command_attributes(TPM_CC cc);

/* The algorithms the engine implements, sorted by ID, with their
 * TPMA_ALGORITHM bits (Part 2 §8.2). */
typedef struct {
    TPM_ALG_ID alg;
    uint32_t attrs;
} alg_desc;
const alg_desc *tpm_alg_table(size_t *count);
int tpm_alg_implemented(TPM_ALG_ID alg);

#endif
