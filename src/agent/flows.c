/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The agent's TPM flows against qtpm-nms (docs/NMS.md, REST API v1).
 *
 * Enrolment (the seeds' HWDU.NA.1): the EK the TPM has a certificate for
 * (ML-KEM-768, ECC P-256 or RSA-2048, in that order), an AK created under it
 * (ML-DSA-65 by default, ECC/RSA for classic TPMs such as swtpm), POST
 * /enrol, TPM2_ActivateCredential of the NMS's credential (Part 1 §24), POST
 * /activate → the AK certificate. The AK's public and private blobs are
 * kept in state_dir so the agent reloads, never re-creates, its AK.
 *
 * Explicit attestation (HWDU.NA.4, RFC 9684 shapes): POST /challenge → the
 * NMS's nonce, PCR selection and the index it has verified up to; TPM2_Quote
 * with the AK; POST /evidence with the quote, the unsigned PCR values and
 * the list entries from that index, in the kernel's binary format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "agent.h"
#include "tlskey.h"
#include "qtpm/marshal.h"
#include "qtpm/tss_cmd.h"

#define BLOB_MAX 16384

static void spath(const agent_config *cfg, const char *name, char *out, size_t cap)
{
    snprintf(out, cap, "%s/%s", cfg->state_dir, name);
}

static const struct { const char *name; TPM_ALG_ID type; TPMI_MLDSA_PARMS set; } ak_algs[] = {
    { "mldsa65", TPM_ALG_MLDSA, TPM_MLDSA_65 },
    { "mldsa44", TPM_ALG_MLDSA, TPM_MLDSA_44 },
    { "ecc", TPM_ALG_ECC, 0 },
    { "rsa", TPM_ALG_RSA, 0 },
};

/* Create then Load of an AK under the EK, each authorised by the EK's policy
 * (PolicySecret(endorsement)); as qtpm_tss_create_ak, with the parameter set
 * of ML-DSA chosen here. */
static int create_ak(qtpm_tss *t, const qtpm_tss_key *ek, const char *alg, qtpm_tss_key *ak,
                     TPM2B_PRIVATE *priv)
{
    size_t i;
    for (i = 0; i < sizeof ak_algs / sizeof ak_algs[0]; i++)
        if (strcmp(ak_algs[i].name, alg) == 0)
            break;
    if (i == sizeof ak_algs / sizeof ak_algs[0])
        return QTPM_E_PARAM;
    TPM2B_PUBLIC in;
    TPM2B_SENSITIVE_CREATE sens;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    int rc = qtpm_tss_template_ak(ak_algs[i].type, &in.publicArea);
    if (rc != QTPM_OK)
        return rc;
    if (ak_algs[i].type == TPM_ALG_MLDSA)
        in.publicArea.parameters.mldsaDetail.parameterSet = ak_algs[i].set;
    /* noDA (Part 2 §8.3.3.1): the AK's authValue is empty, so DA protection guards nothing,
     * while a DA-protected AK makes its first use of a boot cycle a TPM NV write and is
     * locked out by the TPM after a few power losses (max_tries of them after a use:
     * Part 1 §19.8.6) — a router losing power during its bootstrap could no longer enrol. */
    in.publicArea.objectAttributes |= TPMA_OBJECT_NODA;
    qtpm_tss_session s;
    if ((rc = qtpm_tss_ek_policy_session(t, NULL, &s)) != QTPM_OK)
        return rc;
    qtpm_tss_auths a = { 1, { { &s, NULL } } };
    rc = qtpm_tss_Create(t, &a, ek->handle, &sens, &in, NULL, NULL, priv, &ak->pub, NULL, NULL,
                         NULL);
    if (rc == QTPM_OK)
        rc = qtpm_tss_PolicyRestart(t, NULL, &s);
    qtpm_tss_auths e = { 1, { { NULL, NULL } } };
    if (rc == QTPM_OK)
        rc = qtpm_tss_PolicySecret(t, &e, TPM_RH_ENDORSEMENT, &s, NULL, NULL, NULL, 0, NULL,
                                   NULL);
    if (rc == QTPM_OK)
        rc = qtpm_tss_Load(t, &a, ek->handle, priv, &ak->pub, &ak->handle, &ak->name);
    qtpm_tss_session_close(t, &s);
    return rc;
}

static int pick_ek(qtpm_tss *t, TPM_ALG_ID *type, uint8_t *der, size_t cap, size_t *len)
{
    static const TPM_ALG_ID order[] = { TPM_ALG_MLKEM, TPM_ALG_ECC, TPM_ALG_RSA };
    for (size_t i = 0; i < 3; i++) {
        if (qtpm_tss_read_ek_cert(t, order[i], NULL, der, cap, len) == QTPM_OK) {
            *type = order[i];
            return 0;
        }
    }
    return -1;
}

static int save_blob_public(const char *path, const TPM2B_PUBLIC *p)
{
    uint8_t buf[BLOB_MAX];
    size_t off = 0;
    if (qtpm_TPM2B_PUBLIC_marshal(p, buf, sizeof buf, &off) != TPM_RC_SUCCESS)
        return -1;
    return agent_write_file(path, buf, off, 0644);
}

static int save_blob_private(const char *path, const TPM2B_PRIVATE *p)
{
    uint8_t buf[BLOB_MAX];
    size_t off = 0;
    if (qtpm_TPM2B_PRIVATE_marshal(p, buf, sizeof buf, &off) != TPM_RC_SUCCESS)
        return -1;
    return agent_write_file(path, buf, off, 0600);
}

static json_t *b64_marshalled_public(const TPM2B_PUBLIC *p)
{
    uint8_t buf[BLOB_MAX];
    size_t off = 0;
    if (qtpm_TPM2B_PUBLIC_marshal(p, buf, sizeof buf, &off) != TPM_RC_SUCCESS)
        return NULL;
    char *s = agent_b64(buf, off);
    json_t *j = s ? json_string(s) : NULL;
    free(s);
    return j;
}

static json_t *b64_json(const uint8_t *buf, size_t len)
{
    char *s = agent_b64(buf, len);
    json_t *j = s ? json_string(s) : NULL;
    free(s);
    return j;
}

static int get_b64(json_t *o, const char *key, uint8_t *out, size_t cap, size_t *len)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? agent_unb64(s, out, cap, len) : QTPM_E_INVALID;
}

