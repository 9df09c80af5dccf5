/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TPM-resident TLS key against the in-process engine TPM: a TLS 1.3
 * handshake with client authentication (in-memory BIO pair, an in-test
 * OpenSSL server that requires and verifies a client certificate) succeeds
 * with the TPM key while PCR 10 has the approved value; after PCR 10 is
 * extended the TPM refuses to sign and the handshake fails; a new approval
 * for the new value makes it work again; an approval signed by another key
 * is refused by the TPM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "tlskey.h"

static const char *router_id = "r-0001";

static EVP_PKEY *gen_p256(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");
    assert_non_null(k);
    return k;
}

/* The TPM2B_PUBLIC of a software P-256 key as the NMS publishes its policy key. */
static void policy_public(EVP_PKEY *k, TPM2B_PUBLIC *pub)
{
    memset(pub, 0, sizeof *pub);
    TPMT_PUBLIC *p = &pub->publicArea;
    p->type = TPM_ALG_ECC;
    p->nameAlg = TPM_ALG_SHA256;
    p->objectAttributes = TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_USERWITHAUTH;
    p->parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    p->parameters.eccDetail.scheme.scheme = TPM_ALG_ECDSA;
    p->parameters.eccDetail.scheme.details.anySig.hashAlg = TPM_ALG_SHA256;
    p->parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
    p->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    BIGNUM *x = NULL, *y = NULL;
    assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_X, &x));
    assert_true(EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_EC_PUB_Y, &y));
    assert_int_equal(BN_bn2binpad(x, p->unique.ecc.x.buffer, 32), 32);
    assert_int_equal(BN_bn2binpad(y, p->unique.ecc.y.buffer, 32), 32);
    p->unique.ecc.x.size = p->unique.ecc.y.size = 32;
    BN_free(x);
    BN_free(y);
}

static void pcr10_sel(TPML_PCR_SELECTION *sel)
{
    memset(sel, 0, sizeof *sel);
    sel->count = 1;
    sel->pcrSelections[0].hash = TPM_ALG_SHA256;
    sel->pcrSelections[0].sizeofSelect = 3;
    sel->pcrSelections[0].pcrSelect[1] = 1u << 2;
}

/* What the NMS does for good values: approve PolicyPCR(sel, current values). */
static void approve(qtpm_tss *t, EVP_PKEY *signer, agent_tlskey *k)
{
    TPML_PCR_SELECTION sel;
    pcr10_sel(&sel);
    TPM2B_DIGEST v, comp, pol;
    size_t n = 0;
    assert_int_equal(qtpm_tss_pcr_read_all(t, &sel, &v, 1, &n), QTPM_OK);
    assert_int_equal(qtpm_tss_pcr_composite(TPM_ALG_SHA256, &v, 1, &comp), QTPM_OK);
    assert_int_equal(qtpm_tss_policy_start(TPM_ALG_SHA256, &pol), QTPM_OK);
    assert_int_equal(qtpm_tss_policy_pcr(TPM_ALG_SHA256, &pol, &sel, &comp), QTPM_OK);
    uint8_t msg[64 + 64];
    memcpy(msg, pol.buffer, pol.size);
    memcpy(msg + pol.size, router_id, strlen(router_id));
    uint8_t der[128];
    size_t dl = sizeof der;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_true(EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, signer));
    assert_true(EVP_DigestSign(md, der, &dl, msg, pol.size + strlen(router_id)));
    EVP_MD_CTX_free(md);
    const unsigned char *p = der;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)dl);
    assert_non_null(es);
    TPMT_SIGNATURE sig;
    memset(&sig, 0, sizeof sig);
    sig.sigAlg = TPM_ALG_ECDSA;
    sig.signature.ecdsa.hash = TPM_ALG_SHA256;
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(es), sig.signature.ecdsa.signatureR.buffer, 32), 32);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(es), sig.signature.ecdsa.signatureS.buffer, 32), 32);
    sig.signature.ecdsa.signatureR.size = sig.signature.ecdsa.signatureS.size = 32;
    ECDSA_SIG_free(es);
    agent_tlskey_set_approval(k, &sel, &pol, &sig);
}

