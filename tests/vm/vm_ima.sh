#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# vm_ima.sh — boots Debian's kernel under QEMU (TCG) with a TPM behind
# swtpm's control protocol (qtpm-server or swtpm), IMA policy tcb with
# SHA-256; the guest's init (busybox, tests/vm/guest-init.sh) loads a policy
# that measures executed programs, runs one, then prints the IMA list (hex) and PCR 10 between
# markers on the serial console and powers off. The host checks that the
# kernel's TPM driver probed the TPM and that the list replays to the
# PCR 10 the guest read (tests/vm/replay.py with the attest library's rule).
#
#   vm_ima.sh BUILD_DIR qtpm|swtpm tis|crb [RESULT_FILE]
# Prints "boot-to-ima-list-ms N"; exits 0 on success, 1 on failure (QEMU or
# the kernel missing included). Everything it starts is stopped on any exit.
set -eu
build=$1 tpm=$2 dev=$3 result=${4:-}
src=$(cd "$(dirname "$0")" && pwd)
cache=$build/vm-cache
command -v qemu-system-x86_64 >/dev/null || { echo "no qemu-system-x86_64 (scripts/deps.sh installs it)"; exit 1; }
command -v busybox >/dev/null || { echo "no busybox (scripts/deps.sh installs busybox-static)"; exit 1; }
mkdir -p "$cache"
# The kernel: Debian's, unpacked by scripts/vm-kernel.sh (make check runs it
# before the tests, so the test itself makes no network traffic).
kernel=$(ls "$cache"/boot/vmlinuz-* 2>/dev/null | head -1 || true)
if [ -z "$kernel" ]; then
    echo "no kernel in $cache: run sh scripts/vm-kernel.sh $cache (make check does)"
    exit 1
fi
# The initramfs (rebuilt when guest-init.sh changes).
if [ ! -f "$cache/initrd.cpio" ] || [ "$src/guest-init.sh" -nt "$cache/initrd.cpio" ]; then
    r=$(mktemp -d "$cache/root.XXXXXX")
    mkdir -p "$r/bin" "$r/proc" "$r/sys" "$r/dev" "$r/mnt"
    cp "$(command -v busybox)" "$r/bin/busybox"
    cp "$src/guest-init.sh" "$r/init"
    chmod 755 "$r/init"
    (cd "$r" && find . | cpio -o -H newc --quiet > "$cache/initrd.cpio")
    rm -rf "$r"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-vm.XXXXXX")
