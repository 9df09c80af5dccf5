#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# wallet_cli.sh — qtpm-wallet's command line against real TPM servers on
# loopback: qtpm-server (mssim protocol; the QR and the classic
# configuration) and swtpm (classic only: it has no ML-KEM / ML-DSA).
#
#   wallet_cli.sh QTPM_WALLET QTPM_SERVER QTPM_CLI
#
# On each TPM: seal / unseal of a bearer and a financial token, refusal after
# a PCR change (the TPM's TPM_RC_POLICY_FAIL, 0x99d), used-up and over-limit
# financial tokens, parallel unseals of a one-time token by separate
# processes (exactly one succeeds), keys, deletion, audit-verify (and a
# tampered copy that fails), malformed command lines (usage error, nothing
# changed). Then, on qtpm-server, the SIGKILL test: seals killed at random
# moments, after which the database passes integrity_check, the audit log
# verifies, every listed token unseals and new seals still work.
# Servers started here are stopped on any exit (trap), by their process ids.
set -u
WALLET=$1
SERVER=$2
QTPM=$3
here=$(cd "$(dirname "$0")" && pwd)
FREEPORT=$here/../lib/freeport.py
WORK=$(mktemp -d "${TMPDIR:-/tmp}/qtpm-wallet-cli.XXXXXX")
QSRV_PID=
SWTPM_PID=
cleanup() {
    [ -n "$QSRV_PID" ] && kill "$QSRV_PID" 2>/dev/null && wait "$QSRV_PID" 2>/dev/null
    [ -n "$SWTPM_PID" ] && kill "$SWTPM_PID" 2>/dev/null && wait "$SWTPM_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { echo "FAIL: $*"; exit 1; }
pass() { echo "ok: $*"; }

port_open() {
    python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.5).close()' "$1" 2>/dev/null
}
wait_ports() {
    i=0
    while [ $i -lt 100 ]; do
        kill -0 "$1" 2>/dev/null || return 1
        if port_open "$2" && port_open $(($2 + 1)); then return 0; fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}
start_qtpm_server() {
    for try in 1 2 3 4 5; do
        QSRV_PORT=$(python3 "$FREEPORT")
        "$SERVER" --mssim --host 127.0.0.1 --port "$QSRV_PORT" --state "$WORK/qtpm-state" \
            >"$WORK/qtpm-server.log" 2>&1 &
        QSRV_PID=$!
        wait_ports $QSRV_PID "$QSRV_PORT" && return 0
        kill $QSRV_PID 2>/dev/null; wait $QSRV_PID 2>/dev/null
        QSRV_PID=
    done
    fail "could not start qtpm-server"
}
start_swtpm() {
    mkdir -p "$WORK/swtpm-state"
    for try in 1 2 3 4 5; do
        SWTPM_PORT=$(python3 "$FREEPORT")
        swtpm socket --tpm2 --server type=tcp,port="$SWTPM_PORT",bindaddr=127.0.0.1 \
            --ctrl type=tcp,port=$((SWTPM_PORT + 1)),bindaddr=127.0.0.1 \
            --tpmstate dir="$WORK/swtpm-state" --flags not-need-init,startup-clear \
            >"$WORK/swtpm.log" 2>&1 &
        SWTPM_PID=$!
        wait_ports $SWTPM_PID "$SWTPM_PORT" && return 0
        kill $SWTPM_PID 2>/dev/null; wait $SWTPM_PID 2>/dev/null
        SWTPM_PID=
    done
    fail "could not start swtpm"
}

