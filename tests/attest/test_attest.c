/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_attest.c — libqtpm-attest (include/qtpm/attest.h) end to end.
 *
 * IMA lists: an ima-ng entry built like the kernel does, serialised in the
 * binary format and parsed back, formatted as an ASCII line and parsed back;
 * the template hash is SHA-1 of the template data and the SHA-256 bank gets
 * SHA-256 of it (security/integrity/ima/ima_fs.c, ima_api.c). Then a real
 * TPM (qtpm's engine in-process, "engine:" TCTI) gets PCR 10 extended with
 * qtpm_ima_extend_value values in both banks; its quotes, signed by an
 * ML-DSA AK and an ECC AK, go through qtpm_attest_verify, and every attack
 * asserts the exact verdict and reason code. Digest lists with a broken or
 * missing ML-DSA or ECDSA signature are refused with QTPM_ATTEST_ESIG.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "qtpm/attest.h"
#include "qtpm/mldsa.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

static qtpm_tss *T;
static qtpm_tss_key ek, ak_mldsa, ak_ecc, ak_ecc2;
/* Everything extended into the TPM's PCR 10 so far, in order. */
static qtpm_ima_list all;
/* The vendor's keys and the verified reference list. */
static uint8_t vseed[32], vpub[2048];
static char *vkey_pem, *vpub_pem;
static uint8_t *signed_dl;
static size_t signed_dl_len;
static qtpm_digestlist dl;

static void digest_of(const char *s, uint8_t out[32])
{
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(s, strlen(s), out, &n, EVP_sha256(), NULL), 1);
}

static char *pem_of(EVP_PKEY *k, int priv)
{
    BIO *b = BIO_new(BIO_s_mem());
    assert_non_null(b);
    if (priv)
        assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
    else
        assert_int_equal(PEM_write_bio_PUBKEY(b, k), 1);
    char *data;
    long n = BIO_get_mem_data(b, &data);
    char *s = malloc((size_t)n + 1);
    memcpy(s, data, (size_t)n);
    s[n] = 0;
    BIO_free(b);
    return s;
}

/* The reference list: two executables, a configuration file, a forbidden one. */
static int make_list(void)
{
    static const struct { const char *content, *path; qtpm_dl_kind kind; } files[] = {
        { "busybox v1", "/bin/busybox", QTPM_DL_EXEC },
        { "routerd v1", "/usr/sbin/routerd", QTPM_DL_EXEC },
        { "config v1", "/etc/router.conf", QTPM_DL_CONFIG },
        { "rootkit", "/tmp/evil", QTPM_DL_FORBIDDEN },
    };
    qtpm_digestlist d = { 0 };
    d.vendor = strdup("ACME");
    d.image = strdup("router-1.0");
    d.version = 7;
    d.issued = 1700000000;
    d.count = 4;
    d.entries = calloc(4, sizeof *d.entries);
    for (size_t i = 0; i < 4; i++) {
        d.entries[i].alg = TPM_ALG_SHA256;
        d.entries[i].digest_len = 32;
        digest_of(files[i].content, d.entries[i].digest);
        d.entries[i].kind = files[i].kind;
        d.entries[i].path = strdup(files[i].path);
    }
    if (qtpm_digestlist_sign(&d, vseed, vkey_pem, &signed_dl, &signed_dl_len) != 0)
        return -1;
    qtpm_digestlist_free(&d);
    return qtpm_digestlist_verify(signed_dl, signed_dl_len, vpub, qtpm_mldsa_pk_bytes(QTPM_MLDSA_65),
                                  vpub_pem, &dl);
}

static int group_setup(void **state)
{
    (void)state;
    if (qtpm_tss_new("engine:", &T) != QTPM_OK || qtpm_tss_Startup(T, TPM_SU_CLEAR) != QTPM_OK ||
        qtpm_tss_create_ek(T, TPM_ALG_MLKEM, NULL, &ek) != QTPM_OK ||
        qtpm_tss_create_ak(T, &ek, TPM_ALG_MLDSA, NULL, NULL, &ak_mldsa, NULL) != QTPM_OK ||
        qtpm_tss_create_ak(T, &ek, TPM_ALG_ECC, NULL, NULL, &ak_ecc, NULL) != QTPM_OK ||
        qtpm_tss_create_ak(T, &ek, TPM_ALG_ECC, NULL, NULL, &ak_ecc2, NULL) != QTPM_OK)
        return -1;
    uint8_t sk[8192];
    if (qtpm_mldsa_keygen(QTPM_MLDSA_65, vpub, sk, vseed) != QTPM_OK)
        return -1;
    memset(sk, 0, sizeof sk);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    if (!k)
        return -1;
    vkey_pem = pem_of(k, 1);
    vpub_pem = pem_of(k, 0);
    EVP_PKEY_free(k);
    return make_list();
}

static int group_teardown(void **state)
{
    (void)state;
    qtpm_tss_free(T);
    qtpm_ima_list_free(&all);
    qtpm_digestlist_free(&dl);
    free(signed_dl);
    free(vkey_pem);
    free(vpub_pem);
    return 0;
}

/* An ima-ng entry for a file with this content at path. */
static void entry(const char *content, const char *path, qtpm_ima_entry *e)
{
    uint8_t d[32];
    digest_of(content, d);
    assert_int_equal(qtpm_ima_entry_ng(10, TPM_ALG_SHA256, d, 32, path, e), 0);
}

