/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Verification of one piece of evidence (docs/ATTESTATION.md): a quote and
 * the part of the router's IMA list the verifier has not seen, against the
 * router's verifier state and the vendors' reference digest lists.
 *
 * Order matters: nothing in the list is believed before the quote proves
 * it. (1) the AK's signature over TPMS_ATTEST, magic and type (Part 2 §10.12,
 * Part 3 §18.4 Quote); (2) the nonce the NMS issued (extraData) — a replayed
 * quote fails here; (3) the PCR selection and the pcrDigest over the
 * unsigned PCR values; (4) the boot: resetCount/restartCount against the
 * state (a new boot restarts verification from entry 0, it is not an
 * attack), and the clock must not go back within a boot; (5) the list: the
 * new entries must start where the verified prefix ends, and replaying them
 * on the kept PCR 10 values must give the quoted PCR 10 (truncated,
 * reordered, removed or altered entries all fail here); (6) each new file
 * digest against the lists. Cost: O(new entries · log(list size)).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "qtpm/attest.h"
#include "qtpm/marshal.h"
#include "qtpm/tss_tasks.h"

void qtpm_verifier_state_init(qtpm_verifier_state *st)
{
    memset(st, 0, sizeof *st);
    st->worst = QTPM_VERDICT_GOOD;
}

const char *qtpm_verdict_name(qtpm_verdict_state s)
{
    switch (s) {
    case QTPM_VERDICT_GOOD: return "good";
    case QTPM_VERDICT_UNKNOWN: return "unknown";
    case QTPM_VERDICT_BAD: return "bad";
    case QTPM_VERDICT_OFFLINE: return "offline";
    }
    return "?";
}

const char *qtpm_ar4si_name(qtpm_ar4si_tier t)
{
    switch (t) {
    case QTPM_AR4SI_AFFIRMING: return "affirming";
    case QTPM_AR4SI_WARNING: return "warning";
    case QTPM_AR4SI_CONTRAINDICATED: return "contraindicated";
    case QTPM_AR4SI_NONE: return "none";
    }
    return "?";
}

void qtpm_verdict_free(qtpm_verdict *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_reasons; i++) {
        free(v->reasons[i].path);
        free(v->reasons[i].expected);
        free(v->reasons[i].found);
    }
    free(v->reasons);
    memset(v, 0, sizeof *v);
}

static char *hex_of(const uint8_t *b, size_t n)
{
    static const char d[] = "0123456789abcdef";
    char *s = malloc(2 * n + 1);
    if (!s)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        s[2 * i] = d[b[i] >> 4];
        s[2 * i + 1] = d[b[i] & 15];
    }
    s[2 * n] = '\0';
    return s;
}

static int unhex(const char *s, uint8_t *out, size_t n)
{
    if (!s || strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

/* Adds a reason and raises the verdict to at least state. */
static int add_reason(qtpm_verdict *v, qtpm_verdict_state state, const char *code,
                      const char *path, char *expected, char *found, size_t entry)
{
    qtpm_reason *n = realloc(v->reasons, (v->n_reasons + 1) * sizeof *n);
    if (!n) {
        free(expected);
        free(found);
        return QTPM_ATTEST_ENOMEM;
    }
    v->reasons = n;
    qtpm_reason *r = &n[v->n_reasons++];
    r->code = code;
    r->path = path ? strdup(path) : NULL;
    r->expected = expected;
    r->found = found;
    r->entry = entry;
    if (state > v->state)
        v->state = state;
    return 0;
}

int qtpm_verifier_state_to_json(const qtpm_verifier_state *st, char **json)
{
    char *s1 = hex_of(st->pcr10_sha1, 20), *s256 = hex_of(st->pcr10_sha256, 32);
    json_t *j = (s1 && s256) ? json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:b,s:s}", "next_index",
                                         (json_int_t)st->next_index, "pcr10_sha1", s1,
                                         "pcr10_sha256", s256, "reset_count",
                                         (json_int_t)st->reset_count, "restart_count",
                                         (json_int_t)st->restart_count, "clock",
                                         (json_int_t)st->clock, "have_boot", st->have_boot,
                                         "worst", qtpm_verdict_name(st->worst))
                             : NULL;
    free(s1);
    free(s256);
    *json = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(j);
    return *json ? 0 : QTPM_ATTEST_ENOMEM;
}

