/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_flows.c — the seeds' application flows as a benchmark (DESIGN.md
 * decision 7; docs/BENCH.md "qtpm-bench-flows").
 *
 * Seed D6.3 measured two demonstrators flow by flow: device management
 * (§4.3.3, Table 10: AK Creation, TLS Key Creation, TLS Connection, Quote)
 * and the wallet (§2.3.3, Tables 2 and 3: Scenario Initialisation, Seal
 * Bearer Token, Unseal Bearer Token, Seal Financial Token). This program
 * replays each flow as the exact sequence of TPM commands those tables list,
 * through libqtss, in two variants:
 *
 *   classic  RSA-2048 EK, SRK, AK and TLS key; PCR policies over the SHA-1
 *            bank (as the seeds' TPM 2.0 runs);
 *   QR       ML-KEM-768 EK and SRK, ML-DSA-44 AK, HashML-DSA-44 TLS key,
 *            SHA-256 bank (TPM 2.0 Library v1.85 algorithms).
 *
 * The classic variant runs against Debian's swtpm and against qtpm-server,
 * the QR variant against qtpm-server (swtpm has no PQC); all three are
 * measured in the same run, interleaved run by run. Each TPM is a process of
 * its own, started on free local ports with an empty temporary state
 * directory and always stopped at the end.
 *
 * Two clocks, as in the seeds: every TPM command at the TSS (libqtss timing
 * records, transmit to end of receive — the seeds patched TSS_Execute()), and
 * every flow at the application (wall time of the whole flow, including the
 * software steps of the client and of the verifier it talks to: certificate
 * checks, MakeCredential, quote and signature verification; no network).
 * Medians over many runs; the seeds' published figures are printed beside
 * ours. Commands the seeds' lists leave out but a TPM needs (flushing what a
 * resource manager flushed for them) are marked "+" and measured too.
 *
 * The exit status is 1 when any flow failed on any TPM (or a TPM could not be
 * started), so a CTest run with two runs per flow is a smoke test of the
 * whole stack.
 */
#include <jansson.h>
#include <limits.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "qtpm/classic.h"
#include "qtpm/marshal.h"
#include "qtpm/rand.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

#include "tpmproc.h"

#define DEFAULT_RUNS 100
#define MAX_RECORDS 64
#define QR_COMMAND_GOAL_US 1000.0

/* Handles of the flows. The SRK is persistent, as the seeds' ReadPublic(SRK)
 * shows; the wallet's sealed tokens are made persistent by the flows. */
#define SRK_HANDLE 0x81000001U
#define BEARER_HANDLE 0x81010001U
#define FINANCIAL_HANDLE 0x81010002U
/* The wallet's PCR: 23, resettable at locality 0 (PC Client PTP), holds the
 * FIDO handle measurement. */
#define WALLET_PCR 23

enum { CLASSIC = 0, QR = 1 };
enum { SIDE_CLASSIC_SWTPM, SIDE_CLASSIC_QTPM, SIDE_QR_QTPM, N_SIDES };
enum { GROUP_DEVICE, GROUP_WALLET, N_GROUPS };

static const char *const variant_name[2] = {"classic", "QR"};

/* ------------------------------------------------------------------------ */
/* One TPM process with one libqtss context, and what the flows keep. */

typedef struct {
    tpmproc proc; /* named "classic-swtpm", ...; proc.error: why not measured */
    int variant;
    qtpm_tss *t;

    /* algorithm choices of the variant */
    TPM_ALG_ID key_type;  /* EK and SRK: RSA or ML-KEM */
    TPM_ALG_ID ak_type;   /* RSA or ML-DSA */
    TPMI_ALG_HASH bank;   /* PCR bank of the policies and quotes */
    TPM_HANDLE ek_cert_index;

    /* device management: client side */
    TPM2B_PUBLIC srk_pub;
    TPM2B_PRIVATE ak_priv, tls_priv;
    TPM2B_PUBLIC ak_pub, tls_pub;
    int have_ak, have_tls;
    /* device management: verifier side (RA server / NMS database) */
    TPM2B_DIGEST golden[8];     /* reference values of PCRs 0-7 */
    TPMT_PUBLIC ver_ak;         /* the AK it certified */
    uint8_t *tls_cert;          /* the TLS certificate it issued (DER) */
    int tls_cert_len;

    /* wallet */
    TPMS_CONTEXT primary_ctx;
    TPM2B_NAME primary_name;
    TPM2B_DIGEST wallet_policy;
    uint8_t bearer[32];
    int have_primary;
    uint32_t counter; /* varies the unique field of the RSA primary */

    char error[320]; /* why the last flow failed */
    int group_failed[N_GROUPS];
    long retries; /* commands the TPM asked to send again */
} side;

static EVP_PKEY *ca_key; /* the bench's CA (ECDSA P-256): EK, AK, TLS certs */
static long cert_serial = 1;

static int fail(side *s, const char *what, int rc)
{
    snprintf(s->error, sizeof s->error, "%s: %s", what, qtpm_tss_strerror(rc));
    return rc ? rc : QTPM_E_VERIFY;
}

static int fail_msg(side *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail_msg(side *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->error, sizeof s->error, fmt, ap);
    va_end(ap);
    return QTPM_E_VERIFY;
}

#define TRY(s, what, call)                                                                         \
    do {                                                                                           \
        int rc_ = (call);                                                                          \
        if (rc_ != QTPM_OK)                                                                        \
            return fail((s), (what), rc_);                                                         \
    } while (0)

static qtpm_hash_alg hash_of(TPMI_ALG_HASH alg)
{
    switch (alg) {
    case TPM_ALG_SHA1: return QTPM_HASH_SHA1;
    case TPM_ALG_SHA256: return QTPM_HASH_SHA256;
    case TPM_ALG_SHA384: return QTPM_HASH_SHA384;
    case TPM_ALG_SHA512: return QTPM_HASH_SHA512;
    default: return QTPM_HASH_NONE;
    }
}

static size_t hash_len(TPMI_ALG_HASH alg)
{
    return alg == TPM_ALG_SHA1 ? 20 : alg == TPM_ALG_SHA256 ? 32 : alg == TPM_ALG_SHA384 ? 48 : 64;
}

/* One bank, PCRs given as a 24-bit mask. */
static TPML_PCR_SELECTION pcr_sel(TPMI_ALG_HASH bank, uint32_t mask)
{
    TPML_PCR_SELECTION s;
    memset(&s, 0, sizeof s);
    s.count = 1;
    s.pcrSelections[0].hash = bank;
    s.pcrSelections[0].sizeofSelect = 3;
    s.pcrSelections[0].pcrSelect[0] = (BYTE)mask;
    s.pcrSelections[0].pcrSelect[1] = (BYTE)(mask >> 8);
    s.pcrSelections[0].pcrSelect[2] = (BYTE)(mask >> 16);
    return s;
}

/* The device PCRs: the boot chain, PCRs 0-7 (eight values, one PCR_Read). */
#define DEVICE_PCRS 0x0000FFU

/* Software policy PolicyPCR(sel, H_sha256(values)) — what the seeds' verifier
 * expects the TLS key's and the tokens' authPolicy to be. */
static int pcr_policy(const TPML_PCR_SELECTION *sel, const TPM2B_DIGEST *values, size_t n,
                      TPM2B_DIGEST *policy)
{
    TPM2B_DIGEST composite;
    int rc = qtpm_tss_pcr_composite(TPM_ALG_SHA256, values, n, &composite);
    if (rc == QTPM_OK)
        rc = qtpm_tss_policy_start(TPM_ALG_SHA256, policy);
    if (rc == QTPM_OK)
        rc = qtpm_tss_policy_pcr(TPM_ALG_SHA256, policy, sel, &composite);
    return rc;
}

static int pcr_read(side *s, const TPML_PCR_SELECTION *sel, TPM2B_DIGEST *values, size_t want)
{
    UINT32 counter;
    TPML_PCR_SELECTION out;
    TPML_DIGEST d;
    TRY(s, "PCR_Read", qtpm_tss_PCR_Read(s->t, NULL, sel, &counter, &out, &d));
    if (d.count != want)
        return fail_msg(s, "PCR_Read: %u values instead of %zu", (unsigned)d.count, want);
    for (size_t i = 0; i < want; i++)
        values[i] = d.digests[i];
    return QTPM_OK;
}

/* ------------------------------------------------------------------------ */
/* Certificates: the RA server's and NMS's X.509 work. The CA signs with
 * ECDSA P-256 (OpenSSL); the subject key is the TPM key as it is: an RSA
 * key as rsaEncryption, ML-KEM-768 and ML-DSA-44 under their NIST OIDs
 * (FIPS 203/204, CSOR id-alg-ml-kem-768 and id-ml-dsa-44), HashML-DSA-44
 * with SHA-512 as id-hash-ml-dsa-44-with-sha512, all with the raw key
 * (RFC 5280 SubjectPublicKeyInfo). OpenSSL 3.0 cannot use the PQC keys, but
 * it encodes, signs and parses certificates that carry them. */

/* DER RSAPublicKey (RFC 8017 A.1.1) of a modulus and exponent 65537. */
static int der_int(uint8_t *out, const uint8_t *v, size_t n)
{
    size_t lead = 0, o = 0;
    while (n > 1 && v[0] == 0)
        v++, n--;
    lead = v[0] & 0x80 ? 1 : 0;
    size_t len = n + lead;
    out[o++] = 0x02;
    if (len < 128) {
        out[o++] = (uint8_t)len;
    } else {
        out[o++] = 0x82;
        out[o++] = (uint8_t)(len >> 8);
        out[o++] = (uint8_t)len;
    }
    if (lead)
        out[o++] = 0;
    memcpy(out + o, v, n);
    return (int)(o + n);
}

static int rsa_public_der(const TPMT_PUBLIC *p, uint8_t *out)
{
    static const uint8_t e65537[3] = {1, 0, 1};
    uint8_t body[300];
    int n = der_int(body, p->unique.rsa.buffer, p->unique.rsa.size);
    n += der_int(body + n, e65537, 3);
    out[0] = 0x30;
    out[1] = 0x82;
    out[2] = (uint8_t)(n >> 8);
    out[3] = (uint8_t)n;
    memcpy(out + 4, body, (size_t)n);
    return n + 4;
}

/* The SPKI algorithm and key bytes of a TPM public key. */
static int spki_of(const TPMT_PUBLIC *p, const char **oid, int *null_param, uint8_t *key,
                   int *key_len)
{
    *null_param = 0;
    switch (p->type) {
    case TPM_ALG_RSA:
        *oid = "1.2.840.113549.1.1.1";
        *null_param = 1;
        *key_len = rsa_public_der(p, key);
        return 0;
    case TPM_ALG_MLKEM:
        *oid = "2.16.840.1.101.3.4.4.2";
        memcpy(key, p->unique.mlkem.buffer, p->unique.mlkem.size);
        *key_len = p->unique.mlkem.size;
        return 0;
    case TPM_ALG_MLDSA:
        *oid = "2.16.840.1.101.3.4.3.17";
        memcpy(key, p->unique.mldsa.buffer, p->unique.mldsa.size);
        *key_len = p->unique.mldsa.size;
        return 0;
    case TPM_ALG_HASH_MLDSA:
        if (p->parameters.hashMldsaDetail.hashAlg != TPM_ALG_SHA512)
            return -1; /* NIST names HashML-DSA-44 only with SHA-512 */
        *oid = "2.16.840.1.101.3.4.3.32";
        memcpy(key, p->unique.mldsa.buffer, p->unique.mldsa.size);
        *key_len = p->unique.mldsa.size;
        return 0;
    default:
        return -1;
    }
}

/* A certificate for a TPM key, signed by the bench CA; DER in *der
 * (OPENSSL_free). Returns its length or -1. */
