#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# make demo-daa as a test (docs/DAA.md "The tracker demo"): the story must
# end with every outcome as expected, and its output must show each of
# them — the verifications, the links, the refusals of an edited batch, a
# revoked tracker and a TPM that never joined, for ECDAA and the lattice
# DAA. Then the story is run with the revoked lists left empty
# (DEMO_DAA_SABOTAGE=revoke): it must fail there, at the revoked tracker,
# so a refusal that succeeds is caught. Usage: daa_demo.sh SOURCE_DIR BUILD_DIR
set -u
S=$1 B=$2
O=$(mktemp "${TMPDIR:-/tmp}/qtpm-daa-demo-test.XXXXXX")
trap 'rm -f "$O"' EXIT
fails=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# want COUNT PATTERN: the output has COUNT lines matching PATTERN
want() {
    n=$(grep -c -- "$2" "$O")
    [ "$n" -eq "$1" ] || bad "$n lines match '$2', want $1"
}

sh "$S/scripts/demo-daa.sh" "$B" >"$O" 2>&1 || bad "demo-daa.sh exited $?"
grep -q '^demo-daa: all 40 outcomes as expected$' "$O" || bad "no (or another) summary line"
want 0 'UNEXPECTED'
want 1 'analytics checks the issuer key: issuer public key OK$'
want 3 'joins: its host checks the credential: done$'          # ECDAA: A, B, the forger
want 3 'joins: its host checks the credential: credential OK$' # lattice: A, B, the forger
want 5 ': signature OK (anonymous)$'
want 9 ': signature OK (linkable under the basename)$'
want 3 ' under sleep-study-2026: linked$'
want 2 'under sleep-study-2026: refused (exit 1): not linked$'
want 2 'anonymous: refused (exit 3)'
want 2 'edited batch: refused (exit 1)'
want 1 'B day 2 against the revoked list: refused (exit 1): .*revoked DAA key'
want 2 'B, .*against the list: refused (exit 1): .*revoked (rogue) DAA key'
want 5 'intruder.*: refused (exit 1)'
want 1 "intruder's key file answering A's EK challenge: refused (exit 3): .*does not commit"
want 2 'forged credential: refused (exit 1): signature INVALID'
[ "$fails" -eq 0 ] || { echo "--- the story:"; cat "$O"; }

if DEMO_DAA_SABOTAGE=revoke sh "$S/scripts/demo-daa.sh" "$B" >"$O" 2>&1; then
    bad "with empty revoked lists the story still passed"
fi
grep -q 'B day 2 against the revoked list: UNEXPECTED exit 0' "$O" ||
    { bad "the sabotaged story did not stop at the revoked tracker"; cat "$O"; }

if [ "$fails" -ne 0 ]; then echo "daa_demo: $fails failure(s)"; exit 1; fi
echo "daa_demo: all passed"
