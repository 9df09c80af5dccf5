/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.h — the NMS's storage interface (private to src/store, src/ras, src/nms).
 *
 * One opaque handle over a back end chosen by URL, with the same schema and queries
 * (store.c, over the adapter of db.h):
 *   "sqlite:PATH"            the embedded default (db_sqlite.c): WAL journal,
 *                            synchronous=FULL, 5 s busy timeout, foreign keys on;
 *   "postgresql:CONNINFO"    PostgreSQL through libpq (db_pg.c); CONNINFO is a libpq
 *                            key=value string, e.g. "postgresql:host=/run/qtpm dbname=qtpm";
 *   "postgresql://..."       a libpq URI, handed to libpq whole ("postgres:" and
 *                            "postgres://" are accepted as aliases).
 * The schema is versioned: the schema_version table holds the number of the last migration
 * applied, and every pending migration is applied inside one write transaction at open, so
 * a crash leaves either the old or the new schema, never half of one, and two processes
 * opening a fresh database cannot both migrate. Every call that changes more than one row
 * runs in a transaction of its own, or in the caller's (qtpm_store_begin/commit/rollback
 * nest: only the outermost pair touches the database). A write transaction holds the
 * database's write lock (SQLite BEGIN IMMEDIATE; a PostgreSQL advisory lock) until it
 * ends, so writers — the daemon and the admin CLI — run one at a time on either back end.
 * After an error inside a transaction the caller must roll back: PostgreSQL refuses every
 * further statement of a transaction that had an error.
 *
 * Errors are values: 0 on success, QTPM_STORE_NOTFOUND, QTPM_STORE_CONFLICT (a unique key
 * already present; other constraint failures, e.g. an unknown router for a foreign key,
 * are QTPM_STORE_ERROR) or QTPM_STORE_ERROR (the message is in qtpm_store_errmsg()). The
 * open error never repeats a PostgreSQL conninfo (it may hold a password).
 */
#ifndef QTPM_STORE_H
#define QTPM_STORE_H

#include <stddef.h>
#include <stdint.h>

#define QTPM_STORE_OK 0
#define QTPM_STORE_ERROR (-1)
#define QTPM_STORE_NOTFOUND (-2)
#define QTPM_STORE_CONFLICT (-3)

/* The schema version this build migrates to. */
#define QTPM_STORE_SCHEMA_VERSION 6

typedef struct qtpm_store qtpm_store;

int qtpm_store_open(const char *url, qtpm_store **out, char *err, size_t errlen);
void qtpm_store_close(qtpm_store *st);
const char *qtpm_store_errmsg(const qtpm_store *st);
int qtpm_store_schema_version(qtpm_store *st, int *version);

int qtpm_store_begin(qtpm_store *st);
int qtpm_store_commit(qtpm_store *st);
int qtpm_store_rollback(qtpm_store *st);

/* Vendors: a name, the DER of its EK CA certificate, its digest-list signing keys. */
int qtpm_store_vendor_add(qtpm_store *st, const char *name, const uint8_t *ca_der,
                          size_t ca_len, const uint8_t *mldsa_pub, size_t mldsa_len,
                          const char *ecdsa_pem);
typedef int (*qtpm_store_vendor_cb)(void *ctx, const char *name, const uint8_t *ca_der,
                                    size_t ca_len);
int qtpm_store_vendor_each(qtpm_store *st, qtpm_store_vendor_cb cb, void *ctx);

/* Routers: id (text), hostname, state ("enrolling", "enrolled", "good", "unknown", "bad",
 * "offline"), allow_reenrol flag. */
typedef struct {
    char id[64];
    char hostname[256];
    char state[16];
    int allow_reenrol;
    int64_t created;
    int64_t updated;
} qtpm_store_router;

int qtpm_store_router_add(qtpm_store *st, const char *id, const char *hostname,
                          const char *state);