/* Measures e in the TPM (both banks of PCR 10) and records it in `all`. */
static void measure(const qtpm_ima_entry *e)
{
    TPML_DIGEST_VALUES v;
    memset(&v, 0, sizeof v);
    size_t n = 0;
    v.count = 2;
    v.digests[0].hashAlg = TPM_ALG_SHA1;
    assert_int_equal(qtpm_ima_extend_value(e, TPM_ALG_SHA1, v.digests[0].digest.sha1, &n), 0);
    assert_int_equal(n, 20);
    v.digests[1].hashAlg = TPM_ALG_SHA256;
    assert_int_equal(qtpm_ima_extend_value(e, TPM_ALG_SHA256, v.digests[1].digest.sha256, &n), 0);
    assert_int_equal(n, 32);
    assert_int_equal(qtpm_tss_PCR_Extend(T, NULL, 10, &v), 0);
    uint8_t *bin = NULL;
    size_t len = 0;
    assert_int_equal(qtpm_ima_serialize_binary(e, &bin, &len), 0);
    assert_int_equal(qtpm_ima_parse_binary(bin, len, &all), 0);
    free(bin);
}

/* A copy of entries [from, to) of src appended to dst (via the binary form). */
static void copy_range(const qtpm_ima_list *src, size_t from, size_t to, qtpm_ima_list *dst)
{
    for (size_t i = from; i < to; i++) {
        uint8_t *bin = NULL;
        size_t len = 0;
        assert_int_equal(qtpm_ima_serialize_binary(&src->entries[i], &bin, &len), 0);
        assert_int_equal(qtpm_ima_parse_binary(bin, len, dst), 0);
        free(bin);
    }
}

static void sel10(TPML_PCR_SELECTION *sel)
{
    memset(sel, 0, sizeof *sel);
    sel->count = 2;
    sel->pcrSelections[0].hash = TPM_ALG_SHA1;
    sel->pcrSelections[1].hash = TPM_ALG_SHA256;
    for (int b = 0; b < 2; b++) {
        sel->pcrSelections[b].sizeofSelect = 3;
        sel->pcrSelections[b].pcrSelect[1] = 1u << 2; /* PCR 10 */
    }
}

typedef struct {
    TPM2B_DATA nonce;
    TPM2B_ATTEST quote;
    TPMT_SIGNATURE sig;
    TPML_PCR_SELECTION sel;
    TPM2B_DIGEST values[2];
    size_t n_values;
    qtpm_ima_list sent;
    qtpm_evidence ev;
} evidence;

/* A fresh quote by ak with nonce "n<tag>", and the entries the agent sends. */
static void quote(evidence *x, const qtpm_tss_key *ak, int tag, uint64_t from)
{
    memset(x, 0, sizeof *x);
    x->nonce.size = (UINT16)snprintf((char *)x->nonce.buffer, sizeof x->nonce.buffer,
                                     "nonce-%08d-abcdef", tag);
    sel10(&x->sel);
    assert_int_equal(qtpm_tss_pcr_read_all(T, &x->sel, x->values, 2, &x->n_values), 0);
    assert_int_equal(x->n_values, 2);
    assert_int_equal(qtpm_tss_quote(T, ak, NULL, &x->nonce, &x->sel, &x->quote, &x->sig), 0);
    x->ev.ak = &ak->pub.publicArea;
    x->ev.nonce = &x->nonce;
    x->ev.quote = &x->quote;
    x->ev.sig = &x->sig;
    x->ev.pcrs = &x->sel;
    x->ev.pcr_values = x->values;
    x->ev.n_pcr_values = x->n_values;
    x->ev.from_index = from;
    x->ev.new_entries = &x->sent;
}

/* A verifier that has already verified everything measured so far in this
 * boot: as if the earlier attestations had all been good. */
static void synced_state(qtpm_verifier_state *st)
{
    qtpm_verifier_state_init(st);
    evidence x;
    quote(&x, &ak_mldsa, 0, 0);
    copy_range(&all, 0, all.count, &x.sent);
    /* the reference lists do not matter for the state: use none and accept
     * unknown while syncing, then reset the sticky verdict */
    qtpm_verdict v;
    assert_int_equal(qtpm_attest_verify(st, NULL, 0, &x.ev, &v), 0);
    assert_int_not_equal(v.state, QTPM_VERDICT_BAD);
    qtpm_verdict_free(&v);
    qtpm_ima_list_free(&x.sent);
    assert_int_equal(st->next_index, all.count);
    st->worst = QTPM_VERDICT_GOOD;
}

static const qtpm_digestlist *lists1[1];

static void run(qtpm_verifier_state *st, evidence *x, qtpm_verdict *v)
{
    lists1[0] = &dl;
    assert_int_equal(qtpm_attest_verify(st, lists1, 1, &x->ev, v), 0);
}

static void expect(const qtpm_verdict *v, qtpm_verdict_state s, const char *code)
{
    assert_int_equal(v->state, s);
    assert_int_equal(v->tier, s == QTPM_VERDICT_GOOD      ? QTPM_AR4SI_AFFIRMING
                              : s == QTPM_VERDICT_UNKNOWN ? QTPM_AR4SI_WARNING
                                                          : QTPM_AR4SI_CONTRAINDICATED);
    if (!code) {
        assert_int_equal(v->n_reasons, 0);
        return;
    }
    assert_true(v->n_reasons >= 1);
    assert_string_equal(v->reasons[0].code, code);
}

/* Measures the entries (content, path) in the TPM, then attests them with ak
 * against a synced verifier; returns the verdict (caller frees). */