static X509 *make_cert(EVP_PKEY *subject, EVP_PKEY *issuer_key, X509 *issuer, const char *cn)
{
    X509 *c = X509_new();
    assert_non_null(c);
    ASN1_INTEGER_set(X509_get_serialNumber(c), 1);
    X509_gmtime_adj(X509_getm_notBefore(c), -60);
    X509_gmtime_adj(X509_getm_notAfter(c), 3600);
    X509_set_pubkey(c, subject);
    X509_NAME *nm = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(nm, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(c, issuer ? X509_get_subject_name(issuer) : nm);
    assert_true(X509_sign(c, issuer_key, EVP_sha256()) > 0);
    return c;
}

/* One in-memory handshake: 1 when both sides complete. */
static int handshake(SSL_CTX *sctx, X509 *client_cert, EVP_PKEY *client_key)
{
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    assert_non_null(cctx);
    assert_int_equal(SSL_CTX_use_certificate(cctx, client_cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(cctx, client_key), 1);
    SSL *c = SSL_new(cctx), *s = SSL_new(sctx);
    BIO *bc = NULL, *bs = NULL;
    assert_int_equal(BIO_new_bio_pair(&bc, 0, &bs, 0), 1);
    SSL_set_bio(c, bc, bc);
    SSL_set_bio(s, bs, bs);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    int done_c = 0, done_s = 0, failed = 0;
    for (int i = 0; i < 100 && !(done_c && done_s) && !failed; i++) {
        if (!done_c) {
            int r = SSL_do_handshake(c);
            if (r == 1)
                done_c = 1;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                failed = 1;
        }
        if (!done_s) {
            int r = SSL_do_handshake(s);
            if (r == 1)
                done_s = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                failed = 1;
        }
    }
    /* TLS 1.3: the server learns of the client certificate in its last flight */
    int ok = done_c && done_s && !failed && SSL_get0_peer_certificate(s) != NULL &&
             SSL_get_verify_result(s) == X509_V_OK;
    SSL_free(c);
    SSL_free(s);
    SSL_CTX_free(cctx);
    ERR_clear_error();
    return ok;
}

static void test_tls_with_tpm_key(void **st)
{
    (void)st;
    qtpm_tss *t = NULL;
    assert_int_equal(qtpm_tss_new("engine:", &t), QTPM_OK);
    assert_int_equal(qtpm_tss_Startup(t, TPM_SU_CLEAR), QTPM_OK);
    qtpm_tss_key srk;
    assert_int_equal(qtpm_tss_create_srk(t, TPM_ALG_ECC, NULL, &srk), QTPM_OK);

    EVP_PKEY *nms_policy = gen_p256(), *other = gen_p256(), *ca_key = gen_p256(),
             *srv_key = gen_p256();
    TPM2B_PUBLIC ppub;
    policy_public(nms_policy, &ppub);

    agent_tlskey k;
    TPM2B_PRIVATE priv;
    assert_int_equal(agent_tlskey_create(&k, t, srk.handle, &ppub, router_id, &priv), QTPM_OK);
    assert_int_equal(k.pub.publicArea.objectAttributes & TPMA_OBJECT_USERWITHAUTH, 0);
    TPM2B_DIGEST want;
    assert_int_equal(agent_tlskey_policy(&ppub, router_id, &want), QTPM_OK);
    assert_memory_equal(k.pub.publicArea.authPolicy.buffer, want.buffer, 32);

    /* the AK certifies the TLS key over a nonce, as POST tls-key needs */
    qtpm_tss_key ek, ak;
    assert_int_equal(qtpm_tss_create_ek(t, TPM_ALG_ECC, NULL, &ek), QTPM_OK);
    assert_int_equal(qtpm_tss_create_ak(t, &ek, TPM_ALG_ECC, NULL, NULL, &ak, NULL), QTPM_OK);
    TPM2B_DATA nonce;
    memset(&nonce, 0, sizeof nonce);
    nonce.size = 16;
    memset(nonce.buffer, 0x42, 16);
    TPM2B_ATTEST info;
    TPMT_SIGNATURE csig;
    assert_int_equal(agent_tlskey_certify(&k, &ak, NULL, &nonce, &info, &csig), QTPM_OK);
    assert_int_equal(qtpm_tss_verify_signature(&ak.pub.publicArea, info.buffer, info.size,
                                               &csig), QTPM_OK);
    /* the attestation names the TLS key and carries the nonce */
    assert_non_null(memmem(info.buffer, info.size, k.name.buffer, k.name.size));
    assert_non_null(memmem(info.buffer, info.size, nonce.buffer, nonce.size));
    /* what the NMS's tls-key endpoint checks (src/ras/tlskey.c) */
    assert_int_equal(qtpm_tss_certify_verify(&ak.pub.publicArea, &info, &csig, &nonce, &k.name,
                                             NULL), QTPM_OK);
    info.buffer[info.size - 1] ^= 1;
    assert_int_not_equal(qtpm_tss_verify_signature(&ak.pub.publicArea, info.buffer,
                                                   info.size, &csig), QTPM_OK);
    qtpm_tss_FlushContext(t, ak.handle);
    qtpm_tss_FlushContext(t, ek.handle);

    EVP_PKEY *tpm_pkey = agent_tlskey_evp(&k);
    assert_non_null(tpm_pkey);
    X509 *ca = make_cert(ca_key, ca_key, NULL, "test privacy CA");
    X509 *client = make_cert(tpm_pkey, ca_key, ca, router_id);
    X509 *srv = make_cert(srv_key, srv_key, NULL, "nms");

    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
    assert_non_null(sctx);
    assert_int_equal(SSL_CTX_use_certificate(sctx, srv), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(sctx, srv_key), 1);
    assert_int_equal(X509_STORE_add_cert(SSL_CTX_get_cert_store(sctx), ca), 1);
    SSL_CTX_set_verify(sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);

    /* no approval yet: the agent cannot sign */
    assert_int_equal(handshake(sctx, client, tpm_pkey), 0);

    approve(t, nms_policy, &k);
    assert_int_equal(handshake(sctx, client, tpm_pkey), 1);
    assert_int_equal(handshake(sctx, client, tpm_pkey), 1);

    /* an unknown file is measured: PCR 10 moves to a value the NMS never approved */
    TPML_DIGEST_VALUES dv;
    memset(&dv, 0, sizeof dv);
    dv.count = 1;
    dv.digests[0].hashAlg = TPM_ALG_SHA256;
    memset(dv.digests[0].digest.sha256, 0x5a, 32);
    qtpm_tss_auths pw = { 1, { { NULL, NULL } } };
    assert_int_equal(qtpm_tss_PCR_Extend(t, &pw, 10, &dv), QTPM_OK);
    k.last_rc = 0;
    assert_int_equal(handshake(sctx, client, tpm_pkey), 0);
    assert_int_not_equal(k.last_rc, 0); /* the TPM refused (PolicyAuthorize) */

    /* an approval signed by someone else is refused by VerifySignature */
    approve(t, other, &k);
    k.last_rc = 0;
    assert_int_equal(handshake(sctx, client, tpm_pkey), 0);
    assert_int_not_equal(k.last_rc, 0);

    /* the NMS approves the new value: the key works again */
    approve(t, nms_policy, &k);
    assert_int_equal(handshake(sctx, client, tpm_pkey), 1);

    SSL_CTX_free(sctx);
    X509_free(ca);
    X509_free(client);
    X509_free(srv);
    EVP_PKEY_free(tpm_pkey);
    EVP_PKEY_free(nms_policy);
    EVP_PKEY_free(other);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(srv_key);
    qtpm_tss_FlushContext(t, k.key);
    qtpm_tss_FlushContext(t, srk.handle);
    qtpm_tss_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_tls_with_tpm_key) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
