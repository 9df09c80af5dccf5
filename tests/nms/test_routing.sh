#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_routing.sh — trust-aware routing in the NMS (docs/ROUTING.md; ctest nms_routing).
#
# Three routers A, B, C, each a qtpm-server (mssim) with a manufactured EK and a
# qtpm-agent enrolled and attested good against a real qtpm-nms; router-role client
# certificates for curl come from tests/nms/router-cert.sh (privacy CA, OU=router,
# CN=router id). The routers report a triangle (A–B, B–C, A–C). Asserts:
#   - policy: defaults, read-only may read but PUT → 403, anonymous 401, metric 0 / 65536 /
#     non-integer / unknown state / unknown field / bad bad_action → 400 (metric-out-of-
#     range for the range), a valid PUT → 200 + the whole policy + a policy event; the
#     admin CLI shows and sets it, and refuses 70000 with exit 1;
#   - reports: bad JSON, missing or malformed fields, over the limits (257 interfaces,
#     4097 routes), unknown fields → 400; another router's id → 403; an operator → 403;
#     a duplicated OSPF router id → 409; valid ones → 200; GET /routers/<id>/routing
#     shows the newest report; GET /topology and `qtpm-nms topology --json` list 3
#     routers and 3 links with both ends;
#   - enforcement: with A's and B's long polls held, C attests with a tampered listed file
#     → verdict bad → both polls are answered with an ospf-interface command toward C at
#     the bad cost in well under a second, the enforce events name the evidence arrival
#     and the chain evidence → verdict → enforce is in milliseconds in /events; B acks
#     → enforced event with its timestamps, status ok; A never acks → the command is
#     delivered again after 2 s, then failed with an enforcement-failed event, status
#     failed in GET /routers/A/routing; a late ack makes it ok;
#   - exclude mode: bad_action exclude → new commands with excluded true; the B–C link is
#     excluded in /topology;
#   - the stream: hello, router C bad, the enforce event, routing; 32 clients at most (the
#     33rd gets 503 stream-full); clients that go away are dropped (stream_clients 0);
#   - /metrics parses as the Prometheus text format (every line a HELP/TYPE comment or a
#     sample of the grammar, histogram buckets cumulative, +Inf = _count) with the new
#     families and the expected counts.
# Every server is stopped by a trap on any exit. A seventh argument "pg" runs the NMS on
# the PostgreSQL database in $QTPM_TEST_PG (tests/store/pg-cluster.sh).
set -eu
NMS=$1 SERVER=$2 AGENT=$3 DL=$4 MFG=$5 QTPM=$6 BACKEND=${7:-sqlite}
if [ "$BACKEND" = pg ] && [ -z "${QTPM_TEST_PG:-}" ]; then echo "SKIP: QTPM_TEST_PG not set"; exit 77; fi
HERE=$(cd "$(dirname "$0")" && pwd)
FREEPORT=$HERE/../lib/freeport.py
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-nmsroute.XXXXXX")
pids=
. "$(dirname "$0")/../lib/servers.sh"
cleanup() {
    stop_servers $pids
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log "$tmp"/out; do [ -f "$f" ] && { echo "== $f"; tail -40 "$f"; } >&2; done
    exit 1
}
now_ms() { python3 -c 'import time; print(int(time.time() * 1000))'; }
# jq-like: PY EXPRESSION on the JSON in FILE (j is the document)
jget() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

# ---- the vendor, its image, the NMS ----
mkdir -p "$tmp/all"
for f in a b c; do printf 'binary %s\n' "$f" >"$tmp/all/$f"; done
"$DL" keygen --out-dir "$tmp/vk" >/dev/null || fail "keygen"
"$DL" build --vendor acme --image os --version 1 --root "$tmp/all" --prefix /bin/ \
    --mldsa-key "$tmp/vk/mldsa65.key" --ecdsa-key "$tmp/vk/ecdsa-p384.key" \
    -o "$tmp/list.qdl" >/dev/null || fail "digest list"
"$NMS" init --dir "$tmp/nms" >/dev/null || fail "init"
db="sqlite:$tmp/nms/nms.db"
[ "$BACKEND" = pg ] && db="postgresql:$QTPM_TEST_PG"
nport=$(python3 "$FREEPORT")
# The router certificates of router-cert.sh carry no channel-binding key
# (docs/CHANNEL.md): curl cannot bind, so they are allowed unbound here.
"$NMS" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$nport" --allow-unbound-routers ${QTPM_TEST_NMS_FLAGS:-} --period 600 \
    2>"$tmp/nms.log" &
