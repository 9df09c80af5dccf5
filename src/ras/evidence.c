/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * evidence.c — the verifier side of explicit attestation (docs/NMS.md "Explicit
 * attestation"): POST /api/v1/routers/<id>/evidence.
 *
 * The nonce of /challenge is consumed first (single use, 60 s). The quote, its signature,
 * the unsigned PCR values and the new IMA entries go to qtpm_attest_verify with the router's
 * stored verifier state (incremental: only entries from the last verified index are
 * replayed) and every active digest list (their signatures were verified at
 * `digestlist add`; here they are only parsed). The verdict, its reasons, the new verifier
 * state, last_seen and the events are written in one transaction. For a good verdict the
 * response carries the approval: approvedPolicy = PolicyPCR(selection, H(values)) from
 * qtpm_tss_policy_pcr, signed by the policy key over SHA-256(approvedPolicy ‖ router id).
 *
 * The PCR selection is the SHA-256 bank with the PCRs the request gives values for
 * (ascending), which is what the quote must cover.
 *
 * Group commit (docs/SCALE.md): the work is split in two so that a server can write many
 * attestations in one transaction. qtpm_ras_evidence_verify does everything up to the
 * write — the nonce, the verification, the answer with its approval — and returns what is
 * to be written; qtpm_ras_evidence_write writes one inside the caller's transaction;
 * qtpm_ras_evidence_finish turns the outcome into the answer. qtpm_ras_evidence is the
 * three in a row with a transaction of its own. The answer is given only after the
 * write committed: a router never holds an approval for a verdict that could be lost.
 */
#include "ras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "qtpm/attest.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"

#define MAX_LISTS 64



struct lists {
    qtpm_digestlist dl[MAX_LISTS];
    const qtpm_digestlist *ptr[MAX_LISTS];
    size_t n;
};

static int load_list(void *ctx, const char *vendor, const uint8_t *b, size_t len)
{
    (void)vendor;
    struct lists *l = ctx;
    size_t body = 0;
    if (l->n >= MAX_LISTS)
        return 1;
    if (qtpm_digestlist_parse_unverified(b, len, &l->dl[l->n], &body) == QTPM_ATTEST_OK) {
        l->ptr[l->n] = &l->dl[l->n];
        l->n++;
    }
    return 0;
}

static json_t *reasons_json(const qtpm_verdict *v)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < v->n_reasons; i++) {
        const qtpm_reason *r = &v->reasons[i];
        json_t *o = json_pack("{s:s,s:I}", "code", r->code ? r->code : "unknown", "entry",
                              (json_int_t)r->entry);
        if (r->path)
            json_object_set_new(o, "path", json_string(r->path));
        if (r->expected)
            json_object_set_new(o, "expected", json_string(r->expected));
        if (r->found)
            json_object_set_new(o, "found", json_string(r->found));
        json_array_append_new(a, o);
    }
    return a;
}

/* Entries [0, n) of ima as one chunk in the binary list format (store.h
 * qtpm_store_measurements_add); *buf malloc'd. */
