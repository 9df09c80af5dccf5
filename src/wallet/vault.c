/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vault.c — the wallet's vault (docs/WALLET.md): opening a vault (TPM,
 * SQLite database, gate secret, SRK, audit key), sealing and unsealing
 * tokens, TPM-resident AES-256 / HMAC keys, and the signed audit log.
 *
 * A token's envelope key (32 random bytes) is a keyedHash data object under
 * the SRK whose authPolicy is (Part 3 §23; digests computed in software):
 *     PolicyPCR(sel, pcrDigest)                         platform state
 *   ∧ PolicySecret(nvIndex, policyRef = "qtpm-wallet")  the service's approval
 *   ∧ PolicyCounterTimer(Clock < expiry, offset 8, LT)  financial tokens with an expiry
 *   ∧ PolicyNV(nvIndex, counter ≤ base + uses, LE)      financial n-time tokens only
 *   ∧ PolicyNV(spentIndex, spent ≤ spent_base + limit)  financial tokens with an amount limit
 *   ∧ PolicyCommandCode(TPM_CC_Unseal)
 * The NV index is the token's own counter (TPM_NT_COUNTER). Its authValue is
 * HMAC-SHA256(gate secret, "nv" ‖ token id ‖ salt): without the gate file no
 * one can satisfy PolicySecret, and when the token is deleted the index is
 * undefined, so every copy of the sealed blob is dead (a redefined index has
 * another Name and the policy would not match). The unseal flow increments
 * the counter before PolicyNV, so however requests interleave on the TPM no
 * more than `uses` unseals ever succeed (Part 3 §31.8 NV_Increment; §23.9).
 * The amount limit is a second counter ("spent", SPENT_BASE + id) that an
 * unseal for amount a increments a times before its PolicyNV: the amounts
 * released never sum to more than the limit, by the same argument. The
 * expiry is a TPM Clock value (Part 1 §37; Part 2 §10.11 TPMS_TIME_INFO);
 * the vault keeps Clock from lagging wall time (clock_sync), and Clock never
 * goes back, so an expired token stays expired.
 * The envelope key encrypts the token (AES-256-GCM, AAD = id ‖ name) in the
 * database, so tokens may be larger than a sealed object's 128 bytes.
 *
 * Database: WAL, synchronous=FULL; each operation is one transaction that
 * includes its audit entry. TPM-side effects that precede a commit (a
 * defined NV index, a persistent key) are found and undone by the next
 * operation that wants the same handle (orphans, see reclaim_*).
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <sqlite3.h>

#include "ct.h"
#include "qtpm/marshal.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"
#include "tpmx.h"
#include "wallet.h"

#define NV_BASE 0x01570000U   /* token counters: NV_BASE + token id */
#define SPENT_BASE 0x01580000U /* amount counters ("spent"): SPENT_BASE + token id */
/* The largest amount limit: an unseal for amount a costs a NV_Increments
 * (docs/WALLET.md, "Measurements": ~0.1 ms each on qtpm-server, ~1 ms on
 * swtpm), so 1000 units is at most about a second per unseal. */
#define MAX_AMOUNT_LIMIT WALLET_MAX_AMOUNT_LIMIT
#define CLOCK_MAX 0xFFFF000000000000ULL /* ClockSet refuses larger values (Part 3 §29.2) */
#define CLOCK_LAG_MS 100 /* a lag of Clock behind wall time that is not corrected */
#define KEY_BASE 0x81570000U  /* persistent keys: KEY_BASE + (key id << 4) + version % 16 */
#define MAX_TOKEN (64 * 1024)
static const char policy_ref_text[] = "qtpm-wallet";

struct wallet {
    qtpm_tss *t;
    sqlite3 *db;
    int lock_fd;
    wallet_alg alg;
    uint8_t gate[32];
    qtpm_tss_key srk;
    TPM_HANDLE audit_handle;
    TPMT_PUBLIC audit_pub;
    char err[256];
    char approval[192]; /* who approved the current operation (the service), or "" */
    int no_service_checks; /* tests: skip the vault's own expiry / amount checks */
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tokens(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " type INTEGER NOT NULL, pcr_mask INTEGER NOT NULL, amount_limit INTEGER NOT NULL,"
    " expires INTEGER NOT NULL, uses INTEGER NOT NULL, base INTEGER NOT NULL,"
    " nv INTEGER NOT NULL, salt BLOB NOT NULL, priv BLOB NOT NULL, pub BLOB NOT NULL,"
    " iv BLOB NOT NULL, ct BLOB NOT NULL, created INTEGER NOT NULL,"
    " clock_expiry INTEGER NOT NULL DEFAULT 0, spent_nv INTEGER NOT NULL DEFAULT 0,"
    " spent_base INTEGER NOT NULL DEFAULT 0, tpm_limits INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS keys(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
    " kind INTEGER NOT NULL, version INTEGER NOT NULL, handle INTEGER NOT NULL,"
    " salt BLOB NOT NULL, created INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL,"
    " op TEXT NOT NULL, subject TEXT NOT NULL, detail TEXT NOT NULL, result INTEGER NOT NULL,"
    " sig BLOB NOT NULL);";

/* ------------------------------------------------------------- helpers */

__attribute__((format(printf, 3, 4))) static int fail(wallet *w, int rc, const char *fmt, ...)
{
    if (w) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->err, sizeof w->err, fmt, ap);
        va_end(ap);
    }
    return rc;
}

int wallet_rc_base(int rc)
{
    if (rc > 0 && (rc & RC_FMT1))
        return rc & (RC_FMT1 | RC_FMT1_ERROR_MASK);
    return rc;
}

const char *wallet_strerror(int rc)
{
    switch (rc) {
    case WALLET_E_DB: return "database error";
    case WALLET_E_NOTFOUND: return "no such token or key";
    case WALLET_E_EXISTS: return "name already in use";
    case WALLET_E_EXPIRED: return "token expired";
    case WALLET_E_AMOUNT: return "amount above the token's limit";
    case WALLET_E_ARG: return "bad argument";
    case WALLET_E_AUDIT: return "audit log does not verify";
    case WALLET_E_STATE: return "vault not initialised or gate secret missing";
    case WALLET_E_CRYPTO: return "cryptographic failure";
    case WALLET_E_USED: return "token used up";
    default: return qtpm_tss_strerror(rc);
    }
}

const char *wallet_last_error(const wallet *w) { return w ? w->err : ""; }
wallet_alg wallet_algorithm(const wallet *w) { return w->alg; }
qtpm_tss *wallet_tss(wallet *w) { return w->t; }

static int64_t now_s(void) { return (int64_t)time(NULL); }

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void put_be64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | b[i];
    return v;
}

static int hmac32(const uint8_t key[32], const char *label, int64_t id, const uint8_t *salt,
                  size_t salt_len, uint8_t out[32])
{
    uint8_t msg[64 + 8 + 32];
    size_t l = strlen(label), n = 0;
    unsigned int ol = 0;
    if (l > 64 || salt_len > 32)
        return WALLET_E_ARG;
    memcpy(msg, label, l);
    n = l;
    for (int i = 7; i >= 0; i--)
        msg[n++] = (uint8_t)((uint64_t)id >> (8 * i));
    memcpy(msg + n, salt, salt_len);
    n += salt_len;
    if (!HMAC(EVP_sha256(), key, 32, msg, n, out, &ol) || ol != 32)
        return WALLET_E_CRYPTO;
    return QTPM_OK;
}

static int sql_exec(wallet *w, const char *sql)
{
    char *m = NULL;
    if (sqlite3_exec(w->db, sql, NULL, NULL, &m) != SQLITE_OK) {
        fail(w, WALLET_E_DB, "sqlite: %s", m);
        sqlite3_free(m);
        return WALLET_E_DB;
    }
    return QTPM_OK;
}

static int begin(wallet *w) { return sql_exec(w, "BEGIN IMMEDIATE"); }
static int commit(wallet *w) { return sql_exec(w, "COMMIT"); }
static void rollback(wallet *w)
{
    if (!sqlite3_get_autocommit(w->db))
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
}