static int issue_cert(const TPMT_PUBLIC *key, const char *cn, uint8_t **der)
{
    uint8_t buf[2700];
    const char *oid;
    int null_param, len, out = -1;
    X509 *x = X509_new();
    X509_NAME *issuer = X509_NAME_new();
    ASN1_OBJECT *obj = NULL;
    uint8_t *keybuf = NULL;
    *der = NULL;
    if (!x || !issuer || spki_of(key, &oid, &null_param, buf, &len) != 0)
        goto out;
    if (!X509_set_version(x, 2) || !ASN1_INTEGER_set(X509_get_serialNumber(x), cert_serial++) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), 0) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) ||
        !X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
                                    (const unsigned char *)cn, -1, -1, 0) ||
        !X509_NAME_add_entry_by_txt(issuer, "CN", MBSTRING_ASC,
                                    (const unsigned char *)"qtpm-bench-flows CA", -1, -1, 0) ||
        !X509_set_issuer_name(x, issuer))
        goto out;
    if (!(obj = OBJ_txt2obj(oid, 1)) || !(keybuf = OPENSSL_malloc((size_t)len)))
        goto out;
    memcpy(keybuf, buf, (size_t)len);
    if (!X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), obj, null_param ? V_ASN1_NULL : V_ASN1_UNDEF,
                                NULL, keybuf, len))
        goto out;
    obj = NULL;
    keybuf = NULL;
    if (!X509_sign(x, ca_key, EVP_sha256()))
        goto out;
    out = i2d_X509(x, der);
out:
    ASN1_OBJECT_free(obj);
    OPENSSL_free(keybuf);
    X509_NAME_free(issuer);
    X509_free(x);
    return out;
}

/* Parses and verifies a certificate of the bench CA; gives the SPKI OID
 * (dotted) and key bytes. */
static int check_cert(const uint8_t *der, size_t len, char *oid, size_t oid_cap, uint8_t *key,
                      size_t key_cap, size_t *key_len)
{
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    ASN1_OBJECT *obj;
    const unsigned char *k;
    int klen, rc = -1;
    if (!x)
        return -1;
    if (X509_verify(x, ca_key) == 1 &&
        X509_PUBKEY_get0_param(&obj, &k, &klen, NULL, X509_get_X509_PUBKEY(x)) == 1 &&
        OBJ_obj2txt(oid, (int)oid_cap, obj, 1) > 0 && (size_t)klen <= key_cap) {
        memcpy(key, k, (size_t)klen);
        *key_len = (size_t)klen;
        rc = 0;
    }
    X509_free(x);
    return rc;
}

/* Does the certificate carry exactly this TPM key? */
static int cert_matches(const uint8_t *der, size_t len, const TPMT_PUBLIC *pub)
{
    uint8_t key[2700], want[2700];
    char oid[64];
    const char *want_oid;
    size_t n;
    int null_param, wn;
    if (check_cert(der, len, oid, sizeof oid, key, sizeof key, &n) != 0 ||
        spki_of(pub, &want_oid, &null_param, want, &wn) != 0)
        return 0;
    return strcmp(oid, want_oid) == 0 && n == (size_t)wn && memcmp(key, want, n) == 0;
}

/* The verifier's view of the EK: the EK template of the certificate's key
 * type, with the certificate's key as unique. */
static int ek_from_cert(const uint8_t *der, size_t len, TPMT_PUBLIC *ek)
{
    uint8_t key[2700];
    char oid[64];
    size_t n;
    if (check_cert(der, len, oid, sizeof oid, key, sizeof key, &n) != 0)
        return -1;
    if (strcmp(oid, "2.16.840.1.101.3.4.4.2") == 0) {
        if (qtpm_tss_template_ek(TPM_ALG_MLKEM, ek) != QTPM_OK || n > sizeof ek->unique.mlkem.buffer)
            return -1;
        memcpy(ek->unique.mlkem.buffer, key, n);
        ek->unique.mlkem.size = (UINT16)n;
        return 0;
    }
    if (strcmp(oid, "1.2.840.113549.1.1.1") == 0) {
        /* RSAPublicKey: SEQUENCE { INTEGER n, INTEGER e }; e must be 65537 */
        const unsigned char *p = key;
        EVP_PKEY *pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n);
        BIGNUM *mod = NULL;
        int ok = pk && EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &mod) &&
                 BN_num_bytes(mod) == 256 && qtpm_tss_template_ek(TPM_ALG_RSA, ek) == QTPM_OK &&
                 BN_bn2binpad(mod, ek->unique.rsa.buffer, 256) == 256;
        ek->unique.rsa.size = 256;
        BN_free(mod);
        EVP_PKEY_free(pk);
        return ok ? 0 : -1;
    }
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Device management (seed D6.3 §4.3.3, Table 10). Each flow issues exactly
 * the commands of its step table below, in that order. */

static int load_under_srk(side *s, const TPM2B_PRIVATE *priv, const TPM2B_PUBLIC *pub,
                          TPM_HANDLE *h, const char *what)
{
    TRY(s, what, qtpm_tss_Load(s->t, NULL, SRK_HANDLE, priv, pub, h, NULL));
    return QTPM_OK;
}

/* Router enrolment: the RA client reads the EK credential and makes an AK;
 * the RA server checks the credential, wraps a challenge for the EK and the
 * AK's name (MakeCredential in software, Part 1 §24); the client activates
 * it with EK and AK; the server compares and certifies the AK. */
static int flow_ak_creation(side *s)
{
    uint8_t cert[MAX_NV_INDEX_SIZE];
    size_t cert_len;
    TPM2B_PUBLIC in;
    TPM2B_SENSITIVE_CREATE sens;
    TPMT_PUBLIC ek_ver;
    TPM2B_NAME ak_name;
    TPM2B_DIGEST challenge, answer;
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    qtpm_tss_key ek;
    qtpm_tss_session ps;
    TPM_HANDLE ak;
    uint8_t *ak_cert;
    int n;

    /* NV_ReadPublic, GetCapability (TPM_PT_NV_BUFFER_MAX), NV_Read */
    TRY(s, "read EK credential",
        qtpm_tss_nv_read_all(s->t, TPM_RH_OWNER, NULL, s->ek_cert_index, cert, sizeof cert,
                             &cert_len));
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    TRY(s, "AK template", qtpm_tss_template_ak(s->ak_type, &in.publicArea));
    TRY(s, "Create (AK)",
        qtpm_tss_Create(s->t, NULL, SRK_HANDLE, &sens, &in, NULL, NULL, &s->ak_priv, &s->ak_pub,
                        NULL, NULL, NULL));
    s->have_ak = 1;

    /* RA server: EK credential, AK properties, challenge for EK and AK */
    if (ek_from_cert(cert, cert_len, &ek_ver) != 0)
        return fail_msg(s, "EK credential does not verify");
    {
        const TPMT_PUBLIC *a = &s->ak_pub.publicArea;
        const TPMA_OBJECT need = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                                 TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_RESTRICTED |
                                 TPMA_OBJECT_SIGN_ENCRYPT;
        if ((a->objectAttributes & need) != need || a->type != s->ak_type)
            return fail_msg(s, "AK attributes refused by the RA server");
    }
    TRY(s, "AK name", qtpm_tss_public_name(&s->ak_pub.publicArea, &ak_name));
    challenge.size = 32;
    TRY(s, "challenge", qtpm_random_bytes(challenge.buffer, challenge.size));
    TRY(s, "MakeCredential (software)",
        qtpm_tss_make_credential(&ek_ver, &ak_name, &challenge, &blob, &secret));

    /* RA client: activate with the EK (policy) and the AK (password) */
    TRY(s, "CreatePrimary (EK)", qtpm_tss_create_ek(s->t, s->key_type, NULL, &ek));
    {
        /* same template and key: same Name */
        TPM2B_NAME ver_name;
        TRY(s, "EK name", qtpm_tss_public_name(&ek_ver, &ver_name));
        if (ver_name.size != ek.name.size || memcmp(ver_name.buffer, ek.name.buffer, ek.name.size))
            return fail_msg(s, "EK differs from the EK credential");
    }
    TRY(s, "Load (AK)", qtpm_tss_Load(s->t, NULL, SRK_HANDLE, &s->ak_priv, &s->ak_pub, &ak, NULL));
    TRY(s, "EK policy session", qtpm_tss_ek_policy_session(s->t, NULL, &ps));
    ps.attributes &= ~(TPMA_SESSION)TPMA_SESSION_CONTINUESESSION;
    {
        qtpm_tss_auths a = {2, {{NULL, NULL}, {&ps, NULL}}};
        TRY(s, "ActivateCredential",
            qtpm_tss_ActivateCredential(s->t, &a, ak, ek.handle, &blob, &secret, &answer));
    }
    TRY(s, "FlushContext (EK)", qtpm_tss_FlushContext(s->t, ek.handle));
    TRY(s, "FlushContext (AK)", qtpm_tss_FlushContext(s->t, ak));

    /* RA server: the answer proves EK and AK share the TPM; certify the AK */
    if (answer.size != challenge.size || memcmp(answer.buffer, challenge.buffer, answer.size) != 0)
        return fail_msg(s, "ActivateCredential gave a wrong answer");
    s->ver_ak = s->ak_pub.publicArea;
    if ((n = issue_cert(&s->ver_ak, "router1.example.net AK", &ak_cert)) < 0)
        return fail_msg(s, "cannot issue the AK certificate");
    OPENSSL_free(ak_cert);
    return QTPM_OK;
}

/* PKCS #1 v1.5 signature block for a SHA-256 digest (RFC 8017 §9.2): the
 * seeds' TLS key signs with TPM2_RSA_Decrypt (raw RSA) on this block. */
static void pkcs1_sha256_block(const uint8_t digest[32], uint8_t block[256])
{
    static const uint8_t prefix[19] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60,
                                       0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
                                       0x01, 0x05, 0x00, 0x04, 0x20};
    block[0] = 0x00;
    block[1] = 0x01;
    memset(block + 2, 0xff, 256 - 3 - 19 - 32);
    block[256 - 19 - 32 - 1] = 0x00;
    memcpy(block + 256 - 19 - 32, prefix, 19);
    memcpy(block + 256 - 32, digest, 32);
}

/* Signs msg with the loaded TLS key through the policy session: classic
 * RSA_Decrypt of a PKCS #1 v1.5 block (the signature is RSASSA), QR
 * TPM2_Sign of the SHA-512 pre-hash (HashML-DSA-44). The session closes with
 * the command (continueSession clear). */
static int tls_sign(side *s, TPM_HANDLE key, qtpm_tss_session *ps, const uint8_t *msg,
                    size_t len, TPMT_SIGNATURE *sig)
{
    qtpm_tss_auths a = {1, {{ps, NULL}}};
    ps->attributes &= ~(TPMA_SESSION)TPMA_SESSION_CONTINUESESSION;
    memset(sig, 0, sizeof *sig);
    if (s->variant == CLASSIC) {
        uint8_t digest[32];
        TPM2B_PUBLIC_KEY_RSA block, out;
        TPMT_RSA_DECRYPT scheme;
        memset(&scheme, 0, sizeof scheme);
        scheme.scheme = TPM_ALG_NULL;
        TRY(s, "SHA-256", qtpm_hash(QTPM_HASH_SHA256, msg, len, digest));
        pkcs1_sha256_block(digest, block.buffer);
        block.size = 256;
        TRY(s, "RSA_Decrypt (TLS key)",
            qtpm_tss_RSA_Decrypt(s->t, &a, key, &block, &scheme, NULL, &out));
        sig->sigAlg = TPM_ALG_RSASSA;
        sig->signature.rsassa.hash = TPM_ALG_SHA256;
        sig->signature.rsassa.sig = out;
    } else {
        TPM2B_DIGEST digest;
        TPMT_SIG_SCHEME scheme; /* the key's own: HashML-DSA with SHA-512 */
        digest.size = 64;
        TRY(s, "SHA-512", qtpm_hash(QTPM_HASH_SHA512, msg, len, digest.buffer));
        TRY(s, "scheme", qtpm_tss_key_scheme(&s->tls_pub.publicArea, &scheme));
        TRY(s, "Sign (TLS key)", qtpm_tss_Sign(s->t, &a, key, &digest, &scheme, NULL, sig));
    }
    return QTPM_OK;
}

