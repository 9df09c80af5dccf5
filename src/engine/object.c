/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * object.c — the object commands (Part 1 §23-27, Part 3 §12): Create,
 * CreatePrimary, CreateLoaded, Load, LoadExternal, ReadPublic,
 * ObjectChangeAuth and Unseal.
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
#include "keycmds.h"
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

/* outPublic: the object's public area (its size is the marshaller's). */
static void out_public(TPM2B_PUBLIC *out, const tpm_object *o)
{
    out->size = 0;
    out->publicArea = o->pub;
}

static void out_name(TPM2B_NAME *out, const tpm_name *n)
{
    memcpy(out->buffer, n->b, n->size);
    out->size = n->size;
}

/* creationData, creationHash and creationTicket (Part 2 §15.1, Part 1
 * §27.7): creationHash = H_nameAlg(TPMS_CREATION_DATA), ticket =
 * HMAC(proof, TPM_ST_CREATION || Name || creationHash). pcrDigest is empty
 * when nothing is selected. */
typedef struct {
    TPM2B_CREATION_DATA *data;
    TPM2B_DIGEST *hash;
    TPMT_TK_CREATION *ticket;
} creation_out;

static TPM_RC creation(qtpm_tpm *tpm, tpm_cmd *c, const tpm_object *o, const TPM2B_DATA *outside,
                       const TPML_PCR_SELECTION *sel, unsigned p_sel, TPM_ALG_ID parent_alg,
                       const tpm_name *parent_name, const tpm_name *parent_qn, creation_out *out)
{
    TPMS_CREATION_DATA *cd = &out->data->creationData;
    size_t hlen = crypt_hash_size(o->pub.nameAlg);
    TPM_RC rc = pcr_selection_digest(tpm, sel, o->pub.nameAlg, cd->pcrDigest.buffer);
    if (rc)
        return rc == TPM_RC_HASH ? RC_P(rc, p_sel) : rc;
    cd->pcrSelect = *sel;
    cd->pcrDigest.size = (uint16_t)(sel->count != 0 ? hlen : 0);
    cd->locality = (uint8_t)(1u << c->locality);
    cd->parentNameAlg = parent_alg;
    out_name(&cd->parentName, parent_name);
    out_name(&cd->parentQualifiedName, parent_qn);
    cd->outsideInfo = *outside;
    uint8_t buf[sizeof(TPMS_CREATION_DATA)];
    size_t n = 0;
    if (qtpm_TPMS_CREATION_DATA_marshal(cd, buf, sizeof(buf), &n) != TPM_RC_SUCCESS)
        return TPM_RC_SIZE;
    crypt_hash(o->pub.nameAlg, buf, n, out->hash->buffer);
    out->hash->size = (uint16_t)hlen;
    uint8_t tag[2];
    wr_put_u16(tag, TPM_ST_CREATION);
    crypt_part parts[] = {{tag, 2}, {o->name.b, o->name.size}, {out->hash->buffer, hlen}};
    crypt_hmac_parts(o->pub.nameAlg, hierarchy_proof(tpm, o->hierarchy), 64,
                     out->ticket->digest.buffer, parts, 3);
    out->ticket->tag = TPM_ST_CREATION;
    out->ticket->hierarchy = o->hierarchy;
    out->ticket->digest.size = (uint16_t)hlen;
    return TPM_RC_SUCCESS;
}

/* A new object with the public area of the command's inPublic (free it with
 * object_free); NULL when out of memory. */
