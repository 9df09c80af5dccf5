/* bench/results/typed-params-inproc.c: the in-process latency program of typed-params.md.
 * Built against a build tree B as
 *   gcc -O3 -std=c11 -D_GNU_SOURCE -IB/include -Itests/unit -Isrc -Iinclude typed-params-inproc.c \
 *       B/src/libqtpm_engine.a B/src/libqtpm_ldaa.a B/src/libqtpm_marshal.a \
 *       B/src/crypto/libqtpm_crypto.a -ljansson -lcrypto -lcmocka
 * (engine_test.h is the unit tests' header; it pulls in cmocka). Not part of the build. */
/* in-process per-command latency of qtpm_tpm_execute (memory store): the
 * engine alone, no socket, no disk */
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

static void bench(const char *name, qtpm_tpm *tpm, cmdbuf *c)
{
    static rspbuf r;
    cb_finish(c);
    for (int i = 0; i < 200; i++)
        qtpm_tpm_execute(tpm, 0, c->b, c->n, r.b, sizeof r.b);
    for (int i = 0; i < N; i++) {
        double a = now_ns();
        size_t n = qtpm_tpm_execute(tpm, 0, c->b, c->n, r.b, sizeof r.b);
        t[i] = now_ns() - a;
        if (n < 10 || r.b[6] | r.b[7] | r.b[8] | r.b[9]) {
            printf("%s: error %02x%02x\n", name, r.b[8], r.b[9]);
            return;
        }
    }
    qsort(t, N, sizeof t[0], cmp);
    printf("%s %.0f\n", name, t[N / 2]);
}

int main(void)
{
    qtpm_tpm *tpm = started_tpm();
    static cmdbuf c;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetRandom);
    cb_u16(&c, 32);
    bench("GetRandom", tpm, &c);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_PCR_Read);
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    cb_u8(&c, 3);
    cb_u8(&c, 0xFF);
    cb_u8(&c, 0);
    cb_u8(&c, 0);
    bench("PCR_Read", tpm, &c);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_PCR_Extend);
    cb_u32(&c, 16);
    cb_pw(&c, "");
    cb_u32(&c, 1);
    cb_u16(&c, TPM_ALG_SHA256);
    uint8_t d[32] = {1};
    cb_bytes(&c, d, 32);
    bench("PCR_Extend", tpm, &c);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_ReadClock);
    bench("ReadClock", tpm, &c);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_TPM_PROPERTIES);
    cb_u32(&c, PT_FIXED);
    cb_u32(&c, 8);
    bench("GetCapability", tpm, &c);
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_GetCapability);
    cb_u32(&c, TPM_CAP_COMMANDS);
    cb_u32(&c, TPM_CC_FIRST);
    cb_u32(&c, 300);
    bench("GetCapability_commands", tpm, &c);
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_SetPrimaryPolicy);
    cb_u32(&c, TPM_RH_OWNER);
    cb_pw(&c, "");
    cb_u16(&c, 0);
    cb_u16(&c, TPM_ALG_NULL);
    bench("SetPrimaryPolicy", tpm, &c);
    qtpm_tpm_free(tpm);
    return 0;
}
