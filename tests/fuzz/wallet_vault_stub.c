/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wallet_vault_stub.c — the vault functions service.c links, for
 * fuzz_wallet_service, which runs the service without a vault: none of them
 * may ever be called (abort), which the fuzzer thereby checks too.
 */
#include <stdlib.h>

#include "wallet.h"

const char *wallet_last_error(const wallet *w) { (void)w; abort(); }
const char *wallet_strerror(int rc) { (void)rc; abort(); }
wallet_alg wallet_algorithm(const wallet *w) { (void)w; abort(); }
int wallet_rc_base(int rc) { (void)rc; abort(); }
int wallet_token_seal(wallet *w, const char *n, const wallet_token_opts *o, const uint8_t *d,
                      size_t l) { (void)w; (void)n; (void)o; (void)d; (void)l; abort(); }
int wallet_token_unseal(wallet *w, const char *n, uint64_t a, uint8_t **o, size_t *l)
{ (void)w; (void)n; (void)a; (void)o; (void)l; abort(); }
int wallet_token_delete(wallet *w, const char *n) { (void)w; (void)n; abort(); }
int wallet_token_info_get(wallet *w, const char *n, wallet_token_info *o)
{ (void)w; (void)n; (void)o; abort(); }
int wallet_key_create(wallet *w, const char *n, wallet_key_kind k) { (void)w; (void)n; (void)k; abort(); }
int wallet_key_rotate(wallet *w, const char *n) { (void)w; (void)n; abort(); }
int wallet_key_delete(wallet *w, const char *n) { (void)w; (void)n; abort(); }
int wallet_key_encrypt(wallet *w, const char *n, const uint8_t *i, size_t l, uint8_t *o, size_t c,
                       size_t *ol) { (void)w; (void)n; (void)i; (void)l; (void)o; (void)c; (void)ol; abort(); }
int wallet_key_decrypt(wallet *w, const char *n, const uint8_t *i, size_t l, uint8_t *o, size_t c,
                       size_t *ol) { (void)w; (void)n; (void)i; (void)l; (void)o; (void)c; (void)ol; abort(); }
int wallet_key_hmac(wallet *w, const char *n, const uint8_t *i, size_t l, uint8_t m[32])
{ (void)w; (void)n; (void)i; (void)l; (void)m; abort(); }
void wallet_set_approval(wallet *w, const char *who) { (void)w; (void)who; abort(); }
