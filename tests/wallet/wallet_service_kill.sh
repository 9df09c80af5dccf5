#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# wallet_service_kill.sh — the WebAuthn service killed mid-write (ctest
# wallet_service_kill): on a qtpm-server TPM, wallet_service_kill (the
# service's request path in process: request, assertion, approve, seal) is
# SIGKILLed at random moments, ten times; then `check` asserts that no token
# was lost or appeared unowned, every token unseals to itself through the
# service, both databases are whole and the audit log verifies.
#
#   wallet_service_kill.sh HELPER QTPM_SERVER QTPM_CLI
set -u
helper=$1 server=$2 qtpm=$3
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-wallet-kill.XXXXXX")
srv=
cleanup() {
    [ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() { echo "FAIL: $*"; exit 1; }
port=$(python3 "$here/../lib/freeport.py")
"$server" --mssim --host 127.0.0.1 --port "$port" --state "$tmp/tpm" >"$tmp/tpm.log" 2>&1 &
srv=$!
tries=0
until python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.3).close()' "$port" 2>/dev/null; do
    tries=$((tries + 1)); [ $tries -gt 100 ] && fail "qtpm-server does not listen"; sleep 0.05
done
tcti="mssim:host=127.0.0.1,port=$port"
"$qtpm" -T "$tcti" startup -c >/dev/null 2>&1
"$helper" init "$tcti" "$tmp" || fail "init"
kills=10
k=1
while [ $k -le $kills ]; do
    "$helper" load "$tcti" "$tmp" "k$k" >"$tmp/load.$k" 2>&1 &
    p=$!
    # 0.15-0.9 s: several seals complete, one is usually in flight
    sleep "$(python3 -c 'import random; print(round(random.uniform(0.15, 0.9), 3))')"
    kill -KILL "$p" 2>/dev/null
    wait "$p" 2>/dev/null
    grep FAIL "$tmp/load.$k" && { cat "$tmp/load.$k"; fail "load $k"; }
    k=$((k + 1))
done
"$helper" check "$tcti" "$tmp" "$kills" || fail "check"