static void attest_new(const qtpm_tss_key *ak, const char *const *files, size_t n,
                       qtpm_verifier_state *st, qtpm_verdict *v)
{
    synced_state(st);
    size_t from = all.count;
    for (size_t i = 0; i < n; i++) {
        qtpm_ima_entry e;
        entry(files[2 * i], files[2 * i + 1], &e);
        measure(&e);
        qtpm_ima_entry_free(&e);
    }
    evidence x;
    quote(&x, ak, 1, from);
    copy_range(&all, from, all.count, &x.sent);
    run(st, &x, v);
    qtpm_ima_list_free(&x.sent);
}

/* ------------------------------------------------------------- IMA lists */

static void test_ima_binary_roundtrip(void **state)
{
    (void)state;
    qtpm_ima_entry e;
    entry("busybox v1", "/bin/busybox", &e);
    /* template data: [u32 len]["sha256:" NUL digest][u32 len][path NUL] */
    assert_int_equal(e.template_data_len, 4 + 7 + 1 + 32 + 4 + 13);
    uint8_t h[20];
    unsigned int hl = 0;
    assert_int_equal(EVP_Digest(e.template_data, e.template_data_len, h, &hl, EVP_sha1(), NULL), 1);
    assert_memory_equal(h, e.template_sha1, 20);
    uint8_t v[64];
    size_t vl = 0;
    assert_int_equal(qtpm_ima_extend_value(&e, TPM_ALG_SHA256, v, &vl), 0);
    uint8_t h256[32];
    assert_int_equal(EVP_Digest(e.template_data, e.template_data_len, h256, &hl, EVP_sha256(),
                                NULL), 1);
    assert_memory_equal(v, h256, 32);

    uint8_t *bin = NULL;
    size_t len = 0;
    assert_int_equal(qtpm_ima_serialize_binary(&e, &bin, &len), 0);
    assert_int_equal(qtpm_ima_serialize_binary(&e, &bin, &len), 0); /* two entries */
    /* pcr, sha1, u32 6, "ima-ng", u32 len, data */
    assert_int_equal(len, 2 * (4 + 20 + 4 + 6 + 4 + e.template_data_len));
    assert_int_equal(bin[0], 10);
    assert_memory_equal(bin + 28, "ima-ng", 6);
    qtpm_ima_list l = { 0 };
    assert_int_equal(qtpm_ima_parse_binary(bin, len, &l), 0);
    assert_int_equal(l.count, 2);
    assert_string_equal(l.entries[1].path, "/bin/busybox");
    assert_int_equal(l.entries[1].file_alg, TPM_ALG_SHA256);
    assert_memory_equal(l.entries[1].file_digest, e.file_digest, 32);
    assert_memory_equal(l.entries[1].template_sha1, e.template_sha1, 20);
    /* every truncation of the list is refused or yields fewer entries */
    for (size_t cut = 1; cut < len; cut++) {
        qtpm_ima_list t = { 0 };
        int rc = qtpm_ima_parse_binary(bin, len - cut, &t);
        assert_true(rc == QTPM_ATTEST_EINVAL || (rc == 0 && cut == len / 2 && t.count == 1));
        qtpm_ima_list_free(&t);
    }
    /* a template hash that does not match the data is refused */
    bin[5] ^= 1;
    qtpm_ima_list t = { 0 };
    assert_int_equal(qtpm_ima_parse_binary(bin, len, &t), QTPM_ATTEST_EINVAL);
    qtpm_ima_list_free(&t);
    free(bin);
    qtpm_ima_list_free(&l);
    qtpm_ima_entry_free(&e);
}

static void test_ima_ascii_roundtrip(void **state)
{
    (void)state;
    qtpm_ima_entry e;
    entry("routerd v1", "/usr/sbin/routerd", &e);
    char *line = NULL;
    assert_int_equal(qtpm_ima_format_ascii(&e, &line), 0);
    char want[256];
    char th[41], fd[65];
    for (int i = 0; i < 20; i++)
        sprintf(th + 2 * i, "%02x", e.template_sha1[i]);
    for (int i = 0; i < 32; i++)
        sprintf(fd + 2 * i, "%02x", e.file_digest[i]);
    snprintf(want, sizeof want, "10 %s ima-ng sha256:%s /usr/sbin/routerd", th, fd);
    assert_string_equal(line, want);
    char text[600];
    snprintf(text, sizeof text, "%s\n%s\n", line, line);
    qtpm_ima_list l = { 0 };
    assert_int_equal(qtpm_ima_parse_ascii(text, strlen(text), &l), 0);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.entries[0].template_data_len, e.template_data_len);
    assert_memory_equal(l.entries[0].template_data, e.template_data, e.template_data_len);
    assert_string_equal(l.entries[1].path, "/usr/sbin/routerd");
    qtpm_ima_list_free(&l);
    /* a line whose template hash does not match its fields, and garbage */
    line[3] = line[3] == '0' ? '1' : '0';
    assert_int_equal(qtpm_ima_parse_ascii(line, strlen(line), &l), QTPM_ATTEST_EINVAL);
    qtpm_ima_list_free(&l);
    const char *junk = "10 zz ima-ng sha256:00 /x\n";
    assert_int_equal(qtpm_ima_parse_ascii(junk, strlen(junk), &l), QTPM_ATTEST_EINVAL);
    qtpm_ima_list_free(&l);
    free(line);
    qtpm_ima_entry_free(&e);
}

/* Little-endian u32, as the kernel writes on x86. */
static size_t le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
    return 4;
}

