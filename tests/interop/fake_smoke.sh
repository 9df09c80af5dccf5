# SPDX-License-Identifier: BSD-2-Clause
# fake_smoke.sh — exercises the harness and both TCTIs against
# qtpm-server-fake (tests/server/fake_engine.c), which knows only Startup and
# GetRandom: tpm2_startup must succeed, and a second one too (tpm2-tools
# accepts TPM_RC_INITIALIZE), over a fresh connection each time.
. "$QTPM_INTEROP_LIB"
run tpm2_startup -c
run tpm2_startup -c
# tpm2_getrandom asks GetCapability first, which the fake refuses.
must_fail tpm2_getrandom 8
