/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libqtpm-attest's verifier against quotes from a real TPM (the in-process
 * engine, through libqtss): the measurements are extended into PCR 10 as the
 * kernel would, quoted by an ML-DSA AK (and an ECC AK), and each attack of
 * docs/ATTESTATION.md is checked for its exact verdict and reason code —
 * unknown and modified files, forbidden files, truncated, reordered and
 * pruned lists, replayed quotes, another router's AK, tampered PCR values,
 * clock rollback, reboots — plus incremental verification, the stickiness
 * of a bad boot, IMA list round trips and the digest list's signatures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "qtpm/attest.h"
#include "qtpm/mldsa.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

typedef struct {
    qtpm_tss *t;
    qtpm_tss_key ek, ak, ak2;
    qtpm_ima_list list;     /* everything measured, in order */
    qtpm_digestlist dl;     /* the vendor's verified list */
    uint8_t mldsa_pub[QTPM_MLDSA_MAX_PK_BYTES];
    char *ecdsa_pub;
    uint8_t *signed_list;
    size_t signed_len;
} fixture;

static void sha256(const char *s, uint8_t d[32])
{
    unsigned int n = 0;
    assert_int_equal(EVP_Digest(s, strlen(s), d, &n, EVP_sha256(), NULL), 1);
}

/* Measures content as the file path: a new entry, PCR 10 extended in both banks. */
static void measure(fixture *f, const char *path, const char *content)
{
    uint8_t d[32];
    sha256(content, d);
    qtpm_ima_entry e;
    assert_int_equal(qtpm_ima_entry_ng(10, TPM_ALG_SHA256, d, 32, path, &e), 0);
    TPML_DIGEST_VALUES dv;
    memset(&dv, 0, sizeof dv);
    dv.count = 2;
    size_t n;
    dv.digests[0].hashAlg = TPM_ALG_SHA1;
    assert_int_equal(qtpm_ima_extend_value(&e, TPM_ALG_SHA1, (uint8_t *)&dv.digests[0].digest, &n), 0);
    dv.digests[1].hashAlg = TPM_ALG_SHA256;
    assert_int_equal(qtpm_ima_extend_value(&e, TPM_ALG_SHA256, (uint8_t *)&dv.digests[1].digest, &n), 0);
    assert_int_equal(qtpm_tss_PCR_Extend(f->t, NULL, 10, &dv), QTPM_OK);
    /* keep a copy through the binary form, as the agent sends it */
    uint8_t *bin = NULL;
    size_t bl = 0;
    assert_int_equal(qtpm_ima_serialize_binary(&e, &bin, &bl), 0);
    assert_int_equal(qtpm_ima_parse_binary(bin, bl, &f->list), 0);
    free(bin);
    qtpm_ima_entry_free(&e);
}

