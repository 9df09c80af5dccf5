/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm-swarm — N simulated routers in one process, a load generator for qtpm-nms
 * (docs/SWARM.md).
 *
 *   qtpm-swarm ca DIR
 *   qtpm-swarm run --routers N --nms https://H:P --ca FILE --vendor-ca DIR --image DIR
 *              [--prefix /bin/] [--period S] [--duration S] [--threads T]
 *              [--bad F] [--offline F] [--replay F] [--fault-at S]
 *              [--operator-cert F --operator-key F] [--initial K] [--grow P]
 *              [--enrol-concurrency C] [--warmup S] [--json FILE] [--seed N]
 *
 * The life of every router: its TPM is made (router.c), it measures --initial files of
 * the image, enrols (/enrol, ActivateCredential, /activate), then attests once every
 * --period seconds at a random phase (/challenge, Quote, /evidence) for --duration
 * seconds, measuring a new image file before a round with probability --grow. At
 * --fault-at seconds into the run the routers chosen for a fault (fractions --bad,
 * --offline, --replay, disjoint, spread over the threads) start misbehaving; the swarm
 * records when the NMS first showed each one as not good: the evidence verdict for bad
 * and replaying routers, the router's state read by the operator's monitor
 * (GET /routers/<id>) for offline ones. At the end the operator lists every router and
 * the swarm checks each state against what it did. Routers are spread over --threads
 * threads, each with its own libevent loop.
 *
 * Output: a human summary on stdout and, with --json, every figure (docs/SWARM.md
 * names them). Exit 0 when every router enrolled, no NMS error was seen in the steady
 * phase, every router connection used a post-quantum group, every injected fault was
 * caught and every other router ended good; 1 otherwise;
 * 2 usage.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/http.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "agent.h"
#include "swarm.h"

enum { PH_NEW, PH_ENROL, PH_ACTIVATE, PH_READY, PH_CHALLENGE, PH_EVIDENCE, PH_FAILED, PH_OFF };

typedef struct {
    int routers, threads, enrol_conc, initial;
    double period, duration, warmup, fault_at, grow;
    double bad, offline, replay;
    const char *host, *ca, *vendor_ca, *image, *prefix, *json, *op_cert, *op_key;
    int port, ports[16], nports;
    unsigned seed;
    int two_step; /* --two-step: /challenge then /evidence every round (the old flow) */
} options;

typedef struct {
    double *v;
    size_t n, cap;
} samples;

/* A thread: its routers, its loop and its figures (merged by main at the end). */
typedef struct {
    swarm_thread t;
    int index;
    swarm_router **rs;
    size_t n;
    size_t next_enrol, enrolled, enrol_failed, in_flight;
    double enrol_start, enrol_end, init_seconds;
    struct evhttp_connection *monitor;
    int monitor_inflight;
    struct event *tick;
    samples round_ms, evidence_ms;
    uint64_t attested, verdicts[4], late, http_errors, transport_errors, other_errors;
    uint64_t one_trip, two_step, fallbacks; /* rounds by flow (docs/SWARM.md) */
    uint64_t *per_second;
    size_t seconds;
    double monitored_min;   /* smallest fraction of this thread's routers monitored */
    double honest_min;      /* the same among the routers without a fault */
    size_t monitor_samples;
    char last_error[400];
    uint64_t errors_total;
} worker;

static options opt;

/* The "error" code of an NMS error reply, or "". */
static const char *errcode(json_t *rep)
{
    const char *e = json_string_value(json_object_get(rep, "error"));
    return e ? e : "";
}
static swarm_image image;
static qtpm_vendor_ca *vendor;
static pthread_barrier_t barrier;
static double t_run;          /* start of the steady phase (monotonic s) */
static volatile int stopping; /* the steady phase is over: no new rounds */
static double wall_offset;    /* CLOCK_REALTIME - CLOCK_MONOTONIC, s */

double swarm_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void samples_add(samples *s, double v)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 4096;
        double *nv = realloc(s->v, cap * sizeof *nv);
        if (!nv)
            return;
        s->v = nv;
        s->cap = cap;
    }
    s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double pct(const samples *s, double p)
{
    if (!s->n)
        return NAN;
    size_t i = (size_t)ceil(p / 100.0 * (double)s->n);
    return s->v[i ? i - 1 : 0];
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* ----------------------------------------------------------------- image */

static int load_image_dir(const char *root, const char *rel)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char sub[2048], full[4096];
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", e->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            rc = load_image_dir(root, sub);
            continue;
        }
        if (!S_ISREG(st.st_mode))
            continue;
        uint8_t *buf = NULL;
        size_t len = 0;
        if (agent_read_file(full, &buf, &len) != 0)
            return -1;
        char **np = realloc(image.paths, (image.count + 1) * sizeof *np);
        uint8_t (*nd)[32] = realloc(image.digests, (image.count + 1) * sizeof *nd);
        if (np)
            image.paths = np;
        if (nd)
            image.digests = nd;
        size_t pl = strlen(opt.prefix) + strlen(sub) + 1;
        char *path = malloc(pl);
        unsigned int dl = 0;
        if (!np || !nd || !path ||
            EVP_Digest(buf, len, image.digests[image.count], &dl, EVP_sha256(), NULL) != 1) {
            free(buf);
            free(path);
            closedir(d);
            return -1;
        }
        snprintf(path, pl, "%s%s", opt.prefix, sub);
        image.paths[image.count++] = path;
        free(buf);
    }
    closedir(d);
    return rc;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Files in path order (digests follow their paths), so every run measures alike. */
