/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_tss_tcti.c — the TCTI layer and the timing instrumentation of libqtss
 * without a real TPM: configuration strings and the registry, and the mssim
 * framing checked byte for byte against a fake simulator running in a
 * thread (power-on and NV-on signals, TPM_SEND_COMMAND with locality,
 * response and acknowledgement, SESSION_END), with QTPM_TIMING writing
 * its CSV line and the in-memory records counting the commands; and a fake
 * TPM whose response HMAC is checked, then corrupted and refused.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "testutil.h"

typedef struct {
    int cmd_listen, plat_listen;
    uint32_t signals[4];
    size_t n_signals;
    uint8_t locality[2];
    uint8_t command[2][64];
    uint32_t command_len[2];
    int session_end;
    int ok;
} fake_mssim;

static int read_n(int fd, void *buf, size_t n)
{
    uint8_t *p = buf;
    while (n) {
        ssize_t r = recv(fd, p, n, 0);
        if (r <= 0)
            return -1;
        p += r, n -= (size_t)r;
    }
    return 0;
}

static int read_u32(int fd, uint32_t *v)
{
    uint32_t be;
    if (read_n(fd, &be, 4))
        return -1;
    *v = ntohl(be);
    return 0;
}

static int write_u32(int fd, uint32_t v)
{
    uint32_t be = htonl(v);
    return send(fd, &be, 4, MSG_NOSIGNAL) == 4 ? 0 : -1;
}

static void *fake_main(void *arg)
{
    fake_mssim *f = arg;
    int c = accept(f->cmd_listen, NULL, NULL);
    int p = accept(f->plat_listen, NULL, NULL);
    static const uint8_t rsp[] = { 0x80, 0x01, 0, 0, 0, 16, 0, 0, 0, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef };
    if (c < 0 || p < 0)
        return NULL;
    /* two platform signals: power on, NV on */
    for (int i = 0; i < 2; i++) {
        if (read_u32(p, &f->signals[f->n_signals]) || write_u32(p, 0))
            goto out;
        f->n_signals++;
    }
    for (int i = 0; i < 2; i++) {
        uint32_t code;
        if (read_u32(c, &code) || code != 8 || read_n(c, &f->locality[i], 1) ||
            read_u32(c, &f->command_len[i]) || f->command_len[i] > 64 ||
            read_n(c, f->command[i], f->command_len[i]))
            goto out;
        if (write_u32(c, sizeof rsp) || send(c, rsp, sizeof rsp, MSG_NOSIGNAL) != sizeof rsp ||
            write_u32(c, 0))
            goto out;
    }
    uint32_t end;
    if (read_u32(c, &end) == 0 && end == 20)
        f->session_end = 1;
    f->ok = 1;
out:
    close(c);
    close(p);
    return NULL;
}

static int listen_on(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    int one = 1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)port);
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 2) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void test_mssim_framing_and_timing(void **state)
{
    (void)state;
    fake_mssim f;
    pthread_t th;
    unsigned port = 0;
    memset(&f, 0, sizeof f);
    /* a port pair: bind the command port ephemerally, then try port + 1 */
    for (int tries = 0; tries < 50 && port == 0; tries++) {
        int fd = listen_on(0);
        struct sockaddr_in a;
        socklen_t len = sizeof a;
        assert_true(fd >= 0);
        getsockname(fd, (struct sockaddr *)&a, &len);
        unsigned p = ntohs(a.sin_port);
        int pfd = p < 65534 ? listen_on(p + 1) : -1;
        if (pfd >= 0) {
            f.cmd_listen = fd, f.plat_listen = pfd, port = p;
        } else {
            close(fd);
        }
    }
    assert_true(port != 0);
    assert_int_equal(pthread_create(&th, NULL, fake_main, &f), 0);

    char spec[64], path[] = "/tmp/qtpm-timing-XXXXXX";
    int tfd = mkstemp(path);
    assert_true(tfd >= 0);
    close(tfd);
    setenv("QTPM_TIMING", path, 1);
    snprintf(spec, sizeof spec, "mssim:host=127.0.0.1,port=%u", port);
    qtpm_tss *t;
    assert_int_equal(qtpm_tss_new(spec, &t), 0);
    unsetenv("QTPM_TIMING");
    assert_int_equal(qtpm_tss_timing_enable(t, 1), 0);

    TPM2B_DIGEST r;
    assert_int_equal(qtpm_tss_GetRandom(t, NULL, 4, &r), 0);
    assert_int_equal(r.size, 4);
    assert_memory_equal(r.buffer, "\xde\xad\xbe\xef", 4);
    assert_int_equal(qtpm_tcti_set_locality(qtpm_tss_tcti(t), 3), 0);
    assert_int_equal(qtpm_tss_GetRandom(t, NULL, 4, &r), 0);
    /* records: one kept, one dropped (capacity 1) */
    assert_int_equal(qtpm_tss_timing_count(t), 1);
    assert_int_equal(qtpm_tss_timing_dropped(t), 1);
    assert_int_equal(qtpm_tss_timing_records(t)[0].cc, TPM_CC_GetRandom);
    assert_int_equal(qtpm_tss_timing_records(t)[0].rc, 0);
    qtpm_tss_free(t);
    pthread_join(th, NULL);
    close(f.cmd_listen);
    close(f.plat_listen);

    assert_true(f.ok);
    assert_int_equal(f.n_signals, 2);
    assert_int_equal(f.signals[0], 1);  /* TPM_SIGNAL_POWER_ON */
    assert_int_equal(f.signals[1], 11); /* TPM_SIGNAL_NV_ON */
    static const uint8_t want[] = { 0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 4 };
    assert_int_equal(f.command_len[0], sizeof want);
    assert_memory_equal(f.command[0], want, sizeof want);
    assert_int_equal(f.locality[0], 0);
    assert_int_equal(f.locality[1], 3);
    assert_true(f.session_end);

    FILE *fp = fopen(path, "r");
    char line[128];
    int lines = 0;
    assert_non_null(fp);
    while (fgets(line, sizeof line, fp)) {
        assert_int_equal(strncmp(line, "GetRandom,0x17B,", 16), 0);
        lines++;
    }
    fclose(fp);
    unlink(path);
    assert_int_equal(lines, 2);
}

