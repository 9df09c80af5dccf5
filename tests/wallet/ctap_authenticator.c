/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ctap_authenticator.c — a software FIDO2 authenticator for the tests of
 * qtpm-wallet-client's libfido2 device path (wallet_fido_device.sh); a test
 * program, not installed, not a security component.
 *
 * It listens on a UNIX stream socket and speaks what a USB security key
 * speaks on its HID endpoint: 64-byte reports carrying CTAPHID (FIDO CTAP
 * 2.1 §11.2: INIT with nonce and channel allocation, CBOR, PING, CANCEL,
 * ERROR, a KEEPALIVE before each slow answer, continuation packets with
 * sequence numbers, busy / timeout / invalid channel / length / sequence
 * errors) and inside CBOR messages CTAP2 (§6): authenticatorGetInfo,
 * authenticatorMakeCredential (ES256, "packed" self attestation or
 * "none") and authenticatorGetAssertion (allowList, up/uv options, a
 * signature counter). User presence is granted at once; user verification
 * is "built in" (GetInfo option uv: true, as a fingerprint key advertises)
 * and always succeeds. It holds one non-discoverable credential (a new
 * MakeCredential replaces it), kept with its counter in --state FILE
 * (softauth's file, FILE.meta for RP id and counter) so that a restarted
 * emulator — with other knobs — is the same key.
 *
 * CBOR in is checked by the wallet's strict reader (src/wallet/cbor.c:
 * shortest form, definite lengths; map keys must also ascend, CTAP 2.1 §8
 * "CTAP2 canonical CBOR encoding form"); CBOR out is written canonically by
 * the small writer below. The credential's authenticator data and
 * signature come from softauth.c (sa_auth_data, sa_sign), the same code as
 * the service's software authenticator.
 *
 * Knobs for negative tests:
 *   --counter up|same|back   assertion counters grow (default), repeat, shrink
 *   --wrong-key              sign assertions and the packed attestation
 *                            with another key
 *   --status 0xNN            answer MakeCredential / GetAssertion with that
 *                            CTAP2 status (e.g. 0x27 OPERATION_DENIED)
 *   --attestation packed|none
 *   --max-seconds N          exit after N seconds (default 600): bounded
 *
 *   ctap_authenticator --socket PATH [--state FILE] [knobs] [--verbose]
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "cbor.h"
#include "softauth.h"

/* ---- constants (CTAP 2.1) ---- */

#define REPORT 64
#define CID_BROADCAST 0xffffffffu
#define INIT_DATA (REPORT - 7)  /* §11.2.4: CID 4, CMD 1, BCNT 2 */
#define CONT_DATA (REPORT - 5)  /* CID 4, SEQ 1 */
#define MAX_MSG (INIT_DATA + 128 * CONT_DATA) /* 7609: SEQ 0..127 */
#define TX_TIMEOUT_MS 1000       /* §11.2.5 "transaction timeout" */

/* §11.2.9 CTAPHID commands, with the INIT-packet bit 0x80 set */
enum {
    HID_PING = 0x81,      /* §11.2.9.1.4 */
    HID_MSG = 0x83,       /* §11.2.9.1.1 (CTAP1/U2F, not offered: NMSG) */
    HID_LOCK = 0x84,      /* §11.2.9.2.2 (optional, not offered) */
    HID_INIT = 0x86,      /* §11.2.9.1.3 */
    HID_WINK = 0x88,      /* §11.2.9.2.1 (optional, not offered) */
    HID_CBOR = 0x90,      /* §11.2.9.1.2 */
    HID_CANCEL = 0x91,    /* §11.2.9.1.5 */
    HID_KEEPALIVE = 0xbb, /* §11.2.9.1.7 */
    HID_ERROR = 0xbf,     /* §11.2.9.1.6 */
};
/* §11.2.9.1.6 CTAPHID_ERROR codes */
enum {
    ERR_INVALID_CMD = 0x01,
    ERR_INVALID_PAR = 0x02,
    ERR_INVALID_LEN = 0x03,
    ERR_INVALID_SEQ = 0x04,
    ERR_MSG_TIMEOUT = 0x05,
    ERR_CHANNEL_BUSY = 0x06,
    ERR_INVALID_CHANNEL = 0x0b,
};
#define CAP_CBOR 0x04 /* §11.2.9.1.3 capability flags */
#define CAP_NMSG 0x08
#define KEEPALIVE_PROCESSING 0x01

