#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_ready_pg.sh — /readyz follows the PostgreSQL server (ctest nms_ready_pg, run inside
# tests/store/pg-cluster.sh): ready while the database answers; 503 "database":
# "unreachable" while its server is stopped, with /healthz still 200 and the daemon up;
# ready again once the server is back (the store opens a new connection).
#
#   test_ready_pg.sh QTPM_NMS
set -eu
NMS=$1
[ -n "${QTPM_TEST_PG:-}" ] || { echo "SKIP: QTPM_TEST_PG not set"; exit 77; }
dir=$QTPM_TEST_PG_DIR bin=$QTPM_TEST_PG_BIN
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
# pg_ctl as the cluster's owner (pg-cluster.sh made it; root cannot run the server).
pg() {
    o=$(stat -c %U "$dir")
    if [ "$(id -u)" = 0 ] && [ "$o" != root ]; then
        setpriv --reuid="$o" --regid="$(id -g "$o")" --clear-groups -- env HOME=/nonexistent \
            "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 "$@" >/dev/null
    else
        "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 "$@" >/dev/null
    fi
}
"$NMS" init --dir "$tmp/nms" >/dev/null || fail "init"
port=$(python3 "$(dirname "$0")/../lib/freeport.py")
"$NMS" serve --dir "$tmp/nms" --db "postgresql:$QTPM_TEST_PG" --listen "127.0.0.1:$port" ${QTPM_TEST_NMS_FLAGS:-} \
    --log-format json 2>"$tmp/log" &
pid=$!
wait_port "$port" "$pid" || fail "the server did not start"
get() {
    curl --silent --max-time 10 -o "$tmp/out" -w '%{http_code}' \
        --cacert "$tmp/nms/operator-ca.crt" "https://127.0.0.1:$port$1" || true
}
# until_status PATH STATUS: up to 50 tries 0.2 s apart
until_status() {
    i=0
    while [ "$(get "$1")" != "$2" ]; do
        i=$((i + 1))
        [ $i -lt 50 ] || fail "$1 never answered $2 (last: $(cat "$tmp/out"))"
        sleep 0.2
    done
}
[ "$(get /readyz)" = 200 ] || fail "/readyz on a running database: $(cat "$tmp/out")"
pg stop -m fast || fail "pg_ctl stop"
until_status /readyz 503
[ "$(cat "$tmp/out")" = \
  '{"status":"not-ready","checks":{"database":"unreachable","schema":"unknown","listening":"ok"}}' ] \
    || fail "/readyz with the database down: $(cat "$tmp/out")"
grep -q "$dir" "$tmp/out" && fail "the answer names the database"
[ "$(get /healthz)" = 200 ] || fail "/healthz with the database down"
pg start || fail "pg_ctl start"
until_status /readyz 200
kill -0 "$pid" || fail "the daemon died"
echo "nms_ready_pg: ready, not ready while PostgreSQL is down, ready again"
