/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/tpm2_types.h — the constants and structures of TCG TPM 2.0 Library
 * Part 2 ("Structures"), version 1.85, under their TCG names.
 *
 * This header is the vocabulary both sides of the stack share: the software
 * TPM engine (src/engine) and the TSS (src/tss) include it, and
 * qtpm/marshal.h turns every structure here into bytes and back (DESIGN.md
 * decision 3). Nothing here is qtpm-specific except the choice of maximum
 * buffer sizes below, which fix how large the in-memory structures are.
 *
 * Conventions:
 *  - Integer constants are plain #defines with the TCG name; sections cite
 *    the Part 2 clause ("Part 2 §6.5.2 TPM_CC").
 *  - Every TPM2B is {uint16_t size; uint8_t buffer[MAX]} with the member
 *    called `buffer` even where Part 2 names it differently (TPM2B_NAME.name,
 *    TPM2B_ENCRYPTED_SECRET.secret, TPM2B_ID_OBJECT.credential,
 *    TPM2B_ATTEST.attestationData, TPM2B_SIGNATURE_CTX.context,
 *    TPM2B_SIGNATURE_HINT.hint): one name for all makes generic code simple.
 *    The sized structures TPM2B_PUBLIC, TPM2B_SENSITIVE, TPM2B_SENSITIVE_CREATE,
 *    TPM2B_ECC_POINT, TPM2B_NV_PUBLIC and TPM2B_CREATION_DATA hold the
 *    structure itself (as Part 2 does), and the marshaller computes `size`.
 *  - Unions are C unions; the selector lives in the enclosing structure
 *    (e.g. TPMT_PUBLIC.type selects TPMU_PUBLIC_PARMS and TPMU_PUBLIC_ID).
 *  - The v1.85 post-quantum types (ML-KEM, ML-DSA, HashML-DSA) follow
 *    Part 2 v1.85 names: TPM2B_PUBLIC_KEY_MLKEM, TPM2B_PRIVATE_KEY_MLKEM,
 *    TPM2B_PUBLIC_KEY_MLDSA, TPM2B_PRIVATE_KEY_MLDSA, TPM2B_SIGNATURE_MLDSA,
 *    TPMS_SIGNATURE_HASH_MLDSA, TPM2B_KEM_CIPHERTEXT, TPM2B_SHARED_SECRET,
 *    TPM2B_SIGNATURE_CTX, TPM2B_SIGNATURE_HINT; docs/PQC.md ("Marshalling")
 *    records the layouts and, for every v1.85 constant, where its value
 *    comes from ("Sources of the v1.85 constants").
 */
#ifndef QTPM_TPM2_TYPES_H
#define QTPM_TPM2_TYPES_H

#include <stdint.h>

/* ---- Part 2 §5 base types -------------------------------------------- */

typedef uint8_t UINT8;
typedef uint8_t BYTE;
typedef int8_t INT8;
typedef int BOOL;
typedef uint16_t UINT16;
typedef int16_t INT16;
typedef uint32_t UINT32;
typedef int32_t INT32;
typedef uint64_t UINT64;
typedef int64_t INT64;

typedef UINT32 TPM_ALGORITHM_ID;
typedef UINT32 TPM_MODIFIER_INDICATOR;
typedef UINT32 TPM_AUTHORIZATION_SIZE;
typedef UINT32 TPM_PARAMETER_SIZE;
typedef UINT16 TPM_KEY_SIZE;
typedef UINT16 TPM_KEY_BITS;

/* ---- Implementation sizes (qtpm's choices; Part 2 leaves them open) ---- */

#define IMPLEMENTATION_PCR 24
#define PLATFORM_PCR 24
#define PCR_SELECT_MIN ((PLATFORM_PCR + 7) / 8)
#define PCR_SELECT_MAX ((IMPLEMENTATION_PCR + 7) / 8)
#define HASH_COUNT 7 /* SHA-1, SHA-256/384/512, SHA3-256/384/512 */

#define MAX_DIGEST_SIZE 64       /* SHA-512, SHA3-512 */
#define MAX_DIGEST_BUFFER 1024
#define MAX_NV_BUFFER_SIZE 2048
#define MAX_NV_INDEX_SIZE 2048
#define MAX_RSA_KEY_BITS 4096
#define MAX_RSA_KEY_BYTES 512
#define MAX_ECC_KEY_BITS 384
#define MAX_ECC_KEY_BYTES 48
#define MAX_SYM_KEY_BITS 256
#define MAX_SYM_KEY_BYTES 32
#define MAX_SYM_BLOCK_SIZE 16
#define MAX_SYM_DATA 128
#define MAX_LABEL_SIZE 32
#define MAX_EVENT_SIZE 1024
#define MAX_CONTEXT_SIZE 5120    /* holds an ML-DSA-87 object context */
#define MAX_CAP_BUFFER 1024
#define MAX_ALG_LIST_SIZE 64
#define MAX_ACTIVE_SESSIONS 64
#define MAX_TIMEOUT_SIZE 8
/* Private key of RSA: room for the CRT form (p, q, dP, dQ, qInv) some TPMs
 * use in their own sensitive areas, though qtpm stores only the prime p. */
#define MAX_RSA_PRIVATE_BYTES (MAX_RSA_KEY_BYTES / 2 * 5)
#define MAX_PRIVATE_BUFFER 2048  /* TPM2B_PRIVATE: outer HMAC + IV + TPMT_SENSITIVE */
#define MAX_ATTEST_BUFFER 2560   /* TPMS_ATTEST including a 2048-byte NV certify */

/* v1.85 post-quantum sizes (FIPS 203 Table 3, FIPS 204 Table 2). */
#define MAX_MLKEM_PUB_SIZE 1568        /* ML-KEM-1024 encapsulation key */
#define MAX_MLKEM_CT_SIZE 1568         /* ML-KEM-1024 ciphertext */
#define MAX_MLKEM_PRIV_SEED_SIZE 64    /* d ‖ z */
#define MAX_MLDSA_PUB_SIZE 2592        /* ML-DSA-87 public key */
#define MAX_MLDSA_SIG_SIZE 4627        /* ML-DSA-87 signature */
#define MAX_MLDSA_PRIV_SEED_SIZE 32    /* ξ */
#define MAX_SHARED_SECRET_SIZE 64
#define MAX_SIG_CTX_BYTES 255          /* FIPS 204 context string limit */
#define MAX_SIGNATURE_HINT_SIZE 256

/* TPM2B_ENCRYPTED_SECRET / TPM2B_KEM_CIPHERTEXT: the largest of an RSA
 * ciphertext, an ECC point and an ML-KEM ciphertext (Part 2 §11.4.2). */
#define MAX_ENCRYPTED_SECRET_SIZE 1568
#define MAX_KEM_CIPHERTEXT_SIZE 1568

/* ---- Part 2 §6.2 TPM_SPEC, §6.3 TPM_GENERATED --------------------------- */

#define TPM_SPEC_FAMILY 0x322E3000U /* "2.0" */
#define TPM_SPEC_LEVEL 0
#define TPM_SPEC_VERSION 185
#define TPM_GENERATED_VALUE 0xFF544347U /* 0xFF 'T' 'C' 'G' */

/* ---- Part 2 §6.3 TPM_ALG_ID (TCG Algorithm Registry) --------------------- */

typedef UINT16 TPM_ALG_ID;
#define TPM_ALG_ERROR 0x0000
#define TPM_ALG_RSA 0x0001
#define TPM_ALG_TDES 0x0003
#define TPM_ALG_SHA1 0x0004
#define TPM_ALG_SHA TPM_ALG_SHA1
#define TPM_ALG_HMAC 0x0005
#define TPM_ALG_AES 0x0006
#define TPM_ALG_MGF1 0x0007
#define TPM_ALG_KEYEDHASH 0x0008
#define TPM_ALG_XOR 0x000A
#define TPM_ALG_SHA256 0x000B
#define TPM_ALG_SHA384 0x000C
#define TPM_ALG_SHA512 0x000D
#define TPM_ALG_SHA256_192 0x000E
#define TPM_ALG_NULL 0x0010
#define TPM_ALG_SM3_256 0x0012
#define TPM_ALG_SM4 0x0013
#define TPM_ALG_RSASSA 0x0014
#define TPM_ALG_RSAES 0x0015
#define TPM_ALG_RSAPSS 0x0016
#define TPM_ALG_OAEP 0x0017
#define TPM_ALG_ECDSA 0x0018
#define TPM_ALG_ECDH 0x0019
#define TPM_ALG_ECDAA 0x001A
#define TPM_ALG_SM2 0x001B
#define TPM_ALG_ECSCHNORR 0x001C
#define TPM_ALG_ECMQV 0x001D
#define TPM_ALG_KDF1_SP800_56A 0x0020
#define TPM_ALG_KDF2 0x0021
#define TPM_ALG_KDF1_SP800_108 0x0022
#define TPM_ALG_ECC 0x0023
#define TPM_ALG_SYMCIPHER 0x0025
#define TPM_ALG_CAMELLIA 0x0026
#define TPM_ALG_SHA3_256 0x0027
#define TPM_ALG_SHA3_384 0x0028
#define TPM_ALG_SHA3_512 0x0029
#define TPM_ALG_SHAKE128 0x002A
#define TPM_ALG_SHAKE256 0x002B
#define TPM_ALG_SHAKE256_192 0x002C
#define TPM_ALG_SHAKE256_256 0x002D
#define TPM_ALG_SHAKE256_512 0x002E
#define TPM_ALG_CMAC 0x003F
#define TPM_ALG_CTR 0x0040
#define TPM_ALG_OFB 0x0041
#define TPM_ALG_CBC 0x0042
#define TPM_ALG_CFB 0x0043
#define TPM_ALG_ECB 0x0044
#define TPM_ALG_CCM 0x0050
#define TPM_ALG_GCM 0x0051
#define TPM_ALG_KW 0x0052
#define TPM_ALG_KWP 0x0053
#define TPM_ALG_EAX 0x0054
#define TPM_ALG_EDDSA 0x0060
#define TPM_ALG_EDDSA_PH 0x0061
#define TPM_ALG_LMS 0x0070
#define TPM_ALG_XMSS 0x0071
#define TPM_ALG_KEYEDXOF 0x0080
#define TPM_ALG_KMACXOF128 0x0081
#define TPM_ALG_KMACXOF256 0x0082
#define TPM_ALG_KMAC128 0x0090
#define TPM_ALG_KMAC256 0x0091
#define TPM_ALG_MLKEM 0x00A0
#define TPM_ALG_MLDSA 0x00A1
#define TPM_ALG_HASH_MLDSA 0x00A2
#define TPM_ALG_FIRST 0x0001
#define TPM_ALG_LAST 0x00A2

/* ---- Part 2 §6.4 TPM_ECC_CURVE ------------------------------------------ */

typedef UINT16 TPM_ECC_CURVE;
#define TPM_ECC_NONE 0x0000
#define TPM_ECC_NIST_P192 0x0001
#define TPM_ECC_NIST_P224 0x0002
#define TPM_ECC_NIST_P256 0x0003
#define TPM_ECC_NIST_P384 0x0004
#define TPM_ECC_NIST_P521 0x0005
#define TPM_ECC_BN_P256 0x0010
#define TPM_ECC_BN_P638 0x0011
#define TPM_ECC_SM2_P256 0x0020
#define TPM_ECC_BP_P256_R1 0x0030
#define TPM_ECC_BP_P384_R1 0x0031
#define TPM_ECC_BP_P512_R1 0x0032
#define TPM_ECC_CURVE_25519 0x0040
#define TPM_ECC_CURVE_448 0x0041

/* ---- v1.85 parameter sets (Part 2 §11.2.6, §11.2.7) --------------------- */

typedef UINT16 TPM_MLKEM_PARMS;
#define TPM_MLKEM_NONE 0x0000
#define TPM_MLKEM_512 0x0001
#define TPM_MLKEM_768 0x0002
#define TPM_MLKEM_1024 0x0003

