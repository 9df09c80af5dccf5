/* SPDX-License-Identifier: BSD-2-Clause */
/* softauth.h — a software FIDO2 authenticator for tests and the benchmark
 * (softauth.c). Not a security component: its key lives in process memory. */
#ifndef QTPM_WALLET_SOFTAUTH_H
#define QTPM_WALLET_SOFTAUTH_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

typedef struct {
    int alg;                /* -7 ES256 or -8 EdDSA */
    EVP_PKEY *priv;
    uint8_t cred_id[16];
    uint8_t cose[128];
    size_t cose_len;
    uint32_t counter;       /* incremented before each use */
    char rp_id[128], origin[256];
} softauth;

int sa_new(softauth *a, int alg, const char *rp_id, const char *origin);
void sa_free(softauth *a);
/* the credential (id and private key, PEM) to a file and back; the counter is
 * the caller's to carry */
int sa_save(const softauth *a, const char *path);
int sa_load(softauth *a, const char *path, const char *rp_id, const char *origin);
/* register/finish body for a register/begin answer (packed: self attestation) */
json_t *sa_register(softauth *a, const json_t *begin, int packed);
/* approve body for a requests answer */
json_t *sa_assert(softauth *a, const json_t *request);
/* authenticator data (WebAuthn L2 §6.1) for a->rp_id and a->counter, with
 * attested credential data (§6.5.1; aaguid NULL = zero) when flags has AT
 * (0x40). Its length, 0 when cap is too small. */
size_t sa_auth_data(const softauth *a, uint8_t flags, const uint8_t aaguid[16], uint8_t *ad,
                    size_t cap);
/* the signature over authData ‖ clientDataHash (§6.3.3 step 11; DER for ES256) */
int sa_sign(const softauth *a, const uint8_t *ad, size_t ad_len, const uint8_t cdh[32],
            uint8_t *sig, size_t *sig_len);

#endif
