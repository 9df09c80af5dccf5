/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ct_pqc.c — the constant-time test of ML-KEM and ML-DSA (the "ctgrind"
 * technique). Every secret input (seeds d, z, ξ; the message m of Encaps; the
 * secret parts of dk and sk; the signing randomness rnd) is marked undefined
 * for valgrind memcheck, then KeyGen, Encaps, Decaps (valid and rejected
 * ciphertexts, expanded and seed-form keys) and Sign run. Memcheck reports
 * any conditional jump or memory address computed from undefined data; CTest
 * runs this under `valgrind --error-exitcode=1`, so any report fails.
 * Outputs are declassified before the program looks at them. ML-DSA also
 * signs through an expanded key (qtpm_mldsa_expand from the secret seed),
 * the form the engine caches for a loaded key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"
#include "qtpm/rand.h"

#define SECRET(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define PUBLIC(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "ct_pqc: %s failed\n", what);
        failures++;
    }
}

static void mlkem_ct(qtpm_mlkem_set set)
{
    uint8_t seed[QTPM_MLKEM_SEED_BYTES], m[32];
    uint8_t ek[QTPM_MLKEM_MAX_EK_BYTES], dk[QTPM_MLKEM_MAX_DK_BYTES];
    uint8_t ct[QTPM_MLKEM_MAX_CT_BYTES], ss[32], ss2[32], ss3[32];
    size_t ekb = qtpm_mlkem_ek_bytes(set), dkb = qtpm_mlkem_dk_bytes(set);
    size_t ctb = qtpm_mlkem_ct_bytes(set);

    qtpm_random_bytes(seed, sizeof(seed));
    qtpm_random_bytes(m, sizeof(m));
    SECRET(seed, sizeof(seed));
    SECRET(m, sizeof(m));

    int rc = qtpm_mlkem_keygen_internal(set, seed, seed + 32, ek, dk);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mlkem keygen");
    PUBLIC(ek, ekb);

    rc = qtpm_mlkem_encaps_internal(set, ek, ekb, m, ct, ss);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mlkem encaps");
    PUBLIC(ct, ctb);

    /* dk = s ‖ ek ‖ H(ek) ‖ z: s and z are the secrets, ek and H(ek) public. */
    size_t s_len = dkb - ekb - 64;
    PUBLIC(dk, dkb);
    SECRET(dk, s_len);
    SECRET(dk + dkb - 32, 32);
    rc = qtpm_mlkem_decaps(set, dk, dkb, ct, ctb, ss2);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mlkem decaps");
    /* the rejection path: a changed ciphertext */
    ct[5] ^= 1;
    rc = qtpm_mlkem_decaps(set, dk, dkb, ct, ctb, ss3);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mlkem decaps (rejected ciphertext)");
    ct[5] ^= 1;
    /* the TPM's seed form d ‖ z */
    uint8_t ss4[32];
    rc = qtpm_mlkem_decaps(set, seed, sizeof(seed), ct, ctb, ss4);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mlkem decaps (seed form)");

    PUBLIC(ss, 32);
    PUBLIC(ss2, 32);
    PUBLIC(ss3, 32);
    PUBLIC(ss4, 32);
    check(memcmp(ss, ss2, 32) == 0, "mlkem shared secrets agree");
    check(memcmp(ss, ss4, 32) == 0, "mlkem seed-form shared secret agrees");
    check(memcmp(ss, ss3, 32) != 0, "mlkem implicit rejection");
}

