/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_provider_shares: qtpm-provider's decoding of what a TLS peer sends,
 * through EVP exactly as OpenSSL 3.0's libssl calls it. The first byte picks
 * the group (bits 0-1: X25519MLKEM768, SecP256r1MLKEM768, MLKEM768,
 * MLKEM1024) and the direction (bit 2):
 *   0  a client share at the server: EVP_PKEY_set1_encoded_public_key on a
 *      parameters-only key, then, if accepted, EVP_PKEY_encapsulate to it;
 *   1  a server share (ciphertext) at the client: EVP_PKEY_decapsulate with
 *      a fixed client key (size query, then the real call).
 * The rest of the input is the share. Every call must succeed or fail
 * cleanly, with no leak and no undefined behaviour; an accepted share must
 * have the group's exact length.
 *
 * Built with -DQTPM_FUZZ_SEED_CHECK (ctest provider_fuzz_seeds) it is a plain
 * program: it runs each file named on the command line once and prints
 * "<file> accepted|refused", so a test can assert that the seeds reach the
 * code behind the length checks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/provider.h>

#include "provider_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static OSSL_LIB_CTX *lib;
static EVP_PKEY *client[QP_NGROUPS];

static void init_once(void)
{
    if (lib != NULL)
        return;
    lib = OSSL_LIB_CTX_new();
    if (lib == NULL || !OSSL_PROVIDER_add_builtin(lib, "qtpm", qtpm_provider_init) ||
        OSSL_PROVIDER_load(lib, "default") == NULL || OSSL_PROVIDER_load(lib, "qtpm") == NULL)
        abort();
    for (int i = 0; i < QP_NGROUPS; i++) {
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(lib, qp_groups[i].name, NULL);
        if (c == NULL || EVP_PKEY_keygen_init(c) != 1 || EVP_PKEY_keygen(c, &client[i]) != 1)
            abort();
        EVP_PKEY_CTX_free(c);
    }
}

/* 1 accepted, 0 refused. */
static int client_share(const qp_group *g, const uint8_t *in, size_t len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(lib, g->name, NULL);
    EVP_PKEY *k = NULL;
    uint8_t ct[2048], ss[64];
    size_t ctl = 0, ssl = 0;
    int ok = 0;

    if (c == NULL || EVP_PKEY_paramgen_init(c) != 1 || EVP_PKEY_paramgen(c, &k) != 1)
        abort();
    EVP_PKEY_CTX_free(c);
    c = NULL;
    if (EVP_PKEY_set1_encoded_public_key(k, in, len) == 1) {
        if (len != g->share_len)
            abort(); /* a share of the wrong length got in */
        c = EVP_PKEY_CTX_new_from_pkey(lib, k, NULL);
        if (c == NULL || EVP_PKEY_encapsulate_init(c, NULL) != 1 ||
            EVP_PKEY_encapsulate(c, NULL, &ctl, NULL, &ssl) != 1 || ctl > sizeof(ct) ||
            ssl > sizeof(ss))
            abort();
        /* Encapsulation may still refuse (a low-order X25519 point). */
        ok = EVP_PKEY_encapsulate(c, ct, &ctl, ss, &ssl) == 1;
    }
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(k);
    return ok;
}

static int server_share(int gi, const uint8_t *in, size_t len)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(lib, client[gi], NULL);
    uint8_t ss[64];
    size_t n = 0;
    int ok = 0;

    if (c == NULL || EVP_PKEY_decapsulate_init(c, NULL) != 1)
        abort();
    if (EVP_PKEY_decapsulate(c, NULL, &n, in, len) == 1) {
        if (len != qp_groups[gi].reply_len || n != qp_groups[gi].ss_len)
            abort();
        n = sizeof(ss);
        ok = EVP_PKEY_decapsulate(c, ss, &n, in, len) == 1;
    }
    EVP_PKEY_CTX_free(c);
    return ok;
}

static int run(const uint8_t *data, size_t size)
{
    int gi, ok;

    init_once();
    if (size < 1)
        return 0;
    gi = data[0] & 3;
    if ((data[0] & 4) == 0)
        ok = client_share(&qp_groups[gi], data + 1, size - 1);
    else
        ok = server_share(gi, data + 1, size - 1);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)run(data, size);
    return 0;
}

#ifdef QTPM_FUZZ_SEED_CHECK
int main(int argc, char **argv)
{
    static uint8_t buf[1 << 16];

    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        size_t n;
        if (f == NULL) {
            perror(argv[i]);
            return 2;
        }
        n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        printf("%s %s\n", argv[i], run(buf, n) ? "accepted" : "refused");
    }
    return 0;
}
#endif
