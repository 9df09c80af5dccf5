/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * keycmds.h — the typed parameters (params.h) of the object, key and crypto
 * command families: sym.c (Part 3 §15, §17), pqc.c (v1.85), credential.c
 * (§12.5-12.6), asym.c (§14, §20), ecdaa.c (§14.7, §19), object.c (§12,
 * §24.1), duplicate.c (§13) and ldaa.c (vendor-specific).
 *
 * Each command's lists follow Part 3's tables (field names as there; the
 * v1.85 layouts as docs/PQC.md "Commands" gives them). Every command of
 * these families is TYPED in QTPM_COMMANDS and has its PRM_COMMAND here. Types ending in _CHECKED or
 * _EMPTY are the engine's adapters of tmarshal.h (the Part 2 type plus what
 * this engine implements); _NULL is Part 2's "+".
 */
#ifndef QTPM_ENGINE_KEYCMDS_H
#define QTPM_ENGINE_KEYCMDS_H

#include "params.h"
#include "tmarshal.h"

/* ---------------------------------------------------------------- sym.c */

#define EncryptDecrypt_IN(P)                                                            \
    P(TPMI_YES_NO, decrypt) P(TPMI_ALG_CIPHER_MODE_NULL, mode) P(TPM2B_IV, ivIn)        \
    P(TPM2B_MAX_BUFFER, inData)
#define EncryptDecrypt_OUT(P) P(TPM2B_MAX_BUFFER, outData) P(TPM2B_IV, ivOut)
PRM_COMMAND(EncryptDecrypt)
#define EncryptDecrypt2_IN(P)                                                           \
    P(TPM2B_MAX_BUFFER, inData) P(TPMI_YES_NO, decrypt) P(TPMI_ALG_CIPHER_MODE_NULL, mode) \
    P(TPM2B_IV, ivIn)
#define EncryptDecrypt2_OUT(P) P(TPM2B_MAX_BUFFER, outData) P(TPM2B_IV, ivOut)
PRM_COMMAND(EncryptDecrypt2)
#define HMAC_IN(P) P(TPM2B_MAX_BUFFER, buffer) P(TPMI_ALG_HASH_NULL, hashAlg)
#define HMAC_OUT(P) P(TPM2B_DIGEST, outHMAC)
PRM_COMMAND(HMAC)
#define Hash_IN(P) P(TPM2B_MAX_BUFFER, data) P(TPMI_ALG_HASH, hashAlg) P(TPMI_RH_HIERARCHY_NULL, hierarchy)
#define Hash_OUT(P) P(TPM2B_DIGEST, outHash) P(TPMT_TK_HASHCHECK, validation)
PRM_COMMAND(Hash)
#define HashSequenceStart_IN(P) P(TPM2B_AUTH, auth) P(TPMI_ALG_HASH_NULL, hashAlg)
#define HashSequenceStart_OUT(P)
PRM_COMMAND(HashSequenceStart)
#define HMAC_Start_IN(P) P(TPM2B_AUTH, auth) P(TPMI_ALG_HASH_NULL, hashAlg)
#define HMAC_Start_OUT(P)
PRM_COMMAND(HMAC_Start)
#define SequenceUpdate_IN(P) P(TPM2B_MAX_BUFFER, buffer)
#define SequenceUpdate_OUT(P)
PRM_COMMAND(SequenceUpdate)
#define SequenceComplete_IN(P) P(TPM2B_MAX_BUFFER, buffer) P(TPMI_RH_HIERARCHY_NULL, hierarchy)
#define SequenceComplete_OUT(P) P(TPM2B_DIGEST, result) P(TPMT_TK_HASHCHECK, validation)
PRM_COMMAND(SequenceComplete)
#define EventSequenceComplete_IN(P) P(TPM2B_MAX_BUFFER, buffer)
#define EventSequenceComplete_OUT(P) P(TPML_DIGEST_VALUES, results)
PRM_COMMAND(EventSequenceComplete)

/* ---------------------------------------------------------------- pqc.c (v1.85) */

