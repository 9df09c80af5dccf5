#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# dm_lifecycle.sh BUILD [qtpm|swtpm] — a router's life after enrolment, end to end (ctest
# dm_lifecycle_qtpm, dm_lifecycle_swtpm): qtpm-server (mssim, ML-DSA-65 AK) or swtpm (ECC AK)
# is the router's TPM, qtpm-agent its agent, qtpm-nms (SQLite) the NMS.
#
#   1. enrol, attest: good;
#   2. reboot (power cycle, Startup(CLEAR): resetCount changes, PCR 10 restarts) and the
#      image grows, so the new list is longer than the verified prefix of the old one:
#      the agent sends it from entry 0, the verdict is good, with a "reboot" event;
#   3. a TPM Restart (Shutdown(STATE), power cycle, Startup(CLEAR): only restartCount
#      changes, PCR 10 restarts) with a list that again outgrows the old one: good, a
#      second "reboot" event;
#   4. a TPM Resume (Shutdown(STATE), power cycle, Startup(STATE): PCR 10 kept): the
#      list continues incrementally, good, a "resume" event and no new reboot event;
#   5. a sealed configuration file edited: config-verify refuses it and reports it over
#      the mutual-TLS channel; `qtpm-nms events` shows config-refused with the path; with
#      the NMS down the report is kept and sent after the next heartbeat;
#   6. silence for two periods → offline; a heartbeat brings the router back to its last
#      verdict (good) with an "online" event; offline again, then evidence does the same;
#   7. an unknown file: unknown, sticky in this boot (earlier-in-this-boot); a reboot into
#      the clean image: good again, with a reboot event.
# Every server is stopped by a trap on any exit; every wait is bounded.
set -eu
build=$1 tpm=${2:-qtpm}
nms=$build/src/nms/qtpm-nms agent=$build/src/agent/qtpm-agent
dl=$build/src/attest/qtpm-digestlist server=$build/src/server/qtpm-server
mfg=$build/src/manufacture/qtpm-manufacture qtpm=$build/src/cli/qtpm
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-dmlife.XXXXXX")
tpm_pid= nms_pid=
. "$(dirname "$0")/../lib/servers.sh"
cleanup() {
    stop_servers $nms_pid $tpm_pid
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {
    echo "FAIL: $*" >&2
    for f in "$tmp"/*.log "$tmp"/out; do [ -f "$f" ] && { echo "== $f"; cat "$f"; } >&2; done
    exit 1
}
# Free port pairs come from tests/lib/freeport.py (found before any cd).
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
free_port_pair() {
    python3 "$FREEPORT"
}
# _TPM_Init through the platform port: mssim POWER_OFF, POWER_ON, NV_ON; swtpm's control
# channel CMD_INIT (flags 0).
power_cycle() {
    python3 - "$tport" "$tpm" <<'PY'
import socket, struct, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]) + 1), 5)
msgs = [struct.pack(">II", 2, 0)] if sys.argv[2] == "swtpm" else \
       [struct.pack(">I", c) for c in (2, 1, 11)]
for m in msgs:
    s.sendall(m)
    got = b""
    while len(got) < 4:
        c = s.recv(4 - len(got))
        if not c:
            sys.exit("power_cycle: connection closed")
        got += c
    if struct.unpack(">I", got)[0] != 0:
        sys.exit("power_cycle: refused")
s.close()
PY
}
count_events() { # KIND → number of events of that kind for the router
    "$nms" --db "$db" events --json | python3 -c 'import json,sys
print(sum(1 for e in json.load(sys.stdin) if e["kind"] == sys.argv[1]))' "$1"
}
state() {
    "$nms" --db "$db" router show "$router" --json | python3 -c 'import json,sys
print(json.load(sys.stdin)["state"])'
}
attest() { # expect exit 0 (good)
    "$agent" attest-once -c "$tmp/agent.conf" >"$tmp/out" 2>&1 || fail "attest-once: $1"
    grep -q "verdict good" "$tmp/out" || fail "not good: $1"
}
wait_state() { # STATE
    i=0
    until [ "$(state)" = "$1" ]; do
        i=$((i + 1))
        [ $i -lt 60 ] || fail "router never became $1 (is $(state))"
        sleep 0.25
    done
}

# The router's TPM and its EK certificates from a vendor CA.
tport=$(free_port_pair)
mkdir -p "$tmp/tpm"
if [ "$tpm" = swtpm ]; then
    swtpm socket --tpm2 --tpmstate "dir=$tmp/tpm" --server "type=tcp,port=$tport" \
        --ctrl "type=tcp,port=$((tport + 1))" --flags not-need-init 2>"$tmp/tpm.log" &
    tcti="swtpm:host=127.0.0.1,port=$tport" ak=ecc
else
    "$server" --mssim --host 127.0.0.1 --port "$tport" --state "$tmp/tpm" 2>"$tmp/tpm.log" &
    tcti="mssim:host=127.0.0.1,port=$tport" ak=mldsa65
fi
tpm_pid=$!
wait_port "$tport" "$tpm_pid" && wait_port $((tport + 1)) "$tpm_pid" || fail "$tpm"
"$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup"
"$mfg" --tcti "$tcti" --ca-dir "$tmp/vendor-ca" --alg eccp256 >/dev/null || fail "manufacture"

# The vendor's image (7 files, all in its digest list) and the NMS.
mkdir -p "$tmp/all" "$tmp/image/etc"
for f in a b c d e f g; do printf 'binary %s\n' "$f" >"$tmp/all/$f"; done
printf 'router ospf\n' >"$tmp/all/frr.conf"
"$dl" keygen --out-dir "$tmp/vk" >/dev/null || fail "keygen"
"$dl" build --vendor acme --image os --version 1 --root "$tmp/all" --prefix /bin/ \
    --mldsa-key "$tmp/vk/mldsa65.key" --ecdsa-key "$tmp/vk/ecdsa-p384.key" \
    -o "$tmp/list.qdl" >/dev/null || fail "digest list"
"$nms" init --dir "$tmp/nms" >/dev/null || fail "init"
db="sqlite:$tmp/nms/nms.db"
"$nms" --db "$db" vendor import --name acme --ca "$tmp/vendor-ca/ca-cert.pem" \
    --mldsa-pub "$tmp/vk/mldsa65.pub" --ecdsa-pub "$tmp/vk/ecdsa-p384.pub" >/dev/null \
    || fail "vendor import"
"$nms" --db "$db" digestlist add "$tmp/list.qdl" >/dev/null || fail "digestlist add"
nport=$(free_port_pair)
start_nms() {
    "$nms" serve --dir "$tmp/nms" --db "$db" --listen "127.0.0.1:$nport" --period 3 ${QTPM_TEST_NMS_FLAGS:-} \
        2>>"$tmp/nms.log" &
    nms_pid=$!
    wait_port "$nport" "$nms_pid" || fail "qtpm-nms"
}
start_nms
mkdir -p "$tmp/agent" "$tmp/root/bin"
cat >"$tmp/agent.conf" <<CONF
tcti = $tcti
nms = https://127.0.0.1:$nport
ca = $tmp/nms/operator-ca.crt
state_dir = $tmp/agent
hostname = r1
measure_root = $tmp/root
ima_source = own
ak = $ak
period = 3
CONF
put() { for f in "$@"; do cp "$tmp/all/$f" "$tmp/root/bin/$f"; done; }

# 1. Enrolment and a good first boot of three files.
put a b c
"$agent" enrol -c "$tmp/agent.conf" >"$tmp/out" 2>&1 || fail "enrol"
router=$(cat "$tmp/agent/router.id")
attest "first boot"
[ "$(count_events reboot)" = 0 ] || fail "a reboot event before any reboot"

# 2. Reboot (TPM Reset) and a longer list of five files.
power_cycle || fail "power cycle"
"$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup after reset"
put d e
attest "after a reboot with a list longer than the old one"
grep -q "reason" "$tmp/out" && fail "reasons after the reboot: $(cat "$tmp/out")"
[ "$(count_events reboot)" = 1 ] || fail "no reboot event after the TPM Reset"
[ "$(state)" = good ] || fail "state after reboot: $(state)"

# 3. TPM Restart: restartCount only; a new list (without a, with f and g) of six files.
"$qtpm" -T "$tcti" shutdown >/dev/null || fail "shutdown(STATE)"
power_cycle || fail "power cycle"
"$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup(CLEAR) after shutdown(STATE)"
rm "$tmp/root/bin/a"
put f g
attest "after a TPM Restart"
[ "$(count_events reboot)" = 2 ] || fail "no reboot event after the TPM Restart"

# 4. TPM Resume: PCR 10 kept, the list continues; one more file measured.
"$qtpm" -T "$tcti" shutdown >/dev/null || fail "shutdown(STATE)"
power_cycle || fail "power cycle"
"$qtpm" -T "$tcti" startup >/dev/null || fail "startup(STATE)"
put a
attest "after a TPM Resume"
[ "$(count_events reboot)" = 2 ] || fail "a resume counted as a reboot"
[ "$(count_events resume)" = 1 ] || fail "no resume event"

# 5. A sealed configuration file edited: refused and reported.
put frr.conf
"$agent" config-seal -c "$tmp/agent.conf" "$tmp/root/bin/frr.conf" >/dev/null \
    || fail "config-seal"
"$agent" config-verify -c "$tmp/agent.conf" >"$tmp/out" 2>&1 || fail "config-verify intact"
[ "$(count_events config-refused)" = 0 ] || fail "config-refused while intact"
printf ' redistribute connected\n' >>"$tmp/root/bin/frr.conf"
"$agent" config-verify -c "$tmp/agent.conf" >"$tmp/out" 2>&1 && fail "edited config accepted"
grep -q "refused configuration reported to the NMS" "$tmp/out" || fail "not reported"
"$nms" --db "$db" events >"$tmp/events.txt" || fail "events"
grep "config-refused" "$tmp/events.txt" | grep -q "$tmp/root/bin/frr.conf (modified)" \
    || fail "events: $(cat "$tmp/events.txt")"
# The NMS unreachable: the report is kept and sent after the next heartbeat.
kill "$nms_pid"
wait "$nms_pid" || fail "qtpm-nms did not stop cleanly"
nms_pid=
"$agent" config-verify -c "$tmp/agent.conf" >"$tmp/out" 2>&1 && fail "edited config accepted"
grep -q "the report is kept" "$tmp/out" || fail "report not kept: $(cat "$tmp/out")"
start_nms
"$agent" heartbeat -c "$tmp/agent.conf" >"$tmp/out" 2>&1 || fail "heartbeat after restart"
grep -q "a kept report sent to the NMS" "$tmp/out" || fail "kept report: $(cat "$tmp/out")"
[ "$(count_events config-refused)" = 2 ] || fail "the kept report did not arrive"
[ ! -e "$tmp/agent/pending-report.json" ] || fail "the kept report was not removed"
# The router cannot report for another router, nor other kinds of event.
curl -s --max-time 10 --cacert "$tmp/nms/operator-ca.crt" --cert "$tmp/nms/operator.crt" \
    --key "$tmp/nms/operator.key" -H 'Content-Type: application/json' \
    -d '{"kind":"config-refused","files":[{"path":"/x","reason":"modified"}]}' \
    -o "$tmp/r.json" -w '%{http_code}' "https://127.0.0.1:$nport/api/v1/routers/$router/events" \
    >"$tmp/code" || true
[ "$(cat "$tmp/code")" = 403 ] || fail "operator posting a router event: $(cat "$tmp/code")"
grep -q '"error":"forbidden"' "$tmp/r.json" || fail "403 body: $(cat "$tmp/r.json")"

# 6. Offline after two silent periods; back with a heartbeat, then with evidence.
"$agent" heartbeat -c "$tmp/agent.conf" >"$tmp/out" 2>&1 || fail "heartbeat"
grep -q "asks for fresh evidence" "$tmp/out" && fail "evidence asked for with nothing new"
online0=$(count_events online) # (a slow machine may have had the router offline before)
wait_state offline
"$agent" heartbeat -c "$tmp/agent.conf" >"$tmp/out" 2>&1 || fail "heartbeat"
[ "$(state)" = good ] || fail "after a heartbeat the state is $(state), not good"
grep -q "asks for fresh evidence" "$tmp/out" || fail "no evidence asked for after a silence"
[ "$(count_events online)" = $((online0 + 1)) ] || fail "no online event after the heartbeat"
"$nms" --db "$db" events | grep "online" | grep -q "heartbeat; state good" \
    || fail "online event detail: $("$nms" --db "$db" events | grep online)"
wait_state offline
rm "$tmp/root/bin/frr.conf" # edited: it would be measured as a digest mismatch
attest "back from offline"
[ "$(count_events online)" = $((online0 + 2)) ] || fail "no online event after evidence"
# 7. A file no list names: unknown (and it stays so in this boot); a reboot into the clean
#    image is verified afresh: good again, a third reboot event.
printf 'not in any list\n' >"$tmp/root/bin/dropper"
"$agent" attest-once -c "$tmp/agent.conf" >"$tmp/out" 2>&1 && fail "unknown file accepted"
grep -q "verdict unknown" "$tmp/out" || fail "not unknown: $(cat "$tmp/out")"
grep -q "reason: unknown-file /bin/dropper" "$tmp/out" || fail "reason: $(cat "$tmp/out")"
rm "$tmp/root/bin/dropper"
"$agent" attest-once -c "$tmp/agent.conf" >"$tmp/out" 2>&1 && fail "sticky verdict forgotten"
grep -q "reason: earlier-in-this-boot" "$tmp/out" || fail "not sticky: $(cat "$tmp/out")"
power_cycle || fail "power cycle"
"$qtpm" -T "$tcti" startup -c >/dev/null || fail "startup after reset"
attest "after a reboot from an unknown state"
[ "$(count_events reboot)" = 3 ] || fail "no reboot event after the last reset"
[ "$(state)" = good ] || fail "state after the last reboot: $(state)"
kill -0 "$nms_pid" || fail "nms died"
kill "$nms_pid"
wait "$nms_pid" || fail "qtpm-nms did not stop cleanly"
nms_pid=
if grep -q "Sanitizer\|runtime error" "$tmp/nms.log"; then fail "sanitizer report"; fi
echo "dm_lifecycle: ok"
