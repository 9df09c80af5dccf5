/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * commands.c — the tables of what the engine implements: the command table
 * (one row per command of QTPM_COMMANDS, commands.h: handle area, roles,
 * flags) with the TPMA_CC bits each command reports, and the algorithm table
 * with the TPMA_ALGORITHM bits (Part 2 §8.2, §8.9).
 *
 * The tables hold descriptions only, no handlers: capability.c, profile.c and
 * attest.c read them, dispatch.c pairs each row with its handler. So this file
 * sits below every command file and calls none (docs/ENGINE.md "Layers").
 */
#include "commands.h"

#define CMD_ROW(name, flags, handles, kind) {TPM_CC_##name, flags, handles},
static const cmd_desc commands[] = {QTPM_COMMANDS(CMD_ROW)};
#undef CMD_ROW

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const cmd_desc *command_find(TPM_CC cc)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (commands[i].cc == cc)
            return &commands[i];
    return NULL;
}

size_t command_index(const cmd_desc *d) { return (size_t)(d - commands); }

size_t tpm_command_count(void) { return NCOMMANDS; }

int tpm_command_implemented(TPM_CC cc) { return command_find(cc) != NULL; }

/* Vendor-specific rows (Part 2 §6.5.2: bit 29 of the code) come last in
 * QTPM_COMMANDS, in ascending order of code. */
size_t tpm_vendor_command_count(void)
{
    size_t n = 0;
    for (size_t i = 0; i < NCOMMANDS; i++)
        n += (commands[i].cc & CC_VEND) != 0;
    return n;
}

TPM_CC tpm_vendor_command(size_t k)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if ((commands[i].cc & CC_VEND) && k-- == 0)
            return commands[i].cc;
    return 0;
}

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
    const cmd_desc *d = command_find(cc);
    if (d == NULL)
        return 0;
    uint32_t a = cc & 0xFFFFu;
    if (cc & CC_VEND)
        a |= TPMA_CC_V; /* Part 2 §8.9: a vendor-specific command */
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


/* ---------------------------------------------------------------- algorithms */

#define A_ASYM TPMA_ALGORITHM_ASYMMETRIC
#define A_SYM TPMA_ALGORITHM_SYMMETRIC
#define A_HASH TPMA_ALGORITHM_HASH
#define A_OBJ TPMA_ALGORITHM_OBJECT
#define A_SIGN TPMA_ALGORITHM_SIGNING
#define A_ENC TPMA_ALGORITHM_ENCRYPTING
#define A_METH TPMA_ALGORITHM_METHOD

/* Sorted by algorithm ID. */
static const alg_desc alg_table[] = {
    {TPM_ALG_RSA, A_ASYM | A_OBJ},
    {TPM_ALG_SHA1, A_HASH},
    {TPM_ALG_HMAC, A_HASH | A_SIGN},
    {TPM_ALG_AES, A_SYM},
    {TPM_ALG_MGF1, A_HASH | A_METH},
    {TPM_ALG_KEYEDHASH, A_HASH | A_OBJ | A_SIGN | A_ENC},
    {TPM_ALG_XOR, A_HASH | A_SYM},
    {TPM_ALG_SHA256, A_HASH},
    {TPM_ALG_SHA384, A_HASH},
    {TPM_ALG_SHA512, A_HASH},
    {TPM_ALG_NULL, 0},
    {TPM_ALG_RSASSA, A_ASYM | A_SIGN},
    {TPM_ALG_RSAES, A_ASYM | A_ENC},
    {TPM_ALG_RSAPSS, A_ASYM | A_SIGN},
    {TPM_ALG_OAEP, A_ASYM | A_ENC},
    {TPM_ALG_ECDSA, A_ASYM | A_SIGN},
    {TPM_ALG_ECDH, A_ASYM | A_METH},
    {TPM_ALG_ECDAA, A_ASYM | A_SIGN},
    {TPM_ALG_ECSCHNORR, A_ASYM | A_SIGN},
    {TPM_ALG_KDF1_SP800_56A, A_HASH | A_METH},
    {TPM_ALG_KDF1_SP800_108, A_HASH | A_METH},
    {TPM_ALG_ECC, A_ASYM | A_OBJ},
    {TPM_ALG_SYMCIPHER, A_OBJ},
    {TPM_ALG_SHA3_256, A_HASH},
    {TPM_ALG_SHA3_384, A_HASH},
    {TPM_ALG_SHA3_512, A_HASH},
    {TPM_ALG_CTR, A_SYM | A_ENC},
    {TPM_ALG_OFB, A_SYM | A_ENC},
    {TPM_ALG_CBC, A_SYM | A_ENC},
    {TPM_ALG_CFB, A_SYM | A_ENC},
    {TPM_ALG_ECB, A_SYM | A_ENC},
    /* v1.85 (pqc_keys.c, pqc.c) */
    {TPM_ALG_MLKEM, A_ASYM | A_OBJ | A_ENC},
    {TPM_ALG_MLDSA, A_ASYM | A_OBJ | A_SIGN},
    {TPM_ALG_HASH_MLDSA, A_ASYM | A_OBJ | A_SIGN},
};
#define NALGS (sizeof(alg_table) / sizeof(alg_table[0]))

const alg_desc *tpm_alg_table(size_t *count)
{
    *count = NALGS;
    return alg_table;
}

int tpm_alg_implemented(TPM_ALG_ID alg)
{
    for (size_t i = 0; i < NALGS; i++)
        if (alg_table[i].alg == alg)
            return 1;
    return 0;
}