/* The TLS key: classic an RSA-2048 key that signs through RSA_Decrypt (sign
 * and decrypt, no scheme); QR HashML-DSA-44 with SHA-512. Usable only under
 * its PCR policy (no userWithAuth). */
static void tls_template(const side *s, const TPM2B_DIGEST *policy, TPM2B_PUBLIC *in)
{
    TPMT_PUBLIC *p = &in->publicArea;
    const TPMA_OBJECT base = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                             TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_NODA |
                             TPMA_OBJECT_SIGN_ENCRYPT;
    memset(in, 0, sizeof *in);
    if (s->variant == CLASSIC) {
        p->type = TPM_ALG_RSA;
        p->objectAttributes = base | TPMA_OBJECT_DECRYPT;
        p->parameters.rsaDetail.symmetric.algorithm = TPM_ALG_NULL;
        p->parameters.rsaDetail.scheme.scheme = TPM_ALG_NULL;
        p->parameters.rsaDetail.keyBits = 2048;
    } else {
        qtpm_tss_template_hash_mldsa(TPM_MLDSA_44, TPM_ALG_SHA512, 0, p);
        p->objectAttributes = base;
    }
    p->nameAlg = TPM_ALG_SHA256;
    p->authPolicy = *policy;
}

/* Implicit attestation set-up: a TLS key bound by PolicyPCR to the current
 * (good) configuration, certified by the AK; its CSR signed through the
 * policy. The RA server checks the certification, that the key's policy is
 * the good configuration, and the CSR signature; the NMS CA issues the TLS
 * certificate. */
static int flow_tls_key_creation(side *s)
{
    TPML_PCR_SELECTION sel = pcr_sel(s->bank, DEVICE_PCRS);
    TPM2B_DIGEST values[8], policy, composite, expect;
    TPM2B_PUBLIC in, srk;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_DATA nonce;
    TPM2B_ATTEST attest;
    TPMT_SIGNATURE cert_sig, csr_sig;
    TPM2B_NAME tls_name;
    TPM_HANDLE tls, ak;
    qtpm_tss_key signer;
    qtpm_tss_session ps;
    uint8_t csr[8192];
    size_t csr_len = 0, o = 0;

    if (pcr_read(s, &sel, values, 8) != QTPM_OK)
        return QTPM_E_VERIFY;
    TRY(s, "policy", pcr_policy(&sel, values, 8, &policy));
    tls_template(s, &policy, &in);
    memset(&sens, 0, sizeof sens);
    TRY(s, "Create (TLS key)",
        qtpm_tss_Create(s->t, NULL, SRK_HANDLE, &sens, &in, NULL, NULL, &s->tls_priv,
                        &s->tls_pub, NULL, NULL, NULL));
    s->have_tls = 1;
    if (load_under_srk(s, &s->tls_priv, &s->tls_pub, &tls, "Load (TLS key)") != QTPM_OK ||
        load_under_srk(s, &s->ak_priv, &s->ak_pub, &ak, "Load (AK)") != QTPM_OK)
        return QTPM_E_VERIFY;
    /* qualifying data: the RA server's request identifier */
    nonce.size = 32;
    TRY(s, "nonce", qtpm_random_bytes(nonce.buffer, nonce.size));
    signer.handle = ak;
    signer.pub = s->ak_pub;
    TRY(s, "Certify (TLS key by AK)",
        qtpm_tss_certify(s->t, tls, NULL, &signer, NULL, &nonce, &attest, &cert_sig));
    TRY(s, "FlushContext (AK)", qtpm_tss_FlushContext(s->t, ak));
    TRY(s, "ReadPublic (SRK)", qtpm_tss_ReadPublic(s->t, NULL, SRK_HANDLE, &srk, NULL, NULL));
    TRY(s, "StartAuthSession (salted with the SRK)",
        qtpm_tss_start_session(s->t, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, SRK_HANDLE,
                               &srk.publicArea, TPM_RH_NULL, NULL, &ps));
    TRY(s, "composite", qtpm_tss_pcr_composite(TPM_ALG_SHA256, values, 8, &composite));
    TRY(s, "PolicyPCR", qtpm_tss_PolicyPCR(s->t, NULL, &ps, &composite, &sel));
    /* the CSR: subject, TLS public key, SKAE (certification and AK signature) */
    memcpy(csr, "CN=router1.example.net", 22);
    o = 22;
    if (qtpm_TPM2B_PUBLIC_marshal(&s->tls_pub, csr, sizeof csr, &o) != TPM_RC_SUCCESS ||
        qtpm_TPM2B_ATTEST_marshal(&attest, csr, sizeof csr, &o) != TPM_RC_SUCCESS ||
        qtpm_TPMT_SIGNATURE_marshal(&cert_sig, csr, sizeof csr, &o) != TPM_RC_SUCCESS)
        return fail_msg(s, "CSR does not fit");
    csr_len = o;
    if (tls_sign(s, tls, &ps, csr, csr_len, &csr_sig) != QTPM_OK)
        return QTPM_E_VERIFY;
    TRY(s, "FlushContext (TLS key)", qtpm_tss_FlushContext(s->t, tls));

    /* RA server (verifier): the AK certified this key, the key is usable
     * only in the good configuration, and it signed the CSR */
    TRY(s, "TLS key name", qtpm_tss_public_name(&s->tls_pub.publicArea, &tls_name));
    if (qtpm_tss_certify_verify(&s->ver_ak, &attest, &cert_sig, &nonce, &tls_name, NULL) != QTPM_OK)
        return fail_msg(s, "certification of the TLS key does not verify");
    TRY(s, "policy", pcr_policy(&sel, s->golden, 8, &expect));
    if (s->tls_pub.publicArea.authPolicy.size != expect.size ||
        memcmp(s->tls_pub.publicArea.authPolicy.buffer, expect.buffer, expect.size) != 0 ||
        (s->tls_pub.publicArea.objectAttributes & TPMA_OBJECT_USERWITHAUTH))
        return fail_msg(s, "TLS key is not bound to the good configuration");
    if (qtpm_tss_verify_signature(&s->tls_pub.publicArea, csr, csr_len, &csr_sig) != QTPM_OK)
        return fail_msg(s, "CSR signature does not verify");
    /* NMS CA */
    OPENSSL_free(s->tls_cert);
    s->tls_cert = NULL;
    if ((s->tls_cert_len = issue_cert(&s->tls_pub.publicArea, "router1.example.net",
                                      &s->tls_cert)) < 0)
        return fail_msg(s, "cannot issue the TLS certificate");
    return QTPM_OK;
}

/* The NMS connects; the router proves possession of the TLS key in the
 * handshake (TLS 1.3 CertificateVerify content, RFC 8446 §4.4.3), which the
 * TPM signs only while the PCRs are good; the NMS checks the certificate and
 * the signature. */
static int flow_tls_connection(side *s)
{
    TPML_PCR_SELECTION sel = pcr_sel(s->bank, DEVICE_PCRS);
    TPM2B_PUBLIC srk;
    TPMT_SIGNATURE sig;
    TPM_HANDLE tls;
    qtpm_tss_session ps;
    uint8_t content[64 + 34 + 32];
    size_t o = 0;

    memset(content, 0x20, 64);
    o = 64;
    memcpy(content + o, "TLS 1.3, server CertificateVerify", 34); /* with its 0 byte */
    o += 34;
    TRY(s, "transcript hash", qtpm_random_bytes(content + o, 32));
    o += 32;

    TRY(s, "ReadPublic (SRK)", qtpm_tss_ReadPublic(s->t, NULL, SRK_HANDLE, &srk, NULL, NULL));
    TRY(s, "StartAuthSession (salted with the SRK)",
        qtpm_tss_start_session(s->t, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, SRK_HANDLE,
                               &srk.publicArea, TPM_RH_NULL, NULL, &ps));
    if (load_under_srk(s, &s->tls_priv, &s->tls_pub, &tls, "Load (TLS key)") != QTPM_OK)
        return QTPM_E_VERIFY;
    /* empty pcrDigest: the TPM checks against its current PCR values */
    TRY(s, "PolicyPCR", qtpm_tss_PolicyPCR(s->t, NULL, &ps, NULL, &sel));
    if (tls_sign(s, tls, &ps, content, o, &sig) != QTPM_OK)
        return QTPM_E_VERIFY;
    TRY(s, "FlushContext (TLS key)", qtpm_tss_FlushContext(s->t, tls));

    /* NMS: the certificate is the CA's and carries this key; the signature */
    if (!cert_matches(s->tls_cert, (size_t)s->tls_cert_len, &s->tls_pub.publicArea))
        return fail_msg(s, "TLS certificate does not verify");
    if (qtpm_tss_verify_signature(&s->tls_pub.publicArea, content, o, &sig) != QTPM_OK)
        return fail_msg(s, "handshake signature does not verify");
    return QTPM_OK;
}

/* Explicit attestation: the RA server's nonce, a quote of the boot PCRs by
 * the AK, and its verification against the reference values. */
static int flow_quote(side *s)
{
    TPML_PCR_SELECTION sel = pcr_sel(s->bank, DEVICE_PCRS);
    TPM2B_DATA nonce;
    TPM2B_ATTEST attest;
    TPMT_SIGNATURE sig;
    qtpm_tss_key ak;

    nonce.size = 32;
    TRY(s, "nonce", qtpm_random_bytes(nonce.buffer, nonce.size));
    if (load_under_srk(s, &s->ak_priv, &s->ak_pub, &ak.handle, "Load (AK)") != QTPM_OK)
        return QTPM_E_VERIFY;
    ak.pub = s->ak_pub;
    TRY(s, "Quote", qtpm_tss_quote(s->t, &ak, NULL, &nonce, &sel, &attest, &sig));
    TRY(s, "FlushContext (AK)", qtpm_tss_FlushContext(s->t, ak.handle));
    if (qtpm_tss_quote_verify(&s->ver_ak, &attest, &sig, &nonce, &sel, s->golden, 8, NULL) !=
        QTPM_OK)
        return fail_msg(s, "quote does not verify");
    return QTPM_OK;
}

/* ------------------------------------------------------------------------ */
/* Wallet (seed D6.3 §2.3.3, Tables 2 and 3): the seeds ran tpm2-tools, one
 * process per step (tpm2_createprimary, tpm2_pcrextend, tpm2_createpolicy,
 * tpm2_create, tpm2_load, tpm2_evictcontrol, tpm2_unseal), so objects travel
 * between steps as saved contexts. Their resource manager flushed what each
 * tool left loaded; here those flushes are explicit ("+" rows). */

static int context_load(side *s, const TPMS_CONTEXT *ctx, const TPM2B_NAME *name, TPM_HANDLE *h)
{
    TRY(s, "ContextLoad", qtpm_tss_ContextLoad(s->t, ctx, h));
    /* the name travels with the saved context, as in tpm2-tools' files */
    TRY(s, "name", qtpm_tss_set_name(s->t, *h, name));
    return QTPM_OK;
}