static int meta_get(sqlite3 *db, const char *k, uint8_t *out, size_t cap, size_t *len)
{
    sqlite3_stmt *s;
    int rc = WALLET_E_STATE;
    if (sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k=?", -1, &s, NULL) != SQLITE_OK)
        return WALLET_E_DB;
    sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(s, 0);
        if (n <= cap) {
            memcpy(out, sqlite3_column_blob(s, 0), n);
            *len = n;
            rc = QTPM_OK;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

static int meta_put(sqlite3 *db, const char *k, const void *v, size_t len)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta(k, v) VALUES(?, ?)", -1, &s, NULL) !=
        SQLITE_OK)
        return WALLET_E_DB;
    sqlite3_bind_text(s, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_blob(s, 2, v, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(s) == SQLITE_DONE ? QTPM_OK : WALLET_E_DB;
    sqlite3_finalize(s);
    return rc;
}

static int open_db(const char *path, int create, sqlite3 **out)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return WALLET_E_DB;
    }
    sqlite3_busy_timeout(db, 10000);
    if (sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return WALLET_E_DB;
    }
    *out = db;
    return QTPM_OK;
}

static int start_tpm(const char *tcti, qtpm_tss **out)
{
    int rc = qtpm_tss_new(tcti, out);
    if (rc)
        return rc;
    rc = qtpm_tss_Startup(*out, TPM_SU_CLEAR);
    if (rc != QTPM_OK && wallet_rc_base(rc) != TPM_RC_INITIALIZE) {
        qtpm_tss_free(*out);
        *out = NULL;
        return rc;
    }
    return QTPM_OK;
}

/* A TPM without a resource manager (a simulator, /dev/tpm0) keeps the
 * transient objects and sessions of a client that died (killed mid-write):
 * the wallet, which owns its TPM, flushes them when it opens, or the TPM's
 * few object slots fill up (TPM_RC_OBJECT_MEMORY). Behind /dev/tpmrm0 the
 * kernel's resource manager shows each client only its own handles, so
 * this finds nothing. */
static void flush_stale(qtpm_tss *t)
{
    static const TPM_HANDLE first[2] = { TRANSIENT_FIRST, LOADED_SESSION_FIRST };
    for (int k = 0; k < 2; k++) {
        for (int round = 0; round < 8; round++) {
            TPMI_YES_NO more = 0;
            TPMS_CAPABILITY_DATA cap;
            if (qtpm_tss_GetCapability(t, TPM_CAP_HANDLES, first[k], 64, &more, &cap) != QTPM_OK)
                break;
            uint32_t n = cap.data.handles.count, flushed = 0;
            for (uint32_t i = 0; i < n && i < MAX_CAP_HANDLES; i++)
                if (((cap.data.handles.handle[i] >> 24) == (first[k] >> 24) ||
                     (k == 1 && (cap.data.handles.handle[i] >> 24) == TPM_HT_POLICY_SESSION)) &&
                    qtpm_tss_FlushContext(t, cap.data.handles.handle[i]) == QTPM_OK)
                    flushed++;
            if (!more || flushed == 0)
                break;
        }
    }
}

/* Template of the audit key: unrestricted signing, HashML-DSA-44/SHA-256
 * (QR) or ECDSA-P256-SHA256 (classic). */
static int audit_template(wallet_alg alg, TPMT_PUBLIC *p)
{
    if (alg == WALLET_ALG_QR) {
        int rc = qtpm_tss_template_hash_mldsa(TPM_MLDSA_44, TPM_ALG_SHA256, 0, p);
        p->objectAttributes |= TPMA_OBJECT_NODA;
        return rc;
    }
    memset(p, 0, sizeof *p);
    p->type = TPM_ALG_ECC;
    p->nameAlg = TPM_ALG_SHA256;
    p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                          TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                          TPMA_OBJECT_NODA | TPMA_OBJECT_SIGN_ENCRYPT;
    p->parameters.eccDetail.symmetric.algorithm = TPM_ALG_NULL;
    p->parameters.eccDetail.scheme.scheme = TPM_ALG_ECDSA;
    p->parameters.eccDetail.scheme.details.ecdsa.hashAlg = TPM_ALG_SHA256;
    p->parameters.eccDetail.curveID = TPM_ECC_NIST_P256;
    p->parameters.eccDetail.kdf.scheme = TPM_ALG_NULL;
    return QTPM_OK;
}

/* ---------------------------------------------------------- audit log */

static void put_str(EVP_MD_CTX *c, const char *s)
{
    uint8_t l[4];
    size_t n = strlen(s);
    for (int i = 0; i < 4; i++)
        l[i] = (uint8_t)(n >> (24 - 8 * i));
    EVP_DigestUpdate(c, l, 4);
    EVP_DigestUpdate(c, s, n);
}

static void put_u64(EVP_MD_CTX *c, uint64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
    EVP_DigestUpdate(c, b, 8);
}

/* The signed message of an entry is its 32-byte digest
 *   d = SHA-256("qtpm-wallet-audit-v1" ‖ seq ‖ ts ‖ op ‖ subject ‖ detail ‖ result ‖ prev)
 * with prev = SHA-256(previous entry's d ‖ its signature) (32 zeros for the
 * first): deleting, reordering or editing an entry breaks the chain. */
static int audit_digest(int64_t seq, int64_t ts, const char *op, const char *subject,
                        const char *detail, int64_t result, const uint8_t prev[32],
                        uint8_t d[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int ol = 0;
    if (!c || !EVP_DigestInit_ex(c, EVP_sha256(), NULL)) {
        EVP_MD_CTX_free(c);
        return WALLET_E_CRYPTO;
    }
    put_str(c, "qtpm-wallet-audit-v1");
    put_u64(c, (uint64_t)seq);
    put_u64(c, (uint64_t)ts);
    put_str(c, op);
    put_str(c, subject);
    put_str(c, detail);
    put_u64(c, (uint64_t)result);
    EVP_DigestUpdate(c, prev, 32);
    int ok = EVP_DigestFinal_ex(c, d, &ol) && ol == 32;
    EVP_MD_CTX_free(c);
    return ok ? QTPM_OK : WALLET_E_CRYPTO;
}

static int chain_next(const uint8_t d[32], const uint8_t *sig, size_t sig_len, uint8_t prev[32])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    unsigned int ol = 0;
    int ok = c && EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, d, 32) &&
             EVP_DigestUpdate(c, sig, sig_len) && EVP_DigestFinal_ex(c, prev, &ol) && ol == 32;
    EVP_MD_CTX_free(c);
    return ok ? QTPM_OK : WALLET_E_CRYPTO;
}

/* The chain value after the last entry (32 zeros for an empty log). */
static int audit_tail(sqlite3 *db, int64_t *seq, uint8_t prev[32])
{
    sqlite3_stmt *s;
    memset(prev, 0, 32);
    *seq = 0;
    if (sqlite3_prepare_v2(db, "SELECT seq, ts, op, subject, detail, result, sig FROM audit "
                               "ORDER BY seq DESC LIMIT 1", -1, &s, NULL) != SQLITE_OK)
        return WALLET_E_DB;
    int rc = QTPM_OK;
    if (sqlite3_step(s) == SQLITE_ROW) {
        /* prev of the last entry is needed too: kept in meta "audit_prev" */
        sqlite3_finalize(s);
        size_t n = 0;
        uint8_t buf[40];
        if (meta_get(db, "audit_tail", buf, sizeof buf, &n) != QTPM_OK || n != 40)
            return WALLET_E_AUDIT;
        *seq = 0;
        for (int i = 0; i < 8; i++)
            *seq = (*seq << 8) | buf[i];
        memcpy(prev, buf + 8, 32);
        return QTPM_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

/* Signs and appends an entry inside the caller's transaction. */
static int audit_append(wallet *w, const char *op, const char *subject, const char *detail,
                        int result)
{
    uint8_t prev[32], d[32], sigbuf[sizeof(TPMT_SIGNATURE)];
    int64_t seq;
    int64_t ts = now_s();
    TPMT_SIGNATURE sig;
    char full[512];
    if (w->approval[0]) { /* the approval is part of the signed entry */
        snprintf(full, sizeof full, "%s; approved %s", detail ? detail : "", w->approval);
        detail = full;
    }
    int rc = audit_tail(w->db, &seq, prev);
    if (rc)
        return fail(w, rc, "audit log tail unreadable");
    seq++;
    if ((rc = audit_digest(seq, ts, op, subject, detail, result, prev, d)) != QTPM_OK)
        return rc;
    /* the signed message is d itself: the TPM gets its SHA-256 (the
     * pre-hash of HashML-DSA, the digest of ECDSA) */
    TPM2B_DIGEST dg = { 32, { 0 } };
    SHA256(d, 32, dg.buffer);
    qtpm_tss_auths a = { 1, { { NULL, NULL } } };
    if (w->alg == WALLET_ALG_QR) {
        rc = qtpm_tss_SignDigest(w->t, &a, w->audit_handle, NULL, &dg, NULL, &sig);
    } else {
        TPMT_SIG_SCHEME sch = { .scheme = TPM_ALG_ECDSA };
        sch.details.ecdsa.hashAlg = TPM_ALG_SHA256;
        rc = qtpm_tss_Sign(w->t, &a, w->audit_handle, &dg, &sch, NULL, &sig);
    }
    if (rc)
        return fail(w, rc, "audit signature failed");
    size_t sl = 0;
    if (qtpm_TPMT_SIGNATURE_marshal(&sig, sigbuf, sizeof sigbuf, &sl))
        return WALLET_E_CRYPTO;
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(w->db, "INSERT INTO audit(seq, ts, op, subject, detail, result, sig) "
                                  "VALUES(?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK)
        return WALLET_E_DB;
    sqlite3_bind_int64(s, 1, seq);
    sqlite3_bind_int64(s, 2, ts);
    sqlite3_bind_text(s, 3, op, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, subject, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 5, detail, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 6, result);
    sqlite3_bind_blob(s, 7, sigbuf, (int)sl, SQLITE_STATIC);
    rc = sqlite3_step(s) == SQLITE_DONE ? QTPM_OK : WALLET_E_DB;
    sqlite3_finalize(s);
    if (rc)
        return fail(w, rc, "audit insert failed");
    uint8_t tail[40];
    for (int i = 0; i < 8; i++)
        tail[i] = (uint8_t)((uint64_t)seq >> (56 - 8 * i));
    if ((rc = chain_next(d, sigbuf, sl, tail + 8)) != QTPM_OK)
        return rc;
    return meta_put(w->db, "audit_tail", tail, sizeof tail);
}

/* Appends a successful operation to the audit log and commits the transaction. */
static int audit_commit(wallet *w, const char *op, const char *subject, const char *detail)
{
    int rc = audit_append(w, op, subject, detail, 0);
    return rc ? rc : commit(w);
}

/* A refused operation is logged in a transaction of its own. */
static void audit_refusal(wallet *w, const char *op, const char *subject, const char *detail,
                          int result)
{
    rollback(w);
    if (begin(w) == QTPM_OK) {
        if (audit_append(w, op, subject, detail, result) == QTPM_OK)
            commit(w);
        else
            rollback(w);
    }
}

void wallet_set_service_checks(wallet *w, int on) { w->no_service_checks = !on; }

void wallet_set_approval(wallet *w, const char *who)
{
    snprintf(w->approval, sizeof w->approval, "%s", who ? who : "");
}

int wallet_audit_pubkey(wallet *w, uint8_t *out, size_t cap, size_t *len)
{
    size_t o = 0;
    if (qtpm_TPMT_PUBLIC_marshal(&w->audit_pub, out, cap, &o))
        return QTPM_E_BUFFER;
    *len = o;
    return QTPM_OK;
}

int wallet_audit_verify(const char *db_path, const uint8_t *pin, size_t pin_len, size_t *entries,
                        int64_t *bad, char *why, size_t why_cap)
{
    sqlite3 *db = NULL;
    uint8_t pubbuf[sizeof(TPMT_PUBLIC)], prev[32], d[32];
    size_t pl = 0, o = 0;
    TPMT_PUBLIC pub;
    int rc;
    *entries = 0;
    *bad = 0;
    snprintf(why, why_cap, "ok");
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        snprintf(why, why_cap, "cannot open %s", db_path);
        return WALLET_E_DB;
    }
    if ((rc = meta_get(db, "audit_pub", pubbuf, sizeof pubbuf, &pl)) != QTPM_OK ||
        qtpm_TPMT_PUBLIC_unmarshal(&pub, pubbuf, pl, &o, 0) || o != pl) {
        snprintf(why, why_cap, "no audit key in the database");
        sqlite3_close(db);
        return WALLET_E_AUDIT;
    }
    if (pin && (pin_len != pl || !public_equal(pin, pubbuf, pl))) {
        snprintf(why, why_cap, "the database's audit key is not the pinned key");
        sqlite3_close(db);
        return WALLET_E_AUDIT;
    }
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, "SELECT seq, ts, op, subject, detail, result, sig FROM audit "
                               "ORDER BY seq", -1, &s, NULL) != SQLITE_OK) {
        sqlite3_close(db);
        return WALLET_E_DB;
    }
    memset(prev, 0, 32);
    int64_t expect = 1;
    rc = QTPM_OK;
    while (sqlite3_step(s) == SQLITE_ROW) {
        int64_t seq = sqlite3_column_int64(s, 0);
        const char *op = (const char *)sqlite3_column_text(s, 2);
        const char *sub = (const char *)sqlite3_column_text(s, 3);
        const char *det = (const char *)sqlite3_column_text(s, 4);
        const uint8_t *sb = sqlite3_column_blob(s, 6);
        size_t sl = (size_t)sqlite3_column_bytes(s, 6), so = 0;
        TPMT_SIGNATURE sig;
        *bad = seq;
        if (seq != expect) {
            snprintf(why, why_cap, "entry %lld missing (found %lld)", (long long)expect,
                     (long long)seq);
            rc = WALLET_E_AUDIT;
            break;
        }
        if (!op || !sub || !det || !sb ||
            audit_digest(seq, sqlite3_column_int64(s, 1), op, sub, det,
                         sqlite3_column_int64(s, 5), prev, d) != QTPM_OK ||
            qtpm_TPMT_SIGNATURE_unmarshal(&sig, sb, sl, &so, 0) || so != sl) {
            snprintf(why, why_cap, "entry %lld malformed", (long long)seq);
            rc = WALLET_E_AUDIT;
            break;
        }
        if (qtpm_tss_verify_signature(&pub, d, 32, &sig) != QTPM_OK) {
            snprintf(why, why_cap, "entry %lld: bad signature", (long long)seq);
            rc = WALLET_E_AUDIT;
            break;
        }
        chain_next(d, sb, sl, prev);
        expect++;
        (*entries)++;
    }
    sqlite3_finalize(s);
    if (rc == QTPM_OK) {
        /* the tail record pins the last entry: truncating the log shows */
        uint8_t tail[40];
        size_t tl = 0;
        int64_t last = 0;
        if (meta_get(db, "audit_tail", tail, sizeof tail, &tl) == QTPM_OK && tl == 40) {
            for (int i = 0; i < 8; i++)
                last = (last << 8) | tail[i];
            if (last != expect - 1 || !public_equal(tail + 8, prev, 32)) {
                snprintf(why, why_cap, "log truncated: tail says %lld entries", (long long)last);
                *bad = expect;
                rc = WALLET_E_AUDIT;
            }
        } else if (expect != 1) {
            snprintf(why, why_cap, "audit tail record missing");
            rc = WALLET_E_AUDIT;
        }
    }
    if (rc == QTPM_OK)
        *bad = 0;
    sqlite3_close(db);
    return rc;
}

