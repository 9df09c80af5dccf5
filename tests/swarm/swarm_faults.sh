#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# swarm_faults.sh BUILD [two-step] — 50 qtpm-swarm routers against qtpm-nms (PostgreSQL when run
# under tests/store/pg-cluster.sh, SQLite otherwise), attesting every 2 s for 24 s; at 8 s
# 5 routers turn bad (a listed file with other content), 5 go silent and 5 replay their
# last good quote. Asserts, from the swarm's report: every router enrolled; no NMS error;
# each kind of fault injected 5 times and every one caught within 2 periods (bad and
# replay by the evidence verdict, offline by the NMS's offline event); every router
# without a fault monitored throughout (a verdict younger than 2 periods) and good at the
# end; every faulty router not good at the end; every connection (as the swarm and as the
# NMS's handshake log see it) negotiated a hybrid ML-KEM group, the NMS in its default
# configuration (no --allow-classic-tls, no --allow-unbound-routers). Every round after
# the first is one request (the evidence answers the next challenge of the previous
# reply, docs/NMS.md), none falls back to /challenge; with "two-step" every round asks
# POST /challenge first (the flow qtpm-agent's attest-once uses).
set -u
build=$1
mode=${2:-}
flag=
[ "$mode" = two-step ] && flag=--two-step
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp "${TMPDIR:-/tmp}/swarm-faults.XXXXXX.json")
trap 'rm -f "$out"' EXIT
python3 "$here/../../bench/scale/scale.py" "$build" --routers 50 --duration 24 --period 2 \
    --bad 0.1 --offline 0.1 --replay 0.1 --json "$out" $flag
rc=$?
python3 - "$out" "$rc" "$mode" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["swarm"]
fails, passes = [], []
def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    (passes if ok else fails).append(what)
check(s is not None, "the swarm wrote its report")
if s:
    check(s["enrolment"]["enrolled"] == 50 and s["enrolment"]["failed"] == 0,
          "50 routers enrolled (%d)" % s["enrolment"]["enrolled"])
    st = s["steady"]
    check(st["http_errors"] == 0 and st["transport_errors"] == 0 and st["other_errors"] == 0,
          "no errors (http %d, transport %d, other %d: %s)" % (
              st["http_errors"], st["transport_errors"], st["other_errors"], st["last_error"]))
    check(st["verdicts"]["good"] > 200, "good verdicts: %d" % st["verdicts"]["good"])
    check(st["verdicts"]["bad"] >= 10, "bad verdicts: %d" % st["verdicts"]["bad"])
    for kind in ("bad", "offline", "replay"):
        f = s["faults"][kind]
        check(f["injected"] == 5 and f["caught_within_2_periods"] == 5,
              "%s: %d injected, %d caught within 2 periods (max %.2f s)" % (
                  kind, f["injected"], f["caught_within_2_periods"], f["detection_s"]["max"]))
    fl = s.get("flow") or {}
    n_att = st["attestations"]
    if sys.argv[3] == "two-step":
        check(fl.get("mode") == "two-step" and fl.get("one_trip_rounds") == 0 and
              fl.get("two_step_rounds") == n_att,
              "every round asked /challenge first: %s" % fl)
    else:
        check(fl.get("mode") == "next-challenge" and fl.get("fallbacks") == 0 and
              fl.get("one_trip_rounds") == n_att,
              "every round one request (the next challenge of the previous reply): %s" % fl)
    t = s.get("tls") or {}
    check(t.get("post_quantum_connections", 0) >= 50 and t.get("classic_connections") == 0,
          "router connections with a post-quantum group: %s (%s), classic: %s" % (
              t.get("post_quantum_connections"), t.get("group"), t.get("classic_connections")))
    n = d.get("nms_tls") or {}
    g = n.get("by_group") or {}
    check(sum(g.values()) >= 50 and set(g) <= {"X25519MLKEM768", "SecP256r1MLKEM768"},
          "the NMS logged its handshakes with hybrid groups only: %s" % g)
    k = s["kpi"]
    check(k["honest_monitored_min_fraction"] == 1.0,
          "routers without a fault monitored: min %.3f" % k["honest_monitored_min_fraction"])
    check(k["hiding_fraction"] == 0.0, "routers able to hide: %.3f" % k["hiding_fraction"])
    e = s["end_states"]
    check(e["good_and_good"] == 35 and e["good_but_not_good"] == 0,
          "35 routers without a fault end good (%d, %d not)" % (e["good_and_good"],
                                                                e["good_but_not_good"]))
    check(e["faulty_and_not_good"] == 15 and e["faulty_but_good"] == 0,
          "15 faulty routers end not good (%d, %d good)" % (e["faulty_and_not_good"],
                                                            e["faulty_but_good"]))
check(sys.argv[2] == "0", "scale.py exit status %s" % sys.argv[2])
print("%d passed, %d failed" % (len(passes), len(fails)))
sys.exit(1 if fails else 0)
PY
