/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_engine_profile.c — TPM profiles (src/engine/profile.c, issue 10
 * item 9): what each profile advertises through TPM2_GetCapability, the
 * response codes a disabled algorithm or command gets, and how the profile
 * is kept in, and defended by, the state.
 *
 * "Answers as if not implemented" is pinned to the code the reference
 * implementation's unmarshalling gives a value it was not built with
 * (Part 2 §6.6: a TPMI_ALG_HASH outside the implemented set is
 * TPM_RC_HASH, a TPMI_ALG_PUBLIC TPM_RC_TYPE, ...; Part 3 §5.3: an
 * unimplemented command code is TPM_RC_COMMAND_CODE), with the parameter
 * number of Part 2 §6.6.3. swtpm 0.7 (libtpms 0.9, no SHA-3) answers the
 * same for SHA-3 in the interop test tests/interop/test_profile_rc.sh.
 */
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>

#include "engine_test.h"
#include "qtpm/common.h"

#define RCP(rc, n) ((rc) | TPM_RC_P | ((uint32_t)(n) << 8))

static qtpm_tpm *profile_tpm(qtpm_store *store, const char *profile, int *rc, char *err,
                             size_t err_size)
{
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.store = *store;
    cfg.powered_on = 1;
    cfg.profile = profile;
    cfg.err = err;
    cfg.err_size = err_size;
    qtpm_tpm *tpm = NULL;
    *rc = qtpm_tpm_new(&tpm, &cfg);
    if (*rc == 0)
        assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    return tpm;
}

/* A TPM of its own, in memory, with that profile. */
static qtpm_tpm *mem_tpm(const char *profile)
{
    qtpm_store s;
    qtpm_store_memory(&s);
    int rc;
    char err[256];
    qtpm_tpm *tpm = profile_tpm(&s, profile, &rc, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "profile %s: %s\n", profile, err);
    assert_int_equal(rc, 0);
    return tpm;
}

/* GetCapability(cap, prop, count): the response, cursor at the list count. */
static uint32_t getcap(qtpm_tpm *tpm, uint32_t cap, uint32_t prop, uint32_t count, rspbuf *r)
{
    cmdbuf c;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, cap);
    cb_u32(&c, prop);
    cb_u32(&c, count);
    assert_int_equal(run(tpm, &c, r), 0);
    rb_u8(r); /* moreData */
    assert_int_equal(rb_u32(r), cap);
    return rb_u32(r);
}

static int lists_alg(qtpm_tpm *tpm, uint16_t alg)
{
    rspbuf r;
    uint32_t n = getcap(tpm, TPM_CAP_ALGS, TPM_ALG_FIRST, 1000, &r);
    int found = 0;
    for (uint32_t i = 0; i < n; i++) {
        found |= rb_u16(&r) == alg;
        rb_u32(&r);
    }
    return found;
}

/* The banks TPM_CAP_PCRS lists, as algorithm IDs. */
static uint32_t pcr_banks(qtpm_tpm *tpm, uint16_t *algs)
{
    rspbuf r;
    uint32_t n = getcap(tpm, TPM_CAP_PCRS, 0, 1, &r);
    for (uint32_t i = 0; i < n; i++) {
        algs[i] = rb_u16(&r);
        rb_bytes(&r, rb_u8(&r));
    }
    return n;
}

static uint32_t property(qtpm_tpm *tpm, uint32_t pt)
{
    rspbuf r;
    assert_int_equal(getcap(tpm, TPM_CAP_TPM_PROPERTIES, pt, 1, &r), 1);
    assert_int_equal(rb_u32(&r), pt);
    return rb_u32(&r);
}

static int lists_command(qtpm_tpm *tpm, uint32_t cc)
{
    rspbuf r;
    uint32_t n = getcap(tpm, TPM_CAP_COMMANDS, TPM_CC_FIRST, 1000, &r);
    int found = 0;
    for (uint32_t i = 0; i < n; i++)
        found |= (rb_u32(&r) & 0xFFFF) == cc;
    return found;
}

