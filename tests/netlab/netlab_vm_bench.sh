#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# netlab_vm_bench.sh BUILD — `make check-vm`'s router-VM measurement: RUNS (default 3)
# runs of tests/netlab/netlab_vm.sh (each must pass); the median boot-to-enrolled and
# boot-to-good times of the VM router (from QEMU's start) and of the namespace routers
# (from their agent's start: a namespace has nothing to boot), with the load average,
# into bench/results/vtpm-netlab.json and the "Router VMs in the lab" section of
# bench/results/vtpm.md (replaced, the rest of the file kept).
set -eu
build=$(cd "${1:-build}" && pwd)
runs=${RUNS:-3}
src=$(cd "$(dirname "$0")" && pwd)
out=$src/../../bench/results
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-nlvmb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
i=0
while [ $i -lt "$runs" ]; do
    i=$((i + 1))
    sh "$src/netlab_vm.sh" "$src/../../netlab" "$build" "$tmp/r$i.json"
done
python3 - "$tmp" "$out" "$runs" <<'PY'
import glob, json, os, re, statistics, subprocess, sys
tmp, out, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
rs = [json.load(open(f)) for f in sorted(glob.glob(tmp + "/r*.json"))]
def med(kind, key):
    v = [x[key] for r in rs for x in r["routers"].values() if x["kind"] == kind and x.get(key) is not None]
    return statistics.median(v) if v else None
qv = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
doc = {"what": "seeds lab, R2 a QEMU guest (qtpm-netlab --vm R2 --trust), R1/R3/R4 namespaces",
       "qemu": qv, "accel": sorted({r["accel"] for r in rs}), "runs": len(rs),
       "load_avg": [r["load_avg"] for r in rs],
       "vm": {k: med("vm", k) for k in ("to_enrolled_ms", "to_good_ms")},
       "namespace": {k: med("namespace", k) for k in ("to_enrolled_ms", "to_good_ms")},
       "vm_guest_uptime_at_enrol_start_s": statistics.median(
           [x["guest_uptime_at_enrol_start_s"] for r in rs for x in r["routers"].values()
            if x["kind"] == "vm"]),
       "attack_to_bad_ms": [r["attack_to_bad_ms"] for r in rs],
       "attack_to_reroute_ms": [r["attack_to_reroute_ms"] for r in rs], "raw": rs}
json.dump(doc, open(out + "/vtpm-netlab.json", "w"), indent=1)
la = ", ".join("%.2f" % r["load_avg"][0] for r in rs)
v, n = doc["vm"], doc["namespace"]
md = ["<!-- netlab-vm: tests/netlab/netlab_vm_bench.sh (make check-vm) writes this section -->",
      "## Router VMs in the lab (qtpm-netlab --vm)", "",
      f"{qv}, {'/'.join(doc['accel'])}, -M q35 -m 512, Debian 6.1 kernel, tpm-crb to qtpm-server; "
      f"seeds lab with R2 as the guest; {len(rs)} runs (1-min load average at each run's end: {la}; "
      "2 cores shared with other jobs). VM: from QEMU's start; namespace router: from its agent's "
      "start (a namespace has nothing to boot). Medians.", "",
      "| router | boot-to-enrolled (ms) | boot-to-good (ms) |", "|---|---|---|",
      f"| VM (R2) | {v['to_enrolled_ms']:.0f} | {v['to_good_ms']:.0f} |",
      f"| namespace (R1, R3, R4) | {n['to_enrolled_ms']:.0f} | {n['to_good_ms']:.0f} |",
      f"| ratio VM / namespace | {v['to_enrolled_ms'] / n['to_enrolled_ms']:.0f}x | "
      f"{v['to_good_ms'] / n['to_good_ms']:.0f}x |", "",
      f"Guest uptime when its agent started enrolling: {doc['vm_guest_uptime_at_enrol_start_s']:.1f} s "
      "(kernel, modules, NICs, FRR). Attack in the guest (trojaned routerd executed) to verdict bad: "
      f"{doc['attack_to_bad_ms']} ms; to R1's route leaving R2: {doc['attack_to_reroute_ms']} ms "
      "(the guest's agent polls the kernel's list every 2 s).",
      "<!-- /netlab-vm -->"]
p = out + "/vtpm.md"
old = open(p).read() if os.path.exists(p) else ""
old = re.sub(r"\n*<!-- netlab-vm:.*?<!-- /netlab-vm -->\n?", "\n", old, flags=re.S).rstrip("\n")
open(p, "w").write((old + "\n\n" if old else "") + "\n".join(md) + "\n")
print("\n".join(md))
PY