static void make_digestlist(fixture *f)
{
    static const char *const files[][3] = {
        { "/usr/sbin/routerd", "routerd 3.4.2", "x" },
        { "/usr/lib/frr/zebra", "zebra 8.4", "x" },
        { "/etc/frr/frr.conf", "router ospf", "c" },
        { "/usr/bin/nc.traditional", "netcat", "f" },
    };
    uint8_t xi[32];
    static uint8_t sk[QTPM_MLDSA_MAX_SK_BYTES];
    assert_int_equal(qtpm_mldsa_keygen(QTPM_MLDSA_65, f->mldsa_pub, sk, xi), QTPM_OK);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    assert_non_null(k);
    BIO *b = BIO_new(BIO_s_mem()), *pb = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
    assert_int_equal(PEM_write_bio_PUBKEY(pb, k), 1);
    char *pem, *pub;
    long pl = BIO_get_mem_data(b, &pem), ql = BIO_get_mem_data(pb, &pub);
    char *pem_z = strndup(pem, (size_t)pl);
    f->ecdsa_pub = strndup(pub, (size_t)ql);
    BIO_free(b);
    BIO_free(pb);
    EVP_PKEY_free(k);
    qtpm_digestlist in = { strdup("acme"), strdup("os-1"), 7, 1700000000, NULL, 4 };
    in.entries = calloc(4, sizeof *in.entries);
    for (size_t i = 0; i < 4; i++) {
        in.entries[i].alg = TPM_ALG_SHA256;
        in.entries[i].digest_len = 32;
        sha256(files[i][1], in.entries[i].digest);
        in.entries[i].kind = files[i][2][0] == 'x' ? QTPM_DL_EXEC
                             : files[i][2][0] == 'c' ? QTPM_DL_CONFIG : QTPM_DL_FORBIDDEN;
        in.entries[i].path = strdup(files[i][0]);
    }
    assert_int_equal(qtpm_digestlist_sign(&in, xi, pem_z, &f->signed_list, &f->signed_len), 0);
    qtpm_digestlist_free(&in);
    free(pem_z);
    assert_int_equal(qtpm_digestlist_verify(f->signed_list, f->signed_len, f->mldsa_pub,
                                            qtpm_mldsa_pk_bytes(QTPM_MLDSA_65), f->ecdsa_pub,
                                            &f->dl), 0);
    assert_int_equal(f->dl.count, 4);
    assert_int_equal(f->dl.version, 7);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    assert_int_equal(qtpm_tss_new("engine:", &f->t), QTPM_OK);
    assert_int_equal(qtpm_tss_Startup(f->t, TPM_SU_CLEAR), QTPM_OK);
    assert_int_equal(qtpm_tss_create_ek(f->t, TPM_ALG_ECC, NULL, &f->ek), QTPM_OK);
    assert_int_equal(qtpm_tss_create_ak(f->t, &f->ek, TPM_ALG_MLDSA, NULL, NULL, &f->ak, NULL),
                     QTPM_OK);
    assert_int_equal(qtpm_tss_create_ak(f->t, &f->ek, TPM_ALG_ECC, NULL, NULL, &f->ak2, NULL),
                     QTPM_OK);
    make_digestlist(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    qtpm_ima_list_free(&f->list);
    qtpm_digestlist_free(&f->dl);
    free(f->ecdsa_pub);
    free(f->signed_list);
    qtpm_tss_free(f->t);
    free(f);
    return 0;
}

typedef struct {
    TPM2B_DATA nonce;
    TPML_PCR_SELECTION sel;
    TPM2B_ATTEST quote;
    TPMT_SIGNATURE sig;
    TPM2B_DIGEST values[4];
    size_t n_values;
    qtpm_ima_list part; /* entries [from, end) — shallow copies into f->list */
    qtpm_evidence ev;
} evidence;

/* Quotes PCRs 0 and 10 (SHA-256) and PCR 10 (SHA-1) with the given AK and
 * offers the list entries [from, to). */
static void collect(fixture *f, const qtpm_tss_key *ak, size_t from, size_t to, evidence *e)
{
    memset(e, 0, sizeof *e);
    TPM2B_DIGEST rnd;
    assert_int_equal(qtpm_tss_GetRandom(f->t, NULL, 32, &rnd), QTPM_OK);
    e->nonce.size = rnd.size;
    memcpy(e->nonce.buffer, rnd.buffer, rnd.size);
    e->sel.count = 2;
    e->sel.pcrSelections[0].hash = TPM_ALG_SHA1;
    e->sel.pcrSelections[0].sizeofSelect = 3;
    e->sel.pcrSelections[0].pcrSelect[1] = 1u << 2;
    e->sel.pcrSelections[1].hash = TPM_ALG_SHA256;
    e->sel.pcrSelections[1].sizeofSelect = 3;
    e->sel.pcrSelections[1].pcrSelect[0] = 1;
    e->sel.pcrSelections[1].pcrSelect[1] = 1u << 2;
    assert_int_equal(qtpm_tss_quote(f->t, ak, NULL, &e->nonce, &e->sel, &e->quote, &e->sig), QTPM_OK);
    assert_int_equal(qtpm_tss_pcr_read_all(f->t, &e->sel, e->values, 4, &e->n_values), QTPM_OK);
    assert_true(to <= f->list.count && from <= to);
    e->part.entries = f->list.entries + from;
    e->part.count = to - from;
    e->ev.ak = &ak->pub.publicArea;
    e->ev.nonce = &e->nonce;
    e->ev.quote = &e->quote;
    e->ev.sig = &e->sig;
    e->ev.pcrs = &e->sel;
    e->ev.pcr_values = e->values;
    e->ev.n_pcr_values = e->n_values;
    e->ev.from_index = from;
    e->ev.new_entries = &e->part;
}

static const qtpm_digestlist *const *lists(fixture *f)
{
    static const qtpm_digestlist *l[1];
    l[0] = &f->dl;
    return l;
}

static void expect(qtpm_verdict *v, qtpm_verdict_state st, const char *code, const char *path)
{
    assert_int_equal(v->state, st);
    if (!code) {
        assert_int_equal(v->n_reasons, 0);
        return;
    }
    for (size_t i = 0; i < v->n_reasons; i++)
        if (!strcmp(v->reasons[i].code, code) &&
            (!path || (v->reasons[i].path && !strcmp(v->reasons[i].path, path))))
            return;
    fail_msg("no reason %s %s (first: %s)", code, path ? path : "",
             v->n_reasons ? v->reasons[0].code : "none");
}

static void good_boot(fixture *f, qtpm_verifier_state *st)
{
    measure(f, "/usr/sbin/routerd", "routerd 3.4.2");
    measure(f, "/usr/lib/frr/zebra", "zebra 8.4");
    measure(f, "/etc/frr/frr.conf", "router ospf");
    evidence e;
    qtpm_verdict v;
    qtpm_verifier_state_init(st);
    collect(f, &f->ak, 0, f->list.count, &e);
    assert_int_equal(qtpm_attest_verify(st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_GOOD, NULL, NULL);
    assert_int_equal(v.tier, QTPM_AR4SI_AFFIRMING);
    assert_int_equal(st->next_index, 3);
    qtpm_verdict_free(&v);
}

static void test_good_then_incremental(void **state)
{
    fixture *f = *state;
    qtpm_verifier_state st;
    good_boot(f, &st);
    /* the same file again (IMA would not list it twice, but a list may) and
     * nothing else: only the new entry is sent */
    measure(f, "/usr/sbin/routerd", "routerd 3.4.2");
    evidence e;
    qtpm_verdict v;
    collect(f, &f->ak, 3, 4, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_GOOD, NULL, NULL);
    assert_int_equal(st.next_index, 4);
    qtpm_verdict_free(&v);
    /* the state survives its JSON form */
    char *json;
    qtpm_verifier_state back;
    assert_int_equal(qtpm_verifier_state_to_json(&st, &json), 0);
    assert_int_equal(qtpm_verifier_state_from_json(json, &back), 0);
    assert_memory_equal(&back, &st, sizeof st);
    free(json);
    assert_int_not_equal(qtpm_verifier_state_from_json("{\"next_index\":-1}", &back), 0);
    /* with the classic AK too */
    collect(f, &f->ak2, 4, 4, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_GOOD, NULL, NULL);
    qtpm_verdict_free(&v);
}

static void test_unknown_then_sticky(void **state)
{
    fixture *f = *state;
    qtpm_verifier_state st;
    good_boot(f, &st);
    measure(f, "/tmp/.x", "dropper");
    evidence e;
    qtpm_verdict v;
    collect(f, &f->ak, 3, 4, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_UNKNOWN, "unknown-file", "/tmp/.x");
    assert_int_equal(v.tier, QTPM_AR4SI_WARNING);
    assert_int_equal(v.reasons[0].entry, 3);
    qtpm_verdict_free(&v);
    /* nothing new since: the boot stays unknown */
    collect(f, &f->ak, 4, 4, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_UNKNOWN, "earlier-in-this-boot", NULL);
    qtpm_verdict_free(&v);
}

static void test_modified_and_forbidden(void **state)
{
    fixture *f = *state;
    qtpm_verifier_state st;
    good_boot(f, &st);
    measure(f, "/usr/sbin/routerd", "routerd 3.4.2 with a backdoor");
    measure(f, "/usr/bin/nc", "netcat");
    measure(f, "/etc/frr/frr.conf", "router ospf\n redistribute everything");
    evidence e;
    qtpm_verdict v;
    collect(f, &f->ak, 3, 6, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "digest-mismatch", "/usr/sbin/routerd");
    expect(&v, QTPM_VERDICT_BAD, "forbidden-file", "/usr/bin/nc");
    expect(&v, QTPM_VERDICT_BAD, "digest-mismatch", "/etc/frr/frr.conf");
    assert_int_equal(v.tier, QTPM_AR4SI_CONTRAINDICATED);
    uint8_t want[32];
    sha256("routerd 3.4.2", want);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", want[i]);
    assert_string_equal(v.reasons[0].expected, hex);
    assert_non_null(v.reasons[0].found);
    qtpm_verdict_free(&v);
}

static void test_list_tampering(void **state)
{
    fixture *f = *state;
    qtpm_verifier_state st, before;
    good_boot(f, &st);
    measure(f, "/tmp/.x", "dropper");
    measure(f, "/usr/lib/frr/zebra", "zebra 8.4");
    evidence e;
    qtpm_verdict v;
    before = st;
    /* truncated: the unknown file's entry and the one after are withheld */
    collect(f, &f->ak, 3, 3, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "pcr-mismatch", NULL);
    assert_memory_equal(&st, &before, sizeof st);
    qtpm_verdict_free(&v);
    /* the unknown entry removed from the middle */
    collect(f, &f->ak, 3, 5, &e);
    qtpm_ima_list pruned = { f->list.entries + 4, 1, 1 };
    e.ev.new_entries = &pruned;
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "pcr-mismatch", NULL);
    qtpm_verdict_free(&v);
    /* reordered */
    qtpm_ima_entry swapped[2] = { f->list.entries[4], f->list.entries[3] };
    qtpm_ima_list re = { swapped, 2, 2 };
    e.ev.new_entries = &re;
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "pcr-mismatch", NULL);
    qtpm_verdict_free(&v);
    /* the unknown file's entry rewritten to a known digest and path */
    qtpm_ima_entry forged[2] = { f->list.entries[0], f->list.entries[4] };
    qtpm_ima_list fl = { forged, 2, 2 };
    e.ev.new_entries = &fl;
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "pcr-mismatch", NULL);
    qtpm_verdict_free(&v);
    /* a gap: entries that do not start where the verified prefix ends */
    collect(f, &f->ak, 4, 5, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "list-gap", NULL);
    qtpm_verdict_free(&v);
    assert_memory_equal(&st, &before, sizeof st);
    /* and the honest list is still verified after all that */
    collect(f, &f->ak, 3, 5, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_UNKNOWN, "unknown-file", "/tmp/.x");
    qtpm_verdict_free(&v);
}