#define Encapsulate_IN(P)
#define Encapsulate_OUT(P) P(TPM2B_SHARED_SECRET, sharedSecret) P(TPM2B_KEM_CIPHERTEXT, ciphertext)
PRM_COMMAND(Encapsulate)
#define Decapsulate_IN(P) P(TPM2B_KEM_CIPHERTEXT, ciphertext)
#define Decapsulate_OUT(P) P(TPM2B_SHARED_SECRET, sharedSecret)
PRM_COMMAND(Decapsulate)
#define SignDigest_IN(P)                                                                \
    P(TPM2B_SIGNATURE_CTX, context) P(TPM2B_DIGEST, digest) P(TPMT_TK_HASHCHECK, validation)
#define SignDigest_OUT(P) P(TPMT_SIGNATURE, signature)
PRM_COMMAND(SignDigest)
#define VerifyDigestSignature_IN(P)                                                     \
    P(TPM2B_SIGNATURE_CTX, context) P(TPM2B_DIGEST, digest)                             \
    P(TPMT_SIGNATURE_CHECKED_NULL, signature)
#define VerifyDigestSignature_OUT(P) P(TPMT_TK_VERIFIED, validation)
PRM_COMMAND(VerifyDigestSignature)
#define SignSequenceStart_IN(P) P(TPM2B_AUTH, auth) P(TPM2B_SIGNATURE_CTX, context)
#define SignSequenceStart_OUT(P)
PRM_COMMAND(SignSequenceStart)
#define VerifySequenceStart_IN(P)                                                       \
    P(TPM2B_AUTH, auth) P(TPM2B_SIGNATURE_HINT, hint) P(TPM2B_SIGNATURE_CTX, context)
#define VerifySequenceStart_OUT(P)
PRM_COMMAND(VerifySequenceStart)
#define SignSequenceComplete_IN(P) P(TPM2B_MAX_BUFFER, buffer)
#define SignSequenceComplete_OUT(P) P(TPMT_SIGNATURE, signature)
PRM_COMMAND(SignSequenceComplete)
#define VerifySequenceComplete_IN(P) P(TPMT_SIGNATURE_CHECKED_NULL, signature)
#define VerifySequenceComplete_OUT(P) P(TPMT_TK_VERIFIED, validation)
PRM_COMMAND(VerifySequenceComplete)

/* ---------------------------------------------------------------- credential.c */

#define MakeCredential_IN(P) P(TPM2B_DIGEST, credential) P(TPM2B_NAME, objectName)
#define MakeCredential_OUT(P) P(TPM2B_ID_OBJECT, credentialBlob) P(TPM2B_ENCRYPTED_SECRET, secret)
PRM_COMMAND(MakeCredential)
#define ActivateCredential_IN(P) P(TPM2B_ID_OBJECT, credentialBlob) P(TPM2B_ENCRYPTED_SECRET, secret)
#define ActivateCredential_OUT(P) P(TPM2B_DIGEST, certInfo)
PRM_COMMAND(ActivateCredential)

/* ---------------------------------------------------------------- asym.c */

#define Sign_IN(P)                                                                      \
    P(TPM2B_DIGEST, digest) P(TPMT_SIG_SCHEME_CHECKED_NULL, inScheme)                   \
    P(TPMT_TK_HASHCHECK, validation)
#define Sign_OUT(P) P(TPMT_SIGNATURE, signature)
PRM_COMMAND(Sign)
#define VerifySignature_IN(P) P(TPM2B_DIGEST, digest) P(TPMT_SIGNATURE_CHECKED_NULL, signature)
#define VerifySignature_OUT(P) P(TPMT_TK_VERIFIED, validation)
PRM_COMMAND(VerifySignature)
#define RSA_Encrypt_IN(P)                                                               \
    P(TPM2B_PUBLIC_KEY_RSA, message) P(TPMT_RSA_DECRYPT_CHECKED_NULL, inScheme)         \
    P(TPM2B_DATA, label)
#define RSA_Encrypt_OUT(P) P(TPM2B_PUBLIC_KEY_RSA, outData)
PRM_COMMAND(RSA_Encrypt)
#define RSA_Decrypt_IN(P)                                                               \
    P(TPM2B_PUBLIC_KEY_RSA, cipherText) P(TPMT_RSA_DECRYPT_CHECKED_NULL, inScheme)      \
    P(TPM2B_DATA, label)