/* -------------------------------------------------------------- clock */

/* Keeps the TPM's Clock from lagging wall time, which is what makes the
 * PolicyCounterTimer expiry of a token mean "after its unix expiry".
 * Clock counts only while the TPM runs (Part 1 §37.3) — a simulator that is
 * stopped, a machine that sleeps — and TPM2_ClockSet moves it forward only
 * (Part 3 §29.2: newTime ≥ Clock, ≤ 0xFFFF000000000000; no limit on one
 * step, owner authorization). The vault stores a reference (wall_ms,
 * clock_ms) in meta "clock_ref" at its first open; whenever wall time has
 * advanced more than Clock since then, Clock is set forward by the
 * difference. Editing the reference can only move Clock further forward
 * (expire tokens early), never back. A lag up to CLOCK_LAG_MS is left (it
 * is drift, not a stopped TPM). *clock gets Clock after the update and
 * *wall the wall time it was compared with (ms). */
static int clock_sync(wallet *w, uint64_t *clock, int64_t *wall)
{
    TPMS_TIME_INFO ti;
    uint8_t ref[16];
    size_t n = 0;
    int64_t wall_now = 0;
    uint64_t c = 0;
    int have_ref = meta_get(w->db, "clock_ref", ref, sizeof ref, &n) == QTPM_OK && n == 16;
    /* Clock runs on between ReadClock and ClockSet: a target it has passed
     * meanwhile is refused (TPM_RC_VALUE) and is then no longer needed;
     * read again, three tries at most */
    for (int attempt = 0;; attempt++) {
        int rc = qtpm_tss_ReadClock(w->t, &ti);
        if (rc)
            return fail(w, rc, "ReadClock failed");
        wall_now = now_ms();
        c = ti.clockInfo.clock;
        if (!have_ref) {
            put_be64(ref, (uint64_t)wall_now);
            put_be64(ref + 8, c);
            if ((rc = meta_put(w->db, "clock_ref", ref, sizeof ref)) != QTPM_OK)
                return fail(w, rc, "cannot store the clock reference");
            break;
        }
        int64_t dw = wall_now - (int64_t)get_be64(ref);
        int64_t dc = (int64_t)(c - get_be64(ref + 8)); /* < 0 if Clock lost time */
        if (dw - dc <= CLOCK_LAG_MS || c >= CLOCK_MAX)
            break;
        uint64_t step = (uint64_t)(dw - dc);
        uint64_t target = step > CLOCK_MAX - c ? CLOCK_MAX : c + step;
        qtpm_tss_auths oa = { 1, { { NULL, NULL } } };
        rc = qtpm_tss_ClockSet(w->t, &oa, TPM_RH_OWNER, target);
        if (rc == QTPM_OK) {
            c = target;
            break;
        }
        if (wallet_rc_base(rc) != TPM_RC_VALUE || attempt == 2)
            return fail(w, rc, "cannot bring the TPM Clock up to wall time (ClockSet)");
    }
    if (clock)
        *clock = c;
    if (wall)
        *wall = wall_now;
    return QTPM_OK;
}

/* Adds the columns of the TPM-enforced limits to a database made before
 * them. Its tokens keep tpm_limits = 0: their policies have no
 * PolicyCounterTimer and no spent counter, so their expiry and amount (a
 * per-use maximum then) stay service checks; setting the flag on such a row
 * only makes the session's digest differ from the sealed one. */
static int migrate(sqlite3 *db)
{
    sqlite3_stmt *s;
    int have = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM pragma_table_info('tokens')"
                               " WHERE name='clock_expiry'", -1, &s, NULL) != SQLITE_OK)
        return WALLET_E_DB;
    if (sqlite3_step(s) == SQLITE_ROW)
        have = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (have)
        return QTPM_OK;
    return sqlite3_exec(db, "ALTER TABLE tokens ADD COLUMN clock_expiry INTEGER NOT NULL DEFAULT 0;"
                            "ALTER TABLE tokens ADD COLUMN spent_nv INTEGER NOT NULL DEFAULT 0;"
                            "ALTER TABLE tokens ADD COLUMN spent_base INTEGER NOT NULL DEFAULT 0;"
                            "ALTER TABLE tokens ADD COLUMN tpm_limits INTEGER NOT NULL DEFAULT 0;",
                        NULL, NULL, NULL) == SQLITE_OK ? QTPM_OK : WALLET_E_DB;
}

/* ------------------------------------------------------------ opening */

static int read_gate(const char *path, uint8_t gate[32])
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return WALLET_E_STATE;
    ssize_t n = read(fd, gate, 32);
    close(fd);
    return n == 32 ? QTPM_OK : WALLET_E_STATE;
}

static int load_audit_key(wallet *w)
{
    uint8_t buf[sizeof(TPM2B_PRIVATE) + sizeof(TPM2B_PUBLIC)];
    size_t n = 0, o = 0;
    TPM2B_PRIVATE priv;
    TPM2B_PUBLIC pub;
    int rc = meta_get(w->db, "audit_key", buf, sizeof buf, &n);
    if (rc)
        return fail(w, rc, "no audit key in the database");
    if (qtpm_TPM2B_PRIVATE_unmarshal(&priv, buf, n, &o) ||
        qtpm_TPM2B_PUBLIC_unmarshal(&pub, buf, n, &o, 0) || o != n)
        return fail(w, WALLET_E_STATE, "audit key blob malformed");
    qtpm_tss_auths a = { 1, { { NULL, NULL } } };
    rc = qtpm_tss_Load(w->t, &a, w->srk.handle, &priv, &pub, &w->audit_handle, NULL);
    if (rc)
        return fail(w, rc, "the audit key does not load: another TPM?");
    w->audit_pub = pub.publicArea;
    return QTPM_OK;
}

int wallet_init(const char *tcti, const char *db_path, const char *gate_path, wallet_alg alg)
{
    struct stat st;
    qtpm_tss *t = NULL;
    sqlite3 *db = NULL;
    qtpm_tss_key srk;
    TPM2B_PUBLIC in, pub;
    TPM2B_PRIVATE priv;
    TPM2B_SENSITIVE_CREATE sens;
    uint8_t gate[32], buf[sizeof(TPM2B_PRIVATE) + sizeof(TPM2B_PUBLIC)];
    size_t o = 0;
    int rc, fd = -1;
    if (stat(db_path, &st) == 0 || stat(gate_path, &st) == 0)
        return WALLET_E_EXISTS;
    if (alg != WALLET_ALG_QR && alg != WALLET_ALG_CLASSIC)
        return WALLET_E_ARG;
    if ((rc = start_tpm(tcti, &t)) != QTPM_OK)
        return rc;
    flush_stale(t);
    rc = qtpm_tss_create_srk(t, alg == WALLET_ALG_QR ? TPM_ALG_MLKEM : TPM_ALG_ECC, NULL, &srk);
    if (rc)
        goto out;
    memset(&in, 0, sizeof in);
    memset(&sens, 0, sizeof sens);
    if ((rc = audit_template(alg, &in.publicArea)) != QTPM_OK)
        goto flush;
    qtpm_tss_auths a = { 1, { { NULL, NULL } } };
    rc = qtpm_tss_Create(t, &a, srk.handle, &sens, &in, NULL, NULL, &priv, &pub, NULL, NULL, NULL);
    if (rc)
        goto flush;
    if (RAND_bytes(gate, 32) != 1) {
        rc = WALLET_E_CRYPTO;
        goto flush;
    }
    fd = open(gate_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || write(fd, gate, 32) != 32 || fsync(fd) != 0) {
        rc = WALLET_E_STATE;
        goto flush;
    }
    if ((rc = open_db(db_path, 1, &db)) != QTPM_OK)
        goto flush;
    if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        rc = WALLET_E_DB;
        goto flush;
    }
    if (qtpm_TPM2B_PRIVATE_marshal(&priv, buf, sizeof buf, &o) ||
        qtpm_TPM2B_PUBLIC_marshal(&pub, buf, sizeof buf, &o)) {
        rc = QTPM_E_BUFFER;
        goto flush;
    }
    uint8_t pb[sizeof(TPMT_PUBLIC)], algb = (uint8_t)alg;
    size_t pl = 0;
    if (qtpm_TPMT_PUBLIC_marshal(&pub.publicArea, pb, sizeof pb, &pl)) {
        rc = QTPM_E_BUFFER;
        goto flush;
    }
    rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK ? QTPM_OK : WALLET_E_DB;
    if (!rc) rc = meta_put(db, "alg", &algb, 1);
    if (!rc) rc = meta_put(db, "audit_key", buf, o);
    if (!rc) rc = meta_put(db, "audit_pub", pb, pl);
    if (!rc) rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? QTPM_OK : WALLET_E_DB;