static int flow_scenario_init(side *s)
{
    TPML_PCR_SELECTION sel = pcr_sel(s->bank, 1U << WALLET_PCR);
    TPMT_PUBLIC tmpl;
    TPM2B_PUBLIC in, out;
    TPML_DIGEST_VALUES ext;
    TPM2B_DIGEST value, policy, expect;
    TPM_HANDLE primary;
    qtpm_tss_session trial;
    static const char fido_handle[] = "FIDO U2F key handle of the wallet user";

    /* tpm2_createprimary: the storage primary, saved to a context */
    TRY(s, "SRK template", qtpm_tss_template_srk(s->key_type, &tmpl));
    if (s->variant == CLASSIC) {
        /* a new RSA key every run (Part 1 §27.7): no TPM can cache it */
        tmpl.unique.rsa.size = 4;
        memcpy(tmpl.unique.rsa.buffer, &s->counter, 4);
        s->counter++;
    }
    memset(&in, 0, sizeof in);
    in.publicArea = tmpl;
    TRY(s, "CreatePrimary",
        qtpm_tss_CreatePrimary(s->t, NULL, TPM_RH_OWNER, NULL, &in, NULL, NULL, &primary, &out,
                               NULL, NULL, NULL, &s->primary_name));
    TRY(s, "ContextSave (primary)", qtpm_tss_ContextSave(s->t, primary, &s->primary_ctx));
    TRY(s, "FlushContext (primary)", qtpm_tss_FlushContext(s->t, primary));
    s->have_primary = 1;

    /* tpm2_pcrextend: the FIDO handle into the wallet PCR */
    memset(&ext, 0, sizeof ext);
    ext.count = 1;
    ext.digests[0].hashAlg = s->bank;
    TRY(s, "digest", qtpm_hash(hash_of(s->bank), (const uint8_t *)fido_handle,
                               sizeof fido_handle - 1, (uint8_t *)&ext.digests[0].digest));
    TRY(s, "PCR_Extend", qtpm_tss_PCR_Extend(s->t, NULL, WALLET_PCR, &ext));

    /* tpm2_createpolicy --policy-pcr: a trial session */
    TRY(s, "StartAuthSession (trial)",
        qtpm_tss_start_session(s->t, TPM_SE_TRIAL, TPM_ALG_SHA256, NULL, TPM_RH_NULL, NULL,
                               TPM_RH_NULL, NULL, &trial));
    if (pcr_read(s, &sel, &value, 1) != QTPM_OK)
        return QTPM_E_VERIFY;
    {
        TPM2B_DIGEST composite;
        TRY(s, "composite", qtpm_tss_pcr_composite(TPM_ALG_SHA256, &value, 1, &composite));
        TRY(s, "PolicyPCR (trial)", qtpm_tss_PolicyPCR(s->t, NULL, &trial, &composite, &sel));
    }
    TRY(s, "PolicyGetDigest", qtpm_tss_PolicyGetDigest(s->t, NULL, &trial, &policy));
    TRY(s, "FlushContext (trial session)", qtpm_tss_session_close(s->t, &trial));
    /* the trial session must agree with the policy arithmetic of Part 3 §23.7 */
    TRY(s, "policy", pcr_policy(&sel, &value, 1, &expect));
    if (policy.size != expect.size || memcmp(policy.buffer, expect.buffer, policy.size) != 0)
        return fail_msg(s, "trial policy digest differs from the software one");
    s->wallet_policy = policy;
    return QTPM_OK;
}

/* tpm2_create (sealed object under the primary), tpm2_load (load, save),
 * tpm2_evictcontrol (make it persistent at `persistent`). */
static int seal_token(side *s, const uint8_t *token, size_t len, TPM_HANDLE persistent)
{
    TPM2B_PUBLIC in, pub;
    TPM2B_PRIVATE priv;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_NAME name;
    TPMS_CONTEXT sealed_ctx;
    TPM_HANDLE primary, item;
    qtpm_tss_auths owner = {1, {{NULL, NULL}}};

    memset(&in, 0, sizeof in);
    in.publicArea.type = TPM_ALG_KEYEDHASH;
    in.publicArea.nameAlg = TPM_ALG_SHA256;
    in.publicArea.objectAttributes =
        TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_NODA;
    in.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_NULL;
    in.publicArea.authPolicy = s->wallet_policy;
    memset(&sens, 0, sizeof sens);
    memcpy(sens.sensitive.data.buffer, token, len);
    sens.sensitive.data.size = (UINT16)len;

    if (context_load(s, &s->primary_ctx, &s->primary_name, &primary) != QTPM_OK)
        return QTPM_E_VERIFY;
    TRY(s, "Create (sealed token)",
        qtpm_tss_Create(s->t, NULL, primary, &sens, &in, NULL, NULL, &priv, &pub, NULL, NULL,
                        NULL));
    qtpm_memzero(&sens, sizeof sens);
    TRY(s, "FlushContext (primary)", qtpm_tss_FlushContext(s->t, primary));

    if (context_load(s, &s->primary_ctx, &s->primary_name, &primary) != QTPM_OK)
        return QTPM_E_VERIFY;
    TRY(s, "Load (sealed token)", qtpm_tss_Load(s->t, NULL, primary, &priv, &pub, &item, &name));
    TRY(s, "ContextSave (sealed token)", qtpm_tss_ContextSave(s->t, item, &sealed_ctx));
    TRY(s, "FlushContext (sealed token)", qtpm_tss_FlushContext(s->t, item));
    TRY(s, "FlushContext (primary)", qtpm_tss_FlushContext(s->t, primary));

    if (context_load(s, &sealed_ctx, &name, &item) != QTPM_OK)
        return QTPM_E_VERIFY;
    TRY(s, "EvictControl (persist)",
        qtpm_tss_EvictControl(s->t, &owner, TPM_RH_OWNER, item, persistent));
    TRY(s, "FlushContext (sealed token)", qtpm_tss_FlushContext(s->t, item));
    return QTPM_OK;
}

static int flow_seal_bearer(side *s)
{
    /* the bearer token the server issued to the authenticated user */
    TRY(s, "token", qtpm_random_bytes(s->bearer, sizeof s->bearer));
    return seal_token(s, s->bearer, sizeof s->bearer, BEARER_HANDLE);
}

/* tpm2_unseal -p pcr:... (policy session, PCR_Read for the digest,
 * PolicyPCR, Unseal, flush of the session), then tpm2_evictcontrol removes
 * the persistent token. */
static int flow_unseal_bearer(side *s)
{
    TPML_PCR_SELECTION sel = pcr_sel(s->bank, 1U << WALLET_PCR);
    TPM2B_DIGEST value, composite;
    TPM2B_SENSITIVE_DATA data;
    qtpm_tss_session ps;
    qtpm_tss_auths owner = {1, {{NULL, NULL}}};

    TRY(s, "StartAuthSession (policy)",
        qtpm_tss_start_session(s->t, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, TPM_RH_NULL, NULL,
                               TPM_RH_NULL, NULL, &ps));
    if (pcr_read(s, &sel, &value, 1) != QTPM_OK)
        return QTPM_E_VERIFY;
    TRY(s, "composite", qtpm_tss_pcr_composite(TPM_ALG_SHA256, &value, 1, &composite));
    TRY(s, "PolicyPCR", qtpm_tss_PolicyPCR(s->t, NULL, &ps, &composite, &sel));
    {
        qtpm_tss_auths a = {1, {{&ps, NULL}}};
        TRY(s, "Unseal", qtpm_tss_Unseal(s->t, &a, BEARER_HANDLE, &data));
    }
    TRY(s, "FlushContext (policy session)", qtpm_tss_session_close(s->t, &ps));
    TRY(s, "EvictControl (remove)",
        qtpm_tss_EvictControl(s->t, &owner, TPM_RH_OWNER, BEARER_HANDLE, BEARER_HANDLE));
    if (data.size != sizeof s->bearer || memcmp(data.buffer, s->bearer, data.size) != 0)
        return fail_msg(s, "unsealed bearer token differs");
    qtpm_memzero(&data, sizeof data);
    return QTPM_OK;
}

static int flow_seal_financial(side *s)
{
    /* the financial token from the third-party tokenisation service */
    uint8_t token[64];
    int rc;
    TRY(s, "token", qtpm_random_bytes(token, sizeof token));
    rc = seal_token(s, token, sizeof token, FINANCIAL_HANDLE);
    qtpm_memzero(token, sizeof token);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* The flows and their command sequences, with the seeds' figures (seconds;
 * -1 where the seeds give none). Device management: Table 10, TPM 2.0 (SW)
 * and FutureTPM (SW), TSS_Execute() timings; flow totals at the application
 * in the VM. Wallet: Table 2 (HW TPM 2.0, Intel TSS) and Table 3 (SW QR TPM,
 * IBM TSS), TSS timings; flow totals at the TSS and the application. */

typedef struct {
    TPM_CC cc;
    const char *label[2]; /* classic, QR */
    int seeds;            /* listed by the seeds (0: a "+" row of ours) */
    int count;            /* commands per run (at least, if repeat) */
    int repeat;           /* as many more as the data needs (NV_Read chunks) */
    double seeds_s[2];
} step_def;

typedef struct {
    int group;
    const char *table;
    const char *name;
    int keygen; /* creates an RSA key in the classic variant */
    int (*run)(side *);
    const step_def *steps;
    size_t n_steps;
    double seeds_app_s[2], seeds_tss_s[2];
} flow_def;

#define S2(a, b) {a, b}
#define L2(a, b) {a, b}

static const step_def steps_ak[] = {
    {TPM_CC_NV_ReadPublic, L2("NV_ReadPublic (EK credential length)", "NV_ReadPublic (EK credential length)"), 1, 1, 0, S2(0.000921, 0.01377)},
    {TPM_CC_GetCapability, L2("GetCapability (NV buffer size)", "GetCapability (NV buffer size)"), 1, 1, 0, S2(0.000590, 0.013580)},
    {TPM_CC_NV_Read, L2("NV_Read (EK credential)", "NV_Read (EK credential)"), 1, 1, 1, S2(0.004778, 0.01802)},
    {TPM_CC_Create, L2("Create (AK, RSA-2048)", "Create (AK, ML-DSA-44)"), 1, 1, 0, S2(0.004779, 0.031657)},
    {TPM_CC_CreatePrimary, L2("CreatePrimary (EK, RSA-2048)", "CreatePrimary (EK, ML-KEM-768)"), 1, 1, 0, S2(0.011244, 0.020212)},
    {TPM_CC_Load, L2("Load (AK, RSA-2048)", "Load (AK, ML-DSA-44)"), 1, 1, 0, S2(0.002805, 0.030117)},
    {TPM_CC_StartAuthSession, L2("StartAuthSession (policy)", "StartAuthSession (policy)"), 1, 1, 0, S2(0.000799, 0.013721)},
    {TPM_CC_PolicySecret, L2("PolicySecret (endorsement)", "PolicySecret (endorsement)"), 1, 1, 0, S2(0.000592, 0.013733)},
    {TPM_CC_ActivateCredential, L2("ActivateCredential", "ActivateCredential"), 1, 1, 0, S2(0.002394, 0.018827)},
    {TPM_CC_FlushContext, L2("FlushContext (EK)", "FlushContext (EK)"), 1, 1, 0, S2(0.000471, 0.013273)},
    {TPM_CC_FlushContext, L2("FlushContext (AK)", "FlushContext (AK)"), 0, 1, 0, S2(-1, -1)},
};

static const step_def steps_tls_key[] = {
    {TPM_CC_PCR_Read, L2("PCR_Read (SHA-1, PCRs 0-7)", "PCR_Read (SHA-256, PCRs 0-7)"), 1, 1, 0, S2(0.000789, 0.013633)},
    {TPM_CC_Create, L2("Create (TLS key, RSA-2048)", "Create (TLS key, HashML-DSA-44)"), 1, 1, 0, S2(0.004865, 0.032031)},
    {TPM_CC_Load, L2("Load (TLS key, RSA-2048)", "Load (TLS key, HashML-DSA-44)"), 1, 1, 0, S2(0.002942, 0.030333)},
    {TPM_CC_Load, L2("Load (AK, RSA-2048)", "Load (AK, ML-DSA-44)"), 1, 1, 0, S2(0.002779, 0.030129)},
    {TPM_CC_Certify, L2("Certify (TLS key by AK)", "Certify (TLS key by AK)"), 1, 1, 0, S2(0.002279, 0.023121)},
    {TPM_CC_FlushContext, L2("FlushContext (AK)", "FlushContext (AK)"), 1, 1, 0, S2(0.000492, 0.013544)},
    {TPM_CC_ReadPublic, L2("ReadPublic (SRK, RSA-2048)", "ReadPublic (SRK, ML-KEM-768)"), 1, 1, 0, S2(0.002016, 0.018828)},
    {TPM_CC_StartAuthSession, L2("StartAuthSession (SRK used as salt key)", "StartAuthSession (SRK used as salt key)"), 1, 1, 0, S2(0.001963, 0.018708)},
    {TPM_CC_PolicyPCR, L2("PolicyPCR (SHA-1)", "PolicyPCR (SHA-256)"), 1, 1, 0, S2(0.000601, 0.013880)},
    {0, L2("RSA_Decrypt (CSR signature)", "Sign (CSR signature)"), 1, 1, 0, S2(0.003242, 0.022728)},
    {TPM_CC_FlushContext, L2("FlushContext (TLS key)", "FlushContext (TLS key)"), 0, 1, 0, S2(-1, -1)},
};

