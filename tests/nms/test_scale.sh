#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_scale.sh — verifier workers that scale out (docs/SCALE.md), run inside
# tests/store/pg-cluster.sh (a throwaway PostgreSQL cluster; ctest nms_scale_pg).
#
#   test_scale.sh QTPM_NMS SCALE_DRIVER
#
# Two `qtpm-nms serve --worker` processes share the cluster's database. scale_driver
# enrols SCALE_ROUTERS (500) routers through the API and attests each once a period
# (PERIOD = 12 s), sending each router's requests to one of the two workers (redirects
# lead to the router's lease holder). After 1.5 periods the routers must be spread over
# both workers. Worker 2 is then stalled (SIGSTOP) for 1.5 leases — its routers must be
# taken over by worker 1 — and resumed (SIGCONT): it must come back live and be handed a
# share again. At 3 periods worker 1 is killed with SIGKILL. Then:
#   - the routers a dead (or stalled) worker held are attested by the other within 2
#     periods of its death (the first verdict after it, from the verdicts table);
#   - every router is attested again after worker 1's lease ran out (the run ends 2
#     periods after the kill) — no router lost;
#   - worker 1 is noticed: "dead" in GET /api/v1/workers, one worker-dead event,
#     qtpm_nms_workers{state="dead"} 1 in /metrics; worker 2 holds all routers;
#   - no router was attested by two workers at once (the stall included): no two verdicts
#     of one router whose verification intervals (request received → verdict written)
#     overlap, and no lease epoch with verdicts from two workers;
#   - the longest gap between two verdicts of a router, the offline events and the
#     routers offline at the end (a router silent for 2 periods, which only a machine
#     too loaded to keep up with 500 routers a period should show) are reported;
#   - the database had at most one connection per worker (pg_stat_activity, sampled).
# The figures (enrolment time, rounds, redirects, takeover times) are printed.
set -eu
NMS=$1 DRIVER=$2
[ -n "${QTPM_TEST_PG:-}" ] || { echo "SKIP: QTPM_TEST_PG not set (run inside pg-cluster.sh)"; exit 77; }
ROUTERS=${SCALE_ROUTERS:-500} PERIOD=${SCALE_PERIOD:-12} THREADS=${SCALE_THREADS:-8}
RUN=$((PERIOD * 5))
db="postgresql:$QTPM_TEST_PG"
psql_bin=${QTPM_TEST_PG_BIN:-/usr/lib/postgresql/15/bin}/psql
tmp=$(mktemp -d)
w1= w2= drv=
. "$(dirname "$0")/../lib/servers.sh"
cleanup() {
    [ -n "$w1" ] && kill -9 "$w1" 2>/dev/null
    stop_servers $drv $w2
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log "$tmp"/driver.out; do [ -f "$f" ] && { echo "== $f"; tail -n 30 "$f"; } >&2; done
    exit 1
}
sql() { "$psql_bin" "$QTPM_TEST_PG" -Atq -c "$1"; }
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
api() { # api PORT PATH
    curl -s --max-time 10 --cacert "$tmp/nms/operator-ca.crt" --cert "$tmp/nms/operator.crt" \
        --key "$tmp/nms/operator.key" "https://127.0.0.1:$1$2"
}
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }

"$NMS" init --dir "$tmp/nms" >/dev/null || fail "init"
"$DRIVER" --ca-dir "$tmp/vendor" --vendor-pem "$tmp/vendor.pem" || fail "vendor CA"
"$NMS" --db "$db" vendor import --name acme --ca "$tmp/vendor.pem" >/dev/null || fail "vendor import"

p1=$(python3 "$FREEPORT") p2=$(python3 "$FREEPORT")
while [ "$p2" = "$p1" ]; do p2=$(python3 "$FREEPORT"); done
"$NMS" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$p1" --period "$PERIOD" ${QTPM_TEST_NMS_FLAGS:-} \
    --worker "https://127.0.0.1:$p1" 2>"$tmp/w1.log" &
