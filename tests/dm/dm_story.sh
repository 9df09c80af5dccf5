#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# dm_story.sh BUILD qtpm|swtpm DEMO_SCRIPT — runs the device-management
# story with two routers and checks what the NMS concluded: the untouched
# router is good, the attacked one is bad because of /usr/sbin/routerd's
# digest (the exact reason code and path), its TPM-resident TLS key stopped
# working, and the demo said so; r3's edited configuration is refused and reported.
# A fourth argument "pg" runs the NMS on the PostgreSQL database in $QTPM_TEST_PG
# (tests/store/pg-cluster.sh; dm_story_pg).
set -eu
build=$1 tpm=$2 demo=$3
if [ "${4:-}" = pg ]; then
    [ -n "${QTPM_TEST_PG:-}" ] || { echo "SKIP: QTPM_TEST_PG not set"; exit 77; }
    DEMO_DB="postgresql:$QTPM_TEST_PG"
    export DEMO_DB
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-dmtest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
opt=
[ "$tpm" = swtpm ] && opt=--swtpm
DEMO_RESULT=$tmp/r2.json sh "$demo" "$build" --routers 3 --quick $opt > "$tmp/out" 2>&1 || {
    cat "$tmp/out"; echo "FAIL: the demo exited non-zero"; exit 1; }
cat "$tmp/out"
grep -q "r1: verdict good" "$tmp/out" || { echo "FAIL: r1 was not good"; exit 1; }
grep -q "verdict bad" "$tmp/out" || { echo "FAIL: the attack was not seen as bad"; exit 1; }
# implicit attestation: the TPM-resident TLS key works for r1, and for r2 only
# until the attack (then the TPM refuses to sign: no approval for its PCRs)
grep -q "r1: mutual TLS with the TPM-resident key up" "$tmp/out" ||
    { echo "FAIL: r1's mutual TLS did not come up"; exit 1; }
[ "$(grep -c "r2: mutual TLS with the TPM-resident key up" "$tmp/out")" = 1 ] ||
    { echo "FAIL: r2's mutual TLS was not up exactly once (before the attack)"; exit 1; }
grep -q "r2: mutual TLS with the TPM-resident key FAILED.*TPM refused to sign" "$tmp/out" ||
    { echo "FAIL: r2's TLS key still worked after the attack"; exit 1; }
grep -q "configuration refused (1 file)" "$tmp/out" ||
    { echo "FAIL: r3's edited frr.conf was not refused"; exit 1; }
grep -q "r3: refused configuration reported to the NMS" "$tmp/out" ||
    { echo "FAIL: r3's refused frr.conf was not reported to the NMS"; exit 1; }
python3 - "$tmp/r2.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
state = r.get("state") or r.get("verdict")
assert state == "bad", f"r2 state {state!r}, expected bad"
reasons = r.get("reasons") or (r.get("last_verdict") or {}).get("reasons") or []
assert any(x.get("code") == "digest-mismatch" and x.get("path") == "/usr/sbin/routerd"
           for x in reasons), f"no digest-mismatch for /usr/sbin/routerd in {reasons}"
print("dm_story: r2 bad, digest-mismatch /usr/sbin/routerd")
PY
