/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm-swarm's private interface. qtpm-swarm is a load generator for qtpm-nms
 * (docs/SWARM.md): N simulated routers in one process, each with its own
 * in-process QR-TPM (the engine TCTI: a TPM is a value), an ML-KEM-768 EK with
 * a certificate from a vendor CA, an ML-DSA-44 AK, and its own growing
 * measurement list in the kernel's binary IMA format. Each router enrols and
 * attests through the same REST API v1 calls, with the same bodies, as
 * qtpm-agent's enrol and attest-once (src/agent/flows.c), over a keep-alive
 * HTTPS connection of its own; many routers share one libevent loop per thread.
 *
 * router.c  one router's TPM and list: manufacture, EK/AK, quote, request bodies
 * net.c     the HTTPS client: evhttp connections over bufferevent_openssl
 * main.c    options, threads, the schedule, faults, statistics and the report
 */
#ifndef QTPM_SWARM_H
#define QTPM_SWARM_H

#include <jansson.h>
#include <openssl/ssl.h>
#include <stddef.h>
#include <stdint.h>

#include "qtpm/manufacture.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"

struct event_base;
struct evhttp_connection;
struct event;

/* What a router does wrong, from its fault time on. */
typedef enum {
    FAULT_NONE = 0,
    FAULT_BAD,     /* measures a listed path with other content and reports it honestly */
    FAULT_OFFLINE, /* stops talking to the NMS */
    FAULT_REPLAY,  /* turns bad like FAULT_BAD, then answers each challenge with the
                    * quote and signature of its last good evidence */
} swarm_fault;

/* The router image: the files every router measures over time (path as on the router,
 * SHA-256 of the content), read once from --image. */
typedef struct {
    size_t count;
    char **paths;
    uint8_t (*digests)[32];
} swarm_image;

/* One simulated router. All of it belongs to the thread whose loop drives it. */
typedef struct swarm_router {
    unsigned idx;
    struct swarm_thread *th;
    char hostname[32];
    char id[64];           /* router id from the NMS ("r-…"), empty before enrolment */
    qtpm_tss *tpm;         /* its own engine TCTI */
    qtpm_tss_key ek, ak;   /* both stay loaded: the router is always on */

    /* the measurement list (kernel binary format), entry i at list + offs[i] */
    uint8_t *list;
    size_t list_len, list_cap;
    uint32_t *offs;
    size_t entries, offs_cap;
    size_t next_file;      /* the next image file this router will measure */
    int tampered;          /* a tampered file has been measured */

    swarm_fault fault;
    double fault_at;       /* when the fault starts (monotonic s), 0 = never */
    double fault_seen;     /* first time the NMS's verdict or state showed it, 0 = not yet */
    char *replay_quote, *replay_sig; /* the last good evidence, base64 */
    char *replay_pcrs;               /* and its pcr_values (JSON text) */

    /* the flow */
    int phase;             /* enum in main.c */
    char nonce[80];
    json_t *challenge;     /* the current challenge reply */
    json_t *next;          /* the next challenge the last reply carried (docs/NMS.md), or NULL */
    int round_next;        /* this round's evidence answers such a next challenge */
    char *sent_quote, *sent_sig, *sent_pcrs; /* the evidence in flight (for a later replay) */
    char enrolment[80];
    double round_start, evidence_start, next_due, last_good;
    unsigned late;         /* rounds skipped because the previous one was still running */
    struct evhttp_connection *conn;
    int port;              /* the NMS worker this router talks to */
    int conn_broken;
    int tls_counted;       /* this connection's group has been counted */
    struct event *timer;
} swarm_router;

/* ---- router.c */

/* A fresh TPM (engine TCTI, in memory), Startup(CLEAR), an ML-KEM-768 EK with a
 * certificate from ca in NV (libqtpm-manufacture), the EK re-created and an
 * ML-DSA-44 AK created and loaded under it. */
int swarm_router_tpm_init(swarm_router *r, const qtpm_vendor_ca *ca, char *err, size_t errlen);
/* The /enrol body as qtpm-agent sends it. */
json_t *swarm_enrol_body(swarm_router *r, char *err, size_t errlen);
/* ActivateCredential of the /enrol reply: the /activate body {"credential": hex}. */
json_t *swarm_activate_body(swarm_router *r, json_t *enrol_reply, char *err, size_t errlen);
/* Appends an ima-ng entry for (path, digest) to the list and extends PCR 10. */
int swarm_measure(swarm_router *r, const char *path, const uint8_t digest[32]);
/* The /evidence body (JSON text, malloc'd) for the challenge in r->challenge (quote over
 * its nonce, PCR values, entries from its from_index; with want_next, "next_challenge":
 * true). With replay, the quote, signature and PCR values are the recorded ones. What it
 * sent is kept in r->sent_* until swarm_sent_forget. */
char *swarm_evidence_text(swarm_router *r, int replay, int want_next, char *err,
                          size_t errlen);
void swarm_sent_forget(swarm_router *r);
void swarm_router_free(swarm_router *r);

/* ---- net.c */

typedef void (*swarm_reply_fn)(swarm_router *r, int status, json_t *reply);
/* The client TLS context: TLS 1.3 with the hybrid ML-KEM groups only (qtpm provider, as
 * qtpm-agent), the NMS's server certificate checked against ca. */
SSL_CTX *swarm_tls_ctx(const char *ca_file, const char *cert, const char *key, char *err,
                       size_t errlen);
/* POSTs body to path on the router's keep-alive connection (made or re-made as needed);
 * fn gets the HTTP status (0 on a transport failure) and the parsed reply. Takes body. */
int swarm_post(swarm_router *r, const char *path, json_t *body, swarm_reply_fn fn);
/* The same with the body as JSON text (malloc'd; taken). */
int swarm_post_text(swarm_router *r, const char *path, char *text, swarm_reply_fn fn);
/* GET on a connection of its own (the operator's monitor). */
typedef void (*swarm_get_fn)(void *arg, int status, json_t *reply);
struct evhttp_connection *swarm_connect(struct event_base *base, SSL_CTX *ctx, const char *host,
                                        int port);
int swarm_get(struct evhttp_connection *c, const char *path, swarm_get_fn fn, void *arg);
void swarm_router_disconnect(swarm_router *r);

/* ---- main.c (what the others need of a thread) */

typedef struct swarm_thread {
    struct event_base *base;
    SSL_CTX *tls;
    const char *host;
    int port;
    uint64_t tls_pq, tls_classic; /* router connections by negotiated key exchange */
    char tls_group[32];           /* the last group negotiated */
} swarm_thread;

double swarm_now(void);

#endif