static int load_ak_blobs(const agent_config *cfg, qtpm_tss *tpm, const qtpm_tss_key *ek,
                         qtpm_tss_key *ak, TPM2B_PRIVATE *priv);

int agent_enrol(const agent_config *cfg, qtpm_tss *tpm, char *err, size_t errlen)
{
    mkdir(cfg->state_dir, 0700);
    uint8_t der[4096];
    size_t der_len = 0;
    TPM_ALG_ID ek_type;
    if (pick_ek(tpm, &ek_type, der, sizeof der, &der_len) != 0) {
        snprintf(err, errlen, "the TPM has no EK certificate in NV (ML-KEM-768, ECC or RSA)");
        return QTPM_E_INVALID;
    }
    qtpm_tss_key ek, ak;
    TPM2B_PRIVATE priv;
    int rc = qtpm_tss_create_ek(tpm, ek_type, NULL, &ek);
    char p[1100];
    /* Inside a deferred group (a bootstrap, ztp.c) the AK is made durable before the NMS
     * hears of it, and an AK left by an interrupted bootstrap is used again: the NMS
     * accepts a known EK again only with the same AK (ras/enrol.c, reenrol-refused). */
    int reused = 0, saved = 0; /* saved: the blobs are on disk already */
    if (rc == QTPM_OK && agent_write_deferring()) {
        memset(&ak, 0, sizeof ak);
        reused = saved = load_ak_blobs(cfg, tpm, &ek, &ak, &priv) == QTPM_OK;
    }
    if (rc == QTPM_OK && !reused) {
        rc = create_ak(tpm, &ek, cfg->ak_alg, &ak, &priv);
        if (rc == QTPM_OK && agent_write_deferring()) {
            spath(cfg, "ak.pub", p, sizeof p);
            rc = save_blob_public(p, &ak.pub);
            spath(cfg, "ak.priv", p, sizeof p);
            rc = rc ? rc : save_blob_private(p, &priv);
            rc = rc ? rc : agent_write_sync();
            saved = rc == 0;
            if (rc != 0) {
                snprintf(err, errlen, "cannot write the AK to %s", cfg->state_dir);
                qtpm_tss_FlushContext(tpm, ak.handle);
                qtpm_tss_FlushContext(tpm, ek.handle);
                return AGENT_E_IO;
            }
        }
    }
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "creating the EK and the %s AK: %s", cfg->ak_alg,
                 qtpm_tss_strerror(rc));
        return rc;
    }
    json_t *req = json_pack("{s:s,s:o,s:o,s:o}", "hostname", cfg->hostname, "ek_cert",
                            b64_json(der, der_len), "ek_pub", b64_marshalled_public(&ek.pub),
                            "ak_pub", b64_marshalled_public(&ak.pub));
    long status;
    json_t *rep = NULL;
    rc = req ? agent_http_post(cfg, "/api/v1/enrol", req, &status, &rep, err, errlen)
             : QTPM_E_NOMEM;
    json_decref(req);
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    uint8_t buf[BLOB_MAX];
    size_t len, off;
    const char *enrolment = rep ? json_string_value(json_object_get(rep, "enrolment")) : NULL;
    if (rc == 0) {
        off = 0;
        if (!enrolment || get_b64(rep, "credential_blob", buf, sizeof buf, &len) != 0 ||
            qtpm_TPM2B_ID_OBJECT_unmarshal(&blob, buf, len, &off) != TPM_RC_SUCCESS ||
            (off = 0, get_b64(rep, "secret", buf, sizeof buf, &len)) != 0 ||
            qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(&secret, buf, len, &off) != TPM_RC_SUCCESS) {
            snprintf(err, errlen, "the NMS's enrolment reply is malformed");
            rc = AGENT_E_NMS;
        }
    }
    TPM2B_DIGEST cred;
    if (rc == 0) {
        rc = qtpm_tss_activate_credential(tpm, &ak, NULL, &ek, NULL, &blob, &secret, &cred);
        if (rc != QTPM_OK)
            snprintf(err, errlen, "ActivateCredential: %s", qtpm_tss_strerror(rc));
    }
    json_t *rep2 = NULL;
    if (rc == 0) {
        char *hex = agent_hex(cred.buffer, cred.size);
        qtpm_memzero(&cred, sizeof cred);
        char path[512];
        snprintf(path, sizeof path, "/api/v1/enrol/%s/activate", enrolment);
        json_t *a = json_pack("{s:s}", "credential", hex ? hex : "");
        if (hex)
            qtpm_memzero(hex, strlen(hex));
        free(hex);
        rc = agent_http_post(cfg, path, a, &status, &rep2, err, errlen);
        json_decref(a);
    }
    const char *router = rep2 ? json_string_value(json_object_get(rep2, "router")) : NULL;
    if (rc == 0 && !router) {
        snprintf(err, errlen, "the NMS's activation reply names no router");
        rc = AGENT_E_NMS;
    }
    if (rc == 0) {
        spath(cfg, "ak.pub", p, sizeof p);
        rc = saved ? 0 : save_blob_public(p, &ak.pub);
        spath(cfg, "ak.priv", p, sizeof p);
        rc = rc || saved ? rc : save_blob_private(p, &priv);
        spath(cfg, "router.id", p, sizeof p);
        rc = rc ? rc : agent_write_file(p, (const uint8_t *)router, strlen(router), 0644);
        if (rc == 0 && get_b64(rep2, "policy_key", buf, sizeof buf, &len) == 0) {
            spath(cfg, "policy.pub", p, sizeof p);
            rc = agent_write_file(p, buf, len, 0644);
        }
        if (get_b64(rep2, "ak_cert", buf, sizeof buf, &len) == 0) {
            spath(cfg, "ak.crt", p, sizeof p);
            rc = rc ? rc : agent_write_file(p, buf, len, 0644);
        }
        if (rc != 0)
            snprintf(err, errlen, "cannot write the AK to %s", cfg->state_dir);
    }
    json_decref(rep);
    json_decref(rep2);
    qtpm_tss_FlushContext(tpm, ak.handle);
    qtpm_tss_FlushContext(tpm, ek.handle);
    return rc;
}