/* §6 authenticator API command bytes */
enum { CTAP2_MAKE_CREDENTIAL = 0x01, CTAP2_GET_ASSERTION = 0x02, CTAP2_GET_INFO = 0x04 };
/* §8.2 status codes */
enum {
    CTAP2_OK = 0x00,
    CTAP1_ERR_INVALID_COMMAND = 0x01,
    CTAP1_ERR_INVALID_PARAMETER = 0x02,
    CTAP1_ERR_INVALID_LENGTH = 0x03,
    CTAP2_ERR_CBOR_UNEXPECTED_TYPE = 0x11,
    CTAP2_ERR_INVALID_CBOR = 0x12,
    CTAP2_ERR_MISSING_PARAMETER = 0x14,
    CTAP2_ERR_CREDENTIAL_EXCLUDED = 0x19,
    CTAP2_ERR_UNSUPPORTED_ALGORITHM = 0x26,
    CTAP2_ERR_UNSUPPORTED_OPTION = 0x2b,
    CTAP2_ERR_INVALID_OPTION = 0x2c,
    CTAP2_ERR_NO_CREDENTIALS = 0x2e,
    CTAP2_ERR_PIN_NOT_SET = 0x35,
    CTAP1_ERR_OTHER = 0x7f,
};
/* WebAuthn L2 §6.1 authenticator data flags */
#define FLAG_UP 0x01
#define FLAG_UV 0x04
#define FLAG_AT 0x40

/* this emulator's AAGUID (§6.4 getInfo 0x03), made up: "qtpm-ctap-emul\1\0" */
static const uint8_t AAGUID[16] = { 'q', 't', 'p', 'm', '-', 'c', 't', 'a',
                                    'p', '-', 'e', 'm', 'u', 'l', 1, 0 };

/* ---- options and state ---- */

static struct {
    const char *sock, *state;
    int counter_mode; /* 0 up, 1 same, 2 back */
    int wrong_key, status, attest_none, verbose;
    long max_seconds;
} opt = { NULL, NULL, 0, 0, -1, 0, 0, 600 };

static softauth cred, wrong;
static int have_cred;
static volatile sig_atomic_t stop;

#define MAX_CONN 8
#define MAX_CHANNELS 16

typedef struct {
    int fd;
    uint8_t in[REPORT];
    size_t in_len;
} conn;

static conn conns[MAX_CONN];
static uint32_t channels[MAX_CHANNELS];
static size_t n_channels, next_channel_slot;
static uint32_t next_cid;

/* the one transaction being received (§11.2.5: one at a time) */
static struct {
    int active, conn;
    uint32_t cid;
    uint8_t cmd, seq;
    size_t bcnt, got;
    long long last_ms;
    uint8_t buf[MAX_MSG];
} tx;

