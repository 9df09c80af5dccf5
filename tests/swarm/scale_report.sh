#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# scale_report.sh — the bench-scale report (bench/scale/report.py) over the committed runs
# in bench/results/scale-runs/, into a temp dir: one table row per run, the run's routers
# and attestation rate as in its JSON, the CPU split table. Seconds; the runs themselves
# are `make bench-scale`'s.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scale-report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/runs"
cp "$root"/bench/results/scale-runs/*.json "$tmp/runs/"
python3 "$root/bench/scale/report.py" "$tmp/runs" "$tmp/scale"
python3 - "$tmp" <<'PY'
import glob, json, os, sys
tmp = sys.argv[1]
runs = sorted(glob.glob(os.path.join(tmp, "runs", "*.json")))
md = open(os.path.join(tmp, "scale.md")).read().splitlines()
rep = json.load(open(os.path.join(tmp, "scale.json")))
fails = 0
def check(ok, what):
    global fails
    print(("ok   " if ok else "FAIL ") + what)
    fails += not ok
check(len(runs) > 0, "%d committed runs" % len(runs))
check(len(rep["summary"]) == len(runs), "one summary row per run (%d)" % len(rep["summary"]))
for path in runs:
    name = os.path.basename(path)[:-5]
    r = json.load(open(path))
    rows = [l for l in md if l.startswith("| %s |" % name)]
    check(len(rows) == 2, "%s: a row in both tables" % name)
    if rows:
        cells = [c.strip() for c in rows[0].strip("|").split("|")]
        att = (r.get("swarm") or {}).get("steady", {}).get("attestations_per_s")
        check(cells[1] == str(r["setup"]["routers"]) and
              (att is None or cells[5] == format(att, ".0f")),
              "%s: routers %s, attested/s %s as in its JSON" % (name, cells[1], cells[5]))
sys.exit(1 if fails else 0)
PY