nms_pid=$!
pids="$pids $nms_pid"
wait_port "$nport" "$nms_pid" || fail "qtpm-nms"
base="https://127.0.0.1:$nport"

# ---- three routers: TPM, EK, enrolment, a good attestation ----
for r in A B C; do
    tport=$(python3 "$FREEPORT")
    mkdir -p "$tmp/$r/tpm" "$tmp/$r/agent" "$tmp/$r/root/bin"
    "$SERVER" --mssim --host 127.0.0.1 --port "$tport" --state "$tmp/$r/tpm" \
        2>"$tmp/tpm-$r.log" &
    p=$!
    pids="$pids $p"
    wait_port "$tport" "$p" && wait_port $((tport + 1)) "$p" || fail "qtpm-server $r"
    tcti="mssim:host=127.0.0.1,port=$tport"
    "$QTPM" -T "$tcti" startup -c >/dev/null || fail "startup $r"
    "$MFG" --tcti "$tcti" --ca-dir "$tmp/vendor-ca" --alg eccp256 >/dev/null || fail "manufacture $r"
    if [ "$r" = A ]; then
        "$NMS" --db "$db" vendor import --name acme --ca "$tmp/vendor-ca/ca-cert.pem" \
            --mldsa-pub "$tmp/vk/mldsa65.pub" --ecdsa-pub "$tmp/vk/ecdsa-p384.pub" >/dev/null \
            || fail "vendor import"
        "$NMS" --db "$db" digestlist add "$tmp/list.qdl" >/dev/null || fail "digestlist add"
    fi
    cat >"$tmp/$r/agent.conf" <<CONF
tcti = $tcti
nms = $base
ca = $tmp/nms/operator-ca.crt
state_dir = $tmp/$r/agent
hostname = host-$r
measure_root = $tmp/$r/root
ima_source = own
ak = mldsa65
period = 600
CONF
    cp "$tmp/all/a" "$tmp/$r/root/bin/a"
    "$AGENT" enrol -c "$tmp/$r/agent.conf" >"$tmp/out" 2>&1 || fail "enrol $r"
    "$AGENT" attest-once -c "$tmp/$r/agent.conf" >"$tmp/out" 2>&1 || fail "attest $r"
    grep -q "verdict good" "$tmp/out" || fail "$r not good"
    id=$(cat "$tmp/$r/agent/router.id")
    eval "id_$r=\$id"
    sh "$HERE/router-cert.sh" "$tmp/nms" "$id" "$tmp/$r/client" || fail "router cert $r"
done
echo "routers: A=$id_A B=$id_B C=$id_C"

# call WHO METHOD PATH [BODY] → status (body in $tmp/out). WHO: operator readonly anon A B C
call() {
    who=$1 method=$2 path=$3 data=${4:-}
    set -- --silent --max-time 25 -o "${OUT:-$tmp/out}" -w '%{http_code}' \
        --cacert "$tmp/nms/operator-ca.crt" -X "$method"
    case $who in
    operator | readonly) set -- "$@" --cert "$tmp/nms/$who.crt" --key "$tmp/nms/$who.key" ;;
    A | B | C) set -- "$@" --cert "$tmp/$who/client.crt" --key "$tmp/$who/client.key" ;;
    esac
    if [ -n "$data" ]; then
        set -- "$@" -H 'Content-Type: application/json' --data-binary "$data"
    fi
    curl "$@" "$base$path" || true
}
expect() { # STATUS [ERROR-CODE] -- call args
    want=$1
    shift
    code=
    if [ "$1" != "--" ]; then code=$1; shift; fi
    shift
    got=$(call "$@")
    [ "$got" = "$want" ] || fail "$1 $2 $3 → $got, want $want: $(cat "$tmp/out")"
    if [ -n "$code" ]; then
        [ "$(jget "$tmp/out" 'j["error"]')" = "$code" ] || fail "$2 $3: error $(cat "$tmp/out"), want $code"
    fi
}

# ---- policy ----
expect 200 -- readonly GET /api/v1/routing/policy
[ "$(jget "$tmp/out" 'j["metrics"]["good"], j["metrics"]["unknown"], j["metrics"]["bad"], j["metrics"]["offline"], j["bad_action"]')" \
    = "(10, 20, 30, 40, 'metric')" ] || fail "default policy: $(cat "$tmp/out")"