static long long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    if (!opt.verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("ctap_authenticator: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* ---- state file ---- */

static int state_save(void)
{
    if (!opt.state || !have_cred)
        return 0;
    char p[4096];
    snprintf(p, sizeof p, "%s.meta", opt.state);
    FILE *f = fopen(p, "w");
    int ok = f && fprintf(f, "%s\n%lu\n", cred.rp_id, (unsigned long)cred.counter) > 0;
    if (f && fclose(f) != 0)
        ok = 0;
    return ok && sa_save(&cred, opt.state) == 0 ? 0 : -1;
}

static int state_load(void)
{
    char p[4096], rp[128];
    unsigned long c = 0;
    snprintf(p, sizeof p, "%s.meta", opt.state);
    FILE *f = fopen(p, "r");
    if (!f)
        return errno == ENOENT ? 0 : -1; /* a new key */
    int ok = fscanf(f, "%127s %lu", rp, &c) == 2;
    fclose(f);
    if (!ok || sa_load(&cred, opt.state, rp, "") != 0 || cred.alg != -7)
        return -1;
    cred.counter = (uint32_t)c;
    have_cred = 1;
    return 0;
}

/* ---- canonical CBOR writer (RFC 8949 §4.2.1 shortest heads; the callers
 * emit map keys in CTAP2 canonical order, §8) ---- */

typedef struct {
    uint8_t *p;
    size_t cap, n;
    int err;
} cw;

static void cw_raw(cw *w, const void *d, size_t n)
{
    if (w->err || w->cap - w->n < n) {
        w->err = 1;
        return;
    }
    memcpy(w->p + w->n, d, n);
    w->n += n;
}

static void cw_head(cw *w, int major, uint64_t v)
{
    uint8_t h[9];
    size_t n;
    int ai;
    if (v < 24) {
        ai = (int)v;
        n = 0;
    } else if (v <= 0xff) {
        ai = 24;
        n = 1;
    } else if (v <= 0xffff) {
        ai = 25;
        n = 2;
    } else if (v <= 0xffffffffULL) {
        ai = 26;
        n = 4;
    } else {
        ai = 27;
        n = 8;
    }
    h[0] = (uint8_t)(major << 5 | ai);
    for (size_t i = 0; i < n; i++)
        h[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    cw_raw(w, h, 1 + n);
}

static void cw_int(cw *w, int64_t v)
{
    if (v >= 0)
        cw_head(w, CBOR_UINT, (uint64_t)v);
    else
        cw_head(w, CBOR_NINT, (uint64_t)(-1 - v));
}

static void cw_bytes(cw *w, const uint8_t *p, size_t n)
{
    cw_head(w, CBOR_BYTES, n);
    cw_raw(w, p, n);
}

static void cw_text(cw *w, const char *s)
{
    cw_head(w, CBOR_TEXT, strlen(s));
    cw_raw(w, s, strlen(s));
}

static void cw_bool(cw *w, int b) { cw_head(w, CBOR_SIMPLE, b ? 21 : 20); }

/* ---- CBOR reading helpers over the wallet's reader ---- */

static int text_is(const uint8_t *p, size_t n, const char *s)
{
    return n == strlen(s) && memcmp(p, s, n) == 0;
}

/* a CBOR reader error as a CTAP2 status */
static int cbor_status(int rc)
{
    return rc == CBOR_E_TYPE ? CTAP2_ERR_CBOR_UNEXPECTED_TYPE : CTAP2_ERR_INVALID_CBOR;
}

static int read_bool(cbor_reader *r, int *b)
{
    int major;
    uint64_t arg;
    int rc = cbor_peek(r, &major, &arg);
    if (rc != 0)
        return cbor_status(rc);
    if (major != CBOR_SIMPLE || (arg != 20 && arg != 21))
        return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
    *b = arg == 21;
    return cbor_skip(r) == 0 ? 0 : CTAP2_ERR_INVALID_CBOR;
}

/* a text-keyed map; for each key calls f (which reads the value) or skips */
typedef int (*field_fn)(cbor_reader *r, const uint8_t *k, size_t kl, void *arg);

static int read_text_map(cbor_reader *r, field_fn f, void *arg)
{
    size_t n;
    int rc = cbor_read_map(r, &n);
    if (rc != 0)
        return cbor_status(rc);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *k;
        size_t kl;
        if ((rc = cbor_read_text(r, &k, &kl)) != 0)
            return cbor_status(rc);
        if ((rc = f(r, k, kl, arg)) != 0)
            return rc;
    }
    return 0;
}

/* ---- pieces of the CTAP2 requests ---- */

typedef struct {
    const uint8_t *id;
    size_t id_len;
    int id_major; /* what "id" must be: CBOR_TEXT (rp) or CBOR_BYTES */
    int is_public_key, have_id;
} descriptor; /* PublicKeyCredentialDescriptor / RpEntity / UserEntity */

static int entity_field(cbor_reader *r, const uint8_t *k, size_t kl, void *arg)
{
    descriptor *d = arg;
    int rc;
    if (text_is(k, kl, "id")) {
        int major;
        uint64_t v;
        if ((rc = cbor_peek(r, &major, &v)) != 0)
            return cbor_status(rc);
        if (major != d->id_major)
            return CTAP2_ERR_CBOR_UNEXPECTED_TYPE;
        rc = major == CBOR_TEXT ? cbor_read_text(r, &d->id, &d->id_len)
                                : cbor_read_bytes(r, &d->id, &d->id_len);
        d->have_id = 1;
        return rc ? cbor_status(rc) : 0;
    }
    if (text_is(k, kl, "type")) {
        const uint8_t *t;
        size_t tl;
        if ((rc = cbor_read_text(r, &t, &tl)) != 0)
            return cbor_status(rc);
        d->is_public_key = text_is(t, tl, "public-key");
        return 0;
    }
    return cbor_skip(r) == 0 ? 0 : CTAP2_ERR_INVALID_CBOR;
}

typedef struct {
    int64_t alg;
    int is_public_key, have_alg;
} cred_param;

static int param_field(cbor_reader *r, const uint8_t *k, size_t kl, void *arg)
{
    cred_param *p = arg;
    int rc;
    if (text_is(k, kl, "alg")) {
        p->have_alg = 1;
        return (rc = cbor_read_int(r, &p->alg)) ? cbor_status(rc) : 0;
    }
    if (text_is(k, kl, "type")) {
        const uint8_t *t;
        size_t tl;
        if ((rc = cbor_read_text(r, &t, &tl)) != 0)
            return cbor_status(rc);
        p->is_public_key = text_is(t, tl, "public-key");
        return 0;
    }
    return cbor_skip(r) == 0 ? 0 : CTAP2_ERR_INVALID_CBOR;
}

typedef struct {
    int rk, up, uv; /* -1 absent */
} options;

static int option_field(cbor_reader *r, const uint8_t *k, size_t kl, void *arg)
{
    options *o = arg;
    int *dst = text_is(k, kl, "rk") ? &o->rk : text_is(k, kl, "up") ? &o->up
             : text_is(k, kl, "uv") ? &o->uv : NULL;
    int b = 0;
    if (!dst) /* unknown options are ignored (§6.1 step 5) */
        return cbor_skip(r) == 0 ? 0 : CTAP2_ERR_INVALID_CBOR;
    int rc = read_bool(r, &b);
    if (rc == 0)
        *dst = b;
    return rc;
}

/* does a list of credential descriptors name our credential? */
static int list_has_cred(cbor_reader *r, int *found)
{
    size_t n;
    int rc = cbor_read_array(r, &n);
    if (rc != 0)
        return cbor_status(rc);
    for (size_t i = 0; i < n; i++) {
        descriptor d = { NULL, 0, CBOR_BYTES, 0, 0 };
        if ((rc = read_text_map(r, entity_field, &d)) != 0)
            return rc;
        if (!d.have_id)
            return CTAP2_ERR_MISSING_PARAMETER;
        if (have_cred && d.is_public_key && d.id_len == sizeof cred.cred_id &&
            memcmp(d.id, cred.cred_id, d.id_len) == 0)
            *found = 1;
    }
    return 0;
}

/* the next key of a CTAP2 parameter map: an unsigned integer greater than
 * the last one (canonical order; duplicates are invalid CBOR) */
static int next_key(cbor_reader *r, int64_t *last, int64_t *k)
{
    int rc = cbor_read_int(r, k);
    if (rc != 0)
        return cbor_status(rc);
    if (*k < 0 || *k <= *last)
        return CTAP2_ERR_INVALID_CBOR;
    *last = *k;
    return 0;
}

static uint32_t next_counter(uint32_t c, int for_assertion)
{
    if (!for_assertion || opt.counter_mode == 0)
        return c + 1;
    if (opt.counter_mode == 1)
        return c;
    return c > 0 ? c - 1 : 0;
}

/* ---- §6.4 authenticatorGetInfo ---- */

static int get_info(cw *w)
{
    uint8_t st = CTAP2_OK;
    cw_raw(w, &st, 1);
    cw_head(w, CBOR_MAP, 4);
    cw_int(w, 0x01); /* versions */
    cw_head(w, CBOR_ARRAY, 1);
    cw_text(w, "FIDO_2_0");
    cw_int(w, 0x03); /* aaguid */
    cw_bytes(w, AAGUID, sizeof AAGUID);
    cw_int(w, 0x04); /* options: no resident keys, presence, built-in UV */
    cw_head(w, CBOR_MAP, 4);
    cw_text(w, "rk");
    cw_bool(w, 0);
    cw_text(w, "up");
    cw_bool(w, 1);
    cw_text(w, "uv");
    cw_bool(w, 1);
    cw_text(w, "plat");
    cw_bool(w, 0);
    cw_int(w, 0x05); /* maxMsgSize */
    cw_int(w, 1200);
    return 0;
}

/* ---- §6.1 authenticatorMakeCredential ---- */

static int make_credential(const uint8_t *p, size_t len, cw *w)
{
    cbor_reader r;
    size_t n;
    int64_t last = -1, k;
    const uint8_t *cdh = NULL;
    size_t cdh_len = 0;
    descriptor rp = { NULL, 0, CBOR_TEXT, 0, 0 }, user = { NULL, 0, CBOR_BYTES, 0, 0 };
    int have_params = 0, es256 = 0, excluded = 0, pin_param = 0, rc;
    options o = { -1, -1, -1 };
    cbor_init(&r, p, len);
    if ((rc = cbor_read_map(&r, &n)) != 0)
        return cbor_status(rc);
    for (size_t i = 0; i < n; i++) {
        if ((rc = next_key(&r, &last, &k)) != 0)
            return rc;
        switch (k) {
        case 0x01: /* clientDataHash */
            rc = cbor_read_bytes(&r, &cdh, &cdh_len) ? CTAP2_ERR_CBOR_UNEXPECTED_TYPE : 0;
            break;
        case 0x02: /* rp */
            rc = read_text_map(&r, entity_field, &rp);
            break;
        case 0x03: /* user */
            rc = read_text_map(&r, entity_field, &user);
            break;
        case 0x04: { /* pubKeyCredParams */
            size_t m;
            if ((rc = cbor_read_array(&r, &m)) != 0)
                return cbor_status(rc);
            have_params = 1;
            for (size_t j = 0; j < m && rc == 0; j++) {
                cred_param cp = { 0, 0, 0 };
                rc = read_text_map(&r, param_field, &cp);
                if (rc == 0 && cp.have_alg && cp.alg == -7 && cp.is_public_key)
                    es256 = 1;
            }
            break;
        }
        case 0x05: /* excludeList */
            rc = list_has_cred(&r, &excluded);
            break;
        case 0x07: /* options */
            rc = read_text_map(&r, option_field, &o);
            break;
        case 0x08: /* pinUvAuthParam */
            pin_param = 1;
            rc = cbor_skip(&r) ? CTAP2_ERR_INVALID_CBOR : 0;
            break;
        default: /* extensions (0x06), pinUvAuthProtocol, ...: ignored */
            rc = cbor_skip(&r) ? CTAP2_ERR_INVALID_CBOR : 0;
        }
        if (rc != 0)
            return rc;
    }
    if (!cdh || !rp.have_id || !user.have_id || !have_params)
        return CTAP2_ERR_MISSING_PARAMETER;
    if (cdh_len != 32 || rp.id_len == 0 || rp.id_len >= sizeof cred.rp_id || user.id_len == 0 ||
        user.id_len > 64)
        return CTAP1_ERR_INVALID_PARAMETER;
    if (!es256)
        return CTAP2_ERR_UNSUPPORTED_ALGORITHM;
    if (o.rk == 1)
        return CTAP2_ERR_UNSUPPORTED_OPTION; /* no discoverable credentials here */
    if (o.up == 0)
        return CTAP2_ERR_INVALID_OPTION;
    if (pin_param)
        return CTAP2_ERR_PIN_NOT_SET;
    if (excluded && rp.id_len == strlen(cred.rp_id) && !memcmp(rp.id, cred.rp_id, rp.id_len))
        return CTAP2_ERR_CREDENTIAL_EXCLUDED;
    if (opt.status >= 0)
        return opt.status;

    char rp_id[128];
    memcpy(rp_id, rp.id, rp.id_len);
    rp_id[rp.id_len] = 0;
    softauth nc;
    if (sa_new(&nc, -7, rp_id, "") != 0) {
        sa_free(&nc);
        return CTAP1_ERR_OTHER;
    }
    nc.counter = next_counter(have_cred ? cred.counter : 0, 0);
    uint8_t ad[256], sig[128];
    size_t adl = sa_auth_data(&nc, FLAG_UP | (o.uv == 1 ? FLAG_UV : 0) | FLAG_AT, AAGUID, ad,
                              sizeof ad);
    size_t sl = sizeof sig;
    if (adl == 0 ||
        (!opt.attest_none && sa_sign(opt.wrong_key ? &wrong : &nc, ad, adl, cdh, sig, &sl) != 0)) {
        sa_free(&nc);
        return CTAP1_ERR_OTHER;
    }
    /* {1: fmt, 2: authData, 3: attStmt} (§6.1 response; packed self
     * attestation: {"alg": -7, "sig": ...}, WebAuthn L2 §8.2) */
    uint8_t st = CTAP2_OK;
    cw_raw(w, &st, 1);
    cw_head(w, CBOR_MAP, 3);
    cw_int(w, 0x01);
    cw_text(w, opt.attest_none ? "none" : "packed");
    cw_int(w, 0x02);
    cw_bytes(w, ad, adl);
    cw_int(w, 0x03);
    if (opt.attest_none) {
        cw_head(w, CBOR_MAP, 0);
    } else {
        cw_head(w, CBOR_MAP, 2);
        cw_text(w, "alg");
        cw_int(w, -7);
        cw_text(w, "sig");
        cw_bytes(w, sig, sl);
    }
    if (have_cred)
        sa_free(&cred);
    cred = nc;
    have_cred = 1;
    say("made a credential for %s (counter %u)", cred.rp_id, (unsigned)cred.counter);
    return state_save() == 0 ? 0 : CTAP1_ERR_OTHER;
}

/* ---- §6.2 authenticatorGetAssertion ---- */

static int get_assertion(const uint8_t *p, size_t len, cw *w)
{
    cbor_reader r;
    size_t n;
    int64_t last = -1, k;
    const uint8_t *rp = NULL, *cdh = NULL;
    size_t rp_len = 0, cdh_len = 0;
    int have_allow = 0, found = 0, pin_param = 0, rc;
    options o = { -1, -1, -1 };
    cbor_init(&r, p, len);
    if ((rc = cbor_read_map(&r, &n)) != 0)
        return cbor_status(rc);
    for (size_t i = 0; i < n; i++) {
        if ((rc = next_key(&r, &last, &k)) != 0)
            return rc;
        switch (k) {
        case 0x01: /* rpId */
            rc = cbor_read_text(&r, &rp, &rp_len) ? CTAP2_ERR_CBOR_UNEXPECTED_TYPE : 0;
            break;
        case 0x02: /* clientDataHash */
            rc = cbor_read_bytes(&r, &cdh, &cdh_len) ? CTAP2_ERR_CBOR_UNEXPECTED_TYPE : 0;
            break;
        case 0x03: /* allowList */
            have_allow = 1;
            rc = list_has_cred(&r, &found);
            break;
        case 0x05: /* options */
            rc = read_text_map(&r, option_field, &o);
            break;
        case 0x06: /* pinUvAuthParam */
            pin_param = 1;
            rc = cbor_skip(&r) ? CTAP2_ERR_INVALID_CBOR : 0;
            break;
        default: /* extensions (0x04), pinUvAuthProtocol (0x07), ...: ignored */
            rc = cbor_skip(&r) ? CTAP2_ERR_INVALID_CBOR : 0;
        }
        if (rc != 0)
            return rc;
    }
    if (!rp || !cdh)
        return CTAP2_ERR_MISSING_PARAMETER;
    if (cdh_len != 32)
        return CTAP1_ERR_INVALID_PARAMETER;
    if (o.rk != -1)
        return CTAP2_ERR_UNSUPPORTED_OPTION; /* "rk" is not an option of GetAssertion */
    if (pin_param)
        return CTAP2_ERR_PIN_NOT_SET;
    /* only allowList credentials: this key keeps no discoverable ones */
    if (!have_allow || !found || rp_len != strlen(cred.rp_id) || memcmp(rp, cred.rp_id, rp_len))
        return CTAP2_ERR_NO_CREDENTIALS;
    if (opt.status >= 0)
        return opt.status;

    uint32_t saved = cred.counter;
    cred.counter = next_counter(cred.counter, 1);
    uint8_t ad[64], sig[128];
    size_t sl = sizeof sig;
    size_t adl = sa_auth_data(&cred, (o.up != 0 ? FLAG_UP : 0) | (o.uv == 1 ? FLAG_UV : 0), NULL,
                              ad, sizeof ad);
    if (adl == 0 || sa_sign(opt.wrong_key ? &wrong : &cred, ad, adl, cdh, sig, &sl) != 0) {
        cred.counter = saved;
        return CTAP1_ERR_OTHER;
    }
    /* {1: credential, 2: authData, 3: signature} (§6.2 response) */
    uint8_t st = CTAP2_OK;
    cw_raw(w, &st, 1);
    cw_head(w, CBOR_MAP, 3);
    cw_int(w, 0x01);
    cw_head(w, CBOR_MAP, 2);
    cw_text(w, "id");
    cw_bytes(w, cred.cred_id, sizeof cred.cred_id);
    cw_text(w, "type");
    cw_text(w, "public-key");
    cw_int(w, 0x02);
    cw_bytes(w, ad, adl);
    cw_int(w, 0x03);
    cw_bytes(w, sig, sl);
    say("asserted for %s (counter %u)", cred.rp_id, (unsigned)cred.counter);
    return state_save() == 0 ? 0 : CTAP1_ERR_OTHER;
}

/* one CTAP2 message (command byte ‖ CBOR parameters) → status ‖ CBOR */
static size_t ctap2(const uint8_t *msg, size_t len, uint8_t *out, size_t cap)
{
    cw w = { out, cap, 0, 0 };
    int st;
    const uint8_t *p = msg + 1;
    size_t pl = len - 1;
    switch (msg[0]) {
    case CTAP2_GET_INFO:
        st = pl == 0 ? get_info(&w) : CTAP1_ERR_INVALID_LENGTH;
        break;
    case CTAP2_MAKE_CREDENTIAL:
    case CTAP2_GET_ASSERTION:
        if (pl == 0) {
            st = CTAP2_ERR_MISSING_PARAMETER;
        } else if (cbor_check(p, pl) != 0) {
            st = CTAP2_ERR_INVALID_CBOR; /* not exactly one well-formed item */
        } else {
            st = msg[0] == CTAP2_MAKE_CREDENTIAL ? make_credential(p, pl, &w)
                                                 : get_assertion(p, pl, &w);
        }
        break;
    default: /* ClientPIN, Reset, GetNextAssertion, ...: not offered */
        st = CTAP1_ERR_INVALID_COMMAND;
    }
    if (st == 0 && w.err)
        st = CTAP1_ERR_OTHER;
    say("CTAP2 command 0x%02x: status 0x%02x", msg[0], (unsigned)st);
    if (st != 0) {
        out[0] = (uint8_t)st;
        return 1;
    }
    return w.n;
}

/* ---- CTAPHID (§11.2) ---- */

static void conn_close(int c)
{
    if (conns[c].fd >= 0)
        close(conns[c].fd);
    conns[c].fd = -1;
    conns[c].in_len = 0;
    if (tx.active && tx.conn == c)
        tx.active = 0;
}

static void put_cid(uint8_t *p, uint32_t cid)
{
    p[0] = (uint8_t)(cid >> 24);
    p[1] = (uint8_t)(cid >> 16);
    p[2] = (uint8_t)(cid >> 8);
    p[3] = (uint8_t)cid;
}

/* a message as an initialization packet and continuation packets */
static void send_msg(int c, uint32_t cid, uint8_t cmd, const uint8_t *d, size_t n)
{
    uint8_t rep[REPORT];
    size_t off = 0;
    uint8_t seq = 0;
    if (n > MAX_MSG)
        return;
    do {
        memset(rep, 0, sizeof rep);
        put_cid(rep, cid);
        size_t k;
        if (off == 0) {
            rep[4] = cmd;
            rep[5] = (uint8_t)(n >> 8);
            rep[6] = (uint8_t)n;
            k = n < INIT_DATA ? n : INIT_DATA;
            memcpy(rep + 7, d, k);
        } else {
            rep[4] = seq++;
            k = n - off < CONT_DATA ? n - off : CONT_DATA;
            memcpy(rep + 5, d + off, k);
        }
        off += k;
        size_t sent = 0;
        while (conns[c].fd >= 0 && sent < sizeof rep) {
            ssize_t m = send(conns[c].fd, rep + sent, sizeof rep - sent, MSG_NOSIGNAL);
            if (m < 0 && errno == EINTR)
                continue;
            if (m <= 0) {
                conn_close(c); /* gone, or not reading (SO_SNDTIMEO) */
                return;
            }
            sent += (size_t)m;
        }
    } while (off < n && conns[c].fd >= 0);
}

static void send_error(int c, uint32_t cid, uint8_t code)
{
    say("CTAPHID error 0x%02x on channel %08x", code, (unsigned)cid);
    send_msg(c, cid, HID_ERROR, &code, 1);
}

static int channel_known(uint32_t cid)
{
    for (size_t i = 0; i < n_channels; i++)
        if (channels[i] == cid)
            return 1;
    return 0;
}

static uint32_t channel_new(void)
{
    uint32_t cid;
    do
        cid = next_cid++;
    while (cid == 0 || cid == CID_BROADCAST || channel_known(cid));
    /* the oldest channel gives its slot up when all are taken */
    channels[next_channel_slot] = cid;
    next_channel_slot = (next_channel_slot + 1) % MAX_CHANNELS;
    if (n_channels < MAX_CHANNELS)
        n_channels++;
    return cid;
}

/* a whole message has arrived */
static void dispatch(int c, uint32_t cid, uint8_t cmd, const uint8_t *d, size_t n)
{
    static uint8_t out[MAX_MSG];
    switch (cmd) {
    case HID_PING:
        send_msg(c, cid, HID_PING, d, n);
        break;
    case HID_CANCEL: /* nothing is pending: requests are answered at once; no reply */
        break;
    case HID_CBOR:
        if (n == 0) {
            send_error(c, cid, ERR_INVALID_LEN);
            break;
        }
        if (d[0] == CTAP2_MAKE_CREDENTIAL || d[0] == CTAP2_GET_ASSERTION) {
            uint8_t ka = KEEPALIVE_PROCESSING; /* the host must skip it */
            send_msg(c, cid, HID_KEEPALIVE, &ka, 1);
        }
        if (conns[c].fd >= 0) {
            size_t m = ctap2(d, n, out, sizeof out);
            send_msg(c, cid, HID_CBOR, out, m);
        }
        break;
    default: /* MSG (NMSG), LOCK, WINK and unknown commands are not offered */
        send_error(c, cid, ERR_INVALID_CMD);
    }
}

static void init_packet(int c, const uint8_t *rep, uint32_t cid)
{
    uint8_t cmd = rep[4];
    size_t bcnt = (size_t)rep[5] << 8 | rep[6];
    if (cid == 0) {
        send_error(c, cid, ERR_INVALID_CHANNEL);
        return;
    }
    if (cmd == HID_INIT) { /* §11.2.9.1.3 */
        if (bcnt != 8) {
            send_error(c, cid, ERR_INVALID_LEN);
            return;
        }
        if (cid != CID_BROADCAST && !channel_known(cid)) {
            send_error(c, cid, ERR_INVALID_CHANNEL);
            return;
        }
        if (tx.active && tx.cid == cid)
            tx.active = 0; /* INIT on a busy channel resynchronises it */
        uint8_t r[17];
        memcpy(r, rep + 7, 8); /* the nonce */
        put_cid(r + 8, cid == CID_BROADCAST ? channel_new() : cid);
        r[12] = 2; /* CTAPHID protocol version */
        r[13] = 1; /* device version major.minor.build */
        r[14] = 0;
        r[15] = 0;
        r[16] = CAP_CBOR | CAP_NMSG;
        send_msg(c, cid, HID_INIT, r, sizeof r);
        return;
    }
    if (cid == CID_BROADCAST || !channel_known(cid)) {
        send_error(c, cid, ERR_INVALID_CHANNEL);
        return;
    }
    if (tx.active) {
        if (tx.cid != cid || tx.conn != c) {
            send_error(c, cid, ERR_CHANNEL_BUSY);
        } else if (cmd == HID_CANCEL) {
            tx.active = 0; /* the request being received is dropped; no reply */
        } else {
            tx.active = 0; /* a new message before the old one was complete */
            send_error(c, cid, ERR_INVALID_SEQ);
        }
        return;
    }
    if (bcnt > MAX_MSG) {
        send_error(c, cid, ERR_INVALID_LEN);
        return;
    }
    size_t k = bcnt < INIT_DATA ? bcnt : INIT_DATA;
    memcpy(tx.buf, rep + 7, k);
    if (k == bcnt) {
        dispatch(c, cid, cmd, tx.buf, bcnt);
        return;
    }
    tx.active = 1;
    tx.conn = c;
    tx.cid = cid;
    tx.cmd = cmd;
    tx.bcnt = bcnt;
    tx.got = k;
    tx.seq = 0;
    tx.last_ms = now_ms();
}

static void cont_packet(int c, const uint8_t *rep, uint32_t cid)
{
    /* a continuation packet without its initialization packet is ignored */
    if (!tx.active || tx.cid != cid || tx.conn != c)
        return;
    if (rep[4] != tx.seq) {
        tx.active = 0;
        send_error(c, cid, ERR_INVALID_SEQ);
        return;
    }
    size_t k = tx.bcnt - tx.got < CONT_DATA ? tx.bcnt - tx.got : CONT_DATA;
    memcpy(tx.buf + tx.got, rep + 5, k);
    tx.got += k;
    tx.seq++;
    tx.last_ms = now_ms();
    if (tx.got == tx.bcnt) {
        tx.active = 0;
        dispatch(c, cid, tx.cmd, tx.buf, tx.bcnt);
    }
}

static void report(int c, const uint8_t *rep)
{
    uint32_t cid = (uint32_t)rep[0] << 24 | (uint32_t)rep[1] << 16 | (uint32_t)rep[2] << 8 | rep[3];
    if (rep[4] & 0x80)
        init_packet(c, rep, cid);
    else
        cont_packet(c, rep, cid);
}

/* ---- the socket ---- */

static void on_signal(int s)
{
    (void)s;
    stop = 1;
}

static int usage(void)
{
    fputs("usage: ctap_authenticator --socket PATH [--state FILE] [--counter up|same|back]\n"
          "         [--wrong-key] [--status 0xNN] [--attestation packed|none]\n"
          "         [--max-seconds N] [--verbose]\n", stderr);
    return 2;
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *e = NULL;
        if (!strcmp(a, "--wrong-key")) {
            opt.wrong_key = 1;
        } else if (!strcmp(a, "--verbose")) {
            opt.verbose = 1;
        } else if (!v) {
            return usage();
        } else if (!strcmp(a, "--socket")) {
            opt.sock = v, i++;
        } else if (!strcmp(a, "--state")) {
            opt.state = v, i++;
        } else if (!strcmp(a, "--counter")) {
            opt.counter_mode = !strcmp(v, "up") ? 0 : !strcmp(v, "same") ? 1
                             : !strcmp(v, "back") ? 2 : -1;
            if (opt.counter_mode < 0)
                return usage();
            i++;
        } else if (!strcmp(a, "--status")) {
            long s = strtol(v, &e, 0);
            if (*e || s < 1 || s > 0xff)
                return usage();
            opt.status = (int)s, i++;
        } else if (!strcmp(a, "--attestation")) {
            if (strcmp(v, "packed") && strcmp(v, "none"))
                return usage();
            opt.attest_none = !strcmp(v, "none"), i++;
        } else if (!strcmp(a, "--max-seconds")) {
            opt.max_seconds = strtol(v, &e, 10);
            if (*e || opt.max_seconds < 1)
                return usage();
            i++;
        } else {
            return usage();
        }
    }
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    if (!opt.sock || strlen(opt.sock) >= sizeof sa.sun_path)
        return usage();
    memcpy(sa.sun_path, opt.sock, strlen(opt.sock) + 1);
    if (opt.state && state_load() != 0) {
        fprintf(stderr, "ctap_authenticator: %s: unreadable state\n", opt.state);
        return 1;
    }
    if (sa_new(&wrong, -7, "wrong.example", "") != 0 ||
        RAND_bytes((uint8_t *)&next_cid, sizeof next_cid) != 1) {
        fprintf(stderr, "ctap_authenticator: key generation failed\n");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    struct stat sb;
    if (lstat(opt.sock, &sb) == 0 && S_ISSOCK(sb.st_mode))
        unlink(opt.sock); /* a previous run's */
    int ls = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0 || bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 4) != 0) {
        fprintf(stderr, "ctap_authenticator: %s: %s\n", opt.sock, strerror(errno));
        return 1;
    }
    for (int c = 0; c < MAX_CONN; c++)
        conns[c].fd = -1;
    fprintf(stderr, "ctap_authenticator: listening on %s%s\n", opt.sock,
            have_cred ? " (credential loaded)" : "");
    long long end = now_ms() + opt.max_seconds * 1000;
    while (!stop && now_ms() < end) {
        struct pollfd pf[1 + MAX_CONN];
        int idx[1 + MAX_CONN], np = 1;
        pf[0] = (struct pollfd){ ls, POLLIN, 0 };
        for (int c = 0; c < MAX_CONN; c++)
            if (conns[c].fd >= 0) {
                pf[np] = (struct pollfd){ conns[c].fd, POLLIN, 0 };
                idx[np++] = c;
            }
        int r = poll(pf, (nfds_t)np, 100);
        if (r < 0 && errno != EINTR)
            break;
        if (tx.active && now_ms() - tx.last_ms > TX_TIMEOUT_MS) {
            tx.active = 0; /* the rest of the message never came */
            send_error(tx.conn, tx.cid, ERR_MSG_TIMEOUT);
        }
        if (r <= 0)
            continue;
        if (pf[0].revents & POLLIN) {
            int fd = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
            int c = 0;
            while (fd >= 0 && c < MAX_CONN && conns[c].fd >= 0)
                c++;
            if (fd >= 0 && c == MAX_CONN) {
                close(fd); /* all slots taken */
            } else if (fd >= 0) {
                struct timeval tv = { 2, 0 };
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
                conns[c].fd = fd;
                conns[c].in_len = 0;
            }
        }
        for (int j = 1; j < np; j++) {
            int c = idx[j];
            if (!(pf[j].revents & (POLLIN | POLLHUP | POLLERR)) || conns[c].fd < 0)
                continue;
            ssize_t m = recv(conns[c].fd, conns[c].in + conns[c].in_len,
                             REPORT - conns[c].in_len, 0);
            if (m <= 0) {
                if (m < 0 && errno == EINTR)
                    continue;
                conn_close(c);
                continue;
            }
            conns[c].in_len += (size_t)m;
            if (conns[c].in_len == REPORT) {
                conns[c].in_len = 0;
                report(c, conns[c].in);
            }
        }
    }
    for (int c = 0; c < MAX_CONN; c++)
        conn_close(c);
    close(ls);
    unlink(opt.sock);
    if (have_cred)
        sa_free(&cred);
    sa_free(&wrong);
    return 0;
}
