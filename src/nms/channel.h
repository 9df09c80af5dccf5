/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * channel.h — the bind request's parser (channel.c), apart for the fuzz target
 * (tests/fuzz/fuzz_nms_channel.c).
 */
#ifndef QTPM_NMS_CHANNEL_H
#define QTPM_NMS_CHANNEL_H

#include <jansson.h>

#include "qtpm/tpm2_types.h"

/* {"router": s, "bind_pub": base64 TPM2B_PUBLIC, "signature": base64 TPMT_SIGNATURE},
 * nothing else, each field at most 8 KiB and decoding with nothing left over. 0 or -1;
 * *router points into body. */
int qtpm_nms_channel_parse_bind(const json_t *body, const char **router, TPM2B_PUBLIC *pub,
                                TPMT_SIGNATURE *sig);

#endif