static void test_quote_attacks(void **state)
{
    fixture *f = *state;
    qtpm_verifier_state st, before;
    good_boot(f, &st);
    before = st;
    evidence e;
    qtpm_verdict v;
    /* replay: an old quote answering a new challenge */
    collect(f, &f->ak, 3, 3, &e);
    TPM2B_DATA fresh = e.nonce;
    fresh.buffer[0] ^= 0x80;
    e.ev.nonce = &fresh;
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "nonce-mismatch", NULL);
    qtpm_verdict_free(&v);
    /* a quote by another AK than the router's */
    collect(f, &f->ak2, 3, 3, &e);
    e.ev.ak = &f->ak.pub.publicArea;
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "bad-quote-signature", NULL);
    qtpm_verdict_free(&v);
    /* a flipped bit of the signed structure */
    collect(f, &f->ak, 3, 3, &e);
    e.quote.buffer[e.quote.size - 1] ^= 1;
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "bad-quote-signature", NULL);
    qtpm_verdict_free(&v);
    /* unsigned PCR values that are not the quoted ones */
    collect(f, &f->ak, 3, 3, &e);
    e.values[2].buffer[0] ^= 1;
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "pcr-digest-mismatch", NULL);
    qtpm_verdict_free(&v);
    assert_memory_equal(&st, &before, sizeof st);
    /* the clock of this boot going back */
    st.clock += 1000000000ull;
    collect(f, &f->ak, 3, 3, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "clock-rollback", NULL);
    qtpm_verdict_free(&v);
}

