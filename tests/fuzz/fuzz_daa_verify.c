/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_daa_verify.c — libFuzzer over libqtpm-daa's decoders of network
 * input (docs/DAA.md): the verifier's signature decoding and verification,
 * linking, the host's credential check, the issuer public key check, and
 * the issuer's parsers of join requests and responses.
 *
 * The first byte chooses the target:
 *   0  qtpm_daa_verify(input) with and without a basename, and the rogue
 *      list check
 *   1  a valid signature (made at start-up with the software TPM) patched
 *      at the offsets and with the bytes that follow, then verified: this
 *      reaches the proof and pairing checks that random bytes never do
 *   2  qtpm_daa_cred_check(input)          3  qtpm_daa_ipk_check(input)
 *   4  qtpm_daa_link(first half, second half)
 *   5  qtpm_daa_issuer_challenge(input)    6  qtpm_daa_issuer_credential(
 *      state of a real challenge, input)
 *   7  qtpm_ldaa_issuer_challenge(input)   8  qtpm_ldaa_issuer_credential(
 *      state of the length in the first two bytes, then the response): the lattice
 *      DAA's EK-bound join messages, parsed by the issuer from the network
 * Every call must return an error or success, never crash or leak; a
 * patched signature that still verifies must be the unpatched one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/daa.h"
#include "qtpm/daa_host.h"
#include "qtpm/ldaa.h"
#include "qtpm/rand.h"

static uint8_t isk[QTPM_DAA_ISK_SIZE], ipk[QTPM_DAA_IPK_SIZE], q[64], cred[QTPM_DAA_CRED_SIZE];
static uint8_t sig[QTPM_DAA_SIG_BSN_SIZE], lsig[QTPM_DAA_SIG_BSN_SIZE];
static size_t sig_len, lsig_len;
static qtpm_daa_verifier *ver;
static qtpm_ldaa_issuer *liss;
static const uint8_t msg[] = "fuzz";
static const uint8_t bsn[] = "fuzz-basename";

static void init(void)
{
    static const uint8_t seed[] = "fuzz_daa_verify";
    qtpm_random_set_deterministic(seed, sizeof seed);
    qtpm_daa_soft s;
    uint8_t nonce[32] = {0}, proof[QTPM_DAA_JOIN_PROOF_SIZE];
    if (qtpm_daa_issuer_keygen(isk, ipk) || qtpm_daa_verifier_new(ipk, sizeof ipk, &ver) ||
        qtpm_daa_soft_init(&s, NULL, q))
        abort();
    uint8_t lisk[QTPM_LDAA_ISK_SIZE];
    uint8_t *lipk = malloc(QTPM_LDAA_IPK_SIZE);
    if (lipk == NULL || qtpm_ldaa_issuer_keygen(lisk, lipk, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_issuer_load(&liss, lisk, sizeof lisk))
        abort();
    free(lipk);
    qtpm_daa_tpm t = qtpm_daa_soft_tpm(&s);
    if (qtpm_daa_join_prove(&t, q, nonce, proof) || qtpm_daa_issue(isk, q, cred) ||
        qtpm_daa_sign(&t, cred, sizeof cred, NULL, 0, msg, sizeof msg, sig, sizeof sig, &sig_len) ||
        qtpm_daa_sign(&t, cred, sizeof cred, bsn, sizeof bsn, msg, sizeof msg, lsig, sizeof lsig,
                      &lsig_len))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        init();
        ready = 1;
    }
    if (size < 1)
        return 0;
    const uint8_t *in = data + 1;
    size_t n = size - 1;
    switch (data[0] % 9) {
    case 0:
        (void)qtpm_daa_verify(ver, NULL, 0, msg, sizeof msg, in, n);
        (void)qtpm_daa_verify(ver, bsn, sizeof bsn, msg, sizeof msg, in, n);
        (void)qtpm_daa_check_rogue(in, n, isk + 1, 2);
        break;
    case 1: {
        int linkable = n > 0 && (in[0] & 1);
        uint8_t s[QTPM_DAA_SIG_BSN_SIZE];
        size_t len = linkable ? lsig_len : sig_len;
        memcpy(s, linkable ? lsig : sig, len);
        for (size_t i = 1; i + 3 <= n; i += 3) {
            size_t off = ((size_t)in[i] << 8 | in[i + 1]) % len;
            s[off] ^= in[i + 2];
        }
        int rc = qtpm_daa_verify(ver, linkable ? bsn : NULL, linkable ? sizeof bsn : 0, msg,
                                 sizeof msg, s, len);
        if (rc == 0 && memcmp(s, linkable ? lsig : sig, len) != 0)
            abort(); /* a forgery */
        break;
    }
    case 2:
        (void)qtpm_daa_cred_check(ipk, sizeof ipk, q, in, n);
        break;
    case 3:
        (void)qtpm_daa_ipk_check(in, n);
        break;
    case 4:
        (void)qtpm_daa_link(in, n / 2, in + n / 2, n - n / 2);
        break;
    case 5: {
        uint8_t chal[QTPM_DAA_JOIN_MAX], st[QTPM_DAA_JOIN_MAX];
        size_t cl, sl;
        (void)qtpm_daa_issuer_challenge(in, n, chal, sizeof chal, &cl, st, sizeof st, &sl);
        break;
    }
    case 6: {
        /* a state as qtpm_daa_issuer_challenge writes it needs an EK; the
         * input's own first half serves as the state */
        uint8_t out[QTPM_DAA_JOIN_MAX];
        size_t ol;
        (void)qtpm_daa_issuer_credential(isk, in, n / 2, in + n / 2, n - n / 2, out, sizeof out,
                                         &ol);
        break;
    }
    case 7: {
        static uint8_t chal[QTPM_DAA_JOIN_MAX], st[QTPM_DAA_JOIN_MAX];
        size_t cl, sl;
        (void)qtpm_ldaa_issuer_challenge(liss, in, n, chal, sizeof chal, &cl, st, sizeof st, &sl);
        break;
    }
    case 8: {
        static uint8_t out[QTPM_DAA_JOIN_MAX + QTPM_LDAA_CRED_SIZE];
        size_t ol;
        /* two bytes give the state's length, the rest is the response */
        if (n < 2)
            break;
        size_t sl = ((size_t)in[0] << 8 | in[1]) % (n - 1);
        (void)qtpm_ldaa_issuer_credential(liss, in + 2, sl, in + 2 + sl, n - 2 - sl, out,
                                          sizeof out, &ol);
        break;
    }
    }
    return 0;
}
