#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_ops.sh — qtpm-nms operations (ctest nms_ops; docs/OPERATIONS.md): the daemon started
# from a YAML configuration file alone, the command line overriding the file, JSON-lines
# logs on stderr, /healthz and /readyz without a client certificate (and revealing
# nothing), /readyz 503 when the database's schema is not this build's, then 200 again,
# a bad configuration refused with FILE:LINE before anything starts, `compact` on the
# configured database, and the daemon's own compaction timer.
#
#   test_ops.sh QTPM_NMS
set -eu
NMS=$1
tmp=$(mktemp -d)
pid=
. "$(dirname "$0")/../lib/servers.sh"
cleanup() {
    stop_servers $pid
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; [ -f "$tmp/log" ] && cat "$tmp/log" >&2; exit 1; }
FREEPORT=$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py
port=$(python3 "$FREEPORT")
port2=$((port + 1))

"$NMS" init --dir "$tmp/nms" >/dev/null || fail "init"
cat >"$tmp/nms.yaml" <<EOF
# everything from the file
dir: $tmp/nms
db: sqlite:$tmp/nms/nms.db
listen: 127.0.0.1:$port2
period: 1m
log-format: json
log-level: info
retention:
  keep: 1d
  interval: 0
EOF

# A bad file: refused before anything starts, with FILE:LINE; nothing listens.
printf 'dir: %s\nlisten: 127.0.0.1:%s\nperiod: often\n' "$tmp/nms" "$port" >"$tmp/bad.yaml"
"$NMS" serve --config "$tmp/bad.yaml" 2>"$tmp/err" && fail "a bad config was accepted"
grep -qx "qtpm-nms: $tmp/bad.yaml:3: period: want a duration (seconds, or N\[smhd\]) 1..86400" \
    "$tmp/err" || fail "bad config message: $(cat "$tmp/err")"
printf 'dir: %s\nlistne: 127.0.0.1:1\n' "$tmp/nms" >"$tmp/typo.yaml"
"$NMS" serve --config "$tmp/typo.yaml" 2>"$tmp/err" && fail "an unknown key was accepted"
grep -qx "qtpm-nms: $tmp/typo.yaml:2: unknown key 'listne'" "$tmp/err" \
    || fail "unknown key message: $(cat "$tmp/err")"
"$NMS" --log-format yaml --version 2>"$tmp/err" && fail "--log-format yaml accepted"
grep -q "log-format wants text or json" "$tmp/err" || fail "$(cat "$tmp/err")"

# The command line overrides the file: --listen on $port, not the file's $port2.
"$NMS" serve --config "$tmp/nms.yaml" --listen "127.0.0.1:$port" ${QTPM_TEST_NMS_FLAGS:-} 2>"$tmp/log" &
pid=$!
wait_port "$port" "$pid" || fail "the server did not listen on the command line's port"
python3 -c 'import socket,sys
s=socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1]))); sys.exit(1)
except OSError: pass' "$port2" || fail "the file's port is listening too"

base="https://127.0.0.1:$port"
get() { # PATH -> status; body in $tmp/out; no client certificate
    curl --silent --max-time 10 -o "$tmp/out" -w '%{http_code}' \
        --cacert "$tmp/nms/operator-ca.crt" "$base$1" || true
}
[ "$(get /healthz)" = 200 ] || fail "/healthz: $(cat "$tmp/out")"
[ "$(cat "$tmp/out")" = '{"status":"alive"}' ] || fail "/healthz body: $(cat "$tmp/out")"
[ "$(get /readyz)" = 200 ] || fail "/readyz: $(cat "$tmp/out")"
[ "$(cat "$tmp/out")" = \
  '{"status":"ready","checks":{"database":"ok","schema":"current","listening":"ok"}}' ] \
    || fail "/readyz body: $(cat "$tmp/out")"
# The API itself still wants a certificate.
[ "$(get /api/v1/routers)" = 401 ] || fail "/api/v1/routers without a certificate"

