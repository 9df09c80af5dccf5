/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * service.c — the WebAuthn front end of the vault (service.h): users and
 * their authenticators, pending challenges, signature counters and token
 * ownership in SQLite; registration (WebAuthn L2 §7.1) and approval of one
 * request by one assertion (§7.2) verified with OpenSSL (webauthn.c) and
 * again with libfido2 (fido_assert_verify; registration: libfido2 parses
 * authData and must find the same credential id and key). The two
 * verifiers must agree, or the request is refused.
 *
 * A request is consumed by its first approve, good or bad: a replayed
 * assertion finds no request, a failed one cannot be retried against the
 * same challenge. The consumption and the new counter are committed before
 * the vault is used, so a crash after the commit loses at most that one
 * use and never lets a request run twice. A counter that does not grow
 * disables the credential (§6.1.1: a likely clone) until it is registered
 * again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "ct.h"
#include "service.h"
#include "webauthn.h"

#define MAX_PENDING 1000   /* bound on outstanding challenges (a flood is refused) */
#define MAX_DATA 65536     /* token bytes per seal (the vault's limit) */
#define MAX_KEYDATA 1024   /* encrypt / hmac input */
#define MAX_CANONICAL (MAX_DATA / 3 * 4 + 4096) /* a request with 64 KiB of data */

struct svc {
    wallet *w;
    sqlite3 *db;
    svc_config cfg;
    char rp_id[256], origin[256];
    char err[256];
    double verify_us, vault_us;
};

