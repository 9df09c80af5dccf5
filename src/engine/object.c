/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * object.c — the object commands (Part 1 §23-27, Part 3 §12): Create,
 * CreatePrimary, CreateLoaded, Load, LoadExternal, ReadPublic,
 * ObjectChangeAuth and Unseal, and TestParms' parameter check.
 *
 * They stand on the object layer (objects.c: the object table, Names), key
 * derivation (derive.c: template checks, primary keys from the hierarchy
 * seed) and protection (protect.c: the sensitive area under its parent);
 * docs/ENGINE.md "Layers".
 */
#include <stdlib.h>

#include <openssl/bn.h>

#include "auth.h"
#include "cmd.h"
#include "commands.h"
#include "crypt.h"
#include "ct.h"
#include "derive.h"
#include "entity.h"
#include "hierarchy.h"
#include "object.h"
#include "pcr.h"
#include "pqc.h"
#include "prime.h"
#include "protect.h"
#include "session.h"
#include "tmarshal.h"
#include "qtpm/kdf.h"

/* A primary's parent QN: its hierarchy handle (Part 1 §16.6). */
static void hierarchy_qn(TPM_HANDLE h, tpm_name *qn)
{
    qn->size = 4;
    wr_put_u32(qn->b, h);
}

/* ---------------------------------------------------------------- command helpers */

static TPM_RC read_sensitive_create(tpm_rd *r, TPMS_SENSITIVE_CREATE *sc)
{
    uint16_t size;
    if (rd_u16(r, &size))
        return RC_P(TPM_RC_INSUFFICIENT, 1);
    size_t start = r->off;
    TPM_RC rc = rd_2b_param(r, sc->userAuth.buffer, sizeof(sc->userAuth.buffer),
                            &sc->userAuth.size, 1);
    if (rc == TPM_RC_SUCCESS)
        rc = rd_2b_param(r, sc->data.buffer, sizeof(sc->data.buffer), &sc->data.size, 1);
    if (rc)
        return rc;
    if (r->off - start != size)
        return RC_P(TPM_RC_SIZE, 1);
    return TPM_RC_SUCCESS;
}

TPM_RC object_read_public_2b(const qtpm_tpm *tpm, tpm_rd *r, TPMT_PUBLIC *pub, unsigned pnum,
                             int allow_null)
{
    uint16_t size;
    if (rd_u16(r, &size))
        return RC_P(TPM_RC_INSUFFICIENT, pnum);
    if (size == 0 || size > rd_left(r))
        return RC_P(TPM_RC_SIZE, pnum);
    tpm_rd sub = {r->p + r->off, size, 0};
    TPM_RC rc = tm_public_read(tpm, &sub, pub, allow_null);
    if (rc)
        return RC_P(rc, pnum);
    if (rd_left(&sub) != 0)
        return RC_P(TPM_RC_SIZE, pnum);
    r->off += size;
    return TPM_RC_SUCCESS;
}

static void write_public_2b(tpm_wr *w, const TPMT_PUBLIC *pub)
{
    size_t at = w->off;
    wr_u16(w, 0);
    tm_public_write(w, pub);
    if (!w->overflow)
        wr_put_u16(w->p + at, (uint16_t)(w->off - at - 2));
}

/* TPMS_CREATION_DATA (Part 2 §15.1) with creationHash and ticket
 * (Part 1 §27.7): ticket = HMAC(proof, TPM_ST_CREATION || Name || creationHash). */
typedef struct {
    TPML_PCR_SELECTION pcr_sel;
    uint8_t pcr_digest[MAX_DIGEST];
    uint8_t outside[sizeof(TPM2B_DATA)];
    uint16_t outside_len;
} creation_in;

static TPM_RC read_creation_in(qtpm_tpm *tpm, tpm_cmd *c, creation_in *ci, TPM_ALG_ID name_alg,
                               unsigned pnum)
{
    TPM_RC rc = rd_2b_param(&c->in, ci->outside, sizeof(ci->outside), &ci->outside_len, pnum);
    if (rc)
        return rc;
    return pcr_compute_digest(tpm, &c->in, pnum + 1, name_alg, ci->pcr_digest, &ci->pcr_sel);
}

