#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# check-vm.sh — `make check-vm`: tests/vm/vm_ima.sh for qtpm-server and swtpm
# with tpm-tis and tpm-crb, RUNS boots each (default 3); every boot must
# replay; then a migration with each TPM (vm_migrate.sh); writes
# boot-to-IMA-list times (guest uptime when the list was
# read, and the whole QEMU run) to bench/results/vtpm.json and vtpm.md.
set -eu
build=$(cd "${1:-build}" && pwd)
runs=${RUNS:-3}
src=$(cd "$(dirname "$0")" && pwd)
out=$src/../../bench/results
mkdir -p "$out"
export QTPM_IMA_REPLAY="$build/tests/vm/qtpm-ima-replay"
export QTPM_CLI="$build/src/cli/qtpm"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT INT TERM
for tpm in qtpm swtpm; do
    for dev in tis crb; do
        i=0
        while [ $i -lt "$runs" ]; do
            line=$(sh "$src/vm_ima.sh" "$build" $tpm $dev | tee /dev/stderr | grep '^boot-to-ima-list-ms')
            guest=$(echo "$line" | awk '{print $2}')
            whole=$(echo "$line" | sed 's/.*whole run \([0-9]*\) ms.*/\1/')
            echo "$tpm $dev $guest $whole" >> "$tmp"
            i=$((i + 1))
        done
    done
done
# the profiles (docs/VTPM.md): default with a SHA3-256 bank allocated, and
# compat-tss3 (no SHA-3: the allocation is refused); one boot each
VM_PCR_ALLOCATE=sha3_256 sh "$src/vm_ima.sh" "$build" qtpm tis
VM_PROFILE=compat-tss3 VM_PCR_ALLOCATE=sha3_256 sh "$src/vm_ima.sh" "$build" qtpm crb
# UEFI firmware (OVMF, direct kernel boot through fw_cfg), qtpm in both
# profiles and swtpm: the UEFI event log replays with qtpm eventlog
if [ -r /usr/share/ovmf/OVMF.fd ]; then
    for p in default compat-tss3; do
        VM_BIOS=/usr/share/ovmf/OVMF.fd VM_PROFILE=$p sh "$src/vm_ima.sh" "$build" qtpm tis
    done
    VM_BIOS=/usr/share/ovmf/OVMF.fd sh "$src/vm_ima.sh" "$build" swtpm tis
fi
# migration with the TPM state, qtpm and swtpm
sh "$src/vm_migrate.sh" "$build" qtpm
sh "$src/vm_migrate.sh" "$build" swtpm
python3 - "$tmp" "$out" "$runs" <<'PY'
import json, statistics, sys, platform, subprocess
rows = [l.split() for l in open(sys.argv[1])]
res = {}
for tpm, dev, g, w in rows:
    res.setdefault(f"{tpm}/{dev}", {"guest_ms": [], "qemu_run_ms": []})
    res[f"{tpm}/{dev}"]["guest_ms"].append(int(g)); res[f"{tpm}/{dev}"]["qemu_run_ms"].append(int(w))
qv = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
doc = {"what": "boot to a readable IMA list, QEMU TCG, Debian kernel, busybox initramfs",
       "qemu": qv, "runs": int(sys.argv[3]), "results": {}}
md = ["# vTPM: boot-to-IMA-list time (make check-vm)", "",
      f"{qv}, TCG, -M q35 -m 256; {doc['runs']} boots each; every boot's IMA list replayed to its PCR 10.", "",
      "| TPM / device | guest uptime at IMA list (median ms) | whole QEMU run (median ms) |", "|---|---|---|"]
for k, v in res.items():
    g, w = statistics.median(v["guest_ms"]), statistics.median(v["qemu_run_ms"])
    doc["results"][k] = {**v, "guest_ms_median": g, "qemu_run_ms_median": w}
    md.append(f"| {k} | {g:.0f} | {w:.0f} |")
json.dump(doc, open(sys.argv[2] + "/vtpm.json", "w"), indent=2)
open(sys.argv[2] + "/vtpm.md", "w").write("\n".join(md) + "\n")
print("\n".join(md))
PY
