/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * marshal_internal.h — private helpers shared by the files of src/marshal.
 *
 * Every public marshal/unmarshal function works on a local copy of *offset
 * and stores it back only on success, so a failed call leaves the caller's
 * offset where it was. TRY() propagates the first error of a nested call.
 */
#ifndef QTPM_MARSHAL_INTERNAL_H
#define QTPM_MARSHAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "qtpm/marshal.h"

#define TRY(expr)                                  \
    do {                                           \
        TPM_RC try_rc_ = (expr);                   \
        if (try_rc_ != TPM_RC_SUCCESS)             \
            return try_rc_;                        \
    } while (0)

/* A TPM2B of bytes: len bytes of data with room for cap. */
TPM_RC qtpm_m_tpm2b_marshal(uint16_t len, const uint8_t *data, size_t cap, uint8_t buf[],
                            size_t size, size_t *offset);
TPM_RC qtpm_m_tpm2b_unmarshal(uint16_t *len, uint8_t *data, size_t cap, const uint8_t buf[],
                              size_t size, size_t *offset);

/* Sized structures (TPM2B_PUBLIC, ...): the 2-byte size in front of an inner
 * structure. begin reserves it; end writes the inner length there. */
TPM_RC qtpm_m_sized_begin(uint8_t buf[], size_t size, size_t *offset, size_t *size_at);
TPM_RC qtpm_m_sized_end(uint8_t buf[], size_t size_at, size_t offset);
/* Reads the size of a sized structure and returns the end of its inner
 * bytes; TPM_RC_SIZE for 0 (all qtpm's sized structures have "="),
 * TPM_RC_INSUFFICIENT when fewer bytes remain than the size says. */
TPM_RC qtpm_m_sized_open(const uint8_t buf[], size_t size, size_t *offset, size_t *inner_end);
/* After unmarshalling the inner structure within [.., inner_end): an inner
 * read past the declared size (TPM_RC_INSUFFICIENT) or a short read is
 * TPM_RC_SIZE (Part 2: the size must equal the structure's size). */
TPM_RC qtpm_m_sized_close(TPM_RC inner_rc, size_t offset, size_t inner_end);

#endif