static void sort_image(void)
{
    for (size_t i = 1; i < image.count; i++)
        for (size_t j = i; j > 0 && cmp_path(&image.paths[j - 1], &image.paths[j]) > 0; j--) {
            char *p = image.paths[j];
            image.paths[j] = image.paths[j - 1];
            image.paths[j - 1] = p;
            uint8_t d[32];
            memcpy(d, image.digests[j], 32);
            memcpy(image.digests[j], image.digests[j - 1], 32);
            memcpy(image.digests[j - 1], d, 32);
        }
}

/* The router's next image file (each router starts at its own place in the image). */
static int measure_next(swarm_router *r)
{
    if (r->next_file >= image.count)
        return 0; /* everything measured: the list stops growing, as on a real router */
    size_t f = (r->next_file + r->idx) % image.count;
    r->next_file++;
    return swarm_measure(r, image.paths[f], image.digests[f]);
}

/* A listed path with other content: what a replaced binary looks like to IMA. */
static int measure_tampered(swarm_router *r)
{
    uint8_t d[32];
    char text[128];
    snprintf(text, sizeof text, "tampered by qtpm-swarm, router %u", r->idx);
    unsigned int dl = 0;
    EVP_Digest(text, strlen(text), d, &dl, EVP_sha256(), NULL);
    r->tampered = 1;
    return swarm_measure(r, image.paths[r->idx % image.count], d);
}

/* ------------------------------------------------------------- enrolment */

/* The next challenge a reply carries (docs/NMS.md "The next challenge"), kept for the
 * router's next round; any other reply drops the one held. */
static void keep_next(swarm_router *r, json_t *rep)
{
    json_t *next = json_object_get(rep, "next_challenge");
    json_decref(r->next);
    r->next = json_is_object(next) ? json_incref(next) : NULL;
}

/* Whether the held next challenge can still be used: not expired (with a margin for the
 * quote and the trip, and for clocks: the NMS's expiry is its wall clock, seconds). */
static int next_usable(const swarm_router *r)
{
    json_int_t exp = json_integer_value(json_object_get(r->next, "expires"));
    return r->next && (double)exp > (double)time(NULL) + 2;
}

static void enrol_next(worker *w);

static void enrol_done(swarm_router *r, int ok, const char *why)
{
    worker *w = (worker *)r->th;
    w->in_flight--;
    if (ok) {
        w->enrolled++;
        r->phase = PH_READY;
    } else {
        w->enrol_failed++;
        r->phase = PH_FAILED;
        snprintf(w->last_error, sizeof w->last_error, "%s: %s", r->hostname, why);
    }
    enrol_next(w);
    if (w->in_flight == 0 && w->next_enrol == w->n) {
        w->enrol_end = swarm_now();
        event_base_loopbreak(w->t.base);
    }
}

static void on_activate(swarm_router *r, int status, json_t *rep)
{
    const char *id = json_string_value(json_object_get(rep, "router"));
    if (status != 200 || !id) {
        char why[128];
        snprintf(why, sizeof why, "/activate: HTTP %d %s", status,
                 errcode(rep));
        enrol_done(r, 0, why);
        return;
    }
    snprintf(r->id, sizeof r->id, "%s", id);
    keep_next(r, rep);
    enrol_done(r, 1, NULL);
}

static void on_enrol(swarm_router *r, int status, json_t *rep)
{
    char err[256], path[160];
    const char *enr = json_string_value(json_object_get(rep, "enrolment"));
    if (status != 201 || !enr) {
        snprintf(err, sizeof err, "/enrol: HTTP %d %s", status,
                 errcode(rep));
        enrol_done(r, 0, err);
        return;
    }
    json_t *body = swarm_activate_body(r, rep, err, sizeof err);
    if (!body) {
        enrol_done(r, 0, err);
        return;
    }
    snprintf(path, sizeof path, "/api/v1/enrol/%s/activate", enr);
    if (!opt.two_step)
        json_object_set_new(body, "next_challenge", json_true());
    r->phase = PH_ACTIVATE;
    if (swarm_post(r, path, body, on_activate) != 0)
        enrol_done(r, 0, "cannot send /activate");
}

static void enrol_next(worker *w)
{
    while (w->in_flight < (size_t)opt.enrol_conc && w->next_enrol < w->n) {
        swarm_router *r = w->rs[w->next_enrol++];
        char err[256];
        json_t *body = swarm_enrol_body(r, err, sizeof err);
        w->in_flight++;
        r->phase = PH_ENROL;
        if (!body || swarm_post(r, "/api/v1/enrol", body, on_enrol) != 0)
            enrol_done(r, 0, body ? "cannot send /enrol" : err);
    }
}

/* ----------------------------------------------------------- attestation */

static void schedule(swarm_router *r, double at)
{
    double d = at - swarm_now();
    if (d < 0)
        d = 0;
    struct timeval tv = { (time_t)d, (suseconds_t)((d - floor(d)) * 1e6) };
    r->next_due = at;
    evtimer_add(r->timer, &tv);
}

