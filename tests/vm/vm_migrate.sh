#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# vm_migrate.sh — a VM moves with its TPM: the guest (tests/vm/guest-init.sh
# with qtpm_wait) boots with TPM A, prints its IMA list and PCR 10 and
# sleeps; QEMU is stopped and migrated to a file (QEMU's pre_save takes the
# TPM's permanent, volatile and savestate blobs with CMD_GET_STATEBLOB);
# a second QEMU with a fresh TPM B (empty state directory) takes the file
# with -incoming (STOP, SET_STATEBLOB x3, INIT); the guest wakes and reads
# PCR 10 again, which must be the value it read from A.
#   vm_migrate.sh BUILD_DIR qtpm|swtpm
set -eu
build=$1 tpm=$2
src=$(cd "$(dirname "$0")" && pwd)
cache=$build/vm-cache
kernel=$(ls "$cache"/boot/vmlinuz-* 2>/dev/null | head -1 || true)
[ -n "$kernel" ] && [ -f "$cache/initrd.cpio" ] || { echo "run vm_ima.sh first (ctest runs it before: DEPENDS)"; exit 1; }
[ "$src/guest-init.sh" -nt "$cache/initrd.cpio" ] && { echo "initrd stale: run vm_ima.sh first"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-mig.XXXXXX")
pids=''
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM
server() { # name
    mkdir -p "$work/$1"
    case $tpm in
    qtpm) "$build/src/server/qtpm-server" ${VERBOSE:+-V} --ctrl "type=unixio,path=$work/$1.sock" \
              --state "$work/$1" > "$work/$1.log" 2>&1 & ;;
    swtpm) swtpm socket --tpm2 --tpmstate "dir=$work/$1" --ctrl "type=unixio,path=$work/$1.sock" \
              --flags not-need-init > "$work/$1.log" 2>&1 & ;;
    esac
    pids="$pids $!"
    i=0
    while [ ! -S "$work/$1.sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
qemu() { # name console extra...
    n=$1 con=$2
    shift 2
    timeout 120 qemu-system-x86_64 -M q35 -m 256 -nographic -no-reboot -accel tcg \
        -kernel "$kernel" -initrd "$cache/initrd.cpio" \
        -append "console=ttyS0 panic=-1 quiet ima_policy=tcb ima_hash=sha256 qtpm_wait" \
        -chardev "socket,id=chrtpm,path=$work/$n.sock" -tpmdev emulator,id=tpm0,chardev=chrtpm \
        -device tpm-tis,tpmdev=tpm0 -monitor "unix:$work/$n.mon,server,nowait" "$@" \
        > "$con" 2>&1 &
    pids="$pids $!"
}
mon() { # name command
    python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
s.recv(4096)
s.sendall(sys.argv[2].encode() + b"\n"); time.sleep(0.3)
try: print(s.recv(65536).decode(errors="replace"))
except Exception: pass
' "$work/$1.mon" "$2"
}
server a
qemu a "$work/a.txt"
i=0
while ! grep -q '=== WAIT' "$work/a.txt" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
grep -q '=== WAIT' "$work/a.txt" || { echo "guest A never got to WAIT"; tail "$work/a.txt"; exit 1; }
before=$(tr -d '\r' < "$work/a.txt" | sed -n 's/^=== PCR sha256 10 //p')
mon a stop > /dev/null
mon a "migrate exec:cat>$work/vm.state" > /dev/null
i=0
while ! mon a "info migrate" | grep -q 'Migration status: completed' && [ $i -lt 20 ]; do sleep 0.2; i=$((i + 1)); done
mon a quit > /dev/null || true
server b
qemu b "$work/b.txt" -incoming "exec:cat $work/vm.state"
sleep 1
mon b cont > /dev/null
i=0
while ! grep -q '=== AFTER' "$work/b.txt" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
after=$(tr -d '\r' < "$work/b.txt" | sed -n 's/^=== AFTER //p')
echo "$tpm: PCR 10 before migration $before, after $after (state file $(wc -c < "$work/vm.state") bytes)"
[ -n "$before" ] && [ "$(echo "$before" | tr A-F a-f)" = "$(echo "$after" | tr A-F a-f)" ] ||
    { echo "FAIL: the migrated TPM does not hold the guest's PCR 10"; tail -5 "$work/b.txt"; cat "$work/b.log"; exit 1; }
