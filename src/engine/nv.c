/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nv.c — NV indices (Part 1 §31) and the NV commands of Part 3 §31:
 * DefineSpace, UndefineSpace(Special), ReadPublic, Write, Increment,
 * Extend, SetBits, WriteLock, GlobalWriteLock, Read, ReadLock, ChangeAuth.
 *
 * Indices live in tpm->nv[] and are written into the state blob with the
 * rest of the persistent state after each command that changes them, so
 * every NV write is as durable as the store makes it (no orderly/RAM-backed
 * indices: TPMA_NV_ORDERLY is accepted and behaves like ordinary NV). A
 * command that leaves an index as it was (NV_Write of the bytes it holds,
 * NV_SetBits of bits already set, a lock already set) marks nothing dirty
 * and so costs no state write, as in the reference implementation.
 *
 * Who may read or write is decided by the index attributes and by which
 * handle authorized the command (Part 3 §31.3.1): the owner (OWNERREAD /
 * OWNERWRITE), the platform (PPREAD / PPWRITE), or the index itself with
 * its authValue (AUTHREAD / AUTHWRITE) or its policy (POLICYREAD /
 * POLICYWRITE).
 */
#include <stdlib.h>

#include "auth.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "nv.h"
#include "session.h"

static unsigned nv_type(const tpm_nv *nv)
{
    return (nv->pub.attributes & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
}

tpm_nv *nv_find(qtpm_tpm *tpm, TPM_HANDLE h)
{
    for (int i = 0; i < MAX_NV_INDICES; i++)
        if (tpm->nv[i] && tpm->nv[i]->pub.nvIndex == h)
            return tpm->nv[i];
    return NULL;
}

void nv_write_public(tpm_wr *w, const TPMS_NV_PUBLIC *pub)
{
    wr_u32(w, pub->nvIndex);
    wr_u16(w, pub->nameAlg);
    wr_u32(w, pub->attributes);
    wr_2b(w, pub->authPolicy.buffer, pub->authPolicy.size);
    wr_u16(w, pub->dataSize);
}

/* Name = nameAlg || H(TPMS_NV_PUBLIC) (Part 1 §16) */
TPM_RC nv_name(const tpm_nv *nv, tpm_name *name)
{
    uint8_t buf[128];
    tpm_wr w = {buf, sizeof(buf), 0, 0};
    nv_write_public(&w, &nv->pub);
    wr_put_u16(name->b, nv->pub.nameAlg);
    if (w.overflow || crypt_hash(nv->pub.nameAlg, buf, w.off, name->b + 2) != QTPM_OK)
        return TPM_RC_FAILURE;
    name->size = (uint16_t)(2 + crypt_hash_size(nv->pub.nameAlg));
    return TPM_RC_SUCCESS;
}

TPM_HANDLE nv_hierarchy(const tpm_nv *nv)
{
    return (nv->pub.attributes & TPMA_NV_PLATFORMCREATE) ? TPM_RH_PLATFORM_NV : TPM_RH_OWNER;
}

unsigned nv_count_counters(qtpm_tpm *tpm)
{
    unsigned n = 0;
    for (int i = 0; i < MAX_NV_INDICES; i++)
        if (tpm->nv[i] && nv_type(tpm->nv[i]) == TPM_NT_COUNTER)
            n++;
    return n;
}

size_t nv_list_handles(qtpm_tpm *tpm, TPM_HANDLE *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < MAX_NV_INDICES && n < cap; i++)
        if (tpm->nv[i])
            out[n++] = tpm->nv[i]->pub.nvIndex;
    return n;
}

static void nv_free(tpm_nv *nv)
{
    if (nv == NULL)
        return;
    if (nv->data) {
        qtpm_memzero(nv->data, nv->pub.dataSize);
        free(nv->data);
    }
    qtpm_memzero(nv, sizeof(*nv));
    free(nv);
}

