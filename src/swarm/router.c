/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One simulated router's TPM and measurement list, and the bodies of its REST API v1
 * requests — the same bodies, built from the same TPM commands, as qtpm-agent's
 * agent_enrol and agent_attest (src/agent/flows.c):
 *
 * - manufacture (the vendor's factory, libqtpm-manufacture): an ML-KEM-768 EK and its
 *   certificate, signed by the vendor CA, in NV at 0x01C00020;
 * - enrolment: the EK re-created from its seed, an ML-DSA-44 AK created under it (EK
 *   policy sessions), /enrol with the EK certificate read back from NV, then
 *   TPM2_ActivateCredential of the NMS's credential blob (Part 1 §24) for /activate;
 * - measurement: each new file an ima-ng entry (the kernel's binary list format), its
 *   template hash extended into PCR 10 of the SHA-1 and SHA-256 banks (ima_pcr_extend);
 * - attestation: TPM2_Quote with the AK over the challenge's nonce and PCR selection
 *   (sha256: 0-7, 10), the PCR values read back, and the entries from the NMS's
 *   from_index.
 *
 * Unlike the agent, which is a process per router started per command, a router here is
 * always on: its EK and AK stay loaded between attestations (the agent re-creates the EK
 * and re-loads the AK each time). The NMS sees the same requests either way.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "agent.h"
#include "qtpm/marshal.h"
#include "qtpm/tss_cmd.h"
#include "swarm.h"

#define BLOB_MAX 16384
#define IMA_PCR 10

static json_t *b64_json(const uint8_t *buf, size_t len)
{
    char *s = agent_b64(buf, len);
    json_t *j = s ? json_string(s) : NULL;
    free(s);
    return j;
}

static json_t *b64_public(const TPM2B_PUBLIC *p)
{
    uint8_t buf[BLOB_MAX];
    size_t off = 0;
    if (qtpm_TPM2B_PUBLIC_marshal(p, buf, sizeof buf, &off) != TPM_RC_SUCCESS)
        return NULL;
    return b64_json(buf, off);
}

int swarm_router_tpm_init(swarm_router *r, const qtpm_vendor_ca *ca, char *err, size_t errlen)
{
    int rc = qtpm_tss_new("engine:", &r->tpm);
    if (rc == QTPM_OK)
        rc = qtpm_tss_Startup(r->tpm, TPM_SU_CLEAR);
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "engine TPM: %s", qtpm_tss_strerror(rc));
        return rc;
    }
    qtpm_mfg_result res;
    rc = qtpm_manufacture_ek(r->tpm, ca, QTPM_EK_MLKEM768, NULL, &res);
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "manufacturing the ML-KEM-768 EK: %s", qtpm_tss_strerror(rc));
        return rc;
    }
    rc = qtpm_tss_create_ek(r->tpm, TPM_ALG_MLKEM, NULL, &r->ek);
    if (rc == QTPM_OK)
        rc = qtpm_tss_create_ak(r->tpm, &r->ek, TPM_ALG_MLDSA, NULL, NULL, &r->ak, NULL);
    if (rc != QTPM_OK)
        snprintf(err, errlen, "EK and ML-DSA-44 AK: %s", qtpm_tss_strerror(rc));
    return rc;
}

json_t *swarm_enrol_body(swarm_router *r, char *err, size_t errlen)
{
    uint8_t der[4096];
    size_t der_len = 0;
    int rc = qtpm_tss_read_ek_cert(r->tpm, TPM_ALG_MLKEM, NULL, der, sizeof der, &der_len);
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "reading the EK certificate: %s", qtpm_tss_strerror(rc));
        return NULL;
    }
    json_t *j = json_pack("{s:s,s:o,s:o,s:o}", "hostname", r->hostname, "ek_cert",
                          b64_json(der, der_len), "ek_pub", b64_public(&r->ek.pub), "ak_pub",
                          b64_public(&r->ak.pub));
    if (!j)
        snprintf(err, errlen, "out of memory");
    return j;
}