expect 401 -- anon GET /api/v1/routing/policy
expect 403 -- A GET /api/v1/routing/policy
expect 403 forbidden -- readonly PUT /api/v1/routing/policy '{"metrics":{"bad":35}}'
expect 400 metric-out-of-range -- operator PUT /api/v1/routing/policy '{"metrics":{"bad":0}}'
expect 400 metric-out-of-range -- operator PUT /api/v1/routing/policy '{"metrics":{"good":65536}}'
expect 400 bad-request -- operator PUT /api/v1/routing/policy '{"metrics":{"bad":"30"}}'
expect 400 bad-request -- operator PUT /api/v1/routing/policy '{"metrics":{"evil":30}}'
expect 400 bad-request -- operator PUT /api/v1/routing/policy '{"metric":{"bad":30}}'
expect 400 bad-request -- operator PUT /api/v1/routing/policy '{"bad_action":"drop"}'
expect 400 bad-json -- operator PUT /api/v1/routing/policy '{"metrics":'
expect 200 -- operator GET /api/v1/routing/policy
grep -q '"bad":30' "$tmp/out" || fail "a refused PUT changed the policy: $(cat "$tmp/out")"
expect 200 -- operator PUT /api/v1/routing/policy '{"metrics":{"unknown":25,"offline":65535}}'
[ "$(jget "$tmp/out" 'j["metrics"]["good"], j["metrics"]["unknown"], j["metrics"]["offline"]')" \
    = "(10, 25, 65535)" ] || fail "PUT reply: $(cat "$tmp/out")"
"$NMS" --db "$db" policy show --json >"$tmp/cli.json" || fail "policy show"
[ "$(jget "$tmp/cli.json" 'j["metrics"]["unknown"]')" = 25 ] || fail "CLI policy: $(cat "$tmp/cli.json")"
"$NMS" --db "$db" policy set bad=70000 2>"$tmp/err" && fail "CLI accepted bad=70000"
grep -q metric-out-of-range "$tmp/err" || fail "CLI message: $(cat "$tmp/err")"
"$NMS" --db "$db" policy set good=x 2>/dev/null && fail "CLI accepted good=x"
"$NMS" --db "$db" policy set unknown=20 offline=40 --json >"$tmp/cli.json" || fail "policy set"
[ "$(jget "$tmp/cli.json" 'j["metrics"]["unknown"], j["metrics"]["offline"]')" = "(20, 40)" ] \
    || fail "CLI set: $(cat "$tmp/cli.json")"
expect 200 -- operator GET /api/v1/events
[ "$(jget "$tmp/out" 'sum(1 for e in j["events"] if e["kind"] == "policy")')" = 2 ] \
    || fail "policy events: $(cat "$tmp/out")"
jget "$tmp/out" 'all(e["time_ms"] // 1000 == e["time"] for e in j["events"])' | grep -q True \
    || fail "events without time_ms"

