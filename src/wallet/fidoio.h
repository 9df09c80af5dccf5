/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fidoio.h — where qtpm-wallet-client's FIDO2 authenticator is (fidoio.c):
 * a hidraw device (libfido2's own HID I/O) or "unix:PATH", CTAPHID reports
 * over a UNIX stream socket for emulated or remote authenticators, handed
 * to libfido2 through its custom-I/O hook (fido_dev_set_io_functions(3)).
 */
#ifndef QTPM_WALLET_FIDOIO_H
#define QTPM_WALLET_FIDOIO_H

#include <fido.h>

#define FIDOIO_UNIX_PREFIX "unix:"

/* Opens d at device: "unix:PATH" through the socket transport, anything
 * else as a libfido2 device path. FIDO_OK or libfido2's error; a socket
 * that cannot be reached is said on stderr with its errno. */
int fidoio_open(fido_dev_t *d, const char *device);

#endif
