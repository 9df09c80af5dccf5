/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * wallet_service_kill.c — the helper of wallet_service_kill.sh: the service
 * (service.c, the code `qtpm-wallet serve` runs per request) over a vault on
 * a TPM server, killed mid-write.
 *
 *   wallet_service_kill init  TCTI DIR        vault, service db, user alice
 *   wallet_service_kill load  TCTI DIR TAG    seals TAG-0, TAG-1, ... (deleting the
 *                                             one before each time) until killed
 *   wallet_service_kill check TCTI DIR KILLS  consistency after the kills
 *
 * check: both databases pass integrity_check; every token in the vault has
 * its owner in the service database (no token appears that the service does
 * not know); per kill at most one operation is interrupted: a seal (the
 * owner is recorded, the token is not) or a delete (the TPM undefined the
 * token's counter, the row's deletion was not committed: the token is dead
 * and deleting it again completes, which check does); every token unseals through the service (request + assertion)
 * to its own content; the audit log verifies; a new seal works.
 *
 * The authenticator's counter is milliseconds since init, so successive
 * processes present growing counters (a lower one would be a clone).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "qtpm/tpm2_types.h"
#include "service.h"
#include "softauth.h"
#include "wallet.h"
#include "webauthn.h"

#define RP "localhost"
#define ORIGIN "https://localhost:8443"

static char db[512], gate[512], auth[512], keyf[512], basef[512];
static uint64_t base_ms;

static uint64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

static int call(svc *s, const char *path, json_t *body, json_t **out)
{
    char *t = json_dumps(body, JSON_COMPACT);
    int code = t ? svc_handle(s, "POST", path, (const uint8_t *)t, strlen(t), out) : 500;
    free(t);
    return code;
}

static int use(svc *s, softauth *a, json_t *req, json_t **out)
{
    json_t *chal = NULL;
    int code = call(s, "/api/v1/requests", req, &chal);
    if (code == 200) {
        uint64_t c = now_ms() - base_ms;
        if (c > a->counter)
            a->counter = (uint32_t)c;
        json_t *body = sa_assert(a, chal);
        code = body ? call(s, "/api/v1/approve", body, out) : 500;
        json_decref(body);
    } else {
        *out = chal;
        chal = NULL;
    }
    json_decref(chal);
    return code;
}

static int seal(svc *s, softauth *a, const char *name)
{
    char data[200];
    wa_b64url_encode((const uint8_t *)name, strlen(name), data);
    json_t *req = json_pack("{s:s,s:s,s:s,s:s,s:i}", "user", "alice", "op", "seal", "name", name,
                            "data", data, "pcr_mask", 1 << 16), *out = NULL;
    int code = use(s, a, req, &out);
    if (code != 200 && out) {
        char *t = json_dumps(out, JSON_COMPACT);
        printf("seal %s: %d %s\n", name, code, t ? t : "");
        free(t);
    }
    json_decref(req);
    json_decref(out);
    return code;
}

static int integrity(const char *path)
{
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_open(path, &h) == SQLITE_OK &&
             sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL) == SQLITE_OK &&
             sqlite3_step(st) == SQLITE_ROW &&
             !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    sqlite3_close(h);
    return ok;
}