static TPM_RC write_creation(qtpm_tpm *tpm, tpm_cmd *c, const tpm_object *o, const creation_in *ci,
                             TPM_ALG_ID parent_alg, const tpm_name *parent_name,
                             const tpm_name *parent_qn)
{
    tpm_wr *w = &c->out;
    size_t at = w->off;
    wr_u16(w, 0);
    size_t start = w->off;
    wr_marshal(w, TPML_PCR_SELECTION, &ci->pcr_sel);
    /* pcrDigest is empty when nothing is selected */
    int any = ci->pcr_sel.count != 0;
    size_t hlen = crypt_hash_size(o->pub.nameAlg);
    wr_2b(w, ci->pcr_digest, (uint16_t)(any ? hlen : 0));
    wr_u8(w, (uint8_t)(1u << c->locality));
    wr_u16(w, parent_alg);
    wr_2b(w, parent_name->b, parent_name->size);
    wr_2b(w, parent_qn->b, parent_qn->size);
    wr_2b(w, ci->outside, ci->outside_len);
    if (w->overflow)
        return TPM_RC_SIZE;
    wr_put_u16(w->p + at, (uint16_t)(w->off - start));
    uint8_t ch[MAX_DIGEST];
    crypt_hash(o->pub.nameAlg, w->p + start, w->off - start, ch);
    wr_2b(w, ch, (uint16_t)hlen);
    /* creationTicket */
    uint8_t tag[2], t[MAX_DIGEST];
    wr_put_u16(tag, TPM_ST_CREATION);
    crypt_part parts[] = {{tag, 2}, {o->name.b, o->name.size}, {ch, hlen}};
    crypt_hmac_parts(o->pub.nameAlg, hierarchy_proof(tpm, o->hierarchy), 64, t, parts, 3);
    wr_u16(w, TPM_ST_CREATION);
    wr_u32(w, o->hierarchy);
    wr_2b(w, t, (uint16_t)hlen);
    return TPM_RC_SUCCESS;
}

TPM_RC object_parent_arg(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    tpm_object *p = object_find(tpm, h);
    if (p == NULL)
        return RC_H(TPM_RC_HANDLE, 1);
    if (!object_is_storage_parent(p))
        return RC_H(TPM_RC_TYPE, 1);
    *out = p;
    return TPM_RC_SUCCESS;
}

/* Creates a primary object in hierarchy h (CreatePrimary, CreateLoaded). */
static TPM_RC create_primary(qtpm_tpm *tpm, TPM_HANDLE h, const TPMS_SENSITIVE_CREATE *sc,
                             const uint8_t *tmpl, size_t tmpl_len, tpm_object *o)
{
    TPM_RC rc = object_check_template(&o->pub, sc, NULL);
    if (rc)
        return rc;
    o->hierarchy = h == TPM_RH_PLATFORM ? TPM_RH_PLATFORM : h;
    o->is_primary = 1;
    /* context = H_nameAlg(template as sent) || sensitive.data */
    derive_src src;
    src.tpm = tpm;
    src.seed = hierarchy_seed(tpm, h);
    src.seed_len = 64;
    crypt_hash(o->pub.nameAlg, tmpl, tmpl_len, src.ctx);
    size_t hlen = crypt_hash_size(o->pub.nameAlg);
    memcpy(src.ctx + hlen, sc->data.buffer, sc->data.size);
    src.ctx_len = hlen + sc->data.size;
    rc = object_generate(o, sc, &src);
    qtpm_memzero(&src, sizeof(src));
    if (rc)
        return rc;
    rc = object_compute_name(o);
    if (rc)
        return rc;
    tpm_name qn;
    hierarchy_qn(o->hierarchy, &qn);
    object_compute_qualified(o, &qn);
    return TPM_RC_SUCCESS;
}

/* ---------------------------------------------------------------- commands */

/* Part 3 §24.1 TPM2_CreatePrimary */
TPM_RC cmd_CreatePrimary(qtpm_tpm *tpm, tpm_cmd *c)
{
    TPMS_SENSITIVE_CREATE sc;
    TPM_RC rc = read_sensitive_create(&c->in, &sc);
    if (rc)
        return rc;
    size_t tstart = c->in.off + 2;
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    creation_in ci;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 0);
    size_t tlen = c->in.off - tstart;
    if (rc == TPM_RC_SUCCESS)
        rc = read_creation_in(tpm, c, &ci, o->pub.nameAlg, 3);
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS)
        rc = create_primary(tpm, c->handles[0], &sc, c->in.p + tstart, tlen, o);
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS)
        rc = object_insert(tpm, o, &h);
    qtpm_memzero(&sc, sizeof(sc));
    if (rc) {
        object_free(o);
        return rc;
    }
    c->out_handle = h;
    write_public_2b(&c->out, &o->pub);
    tpm_name pn;
    hierarchy_qn(o->hierarchy, &pn);
    rc = write_creation(tpm, c, o, &ci, TPM_ALG_NULL, &pn, &pn);
    wr_2b(&c->out, o->name.b, o->name.size);
    if (rc)
        object_remove(tpm, h);
    return rc;
}

