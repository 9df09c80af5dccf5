#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# cli_eventlog.sh QTPM — `qtpm eventlog` on TCG PC Client binary event logs
# built by make_eventlog.py (tests/vm makes real SeaBIOS logs only with a VM):
#  - the PCR values replayed from the crypto-agile (SHA-1 + SHA-256, and
#    + SHA-384) and SHA-1 logs equal tpm2_eventlog's (tpm2-tools 5.4) line
#    for line, and an independent Python replay's;
#  - a StartupLocality log: qtpm and the Python replay start PCR 0 at 3 and
#    do not extend EV_NO_ACTION (PFP §10.4.5.3); tpm2_eventlog 5.4 extends
#    the event's zero digests instead, so there PCR 0 differs (checked, so a
#    change in either tool shows);
#  - events, header and --json as expected; bad logs (truncated, sizes past
#    the end, an unknown algorithm or a wrong digest size in the header, a
#    digest count not the header's, an unlisted digest algorithm, PCR 99)
#    are refused with a message naming the problem and exit 1;
#  - tests/vm/evlog_replay.py (the VM tests' replay of SeaBIOS logs) agrees.
# Exit 0 pass, 1 fail, 77 skip (no tpm2_eventlog).
set -u
QTPM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
GEN=$(cd "$(dirname "$0")" && pwd)/make_eventlog.py
VMREPLAY=$(cd "$(dirname "$0")/../vm" && pwd)/evlog_replay.py
command -v tpm2_eventlog >/dev/null 2>&1 || { echo "SKIP: tpm2_eventlog not installed"; exit 77; }
command -v jq >/dev/null 2>&1 || { echo "SKIP: jq not installed"; exit 77; }
WORK=$(mktemp -d /tmp/qtpm-evlog-XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
FAILS=0
CHECKS=0
pass() { CHECKS=$((CHECKS + 1)); echo "ok   $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL $*"; }
pcrs() { sed -n '/^pcrs:/,$p'; }

for kind in agile agile3 sha1 locality; do
    python3 "$GEN" "$kind" "$kind.bin"
    python3 "$GEN" --replay "$kind.bin" > "$kind.py"
    if "$QTPM" eventlog "$kind.bin" > "$kind.out" 2> "$kind.err"; then
        pcrs < "$kind.out" > "$kind.q"
        pass "$kind: qtpm eventlog parses the log"
    else
        fail "$kind: qtpm eventlog failed"; cat "$kind.err"; continue
    fi
    tpm2_eventlog "$kind.bin" 2>/dev/null | pcrs > "$kind.t"
    if [ -s "$kind.q" ] && cmp -s "$kind.q" "$kind.py"; then
        pass "$kind: PCRs equal the Python replay's"
    else fail "$kind: PCRs differ from the Python replay's"; diff "$kind.py" "$kind.q"; fi
    if [ "$kind" != locality ]; then
        if cmp -s "$kind.q" "$kind.t"; then pass "$kind: PCRs equal tpm2_eventlog's"
        else fail "$kind: PCRs differ from tpm2_eventlog's"; diff "$kind.t" "$kind.q"; fi
    else
        # only PCR 0 of each bank differs, and tpm2_eventlog's PCR 0 is the
        # replay that extends the StartupLocality event's zero digests
        d=$(diff "$kind.t" "$kind.q" | grep -c '^[<>]')
        sha1_t=$(awk '/^  sha1:/{b=1} b && /^    0  :/{print $3; exit}' "$kind.t")
        want=$(python3 -c '
import hashlib
def h(d): return hashlib.sha1(d).digest()
p = h(bytes(20) + bytes(20))  # the EV_NO_ACTION event extended with zeros
for d in ["1.0".encode("utf-16-le") + b"\0\0", b"POST CODE", b"\0\0\0\0"]:
    p = h(p + h(d))
print("0x" + p.hex())')
        if [ "$d" -eq 4 ] && [ "$sha1_t" = "$want" ]; then
            pass "$kind: tpm2_eventlog 5.4 differs only in PCR 0 (it extends EV_NO_ACTION)"
        else fail "$kind: unexpected difference from tpm2_eventlog"; diff "$kind.t" "$kind.q"; fi
        if grep -q "^    0  : 0x0b918fd7b78bef7fd88de4c66dd8dc6c1304a5dc$" "$kind.q"; then
            pass "$kind: SHA-1 PCR 0 starts at locality 3"
        else fail "$kind: SHA-1 PCR 0 not started at locality 3"; fi
    fi
done

# tests/vm's replay of SeaBIOS logs (evlog_replay.py, PCRs 0-7) agrees too
for kind in agile agile3; do
    "$QTPM" --json eventlog "$kind.bin" > "$kind.json"
    if python3 "$VMREPLAY" "$kind.bin" > "$kind.vm" && [ "$(grep -c '^sha' "$kind.vm")" -ge 16 ] &&
       python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
bad = 0
for line in sys.stdin:
    f = line.split()
    if f[0] == "events":
        continue
    bank, i, val = f
    want = doc["pcrs"].get(bank, {}).get(i, "00" * (len(val) // 2))
    bad += want != val
sys.exit(bad)' "$kind.json" < "$kind.vm"; then pass "$kind: PCRs 0-7 equal tests/vm/evlog_replay.py's"
    else fail "$kind: PCRs differ from tests/vm/evlog_replay.py's"; fi
done

# the events as tpm2_eventlog lists them (numbers, PCRs, types, digests)
fields() { grep -E '^(- EventNum|  PCRIndex|  EventType|  DigestCount|  - AlgorithmId|    Digest|  EventSize)' "$1"; }
tpm2_eventlog agile3.bin 2>/dev/null > agile3.tout
if [ "$(fields agile3.out)" = "$(fields agile3.tout)" ]; then
    pass "agile3: events, digests and sizes listed as tpm2_eventlog lists them"
else fail "agile3: event list differs from tpm2_eventlog's"; fi
if grep -q '^  - Signature: Spec ID Event03$' agile3.out && grep -q '^    numberOfAlgorithms: 3$' agile3.out; then
    pass "agile3: Spec ID header printed"
else fail "agile3: Spec ID header missing"; fi
if "$QTPM" --json eventlog agile3.bin | jq -e '.format == "crypto-agile" and (.events | length) == 16 and (.specID.algorithms | length) == 3 and .pcrs.sha384["0"] != null and .events[3].EventType == "EV_POST_CODE"' >/dev/null; then
    pass "--json: format, events, header, pcrs"
else fail "--json document"; fi
if "$QTPM" --json eventlog sha1.bin | jq -e '.format == "sha1" and (.pcrs | keys) == ["sha1"]' >/dev/null; then
    pass "--json: a SHA-1 log has one bank"
else fail "--json sha1"; fi

# a log area padded with zeros (as the ACPI table's log area is) replays alike
python3 -c 'import sys; open(sys.argv[2], "wb").write(open(sys.argv[1], "rb").read() + bytes(64))' agile.bin padded.bin
if "$QTPM" eventlog padded.bin | pcrs | cmp -s - agile.q && "$QTPM" --json eventlog padded.bin | jq -e '.padding == 64' >/dev/null; then
    pass "zero padding after the last event: the same PCRs, padding 64"
else fail "zero-padded log"; fi

# bad logs: exit 1 and the reason
bad() { # KIND PATTERN
    python3 "$GEN" "$1" "$1.bin"
    "$QTPM" eventlog "$1.bin" > /dev/null 2> "$1.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q -- "$2" "$1.err"; then pass "$1 refused: $(cat "$1.err")"
    else fail "$1: exit $rc, wanted 1 and \"$2\""; cat "$1.err"; fi
}
bad truncated "ends inside digest"
bad badsize "runs past the end of the log"
bad unknownalg "lists algorithm 0x7777"
bad hdrsize "a 20-byte digest"
bad count "has 1 digests but the Spec ID header lists 2"
bad badalg "does not list"
bad pcr "PCR index 99"
: > empty.bin
"$QTPM" eventlog empty.bin >/dev/null 2>empty.err
[ $? -eq 1 ] && grep -q "empty" empty.err && pass "empty log refused" || fail "empty log"
"$QTPM" eventlog missing.bin >/dev/null 2>missing.err
[ $? -eq 1 ] && pass "missing file: exit 1" || fail "missing file"
"$QTPM" eventlog >/dev/null 2>&1
[ $? -eq 2 ] && pass "no FILE: usage error (exit 2)" || fail "no FILE"

echo "eventlog: $CHECKS checks, $FAILS failed"
[ $FAILS -eq 0 ]
