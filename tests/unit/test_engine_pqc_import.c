/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_pqc_import.c — Duplicate and Import with a v1.85 ML-KEM-768
 * storage key as the new parent (Part 1 §23.3, Part 3 §13.1/§13.3, and the
 * ML-KEM secret sharing of docs/PQC.md: inSymSeed is an ML-KEM ciphertext
 * c, seed = KDFa(nameAlg, K, "DUPLICATE", c, ek, bits)).
 *
 * A sealed keyedhash object made under an ECC P-256 parent is duplicated by
 * the TPM to the ML-KEM parent (with and without an inner wrapper),
 * imported, loaded and unsealed. The same object is also made entirely on
 * the caller's side here — encapsulation with qtpm/mlkem.h, the seed, the
 * outer wrapper's AES-CFB and integrity HMAC with qtpm/kdf.h and
 * qtpm/classic.h — so the engine is held to its documented construction.
 * Tampered blobs, a ciphertext of the wrong size and a ciphertext made for
 * another ML-KEM parent are refused with the codes docs/PQC.md states.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine_pqc_test.h"
#include "qtpm/classic.h"
#include "qtpm/kdf.h"
#include "qtpm/mlkem.h"

#define SEAL_DATA "sealed across an ML-KEM parent"

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* An ECC P-256 storage template (AES-128-CFB, no scheme, empty unique). */
static tmpl ecc_storage_template(void)
{
    tmpl t;
    t_head(&t, TPM_ALG_ECC, STORAGE);
    t16(&t, TPM_ALG_AES);
    t16(&t, 128);
    t16(&t, TPM_ALG_CFB);
    t16(&t, TPM_ALG_NULL); /* scheme */
    t16(&t, TPM_ECC_NIST_P256);
    t16(&t, TPM_ALG_NULL); /* kdf */
    t16(&t, 0);
    t16(&t, 0);
    return t;
}

/* PolicyCommandCode(Duplicate) from a zero digest (Part 3 §23.11). */
static void dup_policy(uint8_t policy[32])
{
    uint8_t in[40] = {0};
    put32(in + 32, TPM_CC_PolicyCommandCode);
    put32(in + 36, TPM_CC_Duplicate);
    qtpm_hash(QTPM_HASH_SHA256, in, sizeof(in), policy);
}

/* A sealed-data public area: keyedhash, fixedTPM and fixedParent clear,
 * authPolicy = PolicyCommandCode(Duplicate); unique as given (empty for a
 * template). */
static size_t sealed_public(uint8_t *p, const uint8_t *unique, uint16_t ulen)
{
    uint8_t policy[32];
    dup_policy(policy);
    cmdbuf c;
    c.n = 0;
    cb_u16(&c, TPM_ALG_KEYEDHASH);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u32(&c, A_USERWITHAUTH | A_NODA);
    cb_2b(&c, policy, 32);
    cb_u16(&c, TPM_ALG_NULL); /* scheme */
    cb_2b(&c, unique, ulen);
    memcpy(p, c.b, c.n);
    return c.n;
}

/* Name = nameAlg || H(public area). */
static void name_of(const uint8_t *pub, size_t n, uint8_t name[34])
{
    name[0] = 0;
    name[1] = (uint8_t)TPM_ALG_SHA256;
    qtpm_hash(QTPM_HASH_SHA256, pub, n, name + 2);
}

/* Create of the sealed object under parent. */
static void create_sealed(qtpm_tpm *tpm, uint32_t parent, keyblob *k)
{
    uint8_t t[128];
    size_t tn = sealed_public(t, NULL, 0);
    uint16_t dl = (uint16_t)strlen(SEAL_DATA);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Create);
    cb_u32(&c, parent);
    cb_pw(&c, "");
    cb_u16(&c, (uint16_t)(4 + dl));
    cb_u16(&c, 0); /* userAuth */
    cb_2b(&c, SEAL_DATA, dl);
    cb_2b(&c, t, (uint16_t)tn);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    const uint8_t *p = rb_2b(&r, &k->priv_len);
    memcpy(k->priv, p, k->priv_len);
    p = rb_2b(&r, &k->pub.n);
    memcpy(k->pub.b, p, k->pub.n);
    name_of(k->pub.b, k->pub.n, k->pub.name);
}

/* The duplicate and its seed as Duplicate returns them or the caller
 * builds them. */
