/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pki.h — the NMS's key material (private to src/ras and src/nms).
 *
 * `qtpm-nms init --dir D` makes, with OpenSSL 3.0:
 *   privacy-ca.{key,crt}   ECDSA P-384 self-signed CA: issues AK and router TLS certificates
 *   operator-ca.{key,crt}  ECDSA P-384 self-signed CA: issues the server's and the operators'
 *                          certificates (OU = operator | read-only)
 *   policy.key             ECC P-256: signs PolicyAuthorize approvals (docs/NMS.md)
 *   server.{key,crt}       TLS server certificate for 127.0.0.1 and localhost
 *   operator.{key,crt}, readonly.{key,crt}   client certificates
 * Private keys are created 0600 with O_EXCL, so init never overwrites a key.
 */
#ifndef QTPM_RAS_PKI_H
#define QTPM_RAS_PKI_H

#include <stddef.h>

int qtpm_pki_init(const char *dir, char *err, size_t errlen);

#endif