#define RSA_Decrypt_OUT(P) P(TPM2B_PUBLIC_KEY_RSA, message)
PRM_COMMAND(RSA_Decrypt)
#define ECDH_KeyGen_IN(P)
#define ECDH_KeyGen_OUT(P) P(TPM2B_ECC_POINT, zPoint) P(TPM2B_ECC_POINT, pubPoint)
PRM_COMMAND(ECDH_KeyGen)
#define ECDH_ZGen_IN(P) P(TPM2B_ECC_POINT, inPoint)
#define ECDH_ZGen_OUT(P) P(TPM2B_ECC_POINT, outPoint)
PRM_COMMAND(ECDH_ZGen)
#define ECC_Parameters_IN(P) P(TPMI_ECC_CURVE, curveID)
#define ECC_Parameters_OUT(P) P(TPMS_ALGORITHM_DETAIL_ECC, parameters)
PRM_COMMAND(ECC_Parameters)

/* ---------------------------------------------------------------- ecdaa.c */

#define Commit_IN(P)                                                                    \
    P(TPM2B_ECC_POINT_EMPTY, P1) P(TPM2B_SENSITIVE_DATA, s2) P(TPM2B_ECC_PARAMETER, y2)
#define Commit_OUT(P)                                                                   \
    P(TPM2B_ECC_POINT, K) P(TPM2B_ECC_POINT, L) P(TPM2B_ECC_POINT, E) P(UINT16, counter)
PRM_COMMAND(Commit)
#define EC_Ephemeral_IN(P) P(TPMI_ECC_CURVE, curveID)
#define EC_Ephemeral_OUT(P) P(TPM2B_ECC_POINT, Q) P(UINT16, counter)
PRM_COMMAND(EC_Ephemeral)
#define ZGen_2Phase_IN(P)                                                               \
    P(TPM2B_ECC_POINT_EMPTY, inQsB) P(TPM2B_ECC_POINT_EMPTY, inQeB)                     \
    P(TPMI_ECC_KEY_EXCHANGE, inScheme) P(UINT16, counter)
#define ZGen_2Phase_OUT(P) P(TPM2B_ECC_POINT, outZ1) P(TPM2B_ECC_POINT, outZ2)
PRM_COMMAND(ZGen_2Phase)

/* ---------------------------------------------------------------- object.c */

#define CreatePrimary_IN(P)                                                             \
    P(TPM2B_SENSITIVE_CREATE, inSensitive) P(TPM2B_PUBLIC_CHECKED, inPublic)            \
    P(TPM2B_DATA, outsideInfo) P(TPML_PCR_SELECTION, creationPCR)
#define CreatePrimary_OUT(P)                                                            \
    P(TPM2B_PUBLIC, outPublic) P(TPM2B_CREATION_DATA, creationData)                     \
    P(TPM2B_DIGEST, creationHash) P(TPMT_TK_CREATION, creationTicket) P(TPM2B_NAME, name)
PRM_COMMAND(CreatePrimary)
#define Create_IN(P)                                                                    \
    P(TPM2B_SENSITIVE_CREATE, inSensitive) P(TPM2B_PUBLIC_CHECKED, inPublic)            \
    P(TPM2B_DATA, outsideInfo) P(TPML_PCR_SELECTION, creationPCR)
#define Create_OUT(P)                                                                   \
    P(TPM2B_PRIVATE, outPrivate) P(TPM2B_PUBLIC, outPublic)                             \
    P(TPM2B_CREATION_DATA, creationData) P(TPM2B_DIGEST, creationHash)                  \
    P(TPMT_TK_CREATION, creationTicket)
PRM_COMMAND(Create)
/* inPublic is a TPM2B_TEMPLATE in Part 3 §12.9; qtpm takes no derivation
 * templates, so it holds a TPMT_PUBLIC and is read as one. */
#define CreateLoaded_IN(P) P(TPM2B_SENSITIVE_CREATE, inSensitive) P(TPM2B_PUBLIC_CHECKED, inPublic)
#define CreateLoaded_OUT(P) P(TPM2B_PRIVATE, outPrivate) P(TPM2B_PUBLIC, outPublic) P(TPM2B_NAME, name)
PRM_COMMAND(CreateLoaded)
#define Load_IN(P) P(TPM2B_PRIVATE, inPrivate) P(TPM2B_PUBLIC_CHECKED, inPublic)
#define Load_OUT(P) P(TPM2B_NAME, name)
PRM_COMMAND(Load)
#define LoadExternal_IN(P)                                                              \
    P(TPM2B_SENSITIVE, inPrivate) P(TPM2B_PUBLIC_CHECKED_NULL, inPublic)                \
    P(TPMI_RH_HIERARCHY_NULL, hierarchy)