static int serialize_entries(const qtpm_ima_list *ima, uint64_t n, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int rc = n <= ima->count ? 0 : -1;
    for (uint64_t i = 0; rc == 0 && i < n; i++)
        if (qtpm_ima_serialize_binary(&ima->entries[i], buf, len) != QTPM_ATTEST_OK)
            rc = -1;
    if (rc) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

/* What an attestation writes, made by _verify, written by _write. */
struct qtpm_ras_pending {
    char id[64];
    const char *vname;   /* static (qtpm_verdict_name) */
    char *reasons_text;  /* the verdict's reasons, JSON */
    char *state_json;    /* the new verifier state */
    char *old_state;     /* the one verified against (NULL: none), compared at the write */
    int rebooted;
    uint8_t *entries;    /* the verified new entries, binary list format */
    size_t entries_len;
    int64_t first, count; /* their index range */
    char resumed[96];    /* a "resume" event's detail, or "" */
    json_t *body;        /* the answer after a good write */
    char worker[64];     /* the fence (qtpm_ras_pending_fence), "" for none */
    int64_t epoch, started_ms;
};

static void pending_free(qtpm_ras_pending *p)
{
    if (!p)
        return;
    free(p->reasons_text);
    free(p->state_json);
    free(p->old_state);
    free(p->entries);
    json_decref(p->body);
    free(p);
}

const char *qtpm_ras_pending_router(const qtpm_ras_pending *p) { return p->id; }

void qtpm_ras_evidence_verify(qtpm_store *st, EVP_PKEY *policy_key, const char *id,
                              const json_t *req, qtpm_ras_pending **out, qtpm_ras_result *res)
{
    *out = NULL;
    qtpm_ras_pending *p = NULL;
    const char *nonce_hex = json_string_value(json_object_get(req, "nonce"));
    const char *q64 = json_string_value(json_object_get(req, "quote"));
    const char *s64 = json_string_value(json_object_get(req, "signature"));
    json_t *pv = json_object_get(json_object_get(req, "pcr_values"), "sha256");
    json_t *log = json_object_get(req, "log");
    const char *fmt = json_string_value(json_object_get(log, "format"));
    json_t *from = json_object_get(log, "from_index");
    const char *e64 = json_string_value(json_object_get(log, "entries"));
    uint8_t *qraw = NULL, *sraw = NULL, *eraw = NULL;
    size_t qlen = 0, slen = 0, elen = 0, off;
    struct lists *lists = calloc(1, sizeof *lists);
    qtpm_ima_list ima = {0};
    qtpm_verdict verdict;
    memset(&verdict, 0, sizeof verdict);
    char *state_json = NULL, *reasons_text = NULL, *old_state = NULL;
    json_t *reasons = NULL;
    int have_verdict = 0;
    TPM2B_DATA nonce = {.size = 32};
    TPM2B_ATTEST quote;
    TPMT_SIGNATURE sig;
    if (!lists) {
        qtpm_ras_fail(res, 500, "internal", "out of memory");
        return;
    }
    if (qtpm_ras_unhex(nonce_hex, nonce.buffer, 32) || !q64 || !s64 || !json_is_object(pv) ||
        !fmt || strcmp(fmt, "ima-binary") != 0 || !json_is_integer(from) ||
        json_integer_value(from) < 0 || !e64 || qtpm_ras_b64_decode(q64, &qraw, &qlen) ||
        qtpm_ras_b64_decode(s64, &sraw, &slen) || (e64[0] && qtpm_ras_b64_decode(e64, &eraw,
                                                                                &elen))) {
        qtpm_ras_fail(res, 400, "bad-request", "need nonce, quote, signature, pcr_values.sha256 and "
                                      "log {format: ima-binary, from_index, entries}");
        goto out;
    }
    off = 0;
    int bad = qtpm_TPM2B_ATTEST_unmarshal(&quote, qraw, qlen, &off) != TPM_RC_SUCCESS ||
              off != qlen;
    off = 0;
    bad = bad || qtpm_TPMT_SIGNATURE_unmarshal(&sig, sraw, slen, &off, 0) != TPM_RC_SUCCESS ||
          off != slen;
    if (bad) {
        qtpm_ras_fail(res, 400, "bad-request", "quote or signature does not parse");
        goto out;
    }
    /* PCR values: SHA-256 bank, ascending PCR numbers. */
    TPML_PCR_SELECTION sel;
    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = TPM_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    TPM2B_DIGEST values[24];
    size_t nv = 0;
    for (int pcr = 0; pcr < 24; pcr++) {
        char key[4];
        snprintf(key, sizeof key, "%d", pcr);
        json_t *v = json_object_get(pv, key);
        if (!v)
            continue;
        values[nv].size = 32;
        if (qtpm_ras_unhex(json_string_value(v), values[nv].buffer, 32)) {
            qtpm_ras_fail(res, 400, "bad-request", "a PCR value is not 64 hex digits");
            goto out;
        }
        sel.pcrSelections[0].pcrSelect[pcr / 8] |= (uint8_t)(1u << (pcr % 8));
        nv++;
    }
    if (nv == 0 || nv != json_object_size(pv)) {
        qtpm_ras_fail(res, 400, "bad-request", "pcr_values.sha256 must map PCR numbers 0..23 to values");
        goto out;
    }
    if (elen && qtpm_ima_parse_binary(eraw, elen, &ima) != QTPM_ATTEST_OK) {
        qtpm_ras_fail(res, 400, "bad-log", "log.entries is not a binary IMA measurement list");
        goto out;
    }
    int rc = qtpm_store_nonce_take(st, id, nonce_hex, (int64_t)time(NULL));
    if (rc == QTPM_STORE_NOTFOUND) {
        qtpm_ras_fail(res, 403, "nonce-invalid", "unknown, used or expired nonce");
        goto out;
    }
    uint8_t ak_raw[4096];
    size_t ak_len = 0;
    if (rc || (rc = qtpm_store_ak_active(st, id, ak_raw, sizeof ak_raw, &ak_len))) {
        qtpm_ras_fail(res, rc == QTPM_STORE_NOTFOUND ? 404 : 500, "not-enrolled",
             "the router has no AK");
        goto out;
    }
    TPM2B_PUBLIC ak;
    off = 0;
    if (qtpm_TPM2B_PUBLIC_unmarshal(&ak, ak_raw, ak_len, &off, 0) != TPM_RC_SUCCESS) {
        qtpm_ras_fail(res, 500, "store", "stored AK does not parse");
        goto out;
    }
    qtpm_verifier_state vs;
    qtpm_verifier_state_init(&vs);
    char *old = NULL;
    if (qtpm_store_router_verifier_state(st, id, &old)) {
        qtpm_ras_fail(res, 500, "store", qtpm_store_errmsg(st));
        goto out;
    }
    if (old && qtpm_verifier_state_from_json(old, &vs) != QTPM_ATTEST_OK) {
        free(old);
        qtpm_ras_fail(res, 500, "store", "stored verifier state does not parse");
        goto out;
    }
    old_state = old; /* the write compares-and-sets over it */
    if (qtpm_store_digestlist_each(st, load_list, lists)) {
        qtpm_ras_fail(res, 500, "store", qtpm_store_errmsg(st));
        goto out;
    }
    qtpm_evidence ev = {
        .ak = &ak.publicArea,
        .nonce = &nonce,
        .quote = &quote,
        .sig = &sig,
        .pcrs = &sel,
        .pcr_values = values,
        .n_pcr_values = nv,
        .from_index = (uint64_t)json_integer_value(from),
        .new_entries = &ima,
    };
    const qtpm_verifier_state prev = vs;
    rc = qtpm_attest_verify(&vs, lists->ptr, lists->n, &ev, &verdict);
    if (rc != QTPM_ATTEST_OK) {
        qtpm_ras_fail(res, 400, "bad-evidence", "the evidence cannot be verified");
        goto out;
    }
    have_verdict = 1;
    reasons = reasons_json(&verdict);
    reasons_text = reasons ? json_dumps(reasons, JSON_COMPACT) : NULL;
    if (!reasons_text || qtpm_verifier_state_to_json(&vs, &state_json) != QTPM_ATTEST_OK) {
        qtpm_ras_fail(res, 500, "internal", "out of memory");
        goto out;
    }
    const char *vname = qtpm_verdict_name(verdict.state);
    if (strlen(id) >= sizeof p->id || !(p = calloc(1, sizeof *p))) {
        qtpm_ras_fail(res, 500, "internal", "out of memory");
        goto out;
    }
    snprintf(p->id, sizeof p->id, "%s", id);
    p->vname = vname;
    p->rebooted = verdict.rebooted;
    p->reasons_text = reasons_text;
    p->state_json = state_json;
    p->old_state = old_state;
    reasons_text = state_json = old_state = NULL;
    /* The entries this attestation verified, and only those, join the stored list. */
    if (vs.next_index > ev.from_index) {
        p->first = (int64_t)ev.from_index;
        p->count = (int64_t)(vs.next_index - ev.from_index);
        if (serialize_entries(&ima, vs.next_index - ev.from_index, &p->entries,
                              &p->entries_len)) {
            qtpm_ras_fail(res, 500, "internal", "cannot serialise the new entries");
            goto out;
        }
    }
    /* A TPM Resume (restartCount changed, resetCount and PCR 10 kept, the list
     * continued) is not a new boot but is worth an event too. */
    if (!verdict.rebooted && prev.have_boot && vs.have_boot &&
        vs.reset_count == prev.reset_count && vs.restart_count != prev.restart_count)
        snprintf(p->resumed, sizeof p->resumed,
                 "TPM resumed (restartCount %u -> %u), list continued",
                 (unsigned)prev.restart_count, (unsigned)vs.restart_count);
    json_t *body = json_pack("{s:s,s:s,s:O,s:I}", "verdict", vname, "tier",
                             qtpm_ar4si_name(verdict.tier), "reasons", reasons, "next_index",
                             (json_int_t)vs.next_index);
    if (body && verdict.state == QTPM_VERDICT_GOOD) {
        TPM2B_DIGEST composite, policy;
        TPMT_SIGNATURE approval;
        uint8_t ab[sizeof approval + 2];
        size_t ao = 0;
        char phex[2 * sizeof policy.buffer + 1] = "";
        if (qtpm_tss_pcr_composite(TPM_ALG_SHA256, values, nv, &composite) != QTPM_OK ||
            qtpm_tss_policy_start(TPM_ALG_SHA256, &policy) != QTPM_OK ||
            qtpm_tss_policy_pcr(TPM_ALG_SHA256, &policy, &sel, &composite) != QTPM_OK ||
            qtpm_ras_approve(policy_key, &policy, id, &approval) ||
            qtpm_TPMT_SIGNATURE_marshal(&approval, ab, sizeof ab, &ao) != TPM_RC_SUCCESS) {
            json_decref(body);
            qtpm_ras_fail(res, 500, "internal", "cannot sign the approval");
            goto out;
        }
        for (size_t i = 0; i < policy.size; i++)
            snprintf(phex + 2 * i, 3, "%02x", policy.buffer[i]);
        char *a64 = qtpm_ras_b64_encode(ab, ao);
        if (a64)
            json_object_set_new(body, "approval",
                                json_pack("{s:s,s:s}", "policy", phex, "signature", a64));
        free(a64);
    }
    if (!body) {
        qtpm_ras_fail(res, 500, "internal", "out of memory");
        goto out;
    }
    p->body = body;
    *out = p;
    p = NULL;
out:
    pending_free(p);
    if (have_verdict)
        qtpm_verdict_free(&verdict);
    json_decref(reasons);
    free(reasons_text);
    free(state_json);
    free(old_state);
    for (size_t i = 0; i < lists->n; i++)
        qtpm_digestlist_free(&lists->dl[i]);
    free(lists);
    qtpm_ima_list_free(&ima);
    free(qraw);
    free(sraw);
    free(eraw);
}

void qtpm_ras_pending_fence(qtpm_ras_pending *p, const char *worker, int64_t epoch,
                            int64_t started_ms)
{
    snprintf(p->worker, sizeof p->worker, "%s", worker ? worker : "");
    p->epoch = epoch;
    p->started_ms = started_ms;
}

int qtpm_ras_evidence_write_batch(qtpm_store *st, qtpm_ras_pending *const *p, size_t n,
                                  int *rcs)
{
    qtpm_store_att *a = calloc(n ? n : 1, sizeof *a);
    if (!a)
        return QTPM_STORE_ERROR;
    for (size_t i = 0; i < n; i++)
        a[i] = (qtpm_store_att){.router = p[i]->id, .verdict = p[i]->vname,
                                .reasons_json = p[i]->reasons_text,
                                .state_json = p[i]->state_json, .rebooted = p[i]->rebooted,
                                .cas = 1, .expect_state = p[i]->old_state,
                                .worker = p[i]->worker[0] ? p[i]->worker : NULL,
                                .epoch = p[i]->epoch, .started_ms = p[i]->started_ms};
    /* Nested in the caller's transaction: the verdicts, states and their events, then
     * for each written one its new entries and the rarer events — an "online" one when
     * the router had been marked offline (evidence is a sign of life). */
    int rc = qtpm_store_begin(st);
    if (rc == 0)
        rc = qtpm_store_attestations(st, a, n); /* an error: rolled back */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rcs[i] = a[i].rc;
        if (a[i].rc != QTPM_STORE_OK)
            continue;
        if (p[i]->count > 0)
            rc = qtpm_store_measurements_add(st, p[i]->id, p[i]->first, p[i]->count,
                                             p[i]->entries, p[i]->entries_len);
        if (rc == 0 && p[i]->resumed[0])
            rc = qtpm_store_event_add(st, p[i]->id, "resume", p[i]->resumed, NULL);
        if (rc == 0 && a[i].was_offline) {
            char detail[64];
            snprintf(detail, sizeof detail, "evidence; state %s", p[i]->vname);
            rc = qtpm_store_event_add(st, p[i]->id, "online", detail, NULL);
        }
        if (rc)
            qtpm_store_rollback(st);
    }
    free(a);
    return rc ? rc : qtpm_store_commit(st);
}

