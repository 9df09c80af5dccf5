/*
 * demo.c — `make demo`: a short narrated run of qtpm's post-quantum crypto
 * core. It plays the two roles the QR-TPM will play: a storage/endorsement key
 * agreement with ML-KEM-768 and an attestation signature with ML-DSA-44 (the
 * parameter sets the seeds' QR flows use), printing sizes and timings. Later
 * issues replace it with the TPM demo.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "qtpm/common.h"
#include "qtpm/keccak.h"
#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void hex_prefix(const char *label, const uint8_t *p, size_t n)
{
    printf("      %s ", label);
    for (size_t i = 0; i < n && i < 12; i++)
        printf("%02x", p[i]);
    printf("%s\n", n > 12 ? "..." : "");
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "qtpm-demo: %s failed: %s\n", what, qtpm_strerror(rc));
    return 1;
}

int main(void)
{
    static uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES], dk[QTPM_MLKEM_MAX_DK_BYTES];
    static uint8_t ct[QTPM_MLKEM_MAX_CT_BYTES], seed[QTPM_MLKEM_SEED_BYTES];
    uint8_t ss_sender[32], ss_receiver[32];
    const qtpm_mlkem_set kem = QTPM_MLKEM_768;
    double t0, t1;
    int rc;

    printf("qtpm crypto core demo\n=====================\n\n");
    printf("1. ML-KEM-768 (FIPS 203): the key agreement a QR-TPM's storage and\n"
           "   endorsement keys use to protect secrets sent to them.\n");
    t0 = now_us();
    rc = qtpm_mlkem_keygen(kem, ek, dk, seed);
    t1 = now_us();
    if (rc)
        return fail("ML-KEM keygen", rc);
    printf("   keygen   %7.1f us  encapsulation key %zu bytes, decapsulation key %zu bytes\n"
           "            (the TPM stores only the %d-byte seed d||z)\n",
           t1 - t0, qtpm_mlkem_ek_bytes(kem), qtpm_mlkem_dk_bytes(kem), QTPM_MLKEM_SEED_BYTES);
    t0 = now_us();
    rc = qtpm_mlkem_encaps(kem, ek, qtpm_mlkem_ek_bytes(kem), ct, ss_sender);
    t1 = now_us();
    if (rc)
        return fail("ML-KEM encaps", rc);
    printf("   encaps   %7.1f us  ciphertext %zu bytes\n", t1 - t0, qtpm_mlkem_ct_bytes(kem));
    hex_prefix("sender's shared secret  ", ss_sender, 32);
    t0 = now_us();
    rc = qtpm_mlkem_decaps(kem, seed, sizeof(seed), ct, qtpm_mlkem_ct_bytes(kem), ss_receiver);
    t1 = now_us();
    if (rc)
        return fail("ML-KEM decaps", rc);
    printf("   decaps   %7.1f us  (from the 64-byte seed, expanded on use)\n", t1 - t0);
    hex_prefix("receiver's shared secret", ss_receiver, 32);
    if (memcmp(ss_sender, ss_receiver, 32) != 0) {
        fprintf(stderr, "qtpm-demo: shared secrets differ\n");
        return 1;
    }
    printf("   -> both sides hold the same 32-byte secret.\n");
    ct[0] ^= 0x01;
    rc = qtpm_mlkem_decaps(kem, dk, qtpm_mlkem_dk_bytes(kem), ct, qtpm_mlkem_ct_bytes(kem),
                           ss_receiver);
    if (rc)
        return fail("ML-KEM decaps of a changed ciphertext", rc);
    printf("   a ciphertext with one bit flipped decapsulates to %s (implicit rejection)\n\n",
           memcmp(ss_sender, ss_receiver, 32) ? "an unrelated secret" : "THE SAME SECRET (bug)");
    qtpm_memzero(ss_sender, sizeof(ss_sender));
    qtpm_memzero(ss_receiver, sizeof(ss_receiver));
    qtpm_memzero(dk, sizeof(dk));
    qtpm_memzero(seed, sizeof(seed));

    static uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES], sk[QTPM_MLDSA_MAX_SK_BYTES];
    static uint8_t sig[QTPM_MLDSA_MAX_SIG_BYTES];
    uint8_t xi[QTPM_MLDSA_SEED_BYTES], quote[64];
    const qtpm_mldsa_set dsa = QTPM_MLDSA_44;
    static const char ctx[] = "qtpm demo";
    printf("2. ML-DSA-44 (FIPS 204): the signature a QR-TPM's attestation key puts\n"
           "   on quotes of its PCRs.\n");
    t0 = now_us();
    rc = qtpm_mldsa_keygen(dsa, pk, sk, xi);
    t1 = now_us();
    if (rc)
        return fail("ML-DSA keygen", rc);
    printf("   keygen   %7.1f us  public key %zu bytes, private key %zu bytes\n"
           "            (the TPM stores only the %d-byte seed xi)\n",
           t1 - t0, qtpm_mldsa_pk_bytes(dsa), qtpm_mldsa_sk_bytes(dsa), QTPM_MLDSA_SEED_BYTES);
    qtpm_sha3_512(quote, (const uint8_t *)"PCR0..7 = known-good router image", 34);
    t0 = now_us();
    rc = qtpm_mldsa_sign(dsa, xi, sizeof(xi), quote, sizeof(quote), (const uint8_t *)ctx,
                         sizeof(ctx) - 1, NULL, sig);
    t1 = now_us();
    if (rc)
        return fail("ML-DSA sign", rc);
    printf("   sign     %7.1f us  signature %zu bytes (hedged, context \"%s\")\n", t1 - t0,
           qtpm_mldsa_sig_bytes(dsa), ctx);
    t0 = now_us();
    rc = qtpm_mldsa_verify(dsa, pk, qtpm_mldsa_pk_bytes(dsa), quote, sizeof(quote),
                           (const uint8_t *)ctx, sizeof(ctx) - 1, sig, qtpm_mldsa_sig_bytes(dsa));
    t1 = now_us();
    printf("   verify   %7.1f us  -> %s\n", t1 - t0, rc == 0 ? "valid" : "INVALID (bug)");
    if (rc)
        return 1;
    quote[3] ^= 0x10;
    rc = qtpm_mldsa_verify(dsa, pk, qtpm_mldsa_pk_bytes(dsa), quote, sizeof(quote),
                           (const uint8_t *)ctx, sizeof(ctx) - 1, sig, qtpm_mldsa_sig_bytes(dsa));
    printf("   the same signature over a changed quote -> %s\n",
           rc == QTPM_E_VERIFY ? "rejected" : "ACCEPTED (bug)");
    if (rc != QTPM_E_VERIFY)
        return 1;
    qtpm_memzero(sk, sizeof(sk));
    qtpm_memzero(xi, sizeof(xi));
    printf("\nDone. `make bench` measures these operations over 1000 runs.\n");
    return 0;
}