/* The vendor property (docs/SERVER.md "Profiles"): kind and name. */
static uint32_t vendor_profile(qtpm_tpm *tpm, char name[17])
{
    rspbuf r;
    assert_int_equal(getcap(tpm, TPM_CAP_VENDOR_PROPERTY, 0, 8, &r), 5);
    uint32_t kind = rb_u32(&r);
    for (int i = 0; i < 4; i++) {
        uint32_t w = rb_u32(&r);
        for (int k = 0; k < 4; k++)
            name[4 * i + k] = (char)(w >> (24 - 8 * k));
    }
    name[16] = '\0';
    return kind;
}

static uint32_t pcr_read(qtpm_tpm *tpm, uint16_t alg)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&c, 1);
    cb_u16(&c, alg);
    cb_u8(&c, 3);
    cb_u8(&c, 1), cb_u8(&c, 0), cb_u8(&c, 0);
    return run(tpm, &c, &r);
}

static uint32_t hash_cmd(qtpm_tpm *tpm, uint16_t alg)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Hash);
    cb_2b(&c, "abc", 3);
    cb_u16(&c, alg);
    cb_u32(&c, TPM_RH_OWNER);
    return run(tpm, &c, &r);
}

static uint32_t pcr_extend(qtpm_tpm *tpm, uint16_t alg, uint16_t dlen)
{
    cmdbuf c;
    rspbuf r;
    uint8_t d[64] = {1};
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&c, 16);
    cb_pw(&c, "");
    cb_u32(&c, 1);
    cb_u16(&c, alg);
    cb_bytes(&c, d, dlen);
    return run(tpm, &c, &r);
}

static uint32_t pcr_allocate(qtpm_tpm *tpm, uint16_t alg)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Allocate);
    cb_u32(&c, TPM_RH_PLATFORM);
    cb_pw(&c, "");
    cb_u32(&c, 1);
    cb_u16(&c, alg);
    cb_u8(&c, 3);
    cb_u8(&c, 0xFF), cb_u8(&c, 0xFF), cb_u8(&c, 0xFF);
    return run(tpm, &c, &r);
}

static uint32_t start_session(qtpm_tpm *tpm, uint16_t auth_hash)
{
    cmdbuf c;
    rspbuf r;
    uint8_t nonce[32] = {0};
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&c, TPM_RH_NULL);
    cb_u32(&c, TPM_RH_NULL);
    cb_2b(&c, nonce, 32);
    cb_u16(&c, 0);              /* encryptedSalt */
    cb_u8(&c, TPM_SE_HMAC);
    cb_u16(&c, TPM_ALG_NULL);   /* symmetric */
    cb_u16(&c, auth_hash);
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
        cb_u32(&c, rb_u32(&r));
        assert_int_equal(run(tpm, &c, &r), 0);
    }
    return rc;
}

/* A policy session, PolicyCommandCode(cc), flush: PolicyCommandCode's code. */
static uint32_t policy_command_code(qtpm_tpm *tpm, uint32_t cc)
{
    cmdbuf c;
    rspbuf r;
    uint8_t nonce[32] = {0};
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_StartAuthSession);
    cb_u32(&c, TPM_RH_NULL);
    cb_u32(&c, TPM_RH_NULL);
    cb_2b(&c, nonce, 32);
    cb_u16(&c, 0);
    cb_u8(&c, TPM_SE_POLICY);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ALG_SHA256);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t h = rb_u32(&r);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PolicyCommandCode);
    cb_u32(&c, h);
    cb_u32(&c, cc);
    uint32_t rc = run(tpm, &c, &r);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
    cb_u32(&c, h);
    assert_int_equal(run(tpm, &c, &r), 0);
    return rc;
}