/* Creates an ordinary object under parent (Create, CreateLoaded). */
static TPM_RC create_child(const tpm_object *parent, const TPMS_SENSITIVE_CREATE *sc, tpm_object *o)
{
    TPM_RC rc = object_check_template(&o->pub, sc, parent);
    if (rc)
        return rc;
    o->hierarchy = parent->hierarchy;
    rc = object_generate(o, sc, NULL);
    if (rc)
        return rc;
    rc = object_compute_name(o);
    if (rc)
        return rc;
    object_compute_qualified(o, &parent->qualified);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.1 TPM2_Create */
TPM_RC cmd_Create(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_object *parent;
    TPM_RC rc = object_parent_arg(tpm, c->handles[0], &parent);
    if (rc)
        return rc;
    TPMS_SENSITIVE_CREATE sc;
    rc = read_sensitive_create(&c->in, &sc);
    if (rc)
        return rc;
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    creation_in ci;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 0);
    if (rc == TPM_RC_SUCCESS)
        rc = read_creation_in(tpm, c, &ci, o->pub.nameAlg, 3);
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS)
        rc = create_child(parent, &sc, o);
    uint8_t priv[MAX_PRIVATE_BUFFER];
    uint16_t plen = 0;
    if (rc == TPM_RC_SUCCESS)
        rc = object_protect(parent, o, priv, sizeof(priv), &plen);
    if (rc == TPM_RC_SUCCESS) {
        wr_2b(&c->out, priv, plen);
        write_public_2b(&c->out, &o->pub);
        rc = write_creation(tpm, c, o, &ci, parent->pub.nameAlg, &parent->name, &parent->qualified);
    }
    qtpm_memzero(&sc, sizeof(sc));
    qtpm_memzero(priv, sizeof(priv));
    object_free(o);
    return rc;
}

/* Part 3 §12.9 TPM2_CreateLoaded: a primary when the parent is a
 * hierarchy, an ordinary object otherwise; inPublic is a TPM2B_TEMPLATE. */