static int get_b64(json_t *o, const char *key, uint8_t *out, size_t cap, size_t *len)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? agent_unb64(s, out, cap, len) : QTPM_E_INVALID;
}

json_t *swarm_activate_body(swarm_router *r, json_t *rep, char *err, size_t errlen)
{
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    uint8_t buf[BLOB_MAX];
    size_t len = 0, off = 0;
    if (get_b64(rep, "credential_blob", buf, sizeof buf, &len) != 0 ||
        qtpm_TPM2B_ID_OBJECT_unmarshal(&blob, buf, len, &off) != TPM_RC_SUCCESS ||
        (off = 0, get_b64(rep, "secret", buf, sizeof buf, &len)) != 0 ||
        qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(&secret, buf, len, &off) != TPM_RC_SUCCESS) {
        snprintf(err, errlen, "the NMS's enrolment reply is malformed");
        return NULL;
    }
    TPM2B_DIGEST cred;
    int rc = qtpm_tss_activate_credential(r->tpm, &r->ak, NULL, &r->ek, NULL, &blob, &secret,
                                          &cred);
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "ActivateCredential: %s", qtpm_tss_strerror(rc));
        return NULL;
    }
    char *hex = agent_hex(cred.buffer, cred.size);
    json_t *j = hex ? json_pack("{s:s}", "credential", hex) : NULL;
    free(hex);
    return j;
}

int swarm_measure(swarm_router *r, const char *path, const uint8_t digest[32])
{
    qtpm_ima_entry e;
    int rc = qtpm_ima_entry_ng(IMA_PCR, TPM_ALG_SHA256, digest, 32, path, &e);
    if (rc != 0)
        return rc;
    uint8_t *bin = NULL;
    size_t bin_len = 0;
    rc = qtpm_ima_serialize_binary(&e, &bin, &bin_len);
    if (rc == 0 && r->entries == r->offs_cap) {
        size_t cap = r->offs_cap ? 2 * r->offs_cap : 16;
        uint32_t *no = realloc(r->offs, cap * sizeof *no);
        if (!no)
            rc = QTPM_E_NOMEM;
        else
            r->offs = no, r->offs_cap = cap;
    }
    if (rc == 0 && r->list_len + bin_len > r->list_cap) {
        size_t cap = r->list_cap ? 2 * r->list_cap : 1024;
        while (cap < r->list_len + bin_len)
            cap *= 2;
        uint8_t *nl = realloc(r->list, cap);
        if (!nl)
            rc = QTPM_E_NOMEM;
        else
            r->list = nl, r->list_cap = cap;
    }
    /* The kernel's rule (ima_pcr_extend): each bank gets that bank's hash of the
     * template data; the list entry is kept before the PCR moves. */
    TPML_DIGEST_VALUES dv;
    memset(&dv, 0, sizeof dv);
    static const TPMI_ALG_HASH banks[2] = { TPM_ALG_SHA1, TPM_ALG_SHA256 };
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        size_t n = 0;
        dv.digests[i].hashAlg = banks[i];
        rc = qtpm_ima_extend_value(&e, banks[i], (uint8_t *)&dv.digests[i].digest, &n);
        dv.count++;
    }
    if (rc == 0) {
        memcpy(r->list + r->list_len, bin, bin_len);
        r->offs[r->entries++] = (uint32_t)r->list_len;
        r->list_len += bin_len;
        rc = qtpm_tss_PCR_Extend(r->tpm, NULL, IMA_PCR, &dv);
    }
    free(bin);
    qtpm_ima_entry_free(&e);
    return rc;
}

/* A growing text buffer for a request body (bad: out of memory, the text is lost). */
typedef struct {
    char *p;
    size_t n, cap;
    int bad;
} sbuf;