/* CreatePrimary under the owner of a minimal template; flushes what it made. */
static uint32_t create_primary(qtpm_tpm *tpm, uint16_t type, uint16_t name_alg)
{
    cmdbuf c;
    rspbuf r;
    uint8_t t[64];
    size_t n = 0;
#define T16(v) (t[n++] = (uint8_t)((v) >> 8), t[n++] = (uint8_t)(v))
    T16(type);
    T16(name_alg);
    /* fixedTPM fixedParent sensitiveDataOrigin userWithAuth sign */
    T16(0x0004), T16(0x0072);
    T16(0); /* authPolicy */
    if (type == TPM_ALG_RSA) {
        T16(TPM_ALG_NULL), T16(TPM_ALG_NULL), T16(2048);
        t[n++] = 0, t[n++] = 0, t[n++] = 0, t[n++] = 0; /* exponent */
    } else {
        T16(TPM_ALG_NULL), T16(TPM_ALG_NULL), T16(TPM_ECC_NIST_P256), T16(TPM_ALG_NULL);
    }
    T16(0); /* unique */
    if (type == TPM_ALG_ECC)
        T16(0);
#undef T16
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u16(&c, 4), cb_u16(&c, 0), cb_u16(&c, 0); /* inSensitive */
    cb_2b(&c, t, (uint16_t)n);
    cb_u16(&c, 0); /* outsideInfo */
    cb_u32(&c, 0); /* creationPCR */
    uint32_t rc = run(tpm, &c, &r);
    if (rc == 0) {
        uint32_t h = rb_u32(&r);
        cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_FlushContext);
        cb_u32(&c, h);
        assert_int_equal(run(tpm, &c, &r), 0);
    }
    return rc;
}

static void test_profile_names(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(qtpm_profile_check("default", err, sizeof(err)), 0);
    assert_int_equal(qtpm_profile_check("compat-tss3", err, sizeof(err)), 0);
    assert_int_equal(qtpm_profile_check("{\"Name\":\"compat-tss3\"}", err, sizeof(err)), 0);
    assert_int_equal(qtpm_profile_check("{\"Name\":\"custom\",\"Algorithms\":\"null,sha256,rsa\","
                                        "\"Commands\":\"0x11f-0x1aa\"}",
                                        err, sizeof(err)),
                     0);
    static const char *bad[] = {
        "", "Default", "compat", "null",
        "{\"Name\":\"nosuch\"}",
        "{\"Algorithms\":\"sha256\"}",                                     /* no Name */
        "{\"Name\":\"default\",\"Algorithms\":\"sha256\"}",               /* built-ins fixed */
        "{\"Name\":\"custom\",\"Algorithms\":\"null,sha256,sm4\"}",       /* not implemented */
        "{\"Name\":\"custom\",\"Algorithms\":\"null,rsa\"}",              /* no sha256 */
        "{\"Name\":\"custom\",\"Commands\":\"0x11f-0x143\"}",             /* no Startup */
        "{\"Name\":\"custom\",\"Commands\":\"0x144-0x1aa,0x100\"}",       /* not a command */
        "{\"Name\":\"custom\",\"Commands\":\"0x144-0x11f\"}",             /* empty range */
        "{\"Name\":\"custom\",\"Commands\":\"0x144-0x1aa,0x11e\"}",
        "{\"Name\":\"custom\",\"StateFormatLevel\":2}",                   /* unknown field */
        "{\"Name\":\"custom\",\"Algorithms\":7}",
        "{\"Name\":\"custom\"", "[1]",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err[0] = '\0';
        if (qtpm_profile_check(bad[i], err, sizeof(err)) == 0)
            fail_msg("profile accepted: %s", bad[i]);
        assert_true(err[0] != '\0');
    }
    /* blanks around entries, and empty Algorithms entries, are fine; a blank
     * Commands entry is not; the messages quote the entry (trimmed for an
     * algorithm, as written for a command) */
    assert_int_equal(qtpm_profile_check("{\"Name\":\"custom\",\"Algorithms\":\" null ,\\tsha256,, "
                                        "rsa , \",\"Commands\":\" 0x11f - 0x1aa \"}",
                                        err, sizeof(err)),
                     0);
    assert_int_not_equal(qtpm_profile_check("{\"Name\":\"custom\",\"Algorithms\":\"null,sha256, "
                                            "sm4 \"}",
                                            err, sizeof(err)),
                         0);
    assert_non_null(strstr(err, "unknown algorithm 'sm4' in the profile's Algorithms"));
    assert_int_not_equal(qtpm_profile_check("{\"Name\":\"custom\",\"Commands\":\"0x11f-0x1aa, \"}",
                                            err, sizeof(err)),
                         0);
    assert_non_null(strstr(err, "bad entry ' ' in the profile's Commands"));
}