int qtpm_store_router_get(qtpm_store *st, const char *id, qtpm_store_router *out);
int qtpm_store_router_set_state(qtpm_store *st, const char *id, const char *state);
int qtpm_store_router_set_allow(qtpm_store *st, const char *id, int allow);
typedef int (*qtpm_store_router_cb)(void *ctx, const qtpm_store_router *r);
int qtpm_store_router_each(qtpm_store *st, qtpm_store_router_cb cb, void *ctx);

/* Events: an append-only log; ids increase. */
typedef struct {
    int64_t id;
    int64_t time;
    char router[64];
    char kind[32];
    char detail[512];
    int64_t time_ms; /* unix milliseconds (time is its seconds) */
} qtpm_store_event;

int qtpm_store_event_add(qtpm_store *st, const char *router, const char *kind,
                         const char *detail, int64_t *id);
typedef int (*qtpm_store_event_cb)(void *ctx, const qtpm_store_event *e);
int qtpm_store_event_each(qtpm_store *st, int64_t since, qtpm_store_event_cb cb, void *ctx);

/* The newest event id (0 when the log is empty). */
int qtpm_store_event_last(qtpm_store *st, int64_t *id);

/* The newest `limit` events of one router, newest first. */
int qtpm_store_router_events(qtpm_store *st, const char *router, int limit,
                             qtpm_store_event_cb cb, void *ctx);

/* Nonces: single use. take() deletes the nonce and says whether it existed for that
 * router and had not expired at `now` (QTPM_STORE_NOTFOUND otherwise). */
int qtpm_store_nonce_put(qtpm_store *st, const char *router, const char *nonce_hex,
                         int64_t expires);
int qtpm_store_nonce_take(qtpm_store *st, const char *router, const char *nonce_hex,
                          int64_t now);
/* From now on nonces are put in this process's memory, not in the nonces table
 * (nonces.c, docs/SCALE.md): no write at a challenge, none at its take. take() still
 * looks a nonce it did not issue up in the table. For a server that answers the
 * evidence of its own challenges (qtpm-nms serve); not for a CLI. */
int qtpm_store_nonces_in_memory(qtpm_store *st);
/* From now on the verifier states and active AKs this process reads or writes are kept
 * in memory (vcache.c): qtpm_store_router_verifier_state and qtpm_store_ak_active answer
 * from the copy. Only safe for writers that compare-and-set (qtpm_store_attestations
 * with cas), which a stale copy then makes refuse. For qtpm-nms serve. */
int qtpm_store_cache_verifier(qtpm_store *st);
/* From now on the active digest lists are kept in memory where the back end announces
 * their changes between processes (PostgreSQL LISTEN/NOTIFY; SQLite: a no-op, they are
 * read every time): qtpm_store_digestlist_each answers from the copy until a change is
 * heard, and re-reads at least every second. For qtpm-nms serve. */
int qtpm_store_cache_digestlists(qtpm_store *st);
/* Forgets every copy (a worker whose leases may have lapsed: what others wrote since). */
void qtpm_store_cache_forget_all(qtpm_store *st);

/* Verdicts: one row per attestation; the router's state changes in the same transaction. */
int qtpm_store_verdict_add(qtpm_store *st, const char *router, const char *verdict,
                           const char *reasons_json);

/* Enrolments in progress (between POST /enrol and /activate): single use, like nonces.
 * The secret is the MakeCredential credential the router must give back. */
typedef struct {
    char id[40];
    char router[64];
    char hostname[256];
    char vendor[65];
    uint8_t secret[32];
    uint8_t ek_pub[4096];
    size_t ek_pub_len;
    uint8_t ek_cert[8192];
    size_t ek_cert_len;
    uint8_t ak_pub[4096];
    size_t ak_pub_len;
    int64_t expires;
} qtpm_store_enrolment;

