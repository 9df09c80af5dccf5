#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# test_tpmkey.sh TEST QTPM QTPM_SERVER — starts a qtpm-server, makes an
# RSA-2048 (0x81000001) and a P-256 (0x81000002) persistent key with the CLI,
# then runs the in-process provider test TEST (test_provider_tpmkey.c) on it.
set -u
TEST=$1
QTPM=$2
SERVER=$3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib/servers.sh"
WORK=$(mktemp -d)
PID=
trap 'stop_servers $PID; rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1
for try in 1 2 3; do
    PORT=$(python3 "$HERE/../lib/freeport.py")
    "$SERVER" --mssim --host 127.0.0.1 --port "$PORT" --state "$WORK/state" >server.log 2>&1 &
    PID=$!
    wait_port "$PORT" $PID && wait_port $((PORT + 1)) $PID && break
    stop_servers $PID
    PID=
done
[ -n "$PID" ] || { echo "FAIL: qtpm-server did not start"; cat server.log; exit 1; }
export QTPM_TCTI="mssim:host=127.0.0.1,port=$PORT" QTPM_PROVIDER_CONNECTION=keep
if ! { "$QTPM" startup -c && "$QTPM" createprimary -c p.ctx && "$QTPM" create -C p.ctx -G rsa2048 -c r.ctx &&
       "$QTPM" evictcontrol -C o -c r.ctx 0x81000001 &&
       "$QTPM" create -C p.ctx -G ecc256 -c e.ctx &&
       "$QTPM" evictcontrol -C o -c e.ctx 0x81000002; } >keys.log 2>&1; then
    echo "FAIL: key set-up"; cat keys.log; exit 1
fi
"$TEST"