/* default lists SHA-3 (algorithms and the unallocated banks); compat-tss3
 * lists none of it, and keeps ML-KEM / ML-DSA and every command. */
static void test_compat_tss3_advertises_no_sha3(void **state)
{
    (void)state;
    qtpm_tpm *d = mem_tpm("default"), *c = mem_tpm("compat-tss3");
    uint16_t banks[8];
    for (uint16_t a = TPM_ALG_SHA3_256; a <= TPM_ALG_SHA3_512; a++) {
        assert_true(lists_alg(d, a));
        assert_false(lists_alg(c, a));
    }
    assert_true(lists_alg(c, TPM_ALG_MLKEM) && lists_alg(c, TPM_ALG_MLDSA));
    assert_true(lists_alg(c, TPM_ALG_SHA256) && lists_alg(c, TPM_ALG_SHA1));
    assert_int_equal(pcr_banks(d, banks), 7);
    uint32_t n = pcr_banks(c, banks);
    assert_int_equal(n, 4);
    for (uint32_t i = 0; i < n; i++)
        assert_true(banks[i] == TPM_ALG_SHA1 || banks[i] == TPM_ALG_SHA256 ||
                    banks[i] == TPM_ALG_SHA384 || banks[i] == TPM_ALG_SHA512);
    assert_int_equal(property(c, TPM_PT_TOTAL_COMMANDS), property(d, TPM_PT_TOTAL_COMMANDS));
    char name[17];
    assert_int_equal(vendor_profile(d, name), 1);
    assert_string_equal(name, "default");
    assert_int_equal(vendor_profile(c, name), 2);
    assert_string_equal(name, "compat-tss3");
    qtpm_tpm_free(d);
    qtpm_tpm_free(c);
}

/* SHA-3 given to a compat-tss3 TPM: the code a TPM built without SHA-3
 * gives, parameter numbers as Part 3 lists the parameters. */
static void test_compat_tss3_refuses_sha3(void **state)
{
    (void)state;
    qtpm_tpm *d = mem_tpm("default"), *c = mem_tpm("compat-tss3");
    /* Part 3 §22.4 PCR_Read: pcrSelectionIn (1) */
    assert_int_equal(pcr_read(d, TPM_ALG_SHA3_256), 0);
    assert_int_equal(pcr_read(c, TPM_ALG_SHA3_256), RCP(TPM_RC_HASH, 1));
    assert_int_equal(pcr_read(c, TPM_ALG_SHA256), 0);
    /* an algorithm no TPM implements, in either profile */
    assert_int_equal(pcr_read(d, 0x0099), RCP(TPM_RC_HASH, 1));
    /* Part 3 §15.4 Hash: hashAlg (2) */
    assert_int_equal(hash_cmd(d, TPM_ALG_SHA3_384), 0);
    assert_int_equal(hash_cmd(c, TPM_ALG_SHA3_384), RCP(TPM_RC_HASH, 2));
    /* Part 3 §22.2 PCR_Extend: digests (1) */
    assert_int_equal(pcr_extend(d, TPM_ALG_SHA3_512, 64), 0);
    assert_int_equal(pcr_extend(c, TPM_ALG_SHA3_512, 64), RCP(TPM_RC_HASH, 1));
    /* Part 3 §22.5 PCR_Allocate: pcrAllocation (1) */
    assert_int_equal(pcr_allocate(d, TPM_ALG_SHA3_256), 0);
    assert_int_equal(pcr_allocate(c, TPM_ALG_SHA3_256), RCP(TPM_RC_HASH, 1));
    /* Part 3 §11.1 StartAuthSession: authHash (5) */
    assert_int_equal(start_session(d, TPM_ALG_SHA3_256), 0);
    assert_int_equal(start_session(c, TPM_ALG_SHA3_256), RCP(TPM_RC_HASH, 5));
    /* Part 3 §24.1 CreatePrimary: inPublic (2), its nameAlg */
    assert_int_equal(create_primary(d, TPM_ALG_ECC, TPM_ALG_SHA3_256), 0);
    assert_int_equal(create_primary(c, TPM_ALG_ECC, TPM_ALG_SHA3_256), RCP(TPM_RC_HASH, 2));
    assert_int_equal(create_primary(c, TPM_ALG_ECC, TPM_ALG_SHA256), 0);
    qtpm_tpm_free(d);
    qtpm_tpm_free(c);
}

