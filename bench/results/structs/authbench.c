/* Ad-hoc in-process bench (issue 11 branch structs): PCR_Extend of PCR 16
 * with an empty digest list, authorized by (a) a password, (b) an unbound,
 * unsalted HMAC session; each response carries a TPMS_AUTH_RESPONSE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "qtpm/engine.h"

static uint8_t rsp[8192];
static size_t put16(uint8_t *p, unsigned v) { p[0] = v >> 8; p[1] = v; return 2; }
static size_t put32(uint8_t *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = v; return 4; }
static uint32_t get32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e9 + t.tv_nsec; }
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 15, iters = argc > 2 ? atoi(argv[2]) : 20000;
    qtpm_tpm_config cfg = {0};
    qtpm_store_memory(&cfg.store);
    cfg.powered_on = 1;
    qtpm_tpm *tpm;
    if (qtpm_tpm_new(&tpm, &cfg)) return 1;
    uint8_t su[] = {0x80, 1, 0, 0, 0, 12, 0, 0, 1, 0x44, 0, 0};
    qtpm_tpm_execute(tpm, 0, su, sizeof su, rsp, sizeof rsp);
    if (get32(rsp + 6)) return 2;
    /* StartAuthSession(NULL, NULL, nonce16, -, HMAC, NULL, SHA256) */
    uint8_t sas[64]; size_t n = 0;
    n += put16(sas + n, 0x8001); n += 4; n += put32(sas + n, 0x176);
    n += put32(sas + n, 0x40000007); n += put32(sas + n, 0x40000007);
    n += put16(sas + n, 16); memset(sas + n, 7, 16); n += 16;
    n += put16(sas + n, 0); sas[n++] = 0; n += put16(sas + n, 0x10); n += put16(sas + n, 0x0B);
    put32(sas + 2, n);
    qtpm_tpm_execute(tpm, 0, sas, n, rsp, sizeof rsp);
    if (get32(rsp + 6)) { fprintf(stderr, "sas %x\n", get32(rsp + 6)); return 3; }
    uint32_t sh = get32(rsp + 10);
    uint8_t nonce_tpm[64]; unsigned ntl = (rsp[14] << 8) | rsp[15]; memcpy(nonce_tpm, rsp + 16, ntl);
    uint8_t nc[16]; memset(nc, 9, 16);
    uint8_t cp[32]; { uint8_t b[12]; put32(b, 0x182); put32(b + 4, 16); put32(b + 8, 0); unsigned l; EVP_Digest(b, 12, cp, &l, EVP_sha256(), NULL); }
    double *v = calloc(rounds * 2, sizeof *v);
    for (int r = 0; r < rounds; r++) {
        for (int mode = 0; mode < 2; mode++) {
            double t0 = now();
            for (int i = 0; i < iters; i++) {
                uint8_t c[128]; size_t m = 0;
                m += put16(c + m, 0x8002); m += 4; m += put32(c + m, 0x182); m += put32(c + m, 16);
                if (mode == 0) {
                    m += put32(c + m, 9); m += put32(c + m, 0x40000009); m += put16(c + m, 0); c[m++] = 0; m += put16(c + m, 0);
                } else {
                    uint8_t msg[32 + 16 + 64 + 1]; size_t k = 0;
                    memcpy(msg, cp, 32); k = 32; memcpy(msg + k, nc, 16); k += 16; memcpy(msg + k, nonce_tpm, ntl); k += ntl; msg[k++] = 1;
                    uint8_t mac[32]; unsigned ml;
                    HMAC(EVP_sha256(), "", 0, msg, k, mac, &ml);
                    m += put32(c + m, 4 + 2 + 16 + 1 + 2 + 32); m += put32(c + m, sh); m += put16(c + m, 16); memcpy(c + m, nc, 16); m += 16; c[m++] = 1; m += put16(c + m, 32); memcpy(c + m, mac, 32); m += 32;
                }
                m += put32(c + m, 0);
                put32(c + 2, m);
                size_t rl = qtpm_tpm_execute(tpm, 0, c, m, rsp, sizeof rsp);
                if (get32(rsp + 6)) { fprintf(stderr, "mode %d rc %x\n", mode, get32(rsp + 6)); return 4; }
                if (mode == 1) { /* paramSize 0 | nonceTPM | attrs | hmac */
                    const uint8_t *a = rsp + 14; ntl = (a[0] << 8) | a[1]; memcpy(nonce_tpm, a + 2, ntl);
                    if (rl != 14 + 2 + ntl + 1 + 2 + 32) return 5;
                } else if (rl != 14 + 5) return 6;
            }
            v[mode * rounds + r] = (now() - t0) / iters;
        }
    }
    for (int mode = 0; mode < 2; mode++) {
        qsort(v + mode * rounds, rounds, sizeof *v, cmpd);
        printf("%s ns/command median %.1f min %.1f\n", mode ? "hmac" : "password", v[mode * rounds + rounds / 2], v[mode * rounds]);
    }
    qtpm_tpm_free(tpm);
    return 0;
}
