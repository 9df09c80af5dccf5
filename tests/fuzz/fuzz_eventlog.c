/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_eventlog.c — libFuzzer target for libqtpm-attest's TCG PC Client
 * event log parser (src/attest/eventlog.c), which reads what a router's or
 * a VM's firmware left behind: untrusted input. Whatever the parser
 * accepts must account for every byte of the input (the encoded sizes of
 * its events and the zero padding after them add up to the length), point only inside the input, and
 * replay without error; whatever it refuses must come with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/eventlog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    qtpm_eventlog log;
    int rc = qtpm_eventlog_parse(data, size, &log);
    if (rc != 0) {
        if (log.error[0] == 0)
            abort();
        qtpm_eventlog_free(&log);
        return 0;
    }
    if (log.n_events == 0)
        abort();
    size_t total = 0;
    for (size_t i = 0; i < log.n_events; i++) {
        const qtpm_evlog_event *e = &log.events[i];
        if (e->offset != total || e->pcr >= QTPM_EVLOG_PCRS)
            abort();
        size_t n = 4 + 4 + 4 + (size_t)e->data_size; /* pcr, type, size, data */
        if (!log.agile || i == 0) {
            n += 20;
        } else {
            n += 4; /* digest count */
            for (uint32_t d = 0; d < e->digest_count; d++)
                n += 2 + (size_t)e->digests[d].size;
        }
        if (e->data_size && (e->data < data || e->data + e->data_size > data + size))
            abort();
        for (uint32_t d = 0; d < e->digest_count; d++)
            if (e->digests[d].digest < data || e->digests[d].digest + e->digests[d].size > data + size)
                abort();
        total += n;
    }
    if (total + log.padding != size)
        abort();
    for (size_t i = total; i < size; i++)
        if (data[i] != 0)
            abort();
    qtpm_evlog_pcrs pcrs;
    if (qtpm_eventlog_replay(&log, &pcrs) != 0)
        abort();
    qtpm_eventlog_free(&log);
    return 0;
}