/* Loads state_dir's AK blobs under the EK ek (loaded): 0, AGENT_E_IO (missing or
 * malformed) or the TPM's error. *priv gets the private blob. */
static int load_ak_blobs(const agent_config *cfg, qtpm_tss *tpm, const qtpm_tss_key *ek,
                         qtpm_tss_key *ak, TPM2B_PRIVATE *priv)
{
    char p[1100];
    uint8_t *buf = NULL;
    size_t len = 0, off = 0;
    spath(cfg, "ak.pub", p, sizeof p);
    int ok = agent_read_file(p, &buf, &len) == 0 &&
             qtpm_TPM2B_PUBLIC_unmarshal(&ak->pub, buf, len, &off, 0) == TPM_RC_SUCCESS;
    free(buf);
    buf = NULL;
    off = 0;
    spath(cfg, "ak.priv", p, sizeof p);
    ok = ok && agent_read_file(p, &buf, &len) == 0 &&
         qtpm_TPM2B_PRIVATE_unmarshal(priv, buf, len, &off) == TPM_RC_SUCCESS;
    if (buf)
        qtpm_memzero(buf, len);
    free(buf);
    if (!ok)
        return AGENT_E_IO;
    qtpm_tss_session s;
    int rc = qtpm_tss_ek_policy_session(tpm, NULL, &s);
    if (rc == QTPM_OK) {
        qtpm_tss_auths a = { 1, { { &s, NULL } } };
        rc = qtpm_tss_Load(tpm, &a, ek->handle, priv, &ak->pub, &ak->handle, &ak->name);
        qtpm_tss_session_close(tpm, &s);
    }
    return rc;
}

/* Recreates the EK (a primary: same template, same key) and loads the AK. */
static int load_ak(const agent_config *cfg, qtpm_tss *tpm, qtpm_tss_key *ek, qtpm_tss_key *ak,
                   char *router, size_t rcap, char *err, size_t errlen)
{
    char p[1100];
    uint8_t *buf = NULL;
    size_t len = 0;
    TPM2B_PRIVATE priv;
    memset(ak, 0, sizeof *ak);
    spath(cfg, "router.id", p, sizeof p);
    if (agent_read_file(p, &buf, &len) != 0 || len == 0 || len >= rcap) {
        free(buf);
        snprintf(err, errlen, "not enrolled (no %s): run qtpm-agent enrol first", p);
        return AGENT_E_IO;
    }
    memcpy(router, buf, len);
    router[len] = '\0';
    free(buf);
    uint8_t der[4096];
    TPM_ALG_ID ek_type;
    if (pick_ek(tpm, &ek_type, der, sizeof der, &len) != 0) {
        snprintf(err, errlen, "the TPM has no EK certificate in NV");
        return QTPM_E_INVALID;
    }
    int rc = qtpm_tss_create_ek(tpm, ek_type, NULL, ek);
    if (rc == QTPM_OK)
        rc = load_ak_blobs(cfg, tpm, ek, ak, &priv);
    qtpm_memzero(&priv, sizeof priv);
    if (rc == AGENT_E_IO)
        snprintf(err, errlen, "the AK blobs in %s are missing or malformed", cfg->state_dir);
    else if (rc != QTPM_OK)
        snprintf(err, errlen, "loading the AK: %s (a different TPM?)", qtpm_tss_strerror(rc));
    return rc;
}

static TPMI_ALG_HASH hash_by_name(const char *n)
{
    if (strcmp(n, "sha1") == 0)
        return TPM_ALG_SHA1;
    if (strcmp(n, "sha256") == 0)
        return TPM_ALG_SHA256;
    if (strcmp(n, "sha384") == 0)
        return TPM_ALG_SHA384;
    if (strcmp(n, "sha512") == 0)
        return TPM_ALG_SHA512;
    return TPM_ALG_NULL;
}

const char *agent_hash_name(TPMI_ALG_HASH h)
{
    return h == TPM_ALG_SHA1     ? "sha1"
           : h == TPM_ALG_SHA256 ? "sha256"
           : h == TPM_ALG_SHA384 ? "sha384"
           : h == TPM_ALG_SHA512 ? "sha512"
                                 : NULL;
}

static const char *hash_name(TPMI_ALG_HASH h)
{
    const char *n = agent_hash_name(h);
    return n ? n : "sha384";
}

/* {"sha256": [0, 1, 10]} → a TPML_PCR_SELECTION. */
int agent_parse_selection(json_t *j, TPML_PCR_SELECTION *sel)
{
    memset(sel, 0, sizeof *sel);
    const char *bank;
    json_t *pcrs;
    if (!json_is_object(j))
        return QTPM_E_INVALID;
    json_object_foreach(j, bank, pcrs) {
        TPMI_ALG_HASH h = hash_by_name(bank);
        if (h == TPM_ALG_NULL || !json_is_array(pcrs) || sel->count >= HASH_COUNT)
            return QTPM_E_INVALID;
        TPMS_PCR_SELECTION *s = &sel->pcrSelections[sel->count++];
        s->hash = h;
        s->sizeofSelect = 3;
        size_t i;
        json_t *v;
        json_array_foreach(pcrs, i, v) {
            json_int_t n = json_integer_value(v);
            if (!json_is_integer(v) || n < 0 || n > 23)
                return QTPM_E_INVALID;
            s->pcrSelect[n / 8] |= (BYTE)(1u << (n % 8));
        }
    }
    return sel->count ? 0 : QTPM_E_INVALID;
}

