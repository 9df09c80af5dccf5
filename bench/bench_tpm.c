/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench_tpm.c — `make bench` for whole TPMs (DESIGN.md decision 7): the
 * latency of single TPM 2.0 commands over TCP, measured with one client
 * against two software TPMs in the same run, for a ratio.
 *
 * The client is tpm2-tss's ESAPI (libtss2-esys) with its swtpm TCTI, the same
 * library and transport for both TPMs, so neither side is favoured by its own
 * client. The reference is Debian's swtpm (libtpms); the subject is qtpm's own
 * qtpm-server speaking the swtpm socket protocol. The harness starts each TPM
 * itself on free local ports with an empty temporary state directory, waits
 * for its sockets, runs every command, and stops it. When qtpm-server has not
 * been built the run measures swtpm alone and says so.
 *
 * Each figure is the wall time around one Esys call (marshal, send, TPM work,
 * receive, unmarshal; for salted sessions also the client's salt encryption),
 * taken with CLOCK_MONOTONIC. Runs alternate between the TPMs (swtpm, qtpm,
 * swtpm, ...) so that a change of machine load hits both alike; each command
 * gets a few untimed warm-up runs first. Objects and sessions a command makes
 * are flushed after the timed call, outside the timing. Medians and 90th
 * percentiles are printed as a table and written as JSON with the date, the
 * run counts and /proc/loadavg before and after.
 *
 * A command that fails on one TPM shows its decoded response code in that
 * cell (Tss2_RC_Decode) and the benchmark goes on; the exit status is non-zero
 * only when the harness itself fails (bad options, no TPM could be started,
 * the JSON cannot be written). docs/BENCH.md describes the method.
 *
 * --settle flushes the file system after every run of an NV command, outside
 * the timing, so that swtpm's unsynced writes are not flushed inside
 * qtpm-server's next timed call (settle() says why); the JSON records it.
 */
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "tpmproc.h"

#ifndef QTPM_TSS2_ESYS_VERSION
#define QTPM_TSS2_ESYS_VERSION "unknown"
#endif

#define DEFAULT_RUNS 200
#define DEFAULT_KEYGEN_RUNS 20
#define WARMUP_RUNS 2
#define MAX_ROUNDS 64
/* Longest a single command may take before the client gives up (ms); RSA
 * primary generation on a slow, shared machine can take seconds. */
#define COMMAND_TIMEOUT_MS 120000

/* ------------------------------------------------------------------------ */
/* One TPM under test: its process, connection and the objects commands use. */

typedef struct {
    tpmproc proc; /* named "swtpm" or "qtpm"; proc.error: why not measured */
    ESYS_CONTEXT *esys;
    TSS2_TCTI_CONTEXT *tcti;

    /* Fixtures, made on first use by the commands that need them. 0 = not
     * made yet; setup_rc remembers a failed attempt so it is not retried. */
    ESYS_TR srk_rsa, srk_ecc, signer_rsa, signer_ecc, ak, ek_rsa, ek_ecc;
    TPM2B_PRIVATE *child_private;
    TPM2B_PUBLIC *child_public;
    TPM2B_ID_OBJECT *cred_blob_rsa, *cred_blob_ecc;
    TPM2B_ENCRYPTED_SECRET *cred_secret_rsa, *cred_secret_ecc;
    uint32_t counter; /* varies the unique field of measured CreatePrimary */
    /* NV indices the NV commands write, defined on first use and kept (NV
     * outlives flush_fixtures); 0 = not defined yet */
    ESYS_TR nv_data, nv_counter, nv_extend, nv_bits;
    uint64_t nv_value; /* varies what NV_Write and NV_SetBits write */

    double last_us;    /* duration of the last timed call */
    double client_us;  /* of which ESAPI's work before the send, or -1 */
    const char *wrong; /* what was wrong with an answer (BAD_ANSWER) */
    const char *setup_failed; /* fixture step that failed, or NULL */
} tpm_side;

/* The credential every ActivateCredential run must give back. */
static const TPM2B_DIGEST bench_credential = {
    .size = 16,
    .buffer = {'q', 't', 'p', 'm', '-', 'b', 'e', 'n', 'c', 'h', '-', 'c', 'r', 'e', 'd', '!'}};

/* Times exactly one Esys call; the result lands in side->last_us. */
#define TIMED(side, call)                                                                          \
    do {                                                                                           \
        double t0_ = bench_now_us();                                                               \
        rc = (call);                                                                               \
        (side)->last_us = bench_now_us() - t0_;                                                    \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Key templates (TPM 2.0 Part 2 §12.2.4 TPMT_PUBLIC). All keys have empty
 * authorization values and userWithAuth, so a password session with the empty
 * password authorizes them and the client does no HMAC work. */

#define ATTR_KEY                                                                                   \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |            \
     TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA)
#define ATTR_STORAGE (ATTR_KEY | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)
#define ATTR_SIGNER (ATTR_KEY | TPMA_OBJECT_SIGN_ENCRYPT)

static const TPMT_SYM_DEF_OBJECT sym_aes128_cfb = {
    .algorithm = TPM2_ALG_AES, .keyBits = {.aes = 128}, .mode = {.aes = TPM2_ALG_CFB}};
static const TPMT_SYM_DEF_OBJECT sym_null = {.algorithm = TPM2_ALG_NULL};

/* RSA-2048 restricted decryption key: a storage root key, or (in the
 * endorsement hierarchy) an EK-like key that differs from the TCG EK
 * template only in using userWithAuth instead of a PolicySecret policy. */
static TPM2B_PUBLIC template_rsa_storage(void)
{
    TPM2B_PUBLIC p = {0};
    p.publicArea.type = TPM2_ALG_RSA;
    p.publicArea.nameAlg = TPM2_ALG_SHA256;
    p.publicArea.objectAttributes = ATTR_STORAGE;
    p.publicArea.parameters.rsaDetail.symmetric = sym_aes128_cfb;
    p.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
    p.publicArea.parameters.rsaDetail.keyBits = 2048;
    p.publicArea.parameters.rsaDetail.exponent = 0;
    return p;
}

static TPM2B_PUBLIC template_ecc_storage(void)
{
    TPM2B_PUBLIC p = {0};
    p.publicArea.type = TPM2_ALG_ECC;
    p.publicArea.nameAlg = TPM2_ALG_SHA256;
    p.publicArea.objectAttributes = ATTR_STORAGE;
    p.publicArea.parameters.eccDetail.symmetric = sym_aes128_cfb;
    p.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
    p.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    return p;
}

static TPM2B_PUBLIC template_rsa_signer(void)
{
    TPM2B_PUBLIC p = {0};
    p.publicArea.type = TPM2_ALG_RSA;
    p.publicArea.nameAlg = TPM2_ALG_SHA256;
    p.publicArea.objectAttributes = ATTR_SIGNER;
    p.publicArea.parameters.rsaDetail.symmetric = sym_null;
    p.publicArea.parameters.rsaDetail.scheme.scheme = TPM2_ALG_RSASSA;
    p.publicArea.parameters.rsaDetail.scheme.details.rsassa.hashAlg = TPM2_ALG_SHA256;
    p.publicArea.parameters.rsaDetail.keyBits = 2048;
    return p;
}

/* ECDSA P-256 with SHA-256; restricted makes it an attestation key. */
static TPM2B_PUBLIC template_ecc_signer(int restricted)
{
    TPM2B_PUBLIC p = {0};
    p.publicArea.type = TPM2_ALG_ECC;
    p.publicArea.nameAlg = TPM2_ALG_SHA256;
    p.publicArea.objectAttributes = ATTR_SIGNER | (restricted ? TPMA_OBJECT_RESTRICTED : 0);
    p.publicArea.parameters.eccDetail.symmetric = sym_null;
    p.publicArea.parameters.eccDetail.scheme.scheme = TPM2_ALG_ECDSA;
    p.publicArea.parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM2_ALG_SHA256;
    p.publicArea.parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
    p.publicArea.parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
    return p;
}

/* SHA-256 bank, PCRs 0-7: the selection of Quote and PCR_Read. */
static TPML_PCR_SELECTION pcr_selection_0_7(void)
{
    TPML_PCR_SELECTION s = {0};
    s.count = 1;
    s.pcrSelections[0].hash = TPM2_ALG_SHA256;
    s.pcrSelections[0].sizeofSelect = 3;
    s.pcrSelections[0].pcrSelect[0] = 0xff;
    return s;
}

static TSS2_RC create_primary(tpm_side *s, ESYS_TR hierarchy, const TPM2B_PUBLIC *tmpl,
                              ESYS_TR *out)
{
    static const TPM2B_SENSITIVE_CREATE no_auth = {0};
    static const TPM2B_DATA no_outside = {0};
    static const TPML_PCR_SELECTION no_pcrs = {0};
    return Esys_CreatePrimary(s->esys, hierarchy, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                              &no_auth, tmpl, &no_outside, &no_pcrs, out, NULL, NULL, NULL,
                              NULL);
}

/* ------------------------------------------------------------------------ */
/* Fixtures: each returns TSS2_RC_SUCCESS once the object exists. A failure
 * names the step in side->setup_failed, so the table can tell a failed
 * preparation apart from a failure of the measured command itself. */

static TSS2_RC setup(tpm_side *s, const char *what, TSS2_RC rc)
{
    if (rc != TSS2_RC_SUCCESS)
        s->setup_failed = what;
    return rc;
}

/* Makes the primary *key from tmpl under hierarchy unless it exists. */
static TSS2_RC need_primary(tpm_side *s, ESYS_TR *key, ESYS_TR hierarchy, TPM2B_PUBLIC tmpl,
                            const char *what)
{
    if (*key)
        return TSS2_RC_SUCCESS;
    return setup(s, what, create_primary(s, hierarchy, &tmpl, key));
}

static TSS2_RC need_srk_rsa(tpm_side *s)
{
    return need_primary(s, &s->srk_rsa, ESYS_TR_RH_OWNER, template_rsa_storage(),
                        "CreatePrimary RSA SRK");
}

static TSS2_RC need_srk_ecc(tpm_side *s)
{
    return need_primary(s, &s->srk_ecc, ESYS_TR_RH_OWNER, template_ecc_storage(),
                        "CreatePrimary ECC SRK");
}

static TSS2_RC need_signer_rsa(tpm_side *s)
{
    return need_primary(s, &s->signer_rsa, ESYS_TR_RH_OWNER, template_rsa_signer(),
                        "CreatePrimary RSA signing key");
}

static TSS2_RC need_signer_ecc(tpm_side *s)
{
    return need_primary(s, &s->signer_ecc, ESYS_TR_RH_OWNER, template_ecc_signer(0),
                        "CreatePrimary ECC signing key");
}

static TSS2_RC need_ak(tpm_side *s)
{
    return need_primary(s, &s->ak, ESYS_TR_RH_ENDORSEMENT, template_ecc_signer(1),
                        "CreatePrimary AK");
}

/* The ECC child key that Load loads: one Create under the ECC SRK. */
static TSS2_RC need_child(tpm_side *s)
{
    static const TPM2B_SENSITIVE_CREATE no_auth = {0};
    static const TPM2B_DATA no_outside = {0};
    static const TPML_PCR_SELECTION no_pcrs = {0};
    TPM2B_PUBLIC t = template_ecc_signer(0);
    TSS2_RC rc;

    /* the SRK first: fixtures are flushed after each command, the child's
     * blobs kept (a later round loads them under the SRK made again) */
    if ((rc = need_srk_ecc(s)) != TSS2_RC_SUCCESS)
        return rc;
    if (s->child_private)
        return TSS2_RC_SUCCESS;
    rc = Esys_Create(s->esys, s->srk_ecc, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                     &no_auth, &t, &no_outside, &no_pcrs, &s->child_private, &s->child_public,
                     NULL, NULL, NULL);
    return setup(s, "Create child key", rc);
}

/* EK-like key plus AK, and a credential for the AK made by the TPM itself
 * (TPM2_MakeCredential, Part 3 §12.6, needs only the EK's public part). */
static TSS2_RC need_credential(tpm_side *s, int ecc)
{
    ESYS_TR *ek = ecc ? &s->ek_ecc : &s->ek_rsa;
    TPM2B_ID_OBJECT **blob = ecc ? &s->cred_blob_ecc : &s->cred_blob_rsa;
    TPM2B_ENCRYPTED_SECRET **secret = ecc ? &s->cred_secret_ecc : &s->cred_secret_rsa;
    TPM2B_NAME *ak_name = NULL;
    TSS2_RC rc;

    /* the keys first, also when the blob exists (flushed since) */
    if ((rc = need_ak(s)) != TSS2_RC_SUCCESS)
        return rc;
    rc = need_primary(s, ek, ESYS_TR_RH_ENDORSEMENT,
                      ecc ? template_ecc_storage() : template_rsa_storage(), "CreatePrimary EK");
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    if (*blob)
        return TSS2_RC_SUCCESS;
    rc = setup(s, "TR_GetName AK", Esys_TR_GetName(s->esys, s->ak, &ak_name));
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    rc = Esys_MakeCredential(s->esys, *ek, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                             &bench_credential, ak_name, blob, secret);
    Esys_Free(ak_name);
    return setup(s, "MakeCredential", rc);
}

/* A TPM has room for only a few loaded objects (three in both swtpm and
 * qtpm), so fixtures are flushed after every command and made again by the
 * next one that needs them. Primaries come back identical (same template,
 * same seed), so credential blobs made for them stay valid. */
static void flush_fixtures(tpm_side *s)
{
    ESYS_TR *all[] = {&s->srk_rsa, &s->srk_ecc, &s->signer_rsa, &s->signer_ecc,
                      &s->ak,      &s->ek_rsa,  &s->ek_ecc};
    size_t i;
    for (i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (*all[i] && s->esys)
            Esys_FlushContext(s->esys, *all[i]);
        *all[i] = 0;
    }
}

/* ------------------------------------------------------------------------ */
/* The measured commands. Each does its fixture work untimed, then exactly one
 * TIMED Esys call, then checks what it can of the answer and cleans up. A
 * wrong answer is returned as BAD_ANSWER with side->wrong saying what was
 * wrong; the table shows that text rather than a response code. */

#define BAD_ANSWER (TSS2_ESAPI_RC_LAYER | TSS2_BASE_RC_GENERAL_FAILURE)

static TSS2_RC bad_answer(tpm_side *s, const char *what)
{
    s->wrong = what;
    return BAD_ANSWER;
}

static TSS2_RC cmd_get_random(tpm_side *s)
{
    TPM2B_DIGEST *out = NULL;
    TSS2_RC rc;
    TIMED(s, Esys_GetRandom(s->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, 32, &out));
    if (rc == TSS2_RC_SUCCESS && out->size != 32)
        rc = bad_answer(s, "GetRandom returned other than 32 bytes");
    Esys_Free(out);
    return rc;
}

static TSS2_RC cmd_pcr_read(tpm_side *s)
{
    TPML_PCR_SELECTION sel = pcr_selection_0_7();
    TPML_PCR_SELECTION *sel_out = NULL;
    TPML_DIGEST *values = NULL;
    TSS2_RC rc;
    TIMED(s, Esys_PCR_Read(s->esys, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel, NULL,
                           &sel_out, &values));
    if (rc == TSS2_RC_SUCCESS && (values->count != 8 || values->digests[0].size != 32))
        rc = bad_answer(s, "PCR_Read did not return 8 SHA-256 values");
    Esys_Free(sel_out);
    Esys_Free(values);
    return rc;
}

/* PCR 16 is the debug PCR, resettable and extendable from locality 0. */
static TSS2_RC cmd_pcr_extend(tpm_side *s)
{
    TPML_DIGEST_VALUES d = {0};
    TSS2_RC rc;
    d.count = 1;
    d.digests[0].hashAlg = TPM2_ALG_SHA256;
    memset(d.digests[0].digest.sha256, 0x5a, sizeof d.digests[0].digest.sha256);
    TIMED(s, Esys_PCR_Extend(s->esys, ESYS_TR_PCR16, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                             ESYS_TR_NONE, &d));
    return rc;
}

/* tpm_key: ESYS_TR_NONE for an unsalted session, else a loaded decryption
 * key whose public part ESAPI uses to encrypt a salt it draws (Part 1
 * §19.6.13: RSA-OAEP or one-pass ECDH). That client work is real cost of the
 * command, but it is the same for both TPMs and dilutes their ratio, so the
 * call is split into its _Async half (client work and send) and its _Finish
 * half (wait, receive, session key) and the first half is recorded apart.
 * nonceCaller comes from us: ESAPI would otherwise draw it from a fresh
 * OpenSSL context every call (about 0.6 ms here), which would swamp the
 * unsalted figure. */
static TSS2_RC start_session(tpm_side *s, ESYS_TR tpm_key)
{
    static const TPMT_SYM_DEF sym = {
        .algorithm = TPM2_ALG_AES, .keyBits = {.aes = 128}, .mode = {.aes = TPM2_ALG_CFB}};
    ESYS_TR session = ESYS_TR_NONE;
    TPM2B_NONCE nonce = {.size = 32};
    uint32_t n = ++s->counter;
    double t0, t1;
    TSS2_RC rc;

    memcpy(nonce.buffer, &n, sizeof n);
    t0 = bench_now_us();
    rc = Esys_StartAuthSession_Async(s->esys, tpm_key, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
                                     ESYS_TR_NONE, &nonce, TPM2_SE_HMAC, &sym,
                                     TPM2_ALG_SHA256);
    t1 = bench_now_us();
    if (rc == TSS2_RC_SUCCESS) {
        do
            rc = Esys_StartAuthSession_Finish(s->esys, &session);
        while (rc == TSS2_ESYS_RC_TRY_AGAIN);
    }
    s->last_us = bench_now_us() - t0;
    s->client_us = t1 - t0;
    if (rc == TSS2_RC_SUCCESS)
        Esys_FlushContext(s->esys, session);
    return rc;
}

static TSS2_RC cmd_session_unsalted(tpm_side *s)
{
    return start_session(s, ESYS_TR_NONE);
}

static TSS2_RC cmd_session_salted_rsa(tpm_side *s)
{
    TSS2_RC rc = need_srk_rsa(s);
    return rc != TSS2_RC_SUCCESS ? rc : start_session(s, s->srk_rsa);
}

static TSS2_RC cmd_session_salted_ecc(tpm_side *s)
{
    TSS2_RC rc = need_srk_ecc(s);
    return rc != TSS2_RC_SUCCESS ? rc : start_session(s, s->srk_ecc);
}

/* A storage primary whose unique field carries a run counter (Part 1 §27.7:
 * unique is input to the primary-key derivation), so every run derives a new
 * key and no TPM-side cache of primaries can answer it. */
static TSS2_RC create_storage_primary(tpm_side *s, int ecc)
{
    TPM2B_PUBLIC t = ecc ? template_ecc_storage() : template_rsa_storage();
    ESYS_TR key = ESYS_TR_NONE;
    uint32_t n = ++s->counter;
    uint8_t *u;
    TSS2_RC rc;

    if (ecc) {
        t.publicArea.unique.ecc.x.size = 32;
        t.publicArea.unique.ecc.y.size = 32;
        u = t.publicArea.unique.ecc.x.buffer;
    } else {
        t.publicArea.unique.rsa.size = 32;
        u = t.publicArea.unique.rsa.buffer;
    }
    memcpy(u, &n, sizeof n);
    TIMED(s, create_primary(s, ESYS_TR_RH_OWNER, &t, &key));
    if (rc == TSS2_RC_SUCCESS)
        Esys_FlushContext(s->esys, key);
    return rc;
}

static TSS2_RC cmd_create_primary_rsa(tpm_side *s)
{
    return create_storage_primary(s, 0);
}

static TSS2_RC cmd_create_primary_ecc(tpm_side *s)
{
    return create_storage_primary(s, 1);
}

static TSS2_RC cmd_create_ecc_child(tpm_side *s)
{
    static const TPM2B_SENSITIVE_CREATE no_auth = {0};
    static const TPM2B_DATA no_outside = {0};
    static const TPML_PCR_SELECTION no_pcrs = {0};
    TPM2B_PUBLIC t = template_ecc_signer(0);
    TPM2B_PRIVATE *priv = NULL;
    TPM2B_PUBLIC *pub = NULL;
    TSS2_RC rc = need_srk_ecc(s);

    if (rc != TSS2_RC_SUCCESS)
        return rc;
    TIMED(s, Esys_Create(s->esys, s->srk_ecc, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                         &no_auth, &t, &no_outside, &no_pcrs, &priv, &pub, NULL, NULL, NULL));
    if (rc == TSS2_RC_SUCCESS && (pub->publicArea.type != TPM2_ALG_ECC ||
                                  pub->publicArea.unique.ecc.x.size != 32))
        rc = bad_answer(s, "Create did not return a P-256 public key");
    Esys_Free(priv);
    Esys_Free(pub);
    return rc;
}

static TSS2_RC cmd_load(tpm_side *s)
{
    ESYS_TR key = ESYS_TR_NONE;
    TSS2_RC rc = need_child(s);

    if (rc != TSS2_RC_SUCCESS)
        return rc;
    TIMED(s, Esys_Load(s->esys, s->srk_ecc, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE,
                       s->child_private, s->child_public, &key));
    if (rc == TSS2_RC_SUCCESS)
        Esys_FlushContext(s->esys, key);
    return rc;
}

/* Sign a fixed SHA-256 digest with an unrestricted key: the NULL-hierarchy
 * ticket is accepted (Part 3 §20.2). */
static TSS2_RC sign_digest(tpm_side *s, ESYS_TR key, TPM2_ALG_ID expect_alg)
{
    static const TPMT_SIG_SCHEME scheme_from_key = {.scheme = TPM2_ALG_NULL};
    TPM2B_DIGEST digest = {.size = 32};
    TPMT_TK_HASHCHECK ticket = {.tag = TPM2_ST_HASHCHECK, .hierarchy = TPM2_RH_NULL};
    TPMT_SIGNATURE *sig = NULL;
    TSS2_RC rc;

    memset(digest.buffer, 0xa5, 32);
    TIMED(s, Esys_Sign(s->esys, key, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &digest,
                       &scheme_from_key, &ticket, &sig));
    if (rc == TSS2_RC_SUCCESS && sig->sigAlg != expect_alg)
        rc = bad_answer(s, "Sign returned a signature of another scheme");
    Esys_Free(sig);
    return rc;
}

static TSS2_RC cmd_sign_rsa(tpm_side *s)
{
    TSS2_RC rc = need_signer_rsa(s);
    return rc != TSS2_RC_SUCCESS ? rc : sign_digest(s, s->signer_rsa, TPM2_ALG_RSASSA);
}

static TSS2_RC cmd_sign_ecc(tpm_side *s)
{
    TSS2_RC rc = need_signer_ecc(s);
    return rc != TSS2_RC_SUCCESS ? rc : sign_digest(s, s->signer_ecc, TPM2_ALG_ECDSA);
}

/* Quote (Part 3 §18.4) of SHA-256 PCRs 0-7 with the ECDSA AK; the answer's
 * TPMS_ATTEST must carry TPM_GENERATED_VALUE, the quote tag and our nonce. */
static TSS2_RC cmd_quote(tpm_side *s)
{
    static const TPMT_SIG_SCHEME scheme_from_key = {.scheme = TPM2_ALG_NULL};
    TPML_PCR_SELECTION sel = pcr_selection_0_7();
    TPM2B_DATA nonce = {.size = 20};
    TPM2B_ATTEST *quoted = NULL;
    TPMT_SIGNATURE *sig = NULL;
    TSS2_RC rc = need_ak(s);

    if (rc != TSS2_RC_SUCCESS)
        return rc;
    memset(nonce.buffer, 0x3c, nonce.size);
    TIMED(s, Esys_Quote(s->esys, s->ak, ESYS_TR_PASSWORD, ESYS_TR_NONE, ESYS_TR_NONE, &nonce,
                        &scheme_from_key, &sel, &quoted, &sig));
    if (rc == TSS2_RC_SUCCESS) {
        TPMS_ATTEST a;
        size_t off = 0;
        if (Tss2_MU_TPMS_ATTEST_Unmarshal(quoted->attestationData, quoted->size, &off, &a) !=
                TSS2_RC_SUCCESS ||
            a.magic != TPM2_GENERATED_VALUE || a.type != TPM2_ST_ATTEST_QUOTE ||
            a.extraData.size != nonce.size ||
            memcmp(a.extraData.buffer, nonce.buffer, nonce.size) != 0)
            rc = bad_answer(s, "Quote's TPMS_ATTEST is malformed or lacks the nonce");
        else if (sig->sigAlg != TPM2_ALG_ECDSA)
            rc = bad_answer(s, "Quote signature is not ECDSA");
    }
    Esys_Free(quoted);
    Esys_Free(sig);
    return rc;
}

/* ActivateCredential (Part 3 §12.5): the EK-like key decrypts the seed
 * (RSA-OAEP or ECDH), checks the blob's HMAC against the AK's name and gives
 * back the credential, which must be the one MakeCredential wrapped. */
static TSS2_RC activate(tpm_side *s, int ecc)
{
    TPM2B_DIGEST *cert = NULL;
    TSS2_RC rc = need_credential(s, ecc);

    if (rc != TSS2_RC_SUCCESS)
        return rc;
    TIMED(s, Esys_ActivateCredential(s->esys, s->ak, ecc ? s->ek_ecc : s->ek_rsa,
                                     ESYS_TR_PASSWORD, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                     ecc ? s->cred_blob_ecc : s->cred_blob_rsa,
                                     ecc ? s->cred_secret_ecc : s->cred_secret_rsa, &cert));
    if (rc == TSS2_RC_SUCCESS &&
        (cert->size != bench_credential.size ||
         memcmp(cert->buffer, bench_credential.buffer, cert->size) != 0))
        rc = bad_answer(s, "ActivateCredential returned another credential");
    Esys_Free(cert);
    return rc;
}

static TSS2_RC cmd_activate_rsa(tpm_side *s)
{
    return activate(s, 0);
}

static TSS2_RC cmd_activate_ecc(tpm_side *s)
{
    return activate(s, 1);
}

/* ------------------------------------------------------------------------ */
/* NV-changing commands (issue 10): each changes the TPM's persistent state,
 * so each costs the TPM a write to its state: swtpm rewrites its whole
 * permanent-state file (a temp file renamed over it, no fsync), qtpm-server
 * appends one record to its state journal with O_DSYNC (docs/SERVER.md
 * "Journal"). Owner authorization with the empty password throughout. */

#define NV_DATA_INDEX 0x01500100u
#define NV_COUNTER_INDEX 0x01500101u
#define NV_EXTEND_INDEX 0x01500102u
#define NV_BITS_INDEX 0x01500103u
#define NV_FLIP_INDEX 0x01500104u /* defined and undefined by the runs */
#define PERSISTENT_HANDLE 0x81000100u

static TPM2B_NV_PUBLIC nv_template(uint32_t index, uint32_t type, uint16_t size)
{
    TPM2B_NV_PUBLIC p = {0};
    p.nvPublic.nvIndex = index;
    p.nvPublic.nameAlg = TPM2_ALG_SHA256;
    p.nvPublic.attributes = TPMA_NV_OWNERWRITE | TPMA_NV_OWNERREAD | TPMA_NV_NO_DA |
                            (type << TPMA_NV_TPM2_NT_SHIFT);
    p.nvPublic.dataSize = size;
    return p;
}

static TSS2_RC nv_define(tpm_side *s, const TPM2B_NV_PUBLIC *pub, ESYS_TR *out)
{
    static const TPM2B_AUTH no_auth = {0};
    return Esys_NV_DefineSpace(s->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                               ESYS_TR_NONE, &no_auth, pub, out);
}

static TSS2_RC need_nv(tpm_side *s, ESYS_TR *nv, uint32_t index, uint32_t type, uint16_t size)
{
    TPM2B_NV_PUBLIC pub = nv_template(index, type, size);
    if (*nv)
        return TSS2_RC_SUCCESS;
    return setup(s, "NV_DefineSpace fixture", nv_define(s, &pub, nv));
}

static TSS2_RC cmd_nv_write(tpm_side *s)
{
    TPM2B_MAX_NV_BUFFER d = {.size = 32};
    TSS2_RC rc = need_nv(s, &s->nv_data, NV_DATA_INDEX, TPM2_NT_ORDINARY, 32);
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    s->nv_value++;
    memcpy(d.buffer, &s->nv_value, sizeof s->nv_value);
    TIMED(s, Esys_NV_Write(s->esys, ESYS_TR_RH_OWNER, s->nv_data, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                           ESYS_TR_NONE, &d, 0));
    return rc;
}

static TSS2_RC cmd_nv_increment(tpm_side *s)
{
    TSS2_RC rc = need_nv(s, &s->nv_counter, NV_COUNTER_INDEX, TPM2_NT_COUNTER, 8);
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    TIMED(s, Esys_NV_Increment(s->esys, ESYS_TR_RH_OWNER, s->nv_counter, ESYS_TR_PASSWORD,
                               ESYS_TR_NONE, ESYS_TR_NONE));
    return rc;
}

static TSS2_RC cmd_nv_extend(tpm_side *s)
{
    TPM2B_MAX_NV_BUFFER d = {.size = 32};
    TSS2_RC rc = need_nv(s, &s->nv_extend, NV_EXTEND_INDEX, TPM2_NT_EXTEND, 32);
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    memset(d.buffer, 0x3c, d.size);
    TIMED(s, Esys_NV_Extend(s->esys, ESYS_TR_RH_OWNER, s->nv_extend, ESYS_TR_PASSWORD,
                            ESYS_TR_NONE, ESYS_TR_NONE, &d));
    return rc;
}

static TSS2_RC cmd_nv_setbits(tpm_side *s)
{
    TSS2_RC rc = need_nv(s, &s->nv_bits, NV_BITS_INDEX, TPM2_NT_BITS, 8);
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    s->nv_value++;
    TIMED(s, Esys_NV_SetBits(s->esys, ESYS_TR_RH_OWNER, s->nv_bits, ESYS_TR_PASSWORD,
                             ESYS_TR_NONE, ESYS_TR_NONE, (UINT64)1 << (s->nv_value % 64)));
    return rc;
}

/* NV_DefineSpace timed, NV_UndefineSpace of the same index after it untimed;
 * and the other way round. */
static TSS2_RC cmd_nv_define(tpm_side *s)
{
    TPM2B_NV_PUBLIC pub = nv_template(NV_FLIP_INDEX, TPM2_NT_ORDINARY, 64);
    ESYS_TR nv = ESYS_TR_NONE;
    TSS2_RC rc;
    TIMED(s, nv_define(s, &pub, &nv));
    if (rc == TSS2_RC_SUCCESS)
        Esys_NV_UndefineSpace(s->esys, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                              ESYS_TR_NONE);
    return rc;
}

static TSS2_RC cmd_nv_undefine(tpm_side *s)
{
    TPM2B_NV_PUBLIC pub = nv_template(NV_FLIP_INDEX, TPM2_NT_ORDINARY, 64);
    ESYS_TR nv = ESYS_TR_NONE;
    TSS2_RC rc = setup(s, "NV_DefineSpace before NV_UndefineSpace", nv_define(s, &pub, &nv));
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    TIMED(s, Esys_NV_UndefineSpace(s->esys, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                                   ESYS_TR_NONE));
    return rc;
}

/* EvictControl of the ECC SRK into a persistent handle and out again, one
 * of the two timed. */
static TSS2_RC evict(tpm_side *s, int time_persist)
{
    ESYS_TR persistent = ESYS_TR_NONE, none = ESYS_TR_NONE;
    TSS2_RC rc = need_srk_ecc(s);
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    if (time_persist)
        TIMED(s, Esys_EvictControl(s->esys, ESYS_TR_RH_OWNER, s->srk_ecc, ESYS_TR_PASSWORD,
                                   ESYS_TR_NONE, ESYS_TR_NONE, PERSISTENT_HANDLE, &persistent));
    else
        rc = setup(s, "EvictControl before the removal",
                   Esys_EvictControl(s->esys, ESYS_TR_RH_OWNER, s->srk_ecc, ESYS_TR_PASSWORD,
                                     ESYS_TR_NONE, ESYS_TR_NONE, PERSISTENT_HANDLE, &persistent));
    if (rc != TSS2_RC_SUCCESS)
        return rc;
    if (time_persist) {
        Esys_EvictControl(s->esys, ESYS_TR_RH_OWNER, persistent, ESYS_TR_PASSWORD, ESYS_TR_NONE,
                          ESYS_TR_NONE, PERSISTENT_HANDLE, &none);
        return rc;
    }
    TIMED(s, Esys_EvictControl(s->esys, ESYS_TR_RH_OWNER, persistent, ESYS_TR_PASSWORD,
                               ESYS_TR_NONE, ESYS_TR_NONE, PERSISTENT_HANDLE, &none));
    return rc;
}

static TSS2_RC cmd_evict_persist(tpm_side *s)
{
    return evict(s, 1);
}

static TSS2_RC cmd_evict_remove(tpm_side *s)
{
    return evict(s, 0);
}

typedef struct {
    const char *label;
    int keygen; /* uses --keygen-runs instead of --runs */
    TSS2_RC (*run)(tpm_side *);
    int nv; /* changes persistent state: --settle applies */
} bench_command;

static const bench_command commands[] = {
    {"GetRandom (32 bytes)", 0, cmd_get_random, 0},
    {"PCR_Read (SHA-256, PCRs 0-7)", 0, cmd_pcr_read, 0},
    {"PCR_Extend (SHA-256, PCR 16)", 0, cmd_pcr_extend, 0},
    {"StartAuthSession (HMAC, unsalted)", 0, cmd_session_unsalted, 0},
    {"StartAuthSession (HMAC, salted RSA-2048)", 0, cmd_session_salted_rsa, 0},
    {"StartAuthSession (HMAC, salted ECC P-256)", 0, cmd_session_salted_ecc, 0},
    {"CreatePrimary (RSA-2048 storage)", 1, cmd_create_primary_rsa, 0},
    {"CreatePrimary (ECC P-256 storage)", 0, cmd_create_primary_ecc, 0},
    {"Create (ECC P-256 child)", 0, cmd_create_ecc_child, 0},
    {"Load (ECC P-256 child)", 0, cmd_load, 0},
    {"Sign (RSA-2048 RSASSA SHA-256)", 0, cmd_sign_rsa, 0},
    {"Sign (ECDSA P-256 SHA-256)", 0, cmd_sign_ecc, 0},
    {"Quote (ECDSA AK, SHA-256 PCRs 0-7)", 0, cmd_quote, 0},
    {"ActivateCredential (RSA-2048 EK)", 0, cmd_activate_rsa, 0},
    {"ActivateCredential (ECC P-256 EK)", 0, cmd_activate_ecc, 0},
    {"NV_Write (32 bytes, ordinary index)", 0, cmd_nv_write, 1},
    {"NV_Increment (counter index)", 0, cmd_nv_increment, 1},
    {"NV_Extend (SHA-256 extend index)", 0, cmd_nv_extend, 1},
    {"NV_SetBits (bit-field index)", 0, cmd_nv_setbits, 1},
    {"NV_DefineSpace (64-byte ordinary index)", 0, cmd_nv_define, 1},
    {"NV_UndefineSpace (64-byte ordinary index)", 0, cmd_nv_undefine, 1},
    {"EvictControl (ECC SRK, persist)", 0, cmd_evict_persist, 1},
    {"EvictControl (ECC SRK, remove)", 0, cmd_evict_remove, 1},
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

/* --settle: after each run of an NV command, outside the timing, flush the
 * file system under that TPM's state directory (syncfs). Both TPMs share one
 * disk: swtpm's save (write, close, rename; no sync) leaves its data to be
 * written back later, and without this the next cache flush, which is
 * qtpm-server's record in the other TPM's very next timed call, waits for that
 * write-back too (the write-back ext4 starts at a rename over an existing
 * file). With it, each timed call pays for its own TPM's disk work only. */
static void settle(const tpm_side *s)
{
    int fd = open(s->proc.state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)syncfs(fd);
        close(fd);
    }
}

/* ------------------------------------------------------------------------ */
/* Connecting to the TPM processes (tpmproc.c starts and stops them). */

/* Connects ESAPI through the swtpm TCTI and sends TPM2_Startup(CLEAR). swtpm
 * was told startup-clear and answers TPM_RC_INITIALIZE; qtpm-server starts
 * powered on but not started, as a TPM after _TPM_Init. */
static int tpm_connect(tpm_side *s)
{
    char conf[64];
    TSS2_RC rc;

    snprintf(conf, sizeof conf, "swtpm:host=127.0.0.1,port=%d", s->proc.port);
    if ((rc = Tss2_TctiLdr_Initialize(conf, &s->tcti)) != TSS2_RC_SUCCESS) {
        snprintf(s->proc.error, sizeof s->proc.error, "TCTI %s: %s", conf, Tss2_RC_Decode(rc));
        s->tcti = NULL;
        return -1;
    }
    if ((rc = Esys_Initialize(&s->esys, s->tcti, NULL)) != TSS2_RC_SUCCESS) {
        snprintf(s->proc.error, sizeof s->proc.error, "Esys_Initialize: %s", Tss2_RC_Decode(rc));
        s->esys = NULL;
        return -1;
    }
    Esys_SetTimeout(s->esys, COMMAND_TIMEOUT_MS);
    rc = Esys_Startup(s->esys, TPM2_SU_CLEAR);
    if (rc != TSS2_RC_SUCCESS && rc != TPM2_RC_INITIALIZE) {
        snprintf(s->proc.error, sizeof s->proc.error, "TPM2_Startup: %s", Tss2_RC_Decode(rc));
        return -1;
    }
    return 0;
}

/* Closes the connection, frees what the fixtures kept, and stops the
 * process (tpmproc_stop). */
static void tpm_stop(tpm_side *s)
{
    Esys_Free(s->child_private);
    Esys_Free(s->child_public);
    Esys_Free(s->cred_blob_rsa);
    Esys_Free(s->cred_blob_ecc);
    Esys_Free(s->cred_secret_rsa);
    Esys_Free(s->cred_secret_ecc);
    if (s->esys)
        Esys_Finalize(&s->esys);
    if (s->tcti)
        Tss2_TctiLdr_Finalize(&s->tcti);
    tpmproc_stop(&s->proc);
}

/* ------------------------------------------------------------------------ */
/* Measuring, statistics and output. */

typedef struct {
    double *samples;
    double *client; /* ESAPI's share before the send, where recorded */
    int n, n_client;
    TSS2_RC rc;      /* first failure; measuring on that TPM stopped there */
    char error[160]; /* rendered failure for the table and JSON, or "" */
    double median, p90, min, client_median;
} cell;

static void summarize(cell *c)
{
    if (c->n_client > 0)
        c->client_median = bench_median(c->client, c->n_client);
    if (c->n == 0)
        return;
    c->median = bench_median(c->samples, c->n);
    c->min = c->samples[0];
    /* Nearest-rank 90th percentile. */
    c->p90 = c->samples[(9 * c->n + 9) / 10 - 1];
}

/* Records a failure of `side` in cell c. If the TPM process died, says so
 * and disconnects so later commands report it without waiting. */
static void record_failure(cell *c, tpm_side *s, TSS2_RC rc)
{
    int status = 0;
    c->rc = rc;
    if (s->esys && tpmproc_exited(&s->proc, &status)) {
        snprintf(c->error, sizeof c->error, "%s; %s exited (%s %d)", Tss2_RC_Decode(rc),
                 s->proc.name, WIFSIGNALED(status) ? "signal" : "status",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        Esys_Finalize(&s->esys);
        s->esys = NULL;
    } else if (s->setup_failed) {
        snprintf(c->error, sizeof c->error, "setup (%s): %s", s->setup_failed,
                 Tss2_RC_Decode(rc));
    } else if (rc == BAD_ANSWER && s->wrong) {
        snprintf(c->error, sizeof c->error, "wrong answer: %s", s->wrong);
    } else {
        snprintf(c->error, sizeof c->error, "%s", Tss2_RC_Decode(rc));
    }
}

static void format_us(char *buf, size_t size, double us)
{
    if (us >= 100)
        snprintf(buf, size, "%.0f", us);
    else
        snprintf(buf, size, "%.1f", us);
}

/* "median (p90 x)", the failure, or why the TPM did not run. */
static void format_cell(char *buf, size_t size, const cell *c, const tpm_side *s)
{
    char m[32], p[32];
    if (c->error[0]) {
        snprintf(buf, size, "%s", c->error);
    } else if (c->n == 0) {
        snprintf(buf, size, "not run: %s", s->proc.error[0] ? s->proc.error : "not started");
    } else {
        format_us(m, sizeof m, c->median);
        format_us(p, sizeof p, c->p90);
        snprintf(buf, size, "%s (p90 %s)", m, p);
    }
}

/* Tenths of a microsecond are already below the timer's noise. */
static double round1(double us)
{
    return (double)(long long)(us * 10 + 0.5) / 10;
}

static json_t *cell_json(const cell *c, const tpm_side *s)
{
    if (c->error[0])
        return json_pack("{s:s, s:I, s:i}", "error", c->error, "rc", (json_int_t)c->rc,
                         "completed_runs", c->n);
    if (c->n == 0)
        return json_pack("{s:s}", "error",
                         s->proc.error[0] ? s->proc.error : "not started");
    json_t *o = json_pack("{s:f, s:f, s:f, s:i}", "median_us", round1(c->median), "p90_us",
                          round1(c->p90), "min_us", round1(c->min), "runs", c->n);
    if (c->n_client > 0)
        json_object_set_new(o, "client_before_send_median_us",
                            json_real(round1(c->client_median)));
    return o;
}

/* ------------------------------------------------------------------------ */
/* The disk under the state directories, measured in the same run (docs/
 * BENCH.md, the NV rows): medians of DISK_PROBE_RUNS interleaved runs of
 * swtpm's way to save (a 1400-byte file written, closed and renamed over
 * the old one, no fsync) and of qtpm-server's (512 bytes written over a
 * preallocated file opened with O_DSYNC, as its journal is). Each qtpm run
 * follows a swtpm run, so it also waits for the write-back the rename started
 * (see settle()). -1 when the probe could not run. */

#define DISK_PROBE_RUNS 64

typedef struct {
    double rename_us, fdatasync_us;
} disk_probe;

static disk_probe probe_disk(void)
{
    disk_probe d = {-1, -1};
    char dir[] = "/tmp/qtpm-bench-disk-XXXXXX", tmp[64], file[64], journal[64];
    static uint8_t buf[65536];
    double r[DISK_PROBE_RUNS], f[DISK_PROBE_RUNS];
    if (mkdtemp(dir) == NULL)
        return d;
    snprintf(tmp, sizeof tmp, "%s/state.tmp", dir);
    snprintf(file, sizeof file, "%s/state", dir);
    snprintf(journal, sizeof journal, "%s/journal", dir);
    int jfd = open(journal, O_RDWR | O_CREAT | O_TRUNC, 0600);
    int ok = jfd >= 0 && write(jfd, buf, sizeof buf) == (ssize_t)sizeof buf && fsync(jfd) == 0;
    if (jfd >= 0)
        close(jfd);
    jfd = ok ? open(journal, O_WRONLY | O_DSYNC) : -1;
    ok = ok && jfd >= 0;
    for (int i = 0; ok && i < DISK_PROBE_RUNS; i++) {
        buf[0] = (uint8_t)i;
        double t0 = bench_now_us();
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ok = fd >= 0 && write(fd, buf, 1400) == 1400;
        if (fd >= 0)
            ok = close(fd) == 0 && ok;
        ok = ok && rename(tmp, file) == 0;
        double t1 = bench_now_us();
        ok = ok && pwrite(jfd, buf, 512, (off_t)(i % 128) * 512) == 512;
        r[i] = t1 - t0;
        f[i] = bench_now_us() - t1;
    }
    if (ok) {
        d.rename_us = bench_median(r, DISK_PROBE_RUNS);
        d.fdatasync_us = bench_median(f, DISK_PROBE_RUNS);
    }
    if (jfd >= 0)
        close(jfd);
    unlink(journal);
    unlink(file);
    unlink(tmp);
    rmdir(dir);
    return d;
}

static json_t *disk_probe_json(disk_probe d)
{
    return json_pack("{s:f, s:f}", "write_close_rename_median_us", round1(d.rename_us),
                     "pwrite_odsync_median_us", round1(d.fdatasync_us));
}

/* Median, smallest and largest of the per-round ratios, and how many rounds
 * had qtpm slower (ratio above 1). */
typedef struct {
    int n, above;
    double median, min, max;
} round_stats;

static round_stats rounds_summary(const double *v, int n)
{
    round_stats r = {n, 0, -1, -1, -1};
    double tmp[MAX_ROUNDS];
    if (n <= 0)
        return r;
    memcpy(tmp, v, (size_t)n * sizeof(double));
    r.median = bench_median(tmp, n);
    r.min = tmp[0];
    r.max = tmp[n - 1];
    for (int i = 0; i < n; i++)
        r.above += v[i] > 1.0;
    return r;
}

static void dashes(int n)
{
    while (n-- > 0)
        putchar('-');
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: qtpm-bench-tpm [--runs N] [--keygen-runs N] [--json FILE]\n"
            "                      [--swtpm PATH] [--qtpm PATH] [--only swtpm|qtpm]\n"
            "                      [--settle] [--rounds N] [--aa] [--command TEXT]...\n"
            "  --runs N         timed runs per command (default %d)\n"
            "  --keygen-runs N  timed runs of CreatePrimary RSA-2048 (default %d)\n"
            "  --json FILE      also write the results as JSON\n"
            "  --swtpm PATH     swtpm binary (default: swtpm from PATH)\n"
            "  --qtpm PATH      qtpm-server binary (default: ../src/server/qtpm-server\n"
            "                   next to this program, skipped when absent)\n"
            "  --only NAME      measure one TPM only\n"
            "  --settle         syncfs the state directory's file system after each run\n"
            "                   of an NV command, untimed (see settle() in the source)\n"
            "  --command TEXT   run only the commands whose label contains TEXT\n"
            "                   (repeatable; default: all)\n"
            "  --rounds N       measure every command N times over (at most %d), each\n"
            "                   time --runs runs; reports the ratio of each round too\n"
            "  --aa             A/A control: a second swtpm in qtpm-server's place, so\n"
            "                   the ratios show the harness's own bias and noise\n",
            DEFAULT_RUNS, DEFAULT_KEYGEN_RUNS, MAX_ROUNDS);
}

static int parse_count(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*end != '\0' || v < 1 || v > 1000000)
        return -1;
    *out = (int)v;
    return 0;
}