void nv_free_all(qtpm_tpm *tpm)
{
    for (int i = 0; i < MAX_NV_INDICES; i++) {
        nv_free(tpm->nv[i]);
        tpm->nv[i] = NULL;
    }
}

/* ---- state blob records: public area, auth, data ---- */

size_t nv_record_write(const tpm_nv *nv, uint8_t *buf, size_t cap)
{
    tpm_wr w = {buf, cap, 0, 0};
    nv_write_public(&w, &nv->pub);
    wr_2b(&w, nv->auth.b, nv->auth.size);
    wr_bytes(&w, nv->data, nv->pub.dataSize);
    return w.overflow ? 0 : w.off;
}

static TPM_RC read_nv_public(tpm_rd *r, TPMS_NV_PUBLIC *pub)
{
    if (rd_u32(r, &pub->nvIndex) || rd_u16(r, &pub->nameAlg) || rd_u32(r, &pub->attributes))
        return TPM_RC_INSUFFICIENT;
    TPM_RC rc = rd_2b_rc(r, pub->authPolicy.buffer, sizeof(pub->authPolicy.buffer),
                         &pub->authPolicy.size);
    if (rc)
        return rc;
    if (rd_u16(r, &pub->dataSize))
        return TPM_RC_INSUFFICIENT;
    return TPM_RC_SUCCESS;
}

static int nv_add(qtpm_tpm *tpm, tpm_nv *nv)
{
    for (int i = 0; i < MAX_NV_INDICES; i++)
        if (tpm->nv[i] == NULL) {
            tpm->nv[i] = nv;
            return 0;
        }
    return -1;
}

int nv_record_read(qtpm_tpm *tpm, const uint8_t *buf, size_t len)
{
    tpm_rd r = {buf, len, 0};
    tpm_nv *nv = calloc(1, sizeof(*nv));
    if (nv == NULL)
        return -1;
    if (read_nv_public(&r, &nv->pub) != TPM_RC_SUCCESS ||
        rd_2b(&r, nv->auth.b, sizeof(nv->auth.b), &nv->auth.size) != 0 ||
        nv->pub.dataSize > MAX_NV_INDEX_SIZE || (nv->data = calloc(1, nv->pub.dataSize + 1u)) == NULL ||
        rd_bytes(&r, nv->data, nv->pub.dataSize) != 0 || rd_left(&r) != 0 || nv_add(tpm, nv) != 0) {
        nv_free(nv);
        return -1;
    }
    return 0;
}

/* Startup(CLEAR), a TPM Restart or TPM Reset (the reference
 * implementation's NvEntityStartup; Part 2 §13.4 TPMA_NV):
 *  - READLOCKED clears; WRITELOCKED clears unless the index is a written
 *    WRITEDEFINE index (locked until deleted);
 *  - CLEAR_STCLEAR: WRITTEN (and the write lock) clear;
 *  - on TPM Reset, an ORDERLY index other than a counter loses its data
 *    (its state need only be kept by an orderly shutdown and is RAM-backed
 *    on real TPMs): WRITTEN clears, so reads and PolicyNV answer
 *    TPM_RC_NV_UNINITIALIZED, as swtpm does. Orderly counters keep their
 *    count (Part 1 §37.2.3 "hybrid" counters). */
void nv_startup_clear(qtpm_tpm *tpm, int reset)
{
    for (int i = 0; i < MAX_NV_INDICES; i++) {
        tpm_nv *nv = tpm->nv[i];
        if (nv == NULL)
            continue;
        uint32_t a = nv->pub.attributes;
        if (!((a & TPMA_NV_WRITEDEFINE) && (a & TPMA_NV_WRITTEN)))
            a &= ~TPMA_NV_WRITELOCKED;
        a &= ~TPMA_NV_READLOCKED;
        if (a & TPMA_NV_CLEAR_STCLEAR)
            a &= ~(TPMA_NV_WRITTEN | TPMA_NV_WRITELOCKED);
        if (reset && (a & TPMA_NV_ORDERLY) && nv_type(nv) != TPM_NT_COUNTER)
            a &= ~TPMA_NV_WRITTEN;
        if (a != nv->pub.attributes) {
            nv->pub.attributes = a;
            tpm->dirty = 1;
        }
    }
}