int qtpm_verifier_state_from_json(const char *text, qtpm_verifier_state *st)
{
    qtpm_verifier_state_init(st);
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        return QTPM_ATTEST_EINVAL;
    json_int_t next = 0, rc_ = 0, rs = 0, clk = 0;
    int have = 0;
    const char *s1 = NULL, *s256 = NULL, *worst = NULL;
    int rc = json_unpack(j, "{s:I,s:s,s:s,s:I,s:I,s:I,s:b,s:s}", "next_index", &next,
                         "pcr10_sha1", &s1, "pcr10_sha256", &s256, "reset_count", &rc_,
                         "restart_count", &rs, "clock", &clk, "have_boot", &have, "worst",
                         &worst);
    int ok = rc == 0 && next >= 0 && rc_ >= 0 && rc_ <= UINT32_MAX && rs >= 0 &&
             rs <= UINT32_MAX && clk >= 0 && unhex(s1, st->pcr10_sha1, 20) == 0 &&
             unhex(s256, st->pcr10_sha256, 32) == 0;
    if (ok) {
        st->next_index = (uint64_t)next;
        st->reset_count = (uint32_t)rc_;
        st->restart_count = (uint32_t)rs;
        st->clock = (uint64_t)clk;
        st->have_boot = have;
        st->worst = !strcmp(worst, "bad")       ? QTPM_VERDICT_BAD
                    : !strcmp(worst, "unknown") ? QTPM_VERDICT_UNKNOWN
                                                : QTPM_VERDICT_GOOD;
    }
    json_decref(j);
    return ok ? 0 : QTPM_ATTEST_EINVAL;
}

static int pcr_selected(const TPMS_PCR_SELECTION *s, unsigned pcr)
{
    return pcr / 8 < s->sizeofSelect && (s->pcrSelect[pcr / 8] & (1u << (pcr % 8)));
}

/* The quoted value of PCR 10 in bank alg, from the unsigned values (in
 * selection order: banks in order, PCRs ascending — Part 2 §10.6). */
static const TPM2B_DIGEST *pcr10_value(const qtpm_evidence *ev, TPMI_ALG_HASH alg)
{
    size_t k = 0;
    for (UINT32 b = 0; b < ev->pcrs->count; b++) {
        const TPMS_PCR_SELECTION *s = &ev->pcrs->pcrSelections[b];
        for (unsigned pcr = 0; pcr < 8u * s->sizeofSelect; pcr++) {
            if (!pcr_selected(s, pcr))
                continue;
            if (k >= ev->n_pcr_values)
                return NULL;
            if (pcr == 10 && s->hash == alg)
                return &ev->pcr_values[k];
            k++;
        }
    }
    return NULL;
}

static int extend(TPMI_ALG_HASH alg, uint8_t *pcr, const uint8_t *v, size_t n)
{
    uint8_t buf[128];
    memcpy(buf, pcr, n);
    memcpy(buf + n, v, n);
    unsigned int ol = 0;
    return EVP_Digest(buf, 2 * n, pcr, &ol, alg == TPM_ALG_SHA1 ? EVP_sha1() : EVP_sha256(),
                      NULL) == 1 ? 0 : QTPM_ATTEST_EINVAL;
}

static const qtpm_dl_entry *find_digest(const qtpm_digestlist *const *lists, size_t n,
                                        const qtpm_ima_entry *e)
{
    for (size_t i = 0; i < n; i++) {
        const qtpm_dl_entry *d =
            qtpm_digestlist_find(lists[i], e->file_alg, e->file_digest, e->file_digest_len);
        if (d)
            return d;
    }
    return NULL;
}

static const qtpm_dl_entry *find_path(const qtpm_digestlist *const *lists, size_t n,
                                      const char *path)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < lists[i]->count; k++)
            if (lists[i]->entries[k].kind != QTPM_DL_FORBIDDEN &&
                strcmp(lists[i]->entries[k].path, path) == 0)
                return &lists[i]->entries[k];
    return NULL;
}

static void set_tier(qtpm_verdict *v)
{
    v->tier = v->state == QTPM_VERDICT_GOOD      ? QTPM_AR4SI_AFFIRMING
              : v->state == QTPM_VERDICT_UNKNOWN ? QTPM_AR4SI_WARNING
                                                 : QTPM_AR4SI_CONTRAINDICATED;
}

