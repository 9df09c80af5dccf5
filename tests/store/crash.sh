#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# crash.sh — nothing acknowledged is lost and nothing is half-written when a store writer
# is killed (SIGKILL) at any moment (ctest store_crash_sqlite, store_crash_pg).
#
#   crash.sh CRASH_WRITER sqlite|pg [ROUNDS]
#
# Round after round, crash_writer commits router + event + certificate transactions and
# acknowledges each commit on stdout; after a random 50–550 ms it is killed with SIGKILL
# and `crash_writer check` must find every acknowledged transaction whole, and at most the
# one in flight besides (see crash_writer.c). With pg (run under pg-cluster.sh) every
# third round crashes the database server instead (an immediate shutdown: no checkpoint,
# recovery from the WAL at the next start) while the writer runs: acknowledged commits
# must survive that too. Bounded: ROUNDS (default 12) rounds of at most ~1 s each.
set -u
WRITER=$1 BACKEND=$2 ROUNDS=${3:-12}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/qtpm-crash-store-XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*" >&2; tail -n 20 "$tmp/log" >&2 2>/dev/null; exit 1; }

case $BACKEND in
sqlite) url="sqlite:$tmp/crash.db" ;;
pg) [ -n "${QTPM_TEST_PG:-}" ] || { echo "SKIP: QTPM_TEST_PG not set (run under pg-cluster.sh)"; exit 77; }
    url="postgresql:$QTPM_TEST_PG" ;;
*) echo "usage: crash.sh CRASH_WRITER sqlite|pg [ROUNDS]" >&2; exit 2 ;;
esac

: >"$tmp/ack"
r=1 server_crashes=0
while [ $r -le "$ROUNDS" ]; do
    "$WRITER" "$url" write >>"$tmp/ack" 2>>"$tmp/log" &
    pid=$!
    ms=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 500 + 50 ))
    sleep "$(printf '0.%03d' "$ms")"
    crash_server=
    if [ "$BACKEND" = pg ] && [ $((r % 3)) = 0 ]; then
        crash_server=1
        sh "$here/pg-cluster.sh" --crash-restart || fail "round $r: server crash/restart failed"
        server_crashes=$((server_crashes + 1))
    fi
    kill -9 "$pid" 2>/dev/null
    wait "$pid"
    st=$?
    pid=
    # Killed by us (137), or — when the server crashed under it — failed on the lost
    # connection (1). Anything else means the writer broke on its own.
    if [ $st -ne 137 ] && { [ -z "$crash_server" ] || [ $st -ne 1 ]; }; then
        fail "round $r: the writer exited with $st before it was killed"
    fi
    acked=$(tail -n 1 "$tmp/ack")
    acked=${acked:-0}
    "$WRITER" "$url" check "$acked" 2>>"$tmp/log" || fail "round $r (killed after $ms ms)"
    r=$((r + 1))
done
[ "${acked:-0}" -gt 0 ] || fail "no transaction was ever acknowledged"
grep crash_writer: "$tmp/log" | tail -n 1
echo "store crash test ($BACKEND): $ROUNDS kills, $server_crashes server crashes, $acked transactions acknowledged, all consistent"
