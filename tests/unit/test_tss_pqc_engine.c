/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tss_pqc_engine.c — libqtss's post-quantum flows against qtpm's own
 * TPM in-process (the "engine:" TCTI): every command goes through the TSS's
 * marshalling and sessions into the engine's v1.85 code.
 *
 * What it shows: an ML-KEM-768 EK and an ML-DSA-44 AK are created with the
 * task layer's templates; MakeCredential computed in software for the
 * ML-KEM EK is recovered by the TPM's ActivateCredential, and not with
 * another EK or for another name; the TPM's own MakeCredential agrees with
 * ours; a quote signed by the ML-DSA AK verifies in software (and a
 * changed one does not); a certification too; an encapsulation made in
 * software to the TPM key's public key is opened by TPM2_Decapsulate with
 * the same shared secret, and TPM2_Encapsulate's ciphertext by the TPM's
 * own Decapsulate; SignDigest / VerifyDigestSignature and the sign / verify
 * sequences round-trip, and their signatures verify with our FIPS 204 code;
 * an ML-KEM-salted session authorizes and encrypts parameters; and the
 * negative cases: a ciphertext of the wrong size, an unknown parameter set,
 * a signature from another key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/classic.h"
#include "qtpm/marshal.h"
#include "qtpm/mldsa.h"
#include "qtpm/mlkem.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "testutil.h"

static qtpm_tss *T;
static qtpm_tss_key ek;  /* ML-KEM-768 EK */
static qtpm_tss_key ak;  /* ML-DSA-44 AK under the EK */

static TPM_RC rc_base(int rc)
{
    TPM_RC r = (TPM_RC)rc;
    return (r & RC_FMT1) ? (r & 0xBFU) : r;
}

static int group_setup(void **state)
{
    (void)state;
    if (qtpm_tss_new("engine:", &T) != QTPM_OK || qtpm_tss_Startup(T, TPM_SU_CLEAR) != QTPM_OK)
        return -1;
    if (qtpm_tss_create_ek(T, TPM_ALG_MLKEM, NULL, &ek) != QTPM_OK)
        return -1;
    return qtpm_tss_create_ak(T, &ek, TPM_ALG_MLDSA, NULL, NULL, &ak, NULL) == QTPM_OK ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    qtpm_tss_free(T);
    return 0;
}

/* A loaded key from a template, under the EK's sibling: a primary in the
 * owner hierarchy (no policy needed). */
static void primary(const TPMT_PUBLIC *tmpl, qtpm_tss_key *k)
{
    TPM2B_PUBLIC in;
    memset(&in, 0, sizeof in);
    in.publicArea = *tmpl;
    assert_int_equal(qtpm_tss_CreatePrimary(T, NULL, TPM_RH_OWNER, NULL, &in, NULL, NULL,
                                            &k->handle, &k->pub, NULL, NULL, NULL, &k->name), 0);
}

static void test_keys_created(void **state)
{
    (void)state;
    const TPMT_PUBLIC *e = &ek.pub.publicArea, *a = &ak.pub.publicArea;
    assert_int_equal(e->type, TPM_ALG_MLKEM);
    assert_int_equal(e->parameters.mlkemDetail.parameterSet, TPM_MLKEM_768);
    assert_int_equal(e->unique.mlkem.size, 1184);
    assert_int_equal(qtpm_mlkem_check_ek(QTPM_MLKEM_768, e->unique.mlkem.buffer, 1184), 0);
    assert_int_equal(a->type, TPM_ALG_MLDSA);
    assert_int_equal(a->parameters.mldsaDetail.parameterSet, TPM_MLDSA_44);
    assert_int_equal(a->unique.mldsa.size, 1312);
    /* the names the TPM reported match the public areas */
    TPM2B_NAME n;
    assert_int_equal(qtpm_tss_public_name(a, &n), 0);
    assert_int_equal(n.size, ak.name.size);
    assert_memory_equal(n.buffer, ak.name.buffer, n.size);
    /* the EK is a primary: the same template gives the same key again */
    qtpm_tss_key again;
    assert_int_equal(qtpm_tss_create_ek(T, TPM_ALG_MLKEM, NULL, &again), 0);
    assert_memory_equal(again.pub.publicArea.unique.mlkem.buffer, e->unique.mlkem.buffer, 1184);
    assert_int_equal(qtpm_tss_FlushContext(T, again.handle), 0);
}