TPM_RC nv_access_check(const tpm_cmd *c, const tpm_nv *nv, int write)
{
    TPM_HANDLE auth = c->handles[0];
    uint32_t a = nv->pub.attributes;
    if (auth == TPM_RH_OWNER)
        return (a & (write ? TPMA_NV_OWNERWRITE : TPMA_NV_OWNERREAD)) ? TPM_RC_SUCCESS
                                                                      : TPM_RC_NV_AUTHORIZATION;
    if (auth == TPM_RH_PLATFORM)
        return (a & (write ? TPMA_NV_PPWRITE : TPMA_NV_PPREAD)) ? TPM_RC_SUCCESS
                                                                : TPM_RC_NV_AUTHORIZATION;
    if (auth != nv->pub.nvIndex)
        return TPM_RC_NV_AUTHORIZATION;
    const tpm_session *s = c->nauths ? c->auths[0].sess : NULL;
    int policy = s != NULL && s->type != TPM_SE_HMAC;
    uint32_t need = policy ? (write ? TPMA_NV_POLICYWRITE : TPMA_NV_POLICYREAD)
                           : (write ? TPMA_NV_AUTHWRITE : TPMA_NV_AUTHREAD);
    /* The index's own authValue or policy is not available for this
     * operation: TPM_RC_AUTH_UNAVAILABLE (0x12F), as the reference
     * implementation and swtpm answer (Part 3 §31.13 NV_Read lists the
     * attribute checks; Part 1 §19.6 the authorization choice). */
    return (a & need) ? TPM_RC_SUCCESS : TPM_RC_AUTH_UNAVAILABLE;
}

TPM_RC nv_read_precheck(const tpm_cmd *c, const tpm_nv *nv)
{
    TPM_RC rc = nv_access_check(c, nv, 0);
    if (rc)
        return rc;
    if (nv->pub.attributes & TPMA_NV_READLOCKED)
        return TPM_RC_NV_LOCKED;
    if (!(nv->pub.attributes & TPMA_NV_WRITTEN))
        return TPM_RC_NV_UNINITIALIZED;
    return TPM_RC_SUCCESS;
}

/* ---- PIN Pass / PIN Fail indices (Part 1 "PIN Pass Index / PIN Fail
 * Index": NV indices whose authValue is a PIN guarded by their own
 * counters; Part 2 §13.2 TPMS_NV_PIN_COUNTER_PARAMETERS) ----
 *
 * The data is u32 pinCount || u32 pinLimit (big-endian). The index's
 * authValue may be used (for PolicySecret, NV_Read with AUTHREAD, ...) only
 * once the index is written and while pinCount < pinLimit; otherwise it is
 * not available (TPM_RC_AUTH_UNAVAILABLE, as swtpm). Each use of the
 * authValue then counts: on a PIN Fail index a failure increments pinCount
 * and a success sets it back to 0; on a PIN Pass index each success
 * increments pinCount. The count is updated whatever the command does next. */

static tpm_nv *pin_index(qtpm_tpm *tpm, TPM_HANDLE h)
{
    if ((h >> 24) != TPM_HT_NV_INDEX)
        return NULL;
    tpm_nv *nv = nv_find(tpm, h);
    if (nv == NULL)
        return NULL;
    unsigned t = nv_type(nv);
    return t == TPM_NT_PIN_FAIL || t == TPM_NT_PIN_PASS ? nv : NULL;
}

static uint32_t get_u32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

int nv_pin_auth_available(qtpm_tpm *tpm, TPM_HANDLE h)
{
    const tpm_nv *nv = pin_index(tpm, h);
    if (nv == NULL)
        return 1;
    if (!(nv->pub.attributes & TPMA_NV_WRITTEN))
        return 0;
    return get_u32(nv->data) < get_u32(nv->data + 4);
}

