/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_attest.c — qtpm-bench-attest: the cost of incremental verification
 * (DESIGN decision 10). A router's TPM (qtpm's engine in-process) has
 * measured a list of 100 entries, or of 100,000; each run measures 10 new
 * known files, quotes PCR 10 (SHA-1 + SHA-256) with an ML-DSA AK and times
 * qtpm_attest_verify on those 10 entries only (quote generation is not
 * timed). For comparison it times one full verification of the whole list
 * from index 0 (what a verifier without state would do). Medians over
 * --runs runs; --json FILE writes them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "qtpm/attest.h"
#include "qtpm/mldsa.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

#include "engine_harness.h"

#define N_FILES 1000

static qtpm_tss *T;
static qtpm_tss_key ek, ak;
static qtpm_ima_list all;
static qtpm_digestlist dl;

static void file_digest(unsigned i, uint8_t d[32])
{
    char s[32];
    snprintf(s, sizeof s, "file-%u", i);
    unsigned int n = 0;
    EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL);
}

static int make_list(void)
{
    uint8_t seed[32], pk[2048], sk[8192];
    if (qtpm_mldsa_keygen(QTPM_MLDSA_65, pk, sk, seed) != QTPM_OK)
        return -1;
    memset(sk, 0, sizeof sk);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    BIO *b = BIO_new(BIO_s_mem()), *pb = BIO_new(BIO_s_mem());
    if (!k || !b || !pb || PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) != 1 ||
        PEM_write_bio_PUBKEY(pb, k) != 1 || BIO_write(b, "", 1) != 1 || BIO_write(pb, "", 1) != 1)
        return -1;
    char *priv, *pub;
    BIO_get_mem_data(b, &priv);
    BIO_get_mem_data(pb, &pub);
    qtpm_digestlist d = { strdup("bench"), strdup("image"), 1, 0, NULL, N_FILES };
    d.entries = calloc(N_FILES, sizeof *d.entries);
    if (!d.entries)
        return -1;
    for (unsigned i = 0; i < N_FILES; i++) {
        char p[32];
        snprintf(p, sizeof p, "/usr/bin/f%u", i);
        d.entries[i].alg = TPM_ALG_SHA256;
        d.entries[i].digest_len = 32;
        file_digest(i, d.entries[i].digest);
        d.entries[i].kind = QTPM_DL_EXEC;
        d.entries[i].path = strdup(p);
    }
    uint8_t *signed_list = NULL;
    size_t len = 0;
    int rc = qtpm_digestlist_sign(&d, seed, priv, &signed_list, &len);
    memset(seed, 0, sizeof seed);
    if (rc == 0)
        rc = qtpm_digestlist_verify(signed_list, len, pk, qtpm_mldsa_pk_bytes(QTPM_MLDSA_65),
                                    pub, &dl);
    free(signed_list);
    qtpm_digestlist_free(&d);
    BIO_free(b);
    BIO_free(pb);
    EVP_PKEY_free(k);
    return rc;
}

/* Measures entry number i (a known file) in the TPM and in `all`. */
static int measure(unsigned i)
{
    uint8_t d[32];
    char p[32];
    file_digest(i % N_FILES, d);
    snprintf(p, sizeof p, "/usr/bin/f%u", i % N_FILES);
    qtpm_ima_entry e;
    if (qtpm_ima_entry_ng(10, TPM_ALG_SHA256, d, 32, p, &e) != 0)
        return -1;
    TPML_DIGEST_VALUES v;
    memset(&v, 0, sizeof v);
    size_t n;
    v.count = 2;
    v.digests[0].hashAlg = TPM_ALG_SHA1;
    v.digests[1].hashAlg = TPM_ALG_SHA256;
    int rc = qtpm_ima_extend_value(&e, TPM_ALG_SHA1, v.digests[0].digest.sha1, &n) ||
             qtpm_ima_extend_value(&e, TPM_ALG_SHA256, v.digests[1].digest.sha256, &n) ||
             qtpm_tss_PCR_Extend(T, NULL, 10, &v) != QTPM_OK;
    uint8_t *bin = NULL;
    size_t bl = 0;
    if (!rc)
        rc = qtpm_ima_serialize_binary(&e, &bin, &bl) || qtpm_ima_parse_binary(bin, bl, &all);
    free(bin);
    qtpm_ima_entry_free(&e);
    return rc ? -1 : 0;
}

typedef struct {
    TPM2B_DATA nonce;
    TPM2B_ATTEST q;
    TPMT_SIGNATURE sig;
    TPML_PCR_SELECTION sel;
    TPM2B_DIGEST vals[2];
    qtpm_ima_list sent;
    qtpm_evidence ev;
} evidence;

