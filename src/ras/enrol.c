/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enrol.c — the registrar: enrolment of a router's TPM (EK certificate, AK) with
 * MakeCredential/ActivateCredential (TCG Part 1 §24, "Credential Protection"), and the
 * privacy CA that certifies the AK once the router proved that AK and EK live in one TPM.
 *
 * POST /enrol: the EK certificate must verify against one imported vendor CA and carry
 * the public key of ek_pub (qtpm_ek_cert_verify: issuer, signature, validity, not a CA,
 * key equality — it also handles ML-KEM EK certificates, whose keys OpenSSL 3.0 cannot
 * parse, which X509_verify_cert could not); the AK must be a restricted signing key with
 * fixedTPM and fixedParent (Part 1 §27.2: only then does ActivateCredential prove that
 * the AK is resident in the EK's TPM). The NMS picks a random 32-byte credential, runs
 * MakeCredential for the AK's Name under the EK, and stores the pending enrolment (with
 * the credential, 5 minutes, single use). The router id is "r-" + the first 8 bytes of
 * SHA-256(ek_pub) in hex, so it is stable across re-enrolments.
 *
 * POST /enrol/<id>/activate: the credential the TPM recovered is compared in constant
 * time; then the privacy CA (ECDSA P-384) signs an AK certificate (subject OU=ak,
 * CN=router id). Its SubjectPublicKeyInfo is the AK's own key: RSA and ECC through
 * OpenSSL; ML-DSA, which OpenSSL 3.0 has no EVP key type for, as the
 * id-ml-dsa-44/65/87 algorithm (2.16.840.1.101.3.4.3.17/18/19, no parameters) with the raw
 * public key as the BIT STRING (the encoding of the LAMPS ML-DSA certificate profile),
 * written straight into the certificate's X509_PUBKEY. The enrolment row is consumed by
 * the first attempt, right or wrong, so a credential cannot be guessed in several tries.
 */
#include "ras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "ct.h"
#include "qtpm/manufacture.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"

#define ENROL_LIFETIME 300

void qtpm_ras_fail(qtpm_ras_result *res, int status, const char *code, const char *msg)
{
    res->status = status;
    res->body = NULL;
    res->error = code;
    snprintf(res->message, sizeof res->message, "%s", msg);
}