static void test_credential_mlkem_ek(void **state)
{
    (void)state;
    TPM2B_DIGEST cred = { 32, { 0 } }, back;
    memcpy(cred.buffer, "PQC credential for an ML-DSA AK.", 32);
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    assert_int_equal(qtpm_tss_make_credential(&ek.pub.publicArea, &ak.name, &cred, &blob, &secret),
                     0);
    assert_int_equal(secret.size, 1088);
    assert_int_equal(qtpm_tss_activate_credential(T, &ak, NULL, &ek, NULL, &blob, &secret, &back),
                     0);
    assert_int_equal(back.size, 32);
    assert_memory_equal(back.buffer, cred.buffer, 32);

    /* made for another EK (same template, other seed: an ML-KEM key of our
     * own with the EK's parameters): the TPM's integrity check fails */
    TPMT_PUBLIC other = ek.pub.publicArea;
    assert_int_equal(qtpm_mlkem_keygen(QTPM_MLKEM_768, other.unique.mlkem.buffer, NULL, NULL), 0);
    assert_int_equal(qtpm_tss_make_credential(&other, &ak.name, &cred, &blob, &secret), 0);
    assert_int_equal(rc_base(qtpm_tss_activate_credential(T, &ak, NULL, &ek, NULL, &blob, &secret,
                                                          &back)), TPM_RC_INTEGRITY);
    /* made for another name: refused too */
    TPM2B_NAME wrong = ak.name;
    wrong.buffer[wrong.size - 1] ^= 1;
    assert_int_equal(qtpm_tss_make_credential(&ek.pub.publicArea, &wrong, &cred, &blob, &secret),
                     0);
    assert_int_equal(rc_base(qtpm_tss_activate_credential(T, &ak, NULL, &ek, NULL, &blob, &secret,
                                                          &back)), TPM_RC_INTEGRITY);
    /* a secret of the wrong size for ML-KEM-768 */
    assert_int_equal(qtpm_tss_make_credential(&ek.pub.publicArea, &ak.name, &cred, &blob, &secret),
                     0);
    secret.size = 1000;
    int rc = qtpm_tss_activate_credential(T, &ak, NULL, &ek, NULL, &blob, &secret, &back);
    assert_true(rc > 0);

    /* the TPM's own MakeCredential (public key only) feeds our ActivateCredential */
    assert_int_equal(qtpm_tss_MakeCredential(T, NULL, ek.handle, &cred, &ak.name, &blob, &secret),
                     0);
    assert_int_equal(secret.size, 1088);
    assert_int_equal(qtpm_tss_activate_credential(T, &ak, NULL, &ek, NULL, &blob, &secret, &back),
                     0);
    assert_memory_equal(back.buffer, cred.buffer, 32);
}

static void sel_sha256(TPML_PCR_SELECTION *sel, unsigned mask)
{
    memset(sel, 0, sizeof *sel);
    sel->count = 1;
    sel->pcrSelections[0].hash = TPM_ALG_SHA256;
    sel->pcrSelections[0].sizeofSelect = 3;
    sel->pcrSelections[0].pcrSelect[0] = (BYTE)mask;
    sel->pcrSelections[0].pcrSelect[1] = (BYTE)(mask >> 8);
    sel->pcrSelections[0].pcrSelect[2] = (BYTE)(mask >> 16);
}