typedef UINT16 TPM_MLDSA_PARMS;
#define TPM_MLDSA_NONE 0x0000
#define TPM_MLDSA_44 0x0001
#define TPM_MLDSA_65 0x0002
#define TPM_MLDSA_87 0x0003

/* ---- Part 2 §6.5 TPM_CC --------------------------------------------------- */

typedef UINT32 TPM_CC;
#define TPM_CC_FIRST 0x0000011FU
#define TPM_CC_NV_UndefineSpaceSpecial 0x0000011FU
#define TPM_CC_EvictControl 0x00000120U
#define TPM_CC_HierarchyControl 0x00000121U
#define TPM_CC_NV_UndefineSpace 0x00000122U
#define TPM_CC_ChangeEPS 0x00000124U
#define TPM_CC_ChangePPS 0x00000125U
#define TPM_CC_Clear 0x00000126U
#define TPM_CC_ClearControl 0x00000127U
#define TPM_CC_ClockSet 0x00000128U
#define TPM_CC_HierarchyChangeAuth 0x00000129U
#define TPM_CC_NV_DefineSpace 0x0000012AU
#define TPM_CC_PCR_Allocate 0x0000012BU
#define TPM_CC_PCR_SetAuthPolicy 0x0000012CU
#define TPM_CC_PP_Commands 0x0000012DU
#define TPM_CC_SetPrimaryPolicy 0x0000012EU
#define TPM_CC_FieldUpgradeStart 0x0000012FU
#define TPM_CC_ClockRateAdjust 0x00000130U
#define TPM_CC_CreatePrimary 0x00000131U
#define TPM_CC_NV_GlobalWriteLock 0x00000132U
#define TPM_CC_GetCommandAuditDigest 0x00000133U
#define TPM_CC_NV_Increment 0x00000134U
#define TPM_CC_NV_SetBits 0x00000135U
#define TPM_CC_NV_Extend 0x00000136U
#define TPM_CC_NV_Write 0x00000137U
#define TPM_CC_NV_WriteLock 0x00000138U
#define TPM_CC_DictionaryAttackLockReset 0x00000139U
#define TPM_CC_DictionaryAttackParameters 0x0000013AU
#define TPM_CC_NV_ChangeAuth 0x0000013BU
#define TPM_CC_PCR_Event 0x0000013CU
#define TPM_CC_PCR_Reset 0x0000013DU
#define TPM_CC_SequenceComplete 0x0000013EU
#define TPM_CC_SetAlgorithmSet 0x0000013FU
#define TPM_CC_SetCommandCodeAuditStatus 0x00000140U
#define TPM_CC_FieldUpgradeData 0x00000141U
#define TPM_CC_IncrementalSelfTest 0x00000142U
#define TPM_CC_SelfTest 0x00000143U
#define TPM_CC_Startup 0x00000144U
#define TPM_CC_Shutdown 0x00000145U
#define TPM_CC_StirRandom 0x00000146U
#define TPM_CC_ActivateCredential 0x00000147U
#define TPM_CC_Certify 0x00000148U
#define TPM_CC_PolicyNV 0x00000149U
#define TPM_CC_CertifyCreation 0x0000014AU
#define TPM_CC_Duplicate 0x0000014BU
#define TPM_CC_GetTime 0x0000014CU
#define TPM_CC_GetSessionAuditDigest 0x0000014DU
#define TPM_CC_NV_Read 0x0000014EU
#define TPM_CC_NV_ReadLock 0x0000014FU
#define TPM_CC_ObjectChangeAuth 0x00000150U
#define TPM_CC_PolicySecret 0x00000151U
#define TPM_CC_Rewrap 0x00000152U
#define TPM_CC_Create 0x00000153U
#define TPM_CC_ECDH_ZGen 0x00000154U
#define TPM_CC_HMAC 0x00000155U
#define TPM_CC_MAC 0x00000155U
#define TPM_CC_Import 0x00000156U
#define TPM_CC_Load 0x00000157U
#define TPM_CC_Quote 0x00000158U
#define TPM_CC_RSA_Decrypt 0x00000159U
#define TPM_CC_HMAC_Start 0x0000015BU
#define TPM_CC_MAC_Start 0x0000015BU
#define TPM_CC_SequenceUpdate 0x0000015CU
#define TPM_CC_Sign 0x0000015DU
#define TPM_CC_Unseal 0x0000015EU
#define TPM_CC_PolicySigned 0x00000160U
#define TPM_CC_ContextLoad 0x00000161U
#define TPM_CC_ContextSave 0x00000162U
#define TPM_CC_ECDH_KeyGen 0x00000163U
#define TPM_CC_EncryptDecrypt 0x00000164U
#define TPM_CC_FlushContext 0x00000165U
#define TPM_CC_LoadExternal 0x00000167U
#define TPM_CC_MakeCredential 0x00000168U
#define TPM_CC_NV_ReadPublic 0x00000169U
#define TPM_CC_PolicyAuthorize 0x0000016AU
#define TPM_CC_PolicyAuthValue 0x0000016BU
#define TPM_CC_PolicyCommandCode 0x0000016CU
#define TPM_CC_PolicyCounterTimer 0x0000016DU
#define TPM_CC_PolicyCpHash 0x0000016EU
#define TPM_CC_PolicyLocality 0x0000016FU
#define TPM_CC_PolicyNameHash 0x00000170U
#define TPM_CC_PolicyOR 0x00000171U
#define TPM_CC_PolicyTicket 0x00000172U
#define TPM_CC_ReadPublic 0x00000173U
#define TPM_CC_RSA_Encrypt 0x00000174U
#define TPM_CC_StartAuthSession 0x00000176U
#define TPM_CC_VerifySignature 0x00000177U
#define TPM_CC_ECC_Parameters 0x00000178U
#define TPM_CC_FirmwareRead 0x00000179U
#define TPM_CC_GetCapability 0x0000017AU
#define TPM_CC_GetRandom 0x0000017BU
#define TPM_CC_GetTestResult 0x0000017CU
#define TPM_CC_Hash 0x0000017DU
#define TPM_CC_PCR_Read 0x0000017EU
#define TPM_CC_PolicyPCR 0x0000017FU
#define TPM_CC_PolicyRestart 0x00000180U
#define TPM_CC_ReadClock 0x00000181U
#define TPM_CC_PCR_Extend 0x00000182U
#define TPM_CC_PCR_SetAuthValue 0x00000183U
#define TPM_CC_NV_Certify 0x00000184U
#define TPM_CC_EventSequenceComplete 0x00000185U
#define TPM_CC_HashSequenceStart 0x00000186U
#define TPM_CC_PolicyPhysicalPresence 0x00000187U
#define TPM_CC_PolicyDuplicationSelect 0x00000188U
#define TPM_CC_PolicyGetDigest 0x00000189U
#define TPM_CC_TestParms 0x0000018AU
#define TPM_CC_Commit 0x0000018BU
#define TPM_CC_PolicyPassword 0x0000018CU
#define TPM_CC_ZGen_2Phase 0x0000018DU
#define TPM_CC_EC_Ephemeral 0x0000018EU
#define TPM_CC_PolicyNvWritten 0x0000018FU
#define TPM_CC_PolicyTemplate 0x00000190U
#define TPM_CC_CreateLoaded 0x00000191U
#define TPM_CC_PolicyAuthorizeNV 0x00000192U
#define TPM_CC_EncryptDecrypt2 0x00000193U
#define TPM_CC_AC_GetCapability 0x00000194U
#define TPM_CC_AC_Send 0x00000195U
#define TPM_CC_Policy_AC_SendSelect 0x00000196U
#define TPM_CC_CertifyX509 0x00000197U
#define TPM_CC_ACT_SetTimeout 0x00000198U
#define TPM_CC_ECC_Encrypt 0x00000199U
#define TPM_CC_ECC_Decrypt 0x0000019AU
#define TPM_CC_PolicyCapability 0x0000019BU
#define TPM_CC_PolicyParameters 0x0000019CU
#define TPM_CC_NV_DefineSpace2 0x0000019DU
#define TPM_CC_NV_ReadPublic2 0x0000019EU
#define TPM_CC_SetCapability 0x0000019FU
/* v1.85 post-quantum commands (0x1A2 is reserved) */
#define TPM_CC_VerifySequenceComplete 0x000001A3U
#define TPM_CC_SignSequenceComplete 0x000001A4U
#define TPM_CC_VerifyDigestSignature 0x000001A5U
#define TPM_CC_SignDigest 0x000001A6U
#define TPM_CC_Encapsulate 0x000001A7U
#define TPM_CC_Decapsulate 0x000001A8U
#define TPM_CC_VerifySequenceStart 0x000001A9U
#define TPM_CC_SignSequenceStart 0x000001AAU
#define TPM_CC_LAST 0x000001AAU
#define CC_VEND 0x20000000U
#define TPM_CC_Vendor_TCG_Test (CC_VEND + 0x0000U)
/* qtpm's vendor commands (docs/DAA.md "LDAA in the engine"): the lattice
 * DAA's TPM part, src/engine/ldaa.c */
#define TPM_CC_Vendor_LDAA_JoinRequest (CC_VEND + 0x0101U)
#define TPM_CC_Vendor_LDAA_Commit (CC_VEND + 0x0102U)
#define TPM_CC_Vendor_LDAA_CommitRead (CC_VEND + 0x0103U)
#define TPM_CC_Vendor_LDAA_Respond (CC_VEND + 0x0104U)

/* ---- Part 2 §6.6 TPM_RC --------------------------------------------------- */

typedef UINT32 TPM_RC;
#define TPM_RC_SUCCESS 0x000U
#define TPM_RC_BAD_TAG 0x01EU

/* Format-zero codes (bit 7 clear, bit 8 set = version 1.x) */
#define RC_VER1 0x100U
#define TPM_RC_INITIALIZE (RC_VER1 + 0x000U)
#define TPM_RC_FAILURE (RC_VER1 + 0x001U)
#define TPM_RC_SEQUENCE (RC_VER1 + 0x003U)
#define TPM_RC_PRIVATE (RC_VER1 + 0x00BU)
#define TPM_RC_HMAC (RC_VER1 + 0x019U)
#define TPM_RC_DISABLED (RC_VER1 + 0x020U)
#define TPM_RC_EXCLUSIVE (RC_VER1 + 0x021U)
#define TPM_RC_AUTH_TYPE (RC_VER1 + 0x024U)
#define TPM_RC_AUTH_MISSING (RC_VER1 + 0x025U)
#define TPM_RC_POLICY (RC_VER1 + 0x026U)
#define TPM_RC_PCR (RC_VER1 + 0x027U)
#define TPM_RC_PCR_CHANGED (RC_VER1 + 0x028U)
#define TPM_RC_UPGRADE (RC_VER1 + 0x02DU)
#define TPM_RC_TOO_MANY_CONTEXTS (RC_VER1 + 0x02EU)
#define TPM_RC_AUTH_UNAVAILABLE (RC_VER1 + 0x02FU)
#define TPM_RC_REBOOT (RC_VER1 + 0x030U)
#define TPM_RC_UNBALANCED (RC_VER1 + 0x031U)

#define TPM_RC_COMMAND_SIZE (RC_VER1 + 0x042U)
#define TPM_RC_COMMAND_CODE (RC_VER1 + 0x043U)
#define TPM_RC_AUTHSIZE (RC_VER1 + 0x044U)
#define TPM_RC_AUTH_CONTEXT (RC_VER1 + 0x045U)
#define TPM_RC_NV_RANGE (RC_VER1 + 0x046U)
#define TPM_RC_NV_SIZE (RC_VER1 + 0x047U)
#define TPM_RC_NV_LOCKED (RC_VER1 + 0x048U)
#define TPM_RC_NV_AUTHORIZATION (RC_VER1 + 0x049U)
#define TPM_RC_NV_UNINITIALIZED (RC_VER1 + 0x04AU)
#define TPM_RC_NV_SPACE (RC_VER1 + 0x04BU)
#define TPM_RC_NV_DEFINED (RC_VER1 + 0x04CU)
#define TPM_RC_BAD_CONTEXT (RC_VER1 + 0x050U)
#define TPM_RC_CPHASH (RC_VER1 + 0x051U)
#define TPM_RC_PARENT (RC_VER1 + 0x052U)
#define TPM_RC_NEEDS_TEST (RC_VER1 + 0x053U)
#define TPM_RC_NO_RESULT (RC_VER1 + 0x054U)
#define TPM_RC_SENSITIVE (RC_VER1 + 0x055U)
#define RC_MAX_FM0 (RC_VER1 + 0x07FU)