/* custom: a list of algorithms and commands; what is off is not listed
 * and answers as never implemented. */
static void test_custom_profile(void **state)
{
    (void)state;
    /* no RSA, no SHA-1; every command but Hash (0x17d) */
    qtpm_tpm *t = mem_tpm("{\"Name\":\"custom\",\"Algorithms\":\"null,sha256,sha384,hmac,aes,cfb,"
                          "keyedhash,symcipher,ecc,ecdsa,ecdh,kdf1-sp800-56a,kdf1-sp800-108,"
                          "mgf1,xor\",\"Commands\":\"0x11f-0x17c,0x17e-0x1aa\"}");
    qtpm_tpm *d = mem_tpm(NULL);
    assert_false(lists_alg(t, TPM_ALG_RSA));
    assert_false(lists_alg(t, TPM_ALG_SHA1));
    assert_false(lists_alg(t, TPM_ALG_MLKEM));
    assert_true(lists_alg(t, TPM_ALG_ECC));
    assert_false(lists_command(t, TPM_CC_Hash));
    assert_true(lists_command(d, TPM_CC_Hash));
    assert_true(lists_command(t, TPM_CC_HashSequenceStart));
    assert_int_equal(property(t, TPM_PT_TOTAL_COMMANDS), property(d, TPM_PT_TOTAL_COMMANDS) - 1);
    uint16_t banks[8];
    assert_int_equal(pcr_banks(t, banks), 2); /* sha256, sha384 */
    /* Part 3 §5.3: an unimplemented command code */
    assert_int_equal(hash_cmd(t, TPM_ALG_SHA256), TPM_RC_COMMAND_CODE);
    assert_int_equal(hash_cmd(d, TPM_ALG_SHA256), 0);
    /* Part 3 §23.11 PolicyCommandCode: an unimplemented code is
     * TPM_RC_POLICY_CC, code = parameter 1 */
    assert_int_equal(policy_command_code(t, TPM_CC_Hash), RCP(TPM_RC_POLICY_CC, 1));
    assert_int_equal(policy_command_code(d, TPM_CC_Hash), 0);
    /* TPMI_ALG_PUBLIC: TPM_RC_TYPE for inPublic (2) */
    assert_int_equal(create_primary(t, TPM_ALG_RSA, TPM_ALG_SHA256), RCP(TPM_RC_TYPE, 2));
    assert_int_equal(create_primary(t, TPM_ALG_ECC, TPM_ALG_SHA1), RCP(TPM_RC_HASH, 2));
    assert_int_equal(create_primary(t, TPM_ALG_ECC, TPM_ALG_SHA256), 0);
    assert_int_equal(pcr_read(t, TPM_ALG_SHA1), RCP(TPM_RC_HASH, 1));
    char name[17];
    assert_int_equal(vendor_profile(t, name), 3);
    assert_string_equal(name, "custom");
    /* the canonical text reads back to the same profile */
    char text[2048];
    size_t n = qtpm_tpm_profile(t, text, sizeof(text));
    assert_true(n > 0 && n < sizeof(text));
    assert_non_null(strstr(text, "\"Commands\":\"0x11f-0x17c,0x17e-0x1aa\""));
    qtpm_tpm *again = mem_tpm(text);
    char text2[2048];
    assert_int_equal(qtpm_tpm_profile(again, text2, sizeof(text2)), n);
    assert_string_equal(text, text2);
    qtpm_tpm_free(again);
    qtpm_tpm_free(t);
    qtpm_tpm_free(d);
}

