#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# smoke.sh — a benchmark's smoke test that checks what it printed, not only
# that it did not crash (issue 12): runs the benchmark with --json FILE,
# requires exit status 0, and requires FILE to be a JSON document in which
# every result has a positive median for each name given.
#
#   smoke.sh JSON_KEY NAME... -- BENCHMARK ARGS...
# JSON_KEY: the array of results in the document (e.g. "flows").
set -eu
key=$1; shift
names=
while [ "$1" != "--" ]; do names="$names $1"; shift; done
shift
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$@" --json "$tmp/out.json" >"$tmp/out.txt" 2>&1 || {
    cat "$tmp/out.txt"; echo "smoke.sh: the benchmark failed (exit $?)"; exit 1; }
tail -5 "$tmp/out.txt"
python3 - "$tmp/out.json" "$key" $names <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
key, names = sys.argv[2], sys.argv[3:]
rows = doc.get(key)
if not isinstance(rows, list) or not rows:
    sys.exit("smoke.sh: no '%s' results in the JSON" % key)
def text(v):
    return json.dumps(v)
for name in names:
    hits = [r for r in rows if name in text(r)]
    if not hits:
        sys.exit("smoke.sh: no result for %s" % name)
    def medians(v):
        if isinstance(v, dict):
            for k, x in v.items():
                if "median" in k and isinstance(x, (int, float)):
                    yield x
                else:
                    yield from medians(x)
        elif isinstance(v, list):
            for x in v:
                yield from medians(x)
    for r in hits:
        med = list(medians(r))
        if not med or min(med) <= 0:
            sys.exit("smoke.sh: %s has no positive median: %s" % (name, text(r)[:300]))
print("smoke.sh: %d results, each named one has a positive median" % len(rows))
PY