static const step_def steps_tls_conn[] = {
    {TPM_CC_ReadPublic, L2("ReadPublic (SRK, RSA-2048)", "ReadPublic (SRK, ML-KEM-768)"), 1, 1, 0, S2(0.002401, 0.018779)},
    {TPM_CC_StartAuthSession, L2("StartAuthSession (SRK used as salt key)", "StartAuthSession (SRK used as salt key)"), 1, 1, 0, S2(0.002068, 0.018585)},
    {TPM_CC_Load, L2("Load (TLS key, RSA-2048)", "Load (TLS key, HashML-DSA-44)"), 1, 1, 0, S2(0.003677, 0.030866)},
    {TPM_CC_PolicyPCR, L2("PolicyPCR (SHA-1)", "PolicyPCR (SHA-256)"), 1, 1, 0, S2(0.000623, 0.013606)},
    {0, L2("RSA_Decrypt (handshake signature)", "Sign (handshake signature)"), 1, 1, 0, S2(0.003241, 0.022806)},
    {TPM_CC_FlushContext, L2("FlushContext (TLS key)", "FlushContext (TLS key)"), 1, 1, 0, S2(0.000492, 0.013335)},
};

static const step_def steps_quote[] = {
    {TPM_CC_Load, L2("Load (AK, RSA-2048)", "Load (AK, ML-DSA-44)"), 1, 1, 0, S2(0.003126, 0.029669)},
    {TPM_CC_Quote, L2("Quote (SHA-1, PCRs 0-7)", "Quote (SHA-256, PCRs 0-7)"), 1, 1, 0, S2(0.002785, 0.022542)},
    {TPM_CC_FlushContext, L2("FlushContext (AK)", "FlushContext (AK)"), 1, 1, 0, S2(0.000531, 0.013034)},
};

static const step_def steps_init[] = {
    {TPM_CC_CreatePrimary, L2("CreatePrimary (RSA-2048 storage)", "CreatePrimary (ML-KEM-768 storage)"), 1, 1, 0, S2(0.000132, 0.0102342)},
    {TPM_CC_ContextSave, L2("ContextSave (primary)", "ContextSave (primary)"), 1, 1, 0, S2(0.000137747, 0.0105845)},
    {TPM_CC_FlushContext, L2("FlushContext (primary)", "FlushContext (primary)"), 0, 1, 0, S2(-1, -1)},
    {TPM_CC_PCR_Extend, L2("PCR_Extend (SHA-1, PCR 23)", "PCR_Extend (SHA-256, PCR 23)"), 1, 1, 0, S2(0.0000935, 0.0101156)},
    {TPM_CC_StartAuthSession, L2("StartAuthSession (trial)", "StartAuthSession (trial)"), 1, 1, 0, S2(0.0000977, 0.0101682)},
    {TPM_CC_PCR_Read, L2("PCR_Read (SHA-1, PCR 23)", "PCR_Read (SHA-256, PCR 23)"), 1, 1, 0, S2(0.00010853, 0.010166)},
    {TPM_CC_PolicyPCR, L2("PolicyPCR", "PolicyPCR"), 1, 1, 0, S2(0.0001201, 0.0101389)},
    {TPM_CC_PolicyGetDigest, L2("PolicyGetDigest", "PolicyGetDigest"), 1, 1, 0, S2(0.00012166, 0.0101548)},
    {TPM_CC_FlushContext, L2("FlushContext (trial session)", "FlushContext (trial session)"), 0, 1, 0, S2(-1, -1)},
};

static const step_def steps_seal_bearer[] = {
    {TPM_CC_ContextLoad, L2("ContextLoad (primary)", "ContextLoad (primary)"), 1, 1, 0, S2(0.00011864, 0.010632)},
    {TPM_CC_Create, L2("Create (sealed bearer token)", "Create (sealed bearer token)"), 1, 1, 0, S2(0.000113, 0.0103062)},
    {TPM_CC_FlushContext, L2("FlushContext (primary)", "FlushContext (primary)"), 0, 1, 0, S2(-1, -1)},
    {TPM_CC_ContextLoad, L2("ContextLoad (primary)", "ContextLoad (primary)"), 1, 1, 0, S2(0.000125107, 0.010628)},
    {TPM_CC_Load, L2("Load (sealed token)", "Load (sealed token)"), 1, 1, 0, S2(0.00012154, 0.0102251)},
    {TPM_CC_ContextSave, L2("ContextSave (sealed token)", "ContextSave (sealed token)"), 1, 1, 0, S2(0.0001346, 0.0105145)},
    {TPM_CC_FlushContext, L2("FlushContext (sealed token, primary)", "FlushContext (sealed token, primary)"), 0, 2, 0, S2(-1, -1)},
    {TPM_CC_ContextLoad, L2("ContextLoad (sealed token)", "ContextLoad (sealed token)"), 1, 1, 0, S2(0.000120847, 0.0106861)},
    {TPM_CC_EvictControl, L2("EvictControl (persist)", "EvictControl (persist)"), 1, 1, 0, S2(0.00012753, 0.0102773)},
    {TPM_CC_FlushContext, L2("FlushContext (sealed token)", "FlushContext (sealed token)"), 0, 1, 0, S2(-1, -1)},
};

static const step_def steps_unseal[] = {
    {TPM_CC_StartAuthSession, L2("StartAuthSession (policy)", "StartAuthSession (policy)"), 1, 1, 0, S2(0.00011721, 0.0102885)},
    {TPM_CC_PCR_Read, L2("PCR_Read (SHA-1, PCR 23)", "PCR_Read (SHA-256, PCR 23)"), 1, 1, 0, S2(0.00010834, 0.0101359)},
    {TPM_CC_PolicyPCR, L2("PolicyPCR", "PolicyPCR"), 1, 1, 0, S2(0.00012113, 0.0102411)},
    {TPM_CC_Unseal, L2("Unseal", "Unseal"), 1, 1, 0, S2(0.00012099, 0.0101065)},
    {TPM_CC_FlushContext, L2("FlushContext (policy session)", "FlushContext (policy session)"), 1, 1, 0, S2(0.00011853, 0.0101262)},
    {TPM_CC_EvictControl, L2("EvictControl (remove)", "EvictControl (remove)"), 1, 1, 0, S2(0.00013686, 0.0101755)},
};

static const step_def steps_seal_financial[] = {
    {TPM_CC_ContextLoad, L2("ContextLoad (primary)", "ContextLoad (primary)"), 1, 1, 0, S2(0.000127333, 0.0105624)},
    {TPM_CC_Create, L2("Create (sealed financial token)", "Create (sealed financial token)"), 1, 1, 0, S2(0.00011825, 0.0101690)},
    {TPM_CC_FlushContext, L2("FlushContext (primary)", "FlushContext (primary)"), 0, 1, 0, S2(-1, -1)},
    {TPM_CC_ContextLoad, L2("ContextLoad (primary)", "ContextLoad (primary)"), 1, 1, 0, S2(0.000132587, 0.0105212)},
    {TPM_CC_Load, L2("Load (sealed token)", "Load (sealed token)"), 1, 1, 0, S2(0.00011963, 0.0101926)},
    {TPM_CC_ContextSave, L2("ContextSave (sealed token)", "ContextSave (sealed token)"), 1, 1, 0, S2(0.000138973, 0.0105149)},
    {TPM_CC_FlushContext, L2("FlushContext (sealed token, primary)", "FlushContext (sealed token, primary)"), 0, 2, 0, S2(-1, -1)},
    {TPM_CC_ContextLoad, L2("ContextLoad (sealed token)", "ContextLoad (sealed token)"), 1, 1, 0, S2(0.00011724, 0.0105534)},
    {TPM_CC_EvictControl, L2("EvictControl (persist)", "EvictControl (persist)"), 1, 1, 0, S2(0.00012916, 0.0102271)},
    {TPM_CC_FlushContext, L2("FlushContext (sealed token)", "FlushContext (sealed token)"), 0, 1, 0, S2(-1, -1)},
};

#define STEPS(a) a, sizeof a / sizeof a[0]

static const flow_def flows[] = {
    {GROUP_DEVICE, "Table 10", "AK Creation", 1, flow_ak_creation, STEPS(steps_ak), S2(0.300, 0.834), S2(-1, -1)},
    {GROUP_DEVICE, "Table 10", "TLS Key Creation", 1, flow_tls_key_creation, STEPS(steps_tls_key), S2(0.194, 0.655), S2(-1, -1)},
    {GROUP_DEVICE, "Table 10", "TLS Connection", 0, flow_tls_connection, STEPS(steps_tls_conn), S2(0.073, 0.331), S2(-1, -1)},
    {GROUP_DEVICE, "Table 10", "Quote", 0, flow_quote, STEPS(steps_quote), S2(0.066, 0.381), S2(-1, -1)},
    {GROUP_WALLET, "Tables 2/3", "Scenario Initialisation", 1, flow_scenario_init, STEPS(steps_init), S2(4.43236927, 0.986897155), S2(0.000811237, 0.0715622)},
    {GROUP_WALLET, "Tables 2/3", "Seal Bearer Token", 0, flow_seal_bearer, STEPS(steps_seal_bearer), S2(0.30136801, 1.027213278), S2(0.000861264, 0.0732692)},
    {GROUP_WALLET, "Tables 2/3", "Unseal Bearer Token", 0, flow_unseal_bearer, STEPS(steps_unseal), S2(0.1307273, 0.733673946), S2(0.00072306, 0.0610737)},
    {GROUP_WALLET, "Tables 2/3", "Seal Financial Token", 0, flow_seal_financial, STEPS(steps_seal_financial), S2(0.30647682, 1.147778298), S2(0.000883173, 0.0727406)},
};
#define N_FLOWS (sizeof flows / sizeof flows[0])

/* The command a step expects on a side (the TLS signature differs). */
static TPM_CC step_cc(const step_def *st, int variant)
{
    if (st->cc)
        return st->cc;
    return variant == CLASSIC ? TPM_CC_RSA_Decrypt : TPM_CC_Sign;
}

/* ------------------------------------------------------------------------ */
/* Measurements. */

typedef struct {
    double *v;
    int n;
} series;

typedef struct {
    series app, tss;
    series step[16];     /* per run: the step's time (sum over its commands) */
    series step_cmd[16]; /* per run: the step's time per command */
    int step_count[16];  /* commands of the step in the last run */
    char error[400];
    double app_med, app_p90, app_min, tss_med;
    double step_med[16], step_cmd_med[16];
} cell;

static int series_alloc(series *s, int cap)
{
    s->n = 0;
    s->v = calloc((size_t)(cap > 0 ? cap : 1), sizeof(double));
    return s->v ? 0 : -1;
}

static double median_of(series *s)
{
    return bench_median(s->v, s->n);
}

/* Matches the TSS records of one flow run to the step table: each step must
 * be exactly `count` commands of its code (a repeating step: one or more),
 * in order, and nothing else. An answer TPM_RC_RETRY / YIELDED / TESTING
 * makes libqtss send the command again; the attempts count as one command
 * whose time is their sum. counts[i] gets the commands of step i. */
static int is_retry(TPM_RC rc)
{
    return rc == TPM_RC_RETRY || rc == TPM_RC_YIELDED || rc == TPM_RC_TESTING;
}

