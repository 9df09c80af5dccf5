/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * eventlog.c — the TCG PC Client Platform Firmware Profile binary event log
 * (qtpm/eventlog.h): parsing of the crypto-agile and SHA-1 formats, and the
 * replay of the log into the PCR values it claims. The qtpm CLI's
 * `eventlog` subcommand prints what this finds; the NMS and the vTPM work
 * verify a router's or a VM's boot with it.
 *
 * The log is read with a cursor that never moves past the end: each field
 * is taken only after checking that its bytes are there, so a truncated or
 * lying log ends in a message ("event 5 at offset 0x1f4: the event data
 * (4096 bytes) runs past the end of the log") instead of a read out of
 * bounds. Nothing is copied: events point into the caller's buffer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/classic.h"
#include "qtpm/eventlog.h"

/* The TCG_EfiSpecIdEvent signature of the crypto-agile format (PFP
 * §10.4.5.1); TPM 1.2 logs use "Spec ID Event00" and the SHA-1 format. */
static const uint8_t spec_id_03[16] = "Spec ID Event03";
static const uint8_t startup_locality[16] = "StartupLocality";

typedef struct {
    const uint8_t *buf;
    size_t len, off;
} cursor;

static int take(cursor *c, size_t n, const uint8_t **p)
{
    if (c->len - c->off < n)
        return 0;
    *p = c->buf + c->off;
    c->off += n;
    return 1;
}

static int take_u32(cursor *c, uint32_t *v)
{
    const uint8_t *p;
    if (!take(c, 4, &p))
        return 0;
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return 1;
}

static int take_u16(cursor *c, uint16_t *v)
{
    const uint8_t *p;
    if (!take(c, 2, &p))
        return 0;
    *v = (uint16_t)(p[0] | p[1] << 8);
    return 1;
}

static int take_u8(cursor *c, uint8_t *v)
{
    const uint8_t *p;
    if (!take(c, 1, &p))
        return 0;
    *v = p[0];
    return 1;
}

static int fail(qtpm_eventlog *log, int rc, size_t event, size_t offset, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static int fail(qtpm_eventlog *log, int rc, size_t event, size_t offset, const char *fmt, ...)
{
    int n = snprintf(log->error, sizeof log->error, "event %zu at offset 0x%zx: ", event, offset);
    if (n < 0 || (size_t)n >= sizeof log->error)
        return rc;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(log->error + n, sizeof log->error - (size_t)n, fmt, ap);
    va_end(ap);
    return rc;
}

/* The hash algorithms we can replay, with their TPM digest sizes. */
static qtpm_hash_alg hash_of(TPMI_ALG_HASH alg)
{
    switch (alg) {
    case TPM_ALG_SHA1: return QTPM_HASH_SHA1;
    case TPM_ALG_SHA256: return QTPM_HASH_SHA256;
    case TPM_ALG_SHA384: return QTPM_HASH_SHA384;
    case TPM_ALG_SHA512: return QTPM_HASH_SHA512;
    case TPM_ALG_SHA3_256: return QTPM_HASH_SHA3_256;
    case TPM_ALG_SHA3_384: return QTPM_HASH_SHA3_384;
    case TPM_ALG_SHA3_512: return QTPM_HASH_SHA3_512;
    default: return QTPM_HASH_NONE;
    }
}

static int add_event(qtpm_eventlog *log, size_t *cap, const qtpm_evlog_event *ev)
{
    if (log->n_events == QTPM_EVLOG_MAX_EVENTS)
        return fail(log, QTPM_ATTEST_ERANGE, log->n_events, ev->offset,
                    "more than %d events", QTPM_EVLOG_MAX_EVENTS);
    if (log->n_events == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        qtpm_evlog_event *n = realloc(log->events, ncap * sizeof *n);
        if (!n)
            return fail(log, QTPM_ATTEST_ENOMEM, log->n_events, ev->offset, "out of memory");
        log->events = n;
        *cap = ncap;
    }
    log->events[log->n_events++] = *ev;
    return 0;
}

/* TCG_PCClientPCREvent (PFP §10.2.1): pcrIndex, eventType, SHA-1 digest,
 * eventDataSize, event. */
static int parse_sha1_event(qtpm_eventlog *log, cursor *c, qtpm_evlog_event *ev)
{
    size_t n = log->n_events;
    const uint8_t *d;
    memset(ev, 0, sizeof *ev);
    ev->offset = c->off;
    if (!take_u32(c, &ev->pcr) || !take_u32(c, &ev->type) || !take(c, 20, &d) ||
        !take_u32(c, &ev->data_size))
        return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                    "the log ends inside an event header (%zu bytes left, 32 needed)",
                    c->len - ev->offset);
    ev->digest_count = 1;
    ev->digests[0].alg = TPM_ALG_SHA1;
    ev->digests[0].digest = d;
    ev->digests[0].size = 20;
    if (!take(c, ev->data_size, &ev->data))
        return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                    "the event data (%u bytes) runs past the end of the log (%zu bytes left)",
                    ev->data_size, c->len - c->off);
    return 0;
}

