/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cursor.h — the engine's byte cursors and response-code helpers.
 *
 * The lowest layer of the engine: a reader (tpm_rd) and a writer (tpm_wr)
 * over a caller's buffer, big-endian as every TPM field is, and the macros
 * that put a handle, parameter or session number into a format-1 response
 * code. It depends on nothing of the engine, so every engine file (and the
 * command-table code of dispatch.c) can include it alone.
 */
#ifndef QTPM_ENGINE_CURSOR_H
#define QTPM_ENGINE_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "qtpm/marshal.h"
#include "qtpm/tpm2_types.h"

/* ------------------------------------------------------------ byte cursors */

typedef struct {
    const uint8_t *p;
    size_t len;
    size_t off;
} tpm_rd;

typedef struct {
    uint8_t *p;
    size_t cap;
    size_t off;
    int overflow; /* set once a write did not fit; later writes are dropped */
} tpm_wr;

static inline size_t rd_left(const tpm_rd *r) { return r->len - r->off; }

static inline int rd_u8(tpm_rd *r, uint8_t *v)
{
    if (rd_left(r) < 1)
        return -1;
    *v = r->p[r->off++];
    return 0;
}

static inline int rd_u16(tpm_rd *r, uint16_t *v)
{
    if (rd_left(r) < 2)
        return -1;
    *v = (uint16_t)((r->p[r->off] << 8) | r->p[r->off + 1]);
    r->off += 2;
    return 0;
}

static inline int rd_u32(tpm_rd *r, uint32_t *v)
{
    if (rd_left(r) < 4)
        return -1;
    const uint8_t *p = r->p + r->off;
    *v = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
    r->off += 4;
    return 0;
}

static inline int rd_u64(tpm_rd *r, uint64_t *v)
{
    uint32_t hi = 0, lo = 0;
    if (rd_left(r) < 8)
        return -1;
    rd_u32(r, &hi);
    rd_u32(r, &lo);
    *v = ((uint64_t)hi << 32) | lo;
    return 0;
}

static inline int rd_bytes(tpm_rd *r, uint8_t *dst, size_t n)
{
    if (rd_left(r) < n)
        return -1;
    if (n)
        memcpy(dst, r->p + r->off, n);
    r->off += n;
    return 0;
}

/* A TPM2B: 16-bit size then that many bytes, which must fit in cap. Returns
 * -1 if the input is short, -2 if the size exceeds cap. */
static inline int rd_2b(tpm_rd *r, uint8_t *dst, size_t cap, uint16_t *size)
{
    uint16_t n;
    if (rd_u16(r, &n) != 0)
        return -1;
    if (n > cap)
        return -2;
    if (rd_bytes(r, dst, n) != 0)
        return -1;
    *size = n;
    return 0;
}

static inline void wr_bytes(tpm_wr *w, const void *src, size_t n)
{
    if (w->overflow || w->cap - w->off < n) {
        w->overflow = 1;
        return;
    }
    if (n)
        memcpy(w->p + w->off, src, n);
    w->off += n;
}

static inline void wr_u8(tpm_wr *w, uint8_t v) { wr_bytes(w, &v, 1); }

static inline void wr_u16(tpm_wr *w, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    wr_bytes(w, b, 2);
}

static inline void wr_u32(tpm_wr *w, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    wr_bytes(w, b, 4);
}

static inline void wr_u64(tpm_wr *w, uint64_t v)
{
    wr_u32(w, (uint32_t)(v >> 32));
    wr_u32(w, (uint32_t)v);
}

static inline void wr_2b(tpm_wr *w, const uint8_t *src, uint16_t n)
{
    wr_u16(w, n);
    wr_bytes(w, src, n);
}

static inline void wr_put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void wr_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* ------------------------------------------------------------ response codes */

/* Format-1 codes carry the number of the failing handle, parameter or
 * session (Part 2 §6.6.3). n is 1-based. */
#define RC_H(rc, n) ((TPM_RC)(rc) | ((TPM_RC)(n) << 8))
#define RC_P(rc, n) ((TPM_RC)(rc) | TPM_RC_P | ((TPM_RC)(n) << 8))
#define RC_S(rc, n) ((TPM_RC)(rc) | TPM_RC_S | ((TPM_RC)(n) << 8))

/* A TPM2B command parameter through rd_2b, its failure as the response code
 * Part 3 §5 asks for: TPM_RC_SIZE when the size exceeds the buffer the
 * parameter's type allows, TPM_RC_INSUFFICIENT when the input ends first.
 * rd_2b_rc gives the bare code (for a field inside a structure whose caller
 * numbers the parameter); rd_2b_param numbers it as parameter pnum. */