void nv_pin_auth_result(qtpm_tpm *tpm, TPM_HANDLE h, int ok)
{
    tpm_nv *nv = pin_index(tpm, h);
    if (nv == NULL || !(nv->pub.attributes & TPMA_NV_WRITTEN))
        return;
    uint32_t count = get_u32(nv->data), n = count;
    if (nv_type(nv) == TPM_NT_PIN_FAIL)
        n = ok ? 0 : (count < UINT32_MAX ? count + 1 : count);
    else if (ok && count < UINT32_MAX)
        n = count + 1;
    if (n != count) {
        put_u32(nv->data, n);
        tpm->dirty = 1;
    }
}

/* ---- commands ---- */

/* Part 3 §31.3 TPM2_NV_DefineSpace */
TPM_RC cmd_NV_DefineSpace(qtpm_tpm *tpm, tpm_cmd *c, const NV_DefineSpace_In *in,
                          NV_DefineSpace_Out *out)
{
    (void)out;
    const TPMS_NV_PUBLIC pub = in->publicInfo.nvPublic;
    enum { P_AUTH = PN_NV_DefineSpace_auth, P_PUB = PN_NV_DefineSpace_publicInfo };
    size_t hlen = tpm_hash_size(tpm, pub.nameAlg);
    if (hlen == 0)
        return RC_P(TPM_RC_HASH, P_PUB);
    if (in->auth.size > hlen)
        return RC_P(TPM_RC_SIZE, P_AUTH);
    if (pub.authPolicy.size != 0 && pub.authPolicy.size != hlen)
        return RC_P(TPM_RC_SIZE, P_PUB);
    uint32_t a = pub.attributes;
    if (a & (TPMA_NV_WRITTEN | TPMA_NV_WRITELOCKED | TPMA_NV_READLOCKED))
        return RC_P(TPM_RC_ATTRIBUTES, P_PUB);
    if (!(a & (TPMA_NV_PPWRITE | TPMA_NV_OWNERWRITE | TPMA_NV_AUTHWRITE | TPMA_NV_POLICYWRITE)) ||
        !(a & (TPMA_NV_PPREAD | TPMA_NV_OWNERREAD | TPMA_NV_AUTHREAD | TPMA_NV_POLICYREAD)))
        return RC_P(TPM_RC_ATTRIBUTES, P_PUB);
    int platform = c->handles[0] == TPM_RH_PLATFORM;
    if (platform != ((a & TPMA_NV_PLATFORMCREATE) != 0))
        return RC_P(TPM_RC_ATTRIBUTES, P_PUB);
    if ((a & TPMA_NV_POLICY_DELETE) && !platform)
        return RC_P(TPM_RC_ATTRIBUTES, P_PUB);
    unsigned type = (a & TPMA_NV_TPM_NT_MASK) >> TPMA_NV_TPM_NT_SHIFT;
    switch (type) {
    case TPM_NT_ORDINARY:
        /* dataSize <= MAX_NV_INDEX_SIZE: TPMS_NV_PUBLIC's unmarshal */
        break;
    case TPM_NT_COUNTER:
    case TPM_NT_BITS:
        if (pub.dataSize != 8)
            return RC_P(TPM_RC_SIZE, P_PUB);
        if (a & TPMA_NV_CLEAR_STCLEAR)
            return RC_P(TPM_RC_ATTRIBUTES, P_PUB);
        break;
    case TPM_NT_EXTEND:
        if (pub.dataSize != hlen)
            return RC_P(TPM_RC_SIZE, P_PUB);
        break;
    case TPM_NT_PIN_FAIL:
    case TPM_NT_PIN_PASS:
        /* Part 3 §31.3.1 NV_DefineSpace: a PIN Fail index must be NO_DA (its
         * pinCount/pinLimit is its own dictionary-attack protection); for
         * both PIN types the authValue is no way to write (AUTHWRITE), and
         * GLOBALLOCK and WRITEDEFINE are refused; the data is one
         * TPMS_NV_PIN_COUNTER_PARAMETERS (Part 2 §13.2: u32 pinCount, u32
         * pinLimit), 8 bytes. As swtpm: TPM_RC_ATTRIBUTES / TPM_RC_SIZE. */
        if (type == TPM_NT_PIN_FAIL && !(a & TPMA_NV_NO_DA))
            return RC_P(TPM_RC_ATTRIBUTES, P_PUB);
        if (a & (TPMA_NV_AUTHWRITE | TPMA_NV_GLOBALLOCK | TPMA_NV_WRITEDEFINE))
            return RC_P(TPM_RC_ATTRIBUTES, P_PUB);
        if (pub.dataSize != 8)
            return RC_P(TPM_RC_SIZE, P_PUB);
        break;
    default:
        return RC_P(TPM_RC_ATTRIBUTES, P_PUB);
    }
    if (nv_find(tpm, pub.nvIndex))
        return TPM_RC_NV_DEFINED;
    tpm_nv *nv = calloc(1, sizeof(*nv));
    if (nv == NULL)
        return TPM_RC_MEMORY;
    nv->data = calloc(1, pub.dataSize + 1u);
    if (nv->data == NULL) {
        free(nv);
        return TPM_RC_MEMORY;
    }
    nv->pub = pub;
    memcpy(nv->auth.b, in->auth.buffer, in->auth.size);
    nv->auth.size = auth_trim(in->auth.buffer, in->auth.size);
    if (nv_add(tpm, nv) != 0) {
        nv_free(nv);
        return TPM_RC_NV_SPACE;
    }
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}

