/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.h — authValue helpers (auth.c): the trailing-zero rule of Part 1
 * §19.6.4.3 and the constant-time comparison of two authValues. The lowest
 * of the authorization layers: entity lookup, NV, objects and sessions use it.
 */
#ifndef QTPM_ENGINE_AUTH_H
#define QTPM_ENGINE_AUTH_H

#include <stddef.h>
#include <stdint.h>

/* The length of authValue a without its trailing zero bytes. */
uint16_t auth_trim(const uint8_t *a, uint16_t len);
/* 1 if the two authValues are equal after auth_trim (constant time). */
int auth_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen);

#endif
