#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_errors.sh — the transport errors a user meets first say what happened
# and what to do (issue 12): nothing listening, the wrong protocol in either
# direction, no TPM device, an unknown TCTI kind, a misspelt key. Each must
# exit 4 (a TCTI error, as tpm2-tools; docs/CLI.md) with the exact hint.
#
#   test_errors.sh QTPM QTPM_SERVER
set -u
Q=$1 S=$2
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
fails=0

free_pair() {
    python3 "$(cd "$(dirname "$0")/../lib" && pwd)/freeport.py"
}

# expect DESCRIPTION TEXT TCTI: qtpm -T TCTI getrandom 8 exits 4 with TEXT on stderr.
expect() {
    timeout 20 "$Q" -T "$3" getrandom --hex 8 >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -eq 4 ] && grep -qF -- "$2" "$tmp/err"; then
        echo "ok   $1"
    else
        echo "FAIL $1: exit $rc, stderr:"; sed 's/^/     | /' "$tmp/err"
        fails=$((fails + 1))
    fi
}

start() { # start ARGS...: a server on a free pair, waits for its ready line
    port=$(free_pair)
    "$S" --memory --host 127.0.0.1 --port "$port" "$@" >"$tmp/srv.out" 2>&1 &
    pid=$!
    i=0
    until grep -q ': ready,' "$tmp/srv.out"; do
        i=$((i + 1)); [ $i -lt 100 ] || { echo "FAIL server did not start"; exit 1; }
        sleep 0.1
    done
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null; pid=; }

port=$(free_pair)
expect "nothing listening" \
    "cannot connect to 127.0.0.1:$port: Connection refused (is qtpm-server or swtpm running there, on that port?)" \
    "mssim:host=127.0.0.1,port=$port"
start --swtpm
expect "mssim client, swtpm server" \
    "is this a swtpm-protocol TPM (swtpm, or qtpm-server --swtpm)? then use -T swtpm:host=...,port=..." \
    "mssim:host=127.0.0.1,port=$port"
stop
start
expect "swtpm client, mssim server" \
    "the server closed the connection without an answer (did it stop? an mssim server, qtpm-server's default, wants -T mssim:..." \
    "swtpm:host=127.0.0.1,port=$port"
stop
expect "no TPM device" "cannot open $tmp/tpm0: No such file or directory (no TPM device here" \
    "device:$tmp/tpm0"
expect "unknown TCTI kind" 'unknown TCTI kind "msim": use mssim:, swtpm:, device: or engine:' \
    "msim:host=127.0.0.1"
expect "misspelt key" '"hots=127.0.0.1" is not a valid mssim configuration: expected mssim:host=HOST,port=PORT' \
    "mssim:hots=127.0.0.1"

[ $fails -eq 0 ] || { echo "$fails case(s) failed"; exit 1; }
echo "all error messages as documented"