flush:
    qtpm_tss_FlushContext(t, srk.handle);
out:
    if (fd >= 0)
        close(fd);
    qtpm_memzero(gate, sizeof gate);
    if (db)
        sqlite3_close(db);
    qtpm_tss_free(t);
    if (rc) {
        unlink(db_path);
        if (fd >= 0)
            unlink(gate_path);
    }
    return rc;
}

int wallet_open(const char *tcti, const char *db_path, const char *gate_path, wallet **out)
{
    char lock[4096];
    uint8_t algb = 0;
    size_t n = 0;
    int rc;
    wallet *w = calloc(1, sizeof *w);
    if (!w)
        return QTPM_E_NOMEM;
    w->lock_fd = -1;
    snprintf(lock, sizeof lock, "%s.lock", db_path);
    w->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (w->lock_fd < 0 || flock(w->lock_fd, LOCK_EX) != 0) {
        rc = WALLET_E_STATE;
        goto bad;
    }
    if ((rc = read_gate(gate_path, w->gate)) != QTPM_OK) {
        fail(w, rc, "cannot read the gate secret %s", gate_path);
        goto bad;
    }
    if ((rc = open_db(db_path, 0, &w->db)) != QTPM_OK) {
        fail(w, rc, "cannot open the database %s", db_path);
        goto bad;
    }
    if ((rc = meta_get(w->db, "alg", &algb, 1, &n)) != QTPM_OK ||
        (algb != WALLET_ALG_QR && algb != WALLET_ALG_CLASSIC)) {
        rc = WALLET_E_STATE;
        fail(w, rc, "%s is not a wallet database", db_path);
        goto bad;
    }
    w->alg = (wallet_alg)algb;
    if ((rc = migrate(w->db)) != QTPM_OK) {
        fail(w, rc, "cannot add the limit columns to %s", db_path);
        goto bad;
    }
    if ((rc = start_tpm(tcti, &w->t)) != QTPM_OK) {
        fail(w, rc, "cannot reach the TPM");
        goto bad;
    }
    flush_stale(w->t);
    rc = qtpm_tss_create_srk(w->t, w->alg == WALLET_ALG_QR ? TPM_ALG_MLKEM : TPM_ALG_ECC, NULL,
                             &w->srk);
    if (rc) {
        fail(w, rc, "cannot create the SRK");
        goto bad;
    }
    if ((rc = load_audit_key(w)) != QTPM_OK)
        goto bad;
    /* best effort here (a TPM with an owner password refuses ClockSet):
     * it is required again before an unseal that depends on the Clock */
    if (clock_sync(w, NULL, NULL) != QTPM_OK)
        w->err[0] = 0;
    *out = w;
    return QTPM_OK;
bad:
    {
        char keep[256];
        memcpy(keep, w->err, sizeof keep);
        wallet_close(w);
        if (keep[0])
            fprintf(stderr, "qtpm-wallet: %s\n", keep);
    }
    return rc;
}

void wallet_close(wallet *w)
{
    if (!w)
        return;
    if (w->t) {
        if (w->audit_handle)
            qtpm_tss_FlushContext(w->t, w->audit_handle);
        if (w->srk.handle)
            qtpm_tss_FlushContext(w->t, w->srk.handle);
        qtpm_tss_free(w->t);
    }
    if (w->db)
        sqlite3_close(w->db);
    if (w->lock_fd >= 0)
        close(w->lock_fd);
    qtpm_memzero(w->gate, sizeof w->gate);
    free(w);
}

/* ------------------------------------------------------------ tokens */

static void pcr_selection(uint32_t mask, TPML_PCR_SELECTION *sel)
{
    memset(sel, 0, sizeof *sel);
    sel->count = 1;
    sel->pcrSelections[0].hash = TPM_ALG_SHA256;
    sel->pcrSelections[0].sizeofSelect = 3;
    for (int i = 0; i < 24; i++)
        if (mask & (1U << i))
            sel->pcrSelections[0].pcrSelect[i / 8] |= (uint8_t)(1U << (i % 8));
}

static void u64_operand(uint64_t v, TPM2B_DIGEST *op)
{
    op->size = 8;
    for (int i = 0; i < 8; i++)
        op->buffer[i] = (uint8_t)(v >> (56 - 8 * i));
}

/* The limits of a token that its policy carries; a flag 0 leaves the
 * assertion out. */
typedef struct {
    int expiring;           /* PolicyCounterTimer: Clock < clock_expiry */
    uint64_t clock_expiry;
    int counted;            /* PolicyNV on the uses counter: count ≤ uses_max */
    uint64_t uses_max;
    int metered;            /* PolicyNV on the spent counter: spent ≤ spent_max */
    uint64_t spent_max;
    const TPM2B_NAME *spent_name;
} token_limits;

/* TPMS_TIME_INFO (Part 2 §10.11): time (UINT64) at 0, clockInfo.clock at 8 */
#define TIME_INFO_CLOCK_OFFSET 8

/* authPolicy of a token's envelope key (see the top of this file); the
 * unseal session runs the same assertions in the same order. */
static int token_policy(const TPML_PCR_SELECTION *sel, const TPM2B_DIGEST *pcr_digest,
                        const TPM2B_NAME *nv_name, const token_limits *l, TPM2B_DIGEST *d)
{
    TPM2B_NONCE ref = { sizeof policy_ref_text - 1, { 0 } };
    TPM2B_DIGEST op;
    memcpy(ref.buffer, policy_ref_text, ref.size);
    int rc = qtpm_tss_policy_start(TPM_ALG_SHA256, d);
    if (!rc) rc = qtpm_tss_policy_pcr(TPM_ALG_SHA256, d, sel, pcr_digest);
    if (!rc) rc = qtpm_tss_policy_secret(TPM_ALG_SHA256, d, nv_name, &ref);
    if (!rc && l->expiring) {
        u64_operand(l->clock_expiry, &op);
        rc = wallet_policy_counter_timer(d, &op, TIME_INFO_CLOCK_OFFSET, TPM_EO_UNSIGNED_LT);
    }
    if (!rc && l->counted) {
        u64_operand(l->uses_max, &op);
        rc = wallet_policy_nv(d, &op, 0, TPM_EO_UNSIGNED_LE, nv_name);
    }
    if (!rc && l->metered) {
        u64_operand(l->spent_max, &op);
        rc = wallet_policy_nv(d, &op, 0, TPM_EO_UNSIGNED_LE, l->spent_name);
    }
    if (!rc) rc = qtpm_tss_policy_command_code(TPM_ALG_SHA256, d, TPM_CC_Unseal);
    return rc;
}

static int nv_read_u64(wallet *w, TPM_HANDLE nv, const TPM2B_AUTH *auth, uint64_t *v)
{
    TPM2B_MAX_NV_BUFFER b;
    qtpm_tss_auths a = { 1, { { NULL, auth } } };
    int rc = qtpm_tss_NV_Read(w->t, &a, nv, nv, 8, 0, &b);
    if (rc)
        return rc;
    if (b.size != 8)
        return QTPM_E_PARAM;
    *v = 0;
    for (int i = 0; i < 8; i++)
        *v = (*v << 8) | b.buffer[i];
    return QTPM_OK;
}

/* An NV index at a handle no committed token owns is an orphan of a seal
 * that died before its commit: undefine it (owner authorization). */
static int reclaim_nv(wallet *w, TPM_HANDLE nv)
{
    TPM2B_NV_PUBLIC np;
    if (qtpm_tss_NV_ReadPublic(w->t, NULL, nv, &np, NULL) != QTPM_OK)
        return QTPM_OK;
    qtpm_tss_auths a = { 1, { { NULL, NULL } } };
    return qtpm_tss_NV_UndefineSpace(w->t, &a, TPM_RH_OWNER, nv);
}

/* Defines a token's counter at nv (TPM_NT_COUNTER, AUTHWRITE | AUTHREAD |
 * NO_DA, authValue auth) and increments it once: a counter starts at the
 * TPM's highest count (Part 1 §37.2.3) and is unreadable until written.
 * *base gets its value then, *name its Name; *defined is set once the
 * index exists (the caller undefines it if the seal fails later). */
static int counter_define(wallet *w, TPM_HANDLE nv, const TPM2B_AUTH *auth, uint64_t *base,
                          TPM2B_NAME *name, int *defined)
{
    TPM2B_NV_PUBLIC np;
    int rc = reclaim_nv(w, nv);
    if (rc)
        return rc;
    memset(&np, 0, sizeof np);
    np.nvPublic.nvIndex = nv;
    np.nvPublic.nameAlg = TPM_ALG_SHA256;
    np.nvPublic.attributes = (TPM_NT_COUNTER << TPMA_NV_TPM_NT_SHIFT) | TPMA_NV_AUTHWRITE |
                             TPMA_NV_AUTHREAD | TPMA_NV_NO_DA;
    np.nvPublic.dataSize = 8;
    qtpm_tss_auths oa = { 1, { { NULL, NULL } } };
    if ((rc = qtpm_tss_NV_DefineSpace(w->t, &oa, TPM_RH_OWNER, auth, &np)) != QTPM_OK)
        return fail(w, rc, "NV_DefineSpace of a token counter (0x%08x) failed", (unsigned)nv);
    *defined = 1;
    qtpm_tss_auths na = { 1, { { NULL, auth } } };
    if ((rc = qtpm_tss_NV_Increment(w->t, &na, nv, nv)) != QTPM_OK ||
        (rc = nv_read_u64(w, nv, auth, base)) != QTPM_OK)
        return rc;
    qtpm_tss_forget_name(w->t, nv);
    return qtpm_tss_get_name(w->t, nv, name);
}

static int aead(int enc, const uint8_t key[32], const uint8_t iv[12], const uint8_t *aad,
                size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16])
{
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int l = 0, ok = c != NULL;
    ok = ok && EVP_CipherInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv, enc);
    ok = ok && EVP_CipherUpdate(c, NULL, &l, aad, (int)aad_len);
    ok = ok && (len == 0 || EVP_CipherUpdate(c, out, &l, in, (int)len));
    if (ok && !enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, tag);
    ok = ok && EVP_CipherFinal_ex(c, out + (len ? l : 0), &l);
    if (ok && enc)
        ok = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(c);
    return ok ? QTPM_OK : WALLET_E_CRYPTO;
}

static void token_aad(int64_t id, const char *name, uint8_t *aad, size_t *len)
{
    size_t n = strlen(name);
    for (int i = 0; i < 8; i++)
        aad[i] = (uint8_t)((uint64_t)id >> (56 - 8 * i));
    memcpy(aad + 8, name, n);
    *len = 8 + n;
}

static int valid_name(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > 100)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return 0;
    }
    return 1;
}