w1=$!
"$NMS" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$p2" --period "$PERIOD" ${QTPM_TEST_NMS_FLAGS:-} \
    --worker "https://127.0.0.1:$p2" 2>"$tmp/w2.log" &
w2=$!
wait_port "$p1" "$w1" || fail "worker 1 did not start"
wait_port "$p2" "$w2" || fail "worker 2 did not start"

"$DRIVER" --ca-dir "$tmp/vendor" --cacert "$tmp/nms/operator-ca.crt" \
    --urls "https://127.0.0.1:$p1,https://127.0.0.1:$p2" --routers "$ROUTERS" \
    --threads "$THREADS" --period "$PERIOD" --seconds "$RUN" --out "$tmp/routers.csv" \
    >"$tmp/driver.out" 2>"$tmp/driver.log" &
drv=$!
i=0
until grep -q '^phase_start_ms=' "$tmp/driver.out"; do
    i=$((i + 1))
    [ $i -lt 1200 ] || fail "the driver did not finish enrolling in 2 minutes"
    kill -0 "$drv" 2>/dev/null || fail "the driver died while enrolling"
    sleep 0.1
done
sed -n 's/^scale_driver: //p' "$tmp/driver.log"

# Connections: sampled while both workers and the driver run (psql itself is one).
conn_max=0
sample_conns() {
    c=$(sql "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'")
    [ "$c" -gt "$conn_max" ] && conn_max=$c
    return 0
}

half=$(python3 -c "print($PERIOD / 2)")
# spread FILE: both workers live, each with routers, all routers held; prints
# "<worker 1 id> <worker 2 id> <routers of 1>/<routers of 2>".
spread() {
    python3 - "$1" "$ROUTERS" "https://127.0.0.1:$p1" "https://127.0.0.1:$p2" <<'EOF'
import json, sys
w = json.load(open(sys.argv[1]))["workers"]
live = {x["url"]: x for x in w if x["state"] == "live"}
assert len(live) == 2, w
assert all(x["routers"] > 0 for x in live.values()), w
assert sum(x["routers"] for x in live.values()) == int(sys.argv[2]), w
a, b = live[sys.argv[3]], live[sys.argv[4]]
print(a["id"], b["id"], "%d/%d" % (a["routers"], b["routers"]))
EOF
}

# 1.5 periods: every router held, by both workers.
for s in 1 2 3; do sleep "$half"; sample_conns; done
api "$p2" /api/v1/workers >"$tmp/workers1.json" || fail "GET /api/v1/workers"
spread "$tmp/workers1.json" >"$tmp/spread1" || fail "routers not spread over both workers: $(cat "$tmp/workers1.json")"
read -r w1id w2id split1 <"$tmp/spread1"
# A router's challenge at the worker that does not hold it: 307 to the holder, same path.
r2=$(sql "SELECT id FROM routers WHERE owner = '$w2id' ORDER BY id LIMIT 1")
code=$(curl -s --max-time 10 --cacert "$tmp/nms/operator-ca.crt" -o "$tmp/redirect.json" \
    -D "$tmp/redirect.head" -w '%{http_code}' -H 'Content-Type: application/json' -d '{}' \
    "https://127.0.0.1:$p1/api/v1/routers/$r2/challenge")
[ "$code" = 307 ] || fail "challenge at the other worker: $code"
grep -qi "^location: https://127.0.0.1:$p2/api/v1/routers/$r2/challenge" "$tmp/redirect.head" ||
    fail "redirect target: $(cat "$tmp/redirect.head")"
grep -q '"error":"not-owner"' "$tmp/redirect.json" || fail "redirect body: $(cat "$tmp/redirect.json")"
code=$(curl -s --max-time 10 --cacert "$tmp/nms/operator-ca.crt" -o /dev/null -w '%{http_code}' \
    "https://127.0.0.1:$p1/api/v1/workers")
