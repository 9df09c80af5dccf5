/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy.c — the NMS approval signatures (src/ras/policy.c), checked with libqtss's
 * independent verifier: the signature over SHA-256(approvedPolicy ‖ policyRef) verifies with
 * the policy key's TPM2B_PUBLIC, and fails for another policy, another policyRef, or another
 * key; the public area round-trips through the marshaller; a non-P-256 key is refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <openssl/evp.h>

#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"
#include "ras.h"

static void msg_of(const TPM2B_DIGEST *policy, const char *ref, uint8_t *msg, size_t *len)
{
    memcpy(msg, policy->buffer, policy->size);
    memcpy(msg + policy->size, ref, strlen(ref));
    *len = policy->size + strlen(ref);
}

static void test_approval(void **state)
{
    (void)state;
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    EVP_PKEY *k2 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(k);
    assert_non_null(k2);
    TPM2B_PUBLIC pub, pub2;
    assert_int_equal(qtpm_ras_policy_public(k, &pub), 0);
    assert_int_equal(qtpm_ras_policy_public(k2, &pub2), 0);
    uint8_t buf[sizeof pub + 2];
    size_t off = 0, off2 = 0;
    assert_int_equal(qtpm_TPM2B_PUBLIC_marshal(&pub, buf, sizeof buf, &off), TPM_RC_SUCCESS);
    TPM2B_PUBLIC back;
    assert_int_equal(qtpm_TPM2B_PUBLIC_unmarshal(&back, buf, off, &off2, 0), TPM_RC_SUCCESS);
    assert_int_equal(off, off2);

    TPM2B_DIGEST policy = {.size = 32};
    memset(policy.buffer, 0xa5, 32);
    TPMT_SIGNATURE sig;
    assert_int_equal(qtpm_ras_approve(k, &policy, "r-0011223344556677", &sig), 0);
    uint8_t msg[128];
    size_t len;
    msg_of(&policy, "r-0011223344556677", msg, &len);
    assert_int_equal(qtpm_tss_verify_signature(&pub.publicArea, msg, len, &sig), QTPM_OK);
    assert_int_not_equal(qtpm_tss_verify_signature(&pub2.publicArea, msg, len, &sig), QTPM_OK);
    msg_of(&policy, "r-0011223344556678", msg, &len);
    assert_int_not_equal(qtpm_tss_verify_signature(&pub.publicArea, msg, len, &sig), QTPM_OK);
    policy.buffer[0] ^= 1;
    msg_of(&policy, "r-0011223344556677", msg, &len);
    assert_int_not_equal(qtpm_tss_verify_signature(&pub.publicArea, msg, len, &sig), QTPM_OK);
    EVP_PKEY_free(k);
    EVP_PKEY_free(k2);

    EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    assert_int_equal(qtpm_ras_policy_public(p384, &pub), -1);
    EVP_PKEY_free(p384);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_approval)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