TPM_RC cmd_CreateLoaded(qtpm_tpm *tpm, tpm_cmd *c)
{
    TPM_HANDLE ph = c->handles[0];
    TPMS_SENSITIVE_CREATE sc;
    TPM_RC rc = read_sensitive_create(&c->in, &sc);
    if (rc)
        return rc;
    size_t tstart = c->in.off + 2;
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 0);
    size_t tlen = c->in.off - tstart;
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    tpm_object *parent = NULL;
    uint8_t priv[MAX_PRIVATE_BUFFER];
    uint16_t plen = 0;
    if (rc == TPM_RC_SUCCESS) {
        if ((ph >> 24) == TPM_HT_PERMANENT) {
            rc = create_primary(tpm, ph, &sc, c->in.p + tstart, tlen, o);
        } else {
            rc = object_parent_arg(tpm, ph, &parent);
            if (rc == TPM_RC_SUCCESS)
                rc = create_child(parent, &sc, o);
            if (rc == TPM_RC_SUCCESS)
                rc = object_protect(parent, o, priv, sizeof(priv), &plen);
        }
    }
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS)
        rc = object_insert(tpm, o, &h);
    qtpm_memzero(&sc, sizeof(sc));
    if (rc) {
        object_free(o);
        return rc;
    }
    c->out_handle = h;
    wr_2b(&c->out, priv, plen);
    write_public_2b(&c->out, &o->pub);
    wr_2b(&c->out, o->name.b, o->name.size);
    qtpm_memzero(priv, sizeof(priv));
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.2 TPM2_Load */
TPM_RC cmd_Load(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_object *parent;
    TPM_RC rc = object_parent_arg(tpm, c->handles[0], &parent);
    if (rc)
        return rc;
    uint8_t priv[MAX_PRIVATE_BUFFER];
    uint16_t plen;
    rc = rd_2b_param(&c->in, priv, sizeof(priv), &plen, 1);
    if (rc)
        return rc;
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 0);
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS) {
        uint32_t a = o->pub.objectAttributes;
        if ((a & TPMA_OBJECT_FIXEDTPM) && !(parent->pub.objectAttributes & TPMA_OBJECT_FIXEDTPM))
            rc = RC_P(TPM_RC_ATTRIBUTES, 2);
    }
    if (rc == TPM_RC_SUCCESS)
        rc = object_compute_name(o);
    if (rc == TPM_RC_SUCCESS)
        rc = object_unprotect(parent, &o->name, priv, plen, &o->sens, o->pub.type, 1);
    if (rc == TPM_RC_SUCCESS) {
        o->has_sensitive = 1;
        rc = object_check_loaded(o);
        if (rc)
            rc = RC_P(rc, 2);
    }
    qtpm_memzero(priv, sizeof(priv));
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS) {
        o->hierarchy = parent->hierarchy;
        object_compute_qualified(o, &parent->qualified);
        rc = object_insert(tpm, o, &h);
    }
    if (rc) {
        object_free(o);
        return rc;
    }
    c->out_handle = h;
    wr_2b(&c->out, o->name.b, o->name.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.3 TPM2_LoadExternal: a public key alone, or a key with its
 * sensitive area in the clear (then only in the NULL hierarchy). */
TPM_RC cmd_LoadExternal(qtpm_tpm *tpm, tpm_cmd *c)
{
    uint16_t slen;
    if (rd_u16(&c->in, &slen))
        return RC_P(TPM_RC_INSUFFICIENT, 1);
    if (slen > rd_left(&c->in))
        return RC_P(TPM_RC_SIZE, 1);
    tpm_object *o = calloc(1, sizeof(*o));
    if (o == NULL)
        return TPM_RC_MEMORY;
    TPM_RC rc = TPM_RC_SUCCESS;
    tpm_rd srd = {c->in.p + c->in.off, slen, 0};
    c->in.off += slen;
    rc = object_read_public_2b(tpm, &c->in, &o->pub, 2, 1);
    uint32_t hier = 0;
    if (rc == TPM_RC_SUCCESS && rd_u32(&c->in, &hier))
        rc = RC_P(TPM_RC_INSUFFICIENT, 3);
    if (rc == TPM_RC_SUCCESS)
        rc = params_end(c);
    if (rc == TPM_RC_SUCCESS && hier != TPM_RH_NULL && hier != TPM_RH_OWNER &&
        hier != TPM_RH_ENDORSEMENT && hier != TPM_RH_PLATFORM)
        rc = RC_P(TPM_RC_VALUE, 3);
    if (rc == TPM_RC_SUCCESS && !hierarchy_enabled(tpm, hier))
        rc = RC_P(TPM_RC_HIERARCHY, 3);
    if (rc == TPM_RC_SUCCESS && slen > 0) {
        if (hier != TPM_RH_NULL)
            rc = RC_P(TPM_RC_HIERARCHY, 3);
        else if ((o->pub.objectAttributes & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT)))
            rc = RC_P(TPM_RC_ATTRIBUTES, 2);
        else {
            rc = tm_sensitive_read(&srd, &o->sens, o->pub.type);
            if (rc == TPM_RC_SUCCESS && rd_left(&srd))
                rc = TPM_RC_SIZE;
            if (rc)
                rc = RC_P(rc, 1);
            else {
                o->has_sensitive = 1;
                o->sens.authValue.size = auth_trim(o->sens.authValue.buffer, o->sens.authValue.size);
                rc = object_check_binding(o);
                if (rc)
                    rc = RC_P(rc, 2);
            }
        }
    }
    if (rc == TPM_RC_SUCCESS && o->pub.type == TPM_ALG_ECC && slen == 0) {
        qtpm_ecc_curve cv = object_ecc_curve(o);
        size_t n = qtpm_ecc_size(cv);
        if (o->pub.unique.ecc.x.size != n || o->pub.unique.ecc.y.size != n ||
            qtpm_ecc_check_point(cv, o->pub.unique.ecc.x.buffer, o->pub.unique.ecc.y.buffer))
            rc = RC_P(TPM_RC_ECC_POINT, 2);
    }
    if (rc == TPM_RC_SUCCESS && slen == 0 && pqc_is_type(o->pub.type) && pqc_check_public(o))
        rc = RC_P(TPM_RC_KEY, 2);
    if (rc == TPM_RC_SUCCESS)
        rc = object_compute_name(o);
    TPM_HANDLE h;
    if (rc == TPM_RC_SUCCESS) {
        o->hierarchy = hier;
        o->is_external = 1;
        tpm_name qn;
        hierarchy_qn(hier, &qn);
        object_compute_qualified(o, &qn);
        rc = object_insert(tpm, o, &h);
    }
    if (rc) {
        object_free(o);
        return rc;
    }
    c->out_handle = h;
    wr_2b(&c->out, o->name.b, o->name.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.4 TPM2_ReadPublic */
TPM_RC cmd_ReadPublic(qtpm_tpm *tpm, tpm_cmd *c)
{
    if (params_end(c))
        return TPM_RC_SIZE;
    tpm_object *o = object_find(tpm, c->handles[0]);
    if (o->is_sequence)
        return RC_H(TPM_RC_SEQUENCE, 1);
    write_public_2b(&c->out, &o->pub);
    wr_2b(&c->out, o->name.b, o->name.size);
    wr_2b(&c->out, o->qualified.b, o->qualified.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.7 TPM2_Unseal */
TPM_RC cmd_Unseal(qtpm_tpm *tpm, tpm_cmd *c)
{
    if (params_end(c))
        return TPM_RC_SIZE;
    tpm_object *o = object_find(tpm, c->handles[0]);
    uint32_t a = o->pub.objectAttributes;
    if (o->is_sequence || o->pub.type != TPM_ALG_KEYEDHASH || !o->has_sensitive ||
        (a & (TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_RESTRICTED)))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    wr_2b(&c->out, o->sens.sensitive.bits.buffer, o->sens.sensitive.bits.size);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.8 TPM2_ObjectChangeAuth: a new private blob under the parent
 * with the new authValue; the loaded object is unchanged. */
TPM_RC cmd_ObjectChangeAuth(qtpm_tpm *tpm, tpm_cmd *c)
{
    tpm_object *o = object_find(tpm, c->handles[0]);
    tpm_object *parent;
    TPM_RC rc = object_parent_arg(tpm, c->handles[1], &parent);
    if (rc)
        return RC_H(rc & ~0xF00u, 2);
    tpm_buf64 a;
    rc = rd_2b_param(&c->in, a.b, sizeof(a.b), &a.size, 1);
    if (rc)
        return rc;
    if (params_end(c))
        return TPM_RC_SIZE;
    if (o->is_sequence || o->is_primary || o->is_external || !o->has_sensitive)
        return RC_H(TPM_RC_TYPE, 1);
    if (a.size > crypt_hash_size(o->pub.nameAlg))
        return RC_P(TPM_RC_SIZE, 1);
    /* the parent must be the object's parent: its QN must derive o's QN */
    tpm_object tmp = *o;
    object_compute_qualified(&tmp, &parent->qualified);
    if (tmp.qualified.size != o->qualified.size ||
        !public_equal(tmp.qualified.b, o->qualified.b, o->qualified.size))
        return RC_H(TPM_RC_TYPE, 2);
    a.size = auth_trim(a.b, a.size);
    memcpy(tmp.sens.authValue.buffer, a.b, a.size);
    tmp.sens.authValue.size = a.size;
    uint8_t priv[MAX_PRIVATE_BUFFER];
    uint16_t plen;
    rc = object_protect(parent, &tmp, priv, sizeof(priv), &plen);
    qtpm_memzero(&tmp, sizeof(tmp));
    if (rc)
        return rc;
    wr_2b(&c->out, priv, plen);
    qtpm_memzero(priv, sizeof(priv));
    return TPM_RC_SUCCESS;
}

/* Part 3 §10.3 TPM2_TestParms: a TPMT_PUBLIC_PARMS is supported iff it
 * unmarshals. */
TPM_RC object_test_parms(const qtpm_tpm *tpm, tpm_rd *in)
{
    uint16_t type;
    if (rd_u16(in, &type))
        return RC_P(TPM_RC_INSUFFICIENT, 1);
    TPMU_PUBLIC_PARMS p;
    TPM_RC rc = tm_parms_read(tpm, in, type, &p);
    if (rc)
        return RC_P(rc, 1);
    return rd_left(in) ? TPM_RC_SIZE : TPM_RC_SUCCESS;
}
