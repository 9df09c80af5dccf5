/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * misc.c — random numbers and self tests: TPM2_GetRandom, TPM2_StirRandom
 * (Part 3 §16) and TPM2_SelfTest, TPM2_IncrementalSelfTest,
 * TPM2_GetTestResult (Part 3 §10).
 *
 * The random numbers come from qtpm_random_bytes() (the kernel, or the
 * per-thread deterministic DRBG in tests). StirRandom input is mixed into
 * nothing the caller could observe: the kernel generator needs no stirring,
 * so the command only checks its argument, as the specification allows
 * ("the TPM may use it as additional input").
 *
 * Self tests: the algorithms are those of OpenSSL and our own code, whose
 * known-answer tests run in the unit tests; here a short known-answer check
 * of SHA-256 runs on the first SelfTest so a broken back end is reported as
 * TPM_RC_FAILURE rather than producing wrong results.
 */
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "misc.h"

static int kat_sha256(void)
{
    /* SHA-256("abc"), FIPS 180-2 Appendix B.1 */
    static const uint8_t expect[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
        0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    uint8_t d[32];
    if (crypt_hash(TPM_ALG_SHA256, (const uint8_t *)"abc", 3, d) != QTPM_OK)
        return 0;
    return public_equal(d, expect, 32);
}

/* Part 3 §16.1 TPM2_GetRandom: at most one digest's worth per call. */
TPM_RC cmd_GetRandom(qtpm_tpm *tpm, tpm_cmd *c, const GetRandom_In *in, GetRandom_Out *out)
{
    (void)tpm, (void)c;
    uint16_t n = in->bytesRequested;
    if (n > MAX_DIGEST)
        n = MAX_DIGEST;
    if (crypt_random(out->randomBytes.buffer, n) != QTPM_OK)
        return TPM_RC_FAILURE;
    out->randomBytes.size = n;
    return TPM_RC_SUCCESS;
}

/* Part 3 §16.2 TPM2_StirRandom: inData is a TPM2B_SENSITIVE_DATA. */
TPM_RC cmd_StirRandom(qtpm_tpm *tpm, tpm_cmd *c, const StirRandom_In *in, StirRandom_Out *out)
{
    (void)tpm, (void)c, (void)in, (void)out; /* dispatch wipes inData */
    return TPM_RC_SUCCESS;
}

/* Part 3 §10.2 TPM2_SelfTest */
TPM_RC cmd_SelfTest(qtpm_tpm *tpm, tpm_cmd *c, const SelfTest_In *in, SelfTest_Out *out)
{
    (void)c, (void)in, (void)out; /* fullTest is YES or NO (TPMI_YES_NO) */
    if (!kat_sha256())
        return TPM_RC_FAILURE;
    tpm->self_tested = 1;
    return TPM_RC_SUCCESS;
}

/* Part 3 §10.3 TPM2_IncrementalSelfTest: everything is tested at once, so
 * the list of algorithms still to test comes back empty. */
TPM_RC cmd_IncrementalSelfTest(qtpm_tpm *tpm, tpm_cmd *c, const IncrementalSelfTest_In *in,
                               IncrementalSelfTest_Out *out)
{
    (void)c, (void)in;
    if (!kat_sha256())
        return TPM_RC_FAILURE;
    tpm->self_tested = 1;
    out->toDoList.count = 0;
    return TPM_RC_SUCCESS;
}

/* Part 3 §10.4 TPM2_GetTestResult: empty outData, TPM_RC_SUCCESS. */
TPM_RC cmd_GetTestResult(qtpm_tpm *tpm, tpm_cmd *c, const GetTestResult_In *in,
                         GetTestResult_Out *out)
{
    (void)tpm, (void)c, (void)in;
    out->outData.size = 0;
    out->testResult = TPM_RC_SUCCESS;
    return TPM_RC_SUCCESS;
}