# ---- routing reports ----
report() { # OSPF-ID IFACE:PEER-OSPF-ID... → a report with those interfaces/neighbours
    python3 - "$@" <<'PY'
import json, sys
rid, links = sys.argv[1], sys.argv[2:]
ifs, nbs = [], []
for k, l in enumerate(links):
    name, peer = l.split(":")
    ifs.append({"name": name, "address": "10.0.%d.%s/30" % (k, rid.split(".")[3]),
                "cost": 10, "passive": False})
    nbs.append({"ospf_router_id": peer, "interface": name, "address": "10.0.%d.9" % k,
                "state": "Full/-"})
print(json.dumps({"ospf_router_id": rid, "interfaces": ifs, "neighbours": nbs,
                  "routes": [{"prefix": "10.9.0.0/24", "via": "10.0.0.9", "interface": ifs[0]["name"],
                              "metric": 20, "protocol": "ospf"}]}))
PY
}
ra=$(report 10.255.0.1 eth1:10.255.0.2 eth2:10.255.0.3)
rb=$(report 10.255.0.2 eth1:10.255.0.1 eth2:10.255.0.3)
rc=$(report 10.255.0.3 eth1:10.255.0.2 eth2:10.255.0.1)
expect 400 bad-json -- A POST "/api/v1/routers/$id_A/routing" '{"ospf_router_id":'
expect 400 bad-report -- A POST "/api/v1/routers/$id_A/routing" '{"interfaces":[],"neighbours":[],"routes":[]}'
expect 400 bad-report -- A POST "/api/v1/routers/$id_A/routing" '{"ospf_router_id":"10.255.0.01","interfaces":[],"neighbours":[],"routes":[]}'
expect 400 bad-report -- A POST "/api/v1/routers/$id_A/routing" '{"ospf_router_id":"10.255.0.1","interfaces":[],"neighbours":[],"routes":[],"extra":1}'
expect 400 bad-report -- A POST "/api/v1/routers/$id_A/routing" '{"ospf_router_id":"10.255.0.1","interfaces":[{"name":"eth1","address":"10.0.0.1/30","cost":0,"passive":false}],"neighbours":[],"routes":[]}'
expect 400 bad-report -- A POST "/api/v1/routers/$id_A/routing" '{"ospf_router_id":"10.255.0.1","interfaces":[{"name":"eth1/x","address":null,"cost":1,"passive":false}],"neighbours":[],"routes":[]}'
expect 400 bad-report -- A POST "/api/v1/routers/$id_A/routing" '{"ospf_router_id":"10.255.0.1","interfaces":[],"neighbours":[],"routes":[{"prefix":"10.9.0.0/33","via":null,"interface":null,"metric":1,"protocol":"ospf"}]}'
grep -q 'routes\[0\].prefix' "$tmp/out" || fail "the message does not name the field: $(cat "$tmp/out")"
python3 -c 'import json; print(json.dumps({"ospf_router_id":"10.255.0.1","interfaces":[{"name":"e%d"%i,"address":None,"cost":1,"passive":False} for i in range(257)],"neighbours":[],"routes":[]}))' >"$tmp/big1.json"
expect 400 bad-report -- A POST "/api/v1/routers/$id_A/routing" "@$tmp/big1.json"
python3 -c 'import json; print(json.dumps({"ospf_router_id":"10.255.0.1","interfaces":[],"neighbours":[],"routes":[{"prefix":"10.%d.%d.0/24"%(i//256,i%256),"via":None,"interface":None,"metric":1,"protocol":"ospf"} for i in range(4097)]}))' >"$tmp/big2.json"
expect 400 bad-report -- A POST "/api/v1/routers/$id_A/routing" "@$tmp/big2.json"
grep -q 4096 "$tmp/out" || fail "limit message: $(cat "$tmp/out")"
python3 -c 'import json; print(json.dumps({"ospf_router_id":"10.255.0.1","interfaces":[],"neighbours":[],"routes":[{"prefix":"10.%d.%d.0/24"%(i//256,i%256),"via":None,"interface":None,"metric":1,"protocol":"ospf"} for i in range(4096)]}))' >"$tmp/big3.json"
expect 403 forbidden -- A POST "/api/v1/routers/$id_B/routing" "$rb"
expect 403 -- operator POST "/api/v1/routers/$id_A/routing" "$ra"
expect 200 -- A POST "/api/v1/routers/$id_A/routing" "@$tmp/big3.json"
expect 200 -- A POST "/api/v1/routers/$id_A/routing" "$ra"
expect 409 conflict -- B POST "/api/v1/routers/$id_B/routing" "$ra"
expect 200 -- B POST "/api/v1/routers/$id_B/routing" "$rb"
expect 200 -- C POST "/api/v1/routers/$id_C/routing" "$rc"
# Empty optional fields (as FRR leaves some) are accepted as absent.
expect 200 -- C POST "/api/v1/routers/$id_C/routing" "$(printf '%s' "$rc" | python3 -c 'import json,sys
r=json.load(sys.stdin); r["neighbours"][0]["address"]=""; r["routes"][0]["interface"]=""; print(json.dumps(r))')"
expect 200 -- C POST "/api/v1/routers/$id_C/routing" "$rc"
expect 200 -- readonly GET "/api/v1/routers/$id_A/routing"
[ "$(jget "$tmp/out" 'len(j["routes"]), j["ospf_router_id"], len(j["enforcement"])')" = "(1, '10.255.0.1', 2)" ] \
    || fail "GET routing: $(cat "$tmp/out")"
[ "$(jget "$tmp/out" 'sorted((e["toward"], e["desired_cost"], e["status"]) for e in j["enforcement"])')" \
    = "$(python3 -c "print(sorted([('$id_B', 10, 'ok'), ('$id_C', 10, 'ok')]))")" ] \
    || fail "enforcement before any change: $(cat "$tmp/out")"
expect 200 -- readonly GET /api/v1/topology
[ "$(jget "$tmp/out" 'len(j["routers"]), len(j["links"]), all(l["b_interface"] and l["a_cost"] == 10 and l["b_cost"] == 10 and not l["excluded"] for l in j["links"])')" \
    = "(3, 3, True)" ] || fail "topology: $(cat "$tmp/out")"