# scenario TCTI ALG LABEL
scenario() {
    tcti=$1 alg=$2 label=$3
    d=$WORK/$label
    mkdir -p "$d"
    W() { "$WALLET" --tcti "$tcti" --db "$d/w.db" "$@"; }
    W init --alg "$alg" || fail "$label: init"
    W init --alg "$alg" 2>/dev/null && fail "$label: init over an existing vault"
    printf 'Bearer eyJhbGciOi.%s' "$label" | W seal bearer1 || fail "$label: seal"
    [ "$(W unseal bearer1)" = "Bearer eyJhbGciOi.$label" ] || fail "$label: unseal"
    printf 'card-tok' | W seal card --type financial --uses 1 --amount-limit 1000 \
        --pcrs 16 || fail "$label: seal financial"
    W unseal card --amount 2000 2>"$d/err" && fail "$label: amount over limit accepted"
    grep -q "above the token's limit" "$d/err" || fail "$label: wrong refusal: $(cat "$d/err")"
    [ "$(W unseal card --amount 999)" = card-tok ] || fail "$label: financial unseal"
    W unseal card --amount 1 2>"$d/err" && fail "$label: one-time token used twice"
    grep -q "used up" "$d/err" || fail "$label: wrong refusal: $(cat "$d/err")"
    pass "$label: bearer and financial tokens (limit, one-time)"

    # parallel unseals of a one-time token by separate processes
    printf 'once' | W seal once --type financial --uses 1 || fail "$label: seal once"
    pids=
    for i in 1 2 3 4; do
        ( W unseal once >"$d/par.$i" 2>/dev/null; echo $? >"$d/par.$i.rc" ) &
        pids="$pids $!"
    done
    for p in $pids; do wait "$p"; done
    ok=0
    for i in 1 2 3 4; do
        [ "$(cat "$d/par.$i.rc")" = 0 ] && [ "$(cat "$d/par.$i")" = once ] && ok=$((ok + 1))
    done
    [ $ok = 1 ] || fail "$label: $ok parallel unseals of a one-time token succeeded"
    pass "$label: parallel unseals of a one-time token: exactly one succeeds"

    # a PCR change: the TPM refuses
    "$QTPM" -T "$tcti" pcrextend 7:sha256=$(printf '%064d' 7) >/dev/null || fail "$label: pcrextend"
    W unseal bearer1 2>"$d/err" && fail "$label: unsealed after a PCR change"
    grep -q "rc 0x9d" "$d/err" || fail "$label: expected TPM_RC_POLICY_FAIL: $(cat "$d/err")"
    pass "$label: PCR change -> TPM_RC_POLICY_FAIL"

    # keys
    W keygen logs aes || fail "$label: keygen aes"
    W keygen mac hmac || fail "$label: keygen hmac"
    printf 'transaction history' | W encrypt logs >"$d/ct" || fail "$label: encrypt"
    [ "$(W decrypt logs <"$d/ct")" = "transaction history" ] || fail "$label: decrypt"
    m1=$(printf 'x' | W hmac mac | od -An -tx1 | tr -d ' \n')
    [ ${#m1} = 64 ] || fail "$label: hmac"
    h1=$(W key-handle logs | cut -d' ' -f1)
    W rotate logs || fail "$label: rotate"
    "$QTPM" -T "$tcti" readpublic -c "$h1" >/dev/null 2>&1 && fail "$label: old key handle $h1 still there"
    W key-delete mac || fail "$label: key-delete"
    pass "$label: AES/HMAC keys, rotation, deletion"

    # deletion of a token: its NV index is gone
    nv=$(W info bearer1 | sed 's/nv=//')
    W delete bearer1 || fail "$label: delete"
    "$QTPM" -T "$tcti" nvreadpublic 2>/dev/null | grep -qi "$nv" && fail "$label: NV $nv still defined"
    W unseal bearer1 2>/dev/null && fail "$label: deleted token unsealed"
    pass "$label: token deletion"

    # malformed command lines: usage errors, the vault unchanged
    W seal 2>/dev/null; [ $? = 2 ] || fail "$label: seal without a name"
    printf x | W seal z --uses -1 2>/dev/null; [ $? = 2 ] || fail "$label: negative uses"
    printf x | W seal z --pcrs 99 2>/dev/null; [ $? = 2 ] || fail "$label: PCR 99"
    W frobnicate 2>/dev/null; [ $? = 2 ] || fail "$label: unknown command"
    W list | grep -q '^z' && fail "$label: a malformed seal left a token"

    # audit log
    "$WALLET" --db "$d/w.db" audit-verify || fail "$label: audit-verify"
    pin=$(W audit-key)
    "$WALLET" --db "$d/w.db" audit-verify --pin "$pin" >/dev/null || fail "$label: pinned audit-verify"
    cp "$d/w.db" "$d/t.db"
    sqlite3 "$d/t.db" "UPDATE audit SET detail='amount=1' WHERE seq=3" || fail sqlite3
    "$WALLET" --db "$d/t.db" audit-verify >/dev/null 2>&1 && fail "$label: tampered log verified"
    pass "$label: audit log verifies, tampering detected"
}

# sigkill_test TCTI: seals killed mid-write
sigkill_test() {
    tcti=$1
    d=$WORK/kill
    mkdir -p "$d"
    W() { "$WALLET" --tcti "$tcti" --db "$d/w.db" "$@"; }
    W init --alg qr || fail "kill: init"
    n=0
    killed=0
    while [ $n -lt 30 ]; do
        printf 'token-%d' $n >"$d/in"
        # the wallet itself in the background (not a subshell), so $! is its pid
        "$WALLET" --tcti "$tcti" --db "$d/w.db" seal "t$n" --pcrs 16 <"$d/in" 2>/dev/null &
        pid=$!
        # a random delay of 0-9 ms, then SIGKILL to that process only
        sleep "0.00$(( $(od -An -N1 -tu1 /dev/urandom) % 10 ))" 2>/dev/null || sleep 0.01
        kill -9 $pid 2>/dev/null && killed=$((killed + 1))
        wait $pid 2>/dev/null
        n=$((n + 1))
    done
    [ "$(sqlite3 "$d/w.db" 'PRAGMA integrity_check')" = ok ] || fail "kill: integrity_check"
    "$WALLET" --db "$d/w.db" audit-verify >/dev/null || fail "kill: audit log after kills"
    cnt=0
    for t in $(W list | cut -f1); do
        i=${t#t}
        [ "$(W unseal "$t" 2>/dev/null)" = "token-$i" ] || fail "kill: token $t listed but does not unseal"
        cnt=$((cnt + 1))
    done
    # every sealed token has one seal audit entry and vice versa
    [ "$(sqlite3 "$d/w.db" "SELECT count(*) FROM audit WHERE op='seal'")" = $cnt ] ||
        fail "kill: audit entries and tokens disagree"
    # the vault keeps working (orphan NV indices are reclaimed)
    for k in a b c; do
        printf 'after-%s' $k | W seal "after$k" --pcrs 16 || fail "kill: seal after the kills"
        [ "$(W unseal "after$k")" = "after-$k" ] || fail "kill: unseal after the kills"
    done
    pass "SIGKILL: $killed of 30 seals killed; $cnt complete tokens, all unseal; no half-written state"
}

command -v sqlite3 >/dev/null || fail "sqlite3 CLI missing"
start_qtpm_server
QT="mssim:host=127.0.0.1,port=$QSRV_PORT"
"$QTPM" -T "$QT" startup -c >/dev/null 2>&1
scenario "$QT" qr qtpm-server-qr
scenario "$QT" classic qtpm-server-classic
sigkill_test "$QT"
if command -v swtpm >/dev/null; then
    start_swtpm
    scenario "swtpm:host=127.0.0.1,port=$SWTPM_PORT" classic swtpm-classic
else
    echo "note: swtpm not installed; swtpm scenario skipped"
fi
echo "wallet_cli: all passed"