static tpm_object *object_new(const TPMT_PUBLIC *pub)
{
    tpm_object *o = calloc(1, sizeof(*o));
    if (o != NULL)
        o->pub = *pub;
    return o;
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

TPM_RC object_child_new(qtpm_tpm *tpm, TPM_HANDLE h, const TPMT_PUBLIC *pub,
                        tpm_object **parent, tpm_object **o)
{
    TPM_RC rc = object_parent_arg(tpm, h, parent);
    if (rc)
        return rc;
    *o = object_new(pub);
    return *o == NULL ? TPM_RC_MEMORY : TPM_RC_SUCCESS;
}

/* Creates a primary object in hierarchy h (CreatePrimary, CreateLoaded)
 * from the template in o->pub. Its secrets come from KDFa(nameAlg, seed,
 * ..., H_nameAlg(template) || sensitive.data), the template as it was
 * sent: the strict unmarshalling of TPM2B_PUBLIC keeps every byte, so the
 * template marshalled again is those bytes (same length, checked). */
static TPM_RC create_primary(qtpm_tpm *tpm, TPM_HANDLE h, const TPM2B_SENSITIVE_CREATE *in_sens,
                             const TPM2B_PUBLIC *in_pub, tpm_object *o)
{
    const TPMS_SENSITIVE_CREATE *sc = &in_sens->sensitive;
    TPM_RC rc = object_check_template(&o->pub, sc, NULL);
    if (rc)
        return rc;
    uint8_t tmpl[sizeof(TPMT_PUBLIC)];
    size_t tlen = 0;
    if (qtpm_TPMT_PUBLIC_marshal(&in_pub->publicArea, tmpl, sizeof(tmpl), &tlen) != TPM_RC_SUCCESS ||
        tlen != in_pub->size)
        return TPM_RC_FAILURE;
    o->hierarchy = h == TPM_RH_PLATFORM ? TPM_RH_PLATFORM : h;
    o->is_primary = 1;
    /* context = H_nameAlg(template as sent) || sensitive.data */
    derive_src src;
    src.tpm = tpm;
    src.seed = hierarchy_seed(tpm, h);
    src.seed_len = 64;
    crypt_hash(o->pub.nameAlg, tmpl, tlen, src.ctx);
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
TPM_RC cmd_CreatePrimary(qtpm_tpm *tpm, tpm_cmd *c, const CreatePrimary_In *in,
                         CreatePrimary_Out *out)
{
    tpm_object *o = object_new(&in->inPublic.publicArea);
    if (o == NULL)
        return TPM_RC_MEMORY;
    TPM_RC rc = create_primary(tpm, c->handles[0], &in->inSensitive, &in->inPublic, o);
    rc = object_insert_out(tpm, c, o, rc);
    if (rc)
        return rc;
    tpm_name pn;
    hierarchy_qn(o->hierarchy, &pn);
    creation_out co = {&out->creationData, &out->creationHash, &out->creationTicket};
    rc = creation(tpm, c, o, &in->outsideInfo, &in->creationPCR, PN_CreatePrimary_creationPCR,
                  TPM_ALG_NULL, &pn, &pn, &co);
    if (rc) {
        object_remove(tpm, c->out_handle);
        return rc;
    }
    out_public(&out->outPublic, o);
    out_name(&out->name, &o->name);
    return TPM_RC_SUCCESS;
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
TPM_RC cmd_Create(qtpm_tpm *tpm, tpm_cmd *c, const Create_In *in, Create_Out *out)
{
    tpm_object *parent, *o;
    TPM_RC rc = object_child_new(tpm, c->handles[0], &in->inPublic.publicArea, &parent, &o);
    if (rc)
        return rc;
    rc = create_child(parent, &in->inSensitive.sensitive, o);
    if (rc == TPM_RC_SUCCESS)
        rc = object_protect(parent, o, out->outPrivate.buffer, sizeof(out->outPrivate.buffer),
                            &out->outPrivate.size);
    if (rc == TPM_RC_SUCCESS) {
        out_public(&out->outPublic, o);
        creation_out co = {&out->creationData, &out->creationHash, &out->creationTicket};
        rc = creation(tpm, c, o, &in->outsideInfo, &in->creationPCR, PN_Create_creationPCR,
                      parent->pub.nameAlg, &parent->name, &parent->qualified, &co);
    }
    object_free(o);
    return rc;
}

/* Part 3 §12.9 TPM2_CreateLoaded: a primary when the parent is a
 * hierarchy, an ordinary object otherwise; inPublic is a TPM2B_TEMPLATE. */
TPM_RC cmd_CreateLoaded(qtpm_tpm *tpm, tpm_cmd *c, const CreateLoaded_In *in,
                        CreateLoaded_Out *out)
{
    TPM_HANDLE ph = c->handles[0];
    tpm_object *o = object_new(&in->inPublic.publicArea);
    if (o == NULL)
        return TPM_RC_MEMORY;
    TPM_RC rc;
    tpm_object *parent = NULL;
    out->outPrivate.size = 0;
    if ((ph >> 24) == TPM_HT_PERMANENT) {
        rc = create_primary(tpm, ph, &in->inSensitive, &in->inPublic, o);
    } else {
        rc = object_parent_arg(tpm, ph, &parent);
        if (rc == TPM_RC_SUCCESS)
            rc = create_child(parent, &in->inSensitive.sensitive, o);
        if (rc == TPM_RC_SUCCESS)
            rc = object_protect(parent, o, out->outPrivate.buffer, sizeof(out->outPrivate.buffer),
                                &out->outPrivate.size);
    }
    rc = object_insert_out(tpm, c, o, rc);
    if (rc)
        return rc;
    out_public(&out->outPublic, o);
    out_name(&out->name, &o->name);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.2 TPM2_Load */
TPM_RC cmd_Load(qtpm_tpm *tpm, tpm_cmd *c, const Load_In *in, Load_Out *out)
{
    tpm_object *parent, *o;
    TPM_RC rc = object_child_new(tpm, c->handles[0], &in->inPublic.publicArea, &parent, &o);
    if (rc)
        return rc;
    uint32_t a = o->pub.objectAttributes;
    if ((a & TPMA_OBJECT_FIXEDTPM) && !(parent->pub.objectAttributes & TPMA_OBJECT_FIXEDTPM))
        rc = RC_P(TPM_RC_ATTRIBUTES, PN_Load_inPublic);
    if (rc == TPM_RC_SUCCESS)
        rc = object_compute_name(o);
    if (rc == TPM_RC_SUCCESS)
        rc = object_unprotect(parent, &o->name, in->inPrivate.buffer, in->inPrivate.size, &o->sens,
                              o->pub.type, 1);
    if (rc == TPM_RC_SUCCESS) {
        o->has_sensitive = 1;
        rc = object_check_loaded(o);
        if (rc)
            rc = RC_P(rc, PN_Load_inPublic);
    }
    if (rc == TPM_RC_SUCCESS) {
        o->hierarchy = parent->hierarchy;
        object_compute_qualified(o, &parent->qualified);
    }
    rc = object_insert_out(tpm, c, o, rc);
    if (rc)
        return rc;
    out_name(&out->name, &o->name);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.3 TPM2_LoadExternal: a public key alone, or a key with its
 * sensitive area in the clear (then only in the NULL hierarchy). */
TPM_RC cmd_LoadExternal(qtpm_tpm *tpm, tpm_cmd *c, const LoadExternal_In *in,
                        LoadExternal_Out *out)
{
    TPM_HANDLE hier = in->hierarchy;
    int has_priv = in->inPrivate.size != 0;
    if (!hierarchy_enabled(tpm, hier))
        return RC_P(TPM_RC_HIERARCHY, PN_LoadExternal_hierarchy);
    tpm_object *o = object_new(&in->inPublic.publicArea);
    if (o == NULL)
        return TPM_RC_MEMORY;
    TPM_RC rc = TPM_RC_SUCCESS;
    if (has_priv) {
        const TPMT_SENSITIVE *s = &in->inPrivate.sensitiveArea;
        if (hier != TPM_RH_NULL)
            rc = RC_P(TPM_RC_HIERARCHY, PN_LoadExternal_hierarchy);
        else if ((o->pub.objectAttributes & (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT)))
            rc = RC_P(TPM_RC_ATTRIBUTES, PN_LoadExternal_inPublic);
        else if (s->sensitiveType != o->pub.type || !tm_sensitive_type_ok(s->sensitiveType))
            rc = RC_P(TPM_RC_TYPE, PN_LoadExternal_inPrivate);
        else {
            o->sens = *s;
            o->has_sensitive = 1;
            o->sens.authValue.size = auth_trim(o->sens.authValue.buffer, o->sens.authValue.size);
            rc = object_check_binding(o);
            if (rc)
                rc = RC_P(rc, PN_LoadExternal_inPublic);
        }
    }
    if (rc == TPM_RC_SUCCESS && o->pub.type == TPM_ALG_ECC && !has_priv) {
        qtpm_ecc_curve cv = object_ecc_curve(o);
        size_t n = qtpm_ecc_size(cv);
        if (o->pub.unique.ecc.x.size != n || o->pub.unique.ecc.y.size != n ||
            qtpm_ecc_check_point(cv, o->pub.unique.ecc.x.buffer, o->pub.unique.ecc.y.buffer))
            rc = RC_P(TPM_RC_ECC_POINT, PN_LoadExternal_inPublic);
    }
    if (rc == TPM_RC_SUCCESS && !has_priv && pqc_is_type(o->pub.type) && pqc_check_public(o))
        rc = RC_P(TPM_RC_KEY, PN_LoadExternal_inPublic);
    if (rc == TPM_RC_SUCCESS)
        rc = object_compute_name(o);
    if (rc == TPM_RC_SUCCESS) {
        o->hierarchy = hier;
        o->is_external = 1;
        tpm_name qn;
        hierarchy_qn(hier, &qn);
        object_compute_qualified(o, &qn);
    }
    rc = object_insert_out(tpm, c, o, rc);
    if (rc)
        return rc;
    out_name(&out->name, &o->name);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.4 TPM2_ReadPublic */
TPM_RC cmd_ReadPublic(qtpm_tpm *tpm, tpm_cmd *c, const ReadPublic_In *in, ReadPublic_Out *out)
{
    (void)in;
    tpm_object *o = object_find(tpm, c->handles[0]);
    if (o->is_sequence)
        return RC_H(TPM_RC_SEQUENCE, 1);
    out_public(&out->outPublic, o);
    out_name(&out->name, &o->name);
    out_name(&out->qualifiedName, &o->qualified);
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.7 TPM2_Unseal */
TPM_RC cmd_Unseal(qtpm_tpm *tpm, tpm_cmd *c, const Unseal_In *in, Unseal_Out *out)
{
    (void)in;
    tpm_object *o = object_find(tpm, c->handles[0]);
    uint32_t a = o->pub.objectAttributes;
    if (o->is_sequence || o->pub.type != TPM_ALG_KEYEDHASH || !o->has_sensitive ||
        (a & (TPMA_OBJECT_SIGN_ENCRYPT | TPMA_OBJECT_DECRYPT | TPMA_OBJECT_RESTRICTED)))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    out->outData = o->sens.sensitive.bits;
    return TPM_RC_SUCCESS;
}

/* Part 3 §12.8 TPM2_ObjectChangeAuth: a new private blob under the parent
 * with the new authValue; the loaded object is unchanged. */
TPM_RC cmd_ObjectChangeAuth(qtpm_tpm *tpm, tpm_cmd *c, const ObjectChangeAuth_In *in,
                            ObjectChangeAuth_Out *out)
{
    tpm_object *o = object_find(tpm, c->handles[0]);
    tpm_object *parent;
    TPM_RC rc = object_parent_arg(tpm, c->handles[1], &parent);
    if (rc)
        return RC_H(rc & ~0xF00u, 2);
    if (o->is_sequence || o->is_primary || o->is_external || !o->has_sensitive)
        return RC_H(TPM_RC_TYPE, 1);
    if (in->newAuth.size > crypt_hash_size(o->pub.nameAlg))
        return RC_P(TPM_RC_SIZE, PN_ObjectChangeAuth_newAuth);
    /* the parent must be the object's parent: its QN must derive o's QN */
    tpm_object tmp = *o;
    object_compute_qualified(&tmp, &parent->qualified);
    if (tmp.qualified.size != o->qualified.size ||
        !public_equal(tmp.qualified.b, o->qualified.b, o->qualified.size))
        return RC_H(TPM_RC_TYPE, 2);
    memcpy(tmp.sens.authValue.buffer, in->newAuth.buffer, in->newAuth.size);
    tmp.sens.authValue.size = auth_trim(tmp.sens.authValue.buffer, in->newAuth.size);
    rc = object_protect(parent, &tmp, out->outPrivate.buffer, sizeof(out->outPrivate.buffer),
                        &out->outPrivate.size);
    qtpm_memzero(&tmp, sizeof(tmp));
    return rc;
}