[ "$code" = 401 ] || fail "GET /api/v1/workers without a certificate: $code"

# Worker 2 stalls for 1.5 leases (a lease is half a period), then resumes.
kill -STOP "$w2"
stop_ms=$(now_ms)
sleep "$(python3 -c "print($PERIOD * 0.75)")"
api "$p1" /api/v1/workers >"$tmp/workers-stalled.json" || fail "GET /api/v1/workers"
kill -CONT "$w2"
python3 - "$tmp/workers-stalled.json" "$ROUTERS" "$w2id" <<'EOF' || fail "the stalled worker's routers were not taken over: $(cat "$tmp/workers-stalled.json")"
import json, sys
w = {x["id"]: x for x in json.load(open(sys.argv[1]))["workers"]}
assert w[sys.argv[3]]["state"] == "dead" and w[sys.argv[3]]["routers"] == 0, w
assert sum(x["routers"] for x in w.values()) == int(sys.argv[2]), w
EOF
[ "$(sql "SELECT count(*) FROM events WHERE kind = 'worker-dead' AND detail LIKE 'worker $w2id %'")" = 1 ] ||
    fail "one worker-dead event for the stalled worker"
# Back: live again, and handed a share by worker 1.
i=0
until api "$p1" /api/v1/workers >"$tmp/workers2.json" && spread "$tmp/workers2.json" >"$tmp/spread2" 2>/dev/null; do
    i=$((i + 1))
    [ $i -lt 20 ] || fail "the resumed worker got no routers back: $(cat "$tmp/workers2.json")"
    sleep 0.5
done
read -r _ _ split2 <"$tmp/spread2"
back_ms=$(now_ms)
echo "stalled worker 2 at $stop_ms for $((PERIOD * 3 / 4)) s; routers $split1 before, $split2 after it resumed"

# At 3 periods, worker 1 dies.
phase_ms=$(sed -n 's/^phase_start_ms=//p' "$tmp/driver.out")
while [ "$(($(now_ms) - phase_ms))" -lt $((PERIOD * 3000)) ]; do
    sleep 0.5
    sample_conns
done

kill -9 "$w1"
kill_ms=$(now_ms)
wait "$w1" 2>/dev/null || true
w1=
echo "killed worker 1 ($w1id) at $kill_ms"
while kill -0 "$drv" 2>/dev/null; do sleep 1; sample_conns; done
wait "$drv" || fail "driver: $(tail -n 3 "$tmp/driver.log")"
drv=
cat "$tmp/driver.out"
summary=$(tail -n 1 "$tmp/driver.out")

# No router lost: all enrolled, each attested after the kill, none silent for 2 periods.
echo "$summary" | grep -q "enrolled=$ROUTERS " || fail "not every router enrolled"
python3 - "$tmp/routers.csv" "$ROUTERS" "$kill_ms" "$PERIOD" <<'EOF' || fail "routers lost"
import sys
rows = [l.strip().split(",") for l in open(sys.argv[1])]
n, kill, period = int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
assert len(rows) == n, len(rows)
late = [r[0] for r in rows if int(r[4]) <= kill + period * 500]
assert not late, "%d routers not attested after the takeover: %s" % (len(late), late[:5])
gap = max(int(r[3]) for r in rows)
print("longest gap between two verdicts of a router: %d ms (2 periods: %d)" % (gap, 2 * period * 1000))
EOF

# The dead worker is noticed and visible; the survivor holds everything.
api "$p2" /api/v1/workers >"$tmp/workers2.json"
python3 - "$tmp/workers2.json" "$ROUTERS" "$w1id" <<'EOF' || fail "workers after the kill: $(cat "$tmp/workers2.json")"
import json, sys
w = {x["id"]: x for x in json.load(open(sys.argv[1]))["workers"]}
assert w[sys.argv[3]]["state"] == "dead" and w[sys.argv[3]]["routers"] == 0, w
live = [x for x in w.values() if x["state"] == "live"]
assert len(live) == 1 and live[0]["routers"] == int(sys.argv[2]), w
EOF
api "$p2" /metrics | grep -qx 'qtpm_nms_workers{state="dead"} 1' || fail "metrics: dead worker"
[ "$(sql "SELECT count(*) FROM events WHERE kind = 'worker-dead' AND detail LIKE 'worker $w1id %'")" = 1 ] ||
    fail "one worker-dead event"
