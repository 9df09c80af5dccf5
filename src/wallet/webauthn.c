/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * webauthn.c — the checks of webauthn.h. COSE keys are read with the strict
 * CBOR reader (cbor.h): every label must appear once, unknown labels are
 * refused, coordinates must be 32 bytes. clientDataJSON is parsed with
 * jansson; the challenge compared is the base64url (no padding) encoding of
 * the expected bytes (WebAuthn §5.8.1). authenticatorData is rpIdHash(32) ‖
 * flags(1) ‖ signCount(4, big-endian) ‖ ... (§6.1).
 */
#include <string.h>

#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include "cbor.h"
#include "ct.h"
#include "webauthn.h"

int wa_cose_key(const uint8_t *cose, size_t len, EVP_PKEY **out, int *alg)
{
    cbor_reader r;
    size_t pairs = 0;
    int64_t kty = 0, a = 0, crv = 0;
    const uint8_t *x = NULL, *y = NULL;
    size_t xl = 0, yl = 0;
    unsigned seen = 0;
    *out = NULL;
    if (cbor_check(cose, len) != 0)
        return WA_E_KEY;
    cbor_init(&r, cose, len);
    if (cbor_read_map(&r, &pairs) != 0 || pairs > 8)
        return WA_E_KEY;
    for (size_t i = 0; i < pairs; i++) {
        int64_t label;
        unsigned bit;
        if (cbor_read_int(&r, &label) != 0)
            return WA_E_KEY;
        switch (label) {
        case 1: bit = 1; if (cbor_read_int(&r, &kty)) return WA_E_KEY; break;
        case 3: bit = 2; if (cbor_read_int(&r, &a)) return WA_E_KEY; break;
        case -1: bit = 4; if (cbor_read_int(&r, &crv)) return WA_E_KEY; break;
        case -2: bit = 8; if (cbor_read_bytes(&r, &x, &xl)) return WA_E_KEY; break;
        case -3: bit = 16; if (cbor_read_bytes(&r, &y, &yl)) return WA_E_KEY; break;
        default: return WA_E_KEY;
        }
        if (seen & bit)
            return WA_E_KEY; /* a label twice */
        seen |= bit;
    }
    if (kty == 2 && a == -7 && crv == 1 && seen == 31 && xl == 32 && yl == 32) {
        uint8_t pt[65];
        pt[0] = 0x04;
        memcpy(pt + 1, x, 32);
        memcpy(pt + 33, y, 32);
        OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
        OSSL_PARAM *p = NULL;
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
        int ok = b && c && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME,
                                                          "prime256v1", 0) &&
                 OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt) &&
                 (p = OSSL_PARAM_BLD_to_param(b)) && EVP_PKEY_fromdata_init(c) > 0 &&
                 EVP_PKEY_fromdata(c, out, EVP_PKEY_PUBLIC_KEY, p) > 0;
        OSSL_PARAM_free(p);
        OSSL_PARAM_BLD_free(b);
        EVP_PKEY_CTX_free(c);
        if (!ok) {
            EVP_PKEY_free(*out);
            *out = NULL;
            return WA_E_KEY; /* includes a point not on the curve */
        }
        *alg = -7;
        return 0;
    }
    if (kty == 1 && a == -8 && crv == 6 && seen == 15 && xl == 32) {
        *out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, 32);
        if (!*out)
            return WA_E_KEY;
        *alg = -8;
        return 0;
    }
    return WA_E_KEY;
}

void wa_b64url_encode(const uint8_t *in, size_t len, char *out)
{
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0, i = 0;
    for (; i + 2 < len; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = t[(v >> 6) & 63];
        out[o++] = t[v & 63];
    }
    if (len - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
    } else if (len - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = t[v >> 18];
        out[o++] = t[(v >> 12) & 63];
        out[o++] = t[(v >> 6) & 63];
    }
    out[o] = 0;
}