static void test_config_strings(void **state)
{
    (void)state;
    qtpm_tcti *t = NULL;
    assert_int_equal(qtpm_tcti_open("nosuch:foo", &t), QTPM_TSS_E_CONFIG);
    assert_int_equal(qtpm_tcti_open("mssim:host=127.0.0.1,port=abc", &t), QTPM_TSS_E_CONFIG);
    assert_int_equal(qtpm_tcti_open("mssim:port=65535", &t), QTPM_TSS_E_CONFIG);
    assert_int_equal(qtpm_tcti_open("mssim:bogus=1", &t), QTPM_TSS_E_CONFIG);
    assert_int_equal(qtpm_tcti_open("mssim:poweron=maybe", &t), QTPM_TSS_E_CONFIG);
    assert_int_equal(qtpm_tcti_open("swtpm:poweron=no", &t), QTPM_TSS_E_CONFIG);
    assert_int_equal(qtpm_tcti_open("device:/nonexistent/tpm", &t), QTPM_TSS_E_IO);
    assert_null(t);
    /* the environment variable is used when no string is given */
    setenv("QTPM_TCTI", "nosuch", 1);
    assert_int_equal(qtpm_tcti_open(NULL, &t), QTPM_TSS_E_CONFIG);
    unsetenv("QTPM_TCTI");
    /* every registered kind has a name, a constructor and a usage line */
    size_t n = 0;
    for (const qtpm_tcti_kind *k = qtpm_tcti_kinds(); k->name; k++, n++)
        assert_true(k->init && k->usage && strncmp(k->usage, k->name, strlen(k->name)) == 0);
    assert_int_equal(n, 4); /* mssim, swtpm, device, engine */
    assert_string_equal(qtpm_tss_cc_name(TPM_CC_CreatePrimary), "CreatePrimary");
    assert_string_equal(qtpm_tss_cc_name(TPM_CC_Decapsulate), "Decapsulate");
    assert_string_equal(qtpm_tss_cc_name(0x12345), "Unknown");
}

/* ---- a fake TPM that answers GetRandom in an HMAC session, signing its
 * response with a session key both sides know; the second answer carries a
 * corrupted HMAC, which the TSS must refuse (Part 1 §19.6.6). */

static const uint8_t fake_key[32] = { 7, 7, 7 };

typedef struct {
    int cmd_listen, plat_listen;
    int answered;
} fake_tpm;