static void count_error(worker *w, swarm_router *r, int status, const char *what, json_t *rep)
{
    if (swarm_now() < t_run + opt.warmup)
        return; /* only the steady phase is judged */
    if (status == 0)
        w->transport_errors++;
    else
        w->http_errors++;
    w->errors_total++;
    snprintf(w->last_error, sizeof w->last_error, "%s %s: HTTP %d %s", r->hostname, what,
             status, errcode(rep));
}

static void send_challenge(swarm_router *r);
static void send_evidence(swarm_router *r);

static void on_evidence(swarm_router *r, int status, json_t *rep)
{
    worker *w = (worker *)r->th;
    double now = swarm_now();
    const char *v = json_string_value(json_object_get(rep, "verdict"));
    r->phase = PH_READY;
    keep_next(r, status == 200 ? rep : NULL);
    if (status == 403 && r->round_next && !strcmp(errcode(rep), "nonce-invalid") &&
        !stopping) {
        /* The next challenge was not honoured (it expired, or the router's lease moved to
         * another verifier worker, which never issued it): the round falls back to
         * /challenge, as the agent does. */
        w->fallbacks++;
        swarm_sent_forget(r);
        send_challenge(r);
        return;
    }
    if (status != 200 || !v) {
        count_error(w, r, status, "/evidence", rep);
        swarm_sent_forget(r);
        return;
    }
    int k = !strcmp(v, "good") ? 0 : !strcmp(v, "unknown") ? 1 : !strcmp(v, "bad") ? 2 : 3;
    if (now >= t_run + opt.warmup && now <= t_run + opt.duration) {
        w->attested++;
        w->verdicts[k]++;
        if (r->round_next)
            w->one_trip++;
        else
            w->two_step++;
        samples_add(&w->round_ms, (now - r->round_start) * 1e3);
        samples_add(&w->evidence_ms, (now - r->evidence_start) * 1e3);
        size_t s = (size_t)(now - t_run);
        if (s < w->seconds)
            w->per_second[s]++;
    }
    r->last_good = now; /* a fresh verdict, whatever it says */
    if (k != 0 && r->fault && r->fault_at && now >= r->fault_at && !r->fault_seen)
        r->fault_seen = now;
    if (k == 0 && !r->tampered && r->sent_quote) {
        /* what a replaying router will send again */
        free(r->replay_quote);
        free(r->replay_sig);
        free(r->replay_pcrs);
        r->replay_quote = r->sent_quote;
        r->replay_sig = r->sent_sig;
        r->replay_pcrs = r->sent_pcrs;
        r->sent_quote = r->sent_sig = r->sent_pcrs = NULL;
    }
    swarm_sent_forget(r);
}

/* The evidence for the challenge in r->challenge (the reply to /challenge, or the next
 * challenge of the previous round's reply when r->round_next). */
static void send_evidence(swarm_router *r)
{
    worker *w = (worker *)r->th;
    char err[256], path[160];
    int replay = r->fault == FAULT_REPLAY && r->tampered;
    char *body = swarm_evidence_text(r, replay, !opt.two_step, err, sizeof err);
    if (!body) {
        r->phase = PH_READY;
        w->other_errors++;
        snprintf(w->last_error, sizeof w->last_error, "%s: %s", r->hostname, err);
        return;
    }
    snprintf(path, sizeof path, "/api/v1/routers/%s/evidence", r->id);
    r->phase = PH_EVIDENCE;
    r->evidence_start = swarm_now();
    if (swarm_post_text(r, path, body, on_evidence) != 0) {
        r->phase = PH_READY;
        count_error(w, r, 0, "/evidence", NULL);
    }
}

static void on_challenge(swarm_router *r, int status, json_t *rep)
{
    worker *w = (worker *)r->th;
    if (status != 200 || !rep) {
        r->phase = PH_READY;
        count_error(w, r, status, "/challenge", rep);
        return;
    }
    json_decref(r->challenge);
    r->challenge = json_incref(rep);
    send_evidence(r);
}

static void send_challenge(swarm_router *r)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/routers/%s/challenge", r->id);
    r->phase = PH_CHALLENGE;
    r->round_next = 0;
    if (swarm_post(r, path, json_object(), on_challenge) != 0) {
        r->phase = PH_READY;
        count_error((worker *)r->th, r, 0, "/challenge", NULL);
    }
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    swarm_router *r = arg;
    worker *w = (worker *)r->th;
    double now = swarm_now();
    if (stopping || r->phase == PH_OFF || r->phase == PH_FAILED)
        return;
    schedule(r, r->next_due + opt.period);
    if (r->phase != PH_READY) {
        r->late++;
        if (now >= t_run + opt.warmup)
            w->late++;
        return;
    }
    if (r->fault && r->fault_at && now >= r->fault_at) {
        if (!r->tampered)
            r->fault_at = now; /* the round it first misbehaves in: detection counts from here */
        if (r->fault == FAULT_OFFLINE) {
            r->phase = PH_OFF; /* silent from now on */
            evtimer_del(r->timer);
            swarm_router_disconnect(r);
            return;
        }
        if (!r->tampered && measure_tampered(r) != 0)
            w->other_errors++;
    } else if (opt.grow > 0 && (double)rand() / RAND_MAX < opt.grow && measure_next(r) != 0) {
        w->other_errors++;
    }
    r->round_start = now;
    if (!opt.two_step && next_usable(r)) {
        /* one round trip: the evidence answers the challenge the last reply carried */
        json_decref(r->challenge);
        r->challenge = r->next;
        r->next = NULL;
        r->round_next = 1;
        send_evidence(r);
        return;
    }
    send_challenge(r);
}

