/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * routing.h — trust-aware routing in the NMS daemon (docs/ROUTING.md), private to
 * src/nms: the routing policy, the routers' routing reports, the enforcement commands
 * with their long poll and acknowledgements (routing.c), the server-sent event stream
 * (stream.c), input validation (routing_check.c) and their /metrics lines. server.c routes requests here after its usual
 * checks (path, method, role, Content-Type, JSON) and calls qtpm_nms_routing_changed()
 * after every request that may have changed something and from its timers.
 */
#ifndef QTPM_NMS_ROUTING_H
#define QTPM_NMS_ROUTING_H

#include <stddef.h>
#include <stdint.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>

#include "store.h"

typedef struct qtpm_nms_routing qtpm_nms_routing;

/* errors: the server's error counter (bumped by every error reply made here). */
qtpm_nms_routing *qtpm_nms_routing_new(struct event_base *base, qtpm_store *st,
                                       uint64_t *errors);
/* After evhttp_free (which closes the held requests through their close callbacks). */
void qtpm_nms_routing_free(qtpm_nms_routing *rt);

/* The reconciliation pass: reads the routers' states and the policy, and for every
 * interface facing a known router whose desired cost (or exclusion) differs from its
 * newest command queues a new command and answers the neighbour's held long poll; pushes
 * router state changes, new events and policy changes to the stream. Cheap when nothing
 * changed (two queries). */
void qtpm_nms_routing_changed(qtpm_nms_routing *rt);

/* An attestation answered: its verdict ("good", "unknown", "bad", or NULL when refused),
 * the time from the evidence's arrival to the verdict, and the arrival (unix ms), which
 * the enforce events that follow name. */
void qtpm_nms_routing_attested(qtpm_nms_routing *rt, const char *verdict, double seconds,
                               int64_t received_ms);
/* The same for a known router: when its verdict repeats the state last seen (within a
 * second), only the metrics and the stream are updated. */
void qtpm_nms_routing_attested_router(qtpm_nms_routing *rt, const char *router,
                                      const char *verdict, double seconds, int64_t received_ms);

/* Handlers. r is answered (now, or later for the long poll and the stream). cn is the
 * router id of a router-role client's certificate. */
void qtpm_nms_policy_get(qtpm_nms_routing *rt, struct evhttp_request *r);
void qtpm_nms_policy_put(qtpm_nms_routing *rt, struct evhttp_request *r, json_t *body);
void qtpm_nms_report_post(qtpm_nms_routing *rt, struct evhttp_request *r, const char *cn,
                          const char *id, json_t *body);
void qtpm_nms_report_get(qtpm_nms_routing *rt, struct evhttp_request *r, const char *id);
void qtpm_nms_topology(qtpm_nms_routing *rt, struct evhttp_request *r);
void qtpm_nms_commands(qtpm_nms_routing *rt, struct evhttp_request *r, const char *cn,
                       const char *id);
void qtpm_nms_ack(qtpm_nms_routing *rt, struct evhttp_request *r, const char *cn,
                  const char *id, json_t *body);
void qtpm_nms_stream_open(qtpm_nms_routing *rt, struct evhttp_request *r);

/* The topology of GET /topology read from the store alone (the admin CLI). */
int qtpm_nms_topology_read(qtpm_store *st, json_t **out);

/* The routing lines of /metrics (Prometheus text format 0.0.4). */
void qtpm_nms_routing_metrics(qtpm_nms_routing *rt, struct evbuffer *out);

/* Policy validation shared with the admin CLI: applies the fields of body ({"metrics":
 * {state: cost}, "bad_action": ...}, any subset) to *p. 0, or an error code
 * ("metric-out-of-range", "bad-request") with a message in msg. */
const char *qtpm_nms_policy_apply(qtpm_store_policy *p, json_t *body, char *msg, size_t n);
json_t *qtpm_nms_policy_json(const qtpm_store_policy *p);
/* The cost slot of a trust class ("good", "unknown", "bad", "offline"); NULL for others. */
int64_t *qtpm_nms_policy_cost(qtpm_store_policy *p, const char *cls);

/* Validation of a routing report (exposed for the fuzz target): NULL when body is a
 * valid report, else a message naming the field. */
const char *qtpm_nms_report_check(json_t *body, char *msg, size_t n);
/* ... and of an acknowledgement. */
const char *qtpm_nms_ack_check(json_t *body, char *msg, size_t n);

/* ---- stream.c ---- */
typedef struct qtpm_nms_stream qtpm_nms_stream;
qtpm_nms_stream *qtpm_nms_stream_new(int max_clients);
void qtpm_nms_stream_free(qtpm_nms_stream *s);
/* Takes r as a client (200 text/event-stream with a hello event), or answers 503 when
 * max_clients are connected. 0 when taken. */
int qtpm_nms_stream_add(qtpm_nms_stream *s, struct evhttp_request *r, int64_t last_event);
/* One event to every client: type, id (< 0: none), data (one line of JSON). */
void qtpm_nms_stream_push(qtpm_nms_stream *s, const char *type, int64_t id, json_t *data);
void qtpm_nms_stream_keepalive(qtpm_nms_stream *s);
int qtpm_nms_stream_clients(const qtpm_nms_stream *s);

#endif