static void nv_remove(qtpm_tpm *tpm, TPM_HANDLE h)
{
    for (int i = 0; i < MAX_NV_INDICES; i++)
        if (tpm->nv[i] && tpm->nv[i]->pub.nvIndex == h) {
            nv_free(tpm->nv[i]);
            tpm->nv[i] = NULL;
            tpm->dirty = 1;
        }
}

/* Part 3 §31.4 TPM2_NV_UndefineSpace: TPM_RC_NV_AUTHORIZATION is "an
 * attempt to use ownerAuth to delete an index created by the platform";
 * the platform may delete any index (swtpm: it does; tpm2-tools' own tests
 * undefine owner indices with -C p). */
TPM_RC cmd_NV_UndefineSpace(qtpm_tpm *tpm, tpm_cmd *c, const NV_UndefineSpace_In *in,
                            NV_UndefineSpace_Out *out)
{
    (void)in, (void)out;
    tpm_nv *nv = nv_find(tpm, c->handles[1]);
    if (nv->pub.attributes & TPMA_NV_POLICY_DELETE)
        return RC_H(TPM_RC_ATTRIBUTES, 2);
    if ((nv->pub.attributes & TPMA_NV_PLATFORMCREATE) && c->handles[0] != TPM_RH_PLATFORM)
        return TPM_RC_NV_AUTHORIZATION;
    nv_remove(tpm, c->handles[1]);
    return TPM_RC_SUCCESS;
}

/* Part 3 §31.5 TPM2_NV_UndefineSpaceSpecial: the index authorizes by policy
 * (ADMIN role), the platform by its auth. */
TPM_RC cmd_NV_UndefineSpaceSpecial(qtpm_tpm *tpm, tpm_cmd *c, const NV_UndefineSpaceSpecial_In *in,
                                   NV_UndefineSpaceSpecial_Out *out)
{
    (void)in, (void)out;
    tpm_nv *nv = nv_find(tpm, c->handles[0]);
    if (!(nv->pub.attributes & TPMA_NV_POLICY_DELETE))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    nv_remove(tpm, c->handles[0]);
    return TPM_RC_SUCCESS;
}