/* A violation entry (zero template hash) extends 0xFF..; the "ima" template
 * (no template data length; name padded to 256 in the hash); ima-sig. */
static void test_ima_templates(void **state)
{
    (void)state;
    uint8_t b[512];
    size_t o = 0;
    o += le32(b + o, 10);
    memset(b + o, 0, 20);
    o += 20;
    o += le32(b + o, 6);
    memcpy(b + o, "ima-ng", 6);
    o += 6;
    uint8_t f1[8 + 32] = "sha256:";
    const char f2[] = "/tmp/x";
    o += le32(b + o, (uint32_t)(4 + sizeof f1 + 4 + sizeof f2));
    o += le32(b + o, sizeof f1);
    memcpy(b + o, f1, sizeof f1);
    o += sizeof f1;
    o += le32(b + o, sizeof f2);
    memcpy(b + o, f2, sizeof f2);
    o += sizeof f2;
    qtpm_ima_list l = { 0 };
    assert_int_equal(qtpm_ima_parse_binary(b, o, &l), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.entries[0].violation, 1);
    uint8_t v[64], ff[64];
    size_t vl = 0;
    memset(ff, 0xFF, sizeof ff);
    assert_int_equal(qtpm_ima_extend_value(&l.entries[0], TPM_ALG_SHA256, v, &vl), 0);
    assert_int_equal(vl, 32);
    assert_memory_equal(v, ff, 32);
    assert_int_equal(qtpm_ima_extend_value(&l.entries[0], TPM_ALG_SHA1, v, &vl), 0);
    assert_int_equal(vl, 20);
    assert_memory_equal(v, ff, 20);
    qtpm_ima_list_free(&l);

    /* "ima": pcr | hash | 3 "ima" | sha1 digest | u32 len | name */
    uint8_t fd[20], td[20 + 256] = { 0 }, th[20];
    unsigned int hl = 0;
    EVP_Digest("sh", 2, fd, &hl, EVP_sha1(), NULL);
    memcpy(td, fd, 20);
    memcpy(td + 20, "/bin/sh", 7);
    EVP_Digest(td, sizeof td, th, &hl, EVP_sha1(), NULL);
    o = 0;
    o += le32(b + o, 10);
    memcpy(b + o, th, 20);
    o += 20;
    o += le32(b + o, 3);
    memcpy(b + o, "ima", 3);
    o += 3;
    memcpy(b + o, fd, 20);
    o += 20;
    o += le32(b + o, 7);
    memcpy(b + o, "/bin/sh", 7);
    o += 7;
    assert_int_equal(qtpm_ima_parse_binary(b, o, &l), 0);
    assert_int_equal(l.entries[0].template_id, QTPM_IMA_TEMPLATE_IMA);
    assert_int_equal(l.entries[0].file_alg, TPM_ALG_SHA1);
    assert_memory_equal(l.entries[0].file_digest, fd, 20);
    assert_string_equal(l.entries[0].path, "/bin/sh");
    uint8_t *ser = NULL;
    size_t sl = 0;
    assert_int_equal(qtpm_ima_serialize_binary(&l.entries[0], &ser, &sl), 0);
    assert_int_equal(sl, o);
    assert_memory_equal(ser, b, o);
    free(ser);
    qtpm_ima_list_free(&l);

    /* ima-sig from ASCII: the signature is the third field, and survives */
    qtpm_ima_entry e;
    entry("routerd v1", "/usr/sbin/routerd", &e);
    char *line = NULL;
    assert_int_equal(qtpm_ima_format_ascii(&e, &line), 0);
    /* rebuild the line as ima-sig with a signature; the template hash changes,
     * so compute it from the template data the parser rebuilds */
    uint8_t sig[6] = { 3, 2, 0xAA, 0xBB, 0xCC, 0xDD };
    size_t dl2 = e.template_data_len + 4 + sizeof sig;
    uint8_t *d2 = malloc(dl2);
    memcpy(d2, e.template_data, e.template_data_len);
    le32(d2 + e.template_data_len, sizeof sig);
    memcpy(d2 + e.template_data_len + 4, sig, sizeof sig);
    uint8_t h2[20];
    EVP_Digest(d2, dl2, h2, &hl, EVP_sha1(), NULL);
    char text[512], hx[41], fdx[65];
    for (int i = 0; i < 20; i++)
        sprintf(hx + 2 * i, "%02x", h2[i]);
    for (int i = 0; i < 32; i++)
        sprintf(fdx + 2 * i, "%02x", e.file_digest[i]);
    snprintf(text, sizeof text, "10 %s ima-sig sha256:%s /usr/sbin/routerd 0302aabbccdd\n", hx,
             fdx);
    assert_int_equal(qtpm_ima_parse_ascii(text, strlen(text), &l), 0);
    assert_int_equal(l.entries[0].template_id, QTPM_IMA_TEMPLATE_IMA_SIG);
    assert_int_equal(l.entries[0].sig_len, sizeof sig);
    assert_memory_equal(l.entries[0].sig, sig, sizeof sig);
    assert_int_equal(l.entries[0].template_data_len, dl2);
    assert_memory_equal(l.entries[0].template_data, d2, dl2);
    char *back = NULL;
    assert_int_equal(qtpm_ima_format_ascii(&l.entries[0], &back), 0);
    text[strlen(text) - 1] = 0;
    assert_string_equal(back, text);
    free(back);
    free(d2);
    free(line);
    qtpm_ima_list_free(&l);
    qtpm_ima_entry_free(&e);
    /* unknown template */
    memcpy(b + 28, "foo", 3);
    assert_int_equal(qtpm_ima_parse_binary(b, o, &l), QTPM_ATTEST_EUNSUPP);
    qtpm_ima_list_free(&l);
}

