/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm-agent's private interface. The agent is the router side of device
 * management (docs/AGENT.md): it measures the router image into an IMA-format
 * list and PCR 10 (or forwards the kernel's IMA list), enrols its TPM's EK and
 * AK with qtpm-nms, and answers the NMS's challenges with quotes and the new
 * part of the list (REST API v1, docs/NMS.md).
 *
 * config.c  the key = value configuration file
 * measure.c the measurer: files → ima-ng entries → PCR 10 and the list file
 * client.c  HTTPS + JSON to the NMS (libcurl over OpenSSL, jansson)
 * flows.c   enrolment and attestation with the TPM (libqtss tasks)
 * routing.c the routing role (docs/ROUTING.md): FRR over its vty sockets,
 *           routing reports, enforcement commands, kernel FIB over netlink
 * watch.c   push detection: fanotify FAN_OPEN_EXEC / inotify on the image
 */
#ifndef QTPM_AGENT_H
#define QTPM_AGENT_H

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <stdint.h>

#include "qtpm/attest.h"
#include "qtpm/tss.h"
#include "qtpm/tss_tasks.h"

#define AGENT_MAX_PATHS 32
#define AGENT_E_IO (-100)   /* a file of the state directory could not be read or written */
#define AGENT_E_NMS (-101)  /* the NMS refused or could not be reached */

typedef struct {
    char tcti[256];        /* libqtss TCTI spec */
    char nms_url[256];     /* https://127.0.0.1:8443 */
    char ca_file[1024];    /* CA certificate of the NMS's server certificate */
    char state_dir[1024];  /* the agent's own files */
    char hostname[128];
    char measure_root[1024]; /* the router image: every file below is measured */
    char ima_source[16];   /* "auto" (kernel list if present), "kernel" or "own" */
    char ak_alg[16];       /* "mldsa65" (default), "mldsa44", "ecc", "rsa" */
    unsigned period;       /* seconds between attestations */
    char frr_vty_dir[512]; /* FRR's vty sockets (zebra.vty, ospfd.vty): routing role on */
    char netns[128];       /* the router's network namespace (/var/run/netns/<name>) */
    char exec_watch[16];   /* "auto", "fanotify", "inotify" or "poll" */
    int allow_classic_tls; /* classic TLS groups after the hybrids (default: hybrids only) */
} agent_config;

int agent_config_load(const char *path, agent_config *cfg, char *err, size_t errlen);
/* The same; need_nms 0 accepts a configuration without nms (a router before its zero-touch
 * provisioning, ztp.c, learns the NMS from its onboarding information). */
int agent_config_load_ex(const char *path, agent_config *cfg, char *err, size_t errlen,
                         int need_nms);

/* The post-quantum channel (channel.c, docs/CHANNEL.md): the qtpm provider and the
 * hybrid-only groups (classic ones too with allow_classic_tls) on a libcurl connection's
 * SSL_CTX. Non-zero, with a message on stderr, when the provider or a group is missing. */
int agent_channel_ctx(const agent_config *cfg, void *ssl_ctx);
/* Loads the provider; libssl reads its groups when libcurl makes the SSL_CTX, so this
 * runs before the first connection (every request, a no-op after the first; the routing
 * role when it starts). Commands that never connect do not load it. */
int agent_channel_init(void);

/* The channel binding (channel.c): the router's TPM-resident binding key signs each
 * connection's TLS exporter, sent as POST /api/v1/channel/bind on that connection. */
typedef struct agent_binder agent_binder;
/* NULL when state_dir holds no binding key (enrolled before channel binding). */
agent_binder *agent_binder_load(const agent_config *cfg, qtpm_tss *tpm, const char *router);
void agent_binder_free(agent_binder *b);
/* Tests only: the router id the bind request claims (another router's, to check that the
 * NMS refuses a key certified for someone else). */
void agent_binder_claim(agent_binder *b, const char *router);
/* Binds the connection c will use next (multi: the multi handle c is driven by, or NULL
 * for curl_easy_perform). The caller has set c's TLS options (CA, SSL_CTX function,
 * timeouts); this sets URL, body and headers, and clears the body and headers after. */
int agent_channel_bind(agent_binder *b, void *c, void *multi, char *err, size_t errlen);

/* ------------------------------------------------------------ measurer */

typedef struct {
    const agent_config *cfg;
    qtpm_tss *tpm;
    TPMI_ALG_HASH banks[2]; /* allocated banks among SHA-1, SHA-256 with PCR 10 */
    size_t n_banks;
} agent_measurer;

/* Starts the measurer for this boot: if PCR 10 is all zeros (a new TPM boot)
 * the list and the record of measured files start again. */
int agent_measure_start(agent_measurer *m, const agent_config *cfg, qtpm_tss *tpm);
/* Measures every file under measure_root whose content is new since its last
 * measurement; *added counts the new entries. */
int agent_measure_scan(agent_measurer *m, size_t *added);
/* The list as it is now (own list file, or the kernel's binary list). */
int agent_measure_list(const agent_config *cfg, qtpm_ima_list *list);
/* Whether this agent uses the kernel's IMA list. */
int agent_uses_kernel_ima(const agent_config *cfg);

/* -------------------------------------------------------------- client */

/* A libcurl reply being received: NUL-terminated, at most AGENT_REPLY_MAX bytes
 * (past that, overflow is set and the transfer stops). */
#define AGENT_REPLY_MAX (8u << 20)
typedef struct {
    char *buf;
    size_t len;
    int overflow;
} agent_reply;
/* CURLOPT_WRITEFUNCTION for an agent_reply (CURLOPT_WRITEDATA). */
size_t agent_reply_write(char *p, size_t size, size_t nmemb, void *u);

/* The NMS's PCR selection, {"sha256": [0, 1, 10]} (docs/NMS.md), as a
 * TPML_PCR_SELECTION; QTPM_E_INVALID for anything else. The bank names both ways. */
int agent_parse_selection(json_t *j, TPML_PCR_SELECTION *sel);
const char *agent_hash_name(TPMI_ALG_HASH h); /* "sha1" .. "sha512", NULL if none */

/* POST body (a JSON object) to nms_url + path; *status is the HTTP status,
 * *reply the parsed JSON reply (NULL when none). */
int agent_http_post(const agent_config *cfg, const char *path, json_t *body, long *status,
                    json_t **reply, char *err, size_t errlen);
/* The same with mutual TLS: cert and key (a TPM-resident key) as client identity. */
int agent_http_post_tls(const agent_config *cfg, const char *path, json_t *body,
                        X509 *cert, EVP_PKEY *key, long *status,
                        json_t **reply, char *err, size_t errlen);
/* The same, the connection bound first with binder (channel.c; NULL: not bound). */
struct agent_binder;
int agent_http_post_bound(const agent_config *cfg, const char *path, json_t *body,
                          X509 *cert, EVP_PKEY *key, struct agent_binder *binder,
                          long *status, json_t **reply, char *err, size_t errlen);
char *agent_b64(const uint8_t *buf, size_t len);
int agent_unb64(const char *s, uint8_t *out, size_t cap, size_t *len);
char *agent_hex(const uint8_t *buf, size_t len);
int agent_unhex(const char *s, uint8_t *out, size_t cap, size_t *len);

/* --------------------------------------------------------------- flows */

int agent_enrol(const agent_config *cfg, qtpm_tss *tpm, char *err, size_t errlen);
/* One explicit attestation: challenge, quote, evidence. *verdict gets the
 * NMS's verdict name ("good", ...) and the reply is printed when verbose. */
int agent_attest(const agent_config *cfg, qtpm_tss *tpm, char *verdict, size_t vlen,
                 json_t **reply, char *err, size_t errlen);
/* The implicit-attestation channel: creates the TPM-resident TLS key, has the
 * AK certify it and gets its TLS client certificate (docs/NMS.md tls-key). */
int agent_tls_enrol(const agent_config *cfg, qtpm_tss *tpm, char *err, size_t errlen);
/* POST /heartbeat over mutual TLS with the TPM-resident key and the NMS's last
 * approval. Fails (with the TPM's reason in err) when the TPM refuses to
 * sign: the PCRs are not in a configuration the NMS approved. */
int agent_heartbeat(const agent_config *cfg, qtpm_tss *tpm, size_t entries, int *attest,
                    char *err, size_t errlen);
/* POST /events over the same mutual-TLS channel: {"kind": kind, "files": files}
 * (docs/NMS.md; kind "config-refused", files [{"path", "reason"}]). */
int agent_report(const agent_config *cfg, qtpm_tss *tpm, const char *kind, json_t *files,
                 char *err, size_t errlen);
/* A report that could not be sent is kept (state_dir/pending-report.json, the newest
 * only) and sent by agent_report_flush after a heartbeat that went through: 1 sent,
 * 0 nothing kept, < 0 still not sent. */
int agent_report_keep(const agent_config *cfg, const char *kind, json_t *files);
int agent_report_flush(const agent_config *cfg, qtpm_tss *tpm, char *err, size_t errlen);
int agent_read_file(const char *path, uint8_t **buf, size_t *len);
/* The binding key's blobs and the NMS policy key of state_dir (0, or AGENT_E_IO). */
int agent_read_bind_key(const agent_config *cfg, TPM2B_PUBLIC *pol, TPM2B_PUBLIC *pub,
                        TPM2B_PRIVATE *priv);
/* The NMS's latest approval (state_dir/approval.json) into a TPM-resident key (tlskey.h). */
struct agent_tlskey_s;
int agent_load_approval(const agent_config *cfg, struct agent_tlskey_s *k);

/* The TPM-resident TLS identity, loaded once and kept (the routing role keeps its
 * connections alive: one handshake). agent_tls_identity_refresh re-reads the NMS's
 * newest approval before a new handshake may need it. */
typedef struct agent_tls_identity agent_tls_identity;
int agent_tls_identity_load(const agent_config *cfg, qtpm_tss *tpm, agent_tls_identity **out,
                            char *err, size_t errlen);
void agent_tls_identity_refresh(const agent_config *cfg, agent_tls_identity *id);
/* 0 while the TPM has refused to sign with the approval on disk (a router whose PCRs
 * moved: no handshake is tried until a new approval comes), else 1. */
int agent_tls_identity_usable(const agent_config *cfg, agent_tls_identity *id);
X509 *agent_tls_identity_cert(agent_tls_identity *id);
EVP_PKEY *agent_tls_identity_key(agent_tls_identity *id);
const char *agent_tls_identity_router(agent_tls_identity *id);
struct agent_binder *agent_tls_identity_binder(agent_tls_identity *id);
/* id (or NULL) becomes the identity the agent's other mutual-TLS posts (heartbeat,
 * events) use while it lives, instead of loading the TLS key again. */
void agent_tls_identity_share(agent_tls_identity *id);
void agent_tls_identity_free(agent_tls_identity *id);

/* --------------------------------------------------------------- ztp */

/* `qtpm-agent bootstrap` and `qtpm-agent serial` (ztp.c, docs/ZTP.md): first boot by secure
 * zero-touch provisioning (RFC 8572), then enrolment. Returns the exit status. */
int agent_ztp_main(int argc, char **argv);

/* ------------------------------------------------------------- watch */

/* Push detection on the router image (watch.c): fanotify FAN_OPEN_EXEC on the mount
 * that holds measure_root (what IMA's measure-on-exec sees), inotify on every directory
 * of the image as the fallback, or nothing ("poll"). */
typedef struct {
    int fan_fd, ino_fd;
    char root[1024];
} agent_watch;
/* Opens what exec_watch asks for; *how names what is in use. Never fails: "poll" is
 * the last resort. */
void agent_watch_open(const agent_config *cfg, agent_watch *w, const char **how);
/* Reads the pending events: 1 when something under the image was executed or written. */
int agent_watch_drain(agent_watch *w);
void agent_watch_close(agent_watch *w);

/* ----------------------------------------------------------- routing */

typedef struct agent_routing agent_routing;
int agent_routing_open(const agent_config *cfg, qtpm_tss *tpm, agent_routing **out, char *err,
                       size_t errlen);
/* Waits up to timeout_ms for the long poll, FIB changes, the report timer and w's
 * events, handling commands and reports as they come: 1 when w saw something. */
int agent_routing_wait(agent_routing *rt, agent_watch *w, int timeout_ms);
void agent_routing_close(agent_routing *rt);
/* Writes path atomically (a temporary file, fsync, rename); 0 or -1. */
int agent_write_file(const char *path, const uint8_t *buf, size_t len, int mode);
/* A deferred group (measure.c): after agent_write_defer, agent_write_file renames without
 * the fsync and remembers the path; agent_write_sync makes every remembered file and its
 * directory durable (0, or -1: then nothing written since may be relied on) and keeps the
 * group open; agent_write_sync_close does the same and closes it. A writer that needs a
 * file durable before it talks to someone calls agent_write_sync (a no-op outside). */
void agent_write_defer(void);
int agent_write_deferring(void); /* 1 inside a deferred group */
int agent_write_sync(void);
int agent_write_sync_close(void);

#endif