/* Part 3 §31.6 TPM2_NV_ReadPublic */
TPM_RC cmd_NV_ReadPublic(qtpm_tpm *tpm, tpm_cmd *c, const NV_ReadPublic_In *in,
                         NV_ReadPublic_Out *out)
{
    (void)in;
    tpm_nv *nv = nv_find(tpm, c->handles[0]);
    tpm_name name;
    TPM_RC rc = nv_name(nv, &name);
    if (rc)
        return rc;
    out->nvPublic.nvPublic = nv->pub;
    memcpy(out->nvName.buffer, name.b, name.size);
    out->nvName.size = name.size;
    return TPM_RC_SUCCESS;
}

static TPM_RC write_precheck(qtpm_tpm *tpm, tpm_cmd *c, tpm_nv **out)
{
    (void)tpm;
    tpm_nv *nv = nv_find(tpm, c->handles[1]);
    TPM_RC rc = nv_access_check(c, nv, 1);
    if (rc)
        return rc;
    if (nv->pub.attributes & TPMA_NV_WRITELOCKED)
        return TPM_RC_NV_LOCKED;
    *out = nv;
    return TPM_RC_SUCCESS;
}

static void mark_written(qtpm_tpm *tpm, tpm_nv *nv)
{
    nv->pub.attributes |= TPMA_NV_WRITTEN;
    tpm->dirty = 1;
}

/* Part 3 §31.7 TPM2_NV_Write */
TPM_RC cmd_NV_Write(qtpm_tpm *tpm, tpm_cmd *c, const NV_Write_In *in, NV_Write_Out *out)
{
    (void)out;
    const uint8_t *data = in->data.buffer;
    uint16_t len = in->data.size, offset = in->offset;
    tpm_nv *nv;
    TPM_RC rc = write_precheck(tpm, c, &nv);
    if (rc)
        return rc;
    /* NV_Write writes ordinary and PIN indices (Part 3 §31.7: only
     * counter, bits and extend indices are refused) */
    unsigned t = nv_type(nv);
    if (t != TPM_NT_ORDINARY && t != TPM_NT_PIN_FAIL && t != TPM_NT_PIN_PASS)
        return TPM_RC_ATTRIBUTES;
    if ((size_t)offset + len > nv->pub.dataSize)
        return TPM_RC_NV_RANGE;
    if ((nv->pub.attributes & TPMA_NV_WRITEALL) && len != nv->pub.dataSize)
        return TPM_RC_NV_RANGE;
    /* Bytes the written index already holds change nothing and cost no
     * state write, as in the reference implementation (NvWriteIndexData
     * writes through NvConditionallyWrite, which skips data equal to what
     * NV holds; libtpms and so swtpm alike). Compared in constant time:
     * the data may be readable only with another authorization. */
    if ((nv->pub.attributes & TPMA_NV_WRITTEN) && ct_equal(nv->data + offset, data, len))
        return TPM_RC_SUCCESS;
    memcpy(nv->data + offset, data, len);
    mark_written(tpm, nv);
    return TPM_RC_SUCCESS;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        p[i] = (uint8_t)v;
        v >>= 8;
    }
}

/* The value a counter index starts from at its first NV_Increment: Part 3
 * §31.8 and Part 1 §37 ("NV Counter Index") make it at least the largest
 * count any counter of this TPM ever had, so that counters never go
 * backwards when an index is undefined and defined again. qtpm keeps that
 * maximum in the persistent state (ps.nv_counter_max, raised by every
 * increment, so undefine and TPM2_Clear cannot lose it) and also looks at
 * the counters still defined, which covers states saved before the field
 * existed. swtpm (the reference implementation) records the maximum when a
 * counter is undefined: after a counter at 2 is undefined, a new counter's
 * first increment gives 3 on both. */
static uint64_t counter_floor(qtpm_tpm *tpm)
{
    uint64_t m = tpm->ps.nv_counter_max;
    for (int i = 0; i < MAX_NV_INDICES; i++) {
        const tpm_nv *o = tpm->nv[i];
        if (o && nv_type(o) == TPM_NT_COUNTER && (o->pub.attributes & TPMA_NV_WRITTEN)) {
            uint64_t v = get_u64(o->data);
            if (v > m)
                m = v;
        }
    }
    return m;
}