/* boot_aggregate against digests computed independently (Python hashlib):
 * SHA-1 of 8 zero PCRs, SHA-256 of 10 zero PCRs and of PCR i = 32 × byte i. */
static void test_boot_aggregate(void **state)
{
    (void)state;
    TPM2B_DIGEST p[10];
    memset(p, 0, sizeof p);
    for (int i = 0; i < 10; i++)
        p[i].size = 20;
    uint8_t out[64];
    size_t n = 0;
    char hex[129];
    assert_int_equal(qtpm_ima_boot_aggregate(TPM_ALG_SHA1, p, out, &n), 0);
    assert_int_equal(n, 20);
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", out[i]);
    assert_string_equal(hex, "9797edf8d0eed36b1cf92547816051c8af4e45ee");
    /* a SHA-256-sized value in the SHA-1 bank is refused */
    p[0].size = 32;
    assert_int_equal(qtpm_ima_boot_aggregate(TPM_ALG_SHA1, p, out, &n), QTPM_ATTEST_EINVAL);
    for (int i = 0; i < 10; i++)
        p[i].size = 32;
    assert_int_equal(qtpm_ima_boot_aggregate(TPM_ALG_SHA256, p, out, &n), 0);
    assert_int_equal(n, 32);
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", out[i]);
    assert_string_equal(hex, "7b6436b0c98f62380866d9432c2af0ee08ce16a171bda6951aecd95ee1307d61");
    for (int i = 0; i < 10; i++)
        memset(p[i].buffer, i, 32);
    assert_int_equal(qtpm_ima_boot_aggregate(TPM_ALG_SHA256, p, out, &n), 0);
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", out[i]);
    assert_string_equal(hex, "a4cc7213a98bc92e113dad44ef63113826a16c3a6ca551d2b76244a49ae043dd");
    assert_int_equal(qtpm_ima_boot_aggregate(TPM_ALG_NULL, p, out, &n),
                     QTPM_ATTEST_EUNSUPP);
}

/* Software replay of everything measured equals the TPM's PCR 10, both banks. */
static void test_replay_both_banks(void **state)
{
    (void)state;
    qtpm_ima_entry e;
    entry("busybox v1", "/bin/busybox", &e);
    measure(&e);
    qtpm_ima_entry_free(&e);
    uint8_t p1[20] = { 0 }, p256[32] = { 0 };
    for (size_t i = 0; i < all.count; i++) {
        uint8_t v[64], buf[64];
        size_t vl = 0;
        unsigned int ol = 0;
        assert_int_equal(qtpm_ima_extend_value(&all.entries[i], TPM_ALG_SHA1, v, &vl), 0);
        memcpy(buf, p1, 20);
        memcpy(buf + 20, v, 20);
        EVP_Digest(buf, 40, p1, &ol, EVP_sha1(), NULL);
        assert_int_equal(qtpm_ima_extend_value(&all.entries[i], TPM_ALG_SHA256, v, &vl), 0);
        memcpy(buf, p256, 32);
        memcpy(buf + 32, v, 32);
        EVP_Digest(buf, 64, p256, &ol, EVP_sha256(), NULL);
    }
    TPML_PCR_SELECTION sel;
    sel10(&sel);
    TPM2B_DIGEST vals[2];
    size_t n = 0;
    assert_int_equal(qtpm_tss_pcr_read_all(T, &sel, vals, 2, &n), 0);
    assert_int_equal(vals[0].size, 20);
    assert_memory_equal(vals[0].buffer, p1, 20);
    assert_int_equal(vals[1].size, 32);
    assert_memory_equal(vals[1].buffer, p256, 32);
}

/* -------------------------------------------------------------- verifying */

static const char *const known[] = { "busybox v1", "/bin/busybox", "routerd v1",
                                     "/usr/sbin/routerd", "config v1", "/etc/router.conf" };

static void test_good_mldsa_and_ecc(void **state)
{
    (void)state;
    const qtpm_tss_key *aks[2] = { &ak_mldsa, &ak_ecc };
    for (int k = 0; k < 2; k++) {
        qtpm_verifier_state st;
        qtpm_verdict v;
        attest_new(aks[k], known, 3, &st, &v);
        expect(&v, QTPM_VERDICT_GOOD, NULL);
        assert_int_equal(v.rebooted, 0);
        assert_int_equal(st.next_index, all.count);
        assert_int_equal(st.worst, QTPM_VERDICT_GOOD);
        qtpm_verdict_free(&v);
        /* nothing new: still good, state unchanged in index */
        evidence x;
        quote(&x, aks[k], 2, all.count);
        run(&st, &x, &v);
        expect(&v, QTPM_VERDICT_GOOD, NULL);
        qtpm_verdict_free(&v);
    }
}