static void test_quote_mldsa_ak(void **state)
{
    (void)state;
    TPML_PCR_SELECTION sel;
    sel_sha256(&sel, 0x10003); /* PCRs 0, 1, 16 */
    TPML_DIGEST_VALUES ext = { 1, { { TPM_ALG_SHA256, { .sha256 = { 0x42 } } } } };
    assert_int_equal(qtpm_tss_PCR_Extend(T, NULL, 16, &ext), 0);
    TPM2B_DIGEST values[3];
    size_t n;
    assert_int_equal(qtpm_tss_pcr_read_all(T, &sel, values, 3, &n), 0);
    assert_int_equal(n, 3);
    TPM2B_DATA nonce = { 20, "quote nonce 12345678" };
    TPM2B_ATTEST q;
    TPMT_SIGNATURE sig;
    assert_int_equal(qtpm_tss_quote(T, &ak, NULL, &nonce, &sel, &q, &sig), 0);
    assert_int_equal(sig.sigAlg, TPM_ALG_MLDSA);
    assert_int_equal(sig.signature.mldsa.size, 2420);
    TPMS_ATTEST parsed;
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &q, &sig, &nonce, &sel, values, 3,
                                           &parsed), 0);
    /* exactly FIPS 204 ML-DSA over the attestation bytes, empty context */
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_44, ak.pub.publicArea.unique.mldsa.buffer, 1312,
                                       q.buffer, q.size, NULL, 0, sig.signature.mldsa.buffer,
                                       2420), 0);
    /* changed quote, nonce, PCR value: refused */
    TPM2B_ATTEST bad = q;
    bad.buffer[10] ^= 0x01;
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &bad, &sig, &nonce, &sel, values, 3,
                                           NULL), QTPM_E_VERIFY);
    TPM2B_DATA other_nonce = nonce;
    other_nonce.buffer[0] ^= 1;
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &q, &sig, &other_nonce, &sel,
                                           values, 3, NULL), QTPM_E_VERIFY);
    ext.digests[0].digest.sha256[0] = 0x43;
    assert_int_equal(qtpm_tss_PCR_Extend(T, NULL, 16, &ext), 0);
    assert_int_equal(qtpm_tss_pcr_read_all(T, &sel, values, 3, &n), 0);
    assert_int_equal(qtpm_tss_quote_verify(&ak.pub.publicArea, &q, &sig, &nonce, &sel, values, 3,
                                           NULL), QTPM_E_VERIFY);

    /* Certify of an ML-KEM key by the AK (the EK itself cannot be
     * certified with its policy: Certify needs the ADMIN role, and
     * PolicySecret alone sets no command code) */
    TPMT_PUBLIC tmpl;
    qtpm_tss_key kem;
    assert_int_equal(qtpm_tss_template_mlkem(TPM_MLKEM_1024, 0, &tmpl), 0);
    primary(&tmpl, &kem);
    TPM2B_ATTEST c;
    assert_int_equal(qtpm_tss_certify(T, kem.handle, NULL, &ak, NULL, &nonce, &c, &sig), 0);
    assert_int_equal(sig.sigAlg, TPM_ALG_MLDSA);
    assert_int_equal(qtpm_tss_certify_verify(&ak.pub.publicArea, &c, &sig, &nonce, &kem.name,
                                             NULL), 0);
    assert_int_equal(qtpm_tss_certify_verify(&ak.pub.publicArea, &c, &sig, &nonce, &ak.name, NULL),
                     QTPM_E_VERIFY);
    c.buffer[c.size / 2] ^= 0x80;
    assert_int_equal(qtpm_tss_certify_verify(&ak.pub.publicArea, &c, &sig, &nonce, &kem.name,
                                             NULL), QTPM_E_VERIFY);
    assert_int_equal(qtpm_tss_FlushContext(T, kem.handle), 0);
}

static void test_quote_hash_mldsa(void **state)
{
    (void)state;
    TPMT_PUBLIC tmpl;
    qtpm_tss_key k;
    assert_int_equal(qtpm_tss_template_hash_mldsa(TPM_MLDSA_65, TPM_ALG_SHA384, 1, &tmpl), 0);
    primary(&tmpl, &k);
    TPML_PCR_SELECTION sel;
    sel_sha256(&sel, 0x3);
    TPM2B_DIGEST values[2];
    size_t n;
    assert_int_equal(qtpm_tss_pcr_read_all(T, &sel, values, 2, &n), 0);
    TPM2B_DATA nonce = { 4, "hash" };
    TPM2B_ATTEST q;
    TPMT_SIGNATURE sig;
    assert_int_equal(qtpm_tss_quote(T, &k, NULL, &nonce, &sel, &q, &sig), 0);
    assert_int_equal(sig.sigAlg, TPM_ALG_HASH_MLDSA);
    assert_int_equal(sig.signature.hash_mldsa.hash, TPM_ALG_SHA384);
    assert_int_equal(sig.signature.hash_mldsa.signature.size, 3309);
    assert_int_equal(qtpm_tss_quote_verify(&k.pub.publicArea, &q, &sig, &nonce, &sel, values, 2,
                                           NULL), 0);
    q.buffer[q.size - 1] ^= 1;
    assert_int_equal(qtpm_tss_quote_verify(&k.pub.publicArea, &q, &sig, &nonce, &sel, values, 2,
                                           NULL), QTPM_E_VERIFY);
    assert_int_equal(qtpm_tss_FlushContext(T, k.handle), 0);
}