typedef struct {
    uint8_t dup[1024];
    uint16_t dup_len;
    uint8_t seed[1600];
    uint16_t seed_len;
} dupblob;

/* Duplicate object to new_parent under a fresh PolicyCommandCode(Duplicate)
 * session (HMAC with an empty key: unbound, unsalted, no auth value). An
 * inner_key of 16 bytes asks for AES-128-CFB inner wrapping with that key. */
static uint32_t duplicate(qtpm_tpm *tpm, uint32_t object, const uint8_t oname[34],
                          uint32_t new_parent, const uint8_t pname[34],
                          const uint8_t *inner_key, dupblob *d)
{
    cmdbuf c;
    rspbuf r;
    uint8_t nonce_caller[32], nonce_tpm[32];
    for (int i = 0; i < 32; i++)
        nonce_caller[i] = (uint8_t)(0x51 + i);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&c, TPM_RH_NULL);
    cb_u32(&c, TPM_RH_NULL);
    cb_2b(&c, nonce_caller, 32);
    cb_u16(&c, 0);
    cb_u8(&c, TPM_SE_POLICY);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t sess = rb_u32(&r);
    uint16_t n;
    memcpy(nonce_tpm, rb_2b(&r, &n), 32);
    assert_int_equal(n, 32);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCommandCode);
    cb_u32(&c, sess);
    cb_u32(&c, TPM_CC_Duplicate);
    assert_int_equal(run(tpm, &c, &r), 0);

    /* parameters: encryptionKeyIn, symmetricAlg */
    cmdbuf pc;
    pc.n = 0;
    if (inner_key) {
        cb_2b(&pc, inner_key, 16);
        cb_u16(&pc, TPM_ALG_AES);
        cb_u16(&pc, 128);
        cb_u16(&pc, TPM_ALG_CFB);
    } else {
        cb_u16(&pc, 0);
        cb_u16(&pc, TPM_ALG_NULL);
    }
    /* cpHash = H(commandCode || Name(object) || Name(newParent) || params),
     * hmac = HMAC(empty, cpHash || nonceCaller || nonceTPM || attrs) */
    uint8_t cp[32], ccb[4], mac[32], msg[97];
    put32(ccb, TPM_CC_Duplicate);
    qtpm_hash_ctx h;
    qtpm_hash_init(&h, QTPM_HASH_SHA256);
    qtpm_hash_update(&h, ccb, 4);
    qtpm_hash_update(&h, oname, 34);
    qtpm_hash_update(&h, pname, 34);
    qtpm_hash_update(&h, pc.b, pc.n);
    qtpm_hash_final(&h, cp);
    memcpy(msg, cp, 32);
    memcpy(msg + 32, nonce_caller, 32);
    memcpy(msg + 64, nonce_tpm, 32);
    msg[96] = 0; /* continueSession clear: the session ends here */
    qtpm_hmac(QTPM_HASH_SHA256, NULL, 0, msg, sizeof(msg), mac);

    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Duplicate);
    cb_u32(&c, object);
    cb_u32(&c, new_parent);
    cb_u32(&c, 4 + 2 + 32 + 1 + 2 + 32);
    cb_u32(&c, sess);
    cb_2b(&c, nonce_caller, 32);
    cb_u8(&c, 0);
    cb_2b(&c, mac, 32);
    cb_bytes(&c, pc.b, pc.n);
    uint32_t rc = run(tpm, &c, &r);
    if (rc) {
        flush(tpm, sess);
        return rc;
    }
    rb_u32(&r);
    const uint8_t *q = rb_2b(&r, &n);
    assert_int_equal(n, 0); /* the caller chose the inner key, or there is none */
    q = rb_2b(&r, &d->dup_len);
    assert_true(d->dup_len <= sizeof(d->dup));
    memcpy(d->dup, q, d->dup_len);
    q = rb_2b(&r, &d->seed_len);
    assert_true(d->seed_len <= sizeof(d->seed));
    memcpy(d->seed, q, d->seed_len);
    return 0;
}