int wallet_token_seal(wallet *w, const char *name, const wallet_token_opts *o,
                      const uint8_t *data, size_t len)
{
    uint8_t salt[16], nvauth_b[32], spauth_b[32], dek[32], iv[12], aad[128], tag[16];
    uint8_t privb[sizeof(TPM2B_PRIVATE)], pubb[sizeof(TPM2B_PUBLIC)];
    uint8_t *ct = NULL;
    size_t pl = 0, ul = 0, aad_len;
    TPM2B_AUTH nvauth, spauth;
    TPM2B_NAME nv_name, spent_name;
    TPM2B_PUBLIC in, pub;
    TPM2B_PRIVATE priv;
    TPM2B_SENSITIVE_CREATE sens;
    TPML_PCR_SELECTION sel;
    uint64_t base = 0, spent_base = 0;
    int64_t id = 0;
    int rc, nv_defined = 0, spent_defined = 0, counted, metered, expiring;
    TPM_HANDLE nv = 0, spent_nv = 0;
    token_limits lim;
    if (!valid_name(name) || !o || (o->type != WALLET_TOKEN_BEARER &&
                                     o->type != WALLET_TOKEN_FINANCIAL) ||
        len == 0 || len > MAX_TOKEN || (o->pcr_mask & 0xFF000000U))
        return fail(w, WALLET_E_ARG, "bad token name, type, PCR mask or size");
    if (o->type == WALLET_TOKEN_BEARER && (o->uses || o->amount_limit || o->expires))
        return fail(w, WALLET_E_ARG, "limits apply to financial tokens only");
    if (o->amount_limit > MAX_AMOUNT_LIMIT)
        return fail(w, WALLET_E_ARG,
                    "amount limit %llu above %u units (each unit is one TPM counter increment "
                    "at unseal)", (unsigned long long)o->amount_limit, MAX_AMOUNT_LIMIT);
    if (o->expires < 0 || o->expires > 253402300799LL) /* 9999-12-31 */
        return fail(w, WALLET_E_ARG, "expiry outside 1970..9999");
    counted = o->type == WALLET_TOKEN_FINANCIAL && o->uses > 0;
    metered = o->type == WALLET_TOKEN_FINANCIAL && o->amount_limit > 0;
    expiring = o->type == WALLET_TOKEN_FINANCIAL && o->expires > 0;
    memset(&lim, 0, sizeof lim);
    memset(&spauth, 0, sizeof spauth);
    memset(spauth_b, 0, sizeof spauth_b);
    if ((rc = begin(w)) != QTPM_OK)
        return rc;
    {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(w->db, "SELECT (SELECT count(*) FROM tokens WHERE name=?),"
                                      " coalesce(max(id), 0) + 1 FROM tokens", -1, &s, NULL) !=
            SQLITE_OK) {
            rc = WALLET_E_DB;
            goto out;
        }
        sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(s) == SQLITE_ROW) {
            if (sqlite3_column_int64(s, 0) > 0)
                rc = WALLET_E_EXISTS;
            id = sqlite3_column_int64(s, 1);
        } else {
            rc = WALLET_E_DB;
        }
        sqlite3_finalize(s);
        if (rc)
            goto out;
    }
    if (id > 0xFFFF) {
        rc = fail(w, WALLET_E_ARG, "too many tokens");
        goto out;
    }
    nv = NV_BASE + (TPM_HANDLE)id;
    spent_nv = metered ? SPENT_BASE + (TPM_HANDLE)id : 0;
    if (RAND_bytes(salt, sizeof salt) != 1 || RAND_bytes(dek, sizeof dek) != 1 ||
        RAND_bytes(iv, sizeof iv) != 1) {
        rc = WALLET_E_CRYPTO;
        goto out;
    }
    if ((rc = hmac32(w->gate, "nv", id, salt, sizeof salt, nvauth_b)) != QTPM_OK)
        goto out;
    nvauth.size = 32;
    memcpy(nvauth.buffer, nvauth_b, 32);
    /* the uses counter (and the token's PolicySecret object) */
    if ((rc = counter_define(w, nv, &nvauth, &base, &nv_name, &nv_defined)) != QTPM_OK)
        goto out;
    lim.counted = counted;
    lim.uses_max = base + o->uses;
    /* the spent counter: same scheme, its own authValue */
    if (metered) {
        if ((rc = hmac32(w->gate, "spent", id, salt, sizeof salt, spauth_b)) != QTPM_OK)
            goto out;
        spauth.size = 32;
        memcpy(spauth.buffer, spauth_b, 32);
        if ((rc = counter_define(w, spent_nv, &spauth, &spent_base, &spent_name,
                                 &spent_defined)) != QTPM_OK)
            goto out;
        lim.metered = 1;
        lim.spent_max = spent_base + o->amount_limit;
        lim.spent_name = &spent_name;
    }
    /* the expiry as a TPM Clock value: Clock now + the time left (ms);
     * an expiry already past gives 0, which Clock is never below */
    if (expiring) {
        uint64_t clk;
        int64_t wall;
        if ((rc = clock_sync(w, &clk, &wall)) != QTPM_OK)
            goto out;
        int64_t left = o->expires * 1000 - wall;
        lim.expiring = 1;
        lim.clock_expiry = left <= 0 ? 0 : (uint64_t)left > CLOCK_MAX - clk ? CLOCK_MAX
                                                                             : clk + (uint64_t)left;
    }
    /* the envelope key, sealed to the policy */
    pcr_selection(o->pcr_mask, &sel);
    {
        TPM2B_DIGEST values[24], pcr_digest;
        size_t nvals = 0;
        if ((rc = qtpm_tss_pcr_read_all(w->t, &sel, values, 24, &nvals)) != QTPM_OK ||
            (rc = qtpm_tss_pcr_composite(TPM_ALG_SHA256, values, nvals, &pcr_digest)) != QTPM_OK)
            goto out;
        memset(&in, 0, sizeof in);
        in.publicArea.type = TPM_ALG_KEYEDHASH;
        in.publicArea.nameAlg = TPM_ALG_SHA256;
        in.publicArea.objectAttributes =
            TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_NODA;
        in.publicArea.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_NULL;
        if ((rc = token_policy(&sel, &pcr_digest, &nv_name, &lim,
                               &in.publicArea.authPolicy)) != QTPM_OK)
            goto out;
    }
    memset(&sens, 0, sizeof sens);
    memcpy(sens.sensitive.data.buffer, dek, 32);
    sens.sensitive.data.size = 32;
    {
        qtpm_tss_auths a = { 1, { { NULL, NULL } } };
        rc = qtpm_tss_Create(w->t, &a, w->srk.handle, &sens, &in, NULL, NULL, &priv, &pub, NULL,
                             NULL, NULL);
        qtpm_memzero(&sens, sizeof sens);
        if (rc) {
            fail(w, rc, "Create of the sealed envelope key failed");
            goto out;
        }
    }
    if (qtpm_TPM2B_PRIVATE_marshal(&priv, privb, sizeof privb, &pl) ||
        qtpm_TPM2B_PUBLIC_marshal(&pub, pubb, sizeof pubb, &ul)) {
        rc = QTPM_E_BUFFER;
        goto out;
    }
    if (!(ct = malloc(len + 16))) {
        rc = QTPM_E_NOMEM;
        goto out;
    }
    token_aad(id, name, aad, &aad_len);
    if ((rc = aead(1, dek, iv, aad, aad_len, data, len, ct, tag)) != QTPM_OK)
        goto out;
    memcpy(ct + len, tag, 16);
    {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(w->db,
                               "INSERT INTO tokens(id, name, type, pcr_mask, amount_limit, expires,"
                               " uses, base, nv, salt, priv, pub, iv, ct, created, clock_expiry,"
                               " spent_nv, spent_base, tpm_limits)"
                               " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)", -1, &s, NULL) !=
            SQLITE_OK) {
            rc = WALLET_E_DB;
            goto out;
        }
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, o->type);
        sqlite3_bind_int64(s, 4, o->pcr_mask);
        sqlite3_bind_int64(s, 5, (sqlite3_int64)o->amount_limit);
        sqlite3_bind_int64(s, 6, o->expires);
        sqlite3_bind_int64(s, 7, o->uses);
        sqlite3_bind_int64(s, 8, (sqlite3_int64)base);
        sqlite3_bind_int64(s, 9, nv);
        sqlite3_bind_blob(s, 10, salt, sizeof salt, SQLITE_STATIC);
        sqlite3_bind_blob(s, 11, privb, (int)pl, SQLITE_STATIC);
        sqlite3_bind_blob(s, 12, pubb, (int)ul, SQLITE_STATIC);
        sqlite3_bind_blob(s, 13, iv, sizeof iv, SQLITE_STATIC);
        sqlite3_bind_blob(s, 14, ct, (int)(len + 16), SQLITE_STATIC);
        sqlite3_bind_int64(s, 15, now_s());
        sqlite3_bind_int64(s, 16, (sqlite3_int64)lim.clock_expiry);
        sqlite3_bind_int64(s, 17, spent_nv);
        sqlite3_bind_int64(s, 18, (sqlite3_int64)spent_base);
        rc = sqlite3_step(s) == SQLITE_DONE ? QTPM_OK : WALLET_E_DB;
        sqlite3_finalize(s);
        if (rc)
            goto out;
    }
    {
        char det[160];
        snprintf(det, sizeof det, "type=%s pcrs=0x%06x uses=%u amount_limit=%llu expires=%lld",
                 o->type == WALLET_TOKEN_BEARER ? "bearer" : "financial", (unsigned)o->pcr_mask,
                 (unsigned)o->uses, (unsigned long long)o->amount_limit, (long long)o->expires);
        rc = audit_commit(w, "seal", name, det);
    }
out:
    if (rc) {
        rollback(w);
        if (nv_defined)
            reclaim_nv(w, nv);
        if (spent_defined)
            reclaim_nv(w, spent_nv);
    }
    qtpm_memzero(dek, sizeof dek);
    qtpm_memzero(nvauth_b, sizeof nvauth_b);
    qtpm_memzero(&nvauth, sizeof nvauth);
    qtpm_memzero(spauth_b, sizeof spauth_b);
    qtpm_memzero(&spauth, sizeof spauth);
    free(ct);
    return rc;
}

typedef struct {
    int64_t id;
    wallet_token_info info;
    uint64_t base;
    uint64_t clock_expiry; /* PolicyCounterTimer operand (if info.expires) */
    uint64_t spent_base;   /* spent counter after its first increment (if info.spent_index) */
    int tpm_limits;        /* sealed with the TPM-enforced expiry / amount (0: older vault) */
    uint8_t salt[16];
    TPM2B_PRIVATE priv;
    TPM2B_PUBLIC pub;
    uint8_t iv[12];
    uint8_t *ct;
    size_t ct_len;
} token_row;