/* Whether the list no longer continues the prefix the NMS verified (the
 * challenge's "verified": the boot of the last verified quote and the SHA-256
 * PCR 10 that prefix replays to). Another resetCount in this quote: a TPM
 * Reset, always a new list. Another restartCount only: a TPM Restart (PCRs
 * reset, a new list) or a Resume (PCRs kept, the same list) — told apart by
 * replaying our list's first `from` entries, which happens once per restart. */
static int restarted_since(json_t *verified, const TPM2B_ATTEST *quote,
                           const qtpm_ima_list *list, size_t from)
{
    TPMS_ATTEST a;
    size_t off = 0;
    json_t *rc_ = json_object_get(verified, "reset_count");
    json_t *rs = json_object_get(verified, "restart_count");
    const char *p10 = json_string_value(json_object_get(verified, "pcr10_sha256"));
    if (!json_is_integer(rc_) || !json_is_integer(rs) ||
        qtpm_TPMS_ATTEST_unmarshal(&a, quote->buffer, quote->size, &off) != TPM_RC_SUCCESS)
        return 0;
    if ((json_int_t)a.clockInfo.resetCount != json_integer_value(rc_))
        return 1;
    if ((json_int_t)a.clockInfo.restartCount == json_integer_value(rs))
        return 0;
    uint8_t want[32], pcr[64], v[64], h[32];
    size_t n = 0, vl = 0;
    if (!p10 || agent_unhex(p10, want, sizeof want, &n) != 0 || n != 32)
        return 0;
    memset(pcr, 0, sizeof pcr);
    for (size_t i = 0; i < from && i < list->count; i++) {
        unsigned int ol = 0;
        if (list->entries[i].pcr != 10)
            continue;
        if (qtpm_ima_extend_value(&list->entries[i], TPM_ALG_SHA256, v, &vl) != 0)
            return 1;
        memcpy(pcr + 32, v, 32);
        if (EVP_Digest(pcr, 64, h, &ol, EVP_sha256(), NULL) != 1)
            return 1;
        memcpy(pcr, h, 32);
    }
    return memcmp(pcr, want, 32) != 0;
}

int agent_attest(const agent_config *cfg, qtpm_tss *tpm, char *verdict, size_t vlen,
                 json_t **reply, char *err, size_t errlen)
{
    char router[256], path[512];
    qtpm_tss_key ek, ak;
    *reply = NULL;
    snprintf(verdict, vlen, "none");
    int rc = load_ak(cfg, tpm, &ek, &ak, router, sizeof router, err, errlen);
    if (rc != 0)
        return rc;
    long status;
    json_t *ch = NULL, *empty = json_object();
    snprintf(path, sizeof path, "/api/v1/routers/%s/challenge", router);
    rc = agent_http_post(cfg, path, empty, &status, &ch, err, errlen);
    json_decref(empty);
    TPM2B_DATA nonce;
    TPML_PCR_SELECTION sel;
    size_t n = 0;
    json_int_t from = 0;
    if (rc == 0) {
        const char *nh = json_string_value(json_object_get(ch, "nonce"));
        json_t *fi = json_object_get(ch, "from_index");
        from = json_integer_value(fi);
        if (!nh || agent_unhex(nh, nonce.buffer, sizeof nonce.buffer, &n) != 0 ||
            agent_parse_selection(json_object_get(ch, "pcr_selection"), &sel) != 0 ||
            !json_is_integer(fi) || from < 0) {
            snprintf(err, errlen, "the NMS's challenge is malformed");
            rc = AGENT_E_NMS;
        }
        nonce.size = (UINT16)n;
    }
    TPM2B_ATTEST quote;
    TPMT_SIGNATURE sig;
    TPM2B_DIGEST values[HASH_COUNT * 24];
    size_t nv = 0;
    if (rc == 0) {
        rc = qtpm_tss_quote(tpm, &ak, NULL, &nonce, &sel, &quote, &sig);
        if (rc == QTPM_OK)
            rc = qtpm_tss_pcr_read_all(tpm, &sel, values, sizeof values / sizeof values[0], &nv);
        if (rc != QTPM_OK)
            snprintf(err, errlen, "Quote: %s (rc 0x%x)", qtpm_tss_strerror(rc), (unsigned)rc);
    }
    /* A PCR read after the quote can differ from the quoted values if a
     * measurement came in between; the NMS then reports a PCR-digest
     * mismatch and the next round (list grown) repeats the attestation. */
    qtpm_ima_list list;
    memset(&list, 0, sizeof list);
    uint8_t *entries = NULL;
    size_t entries_len = 0;
    if (rc == 0 && (rc = agent_measure_list(cfg, &list)) != 0)
        snprintf(err, errlen, "reading the measurement list: error %d", rc);
    /* A list shorter than what the NMS has verified is a new boot's list (the
     * TPM was reset): offer it whole; the quote's resetCount proves the boot.
     * So is a list after a TPM Reset or Restart that has grown past that
     * length: see restarted_since(). */
    if (rc == 0 && ((uint64_t)from > list.count ||
                    restarted_since(json_object_get(ch, "verified"), &quote, &list,
                                    (size_t)from)))
        from = 0;
    for (size_t i = (size_t)from; rc == 0 && i < list.count; i++)
        rc = qtpm_ima_serialize_binary(&list.entries[i], &entries, &entries_len);
    json_t *ev = NULL;
    if (rc == 0) {
        uint8_t qb[BLOB_MAX], sb[BLOB_MAX];
        size_t qo = 0, so = 0;
        json_t *pv = json_object();
        size_t k = 0;
        for (UINT32 b = 0; b < sel.count; b++) {
            json_t *bank = json_object();
            for (unsigned pcr = 0; pcr < 24; pcr++) {
                if (!(sel.pcrSelections[b].pcrSelect[pcr / 8] & (1u << (pcr % 8))))
                    continue;
                char key[8], *hex = k < nv ? agent_hex(values[k].buffer, values[k].size) : NULL;
                snprintf(key, sizeof key, "%u", pcr);
                json_object_set_new(bank, key, json_string(hex ? hex : ""));
                free(hex);
                k++;
            }
            json_object_set_new(pv, hash_name(sel.pcrSelections[b].hash), bank);
        }
        char *nonce_hex = agent_hex(nonce.buffer, nonce.size);
        if (qtpm_TPM2B_ATTEST_marshal(&quote, qb, sizeof qb, &qo) == TPM_RC_SUCCESS &&
            qtpm_TPMT_SIGNATURE_marshal(&sig, sb, sizeof sb, &so) == TPM_RC_SUCCESS && nonce_hex)
            ev = json_pack("{s:s,s:o,s:o,s:o,s:I,s:{s:s,s:I,s:o}}", "nonce", nonce_hex, "quote",
                           b64_json(qb, qo), "signature", b64_json(sb, so), "pcr_values", pv,
                           "uptime", (json_int_t)0, "log", "format", "ima-binary",
                           "from_index", from, "entries",
                           entries_len ? b64_json(entries, entries_len) : json_string(""));
        else
            json_decref(pv);
        free(nonce_hex);
        if (!ev)
            rc = QTPM_E_NOMEM;
    }
    if (rc == 0) {
        snprintf(path, sizeof path, "/api/v1/routers/%s/evidence", router);
        rc = agent_http_post(cfg, path, ev, &status, reply, err, errlen);
        const char *v = *reply ? json_string_value(json_object_get(*reply, "verdict")) : NULL;
        if (rc == 0 && !v) {
            snprintf(err, errlen, "the NMS's evidence reply has no verdict");
            rc = AGENT_E_NMS;
        }
        if (v)
            snprintf(verdict, vlen, "%s", v);
        /* Keep the NMS's approval of these PCR values: the TLS key works with it. */
        json_t *ap = (rc == 0 && v && !strcmp(v, "good")) ? json_object_get(*reply, "approval")
                                                          : NULL;
        if (ap) {
            json_t *keep = json_pack("{s:O,s:O,s:O}", "selection",
                                     json_object_get(ch, "pcr_selection"), "policy",
                                     json_object_get(ap, "policy"), "signature",
                                     json_object_get(ap, "signature"));
            char *text = keep ? json_dumps(keep, JSON_COMPACT) : NULL;
            char ap_path[1100];
            spath(cfg, "approval.json", ap_path, sizeof ap_path);
            if (!text || agent_write_file(ap_path, (const uint8_t *)text, strlen(text), 0644))
                fprintf(stderr, "qtpm-agent: cannot keep the NMS's approval in %s\n", ap_path);
            free(text);
            json_decref(keep);
        }
    }
    json_decref(ev);
    json_decref(ch);
    free(entries);
    qtpm_ima_list_free(&list);
    qtpm_tss_FlushContext(tpm, ak.handle);
    qtpm_tss_FlushContext(tpm, ek.handle);
    return rc;
}

