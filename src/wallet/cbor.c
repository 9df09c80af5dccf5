/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cbor.c — the strict CBOR reader of cbor.h. A head is the initial byte
 * (major type in the top 3 bits, additional information in the low 5) and
 * 0/1/2/4/8 argument bytes (RFC 8949 §3). Rejected: additional information
 * 28-30 (reserved) and 31 (indefinite length, §3.2), an argument that would
 * fit a shorter head (§4.2.1), major type 6 (tags) and floats / simple
 * values other than 20-22 in major type 7. Lengths are checked against the
 * bytes that remain before anything is pointed at.
 */
#include "cbor.h"

void cbor_init(cbor_reader *r, const uint8_t *p, size_t len)
{
    r->p = p;
    r->len = len;
    r->off = 0;
}

static int head(const cbor_reader *r, int *major, uint64_t *arg, size_t *hlen)
{
    if (r->off >= r->len)
        return CBOR_E_MALFORMED;
    uint8_t ib = r->p[r->off];
    uint8_t ai = ib & 0x1f;
    size_t n;
    *major = ib >> 5;
    if (ai < 24) {
        *arg = ai;
        *hlen = 1;
    } else if (ai <= 27) {
        n = (size_t)1 << (ai - 24);
        if (r->len - r->off - 1 < n)
            return CBOR_E_MALFORMED;
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++)
            v = (v << 8) | r->p[r->off + 1 + i];
        /* shortest form only */
        if ((n == 1 && v < 24) || (n == 2 && v <= 0xff) || (n == 4 && v <= 0xffff) ||
            (n == 8 && v <= 0xffffffffULL))
            return CBOR_E_MALFORMED;
        *arg = v;
        *hlen = 1 + n;
    } else {
        return CBOR_E_MALFORMED; /* 28-30 reserved, 31 indefinite */
    }
    if (*major == 6)
        return CBOR_E_UNSUPPORTED;
    /* major 7: only false (20), true (21), null (22); floats and the
     * other simple values are not used by WebAuthn */
    if (*major == CBOR_SIMPLE && (ai >= 24 || *arg < 20 || *arg > 22))
        return CBOR_E_UNSUPPORTED;
    return 0;
}

int cbor_peek(const cbor_reader *r, int *major, uint64_t *arg)
{
    size_t h;
    return head(r, major, arg, &h);
}

static int skip_depth(cbor_reader *r, int depth)
{
    int major, rc;
    uint64_t arg;
    size_t h;
    if (depth > CBOR_MAX_DEPTH)
        return CBOR_E_DEPTH;
    if ((rc = head(r, &major, &arg, &h)) != 0)
        return rc;
    r->off += h;
    switch (major) {
    case CBOR_UINT:
    case CBOR_NINT:
    case CBOR_SIMPLE:
        return 0;
    case CBOR_BYTES:
    case CBOR_TEXT:
        if (arg > r->len - r->off)
            return CBOR_E_MALFORMED;
        r->off += (size_t)arg;
        return 0;
    case CBOR_ARRAY:
    case CBOR_MAP: {
        /* each element takes at least one byte: a count beyond the rest is
         * malformed, and bounds the loop */
        uint64_t items = major == CBOR_MAP ? arg * 2 : arg;
        if (arg > r->len - r->off || (major == CBOR_MAP && arg > (r->len - r->off) / 2))
            return CBOR_E_MALFORMED;
        for (uint64_t i = 0; i < items; i++)
            if ((rc = skip_depth(r, depth + 1)) != 0)
                return rc;
        return 0;
    }
    default:
        return CBOR_E_MALFORMED;
    }
}

int cbor_skip(cbor_reader *r)
{
    cbor_reader t = *r;
    int rc = skip_depth(&t, 0);
    if (rc == 0)
        *r = t;
    return rc;
}

int cbor_read_int(cbor_reader *r, int64_t *v)
{
    int major, rc;
    uint64_t arg;
    size_t h;
    if ((rc = head(r, &major, &arg, &h)) != 0)
        return rc;
    if ((major != CBOR_UINT && major != CBOR_NINT) || arg > (uint64_t)INT64_MAX)
        return CBOR_E_TYPE;
    *v = major == CBOR_UINT ? (int64_t)arg : -1 - (int64_t)arg;
    r->off += h;
    return 0;
}

/* The head of a string or container of major type want whose argument (its length or
 * its count of items, each at least one byte) fits in what is left of the input. */
static int head_sized(const cbor_reader *r, int want, uint64_t *arg, size_t *h)
{
    int major, rc;
    if ((rc = head(r, &major, arg, h)) != 0)
        return rc;
    if (major != want)
        return CBOR_E_TYPE;
    if (*arg > r->len - r->off - *h)
        return CBOR_E_MALFORMED;
    return 0;
}

static int read_string(cbor_reader *r, int want, const uint8_t **p, size_t *len)
{
    uint64_t arg;
    size_t h;
    int rc = head_sized(r, want, &arg, &h);
    if (rc != 0)
        return rc;
    *p = r->p + r->off + h;
    *len = (size_t)arg;
    r->off += h + (size_t)arg;
    return 0;
}

int cbor_read_bytes(cbor_reader *r, const uint8_t **p, size_t *len)
{
    return read_string(r, CBOR_BYTES, p, len);
}

int cbor_read_text(cbor_reader *r, const uint8_t **p, size_t *len)
{
    return read_string(r, CBOR_TEXT, p, len);
}

static int read_container(cbor_reader *r, int want, size_t *n)
{
    uint64_t arg;
    size_t h;
    int rc = head_sized(r, want, &arg, &h);
    if (rc != 0)
        return rc;
    *n = (size_t)arg;
    r->off += h;
    return 0;
}

int cbor_read_map(cbor_reader *r, size_t *pairs) { return read_container(r, CBOR_MAP, pairs); }
int cbor_read_array(cbor_reader *r, size_t *items) { return read_container(r, CBOR_ARRAY, items); }

int cbor_check(const uint8_t *buf, size_t len)
{
    cbor_reader r;
    cbor_init(&r, buf, len);
    int rc = cbor_skip(&r);
    if (rc == 0 && r.off != len)
        rc = CBOR_E_MALFORMED; /* trailing bytes */
    return rc;
}
