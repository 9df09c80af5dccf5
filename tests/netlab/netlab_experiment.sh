#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# netlab_experiment.sh NETLAB BUILD — the short functional traffic-diversion experiment:
# one repetition per policy mode (metric, exclude), 3 s of traffic, the attack at 1 s.
# experiment --check fails unless the traffic left the compromised router and reached the
# destination by the other path; no latency threshold (docs/ROUTING.md).
set -eu
nl=$1 build=$2
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
[ -x /usr/lib/frr/zebra ] || { echo "SKIP: FRR is not installed"; exit 77; }
command -v nft >/dev/null || { echo "SKIP: nftables is not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-nlexp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$nl/experiment" --build "$build" --reps 1 --duration 3 --out "$tmp/r" --check
python3 - "$tmp/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert not d["failures"], d["failures"]
for mode in ("metric", "exclude"):
    runs = [r for r in d["runs"] if r.get("mode") == mode]
    assert runs, f"no {mode} run"
    for r in runs:
        assert r["verdict"] == "bad", r
        assert r["via_other"] > 0 and r["arrived_after"] > 0, r
        # after the switch no packet goes through the compromised router again
        assert r["exec_to_last_compromised_ms"] < 1500, r
        print(f"netlab_experiment: {mode}: {r['diverted_pct']} % diverted, detection "
              f"{r.get('detection_ms')} ms, reroute {r.get('reroute_ms')} ms")
PY