/* ------------------------------------------------------------ the TLS key */

static int read_public(const char *path, TPM2B_PUBLIC *pub)
{
    uint8_t *buf = NULL;
    size_t len = 0, off = 0;
    int ok = agent_read_file(path, &buf, &len) == 0 &&
             qtpm_TPM2B_PUBLIC_unmarshal(pub, buf, len, &off, 0) == TPM_RC_SUCCESS;
    free(buf);
    return ok ? 0 : AGENT_E_IO;
}

int agent_tls_enrol(const agent_config *cfg, qtpm_tss *tpm, char *err, size_t errlen)
{
    char router[256], p[1100], path[512];
    qtpm_tss_key ek, ak, srk;
    TPM2B_PUBLIC pol;
    spath(cfg, "policy.pub", p, sizeof p);
    if (read_public(p, &pol) != 0) {
        snprintf(err, errlen, "no NMS policy key in %s (enrol first)", p);
        return AGENT_E_IO;
    }
    int rc = load_ak(cfg, tpm, &ek, &ak, router, sizeof router, err, errlen);
    if (rc != 0)
        return rc;
    /* A loaded object does not need its parent loaded; TPMs with three object
     * slots (swtpm) need the EK's slot for the SRK and the TLS key. */
    qtpm_tss_FlushContext(tpm, ek.handle);
    agent_tlskey k;
    memset(&k, 0, sizeof k);
    TPM2B_PRIVATE priv;
    memset(&srk, 0, sizeof srk);
    rc = qtpm_tss_create_srk(tpm, TPM_ALG_ECC, NULL, &srk);
    if (rc == QTPM_OK)
        rc = agent_tlskey_create(&k, tpm, srk.handle, &pol, router, &priv);
    if (rc != QTPM_OK)
        snprintf(err, errlen, "creating the TLS key: %s", qtpm_tss_strerror(rc));
    long status;
    json_t *ch = NULL, *rep = NULL, *empty = json_object();
    snprintf(path, sizeof path, "/api/v1/routers/%s/challenge", router);
    if (rc == 0)
        rc = agent_http_post(cfg, path, empty, &status, &ch, err, errlen);
    json_decref(empty);
    TPM2B_DATA nonce;
    size_t n = 0;
    const char *nh = ch ? json_string_value(json_object_get(ch, "nonce")) : NULL;
    if (rc == 0 && (!nh || agent_unhex(nh, nonce.buffer, sizeof nonce.buffer, &n) != 0)) {
        snprintf(err, errlen, "the NMS's challenge is malformed");
        rc = AGENT_E_NMS;
    }
    nonce.size = (UINT16)n;
    TPM2B_ATTEST info;
    TPMT_SIGNATURE sig;
    if (rc == 0 && (rc = agent_tlskey_certify(&k, &ak, NULL, &nonce, &info, &sig)) != QTPM_OK)
        snprintf(err, errlen, "Certify of the TLS key: %s", qtpm_tss_strerror(rc));
    /* The channel-binding key (docs/CHANNEL.md): ML-DSA-44 with the TLS key's attributes
     * and policy, certified by the same AK over the same nonce. A TPM without ML-DSA
     * (swtpm) gets an ECC P-256 key instead: classic device authentication, said so. */
    agent_tlskey bk;
    memset(&bk, 0, sizeof bk);
    TPM2B_PRIVATE bpriv;
    TPM2B_ATTEST binfo;
    TPMT_SIGNATURE bsig;
    if (rc == 0) {
        qtpm_tss_FlushContext(tpm, k.key); /* its slot for the binding key */
        k.key = 0;
        rc = agent_tlskey_create_alg(&bk, tpm, srk.handle, &pol, router, TPM_MLDSA_44, &bpriv);
        if (rc != QTPM_OK) {
            fprintf(stderr, "qtpm-agent: the TPM has no ML-DSA-44 (%s): the channel-binding "
                            "key is ECC P-256 (classic)\n", qtpm_tss_strerror(rc));
            rc = agent_tlskey_create_alg(&bk, tpm, srk.handle, &pol, router, 0, &bpriv);
        }
        if (rc == QTPM_OK)
            rc = agent_tlskey_certify(&bk, &ak, NULL, &nonce, &binfo, &bsig);
        if (rc != QTPM_OK)
            snprintf(err, errlen, "the channel-binding key: %s", qtpm_tss_strerror(rc));
    }
    if (rc == 0) {
        uint8_t ib[BLOB_MAX], sb[BLOB_MAX], bib[BLOB_MAX], bsb[BLOB_MAX];
        size_t io = 0, so = 0, bio = 0, bso = 0;
        json_t *req = NULL;
        if (qtpm_TPM2B_ATTEST_marshal(&info, ib, sizeof ib, &io) == TPM_RC_SUCCESS &&
            qtpm_TPMT_SIGNATURE_marshal(&sig, sb, sizeof sb, &so) == TPM_RC_SUCCESS &&
            qtpm_TPM2B_ATTEST_marshal(&binfo, bib, sizeof bib, &bio) == TPM_RC_SUCCESS &&
            qtpm_TPMT_SIGNATURE_marshal(&bsig, bsb, sizeof bsb, &bso) == TPM_RC_SUCCESS)
            req = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "nonce", nh, "tls_pub",
                            b64_marshalled_public(&k.pub), "certify_info", b64_json(ib, io),
                            "signature", b64_json(sb, so), "bind_pub",
                            b64_marshalled_public(&bk.pub), "bind_certify_info",
                            b64_json(bib, bio), "bind_signature", b64_json(bsb, bso));
        snprintf(path, sizeof path, "/api/v1/routers/%s/tls-key", router);
        rc = req ? agent_http_post(cfg, path, req, &status, &rep, err, errlen) : QTPM_E_NOMEM;
        json_decref(req);
    }
    uint8_t der[8192];
    size_t dl = 0;
    if (rc == 0 && get_b64(rep, "tls_cert", der, sizeof der, &dl) != 0) {
        snprintf(err, errlen, "the NMS's tls-key reply has no certificate");
        rc = AGENT_E_NMS;
    }
    if (rc == 0) {
        spath(cfg, "tls.crt", p, sizeof p);
        rc = agent_write_file(p, der, dl, 0644);
        spath(cfg, "tls.pub", p, sizeof p);
        rc = rc ? rc : save_blob_public(p, &k.pub);
        spath(cfg, "tls.priv", p, sizeof p);
        rc = rc ? rc : save_blob_private(p, &priv);
        spath(cfg, "bind.pub", p, sizeof p);
        rc = rc ? rc : save_blob_public(p, &bk.pub);
        spath(cfg, "bind.priv", p, sizeof p);
        rc = rc ? rc : save_blob_private(p, &bpriv);
        if (rc != 0)
            snprintf(err, errlen, "cannot write the TLS key to %s", cfg->state_dir);
    }
    json_decref(ch);
    json_decref(rep);
    if (k.key)
        qtpm_tss_FlushContext(tpm, k.key);
    if (bk.key)
        qtpm_tss_FlushContext(tpm, bk.key);
    if (srk.handle)
        qtpm_tss_FlushContext(tpm, srk.handle);
    qtpm_tss_FlushContext(tpm, ak.handle);
    return rc;
}

