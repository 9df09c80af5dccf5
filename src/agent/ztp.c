/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ztp.c — the router's first boot by secure zero-touch provisioning (RFC 8572; docs/ZTP.md).
 *
 *   qtpm-agent serial -c CONF
 *   qtpm-agent bootstrap -c CONF --ztp-url URL --vendor-ca PEM --vendor-mldsa PUB
 *                        [--bootstrap-ca PEM]
 *
 * The router knows only what the vendor put in it: the vendor's voucher CA and ML-DSA-65 key
 * (its trust anchors) and its TPM's EK certificate, whose SHA-256 is its serial number. It
 *
 *   1. asks the bootstrap server (RFC 8572 §7 get-bootstrapping-data, HTTP Basic user = its
 *      serial) for its bootstrapping data; the server is untrusted (§5.1): what it conveys
 *      is signed;
 *   2. verifies the ownership voucher (vendor's CMS + CRL, vendor's ML-DSA-65, its own serial
 *      number, not expired), the owner certificate against the voucher's pinned-domain-cert,
 *      and the onboarding information signed by the owner (CMS + ML-DSA-65) — libqtpm-ztp;
 *   3. lays the configuration files it was sent over its image, measures the image (PCR 10
 *      and its IMA list) and requires the measured image to be the one the owner signed (the
 *      boot image digest over the list's paths and file digests), so a router changed
 *      before enrolment never enrols;
 *   4. seals the configuration files with the TPM's HMAC key (confint.c), then enrols
 *      (EK → AK → TLS key, flows.c), attests and brings the mutual-TLS channel up;
 *   5. commits: every file it wrote since 3 is made durable in one pass (agent.h, the
 *      deferred group), then nms and ca go into CONF (atomic rename, directory fsync):
 *      the router is trusted and provisioned. Progress is reported to the bootstrap server.
 *
 * Crash safety: CONF naming the NMS is the commit point. Killed or powered off before it,
 * the router is not provisioned and the next bootstrap does it all again (the AK of the
 * interrupted attempt, durable before the NMS heard of it, is used again); after it, every
 * file is durable. tests/ztp/ztp_crash.sh kills the agent at random points.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/pem.h>

#include "agent.h"
#include "confint.h"
#include "qtpm/ztp.h"

#define OPS "/restconf/operations/ietf-sztp-bootstrap-server:"

typedef struct {
    const char *url, *bootstrap_ca;
    char serial[65];
    CURL *curl; /* one handle: every RPC after the first reuses its TLS connection */
} ztp_client;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* POSTs body to the bootstrap server's RPC; *status is the HTTP status, *out the reply. */
static int ztp_post(const ztp_client *z, const char *rpc, const char *body, long *status,
                    agent_reply *out, char *err, size_t errlen)
{
    char url[1024], user[80];
    snprintf(url, sizeof url, "%s" OPS "%s", z->url, rpc);
    snprintf(user, sizeof user, "%s:", z->serial);
    CURL *c = z->curl;
    if (c)
        curl_easy_reset(c); /* options only: the connection cache stays */
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/yang-data+json");
    h = h ? curl_slist_append(h, "Accept: application/yang-data+json") : NULL;
    memset(out, 0, sizeof *out);
    if (!c || !h) {
        curl_slist_free_all(h);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_USERPWD, user);
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
    if (z->bootstrap_ca) {
        curl_easy_setopt(c, CURLOPT_CAINFO, z->bootstrap_ca);
    } else {
        /* RFC 8572 §5.1: a device may use an untrusted bootstrap server when, as here, it
         * accepts only signed data; the server's identity adds nothing we rely on. */
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, agent_reply_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    if (rc != CURLE_OK || out->overflow) {
        snprintf(err, errlen, "bootstrap server %s: %s", z->url,
                 out->overflow ? "reply too large" : curl_easy_strerror(rc));
        free(out->buf);
        memset(out, 0, sizeof *out);
        return -1;
    }
    return 0;
}

/* RFC 8572 §7 report-progress; best effort (a bootstrap server that does not listen changes
 * nothing of what the device decides). */
static void report(const ztp_client *z, const char *type, const char *msg)
{
    json_t *j = json_pack("{s:{s:s,s:s}}", "ietf-sztp-bootstrap-server:input", "progress-type",
                          type, "message", msg);
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    long status = 0;
    agent_reply r;
    char err[256];
    if (body && ztp_post(z, "report-progress", body, &status, &r, err, sizeof err) == 0)
        free(r.buf);
    free(body);
}

static int router_serial(qtpm_tss *tpm, char serial[65])
{
    static const TPM_ALG_ID order[] = { TPM_ALG_MLKEM, TPM_ALG_ECC, TPM_ALG_RSA };
    uint8_t der[4096];
    size_t len;
    for (size_t i = 0; i < 3; i++)
        if (qtpm_tss_read_ek_cert(tpm, order[i], NULL, der, sizeof der, &len) == QTPM_OK)
            return qtpm_ztp_serial_of_ekcert(der, len, serial);
    return -1;
}

static int mkdirs_for(const char *file)
{
    char p[2048];
    size_t n = strlen(file);
    if (n >= sizeof p)
        return -1;
    memcpy(p, file, n + 1);
    for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            return -1;
        *s = '/';
    }
    return 0;
}

/* The boot image digest of what was measured: every entry of the list, one per path; a path
 * measured with two contents is refused (the PCR holds a content not in the image). */
static int measured_image(const agent_config *cfg, uint8_t out[32], char *err, size_t errlen)
{
    qtpm_ima_list list;
    if (agent_measure_list(cfg, &list) != 0) {
        snprintf(err, errlen, "the measurement list is unreadable");
        return -1;
    }
    qtpm_ztp_image_entry *e = calloc(list.count ? list.count : 1, sizeof *e);
    size_t n = 0;
    int rc = e ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < list.count; i++) {
        const qtpm_ima_entry *m = &list.entries[i];
        if (m->violation || m->file_alg != TPM_ALG_SHA256 || m->file_digest_len != 32 ||
            !m->path || strlen(m->path) >= sizeof e->path) {
            snprintf(err, errlen, "entry %zu of the list is not a SHA-256 file measurement", i);
            rc = -1;
            break;
        }
        size_t j = 0;
        while (j < n && strcmp(e[j].path, m->path))
            j++;
        if (j < n) {
            if (memcmp(e[j].sha256, m->file_digest, 32) != 0) {
                snprintf(err, errlen, "%s was measured with two contents", m->path);
                rc = -1;
            }
            continue;
        }
        strcpy(e[n].path, m->path);
        memcpy(e[n].sha256, m->file_digest, 32);
        n++;
    }
    if (rc == 0)
        rc = qtpm_ztp_image_digest(e, n, out);
    free(e);
    qtpm_ima_list_free(&list);
    return rc;
}