static void test_encapsulate_decapsulate(void **state)
{
    (void)state;
    TPMT_PUBLIC tmpl;
    qtpm_tss_key k;
    assert_int_equal(qtpm_tss_template_mlkem(TPM_MLKEM_768, 0, &tmpl), 0);
    primary(&tmpl, &k);
    const TPMT_PUBLIC *p = &k.pub.publicArea;

    /* software encapsulation to the TPM key -> TPM Decapsulate: same secret */
    TPM2B_KEM_CIPHERTEXT ct;
    TPM2B_SHARED_SECRET ss;
    uint8_t mine[32];
    ct.size = 1088;
    assert_int_equal(qtpm_mlkem_encaps(QTPM_MLKEM_768, p->unique.mlkem.buffer, p->unique.mlkem.size,
                                       ct.buffer, mine), 0);
    assert_int_equal(qtpm_tss_Decapsulate(T, NULL, k.handle, &ct, &ss), 0);
    assert_int_equal(ss.size, 32);
    assert_memory_equal(ss.buffer, mine, 32);
    /* a changed ciphertext: implicit rejection, a different secret, no error */
    ct.buffer[7] ^= 1;
    assert_int_equal(qtpm_tss_Decapsulate(T, NULL, k.handle, &ct, &ss), 0);
    assert_memory_not_equal(ss.buffer, mine, 32);
    /* a ciphertext of the wrong size is refused */
    ct.size = 1087;
    assert_true(qtpm_tss_Decapsulate(T, NULL, k.handle, &ct, &ss) > 0);
    ct.size = 1568; /* an ML-KEM-1024 ciphertext for an ML-KEM-768 key */
    assert_true(qtpm_tss_Decapsulate(T, NULL, k.handle, &ct, &ss) > 0);

    /* TPM Encapsulate: we hold no private key (a fresh key of our own opens
     * nothing), but the TPM's Decapsulate of its own ciphertext matches */
    TPM2B_SHARED_SECRET ss1, ss2;
    assert_int_equal(qtpm_tss_Encapsulate(T, NULL, k.handle, &ss1, &ct), 0);
    assert_int_equal(ss1.size, 32);
    assert_int_equal(ct.size, 1088);
    static uint8_t dk[2400], ek2[1184];
    assert_int_equal(qtpm_mlkem_keygen(QTPM_MLKEM_768, ek2, dk, NULL), 0);
    assert_int_equal(qtpm_mlkem_decaps(QTPM_MLKEM_768, dk, sizeof dk, ct.buffer, ct.size, mine), 0);
    assert_memory_not_equal(mine, ss1.buffer, 32);
    assert_int_equal(qtpm_tss_Decapsulate(T, NULL, k.handle, &ct, &ss2), 0);
    assert_memory_equal(ss1.buffer, ss2.buffer, 32);
    /* two encapsulations differ */
    TPM2B_KEM_CIPHERTEXT ct2;
    assert_int_equal(qtpm_tss_Encapsulate(T, NULL, k.handle, &ss2, &ct2), 0);
    assert_memory_not_equal(ss1.buffer, ss2.buffer, 32);

    /* a signing key cannot decapsulate */
    assert_true(qtpm_tss_Decapsulate(T, NULL, ak.handle, &ct, &ss) > 0);
    assert_int_equal(qtpm_tss_FlushContext(T, k.handle), 0);
}

static void test_wrong_parameter_set(void **state)
{
    (void)state;
    TPMT_PUBLIC tmpl;
    qtpm_tss_key k;
    assert_int_equal(qtpm_tss_template_mlkem(TPM_MLKEM_768, 0, &tmpl), 0);
    tmpl.parameters.mlkemDetail.parameterSet = 4;
    TPM2B_PUBLIC in;
    memset(&in, 0, sizeof in);
    in.publicArea = tmpl;
    int rc = qtpm_tss_CreatePrimary(T, NULL, TPM_RH_OWNER, NULL, &in, NULL, NULL, &k.handle,
                                    &k.pub, NULL, NULL, NULL, &k.name);
    assert_int_equal(rc_base(rc), TPM_RC_PARMS);
    assert_int_equal(qtpm_tss_template_mldsa(TPM_MLDSA_44, 0, 0, &in.publicArea), 0);
    in.publicArea.parameters.mldsaDetail.parameterSet = 0;
    rc = qtpm_tss_CreatePrimary(T, NULL, TPM_RH_OWNER, NULL, &in, NULL, NULL, &k.handle, &k.pub,
                                NULL, NULL, NULL, &k.name);
    assert_int_equal(rc_base(rc), TPM_RC_PARMS);
}