int qtpm_store_enrolment_put(qtpm_store *st, const qtpm_store_enrolment *e);
/* Deletes the enrolment and returns it if it had not expired at now. */
int qtpm_store_enrolment_take(qtpm_store *st, const char *id, int64_t now,
                              qtpm_store_enrolment *out);
/* The router an EK (marshalled TPM2B_PUBLIC) belongs to. */
int qtpm_store_ek_router(qtpm_store *st, const uint8_t *ek_pub, size_t len, char router[64]);
/* The active AK (marshalled TPM2B_PUBLIC) of a router. */
int qtpm_store_ak_active(qtpm_store *st, const char *router, uint8_t *buf, size_t cap,
                         size_t *len);
/* Completes an enrolment in one transaction: the router (added, or set back to
 * "enrolled" with its re-enrolment permission used up), its EK (once), its AK (the old
 * ones deactivated), the AK certificate and an "enrolled" event. */
int qtpm_store_enrol_finish(qtpm_store *st, const qtpm_store_enrolment *e,
                            const uint8_t *ak_name, size_t ak_name_len, const char *serial,
                            const uint8_t *ak_cert, size_t ak_cert_len);

/* A certificate issued to a router (kind "ak" or "tls") and an event, in one transaction. */
int qtpm_store_certificate_add(qtpm_store *st, const char *router, const char *kind,
                               const char *serial, const uint8_t *der, size_t len);

/* Liveness: sets last_seen = now and, when entries >= 0, last_entries = entries; the
 * previous last_entries (-1: none yet) goes to *previous when it is not NULL. */
int qtpm_store_router_seen(qtpm_store *st, const char *id, int64_t entries, int64_t *previous);
/* The offline timer: every router (not enrolling, not offline) last seen before `before`
 * becomes "offline" with an event, in one transaction (at most 64 per call). */
int qtpm_store_mark_offline(qtpm_store *st, int64_t before, int *marked);

/* A vendor's digest-list keys; *mldsa and *ecdsa_pem are malloc'd (NULL when absent). */
int qtpm_store_vendor_keys(qtpm_store *st, const char *name, uint8_t **mldsa, size_t *mldsa_len,
                           char **ecdsa_pem);
/* Adds a verified digest list: refused with QTPM_STORE_CONFLICT when the same or a newer
 * version for vendor+image is stored (*newest gets it); older versions are deactivated;
 * an event is written; all in one transaction. */
int qtpm_store_digestlist_add(qtpm_store *st, const char *vendor, const char *image,
                              uint64_t version, const uint8_t *body, size_t len,
                              uint64_t *newest);
typedef int (*qtpm_store_blob_cb)(void *ctx, const char *vendor, const uint8_t *b, size_t n);
/* The active digest lists (the newest of each vendor+image). */
int qtpm_store_digestlist_each(qtpm_store *st, qtpm_store_blob_cb cb, void *ctx);

/* The verifier state column of a router (JSON text; *json malloc'd, NULL if none). */
int qtpm_store_router_verifier_state(qtpm_store *st, const char *id, char **json);
/* One attestation's outcome in one transaction: a verdict row, the router's state,
 * verifier state and last_seen, and an event ("reboot" too when rebooted); under a fence
 * (qtpm_store_fence) only while the lease is held. The router gone (NOTFOUND) or the
 * lease lost (CONFLICT): nothing was written and an enclosing transaction goes on. */
int qtpm_store_attestation(qtpm_store *st, const char *router, const char *verdict,
                           const char *reasons_json, const char *state_json, int rebooted);

/* Many attestations in one transaction with few statements (group commit, docs/SCALE.md):
 * one query for the routers' states, a multi-row UPDATE of their rows, multi-row INSERTs
 * of the verdicts and events (each 16 attestations a statement). Each gets rc: 0 written, NOTFOUND (no such router) or CONFLICT (worker set
 * and the lease no longer its own at epoch; or cas set and the state not expect_state any
 * more) with nothing of it written; was_offline says
 * whether the router was "offline" before. Returns 0 (the others' outcome is in rc) or
 * an error, with the transaction rolled back. */