srv_pid='' qemu_pid=''
cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null || true
    [ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null || true
    [ -n "$qemu_pid" ] && wait "$qemu_pid" 2>/dev/null || true
    [ -n "$srv_pid" ] && wait "$srv_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT INT TERM
sock=$work/ctrl.sock
mkdir -p "$work/state"
# VM_STATE_FROM=DIR: start the TPM from a copy of another state directory
# (e.g. one with the SHA-3 banks allocated, docs/VTPM.md)
[ -n "${VM_STATE_FROM:-}" ] && cp "$VM_STATE_FROM/state" "$work/state/state"
# VM_BIOS=FILE: another firmware for QEMU's -bios (e.g. OVMF,
# /usr/share/ovmf/OVMF.fd; the kernel is then loaded through fw_cfg).
# VM_PROFILE=P: a qtpm TPM made with profile P (default, compat-tss3).
# VM_PCR_ALLOCATE=ALG (e.g. sha3_256): before the boot, tpm2_pcrallocate adds
# the bank ALG to SHA-1/256/384/512 through a qtpm-server on a loopback
# port over the same state directory; the new bank is there at the VM's
# first Startup(CLEAR) (a TPM Reset, Part 3 §22.5). A refusal (compat-tss3
# has no SHA-3) is reported and the boot goes on with the old banks.
if [ "$tpm" = qtpm ] && [ -n "${VM_PCR_ALLOCATE:-}" ]; then
    command -v tpm2_pcrallocate >/dev/null || { echo "no tpm2-tools (scripts/deps.sh)"; exit 1; }
    # a free pair of ports (N, N+1): a few tries, the server says when taken
    try=0
    while :; do
        port=$(( $(od -An -N2 -tu2 /dev/urandom) % 20000 + 30000 ))
        "$build/src/server/qtpm-server" --port "$port" --state "$work/state" \
            ${VM_PROFILE:+--profile "$VM_PROFILE"} > "$work/alloc.log" 2>&1 &
        srv_pid=$!
        export TPM2TOOLS_TCTI="mssim:host=localhost,port=$port"
        i=0
        until tpm2_startup -c 2>/dev/null; do
            kill -0 "$srv_pid" 2>/dev/null || break
            i=$((i + 1)); [ $i -lt 50 ] || break
            sleep 0.1
        done
        [ $i -lt 50 ] && kill -0 "$srv_pid" 2>/dev/null && break
        kill "$srv_pid" 2>/dev/null; wait "$srv_pid" 2>/dev/null || true
        srv_pid=''
        try=$((try + 1))
        [ $try -lt 5 ] || { echo "allocation server did not start"; cat "$work/alloc.log"; exit 1; }
    done
    if tpm2_pcrallocate "sha1:all+sha256:all+sha384:all+sha512:all+$VM_PCR_ALLOCATE:all" > /dev/null 2>"$work/alloc.err"; then
        echo "PCR_Allocate +$VM_PCR_ALLOCATE: success (pending until the VM's Startup)"
    else
        echo "PCR_Allocate +$VM_PCR_ALLOCATE refused: $(grep -o 'tpm:.*' "$work/alloc.err" | head -1)"
    fi
    tpm2_shutdown -c
    kill "$srv_pid"; wait "$srv_pid" || true
    srv_pid=''
fi
case $tpm in
qtpm) "$build/src/server/qtpm-server" --ctrl "type=unixio,path=$sock" --state "$work/state" \
          ${VM_PROFILE:+--profile "$VM_PROFILE"} > "$work/server.log" 2>&1 & ;;
swtpm) swtpm socket --tpm2 --tpmstate "dir=$work/state" --ctrl "type=unixio,path=$sock" \
          --flags not-need-init > "$work/server.log" 2>&1 & ;;
*) echo "unknown TPM $tpm"; exit 2 ;;
esac
srv_pid=$!
i=0
while [ ! -S "$sock" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -S "$sock" ] || { echo "server did not start"; cat "$work/server.log"; exit 1; }
case $dev in tis) tdev=tpm-tis ;; crb) tdev=tpm-crb ;; *) echo "bad device"; exit 2 ;; esac
start=$(date +%s%N)
timeout 120 qemu-system-x86_64 -M q35 -m 256 -nographic -no-reboot -accel tcg \
    -kernel "$kernel" -initrd "$cache/initrd.cpio" \
    -append "console=ttyS0 panic=-1 quiet ima_policy=tcb ima_hash=sha256 rdinit=/init" \
    -chardev "socket,id=chrtpm,path=$sock" -tpmdev emulator,id=tpm0,chardev=chrtpm \
    -device "$tdev,tpmdev=tpm0" ${VM_BIOS:+-bios "$VM_BIOS"} > "$work/console.log" 2>&1 &
qemu_pid=$!
wait "$qemu_pid" || true
qemu_pid=''
end=$(date +%s%N)
tr -d '\r' < "$work/console.log" > "$work/console.txt"
if ! grep -q '^=== IMA-END' "$work/console.txt"; then
    echo "the guest printed no IMA list"; tail -40 "$work/console.txt"; cat "$work/server.log"; exit 1
fi
ms=$(sed -n 's/^=== IMA-END \([0-9]*\).*/\1/p' "$work/console.txt")
python3 "$src/replay.py" "$work/console.txt" "$tpm" "$dev" ||
    { [ -n "$result" ] && cp "$work/console.txt" "$result"; exit 1; }
echo "boot-to-ima-list-ms $ms (whole run $(( (end - start) / 1000000 )) ms)"
[ -n "$result" ] && cp "$work/console.txt" "$result" || true
