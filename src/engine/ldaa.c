/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa.c — the vendor-specific commands of the lattice DAA's TPM part
 * (qtpm/ldaa.h; docs/DAA.md "LDAA in the engine"; codes in tpm2_types.h,
 * with the vendor bit of Part 2 §6.5.2):
 *
 *   Vendor_LDAA_JoinRequest  keyHandle (USER), rho, nonce, offset
 *                            → totalSize, piece of the join request
 *
 * An LDAA key is an ordinary TPM object: a restricted keyedHash signing key
 * whose private bits the TPM generated (sensitiveDataOrigin) and which
 * cannot leave it (fixedTPM), created with TPM2_Create under a storage
 * parent, so it is wrapped, loaded, authorized (authValue or policy) and
 * flushed like any key. Its LDAA secret s is derived per issuer from those
 * bits and the issuer's public seed rho (ldaa_tpm_derive), inside the
 * command, and wiped before the response. A restricted HMAC key cannot
 * HMAC caller data (Part 3 §15.5), and s is a SHAKE256 output under its own
 * label, so the key's other uses do not touch s.
 *
 * A join request (29,793 bytes) does not fit a response (8 KB): the TPM
 * computes it deterministically (masks from the key and the nonce) and
 * returns the bytes [offset, offset + LDAA_ENGINE_CHUNK); the host asks for
 * each piece in turn. Equal inputs give an equal request, so a repeated
 * call answers the same challenge with the same response and reveals
 * nothing new.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "ldaa.h"
#include "object.h"

#include "ldaa_internal.h" /* src/daa: the lattice arithmetic */
#include "qtpm/common.h"
#include "qtpm/ldaa.h"

/* The attributes an LDAA key must have, and those it must not. */
#define LDAA_KEY_SET                                                                          \
    (TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT | TPMA_OBJECT_SENSITIVEDATAORIGIN |       \
     TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_SIGN_ENCRYPT)
#define LDAA_KEY_CLEAR TPMA_OBJECT_DECRYPT

/* The loaded LDAA key of handle slot 1, with its private part. */
static TPM_RC ldaa_key(qtpm_tpm *tpm, TPM_HANDLE h, tpm_object **out)
{
    tpm_object *k = object_find(tpm, h);
    if (k == NULL || k->is_sequence || k->pub.type != TPM_ALG_KEYEDHASH || !k->has_sensitive ||
        k->sens.sensitive.bits.size == 0)
        return RC_H(TPM_RC_KEY, 1);
    uint32_t a = k->pub.objectAttributes;
    if ((a & LDAA_KEY_SET) != LDAA_KEY_SET || (a & LDAA_KEY_CLEAR))
        return RC_H(TPM_RC_ATTRIBUTES, 1);
    *out = k;
    return TPM_RC_SUCCESS;
}

TPM_RC cmd_Vendor_LDAA_JoinRequest(qtpm_tpm *tpm, tpm_cmd *c)
{
    uint8_t rho[64], nonce[64];
    uint16_t rho_len = 0, nonce_len = 0;
    uint32_t offset = 0;
    tpm_params p = prm_begin(&c->in);
    if (prm_2b(&p, rho, sizeof rho, &rho_len) == TPM_RC_SUCCESS && rho_len != 32)
        prm_fail(&p, TPM_RC_SIZE);
    if (prm_2b(&p, nonce, sizeof nonce, &nonce_len) == TPM_RC_SUCCESS &&
        nonce_len != QTPM_LDAA_NONCE_SIZE)
        prm_fail(&p, TPM_RC_SIZE);
    if (prm_u32(&p, &offset) == TPM_RC_SUCCESS && offset >= QTPM_LDAA_JOINREQ_SIZE)
        prm_fail(&p, TPM_RC_VALUE);
    if (p.rc)
        return p.rc;
    if (params_end(c))
        return TPM_RC_SIZE;
    tpm_object *k;
    TPM_RC rc = ldaa_key(tpm, c->handles[0], &k);
    if (rc)
        return rc;
    qtpm_ldaa_tpm *lt = NULL;
    if (ldaa_tpm_derive(&lt, rho, k->sens.sensitive.bits.buffer, k->sens.sensitive.bits.size) !=
        QTPM_DAA_OK)
        return TPM_RC_MEMORY;
    uint8_t *req = malloc(QTPM_LDAA_JOINREQ_SIZE);
    int drc = req == NULL ? QTPM_DAA_E_PARAM : qtpm_ldaa_tpm_join_request(lt, nonce, req);
    qtpm_ldaa_tpm_free(lt);
    if (drc != QTPM_DAA_OK) {
        free(req);
        /* E_PARAM: out of memory; E_PROOF: every bounded try rejected */
        return drc == QTPM_DAA_E_PARAM ? TPM_RC_MEMORY : TPM_RC_FAILURE;
    }
    size_t n = QTPM_LDAA_JOINREQ_SIZE - offset;
    if (n > LDAA_ENGINE_CHUNK)
        n = LDAA_ENGINE_CHUNK;
    wr_u32(&c->out, QTPM_LDAA_JOINREQ_SIZE);
    wr_2b(&c->out, req + offset, (uint16_t)n);
    free(req); /* public: t and a zero-knowledge proof */
    return TPM_RC_SUCCESS;
}
