/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scale_driver.c — the load of the nms_scale test (docs/SCALE.md): many routers, each a
 * real client of REST API v1, attesting against a set of verifier workers.
 *
 *   scale_driver --ca-dir D --vendor-pem F
 *       Creates (or opens) a vendor CA in D and writes its certificate to F, for
 *       `qtpm-nms vendor import`.
 *   scale_driver --ca-dir D --cacert OPCA --urls URL[,URL...] --routers N --threads T
 *                --period S --seconds D --out CSV
 *       T threads, each with an in-process qtpm TPM ("engine:" TCTI, its own seeds) and
 *       one HTTPS connection pool (libcurl). Router i gets its own EK (ECC P-256, the EK
 *       template with i in its unique field) certified by the vendor CA, and its own AK
 *       (a restricted ECDSA primary, likewise), and enrols through POST /enrol and
 *       ActivateCredential + POST /enrol/<id>/activate at URL i mod |URLs|. Then, for D
 *       seconds, every router attests once a period: POST /challenge, TPM2_Quote of PCR 10
 *       over the nonce, POST /evidence with its one IMA entry (from_index as the
 *       challenge says). Redirects (307 from a worker that does not hold the router) are
 *       followed; a worker that cannot be reached makes the router try the next URL 1 s
 *       later. Nothing is faked: every verdict is the NMS's answer to TPM-signed evidence.
 *       The CSV has one line per router: id, successful rounds, failed rounds, longest
 *       gap between successes (ms, the start of the phase counting as one), last success
 *       (unix ms). The last stdout line sums it up; exit 1 if an enrolment failed.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "qtpm/attest.h"
#include "qtpm/manufacture.h"
#include "qtpm/marshal.h"
#include "qtpm/tss.h"
#include "qtpm/tss_cmd.h"
#include "qtpm/tss_tasks.h"

#define MAX_URLS 8
#define MAX_THREADS 32

struct router {
    char id[64];
    uint32_t idx;
    int url; /* index into urls: where this router sends its requests */
    int64_t next_due, last_ok, max_gap;
    int ok, fail, lost;
};

struct worker_thread {
    pthread_t th;
    int k;
    qtpm_tss *t;
    CURL *c;
    uint8_t *log; /* the one IMA entry every router of this TPM has measured */
    size_t log_len;
    char pcr10[65];
    int enrol_failed, enrol_done;
    long redirects, transport, lease_lost, other;
    int64_t suspect_until[MAX_URLS]; /* a worker that just failed to answer: avoid it */
};