static int check(const char *tcti, svc *s, wallet *w, softauth *a, long kills)
{
    int bad = 0;
    if (!integrity(db) || !integrity(auth)) {
        printf("FAIL: integrity_check\n");
        return 1;
    }
    wallet_token_info *ti = NULL;
    size_t n = 0;
    if (wallet_token_list(w, &ti, &n) != 0)
        return 1;
    json_t *in = json_pack("{s:s}", "user", "alice"), *list = NULL;
    if (call(s, "/api/v1/tokens", in, &list) != 200)
        return 1;
    json_decref(in);
    json_t *items = json_object_get(list, "items");
    size_t owned = json_array_size(items), orphans = 0, zombies = 0;
    for (size_t k = 0; k < n; k++) {
        int found = 0;
        for (size_t j = 0; j < owned; j++)
            found |= !strcmp(json_string_value(json_object_get(json_array_get(items, j), "name")),
                             ti[k].name);
        if (!found) {
            printf("FAIL: token %s in the vault has no owner in the service\n", ti[k].name);
            bad = 1;
        }
    }
    for (size_t j = 0; j < owned; j++) {
        const char *name = json_string_value(json_object_get(json_array_get(items, j), "name"));
        int found = 0;
        for (size_t k = 0; k < n; k++)
            found |= !strcmp(ti[k].name, name);
        if (!found) {
            orphans++;
            continue;
        }
        json_t *req = json_pack("{s:s,s:s,s:s}", "user", "alice", "op", "unseal", "name", name),
               *out = NULL;
        int code = use(s, a, req, &out);
        uint8_t tok[200];
        long l = code == 200 ? wa_b64url_decode(json_string_value(json_object_get(out, "token")),
                                                tok, sizeof tok) : -1;
        if (code != 200 && json_integer_value(json_object_get(out, "tpm_rc")) == TPM_RC_HANDLE) {
            /* a delete in flight: the TPM undefined the counter, the row's deletion
             * was not committed. The token is dead; deleting it again completes. */
            json_t *d = json_pack("{s:s,s:s,s:s}", "user", "alice", "op", "delete", "name", name),
                   *o2 = NULL;
            if (use(s, a, d, &o2) != 200) {
                printf("FAIL: %s: the interrupted delete does not complete\n", name);
                bad = 1;
            }
            json_decref(d);
            json_decref(o2);
            zombies++;
        } else if (l != (long)strlen(name) || memcmp(tok, name, (size_t)l) != 0) {
            char *t = out ? json_dumps(out, JSON_COMPACT) : NULL;
            printf("FAIL: %s does not unseal to itself (%d %s)\n", name, code, t ? t : "");
            free(t);
            bad = 1;
        }
        json_decref(req);
        json_decref(out);
    }
    if ((long)(orphans + zombies) > kills) {
        printf("FAIL: %zu + %zu interrupted operations after %ld kills\n", orphans, zombies, kills);
        bad = 1;
    }
    size_t entries = 0;
    int64_t first_bad = 0;
    char why[160];
    if (wallet_audit_verify(db, NULL, 0, &entries, &first_bad, why, sizeof why) != 0) {
        printf("FAIL: audit log: %s\n", why);
        bad = 1;
    }
    if (seal(s, a, "after-the-kills") != 200) {
        printf("FAIL: a new seal after the kills\n");
        bad = 1;
    }
    printf("%s: %zu tokens in the vault, %zu owned names; interrupted: %zu seals (owner, no "
           "token), %zu deletes (counter gone, completed now); %zu audit entries, %ld kills (%s)\n",
           bad ? "FAIL" : "ok", n, owned, orphans, zombies, entries, kills, tcti);
    free(ti);
    json_decref(list);
    return bad;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    const char *mode = argv[1], *tcti = argv[2], *dir = argv[3];
    snprintf(db, sizeof db, "%s/w.db", dir);
    snprintf(gate, sizeof gate, "%s/w.gate", dir);
    snprintf(auth, sizeof auth, "%s/w.auth", dir);
    snprintf(keyf, sizeof keyf, "%s/alice.key", dir);
    snprintf(basef, sizeof basef, "%s/base", dir);
    if (!strcmp(mode, "init") && wallet_init(tcti, db, gate, WALLET_ALG_QR) != 0) {
        printf("FAIL: init\n");
        return 1;
    }
    if (!strcmp(mode, "init")) {
        FILE *f = fopen(basef, "w");
        if (!f || fprintf(f, "%llu\n", (unsigned long long)now_ms()) < 0 || fclose(f) != 0)
            return 1;
    }
    FILE *f = fopen(basef, "r");
    unsigned long long b = 0;
    if (!f || fscanf(f, "%llu", &b) != 1)
        return 1;
    fclose(f);
    base_ms = b;
    wallet *w = NULL;
    svc *s = NULL;
    svc_config cfg = { RP, ORIGIN, 1, 120 };
    softauth a;
    if (wallet_open(tcti, db, gate, &w) != 0 || svc_open(w, auth, &cfg, &s) != 0) {
        printf("FAIL: open: %s\n", w ? wallet_last_error(w) : "");
        return 1;
    }
    int rc = 0;
    if (!strcmp(mode, "init")) {
        json_t *req = json_pack("{s:s}", "user", "alice"), *begin = NULL, *fin = NULL;
        rc = sa_new(&a, -7, RP, ORIGIN) != 0 || call(s, "/api/v1/register/begin", req, &begin) != 200;
        json_t *body = rc ? NULL : sa_register(&a, begin, 1);
        rc = rc || !body || call(s, "/api/v1/register/finish", body, &fin) != 200 ||
             sa_save(&a, keyf) != 0;
        json_decref(req);
        json_decref(begin);
        json_decref(body);
        json_decref(fin);
    } else if (sa_load(&a, keyf, RP, ORIGIN) != 0) {
        rc = 1;
    } else if (!strcmp(mode, "load") && argc > 4) {
        for (int j = 0; j < 500; j++) { /* bounded; the script kills it long before */
            char name[64];
            snprintf(name, sizeof name, "%s-%d", argv[4], j);
            if (seal(s, &a, name) != 200) {
                printf("FAIL: seal %s\n", name);
                rc = 1;
                break;
            }
            /* and delete the one before: the TPM's NV holds a few dozen counters */
            if (j > 0) {
                snprintf(name, sizeof name, "%s-%d", argv[4], j - 1);
                json_t *req = json_pack("{s:s,s:s,s:s}", "user", "alice", "op", "delete",
                                        "name", name), *out = NULL;
                int code = use(s, &a, req, &out);
                json_decref(req);
                json_decref(out);
                if (code != 200) {
                    printf("FAIL: delete %s (%d)\n", name, code);
                    rc = 1;
                    break;
                }
            }
        }
    } else if (!strcmp(mode, "check") && argc > 4) {
        rc = check(tcti, s, w, &a, atol(argv[4]));
    } else {
        rc = 2;
    }
    sa_free(&a);
    svc_close(s);
    wallet_close(w);
    return rc;
}