int qtpm_ras_evidence_write(qtpm_store *st, qtpm_ras_pending *p)
{
    int one = 0;
    int rc = qtpm_ras_evidence_write_batch(st, &p, 1, &one);
    return rc ? rc : one;
}

void qtpm_ras_evidence_finish(qtpm_store *st, qtpm_ras_pending *p, int rc,
                              qtpm_ras_result *res)
{
    if (rc == QTPM_STORE_CONFLICT) {
        /* Only under a lease fence (docs/SCALE.md): another worker took the router over
         * while this one verified; nothing was written, the new holder attests it. */
        qtpm_ras_fail(res, 409, "lease-lost", qtpm_store_errmsg(st));
    } else if (rc == QTPM_STORE_NOTFOUND) {
        qtpm_ras_fail(res, 404, "not-found", "no such router");
    } else if (rc) {
        qtpm_ras_fail(res, 500, "store", qtpm_store_errmsg(st));
    } else {
        res->status = 200;
        res->body = p->body;
        p->body = NULL;
    }
    pending_free(p);
}

void qtpm_ras_evidence(qtpm_store *st, EVP_PKEY *policy_key, const char *id, const json_t *req,
                       qtpm_ras_result *res)
{
    qtpm_ras_pending *p;
    qtpm_ras_evidence_verify(st, policy_key, id, req, &p, res);
    if (!p)
        return;
    int rc = qtpm_store_begin(st);
    if (rc == 0)
        rc = qtpm_ras_evidence_write(st, p);
    if (rc == 0)
        rc = qtpm_store_commit(st);
    else
        qtpm_store_rollback(st);
    qtpm_ras_evidence_finish(st, p, rc, res);
}
