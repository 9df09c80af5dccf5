/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nms.h — what the qtpm-nms daemon's pieces share (private to src/nms).
 */
#ifndef QTPM_NMS_H
#define QTPM_NMS_H

#include <stddef.h>
#include <stdint.h>

/* Runs the REST API of docs/NMS.md until SIGINT/SIGTERM; 0 on a clean stop. period is
 * the heartbeat period in seconds (a router silent for two periods becomes offline);
 * web_dir the dashboard's files (web.c). */
int qtpm_nms_serve(const char *dir, const char *db_url, const char *listen, long period,
                   const char *web_dir);

/* ---- the post-quantum channel (channel.c, docs/CHANNEL.md) ---- */
typedef struct ssl_ctx_st SSL_CTX;
/* serve's options: the TLS groups (NULL: the hybrids) and whether classic key exchange
 * is allowed (--allow-classic-tls). Called before qtpm_nms_serve. */
void qtpm_nms_channel_configure(const char *groups, int allow_classic, int allow_unbound);
/* Loads the qtpm provider (before any SSL_CTX is made); non-zero with err. */
int qtpm_nms_channel_load(char *err, size_t errlen);
/* Sets ctx's groups and handshake log; non-zero with err. */
int qtpm_nms_channel_tls(SSL_CTX *ctx, char *err, size_t errlen);
/* Handshakes so far: completed post-quantum, completed classic, refused (/metrics). */
void qtpm_nms_channel_counts(unsigned long long *pq, unsigned long long *classic,
                             unsigned long long *refused);

typedef struct ssl_st SSL;
typedef struct json_t json_t;
/* POST /api/v1/channel/bind on ssl's connection by the router of its certificate:
 * returns the HTTP status (200: the connection is bound), *code and *msg otherwise. */
int qtpm_nms_channel_bind(SSL *ssl, const char *cert_router, const json_t *body,
                          const char **code, const char **msg);
/* 1 when a router request may go on this connection: bound, or (with
 * --allow-unbound-routers) a router certificate without a binding key. */
int qtpm_nms_channel_allowed(SSL *ssl);
/* Channel bindings so far: accepted, refused (/metrics). */
void qtpm_nms_channel_bind_counts(unsigned long long *ok, unsigned long long *refused);

/* The admin CLI on the store: argv after "qtpm-nms". Returns the exit status. */
int qtpm_nms_admin(const char *db_url, int argc, char **argv);

/* ---- the web dashboard and browser sessions (web.c) ---- */
struct evhttp_request;
struct qtpm_nms_web;

enum qtpm_nms_web_role { QTPM_WEB_NONE = 0, QTPM_WEB_OPERATOR, QTPM_WEB_READONLY };

/* Loads (or makes) the session key of nms_dir; web_dir (may be NULL or missing: no
 * dashboard, the API still works) holds the dashboard's files. */
int qtpm_nms_web_open(const char *nms_dir, const char *web_dir, struct qtpm_nms_web **out,
                      char *err, size_t errlen);
void qtpm_nms_web_close(struct qtpm_nms_web *w);

/* Answers GET /, /ui/<file>, /login and POST /logout; 0 when path is none of them. */
int qtpm_nms_web_request(const struct qtpm_nms_web *w, struct evhttp_request *r,
                         const char *path);

/* The role of r's session cookie (QTPM_WEB_NONE without a valid one); *csrf_ok says
 * whether r carries the session's CSRF token in X-QTPM-CSRF. */
enum qtpm_nms_web_role qtpm_nms_web_session(const struct qtpm_nms_web *w,
                                            struct evhttp_request *r, int *csrf_ok);

/* A login URL https://<listen>/login?token=… for role valid for ttl seconds. */
int qtpm_nms_web_login_url(const char *nms_dir, const char *role, long ttl,
                           const char *listen, char *out, size_t outlen, char *err,
                           size_t errlen);

/* Whether rel is an acceptable dashboard file path (exposed for the unit test). */
int qtpm_nms_web_path_ok(const char *rel);

/* ---- verifier workers on a shared database (workers.c, docs/SCALE.md) ---- */
struct event_base;
struct evbuffer;
struct qtpm_store;
struct qtpm_nms_workers;

/* `serve --worker URL`: this process is one worker, reached at URL (https://...); set
 * before qtpm_nms_serve. NULL (the default): one process, no leases. */
void qtpm_nms_set_worker(const char *url);
const char *qtpm_nms_worker_url(void);
/* Registers the worker and starts its lease ticks; *out stays NULL without --worker. */
int qtpm_nms_workers_start(struct event_base *base, struct qtpm_store *st, long period,
                           struct qtpm_nms_workers **out);
/* Stops the ticks and releases the worker's routers (a clean exit). */
void qtpm_nms_workers_free(struct qtpm_nms_workers *w);
const char *qtpm_nms_workers_id(const struct qtpm_nms_workers *w);
/* 1 when this worker holds router's lease (*epoch set); else the request was answered
 * (307 to the holder, 404, 5xx) and 0 is returned. */
int qtpm_nms_workers_route(struct qtpm_nms_workers *w, struct evhttp_request *r,
                           const char *router, int64_t *epoch, uint64_t *errors);
void qtpm_nms_workers_lease_lost(struct qtpm_nms_workers *w);
/* GET /api/v1/workers (w may be NULL: a process that is not a worker lists them too). */
void qtpm_nms_workers_api(struct qtpm_nms_workers *w, struct qtpm_store *st,
                          struct evhttp_request *r, uint64_t *errors);
void qtpm_nms_workers_metrics(struct qtpm_nms_workers *w, struct qtpm_store *st,
                              struct evbuffer *out);

#endif