/* The approval kept by agent_attest: selection, PolicyPCR digest, signature. */
static int load_approval(const agent_config *cfg, agent_tlskey *k)
{
    char p[1100];
    spath(cfg, "approval.json", p, sizeof p);
    json_error_t e;
    json_t *j = json_load_file(p, 0, &e);
    if (!j)
        return -1;
    TPML_PCR_SELECTION sel;
    TPM2B_DIGEST approved;
    TPMT_SIGNATURE sig;
    uint8_t buf[BLOB_MAX];
    size_t n = 0, off = 0;
    const char *ph = json_string_value(json_object_get(j, "policy"));
    int ok = agent_parse_selection(json_object_get(j, "selection"), &sel) == 0 && ph &&
             agent_unhex(ph, approved.buffer, sizeof approved.buffer, &n) == 0 &&
             get_b64(j, "signature", buf, sizeof buf, &off) == 0;
    approved.size = (UINT16)n;
    size_t so = 0;
    ok = ok && qtpm_TPMT_SIGNATURE_unmarshal(&sig, buf, off, &so, 0) == TPM_RC_SUCCESS;
    json_decref(j);
    if (!ok)
        return -1;
    agent_tlskey_set_approval(k, &sel, &approved, &sig);
    return 0;
}

int agent_load_approval(const agent_config *cfg, struct agent_tlskey_s *k)
{
    return load_approval(cfg, k);
}

int agent_read_bind_key(const agent_config *cfg, TPM2B_PUBLIC *pol, TPM2B_PUBLIC *pub,
                        TPM2B_PRIVATE *priv)
{
    char p[1100];
    uint8_t *buf = NULL;
    size_t len = 0, off = 0;
    spath(cfg, "policy.pub", p, sizeof p);
    int ok = read_public(p, pol) == 0;
    spath(cfg, "bind.pub", p, sizeof p);
    ok = ok && read_public(p, pub) == 0;
    spath(cfg, "bind.priv", p, sizeof p);
    ok = ok && agent_read_file(p, &buf, &len) == 0 &&
         qtpm_TPM2B_PRIVATE_unmarshal(priv, buf, len, &off) == TPM_RC_SUCCESS;
    free(buf);
    return ok ? 0 : AGENT_E_IO;
}

