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

static void b64url(const uint8_t *in, size_t len, char *out)
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
    b64url(e->challenge, e->challenge_len, want);
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