/* CONF gets the NMS the onboarding information named (first boot: CONF had none). */
static int write_conf(const char *conf, const char *nms, const char *ca)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (agent_read_file(conf, &buf, &len) != 0)
        return -1;
    size_t cap = len + strlen(nms) + strlen(ca) + 64;
    char *out = malloc(cap);
    int rc = -1;
    if (out) {
        int n = snprintf(out, cap, "%.*s%s# zero-touch provisioning (qtpm-agent bootstrap)\n"
                                   "nms = %s\nca = %s\n",
                         (int)len, (const char *)buf,
                         len && buf[len - 1] != '\n' ? "\n" : "", nms, ca);
        rc = n > 0 ? agent_write_file(conf, (uint8_t *)out, (size_t)n, 0644) : -1;
    }
    free(out);
    free(buf);
    return rc;
}

static int load_vendor(const char *ca_file, const char *pub_file, X509 **ca, uint8_t **pub,
                       size_t *pub_len)
{
    FILE *f = fopen(ca_file, "r");
    *ca = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
    if (f)
        fclose(f);
    if (!*ca || agent_read_file(pub_file, pub, pub_len) != 0) {
        X509_free(*ca);
        *ca = NULL;
        return -1;
    }
    return 0;
}

static int bootstrap(const char *conf, agent_config *cfg, qtpm_tss *tpm, ztp_client *z,
                     X509 *vendor_ca, const uint8_t *vpub, size_t vpub_len)
{
    char err[768], p[1200];
    double t0 = now_ms();
    report(z, "bootstrap-initiated", cfg->hostname);

    /* 1. bootstrapping data */
    const char *in = "{\"ietf-sztp-bootstrap-server:input\":{\"signed-data-preferred\":[null],"
                     "\"hw-model\":\"qtpm-router\"}}";
    long status = 0;
    agent_reply r;
    if (ztp_post(z, "get-bootstrapping-data", in, &status, &r, err, sizeof err) != 0) {
        fprintf(stderr, "qtpm-agent: zero-touch provisioning: %s\n", err);
        return 1;
    }
    if (status != 200) {
        fprintf(stderr, "qtpm-agent: zero-touch provisioning: the bootstrap server answered "
                        "HTTP %ld: %.300s\n", status, r.buf ? r.buf : "");
        free(r.buf);
        return 1;
    }
    double t_fetch = now_ms();

    /* 2. voucher, owner certificate, onboarding information */
    qtpm_ztp_bootdata b;
    qtpm_ztp_onboarding o;
    int rc = qtpm_ztp_bootdata_parse(r.buf, r.len, &b, err, sizeof err);
    free(r.buf);
    if (rc == 0) {
        rc = qtpm_ztp_device_verify(&b, vendor_ca, vpub, vpub_len, z->serial, time(NULL), &o,
                                    err, sizeof err);
        qtpm_ztp_bootdata_clear(&b);
    }
    if (rc != 0) {
        report(z, "parsing-error", err);
        fprintf(stderr, "qtpm-agent: zero-touch provisioning REFUSED: %s\n", err);
        return 1;
    }
    report(z, "parsing-complete", "voucher, owner certificate and onboarding information "
                                  "verified (ECDSA P-384 + ML-DSA-65)");
    printf("qtpm-agent: %s: voucher and onboarding information verified (owner's NMS %s)\n",
           cfg->hostname, o.nms_url);
    double t_verify = now_ms();

    /* 3. configuration over the image, measured image = the signed boot image. From here
     * every file is written in one deferred group (agent.h): renamed into place without
     * its fsync, made durable all together before the commit — CONF naming the NMS, the
     * last write. A crash before it leaves a router that is not provisioned (the next
     * bootstrap lays everything again), after it one that is fully. The HMAC key blobs of
     * an interrupted attempt may not be durable: they go (the AK's are kept, flows.c). */
    agent_write_defer();
    static const char *const leftovers[] = { "hmac.pub", "hmac.priv" };
    for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", cfg->state_dir, leftovers[i]);
        if (unlink(p) != 0 && errno != ENOENT) {
            fprintf(stderr, "qtpm-agent: zero-touch provisioning: cannot remove %s\n", p);
            qtpm_ztp_onboarding_clear(&o);
            return 1;
        }
    }
    const char *sealed[QTPM_ZTP_MAX_FILES];
    char paths[QTPM_ZTP_MAX_FILES][1400];
    rc = 0;
    for (size_t i = 0; rc == 0 && i < o.n_files; i++) {
        snprintf(paths[i], sizeof paths[i], "%s%s", cfg->measure_root, o.files[i].path);
        sealed[i] = paths[i];
        rc = mkdirs_for(paths[i]) == 0 && agent_write_file(paths[i], o.files[i].data,
                                                           o.files[i].len, 0644) == 0
                 ? 0
                 : -1;
    }
    snprintf(p, sizeof p, "%s/nms-ca.pem", cfg->state_dir);
    if (rc != 0 || agent_write_file(p, (uint8_t *)o.nms_ca_pem, strlen(o.nms_ca_pem), 0644)) {
        report(z, "config-error", "cannot write the configuration");
        fprintf(stderr, "qtpm-agent: zero-touch provisioning: cannot write the configuration\n");
        qtpm_ztp_onboarding_clear(&o);
        return 1;
    }
    agent_measurer m;
    size_t added = 0;
    uint8_t measured[32];
    if ((rc = agent_measure_start(&m, cfg, tpm)) != 0 || (rc = agent_measure_scan(&m, &added)) ||
        (rc = measured_image(cfg, measured, err, sizeof err)) != 0) {
        fprintf(stderr, "qtpm-agent: zero-touch provisioning: measuring failed: %s\n",
                rc == -1 ? err : qtpm_tss_strerror(rc));
        qtpm_ztp_onboarding_clear(&o);
        return 1;
    }
    if (memcmp(measured, o.image_sha256, 32) != 0) {
        report(z, "boot-image-mismatch", "the measured image is not the signed boot image");
        char *mh = agent_hex(measured, 32), *sh = agent_hex(o.image_sha256, 32);
        fprintf(stderr, "qtpm-agent: zero-touch provisioning REFUSED: the measured image (%zu "
                        "files, PCR 10; digest %s) is not the boot image of the onboarding "
                        "information (%s): not enrolling\n", added, mh ? mh : "?",
                sh ? sh : "?");
        free(mh);
        free(sh);
        qtpm_ztp_onboarding_clear(&o);
        return 1;
    }
    report(z, "boot-image-complete", "measured image matches the signed boot image digest");
    printf("qtpm-agent: %s: measured image matches the signed boot image (%zu files)\n",
           cfg->hostname, added);
    if (o.n_files) {
        snprintf(p, sizeof p, "%s/config.manifest", cfg->state_dir);
        if (agent_confint_seal(tpm, cfg->state_dir, p, sealed, o.n_files, err, sizeof err)) {
            report(z, "config-error", err);
            fprintf(stderr, "qtpm-agent: sealing the configuration failed: %s\n", err);
            qtpm_ztp_onboarding_clear(&o);
            return 1;
        }
    }
    /* The NMS for this run; CONF learns it at the commit. */
    char nms_url[sizeof cfg->nms_url];
    snprintf(p, sizeof p, "%s/nms-ca.pem", cfg->state_dir);
    int long_url = (size_t)snprintf(nms_url, sizeof nms_url, "%s", o.nms_url) >= sizeof nms_url;
    qtpm_ztp_onboarding_clear(&o);
    if (long_url || strncmp(nms_url, "https://", 8) != 0 ||
        (size_t)snprintf(cfg->ca_file, sizeof cfg->ca_file, "%s", p) >= sizeof cfg->ca_file) {
        report(z, "config-error", "the NMS URL is not https or too long");
        fprintf(stderr, "qtpm-agent: zero-touch provisioning: the onboarding information's "
                        "NMS URL is not https or too long\n");
        return 1;
    }
    memcpy(cfg->nms_url, nms_url, sizeof nms_url);
    report(z, "config-complete", "configuration sealed, NMS known");
    double t_config = now_ms();

    /* 4. enrolment, attestation, the mutual-TLS channel */
    if (agent_enrol(cfg, tpm, err, sizeof err) != 0 ||
        agent_tls_enrol(cfg, tpm, err, sizeof err) != 0) {
        report(z, "bootstrap-error", err);
        fprintf(stderr, "qtpm-agent: enrolment failed: %s\n", err);
        return 1;
    }
    double t_enrol = now_ms();
    char verdict[32];
    json_t *rep = NULL;
    int attest = 0;
    rc = agent_attest(cfg, tpm, verdict, sizeof verdict, &rep, err, sizeof err);
    json_decref(rep);
    if (rc != 0 || strcmp(verdict, "good") != 0) {
        report(z, "bootstrap-error", rc ? err : verdict);
        fprintf(stderr, "qtpm-agent: %s: attestation after enrolment: %s\n", cfg->hostname,
                rc ? err : verdict);
        return 1;
    }
    if (agent_heartbeat(cfg, tpm, added, &attest, err, sizeof err) != 0) {
        report(z, "bootstrap-error", err);
        printf("qtpm-agent: %s: mutual TLS with the TPM-resident key FAILED: %s\n",
               cfg->hostname, err);
        return 1;
    }
    double t_trusted = now_ms();

    /* 5. the commit: every file of the group durable (one pass of fsyncs: files, then
     * their directories), then CONF with the NMS — its own atomic write, its directory's
     * fsync. Only now is the router provisioned (a second bootstrap is refused). */
    int commit = agent_write_sync_close();
    if (commit == 0) {
        agent_write_defer();
        commit = write_conf(conf, cfg->nms_url, cfg->ca_file);
        commit = agent_write_sync_close() || commit;
    }
    if (commit != 0) {
        report(z, "bootstrap-error", "cannot make the provisioned state durable");
        fprintf(stderr, "qtpm-agent: %s: cannot make the state durable or write the NMS "
                        "into %s: not provisioned\n", cfg->hostname, conf);
        return 1;
    }
    double t_end = now_ms();
    report(z, "bootstrap-complete", "enrolled, attested good, mutual TLS up");
    printf("qtpm-agent: %s: zero-touch provisioning complete, trusted (verdict good, mutual TLS "
           "up) in %.1f ms: fetch %.1f, verify %.1f, measure+config %.1f, enrol+TLS key %.1f, "
           "attest+TLS %.1f, commit %.1f\n",
           cfg->hostname, t_end - t0, t_fetch - t0, t_verify - t_fetch, t_config - t_verify,
           t_enrol - t_config, t_trusted - t_enrol, t_end - t_trusted);
    return 0;
}