/* Reads the enrolled TLS identity from state_dir: the router's id (into router, NUL
 * terminated), the policy object's public area, the TLS key's public and private
 * areas and its certificate (*cert, NULL on failure). */
static int read_tls_identity(const agent_config *cfg, char *router, size_t rcap,
                             TPM2B_PUBLIC *pol, TPM2B_PUBLIC *pub, TPM2B_PRIVATE *priv,
                             X509 **cert, char *err, size_t errlen)
{
    char p[1100];
    uint8_t *buf = NULL;
    size_t len = 0, off = 0;
    *cert = NULL;
    spath(cfg, "router.id", p, sizeof p);
    if (agent_read_file(p, &buf, &len) != 0 || len == 0 || len >= rcap) {
        free(buf);
        snprintf(err, errlen, "not enrolled");
        return AGENT_E_IO;
    }
    memcpy(router, buf, len);
    router[len] = '\0';
    free(buf);
    spath(cfg, "policy.pub", p, sizeof p);
    int ok = read_public(p, pol) == 0;
    spath(cfg, "tls.pub", p, sizeof p);
    ok = ok && read_public(p, pub) == 0;
    buf = NULL;
    spath(cfg, "tls.priv", p, sizeof p);
    ok = ok && agent_read_file(p, &buf, &len) == 0 &&
         qtpm_TPM2B_PRIVATE_unmarshal(priv, buf, len, &off) == TPM_RC_SUCCESS;
    free(buf);
    buf = NULL;
    spath(cfg, "tls.crt", p, sizeof p);
    if (ok && agent_read_file(p, &buf, &len) == 0) {
        const unsigned char *q = buf;
        *cert = d2i_X509(NULL, &q, (long)len);
    }
    free(buf);
    if (!ok || !*cert) {
        X509_free(*cert);
        *cert = NULL;
        snprintf(err, errlen, "no TLS key and certificate in %s (run enrol)", cfg->state_dir);
        return AGENT_E_IO;
    }
    return 0;
}

struct agent_tls_identity {
    agent_tlskey k;
    agent_binder *binder;    /* the channel-binding key (NULL: none enrolled) */
    int refused;             /* the TPM refused to sign with the approval of this mtime */
    struct timespec refused_mtime;
    X509 *cert;
    EVP_PKEY *key;
    char router[256];
};

/* The routing role keeps a TLS identity loaded for the agent's life
 * (agent_tls_identity_share); the other mutual-TLS posts use it instead of loading a
 * second copy of the key: Linux's /dev/tpmrm0 gives a client three transient-object
 * slots, and a post that binds its channel needs the binding key and a sign sequence
 * besides (docs/VTPM.md, "The kernel's resource manager"). */
static agent_tls_identity *shared_id;

static int shared_post(const agent_config *cfg, const char *suffix, json_t *body,
                       json_t **rep, char *err, size_t errlen)
{
    agent_tls_identity *id = shared_id;
    char path[512];
    long status = 0;
    agent_tls_identity_refresh(cfg, id); /* the NMS's newest approval */
    id->k.last_rc = 0;
    snprintf(path, sizeof path, "/api/v1/routers/%s/%s", id->router, suffix);
    int rc = agent_http_post_bound(cfg, path, body, id->cert, id->key, id->binder, &status,
                                   rep, err, errlen);
    if (rc != 0 && id->k.last_rc) {
        size_t l = strlen(err);
        snprintf(err + l, errlen - l, " — the TPM refused to sign with the TLS key (%s): "
                 "its PCRs are not in a configuration the NMS approved",
                 qtpm_tss_strerror(id->k.last_rc));
    }
    return rc;
}

/* POST body to /api/v1/routers/<id>/<suffix> over mutual TLS with the
 * TPM-resident key and the NMS's last approval; *rep gets the reply. Fails
 * (with the TPM's reason in err) when the TPM refuses to sign. */
static int tls_post(const agent_config *cfg, qtpm_tss *tpm, const char *suffix, json_t *body,
                    json_t **rep, char *err, size_t errlen)
{
    char router[256], path[512];
    *rep = NULL;
    if (shared_id && shared_id->k.tpm == tpm)
        return shared_post(cfg, suffix, body, rep, err, errlen);
    TPM2B_PUBLIC pol, pub;
    TPM2B_PRIVATE priv;
    X509 *cert;
    int rc = read_tls_identity(cfg, router, sizeof router, &pol, &pub, &priv, &cert, err,
                               errlen);
    if (rc != 0)
        return rc;
    agent_tlskey k;
    qtpm_tss_key srk;
    memset(&k, 0, sizeof k);
    rc = qtpm_tss_create_srk(tpm, TPM_ALG_ECC, NULL, &srk);
    if (rc == QTPM_OK) {
        rc = agent_tlskey_load(&k, tpm, srk.handle, &pol, router, &priv, &pub);
        qtpm_tss_FlushContext(tpm, srk.handle); /* the binding key needs a slot */
    }
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "loading the TLS key: %s", qtpm_tss_strerror(rc));
        X509_free(cert);
        return rc;
    }
    agent_binder *binder = agent_binder_load(cfg, tpm, router);
    if (load_approval(cfg, &k) != 0)
        fprintf(stderr, "qtpm-agent: no approval from the NMS yet: the TLS key cannot sign\n");
    EVP_PKEY *key = agent_tlskey_evp(&k);
    long status = 0;
    snprintf(path, sizeof path, "/api/v1/routers/%s/%s", router, suffix);
    rc = key ? agent_http_post_bound(cfg, path, body, cert, key, binder, &status, rep, err,
                                     errlen)
             : QTPM_E_NOMEM;
    agent_binder_free(binder);
    if (rc != 0 && k.last_rc) {
        size_t l = strlen(err);
        snprintf(err + l, errlen - l, " — the TPM refused to sign with the TLS key (%s): "
                 "its PCRs are not in a configuration the NMS approved",
                 qtpm_tss_strerror(k.last_rc));
    }
    EVP_PKEY_free(key);
    X509_free(cert);
    qtpm_tss_FlushContext(tpm, k.key);
    return rc;
}