static char *sb_room(sbuf *b, size_t n)
{
    if (b->bad)
        return NULL;
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + n + 1)
            cap *= 2;
        char *q = realloc(b->p, cap);
        if (!q) {
            b->bad = 1;
            return NULL;
        }
        b->p = q;
        b->cap = cap;
    }
    return b->p + b->n;
}

static void sb_add(sbuf *b, const char *s, size_t n)
{
    char *d = sb_room(b, n);
    if (!d)
        return;
    memcpy(d, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_str(sbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* Base64 (RFC 4648 §4, padded: EVP_EncodeBlock) of buf, in place. */
static void sb_b64(sbuf *b, const uint8_t *buf, size_t len)
{
    size_t n = 4 * ((len + 2) / 3);
    char *d = sb_room(b, n);
    if (!d)
        return;
    EVP_EncodeBlock((unsigned char *)d, buf, (int)len);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_hex(sbuf *b, const uint8_t *buf, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *d = sb_room(b, 2 * len);
    if (!d)
        return;
    for (size_t i = 0; i < len; i++) {
        d[2 * i] = digits[buf[i] >> 4];
        d[2 * i + 1] = digits[buf[i] & 15];
    }
    b->n += 2 * len;
    b->p[b->n] = '\0';
}

static char *sb_take(sbuf *b)
{
    if (b->bad) {
        free(b->p);
        return NULL;
    }
    return b->p ? b->p : strdup("");
}

char *swarm_evidence_text(swarm_router *r, int replay, int want_next, char *err, size_t errlen)
{
    json_t *ch = r->challenge;
    const char *nh = json_string_value(json_object_get(ch, "nonce"));
    json_t *fi = json_object_get(ch, "from_index");
    json_int_t from = json_integer_value(fi);
    TPM2B_DATA nonce;
    TPML_PCR_SELECTION sel;
    size_t n = 0, nl = nh ? strlen(nh) : 0;
    int nonce_ok = nh && nl > 0 && nl <= 2 * sizeof nonce.buffer;
    for (size_t i = 0; nonce_ok && i < nl; i++) /* it goes into the body as it is */
        nonce_ok = (nh[i] >= '0' && nh[i] <= '9') || (nh[i] >= 'a' && nh[i] <= 'f') ||
                   (nh[i] >= 'A' && nh[i] <= 'F');
    if (!nonce_ok || agent_unhex(nh, nonce.buffer, sizeof nonce.buffer, &n) != 0 ||
        agent_parse_selection(json_object_get(ch, "pcr_selection"), &sel) != 0 ||
        !json_is_integer(fi) || from < 0) {
        snprintf(err, errlen, "the NMS's challenge is malformed");
        return NULL;
    }
    nonce.size = (UINT16)n;
    TPM2B_ATTEST quote;
    TPMT_SIGNATURE sig;
    TPM2B_DIGEST values[HASH_COUNT * 24];
    size_t nv = 0;
    int rc = qtpm_tss_quote(r->tpm, &r->ak, NULL, &nonce, &sel, &quote, &sig);
    if (rc == QTPM_OK)
        rc = qtpm_tss_pcr_read_all(r->tpm, &sel, values, sizeof values / sizeof values[0], &nv);
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "Quote: %s", qtpm_tss_strerror(rc));
        return NULL;
    }
    /* A list shorter than what the NMS verified: offer it whole (as the agent does). */
    if ((uint64_t)from > r->entries)
        from = 0;
    size_t start = (size_t)from < r->entries ? r->offs[from] : r->list_len;
    /* pcr_values: {"<bank>": {"<pcr>": "<hex>", ...}, ...}, as agent_attest's */
    sbuf pv = {0};
    size_t k = 0;
    sb_str(&pv, "{");
    for (UINT32 b = 0; b < sel.count; b++) {
        char key[16];
        sb_str(&pv, b ? ",\"" : "\"");
        sb_str(&pv, agent_hash_name(sel.pcrSelections[b].hash));
        sb_str(&pv, "\":{");
        int first = 1;
        for (unsigned pcr = 0; pcr < 24; pcr++) {
            if (!(sel.pcrSelections[b].pcrSelect[pcr / 8] & (1u << (pcr % 8))))
                continue;
            snprintf(key, sizeof key, "%s\"%u\":\"", first ? "" : ",", pcr);
            sb_str(&pv, key);
            if (k < nv)
                sb_hex(&pv, values[k].buffer, values[k].size);
            sb_str(&pv, "\"");
            first = 0;
            k++;
        }
        sb_str(&pv, "}");
    }
    sb_str(&pv, "}");
    uint8_t qb[BLOB_MAX], sb[BLOB_MAX];
    size_t qo = 0, so = 0;
    if (qtpm_TPM2B_ATTEST_marshal(&quote, qb, sizeof qb, &qo) != TPM_RC_SUCCESS ||
        qtpm_TPMT_SIGNATURE_marshal(&sig, sb, sizeof sb, &so) != TPM_RC_SUCCESS || pv.bad) {
        free(pv.p);
        snprintf(err, errlen, "marshalling the quote");
        return NULL;
    }
    char *q64 = agent_b64(qb, qo), *s64 = agent_b64(sb, so), *pvt = sb_take(&pv);
    if (replay && r->replay_quote) {
        /* the recorded good quote, signature and PCR values, with the fresh nonce */
        free(q64);
        free(s64);
        free(pvt);
        q64 = strdup(r->replay_quote);
        s64 = strdup(r->replay_sig);
        pvt = strdup(r->replay_pcrs);
    }
    if (!q64 || !s64 || !pvt) {
        free(q64);
        free(s64);
        free(pvt);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* The body agent_attest sends (nonce, quote, signature, pcr_values, uptime, log), as
     * text: base64 and hex need no JSON escaping. */
    char num[96];
    sbuf body = {0};
    sb_str(&body, "{\"nonce\":\"");
    sb_str(&body, nh);
    sb_str(&body, "\",\"quote\":\"");
    sb_str(&body, q64);
    sb_str(&body, "\",\"signature\":\"");
    sb_str(&body, s64);
    sb_str(&body, "\",\"pcr_values\":");
    sb_str(&body, pvt);
    snprintf(num, sizeof num, ",\"uptime\":0,\"log\":{\"format\":\"ima-binary\",\"from_index\":%lld",
             (long long)from);
    sb_str(&body, num);
    sb_str(&body, ",\"entries\":\"");
    if (r->list_len > start)
        sb_b64(&body, r->list + start, r->list_len - start);
    sb_str(&body, "\"}");
    if (want_next)
        sb_str(&body, ",\"next_challenge\":true");
    sb_str(&body, "}");
    char *text = sb_take(&body);
    if (!text) {
        free(q64);
        free(s64);
        free(pvt);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* what this evidence said, for a replay later (main.c keeps it if it was good) */
    free(r->sent_quote);
    free(r->sent_sig);
    free(r->sent_pcrs);
    r->sent_quote = q64;
    r->sent_sig = s64;
    r->sent_pcrs = pvt;
    return text;
}

void swarm_sent_forget(swarm_router *r)
{
    free(r->sent_quote);
    free(r->sent_sig);
    free(r->sent_pcrs);
    r->sent_quote = r->sent_sig = r->sent_pcrs = NULL;
}

void swarm_router_free(swarm_router *r)
{
    if (r->tpm)
        qtpm_tss_free(r->tpm);
    r->tpm = NULL;
    free(r->list);
    free(r->offs);
    free(r->replay_quote);
    free(r->replay_sig);
    free(r->replay_pcrs);
    swarm_sent_forget(r);
    json_decref(r->challenge);
    json_decref(r->next);
    r->next = NULL;
    r->list = NULL;
    r->offs = NULL;
    r->replay_quote = r->replay_sig = r->replay_pcrs = NULL;
    r->challenge = NULL;
}
