/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * main.c — the qtpm-wallet command line (docs/WALLET.md "CLI"): one
 * subcommand per vault operation, the TPM chosen by --tcti (or $QTPM_TCTI),
 * the vault by --db (the gate secret defaults to DB.gate). Exit status 0 on
 * success, 1 on a refusal or error (the reason on stderr, with the TPM's
 * response code when the TPM refused), 2 on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/tss.h"
#include "qtpm/version.h"
#include "serve.h"
#include "wallet.h"

static void usage(void)
{
    fputs("usage: qtpm-wallet [--tcti SPEC] --db FILE [--gate FILE] COMMAND ...\n"
          "  init [--alg qr|classic]\n"
          "  seal NAME [--type bearer|financial] [--pcrs 0,7] [--amount-limit N]\n"
          "       [--expires UNIXTIME] [--uses N]          (token read from stdin;\n"
          "       N of --amount-limit: total whole units over the token's life, 1..1000)\n"
          "  unseal NAME [--amount N]                      (token written to stdout;\n"
          "       N ≥ 1 whole units, required for a token with an amount limit)\n"
          "  list | info NAME | delete NAME\n"
          "  keygen NAME aes|hmac | rotate NAME | key-delete NAME | key-handle NAME\n"
          "  encrypt NAME | decrypt NAME | hmac NAME       (stdin to stdout)\n"
          "  audit-key                                     (hex of the audit public key)\n"
          "  audit-verify [--pin HEX]                      (no TPM needed)\n"
          "  serve --cert PEM --key PEM [--port P] [--web DIR] [--rp-id ID] [--origin URL]\n"
          "        [--auth-db FILE] [--uv required|preferred]   (HTTPS + WebAuthn service)\n"
          "  bench-service [--n N] [--label L]             (service-side timings, JSON)\n",
          stderr);
}