static void test_reboot(void **state)
{
    fixture *f = *state;
    qtpm_verifier_state st;
    good_boot(f, &st);
    /* the state says an earlier boot (another resetCount) that had gone bad:
     * this evidence starts afresh from entry 0, flagged, and is judged alone */
    st.reset_count += 1;
    st.worst = QTPM_VERDICT_BAD;
    st.next_index = 17;
    evidence e;
    qtpm_verdict v;
    collect(f, &f->ak, 0, f->list.count, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_GOOD, NULL, NULL);
    assert_true(v.rebooted);
    assert_int_equal(st.next_index, 3);
    qtpm_verdict_free(&v);
}

/* restartCount changed, resetCount not: a TPM Restart (PCRs reset, a new
 * list offered from 0) is a new boot; a TPM Resume (PCRs kept, the list
 * continued from next_index) is not. */
static void test_restart_and_resume(void **state)
{
    fixture *f = *state;
    qtpm_verifier_state st;
    good_boot(f, &st);
    evidence e;
    qtpm_verdict v;
    /* resume: same list, continued; the older restart count is the only change */
    st.restart_count += 1;
    measure(f, "/usr/lib/frr/zebra", "zebra 8.4");
    collect(f, &f->ak, 3, 4, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_GOOD, NULL, NULL);
    assert_false(v.rebooted);
    assert_int_equal(st.next_index, 4);
    qtpm_verdict_free(&v);
    /* restart: the verified prefix was longer than the new list will be and had
     * gone bad; the new list from 0 is judged alone and flagged as a new boot */
    st.restart_count += 1;
    st.worst = QTPM_VERDICT_BAD;
    st.next_index = 2;
    collect(f, &f->ak, 0, f->list.count, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_GOOD, NULL, NULL);
    assert_true(v.rebooted);
    assert_int_equal(st.next_index, 4);
    assert_int_equal(st.worst, QTPM_VERDICT_GOOD);
    qtpm_verdict_free(&v);
    /* the same boot (no counter changed): offering the list from 0 again over
     * the verified prefix is a gap, not a new boot */
    collect(f, &f->ak, 0, f->list.count, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "list-gap", NULL);
    assert_false(v.rebooted);
    qtpm_verdict_free(&v);
    /* restartCount changed but the list from 0 does not replay from zero PCRs
     * (a resumed TPM keeps PCR 10): bad, pcr-mismatch */
    st.restart_count += 1;
    collect(f, &f->ak, 0, 2, &e);
    assert_int_equal(qtpm_attest_verify(&st, lists(f), 1, &e.ev, &v), 0);
    expect(&v, QTPM_VERDICT_BAD, "pcr-mismatch", NULL);
    qtpm_verdict_free(&v);
}