static int token_load_row(wallet *w, const char *name, token_row *r)
{
    sqlite3_stmt *s;
    int rc = WALLET_E_NOTFOUND;
    memset(r, 0, sizeof *r);
    if (sqlite3_prepare_v2(w->db, "SELECT id, type, pcr_mask, amount_limit, expires, uses, base,"
                                  " nv, salt, priv, pub, iv, ct, created, clock_expiry, spent_nv,"
                                  " spent_base, tpm_limits FROM tokens WHERE name=?",
                           -1, &s, NULL) != SQLITE_OK)
        return WALLET_E_DB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW) {
        size_t o1 = 0, o2 = 0;
        r->id = sqlite3_column_int64(s, 0);
        snprintf(r->info.name, sizeof r->info.name, "%s", name);
        r->info.type = (wallet_token_type)sqlite3_column_int(s, 1);
        r->info.pcr_mask = (uint32_t)sqlite3_column_int64(s, 2);
        r->info.amount_limit = (uint64_t)sqlite3_column_int64(s, 3);
        r->info.expires = sqlite3_column_int64(s, 4);
        r->info.uses = (uint32_t)sqlite3_column_int64(s, 5);
        r->base = (uint64_t)sqlite3_column_int64(s, 6);
        r->info.nv_index = (uint32_t)sqlite3_column_int64(s, 7);
        r->info.created = sqlite3_column_int64(s, 13);
        r->clock_expiry = (uint64_t)sqlite3_column_int64(s, 14);
        r->info.spent_index = (uint32_t)sqlite3_column_int64(s, 15);
        r->spent_base = (uint64_t)sqlite3_column_int64(s, 16);
        r->tpm_limits = sqlite3_column_int(s, 17) != 0;
        size_t sl = (size_t)sqlite3_column_bytes(s, 8), pl = (size_t)sqlite3_column_bytes(s, 9),
               ul = (size_t)sqlite3_column_bytes(s, 10), il = (size_t)sqlite3_column_bytes(s, 11);
        r->ct_len = (size_t)sqlite3_column_bytes(s, 12);
        rc = WALLET_E_STATE;
        if (sl == 16 && il == 12 && r->ct_len >= 16 && r->ct_len <= MAX_TOKEN + 16 &&
            !qtpm_TPM2B_PRIVATE_unmarshal(&r->priv, sqlite3_column_blob(s, 9), pl, &o1) &&
            o1 == pl && !qtpm_TPM2B_PUBLIC_unmarshal(&r->pub, sqlite3_column_blob(s, 10), ul, &o2, 0) &&
            o2 == ul && (r->ct = malloc(r->ct_len))) {
            memcpy(r->salt, sqlite3_column_blob(s, 8), 16);
            memcpy(r->iv, sqlite3_column_blob(s, 11), 12);
            memcpy(r->ct, sqlite3_column_blob(s, 12), r->ct_len);
            rc = QTPM_OK;
        }
    }
    sqlite3_finalize(s);
    return rc;
}

int wallet_token_info_get(wallet *w, const char *name, wallet_token_info *out)
{
    token_row r;
    int rc = token_load_row(w, name, &r);
    if (rc == QTPM_OK)
        *out = r.info;
    free(r.ct);
    return rc;
}

int wallet_token_unseal(wallet *w, const char *name, uint64_t amount, uint8_t **out,
                        size_t *len)
{
    token_row r;
    TPM2B_AUTH nvauth, spauth;
    TPM2B_SENSITIVE_DATA dek;
    TPML_PCR_SELECTION sel;
    TPM_HANDLE item = 0;
    qtpm_tss_session s = { 0 };
    uint8_t nvb[32], spb[32], aad[128];
    size_t aad_len;
    const char *stage = "load";
    char det[160];
    int rc, metered = 0;
    *out = NULL;
    *len = 0;
    det[0] = 0;
    memset(&dek, 0, sizeof dek);
    memset(&nvauth, 0, sizeof nvauth);
    memset(&spauth, 0, sizeof spauth);
    memset(nvb, 0, sizeof nvb);
    memset(spb, 0, sizeof spb);
    if (!valid_name(name))
        return fail(w, WALLET_E_ARG, "bad token name");
    if ((rc = begin(w)) != QTPM_OK)
        return rc;
    if ((rc = token_load_row(w, name, &r)) != QTPM_OK) {
        free(r.ct);
        audit_refusal(w, "unseal", name, "no such token", rc);
        return fail(w, rc, "no token %s", name);
    }
    /* The service's checks come first, for a clear answer without touching
     * the TPM's counters; the TPM enforces the same limits below. */
    if (r.info.type == WALLET_TOKEN_FINANCIAL) {
        int checks = !w->no_service_checks;
        if (checks && r.info.expires && now_ms() >= r.info.expires * 1000) {
            rc = WALLET_E_EXPIRED;
            stage = "expired";
            goto refuse;
        }
        if (r.tpm_limits && r.info.amount_limit && amount == 0) {
            rc = WALLET_E_ARG;
            stage = "no amount (this token has an amount limit: give 1..the limit)";
            goto refuse;
        }
        if (checks && r.info.amount_limit && amount > r.info.amount_limit) {
            rc = WALLET_E_AMOUNT;
            stage = "amount above limit";
            goto refuse;
        }
        if (r.tpm_limits && r.info.amount_limit && !r.info.spent_index) {
            rc = WALLET_E_STATE;
            stage = "an amount limit without a spent counter (edited row?)";
            goto refuse;
        }
        metered = r.tpm_limits && r.info.amount_limit && r.info.spent_index;
    } else if (amount) {
        rc = WALLET_E_ARG;
        stage = "amount on a bearer token";
        goto refuse;
    }
    if ((rc = hmac32(w->gate, "nv", r.id, r.salt, 16, nvb)) != QTPM_OK)
        goto refuse;
    nvauth.size = 32;
    memcpy(nvauth.buffer, nvb, 32);
    if (metered && amount > MAX_AMOUNT_LIMIT) { /* always: it bounds the increments */
        rc = WALLET_E_AMOUNT;
        stage = "amount above the largest limit (1000 units)";
        goto refuse;
    }
    if (metered) {
        uint64_t spent = 0;
        if ((rc = hmac32(w->gate, "spent", r.id, r.salt, 16, spb)) != QTPM_OK)
            goto refuse;
        spauth.size = 32;
        memcpy(spauth.buffer, spb, 32);
        if (!w->no_service_checks &&
            (rc = nv_read_u64(w, r.info.spent_index, &spauth, &spent)) != QTPM_OK) {
            stage = "reading the spent counter";
            goto refuse;
        }
        /* what the TPM will allow: spent + amount ≤ spent_base + limit */
        uint64_t used = spent >= r.spent_base ? spent - r.spent_base : UINT64_MAX;
        if (!w->no_service_checks &&
            (used > r.info.amount_limit || amount > r.info.amount_limit - used)) {
            rc = WALLET_E_AMOUNT;
            snprintf(det, sizeof det, "amount above what is left of the limit (%llu of %llu)",
                     used > r.info.amount_limit
                         ? 0ULL
                         : (unsigned long long)(r.info.amount_limit - used),
                     (unsigned long long)r.info.amount_limit);
            stage = det;
            goto refuse;
        }
    }
    int expiring = r.tpm_limits && r.info.type == WALLET_TOKEN_FINANCIAL && r.info.expires;
    if (expiring && (rc = clock_sync(w, NULL, NULL)) != QTPM_OK) {
        stage = "ClockSet (the TPM Clock must not lag wall time for an expiring token)";
        goto refuse;
    }
    {
        qtpm_tss_auths a = { 1, { { NULL, NULL } } };
        if ((rc = qtpm_tss_Load(w->t, &a, w->srk.handle, &r.priv, &r.pub, &item, NULL)) != QTPM_OK) {
            stage = "the sealed object does not load on this TPM";
            goto refuse;
        }
    }
    if ((rc = qtpm_tss_start_session(w->t, TPM_SE_POLICY, TPM_ALG_SHA256, NULL, TPM_RH_NULL, NULL,
                                     TPM_RH_NULL, NULL, &s)) != QTPM_OK) {
        stage = "StartAuthSession";
        goto refuse;
    }
    pcr_selection(r.info.pcr_mask, &sel);
    if ((rc = qtpm_tss_PolicyPCR(w->t, NULL, &s, NULL, &sel)) != QTPM_OK) {
        stage = "PolicyPCR";
        goto refuse;
    }
    {
        TPM2B_NONCE ref = { sizeof policy_ref_text - 1, { 0 } };
        memcpy(ref.buffer, policy_ref_text, ref.size);
        qtpm_tss_auths a = { 1, { { NULL, &nvauth } } };
        if ((rc = qtpm_tss_PolicySecret(w->t, &a, r.info.nv_index, &s, &s.nonce_tpm, NULL, &ref,
                                        0, NULL, NULL)) != QTPM_OK) {
            stage = "PolicySecret (token revoked or gate secret wrong)";
            goto refuse;
        }
    }
    if (expiring) {
        /* before any counting: an expired token consumes nothing */
        TPM2B_DIGEST op;
        u64_operand(r.clock_expiry, &op);
        if ((rc = qtpm_tss_PolicyCounterTimer(w->t, NULL, &s, &op, TIME_INFO_CLOCK_OFFSET,
                                              TPM_EO_UNSIGNED_LT)) != QTPM_OK) {
            stage = "expiry (PolicyCounterTimer: TPM Clock past the token's expiry)";
            goto refuse;
        }
    }
    if (r.info.type == WALLET_TOKEN_FINANCIAL && r.info.uses) {
        TPM2B_DIGEST op;
        qtpm_tss_auths a = { 1, { { NULL, &nvauth } } };
        /* count first, check second: at most `uses` unseals can ever pass */
        if ((rc = qtpm_tss_NV_Increment(w->t, &a, r.info.nv_index, r.info.nv_index)) != QTPM_OK) {
            stage = "NV_Increment";
            goto refuse;
        }
        u64_operand(r.base + r.info.uses, &op);
        if ((rc = qtpm_tss_PolicyNV(w->t, &a, r.info.nv_index, r.info.nv_index, &s, &op, 0,
                                    TPM_EO_UNSIGNED_LE)) != QTPM_OK) {
            stage = "PolicyNV (used up)";
            goto refuse;
        }
    }
    if (metered) {
        TPM2B_DIGEST op;
        qtpm_tss_auths a = { 1, { { NULL, &spauth } } };
        /* count the amount first, check second: the amounts released never
         * sum to more than the limit, however unseals interleave */
        for (uint64_t k = 0; k < amount; k++)
            if ((rc = qtpm_tss_NV_Increment(w->t, &a, r.info.spent_index,
                                            r.info.spent_index)) != QTPM_OK) {
                stage = "NV_Increment of the spent counter";
                goto refuse;
            }
        u64_operand(r.spent_base + r.info.amount_limit, &op);
        if ((rc = qtpm_tss_PolicyNV(w->t, &a, r.info.spent_index, r.info.spent_index, &s, &op, 0,
                                    TPM_EO_UNSIGNED_LE)) != QTPM_OK) {
            stage = "amount limit (PolicyNV on the spent counter)";
            goto refuse;
        }
    }
    if ((rc = qtpm_tss_PolicyCommandCode(w->t, NULL, &s, TPM_CC_Unseal)) != QTPM_OK) {
        stage = "PolicyCommandCode";
        goto refuse;
    }
    {
        qtpm_tss_auths a = { 1, { { &s, NULL } } };
        if ((rc = qtpm_tss_Unseal(w->t, &a, item, &dek)) != QTPM_OK || dek.size != 32) {
            if (!rc)
                rc = WALLET_E_STATE;
            stage = "Unseal";
            goto refuse;
        }
    }
    qtpm_tss_session_close(w->t, &s);
    qtpm_tss_FlushContext(w->t, item);
    item = 0;
    size_t pl = r.ct_len - 16;
    if (!(*out = malloc(pl ? pl : 1))) {
        rc = QTPM_E_NOMEM;
        stage = "memory";
        goto refuse;
    }
    token_aad(r.id, name, aad, &aad_len);
    if ((rc = aead(0, dek.buffer, r.iv, aad, aad_len, r.ct, pl, *out, r.ct + pl)) != QTPM_OK) {
        stage = "envelope does not open";
        goto refuse;
    }
    *len = pl;
    snprintf(det, sizeof det, "amount=%llu", (unsigned long long)amount);
    if ((rc = audit_commit(w, "unseal", name, det)) != QTPM_OK) {
        stage = "audit";
        goto refuse;
    }
    qtpm_memzero(&dek, sizeof dek);
    qtpm_memzero(nvb, sizeof nvb);
    qtpm_memzero(&nvauth, sizeof nvauth);
    qtpm_memzero(spb, sizeof spb);
    qtpm_memzero(&spauth, sizeof spauth);
    free(r.ct);
    return QTPM_OK;
refuse:
    if (s.handle)
        qtpm_tss_session_close(w->t, &s);
    if (item)
        qtpm_tss_FlushContext(w->t, item);
    if (*out) {
        qtpm_memzero(*out, r.ct_len - 16); /* its size: ct_len ≥ 16 when *out was made */
        free(*out);
        *out = NULL;
    }
    qtpm_memzero(&dek, sizeof dek);
    qtpm_memzero(nvb, sizeof nvb);
    qtpm_memzero(&nvauth, sizeof nvauth);
    qtpm_memzero(spb, sizeof spb);
    qtpm_memzero(&spauth, sizeof spauth);
    free(r.ct);
    {
        /* a used-up, expired or over-limit token is reported as such (the
         * TPM said TPM_RC_POLICY); the TPM's code stays in the message */
        int tpm_rc = rc > 0 ? rc : 0;
        if (r.info.uses && !strncmp(stage, "PolicyNV", 8))
            rc = WALLET_E_USED;
        else if (!strncmp(stage, "expiry", 6))
            rc = WALLET_E_EXPIRED;
        else if (!strncmp(stage, "amount limit", 12))
            rc = WALLET_E_AMOUNT;
        char msg[200];
        if (tpm_rc)
            snprintf(msg, sizeof msg, "refused: %s (TPM rc 0x%03x)", stage, (unsigned)tpm_rc);
        else
            snprintf(msg, sizeof msg, "refused: %s", stage);
        audit_refusal(w, "unseal", name, msg, rc);
        *len = 0;
        return fail(w, rc, "unseal %s", msg);
    }
}