static void test_sign_verify_digest(void **state)
{
    (void)state;
    /* HashML-DSA-44/SHA-256: SignDigest of PH(M) with a context */
    TPMT_PUBLIC tmpl;
    qtpm_tss_key k;
    assert_int_equal(qtpm_tss_template_hash_mldsa(TPM_MLDSA_44, TPM_ALG_SHA256, 0, &tmpl), 0);
    primary(&tmpl, &k);
    const char *msg = "message signed by digest";
    TPM2B_DIGEST d = { 32, { 0 } };
    assert_int_equal(qtpm_hash(QTPM_HASH_SHA256, (const uint8_t *)msg, strlen(msg), d.buffer), 0);
    TPM2B_SIGNATURE_CTX ctx = { 7, "context" };
    TPMT_SIGNATURE sig;
    TPMT_TK_VERIFIED tk;
    assert_int_equal(qtpm_tss_SignDigest(T, NULL, k.handle, &ctx, &d, NULL, &sig), 0);
    assert_int_equal(sig.sigAlg, TPM_ALG_HASH_MLDSA);
    assert_int_equal(qtpm_tss_VerifyDigestSignature(T, NULL, k.handle, &ctx, &d, &sig, &tk), 0);
    assert_int_equal(tk.tag, TPM_ST_DIGEST_VERIFIED);
    /* our FIPS 204 code agrees */
    assert_int_equal(qtpm_hashmldsa_verify(QTPM_MLDSA_44, k.pub.publicArea.unique.mldsa.buffer,
                                           1312, QTPM_PH_SHA256, (const uint8_t *)msg, strlen(msg),
                                           ctx.buffer, ctx.size,
                                           sig.signature.hash_mldsa.signature.buffer,
                                           sig.signature.hash_mldsa.signature.size), 0);
    /* another context, digest or signature: TPM_RC_SIGNATURE */
    TPM2B_SIGNATURE_CTX ctx2 = { 7, "CONTEXT" };
    assert_int_equal(rc_base(qtpm_tss_VerifyDigestSignature(T, NULL, k.handle, &ctx2, &d, &sig,
                                                            &tk)), TPM_RC_SIGNATURE);
    d.buffer[0] ^= 1;
    assert_int_equal(rc_base(qtpm_tss_VerifyDigestSignature(T, NULL, k.handle, &ctx, &d, &sig,
                                                            &tk)), TPM_RC_SIGNATURE);
    d.buffer[0] ^= 1;
    sig.signature.hash_mldsa.signature.buffer[5] ^= 1;
    assert_int_equal(rc_base(qtpm_tss_VerifyDigestSignature(T, NULL, k.handle, &ctx, &d, &sig,
                                                            &tk)), TPM_RC_SIGNATURE);
    /* a digest of the wrong size for the pre-hash */
    d.size = 20;
    assert_true(qtpm_tss_SignDigest(T, NULL, k.handle, &ctx, &d, NULL, &sig) > 0);
    assert_int_equal(qtpm_tss_FlushContext(T, k.handle), 0);

    /* pure ML-DSA-65 with allowExternalMu: SignDigest of mu */
    assert_int_equal(qtpm_tss_template_mldsa(TPM_MLDSA_65, 0, 1, &tmpl), 0);
    primary(&tmpl, &k);
    TPM2B_DIGEST mu = { 64, { 0 } };
    assert_int_equal(qtpm_mldsa_compute_mu(QTPM_MLDSA_65, k.pub.publicArea.unique.mldsa.buffer,
                                           1952, (const uint8_t *)msg, strlen(msg), NULL, 0,
                                           mu.buffer), 0);
    assert_int_equal(qtpm_tss_SignDigest(T, NULL, k.handle, NULL, &mu, NULL, &sig), 0);
    assert_int_equal(sig.sigAlg, TPM_ALG_MLDSA);
    assert_int_equal(sig.signature.mldsa.size, 3309);
    assert_int_equal(qtpm_tss_VerifyDigestSignature(T, NULL, k.handle, NULL, &mu, &sig, &tk), 0);
    /* the signature is an ordinary ML-DSA signature of the message */
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_65, k.pub.publicArea.unique.mldsa.buffer, 1952,
                                       (const uint8_t *)msg, strlen(msg), NULL, 0,
                                       sig.signature.mldsa.buffer, 3309), 0);
    mu.buffer[63] ^= 1;
    assert_int_equal(rc_base(qtpm_tss_VerifyDigestSignature(T, NULL, k.handle, NULL, &mu, &sig,
                                                            &tk)), TPM_RC_SIGNATURE);
    assert_int_equal(qtpm_tss_FlushContext(T, k.handle), 0);

    /* the restricted ML-DSA AK (no external mu) refuses SignDigest */
    assert_true(qtpm_tss_SignDigest(T, NULL, ak.handle, NULL, &mu, NULL, &sig) > 0);
}