/* Format-one codes (bit 7 set): bits 11:8 carry the number of the handle,
 * parameter or session the error refers to (TPM_RC_H/P/S + TPM_RC_1..F). */
#define RC_FMT1 0x080U
#define TPM_RC_ASYMMETRIC (RC_FMT1 + 0x001U)
#define TPM_RC_ATTRIBUTES (RC_FMT1 + 0x002U)
#define TPM_RC_HASH (RC_FMT1 + 0x003U)
#define TPM_RC_VALUE (RC_FMT1 + 0x004U)
#define TPM_RC_HIERARCHY (RC_FMT1 + 0x005U)
#define TPM_RC_KEY_SIZE (RC_FMT1 + 0x007U)
#define TPM_RC_MGF (RC_FMT1 + 0x008U)
#define TPM_RC_MODE (RC_FMT1 + 0x009U)
#define TPM_RC_TYPE (RC_FMT1 + 0x00AU)
#define TPM_RC_HANDLE (RC_FMT1 + 0x00BU)
#define TPM_RC_KDF (RC_FMT1 + 0x00CU)
#define TPM_RC_RANGE (RC_FMT1 + 0x00DU)
#define TPM_RC_AUTH_FAIL (RC_FMT1 + 0x00EU)
#define TPM_RC_NONCE (RC_FMT1 + 0x00FU)
#define TPM_RC_PP (RC_FMT1 + 0x010U)
#define TPM_RC_SCHEME (RC_FMT1 + 0x012U)
#define TPM_RC_SIZE (RC_FMT1 + 0x015U)
#define TPM_RC_SYMMETRIC (RC_FMT1 + 0x016U)
#define TPM_RC_TAG (RC_FMT1 + 0x017U)
#define TPM_RC_SELECTOR (RC_FMT1 + 0x018U)
#define TPM_RC_INSUFFICIENT (RC_FMT1 + 0x01AU)
#define TPM_RC_SIGNATURE (RC_FMT1 + 0x01BU)
#define TPM_RC_KEY (RC_FMT1 + 0x01CU)
#define TPM_RC_POLICY_FAIL (RC_FMT1 + 0x01DU)
#define TPM_RC_INTEGRITY (RC_FMT1 + 0x01FU)
#define TPM_RC_TICKET (RC_FMT1 + 0x020U)
#define TPM_RC_RESERVED_BITS (RC_FMT1 + 0x021U)
#define TPM_RC_BAD_AUTH (RC_FMT1 + 0x022U)
#define TPM_RC_EXPIRED (RC_FMT1 + 0x023U)
#define TPM_RC_POLICY_CC (RC_FMT1 + 0x024U)
#define TPM_RC_BINDING (RC_FMT1 + 0x025U)
#define TPM_RC_CURVE (RC_FMT1 + 0x026U)
#define TPM_RC_ECC_POINT (RC_FMT1 + 0x027U)
#define TPM_RC_FW_LIMITED (RC_FMT1 + 0x028U)
#define TPM_RC_SVN_LIMITED (RC_FMT1 + 0x029U)
#define TPM_RC_PARMS (RC_FMT1 + 0x02AU)             /* v1.85: parameter set */
#define TPM_RC_EXT_MU (RC_FMT1 + 0x02BU)            /* v1.85: external mu */
#define TPM_RC_ONE_SHOT_SIGNATURE (RC_FMT1 + 0x02CU) /* v1.85 */
#define TPM_RC_SIGN_CONTEXT_KEY (RC_FMT1 + 0x02DU)  /* v1.85 */
#define TPM_RC_CHANNEL (RC_FMT1 + 0x030U)
#define TPM_RC_CHANNEL_KEY (RC_FMT1 + 0x031U)

/* Warnings */
#define RC_WARN 0x900U
#define TPM_RC_CONTEXT_GAP (RC_WARN + 0x001U)
#define TPM_RC_OBJECT_MEMORY (RC_WARN + 0x002U)
#define TPM_RC_SESSION_MEMORY (RC_WARN + 0x003U)
#define TPM_RC_MEMORY (RC_WARN + 0x004U)
#define TPM_RC_SESSION_HANDLES (RC_WARN + 0x005U)
#define TPM_RC_OBJECT_HANDLES (RC_WARN + 0x006U)
#define TPM_RC_LOCALITY (RC_WARN + 0x007U)
#define TPM_RC_YIELDED (RC_WARN + 0x008U)
#define TPM_RC_CANCELED (RC_WARN + 0x009U)
#define TPM_RC_TESTING (RC_WARN + 0x00AU)
#define TPM_RC_REFERENCE_H0 (RC_WARN + 0x010U)
#define TPM_RC_REFERENCE_H1 (RC_WARN + 0x011U)
#define TPM_RC_REFERENCE_H2 (RC_WARN + 0x012U)
#define TPM_RC_REFERENCE_H3 (RC_WARN + 0x013U)
#define TPM_RC_REFERENCE_H4 (RC_WARN + 0x014U)
#define TPM_RC_REFERENCE_H5 (RC_WARN + 0x015U)
#define TPM_RC_REFERENCE_H6 (RC_WARN + 0x016U)
#define TPM_RC_REFERENCE_S0 (RC_WARN + 0x018U)
#define TPM_RC_REFERENCE_S1 (RC_WARN + 0x019U)
#define TPM_RC_REFERENCE_S2 (RC_WARN + 0x01AU)
#define TPM_RC_REFERENCE_S3 (RC_WARN + 0x01BU)
#define TPM_RC_REFERENCE_S4 (RC_WARN + 0x01CU)
#define TPM_RC_REFERENCE_S5 (RC_WARN + 0x01DU)
#define TPM_RC_REFERENCE_S6 (RC_WARN + 0x01EU)
#define TPM_RC_NV_RATE (RC_WARN + 0x020U)
#define TPM_RC_LOCKOUT (RC_WARN + 0x021U)
#define TPM_RC_RETRY (RC_WARN + 0x022U)
#define TPM_RC_NV_UNAVAILABLE (RC_WARN + 0x023U)
#define TPM_RC_NOT_USED (RC_WARN + 0x07FU)

/* Format-one position: add TPM_RC_H, TPM_RC_P or TPM_RC_S and TPM_RC_n. */
#define TPM_RC_H 0x000U
#define TPM_RC_P 0x040U
#define TPM_RC_S 0x800U
#define TPM_RC_1 0x100U
#define TPM_RC_2 0x200U
#define TPM_RC_3 0x300U
#define TPM_RC_4 0x400U
#define TPM_RC_5 0x500U
#define TPM_RC_6 0x600U
#define TPM_RC_7 0x700U
#define TPM_RC_8 0x800U
#define TPM_RC_9 0x900U
#define TPM_RC_A 0xA00U
#define TPM_RC_B 0xB00U
#define TPM_RC_C 0xC00U
#define TPM_RC_D 0xD00U
#define TPM_RC_E 0xE00U
#define TPM_RC_F 0xF00U
#define TPM_RC_N_MASK 0xF00U
#define RC_FMT1_ERROR_MASK 0x03FU /* the error number of a format-one code */

/* ---- Part 2 §6.7 TPM_CLOCK_ADJUST, §6.8 TPM_EO ------------------------- */

typedef INT8 TPM_CLOCK_ADJUST;
#define TPM_CLOCK_COARSE_SLOWER (-3)
#define TPM_CLOCK_MEDIUM_SLOWER (-2)
#define TPM_CLOCK_FINE_SLOWER (-1)
#define TPM_CLOCK_NO_CHANGE 0
#define TPM_CLOCK_FINE_FASTER 1
#define TPM_CLOCK_MEDIUM_FASTER 2
#define TPM_CLOCK_COARSE_FASTER 3

typedef UINT16 TPM_EO;
#define TPM_EO_EQ 0x0000
#define TPM_EO_NEQ 0x0001
#define TPM_EO_SIGNED_GT 0x0002
#define TPM_EO_UNSIGNED_GT 0x0003
#define TPM_EO_SIGNED_LT 0x0004
#define TPM_EO_UNSIGNED_LT 0x0005
#define TPM_EO_SIGNED_GE 0x0006
#define TPM_EO_UNSIGNED_GE 0x0007
#define TPM_EO_SIGNED_LE 0x0008
#define TPM_EO_UNSIGNED_LE 0x0009
#define TPM_EO_BITSET 0x000A
#define TPM_EO_BITCLEAR 0x000B

/* ---- Part 2 §6.9 TPM_ST ----------------------------------------------- */

typedef UINT16 TPM_ST;
#define TPM_ST_RSP_COMMAND 0x00C4
#define TPM_ST_NULL 0x8000
#define TPM_ST_NO_SESSIONS 0x8001
#define TPM_ST_SESSIONS 0x8002
#define TPM_ST_ATTEST_NV 0x8014
#define TPM_ST_ATTEST_COMMAND_AUDIT 0x8015
#define TPM_ST_ATTEST_SESSION_AUDIT 0x8016
#define TPM_ST_ATTEST_CERTIFY 0x8017
#define TPM_ST_ATTEST_QUOTE 0x8018
#define TPM_ST_ATTEST_TIME 0x8019
#define TPM_ST_ATTEST_CREATION 0x801A
#define TPM_ST_ATTEST_NV_DIGEST 0x801C
#define TPM_ST_CREATION 0x8021
#define TPM_ST_VERIFIED 0x8022
#define TPM_ST_AUTH_SECRET 0x8023
#define TPM_ST_HASHCHECK 0x8024
#define TPM_ST_AUTH_SIGNED 0x8025
#define TPM_ST_MESSAGE_VERIFIED 0x8026 /* v1.85: VerifySequenceComplete */
#define TPM_ST_DIGEST_VERIFIED 0x8027  /* v1.85: VerifyDigestSignature */
#define TPM_ST_FU_MANIFEST 0x8029

/* ---- Part 2 §6.10 TPM_SU, §6.11 TPM_SE, §6.12 TPM_CAP -------------------- */

typedef UINT16 TPM_SU;
#define TPM_SU_CLEAR 0x0000
#define TPM_SU_STATE 0x0001

typedef UINT8 TPM_SE;
#define TPM_SE_HMAC 0x00
#define TPM_SE_POLICY 0x01
#define TPM_SE_TRIAL 0x03

typedef UINT32 TPM_CAP;
#define TPM_CAP_FIRST 0x00000000U
#define TPM_CAP_ALGS 0x00000000U
#define TPM_CAP_HANDLES 0x00000001U
#define TPM_CAP_COMMANDS 0x00000002U
#define TPM_CAP_PP_COMMANDS 0x00000003U
#define TPM_CAP_AUDIT_COMMANDS 0x00000004U
#define TPM_CAP_PCRS 0x00000005U
#define TPM_CAP_TPM_PROPERTIES 0x00000006U
#define TPM_CAP_PCR_PROPERTIES 0x00000007U
#define TPM_CAP_ECC_CURVES 0x00000008U
#define TPM_CAP_AUTH_POLICIES 0x00000009U
#define TPM_CAP_ACT 0x0000000AU
#define TPM_CAP_LAST 0x0000000AU
#define TPM_CAP_VENDOR_PROPERTY 0x00000100U

/* ---- Part 2 §6.13 TPM_PT ---------------------------------------------- */