static const char schema[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, handle BLOB NOT NULL,"
    " created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS credentials(id BLOB PRIMARY KEY, user TEXT NOT NULL,"
    " cose BLOB NOT NULL, alg INTEGER NOT NULL, counter INTEGER NOT NULL, fmt TEXT NOT NULL,"
    " disabled INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL, last_used INTEGER);"
    "CREATE TABLE IF NOT EXISTS requests(id TEXT PRIMARY KEY, kind TEXT NOT NULL,"
    " user TEXT NOT NULL, handle BLOB, body TEXT NOT NULL, challenge BLOB NOT NULL,"
    " expires INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS owners(name TEXT PRIMARY KEY, user TEXT NOT NULL,"
    " kind TEXT NOT NULL);";

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

int svc_open(wallet *w, const char *auth_db, const svc_config *cfg, svc **out)
{
    *out = NULL;
    if (!cfg || !cfg->rp_id || !cfg->origin || strlen(cfg->rp_id) >= 256 ||
        strlen(cfg->origin) >= 256)
        return WALLET_E_ARG;
    svc *s = calloc(1, sizeof *s);
    if (!s)
        return WALLET_E_DB;
    s->w = w;
    s->cfg = *cfg;
    snprintf(s->rp_id, sizeof s->rp_id, "%s", cfg->rp_id);
    snprintf(s->origin, sizeof s->origin, "%s", cfg->origin);
    s->cfg.rp_id = s->rp_id;
    s->cfg.origin = s->origin;
    if (s->cfg.request_ttl <= 0)
        s->cfg.request_ttl = 120;
    if (sqlite3_open(auth_db, &s->db) != SQLITE_OK ||
        sqlite3_busy_timeout(s->db, 5000) != SQLITE_OK ||
        sqlite3_exec(s->db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        sqlite3_close(s->db);
        free(s);
        return WALLET_E_DB;
    }
    fido_init(0);
    *out = s;
    return 0;
}

void svc_close(svc *s)
{
    if (!s)
        return;
    sqlite3_close(s->db);
    free(s);
}

const char *svc_last_error(const svc *s) { return s->err; }

void svc_last_timing(const svc *s, double *verify_us, double *vault_us)
{
    *verify_us = s->verify_us;
    *vault_us = s->vault_us;
}

/* ---- small helpers ---- */

static int fail(json_t **out, int status, const char *code, const char *msg)
{
    *out = json_pack("{s:s,s:s}", "error", code, "message", msg);
    return status;
}

static json_t *b64_json(const uint8_t *p, size_t n)
{
    char *t = malloc(n / 3 * 4 + 8);
    if (!t)
        return NULL;
    wa_b64url_encode(p, n, t);
    json_t *j = json_string(t);
    free(t);
    return j;
}

/* A base64url string member into a fresh buffer (≤ max bytes). */
static int get_b64(json_t *o, const char *key, size_t max, uint8_t **p, size_t *n)
{
    const char *t = json_string_value(json_object_get(o, key));
    *p = NULL;
    if (!t || strlen(t) > max / 3 * 4 + 4)
        return -1;
    uint8_t *b = malloc(max ? max : 1);
    long l = b ? wa_b64url_decode(t, b, max) : -1;
    if (l < 0) {
        free(b);
        return -1;
    }
    *p = b;
    *n = (size_t)l;
    return 0;
}

/* user and object names: 1..64 of [A-Za-z0-9_.-] */
static int good_name(const char *n)
{
    size_t l = n ? strlen(n) : 0;
    if (l == 0 || l > 64)
        return 0;
    for (size_t i = 0; i < l; i++) {
        char c = n[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return 1;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* finalize and forget: a statement variable reused after a skipped prepare
 * must not be finalized twice (the fuzzer found that one) */
static void fin(sqlite3_stmt **st)
{
    sqlite3_finalize(*st);
    *st = NULL;
}

static int tx(svc *s, const char *sql) { return sqlite3_exec(s->db, sql, NULL, NULL, NULL); }

/* Stores a pending challenge: drops expired ones first, refuses a flood. */
static int store_request_tx(svc *s, const char *id, const char *kind, const char *user,
                            const uint8_t *handle, size_t hl, const char *body,
                            const uint8_t chal[32])
{
    sqlite3_stmt *st = NULL;
    int64_t now = (int64_t)time(NULL), pending = 0;
    int ok = 0;
    if (tx(s, "BEGIN IMMEDIATE") != SQLITE_OK)
        return -1;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM requests WHERE expires < ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_int64(st, 1, now);
        sqlite3_step(st);
    }
    fin(&st);
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM requests", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        pending = sqlite3_column_int64(st, 0);
    fin(&st);
    if (pending < MAX_PENDING &&
        sqlite3_prepare_v2(s->db, "INSERT INTO requests VALUES(?,?,?,?,?,?,?)", -1, &st, NULL) ==
            SQLITE_OK) {
        sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
        if (handle)
            sqlite3_bind_blob(st, 4, handle, (int)hl, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, body, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 6, chal, 32, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, now + s->cfg.request_ttl);
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    fin(&st);
    if (!ok || tx(s, "COMMIT") != SQLITE_OK) {
        tx(s, "ROLLBACK");
        return pending >= MAX_PENDING ? 1 : -1;
    }
    return 0;
}

/* A pending challenge need not survive a crash (the client asks again), so
 * its commit skips the WAL's fsync: synchronous=NORMAL keeps it atomic, and
 * the next FULL commit on this database (the approve or register/finish
 * that spends it) makes it durable with its own fsync. What has to be
 * durable before the vault is touched, the challenge's consumption and the
 * authenticator's counter, is still committed with synchronous=FULL. */
static int store_request(svc *s, const char *id, const char *kind, const char *user,
                         const uint8_t *handle, size_t hl, const char *body,
                         const uint8_t chal[32])
{
    if (tx(s, "PRAGMA synchronous=NORMAL") != SQLITE_OK)
        return -1;
    int rc = store_request_tx(s, id, kind, user, handle, hl, body, chal);
    if (tx(s, "PRAGMA synchronous=FULL") != SQLITE_OK) {
        snprintf(s->err, sizeof s->err, "cannot restore synchronous=FULL");
        return -1; /* every later commit would be unsafe: refuse */
    }
    return rc;
}

typedef struct {
    char kind[16], user[128];
    char *body; /* malloc'd canonical request text */
    uint8_t handle[64], chal[32];
    size_t hl;
    int64_t expires;
} pending;

/* Inside a transaction: fetches and deletes a pending request. 0 found,
 * 1 none (unknown, used or replayed), -1 database error. */
static int take_request(svc *s, const char *id, pending *p)
{
    sqlite3_stmt *st = NULL;
    int rc = 1;
    memset(p, 0, sizeof *p);
    if (sqlite3_prepare_v2(s->db,
                           "SELECT kind,user,handle,body,challenge,expires FROM requests "
                           "WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *k = (const char *)sqlite3_column_text(st, 0);
        const char *u = (const char *)sqlite3_column_text(st, 1);
        const char *b = (const char *)sqlite3_column_text(st, 3);
        int hl = sqlite3_column_bytes(st, 2), cl = sqlite3_column_bytes(st, 4);
        if (k && u && b && strlen(k) < sizeof p->kind && strlen(u) < sizeof p->user &&
            strlen(b) <= MAX_CANONICAL && hl >= 0 && (size_t)hl <= sizeof p->handle &&
            cl == 32) {
            strcpy(p->kind, k);
            strcpy(p->user, u);
            p->body = strdup(b);
            if (hl)
                memcpy(p->handle, sqlite3_column_blob(st, 2), (size_t)hl);
            p->hl = (size_t)hl;
            memcpy(p->chal, sqlite3_column_blob(st, 4), 32);
            p->expires = sqlite3_column_int64(st, 5);
            rc = p->body ? 0 : -1;
        } else {
            rc = -1;
        }
    }
    fin(&st);
    if (rc != 0)
        return rc;
    if (sqlite3_prepare_v2(s->db, "DELETE FROM requests WHERE id = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
    fin(&st);
    return rc;
}

static int user_exists(svc *s, const char *user)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM credentials WHERE user = ? AND disabled = 0",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
        n = sqlite3_step(st) == SQLITE_ROW;
    }
    fin(&st);
    return n;
}

/* the owner of a token or key ("" when none) */
static void owner_of(svc *s, const char *name, char *user, size_t cap)
{
    sqlite3_stmt *st = NULL;
    user[0] = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT user FROM owners WHERE name = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            snprintf(user, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    fin(&st);
}

static int set_owner(svc *s, const char *name, const char *user, const char *kind)
{
    sqlite3_stmt *st = NULL;
    int ok = 0;
    if (sqlite3_prepare_v2(s->db, user ? "INSERT OR REPLACE INTO owners VALUES(?,?,?)"
                                       : "DELETE FROM owners WHERE name = ?",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (user) {
            sqlite3_bind_text(st, 2, user, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
        }
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    fin(&st);
    return ok ? 0 : -1;
}

/* Claims a name for user at approve time: 0 newly claimed, 2 already theirs,
 * 1 another user owns it (two users may both have asked to create a new name
 * before either ran; the first approve wins), -1 on a database error. */
static int claim_name(svc *s, const char *name, const char *user, const char *kind)
{
    char owner[128];
    owner_of(s, name, owner, sizeof owner);
    if (owner[0])
        return strcmp(owner, user) != 0 ? 1 : 2;
    return set_owner(s, name, user, kind);
}

/* ---- registration ---- */

static int h_register_begin(svc *s, json_t *in, json_t **out)
{
    const char *user = json_string_value(json_object_get(in, "user"));
    uint8_t handle[16], nonce[16], chal[32];
    char id[33];
    if (!good_name(user))
        return fail(out, 400, "bad-request", "user: 1-64 of [A-Za-z0-9_.-]");
    /* One authenticator per user: adding a second would need an assertion
     * from the first (not built); a disabled (cloned) one may be replaced. */
    if (user_exists(s, user))
        return fail(out, 409, "exists", "this user already has an authenticator");
    if (RAND_bytes(handle, sizeof handle) != 1 || RAND_bytes(nonce, sizeof nonce) != 1 ||
        RAND_bytes(chal, sizeof chal) != 1)
        return fail(out, 500, "internal", "no randomness");
    hex(nonce, sizeof nonce, id);
    int rc = store_request(s, id, "register", user, handle, sizeof handle, "{}", chal);
    if (rc)
        return fail(out, rc > 0 ? 429 : 500, rc > 0 ? "busy" : "internal",
                    rc > 0 ? "too many pending requests" : "database");
    *out = json_pack("{s:s,s:{s:o,s:{s:s,s:s},s:{s:o,s:s,s:s},s:[{s:s,s:i},{s:s,s:i}],"
                     "s:i,s:s,s:{s:s,s:s}}}",
                     "request", id, "publicKey", "challenge", b64_json(chal, 32), "rp", "id",
                     s->rp_id, "name", "qtpm-wallet", "user", "id",
                     b64_json(handle, sizeof handle), "name", user, "displayName", user,
                     "pubKeyCredParams", "type", "public-key", "alg", -7, "type",
                     "public-key", "alg", -8, "timeout", s->cfg.request_ttl * 1000,
                     "attestation", "none", "authenticatorSelection", "userVerification",
                     s->cfg.require_uv ? "required" : "preferred", "residentKey",
                     "discouraged");
    return *out ? 200 : 500;
}

/* libfido2's reading of authData must give the same credential as ours */
static int fido_cross_check_cred(const uint8_t *ad, size_t ad_len, const wa_credential *c,
                                 EVP_PKEY *key)
{
    fido_cred_t *fc = fido_cred_new();
    int ok = 0;
    if (fc && fido_cred_set_type(fc, c->alg == -7 ? COSE_ES256 : COSE_EDDSA) == FIDO_OK &&
        fido_cred_set_authdata_raw(fc, ad, ad_len) == FIDO_OK &&
        fido_cred_id_len(fc) == c->cred_id_len &&
        public_equal(fido_cred_id_ptr(fc), c->cred_id, c->cred_id_len)) {
        uint8_t pub[65];
        size_t pl = 0;
        if (c->alg == -7) {
            ok = EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pub, sizeof pub,
                                                 &pl) == 1 && pl == 65 &&
                 fido_cred_pubkey_len(fc) == 64 && public_equal(fido_cred_pubkey_ptr(fc), pub + 1, 64);
        } else {
            pl = 32;
            ok = EVP_PKEY_get_raw_public_key(key, pub, &pl) == 1 && pl == 32 &&
                 fido_cred_pubkey_len(fc) == 32 && public_equal(fido_cred_pubkey_ptr(fc), pub, 32);
        }
    }
    fido_cred_free(&fc);
    return ok;
}

static int h_register_finish(svc *s, json_t *in, json_t **out)
{
    const char *id = json_string_value(json_object_get(in, "request"));
    uint8_t *cd = NULL, *att = NULL;
    size_t cd_len = 0, att_len = 0;
    pending p;
    int status;
    memset(&p, 0, sizeof p);
    if (!id || strlen(id) != 32 || get_b64(in, "clientDataJSON", 4096, &cd, &cd_len) ||
        get_b64(in, "attestationObject", 8192, &att, &att_len)) {
        free(cd);
        return fail(out, 400, "bad-request",
                    "request, clientDataJSON and attestationObject (base64url) required");
    }
    if (tx(s, "BEGIN IMMEDIATE") != SQLITE_OK) {
        status = fail(out, 500, "internal", "database");
        goto done;
    }
    int t = take_request(s, id, &p);
    if (t != 0 || strcmp(p.kind, "register") != 0) {
        tx(s, "ROLLBACK");
        status = t < 0 ? fail(out, 500, "internal", "database")
                       : fail(out, 404, "unknown-request", "no such pending registration");
        goto done;
    }
    if (p.expires < (int64_t)time(NULL)) {
        tx(s, "COMMIT");
        status = fail(out, 410, "expired", "the registration challenge expired");
        goto done;
    }
    wa_expect e = { s->rp_id, s->origin, p.chal, 32, 0, s->cfg.require_uv };
    wa_credential c;
    int rc = wa_verify_registration(&e, att, att_len, cd, cd_len, &c);
    EVP_PKEY *key = NULL;
    int alg = 0;
    if (rc == 0) {
        const uint8_t *ad = c.cred_id - 55; /* authData; the key ends it (webauthn.c) */
        if (wa_cose_key(c.cose, c.cose_len, &key, &alg) != 0 ||
            !fido_cross_check_cred(ad, (size_t)(c.cose + c.cose_len - ad), &c, key))
            rc = WA_E_ATTEST;
    }
    EVP_PKEY_free(key);
    if (rc) {
        tx(s, "COMMIT"); /* the challenge is spent */
        snprintf(s->err, sizeof s->err, "registration refused (%d)", rc);
        status = fail(out, 403, "refused", "attestation does not verify");
        goto done;
    }
    sqlite3_stmt *st = NULL;
    int ok = 0;
    int64_t now = (int64_t)time(NULL);
    /* a disabled credential of this user is replaced */
    if (sqlite3_prepare_v2(s->db, "DELETE FROM credentials WHERE user = ? AND disabled = 1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, p.user, -1, SQLITE_STATIC);
        sqlite3_step(st);
    }
    fin(&st);
    if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO users VALUES(?,?,?)", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, p.user, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, p.handle, (int)p.hl, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, now);
        ok = sqlite3_step(st) == SQLITE_DONE;
    }
    fin(&st);
    if (ok && sqlite3_prepare_v2(s->db, "INSERT INTO credentials(id,user,cose,alg,counter,fmt,"
                                        "created) VALUES(?,?,?,?,?,?,?)",
                                 -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, c.cred_id, (int)c.cred_id_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p.user, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, c.cose, (int)c.cose_len, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, c.alg);
        sqlite3_bind_int64(st, 5, c.counter);
        sqlite3_bind_text(st, 6, c.fmt, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 7, now);
        ok = sqlite3_step(st) == SQLITE_DONE;
    } else {
        ok = 0;
    }
    fin(&st);
    if (!ok || tx(s, "COMMIT") != SQLITE_OK) {
        tx(s, "ROLLBACK");
        status = fail(out, 409, "exists", "credential already registered");
        goto done;
    }
    *out = json_pack("{s:s,s:o,s:i,s:s}", "user", p.user, "credential",
                     b64_json(c.cred_id, c.cred_id_len), "alg", c.alg, "fmt", c.fmt);
    status = 200;
done:
    free(p.body);
    free(cd);
    free(att);
    return status;
}

/* ---- requests ---- */

static const char *const ops[] = { "seal", "unseal", "delete", "keygen", "rotate",
                                   "key-delete", "encrypt", "decrypt", "hmac", NULL };

/* The canonical request (sorted keys, compact): what the challenge hashes. */
static int h_request(svc *s, json_t *in, json_t **out)
{
    const char *user = json_string_value(json_object_get(in, "user"));
    const char *op = json_string_value(json_object_get(in, "op"));
    const char *name = json_string_value(json_object_get(in, "name"));
    int known = 0;
    for (int i = 0; op && ops[i]; i++)
        known |= !strcmp(op, ops[i]);
    if (!good_name(user) || !known || !good_name(name))
        return fail(out, 400, "bad-request", "user, op and name required (op: seal, unseal, "
                                             "delete, keygen, rotate, key-delete, encrypt, "
                                             "decrypt, hmac)");
    if (!user_exists(s, user))
        return fail(out, 403, "no-authenticator", "this user has no active authenticator");
    char owner[128];
    owner_of(s, name, owner, sizeof owner);
    int creates = !strcmp(op, "seal") || !strcmp(op, "keygen");
    if (owner[0] && strcmp(owner, user) != 0)
        return fail(out, 403, "not-owner", "another user owns this name");
    if (!owner[0] && !creates)
        return fail(out, 404, "not-found", "no such token or key of this user");
    json_t *req = json_pack("{s:s,s:s,s:s}", "user", user, "op", op, "name", name);
    if (!req)
        return fail(out, 500, "internal", "memory");
    /* op-specific members, type-checked and copied, nothing else admitted */
    const char *k;
    json_t *v;
    int bad = 0;
    char bad_key[40] = "";
    json_object_foreach(in, k, v) {
        if (!strcmp(k, "user") || !strcmp(k, "op") || !strcmp(k, "name"))
            continue;
        int ok = 0;
        if (!strcmp(k, "data") && (!strcmp(op, "seal") || !strcmp(op, "encrypt") ||
                                   !strcmp(op, "decrypt") || !strcmp(op, "hmac"))) {
            uint8_t *d = NULL;
            size_t n = 0;
            ok = get_b64(in, "data", !strcmp(op, "seal") ? MAX_DATA : MAX_KEYDATA + 16, &d,
                         &n) == 0 && n > 0;
            free(d);
        } else if (!strcmp(op, "seal") && !strcmp(k, "type")) {
            const char *t = json_string_value(v);
            ok = t && (!strcmp(t, "bearer") || !strcmp(t, "financial"));
        } else if ((!strcmp(op, "seal") &&
                    (!strcmp(k, "uses") || !strcmp(k, "amount_limit") || !strcmp(k, "expires") ||
                     !strcmp(k, "pcr_mask"))) ||
                   (!strcmp(op, "unseal") && !strcmp(k, "amount"))) {
            ok = json_is_integer(v) && json_integer_value(v) >= 0 &&
                 (strcmp(k, "uses") && strcmp(k, "pcr_mask") ? 1
                                                             : json_integer_value(v) <= 0xffffff);
            /* amounts are whole units: a limit of 1..WALLET_MAX_AMOUNT_LIMIT
             * (each unit is one TPM counter increment), an amount ≥ 1 */
            if (ok && !strcmp(k, "amount_limit") &&
                json_integer_value(v) > (json_int_t)WALLET_MAX_AMOUNT_LIMIT) {
                json_decref(req);
                return fail(out, 400, "bad-amount", "amount_limit above the largest limit "
                                                    "(1000 units)");
            }
            if (ok && !strcmp(k, "amount") && json_integer_value(v) < 1) {
                json_decref(req);
                return fail(out, 400, "bad-amount", "amount must be a whole number of units, "
                                                    "at least 1");
            }
        } else if (!strcmp(op, "keygen") && !strcmp(k, "kind")) {
            const char *t = json_string_value(v);
            ok = t && (!strcmp(t, "aes") || !strcmp(t, "hmac"));
        }
        if (!ok || json_object_set(req, k, v) != 0) {
            bad = 1;
            snprintf(bad_key, sizeof bad_key, "%s", k);
            break;
        }
    }
    /* an unseal of a token with an amount limit names an amount within it
     * (the vault and the TPM check again; this answers before a signature) */
    if (!bad && !strcmp(op, "unseal") && s->w) {
        wallet_token_info ti;
        json_t *a = json_object_get(req, "amount");
        if (wallet_token_info_get(s->w, name, &ti) == 0 && ti.amount_limit) {
            if (!a) {
                json_decref(req);
                return fail(out, 400, "bad-amount", "this token has an amount limit: give an "
                                                    "amount");
            }
            if ((uint64_t)json_integer_value(a) > ti.amount_limit) {
                json_decref(req);
                return fail(out, 400, "bad-amount", "amount above the token's limit");
            }
        }
    }
    int needs_data = !strcmp(op, "seal") || !strcmp(op, "encrypt") || !strcmp(op, "decrypt") ||
                     !strcmp(op, "hmac");
    if (bad || (needs_data && !json_object_get(req, "data")) ||
        (!strcmp(op, "keygen") && !json_object_get(req, "kind"))) {
        json_decref(req);
        if (!strcmp(bad_key, "amount") || !strcmp(bad_key, "amount_limit"))
            return fail(out, 400, "bad-amount", "amount and amount_limit are whole numbers of "
                                                "units (integers ≥ 1; a limit ≤ 1000)");
        return fail(out, 400, "bad-request", "a member is unknown for this op, malformed or "
                                             "missing");
    }
    uint8_t nonce[16], chal[32];
    char id[33];
    if (RAND_bytes(nonce, sizeof nonce) != 1) {
        json_decref(req);
        return fail(out, 500, "internal", "no randomness");
    }
    hex(nonce, sizeof nonce, id);
    json_object_set_new(req, "nonce", json_string(id));
    json_object_set_new(req, "valid_until",
                        json_integer((json_int_t)time(NULL) + s->cfg.request_ttl));
    json_object_set_new(req, "rp", json_string(s->rp_id));
    char *text = json_dumps(req, JSON_SORT_KEYS | JSON_COMPACT);
    json_decref(req);
    if (!text || strlen(text) > MAX_CANONICAL) {
        free(text);
        return fail(out, 413, "too-large", "request too large");
    }
    SHA256((const uint8_t *)text, strlen(text), chal);
    int rc = store_request(s, id, "use", user, NULL, 0, text, chal);
    if (rc) {
        free(text);
        return fail(out, rc > 0 ? 429 : 500, rc > 0 ? "busy" : "internal",
                    rc > 0 ? "too many pending requests" : "database");
    }
    /* the user's credentials, for allowCredentials */
    json_t *allow = json_array();
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT id FROM credentials WHERE user = ? AND disabled = 0",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            json_array_append_new(allow, json_pack("{s:s,s:o}", "type", "public-key", "id",
                                                   b64_json(sqlite3_column_blob(st, 0),
                                                            (size_t)sqlite3_column_bytes(st, 0))));
    }
    fin(&st);
    *out = json_pack("{s:s,s:s,s:{s:o,s:s,s:o,s:s,s:i}}", "request", id, "text", text,
                     "publicKey", "challenge", b64_json(chal, 32), "rpId", s->rp_id,
                     "allowCredentials", allow, "userVerification",
                     s->cfg.require_uv ? "required" : "preferred", "timeout",
                     s->cfg.request_ttl * 1000);
    free(text);
    return *out ? 200 : 500;
}

static int fido_cross_check_assert(const svc *s, EVP_PKEY *key, int alg, const uint8_t *ad,
                                   size_t ad_len, const uint8_t *cd, size_t cd_len,
                                   const uint8_t *sig, size_t sig_len)
{
    uint8_t h[32];
    SHA256(cd, cd_len, h);
    fido_assert_t *a = fido_assert_new();
    es256_pk_t *ep = NULL;
    eddsa_pk_t *dp = NULL;
    const void *pk = NULL;
    int ok = 0;
    if (alg == -7 && (ep = es256_pk_new()) && es256_pk_from_EVP_PKEY(ep, key) == FIDO_OK)
        pk = ep;
    else if (alg == -8 && (dp = eddsa_pk_new()) && eddsa_pk_from_EVP_PKEY(dp, key) == FIDO_OK)
        pk = dp;
    if (a && pk && fido_assert_set_count(a, 1) == FIDO_OK &&
        fido_assert_set_rp(a, s->rp_id) == FIDO_OK &&
        fido_assert_set_clientdata_hash(a, h, sizeof h) == FIDO_OK &&
        fido_assert_set_authdata_raw(a, 0, ad, ad_len) == FIDO_OK &&
        fido_assert_set_sig(a, 0, sig, sig_len) == FIDO_OK &&
        fido_assert_set_up(a, FIDO_OPT_TRUE) == FIDO_OK &&
        fido_assert_set_uv(a, s->cfg.require_uv ? FIDO_OPT_TRUE : FIDO_OPT_OMIT) == FIDO_OK)
        ok = fido_assert_verify(a, 0, alg == -7 ? COSE_ES256 : COSE_EDDSA, pk) == FIDO_OK;
    es256_pk_free(&ep);
    eddsa_pk_free(&dp);
    fido_assert_free(&a);
    return ok;
}

static const char *wa_reason(int rc)
{
    switch (rc) {
    case WA_E_CHALLENGE: return "the assertion was made for another request";
    case WA_E_ORIGIN: return "wrong origin";
    case WA_E_RPID: return "wrong relying party";
    case WA_E_FLAGS: return "user presence / verification missing";
    case WA_E_SIG: return "signature does not verify";
    case WA_E_COUNTER: return "signature counter did not increase: cloned authenticator? "
                              "credential disabled";
    case WA_E_CLIENT: return "clientDataJSON malformed or wrong type";
    case WA_E_AUTHDATA: return "authenticatorData malformed";
    default: return "assertion refused";
    }
}

static int vault_fail(svc *s, json_t **out, int rc)
{
    snprintf(s->err, sizeof s->err, "%s", s->w ? wallet_last_error(s->w) : "");
    *out = json_pack("{s:s,s:s,s:i,s:s}", "error", "vault", "message", wallet_strerror(rc),
                     "code", rc, "detail", s->err);
    int base = rc > 0 ? wallet_rc_base(rc) : rc;
    if (rc > 0) /* the TPM refused: its response code without the session/parameter number */
        json_object_set_new(*out, "tpm_rc", json_integer(base));
    return base == WALLET_E_NOTFOUND ? 404 : base == WALLET_E_EXISTS ? 409
         : (base == WALLET_E_EXPIRED || base == WALLET_E_USED) ? 410
         : base == WALLET_E_AMOUNT ? 403 : rc > 0 ? 403 : base == WALLET_E_ARG ? 400 : 500;
}

/* Runs an approved request on the vault. claim is claim_name()'s answer for
 * the ops that create a name (seal, keygen), given in approve's transaction. */
static int run(svc *s, json_t *req, int claim, json_t **out)
{
    const char *op = json_string_value(json_object_get(req, "op"));
    const char *name = json_string_value(json_object_get(req, "name"));
    uint8_t *data = NULL, *res = NULL;
    size_t dl = 0, rl = 0;
    int rc;
    if (!s->w)
        return fail(out, 503, "no-vault", "the service has no vault");
    if (json_object_get(req, "data") &&
        get_b64(req, "data", !strcmp(op, "seal") ? MAX_DATA : MAX_KEYDATA + 16, &data, &dl))
        return fail(out, 400, "bad-request", "data");
    if (!strcmp(op, "seal")) {
        const char *t = json_string_value(json_object_get(req, "type"));
        wallet_token_opts o = { t && !strcmp(t, "financial") ? WALLET_TOKEN_FINANCIAL
                                                               : WALLET_TOKEN_BEARER,
                                1u << 7, 0, 0, 0 };
        if (json_object_get(req, "pcr_mask"))
            o.pcr_mask = (uint32_t)json_integer_value(json_object_get(req, "pcr_mask"));
        o.amount_limit = (uint64_t)json_integer_value(json_object_get(req, "amount_limit"));
        o.expires = (int64_t)json_integer_value(json_object_get(req, "expires"));
        o.uses = (uint32_t)json_integer_value(json_object_get(req, "uses"));
        /* ownership first (committed with the approve): a crash after it leaves
         * a name the same user may seal again */
        int c = claim;
        if (c == 1 || c < 0) {
            free(data);
            return c > 0 ? fail(out, 403, "not-owner", "another user owns this name")
                         : fail(out, 500, "internal", "database");
        }
        rc = wallet_token_seal(s->w, name, &o, data, dl);
        if (rc == 0)
            *out = json_pack("{s:s,s:s}", "sealed", name, "type",
                             o.type == WALLET_TOKEN_FINANCIAL ? "financial" : "bearer");
        else if (c == 0) /* not ours after all: e.g. a token the CLI sealed */
            set_owner(s, name, NULL, NULL);
    } else if (!strcmp(op, "unseal")) {
        rc = wallet_token_unseal(s->w, name,
                                 (uint64_t)json_integer_value(json_object_get(req, "amount")), &res,
                                 &rl);
        if (rc == 0)
            *out = json_pack("{s:s,s:o}", "name", name, "token", b64_json(res, rl));
    } else if (!strcmp(op, "delete") || !strcmp(op, "key-delete")) {
        rc = !strcmp(op, "delete") ? wallet_token_delete(s->w, name) : wallet_key_delete(s->w, name);
        if (rc == 0) {
            /* a lost release leaves the name with its owner, who may create
             * it again: atomic without its own fsync (made durable by the
             * next FULL commit) */
            if (tx(s, "PRAGMA synchronous=NORMAL") == SQLITE_OK) {
                set_owner(s, name, NULL, NULL);
                if (tx(s, "PRAGMA synchronous=FULL") != SQLITE_OK)
                    rc = WALLET_E_DB;
            }
        }
        if (rc == 0) {
            *out = json_pack("{s:s}", "deleted", name);
        }
    } else if (!strcmp(op, "keygen")) {
        const char *k = json_string_value(json_object_get(req, "kind"));
        int c = claim;
        if (c == 1 || c < 0) {
            free(data);
            return c > 0 ? fail(out, 403, "not-owner", "another user owns this name")
                         : fail(out, 500, "internal", "database");
        }
        rc = wallet_key_create(s->w, name, !strcmp(k, "aes") ? WALLET_KEY_AES : WALLET_KEY_HMAC);
        if (rc == 0)
            *out = json_pack("{s:s,s:s}", "created", name, "kind", k);
        else if (c == 0)
            set_owner(s, name, NULL, NULL);
    } else if (!strcmp(op, "rotate")) {
        rc = wallet_key_rotate(s->w, name);
        if (rc == 0)
            *out = json_pack("{s:s}", "rotated", name);
    } else { /* encrypt, decrypt, hmac */
        uint8_t buf[MAX_KEYDATA + 32];
        size_t n = 0;
        if (!strcmp(op, "hmac")) {
            rc = dl > MAX_KEYDATA ? WALLET_E_ARG : wallet_key_hmac(s->w, name, data, dl, buf);
            n = 32;
        } else if (!strcmp(op, "encrypt")) {
            rc = dl > MAX_KEYDATA ? WALLET_E_ARG
                                  : wallet_key_encrypt(s->w, name, data, dl, buf, sizeof buf, &n);
        } else {
            rc = wallet_key_decrypt(s->w, name, data, dl, buf, sizeof buf, &n);
        }
        if (rc == 0)
            *out = json_pack("{s:s,s:o}", "name", name, "data", b64_json(buf, n));
        OPENSSL_cleanse(buf, sizeof buf);
    }
    if (data) {
        OPENSSL_cleanse(data, dl);
        free(data);
    }
    if (res) {
        OPENSSL_cleanse(res, rl);
        free(res);
    }
    if (rc != 0)
        return vault_fail(s, out, rc);
    return *out ? 200 : 500;
}

static int h_approve(svc *s, json_t *in, json_t **out)
{
    const char *id = json_string_value(json_object_get(in, "request"));
    uint8_t *cred = NULL, *cd = NULL, *ad = NULL, *sig = NULL;
    size_t cred_len = 0, cd_len = 0, ad_len = 0, sig_len = 0;
    pending p;
    int status;
    memset(&p, 0, sizeof p);
    s->verify_us = s->vault_us = 0;
    if (!id || strlen(id) != 32 || get_b64(in, "credential", 1023, &cred, &cred_len) ||
        get_b64(in, "clientDataJSON", 4096, &cd, &cd_len) ||
        get_b64(in, "authenticatorData", 1024, &ad, &ad_len) ||
        get_b64(in, "signature", 512, &sig, &sig_len)) {
        status = fail(out, 400, "bad-request", "request, credential, clientDataJSON, "
                                               "authenticatorData, signature (base64url) "
                                               "required");
        goto done;
    }
    double t0 = now_us();
    if (tx(s, "BEGIN IMMEDIATE") != SQLITE_OK) {
        status = fail(out, 500, "internal", "database");
        goto done;
    }
    int t = take_request(s, id, &p);
    if (t != 0 || strcmp(p.kind, "use") != 0) {
        tx(s, "ROLLBACK");
        status = t < 0 ? fail(out, 500, "internal", "database")
                       : fail(out, 404, "unknown-request",
                              "no such pending request (used, replayed or never made)");
        goto done;
    }
    if (p.expires < (int64_t)time(NULL)) {
        tx(s, "COMMIT");
        status = fail(out, 410, "expired", "the request's challenge expired");
        goto done;
    }
    /* the credential: the request's user's, active */
    sqlite3_stmt *st = NULL;
    EVP_PKEY *key = NULL;
    int alg = 0, disabled = 1;
    int64_t counter = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT cose,counter,disabled FROM credentials WHERE id = ? "
                                  "AND user = ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, cred, (int)cred_len, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p.user, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            counter = sqlite3_column_int64(st, 1);
            disabled = sqlite3_column_int(st, 2);
            if (wa_cose_key(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0), &key,
                            &alg) != 0)
                key = NULL;
        }
    }
    fin(&st);
    if (!key || disabled) {
        EVP_PKEY_free(key);
        tx(s, "COMMIT");
        status = fail(out, 403, "unknown-credential",
                      "not an active authenticator of the requesting user");
        goto done;
    }
    wa_expect e = { s->rp_id, s->origin, p.chal, 32, (uint32_t)counter, s->cfg.require_uv };
    uint32_t next = 0;
    int rc = wa_verify_assertion(key, alg, &e, ad, ad_len, cd, cd_len, sig, sig_len, &next);
    /* the second verifier (libfido2) must agree on the signature; it has no
     * notion of challenges, origins or counters, which are ours alone */
    int fido_ok = fido_cross_check_assert(s, key, alg, ad, ad_len, cd, cd_len, sig, sig_len);
    EVP_PKEY_free(key);
    if (rc == 0 && !fido_ok)
        rc = WA_E_SIG;
    if (rc == WA_E_COUNTER &&
        sqlite3_prepare_v2(s->db, "UPDATE credentials SET disabled = 1 WHERE id = ?", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_blob(st, 1, cred, (int)cred_len, SQLITE_STATIC);
        sqlite3_step(st);
        fin(&st);
    }
    if (rc == 0 && sqlite3_prepare_v2(s->db, "UPDATE credentials SET counter = ?, last_used = ? "
                                             "WHERE id = ?", -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, next);
        sqlite3_bind_int64(st, 2, (int64_t)time(NULL));
        sqlite3_bind_blob(st, 3, cred, (int)cred_len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = -1;
        fin(&st);
    }
    /* the stored request, and for a seal or keygen the claim of its name,
     * in the same transaction (one fsync) */
    json_error_t jerr;
    json_t *req = rc == 0 ? json_loads(p.body, 0, &jerr) : NULL;
    int claim = -2;
    if (req) {
        const char *op = json_string_value(json_object_get(req, "op"));
        const char *name = json_string_value(json_object_get(req, "name"));
        if (s->w && op && name && (!strcmp(op, "seal") || !strcmp(op, "keygen")))
            claim = claim_name(s, name, p.user, !strcmp(op, "seal") ? "token" : "key");
    }
    /* commit the spent request (and counter) before the vault is touched */
    if (tx(s, "COMMIT") != SQLITE_OK) {
        json_decref(req);
        tx(s, "ROLLBACK");
        status = fail(out, 500, "internal", "database");
        goto done;
    }
    s->verify_us = now_us() - t0;
    if (rc) {
        snprintf(s->err, sizeof s->err, "assertion refused (%d)", rc);
        status = fail(out, 403, rc == WA_E_COUNTER ? "clone" : "refused", wa_reason(rc));
        goto done;
    }
    if (!req) {
        status = fail(out, 500, "internal", "stored request unreadable");
        goto done;
    }
    /* the signed audit log records who approved: user, credential, request */
    char who[192], cid[24];
    char c64[1400];
    wa_b64url_encode(cred, cred_len > 1000 ? 1000 : cred_len, c64);
    snprintf(cid, sizeof cid, "%.16s", c64);
    snprintf(who, sizeof who, "by %s with credential %s%s, request %s", p.user, cid,
             strlen(c64) > 16 ? "…" : "", id);
    double t1 = now_us();
    if (s->w)
        wallet_set_approval(s->w, who);
    status = run(s, req, claim, out);
    if (s->w)
        wallet_set_approval(s->w, NULL);
    s->vault_us = now_us() - t1;
    json_decref(req);
done:
    free(p.body);
    free(cred);
    free(cd);
    free(ad);
    free(sig);
    return status;
}

static int h_tokens(svc *s, json_t *in, json_t **out)
{
    const char *user = json_string_value(json_object_get(in, "user"));
    if (!good_name(user))
        return fail(out, 400, "bad-request", "user required");
    json_t *list = json_array();
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT name, kind FROM owners WHERE user = ? ORDER BY name",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, user, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *name = (const char *)sqlite3_column_text(st, 0);
            const char *kind = (const char *)sqlite3_column_text(st, 1);
            json_t *o = json_pack("{s:s,s:s}", "name", name, "kind", kind);
            wallet_token_info ti;
            if (s->w && !strcmp(kind, "token") && wallet_token_info_get(s->w, name, &ti) == 0) {
                json_object_set_new(o, "type", json_string(ti.type == WALLET_TOKEN_FINANCIAL
                                                               ? "financial" : "bearer"));
                json_object_set_new(o, "uses", json_integer(ti.uses));
                json_object_set_new(o, "amount_limit", json_integer((json_int_t)ti.amount_limit));
                json_object_set_new(o, "expires", json_integer(ti.expires));
                json_object_set_new(o, "pcr_mask", json_integer(ti.pcr_mask));
            }
            json_array_append_new(list, o);
        }
    }
    fin(&st);
    *out = json_pack("{s:s,s:o}", "user", user, "items", list);
    return 200;
}

static int h_status(svc *s, json_t **out)
{
    sqlite3_stmt *st = NULL;
    json_int_t users = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM users", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        users = sqlite3_column_int64(st, 0);
    fin(&st);
    *out = json_pack("{s:s,s:s,s:s,s:I,s:b}", "service", "qtpm-wallet", "rpId", s->rp_id,
                     "alg", !s->w ? "none" : wallet_algorithm(s->w) == WALLET_ALG_QR ? "qr"
                                                                                      : "classic",
                     "users", users, "requireUV", s->cfg.require_uv);
    return 200;
}

int svc_handle(svc *s, const char *method, const char *path, const uint8_t *body, size_t len,
               json_t **out)
{
    *out = NULL;
    s->err[0] = 0;
    if (!strcmp(method, "GET")) {
        if (!strcmp(path, "/api/v1/status"))
            return h_status(s, out);
        return fail(out, 404, "not-found", "no such resource");
    }
    if (strcmp(method, "POST") != 0)
        return fail(out, 405, "method", "GET or POST");
    static const char *const posts[] = { "/api/v1/register/begin", "/api/v1/register/finish",
                                         "/api/v1/requests", "/api/v1/approve",
                                         "/api/v1/tokens", NULL };
    int which = -1;
    for (int i = 0; posts[i]; i++)
        if (!strcmp(path, posts[i]))
            which = i;
    if (which < 0)
        return fail(out, 404, "not-found", "no such resource");
    json_error_t jerr;
    json_t *in = body ? json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr) : NULL;
    if (!in || !json_is_object(in)) {
        json_decref(in);
        return fail(out, 400, "bad-json", "the body must be one JSON object");
    }
    int status;
    switch (which) {
    case 0: status = h_register_begin(s, in, out); break;
    case 1: status = h_register_finish(s, in, out); break;
    case 2: status = h_request(s, in, out); break;
    case 3: status = h_approve(s, in, out); break;
    default: status = h_tokens(s, in, out); break;
    }
    json_decref(in);
    if (!*out)
        status = fail(out, 500, "internal", "no answer");
    return status;
}