/* --------------------------------------------------- the operator's view */

/* The router as the operator sees it: once it is offline, the time of its newest
 * "offline" event (the NMS's own clock, ms) is when the NMS caught it — not when this
 * poll noticed. */
static void on_router_state(void *arg, int status, json_t *rep)
{
    swarm_router *r = arg;
    ((worker *)r->th)->monitor_inflight--;
    const char *state = json_string_value(json_object_get(rep, "state"));
    if (status != 200 || !state || strcmp(state, "offline") != 0 || r->fault_seen)
        return;
    double seen = swarm_now();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(rep, "history"), i, e) {
        const char *kind = json_string_value(json_object_get(e, "kind"));
        json_int_t ms = json_integer_value(json_object_get(e, "time_ms"));
        if (kind && !strcmp(kind, "offline") && ms > 0) {
            double at = (double)ms / 1e3 - wall_offset;
            if (at >= r->fault_at - 1 && at < seen)
                seen = at;
            break; /* newest first */
        }
    }
    r->fault_seen = seen;
}

/* Every quarter period: the monitored share of this thread's routers (a verdict in the
 * last two periods, or shown offline by the NMS after going silent), and the state of
 * each silent router not yet seen offline. */
static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    worker *w = arg;
    double now = swarm_now();
    if (now < t_run + opt.warmup || now > t_run + opt.duration)
        return;
    size_t monitored = 0, honest = 0, honest_monitored = 0;
    int busy = w->monitor_inflight > 0;
    for (size_t i = 0; i < w->n; i++) {
        swarm_router *r = w->rs[i];
        if (!r->fault) {
            honest++;
            honest_monitored += r->phase != PH_FAILED && now - r->last_good <= 2 * opt.period;
        }
        if (r->phase == PH_OFF) {
            if (r->fault_seen)
                monitored++;
            else if (w->monitor && !busy) {
                /* one round of looks at a time: the monitor must not pile requests up
                 * on an NMS that is slow to answer */
                char path[128];
                snprintf(path, sizeof path, "/api/v1/routers/%s", r->id);
                if (swarm_get(w->monitor, path, on_router_state, r) == 0)
                    w->monitor_inflight++;
            }
        } else if (r->phase != PH_FAILED && now - r->last_good <= 2 * opt.period) {
            monitored++;
        }
    }
    double f = w->n ? (double)monitored / (double)w->n : 1;
    double h = honest ? (double)honest_monitored / (double)honest : 1;
    if (!w->monitor_samples || f < w->monitored_min)
        w->monitored_min = f;
    if (!w->monitor_samples || h < w->honest_min)
        w->honest_min = h;
    w->monitor_samples++;
}

/* ------------------------------------------------------------- a thread */

static void *thread_main(void *arg)
{
    worker *w = arg;
    char err[256];
    double t0 = swarm_now();
    for (size_t i = 0; i < w->n; i++) {
        swarm_router *r = w->rs[i];
        r->th = &w->t;
        if (swarm_router_tpm_init(r, vendor, err, sizeof err) != 0) {
            snprintf(w->last_error, sizeof w->last_error, "%s: %s", r->hostname, err);
            r->phase = PH_FAILED;
            continue;
        }
        for (int k = 0; k < opt.initial; k++)
            if (measure_next(r) != 0)
                r->phase = PH_FAILED;
        r->timer = evtimer_new(w->t.base, on_timer, r);
    }
    w->init_seconds = swarm_now() - t0;
    pthread_barrier_wait(&barrier);
    w->enrol_start = swarm_now();
    enrol_next(w);
    if (w->in_flight)
        event_base_dispatch(w->t.base);
    else
        w->enrol_end = swarm_now();
    pthread_barrier_wait(&barrier); /* main sets t_run */
    pthread_barrier_wait(&barrier);
    for (size_t i = 0; i < w->n; i++) {
        swarm_router *r = w->rs[i];
        if (r->phase != PH_READY)
            continue;
        r->last_good = t_run;
        schedule(r, t_run + opt.period * (double)rand() / RAND_MAX);
    }
    struct timeval q = { (time_t)(opt.period / 4), (suseconds_t)(fmod(opt.period / 4, 1) * 1e6) };
    w->tick = event_new(w->t.base, -1, EV_PERSIST, on_tick, w);
    event_add(w->tick, &q);
    /* the steady phase, then one period to let the last rounds finish */
    double end = t_run + opt.duration;
    while (swarm_now() < end + opt.period) {
        if (swarm_now() >= end)
            stopping = 1;
        struct timeval tv = { 0, 200000 };
        event_base_loopexit(w->t.base, &tv);
        event_base_dispatch(w->t.base);
    }
    event_free(w->tick);
    return NULL;
}

/* ------------------------------------------------------------ the end check */

typedef struct {
    int done, status;
    json_t *routers;
} listing;

static void on_listing(void *arg, int status, json_t *rep)
{
    listing *l = arg;
    l->status = status;
    l->routers = json_incref(json_object_get(rep, "routers"));
    l->done = 1;
}

static const char *fault_name(swarm_fault f)
{
    return f == FAULT_BAD ? "bad" : f == FAULT_OFFLINE ? "offline" : f == FAULT_REPLAY ? "replay"
                                                                                       : "none";
}