typedef UINT32 TPM_PT;
#define TPM_PT_NONE 0x00000000U
#define PT_GROUP 0x00000100U
#define PT_FIXED (PT_GROUP * 1)
#define TPM_PT_FAMILY_INDICATOR (PT_FIXED + 0)
#define TPM_PT_LEVEL (PT_FIXED + 1)
#define TPM_PT_REVISION (PT_FIXED + 2)
#define TPM_PT_DAY_OF_YEAR (PT_FIXED + 3)
#define TPM_PT_YEAR (PT_FIXED + 4)
#define TPM_PT_MANUFACTURER (PT_FIXED + 5)
#define TPM_PT_VENDOR_STRING_1 (PT_FIXED + 6)
#define TPM_PT_VENDOR_STRING_2 (PT_FIXED + 7)
#define TPM_PT_VENDOR_STRING_3 (PT_FIXED + 8)
#define TPM_PT_VENDOR_STRING_4 (PT_FIXED + 9)
#define TPM_PT_VENDOR_TPM_TYPE (PT_FIXED + 10)
#define TPM_PT_FIRMWARE_VERSION_1 (PT_FIXED + 11)
#define TPM_PT_FIRMWARE_VERSION_2 (PT_FIXED + 12)
#define TPM_PT_INPUT_BUFFER (PT_FIXED + 13)
#define TPM_PT_HR_TRANSIENT_MIN (PT_FIXED + 14)
#define TPM_PT_HR_PERSISTENT_MIN (PT_FIXED + 15)
#define TPM_PT_HR_LOADED_MIN (PT_FIXED + 16)
#define TPM_PT_ACTIVE_SESSIONS_MAX (PT_FIXED + 17)
#define TPM_PT_PCR_COUNT (PT_FIXED + 18)
#define TPM_PT_PCR_SELECT_MIN (PT_FIXED + 19)
#define TPM_PT_CONTEXT_GAP_MAX (PT_FIXED + 20)
#define TPM_PT_NV_COUNTERS_MAX (PT_FIXED + 22)
#define TPM_PT_NV_INDEX_MAX (PT_FIXED + 23)
#define TPM_PT_MEMORY (PT_FIXED + 24)
#define TPM_PT_CLOCK_UPDATE (PT_FIXED + 25)
#define TPM_PT_CONTEXT_HASH (PT_FIXED + 26)
#define TPM_PT_CONTEXT_SYM (PT_FIXED + 27)
#define TPM_PT_CONTEXT_SYM_SIZE (PT_FIXED + 28)
#define TPM_PT_ORDERLY_COUNT (PT_FIXED + 29)
#define TPM_PT_MAX_COMMAND_SIZE (PT_FIXED + 30)
#define TPM_PT_MAX_RESPONSE_SIZE (PT_FIXED + 31)
#define TPM_PT_MAX_DIGEST (PT_FIXED + 32)
#define TPM_PT_MAX_OBJECT_CONTEXT (PT_FIXED + 33)
#define TPM_PT_MAX_SESSION_CONTEXT (PT_FIXED + 34)
#define TPM_PT_PS_FAMILY_INDICATOR (PT_FIXED + 35)
#define TPM_PT_PS_LEVEL (PT_FIXED + 36)
#define TPM_PT_PS_REVISION (PT_FIXED + 37)
#define TPM_PT_PS_DAY_OF_YEAR (PT_FIXED + 38)
#define TPM_PT_PS_YEAR (PT_FIXED + 39)
#define TPM_PT_SPLIT_MAX (PT_FIXED + 40)
#define TPM_PT_TOTAL_COMMANDS (PT_FIXED + 41)
#define TPM_PT_LIBRARY_COMMANDS (PT_FIXED + 42)
#define TPM_PT_VENDOR_COMMANDS (PT_FIXED + 43)
#define TPM_PT_NV_BUFFER_MAX (PT_FIXED + 44)
#define TPM_PT_MODES (PT_FIXED + 45)
#define TPM_PT_MAX_CAP_BUFFER (PT_FIXED + 46)
#define TPM_PT_FIRMWARE_SVN (PT_FIXED + 47)
#define TPM_PT_FIRMWARE_MAX_SVN (PT_FIXED + 48)
#define TPM_PT_ML_PARAMETER_SETS (PT_FIXED + 49) /* v1.85, TPMA_ML_PARAMETER_SET */
#define PT_VAR (PT_GROUP * 2)
#define TPM_PT_PERMANENT (PT_VAR + 0)
#define TPM_PT_STARTUP_CLEAR (PT_VAR + 1)
#define TPM_PT_HR_NV_INDEX (PT_VAR + 2)
#define TPM_PT_HR_LOADED (PT_VAR + 3)
#define TPM_PT_HR_LOADED_AVAIL (PT_VAR + 4)
#define TPM_PT_HR_ACTIVE (PT_VAR + 5)
#define TPM_PT_HR_ACTIVE_AVAIL (PT_VAR + 6)
#define TPM_PT_HR_TRANSIENT_AVAIL (PT_VAR + 7)
#define TPM_PT_HR_PERSISTENT (PT_VAR + 8)
#define TPM_PT_HR_PERSISTENT_AVAIL (PT_VAR + 9)
#define TPM_PT_NV_COUNTERS (PT_VAR + 10)
#define TPM_PT_NV_COUNTERS_AVAIL (PT_VAR + 11)
#define TPM_PT_ALGORITHM_SET (PT_VAR + 12)
#define TPM_PT_LOADED_CURVES (PT_VAR + 13)
#define TPM_PT_LOCKOUT_COUNTER (PT_VAR + 14)
#define TPM_PT_MAX_AUTH_FAIL (PT_VAR + 15)
#define TPM_PT_LOCKOUT_INTERVAL (PT_VAR + 16)
#define TPM_PT_LOCKOUT_RECOVERY (PT_VAR + 17)
#define TPM_PT_NV_WRITE_RECOVERY (PT_VAR + 18)
#define TPM_PT_AUDIT_COUNTER_0 (PT_VAR + 19)
#define TPM_PT_AUDIT_COUNTER_1 (PT_VAR + 20)

/* ---- Part 2 §6.14 TPM_PT_PCR -------------------------------------------- */

typedef UINT32 TPM_PT_PCR;
#define TPM_PT_PCR_FIRST 0x00000000U
#define TPM_PT_PCR_SAVE 0x00000000U
#define TPM_PT_PCR_EXTEND_L0 0x00000001U
#define TPM_PT_PCR_RESET_L0 0x00000002U
#define TPM_PT_PCR_EXTEND_L1 0x00000003U
#define TPM_PT_PCR_RESET_L1 0x00000004U
#define TPM_PT_PCR_EXTEND_L2 0x00000005U
#define TPM_PT_PCR_RESET_L2 0x00000006U
#define TPM_PT_PCR_EXTEND_L3 0x00000007U
#define TPM_PT_PCR_RESET_L3 0x00000008U
#define TPM_PT_PCR_EXTEND_L4 0x00000009U
#define TPM_PT_PCR_RESET_L4 0x0000000AU
#define TPM_PT_PCR_NO_INCREMENT 0x00000011U
#define TPM_PT_PCR_DRTM_RESET 0x00000012U
#define TPM_PT_PCR_POLICY 0x00000013U
#define TPM_PT_PCR_AUTH 0x00000014U
#define TPM_PT_PCR_LAST 0x00000014U

/* ---- Part 2 §6.15 TPM_PS (platform specific; only PC client used) ------- */

typedef UINT32 TPM_PS;
#define TPM_PS_MAIN 0x00000000U
#define TPM_PS_PC 0x00000001U

/* ---- Part 2 §7 handles -------------------------------------------------- */

typedef UINT32 TPM_HANDLE;
typedef UINT8 TPM_HT;
#define TPM_HT_PCR 0x00
#define TPM_HT_NV_INDEX 0x01
#define TPM_HT_HMAC_SESSION 0x02
#define TPM_HT_LOADED_SESSION 0x02
#define TPM_HT_POLICY_SESSION 0x03
#define TPM_HT_SAVED_SESSION 0x03
#define TPM_HT_PERMANENT 0x40
#define TPM_HT_TRANSIENT 0x80
#define TPM_HT_PERSISTENT 0x81
#define TPM_HT_AC 0x90

typedef TPM_HANDLE TPM_RH;
#define TPM_RH_FIRST 0x40000000U
#define TPM_RH_SRK 0x40000000U
#define TPM_RH_OWNER 0x40000001U
#define TPM_RH_REVOKE 0x40000002U
#define TPM_RH_TRANSPORT 0x40000003U
#define TPM_RH_OPERATOR 0x40000004U
#define TPM_RH_ADMIN 0x40000005U
#define TPM_RH_EK 0x40000006U
#define TPM_RH_NULL 0x40000007U
#define TPM_RH_UNASSIGNED 0x40000008U
#define TPM_RS_PW 0x40000009U
#define TPM_RH_PW TPM_RS_PW
#define TPM_RH_LOCKOUT 0x4000000AU
#define TPM_RH_ENDORSEMENT 0x4000000BU
#define TPM_RH_PLATFORM 0x4000000CU
#define TPM_RH_PLATFORM_NV 0x4000000DU
#define TPM_RH_AUTH_00 0x40000010U
#define TPM_RH_AUTH_FF 0x4000010FU
#define TPM_RH_ACT_0 0x40000110U
#define TPM_RH_ACT_F 0x4000011FU
#define TPM_RH_LAST 0x4000011FU

/* Part 2 §7.5 handle ranges */
#define HR_HANDLE_MASK 0x00FFFFFFU
#define HR_RANGE_MASK 0xFF000000U
#define HR_SHIFT 24
#define HR_PCR ((TPM_HANDLE)TPM_HT_PCR << HR_SHIFT)
#define HR_HMAC_SESSION ((TPM_HANDLE)TPM_HT_HMAC_SESSION << HR_SHIFT)
#define HR_POLICY_SESSION ((TPM_HANDLE)TPM_HT_POLICY_SESSION << HR_SHIFT)
#define HR_TRANSIENT ((TPM_HANDLE)TPM_HT_TRANSIENT << HR_SHIFT)
#define HR_PERSISTENT ((TPM_HANDLE)TPM_HT_PERSISTENT << HR_SHIFT)
#define HR_NV_INDEX ((TPM_HANDLE)TPM_HT_NV_INDEX << HR_SHIFT)
#define HR_PERMANENT ((TPM_HANDLE)TPM_HT_PERMANENT << HR_SHIFT)
#define HR_AC ((TPM_HANDLE)TPM_HT_AC << HR_SHIFT)
#define PCR_FIRST HR_PCR
#define PCR_LAST (PCR_FIRST + IMPLEMENTATION_PCR - 1)
#define HMAC_SESSION_FIRST HR_HMAC_SESSION
#define HMAC_SESSION_LAST (HMAC_SESSION_FIRST + MAX_ACTIVE_SESSIONS - 1)
#define LOADED_SESSION_FIRST HMAC_SESSION_FIRST
#define LOADED_SESSION_LAST HMAC_SESSION_LAST
#define POLICY_SESSION_FIRST HR_POLICY_SESSION
#define POLICY_SESSION_LAST (POLICY_SESSION_FIRST + MAX_ACTIVE_SESSIONS - 1)
#define TRANSIENT_FIRST HR_TRANSIENT
#define TRANSIENT_LAST (TRANSIENT_FIRST + 0x00FFFFFFU)
#define ACTIVE_SESSION_FIRST HMAC_SESSION_FIRST
#define ACTIVE_SESSION_LAST POLICY_SESSION_LAST
#define PERSISTENT_FIRST HR_PERSISTENT
#define PERSISTENT_LAST (PERSISTENT_FIRST + 0x00FFFFFFU)
#define PLATFORM_PERSISTENT (PERSISTENT_FIRST + 0x00800000U)
#define NV_INDEX_FIRST HR_NV_INDEX
#define NV_INDEX_LAST (NV_INDEX_FIRST + 0x00FFFFFFU)
#define PERMANENT_FIRST TPM_RH_FIRST
#define PERMANENT_LAST TPM_RH_LAST
/* Saved-context handles of TPMS_CONTEXT.savedHandle for objects (Part 2 §14.3) */
#define TPM_CONTEXT_TRANSIENT 0x80000000U
#define TPM_CONTEXT_SEQUENCE 0x80000001U
#define TPM_CONTEXT_TRANSIENT_ST_CLEAR 0x80000002U

