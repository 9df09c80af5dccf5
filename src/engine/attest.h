/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * attest.h — command audit (attest.c, Part 1 §33): dispatch.c extends the
 * audit digest after every successful audited command.
 */
#ifndef QTPM_ENGINE_ATTEST_H
#define QTPM_ENGINE_ATTEST_H

#include "cmd.h"

void audit_command(qtpm_tpm *tpm, tpm_cmd *c);

#endif
