#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# bench.sh BUILD — the NMS scale benchmark (`make bench-scale`, docs/SWARM.md).
#
# Runs bench/scale/scale.py, each run on a fresh throwaway PostgreSQL cluster
# (tests/store/pg-cluster.sh): first the curve, SCALE_CURVE routers (default
# "1000 2000 5000 10000") for SCALE_CURVE_S seconds each (default 60), then the full run,
# SCALE_FULL routers (default 10000) for SCALE_FULL_S seconds (default 300) with
# SCALE_WORKERS NMS workers each (default "1 2 3", one full run each).
# Every run attests each router every SCALE_PERIOD seconds (default 5: issue 14's
# floor, 10,000 routers at 2,000 attestations/s; 2 is its goal) with 1 % of
# the routers turning bad, 1 % going offline and 1 % replaying, and profiles the NMS
# with perf for 10 s. Writes bench/results/scale-runs/*.json, then bench/results/
# scale.json and scale.md (bench/scale/report.py). SCALE_ONLY="curve" or "full" runs
# one part; SCALE_THREADS sets the swarm's threads (default 2); SCALE_TWO_STEP=1 makes
# the swarm ask /challenge every round (the flow before the next challenge). SCALE_RUNS and
# SCALE_REPORT put the runs and the report elsewhere (defaults bench/results/scale-runs
# and bench/results/scale), e.g. for a comparison of its own.
set -eu
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${SCALE_RUNS:-$root/bench/results/scale-runs}
report=${SCALE_REPORT:-$root/bench/results/scale}
mkdir -p "$out"
curve=${SCALE_CURVE:-1000 2000 5000 10000}
curve_s=${SCALE_CURVE_S:-60}
full=${SCALE_FULL:-10000}
full_s=${SCALE_FULL_S:-300}
workers=${SCALE_WORKERS:-1 2 3}
period=${SCALE_PERIOD:-5}
threads=${SCALE_THREADS:-2}
conc=${SCALE_ENROL_CONC:-64}
only=${SCALE_ONLY:-}
two=
[ "${SCALE_TWO_STEP:-0}" = 1 ] && two=--two-step
one() { # routers seconds workers name
    echo "== bench-scale: $1 routers, $2 s, $3 worker(s)"
    sh "$root/tests/store/pg-cluster.sh" python3 "$here/scale.py" "$build" --routers "$1" \
        --duration "$2" --period "$period" --threads "$threads" --workers "$3" \
        --bad 0.01 --offline 0.01 --replay 0.01 --perf 10 --enrol-concurrency "$conc" \
        --json "$out/$4.json" $two || true
}
if [ "$only" != full ]; then
    for n in $curve; do one "$n" "$curve_s" 1 "curve-$n"; done
fi
if [ "$only" != curve ]; then
    for w in $workers; do one "$full" "$full_s" "$w" "full-$full-w$w"; done
fi
python3 "$here/report.py" "$out" "$report"