static int quote(evidence *x, uint64_t from)
{
    memset(x, 0, sizeof *x);
    x->nonce.size = 16;
    memcpy(x->nonce.buffer, "bench nonce 0123", 16);
    x->sel.count = 2;
    x->sel.pcrSelections[0].hash = TPM_ALG_SHA1;
    x->sel.pcrSelections[1].hash = TPM_ALG_SHA256;
    for (int b = 0; b < 2; b++) {
        x->sel.pcrSelections[b].sizeofSelect = 3;
        x->sel.pcrSelections[b].pcrSelect[1] = 4;
    }
    size_t n = 0;
    if (qtpm_tss_pcr_read_all(T, &x->sel, x->vals, 2, &n) != QTPM_OK || n != 2 ||
        qtpm_tss_quote(T, &ak, NULL, &x->nonce, &x->sel, &x->q, &x->sig) != QTPM_OK)
        return -1;
    for (size_t i = from; i < all.count; i++) {
        uint8_t *bin = NULL;
        size_t bl = 0;
        int rc = qtpm_ima_serialize_binary(&all.entries[i], &bin, &bl) ||
                 qtpm_ima_parse_binary(bin, bl, &x->sent);
        free(bin);
        if (rc)
            return -1;
    }
    x->ev = (qtpm_evidence){ &ak.pub.publicArea, &x->nonce, &x->q, &x->sig, &x->sel, x->vals, 2,
                             from, &x->sent };
    return 0;
}

/* One timed verification; -1 if it fails or is not good. */
static double verify_us(qtpm_verifier_state *st, evidence *x)
{
    const qtpm_digestlist *lists[1] = { &dl };
    qtpm_verdict v;
    double t0 = bench_now_us();
    int rc = qtpm_attest_verify(st, lists, 1, &x->ev, &v);
    double t = bench_now_us() - t0;
    int good = rc == 0 && v.state == QTPM_VERDICT_GOOD;
    qtpm_verdict_free(&v);
    return good ? t : -1;
}

/* Grows the list to `size` entries, then times `runs` attestations of 10 new
 * entries each; the medians go to *inc and *full (full verification once). */
static int phase(unsigned size, int runs, double *inc, double *full)
{
    while (all.count < size)
        if (measure((unsigned)all.count) != 0)
            return -1;
    qtpm_verifier_state st;
    qtpm_verifier_state_init(&st);
    evidence *x = malloc(sizeof *x);
    if (!x || quote(x, 0) != 0)
        return -1;
    *full = verify_us(&st, x);
    qtpm_ima_list_free(&x->sent);
    if (*full < 0)
        return -1;
    double *t = calloc((size_t)runs, sizeof *t);
    for (int r = 0; r < runs; r++) {
        uint64_t from = all.count;
        for (int k = 0; k < 10; k++)
            if (measure((unsigned)all.count) != 0)
                return -1;
        if (quote(x, from) != 0 || (t[r] = verify_us(&st, x)) < 0)
            return -1;
        qtpm_ima_list_free(&x->sent);
    }
    *inc = engine_bench_median(t, runs);
    free(t);
    free(x);
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 50;
    const char *json;
    int rc = engine_bench_args(argc, argv, "qtpm-bench-attest", &runs, &json);
    if (rc != 0)
        return rc;
    if (engine_bench_start(&T, &ek, &ak) != 0 || make_list() != 0) {
        fprintf(stderr, "qtpm-bench-attest: setup failed\n");
        return 1;
    }
    double inc_small, full_small, inc_big, full_big;
    if (phase(100, runs, &inc_small, &full_small) != 0 ||
        phase(100000, runs, &inc_big, &full_big) != 0) {
        fprintf(stderr, "qtpm-bench-attest: a verification failed or was not good\n");
        return 1;
    }
    printf("verify 10 new entries, list of 100:     median %9.1f us (%d runs)\n", inc_small, runs);
    printf("verify 10 new entries, list of 100000:  median %9.1f us (%d runs)\n", inc_big, runs);
    printf("full verification, list of %u:         %9.1f us (once)\n", 100u, full_small);
    printf("full verification, list of %u:      %9.1f us (once)\n", 100000u, full_big);
    if (json) {
        json_t *j = json_pack("{s:s,s:s,s:i,s:i,s:f,s:f,s:f,s:f}", "what",
                              "qtpm_attest_verify, ML-DSA-44 AK quote of PCR 10 (SHA-1+SHA-256)",
                              "unit", "microseconds", "runs", runs, "new_entries", 10,
                              "incremental_100_median", inc_small,
                              "incremental_100000_median", inc_big, "full_100", full_small,
                              "full_100000", full_big);
        if (!j || json_dump_file(j, json, JSON_INDENT(2)) != 0) {
            fprintf(stderr, "qtpm-bench-attest: cannot write %s\n", json);
            return 1;
        }
        json_decref(j);
    }
    qtpm_ima_list_free(&all);
    qtpm_digestlist_free(&dl);
    qtpm_tss_free(T);
    return 0;
}
