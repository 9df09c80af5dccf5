#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# wallet_limits.sh — the TPM-enforced expiry and amount limit of financial
# tokens (wallet_limits_test) on real TPM servers on loopback: qtpm-server
# (mssim protocol, QR configuration) and swtpm (classic: it has no ML-KEM /
# ML-DSA); then qtpm-wallet's command line on qtpm-server with malformed
# amounts and limits (each refused with its message, exit 2) and a spend
# up to the limit.
#
#   wallet_limits.sh WALLET_LIMITS_TEST QTPM_WALLET QTPM_SERVER
#
# Servers started here are stopped on any exit (trap), by their process ids.
set -u
TEST=$1
WALLET=$2
SERVER=$3
here=$(cd "$(dirname "$0")" && pwd)
FREEPORT=$here/../lib/freeport.py
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-wallet-limits.XXXXXX")
QSRV_PID=
SWTPM_PID=
. "$here/../lib/servers.sh"
cleanup() {
    stop_servers $QSRV_PID $SWTPM_PID
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

# both ports of a server (command and platform/control) listen
wait_ports() { wait_port "$2" "$1" && wait_port $(($2 + 1)) "$1"; }

for try in 1 2 3 4 5; do
    QSRV_PORT=$(python3 "$FREEPORT")
    "$SERVER" --mssim --host 127.0.0.1 --port "$QSRV_PORT" --state "$WORK/qtpm-state" \
        >"$WORK/qtpm-server.log" 2>&1 &
    QSRV_PID=$!
    wait_ports $QSRV_PID "$QSRV_PORT" && break
    kill $QSRV_PID 2>/dev/null; wait $QSRV_PID 2>/dev/null
    QSRV_PID=
done
[ -n "$QSRV_PID" ] || fail "could not start qtpm-server"
QT="mssim:host=127.0.0.1,port=$QSRV_PORT"

WALLET_TEST_TCTI=$QT WALLET_TEST_ALG=qr "$TEST" || fail "wallet_limits_test on qtpm-server (qr)"
pass "qtpm-server (qr): expiry and amount limit enforced by the TPM"

if command -v swtpm >/dev/null 2>&1; then
    mkdir -p "$WORK/swtpm-state"
    for try in 1 2 3 4 5; do
        SWTPM_PORT=$(python3 "$FREEPORT")
        swtpm socket --tpm2 --server type=tcp,port="$SWTPM_PORT",bindaddr=127.0.0.1 \
            --ctrl type=tcp,port=$((SWTPM_PORT + 1)),bindaddr=127.0.0.1 \
            --tpmstate dir="$WORK/swtpm-state" --flags not-need-init,startup-clear \
            >"$WORK/swtpm.log" 2>&1 &
        SWTPM_PID=$!
        wait_ports $SWTPM_PID "$SWTPM_PORT" && break
        kill $SWTPM_PID 2>/dev/null; wait $SWTPM_PID 2>/dev/null
        SWTPM_PID=
    done
    [ -n "$SWTPM_PID" ] || fail "could not start swtpm"
    WALLET_TEST_TCTI="swtpm:host=127.0.0.1,port=$SWTPM_PORT" WALLET_TEST_ALG=classic "$TEST" ||
        fail "wallet_limits_test on swtpm (classic)"
    pass "swtpm (classic): expiry and amount limit enforced by the TPM"
else
    echo "SKIP: swtpm not installed"
fi

# the CLI on qtpm-server
d=$WORK/cli
mkdir -p "$d"
W() { "$WALLET" --tcti "$QT" --db "$d/w.db" "$@"; }
W init --alg qr || fail "cli: init"
printf 'card' | W seal card --type financial --amount-limit 5 \
    --expires $(($(date +%s) + 3600)) || fail "cli: seal"
# expect_usage MESSAGE ARGS...: exit 2 and MESSAGE on stderr
expect_usage() {
    msg=$1
    shift
    W "$@" </dev/null >/dev/null 2>"$d/err"
    rc=$?
    [ $rc -eq 2 ] || fail "cli: '$*' exit $rc, want 2"
    grep -q -- "$msg" "$d/err" || fail "cli: '$*': wrong message: $(head -1 "$d/err")"
}
for bad in 0 -1 abc 1.5 "" 2x; do
    expect_usage "amount must be a whole number of units, at least 1" unseal card --amount "$bad"
done
for bad in 0 1001 -3 ten; do
    expect_usage "amount-limit must be a whole number of units, 1..1000" seal x --type financial \
        --amount-limit "$bad"
done
W unseal card --amount 6 >/dev/null 2>"$d/err" && fail "cli: amount above the limit accepted"
grep -q "above the token's limit" "$d/err" || fail "cli: wrong refusal: $(cat "$d/err")"
W unseal card 2>"$d/err" >/dev/null && fail "cli: no amount accepted on a limited token"
grep -q "give 1..the limit" "$d/err" || fail "cli: wrong refusal: $(cat "$d/err")"
[ "$(W unseal card --amount 2)" = card ] || fail "cli: unseal 2"
[ "$(W unseal card --amount 3)" = card ] || fail "cli: unseal 3"
W unseal card --amount 1 >/dev/null 2>"$d/err" && fail "cli: spent token unsealed"
grep -q "left of the limit (0 of 5)" "$d/err" || fail "cli: wrong refusal: $(cat "$d/err")"
W list | grep -q "^card" || fail "cli: list"
W audit-verify >/dev/null || fail "cli: audit-verify"
pass "cli: malformed amounts and limits refused (exit 2 with a message); spend up to the limit"
exit 0