int agent_ztp_main(int argc, char **argv)
{
    const char *cmd = argv[1], *conf = NULL, *vca = NULL, *vpub = NULL;
    ztp_client z = { 0 };
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "-c"))
            conf = argv[i + 1];
        else if (!strcmp(argv[i], "--ztp-url"))
            z.url = argv[i + 1];
        else if (!strcmp(argv[i], "--vendor-ca"))
            vca = argv[i + 1];
        else if (!strcmp(argv[i], "--vendor-mldsa"))
            vpub = argv[i + 1];
        else if (!strcmp(argv[i], "--bootstrap-ca"))
            z.bootstrap_ca = argv[i + 1];
        else
            conf = NULL, i = argc;
    }
    int boot = !strcmp(cmd, "bootstrap");
    if (!conf || (argc % 2) || (boot && (!z.url || !vca || !vpub))) {
        fprintf(stderr, "usage: qtpm-agent bootstrap -c CONF --ztp-url URL --vendor-ca PEM "
                        "--vendor-mldsa PUB [--bootstrap-ca PEM]\n"
                        "       qtpm-agent serial -c CONF\n");
        return 2;
    }
    agent_config cfg;
    char err[512];
    if (agent_config_load_ex(conf, &cfg, err, sizeof err, 0) != 0) {
        fprintf(stderr, "qtpm-agent: %s\n", err);
        return 2;
    }
    if (boot && cfg.nms_url[0]) {
        fprintf(stderr, "qtpm-agent: %s already names an NMS: zero-touch provisioning is for "
                        "the first boot\n", conf);
        return 1;
    }
    X509 *ca = NULL;
    uint8_t *pub = NULL;
    size_t pub_len = 0;
    if (boot && load_vendor(vca, vpub, &ca, &pub, &pub_len) != 0) {
        fprintf(stderr, "qtpm-agent: cannot read the vendor's trust anchors %s, %s\n", vca, vpub);
        return 2;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        X509_free(ca);
        free(pub);
        return 1;
    }
    qtpm_tss *tpm = NULL;
    z.curl = curl_easy_init();
    int status = 1, rc = qtpm_tss_new(cfg.tcti, &tpm);
    if (rc != QTPM_OK) {
        fprintf(stderr, "qtpm-agent: cannot reach the TPM at %s: %s\n", cfg.tcti,
                qtpm_tss_strerror(rc));
    } else if (router_serial(tpm, z.serial) != 0) {
        fprintf(stderr, "qtpm-agent: the TPM has no EK certificate: no serial number\n");
    } else if (!boot) {
        printf("%s\n", z.serial);
        status = 0;
    } else {
        status = bootstrap(conf, &cfg, tpm, &z, ca, pub, pub_len);
    }
    qtpm_tss_free(tpm);
    curl_easy_cleanup(z.curl);
    curl_global_cleanup();
    X509_free(ca);
    free(pub);
    return status;
}
