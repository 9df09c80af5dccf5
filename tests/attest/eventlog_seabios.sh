#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# attest_eventlog_seabios: a real firmware log — SeaBIOS's crypto-agile log
# (QEMU q35, SeaBIOS as Debian ships it, 3121 bytes, 16 events, 4 banks) as
# the Linux guest of tests/vm/vm_ima.sh read it from
# /sys/kernel/security/tpm0/binary_bios_measurements with qtpm-server as its
# TPM. `qtpm eventlog --json` must replay it to the PCRs 0-7 that the same
# guest read from the TPM through sysfs (seabios-q35.pcrs); when tpm2-tools
# is installed, the text output must be tpm2_eventlog's, byte for byte; the
# log cut short or with a digest count changed is refused (exit 1).
set -u
QTPM=$1
V=$(cd "$(dirname "$0")" && pwd)/vectors
W=$(mktemp -d "${TMPDIR:-/tmp}/attest-evlog.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

"$QTPM" eventlog --json "$V/seabios-q35.bin" > "$W/out.json" || fail "qtpm eventlog refused the log"
python3 - "$W/out.json" "$V/seabios-q35.pcrs" <<'PYEOF' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["format"] == "crypto-agile", doc["format"]
assert len(doc["events"]) == 16, len(doc["events"])
n = 0
for line in open(sys.argv[2]):
    bank, idx, want = line.split()
    got = doc["pcrs"][bank][idx]
    if got != want.lower():
        sys.exit(f"FAIL: PCR {idx} {bank}: replay {got}, the TPM had {want.lower()}")
    n += 1
if n != 32:
    sys.exit(f"FAIL: {n} PCR values compared, 32 expected")
print(f"seabios-q35: {n} PCR values (8 PCRs x 4 banks) = the guest's TPM")
PYEOF
if command -v tpm2_eventlog >/dev/null 2>&1; then
    tpm2_eventlog "$V/seabios-q35.bin" > "$W/ref.txt" 2>/dev/null || fail "tpm2_eventlog failed"
    "$QTPM" eventlog "$V/seabios-q35.bin" > "$W/mine.txt" || fail "qtpm eventlog (text)"
    cmp -s "$W/ref.txt" "$W/mine.txt" || { diff "$W/ref.txt" "$W/mine.txt" | head; fail "text output differs from tpm2_eventlog"; }
    echo "seabios-q35: text output = tpm2_eventlog"
fi
# cut in the middle of the last event: refused
head -c 3000 "$V/seabios-q35.bin" > "$W/cut.bin"
"$QTPM" eventlog "$W/cut.bin" > /dev/null 2>&1 && fail "a truncated log was accepted"
# the second event's digest count (offset 77: 32-byte header + 45-byte Spec ID
# event, then pcrIndex and eventType) changed from 4 to 3: refused
python3 -c "
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
assert b[77 + 8] == 4
b[77 + 8] = 3
open(sys.argv[2], 'wb').write(b)" "$V/seabios-q35.bin" "$W/count.bin" || fail "count edit"
"$QTPM" eventlog "$W/count.bin" > /dev/null 2>&1 && fail "a digest count other than the header's was accepted"
echo "PASS"