"$NMS" --db "$db" topology --json >"$tmp/cli.json" || fail "CLI topology"
[ "$(jget "$tmp/cli.json" 'len(j["links"])')" = 3 ] || fail "CLI topology: $(cat "$tmp/cli.json")"
"$NMS" --db "$db" topology | grep -q "host-A" || fail "CLI topology text"

# ---- commands: wrong router, bad parameters, nothing queued ----
expect 403 -- A GET "/api/v1/routers/$id_B/commands?wait=0"
expect 403 -- operator GET "/api/v1/routers/$id_A/commands?wait=0"
expect 400 -- A GET "/api/v1/routers/$id_A/commands?wait=31"
expect 400 -- A GET "/api/v1/routers/$id_A/commands?after=-1"
expect 200 -- A GET "/api/v1/routers/$id_A/commands?wait=0"
[ "$(jget "$tmp/out" 'j["commands"]')" = "[]" ] || fail "commands before any change: $(cat "$tmp/out")"

# ---- the stream, then a verdict: long polls answered at once ----
curl -sN --max-time 60 --cacert "$tmp/nms/operator-ca.crt" --cert "$tmp/nms/readonly.crt" \
    --key "$tmp/nms/readonly.key" "$base/api/v1/stream" >"$tmp/stream.txt" 2>/dev/null &
stream_pid=$!
pids="$pids $stream_pid"
poll() { # WHO AFTER OUT → background long poll, prints "<ms when answered>" last
    ( OUT=$3 call "$1" GET "/api/v1/routers/$(eval echo \$id_$1)/commands?after=$2&wait=20" >/dev/null
      now_ms >"$3.t" ) &
}
sleep 0.5
poll A 0 "$tmp/pollA.json"
pa=$!
poll B 0 "$tmp/pollB.json"
pb=$!
pids="$pids $pa $pb"
sleep 0.5
kill -0 $pa 2>/dev/null && kill -0 $pb 2>/dev/null || fail "the polls were not held"
printf 'tampered b\n' >"$tmp/C/root/bin/b" # a listed path, other content: bad
t0=$(now_ms)
"$AGENT" attest-once -c "$tmp/C/agent.conf" >"$tmp/out" 2>&1 && fail "C attested good"
grep -q "verdict bad" "$tmp/out" || fail "C not bad: $(cat "$tmp/out")"
t1=$(now_ms)
wait $pa $pb || true
for r in A B; do
    f=$tmp/poll$r.json
    [ -s "$f" ] || fail "no answer to $r's poll"
    [ "$(jget "$f" 'len(j["commands"]), j["commands"][0]["kind"], j["commands"][0]["cost"], j["commands"][0]["excluded"], j["commands"][0]["toward"]')" \
        = "(1, 'ospf-interface', 30, False, '$id_C')" ] || fail "$r's command: $(cat "$f")"
    done_ms=$(cat "$f.t")
    # The poll is answered inside the evidence request: by the time attest-once is
    # done (t1; it also sends a heartbeat after the verdict) it has its command.
    [ $((done_ms - t1)) -lt 1000 ] || fail "$r's poll answered $((done_ms - t1)) ms after the verdict"
    echo "$r: command answered $((done_ms - t0)) ms after attest-once began"
done
[ "$(jget "$tmp/pollA.json" 'j["commands"][0]["interface"]')" = eth2 ] || fail "A's interface"
[ "$(jget "$tmp/pollB.json" 'j["commands"][0]["interface"]')" = eth2 ] || fail "B's interface"
seqA=$(jget "$tmp/pollA.json" 'j["commands"][0]["seq"]')
seqB=$(jget "$tmp/pollB.json" 'j["commands"][0]["seq"]')
# The chain in ms: evidence received → verdict → enforce.
expect 200 -- operator GET /api/v1/events
python3 - "$tmp/out" "$id_C" <<'PY' || fail "event chain: $(cat "$tmp/out")"
import json, re, sys
ev = json.load(open(sys.argv[1]))["events"]
c = sys.argv[2]
verdict = [e for e in ev if e["kind"] == "verdict" and e["router"] == c and e["detail"] == "bad"][-1]
enf = [e for e in ev if e["kind"] == "enforce" and e["id"] > verdict["id"]]
assert len(enf) == 2, enf
for e in enf:
    m = re.search(r"evidence_ms=(\d+)", e["detail"])
    assert m, e
    assert int(m.group(1)) <= verdict["time_ms"] <= e["time_ms"], (m.group(1), verdict, e)
    assert e["time_ms"] - int(m.group(1)) < 1000, e
    print("evidence -> verdict %d ms, verdict -> enforce %d ms" %
          (verdict["time_ms"] - int(m.group(1)), e["time_ms"] - verdict["time_ms"]))