static void test_ima_forms(void **state)
{
    fixture *f = *state;
    measure(f, "/usr/sbin/path with space", "x");
    /* ASCII lines of every entry parse back to the same template data */
    char *text = NULL;
    size_t tl = 0;
    for (size_t i = 0; i < f->list.count; i++) {
        char *line;
        assert_int_equal(qtpm_ima_format_ascii(&f->list.entries[i], &line), 0);
        text = realloc(text, tl + strlen(line) + 2);
        memcpy(text + tl, line, strlen(line));
        tl += strlen(line);
        text[tl++] = '\n';
        free(line);
    }
    qtpm_ima_list back = { 0 };
    assert_int_equal(qtpm_ima_parse_ascii(text, tl, &back), 0);
    assert_int_equal(back.count, f->list.count);
    for (size_t i = 0; i < back.count; i++) {
        assert_int_equal(back.entries[i].template_data_len, f->list.entries[i].template_data_len);
        assert_memory_equal(back.entries[i].template_data, f->list.entries[i].template_data,
                            back.entries[i].template_data_len);
        assert_memory_equal(back.entries[i].template_sha1, f->list.entries[i].template_sha1, 20);
        assert_string_equal(back.entries[i].path, f->list.entries[i].path);
    }
    qtpm_ima_list_free(&back);
    free(text);
    /* template hash of an ima-ng entry is SHA-1 over its template data */
    uint8_t h[20];
    unsigned int n;
    const qtpm_ima_entry *e = &f->list.entries[0];
    EVP_Digest(e->template_data, e->template_data_len, h, &n, EVP_sha1(), NULL);
    assert_memory_equal(h, e->template_sha1, 20);
    /* malformed binary lists are refused, not half-read */
    uint8_t *bin = NULL;
    size_t bl = 0;
    assert_int_equal(qtpm_ima_serialize_binary(e, &bin, &bl), 0);
    for (size_t cut = 1; cut < bl; cut++) {
        qtpm_ima_list l = { 0 };
        assert_int_not_equal(qtpm_ima_parse_binary(bin, cut, &l), 0);
        qtpm_ima_list_free(&l);
    }
    bin[28] = 'x'; /* template name "xma-ng" */
    qtpm_ima_list l = { 0 };
    assert_int_equal(qtpm_ima_parse_binary(bin, bl, &l), QTPM_ATTEST_EUNSUPP);
    qtpm_ima_list_free(&l);
    free(bin);
}