static int match_steps(side *s, const flow_def *f, double *step_us, int *counts, double *tss_us)
{
    size_t n = qtpm_tss_timing_count(s->t), k = 0;
    const qtpm_tss_timing_record *r = qtpm_tss_timing_records(s->t);
    *tss_us = 0;
    if (qtpm_tss_timing_dropped(s->t))
        return fail_msg(s, "more than %d commands", MAX_RECORDS);
    for (size_t i = 0; i < f->n_steps; i++) {
        const step_def *st = &f->steps[i];
        TPM_CC cc = step_cc(st, s->variant);
        step_us[i] = 0;
        counts[i] = 0;
        for (;;) {
            double us = 0;
            if (counts[i] >= st->count && !(st->repeat && k < n && r[k].cc == cc))
                break;
            if (k >= n || r[k].cc != cc)
                return fail_msg(s, "command %zu is %s, the seeds' sequence has %s here", k + 1,
                                k < n ? qtpm_tss_cc_name(r[k].cc) : "missing",
                                qtpm_tss_cc_name(cc));
            while (k + 1 < n && is_retry(r[k].rc) && r[k + 1].cc == cc) {
                us += (double)r[k].usec;
                s->retries++;
                k++;
            }
            us += (double)r[k].usec;
            k++;
            step_us[i] += us;
            *tss_us += us;
            counts[i]++;
        }
    }
    if (k != n)
        return fail_msg(s, "extra command %s after the seeds' sequence", qtpm_tss_cc_name(r[k].cc));
    return QTPM_OK;
}

/* ------------------------------------------------------------------------ */
/* TPM state outside the flows (not timed). */

/* After a failure: flush every transient object and loaded session, drop
 * the wallet's persistent tokens, so the other group can still run. */
static void cleanup_tpm(side *s)
{
    static const TPM_HANDLE firsts[3] = {TRANSIENT_FIRST, HMAC_SESSION_FIRST, POLICY_SESSION_FIRST};
    qtpm_tss_auths owner = {1, {{NULL, NULL}}};
    for (int i = 0; i < 3; i++) {
        TPMI_YES_NO more;
        TPMS_CAPABILITY_DATA cap;
        if (qtpm_tss_GetCapability(s->t, TPM_CAP_HANDLES, firsts[i], 64, &more, &cap) != QTPM_OK)
            continue;
        for (UINT32 j = 0; j < cap.data.handles.count; j++)
            if ((cap.data.handles.handle[j] >> HR_SHIFT) == (firsts[i] >> HR_SHIFT))
                qtpm_tss_FlushContext(s->t, cap.data.handles.handle[j]);
    }
    qtpm_tss_EvictControl(s->t, &owner, TPM_RH_OWNER, BEARER_HANDLE, BEARER_HANDLE);
    qtpm_tss_EvictControl(s->t, &owner, TPM_RH_OWNER, FINANCIAL_HANDLE, FINANCIAL_HANDLE);
}

/* Manufacturing and boot of the router: the persistent SRK, the EK
 * certificate in NV (made by the bench CA, as a vendor would), and boot
 * measurements in PCRs 0-7, whose values become the verifier's reference. */
static int provision(side *s)
{
    qtpm_tss_key srk, ek;
    TPM2B_NV_PUBLIC nvp;
    TPML_PCR_SELECTION sel = pcr_sel(s->bank, DEVICE_PCRS);
    qtpm_tss_auths owner = {1, {{NULL, NULL}}};
    uint8_t *der = NULL;
    int len, rc;

    rc = qtpm_tss_Startup(s->t, TPM_SU_CLEAR);
    if (rc != QTPM_OK && rc != (int)TPM_RC_INITIALIZE)
        return fail(s, "Startup", rc);
    TRY(s, "CreatePrimary (SRK)", qtpm_tss_create_srk(s->t, s->key_type, NULL, &srk));
    TRY(s, "EvictControl (SRK)", qtpm_tss_EvictControl(s->t, &owner, TPM_RH_OWNER, srk.handle, SRK_HANDLE));
    TRY(s, "FlushContext (SRK)", qtpm_tss_FlushContext(s->t, srk.handle));
    s->srk_pub = srk.pub;

    TRY(s, "CreatePrimary (EK)", qtpm_tss_create_ek(s->t, s->key_type, NULL, &ek));
    TRY(s, "FlushContext (EK)", qtpm_tss_FlushContext(s->t, ek.handle));
    if ((len = issue_cert(&ek.pub.publicArea, "qtpm-bench-flows EK", &der)) < 0 ||
        len > MAX_NV_INDEX_SIZE) {
        OPENSSL_free(der);
        return fail_msg(s, "cannot make the EK certificate");
    }
    memset(&nvp, 0, sizeof nvp);
    nvp.nvPublic.nvIndex = s->ek_cert_index;
    nvp.nvPublic.nameAlg = TPM_ALG_SHA256;
    nvp.nvPublic.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_AUTHWRITE | TPMA_NV_OWNERREAD |
                              TPMA_NV_AUTHREAD | TPMA_NV_NO_DA;
    nvp.nvPublic.dataSize = (UINT16)len;
    rc = qtpm_tss_NV_DefineSpace(s->t, &owner, TPM_RH_OWNER, NULL, &nvp);
    for (int off = 0; rc == QTPM_OK && off < len; off += 1024) {
        TPM2B_MAX_NV_BUFFER chunk;
        chunk.size = (UINT16)(len - off < 1024 ? len - off : 1024);
        memcpy(chunk.buffer, der + off, chunk.size);
        rc = qtpm_tss_NV_Write(s->t, &owner, TPM_RH_OWNER, s->ek_cert_index, &chunk, (UINT16)off);
    }
    OPENSSL_free(der);
    if (rc != QTPM_OK)
        return fail(s, "EK certificate into NV", rc);

    for (int pcr = 0; pcr < 8; pcr++) {
        TPML_DIGEST_VALUES ext;
        char what[48];
        memset(&ext, 0, sizeof ext);
        ext.count = 1;
        ext.digests[0].hashAlg = s->bank;
        snprintf(what, sizeof what, "boot component %d", pcr);
        TRY(s, "digest", qtpm_hash(hash_of(s->bank), (const uint8_t *)what, strlen(what),
                                   (uint8_t *)&ext.digests[0].digest));
        TRY(s, "PCR_Extend (boot)", qtpm_tss_PCR_Extend(s->t, NULL, (TPMI_DH_PCR)pcr, &ext));
    }
    if (pcr_read(s, &sel, s->golden, 8) != QTPM_OK)
        return QTPM_E_VERIFY;
    if (s->golden[0].size != hash_len(s->bank))
        return fail_msg(s, "PCR bank has the wrong digest size");
    return QTPM_OK;
}

/* ------------------------------------------------------------------------ */
/* Connecting to the TPM processes (tpmproc.c starts and stops them). */

static int tpm_connect(side *s)
{
    char conf[64];
    int rc;
    snprintf(conf, sizeof conf, "swtpm:host=127.0.0.1,port=%d", s->proc.port);
    if ((rc = qtpm_tss_new(conf, &s->t)) != QTPM_OK) {
        snprintf(s->proc.error, sizeof s->proc.error, "libqtss %s: %s", conf,
                 qtpm_tss_strerror(rc));
        s->t = NULL;
        return -1;
    }
    if ((rc = qtpm_tss_timing_enable(s->t, MAX_RECORDS)) != QTPM_OK) {
        snprintf(s->proc.error, sizeof s->proc.error, "timing: %s", qtpm_tss_strerror(rc));
        return -1;
    }
    return 0;
}

static void tpm_stop(side *s)
{
    if (s->t)
        qtpm_tss_free(s->t);
    s->t = NULL;
    tpmproc_stop(&s->proc);
}

/* A TPM process that died: say so (in proc.error) and stop using it. */
static int tpm_gone(side *s)
{
    int status;
    return s->proc.pid > 0 && tpmproc_exited(&s->proc, &status);
}

/* ------------------------------------------------------------------------ */
/* Output. */

static void fmt_us(char *buf, size_t size, double us)
{
    if (us < 0)
        snprintf(buf, size, "-");
    else if (us >= 100)
        snprintf(buf, size, "%.0f", us);
    else
        snprintf(buf, size, "%.1f", us);
}

static void fmt_ratio(char *buf, size_t size, double a, double b)
{
    if (a < 0 || b <= 0)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.2f", a / b);
}

static double round1(double us)
{
    return (double)(long long)(us * 10 + 0.5) / 10;
}

/* One Markdown table row: label, runs, three sides, two ratios, seeds. */
typedef struct {
    char col[9][128];
} row;

static void row_cells(row *r, const char *label, int runs, const double v[N_SIDES],
                      const char *const err[N_SIDES], const double seeds[2])
{
    snprintf(r->col[0], sizeof r->col[0], "%.127s", label);
    if (runs >= 0)
        snprintf(r->col[1], sizeof r->col[1], "%d", runs);
    else
        r->col[1][0] = '\0';
    for (int k = 0; k < N_SIDES; k++) {
        if (err[k] && err[k][0])
            snprintf(r->col[2 + k], sizeof r->col[2 + k], "failed");
        else
            fmt_us(r->col[2 + k], sizeof r->col[2 + k], v[k]);
    }
    fmt_ratio(r->col[5], sizeof r->col[5], v[SIDE_QR_QTPM], v[SIDE_CLASSIC_SWTPM]);
    fmt_ratio(r->col[6], sizeof r->col[6], v[SIDE_CLASSIC_QTPM], v[SIDE_CLASSIC_SWTPM]);
    fmt_us(r->col[7], sizeof r->col[7], seeds[0] < 0 ? -1 : seeds[0] * 1e6);
    fmt_us(r->col[8], sizeof r->col[8], seeds[1] < 0 ? -1 : seeds[1] * 1e6);
}

/* Display width of UTF-8 text (µ, Σ and × are one column each). */
static int text_width(const char *t)
{
    int w = 0;
    for (; *t; t++)
        w += ((unsigned char)*t & 0xC0) != 0x80;
    return w;
}

static void pad(FILE *f, const char *t, int w, int right)
{
    int n = w - text_width(t);
    if (right)
        while (n-- > 0)
            fputc(' ', f);
    fputs(t, f);
    if (!right)
        while (n-- > 0)
            fputc(' ', f);
}

static void print_rows(FILE *f, row *rows, int n)
{
    static const char *const head[9] = {
        "flow / TPM command", "runs", "classic-swtpm", "classic-qtpm", "QR-qtpm",
        "QR-qtpm / classic-swtpm", "classic-qtpm / classic-swtpm", "seeds TPM 2.0",
        "seeds FutureTPM"};
    int w[9];
    for (int c = 0; c < 9; c++) {
        w[c] = text_width(head[c]);
        for (int i = 0; i < n; i++)
            if (text_width(rows[i].col[c]) > w[c])
                w[c] = text_width(rows[i].col[c]);
    }
    fputc('|', f);
    for (int c = 0; c < 9; c++) {
        fputc(' ', f);
        pad(f, head[c], w[c], 0);
        fputs(" |", f);
    }
    fputs("\n|", f);
    for (int c = 0; c < 9; c++) {
        fputc(c == 0 ? '-' : ':', f);
        for (int d = 0; d < w[c]; d++)
            fputc('-', f);
        fputs(c == 0 ? "-|" : ":|", f);
    }
    fputc('\n', f);
    for (int i = 0; i < n; i++) {
        fputc('|', f);
        for (int c = 0; c < 9; c++) {
            fputc(' ', f);
            pad(f, rows[i].col[c], w[c], c != 0);
            fputs(" |", f);
        }
        fputc('\n', f);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: qtpm-bench-flows [--runs N] [--keygen-runs N] [--json FILE] [--md FILE]\n"
            "                        [--swtpm PATH] [--qtpm PATH]\n"
            "  --runs N         timed runs of every flow (default %d)\n"
            "  --keygen-runs N  timed runs of the flows that create RSA keys in the\n"
            "                   classic variant (default: --runs)\n"
            "  --json FILE      write the results as JSON\n"
            "  --md FILE        write the table and the goals as Markdown\n"
            "  --swtpm PATH     swtpm binary (default: swtpm from PATH)\n"
            "  --qtpm PATH      qtpm-server (default: ../src/server/qtpm-server next to\n"
            "                   this program)\n",
            DEFAULT_RUNS);
}