/* Part 2 §13.1 TPM_NV_INDEX */
typedef TPM_HANDLE TPM_NV_INDEX;
#define TPM_NV_INDEX_INDEX_MASK 0x00FFFFFFU
#define TPM_NV_INDEX_RH_NV_MASK 0xFF000000U
#define TPM_NV_INDEX_RH_NV_SHIFT 24

/* ---- Part 2 §8 attributes ------------------------------------------------ */

/* §8.2 TPMA_ALGORITHM */
typedef UINT32 TPMA_ALGORITHM;
#define TPMA_ALGORITHM_ASYMMETRIC 0x00000001U
#define TPMA_ALGORITHM_SYMMETRIC 0x00000002U
#define TPMA_ALGORITHM_HASH 0x00000004U
#define TPMA_ALGORITHM_OBJECT 0x00000008U
#define TPMA_ALGORITHM_SIGNING 0x00000100U
#define TPMA_ALGORITHM_ENCRYPTING 0x00000200U
#define TPMA_ALGORITHM_METHOD 0x00000400U
#define TPMA_ALGORITHM_RESERVED 0xFFFFF8F0U

/* §8.3 TPMA_OBJECT. firmwareLimited (bit 8) and svnLimited (bit 9) are
 * outside what qtpm offers, so they count as reserved here. */
typedef UINT32 TPMA_OBJECT;
#define TPMA_OBJECT_FIXEDTPM 0x00000002U
#define TPMA_OBJECT_STCLEAR 0x00000004U
#define TPMA_OBJECT_FIXEDPARENT 0x00000010U
#define TPMA_OBJECT_SENSITIVEDATAORIGIN 0x00000020U
#define TPMA_OBJECT_USERWITHAUTH 0x00000040U
#define TPMA_OBJECT_ADMINWITHPOLICY 0x00000080U
#define TPMA_OBJECT_FIRMWARELIMITED 0x00000100U
#define TPMA_OBJECT_SVNLIMITED 0x00000200U
#define TPMA_OBJECT_NODA 0x00000400U
#define TPMA_OBJECT_ENCRYPTEDDUPLICATION 0x00000800U
#define TPMA_OBJECT_RESTRICTED 0x00010000U
#define TPMA_OBJECT_DECRYPT 0x00020000U
#define TPMA_OBJECT_SIGN_ENCRYPT 0x00040000U
#define TPMA_OBJECT_X509SIGN 0x00080000U
#define TPMA_OBJECT_RESERVED 0xFFF0F309U

/* §8.4 TPMA_SESSION */
typedef UINT8 TPMA_SESSION;
#define TPMA_SESSION_CONTINUESESSION 0x01
#define TPMA_SESSION_AUDITEXCLUSIVE 0x02
#define TPMA_SESSION_AUDITRESET 0x04
#define TPMA_SESSION_DECRYPT 0x20
#define TPMA_SESSION_ENCRYPT 0x40
#define TPMA_SESSION_AUDIT 0x80
#define TPMA_SESSION_RESERVED 0x18

/* §8.5 TPMA_LOCALITY */
typedef UINT8 TPMA_LOCALITY;
#define TPMA_LOCALITY_TPM_LOC_ZERO 0x01
#define TPMA_LOCALITY_TPM_LOC_ONE 0x02
#define TPMA_LOCALITY_TPM_LOC_TWO 0x04
#define TPMA_LOCALITY_TPM_LOC_THREE 0x08
#define TPMA_LOCALITY_TPM_LOC_FOUR 0x10
#define TPMA_LOCALITY_EXTENDED_MASK 0xE0
#define TPMA_LOCALITY_EXTENDED_SHIFT 5

/* §8.6 TPMA_PERMANENT */
typedef UINT32 TPMA_PERMANENT;
#define TPMA_PERMANENT_OWNERAUTHSET 0x00000001U
#define TPMA_PERMANENT_ENDORSEMENTAUTHSET 0x00000002U
#define TPMA_PERMANENT_LOCKOUTAUTHSET 0x00000004U
#define TPMA_PERMANENT_DISABLECLEAR 0x00000100U
#define TPMA_PERMANENT_INLOCKOUT 0x00000200U
#define TPMA_PERMANENT_TPMGENERATEDEPS 0x00000400U

/* §8.7 TPMA_STARTUP_CLEAR */
typedef UINT32 TPMA_STARTUP_CLEAR;
#define TPMA_STARTUP_CLEAR_PHENABLE 0x00000001U
#define TPMA_STARTUP_CLEAR_SHENABLE 0x00000002U
#define TPMA_STARTUP_CLEAR_EHENABLE 0x00000004U
#define TPMA_STARTUP_CLEAR_PHENABLENV 0x00000008U
#define TPMA_STARTUP_CLEAR_ORDERLY 0x80000000U

/* §8.8 TPMA_MEMORY, §8.10 TPMA_MODES */
typedef UINT32 TPMA_MEMORY;
#define TPMA_MEMORY_SHAREDRAM 0x00000001U
#define TPMA_MEMORY_SHAREDNV 0x00000002U
#define TPMA_MEMORY_OBJECTCOPIEDTORAM 0x00000004U
typedef UINT32 TPMA_MODES;
#define TPMA_MODES_FIPS_140_2 0x00000001U

/* §8.12 TPMA_ACT */
typedef UINT32 TPMA_ACT;
#define TPMA_ACT_SIGNALED 0x00000001U
#define TPMA_ACT_PRESERVESIGNALED 0x00000002U
#define TPMA_ACT_RESERVED 0xFFFFFFFCU

/* §8.9 TPMA_CC */
typedef UINT32 TPMA_CC;
#define TPMA_CC_COMMANDINDEX_MASK 0x0000FFFFU
#define TPMA_CC_NV 0x00400000U
#define TPMA_CC_EXTENSIVE 0x00800000U
#define TPMA_CC_FLUSHED 0x01000000U
#define TPMA_CC_CHANDLES_MASK 0x0E000000U
#define TPMA_CC_CHANDLES_SHIFT 25
#define TPMA_CC_RHANDLE 0x10000000U
#define TPMA_CC_V 0x20000000U
#define TPMA_CC_RES_MASK 0xC0000000U
#define TPMA_CC_RESERVED 0x003F0000U

/* v1.85 TPMA_ML_PARAMETER_SET (value of TPM_PT_ML_PARAMETER_SETS) */
typedef UINT32 TPMA_ML_PARAMETER_SET;
#define TPMA_ML_PARAMETER_SET_MLKEM_512 0x00000001U
#define TPMA_ML_PARAMETER_SET_MLKEM_768 0x00000002U
#define TPMA_ML_PARAMETER_SET_MLKEM_1024 0x00000004U
#define TPMA_ML_PARAMETER_SET_MLDSA_44 0x00000008U
#define TPMA_ML_PARAMETER_SET_MLDSA_65 0x00000010U
#define TPMA_ML_PARAMETER_SET_MLDSA_87 0x00000020U
#define TPMA_ML_PARAMETER_SET_EXTMU 0x00000040U

/* §13.4 TPMA_NV; bits 7:4 hold TPM_NT */
typedef UINT32 TPMA_NV;
#define TPMA_NV_PPWRITE 0x00000001U
#define TPMA_NV_OWNERWRITE 0x00000002U
#define TPMA_NV_AUTHWRITE 0x00000004U
#define TPMA_NV_POLICYWRITE 0x00000008U
#define TPMA_NV_TPM_NT_MASK 0x000000F0U
#define TPMA_NV_TPM_NT_SHIFT 4
#define TPMA_NV_POLICY_DELETE 0x00000400U
#define TPMA_NV_WRITELOCKED 0x00000800U
#define TPMA_NV_WRITEALL 0x00001000U
#define TPMA_NV_WRITEDEFINE 0x00002000U
#define TPMA_NV_WRITE_STCLEAR 0x00004000U
#define TPMA_NV_GLOBALLOCK 0x00008000U
#define TPMA_NV_PPREAD 0x00010000U
#define TPMA_NV_OWNERREAD 0x00020000U
#define TPMA_NV_AUTHREAD 0x00040000U
#define TPMA_NV_POLICYREAD 0x00080000U
#define TPMA_NV_NO_DA 0x02000000U
#define TPMA_NV_ORDERLY 0x04000000U
#define TPMA_NV_CLEAR_STCLEAR 0x08000000U
#define TPMA_NV_READLOCKED 0x10000000U
#define TPMA_NV_WRITTEN 0x20000000U
#define TPMA_NV_PLATFORMCREATE 0x40000000U
#define TPMA_NV_READ_STCLEAR 0x80000000U
#define TPMA_NV_RESERVED 0x01F00300U

typedef UINT8 TPM_NT;
#define TPM_NT_ORDINARY 0x0
#define TPM_NT_COUNTER 0x1
#define TPM_NT_BITS 0x2
#define TPM_NT_EXTEND 0x4
#define TPM_NT_PIN_FAIL 0x8
#define TPM_NT_PIN_PASS 0x9

/* ---- Part 2 §9 interface types (TPMI_*) -------------------------------- */
/* Each is its base type; the set of allowed values is checked by its
 * unmarshal function in src/marshal (see qtpm/marshal.h). */

typedef BYTE TPMI_YES_NO;
#define YES 1
#define NO 0
typedef TPM_HANDLE TPMI_DH_OBJECT;
typedef TPM_HANDLE TPMI_DH_PARENT;
typedef TPM_HANDLE TPMI_DH_PERSISTENT;
typedef TPM_HANDLE TPMI_DH_ENTITY;
typedef TPM_HANDLE TPMI_DH_PCR;
typedef TPM_HANDLE TPMI_SH_AUTH_SESSION;
typedef TPM_HANDLE TPMI_SH_HMAC;
typedef TPM_HANDLE TPMI_SH_POLICY;
typedef TPM_HANDLE TPMI_DH_CONTEXT;
typedef TPM_HANDLE TPMI_DH_SAVED;
typedef TPM_HANDLE TPMI_RH_HIERARCHY;
typedef TPM_HANDLE TPMI_RH_ENABLES;
typedef TPM_HANDLE TPMI_RH_HIERARCHY_AUTH;
typedef TPM_HANDLE TPMI_RH_HIERARCHY_POLICY;
typedef TPM_HANDLE TPMI_RH_PLATFORM;
typedef TPM_HANDLE TPMI_RH_OWNER;
typedef TPM_HANDLE TPMI_RH_ENDORSEMENT;
typedef TPM_HANDLE TPMI_RH_PROVISION;
typedef TPM_HANDLE TPMI_RH_CLEAR;
typedef TPM_HANDLE TPMI_RH_NV_AUTH;
typedef TPM_HANDLE TPMI_RH_LOCKOUT;
typedef TPM_HANDLE TPMI_RH_NV_INDEX;
typedef TPM_ALG_ID TPMI_ALG_HASH;
typedef TPM_ALG_ID TPMI_ALG_ASYM;
typedef TPM_ALG_ID TPMI_ALG_SYM;
typedef TPM_ALG_ID TPMI_ALG_SYM_OBJECT;
typedef TPM_ALG_ID TPMI_ALG_SYM_MODE;
typedef TPM_ALG_ID TPMI_ALG_KDF;
typedef TPM_ALG_ID TPMI_ALG_SIG_SCHEME;
typedef TPM_ALG_ID TPMI_ECC_KEY_EXCHANGE;
typedef TPM_ST TPMI_ST_COMMAND_TAG;
typedef TPM_ALG_ID TPMI_ALG_MAC_SCHEME;
typedef TPM_ALG_ID TPMI_ALG_CIPHER_MODE;
typedef TPM_KEY_BITS TPMI_AES_KEY_BITS;
typedef TPM_ALG_ID TPMI_ALG_KEYEDHASH_SCHEME;
typedef TPM_ALG_ID TPMI_ALG_ASYM_SCHEME;
typedef TPM_ALG_ID TPMI_ALG_RSA_SCHEME;
typedef TPM_ALG_ID TPMI_ALG_RSA_DECRYPT;
typedef TPM_KEY_BITS TPMI_RSA_KEY_BITS;
typedef TPM_ALG_ID TPMI_ALG_ECC_SCHEME;
typedef TPM_ECC_CURVE TPMI_ECC_CURVE;
typedef TPM_ALG_ID TPMI_ALG_PUBLIC;
typedef TPM_ST TPMI_ST_ATTEST;
typedef TPM_MLKEM_PARMS TPMI_MLKEM_PARMS;
typedef TPM_MLDSA_PARMS TPMI_MLDSA_PARMS;
typedef UINT32 TPM_GENERATED;

