/* SPDX-License-Identifier: BSD-2-Clause */
/* http.h — the HTTPS front of the wallet service (http.c). */
#ifndef QTPM_WALLET_HTTP_H
#define QTPM_WALLET_HTTP_H

#include "service.h"

/* Serves until SIGTERM/SIGINT; 0 on a clean stop. web: the UI directory. */
int wallet_http_serve(svc *s, const char *host, int port, const char *cert, const char *key,
                      const char *web, const char *origin);

#endif