static int parse_count(const char *str, int *out)
{
    char *end;
    long v = strtol(str, &end, 10);
    if (*end != '\0' || v < 1 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

/* ------------------------------------------------------------------------ */

static int flow_runs(const flow_def *f, int runs, int keygen_runs)
{
    return f->keygen && keygen_runs < runs ? keygen_runs : runs;
}

/* Runs one flow once on one side; r < 0 is a warm-up run (not recorded). */
static void run_flow(side *s, size_t fi, int r, cell *c)
{
    const flow_def *f = &flows[fi];
    double step_us[16], tss_us, t0, t1;
    int counts[16], rc;

    qtpm_tss_timing_clear(s->t);
    s->error[0] = '\0';
    t0 = bench_now_us();
    rc = f->run(s);
    t1 = bench_now_us();
    if (rc == QTPM_OK)
        rc = match_steps(s, f, step_us, counts, &tss_us);
    if (rc != QTPM_OK) {
        if (tpm_gone(s))
            snprintf(c->error, sizeof c->error, "%.300s (%.90s)", s->error, s->proc.error);
        else
            snprintf(c->error, sizeof c->error, "%s", s->error);
        s->group_failed[f->group] = 1;
        if (s->t && s->proc.pid > 0)
            cleanup_tpm(s);
        return;
    }
    if (r < 0)
        return;
    c->app.v[c->app.n++] = t1 - t0;
    c->tss.v[c->tss.n++] = tss_us;
    for (size_t i = 0; i < f->n_steps; i++) {
        c->step[i].v[c->step[i].n++] = step_us[i];
        c->step_cmd[i].v[c->step_cmd[i].n++] = step_us[i] / counts[i];
        c->step_count[i] = counts[i];
    }
}

/* Untimed preparation of a wallet run: PCR 23 back to zero, so that every
 * run seals to the same state; untimed clean-up: the financial token. */
static void wallet_before(side *s)
{
    qtpm_tss_PCR_Reset(s->t, NULL, WALLET_PCR);
}

static void wallet_after(side *s)
{
    qtpm_tss_auths owner = {1, {{NULL, NULL}}};
    qtpm_tss_EvictControl(s->t, &owner, TPM_RH_OWNER, FINANCIAL_HANDLE, FINANCIAL_HANDLE);
}

int main(int argc, char **argv)
{
    int runs = DEFAULT_RUNS, keygen_runs = -1, ret = 0, started = 0, any_failed = 0;
    const char *json_path = NULL, *md_path = NULL, *swtpm_arg = NULL, *qtpm_arg = NULL;
    char swtpm_bin[PATH_MAX] = "", qtpm_bin[PATH_MAX] = "", load_before[128], load_after[128];
    char date[32];
    side *sides = calloc(N_SIDES, sizeof *sides);
    static cell cells[N_FLOWS][N_SIDES];
    time_t now;
    double t_start;

    if (!sides) {
        fprintf(stderr, "qtpm-bench-flows: out of memory\n");
        return 1;
    }
    for (int a = 1; a < argc; a++) {
        int more = a + 1 < argc;
        if (strcmp(argv[a], "--runs") == 0 && more) {
            if (parse_count(argv[++a], &runs) != 0)
                goto bad_usage;
        } else if (strcmp(argv[a], "--keygen-runs") == 0 && more) {
            if (parse_count(argv[++a], &keygen_runs) != 0)
                goto bad_usage;
        } else if (strcmp(argv[a], "--json") == 0 && more) {
            json_path = argv[++a];
        } else if (strcmp(argv[a], "--md") == 0 && more) {
            md_path = argv[++a];
        } else if (strcmp(argv[a], "--swtpm") == 0 && more) {
            swtpm_arg = argv[++a];
        } else if (strcmp(argv[a], "--qtpm") == 0 && more) {
            qtpm_arg = argv[++a];
        } else if (strcmp(argv[a], "-h") == 0 || strcmp(argv[a], "--help") == 0) {
            usage(stdout);
            free(sides);
            return 0;
        } else {
            goto bad_usage;
        }
    }
    if (keygen_runs < 0 || keygen_runs > runs)
        keygen_runs = runs;
    signal(SIGPIPE, SIG_IGN);

    /* the bench CA */
    if (!(ca_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"))) {
        fprintf(stderr, "qtpm-bench-flows: cannot make the CA key\n");
        free(sides);
        return 1;
    }

    if (swtpm_arg)
        snprintf(swtpm_bin, sizeof swtpm_bin, "%s", swtpm_arg);
    else
        bench_find_in_path("swtpm", swtpm_bin, sizeof swtpm_bin);
    if (qtpm_arg)
        snprintf(qtpm_bin, sizeof qtpm_bin, "%s", qtpm_arg);
    else
        bench_default_qtpm_path(qtpm_bin, sizeof qtpm_bin);

    for (int k = 0; k < N_SIDES; k++) {
        side *s = &sides[k];
        s->proc.program = "qtpm-bench-flows";
        s->proc.name = k == SIDE_CLASSIC_SWTPM ? "classic-swtpm"
                  : k == SIDE_CLASSIC_QTPM ? "classic-qtpm"
                                           : "QR-qtpm";
        s->variant = k == SIDE_QR_QTPM ? QR : CLASSIC;
        s->proc.kind = k == SIDE_CLASSIC_SWTPM ? TPMPROC_SWTPM : TPMPROC_QTPM;
        snprintf(s->proc.binary, sizeof s->proc.binary, "%s",
                 s->proc.kind == TPMPROC_QTPM ? qtpm_bin : swtpm_bin);
        s->key_type = s->variant == CLASSIC ? TPM_ALG_RSA : TPM_ALG_MLKEM;
        s->ak_type = s->variant == CLASSIC ? TPM_ALG_RSA : TPM_ALG_MLDSA;
        s->bank = s->variant == CLASSIC ? TPM_ALG_SHA1 : TPM_ALG_SHA256;
        /* 0x01C00002 (EK Credential Profile) and qtpm's ML-KEM-768 index
         * (docs/PQC.md "Manufacture") */
        s->ek_cert_index = qtpm_tss_ek_cert_index(s->key_type);
        if (!s->proc.binary[0] || access(s->proc.binary, X_OK) != 0)
            snprintf(s->proc.error, sizeof s->proc.error, "%s not found%s%s",
                     s->proc.kind == TPMPROC_QTPM ? "qtpm-server" : "swtpm",
                     s->proc.binary[0] ? ": " : "", s->proc.binary);
        else
            tpmproc_read_version(&s->proc);
        for (size_t f = 0; f < N_FLOWS; f++) {
            int n = flow_runs(&flows[f], runs, keygen_runs);
            cell *c = &cells[f][k];
            if (series_alloc(&c->app, n) || series_alloc(&c->tss, n))
                goto oom;
            for (size_t i = 0; i < flows[f].n_steps; i++)
                if (series_alloc(&c->step[i], n) || series_alloc(&c->step_cmd[i], n))
                    goto oom;
        }
    }
    for (int k = 0; k < N_SIDES; k++) {
        side *s = &sides[k];
        if (s->proc.error[0]) {
            printf("%s: not run: %s\n", s->proc.name, s->proc.error);
            continue;
        }
        if (tpmproc_start(&s->proc, k, k > 0 ? sides[0].proc.port : -1,
                          k > 1 ? sides[1].proc.port : -1) != 0 ||
            tpm_connect(s) != 0) {
            printf("%s: could not be started: %s\n", s->proc.name, s->proc.error);
            tpm_stop(s);
            continue;
        }
        if (provision(s) != QTPM_OK) {
            snprintf(s->proc.error, sizeof s->proc.error, "provisioning: %.480s", s->error);
            printf("%s: %s\n", s->proc.name, s->proc.error);
            tpm_stop(s);
            continue;
        }
        printf("%s: %s on 127.0.0.1:%d%s%s\n", s->proc.name, s->proc.binary, s->proc.port,
               s->proc.version[0] ? " — " : "", s->proc.version);
        started++;
    }
    if (started == 0) {
        fprintf(stderr, "qtpm-bench-flows: no TPM could be started\n");
        ret = 1;
        goto out;
    }
    printf("client: libqtss, swtpm socket protocol over TCP; %d runs per flow, %d for the flows "
           "that create RSA keys, 1 warm-up run\n\n",
           runs, keygen_runs);

    bench_read_loadavg(load_before, sizeof load_before);
    now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
    t_start = bench_now_us();

    /* Each group's flows run in order within a run (AK Creation before TLS
     * Key Creation before TLS Connection and Quote; the wallet scenario in
     * its order); the sides take turns run by run, rotating who goes first. */
    for (int g = 0; g < N_GROUPS; g++) {
        for (int r = -1; r < runs; r++) {
            for (int k = 0; k < N_SIDES; k++) {
                int who = (r + 1 + k) % N_SIDES;
                side *s = &sides[who];
                if (!s->t || s->proc.pid <= 0 || s->group_failed[g])
                    continue;
                if (g == GROUP_WALLET)
                    wallet_before(s);
                for (size_t f = 0; f < N_FLOWS; f++) {
                    if (flows[f].group != g || s->group_failed[g])
                        continue;
                    /* flows that make RSA keys may run fewer times; the
                     * later flows then use the last keys made */
                    if (r >= flow_runs(&flows[f], runs, keygen_runs))
                        continue;
                    run_flow(s, f, r, &cells[f][who]);
                }
                if (g == GROUP_WALLET && !s->group_failed[g])
                    wallet_after(s);
            }
            if (isatty(STDERR_FILENO) && (r + 1) % 10 == 0)
                fprintf(stderr, "  %s: %d/%d runs (%.0f s)\n",
                        g == GROUP_DEVICE ? "device management" : "wallet", r + 1, runs,
                        (bench_now_us() - t_start) / 1e6);
        }
    }
    bench_read_loadavg(load_after, sizeof load_after);

    /* statistics */
    for (size_t f = 0; f < N_FLOWS; f++)
        for (int k = 0; k < N_SIDES; k++) {
            cell *c = &cells[f][k];
            if (!c->error[0] && sides[k].proc.error[0] && c->app.n == 0)
                snprintf(c->error, sizeof c->error, "not run: %s", sides[k].proc.error);
            if (c->error[0])
                any_failed = 1;
            c->app_med = median_of(&c->app);
            c->app_p90 = c->app.n ? c->app.v[(9 * c->app.n + 9) / 10 - 1] : -1;
            c->app_min = c->app.n ? c->app.v[0] : -1;
            c->tss_med = median_of(&c->tss);
            for (size_t i = 0; i < flows[f].n_steps; i++) {
                c->step_med[i] = median_of(&c->step[i]);
                c->step_cmd_med[i] = median_of(&c->step_cmd[i]);
            }
        }

    {
        /* the table */
        row *rows = calloc(N_FLOWS * 20, sizeof *rows);
        int nrows = 0, goal1_ok = 1, goal2_ok = 1, goal1_known = 1;
        char misses[2048] = "", goal1[2048] = "";
        json_t *jflows = json_array();
        FILE *md = NULL;
        if (!rows || !jflows)
            goto oom;
        for (size_t f = 0; f < N_FLOWS; f++) {
            const flow_def *fl = &flows[f];
            double v[N_SIDES];
            const char *err[N_SIDES];
            char label[128];
            int n = flow_runs(fl, runs, keygen_runs);
            json_t *jf, *jsteps = json_array(), *japp = json_object(), *jtss = json_object();
            for (int k = 0; k < N_SIDES; k++) {
                cell *c = &cells[f][k];
                v[k] = c->app_med;
                err[k] = c->error;
                if (c->error[0]) {
                    json_object_set_new(japp, sides[k].proc.name,
                                        json_pack("{s:s}", "error", c->error));
                } else {
                    json_object_set_new(japp, sides[k].proc.name,
                                        json_pack("{s:f, s:f, s:f, s:i}", "median_us",
                                                  round1(c->app_med), "p90_us", round1(c->app_p90),
                                                  "min_us", round1(c->app_min), "runs", c->app.n));
                    json_object_set_new(jtss, sides[k].proc.name,
                                        json_pack("{s:f}", "median_us", round1(c->tss_med)));
                }
            }
            snprintf(label, sizeof label, "**%s** (%s, application)", fl->name, fl->table);
            row_cells(&rows[nrows++], label, n, v, err, fl->seeds_app_s);
            for (int k = 0; k < N_SIDES; k++)
                v[k] = cells[f][k].tss_med;
            row_cells(&rows[nrows++], "  Σ TSS, all commands", -1, v, err, fl->seeds_tss_s);
            /* goal 1: QR on qtpm no slower than classic on swtpm */
            {
                const cell *q = &cells[f][SIDE_QR_QTPM], *c0 = &cells[f][SIDE_CLASSIC_SWTPM];
                char line[256];
                if (q->error[0] || c0->error[0] || q->app.n == 0 || c0->app.n == 0) {
                    goal1_known = 0;
                    snprintf(line, sizeof line, "%s: not measured on both\n", fl->name);
                } else {
                    int ok = q->app_med <= c0->app_med;
                    goal1_ok &= ok;
                    snprintf(line, sizeof line, "%s: QR-qtpm %.0f µs vs classic-swtpm %.0f µs (%.2f) %s\n",
                             fl->name, q->app_med, c0->app_med, q->app_med / c0->app_med,
                             ok ? "met" : "MISSED");
                }
                strncat(goal1, line, sizeof goal1 - strlen(goal1) - 1);
            }
            for (size_t i = 0; i < fl->n_steps; i++) {
                const step_def *st = &fl->steps[i];
                char slabel[160];
                json_t *jcells = json_object();
                if (strcmp(st->label[0], st->label[1]) == 0)
                    snprintf(slabel, sizeof slabel, "  %s%s%s", st->seeds ? "" : "+ ",
                             st->label[0], st->count > 1 ? " ×2" : "");
                else
                    snprintf(slabel, sizeof slabel, "  %s%s / %s", st->seeds ? "" : "+ ",
                             st->label[0], st->label[1]);
                if (st->repeat) /* how many commands it took on each side */
                    snprintf(slabel + strlen(slabel), sizeof slabel - strlen(slabel),
                             " ×%d/%d/%d", cells[f][0].step_count[i], cells[f][1].step_count[i],
                             cells[f][2].step_count[i]);
                for (int k = 0; k < N_SIDES; k++) {
                    cell *c = &cells[f][k];
                    v[k] = c->error[0] ? -1 : c->step_med[i];
                    if (!c->error[0] && c->step[i].n)
                        json_object_set_new(jcells, sides[k].proc.name,
                                            json_pack("{s:f, s:f}", "median_us",
                                                      round1(c->step_med[i]), "per_command_median_us",
                                                      round1(c->step_cmd_med[i])));
                }
                row_cells(&rows[nrows++], slabel, -1, v, err, st->seeds_s);
                /* goal 2: every QR command under 1 ms at the TSS */
                {
                    const cell *q = &cells[f][SIDE_QR_QTPM];
                    if (!q->error[0] && q->step[i].n && q->step_cmd_med[i] >= QR_COMMAND_GOAL_US) {
                        char line[256];
                        goal2_ok = 0;
                        snprintf(line, sizeof line, "%s: %s %.0f µs\n", fl->name, st->label[1],
                                 q->step_cmd_med[i]);
                        strncat(misses, line, sizeof misses - strlen(misses) - 1);
                    }
                }
                json_array_append_new(
                    jsteps,
                    json_pack("{s:s, s:s, s:s, s:s, s:b, s:i, s:o, s:o*, s:o*}", "command",
                              qtpm_tss_cc_name(step_cc(st, CLASSIC)), "command_qr",
                              qtpm_tss_cc_name(step_cc(st, QR)), "classic", st->label[0], "qr",
                              st->label[1], "in_seeds", st->seeds, "count", st->count, "median_us",
                              jcells, "seeds_tpm20_s",
                              st->seeds_s[0] < 0 ? NULL : json_real(st->seeds_s[0]),
                              "seeds_futuretpm_s",
                              st->seeds_s[1] < 0 ? NULL : json_real(st->seeds_s[1])));
            }
            jf = json_pack("{s:s, s:s, s:i, s:o, s:o, s:o*, s:o*, s:o*, s:o*, s:o}", "table",
                           fl->table, "flow", fl->name, "runs", n, "application", japp,
                           "tss_sum", jtss, "seeds_tpm20_app_s",
                           fl->seeds_app_s[0] < 0 ? NULL : json_real(fl->seeds_app_s[0]),
                           "seeds_futuretpm_app_s",
                           fl->seeds_app_s[1] < 0 ? NULL : json_real(fl->seeds_app_s[1]),
                           "seeds_tpm20_tss_s",
                           fl->seeds_tss_s[0] < 0 ? NULL : json_real(fl->seeds_tss_s[0]),
                           "seeds_futuretpm_tss_s",
                           fl->seeds_tss_s[1] < 0 ? NULL : json_real(fl->seeds_tss_s[1]), "steps",
                           jsteps);
            {
                const cell *q = &cells[f][SIDE_QR_QTPM], *c0 = &cells[f][SIDE_CLASSIC_SWTPM],
                           *c1 = &cells[f][SIDE_CLASSIC_QTPM];
                if (!q->error[0] && !c0->error[0] && q->app.n && c0->app.n)
                    json_object_set_new(jf, "ratio_qr_qtpm_classic_swtpm",
                                        json_real(q->app_med / c0->app_med));
                if (!c1->error[0] && !c0->error[0] && c1->app.n && c0->app.n)
                    json_object_set_new(jf, "ratio_classic_qtpm_classic_swtpm",
                                        json_real(c1->app_med / c0->app_med));
            }
            json_array_append_new(jflows, jf);
        }

        /* stdout, then the Markdown copy */
        for (int pass = 0; pass < 2; pass++) {
            FILE *o = stdout;
            if (pass == 1) {
                if (!md_path)
                    break;
                if (!(md = fopen(md_path, "w"))) {
                    fprintf(stderr, "qtpm-bench-flows: cannot write %s\n", md_path);
                    ret = 1;
                    break;
                }
                o = md;
                fprintf(o, "# The seeds' flows on qtpm and swtpm\n\n"
                           "`qtpm-bench-flows` (bench/bench_flows.c, docs/BENCH.md), run %s.\n"
                           "Seed D6.3 Table 10 (device management) and Tables 2/3 (wallet):\n"
                           "every flow as the command sequence the seeds list; classic = RSA-2048 "
                           "EK/SRK/AK/TLS key and SHA-1 PCR policies, QR = ML-KEM-768 EK/SRK, "
                           "ML-DSA-44 AK, HashML-DSA-44 (SHA-512) TLS key and SHA-256 PCRs.\n\n",
                        date);
                for (int k = 0; k < N_SIDES; k++)
                    fprintf(o, "- %s: %s%s%s%s%s\n", sides[k].proc.name, sides[k].proc.binary,
                            sides[k].proc.version[0] ? " (" : "", sides[k].proc.version,
                            sides[k].proc.version[0] ? ")" : "",
                            sides[k].proc.error[0] ? " — not run" : "");
                fputc('\n', o);
            }
            print_rows(o, rows, nrows);
            fprintf(o,
                    "\nMedians in µs: flow rows at the application (the whole flow, client and "
                    "verifier software included), command rows at the TSS (libqtss, transmit to "
                    "end of receive); runs per flow in the runs column. \"+\" rows are commands "
                    "the seeds' lists leave out (their resource manager flushed for them). "
                    "Seeds: Table 10 TPM 2.0 (SW) and FutureTPM (SW), flow rows from the VM; "
                    "wallet Table 2 (HW TPM 2.0, Intel TSS) and Table 3 (SW QR TPM, IBM TSS).\n"
                    "Load average before: %s; after: %s.\n",
                    load_before, load_after);
            fprintf(o, "Commands answered TPM_RC_RETRY/YIELDED/TESTING and sent again (counted "
                       "as one command, times summed):");
            for (int k = 0; k < N_SIDES; k++)
                fprintf(o, " %s %ld%s", sides[k].proc.name, sides[k].retries,
                        k + 1 < N_SIDES ? "," : ".\n");
            fprintf(o, "\nGoal 1 — every QR flow on qtpm no slower than the same classic flow on "
                       "swtpm: %s\n%s",
                    !goal1_known ? "NOT FULLY MEASURED" : goal1_ok ? "met" : "MISSED", goal1);
            fprintf(o, "\nGoal 2 — every QR command under 1 ms at the TSS (per-command median): "
                       "%s\n%s",
                    cells[0][SIDE_QR_QTPM].error[0] ? "NOT MEASURED" : goal2_ok ? "met" : "MISSED",
                    goal2_ok ? "" : misses);
            for (size_t f = 0; f < N_FLOWS; f++)
                for (int k = 0; k < N_SIDES; k++)
                    if (cells[f][k].error[0])
                        fprintf(o, "%s on %s failed: %s\n", flows[f].name, sides[k].proc.name,
                                cells[f][k].error);
        }
        if (md) {
            fclose(md);
            printf("Markdown written to %s\n", md_path);
        }

        if (json_path) {
            json_t *tpms = json_object(), *doc, *jmiss = json_array();
            char *p = misses, *nl;
            while ((nl = strchr(p, '\n'))) {
                *nl = '\0';
                json_array_append_new(jmiss, json_string(p));
                p = nl + 1;
            }
            for (int k = 0; k < N_SIDES; k++)
                json_object_set_new(
                    tpms, sides[k].proc.name,
                    json_pack("{s:s, s:s, s:s, s:s, s:I}", "binary", sides[k].proc.binary,
                              "version", sides[k].proc.version, "variant",
                              variant_name[sides[k].variant], "note", sides[k].proc.error,
                              "retried_commands", (json_int_t)sides[k].retries));
            doc = json_pack(
                "{s:s, s:s, s:s, s:i, s:i, s:i, s:{s:s, s:s}, s:s, s:o, s:o, "
                "s:{s:o, s:o, s:o, s:o}}",
                "benchmark", "qtpm seeds' flows (D6.3 Tables 2, 3, 10)", "date", date, "unit",
                "microseconds", "runs", runs, "keygen_runs", keygen_runs, "warmup_runs", 1,
                "loadavg", "before", load_before, "after", load_after, "client",
                "libqtss, swtpm socket protocol over TCP 127.0.0.1", "tpms", tpms, "flows",
                jflows, "goals", "qr_flows_not_slower_than_classic_swtpm",
                goal1_known ? json_boolean(goal1_ok) : json_null(), "qr_commands_under_1ms",
                cells[0][SIDE_QR_QTPM].error[0] ? json_null() : json_boolean(goal2_ok),
                "qr_commands_missing_1ms", jmiss, "any_flow_failed", json_boolean(any_failed));
            jflows = NULL;
            if (!doc ||
                json_dump_file(doc, json_path, JSON_INDENT(2) | JSON_REAL_PRECISION(8)) != 0) {
                fprintf(stderr, "qtpm-bench-flows: cannot write %s\n", json_path);
                ret = 1;
            } else {
                printf("results written to %s\n", json_path);
            }
            json_decref(doc);
        }
        json_decref(jflows);
        free(rows);
    }
    if (any_failed)
        ret = 1;

out:
    for (int k = 0; k < N_SIDES; k++) {
        tpm_stop(&sides[k]);
        OPENSSL_free(sides[k].tls_cert);
    }
    for (size_t f = 0; f < N_FLOWS; f++)
        for (int k = 0; k < N_SIDES; k++) {
            free(cells[f][k].app.v);
            free(cells[f][k].tss.v);
            for (int i = 0; i < 16; i++)
                free(cells[f][k].step[i].v), free(cells[f][k].step_cmd[i].v);
        }
    EVP_PKEY_free(ca_key);
    free(sides);
    return ret;

oom:
    fprintf(stderr, "qtpm-bench-flows: out of memory\n");
    ret = 1;
    goto out;

bad_usage:
    usage(stderr);
    free(sides);
    return 2;
}