/* The profile is kept in the state; a restart with another one is refused
 * and leaves the state as it was; a state from before profiles is
 * "default". */
static void test_profile_persists(void **state)
{
    (void)state;
    qtpm_store s;
    qtpm_store_memory(&s);
    qtpm_store keep = s;
    keep.close = NULL; /* the test closes the store itself */
    int rc;
    char err[256];
    qtpm_tpm *tpm = profile_tpm(&keep, "compat-tss3", &rc, err, sizeof(err));
    assert_int_equal(rc, 0);
    qtpm_tpm_free(tpm);
    uint8_t *before;
    size_t before_len;

    /* no profile named: the stored one */
    tpm = profile_tpm(&keep, NULL, &rc, err, sizeof(err));
    assert_int_equal(rc, 0);
    assert_false(lists_alg(tpm, TPM_ALG_SHA3_256));
    qtpm_tpm_free(tpm);
    /* the same profile: fine */
    tpm = profile_tpm(&keep, "{\"Name\":\"compat-tss3\"}", &rc, err, sizeof(err));
    assert_int_equal(rc, 0);
    qtpm_tpm_free(tpm);
    assert_int_equal(s.load(s.ctx, "state", &before, &before_len), 0);
    /* another one: refused, nothing written */
    tpm = profile_tpm(&keep, "default", &rc, err, sizeof(err));
    assert_int_equal(rc, QTPM_E_INVALID);
    assert_null(tpm);
    assert_non_null(strstr(err, "compat-tss3"));
    uint8_t *after;
    size_t after_len;
    assert_int_equal(s.load(s.ctx, "state", &after, &after_len), 0);
    assert_int_equal(after_len, before_len);
    assert_memory_equal(after, before, before_len);
    free(after);

    /* a state written before profiles: body without the trailing profile
     * field (u16 11 "compat-tss3"), resealed */
    uint32_t body = ((uint32_t)before[12] << 24) | ((uint32_t)before[13] << 16) |
                    ((uint32_t)before[14] << 8) | before[15];
    body -= 8; /* the pending PCR allocation (u8 + 7 banks) comes after it */
    assert_memory_equal(before + 16 + body - 13, "\0\13compat-tss3", 13);
    body -= 13;
    before[12] = (uint8_t)(body >> 24), before[13] = (uint8_t)(body >> 16);
    before[14] = (uint8_t)(body >> 8), before[15] = (uint8_t)body;
    size_t nlen = 16 + body + 32;
    unsigned int dl = 0;
    assert_int_equal(EVP_Digest(before, 16 + body, before + 16 + body, &dl, EVP_sha256(), NULL), 1);
    assert_int_equal(s.save(s.ctx, "state", before, nlen), 0);
    free(before);
    /* read as default: SHA-3 is back, and compat-tss3 is refused */
    tpm = profile_tpm(&keep, "compat-tss3", &rc, err, sizeof(err));
    assert_int_equal(rc, QTPM_E_INVALID);
    tpm = profile_tpm(&keep, "default", &rc, err, sizeof(err));
    assert_int_equal(rc, 0);
    assert_true(lists_alg(tpm, TPM_ALG_SHA3_256));
    char name[17];
    assert_int_equal(vendor_profile(tpm, name), 1);
    qtpm_tpm_free(tpm);
    s.close(s.ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_profile_names),
        cmocka_unit_test(test_compat_tss3_advertises_no_sha3),
        cmocka_unit_test(test_compat_tss3_refuses_sha3),
        cmocka_unit_test(test_custom_profile),
        cmocka_unit_test(test_profile_persists),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
