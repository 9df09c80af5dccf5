/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_ldaa_verify.c — libFuzzer over the lattice DAA's decoders of network
 * input (qtpm/ldaa.h, docs/DAA.md "Lattice DAA"). A signature is 143 041
 * bytes, so besides raw input (which exercises the size and tag checks)
 * most targets patch a valid object made at start-up, which reaches the
 * range checks of every block and the proof check. The first byte chooses:
 *   0  qtpm_ldaa_verify(input) with and without a basename
 *   1  a valid signature (anonymous or with basename, by the next byte)
 *      xor-patched at the 3-byte (offset, value) triples that follow, then
 *      verified with and without a revocation list: a patched signature
 *      that verifies must equal the original (else: a forgery, abort)
 *   2  qtpm_ldaa_link(first half, second half); then the valid pair patched
 *   3  qtpm_ldaa_cred_check of a patched valid credential (and raw input)
 *   4  qtpm_ldaa_join_issue of a patched valid join request (and raw input)
 *   5  qtpm_ldaa_ipk_load and qtpm_ldaa_tpm_load of raw input
 * Every call must return an error or success, never crash or leak.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/ldaa.h"
#include "qtpm/rand.h"

static uint8_t isk[QTPM_LDAA_ISK_SIZE], nonce[QTPM_LDAA_NONCE_SIZE], rl[QTPM_LDAA_REVOKED_SIZE];
static uint8_t *ipk, *sig, *lsig, *cred, *req, *work;
static qtpm_ldaa_issuer *iss;
static qtpm_ldaa_ipk *pk;
static qtpm_ldaa_tpm *tpm;
static const uint8_t msg[] = "fuzz";
static const uint8_t bsn[] = "fuzz-basename";

static void init(void)
{
    static const uint8_t seed[] = "fuzz_ldaa_verify";
    qtpm_random_set_deterministic(seed, sizeof seed);
    ipk = malloc(QTPM_LDAA_IPK_SIZE);
    sig = malloc(QTPM_LDAA_SIG_SIZE);
    lsig = malloc(QTPM_LDAA_SIG_SIZE);
    cred = malloc(QTPM_LDAA_CRED_SIZE);
    req = malloc(QTPM_LDAA_JOINREQ_SIZE);
    work = malloc(QTPM_LDAA_SIG_SIZE);
    qtpm_ldaa_tpm *other;
    if (!ipk || !sig || !lsig || !cred || !req || !work ||
        qtpm_ldaa_issuer_keygen(isk, ipk, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_issuer_load(&iss, isk, sizeof isk) ||
        qtpm_ldaa_ipk_load(&pk, ipk, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_tpm_create(&tpm, ipk, QTPM_LDAA_IPK_SIZE) ||
        qtpm_ldaa_tpm_create(&other, ipk, QTPM_LDAA_IPK_SIZE) || qtpm_ldaa_join_nonce(nonce) ||
        qtpm_ldaa_tpm_join_request(tpm, nonce, req) ||
        qtpm_ldaa_join_issue(iss, nonce, req, QTPM_LDAA_JOINREQ_SIZE, cred, QTPM_LDAA_CRED_SIZE) ||
        qtpm_ldaa_sign(pk, tpm, cred, QTPM_LDAA_CRED_SIZE, msg, sizeof msg, NULL, 0, sig,
                       QTPM_LDAA_SIG_SIZE) ||
        qtpm_ldaa_sign(pk, tpm, cred, QTPM_LDAA_CRED_SIZE, msg, sizeof msg, bsn, sizeof bsn, lsig,
                       QTPM_LDAA_SIG_SIZE) ||
        qtpm_ldaa_tpm_export_secret(other, rl))
        abort();
    qtpm_ldaa_tpm_free(other);
}

/* work = base (len bytes) xor-patched by the (hi, lo, value) triples of in;
 * the offset is scaled over the whole object so every block is reached. */
static void patch(const uint8_t *base, size_t len, const uint8_t *in, size_t n)
{
    memcpy(work, base, len);
    for (size_t i = 0; i + 3 <= n; i += 3) {
        size_t off = (((size_t)in[i] << 8 | in[i + 1]) * len) >> 16;
        work[off] ^= in[i + 2];
    }
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
    switch (data[0] % 6) {
    case 0:
        (void)qtpm_ldaa_verify(pk, in, n, msg, sizeof msg, NULL, 0, NULL, 0);
        (void)qtpm_ldaa_verify(pk, in, n, msg, sizeof msg, bsn, sizeof bsn, NULL, 0);
        break;
    case 1: {
        int linkable = n > 0 && (in[0] & 1);
        const uint8_t *base = linkable ? lsig : sig;
        patch(base, QTPM_LDAA_SIG_SIZE, in + (n > 0), n - (n > 0));
        int rc = qtpm_ldaa_verify(pk, work, QTPM_LDAA_SIG_SIZE, msg, sizeof msg,
                                  linkable ? bsn : NULL, linkable ? sizeof bsn : 0, rl, 1);
        if (rc == 0 && memcmp(work, base, QTPM_LDAA_SIG_SIZE) != 0)
            abort(); /* a forgery */
        break;
    }
    case 2:
        (void)qtpm_ldaa_link(in, n / 2, in + n / 2, n - n / 2);
        patch(lsig, QTPM_LDAA_SIG_SIZE, in, n);
        (void)qtpm_ldaa_link(lsig, QTPM_LDAA_SIG_SIZE, work, QTPM_LDAA_SIG_SIZE);
        break;
    case 3: {
        (void)qtpm_ldaa_cred_check(pk, tpm, in, n);
        patch(cred, QTPM_LDAA_CRED_SIZE, in, n);
        int rc = qtpm_ldaa_cred_check(pk, tpm, work, QTPM_LDAA_CRED_SIZE);
        if (rc == 0 && memcmp(work, cred, QTPM_LDAA_CRED_SIZE) != 0) {
            /* a different valid credential for the same t is possible only
             * as another short preimage: an M-SIS solution; report it */
            abort();
        }
        break;
    }
    case 4: {
        static uint8_t out[QTPM_LDAA_CRED_SIZE];
        (void)qtpm_ldaa_join_issue(iss, nonce, in, n, out, sizeof out);
        if (n == 0)
            break; /* the unpatched request would run the (slow) credential sampler */
        patch(req, QTPM_LDAA_JOINREQ_SIZE, in, n);
        if (memcmp(work, req, QTPM_LDAA_JOINREQ_SIZE) != 0 &&
            qtpm_ldaa_join_issue(iss, nonce, work, QTPM_LDAA_JOINREQ_SIZE, out, sizeof out) == 0)
            abort(); /* a patched proof of knowledge accepted */
        break;
    }
    case 5: {
        qtpm_ldaa_ipk *p2;
        qtpm_ldaa_tpm *t2;
        if (qtpm_ldaa_ipk_load(&p2, in, n) == 0)
            qtpm_ldaa_ipk_free(p2);
        if (qtpm_ldaa_tpm_load(&t2, in, n) == 0)
            qtpm_ldaa_tpm_free(t2);
        break;
    }
    }
    return 0;
}
