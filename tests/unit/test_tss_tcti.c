/*
 * test_tss_tcti.c — the TCTI layer and the timing instrumentation of libqtss
 * without a real TPM: configuration strings and the registry, and the mssim
 * framing checked byte for byte against a fake simulator running in a
 * thread (power-on and NV-on signals, TPM_SEND_COMMAND with locality,
 * response and acknowledgement, SESSION_END), with QTPM_TIMING writing
 * its CSV line and the in-memory records counting the commands.
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
    assert_int_equal(n, 3);
    assert_string_equal(qtpm_tss_cc_name(TPM_CC_CreatePrimary), "CreatePrimary");
    assert_string_equal(qtpm_tss_cc_name(TPM_CC_Decapsulate), "Decapsulate");
    assert_string_equal(qtpm_tss_cc_name(0x12345), "Unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_strings),
        cmocka_unit_test(test_mssim_framing_and_timing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
