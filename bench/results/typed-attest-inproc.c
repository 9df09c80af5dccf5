/* bench/results/typed-attest-inproc.c: the in-process latency program of
 * typed-attest.md (the attestation family typed, issue 11). Built against a
 * build tree B as
 *   gcc -O3 -std=c11 -D_GNU_SOURCE -IB/include -Itests/unit -Isrc -Iinclude typed-attest-inproc.c \
 *       B/src/libqtpm_engine.a B/src/libqtpm_ldaa.a B/src/libqtpm_marshal.a \
 *       B/src/crypto/libqtpm_crypto.a -ljansson -lcrypto -lcmocka
 * (engine_test.h is the unit tests' header; it pulls in cmocka). Not part of
 * the build. Median latency of qtpm_tpm_execute (memory store) per command:
 * the engine alone, no socket, no disk. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "engine_test.h"

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define N 20000
static double t[N];

static void bench(const char *name, qtpm_tpm *tpm, cmdbuf *c, int n)
{
    static rspbuf r;
    cb_finish(c);
    for (int i = 0; i < n / 20; i++)
        qtpm_tpm_execute(tpm, 0, c->b, c->n, r.b, sizeof r.b);
    for (int i = 0; i < n; i++) {
        double a = now_ns();
        size_t len = qtpm_tpm_execute(tpm, 0, c->b, c->n, r.b, sizeof r.b);
        t[i] = now_ns() - a;
        if (len < 10 || r.b[6] | r.b[7] | r.b[8] | r.b[9]) {
            printf("%s: error %02x%02x%02x%02x\n", name, r.b[6], r.b[7], r.b[8], r.b[9]);
            return;
        }
    }
    qsort(t, (size_t)n, sizeof t[0], cmp);
    printf("%s %.0f\n", name, t[n / 2]);
}

static void quote(cmdbuf *c, uint32_t sign)
{
    cb_start(c, TPM_ST_SESSIONS, TPM_CC_Quote);
    cb_u32(c, sign);
    cb_pw(c, "");
    cb_2b(c, "nonce-16-bytes..", 16);
    cb_u16(c, TPM_ALG_NULL);
    cb_u32(c, 1);
    cb_u16(c, TPM_ALG_SHA256);
    cb_u8(c, 3);
    cb_u8(c, 0xFF);
    cb_u8(c, 0);
    cb_u8(c, 0);
}

/* an unrestricted ECDSA P-256 / SHA-256 signing primary under the owner */
static uint32_t ecc_signer(qtpm_tpm *tpm)
{
    static cmdbuf c, tp;
    static rspbuf r;
    tp.n = 0;
    cb_u16(&tp, TPM_ALG_ECC);
    cb_u16(&tp, TPM_ALG_SHA256);
    cb_u32(&tp, TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |
                    TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA | TPMA_OBJECT_SIGN_ENCRYPT);
    cb_u16(&tp, 0);
    cb_u16(&tp, TPM_ALG_NULL);
    cb_u16(&tp, TPM_ALG_ECDSA);
    cb_u16(&tp, TPM_ALG_SHA256);
    cb_u16(&tp, TPM_ECC_NIST_P256);
    cb_u16(&tp, TPM_ALG_NULL);
    cb_u16(&tp, 0);
    cb_u16(&tp, 0);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_CreatePrimary);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u16(&c, 4);
    cb_u16(&c, 0);
    cb_u16(&c, 0);
    cb_2b(&c, tp.b, (uint16_t)tp.n);
    cb_u16(&c, 0);
    cb_u32(&c, 0);
    cb_finish(&c);
    size_t len = qtpm_tpm_execute(tpm, 0, c.b, c.n, r.b, sizeof r.b);
    if (len < 14 || r.b[6] | r.b[7] | r.b[8] | r.b[9]) {
        printf("CreatePrimary failed %02x%02x\n", r.b[8], r.b[9]);
        exit(1);
    }
    return (uint32_t)r.b[10] << 24 | (uint32_t)r.b[11] << 16 | (uint32_t)r.b[12] << 8 | r.b[13];
}

int main(void)
{
    qtpm_tpm *tpm = started_tpm();
    static cmdbuf c;
    quote(&c, TPM_RH_NULL);
    bench("Quote_unsigned", tpm, &c, N);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_GetTime);
    cb_u32(&c, TPM_RH_ENDORSEMENT);
    cb_u32(&c, TPM_RH_NULL);
    cb_pw(&c, "");
    cb_pw(&c, "");
    cb_2b(&c, "nonce-16-bytes..", 16);
    cb_u16(&c, TPM_ALG_NULL);
    bench("GetTime_unsigned", tpm, &c, N);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SetCommandCodeAuditStatus);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u16(&c, TPM_ALG_NULL);
    cb_u32(&c, 1);
    cb_u32(&c, TPM_CC_GetRandom);
    cb_u32(&c, 0);
    bench("SetCommandCodeAuditStatus", tpm, &c, N);
    uint32_t k = ecc_signer(tpm);
    quote(&c, k);
    bench("Quote_ECDSA_P256", tpm, &c, 2000);
    qtpm_tpm_free(tpm);
    return 0;
}