static const char *cacert;
static char *urls[MAX_URLS];
static int nurls, nrouters, nthreads = 4;
static double period = 5, seconds = 20;
static struct router *routers;
static qtpm_vendor_ca *vendor;
static qtpm_tpm_identity tpm_id;
static pthread_mutex_t ca_lock = PTHREAD_MUTEX_INITIALIZER;
static int64_t phase_start, phase_end;

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct buf {
    char *p;
    size_t n;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *ctx)
{
    struct buf *b = ctx;
    size_t add = sz * nm;
    if (b->n + add > (1u << 20))
        return 0;
    char *np = realloc(b->p, b->n + add + 1);
    if (!np)
        return 0;
    memcpy(np + b->n, d, add);
    b->p = np;
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

static int url_index(const char *url)
{
    for (int i = 0; i < nurls; i++)
        if (!strncmp(url, urls[i], strlen(urls[i])))
            return i;
    return -1;
}

/* One POST; the HTTP status (0: no answer) and, for a redirect, its target. */
static long post_once(struct worker_thread *w, const char *url, const char *text,
                      struct buf *b, char *location, size_t loclen)
{
    long status = 0;
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    location[0] = '\0';
    if (!h)
        return 0;
    curl_easy_setopt(w->c, CURLOPT_URL, url);
    curl_easy_setopt(w->c, CURLOPT_CAINFO, cacert);
    curl_easy_setopt(w->c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(w->c, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(w->c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(w->c, CURLOPT_WRITEDATA, b);
    curl_easy_setopt(w->c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
    /* A worker that stops answering (stalled, or gone without a reset) costs 2 s. */
    curl_easy_setopt(w->c, CURLOPT_TIMEOUT_MS, __atomic_load_n(&phase_start, __ATOMIC_ACQUIRE)
                                                   ? 2000L : 20000L);
    curl_easy_setopt(w->c, CURLOPT_NOSIGNAL, 1L);
    if (curl_easy_perform(w->c) == CURLE_OK) {
        char *loc = NULL;
        curl_easy_getinfo(w->c, CURLINFO_RESPONSE_CODE, &status);
        if (status == 307 && curl_easy_getinfo(w->c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK &&
            loc)
            snprintf(location, loclen, "%s", loc);
    }
    curl_slist_free_all(h);
    return status;
}

/* POSTs body to base + path, following a 307 to the router's worker (unless that worker
 * just failed to answer: then the caller retries shortly); the HTTP status (0: the
 * worker could not be reached — it is avoided for 2 s). */
static long post_at(struct worker_thread *w, const char *base, const char *path,
                    json_t *body, json_t **reply, int *answered_by)
{
    char url[1024], loc[1024];
    snprintf(url, sizeof url, "%s%s", base, path);
    char *text = json_dumps(body, JSON_COMPACT);
    struct buf b = {0};
    long status = 0;
    *reply = NULL;
    for (int hop = 0; text && hop < 3; hop++) {
        free(b.p);
        b.p = NULL;
        b.n = 0;
        status = post_once(w, url, text, &b, loc, sizeof loc);
        int ui = url_index(url);
        if (status && answered_by)
            *answered_by = ui;
        if (status == 0 && ui >= 0)
            w->suspect_until[ui] = now_ms() + 2000;
        if (status != 307 || !loc[0])
            break;
        w->redirects++;
        int li = url_index(loc);
        if (li >= 0 && w->suspect_until[li] > now_ms()) {
            status = 503; /* its worker is not answering: retry soon */
            break;
        }
        snprintf(url, sizeof url, "%s", loc);
    }
    if (b.p)
        *reply = json_loads(b.p, 0, NULL);
    free(b.p);
    free(text);
    return status;
}

static long post(struct worker_thread *w, const char *base, const char *path, json_t *body,
                 json_t **reply)
{
    return post_at(w, base, path, body, reply, NULL);
}

/* After a failure: the next worker that is not being avoided. */
static void next_url(struct worker_thread *w, struct router *r)
{
    int64_t t = now_ms();
    for (int k = 1; k <= nurls; k++) {
        int u = (r->url + k) % nurls;
        if (w->suspect_until[u] <= t) {
            r->url = u;
            return;
        }
    }
}

static char *b64(const uint8_t *d, size_t n)
{
    char *s = malloc((n + 2) / 3 * 4 + 1);
    if (s)
        EVP_EncodeBlock((unsigned char *)s, d, (int)n);
    return s;
}

static int unb64(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n % 4 || n / 4 * 3 > cap)
        return -1;
    int l = EVP_DecodeBlock(out, (const unsigned char *)s, (int)n);
    if (l < 0)
        return -1;
    if (s[n - 1] == '=')
        l -= s[n - 2] == '=' ? 2 : 1;
    *len = (size_t)l;
    return 0;
}

static char *pub_b64(const TPM2B_PUBLIC *p)
{
    uint8_t b[sizeof *p + 2];
    size_t off = 0;
    if (qtpm_TPM2B_PUBLIC_marshal(p, b, sizeof b, &off) != TPM_RC_SUCCESS)
        return NULL;
    return b64(b, off);
}

/* Router idx's EK or AK: a primary in the endorsement hierarchy whose template carries
 * idx in its unique field, so each router has keys of its own and the same ones each
 * time they are re-created. */
static int router_key(qtpm_tss *t, uint32_t idx, int ak, qtpm_tss_key *key)
{
    TPM2B_PUBLIC in;
    memset(&in, 0, sizeof in);
    int rc = ak ? qtpm_tss_template_ak(TPM_ALG_ECC, &in.publicArea)
                : qtpm_tss_template_ek(TPM_ALG_ECC, &in.publicArea);
    if (rc)
        return rc;
    TPM2B_ECC_PARAMETER *x = &in.publicArea.unique.ecc.x;
    if (x->size < 8)
        x->size = 8;
    for (int i = 0; i < 4; i++)
        x->buffer[i] = (uint8_t)(idx >> (8 * i));
    x->buffer[4] = ak ? 'A' : 'E';
    qtpm_tss_auths a = {1, {{NULL, NULL}}};
    return qtpm_tss_CreatePrimary(t, &a, TPM_RH_ENDORSEMENT, NULL, &in, NULL, NULL, &key->handle,
                                  &key->pub, NULL, NULL, NULL, &key->name);
}

static int enrol(struct worker_thread *w, struct router *r)
{
    qtpm_tss_key ek, ak;
    uint8_t *cert = NULL;
    size_t cert_len = 0;
    json_t *reply = NULL, *reply2 = NULL, *req = NULL;
    int rc = -1, have_ek = 0, have_ak = 0;
    const char *base = urls[r->url];
    if (router_key(w->t, r->idx, 0, &ek))
        goto out;
    have_ek = 1;
    if (router_key(w->t, r->idx, 1, &ak))
        goto out;
    have_ak = 1;
    pthread_mutex_lock(&ca_lock);
    int crc = qtpm_ek_cert_build(vendor, &ek.pub.publicArea, &tpm_id, &cert, &cert_len);
    pthread_mutex_unlock(&ca_lock);
    if (crc)
        goto out;
    char host[32];
    snprintf(host, sizeof host, "scale-%u", (unsigned)r->idx);
    char *c64 = b64(cert, cert_len), *e64 = pub_b64(&ek.pub), *a64 = pub_b64(&ak.pub);
    req = json_pack("{s:s,s:s?,s:s?,s:s?}", "hostname", host, "ek_cert", c64, "ek_pub", e64,
                    "ak_pub", a64);
    free(c64);
    free(e64);
    free(a64);
    if (post(w, base, "/api/v1/enrol", req, &reply) != 201)
        goto out;
    TPM2B_ID_OBJECT blob;
    TPM2B_ENCRYPTED_SECRET secret;
    uint8_t raw[2048];
    size_t len = 0, off = 0;
    const char *eid = json_string_value(json_object_get(reply, "enrolment"));
    if (!eid || unb64(json_string_value(json_object_get(reply, "credential_blob")), raw,
                      sizeof raw, &len) ||
        qtpm_TPM2B_ID_OBJECT_unmarshal(&blob, raw, len, &off) != TPM_RC_SUCCESS)
        goto out;
    off = 0;
    if (unb64(json_string_value(json_object_get(reply, "secret")), raw, sizeof raw, &len) ||
        qtpm_TPM2B_ENCRYPTED_SECRET_unmarshal(&secret, raw, len, &off) != TPM_RC_SUCCESS)
        goto out;
    TPM2B_DIGEST cred = {0};
    if (qtpm_tss_activate_credential(w->t, &ak, NULL, &ek, NULL, &blob, &secret, &cred) ||
        cred.size != 32)
        goto out;
    char hex[65], path[128];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", cred.buffer[i]);
    json_decref(req);
    req = json_pack("{s:s}", "credential", hex);
    snprintf(path, sizeof path, "/api/v1/enrol/%s/activate", eid);
    if (post(w, base, path, req, &reply2) != 200)
        goto out;
    const char *id = json_string_value(json_object_get(reply2, "router"));
    if (!id || strlen(id) >= sizeof r->id)
        goto out;
    snprintf(r->id, sizeof r->id, "%s", id);
    rc = 0;
out:
    if (have_ek)
        qtpm_tss_FlushContext(w->t, ek.handle);
    if (have_ak)
        qtpm_tss_FlushContext(w->t, ak.handle);
    free(cert);
    json_decref(req);
    json_decref(reply);
    json_decref(reply2);
    return rc;
}

/* One attestation round of r; 0 when the NMS answered the evidence with a verdict. */
static int attest(struct worker_thread *w, struct router *r)
{
    char path[160];
    json_t *empty = json_object(), *reply = NULL, *req = NULL, *r2 = NULL;
    int rc = -1;
    const char *base = urls[r->url];
    snprintf(path, sizeof path, "/api/v1/routers/%s/challenge", r->id);
    int by = -1;
    long s = post_at(w, base, path, empty, &reply, &by);
    /* A router remembers the worker that answered (after a redirect: its lease holder)
     * and goes there directly next time, as a client of a load balancer would stick. */
    if (s == 200 && by >= 0) {
        r->url = by;
        base = urls[by];
    }
    json_decref(empty);
    const char *nonce_hex = json_string_value(json_object_get(reply, "nonce"));
    json_t *fi = json_object_get(reply, "from_index");
    if (s != 200 || !nonce_hex || strlen(nonce_hex) != 64 || !json_is_integer(fi)) {
        if (s == 0) {
            w->transport++;
            next_url(w, r); /* that worker is gone or stalled: try another */
        } else if (s == 503)
            w->transport++; /* the router's worker is not answering */
        else
            w->other++;
        goto out;
    }
    int64_t from = json_integer_value(fi);
    TPM2B_DATA nonce = {.size = 32};
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(nonce_hex + 2 * i, "%2x", &v) != 1)
            goto out;
        nonce.buffer[i] = (uint8_t)v;
    }
    TPML_PCR_SELECTION sel;
    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = TPM_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[1] = 1u << 2; /* PCR 10 */
    qtpm_tss_key ak;
    TPM2B_ATTEST quote;
    TPMT_SIGNATURE sig;
    if (router_key(w->t, r->idx, 1, &ak))
        goto out;
    int qrc = qtpm_tss_quote(w->t, &ak, NULL, &nonce, &sel, &quote, &sig);
    qtpm_tss_FlushContext(w->t, ak.handle);
    if (qrc)
        goto out;
    uint8_t qb[sizeof quote + 2], sb[sizeof sig + 2];
    size_t qo = 0, so = 0;
    qtpm_TPM2B_ATTEST_marshal(&quote, qb, sizeof qb, &qo);
    qtpm_TPMT_SIGNATURE_marshal(&sig, sb, sizeof sb, &so);
    char *q64 = b64(qb, qo), *s64 = b64(sb, so);
    char *l64 = from == 0 ? b64(w->log, w->log_len) : strdup("");
    req = json_pack("{s:s,s:s?,s:s?,s:{s:{s:s}},s:i,s:{s:s,s:I,s:s?}}", "nonce", nonce_hex,
                    "quote", q64, "signature", s64, "pcr_values", "sha256", "10", w->pcr10,
                    "uptime", 1, "log", "format", "ima-binary", "from_index", (json_int_t)from,
                    "entries", l64);
    free(q64);
    free(s64);
    free(l64);
    snprintf(path, sizeof path, "/api/v1/routers/%s/evidence", r->id);
    s = post(w, base, path, req, &r2);
    if (s == 200 && json_string_value(json_object_get(r2, "verdict")))
        rc = 0;
    else if (s == 409)
        w->lease_lost++, r->lost++;
    else if (s == 0 || s == 503) {
        w->transport++;
        if (s == 0)
            next_url(w, r);
    } else {
        w->other++;
        if (getenv("SCALE_DEBUG"))
            fprintf(stderr, "evidence %s: %ld %s\n", r->id, s,
                    json_string_value(json_object_get(r2, "message")));
    }
out:
    json_decref(req);
    json_decref(reply);
    json_decref(r2);
    return rc;
}

static void *run(void *arg)
{
    struct worker_thread *w = arg;
    /* Each router attests once right after its enrolment and then once a period, so
     * none is silent for long while the others enrol. */
    for (int i = w->k; i < nrouters; i += nthreads) {
        struct router *r = &routers[i];
        if (enrol(w, r)) {
            fprintf(stderr, "scale_driver: enrolment of router %d failed\n", i);
            w->enrol_failed++;
        } else {
            int ok = attest(w, r) == 0;
            r->next_due = now_ms() + (ok ? (int64_t)(period * 1000) : 300);
        }
        __atomic_add_fetch(&w->enrol_done, 1, __ATOMIC_RELEASE);
        /* Rounds of the routers enrolled so far that fell due meanwhile. */
        for (int j = w->k; j < i; j += nthreads)
            if (routers[j].id[0] && routers[j].next_due <= now_ms())
                routers[j].next_due = now_ms() + (attest(w, &routers[j]) == 0
                                                      ? (int64_t)(period * 1000) : 300);
    }
    /* The measured phase starts when every router is enrolled (the main thread sets it). */
    while (!__atomic_load_n(&phase_start, __ATOMIC_ACQUIRE))
        usleep(10000);
    for (;;) {
        int64_t t = now_ms();
        if (t >= phase_end)
            break;
        struct router *next = NULL;
        for (int i = w->k; i < nrouters; i += nthreads)
            if (routers[i].id[0] && (!next || routers[i].next_due < next->next_due))
                next = &routers[i];
        if (!next)
            break;
        if (next->next_due > t) {
            int64_t d = next->next_due - t;
            usleep((useconds_t)(d > 100 ? 100 : d) * 1000);
            continue;
        }
        if (attest(w, next) == 0) {
            int64_t done = now_ms(), prev = next->last_ok ? next->last_ok : phase_start;
            if (done - prev > next->max_gap)
                next->max_gap = done - prev;
            next->last_ok = done;
            next->ok++;
            next->next_due = next->next_due + (int64_t)(period * 1000);
            if (next->next_due < done)
                next->next_due = done + (int64_t)(period * 1000);
        } else {
            next->fail++;
            /* A second before the next try: a worker that died or stalls is replaced
             * within a lease, and quicker retries would only load the live one. */
            next->next_due = now_ms() + 1000;
        }
    }
    return NULL;
}

static int thread_setup(struct worker_thread *w)
{
    if (qtpm_tss_new("engine:", &w->t))
        return -1;
    qtpm_tss_Startup(w->t, TPM_SU_CLEAR);
    if (w->k == 0 && qtpm_tpm_identity_read(w->t, &tpm_id))
        return -1;
    /* One ima-ng entry, extended into PCR 10 as the kernel does (SHA-1 and SHA-256). */
    uint8_t fd[32];
    SHA256((const unsigned char *)"hello", 5, fd);
    qtpm_ima_entry e;
    if (qtpm_ima_entry_ng(10, TPM_ALG_SHA256, fd, 32, "/bin/app", &e) != QTPM_ATTEST_OK)
        return -1;
    TPML_DIGEST_VALUES dv;
    memset(&dv, 0, sizeof dv);
    size_t l1 = 0, l2 = 0;
    dv.count = 2;
    dv.digests[0].hashAlg = TPM_ALG_SHA1;
    dv.digests[1].hashAlg = TPM_ALG_SHA256;
    int erc = qtpm_ima_extend_value(&e, TPM_ALG_SHA1, dv.digests[0].digest.sha1, &l1) ||
              qtpm_ima_extend_value(&e, TPM_ALG_SHA256, dv.digests[1].digest.sha256, &l2) ||
              qtpm_ima_serialize_binary(&e, &w->log, &w->log_len);
    qtpm_ima_entry_free(&e);
    if (erc || qtpm_tss_PCR_Extend(w->t, NULL, 10, &dv))
        return -1;
    TPML_PCR_SELECTION sel;
    memset(&sel, 0, sizeof sel);
    sel.count = 1;
    sel.pcrSelections[0].hash = TPM_ALG_SHA256;
    sel.pcrSelections[0].sizeofSelect = 3;
    sel.pcrSelections[0].pcrSelect[1] = 1u << 2;
    TPM2B_DIGEST p10;
    size_t n = 0;
    if (qtpm_tss_pcr_read_all(w->t, &sel, &p10, 1, &n) || n != 1)
        return -1;
    for (int i = 0; i < 32; i++)
        snprintf(w->pcr10 + 2 * i, 3, "%02x", p10.buffer[i]);
    w->c = curl_easy_init();
    return w->c ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *ca_dir = NULL, *vendor_pem = NULL, *out = NULL, *url_list = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--ca-dir"))
            ca_dir = argv[i + 1];
        else if (!strcmp(argv[i], "--vendor-pem"))
            vendor_pem = argv[i + 1];
        else if (!strcmp(argv[i], "--cacert"))
            cacert = argv[i + 1];
        else if (!strcmp(argv[i], "--urls"))
            url_list = argv[i + 1];
        else if (!strcmp(argv[i], "--routers"))
            nrouters = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            nthreads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--period"))
            period = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--seconds"))
            seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--out"))
            out = argv[i + 1];
        else {
            fprintf(stderr, "scale_driver: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (!ca_dir || qtpm_vendor_ca_open(ca_dir, &vendor)) {
        fprintf(stderr, "scale_driver: need --ca-dir (a vendor CA directory)\n");
        return 2;
    }
    if (vendor_pem) {
        int rc = qtpm_vendor_ca_export(vendor, vendor_pem);
        qtpm_vendor_ca_free(vendor);
        return rc ? 1 : 0;
    }
    if (!cacert || !url_list || !out || nrouters < 1 || nrouters > 100000 || nthreads < 1 ||
        nthreads > MAX_THREADS || period <= 0 || seconds <= 0 || seconds > 3600) {
        fprintf(stderr, "usage: scale_driver --ca-dir D --cacert F --urls U[,U] --routers N "
                        "--threads T --period S --seconds D --out CSV\n");
        return 2;
    }
    char *list = strdup(url_list);
    for (char *p = strtok(list, ","); p && nurls < MAX_URLS; p = strtok(NULL, ","))
        urls[nurls++] = p;
    routers = calloc((size_t)nrouters, sizeof *routers);
    if (!routers || nurls == 0)
        return 1;
    for (int i = 0; i < nrouters; i++) {
        routers[i].idx = (uint32_t)i;
        routers[i].url = i % nurls;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    static struct worker_thread th[MAX_THREADS];
    for (int k = 0; k < nthreads; k++) {
        th[k].k = k;
        if (thread_setup(&th[k])) {
            fprintf(stderr, "scale_driver: TPM set-up failed\n");
            return 1;
        }
    }
    int64_t t0 = now_ms();
    for (int k = 0; k < nthreads; k++)
        pthread_create(&th[k].th, NULL, run, &th[k]);
    /* Enrolment first: the phase starts when every router is enrolled (or failed). */
    int enrolled = 0;
    for (int tries = 0; tries < 6000; tries++) { /* at most 5 minutes */
        int finished = 0;
        for (int k = 0; k < nthreads; k++)
            finished += __atomic_load_n(&th[k].enrol_done, __ATOMIC_ACQUIRE);
        if (finished >= nrouters)
            break;
        usleep(50000);
    }
    for (int i = 0; i < nrouters; i++)
        enrolled += routers[i].id[0] != 0;
    int64_t start = now_ms();
    fprintf(stderr, "scale_driver: %d routers enrolled in %.1f s\n", enrolled,
            (double)(start - t0) / 1000);
    phase_end = start + (int64_t)(seconds * 1000);
    printf("phase_start_ms=%lld\n", (long long)start);
    fflush(stdout);
    __atomic_store_n(&phase_start, start, __ATOMIC_RELEASE);
    long redirects = 0, transport = 0, lost = 0, other = 0, ef = 0;
    for (int k = 0; k < nthreads; k++) {
        pthread_join(th[k].th, NULL);
        redirects += th[k].redirects;
        transport += th[k].transport;
        lost += th[k].lease_lost;
        other += th[k].other;
        ef += th[k].enrol_failed;
        curl_easy_cleanup(th[k].c);
        qtpm_tss_free(th[k].t);
        free(th[k].log);
    }
    FILE *f = fopen(out, "w");
    long ok = 0, fail = 0;
    int64_t max_gap = 0;
    for (int i = 0; f && i < nrouters; i++) {
        struct router *r = &routers[i];
        int64_t gap = r->max_gap, tail = phase_end - (r->last_ok ? r->last_ok : start);
        if (tail > gap)
            gap = tail; /* silence at the end counts too */
        fprintf(f, "%s,%d,%d,%lld,%lld\n", r->id[0] ? r->id : "-", r->ok, r->fail,
                (long long)gap, (long long)r->last_ok);
        ok += r->ok;
        fail += r->fail;
        if (gap > max_gap)
            max_gap = gap;
    }
    if (f)
        fclose(f);
    printf("routers=%d enrolled=%d rounds_ok=%ld rounds_failed=%ld redirects=%ld "
           "unreachable=%ld lease_lost=%ld other=%ld max_gap_ms=%lld rate=%.1f/s\n",
           nrouters, enrolled, ok, fail, redirects, transport, lost, other,
           (long long)max_gap, (double)ok / seconds);
    free(list);
    free(routers);
    qtpm_vendor_ca_free(vendor);
    curl_global_cleanup();
    return ef || !f ? 1 : 0;
}