int wa_verify_assertion(EVP_PKEY *key, int alg, const wa_expect *e, const uint8_t *auth_data,
                        size_t ad_len, const uint8_t *client_data, size_t cd_len,
                        const uint8_t *sig, size_t sig_len, uint32_t *new_counter)
{
    uint8_t rp_hash[32], cd_hash[32];
    char want[128];
    if (ad_len < 37)
        return WA_E_AUTHDATA;
    if (e->challenge_len == 0 || e->challenge_len > 64)
        return WA_E_CHALLENGE;
    /* 1. clientDataJSON: type, challenge, origin (§7.2 steps 10-13) */
    json_error_t jerr;
    json_t *cd = json_loadb((const char *)client_data, cd_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!cd || !json_is_object(cd)) {
        json_decref(cd);
        return WA_E_CLIENT;
    }
    const char *type = json_string_value(json_object_get(cd, "type"));
    const char *chal = json_string_value(json_object_get(cd, "challenge"));
    const char *origin = json_string_value(json_object_get(cd, "origin"));
    int rc = 0;
    wa_b64url_encode(e->challenge, e->challenge_len, want);
    if (!type || strcmp(type, "webauthn.get") != 0)
        rc = WA_E_CLIENT;
    else if (!chal || strcmp(chal, want) != 0)
        rc = WA_E_CHALLENGE;
    else if (!origin || strcmp(origin, e->origin) != 0)
        rc = WA_E_ORIGIN;
    json_decref(cd);
    if (rc)
        return rc;
    /* 2. authenticatorData: rpIdHash, flags (steps 15-17) */
    SHA256((const uint8_t *)e->rp_id, strlen(e->rp_id), rp_hash);
    if (!public_equal(rp_hash, auth_data, 32))
        return WA_E_RPID;
    uint8_t flags = auth_data[32];
    if (!(flags & 0x01) || (e->require_uv && !(flags & 0x04)))
        return WA_E_FLAGS;
    /* 3. the signature over authenticatorData ‖ SHA-256(clientDataJSON) (steps 19-20) */
    SHA256(client_data, cd_len, cd_hash);
    uint8_t *msg = OPENSSL_malloc(ad_len + 32);
    if (!msg)
        return WA_E_SIG;
    memcpy(msg, auth_data, ad_len);
    memcpy(msg + ad_len, cd_hash, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestVerifyInit(c, NULL, alg == -7 ? EVP_sha256() : NULL, NULL, key) == 1 &&
             EVP_DigestVerify(c, sig, sig_len, msg, ad_len + 32) == 1;
    EVP_MD_CTX_free(c);
    OPENSSL_free(msg);
    if (!ok)
        return WA_E_SIG;
    /* 4. the counter (step 21): zero on both sides means the authenticator
     * keeps none; otherwise it must grow */
    uint32_t count = (uint32_t)auth_data[33] << 24 | (uint32_t)auth_data[34] << 16 |
                     (uint32_t)auth_data[35] << 8 | auth_data[36];
    if ((count != 0 || e->stored_counter != 0) && count <= e->stored_counter)
        return WA_E_COUNTER;
    *new_counter = count;
    return 0;
}

long wa_b64url_decode(const char *in, uint8_t *out, size_t cap)
{
    size_t n = strlen(in), o = 0;
    uint32_t acc = 0;
    int bits = 0;
    if (n % 4 == 1)
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= 'a' && c <= 'z' ? c - 'a' + 26
              : c >= '0' && c <= '9' ? c - '0' + 52 : c == '-' ? 62 : c == '_' ? 63 : -1;
        if (v < 0)
            return -1;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (o == cap)
                return -1;
            out[o++] = (uint8_t)(acc >> bits);
        }
    }
    if (bits && (acc & ((1u << bits) - 1)))
        return -1; /* non-zero leftover bits: not the canonical encoding */
    return (long)o;
}

/* clientDataJSON of a ceremony: type, challenge, origin (§7.1 steps 7-9,
 * §7.2 steps 11-13). */
static int check_client_data(const char *want_type, const wa_expect *e, const uint8_t *cd,
                             size_t cd_len)
{
    char want[128];
    json_error_t jerr;
    if (e->challenge_len == 0 || e->challenge_len > 64)
        return WA_E_CHALLENGE;
    json_t *j = json_loadb((const char *)cd, cd_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j || !json_is_object(j)) {
        json_decref(j);
        return WA_E_CLIENT;
    }
    const char *type = json_string_value(json_object_get(j, "type"));
    const char *chal = json_string_value(json_object_get(j, "challenge"));
    const char *origin = json_string_value(json_object_get(j, "origin"));
    int rc = 0;
    wa_b64url_encode(e->challenge, e->challenge_len, want);
    if (!type || strcmp(type, want_type) != 0)
        rc = WA_E_CLIENT;
    else if (!chal || strcmp(chal, want) != 0)
        rc = WA_E_CHALLENGE;
    else if (!origin || strcmp(origin, e->origin) != 0)
        rc = WA_E_ORIGIN;
    json_decref(j);
    return rc;
}