static void *fake_tpm_main(void *arg)
{
    fake_tpm *f = arg;
    int c = accept(f->cmd_listen, NULL, NULL);
    int p = accept(f->plat_listen, NULL, NULL);
    uint32_t v;
    if (c < 0 || p < 0)
        return NULL;
    for (int i = 0; i < 2; i++)
        if (read_u32(p, &v) || write_u32(p, 0))
            goto out;
    for (int round = 0; round < 2; round++) {
        uint8_t cmd[256], rsp[256];
        uint32_t code, len;
        uint8_t loc;
        if (read_u32(c, &code) || read_n(c, &loc, 1) || read_u32(c, &len) || len > sizeof cmd ||
            read_n(c, cmd, len))
            goto out;
        /* header(10) authSize(4) handle(4) nonce(2+n) attrs(1) hmac(2+m) params */
        size_t o = 18;
        TPM2B_NONCE caller, tpm;
        caller.size = (UINT16)(cmd[o] << 8 | cmd[o + 1]);
        memcpy(caller.buffer, cmd + o + 2, caller.size);
        tpm.size = 32;
        memset(tpm.buffer, 0x30 + round, 32);
        static const uint8_t params[] = { 0, 2, 0xab, 0xcd };
        TPM2B_DIGEST rp, mac;
        qtpm_tss_rp_hash(TPM_ALG_SHA256, 0, TPM_CC_GetRandom, params, sizeof params, &rp);
        qtpm_tss_session_hmac(TPM_ALG_SHA256, fake_key, 32, &rp, &tpm, &caller, NULL, NULL,
                              TPMA_SESSION_CONTINUESESSION, &mac);
        if (round == 1)
            mac.buffer[31] ^= 1;
        size_t r = 10;
        rsp[r++] = 0, rsp[r++] = 0, rsp[r++] = 0, rsp[r++] = sizeof params;
        memcpy(rsp + r, params, sizeof params);
        r += sizeof params;
        rsp[r++] = 0, rsp[r++] = 32;
        memcpy(rsp + r, tpm.buffer, 32);
        r += 32;
        rsp[r++] = TPMA_SESSION_CONTINUESESSION;
        rsp[r++] = 0, rsp[r++] = 32;
        memcpy(rsp + r, mac.buffer, 32);
        r += 32;
        rsp[0] = 0x80, rsp[1] = 0x02;
        rsp[2] = 0, rsp[3] = 0, rsp[4] = (uint8_t)(r >> 8), rsp[5] = (uint8_t)r;
        memset(rsp + 6, 0, 4);
        if (write_u32(c, (uint32_t)r) || send(c, rsp, r, MSG_NOSIGNAL) != (ssize_t)r ||
            write_u32(c, 0))
            goto out;
        f->answered++;
    }
out:
    close(c);
    close(p);
    return NULL;
}

static unsigned listen_pair(int *cmd_fd, int *plat_fd)
{
    for (int tries = 0; tries < 50; tries++) {
        int fd = listen_on(0);
        struct sockaddr_in a;
        socklen_t len = sizeof a;
        if (fd < 0)
            continue;
        getsockname(fd, (struct sockaddr *)&a, &len);
        unsigned p = ntohs(a.sin_port);
        int pfd = p < 65534 ? listen_on(p + 1) : -1;
        if (pfd >= 0) {
            *cmd_fd = fd, *plat_fd = pfd;
            return p;
        }
        close(fd);
    }
    return 0;
}

static void test_response_hmac_checked(void **state)
{
    (void)state;
    fake_tpm f;
    pthread_t th;
    char spec[64];
    memset(&f, 0, sizeof f);
    unsigned port = listen_pair(&f.cmd_listen, &f.plat_listen);
    assert_true(port != 0);
    assert_int_equal(pthread_create(&th, NULL, fake_tpm_main, &f), 0);
    snprintf(spec, sizeof spec, "mssim:port=%u", port);
    qtpm_tss *t;
    assert_int_equal(qtpm_tss_new(spec, &t), 0);

    qtpm_tss_session s;
    memset(&s, 0, sizeof s);
    s.handle = 0x02000000;
    s.type = TPM_SE_HMAC;
    s.hash = TPM_ALG_SHA256;
    s.symmetric.algorithm = TPM_ALG_NULL;
    s.attributes = TPMA_SESSION_CONTINUESESSION | TPMA_SESSION_AUDIT;
    s.session_key.size = 32;
    memcpy(s.session_key.buffer, fake_key, 32);
    s.nonce_tpm.size = 32;
    qtpm_tss_auths a = { 1, { { &s, NULL } } };
    TPM2B_DIGEST r;
    assert_int_equal(qtpm_tss_GetRandom(t, &a, 2, &r), 0);
    assert_int_equal(r.size, 2);
    assert_int_equal(s.nonce_tpm.buffer[0], 0x30); /* rolled to the TPM's nonce */
    assert_int_equal(qtpm_tss_GetRandom(t, &a, 2, &r), QTPM_E_VERIFY);
    qtpm_tss_free(t);
    pthread_join(th, NULL);
    close(f.cmd_listen);
    close(f.plat_listen);
    assert_int_equal(f.answered, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_strings),
        cmocka_unit_test(test_mssim_framing_and_timing),
        cmocka_unit_test(test_response_hmac_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