static void test_digestlist_signatures(void **state)
{
    fixture *f = *state;
    qtpm_digestlist dl;
    size_t pk = qtpm_mldsa_pk_bytes(QTPM_MLDSA_65);
    uint8_t *copy = malloc(f->signed_len);
    /* every byte matters: body (both signatures), ML-DSA and ECDSA fields */
    for (size_t i = 0; i < f->signed_len; i += 7) {
        memcpy(copy, f->signed_list, f->signed_len);
        copy[i] ^= 0x01;
        assert_int_not_equal(qtpm_digestlist_verify(copy, f->signed_len, f->mldsa_pub, pk,
                                                    f->ecdsa_pub, &dl), 0);
    }
    /* missing ECDSA signature (list cut after the ML-DSA one), no signatures */
    size_t body = 0;
    assert_int_equal(qtpm_digestlist_parse_unverified(f->signed_list, f->signed_len, &dl, &body), 0);
    qtpm_digestlist_free(&dl);
    assert_int_equal(qtpm_digestlist_verify(f->signed_list, body + 4 + 3309, f->mldsa_pub, pk,
                                            f->ecdsa_pub, &dl), QTPM_ATTEST_ESIG);
    assert_int_equal(qtpm_digestlist_verify(f->signed_list, body, f->mldsa_pub, pk,
                                            f->ecdsa_pub, &dl), QTPM_ATTEST_ESIG);
    /* no ECDSA key given: the list is not accepted on ML-DSA alone */
    assert_int_equal(qtpm_digestlist_verify(f->signed_list, f->signed_len, f->mldsa_pub, pk, NULL,
                                            &dl), QTPM_ATTEST_ESIG);
    assert_int_equal(qtpm_digestlist_verify(f->signed_list, f->signed_len, NULL, 0, f->ecdsa_pub,
                                            &dl), QTPM_ATTEST_ESIG);
    free(copy);
    /* lookup */
    uint8_t d[32];
    sha256("zebra 8.4", d);
    const qtpm_dl_entry *e = qtpm_digestlist_find(&f->dl, TPM_ALG_SHA256, d, 32);
    assert_non_null(e);
    assert_string_equal(e->path, "/usr/lib/frr/zebra");
    sha256("zebra 8.5", d);
    assert_null(qtpm_digestlist_find(&f->dl, TPM_ALG_SHA256, d, 32));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_good_then_incremental, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_then_sticky, setup, teardown),
        cmocka_unit_test_setup_teardown(test_modified_and_forbidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_tampering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quote_attacks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reboot, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_and_resume, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ima_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digestlist_signatures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
