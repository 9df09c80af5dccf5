#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# attest_eventlog_firmware: real firmware logs, as the Linux guest of
# tests/vm/vm_ima.sh read them from
# /sys/kernel/security/tpm0/binary_bios_measurements with qtpm-server as its
# TPM (QEMU q35): SeaBIOS's crypto-agile log (3121 bytes, 16 events, 4
# banks) and OVMF's (UEFI, Debian's 2022.11, compat-tss3 profile: 5522
# bytes, 26 events, 4 banks). `qtpm eventlog --json` must replay each to the
# PCRs that the same guest read from the TPM through sysfs (NAME.pcrs); with
# tpm2-tools installed the replayed PCRs must be tpm2_eventlog's (SeaBIOS:
# the whole text output); a log cut short or with a digest count changed
# is refused (exit 1).
set -u
QTPM=$1
V=$(cd "$(dirname "$0")" && pwd)/vectors
W=$(mktemp -d "${TMPDIR:-/tmp}/attest-evlog.XXXXXX")
trap 'rm -rf "$W"' EXIT INT TERM
fail() { echo "FAIL: $*" >&2; exit 1; }

check() { # NAME EVENTS: the replay = the PCRs the guest read (absent = zero)
    "$QTPM" eventlog --json "$V/$1.bin" > "$W/out.json" || fail "qtpm eventlog refused $1"
    python3 - "$W/out.json" "$V/$1.pcrs" "$1" "$2" <<'PYEOF' || exit 1
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["format"] == "crypto-agile", doc["format"]
if len(doc["events"]) != int(sys.argv[4]):
    sys.exit(f"FAIL: {sys.argv[3]}: {len(doc['events'])} events, {sys.argv[4]} expected")
n = 0
for line in open(sys.argv[2]):
    bank, idx, want = line.split()
    got = doc["pcrs"].get(bank, {}).get(idx, "00" * (len(want) // 2))
    if got != want.lower():
        sys.exit(f"FAIL: {sys.argv[3]}: PCR {idx} {bank}: replay {got}, the TPM had {want.lower()}")
    n += 1
if n < 32:
    sys.exit(f"FAIL: {n} PCR values compared, at least 32 expected")
print(f"{sys.argv[3]}: {n} PCR values = the guest's TPM")
PYEOF
    # tpm2_eventlog decodes UEFI event data (qtpm prints hex): the replayed
    # PCRs must be its, line for line; SeaBIOS's whole text output too
    if command -v tpm2_eventlog >/dev/null 2>&1; then
        tpm2_eventlog "$V/$1.bin" > "$W/ref.txt" 2>/dev/null || fail "tpm2_eventlog failed on $1"
        "$QTPM" eventlog "$V/$1.bin" > "$W/mine.txt" || fail "qtpm eventlog (text) $1"
        sed -n '/^pcrs:/,$p' "$W/ref.txt" > "$W/ref.pcrs"
        sed -n '/^pcrs:/,$p' "$W/mine.txt" > "$W/mine.pcrs"
        [ -s "$W/ref.pcrs" ] && cmp -s "$W/ref.pcrs" "$W/mine.pcrs" || fail "$1: pcrs differ from tpm2_eventlog"
        [ "$1" != seabios-q35 ] || cmp -s "$W/ref.txt" "$W/mine.txt" || fail "$1: text differs from tpm2_eventlog"
        echo "$1: = tpm2_eventlog"
    fi
}
check seabios-q35 16
check ovmf-q35 26
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