PY

# ---- B acknowledges: enforced ----
expect 400 -- B POST "/api/v1/routers/$id_B/commands/$seqB/ack" '{"ok":true,"received_ms":1}'
expect 400 -- B POST "/api/v1/routers/$id_B/commands/$seqB/ack" '{"ok":"yes","received_ms":1,"applied_ms":2}'
expect 403 -- A POST "/api/v1/routers/$id_B/commands/$seqB/ack" '{"ok":true,"received_ms":1,"applied_ms":2}'
expect 404 -- A POST "/api/v1/routers/$id_A/commands/$seqB/ack" '{"ok":true,"received_ms":1,"applied_ms":2}'
expect 404 -- B POST "/api/v1/routers/$id_B/commands/x/ack" '{"ok":true,"received_ms":1,"applied_ms":2}'
t=$(now_ms)
expect 200 -- B POST "/api/v1/routers/$id_B/commands/$seqB/ack" "{\"ok\":true,\"received_ms\":$t,\"applied_ms\":$((t + 3)),\"fib_ms\":$((t + 9))}"
expect 200 -- B POST "/api/v1/routers/$id_B/commands/$seqB/ack" "{\"ok\":true,\"received_ms\":$t,\"applied_ms\":$((t + 3)),\"fib_ms\":$((t + 9))}"
expect 200 -- operator GET /api/v1/events
[ "$(jget "$tmp/out" 'sum(1 for e in j["events"] if e["kind"] == "enforced")')" = 1 ] \
    || fail "enforced events (a repeated ack must not add one): $(cat "$tmp/out")"
jget "$tmp/out" '[e["detail"] for e in j["events"] if e["kind"] == "enforced"][0]' | grep -q "fib_ms=$((t + 9))" \
    || fail "enforced detail: $(cat "$tmp/out")"
expect 200 -- operator GET "/api/v1/routers/$id_B/routing"
[ "$(jget "$tmp/out" '[(e["desired_cost"], e["status"], e["seq"]) for e in j["enforcement"] if e["toward"] == "'"$id_C"'"]')" \
    = "[(30, 'ok', $seqB)]" ] || fail "B's enforcement: $(cat "$tmp/out")"
expect 200 -- B GET "/api/v1/routers/$id_B/commands?after=$seqB&wait=0"
[ "$(jget "$tmp/out" 'j["commands"]')" = "[]" ] || fail "an acknowledged command came again"

# ---- A never acknowledges: redelivered, then failed ----
t0=$(now_ms)
n=0 got=0
while [ $n -lt 12 ]; do
    n=$((n + 1))
    call A GET "/api/v1/routers/$id_A/commands?after=$seqA&wait=3" >/dev/null
    [ "$(jget "$tmp/out" 'len(j["commands"])')" = 1 ] && got=$((got + 1))
    call operator GET "/api/v1/routers/$id_A/routing" >/dev/null
    st=$(jget "$tmp/out" '[e["status"] for e in j["enforcement"] if e["toward"] == "'"$id_C"'"][0]')
    [ "$st" = failed ] && break
done
t1=$(now_ms)
[ "$st" = failed ] || fail "A's unacknowledged command never failed (status $st)"
# The server counts the deliveries (attempts >= 5 below); this loop only
# sees those that land in one of its polls, fewer on a loaded machine.
[ $got -ge 2 ] || fail "A's command was redelivered $got times before failing"
[ $((t1 - t0)) -ge 6000 ] || fail "failed too early ($((t1 - t0)) ms)"
echo "A: redelivered $got times, failed after $((t1 - t0)) ms"
[ "$(jget "$tmp/out" '[e["attempts"] for e in j["enforcement"] if e["toward"] == "'"$id_C"'"][0] >= 5')" = True ] \
    || fail "attempts: $(cat "$tmp/out")"
expect 200 -- operator GET /api/v1/events
jget "$tmp/out" '[e["detail"] for e in j["events"] if e["kind"] == "enforcement-failed"]' | grep -q "seq $seqA " \
    || fail "no enforcement-failed event: $(cat "$tmp/out")"
