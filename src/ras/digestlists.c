/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * digestlists.c — adding a vendor's signed reference digest list (QDL1, docs/ATTESTATION.md)
 * to the NMS, shared by `qtpm-nms digestlist add` and POST /api/v1/digestlists.
 *
 * The vendor the list names must have been imported with its list keys; both signatures
 * (ML-DSA-65 and ECDSA P-384) are checked by qtpm_digestlist_verify; then a version not
 * newer than the stored one for the same vendor+image is refused as a rollback (409), and
 * the store deactivates the older versions in the same transaction as the insert.
 */
#include "ras.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qtpm/attest.h"

/* Sets the status and code; the caller has written res->message. */
static void fail(qtpm_ras_result *res, int status, const char *code)
{
    res->status = status;
    res->body = NULL;
    res->error = code;
}

void qtpm_ras_digestlist_add(qtpm_store *st, const uint8_t *buf, size_t len,
                             qtpm_ras_result *res)
{
    uint8_t *mpub = NULL;
    size_t mlen = 0, body_len = 0;
    char *pem = NULL;
    qtpm_digestlist peek, dl;
    memset(&peek, 0, sizeof peek);
    memset(&dl, 0, sizeof dl);
    if (qtpm_digestlist_parse_unverified(buf, len, &peek, &body_len) != QTPM_ATTEST_OK) {
        snprintf(res->message, sizeof res->message, "not a digest list");
        fail(res, 400, "bad-list");
        goto out;
    }
    int src = qtpm_store_vendor_keys(st, peek.vendor, &mpub, &mlen, &pem);
    if (src == QTPM_STORE_NOTFOUND || (src == 0 && (!mpub || !pem))) {
        snprintf(res->message, sizeof res->message, "vendor %.64s is not imported with its list keys (mldsa65_pub, ecdsa_p384_pem)",
                 peek.vendor);
        fail(res, 403, "vendor-unknown");
        goto out;
    }
    if (src) {
        snprintf(res->message, sizeof res->message, "%.200s", qtpm_store_errmsg(st));
        fail(res, 500, "store");
        goto out;
    }
    if (qtpm_digestlist_verify(buf, len, mpub, mlen, pem, &dl) != QTPM_ATTEST_OK) {
        snprintf(res->message, sizeof res->message, "a signature does not verify with vendor %.64s's keys", peek.vendor);
        fail(res, 403, "bad-signature");
        goto out;
    }
    uint64_t newest = 0;
    src = qtpm_store_digestlist_add(st, dl.vendor, dl.image, dl.version, buf, len, &newest);
    if (src == QTPM_STORE_CONFLICT) {
        snprintf(res->message, sizeof res->message, "rollback: %.64s version %llu is not newer than %llu", dl.image, (unsigned long long)dl.version, (unsigned long long)newest);
        fail(res, 409, "rollback");
        goto out;
    }
    if (src) {
        snprintf(res->message, sizeof res->message, "%.200s", qtpm_store_errmsg(st));
        fail(res, 500, "store");
        goto out;
    }
    res->status = 201;
    res->body = json_pack("{s:s,s:s,s:I,s:I}", "vendor", dl.vendor, "image", dl.image,
                          "version", (json_int_t)dl.version, "entries", (json_int_t)dl.count);
    if (!res->body) {
        snprintf(res->message, sizeof res->message, "out of memory");
        fail(res, 500, "internal");
    }
out:
    qtpm_digestlist_free(&peek);
    qtpm_digestlist_free(&dl);
    free(mpub);
    free(pem);
}