/* ---- Part 2 §10.1 TPMS_EMPTY, §10.3 hashes and sized buffers -------------- */

typedef struct {
    BYTE empty[1]; /* C needs a member; marshals to zero bytes */
} TPMS_EMPTY;

typedef union {
    BYTE sha1[20];
    BYTE sha256[32];
    BYTE sha384[48];
    BYTE sha512[64];
    BYTE sha3_256[32];
    BYTE sha3_384[48];
    BYTE sha3_512[64];
} TPMU_HA;

typedef struct {
    TPMI_ALG_HASH hashAlg; /* TPMI_ALG_HASH+ : TPM_ALG_NULL means no digest */
    TPMU_HA digest;
} TPMT_HA;

typedef struct { UINT16 size; BYTE buffer[MAX_DIGEST_SIZE]; } TPM2B_DIGEST;
typedef struct { UINT16 size; BYTE buffer[sizeof(TPMT_HA)]; } TPM2B_DATA;
typedef TPM2B_DIGEST TPM2B_NONCE;
typedef TPM2B_DIGEST TPM2B_AUTH;
typedef TPM2B_DIGEST TPM2B_OPERAND;
typedef struct { UINT16 size; BYTE buffer[MAX_EVENT_SIZE]; } TPM2B_EVENT;
typedef struct { UINT16 size; BYTE buffer[MAX_DIGEST_BUFFER]; } TPM2B_MAX_BUFFER;
typedef struct { UINT16 size; BYTE buffer[MAX_NV_BUFFER_SIZE]; } TPM2B_MAX_NV_BUFFER;
typedef struct { UINT16 size; BYTE buffer[MAX_TIMEOUT_SIZE]; } TPM2B_TIMEOUT;
typedef struct { UINT16 size; BYTE buffer[MAX_SYM_BLOCK_SIZE]; } TPM2B_IV;
/* TPMU_NAME is a digest with its algorithm (2 + 64) or a handle (4). */
typedef struct { UINT16 size; BYTE buffer[2 + MAX_DIGEST_SIZE]; } TPM2B_NAME;

/* ---- §10.5 PCR selections -------------------------------------------- */

typedef struct {
    UINT8 sizeofSelect;
    BYTE pcrSelect[PCR_SELECT_MAX];
} TPMS_PCR_SELECT;

typedef struct {
    TPMI_ALG_HASH hash;
    UINT8 sizeofSelect;
    BYTE pcrSelect[PCR_SELECT_MAX];
} TPMS_PCR_SELECTION;

/* ---- §10.6 tickets ----------------------------------------------------- */

typedef struct {
    TPM_ST tag; /* TPM_ST_CREATION */
    TPMI_RH_HIERARCHY hierarchy;
    TPM2B_DIGEST digest;
} TPMT_TK_CREATION;

/* v1.85 §10.6.4: metadata selected by the ticket's tag; only
 * TPM_ST_DIGEST_VERIFIED carries one (the digest's hash algorithm). */
typedef union {
    TPMS_EMPTY verified;
    TPMS_EMPTY messageVerified;
    TPM_ALG_ID digestVerified;
} TPMU_TK_VERIFIED_META;

typedef struct {
    TPM_ST tag; /* TPM_ST_VERIFIED, _MESSAGE_VERIFIED or _DIGEST_VERIFIED */
    TPMI_RH_HIERARCHY hierarchy;
    TPMU_TK_VERIFIED_META metadata;
    TPM2B_DIGEST hmac; /* called "digest" before v1.85 */
} TPMT_TK_VERIFIED;

typedef struct {
    TPM_ST tag; /* TPM_ST_AUTH_SIGNED or TPM_ST_AUTH_SECRET */
    TPMI_RH_HIERARCHY hierarchy;
    TPM2B_DIGEST digest;
} TPMT_TK_AUTH;

typedef struct {
    TPM_ST tag; /* TPM_ST_HASHCHECK */
    TPMI_RH_HIERARCHY hierarchy;
    TPM2B_DIGEST digest;
} TPMT_TK_HASHCHECK;

/* ---- §10.8, §10.9 lists ---------------------------------------------- */

#define MAX_CAP_DATA (MAX_CAP_BUFFER - sizeof(TPM_CAP) - sizeof(UINT32))
#define MAX_CAP_ALGS (MAX_CAP_DATA / 6)     /* TPMS_ALG_PROPERTY is 6 bytes */
#define MAX_CAP_HANDLES (MAX_CAP_DATA / 4)
#define MAX_CAP_CC (MAX_CAP_DATA / 4)
#define MAX_TPM_PROPERTIES (MAX_CAP_DATA / 8)
#define MAX_PCR_PROPERTIES (MAX_CAP_DATA / (5 + PCR_SELECT_MAX))
#define MAX_ECC_CURVES (MAX_CAP_DATA / 2)

typedef struct {
    TPM_ALG_ID alg;
    TPMA_ALGORITHM algProperties;
} TPMS_ALG_PROPERTY;

typedef struct {
    TPM_PT property;
    UINT32 value;
} TPMS_TAGGED_PROPERTY;

typedef struct {
    TPM_PT_PCR tag;
    UINT8 sizeofSelect;
    BYTE pcrSelect[PCR_SELECT_MAX];
} TPMS_TAGGED_PCR_SELECT;

typedef struct { UINT32 count; TPM_CC commandCodes[MAX_CAP_CC]; } TPML_CC;
typedef struct { UINT32 count; TPMA_CC commandAttributes[MAX_CAP_CC]; } TPML_CCA;
typedef struct { UINT32 count; TPM_ALG_ID algorithms[MAX_ALG_LIST_SIZE]; } TPML_ALG;
typedef struct { UINT32 count; TPM_HANDLE handle[MAX_CAP_HANDLES]; } TPML_HANDLE;
/* TPML_DIGEST holds up to 8 digests (PolicyOR, PCR_Read). */
typedef struct { UINT32 count; TPM2B_DIGEST digests[8]; } TPML_DIGEST;
typedef struct { UINT32 count; TPMT_HA digests[HASH_COUNT]; } TPML_DIGEST_VALUES;
typedef struct { UINT32 count; TPMS_PCR_SELECTION pcrSelections[HASH_COUNT]; } TPML_PCR_SELECTION;
typedef struct { UINT32 count; TPMS_ALG_PROPERTY algProperties[MAX_CAP_ALGS]; } TPML_ALG_PROPERTY;
typedef struct { UINT32 count; TPMS_TAGGED_PROPERTY tpmProperty[MAX_TPM_PROPERTIES]; } TPML_TAGGED_TPM_PROPERTY;
typedef struct { UINT32 count; TPMS_TAGGED_PCR_SELECT pcrProperty[MAX_PCR_PROPERTIES]; } TPML_TAGGED_PCR_PROPERTY;
typedef struct { UINT32 count; TPM_ECC_CURVE eccCurves[MAX_ECC_CURVES]; } TPML_ECC_CURVE;

/* §10.8.5 TPMS_TAGGED_POLICY (TPM_CAP_AUTH_POLICIES), §10.8.6 TPMS_ACT_DATA */
typedef struct {
    TPM_HANDLE handle;
    TPMT_HA policyHash; /* TPM_ALG_NULL when the hierarchy has no policy */
} TPMS_TAGGED_POLICY;

typedef struct {
    TPM_HANDLE handle;
    UINT32 timeout;
    TPMA_ACT attributes;
} TPMS_ACT_DATA;

#define MAX_TAGGED_POLICIES (MAX_CAP_DATA / (4 + 2 + MAX_DIGEST_SIZE))
#define MAX_ACT_DATA (MAX_CAP_DATA / 12)
typedef struct { UINT32 count; TPMS_TAGGED_POLICY policies[MAX_TAGGED_POLICIES]; } TPML_TAGGED_POLICY;
typedef struct { UINT32 count; TPMS_ACT_DATA actData[MAX_ACT_DATA]; } TPML_ACT_DATA;

/* TPM_CAP_VENDOR_PROPERTY (Part 2 §6.12: manufacturer-specific): a list of
 * UINT32, the shape tpm2-tss reads for it (its TPML_INTEL_PTT_PROPERTY);
 * qtpm's values are in docs/SERVER.md "Profiles". */
#define MAX_PTT_PROPERTIES (MAX_CAP_DATA / sizeof(UINT32))
typedef struct { UINT32 count; UINT32 property[MAX_PTT_PROPERTIES]; } TPML_INTEL_PTT_PROPERTY;

/* §10.10 capabilities */
typedef union {
    TPML_ALG_PROPERTY algorithms;           /* TPM_CAP_ALGS */
    TPML_HANDLE handles;                    /* TPM_CAP_HANDLES */
    TPML_CCA command;                       /* TPM_CAP_COMMANDS */
    TPML_CC ppCommands;                     /* TPM_CAP_PP_COMMANDS */
    TPML_CC auditCommands;                  /* TPM_CAP_AUDIT_COMMANDS */
    TPML_PCR_SELECTION assignedPCR;         /* TPM_CAP_PCRS */
    TPML_TAGGED_TPM_PROPERTY tpmProperties; /* TPM_CAP_TPM_PROPERTIES */
    TPML_TAGGED_PCR_PROPERTY pcrProperties; /* TPM_CAP_PCR_PROPERTIES */
    TPML_ECC_CURVE eccCurves;               /* TPM_CAP_ECC_CURVES */
    TPML_TAGGED_POLICY authPolicies;        /* TPM_CAP_AUTH_POLICIES */
    TPML_ACT_DATA actData;                  /* TPM_CAP_ACT */
    TPML_INTEL_PTT_PROPERTY intelPttProperty; /* TPM_CAP_VENDOR_PROPERTY */
} TPMU_CAPABILITIES;

typedef struct {
    TPM_CAP capability;
    TPMU_CAPABILITIES data;
} TPMS_CAPABILITY_DATA;

/* ---- §10.11 clock and time -------------------------------------------- */

typedef struct {
    UINT64 clock;
    UINT32 resetCount;
    UINT32 restartCount;
    TPMI_YES_NO safe;
} TPMS_CLOCK_INFO;

typedef struct {
    UINT64 time;
    TPMS_CLOCK_INFO clockInfo;
} TPMS_TIME_INFO;

/* ---- §10.12 attestation ------------------------------------------------- */

typedef struct {
    TPMS_TIME_INFO time;
    UINT64 firmwareVersion;
} TPMS_TIME_ATTEST_INFO;

typedef struct {
    TPM2B_NAME name;
    TPM2B_NAME qualifiedName;
} TPMS_CERTIFY_INFO;

typedef struct {
    TPML_PCR_SELECTION pcrSelect;
    TPM2B_DIGEST pcrDigest;
} TPMS_QUOTE_INFO;

typedef struct {
    UINT64 auditCounter;
    TPM_ALG_ID digestAlg;
    TPM2B_DIGEST auditDigest;
    TPM2B_DIGEST commandDigest;
} TPMS_COMMAND_AUDIT_INFO;

typedef struct {
    TPMI_YES_NO exclusiveSession;
    TPM2B_DIGEST sessionDigest;
} TPMS_SESSION_AUDIT_INFO;

typedef struct {
    TPM2B_NAME objectName;
    TPM2B_DIGEST creationHash;
} TPMS_CREATION_INFO;

typedef struct {
    TPM2B_NAME indexName;
    UINT16 offset;
    TPM2B_MAX_NV_BUFFER nvContents;
} TPMS_NV_CERTIFY_INFO;