/* Checks an object's name, then opens the transaction of an operation on it. */
static int begin_named(wallet *w, const char *name)
{
    return valid_name(name) ? begin(w) : WALLET_E_ARG;
}

/* Deletes the row id of the statement sql ("DELETE FROM t WHERE id=?"). */
static int delete_row(wallet *w, const char *sql, int64_t id)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(w->db, sql, -1, &s, NULL) != SQLITE_OK)
        return WALLET_E_DB;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s) == SQLITE_DONE ? QTPM_OK : WALLET_E_DB;
    sqlite3_finalize(s);
    return rc;
}

int wallet_token_delete(wallet *w, const char *name)
{
    token_row r;
    int rc;
    if ((rc = begin_named(w, name)) != QTPM_OK)
        return rc;
    if ((rc = token_load_row(w, name, &r)) != QTPM_OK)
        goto out;
    {
        qtpm_tss_auths a = { 1, { { NULL, NULL } } };
        rc = qtpm_tss_NV_UndefineSpace(w->t, &a, TPM_RH_OWNER, r.info.nv_index);
        if (rc && wallet_rc_base(rc) != TPM_RC_HANDLE)
            goto out;
        if (r.info.spent_index) {
            rc = qtpm_tss_NV_UndefineSpace(w->t, &a, TPM_RH_OWNER, r.info.spent_index);
            if (rc && wallet_rc_base(rc) != TPM_RC_HANDLE)
                goto out;
        }
    }
    rc = delete_row(w, "DELETE FROM tokens WHERE id=?", r.id);
    if (!rc)
        rc = audit_commit(w, "delete", name,
                          r.info.spent_index ? "nv undefined (uses and spent)" : "nv undefined");
out:
    if (rc)
        rollback(w);
    free(r.ct);
    return rc;
}

int wallet_token_list(wallet *w, wallet_token_info **out, size_t *n)
{
    sqlite3_stmt *s;
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(w->db, "SELECT name, type, pcr_mask, amount_limit, expires, uses, nv,"
                                  " created, spent_nv FROM tokens ORDER BY id", -1, &s,
                           NULL) != SQLITE_OK)
        return WALLET_E_DB;
    while (sqlite3_step(s) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 8;
            wallet_token_info *p = realloc(*out, nc * sizeof *p);
            if (!p) {
                sqlite3_finalize(s);
                return QTPM_E_NOMEM;
            }
            *out = p;
            cap = nc;
        }
        wallet_token_info *i = &(*out)[(*n)++];
        memset(i, 0, sizeof *i);
        snprintf(i->name, sizeof i->name, "%s", (const char *)sqlite3_column_text(s, 0));
        i->type = (wallet_token_type)sqlite3_column_int(s, 1);
        i->pcr_mask = (uint32_t)sqlite3_column_int64(s, 2);
        i->amount_limit = (uint64_t)sqlite3_column_int64(s, 3);
        i->expires = sqlite3_column_int64(s, 4);
        i->uses = (uint32_t)sqlite3_column_int64(s, 5);
        i->nv_index = (uint32_t)sqlite3_column_int64(s, 6);
        i->created = sqlite3_column_int64(s, 7);
        i->spent_index = (uint32_t)sqlite3_column_int64(s, 8);
    }
    sqlite3_finalize(s);
    return QTPM_OK;
}

/* --------------------------------------------------------------- keys */

typedef struct {
    int64_t id;
    wallet_key_kind kind;
    uint32_t version;
    TPM_HANDLE handle;
    uint8_t salt[16];
} key_row;

static int key_load_row(wallet *w, const char *name, key_row *k)
{
    sqlite3_stmt *s;
    int rc = WALLET_E_NOTFOUND;
    if (sqlite3_prepare_v2(w->db, "SELECT id, kind, version, handle, salt FROM keys WHERE name=?",
                           -1, &s, NULL) != SQLITE_OK)
        return WALLET_E_DB;
    sqlite3_bind_text(s, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_bytes(s, 4) == 16) {
        k->id = sqlite3_column_int64(s, 0);
        k->kind = (wallet_key_kind)sqlite3_column_int(s, 1);
        k->version = (uint32_t)sqlite3_column_int64(s, 2);
        k->handle = (TPM_HANDLE)sqlite3_column_int64(s, 3);
        memcpy(k->salt, sqlite3_column_blob(s, 4), 16);
        rc = QTPM_OK;
    }
    sqlite3_finalize(s);
    return rc;
}

static int key_auth(wallet *w, const key_row *k, TPM2B_AUTH *a)
{
    a->size = 32;
    return hmac32(w->gate, "key", (int64_t)(((uint64_t)k->id << 16) | k->version), k->salt, 16,
                  a->buffer);
}

static TPM_HANDLE key_handle_for(int64_t id, uint32_t version)
{
    return KEY_BASE + ((TPM_HANDLE)id << 4) + (version & 0xF);
}

static int evict(wallet *w, TPM_HANDLE persistent)
{
    qtpm_tss_auths a = { 1, { { NULL, NULL } } };
    return qtpm_tss_EvictControl(w->t, &a, TPM_RH_OWNER, persistent, persistent);
}

/* Creates the key of k (kind, version, salt) in the TPM and persists it at
 * k->handle, evicting an orphan there first. */
static int key_make(wallet *w, key_row *k)
{
    TPMT_PUBLIC p;
    TPM2B_SENSITIVE_CREATE sens;
    TPM_HANDLE h = 0;
    int rc;
    memset(&p, 0, sizeof p);
    memset(&sens, 0, sizeof sens);
    p.nameAlg = TPM_ALG_SHA256;
    p.objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
                         TPMA_OBJECT_SENSITIVEDATAORIGIN | TPMA_OBJECT_USERWITHAUTH |
                         TPMA_OBJECT_NODA;
    if (k->kind == WALLET_KEY_AES) {
        p.type = TPM_ALG_SYMCIPHER;
        p.objectAttributes |= TPMA_OBJECT_DECRYPT | TPMA_OBJECT_SIGN_ENCRYPT;
        p.parameters.symDetail.sym.algorithm = TPM_ALG_AES;
        p.parameters.symDetail.sym.keyBits.aes = 256;
        p.parameters.symDetail.sym.mode.aes = TPM_ALG_CFB;
    } else {
        p.type = TPM_ALG_KEYEDHASH;
        p.objectAttributes |= TPMA_OBJECT_SIGN_ENCRYPT;
        p.parameters.keyedHashDetail.scheme.scheme = TPM_ALG_HMAC;
        p.parameters.keyedHashDetail.scheme.details.hmac.hashAlg = TPM_ALG_SHA256;
    }
    if ((rc = key_auth(w, k, &sens.sensitive.userAuth)) != QTPM_OK)
        return rc;
    k->handle = key_handle_for(k->id, k->version);
    {
        TPM2B_PUBLIC pub;
        if (qtpm_tss_ReadPublic(w->t, NULL, k->handle, &pub, NULL, NULL) == QTPM_OK)
            evict(w, k->handle); /* an orphan of a create that never committed */
    }
    qtpm_tss_auths a = { 1, { { NULL, NULL } } };
    TPM2B_PRIVATE priv;
    TPM2B_PUBLIC pub;
    TPM2B_NAME kname;
    rc = qtpm_tss_CreateLoaded(w->t, &a, w->srk.handle, &sens, &p, &h, &priv, &pub, &kname);
    qtpm_memzero(&sens, sizeof sens);
    if (rc)
        return fail(w, rc, "CreateLoaded of the key failed");
    rc = qtpm_tss_EvictControl(w->t, &a, TPM_RH_OWNER, h, k->handle);
    qtpm_tss_FlushContext(w->t, h);
    return rc;
}