typedef struct {
    const char *router, *verdict, *reasons_json, *state_json;
    int rebooted;
    int cas;                    /* written only if the stored state is still expect_state */
    const char *expect_state;   /* (NULL: none stored), the state verified against */
    const char *worker;         /* the fence: NULL, or the worker that must hold the lease */
    int64_t epoch, started_ms;  /* the lease's epoch; when the evidence arrived */
    int rc, was_offline;        /* out */
} qtpm_store_att;
int qtpm_store_attestations(qtpm_store *st, qtpm_store_att *a, size_t n);

/* The newest verdict of a router: its name and reasons (JSON text, malloc'd). */
int qtpm_store_last_verdict(qtpm_store *st, const char *router, char verdict[16], char **reasons);

/* ---- trust-aware routing (docs/ROUTING.md) ---- */

/* Unix time in milliseconds (CLOCK_REALTIME), as events' time_ms. */
int64_t qtpm_store_now_ms(void);

/* The routing policy: OSPF interface cost per trust class, and what a bad router's
 * neighbours do ("metric" or "exclude"). One row, present from migration 3 on. */
typedef struct {
    int64_t good, unknown, bad, offline;
    char bad_action[16];
} qtpm_store_policy;

int qtpm_store_policy_get(qtpm_store *st, qtpm_store_policy *out);
/* Writes the policy and a "policy" event (detail) in one transaction. */
int qtpm_store_policy_set(qtpm_store *st, const qtpm_store_policy *p, const char *detail);

/* The newest routing report of a router (JSON text as received, re-serialised) and its
 * OSPF router id (also set on the router's row); replaces the previous one. */
int qtpm_store_report_put(qtpm_store *st, const char *router, const char *ospf_router_id,
                          const char *json, int64_t time_ms);
/* *json malloc'd; QTPM_STORE_NOTFOUND when the router never reported. */
int qtpm_store_report_get(qtpm_store *st, const char *router, char **json, int64_t *time_ms);
typedef int (*qtpm_store_report_cb)(void *ctx, const char *router, const char *json,
                                    int64_t time_ms);
int qtpm_store_report_each(qtpm_store *st, qtpm_store_report_cb cb, void *ctx);

/* An enforcement command: the desired state of one interface of `router` (the
 * neighbour) facing `toward`. status: "pending" (not acknowledged), "ok" (acknowledged,
 * applied), "failed" (5 deliveries or 10 s without an ack, or the agent said it could
 * not apply it; still retried while it is the newest), "superseded" (a newer command for
 * the same interface exists). */
typedef struct {
    int64_t seq;
    char router[64];
    char interface[32];
    char toward[64];
    int64_t cost;
    int excluded;
    char reason[160];
    int64_t issued_ms;
    char status[16];
    int64_t deliveries, delivered_ms, acked_ms, received_ms, applied_ms, fib_ms;
    char error[256];
} qtpm_store_command;

/* Queues c (seq and issued_ms are set), supersedes the older commands of the same router
 * and interface and writes an "enforce" event (detail), in one transaction. */
int qtpm_store_command_add(qtpm_store *st, qtpm_store_command *c, const char *detail);
typedef int (*qtpm_store_command_cb)(void *ctx, const qtpm_store_command *c);
/* The newest command of every interface (not superseded), of one router (or of all when
 * router is NULL), by seq; open_only: only "pending" and "failed" ones. */
int qtpm_store_command_each(qtpm_store *st, const char *router, int open_only,
                            qtpm_store_command_cb cb, void *ctx);
int qtpm_store_command_get(qtpm_store *st, const char *router, int64_t seq,
                           qtpm_store_command *out);