static int usage(void)
{
    fprintf(stderr, "usage: qtpm-swarm ca DIR\n"
                    "       qtpm-swarm run --routers N --nms https://HOST:PORT --ca FILE "
                    "--vendor-ca DIR --image DIR [--prefix P] [--period S] [--duration S] "
                    "[--threads T] [--bad F] [--offline F] [--replay F] [--fault-at S] "
                    "[--operator-cert F --operator-key F] [--initial K] [--grow P] "
                    "[--enrol-concurrency C] [--warmup S] [--json FILE] [--seed N] "
                    "[--two-step 0|1]\n");
    return 2;
}

static int parse_args(int argc, char **argv)
{
    opt.threads = 1;
    opt.enrol_conc = 16;
    opt.initial = 8;
    opt.period = 2;
    opt.duration = 30;
    opt.grow = 0.05;
    opt.prefix = "/";
    opt.fault_at = -1;
    opt.warmup = -1;
    opt.seed = 1;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            return -1;
        i++;
        if (!strcmp(a, "--routers")) opt.routers = atoi(v);
        else if (!strcmp(a, "--threads")) opt.threads = atoi(v);
        else if (!strcmp(a, "--enrol-concurrency")) opt.enrol_conc = atoi(v);
        else if (!strcmp(a, "--initial")) opt.initial = atoi(v);
        else if (!strcmp(a, "--period")) opt.period = atof(v);
        else if (!strcmp(a, "--duration")) opt.duration = atof(v);
        else if (!strcmp(a, "--warmup")) opt.warmup = atof(v);
        else if (!strcmp(a, "--fault-at")) opt.fault_at = atof(v);
        else if (!strcmp(a, "--grow")) opt.grow = atof(v);
        else if (!strcmp(a, "--bad")) opt.bad = atof(v);
        else if (!strcmp(a, "--offline")) opt.offline = atof(v);
        else if (!strcmp(a, "--replay")) opt.replay = atof(v);
        else if (!strcmp(a, "--ca")) opt.ca = v;
        else if (!strcmp(a, "--vendor-ca")) opt.vendor_ca = v;
        else if (!strcmp(a, "--image")) opt.image = v;
        else if (!strcmp(a, "--prefix")) opt.prefix = v;
        else if (!strcmp(a, "--json")) opt.json = v;
        else if (!strcmp(a, "--operator-cert")) opt.op_cert = v;
        else if (!strcmp(a, "--operator-key")) opt.op_key = v;
        else if (!strcmp(a, "--seed")) opt.seed = (unsigned)atoi(v);
        else if (!strcmp(a, "--two-step")) opt.two_step = atoi(v) != 0;
        else if (!strcmp(a, "--nms")) {
            /* https://HOST:PORT[,PORT...]: several NMS workers, routers spread over them */
            static char host[128];
            int used = 0;
            if (sscanf(v, "https://%127[^:]:%n", host, &used) != 1 || !used)
                return -1;
            opt.host = host;
            for (const char *p = v + used; *p && opt.nports < 16;) {
                char *end;
                long port = strtol(p, &end, 10);
                if (end == p || port <= 0 || port > 65535 || (*end && *end != ','))
                    return -1;
                opt.ports[opt.nports++] = (int)port;
                p = *end ? end + 1 : end;
            }
            if (!opt.nports)
                return -1;
            opt.port = opt.ports[0];
        } else
            return -1;
    }
    if (opt.warmup < 0)
        opt.warmup = 2 * opt.period;
    if (opt.fault_at < 0)
        opt.fault_at = opt.duration / 3;
    if (opt.routers <= 0 || opt.threads <= 0 || opt.threads > 64 || opt.period <= 0 ||
        opt.duration <= 0 || !opt.host || !opt.ca || !opt.vendor_ca || !opt.image ||
        opt.enrol_conc <= 0 || opt.bad < 0 || opt.offline < 0 || opt.replay < 0 ||
        opt.bad + opt.offline + opt.replay > 1 || opt.grow < 0 || opt.grow > 1 ||
        (!opt.op_cert) != (!opt.op_key))
        return -1;
    return 0;
}