dead_ms=$(sql "SELECT time_ms FROM events WHERE kind = 'worker-dead' AND detail LIKE 'worker $w1id %'")
stall_dead_ms=$(sql "SELECT time_ms FROM events WHERE kind = 'worker-dead' AND detail LIKE 'worker $w2id %'")

# None attested twice at once, none offline.
overlap=$(sql "SELECT count(*) FROM verdicts a JOIN verdicts b ON a.router = b.router AND a.id < b.id
               AND a.started_ms < b.time_ms AND b.started_ms < a.time_ms")
[ "$overlap" = 0 ] || fail "$overlap pairs of verdicts of one router verified at the same time"
split_epoch=$(sql "SELECT count(*) FROM (SELECT router, epoch FROM verdicts GROUP BY router, epoch
                   HAVING count(DISTINCT worker) > 1) x")
[ "$split_epoch" = 0 ] || fail "$split_epoch lease epochs with verdicts from two workers"
unfenced=$(sql "SELECT count(*) FROM verdicts WHERE worker IS NULL")
[ "$unfenced" = 0 ] || fail "$unfenced verdicts written without a lease"
offline=$(sql "SELECT count(*) FROM events WHERE kind = 'offline'")
offline_end=$(sql "SELECT count(*) FROM routers WHERE state = 'offline'")

# takeover WORKER FROM_MS: "<routers> <ms>": the routers WORKER attested in the period
# before FROM_MS and the time from FROM_MS until the last of them had a verdict after it.
takeover() {
    sql "SELECT count(*) || ' ' || coalesce(max(t) - $2, -1) FROM (SELECT v.router, (SELECT min(time_ms)
         FROM verdicts n WHERE n.router = v.router AND n.time_ms > $2) AS t FROM verdicts v
         WHERE v.worker = '$1' AND v.time_ms <= $2 AND v.time_ms > $2 - $PERIOD * 1000
         GROUP BY v.router) x"
}
check_takeover() { # WORKER FROM_MS WHAT
    set -- "$1" "$2" "$3" $(takeover "$1" "$2")
    [ "$4" -gt 0 ] || fail "$3: the worker had attested no router"
    [ "$5" -ge 0 ] && [ "$5" -lt $((PERIOD * 2000)) ] ||
        fail "$3: its $4 routers were not all attested again within 2 periods ($5 ms)"
    echo "$3: the $4 routers it attested in its last period all had a verdict again $5 ms later"
}

check_takeover "$w2id" "$stop_ms" "stall"
check_takeover "$w1id" "$kill_ms" "kill"
lost_fence=$(api "$p2" /metrics | sed -n 's/^qtpm_nms_worker_lease_lost_total //p')
[ "$conn_max" -le 2 ] || fail "$conn_max database connections for 2 workers"
verdicts=$(sql "SELECT count(*) FROM verdicts")
echo "stall: worker 2 noticed dead $((stall_dead_ms - stop_ms)) ms after SIGSTOP;" \
     "routers $split2 less than $((back_ms - stop_ms - PERIOD * 750)) ms after SIGCONT"
echo "kill: worker 1 noticed dead $((dead_ms - kill_ms)) ms after SIGKILL"
echo "verdicts: $verdicts; offline events: $offline, offline at the end: $offline_end;" \
     "refused by the fence at worker 2: ${lost_fence:-?};" \
     "database connections at most $conn_max"
echo "nms_scale: ok"