int qtpm_attest_verify(qtpm_verifier_state *st, const qtpm_digestlist *const *lists,
                       size_t n_lists, const qtpm_evidence *ev, qtpm_verdict *out)
{
    memset(out, 0, sizeof *out);
    int rc;
    TPMS_ATTEST a;
    size_t o = 0;
    /* (1) signature, structure, magic, type */
    if (qtpm_tss_verify_signature(ev->ak, ev->quote->buffer, ev->quote->size, ev->sig) !=
            QTPM_OK ||
        qtpm_TPMS_ATTEST_unmarshal(&a, ev->quote->buffer, ev->quote->size, &o) !=
            TPM_RC_SUCCESS ||
        o != ev->quote->size || a.magic != TPM_GENERATED_VALUE || a.type != TPM_ST_ATTEST_QUOTE) {
        rc = add_reason(out, QTPM_VERDICT_BAD, "bad-quote-signature", NULL, NULL, NULL, 0);
        goto done;
    }
    /* (2) freshness: the nonce of this challenge */
    if (a.extraData.size != ev->nonce->size ||
        CRYPTO_memcmp(a.extraData.buffer, ev->nonce->buffer, ev->nonce->size) != 0) {
        rc = add_reason(out, QTPM_VERDICT_BAD, "nonce-mismatch", NULL,
                        hex_of(ev->nonce->buffer, ev->nonce->size),
                        hex_of(a.extraData.buffer, a.extraData.size), 0);
        goto done;
    }
    /* (3) the unsigned PCR values are the quoted ones */
    TPM2B_DIGEST comp;
    uint8_t w[sizeof(TPML_PCR_SELECTION)], g[sizeof(TPML_PCR_SELECTION)];
    size_t wo = 0, go = 0;
    if (qtpm_TPML_PCR_SELECTION_marshal(ev->pcrs, w, sizeof w, &wo) ||
        qtpm_TPML_PCR_SELECTION_marshal(&a.attested.quote.pcrSelect, g, sizeof g, &go) ||
        wo != go || memcmp(w, g, wo) != 0 ||
        qtpm_tss_pcr_composite(qtpm_tss_signature_hash(ev->ak, ev->sig), ev->pcr_values,
                               ev->n_pcr_values, &comp) != QTPM_OK ||
        comp.size != a.attested.quote.pcrDigest.size ||
        memcmp(comp.buffer, a.attested.quote.pcrDigest.buffer, comp.size) != 0) {
        rc = add_reason(out, QTPM_VERDICT_BAD, "pcr-digest-mismatch", NULL,
                        hex_of(a.attested.quote.pcrDigest.buffer, a.attested.quote.pcrDigest.size),
                        NULL, 0);
        goto done;
    }
    /* (4) the boot */
    qtpm_verifier_state next = *st;
    /* A TPM Reset (resetCount changed) always starts a new list. A TPM Restart
     * (Shutdown(STATE) then Startup(CLEAR): restartCount changed, resetCount
     * not; Part 3 §9.3 TPM2_Startup) resets PCR 10 too, while a TPM Resume (Startup(STATE))
     * keeps it: with restartCount changed, evidence offered from entry 0 over
     * a verified prefix is a new list (the replay from zero PCRs below must
     * then give the quoted PCR 10), evidence from next_index a resumed one. */
    int restarted = st->have_boot && a.clockInfo.resetCount == st->reset_count &&
                    a.clockInfo.restartCount != st->restart_count && ev->from_index == 0 &&
                    st->next_index > 0;
    if (!st->have_boot || a.clockInfo.resetCount != st->reset_count || restarted) {
        if (st->have_boot)
            out->rebooted = 1;
        qtpm_verifier_state_init(&next);
        next.have_boot = 1;
        next.reset_count = a.clockInfo.resetCount;
    } else if (a.clockInfo.restartCount == st->restart_count && a.clockInfo.clock < st->clock) {
        char e[32], f[32];
        snprintf(e, sizeof e, "%llu", (unsigned long long)st->clock);
        snprintf(f, sizeof f, "%llu", (unsigned long long)a.clockInfo.clock);
        rc = add_reason(out, QTPM_VERDICT_BAD, "clock-rollback", NULL, strdup(e), strdup(f), 0);
        goto done;
    }
    next.restart_count = a.clockInfo.restartCount;
    next.clock = a.clockInfo.clock;
    /* (5) the list continues the verified prefix and replays to PCR 10 */
    if (ev->from_index != next.next_index) {
        char e[32], f[32];
        snprintf(e, sizeof e, "%llu", (unsigned long long)next.next_index);
        snprintf(f, sizeof f, "%llu", (unsigned long long)ev->from_index);
        rc = add_reason(out, QTPM_VERDICT_BAD, "list-gap", NULL, strdup(e), strdup(f),
                        (size_t)ev->from_index);
        goto done;
    }
    const TPM2B_DIGEST *q1 = pcr10_value(ev, TPM_ALG_SHA1), *q256 = pcr10_value(ev, TPM_ALG_SHA256);
    if (!q1 && !q256) {
        rc = add_reason(out, QTPM_VERDICT_BAD, "pcr10-not-quoted", NULL, NULL, NULL, 0);
        goto done;
    }
    size_t n_new = ev->new_entries ? ev->new_entries->count : 0;
    for (size_t i = 0; i < n_new; i++) {
        const qtpm_ima_entry *e = &ev->new_entries->entries[i];
        uint8_t v[64];
        size_t vl = 0;
        if (e->pcr != 10)
            continue;
        if ((rc = qtpm_ima_extend_value(e, TPM_ALG_SHA1, v, &vl)) != 0 ||
            (rc = extend(TPM_ALG_SHA1, next.pcr10_sha1, v, 20)) != 0 ||
            (rc = qtpm_ima_extend_value(e, TPM_ALG_SHA256, v, &vl)) != 0 ||
            (rc = extend(TPM_ALG_SHA256, next.pcr10_sha256, v, 32)) != 0)
            goto done;
    }
    if ((q256 && (q256->size != 32 || memcmp(q256->buffer, next.pcr10_sha256, 32) != 0)) ||
        (q1 && (q1->size != 20 || memcmp(q1->buffer, next.pcr10_sha1, 20) != 0))) {
        const TPM2B_DIGEST *q = q256 ? q256 : q1;
        rc = add_reason(out, QTPM_VERDICT_BAD, "pcr-mismatch", NULL,
                        hex_of(q->buffer, q->size),
                        hex_of(q256 ? next.pcr10_sha256 : next.pcr10_sha1, q256 ? 32 : 20),
                        (size_t)ev->from_index);
        goto done;
    }
    /* (6) each new file against the reference lists */
    for (size_t i = 0; i < n_new; i++) {
        const qtpm_ima_entry *e = &ev->new_entries->entries[i];
        size_t idx = (size_t)ev->from_index + i;
        if (e->violation) {
            rc = add_reason(out, QTPM_VERDICT_UNKNOWN, "measurement-violation", e->path, NULL,
                            NULL, idx);
        } else if (e->path && strcmp(e->path, "boot_aggregate") == 0) {
            rc = 0; /* checked against PCRs 0-9 by the caller's boot policy */
        } else {
            const qtpm_dl_entry *d = find_digest(lists, n_lists, e);
            const qtpm_dl_entry *p;
            if (d && d->kind == QTPM_DL_FORBIDDEN)
                rc = add_reason(out, QTPM_VERDICT_BAD, "forbidden-file", e->path, NULL,
                                hex_of(e->file_digest, e->file_digest_len), idx);
            else if (d)
                rc = 0;
            else if ((p = find_path(lists, n_lists, e->path)) != NULL)
                rc = add_reason(out, QTPM_VERDICT_BAD, "digest-mismatch", e->path,
                                hex_of(p->digest, p->digest_len),
                                hex_of(e->file_digest, e->file_digest_len), idx);
            else
                rc = add_reason(out, QTPM_VERDICT_UNKNOWN, "unknown-file", e->path, NULL,
                                hex_of(e->file_digest, e->file_digest_len), idx);
        }
        if (rc != 0)
            goto done;
    }
    next.next_index = ev->from_index + n_new;
    /* The worst of this boot stays: a router that ran an unknown binary is
     * not trusted again until it reboots into a known state. */
    if (out->state > next.worst)
        next.worst = out->state;
    if (next.worst > out->state) {
        rc = add_reason(out, next.worst, "earlier-in-this-boot", NULL, NULL, NULL, 0);
        if (rc != 0)
            goto done;
    }
    *st = next;
    rc = 0;
done:
    set_tier(out);
    return rc;
}