static json_t *lat_json(samples *s)
{
    qsort(s->v, s->n, sizeof *s->v, cmp_double);
    return json_pack("{s:I,s:f,s:f,s:f,s:f,s:f}", "count", (json_int_t)s->n, "p50", pct(s, 50),
                     "p90", pct(s, 90), "p99", pct(s, 99), "p999", pct(s, 99.9), "max",
                     s->n ? s->v[s->n - 1] : NAN);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && !strcmp(argv[1], "ca")) {
        qtpm_vendor_ca *ca;
        int rc = qtpm_vendor_ca_open(argv[2], &ca);
        if (rc != QTPM_OK) {
            fprintf(stderr, "qtpm-swarm: vendor CA in %s: %s\n", argv[2], qtpm_tss_strerror(rc));
            return 1;
        }
        qtpm_vendor_ca_free(ca);
        printf("%s/ca-cert.pem\n", argv[2]);
        return 0;
    }
    if (argc < 2 || strcmp(argv[1], "run") || parse_args(argc, argv) != 0)
        return usage();
    char err[256];
    int rc = qtpm_vendor_ca_open(opt.vendor_ca, &vendor);
    if (rc != QTPM_OK) {
        fprintf(stderr, "qtpm-swarm: vendor CA in %s: %s\n", opt.vendor_ca,
                qtpm_tss_strerror(rc));
        return 1;
    }
    if (load_image_dir(opt.image, "") != 0 || image.count == 0) {
        fprintf(stderr, "qtpm-swarm: cannot read the router image %s\n", opt.image);
        return 1;
    }
    sort_image();
    SSL_CTX *tls = swarm_tls_ctx(opt.ca, NULL, NULL, err, sizeof err);
    SSL_CTX *op = opt.op_cert ? swarm_tls_ctx(opt.ca, opt.op_cert, opt.op_key, err, sizeof err)
                              : NULL;
    if (!tls || (opt.op_cert && !op)) {
        fprintf(stderr, "qtpm-swarm: %s\n", err);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN); /* a connection the NMS closed is an error of that request */
    srand(opt.seed);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    wall_offset = (double)wall.tv_sec + (double)wall.tv_nsec / 1e9 - swarm_now();
    long rss0 = rss_kb();
    swarm_router *rs = calloc((size_t)opt.routers, sizeof *rs);
    worker *ws = calloc((size_t)opt.threads, sizeof *ws);
    if (!rs || !ws)
        return 1;
    /* Faults: the first routers of a shuffled order, disjoint. */
    unsigned *order = malloc((size_t)opt.routers * sizeof *order);
    for (int i = 0; i < opt.routers; i++)
        order[i] = (unsigned)i;
    for (int i = opt.routers - 1; i > 0; i--) {
        int j = rand() % (i + 1);
        unsigned t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int nb = (int)lround(opt.bad * opt.routers), no = (int)lround(opt.offline * opt.routers),
        nr = (int)lround(opt.replay * opt.routers);
    for (int k = 0; k < nb + no + nr && k < opt.routers; k++) {
        swarm_router *r = &rs[order[k]];
        r->fault = k < nb ? FAULT_BAD : k < nb + no ? FAULT_OFFLINE : FAULT_REPLAY;
    }
    free(order);
    for (int t = 0; t < opt.threads; t++) {
        worker *w = &ws[t];
        w->index = t;
        w->t.base = event_base_new();
        w->t.tls = tls;
        w->t.host = opt.host;
        w->t.port = opt.port;
        w->rs = calloc((size_t)opt.routers / (size_t)opt.threads + 1, sizeof *w->rs);
        w->seconds = (size_t)opt.duration + 2;
        w->per_second = calloc(w->seconds, sizeof *w->per_second);
        if (!w->t.base || !w->rs || !w->per_second)
            return 1;
        if (op)
            w->monitor = swarm_connect(w->t.base, op, opt.host, opt.port);
    }
    for (int i = 0; i < opt.routers; i++) {
        swarm_router *r = &rs[i];
        r->idx = (unsigned)i;
        r->port = opt.ports[i % opt.nports];
        snprintf(r->hostname, sizeof r->hostname, "swarm-%05d", i);
        worker *w = &ws[i % opt.threads];
        w->rs[w->n++] = r;
    }
    pthread_barrier_init(&barrier, NULL, (unsigned)opt.threads + 1);
    pthread_t *tids = calloc((size_t)opt.threads, sizeof *tids);
    for (int t = 0; t < opt.threads; t++)
        pthread_create(&tids[t], NULL, thread_main, &ws[t]);
    pthread_barrier_wait(&barrier); /* every TPM made */
    long rss_tpms = rss_kb();
    double init_wall = 0;
    for (int t = 0; t < opt.threads; t++)
        init_wall = fmax(init_wall, ws[t].init_seconds);
    printf("qtpm-swarm: %d TPMs made (ML-KEM-768 EK + certificate, ML-DSA-44 AK) in %.1f s, "
           "%.1f KiB each\n", opt.routers, init_wall,
           (double)(rss_tpms - rss0) / opt.routers);
    fflush(stdout);
    pthread_barrier_wait(&barrier); /* every router enrolled (or failed) */
    long rss_enrolled = rss_kb();
    double es = 1e300, ee = 0;
    size_t enrolled = 0, enrol_failed = 0;
    for (int t = 0; t < opt.threads; t++) {
        es = fmin(es, ws[t].enrol_start);
        ee = fmax(ee, ws[t].enrol_end);
        enrolled += ws[t].enrolled;
        enrol_failed += ws[t].enrol_failed;
    }
    printf("qtpm-swarm: %zu routers enrolled in %.1f s (%.0f/s), %zu failed\n", enrolled, ee - es,
           (double)enrolled / (ee - es), enrol_failed);
    fflush(stdout);
    t_run = swarm_now();
    for (int i = 0; i < opt.routers; i++)
        if (rs[i].fault)
            rs[i].fault_at = t_run + opt.fault_at + opt.period * (double)rand() / RAND_MAX;
    struct rusage ru0, ru1;
    getrusage(RUSAGE_SELF, &ru0);
    pthread_barrier_wait(&barrier); /* go */
    for (int t = 0; t < opt.threads; t++)
        pthread_join(tids[t], NULL);
    getrusage(RUSAGE_SELF, &ru1);
    long rss_end = rss_kb();

    /* The operator's listing of every router at the end, checked against the faults. */
    size_t good_ok = 0, good_wrong = 0, fault_ok = 0, fault_wrong = 0, unlisted = 0;
    listing l = { 0, 0, NULL };
    if (op) {
        /* The routers hang up first: requests still queued at an overloaded NMS are
         * then answered to nobody instead of ahead of the listing. */
        for (int t = 0; t < opt.threads; t++)
            for (size_t i = 0; i < ws[t].n; i++)
                swarm_router_disconnect(ws[t].rs[i]);
        struct event_base *b = ws[0].t.base;
        struct evhttp_connection *c = swarm_connect(b, op, opt.host, opt.port);
        if (c)
            evhttp_connection_set_timeout(c, 180);
        if (c && swarm_get(c, "/api/v1/routers", on_listing, &l) == 0)
            while (!l.done && event_base_loop(b, EVLOOP_ONCE) == 0)
                ;
        if (c)
            evhttp_connection_free(c);
        for (int i = 0; i < opt.routers; i++) {
            swarm_router *r = &rs[i];
            const char *state = NULL;
            size_t k;
            json_t *e;
            json_array_foreach(l.routers, k, e) {
                const char *id = json_string_value(json_object_get(e, "id"));
                if (id && !strcmp(id, r->id)) {
                    state = json_string_value(json_object_get(e, "state"));
                    break;
                }
            }
            if (!state)
                unlisted++;
            else if (!r->fault)
                *(!strcmp(state, "good") ? &good_ok : &good_wrong) += 1;
            else
                *(strcmp(state, "good") ? &fault_ok : &fault_wrong) += 1;
        }
    }

    /* Merge the threads' figures. */
    samples round = { 0 }, evid = { 0 };
    uint64_t attested = 0, verdicts[4] = { 0 }, late = 0, http_e = 0, tr_e = 0, oth_e = 0;
    uint64_t one_trip = 0, two_step = 0, fallbacks = 0;
    uint64_t tls_pq = 0, tls_classic = 0;
    const char *tls_group = "";
    double monitored_min = 1, honest_min = 1;
    json_t *per_second = json_array();
    for (size_t s = 0; s < ws[0].seconds; s++) {
        uint64_t c = 0;
        for (int t = 0; t < opt.threads; t++)
            c += ws[t].per_second[s];
        json_array_append_new(per_second, json_integer((json_int_t)c));
    }
    const char *last_error = "";
    for (int t = 0; t < opt.threads; t++) {
        worker *w = &ws[t];
        for (size_t i = 0; i < w->round_ms.n; i++)
            samples_add(&round, w->round_ms.v[i]);
        for (size_t i = 0; i < w->evidence_ms.n; i++)
            samples_add(&evid, w->evidence_ms.v[i]);
        attested += w->attested;
        for (int k = 0; k < 4; k++)
            verdicts[k] += w->verdicts[k];
        late += w->late;
        one_trip += w->one_trip;
        two_step += w->two_step;
        fallbacks += w->fallbacks;
        http_e += w->http_errors;
        tr_e += w->transport_errors;
        oth_e += w->other_errors;
        tls_pq += w->t.tls_pq;
        tls_classic += w->t.tls_classic;
        if (w->t.tls_group[0])
            tls_group = w->t.tls_group;
        if (w->monitor_samples && w->monitored_min < monitored_min)
            monitored_min = w->monitored_min;
        if (w->monitor_samples && w->honest_min < honest_min)
            honest_min = w->honest_min;
        if (w->last_error[0])
            last_error = w->last_error;
    }
    double window = opt.duration - opt.warmup;
    json_t *faults = json_object();
    size_t injected = 0, caught2 = 0, caught_any = 0;
    for (int f = FAULT_BAD; f <= FAULT_REPLAY; f++) {
        size_t n = 0, c2 = 0, c = 0;
        samples d = { 0 };
        for (int i = 0; i < opt.routers; i++) {
            swarm_router *r = &rs[i];
            if ((int)r->fault != f || r->phase == PH_FAILED)
                continue;
            n++;
            if (r->fault_seen) {
                double dt = r->fault_seen - r->fault_at;
                samples_add(&d, dt);
                c++;
                if (dt <= 2 * opt.period)
                    c2++;
            }
        }
        injected += n;
        caught2 += c2;
        caught_any += c;
        json_t *lj = lat_json(&d);
        json_object_set_new(faults, fault_name((swarm_fault)f),
                            json_pack("{s:I,s:I,s:I,s:o}", "injected", (json_int_t)n, "caught",
                                      (json_int_t)c, "caught_within_2_periods", (json_int_t)c2,
                                      "detection_s", lj));
        free(d.v);
    }
    double rate = attested / window;
    double user = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                  (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6;
    double sys = (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                 (double)(ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6;
    json_t *out = json_pack(
        "{s:i,s:i,s:f,s:f,s:f,s:{s:f,s:I,s:I,s:f,s:f},"
        "s:{s:I,s:f,s:f,s:{s:I,s:I,s:I,s:I},s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:s},"
        "s:o,s:{s:I,s:I,s:f,s:f,s:f},s:{s:I,s:I,s:I,s:I,s:I},"
        "s:{s:f,s:f,s:f,s:f},s:{s:f,s:f,s:f}}",
        "routers", opt.routers, "threads", opt.threads, "period_s", opt.period, "duration_s",
        opt.duration, "warmup_s", opt.warmup,
        "enrolment", "tpm_init_s", init_wall, "enrolled", (json_int_t)enrolled, "failed",
        (json_int_t)enrol_failed, "seconds", ee - es, "routers_per_s",
        (double)enrolled / (ee - es),
        "steady", "attestations", (json_int_t)attested, "window_s", window,
        "attestations_per_s", rate, "verdicts", "good", (json_int_t)verdicts[0], "unknown",
        (json_int_t)verdicts[1], "bad", (json_int_t)verdicts[2], "other",
        (json_int_t)verdicts[3], "late_rounds", (json_int_t)late, "http_errors",
        (json_int_t)http_e, "transport_errors", (json_int_t)tr_e, "other_errors",
        (json_int_t)oth_e, "round_ms", lat_json(&round), "evidence_ms", lat_json(&evid),
        "per_second", per_second, "last_error", last_error,
        "faults", faults,
        "kpi", "injected", (json_int_t)injected, "caught_within_2_periods", (json_int_t)caught2,
        "monitored_min_fraction", monitored_min, "honest_monitored_min_fraction", honest_min,
        "hiding_fraction",
        injected ? (double)(injected - caught2) / (double)injected : 0.0,
        "end_states", "good_and_good", (json_int_t)good_ok, "good_but_not_good",
        (json_int_t)good_wrong, "faulty_and_not_good", (json_int_t)fault_ok,
        "faulty_but_good", (json_int_t)fault_wrong, "unlisted", (json_int_t)unlisted,
        "swarm_memory", "rss_start_kib", (double)rss0, "per_router_tpm_kib",
        (double)(rss_tpms - rss0) / opt.routers, "per_router_enrolled_kib",
        (double)(rss_enrolled - rss0) / opt.routers, "per_router_end_kib",
        (double)(rss_end - rss0) / opt.routers,
        "swarm_cpu", "user_s", user, "sys_s", sys, "per_attestation_ms",
        attested ? (user + sys) / (double)attested * 1e3 : 0.0);
    printf("qtpm-swarm: %" PRIu64 " attestations in %.0f s: %.0f/s; round p50 %.1f ms p99 %.1f "
           "ms; verdicts good %" PRIu64 " unknown %" PRIu64 " bad %" PRIu64 "; late %" PRIu64
           "; errors http %" PRIu64 " transport %" PRIu64 " other %" PRIu64 "\n",
           attested, window, rate, pct(&round, 50), pct(&round, 99), verdicts[0], verdicts[1],
           verdicts[2], late, http_e, tr_e, oth_e);
    printf("qtpm-swarm: faults injected %zu, caught %zu, within 2 periods %zu; monitored min "
           "%.2f %% (routers without a fault %.2f %%); end states: good %zu, good-but-not %zu, faulty-caught %zu, faulty-good %zu, "
           "unlisted %zu\n",
           injected, caught_any, caught2, 100 * monitored_min, 100 * honest_min, good_ok, good_wrong, fault_ok,
           fault_wrong, unlisted);
    json_object_set_new(out, "flow",
                        json_pack("{s:s,s:I,s:I,s:I}", "mode",
                                  opt.two_step ? "two-step" : "next-challenge",
                                  "one_trip_rounds", (json_int_t)one_trip, "two_step_rounds",
                                  (json_int_t)two_step, "fallbacks", (json_int_t)fallbacks));
    printf("qtpm-swarm: rounds in one trip %" PRIu64 ", with /challenge %" PRIu64
           ", fallbacks to /challenge %" PRIu64 "\n", one_trip, two_step, fallbacks);
    json_object_set_new(out, "tls",
                        json_pack("{s:s,s:I,s:I}", "group", tls_group,
                                  "post_quantum_connections", (json_int_t)tls_pq,
                                  "classic_connections", (json_int_t)tls_classic));
    printf("qtpm-swarm: TLS: %" PRIu64 " router connections with a post-quantum group (%s), %"
           PRIu64 " classic\n", tls_pq, tls_group[0] ? tls_group : "none", tls_classic);
    if (last_error[0])
        printf("qtpm-swarm: last error: %s\n", last_error);
    if (opt.json && out) {
        if (json_dump_file(out, opt.json, JSON_INDENT(1)) != 0)
            fprintf(stderr, "qtpm-swarm: cannot write %s\n", opt.json);
    }
    int ok = enrol_failed == 0 && http_e == 0 && tr_e == 0 && oth_e == 0 && tls_classic == 0 &&
             tls_pq > 0 &&
             caught2 == injected && (!op || (good_wrong == 0 && fault_wrong == 0 && !unlisted));
    json_decref(out);
    json_decref(l.routers);
    for (int t = 0; t < opt.threads; t++) {
        for (size_t i = 0; i < ws[t].n; i++) {
            swarm_router *r = ws[t].rs[i];
            if (r->timer)
                event_free(r->timer);
            swarm_router_disconnect(r);
            swarm_router_free(r);
        }
        if (ws[t].monitor)
            evhttp_connection_free(ws[t].monitor);
        event_base_free(ws[t].t.base);
        free(ws[t].rs);
        free(ws[t].per_second);
        free(ws[t].round_ms.v);
        free(ws[t].evidence_ms.v);
    }
    free(round.v);
    free(evid.v);
    free(ws);
    free(rs);
    free(tids);
    SSL_CTX_free(tls);
    SSL_CTX_free(op);
    qtpm_vendor_ca_free(vendor);
    return ok ? 0 : 1;
}