/* Import under parent; on success the new private blob goes to out. */
static uint32_t import(qtpm_tpm *tpm, uint32_t parent, const uint8_t *inner_key,
                       const pubarea *pub, const dupblob *d, keyblob *out)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Import);
    cb_u32(&c, parent);
    cb_pw(&c, "");
    cb_2b(&c, inner_key, inner_key ? 16 : 0);
    cb_2b(&c, pub->b, pub->n);
    cb_2b(&c, d->dup, d->dup_len);
    cb_2b(&c, d->seed, d->seed_len);
    if (inner_key) {
        cb_u16(&c, TPM_ALG_AES);
        cb_u16(&c, 128);
        cb_u16(&c, TPM_ALG_CFB);
    } else {
        cb_u16(&c, TPM_ALG_NULL);
    }
    uint32_t rc = run(tpm, &c, &r);
    if (rc)
        return rc;
    rb_u32(&r);
    const uint8_t *q = rb_2b(&r, &out->priv_len);
    memcpy(out->priv, q, out->priv_len);
    memcpy(&out->pub, pub, sizeof(*pub));
    return 0;
}

/* Loads the imported blob under parent and unseals it: the data must be
 * SEAL_DATA. */
static void load_unseal(qtpm_tpm *tpm, uint32_t parent, const keyblob *k)
{
    uint32_t h = 0;
    assert_int_equal(load(tpm, parent, k, &h), 0);
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Unseal);
    cb_u32(&c, h);
    cb_pw(&c, "");
    assert_int_equal(run(tpm, &c, &r), 0);
    rb_u32(&r);
    uint16_t n;
    const uint8_t *p = rb_2b(&r, &n);
    assert_int_equal(n, strlen(SEAL_DATA));
    assert_memory_equal(p, SEAL_DATA, n);
    assert_int_equal(flush(tpm, h), 0);
}

typedef struct {
    qtpm_tpm *tpm;
    uint32_t kem, kem2, ecc;
    tmpl kt;
    pubarea kp, kp2;
} fixture;

static void setup(fixture *f)
{
    f->tpm = started_tpm();
    f->kt = mlkem_template(STORAGE, 128, TPM_MLKEM_768);
    f->kem = primary(f->tpm, TPM_RH_OWNER, &f->kt, &f->kp);
    f->kem2 = primary(f->tpm, TPM_RH_ENDORSEMENT, &f->kt, &f->kp2);
    tmpl et = ecc_storage_template();
    f->ecc = primary(f->tpm, TPM_RH_OWNER, &et, NULL);
}

/* The TPM duplicates a sealed object from an ECC parent to an ML-KEM-768
 * parent, without and with an inner wrapper; Import, Load and Unseal under
 * the ML-KEM parent give the data back. */
