/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enrol_client.c — a small router-side client for the nms_enrol test: it talks to a real
 * TPM (qtpm-server over mssim) with libqtss tasks and to qtpm-nms over HTTPS with libcurl.
 *
 *   enrol_client manufacture TCTI CA_DIR OUT_PEM
 *       Startup, ECC P-256 EK with a certificate from a vendor CA in CA_DIR (as a TPM
 *       vendor's factory would); writes the vendor CA certificate to OUT_PEM.
 *   enrol_client enrol TCTI URL NMS_DIR ecc|mldsa [wrong-ek]
 *       Creates the EK and an AK, reads the EK certificate, POSTs /enrol, runs
 *       ActivateCredential (with the RSA EK instead of the certified one when wrong-ek:
 *       the TPM must fail, and a made-up credential is sent) and POSTs /activate.
 *       Prints "enrol=<status> activate=<status> router=<id>"; writes the AK certificate
 *       (DER) to NMS_DIR/ak-<router>.der on success.
 *   enrol_client enrol TCTI URL NMS_DIR ecc tls
 *       The same, then implicit attestation: a challenge, a P-256 TLS key under an SRK
 *       with authPolicy = PolicyAuthorize(policy key from /activate, router id), TPM2_Certify
 *       by the AK over the nonce, POST /tls-key (→ NMS_DIR/tls-<router>.der); then the same
 *       request again (nonce replay) and a key without the policy on a fresh nonce. Prints
 *       "tls=<status> replay=<status> nopolicy=<status>" before the enrol line.
 *   enrol_client enrol TCTI URL NMS_DIR ecc attest
 *       The same, then explicit attestation twice: an ima-ng entry for content "hello" at
 *       /bin/app (in the test's digest list), then one for /bin/new (in no list); each is
 *       extended into PCR 10 (SHA-1 and SHA-256 banks, as the kernel does), quoted over a
 *       fresh challenge nonce and sent as evidence. Prints "attest1=<status>:<verdict>:
 *       <approval|none>:<next> attest2=<status>:<verdict>:<reason code>:<next> attest3=..."
 *       before the enrol line; the first round asks for its next challenge with its
 *       evidence, the second answers that one instead of POST /challenge (one round trip,
 *       docs/NMS.md "The next challenge"), the third uses /challenge again; the first two
 *       are each replayed once; the third round measures /bin/app with other content (a
 *       digest that contradicts the list). Exit 0 when the run went as far as
 *       it could; the test compares the printed statuses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "qtpm/attest.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "qtpm/manufacture.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

struct buf {
    char *p;
    size_t n;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *ctx)
{
    struct buf *b = ctx;
    size_t add = sz * nm;
    if (b->n + add > (1u << 20))
        return 0;
    char *np = realloc(b->p, b->n + add + 1);
    if (!np)
        return 0;
    memcpy(np + b->n, d, add);
    b->p = np;
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

/* POST JSON; returns the HTTP status (0 on transport failure) and the parsed reply. */
static long post(const char *url, const char *cacert, json_t *body, json_t **reply)
{
    char *text = json_dumps(body, JSON_COMPACT);
    struct buf b = {0};
    long status = 0;
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    *reply = NULL;
    if (c && text && h) {
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    }
    if (b.p)
        *reply = json_loads(b.p, 0, NULL);
    free(b.p);
    free(text);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return status;
}

static char *b64(const uint8_t *d, size_t n)
{
    char *s = malloc((n + 2) / 3 * 4 + 1);
    if (s)
        EVP_EncodeBlock((unsigned char *)s, d, (int)n);
    return s;
}

static int unb64(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n % 4 || n / 4 * 3 > cap)
        return -1;
    int l = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (l < 0)
        return -1;
    if (s[n - 1] == '=')
        l -= s[n - 2] == '=' ? 2 : 1;
    *len = (size_t)l;
    return 0;
}

static char *pub_b64(const TPM2B_PUBLIC *p)
{
    uint8_t b[sizeof *p + 2];
    size_t off = 0;
    if (qtpm_TPM2B_PUBLIC_marshal(p, b, sizeof b, &off) != TPM_RC_SUCCESS)
        return NULL;
    return b64(b, off);
}

static int manufacture(const char *tcti, const char *ca_dir, const char *out)
{
    qtpm_vendor_ca *ca = NULL;
    qtpm_tss *t = NULL;
    qtpm_mfg_result res;
    int rc = qtpm_vendor_ca_open(ca_dir, &ca);
    if (!rc)
        rc = qtpm_tss_new(tcti, &t);
    if (!rc)
        qtpm_tss_Startup(t, TPM_SU_CLEAR); /* TPM_RC_INITIALIZE if already started */
    if (!rc)
        rc = qtpm_manufacture_ek(t, ca, QTPM_EK_ECCP256, NULL, &res);
    if (!rc)
        rc = qtpm_vendor_ca_export(ca, out);
    if (rc)
        fprintf(stderr, "manufacture failed: %d\n", rc);
    qtpm_tss_free(t);
    qtpm_vendor_ca_free(ca);
    return rc ? 1 : 0;
}

/* The earlier runs' transient objects stay loaded in the simulator: flush them. */
static void flush_transients(qtpm_tss *t)
{
    TPMS_CAPABILITY_DATA cap;
    TPMI_YES_NO more = 0;
    if (qtpm_tss_GetCapability(t, TPM_CAP_HANDLES, TRANSIENT_FIRST, 64, &more, &cap) == QTPM_OK)
        for (UINT32 i = 0; i < cap.data.handles.count; i++)
            qtpm_tss_FlushContext(t, cap.data.handles.handle[i]);
}

/* An EK certificate for the TPM's ECC EK issued by the CA in ca_dir — which may be an
 * intermediate (qtpm_manufacture_ek insists on a self-signed CA) — written as DER. */
static int ekcert(const char *tcti, const char *ca_dir, const char *out)
{
    qtpm_vendor_ca *ca = NULL;
    qtpm_tss *t = NULL;
    qtpm_tss_key ek;
    qtpm_tpm_identity id;
    uint8_t *der = NULL;
    size_t len = 0;
    int rc = qtpm_vendor_ca_open(ca_dir, &ca);
    if (!rc)
        rc = qtpm_tss_new(tcti, &t);
    if (!rc)
        flush_transients(t);
    if (!rc)
        rc = qtpm_tss_create_ek(t, TPM_ALG_ECC, NULL, &ek);
    if (!rc)
        rc = qtpm_tpm_identity_read(t, &id);
    if (!rc)
        rc = qtpm_ek_cert_build(ca, &ek.pub.publicArea, &id, &der, &len);
    FILE *f = !rc ? fopen(out, "wb") : NULL;
    if (!rc && (!f || fwrite(der, 1, len, f) != len))
        rc = -1;
    if (f && fclose(f) != 0)
        rc = -1;
    if (rc)
        fprintf(stderr, "ekcert failed: %d\n", rc);
    else
        qtpm_tss_FlushContext(t, ek.handle);
    free(der);
    qtpm_tss_free(t);
    qtpm_vendor_ca_free(ca);
    return rc ? 1 : 0;
}

static int save(const char *dir, const char *prefix, const char *router, const char *b64v)
{
    uint8_t der[8192];
    size_t dl = 0;
    if (unb64(b64v, der, sizeof der, &dl))
        return -1;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s-%s.der", dir, prefix, router);
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(der, 1, dl, f);
    return fclose(f) == 0 && w == dl ? 0 : -1;
}

/* Challenge, then a TLS key (with or without the NMS policy), certified over the nonce;
 * POSTs it (twice when replay is set) and returns the statuses. */
static int tls_key(qtpm_tss *t, const qtpm_tss_key *ak, const char *url, const char *cacert,
                   const char *dir, const char *router, const TPM2B_PUBLIC *pol, int with_policy,
                   long *status, long *replay)
{
    char u[512];
    json_t *empty = json_object(), *reply = NULL, *req = NULL;
    int rc = -1;
    snprintf(u, sizeof u, "%s/api/v1/routers/%s/challenge", url, router);
    long s = post(u, cacert, empty, &reply);
    json_decref(empty);
    const char *nonce_hex = json_string_value(json_object_get(reply, "nonce"));
    TPM2B_DATA nonce = {.size = 32};
    unsigned v;
    if (s != 200 || !nonce_hex || strlen(nonce_hex) != 64) {
        fprintf(stderr, "challenge failed: %ld\n", s);
        goto out;
    }
    for (int i = 0; i < 32; i++) {
        if (sscanf(nonce_hex + 2 * i, "%2x", &v) != 1)
            goto out;
        nonce.buffer[i] = (uint8_t)v;
    }
    qtpm_tss_key srk;
    int src = qtpm_tss_create_srk(t, TPM_ALG_ECC, NULL, &srk);
    if (src) {
        fprintf(stderr, "CreatePrimary of the SRK failed: 0x%x\n", (unsigned)src);
        goto out;
    }
    TPM2B_PUBLIC tmpl;
    memset(&tmpl, 0, sizeof tmpl);
    TPMT_PUBLIC *p = &tmpl.publicArea;
    p->type = TPM_ALG_ECC;
    p->nameAlg = TPM_ALG_SHA256;
    p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                          TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_SIGN_ENCRYPT;
    p->parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    p->parameters.eccDetail.scheme.scheme = TPM_ALG_ECDSA;
    p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM_ALG_SHA256;
    p->parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
    p->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    if (with_policy) {
        TPM2B_NAME pn;
        TPM2B_NONCE ref = {.size = (UINT16)strlen(router)};
        memcpy(ref.buffer, router, ref.size);
        if (qtpm_tss_public_name(&pol->publicArea, &pn) ||
            qtpm_tss_policy_start(TPM_ALG_SHA256, &p->authPolicy) ||
            qtpm_tss_policy_authorize(TPM_ALG_SHA256, &p->authPolicy, &pn, &ref))
            goto out;
    }
    TPM2B_SENSITIVE_CREATE sens;
    memset(&sens, 0, sizeof sens);
    TPM2B_PRIVATE priv;
    TPM2B_PUBLIC out_pub;
    TPM2B_CREATION_DATA cd;
    TPM2B_DIGEST ch;
    TPMT_TK_CREATION tk;
    TPM_HANDLE h;
    TPM2B_NAME name;
    TPM2B_ATTEST attest;
    TPMT_SIGNATURE sig;
    int trc = qtpm_tss_Create(t, NULL, srk.handle, &sens, &tmpl, NULL, NULL, &priv, &out_pub,
                              &cd, &ch, &tk);
    if (!trc)
        trc = qtpm_tss_Load(t, NULL, srk.handle, &priv, &out_pub, &h, &name);
    if (!trc)
        trc = qtpm_tss_certify(t, h, NULL, ak, NULL, &nonce, &attest, &sig);
    if (trc) {
        fprintf(stderr, "TLS key creation or Certify failed: 0x%x\n", (unsigned)trc);
        goto out;
    }
    qtpm_tss_FlushContext(t, h);
    qtpm_tss_FlushContext(t, srk.handle);
    uint8_t ab[sizeof attest + 2], sb[sizeof sig + 2];
    size_t ao = 0, so = 0;
    qtpm_TPM2B_ATTEST_marshal(&attest, ab, sizeof ab, &ao);
    qtpm_TPMT_SIGNATURE_marshal(&sig, sb, sizeof sb, &so);
    char *k64 = pub_b64(&out_pub), *a64 = b64(ab, ao), *s64 = b64(sb, so);
    req = json_pack("{s:s,s:s?,s:s?,s:s?}", "nonce", nonce_hex, "tls_pub", k64, "certify_info",
                    a64, "signature", s64);
    free(k64);
    free(a64);
    free(s64);
    json_t *r2 = NULL;
    snprintf(u, sizeof u, "%s/api/v1/routers/%s/tls-key", url, router);
    *status = post(u, cacert, req, &r2);
    if (*status == 201 && save(dir, "tls", router,
                               json_string_value(json_object_get(r2, "tls_cert"))))
        *status = -1;
    json_decref(r2);
    r2 = NULL;
    if (replay)
        *replay = post(u, cacert, req, &r2);
    json_decref(r2);
    rc = 0;
out:
    json_decref(req);
    json_decref(reply);
    return rc;
}

/* One round of explicit attestation with one new measurement of `content` at `path`.
 * The challenge is `given` (the next challenge of an earlier reply, taken) or, when NULL,
 * asked with POST /challenge. With next_out the evidence asks for its next challenge
 * ("next_challenge": true) and *next_out gets it; without, the reply must carry none. */
static int attest_round(qtpm_tss *t, const qtpm_tss_key *ak, const TPM2B_PUBLIC *pol,
                        const char *url, const char *cacert, const char *router,
                        const char *path, const char *content, uint64_t from, json_t *given,
                        json_t **next_out, char *out, size_t outlen)
{
    char u[512];
    json_t *empty = json_object(), *reply = given, *req = NULL, *r2 = NULL;
    int rc = -1;
    long s = 200;
    snprintf(u, sizeof u, "%s/api/v1/routers/%s/challenge", url, router);
    if (!given)
        s = post(u, cacert, empty, &reply);
    json_decref(empty);
    const char *nonce_hex = json_string_value(json_object_get(reply, "nonce"));
    TPM2B_DATA nonce = {.size = 32};
    unsigned v;
    if (s != 200 || !nonce_hex || strlen(nonce_hex) != 64)
        goto out;
    /* The NMS says where its verified prefix ends: exactly the entries we sent before. */
    json_t *fi = json_object_get(reply, "from_index");
    if (!json_is_integer(fi) || (uint64_t)json_integer_value(fi) != from) {
        fprintf(stderr, "challenge from_index %lld, expected %llu\n",
                (long long)json_integer_value(fi), (unsigned long long)from);
        goto out;
    }
    for (int i = 0; i < 32; i++) {
        if (sscanf(nonce_hex + 2 * i, "%2x", &v) != 1)
            goto out;
        nonce.buffer[i] = (uint8_t)v;
    }
    uint8_t fd[32];
    SHA256((const unsigned char *)content, strlen(content), fd);
    qtpm_ima_entry e;
    if (qtpm_ima_entry_ng(10, TPM_ALG_SHA256, fd, 32, path, &e) != QTPM_ATTEST_OK)
        goto out;
    TPML_DIGEST_VALUES dv;
    memset(&dv, 0, sizeof dv);
    size_t l1 = 0, l2 = 0;
    dv.count = 2;
    dv.digests[0].hashAlg = TPM_ALG_SHA1;
    dv.digests[1].hashAlg = TPM_ALG_SHA256;
    uint8_t *log = NULL;
    size_t log_len = 0;
    int erc = qtpm_ima_extend_value(&e, TPM_ALG_SHA1, dv.digests[0].digest.sha1, &l1) ||
              qtpm_ima_extend_value(&e, TPM_ALG_SHA256, dv.digests[1].digest.sha256, &l2) ||
              qtpm_ima_serialize_binary(&e, &log, &log_len);
    qtpm_ima_entry_free(&e);
    if (erc || qtpm_tss_PCR_Extend(t, NULL, 10, &dv)) {
        free(log);
        goto out;
    }
    TPML_PCR_SELECTION sel;
    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = TPM_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[1] = 1u << 2; /* PCR 10 */
    TPM2B_DIGEST pcr10;
    size_t n = 0;
    TPM2B_ATTEST quote;
    TPMT_SIGNATURE sig;
    if (qtpm_tss_pcr_read_all(t, &sel, &pcr10, 1, &n) || n != 1 ||
        qtpm_tss_quote(t, ak, NULL, &nonce, &sel, &quote, &sig)) {
        free(log);
        goto out;
    }
    char phex[65];
    for (int i = 0; i < 32; i++)
        snprintf(phex + 2 * i, 3, "%02x", pcr10.buffer[i]);
    uint8_t qb[sizeof quote + 2], sb[sizeof sig + 2];
    size_t qo = 0, so = 0;
    qtpm_TPM2B_ATTEST_marshal(&quote, qb, sizeof qb, &qo);
    qtpm_TPMT_SIGNATURE_marshal(&sig, sb, sizeof sb, &so);
    char *q64 = b64(qb, qo), *s64 = b64(sb, so), *l64 = b64(log, log_len);
    free(log);
    req = json_pack("{s:s,s:s?,s:s?,s:{s:{s:s}},s:i,s:{s:s,s:I,s:s?}}", "nonce", nonce_hex,
                    "quote", q64, "signature", s64, "pcr_values", "sha256", "10", phex,
                    "uptime", 1, "log", "format", "ima-binary", "from_index", (json_int_t)from,
                    "entries", l64);
    free(q64);
    free(s64);
    free(l64);
    snprintf(u, sizeof u, "%s/api/v1/routers/%s/evidence", url, router);
    if (next_out)
        json_object_set_new(req, "next_challenge", json_true());
    s = post(u, cacert, req, &r2);
    /* The next challenge: a fresh nonce, the same PCR selection, from_index where this
     * evidence left the verified prefix, valid for at least 60 s. "next" when it is so,
     * "next-bad" when it is missing or wrong, "no-next" when none was asked for and none
     * came. */
    json_t *nc = json_object_get(r2, "next_challenge");
    const char *nn = json_string_value(json_object_get(nc, "nonce"));
    json_int_t nfrom = json_integer_value(json_object_get(nc, "from_index"));
    json_int_t nexp = json_integer_value(json_object_get(nc, "expires"));
    const char *nmark = !next_out ? (nc ? "next-unasked" : "no-next")
                        : (nn && strlen(nn) == 64 && strcmp(nn, nonce_hex) != 0 &&
                           nfrom == (json_int_t)from + 1 && nexp >= (json_int_t)time(NULL) + 55 &&
                           json_is_object(json_object_get(nc, "pcr_selection")))
                            ? "next"
                            : "next-bad";
    if (next_out)
        *next_out = json_incref(nc);
    const char *verdict = json_string_value(json_object_get(r2, "verdict"));
    const char *code = json_string_value(
        json_object_get(json_array_get(json_object_get(r2, "reasons"), 0), "code"));
    json_t *appr = json_object_get(r2, "approval");
    const char *ok_appr = "approval";
    if (json_is_object(appr)) {
        /* The approval must be what the TPM's PolicyAuthorize will accept: our own
         * PolicyPCR(PCR 10 = the quoted value), signed by the policy key over
         * policy ‖ router id. */
        TPM2B_DIGEST policy, composite;
        char want[65];
        uint8_t ab[sizeof(TPMT_SIGNATURE) + 2], msg[128];
        size_t al = 0, ao = 0, rl = strlen(router);
        TPMT_SIGNATURE as;
        if (qtpm_tss_policy_start(TPM_ALG_SHA256, &policy) ||
            qtpm_tss_pcr_composite(TPM_ALG_SHA256, &pcr10, 1, &composite) ||
            qtpm_tss_policy_pcr(TPM_ALG_SHA256, &policy, &sel, &composite))
            goto out;
        for (int i = 0; i < 32; i++)
            snprintf(want + 2 * i, 3, "%02x", policy.buffer[i]);
        memcpy(msg, policy.buffer, 32);
        memcpy(msg + 32, router, rl);
        const char *ph = json_string_value(json_object_get(appr, "policy"));
        if (!ph || strcmp(ph, want) != 0 ||
            unb64(json_string_value(json_object_get(appr, "signature")), ab, sizeof ab, &al) ||
            qtpm_TPMT_SIGNATURE_unmarshal(&as, ab, al, &ao, 0) != TPM_RC_SUCCESS ||
            qtpm_tss_verify_signature(&pol->publicArea, msg, 32 + rl, &as) != QTPM_OK)
            ok_appr = "approval-invalid";
    }
    snprintf(out, outlen, "%ld:%s:%s:%s", s, verdict ? verdict : "-",
             json_is_object(appr) ? ok_appr : code ? code : "none", nmark);
    /* The first two rounds are also sent a second time, word for word: a replayed quote.
     * Its nonce is used up — one of /challenge, or a next challenge — so the NMS refuses
     * it before any verification. */
    if (from <= 1) {
        json_t *r3 = NULL;
        long s3 = post(u, cacert, req, &r3);
        const char *err = json_string_value(json_object_get(r3, "error"));
        size_t l = strlen(out);
        snprintf(out + l, outlen - l, ":replay=%ld:%s", s3, err ? err : "-");
        json_decref(r3);
    }
    rc = 0;
out:
    json_decref(req);
    json_decref(reply);
    json_decref(r2);
    return rc;
}

static int enrol(const char *tcti, const char *url, const char *dir, const char *aktype,
                 int wrong_ek, int tls, int attest)
{
    qtpm_tss *t = NULL;
    qtpm_tss_key ek, ak, rsa_ek;
    uint8_t cert[4096];
    size_t cert_len = 0;
    char cacert[4096], u[512];
    long s1 = 0, s2 = 0;
    json_t *reply = NULL, *reply2 = NULL, *req = NULL;
    const char *router = "-";
    int rc = qtpm_tss_new(tcti, &t);
    TPM_ALG_ID type = !strcmp(aktype, "mldsa") ? TPM_ALG_MLDSA : TPM_ALG_ECC;
    snprintf(cacert, sizeof cacert, "%s/operator-ca.crt", dir);
    if (!rc)
        flush_transients(t);
    if (!rc)
        rc = qtpm_tss_create_ek(t, TPM_ALG_ECC, NULL, &ek);
    if (!rc)
        rc = qtpm_tss_create_ak(t, &ek, type, NULL, NULL, &ak, NULL);
    if (!rc)
        rc = qtpm_tss_read_ek_cert(t, TPM_ALG_ECC, NULL, cert, sizeof cert, &cert_len);
    /* ENROL_EK_CERT=FILE: send this EK certificate (DER) instead of the one in NV. */
    const char *alt = getenv("ENROL_EK_CERT");
    if (!rc && alt) {
        FILE *f = fopen(alt, "rb");
        cert_len = f ? fread(cert, 1, sizeof cert, f) : 0;
        if (f)
            fclose(f);
        if (cert_len == 0)
            rc = -1;
    }
    if (rc) {
        fprintf(stderr, "TPM setup failed: %d\n", rc);
        goto out;
    }
    /* ENROL_WRONG_EK_PUB=1: claim the TPM's RSA EK as ek_pub (the certificate is for
     * the ECC EK) — the NMS must notice that the certificate does not carry ek_pub. */
    qtpm_tss_key other;
    const TPM2B_PUBLIC *claimed = &ek.pub;
    if (getenv("ENROL_WRONG_EK_PUB")) {
        if (qtpm_tss_create_ek(t, TPM_ALG_RSA, NULL, &other) != QTPM_OK) {
            fprintf(stderr, "RSA EK failed\n");
            goto out;
        }
        qtpm_tss_FlushContext(t, other.handle);
        claimed = &other.pub;
    }
    char *c64 = b64(cert, cert_len), *e64 = pub_b64(claimed), *a64 = pub_b64(&ak.pub);
    req = json_pack("{s:s,s:s?,s:s?,s:s?}", "hostname", "router-1", "ek_cert", c64, "ek_pub",
                    e64, "ak_pub", a64);
    free(c64);
    free(e64);
    free(a64);
    /* ENROL_EK_CHAIN=FILE: the intermediate CA certificates (PEM) sent as ek_chain. */
    const char *chain = getenv("ENROL_EK_CHAIN");
    if (chain && req) {
        FILE *f = fopen(chain, "r");
        json_t *arr = json_array();
        X509 *x;
        while (f && arr && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
            unsigned char *der = NULL;
            int dl = i2d_X509(x, &der);
            char *x64 = dl > 0 ? b64(der, (size_t)dl) : NULL;
            if (x64)
                json_array_append_new(arr, json_string(x64));
            free(x64);
            OPENSSL_free(der);
            X509_free(x);
        }
        ERR_clear_error();
        if (f)
            fclose(f);
        json_object_set_new(req, "ek_chain", arr);
    }
    snprintf(u, sizeof u, "%s/api/v1/enrol", url);
    s1 = post(u, cacert, req, &reply);
    json_decref(req);
    req = NULL;
    if (s1 != 201 && getenv("ENROL_SHOW_ERROR"))
        fprintf(stderr, "error=%s message=%s\n",
                json_string_value(json_object_get(reply, "error")),
                json_string_value(json_object_get(reply, "message")));
    if (s1 != 201)
        goto out;
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    uint8_t raw[2048];
    size_t len = 0, off = 0;
    const char *id = json_string_value(json_object_get(reply, "enrolment"));
    if (!id || unb64(json_string_value(json_object_get(reply, "credential_blob")), raw,
                     sizeof raw, &len) ||
        qtpm_TPM2B_ID_OBJECT_unmarshal(&blob, raw, len, &off) != TPM_RC_SUCCESS) {
        fprintf(stderr, "bad enrol reply\n");
        goto out;
    }
    off = 0;
    if (unb64(json_string_value(json_object_get(reply, "secret")), raw, sizeof raw, &len) ||
        qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(&secret, raw, len, &off) != TPM_RC_SUCCESS) {
        fprintf(stderr, "bad enrol reply\n");
        goto out;
    }
    TPM2B_DIGEST cred = {0};
    char hex[65] = "";
    if (wrong_ek) {
        /* The credential was made for the certified ECC EK; the RSA EK cannot open it. */
        rc = qtpm_tss_create_ek(t, TPM_ALG_RSA, NULL, &rsa_ek);
        if (!rc)
            rc = qtpm_tss_activate_credential(t, &ak, NULL, &rsa_ek, NULL, &blob, &secret,
                                              &cred);
        if (rc == 0) {
            fprintf(stderr, "ActivateCredential with the wrong EK succeeded\n");
            goto out;
        }
        printf("tpm-activate-wrong-ek=fail ");
        memset(hex, '0', 64);
        rc = 0;
    } else {
        rc = qtpm_tss_activate_credential(t, &ak, NULL, &ek, NULL, &blob, &secret, &cred);
        if (rc || cred.size != 32) {
            fprintf(stderr, "ActivateCredential failed: %d\n", rc);
            goto out;
        }
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", cred.buffer[i]);
    }
    req = json_pack("{s:s}", "credential", hex);
    snprintf(u, sizeof u, "%s/api/v1/enrol/%s/activate", url, id);
    s2 = post(u, cacert, req, &reply2);
    if (s2 == 200) {
        router = json_string_value(json_object_get(reply2, "router"));
        if (!router || save(dir, "ak", router,
                            json_string_value(json_object_get(reply2, "ak_cert")))) {
            fprintf(stderr, "bad activate reply\n");
            router = "-";
            goto out;
        }
        if (attest) {
            char r1[96] = "-", r2[96] = "-", r3[96] = "-";
            json_t *next = NULL; /* round 1's next challenge, taken by round 2 */
            TPM2B_PUBLIC pol;
            size_t pl = 0;
            off = 0;
            if (unb64(json_string_value(json_object_get(reply2, "policy_key")), raw,
                      sizeof raw, &pl) ||
                qtpm_TPM2B_PUBLIC_unmarshal(&pol, raw, pl, &off, 0) != TPM_RC_SUCCESS ||
                attest_round(t, &ak, &pol, url, cacert, router, "/bin/app", "hello", 0, NULL,
                             &next, r1, sizeof r1) ||
                !next ||
                attest_round(t, &ak, &pol, url, cacert, router, "/bin/new", "other", 1, next,
                             NULL, r2, sizeof r2) ||
                attest_round(t, &ak, &pol, url, cacert, router, "/bin/app", "tampered", 2,
                             NULL, NULL, r3, sizeof r3)) {
                fprintf(stderr, "explicit attestation steps failed\n");
                rc = 1;
            }
            printf("attest1=%s attest2=%s attest3=%s ", r1, r2, r3);
        }
        if (tls) {
            qtpm_tss_FlushContext(t, ek.handle); /* room for the SRK and the TLS key */
            TPM2B_PUBLIC pol;
            size_t pl = 0;
            off = 0;
            long st1 = 0, st2 = 0, st3 = 0;
            if (unb64(json_string_value(json_object_get(reply2, "policy_key")), raw,
                      sizeof raw, &pl) ||
                qtpm_TPM2B_PUBLIC_unmarshal(&pol, raw, pl, &off, 0) != TPM_RC_SUCCESS ||
                tls_key(t, &ak, url, cacert, dir, router, &pol, 1, &st1, &st2) ||
                tls_key(t, &ak, url, cacert, dir, router, &pol, 0, &st3, NULL)) {
                fprintf(stderr, "implicit attestation steps failed\n");
                rc = 1;
            }
            printf("tls=%ld replay=%ld nopolicy=%ld ", st1, st2, st3);
        }
    }
out:
    printf("enrol=%ld activate=%ld router=%s\n", s1, s2, router ? router : "-");
    json_decref(req);
    json_decref(reply);
    json_decref(reply2);
    qtpm_tss_free(t);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "manufacture"))
        return manufacture(argv[2], argv[3], argv[4]);
    if (argc == 5 && !strcmp(argv[1], "ekcert"))
        return ekcert(argv[2], argv[3], argv[4]);
    if ((argc == 6 || argc == 7) && !strcmp(argv[1], "enrol")) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        int rc = enrol(argv[2], argv[3], argv[4], argv[5],
                       argc == 7 && !strcmp(argv[6], "wrong-ek"),
                       argc == 7 && !strcmp(argv[6], "tls"),
                       argc == 7 && !strcmp(argv[6], "attest"));
        curl_global_cleanup();
        return rc;
    }
    fprintf(stderr, "usage: enrol_client manufacture TCTI CA_DIR OUT_PEM |\n"
                    "       enrol_client enrol TCTI URL NMS_DIR ecc|mldsa [wrong-ek|tls|attest]\n");
    return 2;
}
