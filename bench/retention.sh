#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# retention.sh BUILD_DIR [ROUTERS VERDICTS] — qtpm-bench-retention on a fresh SQLite file
# and on a throwaway PostgreSQL cluster (tests/store/pg-cluster.sh) in the same run;
# writes bench/results/retention.json (one object per back end) and prints it.
set -eu
build=$(cd "$1" && pwd)
routers=${2:-100} verdicts=${3:-1000}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
sh "$src/tests/store/pg-cluster.sh" sh -c '"$1" --routers "$2" --verdicts "$3" "sqlite:$4/r.db" "postgresql:$QTPM_TEST_PG"' \
    sh "$build/bench/qtpm-bench-retention" "$routers" "$verdicts" "$tmp" >"$tmp/out.jsonl"
python3 - "$tmp/out.jsonl" "$src/bench/results/retention.json" <<'PY'
import json, os, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
json.dump({"load_average": os.getloadavg()[0], "cores": os.cpu_count(), "runs": rows},
          open(sys.argv[2], "w"), indent=2)
for r in rows:
    print("%-10s %d routers x %d verdicts: verdicts %d -> %d, events %d -> %d (%d changes kept), "
          "compaction %.2f s in %d steps (%.0f rows/s), fill %.1f s" % (
          r["backend"], r["routers"], r["verdicts_per_router"], r["verdicts_before"],
          r["verdicts_after"], r["events_before"], r["events_after"], r["changes"],
          r["compact_s"], r["steps"], r["compact_rows_per_s"], r["fill_s"]))
if len(rows) == 2:
    print("postgresql / sqlite compaction time: %.1fx" % (rows[1]["compact_s"] / max(rows[0]["compact_s"], 1e-9)))
PY
