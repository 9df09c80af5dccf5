/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fill_routers.c — fills an NMS store with N routers through the store API (store.h), for
 * the dashboard-at-scale test (web_scale.sh) and by hand:
 *
 *   fill_routers URL N
 *
 * Router i is "rt-NNNNN" named "edge-NNNNN"; by i mod 100: 0-2 bad (a digest-mismatch
 * verdict with 2 reasons), 3-8 unknown (an unknown-file verdict), 9 offline (a good
 * verdict, then offline), the rest good, all seen now — each verdict written as the verifier writes it
 * (qtpm_store_verdict_add: the row, the router's state, a "verdict" event). One
 * transaction. Prints the counts per state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: fill_routers URL N\n");
        return 2;
    }
    char *end;
    long n = strtol(argv[2], &end, 10);
    if (*end || n < 1 || n > 1000000) {
        fprintf(stderr, "fill_routers: N is 1..1000000\n");
        return 2;
    }
    char err[512];
    qtpm_store *st;
    if (qtpm_store_open(argv[1], &st, err, sizeof err)) {
        fprintf(stderr, "fill_routers: %s\n", err);
        return 1;
    }
    static const char bad[] =
        "[{\"code\":\"digest-mismatch\",\"entry\":7,\"path\":\"/usr/sbin/routerd\","
        "\"expected\":\"9f2c\",\"found\":\"41aa\"},{\"code\":\"unknown-file\",\"entry\":8,"
        "\"path\":\"/tmp/x\"}]";
    static const char unknown[] = "[{\"code\":\"unknown-file\",\"entry\":3,\"path\":\"/opt/new\"}]";
    long counts[4] = {0};
    int rc = qtpm_store_begin(st);
    for (long i = 0; rc == 0 && i < n; i++) {
        char id[32], host[32];
        snprintf(id, sizeof id, "rt-%05ld", i);
        snprintf(host, sizeof host, "edge-%05ld", i);
        long k = i % 100;
        int cls = k <= 2 ? 2 : k <= 8 ? 1 : k == 9 ? 3 : 0;
        counts[cls]++;
        rc = qtpm_store_router_add(st, id, host, "enrolled");
        if (rc == 0) /* seen now: the offline timer leaves it alone for two periods */
            rc = qtpm_store_router_seen(st, id, -1, NULL);
        if (rc == 0)
            rc = cls == 2   ? qtpm_store_verdict_add(st, id, "bad", bad)
                 : cls == 1 ? qtpm_store_verdict_add(st, id, "unknown", unknown)
                            : qtpm_store_verdict_add(st, id, "good", "[]");
        if (rc == 0 && cls == 3)
            rc = qtpm_store_router_set_state(st, id, "offline");
    }
    if (rc == 0)
        rc = qtpm_store_commit(st);
    else
        qtpm_store_rollback(st);
    if (rc)
        fprintf(stderr, "fill_routers: %s\n", qtpm_store_errmsg(st));
    else
        printf("good=%ld unknown=%ld bad=%ld offline=%ld\n", counts[0], counts[1], counts[2],
               counts[3]);
    qtpm_store_close(st);
    return rc ? 1 : 0;
}