/* TCG_EfiSpecIdEvent (PFP §10.4.5.1), the data of the first event. */
static int parse_spec_id(qtpm_eventlog *log, const qtpm_evlog_event *first)
{
    cursor c = { first->data, first->data_size, 16 };
    uint32_t n_algs;
    size_t at = first->offset + 32; /* where the event data starts */
    if (!take_u32(&c, &log->platform_class) || !take_u8(&c, &log->spec_version_minor) ||
        !take_u8(&c, &log->spec_version_major) || !take_u8(&c, &log->spec_errata) ||
        !take_u8(&c, &log->uintn_size) || !take_u32(&c, &n_algs))
        return fail(log, QTPM_ATTEST_EINVAL, 0, at,
                    "the Spec ID Event03 header is truncated (%u bytes of event data)",
                    first->data_size);
    if (n_algs == 0)
        return fail(log, QTPM_ATTEST_EINVAL, 0, at, "the Spec ID header lists no algorithm");
    if (n_algs > QTPM_EVLOG_MAX_ALGS)
        return fail(log, QTPM_ATTEST_ERANGE, 0, at,
                    "the Spec ID header lists %u algorithms (at most %d supported)", n_algs,
                    QTPM_EVLOG_MAX_ALGS);
    for (uint32_t i = 0; i < n_algs; i++) {
        qtpm_evlog_alg *a = &log->algs[i];
        if (!take_u16(&c, &a->alg) || !take_u16(&c, &a->size))
            return fail(log, QTPM_ATTEST_EINVAL, 0, at,
                        "the Spec ID header's algorithm list is truncated (%u announced)",
                        n_algs);
        qtpm_hash_alg h = hash_of(a->alg);
        if (h == QTPM_HASH_NONE)
            return fail(log, QTPM_ATTEST_EUNSUPP, 0, at,
                        "the Spec ID header lists algorithm 0x%04x, which is not a hash "
                        "qtpm can replay (sha1, sha256, sha384, sha512, sha3_256/384/512)",
                        a->alg);
        if (a->size != qtpm_hash_size(h))
            return fail(log, QTPM_ATTEST_EUNSUPP, 0, at,
                        "the Spec ID header gives algorithm 0x%04x a %u-byte digest "
                        "(its digests have %zu bytes)",
                        a->alg, a->size, qtpm_hash_size(h));
        for (uint32_t j = 0; j < i; j++)
            if (log->algs[j].alg == a->alg)
                return fail(log, QTPM_ATTEST_EINVAL, 0, at,
                            "the Spec ID header lists algorithm 0x%04x twice", a->alg);
    }
    log->n_algs = n_algs;
    const uint8_t *vi;
    if (!take_u8(&c, &log->vendor_info_size) || !take(&c, log->vendor_info_size, &vi))
        return fail(log, QTPM_ATTEST_EINVAL, 0, at,
                    "the Spec ID header's vendor information is truncated");
    log->vendor_info = log->vendor_info_size ? vi : NULL;
    if (c.off != c.len)
        return fail(log, QTPM_ATTEST_EINVAL, 0, at,
                    "the Spec ID header is %zu bytes but its event size says %u", c.off,
                    first->data_size);
    return 0;
}

/* TCG_PCR_EVENT2 (PFP §10.2.2): pcrIndex, eventType, TPML_DIGEST_VALUES
 * (count, then hashAlg and digest of the header's size), eventSize, event. */