# An upgraded peer migrated the database further: not ready (503), then ready again.
sqlite3 "$tmp/nms/nms.db" "UPDATE schema_version SET version = version + 1" || fail "sqlite3"
[ "$(get /readyz)" = 503 ] || fail "/readyz on a newer schema: $(cat "$tmp/out")"
[ "$(cat "$tmp/out")" = \
  '{"status":"not-ready","checks":{"database":"ok","schema":"not-current","listening":"ok"}}' ] \
    || fail "/readyz 503 body: $(cat "$tmp/out")"
[ "$(get /healthz)" = 200 ] || fail "/healthz must not depend on the database"
sqlite3 "$tmp/nms/nms.db" "UPDATE schema_version SET version = version - 1" || fail "sqlite3"
[ "$(get /readyz)" = 200 ] || fail "/readyz after the schema is back"

stop_servers $pid
pid=
# The log: JSON lines only, each an object with exactly ts, level, msg, fields; the
# "listening" record names the command line's URL.
python3 - "$tmp/log" "$port" <<'EOF' || fail "JSON-lines log"
import json, re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
assert lines, "no log lines"
msgs = []
for l in lines:
    o = json.loads(l)
    assert sorted(o) == ["fields", "level", "msg", "ts"], o
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", o["ts"]), o["ts"]
    assert o["level"] in ("debug", "info", "warn", "error"), o
    assert isinstance(o["fields"], dict), o
    msgs.append(o["msg"])
    if o["msg"] == "listening":
        assert o["fields"]["url"] == "https://127.0.0.1:%s/" % sys.argv[2], o
        assert o["fields"]["store"] == "sqlite", o
assert "listening" in msgs and msgs[-1] == "stopped", msgs
EOF

# Text logs on request; compaction from the command line on the configured database.
"$NMS" --config "$tmp/nms.yaml" compact --json >"$tmp/c.json" 2>"$tmp/err" \
    || fail "compact: $(cat "$tmp/err")"
[ "$(cat "$tmp/c.json")" = '{"verdicts":0,"events":0,"measurements":0,"more":false}' ] \
    || fail "compact output: $(cat "$tmp/c.json")"
"$NMS" serve --config "$tmp/nms.yaml" --listen "127.0.0.1:$port" --log-format text ${QTPM_TEST_NMS_FLAGS:-} \
    2>"$tmp/log" &
pid=$!
wait_port "$port" "$pid" || fail "restart"
stop_servers $pid
pid=
grep -Eq "^[0-9T:.-]+Z info listening url=https://127.0.0.1:$port/ store=sqlite$" "$tmp/log" \
    || fail "text log: $(cat "$tmp/log")"
# The daemon compacts on its own timer: a router with 100 old, unchanging verdicts keeps
# its first (a change) and its newest 5 (keep-last) after one run (interval 1 s).
sqlite3 "$tmp/nms/nms.db" "INSERT INTO routers (id, hostname, state, created, updated)
    VALUES ('old1', 'old1', 'good', 1000, 1000);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)
    INSERT INTO verdicts (router, time, verdict, reasons) SELECT 'old1', 1000, 'good', '[]' FROM n;" \
    || fail "sqlite3 insert"
sed 's/^  interval: 0$/  interval: 1\n  keep-last: 5/' "$tmp/nms.yaml" >"$tmp/compact.yaml"
"$NMS" serve --config "$tmp/compact.yaml" --listen "127.0.0.1:$port" ${QTPM_TEST_NMS_FLAGS:-} 2>"$tmp/log" &
pid=$!
i=0
until grep -q '"msg":"compacted"' "$tmp/log"; do
    i=$((i + 1))
    [ $i -lt 100 ] || fail "no compaction by the daemon within 10 s"
    sleep 0.1
done
stop_servers $pid
pid=
grep -q '"msg":"compacted","fields":{"verdicts":"94","events":"0","measurements":"0","more":"no"}' \
    "$tmp/log" || fail "compaction record: $(grep compacted "$tmp/log")"
[ "$(sqlite3 "$tmp/nms/nms.db" "SELECT count(*) FROM verdicts WHERE router = 'old1'")" = 6 ] \
    || fail "verdicts left after the daemon's compaction"
echo "nms ops: config file, overrides, JSON-lines logs, health and readiness, daemon compaction checked"