int wallet_key_create(wallet *w, const char *name, wallet_key_kind kind)
{
    key_row k;
    int rc;
    if (!valid_name(name) || (kind != WALLET_KEY_AES && kind != WALLET_KEY_HMAC))
        return fail(w, WALLET_E_ARG, "bad key name or kind");
    if ((rc = begin(w)) != QTPM_OK)
        return rc;
    memset(&k, 0, sizeof k);
    if (key_load_row(w, name, &k) == QTPM_OK) {
        rc = WALLET_E_EXISTS;
        goto out;
    }
    {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(w->db, "SELECT coalesce(max(id), 0) + 1 FROM keys", -1, &s, NULL) !=
            SQLITE_OK) {
            rc = WALLET_E_DB;
            goto out;
        }
        k.id = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        sqlite3_finalize(s);
    }
    if (k.id <= 0 || k.id > 0xFFFF) {
        rc = WALLET_E_DB;
        goto out;
    }
    k.kind = kind;
    k.version = 1;
    if (RAND_bytes(k.salt, 16) != 1) {
        rc = WALLET_E_CRYPTO;
        goto out;
    }
    if ((rc = key_make(w, &k)) != QTPM_OK)
        goto out;
    {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(w->db, "INSERT INTO keys(id, name, kind, version, handle, salt,"
                                      " created) VALUES(?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK) {
            rc = WALLET_E_DB;
            goto undo;
        }
        sqlite3_bind_int64(s, 1, k.id);
        sqlite3_bind_text(s, 2, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, kind);
        sqlite3_bind_int64(s, 4, k.version);
        sqlite3_bind_int64(s, 5, k.handle);
        sqlite3_bind_blob(s, 6, k.salt, 16, SQLITE_STATIC);
        sqlite3_bind_int64(s, 7, now_s());
        rc = sqlite3_step(s) == SQLITE_DONE ? QTPM_OK : WALLET_E_DB;
        sqlite3_finalize(s);
    }
    if (!rc)
        rc = audit_commit(w, "keygen", name, kind == WALLET_KEY_AES ? "aes-256" : "hmac-sha256");
undo:
    if (rc)
        evict(w, k.handle);
out:
    if (rc)
        rollback(w);
    return rc;
}

int wallet_key_rotate(wallet *w, const char *name)
{
    key_row k, old;
    int rc;
    if ((rc = begin_named(w, name)) != QTPM_OK)
        return rc;
    if ((rc = key_load_row(w, name, &k)) != QTPM_OK)
        goto out;
    old = k;
    k.version++;
    if (RAND_bytes(k.salt, 16) != 1) {
        rc = WALLET_E_CRYPTO;
        goto out;
    }
    if ((rc = key_make(w, &k)) != QTPM_OK)
        goto out;
    {
        sqlite3_stmt *s;
        if (sqlite3_prepare_v2(w->db, "UPDATE keys SET version=?, handle=?, salt=? WHERE id=?", -1,
                               &s, NULL) != SQLITE_OK) {
            rc = WALLET_E_DB;
            goto undo;
        }
        sqlite3_bind_int64(s, 1, k.version);
        sqlite3_bind_int64(s, 2, k.handle);
        sqlite3_bind_blob(s, 3, k.salt, 16, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, k.id);
        rc = sqlite3_step(s) == SQLITE_DONE ? QTPM_OK : WALLET_E_DB;
        sqlite3_finalize(s);
    }
    if (!rc) {
        char det[48];
        snprintf(det, sizeof det, "version %u -> %u", (unsigned)old.version, (unsigned)k.version);
        rc = audit_commit(w, "rotate", name, det);
    }
    /* the old version goes after the commit; if we die first, the next
     * rotation or create at that handle evicts it (key_make) */
    if (!rc)
        evict(w, old.handle);
undo:
    if (rc)
        evict(w, k.handle);
out:
    if (rc)
        rollback(w);
    return rc;
}

int wallet_key_delete(wallet *w, const char *name)
{
    key_row k;
    int rc;
    if ((rc = begin_named(w, name)) != QTPM_OK)
        return rc;
    if ((rc = key_load_row(w, name, &k)) != QTPM_OK)
        goto out;
    rc = evict(w, k.handle);
    if (rc && wallet_rc_base(rc) != TPM_RC_HANDLE)
        goto out;
    rc = delete_row(w, "DELETE FROM keys WHERE id=?", k.id);
    if (!rc)
        rc = audit_commit(w, "key-delete", name, "evicted");
out:
    if (rc)
        rollback(w);
    return rc;
}

int wallet_key_handle(wallet *w, const char *name, uint32_t *handle, uint32_t *version)
{
    key_row k;
    int rc = key_load_row(w, name, &k);
    if (rc == QTPM_OK) {
        *handle = k.handle;
        *version = k.version;
    }
    return rc;
}

static int key_crypt(wallet *w, const char *name, int decrypt, const uint8_t *in, size_t len,
                     uint8_t *out, size_t cap, size_t *out_len)
{
    key_row k;
    TPM2B_AUTH auth;
    TPM2B_IV iv, iv_out;
    TPM2B_MAX_BUFFER bi, bo;
    int rc;
    const uint8_t *data = in;
    size_t dlen = len;
    if ((rc = key_load_row(w, name, &k)) != QTPM_OK)
        return fail(w, rc, "no key %s", name);
    if (k.kind != WALLET_KEY_AES)
        return fail(w, WALLET_E_ARG, "%s is not an AES key", name);
    iv.size = 16;
    if (decrypt) {
        if (len < 16)
            return WALLET_E_ARG;
        memcpy(iv.buffer, in, 16);
        data = in + 16;
        dlen = len - 16;
    } else if (RAND_bytes(iv.buffer, 16) != 1) {
        return WALLET_E_CRYPTO;
    }
    if (dlen > sizeof bi.buffer || cap < dlen + (decrypt ? 0 : 16))
        return fail(w, WALLET_E_ARG, "data too long for one EncryptDecrypt2");
    bi.size = (UINT16)dlen;
    memcpy(bi.buffer, data, dlen);
    if ((rc = key_auth(w, &k, &auth)) != QTPM_OK)
        return rc;
    qtpm_tss_auths a = { 1, { { NULL, &auth } } };
    rc = wallet_EncryptDecrypt2(w->t, &a, k.handle, &bi, decrypt ? 1 : 0, TPM_ALG_CFB, &iv, &bo,
                                &iv_out);
    qtpm_memzero(&auth, sizeof auth);
    qtpm_memzero(&bi, sizeof bi);
    if (rc)
        return fail(w, rc, "EncryptDecrypt2 failed");
    if (bo.size != dlen)
        return WALLET_E_CRYPTO;
    size_t o = 0;
    if (!decrypt) {
        memcpy(out, iv.buffer, 16);
        o = 16;
    }
    memcpy(out + o, bo.buffer, bo.size);
    *out_len = o + bo.size;
    qtpm_memzero(&bo, sizeof bo);
    return QTPM_OK;
}

/* Every use of a key is an audit entry (op, key, length, outcome), in the
 * same transaction; a result that cannot be logged is not returned. */
static int key_use_logged(wallet *w, const char *op, const char *name, size_t len, int rc)
{
    char det[48];
    int arc;
    snprintf(det, sizeof det, "bytes=%zu", len);
    if (rc != QTPM_OK) {
        audit_refusal(w, op, name, det, rc);
        return rc;
    }
    if ((arc = audit_commit(w, op, name, det)) != QTPM_OK) {
        rollback(w);
        return arc;
    }
    return QTPM_OK;
}

/* Encrypts or decrypts (op) with the key name, logged; on failure out is wiped. */
static int key_crypt_logged(wallet *w, const char *op, const char *name, int decrypt,
                            const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                            size_t *out_len)
{
    int rc = begin(w);
    if (rc)
        return rc;
    rc = key_use_logged(w, op, name, len,
                        key_crypt(w, name, decrypt, in, len, out, out_cap, out_len));
    if (rc)
        qtpm_memzero(out, out_cap);
    return rc;
}

int wallet_key_encrypt(wallet *w, const char *name, const uint8_t *in, size_t len, uint8_t *out,
                       size_t out_cap, size_t *out_len)
{
    return key_crypt_logged(w, "encrypt", name, 0, in, len, out, out_cap, out_len);
}

int wallet_key_decrypt(wallet *w, const char *name, const uint8_t *in, size_t len, uint8_t *out,
                       size_t out_cap, size_t *out_len)
{
    return key_crypt_logged(w, "decrypt", name, 1, in, len, out, out_cap, out_len);
}

static int key_hmac(wallet *w, const char *name, const uint8_t *in, size_t len, uint8_t mac[32]);

int wallet_key_hmac(wallet *w, const char *name, const uint8_t *in, size_t len, uint8_t mac[32])
{
    int rc = begin(w);
    if (rc)
        return rc;
    rc = key_use_logged(w, "hmac", name, len, key_hmac(w, name, in, len, mac));
    if (rc)
        qtpm_memzero(mac, 32);
    return rc;
}

static int key_hmac(wallet *w, const char *name, const uint8_t *in, size_t len, uint8_t mac[32])
{
    key_row k;
    TPM2B_AUTH auth;
    TPM2B_MAX_BUFFER b;
    TPM2B_DIGEST d;
    int rc;
    if ((rc = key_load_row(w, name, &k)) != QTPM_OK)
        return fail(w, rc, "no key %s", name);
    if (k.kind != WALLET_KEY_HMAC)
        return fail(w, WALLET_E_ARG, "%s is not an HMAC key", name);
    if (len > sizeof b.buffer)
        return WALLET_E_ARG;
    b.size = (UINT16)len;
    memcpy(b.buffer, in, len);
    if ((rc = key_auth(w, &k, &auth)) != QTPM_OK)
        return rc;
    qtpm_tss_auths a = { 1, { { NULL, &auth } } };
    rc = qtpm_tss_HMAC(w->t, &a, k.handle, &b, TPM_ALG_SHA256, &d);
    qtpm_memzero(&auth, sizeof auth);
    if (rc)
        return fail(w, rc, "HMAC failed");
    if (d.size != 32)
        return WALLET_E_CRYPTO;
    memcpy(mac, d.buffer, 32);
    return QTPM_OK;
}