static inline TPM_RC rd_2b_rc(tpm_rd *r, uint8_t *dst, size_t cap, uint16_t *size)
{
    int e = rd_2b(r, dst, cap, size);
    if (e == 0)
        return TPM_RC_SUCCESS;
    return e == -2 ? TPM_RC_SIZE : TPM_RC_INSUFFICIENT;
}

static inline TPM_RC rd_2b_param(tpm_rd *r, uint8_t *dst, size_t cap, uint16_t *size,
                                 unsigned pnum)
{
    TPM_RC rc = rd_2b_rc(r, dst, cap, size);
    return rc == TPM_RC_SUCCESS ? rc : RC_P(rc, pnum);
}

/* Command parameters read in order, each numbered as it is read, so a
 * handler no longer counts parameter numbers by hand (issue 11). n is the
 * number of the parameter read last (1-based, Part 2 §6.6.3). The first
 * failure sticks: later reads do nothing and return it, and n stays at the
 * failing parameter, so a handler may read several parameters and test rc
 * once. A handler that validates a value between two reads (as the
 * reference TPM does) calls prm_fail with the bare code, which numbers it
 * as the parameter read last. */
typedef struct {
    tpm_rd *r;
    unsigned n;
    TPM_RC rc;
} tpm_params;

static inline tpm_params prm_begin(tpm_rd *r)
{
    tpm_params p = {r, 0, TPM_RC_SUCCESS};
    return p;
}

static inline TPM_RC prm_fail(tpm_params *p, TPM_RC rc)
{
    if (p->rc == TPM_RC_SUCCESS && rc != TPM_RC_SUCCESS)
        p->rc = RC_P(rc, p->n);
    return p->rc;
}

/* Starts the next parameter; 0 once a parameter has failed. */
static inline int prm_next(tpm_params *p)
{
    if (p->rc != TPM_RC_SUCCESS)
        return 0;
    p->n++;
    return 1;
}

static inline TPM_RC prm_u8(tpm_params *p, uint8_t *v)
{
    if (prm_next(p) && rd_u8(p->r, v) != 0)
        prm_fail(p, TPM_RC_INSUFFICIENT);
    return p->rc;
}

static inline TPM_RC prm_u16(tpm_params *p, uint16_t *v)
{
    if (prm_next(p) && rd_u16(p->r, v) != 0)
        prm_fail(p, TPM_RC_INSUFFICIENT);
    return p->rc;
}

static inline TPM_RC prm_u32(tpm_params *p, uint32_t *v)
{
    if (prm_next(p) && rd_u32(p->r, v) != 0)
        prm_fail(p, TPM_RC_INSUFFICIENT);
    return p->rc;
}

static inline TPM_RC prm_2b(tpm_params *p, uint8_t *dst, size_t cap, uint16_t *size)
{
    if (prm_next(p))
        prm_fail(p, rd_2b_rc(p->r, dst, cap, size));
    return p->rc;
}

/* A ticket (TPMT_TK_CREATION, TPMT_TK_HASHCHECK, TPMT_TK_AUTH; Part 2 §10.6)
 * as the next parameter: tag, hierarchy and digest under one number. */
static inline TPM_RC prm_ticket(tpm_params *p, uint16_t *tag, uint32_t *hier, uint8_t *digest,
                                size_t cap, uint16_t *len)
{
    if (!prm_next(p))
        return p->rc;
    if (rd_u16(p->r, tag) || rd_u32(p->r, hier))
        return prm_fail(p, TPM_RC_INSUFFICIENT);
    return prm_fail(p, rd_2b_rc(p->r, digest, cap, len));
}

/* Writes a TPM structure through the shared marshalling module
 * (qtpm/marshal.h) at the writer's position: wr_marshal(w, TPMS_ATTEST, &a).
 * A failure (no room, or a value the type cannot hold) marks the writer as
 * overflowed, as a short wr_* does, and writes nothing. */
static inline size_t wr_limit(const tpm_wr *w) { return w->overflow ? w->off : w->cap; }

static inline void wr_marshalled(tpm_wr *w, TPM_RC rc)
{
    if (rc != TPM_RC_SUCCESS)
        w->overflow = 1;
}

#define wr_marshal(w, type, src) \
    wr_marshalled((w), qtpm_##type##_marshal((src), (w)->p, wr_limit(w), &(w)->off))

#endif