static void test_sign_verify_sequences(void **state)
{
    (void)state;
    TPMT_PUBLIC tmpl;
    qtpm_tss_key k;
    assert_int_equal(qtpm_tss_template_mldsa(TPM_MLDSA_44, 0, 0, &tmpl), 0);
    primary(&tmpl, &k);
    /* a message longer than one buffer, in three pieces */
    static uint8_t msg[3000];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 31 + 7);
    TPM2B_AUTH seq_auth = { 3, "seq" };
    TPM2B_SIGNATURE_CTX ctx = { 5, "qtpm!" };
    TPMI_DH_OBJECT seq;
    TPMT_SIGNATURE sig;
    TPMT_TK_VERIFIED tk;
    assert_int_equal(qtpm_tss_SignSequenceStart(T, NULL, k.handle, &seq_auth, &ctx, &seq), 0);
    qtpm_tss_auths sa = { 1, { { NULL, &seq_auth } } };
    TPM2B_MAX_BUFFER part;
    part.size = 1024;
    memcpy(part.buffer, msg, 1024);
    assert_int_equal(qtpm_tss_SequenceUpdate(T, &sa, seq, &part), 0);
    memcpy(part.buffer, msg + 1024, 1024);
    assert_int_equal(qtpm_tss_SequenceUpdate(T, &sa, seq, &part), 0);
    part.size = sizeof msg - 2048;
    memcpy(part.buffer, msg + 2048, part.size);
    qtpm_tss_auths sk = { 2, { { NULL, &seq_auth }, { NULL, NULL } } };
    assert_int_equal(qtpm_tss_SignSequenceComplete(T, &sk, seq, k.handle, &part, &sig), 0);
    assert_int_equal(sig.sigAlg, TPM_ALG_MLDSA);
    /* ML-DSA over the whole message with the context */
    assert_int_equal(qtpm_mldsa_verify(QTPM_MLDSA_44, k.pub.publicArea.unique.mldsa.buffer, 1312,
                                       msg, sizeof msg, ctx.buffer, ctx.size,
                                       sig.signature.mldsa.buffer, sig.signature.mldsa.size), 0);
    /* the sequence is gone */
    assert_true(qtpm_tss_SequenceUpdate(T, &sa, seq, &part) > 0);

    /* verify sequence over the same message: a MESSAGE_VERIFIED ticket */
    assert_int_equal(qtpm_tss_VerifySequenceStart(T, NULL, k.handle, &seq_auth, NULL, &ctx, &seq),
                     0);
    for (size_t off = 0; off < sizeof msg; off += 1000) { /* other cuts than signing's */
        part.size = 1000;
        memcpy(part.buffer, msg + off, 1000);
        assert_int_equal(qtpm_tss_SequenceUpdate(T, &sa, seq, &part), 0);
    }
    assert_int_equal(qtpm_tss_VerifySequenceComplete(T, &sa, seq, k.handle, &sig, &tk), 0);
    assert_int_equal(tk.tag, TPM_ST_MESSAGE_VERIFIED);

    /* one byte different: TPM_RC_SIGNATURE */
    assert_int_equal(qtpm_tss_VerifySequenceStart(T, NULL, k.handle, &seq_auth, NULL, &ctx, &seq),
                     0);
    part.size = 1;
    part.buffer[0] = 0;
    assert_int_equal(qtpm_tss_SequenceUpdate(T, &sa, seq, &part), 0);
    assert_int_equal(rc_base(qtpm_tss_VerifySequenceComplete(T, &sa, seq, k.handle, &sig, &tk)),
                     TPM_RC_SIGNATURE);

    /* the sequence's auth is checked */
    assert_int_equal(qtpm_tss_SignSequenceStart(T, NULL, k.handle, &seq_auth, NULL, &seq), 0);
    TPM2B_AUTH wrong = { 3, "bad" };
    qtpm_tss_auths wa = { 1, { { NULL, &wrong } } };
    assert_true(qtpm_tss_SequenceUpdate(T, &wa, seq, &part) > 0);
    assert_int_equal(qtpm_tss_FlushContext(T, seq), 0);
    assert_int_equal(qtpm_tss_FlushContext(T, k.handle), 0);
}