/* One more delivery at now_ms. */
int qtpm_store_command_delivered(qtpm_store *st, int64_t seq, int64_t now_ms);
/* The agent's acknowledgement: status "ok" (ok) or "failed" with its error, the agent's
 * timestamps (fib_ms -1: none seen), and an event of `kind` ("enforced" or
 * "enforcement-failed") with detail, in one transaction. */
int qtpm_store_command_ack(qtpm_store *st, int64_t seq, int ok, int64_t received_ms,
                           int64_t applied_ms, int64_t fib_ms, const char *error,
                           const char *kind, const char *detail);
/* No acknowledgement in time: status "failed" and an "enforcement-failed" event. */
int qtpm_store_command_fail(qtpm_store *st, int64_t seq, const char *detail);

/* ---- bounded attestation storage (retention.c, docs/OPERATIONS.md "Retention") ---- */

/* The new entries of one attestation: `entries` IMA entries in the binary list format
 * (list, len), the first of them at index first_index of the router's list. A chunk
 * starting at index 0 opens a new boot (numbered 1, 2, ... per router); any other joins
 * the router's newest boot. Storing the same chunk again replaces it. Runs inside the
 * caller's transaction when there is one (evidence.c: the attestation's). */
int qtpm_store_measurements_add(qtpm_store *st, const char *router, int64_t first_index,
                                int64_t entries, const uint8_t *list, size_t len);
typedef int (*qtpm_store_measurement_cb)(void *ctx, int64_t boot, int64_t first_index,
                                         int64_t entries, const uint8_t *list, size_t len,
                                         int64_t time);
/* The chunks of one boot of a router (boot 0: its newest), by first_index. */
int qtpm_store_measurements_each(qtpm_store *st, const char *router, int64_t boot,
                                 qtpm_store_measurement_cb cb, void *ctx);

/* What compaction keeps. A verdict is a "change" when its verdict or its reasons differ
 * from the router's previous verdict (its first verdict is one too): changes are kept
 * forever, and so is every verdict younger than keep_seconds and the newest keep_last
 * of each router; the other verdicts go. The "verdict" events follow the same rule on
 * their detail (the verdict's name). Measurement chunks are kept for the newest
 * keep_boots boots of each router. batch bounds the rows one call deletes per table. */
typedef struct {
    int64_t keep_seconds; /* >= 0 */
    int64_t keep_last;    /* >= 1: a router's newest verdict always stays */
    int64_t keep_boots;   /* >= 1 */
    int64_t batch;        /* >= 1 */
} qtpm_store_retention;

/* keep_seconds 7 days, keep_last 50, keep_boots 2, batch 5000. */
void qtpm_store_retention_default(qtpm_store_retention *r);

typedef struct {
    int64_t verdicts, events, measurements; /* rows deleted */
} qtpm_store_compacted;

/* One compaction step at unix time now, in one transaction; *out counts what went. A
 * count equal to r->batch means there may be more: call again. */
int qtpm_store_compact(qtpm_store *st, const qtpm_store_retention *r, int64_t now,
                       qtpm_store_compacted *out);

/* A router with its newest verdict, for the router list of the API and dashboard: one
 * query over the verdicts_router index, not one per router. verdict is "" and reasons
 * NULL before the first attestation. */
typedef struct {
    qtpm_store_router r;
    char verdict[16];
    const char *reasons; /* JSON text, valid during the callback */
} qtpm_store_router_summary;
typedef int (*qtpm_store_summary_cb)(void *ctx, const qtpm_store_router_summary *s);
int qtpm_store_router_summaries(qtpm_store *st, qtpm_store_summary_cb cb, void *ctx);

/* The newest `limit` events with an id above since, oldest first. */
int qtpm_store_event_tail(qtpm_store *st, int64_t since, int64_t limit,
                          qtpm_store_event_cb cb, void *ctx);

/* Counts for /metrics. table is one of the schema's table names. */
int qtpm_store_count(qtpm_store *st, const char *table, int64_t *n);

