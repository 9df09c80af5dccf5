/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.c — authValue helpers: an authValue without its trailing zeros and the
 * comparison of two authValues, both without a branch on the secret bytes
 * (docs/ENGINE.md "Secrets and timing"). It calls no other engine file.
 */
#include "auth.h"
#include "ct.h"

/* An authValue without its trailing zero bytes (Part 1 §19.6.4.3, §19.6.5:
 * they do not count in a password or an HMAC key). Every byte is read and
 * the length is counted arithmetically, so the time does not depend on the
 * bytes; the result is then public — the HMAC key's length has to be, and
 * it tells only how many zero bytes the value ends with. */
uint16_t auth_trim(const uint8_t *a, uint16_t len)
{
    uint32_t seen = 0, keep = 0;
    for (uint16_t i = len; i > 0; i--) {
        seen |= ct_mask_nonzero_u32(a[i - 1]);
        keep += seen & 1u;
    }
    QTPM_CT_DECLASSIFY(&keep, sizeof keep);
    return (uint16_t)keep;
}

int auth_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    alen = auth_trim(a, (uint16_t)alen);
    blen = auth_trim(b, (uint16_t)blen);
    if (alen != blen)
        return 0;
    return ct_equal(a, b, alen);
}