/* An HMAC session salted with the ML-KEM EK (the salt sent as an ML-KEM
 * ciphertext) with AES-CFB parameter encryption both ways. */
static void test_mlkem_salted_session(void **state)
{
    (void)state;
    qtpm_tss_session s;
    assert_int_equal(qtpm_tss_start_session(T, TPM_SE_HMAC, TPM_ALG_SHA256, &qtpm_tss_aes128_cfb,
                                            ek.handle, &ek.pub.publicArea, TPM_RH_NULL, NULL, &s),
                     0);
    assert_int_equal(s.session_key.size, 32); /* a salted session has a key */
    s.attributes |= TPMA_SESSION_ENCRYPT;
    qtpm_tss_auths a = { 1, { { &s, NULL } } };
    TPM2B_DIGEST r1, r2;
    /* GetRandom has no authorized handle: the session is an extra one that
     * encrypts the response and proves, by its response HMAC, the salt */
    assert_int_equal(qtpm_tss_GetRandom(T, &a, 32, &r1), 0);
    assert_int_equal(qtpm_tss_GetRandom(T, &a, 32, &r2), 0);
    assert_int_equal(r1.size, 32);
    assert_memory_not_equal(r1.buffer, r2.buffer, 32);
    /* authorize a signing key's use with it, the key's auth in the HMAC */
    TPMT_PUBLIC tmpl;
    qtpm_tss_key k;
    TPM2B_SENSITIVE_CREATE sens;
    TPM2B_PUBLIC in;
    memset(&sens, 0, sizeof sens);
    memset(&in, 0, sizeof in);
    sens.sensitive.userAuth.size = 4;
    memcpy(sens.sensitive.userAuth.buffer, "pass", 4);
    assert_int_equal(qtpm_tss_template_hash_mldsa(TPM_MLDSA_44, TPM_ALG_SHA256, 0, &tmpl), 0);
    in.publicArea = tmpl;
    assert_int_equal(qtpm_tss_CreatePrimary(T, NULL, TPM_RH_OWNER, &sens, &in, NULL, NULL,
                                            &k.handle, &k.pub, NULL, NULL, NULL, &k.name), 0);
    TPM2B_DIGEST d = { 32, { 1, 2, 3 } };
    TPMT_SIGNATURE sig;
    s.attributes = (TPMA_SESSION)(s.attributes & ~TPMA_SESSION_ENCRYPT) | TPMA_SESSION_DECRYPT;
    qtpm_tss_auths ka = { 1, { { &s, &sens.sensitive.userAuth } } };
    TPM2B_SIGNATURE_CTX ctx = { 6, "secret" }; /* encrypted on the way in */
    assert_int_equal(qtpm_tss_SignDigest(T, &ka, k.handle, &ctx, &d, NULL, &sig), 0);
    assert_int_equal(qtpm_tss_VerifyDigestSignature(T, NULL, k.handle, &ctx, &d, &sig, NULL), 0);
    /* with the wrong authValue the TPM refuses */
    TPM2B_AUTH bad = { 4, "PASS" };
    qtpm_tss_auths kb = { 1, { { &s, &bad } } };
    int rc = qtpm_tss_SignDigest(T, &kb, k.handle, &ctx, &d, NULL, &sig);
    assert_true(rc_base(rc) == TPM_RC_AUTH_FAIL || rc_base(rc) == TPM_RC_BAD_AUTH);
    qtpm_tss_session_close(T, &s);
    assert_int_equal(qtpm_tss_FlushContext(T, k.handle), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_created),
        cmocka_unit_test(test_credential_mlkem_ek),
        cmocka_unit_test(test_quote_mldsa_ak),
        cmocka_unit_test(test_quote_hash_mldsa),
        cmocka_unit_test(test_encapsulate_decapsulate),
        cmocka_unit_test(test_wrong_parameter_set),
        cmocka_unit_test(test_sign_verify_digest),
        cmocka_unit_test(test_sign_verify_sequences),
        cmocka_unit_test(test_mlkem_salted_session),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