static void test_unknown_executable(void **state)
{
    (void)state;
    static const char *const f[] = { "busybox v1", "/bin/busybox", "homebrew", "/usr/bin/x" };
    qtpm_verifier_state st;
    qtpm_verdict v;
    attest_new(&ak_mldsa, f, 2, &st, &v);
    expect(&v, QTPM_VERDICT_UNKNOWN, "unknown-file");
    assert_int_equal(v.n_reasons, 1);
    assert_string_equal(v.reasons[0].path, "/usr/bin/x");
    assert_int_equal(v.reasons[0].entry, all.count - 1);
    assert_int_equal(st.next_index, all.count);
    assert_int_equal(st.worst, QTPM_VERDICT_UNKNOWN);
    qtpm_verdict_free(&v);
    /* sticky: a later clean attestation in the same boot stays unknown */
    qtpm_ima_entry e;
    entry("busybox v1", "/bin/busybox", &e);
    measure(&e);
    qtpm_ima_entry_free(&e);
    evidence x;
    quote(&x, &ak_mldsa, 3, st.next_index);
    copy_range(&all, st.next_index, all.count, &x.sent);
    run(&st, &x, &v);
    expect(&v, QTPM_VERDICT_UNKNOWN, "earlier-in-this-boot");
    qtpm_verdict_free(&v);
    qtpm_ima_list_free(&x.sent);
}

/* An IMA violation (0xFF.. extended) replays, and is unknown, not good. */
static void test_violation(void **state)
{
    (void)state;
    qtpm_verifier_state st;
    synced_state(&st);
    size_t from = all.count;
    qtpm_ima_entry e;
    entry("being written", "/var/log/x", &e);
    memset(e.template_sha1, 0, 20);
    e.violation = 1;
    measure(&e);
    qtpm_ima_entry_free(&e);
    assert_int_equal(all.entries[from].violation, 1);
    evidence x;
    quote(&x, &ak_mldsa, 13, from);
    copy_range(&all, from, all.count, &x.sent);
    qtpm_verdict v;
    run(&st, &x, &v);
    expect(&v, QTPM_VERDICT_UNKNOWN, "measurement-violation");
    assert_int_equal(st.next_index, all.count);
    qtpm_verdict_free(&v);
    qtpm_ima_list_free(&x.sent);
}