/* ---- verifier workers sharing one database (migration 4, docs/SCALE.md) ---- */

/* A worker (one `qtpm-nms serve --worker URL` process): its advertised URL, where it
 * runs, its start and last heartbeat (unix ms), state "live", "dead" (silent for a lease
 * period, noticed by another) or "stopped" (a clean exit), and how many routers it holds. */
typedef struct {
    char id[64];
    char url[256];
    char host[128];
    int64_t pid, started_ms, beat_ms;
    char state[16];
    int64_t routers;
} qtpm_store_worker;

/* Adds (or re-adds) worker id as live, with a "worker-started" event. */
int qtpm_store_worker_register(qtpm_store *st, const char *id, const char *url,
                               const char *host, int64_t pid);
/* A clean exit: its leases released, state "stopped", a "worker-stopped" event. */
int qtpm_store_worker_stop(qtpm_store *st, const char *id);
typedef int (*qtpm_store_worker_cb)(void *ctx, const qtpm_store_worker *w);
int qtpm_store_worker_each(qtpm_store *st, qtpm_store_worker_cb cb, void *ctx);

typedef struct {
    int live;        /* live workers (this one included) */
    int dead_marked; /* workers this tick found dead (one "worker-dead" event each) */
    int claimed;     /* routers claimed: unheld, or their lease expired */
    int taken_over;  /* of those, held by another worker before ("takeover" event) */
    int handed;      /* routers handed to a less loaded worker */
    int owned;       /* routers held after the tick */
    int lapsed;      /* this worker's own row was found dead or its beat over half a lease
                      * old: its leases may have lapsed (routers taken, held set stale) */
} qtpm_store_lease_tick_result;

/* One lease tick of worker at now_ms: other workers silent for ttl_ms marked dead; this
 * worker's heartbeat, which is the renewal of all its leases (a router is held while its
 * owner's workers row is live with a beat at most ttl_ms old; no router row is written
 * to renew); then routers claimed up to
 * its fair share ceil(routers / live workers) (PostgreSQL: SELECT ... FOR UPDATE SKIP
 * LOCKED, so claiming workers never wait for each other), or its excess handed to the
 * least loaded live worker. Each claim or hand-over bumps the router's lease epoch. */
int qtpm_store_lease_tick(qtpm_store *st, const char *worker, int64_t now_ms, int64_t ttl_ms,
                          qtpm_store_lease_tick_result *out);

/* Before serving a router's challenge or evidence: QTPM_STORE_OK when worker holds its
 * lease (taken now if nobody held it or the holder's heartbeat had expired; *epoch set),
 * QTPM_STORE_CONFLICT when another worker holds a valid lease (owner and its url set),
 * QTPM_STORE_NOTFOUND for an unknown router. */
int qtpm_store_lease_acquire(qtpm_store *st, const char *router, const char *worker,
                             int64_t now_ms, int64_t ttl_ms, int64_t *epoch, char owner[64],
                             char url[256]);

/* While a fence is set, qtpm_store_attestation writes only if the router is still held
 * by worker at epoch (else QTPM_STORE_CONFLICT, nothing written), and the verdict row
 * records worker, epoch and started_ms (when the verification began). */
void qtpm_store_fence(qtpm_store *st, const char *worker, int64_t epoch, int64_t started_ms);
void qtpm_store_unfence(qtpm_store *st);

/* PostgreSQL: the server ends this connection when it stays idle inside a transaction
 * for ms (0: never), so a paused process cannot hold the write lock from everyone; the
 * next statement reconnects. SQLite: nothing. */
int qtpm_store_idle_limit(qtpm_store *st, int ms);

/* The offline timer of a worker: as qtpm_store_mark_offline, for the routers it holds. */
int qtpm_store_mark_offline_owned(qtpm_store *st, int64_t before, const char *worker,
                                  int *marked);

#endif
