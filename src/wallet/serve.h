/* SPDX-License-Identifier: BSD-2-Clause */
/* serve.h — the `serve` and `bench-service` subcommands (serve.c). Both
 * return an exit status (0, 1, or 2 for a usage error); argv[i..] are the
 * subcommand's options. */
#ifndef QTPM_WALLET_SERVE_H
#define QTPM_WALLET_SERVE_H

#include "wallet.h"

int wallet_cmd_serve(wallet *w, const char *db, int argc, char **argv, int i);
int wallet_cmd_bench(wallet *w, const char *db, int argc, char **argv, int i);

#endif