static int parse_event2(qtpm_eventlog *log, cursor *c, qtpm_evlog_event *ev)
{
    size_t n = log->n_events;
    memset(ev, 0, sizeof *ev);
    ev->offset = c->off;
    if (!take_u32(c, &ev->pcr) || !take_u32(c, &ev->type) || !take_u32(c, &ev->digest_count))
        return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                    "the log ends inside an event header (%zu bytes left)",
                    c->len - ev->offset);
    if (ev->digest_count != log->n_algs)
        return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                    "the event has %u digests but the Spec ID header lists %u algorithms",
                    ev->digest_count, log->n_algs);
    for (uint32_t i = 0; i < ev->digest_count; i++) {
        qtpm_evlog_digest *d = &ev->digests[i];
        size_t at = c->off;
        if (!take_u16(c, &d->alg))
            return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                        "the log ends inside digest %u", i);
        uint32_t k;
        for (k = 0; k < log->n_algs && log->algs[k].alg != d->alg; k++)
            ;
        if (k == log->n_algs)
            return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                        "digest %u (at 0x%zx) is of algorithm 0x%04x, which the Spec ID "
                        "header does not list",
                        i, at, d->alg);
        for (uint32_t j = 0; j < i; j++)
            if (ev->digests[j].alg == d->alg)
                return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                            "two digests of algorithm 0x%04x", d->alg);
        d->size = log->algs[k].size;
        if (!take(c, d->size, &d->digest))
            return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                        "the log ends inside digest %u (%u bytes)", i, d->size);
    }
    if (!take_u32(c, &ev->data_size))
        return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                    "the log ends before the event size");
    if (!take(c, ev->data_size, &ev->data))
        return fail(log, QTPM_ATTEST_EINVAL, n, ev->offset,
                    "the event data (%u bytes) runs past the end of the log (%zu bytes left)",
                    ev->data_size, c->len - c->off);
    return 0;
}

int qtpm_eventlog_parse(const uint8_t *buf, size_t len, qtpm_eventlog *log)
{
    memset(log, 0, sizeof *log);
    if (!buf || len == 0)
        return fail(log, QTPM_ATTEST_EINVAL, 0, 0, "the log is empty");
    cursor c = { buf, len, 0 };
    size_t cap = 0;
    qtpm_evlog_event ev;
    /* The first event is always in the SHA-1 format; in an agile log it is
     * the Spec ID header. */
    int rc = parse_sha1_event(log, &c, &ev);
    if (rc)
        return rc;
    if (ev.type == QTPM_EV_NO_ACTION && ev.pcr == 0 && ev.data_size >= 16 &&
        !memcmp(ev.data, spec_id_03, 16)) {
        log->agile = 1;
        if ((rc = parse_spec_id(log, &ev)))
            return rc;
    }
    if (ev.pcr >= QTPM_EVLOG_PCRS)
        return fail(log, QTPM_ATTEST_EINVAL, 0, 0, "PCR index %u (PCRs are 0..23)", ev.pcr);
    if ((rc = add_event(log, &cap, &ev)))
        return rc;
    while (c.off < c.len) {
        /* Zero padding after the last event: at least the 8 bytes of a
         * PCR 0, type 0 header (where the kernel's reader stops too), so
         * that a log cut inside an event's first bytes is still an error. */
        size_t z = c.off;
        while (z < c.len && buf[z] == 0)
            z++;
        if (z == c.len && c.len - c.off >= 8) {
            log->padding = c.len - c.off;
            break;
        }
        rc = log->agile ? parse_event2(log, &c, &ev) : parse_sha1_event(log, &c, &ev);
        if (rc)
            return rc;
        if (ev.pcr >= QTPM_EVLOG_PCRS)
            return fail(log, QTPM_ATTEST_EINVAL, log->n_events, ev.offset,
                        "PCR index %u (PCRs are 0..23)", ev.pcr);
        if ((rc = add_event(log, &cap, &ev)))
            return rc;
    }
    return 0;
}

void qtpm_eventlog_free(qtpm_eventlog *log)
{
    if (!log)
        return;
    free(log->events);
    log->events = NULL;
    log->n_events = 0;
}

/* new = H(old ‖ digest) (Part 1 §17.2, PCR extend). */
static int extend(qtpm_evlog_bank *b, uint32_t pcr, const uint8_t *digest)
{
    qtpm_hash_ctx h;
    if (qtpm_hash_init(&h, hash_of(b->alg)))
        return QTPM_ATTEST_EUNSUPP;
    if (qtpm_hash_update(&h, b->pcr[pcr], b->size) || qtpm_hash_update(&h, digest, b->size)) {
        qtpm_hash_free(&h);
        return QTPM_ATTEST_EUNSUPP;
    }
    if (qtpm_hash_final(&h, b->pcr[pcr]))
        return QTPM_ATTEST_EUNSUPP;
    return 0;
}