typedef struct {
    TPM2B_NAME indexName;
    TPM2B_DIGEST nvDigest;
} TPMS_NV_DIGEST_CERTIFY_INFO;

typedef union {
    TPMS_CERTIFY_INFO certify;              /* TPM_ST_ATTEST_CERTIFY */
    TPMS_CREATION_INFO creation;            /* TPM_ST_ATTEST_CREATION */
    TPMS_QUOTE_INFO quote;                  /* TPM_ST_ATTEST_QUOTE */
    TPMS_COMMAND_AUDIT_INFO commandAudit;   /* TPM_ST_ATTEST_COMMAND_AUDIT */
    TPMS_SESSION_AUDIT_INFO sessionAudit;   /* TPM_ST_ATTEST_SESSION_AUDIT */
    TPMS_TIME_ATTEST_INFO time;             /* TPM_ST_ATTEST_TIME */
    TPMS_NV_CERTIFY_INFO nv;                /* TPM_ST_ATTEST_NV */
    TPMS_NV_DIGEST_CERTIFY_INFO nvDigest;   /* TPM_ST_ATTEST_NV_DIGEST */
} TPMU_ATTEST;

typedef struct {
    TPM_GENERATED magic; /* TPM_GENERATED_VALUE */
    TPMI_ST_ATTEST type;
    TPM2B_NAME qualifiedSigner;
    TPM2B_DATA extraData;
    TPMS_CLOCK_INFO clockInfo;
    UINT64 firmwareVersion;
    TPMU_ATTEST attested;
} TPMS_ATTEST;

typedef struct { UINT16 size; BYTE buffer[MAX_ATTEST_BUFFER]; } TPM2B_ATTEST;

/* ---- §10.13 session authorizations (helpers for the session areas) ----- */

typedef struct {
    TPMI_SH_AUTH_SESSION sessionHandle;
    TPM2B_NONCE nonce;
    TPMA_SESSION sessionAttributes;
    TPM2B_AUTH hmac;
} TPMS_AUTH_COMMAND;

typedef struct {
    TPM2B_NONCE nonce;
    TPMA_SESSION sessionAttributes;
    TPM2B_AUTH hmac;
} TPMS_AUTH_RESPONSE;

/* ---- §11.1 symmetric ---------------------------------------------------- */

typedef union {
    TPMI_AES_KEY_BITS aes;
    TPM_KEY_BITS sym;
    TPMI_ALG_HASH exclusiveOr; /* TPM_ALG_XOR: the hash of the XOR obfuscation */
} TPMU_SYM_KEY_BITS;

typedef union {
    TPMI_ALG_SYM_MODE aes;
    TPMI_ALG_SYM_MODE sym;
} TPMU_SYM_MODE;

typedef struct {
    TPMI_ALG_SYM algorithm; /* AES, XOR, or TPM_ALG_NULL (then nothing follows) */
    TPMU_SYM_KEY_BITS keyBits;
    TPMU_SYM_MODE mode; /* not present for XOR */
} TPMT_SYM_DEF;

typedef struct {
    TPMI_ALG_SYM_OBJECT algorithm; /* AES or TPM_ALG_NULL */
    TPMU_SYM_KEY_BITS keyBits;
    TPMU_SYM_MODE mode;
} TPMT_SYM_DEF_OBJECT;

typedef struct { UINT16 size; BYTE buffer[MAX_SYM_KEY_BYTES]; } TPM2B_SYM_KEY;

typedef struct {
    TPMT_SYM_DEF_OBJECT sym;
} TPMS_SYMCIPHER_PARMS;

typedef struct { UINT16 size; BYTE buffer[MAX_LABEL_SIZE]; } TPM2B_LABEL;

typedef struct {
    TPM2B_LABEL label;
    TPM2B_LABEL context;
} TPMS_DERIVE;

typedef struct { UINT16 size; BYTE buffer[sizeof(TPMS_DERIVE)]; } TPM2B_DERIVE;

/* TPMU_SENSITIVE_CREATE: MAX_SYM_DATA bytes or a TPMS_DERIVE */
typedef struct { UINT16 size; BYTE buffer[MAX_SYM_DATA]; } TPM2B_SENSITIVE_DATA;

typedef struct {
    TPM2B_AUTH userAuth;
    TPM2B_SENSITIVE_DATA data;
} TPMS_SENSITIVE_CREATE;

typedef struct {
    UINT16 size; /* computed by the marshaller; checked on unmarshal */
    TPMS_SENSITIVE_CREATE sensitive;
} TPM2B_SENSITIVE_CREATE;

/* ---- §11.1.x schemes --------------------------------------------------- */

typedef struct {
    TPMI_ALG_HASH hashAlg;
} TPMS_SCHEME_HASH;

typedef struct {
    TPMI_ALG_HASH hashAlg;
    UINT16 count;
} TPMS_SCHEME_ECDAA;

typedef TPMS_SCHEME_HASH TPMS_SCHEME_HMAC;

typedef struct {
    TPMI_ALG_HASH hashAlg;
    TPMI_ALG_KDF kdf;
} TPMS_SCHEME_XOR;

typedef union {
    TPMS_SCHEME_HMAC hmac;       /* TPM_ALG_HMAC */
    TPMS_SCHEME_XOR exclusiveOr; /* TPM_ALG_XOR */
} TPMU_SCHEME_KEYEDHASH;

typedef struct {
    TPMI_ALG_KEYEDHASH_SCHEME scheme;
    TPMU_SCHEME_KEYEDHASH details;
} TPMT_KEYEDHASH_SCHEME;

typedef TPMS_SCHEME_HASH TPMS_SIG_SCHEME_RSASSA;
typedef TPMS_SCHEME_HASH TPMS_SIG_SCHEME_RSAPSS;
typedef TPMS_SCHEME_HASH TPMS_SIG_SCHEME_ECDSA;
typedef TPMS_SCHEME_HASH TPMS_SIG_SCHEME_SM2;
typedef TPMS_SCHEME_HASH TPMS_SIG_SCHEME_ECSCHNORR;
typedef TPMS_SCHEME_ECDAA TPMS_SIG_SCHEME_ECDAA;
/* qtpm: HashML-DSA names its pre-hash in the scheme; pure ML-DSA has no
 * scheme parameters (TPMS_EMPTY). */
typedef TPMS_SCHEME_HASH TPMS_SIG_SCHEME_HASH_MLDSA;

typedef union {
    TPMS_SIG_SCHEME_RSASSA rsassa;
    TPMS_SIG_SCHEME_RSAPSS rsapss;
    TPMS_SIG_SCHEME_ECDSA ecdsa;
    TPMS_SIG_SCHEME_ECDAA ecdaa;
    TPMS_SIG_SCHEME_SM2 sm2;
    TPMS_SIG_SCHEME_ECSCHNORR ecschnorr;
    TPMS_SCHEME_HMAC hmac;
    TPMS_SIG_SCHEME_HASH_MLDSA hash_mldsa;
    TPMS_EMPTY mldsa;
    TPMS_SCHEME_HASH any;
} TPMU_SIG_SCHEME;

typedef struct {
    TPMI_ALG_SIG_SCHEME scheme;
    TPMU_SIG_SCHEME details;
} TPMT_SIG_SCHEME;

typedef TPMS_SCHEME_HASH TPMS_ENC_SCHEME_OAEP;
typedef TPMS_EMPTY TPMS_ENC_SCHEME_RSAES;
typedef TPMS_SCHEME_HASH TPMS_KEY_SCHEME_ECDH;
typedef TPMS_SCHEME_HASH TPMS_KEY_SCHEME_ECMQV;
typedef TPMS_SCHEME_HASH TPMS_SCHEME_MGF1;
typedef TPMS_SCHEME_HASH TPMS_SCHEME_KDF1_SP800_56A;
typedef TPMS_SCHEME_HASH TPMS_SCHEME_KDF2;
typedef TPMS_SCHEME_HASH TPMS_SCHEME_KDF1_SP800_108;

typedef union {
    TPMS_SCHEME_MGF1 mgf1;
    TPMS_SCHEME_KDF1_SP800_56A kdf1_sp800_56a;
    TPMS_SCHEME_KDF2 kdf2;
    TPMS_SCHEME_KDF1_SP800_108 kdf1_sp800_108;
} TPMU_KDF_SCHEME;

typedef struct {
    TPMI_ALG_KDF scheme;
    TPMU_KDF_SCHEME details;
} TPMT_KDF_SCHEME;

typedef union {
    TPMS_KEY_SCHEME_ECDH ecdh;
    TPMS_KEY_SCHEME_ECMQV ecmqv;
    TPMS_SIG_SCHEME_RSASSA rsassa;
    TPMS_SIG_SCHEME_RSAPSS rsapss;
    TPMS_SIG_SCHEME_ECDSA ecdsa;
    TPMS_SIG_SCHEME_ECDAA ecdaa;
    TPMS_SIG_SCHEME_SM2 sm2;
    TPMS_SIG_SCHEME_ECSCHNORR ecschnorr;
    TPMS_ENC_SCHEME_RSAES rsaes;
    TPMS_ENC_SCHEME_OAEP oaep;
    TPMS_SCHEME_HASH anySig;
} TPMU_ASYM_SCHEME;

typedef struct {
    TPMI_ALG_ASYM_SCHEME scheme;
    TPMU_ASYM_SCHEME details;
} TPMT_ASYM_SCHEME;

typedef struct {
    TPMI_ALG_RSA_SCHEME scheme;
    TPMU_ASYM_SCHEME details;
} TPMT_RSA_SCHEME;

typedef struct {
    TPMI_ALG_RSA_DECRYPT scheme;
    TPMU_ASYM_SCHEME details;
} TPMT_RSA_DECRYPT;

typedef struct {
    TPMI_ALG_ECC_SCHEME scheme;
    TPMU_ASYM_SCHEME details;
} TPMT_ECC_SCHEME;

/* ---- §11.2 asymmetric key material ------------------------------------- */

typedef struct { UINT16 size; BYTE buffer[MAX_RSA_KEY_BYTES]; } TPM2B_PUBLIC_KEY_RSA;
typedef struct { UINT16 size; BYTE buffer[MAX_RSA_PRIVATE_BYTES]; } TPM2B_PRIVATE_KEY_RSA;
typedef struct { UINT16 size; BYTE buffer[MAX_ECC_KEY_BYTES]; } TPM2B_ECC_PARAMETER;

typedef struct {
    TPM2B_ECC_PARAMETER x;
    TPM2B_ECC_PARAMETER y;
} TPMS_ECC_POINT;

typedef struct {
    UINT16 size; /* computed by the marshaller; checked on unmarshal */
    TPMS_ECC_POINT point;
} TPM2B_ECC_POINT;

typedef struct {
    TPM_ECC_CURVE curveID;
    UINT16 keySize;
    TPMT_KDF_SCHEME kdf;
    TPMT_ECC_SCHEME sign;
    TPM2B_ECC_PARAMETER p;
    TPM2B_ECC_PARAMETER a;
    TPM2B_ECC_PARAMETER b;
    TPM2B_ECC_PARAMETER gX;
    TPM2B_ECC_PARAMETER gY;
    TPM2B_ECC_PARAMETER n;
    TPM2B_ECC_PARAMETER h;
} TPMS_ALGORITHM_DETAIL_ECC;

/* v1.85 ML-KEM (§11.2.6) and ML-DSA (§11.2.7) key material */
typedef struct { UINT16 size; BYTE buffer[MAX_MLKEM_PUB_SIZE]; } TPM2B_PUBLIC_KEY_MLKEM;
typedef struct { UINT16 size; BYTE buffer[MAX_MLKEM_PRIV_SEED_SIZE]; } TPM2B_PRIVATE_KEY_MLKEM;
typedef struct { UINT16 size; BYTE buffer[MAX_MLDSA_PUB_SIZE]; } TPM2B_PUBLIC_KEY_MLDSA;
typedef struct { UINT16 size; BYTE buffer[MAX_MLDSA_PRIV_SEED_SIZE]; } TPM2B_PRIVATE_KEY_MLDSA;
/* v1.85 §10.3.12-14: KEM output of TPM2_Encapsulate / input of Decapsulate */
typedef struct { UINT16 size; BYTE buffer[MAX_SHARED_SECRET_SIZE]; } TPM2B_SHARED_SECRET;
typedef struct { UINT16 size; BYTE buffer[MAX_KEM_CIPHERTEXT_SIZE]; } TPM2B_KEM_CIPHERTEXT;