static void test_modified_binary(void **state)
{
    (void)state;
    static const char *const f[] = { "routerd v2 patched", "/usr/sbin/routerd" };
    qtpm_verifier_state st;
    qtpm_verdict v;
    attest_new(&ak_ecc, f, 1, &st, &v);
    expect(&v, QTPM_VERDICT_BAD, "digest-mismatch");
    assert_string_equal(v.reasons[0].path, "/usr/sbin/routerd");
    uint8_t d[32];
    char hex[65];
    digest_of("routerd v1", d);
    for (int i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", d[i]);
    assert_string_equal(v.reasons[0].expected, hex);
    digest_of("routerd v2 patched", d);
    for (int i = 0; i < 32; i++)
        sprintf(hex + 2 * i, "%02x", d[i]);
    assert_string_equal(v.reasons[0].found, hex);
    assert_int_equal(st.worst, QTPM_VERDICT_BAD);
    qtpm_verdict_free(&v);
}

static void test_forbidden_file(void **state)
{
    (void)state;
    static const char *const f[] = { "rootkit", "/var/tmp/innocent" };
    qtpm_verifier_state st;
    qtpm_verdict v;
    attest_new(&ak_mldsa, f, 1, &st, &v);
    expect(&v, QTPM_VERDICT_BAD, "forbidden-file");
    assert_string_equal(v.reasons[0].path, "/var/tmp/innocent");
    qtpm_verdict_free(&v);
}

/* Measures three known entries; the agent sends an altered list. */
static void list_attack(int kind)
{
    qtpm_verifier_state st;
    synced_state(&st);
    size_t from = all.count;
    for (size_t i = 0; i < 3; i++) {
        qtpm_ima_entry e;
        entry(known[2 * i], known[2 * i + 1], &e);
        measure(&e);
        qtpm_ima_entry_free(&e);
    }
    evidence x;
    quote(&x, &ak_mldsa, 4, from);
    if (kind == 0) { /* truncated: the last entry is hidden */
        copy_range(&all, from, from + 2, &x.sent);
    } else if (kind == 1) { /* reordered */
        copy_range(&all, from + 1, from + 2, &x.sent);
        copy_range(&all, from, from + 1, &x.sent);
        copy_range(&all, from + 2, from + 3, &x.sent);
    } else if (kind == 2) { /* removed from the middle */
        copy_range(&all, from, from + 1, &x.sent);
        copy_range(&all, from + 2, from + 3, &x.sent);
    } else { /* a gap: starts past the verified prefix */
        copy_range(&all, from + 1, from + 3, &x.sent);
        x.ev.from_index = from + 1;
    }
    qtpm_verifier_state before = st;
    qtpm_verdict v;
    run(&st, &x, &v);
    expect(&v, QTPM_VERDICT_BAD, kind == 3 ? "list-gap" : "pcr-mismatch");
    /* nothing proved: the state did not move */
    assert_int_equal(st.next_index, before.next_index);
    assert_memory_equal(st.pcr10_sha256, before.pcr10_sha256, 32);
    qtpm_verdict_free(&v);
    qtpm_ima_list_free(&x.sent);
}

static void test_truncated_list(void **state) { (void)state; list_attack(0); }
static void test_reordered_entries(void **state) { (void)state; list_attack(1); }
static void test_removed_entry(void **state) { (void)state; list_attack(2); }
static void test_list_gap(void **state) { (void)state; list_attack(3); }

static void test_replayed_quote(void **state)
{
    (void)state;
    qtpm_verifier_state st;
    synced_state(&st);
    evidence x;
    quote(&x, &ak_mldsa, 5, all.count);
    TPM2B_DATA fresh = { 0 };
    fresh.size = 22;
    memcpy(fresh.buffer, "nonce-00000006-abcdef", 22); /* what the NMS asked this time */
    x.ev.nonce = &fresh;
    qtpm_verifier_state before = st;
    qtpm_verdict v;
    run(&st, &x, &v);
    expect(&v, QTPM_VERDICT_BAD, "nonce-mismatch");
    assert_memory_equal(&st, &before, sizeof st);
    qtpm_verdict_free(&v);
}

static void test_other_ak(void **state)
{
    (void)state;
    qtpm_verifier_state st;
    synced_state(&st);
    const qtpm_tss_key *pairs[2][2] = { { &ak_ecc2, &ak_ecc }, { &ak_ecc, &ak_mldsa } };
    for (int k = 0; k < 2; k++) {
        evidence x;
        quote(&x, pairs[k][0], 7, all.count);
        x.ev.ak = &pairs[k][1]->pub.publicArea; /* the enrolled AK is another one */
        qtpm_verdict v;
        run(&st, &x, &v);
        expect(&v, QTPM_VERDICT_BAD, "bad-quote-signature");
        qtpm_verdict_free(&v);
    }
}

static void test_tampered_pcr_values(void **state)
{
    (void)state;
    qtpm_verifier_state st;
    synced_state(&st);
    for (int b = 0; b < 2; b++) {
        evidence x;
        quote(&x, &ak_ecc, 8, all.count);
        x.values[b].buffer[0] ^= 0x80;
        qtpm_verdict v;
        run(&st, &x, &v);
        expect(&v, QTPM_VERDICT_BAD, "pcr-digest-mismatch");
        qtpm_verdict_free(&v);
    }
    /* a changed quote body breaks the signature */
    evidence x;
    quote(&x, &ak_mldsa, 9, all.count);
    x.quote.buffer[x.quote.size - 1] ^= 1;
    qtpm_verdict v;
    run(&st, &x, &v);
    expect(&v, QTPM_VERDICT_BAD, "bad-quote-signature");
    qtpm_verdict_free(&v);
}

static void test_reboot(void **state)
{
    (void)state;
    qtpm_verifier_state st;
    synced_state(&st);
    st.worst = QTPM_VERDICT_BAD; /* the last boot was bad */
    st.reset_count += 1;         /* the TPM's resetCount differs from the state's */
    evidence x;
    quote(&x, &ak_mldsa, 10, 0);
    copy_range(&all, 0, all.count, &x.sent);
    lists1[0] = &dl;
    qtpm_verdict v;
    assert_int_equal(qtpm_attest_verify(&st, lists1, 1, &x.ev, &v), 0);
    assert_int_equal(v.rebooted, 1);
    /* a new boot restarts from index 0; not bad in itself (the earlier tests'
     * unknown and forbidden files are in this TPM's list, so the files make
     * it bad here, but never "earlier-in-this-boot") */
    for (size_t i = 0; i < v.n_reasons; i++)
        assert_string_not_equal(v.reasons[i].code, "earlier-in-this-boot");
    assert_int_equal(st.next_index, all.count);
    qtpm_verdict_free(&v);
    qtpm_ima_list_free(&x.sent);
    /* reboot evidence that does not start at 0 is a gap */
    synced_state(&st);
    st.reset_count += 1;
    quote(&x, &ak_mldsa, 11, all.count);
    assert_int_equal(qtpm_attest_verify(&st, lists1, 1, &x.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "list-gap");
    assert_int_equal(v.rebooted, 1);
    qtpm_verdict_free(&v);
}

static void test_clock_rollback(void **state)
{
    (void)state;
    qtpm_verifier_state st;
    synced_state(&st);
    st.clock += 1000000000ull; /* the last quote was later than this one */
    qtpm_verifier_state before = st;
    evidence x;
    quote(&x, &ak_ecc, 12, all.count);
    qtpm_verdict v;
    run(&st, &x, &v);
    expect(&v, QTPM_VERDICT_BAD, "clock-rollback");
    assert_memory_equal(&st, &before, sizeof st);
    qtpm_verdict_free(&v);
    /* after a TPM resume (restartCount changed) the clock may be lower: not bad */
    st.restart_count += 1;
    quote(&x, &ak_ecc, 14, all.count);
    run(&st, &x, &v);
    expect(&v, QTPM_VERDICT_GOOD, NULL);
    assert_int_equal(v.rebooted, 0);
    qtpm_verdict_free(&v);
}

static void test_state_json(void **state)
{
    (void)state;
    qtpm_verifier_state st, back;
    synced_state(&st);
    st.worst = QTPM_VERDICT_UNKNOWN;
    char *j = NULL;
    assert_int_equal(qtpm_verifier_state_to_json(&st, &j), 0);
    assert_int_equal(qtpm_verifier_state_from_json(j, &back), 0);
    assert_int_equal(back.next_index, st.next_index);
    assert_memory_equal(back.pcr10_sha1, st.pcr10_sha1, 20);
    assert_memory_equal(back.pcr10_sha256, st.pcr10_sha256, 32);
    assert_int_equal(back.reset_count, st.reset_count);
    assert_int_equal(back.restart_count, st.restart_count);
    assert_int_equal(back.clock, st.clock);
    assert_int_equal(back.have_boot, 1);
    assert_int_equal(back.worst, QTPM_VERDICT_UNKNOWN);
    /* a PCR value that is not hex, and one cut short, are refused */
    char *at = strstr(j, "\"pcr10_sha256\"");
    assert_non_null(at);
    at = strchr(at + 14, '"');
    assert_non_null(at);
    char keep = at[1];
    at[1] = 'z';
    assert_int_equal(qtpm_verifier_state_from_json(j, &back), QTPM_ATTEST_EINVAL);
    at[1] = keep;
    memmove(at + 1, at + 3, strlen(at + 3) + 1);
    assert_int_equal(qtpm_verifier_state_from_json(j, &back), QTPM_ATTEST_EINVAL);
    free(j);
    assert_int_equal(qtpm_verifier_state_from_json("{\"next_index\":", &back), QTPM_ATTEST_EINVAL);
    assert_int_equal(qtpm_verifier_state_from_json("[]", &back), QTPM_ATTEST_EINVAL);
}

/* ----------------------------------------------------------- digest lists */

static void test_digestlist_signatures(void **state)
{
    (void)state;
    size_t pkl = qtpm_mldsa_pk_bytes(QTPM_MLDSA_65);
    qtpm_digestlist out;
    assert_int_equal(dl.count, 4);
    assert_string_equal(dl.vendor, "ACME");
    assert_int_equal(dl.version, 7);
    uint8_t d[32];
    digest_of("config v1", d);
    const qtpm_dl_entry *f = qtpm_digestlist_find(&dl, TPM_ALG_SHA256, d, 32);
    assert_non_null(f);
    assert_int_equal(f->kind, QTPM_DL_CONFIG);
    assert_string_equal(f->path, "/etc/router.conf");
    digest_of("nothing", d);
    assert_null(qtpm_digestlist_find(&dl, TPM_ALG_SHA256, d, 32));

    size_t body = 0;
    assert_int_equal(qtpm_digestlist_parse_unverified(signed_dl, signed_dl_len, &out, &body), 0);
    qtpm_digestlist_free(&out);
    uint8_t *c = malloc(signed_dl_len);
    /* the ML-DSA signature (after its u32 length) and the ECDSA one (last byte) */
    const size_t at[] = { body + 4 + 10, signed_dl_len - 1, 20 };
    for (size_t i = 0; i < 3; i++) {
        memcpy(c, signed_dl, signed_dl_len);
        c[at[i]] ^= 1;
        int rc = qtpm_digestlist_verify(c, signed_dl_len, vpub, pkl, vpub_pem, &out);
        assert_true(rc == QTPM_ATTEST_ESIG || (i == 2 && rc == QTPM_ATTEST_EINVAL));
        assert_int_equal(out.count, 0);
        assert_null(out.entries);
    }
    /* missing signatures: the body alone, the body and ML-DSA only */
    assert_int_equal(qtpm_digestlist_verify(signed_dl, body, vpub, pkl, vpub_pem, &out),
                     QTPM_ATTEST_ESIG);
    size_t mlen = body + 4 + qtpm_mldsa_sig_bytes(QTPM_MLDSA_65);
    assert_int_equal(qtpm_digestlist_verify(signed_dl, mlen, vpub, pkl, vpub_pem, &out),
                     QTPM_ATTEST_ESIG);
    /* a zero-length ML-DSA signature followed by the right ECDSA one */
    memcpy(c, signed_dl, body);
    memset(c + body, 0, 4);
    memcpy(c + body + 4, signed_dl + mlen, signed_dl_len - mlen);
    assert_int_equal(qtpm_digestlist_verify(c, body + 4 + (signed_dl_len - mlen), vpub, pkl,
                                            vpub_pem, &out), QTPM_ATTEST_ESIG);
    /* other vendor keys */
    uint8_t pk2[2048], sk2[8192];
    assert_int_equal(qtpm_mldsa_keygen(QTPM_MLDSA_65, pk2, sk2, NULL), 0);
    assert_int_equal(qtpm_digestlist_verify(signed_dl, signed_dl_len, pk2, pkl, vpub_pem, &out),
                     QTPM_ATTEST_ESIG);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    char *p2 = pem_of(k, 0);
    EVP_PKEY_free(k);
    assert_int_equal(qtpm_digestlist_verify(signed_dl, signed_dl_len, vpub, pkl, p2, &out),
                     QTPM_ATTEST_ESIG);
    assert_int_equal(qtpm_digestlist_verify(signed_dl, signed_dl_len, NULL, 0, vpub_pem, &out),
                     QTPM_ATTEST_ESIG);
    free(p2);
    free(c);
    /* and the good one still verifies */
    assert_int_equal(qtpm_digestlist_verify(signed_dl, signed_dl_len, vpub, pkl, vpub_pem, &out),
                     0);
    qtpm_digestlist_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ima_binary_roundtrip),
        cmocka_unit_test(test_ima_ascii_roundtrip),
        cmocka_unit_test(test_ima_templates),
        cmocka_unit_test(test_boot_aggregate),
        cmocka_unit_test(test_replay_both_banks),
        cmocka_unit_test(test_good_mldsa_and_ecc),
        cmocka_unit_test(test_unknown_executable),
        cmocka_unit_test(test_violation),
        cmocka_unit_test(test_modified_binary),
        cmocka_unit_test(test_forbidden_file),
        cmocka_unit_test(test_truncated_list),
        cmocka_unit_test(test_reordered_entries),
        cmocka_unit_test(test_removed_entry),
        cmocka_unit_test(test_list_gap),
        cmocka_unit_test(test_replayed_quote),
        cmocka_unit_test(test_other_ak),
        cmocka_unit_test(test_tampered_pcr_values),
        cmocka_unit_test(test_reboot),
        cmocka_unit_test(test_clock_rollback),
        cmocka_unit_test(test_state_json),
        cmocka_unit_test(test_digestlist_signatures),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