static int hex_nibble(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Exactly 2n hex digits, nothing else (no sign, space or 0x, which sscanf's
 * %x would let through). */
int qtpm_ras_unhex(const char *s, uint8_t *out, size_t n)
{
    if (!s || strlen(s) != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_nibble(s[2 * i]), lo = hex_nibble(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int qtpm_ras_b64_decode(const char *in, uint8_t **out, size_t *len)
{
    size_t n = strlen(in);
    *out = NULL;
    if (n == 0 || n % 4 != 0 || n > (8u << 20))
        return -1;
    uint8_t *buf = malloc(n / 4 * 3 + 1);
    if (!buf)
        return -1;
    int l = EVP_DecodeBlock(buf, (const unsigned char *)in, (int)n);
    if (l < 0) {
        free(buf);
        return -1;
    }
    if (in[n - 1] == '=')
        l -= in[n - 2] == '=' ? 2 : 1;
    *out = buf;
    *len = (size_t)l;
    return 0;
}

char *qtpm_ras_b64_encode(const uint8_t *in, size_t len)
{
    char *s = malloc((len + 2) / 3 * 4 + 1);
    if (s)
        EVP_EncodeBlock((unsigned char *)s, in, (int)len);
    return s;
}

/* Decodes a base64 TPM2B_PUBLIC that must fill the whole buffer. */
int qtpm_ras_json_public(const json_t *req, const char *field, TPM2B_PUBLIC *pub,
                         uint8_t **raw, size_t *raw_len)
{
    const char *b64 = json_string_value(json_object_get(req, field));
    size_t len = 0, off = 0;
    uint8_t *buf = NULL;
    if (!b64 || qtpm_ras_b64_decode(b64, &buf, &len))
        return -1;
    memset(pub, 0, sizeof *pub);
    if (qtpm_TPM2B_PUBLIC_unmarshal(pub, buf, len, &off, 0) != TPM_RC_SUCCESS || off != len ||
        len > 4096) {
        free(buf);
        return -1;
    }
    *raw = buf;
    *raw_len = len;
    return 0;
}

#define MAX_CHAIN 4

struct vendor_search {
    const uint8_t *cert;
    size_t cert_len;
    const TPMT_PUBLIC *ek;
    X509 *leaf;         /* the EK certificate, parsed, when ek_chain is given */
    X509 *chain[MAX_CHAIN];
    uint8_t *chain_der[MAX_CHAIN];
    size_t chain_len[MAX_CHAIN];
    size_t n_chain;
    int key_ok;         /* the EK certificate carries ek_pub */
    char found[65];
    char why[160];      /* why the chain failed, for the last vendor tried */
};

/* Whether the EK certificate, through the router's intermediates (untrusted), chains to
 * the vendor's CA certificate as the only trust anchor: signatures, validity, CA
 * basicConstraints and path lengths, keyUsage (RFC 5280 §6.1, X509_verify_cert). The
 * EK certificate's own key is not needed for that, so ML-KEM EK certificates pass too. */
static int chain_to(struct vendor_search *v, const uint8_t *ca, size_t ca_len)
{
    const unsigned char *p = ca;
    X509 *root = d2i_X509(NULL, &p, (long)ca_len);
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    int ok = 0;
    if (root && store && ctx && untrusted && X509_STORE_add_cert(store, root)) {
        for (size_t i = 0; i < v->n_chain; i++)
            sk_X509_push(untrusted, v->chain[i]);
        if (X509_STORE_CTX_init(ctx, store, v->leaf, untrusted) == 1) {
            X509_VERIFY_PARAM_set_depth(X509_STORE_CTX_get0_param(ctx), MAX_CHAIN + 1);
            ok = X509_verify_cert(ctx) == 1;
            if (!ok)
                snprintf(v->why, sizeof v->why, "%s",
                         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
        }
    }
    sk_X509_free(untrusted);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    X509_free(root);
    ERR_clear_error();
    return ok;
}

static int try_vendor(void *ctx, const char *name, const uint8_t *ca, size_t ca_len)
{
    struct vendor_search *v = ctx;
    /* issued by the vendor CA itself, or through intermediates that chain to it */
    if (qtpm_ek_cert_verify(v->cert, v->cert_len, ca, ca_len, v->ek) == QTPM_OK ||
        (v->n_chain && v->key_ok && chain_to(v, ca, ca_len))) {
        snprintf(v->found, sizeof v->found, "%s", name);
        return 1;
    }
    return 0;
}

/* The EK certificate's SubjectPublicKeyInfo is exactly the one of ek (as
 * qtpm_ek_spki_der writes it: RSA, ECC, ML-KEM), and the certificate is no CA. */
static int leaf_key_ok(X509 *leaf, const TPMT_PUBLIC *ek)
{
    uint8_t *want = NULL;
    size_t wl = 0;
    unsigned char *got = NULL;
    int gl = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &got);
    int ok = gl > 0 && qtpm_ek_spki_der(ek, &want, &wl) == QTPM_OK && (size_t)gl == wl &&
             memcmp(want, got, wl) == 0 && X509_check_ca(leaf) == 0;
    free(want);
    OPENSSL_free(got);
    return ok;
}

static void hex(const uint8_t *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", in[i]);
}

void qtpm_ras_enrol(qtpm_store *st, const json_t *req, qtpm_ras_result *res)
{
    qtpm_store_enrolment *e = calloc(1, sizeof *e);
    uint8_t *ek_raw = NULL, *ak_raw = NULL, *cert = NULL;
    size_t ek_len = 0, ak_len = 0, cert_len = 0;
    TPM2B_PUBLIC ek, ak;
    const char *host = json_string_value(json_object_get(req, "hostname"));
    const char *cert_b64 = json_string_value(json_object_get(req, "ek_cert"));
    if (!e) {
        qtpm_ras_fail(res, 500, "internal", "out of memory");
        return;
    }
    if (!host || !host[0] || strlen(host) >= sizeof e->hostname || !cert_b64 ||
        qtpm_ras_b64_decode(cert_b64, &cert, &cert_len) || cert_len > sizeof e->ek_cert) {
        qtpm_ras_fail(res, 400, "bad-request", "need hostname and ek_cert (base64 DER)");
        goto out;
    }
    if (qtpm_ras_json_public(req, "ek_pub", &ek, &ek_raw, &ek_len) ||
        qtpm_ras_json_public(req, "ak_pub", &ak, &ak_raw, &ak_len)) {
        qtpm_ras_fail(res, 400, "bad-request", "ek_pub and ak_pub must be base64 TPM2B_PUBLIC");
        goto out;
    }
    struct vendor_search vs;
    memset(&vs, 0, sizeof vs);
    vs.cert = cert;
    vs.cert_len = cert_len;
    vs.ek = &ek.publicArea;
    /* ek_chain (optional): the intermediate CA certificates between the vendor's CA and
     * the EK certificate, base64 DER, any order: X509_verify_cert builds and checks the
     * path (chain_to), leaf_key_ok that the EK certificate carries ek_pub. */
    json_t *chain = json_object_get(req, "ek_chain");
    if (chain && (!json_is_array(chain) || json_array_size(chain) > MAX_CHAIN)) {
        qtpm_ras_fail(res, 400, "bad-request", "ek_chain must be an array of at most 4 "
                                               "base64 DER certificates");
        goto out_chain;
    }
    for (size_t i = 0; chain && i < json_array_size(chain); i++) {
        const char *c64 = json_string_value(json_array_get(chain, i));
        const unsigned char *p;
        if (!c64 || qtpm_ras_b64_decode(c64, &vs.chain_der[i], &vs.chain_len[i]) ||
            vs.chain_len[i] > 8192 || (p = vs.chain_der[i], vs.n_chain = i + 1,
                                       !(vs.chain[i] = d2i_X509(NULL, &p,
                                                                (long)vs.chain_len[i]))) ||
            p != vs.chain_der[i] + vs.chain_len[i]) {
            vs.n_chain = i + 1;
            ERR_clear_error();
            qtpm_ras_fail(res, 400, "bad-request", "an ek_chain entry is not a base64 DER "
                                                   "X.509 certificate");
            goto out_chain;
        }
    }
    if (vs.n_chain) {
        const unsigned char *p = cert;
        vs.leaf = d2i_X509(NULL, &p, (long)cert_len);
        vs.key_ok = vs.leaf && p == cert + cert_len && leaf_key_ok(vs.leaf, &ek.publicArea);
        ERR_clear_error();
    }
    if (qtpm_store_vendor_each(st, try_vendor, &vs)) {
        qtpm_ras_fail(res, 500, "store", qtpm_store_errmsg(st));
        goto out_chain;
    }
    if (!vs.found[0]) {
        if (vs.n_chain && !vs.key_ok)
            snprintf(res->message, sizeof res->message,
                     "the EK certificate does not carry ek_pub (or is a CA certificate)");
        else if (vs.n_chain)
            snprintf(res->message, sizeof res->message,
                     "the EK certificate's chain does not lead to an imported vendor CA: %s",
                     vs.why[0] ? vs.why : "no vendor CA imported");
        else
            snprintf(res->message, sizeof res->message,
                     "the EK certificate does not chain to an imported vendor CA or does not "
                     "carry ek_pub");
        res->status = 403;
        res->error = "ek-untrusted";
        res->body = NULL;
        goto out_chain;
    }
    for (size_t i = 0; i < vs.n_chain; i++) {
        X509_free(vs.chain[i]);
        free(vs.chain_der[i]);
    }
    vs.n_chain = 0;
    X509_free(vs.leaf);
    vs.leaf = NULL;
    const TPMA_OBJECT need = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                             TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT;
    TPMA_OBJECT a = ak.publicArea.objectAttributes;
    if ((a & need) != need || (a & TPMA_OBJECT_DECRYPT)) {
        qtpm_ras_fail(res, 400, "ak-invalid",
             "the AK must be a restricted signing key with fixedTPM and fixedParent");
        goto out;
    }
    TPM2B_NAME ak_name;
    if (qtpm_tss_public_name(&ak.publicArea, &ak_name) != QTPM_OK) {
        qtpm_ras_fail(res, 400, "ak-invalid", "the AK's Name cannot be computed");
        goto out;
    }
    /* Router id from the EK; a known EK with another AK needs the operator's permission. */
    uint8_t h[SHA256_DIGEST_LENGTH];
    SHA256(ek_raw, ek_len, h);
    snprintf(e->router, sizeof e->router, "r-");
    hex(h, 8, e->router + 2);
    char known[64];
    int rc = qtpm_store_ek_router(st, ek_raw, ek_len, known);
    if (rc == QTPM_STORE_OK) {
        uint8_t old[4096];
        size_t old_len = 0;
        qtpm_store_router r;
        int same = qtpm_store_ak_active(st, known, old, sizeof old, &old_len) == 0 &&
                   old_len == ak_len && memcmp(old, ak_raw, ak_len) == 0;
        if (!same && (qtpm_store_router_get(st, known, &r) || !r.allow_reenrol)) {
            qtpm_ras_fail(res, 409, "reenrol-refused",
                 "this EK is enrolled with another AK; an operator must allow re-enrolment");
            goto out;
        }
    } else if (rc != QTPM_STORE_NOTFOUND) {
        qtpm_ras_fail(res, 500, "store", qtpm_store_errmsg(st));
        goto out;
    }
    TPM2B_DIGEST cred = {.size = sizeof e->secret};
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    uint8_t idb[16];
    if (RAND_bytes(e->secret, sizeof e->secret) != 1 || RAND_bytes(idb, sizeof idb) != 1) {
        qtpm_ras_fail(res, 500, "internal", "no randomness");
        goto out;
    }
    memcpy(cred.buffer, e->secret, sizeof e->secret);
    rc = qtpm_tss_make_credential(&ek.publicArea, &ak_name, &cred, &blob, &secret);
    OPENSSL_cleanse(cred.buffer, sizeof cred.buffer);
    if (rc != QTPM_OK) {
        qtpm_ras_fail(res, 400, "ek-unsupported", "MakeCredential failed for this EK");
        goto out;
    }
    hex(idb, sizeof idb, e->id);
    snprintf(e->hostname, sizeof e->hostname, "%s", host);
    snprintf(e->vendor, sizeof e->vendor, "%s", vs.found);
    memcpy(e->ek_pub, ek_raw, ek_len);
    e->ek_pub_len = ek_len;
    memcpy(e->ek_cert, cert, cert_len);
    e->ek_cert_len = cert_len;
    memcpy(e->ak_pub, ak_raw, ak_len);
    e->ak_pub_len = ak_len;
    e->expires = (int64_t)time(NULL) + ENROL_LIFETIME;
    if (qtpm_store_enrolment_put(st, e)) {
        qtpm_ras_fail(res, 500, "store", qtpm_store_errmsg(st));
        goto out;
    }
    uint8_t bb[sizeof blob + 2], sb[sizeof secret + 2];
    size_t bo = 0, so = 0;
    if (qtpm_TPM2B_ID_OBJECT_marshal(&blob, bb, sizeof bb, &bo) != TPM_RC_SUCCESS ||
        qtpm_TPM2B_ENCRYPTED_SECRET_marshal(&secret, sb, sizeof sb, &so) != TPM_RC_SUCCESS) {
        qtpm_ras_fail(res, 500, "internal", "marshal");
        goto out;
    }
    char *b1 = qtpm_ras_b64_encode(bb, bo), *b2 = qtpm_ras_b64_encode(sb, so);
    res->status = 201;
    res->body = b1 && b2 ? json_pack("{s:s,s:s,s:s,s:s}", "enrolment", e->id, "router",
                                     e->router, "credential_blob", b1, "secret", b2)
                         : NULL;
    free(b1);
    free(b2);
    if (!res->body)
        qtpm_ras_fail(res, 500, "internal", "out of memory");
out_chain:
    for (size_t i = 0; i < vs.n_chain; i++) {
        X509_free(vs.chain[i]);
        free(vs.chain_der[i]);
    }
    X509_free(vs.leaf);
out:
    if (e)
        OPENSSL_cleanse(e->secret, sizeof e->secret);
    free(e);
    free(ek_raw);
    free(ak_raw);
    free(cert);
}

/* The AK's SubjectPublicKeyInfo written into cert (see the file comment). */
static int set_ak_key(X509 *cert, const TPMT_PUBLIC *ak)
{
    if (ak->type == TPM_ALG_MLDSA || ak->type == TPM_ALG_HASH_MLDSA) {
        TPMI_MLDSA_PARMS set = ak->type == TPM_ALG_MLDSA
                                   ? ak->parameters.mldsaDetail.parameterSet
                                   : ak->parameters.hashMldsaDetail.parameterSet;
        const char *oid = set == TPM_MLDSA_44   ? "2.16.840.1.101.3.4.3.17"
                          : set == TPM_MLDSA_65 ? "2.16.840.1.101.3.4.3.18"
                          : set == TPM_MLDSA_87 ? "2.16.840.1.101.3.4.3.19"
                                                : NULL;
        if (!oid)
            return -1;
        ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
        size_t n = ak->unique.mldsa.size;
        unsigned char *bits = OPENSSL_malloc(n ? n : 1);
        if (!obj || !bits) {
            ASN1_OBJECT_free(obj);
            OPENSSL_free(bits);
            return -1;
        }
        memcpy(bits, ak->unique.mldsa.buffer, n);
        if (!X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), obj, V_ASN1_UNDEF, NULL, bits,
                                    (int)n)) {
            ASN1_OBJECT_free(obj);
            OPENSSL_free(bits);
            return -1;
        }
        return 0;
    }
    uint8_t *der = NULL;
    size_t len = 0;
    if (qtpm_ek_spki_der(ak, &der, &len) != QTPM_OK)
        return -1;
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
    free(der);
    int ok = k && X509_set_pubkey(cert, k);
    EVP_PKEY_free(k);
    return ok ? 0 : -1;
}

static int add_ext(X509 *cert, X509 *ca, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, ca, cert, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext && X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

X509 *qtpm_ras_issue(X509 *ca, EVP_PKEY *ca_key, const char *router, const char *ou,
                     const TPMT_PUBLIC *ak, char serial_hex[33])
{
    X509 *c = X509_new();
    uint8_t serial[16];
    BIGNUM *bn = NULL;
    if (!c || RAND_bytes(serial, sizeof serial) != 1)
        goto bad;
    serial[0] &= 0x7f;
    hex(serial, sizeof serial, serial_hex);
    bn = BN_bin2bn(serial, sizeof serial, NULL);
    X509_NAME *name = X509_get_subject_name(c);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(c)) || !X509_set_version(c, 2) ||
        !X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"qtpm-nms",
                                    -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC, (const unsigned char *)ou, -1,
                                    -1, 0) ||
        !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)router,
                                    -1, -1, 0) ||
        !X509_set_issuer_name(c, X509_get_subject_name(ca)) ||
        !X509_gmtime_adj(X509_getm_notBefore(c), -300) ||
        !X509_gmtime_adj(X509_getm_notAfter(c), 825L * 86400) || set_ak_key(c, ak) ||
        add_ext(c, ca, NID_basic_constraints, "critical,CA:FALSE") ||
        add_ext(c, ca, NID_key_usage, "critical,digitalSignature") ||
        add_ext(c, ca, NID_authority_key_identifier, "keyid:always") ||
        (strcmp(ou, "router") == 0 && add_ext(c, ca, NID_ext_key_usage, "clientAuth")) ||
        !X509_sign(c, ca_key, EVP_sha384()))
        goto bad;
    BN_free(bn);
    return c;