static int verify_sig(EVP_PKEY *key, int alg, const uint8_t *ad, size_t ad_len,
                      const uint8_t cd_hash[32], const uint8_t *sig, size_t sig_len)
{
    uint8_t *msg = OPENSSL_malloc(ad_len + 32);
    if (!msg)
        return WA_E_SIG;
    memcpy(msg, ad, ad_len);
    memcpy(msg + ad_len, cd_hash, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestVerifyInit(c, NULL, alg == -7 ? EVP_sha256() : NULL, NULL, key) == 1 &&
             EVP_DigestVerify(c, sig, sig_len, msg, ad_len + 32) == 1;
    EVP_MD_CTX_free(c);
    OPENSSL_free(msg);
    return ok ? 0 : WA_E_SIG;
}

int wa_verify_registration(const wa_expect *e, const uint8_t *att, size_t att_len,
                           const uint8_t *client_data, size_t cd_len, wa_credential *out)
{
    cbor_reader r;
    size_t pairs = 0;
    const uint8_t *fmt = NULL, *ad = NULL, *sig = NULL;
    size_t fmt_len = 0, ad_len = 0, sig_len = 0;
    size_t stmt_pairs = 0;
    int64_t stmt_alg = 0;
    int have_stmt = 0, have_alg = 0;
    memset(out, 0, sizeof *out);
    int rc = check_client_data("webauthn.create", e, client_data, cd_len);
    if (rc)
        return rc;
    /* 1. the attestation object: exactly fmt, attStmt, authData (§6.5.4) */
    if (cbor_check(att, att_len) != 0)
        return WA_E_ATTEST;
    cbor_init(&r, att, att_len);
    if (cbor_read_map(&r, &pairs) != 0 || pairs != 3)
        return WA_E_ATTEST;
    for (size_t i = 0; i < pairs; i++) {
        const uint8_t *k;
        size_t kl;
        if (cbor_read_text(&r, &k, &kl) != 0)
            return WA_E_ATTEST;
        if (kl == 3 && !memcmp(k, "fmt", 3) && !fmt) {
            if (cbor_read_text(&r, &fmt, &fmt_len) != 0)
                return WA_E_ATTEST;
        } else if (kl == 8 && !memcmp(k, "authData", 8) && !ad) {
            if (cbor_read_bytes(&r, &ad, &ad_len) != 0)
                return WA_E_ATTEST;
        } else if (kl == 7 && !memcmp(k, "attStmt", 7) && !have_stmt) {
            have_stmt = 1;
            if (cbor_read_map(&r, &stmt_pairs) != 0 || stmt_pairs > 2)
                return WA_E_ATTEST;
            for (size_t j = 0; j < stmt_pairs; j++) {
                const uint8_t *sk;
                size_t skl;
                if (cbor_read_text(&r, &sk, &skl) != 0)
                    return WA_E_ATTEST;
                if (skl == 3 && !memcmp(sk, "alg", 3) && !have_alg) {
                    have_alg = 1;
                    if (cbor_read_int(&r, &stmt_alg) != 0)
                        return WA_E_ATTEST;
                } else if (skl == 3 && !memcmp(sk, "sig", 3) && !sig) {
                    if (cbor_read_bytes(&r, &sig, &sig_len) != 0)
                        return WA_E_ATTEST;
                } else {
                    return WA_E_ATTEST; /* x5c (full attestation), ecdaaKeyId, repeats */
                }
            }
        } else {
            return WA_E_ATTEST;
        }
    }
    if (!fmt || !ad || !have_stmt)
        return WA_E_ATTEST;
    int packed;
    if (fmt_len == 4 && !memcmp(fmt, "none", 4) && stmt_pairs == 0)
        packed = 0;
    else if (fmt_len == 6 && !memcmp(fmt, "packed", 6) && have_alg && sig)
        packed = 1;
    else
        return WA_E_ATTEST;
    /* 2. authenticatorData with attested credential data (§6.1, §6.5.1):
     * rpIdHash(32) flags(1) signCount(4) aaguid(16) L(2) credId(L) COSE key */
    uint8_t rp_hash[32], cd_hash[32];
    if (ad_len < 37 + 18)
        return WA_E_AUTHDATA;
    SHA256((const uint8_t *)e->rp_id, strlen(e->rp_id), rp_hash);
    if (!public_equal(rp_hash, ad, 32))
        return WA_E_RPID;
    uint8_t flags = ad[32];
    if (!(flags & 0x01) || (e->require_uv && !(flags & 0x04)))
        return WA_E_FLAGS;
    if (!(flags & 0x40) || (flags & 0x80))
        return WA_E_AUTHDATA; /* no attested credential / extensions (we ask for none) */
    size_t id_len = (size_t)ad[53] << 8 | ad[54];
    if (id_len == 0 || id_len > 1023 || 55 + id_len >= ad_len)
        return WA_E_AUTHDATA;
    const uint8_t *cose = ad + 55 + id_len;
    size_t cose_len = ad_len - 55 - id_len;
    if (cbor_check(cose, cose_len) != 0)
        return WA_E_KEY; /* the key must end authData exactly (no ED flag) */
    EVP_PKEY *key = NULL;
    int alg = 0;
    rc = wa_cose_key(cose, cose_len, &key, &alg);
    if (rc)
        return rc;
    /* 3. packed self attestation: alg is the credential's, sig by its key (§8.2) */
    if (packed) {
        SHA256(client_data, cd_len, cd_hash);
        rc = stmt_alg != alg ? WA_E_ATTEST : verify_sig(key, alg, ad, ad_len, cd_hash, sig, sig_len);
    }
    EVP_PKEY_free(key);
    if (rc)
        return rc;
    out->cred_id = ad + 55;
    out->cred_id_len = id_len;
    out->cose = cose;
    out->cose_len = cose_len;
    out->alg = alg;
    out->counter = (uint32_t)ad[33] << 24 | (uint32_t)ad[34] << 16 | (uint32_t)ad[35] << 8 | ad[36];
    out->fmt = packed ? "packed" : "none";
    return 0;
}
