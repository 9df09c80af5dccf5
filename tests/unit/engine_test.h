/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * engine_test.h — a small command builder and runner shared by the engine
 * unit tests (test_engine_*.c). Commands are assembled by hand, big-endian,
 * exactly as a TSS would send them, and run in-process through
 * qtpm_tpm_execute(); responses are parsed with the same cursor helpers.
 *
 * Everything is static inline so each test program includes its own copy.
 */
#ifndef QTPM_ENGINE_TEST_H
#define QTPM_ENGINE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "qtpm/engine.h"
#include "qtpm/tpm2_types.h"

typedef struct {
    uint8_t b[QTPM_MAX_COMMAND_SIZE];
    size_t n;
    size_t auth_at;   /* where the authorizationSize goes, 0 if none */
    size_t param_at;  /* where the parameters start */
} cmdbuf;

typedef struct {
    uint8_t b[QTPM_MAX_RESPONSE_SIZE];
    size_t n;
    size_t off; /* read cursor */
} rspbuf;

static inline void cb_u8(cmdbuf *c, uint8_t v) { c->b[c->n++] = v; }
static inline void cb_u16(cmdbuf *c, uint16_t v)
{
    cb_u8(c, (uint8_t)(v >> 8));
    cb_u8(c, (uint8_t)v);
}
static inline void cb_u32(cmdbuf *c, uint32_t v)
{
    cb_u16(c, (uint16_t)(v >> 16));
    cb_u16(c, (uint16_t)v);
}
static inline void cb_u64(cmdbuf *c, uint64_t v)
{
    cb_u32(c, (uint32_t)(v >> 32));
    cb_u32(c, (uint32_t)v);
}
static inline void cb_bytes(cmdbuf *c, const void *p, size_t n)
{
    if (n)
        memcpy(c->b + c->n, p, n);
    c->n += n;
}
static inline void cb_2b(cmdbuf *c, const void *p, uint16_t n)
{
    cb_u16(c, n);
    cb_bytes(c, p, n);
}

/* Header with a placeholder size. */
static inline void cb_start(cmdbuf *c, uint16_t tag, uint32_t cc)
{
    c->n = 0;
    c->auth_at = 0;
    cb_u16(c, tag);
    cb_u32(c, 0);
    cb_u32(c, cc);
}

/* Password authorization area with one (or more, by repeating) sessions:
 * call after the handles. */
static inline void cb_pw(cmdbuf *c, const char *pw)
{
    size_t len = pw ? strlen(pw) : 0;
    if (c->auth_at == 0) {
        c->auth_at = c->n;
        cb_u32(c, 0);
    }
    cb_u32(c, TPM_RS_PW);
    cb_u16(c, 0);
    cb_u8(c, 1);
    cb_2b(c, pw, (uint16_t)len);
    uint32_t sz = (uint32_t)(c->n - c->auth_at - 4);
    c->b[c->auth_at] = (uint8_t)(sz >> 24);
    c->b[c->auth_at + 1] = (uint8_t)(sz >> 16);
    c->b[c->auth_at + 2] = (uint8_t)(sz >> 8);
    c->b[c->auth_at + 3] = (uint8_t)sz;
}

static inline void cb_finish(cmdbuf *c)
{
    c->b[2] = (uint8_t)(c->n >> 24);
    c->b[3] = (uint8_t)(c->n >> 16);
    c->b[4] = (uint8_t)(c->n >> 8);
    c->b[5] = (uint8_t)c->n;
}

static inline uint8_t rb_u8(rspbuf *r)
{
    assert_true(r->off + 1 <= r->n);
    return r->b[r->off++];
}
static inline uint16_t rb_u16(rspbuf *r)
{
    uint16_t v = (uint16_t)(rb_u8(r) << 8);
    return (uint16_t)(v | rb_u8(r));
}
static inline uint32_t rb_u32(rspbuf *r)
{
    uint32_t v = (uint32_t)rb_u16(r) << 16;
    return v | rb_u16(r);
}
static inline uint64_t rb_u64(rspbuf *r)
{
    uint64_t v = (uint64_t)rb_u32(r) << 32;
    return v | rb_u32(r);
}
static inline const uint8_t *rb_bytes(rspbuf *r, size_t n)
{
    assert_true(r->off + n <= r->n);
    const uint8_t *p = r->b + r->off;
    r->off += n;
    return p;
}
/* Reads a TPM2B; returns its bytes and stores the size. */
static inline const uint8_t *rb_2b(rspbuf *r, uint16_t *size)
{
    *size = rb_u16(r);
    return rb_bytes(r, *size);
}

/* Runs the command; returns the response code and leaves the cursor after
 * the header (and after parameterSize for a session response). */
static inline uint32_t run(qtpm_tpm *tpm, cmdbuf *c, rspbuf *r)
{
    cb_finish(c);
    r->n = qtpm_tpm_execute(tpm, 0, c->b, c->n, r->b, sizeof(r->b));
    assert_true(r->n >= 10);
    r->off = 0;
    uint16_t tag = rb_u16(r);
    uint32_t size = rb_u32(r);
    uint32_t rc = rb_u32(r);
    assert_int_equal(size, r->n);
    if (rc != 0)
        assert_int_equal(r->n, 10);
    (void)tag;
    return rc;
}

/* After a session response with a handle: skip the handle first. */
static inline uint32_t rb_param_size(rspbuf *r) { return rb_u32(r); }

static inline qtpm_tpm *new_mem_tpm(void)
{
    qtpm_tpm_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    qtpm_store_memory(&cfg.store);
    cfg.powered_on = 1;
    qtpm_tpm *tpm = NULL;
    assert_int_equal(qtpm_tpm_new(&tpm, &cfg), 0);
    return tpm;
}

static inline uint32_t startup(qtpm_tpm *tpm, uint16_t su)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Startup);
    cb_u16(&c, su);
    return run(tpm, &c, &r);
}

static inline uint32_t shutdown(qtpm_tpm *tpm, uint16_t su)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_NO_SESSIONS, TPM_CC_Shutdown);
    cb_u16(&c, su);
    return run(tpm, &c, &r);
}

static inline qtpm_tpm *started_tpm(void)
{
    qtpm_tpm *tpm = new_mem_tpm();
    assert_int_equal(startup(tpm, TPM_SU_CLEAR), 0);
    return tpm;
}

/* TPM2_Sign of a SHA-256 digest with key (password auth, the key's own
 * scheme, a NULL ticket): the marshalled TPMT_SIGNATURE into sig, its length
 * returned. */
static inline size_t tpm_sign_sha256(qtpm_tpm *tpm, uint32_t key, const uint8_t d[32],
                                     uint8_t *sig)
{
    cmdbuf c;
    rspbuf r;
    cb_start(&c, TPM_ST_SESSIONS, TPM_CC_Sign);
    cb_u32(&c, key);
    cb_pw(&c, "");
    cb_2b(&c, d, 32);
    cb_u16(&c, TPM_ALG_NULL);
    cb_u16(&c, TPM_ST_HASHCHECK);
    cb_u32(&c, TPM_RH_NULL);
    cb_u16(&c, 0);
    assert_int_equal(run(tpm, &c, &r), 0);
    uint32_t pl = rb_u32(&r);
    memcpy(sig, rb_bytes(&r, pl), pl);
    return pl;
}

#endif