#define LoadExternal_OUT(P) P(TPM2B_NAME, name)
PRM_COMMAND(LoadExternal)
#define ReadPublic_IN(P)
#define ReadPublic_OUT(P) P(TPM2B_PUBLIC, outPublic) P(TPM2B_NAME, name) P(TPM2B_NAME, qualifiedName)
PRM_COMMAND(ReadPublic)
#define Unseal_IN(P)
#define Unseal_OUT(P) P(TPM2B_SENSITIVE_DATA, outData)
PRM_COMMAND(Unseal)
#define ObjectChangeAuth_IN(P) P(TPM2B_AUTH, newAuth)
#define ObjectChangeAuth_OUT(P) P(TPM2B_PRIVATE, outPrivate)
PRM_COMMAND(ObjectChangeAuth)

/* ---------------------------------------------------------------- duplicate.c */

#define Duplicate_IN(P) P(TPM2B_DATA, encryptionKeyIn) P(TPMT_SYM_DEF_OBJECT_CHECKED_NULL, symmetricAlg)
#define Duplicate_OUT(P)                                                                \
    P(TPM2B_DATA, encryptionKeyOut) P(TPM2B_PRIVATE, duplicate) P(TPM2B_ENCRYPTED_SECRET, outSymSeed)
PRM_COMMAND(Duplicate)
#define Import_IN(P)                                                                    \
    P(TPM2B_DATA, encryptionKey) P(TPM2B_PUBLIC_CHECKED, objectPublic)                  \
    P(TPM2B_PRIVATE, duplicate) P(TPM2B_ENCRYPTED_SECRET, inSymSeed)                    \
    P(TPMT_SYM_DEF_OBJECT_CHECKED_NULL, symmetricAlg)
#define Import_OUT(P) P(TPM2B_PRIVATE, outPrivate)
PRM_COMMAND(Import)

/* ---------------------------------------------------------------- ldaa.c (vendor)
 * rho, nonce, bsnval and ctilde are 32 bytes, the ticket 40: each a
 * TPM2B_DIGEST on the wire, its length checked by the handler. An output
 * longer than a response comes in pieces (TPM2B_VENDOR_LDAA_PIECE, the
 * shared module's vendor type; its adapters are tmarshal.h's). */
#define Vendor_LDAA_JoinRequest_IN(P) P(TPM2B_DIGEST, rho) P(TPM2B_DIGEST, nonce) P(UINT32, offset)
#define Vendor_LDAA_JoinRequest_OUT(P) P(UINT32, totalSize) P(TPM2B_VENDOR_LDAA_PIECE, piece)
PRM_COMMAND(Vendor_LDAA_JoinRequest)
#define Vendor_LDAA_Commit_IN(P) P(TPM2B_DIGEST, rho) P(TPM2B_DIGEST, bsnval)
#define Vendor_LDAA_Commit_OUT(P)                                                       \
    P(UINT16, counter) P(UINT32, totalSize) P(TPM2B_VENDOR_LDAA_PIECE, piece)
PRM_COMMAND(Vendor_LDAA_Commit)
#define Vendor_LDAA_CommitRead_IN(P)                                                    \
    P(TPM2B_DIGEST, rho) P(TPM2B_DIGEST, bsnval) P(UINT16, counter) P(UINT32, offset)
#define Vendor_LDAA_CommitRead_OUT(P) P(UINT32, totalSize) P(TPM2B_VENDOR_LDAA_PIECE, piece)
PRM_COMMAND(Vendor_LDAA_CommitRead)
#define Vendor_LDAA_Respond_IN(P)                                                       \
    P(TPM2B_DIGEST, rho) P(TPM2B_DIGEST, bsnval) P(UINT16, counter) P(TPM2B_DIGEST, ctilde) \
    P(TPM2B_DIGEST, ticket) P(UINT32, offset)
#define Vendor_LDAA_Respond_OUT(P)                                                      \
    P(UINT32, totalSize) P(TPM2B_DIGEST, ticket) P(TPM2B_VENDOR_LDAA_PIECE, piece)
PRM_COMMAND(Vendor_LDAA_Respond)

#endif
