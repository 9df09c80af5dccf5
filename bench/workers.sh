#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# workers.sh — attestation throughput of one verifier worker against two on the same
# PostgreSQL database (docs/SCALE.md), in one run. Runs inside tests/store/pg-cluster.sh:
#
#   sh tests/store/pg-cluster.sh sh bench/workers.sh build/src/nms/qtpm-nms \
#       build/tests/nms/nms_scale_driver [OUT]
#
# scale_driver enrols ROUTERS (200) routers and asks each for a round every 0.5 s —
# more than any worker serves — for SECONDS (20) s against one `serve --worker`, then
# two, then one again (the second stopped cleanly), then two again (a third started);
# the rounds answered per second are the throughput, the alternation shows how much the
# load beside the run moved it. OUT (default bench/results/workers.txt) gets the figures and the
# ratio. On a shared machine the numbers move with the load beside them: the load
# average is recorded too.
set -eu
NMS=$1 DRIVER=$2 OUT=${3:-$(dirname "$0")/results/workers.txt}
[ -n "${QTPM_TEST_PG:-}" ] || { echo "SKIP: run inside tests/store/pg-cluster.sh"; exit 77; }
ROUTERS=${ROUTERS:-200} SECONDS_RUN=${SECONDS:-20}
db="postgresql:$QTPM_TEST_PG"
tmp=$(mktemp -d)
pids=
. "$(dirname "$0")/../tests/lib/servers.sh"
trap 'stop_servers $pids; rm -rf "$tmp"' EXIT
FREEPORT=$(cd "$(dirname "$0")/../tests/lib" && pwd)/freeport.py
"$NMS" init --dir "$tmp/nms" >/dev/null
"$DRIVER" --ca-dir "$tmp/vendor" --vendor-pem "$tmp/vendor.pem"
"$NMS" --db "$db" vendor import --name acme --ca "$tmp/vendor.pem" >/dev/null
start_worker() {
    p=$(python3 "$FREEPORT")
    first_url=${first_url:-https://127.0.0.1:$p}
    "$NMS" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$p" --period 60 \
        --worker "https://127.0.0.1:$p" 2>>"$tmp/workers.log" &
    last=$!
    pids="$pids $last"
    wait_port "$p" "$last"
    urls="$first_url${urls_extra:+,$urls_extra}"
    [ "https://127.0.0.1:$p" = "$first_url" ] || urls="$first_url,https://127.0.0.1:$p"
}
run() { # label
    "$DRIVER" --ca-dir "$tmp/vendor" --cacert "$tmp/nms/operator-ca.crt" --urls "$urls" \
        --routers "$ROUTERS" --threads 8 --period 0.5 --seconds "$SECONDS_RUN" \
        --out "$tmp/$1.csv" 2>/dev/null | tail -n 1 >"$tmp/$1.out"
    sed -n 's/.*rate=\([0-9.]*\)\/s.*/\1/p' "$tmp/$1.out"
}
urls= first_url=
start_worker
one=$(run one)
start_worker
sleep 2 # a tick: the second worker takes its share
two=$(run two)
kill -TERM "$last" && wait "$last" || true # a clean stop: its routers are released
urls=$first_url
sleep 2
one2=$(run one2)
start_worker
sleep 2
two2=$(run two2)
{
    echo "# bench/workers.sh $(date -u +%Y-%m-%dT%H:%MZ): attestation rounds per second"
    echo "# (challenge + TPM2_Quote + evidence over HTTPS), $ROUTERS routers each asking every"
    echo "# 0.5 s, $SECONDS_RUN s per configuration, one PostgreSQL 15 database (fsync on),"
    echo "# $(nproc) CPUs, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "one_worker_rounds_per_s $one $one2"
    echo "two_workers_rounds_per_s $two $two2"
    echo "ratio_two_over_one $(python3 -c "print(round(($two + $two2) / ($one + $one2), 2))")"
    echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# driver summaries:"
    for k in one two one2 two2; do sed "s/^/#   $k: /" "$tmp/$k.out"; done
} >"$OUT"
cat "$OUT"