static void test_duplicate_to_mlkem(void **state)
{
    (void)state;
    fixture *f = malloc(sizeof(*f));
    setup(f);
    keyblob *k = malloc(sizeof(*k)), *imp = malloc(sizeof(*imp));
    dupblob *d = malloc(sizeof(*d));
    create_sealed(f->tpm, f->ecc, k);
    uint32_t obj = 0;
    assert_int_equal(load(f->tpm, f->ecc, k, &obj), 0);
    const uint8_t inner[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    for (int wrap = 0; wrap < 2; wrap++) {
        const uint8_t *ik = wrap ? inner : NULL;
        assert_int_equal(duplicate(f->tpm, obj, k->pub.name, f->kem, f->kp.name, ik, d), 0);
        /* the seed is an ML-KEM-768 ciphertext */
        assert_int_equal(d->seed_len, qtpm_mlkem_ct_bytes(QTPM_MLKEM_768));
        /* outer HMAC size, then at least the sensitive area */
        assert_int_equal((d->dup[0] << 8) | d->dup[1], 32);
        assert_int_equal(import(f->tpm, f->kem, ik, &k->pub, d, imp), 0);
        load_unseal(f->tpm, f->kem, imp);
        /* the same duplicate does not import under the other ML-KEM
         * parent: its decapsulation gives an unrelated seed */
        assert_int_equal(import(f->tpm, f->kem2, ik, &k->pub, d, imp),
                         RC_PARAM(TPM_RC_INTEGRITY, 3));
    }
    qtpm_tpm_free(f->tpm);
    free(d);
    free(imp);
    free(k);
    free(f);
}

/* The caller's side of a duplication to an ML-KEM parent (docs/PQC.md and
 * Part 1 §23.3.2): the sealed object's public and sensitive areas, an
 * optional inner wrapper, then
 *   (K, c) = ML-KEM.Encaps(ek), seed = KDFa(SHA-256, K, "DUPLICATE", c, ek, 256)
 *   enc    = AES-128-CFB(KDFa(seed, "STORAGE", Name, 128), IV 0, inner)
 *   dup    = TPM2B(HMAC(KDFa(seed, "INTEGRITY", 256), enc || Name)) || enc.
 * The public area goes to pub; ct_set chooses the ML-KEM parameter set of
 * the encapsulation (its ek bytes as given). */
static void soft_duplicate(const uint8_t *ek, uint16_t ek_len, qtpm_mlkem_set ct_set,
                           const uint8_t *inner_key, pubarea *pub, dupblob *d)
{
    /* TPMT_SENSITIVE: KEYEDHASH, empty authValue, seedValue, data */
    uint8_t seed_value[32], bind[32 + 64];
    for (int i = 0; i < 32; i++)
        seed_value[i] = (uint8_t)(0xC0 ^ i);
    uint16_t dl = (uint16_t)strlen(SEAL_DATA);
    memcpy(bind, seed_value, 32);
    memcpy(bind + 32, SEAL_DATA, dl);
    uint8_t unique[32];
    qtpm_hash(QTPM_HASH_SHA256, bind, 32u + dl, unique); /* unique = H(seedValue || data) */
    pub->n = (uint16_t)sealed_public(pub->b, unique, 32);
    name_of(pub->b, pub->n, pub->name);
    cmdbuf s;
    s.n = 0;
    cb_u16(&s, 0); /* TPM2B_SENSITIVE size, patched below */
    cb_u16(&s, TPM_ALG_KEYEDHASH);
    cb_u16(&s, 0);
    cb_2b(&s, seed_value, 32);
    cb_2b(&s, SEAL_DATA, dl);
    s.b[0] = (uint8_t)((s.n - 2) >> 8);
    s.b[1] = (uint8_t)(s.n - 2);

    /* inner wrapper: AES-CFB(key, IV 0, TPM2B(H(sensitive || Name)) || sensitive) */
    uint8_t plain[512];
    size_t pl = 0;
    if (inner_key) {
        plain[0] = 0;
        plain[1] = 32;
        uint8_t hin[512];
        memcpy(hin, s.b, s.n);
        memcpy(hin + s.n, pub->name, 34);
        qtpm_hash(QTPM_HASH_SHA256, hin, s.n + 34, plain + 2);
        memcpy(plain + 34, s.b, s.n);
        pl = 34 + s.n;
        uint8_t iv[16] = {0};
        assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CFB, inner_key, 16, iv, plain, plain, pl), 0);
    } else {
        memcpy(plain, s.b, s.n);
        pl = s.n;
    }

    /* the seed, shared by encapsulation */
    uint8_t ss[32], seed[32], sym[16], hkey[32], iv[16] = {0};
    assert_int_equal(qtpm_mlkem_encaps(ct_set, ek, ek_len, d->seed, ss), 0);
    d->seed_len = (uint16_t)qtpm_mlkem_ct_bytes(ct_set);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, ss, 32, (const uint8_t *)"DUPLICATE", 9, d->seed,
                               d->seed_len, ek, ek_len, 256, seed),
                     0);
    /* outer wrapper */
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, seed, 32, (const uint8_t *)"STORAGE", 7, pub->name,
                               34, NULL, 0, 128, sym),
                     0);
    assert_int_equal(qtpm_kdfa(QTPM_HASH_SHA256, seed, 32, (const uint8_t *)"INTEGRITY", 9, NULL, 0,
                               NULL, 0, 256, hkey),
                     0);
    uint8_t *enc = d->dup + 34;
    assert_int_equal(qtpm_aes_encrypt(QTPM_SYM_CFB, sym, 16, iv, plain, enc, pl), 0);
    uint8_t min[512 + 34];
    memcpy(min, enc, pl);
    memcpy(min + pl, pub->name, 34);
    d->dup[0] = 0;
    d->dup[1] = 32;
    assert_int_equal(qtpm_hmac(QTPM_HASH_SHA256, hkey, 32, min, pl + 34, d->dup + 2), 0);
    d->dup_len = (uint16_t)(34 + pl);
}

/* An object built and wrapped on the caller's side imports under the
 * ML-KEM parent and unseals; a duplicate for another ML-KEM parent, a
 * tampered duplicate, a tampered ciphertext and ciphertexts of the wrong
 * size are refused. */