static void mldsa_ct(qtpm_mldsa_set set)
{
    uint8_t xi[32], rnd[32];
    uint8_t pk[QTPM_MLDSA_MAX_PK_BYTES], sk[QTPM_MLDSA_MAX_SK_BYTES];
    uint8_t sig[QTPM_MLDSA_MAX_SIG_BYTES];
    static const uint8_t msg[] = "constant-time test message";
    static const uint8_t ctx[] = "qtpm";
    size_t pkb = qtpm_mldsa_pk_bytes(set), skb = qtpm_mldsa_sk_bytes(set);
    size_t sigb = qtpm_mldsa_sig_bytes(set);

    qtpm_random_bytes(xi, sizeof(xi));
    qtpm_random_bytes(rnd, sizeof(rnd));
    SECRET(xi, sizeof(xi));
    SECRET(rnd, sizeof(rnd));

    int rc = qtpm_mldsa_keygen_internal(set, xi, pk, sk);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mldsa keygen");
    PUBLIC(pk, pkb);

    /* sk = rho ‖ K ‖ tr ‖ s1 ‖ s2 ‖ t0: K, s1, s2 and t0 are the secrets. */
    PUBLIC(sk, skb);
    SECRET(sk + 32, 32);
    SECRET(sk + 128, skb - 128);
    rc = qtpm_mldsa_sign(set, sk, skb, msg, sizeof(msg), ctx, sizeof(ctx), rnd, sig);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mldsa sign");
    PUBLIC(sig, sigb);
    check(qtpm_mldsa_verify(set, pk, pkb, msg, sizeof(msg), ctx, sizeof(ctx), sig, sigb) == 0,
          "mldsa verify");

    /* the TPM's seed form ξ, deterministic */
    rc = qtpm_mldsa_sign(set, xi, sizeof(xi), msg, sizeof(msg), NULL, 0,
                         QTPM_MLDSA_DETERMINISTIC, sig);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mldsa sign (seed form)");
    PUBLIC(sig, sigb);
    check(qtpm_mldsa_verify(set, pk, pkb, msg, sizeof(msg), NULL, 0, sig, sigb) == 0,
          "mldsa verify (seed form)");

    /* the expanded key, from the secret seed; hedged signature with the
     * secret rnd, and external mu */
    size_t eb = qtpm_mldsa_expanded_bytes(set);
    qtpm_mldsa_expanded *esk = malloc(eb);
    check(esk != NULL, "malloc");
    if (esk == NULL)
        return;
    rc = qtpm_mldsa_expand(set, xi, sizeof(xi), esk, eb);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mldsa expand");
    rc = qtpm_mldsa_sign_expanded(esk, msg, sizeof(msg), ctx, sizeof(ctx), rnd, sig);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mldsa sign (expanded)");
    PUBLIC(sig, sigb);
    check(qtpm_mldsa_verify(set, pk, pkb, msg, sizeof(msg), ctx, sizeof(ctx), sig, sigb) == 0,
          "mldsa verify (expanded)");
    uint8_t mu[QTPM_MLDSA_MU_BYTES];
    check(qtpm_mldsa_compute_mu(set, pk, pkb, msg, sizeof(msg), NULL, 0, mu) == 0, "mldsa mu");
    rc = qtpm_mldsa_sign_mu_expanded(esk, mu, rnd, sig);
    PUBLIC(&rc, sizeof(rc));
    check(rc == 0, "mldsa sign mu (expanded)");
    PUBLIC(sig, sigb);
    check(qtpm_mldsa_verify_mu(set, pk, pkb, mu, sig, sigb) == 0, "mldsa verify mu (expanded)");
    free(esk);
}

int main(void)
{
    static const qtpm_mlkem_set kems[] = {QTPM_MLKEM_512, QTPM_MLKEM_768, QTPM_MLKEM_1024};
    static const qtpm_mldsa_set dsas[] = {QTPM_MLDSA_44, QTPM_MLDSA_65, QTPM_MLDSA_87};
    for (int i = 0; i < 3; i++)
        mlkem_ct(kems[i]);
    for (int i = 0; i < 3; i++)
        mldsa_ct(dsas[i]);
    printf("ct_pqc: ML-KEM-512/768/1024 and ML-DSA-44/65/87 ran with secrets undefined, "
           "%d functional failures\n", failures);
    return failures != 0;
}