bad:
    BN_free(bn);
    X509_free(c);
    ERR_clear_error();
    return NULL;
}

void qtpm_ras_activate(qtpm_store *st, X509 *ca, EVP_PKEY *ca_key, EVP_PKEY *policy_key,
                       const char *id, const json_t *req, qtpm_ras_result *res)
{
    const char *cred_hex = json_string_value(json_object_get(req, "credential"));
    uint8_t cred[32];
    if (!cred_hex || qtpm_ras_unhex(cred_hex, cred, sizeof cred)) {
        qtpm_ras_fail(res, 400, "bad-request", "credential must be 64 hex digits");
        return;
    }
    qtpm_store_enrolment *e = calloc(1, sizeof *e);
    uint8_t *der = NULL;
    X509 *cert = NULL;
    if (!e) {
        qtpm_ras_fail(res, 500, "internal", "out of memory");
        return;
    }
    int rc = qtpm_store_enrolment_take(st, id, (int64_t)time(NULL), e);
    if (rc == QTPM_STORE_NOTFOUND) {
        qtpm_ras_fail(res, 404, "not-found", "no such enrolment (unknown, used or expired)");
        goto out;
    }
    if (rc) {
        qtpm_ras_fail(res, 500, "store", qtpm_store_errmsg(st));
        goto out;
    }
    if (!ct_equal(cred, e->secret, sizeof cred)) {
        qtpm_store_event_add(st, e->router, "enrol-failed", "wrong credential", NULL);
        qtpm_ras_fail(res, 403, "credential-mismatch", "the credential is wrong");
        goto out;
    }
    TPM2B_PUBLIC ak;
    TPM2B_NAME name;
    size_t off = 0;
    char serial[33];
    if (qtpm_TPM2B_PUBLIC_unmarshal(&ak, e->ak_pub, e->ak_pub_len, &off, 0) != TPM_RC_SUCCESS ||
        qtpm_tss_public_name(&ak.publicArea, &name) != QTPM_OK ||
        !(cert = qtpm_ras_issue(ca, ca_key, e->router, "ak", &ak.publicArea, serial))) {
        qtpm_ras_fail(res, 500, "internal", "cannot issue the AK certificate");
        goto out;
    }
    int dlen = i2d_X509(cert, &der);
    if (dlen <= 0) {
        qtpm_ras_fail(res, 500, "internal", "cannot encode the AK certificate");
        goto out;
    }
    rc = qtpm_store_enrol_finish(st, e, name.buffer, name.size, serial, der, (size_t)dlen);
    if (rc) {
        qtpm_ras_fail(res, rc == QTPM_STORE_CONFLICT ? 409 : 500, "store", qtpm_store_errmsg(st));
        goto out;
    }
    unsigned char *cad = NULL;
    int calen = i2d_X509(ca, &cad);
    char *b1 = qtpm_ras_b64_encode(der, (size_t)dlen);
    char *b2 = calen > 0 ? qtpm_ras_b64_encode(cad, (size_t)calen) : NULL;
    OPENSSL_free(cad);
    /* The policy key goes with the AK certificate: the agent needs its Name to build its
     * TLS key's PolicyAuthorize before asking for the TLS certificate. */
    TPM2B_PUBLIC pol;
    uint8_t pb[sizeof pol + 2];
    size_t po = 0;
    char *b3 = qtpm_ras_policy_public(policy_key, &pol) == 0 &&
                       qtpm_TPM2B_PUBLIC_marshal(&pol, pb, sizeof pb, &po) == TPM_RC_SUCCESS
                   ? qtpm_ras_b64_encode(pb, po)
                   : NULL;
    res->status = 200;
    res->body = b1 && b2 && b3 ? json_pack("{s:s,s:s,s:s,s:s}", "router", e->router, "ak_cert",
                                           b1, "ca_cert", b2, "policy_key", b3)
                               : NULL;
    free(b1);
    free(b2);
    free(b3);
    if (!res->body)
        qtpm_ras_fail(res, 500, "internal", "out of memory");
out:
    OPENSSL_cleanse(cred, sizeof cred);
    OPENSSL_cleanse(e->secret, sizeof e->secret);
    free(e);
    OPENSSL_free(der);
    X509_free(cert);
}
