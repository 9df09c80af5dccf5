/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * softauth.c — a software FIDO2 authenticator (softauth.h) for the service's
 * tests and benchmark: a P-256 (ES256) or Ed25519 (EdDSA) credential made
 * with OpenSSL, attestation objects in fmt "none" or "packed" self
 * attestation (WebAuthn L2 §8.2, §8.7), assertions (§6.3.3) with a counter
 * that grows by one per assertion (settable, to play a clone). It builds
 * exactly the bodies a browser would send to register/finish and approve.
 * Its authenticator data and signature (sa_auth_data, sa_sign) are also the
 * core of the CTAP2 emulator that tests libfido2's device path
 * (tests/wallet/ctap_authenticator.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include "softauth.h"
#include "webauthn.h"

/* the COSE key of a->priv (a->alg says which kind) */
static int make_cose(softauth *a)
{
    size_t o = 0;
    if (a->alg == -7) {
        uint8_t pt[65];
        size_t pl = 0;
        if (!a->priv || EVP_PKEY_get_octet_string_param(a->priv, OSSL_PKEY_PARAM_PUB_KEY, pt,
                                                        sizeof pt, &pl) != 1 || pl != 65)
            return -1;
        /* {1: 2, 3: -7, -1: 1, -2: x, -3: y} */
        static const uint8_t h[] = { 0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20 };
        memcpy(a->cose, h, sizeof h);
        o = sizeof h;
        memcpy(a->cose + o, pt + 1, 32);
        o += 32;
        a->cose[o++] = 0x22;
        a->cose[o++] = 0x58;
        a->cose[o++] = 0x20;
        memcpy(a->cose + o, pt + 33, 32);
        o += 32;
    } else {
        uint8_t x[32];
        size_t xl = sizeof x;
        if (!a->priv || EVP_PKEY_get_raw_public_key(a->priv, x, &xl) != 1)
            return -1;
        /* {1: 1, 3: -8, -1: 6, -2: x} */
        static const uint8_t h[] = { 0xa4, 0x01, 0x01, 0x03, 0x27, 0x20, 0x06, 0x21, 0x58, 0x20 };
        memcpy(a->cose, h, sizeof h);
        o = sizeof h;
        memcpy(a->cose + o, x, 32);
        o += 32;
    }
    a->cose_len = o;
    return 0;
}

int sa_new(softauth *a, int alg, const char *rp_id, const char *origin)
{
    memset(a, 0, sizeof *a);
    a->alg = alg;
    snprintf(a->rp_id, sizeof a->rp_id, "%s", rp_id);
    snprintf(a->origin, sizeof a->origin, "%s", origin);
    if (RAND_bytes(a->cred_id, sizeof a->cred_id) != 1)
        return -1;
    a->priv = alg == -7 ? EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")
                        : EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    return make_cose(a);
}

int sa_save(const softauth *a, const char *path)
{
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(a->cred_id, 1, sizeof a->cred_id, f) == sizeof a->cred_id &&
             PEM_write_PrivateKey(f, a->priv, NULL, NULL, 0, NULL, NULL) == 1;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

int sa_load(softauth *a, const char *path, const char *rp_id, const char *origin)
{
    memset(a, 0, sizeof *a);
    snprintf(a->rp_id, sizeof a->rp_id, "%s", rp_id);
    snprintf(a->origin, sizeof a->origin, "%s", origin);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int ok = fread(a->cred_id, 1, sizeof a->cred_id, f) == sizeof a->cred_id &&
             (a->priv = PEM_read_PrivateKey(f, NULL, NULL, NULL)) != NULL;
    fclose(f);
    if (!ok)
        return -1;
    a->alg = EVP_PKEY_is_a(a->priv, "ED25519") ? -8 : -7;
    return make_cose(a);
}

void sa_free(softauth *a)
{
    EVP_PKEY_free(a->priv);
    a->priv = NULL;
}

int sa_sign(const softauth *a, const uint8_t *ad, size_t ad_len, const uint8_t cdh[32],
            uint8_t *sig, size_t *sig_len)
{
    uint8_t msg[512];
    if (ad_len + 32 > sizeof msg)
        return -1;
    memcpy(msg, ad, ad_len);
    memcpy(msg + ad_len, cdh, 32);
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    int ok = c && EVP_DigestSignInit(c, NULL, a->alg == -7 ? EVP_sha256() : NULL, NULL,
                                     a->priv) == 1 &&
             EVP_DigestSign(c, sig, sig_len, msg, ad_len + 32) == 1;
    EVP_MD_CTX_free(c);
    return ok ? 0 : -1;
}

static int sign(const softauth *a, const uint8_t *ad, size_t ad_len, const char *cd,
                uint8_t *sig, size_t *sig_len)
{
    uint8_t cdh[32];
    SHA256((const uint8_t *)cd, strlen(cd), cdh);
    return sa_sign(a, ad, ad_len, cdh, sig, sig_len);
}

size_t sa_auth_data(const softauth *a, uint8_t flags, const uint8_t aaguid[16], uint8_t *ad,
                    size_t cap)
{
    size_t n = 37 + ((flags & 0x40) ? 16 + 2 + sizeof a->cred_id + a->cose_len : 0);
    if (n > cap)
        return 0;
    /* rpIdHash ‖ flags ‖ signCount (big-endian) */
    SHA256((const uint8_t *)a->rp_id, strlen(a->rp_id), ad);
    ad[32] = flags;
    ad[33] = (uint8_t)(a->counter >> 24);
    ad[34] = (uint8_t)(a->counter >> 16);
    ad[35] = (uint8_t)(a->counter >> 8);
    ad[36] = (uint8_t)a->counter;
    if (!(flags & 0x40))
        return 37;
    /* attestedCredentialData: aaguid ‖ L (2 bytes) ‖ credentialId ‖ COSE key */
    size_t o = 37;
    if (aaguid)
        memcpy(ad + o, aaguid, 16);
    else
        memset(ad + o, 0, 16);
    o += 16;
    ad[o++] = 0;
    ad[o++] = sizeof a->cred_id;
    memcpy(ad + o, a->cred_id, sizeof a->cred_id);
    o += sizeof a->cred_id;
    memcpy(ad + o, a->cose, a->cose_len);
    return o + a->cose_len;
}

static void client_data(const softauth *a, const char *type, const char *chal, char *out,
                        size_t cap)
{
    int n = snprintf(out, cap, "{\"type\":\"%s\",\"challenge\":\"%s\",\"origin\":\"%s\","
                               "\"crossOrigin\":false}", type, chal, a->origin);
    if (n < 0 || (size_t)n >= cap)
        out[0] = 0; /* the callers bound the challenge: not reached */
}

static json_t *b64(const uint8_t *p, size_t n)
{
    char t[2048];
    if (n > 1500)
        return NULL;
    wa_b64url_encode(p, n, t);
    return json_string(t);
}

json_t *sa_register(softauth *a, const json_t *begin, int packed)
{
    const char *id = json_string_value(json_object_get(begin, "request"));
    const char *chal = json_string_value(
        json_object_get(json_object_get(begin, "publicKey"), "challenge"));
    if (!id || !chal || strlen(chal) > 200)
        return NULL;
    char cd[1024];
    client_data(a, "webauthn.create", chal, cd, sizeof cd);
    uint8_t ad[256];
    a->counter++;
    /* aaguid: zero, as for self attestation */
    size_t n = sa_auth_data(a, 0x01 | 0x04 | 0x40, NULL, ad, sizeof ad);
    if (n == 0)
        return NULL;
    uint8_t att[512], sig[128];
    size_t sl = sizeof sig, o = 0;
    att[o++] = 0xa3;
    att[o++] = 0x63;
    memcpy(att + o, "fmt", 3);
    o += 3;
    if (packed) {
        if (sign(a, ad, n, cd, sig, &sl) != 0)
            return NULL;
        att[o++] = 0x66;
        memcpy(att + o, "packed", 6);
        o += 6;
        att[o++] = 0x67;
        memcpy(att + o, "attStmt", 7);
        o += 7;
        att[o++] = 0xa2;
        att[o++] = 0x63;
        memcpy(att + o, "alg", 3);
        o += 3;
        att[o++] = a->alg == -7 ? 0x26 : 0x27;
        att[o++] = 0x63;
        memcpy(att + o, "sig", 3);
        o += 3;
        att[o++] = 0x58;
        att[o++] = (uint8_t)sl;
        memcpy(att + o, sig, sl);
        o += sl;
    } else {
        att[o++] = 0x64;
        memcpy(att + o, "none", 4);
        o += 4;
        att[o++] = 0x67;
        memcpy(att + o, "attStmt", 7);
        o += 7;
        att[o++] = 0xa0;
    }
    att[o++] = 0x68;
    memcpy(att + o, "authData", 8);
    o += 8;
    att[o++] = 0x58;
    att[o++] = (uint8_t)n;
    memcpy(att + o, ad, n);
    o += n;
    return json_pack("{s:s,s:o,s:o}", "request", id, "clientDataJSON",
                     b64((const uint8_t *)cd, strlen(cd)), "attestationObject", b64(att, o));
}

json_t *sa_assert(softauth *a, const json_t *request)
{
    const char *id = json_string_value(json_object_get(request, "request"));
    const char *chal = json_string_value(
        json_object_get(json_object_get(request, "publicKey"), "challenge"));
    if (!id || !chal || strlen(chal) > 200)
        return NULL;
    char cd[1024];
    client_data(a, "webauthn.get", chal, cd, sizeof cd);
    uint8_t ad[64], sig[128];
    size_t sl = sizeof sig;
    a->counter++;
    size_t n = sa_auth_data(a, 0x01 | 0x04, NULL, ad, sizeof ad);
    if (n == 0 || sign(a, ad, n, cd, sig, &sl) != 0)
        return NULL;
    return json_pack("{s:s,s:o,s:o,s:o,s:o}", "request", id, "credential",
                     b64(a->cred_id, sizeof a->cred_id), "clientDataJSON",
                     b64((const uint8_t *)cd, strlen(cd)), "authenticatorData", b64(ad, n),
                     "signature", b64(sig, sl));
}