int main(int argc, char **argv)
{
    int runs = DEFAULT_RUNS, keygen_runs = DEFAULT_KEYGEN_RUNS;
    const char *json_path = NULL, *only = NULL, *swtpm_arg = NULL, *qtpm_arg = NULL;
    tpm_side sides[2];
    cell cells[N_COMMANDS][2];
    char load_before[128], load_after[128], date[32];
    size_t i, k;
    int t, started = 0, ret = 0, settle_nv = 0;
    const char *filters[16];
    int n_filters = 0, rounds = 1, aa = 0;
    unsigned char selected[N_COMMANDS];
    static double round_ratio[N_COMMANDS][MAX_ROUNDS];
    int n_round_ratio[N_COMMANDS] = {0};
    time_t now;

    for (t = 1; t < argc; t++) {
        int more = t + 1 < argc;
        if (strcmp(argv[t], "--runs") == 0 && more) {
            if (parse_count(argv[++t], &runs) != 0)
                goto bad_usage;
        } else if (strcmp(argv[t], "--keygen-runs") == 0 && more) {
            if (parse_count(argv[++t], &keygen_runs) != 0)
                goto bad_usage;
        } else if (strcmp(argv[t], "--json") == 0 && more) {
            json_path = argv[++t];
        } else if (strcmp(argv[t], "--swtpm") == 0 && more) {
            swtpm_arg = argv[++t];
        } else if (strcmp(argv[t], "--qtpm") == 0 && more) {
            qtpm_arg = argv[++t];
        } else if (strcmp(argv[t], "--only") == 0 && more) {
            only = argv[++t];
            if (strcmp(only, "swtpm") != 0 && strcmp(only, "qtpm") != 0)
                goto bad_usage;
        } else if (strcmp(argv[t], "--settle") == 0) {
            settle_nv = 1;
        } else if (strcmp(argv[t], "--rounds") == 0 && more) {
            if (parse_count(argv[++t], &rounds) != 0 || rounds > MAX_ROUNDS)
                goto bad_usage;
        } else if (strcmp(argv[t], "--aa") == 0) {
            aa = 1;
        } else if (strcmp(argv[t], "--command") == 0 && more) {
            if (n_filters == (int)(sizeof filters / sizeof filters[0]))
                goto bad_usage;
            filters[n_filters++] = argv[++t];
        } else if (strcmp(argv[t], "-h") == 0 || strcmp(argv[t], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            goto bad_usage;
        }
    }

    for (i = 0; i < N_COMMANDS; i++) {
        selected[i] = n_filters == 0;
        for (t = 0; t < n_filters; t++)
            if (strstr(commands[i].label, filters[t]) != NULL)
                selected[i] = 1;
    }
    for (t = 0; t < n_filters; t++) {
        int hit = 0;
        for (i = 0; i < N_COMMANDS; i++)
            hit |= strstr(commands[i].label, filters[t]) != NULL;
        if (!hit) {
            fprintf(stderr, "qtpm-bench-tpm: no command matches --command %s\n", filters[t]);
            return 2;
        }
    }

    /* ESAPI logs every error response to stderr; failures are reported in
     * the table instead. TSS2_LOG set by the caller wins. */
    setenv("TSS2_LOG", "all+none", 0);
    signal(SIGPIPE, SIG_IGN);

    memset(sides, 0, sizeof sides);
    memset(cells, 0, sizeof cells);
    for (t = 0; t < 2; t++) {
        sides[t].proc.program = "qtpm-bench-tpm";
        sides[t].proc.name = t ? "qtpm" : "swtpm";
        sides[t].proc.kind = t ? TPMPROC_QTPM : TPMPROC_SWTPM;
    }
    if (aa) {
        /* the second TPM is swtpm too, started the same way as the first */
        sides[1].proc.name = "swtpm-b";
        sides[1].proc.kind = TPMPROC_SWTPM;
        if (qtpm_arg == NULL)
            qtpm_arg = swtpm_arg;
    }

    if (swtpm_arg)
        snprintf(sides[0].proc.binary, sizeof sides[0].proc.binary, "%s", swtpm_arg);
    else if (bench_find_in_path("swtpm", sides[0].proc.binary, sizeof sides[0].proc.binary) != 0)
        snprintf(sides[0].proc.error, sizeof sides[0].proc.error,
                 "swtpm not found in PATH (Debian package swtpm)");
    if (qtpm_arg)
        snprintf(sides[1].proc.binary, sizeof sides[1].proc.binary, "%s", qtpm_arg);
    else if (aa)
        snprintf(sides[1].proc.binary, sizeof sides[1].proc.binary, "%s", sides[0].proc.binary);
    else
        bench_default_qtpm_path(sides[1].proc.binary, sizeof sides[1].proc.binary);
    if (!sides[1].proc.error[0] && access(sides[1].proc.binary, X_OK) != 0)
        snprintf(sides[1].proc.error, sizeof sides[1].proc.error,
                 "qtpm-server not built");
    if (!sides[0].proc.error[0] && access(sides[0].proc.binary, X_OK) != 0)
        snprintf(sides[0].proc.error, sizeof sides[0].proc.error, "cannot execute %.400s",
                 sides[0].proc.binary);
    for (t = 0; t < 2; t++) {
        if (only && strcmp(only, sides[t].proc.name) != 0)
            snprintf(sides[t].proc.error, sizeof sides[t].proc.error, "skipped (--only %s)",
                     only);
    }

    for (t = 0; t < 2; t++) {
        tpm_side *s = &sides[t];
        if (s->proc.error[0]) {
            printf("%s: %s (%s)\n", s->proc.name, s->proc.error,
                   s->proc.binary[0] ? s->proc.binary : "no binary");
            continue;
        }
        tpmproc_read_version(&s->proc);
        /* the second TPM keeps off the first one's ports */
        if (tpmproc_start(&s->proc, 0, t > 0 ? sides[0].proc.port : -1, -1) != 0 ||
            tpm_connect(s) != 0) {
            printf("%s: could not be started: %s\n", s->proc.name, s->proc.error);
            tpm_stop(s);
            continue;
        }
        printf("%s: %s on 127.0.0.1:%d (%s)\n", s->proc.name, s->proc.binary, s->proc.port,
               s->proc.version[0] ? s->proc.version : "version unknown");
        started++;
    }
    if (started == 0) {
        fprintf(stderr, "qtpm-bench-tpm: no TPM could be started\n");
        return 1;
    }
    if (!sides[1].esys)
        printf("qtpm: not measured; this run measures swtpm only\n");
    if (aa)
        printf("A/A control (--aa): swtpm-b is a second swtpm in qtpm-server's place\n");
    printf("client: tpm2-tss ESAPI %s, swtpm TCTI over TCP; %d runs per command "
           "(%d for CreatePrimary RSA-2048), %d warm-up runs, %d round%s\n\n",
           QTPM_TSS2_ESYS_VERSION, runs, keygen_runs, WARMUP_RUNS, rounds,
           rounds > 1 ? "s" : "");

    bench_read_loadavg(load_before, sizeof load_before);
    disk_probe disk_before = probe_disk(), disk_after;
    now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));

    for (i = 0; i < N_COMMANDS; i++) {
        int n = commands[i].keygen ? keygen_runs : runs;
        if (!selected[i])
            continue;
        for (t = 0; t < 2; t++) {
            cells[i][t].samples = calloc((size_t)n * (size_t)rounds, sizeof(double));
            cells[i][t].client = calloc((size_t)n * (size_t)rounds, sizeof(double));
            if (!cells[i][t].samples || !cells[i][t].client) {
                fprintf(stderr, "qtpm-bench-tpm: out of memory\n");
                ret = 1;
                goto out;
            }
        }
    }
    /* Each round measures every command once more (--rounds), so that a
     * command's runs fall into several stretches of the machine's load. */
    for (int round = 0; round < rounds; round++) {
        for (i = 0; i < N_COMMANDS; i++) {
            int n = commands[i].keygen ? keygen_runs : runs;
            int warm = commands[i].keygen ? 0 : WARMUP_RUNS;
            int r, first[2];

            if (!selected[i])
                continue;
            for (t = 0; t < 2; t++)
                first[t] = cells[i][t].n;
            /* Alternate the TPMs run by run, and which of them goes first,
             * so neither always runs right after the other; a TPM that
             * failed a command is not asked again for it. */
            for (r = -warm; r < n; r++) {
                for (k = 0; k < 2; k++) {
                    int who = (int)(((size_t)(r + warm + round) % 2) ^ k);
                    tpm_side *s = &sides[who];
                    cell *c = &cells[i][who];
                    TSS2_RC rc;
                    if (!s->esys || c->error[0])
                        continue;
                    s->last_us = 0;
                    s->client_us = -1;
                    s->setup_failed = NULL;
                    s->wrong = NULL;
                    rc = commands[i].run(s);
                    if (settle_nv && commands[i].nv)
                        settle(s);
                    if (rc != TSS2_RC_SUCCESS) {
                        record_failure(c, s, rc);
                    } else if (r >= 0) {
                        c->samples[c->n++] = s->last_us;
                        if (s->client_us >= 0)
                            c->client[c->n_client++] = s->client_us;
                    }
                }
            }
            for (t = 0; t < 2; t++)
                flush_fixtures(&sides[t]);
            /* this round's ratio of medians (copies: summarize sorts) */
            if (cells[i][0].n - first[0] == n && cells[i][1].n - first[1] == n &&
                !cells[i][0].error[0] && !cells[i][1].error[0]) {
                double *tmp = malloc((size_t)n * sizeof(double)), m[2];
                if (tmp == NULL) {
                    fprintf(stderr, "qtpm-bench-tpm: out of memory\n");
                    ret = 1;
                    goto out;
                }
                for (t = 0; t < 2; t++) {
                    memcpy(tmp, cells[i][t].samples + first[t], (size_t)n * sizeof(double));
                    m[t] = bench_median(tmp, n);
                }
                free(tmp);
                round_ratio[i][n_round_ratio[i]++] = m[1] / m[0];
            }
            if (isatty(STDERR_FILENO))
                fprintf(stderr, "  round %d/%d: %s done\n", round + 1, rounds,
                        commands[i].label);
        }
    }
    for (i = 0; i < N_COMMANDS; i++)
        for (t = 0; t < 2; t++)
            if (selected[i])
                summarize(&cells[i][t]);
    bench_read_loadavg(load_after, sizeof load_after);
    disk_after = probe_disk();

    /* Table. */
    {
        char text[N_COMMANDS][2][192], ratio[N_COMMANDS][32];
        int wl = (int)strlen("command"), w0 = (int)strlen("swtpm µs") - 1,
            w1 = (int)strlen("qtpm µs") - 1;
        for (i = 0; i < N_COMMANDS; i++) {
            for (t = 0; t < 2; t++)
                format_cell(text[i][t], sizeof text[i][t], &cells[i][t], &sides[t]);
            if (cells[i][0].n && cells[i][1].n && !cells[i][0].error[0] &&
                !cells[i][1].error[0])
                snprintf(ratio[i], sizeof ratio[i], "%.2f",
                         cells[i][1].median / cells[i][0].median);
            else
                snprintf(ratio[i], sizeof ratio[i], "-");
            if ((int)strlen(commands[i].label) > wl)
                wl = (int)strlen(commands[i].label);
            if ((int)strlen(text[i][0]) > w0)
                w0 = (int)strlen(text[i][0]);
            if ((int)strlen(text[i][1]) > w1)
                w1 = (int)strlen(text[i][1]);
        }
        /* "µ" is two bytes but one column: pad those headers one more. */
        printf("| %-*s | runs | %-*s | %-*s | ratio %s/swtpm |%s\n", wl, "command", w0 + 1,
               "swtpm µs", w1 + 1, aa ? "swtpm-b µs" : "qtpm µs", aa ? "swtpm-b" : "qtpm",
               rounds > 1 ? " rounds: median ratio [min-max], rounds above 1 |" : "");
        putchar('|');
        dashes(wl + 2);
        fputs("|------|", stdout);
        dashes(w0 + 2);
        putchar('|');
        dashes(w1 + 2);
        fputs(aa ? "|---------------------|" : "|------------------|", stdout);
        puts(rounds > 1 ? "----------------------------------------------------|" : "");
        for (i = 0; i < N_COMMANDS; i++) {
            if (!selected[i])
                continue;
            printf("| %-*s | %4d | %-*s | %-*s | %*s |", wl, commands[i].label,
                   (commands[i].keygen ? keygen_runs : runs) * rounds, w0, text[i][0], w1,
                   text[i][1], aa ? 19 : 16, ratio[i]);
            if (rounds > 1) {
                round_stats rs = rounds_summary(round_ratio[i], n_round_ratio[i]);
                char rb[64] = "-";
                if (rs.n > 0)
                    snprintf(rb, sizeof rb, "%.2f [%.2f-%.2f], %d of %d", rs.median, rs.min,
                             rs.max, rs.above, rs.n);
                printf(" %-50s |", rb);
            }
            putchar('\n');
        }
        printf("\nmedian and 90th percentile in microseconds per command, client call to "
               "answer; load average before: %s, after: %s\n",
               load_before, load_after);
        printf("disk under the state directories (median of %d): write+close+rename (swtpm's "
               "save) %.0f / %.0f µs, O_DSYNC pwrite (qtpm's journal record) %.0f / %.0f µs, "
               "before / after the commands\n",
               DISK_PROBE_RUNS, disk_before.rename_us, disk_after.rename_us,
               disk_before.fdatasync_us, disk_after.fdatasync_us);
        for (i = 0; i < N_COMMANDS; i++) {
            if (cells[i][0].n_client == 0 && cells[i][1].n_client == 0)
                continue;
            printf("%s: of which ESAPI's own work before sending", commands[i].label);
            for (t = 0; t < 2; t++)
                if (cells[i][t].n_client > 0)
                    printf(", %s %.1f µs", sides[t].proc.name, cells[i][t].client_median);
            printf("\n");
        }
    }

    if (json_path) {
        json_t *list = json_array(), *tpms = json_object(), *doc;
        for (t = 0; t < 2; t++) {
            tpm_side *s = &sides[t];
            json_object_set_new(
                tpms, s->proc.name,
                json_pack("{s:s, s:s, s:b, s:s}", "binary", s->proc.binary, "version",
                          s->proc.version, "measured", cells[0][t].n > 0 || cells[0][t].error[0],
                          "note", s->proc.error));
        }
        for (i = 0; i < N_COMMANDS; i++) {
            if (!selected[i])
                continue;
            json_t *e = json_pack("{s:s, s:i, s:o, s:o}", "command", commands[i].label, "runs",
                                  commands[i].keygen ? keygen_runs : runs, "swtpm",
                                  cell_json(&cells[i][0], &sides[0]), sides[1].proc.name,
                                  cell_json(&cells[i][1], &sides[1]));
            if (cells[i][0].n && cells[i][1].n && !cells[i][0].error[0] &&
                !cells[i][1].error[0])
                json_object_set_new(e, "ratio_qtpm_swtpm",
                                    json_real(cells[i][1].median / cells[i][0].median));
            if (rounds > 1 && n_round_ratio[i] > 0) {
                round_stats rs = rounds_summary(round_ratio[i], n_round_ratio[i]);
                json_t *v = json_array();
                for (int q = 0; q < n_round_ratio[i]; q++)
                    json_array_append_new(v, json_real(round_ratio[i][q]));
                json_object_set_new(e, "round_ratios", v);
                json_object_set_new(e, "round_ratio_median", json_real(rs.median));
                json_object_set_new(e, "round_ratio_min", json_real(rs.min));
                json_object_set_new(e, "round_ratio_max", json_real(rs.max));
                json_object_set_new(e, "rounds_above_1", json_integer(rs.above));
            }
            json_array_append_new(list, e);
        }
        doc = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i, s:b, s:{s:s, s:s}, s:s, s:s, s:o, s:o}",
                        "benchmark", "qtpm TPM command latency", "date", date, "unit",
                        "microseconds", "runs", runs, "keygen_runs", keygen_runs,
                        "warmup_runs", WARMUP_RUNS, "settle_nv", settle_nv, "loadavg", "before", load_before, "after",
                        load_after, "client",
                        "tpm2-tss ESAPI " QTPM_TSS2_ESYS_VERSION ", swtpm TCTI",
                        "transport", "TCP 127.0.0.1, swtpm socket protocol", "tpms", tpms,
                        "commands", list);
        if (doc) {
            json_object_set_new(doc, "rounds", json_integer(rounds));
            json_object_set_new(doc, "aa_control", json_boolean(aa));
        }
        if (doc)
            json_object_set_new(doc, "disk_probe",
                                json_pack("{s:i, s:o, s:o}", "runs", DISK_PROBE_RUNS, "before",
                                          disk_probe_json(disk_before), "after",
                                          disk_probe_json(disk_after)));
        if (!doc || json_dump_file(doc, json_path, JSON_INDENT(2) | JSON_REAL_PRECISION(8)) != 0) {
            fprintf(stderr, "qtpm-bench-tpm: cannot write %s\n", json_path);
            ret = 1;
        } else {
            printf("results written to %s\n", json_path);
        }
        json_decref(doc);
    }

out:
    for (t = 0; t < 2; t++)
        tpm_stop(&sides[t]);
    for (i = 0; i < N_COMMANDS; i++)
        for (k = 0; k < 2; k++)
            free(cells[i][k].samples), free(cells[i][k].client);
    return ret;

bad_usage:
    usage(stderr);
    return 2;
}