int agent_heartbeat(const agent_config *cfg, qtpm_tss *tpm, size_t entries, int *attest,
                    char *err, size_t errlen)
{
    *attest = 0;
    json_t *body = json_pack("{s:I}", "entries", (json_int_t)entries), *rep = NULL;
    int rc = body ? tls_post(cfg, tpm, "heartbeat", body, &rep, err, errlen) : QTPM_E_NOMEM;
    if (rc == 0)
        *attest = json_is_true(json_object_get(rep, "attest"));
    json_decref(body);
    json_decref(rep);
    return rc;
}

int agent_report(const agent_config *cfg, qtpm_tss *tpm, const char *kind, json_t *files,
                 char *err, size_t errlen)
{
    json_t *body = json_pack("{s:s,s:O}", "kind", kind, "files", files), *rep = NULL;
    int rc = body ? tls_post(cfg, tpm, "events", body, &rep, err, errlen) : QTPM_E_NOMEM;
    json_decref(body);
    json_decref(rep);
    return rc;
}

/* A report that could not be sent waits in state_dir/pending-report.json (the newest
 * one only: it names every refused file of the last check). */
int agent_report_keep(const agent_config *cfg, const char *kind, json_t *files)
{
    char p[1100];
    spath(cfg, "pending-report.json", p, sizeof p);
    json_t *j = json_pack("{s:s,s:O}", "kind", kind, "files", files);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    int rc = text ? agent_write_file(p, (const uint8_t *)text, strlen(text), 0600) : -1;
    free(text);
    json_decref(j);
    return rc ? AGENT_E_IO : 0;
}

int agent_report_flush(const agent_config *cfg, qtpm_tss *tpm, char *err, size_t errlen)
{
    char p[1100];
    spath(cfg, "pending-report.json", p, sizeof p);
    json_error_t e;
    json_t *j = json_load_file(p, 0, &e);
    if (!j)
        return 0;
    const char *kind = json_string_value(json_object_get(j, "kind"));
    json_t *files = json_object_get(j, "files");
    int rc = kind && json_is_array(files) ? agent_report(cfg, tpm, kind, files, err, errlen)
                                          : 0; /* malformed: dropped */
    json_decref(j);
    if (rc != 0)
        return -1;
    unlink(p);
    return 1;
}

/* ------------------------------------------------- the kept TLS identity */


int agent_tls_identity_load(const agent_config *cfg, qtpm_tss *tpm, agent_tls_identity **out,
                            char *err, size_t errlen)
{
    *out = NULL;
    agent_tls_identity *id = calloc(1, sizeof *id);
    if (!id)
        return QTPM_E_NOMEM;
    TPM2B_PUBLIC pol, pub;
    TPM2B_PRIVATE priv;
    int rc = read_tls_identity(cfg, id->router, sizeof id->router, &pol, &pub, &priv,
                               &id->cert, err, errlen);
    if (rc != 0) {
        agent_tls_identity_free(id);
        return rc;
    }
    /* The TLS key stays loaded for the agent's life (one transient slot of the TPM);
     * the SRK is only needed to load it. */
    qtpm_tss_key srk;
    rc = qtpm_tss_create_srk(tpm, TPM_ALG_ECC, NULL, &srk);
    if (rc == QTPM_OK) {
        rc = agent_tlskey_load(&id->k, tpm, srk.handle, &pol, id->router, &priv, &pub);
        qtpm_tss_FlushContext(tpm, srk.handle);
    }
    if (rc != QTPM_OK) {
        snprintf(err, errlen, "loading the TLS key: %s", qtpm_tss_strerror(rc));
        agent_tls_identity_free(id);
        return rc;
    }
    load_approval(cfg, &id->k);
    id->binder = agent_binder_load(cfg, tpm, id->router);
    id->key = agent_tlskey_evp(&id->k);
    if (!id->key) {
        agent_tls_identity_free(id);
        return QTPM_E_NOMEM;
    }
    *out = id;
    return 0;
}

void agent_tls_identity_refresh(const agent_config *cfg, agent_tls_identity *id)
{
    load_approval(cfg, &id->k);
}

static struct timespec approval_mtime(const agent_config *cfg)
{
    char p[1100];
    struct stat st;
    struct timespec none = { 0, 0 };
    spath(cfg, "approval.json", p, sizeof p);
    return stat(p, &st) == 0 ? st.st_mtim : none;
}

int agent_tls_identity_usable(const agent_config *cfg, agent_tls_identity *id)
{
    if (id->k.last_rc) {
        /* a handshake since the last call was refused by the TPM */
        id->k.last_rc = 0;
        id->refused = 1;
        id->refused_mtime = approval_mtime(cfg);
    }
    if (!id->refused)
        return 1;
    struct timespec now = approval_mtime(cfg);
    if (now.tv_sec == id->refused_mtime.tv_sec && now.tv_nsec == id->refused_mtime.tv_nsec)
        return 0; /* the same approval: the TPM would refuse again */
    id->refused = 0;
    load_approval(cfg, &id->k);
    return 1;
}

X509 *agent_tls_identity_cert(agent_tls_identity *id)
{
    return id->cert;
}

EVP_PKEY *agent_tls_identity_key(agent_tls_identity *id)
{
    return id->key;
}

agent_binder *agent_tls_identity_binder(agent_tls_identity *id)
{
    return id->binder;
}

const char *agent_tls_identity_router(agent_tls_identity *id)
{
    return id->router;
}

void agent_tls_identity_share(agent_tls_identity *id)
{
    shared_id = id;
}

void agent_tls_identity_free(agent_tls_identity *id)
{
    if (!id)
        return;
    if (shared_id == id)
        shared_id = NULL;
    EVP_PKEY_free(id->key);
    X509_free(id->cert);
    agent_binder_free(id->binder);
    if (id->k.key)
        qtpm_tss_FlushContext(id->k.tpm, id->k.key);
    free(id);
}
