/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_nms_routing: the validators of the NMS's routing API input (src/nms/
 * routing_check.c) fed arbitrary bytes. The first byte picks the parser — 'r' a routing
 * report, 'a' a command acknowledgement, 'p' a routing-policy change, anything else each
 * in turn — and the rest is parsed as JSON (as evhttp's body would be, duplicates
 * refused) and handed over. Every call must return (NULL or a message, which must be
 * NUL-terminated text inside its buffer), and an accepted policy must be within OSPF's
 * cost range; no leak, no UB.
 *
 * Built with -DQTPM_FUZZ_SEED_CHECK (ctest nms_routing_fuzz_seeds) it is a plain program
 * instead: it runs each file named on the command line once and prints
 * "<file> ok" or "<file> refused: <message>", so a test can assert what each seed does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "routing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char result[256];

static void check_policy(json_t *j)
{
    qtpm_store_policy p = {.good = 10, .unknown = 20, .bad = 30, .offline = 40};
    snprintf(p.bad_action, sizeof p.bad_action, "metric");
    const char *err = qtpm_nms_policy_apply(&p, j, result, sizeof result);
    if (err)
        return;
    if (p.good < 1 || p.good > 65535 || p.unknown < 1 || p.unknown > 65535 || p.bad < 1 ||
        p.bad > 65535 || p.offline < 1 || p.offline > 65535 ||
        (strcmp(p.bad_action, "metric") && strcmp(p.bad_action, "exclude")))
        abort(); /* an accepted policy outside the contract */
    snprintf(result, sizeof result, "ok");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    json_error_t e;
    json_t *j = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &e);
    snprintf(result, sizeof result, "bad json");
    if (!j)
        return 0;
    char msg[200];
    const char *m;
    switch (data[0]) {
    case 'r':
        m = qtpm_nms_report_check(j, msg, sizeof msg);
        snprintf(result, sizeof result, "%s", m ? m : "ok");
        break;
    case 'a':
        m = qtpm_nms_ack_check(j, msg, sizeof msg);
        snprintf(result, sizeof result, "%s", m ? m : "ok");
        break;
    case 'p':
        check_policy(j);
        break;
    default:
        (void)qtpm_nms_report_check(j, msg, sizeof msg);
        (void)qtpm_nms_ack_check(j, msg, sizeof msg);
        check_policy(j);
    }
    if (memchr(result, '\0', sizeof result) == NULL)
        abort();
    json_decref(j);
    return 0;
}

#ifdef QTPM_FUZZ_SEED_CHECK
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 2;
        }
        static uint8_t buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, n);
        const char *base = strrchr(argv[i], '/');
        printf("%s %s%s\n", base ? base + 1 : argv[i], strcmp(result, "ok") ? "refused: " : "",
               result);
    }
    return 0;
}
#endif
