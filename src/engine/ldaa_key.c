/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ldaa_key.c — the public area of an EK-bound LDAA key (docs/DAA.md "Join
 * bound to the EK"). An LDAA key (ldaa.c) is a restricted keyedHash signing
 * key; one made for a single issuer carries, instead of the usual
 *   unique = H_nameAlg(seedValue ‖ bits)            (Part 1 §27.6.2),
 * 64 bytes
 *   unique = rho ‖ SHAKE256("qtpm-ldaa-t" ‖ rho ‖ t, 32),  t = D·s(bits, rho),
 * so that its Name commits to the TPM's LDAA public key t for the issuer
 * of seed rho. The template says which issuer: nameAlg SHA-256, the LDAA
 * attributes, and a 64-byte unique whose first half is rho (the second is
 * ignored and replaced). Create computes the digest from the new bits, and
 * the binding check of Load/Import recomputes and compares it, in place of
 * the hash of the seed (object_symmetric_unique calls here). A TPM that
 * does not know this form replaces the 64 bytes with a 32-byte hash: its key
 * is then not EK-bound, and an issuer refuses it.
 *
 * This file calls nothing of the engine (only the lattice code), so the
 * object layer may call it (docs/ENGINE.md "Layers").
 */
#include <string.h>

#include "ldaa.h"
#include "object.h"

#include "ldaa_internal.h" /* src/daa: ldaa_tpm_derive */
#include "qtpm/common.h"
#include "qtpm/ldaa.h"

int ldaa_key_bound(const tpm_object *o)
{
    uint32_t a = o->pub.objectAttributes;
    return o->pub.type == TPM_ALG_KEYEDHASH && o->pub.nameAlg == TPM_ALG_SHA256 &&
           (a & LDAA_KEY_SET) == LDAA_KEY_SET && !(a & LDAA_KEY_CLEAR) &&
           o->pub.unique.keyedHash.size == 2 * 32;
}

int ldaa_key_unique(tpm_object *o)
{
    TPM2B_DIGEST *u = &o->pub.unique.keyedHash;
    qtpm_ldaa_tpm *lt = NULL;
    int rc = -1;
    if (o->sens.sensitive.bits.size != 0 &&
        ldaa_tpm_derive(&lt, u->buffer, o->sens.sensitive.bits.buffer,
                        o->sens.sensitive.bits.size) == QTPM_DAA_OK &&
        qtpm_ldaa_tpm_t_digest(lt, u->buffer + 32) == QTPM_DAA_OK)
        rc = 0;
    qtpm_ldaa_tpm_free(lt);
    if (rc)
        u->size = 0; /* Create fails; Load's comparison fails */
    return rc;
}