/* ---- §11.3 signatures --------------------------------------------------- */

typedef struct {
    TPMI_ALG_HASH hash;
    TPM2B_PUBLIC_KEY_RSA sig;
} TPMS_SIGNATURE_RSA;
typedef TPMS_SIGNATURE_RSA TPMS_SIGNATURE_RSASSA;
typedef TPMS_SIGNATURE_RSA TPMS_SIGNATURE_RSAPSS;

typedef struct {
    TPMI_ALG_HASH hash;
    TPM2B_ECC_PARAMETER signatureR;
    TPM2B_ECC_PARAMETER signatureS;
} TPMS_SIGNATURE_ECC;
typedef TPMS_SIGNATURE_ECC TPMS_SIGNATURE_ECDSA;
typedef TPMS_SIGNATURE_ECC TPMS_SIGNATURE_ECDAA;
typedef TPMS_SIGNATURE_ECC TPMS_SIGNATURE_SM2;
typedef TPMS_SIGNATURE_ECC TPMS_SIGNATURE_ECSCHNORR;

/* v1.85 §11.3.4: an ML-DSA signature is a bare TPM2B (no hash field). */
typedef struct { UINT16 size; BYTE buffer[MAX_MLDSA_SIG_SIZE]; } TPM2B_SIGNATURE_MLDSA;

/* v1.85 §11.2.7.2: HashML-DSA carries its pre-hash algorithm. */
typedef struct {
    TPMI_ALG_HASH hash;
    TPM2B_SIGNATURE_MLDSA signature;
} TPMS_SIGNATURE_HASH_MLDSA;

typedef union {
    TPMS_SIGNATURE_RSASSA rsassa;
    TPMS_SIGNATURE_RSAPSS rsapss;
    TPMS_SIGNATURE_ECDSA ecdsa;
    TPMS_SIGNATURE_ECDAA ecdaa;
    TPMS_SIGNATURE_SM2 sm2;
    TPMS_SIGNATURE_ECSCHNORR ecschnorr;
    TPMT_HA hmac;
    TPM2B_SIGNATURE_MLDSA mldsa;
    TPMS_SIGNATURE_HASH_MLDSA hash_mldsa;
    TPMS_SCHEME_HASH any;
} TPMU_SIGNATURE;

typedef struct {
    TPMI_ALG_SIG_SCHEME sigAlg; /* TPM_ALG_NULL: no signature follows */
    TPMU_SIGNATURE signature;
} TPMT_SIGNATURE;

/* v1.85 §11.3.8-9: signing context string and (EdDSA) hint */
typedef struct { UINT16 size; BYTE buffer[MAX_SIG_CTX_BYTES]; } TPM2B_SIGNATURE_CTX;
typedef struct { UINT16 size; BYTE buffer[MAX_SIGNATURE_HINT_SIZE]; } TPM2B_SIGNATURE_HINT;

/* §11.4 secret exchange: the largest of an RSA ciphertext, an ECC point,
 * an ML-KEM ciphertext and a digest. */
typedef struct { UINT16 size; BYTE buffer[MAX_ENCRYPTED_SECRET_SIZE]; } TPM2B_ENCRYPTED_SECRET;

/* qtpm's vendor commands (TPM_CC_Vendor_LDAA_*): one piece of an LDAA
 * output (join request, commitment, answer) that is longer than a
 * response, QTPM_LDAA_PIECE_MAX bytes at most (docs/DAA.md "LDAA in the
 * engine"). Not a Part 2 type. */
#define QTPM_LDAA_PIECE_MAX 7680
typedef struct { UINT16 size; BYTE buffer[QTPM_LDAA_PIECE_MAX]; } TPM2B_VENDOR_LDAA_PIECE;

/* ---- §12 key/object ------------------------------------------------------ */

typedef struct {
    TPMT_KEYEDHASH_SCHEME scheme;
} TPMS_KEYEDHASH_PARMS;

typedef struct {
    TPMT_SYM_DEF_OBJECT symmetric;
    TPMT_ASYM_SCHEME scheme;
} TPMS_ASYM_PARMS;

typedef struct {
    TPMT_SYM_DEF_OBJECT symmetric;
    TPMT_RSA_SCHEME scheme;
    TPMI_RSA_KEY_BITS keyBits;
    UINT32 exponent; /* 0 means 65537 */
} TPMS_RSA_PARMS;

typedef struct {
    TPMT_SYM_DEF_OBJECT symmetric;
    TPMT_ECC_SCHEME scheme;
    TPMI_ECC_CURVE curveID;
    TPMT_KDF_SCHEME kdf;
} TPMS_ECC_PARMS;

/* v1.85 §12.2.3.8: symmetric comes first (restricted decryption keys). */
typedef struct {
    TPMT_SYM_DEF_OBJECT symmetric;
    TPMI_MLKEM_PARMS parameterSet;
} TPMS_MLKEM_PARMS;

/* v1.85 §12.2.3.6 */
typedef struct {
    TPMI_MLDSA_PARMS parameterSet;
    TPMI_YES_NO allowExternalMu;
} TPMS_MLDSA_PARMS;

/* v1.85 §12.2.3.7 */
typedef struct {
    TPMI_MLDSA_PARMS parameterSet;
    TPMI_ALG_HASH hashAlg;
} TPMS_HASH_MLDSA_PARMS;

typedef union {
    TPMS_KEYEDHASH_PARMS keyedHashDetail;  /* TPM_ALG_KEYEDHASH */
    TPMS_SYMCIPHER_PARMS symDetail;        /* TPM_ALG_SYMCIPHER */
    TPMS_RSA_PARMS rsaDetail;              /* TPM_ALG_RSA */
    TPMS_ECC_PARMS eccDetail;              /* TPM_ALG_ECC */
    TPMS_MLKEM_PARMS mlkemDetail;          /* TPM_ALG_MLKEM */
    TPMS_MLDSA_PARMS mldsaDetail;          /* TPM_ALG_MLDSA */
    TPMS_HASH_MLDSA_PARMS hashMldsaDetail; /* TPM_ALG_HASH_MLDSA */
    TPMS_ASYM_PARMS asymDetail;
} TPMU_PUBLIC_PARMS;

typedef struct {
    TPMI_ALG_PUBLIC type;
    TPMU_PUBLIC_PARMS parameters;
} TPMT_PUBLIC_PARMS;

typedef union {
    TPM2B_DIGEST keyedHash;         /* TPM_ALG_KEYEDHASH */
    TPM2B_DIGEST sym;               /* TPM_ALG_SYMCIPHER */
    TPM2B_PUBLIC_KEY_RSA rsa;       /* TPM_ALG_RSA */
    TPMS_ECC_POINT ecc;             /* TPM_ALG_ECC */
    TPM2B_PUBLIC_KEY_MLKEM mlkem;   /* TPM_ALG_MLKEM */
    TPM2B_PUBLIC_KEY_MLDSA mldsa;   /* TPM_ALG_MLDSA and TPM_ALG_HASH_MLDSA */
    TPMS_DERIVE derive;
} TPMU_PUBLIC_ID;

typedef struct {
    TPMI_ALG_PUBLIC type;
    TPMI_ALG_HASH nameAlg; /* +TPMI_ALG_HASH: NULL only where the caller allows */
    TPMA_OBJECT objectAttributes;
    TPM2B_DIGEST authPolicy;
    TPMU_PUBLIC_PARMS parameters;
    TPMU_PUBLIC_ID unique;
} TPMT_PUBLIC;

typedef struct {
    UINT16 size; /* computed by the marshaller; checked on unmarshal */
    TPMT_PUBLIC publicArea;
} TPM2B_PUBLIC;

typedef struct { UINT16 size; BYTE buffer[sizeof(TPMT_PUBLIC)]; } TPM2B_TEMPLATE;

typedef union {
    TPM2B_PRIVATE_KEY_RSA rsa;      /* TPM_ALG_RSA: prime p */
    TPM2B_ECC_PARAMETER ecc;        /* TPM_ALG_ECC: private scalar */
    TPM2B_SENSITIVE_DATA bits;      /* TPM_ALG_KEYEDHASH */
    TPM2B_SYM_KEY sym;              /* TPM_ALG_SYMCIPHER */
    TPM2B_PRIVATE_KEY_MLKEM mlkem;  /* TPM_ALG_MLKEM: seed d ‖ z */
    TPM2B_PRIVATE_KEY_MLDSA mldsa;  /* TPM_ALG_MLDSA / HASH_MLDSA: seed ξ */
} TPMU_SENSITIVE_COMPOSITE;

typedef struct {
    TPMI_ALG_PUBLIC sensitiveType;
    TPM2B_AUTH authValue;
    TPM2B_DIGEST seedValue;
    TPMU_SENSITIVE_COMPOSITE sensitive;
} TPMT_SENSITIVE;

typedef struct {
    UINT16 size; /* computed by the marshaller; 0 means "no sensitive area" */
    TPMT_SENSITIVE sensitiveArea;
} TPM2B_SENSITIVE;

/* TPM2B_PRIVATE: an opaque blob (outer integrity HMAC, then the encrypted
 * TPM2B_SENSITIVE); its layout is the engine's business (Part 1 §23). */
typedef struct { UINT16 size; BYTE buffer[MAX_PRIVATE_BUFFER]; } TPM2B_PRIVATE;

/* §12.4 credential: TPM2B_ID_OBJECT carries the marshalled TPMS_ID_OBJECT,
 * whose encIdentity is encrypted (its size field too), so it stays bytes. */
typedef struct {
    TPM2B_DIGEST integrityHMAC;
    TPM2B_DIGEST encIdentity;
} TPMS_ID_OBJECT;

typedef struct { UINT16 size; BYTE buffer[sizeof(TPMS_ID_OBJECT)]; } TPM2B_ID_OBJECT;

/* ---- §13 NV ------------------------------------------------------------- */

typedef struct {
    TPMI_RH_NV_INDEX nvIndex;
    TPMI_ALG_HASH nameAlg;
    TPMA_NV attributes;
    TPM2B_DIGEST authPolicy;
    UINT16 dataSize;
} TPMS_NV_PUBLIC;

typedef struct {
    UINT16 size; /* computed by the marshaller; checked on unmarshal */
    TPMS_NV_PUBLIC nvPublic;
} TPM2B_NV_PUBLIC;

/* ---- §14 context ------------------------------------------------------- */

typedef struct { UINT16 size; BYTE buffer[MAX_CONTEXT_SIZE - 2 - MAX_DIGEST_SIZE]; } TPM2B_CONTEXT_SENSITIVE;

typedef struct {
    TPM2B_DIGEST integrity;
    TPM2B_CONTEXT_SENSITIVE encrypted;
} TPMS_CONTEXT_DATA;

typedef struct { UINT16 size; BYTE buffer[MAX_CONTEXT_SIZE]; } TPM2B_CONTEXT_DATA;

typedef struct {
    UINT64 sequence;
    TPMI_DH_SAVED savedHandle;
    TPMI_RH_HIERARCHY hierarchy;
    TPM2B_CONTEXT_DATA contextBlob;
} TPMS_CONTEXT;

/* ---- §15 creation data ------------------------------------------------- */

typedef struct {
    TPML_PCR_SELECTION pcrSelect;
    TPM2B_DIGEST pcrDigest;
    TPMA_LOCALITY locality;
    TPM_ALG_ID parentNameAlg;
    TPM2B_NAME parentName;
    TPM2B_NAME parentQualifiedName;
    TPM2B_DATA outsideInfo;
} TPMS_CREATION_DATA;

typedef struct {
    UINT16 size; /* computed by the marshaller; checked on unmarshal */
    TPMS_CREATION_DATA creationData;
} TPM2B_CREATION_DATA;

#endif