static int read_all(FILE *f, uint8_t **out, size_t *len, size_t max)
{
    size_t cap = 4096, n = 0;
    uint8_t *b = malloc(cap);
    if (!b)
        return -1;
    for (;;) {
        if (n == cap) {
            if (cap >= max) {
                free(b);
                return -1;
            }
            uint8_t *p = realloc(b, cap * 2);
            if (!p) {
                free(b);
                return -1;
            }
            b = p;
            cap *= 2;
        }
        size_t r = fread(b + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
    }
    if (n > max) {
        free(b);
        return -1;
    }
    *out = b;
    *len = n;
    return 0;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *e;
    errno = 0;
    if (!s || !*s || *s == '-')
        return -1;
    unsigned long long x = strtoull(s, &e, 10);
    if (errno || *e)
        return -1;
    *v = x;
    return 0;
}

static int parse_pcrs(const char *s, uint32_t *mask)
{
    *mask = 0;
    if (!strcmp(s, "none"))
        return 0;
    while (*s) {
        char *e;
        long p = strtol(s, &e, 10);
        if (e == s || p < 0 || p > 23)
            return -1;
        *mask |= 1U << p;
        if (*e == ',')
            e++;
        else if (*e)
            return -1;
        s = e;
    }
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void report(wallet *w, const char *what, int rc)
{
    fprintf(stderr, "qtpm-wallet: %s: %s (rc 0x%x%s%s)\n", what, wallet_strerror(rc),
            rc > 0 ? (unsigned)wallet_rc_base(rc) : (unsigned)-rc, w ? "; " : "",
            w ? wallet_last_error(w) : "");
}

int main(int argc, char **argv)
{
    const char *tcti = NULL, *db = NULL, *gate = NULL;
    char gate_buf[4096];
    int i = 1;
    if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-v"))) {
        printf("qtpm-wallet %s\n", QTPM_VERSION);
        return 0;
    }
    for (; i < argc && !strncmp(argv[i], "--", 2); i += 2) {
        if (i + 1 >= argc) {
            usage();
            return 2;
        }
        if (!strcmp(argv[i], "--tcti")) tcti = argv[i + 1];
        else if (!strcmp(argv[i], "--db")) db = argv[i + 1];
        else if (!strcmp(argv[i], "--gate")) gate = argv[i + 1];
        else {
            usage();
            return 2;
        }
    }
    if (i >= argc || !db) {
        usage();
        return 2;
    }
    if (!gate) {
        snprintf(gate_buf, sizeof gate_buf, "%s.gate", db);
        gate = gate_buf;
    }
    const char *cmd = argv[i++];
    int rc;
    if (!strcmp(cmd, "init")) {
        wallet_alg alg = WALLET_ALG_QR;
        if (i + 1 < argc && !strcmp(argv[i], "--alg")) {
            if (!strcmp(argv[i + 1], "classic")) alg = WALLET_ALG_CLASSIC;
            else if (strcmp(argv[i + 1], "qr")) {
                usage();
                return 2;
            }
        }
        rc = wallet_init(tcti, db, gate, alg);
        if (rc) {
            report(NULL, "init", rc);
            return 1;
        }
        return 0;
    }
    if (!strcmp(cmd, "audit-verify")) {
        uint8_t pin[2048];
        size_t pin_len = 0, n = 0;
        int64_t bad = 0;
        char why[160];
        if (i + 1 < argc && !strcmp(argv[i], "--pin")) {
            const char *h = argv[i + 1];
            size_t hl = strlen(h);
            if (hl % 2 || hl / 2 > sizeof pin) {
                usage();
                return 2;
            }
            for (size_t k = 0; k < hl / 2; k++) {
                int a = hexval(h[2 * k]), b = hexval(h[2 * k + 1]);
                if (a < 0 || b < 0) {
                    usage();
                    return 2;
                }
                pin[k] = (uint8_t)(a << 4 | b);
            }
            pin_len = hl / 2;
        }
        rc = wallet_audit_verify(db, pin_len ? pin : NULL, pin_len, &n, &bad, why, sizeof why);
        if (rc) {
            fprintf(stderr, "audit log INVALID: %s\n", why);
            return 1;
        }
        printf("audit log OK: %zu entries, signatures and chain verified\n", n);
        return 0;
    }
    wallet *w = NULL;
    if ((rc = wallet_open(tcti, db, gate, &w)) != QTPM_OK) {
        report(NULL, "open", rc);
        return 1;
    }
    if (!strcmp(cmd, "serve") || !strcmp(cmd, "bench-service")) {
        rc = !strcmp(cmd, "serve") ? wallet_cmd_serve(w, db, argc, argv, i)
                                   : wallet_cmd_bench(w, db, argc, argv, i);
        wallet_close(w);
        if (rc == 2)
            usage();
        return rc;
    }
    int status = 0;
    const char *name = i < argc ? argv[i++] : NULL;
    if (!strcmp(cmd, "seal") && name) {
        wallet_token_opts o = { WALLET_TOKEN_BEARER, 1U << 7, 0, 0, 0 };
        for (; i + 1 < argc; i += 2) {
            uint64_t v;
            if (!strcmp(argv[i], "--type")) {
                if (!strcmp(argv[i + 1], "financial")) o.type = WALLET_TOKEN_FINANCIAL;
                else if (strcmp(argv[i + 1], "bearer")) status = 2;
            } else if (!strcmp(argv[i], "--pcrs")) {
                if (parse_pcrs(argv[i + 1], &o.pcr_mask)) status = 2;
            } else if (!strcmp(argv[i], "--amount-limit")) {
                if (parse_u64(argv[i + 1], &v) || v == 0 || v > WALLET_MAX_AMOUNT_LIMIT) {
                    fprintf(stderr, "qtpm-wallet: --amount-limit must be a whole number of "
                                    "units, 1..%u (got '%s')\n", WALLET_MAX_AMOUNT_LIMIT,
                            argv[i + 1]);
                    status = 2;
                    break;
                }
                o.amount_limit = v;
            } else if (!strcmp(argv[i], "--expires") && !parse_u64(argv[i + 1], &v) &&
                       v < (1ULL << 62)) {
                o.expires = (int64_t)v;
            } else if (!strcmp(argv[i], "--uses") && !parse_u64(argv[i + 1], &v) &&
                       v < 0xFFFFFFFFULL) {
                o.uses = (uint32_t)v;
            } else {
                status = 2;
            }
        }
        uint8_t *data = NULL;
        size_t len = 0;
        if (status == 0 && i != argc)
            status = 2;
        if (status == 0) {
            if (read_all(stdin, &data, &len, 64 * 1024)) {
                fputs("qtpm-wallet: token too long (64 KiB at most)\n", stderr);
                status = 1;
            } else if ((rc = wallet_token_seal(w, name, &o, data, len)) != QTPM_OK) {
                report(w, "seal", rc);
                status = 1;
            }
        }
        free(data);
    } else if (!strcmp(cmd, "unseal") && name) {
        uint64_t amount = 0;
        if (i + 1 < argc && !strcmp(argv[i], "--amount")) {
            if (parse_u64(argv[i + 1], &amount) || amount == 0) {
                fprintf(stderr, "qtpm-wallet: --amount must be a whole number of units, at "
                                "least 1 (got '%s')\n", argv[i + 1]);
                status = 2;
            } else if (i + 2 != argc) {
                status = 2;
            }
        } else if (i != argc) {
            status = 2;
        }
        uint8_t *out = NULL;
        size_t len = 0;
        if (status == 0) {
            if ((rc = wallet_token_unseal(w, name, amount, &out, &len)) != QTPM_OK) {
                report(w, "unseal", rc);
                status = 1;
            } else {
                fwrite(out, 1, len, stdout);
                memset(out, 0, len);
                free(out);
            }
        }
    } else if (!strcmp(cmd, "list")) {
        wallet_token_info *l = NULL;
        size_t n = 0;
        if ((rc = wallet_token_list(w, &l, &n)) != QTPM_OK) {
            report(w, "list", rc);
            status = 1;
        }
        for (size_t k = 0; k < n; k++)
            printf("%s\t%s\tnv=0x%08x\tpcrs=0x%06x\tuses=%u\tamount_limit=%llu\texpires=%lld\n",
                   l[k].name, l[k].type == WALLET_TOKEN_BEARER ? "bearer" : "financial",
                   (unsigned)l[k].nv_index, (unsigned)l[k].pcr_mask, (unsigned)l[k].uses,
                   (unsigned long long)l[k].amount_limit, (long long)l[k].expires);
        free(l);
    } else if (!strcmp(cmd, "info") && name) {
        wallet_token_info t;
        if ((rc = wallet_token_info_get(w, name, &t)) != QTPM_OK) {
            report(w, "info", rc);
            status = 1;
        } else {
            printf("nv=0x%08x\n", (unsigned)t.nv_index);
        }
    } else if (!strcmp(cmd, "delete") && name) {
        if ((rc = wallet_token_delete(w, name)) != QTPM_OK) {
            report(w, "delete", rc);
            status = 1;
        }
    } else if (!strcmp(cmd, "keygen") && name && i < argc) {
        const char *k = argv[i++];
        wallet_key_kind kind = !strcmp(k, "aes") ? WALLET_KEY_AES :
                               !strcmp(k, "hmac") ? WALLET_KEY_HMAC : 0;
        if (!kind || i != argc) {
            status = 2;
        } else if ((rc = wallet_key_create(w, name, kind)) != QTPM_OK) {
            report(w, "keygen", rc);
            status = 1;
        }
    } else if (!strcmp(cmd, "rotate") && name) {
        if ((rc = wallet_key_rotate(w, name)) != QTPM_OK) {
            report(w, "rotate", rc);
            status = 1;
        }
    } else if (!strcmp(cmd, "key-delete") && name) {
        if ((rc = wallet_key_delete(w, name)) != QTPM_OK) {
            report(w, "key-delete", rc);
            status = 1;
        }
    } else if (!strcmp(cmd, "key-handle") && name) {
        uint32_t h, v;
        if ((rc = wallet_key_handle(w, name, &h, &v)) != QTPM_OK) {
            report(w, "key-handle", rc);
            status = 1;
        } else {
            printf("0x%08x %u\n", (unsigned)h, (unsigned)v);
        }
    } else if ((!strcmp(cmd, "encrypt") || !strcmp(cmd, "decrypt") || !strcmp(cmd, "hmac")) &&
               name) {
        uint8_t *in = NULL, out[1100];
        size_t len = 0, ol = 0;
        if (read_all(stdin, &in, &len, 1024 + 16)) {
            fputs("qtpm-wallet: input too long (1024 bytes at most)\n", stderr);
            status = 1;
        } else {
            if (!strcmp(cmd, "hmac")) {
                rc = wallet_key_hmac(w, name, in, len, out);
                ol = 32;
            } else if (!strcmp(cmd, "encrypt")) {
                rc = wallet_key_encrypt(w, name, in, len, out, sizeof out, &ol);
            } else {
                rc = wallet_key_decrypt(w, name, in, len, out, sizeof out, &ol);
            }
            if (rc) {
                report(w, cmd, rc);
                status = 1;
            } else {
                fwrite(out, 1, ol, stdout);
            }
        }
        free(in);
    } else if (!strcmp(cmd, "audit-key")) {
        uint8_t pub[1536];
        size_t pl = 0;
        if ((rc = wallet_audit_pubkey(w, pub, sizeof pub, &pl)) != QTPM_OK) {
            report(w, "audit-key", rc);
            status = 1;
        }
        for (size_t k = 0; k < pl; k++)
            printf("%02x", pub[k]);
        printf("\n");
    } else {
        status = 2;
    }
    wallet_close(w);
    if (status == 2)
        usage();
    return status;
}