static void test_soft_import(void **state)
{
    (void)state;
    fixture *f = malloc(sizeof(*f));
    setup(f);
    uint16_t ekl, ekl2;
    const uint8_t *ek = pub_key(&f->kp, &f->kt, &ekl);
    const uint8_t *ek2 = pub_key(&f->kp2, &f->kt, &ekl2);
    assert_int_equal(ekl, qtpm_mlkem_ek_bytes(QTPM_MLKEM_768));
    pubarea *pub = malloc(sizeof(*pub));
    keyblob *imp = malloc(sizeof(*imp));
    dupblob *d = malloc(sizeof(*d)), *bad = malloc(sizeof(*bad));
    const uint8_t inner[16] = {0xF0, 1, 0xE2, 3, 0xD4, 5, 0xC6, 7, 0xB8, 9, 0xAA, 11, 0x9C, 13, 0x8E, 15};
    for (int wrap = 0; wrap < 2; wrap++) {
        const uint8_t *ik = wrap ? inner : NULL;
        soft_duplicate(ek, ekl, QTPM_MLKEM_768, ik, pub, d);
        assert_int_equal(import(f->tpm, f->kem, ik, pub, d, imp), 0);
        load_unseal(f->tpm, f->kem, imp);

        /* one flipped bit in the encrypted sensitive area, then in the HMAC */
        memcpy(bad, d, sizeof(*d));
        bad->dup[bad->dup_len - 1] ^= 0x01;
        assert_int_equal(import(f->tpm, f->kem, ik, pub, bad, imp), RC_PARAM(TPM_RC_INTEGRITY, 3));
        memcpy(bad, d, sizeof(*d));
        bad->dup[2] ^= 0x80;
        assert_int_equal(import(f->tpm, f->kem, ik, pub, bad, imp), RC_PARAM(TPM_RC_INTEGRITY, 3));
        /* a changed ciphertext decapsulates (implicit rejection) to another seed */
        memcpy(bad, d, sizeof(*d));
        bad->seed[100] ^= 0x04;
        assert_int_equal(import(f->tpm, f->kem, ik, pub, bad, imp), RC_PARAM(TPM_RC_INTEGRITY, 3));
        /* made for the other ML-KEM-768 parent: wrong seed here, right there */
        soft_duplicate(ek2, ekl2, QTPM_MLKEM_768, ik, pub, bad);
        assert_int_equal(import(f->tpm, f->kem, ik, pub, bad, imp), RC_PARAM(TPM_RC_INTEGRITY, 3));
        assert_int_equal(import(f->tpm, f->kem2, ik, pub, bad, imp), 0);
        load_unseal(f->tpm, f->kem2, imp);
    }

    /* a ciphertext of the wrong size for ML-KEM-768 is TPM_RC_VALUE on
     * inSymSeed (parameter 4): one byte short, one long, an ML-KEM-1024
     * sized one, and an empty-looking 32-byte secret */
    memcpy(bad, d, sizeof(*d));
    bad->seed_len = (uint16_t)(d->seed_len - 1);
    assert_int_equal(import(f->tpm, f->kem, inner, pub, bad, imp), RC_PARAM(TPM_RC_VALUE, 4));
    bad->seed_len = (uint16_t)(d->seed_len + 1);
    bad->seed[d->seed_len] = 0;
    assert_int_equal(import(f->tpm, f->kem, inner, pub, bad, imp), RC_PARAM(TPM_RC_VALUE, 4));
    bad->seed_len = (uint16_t)qtpm_mlkem_ct_bytes(QTPM_MLKEM_1024);
    memset(bad->seed, 0x5A, bad->seed_len);
    assert_int_equal(import(f->tpm, f->kem, inner, pub, bad, imp), RC_PARAM(TPM_RC_VALUE, 4));
    bad->seed_len = 32;
    assert_int_equal(import(f->tpm, f->kem, inner, pub, bad, imp), RC_PARAM(TPM_RC_VALUE, 4));

    /* the public area is bound by the Name: the same duplicate with one
     * bit of authPolicy changed fails the outer integrity check */
    memcpy(bad, d, sizeof(*d));
    pubarea *pub2 = malloc(sizeof(*pub2));
    memcpy(pub2, pub, sizeof(*pub));
    pub2->b[12] ^= 0x01; /* a byte of the authPolicy digest */
    assert_int_equal(import(f->tpm, f->kem, inner, pub2, bad, imp), RC_PARAM(TPM_RC_INTEGRITY, 3));
    free(pub2);

    qtpm_tpm_free(f->tpm);
    free(bad);
    free(d);
    free(imp);
    free(pub);
    free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duplicate_to_mlkem),
        cmocka_unit_test(test_soft_import),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