/* Part 3 §31.8 TPM2_NV_Increment */
TPM_RC cmd_NV_Increment(qtpm_tpm *tpm, tpm_cmd *c, const NV_Increment_In *in,
                        NV_Increment_Out *out)
{
    (void)in, (void)out;
    tpm_nv *nv;
    TPM_RC rc = write_precheck(tpm, c, &nv);
    if (rc)
        return rc;
    if (nv_type(nv) != TPM_NT_COUNTER)
        return TPM_RC_ATTRIBUTES;
    uint64_t v = (nv->pub.attributes & TPMA_NV_WRITTEN) ? get_u64(nv->data) : counter_floor(tpm);
    if (v == UINT64_MAX)
        return TPM_RC_NV_RANGE; /* a counter never wraps (back to 0) */
    put_u64(nv->data, v + 1);
    if (v + 1 > tpm->ps.nv_counter_max)
        tpm->ps.nv_counter_max = v + 1;
    mark_written(tpm, nv);
    return TPM_RC_SUCCESS;
}

/* Part 3 §31.9 TPM2_NV_Extend: data := H(data || extension) with nameAlg. */
TPM_RC cmd_NV_Extend(qtpm_tpm *tpm, tpm_cmd *c, const NV_Extend_In *in, NV_Extend_Out *out)
{
    (void)out;
    tpm_nv *nv;
    TPM_RC rc = write_precheck(tpm, c, &nv);
    if (rc)
        return rc;
    if (nv_type(nv) != TPM_NT_EXTEND)
        return TPM_RC_ATTRIBUTES;
    if (!(nv->pub.attributes & TPMA_NV_WRITTEN))
        memset(nv->data, 0, nv->pub.dataSize);
    crypt_part parts[] = {{nv->data, nv->pub.dataSize}, {in->data.buffer, in->data.size}};
    crypt_hash_parts(nv->pub.nameAlg, nv->data, parts, 2);
    mark_written(tpm, nv);
    return TPM_RC_SUCCESS;
}

/* Part 3 §31.10 TPM2_NV_SetBits */
TPM_RC cmd_NV_SetBits(qtpm_tpm *tpm, tpm_cmd *c, const NV_SetBits_In *in, NV_SetBits_Out *out)
{
    (void)out;
    uint64_t bits = in->bits;
    tpm_nv *nv;
    TPM_RC rc = write_precheck(tpm, c, &nv);
    if (rc)
        return rc;
    if (nv_type(nv) != TPM_NT_BITS)
        return TPM_RC_ATTRIBUTES;
    int written = (nv->pub.attributes & TPMA_NV_WRITTEN) != 0;
    uint64_t v = written ? get_u64(nv->data) : 0;
    /* Bits that are all set already leave a written index as it is: no
     * state write (the reference implementation's TPM2_NV_SetBits writes
     * through NvWriteUINT64Data -> NvConditionallyWrite, which skips an
     * unchanged value; swtpm saves nothing then either). An index not yet
     * written changes even with bits = 0: it becomes WRITTEN. */
    if (written && (v | bits) == v)
        return TPM_RC_SUCCESS;
    put_u64(nv->data, v | bits);
    mark_written(tpm, nv);
    return TPM_RC_SUCCESS;
}

/* NV_WriteLock and NV_ReadLock: with write or read access to the index of
 * handle 2, and one of the attributes `allow` set, sets `lock`. The
 * attribute error names nvIndex, handle 2 (0x282, as the reference
 * implementation and swtpm); a lock already set is no change
 * (NvWriteIndexAttributes is a conditional write in the reference
 * implementation too). */