t=$(now_ms)
expect 200 -- A POST "/api/v1/routers/$id_A/commands/$seqA/ack" "{\"ok\":true,\"received_ms\":$t,\"applied_ms\":$t,\"fib_ms\":null}"
expect 200 -- operator GET "/api/v1/routers/$id_A/routing"
[ "$(jget "$tmp/out" '[e["status"] for e in j["enforcement"] if e["toward"] == "'"$id_C"'"]')" = "['ok']" ] \
    || fail "A after its late ack: $(cat "$tmp/out")"

# ---- exclude mode ----
expect 200 -- operator PUT /api/v1/routing/policy '{"bad_action":"exclude"}'
expect 200 -- B GET "/api/v1/routers/$id_B/commands?after=$seqB&wait=5"
[ "$(jget "$tmp/out" '[(c["interface"], c["excluded"], c["toward"]) for c in j["commands"]]')" = "[('eth2', True, '$id_C')]" ] \
    || fail "exclude command: $(cat "$tmp/out")"
seqB2=$(jget "$tmp/out" 'j["commands"][0]["seq"]')
# The agent could not apply it: failed, with its error (control characters replaced).
expect 200 -- B POST "/api/v1/routers/$id_B/commands/$seqB2/ack" '{"ok":false,"received_ms":5,"applied_ms":0,"fib_ms":null,"error":"vtysh: no\nsuch interface"}'
expect 200 -- operator GET "/api/v1/routers/$id_B/routing"
[ "$(jget "$tmp/out" '[(e["status"], e.get("error")) for e in j["enforcement"] if e["toward"] == "'"$id_C"'"]')" \
    = "[('failed', 'vtysh: no such interface')]" ] || fail "B's refused command: $(cat "$tmp/out")"
t=$(now_ms)
expect 200 -- B POST "/api/v1/routers/$id_B/commands/$seqB2/ack" "{\"ok\":true,\"received_ms\":$t,\"applied_ms\":$t,\"fib_ms\":$t}"
expect 200 -- readonly GET /api/v1/topology
[ "$(jget "$tmp/out" 'sorted(l["excluded"] for l in j["links"])')" = "[False, True, True]" ] \
    || fail "excluded links: $(cat "$tmp/out")"

# ---- the stream ----
sleep 0.3
grep -q '^event: hello' "$tmp/stream.txt" || fail "no hello: $(cat "$tmp/stream.txt")"
grep -A2 '^event: router' "$tmp/stream.txt" | grep -q "\"id\":\"$id_C\",\"state\":\"bad\"" \
    || fail "no router event for C: $(cat "$tmp/stream.txt")"
grep -A2 '^event: event' "$tmp/stream.txt" | grep -q '"kind":"enforce"' || fail "no enforce event"
grep -A2 '^event: event' "$tmp/stream.txt" | grep -q '"kind":"enforced"' || fail "no enforced event"
grep -q '^event: routing' "$tmp/stream.txt" || fail "no routing event"
grep -q '^event: policy' "$tmp/stream.txt" || fail "no policy event"
grep -q '^id: [0-9]' "$tmp/stream.txt" || fail "no event ids"
kill $stream_pid 2>/dev/null || true
# 32 clients at most; the 33rd is refused; clients that go away are dropped.
spids=
k=0
while [ $k -lt 32 ]; do
    k=$((k + 1))
    curl -sN --max-time 60 --cacert "$tmp/nms/operator-ca.crt" --cert "$tmp/nms/readonly.crt" \
        --key "$tmp/nms/readonly.key" "$base/api/v1/stream" >/dev/null 2>&1 &
    spids="$spids $!"
