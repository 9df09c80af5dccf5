/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * base.c — the primitives all other marshalling builds on: big-endian
 * integers (Part 1 §9.1: TPM 2.0 is big-endian on the wire), byte arrays,
 * TPM2B byte buffers and the size prefix of sized structures.
 *
 * Marshal functions accept buf == NULL to only count bytes (size is then
 * ignored), which lets callers compute a structure's length before writing.
 * Unmarshal functions never read at or past buf[size].
 */
#include <string.h>

#include "marshal_internal.h"

/* True when n bytes fit between *offset and size. Written so that it cannot
 * overflow whatever offset a caller passes. */
static int fits(size_t size, size_t offset, size_t n)
{
    return offset <= size && size - offset >= n;
}

static TPM_RC put_be(uint64_t v, unsigned n, uint8_t buf[], size_t size, size_t *offset)
{
    if (buf != NULL) {
        if (!fits(size, *offset, n))
            return TPM_RC_SIZE;
        for (unsigned i = 0; i < n; i++)
            buf[*offset + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    }
    *offset += n;
    return TPM_RC_SUCCESS;
}

static TPM_RC get_be(uint64_t *v, unsigned n, const uint8_t buf[], size_t size, size_t *offset)
{
    if (buf == NULL || !fits(size, *offset, n))
        return TPM_RC_INSUFFICIENT;
    uint64_t x = 0;
    for (unsigned i = 0; i < n; i++)
        x = (x << 8) | buf[*offset + i];
    *v = x;
    *offset += n;
    return TPM_RC_SUCCESS;
}

/* n bytes of two's complement (INT8, INT32) as a signed value, without an
 * implementation-defined conversion. */
static TPM_RC get_signed(int64_t *v, unsigned n, const uint8_t buf[], size_t size, size_t *offset)
{
    uint64_t u;
    TRY(get_be(&u, n, buf, size, offset));
    uint64_t sign = (uint64_t)1 << (8 * n - 1);
    *v = (u & sign) ? -(int64_t)(2 * sign - u) : (int64_t)u;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_UINT8_marshal(const UINT8 *src, uint8_t buf[], size_t size, size_t *offset)
{
    return put_be(*src, 1, buf, size, offset);
}

TPM_RC qtpm_UINT8_unmarshal(UINT8 *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    uint64_t v;
    TRY(get_be(&v, 1, buf, size, offset));
    *dst = (UINT8)v;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_INT8_marshal(const INT8 *src, uint8_t buf[], size_t size, size_t *offset)
{
    return put_be((uint8_t)*src, 1, buf, size, offset);
}

TPM_RC qtpm_INT8_unmarshal(INT8 *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    int64_t v;
    TRY(get_signed(&v, 1, buf, size, offset));
    *dst = (INT8)v;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_UINT16_marshal(const UINT16 *src, uint8_t buf[], size_t size, size_t *offset)
{
    return put_be(*src, 2, buf, size, offset);
}

TPM_RC qtpm_UINT16_unmarshal(UINT16 *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    uint64_t v;
    TRY(get_be(&v, 2, buf, size, offset));
    *dst = (UINT16)v;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_UINT32_marshal(const UINT32 *src, uint8_t buf[], size_t size, size_t *offset)
{
    return put_be(*src, 4, buf, size, offset);
}

TPM_RC qtpm_UINT32_unmarshal(UINT32 *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    uint64_t v;
    TRY(get_be(&v, 4, buf, size, offset));
    *dst = (UINT32)v;
    return TPM_RC_SUCCESS;
}

/* INT32 (Part 2 §5.1): two's complement, as PolicySigned's and
 * PolicySecret's expiration (Part 3 §23.3, §23.4). */
TPM_RC qtpm_INT32_marshal(const INT32 *src, uint8_t buf[], size_t size, size_t *offset)
{
    UINT32 bits = (UINT32)*src; /* C11 §6.3.1.3: modulo 2^32, the same bits */
    return qtpm_UINT32_marshal(&bits, buf, size, offset);
}

TPM_RC qtpm_INT32_unmarshal(INT32 *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    int64_t v;
    TRY(get_signed(&v, 4, buf, size, offset));
    *dst = (INT32)v;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_UINT64_marshal(const UINT64 *src, uint8_t buf[], size_t size, size_t *offset)
{
    return put_be(*src, 8, buf, size, offset);
}

TPM_RC qtpm_UINT64_unmarshal(UINT64 *dst, const uint8_t buf[], size_t size, size_t *offset)
{
    return get_be(dst, 8, buf, size, offset);
}

TPM_RC qtpm_BYTE_array_marshal(const BYTE *src, size_t n, uint8_t buf[], size_t size,
                               size_t *offset)
{
    if (buf != NULL) {
        if (!fits(size, *offset, n))
            return TPM_RC_SIZE;
        if (n > 0)
            memcpy(buf + *offset, src, n);
    }
    *offset += n;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_BYTE_array_unmarshal(BYTE *dst, size_t n, const uint8_t buf[], size_t size,
                                 size_t *offset)
{
    if (n == 0)
        return TPM_RC_SUCCESS;
    if (buf == NULL || !fits(size, *offset, n))
        return TPM_RC_INSUFFICIENT;
    memcpy(dst, buf + *offset, n);
    *offset += n;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_m_tpm2b_marshal(uint16_t len, const uint8_t *data, size_t cap, uint8_t buf[],
                            size_t size, size_t *offset)
{
    if (len > cap)
        return TPM_RC_SIZE;
    size_t o = *offset;
    TRY(qtpm_UINT16_marshal(&len, buf, size, &o));
    TRY(qtpm_BYTE_array_marshal(data, len, buf, size, &o));
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_m_tpm2b_unmarshal(uint16_t *len, uint8_t *data, size_t cap, const uint8_t buf[],
                              size_t size, size_t *offset)
{
    size_t o = *offset;
    uint16_t n;
    TRY(qtpm_UINT16_unmarshal(&n, buf, size, &o));
    /* Part 2 §10.3: a size larger than the buffer's maximum is TPM_RC_SIZE,
     * checked before the bytes are looked at. */
    if (n > cap)
        return TPM_RC_SIZE;
    TRY(qtpm_BYTE_array_unmarshal(data, n, buf, size, &o));
    *len = n;
    *offset = o;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_m_sized_begin(uint8_t buf[], size_t size, size_t *offset, size_t *size_at)
{
    UINT16 placeholder = 0;
    *size_at = *offset;
    return qtpm_UINT16_marshal(&placeholder, buf, size, offset);
}

TPM_RC qtpm_m_sized_end(uint8_t buf[], size_t size_at, size_t offset)
{
    size_t inner = offset - size_at - 2;
    if (inner > 0xFFFF)
        return TPM_RC_SIZE;
    if (buf != NULL) {
        buf[size_at] = (uint8_t)(inner >> 8);
        buf[size_at + 1] = (uint8_t)inner;
    }
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_m_sized_open(const uint8_t buf[], size_t size, size_t *offset, size_t *inner_end)
{
    UINT16 n;
    TRY(qtpm_UINT16_unmarshal(&n, buf, size, offset));
    if (n == 0)
        return TPM_RC_SIZE;
    if (!fits(size, *offset, n))
        return TPM_RC_INSUFFICIENT;
    *inner_end = *offset + n;
    return TPM_RC_SUCCESS;
}

TPM_RC qtpm_m_sized_close(TPM_RC inner_rc, size_t offset, size_t inner_end)
{
    if (inner_rc == TPM_RC_INSUFFICIENT)
        return TPM_RC_SIZE;
    if (inner_rc != TPM_RC_SUCCESS)
        return inner_rc;
    return offset == inner_end ? TPM_RC_SUCCESS : TPM_RC_SIZE;
}