static TPM_RC nv_lock(qtpm_tpm *tpm, const tpm_cmd *c, int write, uint32_t allow, uint32_t lock)
{
    tpm_nv *nv = nv_find(tpm, c->handles[1]);
    TPM_RC rc = nv_access_check(c, nv, write);
    if (rc)
        return rc;
    if (!(nv->pub.attributes & allow))
        return RC_H(TPM_RC_ATTRIBUTES, 2);
    if (!(nv->pub.attributes & lock)) {
        nv->pub.attributes |= lock;
        tpm->dirty = 1;
    }
    return TPM_RC_SUCCESS;
}

/* Part 3 §31.11 TPM2_NV_WriteLock */
TPM_RC cmd_NV_WriteLock(qtpm_tpm *tpm, tpm_cmd *c, const NV_WriteLock_In *in,
                        NV_WriteLock_Out *out)
{
    (void)in, (void)out;
    return nv_lock(tpm, c, 1, TPMA_NV_WRITEDEFINE | TPMA_NV_WRITE_STCLEAR, TPMA_NV_WRITELOCKED);
}

/* Part 3 §31.12 TPM2_NV_GlobalWriteLock */
TPM_RC cmd_NV_GlobalWriteLock(qtpm_tpm *tpm, tpm_cmd *c, const NV_GlobalWriteLock_In *in,
                              NV_GlobalWriteLock_Out *out)
{
    (void)c, (void)in, (void)out;
    for (int i = 0; i < MAX_NV_INDICES; i++)
        if (tpm->nv[i] && (tpm->nv[i]->pub.attributes & TPMA_NV_GLOBALLOCK) &&
            !(tpm->nv[i]->pub.attributes & TPMA_NV_WRITELOCKED)) {
            tpm->nv[i]->pub.attributes |= TPMA_NV_WRITELOCKED;
            tpm->dirty = 1;
        }
    return TPM_RC_SUCCESS;
}

/* Part 3 §31.13 TPM2_NV_Read */
TPM_RC cmd_NV_Read(qtpm_tpm *tpm, tpm_cmd *c, const NV_Read_In *in, NV_Read_Out *out)
{
    uint16_t size = in->size, offset = in->offset;
    tpm_nv *nv = nv_find(tpm, c->handles[1]);
    TPM_RC rc = nv_read_precheck(c, nv);
    if (rc)
        return rc;
    if (size > NV_BUFFER_MAX)
        return RC_P(TPM_RC_VALUE, PN_NV_Read_size);
    if ((size_t)offset + size > nv->pub.dataSize)
        return TPM_RC_NV_RANGE;
    memcpy(out->data.buffer, nv->data + offset, size);
    out->data.size = size;
    return TPM_RC_SUCCESS;
}

/* Part 3 §31.14 TPM2_NV_ReadLock */
TPM_RC cmd_NV_ReadLock(qtpm_tpm *tpm, tpm_cmd *c, const NV_ReadLock_In *in, NV_ReadLock_Out *out)
{
    (void)in, (void)out;
    return nv_lock(tpm, c, 0, TPMA_NV_READ_STCLEAR, TPMA_NV_READLOCKED);
}

/* Part 3 §31.15 TPM2_NV_ChangeAuth (ADMIN role: policy with
 * PolicyCommandCode(NV_ChangeAuth)) */
TPM_RC cmd_NV_ChangeAuth(qtpm_tpm *tpm, tpm_cmd *c, const NV_ChangeAuth_In *in,
                         NV_ChangeAuth_Out *out)
{
    (void)out;
    tpm_nv *nv = nv_find(tpm, c->handles[0]);
    if (in->newAuth.size > crypt_hash_size(nv->pub.nameAlg))
        return RC_P(TPM_RC_SIZE, PN_NV_ChangeAuth_newAuth);
    memcpy(nv->auth.b, in->newAuth.buffer, in->newAuth.size);
    nv->auth.size = auth_trim(in->newAuth.buffer, in->newAuth.size);
    tpm->dirty = 1;
    return TPM_RC_SUCCESS;
}