done
pids="$pids $spids"
metric() { # NAME → value
    call readonly GET /metrics >/dev/null
    awk -v n="$1" '$1 == n { print $2 }' "$tmp/out"
}
i=0
until [ "$(metric qtpm_nms_stream_clients)" = 32 ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "32 stream clients never connected ($(metric qtpm_nms_stream_clients))"
    sleep 0.1
done
expect 503 stream-full -- readonly GET /api/v1/stream
for p in $spids; do kill "$p" 2>/dev/null || true; done
i=0
until [ "$(metric qtpm_nms_stream_clients)" = 0 ]; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "gone stream clients were not dropped ($(metric qtpm_nms_stream_clients))"
    sleep 0.1
done

# ---- /metrics ----
call readonly GET /metrics >/dev/null
python3 "$HERE/check_metrics.py" "$tmp/out" || fail "metrics format"
[ "$(metric 'qtpm_nms_routers{state="bad"}')" = 1 ] || fail "routers{bad}"
[ "$(metric 'qtpm_nms_routers{state="good"}')" = 2 ] || fail "routers{good}"
[ "$(metric 'qtpm_nms_attestations_total{verdict="bad"}')" = 1 ] || fail "attestations{bad}"
[ "$(metric 'qtpm_nms_attestations_total{verdict="good"}')" = 3 ] || fail "attestations{good}"
[ "$(metric qtpm_nms_verdict_duration_seconds_count)" = 4 ] || fail "histogram count"
[ "$(metric qtpm_nms_reroutes_total)" = 3 ] || fail "reroutes $(metric qtpm_nms_reroutes_total)"
[ "$(metric qtpm_nms_enforcement_failures_total)" = 2 ] || fail "failures $(metric qtpm_nms_enforcement_failures_total)"
kill -0 "$nms_pid" || fail "the NMS died"
# A clean stop with a poll and a stream held (a sanitizer build reports leaks here).
call A GET "/api/v1/routers/$id_A/commands?after=999999&wait=20" >/dev/null &
hp=$!
curl -sN --max-time 20 --cacert "$tmp/nms/operator-ca.crt" --cert "$tmp/nms/readonly.crt" \
    --key "$tmp/nms/readonly.key" "$base/api/v1/stream" >/dev/null 2>&1 &
hs=$!
pids="$pids $hp $hs"
sleep 0.5
kill -TERM "$nms_pid"
wait "$nms_pid" || fail "the NMS did not stop cleanly"
if grep -qE "Sanitizer|runtime error" "$tmp/nms.log"; then fail "sanitizer report"; fi

# ---- a restart, and the offline sweep as the state change ----
# The NMS again on the same database with a 1 s period: reports come back from the store
# (the topology is whole at once); A and B keep sending heartbeats, C is silent, so the
# sweep marks C offline and A and B are told to set the offline cost toward it.
"$NMS" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$nport" --allow-unbound-routers ${QTPM_TEST_NMS_FLAGS:-} --period 1 \
    2>>"$tmp/nms.log" &
nms_pid=$!
pids="$pids $nms_pid"
wait_port "$nport" "$nms_pid" || fail "qtpm-nms restart"
( k=0; while [ $k -lt 80 ]; do k=$((k + 1))
      for r in A B; do OUT=$tmp/hb.$r call $r POST "/api/v1/routers/$(eval echo \$id_$r)/heartbeat" '{"entries":1}' >/dev/null; done
      sleep 0.25; done ) &
hb=$!
pids="$pids $hb"
expect 200 -- readonly GET /api/v1/topology
[ "$(jget "$tmp/out" 'len(j["links"])')" = 3 ] || fail "topology after a restart: $(cat "$tmp/out")"
i=0
until [ "$(jget "$tmp/out" '[r["state"] for r in j["routers"] if r["id"] == "'"$id_C"'"][0]' 2>/dev/null)" = offline ]; do
    i=$((i + 1))
    [ $i -lt 40 ] || fail "C never went offline: $(cat "$tmp/out")"
    sleep 0.25
    call readonly GET /api/v1/topology >/dev/null
done
expect 200 -- B GET "/api/v1/routers/$id_B/commands?after=0&wait=5"
[ "$(jget "$tmp/out" '[(c["cost"], c["excluded"]) for c in j["commands"] if c["toward"] == "'"$id_C"'"]')" = "[(40, False)]" ] \
    || fail "B's command after C went offline: $(cat "$tmp/out")"
expect 200 -- operator GET /api/v1/events
jget "$tmp/out" '[e["detail"] for e in j["events"] if e["kind"] == "enforce"]' | grep -q "(${id_C} offline)" \
    || fail "no enforce event for the offline router: $(cat "$tmp/out")"
# A never fetches its own command toward C: failed 10 s after it was queued.
t0=$(now_ms)
i=0
until jget "$tmp/out" '[e["detail"] for e in j["events"] if e["kind"] == "enforcement-failed" and e["router"] == "'"$id_A"'"]' \
    | grep -q "cost 40 toward $id_C: no acknowledgement after 0 deliveries"; do
    i=$((i + 1))
    [ $i -lt 64 ] || fail "A's unfetched command never failed: $(cat "$tmp/out")"
    sleep 0.25
    call operator GET /api/v1/events >/dev/null
done
echo "A: an unfetched command failed after $(( $(now_ms) - t0 )) ms more"
kill "$hb" 2>/dev/null || true
echo "PASS"