int qtpm_eventlog_replay(const qtpm_eventlog *log, qtpm_evlog_pcrs *out)
{
    memset(out, 0, sizeof *out);
    if (log->agile) {
        out->n_banks = log->n_algs;
        for (uint32_t i = 0; i < log->n_algs; i++) {
            out->banks[i].alg = log->algs[i].alg;
            out->banks[i].size = log->algs[i].size;
        }
    } else {
        out->n_banks = 1;
        out->banks[0].alg = TPM_ALG_SHA1;
        out->banks[0].size = 20;
    }
    /* extended[i]: PCRs of bank i extended so far (the start value of PCR 0
     * may be set only before its first extension). used, as tpm2_eventlog
     * reports it, also counts EV_NO_ACTION events of an agile log. */
    uint32_t extended[QTPM_EVLOG_MAX_ALGS] = { 0 };
    /* events[0] of an agile log is the Spec ID header: not a measurement. */
    for (size_t e = log->agile ? 1 : 0; e < log->n_events; e++) {
        const qtpm_evlog_event *ev = &log->events[e];
        for (uint32_t d = 0; d < ev->digest_count; d++) {
            uint32_t k = 0;
            while (k < out->n_banks && out->banks[k].alg != ev->digests[d].alg)
                k++;
            if (k == out->n_banks || ev->pcr >= QTPM_EVLOG_PCRS ||
                ev->digests[d].size != out->banks[k].size)
                return QTPM_ATTEST_EINVAL; /* the parser refuses such logs */
            qtpm_evlog_bank *b = &out->banks[k];
            uint32_t bit = 1U << ev->pcr;
            if (ev->type == QTPM_EV_NO_ACTION) {
                /* PFP §10.4.5.3: "StartupLocality\0" and one byte, the
                 * locality from which TPM2_Startup was sent; PCR 0 then
                 * starts at that value instead of zero. */
                if (ev->pcr == 0 && ev->data_size == 17 &&
                    !memcmp(ev->data, startup_locality, 16) && !(extended[k] & 1U))
                    b->pcr[0][b->size - 1] = ev->data[16];
                if (log->agile)
                    b->used |= bit;
                continue;
            }
            /* An H-CRTM sequence (Part 1 §34.3) starts PCR 0 at 4. */
            if (ev->type == QTPM_EV_EFI_HCRTM_EVENT && ev->pcr == 0 && !(extended[k] & 1U))
                b->pcr[0][b->size - 1] = 4;
            int rc = extend(b, ev->pcr, ev->digests[d].digest);
            if (rc)
                return rc;
            extended[k] |= bit;
            b->used |= bit;
        }
    }
    return 0;
}

static const struct {
    uint32_t type;
    const char *name;
} type_names[] = {
    { 0x00000000U, "EV_PREBOOT_CERT" }, { 0x00000001U, "EV_POST_CODE" },
    { 0x00000002U, "EV_UNUSED" }, { 0x00000003U, "EV_NO_ACTION" },
    { 0x00000004U, "EV_SEPARATOR" }, { 0x00000005U, "EV_ACTION" },
    { 0x00000006U, "EV_EVENT_TAG" }, { 0x00000007U, "EV_S_CRTM_CONTENTS" },
    { 0x00000008U, "EV_S_CRTM_VERSION" }, { 0x00000009U, "EV_CPU_MICROCODE" },
    { 0x0000000AU, "EV_PLATFORM_CONFIG_FLAGS" }, { 0x0000000BU, "EV_TABLE_OF_DEVICES" },
    { 0x0000000CU, "EV_COMPACT_HASH" }, { 0x0000000DU, "EV_IPL" },
    { 0x0000000EU, "EV_IPL_PARTITION_DATA" }, { 0x0000000FU, "EV_NONHOST_CODE" },
    { 0x00000010U, "EV_NONHOST_CONFIG" }, { 0x00000011U, "EV_NONHOST_INFO" },
    { 0x00000012U, "EV_OMIT_BOOT_DEVICE_EVENTS" },
    { 0x80000001U, "EV_EFI_VARIABLE_DRIVER_CONFIG" }, { 0x80000002U, "EV_EFI_VARIABLE_BOOT" },
    { 0x80000003U, "EV_EFI_BOOT_SERVICES_APPLICATION" },
    { 0x80000004U, "EV_EFI_BOOT_SERVICES_DRIVER" },
    { 0x80000005U, "EV_EFI_RUNTIME_SERVICES_DRIVER" }, { 0x80000006U, "EV_EFI_GPT_EVENT" },
    { 0x80000007U, "EV_EFI_ACTION" }, { 0x80000008U, "EV_EFI_PLATFORM_FIRMWARE_BLOB" },
    { 0x80000009U, "EV_EFI_HANDOFF_TABLES" }, { 0x8000000AU, "EV_EFI_PLATFORM_FIRMWARE_BLOB2" },
    { 0x8000000BU, "EV_EFI_HANDOFF_TABLES2" }, { 0x8000000CU, "EV_EFI_VARIABLE_BOOT2" },
    { 0x80000010U, "EV_EFI_HCRTM_EVENT" }, { 0x800000E0U, "EV_EFI_VARIABLE_AUTHORITY" },
    { 0x800000E1U, "EV_EFI_SPDM_FIRMWARE_BLOB" }, { 0x800000E2U, "EV_EFI_SPDM_FIRMWARE_CONFIG" },
};

const char *qtpm_eventlog_type_name(uint32_t type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return NULL;
}
