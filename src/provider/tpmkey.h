/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tpmkey.h — TPM-resident keys in qtpm-provider (docs/PROVIDER.md, "Keys in
 * the TPM"): the TPM connection (tpmkey.c), the key object that keymgmt,
 * the store loader (store.c) and the signature (sig.c) share.
 */
#ifndef QTPM_PROVIDER_TPMKEY_H
#define QTPM_PROVIDER_TPMKEY_H

#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include "provider_internal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"

/* A key in the TPM: its handle (persistent, or transient after ContextLoad:
 * flushed when the last reference goes), its public area, its authValue
 * (wiped on free) and the public part as an EVP_PKEY of the child library
 * context (OpenSSL's default provider), for the parameters and the export of
 * the public half. The private part is never outside the TPM. */
typedef struct {
    qp_provctx *prov;
    int refs;          /* atomic */
    int is_ec;         /* 0 RSA, 1 EC */
    TPM_HANDLE handle;
    int flush;         /* transient: FlushContext on free */
    TPMT_PUBLIC pub;
    TPM2B_AUTH auth;
    EVP_PKEY *pubkey;
} qp_tpmkey;

/* The provider's TPM connection: set up from the provider configuration
 * ("tcti", "connection") and the environment when the provider loads; opened
 * on first use. */
int qp_tpm_setup(qp_provctx *prov, const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in);
void qp_tpm_teardown(qp_provctx *prov);

/* Opens a key: a handle (handle != 0) or a context file's TPMS_CONTEXT
 * (ContextLoad). auth may be NULL. Raises an OpenSSL error and returns NULL
 * when the TPM is unreachable, the handle is not there or the key is not an
 * unrestricted RSA / NIST P-256/P-384 signing key. */
qp_tpmkey *qp_tpmkey_open(qp_provctx *prov, TPM_HANDLE handle, const TPMS_CONTEXT *ctx,
                          const TPM2B_AUTH *auth);
void qp_tpmkey_up(qp_tpmkey *k);
void qp_tpmkey_free(qp_tpmkey *k);

/* TPM2_Sign of a digest with the given scheme (TPM_ALG_RSASSA, _RSAPSS,
 * _ECDSA) and hash. Raises an OpenSSL error on failure. */
int qp_tpmkey_sign(qp_tpmkey *k, TPM_ALG_ID scheme, TPM_ALG_ID hash, const unsigned char *dig,
                   size_t dig_len, TPMT_SIGNATURE *sig);

/* Raises an ERR_LIB_PROV error with qtpm's text. */
void qp_error(int reason, const char *fmt, ...);

extern const OSSL_DISPATCH qp_tpm_rsa_keymgmt_functions[];
extern const OSSL_DISPATCH qp_tpm_ec_keymgmt_functions[];
extern const OSSL_DISPATCH qp_tpm_store_functions[];
extern const OSSL_DISPATCH qp_tpm_rsa_signature_functions[];
extern const OSSL_DISPATCH qp_tpm_ecdsa_signature_functions[];

#endif
