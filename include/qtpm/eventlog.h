/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qtpm/eventlog.h — part of libqtpm-attest: the firmware's measurement log,
 * the binary event log of the TCG PC Client Platform Firmware Profile (PFP,
 * version 1.05, §10), as SeaBIOS, EDK2/OVMF and other firmware leave it for
 * the kernel (/sys/kernel/security/tpm0/binary_bios_measurements).
 *
 * Two formats exist and both are read:
 *   - crypto-agile (PFP §10.2.2): a first TCG_PCClientPCREvent of type
 *     EV_NO_ACTION whose data is the TCG_EfiSpecIdEvent "Spec ID Event03"
 *     (§10.4.5.1) listing the algorithms and their digest sizes, then
 *     TCG_PCR_EVENT2 records carrying one digest per listed algorithm;
 *   - the SHA-1 format (TPM 1.2 era, §10.2.1): TCG_PCClientPCREvent records
 *     only, one SHA-1 digest each.
 * All integers are little-endian, as the spec mandates.
 *
 * Parsing is strict, because a log is untrusted input (it comes from the
 * firmware through the agent): every size is checked against what is left,
 * the header's algorithms must be ones we can hash and have their standard
 * digest sizes, every event must carry exactly the header's algorithms, and
 * PCR indices are 0..23. A failure sets a message naming the event and byte
 * offset. Eight or more zero bytes after the last event end the log (the
 * firmware's log area as the ACPI TPM2 table exposes it is padded so; the
 * kernel's reader stops at such a PCR 0, type 0 header too) and are counted
 * in `padding`. The parsed log points into the caller's buffer, which must outlive
 * it. qtpm_eventlog_replay() then recomputes the PCR values the log claims,
 * for comparison with a quote or PCR_Read (PFP §10.2.3, and the
 * StartupLocality and H-CRTM rules for PCR 0).
 */
#ifndef QTPM_EVENTLOG_H
#define QTPM_EVENTLOG_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/attest.h"
#include "qtpm/tpm2_types.h"

#define QTPM_EVLOG_MAX_ALGS 8      /* banks a header may list */
#define QTPM_EVLOG_PCRS 24         /* PCRs 0..23 (PFP §2.3.4) */
#define QTPM_EVLOG_MAX_EVENTS 100000
#define QTPM_EVLOG_MAX_DIGEST 64

/* Event types of PFP §10.4.1 that the tools name. */
#define QTPM_EV_PREBOOT_CERT 0x00000000U
#define QTPM_EV_POST_CODE 0x00000001U
#define QTPM_EV_NO_ACTION 0x00000003U
#define QTPM_EV_SEPARATOR 0x00000004U
#define QTPM_EV_ACTION 0x00000005U
#define QTPM_EV_S_CRTM_VERSION 0x00000008U
#define QTPM_EV_IPL 0x0000000DU
#define QTPM_EV_EFI_HCRTM_EVENT 0x80000010U

typedef struct {
    TPMI_ALG_HASH alg;
    uint16_t size;
} qtpm_evlog_alg;

typedef struct {
    TPMI_ALG_HASH alg;
    const uint8_t *digest; /* size bytes, inside the log */
    uint16_t size;
} qtpm_evlog_digest;

typedef struct {
    size_t offset;         /* of the event's first byte in the log */
    uint32_t pcr;
    uint32_t type;
    uint32_t digest_count; /* 1 (SHA-1) in the SHA-1 format */
    qtpm_evlog_digest digests[QTPM_EVLOG_MAX_ALGS];
    const uint8_t *data;   /* the event data, inside the log */
    uint32_t data_size;
} qtpm_evlog_event;

typedef struct {
    int agile;             /* 1: crypto-agile with Spec ID Event03; 0: SHA-1 format */
    /* TCG_EfiSpecIdEvent (agile only; events[0] is the header event itself) */
    uint32_t platform_class;
    uint8_t spec_version_minor, spec_version_major, spec_errata, uintn_size;
    uint32_t n_algs;
    qtpm_evlog_alg algs[QTPM_EVLOG_MAX_ALGS];
    const uint8_t *vendor_info;
    uint8_t vendor_info_size;
    qtpm_evlog_event *events;
    size_t n_events;
    size_t padding;        /* zero bytes after the last event (a firmware log area) */
    char error[200];       /* why parsing failed (empty on success) */
} qtpm_eventlog;

/* Parses a binary event log of len bytes (either format, detected from the
 * first event). Returns 0, QTPM_ATTEST_EINVAL (malformed: truncated, a size
 * that runs past the end, a digest count or algorithm that does not match
 * the header, a PCR index above 23), QTPM_ATTEST_EUNSUPP (the header lists
 * an algorithm we cannot hash or gives a non-standard digest size),
 * QTPM_ATTEST_ERANGE (too many algorithms or events) or
 * QTPM_ATTEST_ENOMEM. On failure log->error says why; log must still be
 * freed. */
int qtpm_eventlog_parse(const uint8_t *buf, size_t len, qtpm_eventlog *log);
void qtpm_eventlog_free(qtpm_eventlog *log);

/* The PCR values the log leads to, per bank. */
typedef struct {
    TPMI_ALG_HASH alg;
    uint16_t size;
    uint32_t used; /* bit i: PCR i was extended (or given a locality) by the log */
    uint8_t pcr[QTPM_EVLOG_PCRS][QTPM_EVLOG_MAX_DIGEST];
} qtpm_evlog_bank;

typedef struct {
    uint32_t n_banks;
    qtpm_evlog_bank banks[QTPM_EVLOG_MAX_ALGS];
} qtpm_evlog_pcrs;

/* Replays the log: every PCR starts at zero, EV_NO_ACTION events are not
 * extended, an EV_NO_ACTION "StartupLocality" event on PCR 0 makes PCR 0
 * start at the locality (PFP §10.4.5.3), an EV_EFI_HCRTM_EVENT at 4 (Part 1
 * §34.3); every other event extends PCR[pcr] of each bank with its digest:
 * new = H(old ‖ digest). Returns 0 or a QTPM_ATTEST_E* code. */
int qtpm_eventlog_replay(const qtpm_eventlog *log, qtpm_evlog_pcrs *out);

/* "EV_POST_CODE", "EV_EFI_VARIABLE_BOOT" ...; NULL for an unknown type. */
const char *qtpm_eventlog_type_name(uint32_t type);

#endif
